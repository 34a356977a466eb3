//! Plankton: Synnefo's image service (Glance v1 style, `spec/image-plankton.md`).
//!
//! The OpenStack [`ImageClient`] of `kamaki-openstack` already speaks
//! Plankton (listing, `X-Image-Meta-*` metadata, registering Pithos files,
//! updates, members, sharing); it is re-exported here, also as
//! [`PlanktonClient`]. This module adds what is Synnefo-specific about
//! locations: a [`Location`] given as kamaki's `(uuid, container, path)`
//! triplet or as a `pithos://uuid/container/path` URL, and the
//! [`PlanktonExt`] calls that take one.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_core::ClientError> {
//! use kamaki_synnefo::plankton::{ImageClient, PlanktonExt, RegisterOptions};
//!
//! let plankton = ImageClient::new("https://cloud.example.org/image", "token")?;
//! let uuid = "8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa";
//! // a triplet ...
//! let img = plankton
//!     .register_location("Image debian.diskdump", (uuid, "images", "debian.diskdump"), &RegisterOptions::default())
//!     .await?;
//! // ... or a URL: the same request
//! let again = plankton
//!     .register_location("Image debian.diskdump", format!("pithos://{uuid}/images/debian.diskdump"), &RegisterOptions::default())
//!     .await?;
//! assert_eq!(img.id, again.id);
//! // where a snapshot (or any image) is stored
//! let loc = plankton.get_location(&img.id).await?;
//! println!("{} / {} / {}", loc.account, loc.container, loc.object);
//! # Ok(()) }
//! ```

use std::future::Future;

use kamaki_core::ClientError;

pub use kamaki_openstack::image::{
    ContainerFormat, DiskFormat, Image, ImageClient, ImageFilters, ImageMember, ImageMeta,
    ImageStatus, ListImagesOptions, PithosLocation, RegisterOptions, SharedImage, SortDir, SortKey,
    UpdateImage,
};

/// The image client under its Synnefo name.
pub type PlanktonClient = ImageClient;

/// Where the file of an image is: kamaki's `(uuid, container, path)`
/// triplet or a `pithos://uuid/container/path` URL (unencoded; the path may
/// hold `/`). Both give the same request.
///
/// ```
/// use kamaki_synnefo::plankton::Location;
/// let a = Location::from(("uuid", "images", "a/b c")).resolve().unwrap();
/// let b = Location::from("pithos://uuid/images/a/b c").resolve().unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_url(), "pithos://uuid/images/a/b%20c");
/// assert!(Location::from("/images/a/b").resolve().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The three parts.
    Pithos(PithosLocation),
    /// A `pithos://` URL, checked by [`resolve`](Location::resolve).
    Url(String),
}

impl Location {
    /// The parts of this location.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty part or a URL that is not `pithos://<uuid>/<container>/<path>`
    /// (kamaki mangled such strings; Plankton refuses them).
    pub fn resolve(&self) -> Result<PithosLocation, ClientError> {
        match self {
            Location::Pithos(p) => {
                p.check()?;
                Ok(p.clone())
            }
            Location::Url(u) => PithosLocation::parse(u),
        }
    }
}

impl From<PithosLocation> for Location {
    fn from(p: PithosLocation) -> Self {
        Location::Pithos(p)
    }
}

impl From<&PithosLocation> for Location {
    fn from(p: &PithosLocation) -> Self {
        Location::Pithos(p.clone())
    }
}

impl From<&str> for Location {
    fn from(url: &str) -> Self {
        Location::Url(url.to_string())
    }
}

impl From<String> for Location {
    fn from(url: String) -> Self {
        Location::Url(url)
    }
}

impl From<&String> for Location {
    fn from(url: &String) -> Self {
        Location::Url(url.clone())
    }
}

impl<A, C, O> From<(A, C, O)> for Location
where
    A: Into<String>,
    C: Into<String>,
    O: Into<String>,
{
    fn from((account, container, object): (A, C, O)) -> Self {
        Location::Pithos(PithosLocation::new(account, container, object))
    }
}

impl<S: Into<String>> From<[S; 3]> for Location {
    fn from([account, container, object]: [S; 3]) -> Self {
        Location::Pithos(PithosLocation::new(account, container, object))
    }
}

/// Plankton calls taking a [`Location`], for [`ImageClient`].
pub trait PlanktonExt {
    /// kamaki's `register(name, location)`: registers the Pithos file at
    /// `location` (a triplet or a URL) as an image; see
    /// [`ImageClient::register`]. POST `/images/` with `X-Image-Meta-Name`,
    /// `X-Image-Meta-Location: pithos://…` (percent-encoded) and the
    /// options as headers (200). Registering the same file again keeps its
    /// id.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty name or a bad location (nothing sent); the server's
    /// error (400 bad format or checksum, 403/404 unreadable file).
    fn register_location(
        &self,
        name: &str,
        location: impl Into<Location>,
        opts: &RegisterOptions,
    ) -> impl Future<Output = Result<ImageMeta, ClientError>> + Send;

    /// Registers the object `object` of `container` in `account` (the
    /// owner's UUID) as an image; the same as
    /// [`register_location`](Self::register_location) with a triplet.
    ///
    /// # Errors
    /// As [`register_location`](Self::register_location).
    fn register_object(
        &self,
        name: &str,
        account: &str,
        container: &str,
        object: &str,
        opts: &RegisterOptions,
    ) -> impl Future<Output = Result<ImageMeta, ClientError>> + Send;

    /// Where an image (or a volume snapshot) is stored: HEAD `/images/{id}`
    /// (200), its `X-Image-Meta-Location` split into account (owner UUID),
    /// container and object path, decoded. kamaki's
    /// `get_meta(id)["location"]`, ready to hand to Pithos.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a malformed id; a [`Decode`](kamaki_core::ErrorKind::Decode) error
    /// when the image has no `pithos://` location; the server's error (404,
    /// 403).
    fn get_location(
        &self,
        image_id: &str,
    ) -> impl Future<Output = Result<PithosLocation, ClientError>> + Send;
}

impl PlanktonExt for ImageClient {
    fn register_location(
        &self,
        name: &str,
        location: impl Into<Location>,
        opts: &RegisterOptions,
    ) -> impl Future<Output = Result<ImageMeta, ClientError>> + Send {
        let location = location.into().resolve();
        async move { self.register(name, &location?, opts).await }
    }

    fn register_object(
        &self,
        name: &str,
        account: &str,
        container: &str,
        object: &str,
        opts: &RegisterOptions,
    ) -> impl Future<Output = Result<ImageMeta, ClientError>> + Send {
        self.register_location(name, (account, container, object), opts)
    }

    async fn get_location(&self, image_id: &str) -> Result<PithosLocation, ClientError> {
        let meta = self.get_meta(image_id).await?;
        let location = meta.location.unwrap_or_default();
        PithosLocation::parse(&location).map_err(|_| {
            ClientError::decode(
                200,
                format!("image {image_id} has no pithos:// location ({location:?})"),
            )
        })
    }
}
