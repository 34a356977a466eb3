//! The tutorial's script "Register a bunch of pre-uploaded images", in Rust.
//!
//! Every object of the container `images` in the user's Pithos account is
//! registered as an image; the location is given as a `(uuid, container,
//! path)` triplet (a `pithos://uuid/container/path` URL works the same).

mod common;

use std::process::ExitCode;

use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::pithos::PithosClient;
use kamaki_synnefo::plankton::{ImageClient, PlanktonExt, RegisterOptions};
use kamaki_synnefo::ClientError;

const IMAGE_CONTAINER: &str = "images";

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
    let user_uuid = astakos.user_info().await?.id;

    let pithos_url = astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await?;
    let pithos = PithosClient::new(&pithos_url, token, Some(&user_uuid), Some(IMAGE_CONTAINER))?;

    let image_url = astakos.get_endpoint_url(ImageClient::SERVICE_TYPE).await?;
    let plankton = ImageClient::new(&image_url, token)?;

    for img in pithos.list_objects().await? {
        let image_path = img.name().to_string();
        match plankton
            .register_location(
                &format!("Image {image_path}"),
                (user_uuid.as_str(), IMAGE_CONTAINER, image_path.as_str()),
                &RegisterOptions::default(),
            )
            .await
        {
            Ok(r) => println!(
                "Image {} registered with id {}",
                r.name.unwrap_or_default(),
                r.id
            ),
            Err(_) => println!("Failed to register image {image_path}"),
        }
    }
    Ok(())
}
