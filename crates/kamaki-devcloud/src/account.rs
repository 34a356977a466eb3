//! Astakos account API (`/account/v1.0`): user catalogs, quotas, resources,
//! projects and memberships.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::Method;
use serde_json::{json, Map, Value};

use crate::state::{Counters, Membership, Project, State};
use crate::util::{self, empty_response, json_response, Fault, Req, R};
use crate::{Cloud, DevUser};

const GIB: u64 = 1 << 30;

/// (name, service, description, unit, limit)
const RESOURCES: &[(&str, &str, &str, Option<&str>, u64)] = &[
    (
        "astakos.pending_app",
        "astakos_account",
        "Number of pending project applications",
        None,
        5,
    ),
    (
        "cyclades.vm",
        "cyclades_compute",
        "Number of virtual machines",
        None,
        50,
    ),
    (
        "cyclades.total_cpu",
        "cyclades_compute",
        "Number of virtual machine processors",
        None,
        200,
    ),
    (
        "cyclades.cpu",
        "cyclades_compute",
        "Number of virtual machine processors of running VMs",
        None,
        200,
    ),
    (
        "cyclades.total_ram",
        "cyclades_compute",
        "Virtual machine memory",
        Some("bytes"),
        512 * GIB,
    ),
    (
        "cyclades.ram",
        "cyclades_compute",
        "Virtual machine memory of running VMs",
        Some("bytes"),
        512 * GIB,
    ),
    (
        "cyclades.disk",
        "cyclades_compute",
        "Virtual machine disk size",
        Some("bytes"),
        4096 * GIB,
    ),
    (
        "cyclades.floating_ip",
        "cyclades_network",
        "Number of Floating IP addresses",
        None,
        20,
    ),
    (
        "cyclades.network.private",
        "cyclades_network",
        "Number of private networks",
        None,
        20,
    ),
    (
        "pithos.diskspace",
        "pithos_object-store",
        "Pithos account diskspace",
        Some("bytes"),
        100 * GIB,
    ),
];

fn auth(cloud: &Cloud, req: &Req) -> Result<DevUser, Fault> {
    let t = req
        .token()
        .ok_or_else(|| Fault::unauthorized("No authentication token given"))?;
    cloud
        .user_by_token(&t)
        .cloned()
        .ok_or_else(|| Fault::unauthorized("Invalid token"))
}

/// `/ui/get_services`
pub(crate) async fn handle_ui(cloud: &Arc<Cloud>, req: Req) -> R {
    match (req.method.clone(), req.segs.first().map(String::as_str)) {
        (Method::GET, Some("get_services")) => json_response(
            200,
            &json!([
                {"id": "1", "name": "astakos", "url": format!("{}/ui", cloud.base), "icon": ""},
                {"id": "2", "name": "cyclades", "url": format!("{}/ui", cloud.base), "icon": ""},
                {"id": "3", "name": "pithos", "url": format!("{}/ui", cloud.base), "icon": ""}
            ]),
        ),
        _ => Err(Fault::endpoint_not_found()),
    }
}

/// Usage per (user, project, resource).
fn usage(st: &State, cloud: &Cloud) -> BTreeMap<(String, String), BTreeMap<&'static str, u64>> {
    let mut out: BTreeMap<(String, String), BTreeMap<&'static str, u64>> = BTreeMap::new();
    let mut add = |u: &str, p: &str, r: &'static str, n: u64| {
        *out.entry((u.to_string(), p.to_string()))
            .or_default()
            .entry(r)
            .or_insert(0) += n;
    };
    for s in st.servers.values().filter(|s| !s.deleted) {
        let f = crate::compute::flavor(s.flavor);
        let (cpu, ram, disk) =
            f.map_or((0, 0, 0), |f| (f.vcpus, f.ram * 1024 * 1024, f.disk * GIB));
        add(&s.user, &s.project, "cyclades.vm", 1);
        add(&s.user, &s.project, "cyclades.total_cpu", cpu);
        add(&s.user, &s.project, "cyclades.total_ram", ram);
        if s.status != "STOPPED" {
            add(&s.user, &s.project, "cyclades.cpu", cpu);
            add(&s.user, &s.project, "cyclades.ram", ram);
        }
        let _ = disk;
    }
    for v in st.volumes.values().filter(|v| !v.deleted) {
        add(&v.user, &v.project, "cyclades.disk", v.size * GIB);
    }
    for f in st.floating_ips.values() {
        add(&f.user, &f.project, "cyclades.floating_ip", 1);
    }
    for n in st.networks.values() {
        if let (Some(u), Some(p)) = (&n.user, &n.project) {
            add(u, p, "cyclades.network.private", 1);
        }
    }
    for (uuid, acct) in &st.accounts {
        if !cloud.is_known_uuid(uuid) {
            continue;
        }
        for c in acct.containers.values() {
            add(uuid, &c.project, "pithos.diskspace", c.count_and_bytes().1);
        }
    }
    out
}

fn user_quotas(st: &State, cloud: &Cloud, user: &str) -> Value {
    let usage = usage(st, cloud);
    let mut projects: Vec<String> = vec![user.to_string()];
    for m in st.memberships.values() {
        if m.user == user && m.state == "accepted" && !projects.contains(&m.project) {
            projects.push(m.project.clone());
        }
    }
    let mut out = Map::new();
    for p in projects {
        let mut res = Map::new();
        let system = p == user;
        let proj = st.projects.get(&p);
        for (name, _, _, _, limit) in RESOURCES {
            let member_limit = if system {
                *limit
            } else {
                proj.and_then(|pr| pr.spec.get("resources"))
                    .and_then(|r| r.get(*name))
                    .and_then(|r| r.get("member_capacity"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            let project_limit = if system {
                *limit
            } else {
                proj.and_then(|pr| pr.spec.get("resources"))
                    .and_then(|r| r.get(*name))
                    .and_then(|r| r.get("project_capacity"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            let used = usage
                .get(&(user.to_string(), p.clone()))
                .and_then(|m| m.get(name))
                .copied()
                .unwrap_or(0);
            let project_used: u64 = usage
                .iter()
                .filter(|((_, pp), _)| *pp == p)
                .filter_map(|(_, m)| m.get(name))
                .sum();
            res.insert(
                (*name).into(),
                json!({"limit": member_limit, "usage": used, "pending": 0,
                       "project_limit": project_limit, "project_usage": project_used, "project_pending": 0}),
            );
        }
        out.insert(p, Value::Object(res));
    }
    Value::Object(out)
}

fn project_json(st: &State, p: &Project, viewer: &str) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(p.id));
    o.insert("state".into(), json!(p.state));
    o.insert("creation_date".into(), json!(util::iso(p.created)));
    for key in [
        "name",
        "homepage",
        "description",
        "end_date",
        "join_policy",
        "leave_policy",
        "max_members",
        "private",
    ] {
        o.insert(key.into(), p.spec.get(key).cloned().unwrap_or(Value::Null));
    }
    o.insert("owner".into(), json!(p.owner));
    o.insert("system_project".into(), json!(p.system));
    o.insert(
        "resources".into(),
        p.spec
            .get("resources")
            .cloned()
            .unwrap_or_else(|| json!({})),
    );
    if p.owner == viewer && !p.system {
        let mut app = p.spec.clone();
        app.insert("id".into(), json!(p.application));
        app.insert("state".into(), json!("approved"));
        app.insert("owner".into(), json!(p.owner));
        app.insert("applicant".into(), json!(p.owner));
        o.insert("last_application".into(), Value::Object(app));
    }
    let _ = st;
    Value::Object(o)
}

fn membership_json(m: &Membership) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(m.id));
    o.insert("user".into(), json!(m.user));
    o.insert("project".into(), json!(m.project));
    o.insert("state".into(), json!(m.state));
    let allowed: Vec<&str> = match m.state.as_str() {
        "accepted" => vec!["leave", "remove"],
        "requested" => vec!["cancel", "accept", "reject"],
        _ => vec![],
    };
    o.insert("allowed_actions".into(), json!(allowed));
    for (k, v) in &m.dates {
        o.insert(k.clone(), json!(util::iso(*v)));
    }
    Value::Object(o)
}

fn visible(st: &State, p: &Project, user: &str) -> bool {
    p.owner == user
        || p.id == user
        || st
            .memberships
            .values()
            .any(|m| m.project == p.id && m.user == user)
        || (!p.system && p.state == "active" && p.spec.get("private") != Some(&json!(true)))
}

pub(crate) async fn handle(cloud: &Arc<Cloud>, mut req: Req) -> R {
    let segs: Vec<String> = req.segs.clone();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let method = req.method.clone();

    // resources need no token
    if let (&Method::GET, ["resources"]) = (&method, segs.as_slice()) {
        let mut out = Map::new();
        for (name, service, desc, unit, _) in RESOURCES {
            out.insert(
                (*name).into(),
                json!({"service": service, "description": desc, "unit": unit,
                       "ui_visible": true, "api_visible": true}),
            );
        }
        return json_response(200, &Value::Object(out));
    }
    let user = auth(cloud, &req)?;

    match (method, segs.as_slice()) {
        (Method::POST, ["user_catalogs"]) | (Method::POST, ["service", "user_catalogs"]) => {
            let service = segs[0] == "service";
            let body = req.json().await?;
            let mut uuid_catalog = Map::new();
            let mut name_catalog = Map::new();
            match body.get("uuids") {
                Some(Value::Array(list)) => {
                    for u in list.iter().filter_map(Value::as_str) {
                        if let Some(n) = cloud.name_of(u) {
                            uuid_catalog.insert(u.into(), json!(n));
                        }
                    }
                }
                Some(Value::Null) if service => {
                    for u in &cloud.cfg.users {
                        uuid_catalog.insert(u.uuid.clone(), json!(u.name));
                    }
                }
                None | Some(Value::Null) => {}
                Some(_) => return Err(Fault::bad_request("uuids must be a list")),
            }
            match body.get("displaynames") {
                Some(Value::Array(list)) => {
                    for n in list {
                        let n = n.as_str().ok_or_else(|| {
                            Fault::bad_request("displaynames must be a list of strings")
                        })?;
                        if let Some(u) = cloud.uuid_of(n) {
                            name_catalog.insert(n.into(), json!(u));
                        }
                    }
                }
                Some(Value::Null) if service => {
                    for u in &cloud.cfg.users {
                        name_catalog.insert(u.name.clone(), json!(u.uuid));
                    }
                }
                None | Some(Value::Null) => {}
                Some(_) => {
                    return Err(Fault::bad_request("displaynames must be a list of strings"))
                }
            }
            json_response(
                200,
                &json!({"uuid_catalog": uuid_catalog, "displayname_catalog": name_catalog}),
            )
        }
        (Method::GET, ["quotas"]) => {
            let st = cloud.lock();
            json_response(200, &user_quotas(&st, cloud, &user.uuid))
        }
        (Method::GET, ["service_quotas"]) => {
            let st = cloud.lock();
            let wanted: Vec<String> = match req.q("user") {
                Some(u) if !u.is_empty() => u.split(',').map(str::to_string).collect(),
                _ => cloud.cfg.users.iter().map(|u| u.uuid.clone()).collect(),
            };
            let mut out = Map::new();
            for u in &wanted {
                if cloud.user_by_uuid(u).is_none() {
                    return Err(Fault::not_found(format!("User {u} not found")));
                }
                out.insert(u.clone(), user_quotas(&st, cloud, u));
            }
            json_response(200, &Value::Object(out))
        }
        (Method::GET, ["service_project_quotas"]) => {
            let st = cloud.lock();
            let mut out = Map::new();
            for u in &cloud.cfg.users {
                if let Value::Object(m) = user_quotas(&st, cloud, &u.uuid) {
                    for (p, res) in m {
                        let mut r = Map::new();
                        if let Value::Object(res) = res {
                            for (k, v) in res {
                                r.insert(
                                    k,
                                    json!({"project_limit": v["project_limit"], "project_usage": v["project_usage"], "project_pending": 0}),
                                );
                            }
                        }
                        out.insert(p, Value::Object(r));
                    }
                }
            }
            json_response(200, &Value::Object(out))
        }
        (Method::GET, ["commissions"]) => json_response(200, &json!([])),
        (Method::GET, ["commissions", _]) => Err(Fault::not_found("").bare()),
        (Method::POST, ["myaccount", "default_project"]) => {
            let body = req.json().await?;
            let pid = body
                .get("project_id")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::forbidden("project_id is required"))?
                .to_string();
            let mut st = cloud.lock();
            if !st.projects.contains_key(&pid) {
                return Err(Fault::not_found(format!("Project {pid} not found")));
            }
            st.default_projects.insert(user.uuid.clone(), pid);
            empty_response(200)
        }
        (Method::POST, ["feedback"]) => empty_response(200),
        (Method::GET, ["projects"]) => {
            let st = cloud.lock();
            let mode = req.q("mode").unwrap_or("default");
            if !["member", "related", "default", "active"].contains(&mode) {
                return Err(Fault::bad_request(format!("Unrecognized mode '{mode}'")));
            }
            if let Some(s) = req.q("state") {
                if ![
                    "uninitialized",
                    "active",
                    "suspended",
                    "terminated",
                    "deleted",
                ]
                .contains(&s)
                {
                    return Err(Fault::bad_request("Unrecognized state"));
                }
            }
            let list: Vec<Value> = st
                .projects
                .values()
                .filter(|p| visible(&st, p, &user.uuid))
                .filter(|p| {
                    req.q("name")
                        .is_none_or(|n| p.spec.get("name") == Some(&json!(n)))
                })
                .filter(|p| req.q("state").is_none_or(|s| p.state == s))
                .filter(|p| req.q("owner").is_none_or(|o| p.owner == o))
                .map(|p| project_json(&st, p, &user.uuid))
                .collect();
            json_response(200, &Value::Array(list))
        }
        (Method::POST, ["projects"]) => {
            let spec = req.json().await?;
            for key in ["name", "end_date"] {
                if !spec.get(key).is_some_and(|v| v.is_string()) {
                    return Err(Fault::bad_request(format!("Missing or invalid '{key}'")));
                }
            }
            let mut st = cloud.lock();
            let id = util::uuid4();
            let app = Counters::next(&mut st.counters.application);
            let owner = spec
                .get("owner")
                .and_then(Value::as_str)
                .unwrap_or(&user.uuid)
                .to_string();
            let mut spec = spec;
            for (k, v) in [
                ("join_policy", json!("moderated")),
                ("leave_policy", json!("auto")),
                ("max_members", json!(null)),
                ("private", json!(false)),
                ("homepage", json!("")),
                ("description", json!("")),
                ("resources", json!({})),
            ] {
                spec.entry(k.to_string()).or_insert(v);
            }
            let now = util::now();
            st.projects.insert(
                id.clone(),
                Project {
                    id: id.clone(),
                    state: "active".into(),
                    created: now,
                    spec,
                    owner: owner.clone(),
                    system: false,
                    application: app,
                },
            );
            let mid = Counters::next(&mut st.counters.membership);
            st.memberships.insert(
                mid,
                Membership {
                    id: mid,
                    user: owner,
                    project: id.clone(),
                    state: "accepted".into(),
                    dates: [
                        ("requested".to_string(), now),
                        ("accepted".to_string(), now),
                    ]
                    .into(),
                },
            );
            json_response(201, &json!({"id": id, "application": app}))
        }
        (Method::GET, ["projects", "memberships"]) => {
            let st = cloud.lock();
            let project = req.q("project");
            let list: Vec<Value> = st
                .memberships
                .values()
                .filter(|m| {
                    m.user == user.uuid
                        || st
                            .projects
                            .get(&m.project)
                            .is_some_and(|p| p.owner == user.uuid)
                })
                .filter(|m| project.is_none_or(|p| m.project == p))
                .map(membership_json)
                .collect();
            json_response(200, &Value::Array(list))
        }
        (Method::POST, ["projects", "memberships"]) => {
            let body = req.json().await?;
            let mut st = cloud.lock();
            let (project, member, state) = if let Some(j) = body.get("join") {
                let pid = j
                    .get("project")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Fault::bad_request("Missing project"))?;
                let p = st
                    .projects
                    .get(pid)
                    .ok_or_else(|| Fault::not_found(format!("Project {pid} not found")))?;
                if p.system {
                    return Err(Fault::forbidden("Cannot join a system project"));
                }
                let auto = p.spec.get("join_policy") == Some(&json!("auto"));
                (
                    pid.to_string(),
                    user.uuid.clone(),
                    if auto { "accepted" } else { "requested" },
                )
            } else if let Some(e) = body.get("enroll") {
                let pid = e
                    .get("project")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Fault::bad_request("Missing project"))?;
                let email = e
                    .get("user")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Fault::bad_request("Missing user"))?;
                let p = st
                    .projects
                    .get(pid)
                    .ok_or_else(|| Fault::not_found(format!("Project {pid} not found")))?;
                if p.owner != user.uuid {
                    return Err(Fault::forbidden(
                        "Only the project owner can enroll members",
                    ));
                }
                let uuid = cloud
                    .uuid_of(email)
                    .ok_or_else(|| Fault::bad_request(format!("Unknown user {email}")))?;
                (pid.to_string(), uuid, "accepted")
            } else {
                return Err(Fault::bad_request("Unknown action"));
            };
            if st.memberships.values().any(|m| {
                m.project == project
                    && m.user == member
                    && ["accepted", "requested"].contains(&m.state.as_str())
            }) {
                return Err(Fault::conflict("Already a member or membership pending"));
            }
            let id = Counters::next(&mut st.counters.membership);
            let now = util::now();
            let mut dates = BTreeMap::new();
            dates.insert("requested".to_string(), now);
            if state == "accepted" {
                dates.insert("accepted".to_string(), now);
            }
            st.memberships.insert(
                id,
                Membership {
                    id,
                    user: member,
                    project,
                    state: state.into(),
                    dates,
                },
            );
            json_response(200, &json!({"id": id}))
        }
        (Method::GET, ["projects", "memberships", mid]) => {
            let st = cloud.lock();
            let m = mid
                .parse::<u64>()
                .ok()
                .and_then(|id| st.memberships.get(&id))
                .ok_or_else(|| Fault::not_found(format!("Membership {mid} not found")))?;
            json_response(200, &membership_json(m))
        }
        (Method::POST, ["projects", "memberships", mid, "action"]) => {
            let body = req.json().await?;
            let action = body.keys().next().cloned().unwrap_or_default();
            let mut st = cloud.lock();
            let m = mid
                .parse::<u64>()
                .ok()
                .and_then(|id| st.memberships.get_mut(&id))
                .ok_or_else(|| Fault::not_found(format!("Membership {mid} not found")))?;
            let new_state = match action.as_str() {
                "leave" => "removed",
                "cancel" => "cancelled",
                "accept" => "accepted",
                "reject" => "rejected",
                "remove" => "removed",
                _ => return Err(Fault::bad_request(format!("Unknown action '{action}'"))),
            };
            m.state = new_state.into();
            m.dates.insert(new_state.into(), util::now());
            empty_response(200)
        }
        (Method::GET, ["projects", pid]) => {
            let st = cloud.lock();
            let p = st
                .projects
                .get(*pid)
                .filter(|p| visible(&st, p, &user.uuid))
                .ok_or_else(|| Fault::not_found(format!("Project {pid} not found")))?;
            json_response(200, &project_json(&st, p, &user.uuid))
        }
        (Method::PUT, ["projects", pid]) => {
            let spec = req.json().await?;
            let mut st = cloud.lock();
            let app = Counters::next(&mut st.counters.application);
            let p = st
                .projects
                .get_mut(*pid)
                .ok_or_else(|| Fault::not_found(format!("Project {pid} not found")))?;
            if p.owner != user.uuid || p.system {
                return Err(Fault::forbidden("Not allowed to modify this project"));
            }
            for (k, v) in spec {
                p.spec.insert(k, v);
            }
            p.application = app;
            json_response(201, &json!({"id": pid, "application": app}))
        }
        (Method::POST, ["projects", pid, "action"]) => {
            let body = req.json().await?;
            let action = body.keys().next().cloned().unwrap_or_default();
            let mut st = cloud.lock();
            let p = st
                .projects
                .get_mut(*pid)
                .ok_or_else(|| Fault::not_found(format!("Project {pid} not found")))?;
            if p.owner != user.uuid {
                return Err(Fault::forbidden("Not allowed"));
            }
            match action.as_str() {
                "suspend" => p.state = "suspended".into(),
                "unsuspend" | "reinstate" => p.state = "active".into(),
                "terminate" => p.state = "terminated".into(),
                "approve" | "deny" | "dismiss" | "cancel" => {}
                _ => return Err(Fault::bad_request(format!("Unknown action '{action}'"))),
            }
            empty_response(200)
        }
        _ => Err(Fault::endpoint_not_found()),
    }
}
