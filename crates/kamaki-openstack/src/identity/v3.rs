//! Keystone v3: password and token authentication, scopes, token validation.

use http::Method;
use kamaki_core::{ClientError, HttpClient, Token};
use serde::{Deserialize, Serialize, Serializer};

use super::{AuthInfo, IdentityClient, ProjectInfo, Role, ServiceCatalog, UserInfo};
use crate::common::Extra;

/// A domain named by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    /// By id (`{"id": "default"}`).
    Id(String),
    /// By name (`{"name": "Default"}`).
    Name(String),
}

impl DomainRef {
    /// A domain by id.
    pub fn id(id: impl Into<String>) -> Self {
        DomainRef::Id(id.into())
    }

    /// A domain by name.
    pub fn name(name: impl Into<String>) -> Self {
        DomainRef::Name(name.into())
    }
}

impl Default for DomainRef {
    /// Keystone's default domain, whose id is always `default`.
    fn default() -> Self {
        DomainRef::Id("default".into())
    }
}

impl Serialize for DomainRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (k, v) = match self {
            DomainRef::Id(v) => ("id", v),
            DomainRef::Name(v) => ("name", v),
        };
        let mut m = serde_json::Map::new();
        m.insert(k.into(), v.clone().into());
        m.serialize(s)
    }
}

/// The domains of the user and of the project in a password authentication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct V3Domains {
    /// The user's domain (default: id `default`).
    pub user_domain: DomainRef,
    /// The project's domain (default: id `default`).
    pub project_domain: DomainRef,
}

impl V3Domains {
    /// Both domains by name (e.g. `Default`).
    pub fn names(user_domain: &str, project_domain: &str) -> Self {
        V3Domains {
            user_domain: DomainRef::name(user_domain),
            project_domain: DomainRef::name(project_domain),
        }
    }
}

/// What a v3 token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum V3Scope {
    /// No scope: the token has no catalog and can only be re-scoped.
    #[default]
    Unscoped,
    /// A project by name, in a domain.
    ProjectName {
        /// Project name.
        name: String,
        /// Its domain.
        domain: DomainRef,
    },
    /// A project by id.
    ProjectId(String),
    /// A domain.
    Domain(DomainRef),
}

impl V3Scope {
    fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            V3Scope::Unscoped => None,
            V3Scope::ProjectName { name, domain } => Some(serde_json::json!(
                {"project": {"name": name, "domain": domain}})),
            V3Scope::ProjectId(id) => Some(serde_json::json!({"project": {"id": id}})),
            V3Scope::Domain(d) => Some(serde_json::json!({ "domain": d })),
        }
    }
}

#[derive(Deserialize)]
struct V3Envelope {
    token: V3Token,
}

#[derive(Deserialize)]
struct V3Token {
    #[serde(default)]
    methods: Vec<String>,
    user: UserInfo,
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    project: Option<ProjectInfo>,
    #[serde(default)]
    roles: Vec<Role>,
    #[serde(default)]
    catalog: ServiceCatalog,
    #[serde(flatten)]
    extra: Extra,
}

fn auth_info(
    resp_token: Option<String>,
    fallback: Option<&str>,
    t: V3Token,
) -> Result<AuthInfo, ClientError> {
    let token = resp_token
        .or_else(|| fallback.map(str::to_string))
        .ok_or_else(|| ClientError::decode(201, "the identity answer has no X-Subject-Token"))?;
    let mut user = t.user;
    if user.roles.is_empty() {
        user.roles = t.roles;
    }
    Ok(AuthInfo {
        token: Token::new(token),
        expires: t.expires_at,
        issued_at: t.issued_at,
        user,
        project: t.project,
        methods: t.methods,
        catalog: t.catalog,
        extra: t.extra,
    })
}

impl IdentityClient {
    async fn v3_tokens(
        http: &HttpClient,
        endpoint: &kamaki_core::Endpoint,
        body: serde_json::Value,
        secret: &str,
    ) -> Result<AuthInfo, ClientError> {
        let resp = http
            .request(Method::POST, endpoint.path().seg("auth").seg("tokens"))
            .without_token()
            .json(&body)
            .secret(secret)
            .expect_status(&[200, 201])
            .send()
            .await?;
        let subject = resp.header("x-subject-token").map(str::to_string);
        let env: V3Envelope = resp.json().await?;
        auth_info(subject, None, env.token)
    }

    /// Keystone v3 password authentication:
    /// `POST {auth_url}/auth/tokens` with
    /// `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name", "domain", "password"}}}, "scope": …}}`;
    /// success 201 (200 tolerated). The token is read from `X-Subject-Token`.
    /// `auth_url` is the Keystone endpoint (`/v3` is appended when it has no
    /// version). With a `project` the token is scoped to it (and has a
    /// catalog); without, it is unscoped. The password is never logged.
    ///
    /// Returns a client holding the new token, and what Keystone answered.
    ///
    /// # Errors
    /// 401 with Keystone's message for a wrong user or password; a
    /// [`Decode`](kamaki_core::ErrorKind::Decode) error when the answer has
    /// no token.
    pub async fn password_v3(
        auth_url: &str,
        user: &str,
        password: &str,
        project: Option<&str>,
        domains: &V3Domains,
    ) -> Result<(IdentityClient, AuthInfo), ClientError> {
        let scope = match project {
            Some(p) => V3Scope::ProjectName {
                name: p.to_string(),
                domain: domains.project_domain.clone(),
            },
            None => V3Scope::Unscoped,
        };
        Self::password_v3_scoped(auth_url, user, password, &domains.user_domain, &scope).await
    }

    /// As [`password_v3`](Self::password_v3) with any [`V3Scope`].
    ///
    /// # Errors
    /// As [`password_v3`](Self::password_v3).
    pub async fn password_v3_scoped(
        auth_url: &str,
        user: &str,
        password: &str,
        user_domain: &DomainRef,
        scope: &V3Scope,
    ) -> Result<(IdentityClient, AuthInfo), ClientError> {
        let endpoint = kamaki_core::Endpoint::new(auth_url, Some("3"))?;
        let http = HttpClient::new(None)?;
        let mut auth = serde_json::json!({"identity": {"methods": ["password"], "password": {
            "user": {"name": user, "domain": user_domain, "password": password}}}});
        if let (Some(s), Some(obj)) = (scope.to_json(), auth.as_object_mut()) {
            obj.insert("scope".into(), s);
        }
        let info = Self::v3_tokens(
            &http,
            &endpoint,
            serde_json::json!({ "auth": auth }),
            password,
        )
        .await?;
        let client = IdentityClient {
            http: http.with_token(Some(info.token.clone())),
            endpoint,
        };
        Ok((client, info))
    }

    /// Exchanges the client's v3 token for one with another scope:
    /// `POST {auth_url}/auth/tokens` with
    /// `{"auth": {"identity": {"methods": ["token"], "token": {"id": …}}, "scope": …}}`;
    /// success 201 (200 tolerated).
    ///
    /// Returns a client holding the new token, and what Keystone answered.
    ///
    /// # Errors
    /// 401 for an invalid token or a scope the user has no role on.
    pub async fn rescope_v3(
        &self,
        scope: &V3Scope,
    ) -> Result<(IdentityClient, AuthInfo), ClientError> {
        let token = self.token_text()?;
        let mut auth =
            serde_json::json!({"identity": {"methods": ["token"], "token": {"id": token}}});
        if let (Some(s), Some(obj)) = (scope.to_json(), auth.as_object_mut()) {
            obj.insert("scope".into(), s);
        }
        let info = Self::v3_tokens(
            &self.http,
            &self.endpoint,
            serde_json::json!({ "auth": auth }),
            &token,
        )
        .await?;
        let client = IdentityClient {
            http: self.http.with_token(Some(info.token.clone())),
            endpoint: self.endpoint.clone(),
        };
        Ok((client, info))
    }

    /// Validates the client's v3 token and returns what it is:
    /// `GET {auth_url}/auth/tokens` with `X-Subject-Token` = `X-Auth-Token`;
    /// success 200.
    pub(crate) async fn validate_v3(&self) -> Result<AuthInfo, ClientError> {
        let token = self.token_text()?;
        let resp = self
            .http
            .request(Method::GET, self.endpoint.path().seg("auth").seg("tokens"))
            .header("X-Subject-Token", &token)
            .expect_status(&[200])
            .send()
            .await?;
        let subject = resp.header("x-subject-token").map(str::to_string);
        let env: V3Envelope = resp.json().await?;
        auth_info(subject, Some(&token), env.token)
    }
}
