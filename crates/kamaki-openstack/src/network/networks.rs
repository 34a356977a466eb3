//! Networks.

use futures::{Stream, TryStreamExt};
use kamaki_core::{ClientError, QueryParams};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Link, NetworkClient};
use crate::common::{Extra, ResourceId};
use crate::compute::util::de_null_default;
use crate::rest::{Collection, Listing, Object};

/// Paging of [`NetworkClient::networks`] / [`NetworkClient::list_networks`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListNetworksOptions {
    /// Use `/networks/detail` (Synnefo; both paths list full objects there).
    pub detail: bool,
    /// Only networks changed since (`changes-since`, Synnefo).
    pub changes_since: Option<String>,
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Start after this network id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given (Neutron filters, …).
    pub extra_query: QueryParams,
}

/// A network to create ([`NetworkClient::create_network`]). Members are
/// sent only when set; `extra` keys are merged into the `"network"` object
/// last (Synnefo's `type` and `project`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateNetwork {
    /// The name.
    pub name: Option<String>,
    /// Administrative state (`admin_state_up`).
    pub admin_state_up: Option<bool>,
    /// Shared with every project (`shared`).
    pub shared: Option<bool>,
    /// More keys of the `"network"` object, sent as given.
    pub extra: Extra,
}

impl CreateNetwork {
    /// The `"network"` object, after checking the arguments.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty or too long name.
    pub fn to_object(&self) -> Result<Map<String, Value>, ClientError> {
        let n = network_object(
            self.name.as_deref(),
            self.admin_state_up,
            self.shared,
            &self.extra,
        )?;
        Ok(n.into_map())
    }
}

/// The `"network"` object of a creation or an update.
fn network_object(
    name: Option<&str>,
    admin_state_up: Option<bool>,
    shared: Option<bool>,
    extra: &Extra,
) -> Result<Object, ClientError> {
    Ok(Object::new()
        .checked("name", "network name", name)?
        .opt("admin_state_up", admin_state_up)
        .opt("shared", shared)
        .extra(extra))
}

/// Changes to a network ([`NetworkClient::update_network`]). Synnefo only
/// renames.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateNetwork {
    /// A new name.
    pub name: Option<String>,
    /// Administrative state.
    pub admin_state_up: Option<bool>,
    /// Shared with every project.
    pub shared: Option<bool>,
    /// More keys of the `"network"` object, sent as given.
    pub extra: Extra,
}

crate::string_enum! {
    /// A network status.
    pub enum NetworkStatus {
        /// Usable.
        Active = "ACTIVE",
        /// Being created (Synnefo, effectively unused).
        Pending = "PENDING",
        /// Being built (Neutron).
        Build = "BUILD",
        /// Down (Neutron).
        Down = "DOWN",
        /// Failed.
        Error = "ERROR",
        /// Deleted.
        Deleted = "DELETED",
        /// No new ports or IPs (Synnefo).
        Drained = "SNF:DRAINED",
    }
}

/// A network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// The id.
    pub id: ResourceId,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The status.
    #[serde(default)]
    pub status: NetworkStatus,
    /// Administrative state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    /// Shared with every project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
    /// External (`router:external`).
    #[serde(
        rename = "router:external",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub router_external: Option<bool>,
    /// Subnet ids.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub subnets: Vec<ResourceId>,
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The owner (`null` for public networks on Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know (Synnefo's `type`, `public`,
    /// `SNF:floating_ip_pool`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

crate::rest::json_resource!(
    Network,
    NetworkEnvelope { network },
    NetworksEnvelope { networks }
);

fn collection(c: &NetworkClient) -> Collection<'_, Network> {
    Collection::new(&c.http, c.url().seg("networks"), "network id")
}

impl NetworkClient {
    /// Streams networks: GET `/networks` (or `/networks/detail`) (200), page
    /// by page when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn networks(
        &self,
        opts: ListNetworksOptions,
    ) -> impl Stream<Item = Result<Network, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query)
            .detail(opts.detail)
            .text("changes-since", opts.changes_since.as_deref());
        collection(self).stream(listing, &[200])
    }

    /// Lists networks (kamaki's `list_networks`); see [`networks`](Self::networks).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_networks(
        &self,
        opts: &ListNetworksOptions,
    ) -> Result<Vec<Network>, ClientError> {
        self.networks(opts.clone()).try_collect().await
    }

    /// Creates a network: POST `/networks` with `{"network": {…}}` (201).
    /// On Synnefo put `type` (e.g. `MAC_FILTERED`) in `extra`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a bad name; the server's error (400, 403 for a disabled type …).
    pub async fn create_network(&self, network: &CreateNetwork) -> Result<Network, ClientError> {
        collection(self).create(network.to_object()?, &[201]).await
    }

    /// Creates several networks at once: POST `/networks` with
    /// `{"networks": […]}` (201). Synnefo does not support it (400).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty list or a bad item; the server's error.
    pub async fn create_networks(
        &self,
        networks: &[CreateNetwork],
    ) -> Result<Vec<Network>, ClientError> {
        let items = networks.iter().map(CreateNetwork::to_object);
        collection(self).create_many(items, &[201]).await
    }

    /// Network details: GET `/networks/{id}` (200) (kamaki's `get_network_details`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_network(&self, network_id: &str) -> Result<Network, ClientError> {
        collection(self).get(network_id, &[200]).await
    }

    /// Updates a network: PUT `/networks/{id}` with the given members (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name, or nothing to update; the server's error
    /// (Synnefo: 400 without a name).
    pub async fn update_network(
        &self,
        network_id: &str,
        update: &UpdateNetwork,
    ) -> Result<Network, ClientError> {
        let network = collection(self).member(network_id)?;
        let n = network_object(
            update.name.as_deref(),
            update.admin_state_up,
            update.shared,
            &update.extra,
        )?;
        network.put(n.changes()?, &[200]).await
    }

    /// Deletes a network: DELETE `/networks/{id}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (409 while ports or floating IPs
    /// use it).
    pub async fn delete_network(&self, network_id: &str) -> Result<(), ClientError> {
        collection(self).delete(network_id, &[204]).await
    }
}
