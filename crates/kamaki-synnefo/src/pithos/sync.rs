//! Directory sync both ways (`spec/storage-pithos.md` §10.8): a local tree
//! to objects under a prefix, and back. What moves is decided by hashes,
//! never by timestamps: a file whose Pithos hashmap equals the object's
//! (same Merkle hash, same size) is left alone, and a changed one moves
//! only the blocks that differ — the upload engine sends only blocks the
//! server lacks, the download engine reuses local blocks that match.
//! Nothing is deleted unless asked.
//!
//! ```no_run
//! # async fn demo(pithos: kamaki_synnefo::pithos::PithosClient) -> Result<(), kamaki_core::ClientError> {
//! use kamaki_synnefo::pithos::SyncOptions;
//! let report = pithos.sync_upload("photos", "pithos", "backup/photos", &SyncOptions::default()).await?;
//! println!("{} created, {} updated, {} unchanged, {} bytes sent",
//!     report.created, report.updated, report.unchanged, report.moved_bytes);
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::TryStreamExt;
use kamaki_core::ClientError;
use serde::Serialize;

use super::containers::ListObjectsOptions;
use super::download::{DownloadOptions, PARTIAL_SUFFIX};
use super::hashmap::merkle_root;
use super::objects::{DeleteObjectOptions, ObjectInfoOptions};
use super::transfer::{blocking, hash_file_blocks, open_for_reading, RetryCounter};
use super::types::ObjectEntry;
use super::upload::{Hashed, UploadOptions, UploadSource};
use super::{PithosClient, ProgressField, SharedProgress};

/// Called with each entry of a sync as it is decided and done.
pub type SyncObserver = Arc<dyn Fn(&SyncEntry) + Send + Sync>;

/// Options of [`PithosClient::sync_upload`] and [`PithosClient::sync_download`].
#[derive(Clone, Default)]
pub struct SyncOptions {
    /// Delete what the source lacks from the destination: objects under
    /// the prefix (upload) or local files (download). Off by default.
    pub delete: bool,
    /// Decide and report, but move and delete nothing.
    pub dry_run: bool,
    /// Block requests in flight per file (0 = the default, 5).
    pub concurrency: usize,
    /// Retries of one failed request (default 5).
    pub retries: Option<u32>,
    /// Upload only: `Content-Type` of new objects (default
    /// `application/octet-stream`).
    pub content_type: Option<String>,
    /// Bytes moved (sent or received), across all files; the total is unknown.
    pub progress: Option<SharedProgress>,
    /// Called with each entry when it is done (e.g. to print it).
    pub observer: Option<SyncObserver>,
}

impl fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncOptions")
            .field("delete", &self.delete)
            .field("dry_run", &self.dry_run)
            .field("concurrency", &self.concurrency)
            .field("retries", &self.retries)
            .field("content_type", &self.content_type)
            .field("progress", &ProgressField(&self.progress))
            .field("observer", &self.observer.as_ref().map(|_| ".."))
            .finish()
    }
}

/// What a sync did (or, in a dry run, would do) with one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SyncAction {
    /// Copied to a destination that did not have it.
    Created,
    /// The destination differed; only the differing blocks moved.
    Updated,
    /// Same hashes on both sides: nothing moved.
    Unchanged,
    /// A directory (marker object, or local folder) was made.
    DirectoryCreated,
    /// Deleted from the destination (only with [`SyncOptions::delete`]).
    Deleted,
    /// Left alone, and why (an unsafe object name, a name that is not
    /// UTF-8, a file where a folder is, …).
    Skipped {
        /// Why.
        reason: String,
    },
}

/// One path of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncEntry {
    /// The path relative to the synced folder, `/`-separated.
    pub path: String,
    /// The object name.
    pub object: String,
    /// What happened.
    #[serde(flatten)]
    pub action: SyncAction,
    /// Size of the file or object.
    pub bytes: u64,
    /// Bytes that moved over the network.
    pub moved_bytes: u64,
    /// Blocks that moved over the network.
    pub moved_blocks: usize,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Every path considered, in order.
    pub entries: Vec<SyncEntry>,
    /// Files created at the destination.
    pub created: usize,
    /// Files updated at the destination.
    pub updated: usize,
    /// Files already equal.
    pub unchanged: usize,
    /// Directories created.
    pub directories: usize,
    /// Files or objects deleted.
    pub deleted: usize,
    /// Paths skipped.
    pub skipped: usize,
    /// Total size of the files considered.
    pub bytes: u64,
    /// Bytes that moved over the network.
    pub moved_bytes: u64,
    /// Blocks that moved over the network.
    pub moved_blocks: usize,
    /// Requests sent again after transient failures.
    pub retries: u32,
    /// Nothing was changed (a dry run).
    pub dry_run: bool,
}

impl SyncReport {
    fn push(&mut self, entry: SyncEntry, opts: &SyncOptions) {
        match &entry.action {
            SyncAction::Created => self.created += 1,
            SyncAction::Updated => self.updated += 1,
            SyncAction::Unchanged => self.unchanged += 1,
            SyncAction::DirectoryCreated => self.directories += 1,
            SyncAction::Deleted => self.deleted += 1,
            SyncAction::Skipped { .. } => self.skipped += 1,
        }
        if !matches!(entry.action, SyncAction::Deleted) {
            self.bytes += entry.bytes;
        }
        self.moved_bytes += entry.moved_bytes;
        self.moved_blocks += entry.moved_blocks;
        if let Some(p) = &opts.progress {
            if entry.moved_bytes > 0 {
                p.advance(entry.moved_bytes);
            }
        }
        if let Some(o) = &opts.observer {
            o(&entry);
        }
        self.entries.push(entry);
    }
}

/// A local tree: files (relative path → absolute path, size) and folders.
#[derive(Default)]
struct LocalTree {
    files: BTreeMap<String, (PathBuf, u64)>,
    dirs: BTreeSet<String>,
    skipped: Vec<(String, String)>,
}

fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX)
}

/// Walks `root` (following symbolic links to files, not to folders).
fn walk(root: &Path) -> Result<LocalTree, ClientError> {
    let mut tree = LocalTree::default();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let read = std::fs::read_dir(&dir)
            .map_err(|e| ClientError::io(format!("cannot list {}", dir.display()), e))?;
        for entry in read {
            let entry =
                entry.map_err(|e| ClientError::io(format!("cannot list {}", dir.display()), e))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                tree.skipped.push((
                    path.display().to_string(),
                    "the name is not UTF-8".to_string(),
                ));
                continue;
            };
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry
                .file_type()
                .map_err(|e| ClientError::io(format!("cannot read {}", path.display()), e))?;
            if kind.is_dir() {
                tree.dirs.insert(child.clone());
                stack.push((path, child));
            } else if kind.is_file() || kind.is_symlink() {
                if is_partial(&name) {
                    continue;
                }
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => {
                        tree.files.insert(child, (path, m.len()));
                    }
                    Ok(_) => tree
                        .skipped
                        .push((child, "a link to something other than a file".to_string())),
                    Err(e) => tree.skipped.push((child, format!("unreadable: {e}"))),
                }
            } else {
                tree.skipped
                    .push((child, "not a regular file or folder".to_string()));
            }
        }
    }
    Ok(tree)
}

/// `prefix` as the start of object names: empty, or ending with `/`.
fn normalize_prefix(prefix: &str) -> String {
    let p = prefix.trim_start_matches('/');
    if p.is_empty() || p.ends_with('/') {
        p.to_string()
    } else {
        format!("{p}/")
    }
}

/// The local path segments of a relative object name, or why it is unsafe.
fn safe_segments(rel: &str) -> Result<Vec<&str>, String> {
    let segs: Vec<&str> = rel.split('/').collect();
    for s in &segs {
        if s.is_empty() || *s == "." || *s == ".." {
            return Err(format!("unsafe name segment {s:?}"));
        }
        if s.contains('\0') || (cfg!(windows) && (s.contains('\\') || s.contains(':'))) {
            return Err("a name segment a local file cannot have".to_string());
        }
    }
    Ok(segs)
}

/// The hash to compare with: the listing's `x_object_hash`.
fn listed_hash(entry: &ObjectEntry) -> Option<String> {
    entry
        .object_hash
        .as_ref()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
}

fn entry(path: &str, object: &str, action: SyncAction, bytes: u64) -> SyncEntry {
    SyncEntry {
        path: path.to_string(),
        object: object.to_string(),
        action,
        bytes,
        moved_bytes: 0,
        moved_blocks: 0,
    }
}

fn skipped(path: &str, object: &str, reason: impl Into<String>) -> SyncEntry {
    entry(
        path,
        object,
        SyncAction::Skipped {
            reason: reason.into(),
        },
        0,
    )
}

impl PithosClient {
    /// Every object under `prefix` (`GET /{account}/{container}?prefix=…`,
    /// all pages), by name.
    async fn objects_under(
        &self,
        container: &str,
        prefix: &str,
    ) -> Result<BTreeMap<String, ObjectEntry>, ClientError> {
        let opts = ListObjectsOptions {
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            ..Default::default()
        };
        let items: Vec<_> = self.objects(container, opts).try_collect().await?;
        Ok(items
            .into_iter()
            .filter_map(|i| i.into_item())
            .map(|e| (e.name.clone(), e))
            .collect())
    }

    /// The object's Merkle hash: from the listing, or a `HEAD`.
    async fn remote_hash(
        &self,
        container: &str,
        entry: &ObjectEntry,
    ) -> Result<Option<String>, ClientError> {
        if let Some(h) = listed_hash(entry) {
            return Ok(Some(h));
        }
        let info = self
            .get_object_info(container, &entry.name, &ObjectInfoOptions::default())
            .await?;
        Ok(info.object_hash.map(|h| h.trim().to_ascii_lowercase()))
    }

    /// Syncs the local folder `local_dir` to the objects under `prefix` in
    /// `container` (`prefix` "" = the whole container; `backup` means
    /// names `backup/…`):
    ///
    /// * each file is hashed on all cores; an object with the same size and
    ///   Merkle hash (`x_object_hash` in the listing) is left alone;
    /// * a new or changed file is uploaded by hashmap, sending only the
    ///   blocks the server lacks (`PUT ?hashmap` → 409 → `POST` the missing
    ///   blocks → `PUT`), with the upload engine's concurrency and retries;
    /// * a folder without an object of its name gets a directory marker
    ///   (`application/directory`), so that empty folders come back;
    /// * with `delete`, objects under the prefix that match no local file
    ///   or folder are deleted (never without it).
    ///
    /// Files are processed one after the other, in name order. A container
    /// that is not Pithos has no hashmaps: every file is uploaded with a
    /// plain `PUT` (or segments).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) when
    /// `local_dir` is not a folder or a name is invalid; an
    /// [`Io`](kamaki_core::ErrorKind::Io) error when the tree cannot be read;
    /// the first failed request (after its retries). Entries done before an
    /// error stay done.
    pub async fn sync_upload(
        &self,
        local_dir: impl AsRef<Path>,
        container: &str,
        prefix: &str,
        opts: &SyncOptions,
    ) -> Result<SyncReport, ClientError> {
        let root = local_dir.as_ref().to_path_buf();
        if !root.is_dir() {
            return Err(ClientError::invalid_argument(format!(
                "{} is not a folder",
                root.display()
            )));
        }
        self.container_url(container)?;
        let prefix = normalize_prefix(prefix);
        let counter = RetryCounter::default();
        let uopts = UploadOptions {
            content_type: opts.content_type.clone(),
            concurrency: opts.concurrency,
            retries: opts.retries,
            ..Default::default()
        };
        let params = self.block_params(container, &uopts, &counter).await?;
        let walk_root = root.clone();
        let tree = blocking(move || walk(&walk_root)).await?;
        let mut remote = self.objects_under(container, &prefix).await?;
        let mut report = SyncReport {
            dry_run: opts.dry_run,
            ..Default::default()
        };
        if let Some(p) = &opts.progress {
            p.start(None);
        }
        for (path, reason) in &tree.skipped {
            report.push(skipped(path, "", reason.clone()), opts);
        }

        for dir in &tree.dirs {
            let object = format!("{prefix}{dir}");
            let plain = remote.remove(&object).is_some();
            let slashed = remote.remove(&format!("{object}/")).is_some();
            if plain || slashed {
                continue;
            }
            if !opts.dry_run {
                self.create_directory(container, &object).await?;
            }
            report.push(entry(dir, &object, SyncAction::DirectoryCreated, 0), opts);
        }

        for (path, (file_path, size)) in &tree.files {
            let object = format!("{prefix}{path}");
            let existing = remote.remove(&object);
            if existing.as_ref().is_some_and(ObjectEntry::is_directory) {
                report.push(
                    skipped(
                        path,
                        &object,
                        "the object of that name is a directory marker",
                    ),
                    opts,
                );
                continue;
            }
            let Some((block_size, hasher)) = params.clone() else {
                // not Pithos: no hashmaps to compare, so the file is sent whole
                let mut e = entry(
                    path,
                    &object,
                    if existing.is_some() {
                        SyncAction::Updated
                    } else {
                        SyncAction::Created
                    },
                    *size,
                );
                if !opts.dry_run {
                    let out = self
                        .upload_object(container, &object, UploadSource::path(file_path), &uopts)
                        .await?;
                    e.moved_bytes = out.uploaded_bytes;
                    report.retries += out.retries;
                }
                report.push(e, opts);
                continue;
            };
            let (file, now) = open_for_reading(file_path).await?;
            let what: Arc<str> = Arc::from(file_path.display().to_string());
            let hashes =
                hash_file_blocks(file.clone(), now, block_size, hasher.clone(), None, what).await?;
            let local_hash = merkle_root(hasher.as_ref(), &hashes)?;
            if let Some(remote_entry) = &existing {
                if remote_entry.bytes == now
                    && self.remote_hash(container, remote_entry).await?.as_deref()
                        == Some(local_hash.as_str())
                {
                    report.push(entry(path, &object, SyncAction::Unchanged, now), opts);
                    continue;
                }
            }
            let action = if existing.is_some() {
                SyncAction::Updated
            } else {
                SyncAction::Created
            };
            let mut e = entry(path, &object, action, now);
            if !opts.dry_run {
                let hashed = Hashed::file(
                    file,
                    file_path,
                    now,
                    hashes,
                    block_size,
                    super::transfer::concurrency_or_default(opts.concurrency),
                )?;
                let out = self
                    .upload_hashed(
                        container, &object, &hashed, block_size, hasher, &uopts, &counter,
                    )
                    .await?;
                e.moved_bytes = out.uploaded_bytes;
                e.moved_blocks = out.uploaded_blocks;
            }
            report.push(e, opts);
        }

        if opts.delete {
            for (object, gone) in remote {
                let rel = object[prefix.len()..].trim_end_matches('/').to_string();
                if rel.is_empty() {
                    continue; // the prefix's own marker
                }
                if !opts.dry_run {
                    self.delete_object(container, &object, &DeleteObjectOptions::default())
                        .await?;
                }
                report.push(entry(&rel, &object, SyncAction::Deleted, gone.bytes), opts);
            }
        }
        report.retries += counter.get();
        if let Some(p) = &opts.progress {
            p.finish();
        }
        Ok(report)
    }

    /// Syncs the objects under `prefix` in `container` to the local folder
    /// `local_dir` (created if missing):
    ///
    /// * a local file with the object's size and Merkle hash (hashed on all
    ///   cores) is left alone;
    /// * otherwise the object is downloaded by hashmap, reusing the blocks
    ///   the local file already has (matched by hash) and fetching only the
    ///   others, each verified; the file is replaced only once complete;
    /// * directory markers become folders;
    /// * names that would leave the folder (`..`, empty segments) are skipped;
    /// * with `delete`, local files that match no object are deleted
    ///   (never without it; folders are kept).
    ///
    /// Objects are processed one after the other, in name order. A store
    /// that is not Pithos has no hashmaps: every object is downloaded whole.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an
    /// invalid container name; an [`Io`](kamaki_core::ErrorKind::Io) error
    /// when a local file or folder cannot be read or written; the first
    /// failed request (after its retries). Entries done before an error
    /// stay done.
    pub async fn sync_download(
        &self,
        container: &str,
        prefix: &str,
        local_dir: impl AsRef<Path>,
        opts: &SyncOptions,
    ) -> Result<SyncReport, ClientError> {
        let root = local_dir.as_ref().to_path_buf();
        self.container_url(container)?;
        if root.exists() && !root.is_dir() {
            return Err(ClientError::invalid_argument(format!(
                "{} is not a folder",
                root.display()
            )));
        }
        let prefix = normalize_prefix(prefix);
        let counter = RetryCounter::default();
        let probe = UploadOptions {
            retries: opts.retries,
            ..Default::default()
        };
        let params = self.block_params(container, &probe, &counter).await?;
        let remote = self.objects_under(container, &prefix).await?;
        if !opts.dry_run {
            tokio::fs::create_dir_all(&root)
                .await
                .map_err(|e| ClientError::io(format!("cannot create {}", root.display()), e))?;
        }
        let mut report = SyncReport {
            dry_run: opts.dry_run,
            ..Default::default()
        };
        if let Some(p) = &opts.progress {
            p.start(None);
        }
        let dopts = DownloadOptions {
            concurrency: opts.concurrency,
            retries: opts.retries,
            resume: true,
            ..Default::default()
        };
        let mut kept: BTreeSet<String> = BTreeSet::new();
        for (object, obj) in &remote {
            let rel_full = &object[prefix.len()..];
            let is_dir = obj.is_directory() || rel_full.ends_with('/');
            let rel = rel_full.trim_end_matches('/');
            if rel.is_empty() {
                continue; // the prefix's own marker
            }
            let segs = match safe_segments(rel) {
                Ok(s) => s,
                Err(reason) => {
                    report.push(skipped(rel, object, reason), opts);
                    continue;
                }
            };
            let local: PathBuf = segs.iter().fold(root.clone(), |p, s| p.join(s));
            if is_dir {
                kept.insert(rel.to_string());
                if local.is_dir() {
                    continue;
                }
                if local.exists() {
                    report.push(
                        skipped(rel, object, "a file is where the folder goes"),
                        opts,
                    );
                    continue;
                }
                if !opts.dry_run {
                    tokio::fs::create_dir_all(&local).await.map_err(|e| {
                        ClientError::io(format!("cannot create {}", local.display()), e)
                    })?;
                }
                report.push(entry(rel, object, SyncAction::DirectoryCreated, 0), opts);
                continue;
            }
            kept.insert(rel.to_string());
            if local.is_dir() {
                report.push(
                    skipped(rel, object, "a folder is where the file goes"),
                    opts,
                );
                continue;
            }
            let exists = local.is_file();
            if let (true, Some((block_size, hasher))) = (exists, params.clone()) {
                let (file, size) = open_for_reading(&local).await?;
                if size == obj.bytes {
                    let what: Arc<str> = Arc::from(local.display().to_string());
                    let hashes =
                        hash_file_blocks(file, size, block_size, hasher.clone(), None, what)
                            .await?;
                    let local_hash = merkle_root(hasher.as_ref(), &hashes)?;
                    if self.remote_hash(container, obj).await?.as_deref()
                        == Some(local_hash.as_str())
                    {
                        report.push(entry(rel, object, SyncAction::Unchanged, size), opts);
                        continue;
                    }
                }
            }
            let action = if exists {
                SyncAction::Updated
            } else {
                SyncAction::Created
            };
            let mut e = entry(rel, object, action, obj.bytes);
            if !opts.dry_run {
                if let Some(parent) = local.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(|e| {
                        ClientError::io(format!("cannot create {}", parent.display()), e)
                    })?;
                }
                let out = self
                    .download_object(container, object, &local, &dopts)
                    .await?;
                e.bytes = out.bytes;
                e.moved_bytes = out.fetched_bytes;
                e.moved_blocks = out.fetched_blocks;
                report.retries += out.retries;
            }
            report.push(e, opts);
        }

        if opts.delete && root.is_dir() {
            let walk_root = root.clone();
            let tree = blocking(move || walk(&walk_root)).await?;
            for (rel, (path, size)) in tree.files {
                if kept.contains(&rel) {
                    continue;
                }
                if !opts.dry_run {
                    tokio::fs::remove_file(&path).await.map_err(|e| {
                        ClientError::io(format!("cannot delete {}", path.display()), e)
                    })?;
                }
                let object = format!("{prefix}{rel}");
                report.push(entry(&rel, &object, SyncAction::Deleted, size), opts);
            }
        }
        report.retries += counter.get();
        if let Some(p) = &opts.progress {
            p.finish();
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(normalize_prefix(""), "");
        assert_eq!(normalize_prefix("/"), "");
        assert_eq!(normalize_prefix("backup"), "backup/");
        assert_eq!(normalize_prefix("backup/"), "backup/");
        assert_eq!(normalize_prefix("/a/b"), "a/b/");
    }

    #[test]
    fn unsafe_names_are_refused() {
        assert_eq!(safe_segments("a/b.txt"), Ok(vec!["a", "b.txt"]));
        assert!(safe_segments("../etc/passwd").is_err());
        assert!(safe_segments("a/../../b").is_err());
        assert!(safe_segments("a//b").is_err());
        assert!(safe_segments("./a").is_err());
        assert!(safe_segments("a/\0").is_err());
    }

    #[test]
    fn partial_files_are_recognised() {
        assert!(is_partial(".big.iso.kamaki-partial"));
        assert!(!is_partial("big.iso"));
        assert!(!is_partial("x.kamaki-partial"));
    }
}
