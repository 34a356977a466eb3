//! A `kamaki-devcloud` child process for xtask commands.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// How long the devcloud may take to print its auth URL and token.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the devcloud may take to exit after SIGINT before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Cargo's target directory (`CARGO_TARGET_DIR` or `<root>/target`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// A `kamaki-devcloud` child process, stopped when dropped.
pub struct DevCloudProcess {
    child: Child,
    /// The identity URL to authenticate against.
    pub auth_url: String,
    /// The first user's token.
    pub token: String,
    stopped: bool,
}

impl DevCloudProcess {
    /// Spawns `bin --port 0 --build-delay-ms <build_delay_ms>` and reads the
    /// auth URL and token it prints; its stderr goes to `run_dir/devcloud.log`.
    pub fn start(bin: &Path, run_dir: &Path, build_delay_ms: &str) -> Result<Self> {
        let log =
            File::create(run_dir.join("devcloud.log")).context("cannot create devcloud.log")?;
        let mut child = Command::new(bin)
            .args(["--port", "0", "--build-delay-ms", build_delay_ms])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stdout = child.stdout.take();
        let mut cloud = Self {
            child,
            auth_url: String::new(),
            token: String::new(),
            stopped: false,
        };
        let stdout = stdout.ok_or_else(|| anyhow!("devcloud stdout not captured"))?;
        let (tx, rx) = mpsc::channel();
        // Reads until the process ends, so the pipe never fills up.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        while cloud.auth_url.is_empty() || cloud.token.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("auth URL:") {
                        cloud.auth_url = url.trim().to_owned();
                    } else if let Some(token) = line.strip_prefix("token:") {
                        cloud.token = token.trim().to_owned();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    bail!("devcloud printed no auth URL and token within {START_TIMEOUT:?}")
                }
                Err(RecvTimeoutError::Disconnected) => {
                    bail!(
                        "devcloud exited before printing its auth URL and token (see devcloud.log)"
                    )
                }
            }
        }
        Ok(cloud)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the devcloud: SIGINT (it shuts down cleanly on Ctrl-C), then
    /// SIGKILL after [`STOP_TIMEOUT`].
    pub fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("devcloud pid {pid} ignored SIGINT; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DevCloudProcess {
    fn drop(&mut self) {
        self.stop();
    }
}
