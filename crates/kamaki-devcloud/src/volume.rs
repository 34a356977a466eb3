//! Cyclades block storage (`/volume/v2.0`): volumes, snapshots, volume types.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use serde_json::{json, Map, Value};

use crate::image::{self, ImageView};
use crate::pithos::put_object_bytes;
use crate::state::{Counters, ImageMeta, State, Transition, Volume};
use crate::util::{self, as_id, empty_response, json_response, Fault, Req, R};
use crate::Cloud;

/// A volume type (static).
#[derive(Debug, Clone, Copy)]
pub(crate) struct VolumeType {
    pub id: u64,
    pub name: &'static str,
    pub detachable: bool,
}

const TYPES: &[VolumeType] = &[
    VolumeType {
        id: 1,
        name: "ext_archipelago",
        detachable: true,
    },
    VolumeType {
        id: 2,
        name: "drbd",
        detachable: false,
    },
];

pub(crate) fn volume_type(id: u64) -> Option<VolumeType> {
    TYPES.iter().copied().find(|t| t.id == id)
}

fn type_json(t: &VolumeType) -> Value {
    json!({"id": t.id, "name": t.name, "deleted": false, "SNF:disk_template": t.name, "SNF:detachable": t.detachable})
}

/// Container holding snapshot data in the owner's account.
pub(crate) const SNAPSHOTS_CONTAINER: &str = "snapshots";
/// Size of the deterministic data written for each snapshot (spans 2 blocks).
pub const SNAPSHOT_BYTES: usize = 5 * 1024 * 1024 + 4321;

fn base(cloud: &Cloud) -> String {
    format!("{}/volume/v2.0", cloud.base)
}

fn volume_json(cloud: &Cloud, v: &Volume, detail: bool) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(v.id.to_string()));
    o.insert("display_name".into(), json!(v.name));
    o.insert(
        "links".into(),
        util::links(&base(cloud), "volumes", &v.id.to_string()),
    );
    if !detail {
        return Value::Object(o);
    }
    o.insert("status".into(), json!(v.status));
    o.insert("size".into(), json!(v.size));
    o.insert("display_description".into(), json!(v.description));
    o.insert("created_at".into(), json!(util::iso(v.created)));
    o.insert("updated_at".into(), json!(util::iso(v.updated)));
    o.insert("metadata".into(), json!(v.metadata));
    o.insert("snapshot_id".into(), json!(v.snapshot_id));
    o.insert(
        "source_volid".into(),
        json!(v.source_volid.map(|s| s.to_string())),
    );
    o.insert("image_id".into(), json!(v.image_id));
    let att: Vec<Value> = v
        .server
        .map(|s| json!({"server_id": s, "volume_id": v.id, "device_index": v.index}))
        .into_iter()
        .collect();
    o.insert("attachments".into(), json!(att));
    o.insert("volume_type".into(), json!(v.volume_type));
    o.insert("deleted".into(), json!(v.deleted));
    o.insert(
        "delete_on_termination".into(),
        json!(v.delete_on_termination),
    );
    o.insert("user_id".into(), json!(v.user));
    o.insert("tenant_id".into(), json!(v.project));
    o.insert("shared_to_project".into(), json!(v.shared_to_project));
    Value::Object(o)
}

fn snapshot_json(cloud: &Cloud, img: &ImageView, now: f64) -> Value {
    let creating = img.meta.ready_at.is_some_and(|t| t > now);
    let size = img.meta.snapshot_size.unwrap_or(img.version.bytes >> 30);
    json!({
        "id": img.id,
        "display_name": img.path,
        "display_description": img.meta.description,
        "size": size,
        "status": if creating { "CREATING" } else { "AVAILABLE" },
        "volume_id": img.meta.volume_id.map(|v| v.to_string()),
        "user_id": img.owner,
        "tenant_id": img.owner,
        "os-extended-snapshot-attribute:progress": if creating { json!(0) } else { json!("100%") },
        "created_at": util::iso(img.meta.created),
        "updated_at": util::iso(img.meta.updated),
        "metadata": img.meta.snapshot_meta,
        "links": util::links(&base(cloud), "snapshots", &img.id),
    })
}

fn snapshots_of(st: &State, user: &str) -> Vec<ImageView> {
    image::all_images(st)
        .into_iter()
        .filter(|i| i.owner == user && i.meta.is_snapshot)
        .collect()
}

fn find_snapshot(st: &State, user: &str, id: &str) -> Result<ImageView, Fault> {
    snapshots_of(st, user)
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| Fault::not_found(format!("Snapshot {id} not found")))
}

fn get_volume<'a>(st: &'a State, user: &str, id: &str) -> Result<&'a Volume, Fault> {
    id.parse::<u64>()
        .ok()
        .and_then(|i| st.volumes.get(&i))
        .filter(|v| v.user == user)
        .ok_or_else(|| Fault::not_found(format!("Volume {id} not found")))
}

fn get_volume_mut<'a>(st: &'a mut State, user: &str, id: &str) -> Result<&'a mut Volume, Fault> {
    id.parse::<u64>()
        .ok()
        .and_then(|i| st.volumes.get_mut(&i))
        .filter(|v| v.user == user)
        .ok_or_else(|| Fault::not_found(format!("Volume {id} not found")))
}

fn meta_body(body: &Map<String, Value>) -> Result<BTreeMap<String, String>, Fault> {
    match body.get("metadata") {
        Some(Value::Object(_)) => util::str_map(body.get("metadata")),
        _ => Err(Fault::bad_request("Malformed request: missing metadata")),
    }
}

async fn create_snapshot(cloud: &Arc<Cloud>, mut req: Req, user: &str) -> R {
    let body = req.json().await?;
    let s = body
        .get("snapshot")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| Fault::bad_request("Malformed request: missing snapshot"))?;
    let vid = s
        .get("volume_id")
        .and_then(as_id)
        .ok_or_else(|| Fault::bad_request("Malformed request: missing volume_id"))?;
    let description = s
        .get("display_description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let snap_meta = match s.get("metadata") {
        Some(Value::Object(_)) => util::str_map(s.get("metadata"))?,
        _ => BTreeMap::new(),
    };
    let now = util::now();
    let (name, counter, server_meta, vol_size, index) = {
        let mut st = cloud.lock();
        let v = st
            .volumes
            .get(&vid)
            .filter(|v| v.user == user && !v.deleted)
            .cloned()
            .ok_or_else(|| Fault::not_found(format!("Volume {vid} not found")))?;
        let Some(server) = v.server else {
            return Err(Fault::bad_request("Cannot snapshot a detached volume"));
        };
        if v.status != "available" && v.status != "in_use" {
            return Err(Fault::bad_request(format!(
                "Volume {vid} is in status {}",
                v.status
            )));
        }
        if !volume_type(v.volume_type).is_some_and(|t| t.name.starts_with("ext_")) {
            return Err(Fault::bad_request(
                "Snapshots are only supported for ext_ volume types",
            ));
        }
        let taken = |st: &State, n: &str| {
            st.accounts
                .get(user)
                .and_then(|a| a.containers.get(SNAPSHOTS_CONTAINER))
                .and_then(|c| c.objects.get(n))
                .is_some_and(|o| o.current().is_some())
        };
        let name = match s
            .get("display_name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            Some(n) => {
                if taken(&st, n) {
                    return Err(Fault::conflict(format!(
                        "A snapshot named '{n}' already exists"
                    )));
                }
                n.to_string()
            }
            None => {
                let mut n = format!("Snapshot of volume '{vid}'");
                let mut i = 2;
                while taken(&st, &n) {
                    n = format!("Snapshot of volume '{vid}' #{i}");
                    i += 1;
                }
                n
            }
        };
        let vm = st
            .volumes
            .get_mut(&vid)
            .ok_or_else(|| Fault::internal("volume vanished"))?;
        vm.snapshots_made += 1;
        let counter = vm.snapshots_made;
        let server_meta = if v.index == 0 {
            st.servers
                .get(&server)
                .map(|s| s.metadata.clone())
                .unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        (name, counter, server_meta, v.size, v.index)
    };
    let data = Bytes::from(image::pseudo_bytes(vid * 1_000 + counter, SNAPSHOT_BYTES));
    let id = put_object_bytes(
        cloud,
        user,
        SNAPSHOTS_CONTAINER,
        &name,
        data,
        "application/octet-stream",
        None,
    )
    .await?;
    let mut props: BTreeMap<String, String> = BTreeMap::new();
    props.insert("exclude_all_tasks".into(), "yes".into());
    if index == 0 {
        for k in ["os", "users"] {
            if let Some(v) = server_meta.get(k) {
                props.insert(k.to_string(), v.clone());
            }
        }
    }
    let mut st = cloud.lock();
    image::with_object(&mut st, &id, |o| {
        o.image = Some(ImageMeta {
            name: name.clone(),
            disk_format: "diskdump".into(),
            container_format: "bare".into(),
            status: "AVAILABLE".into(),
            properties: props,
            created: now,
            updated: now,
            is_snapshot: true,
            description,
            volume_id: Some(vid),
            snapshot_size: Some(vol_size),
            snapshot_meta: snap_meta,
            ready_at: Some(now + cloud.delay()),
        });
    });
    let img = image::find_image(&st, &id).ok_or_else(|| Fault::internal("snapshot vanished"))?;
    drop(st);
    json_response(202, &json!({"snapshot": snapshot_json(cloud, &img, now)}))
}

pub(crate) async fn handle(cloud: &Arc<Cloud>, mut req: Req) -> R {
    let user = cloud.auth(&req)?.uuid;
    let segs: Vec<String> = req.segs.clone();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let now = util::now();
    let delay = cloud.delay();
    match (req.method.clone(), segs.as_slice()) {
        (Method::GET, ["volumes"]) | (Method::GET, ["volumes", "detail"]) => {
            let detail = segs.len() == 2;
            let since = req.q("changes-since").and_then(util::parse_iso);
            let st = cloud.lock();
            let list: Vec<Value> = st
                .volumes
                .values()
                .filter(|v| v.user == user)
                .filter(|v| match since {
                    Some(t) => v.updated >= t,
                    None => !v.deleted,
                })
                .map(|v| volume_json(cloud, v, detail))
                .collect();
            json_response(200, &json!({"volumes": list}))
        }
        (Method::POST, ["volumes"]) => {
            let body = req.json().await?;
            let v = body
                .get("volume")
                .and_then(Value::as_object)
                .cloned()
                .ok_or_else(|| Fault::bad_request("Malformed request: missing volume"))?;
            let size = v
                .get("size")
                .and_then(as_id)
                .filter(|s| *s > 0)
                .ok_or_else(|| Fault::bad_request("Volume size must be a positive integer"))?;
            if size > 1024 {
                return Err(Fault::bad_request(
                    "Volume size exceeds the maximum (1024 GiB)",
                ));
            }
            let name = v
                .get("display_name")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Volume display_name is required"))?
                .to_string();
            let snapshot_id = v
                .get("snapshot_id")
                .and_then(Value::as_str)
                .map(str::to_string);
            let image_ref = v
                .get("imageRef")
                .and_then(Value::as_str)
                .map(str::to_string);
            let source = v.get("source_volid").and_then(as_id);
            if [snapshot_id.is_some(), image_ref.is_some(), source.is_some()]
                .iter()
                .filter(|x| **x)
                .count()
                > 1
            {
                return Err(Fault::bad_request(
                    "Only one of snapshot_id, imageRef and source_volid may be given",
                ));
            }
            let mut st = cloud.lock();
            if let Some(sid) = &snapshot_id {
                let snap = find_snapshot(&st, &user, sid)?;
                if snap.meta.ready_at.is_some_and(|t| t > now) {
                    return Err(Fault::bad_request(format!(
                        "Snapshot {sid} is not AVAILABLE"
                    )));
                }
            }
            if let Some(i) = &image_ref {
                image::find_image(&st, i)
                    .filter(|img| img.visible_to(&st, &user))
                    .ok_or_else(|| Fault::bad_request(format!("Image {i} not found")))?;
            }
            if let Some(s) = source {
                get_volume(&st, &user, &s.to_string())?;
            }
            let server = match v.get("server_id") {
                None | Some(Value::Null) => None,
                Some(x) => {
                    let sid = as_id(x).ok_or_else(|| Fault::bad_request("Invalid server_id"))?;
                    let s = st
                        .servers
                        .get(&sid)
                        .filter(|s| s.user == user && !s.deleted)
                        .cloned()
                        .ok_or_else(|| Fault::bad_request(format!("Server {sid} not found")))?;
                    Some(s)
                }
            };
            let explicit_type = match v.get("volume_type") {
                None | Some(Value::Null) => None,
                Some(x) => Some(as_id(x).ok_or_else(|| Fault::bad_request("Invalid volume_type"))?),
            };
            if let Some(t) = explicit_type {
                volume_type(t)
                    .ok_or_else(|| Fault::bad_request(format!("Volume type {t} not found")))?;
            }
            let vtype = match &server {
                Some(s) => {
                    let ft = crate::compute::flavor(s.flavor).map_or(1, |f| f.volume_type);
                    if explicit_type.is_some_and(|t| t != ft) {
                        return Err(Fault::bad_request(
                            "Volume type must match the server's disk template",
                        ));
                    }
                    ft
                }
                None => {
                    let t = explicit_type.ok_or_else(|| {
                        Fault::bad_request("Volume type is required for detached volumes")
                    })?;
                    if !volume_type(t).is_some_and(|t| t.detachable) {
                        return Err(Fault::bad_request("Volume type is not detachable"));
                    }
                    t
                }
            };
            let project = v
                .get("project")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| st.default_project(&user));
            let id = Counters::next(&mut st.counters.volume);
            let index = server
                .as_ref()
                .map(|s| {
                    st.volumes
                        .values()
                        .filter(|v| v.server == Some(s.id))
                        .count() as u32
                })
                .unwrap_or(0);
            let (status, transition) = match &server {
                Some(_) => (
                    "creating".to_string(),
                    Some(Transition {
                        at: now + delay,
                        status: "in_use".into(),
                        task: String::new(),
                    }),
                ),
                None => ("available".to_string(), None),
            };
            let vol = Volume {
                id,
                user: user.clone(),
                project,
                name,
                description: v
                    .get("display_description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                size,
                status,
                server: server.as_ref().map(|s| s.id),
                index,
                volume_type: vtype,
                created: now,
                updated: now,
                metadata: BTreeMap::new(),
                deleted: false,
                delete_on_termination: true,
                snapshot_id,
                image_id: image_ref,
                source_volid: source,
                transition,
                purge_at: None,
                snapshots_made: 0,
                shared_to_project: v
                    .get("shared_to_project")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            };
            st.volumes.insert(id, vol.clone());
            json_response(202, &json!({"volume": volume_json(cloud, &vol, false)}))
        }
        (Method::GET, ["volumes", id]) => {
            let st = cloud.lock();
            let v = get_volume(&st, &user, id)?;
            json_response(200, &json!({"volume": volume_json(cloud, v, true)}))
        }
        (Method::PUT, ["volumes", id]) => {
            let body = req.json().await?;
            let u = body
                .get("volume")
                .and_then(Value::as_object)
                .cloned()
                .ok_or_else(|| Fault::bad_request("Malformed request: missing volume"))?;
            let name = u.get("display_name").and_then(Value::as_str);
            let desc = u.get("display_description").and_then(Value::as_str);
            let dot = u.get("delete_on_termination").and_then(Value::as_bool);
            if name.is_none() && desc.is_none() && dot.is_none() {
                return Err(Fault::bad_request("Nothing to update"));
            }
            let mut st = cloud.lock();
            let v = get_volume_mut(&mut st, &user, id)?;
            if let Some(n) = name {
                v.name = n.to_string();
            }
            if let Some(d) = desc {
                v.description = d.to_string();
            }
            if let Some(d) = dot {
                v.delete_on_termination = d;
            }
            v.updated = now;
            let v = v.clone();
            json_response(200, &json!({"volume": volume_json(cloud, &v, true)}))
        }
        (Method::DELETE, ["volumes", id]) => {
            let mut st = cloud.lock();
            let v = get_volume_mut(&mut st, &user, id)?;
            let deleting = v.transition.as_ref().is_some_and(|t| t.status == "deleted");
            if v.deleted || deleting {
                return Err(Fault::bad_request("Volume is already deleted"));
            }
            if v.server.is_some() {
                if v.index == 0 {
                    return Err(Fault::bad_request(
                        "Cannot delete the root volume of a server",
                    ));
                }
                if v.status != "in_use" && v.status != "error" {
                    return Err(Fault::bad_request(format!(
                        "Cannot delete a volume in status {}",
                        v.status
                    )));
                }
            }
            // the status stays as it is until the deletion completes, so
            // `kamaki volume delete -w` (wait while <old status>) sees `deleted`
            v.updated = now;
            v.transition = Some(Transition {
                at: now + delay,
                status: "deleted".into(),
                task: String::new(),
            });
            empty_response(202)
        }
        (Method::POST, ["volumes", id, "action"]) => {
            let body = req.json().await?;
            let r = body
                .get("reassign")
                .and_then(Value::as_object)
                .cloned()
                .ok_or_else(|| Fault::bad_request("Unknown action"))?;
            let mut st = cloud.lock();
            let v = get_volume_mut(&mut st, &user, id)?;
            if let Some(p) = r.get("project").and_then(Value::as_str) {
                v.project = p.to_string();
            } else {
                return Err(Fault::bad_request("Missing project"));
            }
            if let Some(s) = r.get("shared_to_project").and_then(Value::as_bool) {
                v.shared_to_project = s;
            }
            empty_response(200)
        }
        (Method::GET, ["volumes", id, "metadata"]) => {
            let st = cloud.lock();
            let v = get_volume(&st, &user, id)?;
            json_response(200, &json!({"metadata": v.metadata}))
        }
        (Method::POST, ["volumes", id, "metadata"])
        | (Method::PUT, ["volumes", id, "metadata"]) => {
            let replace = req.method == Method::PUT;
            let body = req.json().await?;
            let meta = meta_body(&body)?;
            let mut st = cloud.lock();
            let v = get_volume_mut(&mut st, &user, id)?;
            if replace {
                v.metadata.clear();
            }
            v.metadata.extend(meta);
            if v.metadata.len() > 50 {
                return Err(Fault::bad_request(
                    "Maximum number of metadata items exceeded",
                ));
            }
            json_response(200, &json!({"metadata": v.metadata}))
        }
        (Method::DELETE, ["volumes", id, "metadata", key]) => {
            let mut st = cloud.lock();
            let v = get_volume_mut(&mut st, &user, id)?;
            v.metadata
                .remove(*key)
                .ok_or_else(|| Fault::bad_request(format!("Metadata key '{key}' not found")))?;
            empty_response(200)
        }
        // snapshots
        (Method::GET, ["snapshots"]) | (Method::GET, ["snapshots", "detail"]) => {
            let st = cloud.lock();
            let list: Vec<Value> = snapshots_of(&st, &user)
                .iter()
                .map(|i| snapshot_json(cloud, i, now))
                .collect();
            json_response(200, &json!({"snapshots": list}))
        }
        (Method::POST, ["snapshots"]) => create_snapshot(cloud, req, &user).await,
        (Method::GET, ["snapshots", id]) => {
            let st = cloud.lock();
            let img = find_snapshot(&st, &user, id)?;
            json_response(200, &json!({"snapshot": snapshot_json(cloud, &img, now)}))
        }
        (Method::PUT, ["snapshots", id]) => {
            let body = req.json().await?;
            let u = body
                .get("snapshot")
                .and_then(Value::as_object)
                .cloned()
                .ok_or_else(|| Fault::bad_request("Malformed request: missing snapshot"))?;
            let name = u
                .get("display_name")
                .and_then(Value::as_str)
                .map(str::to_string);
            let desc = u
                .get("display_description")
                .and_then(Value::as_str)
                .map(str::to_string);
            if name.is_none() && desc.is_none() {
                return Err(Fault::bad_request("Nothing to update"));
            }
            let mut st = cloud.lock();
            let img = find_snapshot(&st, &user, id)?;
            if let Some(d) = desc {
                image::with_object(&mut st, id, |o| {
                    if let Some(m) = o.image.as_mut() {
                        m.description = d;
                        m.updated = now;
                    }
                });
            }
            if let Some(n) = name.filter(|n| *n != img.path) {
                let c = st
                    .accounts
                    .get_mut(&img.owner)
                    .and_then(|a| a.containers.get_mut(&img.container))
                    .ok_or_else(|| Fault::internal("snapshot container vanished"))?;
                if c.objects.get(&n).is_some_and(|o| o.current().is_some()) {
                    return Err(Fault::conflict(format!(
                        "A snapshot named '{n}' already exists"
                    )));
                }
                if let Some(mut o) = c.objects.remove(&img.path) {
                    if let Some(m) = o.image.as_mut() {
                        m.name = n.clone();
                    }
                    c.objects.insert(n, o);
                }
            }
            let img = find_snapshot(&st, &user, id)?;
            json_response(200, &json!({"snapshot": snapshot_json(cloud, &img, now)}))
        }
        (Method::DELETE, ["snapshots", id]) => {
            let mut st = cloud.lock();
            let img = find_snapshot(&st, &user, id)?;
            if let Some(c) = st
                .accounts
                .get_mut(&img.owner)
                .and_then(|a| a.containers.get_mut(&img.container))
            {
                c.objects.remove(&img.path);
                c.modified = now;
            }
            empty_response(202)
        }
        (Method::GET, ["snapshots", id, "metadata"]) => {
            let st = cloud.lock();
            let img = find_snapshot(&st, &user, id)?;
            json_response(200, &json!({"metadata": img.meta.snapshot_meta}))
        }
        (Method::POST, ["snapshots", id, "metadata"])
        | (Method::PUT, ["snapshots", id, "metadata"]) => {
            let replace = req.method == Method::PUT;
            let body = req.json().await?;
            let meta = meta_body(&body)?;
            let mut st = cloud.lock();
            find_snapshot(&st, &user, id)?;
            let out = image::with_object(&mut st, id, |o| {
                o.image.as_mut().map(|m| {
                    if replace {
                        m.snapshot_meta.clear();
                    }
                    m.snapshot_meta.extend(meta);
                    m.snapshot_meta.clone()
                })
            })
            .flatten()
            .unwrap_or_default();
            json_response(200, &json!({"metadata": out}))
        }
        (Method::DELETE, ["snapshots", id, "metadata", key]) => {
            let mut st = cloud.lock();
            let img = find_snapshot(&st, &user, id)?;
            if !img.meta.snapshot_meta.contains_key(*key) {
                return Err(Fault::bad_request(format!(
                    "Metadata key '{key}' not found"
                )));
            }
            image::with_object(&mut st, id, |o| {
                if let Some(m) = o.image.as_mut() {
                    m.snapshot_meta.remove(*key);
                }
            });
            empty_response(200)
        }
        // types
        (Method::GET, ["types"]) => {
            let list: Vec<Value> = TYPES.iter().map(type_json).collect();
            json_response(200, &json!({"volume_types": list}))
        }
        (Method::GET, ["types", id]) => {
            let t = id
                .parse::<u64>()
                .ok()
                .and_then(volume_type)
                .ok_or_else(|| Fault::not_found(format!("Volume type {id} not found")))?;
            json_response(200, &json!({"volume_type": type_json(&t)}))
        }
        _ => Err(Fault::endpoint_not_found()),
    }
}
