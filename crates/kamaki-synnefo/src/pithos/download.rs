//! Download by hashmap (`spec/storage-pithos.md` §10.6): one ranged GET per
//! distinct block, every block checked against its hash, every request
//! pinned to one version of the object.

use std::collections::HashMap;
use std::fmt;
use std::io::SeekFrom;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use kamaki_core::{ClientError, ErrorKind, Method, QueryParams};
use serde::Serialize;
use tokio::io::{AsyncSeekExt, AsyncWrite, AsyncWriteExt};

use super::hashmap::{block_hash, empty_hash, strip_trailing_zeros, BlockHasher, Hashmap};
use super::objects::{GetObjectOptions, HashmapOptions, Preconditions};
use super::types::ObjectInfo;
use super::upload::{read_full, TempFile};
use super::{PithosClient, ProgressField, SharedProgress};

/// Options of [`PithosClient::download_object`] and [`PithosClient::download_to_writer`].
#[derive(Clone, Default)]
pub struct DownloadOptions {
    /// A version id (default: the current version, pinned for the whole download).
    pub version: Option<u64>,
    /// Conditions on the hashmap request: an `If-None-Match` or
    /// `If-Modified-Since` hit downloads nothing (`not_modified`), an
    /// `If-Match`/`If-Unmodified-Since` miss fails with 412.
    pub conditions: Preconditions,
    /// Blocks fetched at once (default 1).
    pub concurrency: usize,
    /// [`download_object`](PithosClient::download_object) only: blocks of an
    /// existing destination file whose hash already matches are reused
    /// instead of fetched.
    pub resume: bool,
    /// Progress, in bytes of the object.
    pub progress: Option<SharedProgress>,
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("version", &self.version)
            .field("conditions", &self.conditions)
            .field("concurrency", &self.concurrency)
            .field("resume", &self.resume)
            .field("progress", &ProgressField(&self.progress))
            .finish()
    }
}

/// What a download did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DownloadOutcome {
    /// The object was not modified (304 on the hashmap request); nothing was written.
    pub not_modified: bool,
    /// Object size in bytes.
    pub bytes: u64,
    /// Number of blocks of the object.
    pub blocks: usize,
    /// Block requests made.
    pub fetched_blocks: usize,
    /// Bytes received in blocks.
    pub fetched_bytes: u64,
    /// Blocks reused from the existing destination (`resume`).
    pub reused_blocks: usize,
    /// The object's Merkle hash, checked against `X-Object-Hash`.
    pub object_hash: Option<String>,
    /// The version downloaded.
    pub version: Option<u64>,
    /// The object headers of the hashmap answer.
    pub info: ObjectInfo,
}

/// The version and ETag every block request is pinned to.
#[derive(Clone, Debug)]
struct Pin {
    version: Option<u64>,
    etag: Option<String>,
}

struct Plan {
    hashmap: Hashmap,
    hasher: Arc<dyn BlockHasher>,
    empty: String,
    object_hash: String,
    pin: Pin,
}

fn changed_detail(e: ClientError) -> ClientError {
    if e.status == 412 {
        e.with_details(["The object changed during the download"])
    } else {
        e
    }
}

impl PithosClient {
    async fn plan_download(
        &self,
        container: &str,
        object: &str,
        opts: &DownloadOptions,
    ) -> Result<Option<Plan>, ClientError> {
        let hopts = HashmapOptions {
            version: opts.version,
            conditions: opts.conditions.clone(),
        };
        let Some(hashmap) = self
            .get_object_hashmap_with(container, object, &hopts)
            .await?
        else {
            return Ok(None);
        };
        let hasher = hashmap.validate()?;
        let object_hash = super::hashmap::merkle_root(hasher.as_ref(), &hashmap.hashes)?;
        if let Some(reported) = &hashmap.info.object_hash {
            if !reported.trim().eq_ignore_ascii_case(&object_hash) {
                return Err(ClientError::new(
                    ErrorKind::Decode,
                    format!(
                        "The hashmap of {container}/{object} does not match its X-Object-Hash ({object_hash} != {reported})"
                    ),
                ));
            }
        }
        let pin = Pin {
            version: hashmap.info.version.or(opts.version),
            etag: hashmap.info.etag.clone(),
        };
        let empty = empty_hash(hasher.as_ref());
        Ok(Some(Plan {
            hashmap,
            hasher,
            empty,
            object_hash,
            pin,
        }))
    }

    /// One block, fetched with a ranged GET pinned to the planned version,
    /// checked for length and hash.
    #[allow(clippy::too_many_arguments)]
    async fn fetch_block(
        &self,
        container: &str,
        object: &str,
        pin: &Pin,
        hasher: Arc<dyn BlockHasher>,
        total: u64,
        offset: u64,
        len: u64,
        expected: &str,
    ) -> Result<Bytes, ClientError> {
        let url = self.object_url(container, object)?;
        let mut q = QueryParams::new();
        q.push_opt("version", pin.version);
        let resp = self
            .http_req(Method::GET, url)
            .query(&q)
            .header("Range", format!("bytes={offset}-{}", offset + len - 1))
            .header_opt("If-Match", pin.etag.as_deref())
            .expect_status(&[206, 200])
            .send()
            .await
            .map_err(changed_detail)?;
        let status = resp.status();
        let mut data = resp.bytes().await?;
        if status == 200 && data.len() as u64 == total && len < total {
            // the server ignored the range and sent the whole object
            let start = usize::try_from(offset).unwrap_or(usize::MAX);
            let end = usize::try_from(offset + len).unwrap_or(usize::MAX);
            data = data.slice(start..end);
        }
        if data.len() as u64 != len {
            return Err(ClientError::new(
                ErrorKind::Decode,
                format!(
                    "Block at offset {offset} of {container}/{object}: got {} bytes, expected {len}",
                    data.len()
                ),
            ));
        }
        let check = data.clone();
        let got = tokio::task::spawn_blocking(move || block_hash(hasher.as_ref(), &check))
            .await
            .map_err(|e| ClientError::new(ErrorKind::Io, format!("hashing failed: {e}")))?;
        if !got.eq_ignore_ascii_case(expected) {
            return Err(ClientError::new(
                ErrorKind::Decode,
                format!(
                    "Block at offset {offset} of {container}/{object} is corrupt: its hash is {got}, expected {expected}"
                ),
            ));
        }
        Ok(data)
    }

    /// Downloads an object into a file by hashmap:
    /// `GET …?hashmap&format=json` (success 200; 304 → nothing done), then one
    /// `GET` with `Range: bytes=a-b` per distinct non-zero block (success
    /// 206, 200 tolerated), each pinned with `version=` and `If-Match` to the
    /// version the hashmap described, each checked against its hash.
    ///
    /// Blocks are written at their offsets into a temporary file next to
    /// `destination`, which replaces `destination` only once complete.
    /// Repeated blocks are fetched once and written at every position;
    /// all-zero blocks are not fetched. Manifest objects (whose hashmap is
    /// empty) are read with a plain GET instead.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names or a destination that is a directory; an
    /// [`Io`](kamaki_core::ErrorKind::Io) error for local file failures; a
    /// [`ClientError`] with the server's status (404, 403, 412 when the object
    /// changed during the download); a decode error for a corrupt block or
    /// an inconsistent hashmap.
    pub async fn download_object(
        &self,
        container: &str,
        object: &str,
        destination: impl AsRef<Path>,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError> {
        let dst = destination.as_ref();
        self.object_url(container, object)?;
        if dst.is_dir() {
            return Err(ClientError::invalid_argument(format!(
                "{} is a directory; give a file path",
                dst.display()
            )));
        }
        let stem = dst
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                ClientError::invalid_argument(format!("{} is not a file path", dst.display()))
            })?;
        let dir = match dst.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let Some(plan) = self.plan_download(container, object, opts).await? else {
            return Ok(DownloadOutcome {
                not_modified: true,
                ..Default::default()
            });
        };
        let (tmp, mut file) = TempFile::create(&dir, &stem).await?;
        let io_err = |e: std::io::Error| {
            ClientError::io(format!("cannot write {}", tmp.path().display()), e)
        };

        if plan.hashmap.info.manifest.is_some() {
            let outcome = self
                .plain_download(container, object, &plan, opts, &mut file)
                .await?;
            file.sync_all().await.map_err(io_err)?;
            drop(file);
            rename_into_place(tmp, dst).await?;
            return Ok(outcome);
        }

        let progress = opts.progress.clone();
        let hm = &plan.hashmap;
        if let Some(p) = &progress {
            p.start(Some(hm.bytes));
        }
        let mut local = if opts.resume {
            tokio::fs::File::open(dst).await.ok()
        } else {
            None
        };
        let local_len = match &local {
            Some(f) => f.metadata().await.map(|m| m.len()).unwrap_or(0),
            None => 0,
        };
        let mut outcome = DownloadOutcome {
            bytes: hm.bytes,
            blocks: hm.blocks().count(),
            object_hash: Some(plan.object_hash.clone()),
            version: plan.pin.version,
            info: hm.info.clone(),
            ..Default::default()
        };

        // distinct hashes to fetch, in first-seen order, with every position using them
        let mut order: Vec<String> = Vec::new();
        let mut positions: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
        for b in hm.blocks() {
            let hash = b.hash.to_ascii_lowercase();
            if hash == plan.empty {
                // all zeros: the file is zero-filled when sized
                if let Some(p) = &progress {
                    p.advance(b.len);
                }
                continue;
            }
            if let Some(f) = local.as_mut() {
                if b.offset + b.len <= local_len {
                    if let Some(data) = read_local(f, b.offset, b.len).await {
                        if block_hash(plan.hasher.as_ref(), &data) == hash {
                            file.seek(SeekFrom::Start(b.offset)).await.map_err(io_err)?;
                            file.write_all(&data).await.map_err(io_err)?;
                            outcome.reused_blocks += 1;
                            if let Some(p) = &progress {
                                p.advance(b.len);
                            }
                            continue;
                        }
                    }
                }
            }
            positions
                .entry(hash.clone())
                .or_insert_with(|| {
                    order.push(hash.clone());
                    Vec::new()
                })
                .push((b.offset, b.len));
        }
        drop(local);

        let total = hm.bytes;
        let pin = &plan.pin;
        let hasher = &plan.hasher;
        let jobs: Vec<(String, Vec<(u64, u64)>)> = order
            .into_iter()
            .map(|h| {
                let p = positions.remove(&h).unwrap_or_default();
                (h, p)
            })
            .collect();
        let mut fetched = futures::stream::iter(jobs)
            .map(|(hash, places)| async move {
                let (offset, len) = places.first().copied().unwrap_or((0, 0));
                let data = self
                    .fetch_block(
                        container,
                        object,
                        pin,
                        hasher.clone(),
                        total,
                        offset,
                        len,
                        &hash,
                    )
                    .await?;
                Ok::<_, ClientError>((places, data))
            })
            .buffer_unordered(opts.concurrency.max(1));
        while let Some((places, data)) = fetched.try_next().await? {
            outcome.fetched_blocks += 1;
            outcome.fetched_bytes += data.len() as u64;
            let content = strip_trailing_zeros(&data);
            for (offset, len) in places {
                let n = content
                    .len()
                    .min(usize::try_from(len).unwrap_or(usize::MAX));
                file.seek(SeekFrom::Start(offset)).await.map_err(io_err)?;
                file.write_all(&content[..n]).await.map_err(io_err)?;
                if let Some(p) = &progress {
                    p.advance(len);
                }
            }
        }
        drop(fetched);
        file.set_len(total).await.map_err(io_err)?;
        file.flush().await.map_err(io_err)?;
        file.sync_all().await.map_err(io_err)?;
        drop(file);
        rename_into_place(tmp, dst).await?;
        if let Some(p) = &progress {
            p.finish();
        }
        Ok(outcome)
    }

    /// Downloads an object by hashmap into a writer, in order (for stdout,
    /// pipes, or any stream): the same pinned, hash-checked block requests as
    /// [`download_object`](Self::download_object), with up to `concurrency`
    /// in flight and written in order. Repeated blocks are written at every
    /// position; all-zero blocks are not fetched.
    ///
    /// # Errors
    /// As [`download_object`](Self::download_object); an
    /// [`Io`](kamaki_core::ErrorKind::Io) error when the writer fails. On
    /// error the writer may hold a prefix of the object.
    pub async fn download_to_writer<W>(
        &self,
        container: &str,
        object: &str,
        writer: &mut W,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError>
    where
        W: AsyncWrite + Unpin + Send,
    {
        self.object_url(container, object)?;
        let Some(plan) = self.plan_download(container, object, opts).await? else {
            return Ok(DownloadOutcome {
                not_modified: true,
                ..Default::default()
            });
        };
        if plan.hashmap.info.manifest.is_some() {
            return self
                .plain_download(container, object, &plan, opts, writer)
                .await;
        }
        let hm = &plan.hashmap;
        let progress = opts.progress.clone();
        if let Some(p) = &progress {
            p.start(Some(hm.bytes));
        }
        let mut outcome = DownloadOutcome {
            bytes: hm.bytes,
            blocks: hm.blocks().count(),
            object_hash: Some(plan.object_hash.clone()),
            version: plan.pin.version,
            info: hm.info.clone(),
            ..Default::default()
        };
        let total = hm.bytes;
        let pin = &plan.pin;
        let hasher = &plan.hasher;
        let empty = plan.empty.as_str();
        let blocks: Vec<(u64, u64, String)> = hm
            .blocks()
            .map(|b| (b.offset, b.len, b.hash.to_ascii_lowercase()))
            .collect();
        let mut stream = futures::stream::iter(blocks)
            .map(|(offset, len, hash)| async move {
                if hash == empty {
                    let zeros = vec![0u8; usize::try_from(len).unwrap_or(0)];
                    return Ok::<_, ClientError>((Bytes::from(zeros), false));
                }
                let data = self
                    .fetch_block(
                        container,
                        object,
                        pin,
                        hasher.clone(),
                        total,
                        offset,
                        len,
                        &hash,
                    )
                    .await?;
                Ok((data, true))
            })
            .buffered(opts.concurrency.max(1));
        while let Some((data, fetched)) = stream.try_next().await? {
            if fetched {
                outcome.fetched_blocks += 1;
                outcome.fetched_bytes += data.len() as u64;
            }
            writer
                .write_all(&data)
                .await
                .map_err(|e| ClientError::io("cannot write the download", e))?;
            if let Some(p) = &progress {
                p.advance(data.len() as u64);
            }
        }
        writer
            .flush()
            .await
            .map_err(|e| ClientError::io("cannot write the download", e))?;
        if let Some(p) = &progress {
            p.finish();
        }
        Ok(outcome)
    }

    /// A plain GET streamed into `out` (manifests, whose hashmap is empty).
    async fn plain_download<W>(
        &self,
        container: &str,
        object: &str,
        plan: &Plan,
        opts: &DownloadOptions,
        out: &mut W,
    ) -> Result<DownloadOutcome, ClientError>
    where
        W: AsyncWrite + Unpin + Send,
    {
        let gopts = GetObjectOptions {
            version: opts.version,
            ..Default::default()
        };
        let mut d = self.get_object(container, object, &gopts).await?;
        if let Some(p) = &opts.progress {
            p.start(d.info.bytes);
        }
        let mut bytes = 0u64;
        while let Some(chunk) = d.stream.try_next().await? {
            out.write_all(&chunk)
                .await
                .map_err(|e| ClientError::io("cannot write the download", e))?;
            bytes += chunk.len() as u64;
            if let Some(p) = &opts.progress {
                p.advance(chunk.len() as u64);
            }
        }
        out.flush()
            .await
            .map_err(|e| ClientError::io("cannot write the download", e))?;
        if let Some(p) = &opts.progress {
            p.finish();
        }
        Ok(DownloadOutcome {
            bytes,
            version: d.info.version,
            info: d.info,
            object_hash: None,
            blocks: plan.hashmap.blocks().count(),
            ..Default::default()
        })
    }
}

async fn read_local(f: &mut tokio::fs::File, offset: u64, len: u64) -> Option<Vec<u8>> {
    f.seek(SeekFrom::Start(offset)).await.ok()?;
    let mut buf = vec![0u8; usize::try_from(len).ok()?];
    let n = read_full(f, &mut buf).await.ok()?;
    (n == buf.len()).then_some(buf)
}

async fn rename_into_place(tmp: TempFile, dst: &Path) -> Result<(), ClientError> {
    tokio::fs::rename(tmp.path(), dst).await.map_err(|e| {
        ClientError::io(
            format!("cannot move {} to {}", tmp.path().display(), dst.display()),
            e,
        )
    })?;
    tmp.keep();
    Ok(())
}
