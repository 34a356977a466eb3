//! Servers: listing, details, creation, renaming, deletion, metadata, tags
//! and addresses.

use std::collections::BTreeMap;

use futures::{Stream, TryStreamExt};
use kamaki_core::{ClientError, Method, QueryParams, UrlPath};
use serde::{Deserialize, Serialize};

use super::util::{self, check_id, de_null_default, de_string_map, push_text};
use super::{de_opt_ref, ComputeClient, Link, ResourceRef};
use crate::common::{Extra, ResourceId};
use crate::rest::{send_one, wrap, Collection, Listing, Member, Object};

// ---------------------------------------------------------------------------
// URLs

fn collection(c: &ComputeClient) -> Collection<'_, Server> {
    Collection::new(&c.http, c.url().seg("servers"), "server id")
}

/// The server `id` (`/servers/{id}`), its id checked.
pub(super) fn server<'a>(
    c: &'a ComputeClient,
    id: &str,
) -> Result<Member<'a, Server>, ClientError> {
    collection(c).member(id)
}

fn tags_url(c: &ComputeClient, id: &str) -> Result<UrlPath, ClientError> {
    Ok(server(c, id)?.url().seg("tags"))
}

fn ips_url(c: &ComputeClient, id: &str) -> Result<UrlPath, ClientError> {
    Ok(server(c, id)?.url().seg("ips"))
}

// ---------------------------------------------------------------------------
// Options and payloads

/// Filters and paging of [`ComputeClient::servers`] / [`ComputeClient::list_servers`].
///
/// Empty strings are not sent (kamaki sends only truthy filters). Synnefo
/// honours only `changes_since`; other filters are ignored there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListServersOptions {
    /// List full server objects (`/servers/detail`) instead of id, name and links.
    pub detail: bool,
    /// Only servers changed since this ISO-8601 time (`changes-since`);
    /// deleted servers are then listed too.
    pub changes_since: Option<String>,
    /// Only servers of this image (`image`).
    pub image: Option<String>,
    /// Only servers of this flavor (`flavor`).
    pub flavor: Option<String>,
    /// Only servers of this name (`name`).
    pub name: Option<String>,
    /// Only servers in this status (`status`).
    pub status: Option<String>,
    /// Only servers on this host (`host`).
    pub host: Option<String>,
    /// Page size (`limit`); without it one request returns the listing.
    pub limit: Option<u32>,
    /// Start after this server id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given (for extensions).
    pub extra_query: QueryParams,
}

/// A file to put into a new server (`personality`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Personality {
    /// Absolute path of the file in the server.
    pub path: String,
    /// The contents, base64-encoded (see [`Personality::from_bytes`]).
    pub contents: String,
    /// The owner, when the server supports it (Synnefo does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The group, when the server supports it (Synnefo does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The permission bits, e.g. `0o644` (Synnefo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

impl Personality {
    /// A file at `path` holding `data` (base64-encoded here).
    ///
    /// ```
    /// use kamaki_openstack::compute::Personality;
    /// let p = Personality::from_bytes("/etc/motd", b"Hello\n");
    /// assert_eq!(p.contents, "SGVsbG8K");
    /// ```
    pub fn from_bytes(path: impl Into<String>, data: &[u8]) -> Self {
        Personality {
            path: path.into(),
            contents: util::base64_encode(data),
            ..Personality::default()
        }
    }
}

/// A network to connect a new server to (one item of `networks`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct NetworkRequest {
    /// The network id (`uuid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// A fixed address on that network (`fixed_ip`; on Synnefo a floating IP
    /// the user reserved on it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ip: Option<String>,
    /// An existing port to use (`port`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// More keys, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl NetworkRequest {
    /// Connect to network `uuid`.
    pub fn network(uuid: impl Into<String>) -> Self {
        NetworkRequest {
            uuid: Some(uuid.into()),
            ..Self::default()
        }
    }

    /// Connect to network `uuid` with address `ip`.
    pub fn network_with_ip(uuid: impl Into<String>, ip: impl Into<String>) -> Self {
        NetworkRequest {
            uuid: Some(uuid.into()),
            fixed_ip: Some(ip.into()),
            ..Self::default()
        }
    }

    /// Use the existing port `port_id`.
    pub fn port(port_id: impl Into<String>) -> Self {
        NetworkRequest {
            port: Some(port_id.into()),
            ..Self::default()
        }
    }
}

/// A disk of a new server (one item of `block_device_mapping_v2`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct BlockDevice {
    /// `image`, `volume`, `snapshot` or `blank`.
    pub source_type: String,
    /// `volume` or `local`, when the server wants it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_type: Option<String>,
    /// The source id (not for `blank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Size in GiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<u64>,
    /// Boot order (0 = the boot disk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_index: Option<i32>,
    /// Delete the volume with the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
    /// More keys, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A server to create ([`ComputeClient::create_server`]).
///
/// Only `name`, `flavor_id` and `image_id` are required. Other members are
/// sent only when set (`networks` and `tags` when `Some`, so `Some(vec![])`
/// asks for a server without any network). `extra` keys are merged into the
/// `"server"` object last, for extensions (Synnefo's `project`,
/// `SNF:key_names`).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateServer {
    /// The server name.
    pub name: String,
    /// The flavor (`flavorRef`), sent as given: number or string.
    pub flavor_id: ResourceId,
    /// The image (`imageRef`); may be empty only when booting from `block_devices`.
    pub image_id: String,
    /// Metadata (`metadata`).
    pub metadata: BTreeMap<String, String>,
    /// Files to inject (`personality`).
    pub personality: Vec<Personality>,
    /// Networks (`networks`): `None` = the deployment's default, `Some(vec![])` = none.
    pub networks: Option<Vec<NetworkRequest>>,
    /// Tags (`tags`).
    pub tags: Option<Vec<String>>,
    /// A keypair name (`key_name`).
    pub key_name: Option<String>,
    /// User data, base64-encoded here (`user_data`).
    pub user_data: Option<Vec<u8>>,
    /// Security group names (`security_groups`).
    pub security_groups: Vec<String>,
    /// Availability zone (`availability_zone`).
    pub availability_zone: Option<String>,
    /// The administrator password (`adminPass`); never logged.
    pub admin_pass: Option<String>,
    /// Disks (`block_device_mapping_v2`).
    pub block_devices: Vec<BlockDevice>,
    /// More keys of the `"server"` object, sent as given.
    pub extra: Extra,
}

impl Default for CreateServer {
    fn default() -> Self {
        CreateServer {
            name: String::new(),
            flavor_id: ResourceId::from(""),
            image_id: String::new(),
            metadata: BTreeMap::new(),
            personality: Vec::new(),
            networks: None,
            tags: None,
            key_name: None,
            user_data: None,
            security_groups: Vec::new(),
            availability_zone: None,
            admin_pass: None,
            block_devices: Vec::new(),
            extra: Extra::new(),
        }
    }
}

/// The longest tag accepted (Synnefo and Nova agree on 60).
const MAX_TAG_LEN: usize = 60;

/// Refuses a server tag that is empty, over 60 characters, or holding `/`,
/// `,` or control characters, before any request is sent (the tag calls
/// here check with it; Cyclades' tag calls too).
///
/// ```
/// use kamaki_openstack::compute::check_tag;
///
/// assert!(check_tag("web").is_ok());
/// assert!(check_tag("").is_err());
/// assert!(check_tag(&"x".repeat(61)).is_err());
/// let e = check_tag("a/b").unwrap_err();
/// assert_eq!(e.message, "tag \"a/b\" must not hold '/', ',' or control characters");
/// ```
///
/// # Errors
/// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
/// saying what is wrong with `tag`.
pub fn check_tag(tag: &str) -> Result<(), ClientError> {
    if tag.is_empty() {
        return Err(ClientError::invalid_argument("a tag must not be empty"));
    }
    if tag.chars().count() > MAX_TAG_LEN {
        return Err(ClientError::invalid_argument(format!(
            "tag {tag:?} is longer than {MAX_TAG_LEN} characters"
        )));
    }
    if tag.contains(['/', ',']) || tag.chars().any(char::is_control) {
        return Err(ClientError::invalid_argument(format!(
            "tag {tag:?} must not hold '/', ',' or control characters"
        )));
    }
    Ok(())
}

impl CreateServer {
    /// The request body (`{"server": {…}}`), after checking the arguments.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty name, flavor or image (unless booting from a volume),
    /// bad tags or empty metadata keys.
    pub fn to_body(&self) -> Result<serde_json::Value, ClientError> {
        use serde_json::{json, Value};
        check_id("server name", &self.name)?;
        check_id("flavor id", self.flavor_id.as_str())?;
        if self.image_id.is_empty() && self.block_devices.is_empty() {
            return Err(ClientError::invalid_argument(
                "image id must not be empty (unless booting from block devices)",
            ));
        }
        if !self.image_id.is_empty() {
            check_id("image id", &self.image_id)?;
        }
        for k in self.metadata.keys() {
            check_id("metadata key", k)?;
        }
        for t in self.tags.iter().flatten() {
            check_tag(t)?;
        }
        let groups: Vec<Value> = self
            .security_groups
            .iter()
            .map(|g| json!({ "name": g }))
            .collect();
        let s = Object::new()
            .set("name", self.name.as_str())
            .json("flavorRef", Some(&self.flavor_id))?
            .opt(
                "imageRef",
                Some(self.image_id.as_str()).filter(|i| !i.is_empty()),
            )
            .json("metadata", Some(&self.metadata).filter(|m| !m.is_empty()))?
            .list("personality", &self.personality)?
            .json("networks", self.networks.as_ref())?
            .json("tags", self.tags.as_ref())?
            .opt("key_name", self.key_name.as_deref())
            .opt(
                "user_data",
                self.user_data.as_deref().map(util::base64_encode),
            )
            .list("security_groups", &groups)?
            .opt("availability_zone", self.availability_zone.as_deref())
            .opt("adminPass", self.admin_pass.as_deref())
            .list("block_device_mapping_v2", &self.block_devices)?
            .extra(&self.extra);
        Ok(wrap("server", s.into_map()))
    }
}

// ---------------------------------------------------------------------------
// Results

crate::string_enum! {
    /// A server status. Synnefo uses `STOPPED` where OpenStack says `SHUTOFF`.
    pub enum ServerStatus {
        /// Being built.
        Build = "BUILD",
        /// Running.
        Active = "ACTIVE",
        /// Shut down (Synnefo).
        Stopped = "STOPPED",
        /// Shut down (OpenStack).
        Shutoff = "SHUTOFF",
        /// Rebooting.
        Reboot = "REBOOT",
        /// Hard rebooting.
        HardReboot = "HARD_REBOOT",
        /// Being resized.
        Resize = "RESIZE",
        /// Resized, waiting for confirmation.
        VerifyResize = "VERIFY_RESIZE",
        /// In rescue mode.
        Rescue = "RESCUE",
        /// Paused.
        Paused = "PAUSED",
        /// Suspended.
        Suspended = "SUSPENDED",
        /// Failed.
        Error = "ERROR",
        /// Destroyed (visible until purged).
        Deleted = "DELETED",
    }
}

/// One address of a server on a network.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Address {
    /// 4 or 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u8>,
    /// The address.
    #[serde(default)]
    pub addr: String,
    /// `fixed` or `floating` (`OS-EXT-IPS:type`).
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

/// A server. Brief listings fill only `id`, `name` and `links`.
///
/// Synnefo-specific members (`attachments`, `volumes`, `SNF:fqdn`,
/// `SNF:task_state`, `diagnostics`, …) are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Server {
    /// The id (an integer on Synnefo, a UUID on OpenStack).
    pub id: ResourceId,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The status.
    #[serde(default)]
    pub status: ServerStatus,
    /// Links to the server.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// The owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Build progress, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u32>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The host id (`hostId`).
    #[serde(rename = "hostId", default, skip_serializing_if = "Option::is_none")]
    pub host_id: Option<String>,
    /// The flavor.
    #[serde(
        default,
        deserialize_with = "de_opt_ref",
        skip_serializing_if = "Option::is_none"
    )]
    pub flavor: Option<ResourceRef>,
    /// The image (`None` when booted from a volume).
    #[serde(
        default,
        deserialize_with = "de_opt_ref",
        skip_serializing_if = "Option::is_none"
    )]
    pub image: Option<ResourceRef>,
    /// Metadata.
    #[serde(
        default,
        deserialize_with = "de_string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub metadata: BTreeMap<String, String>,
    /// Addresses by network id (Synnefo) or label (OpenStack).
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub addresses: BTreeMap<String, Vec<Address>>,
    /// Tags (only ACTIVE ones on Synnefo).
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// The keypair name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// The administrator password; given only in the creation reply.
    #[serde(rename = "adminPass", default, skip_serializing_if = "Option::is_none")]
    pub admin_pass: Option<String>,
    /// `accessIPv4`.
    #[serde(
        rename = "accessIPv4",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_ipv4: Option<String>,
    /// `accessIPv6`.
    #[serde(
        rename = "accessIPv6",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_ipv6: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The addresses of a server ([`ComputeClient::get_server_nics`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerNics {
    /// Addresses by network.
    #[serde(default, deserialize_with = "de_null_default")]
    pub addresses: BTreeMap<String, Vec<Address>>,
    /// Other members (Synnefo adds `attachments`).
    #[serde(flatten)]
    pub extra: Extra,
}

crate::rest::json_resource!(
    Server,
    ServerEnvelope { server },
    ServersEnvelope { servers }
);

#[derive(Deserialize)]
struct TagsEnvelope {
    #[serde(deserialize_with = "de_null_default")]
    tags: Vec<String>,
}

// ---------------------------------------------------------------------------
// Operations

impl ComputeClient {
    /// Streams servers: GET `/servers` or `/servers/detail` (200, 203; a
    /// 304 for `changes-since` is an empty listing), page by page when
    /// `limit` is set (`marker` = last id of a full page). Nothing is sent
    /// until the stream is polled.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn servers(
        &self,
        opts: ListServersOptions,
    ) -> impl Stream<Item = Result<Server, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query)
            .detail(opts.detail)
            .text("changes-since", opts.changes_since.as_deref())
            .text("image", opts.image.as_deref())
            .text("flavor", opts.flavor.as_deref())
            .text("name", opts.name.as_deref())
            .text("status", opts.status.as_deref())
            .text("host", opts.host.as_deref());
        collection(self).stream(listing, &[200, 203, 304])
    }

    /// Lists servers (kamaki's `list_servers`); see [`servers`](Self::servers).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_servers(
        &self,
        opts: &ListServersOptions,
    ) -> Result<Vec<Server>, ClientError> {
        self.servers(opts.clone()).try_collect().await
    }

    /// Server details: GET `/servers/{id}` (200, 203). Synnefo still returns
    /// deleted servers (status `DELETED`) until they are purged, then 404.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id (nothing sent); the server's error (404 …).
    pub async fn get_server(&self, server_id: &str) -> Result<Server, ClientError> {
        collection(self).get(server_id, &[200, 203]).await
    }

    /// kamaki's name for [`get_server`](Self::get_server).
    ///
    /// # Errors
    /// As [`get_server`](Self::get_server).
    pub async fn get_server_details(&self, server_id: &str) -> Result<Server, ClientError> {
        self.get_server(server_id).await
    }

    /// Creates a server: POST `/servers` with [`CreateServer::to_body`]
    /// (202). The reply holds the one-time `admin_pass`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for bad input (nothing sent); the server's error (400, 403, 413 …).
    pub async fn create_server(&self, server: &CreateServer) -> Result<Server, ClientError> {
        let body = server.to_body()?;
        let mut req = collection(self)
            .request(Method::POST)
            .json(&body)
            .expect_status(&[202]);
        if let Some(p) = &server.admin_pass {
            req = req.secret(p);
        }
        send_one(req).await
    }

    /// Renames a server: PUT `/servers/{id}` with `{"server": {"name": …}}`
    /// (204; 200 from OpenStack).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name; the server's error.
    pub async fn update_server_name(
        &self,
        server_id: &str,
        new_name: &str,
    ) -> Result<(), ClientError> {
        let server = server(self, server_id)?;
        check_id("server name", new_name)?;
        let body = serde_json::json!({ "server": { "name": new_name } });
        let resp = server
            .request(Method::PUT)
            .json(&body)
            .expect_status(&[200, 204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Deletes a server: DELETE `/servers/{id}` (204). Deletion is
    /// asynchronous; see [`wait_server_deleted`](Self::wait_server_deleted).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (400 when already deleted, 409 …).
    pub async fn delete_server(&self, server_id: &str) -> Result<(), ClientError> {
        collection(self).delete(server_id, &[204]).await
    }

    /// All metadata of a server: GET `/servers/{id}/metadata` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_server_metadata(
        &self,
        server_id: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        server(self, server_id)?.metadata().get().await
    }

    /// One metadata item: GET `/servers/{id}/metadata/{key}` (200), as
    /// `{key: value}` (kamaki's `get_server_metadata(id, key)`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error (404 for an unknown key).
    pub async fn get_server_metadata_item(
        &self,
        server_id: &str,
        key: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        server(self, server_id)?.metadata().get_item(key).await
    }

    /// Sets one metadata item: PUT `/servers/{id}/metadata/{key}` with
    /// `{"meta": {key: value}}` (201; 200 from OpenStack). Returns `{key: value}`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn create_server_metadata(
        &self,
        server_id: &str,
        key: &str,
        value: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        server(self, server_id)?
            .metadata()
            .set_item(key, value)
            .await
    }

    /// Merges metadata: POST `/servers/{id}/metadata` with `{"metadata": {…}}`
    /// (201; 200 from OpenStack). Returns all metadata after the update.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error (400 over the item limit).
    pub async fn update_server_metadata(
        &self,
        server_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        server(self, server_id)?
            .metadata()
            .send(Method::POST, metadata, &[200, 201])
            .await
    }

    /// Deletes one metadata item: DELETE `/servers/{id}/metadata/{key}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn delete_server_metadata(
        &self,
        server_id: &str,
        key: &str,
    ) -> Result<(), ClientError> {
        server(self, server_id)?
            .metadata()
            .delete_item(key, &[204])
            .await
    }

    /// The tags of a server: GET `/servers/{id}/tags` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn list_tags(&self, server_id: &str) -> Result<Vec<String>, ClientError> {
        let url = tags_url(self, server_id)?;
        let env: TagsEnvelope = self
            .http
            .request(Method::GET, url)
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.tags)
    }

    /// Replaces all tags: PUT `/servers/{id}/tags` with `{"tags": […]}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or a bad tag (empty, over 60 characters, `/` or `,`).
    pub async fn replace_tags(
        &self,
        server_id: &str,
        tags: &[String],
    ) -> Result<Vec<String>, ClientError> {
        let url = tags_url(self, server_id)?;
        for t in tags {
            check_tag(t)?;
        }
        let env: TagsEnvelope = self
            .http
            .request(Method::PUT, url)
            .json(&serde_json::json!({ "tags": tags }))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.tags)
    }

    /// Deletes all tags: DELETE `/servers/{id}/tags` (204). Synnefo answers
    /// 404 when the server has no tags.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn delete_tags(&self, server_id: &str) -> Result<(), ClientError> {
        let url = tags_url(self, server_id)?;
        let resp = self
            .http
            .request(Method::DELETE, url)
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Whether a server has a tag: GET `/servers/{id}/tags/{tag}` (204 =
    /// yes, 404 = no).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or a bad tag; any other status.
    pub async fn check_tag_exists(&self, server_id: &str, tag: &str) -> Result<bool, ClientError> {
        let url = tags_url(self, server_id)?;
        check_tag(tag)?;
        let status = self
            .http
            .request(Method::GET, url.seg(tag))
            .expect_status(&[204, 404])
            .send_status()
            .await?;
        Ok(status == 204)
    }

    /// Adds a tag: PUT `/servers/{id}/tags/{tag}` (201; 204 when the tag
    /// was already there).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or a bad tag; the server's error (400 over 50 tags).
    pub async fn add_tag(&self, server_id: &str, tag: &str) -> Result<(), ClientError> {
        let url = tags_url(self, server_id)?;
        check_tag(tag)?;
        let resp = self
            .http
            .request(Method::PUT, url.seg(tag))
            .body(kamaki_core::Body::empty())
            .expect_status(&[201, 204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Removes a tag: DELETE `/servers/{id}/tags/{tag}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or a bad tag; the server's error (404 when absent).
    pub async fn delete_tag(&self, server_id: &str, tag: &str) -> Result<(), ClientError> {
        let url = tags_url(self, server_id)?;
        check_tag(tag)?;
        let resp = self
            .http
            .request(Method::DELETE, url.seg(tag))
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// The addresses of a server: GET `/servers/{id}/ips` (200, 203; a 304
    /// for `changes_since` gives empty addresses).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_server_nics(
        &self,
        server_id: &str,
        changes_since: Option<&str>,
    ) -> Result<ServerNics, ClientError> {
        let url = ips_url(self, server_id)?;
        let mut q = QueryParams::new();
        push_text(&mut q, "changes-since", changes_since);
        let resp = self
            .http
            .request(Method::GET, url)
            .query(&q)
            .expect_status(&[200, 203, 304])
            .send()
            .await?;
        if resp.status() == 304 {
            util::drain(resp).await?;
            return Ok(ServerNics::default());
        }
        resp.json().await
    }

    /// The addresses of a server on one network: GET
    /// `/servers/{id}/ips/{network}` (200, 203; 304 gives an empty map).
    /// Accepts Synnefo's `{"network": {…}}` and OpenStack's `{"<net>": […]}`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_server_network_nics(
        &self,
        server_id: &str,
        network_id: &str,
        changes_since: Option<&str>,
    ) -> Result<BTreeMap<String, Vec<Address>>, ClientError> {
        let url = ips_url(self, server_id)?;
        check_id("network id", network_id)?;
        let mut q = QueryParams::new();
        push_text(&mut q, "changes-since", changes_since);
        let resp = self
            .http
            .request(Method::GET, url.seg(network_id))
            .query(&q)
            .expect_status(&[200, 203, 304])
            .send()
            .await?;
        let status = resp.status();
        if status == 304 {
            util::drain(resp).await?;
            return Ok(BTreeMap::new());
        }
        let mut v: serde_json::Map<String, serde_json::Value> = resp.json().await?;
        let inner = match v.remove("network") {
            Some(serde_json::Value::Object(m)) => m,
            Some(other) => {
                return Err(ClientError::decode(
                    status,
                    format!("\"network\" is not an object: {other}"),
                ))
            }
            None => v,
        };
        serde_json::from_value(serde_json::Value::Object(inner))
            .map_err(|e| ClientError::decode(status, e))
    }
}
