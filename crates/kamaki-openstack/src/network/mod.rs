//! The OpenStack Networking v2.0 client: networks, subnets, ports and
//! floating IPs, with kamaki's method names, and waiting for a port.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_openstack::ClientError> {
//! use kamaki_core::WaitOptions;
//! use kamaki_openstack::network::{CreateFloatingIp, CreatePort, FixedIp, NetworkClient};
//!
//! let net = NetworkClient::new("https://cloud.example.org/network", "my-token")?;
//! // reserve an IP, then attach it to server 42 through a port
//! let ip = net.create_floatingip(&CreateFloatingIp::default()).await?;
//! let port = net
//!     .create_port(&CreatePort {
//!         network_id: ip.floating_network_id.clone().unwrap_or_default(),
//!         device_id: Some("42".into()),
//!         fixed_ips: vec![FixedIp::address(ip.floating_ip_address.clone().unwrap_or_default())],
//!         ..Default::default()
//!     })
//!     .await?;
//! net.wait_port_until(port.id.as_str(), "ACTIVE", &WaitOptions::default()).await?;
//! # Ok(()) }
//! ```

use kamaki_core::{ClientError, Endpoint, HttpClient, Token, UrlPath};

mod floatingips;
mod networks;
mod ports;
mod subnets;

pub use crate::compute::Link;
pub use floatingips::{CreateFloatingIp, FloatingIp, ListFloatingIpsOptions, UpdateFloatingIp};
pub use networks::{CreateNetwork, ListNetworksOptions, Network, NetworkStatus, UpdateNetwork};
pub use ports::{CreatePort, FixedIp, ListPortsOptions, Port, PortStatus, UpdatePort};
pub use subnets::{
    AllocationPool, CreateSubnet, Gateway, HostRoute, ListSubnetsOptions, Subnet, UpdateSubnet,
};

/// A client of an OpenStack Networking v2.0 endpoint (kamaki's `NetworkClient`).
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone, Debug)]
pub struct NetworkClient {
    http: HttpClient,
    endpoint: Endpoint,
}

crate::client::service_client!(NetworkClient, "network", "2.0");
