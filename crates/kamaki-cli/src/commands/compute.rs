//! `server`, `flavor`, `keypair`, `imagecompute` on the Cyclades compute API
//! (`kamaki_synnefo::cyclades::CycladesComputeClient`, `spec/cli.md` §10.2):
//! the OpenStack calls through its `compute()` client, the Synnefo ones
//! (create with projects, console, firewall, reassign, stats, diagnostics,
//! volume attachments, tags with statuses) on the Cyclades client.

use std::collections::BTreeMap;

use futures::StreamExt;

use kamaki_core::WaitCheck;
use kamaki_openstack::compute::{
    ComputeClient, ListFlavorsOptions, ListImagesOptions, ListServersOptions, NetworkRequest,
    Personality,
};
use kamaki_openstack::ResourceId;
use kamaki_synnefo::cyclades::{
    ConsoleType, CreateServer, CycladesComputeClient, FirewallProfile, SynnefoServer,
};
use serde_json::Value;

use super::common::*;
use crate::app::App;
use crate::cli::*;
use crate::error::{CliError, CliResult};
use crate::output::{note, println};
use crate::progress::WaitBar;
use crate::session::{Service, Session};

async fn cyclades(app: &mut App) -> CliResult<(CycladesComputeClient, Session)> {
    let session = app.session().await?;
    let (url, token) = session.endpoint(Service::Compute)?;
    let cy = CycladesComputeClient::with_http(&url, session.http_with(&token))?;
    Ok((cy, session))
}

async fn client(app: &mut App) -> CliResult<ComputeClient> {
    Ok(cyclades(app).await?.0.compute().clone())
}

/// `--user-id` or, resolved through the user catalog, `--user-name`.
async fn user_filter(
    session: &Session,
    id: &Option<String>,
    name: &Option<String>,
) -> CliResult<Option<String>> {
    match (id, name) {
        (Some(u), _) => Ok(Some(u.clone())),
        (None, Some(n)) => Ok(Some(session.resolve_user(n).await?)),
        _ => Ok(None),
    }
}

fn check_server_id(id: &str) -> CliResult {
    if id.parse::<u64>().map(|n| n > 0).unwrap_or(false) {
        Ok(())
    } else {
        Err(CliError::value(format!("Invalid server id {id}"))
            .detail("A server id is a positive integer")
            .hint("To get a list of all servers", "kamaki server list"))
    }
}

fn server_not_found(id: &str, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!("No server with id {id}"))
            .hint("To get a list of all servers", "kamaki server list")
            .detail(crate::error::server_line(&e))
    } else {
        e.into()
    }
}

/// Runs a `flavor` command.
pub async fn flavor(app: &mut App, cmd: FlavorCmd) -> CliResult {
    let c = client(app).await?;
    match cmd {
        FlavorCmd::List(a) => {
            let filtered = a.ram.is_some()
                || a.vcpus.is_some()
                || a.disk.is_some()
                || a.disk_template.is_some();
            let mut opts = ListFlavorsOptions {
                detail: a.details || filtered,
                ..Default::default()
            };
            if let Some(p) = &a.project {
                opts.extra_query.push("SNF:flavor-access", p);
            }
            if a.public {
                opts.extra_query.push("SNF:is_public", "true");
            }
            let mut items = to_values(&c.list_flavors(&opts).await?);
            let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64);
            items.retain(|f| {
                a.ram.is_none_or(|r| num(f, "ram") == Some(r))
                    && a.vcpus.is_none_or(|r| num(f, "vcpus") == Some(r))
                    && a.disk.is_none_or(|r| num(f, "disk") == Some(r))
                    && a.disk_template
                        .as_ref()
                        .is_none_or(|t| field(f, "SNF:disk_template") == *t)
            });
            let items = limit(
                filter_ids(filter_names(items, &a.names), &a.ids),
                a.shape.number,
            );
            let items = if a.details || app.printer.json {
                items
            } else {
                brief(items)
            };
            app.printer
                .items(&items, &["id", "name"], a.shape.enumerate);
        }
        FlavorCmd::Info(a) => {
            let f = c.get_flavor(&a.flavor_id).await.map_err(|e| {
                if e.is_not_found() {
                    CliError::value(format!("No flavor with id {}", a.flavor_id))
                        .hint("To get a list of flavors", "kamaki flavor list")
                        .detail(crate::error::server_line(&e))
                } else {
                    e.into()
                }
            })?;
            app.printer.record(&to_value(&f));
        }
    }
    Ok(())
}

fn parse_network(spec: &str) -> CliResult<NetworkRequest> {
    let mut net = None;
    let mut ip = None;
    for (i, part) in spec.split(',').enumerate() {
        let (k, v) = match part.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None if i == 0 => ("id", part.trim()),
            None => ("ip", part.trim()),
        };
        match k {
            "id" => net = Some(v.to_string()),
            "ip" => ip = Some(v.to_string()),
            _ => {
                return Err(CliError::syntax(format!("Invalid network argument {spec}"))
                    .detail("Use --network NET, --network NET,IP or --network id=NET,ip=IP"))
            }
        }
    }
    let net = net.filter(|n| !n.is_empty()).ok_or_else(|| {
        CliError::syntax(format!("Invalid network argument {spec}"))
            .detail("The network id is missing")
    })?;
    Ok(match ip {
        Some(ip) => NetworkRequest::network_with_ip(net, ip),
        None => NetworkRequest::network(net),
    })
}

fn parse_personality(spec: &str) -> CliResult<Personality> {
    const KEYS: [&str; 5] = ["local-path", "server-path", "owner", "group", "mode"];
    let mut fields: BTreeMap<&str, String> = BTreeMap::new();
    for (i, part) in spec.split(',').enumerate() {
        match part.split_once('=') {
            Some((k, v)) if KEYS.contains(&k) => {
                let key = KEYS
                    .iter()
                    .find(|x| **x == k)
                    .copied()
                    .unwrap_or("local-path");
                fields.insert(key, v.to_string());
            }
            _ if i < KEYS.len() => {
                fields.insert(KEYS[i], part.to_string());
            }
            _ => {
                return Err(CliError::syntax(format!(
                    "Invalid personality argument {spec}"
                )))
            }
        }
    }
    let local = fields.get("local-path").cloned().unwrap_or_default();
    let data = std::fs::read(&local).map_err(|e| {
        CliError::value(format!("Cannot read personality file {local}")).detail(e.to_string())
    })?;
    let server_path = fields.get("server-path").cloned().unwrap_or_else(|| {
        format!(
            "/{}",
            std::path::Path::new(&local)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        )
    });
    let mut p = Personality::from_bytes(server_path, &data);
    p.owner = fields.get("owner").cloned();
    p.group = fields.get("group").cloned();
    if let Some(m) = fields.get("mode") {
        p.mode = Some(
            u32::from_str_radix(m.trim_start_matches("0o"), 8).map_err(|_| {
                CliError::syntax(format!(
                    "Invalid mode {m} in personality (use octal, e.g. 0644)"
                ))
            })?,
        );
    }
    Ok(p)
}

async fn wait_server(
    c: &ComputeClient,
    id: &str,
    status: &str,
    until: bool,
    timeout: u64,
    bars: bool,
) -> CliResult {
    let opts = wait_options(timeout);
    let bar = WaitBar::new(&format!("Server {id}"), status, until, timeout, bars);
    let outcome = c
        .wait_server_with(
            id,
            &opts,
            |s| {
                let same = s.status.as_str().eq_ignore_ascii_case(status);
                if same != until {
                    WaitCheck::Continue
                } else {
                    WaitCheck::Reached
                }
            },
            |s| {
                let progress = s.extra.get("progress").and_then(Value::as_u64);
                bar.poll(s.status.as_str(), progress);
            },
        )
        .await?;
    bar.finish();
    report_wait("Server", id, outcome, |s| s.status.as_str().to_string())?;
    Ok(())
}

async fn wait_while(
    c: &ComputeClient,
    id: &str,
    status: &str,
    timeout: u64,
    bars: bool,
) -> CliResult {
    wait_server(c, id, status, false, timeout, bars).await
}

async fn wait_until(
    c: &ComputeClient,
    id: &str,
    status: &str,
    timeout: u64,
    bars: bool,
) -> CliResult {
    wait_server(c, id, status, true, timeout, bars).await
}

/// Runs a `server` command.
pub async fn server(app: &mut App, cmd: ServerCmd) -> CliResult {
    let (cy, session) = cyclades(app).await?;
    let c = cy.compute().clone();
    let bars = app.bars();
    match cmd {
        ServerCmd::List(a) => {
            let needs_detail = a.details
                || a.flavor_id.is_some()
                || a.image_id.is_some()
                || a.user_id.is_some()
                || a.user_name.is_some()
                || a.status.is_some()
                || !a.metadata.is_empty()
                || !a.metadata_like.is_empty();
            let user = user_filter(&session, &a.user_id, &a.user_name).await?;
            let since = match &a.since {
                Some(d) => Some(crate::dates::iso(
                    crate::dates::parse_date(d).map_err(CliError::syntax)?,
                )),
                None => None,
            };
            let opts = ListServersOptions {
                detail: needs_detail,
                changes_since: since,
                ..Default::default()
            };
            let mut items = to_values(&c.list_servers(&opts).await?);
            let nested_id = |v: &Value, k: &str| -> String {
                match v.get(k) {
                    Some(Value::Object(_)) => v.get(k).map(|o| field(o, "id")).unwrap_or_default(),
                    _ => field(v, k),
                }
            };
            items.retain(|s| {
                a.flavor_id
                    .as_ref()
                    .is_none_or(|f| nested_id(s, "flavor") == *f)
                    && a.image_id
                        .as_ref()
                        .is_none_or(|i| nested_id(s, "image") == *i)
                    && user.as_ref().is_none_or(|u| field(s, "user_id") == *u)
                    && a.status
                        .as_ref()
                        .is_none_or(|st| field(s, "status").eq_ignore_ascii_case(st))
            });
            let items = filter_map_field(items, "metadata", &a.metadata, true);
            let items = filter_map_field(items, "metadata", &a.metadata_like, false);
            let items = limit(
                filter_ids(filter_names(items, &a.names), &a.ids),
                a.shape.number,
            );
            if items.is_empty() && a.since.is_some() {
                note(&format!(
                    "No servers modified since {}",
                    a.since.as_deref().unwrap_or("")
                ));
            }
            let items = if a.details || app.printer.json {
                items
            } else {
                brief(items)
            };
            app.printer
                .items(&items, &["id", "name"], a.shape.enumerate);
        }
        ServerCmd::Info(a) => {
            let id = a.server_id.as_str();
            check_server_id(id)?;
            if a.nics {
                let nics = c
                    .get_server_nics(id, None)
                    .await
                    .map_err(|e| server_not_found(id, e))?;
                app.printer.record(&to_value(&nics));
            } else if a.stats {
                let st = cy
                    .get_server_stats(id)
                    .await
                    .map_err(|e| server_not_found(id, e))?;
                app.printer.record(&to_value(&st));
            } else if a.diagnostics {
                let d = cy
                    .get_server_diagnostics(id)
                    .await
                    .map_err(|e| server_not_found(id, e))?;
                app.printer.record(&Value::Array(to_values(&d)));
            } else {
                let s = c
                    .get_server(id)
                    .await
                    .map_err(|e| server_not_found(id, e))?;
                app.printer.record(&to_value(&s));
            }
        }
        ServerCmd::Create(a) => {
            let mut personality = Vec::new();
            for p in &a.personality {
                personality.push(parse_personality(p)?);
            }
            let networks = if a.no_network {
                Some(Vec::new())
            } else if a.network.is_empty() {
                None
            } else {
                Some(
                    a.network
                        .iter()
                        .map(|n| parse_network(n))
                        .collect::<CliResult<Vec<_>>>()?,
                )
            };
            let user_data = match &a.user_data {
                Some(p) => Some(std::fs::read(p).map_err(|e| {
                    CliError::value(format!("Cannot read user data file {}", p.display()))
                        .detail(e.to_string())
                })?),
                None => None,
            };
            let count = a.cluster_size.unwrap_or(0);
            let names: Vec<String> = if count > 0 {
                (1..=count).map(|i| format!("{}{i}", a.name)).collect()
            } else {
                vec![a.name.clone()]
            };
            let base = CreateServer {
                metadata: a.metadata.iter().cloned().collect(),
                personality,
                networks,
                key_names: a.key_name.clone(),
                user_data,
                project: a.project_id.clone(),
                ..CreateServer::new("", ResourceId::from(a.flavor_id.as_str()), &a.image_id)
            };
            let image_id = a.image_id.clone();
            let threads = a.threads.max(1) as usize;
            let results: Vec<Result<kamaki_openstack::compute::Server, kamaki_core::ClientError>> =
                futures::stream::iter(names.into_iter().map(|name| {
                    let req = CreateServer {
                        name,
                        ..base.clone()
                    };
                    let cy = cy.clone();
                    async move { cy.create_server(&req).await }
                }))
                .buffered(threads)
                .collect()
                .await;
            let mut created = Vec::new();
            let mut failure = None;
            for r in results {
                match r {
                    Ok(s) => created.push(s),
                    Err(e) if failure.is_none() => failure = Some(e),
                    Err(_) => {}
                }
            }
            if let Some(e) = failure {
                let mut err = if e.is_not_found() && created.is_empty() {
                    CliError::value(format!(
                        "No image or flavor found for {image_id} / {}",
                        a.flavor_id
                    ))
                    .detail(CliError::from(e).headline)
                    .hint("To get a list of images", "kamaki image list")
                    .hint("To get a list of flavors", "kamaki flavor list")
                } else {
                    CliError::from(e)
                };
                if !created.is_empty() {
                    let ids: Vec<String> = created.iter().map(|s| s.id.to_string()).collect();
                    err = err
                        .detail(format!(
                            "Servers created before the failure: {}",
                            ids.join(", ")
                        ))
                        .hint(
                            "To delete them",
                            format!("kamaki server delete --cluster {}", a.name),
                        );
                }
                return Err(err);
            }
            if created.len() == 1 && count == 0 {
                app.printer.record(&to_value(&created[0]));
            } else {
                app.printer
                    .items(&to_values(&created), &["id", "name"], false);
            }
            if a.wait.wait {
                for s in &created {
                    wait_while(&c, s.id.as_str(), "BUILD", 60, bars).await?;
                }
            }
        }
        ServerCmd::Reassign(a) => {
            check_server_id(&a.server_id)?;
            cy.reassign_server(&a.server_id, &a.project_id)
                .await
                .map_err(|e| server_not_found(&a.server_id, e))?;
        }
        ServerCmd::Console(a) => {
            check_server_id(&a.server_id)?;
            let t = match a.console_type.to_ascii_lowercase().as_str() {
                "vnc-ws" | "no-vnc" => ConsoleType::VncWs,
                "vnc-wss" | "no-vnc-encrypted" => ConsoleType::VncWss,
                _ => ConsoleType::Vnc,
            };
            let console = cy
                .get_server_console(&a.server_id, t)
                .await
                .map_err(|e| server_not_found(&a.server_id, e))?;
            note("The following credentials will be invalidated shortly");
            app.printer.record(&to_value(&console));
        }
        ServerCmd::Attachments(a) => {
            check_server_id(&a.server_id)?;
            let atts = cy
                .list_volume_attachments(&a.server_id)
                .await
                .map_err(|e| server_not_found(&a.server_id, e))?;
            app.printer.items(&to_values(&atts), &["id"], false);
        }
        ServerCmd::Attachment(a) => {
            check_server_id(&a.server_id)?;
            let att = cy
                .get_volume_attachment(&a.server_id, &a.attachment_id)
                .await
                .map_err(|e| {
                    if e.is_not_found() {
                        CliError::value(format!(
                            "No attachment {} on server {}",
                            a.attachment_id, a.server_id
                        ))
                        .hint(
                            "To list the attachments of the server",
                            format!("kamaki server attachments {}", a.server_id),
                        )
                    } else {
                        e.into()
                    }
                })?;
            app.printer.record(&to_value(&att));
        }
        ServerCmd::Attach(a) => {
            check_server_id(&a.server_id)?;
            let att = cy
                .attach_volume(&a.server_id, &a.volume_id)
                .await
                .map_err(|e| {
                    if e.is_not_found() {
                        CliError::value(format!(
                            "No server {} or volume {}",
                            a.server_id, a.volume_id
                        ))
                        .hint("To list the servers", "kamaki server list")
                        .hint("To list the volumes", "kamaki volume list")
                    } else {
                        e.into()
                    }
                })?;
            app.printer.record(&to_value(&att));
        }
        ServerCmd::Detach(a) => {
            check_server_id(&a.server_id)?;
            let count = match (&a.attachment_id, &a.volume_id) {
                (Some(att), _) => {
                    cy.delete_volume_attachment(&a.server_id, att)
                        .await
                        .map_err(|e| server_not_found(&a.server_id, e))?;
                    1
                }
                (None, Some(vol)) => cy
                    .detach_volume(&a.server_id, vol)
                    .await
                    .map_err(|e| server_not_found(&a.server_id, e))?
                    .len(),
                (None, None) => 0,
            };
            if count == 0 {
                return Err(CliError::value(format!(
                    "Volume {} is not attached to server {}",
                    a.volume_id.as_deref().unwrap_or(""),
                    a.server_id
                ))
                .hint(
                    "To list the attachments of the server",
                    format!("kamaki server attachments {}", a.server_id),
                ));
            }
            note(&format!("{count} attachment(s) deleted"));
            note("OK");
        }
        ServerCmd::Tagstatus(a) => {
            check_server_id(&a.server_id)?;
            match cy.get_tag_status(&a.server_id, &a.tag).await {
                Ok(Some(st)) => println(&st),
                Ok(None) => println(""),
                Err(e) if e.is_not_found() => {
                    return Err(CliError::value(format!(
                        "Server {} has no tag {}",
                        a.server_id, a.tag
                    ))
                    .hint(
                        "To list the tags of the server",
                        format!("kamaki server tags {}", a.server_id),
                    ))
                }
                Err(e) => return Err(e.into()),
            }
        }
        ServerCmd::Modify(a) => {
            check_server_id(&a.server_id)?;
            let nothing = a.name.is_none()
                && a.flavor_id.is_none()
                && a.metadata_set.is_empty()
                && a.metadata_del.is_empty()
                && a.tag_add.is_empty()
                && a.tag_del.is_empty()
                && !a.tags_del
                && a.tag_replace.is_empty()
                && a.firewall.is_none();
            if nothing {
                return Err(CliError::syntax("Nothing to modify")
                    .hint("For the options", "kamaki server modify --help"));
            }
            let id = a.server_id.as_str();
            if let Some(profile) = &a.firewall {
                set_firewall(&cy, id, profile, a.port_id.as_deref()).await?;
            }
            if let Some(n) = &a.name {
                c.update_server_name(id, n)
                    .await
                    .map_err(|e| server_not_found(id, e))?;
            }
            if let Some(f) = &a.flavor_id {
                c.resize_server(id, ResourceId::from(f.as_str()))
                    .await
                    .map_err(|e| {
                        if e.is_conflict() {
                            CliError::from(e).hint(
                                "The server must be STOPPED first",
                                format!("kamaki server shutdown {id} -w"),
                            )
                        } else {
                            server_not_found(id, e)
                        }
                    })?;
            }
            if !a.metadata_set.is_empty() {
                let m: BTreeMap<String, String> = a.metadata_set.iter().cloned().collect();
                c.update_server_metadata(id, &m)
                    .await
                    .map_err(|e| server_not_found(id, e))?;
            }
            for k in &a.metadata_del {
                c.delete_server_metadata(id, k)
                    .await
                    .map_err(|e| server_not_found(id, e))?;
            }
            if a.tags_del {
                c.delete_tags(id).await?;
            }
            if !a.tag_replace.is_empty() {
                cy.replace_tags(id, &a.tag_replace).await?;
            }
            for t in &a.tag_add {
                c.add_tag(id, t).await?;
            }
            for t in &a.tag_del {
                c.delete_tag(id, t).await?;
            }
        }
        ServerCmd::Delete(a) => {
            let ids: Vec<String> = if a.cluster {
                let all = c.list_servers(&ListServersOptions::default()).await?;
                let ids: Vec<String> = all
                    .iter()
                    .filter(|s| s.name.starts_with(&a.server_id))
                    .map(|s| s.id.to_string())
                    .collect();
                note(&format!(
                    "Deleting {} server(s) named {}*",
                    ids.len(),
                    a.server_id
                ));
                ids
            } else {
                check_server_id(&a.server_id)?;
                vec![a.server_id.clone()]
            };
            for id in ids {
                let before = if a.wait.wait {
                    Some(
                        c.get_server(&id)
                            .await
                            .map_err(|e| server_not_found(&id, e))?
                            .status
                            .as_str()
                            .to_string(),
                    )
                } else {
                    None
                };
                c.delete_server(&id)
                    .await
                    .map_err(|e| server_not_found(&id, e))?;
                if let Some(status) = before {
                    let bar = WaitBar::new(&format!("Server {id}"), &status, false, 60, bars);
                    let outcome = c.wait_server_deleted(&id, &wait_options(60)).await?;
                    bar.finish();
                    report_wait("Server", &id, outcome, |s| {
                        s.as_ref()
                            .map(|s| s.status.as_str().to_string())
                            .unwrap_or_else(|| "DELETED".into())
                    })?;
                }
            }
        }
        ServerCmd::Reboot(a) => {
            check_server_id(&a.server_id)?;
            let hard = a.reboot_type.eq_ignore_ascii_case("HARD");
            c.reboot_server(&a.server_id, hard)
                .await
                .map_err(|e| server_not_found(&a.server_id, e))?;
            if a.wait.wait {
                wait_while(&c, &a.server_id, "REBOOT", 60, bars).await?;
            }
        }
        ServerCmd::Start(a) | ServerCmd::Shutdown(a) => {
            let start = app.command.ends_with("start");
            let id = a.server_id.as_str();
            check_server_id(id)?;
            let s = c
                .get_server(id)
                .await
                .map_err(|e| server_not_found(id, e))?;
            let status = s.status.as_str().to_string();
            let already = if start { "ACTIVE" } else { "STOPPED" };
            if status == already {
                return Err(CliError::value(format!("Server {id} is already {already}")));
            }
            if start {
                c.start_server(id).await?;
            } else {
                c.shutdown_server(id).await?;
            }
            if a.wait.wait {
                wait_while(&c, id, &status, 60, bars).await?;
            }
        }
        ServerCmd::Rescue(a) => {
            check_server_id(&a.server_id)?;
            c.rescue_server(
                &a.server_id,
                a.rescue_image_ref.as_deref().map(ResourceId::from),
            )
            .await?;
        }
        ServerCmd::Unrescue(a) => {
            check_server_id(&a.server_id)?;
            c.unrescue_server(&a.server_id).await?;
        }
        ServerCmd::Wait(a) => {
            let id = a.server_id.as_str();
            check_server_id(id)?;
            if a.wait.status.is_some() {
                crate::output::warning("kamaki.cli", "--status is deprecated, use --while");
            }
            let s = c
                .get_server(id)
                .await
                .map_err(|e| server_not_found(id, e))?;
            let current = s.status.as_str().to_string();
            if let Some(until) = &a.wait.until {
                if current.eq_ignore_ascii_case(until) {
                    note(&format!("Server {id} is already {current}"));
                    return Ok(());
                }
                wait_until(&c, id, &until.to_uppercase(), a.wait.timeout, bars).await?;
            } else {
                let w = a
                    .wait
                    .while_status
                    .clone()
                    .or(a.wait.status.clone())
                    .unwrap_or_else(|| "BUILD".into());
                if !current.eq_ignore_ascii_case(&w) {
                    note(&format!("Server {id} status: {current}"));
                    return Ok(());
                }
                wait_while(&c, id, &current, a.wait.timeout, bars).await?;
            }
        }
        ServerCmd::Tags(a) => {
            check_server_id(&a.server_id)?;
            let tags = cy
                .list_tags(&a.server_id)
                .await
                .map_err(|e| server_not_found(&a.server_id, e))?;
            let items: Vec<Value> = tags
                .tags
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    serde_json::json!({
                        "id": t,
                        "status": tags.statuses.get(i).cloned().unwrap_or_default(),
                    })
                })
                .collect();
            app.printer.items(&items, &["id"], false);
        }
        ServerCmd::Tagexists(a) => {
            check_server_id(&a.server_id)?;
            let yes = c.check_tag_exists(&a.server_id, &a.tag).await?;
            println(if yes { "True" } else { "False" });
        }
    }
    Ok(())
}

/// Sets the firewall profile of a server's public ports (`server modify
/// --firewall`): the port given with `--port-id`, every public port with
/// `--port-id '*'`, or the only public one.
async fn set_firewall(
    cy: &CycladesComputeClient,
    id: &str,
    profile: &str,
    port_id: Option<&str>,
) -> CliResult {
    let profile: FirewallProfile = profile
        .parse()
        .map_err(|e: kamaki_core::ClientError| CliError::syntax(e.message))?;
    let server = cy
        .get_server(id)
        .await
        .map_err(|e| server_not_found(id, e))?;
    let public: Vec<String> = server
        .attachments()
        .into_iter()
        .filter(|p| {
            p.ip_type.as_deref() == Some("floating")
                || p.firewall_profile.is_some()
                || p.ipv4
                    .as_deref()
                    .is_some_and(|ip| !ip.is_empty() && !is_private(ip))
        })
        .map(|p| p.id.to_string())
        .collect();
    let ports: Vec<String> = match port_id {
        Some("*") => public.clone(),
        Some(p) => vec![p.to_string()],
        None if public.len() == 1 => public.clone(),
        None if public.is_empty() => {
            return Err(
                CliError::value(format!("Server {id} has no public ports")).hint(
                    "To see the ports of the server",
                    format!("kamaki server info {id} --nics"),
                ),
            )
        }
        None => {
            return Err(CliError::value(format!(
                "Server {id} has several public ports: {}",
                public.join(", ")
            ))
            .hint(
                "To pick one (or * for all)",
                format!(
                    "kamaki server modify {id} --firewall {} --port-id <port id>",
                    profile.as_str()
                ),
            ))
        }
    };
    for p in ports {
        cy.set_firewall_profile(id, profile, &p)
            .await
            .map_err(|e| server_not_found(id, e))?;
        note(&format!(
            "Firewall of port {p} of server {id} set to {}",
            profile.as_str()
        ));
    }
    Ok(())
}

/// Private IPv4 ranges (10/8, 172.16/12, 192.168/16).
fn is_private(ip: &str) -> bool {
    let parts: Vec<u8> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [10, ..] => true,
        [172, b, ..] => (16..32).contains(b),
        [192, 168, ..] => true,
        _ => false,
    }
}

/// Runs a `keypair` command.
pub async fn keypair(app: &mut App, cmd: KeypairCmd) -> CliResult {
    let c = client(app).await?;
    let not_found = |name: &str, e: kamaki_core::ClientError| -> CliError {
        if e.is_not_found() {
            CliError::value(format!("No keypair with name {name}"))
                .hint("To get a list of keypairs", "kamaki keypair list")
                .detail(crate::error::server_line(&e))
        } else {
            e.into()
        }
    };
    match cmd {
        KeypairCmd::List(a) => {
            let mut items = filter_names(to_values(&c.list_keypairs().await?), &a.names);
            if !a.detail && !app.printer.json {
                for i in items.iter_mut() {
                    if let Value::Object(m) = i {
                        m.remove("public_key");
                    }
                }
            }
            app.printer.items(&items, &["name"], false);
        }
        KeypairCmd::Info(a) => {
            let k = c
                .get_keypair(&a.name)
                .await
                .map_err(|e| not_found(&a.name, e))?;
            app.printer.record(&to_value(&k));
        }
        KeypairCmd::Delete(a) => {
            c.delete_keypair(&a.name)
                .await
                .map_err(|e| not_found(&a.name, e))?;
        }
        KeypairCmd::Upload(a) => {
            let name = a.key_name.clone().unwrap_or_else(generated_key_name);
            let k = create_key(&c, &name, Some(&a.public_key), a.force, "upload").await?;
            app.printer.record(&to_value(&k));
        }
        KeypairCmd::Generate(a) => {
            let name = a.key_name.clone().unwrap_or_else(generated_key_name);
            let k = create_key(&c, &name, None, a.force, "generate").await?;
            app.printer.record(&to_value(&k));
        }
    }
    Ok(())
}

async fn create_key(
    c: &ComputeClient,
    name: &str,
    public_key: Option<&str>,
    force: bool,
    verb: &str,
) -> CliResult<kamaki_openstack::compute::Keypair> {
    match c.create_key(name, public_key).await {
        Ok(k) => Ok(k),
        Err(e) if e.is_conflict() && force => {
            c.delete_keypair(name).await?;
            Ok(c.create_key(name, public_key).await?)
        }
        Err(e) if e.is_conflict() => Err(CliError::from(e)
            .detail(format!("A keypair named {name} exists"))
            .hint(
                "To replace it",
                format!("kamaki keypair {verb} --key-name {name} -f ..."),
            )),
        Err(e) => Err(e.into()),
    }
}

fn generated_key_name() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let days = secs / 86_400;
    // civil date from days since 1970-01-01
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let rand = (now.subsec_nanos() as u64 ^ (std::process::id() as u64) << 16) & 0xffff_ffff;
    format!(
        "kamaki-key_autogen_{mo:02}_{d:02}_{h:02}_{m:02}_{s:02}_{:06}_{rand:08x}",
        now.subsec_micros()
    )
}

/// Runs an `imagecompute` command.
pub async fn imagecompute(app: &mut App, cmd: ImagecomputeCmd) -> CliResult {
    let session = app.session().await?;
    let (url, token) = session.endpoint(Service::Compute)?;
    let c = ComputeClient::with_http(&url, session.http_with(&token))?;
    let not_found = |id: &str, e: kamaki_core::ClientError| -> CliError {
        if e.is_not_found() {
            CliError::value(format!("No image with id {id}"))
                .hint("To get a list of images", "kamaki imagecompute list")
                .detail(crate::error::server_line(&e))
        } else {
            e.into()
        }
    };
    match cmd {
        ImagecomputeCmd::List(a) => {
            let user = user_filter(&session, &a.user_id, &a.user_name).await?;
            let detail = a.details
                || user.is_some()
                || !a.metadata.is_empty()
                || !a.metadata_like.is_empty();
            let opts = ListImagesOptions {
                detail,
                ..Default::default()
            };
            let mut items = to_values(&c.list_images(&opts).await?);
            items.retain(|i| user.as_ref().is_none_or(|u| field(i, "user_id") == *u));
            let items = filter_map_field(items, "metadata", &a.metadata, true);
            let items = filter_map_field(items, "metadata", &a.metadata_like, false);
            let items = limit(
                filter_ids(filter_names(items, &a.names), &a.ids),
                a.shape.number,
            );
            let mut items = if a.details || app.printer.json {
                items
            } else {
                brief(items)
            };
            if a.details && !app.printer.json {
                with_user_names(&session, &mut items, &["user_id", "tenant_id"]).await;
            }
            app.printer
                .items(&items, &["id", "name"], a.shape.enumerate);
        }
        ImagecomputeCmd::Info(a) => {
            let i = c
                .get_image(&a.image_id)
                .await
                .map_err(|e| not_found(&a.image_id, e))?;
            let mut one = [to_value(&i)];
            if !app.printer.json {
                with_user_names(&session, &mut one, &["user_id", "tenant_id"]).await;
            }
            let [rec] = one;
            app.printer.record(&rec);
        }
        ImagecomputeCmd::Delete(a) => {
            c.delete_image(&a.image_id)
                .await
                .map_err(|e| not_found(&a.image_id, e))?;
        }
        ImagecomputeCmd::Modify(a) => {
            if a.property_add.is_empty() && a.property_del.is_empty() {
                return Err(CliError::syntax("Nothing to modify")
                    .hint("For the options", "kamaki imagecompute modify --help"));
            }
            if !a.property_add.is_empty() {
                let m: BTreeMap<String, String> = a.property_add.iter().cloned().collect();
                c.update_image_metadata(&a.image_id, &m)
                    .await
                    .map_err(|e| not_found(&a.image_id, e))?;
            }
            for k in &a.property_del {
                c.delete_image_metadata(&a.image_id, k)
                    .await
                    .map_err(|e| not_found(&a.image_id, e))?;
            }
        }
    }
    Ok(())
}
