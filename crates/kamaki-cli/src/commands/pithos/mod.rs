//! `file`, `container`, `sharer`, `group` on Pithos
//! (`kamaki_synnefo::pithos::PithosClient` and its transfer engine,
//! `spec/cli.md` §10.6–10.9).
//!
//! Uploads and downloads go through the engine: uploads by hashmap send only
//! the blocks the server lacks, downloads are verified block by block and
//! resume, `-r` mirrors folders with the engine's sync. On an object store
//! that is not Pithos (plain OpenStack Swift, e.g. configured with
//! `pithos_url`/`pithos_token`) the engine falls back to plain Swift
//! requests, so these commands work there too.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kamaki_openstack::storage::Listing;
use kamaki_synnefo::pithos::{
    AccountInfoOptions, AppendOptions, ByteRange, ContainerInfoOptions, ContainerUpdate,
    CopyOptions, CreateContainerOptions, CreateOutcome, DeleteContainerOptions,
    DeleteObjectOptions, DownloadOptions, HashmapOptions, ListContainersOptions,
    ListObjectsOptions, ListSharingAccountsOptions, ObjectEntry, ObjectInfoOptions, PithosClient,
    Preconditions as PithosPreconditions, PutObjectOptions, Sharing, SyncAction, SyncEntry,
    SyncOptions, UploadOptions, UploadSource, Versioning,
};
use serde_json::{json, Map, Value};

mod container;
mod file;
mod scripts;
mod sharing;

pub use container::container;
pub use file::file;
pub use scripts::scripts;
pub use sharing::{group, sharer};

use super::common::*;
use crate::app::{ask, App};
use crate::cli::*;
use crate::dates;
use crate::error::{CliError, CliResult};
use crate::output::{format_size, note, println};
use crate::progress::Bar;
use crate::session::{Service, Session};

/// A parsed Pithos location (`spec/cli.md` §1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `pithos://ACCOUNT/...`, if given.
    pub account: Option<String>,
    /// The container (explicit or default).
    pub container: String,
    /// The object path (may be empty).
    pub path: String,
}

impl Location {
    /// `/CONT/PATH` as kamaki prints it.
    pub fn display(&self) -> String {
        if self.path.is_empty() {
            format!("/{}", self.container)
        } else {
            format!("/{}/{}", self.container, self.path)
        }
    }
}

/// Parses `pithos://UUID/CONT/PATH`, `/CONT/PATH` or `PATH`.
pub fn parse_location(text: &str, default_container: &str) -> Location {
    if let Some(rest) = text.strip_prefix("pithos://") {
        let mut parts = rest.splitn(3, '/');
        let account = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        let container = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        return Location {
            account,
            container: if container.is_empty() {
                default_container.to_string()
            } else {
                container
            },
            path,
        };
    }
    if let Some(rest) = text.strip_prefix('/') {
        let (c, p) = rest.split_once('/').unwrap_or((rest, ""));
        return Location {
            account: None,
            container: c.to_string(),
            path: p.to_string(),
        };
    }
    Location {
        account: None,
        container: default_container.to_string(),
        path: text.to_string(),
    }
}

/// The object store of one command: the client on the chosen account, the
/// default container and (when one was needed) the session.
pub struct Pithos {
    /// The client, on the account given with `-A`, `pithos_uuid`, the
    /// storage URL, or the session user's.
    pub client: PithosClient,
    /// `-C`, `pithos_container` or `pithos`.
    pub default_container: String,
    session: Option<Session>,
}

fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

/// Opens the object store: directly when the cloud sets both `pithos_url`
/// and `pithos_token` (no authentication; the store may be plain Swift),
/// otherwise through the session's catalog.
pub async fn pithos(
    app: &mut App,
    account: Option<&str>,
    container: Option<&str>,
) -> CliResult<Pithos> {
    open(app, None, account, container).await
}

/// As [`pithos`], reusing a session already started.
pub async fn open(
    app: &mut App,
    session: Option<Session>,
    account: Option<&str>,
    container: Option<&str>,
) -> CliResult<Pithos> {
    let mut session = session;
    let mut client = match (app.direct_service(Service::ObjectStore)?, &session) {
        (Some((url, token)), _) => PithosClient::with_http(&url, app.http(token)?)?,
        (None, Some(s)) => {
            let (url, token) = s.endpoint(Service::ObjectStore)?;
            PithosClient::with_http(&url, s.http_with(&token))?
        }
        (None, None) => {
            let s = app.session().await?;
            let (url, token) = s.endpoint(Service::ObjectStore)?;
            let c = PithosClient::with_http(&url, s.http_with(&token))?;
            session = Some(s);
            c
        }
    };
    let mut p = Pithos {
        client: PithosClient::clone(&client),
        default_container: container
            .map(str::to_string)
            .or_else(|| app.cloud_option("pithos_container"))
            .unwrap_or_else(|| "pithos".to_string()),
        session,
    };
    let configured = app
        .cloud_option("pithos_uuid")
        .or_else(|| app.cloud_option("pithos_id"));
    let chosen = match account {
        Some(a) => Some(p.resolve_user(app, a).await?),
        None => configured,
    };
    match chosen {
        Some(a) => client.set_account(a),
        None if client.account().is_some() => {}
        None => {
            let uuid = p.session(app).await?.user().uuid();
            client.set_account(uuid);
        }
    }
    p.client = client;
    Ok(p)
}

impl Pithos {
    /// The session, authenticating now if not done yet.
    pub async fn session(&mut self, app: &mut App) -> CliResult<&Session> {
        if self.session.is_none() {
            self.session = Some(app.session().await?);
        }
        self.session
            .as_ref()
            .ok_or_else(|| CliError::new("No session"))
    }

    /// A user given by uuid or name, as a uuid.
    pub async fn resolve_user(&mut self, app: &mut App, who: &str) -> CliResult<String> {
        if looks_like_uuid(who) || !who.contains('@') {
            return Ok(who.to_string());
        }
        self.session(app).await?.resolve_user(who).await
    }

    /// The client on the location's account.
    pub fn at(&self, loc: &Location) -> PithosClient {
        match &loc.account {
            Some(a) => self.client.for_account(a.clone()),
            None => self.client.clone(),
        }
    }

    /// Parses a location with this command's default container.
    pub fn loc(&self, text: &str) -> Location {
        parse_location(text, &self.default_container)
    }
}

fn container_error(container: &str, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!("Container \"{container}\" does not exist"))
            .hint("To list containers", "kamaki container list")
            .detail(crate::error::server_line(&e))
    } else {
        e.into()
    }
}

fn object_error(loc: &Location, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!(
            "No object \"{}\" in container \"{}\"",
            loc.path, loc.container
        ))
        .hint(
            "To list the container",
            format!("kamaki file list /{}", loc.container),
        )
        .detail(crate::error::server_line(&e))
    } else if e.status == 413 {
        CliError::from(e)
            .detail("Quota exceeded")
            .hint("To see the quotas", "kamaki quota list")
            .hint(
                "To see the container limit",
                format!("kamaki container info {} --size-limit", loc.container),
            )
            .hint(
                "To raise the container limit",
                format!(
                    "kamaki container modify {} --size-limit <size>",
                    loc.container
                ),
            )
    } else if e.status == 403 {
        CliError::from(e).detail("Insufficient permissions").hint(
            "To see the permissions of the object",
            format!("kamaki file info {} --sharing", loc.display()),
        )
    } else {
        e.into()
    }
}

fn is_dir(content_type: Option<&str>) -> bool {
    matches!(content_type, Some(t) if t.starts_with("application/directory") || t.starts_with("application/folder"))
}

fn object_lines(items: &[Value], details: bool, enumerate: bool) -> String {
    let mut out = String::new();
    for (i, v) in items.iter().enumerate() {
        let prefix = if enumerate {
            format!("{}. ", i + 1)
        } else {
            String::new()
        };
        let name = field(v, "name");
        let dir =
            is_dir(v.get("content_type").and_then(Value::as_str)) || v.get("subdir").is_some();
        if details {
            out.push_str(&format!(
                "{prefix}{name}{}\n",
                if dir && !name.ends_with('/') { "/" } else { "" }
            ));
            if let Value::Object(m) = v {
                let mut m = m.clone();
                m.shift_remove("name");
                if let Some(b) = m.get("bytes").and_then(Value::as_u64) {
                    m.insert(
                        "bytes".into(),
                        Value::String(format!("{b} ({})", format_size(b))),
                    );
                }
                crate::output::record(&m, 4, &mut out);
            }
        } else if dir {
            out.push_str(&format!(
                "{prefix}{:>9} {name}{}\n",
                "D",
                if name.ends_with('/') { "" } else { "/" }
            ));
        } else {
            let size = v.get("bytes").and_then(Value::as_u64).unwrap_or(0);
            out.push_str(&format!("{prefix}{:>9} {name}\n", format_size(size)));
        }
    }
    out
}

/// Listing entries as JSON; a `subdir` entry is dropped when the directory
/// object of the same name is listed too.
fn listing_values(items: Vec<Listing<ObjectEntry>>) -> Vec<Value> {
    let dirs: std::collections::HashSet<String> = items
        .iter()
        .filter_map(|l| l.item())
        .filter(|o| is_dir(o.content_type.as_deref()))
        .map(|o| o.name.trim_end_matches('/').to_string())
        .collect();
    items
        .into_iter()
        .filter_map(|l| match l {
            Listing::Item(o) => Some(to_value(&o)),
            Listing::Subdir(s) if dirs.contains(s.trim_end_matches('/')) => None,
            Listing::Subdir(s) => Some(json!({"subdir": s, "name": s})),
        })
        .collect()
}

fn epoch(text: &Option<String>) -> CliResult<Option<u64>> {
    text.as_deref()
        .map(|t| {
            dates::parse_date(t)
                .map(|s| s.max(0) as u64)
                .map_err(CliError::syntax)
        })
        .transpose()
}

fn http_date(text: &Option<String>) -> CliResult<Option<String>> {
    text.as_deref()
        .map(|t| dates::http_date(t).map_err(CliError::syntax))
        .transpose()
}

fn preconditions(p: &Preconditions) -> CliResult<PithosPreconditions> {
    Ok(PithosPreconditions {
        if_match: p.if_match.clone(),
        if_none_match: p.if_none_match.clone(),
        if_modified_since: http_date(&p.if_modified_since)?,
        if_unmodified_since: http_date(&p.if_unmodified_since)?,
    })
}

fn version(v: &Option<String>) -> CliResult<Option<u64>> {
    v.as_deref()
        .map(|t| {
            t.trim()
                .parse()
                .map_err(|_| CliError::syntax(format!("Invalid object version {t}")))
        })
        .transpose()
}

/// Parses kamaki's byte ranges: comma-separated `N`, `START-END`, `-LAST`.
pub fn parse_ranges(text: &str) -> CliResult<Vec<ByteRange>> {
    let bad = || {
        CliError::syntax(format!("Invalid range `{text}`"))
            .detail("Use N, START-END or -LAST, comma separated (START <= END)")
    };
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let r = if let Some(last) = part.strip_prefix('-') {
            ByteRange::Last(last.parse().map_err(|_| bad())?)
        } else if let Some((a, b)) = part.split_once('-') {
            let start: u64 = a.trim().parse().map_err(|_| bad())?;
            if b.trim().is_empty() {
                ByteRange::From(start)
            } else {
                let end: u64 = b.trim().parse().map_err(|_| bad())?;
                if end < start {
                    return Err(bad());
                }
                ByteRange::Span { start, end }
            }
        } else {
            let n: u64 = part.parse().map_err(|_| bad())?;
            ByteRange::Span { start: n, end: n }
        };
        r.validate().map_err(|_| bad())?;
        out.push(r);
    }
    if out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

/// The content type of a file, guessed from its extension.
pub fn guess_content_type(path: &Path) -> String {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" | "log" | "md" | "cfg" | "conf" | "ini" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "js" => "application/javascript",
        "json" | "meta" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "bz2" => "application/x-bzip2",
        "xz" => "application/x-xz",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "iso" => "application/x-iso9660-image",
        _ => "application/octet-stream",
    }
    .to_string()
}

fn sharing_of(read: &[String], write: &[String]) -> Option<Sharing> {
    if read.is_empty() && write.is_empty() {
        None
    } else {
        Some(Sharing::new(read.iter().cloned(), write.iter().cloned()))
    }
}

fn sharing_record(s: Option<&Sharing>, public_url: Option<&String>) -> Value {
    let mut m = Map::new();
    if let Some(s) = s {
        if !s.read.is_empty() {
            m.insert("read".into(), Value::String(s.read.join(",")));
        }
        if !s.write.is_empty() {
            m.insert("write".into(), Value::String(s.write.join(",")));
        }
    }
    if let Some(u) = public_url {
        m.insert("public url".into(), Value::String(u.clone()));
    }
    Value::Object(m)
}

fn basename(path: &str) -> String {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .to_string()
}

async fn object_exists(
    c: &PithosClient,
    loc: &Location,
) -> CliResult<Option<kamaki_synnefo::pithos::ObjectInfo>> {
    if loc.path.is_empty() {
        return Ok(None);
    }
    match c
        .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
        .await
    {
        Ok(i) => Ok(Some(i)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(object_error(loc, e)),
    }
}

/// Whether a container is on Pithos (it reports a block size), as opposed
/// to a plain Swift store where the Pithos-only requests (`delimiter` on
/// DELETE, `X-Move-From`) must be done another way.
async fn is_pithos(c: &PithosClient, container: &str) -> bool {
    c.get_container_info(container, &ContainerInfoOptions::default())
        .await
        .map(|i| i.block_size.is_some())
        .unwrap_or(true)
}

/// Deletes every object of a container (the container stays): one request
/// on Pithos, one per object on plain Swift.
async fn empty(c: &PithosClient, container: &str) -> CliResult {
    if is_pithos(c, container).await {
        return c
            .empty_container(container)
            .await
            .map_err(|e| container_error(container, e));
    }
    for o in objects_under(c, container, "").await? {
        c.delete_object(container, &o.name, &DeleteObjectOptions::default())
            .await
            .or_else(|e| if e.is_not_found() { Ok(()) } else { Err(e) })
            .map_err(|e| container_error(container, e))?;
    }
    Ok(())
}

/// Objects under `prefix/` (and `prefix` itself), all pages.
async fn objects_under(
    c: &PithosClient,
    container: &str,
    prefix: &str,
) -> CliResult<Vec<ObjectEntry>> {
    let p = if prefix.is_empty() {
        None
    } else {
        Some(prefix.trim_end_matches('/').to_string())
    };
    let items = c
        .list_objects_in(
            container,
            ListObjectsOptions {
                prefix: p.clone(),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| container_error(container, e))?;
    let p = p.unwrap_or_default();
    Ok(items
        .into_iter()
        .filter_map(Listing::into_item)
        .filter(|o| {
            p.is_empty()
                || o.name == p
                || o.name.starts_with(&format!("{p}/"))
                || (p.ends_with('/') && o.name.starts_with(&p))
        })
        .collect())
}

async fn check_container_limit(c: &PithosClient, loc: &Location, size: u64) -> CliResult {
    let Ok(info) = c
        .get_container_info(&loc.container, &ContainerInfoOptions::default())
        .await
    else {
        return Ok(());
    };
    if let Some(quota) = info.policy.quota.filter(|q| *q > 0) {
        let used = info.bytes_used.unwrap_or(0);
        if quota.saturating_sub(used) < size {
            return Err(CliError::value(format!(
                "Container \"{}\" has {} free of its {} limit, the upload needs {}",
                loc.container,
                format_size(quota.saturating_sub(used)),
                format_size(quota),
                format_size(size)
            ))
            .hint(
                "To see the container limit",
                format!("kamaki container info {} --size-limit", loc.container),
            )
            .hint(
                "To raise it",
                format!(
                    "kamaki container modify {} --size-limit <size>",
                    loc.container
                ),
            ));
        }
    }
    Ok(())
}

fn sync_notes(
    label_from: impl Fn(&SyncEntry) -> (String, String) + Send + Sync + 'static,
) -> kamaki_synnefo::pithos::SyncObserver {
    Arc::new(move |e: &SyncEntry| {
        let (from, to) = label_from(e);
        match &e.action {
            SyncAction::DirectoryCreated => note(&format!("mkdir {to}")),
            SyncAction::Created | SyncAction::Updated => note(&format!("{from} --> {to}")),
            SyncAction::Unchanged => note(&format!("{from} --> {to} (unchanged)")),
            SyncAction::Deleted => note(&format!("deleted {to}")),
            SyncAction::Skipped { reason } => note(&format!("skipped {from}: {reason}")),
        }
    })
}

fn local_size(path: &Path) -> CliResult<u64> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| {
        CliError::value(format!("Cannot read {}", path.display())).detail(e.to_string())
    })
}

/// A permission grant: `*`, `UUID`, `UUID:GROUP` or a user name.
async fn resolve_grant(app: &mut App, p: &mut Pithos, who: &str) -> CliResult<String> {
    if who == "*" || who.contains(':') {
        return Ok(who.to_string());
    }
    p.resolve_user(app, who).await
}

fn walk_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

async fn apply_sharing(
    c: &PithosClient,
    container: &str,
    object: &str,
    sharing: Option<&Sharing>,
    public: bool,
) -> CliResult {
    let loc = Location {
        account: None,
        container: container.to_string(),
        path: object.to_string(),
    };
    if let Some(s) = sharing {
        c.set_object_sharing(container, object, s)
            .await
            .map_err(|e| object_error(&loc, e))?;
    }
    if public {
        c.publish_object(container, object)
            .await
            .map_err(|e| object_error(&loc, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let l = parse_location("pithos://u-1/c/a/b.txt", "pithos");
        assert_eq!(
            (l.account.as_deref(), l.container.as_str(), l.path.as_str()),
            (Some("u-1"), "c", "a/b.txt")
        );
        let l = parse_location("/docs/report.pdf", "pithos");
        assert_eq!(
            (l.container.as_str(), l.path.as_str()),
            ("docs", "report.pdf")
        );
        let l = parse_location("/docs", "pithos");
        assert_eq!((l.container.as_str(), l.path.as_str()), ("docs", ""));
        assert_eq!(l.display(), "/docs");
        let l = parse_location("dir/file", "work");
        assert_eq!(
            (l.container.as_str(), l.path.as_str()),
            ("work", "dir/file")
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(
            parse_ranges("0-9,20,-5").unwrap(),
            vec![
                ByteRange::Span { start: 0, end: 9 },
                ByteRange::Span { start: 20, end: 20 },
                ByteRange::Last(5)
            ]
        );
        assert_eq!(parse_ranges("7-").unwrap(), vec![ByteRange::From(7)]);
        assert!(parse_ranges("9-3").is_err());
        assert!(parse_ranges("x").is_err());
        assert!(parse_ranges("").is_err());
    }

    #[test]
    fn content_types() {
        assert_eq!(
            guess_content_type(Path::new("a/report.PDF")),
            "application/pdf"
        );
        assert_eq!(
            guess_content_type(Path::new("noext")),
            "application/octet-stream"
        );
    }
}
