//! Subnets.

use std::net::IpAddr;

use futures::{Stream, TryStreamExt};
use kamaki_core::{ClientError, QueryParams};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Link, NetworkClient};
use crate::common::{Extra, ResourceId};
use crate::compute::util::{check_id, de_null_default};
use crate::rest::{Collection, Listing, Object};

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
    /// The `gateway_ip` to send, if any.
    fn value(&self) -> Option<Value> {
        match self {
            Gateway::Default => None,
            Gateway::Disabled => Some(Value::Null),
            Gateway::Ip(ip) => Some(ip.as_str().into()),
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

/// `ip_version`: 6 or 4.
fn ip_version(ipv6: bool) -> u8 {
    if ipv6 {
        6
    } else {
        4
    }
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
        let s = Object::new()
            .set("network_id", self.network_id.as_str())
            .set("cidr", self.cidr.as_str())
            .set("ip_version", ip_version(self.ipv6))
            .checked("name", "subnet name", self.name.as_deref())?
            .list("allocation_pools", &self.allocation_pools)?
            .opt("gateway_ip", self.gateway.value())
            .checked("id", "subnet id", self.subnet_id.as_deref())?
            .opt("enable_dhcp", self.enable_dhcp)
            .list("dns_nameservers", &self.dns_nameservers)?
            .list("host_routes", &self.host_routes)?
            .extra(&self.extra);
        Ok(s.into_map())
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

crate::rest::json_resource!(
    Subnet,
    SubnetEnvelope { subnet },
    SubnetsEnvelope { subnets }
);

fn collection(c: &NetworkClient) -> Collection<'_, Subnet> {
    Collection::new(&c.http, c.url().seg("subnets"), "subnet id")
}

impl NetworkClient {
    /// Streams subnets: GET `/subnets` (200), page by page when `limit` is set.
    ///
    /// # Errors
    /// Each failed page yields a [`ClientError`] and ends the stream.
    pub fn subnets(
        &self,
        opts: ListSubnetsOptions,
    ) -> impl Stream<Item = Result<Subnet, ClientError>> + Send + '_ {
        let listing = Listing::new(opts.limit, opts.marker.as_deref(), &opts.extra_query);
        collection(self).stream(listing, &[200])
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
        collection(self).create(subnet.to_object()?, &[201]).await
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
        let items = subnets.iter().map(CreateSubnet::to_object);
        collection(self).create_many(items, &[201]).await
    }

    /// Subnet details: GET `/subnets/{id}` (200) (kamaki's
    /// `get_subnet_details`, which alone returned the wrapper object; this
    /// returns the subnet, like every other getter).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_subnet(&self, subnet_id: &str) -> Result<Subnet, ClientError> {
        collection(self).get(subnet_id, &[200]).await
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
        let subnet = collection(self).member(subnet_id)?;
        let s = Object::new()
            .checked("name", "subnet name", update.name.as_deref())?
            .json("allocation_pools", update.allocation_pools.as_ref())?
            .opt("gateway_ip", update.gateway.value())
            .opt("ip_version", update.ipv6.map(ip_version))
            .opt("enable_dhcp", update.enable_dhcp)
            .extra(&update.extra);
        subnet.put(s.changes()?, &[200]).await
    }

    /// Deletes a subnet: DELETE `/subnets/{id}` (204). Synnefo always
    /// refuses (400): subnets go with their network.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn delete_subnet(&self, subnet_id: &str) -> Result<(), ClientError> {
        collection(self).delete(subnet_id, &[204]).await
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
