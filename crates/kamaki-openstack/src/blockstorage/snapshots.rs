//! Volume snapshots.

use std::collections::BTreeMap;

use futures::{Stream, TryStreamExt};
use kamaki_core::{
    wait_for, ClientError, Method, QueryParams, WaitCheck, WaitOptions, WaitOutcome,
};
use serde::{Deserialize, Deserializer, Serialize};

use super::{BlockStorageClient, Link};
use crate::common::{Extra, ResourceId};
use crate::compute::util::{de_null_default, de_string_map};
use crate::rest::{Collection, Listing, Object};

fn collection(c: &BlockStorageClient) -> Collection<'_, Snapshot> {
    Collection::new(&c.http, c.url().seg("snapshots"), "snapshot id")
}

/// Paging of [`BlockStorageClient::snapshots`] / [`BlockStorageClient::list_snapshots`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListSnapshotsOptions {
    /// Full snapshot objects (`/snapshots/detail`; Synnefo lists them in full anyway).
    pub detail: bool,
    /// Page size (`limit`; Synnefo ignores it).
    pub limit: Option<u32>,
    /// Start after this snapshot id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given.
    pub extra_query: QueryParams,
}

/// A snapshot to create ([`BlockStorageClient::create_snapshot`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateSnapshot {
    /// The volume to snapshot (`volume_id`), required.
    pub volume_id: String,
    /// Snapshot even an attached volume (`force`; Cinder only, Synnefo
    /// ignores it).
    pub force: Option<bool>,
    /// The name (`display_name`; Synnefo's default is `Snapshot of volume '<id>'`).
    pub display_name: Option<String>,
    /// The description (`display_description`).
    pub display_description: Option<String>,
    /// Metadata (`metadata`).
    pub metadata: Option<BTreeMap<String, String>>,
    /// More keys of the `"snapshot"` object, sent as given.
    pub extra: Extra,
}

/// Changes to a snapshot ([`BlockStorageClient::update_snapshot`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateSnapshot {
    /// A new name (`display_name`).
    pub display_name: Option<String>,
    /// A new description (`display_description`).
    pub display_description: Option<String>,
}

crate::string_enum! {
    /// A snapshot status (upper-case on Synnefo, unlike volume statuses).
    pub enum SnapshotStatus {
        /// Being created (the backing object is not yet available).
        Creating = "CREATING",
        /// Ready.
        Available = "AVAILABLE",
        /// Not available (seen while waiting).
        Unavailable = "UNAVAILABLE",
        /// Failed.
        Error = "ERROR",
        /// Being deleted.
        Deleting = "DELETING",
    }
}

/// A snapshot. Its id is also the id of the image made from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The id (a UUID).
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
    pub status: SnapshotStatus,
    /// Size in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The volume it was taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<ResourceId>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Progress in percent (`os-extended-snapshot-attribute:progress`,
    /// which Synnefo sends as `"100%"` or `0`).
    #[serde(
        rename = "os-extended-snapshot-attribute:progress",
        default,
        deserialize_with = "de_progress",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress: Option<u32>,
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
    /// The owner (Synnefo) or project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Snapshot {
    /// The name, whichever field the server used.
    pub fn title(&self) -> Option<&str> {
        self.display_name.as_deref().or(self.name.as_deref())
    }
}

/// Reads a progress given as `"100%"`, `"42"`, `42` or `null`.
fn de_progress<'de, D>(d: D) -> Result<Option<u32>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().map(|f| f.max(0.0) as u64))
            .and_then(|v| u32::try_from(v).ok()),
        Some(serde_json::Value::String(s)) => {
            let t = s.trim().trim_end_matches('%').trim();
            t.parse::<u32>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().map(|f| f.max(0.0) as u32))
        }
        _ => None,
    })
}

crate::rest::json_resource!(
    Snapshot,
    SnapshotEnvelope { snapshot },
    SnapshotsEnvelope { snapshots }
);

impl BlockStorageClient {
    /// Streams snapshots: GET `/snapshots` or `/snapshots/detail` (200),
    /// page by page when `limit` is set. Deployments without snapshots
    /// answer 400 "API endpoint not found" (or 501 for users without them).
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn snapshots(
        &self,
        opts: ListSnapshotsOptions,
    ) -> impl Stream<Item = Result<Snapshot, ClientError>> + Send + '_ {
        let listing =
            Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query).detail(opts.detail);
        collection(self).stream(listing, &[200])
    }

    /// Lists snapshots (kamaki's `list_snapshots`); see [`snapshots`](Self::snapshots).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_snapshots(
        &self,
        opts: &ListSnapshotsOptions,
    ) -> Result<Vec<Snapshot>, ClientError> {
        self.snapshots(opts.clone()).try_collect().await
    }

    /// Snapshot details: GET `/snapshots/{id}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 once deleted).
    pub async fn get_snapshot(&self, snapshot_id: &str) -> Result<Snapshot, ClientError> {
        collection(self).get(snapshot_id, &[200]).await
    }

    /// Creates a snapshot: POST `/snapshots` with `{"snapshot": {"volume_id":
    /// …, …}}` (202). It starts `CREATING`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty volume id or name; the server's error (400 for a
    /// detached volume, 413 over quota, 501 when snapshots are off).
    pub async fn create_snapshot(
        &self,
        snapshot: &CreateSnapshot,
    ) -> Result<Snapshot, ClientError> {
        let s = Object::new()
            .checked("volume_id", "volume id", Some(snapshot.volume_id.as_str()))?
            .opt("force", snapshot.force)
            .checked(
                "display_name",
                "snapshot name",
                snapshot.display_name.as_deref(),
            )?
            .opt(
                "display_description",
                snapshot.display_description.as_deref(),
            )
            .json("metadata", snapshot.metadata.as_ref())?
            .extra(&snapshot.extra);
        collection(self).create(s.into_map(), &[200, 202]).await
    }

    /// Renames or re-describes a snapshot: PUT `/snapshots/{id}` (200). With
    /// nothing to change no PUT is sent and the details are returned.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name; the server's error.
    pub async fn update_snapshot(
        &self,
        snapshot_id: &str,
        update: &UpdateSnapshot,
    ) -> Result<Snapshot, ClientError> {
        let snapshot = collection(self).member(snapshot_id)?;
        let s = Object::new()
            .checked(
                "display_name",
                "snapshot name",
                update.display_name.as_deref(),
            )?
            .opt("display_description", update.display_description.as_deref())
            .into_map();
        if s.is_empty() {
            return snapshot.get(&[200]).await;
        }
        snapshot.put(s, &[200]).await
    }

    /// Deletes a snapshot: DELETE `/snapshots/{id}` (202). The backing
    /// object goes too; the snapshot then answers 404.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn delete_snapshot(&self, snapshot_id: &str) -> Result<(), ClientError> {
        collection(self).delete(snapshot_id, &[202, 204]).await
    }

    /// The metadata of a snapshot: GET `/snapshots/{id}/metadata` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_snapshot_metadata(
        &self,
        snapshot_id: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        collection(self).member(snapshot_id)?.metadata().get().await
    }

    /// Merges snapshot metadata: POST `/snapshots/{id}/metadata` (200) → all metadata.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn update_snapshot_metadata(
        &self,
        snapshot_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        collection(self)
            .member(snapshot_id)?
            .metadata()
            .send(Method::POST, metadata, &[200])
            .await
    }

    /// Replaces all snapshot metadata: PUT `/snapshots/{id}/metadata` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn replace_snapshot_metadata(
        &self,
        snapshot_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        collection(self)
            .member(snapshot_id)?
            .metadata()
            .send(Method::PUT, metadata, &[200])
            .await
    }

    /// Deletes one snapshot metadata item: DELETE
    /// `/snapshots/{id}/metadata/{key}` (200, 204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn delete_snapshot_metadata(
        &self,
        snapshot_id: &str,
        key: &str,
    ) -> Result<(), ClientError> {
        collection(self)
            .member(snapshot_id)?
            .metadata()
            .delete_item(key, &[200, 204])
            .await
    }

    /// Waits until the snapshot's status is `target_status` (e.g.
    /// `"AVAILABLE"`), stopping early as failed on `ERROR`. kamaki has no
    /// snapshot waiter; this follows Synnefo's own test suite.
    ///
    /// # Errors
    /// The first poll error (404 included); a timeout is
    /// [`WaitOutcome::TimedOut`] with the last snapshot seen.
    pub async fn wait_snapshot_until(
        &self,
        snapshot_id: &str,
        target_status: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Snapshot>, ClientError> {
        wait_for(
            opts,
            || self.get_snapshot(snapshot_id),
            |s| {
                if s.status.as_str().eq_ignore_ascii_case(target_status) {
                    WaitCheck::Reached
                } else if s.status == SnapshotStatus::Error {
                    WaitCheck::Failed
                } else {
                    WaitCheck::Continue
                }
            },
            |_| {},
        )
        .await
    }
}
