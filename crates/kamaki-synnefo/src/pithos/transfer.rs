//! The machinery the transfer engine shares (`spec/storage-pithos.md`
//! §10.7–10.8): block hashing on all cores, positional file I/O kept off
//! the async threads, and retries of the requests a flaky network fails.
//!
//! [`hash_file`] is public: it computes the hashmap a local file would have
//! on a Pithos server, e.g. to tell whether it differs from an object.

use std::future::Future;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use kamaki_core::{ClientError, ErrorKind};
use serde::Serialize;

use super::hashmap::{block_count, block_hash, block_hasher, block_span, merkle_root, BlockHasher};
use super::SharedProgress;

/// Block requests in flight by default (kamaki's CLI uses 5).
pub const DEFAULT_CONCURRENCY: usize = 5;

/// How many times one failed request is sent again by default.
pub const DEFAULT_RETRIES: u32 = 5;

/// The first pause before a retry; it doubles with each attempt.
const RETRY_BASE_DELAY: Duration = Duration::from_millis(100);
/// The longest pause between two attempts.
const RETRY_MAX_DELAY: Duration = Duration::from_secs(4);

/// Blocks hashed at once: one per core.
pub(crate) fn hashing_parallelism() -> usize {
    std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(1, 64)
}

/// The concurrency an option asks for (0 = the default).
pub(crate) fn concurrency_or_default(n: usize) -> usize {
    if n == 0 {
        DEFAULT_CONCURRENCY
    } else {
        n
    }
}

pub(crate) fn to_usize(n: u64) -> Result<usize, ClientError> {
    usize::try_from(n).map_err(|_| ClientError::invalid_argument(format!("size {n} is too large")))
}

pub(crate) fn join_error(e: tokio::task::JoinError) -> ClientError {
    ClientError::new(ErrorKind::Io, format!("a worker task failed: {e}"))
}

/// Runs blocking work (hashing, positional file I/O) on tokio's blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ClientError>
where
    F: FnOnce() -> Result<T, ClientError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(join_error)?
}

// ---------------------------------------------------------------------------
// Positional file I/O (no shared cursor, so blocks are read and written in
// parallel through one handle)

/// Reads exactly `buf.len()` bytes at `offset`.
pub(crate) fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0usize;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )?;
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
            done += n;
        }
        Ok(())
    }
}

/// Writes all of `buf` at `offset`.
pub(crate) fn write_all_at(file: &std::fs::File, buf: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0usize;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_write(
                file,
                &buf[done..],
                offset + done as u64,
            )?;
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::WriteZero));
            }
            done += n;
        }
        Ok(())
    }
}

/// Reads `len` bytes at `offset` of a shared file, off the async threads.
pub(crate) async fn read_block(
    file: &Arc<std::fs::File>,
    offset: u64,
    len: u64,
    what: &Arc<str>,
) -> Result<Bytes, ClientError> {
    let n = to_usize(len)?;
    let file = file.clone();
    let what = what.clone();
    blocking(move || {
        let mut buf = vec![0u8; n];
        read_exact_at(&file, &mut buf, offset).map_err(|e| read_error(&what, offset, e))?;
        Ok(Bytes::from(buf))
    })
    .await
}

pub(crate) fn read_error(what: &str, offset: u64, e: io::Error) -> ClientError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        ClientError::new(
            ErrorKind::Io,
            format!("{what} changed while being read: it ends before byte {offset} + one block"),
        )
        .with_source(e)
    } else {
        ClientError::io(format!("cannot read {what}"), e)
    }
}

// ---------------------------------------------------------------------------
// Block buffers, reused so that memory stays flat and allocations rare

/// A bounded stock of block-sized buffers. Taking one when the stock is
/// empty allocates; returning one beyond the stock frees it.
#[derive(Debug)]
pub(crate) struct BufferPool {
    size: usize,
    keep: usize,
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    /// A pool of buffers of `size` bytes, keeping at most `keep` spare.
    pub(crate) fn new(size: usize, keep: usize) -> Arc<Self> {
        Arc::new(BufferPool {
            size,
            keep,
            free: Mutex::new(Vec::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        self.free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A buffer of exactly `size` bytes (contents unspecified).
    pub(crate) fn take(&self) -> Vec<u8> {
        self.lock().pop().unwrap_or_else(|| vec![0u8; self.size])
    }

    /// A buffer of at least `n` bytes: a pooled one when `n` fits.
    pub(crate) fn take_at_least(&self, n: usize) -> Vec<u8> {
        if n <= self.size {
            self.take()
        } else {
            vec![0u8; n]
        }
    }

    /// Gives a buffer back.
    pub(crate) fn put(&self, buf: Vec<u8>) {
        if buf.len() == self.size {
            let mut free = self.lock();
            if free.len() < self.keep {
                free.push(buf);
            }
        }
    }

    /// `len` bytes of a file at `offset`, read into a pooled buffer that
    /// returns to the pool when the last `Bytes` referring to it is dropped.
    pub(crate) async fn read(
        self: &Arc<Self>,
        file: &Arc<std::fs::File>,
        offset: u64,
        len: u64,
        what: &Arc<str>,
    ) -> Result<Bytes, ClientError> {
        let n = to_usize(len)?;
        if n > self.size {
            return read_block(file, offset, len, what).await;
        }
        let (pool, file, what) = (self.clone(), file.clone(), what.clone());
        blocking(move || {
            let mut buf = pool.take();
            if let Err(e) = read_exact_at(&file, &mut buf[..n], offset) {
                pool.put(buf);
                return Err(read_error(&what, offset, e));
            }
            Ok(Bytes::from_owner(Pooled { buf, len: n, pool }))
        })
        .await
    }
}

/// A pooled buffer lent to a `Bytes`.
struct Pooled {
    buf: Vec<u8>,
    len: usize,
    pool: Arc<BufferPool>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.pool.put(std::mem::take(&mut self.buf));
    }
}

/// A block hash computed piece by piece, with the trailing zeros of the
/// whole block stripped (§10.2): runs of zeros are held back until a
/// non-zero byte follows them, and dropped at the end.
pub(crate) struct PieceHasher {
    digest: PieceDigest,
    pending_zeros: u64,
}

enum PieceDigest {
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    /// An algorithm without an incremental form here: the block is joined.
    Joined(Arc<dyn BlockHasher>, Vec<u8>),
}

impl PieceHasher {
    pub(crate) fn new(hasher: &Arc<dyn BlockHasher>) -> Self {
        use sha2::Digest;
        let digest = match hasher.algorithm() {
            "sha224" => PieceDigest::Sha224(sha2::Sha224::new()),
            "sha256" => PieceDigest::Sha256(sha2::Sha256::new()),
            "sha384" => PieceDigest::Sha384(sha2::Sha384::new()),
            "sha512" => PieceDigest::Sha512(sha2::Sha512::new()),
            _ => PieceDigest::Joined(hasher.clone(), Vec::new()),
        };
        PieceHasher {
            digest,
            pending_zeros: 0,
        }
    }

    fn feed(&mut self, data: &[u8]) {
        use sha2::Digest;
        match &mut self.digest {
            PieceDigest::Sha224(d) => d.update(data),
            PieceDigest::Sha256(d) => d.update(data),
            PieceDigest::Sha384(d) => d.update(data),
            PieceDigest::Sha512(d) => d.update(data),
            PieceDigest::Joined(_, v) => v.extend_from_slice(data),
        }
    }

    /// The next piece of the block.
    pub(crate) fn update(&mut self, piece: &[u8]) {
        let Some(last) = piece.iter().rposition(|&b| b != 0) else {
            self.pending_zeros += piece.len() as u64;
            return;
        };
        const ZEROS: [u8; 4096] = [0u8; 4096];
        while self.pending_zeros > 0 {
            let n = self.pending_zeros.min(ZEROS.len() as u64);
            self.feed(&ZEROS[..n as usize]);
            self.pending_zeros -= n;
        }
        self.feed(&piece[..=last]);
        self.pending_zeros = (piece.len() - last - 1) as u64;
    }

    /// The block hash, lower-case hex.
    pub(crate) fn finish(self) -> String {
        use sha2::Digest;
        match self.digest {
            PieceDigest::Sha224(d) => hex::encode(d.finalize()),
            PieceDigest::Sha256(d) => hex::encode(d.finalize()),
            PieceDigest::Sha384(d) => hex::encode(d.finalize()),
            PieceDigest::Sha512(d) => hex::encode(d.finalize()),
            PieceDigest::Joined(h, v) => block_hash(h.as_ref(), &v),
        }
    }
}

/// The hash of a block given as pieces.
pub(crate) fn hash_pieces(hasher: &Arc<dyn BlockHasher>, pieces: &[Bytes]) -> String {
    let mut h = PieceHasher::new(hasher);
    for p in pieces {
        h.update(p);
    }
    h.finish()
}

// ---------------------------------------------------------------------------
// Hashing

/// The hashes of every block of an open file of `size` bytes, computed on
/// all cores (each worker reads its own block with a positional read).
pub(crate) async fn hash_file_blocks(
    file: Arc<std::fs::File>,
    size: u64,
    block_size: u64,
    hasher: Arc<dyn BlockHasher>,
    progress: Option<&SharedProgress>,
    what: Arc<str>,
) -> Result<Vec<String>, ClientError> {
    let n = block_count(size, block_size);
    let par = hashing_parallelism() + 1;
    let pool = BufferPool::new(to_usize(block_size.min(size.max(1)))?, par);
    futures::stream::iter(0..n)
        .map(|i| {
            let (offset, len) = block_span(i, size, block_size);
            let file = file.clone();
            let hasher = hasher.clone();
            let what = what.clone();
            let pool = pool.clone();
            async move {
                let buf_len = to_usize(len)?;
                let hash = blocking(move || {
                    let mut buf = pool.take();
                    let read = read_exact_at(&file, &mut buf[..buf_len], offset);
                    let hash = read.map(|()| block_hash(hasher.as_ref(), &buf[..buf_len]));
                    pool.put(buf);
                    hash.map_err(|e| read_error(&what, offset, e))
                })
                .await?;
                Ok::<_, ClientError>((hash, len))
            }
        })
        .buffered(par)
        .map_ok(|(hash, len)| {
            if let Some(p) = progress {
                p.advance(len);
            }
            hash
        })
        .try_collect()
        .await
}

/// The hash of an in-memory block, computed off the async threads.
pub(crate) async fn hash_bytes(
    hasher: Arc<dyn BlockHasher>,
    block: Bytes,
) -> Result<String, ClientError> {
    blocking(move || Ok(block_hash(hasher.as_ref(), &block))).await
}

/// Opens a file for positional reads, with its size.
pub(crate) async fn open_for_reading(
    path: &Path,
) -> Result<(Arc<std::fs::File>, u64), ClientError> {
    let p = path.to_path_buf();
    blocking(move || {
        let f = std::fs::File::open(&p)
            .map_err(|e| ClientError::io(format!("cannot open {}", p.display()), e))?;
        let meta = f
            .metadata()
            .map_err(|e| ClientError::io(format!("cannot read {}", p.display()), e))?;
        if meta.is_dir() {
            return Err(ClientError::invalid_argument(format!(
                "{} is a directory",
                p.display()
            )));
        }
        Ok((Arc::new(f), meta.len()))
    })
    .await
}

/// The Pithos hashmap of a local file: what the server would store for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalHashmap {
    /// File size in bytes.
    pub bytes: u64,
    /// Block size used.
    pub block_size: u64,
    /// Block hash algorithm used.
    pub block_hash: String,
    /// One hex hash per block (none for an empty file).
    pub hashes: Vec<String>,
    /// The Merkle hash (what the server reports as `X-Object-Hash`).
    pub object_hash: String,
}

/// Computes the Pithos hashmap of a local file on all cores: blocks of
/// `block_size` bytes, hashed with `algorithm` (trailing zeros stripped),
/// and their Merkle root (§10.2). `progress` counts bytes hashed.
///
/// ```no_run
/// # async fn demo() -> Result<(), kamaki_core::ClientError> {
/// use kamaki_synnefo::pithos::hash_file;
/// let local = hash_file("disk.img", 4 * 1024 * 1024, "sha256", None).await?;
/// println!("{} blocks, X-Object-Hash {}", local.hashes.len(), local.object_hash);
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`InvalidArgument`](ErrorKind::InvalidArgument) for a zero block size, an
/// unsupported algorithm or a directory; an [`Io`](ErrorKind::Io) error when
/// the file cannot be read or shrinks while read.
pub async fn hash_file(
    path: impl AsRef<Path>,
    block_size: u64,
    algorithm: &str,
    progress: Option<SharedProgress>,
) -> Result<LocalHashmap, ClientError> {
    if block_size == 0 {
        return Err(ClientError::invalid_argument(
            "The block size must not be 0",
        ));
    }
    let hasher = block_hasher(algorithm)?;
    let path = path.as_ref();
    let (file, size) = open_for_reading(path).await?;
    if let Some(p) = &progress {
        p.start(Some(size));
    }
    let what: Arc<str> = Arc::from(path.display().to_string());
    let hashes = hash_file_blocks(
        file,
        size,
        block_size,
        hasher.clone(),
        progress.as_ref(),
        what,
    )
    .await;
    if let Some(p) = &progress {
        p.finish();
    }
    let hashes = hashes?;
    let object_hash = merkle_root(hasher.as_ref(), &hashes)?;
    Ok(LocalHashmap {
        bytes: size,
        block_size,
        block_hash: hasher.algorithm().to_string(),
        hashes,
        object_hash,
    })
}

// ---------------------------------------------------------------------------
// Retries

/// True for failures that may pass when the request is sent again: no
/// response, a timeout, a 5xx, 408 or 429.
pub(crate) fn is_transient(e: &ClientError) -> bool {
    match e.kind {
        ErrorKind::Connection | ErrorKind::Timeout => true,
        ErrorKind::Http => {
            let status = e.http_status.unwrap_or(e.status);
            status >= 500 || status == 408 || status == 429
        }
        _ => false,
    }
}

/// The pause before retry number `attempt` (from 0): 100 ms doubling up to
/// 4 s, with up to a quarter added at random so clients do not move in step.
fn backoff(attempt: u32) -> Duration {
    let base = RETRY_BASE_DELAY
        .saturating_mul(1u32 << attempt.min(16))
        .min(RETRY_MAX_DELAY);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter_ms = u64::from(nanos) % (base.as_millis() as u64 / 4 + 1);
    base + Duration::from_millis(jitter_ms)
}

/// Counts the requests sent again.
#[derive(Debug, Default)]
pub(crate) struct RetryCounter(std::sync::atomic::AtomicU32);

impl RetryCounter {
    fn bump(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> u32 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Runs `op` until it succeeds, fails with an error `retryable` rejects, or
/// has been retried `retries` times, pausing with [`backoff`] in between.
pub(crate) async fn retrying<T, F, Fut>(
    retries: u32,
    counter: &RetryCounter,
    retryable: impl Fn(&ClientError) -> bool,
    mut op: F,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let mut attempt = 0u32;
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt < retries && retryable(&e) => {
                tracing::debug!(attempt, error = %e, "retrying a failed block request");
                counter.bump();
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(e) if attempt > 0 => {
                let tries = attempt + 1;
                return Err(e.with_details([format!("(failed {tries} times)")]));
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_errors() {
        let http = |s: u16| {
            let mut e = ClientError::new(ErrorKind::Http, "x").with_status(s);
            e.http_status = Some(s);
            e
        };
        assert!(is_transient(&http(500)));
        assert!(is_transient(&http(503)));
        assert!(is_transient(&http(429)));
        assert!(!is_transient(&http(404)));
        assert!(!is_transient(&http(412)));
        assert!(is_transient(&ClientError::new(
            ErrorKind::Connection,
            "reset"
        )));
        assert!(!is_transient(&ClientError::invalid_argument("bad")));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0) >= RETRY_BASE_DELAY);
        assert!(backoff(0) < RETRY_BASE_DELAY * 2);
        assert!(backoff(3) >= RETRY_BASE_DELAY * 8);
        assert!(backoff(30) <= RETRY_MAX_DELAY + RETRY_MAX_DELAY / 4);
    }

    #[tokio::test(start_paused = true)]
    async fn retrying_stops_after_success_or_budget() {
        let counter = RetryCounter::default();
        let mut calls = 0;
        let got = retrying(3, &counter, is_transient, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(ClientError::new(ErrorKind::Connection, "reset"))
                } else {
                    Ok(n)
                }
            }
        })
        .await
        .unwrap_or_default();
        assert_eq!((got, counter.get()), (3, 2));

        let counter = RetryCounter::default();
        let err = retrying(2, &counter, is_transient, || async {
            Err::<(), _>(ClientError::new(ErrorKind::Connection, "reset"))
        })
        .await
        .err();
        assert_eq!(counter.get(), 2);
        assert_eq!(
            err.map(|e| e.details),
            Some(vec!["(failed 3 times)".to_string()])
        );

        let counter = RetryCounter::default();
        let err = retrying(5, &counter, is_transient, || async {
            Err::<(), _>(ClientError::invalid_argument("no"))
        })
        .await;
        assert!(err.is_err());
        assert_eq!(counter.get(), 0);
    }

    #[test]
    fn piece_hashing_strips_trailing_zeros_across_pieces() {
        let sha = block_hasher("sha256").ok();
        let Some(sha) = sha else { return };
        let cases: [&[&[u8]]; 5] = [
            &[b"abc", b"\0\0", b"\0"],
            &[b"ab", b"\0\0c", b"\0"],
            &[b"\0\0", b"\0"],
            &[b"\0a", b"", b"b\0"],
            &[],
        ];
        for pieces in cases {
            let joined: Vec<u8> = pieces.concat();
            let bytes: Vec<Bytes> = pieces.iter().map(|p| Bytes::copy_from_slice(p)).collect();
            assert_eq!(hash_pieces(&sha, &bytes), block_hash(sha.as_ref(), &joined));
        }
    }

    #[test]
    fn pooled_buffers_come_back() {
        let pool = BufferPool::new(8, 2);
        let a = pool.take();
        let b = pool.take();
        let c = pool.take();
        pool.put(a);
        pool.put(b);
        pool.put(c); // beyond the stock: freed
        assert_eq!(pool.lock().len(), 2);
        pool.put(vec![0u8; 3]); // not a pool buffer
        assert_eq!(pool.lock().len(), 2);
    }

    #[tokio::test]
    async fn hash_file_matches_in_memory_hashing() {
        let dir = std::env::temp_dir().join(format!("kamaki-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let path = dir.join("f.bin");
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).ok();
        let got = hash_file(&path, 4096, "sha256", None).await.ok();
        let sha = block_hasher("sha256").ok();
        let want = sha
            .as_ref()
            .map(|h| super::super::hashmap::hash_blocks(h.as_ref(), &data, 4096));
        assert_eq!(got.as_ref().map(|g| g.hashes.clone()), want);
        assert_eq!(got.map(|g| g.bytes), Some(10_000));
        std::fs::remove_dir_all(&dir).ok();
    }
}
