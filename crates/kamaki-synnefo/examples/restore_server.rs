//! The tutorial's script "Restore server from local snapshot image", in Rust.
//!
//! Uploads a local image file (`LOCAL_BACKUP_IMAGE`) to the container
//! `snapshots` of the user's Pithos account, registers it as an image and
//! creates a server from it. (The tutorial's script builds the location with
//! one argument for three placeholders and calls `compute.create`; both are
//! mended here.) `FLAVOR_ID` may be given; otherwise the first flavor is used.

mod common;

use std::process::ExitCode;

use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::cyclades::{CreateServer, CycladesClient};
use kamaki_synnefo::pithos::{PithosClient, UploadOptions, UploadSource};
use kamaki_synnefo::plankton::{ImageClient, PlanktonExt, RegisterOptions};
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

    let (account, container) = (astakos.user_info().await?.id, "snapshots");
    let pithos_url = astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await?;
    let pithos = PithosClient::new(&pithos_url, token, Some(&account), Some(container))?;

    let local_backup_image = common::setting("LOCAL_BACKUP_IMAGE").ok_or_else(|| {
        ClientError::invalid_argument("set LOCAL_BACKUP_IMAGE to a local image file")
    })?;
    let path = "server_backup.diskdump";

    let obj = pithos
        .upload_object(
            container,
            path,
            UploadSource::path(&local_backup_image),
            &UploadOptions::default(),
        )
        .await?;
    println!(
        "Uploaded {local_backup_image} as {container}/{path}: {} bytes, {} of {} blocks sent",
        obj.bytes, obj.uploaded_blocks, obj.blocks
    );

    let image_url = astakos.get_endpoint_url(ImageClient::SERVICE_TYPE).await?;
    let plankton = ImageClient::new(&image_url, token)?;

    let location = format!("pithos://{account}/{container}/{path}");
    let img = plankton
        .register_location(
            "Backup Snapshot",
            location.as_str(),
            &RegisterOptions::default(),
        )
        .await?;
    println!(
        "Image \"{}\" registered with id {}",
        img.name.clone().unwrap_or_default(),
        img.id
    );

    let cyclades_url = astakos
        .get_endpoint_url(CycladesClient::SERVICE_TYPE)
        .await?;
    let compute = CycladesClient::new(&cyclades_url, token)?;

    let flavor_id = match common::setting("FLAVOR_ID") {
        Some(id) => id,
        None => compute
            .list_flavors(&Default::default())
            .await?
            .first()
            .map(|f| f.id.to_string())
            .ok_or_else(|| ClientError::invalid_argument("the cloud offers no flavor"))?,
    };
    let restored_server = compute
        .create_server(&CreateServer::new(
            "Restored server",
            flavor_id.as_str(),
            img.id.as_str(),
        ))
        .await?;
    println!(
        "Server \"{}\" ({}) is {}",
        restored_server.name, restored_server.id, restored_server.status
    );
    let outcome = compute.wait_server(restored_server.id.as_str()).await?;
    if let Some(s) = outcome.last() {
        println!("Server \"{}\" is {}", s.name, s.status);
    }
    Ok(())
}
