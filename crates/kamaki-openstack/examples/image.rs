//! Lists the images the user can see, or shows where one image is stored
//! (as the tutorial's "snapshot server and backup" script does).
//!
//! ```text
//! KAMAKI_URL=https://accounts.example.org/identity/v2.0 KAMAKI_TOKEN=... \
//!     cargo run -p kamaki-openstack --example image [image id]
//! ```
//!
//! `KAMAKI_URL` is the identity (authentication) URL, whose catalog gives
//! the image endpoint, or an image endpoint itself (a URL containing `image`).

use kamaki_core::{HttpClient, Token};
use kamaki_openstack::identity::IdentityClient;
use kamaki_openstack::image::{ImageClient, ListImagesOptions, PithosLocation};
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
    let (url, http) = endpoint(ImageClient::SERVICE_TYPE, "image").await?;
    let images = ImageClient::with_http(&url, http)?;

    if let Some(image_id) = std::env::args().nth(1) {
        let meta = images.get_meta(&image_id).await?;
        println!("{} {}", meta.id, meta.name.as_deref().unwrap_or(""));
        println!("  status: {}", meta.status);
        if let Some(loc) = meta.location.as_deref() {
            let loc = PithosLocation::parse(loc)?;
            println!(
                "  account {}, container {}, object {}",
                loc.account, loc.container, loc.object
            );
        }
        for (k, v) in &meta.properties {
            println!("  {k}: {v}");
        }
        return Ok(());
    }

    let list = images
        .list_public(&ListImagesOptions {
            detail: true,
            ..Default::default()
        })
        .await?;
    for img in &list {
        println!(
            "{} {} [{}] {} bytes{}",
            img.id,
            img.name,
            img.status,
            img.size.unwrap_or(0),
            if img.is_snapshot == Some(true) {
                " (snapshot)"
            } else {
                ""
            }
        );
    }
    Ok(())
}
