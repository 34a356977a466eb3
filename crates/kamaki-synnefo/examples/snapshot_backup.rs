//! The tutorial's script "Snapshot server and backup", in Rust.
//!
//! Snapshots the first volume of a server (`SERVER_ID`, or the first server
//! listed), finds where Plankton keeps the snapshot (a `pithos://` location)
//! and downloads it to `LOCAL_DESTINATION_PATH` (default
//! `server_backup.diskdump`), every block verified.

mod common;

use std::process::ExitCode;

use kamaki_core::WaitOptions;
use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::cyclades::{CycladesBlockStorageClient, CycladesClient, SynnefoServer};
use kamaki_synnefo::pithos::{DownloadOptions, PithosClient};
use kamaki_synnefo::plankton::{ImageClient, PlanktonExt};
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
        .get_endpoint_url(CycladesClient::SERVICE_TYPE)
        .await?;
    let compute = CycladesClient::new(&cyclades_url, token)?;

    let server_id = match common::setting("SERVER_ID") {
        Some(id) => id,
        None => compute
            .list_servers(&Default::default())
            .await?
            .first()
            .map(|s| s.id.to_string())
            .ok_or_else(|| ClientError::invalid_argument("no servers: set SERVER_ID"))?,
    };

    let srv = compute.get_server_details(&server_id).await?;
    let volume_id = srv.volumes().first().cloned().ok_or_else(|| {
        ClientError::invalid_argument(format!("server {server_id} has no volume"))
    })?;

    let bs_url = astakos
        .get_endpoint_url(CycladesBlockStorageClient::SERVICE_TYPE)
        .await?;
    let block_storage = CycladesBlockStorageClient::new(&bs_url, token)?;

    let snp = block_storage
        .create_snapshot(volume_id.as_str(), &format!("Srv {} BackUp", srv.id))
        .await?;
    println!(
        "Snapshot \"{}\" ({}) of volume {volume_id}",
        snp.title().unwrap_or_default(),
        snp.id
    );
    // Not in the tutorial: wait until the snapshot is complete before copying it.
    let done = block_storage
        .wait_snapshot_until(snp.id.as_str(), "AVAILABLE", &WaitOptions::default())
        .await?;
    if !done.reached() {
        return Err(ClientError::invalid_argument(
            "the snapshot did not become available",
        ));
    }

    let image_url = astakos.get_endpoint_url(ImageClient::SERVICE_TYPE).await?;
    let plankton = ImageClient::new(&image_url, token)?;

    //  Get location in the form pithos://UUID/CONTAINER/PATH
    let snp_location = plankton
        .get_meta(snp.id.as_str())
        .await?
        .location
        .unwrap_or_default();
    println!("Snapshot location: {snp_location}");

    //  Optional: download to local storage
    let pithos_url = astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await?;
    let location = plankton.get_location(snp.id.as_str()).await?;
    let pithos = PithosClient::new(
        &pithos_url,
        token,
        Some(&location.account),
        Some(&location.container),
    )?;

    let local_destination_path = common::setting("LOCAL_DESTINATION_PATH")
        .unwrap_or_else(|| "server_backup.diskdump".into());
    let done = pithos
        .download_object(
            &location.container,
            &location.object,
            &local_destination_path,
            &DownloadOptions::default(),
        )
        .await?;
    println!(
        "Downloaded {} bytes ({} blocks, each verified) to {local_destination_path}",
        done.bytes, done.blocks
    );
    Ok(())
}
