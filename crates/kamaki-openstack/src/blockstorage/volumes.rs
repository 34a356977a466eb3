//! Volumes: listing, details, creation, update, deletion, metadata, waiters.

use std::collections::BTreeMap;

use futures::{Stream, TryStreamExt};
use kamaki_core::{
    wait_for, ClientError, Method, QueryParams, WaitCheck, WaitOptions, WaitOutcome,
};
use serde::{Deserialize, Serialize};

use super::{BlockStorageClient, Link};
use crate::common::{Extra, ResourceId};
use crate::compute::util::{check_id, de_null_default, de_string_map};
use crate::rest::{send_one, wrap, Collection, Listing, Object};
use crate::waiters::{self, Status};

fn collection(c: &BlockStorageClient) -> Collection<'_, Volume> {
    Collection::new(&c.http, c.url().seg("volumes"), "volume id")
}

/// Filters and paging of [`BlockStorageClient::volumes`] / [`BlockStorageClient::list_volumes`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListVolumesOptions {
    /// Full volume objects (`/volumes/detail`).
    pub detail: bool,
    /// Only volumes changed since (`changes-since`, Synnefo; deleted ones
    /// are then listed too).
    pub changes_since: Option<String>,
    /// Page size (`limit`; Synnefo ignores it).
    pub limit: Option<u32>,
    /// Start after this volume id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given.
    pub extra_query: QueryParams,
}

/// A volume to create ([`BlockStorageClient::create_volume`]).
///
/// Only `size` is required by the API (Synnefo also wants `display_name`,
/// and `volume_type` unless `server_id` is given through `extra`). Members
/// are sent only when set; `extra` keys are merged into the `"volume"`
/// object last (Synnefo's `server_id`, `project`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateVolume {
    /// Size in GiB, at least 1.
    pub size: u64,
    /// The name (`display_name`).
    pub display_name: Option<String>,
    /// The description (`display_description`).
    pub display_description: Option<String>,
    /// The volume type (`volume_type`): a number on Synnefo, a name on Cinder.
    pub volume_type: Option<ResourceId>,
    /// Create from this snapshot (`snapshot_id`).
    pub snapshot_id: Option<String>,
    /// Create from this image (`imageRef`).
    pub image_ref: Option<String>,
    /// Clone this volume (`source_volid`).
    pub source_volid: Option<String>,
    /// The availability zone (`availability_zone`; not on Synnefo).
    pub availability_zone: Option<String>,
    /// Whether it is bootable (`bootable`; not on Synnefo).
    pub bootable: Option<bool>,
    /// Metadata (`metadata`; dropped by Synnefo at creation, use
    /// [`BlockStorageClient::update_volume_metadata`] afterwards).
    pub metadata: Option<BTreeMap<String, String>>,
    /// More keys of the `"volume"` object, sent as given.
    pub extra: Extra,
}

impl CreateVolume {
    /// The request body (`{"volume": {…}}`), after checking the arguments.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a zero size, an empty name or more than one source.
    pub fn to_body(&self) -> Result<serde_json::Value, ClientError> {
        if self.size == 0 {
            return Err(ClientError::invalid_argument(
                "volume size must be a positive number of GiB",
            ));
        }
        if let Some(n) = &self.display_name {
            check_id("volume name", n)?;
        }
        let sources = [&self.snapshot_id, &self.image_ref, &self.source_volid]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if sources > 1 {
            return Err(ClientError::invalid_argument(
                "give at most one of snapshot_id, image_ref and source_volid",
            ));
        }
        if let Some(t) = &self.volume_type {
            check_id("volume type", t.as_str())?;
        }
        let v = Object::new()
            .set("size", self.size)
            .opt("display_name", self.display_name.as_deref())
            .opt("display_description", self.display_description.as_deref())
            .opt("snapshot_id", self.snapshot_id.as_deref())
            .opt("imageRef", self.image_ref.as_deref())
            .opt("source_volid", self.source_volid.as_deref())
            .opt("availability_zone", self.availability_zone.as_deref())
            .json("volume_type", self.volume_type.as_ref())?
            .opt("bootable", self.bootable)
            .json("metadata", self.metadata.as_ref())?
            .extra(&self.extra);
        Ok(wrap("volume", v.into_map()))
    }
}

/// Changes to a volume ([`BlockStorageClient::update_volume`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateVolume {
    /// A new name (`display_name`).
    pub display_name: Option<String>,
    /// A new description (`display_description`).
    pub display_description: Option<String>,
    /// Whether to delete the volume with its server (`delete_on_termination`).
    pub delete_on_termination: Option<bool>,
    /// Metadata (`metadata`; ignored by Synnefo here).
    pub metadata: Option<BTreeMap<String, String>>,
}

crate::string_enum! {
    /// A volume status (lower-case; Synnefo writes `in_use` where Cinder
    /// writes `in-use`).
    pub enum VolumeStatus {
        /// Being created.
        Creating = "creating",
        /// Ready, not attached.
        Available = "available",
        /// Being attached.
        Attaching = "attaching",
        /// Being detached.
        Detaching = "detaching",
        /// Attached (Synnefo).
        InUse = "in_use",
        /// Attached (Cinder).
        InUseCinder = "in-use",
        /// Being deleted.
        Deleting = "deleting",
        /// Deleted (visible until purged).
        Deleted = "deleted",
        /// Failed.
        Error = "error",
        /// Deletion failed.
        ErrorDeleting = "error_deleting",
        /// Being backed up.
        BackingUp = "backing_up",
        /// Being restored.
        RestoringBackup = "restoring_backup",
        /// Restoring failed.
        ErrorRestoring = "error_restoring",
    }
}

/// Where a volume is attached.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VolumeAttachment {
    /// The server (an integer on Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<ResourceId>,
    /// The volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<ResourceId>,
    /// The device name (Cinder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Fields this version does not know (`device_index`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A volume. Brief listings fill only `id`, the name and `links`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    /// The id.
    pub id: ResourceId,
    /// The name (Synnefo and Cinder v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The name (Cinder v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The description (Synnefo and Cinder v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_description: Option<String>,
    /// The description (Cinder v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The status.
    #[serde(default)]
    pub status: VolumeStatus,
    /// Size in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The volume type (an integer id on Synnefo, a name on Cinder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<ResourceId>,
    /// The snapshot it was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<ResourceId>,
    /// The volume it was cloned from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_volid: Option<ResourceId>,
    /// The image it was made from (Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<ResourceId>,
    /// Attachments.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachments: Vec<VolumeAttachment>,
    /// Metadata.
    #[serde(
        default,
        deserialize_with = "de_string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub metadata: BTreeMap<String, String>,
    /// The owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The project (Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Deleted with its server (Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know (`deleted`, `shared_to_project`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Volume {
    /// The name, whichever field the server used.
    pub fn title(&self) -> Option<&str> {
        self.display_name.as_deref().or(self.name.as_deref())
    }
}

crate::rest::json_resource!(
    Volume,
    VolumeEnvelope { volume },
    VolumesEnvelope { volumes }
);

impl BlockStorageClient {
    /// Streams volumes: GET `/volumes` or `/volumes/detail` (200; 304 for
    /// `changes-since` is an empty listing), page by page when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn volumes(
        &self,
        opts: ListVolumesOptions,
    ) -> impl Stream<Item = Result<Volume, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query)
            .detail(opts.detail)
            .text("changes-since", opts.changes_since.as_deref());
        collection(self).stream(listing, &[200, 304])
    }

    /// Lists volumes (kamaki's `list_volumes`); see [`volumes`](Self::volumes).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_volumes(
        &self,
        opts: &ListVolumesOptions,
    ) -> Result<Vec<Volume>, ClientError> {
        self.volumes(opts.clone()).try_collect().await
    }

    /// Volume details: GET `/volumes/{id}` (200). Deleted volumes are
    /// returned (status `deleted`) until purged.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_volume(&self, volume_id: &str) -> Result<Volume, ClientError> {
        collection(self).get(volume_id, &[200]).await
    }

    /// Creates a volume: POST `/volumes` with [`CreateVolume::to_body`]
    /// (202). Synnefo answers with the brief form (id, name, links): fetch
    /// the details to learn the status.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for bad input (nothing sent); the server's error (400, 413 …).
    pub async fn create_volume(&self, volume: &CreateVolume) -> Result<Volume, ClientError> {
        let body = volume.to_body()?;
        let req = collection(self).request(Method::POST).json(&body);
        send_one(req.expect_status(&[200, 202])).await
    }

    /// Updates a volume: PUT `/volumes/{id}` with `{"volume": {…}}` holding
    /// the members given (200). With nothing to change no PUT is sent and
    /// the current details are returned, as in kamaki.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name; the server's error.
    pub async fn update_volume(
        &self,
        volume_id: &str,
        update: &UpdateVolume,
    ) -> Result<Volume, ClientError> {
        let volume = collection(self).member(volume_id)?;
        let v = Object::new()
            .checked(
                "display_name",
                "volume name",
                update.display_name.as_deref(),
            )?
            .opt("display_description", update.display_description.as_deref())
            .opt("delete_on_termination", update.delete_on_termination)
            .json("metadata", update.metadata.as_ref())?
            .into_map();
        if v.is_empty() {
            return volume.get(&[200]).await;
        }
        volume.put(v, &[200]).await
    }

    /// Deletes a volume: DELETE `/volumes/{id}` (202). Asynchronous: see
    /// [`wait_volume_deleted`](Self::wait_volume_deleted).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (400 for a server's root volume …).
    pub async fn delete_volume(&self, volume_id: &str) -> Result<(), ClientError> {
        collection(self).delete(volume_id, &[202, 204]).await
    }

    /// The metadata of a volume: GET `/volumes/{id}/metadata` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_volume_metadata(
        &self,
        volume_id: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        collection(self).member(volume_id)?.metadata().get().await
    }

    /// Merges volume metadata: POST `/volumes/{id}/metadata` with
    /// `{"metadata": {…}}` (200) → all metadata.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error (400 over the item limit).
    pub async fn update_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        collection(self)
            .member(volume_id)?
            .metadata()
            .send(Method::POST, metadata, &[200])
            .await
    }

    /// Replaces all volume metadata: PUT `/volumes/{id}/metadata` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn replace_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        collection(self)
            .member(volume_id)?
            .metadata()
            .send(Method::PUT, metadata, &[200])
            .await
    }

    /// Deletes one volume metadata item: DELETE
    /// `/volumes/{id}/metadata/{key}` (200, 204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error (Synnefo: 400 for an
    /// unknown key).
    pub async fn delete_volume_metadata(
        &self,
        volume_id: &str,
        key: &str,
    ) -> Result<(), ClientError> {
        collection(self)
            .member(volume_id)?
            .metadata()
            .delete_item(key, &[200, 204])
            .await
    }

    /// Polls [`get_volume`](Self::get_volume) every `opts.delay` until
    /// `check` ends the wait or `opts.max_wait` passes; `on_poll` sees
    /// every polled volume.
    ///
    /// # Errors
    /// The first poll error (404 included); a timeout is
    /// [`WaitOutcome::TimedOut`] with the last volume seen.
    pub async fn wait_volume_with<C, P>(
        &self,
        volume_id: &str,
        opts: &WaitOptions,
        check: C,
        on_poll: P,
    ) -> Result<WaitOutcome<Volume>, ClientError>
    where
        C: Fn(&Volume) -> WaitCheck,
        P: FnMut(&Volume),
    {
        wait_for(opts, || self.get_volume(volume_id), check, on_poll).await
    }

    /// Waits until the volume's status is `target_status` (exact,
    /// case-sensitive: Synnefo's values are lower-case, e.g. `"in_use"`).
    ///
    /// # Errors
    /// As [`wait_volume_with`](Self::wait_volume_with).
    pub async fn wait_volume_until(
        &self,
        volume_id: &str,
        target_status: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Volume>, ClientError> {
        self.wait_volume_with(volume_id, opts, waiters::until(target_status), |_| {})
            .await
    }

    /// Waits while the volume's status is `current_status` (e.g. `"creating"`).
    ///
    /// # Errors
    /// As [`wait_volume_with`](Self::wait_volume_with).
    pub async fn wait_volume_while(
        &self,
        volume_id: &str,
        current_status: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Volume>, ClientError> {
        self.wait_volume_with(volume_id, opts, waiters::while_in(current_status), |_| {})
            .await
    }

    /// kamaki's `wait_volume(id)`: waits while the volume is `creating`,
    /// polling every second for up to 100 seconds.
    ///
    /// # Errors
    /// As [`wait_volume_with`](Self::wait_volume_with).
    pub async fn wait_volume(&self, volume_id: &str) -> Result<WaitOutcome<Volume>, ClientError> {
        self.wait_volume_while(
            volume_id,
            VolumeStatus::Creating.as_str(),
            &WaitOptions::default(),
        )
        .await
    }

    /// Waits for a deleted volume to go: reached with `Some(volume)` once its
    /// status is `deleted`, or with `None` once it answers 404 (purged).
    ///
    /// # Errors
    /// Poll errors other than 404.
    pub async fn wait_volume_deleted(
        &self,
        volume_id: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Option<Volume>>, ClientError> {
        waiters::until_gone(
            opts,
            || self.get_volume(volume_id),
            |v| v.status == VolumeStatus::Deleted,
        )
        .await
    }
}

impl Status for Volume {
    fn status(&self) -> &str {
        self.status.as_str()
    }
}
