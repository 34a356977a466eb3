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

crate::client::service_client!(ImageClient, "image", "1.0");
