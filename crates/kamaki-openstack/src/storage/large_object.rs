//! Large objects: segmented uploads (DLO and SLO) with bounded concurrency.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::{stream, Stream, StreamExt, TryStreamExt};
use http::{HeaderMap, Method};
use kamaki_core::{ClientError, Progress, QueryParams};
use serde::Serialize;

use super::account::meta_headers;
use super::containers::{CreateContainerOptions, ListObjectsOptions};
use super::headers::unquote_etag;
use super::upload::{
    check_etag, file_len, file_stream, md5_hex, IoStream, PutOptions, PutResult, Source,
    UploadSource,
};
use super::{check_container_name, check_object_name, StorageClient};

/// Which kind of large object to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LargeObjectKind {
    /// Dynamic large object: a manifest naming a segment prefix (`X-Object-Manifest`).
    Dlo,
    /// Static large object: a manifest listing each segment (`?multipart-manifest=put`).
    #[default]
    Slo,
}

impl LargeObjectKind {
    fn as_str(self) -> &'static str {
        match self {
            LargeObjectKind::Dlo => "dlo",
            LargeObjectKind::Slo => "slo",
        }
    }
}

/// Options of [`StorageClient::upload_large_object`].
#[derive(Clone)]
pub struct LargeObjectOptions {
    /// DLO or SLO (default SLO).
    pub kind: LargeObjectKind,
    /// Bytes per segment (default 100 MiB; the last segment may be shorter).
    pub segment_size: u64,
    /// Segments uploaded at once (default 4). Stream sources hold this many
    /// segments (plus one) in memory; files are read in place.
    pub concurrency: usize,
    /// Where segments go (default `{container}_segments`, created if needed).
    pub segment_container: Option<String>,
    /// `Content-Type` of the object (default `application/octet-stream`).
    pub content_type: Option<String>,
    /// `X-Object-Meta-*` of the object.
    pub meta: BTreeMap<String, String>,
    /// Keep the segments of a failed upload (they are deleted by default).
    pub leave_segments: bool,
    /// Progress of the bytes sent.
    pub progress: Option<Arc<dyn Progress>>,
    /// Extra headers on the manifest `PUT`.
    pub headers: HeaderMap,
}

impl Default for LargeObjectOptions {
    fn default() -> Self {
        LargeObjectOptions {
            kind: LargeObjectKind::Slo,
            segment_size: 100 * 1024 * 1024,
            concurrency: 4,
            segment_container: None,
            content_type: None,
            meta: BTreeMap::new(),
            leave_segments: false,
            progress: None,
            headers: HeaderMap::new(),
        }
    }
}

impl fmt::Debug for LargeObjectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LargeObjectOptions")
            .field("kind", &self.kind)
            .field("segment_size", &self.segment_size)
            .field("concurrency", &self.concurrency)
            .field("segment_container", &self.segment_container)
            .field("content_type", &self.content_type)
            .field("meta", &self.meta)
            .field("leave_segments", &self.leave_segments)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// One uploaded segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Position in the object (from 0).
    pub index: usize,
    /// Object name in the segment container.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// MD5 (hex) of the segment, as the server confirmed.
    pub etag: String,
}

/// The outcome of [`StorageClient::upload_large_object`].
#[derive(Debug, Clone)]
pub struct LargeUploadResult {
    /// What was made. An SLO upload of an empty source makes a plain empty
    /// object (SLO segments cannot be empty): then `segments` is empty.
    pub kind: LargeObjectKind,
    /// The container holding the segments.
    pub segment_container: String,
    /// The segment name prefix (a DLO's manifest points at it).
    pub prefix: String,
    /// The segments, in order.
    pub segments: Vec<Segment>,
    /// Total size.
    pub bytes: u64,
    /// The object's ETag as Swift reports it on HEAD/GET: the MD5 of the
    /// concatenated segment ETags (hex).
    pub etag: String,
    /// The manifest `PUT`'s response headers.
    pub manifest_headers: HeaderMap,
}

/// Where a segment's bytes come from.
enum SegmentData {
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    Memory(Vec<Bytes>, u64),
}

struct SegmentJob {
    index: usize,
    data: SegmentData,
}

#[derive(Serialize)]
struct SloEntry<'a> {
    path: String,
    etag: &'a str,
    size_bytes: u64,
}

/// Reads a stream in segment-sized groups of chunks.
struct Segmenter {
    stream: IoStream,
    carry: Option<Bytes>,
    index: usize,
    segment_size: u64,
}

impl Segmenter {
    async fn next_job(mut self) -> Option<(Result<SegmentJob, ClientError>, Segmenter)> {
        let mut parts = Vec::new();
        let mut len = 0u64;
        while len < self.segment_size {
            let chunk = match self.carry.take() {
                Some(c) => c,
                None => match self.stream.next().await {
                    Some(Ok(c)) => c,
                    Some(Err(e)) => {
                        return Some((
                            Err(ClientError::io("cannot read the upload source", e)),
                            self,
                        ));
                    }
                    None => break,
                },
            };
            if chunk.is_empty() {
                continue;
            }
            let room = self.segment_size - len;
            if chunk.len() as u64 > room {
                let mut rest = chunk;
                let head = rest.split_to(usize::try_from(room).unwrap_or(usize::MAX));
                self.carry = Some(rest);
                len += head.len() as u64;
                parts.push(head);
            } else {
                len += chunk.len() as u64;
                parts.push(chunk);
            }
        }
        if len == 0 {
            return None;
        }
        let job = SegmentJob {
            index: self.index,
            data: SegmentData::Memory(parts, len),
        };
        self.index += 1;
        Some((Ok(job), self))
    }
}

fn jobs_of(
    source: Source,
    total: Option<u64>,
    segment_size: u64,
) -> std::pin::Pin<Box<dyn Stream<Item = Result<SegmentJob, ClientError>> + Send>> {
    match source {
        Source::File(path) => {
            let total = total.unwrap_or(0);
            let count = total.div_ceil(segment_size);
            Box::pin(stream::iter((0..count).map(move |i| {
                let offset = i * segment_size;
                Ok(SegmentJob {
                    index: i as usize,
                    data: SegmentData::File {
                        path: path.clone(),
                        offset,
                        len: segment_size.min(total - offset),
                    },
                })
            })))
        }
        Source::Bytes(b) => {
            let size = usize::try_from(segment_size).unwrap_or(usize::MAX);
            let count = b.len().div_ceil(size);
            Box::pin(stream::iter((0..count).map(move |i| {
                let start = i * size;
                let part = b.slice(start..b.len().min(start + size));
                let len = part.len() as u64;
                Ok(SegmentJob {
                    index: i,
                    data: SegmentData::Memory(vec![part], len),
                })
            })))
        }
        Source::Stream(s, _) => {
            let seg = Segmenter {
                stream: s,
                carry: None,
                index: 0,
                segment_size,
            };
            Box::pin(stream::unfold(seg, Segmenter::next_job))
        }
    }
}

fn stamp() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

impl StorageClient {
    /// Uploads a large object in segments of `segment_size` bytes,
    /// `concurrency` at a time, each `PUT` streamed with its MD5 checked
    /// against the server's `ETag`; then the manifest:
    ///
    /// * SLO: `PUT /{container}/{object}?multipart-manifest=put` with the
    ///   JSON list of `{path, etag, size_bytes}`; success 201. The server's
    ///   `ETag` must be the MD5 of the segment ETags.
    /// * DLO: `PUT /{container}/{object}` with
    ///   `X-Object-Manifest: {segment_container}/{prefix}` and no body; success 201.
    ///
    /// Segments are named `{object}/{slo|dlo}/{timestamp}/{size}/{segment_size}/{index:08}`
    /// in the segment container (created if needed). On failure the
    /// segments already uploaded are deleted, unless `leave_segments`.
    ///
    /// # Errors
    /// Invalid names or a zero segment size are refused before any request;
    /// the first failed request (with the server's status) or ETag mismatch;
    /// an [`Io`](kamaki_core::ErrorKind::Io) error when the source cannot be read.
    pub async fn upload_large_object(
        &self,
        container: &str,
        object: &str,
        source: UploadSource,
        opts: &LargeObjectOptions,
    ) -> Result<LargeUploadResult, ClientError> {
        check_container_name(container)?;
        check_object_name(object)?;
        if opts.segment_size == 0 {
            return Err(ClientError::invalid_argument(
                "Segment size must be at least 1 byte",
            ));
        }
        let seg_container = opts
            .segment_container
            .clone()
            .unwrap_or_else(|| format!("{container}_segments"));
        check_container_name(&seg_container)?;
        let source = source.0;
        let total = match &source {
            Source::Bytes(b) => Some(b.len() as u64),
            Source::File(p) => Some(file_len(p).await?),
            Source::Stream(_, len) => *len,
        };
        let prefix = format!(
            "{object}/{}/{}/{}/{}/",
            opts.kind.as_str(),
            stamp(),
            total
                .map(|t| t.to_string())
                .unwrap_or_else(|| "stream".into()),
            opts.segment_size
        );
        check_object_name(&format!("{prefix}{:08}", 0))?;
        // validate the manifest's headers before sending anything
        let mut manifest_headers = HeaderMap::new();
        meta_headers(&mut manifest_headers, "object", &opts.meta)?;

        if opts.kind == LargeObjectKind::Slo && total == Some(0) {
            return self
                .empty_slo(container, object, seg_container, prefix, opts)
                .await;
        }
        self.create_container(&seg_container, &CreateContainerOptions::default())
            .await?;

        if let Some(p) = &opts.progress {
            p.start(total);
        }
        let uploaded = self
            .upload_segments(&seg_container, &prefix, source, total, opts)
            .await;
        if let Some(p) = &opts.progress {
            p.finish();
        }
        let segments = match uploaded {
            Ok(s) => s,
            Err((e, done)) => {
                if !opts.leave_segments {
                    self.delete_segments(&seg_container, &prefix, &done).await;
                }
                return Err(e);
            }
        };
        if opts.kind == LargeObjectKind::Slo && segments.is_empty() {
            return self
                .empty_slo(container, object, seg_container, prefix, opts)
                .await;
        }
        let bytes: u64 = segments.iter().map(|s| s.bytes).sum();
        let joined: String = segments.iter().map(|s| s.etag.as_str()).collect();
        let etag = md5_hex(joined.as_bytes());
        let manifest = match opts.kind {
            LargeObjectKind::Slo => {
                self.put_slo_manifest(container, object, &seg_container, &segments, &etag, opts)
                    .await
            }
            LargeObjectKind::Dlo => self
                .put_dlo_manifest(container, object, &seg_container, &prefix, opts)
                .await
                .map(|r| r.headers),
        };
        match manifest {
            Ok(manifest_headers) => Ok(LargeUploadResult {
                kind: opts.kind,
                segment_container: seg_container,
                prefix,
                segments,
                bytes,
                etag,
                manifest_headers,
            }),
            Err(e) => {
                if !opts.leave_segments {
                    let names: Vec<String> = segments.into_iter().map(|s| s.name).collect();
                    self.delete_segments(&seg_container, &prefix, &names).await;
                }
                Err(e)
            }
        }
    }

    async fn empty_slo(
        &self,
        container: &str,
        object: &str,
        seg_container: String,
        prefix: String,
        opts: &LargeObjectOptions,
    ) -> Result<LargeUploadResult, ClientError> {
        let put = PutOptions {
            content_type: opts.content_type.clone(),
            meta: opts.meta.clone(),
            headers: opts.headers.clone(),
            ..Default::default()
        };
        let r = self
            .put_object(container, object, UploadSource::bytes(Bytes::new()), &put)
            .await?;
        Ok(LargeUploadResult {
            kind: LargeObjectKind::Slo,
            segment_container: seg_container,
            prefix,
            segments: Vec::new(),
            bytes: 0,
            etag: r.md5,
            manifest_headers: r.headers,
        })
    }

    async fn upload_segments(
        &self,
        seg_container: &str,
        prefix: &str,
        source: Source,
        total: Option<u64>,
        opts: &LargeObjectOptions,
    ) -> Result<Vec<Segment>, (ClientError, Vec<String>)> {
        let jobs = jobs_of(source, total, opts.segment_size);
        // after a failure no new segment starts, but those in flight are
        // awaited, so that every segment the server stored is known
        let failed = AtomicBool::new(false);
        let failed = &failed;
        let mut running = jobs
            .take_while(|_| futures::future::ready(!failed.load(Ordering::SeqCst)))
            .map(|job| async move {
                let job = job?;
                self.upload_segment(seg_container, prefix, job, opts.progress.clone())
                    .await
            })
            .buffer_unordered(opts.concurrency.max(1));
        let mut done: Vec<Segment> = Vec::new();
        let mut first_error = None;
        while let Some(r) = running.next().await {
            match r {
                Ok(s) => done.push(s),
                Err(e) => {
                    failed.store(true, Ordering::SeqCst);
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            return Err((e, done.into_iter().map(|s| s.name).collect()));
        }
        done.sort_by_key(|s| s.index);
        Ok(done)
    }

    async fn upload_segment(
        &self,
        seg_container: &str,
        prefix: &str,
        job: SegmentJob,
        progress: Option<Arc<dyn Progress>>,
    ) -> Result<Segment, ClientError> {
        let name = format!("{prefix}{:08}", job.index);
        let (stream, len): (IoStream, u64) = match job.data {
            SegmentData::File { path, offset, len } => {
                (file_stream(&path, offset, Some(len)).await?, len)
            }
            SegmentData::Memory(parts, len) => {
                (Box::pin(stream::iter(parts.into_iter().map(Ok))), len)
            }
        };
        let stream: IoStream = match progress {
            Some(p) => Box::pin(stream.inspect_ok(move |c| p.advance(c.len() as u64))),
            None => stream,
        };
        let r: PutResult = self
            .put_object(
                seg_container,
                &name,
                UploadSource(Source::Stream(stream, Some(len))),
                &PutOptions::default(),
            )
            .await?;
        Ok(Segment {
            index: job.index,
            name,
            bytes: r.bytes,
            etag: r.md5,
        })
    }

    async fn put_slo_manifest(
        &self,
        container: &str,
        object: &str,
        seg_container: &str,
        segments: &[Segment],
        etag: &str,
        opts: &LargeObjectOptions,
    ) -> Result<HeaderMap, ClientError> {
        let entries: Vec<SloEntry<'_>> = segments
            .iter()
            .map(|s| SloEntry {
                path: format!("/{seg_container}/{}", s.name),
                etag: &s.etag,
                size_bytes: s.bytes,
            })
            .collect();
        let mut h = HeaderMap::new();
        meta_headers(&mut h, "object", &opts.meta)?;
        let resp = self
            .http
            .request(Method::PUT, self.object_url(container, object)?)
            .param("multipart-manifest", "put")
            .json(&entries)
            .header(
                "Content-Type",
                opts.content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
            )
            .headers(&h)
            .headers(&opts.headers)
            .expect_status(&[201])
            .send()
            .await?;
        let headers = resp.headers().clone();
        resp.bytes().await?;
        let server = super::headers::etag(&headers);
        check_etag(
            server.as_deref().map(unquote_etag),
            etag,
            &format!("the SLO manifest of {container}/{object}"),
        )?;
        Ok(headers)
    }

    async fn put_dlo_manifest(
        &self,
        container: &str,
        object: &str,
        seg_container: &str,
        prefix: &str,
        opts: &LargeObjectOptions,
    ) -> Result<PutResult, ClientError> {
        let mut headers = opts.headers.clone();
        let manifest = format!(
            "{}/{}",
            kamaki_core::encode_segment(seg_container),
            kamaki_core::encode_object_path(prefix)
        );
        let value = http::HeaderValue::from_str(&manifest)
            .map_err(|_| ClientError::invalid_argument("Invalid DLO manifest value"))?;
        headers.insert("x-object-manifest", value);
        let put = PutOptions {
            content_type: opts.content_type.clone(),
            meta: opts.meta.clone(),
            headers,
            ..Default::default()
        };
        self.put_object(container, object, UploadSource::bytes(Bytes::new()), &put)
            .await
    }

    /// Deletes the given segments and anything else under `prefix`, best effort.
    async fn delete_segments(&self, seg_container: &str, prefix: &str, known: &[String]) {
        let mut names: BTreeSet<String> = known.iter().cloned().collect();
        let listing = ListObjectsOptions {
            prefix: Some(prefix.to_string()),
            ..Default::default()
        };
        if let Ok(found) = self.list_objects(seg_container, listing).await {
            names.extend(
                found
                    .into_iter()
                    .filter_map(|e| e.into_item())
                    .map(|e| e.name),
            );
        }
        let deletions = stream::iter(names)
            .map(|n| async move {
                if let Err(e) = self.delete_object(seg_container, &n).await {
                    if !e.is_not_found() {
                        tracing::warn!(target: "kamaki", segment = %n, error = %e.message,
                            "cannot delete a segment of a failed upload");
                    }
                }
            })
            .buffer_unordered(4);
        deletions.collect::<Vec<()>>().await;
    }

    /// Deletes an object and, for a large object, its segments: an SLO with
    /// `DELETE ?multipart-manifest=delete` (the server deletes the
    /// segments), a DLO by deleting the manifest and then every object
    /// under its prefix. Returns how many segments were deleted.
    ///
    /// # Errors
    /// 404 when the object does not exist; the first failed deletion.
    pub async fn delete_large_object(
        &self,
        container: &str,
        object: &str,
    ) -> Result<usize, ClientError> {
        let info = self.get_object_info(container, object).await?;
        if info.static_large_object {
            let mut q = QueryParams::new();
            q.push("multipart-manifest", "delete");
            let resp = self
                .http
                .request(Method::DELETE, self.object_url(container, object)?)
                .query(&q)
                .header("Accept", "application/json")
                .expect_status(&[200, 204])
                .send()
                .await?;
            let body = resp.bytes().await?;
            let report: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let status = report
                .get("Response Status")
                .and_then(|s| s.as_str())
                .unwrap_or("200 OK");
            if !status.starts_with('2') {
                let errors = report
                    .get("Errors")
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                return Err(ClientError::new(
                    kamaki_core::ErrorKind::Http,
                    format!("Deleting the SLO {container}/{object} failed: {status}"),
                )
                .with_details([errors]));
            }
            let deleted = report
                .get("Number Deleted")
                .and_then(|n| n.as_u64())
                .unwrap_or(0);
            return Ok(usize::try_from(deleted.saturating_sub(1)).unwrap_or(0));
        }
        self.delete_object(container, object).await?;
        let Some(manifest) = info.manifest else {
            return Ok(0);
        };
        let (seg_container, prefix) = manifest.split_once('/').unwrap_or((&manifest, ""));
        let listing = ListObjectsOptions {
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            ..Default::default()
        };
        let names: Vec<String> = self
            .objects(seg_container, listing)
            .try_filter_map(|e| async move { Ok(e.into_item().map(|o| o.name)) })
            .try_collect()
            .await?;
        let count = names.len();
        stream::iter(names)
            .map(|n| async move { self.delete_object(seg_container, &n).await })
            .buffer_unordered(4)
            .try_collect::<Vec<_>>()
            .await?;
        Ok(count)
    }
}
