//! Session setup (`spec/cli.md` §3.6, §3.7): choose the cloud, authenticate
//! its token(s) with kamaki-synnefo's [`CachedAstakosClient`] (several users
//! per cloud, each token authenticated once per run), and find each
//! service's endpoint in the catalog unless `<svc>_url` / `<svc>_token`
//! override it.

use std::sync::Arc;

use kamaki_core::{ClientError, HttpClient, Token};
use kamaki_openstack::identity::{AuthInfo, ServiceCatalog};
use kamaki_synnefo::astakos::CachedAstakosClient;
use serde_json::{Map, Value};

use crate::config::{Config, DEFAULT_CLOUD_ENV};
use crate::error::{CliError, CliResult};
use crate::output;

/// The services the CLI talks to, with their configuration prefix and
/// default catalog type (`spec/cli.md` §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Astakos identity (`astakos_*`, type `identity`).
    Identity,
    /// Astakos account API (`astakos_account_*`, type `account`).
    Account,
    /// Cyclades compute (`cyclades_*`, type `compute`).
    Compute,
    /// Network (`network_*`, type `network`).
    Network,
    /// Block storage (`volume_*`, type `volume`).
    Volume,
    /// Plankton images (`plankton_*`, type `image`).
    Image,
    /// Pithos object store (`pithos_*`, type `object-store`).
    ObjectStore,
}

impl Service {
    /// The prefix of the `<svc>_url`, `<svc>_token`, `<svc>_type`,
    /// `<svc>_version` cloud options.
    pub fn config_prefix(self) -> &'static str {
        match self {
            Service::Identity => "astakos",
            Service::Account => "astakos_account",
            Service::Compute => "cyclades",
            Service::Network => "network",
            Service::Volume => "volume",
            Service::Image => "plankton",
            Service::ObjectStore => "pithos",
        }
    }

    /// The default catalog service type.
    pub fn default_type(self) -> &'static str {
        match self {
            Service::Identity => "identity",
            Service::Account => "account",
            Service::Compute => "compute",
            Service::Network => "network",
            Service::Volume => "volume",
            Service::Image => "image",
            Service::ObjectStore => "object-store",
        }
    }
}

/// Picks the cloud for this run (`spec/cli.md` §3.6): `--cloud`, then
/// `global.default_cloud`, then `$KAMAKI_DEFAULT_CLOUD`, then the only cloud.
pub fn select_cloud(config: &Config, cli_cloud: Option<&str>) -> CliResult<String> {
    let name = select_cloud_name(config, cli_cloud)?;
    for (key, what) in [("url", "authentication URL"), ("token", "token")] {
        if config
            .get_cloud(&name, key)
            .is_none_or(|v| v.trim().is_empty())
        {
            let placeholder = if key == "url" { "<URL>" } else { "<token>" };
            return Err(
                CliError::new(format!("No {what} in cloud \"{name}\"")).hint(
                    format!("To set the {what}"),
                    format!("kamaki config set cloud.{name}.{key} {placeholder}"),
                ),
            );
        }
    }
    Ok(name)
}

/// The name of the cloud for this run (as [`select_cloud`]), without
/// requiring its `url` and `token` (a service may be configured directly).
pub fn select_cloud_name(config: &Config, cli_cloud: Option<&str>) -> CliResult<String> {
    let clouds = config.clouds();
    let chosen = cli_cloud
        .map(str::to_string)
        .or_else(|| {
            config
                .global("default_cloud")
                .filter(|s| !s.trim().is_empty())
        })
        .or_else(|| {
            std::env::var(DEFAULT_CLOUD_ENV)
                .ok()
                .filter(|s| !s.trim().is_empty())
        });
    let name = match chosen {
        Some(name) => name.trim().to_string(),
        None if clouds.len() == 1 => clouds[0].clone(),
        None if clouds.is_empty() => return Err(no_cloud_error(None)),
        None => {
            return Err(CliError::new(format!(
                "Found {} clouds, none marked as default",
                clouds.len()
            ))
            .detail(format!("Cloud names: {}", clouds.join(", ")))
            .detail("For this run:       kamaki --cloud=<cloud name> ...")
            .detail("As the default:     kamaki config set default_cloud <cloud name>")
            .detail(format!("(or export {DEFAULT_CLOUD_ENV}=<cloud name>)")))
        }
    };
    if !config.has_cloud(&name) {
        return Err(no_cloud_error(Some(&name)));
    }
    Ok(name)
}

fn no_cloud_error(name: Option<&str>) -> CliError {
    let (headline, shown) = match name {
        Some(n) => (format!("Cloud \"{n}\" is not configured"), n.to_string()),
        None => (
            "No cloud is configured".to_string(),
            "<cloud name>".to_string(),
        ),
    };
    CliError::new(headline)
        .detail("To configure a new cloud, set its authentication URL and token:")
        .detail(format!("  kamaki config set cloud.{shown}.url <URL>"))
        .detail(format!("  kamaki config set cloud.{shown}.token <token>"))
}

/// A user authenticated in this session.
#[derive(Clone, Debug)]
pub struct SessionUser {
    /// The token.
    pub token: String,
    /// What the identity service answered for it.
    pub auth: Arc<AuthInfo>,
    /// The identity service's answer in the layout of an identity v2.0
    /// `access` object (token, user, serviceCatalog), for printing.
    pub access: Value,
}

/// An identity v2.0 catalog (`serviceCatalog`) from the typed catalog:
/// per service its endpoints with `publicURL`/`internalURL`/`adminURL`.
pub fn catalog_v2(catalog: &ServiceCatalog) -> Value {
    let mut services = Vec::new();
    for s in &catalog.services {
        let mut m = Map::new();
        if let Some(n) = &s.name {
            m.insert("name".into(), Value::String(n.clone()));
        }
        m.insert("type".into(), Value::String(s.service_type.clone()));
        let mut endpoints: Vec<Map<String, Value>> = Vec::new();
        let mut keys: Vec<(Option<String>, Option<String>, Option<String>)> = Vec::new();
        for e in &s.endpoints {
            let key = (e.version_id.clone(), e.region.clone(), e.id.clone());
            let i = match keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    keys.push(key);
                    let mut em = Map::new();
                    if let Some(id) = &e.id {
                        em.insert("id".into(), Value::String(id.clone()));
                    }
                    if let Some(v) = &e.version_id {
                        em.insert("versionId".into(), Value::String(v.clone()));
                    }
                    if let Some(r) = &e.region {
                        em.insert("region".into(), Value::String(r.clone()));
                    }
                    for (k, v) in &e.extra {
                        em.insert(k.clone(), v.clone());
                    }
                    endpoints.push(em);
                    endpoints.len() - 1
                }
            };
            let url_key = match e.interface.as_str() {
                "public" => "publicURL".to_string(),
                "internal" => "internalURL".to_string(),
                "admin" => "adminURL".to_string(),
                other => format!("{other}URL"),
            };
            endpoints[i].insert(url_key, Value::String(e.url.clone()));
        }
        m.insert(
            "endpoints".into(),
            Value::Array(endpoints.into_iter().map(Value::Object).collect()),
        );
        for (k, v) in &s.extra {
            m.insert(k.clone(), v.clone());
        }
        services.push(Value::Object(m));
    }
    Value::Array(services)
}

/// The `access` object of an identity v2.0 answer, rebuilt from `auth`.
pub fn access_v2(auth: &AuthInfo) -> Value {
    let mut token = Map::new();
    token.insert("id".into(), Value::String(auth.token.expose().to_string()));
    if let Some(e) = &auth.expires {
        token.insert("expires".into(), Value::String(e.clone()));
    }
    if let Some(p) = &auth.project {
        token.insert(
            "tenant".into(),
            serde_json::to_value(p).unwrap_or(Value::Null),
        );
    }
    let mut extra = auth.extra.clone();
    if let Some(Value::Object(t)) = extra.shift_remove("token") {
        for (k, v) in t {
            token.insert(k, v);
        }
    }
    let mut access = Map::new();
    access.insert("token".into(), Value::Object(token));
    access.insert(
        "user".into(),
        serde_json::to_value(&auth.user).unwrap_or(Value::Null),
    );
    access.insert("serviceCatalog".into(), catalog_v2(&auth.catalog));
    for (k, v) in extra {
        access.insert(k, v);
    }
    Value::Object(access)
}

impl SessionUser {
    fn new(token: &str, auth: Arc<AuthInfo>) -> Self {
        let access = access_v2(&auth);
        SessionUser {
            token: token.to_string(),
            auth,
            access,
        }
    }
    /// `access.user`.
    pub fn user(&self) -> &Value {
        self.access.get("user").unwrap_or(&Value::Null)
    }
    /// The user UUID.
    pub fn uuid(&self) -> String {
        self.auth.user.id.clone()
    }
    /// The user name.
    pub fn name(&self) -> String {
        self.auth.user.name.clone().unwrap_or_default()
    }
    /// The default project (`access.token.tenant.id`).
    pub fn default_project(&self) -> Option<String> {
        self.auth.project.as_ref().map(|p| p.id.clone())
    }
    /// The service catalog, in the identity v2.0 layout.
    pub fn catalog(&self) -> &[Value] {
        self.access
            .get("serviceCatalog")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    /// The user record kamaki's `user info` shows: `access.user` plus
    /// `default_project`.
    pub fn info(&self) -> Value {
        let mut user = self.user().as_object().cloned().unwrap_or_default();
        if let Some(p) = self.default_project() {
            user.insert("default_project".into(), Value::String(p));
        }
        Value::Object(user)
    }
}

/// Text of a JSON scalar (strings without quotes).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Finds the public URL of a service type (case-insensitive) in a catalog,
/// optionally narrowed by `versionId` (with or without the leading `v`).
/// Several matching endpoints are not an error: the first one is used.
pub fn catalog_endpoint(
    catalog: &ServiceCatalog,
    service_type: &str,
    version: Option<&str>,
) -> CliResult<String> {
    let filter = kamaki_openstack::identity::EndpointFilter {
        version,
        ..Default::default()
    };
    match catalog.endpoint(service_type, &filter) {
        Ok(e) => Ok(e.url.clone()),
        Err(err) => {
            let norm = |s: &str| s.trim().trim_start_matches(['v', 'V']).to_ascii_lowercase();
            let first = catalog.service(service_type).and_then(|s| {
                s.endpoints.iter().find(|e| {
                    e.interface.eq_ignore_ascii_case("public")
                        && version.is_none_or(|v| {
                            e.version_id
                                .as_deref()
                                .is_some_and(|have| norm(have) == norm(v))
                        })
                })
            });
            match first {
                Some(e) => Ok(e.url.clone()),
                None => Err(CliError::from(err).hint(
                    "To use another service type",
                    "kamaki config set cloud.<cloud>.<service>_type <type>",
                )),
            }
        }
    }
}

/// An authenticated session on one cloud.
pub struct Session {
    /// The cloud name.
    pub cloud: String,
    /// The authentication URL.
    pub auth_url: String,
    /// The HTTP client (shared pool; tokens set per service).
    pub http: HttpClient,
    astakos: CachedAstakosClient,
    /// Authenticated users; the first is the current one.
    users: Vec<SessionUser>,
    /// Cloud options (`<svc>_url`, `<svc>_token`, ...).
    options: Vec<(String, String)>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("cloud", &self.cloud)
            .field("auth_url", &self.auth_url)
            .field("users", &self.users.len())
            .finish()
    }
}

/// The error when no configured token is valid.
fn no_valid_token(cloud: &str, cause: Option<CliError>) -> CliError {
    let mut e = CliError::new("Failed to initialize an identity client");
    if let Some(c) = cause {
        e = e.detail(c.headline).details(c.details);
    }
    e.hint(
        "To set a new token",
        format!("kamaki config set cloud.{cloud}.token <token>"),
    )
}

async fn authenticate_with(
    astakos: &CachedAstakosClient,
    token: &str,
) -> Result<SessionUser, ClientError> {
    let uuid = astakos.authenticate(Token::new(token)).await?;
    let auth = astakos.auth_info(Some(&uuid)).await?;
    Ok(SessionUser::new(token, auth))
}

impl Session {
    /// Authenticates the cloud's tokens in order until one is valid
    /// (`spec/cli.md` §3.7, fixed per §12.2.14: later tokens are
    /// authenticated on demand). Tokens answered with 401 before the valid
    /// one are dropped from the configuration file, with a warning.
    pub async fn start(config: &mut Config, cloud: &str, http: HttpClient) -> CliResult<Session> {
        let auth_url = config
            .get_cloud(cloud, "url")
            .unwrap_or_default()
            .trim()
            .to_string();
        let astakos = CachedAstakosClient::with_http(&auth_url, http.clone()).map_err(|e| {
            CliError::from(e).hint(
                "To check the authentication URL",
                format!("kamaki config get cloud.{cloud}.url"),
            )
        })?;
        let tokens: Vec<String> = config
            .get_cloud(cloud, "token")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let mut rejected: Vec<String> = Vec::new();
        let mut last_error = None;
        let mut first_user = None;
        for token in &tokens {
            match authenticate_with(&astakos, token).await {
                Ok(user) => {
                    first_user = Some(user);
                    break;
                }
                Err(e) if e.is_unauthorized() => {
                    output::warning(
                        "kamaki.cli",
                        &format!(
                            "A token of cloud \"{cloud}\" failed to authenticate ({})",
                            e.message.trim_end()
                        ),
                    );
                    rejected.push(token.clone());
                    last_error = Some(CliError::from(e));
                }
                Err(e) => {
                    let err = CliError::from(e);
                    return Err(err.hint(
                        "To check the authentication URL",
                        format!("kamaki config get cloud.{cloud}.url"),
                    ));
                }
            }
        }
        let Some(user) = first_user else {
            return Err(no_valid_token(cloud, last_error));
        };
        if !rejected.is_empty() {
            let kept: Vec<&String> = tokens.iter().filter(|t| !rejected.contains(t)).collect();
            let joined = kept
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            config.set_cloud(cloud, "token", &joined)?;
            config.save()?;
            output::warning(
                "kamaki.cli",
                &format!(
                    "{} invalid token(s) removed from cloud \"{cloud}\" in {}",
                    rejected.len(),
                    config.path().display()
                ),
            );
        }
        Ok(Session {
            cloud: cloud.to_string(),
            auth_url,
            http,
            astakos,
            users: vec![user],
            options: config.cloud_items(cloud),
        })
    }

    fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    /// The current user.
    pub fn user(&self) -> &SessionUser {
        &self.users[0]
    }

    /// The users authenticated so far.
    pub fn users(&self) -> &[SessionUser] {
        &self.users
    }

    /// Authenticates a token (for `user authenticate`, `user add`).
    pub async fn authenticate(&self, token: &str) -> CliResult<SessionUser> {
        Ok(authenticate_with(&self.astakos, token).await?)
    }

    /// Authenticates every configured token of the cloud not yet known
    /// (for `user list`, `user select`). Failures are warned about.
    pub async fn authenticate_all(&mut self, tokens: &[String]) {
        for t in tokens {
            if self.users.iter().any(|u| &u.token == t) {
                continue;
            }
            match authenticate_with(&self.astakos, t).await {
                Ok(user) => {
                    if !self.users.iter().any(|u| u.uuid() == user.uuid()) {
                        self.users.push(user);
                    }
                }
                Err(e) => output::warning(
                    "kamaki.cli",
                    &format!(
                        "A token of cloud \"{}\" failed to authenticate ({})",
                        self.cloud,
                        e.message.trim_end()
                    ),
                ),
            }
        }
    }

    /// Makes a known user the current one.
    pub fn select(&mut self, index: usize) {
        if index < self.users.len() {
            let u = self.users.remove(index);
            let _ = self.astakos.select_user(&u.uuid());
            self.users.insert(0, u);
        }
    }

    /// Forgets a known user (not the current one).
    pub fn forget(&mut self, index: usize) {
        if index > 0 && index < self.users.len() {
            let u = self.users.remove(index);
            let _ = self.astakos.remove_user(&u.uuid());
        }
    }

    /// Resolves a user given by uuid or name (e-mail) to a uuid through the
    /// user catalog; a uuid-looking text the catalog does not know is kept.
    pub async fn resolve_user(&self, who: &str) -> CliResult<String> {
        if let Some(u) = self
            .users
            .iter()
            .find(|u| u.uuid() == who || u.name() == who)
        {
            return Ok(u.uuid());
        }
        let looks_like_uuid = who.len() == 36 && who.chars().filter(|c| *c == '-').count() == 4;
        if looks_like_uuid {
            return Ok(who.to_string());
        }
        let found = self
            .astakos
            .usernames2uuids(&[who.to_string()])
            .await
            .unwrap_or_default();
        match found.get(who) {
            Some(uuid) => Ok(uuid.clone()),
            None if !who.contains('@') => Ok(who.to_string()),
            None => Err(CliError::value(format!("No user named {who}")).hint(
                "To find a user's uuid",
                format!("kamaki user name2uuid {who}"),
            )),
        }
    }

    /// uuid → name for the given uuids (those the user catalog knows).
    pub async fn usernames(&self, uuids: &[String]) -> std::collections::BTreeMap<String, String> {
        self.astakos
            .uuids2usernames(uuids)
            .await
            .unwrap_or_default()
    }

    /// The endpoint URL and token of a service: `<svc>_url` / `<svc>_token`
    /// when set, otherwise the catalog entry of `<svc>_type` (default type)
    /// and `<svc>_version`, with the session token.
    pub fn endpoint(&self, service: Service) -> CliResult<(String, Token)> {
        let prefix = service.config_prefix();
        let token = self
            .option(&format!("{prefix}_token"))
            .map(str::to_string)
            .unwrap_or_else(|| self.user().token.clone());
        if let Some(url) = self.option(&format!("{prefix}_url")) {
            return Ok((url.trim().to_string(), Token::new(token)));
        }
        if service == Service::Identity {
            return Ok((self.auth_url.clone(), Token::new(token)));
        }
        let service_type = self
            .option(&format!("{prefix}_type"))
            .unwrap_or(service.default_type());
        let version = self.option(&format!("{prefix}_version"));
        let url = catalog_endpoint(&self.user().auth.catalog, service_type, version)?;
        Ok((url, Token::new(token)))
    }

    /// An HTTP client on the shared pool carrying this token.
    pub fn http_with(&self, token: &Token) -> HttpClient {
        self.http.with_token(Some(token.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> ServiceCatalog {
        serde_json::from_value(json!([
            {"name": "astakos_account", "type": "account",
             "endpoints": [{"versionId": "v1.0", "publicURL": "https://a/account/v1.0"}]},
            {"name": "cyclades_plankton", "type": "image",
             "endpoints": [{"versionId": "v1.0", "publicURL": "https://c/image/v1.0"}]},
            {"name": "pithos", "type": "object-store",
             "endpoints": [{"versionId": "v1", "publicURL": "https://p/object-store/v1"},
                           {"versionId": "v2", "publicURL": "https://p/object-store/v2"}]}
        ]))
        .unwrap()
    }

    #[test]
    fn catalog_lookup() {
        let c = catalog();
        assert_eq!(
            catalog_endpoint(&c, "Image", Some("V1.0")).unwrap(),
            "https://c/image/v1.0"
        );
        assert_eq!(
            catalog_endpoint(&c, "image", Some("1.0")).unwrap(),
            "https://c/image/v1.0"
        );
        assert_eq!(
            catalog_endpoint(&c, "object-store", Some("v2")).unwrap(),
            "https://p/object-store/v2"
        );
        assert_eq!(
            catalog_endpoint(&c, "object-store", None).unwrap(),
            "https://p/object-store/v1"
        );
        let e = catalog_endpoint(&c, "compute", None).unwrap_err();
        assert_eq!(
            e.headline,
            "Service type \"compute\" not in service catalog"
        );
        assert!(catalog_endpoint(&c, "image", Some("v2")).is_err());
    }

    fn cfg(text: &str) -> Config {
        let mut c = Config::empty(std::path::PathBuf::from("/nonexistent"));
        c.parse(text).unwrap();
        c
    }

    #[test]
    fn cloud_selection() {
        let one = cfg("[cloud \"lab\"]\nurl = u\ntoken = t\n");
        assert_eq!(select_cloud(&one, None).unwrap(), "lab");
        let two =
            cfg("[cloud \"lab\"]\nurl = u\ntoken = t\n[cloud \"prod\"]\nurl = u\ntoken = t\n");
        let e = select_cloud(&two, None);
        if std::env::var(DEFAULT_CLOUD_ENV).is_err() {
            let e = e.unwrap_err();
            assert_eq!(e.headline, "Found 2 clouds, none marked as default");
            assert_eq!(e.details[0], "Cloud names: lab, prod");
        }
        assert_eq!(select_cloud(&two, Some("prod")).unwrap(), "prod");
        let e = select_cloud(&two, Some("nope")).unwrap_err();
        assert_eq!(e.headline, "Cloud \"nope\" is not configured");
        let no_token = cfg("[cloud \"lab\"]\nurl = u\n");
        let e = select_cloud(&no_token, None).unwrap_err();
        assert_eq!(e.headline, "No token in cloud \"lab\"");
        assert_eq!(e.details[1], "  kamaki config set cloud.lab.token <token>");
        let with_default = cfg("[global]\ndefault_cloud = prod\n[cloud \"lab\"]\nurl = u\ntoken = t\n[cloud \"prod\"]\nurl = u\ntoken = t\n");
        assert_eq!(select_cloud(&with_default, None).unwrap(), "prod");
    }
}
