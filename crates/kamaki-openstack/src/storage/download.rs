//! Verified downloads to files (atomically) and writers.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures::{StreamExt, TryStreamExt};
use kamaki_core::{ClientError, ErrorKind, Progress};
use md5::{Digest, Md5};
use serde::Deserialize;
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};

use super::containers::ListObjectsOptions;
use super::headers::unquote_etag;
use super::objects::{ObjectDownload, ObjectInfo, ReadOptions};
use super::upload::{looks_like_md5, md5_hex};
use super::StorageClient;

/// Options of [`StorageClient::download_object`].
#[derive(Clone, Default)]
pub struct DownloadOptions {
    /// Range and conditions of the read. A ranged read is not verified.
    pub read: ReadOptions,
    /// Do not verify the bytes received.
    pub skip_verify: bool,
    /// Progress of the bytes received.
    pub progress: Option<Arc<dyn Progress>>,
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("read", &self.read)
            .field("skip_verify", &self.skip_verify)
            .finish_non_exhaustive()
    }
}

/// How the bytes of a download were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The MD5 of the bytes equals the object's `ETag`.
    Md5,
    /// A large object: each segment's MD5 equals the segment's ETag, and the
    /// MD5 of those ETags equals the object's `ETag`.
    Segments {
        /// How many segments were checked.
        count: usize,
    },
    /// Not verified, and why.
    Skipped(String),
}

/// What a download received.
#[derive(Debug, Clone)]
pub struct DownloadReport {
    /// 200 or 206.
    pub status: u16,
    /// Bytes received.
    pub bytes: u64,
    /// MD5 (hex) of the bytes received.
    pub md5: String,
    /// The object's headers.
    pub info: ObjectInfo,
    /// How the bytes were checked.
    pub verification: Verification,
}

/// A temporary file beside a destination, renamed onto it only by
/// [`commit`](Self::commit); dropped uncommitted, it is removed and the
/// destination is left as it was.
#[derive(Debug)]
pub struct TempDestination {
    temp: PathBuf,
    dest: PathBuf,
    file: Option<tokio::fs::File>,
    committed: bool,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl TempDestination {
    /// Creates `.{name}.part-…` in the destination's folder.
    ///
    /// # Errors
    /// An [`Io`](ErrorKind::Io) error when the file cannot be created.
    pub async fn create(dest: &Path) -> Result<Self, ClientError> {
        let name = dest.file_name().ok_or_else(|| {
            ClientError::invalid_argument(format!(
                "Destination {} is not a file path",
                dest.display()
            ))
        })?;
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(
            ".{}.part-{}-{nanos:08x}-{n}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .await
            .map_err(|e| ClientError::io(format!("cannot create {}", temp.display()), e))?;
        Ok(TempDestination {
            temp,
            dest: dest.to_path_buf(),
            file: Some(file),
            committed: false,
        })
    }

    /// The temporary file's path.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// The open temporary file.
    ///
    /// # Errors
    /// An [`Io`](ErrorKind::Io) error after [`commit`](Self::commit) started.
    pub fn file(&mut self) -> Result<&mut tokio::fs::File, ClientError> {
        self.file
            .as_mut()
            .ok_or_else(|| ClientError::new(ErrorKind::Io, "the temporary file is already closed"))
    }

    /// Flushes the file to disk and renames it onto the destination.
    ///
    /// # Errors
    /// An [`Io`](ErrorKind::Io) error; the temporary file is then removed.
    pub async fn commit(mut self) -> Result<(), ClientError> {
        if let Some(mut f) = self.file.take() {
            f.flush()
                .await
                .map_err(|e| ClientError::io(format!("cannot write {}", self.temp.display()), e))?;
            f.sync_all()
                .await
                .map_err(|e| ClientError::io(format!("cannot write {}", self.temp.display()), e))?;
        }
        tokio::fs::rename(&self.temp, &self.dest)
            .await
            .map_err(|e| {
                ClientError::io(
                    format!(
                        "cannot rename {} to {}",
                        self.temp.display(),
                        self.dest.display()
                    ),
                    e,
                )
            })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempDestination {
    fn drop(&mut self) {
        if !self.committed {
            self.file.take();
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

fn integrity_error(message: String) -> ClientError {
    ClientError::new(ErrorKind::Decode, message)
}

/// Checks the MD5 of consecutive spans of a byte stream.
struct SegmentChecker {
    spans: Vec<(u64, String)>,
    idx: usize,
    left: u64,
    md5: Md5,
    what: String,
}

impl SegmentChecker {
    fn new(spans: Vec<(u64, String)>, what: String) -> Result<Self, ClientError> {
        let left = spans.first().map(|s| s.0).unwrap_or(0);
        let mut c = SegmentChecker {
            spans,
            idx: 0,
            left,
            md5: Md5::new(),
            what,
        };
        c.settle()?;
        Ok(c)
    }

    fn settle(&mut self) -> Result<(), ClientError> {
        while self.idx < self.spans.len() && self.left == 0 {
            let got = hex::encode(std::mem::take(&mut self.md5).finalize());
            let want = &self.spans[self.idx].1;
            if !got.eq_ignore_ascii_case(want) {
                return Err(integrity_error(format!(
                    "Segment {} of {} is corrupt: MD5 {got}, expected {want}",
                    self.idx + 1,
                    self.what
                )));
            }
            self.idx += 1;
            self.left = self.spans.get(self.idx).map(|s| s.0).unwrap_or(0);
        }
        Ok(())
    }

    fn update(&mut self, mut data: &[u8]) -> Result<(), ClientError> {
        while !data.is_empty() {
            if self.idx >= self.spans.len() {
                return Err(integrity_error(format!(
                    "{} sent more bytes than its segments hold",
                    self.what
                )));
            }
            let take = usize::try_from(self.left)
                .unwrap_or(usize::MAX)
                .min(data.len());
            self.md5.update(&data[..take]);
            self.left -= take as u64;
            data = &data[take..];
            self.settle()?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<usize, ClientError> {
        self.settle()?;
        if self.idx < self.spans.len() {
            return Err(integrity_error(format!(
                "{} ended early, in segment {} of {}",
                self.what,
                self.idx + 1,
                self.spans.len()
            )));
        }
        Ok(self.spans.len())
    }
}

enum Plan {
    Md5(String),
    Segments(SegmentChecker),
    Skip(String),
}

#[derive(Deserialize)]
struct SloSegment {
    #[serde(default)]
    hash: String,
    #[serde(default)]
    bytes: u64,
    #[serde(default)]
    sub_slo: bool,
    #[serde(default)]
    range: Option<String>,
}

/// Checks that the large object's ETag is the MD5 of its segments' ETags.
fn check_etag_of_etags(
    info: &ObjectInfo,
    spans: &[(u64, String)],
    what: &str,
) -> Result<(), ClientError> {
    let Some(etag) = info.etag.as_deref() else {
        return Ok(());
    };
    let joined: String = spans.iter().map(|s| s.1.as_str()).collect();
    let want = md5_hex(joined.as_bytes());
    if !etag.eq_ignore_ascii_case(&want) {
        return Err(integrity_error(format!(
            "{what} changed: its ETag {etag} is not the MD5 of its segments' ETags ({want})"
        )));
    }
    Ok(())
}

impl StorageClient {
    async fn verification_plan(
        &self,
        container: &str,
        object: &str,
        dl: &ObjectDownload,
        opts: &DownloadOptions,
    ) -> Result<Plan, ClientError> {
        let info = &dl.info;
        let what = format!("{container}/{object}");
        if opts.skip_verify {
            return Ok(Plan::Skip("verification not asked for".into()));
        }
        if dl.status == 206 || opts.read.range.is_some() {
            return Ok(Plan::Skip("a partial read".into()));
        }
        if info.static_large_object {
            let mut q = kamaki_core::QueryParams::new();
            q.push("multipart-manifest", "get");
            let read = ReadOptions {
                query: q,
                ..Default::default()
            };
            let body = self.get_object_bytes(container, object, &read).await?;
            let segs: Vec<SloSegment> = serde_json::from_slice(&body)
                .map_err(|e| ClientError::decode(200, format!("SLO manifest of {what}: {e}")))?;
            if segs.iter().any(|s| s.sub_slo || s.range.is_some()) {
                return Ok(Plan::Skip(
                    "an SLO with nested manifests or ranged segments".into(),
                ));
            }
            let spans: Vec<(u64, String)> = segs
                .into_iter()
                .map(|s| (s.bytes, unquote_etag(&s.hash).to_string()))
                .collect();
            check_etag_of_etags(info, &spans, &what)?;
            return Ok(Plan::Segments(SegmentChecker::new(spans, what)?));
        }
        if let Some(manifest) = &info.manifest {
            let (seg_container, prefix) = manifest.split_once('/').unwrap_or((manifest, ""));
            let lopts = ListObjectsOptions {
                prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
                ..Default::default()
            };
            let spans: Vec<(u64, String)> = self
                .objects(seg_container, lopts)
                .try_filter_map(|e| async move { Ok(e.into_item()) })
                .map_ok(|e| (e.bytes, e.hash))
                .try_collect()
                .await?;
            check_etag_of_etags(info, &spans, &what)?;
            return Ok(Plan::Segments(SegmentChecker::new(spans, what)?));
        }
        match &info.etag {
            Some(e) if looks_like_md5(e) => Ok(Plan::Md5(e.to_ascii_lowercase())),
            Some(_) => Ok(Plan::Skip("the ETag is not an MD5".into())),
            None => Ok(Plan::Skip("no ETag".into())),
        }
    }

    /// Streams a download into `out`, verifying as planned.
    async fn stream_verified<W: AsyncWrite + Unpin>(
        &self,
        container: &str,
        object: &str,
        mut dl: ObjectDownload,
        out: &mut W,
        opts: &DownloadOptions,
    ) -> Result<DownloadReport, ClientError> {
        let mut plan = self.verification_plan(container, object, &dl, opts).await?;
        let mut md5 = Md5::new();
        let mut bytes = 0u64;
        if let Some(p) = &opts.progress {
            p.start(Some(dl.info.bytes));
        }
        while let Some(chunk) = dl.stream.next().await {
            let chunk = chunk?;
            md5.update(&chunk);
            if let Plan::Segments(c) = &mut plan {
                c.update(&chunk)?;
            }
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
        let md5 = hex::encode(md5.finalize());
        let what = format!("{container}/{object}");
        if dl.status == 200
            && bytes != dl.info.bytes
            && dl.info.headers.contains_key("content-length")
        {
            return Err(integrity_error(format!(
                "{what}: received {bytes} bytes, the server announced {}",
                dl.info.bytes
            )));
        }
        let verification = match plan {
            Plan::Md5(want) => {
                if md5 != want {
                    return Err(integrity_error(format!(
                        "{what} is corrupt: MD5 {md5}, the server's ETag is {want}"
                    )));
                }
                Verification::Md5
            }
            Plan::Segments(c) => Verification::Segments { count: c.finish()? },
            Plan::Skip(why) => Verification::Skipped(why),
        };
        Ok(DownloadReport {
            status: dl.status,
            bytes,
            md5,
            info: dl.info,
            verification,
        })
    }

    /// Downloads an object to a file: `GET /{account}/{container}/{object}`
    /// (success 200, or 206 for a range), written to a temporary file in the
    /// destination's folder and renamed onto `dest` only once complete and
    /// verified: a failed download leaves an existing file untouched.
    ///
    /// Verification: plain objects by MD5 against the `ETag`; SLOs segment by
    /// segment against their manifest (`?multipart-manifest=get`), DLOs
    /// against the listing of their segments, and in both cases the `ETag`
    /// against the MD5 of the segments' ETags. Ranged reads are not verified.
    ///
    /// # Errors
    /// The read's errors (404, 304, 412, 416 …); a
    /// [`Decode`](ErrorKind::Decode) error when the bytes do not match; an
    /// [`Io`](ErrorKind::Io) error when the file cannot be written.
    pub async fn download_object(
        &self,
        container: &str,
        object: &str,
        dest: &Path,
        opts: &DownloadOptions,
    ) -> Result<DownloadReport, ClientError> {
        let dl = self.get_object(container, object, &opts.read).await?;
        let mut temp = TempDestination::create(dest).await?;
        let report = {
            let file = temp.file()?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            self.stream_verified(container, object, dl, &mut w, opts)
                .await?
        };
        temp.commit().await?;
        Ok(report)
    }

    /// Downloads an object into any writer (e.g. stdout), verifying as
    /// [`download_object`](Self::download_object) does; a failed
    /// verification is reported after the bytes were written.
    ///
    /// # Errors
    /// As [`download_object`](Self::download_object).
    pub async fn download_object_to_writer<W: AsyncWrite + Unpin>(
        &self,
        container: &str,
        object: &str,
        out: &mut W,
        opts: &DownloadOptions,
    ) -> Result<DownloadReport, ClientError> {
        let dl = self.get_object(container, object, &opts.read).await?;
        self.stream_verified(container, object, dl, out, opts).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_checker_splits_chunks() {
        let a = md5_hex(b"abc");
        let b = md5_hex(b"");
        let c = md5_hex(b"defg");
        let spans = vec![(3, a.clone()), (0, b), (4, c)];
        let mut ch = SegmentChecker::new(spans.clone(), "x".into()).unwrap();
        ch.update(b"ab").unwrap();
        ch.update(b"cde").unwrap();
        ch.update(b"fg").unwrap();
        assert_eq!(ch.finish().unwrap(), 3);

        let mut ch = SegmentChecker::new(spans.clone(), "x".into()).unwrap();
        assert!(ch.update(b"abX").is_err());

        let mut ch = SegmentChecker::new(spans.clone(), "x".into()).unwrap();
        ch.update(b"abcdef").unwrap();
        assert!(ch.finish().is_err());

        let mut ch = SegmentChecker::new(spans, "x".into()).unwrap();
        assert!(ch.update(b"abcdefgh").is_err());
        assert_eq!(
            SegmentChecker::new(vec![], "x".into())
                .unwrap()
                .finish()
                .unwrap(),
            0
        );
    }
}
