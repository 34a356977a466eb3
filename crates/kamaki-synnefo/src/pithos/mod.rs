//! Pithos: Synnefo's object storage, the Swift API plus extensions
//! (`spec/storage-pithos.md`): block hashmaps with server-side
//! deduplication, sharing and groups, public links, versions and `until`
//! time travel, container policies, partial updates through POST.
//!
//! [`PithosClient`] composes the plain Swift
//! [`StorageClient`] (endpoint,
//! token, account, name checks) and adds the Pithos calls. Operations take
//! the container explicitly; the client may also hold a default container
//! (kamaki's `pithos.container`), used by [`PithosClient::list_objects`] and
//! by the [`PithosContainer`] handle from [`PithosClient::container`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_core::ClientError> {
//! use kamaki_synnefo::pithos::{DownloadOptions, PithosClient, UploadOptions, UploadSource};
//!
//! let mut pithos = PithosClient::new("https://cloud.example.org/pithos/object-store/v1", "token", None, None)?;
//! pithos.set_account("8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa"); // astakos user_info["id"]
//! pithos.set_container("pithos");
//! for obj in pithos.list_objects().await? {
//!     let bytes = obj.item().map_or(0, |o| o.bytes);
//!     println!("  {} of {} bytes", obj.name(), bytes);
//! }
//! let docs = pithos.container("pithos");
//! docs.upload_object("notes.txt", UploadSource::path("notes.txt"), &UploadOptions::default()).await?;
//! docs.download_object("notes.txt", "copy.txt", &DownloadOptions::default()).await?;
//! # Ok(()) }
//! ```

mod account;
mod containers;
mod download;
pub mod hashmap;
mod objects;
mod sharing;
mod sync;
mod transfer;
mod types;
mod upload;

use std::fmt;
use std::sync::Arc;

use kamaki_core::{ClientError, Endpoint, HttpClient, Progress, RequestBuilder, Token, UrlPath};
use kamaki_openstack::storage::{encode_header_value, encode_meta_key, StorageClient};

pub use account::{AccountInfoOptions, ListContainersOptions, ListSharingAccountsOptions};
pub use containers::{
    ContainerInfoOptions, ContainerUpdate, CreateContainerOptions, CreateOutcome,
    DeleteContainerOptions, ListObjectsOptions,
};
pub use download::{DownloadOptions, DownloadOutcome, PARTIAL_SUFFIX};
pub use hashmap::Hashmap;
pub use kamaki_openstack::storage::ByteRange;
pub use kamaki_openstack::storage::Listing;
pub use objects::{
    CopyOptions, DeleteObjectOptions, GetObjectOptions, HashmapOptions, ObjectDownload,
    ObjectInfoOptions, ObjectUpdate, Preconditions, PutObjectOptions,
};
pub use sharing::Sharing;
pub use sync::{SyncAction, SyncEntry, SyncObserver, SyncOptions, SyncReport};
pub use transfer::{hash_file, LocalHashmap, DEFAULT_CONCURRENCY, DEFAULT_RETRIES};
pub use types::{
    AccountInfo, ContainerEntry, ContainerInfo, ContainerPolicy, Meta, ObjectEntry, ObjectInfo,
    ObjectListItem, ObjectVersion, ObjectWritten, SharingAccount, Versioning,
};
pub use upload::{
    AppendOptions, UploadMode, UploadOptions, UploadOutcome, UploadSource, DEFAULT_SEGMENT_SIZE,
};

/// The Pithos client: a Swift [`StorageClient`] plus the Pithos extensions.
///
/// Cheap to clone (the connection pool is shared).
#[derive(Clone, Debug)]
pub struct PithosClient {
    storage: StorageClient,
    container: Option<String>,
}

impl PithosClient {
    /// Catalog service type.
    pub const SERVICE_TYPE: &'static str = "object-store";
    /// API version appended to unversioned endpoints.
    pub const DEFAULT_API_VERSION: &'static str = "1";

    /// A client for the object-store endpoint `endpoint_url`, working on
    /// `account` (the user UUID) and, by default, on `container`.
    ///
    /// `/v1` is appended when the URL has no version.
    ///
    /// ```
    /// use kamaki_synnefo::pithos::PithosClient;
    /// let p = PithosClient::new("https://h/pithos/object-store", "tok", Some("uuid"), Some("pithos")).unwrap();
    /// assert_eq!(p.endpoint().as_str(), "https://h/pithos/object-store/v1");
    /// assert_eq!((p.account(), p.default_container()), (Some("uuid"), Some("pithos")));
    /// ```
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty or non-HTTP URL; a TLS error when the trust settings are unusable.
    pub fn new(
        endpoint_url: &str,
        token: impl Into<Token>,
        account: Option<&str>,
        container: Option<&str>,
    ) -> Result<Self, ClientError> {
        let http = HttpClient::new(Some(token.into()))?;
        let mut client = Self::with_http(endpoint_url, http)?;
        if let Some(a) = account {
            client.set_account(a);
        }
        client.container = container.map(str::to_string);
        Ok(client)
    }

    /// A client sharing an existing [`HttpClient`] (pool, settings, token).
    /// Set the account with [`set_account`](Self::set_account) (unless the
    /// URL ends with it, `…/v1/{account}`).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_http(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        Ok(PithosClient {
            storage: StorageClient::with_http(endpoint_url, http)?,
            container: None,
        })
    }

    /// A client over an existing Swift client (its endpoint, token, account).
    pub fn from_storage(storage: StorageClient) -> Self {
        PithosClient {
            storage,
            container: None,
        }
    }

    /// The plain Swift client underneath (same endpoint, token and account).
    pub fn storage(&self) -> &StorageClient {
        &self.storage
    }

    /// Sets the account (the user UUID; kamaki's `pithos.account = …`).
    pub fn set_account(&mut self, account: impl Into<String>) {
        self.storage = self.storage.clone().with_account(account);
    }

    /// Sets the default container (kamaki's `pithos.container = …`).
    pub fn set_container(&mut self, container: impl Into<String>) {
        self.container = Some(container.into());
    }

    /// The same client working on another account, e.g. one that shares
    /// objects with the caller, or the target of a cross-account upload.
    pub fn for_account(&self, account: impl Into<String>) -> Self {
        PithosClient {
            storage: self.storage.clone().with_account(account),
            container: self.container.clone(),
        }
    }

    /// The account, if set.
    pub fn account(&self) -> Option<&str> {
        self.storage.account()
    }

    /// The default container, if set.
    pub fn default_container(&self) -> Option<&str> {
        self.container.as_deref()
    }

    /// The endpoint (with its version, without the account).
    pub fn endpoint(&self) -> &Endpoint {
        self.storage.endpoint()
    }

    /// The HTTP client (pool, settings, token).
    pub fn http(&self) -> &HttpClient {
        self.storage.http()
    }

    /// A handle on one container of this client's account: the object
    /// operations without the container argument.
    pub fn container(&self, name: impl Into<String>) -> PithosContainer<'_> {
        PithosContainer {
            client: self,
            name: name.into(),
        }
    }

    /// The default container set with [`set_container`](Self::set_container).
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) when none is set.
    pub fn require_container(&self) -> Result<&str, ClientError> {
        self.container.as_deref().ok_or_else(|| {
            ClientError::invalid_argument(
                "No container is set: call set_container() or pass a container",
            )
        })
    }

    // -- URL helpers --------------------------------------------------------

    fn top_url(&self) -> UrlPath {
        self.storage.endpoint().path().slash()
    }

    fn account_url(&self) -> Result<UrlPath, ClientError> {
        self.storage.account_url()
    }

    fn container_url(&self, container: &str) -> Result<UrlPath, ClientError> {
        self.storage.container_url(container)
    }

    fn object_url(&self, container: &str, object: &str) -> Result<UrlPath, ClientError> {
        self.storage.object_url(container, object)
    }

    fn http_req(&self, method: kamaki_core::Method, url: UrlPath) -> RequestBuilder {
        self.storage.http().request(method, url)
    }

    /// One page of a JSON listing (`GET` with `format=json` in `query`):
    /// 200 gives the items; 204 (empty) and 304 (not modified) give none.
    async fn listing_page<T: serde::de::DeserializeOwned>(
        &self,
        url: UrlPath,
        query: &kamaki_core::QueryParams,
        if_modified_since: Option<&str>,
        if_unmodified_since: Option<&str>,
    ) -> Result<Vec<T>, ClientError> {
        let resp = self
            .http_req(kamaki_core::Method::GET, url)
            .query(query)
            .header_opt("If-Modified-Since", if_modified_since)
            .header_opt("If-Unmodified-Since", if_unmodified_since)
            .expect_status(&[200, 204, 304])
            .send()
            .await?;
        if resp.status() == 200 {
            resp.json().await
        } else {
            resp.bytes().await?;
            Ok(Vec::new())
        }
    }
}

/// Adds `{prefix}{key}: value` headers, key and value percent-encoded
/// where needed (§1.3, §7.1).
pub(crate) fn meta_headers(mut rb: RequestBuilder, prefix: &str, meta: &Meta) -> RequestBuilder {
    for (k, v) in meta {
        rb = rb.header(
            &format!("{prefix}{}", encode_meta_key(k)),
            encode_header_value(v),
        );
    }
    rb
}

/// Sets a header whose value is percent-encoded where needed (§1.3).
pub(crate) fn encoded_header(rb: RequestBuilder, name: &str, value: &str) -> RequestBuilder {
    rb.header(name, encode_header_value(value))
}

/// Sets an optional encoded header.
pub(crate) fn encoded_header_opt(
    rb: RequestBuilder,
    name: &str,
    value: Option<&str>,
) -> RequestBuilder {
    match value {
        Some(v) => encoded_header(rb, name, v),
        None => rb,
    }
}

/// `X-Object-Public: true|false`.
pub(crate) fn public_header(rb: RequestBuilder, public: Option<bool>) -> RequestBuilder {
    match public {
        Some(true) => rb.header("X-Object-Public", "true"),
        Some(false) => rb.header("X-Object-Public", "false"),
        None => rb,
    }
}

/// A progress sink shared with the caller.
pub type SharedProgress = Arc<dyn Progress>;

/// Debug helper for option structs holding progress sinks.
pub(crate) struct ProgressField<'a>(pub(crate) &'a Option<SharedProgress>);

impl fmt::Debug for ProgressField<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

/// One container of a [`PithosClient`]'s account: the object operations
/// with the container filled in. Cheap: a reference and a name.
#[derive(Clone, Debug)]
pub struct PithosContainer<'a> {
    client: &'a PithosClient,
    name: String,
}

impl<'a> PithosContainer<'a> {
    /// The container name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client.
    pub fn client(&self) -> &'a PithosClient {
        self.client
    }

    /// [`PithosClient::get_container_info`] on this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn get_info(
        &self,
        opts: &ContainerInfoOptions,
    ) -> Result<ContainerInfo, ClientError> {
        self.client.get_container_info(&self.name, opts).await
    }

    /// [`PithosClient::create_container`] for this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn create(
        &self,
        opts: &CreateContainerOptions,
    ) -> Result<CreateOutcome, ClientError> {
        self.client.create_container(&self.name, opts).await
    }

    /// [`PithosClient::delete_container`] on this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn delete(&self, opts: &DeleteContainerOptions) -> Result<(), ClientError> {
        self.client.delete_container(&self.name, opts).await
    }

    /// [`PithosClient::objects`] in this container (a stream across pages).
    pub fn objects(
        &self,
        opts: ListObjectsOptions,
    ) -> impl futures::Stream<Item = Result<ObjectListItem, ClientError>> + Send + 'a {
        self.client.objects(&self.name, opts)
    }

    /// [`PithosClient::list_objects_in`] this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn list_objects(
        &self,
        opts: ListObjectsOptions,
    ) -> Result<Vec<ObjectListItem>, ClientError> {
        self.client.list_objects_in(&self.name, opts).await
    }

    /// [`PithosClient::get_object_info`] in this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn get_object_info(
        &self,
        object: &str,
        opts: &ObjectInfoOptions,
    ) -> Result<ObjectInfo, ClientError> {
        self.client.get_object_info(&self.name, object, opts).await
    }

    /// [`PithosClient::get_object`] in this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn get_object(
        &self,
        object: &str,
        opts: &GetObjectOptions,
    ) -> Result<ObjectDownload, ClientError> {
        self.client.get_object(&self.name, object, opts).await
    }

    /// [`PithosClient::get_object_hashmap`] in this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn get_object_hashmap(&self, object: &str) -> Result<Hashmap, ClientError> {
        self.client.get_object_hashmap(&self.name, object).await
    }

    /// [`PithosClient::put_object`] in this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn put_object(
        &self,
        object: &str,
        body: kamaki_core::Body,
        opts: &PutObjectOptions,
    ) -> Result<ObjectWritten, ClientError> {
        self.client.put_object(&self.name, object, body, opts).await
    }

    /// [`PithosClient::upload_object`] into this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn upload_object(
        &self,
        object: &str,
        source: UploadSource,
        opts: &UploadOptions,
    ) -> Result<UploadOutcome, ClientError> {
        self.client
            .upload_object(&self.name, object, source, opts)
            .await
    }

    /// [`PithosClient::download_object`] from this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn download_object(
        &self,
        object: &str,
        destination: impl AsRef<std::path::Path>,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError> {
        self.client
            .download_object(&self.name, object, destination, opts)
            .await
    }

    /// [`PithosClient::download_to_writer`] from this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn download_to_writer<W>(
        &self,
        object: &str,
        writer: &mut W,
        opts: &DownloadOptions,
    ) -> Result<DownloadOutcome, ClientError>
    where
        W: tokio::io::AsyncWrite + Unpin + Send,
    {
        self.client
            .download_to_writer(&self.name, object, writer, opts)
            .await
    }

    /// [`PithosClient::update_object`] in this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn update_object(
        &self,
        object: &str,
        update: &ObjectUpdate,
    ) -> Result<ObjectWritten, ClientError> {
        self.client.update_object(&self.name, object, update).await
    }

    /// [`PithosClient::publish_object`] in this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn publish_object(&self, object: &str) -> Result<String, ClientError> {
        self.client.publish_object(&self.name, object).await
    }

    /// [`PithosClient::copy_object`] within this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn copy_object(
        &self,
        object: &str,
        destination: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        self.client
            .copy_object(&self.name, object, &self.name, destination, opts)
            .await
    }

    /// [`PithosClient::move_object`] within this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn move_object(
        &self,
        object: &str,
        destination: &str,
        opts: &CopyOptions,
    ) -> Result<ObjectWritten, ClientError> {
        self.client
            .move_object(&self.name, object, &self.name, destination, opts)
            .await
    }

    /// [`PithosClient::delete_object`] in this container.
    ///
    /// # Errors
    /// As the client call.
    pub async fn delete_object(
        &self,
        object: &str,
        opts: &DeleteObjectOptions,
    ) -> Result<(), ClientError> {
        self.client.delete_object(&self.name, object, opts).await
    }
}
