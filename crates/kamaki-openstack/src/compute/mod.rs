//! The OpenStack Compute v2 client: servers, their metadata, tags, addresses
//! and actions, flavors, images (the compute view), keypairs, limits, and
//! waiting for a server to change state.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_openstack::ClientError> {
//! use kamaki_openstack::compute::{ComputeClient, CreateServer, ListServersOptions};
//!
//! let compute = ComputeClient::new("https://cloud.example.org/compute", "my-token")?;
//! for server in compute.list_servers(&ListServersOptions { detail: true, ..Default::default() }).await? {
//!     println!("{} {} {}", server.id, server.name, server.status);
//! }
//! let new = compute
//!     .create_server(&CreateServer {
//!         name: "web-1".into(),
//!         flavor_id: 3u64.into(),
//!         image_id: "img-uuid".into(),
//!         networks: Some(vec![]),
//!         ..Default::default()
//!     })
//!     .await?;
//! let outcome = compute.wait_server(new.id.as_str()).await?;
//! println!("reached ACTIVE: {}", outcome.reached());
//! # Ok(()) }
//! ```

use kamaki_core::{ClientError, Endpoint, HttpClient, Token, UrlPath};
use serde::{Deserialize, Deserializer, Serialize};

use crate::common::{Extra, ResourceId};

mod actions;
mod flavors;
mod images;
mod keypairs;
mod servers;
pub(crate) mod util;
mod wait;

pub use actions::{CreatedImage, RebuildServer};
pub use flavors::{Flavor, ListFlavorsOptions};
pub use images::{Image, ImageStatus, ListImagesOptions};
pub use keypairs::{Keypair, Limits};
pub use servers::{
    check_tag, Address, BlockDevice, CreateServer, ListServersOptions, NetworkRequest, Personality,
    Server, ServerNics, ServerStatus,
};

/// A client of an OpenStack Compute v2 endpoint (kamaki's `ComputeClient`).
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone, Debug)]
pub struct ComputeClient {
    http: HttpClient,
    endpoint: Endpoint,
}

crate::client::service_client!(ComputeClient, "compute", "2.0");

/// A link to a resource (`{"href": …, "rel": "self"}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Link {
    /// The URL.
    #[serde(default)]
    pub href: String,
    /// The relation (`self`, `bookmark`, `next`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
    /// The media type, when given.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A reference to another resource, as a server's `flavor` or `image`.
///
/// Servers booted from a volume have `"image": ""`; that decodes as `None`
/// where this type is used optionally.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResourceRef {
    /// The id (absent in some newer compute versions, which embed the flavor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ResourceId>,
    /// Links to the resource.
    #[serde(
        default,
        deserialize_with = "util::de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Decodes a reference given as an object, a bare id, `""` or `null`.
pub(crate) fn de_opt_ref<'de, D>(d: D) -> Result<Option<ResourceRef>, D::Error>
where
    D: Deserializer<'de>,
{
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(ResourceRef {
            id: Some(ResourceId::from(s)),
            ..ResourceRef::default()
        })),
        Some(n @ serde_json::Value::Number(_)) => Ok(Some(ResourceRef {
            id: Some(serde_json::from_value(n).map_err(D::Error::custom)?),
            ..ResourceRef::default()
        })),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(D::Error::custom),
    }
}
