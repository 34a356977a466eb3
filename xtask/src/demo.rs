//! `cargo xtask demo`: the kamaki tutorial ("Creating applications with
//! kamaki API"), translated to Rust, run against a fresh local cloud.
//!
//! It builds `kamaki-devcloud` and the examples of `kamaki-synnefo`, starts
//! the devcloud on 127.0.0.1, puts the files the tutorial expects in the
//! user's Pithos account, then runs Examples 1.1–1.5 and the five scripts,
//! printing what they print. Files it makes land in `target/demo/`.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::pithos::{PithosClient, UploadOptions, UploadSource};

use crate::devcloud::{target_dir, DevCloudProcess};

/// Server builds take this long on the demo cloud (ms), so waits are visible.
const BUILD_DELAY_MS: &str = "300";

/// One step: (title, example name, extra environment).
type Step = (&'static str, &'static str, Vec<(&'static str, String)>);

/// The steps, in order.
fn steps(run_dir: &Path) -> Vec<Step> {
    let backup = run_dir.join("server_backup.diskdump");
    vec![
        (
            "Script: batch-create servers",
            "batch_create_servers",
            vec![],
        ),
        (
            "Examples 1.1-1.5: clients, endpoints, methods, errors",
            "tutorial",
            vec![],
        ),
        (
            "Script: register a bunch of pre-uploaded images",
            "register_images",
            vec![],
        ),
        (
            "Script: two servers and a private network",
            "private_network",
            vec![],
        ),
        (
            "Script: snapshot server and backup",
            "snapshot_backup",
            vec![("LOCAL_DESTINATION_PATH", backup.display().to_string())],
        ),
        (
            "Script: restore server from local snapshot image",
            "restore_server",
            vec![("LOCAL_BACKUP_IMAGE", backup.display().to_string())],
        ),
    ]
}

/// Runs the demo; `args` are the words after `demo`.
pub fn main(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        if matches!(arg.as_str(), "-h" | "--help" | "help") {
            println!("usage: cargo xtask demo\n\nRuns the kamaki tutorial in Rust against a fresh local cloud.");
            return Ok(());
        }
        bail!("unexpected argument {arg:?}");
    }
    let started = Instant::now();
    let root = super::workspace_root();
    let target = target_dir(&root);
    let run_dir = target.join("demo");
    if run_dir.exists() {
        fs::remove_dir_all(&run_dir)
            .with_context(|| format!("cannot clear {}", run_dir.display()))?;
    }
    fs::create_dir_all(&run_dir).with_context(|| format!("cannot create {}", run_dir.display()))?;

    banner("Building the local cloud and the tutorial examples");
    super::run(Command::new(env!("CARGO")).args([
        "build",
        "--quiet",
        "-p",
        "kamaki-devcloud",
        "--bin",
        "kamaki-devcloud",
        "-p",
        "kamaki-synnefo",
        "--examples",
    ]))?;

    let cloud = DevCloudProcess::start(
        &target.join("debug").join("kamaki-devcloud"),
        &run_dir,
        BUILD_DELAY_MS,
    )?;
    banner("Local Synnefo cloud (kamaki-devcloud) is up");
    println!("auth URL: {}", cloud.auth_url);
    println!("token:    {}  (a local test token)", cloud.token);

    banner("Putting the tutorial's files in Pithos");
    prepare(&cloud.auth_url, &cloud.token)?;

    let examples = target.join("debug").join("examples");
    let mut passed = 0;
    let all = steps(&run_dir);
    for (title, example, env) in &all {
        banner(&format!(
            "{title}  (crates/kamaki-synnefo/examples/{example}.rs)"
        ));
        let mut cmd = Command::new(examples.join(example));
        cmd.env("KAMAKI_AUTH_URL", &cloud.auth_url)
            .env("KAMAKI_TOKEN", &cloud.token)
            .current_dir(&run_dir);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let status = cmd
            .status()
            .with_context(|| format!("cannot run example {example}"))?;
        if !status.success() {
            bail!(
                "example {example} failed ({status}); the local cloud's log is in {}",
                run_dir.join("devcloud.log").display()
            );
        }
        passed += 1;
    }
    drop(cloud);
    banner(&format!(
        "Done: {passed} of {} tutorial steps ran on the local cloud in {:.1} s",
        all.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn banner(title: &str) {
    println!("\n=== {title}");
}

/// Uploads what the tutorial's examples list and register: three entries
/// in container `pithos` (as in the tutorial's sample output) and two disk
/// images in container `images`.
fn prepare(auth_url: &str, token: &str) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")?;
    rt.block_on(async {
        let astakos = AstakosClient::new(auth_url, token)?;
        let uuid = astakos.user_info().await?.id;
        let url = astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await?;
        let pithos = PithosClient::new(&url, token, Some(&uuid), None)?;
        let files: [(&str, &str, Vec<u8>); 5] = [
            (
                "pithos",
                "lala.txt",
                b"Lala, a small file in my Pithos.\n\n".to_vec(),
            ),
            ("pithos", "test.txt", pattern(1232)),
            ("pithos", "testDir/", Vec::new()),
            (
                "images",
                "debian-base.diskdump",
                pattern(3 * 1024 * 1024 + 17),
            ),
            ("images", "ubuntu-12.diskdump", pattern(2 * 1024 * 1024 + 5)),
        ];
        for (container, name, data) in files {
            let len = data.len();
            if name.ends_with('/') {
                pithos.create_directory(container, name).await?;
            } else {
                pithos
                    .upload_object(
                        container,
                        name,
                        UploadSource::bytes(data),
                        &UploadOptions::default(),
                    )
                    .await?;
            }
            println!("  {container}/{name} ({len} bytes)");
        }
        Ok::<(), kamaki_synnefo::ClientError>(())
    })
    .map_err(|e| anyhow::anyhow!("preparing the tutorial files failed: {e}"))
}

/// Deterministic bytes of a given length.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}
