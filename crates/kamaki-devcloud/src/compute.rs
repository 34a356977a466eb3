//! Cyclades compute (`/compute/v2.0`): servers, flavors, images, keypairs.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use md5::Digest as _;
use serde_json::{json, Map, Value};

use crate::image::{self, ImageView};
use crate::network;
use crate::state::{Counters, Keypair, Server, State, Transition, Volume, PUBLIC_NETWORK};
use crate::util::{
    self, as_id, builder, empty_response, finish, full, hdr, json_response, Fault, Req, R,
};
use crate::Cloud;

/// A flavor (static catalogue).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flavor {
    pub id: u64,
    pub vcpus: u64,
    /// MiB
    pub ram: u64,
    /// GiB
    pub disk: u64,
    pub template: &'static str,
    pub volume_type: u64,
}

const FLAVORS: &[Flavor] = &[
    Flavor {
        id: 1,
        vcpus: 1,
        ram: 1024,
        disk: 20,
        template: "ext_archipelago",
        volume_type: 1,
    },
    Flavor {
        id: 2,
        vcpus: 1,
        ram: 2048,
        disk: 40,
        template: "ext_archipelago",
        volume_type: 1,
    },
    Flavor {
        id: 3,
        vcpus: 2,
        ram: 2048,
        disk: 20,
        template: "ext_archipelago",
        volume_type: 1,
    },
    Flavor {
        id: 4,
        vcpus: 2,
        ram: 4096,
        disk: 40,
        template: "ext_archipelago",
        volume_type: 1,
    },
    Flavor {
        id: 5,
        vcpus: 4,
        ram: 8192,
        disk: 80,
        template: "ext_archipelago",
        volume_type: 1,
    },
    Flavor {
        id: 6,
        vcpus: 1,
        ram: 1024,
        disk: 20,
        template: "drbd",
        volume_type: 2,
    },
];

pub(crate) fn flavor(id: u64) -> Option<Flavor> {
    FLAVORS.iter().copied().find(|f| f.id == id)
}

impl Flavor {
    fn name(&self) -> String {
        format!(
            "C{}R{}D{}{}",
            self.vcpus, self.ram, self.disk, self.template
        )
    }
}

fn base(cloud: &Cloud) -> String {
    format!("{}/compute/v2.0", cloud.base)
}

fn flavor_json(cloud: &Cloud, f: &Flavor, detail: bool) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(f.id));
    o.insert("name".into(), json!(f.name()));
    o.insert(
        "links".into(),
        util::links(&base(cloud), "flavors", &f.id.to_string()),
    );
    if detail {
        o.insert("ram".into(), json!(f.ram));
        o.insert("disk".into(), json!(f.disk));
        o.insert("vcpus".into(), json!(f.vcpus));
        o.insert("os-flavor-access:is_public".into(), json!(true));
        o.insert("SNF:disk_template".into(), json!(f.template));
        o.insert("SNF:volume_type".into(), json!(f.volume_type));
        o.insert("SNF:allow_create".into(), json!(true));
        o.insert("SNF:flavor-access".into(), json!([]));
    }
    Value::Object(o)
}

fn image_json(cloud: &Cloud, img: &ImageView, detail: bool, now: f64) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(img.id));
    o.insert("name".into(), json!(img.meta.name));
    o.insert("links".into(), util::links(&base(cloud), "images", &img.id));
    if detail {
        let status = match img.status(now).as_str() {
            "AVAILABLE" => "ACTIVE",
            "UNAVAILABLE" => "SAVING",
            "ERROR" => "ERROR",
            _ => "UNKNOWN",
        };
        o.insert("status".into(), json!(status));
        o.insert(
            "progress".into(),
            json!(if status == "ACTIVE" { 100 } else { 0 }),
        );
        o.insert("created".into(), json!(util::iso(img.meta.created)));
        o.insert("updated".into(), json!(util::iso(img.meta.updated)));
        o.insert("user_id".into(), json!(img.owner));
        o.insert("tenant_id".into(), json!(img.owner));
        o.insert("public".into(), json!(img.is_public()));
        o.insert("is_snapshot".into(), json!(img.meta.is_snapshot));
        o.insert("metadata".into(), json!(img.meta.properties));
    }
    Value::Object(o)
}

/// attachments + addresses of a server, from its ports.
fn nics(st: &State, id: u64) -> (Vec<Value>, Map<String, Value>) {
    let mut attachments = Vec::new();
    let mut addresses = Map::new();
    for p in st
        .ports
        .values()
        .filter(|p| p.device == Some(id) && p.delete_at.is_none())
    {
        let ip = p
            .fixed_ips
            .first()
            .map(|(ip, _)| ip.clone())
            .unwrap_or_default();
        let kind = if !ip.is_empty() && network::is_floating(st, &ip, p.network) {
            "floating"
        } else {
            "fixed"
        };
        let mut a = Map::new();
        a.insert("id".into(), json!(p.id));
        a.insert("network_id".into(), json!(p.network.to_string()));
        a.insert("mac_address".into(), json!(p.mac));
        if !p.firewall.is_empty() {
            a.insert("firewallProfile".into(), json!(p.firewall));
        }
        a.insert("ipv4".into(), json!(ip));
        a.insert("ipv6".into(), json!(""));
        a.insert("OS-EXT-IPS:type".into(), json!(kind));
        attachments.push(Value::Object(a));
        let entry = addresses
            .entry(p.network.to_string())
            .or_insert_with(|| json!([]));
        if let (Some(list), false) = (entry.as_array_mut(), ip.is_empty()) {
            list.push(json!({"version": 4, "addr": ip, "OS-EXT-IPS:type": kind}));
        }
    }
    (attachments, addresses)
}

fn server_json(cloud: &Cloud, st: &State, s: &Server, detail: bool, now: f64) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(s.id));
    o.insert("name".into(), json!(s.name));
    o.insert(
        "links".into(),
        util::links(&base(cloud), "servers", &s.id.to_string()),
    );
    if !detail {
        return Value::Object(o);
    }
    let progress = match s.status.as_str() {
        "BUILD" => {
            let total = s
                .transition
                .as_ref()
                .map_or(1.0, |t| (t.at - s.created).max(1e-6));
            (((now - s.created) / total) * 100.0).clamp(0.0, 99.0) as u64
        }
        "ACTIVE" => 100,
        _ => 0,
    };
    let (attachments, addresses) = nics(st, s.id);
    let volumes: Vec<u64> = st
        .volumes
        .values()
        .filter(|v| v.server == Some(s.id) && !v.deleted)
        .map(|v| v.id)
        .collect();
    let tags: Vec<&String> = s
        .tags
        .iter()
        .filter(|(_, st)| st.as_str() == "ACTIVE")
        .map(|(t, _)| t)
        .collect();
    o.insert("user_id".into(), json!(s.user));
    o.insert("tenant_id".into(), json!(s.project));
    o.insert("shared_to_project".into(), json!(s.shared_to_project));
    o.insert("status".into(), json!(s.status));
    o.insert("SNF:task_state".into(), json!(s.task_state));
    o.insert("progress".into(), json!(progress));
    o.insert("hostId".into(), json!(""));
    o.insert("created".into(), json!(util::iso(s.created)));
    o.insert("updated".into(), json!(util::iso(s.updated)));
    o.insert(
        "flavor".into(),
        json!({"id": s.flavor, "links": util::links(&base(cloud), "flavors", &s.flavor.to_string())}),
    );
    o.insert(
        "image".into(),
        json!({"id": s.image, "links": util::links(&base(cloud), "images", &s.image)}),
    );
    o.insert("suspended".into(), json!(false));
    o.insert("metadata".into(), json!(s.metadata));
    o.insert("tags".into(), json!(tags));
    o.insert("attachments".into(), json!(attachments));
    o.insert("addresses".into(), Value::Object(addresses));
    o.insert("volumes".into(), json!(volumes));
    o.insert(
        "diagnostics".into(),
        json!([{"level": "DEBUG", "created": util::iso(s.created), "source": "image-info",
                 "source_date": util::iso(s.created), "message": "Image customization finished", "details": null}]),
    );
    o.insert("security_groups".into(), json!([{"name": "default"}]));
    o.insert("key_name".into(), json!(s.key_names.first()));
    o.insert("SNF:key_names".into(), json!(s.key_names));
    o.insert("config_drive".into(), json!(""));
    o.insert("accessIPv4".into(), json!(""));
    o.insert("accessIPv6".into(), json!(""));
    o.insert(
        "SNF:fqdn".into(),
        json!(format!("snf-{}.vm.devcloud.local", s.id)),
    );
    o.insert("SNF:port_forwarding".into(), json!({}));
    o.insert("deleted".into(), json!(s.deleted));
    o.insert("SNF:rescue".into(), json!(s.rescue));
    Value::Object(o)
}

fn keypair_brief(k: &Keypair) -> Value {
    json!({"keypair": {"name": k.name, "fingerprint": k.fingerprint, "public_key": k.public_key}})
}

fn fingerprint(key: &str) -> String {
    let d = md5::Md5::digest(key.trim().as_bytes());
    d.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn get_server<'a>(st: &'a State, user: &str, id: &str) -> Result<&'a Server, Fault> {
    id.parse::<u64>()
        .ok()
        .and_then(|i| st.servers.get(&i))
        .filter(|s| s.user == user)
        .ok_or_else(|| Fault::not_found("Server not found"))
}

fn get_server_mut<'a>(st: &'a mut State, user: &str, id: &str) -> Result<&'a mut Server, Fault> {
    id.parse::<u64>()
        .ok()
        .and_then(|i| st.servers.get_mut(&i))
        .filter(|s| s.user == user)
        .ok_or_else(|| Fault::not_found("Server not found"))
}

fn str_list(v: Option<&Value>, what: &str) -> Result<Vec<String>, Fault> {
    match v {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                Fault::bad_request(format!(
                    "Malformed request: {what} must be a list of strings"
                ))
            }),
        Some(_) => Err(Fault::bad_request(format!(
            "Malformed request: {what} must be a list"
        ))),
    }
}

fn validate_tag(t: &str) -> Result<(), Fault> {
    if t.is_empty() || t.chars().count() > 60 || t.contains('/') || t.contains(',') {
        return Err(Fault::bad_request(format!("Invalid tag '{t}'")));
    }
    Ok(())
}

async fn create_server(cloud: &Arc<Cloud>, mut req: Req, user: &str) -> R {
    let body = req.json().await?;
    let s = match body.get("server") {
        Some(Value::Object(m)) => m.clone(),
        _ => return Err(Fault::bad_request("Malformed request: missing 'server'")),
    };
    let name = s
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| Fault::bad_request("Malformed request: missing name"))?
        .to_string();
    let image_id = match s.get("imageRef") {
        Some(Value::String(i)) => i.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(Fault::bad_request("Malformed request: missing imageRef")),
    };
    let flavor_id = s
        .get("flavorRef")
        .and_then(as_id)
        .ok_or_else(|| Fault::bad_request("Malformed request: missing or invalid flavorRef"))?;
    let metadata = match s.get("metadata") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(_)) => util::str_map(s.get("metadata"))?,
        Some(_) => {
            return Err(Fault::bad_request(
                "Malformed request: metadata must be an object",
            ))
        }
    };
    if let Some(p) = s.get("personality") {
        match p {
            Value::Array(list) => {
                if list.len() > 5 {
                    return Err(Fault::over_limit(
                        "Maximum number of personalities exceeded",
                    ));
                }
                for item in list {
                    let Some(m) = item.as_object() else {
                        return Err(Fault::bad_request("Malformed personality"));
                    };
                    if m.keys().any(|k| {
                        !["path", "contents", "owner", "group", "mode"].contains(&k.as_str())
                    }) {
                        return Err(Fault::bad_request("Malformed personality"));
                    }
                }
            }
            Value::Null => {}
            _ => {
                return Err(Fault::bad_request(
                    "Malformed request: personality must be a list",
                ))
            }
        }
    }
    let tags = str_list(s.get("tags"), "tags")?;
    for t in &tags {
        validate_tag(t)?;
    }
    let mut key_names = str_list(s.get("SNF:key_names"), "SNF:key_names")?;
    key_names.dedup();
    if let Some(k) = s.get("key_name").and_then(Value::as_str) {
        if !key_names.is_empty() {
            return Err(Fault::bad_request(
                "Only one of key_name and SNF:key_names may be given",
            ));
        }
        key_names.push(k.to_string());
    }
    if let Some(ud) = s.get("user_data") {
        let ok = ud.as_str().is_some_and(|u| {
            u.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=\n\r".contains(c))
        });
        if !ok {
            return Err(Fault::bad_request("User data is not valid base64"));
        }
    }
    let networks = match s.get("networks") {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => Some(list.clone()),
        Some(_) => {
            return Err(Fault::bad_request(
                "Malformed request: networks must be a list",
            ))
        }
    };
    let fl = flavor(flavor_id)
        .ok_or_else(|| Fault::not_found(format!("Flavor {flavor_id} not found")))?;
    let now = util::now();
    let delay = cloud.delay();
    let mut st = cloud.lock();
    let img = image::find_image(&st, &image_id)
        .filter(|i| i.visible_to(&st, user))
        .ok_or_else(|| Fault::not_found(format!("Image {image_id} not found")))?;
    if img.status(now) != "AVAILABLE" {
        return Err(Fault::bad_request(format!(
            "Image {image_id} is not available"
        )));
    }
    for k in &key_names {
        if !st.keypairs.get(user).is_some_and(|m| m.contains_key(k)) {
            return Err(Fault::not_found(format!("Keypair '{k}' not found")));
        }
    }
    let project = s
        .get("project")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| st.default_project(user));
    // validate networks before creating anything
    let mut plan: Vec<(u64, Option<String>, Option<u64>)> = Vec::new(); // (network, fixed ip, existing port)
    match &networks {
        None => plan.push((PUBLIC_NETWORK, None, None)),
        Some(list) => {
            for n in list {
                let m = n.as_object().ok_or_else(|| {
                    Fault::bad_request("Malformed request: invalid networks item")
                })?;
                if let Some(port) = m.get("port") {
                    let pid = as_id(port).ok_or_else(|| Fault::bad_request("Invalid port id"))?;
                    let p = st
                        .ports
                        .get(&pid)
                        .filter(|p| p.user == user)
                        .ok_or_else(|| Fault::not_found(format!("Port {pid} not found")))?;
                    if p.device.is_some() {
                        return Err(Fault::conflict(format!("Port {pid} is already in use")));
                    }
                    plan.push((p.network, None, Some(pid)));
                } else {
                    let nid = m.get("uuid").and_then(as_id).ok_or_else(|| {
                        Fault::bad_request("Malformed request: invalid network uuid")
                    })?;
                    let net = st
                        .networks
                        .get(&nid)
                        .filter(|n| n.public || n.user.as_deref() == Some(user))
                        .ok_or_else(|| Fault::not_found(format!("Network {nid} not found")))?;
                    let ip = m
                        .get("fixed_ip")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    if net.public && ip.is_none() && nid != PUBLIC_NETWORK {
                        return Err(Fault::bad_request(
                            "A floating IP is required for public networks",
                        ));
                    }
                    plan.push((nid, ip, None));
                }
            }
        }
    }
    let id = Counters::next(&mut st.counters.server);
    let mut metadata = metadata;
    for k in ["os", "users"] {
        if let Some(v) = img.meta.properties.get(k) {
            metadata.entry(k.to_string()).or_insert_with(|| v.clone());
        }
    }
    st.servers.insert(
        id,
        Server {
            id,
            user: user.to_string(),
            project: project.clone(),
            name,
            flavor: flavor_id,
            image: image_id.clone(),
            status: "BUILD".into(),
            task_state: "BUILDING".into(),
            created: now,
            updated: now,
            metadata,
            tags: tags
                .iter()
                .map(|t| (t.clone(), "PENDADD".to_string()))
                .collect(),
            tags_ready_at: now + delay,
            deleted: false,
            transition: Some(Transition {
                at: now + delay,
                status: "ACTIVE".into(),
                task: String::new(),
            }),
            purge_at: None,
            volumes: vec![],
            key_names,
            shared_to_project: s
                .get("shared_to_project")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            rescue: false,
        },
    );
    for (nid, ip, port) in plan {
        let res = match port {
            Some(pid) => {
                if let Some(p) = st.ports.get_mut(&pid) {
                    p.device = Some(id);
                    p.status = "BUILD".into();
                    p.transition = Some(Transition {
                        at: now + delay,
                        status: "ACTIVE".into(),
                        task: String::new(),
                    });
                }
                Ok(pid)
            }
            None => network::create_port(&mut st, user, nid, Some(id), ip, "", vec![], now, delay),
        };
        if let Err(e) = res {
            // roll back the half-created server
            let ports: Vec<u64> = st
                .ports
                .values()
                .filter(|p| p.device == Some(id))
                .map(|p| p.id)
                .collect();
            for p in ports {
                st.remove_port(p);
            }
            st.servers.remove(&id);
            return Err(e);
        }
    }
    let vid = Counters::next(&mut st.counters.volume);
    st.volumes.insert(
        vid,
        Volume {
            id: vid,
            user: user.to_string(),
            project,
            name: String::new(),
            description: String::new(),
            size: fl.disk,
            status: "creating".into(),
            server: Some(id),
            index: 0,
            volume_type: fl.volume_type,
            created: now,
            updated: now,
            metadata: BTreeMap::new(),
            deleted: false,
            delete_on_termination: true,
            snapshot_id: None,
            image_id: Some(image_id),
            source_volid: None,
            transition: Some(Transition {
                at: now + delay,
                status: "in_use".into(),
                task: String::new(),
            }),
            purge_at: None,
            snapshots_made: 0,
            shared_to_project: false,
        },
    );
    if let Some(s) = st.servers.get_mut(&id) {
        s.volumes.push(vid);
    }
    let server = st
        .servers
        .get(&id)
        .cloned()
        .ok_or_else(|| Fault::internal("server vanished"))?;
    let mut v = server_json(cloud, &st, &server, true, now);
    if let Some(o) = v.as_object_mut() {
        o.insert("adminPass".into(), json!(util::admin_pass()));
    }
    drop(st);
    json_response(202, &json!({"server": v}))
}

fn transition(s: &mut Server, now: f64, delay: f64, status: &str, task: &str, target: &str) {
    if !status.is_empty() {
        s.status = status.into();
    }
    s.task_state = task.into();
    s.updated = now;
    s.transition = Some(Transition {
        at: now + delay,
        status: target.into(),
        task: String::new(),
    });
}

async fn server_action(cloud: &Arc<Cloud>, mut req: Req, user: &str, id: &str) -> R {
    let body = req.json().await?;
    let (action, arg) = body
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.clone()))
        .ok_or_else(|| Fault::bad_request("Malformed request: no action"))?;
    let now = util::now();
    let delay = cloud.delay();
    let mut st = cloud.lock();
    let s = get_server(&st, user, id)?.clone();
    if s.deleted {
        return Err(Fault::bad_request("Server is deleted"));
    }
    let not_implemented = [
        "confirmResize",
        "revertResize",
        "changePassword",
        "rebuild",
        "createImage",
    ];
    if not_implemented.contains(&action.as_str()) {
        return Err(Fault::not_implemented(format!(
            "Action '{action}' is not supported"
        )));
    }
    let known = [
        "start",
        "os-start",
        "shutdown",
        "os-stop",
        "reboot",
        "resize",
        "console",
        "firewallProfile",
        "reassign",
        "rescue",
        "unrescue",
        "addFloatingIp",
        "removeFloatingIp",
    ];
    if !known.contains(&action.as_str()) {
        return Err(Fault::bad_request(format!("Unknown action '{action}'")));
    }
    if action != "reassign" && action != "console" && action != "firewallProfile" {
        if let Some(t) = &s.transition {
            return Err(if s.status == "BUILD" {
                Fault::build_in_progress("Server is being built")
            } else {
                Fault::bad_request(format!(
                    "Cannot perform '{action}': server has a pending task ({})",
                    t.status
                ))
            });
        }
    }
    let need = |want: &str| -> Result<(), Fault> {
        if s.status != want {
            return Err(Fault::bad_request(format!(
                "Cannot perform '{action}' on a server in state {}",
                s.status
            )));
        }
        Ok(())
    };
    match action.as_str() {
        "start" | "os-start" => {
            need("STOPPED")?;
            let srv = get_server_mut(&mut st, user, id)?;
            transition(srv, now, delay, "", "STARTING", "ACTIVE");
            empty_response(202)
        }
        "shutdown" | "os-stop" => {
            need("ACTIVE")?;
            let srv = get_server_mut(&mut st, user, id)?;
            transition(srv, now, delay, "", "STOPPING", "STOPPED");
            empty_response(202)
        }
        "reboot" => {
            let kind = arg.get("type").and_then(Value::as_str).unwrap_or("SOFT");
            if kind != "SOFT" && kind != "HARD" {
                return Err(Fault::bad_request("Invalid reboot type"));
            }
            need("ACTIVE")?;
            let srv = get_server_mut(&mut st, user, id)?;
            transition(srv, now, delay, "REBOOT", "REBOOTING", "ACTIVE");
            empty_response(202)
        }
        "resize" => {
            let fid = arg
                .get("flavorRef")
                .and_then(as_id)
                .ok_or_else(|| Fault::bad_request("Missing flavorRef"))?;
            let fl =
                flavor(fid).ok_or_else(|| Fault::not_found(format!("Flavor {fid} not found")))?;
            need("STOPPED")?;
            let cur = flavor(s.flavor);
            if cur.is_some_and(|c| c.template != fl.template) {
                return Err(Fault::bad_request(
                    "Cannot resize to a flavor with another disk template",
                ));
            }
            if s.flavor == fid {
                return Err(Fault::bad_request("Server already has this flavor"));
            }
            // applied at once (no RESIZE phase) so a following `start` is not
            // rejected for a pending task
            let srv = get_server_mut(&mut st, user, id)?;
            srv.flavor = fid;
            srv.updated = now;
            empty_response(202)
        }
        "console" => {
            let kind = arg.get("type").and_then(Value::as_str).unwrap_or("");
            if !["vnc", "vnc-ws", "vnc-wss"].contains(&kind) {
                return Err(Fault::bad_request(format!("Invalid console type '{kind}'")));
            }
            need("ACTIVE")?;
            json_response(
                200,
                &json!({"console": {"type": kind, "host": "127.0.0.1", "port": 6000 + (s.id % 1000),
                                     "password": util::random_string(12)}}),
            )
        }
        "firewallProfile" => {
            let profile = arg.get("profile").and_then(Value::as_str).unwrap_or("");
            if !["ENABLED", "DISABLED", "PROTECTED"].contains(&profile) {
                return Err(Fault::bad_request(format!(
                    "Invalid firewall profile '{profile}'"
                )));
            }
            let nic = arg.get("nic").and_then(as_id);
            let mut found = false;
            let public: Vec<u64> = st
                .networks
                .values()
                .filter(|n| n.public)
                .map(|n| n.id)
                .collect();
            for p in st.ports.values_mut() {
                if p.device == Some(s.id)
                    && (nic == Some(p.id) || (nic.is_none() && public.contains(&p.network)))
                {
                    p.firewall = profile.into();
                    found = true;
                }
            }
            if !found {
                return Err(Fault::bad_request(
                    "No matching NIC for the firewall profile",
                ));
            }
            empty_response(202)
        }
        "reassign" => {
            let srv = get_server_mut(&mut st, user, id)?;
            if let Some(p) = arg.get("project").and_then(Value::as_str) {
                srv.project = p.to_string();
            }
            if let Some(sh) = arg.get("shared_to_project").and_then(Value::as_bool) {
                srv.shared_to_project = sh;
            }
            empty_response(200)
        }
        "rescue" | "unrescue" => {
            need("STOPPED")?;
            let srv = get_server_mut(&mut st, user, id)?;
            srv.rescue = action == "rescue";
            srv.updated = now;
            empty_response(202)
        }
        "addFloatingIp" => {
            let addr = arg
                .get("address")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Missing address"))?;
            let f = st
                .floating_ips
                .values()
                .find(|f| f.address == addr && f.user == user)
                .cloned()
                .ok_or_else(|| Fault::not_found(format!("Floating IP {addr} not found")))?;
            network::create_port(
                &mut st,
                user,
                f.network,
                Some(s.id),
                Some(addr.to_string()),
                "",
                vec![],
                now,
                delay,
            )?;
            empty_response(202)
        }
        _ => {
            // removeFloatingIp
            let addr = arg
                .get("address")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Missing address"))?;
            let port = st
                .ports
                .values()
                .find(|p| p.device == Some(s.id) && p.fixed_ips.iter().any(|(ip, _)| ip == addr))
                .map(|p| p.id)
                .ok_or_else(|| Fault::not_found(format!("Floating IP {addr} is not attached")))?;
            if let Some(p) = st.ports.get_mut(&port) {
                p.delete_at = Some(now + delay);
            }
            empty_response(202)
        }
    }
}

pub(crate) async fn handle(cloud: &Arc<Cloud>, mut req: Req) -> R {
    let user = cloud.auth(&req)?.uuid;
    let segs: Vec<String> = req.segs.clone();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let now = util::now();
    let delay = cloud.delay();
    match (req.method.clone(), segs.as_slice()) {
        // servers
        (Method::GET, ["servers"]) | (Method::GET, ["servers", "detail"]) => {
            let detail = segs.len() == 2;
            let since = match req.q("changes-since") {
                Some(c) => {
                    // a raw `+` in the query decodes to a space
                    let t = util::parse_iso(&c.replace(' ', "+"))
                        .or_else(|| util::parse_iso(c))
                        .ok_or_else(|| Fault::bad_request("Invalid changes-since parameter"))?;
                    if t > now + 1.0 {
                        return Err(Fault::bad_request("changes-since value set in the future"));
                    }
                    Some(t)
                }
                None => None,
            };
            let st = cloud.lock();
            let list: Vec<Value> = st
                .servers
                .values()
                .filter(|s| s.user == user)
                .filter(|s| match since {
                    Some(t) => s.updated >= t,
                    None => !s.deleted,
                })
                .map(|s| server_json(cloud, &st, s, detail, now))
                .collect();
            if since.is_some() && list.is_empty() {
                return Err(Fault::not_modified());
            }
            json_response(200, &json!({"servers": list}))
        }
        (Method::POST, ["servers"]) => create_server(cloud, req, &user).await,
        (Method::GET, ["servers", id]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            json_response(
                200,
                &json!({"server": server_json(cloud, &st, s, true, now)}),
            )
        }
        (Method::PUT, ["servers", id]) => {
            let body = req.json().await?;
            let name = body
                .get("server")
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Malformed request: missing server name"))?
                .to_string();
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            if s.deleted {
                return Err(Fault::bad_request("Server is deleted"));
            }
            s.name = name;
            s.updated = now;
            empty_response(204)
        }
        (Method::DELETE, ["servers", id]) => {
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            if s.deleted || s.status == "DELETED" || s.task_state == "DESTROYING" {
                return Err(Fault::bad_request("Server is already deleted"));
            }
            s.task_state = "DESTROYING".into();
            s.updated = now;
            s.transition = Some(Transition {
                at: now + delay,
                status: "DELETED".into(),
                task: String::new(),
            });
            empty_response(204)
        }
        (Method::POST, ["servers", id, "action"]) => server_action(cloud, req, &user, id).await,
        (Method::GET, ["servers", id, "metadata"]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            json_response(200, &json!({"metadata": s.metadata}))
        }
        (Method::POST, ["servers", id, "metadata"]) => {
            let body = req.json().await?;
            let meta = match body.get("metadata") {
                Some(Value::Object(_)) => util::str_map(body.get("metadata"))?,
                _ => return Err(Fault::bad_request("Malformed request: missing metadata")),
            };
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            s.metadata.extend(meta);
            if s.metadata.len() > 50 {
                return Err(Fault::bad_request(
                    "Maximum number of metadata items exceeded",
                ));
            }
            s.updated = now;
            json_response(201, &json!({"metadata": s.metadata}))
        }
        (Method::GET, ["servers", id, "metadata", key]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let v = s
                .metadata
                .get(*key)
                .ok_or_else(|| Fault::not_found("Metadata key not found"))?;
            json_response(200, &json!({"meta": {*key: v}}))
        }
        (Method::PUT, ["servers", id, "metadata", key]) => {
            let body = req.json().await?;
            let meta = body
                .get("meta")
                .and_then(Value::as_object)
                .ok_or_else(|| Fault::bad_request("Malformed request: missing meta"))?;
            if meta.len() != 1 || !meta.contains_key(*key) {
                return Err(Fault::bad_request(
                    "Malformed request: meta must contain exactly the path key",
                ));
            }
            let val = match &meta[*key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            s.metadata.insert(key.to_string(), val.clone());
            s.updated = now;
            json_response(201, &json!({"meta": {*key: val}}))
        }
        (Method::DELETE, ["servers", id, "metadata", key]) => {
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            s.metadata
                .remove(*key)
                .ok_or_else(|| Fault::not_found("Metadata key not found"))?;
            s.updated = now;
            empty_response(204)
        }
        (Method::GET, ["servers", id, "ips"]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let (att, addr) = nics(&st, s.id);
            json_response(200, &json!({"addresses": addr, "attachments": att}))
        }
        (Method::GET, ["servers", id, "ips", net]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let (_, addr) = nics(&st, s.id);
            let v = addr
                .get(*net)
                .cloned()
                .ok_or_else(|| Fault::not_found("Server is not connected to the network"))?;
            json_response(200, &json!({"network": {*net: v}}))
        }
        (Method::GET, ["servers", id, "stats"]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let b = format!("{}/stats/{}", cloud.base, s.id);
            json_response(
                200,
                &json!({"stats": {"serverRef": s.id, "refresh": 60,
                    "cpuBar": format!("{b}/cpu-bar.png"), "cpuTimeSeries": format!("{b}/cpu-ts.png"),
                    "netBar": format!("{b}/net-bar.png"), "netTimeSeries": format!("{b}/net-ts.png")}}),
            )
        }
        (Method::GET, ["servers", id, "diagnostics"]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            json_response(
                200,
                &json!([{"level": "DEBUG", "created": util::iso(s.created), "source": "image-info",
                         "source_date": util::iso(s.created), "message": "Image customization finished", "details": null}]),
            )
        }
        (Method::GET, ["servers", id, "tags"]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let tags: Vec<&String> = s.tags.keys().collect();
            let statuses: Vec<&String> = s.tags.values().collect();
            json_response(200, &json!({"tags": tags, "statuses": statuses}))
        }
        (Method::PUT, ["servers", id, "tags"]) => {
            let body = req.json().await?;
            let tags = str_list(body.get("tags"), "tags")?;
            for t in &tags {
                validate_tag(t)?;
            }
            if tags.len() > 50 {
                return Err(Fault::bad_request("Too many tags"));
            }
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            s.tags = tags
                .iter()
                .map(|t| (t.clone(), "PENDADD".to_string()))
                .collect();
            s.tags_ready_at = now + delay;
            let tags: Vec<&String> = s.tags.keys().collect();
            let statuses: Vec<&String> = s.tags.values().collect();
            json_response(200, &json!({"tags": tags, "statuses": statuses}))
        }
        (Method::DELETE, ["servers", id, "tags"]) => {
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            if s.tags.is_empty() {
                return Err(Fault::not_found("Server has no tags"));
            }
            s.tags.clear();
            empty_response(204)
        }
        (Method::GET, ["servers", id, "tags", tag]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let status = s
                .tags
                .get(*tag)
                .ok_or_else(|| Fault::not_found(format!("Tag '{tag}' not found")))?;
            finish(hdr(builder(204), "tag-status", status), full(Bytes::new()))
        }
        (Method::PUT, ["servers", id, "tags", tag]) => {
            validate_tag(tag)?;
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            if s.tags.contains_key(*tag) {
                return empty_response(204);
            }
            s.tags.insert(tag.to_string(), "PENDADD".into());
            s.tags_ready_at = now + delay;
            let loc = format!(
                "{}/servers/{}/tags/{}",
                base(cloud),
                s.id,
                util::pct_segment(tag)
            );
            finish(
                hdr(builder(201), "location", &loc).header("content-length", 0),
                full(Bytes::new()),
            )
        }
        (Method::DELETE, ["servers", id, "tags", tag]) => {
            let mut st = cloud.lock();
            let s = get_server_mut(&mut st, &user, id)?;
            s.tags
                .remove(*tag)
                .ok_or_else(|| Fault::not_found(format!("Tag '{tag}' not found")))?;
            empty_response(204)
        }
        (Method::GET, ["servers", id, "os-volume_attachments"]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let list: Vec<Value> = st
                .volumes
                .values()
                .filter(|v| v.server == Some(s.id) && !v.deleted)
                .map(|v| json!({"id": v.id, "volumeId": v.id, "serverId": s.id, "device": ""}))
                .collect();
            json_response(200, &json!({"volumeAttachments": list}))
        }
        (Method::GET, ["servers", id, "os-volume_attachments", att]) => {
            let st = cloud.lock();
            let s = get_server(&st, &user, id)?;
            let v = att
                .parse::<u64>()
                .ok()
                .and_then(|a| st.volumes.get(&a))
                .filter(|v| v.server == Some(s.id) && !v.deleted)
                .ok_or_else(|| Fault::not_found(format!("Volume attachment {att} not found")))?;
            json_response(
                200,
                &json!({"volumeAttachment": {"id": v.id, "volumeId": v.id, "serverId": s.id, "device": ""}}),
            )
        }
        (Method::POST, ["servers", id, "os-volume_attachments"]) => {
            let body = req.json().await?;
            let vid = body
                .get("volumeAttachment")
                .and_then(|a| a.get("volumeId"))
                .and_then(as_id)
                .ok_or_else(|| Fault::bad_request("Malformed request: missing volumeId"))?;
            let mut st = cloud.lock();
            let s = get_server(&st, &user, id)?.clone();
            if s.deleted || !["ACTIVE", "STOPPED"].contains(&s.status.as_str()) {
                return Err(Fault::bad_request(
                    "Server is not in a state that allows attaching volumes",
                ));
            }
            let index = st
                .volumes
                .values()
                .filter(|v| v.server == Some(s.id))
                .count() as u32;
            let v = st
                .volumes
                .get_mut(&vid)
                .filter(|v| v.user == user && !v.deleted)
                .ok_or_else(|| Fault::not_found(format!("Volume {vid} not found")))?;
            if v.status != "available" || v.server.is_some() {
                return Err(Fault::bad_request(format!("Volume {vid} is not available")));
            }
            if !crate::volume::volume_type(v.volume_type).is_some_and(|t| t.detachable) {
                return Err(Fault::bad_request("Volume type is not detachable"));
            }
            v.server = Some(s.id);
            v.index = index;
            v.status = "attaching".into();
            v.updated = now;
            v.transition = Some(Transition {
                at: now + delay,
                status: "in_use".into(),
                task: String::new(),
            });
            json_response(
                202,
                &json!({"volumeAttachment": {"id": vid, "volumeId": vid, "serverId": s.id, "device": ""}}),
            )
        }
        (Method::DELETE, ["servers", id, "os-volume_attachments", att]) => {
            let mut st = cloud.lock();
            let s = get_server(&st, &user, id)?.clone();
            let vid: u64 = att
                .parse()
                .map_err(|_| Fault::not_found(format!("Volume attachment {att} not found")))?;
            let v = st
                .volumes
                .get_mut(&vid)
                .filter(|v| v.server == Some(s.id) && !v.deleted)
                .ok_or_else(|| Fault::not_found(format!("Volume attachment {att} not found")))?;
            if v.index == 0 {
                return Err(Fault::bad_request(
                    "Cannot detach the root volume of a server",
                ));
            }
            if v.status != "in_use" && v.status != "error" {
                return Err(Fault::bad_request(format!("Volume {vid} is not in use")));
            }
            v.status = "detaching".into();
            v.updated = now;
            v.transition = Some(Transition {
                at: now + delay,
                status: "available".into(),
                task: String::new(),
            });
            empty_response(202)
        }
        // flavors
        (Method::GET, ["flavors"]) | (Method::GET, ["flavors", "detail"]) => {
            let detail = segs.len() == 2;
            let list: Vec<Value> = if req.q("SNF:flavor-access").is_some() {
                vec![]
            } else {
                FLAVORS
                    .iter()
                    .map(|f| flavor_json(cloud, f, detail))
                    .collect()
            };
            json_response(200, &json!({"flavors": list}))
        }
        (Method::GET, ["flavors", id]) => {
            let f = id
                .parse::<u64>()
                .ok()
                .and_then(flavor)
                .ok_or_else(|| Fault::not_found(format!("Flavor {id} not found")))?;
            json_response(200, &json!({"flavor": flavor_json(cloud, &f, true)}))
        }
        // images
        (Method::GET, ["images"]) | (Method::GET, ["images", "detail"]) => {
            let detail = segs.len() == 2;
            let st = cloud.lock();
            let list: Vec<Value> = image::visible_images(&st, &user)
                .iter()
                .map(|i| image_json(cloud, i, detail, now))
                .collect();
            json_response(200, &json!({"images": list}))
        }
        (Method::GET, ["images", id]) => {
            let st = cloud.lock();
            let img = image::find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Image {id} not found")))?;
            json_response(200, &json!({"image": image_json(cloud, &img, true, now)}))
        }
        (Method::DELETE, ["images", id]) => {
            let mut st = cloud.lock();
            let img = image::find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Image {id} not found")))?;
            if img.owner != user {
                return Err(Fault::forbidden("Not allowed to delete this image"));
            }
            image::with_object(&mut st, id, |o| o.image = None);
            empty_response(204)
        }
        (Method::GET, ["images", id, "metadata"]) => {
            let st = cloud.lock();
            let img = image::find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Image {id} not found")))?;
            json_response(200, &json!({"metadata": img.meta.properties}))
        }
        (Method::GET, ["images", id, "metadata", key]) => {
            let st = cloud.lock();
            let img = image::find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Image {id} not found")))?;
            let v = img
                .meta
                .properties
                .get(*key)
                .ok_or_else(|| Fault::not_found("Metadata key not found"))?;
            json_response(200, &json!({"meta": {*key: v}}))
        }
        (Method::POST, ["images", id, "metadata"]) => {
            let body = req.json().await?;
            let meta = match body.get("metadata") {
                Some(Value::Object(_)) => util::str_map(body.get("metadata"))?,
                _ => return Err(Fault::bad_request("Malformed request: missing metadata")),
            };
            let mut st = cloud.lock();
            let img = image::find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Image {id} not found")))?;
            if img.owner != user {
                return Err(Fault::forbidden("Not allowed"));
            }
            let props = image::with_object(&mut st, id, |o| {
                o.image.as_mut().map(|m| {
                    m.properties.extend(meta);
                    m.updated = now;
                    m.properties.clone()
                })
            })
            .flatten()
            .unwrap_or_default();
            json_response(201, &json!({"metadata": props}))
        }
        (Method::DELETE, ["images", id, "metadata", key]) => {
            let mut st = cloud.lock();
            let img = image::find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Image {id} not found")))?;
            if img.owner != user {
                return Err(Fault::forbidden("Not allowed"));
            }
            if !img.meta.properties.contains_key(*key) {
                return Err(Fault::not_found("Metadata key not found"));
            }
            image::with_object(&mut st, id, |o| {
                if let Some(m) = o.image.as_mut() {
                    m.properties.remove(*key);
                }
            });
            empty_response(204)
        }
        // keypairs
        (Method::GET, ["os-keypairs"]) => {
            let st = cloud.lock();
            let list: Vec<Value> = st
                .keypairs
                .get(&user)
                .map(|m| m.values().map(keypair_brief).collect())
                .unwrap_or_default();
            json_response(200, &json!({"keypairs": list}))
        }
        (Method::GET, ["os-keypairs", name]) => {
            let st = cloud.lock();
            let k = st
                .keypairs
                .get(&user)
                .and_then(|m| m.get(*name))
                .ok_or_else(|| Fault::not_found(format!("Keypair '{name}' not found")))?;
            json_response(
                200,
                &json!({"keypair": {"name": k.name, "fingerprint": k.fingerprint, "public_key": k.public_key,
                    "id": k.id, "user_id": user, "created_at": util::iso(k.created), "updated_at": util::iso(k.created),
                    "deleted": false, "deleted_at": null}}),
            )
        }
        (Method::POST, ["os-keypairs"]) => {
            let body = req.json().await?;
            let k = body
                .get("keypair")
                .and_then(Value::as_object)
                .ok_or_else(|| Fault::bad_request("Malformed request: missing keypair"))?;
            let name = k
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Keypair name is required"))?
                .to_string();
            if name.is_empty() || name.trim() != name || name.chars().any(|c| c.is_control()) {
                return Err(Fault::bad_request("Invalid keypair name"));
            }
            let (public_key, private_key) = match k.get("public_key").and_then(Value::as_str) {
                Some(p) => {
                    if p.trim().is_empty() {
                        return Err(Fault::bad_request("Invalid public key"));
                    }
                    (p.to_string(), None)
                }
                None => {
                    let blob = util::random_string(372);
                    (
                        format!("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{blob} devcloud-generated"),
                        Some(format!(
                            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
                            util::random_string(64 * 25)
                                .as_bytes()
                                .chunks(64)
                                .map(|c| String::from_utf8_lossy(c).into_owned())
                                .collect::<Vec<_>>()
                                .join("\n")
                        )),
                    )
                }
            };
            let mut st = cloud.lock();
            let kid = Counters::next(&mut st.counters.keypair);
            let map = st.keypairs.entry(user.clone()).or_default();
            if map.contains_key(&name) {
                return Err(Fault::conflict(format!("Keypair '{name}' already exists")));
            }
            if map.len() >= 100 {
                return Err(Fault::over_limit("Keypair limit exceeded"));
            }
            let kp = Keypair {
                id: kid,
                name: name.clone(),
                fingerprint: fingerprint(&public_key),
                public_key,
                created: now,
            };
            map.insert(name, kp.clone());
            let mut out = json!({"name": kp.name, "fingerprint": kp.fingerprint, "public_key": kp.public_key,
                                  "user_id": user, "id": kp.id});
            if let (Some(pk), Some(o)) = (private_key, out.as_object_mut()) {
                o.insert("private_key".into(), json!(pk));
            }
            json_response(201, &json!({"keypair": out}))
        }
        (Method::DELETE, ["os-keypairs", name]) => {
            let mut st = cloud.lock();
            st.keypairs
                .get_mut(&user)
                .and_then(|m| m.remove(*name))
                .ok_or_else(|| Fault::not_found(format!("Keypair '{name}' not found")))?;
            empty_response(204)
        }
        (Method::GET, ["os-floating-ips"]) => {
            let st = cloud.lock();
            let list: Vec<Value> = st
                .floating_ips
                .values()
                .filter(|f| f.user == user)
                .map(|f| {
                    let inst = f
                        .port
                        .and_then(|p| st.ports.get(&p))
                        .and_then(|p| p.device)
                        .map(|d| d.to_string());
                    json!({"id": f.id, "ip": f.address, "instance_id": inst, "fixed_ip": null, "pool": null})
                })
                .collect();
            json_response(200, &json!({"floating_ips": list}))
        }
        _ => Err(Fault::endpoint_not_found()),
    }
}
