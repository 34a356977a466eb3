//! Upload by hashmap (`spec/storage-pithos.md` §10.4) and the data updates
//! through POST: append, overwrite, truncate (§6.5).
//!
//! The upload engine reads its source once, hashing blocks on all cores
//! (a stream is spooled to a temporary file on the way), asks the server
//! which blocks it lacks with the hashmap `PUT`, sends only those with
//! bounded concurrency (each retried on transient failures), and repeats
//! the `PUT`. Memory stays flat: a few blocks per core and one per block
//! request in flight, whatever the size. A container that is not Pithos
//! (no `X-Container-Block-Hash`, e.g. plain Swift) gets a plain `PUT`, or
//! static large object segments for large files.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use kamaki_core::{Body, ClientError, ErrorKind, HeaderMap, HeaderValue, Method};
use kamaki_openstack::storage as swift;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::containers::ContainerInfoOptions;
use super::hashmap::{block_hash, block_hasher, block_span, merkle_root, BlockHasher};
use super::objects::{sharing_header, source_path};
use super::sharing::Sharing;
use super::transfer::{
    blocking, concurrency_or_default, hash_bytes, hash_file_blocks, hashing_parallelism,
    is_transient, open_for_reading, retrying, to_usize, write_all_at, BufferPool, RetryCounter,
    DEFAULT_RETRIES,
};
use super::types::{header_table, Meta, ObjectWritten};
use super::{
    encoded_header, encoded_header_opt, meta_headers, public_header, PithosClient, ProgressField,
    SharedProgress,
};

/// Files larger than this go to a non-Pithos store as static large object
/// segments of this size, unless [`UploadOptions::segment_size`] says otherwise.
pub const DEFAULT_SEGMENT_SIZE: u64 = 1024 * 1024 * 1024;

/// Where upload data comes from.
pub struct UploadSource(Source);

enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    Reader {
        reader: Pin<Box<dyn AsyncRead + Send>>,
        size: Option<u64>,
    },
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Path(p) => f.debug_tuple("UploadSource::Path").field(p).finish(),
            Source::Bytes(b) => f
                .debug_struct("UploadSource::Bytes")
                .field("len", &b.len())
                .finish(),
            Source::Reader { size, .. } => f
                .debug_struct("UploadSource::Reader")
                .field("size", size)
                .finish(),
        }
    }
}

impl UploadSource {
    /// A local file; it is read block by block, and only the blocks the
    /// server lacks are read again to be sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        UploadSource(Source::Path(path.into()))
    }

    /// Data in memory.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        UploadSource(Source::Bytes(data.into()))
    }

    /// Any reader (stdin, a pipe, a decompressor). It is read once; for
    /// hashmap uploads it is spooled to a temporary file while hashed, so it
    /// is never held in memory. `size`, when given, is checked.
    pub fn reader<R: AsyncRead + Send + 'static>(reader: R, size: Option<u64>) -> Self {
        UploadSource(Source::Reader {
            reader: Box::pin(reader),
            size,
        })
    }
}

impl From<Bytes> for UploadSource {
    fn from(b: Bytes) -> Self {
        UploadSource::bytes(b)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(b: Vec<u8>) -> Self {
        UploadSource::bytes(b)
    }
}

impl From<PathBuf> for UploadSource {
    fn from(p: PathBuf) -> Self {
        UploadSource::path(p)
    }
}

impl From<&Path> for UploadSource {
    fn from(p: &Path) -> Self {
        UploadSource::path(p)
    }
}

/// Options of [`PithosClient::upload_object`].
#[derive(Clone, Default)]
pub struct UploadOptions {
    /// `Content-Type` (default `application/octet-stream`).
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition` (sent on every hashmap PUT, unlike kamaki).
    pub content_disposition: Option<String>,
    /// `X-Object-Meta-*` (replaces previous metadata).
    pub meta: Meta,
    /// `X-Object-Sharing`.
    pub sharing: Option<Sharing>,
    /// `X-Object-Public`.
    pub public: Option<bool>,
    /// `If-Match`: replace only this version (412 otherwise).
    pub if_match: Option<String>,
    /// Create only: `If-None-Match: *` (412 if the object exists).
    pub if_not_exist: bool,
    /// The container's block size, when known (skips the container HEAD if
    /// `block_hash` is given too).
    pub block_size: Option<u64>,
    /// The container's block hash algorithm, when known.
    pub block_hash: Option<String>,
    /// Missing blocks sent at once (0 = the default, 5, like kamaki's CLI).
    pub concurrency: usize,
    /// How many times the hashmap PUT may answer 409 before giving up
    /// (default 3).
    pub max_rounds: u32,
    /// How many times one failed request (no answer, timeout, 5xx, a block
    /// stored with another hash) is sent again (default 5).
    pub retries: Option<u32>,
    /// On a store that is not Pithos: files larger than this are uploaded
    /// as static large object segments of this size (default 1 GiB).
    pub segment_size: Option<u64>,
    /// Where a reader source is spooled (default: the system temp dir).
    pub spool_dir: Option<PathBuf>,
    /// Progress of hashing, in bytes.
    pub hash_progress: Option<SharedProgress>,
    /// Progress of sending missing blocks, in bytes.
    pub upload_progress: Option<SharedProgress>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("content_type", &self.content_type)
            .field("content_encoding", &self.content_encoding)
            .field("content_disposition", &self.content_disposition)
            .field("meta", &self.meta)
            .field("sharing", &self.sharing)
            .field("public", &self.public)
            .field("if_match", &self.if_match)
            .field("if_not_exist", &self.if_not_exist)
            .field("block_size", &self.block_size)
            .field("block_hash", &self.block_hash)
            .field("concurrency", &self.concurrency)
            .field("max_rounds", &self.max_rounds)
            .field("retries", &self.retries)
            .field("segment_size", &self.segment_size)
            .field("spool_dir", &self.spool_dir)
            .field("hash_progress", &ProgressField(&self.hash_progress))
            .field("upload_progress", &ProgressField(&self.upload_progress))
            .finish()
    }
}

/// What [`PithosClient::upload_object`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UploadOutcome {
    /// `ETag` of the new object (the Merkle hash, or MD5 on some servers).
    pub etag: Option<String>,
    /// `X-Object-Version` of the new object.
    pub version: Option<u64>,
    /// Object size in bytes.
    pub bytes: u64,
    /// The Merkle hash computed locally (what `X-Object-Hash` will be).
    pub object_hash: String,
    /// Number of blocks of the object.
    pub blocks: usize,
    /// Blocks sent (the server already had the others).
    pub uploaded_blocks: usize,
    /// Bytes sent in blocks.
    pub uploaded_bytes: u64,
    /// Headers of the final PUT (lower-case names, values decoded).
    pub headers: std::collections::BTreeMap<String, String>,
    /// How the object was written.
    pub mode: UploadMode,
    /// Requests sent again after a transient failure.
    pub retries: u32,
}

/// How [`PithosClient::upload_object`] wrote an object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadMode {
    /// By hashmap: only the blocks the server lacked were sent.
    #[default]
    Hashmap,
    /// A plain `PUT` of the whole content (the container is not Pithos).
    Plain,
    /// A static large object of this many segments (the container is not
    /// Pithos and the file is larger than the segment size).
    Segmented {
        /// Number of segments.
        segments: usize,
    },
}

/// Options of [`PithosClient::append_object`] and [`PithosClient::overwrite_object`].
#[derive(Clone, Default)]
pub struct AppendOptions {
    /// Bytes per POST (default: the container's block size, from a HEAD).
    pub block_size: Option<u64>,
    /// Progress, in bytes.
    pub progress: Option<SharedProgress>,
}

impl fmt::Debug for AppendOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppendOptions")
            .field("block_size", &self.block_size)
            .field("progress", &ProgressField(&self.progress))
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Temporary files

/// A file removed when dropped (unless kept).
pub(crate) struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    /// Creates a new, empty file named `.{stem}.{unique}.part` in `dir`.
    pub(crate) async fn create(
        dir: &Path,
        stem: &str,
    ) -> Result<(Self, tokio::fs::File), ClientError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut last_err = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!(".{stem}.{}.{nanos}.{n}.part", std::process::id());
            let path = dir.join(name);
            match tokio::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(f) => return Ok((TempFile { path, keep: false }, f)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
                Err(e) => {
                    return Err(ClientError::io(
                        format!("cannot create a temporary file in {}", dir.display()),
                        e,
                    ))
                }
            }
        }
        Err(ClientError::io(
            format!("cannot create a temporary file in {}", dir.display()),
            last_err.unwrap_or_else(|| io::Error::other("name clash")),
        ))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps the file (after it was renamed into place).
    pub(crate) fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

// ---------------------------------------------------------------------------
// Reading sources

/// Reads until `buf` is full or the reader ends; returns the bytes read.
pub(crate) async fn read_full<R: AsyncRead + Unpin + ?Sized>(
    r: &mut R,
    buf: &mut [u8],
) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = r.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// A source read chunk by chunk.
enum ChunkReader {
    Memory { data: Bytes, pos: usize },
    Stream(Pin<Box<dyn AsyncRead + Send>>),
}

impl ChunkReader {
    async fn open(source: Source) -> Result<(Self, Option<u64>), ClientError> {
        Ok(match source {
            Source::Bytes(b) => {
                let len = b.len() as u64;
                (ChunkReader::Memory { data: b, pos: 0 }, Some(len))
            }
            Source::Path(p) => {
                let f = tokio::fs::File::open(&p)
                    .await
                    .map_err(|e| ClientError::io(format!("cannot open {}", p.display()), e))?;
                let len = f
                    .metadata()
                    .await
                    .map_err(|e| ClientError::io(format!("cannot read {}", p.display()), e))?
                    .len();
                (ChunkReader::Stream(Box::pin(f)), Some(len))
            }
            Source::Reader { reader, size } => (ChunkReader::Stream(reader), size),
        })
    }

    /// The next chunk of at most `max` bytes; `None` at the end.
    async fn next(&mut self, max: usize) -> Result<Option<Bytes>, ClientError> {
        match self {
            ChunkReader::Memory { data, pos } => {
                if *pos >= data.len() {
                    return Ok(None);
                }
                let end = (*pos + max).min(data.len());
                let chunk = data.slice(*pos..end);
                *pos = end;
                Ok(Some(chunk))
            }
            ChunkReader::Stream(r) => {
                let mut buf = vec![0u8; max];
                let n = read_full(r, &mut buf)
                    .await
                    .map_err(|e| ClientError::io("cannot read the upload source", e))?;
                if n == 0 {
                    return Ok(None);
                }
                buf.truncate(n);
                Ok(Some(Bytes::from(buf)))
            }
        }
    }
}

/// Where the blocks of a hashed source are read again from to be sent.
pub(crate) enum BlockStore {
    /// A file (the source itself, or the spool of a stream), read in place.
    File {
        file: Arc<std::fs::File>,
        what: Arc<str>,
        pool: Arc<BufferPool>,
        _spool: Option<TempFile>,
    },
    /// Data in memory.
    Memory(Bytes),
}

impl BlockStore {
    async fn block(&self, offset: u64, len: u64) -> Result<Bytes, ClientError> {
        match self {
            BlockStore::File {
                file, what, pool, ..
            } => pool.read(file, offset, len, what).await,
            BlockStore::Memory(b) => {
                let start = to_usize(offset)?;
                let end = to_usize(offset + len)?;
                if end > b.len() {
                    return Err(ClientError::invalid_argument(format!(
                        "block {offset}+{len} is past the end of the data"
                    )));
                }
                Ok(b.slice(start..end))
            }
        }
    }
}

/// A source read and hashed: its size, block hashes, and where the blocks
/// are read again from.
pub(crate) struct Hashed {
    pub(crate) size: u64,
    pub(crate) hashes: Vec<String>,
    pub(crate) store: BlockStore,
}

impl Hashed {
    /// A local file whose blocks were hashed already; blocks are read again
    /// into at most `concurrency + 1` buffers of `block_size`.
    pub(crate) fn file(
        file: Arc<std::fs::File>,
        path: &Path,
        size: u64,
        hashes: Vec<String>,
        block_size: u64,
        concurrency: usize,
    ) -> Result<Self, ClientError> {
        Ok(Hashed {
            size,
            hashes,
            store: BlockStore::File {
                file,
                what: Arc::from(path.display().to_string()),
                pool: send_pool(block_size, size, concurrency)?,
                _spool: None,
            },
        })
    }
}

/// Buffers for the blocks being sent.
fn send_pool(
    block_size: u64,
    size: u64,
    concurrency: usize,
) -> Result<Arc<BufferPool>, ClientError> {
    Ok(BufferPool::new(
        to_usize(block_size.min(size.max(1)))?,
        concurrency + 1,
    ))
}

/// Reads the source once and hashes its blocks on all cores. A file is
/// read in place (each block by a positional read on a worker thread);
/// a reader is spooled to a temporary file on the way, so that the blocks
/// the server lacks can be sent without holding the stream in memory.
async fn hash_source(
    source: UploadSource,
    block_size: u64,
    hasher: Arc<dyn BlockHasher>,
    opts: &UploadOptions,
) -> Result<Hashed, ClientError> {
    let progress = opts.hash_progress.clone();
    let result = match source.0 {
        Source::Bytes(data) => {
            if let Some(p) = &progress {
                p.start(Some(data.len() as u64));
            }
            hash_memory(data, block_size, hasher, progress.as_ref()).await
        }
        Source::Path(path) => {
            let (file, size) = open_for_reading(&path).await?;
            if let Some(p) = &progress {
                p.start(Some(size));
            }
            let what: Arc<str> = Arc::from(path.display().to_string());
            let hashes = hash_file_blocks(
                file.clone(),
                size,
                block_size,
                hasher,
                progress.as_ref(),
                what.clone(),
            )
            .await?;
            let now = open_for_reading(&path).await?.1;
            if now != size {
                return Err(ClientError::new(
                    ErrorKind::Io,
                    format!("{what} changed while being read: it had {size} bytes, now {now}"),
                ));
            }
            Ok(Hashed {
                size,
                hashes,
                store: BlockStore::File {
                    file,
                    what,
                    pool: send_pool(block_size, size, concurrency_or_default(opts.concurrency))?,
                    _spool: None,
                },
            })
        }
        Source::Reader { reader, size } => {
            if let Some(p) = &progress {
                p.start(size);
            }
            let hashed = hash_stream(reader, block_size, hasher, opts, progress.as_ref()).await?;
            if let Some(want) = size {
                if want != hashed.size {
                    return Err(ClientError::new(
                        ErrorKind::Io,
                        format!(
                            "The upload source gave {} bytes, expected {want}",
                            hashed.size
                        ),
                    ));
                }
            }
            Ok(hashed)
        }
    };
    if let Some(p) = &progress {
        p.finish();
    }
    result
}

async fn hash_memory(
    data: Bytes,
    block_size: u64,
    hasher: Arc<dyn BlockHasher>,
    progress: Option<&SharedProgress>,
) -> Result<Hashed, ClientError> {
    let bs = to_usize(block_size)?;
    let size = data.len() as u64;
    let blocks: Vec<Bytes> = (0..data.len())
        .step_by(bs.max(1))
        .map(|start| data.slice(start..(start + bs).min(data.len())))
        .collect();
    let hashes = futures::stream::iter(blocks)
        .map(|block| {
            let hasher = hasher.clone();
            async move {
                let len = block.len() as u64;
                Ok::<_, ClientError>((hash_bytes(hasher, block).await?, len))
            }
        })
        .buffered(hashing_parallelism() + 1)
        .map_ok(|(h, len)| {
            if let Some(p) = progress {
                p.advance(len);
            }
            h
        })
        .try_collect()
        .await?;
    Ok(Hashed {
        size,
        hashes,
        store: BlockStore::Memory(data),
    })
}

async fn hash_stream(
    reader: Pin<Box<dyn AsyncRead + Send>>,
    block_size: u64,
    hasher: Arc<dyn BlockHasher>,
    opts: &UploadOptions,
    progress: Option<&SharedProgress>,
) -> Result<Hashed, ClientError> {
    let bs = to_usize(block_size)?;
    let dir = opts.spool_dir.clone().unwrap_or_else(std::env::temp_dir);
    let (tmp, file) = TempFile::create(&dir, "kamaki-upload").await?;
    let spool = Arc::new(file.into_std().await);
    let what: Arc<str> = Arc::from(format!("the spool file {}", tmp.path().display()));

    // one block at a time from the reader; spooling and hashing in parallel
    let par = hashing_parallelism() + 1;
    let pool = BufferPool::new(bs, par + 1);
    let read_pool = pool.clone();
    let blocks = futures::stream::try_unfold((reader, 0u64, false), move |state| {
        let pool = read_pool.clone();
        async move {
            let (mut reader, offset, ended) = state;
            if ended {
                return Ok(None);
            }
            let mut buf = pool.take();
            let n = match read_full(&mut reader, &mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    pool.put(buf);
                    return Err(ClientError::io("cannot read the upload source", e));
                }
            };
            if n == 0 {
                pool.put(buf);
                return Ok(None);
            }
            let next = (reader, offset + n as u64, n < bs);
            Ok::<_, ClientError>(Some(((offset, buf, n), next)))
        }
    });
    let mut size = 0u64;
    let hashes: Vec<String> = blocks
        .map_ok(|(offset, buf, n)| {
            let spool = spool.clone();
            let hasher = hasher.clone();
            let what = what.clone();
            let pool = pool.clone();
            async move {
                let hash = blocking(move || {
                    let written = write_all_at(&spool, &buf[..n], offset);
                    let hash = block_hash(hasher.as_ref(), &buf[..n]);
                    pool.put(buf);
                    written.map_err(|e| ClientError::io(format!("cannot write {what}"), e))?;
                    Ok(hash)
                })
                .await?;
                Ok((hash, n as u64))
            }
        })
        .try_buffered(par)
        .map_ok(|(hash, len)| {
            size += len;
            if let Some(p) = progress {
                p.advance(len);
            }
            hash
        })
        .try_collect()
        .await?;
    Ok(Hashed {
        size,
        hashes,
        store: BlockStore::File {
            file: spool,
            what,
            pool: send_pool(block_size, size, concurrency_or_default(opts.concurrency))?,
            _spool: Some(tmp),
        },
    })
}

#[derive(Serialize)]
struct HashmapBody<'a> {
    bytes: u64,
    hashes: &'a [String],
}

enum PutOutcome {
    Created(kamaki_core::HeaderMap),
    Missing(Vec<String>),
}

/// What the container says about blocks: its block size and hash
/// algorithm, or `None` when it is not a Pithos container.
pub(crate) type BlockParams = Option<(u64, Arc<dyn BlockHasher>)>;

impl PithosClient {
    /// Uploads an object by hashmap (§10.4), sending only the blocks the
    /// server lacks:
    /// 1. `HEAD /{account}/{container}` for the block size and algorithm
    ///    (skipped when both are in `opts`);
    /// 2. the source is read once and its blocks hashed on all cores (a file
    ///    is read in place, a reader is spooled to a temporary file; memory
    ///    stays flat whatever the size);
    /// 3. `PUT /{account}/{container}/{object}?hashmap&format=json` with
    ///    `{"bytes": N, "hashes": [...]}`: 201 done, or 409 with the hashes
    ///    the server lacks;
    /// 4. each missing block, `concurrency` at a time (default 5):
    ///    `POST /{account}/{container}?update&format=json`
    ///    (`application/octet-stream`, 202 with its hash, checked);
    /// 5. the same PUT again (every header repeated), up to `max_rounds` times.
    ///
    /// Every request is sent again (up to `retries` times, with growing
    /// pauses) when no answer comes, the connection drops, or the server
    /// answers 5xx, 408 or 429; a block the server stored under another
    /// hash is sent again too.
    ///
    /// A container without `X-Container-Block-Hash` is not Pithos (plain
    /// Swift): the object is written with a plain `PUT` instead, or for a
    /// file larger than `segment_size` as a static large object (segments
    /// in `{container}_segments`, then the manifest). Sharing and public
    /// settings need Pithos and are not applied there.
    ///
    /// To upload into another account, use [`for_account`](Self::for_account):
    /// every request, block uploads included, goes to that account.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names or an unsupported block hash; an
    /// [`Io`](kamaki_core::ErrorKind::Io) error when the source cannot be read
    /// or changes while read; a [`ClientError`] with the server's status
    /// (403, 404 container, 411, 412 `if_not_exist`/`if_match`, 413 quota),
    /// after the retries for transient ones;
    /// a decode error when a block's returned hash differs or blocks are
    /// still missing after `max_rounds` PUTs (status 409).
    pub async fn upload_object(
        &self,
        container: &str,
        object: &str,
        source: UploadSource,
        opts: &UploadOptions,
    ) -> Result<UploadOutcome, ClientError> {
        self.object_url(container, object)?;
        let counter = RetryCounter::default();
        let Some((block_size, hasher)) = self.block_params(container, opts, &counter).await? else {
            return self.upload_plain(container, object, source, opts).await;
        };
        let hashed = hash_source(source, block_size, hasher.clone(), opts).await?;
        self.upload_hashed(
            container, object, &hashed, block_size, hasher, opts, &counter,
        )
        .await
    }

    /// The container's block size and algorithm (from `opts` when both are
    /// given, else from a HEAD), or `None` for a container that is not Pithos.
    pub(crate) async fn block_params(
        &self,
        container: &str,
        opts: &UploadOptions,
        counter: &RetryCounter,
    ) -> Result<BlockParams, ClientError> {
        let (block_size, algorithm) = match (opts.block_size, opts.block_hash.as_deref()) {
            (Some(bs), Some(h)) => (bs, h.to_string()),
            _ => {
                let retries = opts.retries.unwrap_or(DEFAULT_RETRIES);
                let head = ContainerInfoOptions::default();
                let info = retrying(retries, counter, is_transient, || {
                    self.get_container_info(container, &head)
                })
                .await?;
                let Some(h) = opts.block_hash.clone().or(info.block_hash) else {
                    return Ok(None);
                };
                let bs = opts.block_size.or(info.block_size).ok_or_else(|| {
                    ClientError::new(
                        ErrorKind::Decode,
                        format!("Container {container} did not report X-Container-Block-Size"),
                    )
                })?;
                (bs, h)
            }
        };
        if block_size == 0 {
            return Err(ClientError::new(
                ErrorKind::Decode,
                format!("Container {container} has a block size of 0"),
            ));
        }
        Ok(Some((block_size, block_hasher(&algorithm)?)))
    }

    /// Steps 3–5 of [`upload_object`](Self::upload_object) for a source
    /// already hashed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn upload_hashed(
        &self,
        container: &str,
        object: &str,
        hashed: &Hashed,
        block_size: u64,
        hasher: Arc<dyn BlockHasher>,
        opts: &UploadOptions,
        counter: &RetryCounter,
    ) -> Result<UploadOutcome, ClientError> {
        let object_hash = merkle_root(hasher.as_ref(), &hashed.hashes)?;
        let body = serde_json::to_vec(&HashmapBody {
            bytes: hashed.size,
            hashes: &hashed.hashes,
        })
        .map_err(|e| ClientError::invalid_argument(format!("cannot encode the hashmap: {e}")))?;
        let body = Bytes::from(body);
        let retries = opts.retries.unwrap_or(DEFAULT_RETRIES);
        let concurrency = concurrency_or_default(opts.concurrency);

        // where each distinct block is found in the source
        let mut located: HashMap<&str, (u64, u64)> = HashMap::new();
        for (i, h) in hashed.hashes.iter().enumerate() {
            located
                .entry(h.as_str())
                .or_insert_with(|| block_span(i as u64, hashed.size, block_size));
        }

        let max_rounds = if opts.max_rounds == 0 {
            3
        } else {
            opts.max_rounds
        };
        let mut uploaded_blocks = 0usize;
        let mut uploaded_bytes = 0u64;
        let mut round = 0u32;
        let mut progress_started = false;
        loop {
            let put = retrying(retries, counter, is_transient, || {
                self.put_hashmap(container, object, body.clone(), opts)
            })
            .await;
            let put = match put {
                Ok(p) => p,
                Err(e) => {
                    if let (Some(p), true) = (&opts.upload_progress, progress_started) {
                        p.finish();
                    }
                    return Err(e);
                }
            };
            match put {
                PutOutcome::Created(headers) => {
                    if let (Some(p), true) = (&opts.upload_progress, progress_started) {
                        p.finish();
                    }
                    let written = ObjectWritten::try_from(&headers)?;
                    return Ok(UploadOutcome {
                        etag: written.etag,
                        version: written.version,
                        bytes: hashed.size,
                        object_hash,
                        blocks: hashed.hashes.len(),
                        uploaded_blocks,
                        uploaded_bytes,
                        headers: header_table(&headers),
                        mode: UploadMode::Hashmap,
                        retries: counter.get(),
                    });
                }
                PutOutcome::Missing(missing) => {
                    if round >= max_rounds {
                        return Err(ClientError::new(
                            ErrorKind::Http,
                            format!(
                                "{} blocks of {container}/{object} are still missing after {round} uploads",
                                missing.len()
                            ),
                        )
                        .with_status(409));
                    }
                    round += 1;
                    let mut seen = HashSet::new();
                    let mut todo = Vec::new();
                    for h in missing {
                        let h = h.to_ascii_lowercase();
                        if !seen.insert(h.clone()) {
                            continue;
                        }
                        let (offset, len) = *located.get(h.as_str()).ok_or_else(|| {
                            ClientError::new(
                                ErrorKind::Decode,
                                format!(
                                    "The server asked for block {h}, which is not part of {object}"
                                ),
                            )
                        })?;
                        todo.push((h, offset, len));
                    }
                    if let Some(p) = &opts.upload_progress {
                        if !progress_started {
                            p.start(Some(todo.iter().map(|t| t.2).sum()));
                            progress_started = true;
                        }
                    }
                    let sent = self
                        .send_blocks(
                            container,
                            object,
                            &hashed.store,
                            todo,
                            concurrency,
                            retries,
                            opts,
                            counter,
                        )
                        .await;
                    let sent = match sent {
                        Ok(s) => s,
                        Err(e) => {
                            if let Some(p) = &opts.upload_progress {
                                p.finish();
                            }
                            return Err(e);
                        }
                    };
                    uploaded_blocks += sent.0;
                    uploaded_bytes += sent.1;
                }
            }
        }
    }

    /// Sends blocks `concurrency` at a time, each read from `store` and
    /// retried on transient failures; returns how many blocks and bytes.
    #[allow(clippy::too_many_arguments)]
    async fn send_blocks(
        &self,
        container: &str,
        object: &str,
        store: &BlockStore,
        todo: Vec<(String, u64, u64)>,
        concurrency: usize,
        retries: u32,
        opts: &UploadOptions,
        counter: &RetryCounter,
    ) -> Result<(usize, u64), ClientError> {
        let progress = opts.upload_progress.clone();
        let sent: Vec<u64> = futures::stream::iter(todo)
            .map(|(h, offset, len)| {
                let progress = progress.clone();
                async move {
                    let retryable = |e: &ClientError| is_transient(e) || e.kind == ErrorKind::Decode;
                    retrying(retries, counter, retryable, || async {
                        let data = store.block(offset, len).await?;
                        let got = self.upload_blocks(container, Body::from_bytes(data)).await?;
                        if got.first().map(String::as_str) != Some(h.as_str()) {
                            return Err(ClientError::new(
                                ErrorKind::Decode,
                                format!(
                                    "Block at offset {offset} of {object}: the server stored {:?}, expected {h} (did the source change?)",
                                    got.first().map(String::as_str).unwrap_or("nothing")
                                ),
                            ));
                        }
                        Ok(())
                    })
                    .await?;
                    if let Some(p) = &progress {
                        p.advance(len);
                    }
                    Ok::<u64, ClientError>(len)
                }
            })
            .buffer_unordered(concurrency)
            .try_collect()
            .await?;
        Ok((sent.len(), sent.iter().sum()))
    }

    async fn put_hashmap(
        &self,
        container: &str,
        object: &str,
        body: Bytes,
        opts: &UploadOptions,
    ) -> Result<PutOutcome, ClientError> {
        let url = self.object_url(container, object)?;
        let mut rb = self
            .http_req(Method::PUT, url)
            .flag("hashmap")
            .param("format", "json")
            .header(
                "Content-Type",
                opts.content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
            );
        rb = encoded_header_opt(rb, "Content-Encoding", opts.content_encoding.as_deref());
        rb = encoded_header_opt(
            rb,
            "Content-Disposition",
            opts.content_disposition.as_deref(),
        );
        rb = rb.header_opt("If-Match", opts.if_match.as_deref());
        if opts.if_not_exist {
            rb = rb.header("If-None-Match", "*");
        }
        rb = sharing_header(rb, opts.sharing.as_ref());
        rb = public_header(rb, opts.public);
        rb = meta_headers(rb, "X-Object-Meta-", &opts.meta);
        let resp = rb
            .body(Body::from_bytes(body))
            .expect_status(&[201, 409])
            .send()
            .await?;
        if resp.status() == 201 {
            let headers = resp.headers().clone();
            resp.bytes().await?;
            return Ok(PutOutcome::Created(headers));
        }
        let missing: Vec<String> = resp.json().await?;
        Ok(PutOutcome::Missing(missing))
    }

    /// The upload on a store that is not Pithos: a plain `PUT`, or SLO
    /// segments for a file larger than the segment size.
    async fn upload_plain(
        &self,
        container: &str,
        object: &str,
        source: UploadSource,
        opts: &UploadOptions,
    ) -> Result<UploadOutcome, ClientError> {
        if opts.sharing.is_some() || opts.public.is_some() {
            tracing::warn!(
                container,
                "not a Pithos container: sharing and public settings are not applied"
            );
        }
        let storage = self.storage();
        let segment_size = opts.segment_size.unwrap_or(DEFAULT_SEGMENT_SIZE).max(1);
        let retries = opts.retries.unwrap_or(DEFAULT_RETRIES);
        let counter = RetryCounter::default();
        let mut headers = HeaderMap::new();
        if let Some(m) = &opts.if_match {
            insert_header(&mut headers, "if-match", m)?;
        }
        let put_opts = swift::PutOptions {
            content_type: opts.content_type.clone(),
            content_encoding: opts.content_encoding.clone(),
            content_disposition: opts.content_disposition.clone(),
            meta: opts.meta.clone(),
            if_none_match: opts.if_not_exist.then(|| "*".to_string()),
            progress: opts.upload_progress.clone(),
            headers,
            ..Default::default()
        };
        let (result, mode) = match source.0 {
            Source::Path(path) => {
                let size = open_for_reading(&path).await?.1;
                if size > segment_size {
                    let mut headers = HeaderMap::new();
                    if let Some(e) = &opts.content_encoding {
                        insert_header(&mut headers, "content-encoding", e)?;
                    }
                    if let Some(d) = &opts.content_disposition {
                        insert_header(&mut headers, "content-disposition", d)?;
                    }
                    let lo = swift::LargeObjectOptions {
                        kind: swift::LargeObjectKind::Slo,
                        segment_size,
                        concurrency: concurrency_or_default(opts.concurrency),
                        content_type: opts.content_type.clone(),
                        meta: opts.meta.clone(),
                        progress: opts.upload_progress.clone(),
                        headers,
                        ..Default::default()
                    };
                    let r = retrying(retries, &counter, is_transient, || {
                        storage.upload_large_object(
                            container,
                            object,
                            swift::UploadSource::file(path.clone()),
                            &lo,
                        )
                    })
                    .await?;
                    let outcome = UploadOutcome {
                        etag: Some(r.etag.clone()),
                        bytes: r.bytes,
                        uploaded_bytes: r.bytes,
                        headers: header_table(&r.manifest_headers),
                        mode: UploadMode::Segmented {
                            segments: r.segments.len(),
                        },
                        retries: counter.get(),
                        ..Default::default()
                    };
                    return Ok(outcome);
                }
                let r = retrying(retries, &counter, is_transient, || {
                    storage.put_object(
                        container,
                        object,
                        swift::UploadSource::file(path.clone()),
                        &put_opts,
                    )
                })
                .await?;
                (r, UploadMode::Plain)
            }
            Source::Bytes(data) => {
                let r = retrying(retries, &counter, is_transient, || {
                    storage.put_object(
                        container,
                        object,
                        swift::UploadSource::bytes(data.clone()),
                        &put_opts,
                    )
                })
                .await?;
                (r, UploadMode::Plain)
            }
            Source::Reader { reader, size } => {
                // a stream is sent once: it cannot be replayed
                let r = storage
                    .put_object(
                        container,
                        object,
                        swift::UploadSource::reader(reader, size),
                        &put_opts,
                    )
                    .await?;
                (r, UploadMode::Plain)
            }
        };
        Ok(UploadOutcome {
            etag: result.etag.clone(),
            version: None,
            bytes: result.bytes,
            object_hash: String::new(),
            blocks: 0,
            uploaded_blocks: 0,
            uploaded_bytes: result.bytes,
            headers: header_table(&result.headers),
            mode,
            retries: counter.get(),
        })
    }
}

fn insert_header(
    headers: &mut HeaderMap,
    name: &'static str,
    value: &str,
) -> Result<(), ClientError> {
    let v = HeaderValue::from_str(&swift::encode_header_value(value))
        .map_err(|e| ClientError::invalid_argument(format!("invalid {name} value: {e}")))?;
    headers.insert(name, v);
    Ok(())
}

impl PithosClient {
    /// Appends data at the end of an object, one POST per block-size chunk:
    /// `POST /{account}/{container}/{object}?update` with
    /// `Content-Type: application/octet-stream`, `Content-Range: bytes */*`;
    /// success 202/204. Sequential, so the chunks land in order. Returns the
    /// last write's answer (`None` for an empty source).
    ///
    /// # Errors
    /// As [`overwrite_object`](Self::overwrite_object).
    pub async fn append_object(
        &self,
        container: &str,
        object: &str,
        source: UploadSource,
        opts: &AppendOptions,
    ) -> Result<Option<ObjectWritten>, ClientError> {
        self.object_url(container, object)?;
        let chunk = self.chunk_size(container, opts).await?;
        let (mut reader, total) = ChunkReader::open(source.0).await?;
        if let Some(p) = &opts.progress {
            p.start(total);
        }
        let mut last = None;
        while let Some(data) = reader.next(chunk).await? {
            let n = data.len() as u64;
            last = Some(
                self.post_data(
                    container,
                    object,
                    "bytes */*".to_string(),
                    Body::from_bytes(data),
                )
                .await?,
            );
            if let Some(p) = &opts.progress {
                p.advance(n);
            }
        }
        if let Some(p) = &opts.progress {
            p.finish();
        }
        Ok(last)
    }

    /// Overwrites bytes `start..=end` of an object with data from `source`
    /// (which must supply at least `end - start + 1` bytes), one POST per
    /// block-size chunk: `Content-Range: bytes S-E/*`; success 202/204.
    /// The range may run past the current end (extending the object) but
    /// must start at or before it (416 otherwise).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names, `end < start`, or a source too short (known before
    /// sending for files and bytes; a short reader fails after the chunks it
    /// gave were written); an [`Io`](kamaki_core::ErrorKind::Io) error when
    /// the source cannot be read; a [`ClientError`] with the server's status
    /// (403, 404, 411, 413, 416).
    pub async fn overwrite_object(
        &self,
        container: &str,
        object: &str,
        start: u64,
        end: u64,
        source: UploadSource,
        opts: &AppendOptions,
    ) -> Result<ObjectWritten, ClientError> {
        self.object_url(container, object)?;
        if end < start {
            return Err(ClientError::invalid_argument(format!(
                "Invalid range {start}-{end}: the end is before the start"
            )));
        }
        let total = end - start + 1;
        let chunk = self.chunk_size(container, opts).await?;
        let (mut reader, len) = ChunkReader::open(source.0).await?;
        if let Some(len) = len {
            if len < total {
                return Err(ClientError::invalid_argument(format!(
                    "The source has {len} bytes; the range {start}-{end} needs {total}"
                )));
            }
        }
        if let Some(p) = &opts.progress {
            p.start(Some(total));
        }
        let mut pos = 0u64;
        let mut last = ObjectWritten::default();
        while pos < total {
            let want = chunk.min(to_usize(total - pos)?);
            let data = reader.next(want).await?.unwrap_or_default();
            if data.is_empty() {
                return Err(ClientError::invalid_argument(format!(
                    "The source ended after {pos} bytes; the range {start}-{end} needs {total}"
                )));
            }
            let n = data.len() as u64;
            let range = format!("bytes {}-{}/*", start + pos, start + pos + n - 1);
            last = self
                .post_data(container, object, range, Body::from_bytes(data))
                .await?;
            pos += n;
            if let Some(p) = &opts.progress {
                p.advance(n);
            }
        }
        if let Some(p) = &opts.progress {
            p.finish();
        }
        Ok(last)
    }

    /// Truncates an object to `size` bytes: `POST …?update` with
    /// `X-Source-Object: /{container}/{object}`, `Content-Range: bytes 0-(size-1)/*`
    /// (`bytes 0-0/*` for 0) and `X-Object-Bytes: size`; success 202/204.
    /// (kamaki's range covered one byte too many.) Only shrinks.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names; a [`ClientError`] with the server's status (400 when
    /// `size` exceeds the object, 404, 416; truncating an empty object to 0
    /// is refused by the server).
    pub async fn truncate_object(
        &self,
        container: &str,
        object: &str,
        size: u64,
    ) -> Result<ObjectWritten, ClientError> {
        let url = self.object_url(container, object)?;
        let last = size.saturating_sub(1);
        let mut rb = self
            .http_req(Method::POST, url)
            .flag("update")
            .header("Content-Range", format!("bytes 0-{last}/*"))
            .header("X-Object-Bytes", size);
        rb = encoded_header(rb, "X-Source-Object", &source_path(container, object));
        let headers = rb.expect_status(&[202, 204]).send_headers().await?;
        ObjectWritten::try_from(&headers)
    }

    async fn chunk_size(
        &self,
        container: &str,
        opts: &AppendOptions,
    ) -> Result<usize, ClientError> {
        let bs = match opts.block_size {
            Some(bs) => bs,
            None => self
                .get_container_info(container, &ContainerInfoOptions::default())
                .await?
                .block_size
                .unwrap_or(4 * 1024 * 1024),
        };
        if bs == 0 {
            return Err(ClientError::invalid_argument(
                "The block size must not be 0",
            ));
        }
        to_usize(bs)
    }

    async fn post_data(
        &self,
        container: &str,
        object: &str,
        content_range: String,
        body: Body,
    ) -> Result<ObjectWritten, ClientError> {
        let url = self.object_url(container, object)?;
        let headers = self
            .http_req(Method::POST, url)
            .flag("update")
            .header("Content-Type", "application/octet-stream")
            .header("Content-Range", content_range)
            .body(body)
            .expect_status(&[202, 204])
            .send_headers()
            .await?;
        ObjectWritten::try_from(&headers)
    }
}
