//! Synnefo server extensions: actions (start, shutdown, console, firewall
//! profiles, reassign, floating IPs), statistics, diagnostics, volume
//! attachments, tags with statuses, and typed access to the Synnefo members
//! of a server.

use kamaki_core::{ClientError, Method, UrlPath};
use kamaki_openstack::common::{check_id, de_null_default};
use kamaki_openstack::compute::{check_tag, Server};
use kamaki_openstack::{Extra, ResourceId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use super::compute::CycladesComputeClient;
use super::reassign;

// ---------------------------------------------------------------------------
// Arguments

/// The console kinds Cyclades offers ([`CycladesComputeClient::get_server_console`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConsoleType {
    /// Plain VNC (`vnc`).
    #[default]
    Vnc,
    /// VNC over WebSocket (`vnc-ws`).
    VncWs,
    /// VNC over secure WebSocket (`vnc-wss`).
    VncWss,
}

impl ConsoleType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleType::Vnc => "vnc",
            ConsoleType::VncWs => "vnc-ws",
            ConsoleType::VncWss => "vnc-wss",
        }
    }
}

impl std::str::FromStr for ConsoleType {
    type Err = ClientError;

    /// Parses `vnc`, `vnc-ws` or `vnc-wss`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "vnc" => Ok(ConsoleType::Vnc),
            "vnc-ws" => Ok(ConsoleType::VncWs),
            "vnc-wss" => Ok(ConsoleType::VncWss),
            other => Err(ClientError::invalid_argument(format!(
                "console type {other:?} is not one of vnc, vnc-ws, vnc-wss"
            ))),
        }
    }
}

/// A NIC firewall profile ([`CycladesComputeClient::set_firewall_profile`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirewallProfile {
    /// `ENABLED`: the protected profile with the usual ports open.
    Enabled,
    /// `DISABLED`: no filtering.
    Disabled,
    /// `PROTECTED`: everything filtered.
    Protected,
}

impl FirewallProfile {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FirewallProfile::Enabled => "ENABLED",
            FirewallProfile::Disabled => "DISABLED",
            FirewallProfile::Protected => "PROTECTED",
        }
    }
}

impl std::str::FromStr for FirewallProfile {
    type Err = ClientError;

    /// Parses `ENABLED`, `DISABLED` or `PROTECTED` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "ENABLED" => Ok(FirewallProfile::Enabled),
            "DISABLED" => Ok(FirewallProfile::Disabled),
            "PROTECTED" => Ok(FirewallProfile::Protected),
            _ => Err(ClientError::invalid_argument(format!(
                "firewall profile {s:?} is not one of ENABLED, DISABLED, PROTECTED"
            ))),
        }
    }
}

// ---------------------------------------------------------------------------
// Results

/// Text that may come as a string, a number, `null` or anything else
/// (kept as its JSON text).
fn de_opt_text<'de, D>(d: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// A console to connect to (`{"console": {…}}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerConsole {
    /// The console kind (`type`).
    #[serde(rename = "type", default)]
    pub console_type: String,
    /// The host to connect to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The port to connect to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The one-time password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Links to a server's usage graphs (`{"stats": {…}}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerStats {
    /// The server (`serverRef`).
    #[serde(rename = "serverRef", default, skip_serializing_if = "Option::is_none")]
    pub server_ref: Option<ResourceId>,
    /// Seconds between graph refreshes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<u64>,
    /// CPU bar graph URL (`cpuBar`).
    #[serde(rename = "cpuBar", default, skip_serializing_if = "Option::is_none")]
    pub cpu_bar: Option<String>,
    /// CPU time series graph URL (`cpuTimeSeries`).
    #[serde(
        rename = "cpuTimeSeries",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_time_series: Option<String>,
    /// Network bar graph URL (`netBar`).
    #[serde(rename = "netBar", default, skip_serializing_if = "Option::is_none")]
    pub net_bar: Option<String>,
    /// Network time series graph URL (`netTimeSeries`).
    #[serde(
        rename = "netTimeSeries",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub net_time_series: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One diagnostic entry of a server (build and operation messages).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Diagnostic {
    /// `DEBUG`, `INFO`, `WARNING` or `ERROR`.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub level: Option<String>,
    /// When it was recorded.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub created: Option<String>,
    /// What reported it (e.g. `image-info`).
    #[serde(default, deserialize_with = "de_opt_text")]
    pub source: Option<String>,
    /// When the source produced it (may be absent).
    #[serde(default, deserialize_with = "de_opt_text")]
    pub source_date: Option<String>,
    /// The message.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub message: Option<String>,
    /// Further details (often `null`).
    #[serde(default, deserialize_with = "de_opt_text")]
    pub details: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A volume attached to a server (`os-volume_attachments`). On Synnefo the
/// attachment id is the volume id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerVolumeAttachment {
    /// The attachment id.
    pub id: ResourceId,
    /// The volume (`volumeId`).
    #[serde(rename = "volumeId", default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<ResourceId>,
    /// The server (`serverId`).
    #[serde(rename = "serverId", default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<ResourceId>,
    /// The device name (often empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The tags of a server with their statuses (`PENDADD` until applied, then
/// `ACTIVE`), as Cyclades lists them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerTags {
    /// The tags.
    #[serde(default, deserialize_with = "de_null_default")]
    pub tags: Vec<String>,
    /// The status of each tag, in the same order.
    #[serde(default, deserialize_with = "de_null_default")]
    pub statuses: Vec<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ServerTags {
    /// The status of `tag`, if listed.
    pub fn status_of(&self, tag: &str) -> Option<&str> {
        let i = self.tags.iter().position(|t| t == tag)?;
        self.statuses.get(i).map(String::as_str)
    }
}

/// A NIC of a server (one item of a Synnefo server's `attachments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerAttachment {
    /// The NIC (port) id, an integer on Synnefo.
    pub id: ResourceId,
    /// The network, a string on Synnefo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_id: Option<ResourceId>,
    /// The MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// The firewall profile (`firewallProfile`), when set.
    #[serde(
        rename = "firewallProfile",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub firewall_profile: Option<String>,
    /// The IPv4 address (may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<String>,
    /// The IPv6 address (may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<String>,
    /// `fixed` or `floating` (`OS-EXT-IPS:type`), when given.
    #[serde(
        rename = "OS-EXT-IPS:type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ip_type: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Typed access to the Synnefo members of a [`Server`], which the
/// OpenStack type keeps in `extra`. Malformed items are skipped.
///
/// ```
/// use kamaki_openstack::compute::Server;
/// use kamaki_synnefo::cyclades::SynnefoServer;
/// let s: Server = serde_json::from_str(
///     r#"{"id": 42, "volumes": [812, 813], "SNF:fqdn": "snf-42.vm.example.org"}"#).unwrap();
/// assert_eq!(s.volumes()[0], "812");
/// assert_eq!(s.fqdn(), Some("snf-42.vm.example.org"));
/// ```
pub trait SynnefoServer {
    /// The ids of the server's volumes (`volumes`), the root volume first.
    fn volumes(&self) -> Vec<ResourceId>;
    /// The server's NICs (`attachments`).
    fn attachments(&self) -> Vec<ServerAttachment>;
    /// The latest diagnostic entries (`diagnostics`).
    fn diagnostics(&self) -> Vec<Diagnostic>;
    /// The fully qualified domain name (`SNF:fqdn`).
    fn fqdn(&self) -> Option<&str>;
    /// The pending task (`SNF:task_state`), `None` when idle.
    fn task_state(&self) -> Option<&str>;
    /// The installed keypairs (`SNF:key_names`).
    fn key_names(&self) -> Vec<String>;
    /// Whether the server is deleted but not yet purged (`deleted`).
    fn is_deleted(&self) -> bool;
    /// Whether the server is shared with its project (`shared_to_project`).
    fn shared_to_project(&self) -> Option<bool>;
}

fn items<T: for<'de> Deserialize<'de>>(extra: &Extra, key: &str) -> Vec<T> {
    match extra.get(key) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect(),
        _ => Vec::new(),
    }
}

impl SynnefoServer for Server {
    fn volumes(&self) -> Vec<ResourceId> {
        items(&self.extra, "volumes")
    }

    fn attachments(&self) -> Vec<ServerAttachment> {
        items(&self.extra, "attachments")
    }

    fn diagnostics(&self) -> Vec<Diagnostic> {
        items(&self.extra, "diagnostics")
    }

    fn fqdn(&self) -> Option<&str> {
        self.extra.get("SNF:fqdn").and_then(Value::as_str)
    }

    fn task_state(&self) -> Option<&str> {
        self.extra
            .get("SNF:task_state")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    fn key_names(&self) -> Vec<String> {
        items(&self.extra, "SNF:key_names")
    }

    fn is_deleted(&self) -> bool {
        self.extra
            .get("deleted")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn shared_to_project(&self) -> Option<bool> {
        self.extra.get("shared_to_project").and_then(Value::as_bool)
    }
}

#[derive(Deserialize)]
struct ConsoleEnvelope {
    console: ServerConsole,
}

#[derive(Deserialize)]
struct StatsEnvelope {
    stats: ServerStats,
}

#[derive(Deserialize)]
struct AttachmentEnvelope {
    #[serde(rename = "volumeAttachment")]
    attachment: ServerVolumeAttachment,
}

#[derive(Deserialize)]
struct AttachmentsEnvelope {
    #[serde(rename = "volumeAttachments", deserialize_with = "de_null_default")]
    attachments: Vec<ServerVolumeAttachment>,
}

// ---------------------------------------------------------------------------
// Operations

/// Below `/servers/{id}`: the volume attachments.
const ATTACHMENTS: &str = "os-volume_attachments";

impl CycladesComputeClient {
    /// `/servers/{id}/{sub}`, refusing a bad server id.
    fn server_path(&self, server_id: &str, sub: &str) -> Result<UrlPath, ClientError> {
        check_id("server id", server_id)?;
        Ok(self
            .endpoint()
            .path()
            .seg("servers")
            .seg(server_id)
            .seg(sub))
    }

    /// GET `url` (200) as JSON.
    async fn get_json<T: DeserializeOwned>(&self, url: UrlPath) -> Result<T, ClientError> {
        self.http()
            .request(Method::GET, url)
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// Sends a server action, accepting `success`; the reply is dropped.
    async fn action(
        &self,
        server_id: &str,
        body: Value,
        success: &[u16],
    ) -> Result<(), ClientError> {
        let resp = self
            .compute()
            .server_action(server_id, &body, success)
            .await?;
        resp.bytes().await.map(|_| ())
    }

    /// Starts a stopped server: POST `/servers/{id}/action` with
    /// `{"start": {}}` (202); `STOPPED` → `ACTIVE`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (400 unless `STOPPED`, 409 while
    /// building).
    pub async fn start_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.action(server_id, json!({ "start": {} }), &[202]).await
    }

    /// Shuts a server down: POST `/servers/{id}/action` with
    /// `{"shutdown": {}}` (202); `ACTIVE` → `STOPPED`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (400 unless `ACTIVE`).
    pub async fn shutdown_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.action(server_id, json!({ "shutdown": {} }), &[202])
            .await
    }

    forward! { compute;
        /// Reboots: `{"reboot": {"type": "SOFT"}}` or `"HARD"` (202); the
        /// status goes `REBOOT` then `ACTIVE`.
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn reboot_server(&self, server_id: &str, hard: bool) -> () = reboot_server;

        /// Resizes a stopped server to another flavor:
        /// `{"resize": {"flavorRef": …}}` (202).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or flavor; the server's error (400 unless `STOPPED`).
        pub async fn resize_server(
            &self,
            server_id: &str,
            flavor_id: impl Into<ResourceId>,
        ) -> () = resize_server;
    }

    /// A console for a server: POST `/servers/{id}/action` with
    /// `{"console": {"type": "vnc"}}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_server_console(
        &self,
        server_id: &str,
        console_type: ConsoleType,
    ) -> Result<ServerConsole, ClientError> {
        let body = json!({ "console": { "type": console_type.as_str() } });
        let resp = self
            .compute()
            .server_action(server_id, &body, &[200])
            .await?;
        let env: ConsoleEnvelope = resp.json().await?;
        Ok(env.console)
    }

    /// Sets the firewall profile of a server's NIC: POST
    /// `/servers/{id}/action` with
    /// `{"firewallProfile": {"profile": …, "nic": <port id>}}` (202).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or port id; the server's error.
    pub async fn set_firewall_profile(
        &self,
        server_id: &str,
        profile: FirewallProfile,
        port_id: &str,
    ) -> Result<(), ClientError> {
        check_id("port id", port_id)?;
        let body = json!({ "firewallProfile": { "profile": profile.as_str(), "nic": port_id } });
        self.action(server_id, body, &[202]).await
    }

    /// Moves a server to another project: POST `/servers/{id}/action` with
    /// `{"reassign": {"project": …}}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or project; the server's error (403, 409 while a task
    /// is pending, 413 over the project's quota).
    pub async fn reassign_server(&self, server_id: &str, project: &str) -> Result<(), ClientError> {
        reassign(
            self.http(),
            self.endpoint(),
            "servers",
            "server id",
            server_id,
            project,
        )
        .await
    }

    /// Attaches a reserved floating IP: POST `/servers/{id}/action` with
    /// `{"addFloatingIp": {"address": …}}` (202). (kamaki does this through
    /// a port: see [`CycladesNetworkClient::attach_floating_ip`](super::CycladesNetworkClient::attach_floating_ip).)
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or address; the server's error.
    pub async fn add_floating_ip(&self, server_id: &str, address: &str) -> Result<(), ClientError> {
        check_id("floating IP address", address)?;
        let body = json!({ "addFloatingIp": { "address": address } });
        self.action(server_id, body, &[202]).await
    }

    /// Detaches a floating IP: POST `/servers/{id}/action` with
    /// `{"removeFloatingIp": {"address": …}}` (202). The IP stays reserved.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or address; the server's error.
    pub async fn remove_floating_ip(
        &self,
        server_id: &str,
        address: &str,
    ) -> Result<(), ClientError> {
        check_id("floating IP address", address)?;
        let body = json!({ "removeFloatingIp": { "address": address } });
        self.action(server_id, body, &[202]).await
    }

    /// Links to a server's usage graphs: GET `/servers/{id}/stats` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_server_stats(&self, server_id: &str) -> Result<ServerStats, ClientError> {
        let env: StatsEnvelope = self.get_json(self.server_path(server_id, "stats")?).await?;
        Ok(env.stats)
    }

    /// The diagnostic entries of a server: GET `/servers/{id}/diagnostics`
    /// (200), a bare JSON array.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_server_diagnostics(
        &self,
        server_id: &str,
    ) -> Result<Vec<Diagnostic>, ClientError> {
        let url = self.server_path(server_id, "diagnostics")?;
        let list: Option<Vec<Diagnostic>> = self.get_json(url).await?;
        Ok(list.unwrap_or_default())
    }

    /// The volumes attached to a server: GET
    /// `/servers/{id}/os-volume_attachments` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn list_volume_attachments(
        &self,
        server_id: &str,
    ) -> Result<Vec<ServerVolumeAttachment>, ClientError> {
        let url = self.server_path(server_id, ATTACHMENTS)?;
        let env: AttachmentsEnvelope = self.get_json(url).await?;
        Ok(env.attachments)
    }

    /// One volume attachment: GET
    /// `/servers/{id}/os-volume_attachments/{attachment}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_volume_attachment(
        &self,
        server_id: &str,
        attachment_id: &str,
    ) -> Result<ServerVolumeAttachment, ClientError> {
        let url = self.server_path(server_id, ATTACHMENTS)?;
        check_id("attachment id", attachment_id)?;
        let env: AttachmentEnvelope = self.get_json(url.seg(attachment_id)).await?;
        Ok(env.attachment)
    }

    /// Attaches a volume: POST `/servers/{id}/os-volume_attachments` with
    /// `{"volumeAttachment": {"volumeId": …}}` (202). Asynchronous: wait for
    /// the volume to be `in_use` with the block storage waiters.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (400 for a volume that is not
    /// `available` or not detachable, or a running server without hot-plug).
    pub async fn attach_volume(
        &self,
        server_id: &str,
        volume_id: &str,
    ) -> Result<ServerVolumeAttachment, ClientError> {
        let url = self.server_path(server_id, ATTACHMENTS)?;
        check_id("volume id", volume_id)?;
        let body = json!({ "volumeAttachment": { "volumeId": volume_id } });
        let env: AttachmentEnvelope = self
            .http()
            .request(Method::POST, url)
            .json(&body)
            .expect_status(&[202])
            .send_json()
            .await?;
        Ok(env.attachment)
    }

    /// Detaches by attachment id: DELETE
    /// `/servers/{id}/os-volume_attachments/{attachment}` (202).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn delete_volume_attachment(
        &self,
        server_id: &str,
        attachment_id: &str,
    ) -> Result<(), ClientError> {
        let url = self.server_path(server_id, ATTACHMENTS)?;
        check_id("attachment id", attachment_id)?;
        self.http()
            .request(Method::DELETE, url.seg(attachment_id))
            .expect_status(&[202])
            .send_status()
            .await
            .map(|_| ())
    }

    /// Detaches a volume by volume id (kamaki's `detach_volume`): lists the
    /// attachments, then deletes each whose `volumeId` is `volume_id`. Not
    /// atomic. Returns the attachments deleted (none when the volume was not
    /// attached).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the first server error.
    pub async fn detach_volume(
        &self,
        server_id: &str,
        volume_id: &str,
    ) -> Result<Vec<ServerVolumeAttachment>, ClientError> {
        check_id("volume id", volume_id)?;
        let mut deleted = Vec::new();
        for att in self.list_volume_attachments(server_id).await? {
            if att.volume_id.as_ref().is_some_and(|v| v == volume_id) {
                self.delete_volume_attachment(server_id, att.id.as_str())
                    .await?;
                deleted.push(att);
            }
        }
        Ok(deleted)
    }

    /// The tags of a server with their statuses: GET `/servers/{id}/tags`
    /// (200) → `{"tags": […], "statuses": […]}`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn list_tags(&self, server_id: &str) -> Result<ServerTags, ClientError> {
        self.get_json(self.server_path(server_id, "tags")?).await
    }

    /// Replaces all tags: PUT `/servers/{id}/tags` with `{"tags": […]}`
    /// (200); the new tags start `PENDADD`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or a bad tag (empty, over 60 characters, `/` or `,`);
    /// the server's error (400 over 50 tags).
    pub async fn replace_tags(
        &self,
        server_id: &str,
        tags: &[String],
    ) -> Result<ServerTags, ClientError> {
        let url = self.server_path(server_id, "tags")?;
        for t in tags {
            check_tag(t)?;
        }
        self.http()
            .request(Method::PUT, url)
            .json(&json!({ "tags": tags }))
            .expect_status(&[200])
            .send_json()
            .await
    }

    forward! { compute;
        /// Deletes all tags: DELETE `/servers/{id}/tags` (204; Synnefo answers
        /// 404 when there were none).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn delete_tags(&self, server_id: &str) -> () = delete_tags;

        /// Whether a server has a tag: GET `/servers/{id}/tags/{tag}` (204 =
        /// yes, 404 = no).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or a bad tag; any other status.
        pub async fn check_tag_exists(&self, server_id: &str, tag: &str) -> bool = check_tag_exists;
    }

    /// The status of a tag (`PENDADD` or `ACTIVE`): GET
    /// `/servers/{id}/tags/{tag}` (204), from the `tag-status` header
    /// (`None` when the server sends none).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or a bad tag; the server's error (404 for a missing tag).
    pub async fn get_tag_status(
        &self,
        server_id: &str,
        tag: &str,
    ) -> Result<Option<String>, ClientError> {
        let url = self.server_path(server_id, "tags")?;
        check_tag(tag)?;
        let headers = self
            .http()
            .request(Method::GET, url.seg(tag))
            .expect_status(&[204])
            .send_headers()
            .await?;
        Ok(headers
            .get("tag-status")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string))
    }

    forward! { compute;
        /// Adds a tag: PUT `/servers/{id}/tags/{tag}` (201; 204 when it was
        /// already there).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or a bad tag; the server's error (400 over 50 tags).
        pub async fn add_tag(&self, server_id: &str, tag: &str) -> () = add_tag;

        /// Removes a tag: DELETE `/servers/{id}/tags/{tag}` (204).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or a bad tag; the server's error (404 when absent).
        pub async fn delete_tag(&self, server_id: &str, tag: &str) -> () = delete_tag;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse() {
        assert_eq!(
            "vnc-wss".parse::<ConsoleType>().unwrap(),
            ConsoleType::VncWss
        );
        assert!("spice".parse::<ConsoleType>().is_err());
        assert_eq!(
            "protected".parse::<FirewallProfile>().unwrap(),
            FirewallProfile::Protected
        );
        assert!("OPEN".parse::<FirewallProfile>().is_err());
    }

    #[test]
    fn synnefo_members_of_a_server() {
        let s: Server = serde_json::from_value(json!({
            "id": 42, "volumes": [812, "bad", 813], "SNF:task_state": "",
            "SNF:key_names": ["laptop"], "deleted": false, "shared_to_project": true,
            "attachments": [{"id": 501, "network_id": "77", "mac_address": "aa:00:00:11:22:33",
                "firewallProfile": "DISABLED", "ipv4": "203.0.113.5", "ipv6": "",
                "OS-EXT-IPS:type": "floating", "future": 1}],
            "diagnostics": [{"level": "DEBUG", "created": "2017", "source": "image-info",
                "message": "done", "details": null}]
        }))
        .unwrap();
        assert_eq!(s.volumes().len(), 3, "strings are ids too");
        assert_eq!(s.task_state(), None);
        assert_eq!(s.key_names(), ["laptop"]);
        assert!(!s.is_deleted());
        assert_eq!(s.shared_to_project(), Some(true));
        let a = &s.attachments()[0];
        assert_eq!(
            (a.id.as_str(), a.network_id.as_ref().unwrap().as_str()),
            ("501", "77")
        );
        assert_eq!(a.ip_type.as_deref(), Some("floating"));
        assert_eq!(a.extra["future"], 1);
        let d = &s.diagnostics()[0];
        assert_eq!(
            (d.source_date.as_deref(), d.details.as_deref()),
            (None, None)
        );
        assert_eq!(s.fqdn(), None);
    }
}
