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

impl NetworkClient {
    /// Catalog service type.
    pub const SERVICE_TYPE: &'static str = "network";
    /// API version appended to unversioned endpoints.
    pub const DEFAULT_API_VERSION: &'static str = "2.0";

    /// A client for `endpoint_url` (`/v2.0` is appended when the URL has no
    /// version) authenticating with `token`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an unusable URL; a TLS error when the CA settings are unusable.
    pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
        let http = HttpClient::new(Some(token.into()))?;
        Self::with_http(endpoint_url, http)
    }

    /// A client for `endpoint_url` sharing the pool (and token) of `http`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an unusable URL.
    pub fn with_http(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
        let endpoint = Endpoint::new(endpoint_url, Some(Self::DEFAULT_API_VERSION))?;
        Ok(NetworkClient { http, endpoint })
    }

    /// The endpoint, with its version segment.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The HTTP client (pool and token) this client uses.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    fn url(&self) -> UrlPath {
        self.endpoint.path()
    }
}
