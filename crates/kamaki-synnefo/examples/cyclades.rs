//! Cyclades, Plankton and friends, as in the tutorial's scripts.
//!
//! ```text
//! KAMAKI_URL=https://accounts.example.org/identity/v2.0 KAMAKI_TOKEN=... \
//!     cargo run -p kamaki-synnefo --example cyclades [demo]
//! ```
//!
//! `KAMAKI_URL` is the identity (authentication) URL; the compute, network,
//! volume and image endpoints come from the token's catalog.
//!
//! Without arguments the example only reads: servers, flavors, networks,
//! floating IPs, volumes and snapshots. With `demo` it creates and then
//! removes resources (and is charged to the default project):
//! a private `MAC_FILTERED` network, a server on it (flavor `KAMAKI_FLAVOR`
//! or the smallest, image `KAMAKI_IMAGE` or the first), waits for it, shows
//! its console and NICs, snapshots its root volume, asks Plankton where the
//! snapshot is stored, and cleans up. Set `KAMAKI_KEEP=1` to keep them.

use kamaki_core::WaitOptions;
use kamaki_openstack::compute::{ListServersOptions, NetworkRequest, ServerStatus};
use kamaki_openstack::network::ListNetworksOptions;
use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::cyclades::{
    ConsoleType, CreateNetworkOptions, CreateServer, CycladesBlockStorageClient, CycladesClient,
    CycladesNetworkClient, FinalStatus, ListFlavorsOptions, NetworkType, SynnefoServer,
};
use kamaki_synnefo::plankton::{ImageClient, PlanktonExt};
use kamaki_synnefo::ClientError;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("{}", e.message.trim_end());
        if e.status != 0 {
            eprintln!("|  error code: {}", e.status);
        }
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

struct Clients {
    compute: CycladesClient,
    network: CycladesNetworkClient,
    volumes: CycladesBlockStorageClient,
    images: ImageClient,
}

async fn connect() -> Result<Clients, ClientError> {
    let url = env("KAMAKI_URL")?;
    let token = env("KAMAKI_TOKEN")?;
    let astakos = AstakosClient::new(&url, token.as_str())?;
    let http = astakos.http().clone();
    let endpoint = |t: &'static str| {
        let astakos = &astakos;
        async move { astakos.get_endpoint_url(t).await }
    };
    Ok(Clients {
        compute: CycladesClient::with_http(
            &endpoint(CycladesClient::SERVICE_TYPE).await?,
            http.clone(),
        )?,
        network: CycladesNetworkClient::with_http(
            &endpoint(CycladesNetworkClient::SERVICE_TYPE).await?,
            http.clone(),
        )?,
        volumes: CycladesBlockStorageClient::with_http(
            &endpoint(CycladesBlockStorageClient::SERVICE_TYPE).await?,
            http.clone(),
        )?,
        images: ImageClient::with_http(&endpoint(ImageClient::SERVICE_TYPE).await?, http)?,
    })
}

async fn run() -> Result<(), ClientError> {
    let c = connect().await?;
    match std::env::args().nth(1).as_deref() {
        None => show(&c).await,
        Some("demo") => demo(&c).await,
        Some(other) => Err(ClientError::invalid_argument(format!(
            "unknown argument {other:?} (use nothing or \"demo\")"
        ))),
    }
}

async fn show(c: &Clients) -> Result<(), ClientError> {
    let detail = ListServersOptions {
        detail: true,
        ..Default::default()
    };
    println!("Servers:");
    for s in c.compute.list_servers(&detail).await? {
        let os = s.metadata.get("os").map(String::as_str).unwrap_or("?");
        println!(
            "  {} {} ({}, OS: {os}) volumes {:?}",
            s.id,
            s.name,
            s.status,
            s.volumes()
        );
    }
    println!("Flavors:");
    let flavors = ListFlavorsOptions {
        detail: true,
        ..Default::default()
    };
    for f in c.compute.list_flavors(&flavors).await? {
        println!(
            "  {} {} ({} CPU, {} MiB, {} GiB)",
            f.id,
            f.name,
            f.vcpus.unwrap_or(0),
            f.ram.unwrap_or(0),
            f.disk.unwrap_or(0)
        );
    }
    println!("Networks:");
    let nets = ListNetworksOptions {
        detail: true,
        ..Default::default()
    };
    for n in c.network.list_networks(&nets).await? {
        let kind = n.extra.get("type").and_then(|t| t.as_str()).unwrap_or("?");
        println!("  {} {} ({kind}, {})", n.id, n.name, n.status);
    }
    println!("Floating IPs:");
    for ip in c.network.list_floatingips().await? {
        let port = ip.port_id.map(|p| p.to_string()).unwrap_or_default();
        println!(
            "  {} {} port {port}",
            ip.id,
            ip.floating_ip_address.unwrap_or_default()
        );
    }
    println!("Volumes:");
    for v in c.volumes.list_volumes(&Default::default()).await? {
        println!("  {} {}", v.id, v.title().unwrap_or_default());
    }
    println!("Snapshots:");
    for s in c.volumes.list_snapshots(&Default::default()).await? {
        println!(
            "  {} {} ({})",
            s.id,
            s.title().unwrap_or_default(),
            s.status
        );
    }
    Ok(())
}

async fn demo(c: &Clients) -> Result<(), ClientError> {
    let keep = std::env::var_os("KAMAKI_KEEP").is_some();
    let flavor_id = match std::env::var("KAMAKI_FLAVOR") {
        Ok(f) => f,
        Err(_) => {
            let opts = ListFlavorsOptions {
                detail: true,
                ..Default::default()
            };
            let mut flavors = c.compute.list_flavors(&opts).await?;
            flavors.sort_by_key(|f| (f.vcpus, f.ram, f.disk));
            flavors
                .first()
                .map(|f| f.id.to_string())
                .ok_or_else(|| ClientError::invalid_argument("no flavor available"))?
        }
    };
    let image_id = match std::env::var("KAMAKI_IMAGE") {
        Ok(i) => i,
        Err(_) => c
            .compute
            .list_images(&Default::default())
            .await?
            .first()
            .map(|i| i.id.to_string())
            .ok_or_else(|| ClientError::invalid_argument("no image available"))?,
    };

    let net = c
        .network
        .create_network(
            NetworkType::MacFiltered,
            "kamaki-rs example network",
            &CreateNetworkOptions::default(),
        )
        .await?;
    println!("network {} ({})", net.id, net.status);

    let srv = c
        .compute
        .create_server(&CreateServer {
            networks: Some(vec![NetworkRequest::network(net.id.as_str())]),
            ..CreateServer::new("kamaki-rs example server", flavor_id.as_str(), image_id)
        })
        .await?;
    println!(
        "server {} created, password {}",
        srv.id,
        srv.admin_pass.as_deref().unwrap_or("-")
    );
    let opts = WaitOptions::default();
    let state = c
        .compute
        .wait_server_with(
            srv.id.as_str(),
            &opts,
            |s| {
                if s.status == ServerStatus::Build {
                    kamaki_core::WaitCheck::Continue
                } else {
                    kamaki_core::WaitCheck::Reached
                }
            },
            |s| println!("  {} {}%", s.status, s.progress.unwrap_or(0)),
        )
        .await?;
    println!("server {} is {}", srv.id, state.final_status());

    if state.final_status() == ServerStatus::Active {
        let console = c
            .compute
            .get_server_console(srv.id.as_str(), ConsoleType::Vnc)
            .await?;
        println!(
            "console {}:{}",
            console.host.unwrap_or_default(),
            console.port.unwrap_or(0)
        );
        let details = c.compute.get_server_details(srv.id.as_str()).await?;
        for nic in details.attachments() {
            println!(
                "  NIC {} on network {} ipv4 {}",
                nic.id,
                nic.network_id.map(|n| n.to_string()).unwrap_or_default(),
                nic.ipv4.unwrap_or_default()
            );
        }
        if let Some(volume_id) = details.volumes().first() {
            let name = format!("Srv {} BackUp", srv.id);
            match c.volumes.create_snapshot(volume_id.as_str(), &name).await {
                Ok(snp) => {
                    let done = c
                        .volumes
                        .wait_snapshot_until(snp.id.as_str(), "AVAILABLE", &opts)
                        .await?;
                    println!("snapshot {} reached AVAILABLE: {}", snp.id, done.reached());
                    let loc = c.images.get_location(snp.id.as_str()).await?;
                    println!(
                        "  stored in account {} container {} as {:?}",
                        loc.account, loc.container, loc.object
                    );
                    if !keep {
                        c.volumes.delete_snapshot(snp.id.as_str()).await?;
                    }
                }
                Err(e) => println!("no snapshot: {}", e.message.trim_end()),
            }
        }
    }

    if keep {
        return Ok(());
    }
    c.compute.delete_server(srv.id.as_str()).await?;
    let gone = c
        .compute
        .wait_server_deleted(srv.id.as_str(), &opts)
        .await?;
    println!("server {}: {}", srv.id, gone.final_status());
    c.network.delete_network(net.id.as_str()).await?;
    println!("network {} deleted", net.id);
    Ok(())
}
