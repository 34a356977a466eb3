//! The tutorial's script "Batch-create servers", in Rust.
//!
//! Creates three servers without any network connection (`networks: []`)
//! and waits for each to be built. The tutorial names placeholder image ids;
//! here each is found among the cloud's images by its OS name (or given in
//! `DEBIAN_IMAGE_ID`, `WINDOWS_IMAGE_ID`, `UBUNTU_IMAGE_ID`).

mod common;

use std::process::ExitCode;

use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::cyclades::{CreateServer, CycladesComputeClient};
use kamaki_synnefo::ClientError;

#[tokio::main]
async fn main() -> ExitCode {
    let (authentication_url, token) = match common::credentials() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match run(&authentication_url, &token).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            common::print_error(&e);
            ExitCode::FAILURE
        }
    }
}

async fn run(authentication_url: &str, token: &str) -> Result<(), ClientError> {
    let astakos = AstakosClient::new(authentication_url, token)?;

    let cyclades_url = astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await?;
    let cyclades = CycladesComputeClient::new(&cyclades_url, token)?;

    //  (name, flavor-id, image-id)
    let servers = [
        (
            "My Debian Server",
            1u64,
            image_id(&cyclades, "DEBIAN_IMAGE_ID", "debian").await?,
        ),
        (
            "My Windows Server",
            3,
            image_id(&cyclades, "WINDOWS_IMAGE_ID", "windows").await?,
        ),
        (
            "My Ubuntu Server",
            3,
            image_id(&cyclades, "UBUNTU_IMAGE_ID", "ubuntu").await?,
        ),
    ];

    let mut created = Vec::new();
    for (name, flavor_id, image_id) in servers {
        let new_vm = cyclades
            .create_server(&CreateServer {
                networks: Some(vec![]),
                ..CreateServer::new(name, flavor_id, image_id)
            })
            .await?;
        created.push(new_vm);
    }

    for vm in &created {
        println!("Wait while vm \"{}\" ({}) is being build", vm.name, vm.id);
        let outcome = cyclades.wait_server(vm.id.as_str()).await?;
        let status = outcome
            .last()
            .map(|s| s.status.to_string())
            .unwrap_or_default();
        println!("  vm \"{}\" is {}", vm.name, status);
    }
    Ok(())
}

/// The id of the first image whose name mentions `os`, unless `var` gives one.
async fn image_id(
    cyclades: &CycladesComputeClient,
    var: &str,
    os: &str,
) -> Result<String, ClientError> {
    if let Some(id) = common::setting(var) {
        return Ok(id);
    }
    let images = cyclades.list_images(&Default::default()).await?;
    images
        .iter()
        .find(|i| i.name.to_lowercase().contains(os))
        .map(|i| i.id.to_string())
        .ok_or_else(|| ClientError::invalid_argument(format!("no {os} image here: set {var}")))
}
