//! `kamaki-devcloud`: run a local Synnefo cloud on 127.0.0.1 until Ctrl-C.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use kamaki_devcloud::{DevCloud, DevCloudConfig};

/// A local Synnefo cloud (Astakos, Cyclades, Plankton, Pithos) for kamaki.
#[derive(Debug, Parser)]
#[command(name = "kamaki-devcloud", version, about)]
struct Args {
    /// TCP port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Persist blocks and state here (in memory if absent).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Delay of asynchronous transitions (server build, start, stop...), in ms.
    #[arg(long, default_value_t = 1000)]
    build_delay_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let cloud = DevCloud::start(DevCloudConfig {
        port: args.port,
        data_dir: args.data_dir,
        build_delay: Duration::from_millis(args.build_delay_ms),
        ..Default::default()
    })
    .await
    .context("starting kamaki-devcloud")?;
    println!("kamaki-devcloud is running at {}", cloud.base_url());
    println!("auth URL: {}", cloud.auth_url());
    println!("token:    {}", cloud.token());
    for u in cloud.users() {
        println!("user:     {} {} (token {})", u.uuid, u.name, u.token);
    }
    println!();
    println!("Paste into ~/.kamakirc:");
    println!();
    print!("{}", cloud.kamakirc_snippet());
    println!();
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    eprintln!("shutting down");
    cloud.shutdown().await;
    Ok(())
}
