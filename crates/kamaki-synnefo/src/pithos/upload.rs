//! Upload by hashmap (`spec/storage-pithos.md` §10.4) and the data updates
//! through POST: append, overwrite, truncate (§6.5).

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
use kamaki_core::{Body, ClientError, ErrorKind, Method};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::containers::ContainerInfoOptions;
use super::hashmap::{block_hash, block_hasher, block_span, merkle_root, BlockHasher};
use super::objects::{sharing_header, source_path};
use super::sharing::Sharing;
use super::types::{header_table, Meta, ObjectWritten};
use super::{
    encoded_header, encoded_header_opt, meta_headers, public_header, PithosClient, ProgressField,
    SharedProgress,
};

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
    /// Missing blocks sent at once (default 1: sequential).
    pub concurrency: usize,
    /// How many times the hashmap PUT may answer 409 before giving up
    /// (default 3).
    pub max_rounds: u32,
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

fn to_usize(n: u64) -> Result<usize, ClientError> {
    usize::try_from(n)
        .map_err(|_| ClientError::invalid_argument(format!("block size {n} is too large")))
}

async fn hash_blocking(hasher: Arc<dyn BlockHasher>, block: Bytes) -> Result<String, ClientError> {
    tokio::task::spawn_blocking(move || block_hash(hasher.as_ref(), &block))
        .await
        .map_err(|e| ClientError::new(ErrorKind::Io, format!("hashing failed: {e}")))
}

/// Where the blocks of a hashed source are read again from.
enum BlockStore {
    File {
        path: PathBuf,
        _spool: Option<TempFile>,
    },
    Memory(Bytes),
}

impl BlockStore {
    fn body(&self, offset: u64, len: u64) -> Body {
        match self {
            BlockStore::File { path, .. } => Body::file_slice(path.clone(), offset, Some(len)),
            BlockStore::Memory(b) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
                let end = usize::try_from(offset + len)
                    .unwrap_or(usize::MAX)
                    .min(b.len());
                Body::from_bytes(b.slice(start..end))
            }
        }
    }
}

struct Hashed {
    size: u64,
    hashes: Vec<String>,
    store: BlockStore,
}

/// Reads the source once, block by block, hashing each block (and spooling
/// a reader source to a temporary file).
async fn hash_source(
    source: UploadSource,
    block_size: u64,
    hasher: Arc<dyn BlockHasher>,
    opts: &UploadOptions,
) -> Result<Hashed, ClientError> {
    let bs = to_usize(block_size)?;
    let progress = opts.hash_progress.clone();
    let (store, expected, mut reader, mut spool) = match source.0 {
        Source::Bytes(b) => {
            let len = b.len() as u64;
            let reader = ChunkReader::Memory {
                data: b.clone(),
                pos: 0,
            };
            (BlockStore::Memory(b), Some(len), reader, None)
        }
        Source::Path(p) => {
            let (reader, len) = ChunkReader::open(Source::Path(p.clone())).await?;
            (
                BlockStore::File {
                    path: p,
                    _spool: None,
                },
                len,
                reader,
                None,
            )
        }
        Source::Reader { reader, size } => {
            let dir = opts.spool_dir.clone().unwrap_or_else(std::env::temp_dir);
            let (tmp, file) = TempFile::create(&dir, "kamaki-upload").await?;
            let path = tmp.path().to_path_buf();
            (
                BlockStore::File {
                    path,
                    _spool: Some(tmp),
                },
                size,
                ChunkReader::Stream(reader),
                Some(file),
            )
        }
    };
    if let Some(p) = &progress {
        p.start(expected);
    }
    let mut hashes = Vec::new();
    let mut size: u64 = 0;
    while let Some(block) = reader.next(bs).await? {
        size += block.len() as u64;
        if let Some(f) = spool.as_mut() {
            f.write_all(&block)
                .await
                .map_err(|e| ClientError::io("cannot write the spool file", e))?;
        }
        let n = block.len() as u64;
        hashes.push(hash_blocking(hasher.clone(), block).await?);
        if let Some(p) = &progress {
            p.advance(n);
        }
    }
    if let Some(mut f) = spool.take() {
        f.flush()
            .await
            .map_err(|e| ClientError::io("cannot write the spool file", e))?;
    }
    if let Some(p) = &progress {
        p.finish();
    }
    if let Some(want) = expected {
        if want != size {
            let msg = match &store {
                BlockStore::File { path, _spool: None } => format!(
                    "{} changed while being read: expected {want} bytes, read {size}",
                    path.display()
                ),
                _ => format!("The upload source gave {size} bytes, expected {want}"),
            };
            return Err(ClientError::new(ErrorKind::Io, msg));
        }
    }
    Ok(Hashed {
        size,
        hashes,
        store,
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

impl PithosClient {
    /// Uploads an object by hashmap (§10.4), sending only the blocks the
    /// server lacks:
    /// 1. `HEAD /{account}/{container}` for the block size and algorithm
    ///    (skipped when both are in `opts`);
    /// 2. the source is read once, block by block, and hashed (a reader is
    ///    spooled to a temporary file; nothing is held whole in memory);
    /// 3. `PUT /{account}/{container}/{object}?hashmap&format=json` with
    ///    `{"bytes": N, "hashes": [...]}`: 201 done, or 409 with the hashes
    ///    the server lacks;
    /// 4. each missing block: `POST /{account}/{container}?update&format=json`
    ///    (`application/octet-stream`, 202 with its hash, checked);
    /// 5. the same PUT again (every header repeated), up to `max_rounds` times.
    ///
    /// To upload into another account, use [`for_account`](Self::for_account):
    /// every request, block uploads included, goes to that account.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names or an unsupported block hash; an
    /// [`Io`](kamaki_core::ErrorKind::Io) error when the source cannot be read
    /// or changes while read; a [`ClientError`] with the server's status
    /// (403, 404 container, 411, 412 `if_not_exist`/`if_match`, 413 quota);
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
        let (block_size, algorithm) = match (opts.block_size, opts.block_hash.as_deref()) {
            (Some(bs), Some(h)) => (bs, h.to_string()),
            _ => {
                let info = self
                    .get_container_info(container, &ContainerInfoOptions::default())
                    .await?;
                let bs = opts.block_size.or(info.block_size).ok_or_else(|| {
                    ClientError::new(
                        ErrorKind::Decode,
                        format!("Container {container} did not report X-Container-Block-Size"),
                    )
                })?;
                let h = opts
                    .block_hash
                    .clone()
                    .or(info.block_hash)
                    .unwrap_or_else(|| "sha256".to_string());
                (bs, h)
            }
        };
        if block_size == 0 {
            return Err(ClientError::new(
                ErrorKind::Decode,
                format!("Container {container} has a block size of 0"),
            ));
        }
        let hasher = block_hasher(&algorithm)?;
        let hashed = hash_source(source, block_size, hasher.clone(), opts).await?;
        let object_hash = merkle_root(hasher.as_ref(), &hashed.hashes)?;
        let body = serde_json::to_vec(&HashmapBody {
            bytes: hashed.size,
            hashes: &hashed.hashes,
        })
        .map_err(|e| ClientError::invalid_argument(format!("cannot encode the hashmap: {e}")))?;
        let body = Bytes::from(body);

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
            match self
                .put_hashmap(container, object, body.clone(), opts)
                .await?
            {
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
                    let store = &hashed.store;
                    let progress = opts.upload_progress.clone();
                    let sent: Vec<u64> = futures::stream::iter(todo)
                        .map(|(h, offset, len)| {
                            let progress = progress.clone();
                            async move {
                                let got = self
                                    .upload_blocks(container, store.body(offset, len))
                                    .await?;
                                if got.first().map(String::as_str) != Some(h.as_str()) {
                                    return Err(ClientError::new(
                                        ErrorKind::Decode,
                                        format!(
                                            "Block at offset {offset} of {object}: the server stored {:?}, expected {h} (did the source change?)",
                                            got.first().map(String::as_str).unwrap_or("nothing")
                                        ),
                                    ));
                                }
                                if let Some(p) = &progress {
                                    p.advance(len);
                                }
                                Ok::<u64, ClientError>(len)
                            }
                        })
                        .buffer_unordered(opts.concurrency.max(1))
                        .try_collect()
                        .await?;
                    uploaded_blocks += sent.len();
                    uploaded_bytes += sent.iter().sum::<u64>();
                }
            }
        }
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
