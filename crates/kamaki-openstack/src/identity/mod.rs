//! The identity service: tokens and the service catalog.
//!
//! Identity v2.0 (what Synnefo's Astakos serves: a token in, the user and
//! the catalog out) and Keystone v3 (password or token authentication,
//! scoped to a project; the token comes back in `X-Subject-Token`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_openstack::ClientError> {
//! use kamaki_openstack::identity::{IdentityClient, V3Domains};
//! use kamaki_openstack::storage::StorageClient;
//!
//! // Synnefo / identity v2.0: start from a token.
//! let astakos = IdentityClient::new("https://accounts.example.org/identity/v2.0", "my-token")?;
//! let auth = astakos.authenticate().await?;
//! let pithos_url = auth.catalog.get_endpoint_url(StorageClient::SERVICE_TYPE)?;
//!
//! // Plain OpenStack / Keystone v3: start from a user name and password.
//! let (keystone, auth) = IdentityClient::password_v3(
//!     "http://127.0.0.1:5000/v3", "demo", "secret", Some("demo"), &V3Domains::default(),
//! ).await?;
//! let swift = StorageClient::new(&auth.catalog.get_endpoint_url("object-store")?, auth.token.clone())?;
//! # let _ = (pithos_url, keystone, swift);
//! # Ok(()) }
//! ```

mod catalog;
mod v3;

use std::fmt;

use http::Method;
use kamaki_core::{ClientError, Endpoint, HttpClient, Token};
use serde::{Deserialize, Serialize};

pub use catalog::{CatalogEndpoint, CatalogService, EndpointFilter, ServiceCatalog};
pub use v3::{DomainRef, V3Domains, V3Scope};

use crate::common::Extra;

/// A client of an identity endpoint (v2.0 or v3).
#[derive(Clone, Debug)]
pub struct IdentityClient {
    http: HttpClient,
    endpoint: Endpoint,
}

/// A role of the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// Role id (a string, also when the server sends a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<crate::ResourceId>,
    /// Role name.
    #[serde(default)]
    pub name: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A domain (v3), as the server named it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainInfo {
    /// Domain id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The user a token belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// User id (the UUID on Synnefo).
    pub id: String,
    /// User name (the real name on Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's domain (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainInfo>,
    /// The user's roles (v2.0 `user.roles`; v3 `token.roles`).
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Projects the user is an active member of (Astakos).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<String>,
    /// Fields this version does not know (e.g. `roles_links`, `password_expires_at`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The project (v2.0 tenant) a token is scoped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectInfo {
    /// Project id (on Synnefo, the default project's UUID).
    pub id: String,
    /// Project name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The project's domain (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainInfo>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What an authentication answered: the token, its user and scope, and the catalog.
#[derive(Clone)]
pub struct AuthInfo {
    /// The token to use with the services.
    pub token: Token,
    /// When the token expires (as sent).
    pub expires: Option<String>,
    /// When the token was issued (v3).
    pub issued_at: Option<String>,
    /// The user.
    pub user: UserInfo,
    /// The project or tenant the token is scoped to, if any.
    pub project: Option<ProjectInfo>,
    /// The authentication methods (v3: `password`, `token`).
    pub methods: Vec<String>,
    /// The service catalog (empty for an unscoped v3 token).
    pub catalog: ServiceCatalog,
    /// Fields of the token (v3) or access (v2.0) object this version does not know.
    pub extra: Extra,
}

impl fmt::Debug for AuthInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthInfo")
            .field("token", &self.token)
            .field("expires", &self.expires)
            .field("user", &self.user)
            .field("project", &self.project)
            .field("catalog", &self.catalog)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct V2Envelope {
    access: V2Access,
}

#[derive(Deserialize)]
struct V2Access {
    #[serde(default)]
    token: Option<V2Token>,
    #[serde(default)]
    user: Option<UserInfo>,
    #[serde(rename = "serviceCatalog", default)]
    catalog: ServiceCatalog,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
struct V2Token {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    tenant: Option<ProjectInfo>,
    #[serde(flatten)]
    extra: Extra,
}

impl IdentityClient {
    /// Catalog service type.
    pub const SERVICE_TYPE: &'static str = "identity";
    /// API version appended to unversioned endpoints.
    pub const DEFAULT_API_VERSION: &'static str = "2.0";

    /// A client for `auth_url` (e.g. `https://accounts.example.org/identity/v2.0`,
    /// or a Keystone `…/v3`), with its own connection pool. `/v2.0` is
    /// appended to a URL without a version.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error for
    /// an empty or non-HTTP URL; a TLS error when the trust settings are unusable.
    pub fn new(auth_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
        let http = HttpClient::new(Some(token.into()))?;
        Self::with_http(auth_url, http)
    }

    /// A client sharing an existing [`HttpClient`].
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_http(auth_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        Ok(IdentityClient {
            http,
            endpoint: Endpoint::new(auth_url, Some(Self::DEFAULT_API_VERSION))?,
        })
    }

    /// The endpoint, with its version.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP client (pool, settings, token).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// True when the endpoint is a v3 one.
    pub fn is_v3(&self) -> bool {
        self.endpoint
            .api_version()
            .is_some_and(|v| v == "3" || v.starts_with("3."))
    }

    fn token_text(&self) -> Result<String, ClientError> {
        self.http
            .token()
            .map(|t| t.expose().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ClientError::invalid_argument("No token given"))
    }

    /// Authenticates the client's token and returns the user and the catalog.
    ///
    /// * v2.0 (Astakos): `POST {auth_url}/tokens` with
    ///   `{"auth": {"token": {"id": "<token>"}}}`; success 200 (203 tolerated).
    /// * v3: `GET {auth_url}/auth/tokens` with the token in both
    ///   `X-Auth-Token` and `X-Subject-Token`; success 200.
    ///
    /// # Errors
    /// 401 with the server's message for an unknown or expired token; a
    /// [`Decode`](kamaki_core::ErrorKind::Decode) error for an answer of
    /// another shape.
    pub async fn authenticate(&self) -> Result<AuthInfo, ClientError> {
        if self.is_v3() {
            return self.validate_v3().await;
        }
        self.authenticate_v2(None).await
    }

    /// v2.0 authentication with a `tenantName` (on Synnefo it must be the
    /// user's UUID): `POST {auth_url}/tokens`; success 200 (203 tolerated).
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate); 400 for a tenant the server refuses.
    pub async fn authenticate_v2(
        &self,
        tenant_name: Option<&str>,
    ) -> Result<AuthInfo, ClientError> {
        let token = self.token_text()?;
        let mut auth = serde_json::json!({"token": {"id": token}});
        if let (Some(t), Some(obj)) = (tenant_name, auth.as_object_mut()) {
            obj.insert("tenantName".into(), t.into());
        }
        let env: V2Envelope = self
            .http
            .request(Method::POST, self.endpoint.path().seg("tokens"))
            .json(&serde_json::json!({ "auth": auth }))
            .secret(&token)
            .expect_status(&[200, 203])
            .send_json()
            .await?;
        let access = env.access;
        let t = access
            .token
            .ok_or_else(|| ClientError::decode(200, "the identity answer has no access.token"))?;
        let user = access
            .user
            .ok_or_else(|| ClientError::decode(200, "the identity answer has no access.user"))?;
        let mut extra = access.extra;
        if !t.extra.is_empty() {
            extra.insert("token".into(), serde_json::Value::Object(t.extra));
        }
        Ok(AuthInfo {
            token: Token::new(t.id.unwrap_or(token)),
            expires: t.expires,
            issued_at: None,
            user,
            project: t.tenant,
            methods: Vec::new(),
            catalog: access.catalog,
            extra,
        })
    }

    /// The user of the client's token (kamaki's `user_info`): one
    /// [`authenticate`](Self::authenticate) call.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate).
    pub async fn user_info(&self) -> Result<UserInfo, ClientError> {
        Ok(self.authenticate().await?.user)
    }

    /// The public catalog (v2.0 only): `POST {auth_url}/tokens` with an empty
    /// body; success 200. Astakos answers it without authenticating.
    ///
    /// # Errors
    /// A [`ClientError`] with the server's status.
    pub async fn get_endpoints(&self) -> Result<ServiceCatalog, ClientError> {
        let env: V2Envelope = self
            .http
            .request(Method::POST, self.endpoint.path().seg("tokens"))
            .header("Content-Type", "application/json")
            .expect_status(&[200, 203])
            .send_json()
            .await?;
        Ok(env.access.catalog)
    }

    /// The endpoint URL of a service (public interface) from a fresh
    /// authentication of the client's token.
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate) and
    /// [`ServiceCatalog::get_endpoint_url`].
    pub async fn get_endpoint_url(&self, service_type: &str) -> Result<String, ClientError> {
        self.authenticate()
            .await?
            .catalog
            .get_endpoint_url(service_type)
    }
}
