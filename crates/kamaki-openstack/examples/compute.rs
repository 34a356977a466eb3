//! Lists flavors and servers, and shows one server like the tutorial's
//! example 1.4 ("Server Name: … (OS: …)").
//!
//! ```text
//! KAMAKI_URL=https://accounts.example.org/identity/v2.0 KAMAKI_TOKEN=... \
//!     cargo run -p kamaki-openstack --example compute [server id]
//! ```
//!
//! `KAMAKI_URL` is the identity (authentication) URL, whose catalog gives
//! the compute endpoint, or a compute endpoint itself (a URL containing
//! `compute`).

use kamaki_core::{HttpClient, Token};
use kamaki_openstack::compute::{ComputeClient, ListFlavorsOptions, ListServersOptions};
use kamaki_openstack::identity::IdentityClient;
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
    let (url, http) = endpoint(ComputeClient::SERVICE_TYPE, "compute").await?;
    let compute = ComputeClient::with_http(&url, http)?;

    if let Some(server_id) = std::env::args().nth(1) {
        let srv = compute.get_server_details(&server_id).await?;
        let os = srv.metadata.get("os").map(String::as_str).unwrap_or("?");
        println!("Server Name: {} (OS: {os})", srv.name);
        println!("Status: {} ({}%)", srv.status, srv.progress.unwrap_or(0));
        for (net, addrs) in &srv.addresses {
            for a in addrs {
                println!("  network {net}: {}", a.addr);
            }
        }
        return Ok(());
    }

    let flavors = compute
        .list_flavors(&ListFlavorsOptions {
            detail: true,
            ..Default::default()
        })
        .await?;
    println!("Flavors:");
    for f in &flavors {
        println!(
            "  {} {} ({} vCPU, {} MiB RAM, {} GiB disk)",
            f.id,
            f.name,
            f.vcpus.unwrap_or(0),
            f.ram.unwrap_or(0),
            f.disk.unwrap_or(0)
        );
    }
    let servers = compute
        .list_servers(&ListServersOptions {
            detail: true,
            ..Default::default()
        })
        .await?;
    println!("Servers:");
    for s in &servers {
        println!("  {} {} {}", s.id, s.name, s.status);
    }
    Ok(())
}
