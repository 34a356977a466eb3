//! Image service types: listed images, header metadata, members, locations.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use kamaki_core::{decode_percent, encode_object_path, encode_segment, ClientError, HeaderMap};
use serde::{Deserialize, Serialize};

use crate::common::{Extra, ResourceId};
use crate::compute::util::{de_null_default, de_string_map};

crate::string_enum! {
    /// An image status. JSON listings say `AVAILABLE`/`UNAVAILABLE`/`ERROR`;
    /// headers say `SAVING` where listings say `UNAVAILABLE`.
    pub enum ImageStatus {
        /// Usable.
        Available = "AVAILABLE",
        /// Not yet usable (listings).
        Unavailable = "UNAVAILABLE",
        /// Not yet usable (headers).
        Saving = "SAVING",
        /// Failed.
        Error = "ERROR",
        /// Deleted.
        Deleted = "DELETED",
    }
}

crate::string_enum! {
    /// A disk format. Synnefo knows `diskdump` (its default), `extdump` and
    /// `ntfsdump`; Glance the others.
    pub enum DiskFormat {
        /// Synnefo's raw dump (the default).
        Diskdump = "diskdump",
        /// Synnefo ext dump.
        Extdump = "extdump",
        /// Synnefo NTFS dump.
        Ntfsdump = "ntfsdump",
        /// Raw.
        Raw = "raw",
        /// QEMU copy-on-write v2.
        Qcow2 = "qcow2",
        /// VMware.
        Vmdk = "vmdk",
        /// VirtualBox.
        Vdi = "vdi",
        /// Hyper-V.
        Vhd = "vhd",
        /// CD image.
        Iso = "iso",
    }
}

crate::string_enum! {
    /// A container format (`bare` is the default).
    pub enum ContainerFormat {
        /// No container.
        Bare = "bare",
        /// Amazon kernel.
        Aki = "aki",
        /// Amazon ramdisk.
        Ari = "ari",
        /// Amazon machine.
        Ami = "ami",
        /// OVF.
        Ovf = "ovf",
        /// OVA.
        Ova = "ova",
    }
}

/// An image as the JSON listings show it. Brief listings fill `id`, `name`,
/// `status`, the formats and `size`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// The id (the Pithos object UUID on Synnefo).
    pub id: ResourceId,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The status.
    #[serde(default)]
    pub status: ImageStatus,
    /// The disk format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_format: Option<DiskFormat>,
    /// The container format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_format: Option<ContainerFormat>,
    /// Size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The checksum (the Pithos hash on Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// Where the data is (`pithos://<uuid>/<container>/<path>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Creation time (`YYYY-MM-DD HH:MM:SS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Deletion time (usually empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// Readable by everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_public: Option<bool>,
    /// The owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// A volume snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_snapshot: Option<bool>,
    /// The description (snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// User properties.
    #[serde(
        default,
        deserialize_with = "de_string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub properties: BTreeMap<String, String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A member an image is shared with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImageMember {
    /// The user UUID.
    #[serde(default)]
    pub member_id: String,
    /// Whether the member may share further.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_share: Option<bool>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An image a user shares ([`ImageClient::list_shared`](super::ImageClient::list_shared)).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SharedImage {
    /// The image id.
    #[serde(default)]
    pub image_id: String,
    /// Whether it may be shared further.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_share: Option<bool>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A listing body: Plankton sends a bare array, Glance `{"images": […]}`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ImagesBody {
    Bare(Vec<Image>),
    Wrapped { images: Vec<Image> },
}

impl ImagesBody {
    pub(super) fn into_images(self) -> Vec<Image> {
        match self {
            ImagesBody::Bare(v) | ImagesBody::Wrapped { images: v } => v,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct MembersEnvelope {
    #[serde(deserialize_with = "de_null_default")]
    pub(super) members: Vec<ImageMember>,
}

#[derive(Deserialize)]
pub(super) struct SharedEnvelope {
    #[serde(deserialize_with = "de_null_default")]
    pub(super) shared_images: Vec<SharedImage>,
}

/// The metadata of an image read from `X-Image-Meta-*` response headers
/// (HEAD, register, update).
///
/// Names, locations, descriptions and properties come percent-encoded from
/// the server and are decoded here; property names have `-` turned into
/// `_` (so `x-image-meta-property-root-partition` is `root_partition`).
/// `X-Image-Meta-*` fields this version does not know are in `other`
/// (names with `_`), and every header is in `headers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageMeta {
    /// The id.
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// The status (headers say `SAVING` for a not yet available image).
    pub status: ImageStatus,
    /// The disk format.
    pub disk_format: Option<DiskFormat>,
    /// The container format.
    pub container_format: Option<ContainerFormat>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// The checksum.
    pub checksum: Option<String>,
    /// Where the data is (`pithos://<uuid>/<container>/<path>`, decoded).
    pub location: Option<String>,
    /// Creation time.
    pub created_at: Option<String>,
    /// Last update time.
    pub updated_at: Option<String>,
    /// Deletion time (usually empty).
    pub deleted_at: Option<String>,
    /// Readable by everyone.
    pub is_public: Option<bool>,
    /// The owner.
    pub owner: Option<String>,
    /// A volume snapshot.
    pub is_snapshot: Option<bool>,
    /// The description.
    pub description: Option<String>,
    /// User properties.
    pub properties: BTreeMap<String, String>,
    /// Other `X-Image-Meta-*` fields.
    pub other: BTreeMap<String, String>,
    /// All response headers, as received.
    #[serde(skip)]
    pub headers: HeaderMap,
}

const META: &str = "x-image-meta-";
const PROPERTY: &str = "x-image-meta-property-";

fn header_text(v: &http::HeaderValue) -> String {
    match v.to_str() {
        Ok(s) => s.to_string(),
        Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

impl ImageMeta {
    /// kamaki's dictionary for these headers: every `x-image-meta-*` field
    /// under its dashed name (`disk-format`, `is-public`, …) with string
    /// values, and `properties` (names with `_`). Name, location,
    /// description and property values are decoded, as kamaki does.
    pub fn to_kamaki_map(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut out = serde_json::Map::new();
        let mut props = serde_json::Map::new();
        for (name, value) in &self.headers {
            let name = name.as_str();
            let value = header_text(value);
            if let Some(key) = name.strip_prefix(PROPERTY) {
                let key = decode_percent(key).replace('-', "_");
                props.insert(key, decode_percent(&value).into());
            } else if let Some(key) = name.strip_prefix(META) {
                let value = match key {
                    "name" | "location" | "description" => decode_percent(&value),
                    _ => value,
                };
                out.insert(key.to_string(), value.into());
            }
        }
        out.insert("properties".into(), props.into());
        out
    }
}

impl TryFrom<&HeaderMap> for ImageMeta {
    type Error = ClientError;

    /// Reads the `X-Image-Meta-*` headers.
    ///
    /// # Errors
    /// A [`Decode`](kamaki_core::ErrorKind::Decode) error when there is no
    /// `X-Image-Meta-Id` header (the answer is not about an image).
    fn try_from(headers: &HeaderMap) -> Result<Self, Self::Error> {
        let mut meta = ImageMeta {
            id: String::new(),
            name: None,
            status: ImageStatus::Unknown,
            disk_format: None,
            container_format: None,
            size: None,
            checksum: None,
            location: None,
            created_at: None,
            updated_at: None,
            deleted_at: None,
            is_public: None,
            owner: None,
            is_snapshot: None,
            description: None,
            properties: BTreeMap::new(),
            other: BTreeMap::new(),
            headers: headers.clone(),
        };
        let mut has_id = false;
        for (name, value) in headers {
            let name = name.as_str();
            let value = header_text(value);
            if let Some(key) = name.strip_prefix(PROPERTY) {
                let key = decode_percent(key).replace('-', "_");
                meta.properties.insert(key, decode_percent(&value));
                continue;
            }
            let Some(field) = name.strip_prefix(META) else {
                continue;
            };
            let field = field.replace('-', "_");
            let text = Some(value.clone());
            match field.as_str() {
                "id" => {
                    has_id = true;
                    meta.id = value;
                }
                "name" => meta.name = Some(decode_percent(&value)),
                "status" => meta.status = ImageStatus::from(value.as_str()),
                "disk_format" => meta.disk_format = Some(DiskFormat::from(value.as_str())),
                "container_format" => {
                    meta.container_format = Some(ContainerFormat::from(value.as_str()))
                }
                "size" => meta.size = value.trim().parse().ok(),
                "checksum" => meta.checksum = text,
                "location" => meta.location = Some(decode_percent(&value)),
                "created_at" => meta.created_at = text,
                "updated_at" => meta.updated_at = text,
                "deleted_at" => meta.deleted_at = text,
                "is_public" => meta.is_public = parse_bool(&value),
                "owner" => meta.owner = text,
                "is_snapshot" => meta.is_snapshot = parse_bool(&value),
                "description" => meta.description = Some(decode_percent(&value)),
                _ => {
                    meta.other.insert(field, value);
                }
            }
        }
        if !has_id {
            return Err(ClientError::decode(
                0,
                "the response has no X-Image-Meta-Id header",
            ));
        }
        Ok(meta)
    }
}

/// Where an image's data is stored: a Pithos object.
///
/// ```
/// use kamaki_openstack::image::PithosLocation;
///
/// let l = PithosLocation::parse("pithos://8e3b/images/my dir/my img.diskdump").unwrap();
/// assert_eq!((l.account.as_str(), l.container.as_str()), ("8e3b", "images"));
/// assert_eq!(l.object, "my dir/my img.diskdump");
/// assert_eq!(l.to_url(), "pithos://8e3b/images/my%20dir/my%20img.diskdump");
/// assert!(PithosLocation::parse("/images/a").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PithosLocation {
    /// The account (user UUID).
    pub account: String,
    /// The container.
    pub container: String,
    /// The object path (may hold `/`).
    pub object: String,
}

impl PithosLocation {
    /// A location from its three parts (kamaki's "triplet").
    pub fn new(
        account: impl Into<String>,
        container: impl Into<String>,
        object: impl Into<String>,
    ) -> Self {
        PithosLocation {
            account: account.into(),
            container: container.into(),
            object: object.into(),
        }
    }

    /// Parses `pithos://<account>/<container>/<object path>`, given
    /// unencoded (as [`ImageMeta::location`] holds it).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for anything else (kamaki mangled such strings; the server refuses them).
    pub fn parse(url: &str) -> Result<Self, ClientError> {
        let rest = url
            .get(..9)
            .filter(|p| p.eq_ignore_ascii_case("pithos://"))
            .and_then(|_| url.get(9..))
            .ok_or_else(|| {
                ClientError::invalid_argument(format!(
                    "image location {url:?} must look like pithos://<account>/<container>/<object>"
                ))
            })?;
        let mut parts = rest.splitn(3, '/');
        let account = parts.next().unwrap_or_default();
        let container = parts.next().unwrap_or_default();
        let object = parts.next().unwrap_or_default();
        let loc = PithosLocation::new(account, container, object);
        loc.check()?;
        Ok(loc)
    }

    /// Checks that no part is empty.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// naming the empty part.
    pub fn check(&self) -> Result<(), ClientError> {
        for (what, v) in [
            ("account", &self.account),
            ("container", &self.container),
            ("object", &self.object),
        ] {
            if v.is_empty() {
                return Err(ClientError::invalid_argument(format!(
                    "the {what} of the image location must not be empty"
                )));
            }
            if v.chars().any(char::is_control) {
                return Err(ClientError::invalid_argument(format!(
                    "the {what} of the image location must not hold control characters"
                )));
            }
        }
        Ok(())
    }

    /// The location as sent to the server: each part UTF-8 percent-encoded,
    /// `/` kept in the object path.
    pub fn to_url(&self) -> String {
        format!(
            "pithos://{}/{}/{}",
            encode_segment(&self.account),
            encode_segment(&self.container),
            encode_object_path(&self.object)
        )
    }
}

impl fmt::Display for PithosLocation {
    /// The unencoded form, `pithos://<account>/<container>/<object>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pithos://{}/{}/{}",
            self.account, self.container, self.object
        )
    }
}

impl FromStr for PithosLocation {
    type Err = ClientError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PithosLocation::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_parsing() {
        let l = PithosLocation::parse("PITHOS://u/c/a/b c").unwrap();
        assert_eq!(l, PithosLocation::new("u", "c", "a/b c"));
        assert_eq!(l.to_url(), "pithos://u/c/a/b%20c");
        assert_eq!(l.to_string(), "pithos://u/c/a/b c");
        for bad in [
            "",
            "pithos://",
            "pithos://u",
            "pithos://u/c",
            "pithos://u/c/",
            "pithos:///c/o",
            "/images/a/b",
            "http://u/c/o",
            "pithos:/",
        ] {
            let e = PithosLocation::parse(bad).unwrap_err();
            assert_eq!(e.kind, kamaki_core::ErrorKind::InvalidArgument, "{bad}");
        }
        let l: PithosLocation = "pithos://u/c/ü%.img".parse().unwrap();
        assert_eq!(l.to_url(), "pithos://u/c/%C3%BC%25.img");
    }

    #[test]
    fn meta_from_headers() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("x-image-meta-id", "5c2a"),
            ("x-image-meta-name", "Debian%2011%20base"),
            ("x-image-meta-size", "2147483648"),
            ("x-image-meta-is-public", "True"),
            ("x-image-meta-is-snapshot", "False"),
            ("x-image-meta-status", "SAVING"),
            ("x-image-meta-disk-format", "diskdump"),
            ("x-image-meta-location", "pithos://u/images/a%20b"),
            ("x-image-meta-deleted-at", ""),
            ("x-image-meta-store", "pithos"),
            ("x-image-meta-property-root-partition", "1"),
            ("x-image-meta-property-description", "Deb%20%C3%BC"),
            ("content-type", "text/plain"),
        ] {
            h.insert(
                http::HeaderName::from_static(k),
                http::HeaderValue::from_static(v),
            );
        }
        let m = ImageMeta::try_from(&h).unwrap();
        assert_eq!(m.id, "5c2a");
        assert_eq!(m.name.as_deref(), Some("Debian 11 base"));
        assert_eq!(m.size, Some(2_147_483_648));
        assert_eq!((m.is_public, m.is_snapshot), (Some(true), Some(false)));
        assert_eq!(m.status, ImageStatus::Saving);
        assert_eq!(m.disk_format, Some(DiskFormat::Diskdump));
        assert_eq!(m.location.as_deref(), Some("pithos://u/images/a b"));
        assert_eq!(m.deleted_at.as_deref(), Some(""));
        assert_eq!(m.other["store"], "pithos");
        assert_eq!(m.properties["root_partition"], "1");
        assert_eq!(m.properties["description"], "Deb ü");
        let k = m.to_kamaki_map();
        assert_eq!(k["disk-format"], "diskdump");
        assert_eq!(k["is-public"], "True");
        assert_eq!(k["size"], "2147483648");
        assert_eq!(k["name"], "Debian 11 base");
        assert_eq!(k["properties"]["root_partition"], "1");
        assert!(!k.contains_key("content-type"));
        assert!(ImageMeta::try_from(&HeaderMap::new()).is_err());
    }
}
