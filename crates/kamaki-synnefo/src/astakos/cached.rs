//! Several users' sessions at once (kamaki's `CachedAstakosClient`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use kamaki_core::{ClientError, ErrorKind, HttpClient, Token};
use kamaki_openstack::identity::{AuthInfo, UserInfo};

use super::AstakosClient;

#[derive(Default)]
struct State {
    /// uuid → the client bound to that user's token, in the order added.
    users: Vec<(String, AstakosClient)>,
    /// The uuid of the default user.
    default: Option<String>,
    /// uuid → display name, as learned.
    names: BTreeMap<String, String>,
}

/// Authenticated sessions of several users of one cloud, keyed by user uuid.
///
/// Each token is authenticated once; [`refresh`](Self::refresh) asks again.
/// The first user added is the default one.
#[derive(Clone)]
pub struct CachedAstakosClient {
    auth_url: String,
    http: HttpClient,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for CachedAstakosClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedAstakosClient")
            .field("auth_url", &self.auth_url)
            .finish_non_exhaustive()
    }
}

fn no_such_user(uuid: &str) -> ClientError {
    ClientError::invalid_argument(format!("No session for user {uuid}"))
}

impl CachedAstakosClient {
    /// An empty cache for `auth_url`; clients share one connection pool.
    ///
    /// # Errors
    /// An invalid-argument error for a malformed URL; TLS setup errors.
    pub fn new(auth_url: &str) -> Result<Self, ClientError> {
        Self::with_http(auth_url, HttpClient::new(None)?)
    }

    /// An empty cache whose clients share `http`'s pool and settings.
    ///
    /// # Errors
    /// An invalid-argument error for a malformed URL.
    pub fn with_http(auth_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        // validate the URL once
        AstakosClient::with_http(auth_url, http.clone())?;
        Ok(CachedAstakosClient {
            auth_url: auth_url.to_string(),
            http,
            state: Arc::new(Mutex::new(State::default())),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Authenticates `token` and keeps the session; returns its user uuid.
    /// The first user authenticated becomes the default.
    ///
    /// # Errors
    /// 401 for a bad token; other errors as [`ClientError`].
    pub async fn authenticate(&self, token: impl Into<Token>) -> Result<String, ClientError> {
        let token = token.into();
        if token.is_empty() {
            return Err(ClientError::invalid_argument("No token given"));
        }
        let client = AstakosClient::with_http(&self.auth_url, self.http.with_token(Some(token)))?;
        let info = client.authenticate().await?;
        let uuid = info.user.id.clone();
        let mut st = self.lock();
        st.users.retain(|(u, _)| u != &uuid);
        st.users.push((uuid.clone(), client));
        if st.default.is_none() {
            st.default = Some(uuid.clone());
        }
        if let Some(name) = info.user.name.clone() {
            st.names.entry(uuid.clone()).or_insert(name);
        }
        Ok(uuid)
    }

    /// Authenticates each token; returns per token its uuid or its error, in order.
    pub async fn authenticate_all(&self, tokens: &[Token]) -> Vec<Result<String, ClientError>> {
        let mut out = Vec::with_capacity(tokens.len());
        for t in tokens {
            out.push(self.authenticate(t.clone()).await);
        }
        out
    }

    /// The default user's uuid.
    pub fn default_user(&self) -> Option<String> {
        self.lock().default.clone()
    }

    /// Makes `uuid` the default user.
    ///
    /// # Errors
    /// Invalid argument when there is no session for that user.
    pub fn select_user(&self, uuid: &str) -> Result<(), ClientError> {
        let mut st = self.lock();
        if !st.users.iter().any(|(u, _)| u == uuid) {
            return Err(no_such_user(uuid));
        }
        st.default = Some(uuid.to_string());
        Ok(())
    }

    /// The client of a user (the default user when `uuid` is `None`).
    ///
    /// # Errors
    /// Invalid argument when there is no such session.
    pub fn get_client(&self, uuid: Option<&str>) -> Result<AstakosClient, ClientError> {
        let st = self.lock();
        let uuid = match uuid {
            Some(u) => u.to_string(),
            None => st.default.clone().ok_or_else(|| {
                ClientError::new(
                    ErrorKind::InvalidArgument,
                    "No user session; authenticate a token first",
                )
            })?,
        };
        st.users
            .iter()
            .find(|(u, _)| *u == uuid)
            .map(|(_, c)| c.clone())
            .ok_or_else(|| no_such_user(&uuid))
    }

    /// The token of a user's session.
    ///
    /// # Errors
    /// Invalid argument when there is no such session.
    pub fn get_token(&self, uuid: &str) -> Result<Token, ClientError> {
        self.get_client(Some(uuid))?
            .token()
            .cloned()
            .ok_or_else(|| no_such_user(uuid))
    }

    /// The user info of a session (the default user when `uuid` is `None`).
    ///
    /// # Errors
    /// Invalid argument when there is no such session.
    pub async fn user_info(&self, uuid: Option<&str>) -> Result<UserInfo, ClientError> {
        self.get_client(uuid)?.user_info().await
    }

    /// The full authentication answer of a session.
    ///
    /// # Errors
    /// Invalid argument when there is no such session.
    pub async fn auth_info(&self, uuid: Option<&str>) -> Result<Arc<AuthInfo>, ClientError> {
        self.get_client(uuid)?.auth_info().await
    }

    /// Authenticates a session's token again.
    ///
    /// # Errors
    /// 401 when the token is no longer valid.
    pub async fn refresh(&self, uuid: &str) -> Result<(), ClientError> {
        self.get_client(Some(uuid))?.authenticate().await.map(drop)
    }

    /// The users with a session, default first is not implied: in the order added.
    pub fn list_users(&self) -> Vec<String> {
        self.lock().users.iter().map(|(u, _)| u.clone()).collect()
    }

    /// Drops a user's session.
    ///
    /// # Errors
    /// Invalid argument for the default user (select another first) or an
    /// unknown one.
    pub fn remove_user(&self, uuid: &str) -> Result<(), ClientError> {
        let mut st = self.lock();
        if st.default.as_deref() == Some(uuid) && st.users.len() > 1 {
            return Err(ClientError::invalid_argument(
                "Cannot remove the current user; select another one first",
            ));
        }
        let before = st.users.len();
        st.users.retain(|(u, _)| u != uuid);
        if st.users.len() == before {
            return Err(no_such_user(uuid));
        }
        if st.default.as_deref() == Some(uuid) {
            st.default = None;
        }
        st.names.remove(uuid);
        Ok(())
    }

    /// The public URL of a service in the default user's catalog.
    ///
    /// # Errors
    /// A catalog error when absent; as [`AstakosClient::get_endpoint_url`].
    pub async fn get_endpoint_url(&self, service_type: &str) -> Result<String, ClientError> {
        self.get_client(None)?.get_endpoint_url(service_type).await
    }

    /// uuid → display name for `uuids`, asking the server only for those not
    /// known yet; returns just the ones asked for (those the server knows).
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn uuids2usernames(
        &self,
        uuids: &[String],
    ) -> Result<BTreeMap<String, String>, ClientError> {
        let missing: Vec<String> = {
            let st = self.lock();
            uuids
                .iter()
                .filter(|u| !st.names.contains_key(*u))
                .cloned()
                .collect()
        };
        if !missing.is_empty() {
            let found = self.get_client(None)?.get_usernames(&missing).await?;
            self.lock().names.extend(found);
        }
        let st = self.lock();
        Ok(uuids
            .iter()
            .filter_map(|u| st.names.get(u).map(|n| (u.clone(), n.clone())))
            .collect())
    }

    /// display name → uuid for `names`, asking the server only for those not known yet.
    ///
    /// # Errors
    /// Server errors as [`ClientError`].
    pub async fn usernames2uuids(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, String>, ClientError> {
        let known: BTreeMap<String, String> = {
            let st = self.lock();
            st.names
                .iter()
                .map(|(u, n)| (n.clone(), u.clone()))
                .collect()
        };
        let missing: Vec<String> = names
            .iter()
            .filter(|n| !known.contains_key(*n))
            .cloned()
            .collect();
        let mut out: BTreeMap<String, String> = names
            .iter()
            .filter_map(|n| known.get(n).map(|u| (n.clone(), u.clone())))
            .collect();
        if !missing.is_empty() {
            let found = self.get_client(None)?.get_uuids(&missing).await?;
            let mut st = self.lock();
            for (name, uuid) in found {
                st.names.insert(uuid.clone(), name.clone());
                out.insert(name, uuid);
            }
        }
        Ok(out)
    }
}
