//! Download by hashmap (`spec/storage-pithos.md` §10.6): ranged GETs of
//! the blocks in parallel, every block checked against its hash, every
//! request pinned to one version of the object.
//!
//! Files are written at the right offsets into a hidden partial file beside
//! the destination (`.{name}.kamaki-partial`), renamed into place only once
//! complete: the previous file stays intact until then. A download stopped
//! midway (interrupted, or failed on the network after its retries) leaves
//! its verified blocks in the partial file, which the next run checks and
//! reuses, fetching only the blocks still missing. With `resume`, blocks of
//! an older local file are reused as well.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use kamaki_core::{ClientError, ErrorKind, Method, QueryParams};
use kamaki_openstack::storage as swift;
use kamaki_openstack::storage::ByteRange;
use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::hashmap::{
    block_hash, block_span, empty_hash, merkle_root, strip_trailing_zeros, BlockHasher, Hashmap,
};
use super::objects::{GetObjectOptions, Preconditions};
use super::transfer::{
    blocking, concurrency_or_default, hash_pieces, hashing_parallelism, is_transient,
    open_for_reading, read_exact_at, retrying, to_usize, write_all_at, BufferPool, PieceHasher,
    RetryCounter, DEFAULT_RETRIES,
};
use super::types::ObjectInfo;
use super::upload::TempFile;
use super::{PithosClient, ProgressField, SharedProgress};

/// The suffix of the hidden partial file a download writes beside its
/// destination (`.{name}.kamaki-partial`).
pub const PARTIAL_SUFFIX: &str = ".kamaki-partial";

/// Options of [`PithosClient::download_object`] and [`PithosClient::download_to_writer`].
#[derive(Clone, Default)]
pub struct DownloadOptions {
    /// A version id (default: the current version, pinned for the whole download).
    pub version: Option<u64>,
    /// Conditions on the hashmap request: an `If-None-Match` or
    /// `If-Modified-Since` hit downloads nothing (`not_modified`), an
    /// `If-Match`/`If-Unmodified-Since` miss fails with 412.
    pub conditions: Preconditions,
    /// Blocks fetched at once (0 = the default, 5, like kamaki's CLI).
    pub concurrency: usize,
    /// [`download_object`](PithosClient::download_object) only: blocks of an
    /// existing destination file whose hash matches a block of the object
    /// are reused instead of fetched. (The partial file of an interrupted
    /// download is always reused: it holds only verified blocks.)
    pub resume: bool,
    /// Only these bytes of the object (written from the start of the
    /// destination). Whole blocks are fetched and verified, then cut.
    pub range: Option<ByteRange>,
    /// How many times one failed block request (no answer, timeout, 5xx, a
    /// short or corrupt block) is sent again (default 5).
    pub retries: Option<u32>,
    /// Progress, in bytes of the object (or of the range).
    pub progress: Option<SharedProgress>,
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("version", &self.version)
            .field("conditions", &self.conditions)
            .field("concurrency", &self.concurrency)
            .field("resume", &self.resume)
            .field("range", &self.range)
            .field("retries", &self.retries)
            .field("progress", &ProgressField(&self.progress))
            .finish()
    }
}

/// What a download did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DownloadOutcome {
    /// The object was not modified (304 on the hashmap request); nothing was written.
    pub not_modified: bool,
    /// Bytes written (the object size, or the range length).
    pub bytes: u64,
    /// Number of blocks of the object.
    pub blocks: usize,
    /// Block requests made (repeated blocks are fetched once).
    pub fetched_blocks: usize,
    /// Bytes received in blocks.
    pub fetched_bytes: u64,
    /// Blocks reused from local data (an interrupted download's partial
    /// file, or the older destination with `resume`).
    pub reused_blocks: usize,
    /// Bytes of the reused blocks.
    pub reused_bytes: u64,
    /// The object's Merkle hash, checked against `X-Object-Hash`.
    pub object_hash: Option<String>,
    /// The version downloaded.
    pub version: Option<u64>,
    /// Every byte written was checked against the hashmap (false for a
    /// manifest object or a store that is not Pithos, which are read with a
    /// plain GET).
    pub verified: bool,
    /// Block requests sent again after a transient failure.
    pub retries: u32,
    /// The object headers of the hashmap answer.
    pub info: ObjectInfo,
}

/// The version and ETag every block request is pinned to.
#[derive(Clone, Debug)]
struct VersionPin {
    version: Option<u64>,
    etag: Option<String>,
}

/// A validated hashmap and what the block requests need.
struct Plan {
    hashmap: Hashmap,
    hasher: Arc<dyn BlockHasher>,
    empty: String,
    object_hash: String,
    pin: VersionPin,
}

impl Plan {
    fn blocks(&self) -> Vec<Block> {
        self.hashmap
            .blocks()
            .map(|b| Block {
                offset: b.offset,
                len: b.len,
                hash: b.hash.to_ascii_lowercase(),
            })
            .collect()
    }

    fn outcome(&self, retries: &RetryCounter) -> DownloadOutcome {
        DownloadOutcome {
            bytes: self.hashmap.bytes,
            blocks: self.hashmap.blocks().count(),
            object_hash: Some(self.object_hash.clone()),
            version: self.pin.version,
            verified: true,
            retries: retries.get(),
            info: self.hashmap.info.clone(),
            ..Default::default()
        }
    }
}

/// What an older local file gave.
#[derive(Debug, Default)]
struct Reuse {
    blocks: usize,
    bytes: u64,
    /// The file is the object already.
    identical: bool,
}

#[derive(Clone, Debug)]
struct Block {
    offset: u64,
    len: u64,
    hash: String,
}

/// What the hashmap request found.
enum Planned {
    /// 304: the conditions say there is nothing new.
    NotModified,
    /// Not a Pithos object store (no `X-Object-Hash`): read with a plain GET.
    NotPithos,
    /// A manifest object (its hashmap does not describe its parts).
    Manifest,
    /// An ordinary object.
    Blocks(Box<Plan>),
}

/// Everything one block request needs.
struct Fetcher<'a> {
    client: &'a PithosClient,
    container: &'a str,
    object: &'a str,
    plan: &'a Plan,
    retries: u32,
    counter: &'a RetryCounter,
}

fn changed_detail(e: ClientError) -> ClientError {
    if e.status == 412 {
        e.with_details(["The object changed during the download"])
    } else {
        e
    }
}

/// `[start, end)` of `range` in an object of `size` bytes.
fn resolve_range(range: ByteRange, size: u64) -> Result<(u64, u64), ClientError> {
    range.validate()?;
    let outside = || {
        ClientError::new(
            ErrorKind::InvalidArgument,
            format!("The range {range} is outside the object ({size} bytes)"),
        )
        .with_status(416)
    };
    match range {
        ByteRange::From(a) if a < size => Ok((a, size)),
        ByteRange::Span { start, end } if start < size => Ok((start, (end + 1).min(size))),
        ByteRange::Last(n) => Ok((size - n.min(size), size)),
        _ => Err(outside()),
    }
}

/// `block` cut to `[start, end)` of the object; `None` when they do not meet.
fn intersect(block: &Block, start: u64, end: u64) -> Option<(u64, u64)> {
    let s = block.offset.max(start);
    let e = (block.offset + block.len).min(end);
    (s < e).then_some((s, e))
}

/// The bytes of a block of `len` bytes whose content (without trailing
/// zeros) is that of `data`: `data` itself when the lengths agree.
fn shaped(data: &Bytes, len: u64) -> Result<Bytes, ClientError> {
    if data.len() as u64 == len {
        return Ok(data.clone());
    }
    let content = strip_trailing_zeros(data);
    let n = to_usize(len)?;
    if content.len() > n {
        return Err(ClientError::new(
            ErrorKind::Decode,
            "a block is longer than its position in the object",
        ));
    }
    let mut v = vec![0u8; n];
    v[..content.len()].copy_from_slice(content);
    Ok(Bytes::from(v))
}

/// A block as it arrived: the pieces of the response body, never joined
/// unless a caller needs one slice.
#[derive(Clone, Debug)]
struct BlockData {
    pieces: Vec<Bytes>,
    len: u64,
}

impl BlockData {
    /// Writes the block at `offset` of `file` (positional writes).
    fn write_at(&self, file: &std::fs::File, offset: u64) -> std::io::Result<()> {
        let mut at = offset;
        for p in &self.pieces {
            write_all_at(file, p, at)?;
            at += p.len() as u64;
        }
        Ok(())
    }

    /// The block as one buffer.
    fn joined(&self) -> Bytes {
        match self.pieces.as_slice() {
            [one] => one.clone(),
            pieces => {
                let mut v = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
                for p in pieces {
                    v.extend_from_slice(p);
                }
                Bytes::from(v)
            }
        }
    }

    /// The pieces covering bytes `[start, end)` of the block.
    fn slice(&self, start: usize, end: usize) -> Vec<Bytes> {
        let mut out = Vec::new();
        let mut at = 0usize;
        for p in &self.pieces {
            let (s, e) = (at, at + p.len());
            at = e;
            let (a, b) = (start.max(s), end.min(e));
            if a < b {
                out.push(p.slice(a - s..b - s));
            }
        }
        out
    }
}

/// Zeros, in pieces of at most 64 KiB (for all-zero blocks).
fn zero_pieces(len: u64) -> Vec<Bytes> {
    static ZEROS: [u8; 65536] = [0u8; 65536];
    let mut out = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(ZEROS.len() as u64);
        out.push(Bytes::from_static(&ZEROS[..n as usize]));
        left -= n;
    }
    out
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> ClientError + '_ {
    move |e| ClientError::io(format!("cannot write {}", path.display()), e)
}

impl Fetcher<'_> {
    /// One block, fetched with a ranged GET pinned to the planned version,
    /// checked for length and hash, sent again on transient failures and on
    /// short or corrupt answers.
    async fn fetch(&self, offset: u64, len: u64, expected: &str) -> Result<BlockData, ClientError> {
        let retryable = |e: &ClientError| is_transient(e) || e.kind == ErrorKind::Decode;
        retrying(self.retries, self.counter, retryable, || {
            self.fetch_once(offset, len, expected)
        })
        .await
    }

    async fn fetch_once(
        &self,
        offset: u64,
        len: u64,
        expected: &str,
    ) -> Result<BlockData, ClientError> {
        let (container, object) = (self.container, self.object);
        let total = self.plan.hashmap.bytes;
        let url = self.client.object_url(container, object)?;
        let mut q = QueryParams::new();
        q.push_opt("version", self.plan.pin.version);
        let resp = self
            .client
            .http_req(Method::GET, url)
            .query(&q)
            .header("Range", format!("bytes={offset}-{}", offset + len - 1))
            .header_opt("If-Match", self.plan.pin.etag.as_deref())
            .expect_status(&[206, 200])
            .send()
            .await
            .map_err(changed_detail)?;
        let whole = resp.status() == 200;
        // a block is hashed piece by piece as it arrives (each piece is at
        // most hyper's read buffer, so the task yields often)
        let mut stream = resp.into_stream();
        let mut pieces: Vec<Bytes> = Vec::new();
        let mut hashing = (!whole).then(|| PieceHasher::new(&self.plan.hasher));
        let mut received = 0u64;
        while let Some(piece) = stream.try_next().await? {
            received += piece.len() as u64;
            if received > len.max(total) {
                break;
            }
            if let Some(h) = hashing.as_mut() {
                h.update(&piece);
            }
            pieces.push(piece);
        }
        drop(stream);
        let mut data = BlockData {
            len: pieces.iter().map(|p| p.len() as u64).sum(),
            pieces,
        };
        if whole && data.len == total && len < total {
            // the server ignored the range and sent the whole object
            data = BlockData {
                pieces: data.slice(to_usize(offset)?, to_usize(offset + len)?),
                len,
            };
        }
        if data.len != len {
            return Err(ClientError::new(
                ErrorKind::Decode,
                format!(
                    "Block at offset {offset} of {container}/{object}: got {} bytes, expected {len}",
                    data.len
                ),
            ));
        }
        let got = match hashing {
            Some(h) => h.finish(),
            None => {
                let hasher = self.plan.hasher.clone();
                let pieces = data.pieces.clone();
                blocking(move || Ok(hash_pieces(&hasher, &pieces))).await?
            }
        };
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
}

impl PithosClient {
    /// `GET …?hashmap&format=json`, sent again on transient failures.
    async fn plan_download(
        &self,
        container: &str,
        object: &str,
        opts: &DownloadOptions,
        counter: &RetryCounter,
    ) -> Result<Planned, ClientError> {
        let url = self.object_url(container, object)?;
        let retries = opts.retries.unwrap_or(DEFAULT_RETRIES);
        let hashmap = retrying(retries, counter, is_transient, || async {
            let mut q = QueryParams::new();
            q.flag("hashmap")
                .push("format", "json")
                .push_opt("version", opts.version);
            let rb = self.http_req(Method::GET, url.clone()).query(&q);
            let resp = opts
                .conditions
                .apply(rb)
                .expect_status(&[200, 304])
                .send()
                .await?;
            if resp.status() == 304 {
                resp.bytes().await?;
                return Ok(None);
            }
            if resp.header("x-object-hash").is_none() {
                // not Pithos: the answer is the object itself; drop it
                return Ok(Some(Err(())));
            }
            let info = ObjectInfo::try_from(resp.headers())?;
            if info.manifest.is_some() {
                return Ok(Some(Ok(None)));
            }
            let mut hashmap: Hashmap = resp.json().await?;
            hashmap.info = info;
            Ok(Some(Ok(Some(hashmap))))
        })
        .await?;
        let hashmap = match hashmap {
            None => return Ok(Planned::NotModified),
            Some(Err(())) => return Ok(Planned::NotPithos),
            Some(Ok(None)) => return Ok(Planned::Manifest),
            Some(Ok(Some(h))) => h,
        };
        let hasher = hashmap.validate()?;
        let object_hash = merkle_root(hasher.as_ref(), &hashmap.hashes)?;
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
        let pin = VersionPin {
            version: hashmap.info.version.or(opts.version),
            etag: hashmap.info.etag.clone(),
        };
        let empty = empty_hash(hasher.as_ref());
        Ok(Planned::Blocks(Box::new(Plan {
            hashmap,
            hasher,
            empty,
            object_hash,
            pin,
        })))
    }

    /// Downloads an object into a file by hashmap:
    /// `GET …?hashmap&format=json` (success 200; 304 → nothing done), then
    /// `GET` with `Range: bytes=a-b` per distinct non-zero block,
    /// `concurrency` at a time (default 5; success 206, 200 tolerated), each
    /// pinned with `version=` and `If-Match` to the version the hashmap
    /// described, each checked against its hash and sent again on
    /// transient failures or a short or corrupt answer.
    ///
    /// Blocks are written at their offsets into `.{name}.kamaki-partial`
    /// beside `destination`, which replaces `destination` only once
    /// complete: a failed download leaves the previous file intact. The
    /// partial file keeps the verified blocks of a download interrupted or
    /// failed on the network (it is removed after other failures: a
    /// corrupt, changed or missing object); the next run checks them by
    /// hash and fetches only the others. With `resume`, blocks of the existing `destination` are
    /// reused too (matched by hash, wherever they are in the file).
    /// Repeated blocks are fetched once; all-zero blocks are not fetched.
    ///
    /// With `range`, only those bytes are written (at the start of the
    /// file); the blocks around them are fetched whole and verified.
    ///
    /// Manifest objects (whose hashmap is empty) and stores that are not
    /// Pithos (no `X-Object-Hash`) are read with a plain GET instead (the
    /// latter verified by MD5 as Swift allows).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names, a destination that is a directory, or a range outside
    /// the object (status 416); an [`Io`](kamaki_core::ErrorKind::Io) error
    /// for local file failures; a [`ClientError`] with the server's status
    /// (404, 403, 412 when the object changed during the download); a
    /// decode error for a corrupt block (after the retries) or an
    /// inconsistent hashmap.
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
        let name = dst
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                ClientError::invalid_argument(format!("{} is not a file path", dst.display()))
            })?;
        let dir = match dst.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let counter = RetryCounter::default();
        let plan = match self
            .plan_download(container, object, opts, &counter)
            .await?
        {
            Planned::NotModified => {
                return Ok(DownloadOutcome {
                    not_modified: true,
                    ..Default::default()
                })
            }
            Planned::NotPithos => {
                return self.download_swift_file(container, object, dst, opts).await
            }
            Planned::Manifest => {
                let (tmp, mut file) = TempFile::create(&dir, &name).await?;
                let outcome = self
                    .plain_download(container, object, opts, &mut file)
                    .await?;
                file.sync_all().await.map_err(io_at(tmp.path()))?;
                drop(file);
                rename_into_place(tmp, dst).await?;
                return Ok(outcome);
            }
            Planned::Blocks(plan) => plan,
        };
        let fetcher = Fetcher {
            client: self,
            container,
            object,
            plan: &plan,
            retries: opts.retries.unwrap_or(DEFAULT_RETRIES),
            counter: &counter,
        };
        if let Some(range) = opts.range {
            let (start, end) = resolve_range(range, plan.hashmap.bytes)?;
            return self
                .download_range_to_file(&fetcher, start, end, &dir, &name, dst, opts)
                .await;
        }
        let partial = dir.join(format!(".{name}{PARTIAL_SUFFIX}"));
        if let Some(p) = &opts.progress {
            p.start(Some(plan.hashmap.bytes));
        }
        let result = self
            .download_blocks_to_file(&fetcher, &partial, dst, opts)
            .await;
        if let Some(p) = &opts.progress {
            p.finish();
        }
        if let Err(e) = &result {
            // After a network failure (or a local one) the verified blocks
            // are kept for the next run; a corrupt, changed or vanished
            // object leaves nothing behind.
            let resumable = is_transient(e) || e.kind == ErrorKind::Io;
            if !resumable || std::fs::metadata(&partial).is_ok_and(|m| m.len() == 0) {
                let _ = std::fs::remove_file(&partial);
            }
        }
        result
    }

    /// The whole object into the partial file, reusing what it already
    /// holds (and with `resume` what the destination holds), then renamed.
    async fn download_blocks_to_file(
        &self,
        fetcher: &Fetcher<'_>,
        partial: &Path,
        dst: &Path,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError> {
        let plan = fetcher.plan;
        let total = plan.hashmap.bytes;
        let progress = opts.progress.clone();
        let mut outcome = plan.outcome(fetcher.counter);
        let blocks = plan.blocks();
        let par = hashing_parallelism() + 1;

        let path = partial.to_path_buf();
        let (part, part_len) = blocking(move || {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| ClientError::io(format!("cannot open {}", path.display()), e))?;
            let len = f
                .metadata()
                .map_err(|e| ClientError::io(format!("cannot read {}", path.display()), e))?
                .len();
            Ok((Arc::new(f), len))
        })
        .await?;
        let part_name: Arc<str> = Arc::from(partial.display().to_string());

        // 1. blocks the partial file already holds, in place
        let mut have = vec![false; blocks.len()];
        let in_place: Vec<usize> = (0..blocks.len())
            .filter(|&i| blocks[i].offset + blocks[i].len <= part_len)
            .collect();
        let pool = BufferPool::new(to_usize(plan.hashmap.block_size.min(total.max(1)))?, par);
        let found: Vec<(usize, bool)> = futures::stream::iter(in_place)
            .map(|i| {
                let b = &blocks[i];
                let (file, hasher, name) = (part.clone(), plan.hasher.clone(), part_name.clone());
                let (offset, len, want) = (b.offset, b.len, b.hash.clone());
                let pool = pool.clone();
                async move {
                    let n = to_usize(len)?;
                    blocking(move || {
                        let mut buf = pool.take();
                        let read = read_exact_at(&file, &mut buf[..n], offset);
                        let ok = read
                            .as_ref()
                            .is_ok_and(|()| block_hash(hasher.as_ref(), &buf[..n]) == want);
                        pool.put(buf);
                        read.map_err(|e| ClientError::io(format!("cannot read {name}"), e))?;
                        Ok((i, ok))
                    })
                    .await
                }
            })
            .buffered(par)
            .try_collect()
            .await?;
        for (i, ok) in found {
            if ok {
                have[i] = true;
                if blocks[i].hash != plan.empty {
                    outcome.reused_blocks += 1;
                    outcome.reused_bytes += blocks[i].len;
                }
            }
        }

        // 2. with resume, blocks of the older destination, matched by hash
        if opts.resume {
            let wanted: HashSet<&str> = blocks
                .iter()
                .zip(&have)
                .filter(|(b, h)| !**h && b.hash != plan.empty)
                .map(|(b, _)| b.hash.as_str())
                .collect();
            if !wanted.is_empty() && dst.is_file() {
                let reuse = self
                    .reuse_local_blocks(
                        fetcher, dst, &wanted, &blocks, &mut have, &part, partial, &pool,
                    )
                    .await?;
                if reuse.identical {
                    // the destination is the object already: nothing to write
                    drop(part);
                    let _ = tokio::fs::remove_file(partial).await;
                    outcome.reused_blocks = blocks.iter().filter(|b| b.hash != plan.empty).count();
                    outcome.reused_bytes = total;
                    if let Some(p) = &progress {
                        p.advance(total);
                    }
                    return Ok(outcome);
                }
                outcome.reused_blocks += reuse.blocks;
                outcome.reused_bytes += reuse.bytes;
            }
        }

        // 3. all-zero blocks are written, never fetched
        for (i, b) in blocks.iter().enumerate() {
            if have[i] || b.hash != plan.empty {
                continue;
            }
            if b.offset < part_len {
                // stale bytes there: overwrite them (past the old end the file reads as zeros)
                let (file, offset) = (part.clone(), b.offset);
                let zeros = BlockData {
                    pieces: zero_pieces(b.len),
                    len: b.len,
                };
                let p = partial.to_path_buf();
                blocking(move || zeros.write_at(&file, offset).map_err(io_at(&p))).await?;
            }
            have[i] = true;
        }
        if let Some(p) = &progress {
            let done: u64 = blocks
                .iter()
                .zip(&have)
                .filter(|(_, h)| **h)
                .map(|(b, _)| b.len)
                .sum();
            p.advance(done);
        }

        // 4. the rest, one request per distinct hash, written at every position
        let mut order: Vec<&str> = Vec::new();
        let mut positions: HashMap<&str, Vec<(u64, u64)>> = HashMap::new();
        for (b, _) in blocks.iter().zip(&have).filter(|(_, h)| !**h) {
            positions
                .entry(b.hash.as_str())
                .or_insert_with(|| {
                    order.push(b.hash.as_str());
                    Vec::new()
                })
                .push((b.offset, b.len));
        }
        let fetched: Vec<(usize, u64)> = futures::stream::iter(order)
            .map(|hash| {
                let places = positions.remove(hash).unwrap_or_default();
                let (part, progress) = (part.clone(), progress.clone());
                async move {
                    let (offset, len) = places.first().copied().unwrap_or((0, 0));
                    let data = fetcher.fetch(offset, len, hash).await?;
                    let received = data.len;
                    let p = partial.to_path_buf();
                    let written = places.iter().map(|&(_, l)| l).sum::<u64>();
                    blocking(move || {
                        for (offset, len) in places {
                            if len == data.len {
                                data.write_at(&part, offset).map_err(io_at(&p))?;
                            } else {
                                let block = shaped(&data.joined(), len)?;
                                write_all_at(&part, &block, offset).map_err(io_at(&p))?;
                            }
                        }
                        Ok(())
                    })
                    .await?;
                    if let Some(p) = &progress {
                        p.advance(written);
                    }
                    Ok::<_, ClientError>((1usize, received))
                }
            })
            .buffer_unordered(concurrency_or_default(opts.concurrency))
            .try_collect()
            .await?;
        outcome.fetched_blocks = fetched.iter().map(|f| f.0).sum();
        outcome.fetched_bytes = fetched.iter().map(|f| f.1).sum();
        outcome.retries = fetcher.counter.get();

        // 5. cut to size, make durable, move into place
        let p = partial.to_path_buf();
        blocking(move || {
            part.set_len(total).map_err(io_at(&p))?;
            part.sync_all().map_err(io_at(&p))
        })
        .await?;
        tokio::fs::rename(partial, dst).await.map_err(|e| {
            ClientError::io(
                format!("cannot move {} to {}", partial.display(), dst.display()),
                e,
            )
        })?;
        Ok(outcome)
    }

    /// Copies into the partial file the blocks of `dst` (an older local
    /// copy) whose hashes the object needs; or finds that `dst` is the
    /// object already.
    #[allow(clippy::too_many_arguments)]
    async fn reuse_local_blocks(
        &self,
        fetcher: &Fetcher<'_>,
        dst: &Path,
        wanted: &HashSet<&str>,
        blocks: &[Block],
        have: &mut [bool],
        part: &Arc<std::fs::File>,
        partial: &Path,
        pool: &Arc<BufferPool>,
    ) -> Result<Reuse, ClientError> {
        let plan = fetcher.plan;
        let block_size = plan.hashmap.block_size;
        let (local, local_len) = match open_for_reading(dst).await {
            Ok(x) => x,
            Err(_) => return Ok(Reuse::default()),
        };
        let local_name: Arc<str> = Arc::from(dst.display().to_string());
        let count = super::hashmap::block_count(local_len, block_size);
        // hash the local file's blocks, keeping where the wanted ones are
        let local_hashes: Vec<(String, u64, u64)> = futures::stream::iter(0..count)
            .map(|i| {
                let (offset, len) = block_span(i, local_len, block_size);
                let (file, hasher, name) = (local.clone(), plan.hasher.clone(), local_name.clone());
                let pool = pool.clone();
                async move {
                    let n = to_usize(len)?;
                    blocking(move || {
                        let mut buf = pool.take_at_least(n);
                        let read = read_exact_at(&file, &mut buf[..n], offset);
                        let hash = read.map(|()| block_hash(hasher.as_ref(), &buf[..n]));
                        pool.put(buf);
                        let hash =
                            hash.map_err(|e| ClientError::io(format!("cannot read {name}"), e))?;
                        Ok((hash, offset, len))
                    })
                    .await
                }
            })
            .buffered(hashing_parallelism() + 1)
            .try_collect()
            .await?;
        let identical = local_len == plan.hashmap.bytes
            && local_hashes.len() == blocks.len()
            && local_hashes
                .iter()
                .zip(blocks)
                .all(|((h, _, _), b)| *h == b.hash);
        if identical {
            return Ok(Reuse {
                identical,
                ..Default::default()
            });
        }
        let mut at: HashMap<String, (u64, u64)> = HashMap::new();
        for (h, offset, len) in local_hashes {
            if wanted.contains(h.as_str()) {
                at.entry(h).or_insert((offset, len));
            }
        }
        let copies: Vec<(usize, (u64, u64))> = blocks
            .iter()
            .enumerate()
            .filter(|(i, _)| !have[*i])
            .filter_map(|(i, b)| at.get(&b.hash).map(|&src| (i, src)))
            .collect();
        let done = AtomicUsize::new(0);
        let copied: Vec<(usize, u64)> = futures::stream::iter(copies)
            .map(|(i, (src_offset, src_len))| {
                let b = &blocks[i];
                let (local, part, name) = (local.clone(), part.clone(), local_name.clone());
                let (offset, len) = (b.offset, b.len);
                let p = partial.to_path_buf();
                let done = &done;
                let pool = pool.clone();
                async move {
                    let data = pool.read(&local, src_offset, src_len, &name).await?;
                    blocking(move || {
                        write_all_at(&part, &shaped(&data, len)?, offset).map_err(io_at(&p))
                    })
                    .await?;
                    done.fetch_add(1, Ordering::Relaxed);
                    Ok::<_, ClientError>((i, len))
                }
            })
            .buffer_unordered(hashing_parallelism() + 1)
            .try_collect()
            .await?;
        let mut bytes = 0u64;
        for (i, len) in &copied {
            have[*i] = true;
            bytes += len;
        }
        Ok(Reuse {
            blocks: done.load(Ordering::Relaxed),
            bytes,
            identical: false,
        })
    }

    /// Bytes `[start, end)` of the object into a new temporary file, renamed
    /// onto `dst`: the blocks around them fetched whole and verified.
    #[allow(clippy::too_many_arguments)]
    async fn download_range_to_file(
        &self,
        fetcher: &Fetcher<'_>,
        start: u64,
        end: u64,
        dir: &Path,
        name: &str,
        dst: &Path,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError> {
        let plan = fetcher.plan;
        let (tmp, file) = TempFile::create(dir, name).await?;
        let file = Arc::new(file.into_std().await);
        let tmp_path = tmp.path().to_path_buf();
        let progress = opts.progress.clone();
        if let Some(p) = &progress {
            p.start(Some(end - start));
        }
        let mut outcome = plan.outcome(fetcher.counter);
        outcome.bytes = end - start;
        let wanted: Vec<(Block, u64, u64)> = plan
            .blocks()
            .into_iter()
            .filter_map(|b| intersect(&b, start, end).map(|(s, e)| (b, s, e)))
            .collect();
        let fetched: Vec<(usize, u64)> = futures::stream::iter(wanted)
            .map(|(b, s, e)| {
                let (file, progress, p) = (file.clone(), progress.clone(), tmp_path.clone());
                async move {
                    if b.hash == plan.empty {
                        // zeros: the file reads as zeros where nothing is written
                        if let Some(p) = &progress {
                            p.advance(e - s);
                        }
                        return Ok::<_, ClientError>((0usize, 0u64));
                    }
                    let data = fetcher.fetch(b.offset, b.len, &b.hash).await?;
                    let received = data.len;
                    let piece = BlockData {
                        pieces: data.slice(to_usize(s - b.offset)?, to_usize(e - b.offset)?),
                        len: e - s,
                    };
                    blocking(move || piece.write_at(&file, s - start).map_err(io_at(&p))).await?;
                    if let Some(p) = &progress {
                        p.advance(e - s);
                    }
                    Ok((1, received))
                }
            })
            .buffer_unordered(concurrency_or_default(opts.concurrency))
            .try_collect()
            .await?;
        outcome.fetched_blocks = fetched.iter().map(|f| f.0).sum();
        outcome.fetched_bytes = fetched.iter().map(|f| f.1).sum();
        outcome.retries = fetcher.counter.get();
        let p = tmp_path.clone();
        blocking(move || {
            file.set_len(end - start).map_err(io_at(&p))?;
            file.sync_all().map_err(io_at(&p))
        })
        .await?;
        rename_into_place(tmp, dst).await?;
        if let Some(p) = &progress {
            p.finish();
        }
        Ok(outcome)
    }

    /// Downloads an object by hashmap into a writer, in order (for stdout,
    /// pipes, or any stream): the same pinned, hash-checked, retried block
    /// requests as [`download_object`](Self::download_object), with up to
    /// `concurrency` in flight and written in order (memory: one block per
    /// request in flight). Repeated blocks are written at every position;
    /// all-zero blocks are not fetched; an empty object writes nothing.
    /// With `range`, only those bytes are written.
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
        let counter = RetryCounter::default();
        let plan = match self
            .plan_download(container, object, opts, &counter)
            .await?
        {
            Planned::NotModified => {
                return Ok(DownloadOutcome {
                    not_modified: true,
                    ..Default::default()
                })
            }
            Planned::NotPithos => {
                return self
                    .download_swift_writer(container, object, writer, opts)
                    .await
            }
            Planned::Manifest => {
                return self.plain_download(container, object, opts, writer).await;
            }
            Planned::Blocks(plan) => plan,
        };
        let fetcher = Fetcher {
            client: self,
            container,
            object,
            plan: &plan,
            retries: opts.retries.unwrap_or(DEFAULT_RETRIES),
            counter: &counter,
        };
        let total = plan.hashmap.bytes;
        let (start, end) = match opts.range {
            Some(r) => resolve_range(r, total)?,
            None => (0, total),
        };
        let progress = opts.progress.clone();
        if let Some(p) = &progress {
            p.start(Some(end - start));
        }
        let mut outcome = plan.outcome(&counter);
        outcome.bytes = end - start;
        let wanted: Vec<(Block, u64, u64)> = plan
            .blocks()
            .into_iter()
            .filter_map(|b| intersect(&b, start, end).map(|(s, e)| (b, s, e)))
            .collect();
        let empty = plan.empty.as_str();
        let fetcher = &fetcher;
        let mut stream = futures::stream::iter(wanted)
            .map(|(b, s, e)| async move {
                let (data, fetched) = if b.hash == empty {
                    let zeros = BlockData {
                        pieces: zero_pieces(b.len),
                        len: b.len,
                    };
                    (zeros, None)
                } else {
                    let data = fetcher.fetch(b.offset, b.len, &b.hash).await?;
                    let n = data.len;
                    (data, Some(n))
                };
                let pieces = data.slice(to_usize(s - b.offset)?, to_usize(e - b.offset)?);
                Ok::<_, ClientError>((pieces, fetched))
            })
            .buffered(concurrency_or_default(opts.concurrency));
        let result = async {
            while let Some((pieces, fetched)) = stream.try_next().await? {
                if let Some(n) = fetched {
                    outcome.fetched_blocks += 1;
                    outcome.fetched_bytes += n;
                }
                for piece in pieces {
                    writer
                        .write_all(&piece)
                        .await
                        .map_err(|e| ClientError::io("cannot write the download", e))?;
                    if let Some(p) = &progress {
                        p.advance(piece.len() as u64);
                    }
                }
            }
            writer
                .flush()
                .await
                .map_err(|e| ClientError::io("cannot write the download", e))
        }
        .await;
        if let Some(p) = &progress {
            p.finish();
        }
        result?;
        outcome.retries = counter.get();
        Ok(outcome)
    }

    /// A plain GET streamed into `out` (manifests, whose hashmap is empty).
    async fn plain_download<W>(
        &self,
        container: &str,
        object: &str,
        opts: &DownloadOptions,
        out: &mut W,
    ) -> Result<DownloadOutcome, ClientError>
    where
        W: AsyncWrite + Unpin + Send,
    {
        let gopts = GetObjectOptions {
            version: opts.version,
            range: opts
                .range
                .map(|r| r.to_string().trim_start_matches("bytes=").to_string()),
            ..Default::default()
        };
        let mut d = self.get_object(container, object, &gopts).await?;
        if let Some(p) = &opts.progress {
            p.start(d.info.bytes);
        }
        let mut bytes = 0u64;
        let result = async {
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
                .map_err(|e| ClientError::io("cannot write the download", e))
        }
        .await;
        if let Some(p) = &opts.progress {
            p.finish();
        }
        result?;
        Ok(DownloadOutcome {
            bytes,
            version: d.info.version,
            info: d.info,
            ..Default::default()
        })
    }

    fn swift_read_options(opts: &DownloadOptions) -> swift::DownloadOptions {
        let mut read = swift::ReadOptions {
            range: opts.range,
            if_match: opts.conditions.if_match.clone(),
            if_none_match: opts.conditions.if_none_match.clone(),
            ..Default::default()
        };
        read.query.push_opt("version", opts.version);
        swift::DownloadOptions {
            read,
            progress: opts.progress.clone(),
            ..Default::default()
        }
    }

    /// A store that is not Pithos: the plain Swift download (MD5-verified).
    async fn download_swift_file(
        &self,
        container: &str,
        object: &str,
        dst: &Path,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError> {
        let report = self
            .storage()
            .download_object(container, object, dst, &Self::swift_read_options(opts))
            .await?;
        Ok(swift_outcome(&report))
    }

    async fn download_swift_writer<W>(
        &self,
        container: &str,
        object: &str,
        writer: &mut W,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError>
    where
        W: AsyncWrite + Unpin + Send,
    {
        let report = self
            .storage()
            .download_object_to_writer(container, object, writer, &Self::swift_read_options(opts))
            .await?;
        Ok(swift_outcome(&report))
    }
}

fn swift_outcome(report: &swift::DownloadReport) -> DownloadOutcome {
    let info = ObjectInfo::try_from(&report.info.headers).unwrap_or_default();
    DownloadOutcome {
        bytes: report.bytes,
        fetched_bytes: report.bytes,
        version: info.version,
        info,
        ..Default::default()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_resolve_inside_the_object() {
        let span = |start, end| ByteRange::Span { start, end };
        assert_eq!(resolve_range(span(2, 7), 11).ok(), Some((2, 8)));
        assert_eq!(resolve_range(span(2, 70), 11).ok(), Some((2, 11)));
        assert_eq!(resolve_range(ByteRange::From(10), 11).ok(), Some((10, 11)));
        assert_eq!(resolve_range(ByteRange::Last(3), 11).ok(), Some((8, 11)));
        assert_eq!(resolve_range(ByteRange::Last(30), 11).ok(), Some((0, 11)));
        assert_eq!(resolve_range(ByteRange::Last(3), 0).ok(), Some((0, 0)));
        let err = resolve_range(ByteRange::From(11), 11).err();
        assert_eq!(
            err.map(|e| (e.kind, e.status)),
            Some((ErrorKind::InvalidArgument, 416))
        );
        assert!(resolve_range(span(5, 2), 11).is_err());
    }

    #[test]
    fn intersections() {
        let b = Block {
            offset: 4,
            len: 4,
            hash: String::new(),
        };
        assert_eq!(intersect(&b, 2, 8), Some((4, 8)));
        assert_eq!(intersect(&b, 5, 6), Some((5, 6)));
        assert_eq!(intersect(&b, 8, 9), None);
        assert_eq!(intersect(&b, 0, 4), None);
    }

    #[test]
    fn shaped_pads_or_keeps() {
        let data = Bytes::from_static(b"abc\0");
        assert_eq!(shaped(&data, 4).ok(), Some(data.clone()));
        assert_eq!(shaped(&data, 3).ok(), Some(Bytes::from_static(b"abc")));
        assert_eq!(
            shaped(&data, 6).ok(),
            Some(Bytes::from_static(b"abc\0\0\0"))
        );
        assert!(shaped(&data, 2).is_err());
    }
}
