//! The Synnefo account API (`/account/v1.0`): user catalogs, resources,
//! quotas, commissions, projects and memberships (`spec/identity-astakos.md` §5).

use std::collections::BTreeMap;

use http::Method;
use kamaki_core::{ClientError, Endpoint, HttpClient, QueryParams};
use kamaki_openstack::Extra;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// uuid → display name and display name → uuid maps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserCatalogs {
    /// uuid → display name (only the uuids the server knows).
    #[serde(default)]
    pub uuid_catalog: BTreeMap<String, String>,
    /// display name → uuid (only the names the server knows).
    #[serde(default)]
    pub displayname_catalog: BTreeMap<String, String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A quota-managed resource (`cyclades.vm`, `pithos.diskspace`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The service that manages it.
    #[serde(default)]
    pub service: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// Its unit (`bytes`) or none for plain counts.
    #[serde(default)]
    pub unit: Option<String>,
    /// Whether the web UI shows it.
    #[serde(default)]
    pub ui_visible: bool,
    /// Whether the API shows it.
    #[serde(default)]
    pub api_visible: bool,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Limits and usage of one resource in one project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaValues {
    /// The user's limit in the project.
    #[serde(default)]
    pub limit: i64,
    /// The user's usage in the project.
    #[serde(default)]
    pub usage: i64,
    /// Usage committed but not yet accepted.
    #[serde(default)]
    pub pending: i64,
    /// The project's limit for all members.
    #[serde(default)]
    pub project_limit: i64,
    /// The project's usage by all members.
    #[serde(default)]
    pub project_usage: i64,
    /// The project's pending usage.
    #[serde(default)]
    pub project_pending: i64,
}

impl QuotaValues {
    /// The effective per-user limit: `min(limit, project_limit - (project_usage - usage))`.
    ///
    /// ```
    /// use kamaki_synnefo::astakos::QuotaValues;
    /// let q = QuotaValues { limit: 4, usage: 0, project_limit: 40, project_usage: 38, ..Default::default() };
    /// assert_eq!(q.effective_limit(), 2);
    /// ```
    pub fn effective_limit(&self) -> i64 {
        self.limit
            .min(self.project_limit - (self.project_usage - self.usage))
    }
}

/// project uuid → resource name → values.
pub type Quotas = BTreeMap<String, BTreeMap<String, QuotaValues>>;

/// user uuid → project uuid → resource name → values.
pub type ServiceQuotas = BTreeMap<String, Quotas>;

/// A resource request in project specifications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCapacity {
    /// The limit for the whole project.
    pub project_capacity: i64,
    /// The limit for each member.
    pub member_capacity: i64,
}

/// Project specifications, for [`create_project`](crate::astakos::AstakosClient::create_project)
/// (name, end date and resources required) and
/// [`modify_project`](crate::astakos::AstakosClient::modify_project) (any subset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectSpecs {
    /// The project name (a domain-like name such as `lab.example.org`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The owner's uuid (project admins only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// A home page URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Comments for the reviewers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    /// Start date (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// End date (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// `auto`, `moderated` or `closed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_policy: Option<String>,
    /// `auto`, `moderated` or `closed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leave_policy: Option<String>,
    /// Maximum number of members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_members: Option<i64>,
    /// Whether the project is private.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Resources asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeMap<String, ResourceCapacity>>,
    /// Further fields, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// The project uuid.
    pub id: String,
    /// `uninitialized`, `active`, `suspended`, `terminated` or `deleted`.
    #[serde(default)]
    pub state: String,
    /// The project name.
    #[serde(default)]
    pub name: String,
    /// The owner's uuid.
    #[serde(default)]
    pub owner: Option<String>,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// The home page.
    #[serde(default)]
    pub homepage: Option<String>,
    /// Creation date.
    #[serde(default)]
    pub creation_date: Option<String>,
    /// End date.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Join policy.
    #[serde(default)]
    pub join_policy: Option<String>,
    /// Leave policy.
    #[serde(default)]
    pub leave_policy: Option<String>,
    /// Maximum number of members.
    #[serde(default)]
    pub max_members: Option<i64>,
    /// Whether the project is private.
    #[serde(default)]
    pub private: bool,
    /// True for a user's personal (system) project.
    #[serde(default)]
    pub system_project: bool,
    /// Resources granted.
    #[serde(default)]
    pub resources: BTreeMap<String, ResourceCapacity>,
    /// The last application, for its applicants.
    #[serde(default)]
    pub last_application: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a project creation or modification returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectApplicationRef {
    /// The project uuid.
    pub id: String,
    /// The application id.
    #[serde(default)]
    pub application: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Filters of [`get_projects`](crate::astakos::AstakosClient::get_projects).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilters {
    /// Exact project name.
    pub name: Option<String>,
    /// Project state (`active`, …).
    pub state: Option<String>,
    /// Owner uuid.
    pub owner: Option<String>,
    /// `member`, `related`, `default` or `active`.
    pub mode: Option<String>,
}

/// A project membership.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// The membership id.
    pub id: Value,
    /// The member's uuid.
    #[serde(default)]
    pub user: String,
    /// The project uuid.
    #[serde(default)]
    pub project: String,
    /// `requested`, `accepted`, `leave_requested`, `suspended`, …
    #[serde(default)]
    pub state: String,
    /// Actions the caller may take.
    #[serde(default)]
    pub allowed_actions: Vec<String>,
    /// Dates, keyed by the state reached, and fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One provision of a commission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// `user:<uuid>` or `project:<uuid>`.
    pub holder: String,
    /// `project:<uuid>`, or none for project holders.
    pub source: Option<String>,
    /// The resource name.
    pub resource: String,
    /// The quantity (negative to release).
    pub quantity: i64,
}

/// kamaki's `mk_provisions`: the user/project provision pair for taking
/// `quantity` of `resource` from project `source` for user `holder`.
///
/// ```
/// use kamaki_synnefo::astakos::mk_provisions;
/// let p = mk_provisions("u1", "p1", "cyclades.vm", 1);
/// assert_eq!(p[0].holder, "user:u1");
/// assert_eq!(p[0].source.as_deref(), Some("project:p1"));
/// assert_eq!(p[1].holder, "project:p1");
/// assert_eq!(p[1].source, None);
/// ```
pub fn mk_provisions(holder: &str, source: &str, resource: &str, quantity: i64) -> [Provision; 2] {
    [
        Provision {
            holder: format!("user:{holder}"),
            source: Some(format!("project:{source}")),
            resource: resource.to_string(),
            quantity,
        },
        Provision {
            holder: format!("project:{source}"),
            source: None,
            resource: resource.to_string(),
            quantity,
        },
    ]
}

/// A commission to issue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commission {
    /// A name for it.
    pub name: String,
    /// Issue even over the limits.
    pub force: bool,
    /// Accept it at once.
    pub auto_accept: bool,
    /// What it provisions.
    pub provisions: Vec<Provision>,
}

/// What [`resolve_commissions`](crate::astakos::AstakosClient::resolve_commissions) returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResolvedCommissions {
    /// Serials accepted.
    #[serde(default)]
    pub accepted: Vec<i64>,
    /// Serials rejected.
    #[serde(default)]
    pub rejected: Vec<i64>,
    /// `[serial, fault]` pairs that failed.
    #[serde(default)]
    pub failed: Vec<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The account API at one endpoint (`…/account/v1.0`).
#[derive(Clone, Debug)]
pub struct AccountApi {
    pub(crate) http: HttpClient,
    pub(crate) endpoint: Endpoint,
}

fn non_empty(what: &str, value: &str) -> Result<(), ClientError> {
    if value.trim().is_empty() {
        return Err(ClientError::invalid_argument(format!(
            "{what} must not be empty"
        )));
    }
    Ok(())
}

const PROJECT_ACTIONS: [&str; 4] = ["suspend", "unsuspend", "terminate", "reinstate"];
const APPLICATION_ACTIONS: [&str; 4] = ["approve", "deny", "dismiss", "cancel"];
const MEMBERSHIP_ACTIONS: [&str; 5] = ["leave", "cancel", "accept", "reject", "remove"];

fn check_action(kind: &str, action: &str, allowed: &[&str]) -> Result<(), ClientError> {
    if allowed.contains(&action) {
        Ok(())
    } else {
        Err(ClientError::invalid_argument(format!(
            "unknown {kind} action {action:?}; one of: {}",
            allowed.join(", ")
        )))
    }
}

async fn json_or_null(resp: kamaki_core::Response) -> Result<Value, ClientError> {
    let status = resp.status();
    let body = resp.bytes().await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&body).map_err(|e| ClientError::decode(status, e))
}

impl AccountApi {
    /// The account API at `endpoint` (e.g. `https://accounts.example.org/account/v1.0`).
    ///
    /// # Errors
    /// An invalid-argument error for a malformed URL.
    pub fn new(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        Ok(AccountApi {
            http,
            endpoint: Endpoint::new(endpoint_url, Some("1.0"))?,
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn req(&self, method: Method, path: &[&str]) -> kamaki_core::RequestBuilder {
        let mut url = self.endpoint.path();
        for p in path {
            url = url.seg(p);
        }
        self.http.request(method, url)
    }

    /// `POST /user_catalogs` (or `/service/user_catalogs` with a service token).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn user_catalogs(
        &self,
        uuids: Option<&[String]>,
        displaynames: Option<&[String]>,
        service: bool,
    ) -> Result<UserCatalogs, ClientError> {
        let mut body = serde_json::Map::new();
        if let Some(u) = uuids {
            body.insert("uuids".into(), json!(u));
        }
        if let Some(d) = displaynames {
            body.insert("displaynames".into(), json!(d));
        }
        let path: &[&str] = if service {
            &["service", "user_catalogs"]
        } else {
            &["user_catalogs"]
        };
        self.req(Method::POST, path)
            .json(&body)
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /resources`.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_resources(&self) -> Result<BTreeMap<String, Resource>, ClientError> {
        self.req(Method::GET, &["resources"])
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /quotas`: the caller's quotas per project.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_quotas(&self) -> Result<Quotas, ClientError> {
        self.req(Method::GET, &["quotas"])
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /service_quotas[?user=…&project=…]` (service token).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn service_get_quotas(
        &self,
        users: &[String],
        projects: &[String],
    ) -> Result<ServiceQuotas, ClientError> {
        let mut q = QueryParams::new();
        if !users.is_empty() {
            q.push("user", users.join(","));
        }
        if !projects.is_empty() {
            q.push("project", projects.join(","));
        }
        self.req(Method::GET, &["service_quotas"])
            .query(&q)
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /service_project_quotas[?project=…]` (service token).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn service_get_project_quotas(
        &self,
        projects: &[String],
    ) -> Result<Quotas, ClientError> {
        let mut q = QueryParams::new();
        if !projects.is_empty() {
            q.push("project", projects.join(","));
        }
        self.req(Method::GET, &["service_project_quotas"])
            .query(&q)
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `POST /commissions` (service token): returns the serial.
    ///
    /// # Errors
    /// Server errors as [`ClientError`]; 413 when a limit would be exceeded.
    pub async fn issue_commission(&self, commission: &Commission) -> Result<i64, ClientError> {
        if commission.provisions.is_empty() {
            return Err(ClientError::invalid_argument(
                "a commission needs at least one provision",
            ));
        }
        let v: Value = self
            .req(Method::POST, &["commissions"])
            .json(commission)
            .expect_status(&[201])
            .send_json()
            .await?;
        v.get("serial")
            .and_then(Value::as_i64)
            .ok_or_else(|| ClientError::decode(201, "no serial in the commission response"))
    }

    /// `GET /commissions`: pending commission serials.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_pending_commissions(&self) -> Result<Vec<i64>, ClientError> {
        self.req(Method::GET, &["commissions"])
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /commissions/<serial>`.
    ///
    /// # Errors
    /// Server errors as [`ClientError`] (404 for an unknown serial).
    pub async fn get_commission_info(&self, serial: i64) -> Result<Value, ClientError> {
        self.req(Method::GET, &["commissions", &serial.to_string()])
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `POST /commissions/<serial>/action` with `accept` or `reject`.
    ///
    /// # Errors
    /// Invalid argument for another action; server errors as [`ClientError`].
    pub async fn commission_action(&self, serial: i64, action: &str) -> Result<(), ClientError> {
        check_action("commission", action, &["accept", "reject"])?;
        self.req(
            Method::POST,
            &["commissions", &serial.to_string(), "action"],
        )
        .json(&json!({ action: "" }))
        .expect_status(&[200])
        .send_bytes()
        .await
        .map(drop)
    }

    /// `POST /commissions/action` accepting and rejecting several serials.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn resolve_commissions(
        &self,
        accept: &[i64],
        reject: &[i64],
    ) -> Result<ResolvedCommissions, ClientError> {
        self.req(Method::POST, &["commissions", "action"])
            .json(&json!({"accept": accept, "reject": reject}))
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /projects[?name=&state=&owner=&mode=]`.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_projects(
        &self,
        filters: &ProjectFilters,
    ) -> Result<Vec<Project>, ClientError> {
        let mut q = QueryParams::new();
        q.push_opt("name", filters.name.as_deref())
            .push_opt("state", filters.state.as_deref())
            .push_opt("owner", filters.owner.as_deref())
            .push_opt("mode", filters.mode.as_deref());
        self.req(Method::GET, &["projects"])
            .query(&q)
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /projects/<id>`.
    ///
    /// # Errors
    /// Invalid argument for an empty id; server errors as [`ClientError`].
    pub async fn get_project(&self, project_id: &str) -> Result<Project, ClientError> {
        non_empty("project id", project_id)?;
        self.req(Method::GET, &["projects", project_id])
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `POST /projects` with the specifications.
    ///
    /// # Errors
    /// Invalid argument when name, end date or resources are missing; server
    /// errors as [`ClientError`].
    pub async fn create_project(
        &self,
        specs: &ProjectSpecs,
    ) -> Result<ProjectApplicationRef, ClientError> {
        if specs.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(ClientError::invalid_argument("a project needs a name"));
        }
        if specs.end_date.is_none() {
            return Err(ClientError::invalid_argument("a project needs an end date"));
        }
        self.req(Method::POST, &["projects"])
            .json(specs)
            .expect_status(&[201])
            .send_json()
            .await
    }

    /// `PUT /projects/<id>` with the specifications to change.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn modify_project(
        &self,
        project_id: &str,
        specs: &ProjectSpecs,
    ) -> Result<ProjectApplicationRef, ClientError> {
        non_empty("project id", project_id)?;
        self.req(Method::PUT, &["projects", project_id])
            .json(specs)
            .expect_status(&[201])
            .send_json()
            .await
    }

    /// `POST /projects/<id>/action` with `suspend`, `unsuspend`, `terminate` or `reinstate`.
    ///
    /// # Errors
    /// Invalid argument for another action; server errors as [`ClientError`].
    pub async fn project_action(
        &self,
        project_id: &str,
        action: &str,
        reason: &str,
    ) -> Result<(), ClientError> {
        non_empty("project id", project_id)?;
        check_action("project", action, &PROJECT_ACTIONS)?;
        self.req(Method::POST, &["projects", project_id, "action"])
            .json(&json!({ action: {"reason": reason} }))
            .expect_status(&[200])
            .send_bytes()
            .await
            .map(drop)
    }

    /// `POST /projects/<id>/action` on an application: `approve`, `deny`,
    /// `dismiss` or `cancel`. Sends `reason` (kamaki sent `reasons`, which
    /// the server ignores).
    ///
    /// # Errors
    /// Invalid argument for another action; server errors as [`ClientError`].
    pub async fn application_action(
        &self,
        project_id: &str,
        app_id: i64,
        action: &str,
        reason: &str,
    ) -> Result<(), ClientError> {
        non_empty("project id", project_id)?;
        check_action("application", action, &APPLICATION_ACTIONS)?;
        self.req(Method::POST, &["projects", project_id, "action"])
            .json(&json!({ action: {"reason": reason, "app_id": app_id} }))
            .expect_status(&[200])
            .send_bytes()
            .await
            .map(drop)
    }

    /// `GET /projects/memberships[?project=<id>]`.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_memberships(
        &self,
        project_id: Option<&str>,
    ) -> Result<Vec<Membership>, ClientError> {
        let mut q = QueryParams::new();
        q.push_opt("project", project_id);
        self.req(Method::GET, &["projects", "memberships"])
            .query(&q)
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `GET /projects/memberships/<id>`.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_membership(&self, membership_id: &str) -> Result<Membership, ClientError> {
        non_empty("membership id", membership_id)?;
        self.req(Method::GET, &["projects", "memberships", membership_id])
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// `POST /projects/memberships/<id>/action`: `leave`, `cancel`, `accept`,
    /// `reject` or `remove`.
    ///
    /// # Errors
    /// Invalid argument for another action; server errors as [`ClientError`].
    pub async fn membership_action(
        &self,
        membership_id: &str,
        action: &str,
        reason: &str,
    ) -> Result<(), ClientError> {
        non_empty("membership id", membership_id)?;
        check_action("membership", action, &MEMBERSHIP_ACTIONS)?;
        self.req(
            Method::POST,
            &["projects", "memberships", membership_id, "action"],
        )
        .json(&json!({ action: reason }))
        .expect_status(&[200])
        .send_bytes()
        .await
        .map(drop)
    }

    /// `POST /projects/memberships` `{"join": …}`: returns the membership id.
    ///
    /// # Errors
    /// Server errors as [`ClientError`] (409 when already a member).
    pub async fn join_project(&self, project_id: &str) -> Result<Value, ClientError> {
        non_empty("project id", project_id)?;
        let v: Value = self
            .req(Method::POST, &["projects", "memberships"])
            .json(&json!({"join": {"project": project_id}}))
            .expect_status(&[200, 201])
            .send_json()
            .await?;
        Ok(v.get("id").cloned().unwrap_or(Value::Null))
    }

    /// `POST /projects/memberships` `{"enroll": …}`: returns the membership id.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn enroll_member(&self, project_id: &str, email: &str) -> Result<Value, ClientError> {
        non_empty("project id", project_id)?;
        non_empty("member e-mail", email)?;
        let v: Value = self
            .req(Method::POST, &["projects", "memberships"])
            .json(&json!({"enroll": {"project": project_id, "user": email}}))
            .expect_status(&[200, 201])
            .send_json()
            .await?;
        Ok(v.get("id").cloned().unwrap_or(Value::Null))
    }

    /// `POST /myaccount/default_project`.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn set_default_project(&self, project_id: &str) -> Result<(), ClientError> {
        non_empty("project id", project_id)?;
        self.req(Method::POST, &["myaccount", "default_project"])
            .json(&json!({"project_id": project_id}))
            .expect_status(&[200])
            .send_bytes()
            .await
            .map(drop)
    }

    /// `POST /feedback` as a form (`feedback_msg`, `feedback_data`).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn send_feedback(&self, message: &str, data: &str) -> Result<(), ClientError> {
        let mut form = QueryParams::new();
        form.push("feedback_msg", message)
            .push("feedback_data", data);
        self.req(Method::POST, &["feedback"])
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(kamaki_core::Body::from_bytes(form.encode()))
            .expect_status(&[200])
            .send()
            .await
            .map(drop)
    }

    /// A raw call on the account API returning its JSON body (or null).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn call(
        &self,
        method: Method,
        path: &[&str],
        body: Option<&Value>,
    ) -> Result<Value, ClientError> {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(b);
        }
        json_or_null(r.send().await?).await
    }
}
