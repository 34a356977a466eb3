//! `file` commands: objects (`spec/cli.md` §10.7).

use super::*;

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
