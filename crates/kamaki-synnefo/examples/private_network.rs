//! The tutorial's script "Two servers and a private network", in Rust.
//!
//! Creates a private `MAC_FILTERED` network and two servers connected to
//! it, and checks that both become ACTIVE. `FLAVOR_ID` and `IMAGE_ID` may be
//! given; otherwise the first flavor and the first image are used.

mod common;

use std::process::ExitCode;

use kamaki_openstack::compute::NetworkRequest;
use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::cyclades::{
    CreateNetworkOptions, CreateServer, CycladesComputeClient, CycladesNetworkClient,
};
use kamaki_synnefo::ClientError;

#[tokio::main]
async fn main() -> ExitCode {
    let (authentication_url, token) = match common::credentials() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match run(&authentication_url, &token).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            common::print_error(&e);
            ExitCode::FAILURE
        }
    }
}

async fn run(authentication_url: &str, token: &str) -> Result<bool, ClientError> {
    let astakos = AstakosClient::new(authentication_url, token)?;

    let network_url = astakos
        .get_endpoint_url(CycladesNetworkClient::SERVICE_TYPE)
        .await?;
    let network = CycladesNetworkClient::new(&network_url, token)?;

    let net = network
        .create_network(
            "MAC_FILTERED",
            "My private network",
            &CreateNetworkOptions::default(),
        )
        .await?;
    println!(
        "Network \"{}\" ({}) of type {}",
        net.name,
        net.id,
        net.extra
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("?")
    );

    let cyclades_url = astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await?;
    let cyclades = CycladesComputeClient::new(&cyclades_url, token)?;

    let flavor_id = match common::setting("FLAVOR_ID") {
        Some(id) => id,
        None => first(
            cyclades
                .list_flavors(&Default::default())
                .await?
                .iter()
                .map(|f| f.id.to_string()),
            "flavor",
        )?,
    };
    let image_id = match common::setting("IMAGE_ID") {
        Some(id) => id,
        None => first(
            cyclades
                .list_images(&Default::default())
                .await?
                .iter()
                .map(|i| i.id.to_string()),
            "image",
        )?,
    };

    let srv1 = cyclades
        .create_server(&CreateServer {
            networks: Some(vec![NetworkRequest::network(net.id.as_str())]),
            ..CreateServer::new("server 1", flavor_id.as_str(), image_id.as_str())
        })
        .await?;
    let srv2 = cyclades
        .create_server(&CreateServer {
            networks: Some(vec![NetworkRequest::network(net.id.as_str())]),
            ..CreateServer::new("server 2", flavor_id.as_str(), image_id.as_str())
        })
        .await?;

    let mut all_active = true;
    for (label, srv) in [("Server 1", &srv1), ("Server 2", &srv2)] {
        let outcome = cyclades.wait_server(srv.id.as_str()).await?;
        let state = outcome
            .last()
            .map(|s| s.status.to_string())
            .unwrap_or_default();
        if state == "ACTIVE" {
            println!("{label} ({}) is {state} on network {}", srv.id, net.id);
        } else {
            println!("{label} built failure: {state}");
            all_active = false;
        }
    }
    Ok(all_active)
}

fn first(mut ids: impl Iterator<Item = String>, what: &str) -> Result<String, ClientError> {
    ids.next()
        .ok_or_else(|| ClientError::invalid_argument(format!("the cloud offers no {what}")))
}
