//! `cargo xtask swift-suite` and `cargo xtask keystone-suite`: start a real
//! server with `xtask/peers/<peer>.sh start`, run the ignored integration
//! tests of kamaki-openstack against it, print the figures they measured,
//! and stop the server again (unless it was already running before).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// One suite: which peer script starts the server, which test binary runs.
struct Suite {
    peer: &'static str,
    /// The test binaries (each run with `--ignored`).
    tests: &'static [&'static str],
}

const SWIFT: Suite = Suite {
    peer: "swift",
    // the storage suite of kamaki-openstack, the storage conformance
    // suite of the end-to-end tests, and the kamaki CLI's container and
    // file commands
    tests: &["real_swift", "storage_conformance", "real_swift_cli"],
};
const KEYSTONE: Suite = Suite {
    peer: "keystone",
    tests: &["real_keystone"],
};

/// `cargo xtask swift-suite [--keep]`.
pub fn swift(args: &[String]) -> Result<()> {
    run_suite(&SWIFT, args)
}

/// `cargo xtask keystone-suite [--keep]`.
pub fn keystone(args: &[String]) -> Result<()> {
    run_suite(&KEYSTONE, args)
}

/// Undoes `printf %q` quoting of the simple kind the peer scripts print.
fn unquote(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return inner.to_string();
    }
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses `export NAME=value` lines.
fn parse_exports(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), unquote(v)))
        .collect()
}

fn peer_script(root: &Path, peer: &str) -> std::path::PathBuf {
    root.join("xtask").join("peers").join(format!("{peer}.sh"))
}

fn peer_running(root: &Path, peer: &str) -> bool {
    Command::new("bash")
        .arg(peer_script(root, peer))
        .arg("status")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn start_peer(root: &Path, peer: &str) -> Result<BTreeMap<String, String>> {
    let script = peer_script(root, peer);
    if !script.exists() {
        bail!("{} is missing", script.display());
    }
    let out = Command::new("bash")
        .arg(&script)
        .arg("start")
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !out.status.success() {
        bail!("{} start failed: {}", script.display(), out.status);
    }
    Ok(parse_exports(&String::from_utf8_lossy(&out.stdout)))
}

/// Stops the peer when dropped, if this run started it.
struct StopGuard<'a> {
    root: &'a Path,
    peer: &'static str,
    active: bool,
}

impl Drop for StopGuard<'_> {
    fn drop(&mut self) {
        if !self.active {
            eprintln!(
                "[xtask] {} was already running before this suite: left running",
                self.peer
            );
            return;
        }
        let status = Command::new("bash")
            .arg(peer_script(self.root, self.peer))
            .arg("stop")
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("[xtask] stopping {} failed: {status:?}", self.peer);
        }
    }
}

fn run_suite(suite: &Suite, args: &[String]) -> Result<()> {
    let keep = args.iter().any(|a| a == "--keep");
    if let Some(other) = args.iter().find(|a| a.as_str() != "--keep") {
        bail!("unknown argument {other:?} (only --keep: leave the server running)");
    }
    let root = crate::workspace_root();
    let started = Instant::now();
    let was_running = peer_running(&root, suite.peer);
    eprintln!(
        "[xtask] starting {} (xtask/peers/{}.sh start)",
        suite.peer, suite.peer
    );
    let t = Instant::now();
    let guard = StopGuard {
        root: &root,
        peer: suite.peer,
        active: !was_running && !keep,
    };
    let exports = start_peer(&root, suite.peer)?;
    let startup = t.elapsed();
    if exports.is_empty() {
        bail!("{}.sh start printed no export lines", suite.peer);
    }

    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(&root)
        // `--workspace` resolves features as the workspace build does, so
        // after `cargo test --workspace` (CI) nothing is rebuilt; only the
        // packages having this test target are built.
        .args(["test", "--workspace"])
        .args(suite.tests.iter().flat_map(|t| ["--test", t]))
        .args(["--", "--ignored", "--test-threads=1", "--nocapture"])
        .envs(&exports)
        .stdout(Stdio::piped());
    eprintln!("[xtask] running {cmd:?}");
    let t = Instant::now();
    let mut child = cmd.spawn().context("cannot run cargo test")?;
    let mut figures = Vec::new();
    let mut result_lines = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.context("cannot read the test output")?;
            println!("{line}");
            if let Some(f) = line.find("FIGURE ") {
                figures.push(line[f + 7..].to_string());
            }
            if line.starts_with("test result:") {
                result_lines.push(line.clone());
            }
        }
    }
    let status = child.wait().context("cargo test did not finish")?;
    let tests_time = t.elapsed();
    drop(guard);

    println!();
    println!("== {} suite figures", suite.peer);
    println!(
        "{} start-up (install if needed, start, wait): {:.1} s",
        suite.peer,
        startup.as_secs_f64()
    );
    for f in &figures {
        println!("{f}");
    }
    println!("test binaries: {}", suite.tests.join(", "));
    for r in &result_lines {
        println!("{r}");
    }
    println!(
        "test binary {:.1} s, whole suite {:.1} s",
        tests_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    if !status.success() {
        bail!("the {} suite failed: {status}", suite.peer);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_parsed_and_unquoted() {
        let text = "export SWIFT_AUTH_URL=http://127.0.0.1:8080/auth/v1.0\n\
                    export SWIFT_USER=test:tester\n\
                    noise\n\
                    export A=hello\\ world\n\
                    export B='x y'\n";
        let e = parse_exports(text);
        assert_eq!(e["SWIFT_AUTH_URL"], "http://127.0.0.1:8080/auth/v1.0");
        assert_eq!(e["SWIFT_USER"], "test:tester");
        assert_eq!(e["A"], "hello world");
        assert_eq!(e["B"], "x y");
        assert_eq!(e.len(), 4);
    }
}
