//! "Creating applications with kamaki API", Examples 1.1 to 1.5, in Rust.
//!
//! Run against a cloud: `KAMAKI_AUTH_URL=… KAMAKI_TOKEN=… cargo run -p
//! kamaki-synnefo --example tutorial` (optionally `SERVER_ID=…`,
//! `KAMAKI_CA_CERTS=/path/to/ca.pem`), or on the local cloud with
//! `cargo xtask demo`.

mod common;

use std::process::ExitCode;

use kamaki_core::tls;
use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::cyclades::CycladesComputeClient;
use kamaki_synnefo::pithos::PithosClient;
use kamaki_synnefo::ClientError;

#[tokio::main]
async fn main() -> ExitCode {
    let (authentication_url, token) = match common::credentials() {
        Ok(c) => c,
        Err(code) => return code,
    };

    // Secure connections: make sure a CA certificates chain is set.
    // (System roots are trusted by default; a private CA can be added.)
    if tls::default_ca_file().is_none() {
        if let Some(ca_certs_path) = common::setting("KAMAKI_CA_CERTS") {
            tls::patch_with_certs(ca_certs_path);
        }
    }

    // Example 1.2: Initialize an astakos client
    let astakos = match AstakosClient::new(&authentication_url, token.as_str()) {
        Ok(a) => a,
        Err(e) => {
            println!("Failed to authenticate user token");
            common::print_error(&e);
            return ExitCode::FAILURE;
        }
    };

    // Example 1.3: Retrieve cyclades and pithos URLs
    let cyclades_url = match astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await
    {
        Ok(url) => url,
        Err(e) => {
            println!("Failed to get endpoints for cyclades");
            common::print_error(&e);
            return ExitCode::FAILURE;
        }
    };
    let pithos_url = match astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await {
        Ok(url) => url,
        Err(e) => {
            println!("Failed to get endpoints for pithos");
            common::print_error(&e);
            return ExitCode::FAILURE;
        }
    };
    println!("compute endpoint:      {cyclades_url}");
    println!("object-store endpoint: {pithos_url}");

    // Example 1.3.1 / 1.1: Initialize cyclades and pithos clients
    let cyclades = match CycladesComputeClient::new(&cyclades_url, token.as_str()) {
        Ok(c) => c,
        Err(e) => {
            println!("Failed to initialize Cyclades client");
            common::print_error(&e);
            return ExitCode::FAILURE;
        }
    };
    let mut pithos = match PithosClient::new(&pithos_url, token.as_str(), None, None) {
        Ok(p) => p,
        Err(e) => {
            println!("Failed to initialize Pithos+ client");
            common::print_error(&e);
            return ExitCode::FAILURE;
        }
    };
    //  Also, setup the account UUID and container for pithos client
    match astakos.user_info().await {
        Ok(user) => pithos.set_account(user.id),
        Err(e) => {
            println!("Failed to authenticate user token");
            common::print_error(&e);
            return ExitCode::FAILURE;
        }
    }
    pithos.set_container("pithos");

    // Example 1.4: Print server name and OS for server with server_id,
    // print objects in default container (with Example 1.5's error handling)
    let server_id = match common::setting("SERVER_ID") {
        Some(id) => id,
        None => match first_server(&cyclades).await {
            Ok(id) => id,
            Err(e) => {
                common::print_error(&e);
                return ExitCode::FAILURE;
            }
        },
    };
    if let Err(e) = example_1_4(&cyclades, &pithos, &server_id).await {
        common::print_error(&e);
        return ExitCode::FAILURE;
    }

    // Example 1.5: Error handling, on a server that does not exist
    println!();
    println!("Asking for a server that does not exist:");
    match example_1_4(&cyclades, &pithos, "no-such-server-0").await {
        Ok(()) => {
            println!("unexpected: the server exists");
            return ExitCode::FAILURE;
        }
        Err(e) => common::print_error(&e),
    }
    ExitCode::SUCCESS
}

async fn example_1_4(
    cyclades: &CycladesComputeClient,
    pithos: &PithosClient,
    server_id: &str,
) -> Result<(), ClientError> {
    let srv = cyclades.get_server_details(server_id).await?;
    let os = srv.metadata.get("os").map(String::as_str).unwrap_or("?");
    println!("Server Name: {} (OS: {})", srv.name, os);

    let obj_list = pithos.list_objects().await?;
    println!(
        "Objects in container '{}':",
        pithos.default_container().unwrap_or_default()
    );
    for obj in obj_list {
        let bytes = obj.item().map(|o| o.bytes).unwrap_or(0);
        println!("  {} of {} bytes", obj.name(), bytes);
    }
    Ok(())
}

/// The tutorial takes a SERVER_ID; without one, use the first server listed.
async fn first_server(cyclades: &CycladesComputeClient) -> Result<String, ClientError> {
    let servers = cyclades.list_servers(&Default::default()).await?;
    servers
        .first()
        .map(|s| s.id.to_string())
        .ok_or_else(|| ClientError::invalid_argument("no servers: set SERVER_ID or create one"))
}
