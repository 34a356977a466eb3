//! `container` commands (`spec/cli.md` §10.8).

use super::*;

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
