//! Streamed object uploads with the MD5 computed on the way.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::{HeaderMap, Method};
use kamaki_core::{Body, ClientError, Progress, QueryParams};
use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::account::meta_headers;
use super::headers;
use super::StorageClient;

pub(crate) type IoStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;

/// Chunk size used to read files and readers (large chunks keep the
/// per-chunk overhead of hashing, tokio file reads and body frames low).
pub(crate) const CHUNK: usize = 1024 * 1024;

pub(crate) enum Source {
    Bytes(Bytes),
    File(PathBuf),
    Stream(IoStream, Option<u64>),
}

/// What to upload: bytes in memory, a file, or any stream or reader
/// (never held whole in memory).
pub struct UploadSource(pub(crate) Source);

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Bytes(b) => write!(f, "UploadSource::Bytes({} bytes)", b.len()),
            Source::File(p) => write!(f, "UploadSource::File({})", p.display()),
            Source::Stream(_, len) => write!(f, "UploadSource::Stream(len: {len:?})"),
        }
    }
}

impl UploadSource {
    /// Bytes held in memory.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        UploadSource(Source::Bytes(data.into()))
    }

    /// A file, streamed from disk; its size is sent as `Content-Length`.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        UploadSource(Source::File(path.into()))
    }

    /// Any async reader, streamed in chunks of up to 1 MiB. With `len` the upload
    /// has a `Content-Length` (and must be exactly that long); without it
    /// the body is sent chunked.
    pub fn reader<R: AsyncRead + Send + 'static>(reader: R, len: Option<u64>) -> Self {
        UploadSource(Source::Stream(
            Box::pin(ReaderStream::with_capacity(reader, CHUNK)),
            len,
        ))
    }

    /// A stream of chunks; `len` as for [`reader`](Self::reader).
    pub fn stream<S>(stream: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = Result<Bytes, io::Error>> + Send + 'static,
    {
        UploadSource(Source::Stream(Box::pin(stream), len))
    }
}

/// Options of [`StorageClient::put_object`].
#[derive(Clone, Default)]
pub struct PutOptions {
    /// `Content-Type`; `application/octet-stream` when not given.
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `X-Object-Meta-*` (replaces the object's metadata).
    pub meta: BTreeMap<String, String>,
    /// An MD5 known in advance, sent as `ETag` for the server to check
    /// (for in-memory bytes it is computed and sent anyway).
    pub etag: Option<String>,
    /// `If-None-Match` (`*` = create only).
    pub if_none_match: Option<String>,
    /// Do not compare the server's `ETag` with the MD5 of what was sent.
    pub skip_etag_check: bool,
    /// Progress of the bytes sent.
    pub progress: Option<Arc<dyn Progress>>,
    /// Extra query parameters.
    pub query: QueryParams,
    /// Extra request headers (e.g. `X-Delete-After`, `X-Object-Manifest`).
    pub headers: HeaderMap,
}

impl fmt::Debug for PutOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutOptions")
            .field("content_type", &self.content_type)
            .field("content_encoding", &self.content_encoding)
            .field("content_disposition", &self.content_disposition)
            .field("meta", &self.meta)
            .field("etag", &self.etag)
            .field("if_none_match", &self.if_none_match)
            .field("skip_etag_check", &self.skip_etag_check)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// The outcome of an upload.
#[derive(Debug, Clone)]
pub struct PutResult {
    /// The HTTP status (201).
    pub status: u16,
    /// The server's `ETag`, without quotes.
    pub etag: Option<String>,
    /// The MD5 (hex) of the bytes sent.
    pub md5: String,
    /// How many bytes were sent.
    pub bytes: u64,
    /// Every response header.
    pub headers: HeaderMap,
}

/// MD5 and byte count shared between a body stream and its sender.
#[derive(Clone, Default)]
pub(crate) struct Hashing {
    inner: Arc<Mutex<(Md5, u64)>>,
}

impl Hashing {
    fn update(&self, data: &[u8]) {
        if let Ok(mut g) = self.inner.lock() {
            g.0.update(data);
            g.1 += data.len() as u64;
        }
    }

    pub(crate) fn finish(&self) -> (String, u64) {
        match self.inner.lock() {
            Ok(g) => (hex::encode(g.0.clone().finalize()), g.1),
            Err(_) => (String::new(), 0),
        }
    }

    /// Wraps a stream so that every chunk is hashed and reported.
    pub(crate) fn wrap(&self, stream: IoStream, progress: Option<Arc<dyn Progress>>) -> IoStream {
        let me = self.clone();
        Box::pin(stream.map(move |chunk| {
            if let Ok(c) = &chunk {
                me.update(c);
                if let Some(p) = &progress {
                    p.advance(c.len() as u64);
                }
            }
            chunk
        }))
    }
}

/// True for a 32-digit hex string (an MD5, as Swift's `ETag` is).
pub(crate) fn looks_like_md5(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// MD5 hex of some bytes.
pub(crate) fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// Opens `len` bytes of a file at `offset` as a stream.
pub(crate) async fn file_stream(
    path: &Path,
    offset: u64,
    len: Option<u64>,
) -> Result<IoStream, ClientError> {
    let shown = path.display();
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| ClientError::io(format!("cannot open {shown}"), e))?;
    if offset > 0 {
        f.seek(io::SeekFrom::Start(offset))
            .await
            .map_err(|e| ClientError::io(format!("cannot seek in {shown}"), e))?;
    }
    Ok(match len {
        Some(n) => Box::pin(ReaderStream::with_capacity(f.take(n), CHUNK)),
        None => Box::pin(ReaderStream::with_capacity(f, CHUNK)),
    })
}

/// The size of a file.
pub(crate) async fn file_len(path: &Path) -> Result<u64, ClientError> {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.len())
        .map_err(|e| ClientError::io(format!("cannot read {}", path.display()), e))
}

/// Checks the server's ETag against the MD5 of what was sent.
pub(crate) fn check_etag(server: Option<&str>, md5: &str, what: &str) -> Result<(), ClientError> {
    match server {
        Some(etag) if looks_like_md5(etag) && !etag.eq_ignore_ascii_case(md5) => {
            Err(ClientError::new(
                kamaki_core::ErrorKind::Decode,
                format!(
                    "ETag mismatch for {what}: the server stored {etag}, the MD5 of the data sent is {md5}"
                ),
            )
            .with_details([format!("server ETag: {etag}"), format!("local MD5: {md5}")]))
        }
        _ => Ok(()),
    }
}

impl StorageClient {
    /// Uploads an object: `PUT /{account}/{container}/{object}` with the
    /// body streamed (`Content-Length` when the size is known, chunked
    /// otherwise); success 201.
    ///
    /// The MD5 of the bytes is computed while they are sent and compared
    /// with the `ETag` the server answers (when that is an MD5, as on Swift;
    /// Pithos answers its own hash unless it keeps MD5s).
    ///
    /// # Errors
    /// Invalid names are refused before any request; a [`ClientError`] with
    /// the server's status (404 for a missing container, 422 for an `ETag`
    /// the server rejected); an error when the server's `ETag` differs from
    /// the MD5 sent; an [`Io`](kamaki_core::ErrorKind::Io) error when the
    /// source cannot be read.
    pub async fn put_object(
        &self,
        container: &str,
        object: &str,
        source: UploadSource,
        opts: &PutOptions,
    ) -> Result<PutResult, ClientError> {
        let url = self.object_url(container, object)?;
        let hashing = Hashing::default();
        let mut etag = opts.etag.clone();
        let (stream, len): (IoStream, Option<u64>) = match source.0 {
            Source::Bytes(b) => {
                if etag.is_none() {
                    etag = Some(md5_hex(&b));
                }
                let len = b.len() as u64;
                (Box::pin(futures::stream::iter([Ok(b)])), Some(len))
            }
            Source::File(path) => {
                let len = file_len(&path).await?;
                (file_stream(&path, 0, Some(len)).await?, Some(len))
            }
            Source::Stream(s, len) => (s, len),
        };
        if let Some(p) = &opts.progress {
            p.start(len);
        }
        let body_stream = hashing.wrap(stream, opts.progress.clone());
        let body = if len == Some(0) {
            Body::empty()
        } else {
            Body::from_stream(body_stream, len)
        };
        let result = self.put_with_body(url, body, opts, etag.as_deref()).await;
        if let Some(p) = &opts.progress {
            p.finish();
        }
        let (status, headers) = result?;
        let (md5, bytes) = hashing.finish();
        let md5 = if len == Some(0) { md5_hex(b"") } else { md5 };
        let server_etag = headers::etag(&headers);
        if !opts.skip_etag_check {
            check_etag(
                server_etag.as_deref(),
                &md5,
                &format!("{container}/{object}"),
            )?;
        }
        Ok(PutResult {
            status,
            etag: server_etag,
            md5,
            bytes,
            headers,
        })
    }

    async fn put_with_body(
        &self,
        url: kamaki_core::UrlPath,
        body: Body,
        opts: &PutOptions,
        etag: Option<&str>,
    ) -> Result<(u16, HeaderMap), ClientError> {
        let mut h = HeaderMap::new();
        meta_headers(&mut h, "object", &opts.meta)?;
        let content_type = opts
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        let resp = self
            .http
            .request(Method::PUT, url)
            .query(&opts.query)
            .header("Content-Type", content_type)
            .header_opt("Content-Encoding", opts.content_encoding.as_deref())
            .header_opt(
                "Content-Disposition",
                opts.content_disposition
                    .as_deref()
                    .map(super::headers::encode_header_value),
            )
            .header_opt("ETag", etag)
            .header_opt("If-None-Match", opts.if_none_match.as_deref())
            .headers(&h)
            .headers(&opts.headers)
            .body(body)
            .expect_status(&[201])
            .send()
            .await?;
        let (status, headers) = (resp.status(), resp.headers().clone());
        resp.bytes().await?;
        Ok((status, headers))
    }
}
