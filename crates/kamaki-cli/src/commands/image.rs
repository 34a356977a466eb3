//! `image` on Plankton (`kamaki_synnefo::plankton`: the image client and
//! its Pithos locations, `spec/cli.md` §10.3).

use std::collections::BTreeMap;
use std::sync::Arc;

use kamaki_synnefo::pithos::{ObjectInfoOptions, PutObjectOptions, UploadOptions, UploadSource};
use kamaki_synnefo::plankton::{
    ContainerFormat, DiskFormat, ImageClient, ImageFilters, ImageMeta, ListImagesOptions,
    PithosLocation, PlanktonExt, RegisterOptions, SortDir, SortKey, UpdateImage,
};
use serde_json::{json, Map, Value};

use super::common::*;
use super::pithos::{open, parse_location};
use crate::app::App;
use crate::cli::*;
use crate::error::{server_line, CliError, CliResult};
use crate::output::{format_size, note};
use crate::progress::Bar;
use crate::session::{Service, Session};

async fn client(app: &mut App) -> CliResult<(ImageClient, Session)> {
    let session = app.session().await?;
    let (url, token) = session.endpoint(Service::Image)?;
    let c = ImageClient::with_http(&url, session.http_with(&token))?;
    Ok((c, session))
}

fn not_found(id: &str, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!("No image with id {id}"))
            .hint("To get a list of images", "kamaki image list")
            .detail(server_line(&e))
    } else if e.status == 403 {
        CliError::from(e).detail("Insufficient permissions").hint(
            "To see the image and its file",
            format!("kamaki image info {id}"),
        )
    } else {
        e.into()
    }
}

fn sort_of(order: &str) -> CliResult<(SortKey, SortDir)> {
    let (dir, key) = match order.strip_prefix('-') {
        Some(k) => (SortDir::Desc, k),
        None => (SortDir::Asc, order.trim_start_matches('+')),
    };
    let key = match key.to_ascii_lowercase().as_str() {
        "id" => SortKey::Id,
        "name" => SortKey::Name,
        "status" => SortKey::Status,
        "size" => SortKey::Size,
        "disk_format" => SortKey::DiskFormat,
        "container_format" => SortKey::ContainerFormat,
        "created_at" => SortKey::CreatedAt,
        "updated_at" => SortKey::UpdatedAt,
        _ => {
            return Err(CliError::syntax(format!("Invalid --order {order}")).detail(
                "Use [-]FIELD with FIELD one of id, name, status, size, disk_format, \
                 container_format, created_at, updated_at",
            ))
        }
    };
    Ok((key, dir))
}

fn humanise_size(v: &mut Value) {
    if let Value::Object(m) = v {
        let n = match m.get("size") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        if let Some(n) = n {
            m.insert("size".into(), Value::String(format_size(n)));
        }
    }
}

/// The record of an image's metadata as kamaki prints it.
fn meta_record(meta: &ImageMeta) -> Value {
    Value::Object(meta.to_kamaki_map())
}

/// Runs an `image` command.
pub async fn image(app: &mut App, cmd: ImageCmd) -> CliResult {
    let (c, session) = client(app).await?;
    match cmd {
        ImageCmd::List(a) => image_list(app, &c, &session, a).await?,
        ImageCmd::Info(a) => {
            let meta = c
                .get_meta(&a.image_id)
                .await
                .map_err(|e| not_found(&a.image_id, e))?;
            if a.hashmap {
                let loc = c
                    .get_location(&a.image_id)
                    .await
                    .map_err(|e| not_found(&a.image_id, e))?;
                let p = open(app, Some(session), Some(&loc.account), None).await?;
                let h = p
                    .client
                    .get_object_hashmap(&loc.container, &loc.object)
                    .await?;
                app.printer.record(&to_value(&h));
                return Ok(());
            }
            let mut rec = meta_record(&meta);
            if !app.printer.json {
                humanise_size(&mut rec);
                let mut one = [rec];
                with_user_names(&session, &mut one, &["owner"]).await;
                let [r] = one;
                rec = r;
            }
            app.printer.record(&rec);
        }
        ImageCmd::Modify(a) => image_modify(&c, &session, a).await?,
        ImageCmd::Register(a) => image_register(app, &c, session, a).await?,
        ImageCmd::Unregister(a) => {
            c.unregister(&a.image_id)
                .await
                .map_err(|e| not_found(&a.image_id, e))?;
        }
    }
    Ok(())
}

async fn image_list(app: &App, c: &ImageClient, session: &Session, a: ImageList) -> CliResult {
    if let Some(id) = &a.members_of {
        let members = c.list_members(id).await.map_err(|e| not_found(id, e))?;
        let mut items = to_values(&members);
        if !app.printer.json {
            with_user_names(session, &mut items, &["member_id"]).await;
        }
        app.printer.items(&items, &["member_id"], a.shape.enumerate);
        return Ok(());
    }
    let (sort_key, sort_dir) = match &a.order {
        Some(o) => {
            let (k, d) = sort_of(o)?;
            (Some(k), d)
        }
        None => (None, SortDir::Asc),
    };
    let owner = match (&a.owner, &a.owner_name) {
        (Some(o), _) => Some(o.clone()),
        (None, Some(n)) => Some(session.resolve_user(n).await?),
        _ => None,
    };
    let detail =
        a.details || owner.is_some() || !a.property.is_empty() || !a.property_like.is_empty();
    let opts = ListImagesOptions {
        detail: true,
        filters: ImageFilters {
            name: a.name.clone(),
            status: a.status.clone(),
            disk_format: a.disk_format.as_deref().map(DiskFormat::from),
            container_format: a.container_format.as_deref().map(ContainerFormat::from),
            size_min: a.size_min,
            size_max: a.size_max,
        },
        sort_key,
        sort_dir,
        ..Default::default()
    };
    let mut items = to_values(&c.list_public(&opts).await?);
    items.retain(|i| owner.as_ref().is_none_or(|o| field(i, "owner") == *o));
    let items = filter_map_field(items, "properties", &a.property, true);
    let items = filter_map_field(items, "properties", &a.property_like, false);
    let items = filter_names_no_exact(items, &a.names);
    let mut items = limit(filter_ids(items, &a.ids), a.shape.number);
    if app.printer.json {
        app.printer.items(&items, &["id", "name"], false);
        return Ok(());
    }
    if detail && a.details {
        for i in items.iter_mut() {
            humanise_size(i);
        }
        with_user_names(session, &mut items, &["owner"]).await;
    } else {
        for i in items.iter_mut() {
            if let Value::Object(m) = i {
                m.retain(|k, _| {
                    matches!(
                        k.as_str(),
                        "id" | "name" | "container_format" | "disk_format" | "size" | "status"
                    )
                });
            }
            humanise_size(i);
        }
    }
    let printer = crate::output::Printer {
        more: a.shape.more,
        ..app.printer
    };
    printer.items(&items, &["id", "name"], a.shape.enumerate);
    Ok(())
}

async fn image_modify(c: &ImageClient, session: &Session, a: ImageModify) -> CliResult {
    let id = a.image_id.as_str();
    let nothing = a.name.is_none()
        && a.disk_format.is_none()
        && a.container_format.is_none()
        && a.status.is_none()
        && !a.public
        && !a.private
        && a.property_set.is_empty()
        && a.property_del.is_empty()
        && a.member_add.is_empty()
        && a.member_del.is_empty();
    if nothing {
        return Err(CliError::syntax("Nothing to modify")
            .hint("For the options", "kamaki image modify --help"));
    }
    for m in &a.member_add {
        let uuid = session.resolve_user(m).await?;
        c.add_member(id, &uuid)
            .await
            .map_err(|e| not_found(id, e))?;
    }
    for m in &a.member_del {
        let uuid = session.resolve_user(m).await?;
        c.remove_member(id, &uuid)
            .await
            .map_err(|e| not_found(id, e))?;
    }
    let mut properties: BTreeMap<String, String> = a.property_set.iter().cloned().collect();
    if !a.property_del.is_empty() {
        let meta = c.get_meta(id).await.map_err(|e| not_found(id, e))?;
        for k in &a.property_del {
            let present = meta
                .properties
                .keys()
                .any(|p| p.eq_ignore_ascii_case(k) || p.replace('_', "-").eq_ignore_ascii_case(k));
            if !present {
                note(&format!("Image {id} has no property {k}"));
                continue;
            }
            // Plankton merges properties and has no call to drop one: the
            // property is kept with an empty value.
            properties.insert(k.clone(), String::new());
            note(&format!("Property {k} of image {id} cleared"));
        }
    }
    let update = UpdateImage {
        name: a.name.clone(),
        disk_format: a.disk_format.as_deref().map(DiskFormat::from),
        container_format: a.container_format.as_deref().map(ContainerFormat::from),
        status: a.status.clone(),
        is_public: if a.public {
            Some(true)
        } else if a.private {
            Some(false)
        } else {
            None
        },
        properties,
        ..Default::default()
    };
    let only_members = update.name.is_none()
        && update.disk_format.is_none()
        && update.container_format.is_none()
        && update.status.is_none()
        && update.is_public.is_none()
        && update.properties.is_empty();
    if !only_members {
        c.update_image(id, &update)
            .await
            .map_err(|e| not_found(id, e))?;
    }
    Ok(())
}

/// The scalar fields and properties of a `--metafile` (kamaki's `.meta`
/// JSON, with or without dashes in the names).
fn metafile_fields(path: &std::path::Path) -> CliResult<Map<String, Value>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::value(format!("Cannot read {}", path.display())).detail(e.to_string())
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        CliError::value(format!("{} is not JSON", path.display())).detail(e.to_string())
    })?;
    let Value::Object(mut m) = v else {
        return Err(CliError::value(format!(
            "{} does not hold a JSON object",
            path.display()
        )));
    };
    // a metafile written by `image register` wraps nothing; older ones may
    // hold {"image": {...}}
    if let Some(Value::Object(inner)) = m.shift_remove("image") {
        m = inner;
    }
    Ok(m.into_iter()
        .map(|(k, v)| (k.replace('-', "_").to_ascii_lowercase(), v))
        .collect())
}

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

async fn image_register(
    app: &mut App,
    c: &ImageClient,
    session: Session,
    a: ImageRegister,
) -> CliResult {
    let file = match &a.metafile {
        Some(p) => metafile_fields(p)?,
        None => Map::new(),
    };
    // the location: [pithos://UUID]/CONT/PATH, /CONT or PATH (-C CONT)
    let default_container = a
        .container
        .clone()
        .or_else(|| app.cloud_option("pithos_container"))
        .unwrap_or_else(|| "pithos".to_string());
    let mut loc = if a.location.starts_with("pithos://") || a.location.starts_with('/') {
        parse_location(&a.location, &default_container)
    } else {
        parse_location(
            &format!("/{default_container}/{}", a.location),
            &default_container,
        )
    };
    if loc.path.is_empty() || loc.path.ends_with('/') {
        let base = a
            .upload_image_file
            .as_ref()
            .and_then(|f| f.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                CliError::syntax(format!("No object path in --location {}", a.location)).detail(
                    "Give /CONTAINER/PATH, or --upload-image-file to name the object after it",
                )
            })?;
        loc.path.push_str(&base);
    }
    let account = match a.uuid.clone().or(loc.account.clone()) {
        Some(u) => u,
        None => session.user().uuid(),
    };
    let owner_uuid = match &a.owner_name {
        Some(n) => Some(session.resolve_user(n).await?),
        None => text_of(file.get("owner")),
    };
    let bars = app.bars();
    let p = open(app, Some(session), Some(&account), None).await?;
    let store = p.client.clone();
    let shown = format!("/{}/{}", loc.container, loc.path);
    let meta_name = format!("{}.meta", loc.path);
    if let Some(local) = &a.upload_image_file {
        if !a.force
            && store
                .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
                .await
                .is_ok()
        {
            return Err(CliError::value(format!("Object {shown} already exists"))
                .hint(
                    "To register it as it is",
                    format!("kamaki image register --name {} --location {shown}", a.name),
                )
                .detail("or use -f to overwrite it"));
        }
        note(&format!("{} --> {shown}", local.display()));
        let hash_bar = Bar::new("Calculating hashes", bars);
        let up_bar = Bar::new("Uploading", bars);
        let opts = UploadOptions {
            hash_progress: Some(Arc::new(hash_bar.clone())),
            upload_progress: Some(Arc::new(up_bar.clone())),
            ..Default::default()
        };
        store
            .upload_object(&loc.container, &loc.path, UploadSource::path(local), &opts)
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    CliError::value(format!("Container \"{}\" does not exist", loc.container)).hint(
                        "To create it",
                        format!("kamaki container create {}", loc.container),
                    )
                } else {
                    e.into()
                }
            })?;
        kamaki_core::Progress::finish(&hash_bar);
        kamaki_core::Progress::finish(&up_bar);
    }
    if !a.no_metafile_upload
        && !a.force
        && store
            .get_object_info(&loc.container, &meta_name, &ObjectInfoOptions::default())
            .await
            .is_ok()
    {
        return Err(CliError::value(format!(
            "Metadata file /{}/{meta_name} already exists",
            loc.container
        ))
        .detail("use -f to overwrite it, or --no-metafile-upload to keep it"));
    }
    if let Some(size) = a.size {
        note(&format!(
            "--size {size} is not sent: Plankton reads the size of the image file"
        ));
    }
    // command line first, then the metafile (also for scalar fields)
    let mut properties: BTreeMap<String, String> = match file.get("properties") {
        Some(Value::Object(m)) => m
            .iter()
            .filter_map(|(k, v)| text_of(Some(v)).map(|t| (k.clone(), t)))
            .collect(),
        _ => BTreeMap::new(),
    };
    properties.extend(a.property.iter().cloned());
    let opts = RegisterOptions {
        disk_format: a
            .disk_format
            .clone()
            .or_else(|| text_of(file.get("disk_format")))
            .as_deref()
            .map(DiskFormat::from),
        container_format: a
            .container_format
            .clone()
            .or_else(|| text_of(file.get("container_format")))
            .as_deref()
            .map(ContainerFormat::from),
        checksum: a.checksum.clone().or_else(|| text_of(file.get("checksum"))),
        is_public: if a.public {
            Some(true)
        } else {
            text_of(file.get("is_public"))
                .or_else(|| text_of(file.get("public")))
                .map(|t| t.eq_ignore_ascii_case("true"))
        },
        owner: owner_uuid,
        properties,
        ..Default::default()
    };
    let location = PithosLocation::new(&account, &loc.container, &loc.path);
    let meta = c
        .register_location(&a.name, &location, &opts)
        .await
        .map_err(|e| {
            if e.is_not_found() || e.status == 403 {
                CliError::from(e)
                    .detail(format!(
                        "Cannot read the image file pithos://{account}{shown}"
                    ))
                    .hint("To see the file", format!("kamaki file info {shown}"))
            } else {
                e.into()
            }
        })?;
    let rec = meta_record(&meta);
    if app.printer.json {
        app.printer.record(&rec);
    } else {
        let mut r = rec.clone();
        humanise_size(&mut r);
        app.printer.record(&r);
    }
    if a.no_metafile_upload {
        return Ok(());
    }
    let sharing = store
        .get_object_info(&loc.container, &loc.path, &ObjectInfoOptions::default())
        .await
        .ok()
        .and_then(|i| i.sharing);
    let body = crate::output::json_text(&rec);
    let written = store
        .put_object(
            &loc.container,
            &meta_name,
            kamaki_core::Body::from_bytes(body.into_bytes()),
            &PutObjectOptions {
                content_type: Some("application/json".into()),
                sharing,
                ..Default::default()
            },
        )
        .await?;
    let version = written
        .version
        .map(|v| v.to_string())
        .unwrap_or_else(|| "unknown".into());
    note(&format!(
        "Metadata file uploaded as /{}/{meta_name} (version {version})",
        loc.container
    ));
    if app.printer.json {
        app.printer.record(&json!({
            "metafile": format!("pithos://{account}/{}/{meta_name}", loc.container),
            "headers": written.headers,
        }));
    }
    Ok(())
}
