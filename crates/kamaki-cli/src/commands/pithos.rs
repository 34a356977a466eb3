//! `file`, `container`, `sharer`, `group` on Pithos
//! (`kamaki_synnefo::pithos::PithosClient`, `spec/cli.md` §10.6–10.9).

use std::sync::Arc;

use kamaki_openstack::storage::Listing;
use kamaki_synnefo::pithos::{
    ContainerInfoOptions, CreateContainerOptions, CreateOutcome, DeleteContainerOptions,
    DeleteObjectOptions, DownloadOptions, ListContainersOptions, ListObjectsOptions,
    ObjectInfoOptions, PithosClient, UploadOptions, UploadSource,
};
use serde_json::{Map, Value};

use super::common::*;
use crate::app::{ask, App};
use crate::cli::*;
use crate::error::{CliError, CliResult};
use crate::output::{emit, format_size, note, println};
use crate::progress::Bar;
use crate::session::Service;

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

struct Pithos {
    client: PithosClient,
    default_container: String,
}

async fn pithos(
    app: &mut App,
    account: Option<&str>,
    container: Option<&str>,
) -> CliResult<Pithos> {
    let session = app.session().await?;
    let (url, token) = session.endpoint(Service::ObjectStore)?;
    let cloud = session.cloud.clone();
    let default_account = app
        .config
        .get_cloud(&cloud, "pithos_uuid")
        .or_else(|| app.config.get_cloud(&cloud, "pithos_id"))
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| session.user().uuid());
    let mut client = PithosClient::with_http(&url, session.http_with(&token))?;
    client.set_account(account.map(str::to_string).unwrap_or(default_account));
    let default_container = container
        .map(str::to_string)
        .or_else(|| {
            app.config
                .get_cloud(&cloud, "pithos_container")
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or_else(|| "pithos".to_string());
    Ok(Pithos {
        client,
        default_container,
    })
}

impl Pithos {
    fn at(&self, loc: &Location) -> PithosClient {
        match &loc.account {
            Some(a) => self.client.for_account(a.clone()),
            None => self.client.clone(),
        }
    }
    fn loc(&self, text: &str) -> Location {
        parse_location(text, &self.default_container)
    }
}

fn container_error(container: &str, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!("Container \"{container}\" does not exist"))
            .hint("To list containers", "kamaki container list")
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
    } else if e.status == 413 {
        CliError::from(e)
            .detail("Quota exceeded")
            .hint("To see the quotas", "kamaki quota list")
            .hint(
                "To see the container limit",
                format!("kamaki container info {} --size-limit", loc.container),
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
            out.push_str(&format!("{prefix}{name}{}\n", if dir { "/" } else { "" }));
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

fn listing_values(items: Vec<Listing<kamaki_synnefo::pithos::ObjectEntry>>) -> Vec<Value> {
    items
        .into_iter()
        .map(|l| match l {
            Listing::Item(o) => to_value(&o),
            Listing::Subdir(s) => serde_json::json!({"subdir": s, "name": s}),
        })
        .collect()
}

/// Runs a `file` command.
pub async fn file(app: &mut App, cmd: FileCmd) -> CliResult {
    let scope = match &cmd {
        FileCmd::List(a) => a.scope.clone(),
        FileCmd::Info(a) => a.scope.clone(),
        FileCmd::Create(a) => a.scope.clone(),
        FileCmd::Mkdir(a) | FileCmd::Publish(a) | FileCmd::Unpublish(a) => a.scope.clone(),
        FileCmd::Delete(a) => a.scope.clone(),
        FileCmd::Upload(a) => a.scope.clone(),
        FileCmd::Cat(a) => a.scope.clone(),
        FileCmd::Download(a) => a.scope.clone(),
        _ => return Err(CliError::not_available(&app.command)),
    };
    let p = pithos(app, scope.account.as_deref(), scope.container.as_deref()).await?;
    let bars = app.bars();
    match cmd {
        FileCmd::List(a) => {
            let loc = p.loc(a.location.as_deref().unwrap_or(""));
            let c = p.at(&loc);
            let prefix = if loc.path.is_empty() {
                a.names.name_prefix.clone()
            } else {
                Some(format!("{}/", loc.path.trim_end_matches('/')))
            };
            let opts = ListObjectsOptions {
                limit: if a.shape.more {
                    None
                } else {
                    a.shape.number.map(|n| n as u32)
                },
                marker: a.marker.clone(),
                prefix: prefix.clone(),
                delimiter: a.delimiter.clone().or_else(|| Some("/".into())),
                shared: a.shared_by_me,
                public: a.public,
                if_modified_since: a.if_modified_since.clone(),
                if_unmodified_since: a.if_unmodified_since.clone(),
                ..Default::default()
            };
            let items = c
                .list_objects_in(&loc.container, opts)
                .await
                .map_err(|e| container_error(&loc.container, e))?;
            let items = filter_names(
                listing_values(items),
                &NameFilter {
                    name_prefix: None,
                    ..a.names.clone()
                },
            );
            if app.printer.json {
                app.printer.items(&items, &[], false);
            } else if items.is_empty() {
                note(&format!(
                    "No objects in /{}{}",
                    loc.container,
                    prefix.map(|p| format!("/{p}")).unwrap_or_default()
                ));
            } else {
                emit(&object_lines(&items, a.list, a.shape.enumerate));
            }
        }
        FileCmd::Info(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            let opts = ObjectInfoOptions {
                version: a.object_version.as_deref().and_then(|v| v.parse().ok()),
                ..Default::default()
            };
            let info = c
                .get_object_info(&loc.container, &loc.path, &opts)
                .await
                .map_err(|e| object_error(&loc, e))?;
            let v = if a.metadata {
                to_value(&info.meta)
            } else if a.sharing {
                let mut m = Map::new();
                if let Some(s) = &info.sharing {
                    if let Value::Object(sm) = to_value(s) {
                        m.extend(sm);
                    }
                }
                if let Some(u) = &info.public_url {
                    m.insert("public url".into(), Value::String(u.clone()));
                }
                Value::Object(m)
            } else {
                to_value(&info.headers)
            };
            app.printer.record(&v);
        }
        FileCmd::Create(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            let opts = kamaki_synnefo::pithos::PutObjectOptions {
                content_type: Some(a.content_type.clone()),
                ..Default::default()
            };
            c.put_object(&loc.container, &loc.path, kamaki_core::Body::empty(), &opts)
                .await
                .map_err(|e| object_error(&loc, e))?;
        }
        FileCmd::Mkdir(a) => {
            let loc = p.loc(&a.location);
            p.at(&loc)
                .create_directory(&loc.container, &loc.path)
                .await
                .map_err(|e| object_error(&loc, e))?;
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
        FileCmd::Delete(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            if loc.path.is_empty() {
                if !a.yes
                    && !ask(&format!(
                        "Delete ALL objects of container /{} ?",
                        loc.container
                    ))
                {
                    note("Aborted");
                    return Ok(());
                }
                c.empty_container(&loc.container)
                    .await
                    .map_err(|e| container_error(&loc.container, e))?;
                return Ok(());
            }
            c.get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
                .await
                .map_err(|e| object_error(&loc, e))?;
            if !a.yes && !ask(&format!("Delete /{}/{} ?", loc.container, loc.path)) {
                note("Aborted");
                return Ok(());
            }
            let opts = DeleteObjectOptions {
                delimiter: if a.recursive {
                    Some("/".into())
                } else {
                    a.delimiter.clone()
                },
                ..Default::default()
            };
            c.delete_object(&loc.container, &loc.path, &opts)
                .await
                .map_err(|e| object_error(&loc, e))?;
        }
        FileCmd::Upload(a) => {
            if a.local.is_dir() {
                return Err(CliError::not_available(&format!(
                    "{} -r (directories)",
                    app.command
                )));
            }
            let base = a
                .local
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| CliError::value(format!("{} is not a file", a.local.display())))?;
            let mut loc = p.loc(a.location.as_deref().unwrap_or(&base));
            if loc.path.is_empty() || loc.path.ends_with('/') {
                loc.path = format!("{}{base}", loc.path);
            }
            let c = p.at(&loc);
            if !a.force {
                if let Ok(info) = c
                    .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
                    .await
                {
                    if is_dir(info.content_type.as_deref()) {
                        loc.path = format!("{}/{base}", loc.path.trim_end_matches('/'));
                    } else {
                        return Err(CliError::value(format!(
                            "Object /{}/{} already exists",
                            loc.container, loc.path
                        ))
                        .detail("use -f to overwrite / resume"));
                    }
                }
            }
            note(&format!(
                "{} --> /{}/{}",
                a.local.display(),
                loc.container,
                loc.path
            ));
            let hash_bar = Bar::new("Calculating block hashes", bars);
            let up_bar = Bar::new(&format!("Uploading {base}"), bars);
            let opts = UploadOptions {
                content_type: a.content_type.clone(),
                content_encoding: a.content_encoding.clone(),
                content_disposition: a.content_disposition.clone(),
                public: a.public.then_some(true),
                concurrency: a.threads.max(1),
                hash_progress: Some(Arc::new(hash_bar)),
                upload_progress: Some(Arc::new(up_bar)),
                ..Default::default()
            };
            c.upload_object(
                &loc.container,
                &loc.path,
                UploadSource::path(&a.local),
                &opts,
            )
            .await
            .map_err(|e| object_error(&loc, e))?;
            note("Upload completed");
            if a.public {
                let info = c
                    .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
                    .await?;
                if let Some(u) = info.public_url {
                    println(&u);
                }
            }
        }
        FileCmd::Cat(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            let opts = DownloadOptions {
                version: a.object_version.as_deref().and_then(|v| v.parse().ok()),
                concurrency: 1,
                ..Default::default()
            };
            let mut out = tokio::io::stdout();
            c.download_to_writer(&loc.container, &loc.path, &mut out, &opts)
                .await
                .map_err(|e| object_error(&loc, e))?;
            use tokio::io::AsyncWriteExt;
            let _ = out.flush().await;
        }
        FileCmd::Download(a) => {
            let loc = p.loc(&a.location);
            let c = p.at(&loc);
            let base = loc.path.rsplit('/').next().unwrap_or(&loc.path).to_string();
            let mut local = a
                .local
                .clone()
                .unwrap_or_else(|| std::path::PathBuf::from(&base));
            if local.is_dir() {
                local = local.join(&base);
            }
            if local.exists() && !a.resume {
                return Err(
                    CliError::value(format!("{} already exists", local.display()))
                        .detail("use -f to overwrite / resume"),
                );
            }
            note(&format!(
                "/{}/{} --> {}",
                loc.container,
                loc.path,
                local.display()
            ));
            let opts = DownloadOptions {
                version: a.object_version.as_deref().and_then(|v| v.parse().ok()),
                concurrency: a.threads.max(1),
                resume: a.resume,
                progress: Some(Arc::new(Bar::new("  download", bars))),
                ..Default::default()
            };
            c.download_object(&loc.container, &loc.path, &local, &opts)
                .await
                .map_err(|e| object_error(&loc, e))?;
            note("Download completed");
        }
        _ => return Err(CliError::not_available(&app.command)),
    }
    Ok(())
}

/// Runs a `container` command.
pub async fn container(app: &mut App, cmd: ContainerCmd) -> CliResult {
    let account = match &cmd {
        ContainerCmd::List(a) => a.account.clone(),
        ContainerCmd::Info(a) => a.account.clone(),
        ContainerCmd::Create(a) => a.account.clone(),
        ContainerCmd::Empty(a) => a.account.clone(),
        ContainerCmd::Delete(a) => a.account.clone(),
        _ => return Err(CliError::not_available(&app.command)),
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
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| container_error(cont, e))?;
                let items = listing_values(items);
                if app.printer.json {
                    app.printer.items(&items, &[], false);
                } else {
                    emit(&object_lines(&items, a.list, a.shape.enumerate));
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
                shared: a.shared,
                public: a.public,
                if_modified_since: a.if_modified_since.clone(),
                if_unmodified_since: a.if_unmodified_since.clone(),
                ..Default::default()
            };
            let items = filter_names(to_values(&c.list_containers(opts).await?), &a.names);
            if app.printer.json {
                app.printer.items(&items, &[], false);
                return Ok(());
            }
            let mut out = String::new();
            for (i, v) in items.iter().enumerate() {
                let prefix = if a.shape.enumerate {
                    format!("{}. ", i + 1)
                } else {
                    String::new()
                };
                if a.list {
                    out.push_str(&format!("{prefix}{}\n", field(v, "name")));
                    if let Value::Object(m) = v {
                        let mut m = m.clone();
                        m.shift_remove("name");
                        crate::output::record(&m, 4, &mut out);
                    }
                } else {
                    let bytes = v.get("bytes").and_then(Value::as_u64).unwrap_or(0);
                    let count = v.get("count").and_then(Value::as_u64).unwrap_or(0);
                    out.push_str(&format!(
                        "{prefix}{} ({}, {count} objects)\n",
                        field(v, "name"),
                        format_size(bytes)
                    ));
                }
            }
            emit(&out);
        }
        ContainerCmd::Info(a) => {
            let info = c
                .get_container_info(&a.container, &ContainerInfoOptions::default())
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
                serde_json::json!({"x-container-policy-quota": shown})
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
            let versioning = match a.versioning.as_deref().map(str::to_lowercase).as_deref() {
                Some("auto") => Some(kamaki_synnefo::pithos::Versioning::Auto),
                Some("none") => Some(kamaki_synnefo::pithos::Versioning::None),
                _ => None,
            };
            let opts = CreateContainerOptions {
                quota,
                versioning,
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
        ContainerCmd::Empty(a) => {
            if !a.yes && !ask(&format!("Empty container {} ?", a.container)) {
                note("Aborted");
                return Ok(());
            }
            c.empty_container(&a.container)
                .await
                .map_err(|e| container_error(&a.container, e))?;
        }
        ContainerCmd::Delete(a) => {
            let info = c
                .get_container_info(&a.container, &ContainerInfoOptions::default())
                .await
                .map_err(|e| container_error(&a.container, e))?;
            let count = info.object_count.unwrap_or(0);
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
            if !a.yes && !ask(&format!("Delete container {} ?", a.container)) {
                note("Aborted");
                return Ok(());
            }
            if count > 0 {
                c.empty_container(&a.container).await?;
            }
            c.delete_container(&a.container, &DeleteContainerOptions::default())
                .await
                .map_err(|e| container_error(&a.container, e))?;
        }
        _ => return Err(CliError::not_available(&app.command)),
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
        let l = parse_location("dir/file", "work");
        assert_eq!(
            (l.container.as_str(), l.path.as_str()),
            ("work", "dir/file")
        );
    }
}
