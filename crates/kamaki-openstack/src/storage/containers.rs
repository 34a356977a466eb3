//! Container level: create, info, delete, metadata, object listing.

use std::collections::BTreeMap;

use futures::{Stream, TryStreamExt};
use http::{HeaderMap, Method};
use kamaki_core::{paginate, ClientError, Page, QueryParams};
use serde::{Deserialize, Serialize};

use super::account::{
    decode_listing, listing_query, meta_delete_headers, meta_headers, SERVER_PAGE,
};
use super::headers;
use super::{Listing, ListingName, StorageClient, WriteResult};
use crate::common::Extra;

/// Options of [`StorageClient::create_container`].
#[derive(Debug, Clone, Default)]
pub struct CreateContainerOptions {
    /// `X-Container-Meta-*` to set.
    pub meta: BTreeMap<String, String>,
    /// `X-Storage-Policy` (Swift).
    pub storage_policy: Option<String>,
    /// `X-Container-Read` ACL (Swift).
    pub read_acl: Option<String>,
    /// `X-Container-Write` ACL (Swift).
    pub write_acl: Option<String>,
    /// Extra request headers (e.g. Pithos' `X-Container-Policy-Quota`).
    pub headers: HeaderMap,
}

/// Options of [`StorageClient::objects`].
#[derive(Debug, Clone, Default)]
pub struct ListObjectsOptions {
    /// Only names starting with this.
    pub prefix: Option<String>,
    /// Roll names up at this character after the prefix into subdir entries.
    pub delimiter: Option<char>,
    /// Only the objects directly under this pseudo-directory (`path=`).
    pub path: Option<String>,
    /// Start after this name.
    pub marker: Option<String>,
    /// Stop before this name.
    pub end_marker: Option<String>,
    /// Page size sent to the server (the stream goes on across pages).
    pub limit: Option<u32>,
    /// Extra query parameters (e.g. Pithos' `meta`, `shared`, `until`).
    pub query: QueryParams,
    /// Extra request headers (e.g. `If-Modified-Since`).
    pub headers: HeaderMap,
}

/// The container's state, from `HEAD /{account}/{container}`.
#[derive(Debug, Clone, Default)]
pub struct ContainerInfo {
    /// `X-Container-Object-Count`.
    pub object_count: u64,
    /// `X-Container-Bytes-Used`.
    pub bytes: u64,
    /// `Last-Modified`, as sent.
    pub last_modified: Option<String>,
    /// `X-Storage-Policy` (Swift).
    pub storage_policy: Option<String>,
    /// `X-Container-Read` (Swift ACL).
    pub read_acl: Option<String>,
    /// `X-Container-Write` (Swift ACL).
    pub write_acl: Option<String>,
    /// `X-Container-Block-Size` (Pithos).
    pub block_size: Option<u64>,
    /// `X-Container-Block-Hash` (Pithos).
    pub block_hash: Option<String>,
    /// `X-Container-Meta-*`, keys lower-case, names and values percent-decoded.
    pub meta: BTreeMap<String, String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl TryFrom<&HeaderMap> for ContainerInfo {
    type Error = ClientError;

    fn try_from(h: &HeaderMap) -> Result<Self, ClientError> {
        Ok(ContainerInfo {
            object_count: headers::number(h, "x-container-object-count")?.unwrap_or(0),
            bytes: headers::number(h, "x-container-bytes-used")?.unwrap_or(0),
            last_modified: headers::text(h, "last-modified"),
            storage_policy: headers::text(h, "x-storage-policy"),
            read_acl: headers::decoded(h, "x-container-read"),
            write_acl: headers::decoded(h, "x-container-write"),
            block_size: headers::number(h, "x-container-block-size")?,
            block_hash: headers::text(h, "x-container-block-hash"),
            meta: headers::headers_with_prefix(h, "x-container-meta-"),
            headers: h.clone(),
        })
    }
}

/// An object in a container listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectEntry {
    /// The object name.
    pub name: String,
    /// Size in bytes.
    #[serde(default)]
    pub bytes: u64,
    /// The stored checksum: MD5 on Swift (for large objects, the
    /// manifest's), often empty on Pithos.
    #[serde(default)]
    pub hash: String,
    /// The content type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Last modification (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Fields this version does not know (e.g. `slo_etag`, `x_object_hash`).
    #[serde(flatten)]
    pub extra: Extra,
}

impl ListingName for ObjectEntry {
    fn listing_name(&self) -> &str {
        &self.name
    }
}

impl StorageClient {
    /// Creates a container, or updates it if it exists:
    /// `PUT /{account}/{container}`; success 201 (created) or 202 (existed).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an
    /// invalid name (nothing is sent); a [`ClientError`] with the server's status.
    pub async fn create_container(
        &self,
        container: &str,
        opts: &CreateContainerOptions,
    ) -> Result<WriteResult, ClientError> {
        let url = self.container_url(container)?;
        let mut h = HeaderMap::new();
        meta_headers(&mut h, "container", &opts.meta)?;
        let resp = self
            .http
            .request(Method::PUT, url)
            .headers(&h)
            .header_opt("X-Storage-Policy", opts.storage_policy.as_deref())
            .header_opt("X-Container-Read", opts.read_acl.as_deref())
            .header_opt("X-Container-Write", opts.write_acl.as_deref())
            .headers(&opts.headers)
            .expect_status(&[201, 202])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// Container info: `HEAD /{account}/{container}`; success 204 (200 tolerated).
    ///
    /// # Errors
    /// A 404 [`ClientError`] when the container does not exist; invalid names
    /// are refused before any request.
    pub async fn get_container_info(&self, container: &str) -> Result<ContainerInfo, ClientError> {
        let h = self
            .http
            .request(Method::HEAD, self.container_url(container)?)
            .expect_status(&[200, 204])
            .send_headers()
            .await?;
        ContainerInfo::try_from(&h)
    }

    /// Deletes an empty container: `DELETE /{account}/{container}`; success 204.
    ///
    /// # Errors
    /// 404 when it does not exist, 409 when it still holds objects (with the
    /// server's message).
    pub async fn delete_container(&self, container: &str) -> Result<WriteResult, ClientError> {
        let resp = self
            .http
            .request(Method::DELETE, self.container_url(container)?)
            .expect_status(&[204])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// Sets container metadata keys, keeping the others:
    /// `POST /{account}/{container}?update` with `X-Container-Meta-*`;
    /// success 202 or 204.
    ///
    /// # Errors
    /// As [`post_container`](Self::post_container).
    pub async fn set_container_meta(
        &self,
        container: &str,
        meta: &BTreeMap<String, String>,
    ) -> Result<WriteResult, ClientError> {
        let mut h = HeaderMap::new();
        meta_headers(&mut h, "container", meta)?;
        self.post_container(container, &h).await
    }

    /// Deletes container metadata keys (each sent empty):
    /// `POST /{account}/{container}?update`; success 202 or 204.
    ///
    /// # Errors
    /// As [`post_container`](Self::post_container).
    pub async fn delete_container_meta<S: AsRef<str>>(
        &self,
        container: &str,
        keys: &[S],
    ) -> Result<WriteResult, ClientError> {
        let h = meta_delete_headers("container", keys)?;
        self.post_container(container, &h).await
    }

    /// `POST /{account}/{container}?update` with the given headers (metadata,
    /// ACLs, policies); success 202 or 204.
    ///
    /// # Errors
    /// Invalid names are refused before any request; 404 when the container
    /// does not exist.
    pub async fn post_container(
        &self,
        container: &str,
        headers: &HeaderMap,
    ) -> Result<WriteResult, ClientError> {
        let resp = self
            .http
            .request(Method::POST, self.container_url(container)?)
            .flag("update")
            .headers(headers)
            .expect_status(&[202, 204])
            .send()
            .await?;
        WriteResult::read(resp).await
    }

    /// One page of objects: `GET /{account}/{container}?format=json&…`;
    /// success 200 or 204.
    ///
    /// # Errors
    /// 404 when the container does not exist; a
    /// [`Decode`](kamaki_core::ErrorKind::Decode) error for a body that is not a JSON list.
    pub async fn list_objects_page(
        &self,
        container: &str,
        opts: &ListObjectsOptions,
        marker: Option<&str>,
    ) -> Result<Vec<Listing<ObjectEntry>>, ClientError> {
        let url = self.container_url(container)?;
        let mut q = listing_query(
            opts.prefix.as_deref(),
            opts.delimiter,
            marker,
            opts.end_marker.as_deref(),
            opts.limit,
        );
        q.push_opt("path", opts.path.as_deref());
        q.extend(&opts.query);
        let resp = self
            .http
            .request(Method::GET, url)
            .query(&q)
            .headers(&opts.headers)
            .expect_status(&[200, 204])
            .send()
            .await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        decode_listing(status, &body)
    }

    /// The objects of a container as a stream over as many pages as needed
    /// (`GET /{account}/{container}?format=json&limit&marker&end_marker&prefix&delimiter&path`).
    /// Nothing is sent until polled; a page shorter than the page size
    /// (`limit`, or the server's 10000) ends it.
    ///
    /// # Errors
    /// Each item is a `Result`; an error (e.g. 404 for a missing container,
    /// or an invalid name) ends the stream.
    pub fn objects<'a>(
        &'a self,
        container: &'a str,
        opts: ListObjectsOptions,
    ) -> impl Stream<Item = Result<Listing<ObjectEntry>, ClientError>> + Send + 'a {
        let page = opts.limit.unwrap_or(SERVER_PAGE) as usize;
        paginate(move |marker: Option<String>| {
            let opts = opts.clone();
            async move {
                let marker = marker.or_else(|| opts.marker.clone());
                let items = self
                    .list_objects_page(container, &opts, marker.as_deref())
                    .await?;
                Ok(Page::by_marker(items, page, |e| e.name().to_string()))
            }
        })
    }

    /// Every object of a container (see [`objects`](Self::objects)).
    ///
    /// # Errors
    /// The first error of the stream.
    pub async fn list_objects(
        &self,
        container: &str,
        opts: ListObjectsOptions,
    ) -> Result<Vec<Listing<ObjectEntry>>, ClientError> {
        self.objects(container, opts).try_collect().await
    }
}
