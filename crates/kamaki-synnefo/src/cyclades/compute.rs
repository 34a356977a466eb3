//! The Cyclades compute client: construction, server creation with
//! Synnefo's fields, and the OpenStack operations forwarded under kamaki's
//! names.

use std::collections::BTreeMap;

use futures::{Stream, TryStreamExt};
use kamaki_core::{ClientError, Endpoint, HttpClient, QueryParams, Token};
use kamaki_openstack::common::check_id;
use kamaki_openstack::compute::{
    self, BlockDevice, ComputeClient, Flavor, Image, Keypair, ListImagesOptions,
    ListServersOptions, NetworkRequest, Personality, Server, ServerNics,
};
use kamaki_openstack::{Extra, ResourceId};
use serde_json::Value;

use super::with_project;

/// A client of a Cyclades compute endpoint (kamaki's `CycladesComputeClient`):
/// an OpenStack [`ComputeClient`] plus the Synnefo extensions.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone, Debug)]
pub struct CycladesComputeClient {
    compute: ComputeClient,
}

/// kamaki's older name for [`CycladesComputeClient`], still used by scripts.
pub type CycladesClient = CycladesComputeClient;

wrapper_client!(CycladesComputeClient wraps ComputeClient as
    /// The OpenStack compute client underneath, for every operation not
    /// forwarded here.
    compute
);

// ---------------------------------------------------------------------------
// Options and payloads

/// A server to create on Cyclades ([`CycladesComputeClient::create_server`]).
///
/// Only `name`, `flavor_id` and `image_id` are required
/// ([`CreateServer::new`]). `networks` follows kamaki: `None` lets the cloud
/// apply its default policy (usually a public IP), `Some(vec![])` creates a
/// server without any network connection.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateServer {
    /// The server name (`name`).
    pub name: String,
    /// The flavor (`flavorRef`), sent as given: number or string.
    pub flavor_id: ResourceId,
    /// The image or snapshot to boot from (`imageRef`).
    pub image_id: String,
    /// One keypair to install (`key_name`); not together with `key_names`.
    pub key_name: Option<String>,
    /// Several keypairs to install (`SNF:key_names`).
    pub key_names: Vec<String>,
    /// User data, base64-encoded here (`user_data`).
    pub user_data: Option<Vec<u8>>,
    /// Metadata (`metadata`). The image's `os` and `users` are added unless
    /// given here or `skip_image_metadata` is set.
    pub metadata: BTreeMap<String, String>,
    /// Files to inject (`personality`; see [`Personality::from_bytes`]).
    pub personality: Vec<Personality>,
    /// Networks (`networks`): `None` = the cloud's default, `Some(vec![])` = none.
    pub networks: Option<Vec<NetworkRequest>>,
    /// The project to charge (`project`); the user's default when `None`.
    pub project: Option<String>,
    /// Tags (`tags`).
    pub tags: Option<Vec<String>>,
    /// The administrator password (`adminPass`; at least 10 characters with
    /// upper case, lower case and digits, else Synnefo picks one). Never logged.
    pub admin_pass: Option<String>,
    /// Share the server with the members of its project (`shared_to_project`).
    pub shared_to_project: Option<bool>,
    /// Disks (`block_device_mapping_v2`).
    pub block_devices: Vec<BlockDevice>,
    /// Do not read the image first to copy its `os` and `users` metadata
    /// (kamaki always does).
    pub skip_image_metadata: bool,
    /// More keys of the `"server"` object, sent as given.
    pub extra: Extra,
}

impl Default for CreateServer {
    fn default() -> Self {
        CreateServer {
            name: String::new(),
            flavor_id: ResourceId::from(""),
            image_id: String::new(),
            key_name: None,
            key_names: Vec::new(),
            user_data: None,
            metadata: BTreeMap::new(),
            personality: Vec::new(),
            networks: None,
            project: None,
            tags: None,
            admin_pass: None,
            shared_to_project: None,
            block_devices: Vec::new(),
            skip_image_metadata: false,
            extra: Extra::new(),
        }
    }
}

/// The image metadata keys copied into a new server's metadata, as kamaki does.
const IMAGE_META_COPIED: [&str; 2] = ["os", "users"];

/// The longest personality path accepted.
const PERSONALITY_MAX_PATH: usize = 255;

impl CreateServer {
    /// A server named `name` of `flavor_id` booting `image_id`, other
    /// members unset.
    ///
    /// ```
    /// use kamaki_synnefo::cyclades::CreateServer;
    /// let s = CreateServer { networks: Some(vec![]), ..CreateServer::new("My Debian Server", 1u64, "debian-id") };
    /// assert_eq!(s.flavor_id.as_str(), "1");
    /// ```
    pub fn new(
        name: impl Into<String>,
        flavor_id: impl Into<ResourceId>,
        image_id: impl Into<String>,
    ) -> Self {
        CreateServer {
            name: name.into(),
            flavor_id: flavor_id.into(),
            image_id: image_id.into(),
            ..CreateServer::default()
        }
    }

    /// The OpenStack request this becomes, after the Synnefo checks.
    fn to_compute(&self) -> Result<compute::CreateServer, ClientError> {
        if self.key_name.is_some() && !self.key_names.is_empty() {
            return Err(ClientError::invalid_argument(
                "give either key_name or key_names, not both",
            ));
        }
        for k in &self.key_names {
            check_id("keypair name", k)?;
        }
        if let Some(k) = &self.key_name {
            check_id("keypair name", k)?;
        }
        if let Some(p) = &self.project {
            check_id("project id", p)?;
        }
        for p in &self.personality {
            if p.path.trim().is_empty() || p.path.len() > PERSONALITY_MAX_PATH {
                return Err(ClientError::invalid_argument(format!(
                    "personality path {:?} must be non-empty and at most {PERSONALITY_MAX_PATH} bytes",
                    p.path
                )));
            }
        }
        let mut extra = Extra::new();
        if !self.key_names.is_empty() {
            let mut names: Vec<&str> = Vec::new();
            for k in &self.key_names {
                if !names.contains(&k.as_str()) {
                    names.push(k);
                }
            }
            extra.insert("SNF:key_names".into(), Value::from(names));
        }
        let extra = with_project(
            extra,
            self.project.as_deref(),
            self.shared_to_project,
            &self.extra,
        )?;
        let req = compute::CreateServer {
            name: self.name.clone(),
            flavor_id: self.flavor_id.clone(),
            image_id: self.image_id.clone(),
            metadata: self.metadata.clone(),
            personality: self.personality.clone(),
            networks: self.networks.clone(),
            tags: self.tags.clone(),
            key_name: self.key_name.clone(),
            user_data: self.user_data.clone(),
            admin_pass: self.admin_pass.clone(),
            block_devices: self.block_devices.clone(),
            extra,
            ..compute::CreateServer::default()
        };
        req.to_body()?;
        Ok(req)
    }

    /// The request body (`{"server": {…}}`) as sent when the image adds no
    /// metadata, after checking the arguments.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty name, flavor or image, bad tags, both `key_name` and
    /// `key_names`, or an empty personality path.
    pub fn to_body(&self) -> Result<Value, ClientError> {
        self.to_compute()?.to_body()
    }
}

/// Flavor listing on Cyclades ([`CycladesComputeClient::list_flavors`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFlavorsOptions {
    /// Full flavor objects (`/flavors/detail`).
    pub detail: bool,
    /// Only public flavors (`SNF:is_public=true`; `false` sends nothing, as
    /// in kamaki).
    pub is_public: bool,
    /// Only flavors this project may use (`SNF:flavor-access`).
    pub project: Option<String>,
    /// Page size (`limit`; Synnefo ignores it).
    pub limit: Option<u32>,
}

impl ListFlavorsOptions {
    fn to_compute(&self) -> compute::ListFlavorsOptions {
        let mut extra_query = QueryParams::new();
        if self.is_public {
            extra_query.push("SNF:is_public", "true");
        }
        if let Some(p) = self.project.as_deref().filter(|p| !p.is_empty()) {
            extra_query.push("SNF:flavor-access", p);
        }
        compute::ListFlavorsOptions {
            detail: self.detail,
            limit: self.limit,
            extra_query,
            ..compute::ListFlavorsOptions::default()
        }
    }
}

// ---------------------------------------------------------------------------
// Operations

impl CycladesComputeClient {
    /// Creates a server (kamaki's Cyclades `create_server`). Unless
    /// `skip_image_metadata` is set, first reads the image (GET
    /// `/images/{id}`, 200) and copies its `os` and `users` metadata into
    /// the server's metadata where not given; then POST `/servers` with
    /// `{"server": {…}}` (202). The reply is the new server in `BUILD`,
    /// holding the one-time `admin_pass`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for bad input (nothing sent); the image's error (404: nothing
    /// created); the server's error (400, 403, 409, 413 `overLimit` over
    /// quota …).
    pub async fn create_server(&self, server: &CreateServer) -> Result<Server, ClientError> {
        let mut req = server.to_compute()?;
        if !server.skip_image_metadata && !server.image_id.is_empty() {
            let image = self.compute.get_image(&server.image_id).await?;
            for key in IMAGE_META_COPIED {
                if let Some(v) = image.metadata.get(key) {
                    req.metadata
                        .entry(key.to_string())
                        .or_insert_with(|| v.clone());
                }
            }
        }
        self.compute.create_server(&req).await
    }

    forward! { compute;
        /// Streams servers; see [`ComputeClient::servers`].
        ///
        /// # Errors
        /// Each failed page yields a [`ClientError`] and ends the stream.
        pub fn servers(&self, opts: ListServersOptions) -> Stream<Server> = servers;

        /// Lists servers: GET `/servers` or `/servers/detail` (200); see
        /// [`ComputeClient::list_servers`]. Synnefo honours only `changes_since`.
        ///
        /// # Errors
        /// The first [`ClientError`] of any page.
        pub async fn list_servers(&self, opts: &ListServersOptions) -> Vec<Server> = list_servers;

        /// Server details: GET `/servers/{id}` (200). Deleted servers are
        /// returned with status `DELETED` until purged, then 404.
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 `itemNotFound` …).
        pub async fn get_server(&self, server_id: &str) -> Server = get_server;

        /// kamaki's name for [`get_server`](Self::get_server).
        ///
        /// # Errors
        /// As [`get_server`](Self::get_server).
        pub async fn get_server_details(&self, server_id: &str) -> Server = get_server;

        /// The name the tutorial's Examples 1.4 and 1.5 use for
        /// [`get_server`](Self::get_server).
        ///
        /// # Errors
        /// As [`get_server`](Self::get_server).
        pub async fn get_server_info(&self, server_id: &str) -> Server = get_server;

        /// Renames a server: PUT `/servers/{id}` (204).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or name; the server's error.
        pub async fn update_server_name(
            &self,
            server_id: &str,
            new_name: &str,
        ) -> () = update_server_name;

        /// Deletes a server: DELETE `/servers/{id}` (204). Deletion is
        /// asynchronous: see [`wait_server_deleted`](Self::wait_server_deleted).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (400 when already deleted, 409
        /// while the build is being set up).
        pub async fn delete_server(&self, server_id: &str) -> () = delete_server;

        /// All metadata of a server: GET `/servers/{id}/metadata` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn get_server_metadata(
            &self,
            server_id: &str,
        ) -> BTreeMap<String, String> = get_server_metadata;
    }

    /// Merges metadata: POST `/servers/{id}/metadata` (201), returning all
    /// metadata after the update.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error (400 over the item limit).
    pub async fn update_server_metadata(
        &self,
        server_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        self.compute
            .update_server_metadata(server_id, metadata)
            .await
    }

    forward! { compute;
        /// Deletes one metadata item: DELETE `/servers/{id}/metadata/{key}` (204).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or key; the server's error.
        pub async fn delete_server_metadata(
            &self,
            server_id: &str,
            key: &str,
        ) -> () = delete_server_metadata;
    }

    /// The addresses and NICs of a server: GET `/servers/{id}/ips` (200);
    /// Synnefo adds `attachments` (in `extra`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_server_nics(&self, server_id: &str) -> Result<ServerNics, ClientError> {
        self.compute.get_server_nics(server_id, None).await
    }

    /// Streams flavors: GET `/flavors` or `/flavors/detail` (200) with
    /// Synnefo's `SNF:is_public` and `SNF:flavor-access` filters. Nothing
    /// is sent until the stream is polled.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn flavors(
        &self,
        opts: &ListFlavorsOptions,
    ) -> impl Stream<Item = Result<Flavor, ClientError>> + Send + '_ {
        self.compute.flavors(opts.to_compute())
    }

    /// Lists flavors; see [`flavors`](Self::flavors). Filtering by a
    /// project the user is not a member of gives an empty list.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty project id (nothing sent); the server's error.
    pub async fn list_flavors(
        &self,
        opts: &ListFlavorsOptions,
    ) -> Result<Vec<Flavor>, ClientError> {
        if let Some(p) = &opts.project {
            check_id("project id", p)?;
        }
        self.flavors(opts).try_collect().await
    }

    forward! { compute;
        /// Flavor details: GET `/flavors/{id}` (200). Synnefo extras
        /// (`SNF:disk_template`, `SNF:volume_type`, …) are in `extra`.
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 …).
        pub async fn get_flavor(&self, flavor_id: &str) -> Flavor = get_flavor;

        /// kamaki's name for [`get_flavor`](Self::get_flavor).
        ///
        /// # Errors
        /// As [`get_flavor`](Self::get_flavor).
        pub async fn get_flavor_details(&self, flavor_id: &str) -> Flavor = get_flavor;

        /// Lists images as the compute service sees them (snapshots included,
        /// `is_snapshot` in `extra`): GET `/images` or `/images/detail` (200).
        ///
        /// # Errors
        /// The first [`ClientError`] of any page.
        pub async fn list_images(&self, opts: &ListImagesOptions) -> Vec<Image> = list_images;

        /// Image details: GET `/images/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 …).
        pub async fn get_image(&self, image_id: &str) -> Image = get_image;

        /// kamaki's name for [`get_image`](Self::get_image).
        ///
        /// # Errors
        /// As [`get_image`](Self::get_image).
        pub async fn get_image_details(&self, image_id: &str) -> Image = get_image;

        /// Lists keypairs: GET `/os-keypairs` (200).
        ///
        /// # Errors
        /// The server's error.
        pub async fn list_keypairs(&self) -> Vec<Keypair> = list_keypairs;

        /// Creates (no `public_key`: the reply holds the generated
        /// `private_key`) or imports a keypair: POST `/os-keypairs` (201).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for a bad name; the server's error (409 for a taken name, 403 when
        /// generation is off).
        pub async fn create_key(
            &self,
            key_name: &str,
            public_key: Option<&str>,
        ) -> Keypair = create_key;

        /// Deletes a keypair: DELETE `/os-keypairs/{name}` (204).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for a bad name; the server's error.
        pub async fn delete_keypair(&self, key_name: &str) -> () = delete_keypair;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_carries_synnefo_fields() {
        let s = CreateServer {
            key_names: vec!["a".into(), "a".into(), "b".into()],
            project: Some("p9".into()),
            networks: Some(vec![]),
            shared_to_project: Some(true),
            ..CreateServer::new("web-1", 3u64, "img")
        };
        assert_eq!(
            s.to_body().unwrap(),
            json!({"server": {"name": "web-1", "flavorRef": 3, "imageRef": "img",
                "networks": [], "SNF:key_names": ["a", "b"], "project": "p9",
                "shared_to_project": true}})
        );
    }

    #[test]
    fn bad_input_is_refused() {
        let both = CreateServer {
            key_name: Some("k".into()),
            key_names: vec!["k2".into()],
            ..CreateServer::new("s", 1u64, "i")
        };
        let no_path = CreateServer {
            personality: vec![Personality::from_bytes(" ", b"x")],
            ..CreateServer::new("s", 1u64, "i")
        };
        let no_name = CreateServer::new("", 1u64, "i");
        let empty_project = CreateServer {
            project: Some(String::new()),
            ..CreateServer::new("s", 1u64, "i")
        };
        for bad in [both, no_path, no_name, empty_project] {
            let e = bad.to_body().unwrap_err();
            assert_eq!(e.kind, kamaki_core::ErrorKind::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn flavor_filters() {
        let q = ListFlavorsOptions {
            is_public: true,
            project: Some("p".into()),
            ..Default::default()
        }
        .to_compute();
        assert_eq!(q.extra_query.get("SNF:is_public"), Some("true"));
        assert_eq!(q.extra_query.get("SNF:flavor-access"), Some("p"));
        let q = ListFlavorsOptions::default().to_compute();
        assert!(q.extra_query.is_empty());
    }
}
