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

/// Runs a `file` command.
pub async fn file(app: &mut App, cmd: FileCmd) -> CliResult {
    let scope = match &cmd {
        FileCmd::List(a) => a.scope.clone(),
        FileCmd::Info(a) => a.scope.clone(),
        FileCmd::Create(a) => a.scope.clone(),
        FileCmd::Mkdir(a) | FileCmd::Publish(a) | FileCmd::Unpublish(a) => a.scope.clone(),
        FileCmd::Modify(a) => a.scope.clone(),
        FileCmd::Delete(a) => a.scope.clone(),
        FileCmd::Copy(a) | FileCmd::Move(a) => a.scope.clone(),
        FileCmd::Append(a) => a.scope.clone(),
        FileCmd::Truncate(a) => a.scope.clone(),
        FileCmd::Overwrite(a) => a.scope.clone(),
        FileCmd::Upload(a) => a.scope.clone(),
        FileCmd::Cat(a) => a.scope.clone(),
        FileCmd::Download(a) => a.scope.clone(),
    };
    let mut p = pithos(app, scope.account.as_deref(), scope.container.as_deref()).await?;
    let bars = app.bars();
    match cmd {
        FileCmd::List(a) => file_list(app, &p, a).await?,
        FileCmd::Info(a) => file_info(app, &p, a).await?,
        FileCmd::Create(a) => {
            let loc = p.loc(&a.location);
            let opts = PutObjectOptions {
                content_type: Some(a.content_type.clone()),
                ..Default::default()
            };
            p.at(&loc)
                .put_object(&loc.container, &loc.path, kamaki_core::Body::empty(), &opts)
                .await
                .map_err(|e| object_error(&loc, e))?;
        }
        FileCmd::Mkdir(a) => {
            let loc = p.loc(&a.location);
            p.at(&loc)
                .create_directory(&loc.container, loc.path.trim_end_matches('/'))
                .await
                .map_err(|e| object_error(&loc, e))?;
        }
        FileCmd::Modify(a) => {
            let mut read = Vec::new();
            for u in &a.read_permission {
                read.push(resolve_grant(app, &mut p, u).await?);
            }
            let mut write = Vec::new();
            for u in &a.write_permission {
                write.push(resolve_grant(app, &mut p, u).await?);
            }
            file_modify(app, &p, a, read, write).await?
        }
        FileCmd::Publish(a) => {
            let loc = p.loc(&a.location);
            let url = p
                .at(&loc)
                .publish_object(&loc.container, &loc.path)
                .await
                .map_err(|e| object_error(&loc, e))?;
            println(&url);
        }
        FileCmd::Unpublish(a) => {
            let loc = p.loc(&a.location);
            p.at(&loc)
                .unpublish_object(&loc.container, &loc.path)
                .await
                .map_err(|e| object_error(&loc, e))?;
        }
        FileCmd::Delete(a) => file_delete(&p, a).await?,
        FileCmd::Copy(a) => {
            let to = match &a.to_account {
                Some(u) => Some(p.resolve_user(app, u).await?),
                None => None,
            };
            copy_or_move(&p, a, to, false).await?
        }
        FileCmd::Move(a) => {
            let to = match &a.to_account {
                Some(u) => Some(p.resolve_user(app, u).await?),
                None => None,
            };
            copy_or_move(&p, a, to, true).await?
        }
        FileCmd::Append(a) => {
            let loc = p.loc(&a.location);
            let size = local_size(&a.local)?;
            let bar = Bar::new("Appending", bars);
            kamaki_core::Progress::start(&bar, Some(size));
            let opts = AppendOptions {
                progress: Some(Arc::new(bar.clone())),
                ..Default::default()
            };
            p.at(&loc)
                .append_object(
                    &loc.container,
                    &loc.path,
                    UploadSource::path(&a.local),
                    &opts,
                )
                .await
                .map_err(|e| object_error(&loc, e))?;
            kamaki_core::Progress::finish(&bar);
        }
        FileCmd::Truncate(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            let info = c
                .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
                .await
                .map_err(|e| object_error(&loc, e))?;
            let have = info.bytes.unwrap_or(0);
            if a.size > have {
                return Err(CliError::value(format!(
                    "Cannot truncate {} to {} bytes: it holds {have}",
                    loc.display(),
                    a.size
                ))
                .detail("Truncation only shrinks an object"));
            }
            c.truncate_object(&loc.container, &loc.path, a.size)
                .await
                .map_err(|e| object_error(&loc, e))?;
        }
        FileCmd::Overwrite(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            let start = a.from.unwrap_or(0);
            if a.to < start {
                return Err(CliError::syntax(format!(
                    "Invalid range: --from {start} is after --to {}",
                    a.to
                )));
            }
            let info = c
                .get_object_info(
                    &loc.container,
                    &loc.path,
                    &ObjectInfoOptions {
                        version: version(&a.object_version)?,
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| object_error(&loc, e))?;
            let have = info.bytes.unwrap_or(0);
            if start > have {
                return Err(CliError::value(format!(
                    "Cannot overwrite from byte {start}: {} holds {have} bytes",
                    loc.display()
                )));
            }
            let n = a.to - start + 1;
            if local_size(&a.local)? < n {
                return Err(CliError::value(format!(
                    "{} holds fewer than the {n} bytes to write",
                    a.local.display()
                )));
            }
            let bar = Bar::new(&format!("Overwrite {n} bytes"), bars);
            kamaki_core::Progress::start(&bar, Some(n));
            let opts = AppendOptions {
                progress: Some(Arc::new(bar.clone())),
                ..Default::default()
            };
            c.overwrite_object(
                &loc.container,
                &loc.path,
                start,
                a.to,
                UploadSource::path(&a.local),
                &opts,
            )
            .await
            .map_err(|e| object_error(&loc, e))?;
            kamaki_core::Progress::finish(&bar);
        }
        FileCmd::Upload(a) => {
            let mut read = Vec::new();
            for u in &a.read_permission {
                read.push(resolve_grant(app, &mut p, u).await?);
            }
            let mut write = Vec::new();
            for u in &a.write_permission {
                write.push(resolve_grant(app, &mut p, u).await?);
            }
            file_upload(&p, a, sharing_of(&read, &write), bars).await?
        }
        FileCmd::Cat(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            let ranges = match &a.range {
                Some(r) => parse_ranges(r)?.into_iter().map(Some).collect(),
                None => vec![None],
            };
            let mut out = tokio::io::stdout();
            for range in ranges {
                let opts = DownloadOptions {
                    version: version(&a.object_version)?,
                    conditions: preconditions(&a.pre)?,
                    concurrency: a.buffer_blocks as usize,
                    range,
                    ..Default::default()
                };
                c.download_to_writer(&loc.container, &loc.path, &mut out, &opts)
                    .await
                    .map_err(|e| object_error(&loc, e))?;
            }
            use tokio::io::AsyncWriteExt;
            let _ = out.flush().await;
        }
        FileCmd::Download(a) => file_download(&p, a, bars).await?,
    }
    Ok(())
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

async fn file_list(app: &App, p: &Pithos, a: FileList) -> CliResult {
    let loc = p.loc(a.location.as_deref().unwrap_or(""));
    let c = p.at(&loc);
    let prefix = if loc.path.is_empty() {
        a.names.name_prefix.clone()
    } else {
        Some(format!("{}/", loc.path.trim_end_matches('/')))
    };
    let meta: Vec<String> = a
        .meta
        .as_deref()
        .map(|m| {
            m.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let opts = ListObjectsOptions {
        limit: if a.shape.more {
            None
        } else {
            a.shape.number.map(|n| n as u32)
        },
        marker: a.marker.clone(),
        prefix: prefix.clone(),
        delimiter: a.delimiter.clone().or_else(|| Some("/".into())),
        meta,
        shared: a.shared_by_me,
        public: a.public,
        until: epoch(&a.until)?,
        if_modified_since: http_date(&a.if_modified_since)?,
        if_unmodified_since: http_date(&a.if_unmodified_since)?,
        ..Default::default()
    };
    let stream = c.objects(&loc.container, opts);
    futures::pin_mut!(stream);
    let mut items = Vec::new();
    use futures::StreamExt;
    while let Some(item) = stream.next().await {
        items.push(item.map_err(|e| container_error(&loc.container, e))?);
        if !a.shape.more && a.shape.number.is_some_and(|n| items.len() as u64 >= n) {
            break;
        }
    }
    let items = filter_names(
        listing_values(items),
        &NameFilter {
            name_prefix: None,
            ..a.names.clone()
        },
    );
    if items.is_empty() && !loc.path.is_empty() {
        if let Some(info) = object_exists(&c, &loc).await? {
            if !is_dir(info.content_type.as_deref()) {
                return Err(
                    CliError::value(format!("{} is not a directory", loc.display())).hint(
                        "To see the object",
                        format!("kamaki file info {}", loc.display()),
                    ),
                );
            }
        }
    }
    if app.printer.json {
        app.printer.items(&items, &[], false);
    } else if items.is_empty() {
        note(&format!(
            "No objects in /{}{}",
            loc.container,
            prefix.map(|p| format!("/{p}")).unwrap_or_default()
        ));
    } else {
        crate::output::page(
            &object_lines(&items, a.list, a.shape.enumerate),
            a.shape.more,
        );
    }
    Ok(())
}

async fn file_info(app: &App, p: &Pithos, a: FileInfo) -> CliResult {
    let loc = p.loc(&a.location);
    let c = p.at(&loc);
    let ver = version(&a.object_version)?;
    if a.hashmap {
        let opts = HashmapOptions {
            version: ver,
            conditions: preconditions(&a.pre)?,
        };
        match c
            .get_object_hashmap_with(&loc.container, &loc.path, &opts)
            .await
            .map_err(|e| object_error(&loc, e))?
        {
            Some(h) => app.printer.record(&to_value(&h)),
            None => note(&format!("{} is not modified", loc.display())),
        }
        return Ok(());
    }
    if a.object_versions {
        let versions = c
            .get_object_versions(&loc.container, &loc.path)
            .await
            .map_err(|e| object_error(&loc, e))?;
        let items: Vec<Value> = versions
            .iter()
            .map(|v| {
                let created = if app.printer.json {
                    Value::String(v.timestamp.clone())
                } else {
                    Value::String(
                        v.timestamp
                            .parse::<f64>()
                            .map(dates::format_dmy)
                            .unwrap_or_else(|_| v.timestamp.clone()),
                    )
                };
                json!({"version_id": v.id, "created": created})
            })
            .collect();
        app.printer.items(&items, &["version_id"], false);
        return Ok(());
    }
    let opts = ObjectInfoOptions {
        version: ver,
        ..Default::default()
    };
    let info = c
        .get_object_info(&loc.container, &loc.path, &opts)
        .await
        .map_err(|e| object_error(&loc, e))?;
    let v = if a.metadata {
        to_value(&info.meta)
    } else if a.sharing {
        sharing_record(info.sharing.as_ref(), info.public_url.as_ref())
    } else {
        to_value(&info.headers)
    };
    app.printer.record(&v);
    Ok(())
}

async fn file_modify(
    app: &App,
    p: &Pithos,
    a: FileModify,
    read: Vec<String>,
    write: Vec<String>,
) -> CliResult {
    let loc = p.loc(&a.location);
    let c = p.at(&loc);
    let perms = !read.is_empty() || !write.is_empty() || a.no_permissions;
    let meta = !a.metadata_add.is_empty() || !a.metadata_del.is_empty();
    if !perms && !meta {
        return Err(CliError::syntax("Nothing to modify")
            .hint("For the options", "kamaki file modify --help"));
    }
    let info = c
        .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
        .await
        .map_err(|e| object_error(&loc, e))?;
    if a.no_permissions {
        c.delete_object_sharing(&loc.container, &loc.path)
            .await
            .map_err(|e| object_error(&loc, e))?;
    } else if perms {
        let mut s = info.sharing.clone().unwrap_or_default();
        for r in read {
            if !s.read.contains(&r) {
                s.read.push(r);
            }
        }
        for w in write {
            if !s.write.contains(&w) {
                s.write.push(w);
            }
        }
        c.set_object_sharing(&loc.container, &loc.path, &s)
            .await
            .map_err(|e| object_error(&loc, e))?;
    }
    if !a.metadata_add.is_empty() {
        let m = a.metadata_add.iter().cloned().collect();
        c.set_object_meta(&loc.container, &loc.path, &m)
            .await
            .map_err(|e| object_error(&loc, e))?;
    }
    for k in &a.metadata_del {
        c.delete_object_meta(&loc.container, &loc.path, k)
            .await
            .map_err(|e| object_error(&loc, e))?;
    }
    let after = c
        .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
        .await
        .map_err(|e| object_error(&loc, e))?;
    if perms {
        app.printer
            .record(&sharing_record(after.sharing.as_ref(), None));
    }
    if meta {
        app.printer.record(&to_value(&after.meta));
    }
    Ok(())
}

async fn file_delete(p: &Pithos, a: FileDelete) -> CliResult {
    let loc = p.loc(&a.location);
    let c = p.at(&loc);
    if loc.path.is_empty() {
        if !a.yes
            && !crate::app::ask(&format!(
                "Delete ALL objects of container /{} (the container stays)?",
                loc.container
            ))
        {
            note("Aborted");
            return Ok(());
        }
        return empty(&c, &loc.container).await;
    }
    let info = c
        .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
        .await
        .map_err(|e| object_error(&loc, e))?;
    if !a.yes && !ask(&format!("Delete {} ?", loc.display())) {
        note("Aborted");
        return Ok(());
    }
    if is_dir(info.content_type.as_deref()) || a.recursive {
        let inner: Vec<ObjectEntry> = objects_under(&c, &loc.container, &loc.path)
            .await?
            .into_iter()
            .filter(|o| o.name != loc.path)
            .collect();
        if !inner.is_empty() {
            let dir = format!("{}/", loc.path.trim_end_matches('/'));
            note(&format!(
                " * {} more object(s) found under {dir}",
                inner.len()
            ));
            if a.recursive {
                note(" * with -r they are deleted as well");
                if !a.yes && !ask("Continue?") {
                    note("Aborted");
                    return Ok(());
                }
            } else {
                note(" * they are kept (use -r to delete them too)");
            }
        }
    }
    let opts = DeleteObjectOptions {
        until: epoch(&a.until)?,
        delimiter: if a.recursive {
            Some("/".into())
        } else {
            a.delimiter.clone()
        },
    };
    if opts.delimiter.is_some() && !is_pithos(&c, &loc.container).await {
        // plain Swift has no recursive delete: the objects one by one
        let mut names: Vec<String> = objects_under(&c, &loc.container, &loc.path)
            .await?
            .into_iter()
            .map(|o| o.name)
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for n in names {
            c.delete_object(&loc.container, &n, &DeleteObjectOptions::default())
                .await
                .or_else(|e| if e.is_not_found() { Ok(()) } else { Err(e) })
                .map_err(|e| object_error(&loc, e))?;
        }
        return Ok(());
    }
    c.delete_object(&loc.container, &loc.path, &opts)
        .await
        .map_err(|e| object_error(&loc, e))?;
    Ok(())
}

async fn copy_or_move(
    p: &Pithos,
    a: FileCopy,
    to_account: Option<String>,
    moving: bool,
) -> CliResult {
    let verb = if moving { "move" } else { "copy" };
    let src = p.loc(&a.source);
    if src.path.is_empty() && !a.recursive {
        return Err(CliError::syntax(format!(
            "Nothing to {verb}: {} is a container",
            src.display()
        ))
        .hint(
            format!("To {verb} all its objects"),
            format!("kamaki file {verb} {} <destination> -r", src.display()),
        ));
    }
    let c = p.at(&src);
    let mut dst = match &a.destination {
        Some(d) => parse_location(d, &src.container),
        None => Location {
            account: None,
            container: src.container.clone(),
            path: src.path.clone(),
        },
    };
    if let Some(cont) = &a.to_container {
        if a.destination.as_deref().is_none_or(|d| !d.starts_with('/')) {
            dst.container = cont.clone();
        }
    }
    let dst_account = to_account.or(dst.account.clone());
    let dst_client = match &dst_account {
        Some(acc) => c.for_account(acc.clone()),
        None => c.clone(),
    };
    if dst.container == src.container
        && dst.path == src.path
        && dst_account.is_none()
        && a.content_type.is_none()
    {
        return Err(CliError::syntax(format!(
            "Source and destination are the same: {}",
            src.display()
        )));
    }
    // (source name, destination name) pairs
    let mut pairs: Vec<(String, String)> = Vec::new();
    if a.recursive {
        let objects = objects_under(&c, &src.container, &src.path).await?;
        if objects.is_empty() {
            return Err(object_error(
                &src,
                kamaki_core::ClientError::new(kamaki_core::ErrorKind::Http, "Not Found")
                    .with_status(404),
            ));
        }
        let from = src.path.trim_end_matches('/');
        let to = dst.path.trim_end_matches('/');
        for o in objects {
            let rest = o.name.strip_prefix(from).unwrap_or(&o.name);
            let name = format!("{to}{rest}").trim_start_matches('/').to_string();
            pairs.push((o.name, name));
        }
    } else {
        c.get_object_info(
            &src.container,
            &src.path,
            &ObjectInfoOptions {
                version: version(&a.source_version)?,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| object_error(&src, e))?;
        let mut name = dst.path.clone();
        if name.is_empty() || name.ends_with('/') {
            name.push_str(&basename(&src.path));
        } else if let Some(info) = object_exists(&dst_client, &dst).await? {
            if is_dir(info.content_type.as_deref()) {
                name = format!("{}/{}", name.trim_end_matches('/'), basename(&src.path));
            }
        }
        pairs.push((src.path.clone(), name));
    }
    if !a.force {
        for (_, d) in &pairs {
            let dl = Location {
                account: None,
                container: dst.container.clone(),
                path: d.clone(),
            };
            if let Some(info) = object_exists(&dst_client, &dl).await? {
                if !(a.recursive && is_dir(info.content_type.as_deref())) {
                    return Err(
                        CliError::value(format!("Object {} already exists", dl.display()))
                            .detail(format!("use -f to overwrite it with the {verb}")),
                    );
                }
            }
        }
    }
    let opts = CopyOptions {
        source_version: if moving {
            None
        } else {
            version(&a.source_version)?
        },
        destination_account: dst_account.clone(),
        content_type: a.content_type.clone(),
        public: a.public.then_some(true),
        ..Default::default()
    };
    let pithos_store = !moving || is_pithos(&c, &src.container).await;
    for (s, d) in pairs {
        note(&format!(
            "  {verb} /{}/{s}  -->  /{}/{d}",
            src.container, dst.container
        ));
        let sl = Location {
            account: src.account.clone(),
            container: src.container.clone(),
            path: s.clone(),
        };
        let r = if moving && !pithos_store {
            // plain Swift has no X-Move-From: copy, then delete
            match c
                .copy_object(&src.container, &s, &dst.container, &d, &opts)
                .await
            {
                Ok(w) => c
                    .delete_object(&src.container, &s, &DeleteObjectOptions::default())
                    .await
                    .map(|_| w),
                Err(e) => Err(e),
            }
        } else if moving {
            c.move_object(&src.container, &s, &dst.container, &d, &opts)
                .await
        } else {
            c.copy_object(&src.container, &s, &dst.container, &d, &opts)
                .await
        };
        r.map_err(|e| object_error(&sl, e))?;
    }
    Ok(())
}

async fn file_upload(p: &Pithos, a: FileUpload, sharing: Option<Sharing>, bars: bool) -> CliResult {
    let local_text = a.local.to_string_lossy().into_owned();
    let contents_only =
        local_text.ends_with('/') || local_text.ends_with("/.") || local_text == ".";
    let local = std::path::absolute(&a.local).unwrap_or_else(|_| a.local.clone());
    let meta = std::fs::metadata(&local).map_err(|e| {
        CliError::value(format!("Cannot read {}", a.local.display())).detail(e.to_string())
    })?;
    let base = local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut loc = p.loc(a.location.as_deref().unwrap_or(""));
    let c = p.at(&loc);
    if meta.is_dir() {
        if !a.recursive {
            return Err(
                CliError::value(format!("{} is a directory", a.local.display())).hint(
                    "To upload it with its contents",
                    format!("kamaki file upload {} -r ...", a.local.display()),
                ),
            );
        }
        if !contents_only {
            if loc.path.is_empty() || loc.path.ends_with('/') {
                loc.path = format!("{}{base}", loc.path);
            } else if let Some(info) = object_exists(&c, &loc).await? {
                if is_dir(info.content_type.as_deref()) && a.location.is_some() {
                    let l = a.location.as_deref().unwrap_or("");
                    if l.ends_with('/') {
                        loc.path = format!("{}/{base}", loc.path.trim_end_matches('/'));
                    }
                }
            }
        }
        let prefix = loc.path.trim_end_matches('/').to_string();
        if !a.force {
            let existing: Vec<ObjectEntry> = objects_under(&c, &loc.container, &prefix)
                .await?
                .into_iter()
                .filter(|o| !(o.name == prefix && is_dir(o.content_type.as_deref())))
                .collect();
            if let Some(o) = existing.first() {
                return Err(CliError::value(format!(
                    "Object /{}/{} already exists",
                    loc.container, o.name
                ))
                .detail(format!(
                    "{} object(s) exist under /{}/{prefix}",
                    existing.len(),
                    loc.container
                ))
                .detail("use -f to overwrite / resume"));
            }
        }
        let total: u64 = walk_size(&local);
        check_container_limit(&c, &loc, total).await?;
        if !prefix.is_empty() && object_exists(&c, &loc).await?.is_none() {
            note(&format!("remote: mkdir /{}/{prefix}", loc.container));
            c.create_directory(&loc.container, &prefix)
                .await
                .map_err(|e| object_error(&loc, e))?;
        }
        let bar = Bar::new(&format!("Uploading {base}"), bars);
        kamaki_core::Progress::start(&bar, Some(total));
        let root = local.clone();
        let cont = loc.container.clone();
        let opts = SyncOptions {
            concurrency: a.threads.max(1),
            content_type: a.content_type.clone(),
            progress: Some(Arc::new(bar.clone())),
            observer: Some(sync_notes(move |e| {
                let from = root.join(&e.path).display().to_string();
                (from, format!("/{cont}/{}", e.object))
            })),
            ..Default::default()
        };
        let report = c
            .sync_upload(&local, &loc.container, &prefix, &opts)
            .await
            .map_err(|e| object_error(&loc, e))?;
        kamaki_core::Progress::finish(&bar);
        note(&format!(
            "Upload completed: {} created, {} updated, {} unchanged, {} sent",
            report.created,
            report.updated,
            report.unchanged,
            format_size(report.moved_bytes)
        ));
        if sharing.is_some() || a.public {
            for e in &report.entries {
                if matches!(e.action, SyncAction::Skipped { .. } | SyncAction::Deleted) {
                    continue;
                }
                apply_sharing(&c, &loc.container, &e.object, sharing.as_ref(), a.public).await?;
            }
        }
        return Ok(());
    }
    if loc.path.is_empty() || loc.path.ends_with('/') {
        loc.path = format!("{}{base}", loc.path);
    } else if let Some(info) = object_exists(&c, &loc).await? {
        if is_dir(info.content_type.as_deref()) {
            loc.path = format!("{}/{base}", loc.path.trim_end_matches('/'));
        }
    }
    if !a.force && object_exists(&c, &loc).await?.is_some() {
        return Err(
            CliError::value(format!("Object {} already exists", loc.display()))
                .detail("use -f to overwrite / resume"),
        );
    }
    check_container_limit(&c, &loc, meta.len()).await?;
    note(&format!("{} --> {}", local.display(), loc.display()));
    let content_type = a
        .content_type
        .clone()
        .unwrap_or_else(|| guess_content_type(&local));
    if a.source_is_hashmap {
        upload_hashmap(&c, &loc, &local, &content_type, a.force).await?;
    } else if a.unchunked {
        let opts = PutObjectOptions {
            content_type: Some(content_type),
            content_encoding: a.content_encoding.clone(),
            content_disposition: a.content_disposition.clone(),
            etag: a.etag.clone(),
            sharing: sharing.clone(),
            public: a.public.then_some(true),
            ..Default::default()
        };
        let body = kamaki_core::Body::file_slice(local.clone(), 0, Some(meta.len()));
        c.put_object(&loc.container, &loc.path, body, &opts)
            .await
            .map_err(|e| object_error(&loc, e))?;
    } else {
        let hash_bar = Bar::new("Calculating block hashes", bars);
        let up_bar = Bar::new(&format!("Uploading {base}"), bars);
        let opts = UploadOptions {
            content_type: Some(content_type),
            content_encoding: a.content_encoding.clone(),
            content_disposition: a.content_disposition.clone(),
            sharing: sharing.clone(),
            public: a.public.then_some(true),
            concurrency: a.threads.max(1),
            hash_progress: Some(Arc::new(hash_bar.clone())),
            upload_progress: Some(Arc::new(up_bar.clone())),
            ..Default::default()
        };
        c.upload_object(&loc.container, &loc.path, UploadSource::path(&local), &opts)
            .await
            .map_err(|e| object_error(&loc, e))?;
        kamaki_core::Progress::finish(&hash_bar);
        kamaki_core::Progress::finish(&up_bar);
    }
    note("Upload completed");
    if a.public {
        let info = c
            .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
            .await
            .map_err(|e| object_error(&loc, e))?;
        if let Some(u) = info.public_url {
            println(&u);
        }
    }
    Ok(())
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

/// `file upload --source-is-hashmap`: the local file is a hashmap (JSON
/// `{"block_hash", "block_size", "bytes", "hashes"}`); the object is made
/// of blocks the server has already.
async fn upload_hashmap(
    c: &PithosClient,
    loc: &Location,
    local: &Path,
    content_type: &str,
    force: bool,
) -> CliResult {
    let text = std::fs::read_to_string(local).map_err(|e| {
        CliError::value(format!("Cannot read {}", local.display())).detail(e.to_string())
    })?;
    let hm: Value = serde_json::from_str(&text).map_err(|e| {
        CliError::value(format!("{} is not a JSON hashmap", local.display())).detail(e.to_string())
    })?;
    if hm.get("hashes").and_then(Value::as_array).is_none() || hm.get("bytes").is_none() {
        return Err(CliError::value(format!(
            "{} is not a hashmap (it needs \"bytes\" and \"hashes\")",
            local.display()
        )));
    }
    let url = c.storage().object_url(&loc.container, &loc.path)?;
    let mut q = kamaki_core::QueryParams::new();
    q.flag("hashmap");
    q.push("format", "json");
    let resp = c
        .http()
        .request(http::Method::PUT, url)
        .query(&q)
        .header("Content-Type", content_type)
        .header_opt("If-None-Match", (!force).then_some("*"))
        .json(&json!({"bytes": hm["bytes"], "hashes": hm["hashes"]}))
        .expect_status(&[201, 409])
        .send()
        .await
        .map_err(|e| object_error(loc, e))?;
    if resp.status() == 409 {
        let missing: Vec<String> = resp.json().await.unwrap_or_default();
        return Err(CliError::value(format!(
            "The server lacks {} block(s) of this hashmap",
            missing.len()
        ))
        .detail("Upload the file itself instead of its hashmap"));
    }
    let _ = resp.bytes().await;
    Ok(())
}

async fn file_download(p: &Pithos, a: FileDownload, bars: bool) -> CliResult {
    let loc = p.loc(&a.location);
    let c = p.at(&loc);
    let info = object_exists(&c, &loc).await?;
    let whole_dir = loc.path.is_empty()
        || info
            .as_ref()
            .is_some_and(|i| is_dir(i.content_type.as_deref()));
    if loc.path.is_empty() {
        c.get_container_info(&loc.container, &ContainerInfoOptions::default())
            .await
            .map_err(|e| container_error(&loc.container, e))?;
    } else if info.is_none() && !a.recursive {
        return Err(object_error(
            &loc,
            kamaki_core::ClientError::new(kamaki_core::ErrorKind::Http, "Not Found")
                .with_status(404),
        ));
    }
    if whole_dir || (a.recursive && info.is_none()) {
        if !a.recursive {
            return Err(
                CliError::value(format!("{} is a directory", loc.display())).hint(
                    "To download it with its contents",
                    format!("kamaki file download {} -r", loc.display()),
                ),
            );
        }
        let name = if loc.path.is_empty() {
            loc.container.clone()
        } else {
            basename(&loc.path)
        };
        let mut local = a.local.clone().unwrap_or_else(|| PathBuf::from(&name));
        if local.is_dir() && a.local.is_some() && !a.resume {
            local = local.join(&name);
        }
        if local.exists()
            && !a.resume
            && std::fs::read_dir(&local)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
        {
            return Err(
                CliError::value(format!("{} already exists", local.display()))
                    .detail("use -f to overwrite / resume"),
            );
        }
        let prefix = loc.path.trim_end_matches('/').to_string();
        let bar = Bar::new("  download", bars);
        let root = local.clone();
        let cont = loc.container.clone();
        let opts = SyncOptions {
            concurrency: a.threads.max(1),
            progress: Some(Arc::new(bar.clone())),
            observer: Some(sync_notes(move |e| {
                (
                    format!("/{cont}/{}", e.object),
                    root.join(&e.path).display().to_string(),
                )
            })),
            ..Default::default()
        };
        let report = c
            .sync_download(&loc.container, &prefix, &local, &opts)
            .await
            .map_err(|e| object_error(&loc, e))?;
        kamaki_core::Progress::finish(&bar);
        note(&format!(
            "Download completed: {} created, {} updated, {} unchanged, {} received",
            report.created,
            report.updated,
            report.unchanged,
            format_size(report.moved_bytes)
        ));
        return Ok(());
    }
    let base = basename(&loc.path);
    let mut local = a.local.clone().unwrap_or_else(|| PathBuf::from(&base));
    if local.is_dir() {
        local = local.join(&base);
    }
    if local.exists() && !a.resume {
        return Err(
            CliError::value(format!("{} already exists", local.display()))
                .detail("use -f to overwrite / resume"),
        );
    }
    if let Some(parent) = local.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::value(format!("Cannot create {}", parent.display())).detail(e.to_string())
        })?;
    }
    let range = match &a.range {
        Some(r) => {
            let mut rs = parse_ranges(r)?;
            if rs.len() > 1 {
                return Err(CliError::syntax(
                    "file download takes one range (use file cat for several)",
                ));
            }
            rs.pop()
        }
        None => None,
    };
    let shown = std::path::absolute(&local).unwrap_or_else(|_| local.clone());
    note(&format!("{} --> {}", loc.display(), shown.display()));
    let bar = Bar::new("  download", bars);
    let opts = DownloadOptions {
        version: version(&a.object_version)?,
        conditions: preconditions(&a.pre)?,
        concurrency: a.threads.max(1),
        resume: a.resume,
        range,
        progress: Some(Arc::new(bar.clone())),
        ..Default::default()
    };
    let outcome = c
        .download_object(&loc.container, &loc.path, &local, &opts)
        .await
        .map_err(|e| object_error(&loc, e))?;
    kamaki_core::Progress::finish(&bar);
    if outcome.not_modified {
        note(&format!("{} is not modified", loc.display()));
    } else {
        note("Download completed");
    }
    Ok(())
}

fn versioning(v: &Option<String>) -> Option<Versioning> {
    match v.as_deref().map(str::to_lowercase).as_deref() {
        Some("auto") => Some(Versioning::Auto),
        Some("none") => Some(Versioning::None),
        _ => None,
    }
}

/// Runs a `container` command.
pub async fn container(app: &mut App, cmd: ContainerCmd) -> CliResult {
    let account = match &cmd {
        ContainerCmd::List(a) => a.account.clone(),
        ContainerCmd::Info(a) => a.account.clone(),
        ContainerCmd::Create(a) => a.account.clone(),
        ContainerCmd::Modify(a) => a.account.clone(),
        ContainerCmd::Empty(a) => a.account.clone(),
        ContainerCmd::Delete(a) => a.account.clone(),
        ContainerCmd::Reassign(a) => a.account.clone(),
    };
    let p = pithos(app, account.as_deref(), None).await?;
    let c = &p.client;
    match cmd {
        ContainerCmd::List(a) => {
            if let Some(cont) = &a.container {
                let items = c
                    .list_objects_in(
                        cont,
                        ListObjectsOptions {
                            delimiter: Some("/".into()),
                            until: epoch(&a.until)?,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| container_error(cont, e))?;
                let items = listing_values(items);
                if app.printer.json {
                    app.printer.items(&items, &[], false);
                } else {
                    crate::output::page(
                        &object_lines(&items, a.list, a.shape.enumerate),
                        a.shape.more,
                    );
                }
                return Ok(());
            }
            let opts = ListContainersOptions {
                limit: if a.shape.more {
                    None
                } else {
                    a.shape.number.map(|n| n as u32)
                },
                marker: a.marker.clone(),
                shared: a.shared || a.shared_by_me,
                public: a.public,
                until: epoch(&a.until)?,
                if_modified_since: http_date(&a.if_modified_since)?,
                if_unmodified_since: http_date(&a.if_unmodified_since)?,
            };
            let mut items = filter_names(to_values(&c.list_containers(opts).await?), &a.names);
            if !a.shape.more {
                items = limit(items, a.shape.number);
            }
            if app.printer.json && !a.recursive {
                app.printer.items(&items, &[], false);
                return Ok(());
            }
            let mut out = String::new();
            let mut json_out = Vec::new();
            for (i, v) in items.iter().enumerate() {
                let prefix = if a.shape.enumerate {
                    format!("{}. ", i + 1)
                } else {
                    String::new()
                };
                let name = field(v, "name");
                if a.list {
                    out.push_str(&format!("{prefix}{name}\n"));
                    if let Value::Object(m) = v {
                        let mut m = m.clone();
                        m.shift_remove("name");
                        crate::output::record(&m, 4, &mut out);
                    }
                } else {
                    let bytes = v.get("bytes").and_then(Value::as_u64).unwrap_or(0);
                    let count = v.get("count").and_then(Value::as_u64).unwrap_or(0);
                    out.push_str(&format!(
                        "{prefix}{name} ({}, {count} objects)\n",
                        format_size(bytes)
                    ));
                }
                if a.recursive {
                    let objects = c
                        .list_objects_in(&name, ListObjectsOptions::default())
                        .await
                        .map_err(|e| container_error(&name, e))?;
                    let objects = listing_values(objects);
                    for line in object_lines(&objects, false, false).lines() {
                        out.push_str(&format!("    {line}\n"));
                    }
                    let mut entry = v.clone();
                    if let Value::Object(m) = &mut entry {
                        m.insert("objects".into(), Value::Array(objects));
                    }
                    json_out.push(entry);
                }
            }
            if app.printer.json {
                app.printer.items(&json_out, &[], false);
            } else {
                crate::output::page(&out, a.shape.more);
            }
        }
        ContainerCmd::Info(a) => {
            let info = c
                .get_container_info(
                    &a.container,
                    &ContainerInfoOptions {
                        until: epoch(&a.until)?,
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| container_error(&a.container, e))?;
            let v = if a.metadata {
                to_value(&info.meta)
            } else if a.size_limit {
                let q = info
                    .headers
                    .get("x-container-policy-quota")
                    .cloned()
                    .unwrap_or_default();
                let shown = match q.parse::<u64>() {
                    Ok(0) => "unlimited".to_string(),
                    Ok(n) if !a.bytes && !app.printer.json => format_size(n),
                    _ => q,
                };
                json!({"x-container-policy-quota": shown})
            } else {
                to_value(&info.headers)
            };
            app.printer.record(&v);
        }
        ContainerCmd::Create(a) => {
            let quota = match &a.limit {
                Some(l) => Some(crate::output::parse_size(l).map_err(CliError::syntax)?),
                None => None,
            };
            let opts = CreateContainerOptions {
                quota,
                versioning: versioning(&a.versioning),
                project: a.project_id.clone(),
                meta: a.meta.iter().cloned().collect(),
            };
            match c.create_container(&a.container, &opts).await? {
                CreateOutcome::Created => {}
                CreateOutcome::AlreadyExisted => {
                    return Err(CliError::value(format!(
                        "Container \"{}\" already exists",
                        a.container
                    ))
                    .hint(
                        "To see it",
                        format!("kamaki container info {}", a.container),
                    ))
                }
            }
        }
        ContainerCmd::Modify(a) => {
            let quota = match &a.size_limit {
                Some(l) => Some(crate::output::parse_size(l).map_err(CliError::syntax)?),
                None => None,
            };
            let vers = versioning(&a.versioning);
            if quota.is_none()
                && vers.is_none()
                && a.metadata_add.is_empty()
                && a.metadata_del.is_empty()
            {
                return Err(CliError::syntax("Nothing to modify")
                    .hint("For the options", "kamaki container modify --help"));
            }
            let mut meta: kamaki_synnefo::pithos::Meta = a.metadata_add.iter().cloned().collect();
            for k in &a.metadata_del {
                meta.insert(k.clone(), String::new());
            }
            let upd = ContainerUpdate {
                quota,
                versioning: vers.clone(),
                meta,
                ..Default::default()
            };
            c.update_container(&a.container, &upd)
                .await
                .map_err(|e| container_error(&a.container, e))?;
            let info = c
                .get_container_info(&a.container, &ContainerInfoOptions::default())
                .await
                .map_err(|e| container_error(&a.container, e))?;
            let limit_text = match info.policy.quota {
                Some(0) | None => "unlimited".to_string(),
                Some(n) if app.printer.json => n.to_string(),
                Some(n) => format_size(n),
            };
            let scheme = info
                .policy
                .versioning
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default();
            if app.printer.json {
                app.printer.record(&json!({
                    "metadata": info.meta,
                    "size limit": limit_text,
                    "versioning": scheme,
                }));
            } else {
                if !a.metadata_add.is_empty() || !a.metadata_del.is_empty() {
                    app.printer.record(&to_value(&info.meta));
                }
                if quota.is_some() {
                    println(&format!("new size limit: {limit_text}"));
                }
                if vers.is_some() {
                    println(&format!("new versioning scheme: {scheme}"));
                }
            }
        }
        ContainerCmd::Empty(a) => {
            if !a.yes
                && !ask(&format!(
                    "Delete ALL objects of container {} (the container stays)?",
                    a.container
                ))
            {
                note("Aborted");
                return Ok(());
            }
            empty(c, &a.container).await?;
        }
        ContainerCmd::Delete(a) => {
            let info = c
                .get_container_info(&a.container, &ContainerInfoOptions::default())
                .await
                .map_err(|e| container_error(&a.container, e))?;
            // plain Swift may report stale counts: list instead
            let count = if info.block_size.is_some() {
                info.object_count.unwrap_or(0)
            } else {
                objects_under(c, &a.container, "").await?.len() as u64
            };
            if count > 0 && !a.recursive {
                return Err(CliError::value(format!(
                    "Container \"{}\" is not empty ({count} objects)",
                    a.container
                ))
                .hint(
                    "To delete it with its contents",
                    format!("kamaki container delete {} -r", a.container),
                ));
            }
            let question = if count > 0 {
                format!(
                    "Delete container {} and its {count} object(s)?",
                    a.container
                )
            } else {
                format!("Delete container {} ?", a.container)
            };
            if !a.yes && !ask(&question) {
                note("Aborted");
                return Ok(());
            }
            if count > 0 {
                empty(c, &a.container).await?;
            }
            c.delete_container(&a.container, &DeleteContainerOptions::default())
                .await
                .map_err(|e| container_error(&a.container, e))?;
        }
        ContainerCmd::Reassign(a) => {
            c.reassign_container(&a.container, &a.project_id)
                .await
                .map_err(|e| container_error(&a.container, e))?;
        }
    }
    Ok(())
}

/// Runs a `sharer` command.
pub async fn sharer(app: &mut App, cmd: SharerCmd) -> CliResult {
    let mut p = pithos(app, None, None).await?;
    match cmd {
        SharerCmd::List(a) => {
            let accounts = p
                .client
                .list_sharing_accounts(ListSharingAccountsOptions {
                    marker: a.marker.clone(),
                    ..Default::default()
                })
                .await?;
            let uuids: Vec<String> = accounts.iter().map(|s| s.name.clone()).collect();
            let names = if uuids.is_empty() {
                Default::default()
            } else {
                p.session(app).await?.usernames(&uuids).await
            };
            let items: Vec<Value> = accounts
                .iter()
                .map(|s| {
                    let mut v = to_value(s);
                    if let Value::Object(m) = &mut v {
                        m.insert(
                            "username".into(),
                            Value::String(names.get(&s.name).cloned().unwrap_or_default()),
                        );
                        if !a.details && !app.printer.json {
                            m.retain(|k, _| k == "name" || k == "username");
                        }
                    }
                    v
                })
                .collect();
            app.printer.items(&items, &["name", "username"], false);
        }
        SharerCmd::Info(a) => {
            let c = match &a.account {
                Some(who) => {
                    let uuid = p.resolve_user(app, who).await?;
                    p.client.for_account(uuid)
                }
                None => p.client.clone(),
            };
            let info = c
                .get_account_info(&AccountInfoOptions::default())
                .await
                .map_err(|e| {
                    if e.is_not_found() || e.status == 403 {
                        CliError::value(format!(
                            "Account {} is not accessible",
                            a.account.as_deref().unwrap_or("")
                        ))
                        .hint(
                            "To list the accounts sharing with you",
                            "kamaki sharer list",
                        )
                        .detail(crate::error::server_line(&e))
                    } else {
                        e.into()
                    }
                })?;
            let mut rec = to_value(&info.headers);
            if !app.printer.json {
                if let Value::Object(m) = &mut rec {
                    for key in ["x-account-bytes-used", "x-account-policy-quota"] {
                        if let Some(n) = m.get(key).and_then(|v| v.as_str()?.parse::<u64>().ok()) {
                            m.insert(
                                key.into(),
                                Value::String(format!("{n} ({})", format_size(n))),
                            );
                        }
                    }
                }
            }
            app.printer.record(&rec);
        }
    }
    Ok(())
}

fn groups_record(info: &kamaki_synnefo::pithos::AccountInfo, json: bool) -> Value {
    let mut m = Map::new();
    for (g, members) in &info.groups {
        m.insert(
            g.clone(),
            if json {
                Value::from(members.clone())
            } else {
                Value::String(members.join(","))
            },
        );
    }
    Value::Object(m)
}

/// Runs a `group` command.
pub async fn group(app: &mut App, cmd: GroupCmd) -> CliResult {
    let mut p = pithos(app, None, None).await?;
    let json = app.printer.json;
    match cmd {
        GroupCmd::List(_) => {
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            app.printer.record(&groups_record(&info, json));
        }
        GroupCmd::Create(a) => {
            let mut members = a.uuid.clone();
            for n in &a.username {
                let uuid = p.session(app).await?.resolve_user(n).await?;
                members.push(uuid);
            }
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            let exists = info.groups.contains_key(&a.name.to_lowercase())
                || info.groups.contains_key(&a.name);
            if exists && !ask(&format!("Group {} exists, replace its members?", a.name)) {
                note("Aborted");
                return Ok(());
            }
            p.client.set_account_group(&a.name, &members).await?;
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            app.printer.record(&groups_record(&info, json));
        }
        GroupCmd::Delete(a) => {
            p.client.delete_account_group(&a.name).await?;
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            app.printer.record(&groups_record(&info, json));
        }
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

/// The problems `scripts verifyfs` looks for, in the order it handles them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsProblem {
    /// A plain object named like a directory other objects are under.
    Conflict(String),
    /// A directory object whose name holds `\`.
    BackslashDir(String),
    /// A directory implied by object names without its directory object.
    MissingDir(String),
}

/// Checks the directory structure of a listing (names and whether each
/// is a directory object), category by category: the first category
/// with problems is returned.
pub fn verify_fs(objects: &[(String, bool)]) -> Vec<FsProblem> {
    use std::collections::BTreeSet;
    let names: BTreeSet<&str> = objects.iter().map(|(n, _)| n.as_str()).collect();
    let dirs: BTreeSet<&str> = objects
        .iter()
        .filter(|(_, d)| *d)
        .map(|(n, _)| n.as_str())
        .collect();
    let mut implied: BTreeSet<String> = BTreeSet::new();
    for (n, _) in objects {
        let parts: Vec<&str> = n.split('/').collect();
        for i in 1..parts.len() {
            let d = parts[..i].join("/");
            if !d.is_empty() {
                implied.insert(d);
            }
        }
    }
    let conflicts: Vec<FsProblem> = implied
        .iter()
        .filter(|d| names.contains(d.as_str()) && !dirs.contains(d.as_str()))
        .map(|d| FsProblem::Conflict(d.clone()))
        .collect();
    if !conflicts.is_empty() {
        return conflicts;
    }
    let backslashes: Vec<FsProblem> = dirs
        .iter()
        .filter(|d| d.contains('\\'))
        .map(|d| FsProblem::BackslashDir(d.to_string()))
        .collect();
    if !backslashes.is_empty() {
        return backslashes;
    }
    implied
        .iter()
        .filter(|d| !names.contains(d.as_str()))
        .map(|d| FsProblem::MissingDir(d.clone()))
        .collect()
}

/// Runs a `scripts` command.
pub async fn scripts(app: &mut App, cmd: ScriptsCmd) -> CliResult {
    let ScriptsCmd::Verifyfs(a) = cmd;
    let p = pithos(app, None, None).await?;
    let c = &p.client;
    let objects: Vec<(String, bool)> = c
        .list_objects_in(&a.container, ListObjectsOptions::default())
        .await
        .map_err(|e| container_error(&a.container, e))?
        .into_iter()
        .filter_map(Listing::into_item)
        .map(|o| {
            let dir = is_dir(o.content_type.as_deref());
            (o.name, dir)
        })
        .collect();
    let problems = verify_fs(&objects);
    let Some(first) = problems.first() else {
        note(&format!(
            "Container {}: directory structure OK",
            a.container
        ));
        return Ok(());
    };
    let (what, fix_flag, fixing) = match first {
        FsProblem::Conflict(_) => (
            "object(s) named like a directory other objects are in",
            "--fix-conflicts",
            a.fix_conflicts,
        ),
        FsProblem::BackslashDir(_) => (
            "directory object(s) with \\ in their names",
            "--fix-dir-names",
            a.fix_dir_names,
        ),
        FsProblem::MissingDir(_) => (
            "missing directory object(s)",
            "--fix-missing-dirs",
            a.fix_missing_dirs,
        ),
    };
    let list: Vec<String> = problems
        .iter()
        .map(|p| match p {
            FsProblem::Conflict(n) | FsProblem::BackslashDir(n) | FsProblem::MissingDir(n) => {
                format!("/{}/{n}", a.container)
            }
        })
        .collect();
    if !fixing {
        return Err(CliError::value(format!(
            "Container {}: {} {what}",
            a.container,
            problems.len()
        ))
        .details(list.iter().map(|l| format!("  {l}")))
        .hint(
            "To fix them",
            format!("kamaki scripts verifyfs {} {fix_flag}", a.container),
        ));
    }
    let stamp = dates::format_dmy(dates::now() as f64)
        .replace([' ', ':'], "_")
        .replace('-', "_");
    for problem in &problems {
        let loc = |n: &str| Location {
            account: None,
            container: a.container.clone(),
            path: n.to_string(),
        };
        match problem {
            FsProblem::Conflict(n) => {
                let to = format!("{n}_orig_{stamp}");
                if !a.yes && !ask(&format!("Rename /{}/{n} to {to} ?", a.container)) {
                    continue;
                }
                c.move_object(&a.container, n, &a.container, &to, &CopyOptions::default())
                    .await
                    .map_err(|e| object_error(&loc(n), e))?;
                note(&format!("renamed /{}/{n} to {to}", a.container));
            }
            FsProblem::BackslashDir(n) => {
                let to = n.replace('\\', "/");
                if !a.yes && !ask(&format!("Rename /{}/{n} to {to} ?", a.container)) {
                    continue;
                }
                c.move_object(&a.container, n, &a.container, &to, &CopyOptions::default())
                    .await
                    .map_err(|e| object_error(&loc(n), e))?;
                note(&format!("renamed /{}/{n} to {to}", a.container));
            }
            FsProblem::MissingDir(n) => {
                if !a.yes && !ask(&format!("Create directory /{}/{n} ?", a.container)) {
                    continue;
                }
                c.create_directory(&a.container, n)
                    .await
                    .map_err(|e| object_error(&loc(n), e))?;
                note(&format!("mkdir /{}/{n}", a.container));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod verify_tests {
    use super::*;

    #[test]
    fn categories_in_order() {
        let o = |n: &str, d: bool| (n.to_string(), d);
        assert_eq!(
            verify_fs(&[o("a", false), o("a/b", false), o("x\\y", true)]),
            vec![FsProblem::Conflict("a".into())]
        );
        assert_eq!(
            verify_fs(&[o("a", true), o("a/b", false), o("x\\y", true)]),
            vec![FsProblem::BackslashDir("x\\y".into())]
        );
        assert_eq!(
            verify_fs(&[o("a/b/c", false), o("a", true)]),
            vec![FsProblem::MissingDir("a/b".into())]
        );
        assert!(verify_fs(&[o("a", true), o("a/b", false)]).is_empty());
    }
}
