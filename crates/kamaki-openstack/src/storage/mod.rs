//! Object storage: the OpenStack Swift API v1 (also spoken by Synnefo's Pithos).
//!
//! [`StorageClient`] covers accounts, containers and objects: metadata,
//! listings as streams, streamed uploads and downloads with MD5 checks,
//! ranged and conditional reads, server-side copies, and large objects
//! (DLO and SLO) uploaded in concurrent segments.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_openstack::ClientError> {
//! use futures::TryStreamExt;
//! use kamaki_openstack::storage::{
//!     swift_v1_auth, DownloadOptions, ListObjectsOptions, PutOptions, StorageClient, UploadSource,
//! };
//!
//! // Plain Swift with tempauth: the storage URL holds the account.
//! let auth = swift_v1_auth("http://127.0.0.1:8080/auth/v1.0", "test:tester", "testing").await?;
//! let swift = StorageClient::new(&auth.storage_url, auth.token)?;
//! swift.create_container("photos", &Default::default()).await?;
//! swift
//!     .put_object("photos", "a/b.jpg", UploadSource::file("b.jpg"), &PutOptions::default())
//!     .await?;
//! let names: Vec<_> = swift
//!     .objects("photos", ListObjectsOptions::default())
//!     .map_ok(|o| o.name().to_string())
//!     .try_collect()
//!     .await?;
//! swift
//!     .download_object("photos", "a/b.jpg", "copy.jpg".as_ref(), &DownloadOptions::default())
//!     .await?;
//!
//! // Pithos: the endpoint has no account; it is the user's UUID.
//! let pithos = StorageClient::new("https://cloud.example.org/pithos/object-store/v1", "token")?
//!     .with_account("8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa");
//! # let _ = (names, pithos);
//! # Ok(()) }
//! ```

mod account;
mod containers;
mod download;
mod headers;
mod large_object;
mod objects;
mod upload;

use std::fmt;

use http::{HeaderMap, Method};
use kamaki_core::{decode_percent, ClientError, Endpoint, HttpClient, Token, UrlPath};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

pub use account::{AccountInfo, ContainerEntry, ListContainersOptions};
pub use containers::{ContainerInfo, CreateContainerOptions, ListObjectsOptions, ObjectEntry};
pub use download::{DownloadOptions, DownloadReport, TempDestination, Verification};
pub use headers::{encode_header_value, encode_meta_key, headers_with_prefix, http_date};
pub use large_object::{LargeObjectKind, LargeObjectOptions, LargeUploadResult, Segment};
pub use objects::{
    ByteRange, CopyOptions, ObjectDownload, ObjectInfo, PostObjectOptions, ReadOptions,
};
pub use upload::{PutOptions, PutResult, UploadSource};

/// Longest container name Swift and Pithos accept, in bytes.
pub const MAX_CONTAINER_NAME: usize = 256;
/// Longest object name Swift and Pithos accept, in bytes.
pub const MAX_OBJECT_NAME: usize = 1024;

/// A client of an object storage endpoint (Swift API v1).
///
/// The account is part of Swift storage URLs (`…/v1/AUTH_test`); Pithos
/// endpoints (`…/object-store/v1`) take it separately with
/// [`with_account`](Self::with_account).
#[derive(Clone, Debug)]
pub struct StorageClient {
    http: HttpClient,
    endpoint: Endpoint,
    account: Option<String>,
}

impl StorageClient {
    /// Catalog service type.
    pub const SERVICE_TYPE: &'static str = "object-store";
    /// API version appended to unversioned endpoints.
    pub const DEFAULT_API_VERSION: &'static str = "1";

    /// A client for `endpoint_url` with its own connection pool.
    ///
    /// When the URL ends with a version segment followed by one more segment
    /// (`https://h/v1/AUTH_test`), that segment is the account; when it ends
    /// with the version, the account is set with [`with_account`](Self::with_account);
    /// otherwise `/v1` is appended.
    ///
    /// ```
    /// use kamaki_openstack::storage::StorageClient;
    /// let s = StorageClient::new("http://127.0.0.1:8080/v1/AUTH_test", "tok").unwrap();
    /// assert_eq!(s.endpoint().as_str(), "http://127.0.0.1:8080/v1");
    /// assert_eq!(s.account(), Some("AUTH_test"));
    /// let p = StorageClient::new("https://h/pithos/object-store", "tok").unwrap().with_account("uuid");
    /// assert_eq!(p.endpoint().as_str(), "https://h/pithos/object-store/v1");
    /// assert_eq!(p.account(), Some("uuid"));
    /// ```
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error for
    /// an empty or non-HTTP URL; a TLS error when the trust settings are unusable.
    pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
        let http = HttpClient::new(Some(token.into()))?;
        Self::with_http(endpoint_url, http)
    }

    /// A client sharing an existing [`HttpClient`] (pool, settings and token).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_http(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        let (base, account) = split_account(endpoint_url);
        let endpoint = Endpoint::new(&base, Some(Self::DEFAULT_API_VERSION))?;
        Ok(StorageClient {
            http,
            endpoint,
            account,
        })
    }

    /// The same client working on another account (a Pithos user UUID, or a
    /// Swift `AUTH_…` account).
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// The account, if one is set.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The endpoint (with its version, without the account).
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP client (pool, settings, token).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The account URL (`{endpoint}/{account}`).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) when no
    /// account is set or it is empty or holds a `/`.
    pub fn account_url(&self) -> Result<UrlPath, ClientError> {
        let account = self.account.as_deref().ok_or_else(|| {
            ClientError::invalid_argument(
                "No account is set: use a storage URL ending with the account or with_account()",
            )
        })?;
        if account.is_empty() || account.contains('/') {
            return Err(ClientError::invalid_argument(format!(
                "Invalid account name {account:?}"
            )));
        }
        Ok(self.endpoint.path().seg(account))
    }

    /// The URL of a container, after checking its name.
    ///
    /// # Errors
    /// As [`account_url`](Self::account_url); [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument)
    /// for an invalid container name (see [`check_container_name`]).
    pub fn container_url(&self, container: &str) -> Result<UrlPath, ClientError> {
        check_container_name(container)?;
        Ok(self.account_url()?.seg(container))
    }

    /// The URL of an object, after checking both names. `/` in the object
    /// name is kept; everything else is percent-encoded.
    ///
    /// # Errors
    /// As [`container_url`](Self::container_url); for an invalid object name
    /// (see [`check_object_name`]).
    pub fn object_url(&self, container: &str, object: &str) -> Result<UrlPath, ClientError> {
        check_object_name(object)?;
        Ok(self.container_url(container)?.object(object))
    }
}

/// Checks a container name: not empty, at most [`MAX_CONTAINER_NAME`]
/// bytes, no `/`.
///
/// # Errors
/// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) describing the problem.
pub fn check_container_name(name: &str) -> Result<(), ClientError> {
    if name.is_empty() {
        return Err(ClientError::invalid_argument(
            "Container name must not be empty",
        ));
    }
    if name.len() > MAX_CONTAINER_NAME {
        return Err(ClientError::invalid_argument(format!(
            "Container name is {} bytes long; the limit is {MAX_CONTAINER_NAME}",
            name.len()
        )));
    }
    if name.contains('/') {
        return Err(ClientError::invalid_argument(format!(
            "Container name {name:?} must not contain '/'"
        )));
    }
    Ok(())
}

/// Checks an object name: not empty, at most [`MAX_OBJECT_NAME`] bytes.
///
/// # Errors
/// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) describing the problem.
pub fn check_object_name(name: &str) -> Result<(), ClientError> {
    if name.is_empty() {
        return Err(ClientError::invalid_argument(
            "Object name must not be empty",
        ));
    }
    if name.len() > MAX_OBJECT_NAME {
        return Err(ClientError::invalid_argument(format!(
            "Object name is {} bytes long; the limit is {MAX_OBJECT_NAME}",
            name.len()
        )));
    }
    Ok(())
}

fn is_version_segment(seg: &str) -> bool {
    let Some(v) = seg.strip_prefix('v') else {
        return false;
    };
    let mut parts = v.splitn(2, '.');
    let major = parts.next().unwrap_or_default();
    !major.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && parts
            .next()
            .is_none_or(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

/// Splits `…/v1/ACCOUNT` into (`…/v1`, `ACCOUNT`).
fn split_account(url: &str) -> (String, Option<String>) {
    let base = url.trim().trim_end_matches('/');
    if let Some(idx) = base.rfind('/') {
        let (head, last) = (&base[..idx], &base[idx + 1..]);
        let head_is_version = head.rfind('/').is_some_and(|j| {
            j > 0 && !head[..j].ends_with('/') && is_version_segment(&head[j + 1..])
        });
        if !last.is_empty() && !is_version_segment(last) && head_is_version {
            return (head.to_string(), Some(decode_percent(last)));
        }
    }
    (base.to_string(), None)
}

/// The outcome of a write (PUT, POST, COPY, DELETE): the status, the
/// `ETag` if the server sent one (quotes removed), and every header.
#[derive(Debug, Clone)]
pub struct WriteResult {
    /// The HTTP status (e.g. 201 created, 202 accepted).
    pub status: u16,
    /// The `ETag` the server sent, without quotes.
    pub etag: Option<String>,
    /// The response headers.
    pub headers: HeaderMap,
}

impl WriteResult {
    /// The result of the reply to a write, its body read and dropped.
    pub(crate) async fn read(resp: kamaki_core::Response) -> Result<Self, ClientError> {
        let (status, headers) = (resp.status(), resp.headers().clone());
        resp.bytes().await?;
        Ok(WriteResult {
            status,
            etag: headers::etag(&headers),
            headers,
        })
    }

    /// True when the server created something (201).
    pub fn created(&self) -> bool {
        self.status == 201
    }
}

/// One entry of a listing made with a `delimiter`: either an item, or a
/// virtual directory (`{"subdir": "photos/2024/"}`) rolling up the names
/// below it.
#[derive(Debug, Clone, PartialEq)]
pub enum Listing<T> {
    /// A container or object.
    Item(T),
    /// A virtual directory.
    Subdir(String),
}

impl<T: ListingName> Listing<T> {
    /// The item's name or the subdir prefix; listings continue after it.
    pub fn name(&self) -> &str {
        match self {
            Listing::Item(t) => t.listing_name(),
            Listing::Subdir(s) => s,
        }
    }
}

impl<T> Listing<T> {
    /// The item, unless this is a subdir.
    pub fn item(&self) -> Option<&T> {
        match self {
            Listing::Item(t) => Some(t),
            Listing::Subdir(_) => None,
        }
    }

    /// The item, unless this is a subdir.
    pub fn into_item(self) -> Option<T> {
        match self {
            Listing::Item(t) => Some(t),
            Listing::Subdir(_) => None,
        }
    }

    /// True for a virtual directory entry.
    pub fn is_subdir(&self) -> bool {
        matches!(self, Listing::Subdir(_))
    }
}

/// Listing entries that have a name (the marker of the next page).
pub trait ListingName {
    /// The entry's name.
    fn listing_name(&self) -> &str;
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Listing<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        if !map.contains_key("name") {
            if let Some(serde_json::Value::String(s)) = map.get("subdir") {
                return Ok(Listing::Subdir(s.clone()));
            }
        }
        T::deserialize(serde_json::Value::Object(map))
            .map(Listing::Item)
            .map_err(serde::de::Error::custom)
    }
}

/// What Swift's v1 authentication answered: the storage URL (with the
/// account) and a token.
#[derive(Clone)]
pub struct SwiftAuth {
    /// `X-Storage-Url`: the storage endpoint, account included.
    pub storage_url: String,
    /// `X-Auth-Token`.
    pub token: Token,
    /// Every response header (e.g. `X-Auth-Token-Expires`).
    pub headers: HeaderMap,
}

impl fmt::Debug for SwiftAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SwiftAuth")
            .field("storage_url", &self.storage_url)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Swift's v1 authentication (tempauth, swauth):
/// `GET {auth_url}` with `X-Auth-User` and `X-Auth-Key`; success 200 or 204.
/// The key is never logged.
///
/// # Errors
/// A [`ClientError`] with the server's status (401 for wrong credentials);
/// a [`Decode`](kamaki_core::ErrorKind::Decode) error when the answer lacks
/// `X-Storage-Url` or `X-Auth-Token`.
pub async fn swift_v1_auth(
    auth_url: &str,
    user: &str,
    key: &str,
) -> Result<SwiftAuth, ClientError> {
    let http = HttpClient::new(None)?;
    let resp = http
        .request(Method::GET, auth_url)
        .without_token()
        .header("X-Auth-User", user)
        .header("X-Auth-Key", key)
        .secret(key)
        .expect_status(&[200, 204])
        .send()
        .await?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let mut auth_token = None;
    if let Some(t) = headers::text(&headers, "x-auth-token") {
        auth_token = Some(t);
    } else if let Some(t) = headers::text(&headers, "x-storage-token") {
        auth_token = Some(t);
    }
    let storage_url = headers::text(&headers, "x-storage-url");
    resp.bytes().await?;
    match (storage_url, auth_token) {
        (Some(storage_url), Some(token)) => Ok(SwiftAuth {
            storage_url,
            token: Token::new(token),
            headers,
        }),
        _ => Err(ClientError::decode(
            status,
            "the authentication answer has no X-Storage-Url or X-Auth-Token",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_split() {
        let cases = [
            (
                "http://h:8080/v1/AUTH_test",
                "http://h:8080/v1",
                Some("AUTH_test"),
            ),
            (
                "http://h:8080/v1/AUTH_test/",
                "http://h:8080/v1",
                Some("AUTH_test"),
            ),
            (
                "https://h/pithos/object-store/v1",
                "https://h/pithos/object-store/v1",
                None,
            ),
            (
                "https://h/pithos/object-store",
                "https://h/pithos/object-store",
                None,
            ),
            ("https://h/v1.0/a%20b", "https://h/v1.0", Some("a b")),
            ("https://v1/x", "https://v1/x", None),
            ("https://h/v1/a/b", "https://h/v1/a/b", None),
        ];
        for (url, base, acct) in cases {
            let (b, a) = split_account(url);
            assert_eq!((b.as_str(), a.as_deref()), (base, acct), "{url}");
        }
    }

    #[test]
    fn names() {
        assert!(check_container_name("c").is_ok());
        assert!(check_container_name("").is_err());
        assert!(check_container_name("a/b").is_err());
        assert!(check_container_name(&"x".repeat(256)).is_ok());
        assert!(check_container_name(&"x".repeat(257)).is_err());
        assert!(check_object_name(&"ü".repeat(512)).is_ok());
        assert!(check_object_name(&"ü".repeat(513)).is_err());
        assert!(check_object_name("").is_err());
    }

    #[test]
    fn listing_entries() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct N {
            name: String,
        }
        impl ListingName for N {
            fn listing_name(&self) -> &str {
                &self.name
            }
        }
        let v: Vec<Listing<N>> =
            serde_json::from_str(r#"[{"subdir": "a/"}, {"name": "b"}]"#).unwrap();
        assert_eq!(v[0], Listing::Subdir("a/".into()));
        assert_eq!(v[1].name(), "b");
        assert!(serde_json::from_str::<Vec<Listing<N>>>(r#"[{"x": 1}]"#).is_err());
    }
}
