//! Astakos: Synnefo's identity and account service
//! (`spec/identity-astakos.md`).
//!
//! [`AstakosClient`] authenticates a token (identity v2.0), finds service
//! endpoints in the catalog, and calls the account API (user catalogs,
//! quotas, resources, projects, memberships, commissions).
//! [`CachedAstakosClient`] holds several users' tokens at once, as kamaki's
//! CLI does.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_synnefo::ClientError> {
//! use kamaki_synnefo::astakos::AstakosClient;
//!
//! let astakos = AstakosClient::new("https://accounts.example.org/identity/v2.0", "my-token")?;
//! let compute_url = astakos.get_endpoint_url("compute").await?;
//! let uuid = astakos.user_info().await?.id;
//! let quotas = astakos.get_quotas().await?;
//! # let _ = (compute_url, uuid, quotas);
//! # Ok(()) }
//! ```

mod account;
mod cached;

use std::collections::BTreeMap;
use std::sync::Arc;

use http::Method;
use kamaki_core::{ClientError, HttpClient, QueryParams, Token};
use kamaki_openstack::identity::{
    AuthInfo, CatalogEndpoint, EndpointFilter, IdentityClient, ServiceCatalog, UserInfo,
};
use serde_json::Value;
use tokio::sync::Mutex;

pub use account::{
    mk_provisions, AccountApi, Commission, Membership, Project, ProjectApplicationRef,
    ProjectFilters, ProjectSpecs, Provision, QuotaValues, Quotas, ResolvedCommissions, Resource,
    ResourceCapacity, ServiceQuotas, UserCatalogs,
};
pub use cached::CachedAstakosClient;

/// A client of Astakos for one token.
///
/// The first call that needs it authenticates the token (`POST /tokens`)
/// and keeps the answer (user, catalog) for the life of the client;
/// [`authenticate`](Self::authenticate) asks again.
#[derive(Clone, Debug)]
pub struct AstakosClient {
    identity: IdentityClient,
    auth: Arc<Mutex<Option<Arc<AuthInfo>>>>,
}

impl AstakosClient {
    /// Catalog service type.
    pub const SERVICE_TYPE: &'static str = "identity";

    /// A client for `auth_url` (e.g. `https://accounts.example.org/identity/v2.0`;
    /// `/v2.0` is appended when the URL has no version). Nothing is sent yet.
    ///
    /// # Errors
    /// An invalid-argument error for a malformed URL or an empty token.
    pub fn new(auth_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
        let token = token.into();
        if token.is_empty() {
            return Err(ClientError::invalid_argument("No token given"));
        }
        Self::with_http(auth_url, HttpClient::new(Some(token))?)
    }

    /// A client sharing an existing [`HttpClient`] (pool, settings, token).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_http(auth_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        Ok(AstakosClient {
            identity: IdentityClient::with_http(auth_url, http)?,
            auth: Arc::new(Mutex::new(None)),
        })
    }

    /// The identity client underneath.
    pub fn identity(&self) -> &IdentityClient {
        &self.identity
    }

    /// The HTTP client (pool, settings, token).
    pub fn http(&self) -> &HttpClient {
        self.identity.http()
    }

    /// The token.
    pub fn token(&self) -> Option<&Token> {
        self.identity.http().token()
    }

    /// The identity endpoint URL.
    pub fn auth_url(&self) -> &str {
        self.identity.endpoint().as_str()
    }

    /// Authenticates the token now (`POST {auth_url}/tokens`, 200) and keeps
    /// the answer for later calls.
    ///
    /// # Errors
    /// 401 `Unauthorized unauthorized (Invalid token)` for a bad token; other
    /// server or connection errors as [`ClientError`].
    pub async fn authenticate(&self) -> Result<Arc<AuthInfo>, ClientError> {
        let mut guard = self.auth.lock().await;
        let info = Arc::new(self.identity.authenticate().await?);
        *guard = Some(info.clone());
        Ok(info)
    }

    /// The kept authentication answer, authenticating first if needed.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate).
    pub async fn auth_info(&self) -> Result<Arc<AuthInfo>, ClientError> {
        let mut guard = self.auth.lock().await;
        if let Some(info) = guard.as_ref() {
            return Ok(info.clone());
        }
        let info = Arc::new(self.identity.authenticate().await?);
        *guard = Some(info.clone());
        Ok(info)
    }

    /// The service catalog of the token.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate).
    pub async fn get_services(&self) -> Result<ServiceCatalog, ClientError> {
        Ok(self.auth_info().await?.catalog.clone())
    }

    /// The public URL of a service type (`compute`, `object-store`, …).
    ///
    /// # Errors
    /// A [`Catalog`](kamaki_core::ErrorKind::Catalog) error when the catalog
    /// has no such service; as [`authenticate`](Self::authenticate).
    pub async fn get_endpoint_url(&self, service_type: &str) -> Result<String, ClientError> {
        self.auth_info()
            .await?
            .catalog
            .get_endpoint_url(service_type)
    }

    /// The public URL of a service type at a version (`v2.0` or `2.0`).
    ///
    /// # Errors
    /// As [`get_endpoint_url`](Self::get_endpoint_url).
    pub async fn get_endpoint_url_version(
        &self,
        service_type: &str,
        version: &str,
    ) -> Result<String, ClientError> {
        self.auth_info()
            .await?
            .catalog
            .get_endpoint_url_version(service_type, version)
    }

    /// The catalog endpoint of a service type (and version).
    ///
    /// # Errors
    /// As [`get_endpoint_url`](Self::get_endpoint_url).
    pub async fn get_service_endpoints(
        &self,
        service_type: &str,
        version: Option<&str>,
    ) -> Result<CatalogEndpoint, ClientError> {
        let info = self.auth_info().await?;
        let filter = EndpointFilter {
            version,
            ..Default::default()
        };
        info.catalog.endpoint(service_type, &filter).cloned()
    }

    /// The public catalog, without authenticating (`POST /tokens`, empty body).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_endpoints(&self) -> Result<ServiceCatalog, ClientError> {
        self.identity.get_endpoints().await
    }

    /// The user of the token (kamaki's `user_info`): `id` is the user UUID.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate).
    pub async fn user_info(&self) -> Result<UserInfo, ClientError> {
        Ok(self.auth_info().await?.user.clone())
    }

    /// One field of the user info (`id`, `name`, `roles`, …, or
    /// `default_project`), `None` when absent.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate).
    pub async fn user_term(&self, key: &str) -> Result<Option<Value>, ClientError> {
        let info = self.auth_info().await?;
        if key == "default_project" {
            return Ok(info.project.as_ref().map(|p| Value::String(p.id.clone())));
        }
        let user = serde_json::to_value(&info.user).map_err(|e| ClientError::decode(0, e))?;
        Ok(user.get(key).cloned())
    }

    /// Validates another token (OAuth2 access tokens):
    /// `GET {auth_url}/tokens/<id>[?belongsTo=<scope>]`, 200.
    ///
    /// # Errors
    /// 404 when the token is unknown, expired or out of scope.
    pub async fn validate_token(
        &self,
        token_id: &str,
        belongs_to: Option<&str>,
    ) -> Result<Value, ClientError> {
        if token_id.is_empty() {
            return Err(ClientError::invalid_argument("No token id given"));
        }
        let mut q = QueryParams::new();
        q.push_opt("belongsTo", belongs_to);
        self.http()
            .request(
                Method::GET,
                self.identity.endpoint().path().seg("tokens").seg(token_id),
            )
            .query(&q)
            .secret(token_id)
            .expect_status(&[200])
            .send_json()
            .await
    }

    /// The account API, at the catalog's `account` endpoint (or, when the
    /// catalog has none, `/account/v1.0` on the identity host).
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate).
    pub async fn account(&self) -> Result<AccountApi, ClientError> {
        let info = self.auth_info().await?;
        let url = match info.catalog.get_endpoint_url("account") {
            Ok(url) => url,
            Err(_) => format!("{}/account/v1.0", self.identity.endpoint().origin()),
        };
        AccountApi::new(&url, self.http().clone())
    }

    // --- user catalogs ---------------------------------------------------

    /// uuid → display name for the given uuids (unknown ones are absent).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_usernames(
        &self,
        uuids: &[String],
    ) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self
            .account()
            .await?
            .user_catalogs(Some(uuids), None, false)
            .await?
            .uuid_catalog)
    }

    /// The display name of one uuid.
    ///
    /// # Errors
    /// A [`ClientError`] "No display name for the given uuid" (status 0) when unknown.
    pub async fn get_username(&self, uuid: &str) -> Result<String, ClientError> {
        let names = self.get_usernames(&[uuid.to_string()]).await?;
        names.get(uuid).cloned().ok_or_else(|| {
            ClientError::new(
                kamaki_core::ErrorKind::InvalidArgument,
                "No display name for the given uuid",
            )
            .with_details([uuid.to_string()])
        })
    }

    /// display name → uuid for the given names (unknown ones are absent).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_uuids(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self
            .account()
            .await?
            .user_catalogs(None, Some(names), false)
            .await?
            .displayname_catalog)
    }

    /// The uuid of one display name.
    ///
    /// # Errors
    /// A [`ClientError`] "No uuid for the given display name" (status 0) when unknown.
    pub async fn get_uuid(&self, name: &str) -> Result<String, ClientError> {
        let uuids = self.get_uuids(&[name.to_string()]).await?;
        uuids.get(name).cloned().ok_or_else(|| {
            ClientError::new(
                kamaki_core::ErrorKind::InvalidArgument,
                "No uuid for the given display name",
            )
            .with_details([name.to_string()])
        })
    }

    /// As [`get_usernames`](Self::get_usernames), with a service token.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn service_get_usernames(
        &self,
        uuids: &[String],
    ) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self
            .account()
            .await?
            .user_catalogs(Some(uuids), None, true)
            .await?
            .uuid_catalog)
    }

    /// As [`get_uuids`](Self::get_uuids), with a service token.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn service_get_uuids(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self
            .account()
            .await?
            .user_catalogs(None, Some(names), true)
            .await?
            .displayname_catalog)
    }

    // --- quotas and resources --------------------------------------------

    /// `GET /account/v1.0/resources`.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_resources(&self) -> Result<BTreeMap<String, Resource>, ClientError> {
        self.account().await?.get_resources().await
    }

    /// `GET /account/v1.0/quotas`: project → resource → limits and usage.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_quotas(&self) -> Result<Quotas, ClientError> {
        self.account().await?.get_quotas().await
    }

    /// `GET /account/v1.0/service_quotas` (service token).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn service_get_quotas(
        &self,
        users: &[String],
        projects: &[String],
    ) -> Result<ServiceQuotas, ClientError> {
        self.account()
            .await?
            .service_get_quotas(users, projects)
            .await
    }

    /// `GET /account/v1.0/service_project_quotas` (service token).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn service_get_project_quotas(
        &self,
        projects: &[String],
    ) -> Result<Quotas, ClientError> {
        self.account()
            .await?
            .service_get_project_quotas(projects)
            .await
    }

    // --- commissions -----------------------------------------------------

    /// Issues a commission of `provisions` for user `holder` from project
    /// `source` (kamaki's `issue_one_commission`); returns the serial.
    ///
    /// # Errors
    /// 413 when a limit would be exceeded; other server errors.
    pub async fn issue_one_commission(
        &self,
        holder: &str,
        source: &str,
        provisions: &BTreeMap<String, i64>,
        name: &str,
        force: bool,
        auto_accept: bool,
    ) -> Result<i64, ClientError> {
        let commission = Commission {
            name: name.to_string(),
            force,
            auto_accept,
            provisions: provisions
                .iter()
                .flat_map(|(resource, q)| mk_provisions(holder, source, resource, *q))
                .collect(),
        };
        self.account().await?.issue_commission(&commission).await
    }

    /// Issues a commission as given; returns the serial.
    ///
    /// # Errors
    /// 413 when a limit would be exceeded; other server errors.
    pub async fn issue_commission(&self, commission: &Commission) -> Result<i64, ClientError> {
        self.account().await?.issue_commission(commission).await
    }

    /// Pending commission serials.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_pending_commissions(&self) -> Result<Vec<i64>, ClientError> {
        self.account().await?.get_pending_commissions().await
    }

    /// One commission.
    ///
    /// # Errors
    /// 404 for an unknown serial.
    pub async fn get_commission_info(&self, serial: i64) -> Result<Value, ClientError> {
        self.account().await?.get_commission_info(serial).await
    }

    /// Accepts a commission.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn accept_commission(&self, serial: i64) -> Result<(), ClientError> {
        self.account()
            .await?
            .commission_action(serial, "accept")
            .await
    }

    /// Rejects a commission.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn reject_commission(&self, serial: i64) -> Result<(), ClientError> {
        self.account()
            .await?
            .commission_action(serial, "reject")
            .await
    }

    /// Accepts and rejects several commissions at once.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn resolve_commissions(
        &self,
        accept: &[i64],
        reject: &[i64],
    ) -> Result<ResolvedCommissions, ClientError> {
        self.account()
            .await?
            .resolve_commissions(accept, reject)
            .await
    }

    // --- projects and memberships ----------------------------------------

    /// Projects, filtered.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_projects(
        &self,
        filters: &ProjectFilters,
    ) -> Result<Vec<Project>, ClientError> {
        self.account().await?.get_projects(filters).await
    }

    /// One project.
    ///
    /// # Errors
    /// 404 for an unknown project.
    pub async fn get_project(&self, project_id: &str) -> Result<Project, ClientError> {
        self.account().await?.get_project(project_id).await
    }

    /// Applies for a new project.
    ///
    /// # Errors
    /// Invalid argument without name or end date; server errors.
    pub async fn create_project(
        &self,
        specs: &ProjectSpecs,
    ) -> Result<ProjectApplicationRef, ClientError> {
        self.account().await?.create_project(specs).await
    }

    /// Applies for changes to a project.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn modify_project(
        &self,
        project_id: &str,
        specs: &ProjectSpecs,
    ) -> Result<ProjectApplicationRef, ClientError> {
        self.account()
            .await?
            .modify_project(project_id, specs)
            .await
    }

    /// `suspend`, `unsuspend`, `terminate` or `reinstate` a project.
    ///
    /// # Errors
    /// Invalid argument for another action; server errors.
    pub async fn project_action(
        &self,
        project_id: &str,
        action: &str,
        reason: &str,
    ) -> Result<(), ClientError> {
        self.account()
            .await?
            .project_action(project_id, action, reason)
            .await
    }

    /// `approve`, `deny`, `dismiss` or `cancel` a project application.
    ///
    /// # Errors
    /// Invalid argument for another action; server errors.
    pub async fn application_action(
        &self,
        project_id: &str,
        app_id: i64,
        action: &str,
        reason: &str,
    ) -> Result<(), ClientError> {
        self.account()
            .await?
            .application_action(project_id, app_id, action, reason)
            .await
    }

    /// Memberships, of one project or all.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn get_memberships(
        &self,
        project_id: Option<&str>,
    ) -> Result<Vec<Membership>, ClientError> {
        self.account().await?.get_memberships(project_id).await
    }

    /// One membership.
    ///
    /// # Errors
    /// 404 for an unknown membership.
    pub async fn get_membership(&self, membership_id: &str) -> Result<Membership, ClientError> {
        self.account().await?.get_membership(membership_id).await
    }

    /// `leave`, `cancel`, `accept`, `reject` or `remove` a membership.
    ///
    /// # Errors
    /// Invalid argument for another action; server errors.
    pub async fn membership_action(
        &self,
        membership_id: &str,
        action: &str,
        reason: &str,
    ) -> Result<(), ClientError> {
        self.account()
            .await?
            .membership_action(membership_id, action, reason)
            .await
    }

    /// Asks to join a project; returns the membership id.
    ///
    /// # Errors
    /// 409 when already a member; other server errors.
    pub async fn join_project(&self, project_id: &str) -> Result<Value, ClientError> {
        self.account().await?.join_project(project_id).await
    }

    /// Enrolls a user (by e-mail) in a project; returns the membership id.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn enroll_member(&self, project_id: &str, email: &str) -> Result<Value, ClientError> {
        self.account().await?.enroll_member(project_id, email).await
    }

    /// Sets the user's default project.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn set_default_project(&self, project_id: &str) -> Result<(), ClientError> {
        self.account().await?.set_default_project(project_id).await
    }

    /// Sends feedback to the cloud operators.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn send_feedback(&self, message: &str, data: &str) -> Result<(), ClientError> {
        self.account().await?.send_feedback(message, data).await
    }
}
