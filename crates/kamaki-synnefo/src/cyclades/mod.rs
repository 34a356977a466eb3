//! Cyclades: Synnefo's compute, network and block storage services, the
//! OpenStack APIs plus extensions (`spec/compute-cyclades.md`,
//! `spec/network.md`, `spec/blockstorage.md`).
//!
//! Each Cyclades client composes the matching OpenStack client of
//! `kamaki-openstack` (reachable through [`CycladesComputeClient::compute`],
//! [`CycladesNetworkClient::network`],
//! [`CycladesBlockStorageClient::blockstorage`]) and adds the Synnefo calls:
//! projects, reassignment, console, firewall profiles, statistics,
//! diagnostics, volume attachments, tag statuses, network types, floating
//! IPs attached through ports and snapshots. The everyday operations are
//! forwarded under kamaki's names so that scripts read as in kamaki.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_core::ClientError> {
//! use kamaki_synnefo::cyclades::{
//!     CreateNetworkOptions, CreateServer, CycladesClient, CycladesNetworkClient, FinalStatus,
//!     NetworkType,
//! };
//! use kamaki_openstack::compute::{NetworkRequest, ServerStatus};
//!
//! let network = CycladesNetworkClient::new("https://cloud.example.org/network", "token")?;
//! let net = network
//!     .create_network(NetworkType::MacFiltered, "My private network", &CreateNetworkOptions::default())
//!     .await?;
//!
//! let cyclades = CycladesClient::new("https://cloud.example.org/compute", "token")?;
//! let srv = cyclades
//!     .create_server(&CreateServer {
//!         networks: Some(vec![NetworkRequest::network(net.id.as_str())]),
//!         ..CreateServer::new("server 1", 3u64, "image-uuid")
//!     })
//!     .await?;
//! let state = cyclades.wait_server(srv.id.as_str()).await?;
//! assert_eq!(state.final_status(), ServerStatus::Active, "server 1 build failure");
//! # Ok(()) }
//! ```

/// Implements what every Cyclades client shares over the OpenStack client it
/// wraps in the field `$inner`: `From` that client, the catalog constants,
/// `new`, `with_http`, the accessor `$inner()` (documented by the caller),
/// `endpoint` and `http`. `ClientError`, `Endpoint`, `HttpClient` and
/// `Token` are named as imported where it is used.
macro_rules! wrapper_client {
    ($client:ident wraps $inner_ty:ident as $(#[$doc:meta])* $inner:ident) => {
        impl From<$inner_ty> for $client {
            fn from($inner: $inner_ty) -> Self {
                $client { $inner }
            }
        }

        impl $client {
            /// Catalog service type.
            pub const SERVICE_TYPE: &'static str = $inner_ty::SERVICE_TYPE;
            /// API version appended to unversioned endpoints.
            pub const DEFAULT_API_VERSION: &'static str = $inner_ty::DEFAULT_API_VERSION;

            /// A client for `endpoint_url` (`/v2.0` is appended when the URL has no
            /// version) authenticating with `token`.
            ///
            /// # Errors
            /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
            /// for an unusable URL; a TLS error when the CA settings are unusable.
            pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
                Ok($inner_ty::new(endpoint_url, token)?.into())
            }

            /// A client for `endpoint_url` sharing the pool (and token) of `http`.
            ///
            /// # Errors
            /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
            /// for an unusable URL.
            pub fn with_http(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
                Ok($inner_ty::with_http(endpoint_url, http)?.into())
            }

            $(#[$doc])*
            pub fn $inner(&self) -> &$inner_ty {
                &self.$inner
            }

            /// The endpoint, with its version segment.
            pub fn endpoint(&self) -> &Endpoint {
                self.$inner.endpoint()
            }

            /// The HTTP client (pool and token) this client uses.
            pub fn http(&self) -> &HttpClient {
                self.$inner.http()
            }
        }
    };
}

/// Defines methods that forward to the method of the same arguments on the
/// wrapped OpenStack client (`$inner()` is its accessor): one line a method
/// after its doc comment. `ClientError` (and `Stream` for streams) are
/// named as imported where it is used.
///
/// ```text
/// forward! { blockstorage;
///     /// Volume details …
///     pub async fn get_volume(&self, volume_id: &str) -> Volume = get_volume;
///     /// Streams volumes …
///     pub fn volumes(&self, opts: ListVolumesOptions) -> Stream<Volume> = volumes;
/// }
/// ```
macro_rules! forward {
    ($inner:ident;) => {};
    ($inner:ident;
        $(#[$doc:meta])*
        pub async fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty = $target:ident;
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub async fn $name(&self $(, $arg: $ty)*) -> Result<$ret, ClientError> {
            self.$inner().$target($($arg),*).await
        }
        forward!($inner; $($rest)*);
    };
    ($inner:ident;
        $(#[$doc:meta])*
        pub fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?)
            -> Stream<$item:ty> = $target:ident;
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub fn $name(
            &self $(, $arg: $ty)*
        ) -> impl Stream<Item = Result<$item, ClientError>> + Send + '_ {
            self.$inner().$target($($arg),*)
        }
        forward!($inner; $($rest)*);
    };
}

mod blockstorage;
mod compute;
mod network;
mod servers;
mod wait;

pub use blockstorage::{CreateVolumeOptions, CycladesBlockStorageClient, SnapshotOptions};
pub use compute::{CreateServer, CycladesClient, CycladesComputeClient, ListFlavorsOptions};
pub use network::{
    CreateFloatingIp, CreateNetworkOptions, CycladesNetworkClient, NetworkType, NETWORK_TYPES,
};
pub use servers::{
    ConsoleType, Diagnostic, FirewallProfile, ServerAttachment, ServerConsole, ServerStats,
    ServerTags, ServerVolumeAttachment, SynnefoServer,
};
pub use wait::FinalStatus;

use kamaki_core::{ClientError, Endpoint, HttpClient, Method};
use kamaki_openstack::common::check_id;
use kamaki_openstack::Extra;
use serde_json::Value;

/// `extra` with Synnefo's project members of a new resource added:
/// `project` (refused when empty, too long or holding control characters)
/// and `shared_to_project`, then the caller's `more` keys.
pub(crate) fn with_project(
    mut extra: Extra,
    project: Option<&str>,
    shared_to_project: Option<bool>,
    more: &Extra,
) -> Result<Extra, ClientError> {
    if let Some(p) = project {
        check_id("project id", p)?;
        extra.insert("project".into(), Value::from(p));
    }
    if let Some(s) = shared_to_project {
        extra.insert("shared_to_project".into(), Value::from(s));
    }
    for (k, v) in more {
        extra.insert(k.clone(), v.clone());
    }
    Ok(extra)
}

/// Moves the resource `id` of `collection` (`servers`, `networks`,
/// `floatingips`, `volumes`) to another project: POST
/// `/{collection}/{id}/action` with `{"reassign": {"project": …}}` (200).
/// `what` names the id in argument errors.
pub(crate) async fn reassign(
    http: &HttpClient,
    endpoint: &Endpoint,
    collection: &str,
    what: &str,
    id: &str,
    project: &str,
) -> Result<(), ClientError> {
    check_id(what, id)?;
    check_id("project id", project)?;
    let body = serde_json::json!({ "reassign": { "project": project } });
    http.request(
        Method::POST,
        endpoint.path().seg(collection).seg(id).seg("action"),
    )
    .json(&body)
    .expect_status(&[200])
    .send_status()
    .await
    .map(|_| ())
}
