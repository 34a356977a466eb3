//! Images as the compute service shows them (`/images`), and their metadata.

use std::collections::BTreeMap;

use futures::{Stream, TryStreamExt};
use kamaki_core::{ClientError, ErrorKind, Method, QueryParams};
use serde::{Deserialize, Serialize};

use super::util::{de_null_default, de_string_map};
use super::{de_opt_ref, ComputeClient, Link, ResourceRef};
use crate::common::{Extra, ResourceId};
use crate::rest::{Collection, Listing, Member};

/// Filters and paging of [`ComputeClient::images`] / [`ComputeClient::list_images`].
/// Synnefo honours only `changes_since`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListImagesOptions {
    /// Full image objects (`/images/detail`).
    pub detail: bool,
    /// Only images changed since (`changes-since`).
    pub changes_since: Option<String>,
    /// Only images of this name (`name`).
    pub name: Option<String>,
    /// Only images in this status (`status`).
    pub status: Option<String>,
    /// Only snapshots of this server (`server`).
    pub server: Option<String>,
    /// Only images of this type (`type`: `BASE` or `SERVER`).
    pub image_type: Option<String>,
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Start after this image id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given.
    pub extra_query: QueryParams,
}

crate::string_enum! {
    /// The status of an image in the compute view.
    pub enum ImageStatus {
        /// Usable.
        Active = "ACTIVE",
        /// Being saved (the object is not yet available).
        Saving = "SAVING",
        /// Failed.
        Error = "ERROR",
        /// Deleted.
        Deleted = "DELETED",
    }
}

/// An image in the compute view. Brief listings fill only `id`, `name`, `links`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// The id.
    pub id: ResourceId,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The status.
    #[serde(default)]
    pub status: ImageStatus,
    /// Progress, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u32>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Minimum disk, GiB (`minDisk`).
    #[serde(rename = "minDisk", default, skip_serializing_if = "Option::is_none")]
    pub min_disk: Option<u64>,
    /// Minimum RAM, MiB (`minRam`).
    #[serde(rename = "minRam", default, skip_serializing_if = "Option::is_none")]
    pub min_ram: Option<u64>,
    /// The server it was made from, for snapshots.
    #[serde(
        default,
        deserialize_with = "de_opt_ref",
        skip_serializing_if = "Option::is_none"
    )]
    pub server: Option<ResourceRef>,
    /// Metadata (`os`, `users`, … on Synnefo).
    #[serde(
        default,
        deserialize_with = "de_string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub metadata: BTreeMap<String, String>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know (`user_id`, `is_snapshot`, `public`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

// A reply without an image is an error here: get_image reads `ImageEnvelope`.
crate::rest::json_resource!(Image, OneImageEnvelope { image }, ImagesEnvelope { images });

#[derive(Deserialize)]
struct ImageEnvelope {
    image: Option<Image>,
}

fn collection(c: &ComputeClient) -> Collection<'_, Image> {
    Collection::new(&c.http, c.url().seg("images"), "image id")
}

fn image<'a>(c: &'a ComputeClient, id: &str) -> Result<Member<'a, Image>, ClientError> {
    collection(c).member(id)
}

impl ComputeClient {
    /// Streams images: GET `/images` or `/images/detail` (200, 203; 304 is
    /// an empty listing), page by page when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn images(
        &self,
        opts: ListImagesOptions,
    ) -> impl Stream<Item = Result<Image, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query)
            .detail(opts.detail)
            .text("changes-since", opts.changes_since.as_deref())
            .text("name", opts.name.as_deref())
            .text("status", opts.status.as_deref())
            .text("server", opts.server.as_deref())
            .text("type", opts.image_type.as_deref());
        collection(self).stream(listing, &[200, 203, 304])
    }

    /// Lists images (kamaki's `list_images`); see [`images`](Self::images).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_images(&self, opts: &ListImagesOptions) -> Result<Vec<Image>, ClientError> {
        self.images(opts.clone()).try_collect().await
    }

    /// Image details: GET `/images/{id}` (200, 203). A reply without an
    /// `image` member is an error `Image not available` with status 404,
    /// as in kamaki.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_image(&self, image_id: &str) -> Result<Image, ClientError> {
        let env: ImageEnvelope = collection(self)
            .member(image_id)?
            .request(Method::GET)
            .expect_status(&[200, 203])
            .send_json()
            .await?;
        env.image.ok_or_else(|| {
            ClientError::new(ErrorKind::Http, "Image not available")
                .with_status(404)
                .with_details([format!("Image {image_id} not found or not accessible")])
        })
    }

    /// Deletes (unregisters) an image: DELETE `/images/{id}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn delete_image(&self, image_id: &str) -> Result<(), ClientError> {
        collection(self).delete(image_id, &[204]).await
    }

    /// All metadata of an image: GET `/images/{id}/metadata` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn get_image_metadata(
        &self,
        image_id: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        image(self, image_id)?.metadata().get().await
    }

    /// One metadata item: GET `/images/{id}/metadata/{key}` (200) → `{key: value}`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn get_image_metadata_item(
        &self,
        image_id: &str,
        key: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        image(self, image_id)?.metadata().get_item(key).await
    }

    /// Sets one metadata item: PUT `/images/{id}/metadata/{key}` with
    /// `{"meta": {key: value}}` (200, 201) → `{key: value}`. (kamaki's
    /// version of this call was broken and disabled.)
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn create_image_metadata(
        &self,
        image_id: &str,
        key: &str,
        value: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        image(self, image_id)?.metadata().set_item(key, value).await
    }

    /// Merges image metadata: POST `/images/{id}/metadata` with
    /// `{"metadata": {…}}` (201; 200 from OpenStack) → all metadata.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn update_image_metadata(
        &self,
        image_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        image(self, image_id)?
            .metadata()
            .send(Method::POST, metadata, &[200, 201])
            .await
    }

    /// Deletes one image metadata item: DELETE `/images/{id}/metadata/{key}` (204).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or key; the server's error.
    pub async fn delete_image_metadata(
        &self,
        image_id: &str,
        key: &str,
    ) -> Result<(), ClientError> {
        image(self, image_id)?
            .metadata()
            .delete_item(key, &[204])
            .await
    }
}
