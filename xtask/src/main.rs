//! Developer tasks for kamaki-rs: `cargo xtask <task>`.

mod bench;
mod bench_startup;
mod demo;
mod devcloud;
mod pykamaki;
mod suites;

use std::process::Command;

use anyhow::{bail, Context, Result};

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  demo     run the kamaki tutorial walkthrough on the local cloud
  pykamaki run the Python kamaki 0.16 CLI against a fresh devcloud, checking each step
  ci       run what CI runs (bash .ci/run)
  swift-suite [--keep]     run kamaki-openstack's storage tests against a real Swift
                           (xtask/peers/swift.sh), print the figures, stop Swift
  keystone-suite [--keep]  run kamaki-openstack's identity tests against a real Keystone
                           (xtask/peers/keystone.sh), print the figures, stop Keystone
  bench transfers [--runs N]  the Pithos transfer engine vs plain PUT/GET, SHA-256 and
                           Python kamaki on a loopback devcloud (docs/benchmarks.md)
  bench-startup [--runs N] [--no-build] [--check]  cold start of `kamaki --version`
                           (release build) next to `true` and `echo` (docs/benchmarks-cli.md)";

fn main() -> std::process::ExitCode {
    match dispatch() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn dispatch() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    match task.as_str() {
        "demo" => demo::main(&args.collect::<Vec<_>>()),
        "pykamaki" => pykamaki::main(&args.collect::<Vec<_>>()),
        "ci" => run(Command::new("bash").arg(".ci/run")),
        "swift-suite" => suites::swift(&args.collect::<Vec<_>>()),
        "keystone-suite" => suites::keystone(&args.collect::<Vec<_>>()),
        "bench" => bench::main(&args.collect::<Vec<_>>()),
        "bench-startup" => bench_startup::main(&args.collect::<Vec<_>>()),
        "" | "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown task {other:?}\n\n{USAGE}"),
    }
}

pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

pub(crate) fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| ".".into())
}
