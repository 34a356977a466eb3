//! Lists networks, subnets, ports and floating IPs.
//!
//! ```text
//! KAMAKI_URL=https://accounts.example.org/identity/v2.0 KAMAKI_TOKEN=... \
//!     cargo run -p kamaki-openstack --example network
//! ```
//!
//! `KAMAKI_URL` is the identity (authentication) URL, whose catalog gives
//! the network endpoint, or a network endpoint itself (a URL containing
//! `network`).

use kamaki_core::{HttpClient, Token};
use kamaki_openstack::identity::IdentityClient;
use kamaki_openstack::network::{
    ListFloatingIpsOptions, ListNetworksOptions, ListPortsOptions, ListSubnetsOptions,
    NetworkClient,
};
use kamaki_openstack::ClientError;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("Error: {}", e.message.trim_end());
        if e.status != 0 {
            eprintln!("- error code: {}", e.status);
        }
        for d in &e.details {
            eprintln!("- {d}");
        }
        std::process::exit(1);
    }
}

fn env(name: &str) -> Result<String, ClientError> {
    std::env::var(name)
        .map_err(|_| ClientError::invalid_argument(format!("Set {name} in the environment")))
}

/// The service endpoint and an HTTP client holding the token.
async fn endpoint(service_type: &str, marker: &str) -> Result<(String, HttpClient), ClientError> {
    let url = env("KAMAKI_URL")?;
    let token = env("KAMAKI_TOKEN")?;
    if url.contains(marker) {
        return Ok((url, HttpClient::new(Some(Token::new(token)))?));
    }
    let identity = IdentityClient::new(&url, token.as_str())?;
    let endpoint = identity.get_endpoint_url(service_type).await?;
    Ok((endpoint, identity.http().clone()))
}

async fn run() -> Result<(), ClientError> {
    let (url, http) = endpoint(NetworkClient::SERVICE_TYPE, "network").await?;
    let net = NetworkClient::with_http(&url, http)?;

    println!("Networks:");
    for n in net.list_networks(&ListNetworksOptions::default()).await? {
        println!("  {} {} [{}]", n.id, n.name, n.status);
    }
    println!("Subnets:");
    for s in net.list_subnets(&ListSubnetsOptions::default()).await? {
        println!(
            "  {} {} {}",
            s.id,
            s.cidr.as_deref().unwrap_or(""),
            s.gateway_ip.as_deref().unwrap_or("(no gateway)")
        );
    }
    println!("Ports:");
    for p in net.list_ports(&ListPortsOptions::default()).await? {
        let ips: Vec<&str> = p
            .fixed_ips
            .iter()
            .filter_map(|f| f.ip_address.as_deref())
            .collect();
        println!(
            "  {} [{}] device {} {}",
            p.id,
            p.status,
            p.device_id.as_ref().map(|d| d.as_str()).unwrap_or("-"),
            ips.join(", ")
        );
    }
    println!("Floating IPs:");
    for f in net
        .list_floatingips(&ListFloatingIpsOptions::default())
        .await?
    {
        println!(
            "  {} {} port {}",
            f.id,
            f.floating_ip_address.as_deref().unwrap_or(""),
            f.port_id.as_ref().map(|p| p.as_str()).unwrap_or("-")
        );
    }
    Ok(())
}
