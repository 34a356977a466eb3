//! Flavors: the hardware configurations servers are made from.

use futures::{Stream, TryStreamExt};
use kamaki_core::{ClientError, QueryParams};
use serde::{Deserialize, Serialize};

use super::util::de_null_default;
use super::{ComputeClient, Link};
use crate::common::{Extra, ResourceId};
use crate::rest::{Collection, Listing};

/// Filters and paging of [`ComputeClient::flavors`] / [`ComputeClient::list_flavors`].
///
/// Synnefo ignores every filter but honours extension parameters such as
/// `SNF:is_public` and `SNF:flavor-access` given in `extra_query`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFlavorsOptions {
    /// Full flavor objects (`/flavors/detail`).
    pub detail: bool,
    /// Only flavors changed since (`changes-since`).
    pub changes_since: Option<String>,
    /// Only flavors with at least this disk, GiB (`minDisk`).
    pub min_disk: Option<u64>,
    /// Only flavors with at least this RAM, MiB (`minRam`).
    pub min_ram: Option<u64>,
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Start after this flavor id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given.
    pub extra_query: QueryParams,
}

/// A flavor. Brief listings fill only `id`, `name` and `links`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flavor {
    /// The id (an integer on Synnefo).
    pub id: ResourceId,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// RAM in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram: Option<u64>,
    /// Disk in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<u64>,
    /// Virtual CPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u32>,
    /// Whether every project may use it (`os-flavor-access:is_public`).
    #[serde(
        rename = "os-flavor-access:is_public",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub is_public: Option<bool>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know (`SNF:disk_template`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

crate::rest::json_resource!(
    Flavor,
    FlavorEnvelope { flavor },
    FlavorsEnvelope { flavors }
);

fn collection(c: &ComputeClient) -> Collection<'_, Flavor> {
    Collection::new(&c.http, c.url().seg("flavors"), "flavor id")
}

impl ComputeClient {
    /// Streams flavors: GET `/flavors` or `/flavors/detail` (200, 203), page
    /// by page when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn flavors(
        &self,
        opts: ListFlavorsOptions,
    ) -> impl Stream<Item = Result<Flavor, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query)
            .detail(opts.detail)
            .text("changes-since", opts.changes_since.as_deref())
            .filters(|q| {
                q.push_opt("minDisk", opts.min_disk.filter(|v| *v > 0));
                q.push_opt("minRam", opts.min_ram.filter(|v| *v > 0));
            });
        collection(self).stream(listing, &[200, 203])
    }

    /// Lists flavors (kamaki's `list_flavors`); see [`flavors`](Self::flavors).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_flavors(
        &self,
        opts: &ListFlavorsOptions,
    ) -> Result<Vec<Flavor>, ClientError> {
        self.flavors(opts.clone()).try_collect().await
    }

    /// Flavor details: GET `/flavors/{id}` (200, 203). Deleted flavors are
    /// still returned by Synnefo.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_flavor(&self, flavor_id: &str) -> Result<Flavor, ClientError> {
        collection(self).get(flavor_id, &[200, 203]).await
    }
}
