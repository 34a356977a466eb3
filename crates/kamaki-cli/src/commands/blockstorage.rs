//! `volume` and `snapshot` on the block storage API
//! (`kamaki_openstack::blockstorage::BlockStorageClient`, `spec/cli.md` §10.5).
//! `volume reassign` goes through the Cyclades block storage client
//! (`kamaki_synnefo::cyclades::CycladesBlockStorageClient`).

use std::collections::BTreeMap;

use kamaki_openstack::blockstorage::{
    BlockStorageClient, CreateSnapshot, CreateVolume, ListSnapshotsOptions, ListVolumesOptions,
    UpdateSnapshot, UpdateVolume,
};
use kamaki_openstack::{Extra, ResourceId};
use kamaki_synnefo::cyclades::CycladesBlockStorageClient;
use serde_json::Value;

use super::common::*;
use crate::app::App;
use crate::cli::*;
use crate::error::{CliError, CliResult};
use crate::output::note;
use crate::session::Service;

async fn client(app: &mut App) -> CliResult<BlockStorageClient> {
    let session = app.session().await?;
    let (url, token) = session.endpoint(Service::Volume)?;
    Ok(BlockStorageClient::with_http(
        &url,
        session.http_with(&token),
    )?)
}

fn not_found(kind: &str, id: &str, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!("No {kind} with id {id}"))
            .hint(
                format!("To get a list of {kind}s"),
                format!("kamaki {kind} list"),
            )
            .detail(crate::error::server_line(&e))
    } else {
        e.into()
    }
}

fn listing(items: Vec<Value>, details: bool, json: bool) -> Vec<Value> {
    if details || json {
        return items;
    }
    // Block storage names are `display_name` (Cinder v1) or `name` (v2).
    items
        .into_iter()
        .map(|v| {
            let name = v
                .get("name")
                .or_else(|| v.get("display_name"))
                .cloned()
                .unwrap_or(Value::Null);
            serde_json::json!({"id": v.get("id").cloned().unwrap_or(Value::Null), "name": name})
        })
        .collect()
}

async fn wait_volume(
    c: &BlockStorageClient,
    id: &str,
    status: &str,
    until: bool,
    timeout: u64,
) -> CliResult<String> {
    let opts = wait_options(timeout);
    let outcome = if until {
        c.wait_volume_until(id, status, &opts).await?
    } else {
        c.wait_volume_while(id, status, &opts).await?
    };
    let v = report_wait("Volume", id, outcome, |v| v.status.as_str().to_string())?;
    Ok(v.map(|v| v.status.as_str().to_string()).unwrap_or_default())
}

/// Runs a `volume` command.
pub async fn volume(app: &mut App, cmd: VolumeCmd) -> CliResult {
    let c = client(app).await?;
    match cmd {
        VolumeCmd::List(a) => {
            let opts = ListVolumesOptions {
                detail: a.details,
                ..Default::default()
            };
            let items = to_values(&c.list_volumes(&opts).await?);
            app.printer.items(
                &listing(items, a.details, app.printer.json),
                &["id", "name"],
                false,
            );
        }
        VolumeCmd::Info(a) => {
            let v = c
                .get_volume(&a.volume_id)
                .await
                .map_err(|e| not_found("volume", &a.volume_id, e))?;
            app.printer.record(&to_value(&v));
        }
        VolumeCmd::Create(a) => {
            let mut extra = Extra::new();
            if let Some(s) = &a.server_id {
                extra.insert("server_id".into(), Value::String(s.clone()));
            }
            if let Some(p) = &a.project_id {
                extra.insert("project".into(), Value::String(p.clone()));
            }
            let volume_type = match (&a.volume_type, &a.server_id) {
                (Some(t), _) => Some(ResourceId::from(t.as_str())),
                (None, Some(_)) => None,
                (None, None) => {
                    let types = c.list_volume_types().await?;
                    types
                        .iter()
                        .find(|t| t.name == "ext_archipelago")
                        .map(|t| t.id.clone())
                }
            };
            let req = CreateVolume {
                size: a.size,
                display_name: Some(a.name.clone()),
                display_description: a.description.clone(),
                volume_type,
                snapshot_id: a.snapshot_id.clone(),
                image_ref: a.image_id.clone(),
                metadata: (!a.metadata.is_empty())
                    .then(|| a.metadata.iter().cloned().collect::<BTreeMap<_, _>>()),
                extra,
                ..Default::default()
            };
            let v = c.create_volume(&req).await?;
            let id = v.id.to_string();
            let v = c.get_volume(&id).await.unwrap_or(v);
            app.printer.record(&to_value(&v));
            if a.wait.wait {
                let current = v.status.as_str().to_string();
                let status = if matches!(current.as_str(), "creating" | "attaching" | "downloading")
                {
                    wait_volume(&c, &id, &current, false, 60).await?
                } else {
                    note(&format!("Volume {id} status: {current}"));
                    current
                };
                if status != "in_use"
                    && status != "in-use"
                    && !(a.server_id.is_none() && status == "available")
                {
                    return Err(CliError::new(format!(
                        "Volume {id} ended in status {status}"
                    )));
                }
            }
        }
        VolumeCmd::Modify(a) => {
            if a.name.is_none() && a.description.is_none() && a.delete_on_termination.is_none() {
                return Err(CliError::syntax("Nothing to modify")
                    .hint("For the options", "kamaki volume modify --help"));
            }
            let upd = UpdateVolume {
                display_name: a.name.clone(),
                display_description: a.description.clone(),
                delete_on_termination: a.delete_on_termination,
                ..Default::default()
            };
            let v = c
                .update_volume(&a.volume_id, &upd)
                .await
                .map_err(|e| not_found("volume", &a.volume_id, e))?;
            app.printer.record(&to_value(&v));
        }
        VolumeCmd::Delete(a) => {
            let id = a.volume_id.as_str();
            let before = c
                .get_volume(id)
                .await
                .map_err(|e| not_found("volume", id, e))?;
            c.delete_volume(id)
                .await
                .map_err(|e| not_found("volume", id, e))?;
            if a.wait.wait {
                let outcome = c.wait_volume_deleted(id, &wait_options(60)).await?;
                match outcome {
                    kamaki_core::WaitOutcome::Reached(_) => {
                        note(&format!("Volume {id} status: deleted"))
                    }
                    other => {
                        let last = other
                            .into_last()
                            .flatten()
                            .map(|v| v.status.as_str().to_string())
                            .unwrap_or_else(|| before.status.as_str().to_string());
                        return Err(CliError::new(format!("Volume {id} ended in status {last}")));
                    }
                }
            }
        }
        VolumeCmd::Wait(a) => {
            let id = a.volume_id.as_str();
            let v = c
                .get_volume(id)
                .await
                .map_err(|e| not_found("volume", id, e))?;
            let current = v.status.as_str().to_string();
            if let Some(until) = &a.wait.until {
                if current.eq_ignore_ascii_case(until) {
                    note(&format!("Volume {id} is already {current}"));
                    return Ok(());
                }
                wait_volume(&c, id, &until.to_lowercase(), true, a.wait.timeout).await?;
            } else {
                let w = a
                    .wait
                    .while_status
                    .clone()
                    .or(a.wait.status.clone())
                    .unwrap_or_else(|| "creating".into());
                if !current.eq_ignore_ascii_case(&w) {
                    note(&format!("Volume {id} status: {current}"));
                    return Ok(());
                }
                wait_volume(&c, id, &current, false, a.wait.timeout).await?;
            }
        }
        VolumeCmd::Types(_) => {
            let t = to_values(&c.list_volume_types().await?);
            app.printer.items(&t, &["id", "name"], false);
        }
        VolumeCmd::Type(a) => {
            let t = c
                .get_volume_type(&a.type_id)
                .await
                .map_err(|e| not_found("volume type", &a.type_id, e))?;
            app.printer.record(&to_value(&t));
        }
        VolumeCmd::Reassign(a) => {
            CycladesBlockStorageClient::from(c.clone())
                .reassign_volume(&a.volume_id, &a.project_id)
                .await
                .map_err(|e| not_found("volume", &a.volume_id, e))?;
        }
    }
    Ok(())
}

/// Runs a `snapshot` command.
pub async fn snapshot(app: &mut App, cmd: SnapshotCmd) -> CliResult {
    let c = client(app).await?;
    match cmd {
        SnapshotCmd::List(a) => {
            let opts = ListSnapshotsOptions {
                detail: a.details,
                ..Default::default()
            };
            let items = to_values(&c.list_snapshots(&opts).await?);
            app.printer.items(
                &listing(items, a.details, app.printer.json),
                &["id", "name"],
                false,
            );
        }
        SnapshotCmd::Info(a) => {
            let s = c
                .get_snapshot(&a.snapshot_id)
                .await
                .map_err(|e| not_found("snapshot", &a.snapshot_id, e))?;
            app.printer.record(&to_value(&s));
        }
        SnapshotCmd::Create(a) => {
            let req = CreateSnapshot {
                volume_id: a.volume_id.clone(),
                display_name: a.name.clone(),
                display_description: a.description.clone(),
                ..Default::default()
            };
            let s = c
                .create_snapshot(&req)
                .await
                .map_err(|e| not_found("volume", &a.volume_id, e))?;
            app.printer.record(&to_value(&s));
        }
        SnapshotCmd::Modify(a) => {
            if a.name.is_none() && a.description.is_none() {
                return Err(CliError::syntax("Nothing to modify")
                    .hint("For the options", "kamaki snapshot modify --help"));
            }
            let upd = UpdateSnapshot {
                display_name: a.name.clone(),
                display_description: a.description.clone(),
            };
            let s = c
                .update_snapshot(&a.snapshot_id, &upd)
                .await
                .map_err(|e| not_found("snapshot", &a.snapshot_id, e))?;
            app.printer.record(&to_value(&s));
        }
        SnapshotCmd::Delete(a) => {
            c.delete_snapshot(&a.snapshot_id)
                .await
                .map_err(|e| not_found("snapshot", &a.snapshot_id, e))?;
        }
    }
    Ok(())
}
