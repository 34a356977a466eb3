//! The image service client (Glance v1 style, as Synnefo's Plankton serves
//! it): listing, metadata through `X-Image-Meta-*` headers, registering
//! files stored in Pithos as images, updating, unregistering and sharing.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_openstack::ClientError> {
//! use kamaki_openstack::image::{ImageClient, PithosLocation, RegisterOptions};
//!
//! let images = ImageClient::new("https://cloud.example.org/image", "my-token")?;
//! let location = PithosLocation::new("user-uuid", "images", "debian 11.diskdump");
//! let meta = images
//!     .register("Debian 11", &location, &RegisterOptions::default())
//!     .await?;
//! println!("{} at {}", meta.id, meta.location.unwrap_or_default());
//! # Ok(()) }
//! ```

use kamaki_core::{ClientError, Endpoint, HttpClient, Token, UrlPath};

mod ops;
mod types;

pub use ops::{ImageFilters, ListImagesOptions, RegisterOptions, SortDir, SortKey, UpdateImage};
pub use types::{
    ContainerFormat, DiskFormat, Image, ImageMember, ImageMeta, ImageStatus, PithosLocation,
    SharedImage,
};

/// A client of an image service endpoint (kamaki's `ImageClient`).
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone, Debug)]
pub struct ImageClient {
    http: HttpClient,
    endpoint: Endpoint,
}

impl ImageClient {
    /// Catalog service type.
    pub const SERVICE_TYPE: &'static str = "image";
    /// API version appended to unversioned endpoints.
    pub const DEFAULT_API_VERSION: &'static str = "1.0";

    /// A client for `endpoint_url` (`/v1.0` is appended when the URL has no
    /// version) authenticating with `token`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an unusable URL; a TLS error when the CA settings are unusable.
    pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
        let http = HttpClient::new(Some(token.into()))?;
        Self::with_http(endpoint_url, http)
    }

    /// A client for `endpoint_url` sharing the pool (and token) of `http`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an unusable URL.
    pub fn with_http(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        let endpoint = Endpoint::new(endpoint_url, Some(Self::DEFAULT_API_VERSION))?;
        Ok(ImageClient { http, endpoint })
    }

    /// The endpoint, with its version segment.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP client (pool and token) this client uses.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    fn url(&self) -> UrlPath {
        self.endpoint.path()
    }
}
