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

crate::client::service_client!(BlockStorageClient, "volume", "2.0");
