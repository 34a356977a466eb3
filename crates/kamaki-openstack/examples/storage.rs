//! Lists containers and objects; with a container name, also uploads a small
//! object, reads it back (verified), and deletes it.
//!
//! ```text
//! # a storage URL that holds the account (Swift), or an identity URL:
//! KAMAKI_URL=http://127.0.0.1:8080/v1/AUTH_test KAMAKI_TOKEN=... \
//!     cargo run -p kamaki-openstack --example storage [container]
//! # Swift's own v1 authentication:
//! SWIFT_AUTH_URL=http://127.0.0.1:8080/auth/v1.0 SWIFT_USER=test:tester SWIFT_KEY=testing \
//!     cargo run -p kamaki-openstack --example storage [container]
//! ```
//!
//! With an identity URL, the object-store endpoint comes from the catalog;
//! when it has no account (Pithos), the account is the user's id.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use kamaki_openstack::identity::IdentityClient;
use kamaki_openstack::storage::{
    swift_v1_auth, DownloadOptions, ListObjectsOptions, PutOptions, ReadOptions, StorageClient,
    UploadSource,
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

async fn client() -> Result<StorageClient, ClientError> {
    if let (Ok(url), Ok(user), Ok(key)) =
        (env("SWIFT_AUTH_URL"), env("SWIFT_USER"), env("SWIFT_KEY"))
    {
        let auth = swift_v1_auth(&url, &user, &key).await?;
        return StorageClient::new(&auth.storage_url, auth.token);
    }
    let url = env("KAMAKI_URL")?;
    let token = env("KAMAKI_TOKEN")?;
    if url.contains("/v1/") || url.contains("object-store") {
        return StorageClient::new(&url, token);
    }
    let identity = IdentityClient::new(&url, token.as_str())?;
    let auth = identity.authenticate().await?;
    let endpoint = auth.catalog.get_endpoint_url(StorageClient::SERVICE_TYPE)?;
    let storage = StorageClient::with_http(&endpoint, identity.http().clone())?;
    Ok(match storage.account() {
        Some(_) => storage,
        None => storage.with_account(auth.user.id),
    })
}

async fn run() -> Result<(), ClientError> {
    let s = client().await?;
    let account = s.get_account_info().await?;
    println!(
        "account {}: {} containers, {} bytes",
        s.account().unwrap_or("-"),
        account.container_count,
        account.bytes
    );
    let containers = s.list_containers(Default::default()).await?;
    for c in &containers {
        if let Some(c) = c.item() {
            println!(
                "  {:<30} {:>8} objects {:>14} bytes",
                c.name, c.count, c.bytes
            );
        }
    }
    let Some(container) = std::env::args().nth(1) else {
        return Ok(());
    };
    s.create_container(&container, &Default::default()).await?;
    let name = "kamaki-rs-example/hello.txt";
    let put = PutOptions {
        content_type: Some("text/plain".into()),
        meta: BTreeMap::from([("Example".into(), "storage.rs".into())]),
        ..Default::default()
    };
    let r = s
        .put_object(
            &container,
            name,
            UploadSource::bytes("hello from kamaki-rs\n"),
            &put,
        )
        .await?;
    println!(
        "uploaded {container}/{name}: {} bytes, MD5 {}",
        r.bytes, r.md5
    );
    let listing = ListObjectsOptions {
        limit: Some(100),
        ..Default::default()
    };
    let names: Vec<String> = s
        .objects(&container, listing)
        .map_ok(|o| o.name().to_string())
        .try_collect()
        .await?;
    println!("{} objects in {container}:", names.len());
    for n in names.iter().take(20) {
        println!("  {n}");
    }
    let text = s
        .get_object_bytes(&container, name, &ReadOptions::default())
        .await?;
    print!("read back: {}", String::from_utf8_lossy(&text));
    let mut out = Vec::new();
    let report = s
        .download_object_to_writer(&container, name, &mut out, &DownloadOptions::default())
        .await?;
    println!("verified: {:?}", report.verification);
    s.delete_object(&container, name).await?;
    println!("deleted {container}/{name}");
    Ok(())
}
