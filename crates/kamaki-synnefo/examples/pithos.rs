//! Lists the objects of a Pithos container, like the tutorial's example 1.4.
//!
//! ```text
//! KAMAKI_URL=https://accounts.example.org/identity/v2.0 KAMAKI_TOKEN=... \
//!     cargo run -p kamaki-synnefo --example pithos [container]
//! ```
//!
//! `KAMAKI_URL` is either the identity (authentication) URL — the
//! object-store endpoint and the account (user UUID) then come from the
//! token's catalog — or an object-store URL (one containing `object-store`),
//! with the account in `KAMAKI_ACCOUNT` (or at the end of the URL). The
//! container is the first argument, `KAMAKI_CONTAINER`, or `pithos`.

use kamaki_openstack::identity::IdentityClient;
use kamaki_synnefo::pithos::PithosClient;
use kamaki_synnefo::ClientError;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("{}", e.message.trim_end());
        for d in &e.details {
            eprintln!("|  {d}");
        }
        std::process::exit(1);
    }
}

fn env(name: &str) -> Result<String, ClientError> {
    std::env::var(name)
        .map_err(|_| ClientError::invalid_argument(format!("Set {name} in the environment")))
}

async fn run() -> Result<(), ClientError> {
    let url = env("KAMAKI_URL")?;
    let token = env("KAMAKI_TOKEN")?;
    let container = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("KAMAKI_CONTAINER").ok())
        .unwrap_or_else(|| "pithos".to_string());

    let mut pithos = if url.contains("object-store") {
        let mut p = PithosClient::new(&url, token.as_str(), None, None)?;
        if let Ok(account) = std::env::var("KAMAKI_ACCOUNT") {
            p.set_account(account);
        }
        p
    } else {
        let identity = IdentityClient::new(&url, token.as_str())?;
        let auth = identity.authenticate().await?;
        let endpoint = auth.catalog.get_endpoint_url(PithosClient::SERVICE_TYPE)?;
        let mut p = PithosClient::with_http(&endpoint, identity.http().clone())?;
        p.set_account(auth.user.id);
        p
    };
    pithos.set_container(container);

    let objects = pithos.list_objects().await?;
    println!(
        "Objects in container '{}':",
        pithos.default_container().unwrap_or_default()
    );
    for obj in objects {
        match obj.item() {
            Some(o) => println!("  {} of {} bytes", o.name, o.bytes),
            None => println!("  {} (directory)", obj.name()),
        }
    }
    Ok(())
}
