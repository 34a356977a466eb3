//! The OpenStack Block Storage v2 client: volumes, snapshots, volume types,
//! their metadata, and waiting for a volume to change state.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_openstack::ClientError> {
//! use kamaki_core::WaitOptions;
//! use kamaki_openstack::blockstorage::{BlockStorageClient, CreateVolume};
//!
//! let bs = BlockStorageClient::new("https://cloud.example.org/volume", "my-token")?;
//! let vol = bs
//!     .create_volume(&CreateVolume {
//!         size: 20,
//!         display_name: Some("data-disk".into()),
//!         volume_type: Some(1u64.into()),
//!         ..Default::default()
//!     })
//!     .await?;
//! let outcome = bs.wait_volume_while(vol.id.as_str(), "creating", &WaitOptions::default()).await?;
//! println!("{:?}", outcome.last().map(|v| v.status.as_str()));
//! # Ok(()) }
//! ```

use kamaki_core::{ClientError, Endpoint, HttpClient, Token, UrlPath};

mod snapshots;
mod types;
mod volumes;

pub use crate::compute::Link;
pub use snapshots::{
    CreateSnapshot, ListSnapshotsOptions, Snapshot, SnapshotStatus, UpdateSnapshot,
};
pub use types::VolumeType;
pub use volumes::{
    CreateVolume, ListVolumesOptions, UpdateVolume, Volume, VolumeAttachment, VolumeStatus,
};

/// A client of an OpenStack Block Storage v2 endpoint (kamaki's `BlockStorageClient`).
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone, Debug)]
pub struct BlockStorageClient {
    http: HttpClient,
    endpoint: Endpoint,
}

impl BlockStorageClient {
    /// Catalog service type.
    pub const SERVICE_TYPE: &'static str = "volume";
    /// API version appended to unversioned endpoints.
    pub const DEFAULT_API_VERSION: &'static str = "2.0";

    /// A client for `endpoint_url` (`/v2.0` is appended when the URL has no
    /// version) authenticating with `token`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an unusable URL; a TLS error when the CA settings are unusable.
    pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
        let http = HttpClient::new(Some(token.into()))?;
        Self::with_http(endpoint_url, http)
    }

    /// A client for `endpoint_url` sharing the pool (and token) of `http`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an unusable URL.
    pub fn with_http(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        let endpoint = Endpoint::new(endpoint_url, Some(Self::DEFAULT_API_VERSION))?;
        Ok(BlockStorageClient { http, endpoint })
    }

    /// The endpoint, with its version segment.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP client (pool and token) this client uses.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    fn url(&self) -> UrlPath {
        self.endpoint.path()
    }
}
