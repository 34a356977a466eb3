//! Object level: info, streamed reads, delete, copy/move, metadata.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use http::{HeaderMap, Method};
use kamaki_core::{ByteStream, ClientError, QueryParams};

use super::account::meta_headers;
use super::headers::{self, http_date};
use super::{check_container_name, check_object_name, StorageClient, WriteResult};

/// A byte range of an object (`Range: bytes=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// From this offset to the end (`bytes=a-`).
    From(u64),
    /// From `start` to `end`, both included (`bytes=a-b`).
    Span {
        /// First byte.
        start: u64,
        /// Last byte (included).
        end: u64,
    },
    /// The last `n` bytes (`bytes=-n`).
    Last(u64),
}

impl ByteRange {
    /// Checks the range (start ≤ end; a suffix of at least one byte).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an empty range.
    pub fn validate(&self) -> Result<(), ClientError> {
        match *self {
            ByteRange::Span { start, end } if start > end => Err(ClientError::invalid_argument(
                format!("Invalid range {start}-{end}: start is after end"),
            )),
            ByteRange::Last(0) => Err(ClientError::invalid_argument(
                "Invalid range: a suffix range needs at least one byte",
            )),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for ByteRange {
    /// ```
    /// use kamaki_openstack::storage::ByteRange;
    /// assert_eq!(ByteRange::Span { start: 0, end: 9 }.to_string(), "bytes=0-9");
    /// assert_eq!(ByteRange::From(5).to_string(), "bytes=5-");
    /// assert_eq!(ByteRange::Last(3).to_string(), "bytes=-3");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ByteRange::From(a) => write!(f, "bytes={a}-"),
            ByteRange::Span { start, end } => write!(f, "bytes={start}-{end}"),
            ByteRange::Last(n) => write!(f, "bytes=-{n}"),
        }
    }
}

/// Range and conditions of a read (GET or HEAD).
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Only these bytes (GET answers 206).
    pub range: Option<ByteRange>,
    /// `If-Match`: only if the ETag is this (else 412).
    pub if_match: Option<String>,
    /// `If-None-Match`: only if the ETag is not this (else 304).
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` (else 304).
    pub if_modified_since: Option<SystemTime>,
    /// `If-Unmodified-Since` (else 412).
    pub if_unmodified_since: Option<SystemTime>,
    /// Extra query parameters (e.g. `multipart-manifest=get`, Pithos' `version`).
    pub query: QueryParams,
    /// Extra request headers.
    pub headers: HeaderMap,
}

impl ReadOptions {
    pub(crate) fn apply(
        &self,
        mut req: kamaki_core::RequestBuilder,
    ) -> Result<kamaki_core::RequestBuilder, ClientError> {
        if let Some(r) = &self.range {
            r.validate()?;
            req = req.header("Range", r);
        }
        Ok(req
            .query(&self.query)
            .header_opt("If-Match", self.if_match.as_deref())
            .header_opt("If-None-Match", self.if_none_match.as_deref())
            .header_opt("If-Modified-Since", self.if_modified_since.map(http_date))
            .header_opt(
                "If-Unmodified-Since",
                self.if_unmodified_since.map(http_date),
            )
            .headers(&self.headers))
    }
}

/// An object's state, from `HEAD` (or the headers of a `GET`).
#[derive(Debug, Clone, Default)]
pub struct ObjectInfo {
    /// `Content-Length` (of the whole object for HEAD, of the part sent for a ranged GET).
    pub bytes: u64,
    /// `ETag` without quotes: the MD5 of plain Swift objects; for large
    /// objects the MD5 of the segments' ETags; Pithos' own hash otherwise.
    pub etag: Option<String>,
    /// `Content-Type` (percent-decoded: Pithos encodes `Content-*` values).
    pub content_type: Option<String>,
    /// `Last-Modified`, as sent.
    pub last_modified: Option<String>,
    /// `Content-Encoding` (percent-decoded).
    pub content_encoding: Option<String>,
    /// `Content-Disposition` (percent-decoded).
    pub content_disposition: Option<String>,
    /// `X-Object-Manifest` (percent-decoded): `container/prefix` of a DLO.
    pub manifest: Option<String>,
    /// `X-Static-Large-Object: True`: the object is an SLO.
    pub static_large_object: bool,
    /// `X-Object-Meta-*`, keys lower-case, names and values percent-decoded.
    pub meta: BTreeMap<String, String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl TryFrom<&HeaderMap> for ObjectInfo {
    type Error = ClientError;

    fn try_from(h: &HeaderMap) -> Result<Self, ClientError> {
        Ok(ObjectInfo {
            bytes: headers::number(h, "content-length")?.unwrap_or(0),
            etag: headers::etag(h),
            content_type: headers::decoded(h, "content-type"),
            last_modified: headers::text(h, "last-modified"),
            content_encoding: headers::decoded(h, "content-encoding"),
            content_disposition: headers::decoded(h, "content-disposition"),
            manifest: headers::decoded(h, "x-object-manifest"),
            static_large_object: headers::flag(h, "x-static-large-object"),
            meta: headers::headers_with_prefix(h, "x-object-meta-"),
            headers: h.clone(),
        })
    }
}

impl ObjectInfo {
    /// True for a large object (DLO manifest or SLO).
    pub fn is_large_object(&self) -> bool {
        self.static_large_object || self.manifest.is_some()
    }
}

/// An object being read: its headers, and its body as a stream.
pub struct ObjectDownload {
    /// 200 (whole object) or 206 (a range).
    pub status: u16,
    /// The object's headers.
    pub info: ObjectInfo,
    /// `Content-Range` of a 206 answer.
    pub content_range: Option<String>,
    /// The body.
    pub stream: ByteStream,
}

impl fmt::Debug for ObjectDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectDownload")
            .field("status", &self.status)
            .field("info", &self.info)
            .field("content_range", &self.content_range)
            .finish_non_exhaustive()
    }
}

/// Options of [`StorageClient::copy_object`] and [`StorageClient::move_object`].
#[derive(Debug, Clone, Default)]
pub struct CopyOptions {
    /// Use the `COPY` method with `Destination` instead of a `PUT` with `X-Copy-From`.
    pub use_copy_method: bool,
    /// Copy from another account (`X-Copy-From-Account`, PUT only).
    pub source_account: Option<String>,
    /// Copy into another account (`Destination-Account` for COPY; the PUT goes to that account).
    pub destination_account: Option<String>,
    /// A new `Content-Type` for the copy.
    pub content_type: Option<String>,
    /// `X-Object-Meta-*` for the copy (added to the source's unless `fresh_metadata`).
    pub meta: BTreeMap<String, String>,
    /// Do not carry the source's metadata over (`X-Fresh-Metadata: true`).
    pub fresh_metadata: bool,
    /// Extra query parameters (e.g. `multipart-manifest=get` to copy an SLO manifest).
    pub query: QueryParams,
    /// Extra request headers.
    pub headers: HeaderMap,
}

/// Options of [`StorageClient::post_object`].
#[derive(Debug, Clone, Default)]
pub struct PostObjectOptions {
    /// `X-Object-Meta-*` to send.
    pub meta: BTreeMap<String, String>,
    /// A new `Content-Type`.
    pub content_type: Option<String>,
    /// Send `?update` (Pithos merges metadata with it; Swift ignores it).
    pub update: bool,
    /// Extra query parameters.
    pub query: QueryParams,
    /// Extra request headers (e.g. `X-Delete-After`, `Content-Disposition`).
    pub headers: HeaderMap,
}

/// Object headers that a Swift POST drops unless sent again.
const KEPT_ON_POST: &[&str] = &[
    "content-encoding",
    "content-disposition",
    "x-object-manifest",
    "x-delete-at",
];

fn copy_path(container: &str, object: &str) -> String {
    format!(
        "/{}/{}",
        kamaki_core::encode_segment(container),
        kamaki_core::encode_object_path(object)
    )
}

impl StorageClient {
    /// Object info: `HEAD /{account}/{container}/{object}`; success 200.
    ///
    /// # Errors
    /// 404 with the server's message when the object or container does not
    /// exist; invalid names are refused before any request.
    pub async fn get_object_info(
        &self,
        container: &str,
        object: &str,
    ) -> Result<ObjectInfo, ClientError> {
        self.head_object(container, object, &ReadOptions::default())
            .await
    }

    /// `HEAD` with conditions: success 200.
    ///
    /// # Errors
    /// As [`get_object_info`](Self::get_object_info); 304 or 412 when a
    /// condition is not met.
    pub async fn head_object(
        &self,
        container: &str,
        object: &str,
        opts: &ReadOptions,
    ) -> Result<ObjectInfo, ClientError> {
        let req = self
            .http
            .request(Method::HEAD, self.object_url(container, object)?);
        let h = opts
            .apply(req)?
            .expect_status(&[200, 204])
            .send_headers()
            .await?;
        ObjectInfo::try_from(&h)
    }

    /// Reads an object as a stream: `GET /{account}/{container}/{object}`
    /// with the range and conditions of `opts`; success 200 or 206.
    ///
    /// # Errors
    /// 404 for a missing object, 416 for a range outside it, 304 or 412
    /// when a condition is not met (the error's `status` tells which).
    pub async fn get_object(
        &self,
        container: &str,
        object: &str,
        opts: &ReadOptions,
    ) -> Result<ObjectDownload, ClientError> {
        let req = self
            .http
            .request(Method::GET, self.object_url(container, object)?);
        let resp = opts.apply(req)?.expect_status(&[200, 206]).send().await?;
        let (status, h, stream) = resp.into_parts();
        Ok(ObjectDownload {
            status,
            info: ObjectInfo::try_from(&h)?,
            content_range: headers::text(&h, "content-range"),
            stream,
        })
    }

    /// Reads a whole object (or a range) into memory.
    ///
    /// # Errors
    /// As [`get_object`](Self::get_object).
    pub async fn get_object_bytes(
        &self,
        container: &str,
        object: &str,
        opts: &ReadOptions,
    ) -> Result<bytes::Bytes, ClientError> {
        let req = self
            .http
            .request(Method::GET, self.object_url(container, object)?);
        opts.apply(req)?
            .expect_status(&[200, 206])
            .send_bytes()
            .await
    }

    /// Deletes an object: `DELETE /{account}/{container}/{object}`; success 204.
    /// (For a large object this deletes the manifest only; see
    /// [`delete_large_object`](Self::delete_large_object).)
    ///
    /// # Errors
    /// 404 with the server's message when it does not exist.
    pub async fn delete_object(
        &self,
        container: &str,
        object: &str,
    ) -> Result<WriteResult, ClientError> {
        self.delete_object_with(container, object, &QueryParams::new())
            .await
    }

    pub(crate) async fn delete_object_with(
        &self,
        container: &str,
        object: &str,
        query: &QueryParams,
    ) -> Result<WriteResult, ClientError> {
        let resp = self
            .http
            .request(Method::DELETE, self.object_url(container, object)?)
            .query(query)
            .expect_status(&[200, 204])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// Copies an object on the server: `PUT /{dst_container}/{dst_object}`
    /// with `X-Copy-From: /{src_container}/{src_object}` and
    /// `Content-Length: 0`, or, with `use_copy_method`,
    /// `COPY /{src_container}/{src_object}` with `Destination`; success 201.
    ///
    /// # Errors
    /// Invalid names are refused before any request; 404 when the source
    /// does not exist.
    pub async fn copy_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<WriteResult, ClientError> {
        check_container_name(src_container)?;
        check_object_name(src_object)?;
        check_container_name(dst_container)?;
        check_object_name(dst_object)?;
        let mut h = HeaderMap::new();
        meta_headers(&mut h, "object", &opts.meta)?;
        let req = if opts.use_copy_method {
            self.http
                .request(
                    Method::from_bytes(b"COPY")
                        .map_err(|e| ClientError::invalid_argument(format!("COPY method: {e}")))?,
                    self.object_url(src_container, src_object)?,
                )
                .header("Destination", copy_path(dst_container, dst_object))
                .header_opt(
                    "Destination-Account",
                    opts.destination_account
                        .as_deref()
                        .map(kamaki_core::encode_segment),
                )
        } else {
            let target = match &opts.destination_account {
                Some(a) => self.clone().with_account(a.clone()),
                None => self.clone(),
            };
            self.http
                .request(Method::PUT, target.object_url(dst_container, dst_object)?)
                .header("X-Copy-From", copy_path(src_container, src_object))
                .header_opt(
                    "X-Copy-From-Account",
                    opts.source_account
                        .as_deref()
                        .map(kamaki_core::encode_segment),
                )
        };
        let resp = req
            .query(&opts.query)
            .header_opt("Content-Type", opts.content_type.as_deref())
            .header_opt("X-Fresh-Metadata", opts.fresh_metadata.then_some("true"))
            .headers(&h)
            .headers(&opts.headers)
            .body(kamaki_core::Body::empty())
            .header("Content-Length", 0)
            .expect_status(&[201])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// Creates a directory marker (kamaki's `create_directory`): an empty
    /// object with `Content-Type: application/directory`:
    /// `PUT /{account}/{container}/{object}` with `Content-Length: 0`; success 201.
    ///
    /// # Errors
    /// Invalid names are refused before any request; 404 when the container
    /// does not exist.
    pub async fn create_directory(
        &self,
        container: &str,
        object: &str,
    ) -> Result<WriteResult, ClientError> {
        self.put_empty(
            container,
            object,
            "application/directory",
            &HeaderMap::new(),
        )
        .await
    }

    /// Creates a DLO manifest for segments already uploaded (kamaki's
    /// `create_object_by_manifestation`): `PUT /{account}/{container}/{object}`
    /// with `X-Object-Manifest: {segment_container}/{prefix}` (percent-encoded),
    /// `Content-Length: 0` and a `Content-Type` (default
    /// `application/octet-stream`); success 201. Reading the object then
    /// returns every object under the prefix, in name order.
    ///
    /// # Errors
    /// Invalid names are refused before any request; 404 when the container
    /// does not exist.
    pub async fn create_manifest(
        &self,
        container: &str,
        object: &str,
        segment_container: &str,
        prefix: &str,
        content_type: Option<&str>,
    ) -> Result<WriteResult, ClientError> {
        check_container_name(segment_container)?;
        let manifest = format!(
            "{}/{}",
            kamaki_core::encode_segment(segment_container),
            kamaki_core::encode_object_path(prefix)
        );
        let mut h = HeaderMap::new();
        let value = http::HeaderValue::from_str(&manifest)
            .map_err(|_| ClientError::invalid_argument("Invalid DLO manifest value"))?;
        h.insert("x-object-manifest", value);
        self.put_empty(
            container,
            object,
            content_type.unwrap_or("application/octet-stream"),
            &h,
        )
        .await
    }

    async fn put_empty(
        &self,
        container: &str,
        object: &str,
        content_type: &str,
        headers: &HeaderMap,
    ) -> Result<WriteResult, ClientError> {
        let resp = self
            .http
            .request(Method::PUT, self.object_url(container, object)?)
            .header("Content-Type", content_type)
            .headers(headers)
            .body(kamaki_core::Body::empty())
            .expect_status(&[201])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// Moves an object: a server-side [copy](Self::copy_object), then a
    /// `DELETE` of the source (Swift has no atomic move).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) when the
    /// source and destination are the same object; as
    /// [`copy_object`](Self::copy_object) and [`delete_object`](Self::delete_object).
    pub async fn move_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<WriteResult, ClientError> {
        let same_account = opts
            .destination_account
            .as_deref()
            .is_none_or(|a| Some(a) == self.account());
        if same_account && src_container == dst_container && src_object == dst_object {
            return Err(ClientError::invalid_argument(format!(
                "Cannot move {src_container}/{src_object} onto itself"
            )));
        }
        let copied = self
            .copy_object(src_container, src_object, dst_container, dst_object, opts)
            .await?;
        self.delete_object(src_container, src_object).await?;
        Ok(copied)
    }

    /// `POST /{account}/{container}/{object}` with metadata headers; success
    /// 202 (204 tolerated). On Swift this **replaces** all user metadata
    /// (and drops `Content-Encoding`, `Content-Disposition` and a DLO's
    /// `X-Object-Manifest` unless sent again); prefer
    /// [`set_object_meta`](Self::set_object_meta).
    ///
    /// # Errors
    /// 404 when the object does not exist.
    pub async fn post_object(
        &self,
        container: &str,
        object: &str,
        opts: &PostObjectOptions,
    ) -> Result<WriteResult, ClientError> {
        let mut h = HeaderMap::new();
        meta_headers(&mut h, "object", &opts.meta)?;
        let mut req = self
            .http
            .request(Method::POST, self.object_url(container, object)?);
        if opts.update {
            req = req.flag("update");
        }
        let resp = req
            .query(&opts.query)
            .header_opt("Content-Type", opts.content_type.as_deref())
            .headers(&h)
            .headers(&opts.headers)
            .expect_status(&[202, 204])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// Sets object metadata keys, keeping the other keys: reads the current
    /// metadata (`HEAD`), then `POST` (which replaces, on Swift and on
    /// Pithos without `?update`) with the merged set and the headers such a
    /// POST would otherwise drop (`Content-Encoding`, `Content-Disposition`,
    /// `X-Object-Manifest`, `X-Delete-At`). Keys are matched
    /// case-insensitively.
    ///
    /// # Errors
    /// 404 when the object does not exist.
    pub async fn set_object_meta(
        &self,
        container: &str,
        object: &str,
        meta: &BTreeMap<String, String>,
    ) -> Result<WriteResult, ClientError> {
        self.update_object_meta(container, object, meta, &[] as &[&str])
            .await
    }

    /// Deletes object metadata keys, keeping the others (as
    /// [`set_object_meta`](Self::set_object_meta): the remaining set is
    /// posted whole).
    ///
    /// # Errors
    /// 404 when the object does not exist.
    pub async fn delete_object_meta<S: AsRef<str>>(
        &self,
        container: &str,
        object: &str,
        keys: &[S],
    ) -> Result<WriteResult, ClientError> {
        self.update_object_meta(container, object, &BTreeMap::new(), keys)
            .await
    }

    async fn update_object_meta<S: AsRef<str>>(
        &self,
        container: &str,
        object: &str,
        set: &BTreeMap<String, String>,
        delete: &[S],
    ) -> Result<WriteResult, ClientError> {
        // refuse bad keys before any request
        meta_headers(&mut HeaderMap::new(), "object", set)?;
        let current = self.get_object_info(container, object).await?;
        let mut merged = current.meta.clone();
        let gone = |k: &str, keys: &mut BTreeMap<String, String>| {
            keys.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
        };
        for k in delete {
            gone(k.as_ref(), &mut merged);
        }
        for (k, v) in set {
            gone(k, &mut merged);
            merged.insert(k.clone(), v.clone());
        }
        let mut kept = HeaderMap::new();
        for name in KEPT_ON_POST {
            if let Some(v) = current.headers.get(*name) {
                kept.insert(*name, v.clone());
            }
        }
        let opts = PostObjectOptions {
            meta: merged,
            update: false,
            headers: kept,
            ..Default::default()
        };
        self.post_object(container, object, &opts).await
    }
}
