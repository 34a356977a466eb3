//! The Cyclades block storage client (`spec/blockstorage.md`): volumes
//! created for a server or a project, reassignment, snapshots (which are
//! Plankton images stored in Pithos), volume types and waiters.

use std::collections::BTreeMap;

use futures::Stream;
use kamaki_core::{ClientError, Endpoint, HttpClient, Token, WaitOptions, WaitOutcome};
use kamaki_openstack::blockstorage::{
    BlockStorageClient, CreateSnapshot, CreateVolume, ListSnapshotsOptions, ListVolumesOptions,
    Snapshot, UpdateSnapshot, UpdateVolume, Volume, VolumeType,
};
use kamaki_openstack::common::check_id;
use kamaki_openstack::{Extra, ResourceId};
use serde_json::Value;

use super::{reassign, with_project};

/// The optional members of a new volume ([`CycladesBlockStorageClient::create_volume`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateVolumeOptions {
    /// Attach it to this server at once (`server_id`); the type then
    /// defaults to the server flavor's.
    pub server_id: Option<String>,
    /// The description (`display_description`).
    pub display_description: Option<String>,
    /// Create from this snapshot (`snapshot_id`).
    pub snapshot_id: Option<String>,
    /// Create from this image (`imageRef`).
    pub image_ref: Option<String>,
    /// The volume type id (`volume_type`); required without `server_id`
    /// and then must be a detachable type.
    pub volume_type: Option<ResourceId>,
    /// Metadata (`metadata`; Synnefo drops it at creation, set it afterwards
    /// with [`CycladesBlockStorageClient::update_volume_metadata`]).
    pub metadata: Option<BTreeMap<String, String>>,
    /// The project to charge (`project`); the user's default when `None`.
    pub project: Option<String>,
    /// Share it with the members of its project (`shared_to_project`).
    pub shared_to_project: Option<bool>,
    /// More keys of the `"volume"` object, sent as given.
    pub extra: Extra,
}

/// The optional members of a new snapshot
/// ([`CycladesBlockStorageClient::create_snapshot_with`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotOptions {
    /// The name (`display_name`), also the name of its Pithos object in the
    /// `snapshots` container; Synnefo's default is `Snapshot of volume '<id>'`.
    pub display_name: Option<String>,
    /// The description (`display_description`).
    pub display_description: Option<String>,
    /// Metadata (`metadata`).
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A client of a Cyclades block storage endpoint (kamaki's
/// `CycladesBlockStorageClient`): an OpenStack [`BlockStorageClient`] plus
/// the Synnefo extensions.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone, Debug)]
pub struct CycladesBlockStorageClient {
    blockstorage: BlockStorageClient,
}

wrapper_client!(CycladesBlockStorageClient wraps BlockStorageClient as
    /// The OpenStack block storage client underneath, for every operation
    /// not forwarded here.
    blockstorage
);

impl CycladesBlockStorageClient {
    // -- volumes ----------------------------------------------------------

    /// Creates a volume (kamaki's Cyclades `create_volume`): POST `/volumes`
    /// with `{"volume": {"size": …, "display_name": …, …}}` (202). Synnefo
    /// answers with the brief form (id, name, links): read the details (or
    /// wait) to learn the status. With `server_id` it goes `creating` →
    /// `in_use`, without it becomes `available`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a zero size, an empty name, more than one source or an empty
    /// project (nothing sent); the server's error (400, 413 over quota …).
    pub async fn create_volume(
        &self,
        size: u64,
        display_name: &str,
        opts: &CreateVolumeOptions,
    ) -> Result<Volume, ClientError> {
        check_id("volume name", display_name)?;
        let mut extra = Extra::new();
        if let Some(s) = &opts.server_id {
            check_id("server id", s)?;
            extra.insert("server_id".into(), Value::from(s.clone()));
        }
        let extra = with_project(
            extra,
            opts.project.as_deref(),
            opts.shared_to_project,
            &opts.extra,
        )?;
        let req = CreateVolume {
            size,
            display_name: Some(display_name.to_string()),
            display_description: opts.display_description.clone(),
            volume_type: opts.volume_type.clone(),
            snapshot_id: opts.snapshot_id.clone(),
            image_ref: opts.image_ref.clone(),
            metadata: opts.metadata.clone(),
            extra,
            ..CreateVolume::default()
        };
        self.blockstorage.create_volume(&req).await
    }

    forward! { blockstorage;
        /// Streams volumes; see [`BlockStorageClient::volumes`].
        ///
        /// # Errors
        /// Each failed page yields a [`ClientError`] and ends the stream.
        pub fn volumes(&self, opts: ListVolumesOptions) -> Stream<Volume> = volumes;

        /// Lists volumes: GET `/volumes` or `/volumes/detail` (200).
        ///
        /// # Errors
        /// The first [`ClientError`] of any page.
        pub async fn list_volumes(&self, opts: &ListVolumesOptions) -> Vec<Volume> = list_volumes;

        /// Volume details: GET `/volumes/{id}` (200); deleted volumes are
        /// returned (status `deleted`) until purged.
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 …).
        pub async fn get_volume(&self, volume_id: &str) -> Volume = get_volume;

        /// kamaki's name for [`get_volume`](Self::get_volume).
        ///
        /// # Errors
        /// As [`get_volume`](Self::get_volume).
        pub async fn get_volume_details(&self, volume_id: &str) -> Volume = get_volume;

        /// Updates a volume: PUT `/volumes/{id}` (200); with nothing to change
        /// no PUT is sent and the details are returned, as in kamaki.
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or name; the server's error.
        pub async fn update_volume(
            &self,
            volume_id: &str,
            update: &UpdateVolume,
        ) -> Volume = update_volume;

        /// Deletes a volume: DELETE `/volumes/{id}` (202); `deleting` → `deleted`.
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (400 for a server's root volume).
        pub async fn delete_volume(&self, volume_id: &str) -> () = delete_volume;
    }

    /// Moves a volume to another project: POST `/volumes/{id}/action` with
    /// `{"reassign": {"project": …}}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or project; the server's error (403 unless the owner).
    pub async fn reassign_volume(&self, volume_id: &str, project: &str) -> Result<(), ClientError> {
        reassign(
            self.http(),
            self.endpoint(),
            "volumes",
            "volume id",
            volume_id,
            project,
        )
        .await
    }

    forward! { blockstorage;
        /// The metadata of a volume: GET `/volumes/{id}/metadata` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn get_volume_metadata(
            &self,
            volume_id: &str,
        ) -> BTreeMap<String, String> = get_volume_metadata;
    }

    /// Merges volume metadata: POST `/volumes/{id}/metadata` (200),
    /// returning all metadata.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error (400 over the item limit).
    pub async fn update_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        self.blockstorage
            .update_volume_metadata(volume_id, metadata)
            .await
    }

    forward! { blockstorage;
        /// Waits until the volume's status is `target_status` (kamaki's default
        /// target is `in_use`).
        ///
        /// # Errors
        /// The first poll error (404 included); a timeout is
        /// [`WaitOutcome::TimedOut`] with the last volume seen.
        pub async fn wait_volume_until(
            &self,
            volume_id: &str,
            target_status: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Volume> = wait_volume_until;

        /// Waits while the volume's status is `current_status` (kamaki's
        /// default is `creating`).
        ///
        /// # Errors
        /// As [`wait_volume_until`](Self::wait_volume_until).
        pub async fn wait_volume_while(
            &self,
            volume_id: &str,
            current_status: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Volume> = wait_volume_while;

        /// kamaki's `wait_volume(id)`: waits while the volume is `creating`.
        ///
        /// # Errors
        /// As [`wait_volume_until`](Self::wait_volume_until).
        pub async fn wait_volume(&self, volume_id: &str) -> WaitOutcome<Volume> = wait_volume;

        /// Waits for a deleted volume to go: reached once its status is
        /// `deleted` or it answers 404 (`None`).
        ///
        /// # Errors
        /// Poll errors other than 404.
        pub async fn wait_volume_deleted(
            &self,
            volume_id: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Option<Volume>> = wait_volume_deleted;
    }

    // -- snapshots --------------------------------------------------------

    /// Snapshots a volume (kamaki's Cyclades `create_snapshot`): POST
    /// `/snapshots` with `{"snapshot": {"volume_id": …, "display_name": …}}`
    /// (202); `force` is never sent. An empty `display_name` is left out
    /// (Synnefo names it `Snapshot of volume '<id>'`). The snapshot starts
    /// `CREATING`; its id is also its image id in Plankton.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty volume id (nothing sent); the server's error (400 for a
    /// detached volume, 413 over quota, 501 when snapshots are disabled).
    pub async fn create_snapshot(
        &self,
        volume_id: &str,
        display_name: &str,
    ) -> Result<Snapshot, ClientError> {
        let opts = SnapshotOptions {
            display_name: Some(display_name.to_string()).filter(|n| !n.is_empty()),
            ..SnapshotOptions::default()
        };
        self.create_snapshot_with(volume_id, &opts).await
    }

    /// Snapshots a volume with a description or metadata; see
    /// [`create_snapshot`](Self::create_snapshot).
    ///
    /// # Errors
    /// As [`create_snapshot`](Self::create_snapshot).
    pub async fn create_snapshot_with(
        &self,
        volume_id: &str,
        opts: &SnapshotOptions,
    ) -> Result<Snapshot, ClientError> {
        check_id("volume id", volume_id)?;
        let req = CreateSnapshot {
            volume_id: volume_id.to_string(),
            force: None,
            display_name: opts.display_name.clone(),
            display_description: opts.display_description.clone(),
            metadata: opts.metadata.clone(),
            extra: Extra::new(),
        };
        self.blockstorage.create_snapshot(&req).await
    }

    forward! { blockstorage;
        /// Lists snapshots: GET `/snapshots` or `/snapshots/detail` (200).
        ///
        /// # Errors
        /// The first [`ClientError`] of any page.
        pub async fn list_snapshots(
            &self,
            opts: &ListSnapshotsOptions,
        ) -> Vec<Snapshot> = list_snapshots;

        /// Snapshot details: GET `/snapshots/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 …).
        pub async fn get_snapshot(&self, snapshot_id: &str) -> Snapshot = get_snapshot;

        /// kamaki's name for [`get_snapshot`](Self::get_snapshot).
        ///
        /// # Errors
        /// As [`get_snapshot`](Self::get_snapshot).
        pub async fn get_snapshot_details(&self, snapshot_id: &str) -> Snapshot = get_snapshot;

        /// Renames or re-describes a snapshot: PUT `/snapshots/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn update_snapshot(
            &self,
            snapshot_id: &str,
            update: &UpdateSnapshot,
        ) -> Snapshot = update_snapshot;

        /// Deletes a snapshot and its Pithos object: DELETE `/snapshots/{id}` (202).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn delete_snapshot(&self, snapshot_id: &str) -> () = delete_snapshot;

        /// Waits until the snapshot's status is `target_status` (usually
        /// `"AVAILABLE"`), stopping early as failed on `ERROR`.
        ///
        /// # Errors
        /// The first poll error (404 included); a timeout is
        /// [`WaitOutcome::TimedOut`] with the last snapshot seen.
        pub async fn wait_snapshot_until(
            &self,
            snapshot_id: &str,
            target_status: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Snapshot> = wait_snapshot_until;
    }

    // -- types ------------------------------------------------------------

    forward! { blockstorage;
        /// Lists volume types: GET `/types` (200); Synnefo's
        /// `SNF:disk_template` and `SNF:detachable` are in `extra`.
        ///
        /// # Errors
        /// The server's error.
        pub async fn list_volume_types(&self) -> Vec<VolumeType> = list_volume_types;

        /// Volume type details: GET `/types/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn get_volume_type_details(&self, type_id: &str) -> VolumeType = get_volume_type;
    }
}
