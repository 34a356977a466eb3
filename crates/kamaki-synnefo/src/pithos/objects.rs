//! The object level: info, data and hashmap reads, version lists, writes,
//! copies and moves, metadata/sharing/public updates, deletion
//! (`spec/storage-pithos.md` §6–§9, §11).

use std::fmt;

use bytes::Bytes;
use kamaki_core::{Body, ByteStream, ClientError, ErrorKind, Method, QueryParams, RequestBuilder};
use serde::Deserialize;

use super::hashmap::Hashmap;
use super::sharing::Sharing;
use super::types::{Meta, ObjectInfo, ObjectVersion, ObjectWritten};
use super::{encoded_header, encoded_header_opt, meta_headers, public_header, PithosClient};

/// Conditional request headers for reads (§11).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preconditions {
    /// `If-Match`: ETags (comma-separated) or `*`; 412 when none matches.
    pub if_match: Option<String>,
    /// `If-None-Match`: ETags or `*`; 304 when one matches.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` (RFC 1123 date): 304 when not modified.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` (RFC 1123 date): 412 when modified.
    pub if_unmodified_since: Option<String>,
}

impl Preconditions {
    pub(crate) fn apply(&self, rb: RequestBuilder) -> RequestBuilder {
        rb.header_opt("If-Match", self.if_match.as_deref())
            .header_opt("If-None-Match", self.if_none_match.as_deref())
            .header_opt("If-Modified-Since", self.if_modified_since.as_deref())
            .header_opt("If-Unmodified-Since", self.if_unmodified_since.as_deref())
    }
}

/// Options of [`PithosClient::get_object_info`].
#[derive(Debug, Clone, Default)]
pub struct ObjectInfoOptions {
    /// A version id (from [`PithosClient::get_object_versions`]).
    pub version: Option<u64>,
    /// Conditional headers.
    pub conditions: Preconditions,
}

/// Options of [`PithosClient::get_object`].
#[derive(Debug, Clone, Default)]
pub struct GetObjectOptions {
    /// A version id.
    pub version: Option<u64>,
    /// Byte range(s): `a-b`, `a-`, `-n` or a comma list (a `bytes=` prefix is
    /// optional). Out-of-bounds ranges answer 416; several ranges answer
    /// `multipart/byteranges`.
    pub range: Option<String>,
    /// `If-Range`: an HTTP date (or an ETag, compared with the MD5).
    pub if_range: Option<String>,
    /// Conditional headers.
    pub conditions: Preconditions,
    /// `disposition-type`: `inline` or `attachment`.
    pub disposition_type: Option<String>,
}

/// Options of [`PithosClient::get_object_hashmap_with`].
#[derive(Debug, Clone, Default)]
pub struct HashmapOptions {
    /// A version id.
    pub version: Option<u64>,
    /// Conditional headers.
    pub conditions: Preconditions,
}

/// Options of [`PithosClient::put_object`] (and the directory and manifest helpers).
#[derive(Debug, Clone, Default)]
pub struct PutObjectOptions {
    /// `Content-Type` (default `application/octet-stream`; the server
    /// requires one).
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `ETag`: the MD5 (hex) of the data; the server answers 422 on mismatch.
    pub etag: Option<String>,
    /// `X-Object-Manifest: {container}/{prefix}`.
    pub manifest: Option<String>,
    /// `X-Object-Meta-*` (replaces all previous metadata).
    pub meta: Meta,
    /// `X-Object-Sharing`.
    pub sharing: Option<Sharing>,
    /// `X-Object-Public`.
    pub public: Option<bool>,
    /// `If-Match`: write only if the current ETag matches (412 otherwise).
    pub if_match: Option<String>,
    /// `If-None-Match`: `*` writes only if the object does not exist (412 otherwise).
    pub if_none_match: Option<String>,
}

/// Options of [`PithosClient::copy_object`] and [`PithosClient::move_object`]
/// (and of their `COPY`/`MOVE` verb forms).
#[derive(Debug, Clone, Default)]
pub struct CopyOptions {
    /// The account holding the source (`X-Source-Account`; default: this
    /// client's account).
    pub source_account: Option<String>,
    /// The source version (`X-Source-Version`; copy only).
    pub source_version: Option<u64>,
    /// The account receiving the copy (default: this client's account).
    pub destination_account: Option<String>,
    /// `Content-Type` of the destination (default: the source's).
    pub content_type: Option<String>,
    /// Keep the source's content type even if `content_type` is given
    /// (`ignore_content_type`; verb forms only).
    pub ignore_content_type: bool,
    /// `Content-Encoding` of the destination.
    pub content_encoding: Option<String>,
    /// `Content-Disposition` of the destination.
    pub content_disposition: Option<String>,
    /// Metadata laid over the source's.
    pub meta: Meta,
    /// `X-Object-Sharing` of the destination (sharing is not copied).
    pub sharing: Option<Sharing>,
    /// `X-Object-Public` of the destination (public state is not copied).
    pub public: Option<bool>,
    /// Also copy/move every object under `{source}{delimiter}`.
    pub delimiter: Option<String>,
    /// `If-Match` on the destination.
    pub if_match: Option<String>,
    /// `If-None-Match` on the destination (`*`: only if absent).
    pub if_none_match: Option<String>,
}

/// A metadata-only update of an object ([`PithosClient::update_object`]).
#[derive(Debug, Clone, Default)]
pub struct ObjectUpdate {
    /// Metadata to set; when merging an empty value deletes the key.
    pub meta: Meta,
    /// Replace all user metadata (keys not listed are removed; the POST is
    /// sent without `update`).
    pub replace_meta: bool,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `X-Object-Manifest`.
    pub manifest: Option<String>,
    /// `X-Object-Sharing`: replaces all permissions; an empty value removes them.
    pub sharing: Option<Sharing>,
    /// `X-Object-Public`: publish or unpublish.
    pub public: Option<bool>,
    /// `If-Match`.
    pub if_match: Option<String>,
    /// `If-None-Match`.
    pub if_none_match: Option<String>,
}

/// Options of [`PithosClient::delete_object`].
#[derive(Debug, Clone, Default)]
pub struct DeleteObjectOptions {
    /// Only purge this object's history up to this instant (integer epoch seconds).
    pub until: Option<u64>,
    /// Also delete everything under `{object}{delimiter}`.
    pub delimiter: Option<String>,
}

/// An object being read: its headers, and its body as a stream.
pub struct ObjectDownload {
    /// 200 (whole object) or 206 (a range).
    pub status: u16,
    /// The object headers.
    pub info: ObjectInfo,
    /// `Content-Range` of a single-range answer.
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

#[derive(Deserialize)]
struct VersionsEnvelope {
    #[serde(default)]
    versions: Vec<ObjectVersion>,
}

fn range_header(range: &str) -> String {
    let r = range.trim();
    if r.to_ascii_lowercase().starts_with("bytes=") {
        r.to_string()
    } else {
        format!("bytes={r}")
    }
}

/// `/{container}/{object}`, as `X-Copy-From`, `Destination` and
/// `X-Source-Object` take it.
pub(crate) fn source_path(container: &str, object: &str) -> String {
    format!("/{container}/{object}")
}

impl PithosClient {
    /// An object's state: `HEAD /{account}/{container}/{object}[?version=V]`;
    /// success 200.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names; a [`ClientError`] with the server's status (404, 403;
    /// 304 or 412 for the conditional headers); a decode error for malformed
    /// numeric headers.
    pub async fn get_object_info(
        &self,
        container: &str,
        object: &str,
        opts: &ObjectInfoOptions,
    ) -> Result<ObjectInfo, ClientError> {
        let url = self.object_url(container, object)?;
        let mut q = QueryParams::new();
        q.push_opt("version", opts.version);
        let rb = self.http_req(Method::HEAD, url).query(&q);
        let headers = opts
            .conditions
            .apply(rb)
            .expect_status(&[200])
            .send_headers()
            .await?;
        ObjectInfo::try_from(&headers)
    }

    /// Reads an object (or a range of it) as a stream:
    /// `GET /{account}/{container}/{object}[?version=V][&disposition-type=T]`
    /// with `Range`, `If-Range` and the conditional headers; success 200, 206.
    ///
    /// # Errors
    /// As [`get_object_info`](Self::get_object_info); 416 for a range
    /// outside the object.
    pub async fn get_object(
        &self,
        container: &str,
        object: &str,
        opts: &GetObjectOptions,
    ) -> Result<ObjectDownload, ClientError> {
        let url = self.object_url(container, object)?;
        let mut q = QueryParams::new();
        q.push_opt("version", opts.version)
            .push_opt("disposition-type", opts.disposition_type.as_deref());
        let rb = self
            .http_req(Method::GET, url)
            .query(&q)
            .header_opt("Range", opts.range.as_deref().map(range_header))
            .header_opt("If-Range", opts.if_range.as_deref());
        let resp = opts
            .conditions
            .apply(rb)
            .expect_status(&[200, 206])
            .send()
            .await?;
        let status = resp.status();
        let info = ObjectInfo::try_from(resp.headers())?;
        let content_range = resp.header("content-range").map(str::to_string);
        Ok(ObjectDownload {
            status,
            info,
            content_range,
            stream: resp.into_stream(),
        })
    }

    /// Reads a whole object (or range) into memory; see [`get_object`](Self::get_object).
    ///
    /// # Errors
    /// As [`get_object`](Self::get_object).
    pub async fn get_object_bytes(
        &self,
        container: &str,
        object: &str,
        opts: &GetObjectOptions,
    ) -> Result<Bytes, ClientError> {
        use futures::TryStreamExt;
        let d = self.get_object(container, object, opts).await?;
        let chunks: Vec<Bytes> = d.stream.try_collect().await?;
        Ok(Bytes::from(chunks.concat()))
    }

    /// An object's hashmap:
    /// `GET /{account}/{container}/{object}?hashmap&format=json`; success 200.
    ///
    /// # Errors
    /// As [`get_object_hashmap_with`](Self::get_object_hashmap_with).
    pub async fn get_object_hashmap(
        &self,
        container: &str,
        object: &str,
    ) -> Result<Hashmap, ClientError> {
        let got = self
            .get_object_hashmap_with(container, object, &HashmapOptions::default())
            .await?;
        got.ok_or_else(|| {
            ClientError::new(
                ErrorKind::Decode,
                "Unexpected 304 Not Modified for a hashmap",
            )
            .with_status(304)
        })
    }

    /// An object's hashmap, optionally of a version and under conditions:
    /// `GET /{account}/{container}/{object}?hashmap&format=json[&version=V]`;
    /// success 200, 304 (`None`: not modified). The object headers of the
    /// answer are in [`Hashmap::info`].
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names; a [`ClientError`] with the server's status (404, 403,
    /// 412); a decode error for a malformed answer.
    pub async fn get_object_hashmap_with(
        &self,
        container: &str,
        object: &str,
        opts: &HashmapOptions,
    ) -> Result<Option<Hashmap>, ClientError> {
        let url = self.object_url(container, object)?;
        let mut q = QueryParams::new();
        q.flag("hashmap")
            .push("format", "json")
            .push_opt("version", opts.version);
        let rb = self.http_req(Method::GET, url).query(&q);
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
        let info = ObjectInfo::try_from(resp.headers())?;
        let mut hashmap: Hashmap = resp.json().await?;
        hashmap.info = info;
        Ok(Some(hashmap))
    }

    /// An object's versions, oldest first as the server lists them:
    /// `GET /{account}/{container}/{object}?version=list&format=json`; success 200.
    ///
    /// # Errors
    /// As [`get_object_info`](Self::get_object_info).
    pub async fn get_object_versions(
        &self,
        container: &str,
        object: &str,
    ) -> Result<Vec<ObjectVersion>, ClientError> {
        let url = self.object_url(container, object)?;
        let env: VersionsEnvelope = self
            .http_req(Method::GET, url)
            .param("version", "list")
            .param("format", "json")
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.versions)
    }

    /// Writes an object from a body sent whole (the server splits it into
    /// blocks): `PUT /{account}/{container}/{object}`; success 201.
    /// For large files prefer [`upload_object`](Self::upload_object), which
    /// sends only the blocks the server lacks.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names; a [`ClientError`] with the server's status (411, 412,
    /// 413 quota, 422 ETag mismatch).
    pub async fn put_object(
        &self,
        container: &str,
        object: &str,
        body: Body,
        opts: &PutObjectOptions,
    ) -> Result<ObjectWritten, ClientError> {
        let url = self.object_url(container, object)?;
        let mut rb = self.http_req(Method::PUT, url).header(
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
        rb = encoded_header_opt(rb, "X-Object-Manifest", opts.manifest.as_deref());
        rb = rb
            .header_opt("ETag", opts.etag.as_deref())
            .header_opt("If-Match", opts.if_match.as_deref())
            .header_opt("If-None-Match", opts.if_none_match.as_deref());
        rb = sharing_header(rb, opts.sharing.as_ref());
        rb = public_header(rb, opts.public);
        rb = meta_headers(rb, "X-Object-Meta-", &opts.meta);
        let headers = rb.body(body).expect_status(&[201]).send_headers().await?;
        ObjectWritten::try_from(&headers)
    }

    /// Creates a directory marker object (`Content-Type: application/directory`,
    /// empty): `PUT /{account}/{container}/{object}`; success 201.
    ///
    /// # Errors
    /// As [`put_object`](Self::put_object).
    pub async fn create_directory(
        &self,
        container: &str,
        object: &str,
    ) -> Result<ObjectWritten, ClientError> {
        let opts = PutObjectOptions {
            content_type: Some("application/directory".into()),
            ..Default::default()
        };
        self.put_object(container, object, Body::empty(), &opts)
            .await
    }

    /// Creates a manifest object whose content is the concatenation of the
    /// objects named `{prefix}*` (default prefix: `{container}/{object}`):
    /// empty `PUT` with `X-Object-Manifest` and a `Content-Type` (default
    /// `application/octet-stream`); success 201.
    ///
    /// # Errors
    /// As [`put_object`](Self::put_object).
    pub async fn create_manifest(
        &self,
        container: &str,
        object: &str,
        manifest: Option<&str>,
        opts: &PutObjectOptions,
    ) -> Result<ObjectWritten, ClientError> {
        let mut opts = opts.clone();
        opts.manifest = Some(
            manifest
                .map(str::to_string)
                .unwrap_or_else(|| format!("{container}/{object}")),
        );
        self.put_object(container, object, Body::empty(), &opts)
            .await
    }

    /// Server-side copy: `PUT /{dst_account}/{dst_container}/{dst_object}`
    /// with `X-Copy-From: /{src_container}/{src_object}` (and
    /// `X-Source-Account`, `X-Source-Version`), empty body; success 201.
    /// Metadata is copied (then overlaid with `opts.meta`); sharing and public
    /// state are not. The client's default container is left alone.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names; a [`ClientError`] with the server's status (403 data
    /// unavailable or no permission, 404 missing source, 412, 413).
    pub async fn copy_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        self.copy_or_move(
            "X-Copy-From",
            src_container,
            src_object,
            dst_container,
            dst_object,
            opts,
        )
        .await
    }

    /// Server-side move (rename; keeps the UUID):
    /// `PUT /{dst_account}/{dst_container}/{dst_object}` with
    /// `X-Move-From: /{src_container}/{src_object}`; success 201.
    ///
    /// # Errors
    /// As [`copy_object`](Self::copy_object);
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) when a
    /// `source_version` is given (a move always takes the latest).
    pub async fn move_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        reject_source_version(opts)?;
        self.copy_or_move(
            "X-Move-From",
            src_container,
            src_object,
            dst_container,
            dst_object,
            opts,
        )
        .await
    }

    async fn copy_or_move(
        &self,
        from_header: &str,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        // check the source names before anything is sent
        self.object_url(src_container, src_object)?;
        let (url, source_account) = match &opts.destination_account {
            Some(dst) => {
                let source = opts
                    .source_account
                    .clone()
                    .or_else(|| self.account().map(str::to_string));
                (
                    self.for_account(dst.clone())
                        .object_url(dst_container, dst_object)?,
                    source,
                )
            }
            None => (
                self.object_url(dst_container, dst_object)?,
                opts.source_account.clone(),
            ),
        };
        let mut q = QueryParams::new();
        q.push_opt("delimiter", opts.delimiter.as_deref());
        let mut rb = self.http_req(Method::PUT, url).query(&q);
        rb = encoded_header(rb, from_header, &source_path(src_container, src_object));
        rb = encoded_header_opt(rb, "X-Source-Account", source_account.as_deref());
        rb = rb.header_opt("X-Source-Version", opts.source_version);
        rb = self.copy_headers(rb, opts);
        let headers = rb.expect_status(&[201]).send_headers().await?;
        ObjectWritten::try_from(&headers)
    }

    fn copy_headers(&self, mut rb: RequestBuilder, opts: &CopyOptions) -> RequestBuilder {
        rb = rb.header_opt("Content-Type", opts.content_type.as_deref());
        rb = encoded_header_opt(rb, "Content-Encoding", opts.content_encoding.as_deref());
        rb = encoded_header_opt(
            rb,
            "Content-Disposition",
            opts.content_disposition.as_deref(),
        );
        rb = rb
            .header_opt("If-Match", opts.if_match.as_deref())
            .header_opt("If-None-Match", opts.if_none_match.as_deref());
        rb = sharing_header(rb, opts.sharing.as_ref());
        rb = public_header(rb, opts.public);
        meta_headers(rb, "X-Object-Meta-", &opts.meta)
    }

    /// Server-side copy with the `COPY` verb on the source:
    /// `COPY /{src_account}/{src_container}/{src_object}[?ignore_content_type]`
    /// with `Destination: /{dst_container}/{dst_object}` (and
    /// `Destination-Account`); success 201.
    ///
    /// # Errors
    /// As [`copy_object`](Self::copy_object).
    pub async fn copy_object_with_verb(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        self.verb_copy_or_move(
            b"COPY",
            src_container,
            src_object,
            dst_container,
            dst_object,
            opts,
        )
        .await
    }

    /// Server-side move with the `MOVE` verb on the source:
    /// `MOVE /{src_account}/{src_container}/{src_object}` with
    /// `Destination: /{dst_container}/{dst_object}`; success 201.
    ///
    /// # Errors
    /// As [`move_object`](Self::move_object).
    pub async fn move_object_with_verb(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        reject_source_version(opts)?;
        self.verb_copy_or_move(
            b"MOVE",
            src_container,
            src_object,
            dst_container,
            dst_object,
            opts,
        )
        .await
    }

    async fn verb_copy_or_move(
        &self,
        verb: &[u8],
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        // destination names are checked like any object name
        kamaki_openstack::storage::check_container_name(dst_container)?;
        kamaki_openstack::storage::check_object_name(dst_object)?;
        let source = match &opts.source_account {
            Some(a) => self.for_account(a.clone()),
            None => self.clone(),
        };
        let url = source.object_url(src_container, src_object)?;
        let method = Method::from_bytes(verb)
            .map_err(|e| ClientError::invalid_argument(format!("invalid method: {e}")))?;
        let mut q = QueryParams::new();
        q.flag_if("ignore_content_type", opts.ignore_content_type)
            .push_opt("delimiter", opts.delimiter.as_deref());
        let mut rb = self
            .http_req(method, url)
            .query(&q)
            .header("Content-Length", 0);
        rb = encoded_header(rb, "Destination", &source_path(dst_container, dst_object));
        rb = encoded_header_opt(
            rb,
            "Destination-Account",
            opts.destination_account.as_deref(),
        );
        rb = rb.header_opt("X-Source-Version", opts.source_version);
        rb = self.copy_headers(rb, opts);
        let headers = rb.expect_status(&[201]).send_headers().await?;
        ObjectWritten::try_from(&headers)
    }

    /// Changes an object's metadata, sharing or public state (no data):
    /// `POST /{account}/{container}/{object}?update` (without `update` when
    /// `replace_meta`), no `Content-Type`; success 202 (204 tolerated).
    /// A metadata change makes a new version.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names; a [`ClientError`] with the server's status (400 limits
    /// or bad sharing, 403, 404, 412).
    pub async fn update_object(
        &self,
        container: &str,
        object: &str,
        update: &ObjectUpdate,
    ) -> Result<ObjectWritten, ClientError> {
        let url = self.object_url(container, object)?;
        let mut rb = self.http_req(Method::POST, url);
        if !update.replace_meta {
            rb = rb.flag("update");
        }
        rb = encoded_header_opt(rb, "Content-Encoding", update.content_encoding.as_deref());
        rb = encoded_header_opt(
            rb,
            "Content-Disposition",
            update.content_disposition.as_deref(),
        );
        rb = encoded_header_opt(rb, "X-Object-Manifest", update.manifest.as_deref());
        rb = rb
            .header_opt("If-Match", update.if_match.as_deref())
            .header_opt("If-None-Match", update.if_none_match.as_deref());
        rb = sharing_header(rb, update.sharing.as_ref());
        rb = public_header(rb, update.public);
        rb = meta_headers(rb, "X-Object-Meta-", &update.meta);
        let headers = rb.expect_status(&[202, 204]).send_headers().await?;
        ObjectWritten::try_from(&headers)
    }

    /// Sets (merges) object metadata; see [`update_object`](Self::update_object).
    ///
    /// # Errors
    /// As [`update_object`](Self::update_object).
    pub async fn set_object_meta(
        &self,
        container: &str,
        object: &str,
        meta: &Meta,
    ) -> Result<ObjectWritten, ClientError> {
        let update = ObjectUpdate {
            meta: meta.clone(),
            ..Default::default()
        };
        self.update_object(container, object, &update).await
    }

    /// Deletes one object metadata key (an empty `X-Object-Meta-{key}`).
    ///
    /// # Errors
    /// As [`update_object`](Self::update_object).
    pub async fn delete_object_meta(
        &self,
        container: &str,
        object: &str,
        key: &str,
    ) -> Result<ObjectWritten, ClientError> {
        let mut meta = Meta::new();
        meta.insert(key.to_string(), String::new());
        self.set_object_meta(container, object, &meta).await
    }

    /// Replaces the object's permissions (`X-Object-Sharing`); readers or
    /// writers left empty lose their access.
    ///
    /// # Errors
    /// As [`update_object`](Self::update_object).
    pub async fn set_object_sharing(
        &self,
        container: &str,
        object: &str,
        sharing: &Sharing,
    ) -> Result<ObjectWritten, ClientError> {
        let update = ObjectUpdate {
            sharing: Some(sharing.clone()),
            ..Default::default()
        };
        self.update_object(container, object, &update).await
    }

    /// Removes all of the object's permissions (an empty `X-Object-Sharing`).
    ///
    /// # Errors
    /// As [`update_object`](Self::update_object).
    pub async fn delete_object_sharing(
        &self,
        container: &str,
        object: &str,
    ) -> Result<ObjectWritten, ClientError> {
        self.set_object_sharing(container, object, &Sharing::default())
            .await
    }

    /// Publishes an object and returns its public URL: `POST …?update` with
    /// `X-Object-Public: true` (success 202), then `HEAD` (success 200) to
    /// read `X-Object-Public`.
    ///
    /// # Errors
    /// As [`update_object`](Self::update_object); a decode error when the
    /// server does not report a public URL.
    pub async fn publish_object(
        &self,
        container: &str,
        object: &str,
    ) -> Result<String, ClientError> {
        let update = ObjectUpdate {
            public: Some(true),
            ..Default::default()
        };
        self.update_object(container, object, &update).await?;
        let info = self
            .get_object_info(container, object, &ObjectInfoOptions::default())
            .await?;
        info.public_url.ok_or_else(|| {
            ClientError::new(
                ErrorKind::Decode,
                format!("The server did not report a public URL for {container}/{object}"),
            )
        })
    }

    /// Unpublishes an object (`X-Object-Public: false`).
    ///
    /// # Errors
    /// As [`update_object`](Self::update_object).
    pub async fn unpublish_object(
        &self,
        container: &str,
        object: &str,
    ) -> Result<ObjectWritten, ClientError> {
        let update = ObjectUpdate {
            public: Some(false),
            ..Default::default()
        };
        self.update_object(container, object, &update).await
    }

    /// Deletes an object (and with `delimiter` everything under it), or
    /// purges its history (`until`):
    /// `DELETE /{account}/{container}/{object}[?until=T][&delimiter=D]`; success 204.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for
    /// invalid names; a [`ClientError`] with the server's status (404, 403).
    pub async fn delete_object(
        &self,
        container: &str,
        object: &str,
        opts: &DeleteObjectOptions,
    ) -> Result<(), ClientError> {
        let url = self.object_url(container, object)?;
        let mut q = QueryParams::new();
        q.push_opt("until", opts.until)
            .push_opt("delimiter", opts.delimiter.as_deref());
        self.http_req(Method::DELETE, url)
            .query(&q)
            .expect_status(&[204])
            .send_status()
            .await?;
        Ok(())
    }
}

/// `X-Object-Sharing` (an empty value removes all permissions).
pub(crate) fn sharing_header(rb: RequestBuilder, sharing: Option<&Sharing>) -> RequestBuilder {
    match sharing {
        Some(s) => encoded_header(rb, "X-Object-Sharing", &s.to_string()),
        None => rb,
    }
}

/// A move always takes the latest version: `source_version` is for copies.
fn reject_source_version(opts: &CopyOptions) -> Result<(), ClientError> {
    if opts.source_version.is_some() {
        return Err(ClientError::invalid_argument(
            "A move always takes the latest version: source_version is for copies",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(range_header("0-3"), "bytes=0-3");
        assert_eq!(range_header("bytes=-5"), "bytes=-5");
        assert_eq!(range_header(" 2-,7-9 "), "bytes=2-,7-9");
        assert_eq!(source_path("c", "a b/ü"), "/c/a b/ü");
    }
}
