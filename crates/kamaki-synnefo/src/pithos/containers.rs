//! The container level: info, object listings, creation, policies and
//! metadata, deletion and purging, raw block upload (`spec/storage-pithos.md` §5).

use futures::{Stream, TryStreamExt};
use kamaki_core::{paginate, Body, ClientError, Method, Page, QueryParams};

use super::account::SERVER_LIST_LIMIT;
use super::types::{ContainerInfo, Meta, ObjectListItem, Versioning};
use super::{meta_headers, PithosClient};

/// Options of [`PithosClient::get_container_info`].
#[derive(Debug, Clone, Default)]
pub struct ContainerInfoOptions {
    /// The state as of this instant (integer epoch seconds; owner only).
    pub until: Option<u64>,
    /// `If-Modified-Since` (RFC 1123 date): 304 when not modified.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` (RFC 1123 date): 412 when modified.
    pub if_unmodified_since: Option<String>,
}

/// Options of [`PithosClient::objects`].
#[derive(Debug, Clone, Default)]
pub struct ListObjectsOptions {
    /// Page size sent to the server (default: the server's, 10000). The
    /// stream continues across pages; use `.take(n)` to cap it.
    pub limit: Option<u32>,
    /// Start after this name.
    pub marker: Option<String>,
    /// Only names starting with this.
    pub prefix: Option<String>,
    /// Roll names up at the first delimiter after the prefix (subdir entries).
    pub delimiter: Option<String>,
    /// Objects directly under this path (`prefix=path/` + `delimiter=/`,
    /// without subdir entries); overrides `prefix` and `delimiter`.
    pub path: Option<String>,
    /// Metadata filters: `key`, `!key`, `key=v`, `key!=v`, `key<v`, `key>v`,
    /// `key<=v`, `key>=v` (sent joined with `,`).
    pub meta: Vec<String>,
    /// Only objects with sharing permissions.
    pub shared: bool,
    /// Only public objects (owner only).
    pub public: bool,
    /// The listing as of this instant (integer epoch seconds; owner only).
    pub until: Option<u64>,
    /// `If-Modified-Since`: the listing is empty when not modified (304).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since`: 412 when modified.
    pub if_unmodified_since: Option<String>,
}

/// Options of [`PithosClient::create_container`].
#[derive(Debug, Clone, Default)]
pub struct CreateContainerOptions {
    /// `X-Container-Policy-Quota`: bytes, 0 = unlimited.
    pub quota: Option<u64>,
    /// `X-Container-Policy-Versioning`.
    pub versioning: Option<Versioning>,
    /// `X-Container-Policy-Project`: the project charged for the space.
    pub project: Option<String>,
    /// `X-Container-Meta-*` user metadata.
    pub meta: Meta,
}

/// What [`PithosClient::create_container`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateOutcome {
    /// 201: the container was created.
    Created,
    /// 202: it existed; policy and metadata were merged.
    AlreadyExisted,
}

/// A change of container policy and metadata ([`PithosClient::update_container`]).
#[derive(Debug, Clone, Default)]
pub struct ContainerUpdate {
    /// New quota in bytes (0 = unlimited).
    pub quota: Option<u64>,
    /// New versioning policy.
    pub versioning: Option<Versioning>,
    /// New project.
    pub project: Option<String>,
    /// Metadata to set; an empty value deletes the key (when merging).
    pub meta: Meta,
    /// Replace all metadata (and reset omitted policies) instead of merging:
    /// the POST is sent without `update`.
    pub replace: bool,
}

/// Options of [`PithosClient::delete_container`].
#[derive(Debug, Clone, Default)]
pub struct DeleteContainerOptions {
    /// Purge the history (old versions, deleted objects) up to this instant
    /// (integer epoch seconds); the container stays.
    pub until: Option<u64>,
    /// Delete every object in the container and keep the container.
    pub delimiter: Option<String>,
}

impl PithosClient {
    /// A container's state: `HEAD /{account}/{container}[?until=T]`; success 204.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an invalid
    /// container name or no account; a [`ClientError`] with the server's
    /// status (404, 403; 304/412 for the conditional headers); a decode
    /// error for malformed numeric headers.
    pub async fn get_container_info(
        &self,
        container: &str,
        opts: &ContainerInfoOptions,
    ) -> Result<ContainerInfo, ClientError> {
        let url = self.container_url(container)?;
        let mut q = QueryParams::new();
        q.push_opt("until", opts.until);
        let headers = self
            .http_req(Method::HEAD, url)
            .query(&q)
            .header_opt("If-Modified-Since", opts.if_modified_since.as_deref())
            .header_opt("If-Unmodified-Since", opts.if_unmodified_since.as_deref())
            .expect_status(&[204, 200])
            .send_headers()
            .await?;
        ContainerInfo::try_from(&headers)
    }

    /// The objects of a container, as a stream across pages:
    /// `GET /{account}/{container}?format=json[&limit][&marker][&prefix]
    /// [&delimiter][&path][&meta][&shared][&public][&until]`; success 200,
    /// 204 (empty), 304 (not modified: empty).
    ///
    /// # Errors
    /// Each item may be a [`ClientError`] (404, 403, 412), a decode error,
    /// or an [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error for an
    /// invalid container name; the stream ends after an error.
    pub fn objects<'a>(
        &'a self,
        container: &str,
        opts: ListObjectsOptions,
    ) -> impl Stream<Item = Result<ObjectListItem, ClientError>> + Send + 'a {
        let container = container.to_string();
        let page_size = opts.limit.unwrap_or(SERVER_LIST_LIMIT) as usize;
        paginate(move |marker: Option<String>| {
            let opts = opts.clone();
            let container = container.clone();
            async move {
                let url = self.container_url(&container)?;
                let mut q = QueryParams::new();
                q.push("format", "json")
                    .push_opt("limit", opts.limit)
                    .push_opt("marker", marker.or(opts.marker))
                    .push_opt("prefix", opts.prefix)
                    .push_opt("delimiter", opts.delimiter)
                    .push_opt("path", opts.path);
                if !opts.meta.is_empty() {
                    q.push("meta", opts.meta.join(","));
                }
                q.flag_if("shared", opts.shared)
                    .flag_if("public", opts.public)
                    .push_opt("until", opts.until);
                let items: Vec<ObjectListItem> = self
                    .listing_page(
                        url,
                        &q,
                        opts.if_modified_since.as_deref(),
                        opts.if_unmodified_since.as_deref(),
                    )
                    .await?;
                Ok(Page::by_marker(items, page_size, |o| o.name().to_string()))
            }
        })
    }

    /// All objects of a container; see [`objects`](Self::objects).
    ///
    /// # Errors
    /// As [`objects`](Self::objects).
    pub async fn list_objects_in(
        &self,
        container: &str,
        opts: ListObjectsOptions,
    ) -> Result<Vec<ObjectListItem>, ClientError> {
        self.objects(container, opts).try_collect().await
    }

    /// All objects of the default container (kamaki's `pithos.list_objects()`);
    /// see [`objects`](Self::objects).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) when no container is
    /// set; otherwise as [`objects`](Self::objects).
    pub async fn list_objects(&self) -> Result<Vec<ObjectListItem>, ClientError> {
        let container = self.require_container()?.to_string();
        self.list_objects_in(&container, ListObjectsOptions::default())
            .await
    }

    /// Creates a container, or merges policy and metadata into an existing
    /// one: `PUT /{account}/{container}` with `X-Container-Policy-*` and
    /// `X-Container-Meta-*`; success 201 (created), 202 (existed).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an invalid name;
    /// a [`ClientError`] with the server's status (400 bad policy, 413 quota).
    pub async fn create_container(
        &self,
        container: &str,
        opts: &CreateContainerOptions,
    ) -> Result<CreateOutcome, ClientError> {
        let url = self.container_url(container)?;
        let mut rb = self
            .http_req(Method::PUT, url)
            .header_opt("X-Container-Policy-Quota", opts.quota)
            .header_opt(
                "X-Container-Policy-Versioning",
                opts.versioning.as_ref().map(Versioning::as_str),
            );
        rb = super::encoded_header_opt(rb, "X-Container-Policy-Project", opts.project.as_deref());
        rb = meta_headers(rb, "X-Container-Meta-", &opts.meta);
        let status = rb.expect_status(&[201, 202]).send_status().await?;
        Ok(if status == 201 {
            CreateOutcome::Created
        } else {
            CreateOutcome::AlreadyExisted
        })
    }

    /// Changes container policy and metadata: `POST /{account}/{container}?update`
    /// (without `update` when `replace` is set); success 202.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an invalid name;
    /// a [`ClientError`] with the server's status (400 limits or bad policy,
    /// 403, 404).
    pub async fn update_container(
        &self,
        container: &str,
        update: &ContainerUpdate,
    ) -> Result<(), ClientError> {
        let url = self.container_url(container)?;
        let mut rb = self.http_req(Method::POST, url);
        if !update.replace {
            rb = rb.flag("update");
        }
        rb = rb
            .header_opt("X-Container-Policy-Quota", update.quota)
            .header_opt(
                "X-Container-Policy-Versioning",
                update.versioning.as_ref().map(Versioning::as_str),
            );
        rb = super::encoded_header_opt(rb, "X-Container-Policy-Project", update.project.as_deref());
        rb = meta_headers(rb, "X-Container-Meta-", &update.meta);
        rb.expect_status(&[202]).send_status().await?;
        Ok(())
    }

    /// Sets (merges) container metadata; see [`update_container`](Self::update_container).
    ///
    /// # Errors
    /// As [`update_container`](Self::update_container).
    pub async fn set_container_meta(
        &self,
        container: &str,
        meta: &Meta,
    ) -> Result<(), ClientError> {
        let update = ContainerUpdate {
            meta: meta.clone(),
            ..Default::default()
        };
        self.update_container(container, &update).await
    }

    /// Deletes one container metadata key (an empty `X-Container-Meta-{key}`).
    ///
    /// # Errors
    /// As [`update_container`](Self::update_container).
    pub async fn delete_container_meta(
        &self,
        container: &str,
        key: &str,
    ) -> Result<(), ClientError> {
        let mut meta = Meta::new();
        meta.insert(key.to_string(), String::new());
        self.set_container_meta(container, &meta).await
    }

    /// Sets the container quota in bytes (0 = unlimited).
    ///
    /// # Errors
    /// As [`update_container`](Self::update_container).
    pub async fn set_container_quota(
        &self,
        container: &str,
        bytes: u64,
    ) -> Result<(), ClientError> {
        let update = ContainerUpdate {
            quota: Some(bytes),
            ..Default::default()
        };
        self.update_container(container, &update).await
    }

    /// Sets the container versioning policy.
    ///
    /// # Errors
    /// As [`update_container`](Self::update_container).
    pub async fn set_container_versioning(
        &self,
        container: &str,
        versioning: Versioning,
    ) -> Result<(), ClientError> {
        let update = ContainerUpdate {
            versioning: Some(versioning),
            ..Default::default()
        };
        self.update_container(container, &update).await
    }

    /// Charges the container's space to another project.
    ///
    /// # Errors
    /// As [`update_container`](Self::update_container).
    pub async fn reassign_container(
        &self,
        container: &str,
        project: &str,
    ) -> Result<(), ClientError> {
        let update = ContainerUpdate {
            project: Some(project.to_string()),
            ..Default::default()
        };
        self.update_container(container, &update).await
    }

    /// Deletes a container (409 if it holds objects), empties it
    /// (`delimiter`), or purges its history (`until`):
    /// `DELETE /{account}/{container}[?until=T][&delimiter=D]`; success 204.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an invalid name;
    /// a [`ClientError`] with the server's status (404 missing, 409 not empty).
    pub async fn delete_container(
        &self,
        container: &str,
        opts: &DeleteContainerOptions,
    ) -> Result<(), ClientError> {
        let url = self.container_url(container)?;
        let mut q = QueryParams::new();
        q.push_opt("until", opts.until)
            .push_opt("delimiter", opts.delimiter.as_deref());
        self.http_req(Method::DELETE, url)
            .query(&q)
            .expect_status(&[204])
            .send_status()
            .await?;
        Ok(())
    }

    /// Deletes every object of a container, keeping the container
    /// (`DELETE …?delimiter=/`).
    ///
    /// # Errors
    /// As [`delete_container`](Self::delete_container).
    pub async fn empty_container(&self, container: &str) -> Result<(), ClientError> {
        let opts = DeleteContainerOptions {
            delimiter: Some("/".into()),
            ..Default::default()
        };
        self.delete_container(container, &opts).await
    }

    /// Purges a container's history (old versions and deleted objects) up
    /// to `until` (integer epoch seconds; kamaki sent a float, which the
    /// server ignored).
    ///
    /// # Errors
    /// As [`delete_container`](Self::delete_container).
    pub async fn purge_container(&self, container: &str, until: u64) -> Result<(), ClientError> {
        let opts = DeleteContainerOptions {
            until: Some(until),
            ..Default::default()
        };
        self.delete_container(container, &opts).await
    }

    /// Stores raw blocks (one or more, concatenated; the server splits them at
    /// the block size) and returns their hashes:
    /// `POST /{account}/{container}?update&format=json` with
    /// `Content-Type: application/octet-stream`; success 202.
    ///
    /// `update` is always sent: without it the server would also wipe the
    /// container's metadata.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an invalid name or
    /// an empty body; a [`ClientError`] with the server's status (403 no write
    /// access, 404); a decode error when the answer is not a list of hashes.
    pub async fn upload_blocks(
        &self,
        container: &str,
        data: Body,
    ) -> Result<Vec<String>, ClientError> {
        if data.is_empty() {
            return Err(ClientError::invalid_argument("A block upload needs data"));
        }
        let url = self.container_url(container)?;
        let hashes: Vec<String> = self
            .http_req(Method::POST, url)
            .flag("update")
            .param("format", "json")
            .header("Content-Type", "application/octet-stream")
            .body(data)
            .expect_status(&[202])
            .send_json()
            .await?;
        Ok(hashes.into_iter().map(|h| h.to_ascii_lowercase()).collect())
    }
}
