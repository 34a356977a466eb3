//! Image service operations.

use std::collections::BTreeMap;

use futures::{Stream, StreamExt, TryStreamExt};
use kamaki_core::{encode_segment, ClientError, Method, QueryParams, RequestBuilder, UrlPath};

use super::types::{
    ContainerFormat, DiskFormat, Image, ImageMember, ImageMeta, ImagesBody, MembersEnvelope,
    PithosLocation, SharedEnvelope, SharedImage,
};
use super::ImageClient;
use crate::compute::util;
use crate::rest::{pages, Listing};

/// The longest metadata value Plankton stores.
const MAX_VALUE_LEN: usize = 256;
/// The longest property name Plankton stores (111 minus its internal prefix).
const MAX_PROPERTY_LEN: usize = 93;

/// What to sort a listing by (`sort_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// `id`
    Id,
    /// `name`
    Name,
    /// `status`
    Status,
    /// `size`
    Size,
    /// `disk_format`
    DiskFormat,
    /// `container_format`
    ContainerFormat,
    /// `created_at` (the server's default)
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

impl SortKey {
    /// The server's name for this key.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Id => "id",
            SortKey::Name => "name",
            SortKey::Status => "status",
            SortKey::Size => "size",
            SortKey::DiskFormat => "disk_format",
            SortKey::ContainerFormat => "container_format",
            SortKey::CreatedAt => "created_at",
            SortKey::UpdatedAt => "updated_at",
        }
    }
}

/// The sort direction (`sort_dir`, always sent, as kamaki does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortDir {
    /// Ascending (kamaki's default).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

impl SortDir {
    /// `asc` or `desc`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }
}

/// Listing filters. Plankton validates but does not apply them, so they are
/// also applied here, to the images received: exact `name`, `status`
/// (ignoring case) and formats, and a `size` range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageFilters {
    /// Only images of this name.
    pub name: Option<String>,
    /// Only images in this status.
    pub status: Option<String>,
    /// Only images of this disk format.
    pub disk_format: Option<DiskFormat>,
    /// Only images of this container format.
    pub container_format: Option<ContainerFormat>,
    /// Only images of at least this many bytes.
    pub size_min: Option<u64>,
    /// Only images of at most this many bytes.
    pub size_max: Option<u64>,
}

impl ImageFilters {
    fn push(&self, q: &mut QueryParams) {
        util::push_text(q, "name", self.name.as_deref());
        util::push_text(
            q,
            "container_format",
            self.container_format.as_ref().map(|f| f.as_str()),
        );
        util::push_text(
            q,
            "disk_format",
            self.disk_format.as_ref().map(|f| f.as_str()),
        );
        util::push_text(q, "status", self.status.as_deref());
        q.push_opt("size_min", self.size_min.filter(|s| *s > 0));
        q.push_opt("size_max", self.size_max);
    }

    /// Whether an image passes these filters.
    pub fn matches(&self, img: &Image) -> bool {
        if let Some(n) = self.name.as_deref().filter(|n| !n.is_empty()) {
            if img.name != n {
                return false;
            }
        }
        if let Some(s) = self.status.as_deref().filter(|s| !s.is_empty()) {
            if !img.status.as_str().eq_ignore_ascii_case(s) {
                return false;
            }
        }
        if let Some(f) = &self.disk_format {
            if img.disk_format.as_ref() != Some(f) {
                return false;
            }
        }
        if let Some(f) = &self.container_format {
            if img.container_format.as_ref() != Some(f) {
                return false;
            }
        }
        if let Some(min) = self.size_min.filter(|s| *s > 0) {
            if img.size.is_none_or(|s| s < min) {
                return false;
            }
        }
        if let Some(max) = self.size_max {
            if img.size.is_none_or(|s| s > max) {
                return false;
            }
        }
        true
    }
}

/// Options of [`ImageClient::images`] / [`ImageClient::list_public`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListImagesOptions {
    /// Full image objects (`/images/detail`).
    pub detail: bool,
    /// Filters, sent and applied here.
    pub filters: ImageFilters,
    /// Sort key (`sort_key`; the server's default is `created_at`).
    pub sort_key: Option<SortKey>,
    /// Sort direction (`sort_dir`, always sent; default ascending as in kamaki).
    pub sort_dir: SortDir,
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Start after this image id (`marker`).
    pub marker: Option<String>,
}

/// Metadata of an image to register ([`ImageClient::register`]). There is
/// no `size`: Plankton refuses it and reads the size from the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterOptions {
    /// The disk format (`diskdump` by default on Synnefo).
    pub disk_format: Option<DiskFormat>,
    /// The container format (`bare` by default).
    pub container_format: Option<ContainerFormat>,
    /// The checksum; must equal the Pithos hash of the file.
    pub checksum: Option<String>,
    /// Readable by everyone.
    pub is_public: Option<bool>,
    /// The owner (accepted, without effect on Synnefo).
    pub owner: Option<String>,
    /// The store (`pithos` is the only one Synnefo accepts).
    pub store: Option<String>,
    /// User properties.
    pub properties: BTreeMap<String, String>,
}

/// Changes to an image ([`ImageClient::update_image`]); properties are
/// merged into the existing ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateImage {
    /// A new name.
    pub name: Option<String>,
    /// A new disk format.
    pub disk_format: Option<DiskFormat>,
    /// A new container format.
    pub container_format: Option<ContainerFormat>,
    /// A new status (free text, stored as given).
    pub status: Option<String>,
    /// Public or not.
    pub is_public: Option<bool>,
    /// A new owner (no effect on Synnefo).
    pub owner: Option<String>,
    /// Properties to set.
    pub properties: BTreeMap<String, String>,
}

impl UpdateImage {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.disk_format.is_none()
            && self.container_format.is_none()
            && self.status.is_none()
            && self.is_public.is_none()
            && self.owner.is_none()
            && self.properties.is_empty()
    }
}

fn check_image_id(id: &str) -> Result<(), ClientError> {
    check_token("image id", id, |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '-'
    })
}

fn check_member(id: &str) -> Result<(), ClientError> {
    check_token("member id", id, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '.')
    })
}

fn check_token(what: &str, id: &str, ok: impl Fn(char) -> bool) -> Result<(), ClientError> {
    util::check_id(what, id)?;
    if !id.chars().all(ok) {
        return Err(ClientError::invalid_argument(format!(
            "{what} {id:?} holds characters the image service does not accept"
        )));
    }
    Ok(())
}

fn check_value(what: &str, value: &str) -> Result<(), ClientError> {
    if value.chars().count() > MAX_VALUE_LEN {
        return Err(ClientError::invalid_argument(format!(
            "{what} is longer than {MAX_VALUE_LEN} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(ClientError::invalid_argument(format!(
            "{what} must not hold control characters"
        )));
    }
    Ok(())
}

fn bool_header(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Adds `X-Image-Meta-Property-<name>` headers: names and values
/// percent-encoded (the server decodes both).
fn with_properties(
    mut req: RequestBuilder,
    properties: &BTreeMap<String, String>,
) -> Result<RequestBuilder, ClientError> {
    for (k, v) in properties {
        if k.is_empty() || k.chars().count() > MAX_PROPERTY_LEN {
            return Err(ClientError::invalid_argument(format!(
                "property name {k:?} must hold 1 to {MAX_PROPERTY_LEN} characters"
            )));
        }
        check_value(&format!("property {k:?}"), v)?;
        req = req.quoted_header(&format!("X-Image-Meta-Property-{}", encode_segment(k)), v);
    }
    Ok(req)
}

impl ImageClient {
    fn images_url(&self) -> UrlPath {
        self.url().seg("images")
    }

    fn image_url(&self, id: &str) -> UrlPath {
        self.images_url().seg(id)
    }

    /// Streams the images the user can see (own, shared and public): GET
    /// `/images/` or `/images/detail` (200; Plankton answers a bare JSON
    /// array, Glance `{"images": […]}`: both are read), page by page when
    /// `limit` is set, keeping only the images that pass `opts.filters`.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream (400 for
    /// filters the server finds invalid).
    pub fn images(
        &self,
        opts: ListImagesOptions,
    ) -> impl Stream<Item = Result<Image, ClientError>> + Send + '_ {
        let url = if opts.detail {
            self.images_url().seg("detail")
        } else {
            self.images_url().slash()
        };
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &QueryParams::new())
            .filters(|q| {
                opts.filters.push(q);
                q.push("sort_dir", opts.sort_dir.as_str());
                q.push_opt("sort_key", opts.sort_key.map(SortKey::as_str));
            });
        let filters = opts.filters;
        pages(
            &self.http,
            url,
            listing,
            &[200],
            ImagesBody::into_images,
            |i| i.id.to_string(),
        )
        .filter(move |r| {
            let keep = match r {
                Ok(img) => filters.matches(img),
                Err(_) => true,
            };
            futures::future::ready(keep)
        })
    }

    /// Lists images (kamaki's `list_public`); see [`images`](Self::images).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_public(&self, opts: &ListImagesOptions) -> Result<Vec<Image>, ClientError> {
        self.images(opts.clone()).try_collect().await
    }

    /// The metadata of an image: HEAD `/images/{id}` (200), read from the
    /// `X-Image-Meta-*` headers.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty or malformed id; the server's error (404 `Not Found` with
    /// no body, 403).
    pub async fn get_meta(&self, image_id: &str) -> Result<ImageMeta, ClientError> {
        check_image_id(image_id)?;
        let headers = self
            .http
            .request(Method::HEAD, self.image_url(image_id))
            .expect_status(&[200])
            .send_headers()
            .await?;
        ImageMeta::try_from(&headers)
    }

    /// Registers a Pithos file as an image: POST `/images/` with
    /// `X-Image-Meta-Name`, `X-Image-Meta-Location` and the given metadata
    /// and properties as headers (200). Registering the same file again
    /// re-registers it: same id, metadata merged, sharing reset to owner
    /// (plus public if asked); use [`update_image`](Self::update_image) to
    /// keep the sharing.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty name, an incomplete location, or values over the
    /// server's limits (nothing sent); the server's error (400 for a bad
    /// format or checksum, 403/404 for an unreadable file).
    pub async fn register(
        &self,
        name: &str,
        location: &PithosLocation,
        opts: &RegisterOptions,
    ) -> Result<ImageMeta, ClientError> {
        if name.trim().is_empty() {
            return Err(ClientError::invalid_argument(
                "image name must not be empty",
            ));
        }
        check_value("image name", name)?;
        location.check()?;
        let mut req = self
            .http
            .request(Method::POST, self.images_url().slash())
            .quoted_header("X-Image-Meta-Name", name)
            .header("X-Image-Meta-Location", location.to_url())
            .header_opt("X-Image-Meta-Store", opts.store.as_deref())
            .header_opt(
                "X-Image-Meta-Disk-Format",
                opts.disk_format.as_ref().map(|f| f.as_str()),
            )
            .header_opt(
                "X-Image-Meta-Container-Format",
                opts.container_format.as_ref().map(|f| f.as_str()),
            )
            .header_opt("X-Image-Meta-Checksum", opts.checksum.as_deref())
            .header_opt("X-Image-Meta-Is-Public", opts.is_public.map(bool_header))
            .header_opt("X-Image-Meta-Owner", opts.owner.as_deref());
        req = with_properties(req, &opts.properties)?;
        let headers = req.expect_status(&[200, 201]).send_headers().await?;
        ImageMeta::try_from(&headers)
    }

    /// Unregisters an image: DELETE `/images/{id}` (204). The file stays;
    /// registering it again gives back the same id.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty or malformed id; the server's error.
    pub async fn unregister(&self, image_id: &str) -> Result<(), ClientError> {
        check_image_id(image_id)?;
        let resp = self
            .http
            .request(Method::DELETE, self.image_url(image_id))
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Updates an image: PUT `/images/{id}` with only the given fields as
    /// `X-Image-Meta-*` headers and an empty body (200). Properties are
    /// merged; sharing is kept. Returns the metadata after the update.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a malformed id, nothing to update, or values over the limits;
    /// the server's error (400 "Invalid metadata" …).
    pub async fn update_image(
        &self,
        image_id: &str,
        update: &UpdateImage,
    ) -> Result<ImageMeta, ClientError> {
        check_image_id(image_id)?;
        if update.is_empty() {
            return Err(ClientError::invalid_argument("nothing to update"));
        }
        let mut req = self.http.request(Method::PUT, self.image_url(image_id));
        if let Some(n) = &update.name {
            if n.trim().is_empty() {
                return Err(ClientError::invalid_argument(
                    "image name must not be empty",
                ));
            }
            check_value("image name", n)?;
            req = req.quoted_header("X-Image-Meta-Name", n);
        }
        req = req
            .header_opt(
                "X-Image-Meta-Disk-Format",
                update.disk_format.as_ref().map(|f| f.as_str()),
            )
            .header_opt(
                "X-Image-Meta-Container-Format",
                update.container_format.as_ref().map(|f| f.as_str()),
            )
            .header_opt("X-Image-Meta-Status", update.status.as_deref())
            .header_opt("X-Image-Meta-Is-Public", update.is_public.map(bool_header))
            .header_opt("X-Image-Meta-Owner", update.owner.as_deref());
        req = with_properties(req, &update.properties)?;
        let headers = req
            .body(kamaki_core::Body::empty())
            .expect_status(&[200])
            .send_headers()
            .await?;
        ImageMeta::try_from(&headers)
    }

    /// The members an image is shared with: GET `/images/{id}/members` (200).
    /// Public access is not listed.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a malformed id; the server's error.
    pub async fn list_members(&self, image_id: &str) -> Result<Vec<ImageMember>, ClientError> {
        check_image_id(image_id)?;
        let env: MembersEnvelope = self
            .http
            .request(Method::GET, self.image_url(image_id).seg("members"))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.members)
    }

    /// Shares an image with a user: PUT `/images/{id}/members/{member}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a malformed id or member; the server's error.
    pub async fn add_member(&self, image_id: &str, member: &str) -> Result<(), ClientError> {
        check_image_id(image_id)?;
        check_member(member)?;
        let resp = self
            .http
            .request(
                Method::PUT,
                self.image_url(image_id).seg("members").seg(member),
            )
            .body(kamaki_core::Body::empty())
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Stops sharing an image with a user: DELETE
    /// `/images/{id}/members/{member}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a malformed id or member; the server's error.
    pub async fn remove_member(&self, image_id: &str, member: &str) -> Result<(), ClientError> {
        check_image_id(image_id)?;
        check_member(member)?;
        let resp = self
            .http
            .request(
                Method::DELETE,
                self.image_url(image_id).seg("members").seg(member),
            )
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Replaces the members of an image: PUT `/images/{id}/members` with
    /// `{"memberships": [{"member_id": …}, …]}` (204). The public flag is kept.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a malformed id or member; the server's error.
    pub async fn set_members(&self, image_id: &str, members: &[String]) -> Result<(), ClientError> {
        check_image_id(image_id)?;
        for m in members {
            check_member(m)?;
        }
        let memberships: Vec<serde_json::Value> = members
            .iter()
            .map(|m| serde_json::json!({ "member_id": m }))
            .collect();
        let resp = self
            .http
            .request(Method::PUT, self.image_url(image_id).seg("members"))
            .json(&serde_json::json!({ "memberships": memberships }))
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// The non-public images `member` shares with the caller (the caller's
    /// own private images when `member` is the caller): GET
    /// `/shared-images/{member}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for a malformed member; the server's error.
    pub async fn list_shared(&self, member: &str) -> Result<Vec<SharedImage>, ClientError> {
        check_member(member)?;
        let env: SharedEnvelope = self
            .http
            .request(Method::GET, self.url().seg("shared-images").seg(member))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.shared_images)
    }
}
