//! Subnets.

use std::net::IpAddr;
use std::sync::Arc;

use futures::{Stream, TryStreamExt};
use kamaki_core::{paginate, ClientError, Method, Page, QueryParams, UrlPath};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{merge_extra, Link, NetworkClient};
use crate::common::{Extra, ResourceId};
use crate::compute::util::{self, check_id, de_null_default, marker_page, push_text, to_json};

fn subnets_url(c: &NetworkClient) -> UrlPath {
    c.url().seg("subnets")
}

/// Paging of [`NetworkClient::subnets`] / [`NetworkClient::list_subnets`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListSubnetsOptions {
    /// Page size (`limit`).
    pub limit: Option<u32>,
    /// Start after this subnet id (`marker`).
    pub marker: Option<String>,
    /// More query parameters, sent as given.
    pub extra_query: QueryParams,
}

/// A range of addresses handed out on a subnet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AllocationPool {
    /// First address.
    pub start: String,
    /// Last address.
    pub end: String,
}

/// A static route of a subnet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HostRoute {
    /// Destination CIDR.
    #[serde(default)]
    pub destination: String,
    /// Next hop address.
    #[serde(default)]
    pub nexthop: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The gateway of a subnet to create or update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Gateway {
    /// Not sent: the server's default (Synnefo: the first host address).
    #[default]
    Default,
    /// Sent as `null`: no gateway.
    Disabled,
    /// This address.
    Ip(String),
}

impl Gateway {
    fn insert(&self, obj: &mut Map<String, Value>) {
        match self {
            Gateway::Default => {}
            Gateway::Disabled => {
                obj.insert("gateway_ip".into(), Value::Null);
            }
            Gateway::Ip(ip) => {
                obj.insert("gateway_ip".into(), ip.clone().into());
            }
        }
    }
}

/// A subnet to create ([`NetworkClient::create_subnet`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateSubnet {
    /// The network (`network_id`), required.
    pub network_id: String,
    /// The address range (`cidr`), required, e.g. `192.168.10.0/24`.
    pub cidr: String,
    /// The name.
    pub name: Option<String>,
    /// Address pools (`allocation_pools`; sent when not empty).
    pub allocation_pools: Vec<AllocationPool>,
    /// The gateway.
    pub gateway: Gateway,
    /// A chosen id (`id`; Synnefo ignores it).
    pub subnet_id: Option<String>,
    /// IPv6 (`ip_version` 6) rather than IPv4 (4).
    pub ipv6: bool,
    /// DHCP on or off (`enable_dhcp`).
    pub enable_dhcp: Option<bool>,
    /// DNS servers (`dns_nameservers`; sent when not empty).
    pub dns_nameservers: Vec<String>,
    /// Static routes (`host_routes`; sent when not empty).
    pub host_routes: Vec<HostRoute>,
    /// More keys of the `"subnet"` object (`enable_slaac`, …), sent as given.
    pub extra: Extra,
}

fn check_cidr(cidr: &str, ipv6: bool) -> Result<(), ClientError> {
    let bad = || {
        ClientError::invalid_argument(format!(
            "{cidr:?} is not an IPv{} CIDR such as {}",
            if ipv6 { 6 } else { 4 },
            if ipv6 {
                "2001:db8::/64"
            } else {
                "192.168.10.0/24"
            }
        ))
    };
    let (addr, prefix) = cidr.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = addr.parse().map_err(|_| bad())?;
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    let max = if addr.is_ipv6() { 128 } else { 32 };
    if prefix > max || addr.is_ipv6() != ipv6 {
        return Err(bad());
    }
    Ok(())
}

impl CreateSubnet {
    /// The `"subnet"` object, after checking the arguments.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty network id, a CIDR that is not of the IP version asked
    /// for, or an empty name.
    pub fn to_object(&self) -> Result<Map<String, Value>, ClientError> {
        check_id("network id", &self.network_id)?;
        check_cidr(&self.cidr, self.ipv6)?;
        let mut s = Map::new();
        s.insert("network_id".into(), self.network_id.clone().into());
        s.insert("cidr".into(), self.cidr.clone().into());
        s.insert("ip_version".into(), (if self.ipv6 { 6 } else { 4 }).into());
        if let Some(n) = &self.name {
            check_id("subnet name", n)?;
            s.insert("name".into(), n.clone().into());
        }
        if !self.allocation_pools.is_empty() {
            s.insert("allocation_pools".into(), to_json(&self.allocation_pools)?);
        }
        self.gateway.insert(&mut s);
        if let Some(id) = &self.subnet_id {
            check_id("subnet id", id)?;
            s.insert("id".into(), id.clone().into());
        }
        if let Some(d) = self.enable_dhcp {
            s.insert("enable_dhcp".into(), d.into());
        }
        if !self.dns_nameservers.is_empty() {
            s.insert("dns_nameservers".into(), to_json(&self.dns_nameservers)?);
        }
        if !self.host_routes.is_empty() {
            s.insert("host_routes".into(), to_json(&self.host_routes)?);
        }
        merge_extra(&mut s, &self.extra);
        Ok(s)
    }
}

/// Changes to a subnet ([`NetworkClient::update_subnet`]). Synnefo accepts
/// only a new name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateSubnet {
    /// A new name.
    pub name: Option<String>,
    /// New address pools.
    pub allocation_pools: Option<Vec<AllocationPool>>,
    /// A new gateway (`Default` = unchanged).
    pub gateway: Gateway,
    /// A new IP version (`ip_version` 6 or 4).
    pub ipv6: Option<bool>,
    /// DHCP on or off.
    pub enable_dhcp: Option<bool>,
    /// More keys of the `"subnet"` object, sent as given.
    pub extra: Extra,
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    /// The id.
    pub id: ResourceId,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_id: Option<ResourceId>,
    /// 4 or 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_version: Option<u8>,
    /// The address range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// The gateway (`None` when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ip: Option<String>,
    /// DHCP on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_dhcp: Option<bool>,
    /// Address pools.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allocation_pools: Vec<AllocationPool>,
    /// DNS servers.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dns_nameservers: Vec<String>,
    /// Static routes.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub host_routes: Vec<HostRoute>,
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Fields this version does not know (`enable_slaac`, `public`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Deserialize)]
struct SubnetEnvelope {
    subnet: Subnet,
}

#[derive(Deserialize)]
struct SubnetsEnvelope {
    subnets: Vec<Subnet>,
}

impl NetworkClient {
    async fn subnets_page(
        &self,
        opts: &ListSubnetsOptions,
        marker: Option<String>,
    ) -> Result<Page<Subnet>, ClientError> {
        let marker = marker.or_else(|| opts.marker.clone().filter(|m| !m.is_empty()));
        let mut q = QueryParams::new();
        q.push_opt("limit", opts.limit.filter(|l| *l > 0));
        push_text(&mut q, "marker", marker.as_deref());
        q.extend(&opts.extra_query);
        let env: SubnetsEnvelope = self
            .http
            .request(Method::GET, subnets_url(self))
            .query(&q)
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(marker_page(
            env.subnets,
            opts.limit,
            marker.as_deref(),
            |s| s.id.to_string(),
        ))
    }

    /// Streams subnets: GET `/subnets` (200), page by page when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn subnets(
        &self,
        opts: ListSubnetsOptions,
    ) -> impl Stream<Item = Result<Subnet, ClientError>> + Send + '_ {
        let opts = Arc::new(opts);
        paginate(move |marker| {
            let opts = opts.clone();
            async move { self.subnets_page(&opts, marker).await }
        })
    }

    /// Lists subnets (kamaki's `list_subnets`); see [`subnets`](Self::subnets).
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_subnets(
        &self,
        opts: &ListSubnetsOptions,
    ) -> Result<Vec<Subnet>, ClientError> {
        self.subnets(opts.clone()).try_collect().await
    }

    /// Creates a subnet: POST `/subnets` with `{"subnet": {…}}` (201).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for bad input (see [`CreateSubnet::to_object`]); the server's error
    /// (400 for malformed pools, 409 for overlapping ones).
    pub async fn create_subnet(&self, subnet: &CreateSubnet) -> Result<Subnet, ClientError> {
        let body = serde_json::json!({ "subnet": subnet.to_object()? });
        let env: SubnetEnvelope = self
            .http
            .request(Method::POST, subnets_url(self))
            .json(&body)
            .expect_status(&[201])
            .send_json()
            .await?;
        Ok(env.subnet)
    }

    /// Creates several subnets at once: POST `/subnets` with
    /// `{"subnets": […]}` (201). Synnefo does not support it.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty list or a bad item; the server's error.
    pub async fn create_subnets(
        &self,
        subnets: &[CreateSubnet],
    ) -> Result<Vec<Subnet>, ClientError> {
        if subnets.is_empty() {
            return Err(ClientError::invalid_argument("no subnets to create"));
        }
        let items = subnets
            .iter()
            .map(|s| s.to_object().map(Value::Object))
            .collect::<Result<Vec<_>, _>>()?;
        let env: SubnetsEnvelope = self
            .http
            .request(Method::POST, subnets_url(self))
            .json(&serde_json::json!({ "subnets": items }))
            .expect_status(&[201])
            .send_json()
            .await?;
        Ok(env.subnets)
    }

    /// Subnet details: GET `/subnets/{id}` (200) (kamaki's
    /// `get_subnet_details`, which alone returned the wrapper object; this
    /// returns the subnet, like every other getter).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_subnet(&self, subnet_id: &str) -> Result<Subnet, ClientError> {
        check_id("subnet id", subnet_id)?;
        let env: SubnetEnvelope = self
            .http
            .request(Method::GET, subnets_url(self).seg(subnet_id))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.subnet)
    }

    /// Updates a subnet: PUT `/subnets/{id}` with the given members (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name, or nothing to update; the server's error.
    pub async fn update_subnet(
        &self,
        subnet_id: &str,
        update: &UpdateSubnet,
    ) -> Result<Subnet, ClientError> {
        check_id("subnet id", subnet_id)?;
        let mut s = Map::new();
        if let Some(n) = &update.name {
            check_id("subnet name", n)?;
            s.insert("name".into(), n.clone().into());
        }
        if let Some(p) = &update.allocation_pools {
            s.insert("allocation_pools".into(), to_json(p)?);
        }
        update.gateway.insert(&mut s);
        if let Some(v6) = update.ipv6 {
            s.insert("ip_version".into(), (if v6 { 6 } else { 4 }).into());
        }
        if let Some(d) = update.enable_dhcp {
            s.insert("enable_dhcp".into(), d.into());
        }
        merge_extra(&mut s, &update.extra);
        if s.is_empty() {
            return Err(ClientError::invalid_argument("nothing to update"));
        }
        let env: SubnetEnvelope = self
            .http
            .request(Method::PUT, subnets_url(self).seg(subnet_id))
            .json(&serde_json::json!({ "subnet": s }))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.subnet)
    }

    /// Deletes a subnet: DELETE `/subnets/{id}` (204). Synnefo always
    /// refuses (400): subnets go with their network.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn delete_subnet(&self, subnet_id: &str) -> Result<(), ClientError> {
        check_id("subnet id", subnet_id)?;
        let resp = self
            .http
            .request(Method::DELETE, subnets_url(self).seg(subnet_id))
            .expect_status(&[204])
            .send()
            .await?;
        util::drain(resp).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert!(check_cidr("192.168.10.0/24", false).is_ok());
        assert!(check_cidr("2001:db8::/64", true).is_ok());
        for (bad, v6) in [
            ("192.168.10.0", false),
            ("192.168.10.0/33", false),
            ("300.1.1.1/24", false),
            ("2001:db8::/64", false),
            ("10.0.0.0/8", true),
            ("x/24", false),
            ("", false),
        ] {
            assert!(check_cidr(bad, v6).is_err(), "{bad}");
        }
    }
}
