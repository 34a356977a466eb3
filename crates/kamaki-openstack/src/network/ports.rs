//! Ports (a server's connection to a network) and the port waiters.

use futures::{Stream, TryStreamExt};
use kamaki_core::{wait_for, ClientError, QueryParams, WaitCheck, WaitOptions, WaitOutcome};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Link, NetworkClient};
use crate::common::{Extra, ResourceId};
use crate::compute::util::de_null_default;
use crate::rest::{Collection, Listing, Object};
use crate::waiters::{self, Status};

/// Filters and paging of [`NetworkClient::ports`] / [`NetworkClient::list_ports`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPortsOptions {
    /// Use `/ports/detail` (Synnefo; both paths list full objects there).
    pub detail: bool,
    /// Only ports of this network (`network_id`; Neutron).
    pub network_id: Option<String>,
    /// Only ports of this device (`device_id`; Neutron).
    pub device_id: Option<String>,
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Start after this port id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given.
    pub extra_query: QueryParams,
}

/// An address of a port: in requests usually just `ip_address`; in
/// Synnefo replies `ip_address` and `subnet`, in Neutron ones `subnet_id`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FixedIp {
    /// The address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The subnet (Neutron).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<ResourceId>,
    /// The subnet (Synnefo replies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<ResourceId>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl FixedIp {
    /// Just an address (`{"ip_address": …}`).
    pub fn address(ip: impl Into<String>) -> Self {
        FixedIp {
            ip_address: Some(ip.into()),
            ..FixedIp::default()
        }
    }
}

/// A port to create ([`NetworkClient::create_port`]). Members are sent
/// only when set (lists when not empty); `extra` keys are merged into the
/// `"port"` object last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreatePort {
    /// The network (`network_id`), required.
    pub network_id: String,
    /// The server to plug it into (`device_id`).
    pub device_id: Option<String>,
    /// The name.
    pub name: Option<String>,
    /// Addresses (`fixed_ips`; Synnefo: at most one, an IPv4 floating IP
    /// the user reserved on that network).
    pub fixed_ips: Vec<FixedIp>,
    /// Security group ids (`security_groups`).
    pub security_groups: Vec<String>,
    /// Administrative state (`admin_state_up`).
    pub admin_state_up: Option<bool>,
    /// A MAC address (`mac_address`; Synnefo ignores it).
    pub mac_address: Option<String>,
    /// More keys of the `"port"` object, sent as given.
    pub extra: Extra,
}

impl CreatePort {
    /// The `"port"` object, after checking the arguments.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty network id, device id or name.
    pub fn to_object(&self) -> Result<Map<String, Value>, ClientError> {
        let p = Object::new()
            .checked("network_id", "network id", Some(self.network_id.as_str()))?
            .checked("device_id", "device id", self.device_id.as_deref())?
            .checked("name", "port name", self.name.as_deref())?
            .list("fixed_ips", &self.fixed_ips)?
            .list("security_groups", &self.security_groups)?
            .opt("admin_state_up", self.admin_state_up)
            .opt("mac_address", self.mac_address.as_deref())
            .extra(&self.extra);
        Ok(p.into_map())
    }
}

/// Changes to a port ([`NetworkClient::update_port`]). Synnefo honours
/// only `name` and `security_groups`. Unlike kamaki, the network id is not
/// sent (Neutron refuses to change it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdatePort {
    /// A new name.
    pub name: Option<String>,
    /// New addresses.
    pub fixed_ips: Option<Vec<FixedIp>>,
    /// New security group ids.
    pub security_groups: Option<Vec<String>>,
    /// Administrative state.
    pub admin_state_up: Option<bool>,
    /// A MAC address.
    pub mac_address: Option<String>,
    /// A device (`device_id`).
    pub device_id: Option<String>,
    /// More keys of the `"port"` object, sent as given.
    pub extra: Extra,
}

crate::string_enum! {
    /// A port status.
    pub enum PortStatus {
        /// Being plugged in.
        Build = "BUILD",
        /// Plugged in.
        Active = "ACTIVE",
        /// Down.
        Down = "DOWN",
        /// Failed.
        Error = "ERROR",
    }
}

/// A port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Port {
    /// The id.
    pub id: ResourceId,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The status.
    #[serde(default)]
    pub status: PortStatus,
    /// The network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_id: Option<ResourceId>,
    /// The device (a server id) or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<ResourceId>,
    /// What owns the device (`vm`, `compute:nova`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_owner: Option<String>,
    /// Administrative state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    /// The MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// Addresses.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fixed_ips: Vec<FixedIp>,
    /// Security group ids.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub security_groups: Vec<ResourceId>,
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know (`created`, `updated`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

crate::rest::json_resource!(Port, PortEnvelope { port }, PortsEnvelope { ports });

fn collection(c: &NetworkClient) -> Collection<'_, Port> {
    Collection::new(&c.http, c.url().seg("ports"), "port id")
}

impl NetworkClient {
    /// Streams ports: GET `/ports` (or `/ports/detail`) (200), page by page
    /// when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn ports(
        &self,
        opts: ListPortsOptions,
    ) -> impl Stream<Item = Result<Port, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query)
            .detail(opts.detail)
            .text("network_id", opts.network_id.as_deref())
            .text("device_id", opts.device_id.as_deref());
        collection(self).stream(listing, &[200])
    }

    /// Lists ports (kamaki's `list_ports`); see [`ports`](Self::ports).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_ports(&self, opts: &ListPortsOptions) -> Result<Vec<Port>, ClientError> {
        self.ports(opts.clone()).try_collect().await
    }

    /// Creates a port: POST `/ports` with `{"port": {…}}` (201). It starts
    /// in `BUILD`; see [`wait_port_until`](Self::wait_port_until).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for bad input; the server's error (400, 409 for a used address, 503 …).
    pub async fn create_port(&self, port: &CreatePort) -> Result<Port, ClientError> {
        collection(self).create(port.to_object()?, &[201]).await
    }

    /// Creates several ports at once: POST `/ports` with `{"ports": […]}`
    /// (201). Synnefo does not support it.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty list or a bad item; the server's error.
    pub async fn create_ports(&self, ports: &[CreatePort]) -> Result<Vec<Port>, ClientError> {
        let items = ports.iter().map(CreatePort::to_object);
        collection(self).create_many(items, &[201]).await
    }

    /// Port details: GET `/ports/{id}` (200) (kamaki's `get_port_details`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 once deleted).
    pub async fn get_port(&self, port_id: &str) -> Result<Port, ClientError> {
        collection(self).get(port_id, &[200]).await
    }

    /// Updates a port: PUT `/ports/{id}` with the given members (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name, or nothing to update; the server's error.
    pub async fn update_port(
        &self,
        port_id: &str,
        update: &UpdatePort,
    ) -> Result<Port, ClientError> {
        let port = collection(self).member(port_id)?;
        let p = Object::new()
            .checked("name", "port name", update.name.as_deref())?
            .json("fixed_ips", update.fixed_ips.as_ref())?
            .json("security_groups", update.security_groups.as_ref())?
            .opt("admin_state_up", update.admin_state_up)
            .opt("mac_address", update.mac_address.as_deref())
            .opt("device_id", update.device_id.as_deref())
            .extra(&update.extra);
        port.put(p.changes()?, &[200]).await
    }

    /// Deletes a port: DELETE `/ports/{id}` (204). Asynchronous: see
    /// [`wait_port_deleted`](Self::wait_port_deleted).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn delete_port(&self, port_id: &str) -> Result<(), ClientError> {
        collection(self).delete(port_id, &[204]).await
    }

    /// Polls [`get_port`](Self::get_port) every `opts.delay` until `check`
    /// ends the wait or `opts.max_wait` passes; `on_poll` sees every poll.
    ///
    /// # Errors
    /// The first poll error (404 included); a timeout is
    /// [`WaitOutcome::TimedOut`] with the last port seen.
    pub async fn wait_port_with<C, P>(
        &self,
        port_id: &str,
        opts: &WaitOptions,
        check: C,
        on_poll: P,
    ) -> Result<WaitOutcome<Port>, ClientError>
    where
        C: Fn(&Port) -> WaitCheck,
        P: FnMut(&Port),
    {
        wait_for(opts, || self.get_port(port_id), check, on_poll).await
    }

    /// Waits until the port's status is `target_status` (e.g. `"ACTIVE"`;
    /// kamaki's default of `"BUILD"` was a slip, so the target is required).
    ///
    /// # Errors
    /// As [`wait_port_with`](Self::wait_port_with).
    pub async fn wait_port_until(
        &self,
        port_id: &str,
        target_status: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Port>, ClientError> {
        self.wait_port_with(port_id, opts, waiters::until(target_status), |_| {})
            .await
    }

    /// Waits while the port's status is `current_status` (e.g. `"BUILD"`).
    ///
    /// # Errors
    /// As [`wait_port_with`](Self::wait_port_with).
    pub async fn wait_port_while(
        &self,
        port_id: &str,
        current_status: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Port>, ClientError> {
        self.wait_port_with(port_id, opts, waiters::while_in(current_status), |_| {})
            .await
    }

    /// kamaki's `wait_port(id)`: waits while the port is `BUILD`, polling
    /// every second for up to 100 seconds.
    ///
    /// # Errors
    /// As [`wait_port_with`](Self::wait_port_with).
    pub async fn wait_port(&self, port_id: &str) -> Result<WaitOutcome<Port>, ClientError> {
        self.wait_port_while(port_id, PortStatus::Build.as_str(), &WaitOptions::default())
            .await
    }

    /// Waits for a deleted port to go: reached with `None` once it answers
    /// 404. Until then the last port seen is kept.
    ///
    /// # Errors
    /// Poll errors other than 404.
    pub async fn wait_port_deleted(
        &self,
        port_id: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Option<Port>>, ClientError> {
        waiters::until_gone(opts, || self.get_port(port_id), |_| false).await
    }
}

impl Status for Port {
    fn status(&self) -> &str {
        self.status.as_str()
    }
}
