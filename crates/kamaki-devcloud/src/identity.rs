//! Astakos identity (`/identity/v2.0`): tokens and the service catalog.

use std::sync::Arc;

use http::Method;
use serde_json::{json, Value};

use crate::state::{Account, Container, Project};
use crate::util::{self, json_response, Fault, Req, R};
use crate::{Cloud, DevUser};

/// Create per-user accounts, the default `pithos` container and system projects.
pub(crate) fn seed(cloud: &Arc<Cloud>) {
    let now = util::now();
    let mut st = cloud.lock();
    for u in &cloud.cfg.users {
        let acct = st
            .accounts
            .entry(u.uuid.clone())
            .or_insert_with(|| Account {
                modified: now,
                ..Default::default()
            });
        if acct.containers.is_empty() {
            // `pithos` is kamaki's default container; `images` and `snapshots`
            // let the kamaki tutorial scripts run on a fresh cloud.
            for c in ["pithos", "images", "snapshots"] {
                acct.containers
                    .insert(c.into(), Container::new(now, &u.uuid));
            }
        }
        st.projects.entry(u.uuid.clone()).or_insert_with(|| {
            let mut spec = serde_json::Map::new();
            spec.insert("name".into(), json!(format!("system:{}", u.uuid)));
            spec.insert(
                "description".into(),
                json!(format!("System project for user {}", u.name)),
            );
            spec.insert("homepage".into(), json!(""));
            spec.insert("end_date".into(), json!("2100-01-01T00:00:00+00:00"));
            spec.insert("join_policy".into(), json!("closed"));
            spec.insert("leave_policy".into(), json!("closed"));
            spec.insert("max_members".into(), json!(1));
            spec.insert("private".into(), json!(true));
            Project {
                id: u.uuid.clone(),
                state: "active".into(),
                created: now,
                spec,
                owner: u.uuid.clone(),
                system: true,
                application: 0,
            }
        });
    }
}

/// The service catalog, every endpoint pointing at this server.
pub(crate) fn catalog(cloud: &Cloud) -> Value {
    let b = &cloud.base;
    let ui = format!("{b}/ui");
    let entry = |name: &str, kind: &str, version: &str, path: &str| {
        json!({
            "name": name,
            "type": kind,
            "endpoints_links": [],
            "endpoints": [{
                "versionId": version,
                "region": "default",
                "publicURL": format!("{b}{path}"),
                "SNF:uiURL": ui,
            }]
        })
    };
    json!([
        entry("astakos_account", "account", "v1.0", "/account/v1.0"),
        entry("astakos_identity", "identity", "v2.0", "/identity/v2.0"),
        entry("astakos_ui", "astakos_ui", "", "/ui"),
        entry("cyclades_compute", "compute", "v2.0", "/compute/v2.0"),
        entry("cyclades_network", "network", "v2.0", "/network/v2.0"),
        entry("cyclades_volume", "volume", "v2.0", "/volume/v2.0"),
        entry("cyclades_plankton", "image", "v1.0", "/image/v1.0"),
        entry(
            "pithos_object-store",
            "object-store",
            "v1",
            "/object-store/v1"
        ),
        entry("pithos_public", "pithos_public", "", "/public"),
    ])
}

fn user_projects(cloud: &Cloud, uuid: &str) -> Vec<String> {
    let st = cloud.lock();
    let mut out = vec![uuid.to_string()];
    for m in st.memberships.values() {
        if m.user == uuid && m.state == "accepted" {
            if let Some(p) = st.projects.get(&m.project) {
                if p.state == "active" && !out.contains(&p.id) {
                    out.push(p.id.clone());
                }
            }
        }
    }
    for p in st.projects.values() {
        if p.owner == uuid && p.state == "active" && !out.contains(&p.id) && !p.system {
            out.push(p.id.clone());
        }
    }
    out
}

fn token_and_user(cloud: &Cloud, u: &DevUser) -> (Value, Value) {
    let default_project = cloud.lock().default_project(&u.uuid);
    let expires = util::iso(util::now() + 30.0 * 86_400.0);
    (
        json!({
            "id": u.token,
            "expires": expires,
            "tenant": {"id": default_project, "name": u.name},
        }),
        json!({
            "id": u.uuid,
            "name": u.name,
            "roles": [{"id": "1", "name": "default"}],
            "roles_links": [],
            "projects": user_projects(cloud, &u.uuid),
        }),
    )
}

/// Version document for a bare `/identity` (unversioned URLs are not an API).
pub(crate) async fn handle_versions(_cloud: &Arc<Cloud>, _req: Req) -> R {
    Err(Fault::endpoint_not_found())
}

pub(crate) async fn handle(cloud: &Arc<Cloud>, mut req: Req) -> R {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    match (req.method.clone(), segs.as_slice()) {
        (Method::POST, ["tokens"]) => {
            let body = req.json_opt().await?;
            let Some(body) = body else {
                return json_response(200, &json!({"access": {"serviceCatalog": catalog(cloud)}}));
            };
            let auth = body
                .get("auth")
                .and_then(Value::as_object)
                .ok_or_else(|| Fault::bad_request("Malformed request: missing credentials"))?;
            let token = if let Some(t) = auth
                .get("token")
                .and_then(|t| t.get("id"))
                .and_then(Value::as_str)
            {
                Some(t.to_string())
            } else if let Some(pc) = auth.get("passwordCredentials") {
                let user = pc.get("username").and_then(Value::as_str).unwrap_or("");
                let pass = pc.get("password").and_then(Value::as_str).unwrap_or("");
                match cloud.user_by_token(pass) {
                    Some(u) if u.uuid == user => Some(pass.to_string()),
                    _ => return Err(Fault::unauthorized("Invalid credentials")),
                }
            } else {
                None
            };
            let token = token
                .ok_or_else(|| Fault::bad_request("Malformed request: missing credentials"))?;
            let user = cloud
                .user_by_token(&token)
                .cloned()
                .ok_or_else(|| Fault::unauthorized("Invalid token"))?;
            if let Some(tenant) = auth.get("tenantName").and_then(Value::as_str) {
                if tenant != user.uuid {
                    return Err(Fault::bad_request("Not conforming tenantName"));
                }
            }
            let (tok, usr) = token_and_user(cloud, &user);
            json_response(
                200,
                &json!({"access": {"token": tok, "user": usr, "serviceCatalog": catalog(cloud)}}),
            )
        }
        (Method::GET, ["tokens", id]) => {
            let user = cloud
                .user_by_token(id)
                .cloned()
                .ok_or_else(|| Fault::not_found("Invalid token"))?;
            if let Some(scope) = req.q("belongsTo") {
                if !scope.is_empty()
                    && scope != user.uuid
                    && !user_projects(cloud, &user.uuid).iter().any(|p| p == scope)
                {
                    return Err(Fault::not_found("Token does not belong to the given scope"));
                }
            }
            let (tok, usr) = token_and_user(cloud, &user);
            json_response(200, &json!({"access": {"token": tok, "user": usr}}))
        }
        (_, ["tokens"]) => Err(Fault::not_allowed("POST")),
        _ => Err(Fault::endpoint_not_found()),
    }
}
