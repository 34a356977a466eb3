//! Account level: info, metadata, container listing.

use std::collections::BTreeMap;

use futures::{Stream, TryStreamExt};
use http::{HeaderMap, Method};
use kamaki_core::{paginate, ClientError, Page, QueryParams};
use serde::{Deserialize, Serialize};

use super::headers::{self, encode_header_value, encode_meta_key};
use super::{Listing, ListingName, StorageClient, WriteResult};
use crate::common::Extra;

/// Page size assumed when none is given: the default listing limit of Swift
/// and Pithos. A full page means there may be more.
pub(crate) const SERVER_PAGE: u32 = 10_000;

/// Options of [`StorageClient::containers`].
#[derive(Debug, Clone, Default)]
pub struct ListContainersOptions {
    /// Only names starting with this.
    pub prefix: Option<String>,
    /// Roll names up at this character after the prefix into subdir entries.
    pub delimiter: Option<char>,
    /// Start after this name.
    pub marker: Option<String>,
    /// Stop before this name.
    pub end_marker: Option<String>,
    /// Page size sent to the server (the stream goes on across pages).
    pub limit: Option<u32>,
    /// Extra query parameters (e.g. Pithos' `shared`, `until`).
    pub query: QueryParams,
    /// Extra request headers (e.g. `If-Modified-Since`).
    pub headers: HeaderMap,
}

/// The account's state, from `HEAD /{account}`.
#[derive(Debug, Clone, Default)]
pub struct AccountInfo {
    /// `X-Account-Container-Count`.
    pub container_count: u64,
    /// `X-Account-Object-Count` (Swift only).
    pub object_count: Option<u64>,
    /// `X-Account-Bytes-Used`.
    pub bytes: u64,
    /// `Last-Modified`, as sent.
    pub last_modified: Option<String>,
    /// `X-Account-Meta-*`, keys lower-case, names and values percent-decoded.
    pub meta: BTreeMap<String, String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl TryFrom<&HeaderMap> for AccountInfo {
    type Error = ClientError;

    fn try_from(h: &HeaderMap) -> Result<Self, ClientError> {
        Ok(AccountInfo {
            container_count: headers::number(h, "x-account-container-count")?.unwrap_or(0),
            object_count: headers::number(h, "x-account-object-count")?,
            bytes: headers::number(h, "x-account-bytes-used")?.unwrap_or(0),
            last_modified: headers::text(h, "last-modified"),
            meta: headers::headers_with_prefix(h, "x-account-meta-"),
            headers: h.clone(),
        })
    }
}

/// A container in an account listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerEntry {
    /// The container name.
    pub name: String,
    /// Number of objects.
    #[serde(default)]
    pub count: u64,
    /// Bytes used.
    #[serde(default)]
    pub bytes: u64,
    /// Last modification (ISO 8601), when the server gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Fields this version does not know (e.g. Pithos' `x_container_policy`).
    #[serde(flatten)]
    pub extra: Extra,
}

impl ListingName for ContainerEntry {
    fn listing_name(&self) -> &str {
        &self.name
    }
}

/// Adds `X-{level}-Meta-{key}: {value}` headers to a map.
pub(crate) fn meta_headers(
    out: &mut HeaderMap,
    level: &str,
    meta: &BTreeMap<String, String>,
) -> Result<(), ClientError> {
    for (k, v) in meta {
        if k.is_empty() {
            return Err(ClientError::invalid_argument(
                "Metadata key must not be empty",
            ));
        }
        let name = format!("x-{level}-meta-{}", encode_meta_key(k));
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ClientError::invalid_argument(format!("Invalid metadata key {k:?}")))?;
        let value = http::HeaderValue::from_str(&encode_header_value(v)).map_err(|_| {
            ClientError::invalid_argument(format!("Invalid metadata value for {k:?}"))
        })?;
        out.insert(name, value);
    }
    Ok(())
}

/// Headers that delete metadata keys: each one with an empty value.
pub(crate) fn meta_delete_headers<S: AsRef<str>>(
    level: &str,
    keys: &[S],
) -> Result<HeaderMap, ClientError> {
    let meta: BTreeMap<String, String> = keys
        .iter()
        .map(|k| (k.as_ref().to_string(), String::new()))
        .collect();
    let mut h = HeaderMap::new();
    meta_headers(&mut h, level, &meta)?;
    Ok(h)
}

/// Builds the query of a listing page.
pub(crate) fn listing_query(
    prefix: Option<&str>,
    delimiter: Option<char>,
    marker: Option<&str>,
    end_marker: Option<&str>,
    limit: Option<u32>,
) -> QueryParams {
    let mut q = QueryParams::new();
    q.push("format", "json");
    q.push_opt("limit", limit);
    q.push_opt("marker", marker);
    q.push_opt("end_marker", end_marker);
    q.push_opt("prefix", prefix);
    q.push_opt("delimiter", delimiter);
    q
}

/// Decodes a listing body; 204 or an empty body is an empty page.
pub(crate) fn decode_listing<T: serde::de::DeserializeOwned>(
    status: u16,
    body: &[u8],
) -> Result<Vec<T>, ClientError> {
    if status == 204 || body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    serde_json::from_slice(body).map_err(|e| {
        let mut err = ClientError::decode(status, &e);
        err.body = Some(bytes::Bytes::copy_from_slice(body));
        err.with_source(e)
    })
}

impl StorageClient {
    /// Account info: `HEAD /{account}`; success 204 (200 tolerated).
    ///
    /// # Errors
    /// A [`ClientError`] with the server's status (401 for a bad token);
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) when no account is set.
    pub async fn get_account_info(&self) -> Result<AccountInfo, ClientError> {
        let h = self
            .http
            .request(Method::HEAD, self.account_url()?)
            .expect_status(&[200, 204])
            .send_headers()
            .await?;
        AccountInfo::try_from(&h)
    }

    /// Sets (adds or replaces) account metadata keys, keeping the others:
    /// `POST /{account}?update` with `X-Account-Meta-{key}: {value}`
    /// (keys and values percent-encoded where needed); success 202 or 204.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an empty
    /// key; a [`ClientError`] with the server's status otherwise.
    pub async fn set_account_meta(
        &self,
        meta: &BTreeMap<String, String>,
    ) -> Result<WriteResult, ClientError> {
        let mut h = HeaderMap::new();
        meta_headers(&mut h, "account", meta)?;
        self.post_account(&h).await
    }

    /// Deletes account metadata keys: `POST /{account}?update` with each
    /// `X-Account-Meta-{key}` empty; success 202 or 204.
    ///
    /// # Errors
    /// As [`set_account_meta`](Self::set_account_meta).
    pub async fn delete_account_meta<S: AsRef<str>>(
        &self,
        keys: &[S],
    ) -> Result<WriteResult, ClientError> {
        let h = meta_delete_headers("account", keys)?;
        self.post_account(&h).await
    }

    /// `POST /{account}?update` with the given headers; success 202 or 204.
    ///
    /// # Errors
    /// A [`ClientError`] with the server's status.
    pub async fn post_account(&self, headers: &HeaderMap) -> Result<WriteResult, ClientError> {
        let resp = self
            .http
            .request(Method::POST, self.account_url()?)
            .flag("update")
            .headers(headers)
            .expect_status(&[202, 204])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// One page of containers: `GET /{account}?format=json&…`; success 200 or 204.
    ///
    /// # Errors
    /// A [`ClientError`] with the server's status; a
    /// [`Decode`](kamaki_core::ErrorKind::Decode) error for a body that is not a JSON list.
    pub async fn list_containers_page(
        &self,
        opts: &ListContainersOptions,
        marker: Option<&str>,
    ) -> Result<Vec<Listing<ContainerEntry>>, ClientError> {
        let mut q = listing_query(
            opts.prefix.as_deref(),
            opts.delimiter,
            marker,
            opts.end_marker.as_deref(),
            opts.limit,
        );
        q.extend(&opts.query);
        let resp = self
            .http
            .request(Method::GET, self.account_url()?)
            .query(&q)
            .headers(&opts.headers)
            .expect_status(&[200, 204])
            .send()
            .await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        decode_listing(status, &body)
    }

    /// The account's containers as a stream over as many pages as needed
    /// (`GET /{account}?format=json&limit&marker&end_marker&prefix&delimiter`).
    /// Nothing is sent until the stream is polled; a page shorter than the
    /// page size (`limit`, or the server's 10000) ends it.
    ///
    /// # Errors
    /// Each item is a `Result`; an error (e.g. 401) ends the stream.
    pub fn containers(
        &self,
        opts: ListContainersOptions,
    ) -> impl Stream<Item = Result<Listing<ContainerEntry>, ClientError>> + Send + '_ {
        let page = opts.limit.unwrap_or(SERVER_PAGE) as usize;
        paginate(move |marker: Option<String>| {
            let opts = opts.clone();
            async move {
                let marker = marker.or_else(|| opts.marker.clone());
                let items = self.list_containers_page(&opts, marker.as_deref()).await?;
                Ok(Page::by_marker(items, page, |e| e.name().to_string()))
            }
        })
    }

    /// Every container of the account (see [`containers`](Self::containers)).
    ///
    /// # Errors
    /// The first error of the stream.
    pub async fn list_containers(
        &self,
        opts: ListContainersOptions,
    ) -> Result<Vec<Listing<ContainerEntry>>, ClientError> {
        self.containers(opts).try_collect().await
    }
}
