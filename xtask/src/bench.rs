//! `cargo xtask bench transfers`: the Pithos transfer engine against plain
//! HTTP transfers of the same bytes to the same loopback server
//! (kamaki-devcloud), measured side by side in one run; medians of several
//! runs. Also the peak memory of 1 GiB and 4 GiB transfers, and the Python
//! kamaki 0.16 client on the same server and file when it can be installed.
//!
//! Every transfer runs in a child process (`xtask bench worker …`, a
//! release build) that times only the transfer itself and reports its peak
//! resident memory (`VmHWM` of `/proc/self/status`). Each upload of new
//! data goes to a freshly started devcloud, so that the server never has
//! the blocks already. Work files live in `target/bench-transfers/`.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde_json::{json, Value};

use crate::devcloud::target_dir;

const USAGE: &str = "usage: cargo xtask bench transfers [options]

Measures the Pithos transfer engine of kamaki-synnefo against plain HTTP
transfers of the same file to the same loopback kamaki-devcloud, and
prints a table (medians of several runs). Builds release binaries first.

options:
  --size-mib N   size of the compared transfers (default 1024)
  --big-mib N    size of the second memory measurement (default 4096)
  --runs N       runs per measurement, the median is shown (default 5)
  --no-python    skip the Python kamaki 0.16 comparison
  --keep         keep the work files in target/bench-transfers/";

const MIB: u64 = 1024 * 1024;
/// Where objects go: every devcloud user has container `pithos`.
const CONTAINER: &str = "pithos";
/// Block requests in flight, kamaki's CLI default.
const CONCURRENCY: usize = 5;
/// The devcloud's block size.
const BLOCK: u64 = 4 * MIB;

/// Runs `xtask bench …`.
pub fn main(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("transfers") => transfers(&args[1..]),
        Some("worker") => worker(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown benchmark {other:?}\n\n{USAGE}"),
    }
}

// ---------------------------------------------------------------------------
// the driver

struct Settings {
    size: u64,
    big: u64,
    runs: usize,
    python: bool,
    keep: bool,
}

fn settings(args: &[String]) -> Result<Settings> {
    let mut s = Settings {
        size: 1024 * MIB,
        big: 4096 * MIB,
        runs: 5,
        python: true,
        keep: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<u64> {
            it.next()
                .ok_or_else(|| anyhow!("{name} needs a value"))?
                .parse()
                .with_context(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--size-mib" => s.size = number("--size-mib")? * MIB,
            "--big-mib" => s.big = number("--big-mib")? * MIB,
            "--runs" => s.runs = usize::try_from(number("--runs")?)?.max(1),
            "--no-python" => s.python = false,
            "--keep" => s.keep = true,
            other => bail!("unexpected argument {other:?}\n\n{USAGE}"),
        }
    }
    ensure!(s.size > 0 && s.big > 0, "sizes must be at least 1 MiB");
    Ok(s)
}

/// One transfer, as a worker reported it.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    secs: f64,
    bytes: u64,
    moved: u64,
    hwm_kib: u64,
}

fn median(samples: &[Sample]) -> Sample {
    let mut v = samples.to_vec();
    v.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    let n = v.len();
    if n == 0 {
        return Sample::default();
    }
    let mut m = v[n / 2];
    if n.is_multiple_of(2) {
        m.secs = (v[n / 2 - 1].secs + v[n / 2].secs) / 2.0;
    }
    m.hwm_kib = v.iter().map(|s| s.hwm_kib).max().unwrap_or(0);
    m
}

fn transfers(args: &[String]) -> Result<()> {
    let cfg = settings(args)?;
    let root = super::workspace_root();
    let target = target_dir(&root);
    let work = target.join("bench-transfers");
    fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let started = Instant::now();
    let load_before = load_average();

    let t = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "xtask",
            "-p",
            "kamaki-devcloud",
        ])
        .current_dir(&root)
        .status()
        .context("cannot run cargo build")?;
    ensure!(status.success(), "the release build failed: {status}");
    let release = target.join("release");
    let bins = Bins {
        xtask: release.join("xtask"),
        devcloud: release.join("kamaki-devcloud"),
    };
    eprintln!("setup  release build ({:.0} s)", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let small = work.join(format!("data-{}m.bin", cfg.size / MIB));
    let big = work.join(format!("data-{}m.bin", cfg.big / MIB));
    make_data(&small, cfg.size, 1)?;
    make_data(&big, cfg.big, 2)?;
    eprintln!("setup  test files ({:.0} s)", t.elapsed().as_secs_f64());

    let mut up = Vec::new();
    let mut put = Vec::new();
    let mut reup = Vec::new();
    let mut sha = Vec::new();
    let mut down = Vec::new();
    let mut get = Vec::new();
    let dst = work.join("download.bin");
    for run in 1..=cfg.runs {
        // new data: a fresh server for each upload
        let cloud = Cloud::start(&bins.devcloud, None, &work)?;
        let u = bins.run(&cloud, "upload", "obj", &small)?;
        ensure!(
            u.moved == cfg.size,
            "the upload sent {} bytes, not all {}",
            u.moved,
            cfg.size
        );
        let r = bins.run(&cloud, "upload", "obj", &small)?;
        ensure!(
            r.moved == 0,
            "the unchanged re-upload sent {} bytes",
            r.moved
        );
        // downloads alternate order so neither always runs second
        let (d, g) = if run % 2 == 1 {
            let d = bins.download(&cloud, "obj", &dst)?;
            let g = bins.get(&cloud, "obj", &dst)?;
            (d, g)
        } else {
            let g = bins.get(&cloud, "obj", &dst)?;
            let d = bins.download(&cloud, "obj", &dst)?;
            (d, g)
        };
        drop(cloud);
        let cloud = Cloud::start(&bins.devcloud, None, &work)?;
        let p = bins.run(&cloud, "put", "obj", &small)?;
        drop(cloud);
        let h = bins.run_local("sha256", &small)?;
        eprintln!(
            "run {run}/{}  upload {:.2} s, plain PUT {:.2} s, re-upload {:.2} s, SHA-256 {:.2} s, download {:.2} s, plain GET {:.2} s",
            cfg.runs, u.secs, p.secs, r.secs, h.secs, d.secs, g.secs
        );
        up.push(u);
        put.push(p);
        reup.push(r);
        sha.push(h);
        down.push(d);
        get.push(g);
    }

    // peak memory of the big file, on a devcloud that keeps blocks on disk
    let data_dir = work.join("devcloud-data");
    let _ = fs::remove_dir_all(&data_dir);
    let cloud = Cloud::start(&bins.devcloud, Some(&data_dir), &work)?;
    let big_up = bins.run(&cloud, "upload", "big", &big)?;
    let big_down = bins.download(&cloud, "big", &dst)?;
    drop(cloud);
    let _ = fs::remove_dir_all(&data_dir);
    let _ = fs::remove_file(&dst);
    eprintln!(
        "big    upload {:.1} s ({} MiB peak), download {:.1} s ({} MiB peak)",
        big_up.secs,
        big_up.hwm_kib / 1024,
        big_down.secs,
        big_down.hwm_kib / 1024
    );

    let python = if cfg.python {
        python_kamaki(&root, &bins, &small, &work)
    } else {
        Err(anyhow!("skipped (--no-python)"))
    };
    if !cfg.keep {
        let _ = fs::remove_dir_all(&work);
    }

    let m = Medians {
        up: median(&up),
        put: median(&put),
        reup: median(&reup),
        sha: median(&sha),
        down: median(&down),
        get: median(&get),
    };
    let load = format!("{load_before} before, {} after", load_average());
    print_table(&cfg, &m, big_up, big_down, &python, &load, started);
    Ok(())
}

struct Medians {
    up: Sample,
    put: Sample,
    reup: Sample,
    sha: Sample,
    down: Sample,
    get: Sample,
}

fn mib_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / MIB as f64 / secs.max(1e-9)
}

fn timing(s: &Sample) -> String {
    format!("{:.2} s ({:.0} MiB/s)", s.secs, mib_s(s.bytes, s.secs))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "NO"
    }
}

fn print_table(
    cfg: &Settings,
    m: &Medians,
    big_up: Sample,
    big_down: Sample,
    python: &Result<(f64, f64)>,
    load: &str,
    started: Instant,
) {
    let size = format!("{} MiB", cfg.size / MIB);
    let big = format!("{} MiB", cfg.big / MIB);
    println!("kamaki-rs transfer benchmark (cargo xtask bench transfers)");
    println!();
    println!("machine: {}", machine());
    println!("load:    1-minute load average {load}");
    println!(
        "server:  kamaki-devcloud on 127.0.0.1 (release build), blocks of {} MiB, sha256; \
         in memory ({size} runs), on disk ({big} runs)",
        BLOCK / MIB
    );
    println!(
        "client:  kamaki-synnefo PithosClient (release build), {CONCURRENCY} block requests in flight; \
         every transfer in its own process; median of {} runs",
        cfg.runs
    );
    println!();
    println!("| measurement | kamaki-rs | baseline | ratio | target | met |");
    println!("|---|---|---|---|---|---|");
    let r = m.put.secs / m.up.secs;
    println!(
        "| upload {size} of new data vs plain PUT | {} | {} | {r:.2}× | ≥ 0.8× | {} |",
        timing(&m.up),
        timing(&m.put),
        verdict(r >= 0.8)
    );
    let r = m.reup.secs / m.sha.secs;
    println!(
        "| re-upload of the unchanged file vs SHA-256 of it on all cores | {} | {} | {r:.2}× | ≤ 1.3× | {} |",
        timing(&m.reup),
        timing(&m.sha),
        verdict(r <= 1.3)
    );
    let r = m.get.secs / m.down.secs;
    println!(
        "| download {size} vs plain GET | {} | {} | {r:.2}× | ≥ 0.9× | {} |",
        timing(&m.down),
        timing(&m.get),
        verdict(r >= 0.9)
    );
    let budget_mib = 64 + CONCURRENCY as u64 * BLOCK / MIB;
    for (what, small, large) in [("upload", m.up, big_up), ("download", m.down, big_down)] {
        let (a, b) = (small.hwm_kib as f64 / 1024.0, large.hwm_kib as f64 / 1024.0);
        println!(
            "| peak memory, {what} {size} → {big} | {a:.0} MiB → {b:.0} MiB | ≤ {budget_mib} MiB (64 MiB + {CONCURRENCY} × {} MiB) | {:.2}× | flat | {} |",
            BLOCK / MIB,
            b / a.max(1.0),
            verdict(b <= budget_mib as f64 && b <= a * 1.25 + 8.0)
        );
    }
    match python {
        Ok((py_up, py_down)) => {
            let r = py_up / m.up.secs;
            println!(
                "| upload {size}: Python kamaki 0.16 (`file upload`) | {} | {py_up:.2} s ({:.0} MiB/s) | {r:.1}× faster | ≥ 10× | {} |",
                timing(&m.up),
                mib_s(cfg.size, *py_up),
                verdict(r >= 10.0)
            );
            let r = py_down / m.down.secs;
            println!(
                "| download {size}: Python kamaki 0.16 (`file download`) | {} | {py_down:.2} s ({:.0} MiB/s) | {r:.1}× faster | ≥ 10× | {} |",
                timing(&m.down),
                mib_s(cfg.size, *py_down),
                verdict(r >= 10.0)
            );
        }
        Err(e) => println!("| Python kamaki 0.16 | – | not measured: {e} | – | ≥ 10× | – |"),
    }
    println!();
    println!(
        "{big} runs: upload {:.1} s, download {:.1} s. Total bench time {:.0} s.",
        big_up.secs,
        big_down.secs,
        started.elapsed().as_secs_f64()
    );
}

fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let sha_ni = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags"))
        .is_some_and(|l| l.split_whitespace().any(|f| f == "sha_ni"));
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    let mem_kib: u64 = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "{model}{}, {cores} cores, {:.0} GiB RAM, Linux {}, {rustc}",
        if sha_ni { " (SHA-NI)" } else { "" },
        mem_kib as f64 / 1024.0 / 1024.0,
        kernel.trim()
    )
}

/// Writes `size` pseudo-random bytes (xorshift, incompressible) unless the
/// file already has that size.
fn make_data(path: &Path, size: u64, seed: u64) -> Result<()> {
    if fs::metadata(path).is_ok_and(|m| m.len() == size) {
        return Ok(());
    }
    let mut out = BufWriter::with_capacity(
        8 * MIB as usize,
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut buf = vec![0u8; MIB as usize];
    let mut left = size;
    while left > 0 {
        for chunk in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(MIB) as usize;
        out.write_all(&buf[..n])?;
        left -= n as u64;
    }
    out.flush()?;
    Ok(())
}

struct Bins {
    xtask: PathBuf,
    devcloud: PathBuf,
}

/// Flushes dirty pages (earlier writes), so that no measurement pays for
/// another's write-back.
fn settle() {
    let _ = Command::new("sync").status();
}

/// The 1-minute load average (other work on the machine skews the figures).
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}

impl Bins {
    fn worker(&self, args: &[&str]) -> Result<Sample> {
        settle();
        let out = Command::new(&self.xtask)
            .args(["bench", "worker"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .context("cannot run the bench worker")?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        ensure!(
            out.status.success(),
            "bench worker {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
            .with_context(|| format!("bench worker printed {stdout:?}"))?;
        Ok(Sample {
            secs: v["secs"].as_f64().unwrap_or(0.0),
            bytes: v["bytes"].as_u64().unwrap_or(0),
            moved: v["moved"].as_u64().unwrap_or(0),
            hwm_kib: v["hwm_kib"].as_u64().unwrap_or(0),
        })
    }

    fn run(&self, cloud: &Cloud, op: &str, object: &str, file: &Path) -> Result<Sample> {
        let file = file.to_string_lossy();
        self.worker(&[
            op,
            "--url",
            &cloud.pithos_url,
            "--token",
            &cloud.token,
            "--account",
            &cloud.account,
            "--object",
            object,
            "--file",
            &file,
        ])
    }

    fn download(&self, cloud: &Cloud, object: &str, dst: &Path) -> Result<Sample> {
        let _ = fs::remove_file(dst);
        self.run(cloud, "download", object, dst)
    }

    fn get(&self, cloud: &Cloud, object: &str, dst: &Path) -> Result<Sample> {
        let _ = fs::remove_file(dst);
        self.run(cloud, "get", object, dst)
    }

    fn run_local(&self, op: &str, file: &Path) -> Result<Sample> {
        self.worker(&[op, "--file", &file.to_string_lossy()])
    }
}

/// A kamaki-devcloud child process, stopped when dropped.
struct Cloud {
    child: Child,
    auth_url: String,
    pithos_url: String,
    token: String,
    account: String,
}

impl Cloud {
    fn start(bin: &Path, data_dir: Option<&Path>, work: &Path) -> Result<Cloud> {
        let log = File::create(work.join("devcloud.log")).context("cannot create devcloud.log")?;
        let mut cmd = Command::new(bin);
        cmd.args(["--port", "0", "--build-delay-ms", "0"]);
        if let Some(d) = data_dir {
            cmd.arg("--data-dir").arg(d);
        }
        let mut child = cmd
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("devcloud stdout not captured"))?;
        let mut cloud = Cloud {
            child,
            auth_url: String::new(),
            pithos_url: String::new(),
            token: String::new(),
            account: String::new(),
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while cloud.pithos_url.is_empty() || cloud.token.is_empty() || cloud.account.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .map_err(|_| anyhow!("the devcloud did not start (see devcloud.log)"))?;
            if let Some(base) = line.strip_prefix("kamaki-devcloud is running at ") {
                cloud.pithos_url = format!("{}/object-store/v1", base.trim());
            } else if let Some(url) = line.strip_prefix("auth URL:") {
                cloud.auth_url = url.trim().to_string();
            } else if let Some(t) = line.strip_prefix("token:") {
                cloud.token = t.trim().to_string();
            } else if let Some(u) = line.strip_prefix("user:") {
                if cloud.account.is_empty() {
                    cloud.account = u.split_whitespace().next().unwrap_or("").to_string();
                }
            }
        }
        Ok(cloud)
    }
}

impl Drop for Cloud {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python kamaki 0.16 CLI (`file upload`, `file download`, its default
/// 5 threads) on the same file and a fresh devcloud: wall-clock seconds.
fn python_kamaki(root: &Path, bins: &Bins, file: &Path, work: &Path) -> Result<(f64, f64)> {
    let script = root.join("xtask").join("peers").join("kamaki-py.sh");
    let t = Instant::now();
    let out = Command::new("bash")
        .arg(&script)
        .arg("install")
        .stdin(Stdio::null())
        .output()
        .context("cannot run kamaki-py.sh")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!(
            "kamaki-py.sh install failed ({})",
            err.lines().last().unwrap_or("no output")
        );
    }
    eprintln!(
        "setup  Python kamaki 0.16 ({:.0} s)",
        t.elapsed().as_secs_f64()
    );
    let cloud = Cloud::start(&bins.devcloud, None, work)?;
    let config = work.join("kamakirc");
    fs::write(
        &config,
        format!(
            "# Kamaki configuration file v0.16\n[global]\ndefault_cloud = devcloud\n\
             history_file = {}\nlog_file = {}\n\n[cloud \"devcloud\"]\nurl = {}\ntoken = {}\n",
            work.join("kamaki.history").display(),
            work.join("kamaki.log").display(),
            cloud.auth_url,
            cloud.token
        ),
    )?;
    let kamaki = |args: &[&str]| -> Result<f64> {
        let t = Instant::now();
        let out = Command::new("bash")
            .arg(&script)
            .arg("run")
            .args(args)
            .env("KAMAKI_CONFIG", &config)
            .stdin(Stdio::null())
            .output()
            .context("cannot run kamaki")?;
        let secs = t.elapsed().as_secs_f64();
        ensure!(
            out.status.success(),
            "kamaki {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        Ok(secs)
    };
    let up = kamaki(&["file", "upload", &file.to_string_lossy(), "/pithos/py.bin"])?;
    let dst = work.join("py-download.bin");
    let _ = fs::remove_file(&dst);
    let down = kamaki(&["file", "download", "/pithos/py.bin", &dst.to_string_lossy()])?;
    ensure!(
        same_content(file, &dst)?,
        "kamaki's download differs from the file"
    );
    let _ = fs::remove_file(&dst);
    eprintln!("python upload {up:.1} s, download {down:.1} s");
    Ok((up, down))
}

fn same_content(a: &Path, b: &Path) -> Result<bool> {
    use std::io::Read;
    let (mut fa, mut fb) = (File::open(a)?, File::open(b)?);
    if fa.metadata()?.len() != fb.metadata()?.len() {
        return Ok(false);
    }
    let (mut ba, mut bb) = (vec![0u8; MIB as usize], vec![0u8; MIB as usize]);
    loop {
        let n = fa.read(&mut ba)?;
        if n == 0 {
            return Ok(true);
        }
        fb.read_exact(&mut bb[..n])?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

// ---------------------------------------------------------------------------
// the worker: one transfer in a fresh process

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn vm_hwm_kib() -> u64 {
    fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn worker(args: &[String]) -> Result<()> {
    let op = args.first().map(String::as_str).unwrap_or("");
    let file = PathBuf::from(flag(args, "--file").ok_or_else(|| anyhow!("--file is required"))?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (secs, bytes, moved) = if op == "sha256" {
        sha256_all_cores(&file)?
    } else {
        let need = |name: &str| flag(args, name).ok_or_else(|| anyhow!("{name} is required"));
        let pithos = kamaki_synnefo::pithos::PithosClient::new(
            need("--url")?,
            need("--token")?,
            Some(need("--account")?),
            None,
        )?;
        let object = need("--object")?;
        let concurrency = match flag(args, "--concurrency") {
            Some(n) => n.parse().context("--concurrency needs a number")?,
            None => CONCURRENCY,
        };
        rt.block_on(transfer(&pithos, op, object, &file, concurrency))?
    };
    println!(
        "{}",
        json!({"op": op, "secs": secs, "bytes": bytes, "moved": moved, "hwm_kib": vm_hwm_kib()})
    );
    Ok(())
}

async fn transfer(
    pithos: &kamaki_synnefo::pithos::PithosClient,
    op: &str,
    object: &str,
    file: &Path,
    concurrency: usize,
) -> Result<(f64, u64, u64)> {
    use futures::StreamExt;
    use kamaki_synnefo::pithos::{
        DownloadOptions, GetObjectOptions, PutObjectOptions, UploadOptions, UploadSource,
    };
    use tokio::io::AsyncWriteExt;

    let t = Instant::now();
    let (bytes, moved) = match op {
        "upload" => {
            let opts = UploadOptions {
                concurrency,
                ..Default::default()
            };
            let out = pithos
                .upload_object(CONTAINER, object, UploadSource::path(file), &opts)
                .await?;
            (out.bytes, out.uploaded_bytes)
        }
        "put" => {
            let f = tokio::fs::File::open(file).await?;
            let len = f.metadata().await?.len();
            let reader = tokio::io::BufReader::with_capacity(4 * MIB as usize, f);
            pithos
                .put_object(
                    CONTAINER,
                    object,
                    kamaki_core::Body::from_reader(reader, Some(len)),
                    &PutObjectOptions::default(),
                )
                .await?;
            (len, len)
        }
        "download" => {
            let opts = DownloadOptions {
                concurrency,
                ..Default::default()
            };
            let out = pithos
                .download_object(CONTAINER, object, file, &opts)
                .await?;
            (out.bytes, out.fetched_bytes)
        }
        "get" => {
            let mut d = pithos
                .get_object(CONTAINER, object, &GetObjectOptions::default())
                .await?;
            let f = tokio::fs::File::create(file).await?;
            let mut w = tokio::io::BufWriter::with_capacity(4 * MIB as usize, f);
            let mut n = 0u64;
            while let Some(chunk) = d.stream.next().await {
                let chunk = chunk?;
                n += chunk.len() as u64;
                w.write_all(&chunk).await?;
            }
            w.flush().await?;
            w.into_inner().sync_all().await?;
            (n, n)
        }
        other => bail!("unknown worker operation {other:?}"),
    };
    Ok((t.elapsed().as_secs_f64(), bytes, moved))
}

/// SHA-256 of every 4 MiB block of the file on all cores (positional reads,
/// one thread per core): the floor for hashing a file.
fn sha256_all_cores(file: &Path) -> Result<(f64, u64, u64)> {
    use sha2::{Digest, Sha256};
    use std::os::unix::fs::FileExt;

    let t = Instant::now();
    let f = File::open(file)?;
    let size = f.metadata()?.len();
    let blocks = size.div_ceil(BLOCK);
    let threads =
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get) as u64;
    let digests = std::thread::scope(|s| -> Result<u64> {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let f = &f;
                s.spawn(move || -> std::io::Result<u64> {
                    let mut buf = vec![0u8; BLOCK as usize];
                    let mut n = 0u64;
                    let mut i = k;
                    while i < blocks {
                        let off = i * BLOCK;
                        let len = (size - off).min(BLOCK) as usize;
                        f.read_exact_at(&mut buf[..len], off)?;
                        std::hint::black_box(Sha256::digest(&buf[..len]));
                        n += 1;
                        i += threads;
                    }
                    Ok(n)
                })
            })
            .collect();
        let mut total = 0;
        for h in handles {
            total += h
                .join()
                .map_err(|_| anyhow!("a hashing thread panicked"))??;
        }
        Ok(total)
    })?;
    ensure!(digests == blocks, "hashed {digests} of {blocks} blocks");
    Ok((t.elapsed().as_secs_f64(), size, 0))
}
