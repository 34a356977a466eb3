//! The Cyclades network client (`spec/network.md`): typed networks with
//! projects, reassignment, ports, floating IPs reserved per project and
//! attached to servers through ports.

use futures::Stream;
use kamaki_core::{ClientError, Endpoint, HttpClient, Token, WaitOptions, WaitOutcome};
use kamaki_openstack::common::check_id;
use kamaki_openstack::network::{
    self, CreatePort, CreateSubnet, FixedIp, FloatingIp, ListFloatingIpsOptions,
    ListNetworksOptions, ListPortsOptions, ListSubnetsOptions, Network, NetworkClient, Port,
    Subnet, UpdateNetwork, UpdatePort,
};
use kamaki_openstack::Extra;
use serde_json::Value;

use super::{reassign, with_project};

kamaki_openstack::string_enum! {
    /// A Cyclades network type (`type`). Which types users may create is up
    /// to the deployment (by default only `MAC_FILTERED`; others → 403).
    pub enum NetworkType {
        /// A network on a custom link.
        Custom = "CUSTOM",
        /// A private network isolated by MAC filtering.
        MacFiltered = "MAC_FILTERED",
        /// A routed network without IPs of its own.
        IpLessRouted = "IP_LESS_ROUTED",
        /// A network on its own physical VLAN.
        PhysicalVlan = "PHYSICAL_VLAN",
    }
}

/// The network types Cyclades defines (kamaki's `network_types`).
pub const NETWORK_TYPES: [&str; 4] = ["CUSTOM", "MAC_FILTERED", "IP_LESS_ROUTED", "PHYSICAL_VLAN"];

/// The optional members of a new network ([`CycladesNetworkClient::create_network`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateNetworkOptions {
    /// Shared with every user (`shared`; Synnefo ignores it).
    pub shared: Option<bool>,
    /// The project to charge (`project`); the user's default when `None`.
    pub project: Option<String>,
    /// Share it with the members of its project (`shared_to_project`).
    pub shared_to_project: Option<bool>,
    /// More keys of the `"network"` object, sent as given.
    pub extra: Extra,
}

/// A floating IP to reserve on Cyclades ([`CycladesNetworkClient::create_floatingip`]).
/// Every member is optional: an empty request takes any free address of any
/// public network.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateFloatingIp {
    /// The network to take it from (`floating_network_id`, an integer id on Synnefo).
    pub floating_network_id: Option<String>,
    /// A chosen address (`floating_ip_address`).
    pub floating_ip_address: Option<String>,
    /// The project to charge (`project`); the user's default when `None`.
    pub project: Option<String>,
    /// Share it with the members of its project (`shared_to_project`).
    pub shared_to_project: Option<bool>,
}

/// A client of a Cyclades network endpoint (kamaki's `CycladesNetworkClient`):
/// an OpenStack [`NetworkClient`] plus the Synnefo extensions.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone, Debug)]
pub struct CycladesNetworkClient {
    network: NetworkClient,
}

wrapper_client!(CycladesNetworkClient wraps NetworkClient as
    /// The OpenStack network client underneath, for every operation not
    /// forwarded here (subnet updates, bulk creation, …).
    network
);

impl CycladesNetworkClient {
    // -- networks ---------------------------------------------------------

    /// Creates a network: POST `/networks` with
    /// `{"network": {"type": …, "admin_state_up": true, "name": …, "project": …}}`
    /// (201). An empty `name` is not sent (Synnefo then names it `""`).
    /// Private networks are `ACTIVE` at once.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty type, a name over 255 characters or an empty project
    /// (nothing sent); the server's error (400 for an unknown type, 403 for
    /// a type the deployment does not offer, 413 over quota).
    pub async fn create_network(
        &self,
        network_type: impl Into<NetworkType>,
        name: &str,
        opts: &CreateNetworkOptions,
    ) -> Result<Network, ClientError> {
        let network_type = network_type.into();
        check_id("network type", network_type.as_str())?;
        let mut extra = Extra::new();
        extra.insert("type".into(), Value::from(network_type.as_str()));
        let extra = with_project(
            extra,
            opts.project.as_deref(),
            opts.shared_to_project,
            &opts.extra,
        )?;
        let req = network::CreateNetwork {
            name: Some(name.to_string()).filter(|n| !n.is_empty()),
            admin_state_up: Some(true),
            shared: opts.shared,
            extra,
        };
        self.network.create_network(&req).await
    }

    forward! { network;
        /// Streams networks; see [`NetworkClient::networks`].
        ///
        /// # Errors
        /// Each failed page yields a [`ClientError`] and ends the stream.
        pub fn networks(&self, opts: ListNetworksOptions) -> Stream<Network> = networks;

        /// Lists networks: GET `/networks` or `/networks/detail` (200); both
        /// give full objects on Synnefo (the type is `extra["type"]`).
        ///
        /// # Errors
        /// The first [`ClientError`] of any page.
        pub async fn list_networks(
            &self,
            opts: &ListNetworksOptions,
        ) -> Vec<Network> = list_networks;

        /// Network details: GET `/networks/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 …).
        pub async fn get_network(&self, network_id: &str) -> Network = get_network;

        /// kamaki's name for [`get_network`](Self::get_network).
        ///
        /// # Errors
        /// As [`get_network`](Self::get_network).
        pub async fn get_network_details(&self, network_id: &str) -> Network = get_network;
    }

    /// Renames a network: PUT `/networks/{id}` with `{"network": {"name": …}}`
    /// (200); Synnefo changes nothing else.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name; the server's error.
    pub async fn update_network(
        &self,
        network_id: &str,
        new_name: &str,
    ) -> Result<Network, ClientError> {
        check_id("network name", new_name)?;
        let update = UpdateNetwork {
            name: Some(new_name.to_string()),
            ..UpdateNetwork::default()
        };
        self.network.update_network(network_id, &update).await
    }

    forward! { network;
        /// Deletes a network: DELETE `/networks/{id}` (204).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (409 while ports or floating IPs
        /// use it).
        pub async fn delete_network(&self, network_id: &str) -> () = delete_network;
    }

    /// Moves a network to another project: POST `/networks/{id}/action`
    /// with `{"reassign": {"project": …}}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or project; the server's error (403, 413 over quota).
    pub async fn reassign_network(
        &self,
        network_id: &str,
        project: &str,
    ) -> Result<(), ClientError> {
        reassign(
            self.http(),
            self.endpoint(),
            "networks",
            "network id",
            network_id,
            project,
        )
        .await
    }

    // -- subnets ----------------------------------------------------------

    forward! { network;
        /// Lists subnets: GET `/subnets` (200).
        ///
        /// # Errors
        /// The first [`ClientError`] of any page.
        pub async fn list_subnets(&self, opts: &ListSubnetsOptions) -> Vec<Subnet> = list_subnets;

        /// Creates a subnet: POST `/subnets` (201).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for bad input; the server's error (400 malformed CIDR or pools, 409
        /// overlapping pools).
        pub async fn create_subnet(&self, subnet: &CreateSubnet) -> Subnet = create_subnet;

        /// Subnet details: GET `/subnets/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn get_subnet_details(&self, subnet_id: &str) -> Subnet = get_subnet;
    }

    // -- ports ------------------------------------------------------------

    forward! { network;
        /// Streams ports; see [`NetworkClient::ports`].
        ///
        /// # Errors
        /// Each failed page yields a [`ClientError`] and ends the stream.
        pub fn ports(&self, opts: ListPortsOptions) -> Stream<Port> = ports;

        /// Lists ports: GET `/ports` or `/ports/detail` (200).
        ///
        /// # Errors
        /// The first [`ClientError`] of any page.
        pub async fn list_ports(&self, opts: &ListPortsOptions) -> Vec<Port> = list_ports;
    }

    /// Creates a port (kamaki's Cyclades `create_port`): POST `/ports` with
    /// `{"port": {"network_id": …, "device_id": …, "fixed_ips": […], …}}`
    /// (201). Every `fixed_ips` item must hold `ip_address` (on Synnefo: one
    /// floating IP the user reserved on that network). The port starts in
    /// `BUILD`; see [`wait_port_until`](Self::wait_port_until).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty network id or a `fixed_ips` item without `ip_address`
    /// (nothing sent); the server's error (400, 409 for a used address, 503
    /// when no MAC is left).
    pub async fn create_port(&self, port: &CreatePort) -> Result<Port, ClientError> {
        for ip in &port.fixed_ips {
            match &ip.ip_address {
                Some(a) => check_id("fixed IP address", a)?,
                None => {
                    return Err(ClientError::invalid_argument(
                        "every fixed_ips item must hold ip_address",
                    ))
                }
            }
        }
        self.network.create_port(port).await
    }

    forward! { network;
        /// Port details: GET `/ports/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 once deleted).
        pub async fn get_port(&self, port_id: &str) -> Port = get_port;

        /// kamaki's name for [`get_port`](Self::get_port).
        ///
        /// # Errors
        /// As [`get_port`](Self::get_port).
        pub async fn get_port_details(&self, port_id: &str) -> Port = get_port;

        /// Updates a port: PUT `/ports/{id}` (200); Synnefo honours only `name`
        /// and `security_groups`.
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id or nothing to update; the server's error.
        pub async fn update_port(&self, port_id: &str, update: &UpdatePort) -> Port = update_port;

        /// Deletes a port (unplugs the NIC): DELETE `/ports/{id}` (204).
        /// Asynchronous: see [`wait_port_deleted`](Self::wait_port_deleted).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error.
        pub async fn delete_port(&self, port_id: &str) -> () = delete_port;

        /// Waits until the port's status is `target_status` (e.g. `"ACTIVE"`).
        ///
        /// # Errors
        /// The first poll error (404 included); a timeout is
        /// [`WaitOutcome::TimedOut`] with the last port seen.
        pub async fn wait_port_until(
            &self,
            port_id: &str,
            target_status: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Port> = wait_port_until;

        /// Waits while the port's status is `current_status` (e.g. `"BUILD"`).
        ///
        /// # Errors
        /// As [`wait_port_until`](Self::wait_port_until).
        pub async fn wait_port_while(
            &self,
            port_id: &str,
            current_status: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Port> = wait_port_while;

        /// kamaki's `wait_port(id)`: waits while the port is `BUILD` (a poll a
        /// second for up to 100 seconds).
        ///
        /// # Errors
        /// As [`wait_port_until`](Self::wait_port_until).
        pub async fn wait_port(&self, port_id: &str) -> WaitOutcome<Port> = wait_port;

        /// Waits for a deleted port to go: reached with `None` once it answers
        /// 404.
        ///
        /// # Errors
        /// Poll errors other than 404.
        pub async fn wait_port_deleted(
            &self,
            port_id: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Option<Port>> = wait_port_deleted;
    }

    // -- floating IPs -----------------------------------------------------

    /// Lists floating IPs: GET `/floatingips` (200). Synnefo's
    /// `instance_id` and `shared_to_project` are in `extra`.
    ///
    /// # Errors
    /// The first [`ClientError`] of any page.
    pub async fn list_floatingips(&self) -> Result<Vec<FloatingIp>, ClientError> {
        self.network
            .list_floatingips(&ListFloatingIpsOptions::default())
            .await
    }

    forward! { network;
        /// Floating IP details: GET `/floatingips/{id}` (200).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (404 …).
        pub async fn get_floatingip(&self, floatingip_id: &str) -> FloatingIp = get_floatingip;

        /// kamaki's name for [`get_floatingip`](Self::get_floatingip).
        ///
        /// # Errors
        /// As [`get_floatingip`](Self::get_floatingip).
        pub async fn get_floatingip_details(
            &self,
            floatingip_id: &str,
        ) -> FloatingIp = get_floatingip;
    }

    /// Reserves a floating IP (kamaki's Cyclades `create_floatingip`): POST
    /// `/floatingips` with `{"floatingip": {…}}` holding only the members
    /// given (200). `{}` takes any free public address.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for empty values (nothing sent); the server's error (400 for a
    /// non-integer network, 409 when no address is free or it is used, 413
    /// over quota).
    pub async fn create_floatingip(
        &self,
        ip: &CreateFloatingIp,
    ) -> Result<FloatingIp, ClientError> {
        let extra = with_project(
            Extra::new(),
            ip.project.as_deref(),
            ip.shared_to_project,
            &Extra::new(),
        )?;
        let req = network::CreateFloatingIp {
            floating_network_id: ip.floating_network_id.clone(),
            floating_ip_address: ip.floating_ip_address.clone(),
            extra,
            ..network::CreateFloatingIp::default()
        };
        self.network.create_floatingip(&req).await
    }

    forward! { network;
        /// Releases a floating IP: DELETE `/floatingips/{id}` (204).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; the server's error (409 while a port uses it).
        pub async fn delete_floatingip(&self, floatingip_id: &str) -> () = delete_floatingip;
    }

    /// Moves a floating IP to another project: POST
    /// `/floatingips/{id}/action` with `{"reassign": {"project": …}}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or project; the server's error.
    pub async fn reassign_floating_ip(
        &self,
        floatingip_id: &str,
        project: &str,
    ) -> Result<(), ClientError> {
        reassign(
            self.http(),
            self.endpoint(),
            "floatingips",
            "floating IP id",
            floatingip_id,
            project,
        )
        .await
    }

    /// Attaches a reserved floating IP to a server the Cyclades way: reads
    /// the IP (GET `/floatingips/{id}`, 200), then creates a port on its
    /// network for the server holding that address (POST `/ports` with
    /// `{"port": {"network_id": …, "device_id": …, "fixed_ips":
    /// [{"ip_address": …}]}}`, 201). Returns the new port, in `BUILD`: wait
    /// for `ACTIVE` with [`wait_port_until`](Self::wait_port_until).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id, or when the IP is already attached or lacks its
    /// address or network (no port created); the server's error.
    pub async fn attach_floating_ip(
        &self,
        floatingip_id: &str,
        server_id: &str,
    ) -> Result<Port, ClientError> {
        check_id("server id", server_id)?;
        let ip = self.network.get_floatingip(floatingip_id).await?;
        if let Some(port) = &ip.port_id {
            return Err(ClientError::invalid_argument(format!(
                "floating IP {floatingip_id} is already attached (port {port})"
            )));
        }
        let (Some(network_id), Some(address)) = (ip.floating_network_id, ip.floating_ip_address)
        else {
            return Err(ClientError::invalid_argument(format!(
                "floating IP {floatingip_id} has no network or address"
            )));
        };
        let port = CreatePort {
            network_id,
            device_id: Some(server_id.to_string()),
            fixed_ips: vec![FixedIp::address(address)],
            ..CreatePort::default()
        };
        self.create_port(&port).await
    }

    /// Detaches a floating IP from its server the Cyclades way: reads the IP
    /// (GET `/floatingips/{id}`, 200) and deletes the port using it (DELETE
    /// `/ports/{port}`, 204); the IP stays reserved. Returns the port id
    /// deleted, or `None` when the IP was not attached (nothing deleted).
    /// The port goes asynchronously: see [`wait_port_deleted`](Self::wait_port_deleted).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error.
    pub async fn detach_floating_ip(
        &self,
        floatingip_id: &str,
    ) -> Result<Option<String>, ClientError> {
        let ip = self.network.get_floatingip(floatingip_id).await?;
        match ip.port_id {
            Some(port) => {
                self.network.delete_port(port.as_str()).await?;
                Ok(Some(port.to_string()))
            }
            None => Ok(None),
        }
    }
}
