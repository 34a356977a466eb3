//! Networks.

use std::sync::Arc;

use futures::{Stream, TryStreamExt};
use kamaki_core::{paginate, ClientError, Method, Page, QueryParams, UrlPath};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{merge_extra, Link, NetworkClient};
use crate::common::{Extra, ResourceId};
use crate::compute::util::{self, check_id, de_null_default, marker_page, push_text};

fn networks_url(c: &NetworkClient) -> UrlPath {
    c.url().seg("networks")
}

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
        let mut n = Map::new();
        if let Some(name) = &self.name {
            check_id("network name", name)?;
            n.insert("name".into(), name.clone().into());
        }
        if let Some(a) = self.admin_state_up {
            n.insert("admin_state_up".into(), a.into());
        }
        if let Some(s) = self.shared {
            n.insert("shared".into(), s.into());
        }
        merge_extra(&mut n, &self.extra);
        Ok(n)
    }
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

#[derive(Deserialize)]
struct NetworkEnvelope {
    network: Network,
}

#[derive(Deserialize)]
struct NetworksEnvelope {
    networks: Vec<Network>,
}

impl NetworkClient {
    async fn networks_page(
        &self,
        opts: &ListNetworksOptions,
        marker: Option<String>,
    ) -> Result<Page<Network>, ClientError> {
        let mut url = networks_url(self);
        if opts.detail {
            url = url.seg("detail");
        }
        let marker = marker.or_else(|| opts.marker.clone().filter(|m| !m.is_empty()));
        let mut q = QueryParams::new();
        push_text(&mut q, "changes-since", opts.changes_since.as_deref());
        q.push_opt("limit", opts.limit.filter(|l| *l > 0));
        push_text(&mut q, "marker", marker.as_deref());
        q.extend(&opts.extra_query);
        let env: NetworksEnvelope = self
            .http
            .request(Method::GET, url)
            .query(&q)
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(marker_page(
            env.networks,
            opts.limit,
            marker.as_deref(),
            |n| n.id.to_string(),
        ))
    }

    /// Streams networks: GET `/networks` (or `/networks/detail`) (200), page
    /// by page when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn networks(
        &self,
        opts: ListNetworksOptions,
    ) -> impl Stream<Item = Result<Network, ClientError>> + Send + '_ {
        let opts = Arc::new(opts);
        paginate(move |marker| {
            let opts = opts.clone();
            async move { self.networks_page(&opts, marker).await }
        })
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
        let body = serde_json::json!({ "network": network.to_object()? });
        let env: NetworkEnvelope = self
            .http
            .request(Method::POST, networks_url(self))
            .json(&body)
            .expect_status(&[201])
            .send_json()
            .await?;
        Ok(env.network)
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
        if networks.is_empty() {
            return Err(ClientError::invalid_argument("no networks to create"));
        }
        let items = networks
            .iter()
            .map(|n| n.to_object().map(Value::Object))
            .collect::<Result<Vec<_>, _>>()?;
        let env: NetworksEnvelope = self
            .http
            .request(Method::POST, networks_url(self))
            .json(&serde_json::json!({ "networks": items }))
            .expect_status(&[201])
            .send_json()
            .await?;
        Ok(env.networks)
    }

    /// Network details: GET `/networks/{id}` (200) (kamaki's `get_network_details`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_network(&self, network_id: &str) -> Result<Network, ClientError> {
        check_id("network id", network_id)?;
        let env: NetworkEnvelope = self
            .http
            .request(Method::GET, networks_url(self).seg(network_id))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.network)
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
        check_id("network id", network_id)?;
        let mut n = Map::new();
        if let Some(name) = &update.name {
            check_id("network name", name)?;
            n.insert("name".into(), name.clone().into());
        }
        if let Some(a) = update.admin_state_up {
            n.insert("admin_state_up".into(), a.into());
        }
        if let Some(s) = update.shared {
            n.insert("shared".into(), s.into());
        }
        merge_extra(&mut n, &update.extra);
        if n.is_empty() {
            return Err(ClientError::invalid_argument("nothing to update"));
        }
        let env: NetworkEnvelope = self
            .http
            .request(Method::PUT, networks_url(self).seg(network_id))
            .json(&serde_json::json!({ "network": n }))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.network)
    }

    /// Deletes a network: DELETE `/networks/{id}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (409 while ports or floating IPs
    /// use it).
    pub async fn delete_network(&self, network_id: &str) -> Result<(), ClientError> {
        check_id("network id", network_id)?;
        let resp = self
            .http
            .request(Method::DELETE, networks_url(self).seg(network_id))
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }
}
