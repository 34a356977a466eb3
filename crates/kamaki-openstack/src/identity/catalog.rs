//! The service catalog of an identity response (v2.0 and v3 shapes) and
//! endpoint selection.

use kamaki_core::{ClientError, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize};

use crate::common::Extra;

/// The services a token may use, with their endpoints.
///
/// Built from either catalog shape: identity v2.0 / Astakos
/// (`serviceCatalog`, endpoints with `publicURL`, `internalURL`, `adminURL`,
/// `versionId`) or Keystone v3 (`catalog`, one endpoint per `interface`).
/// A v2.0 endpoint becomes one [`CatalogEndpoint`] per URL it lists.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ServiceCatalog {
    /// The services, in the server's order.
    pub services: Vec<CatalogService>,
}

/// A service of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogService {
    /// The service type (`compute`, `object-store`, `identity`, …).
    #[serde(rename = "type")]
    pub service_type: String,
    /// The service name (`cyclades_compute`, `swift`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The service id (v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its endpoints.
    pub endpoints: Vec<CatalogEndpoint>,
    /// Fields this version does not know (e.g. `endpoints_links`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// One endpoint URL of a service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogEndpoint {
    /// `public`, `internal` or `admin` (v2.0 `publicURL` → `public`, …).
    pub interface: String,
    /// The URL.
    pub url: String,
    /// The region name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The region id (v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// The API version (v2.0 `versionId`, e.g. `v2.0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The endpoint id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Fields this version does not know (e.g. Synnefo's `SNF:uiURL`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which endpoint to pick from a [`ServiceCatalog`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EndpointFilter<'a> {
    /// Only this API version (`v2.0` or `2.0`; case-insensitive). A v3
    /// endpoint without a version id matches when its URL ends with it.
    pub version: Option<&'a str>,
    /// Only this region (name or id).
    pub region: Option<&'a str>,
    /// This interface; `public` when not given.
    pub interface: Option<&'a str>,
}

#[derive(Deserialize)]
struct RawService {
    #[serde(rename = "type", default)]
    service_type: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    endpoints: Vec<Extra>,
    #[serde(flatten)]
    extra: Extra,
}

fn take_str(map: &mut Extra, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    }
}

fn endpoints_of(raw: Extra) -> Vec<CatalogEndpoint> {
    let mut raw = raw;
    if raw.contains_key("url") {
        let url = take_str(&mut raw, "url").unwrap_or_default();
        let interface = take_str(&mut raw, "interface").unwrap_or_else(|| "public".into());
        return vec![CatalogEndpoint {
            interface,
            url,
            region: take_str(&mut raw, "region"),
            region_id: take_str(&mut raw, "region_id"),
            version_id: take_str(&mut raw, "versionId"),
            id: take_str(&mut raw, "id"),
            extra: raw,
        }];
    }
    let public = take_str(&mut raw, "publicURL");
    let internal = take_str(&mut raw, "internalURL");
    let admin = take_str(&mut raw, "adminURL");
    let region = take_str(&mut raw, "region");
    let version_id = take_str(&mut raw, "versionId");
    let id = take_str(&mut raw, "id");
    [("public", public), ("internal", internal), ("admin", admin)]
        .into_iter()
        .filter_map(|(interface, url)| {
            url.map(|url| CatalogEndpoint {
                interface: interface.to_string(),
                url,
                region: region.clone(),
                region_id: None,
                version_id: version_id.clone(),
                id: id.clone(),
                extra: raw.clone(),
            })
        })
        .collect()
}

impl<'de> Deserialize<'de> for ServiceCatalog {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Option::<Vec<RawService>>::deserialize(d)?.unwrap_or_default();
        Ok(ServiceCatalog {
            services: raw
                .into_iter()
                .map(|s| CatalogService {
                    service_type: s.service_type,
                    name: s.name,
                    id: s.id,
                    endpoints: s.endpoints.into_iter().flat_map(endpoints_of).collect(),
                    extra: s.extra,
                })
                .collect(),
        })
    }
}

fn norm_version(v: &str) -> String {
    let v = v.trim().to_ascii_lowercase();
    v.strip_prefix('v').map(str::to_string).unwrap_or(v)
}

fn url_version(url: &str) -> Option<String> {
    let last = url.trim_end_matches('/').rsplit('/').next()?;
    let v = last.strip_prefix('v').or_else(|| last.strip_prefix('V'))?;
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')).then(|| v.to_string())
}

fn catalog_error(message: String, details: Vec<String>) -> ClientError {
    ClientError::new(ErrorKind::Catalog, message).with_details(details)
}

impl ServiceCatalog {
    /// The first service whose type matches (case-insensitively).
    pub fn service(&self, service_type: &str) -> Option<&CatalogService> {
        self.services
            .iter()
            .find(|s| s.service_type.eq_ignore_ascii_case(service_type))
    }

    /// The service types, in catalog order.
    pub fn service_types(&self) -> Vec<&str> {
        self.services
            .iter()
            .map(|s| s.service_type.as_str())
            .collect()
    }

    /// The public URL of a service (kamaki's `get_endpoint_url`).
    ///
    /// ```
    /// use kamaki_openstack::identity::ServiceCatalog;
    /// let catalog: ServiceCatalog = serde_json::from_str(r#"[
    ///   {"type": "compute", "name": "cyclades_compute", "endpoints": [
    ///     {"versionId": "v2.0", "region": "default",
    ///      "publicURL": "https://cloud.example.org/cyclades/compute/v2.0"}]}]"#).unwrap();
    /// assert_eq!(catalog.get_endpoint_url("Compute").unwrap(),
    ///            "https://cloud.example.org/cyclades/compute/v2.0");
    /// assert!(catalog.get_endpoint_url("image").is_err());
    /// ```
    ///
    /// # Errors
    /// A [`Catalog`](ErrorKind::Catalog) error (status 0) when the type is not
    /// in the catalog, or when not exactly one public endpoint matches
    /// (the details list what there is).
    pub fn get_endpoint_url(&self, service_type: &str) -> Result<String, ClientError> {
        self.endpoint(service_type, &EndpointFilter::default())
            .map(|e| e.url.clone())
    }

    /// The public URL of a service at an API version (`v2.0` or `2.0`).
    ///
    /// # Errors
    /// As [`get_endpoint_url`](Self::get_endpoint_url).
    pub fn get_endpoint_url_version(
        &self,
        service_type: &str,
        version: &str,
    ) -> Result<String, ClientError> {
        let filter = EndpointFilter {
            version: Some(version),
            ..Default::default()
        };
        self.endpoint(service_type, &filter).map(|e| e.url.clone())
    }

    /// The endpoint of a service chosen by `filter`: the first service of
    /// that type (case-insensitive), then its endpoints of the interface
    /// (public by default), version and region asked for. Exactly one URL
    /// must remain.
    ///
    /// # Errors
    /// A [`Catalog`](ErrorKind::Catalog) error (status 0):
    /// `Service type "<t>" not in service catalog`, or
    /// `<n> endpoints match type <t> [and versionId <v>] …`, with details
    /// naming the types or endpoints available.
    pub fn endpoint(
        &self,
        service_type: &str,
        filter: &EndpointFilter<'_>,
    ) -> Result<&CatalogEndpoint, ClientError> {
        let service = self.service(service_type).ok_or_else(|| {
            catalog_error(
                format!("Service type \"{service_type}\" not in service catalog"),
                vec![format!(
                    "available types: {}",
                    self.service_types().join(", ")
                )],
            )
        })?;
        let interface = filter.interface.unwrap_or("public");
        let version = filter.version.map(norm_version);
        let matches: Vec<&CatalogEndpoint> = service
            .endpoints
            .iter()
            .filter(|e| e.interface.eq_ignore_ascii_case(interface))
            .filter(|e| match &version {
                None => true,
                Some(v) => match &e.version_id {
                    Some(id) => norm_version(id) == *v,
                    None => url_version(&e.url).is_some_and(|u| u == *v),
                },
            })
            .filter(|e| match filter.region {
                None => true,
                Some(r) => e.region.as_deref() == Some(r) || e.region_id.as_deref() == Some(r),
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [first, rest @ ..] if rest.iter().all(|e| e.url == first.url) => Ok(first),
            _ => {
                let mut msg = format!("{} endpoints match type {service_type}", matches.len());
                if let Some(v) = filter.version {
                    msg.push_str(&format!(" and versionId {v}"));
                }
                if let Some(r) = filter.region {
                    msg.push_str(&format!(" and region {r}"));
                }
                msg.push_str(&format!(" and interface {interface}"));
                let details = service
                    .endpoints
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {} version={} region={}",
                            e.interface,
                            e.url,
                            e.version_id.as_deref().unwrap_or("-"),
                            e.region
                                .as_deref()
                                .or(e.region_id.as_deref())
                                .unwrap_or("-")
                        )
                    })
                    .collect();
                Err(catalog_error(msg, details))
            }
        }
    }
}
