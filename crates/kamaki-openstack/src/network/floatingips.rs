//! Floating IPs.

use futures::{Stream, TryStreamExt};
use kamaki_core::{ClientError, QueryParams};
use serde::{Deserialize, Serialize};

use super::NetworkClient;
use crate::common::{Extra, ResourceId};
use crate::rest::{Collection, Listing, Object};

/// Paging of [`NetworkClient::floatingips`] / [`NetworkClient::list_floatingips`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFloatingIpsOptions {
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Start after this floating IP id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given.
    pub extra_query: QueryParams,
}

/// A floating IP to reserve ([`NetworkClient::create_floatingip`]). All
/// members are optional on Synnefo (an empty request picks any public
/// network with free addresses); Neutron requires `floating_network_id`.
/// `extra` keys are merged into the `"floatingip"` object last (Synnefo's
/// `project`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateFloatingIp {
    /// The network to take it from.
    pub floating_network_id: Option<String>,
    /// A chosen address.
    pub floating_ip_address: Option<String>,
    /// A port to associate it with (Neutron).
    pub port_id: Option<String>,
    /// The fixed address of that port (Neutron).
    pub fixed_ip_address: Option<String>,
    /// More keys of the `"floatingip"` object, sent as given.
    pub extra: Extra,
}

/// Changes to a floating IP ([`NetworkClient::update_floatingip`]; Neutron
/// only, Synnefo answers 501). `None` leaves a member out; `Some(None)`
/// sends `null` (so `port_id: Some(None)` disassociates).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateFloatingIp {
    /// The port to associate with, or `Some(None)` to disassociate.
    pub port_id: Option<Option<String>>,
    /// The fixed address of that port.
    pub fixed_ip_address: Option<Option<String>>,
    /// More keys of the `"floatingip"` object, sent as given.
    pub extra: Extra,
}

/// A floating IP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FloatingIp {
    /// The id.
    pub id: ResourceId,
    /// The address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floating_ip_address: Option<String>,
    /// The network it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floating_network_id: Option<String>,
    /// The fixed address it maps to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_ip_address: Option<String>,
    /// The port using it (`None` when detached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_id: Option<ResourceId>,
    /// The router (Neutron).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router_id: Option<String>,
    /// The status (Neutron).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Fields this version does not know (Synnefo's `instance_id`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

crate::rest::json_resource!(
    FloatingIp,
    FloatingIpEnvelope { floatingip },
    FloatingIpsEnvelope { floatingips }
);

fn collection(c: &NetworkClient) -> Collection<'_, FloatingIp> {
    Collection::new(&c.http, c.url().seg("floatingips"), "floating IP id")
}

impl NetworkClient {
    /// Streams floating IPs: GET `/floatingips` (200), page by page when
    /// `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn floatingips(
        &self,
        opts: ListFloatingIpsOptions,
    ) -> impl Stream<Item = Result<FloatingIp, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query);
        collection(self).stream(listing, &[200])
    }

    /// Lists floating IPs (kamaki's `list_floatingips`); see
    /// [`floatingips`](Self::floatingips).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_floatingips(
        &self,
        opts: &ListFloatingIpsOptions,
    ) -> Result<Vec<FloatingIp>, ClientError> {
        self.floatingips(opts.clone()).try_collect().await
    }

    /// Floating IP details: GET `/floatingips/{id}` (200) (kamaki's
    /// `get_floatingip_details`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_floatingip(&self, floatingip_id: &str) -> Result<FloatingIp, ClientError> {
        collection(self).get(floatingip_id, &[200]).await
    }

    /// Reserves a floating IP: POST `/floatingips` with
    /// `{"floatingip": {…}}` (200 from Synnefo, 201 from Neutron).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for empty ids; the server's error (409 when no address is free, 413
    /// over quota).
    pub async fn create_floatingip(
        &self,
        ip: &CreateFloatingIp,
    ) -> Result<FloatingIp, ClientError> {
        let mut f = Object::new();
        let texts = [
            ("floating_network_id", &ip.floating_network_id),
            ("floating_ip_address", &ip.floating_ip_address),
            ("port_id", &ip.port_id),
            ("fixed_ip_address", &ip.fixed_ip_address),
        ];
        for (key, value) in texts {
            f = f.checked(key, key, value.as_deref())?;
        }
        let f = f.extra(&ip.extra).into_map();
        collection(self).create(f, &[200, 201]).await
    }

    /// Associates or disassociates a floating IP: PUT `/floatingips/{id}`
    /// (200). Synnefo does not implement it (501): attach through a port.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or nothing to update; the server's error.
    pub async fn update_floatingip(
        &self,
        floatingip_id: &str,
        update: &UpdateFloatingIp,
    ) -> Result<FloatingIp, ClientError> {
        let floatingip = collection(self).member(floatingip_id)?;
        let f = Object::new()
            .opt("port_id", update.port_id.as_ref().map(Option::as_deref))
            .opt(
                "fixed_ip_address",
                update.fixed_ip_address.as_ref().map(Option::as_deref),
            )
            .extra(&update.extra);
        floatingip.put(f.changes()?, &[200]).await
    }

    /// Releases a floating IP: DELETE `/floatingips/{id}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (409 while a port uses it).
    pub async fn delete_floatingip(&self, floatingip_id: &str) -> Result<(), ClientError> {
        collection(self).delete(floatingip_id, &[204]).await
    }
}
