//! Plankton image service (`/image/v1.0`): images are Pithos objects with image metadata.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use serde_json::{json, Map, Value};

use crate::pithos::{self, put_object_bytes};
use crate::state::{ImageMeta, Sharing, State, Version};
use crate::util::{
    self, builder, empty_response, finish, full, hdr, json_response, pct_segment, Fault, Req, R,
};
use crate::{Cloud, SYSTEM_UUID};

const DISK_FORMATS: &[&str] = &["diskdump", "extdump", "ntfsdump"];
const CONTAINER_FORMATS: &[&str] = &["aki", "ari", "ami", "bare", "ovf"];

/// A registered image as seen through its Pithos object.
#[derive(Debug, Clone)]
pub(crate) struct ImageView {
    pub id: String,
    pub owner: String,
    pub container: String,
    pub path: String,
    pub meta: ImageMeta,
    pub version: Version,
    pub sharing: Option<Sharing>,
}

impl ImageView {
    pub fn is_public(&self) -> bool {
        self.sharing
            .as_ref()
            .is_some_and(|s| s.read.iter().chain(&s.write).any(|x| x == "*"))
    }
    pub fn members(&self) -> Vec<String> {
        self.sharing
            .as_ref()
            .map(|s| {
                s.read
                    .iter()
                    .chain(&s.write)
                    .filter(|x| *x != "*")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn location(&self) -> String {
        let path: Vec<String> = self.path.split('/').map(pct_segment).collect();
        format!(
            "pithos://{}/{}/{}",
            self.owner,
            pct_segment(&self.container),
            path.join("/")
        )
    }
    /// JSON listing status (AVAILABLE / UNAVAILABLE / ERROR / free text).
    pub fn status(&self, now: f64) -> String {
        if self.meta.ready_at.is_some_and(|t| t > now) {
            "UNAVAILABLE".into()
        } else {
            self.meta.status.clone()
        }
    }
    /// Header status (AVAILABLE / SAVING / ERROR / DELETED / UNKNOWN).
    pub fn header_status(&self, now: f64) -> String {
        match self.status(now).to_ascii_uppercase().as_str() {
            "AVAILABLE" => "AVAILABLE".into(),
            "UNAVAILABLE" => "SAVING".into(),
            "ERROR" => "ERROR".into(),
            "DELETED" => "DELETED".into(),
            _ => "UNKNOWN".into(),
        }
    }
    pub fn visible_to(&self, st: &State, user: &str) -> bool {
        if self.owner == user {
            return true;
        }
        st.accounts
            .get(&self.owner)
            .and_then(|a| a.containers.get(&self.container))
            .is_some_and(|c| {
                pithos::object_access(st, &self.owner, c, &self.path, user) >= pithos::Access::Read
            })
    }
}

/// Every registered image.
pub(crate) fn all_images(st: &State) -> Vec<ImageView> {
    let mut out = Vec::new();
    for (owner, a) in &st.accounts {
        for (cname, c) in &a.containers {
            for (name, o, v) in c.live() {
                if let Some(m) = &o.image {
                    out.push(ImageView {
                        id: o.uuid.clone(),
                        owner: owner.clone(),
                        container: cname.clone(),
                        path: name.clone(),
                        meta: m.clone(),
                        version: v.clone(),
                        sharing: o.sharing.clone(),
                    });
                }
            }
        }
    }
    out
}

pub(crate) fn find_image(st: &State, id: &str) -> Option<ImageView> {
    all_images(st).into_iter().find(|i| i.id == id)
}

pub(crate) fn visible_images(st: &State, user: &str) -> Vec<ImageView> {
    all_images(st)
        .into_iter()
        .filter(|i| i.visible_to(st, user))
        .collect()
}

/// Apply `f` to the image metadata of the object with this uuid.
pub(crate) fn with_object<T>(
    st: &mut State,
    id: &str,
    f: impl FnOnce(&mut crate::state::Object) -> T,
) -> Option<T> {
    for a in st.accounts.values_mut() {
        for c in a.containers.values_mut() {
            for o in c.objects.values_mut() {
                if o.uuid == id && o.current().is_some() {
                    return Some(f(o));
                }
            }
        }
    }
    None
}

/// Built-in public images owned by the system account.
pub(crate) async fn seed(cloud: &Arc<Cloud>) -> Result<(), Fault> {
    type Builtin<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)]);
    let builtin: [Builtin<'_>; 3] = [
        (
            "debian-12.diskdump",
            "Debian 12 Bookworm",
            "debian",
            &[
                ("os", "debian"),
                ("osfamily", "linux"),
                ("users", "root"),
                ("root_partition", "1"),
                ("description", "Debian 12 base system"),
            ],
        ),
        (
            "ubuntu-22.04.diskdump",
            "Ubuntu 22.04 LTS",
            "ubuntu",
            &[
                ("os", "ubuntu"),
                ("osfamily", "linux"),
                ("users", "user"),
                ("root_partition", "1"),
                ("description", "Ubuntu Server 22.04 LTS"),
            ],
        ),
        (
            "windows-2019.diskdump",
            "Windows Server 2019",
            "windows",
            &[
                ("os", "windows"),
                ("osfamily", "windows"),
                ("users", "Administrator"),
                ("root_partition", "2"),
                ("description", "Windows Server 2019 Datacenter"),
            ],
        ),
    ];
    for (path, name, key, props) in builtin {
        let id = util::uuid_from(&format!("kamaki-devcloud-image-{key}"));
        let exists = find_image(&cloud.lock(), &id).is_some();
        if exists {
            continue;
        }
        let data = Bytes::from(pseudo_bytes(key.len() as u64 * 7919, 64 * 1024 + key.len()));
        put_object_bytes(
            cloud,
            SYSTEM_UUID,
            "images",
            path,
            data,
            "application/octet-stream",
            Some(id.clone()),
        )
        .await?;
        let now = util::now();
        let mut st = cloud.lock();
        with_object(&mut st, &id, |o| {
            o.sharing = Some(Sharing {
                read: vec!["*".into()],
                write: vec![],
            });
            o.image = Some(ImageMeta {
                name: name.into(),
                disk_format: if key == "windows" {
                    "ntfsdump".into()
                } else {
                    "diskdump".into()
                },
                container_format: "bare".into(),
                status: "AVAILABLE".into(),
                properties: props
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                created: now,
                updated: now,
                is_snapshot: false,
                description: String::new(),
                volume_id: None,
                snapshot_size: None,
                snapshot_meta: BTreeMap::new(),
                ready_at: None,
            });
        });
    }
    Ok(())
}

/// Deterministic pseudo-random bytes (xorshift64*).
pub(crate) fn pseudo_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        for b in v.to_le_bytes() {
            if out.len() < len {
                out.push(b);
            }
        }
    }
    out
}

fn image_headers(b: http::response::Builder, img: &ImageView, now: f64) -> http::response::Builder {
    let m = &img.meta;
    let mut b = b;
    b = hdr(b, "x-image-meta-id", &img.id);
    b = hdr(b, "x-image-meta-name", &util::pct_path(&m.name));
    b = hdr(b, "x-image-meta-disk-format", &m.disk_format);
    b = hdr(b, "x-image-meta-container-format", &m.container_format);
    b = hdr(b, "x-image-meta-size", &img.version.bytes.to_string());
    b = hdr(b, "x-image-meta-checksum", &img.version.hash);
    b = hdr(b, "x-image-meta-location", &img.location());
    b = hdr(
        b,
        "x-image-meta-created-at",
        &util::plankton_date(m.created),
    );
    b = hdr(
        b,
        "x-image-meta-updated-at",
        &util::plankton_date(m.updated),
    );
    b = hdr(b, "x-image-meta-deleted-at", "");
    b = hdr(b, "x-image-meta-status", &img.header_status(now));
    b = hdr(
        b,
        "x-image-meta-is-public",
        if img.is_public() { "True" } else { "False" },
    );
    b = hdr(b, "x-image-meta-owner", &img.owner);
    b = hdr(
        b,
        "x-image-meta-is-snapshot",
        if m.is_snapshot { "True" } else { "False" },
    );
    b = hdr(
        b,
        "x-image-meta-description",
        &util::pct_path(&m.description),
    );
    for (k, v) in &m.properties {
        b = hdr(
            b,
            &format!(
                "x-image-meta-property-{}",
                pct_segment(&k.to_lowercase().replace('_', "-"))
            ),
            &util::pct_path(v),
        );
    }
    b
}

fn image_json(img: &ImageView, detail: bool, now: f64) -> Value {
    let m = &img.meta;
    let mut o = Map::new();
    o.insert("id".into(), json!(img.id));
    o.insert("name".into(), json!(m.name));
    o.insert("status".into(), json!(img.status(now)));
    o.insert("disk_format".into(), json!(m.disk_format));
    o.insert("container_format".into(), json!(m.container_format));
    o.insert("size".into(), json!(img.version.bytes));
    if detail {
        o.insert("checksum".into(), json!(img.version.hash));
        o.insert("location".into(), json!(img.location()));
        o.insert("created_at".into(), json!(util::plankton_date(m.created)));
        o.insert("updated_at".into(), json!(util::plankton_date(m.updated)));
        o.insert("deleted_at".into(), json!(""));
        o.insert("is_public".into(), json!(img.is_public()));
        o.insert("owner".into(), json!(img.owner));
        o.insert("is_snapshot".into(), json!(m.is_snapshot));
        if m.is_snapshot {
            o.insert("description".into(), json!(m.description));
        }
        o.insert("properties".into(), json!(m.properties));
    }
    Value::Object(o)
}

/// Normalised `x-image-meta-*` headers: key with punctuation → `_`, lower-cased.
fn image_meta_headers(req: &Req) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in &req.headers {
        let n = name.as_str();
        let Some(rest) = n.strip_prefix("x-image-meta-") else {
            continue;
        };
        let key: String = util::pct_decode(rest)
            .chars()
            .map(|c| {
                if c.is_ascii_punctuation() {
                    '_'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        out.push((key, v));
    }
    out
}

fn check_format(key: &str, v: &str) -> Result<(), Fault> {
    let (allowed, what) = if key == "disk_format" {
        (DISK_FORMATS, "disk")
    } else {
        (CONTAINER_FORMATS, "container")
    };
    if !allowed.contains(&v) {
        return Err(Fault::bad_request(format!("Invalid {what} format '{v}'"))
            .with_details(format!("allowed: {}", allowed.join(", "))));
    }
    Ok(())
}

fn parse_bool(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("true")
}

/// Parse `pithos://account/container/path` (percent-decoded parts).
fn parse_location(loc: &str) -> Result<(String, String, String), Fault> {
    let rest = loc
        .strip_prefix("pithos://")
        .ok_or_else(|| Fault::bad_request("Invalid location"))?;
    let mut it = rest.splitn(3, '/');
    let (a, c, p) = (it.next(), it.next(), it.next());
    match (a, c, p) {
        (Some(a), Some(c), Some(p)) if !a.is_empty() && !c.is_empty() && !p.is_empty() => Ok((
            util::pct_decode(a),
            util::pct_decode(c),
            util::pct_decode(p),
        )),
        _ => Err(Fault::bad_request("Invalid location")),
    }
}

fn head_like(status: u16, img: &ImageView, now: f64) -> R {
    finish(
        image_headers(builder(status), img, now).header("content-length", 0),
        full(Bytes::new()),
    )
}

async fn register(cloud: &Arc<Cloud>, mut req: Req, user: &str) -> R {
    let _ = req.body_bytes(util::MAX_JSON_BODY).await;
    let mut name = None;
    let mut location = None;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut props: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in image_meta_headers(&req) {
        if let Some(p) = k.strip_prefix("property_") {
            props.insert(p.to_string(), util::pct_decode(&v));
            continue;
        }
        match k.as_str() {
            "name" => name = Some(util::pct_decode(&v)),
            "location" => location = Some(v),
            "id" => return Err(Fault::bad_request("Setting the image ID is not supported")),
            "size" => return Err(Fault::bad_request("Invalid 'size' field")),
            "store" => {
                if v.trim() != "pithos" {
                    return Err(Fault::bad_request("Invalid store"));
                }
            }
            "disk_format" | "container_format" => {
                check_format(&k, v.trim())?;
                fields.insert(k, v.trim().to_string());
            }
            "checksum" | "is_public" | "owner" => {
                fields.insert(k, v.trim().to_string());
            }
            _ => {
                return Err(Fault::bad_request("Invalid parameters")
                    .with_details(format!("unknown field '{k}'")))
            }
        }
    }
    let name = name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Fault::bad_request("Missing name"))?;
    let location = location
        .filter(|l| !l.is_empty())
        .ok_or_else(|| Fault::bad_request("Invalid location"))?;
    let (acct, cont, path) = parse_location(&location)?;
    let now = util::now();
    let mut st = cloud.lock();
    let (cur_hash, access) = {
        let c = st
            .accounts
            .get(&acct)
            .and_then(|a| a.containers.get(&cont))
            .ok_or_else(|| Fault::not_found(format!("Object '{cont}/{path}' does not exist.")))?;
        let access = pithos::object_access(&st, &acct, c, &path, user);
        let v = c
            .objects
            .get(&path)
            .and_then(|o| o.current())
            .ok_or_else(|| Fault::not_found(format!("Object '{cont}/{path}' does not exist.")))?;
        (v.hash.clone(), access)
    };
    if access == pithos::Access::None {
        return Err(Fault::forbidden(""));
    }
    if let Some(cs) = fields.get("checksum") {
        if !cs.eq_ignore_ascii_case(&cur_hash) {
            return Err(Fault::bad_request("Invalid checksum field"));
        }
    }
    let public = fields.get("is_public").map(|v| parse_bool(v));
    let o = st
        .accounts
        .get_mut(&acct)
        .and_then(|a| a.containers.get_mut(&cont))
        .and_then(|c| c.objects.get_mut(&path))
        .ok_or_else(|| Fault::not_found(format!("Object '{cont}/{path}' does not exist.")))?;
    let mut meta = o.image.clone().unwrap_or(ImageMeta {
        name: name.clone(),
        disk_format: "diskdump".into(),
        container_format: "bare".into(),
        status: "AVAILABLE".into(),
        properties: BTreeMap::new(),
        created: now,
        updated: now,
        is_snapshot: false,
        description: String::new(),
        volume_id: None,
        snapshot_size: None,
        snapshot_meta: BTreeMap::new(),
        ready_at: None,
    });
    let was_public = o
        .sharing
        .as_ref()
        .is_some_and(|s| s.read.iter().any(|x| x == "*"));
    meta.name = name;
    if let Some(f) = fields.get("disk_format") {
        meta.disk_format = f.clone();
    }
    if let Some(f) = fields.get("container_format") {
        meta.container_format = f.clone();
    }
    meta.properties.extend(props);
    meta.updated = now;
    o.image = Some(meta);
    // re-registering resets sharing to owner-only (+ public)
    o.sharing = if public.unwrap_or(was_public) {
        Some(Sharing {
            read: vec!["*".into()],
            write: vec![],
        })
    } else {
        None
    };
    let id = o.uuid.clone();
    let img = find_image(&st, &id).ok_or_else(|| Fault::internal("Registration failed"))?;
    drop(st);
    head_like(200, &img, now)
}

async fn update(cloud: &Arc<Cloud>, mut req: Req, user: &str, id: &str) -> R {
    let _ = req.body_bytes(util::MAX_JSON_BODY).await;
    let mut changes: Vec<(String, String)> = Vec::new();
    for (k, v) in image_meta_headers(&req) {
        if k.starts_with("property_") {
            changes.push((k, util::pct_decode(&v)));
            continue;
        }
        match k.as_str() {
            "name" => changes.push((k, util::pct_decode(&v))),
            "disk_format" | "container_format" => {
                check_format(&k, v.trim())?;
                changes.push((k, v.trim().to_string()));
            }
            "status" | "is_public" | "owner" => changes.push((k, v.trim().to_string())),
            _ => {
                return Err(
                    Fault::bad_request("Invalid metadata").with_details(format!("field '{k}'"))
                )
            }
        }
    }
    let now = util::now();
    let mut st = cloud.lock();
    let img = find_image(&st, id)
        .ok_or_else(|| Fault::not_found(format!("Object '{id}' does not exist.")))?;
    if !img.visible_to(&st, user) {
        return Err(Fault::not_found(format!("Object '{id}' does not exist.")));
    }
    if img.owner != user {
        return Err(Fault::forbidden(""));
    }
    with_object(&mut st, id, |o| {
        if let Some(m) = o.image.as_mut() {
            for (k, v) in &changes {
                match k.as_str() {
                    "name" => m.name = v.clone(),
                    "disk_format" => m.disk_format = v.clone(),
                    "container_format" => m.container_format = v.clone(),
                    "status" => m.status = v.clone(),
                    "owner" => {}
                    "is_public" => {
                        let mut s = o.sharing.clone().unwrap_or_default();
                        s.read.retain(|x| x != "*");
                        if parse_bool(v) {
                            s.read.push("*".into());
                        }
                        o.sharing = if s.is_empty() { None } else { Some(s) };
                    }
                    p => {
                        if let Some(p) = p.strip_prefix("property_") {
                            m.properties.insert(p.to_string(), v.clone());
                        }
                    }
                }
            }
            m.updated = now;
        }
    });
    let img = find_image(&st, id).ok_or_else(|| Fault::internal("image vanished"))?;
    drop(st);
    head_like(200, &img, now)
}

fn set_members(st: &mut State, id: &str, members: Vec<String>) {
    with_object(st, id, |o| {
        let public = o
            .sharing
            .as_ref()
            .is_some_and(|s| s.read.iter().any(|x| x == "*"));
        let mut read = members;
        if public {
            read.push("*".into());
        }
        read.dedup();
        o.sharing = if read.is_empty() {
            None
        } else {
            Some(Sharing {
                read,
                write: vec![],
            })
        };
    });
}

pub(crate) async fn handle(cloud: &Arc<Cloud>, mut req: Req) -> R {
    let user = cloud.auth(&req)?.uuid;
    let segs: Vec<String> = req.segs.clone();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let now = util::now();
    match (req.method.clone(), segs.as_slice()) {
        (Method::GET, ["images"]) | (Method::GET, ["images", "detail"]) => {
            let detail = segs.len() == 2;
            let sort_key = req.q("sort_key").unwrap_or("created_at").to_string();
            let sort_dir = req.q("sort_dir").unwrap_or("desc").to_string();
            if ![
                "id",
                "name",
                "status",
                "size",
                "disk_format",
                "container_format",
                "created_at",
                "updated_at",
            ]
            .contains(&sort_key.as_str())
            {
                return Err(Fault::bad_request(format!("Invalid sort_key '{sort_key}'")));
            }
            if sort_dir != "asc" && sort_dir != "desc" {
                return Err(Fault::bad_request(format!("Invalid sort_dir '{sort_dir}'")));
            }
            for k in ["size_min", "size_max"] {
                if let Some(v) = req.q(k) {
                    if v.parse::<u64>().is_err() {
                        return Err(Fault::bad_request(format!("Invalid {k}")));
                    }
                }
            }
            let st = cloud.lock();
            let mut imgs = visible_images(&st, &user);
            drop(st);
            imgs.sort_by(|a, b| {
                let ord = match sort_key.as_str() {
                    "id" => a.id.cmp(&b.id),
                    "name" => a.meta.name.cmp(&b.meta.name),
                    "status" => a.meta.status.cmp(&b.meta.status),
                    "size" => a.version.bytes.cmp(&b.version.bytes),
                    "disk_format" => a.meta.disk_format.cmp(&b.meta.disk_format),
                    "container_format" => a.meta.container_format.cmp(&b.meta.container_format),
                    "updated_at" => a.meta.updated.total_cmp(&b.meta.updated),
                    _ => a.meta.created.total_cmp(&b.meta.created),
                };
                if sort_dir == "asc" {
                    ord
                } else {
                    ord.reverse()
                }
            });
            // Real Plankton answers a bare JSON array (`json.dumps(images)`);
            // kamaki 0.16 iterates over the body as a list.
            let list: Vec<Value> = imgs.iter().map(|i| image_json(i, detail, now)).collect();
            json_response(200, &Value::Array(list))
        }
        (Method::POST, ["images"]) | (Method::PUT, ["images"]) => register(cloud, req, &user).await,
        (Method::HEAD, ["images", id]) => {
            let st = cloud.lock();
            let img = find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found("").bare())?;
            drop(st);
            head_like(200, &img, now)
        }
        (Method::GET, ["images", _]) => Err(Fault::not_implemented("").bare()),
        (Method::PUT, ["images", id]) => update(cloud, req, &user, id).await,
        (Method::DELETE, ["images", id]) => {
            let mut st = cloud.lock();
            let img = find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Object '{id}' does not exist.")))?;
            if img.owner != user {
                return Err(Fault::forbidden(""));
            }
            with_object(&mut st, id, |o| o.image = None);
            empty_response(204)
        }
        (Method::GET, ["images", id, "members"]) => {
            let st = cloud.lock();
            let img = find_image(&st, id)
                .filter(|i| i.visible_to(&st, &user))
                .ok_or_else(|| Fault::not_found(format!("Object '{id}' does not exist.")))?;
            let list: Vec<Value> = img
                .members()
                .into_iter()
                .map(|m| json!({"member_id": m, "can_share": false}))
                .collect();
            json_response(200, &json!({"members": list}))
        }
        (Method::PUT, ["images", id, "members"]) => {
            let body = req.json().await?;
            let list = body
                .get("memberships")
                .and_then(Value::as_array)
                .ok_or_else(|| Fault::bad_request("Invalid memberships"))?;
            let mut members = Vec::new();
            for m in list {
                let id = m
                    .get("member_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Fault::bad_request("Invalid memberships"))?;
                members.push(id.to_string());
            }
            let mut st = cloud.lock();
            let img = find_image(&st, id)
                .ok_or_else(|| Fault::not_found(format!("Object '{id}' does not exist.")))?;
            if img.owner != user {
                return Err(Fault::forbidden(""));
            }
            set_members(&mut st, id, members);
            empty_response(204)
        }
        (Method::PUT, ["images", id, "members", member])
        | (Method::DELETE, ["images", id, "members", member]) => {
            let add = req.method == Method::PUT;
            let _ = req.body_bytes(util::MAX_JSON_BODY).await;
            let mut st = cloud.lock();
            let img = find_image(&st, id)
                .ok_or_else(|| Fault::not_found(format!("Object '{id}' does not exist.")))?;
            if img.owner != user {
                return Err(Fault::forbidden(""));
            }
            let mut members = img.members();
            members.retain(|m| m != member);
            if add {
                members.push(member.to_string());
            }
            set_members(&mut st, id, members);
            empty_response(204)
        }
        (Method::GET, ["shared-images", member]) => {
            let st = cloud.lock();
            let list: Vec<Value> = visible_images(&st, &user)
                .into_iter()
                .filter(|i| i.owner == *member && !i.is_public())
                .map(|i| json!({"image_id": i.id, "can_share": false}))
                .collect();
            json_response(200, &json!({"shared_images": list}))
        }
        (_, ["images", _]) | (_, ["images"]) => Err(Fault::new(405, "notAllowed", "").bare()),
        _ => Err(Fault::endpoint_not_found()),
    }
}
