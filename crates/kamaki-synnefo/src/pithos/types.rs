//! Pithos result types: HEAD results decoded from headers, listing entries
//! decoded from JSON (unknown fields kept in `extra`).

use std::collections::BTreeMap;

use kamaki_core::{decode_percent, ClientError, ErrorKind, HeaderMap};
use kamaki_openstack::storage::{Listing, ListingName};
use kamaki_openstack::Extra;
use serde::{Deserialize, Deserializer, Serialize};

use super::sharing::Sharing;

/// User metadata: keys as they follow `X-…-Meta-` (lower-case, decoded).
pub type Meta = BTreeMap<String, String>;

kamaki_openstack::string_enum! {
    /// A container's versioning policy.
    pub enum Versioning { Auto = "auto", None = "none" }
}

// ---------------------------------------------------------------------------
// Header decoding

/// Response headers whose values the server percent-encodes (§1.3).
fn is_encoded_header(name: &str) -> bool {
    ["x-account-", "x-container-", "x-object-", "content-"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// Every header, names lower-case, values decoded where the server encodes
/// them; repeated headers are joined with `, `.
pub(crate) fn header_table(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.as_str();
        let raw = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let text = if is_encoded_header(name) {
            decode_percent(&raw)
        } else {
            raw
        };
        let key = if is_encoded_header(name) {
            decode_percent(name).to_ascii_lowercase()
        } else {
            name.to_string()
        };
        out.entry(key)
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&text);
            })
            .or_insert(text);
    }
    out
}

fn get(table: &BTreeMap<String, String>, name: &str) -> Option<String> {
    table.get(name).cloned()
}

fn get_u64(table: &BTreeMap<String, String>, name: &str) -> Result<Option<u64>, ClientError> {
    match table.get(name) {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
            ClientError::new(
                ErrorKind::Decode,
                format!("Invalid {name} header: {v:?} is not a number"),
            )
        }),
    }
}

/// Entries whose (decoded, lower-case) name starts with `prefix`, keyed by the rest.
fn with_prefix(table: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    table
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(prefix)
                .filter(|rest| !rest.is_empty())
                .map(|rest| (rest.to_string(), v.clone()))
        })
        .collect()
}

fn etag_of(table: &BTreeMap<String, String>) -> Option<String> {
    table.get("etag").map(|e| {
        e.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    })
}

// ---------------------------------------------------------------------------
// Lenient JSON decoding

fn de_opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid number {n}"))),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("invalid number {s:?}"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a number, got {other}"
        ))),
    }
}

fn de_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(de_opt_u64(d)?.unwrap_or(0))
}

fn de_opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Ok(Some(other.to_string())),
    }
}

fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(de_opt_text(d)?.unwrap_or_default())
}

// ---------------------------------------------------------------------------
// Account

/// An account's state, from `HEAD /{account}` (also carried by the
/// container listing response).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// `X-Account-Container-Count`.
    pub container_count: Option<u64>,
    /// `X-Account-Bytes-Used`.
    pub bytes_used: Option<u64>,
    /// `Last-Modified` (RFC 1123).
    pub last_modified: Option<String>,
    /// `X-Account-Until-Timestamp` (only when `until` was asked).
    pub until_timestamp: Option<String>,
    /// `X-Account-Policy-Quota`: the total quota in bytes.
    pub quota: Option<u64>,
    /// `X-Account-Policy-Quota-{project}`: quota per project, in bytes.
    pub project_quotas: BTreeMap<String, u64>,
    /// Other `X-Account-Policy-*` headers, keyed by what follows the prefix.
    pub policy: BTreeMap<String, String>,
    /// `X-Account-Group-{name}`: group members.
    pub groups: BTreeMap<String, Vec<String>>,
    /// `X-Account-Meta-*` user metadata.
    pub meta: Meta,
    /// Every response header (lower-case names, values decoded).
    pub headers: BTreeMap<String, String>,
}

impl TryFrom<&HeaderMap> for AccountInfo {
    type Error = ClientError;

    fn try_from(headers: &HeaderMap) -> Result<Self, ClientError> {
        let t = header_table(headers);
        let mut project_quotas = BTreeMap::new();
        let mut policy = BTreeMap::new();
        for (k, v) in with_prefix(&t, "x-account-policy-") {
            if k == "quota" {
                continue;
            }
            match k.strip_prefix("quota-") {
                Some(project) => {
                    if let Ok(n) = v.trim().parse::<u64>() {
                        project_quotas.insert(project.to_string(), n);
                    } else {
                        policy.insert(k, v);
                    }
                }
                None => {
                    policy.insert(k, v);
                }
            }
        }
        let groups = with_prefix(&t, "x-account-group-")
            .into_iter()
            .map(|(g, members)| (g, split_list(&members)))
            .collect();
        Ok(AccountInfo {
            container_count: get_u64(&t, "x-account-container-count")?,
            bytes_used: get_u64(&t, "x-account-bytes-used")?,
            last_modified: get(&t, "last-modified"),
            until_timestamp: get(&t, "x-account-until-timestamp"),
            quota: get_u64(&t, "x-account-policy-quota")?,
            project_quotas,
            policy,
            groups,
            meta: with_prefix(&t, "x-account-meta-"),
            headers: t,
        })
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect()
}

/// An account that shares objects with the caller (`GET /`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharingAccount {
    /// The account (user UUID).
    pub name: String,
    /// Last modification (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

// ---------------------------------------------------------------------------
// Containers

/// A container's policy: quota, versioning, project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerPolicy {
    /// Quota in bytes; 0 = unlimited.
    #[serde(default, deserialize_with = "de_opt_u64")]
    pub quota: Option<u64>,
    /// `auto` or `none`.
    #[serde(default)]
    pub versioning: Option<Versioning>,
    /// The project charged for the space.
    #[serde(default)]
    pub project: Option<String>,
    /// Other policy keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A container's state, from `HEAD /{account}/{container}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// `X-Container-Object-Count`.
    pub object_count: Option<u64>,
    /// `X-Container-Bytes-Used`.
    pub bytes_used: Option<u64>,
    /// `X-Container-Block-Size`: the block size of hashmaps.
    pub block_size: Option<u64>,
    /// `X-Container-Block-Hash`: the block hash algorithm (`sha256`).
    pub block_hash: Option<String>,
    /// `X-Container-Object-Meta`: metadata keys used by the objects.
    pub object_meta: Vec<String>,
    /// `X-Container-Policy-*`.
    pub policy: ContainerPolicy,
    /// `X-Container-Meta-*` user metadata.
    pub meta: Meta,
    /// `Last-Modified` (RFC 1123).
    pub last_modified: Option<String>,
    /// `X-Container-Until-Timestamp` (only when `until` was asked).
    pub until_timestamp: Option<String>,
    /// Every response header (lower-case names, values decoded).
    pub headers: BTreeMap<String, String>,
}

impl TryFrom<&HeaderMap> for ContainerInfo {
    type Error = ClientError;

    fn try_from(headers: &HeaderMap) -> Result<Self, ClientError> {
        let t = header_table(headers);
        let mut policy = ContainerPolicy::default();
        for (k, v) in with_prefix(&t, "x-container-policy-") {
            match k.as_str() {
                "quota" => policy.quota = get_u64(&t, "x-container-policy-quota")?,
                "versioning" => policy.versioning = Some(Versioning::from(v.trim())),
                "project" => policy.project = Some(v),
                _ => {
                    policy.extra.insert(k, serde_json::Value::String(v));
                }
            }
        }
        Ok(ContainerInfo {
            object_count: get_u64(&t, "x-container-object-count")?,
            bytes_used: get_u64(&t, "x-container-bytes-used")?,
            block_size: get_u64(&t, "x-container-block-size")?,
            block_hash: get(&t, "x-container-block-hash"),
            object_meta: t
                .get("x-container-object-meta")
                .map(|v| split_list(v))
                .unwrap_or_default(),
            policy,
            meta: with_prefix(&t, "x-container-meta-"),
            last_modified: get(&t, "last-modified"),
            until_timestamp: get(&t, "x-container-until-timestamp"),
            headers: t,
        })
    }
}

/// One container of an account listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerEntry {
    /// Container name.
    pub name: String,
    /// Number of objects.
    #[serde(default, deserialize_with = "de_u64")]
    pub count: u64,
    /// Bytes used.
    #[serde(default, deserialize_with = "de_u64")]
    pub bytes: u64,
    /// Last modification (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The container's policy.
    #[serde(
        default,
        rename = "x_container_policy",
        skip_serializing_if = "Option::is_none"
    )]
    pub policy: Option<ContainerPolicy>,
    /// The `until` timestamp, when the listing was asked with `until`.
    #[serde(
        default,
        rename = "x_container_until_timestamp",
        deserialize_with = "de_opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub until_timestamp: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

// ---------------------------------------------------------------------------
// Objects

/// An object's state, from `HEAD`/`GET` on `/{account}/{container}/{object}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectInfo {
    /// `Content-Length`: the object size on HEAD (the body length on GET).
    pub bytes: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Encoding`, if set by the user.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `ETag`: the Merkle hash, or the MD5 on servers that compute it.
    pub etag: Option<String>,
    /// `X-Object-Hash`: the Merkle hash of the blocks (lower-case hex).
    pub object_hash: Option<String>,
    /// `X-Object-UUID`: stable across renames and metadata changes.
    pub uuid: Option<String>,
    /// `X-Object-Version`: the version id.
    pub version: Option<u64>,
    /// `X-Object-Version-Timestamp` (RFC 1123).
    pub version_timestamp: Option<String>,
    /// `X-Object-Modified-By`: user UUID.
    pub modified_by: Option<String>,
    /// `X-Object-Manifest`: `{container}/{prefix}` of a manifest object.
    pub manifest: Option<String>,
    /// `X-Object-Sharing`.
    pub sharing: Option<Sharing>,
    /// `X-Object-Shared-By`: the directory the permissions come from.
    pub shared_by: Option<String>,
    /// `X-Object-Allowed-To`: `read` or `write`, for non-owners.
    pub allowed_to: Option<String>,
    /// `X-Object-Public`: the public URL (owner only).
    pub public_url: Option<String>,
    /// `Last-Modified` (RFC 1123).
    pub last_modified: Option<String>,
    /// `X-Object-Meta-*` user metadata.
    pub meta: Meta,
    /// Every response header (lower-case names, values decoded).
    pub headers: BTreeMap<String, String>,
}

impl TryFrom<&HeaderMap> for ObjectInfo {
    type Error = ClientError;

    fn try_from(headers: &HeaderMap) -> Result<Self, ClientError> {
        let t = header_table(headers);
        Ok(ObjectInfo {
            bytes: get_u64(&t, "content-length")?,
            content_type: get(&t, "content-type"),
            content_encoding: get(&t, "content-encoding"),
            content_disposition: get(&t, "content-disposition"),
            etag: etag_of(&t),
            object_hash: get(&t, "x-object-hash"),
            uuid: get(&t, "x-object-uuid"),
            version: get_u64(&t, "x-object-version")?,
            version_timestamp: get(&t, "x-object-version-timestamp"),
            modified_by: get(&t, "x-object-modified-by"),
            manifest: get(&t, "x-object-manifest"),
            sharing: t.get("x-object-sharing").map(|s| Sharing::parse(s)),
            shared_by: get(&t, "x-object-shared-by"),
            allowed_to: get(&t, "x-object-allowed-to"),
            public_url: get(&t, "x-object-public").filter(|s| !s.is_empty()),
            last_modified: get(&t, "last-modified"),
            meta: with_prefix(&t, "x-object-meta-"),
            headers: t,
        })
    }
}

/// One object of a container listing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectEntry {
    /// Object name.
    pub name: String,
    /// Size in bytes.
    #[serde(default, deserialize_with = "de_u64")]
    pub bytes: u64,
    /// The stored MD5 (often empty); the Merkle hash is `object_hash`.
    #[serde(default, deserialize_with = "de_text")]
    pub hash: String,
    /// `x_object_hash`: the Merkle hash.
    #[serde(
        default,
        rename = "x_object_hash",
        skip_serializing_if = "Option::is_none"
    )]
    pub object_hash: Option<String>,
    /// Content type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Last modification (ISO 8601; absent with `until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// `x_object_uuid`.
    #[serde(
        default,
        rename = "x_object_uuid",
        skip_serializing_if = "Option::is_none"
    )]
    pub uuid: Option<String>,
    /// `x_object_version`: the version id.
    #[serde(
        default,
        rename = "x_object_version",
        deserialize_with = "de_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<u64>,
    /// `x_object_version_timestamp`: epoch seconds with a fraction, as text.
    #[serde(
        default,
        rename = "x_object_version_timestamp",
        deserialize_with = "de_opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub version_timestamp: Option<String>,
    /// `x_object_modified_by`: user UUID.
    #[serde(
        default,
        rename = "x_object_modified_by",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_by: Option<String>,
    /// `x_object_sharing` (only on objects with their own permissions).
    #[serde(
        default,
        rename = "x_object_sharing",
        skip_serializing_if = "Option::is_none"
    )]
    pub sharing: Option<Sharing>,
    /// `x_object_allowed_to`: `read` or `write`, for non-owners.
    #[serde(
        default,
        rename = "x_object_allowed_to",
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_to: Option<String>,
    /// `x_object_public`: the public URL (owner only).
    #[serde(
        default,
        rename = "x_object_public",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_url: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ObjectEntry {
    /// True for a directory marker object (`application/directory`).
    pub fn is_directory(&self) -> bool {
        self.content_type
            .as_deref()
            .map(|c| {
                let base = c.split(';').next().unwrap_or("").trim();
                base == "application/directory" || base == "application/folder"
            })
            .unwrap_or(false)
    }
}

impl ListingName for ObjectEntry {
    fn listing_name(&self) -> &str {
        &self.name
    }
}

/// One entry of a container listing: an object, or (with `delimiter`) a
/// virtual directory (`{"subdir": "docs/"}`).
pub type ObjectListItem = Listing<ObjectEntry>;

/// One version of an object (`?version=list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectVersion {
    /// The version id, for `version=` parameters.
    pub id: u64,
    /// Epoch seconds with a fractional part, as the server wrote it.
    pub timestamp: String,
}

impl<'de> Deserialize<'de> for ObjectVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (id, timestamp): (serde_json::Value, serde_json::Value) = Deserialize::deserialize(d)?;
        let id = match &id {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| serde::de::Error::custom(format!("invalid version id {id}")))?;
        let timestamp = match timestamp {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        Ok(ObjectVersion { id, timestamp })
    }
}

/// What a write (PUT, COPY, MOVE, data POST) answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectWritten {
    /// `ETag` of the new version (Merkle hash, or MD5).
    pub etag: Option<String>,
    /// `X-Object-Version` of the new version.
    pub version: Option<u64>,
    /// Every response header (lower-case names, values decoded).
    pub headers: BTreeMap<String, String>,
}

impl TryFrom<&HeaderMap> for ObjectWritten {
    type Error = ClientError;

    fn try_from(headers: &HeaderMap) -> Result<Self, ClientError> {
        let t = header_table(headers);
        Ok(ObjectWritten {
            etag: etag_of(&t),
            version: get_u64(&t, "x-object-version")?,
            headers: t,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use kamaki_core::HeaderValue;

    #[test]
    fn object_info_decodes_headers() {
        let mut h = HeaderMap::new();
        h.insert("content-length", HeaderValue::from_static("11"));
        h.insert("etag", HeaderValue::from_static("\"abc\""));
        h.insert("x-object-version", HeaderValue::from_static("42"));
        h.insert(
            "x-object-meta-%c3%bc-key",
            HeaderValue::from_static("v%20%C3%BC"),
        );
        h.insert(
            "x-object-sharing",
            HeaderValue::from_static("read=a,b; write=c"),
        );
        h.insert(
            "x-object-public",
            HeaderValue::from_static("https://h/pithos/public/x"),
        );
        h.insert("x-unknown", HeaderValue::from_static("a%20b"));
        let info = ObjectInfo::try_from(&h).unwrap();
        assert_eq!(info.bytes, Some(11));
        assert_eq!(info.etag.as_deref(), Some("abc"));
        assert_eq!(info.version, Some(42));
        assert_eq!(info.meta.get("ü-key").map(String::as_str), Some("v ü"));
        assert_eq!(info.sharing.unwrap().write, ["c"]);
        assert_eq!(
            info.public_url.as_deref(),
            Some("https://h/pithos/public/x")
        );
        assert_eq!(info.headers["x-unknown"], "a%20b");
        h.insert("x-object-version", HeaderValue::from_static("x"));
        assert_eq!(
            ObjectInfo::try_from(&h).unwrap_err().kind,
            ErrorKind::Decode
        );
    }

    #[test]
    fn listing_entries() {
        let items: Vec<ObjectListItem> = serde_json::from_str(
            r#"[{"subdir": "docs/"}, {"name": "a", "bytes": "3", "hash": null, "x_object_version": "7",
                "x_object_version_timestamp": 1514800800.5, "zzz": 1}]"#,
        )
        .unwrap();
        assert!(items[0].is_subdir());
        assert_eq!(items[0].name(), "docs/");
        let o = items[1].item().unwrap();
        assert_eq!((o.bytes, o.version), (3, Some(7)));
        assert_eq!(o.version_timestamp.as_deref(), Some("1514800800.5"));
        assert_eq!(o.extra["zzz"], 1);
        let v: Vec<ObjectVersion> =
            serde_json::from_str(r#"[[85, "1322734861.248469"], ["86", 1.5]]"#).unwrap();
        assert_eq!(v[1].id, 86);
        assert_eq!(v[1].timestamp, "1.5");
    }
}
