//! Pithos object storage (`/object-store/v1`) and public URLs (`/public/<token>`).

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use http::Method;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use md5::Digest as _;
use serde_json::{json, Map, Value};

use crate::blocks::{self, merkle, BLOCK_HASH, BLOCK_SIZE, EMPTY_HASH};
use crate::state::{Account, Container, Counters, Object, Sharing, State, Version};
use crate::util::{
    self, builder, empty_response, finish, full, hdr, json_response, pct_header, Body, Fault, Req,
    R,
};
use crate::{Cloud, DevUser};

const B: u64 = BLOCK_SIZE as u64;
/// Account quota reported and enforced (bytes).
pub(crate) const ACCOUNT_QUOTA: u64 = 100 * (1 << 30);
const MAX_UPDATE_BODY: usize = 1 << 30;

// ---------------------------------------------------------------------------
// Permissions

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Access {
    None,
    Read,
    Write,
}

fn list_allows(st: &State, list: &[String], user: &str) -> bool {
    list.iter().any(|e| {
        e == "*"
            || e == user
            || e.split_once(':').is_some_and(|(owner, group)| {
                st.accounts
                    .get(owner)
                    .and_then(|a| a.groups.get(group))
                    .is_some_and(|m| m.iter().any(|x| x == user))
            })
    })
}

fn is_dir_type(ct: &str) -> bool {
    let ct = ct.split(';').next().unwrap_or("").trim();
    ct == "application/directory" || ct == "application/folder"
}

/// Own sharing of the object, or that of the nearest ancestor directory object.
pub(crate) fn effective_sharing<'a>(
    cont: &'a Container,
    name: &str,
) -> Option<(&'a Sharing, String)> {
    if let Some(s) = cont.objects.get(name).and_then(|o| o.sharing.as_ref()) {
        return Some((s, name.to_string()));
    }
    let mut path = name;
    while let Some(i) = path.rfind('/') {
        path = &path[..i];
        if let Some(o) = cont.objects.get(path) {
            if let (Some(s), Some(v)) = (&o.sharing, o.current()) {
                if is_dir_type(&v.content_type) {
                    return Some((s, path.to_string()));
                }
            }
        }
    }
    None
}

pub(crate) fn object_access(
    st: &State,
    owner: &str,
    cont: &Container,
    name: &str,
    user: &str,
) -> Access {
    if owner == user {
        return Access::Write;
    }
    match effective_sharing(cont, name) {
        Some((s, _)) if list_allows(st, &s.write, user) => Access::Write,
        Some((s, _)) if list_allows(st, &s.read, user) => Access::Read,
        _ => Access::None,
    }
}

fn container_access(st: &State, owner: &str, cont: &Container, user: &str) -> Access {
    if owner == user {
        return Access::Write;
    }
    cont.objects
        .keys()
        .map(|n| object_access(st, owner, cont, n, user))
        .max()
        .unwrap_or(Access::None)
}

/// Parse `read=a,b;write=c`.
fn parse_sharing(v: &str) -> Result<Option<Sharing>, Fault> {
    let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    if v.is_empty() {
        return Ok(None);
    }
    let mut s = Sharing::default();
    for part in v.split(';').filter(|p| !p.is_empty()) {
        let (kind, list) = part
            .split_once('=')
            .ok_or_else(|| Fault::bad_request("Bad X-Object-Sharing header value"))?;
        let mut items: Vec<String> = list
            .split(',')
            .filter(|x| !x.is_empty())
            .map(|x| x.to_lowercase().replace('~', ""))
            .collect();
        if items.is_empty() {
            return Err(Fault::bad_request("Bad X-Object-Sharing header value"));
        }
        if items.iter().any(|x| x == "*") {
            items = vec!["*".into()];
        }
        items.dedup();
        match kind.to_ascii_lowercase().as_str() {
            "read" => s.read = items,
            "write" => s.write = items,
            _ => return Err(Fault::bad_request("Bad X-Object-Sharing header value")),
        }
    }
    let write = s.write.clone();
    s.read.retain(|x| !write.contains(x));
    Ok(if s.is_empty() { None } else { Some(s) })
}

// ---------------------------------------------------------------------------
// Metadata helpers

/// `my_key` / `MY-KEY` → `My-Key`.
fn canon(k: &str) -> String {
    k.replace('_', "-")
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn meta_from(req: &Req, prefix: &str) -> Result<Vec<(String, String)>, Fault> {
    let list = util::headers_with_prefix(&req.headers, prefix);
    if list.len() > 90 {
        return Err(Fault::bad_request("Too many metadata headers"));
    }
    let mut out = Vec::new();
    for (k, v) in list {
        let k = canon(&k);
        if k.is_empty() || k.len() > 128 || v.chars().count() > 256 {
            return Err(Fault::bad_request("Bad metadata key or value"));
        }
        out.push((k, v.replace('~', "")));
    }
    Ok(out)
}

fn apply_meta(
    target: &mut BTreeMap<String, String>,
    items: Vec<(String, String)>,
    update: bool,
) -> Result<(), Fault> {
    if !update {
        target.clear();
    }
    for (k, v) in items {
        if v.is_empty() {
            target.remove(&k);
        } else {
            target.insert(k, v);
        }
    }
    if target.len() > 32 {
        return Err(Fault::bad_request("Too many metadata items"));
    }
    Ok(())
}

fn ts_str(ts: f64) -> String {
    format!("{ts:.6}")
}

fn parse_until(req: &Req) -> Option<f64> {
    req.q("until")
        .and_then(|u| u.trim().parse::<i64>().ok())
        .map(|u| u as f64)
}

fn format_json(req: &Req) -> bool {
    match req.q("format") {
        Some(f) => f == "json" || f == "xml",
        None => req
            .header("accept")
            .is_some_and(|a| a.contains("application/json")),
    }
}

fn public_url(cloud: &Cloud, token: &str) -> String {
    format!("{}/public/{}", cloud.base, token)
}

fn parse_public(v: &str) -> Result<bool, Fault> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        _ => Err(Fault::bad_request("Invalid X-Object-Public header")),
    }
}

/// Find or lazily create the account of a known user.
fn ensure_account<'a>(st: &'a mut State, cloud: &Cloud, acct: &str) -> Option<&'a mut Account> {
    if !st.accounts.contains_key(acct) {
        if !cloud.is_known_uuid(acct) {
            return None;
        }
        st.accounts.insert(
            acct.to_string(),
            Account {
                modified: util::now(),
                ..Default::default()
            },
        );
    }
    st.accounts.get_mut(acct)
}

fn account_bytes(acct: &Account) -> u64 {
    acct.containers
        .values()
        .map(|c| c.count_and_bytes().1)
        .sum()
}

// ---------------------------------------------------------------------------
// Conditionals

fn etag_list_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(|t| t.trim().trim_matches('"'))
        .any(|t| t == "*" || t.eq_ignore_ascii_case(etag))
}

/// Check If-* headers. `write` turns If-None-Match hits into 412.
fn check_preconditions(req: &Req, cur: Option<(&str, f64)>, write: bool) -> Result<(), Fault> {
    if let Some(m) = req.header("if-match") {
        match cur {
            None => return Err(Fault::precondition_failed("Object does not exist")),
            Some((etag, _)) if !etag_list_matches(&m, etag) => {
                return Err(Fault::precondition_failed("Resource ETag does not match"))
            }
            _ => {}
        }
    }
    if let Some(m) = req.header("if-none-match") {
        if let Some((etag, _)) = cur {
            if etag_list_matches(&m, etag) {
                if write {
                    return Err(Fault::precondition_failed(
                        "Resource exists or ETag matches",
                    ));
                }
                return Err(Fault::not_modified().with_header("etag", etag));
            }
        }
    }
    if !write {
        if let (Some(s), Some((etag, modified))) = (req.header("if-modified-since"), cur) {
            if let Some(since) = util::parse_http_date(&s) {
                if modified.floor() <= since {
                    return Err(Fault::not_modified().with_header("etag", etag));
                }
            }
        }
    }
    if let (Some(s), Some((_, modified))) = (req.header("if-unmodified-since"), cur) {
        if let Some(since) = util::parse_http_date(&s) {
            if modified.floor() > since {
                return Err(Fault::precondition_failed("Resource has been modified"));
            }
        }
    }
    Ok(())
}

fn check_modified_since(req: &Req, modified: f64) -> Result<(), Fault> {
    if let Some(since) = req
        .header("if-modified-since")
        .and_then(|s| util::parse_http_date(&s))
    {
        if modified.floor() <= since {
            return Err(Fault::not_modified());
        }
    }
    if let Some(since) = req
        .header("if-unmodified-since")
        .and_then(|s| util::parse_http_date(&s))
    {
        if modified.floor() > since {
            return Err(Fault::precondition_failed("Resource has been modified"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Routing

/// Handle `/object-store/v1{rest}`.
pub(crate) async fn handle(cloud: &Arc<Cloud>, req: Req, rest: &str) -> R {
    let user = cloud.auth(&req)?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    if rest.is_empty() {
        return match req.method {
            Method::GET | Method::HEAD => sharing_accounts(cloud, &req, &user),
            _ => Err(Fault::not_allowed("GET")),
        };
    }
    let (acct_raw, after) = match rest.split_once('/') {
        Some((a, r)) => (a, r),
        None => (rest, ""),
    };
    let acct = util::pct_decode(acct_raw);
    let (cont_raw, obj_raw) = match after.split_once('/') {
        Some((c, o)) => (c, Some(o)),
        None => (after, None),
    };
    if cont_raw.is_empty() {
        return account_level(cloud, req, &user, &acct).await;
    }
    let cont = util::pct_decode(cont_raw);
    if cont.chars().count() > 256 {
        return Err(Fault::bad_request("Container name too long"));
    }
    match obj_raw.filter(|o| !o.is_empty()) {
        None => container_level(cloud, req, &user, &acct, &cont).await,
        Some(o) => {
            let name = util::pct_decode(o);
            if name.chars().count() > 1024 {
                return Err(Fault::bad_request("Object name too long"));
            }
            object_level(cloud, req, &user, &acct, &cont, &name).await
        }
    }
}

// ---------------------------------------------------------------------------
// Top level

fn sharing_accounts(cloud: &Arc<Cloud>, req: &Req, user: &DevUser) -> R {
    let st = cloud.lock();
    let mut list: Vec<(String, f64)> = Vec::new();
    for (owner, acct) in &st.accounts {
        if owner == &user.uuid {
            continue;
        }
        let mut latest: Option<f64> = None;
        for c in acct.containers.values() {
            for (name, o, v) in c.live() {
                if let Some(s) = &o.sharing {
                    let explicit = s.read.iter().chain(&s.write).any(|e| e != "*");
                    if explicit && object_access(&st, owner, c, name, &user.uuid) >= Access::Read {
                        latest = Some(latest.map_or(v.ts, |l: f64| l.max(v.ts)));
                    }
                }
            }
        }
        if let Some(l) = latest {
            list.push((owner.clone(), l));
        }
    }
    drop(st);
    let marker = req.q("marker").unwrap_or("");
    let limit = req
        .q("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(10_000);
    let list: Vec<_> = list
        .into_iter()
        .filter(|(n, _)| n.as_str() > marker)
        .take(limit)
        .collect();
    if format_json(req) {
        let v: Vec<Value> = list
            .iter()
            .map(|(n, t)| json!({"name": n, "last_modified": util::iso(*t)}))
            .collect();
        json_response(200, &Value::Array(v))
    } else if list.is_empty() {
        empty_response(204)
    } else {
        let text: String = list.iter().map(|(n, _)| format!("{n}\n")).collect();
        util::text_response(200, text)
    }
}

// ---------------------------------------------------------------------------
// Account level

fn account_headers(
    b: http::response::Builder,
    acct: &Account,
    owner: bool,
    until: Option<f64>,
) -> http::response::Builder {
    let mut b = b;
    let mut count = 0u64;
    let mut bytes = 0u64;
    let mut objects = 0u64;
    for c in acct.containers.values() {
        if until.is_some_and(|u| c.created > u) {
            continue;
        }
        count += 1;
        for o in c.objects.values() {
            let v = match until {
                Some(u) => o.at(u),
                None => o.current(),
            };
            if let Some(v) = v {
                objects += 1;
                bytes += v.bytes;
            }
        }
    }
    b = hdr(b, "last-modified", &util::http_date(acct.modified));
    if !owner {
        return b;
    }
    b = hdr(b, "x-account-container-count", &count.to_string());
    b = hdr(b, "x-account-object-count", &objects.to_string());
    b = hdr(b, "x-account-bytes-used", &bytes.to_string());
    b = hdr(b, "x-account-policy-quota", &ACCOUNT_QUOTA.to_string());
    if let Some(u) = until {
        b = hdr(b, "x-account-until-timestamp", &util::http_date(u));
    }
    for (g, members) in &acct.groups {
        b = hdr(
            b,
            &format!("x-account-group-{}", util::pct_segment(g)),
            &members.join(","),
        );
    }
    for (k, v) in &acct.meta {
        b = hdr(
            b,
            &format!("x-account-meta-{}", util::pct_segment(k)),
            &pct_header(v),
        );
    }
    b
}

async fn account_level(cloud: &Arc<Cloud>, mut req: Req, user: &DevUser, acct: &str) -> R {
    let owner = acct == user.uuid;
    let until = parse_until(&req);
    if until.is_some() && !owner && matches!(req.method, Method::GET | Method::HEAD) {
        return Err(Fault::forbidden(
            "Not allowed to use until on another account",
        ));
    }
    match req.method {
        Method::HEAD => {
            let mut st = cloud.lock();
            let a = ensure_account(&mut st, cloud, acct)
                .ok_or_else(|| Fault::not_found("Account does not exist").bare())?;
            check_modified_since(&req, a.modified)?;
            let a = a.clone();
            drop(st);
            finish(
                account_headers(builder(204), &a, owner, until).header("content-length", 0),
                full(Bytes::new()),
            )
        }
        Method::GET => {
            let mut st = cloud.lock();
            ensure_account(&mut st, cloud, acct)
                .ok_or_else(|| Fault::not_found("Account does not exist"))?;
            let st = &*st;
            let a = st
                .accounts
                .get(acct)
                .ok_or_else(|| Fault::not_found("Account does not exist"))?;
            check_modified_since(&req, a.modified)?;
            if req.has_q("public") && !owner {
                return Err(Fault::forbidden("Only the owner can list public objects"));
            }
            let marker = req.q("marker").unwrap_or("").to_string();
            let limit = req
                .q("limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(10_000);
            let shared = req.has_q("shared");
            let public = req.has_q("public");
            let mut items = Vec::new();
            for (name, c) in &a.containers {
                if name.as_str() <= marker.as_str() {
                    continue;
                }
                if until.is_some_and(|u| c.created > u) {
                    continue;
                }
                if !owner && container_access(st, acct, c, &user.uuid) == Access::None {
                    continue;
                }
                if shared || public {
                    let has_shared = shared && c.live().any(|(_, o, _)| o.sharing.is_some());
                    let has_public = public && c.live().any(|(_, o, _)| o.public.is_some());
                    if !has_shared && !has_public {
                        continue;
                    }
                }
                if items.len() >= limit {
                    break;
                }
                let (count, bytes) = match until {
                    Some(u) => c
                        .objects
                        .values()
                        .filter_map(|o| o.at(u))
                        .fold((0u64, 0u64), |(n, b), v| (n + 1, b + v.bytes)),
                    None => c.count_and_bytes(),
                };
                let mut e = Map::new();
                e.insert("name".into(), json!(name));
                e.insert("count".into(), json!(count));
                e.insert("bytes".into(), json!(bytes));
                e.insert("last_modified".into(), json!(util::iso(c.modified)));
                if let Some(u) = until {
                    e.insert("x_container_until_timestamp".into(), json!(ts_str(u)));
                }
                e.insert(
                    "x_container_policy".into(),
                    json!({"quota": c.quota.to_string(), "versioning": c.versioning, "project": c.project}),
                );
                items.push(Value::Object(e));
            }
            if !owner && items.is_empty() {
                return Err(Fault::forbidden("Not allowed"));
            }
            let b = account_headers(builder(200), a, owner, until);
            list_response(&req, b, items)
        }
        Method::POST => {
            if !owner {
                return Err(Fault::forbidden("Not allowed"));
            }
            let update = req.has_q("update");
            let meta = meta_from(&req, "x-account-meta-")?;
            let groups = util::headers_with_prefix(&req.headers, "x-account-group-");
            let mut parsed_groups = Vec::new();
            for (g, members) in groups {
                let g = g.to_lowercase();
                if g.contains('-') || g.contains('_') || g.is_empty() {
                    return Err(Fault::bad_request("Bad group name"));
                }
                let members: Vec<String> = members
                    .split(',')
                    .map(|m| m.chars().filter(|c| !c.is_whitespace()).collect::<String>())
                    .filter(|m| !m.is_empty())
                    .collect();
                for m in &members {
                    if !cloud.is_known_uuid(m) {
                        return Err(Fault::bad_request(format!("Unknown user {m}")));
                    }
                }
                if members.len() > 32 {
                    return Err(Fault::bad_request("Too many group members"));
                }
                parsed_groups.push((g, members));
            }
            let _ = req.body_bytes(util::MAX_JSON_BODY).await;
            let mut st = cloud.lock();
            let a = ensure_account(&mut st, cloud, acct)
                .ok_or_else(|| Fault::not_found("Account does not exist"))?;
            apply_meta(&mut a.meta, meta, update)?;
            if !parsed_groups.is_empty() || !update {
                if !update && !parsed_groups.is_empty() {
                    a.groups.clear();
                }
                for (g, members) in parsed_groups {
                    if members.is_empty() {
                        a.groups.remove(&g);
                    } else {
                        a.groups.insert(g, members);
                    }
                }
                if a.groups.len() > 32 {
                    return Err(Fault::bad_request("Too many groups"));
                }
            }
            a.modified = util::now();
            empty_response(202)
        }
        _ => Err(Fault::not_allowed("HEAD, GET, POST")),
    }
}

fn list_response(req: &Req, b: http::response::Builder, items: Vec<Value>) -> R {
    if format_json(req) {
        let body = Bytes::from(Value::Array(items).to_string());
        finish(
            b.header("content-type", "application/json; charset=utf-8")
                .header("content-length", body.len()),
            full(body),
        )
    } else {
        let names: String = items
            .iter()
            .filter_map(|i| {
                i.get("name")
                    .or_else(|| i.get("subdir"))
                    .and_then(Value::as_str)
            })
            .map(|n| format!("{n}\n"))
            .collect();
        if names.is_empty() {
            let b = b.status(204);
            return finish(b.header("content-length", 0), full(Bytes::new()));
        }
        finish(
            b.header("content-type", "text/plain; charset=utf-8")
                .header("content-length", names.len()),
            full(Bytes::from(names)),
        )
    }
}

// ---------------------------------------------------------------------------
// Container level

fn container_headers(
    b: http::response::Builder,
    c: &Container,
    full_info: bool,
    until: Option<f64>,
) -> http::response::Builder {
    let mut b = b;
    b = hdr(b, "x-container-block-size", &BLOCK_SIZE.to_string());
    b = hdr(b, "x-container-block-hash", BLOCK_HASH);
    let mut keys: Vec<String> = Vec::new();
    for (_, _, v) in c.live() {
        for k in v.meta.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys.sort();
    b = hdr(
        b,
        "x-container-object-meta",
        &keys
            .iter()
            .map(|k| pct_header(k))
            .collect::<Vec<_>>()
            .join(","),
    );
    b = hdr(b, "last-modified", &util::http_date(c.modified));
    if !full_info {
        return b;
    }
    let (count, bytes) = match until {
        Some(u) => c
            .objects
            .values()
            .filter_map(|o| o.at(u))
            .fold((0u64, 0u64), |(n, s), v| (n + 1, s + v.bytes)),
        None => c.count_and_bytes(),
    };
    b = hdr(b, "x-container-object-count", &count.to_string());
    b = hdr(b, "x-container-bytes-used", &bytes.to_string());
    b = hdr(b, "x-container-policy-quota", &c.quota.to_string());
    b = hdr(b, "x-container-policy-versioning", &c.versioning);
    b = hdr(b, "x-container-policy-project", &c.project);
    if let Some(u) = until {
        b = hdr(b, "x-container-until-timestamp", &util::http_date(u));
    }
    for (k, v) in &c.meta {
        b = hdr(
            b,
            &format!("x-container-meta-{}", util::pct_segment(k)),
            &pct_header(v),
        );
    }
    b
}

struct Policy {
    quota: Option<u64>,
    versioning: Option<String>,
    project: Option<String>,
}

fn policy_from(req: &Req) -> Result<Policy, Fault> {
    let mut p = Policy {
        quota: None,
        versioning: None,
        project: None,
    };
    for (k, v) in util::headers_with_prefix(&req.headers, "x-container-policy-") {
        match k.to_ascii_lowercase().as_str() {
            "quota" => {
                p.quota = Some(if v.is_empty() {
                    0
                } else {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| Fault::bad_request("Invalid quota policy value"))?
                })
            }
            "versioning" => {
                let v = v.trim().to_ascii_lowercase();
                if !(v.is_empty() || v == "auto" || v == "none") {
                    return Err(Fault::bad_request("Invalid versioning policy value"));
                }
                p.versioning = Some(if v.is_empty() { "auto".into() } else { v });
            }
            "project" => p.project = Some(v.trim().to_string()),
            other => {
                return Err(Fault::bad_request(format!(
                    "Invalid policy header: {other}"
                )))
            }
        }
    }
    Ok(p)
}

async fn container_level(
    cloud: &Arc<Cloud>,
    mut req: Req,
    user: &DevUser,
    acct: &str,
    cont: &str,
) -> R {
    let owner = acct == user.uuid;
    let until = parse_until(&req);
    match req.method {
        Method::HEAD | Method::GET => {
            if until.is_some() && !owner {
                return Err(Fault::forbidden("Not allowed to use until"));
            }
            let mut st = cloud.lock();
            ensure_account(&mut st, cloud, acct);
            let st = &*st;
            let c = st
                .accounts
                .get(acct)
                .and_then(|a| a.containers.get(cont))
                .ok_or_else(|| Fault::not_found("Container does not exist"))?;
            if !owner && container_access(st, acct, c, &user.uuid) == Access::None {
                return Err(Fault::forbidden("Not allowed"));
            }
            check_modified_since(&req, c.modified)?;
            if req.method == Method::HEAD {
                return finish(
                    container_headers(builder(204), c, owner, until).header("content-length", 0),
                    full(Bytes::new()),
                );
            }
            if req.has_q("public") && !owner {
                return Err(Fault::forbidden("Only the owner can list public objects"));
            }
            let items = list_objects(cloud, st, &req, acct, c, user, until)?;
            list_response(
                &req,
                container_headers(builder(200), c, owner, until),
                items,
            )
        }
        Method::PUT => {
            if !owner {
                return Err(Fault::forbidden("Not allowed"));
            }
            let policy = policy_from(&req)?;
            let meta = meta_from(&req, "x-container-meta-")?;
            let _ = req.body_bytes(util::MAX_JSON_BODY).await;
            let mut st = cloud.lock();
            let default_project = st.default_project(&user.uuid);
            let a = ensure_account(&mut st, cloud, acct)
                .ok_or_else(|| Fault::not_found("Account does not exist"))?;
            let now = util::now();
            let existed = a.containers.contains_key(cont);
            let c = a
                .containers
                .entry(cont.to_string())
                .or_insert_with(|| Container::new(now, &default_project));
            if let Some(q) = policy.quota {
                c.quota = q;
            }
            if let Some(v) = policy.versioning {
                c.versioning = v;
            }
            if let Some(p) = policy.project {
                c.project = p;
            }
            apply_meta(&mut c.meta, meta, true)?;
            c.modified = now;
            a.modified = now;
            empty_response(if existed { 202 } else { 201 })
        }
        Method::POST => {
            let ctype = req.header("content-type").unwrap_or_default();
            let chunked = req
                .header("transfer-encoding")
                .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
            let clen = req
                .header("content-length")
                .and_then(|l| l.trim().parse::<u64>().ok())
                .unwrap_or(0);
            let is_upload = ctype.split(';').next().unwrap_or("").trim()
                == "application/octet-stream"
                && (clen > 0 || chunked);
            {
                let st = cloud.lock();
                let c = st
                    .accounts
                    .get(acct)
                    .and_then(|a| a.containers.get(cont))
                    .ok_or_else(|| Fault::not_found("Container does not exist"))?;
                let access = container_access(&st, acct, c, &user.uuid);
                if access < Access::Write {
                    return Err(Fault::forbidden("Not allowed"));
                }
            }
            let policy = policy_from(&req)?;
            let meta = meta_from(&req, "x-container-meta-")?;
            let update = req.has_q("update");
            let mut hashes = Vec::new();
            if is_upload {
                let body = req.body.take();
                if let Some(body) = body {
                    let mut stream = body.into_data_stream();
                    let mut buf = BytesMut::new();
                    while let Some(chunk) = stream.next().await {
                        let chunk = chunk
                            .map_err(|e| Fault::bad_request(format!("Error reading body: {e}")))?;
                        buf.extend_from_slice(&chunk);
                        while buf.len() >= BLOCK_SIZE {
                            let block = buf.split_to(BLOCK_SIZE).freeze();
                            hashes.push(store(cloud, block).await?);
                        }
                    }
                    if !buf.is_empty() {
                        hashes.push(store(cloud, buf.freeze()).await?);
                    }
                }
            } else {
                let _ = req.body_bytes(util::MAX_JSON_BODY).await;
            }
            if owner {
                let mut st = cloud.lock();
                let c = st
                    .accounts
                    .get_mut(acct)
                    .and_then(|a| a.containers.get_mut(cont))
                    .ok_or_else(|| Fault::not_found("Container does not exist"))?;
                if !update {
                    c.quota = policy.quota.unwrap_or(0);
                    c.versioning = policy.versioning.unwrap_or_else(|| "auto".into());
                    if let Some(p) = policy.project {
                        c.project = p;
                    }
                } else {
                    if let Some(q) = policy.quota {
                        c.quota = q;
                    }
                    if let Some(v) = policy.versioning {
                        c.versioning = v;
                    }
                    if let Some(p) = policy.project {
                        c.project = p;
                    }
                }
                apply_meta(&mut c.meta, meta, update)?;
            }
            if is_upload {
                json_response(202, &json!(hashes))
            } else {
                empty_response(202)
            }
        }
        Method::DELETE => {
            if !owner {
                return Err(Fault::forbidden("Not allowed"));
            }
            let mut st = cloud.lock();
            let a = st
                .accounts
                .get_mut(acct)
                .ok_or_else(|| Fault::not_found("Container does not exist"))?;
            let c = a
                .containers
                .get_mut(cont)
                .ok_or_else(|| Fault::not_found("Container does not exist"))?;
            let now = util::now();
            if let Some(u) = until {
                purge_history(c, None, u);
                return empty_response(204);
            }
            if req.has_q("delimiter") {
                let names: Vec<String> = c.live().map(|(n, _, _)| n.clone()).collect();
                for n in names {
                    delete_object_entry(c, &n, now, &user.uuid);
                }
                c.modified = now;
                return empty_response(204);
            }
            if c.live().next().is_some() {
                return Err(Fault::conflict("Container is not empty"));
            }
            a.containers.remove(cont);
            a.modified = now;
            empty_response(204)
        }
        _ => Err(Fault::not_allowed("HEAD, GET, PUT, POST, DELETE")),
    }
}

async fn store(cloud: &Cloud, block: Bytes) -> Result<String, Fault> {
    cloud
        .blocks
        .put(block)
        .await
        .map_err(|e| Fault::internal(format!("Block store error: {e}")))
}

/// Remove non-current versions (and tombstones) older than `until`.
fn purge_history(c: &mut Container, only: Option<&str>, until: f64) {
    let names: Vec<String> = match only {
        Some(n) => vec![n.to_string()],
        None => c.objects.keys().cloned().collect(),
    };
    for n in names {
        let remove = if let Some(o) = c.objects.get_mut(&n) {
            let last = o.versions.len().saturating_sub(1);
            let mut i = 0;
            o.versions.retain(|v| {
                let keep = i == last || v.ts > until;
                i += 1;
                keep
            });
            o.versions.last().is_none_or(|v| v.deleted && v.ts <= until)
        } else {
            false
        };
        if remove {
            c.objects.remove(&n);
        }
    }
}

fn delete_object_entry(c: &mut Container, name: &str, now: f64, by: &str) {
    let versioning_none = c.versioning == "none";
    if let Some(o) = c.objects.get_mut(name) {
        let Some(cur) = o.current().cloned() else {
            return;
        };
        if versioning_none {
            c.objects.remove(name);
            return;
        }
        o.sharing = None;
        o.public = None;
        o.image = None;
        let mut tomb = cur;
        tomb.deleted = true;
        tomb.ts = now;
        tomb.modified_by = by.to_string();
        o.versions.push(tomb);
    }
}

#[allow(clippy::too_many_arguments)]
fn object_entry_json(
    cloud: &Cloud,
    st: &State,
    acct: &str,
    c: &Container,
    name: &str,
    o: &Object,
    v: &Version,
    viewer: &str,
    until: bool,
) -> Value {
    let mut e = Map::new();
    e.insert("name".into(), json!(name));
    e.insert("bytes".into(), json!(v.bytes));
    e.insert("hash".into(), json!(v.md5.clone().unwrap_or_default()));
    e.insert("x_object_hash".into(), json!(v.hash));
    e.insert("content_type".into(), json!(v.content_type));
    if !until {
        e.insert("last_modified".into(), json!(util::iso(v.ts)));
    }
    e.insert("x_object_uuid".into(), json!(o.uuid));
    e.insert("x_object_version".into(), json!(v.id));
    e.insert("x_object_version_timestamp".into(), json!(ts_str(v.ts)));
    e.insert("x_object_modified_by".into(), json!(v.modified_by));
    if let Some(enc) = &v.content_encoding {
        e.insert("content_encoding".into(), json!(enc));
    }
    if let Some(d) = &v.content_disposition {
        e.insert("content_disposition".into(), json!(d));
    }
    if let Some(m) = &v.manifest {
        e.insert("x_object_manifest".into(), json!(m));
    }
    if let Some(s) = &o.sharing {
        e.insert("x_object_sharing".into(), json!(s.render()));
        if acct != viewer {
            let level = if list_allows(st, &s.write, viewer) {
                "write"
            } else {
                "read"
            };
            e.insert("x_object_allowed_to".into(), json!(level));
        }
    }
    if acct == viewer {
        if let Some(p) = &o.public {
            e.insert("x_object_public".into(), json!(public_url(cloud, p)));
        }
    }
    let _ = c;
    Value::Object(e)
}

fn meta_filter_ok(filters: &[String], v: &Version) -> bool {
    filters.iter().all(|f| {
        let f = f.trim();
        if f.is_empty() {
            return true;
        }
        if let Some(k) = f.strip_prefix('!') {
            return !v.meta.contains_key(&canon(k));
        }
        for op in ["!=", "<=", ">=", "=", "<", ">"] {
            if let Some((k, val)) = f.split_once(op) {
                let Some(cur) = v.meta.get(&canon(k)) else {
                    return false;
                };
                let cur = cur.as_str();
                return match op {
                    "!=" => cur != val,
                    "<=" => cur <= val,
                    ">=" => cur >= val,
                    "=" => cur == val,
                    "<" => cur < val,
                    _ => cur > val,
                };
            }
        }
        v.meta.contains_key(&canon(f))
    })
}

fn list_objects(
    cloud: &Cloud,
    st: &State,
    req: &Req,
    acct: &str,
    c: &Container,
    user: &DevUser,
    until: Option<f64>,
) -> Result<Vec<Value>, Fault> {
    let owner = acct == user.uuid;
    let limit = req
        .q("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(10_000);
    let marker = req.q("marker").unwrap_or("");
    let (prefix, delimiter, subdirs) = if let Some(path) = req.q("path") {
        let mut p = path.trim_start_matches('/').to_string();
        if !p.is_empty() && !p.ends_with('/') {
            p.push('/');
        }
        (p, Some("/".to_string()), false)
    } else {
        let mut p = req
            .q("prefix")
            .unwrap_or("")
            .trim_start_matches('/')
            .to_string();
        let d = req
            .q("delimiter")
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        if let Some(d) = &d {
            if !p.is_empty() && !p.ends_with(d.as_str()) {
                p.push_str(d);
            }
        }
        (p, d, true)
    };
    let shared = req.has_q("shared");
    let public = req.has_q("public");
    let filters: Vec<String> = req
        .q("meta")
        .map(|m| m.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let mut out: Vec<Value> = Vec::new();
    let mut last_subdir: Option<String> = None;
    for (name, o) in c.objects.range::<str, _>((
        std::ops::Bound::Excluded(marker),
        std::ops::Bound::Unbounded,
    )) {
        if out.len() >= limit {
            break;
        }
        if !name.starts_with(prefix.as_str()) {
            if name.as_str() > prefix.as_str() && !prefix.is_empty() {
                break;
            }
            continue;
        }
        let v = match until {
            Some(u) => o.at(u),
            None => o.current(),
        };
        let Some(v) = v else { continue };
        if !owner && object_access(st, acct, c, name, &user.uuid) == Access::None {
            continue;
        }
        if shared || public {
            let ok = (shared && o.sharing.is_some()) || (public && o.public.is_some());
            if !ok {
                continue;
            }
        }
        if !meta_filter_ok(&filters, v) {
            continue;
        }
        if let Some(d) = &delimiter {
            let rest = &name[prefix.len()..];
            if let Some(i) = rest.find(d.as_str()) {
                let sub = format!("{}{}", prefix, &rest[..i + d.len()]);
                if sub != *name {
                    if subdirs && last_subdir.as_deref() != Some(sub.as_str()) {
                        if sub.as_str() > marker {
                            out.push(json!({"subdir": sub}));
                        }
                        last_subdir = Some(sub);
                    }
                    continue;
                }
            }
        }
        out.push(object_entry_json(
            cloud,
            st,
            acct,
            c,
            name,
            o,
            v,
            &user.uuid,
            until.is_some(),
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Object level

struct Located {
    version: Version,
    uuid: String,
    sharing: Option<Sharing>,
    shared_by: Option<String>,
    public: Option<String>,
    access: Access,
}

/// Look up an object (optionally a given version) and check read access.
fn locate(
    st: &State,
    acct: &str,
    cont: &str,
    name: &str,
    version: Option<&str>,
    user: &str,
) -> Result<Located, Fault> {
    let c = st
        .accounts
        .get(acct)
        .and_then(|a| a.containers.get(cont))
        .ok_or_else(|| Fault::not_found("Container does not exist"))?;
    let access = object_access(st, acct, c, name, user);
    let o = c.objects.get(name);
    if access == Access::None {
        return Err(if acct == user || o.is_none() {
            Fault::not_found("Object does not exist")
        } else {
            Fault::forbidden("Not allowed")
        });
    }
    let o = o.ok_or_else(|| Fault::not_found("Object does not exist"))?;
    let v = match version {
        Some(vs) => {
            let id: u64 = vs
                .trim()
                .parse()
                .map_err(|_| Fault::bad_request("Invalid version"))?;
            o.versions
                .iter()
                .find(|v| v.id == id && !v.deleted)
                .ok_or_else(|| Fault::not_found("Version does not exist"))?
        }
        None => o
            .current()
            .ok_or_else(|| Fault::not_found("Object does not exist"))?,
    };
    let eff = effective_sharing(c, name);
    Ok(Located {
        version: v.clone(),
        uuid: o.uuid.clone(),
        sharing: eff.as_ref().map(|(s, _)| (*s).clone()),
        shared_by: eff.filter(|(_, p)| p != name).map(|(_, p)| p),
        public: o.public.clone(),
        access,
    })
}

fn object_headers(
    mut b: http::response::Builder,
    cloud: &Cloud,
    loc: &Located,
    owner: bool,
    with_sharing: bool,
    total: u64,
) -> http::response::Builder {
    let v = &loc.version;
    b = hdr(b, "etag", v.md5.as_deref().unwrap_or(&v.hash));
    b = hdr(b, "content-type", &v.content_type);
    b = hdr(b, "last-modified", &util::http_date(v.ts));
    let _ = total;
    if let Some(e) = &v.content_encoding {
        b = hdr(b, "content-encoding", &pct_header(e));
    }
    if let Some(d) = &v.content_disposition {
        b = hdr(b, "content-disposition", &pct_header(d));
    }
    b = hdr(b, "x-object-hash", &v.hash);
    b = hdr(b, "x-object-uuid", &loc.uuid);
    b = hdr(b, "x-object-version", &v.id.to_string());
    b = hdr(b, "x-object-version-timestamp", &util::http_date(v.ts));
    b = hdr(b, "x-object-modified-by", &v.modified_by);
    if let Some(m) = &v.manifest {
        b = hdr(b, "x-object-manifest", &pct_header(m));
    }
    if with_sharing {
        if let Some(s) = &loc.sharing {
            b = hdr(b, "x-object-sharing", &pct_header(&s.render()));
            if let Some(by) = &loc.shared_by {
                b = hdr(b, "x-object-shared-by", &pct_header(by));
            }
        }
        if !owner {
            b = hdr(
                b,
                "x-object-allowed-to",
                if loc.access == Access::Write {
                    "write"
                } else {
                    "read"
                },
            );
        }
        if owner {
            if let Some(p) = &loc.public {
                b = hdr(b, "x-object-public", &public_url(cloud, p));
            }
        }
    }
    for (k, val) in &v.meta {
        b = hdr(
            b,
            &format!("x-object-meta-{}", util::pct_segment(k)),
            &pct_header(val),
        );
    }
    hdr(b, "available", "True")
}

/// A piece of response body: literal bytes or a slice of a stored block.
enum Piece {
    Lit(Bytes),
    Block {
        hash: String,
        block_len: usize,
        off: usize,
        len: usize,
    },
}

/// A file = concatenation of blocks.
#[derive(Clone)]
struct Source {
    files: Vec<(Vec<String>, u64)>,
}

impl Source {
    fn size(&self) -> u64 {
        self.files.iter().map(|(_, s)| *s).sum()
    }

    /// Pieces covering [start, end] inclusive.
    fn pieces(&self, start: u64, end: u64, out: &mut Vec<Piece>) {
        let mut base = 0u64;
        for (hashes, size) in &self.files {
            let fstart = base;
            let fend = base + size; // exclusive
            base = fend;
            if *size == 0 || end < fstart || start >= fend {
                continue;
            }
            let s = start.max(fstart) - fstart;
            let e = end.min(fend - 1) - fstart;
            let first = s / B;
            let last = e / B;
            for bi in first..=last {
                let bstart = bi * B;
                let blen = (size - bstart).min(B);
                let off = if bi == first { s - bstart } else { 0 };
                let stop = if bi == last { e - bstart + 1 } else { blen };
                let hash = hashes
                    .get(bi as usize)
                    .cloned()
                    .unwrap_or_else(|| EMPTY_HASH.to_string());
                out.push(Piece::Block {
                    hash,
                    block_len: blen as usize,
                    off: off as usize,
                    len: (stop - off) as usize,
                });
            }
        }
    }
}

fn stream_body(cloud: &Arc<Cloud>, pieces: Vec<Piece>) -> Body {
    let cloud = cloud.clone();
    let stream = futures::stream::iter(pieces).then(move |p| {
        let cloud = cloud.clone();
        async move {
            match p {
                Piece::Lit(b) => Ok(Frame::data(b)),
                Piece::Block {
                    hash,
                    block_len,
                    off,
                    len,
                } => {
                    let data = cloud.blocks.get_padded(&hash, block_len).await?;
                    Ok(Frame::data(data.slice(off..off + len)))
                }
            }
        }
    });
    BodyExt::boxed(StreamBody::new(stream))
}

/// Parse `bytes=...` into inclusive ranges; `Ok(None)` for malformed (ignored) headers.
fn parse_ranges(h: &str, size: u64) -> Result<Option<Vec<(u64, u64)>>, Fault> {
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for part in spec.split(',') {
        let part = part.trim();
        let Some((a, b)) = part.split_once('-') else {
            return Ok(None);
        };
        let (a, b) = (a.trim(), b.trim());
        let r = if a.is_empty() {
            let Ok(n) = b.parse::<u64>() else {
                return Ok(None);
            };
            if n == 0 || n > size {
                if n == 0 {
                    return Err(Fault::range_not_satisfiable(
                        "Requested range not satisfiable",
                    ));
                }
                (0, size.saturating_sub(1))
            } else {
                (size - n, size - 1)
            }
        } else {
            let Ok(s) = a.parse::<u64>() else {
                return Ok(None);
            };
            let e = if b.is_empty() {
                size.saturating_sub(1)
            } else {
                let Ok(e) = b.parse::<u64>() else {
                    return Ok(None);
                };
                e
            };
            (s, e)
        };
        if size == 0 || r.0 >= size || r.1 >= size || r.1 < r.0 {
            return Err(Fault::range_not_satisfiable(
                "Requested range not satisfiable",
            ));
        }
        out.push(r);
    }
    if out.is_empty() {
        return Ok(None);
    }
    Ok(Some(out))
}

/// Build a data response (full, single range or multipart).
#[allow(clippy::too_many_arguments)]
fn data_response(
    cloud: &Arc<Cloud>,
    req: &Req,
    b: http::response::Builder,
    src: Source,
    ctype: &str,
    etag: &str,
    md5: Option<&str>,
    modified: f64,
) -> R {
    let size = src.size();
    let mut ranges = None;
    if let Some(r) = req.header("range") {
        ranges = parse_ranges(&r, size)?;
        if let Some(ir) = req.header("if-range") {
            let ok = match util::parse_http_date(&ir) {
                Some(d) => modified.floor() <= d,
                None => md5.is_some_and(|m| ir.trim().trim_matches('"') == m),
            };
            if !ok {
                ranges = None;
            }
        }
    }
    let _ = etag;
    match ranges {
        None => {
            let mut pieces = Vec::new();
            if size > 0 {
                src.pieces(0, size - 1, &mut pieces);
            }
            let b = b.status(200).header("content-length", size);
            finish(
                b,
                if req.is_head() {
                    full(Bytes::new())
                } else {
                    stream_body(cloud, pieces)
                },
            )
        }
        Some(rs) if rs.len() == 1 => {
            let (s, e) = rs[0];
            let mut pieces = Vec::new();
            src.pieces(s, e, &mut pieces);
            let b = b
                .status(206)
                .header("content-length", e - s + 1)
                .header("content-range", format!("bytes {s}-{e}/{size}"));
            finish(
                b,
                if req.is_head() {
                    full(Bytes::new())
                } else {
                    stream_body(cloud, pieces)
                },
            )
        }
        Some(rs) => {
            let boundary = util::random_string(24);
            let mut pieces = Vec::new();
            let mut len = 0u64;
            for (s, e) in rs {
                let head = format!(
                    "--{boundary}\r\nContent-Type: {ctype}\r\nContent-Range: bytes {s}-{e}/{size}\r\n\r\n"
                );
                len += head.len() as u64 + (e - s + 1) + 2;
                pieces.push(Piece::Lit(Bytes::from(head)));
                src.pieces(s, e, &mut pieces);
                pieces.push(Piece::Lit(Bytes::from_static(b"\r\n")));
            }
            let tail = format!("--{boundary}--\r\n");
            len += tail.len() as u64;
            pieces.push(Piece::Lit(Bytes::from(tail)));
            let mut b = b.status(206).header("content-length", len);
            if let (Some(h), Ok(v)) = (
                b.headers_mut(),
                http::HeaderValue::from_str(&format!("multipart/byteranges; boundary={boundary}")),
            ) {
                h.insert(http::header::CONTENT_TYPE, v);
            }
            finish(
                b,
                if req.is_head() {
                    full(Bytes::new())
                } else {
                    stream_body(cloud, pieces)
                },
            )
        }
    }
}

fn manifest_source(st: &State, acct: &str, manifest: &str) -> Source {
    let (mc, mp) = manifest.split_once('/').unwrap_or((manifest, ""));
    let mut files = Vec::new();
    if let Some(c) = st.accounts.get(acct).and_then(|a| a.containers.get(mc)) {
        for (n, _, v) in c.live() {
            if n.starts_with(mp) && v.manifest.is_none() {
                files.push((v.hashes.clone(), v.bytes));
            }
        }
    }
    Source { files }
}

async fn object_level(
    cloud: &Arc<Cloud>,
    req: Req,
    user: &DevUser,
    acct: &str,
    cont: &str,
    name: &str,
) -> R {
    match req.method {
        Method::HEAD | Method::GET => object_get(cloud, req, user, acct, cont, name),
        Method::PUT => object_put(cloud, req, user, acct, cont, name).await,
        ref m if m.as_str() == "COPY" || m.as_str() == "MOVE" => {
            let is_move = req.method.as_str() == "MOVE";
            let dest = req
                .header_decoded("destination")
                .ok_or_else(|| Fault::bad_request("Missing Destination header"))?;
            let dest = dest.trim_start_matches('/');
            let (dc, dn) = dest
                .split_once('/')
                .ok_or_else(|| Fault::bad_request("Invalid Destination header"))?;
            let dacct = req
                .header_decoded("destination-account")
                .unwrap_or_else(|| acct.to_string());
            let src_version = if is_move {
                None
            } else {
                req.header("x-source-version")
            };
            let ignore_ct = req.has_q("ignore_content_type");
            let v = copy_move(
                cloud,
                &req,
                user,
                acct,
                cont,
                name,
                &dacct,
                dc,
                dn,
                is_move,
                src_version,
                ignore_ct,
            )?;
            finish(
                hdr(builder(201), "x-object-version", &v.to_string()).header("content-length", 0),
                full(Bytes::new()),
            )
        }
        Method::POST => object_post(cloud, req, user, acct, cont, name).await,
        Method::DELETE => {
            let mut st = cloud.lock();
            let owner_ok = {
                let c = st
                    .accounts
                    .get(acct)
                    .and_then(|a| a.containers.get(cont))
                    .ok_or_else(|| Fault::not_found("Container does not exist"))?;
                object_access(&st, acct, c, name, &user.uuid) == Access::Write
            };
            if !owner_ok {
                return Err(Fault::forbidden("Not allowed"));
            }
            let c = st
                .accounts
                .get_mut(acct)
                .and_then(|a| a.containers.get_mut(cont))
                .ok_or_else(|| Fault::not_found("Container does not exist"))?;
            let now = util::now();
            if let Some(u) = parse_until(&req) {
                if !c.objects.contains_key(name) {
                    return Err(Fault::not_found("Object does not exist"));
                }
                purge_history(c, Some(name), u);
                return empty_response(204);
            }
            if c.objects.get(name).and_then(Object::current).is_none() {
                return Err(Fault::not_found("Object does not exist"));
            }
            delete_object_entry(c, name, now, &user.uuid);
            if let Some(d) = req.q("delimiter").filter(|d| !d.is_empty()) {
                let p = format!("{name}{d}");
                let children: Vec<String> = c
                    .live()
                    .filter(|(n, _, _)| n.starts_with(&p))
                    .map(|(n, _, _)| n.clone())
                    .collect();
                for n in children {
                    delete_object_entry(c, &n, now, &user.uuid);
                }
            }
            c.modified = now;
            empty_response(204)
        }
        _ => Err(Fault::not_allowed(
            "HEAD, GET, PUT, COPY, MOVE, POST, DELETE",
        )),
    }
}

fn object_get(
    cloud: &Arc<Cloud>,
    req: Req,
    user: &DevUser,
    acct: &str,
    cont: &str,
    name: &str,
) -> R {
    let owner = acct == user.uuid;
    if req.q("version") == Some("list") {
        if !format_json(&req) && req.q("format").is_some() {
            return Err(Fault::bad_request("Version list requires format=json"));
        }
        let st = cloud.lock();
        let c = st
            .accounts
            .get(acct)
            .and_then(|a| a.containers.get(cont))
            .ok_or_else(|| Fault::not_found("Container does not exist"))?;
        if object_access(&st, acct, c, name, &user.uuid) == Access::None {
            return Err(Fault::forbidden("Not allowed"));
        }
        let o = c
            .objects
            .get(name)
            .ok_or_else(|| Fault::not_found("Object does not exist"))?;
        let list: Vec<Value> = o
            .versions
            .iter()
            .filter(|v| !v.deleted)
            .map(|v| json!([v.id, ts_str(v.ts)]))
            .collect();
        return json_response(200, &json!({"versions": list}));
    }
    let st = cloud.lock();
    let version = req.q("version").filter(|v| !v.is_empty());
    let loc = locate(&st, acct, cont, name, version, &user.uuid)?;
    let v = &loc.version;
    let etag = v.md5.clone().unwrap_or_else(|| v.hash.clone());
    check_preconditions(&req, Some((&etag, v.ts)), false)?;
    let src = match &v.manifest {
        Some(m) => manifest_source(&st, acct, m),
        None => Source {
            files: vec![(v.hashes.clone(), v.bytes)],
        },
    };
    drop(st);
    let b = object_headers(
        builder(200),
        cloud,
        &loc,
        owner,
        version.is_none(),
        src.size(),
    );
    if req.has_q("hashmap") {
        let body = json!({
            "block_size": BLOCK_SIZE,
            "block_hash": BLOCK_HASH,
            "bytes": v.bytes,
            "hashes": v.hashes,
        });
        let body = Bytes::from(body.to_string());
        return finish(
            b.header("content-type", "application/json; charset=utf-8")
                .header("content-length", body.len()),
            full(if req.is_head() { Bytes::new() } else { body }),
        );
    }
    let mut b = b;
    if req.method == Method::GET {
        let base = name.rsplit('/').next().unwrap_or(name);
        let dtype = req
            .q("disposition-type")
            .filter(|d| *d == "inline" || *d == "attachment");
        let disp = match (&v.content_disposition, dtype) {
            (Some(d), None) => d.clone(),
            (Some(d), Some(t)) => match d.split_once(';') {
                Some((_, rest)) => format!("{t};{rest}"),
                None => t.to_string(),
            },
            (None, t) => format!(
                "{}; filename=\"{}\"",
                t.unwrap_or("inline"),
                pct_header(base)
            ),
        };
        if v.content_disposition.is_none() || dtype.is_some() {
            if let Some(h) = b.headers_mut() {
                h.remove("content-disposition");
            }
            b = hdr(b, "content-disposition", &disp);
        }
    }
    let ctype = v.content_type.clone();
    data_response(cloud, &req, b, src, &ctype, &etag, v.md5.as_deref(), v.ts)
}

/// Data for a new version.
struct NewData {
    bytes: u64,
    hashes: Vec<String>,
    md5: Option<String>,
}

/// Write a new version of an object, enforcing quotas and versioning.
#[allow(clippy::too_many_arguments)]
fn commit(
    st: &mut State,
    cloud: &Cloud,
    req: &Req,
    user: &DevUser,
    acct: &str,
    cont: &str,
    name: &str,
    data: NewData,
    content_type: String,
    meta: BTreeMap<String, String>,
    encoding: Option<String>,
    disposition: Option<String>,
    manifest: Option<String>,
    uuid: Option<String>,
) -> Result<Version, Fault> {
    let now = util::now();
    let id = Counters::next(&mut st.counters.version);
    // permission + quota
    let acct_bytes = {
        let a = st
            .accounts
            .get(acct)
            .ok_or_else(|| Fault::not_found("Container does not exist"))?;
        account_bytes(a)
    };
    let access = {
        let c = st
            .accounts
            .get(acct)
            .and_then(|a| a.containers.get(cont))
            .ok_or_else(|| Fault::not_found("Container does not exist"))?;
        object_access(st, acct, c, name, &user.uuid)
    };
    if access < Access::Write {
        return Err(Fault::forbidden("Not allowed"));
    }
    let sharing = match req.header_decoded("x-object-sharing") {
        Some(s) => Some(parse_sharing(&s)?),
        None => None,
    };
    let public = match req.header("x-object-public") {
        Some(p) => Some(parse_public(&p)?),
        None => None,
    };
    let c = st
        .accounts
        .get_mut(acct)
        .and_then(|a| a.containers.get_mut(cont))
        .ok_or_else(|| Fault::not_found("Container does not exist"))?;
    let old_bytes = c
        .objects
        .get(name)
        .and_then(Object::current)
        .map_or(0, |v| v.bytes);
    let (_, cont_bytes) = c.count_and_bytes();
    if c.quota > 0 && cont_bytes - old_bytes + data.bytes > c.quota {
        return Err(Fault::too_large(format!(
            "Quota error: container quota exceeded ({} bytes limit)",
            c.quota
        )));
    }
    if acct_bytes - old_bytes + data.bytes > ACCOUNT_QUOTA {
        return Err(Fault::too_large("Quota error: account quota exceeded"));
    }
    let mut hashes = data.hashes;
    if hashes.is_empty() {
        hashes.push(EMPTY_HASH.to_string());
    }
    let hash = merkle(&hashes);
    let version = Version {
        id,
        ts: now,
        deleted: false,
        bytes: data.bytes,
        hashes,
        hash,
        content_type,
        meta,
        content_encoding: encoding,
        content_disposition: disposition,
        manifest,
        md5: data.md5,
        modified_by: user.uuid.clone(),
    };
    let versioning_none = c.versioning == "none";
    let o = c.objects.entry(name.to_string()).or_insert_with(|| Object {
        uuid: uuid.clone().unwrap_or_else(util::uuid4),
        versions: Vec::new(),
        sharing: None,
        public: None,
        image: None,
    });
    if o.current().is_none() {
        if let Some(u) = uuid {
            o.uuid = u;
        }
    }
    if versioning_none {
        o.versions.clear();
    }
    o.versions.push(version.clone());
    if let Some(s) = sharing {
        o.sharing = s;
    }
    if let Some(p) = public {
        if p {
            if o.public.is_none() {
                o.public = Some(util::random_string(16));
            }
        } else {
            o.public = None;
        }
    }
    c.modified = now;
    if let Some(a) = st.accounts.get_mut(acct) {
        a.modified = now;
    }
    let _ = cloud;
    Ok(version)
}

fn created_response(v: &Version) -> R {
    let b = builder(201);
    let b = hdr(b, "etag", v.md5.as_deref().unwrap_or(&v.hash));
    let b = hdr(b, "x-object-version", &v.id.to_string());
    finish(b.header("content-length", 0), full(Bytes::new()))
}

async fn object_put(
    cloud: &Arc<Cloud>,
    mut req: Req,
    user: &DevUser,
    acct: &str,
    cont: &str,
    name: &str,
) -> R {
    // existence / preconditions
    {
        let st = cloud.lock();
        let c = st
            .accounts
            .get(acct)
            .and_then(|a| a.containers.get(cont))
            .ok_or_else(|| Fault::not_found("Container does not exist"))?;
        if object_access(&st, acct, c, name, &user.uuid) < Access::Write {
            return Err(Fault::forbidden("Not allowed"));
        }
        let cur = c.objects.get(name).and_then(Object::current);
        let etag = cur.map(|v| v.md5.clone().unwrap_or_else(|| v.hash.clone()));
        check_preconditions(&req, cur.zip(etag.as_deref()).map(|(v, e)| (e, v.ts)), true)?;
    }
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let clen = req
        .header("content-length")
        .and_then(|l| l.trim().parse::<u64>().ok());
    if clen.is_none() && !chunked {
        return Err(Fault::length_required("Missing Content-Length header"));
    }
    let copy_from = req.header_decoded("x-copy-from");
    let move_from = req.header_decoded("x-move-from");
    if let Some(src) = copy_from.clone().or(move_from.clone()) {
        let src = src.trim_start_matches('/').to_string();
        let (sc, sn) = src
            .split_once('/')
            .ok_or_else(|| Fault::bad_request("Invalid X-Copy-From/X-Move-From header"))?;
        let sacct = req
            .header_decoded("x-source-account")
            .unwrap_or_else(|| acct.to_string());
        let is_move = move_from.is_some() && copy_from.is_none();
        let sv = if is_move {
            None
        } else {
            req.header("x-source-version")
        };
        let _ = req.body_bytes(util::MAX_JSON_BODY).await;
        let v = copy_move(
            cloud, &req, user, &sacct, sc, sn, acct, cont, name, is_move, sv, false,
        )?;
        return finish(
            hdr(builder(201), "x-object-version", &v.to_string()).header("content-length", 0),
            full(Bytes::new()),
        );
    }
    let content_type = req.header("content-type").filter(|c| !c.is_empty());
    let manifest = req.header_decoded("x-object-manifest");
    let Some(content_type) = content_type else {
        return Err(Fault::length_required("Missing Content-Type header"));
    };
    let meta: BTreeMap<String, String> = meta_from(&req, "x-object-meta-")?
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if meta.len() > 32 {
        return Err(Fault::bad_request("Too many metadata items"));
    }
    let encoding = req
        .header_decoded("content-encoding")
        .filter(|v| !v.is_empty());
    let disposition = req
        .header_decoded("content-disposition")
        .filter(|v| !v.is_empty());

    let data = if req.has_q("hashmap") {
        let body = req.body_bytes(util::MAX_JSON_BODY).await?;
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            Fault::bad_request("Invalid hashmap: malformed JSON").with_details(e.to_string())
        })?;
        let bytes = v
            .get("bytes")
            .and_then(Value::as_u64)
            .ok_or_else(|| Fault::bad_request("Invalid hashmap: missing bytes"))?;
        let hashes: Vec<String> = v
            .get("hashes")
            .and_then(Value::as_array)
            .ok_or_else(|| Fault::bad_request("Invalid hashmap: missing hashes"))?
            .iter()
            .map(|h| h.as_str().map(str::to_ascii_lowercase))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Fault::bad_request("Invalid hashmap: hashes must be strings"))?;
        if hashes.iter().any(|h| !blocks::valid_hash(h)) {
            return Err(Fault::bad_request("Invalid hash in hashmap"));
        }
        let expected = bytes.div_ceil(B) as usize;
        let ok = if bytes == 0 {
            hashes.len() <= 1
        } else {
            hashes.len() == expected
        };
        if !ok {
            return Err(Fault::bad_request(
                "Invalid hashmap: hash count does not match object size",
            ));
        }
        let mut missing: Vec<String> = Vec::new();
        for h in &hashes {
            if !cloud.blocks.contains(h) && !missing.contains(h) {
                missing.push(h.clone());
            }
        }
        if !missing.is_empty() {
            let mut f = Fault::conflict("Missing blocks");
            f.raw = Some((
                Bytes::from(json!(missing).to_string()),
                "application/json; charset=utf-8",
            ));
            return Err(f);
        }
        NewData {
            bytes,
            hashes,
            md5: None,
        }
    } else if manifest.is_some() {
        let _ = req.body_bytes(util::MAX_JSON_BODY).await;
        NewData {
            bytes: 0,
            hashes: Vec::new(),
            md5: None,
        }
    } else {
        let want_md5 = req
            .header("etag")
            .map(|e| e.trim().trim_matches('"').to_ascii_lowercase());
        let mut md5 = want_md5.as_ref().map(|_| md5::Md5::new());
        let mut hashes = Vec::new();
        let mut total = 0u64;
        if let Some(body) = req.body.take() {
            let mut stream = body.into_data_stream();
            let mut buf = BytesMut::new();
            while let Some(chunk) = stream.next().await {
                let chunk =
                    chunk.map_err(|e| Fault::bad_request(format!("Error reading body: {e}")))?;
                total += chunk.len() as u64;
                if total > 5 * (1u64 << 30) {
                    return Err(Fault::bad_request("Object too large (max 5 GiB)"));
                }
                if let Some(m) = md5.as_mut() {
                    m.update(&chunk);
                }
                buf.extend_from_slice(&chunk);
                while buf.len() >= BLOCK_SIZE {
                    let block = buf.split_to(BLOCK_SIZE).freeze();
                    hashes.push(store(cloud, block).await?);
                }
            }
            if !buf.is_empty() {
                hashes.push(store(cloud, buf.freeze()).await?);
            }
        }
        let got = md5.map(|m| hex::encode(m.finalize()));
        if let (Some(w), Some(g)) = (&want_md5, &got) {
            if w != g {
                return Err(Fault::unprocessable("Object ETag does not match"));
            }
        }
        NewData {
            bytes: total,
            hashes,
            md5: got,
        }
    };
    let mut st = cloud.lock();
    let v = commit(
        &mut st,
        cloud,
        &req,
        user,
        acct,
        cont,
        name,
        data,
        content_type,
        meta,
        encoding,
        disposition,
        manifest,
        None,
    )?;
    drop(st);
    created_response(&v)
}

#[allow(clippy::too_many_arguments)]
fn copy_move(
    cloud: &Arc<Cloud>,
    req: &Req,
    user: &DevUser,
    sacct: &str,
    scont: &str,
    sname: &str,
    dacct: &str,
    dcont: &str,
    dname: &str,
    is_move: bool,
    src_version: Option<String>,
    ignore_ct: bool,
) -> Result<u64, Fault> {
    let mut st = cloud.lock();
    if !st
        .accounts
        .get(dacct)
        .is_some_and(|a| a.containers.contains_key(dcont))
    {
        return Err(Fault::not_found("Destination container does not exist"));
    }
    let loc =
        locate(&st, sacct, scont, sname, src_version.as_deref(), &user.uuid).map_err(|f| {
            if f.status == 404 {
                Fault::not_found("Source object does not exist")
            } else {
                f
            }
        })?;
    if is_move && loc.access < Access::Write {
        return Err(Fault::forbidden("Not allowed to move the source"));
    }
    {
        let c = st
            .accounts
            .get(dacct)
            .and_then(|a| a.containers.get(dcont))
            .ok_or_else(|| Fault::not_found("Destination container does not exist"))?;
        let cur = c.objects.get(dname).and_then(Object::current);
        let etag = cur.map(|v| v.md5.clone().unwrap_or_else(|| v.hash.clone()));
        check_preconditions(req, cur.zip(etag.as_deref()).map(|(v, e)| (e, v.ts)), true)?;
    }
    // the list of (src name, dst name)
    let mut pairs = vec![(sname.to_string(), dname.to_string())];
    if let Some(d) = req.q("delimiter").filter(|d| !d.is_empty()) {
        let p = format!("{sname}{d}");
        if let Some(c) = st.accounts.get(sacct).and_then(|a| a.containers.get(scont)) {
            for (n, _, _) in c.live() {
                if n.starts_with(&p) {
                    pairs.push((n.clone(), format!("{dname}{}", &n[sname.len()..])));
                }
            }
        }
    }
    let req_meta = meta_from(req, "x-object-meta-")?;
    let req_ct = if ignore_ct {
        None
    } else {
        req.header("content-type").filter(|c| !c.is_empty())
    };
    let mut first_version = 0;
    for (i, (sn, dn)) in pairs.iter().enumerate() {
        let sv = if i == 0 {
            loc.version.clone()
        } else {
            match st
                .accounts
                .get(sacct)
                .and_then(|a| a.containers.get(scont))
                .and_then(|c| c.objects.get(sn))
                .and_then(Object::current)
            {
                Some(v) => v.clone(),
                None => continue,
            }
        };
        let src_obj = st
            .accounts
            .get(sacct)
            .and_then(|a| a.containers.get(scont))
            .and_then(|c| c.objects.get(sn))
            .cloned();
        let same_path = sacct == dacct && scont == dcont && sn == dn;
        let dest_exists_uuid = st
            .accounts
            .get(dacct)
            .and_then(|a| a.containers.get(dcont))
            .and_then(|c| c.objects.get(dn))
            .filter(|o| o.current().is_some())
            .map(|o| o.uuid.clone());
        let uuid = if same_path || is_move {
            src_obj.as_ref().map(|o| o.uuid.clone())
        } else {
            dest_exists_uuid.clone().or_else(|| Some(util::uuid4()))
        };
        let mut meta = sv.meta.clone();
        apply_meta(&mut meta, req_meta.clone(), true)?;
        let ct = if i == 0 {
            req_ct.clone().unwrap_or(sv.content_type.clone())
        } else {
            sv.content_type.clone()
        };
        let encoding = req
            .header_decoded("content-encoding")
            .or(sv.content_encoding.clone());
        let disposition = req
            .header_decoded("content-disposition")
            .or(sv.content_disposition.clone());
        let manifest = req
            .header_decoded("x-object-manifest")
            .or(sv.manifest.clone());
        let data = NewData {
            bytes: sv.bytes,
            hashes: sv.hashes.clone(),
            md5: sv.md5.clone(),
        };
        let v = commit(
            &mut st,
            cloud,
            req,
            user,
            dacct,
            dcont,
            dn,
            data,
            ct,
            meta,
            encoding,
            disposition,
            manifest,
            None,
        )?;
        if is_move && !same_path {
            // the source goes only once the destination exists
            if let Some(c) = st
                .accounts
                .get_mut(sacct)
                .and_then(|a| a.containers.get_mut(scont))
            {
                delete_object_entry(c, sn, util::now(), &user.uuid);
            }
        }
        if let Some(c) = st
            .accounts
            .get_mut(dacct)
            .and_then(|a| a.containers.get_mut(dcont))
        {
            if let Some(o) = c.objects.get_mut(dn) {
                if let Some(u) = uuid {
                    o.uuid = u;
                }
                if o.image.is_none() {
                    o.image = src_obj.as_ref().and_then(|s| s.image.clone());
                }
            }
        }
        if i == 0 {
            first_version = v.id;
        }
    }
    Ok(first_version)
}

/// Parse `bytes A-B/T`, `bytes A-/*`, `bytes */*`.
fn parse_content_range(h: &str) -> Option<(Option<u64>, Option<u64>, Option<u64>)> {
    let spec = h.trim().strip_prefix("bytes")?.trim();
    let (range, total) = spec.split_once('/')?;
    let total = if total.trim() == "*" {
        None
    } else {
        Some(total.trim().parse().ok()?)
    };
    if range.trim() == "*" {
        return Some((None, None, total));
    }
    let (a, b) = range.split_once('-')?;
    let a: u64 = a.trim().parse().ok()?;
    let b = if b.trim().is_empty() {
        None
    } else {
        Some(b.trim().parse().ok()?)
    };
    Some((Some(a), b, total))
}

async fn read_bytes(
    cloud: &Cloud,
    hashes: &[String],
    size: u64,
    start: u64,
    len: u64,
) -> Result<Bytes, Fault> {
    let mut out = BytesMut::with_capacity(len as usize);
    if len == 0 {
        return Ok(out.freeze());
    }
    let src = Source {
        files: vec![(hashes.to_vec(), size)],
    };
    let mut pieces = Vec::new();
    src.pieces(start, start + len - 1, &mut pieces);
    for p in pieces {
        if let Piece::Block {
            hash,
            block_len,
            off,
            len,
        } = p
        {
            let d = cloud
                .blocks
                .get_padded(&hash, block_len)
                .await
                .map_err(|e| Fault::internal(format!("Block store error: {e}")))?;
            out.extend_from_slice(&d[off..off + len]);
        }
    }
    Ok(out.freeze())
}

async fn object_post(
    cloud: &Arc<Cloud>,
    mut req: Req,
    user: &DevUser,
    acct: &str,
    cont: &str,
    name: &str,
) -> R {
    let ctype = req.header("content-type").unwrap_or_default();
    let source = req.header_decoded("x-source-object");
    let data_update = ctype.split(';').next().unwrap_or("").trim() == "application/octet-stream"
        || source.is_some();
    let update = req.has_q("update");
    let meta = meta_from(&req, "x-object-meta-")?;
    let sharing = match req.header_decoded("x-object-sharing") {
        Some(s) => Some(parse_sharing(&s)?),
        None => None,
    };
    let public = match req.header("x-object-public") {
        Some(p) => Some(parse_public(&p)?),
        None => None,
    };
    let (cur, access) = {
        let st = cloud.lock();
        let c = st
            .accounts
            .get(acct)
            .and_then(|a| a.containers.get(cont))
            .ok_or_else(|| Fault::not_found("Container does not exist"))?;
        let access = object_access(&st, acct, c, name, &user.uuid);
        let cur = c.objects.get(name).and_then(Object::current).cloned();
        (cur, access)
    };
    if access < Access::Write {
        return Err(if cur.is_none() {
            Fault::not_found("Object does not exist")
        } else {
            Fault::forbidden("Not allowed")
        });
    }
    let cur = cur.ok_or_else(|| Fault::not_found("Object does not exist"))?;
    let etag = cur.md5.clone().unwrap_or_else(|| cur.hash.clone());
    check_preconditions(&req, Some((&etag, cur.ts)), true)?;
    if (sharing.is_some() || public.is_some()) && acct != user.uuid {
        return Err(Fault::forbidden("Only the owner can change sharing"));
    }

    if !data_update {
        let _ = req.body_bytes(util::MAX_JSON_BODY).await;
        let has_meta = !meta.is_empty()
            || req.headers.contains_key("content-encoding")
            || req.headers.contains_key("content-disposition")
            || req.headers.contains_key("x-object-manifest");
        let mut st = cloud.lock();
        let vid = Counters::next(&mut st.counters.version);
        let c = st
            .accounts
            .get_mut(acct)
            .and_then(|a| a.containers.get_mut(cont))
            .ok_or_else(|| Fault::not_found("Container does not exist"))?;
        let versioning_none = c.versioning == "none";
        let o = c
            .objects
            .get_mut(name)
            .ok_or_else(|| Fault::not_found("Object does not exist"))?;
        let mut version_id = cur.id;
        if has_meta || !update {
            let mut v = cur.clone();
            apply_meta(&mut v.meta, meta, update)?;
            let field = |h: &str, old: &Option<String>| -> Option<String> {
                match req.header_decoded(h) {
                    Some(x) if x.is_empty() => None,
                    Some(x) => Some(x),
                    None if update => old.clone(),
                    None => None,
                }
            };
            v.content_encoding = field("content-encoding", &cur.content_encoding);
            v.content_disposition = field("content-disposition", &cur.content_disposition);
            v.manifest = field("x-object-manifest", &cur.manifest);
            v.id = vid;
            v.ts = util::now();
            v.modified_by = user.uuid.clone();
            version_id = vid;
            if versioning_none {
                o.versions.clear();
            }
            o.versions.push(v);
        }
        if let Some(s) = sharing {
            o.sharing = s;
        }
        if let Some(p) = public {
            if p {
                if o.public.is_none() {
                    o.public = Some(util::random_string(16));
                }
            } else {
                o.public = None;
            }
        }
        c.modified = util::now();
        return finish(
            hdr(builder(202), "x-object-version", &version_id.to_string())
                .header("content-length", 0),
            full(Bytes::new()),
        );
    }

    // data update
    let cr = req
        .header("content-range")
        .ok_or_else(|| Fault::bad_request("Missing Content-Range header"))?;
    let (start, end, total) = parse_content_range(&cr)
        .ok_or_else(|| Fault::range_not_satisfiable("Invalid Content-Range header"))?;
    let size = cur.bytes;
    if total.is_some_and(|t| t != size) {
        return Err(Fault::range_not_satisfiable(
            "Content-Range total does not match object size",
        ));
    }
    let start = start.unwrap_or(size);
    if start > size {
        return Err(Fault::range_not_satisfiable(
            "Content-Range start beyond object end",
        ));
    }
    let data: Bytes = if let Some(src) = source {
        let src = src.trim_start_matches('/').to_string();
        let (sc, sn) = src
            .split_once('/')
            .ok_or_else(|| Fault::bad_request("Invalid X-Source-Object header"))?;
        let sacct = req
            .header_decoded("x-source-account")
            .unwrap_or_else(|| acct.to_string());
        let sv = req.header("x-source-version");
        let loc = {
            let st = cloud.lock();
            locate(&st, &sacct, sc, sn, sv.as_deref(), &user.uuid)?
        };
        let len = match end {
            Some(e) => {
                let l = e
                    .checked_sub(start)
                    .map(|x| x + 1)
                    .ok_or_else(|| Fault::range_not_satisfiable("Invalid range"))?;
                if loc.version.bytes < l {
                    return Err(Fault::bad_request(
                        "Source object is shorter than the range",
                    ));
                }
                l
            }
            None => loc.version.bytes,
        };
        read_bytes(cloud, &loc.version.hashes, loc.version.bytes, 0, len).await?
    } else {
        let chunked = req
            .header("transfer-encoding")
            .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
        if req.header("content-length").is_none() && !chunked {
            return Err(Fault::length_required("Missing Content-Length header"));
        }
        let body = req.body_bytes(MAX_UPDATE_BODY).await?;
        if let Some(e) = end {
            if e < start || e - start + 1 != body.len() as u64 {
                return Err(Fault::bad_request(
                    "Content length does not match range length",
                ));
            }
        }
        body
    };
    // compose new blocks
    let len = data.len() as u64;
    let new_size = size.max(start + len);
    let mut hashes: Vec<String> = cur.hashes.clone();
    if size == 0 {
        hashes.clear();
    }
    if len > 0 {
        let first = start / B;
        let last = (start + len - 1) / B;
        for bi in first..=last {
            let bstart = bi * B;
            let new_blen = (new_size - bstart).min(B);
            let old_blen = if bstart < size {
                (size - bstart).min(B)
            } else {
                0
            };
            let mut block = BytesMut::with_capacity(new_blen as usize);
            if old_blen > 0 {
                let h = hashes
                    .get(bi as usize)
                    .cloned()
                    .unwrap_or_else(|| EMPTY_HASH.to_string());
                let old = cloud
                    .blocks
                    .get_padded(&h, old_blen as usize)
                    .await
                    .map_err(|e| Fault::internal(format!("Block store error: {e}")))?;
                block.extend_from_slice(&old);
            }
            block.resize(new_blen as usize, 0);
            let ds = start.max(bstart);
            let de = (start + len).min(bstart + new_blen);
            block[(ds - bstart) as usize..(de - bstart) as usize]
                .copy_from_slice(&data[(ds - start) as usize..(de - start) as usize]);
            let h = store(cloud, block.freeze()).await?;
            if (bi as usize) < hashes.len() {
                hashes[bi as usize] = h;
            } else {
                hashes.push(h);
            }
        }
    }
    let mut final_size = new_size;
    if let Some(nb) = req.header("x-object-bytes") {
        let nb: u64 = nb
            .trim()
            .parse()
            .map_err(|_| Fault::bad_request("Invalid X-Object-Bytes header"))?;
        if nb < final_size {
            let keep = nb.div_ceil(B) as usize;
            hashes.truncate(keep);
            if !nb.is_multiple_of(B) && keep > 0 {
                let bi = keep - 1;
                let old_len = (final_size - bi as u64 * B).min(B) as usize;
                let new_len = (nb - bi as u64 * B) as usize;
                let old = cloud
                    .blocks
                    .get_padded(&hashes[bi], old_len)
                    .await
                    .map_err(|e| Fault::internal(format!("Block store error: {e}")))?;
                hashes[bi] = store(cloud, old.slice(..new_len)).await?;
            }
            final_size = nb;
        }
    }
    let mut st = cloud.lock();
    let mut m = cur.meta.clone();
    apply_meta(&mut m, meta, true)?;
    let v = commit(
        &mut st,
        cloud,
        &req,
        user,
        acct,
        cont,
        name,
        NewData {
            bytes: final_size,
            hashes,
            md5: None,
        },
        cur.content_type.clone(),
        m,
        cur.content_encoding.clone(),
        cur.content_disposition.clone(),
        cur.manifest.clone(),
        None,
    )?;
    drop(st);
    let b = hdr(builder(204), "etag", &v.hash);
    let b = hdr(b, "x-object-version", &v.id.to_string());
    finish(b, full(Bytes::new()))
}

// ---------------------------------------------------------------------------
// Public URLs

/// `GET|HEAD /public/<token>`
pub(crate) async fn handle_public(cloud: &Arc<Cloud>, req: Req) -> R {
    if !matches!(req.method, Method::GET | Method::HEAD) {
        return Err(Fault::not_allowed("GET, HEAD"));
    }
    let token = req.segs.first().cloned().unwrap_or_default();
    let st = cloud.lock();
    let mut found = None;
    'outer: for (acct, a) in &st.accounts {
        for c in a.containers.values() {
            for (name, o, v) in c.live() {
                if o.public.as_deref() == Some(token.as_str()) && !token.is_empty() {
                    found = Some((acct.clone(), name.clone(), v.clone()));
                    break 'outer;
                }
            }
        }
    }
    let Some((acct, name, v)) = found else {
        return Err(Fault::not_found("Object does not exist"));
    };
    let etag = v.md5.clone().unwrap_or_else(|| v.hash.clone());
    check_preconditions(&req, Some((&etag, v.ts)), false)?;
    let src = match &v.manifest {
        Some(m) => manifest_source(&st, &acct, m),
        None => Source {
            files: vec![(v.hashes.clone(), v.bytes)],
        },
    };
    drop(st);
    let mut b = builder(200);
    b = hdr(b, "etag", &etag);
    b = hdr(b, "content-type", &v.content_type);
    b = hdr(b, "last-modified", &util::http_date(v.ts));
    if let Some(e) = &v.content_encoding {
        b = hdr(b, "content-encoding", &pct_header(e));
    }
    let base = name.rsplit('/').next().unwrap_or(&name);
    let dtype = req
        .q("disposition-type")
        .filter(|d| *d == "inline" || *d == "attachment")
        .unwrap_or("inline");
    let disp = v
        .content_disposition
        .clone()
        .unwrap_or_else(|| format!("{dtype}; filename=\"{}\"", pct_header(base)));
    b = hdr(b, "content-disposition", &disp);
    let ct = v.content_type.clone();
    data_response(cloud, &req, b, src, &ct, &etag, v.md5.as_deref(), v.ts)
}

// ---------------------------------------------------------------------------
// Helpers used by other services

/// Create (or overwrite) an object from in-memory data; returns its uuid.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn put_object_bytes(
    cloud: &Arc<Cloud>,
    owner: &str,
    cont: &str,
    name: &str,
    data: Bytes,
    content_type: &str,
    fixed_uuid: Option<String>,
) -> Result<String, Fault> {
    let mut hashes = Vec::new();
    let mut off = 0usize;
    while off < data.len() {
        let end = (off + BLOCK_SIZE).min(data.len());
        hashes.push(store(cloud, data.slice(off..end)).await?);
        off = end;
    }
    if hashes.is_empty() {
        hashes.push(EMPTY_HASH.to_string());
    }
    let now = util::now();
    let mut st = cloud.lock();
    let id = Counters::next(&mut st.counters.version);
    let project = st.default_project(owner);
    let a = st
        .accounts
        .entry(owner.to_string())
        .or_insert_with(|| Account {
            modified: now,
            ..Default::default()
        });
    let c = a
        .containers
        .entry(cont.to_string())
        .or_insert_with(|| Container::new(now, &project));
    let hash = merkle(&hashes);
    let o = c.objects.entry(name.to_string()).or_insert_with(|| Object {
        uuid: fixed_uuid.clone().unwrap_or_else(util::uuid4),
        versions: Vec::new(),
        sharing: None,
        public: None,
        image: None,
    });
    o.versions.push(Version {
        id,
        ts: now,
        deleted: false,
        bytes: data.len() as u64,
        hashes,
        hash,
        content_type: content_type.to_string(),
        meta: BTreeMap::new(),
        content_encoding: None,
        content_disposition: None,
        manifest: None,
        md5: None,
        modified_by: owner.to_string(),
    });
    let uuid = o.uuid.clone();
    c.modified = now;
    a.modified = now;
    Ok(uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canon_keys() {
        assert_eq!(canon("my_key"), "My-Key");
        assert_eq!(canon("COLOR"), "Color");
    }

    #[test]
    fn sharing_parse() {
        let s = parse_sharing("read=A,b; write=b").unwrap().unwrap();
        assert_eq!(s.read, vec!["a"]);
        assert_eq!(s.write, vec!["b"]);
        assert_eq!(s.render(), "read=a; write=b");
        assert!(parse_sharing("").unwrap().is_none());
        assert!(parse_sharing("read=").is_err());
        assert!(parse_sharing("foo=x").is_err());
        assert_eq!(parse_sharing("read=x,*").unwrap().unwrap().read, vec!["*"]);
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_ranges("bytes=0-3", 10).unwrap(), Some(vec![(0, 3)]));
        assert_eq!(parse_ranges("bytes=-3", 10).unwrap(), Some(vec![(7, 9)]));
        assert_eq!(parse_ranges("bytes=5-", 10).unwrap(), Some(vec![(5, 9)]));
        assert!(parse_ranges("bytes=0-10", 10).is_err());
        assert_eq!(parse_ranges("garbage", 10).unwrap(), None);
        assert_eq!(
            parse_ranges("bytes=0-1,4-5", 10).unwrap(),
            Some(vec![(0, 1), (4, 5)])
        );
    }

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range("bytes */*"), Some((None, None, None)));
        assert_eq!(
            parse_content_range("bytes 0-3/*"),
            Some((Some(0), Some(3), None))
        );
        assert_eq!(
            parse_content_range("bytes 4-/10"),
            Some((Some(4), None, Some(10)))
        );
    }
}
