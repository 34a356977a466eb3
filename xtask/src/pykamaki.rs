//! `cargo xtask pykamaki`: the real Python kamaki 0.16 CLI against a fresh
//! kamaki-devcloud, one checked step after another.
//!
//! Everything the run produces lands in `target/pykamaki/`: the kamaki config,
//! kamaki's own log (headers of every HTTP exchange), the devcloud log, and one
//! transcript per step (`NN-<words>.log`: command line, exit status, stdout,
//! stderr and the HTTP exchanges of that call, with bodies except for file
//! transfers). A failing step prints the path of its transcript.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use anyhow::{anyhow, bail, ensure, Context, Result};

use crate::devcloud::{target_dir, DevCloudProcess};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Size of the uploaded object: two full 4 MiB Pithos blocks and a partial one.
const OBJECT_SIZE: usize = 10 * 1024 * 1024;
/// The Pithos block size the devcloud announces (and kamaki uses).
const BLOCK_SIZE: usize = 4 * 1024 * 1024;
/// Where the object goes: container `pithos` (every Synnefo account has it).
const REMOTE_PATH: &str = "/pithos/pykamaki/random-10MiB.bin";
/// Delay of asynchronous devcloud transitions (server build), in ms.
const BUILD_DELAY_MS: &str = "200";
/// A CA bundle for kamaki's `ca_certs` (silences its "insecure" warning).
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

const USAGE: &str = "usage: cargo xtask pykamaki

Builds and starts a fresh kamaki-devcloud, installs the Python kamaki 0.16
(xtask/peers/kamaki-py.sh) and runs its CLI against the devcloud, checking
every answer. Prints PASS/FAIL per step and a summary; exits non-zero if any
step fails. Transcripts: target/pykamaki/.";

/// Runs the task; `args` are the words after `pykamaki`.
pub fn main(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        if matches!(arg.as_str(), "-h" | "--help" | "help") {
            println!("{USAGE}");
            return Ok(());
        }
        bail!("unexpected argument {arg:?}\n\n{USAGE}");
    }
    let root = super::workspace_root();
    let target = target_dir(&root);
    let run_dir = target.join("pykamaki");
    if run_dir.exists() {
        fs::remove_dir_all(&run_dir)
            .with_context(|| format!("cannot clear {}", run_dir.display()))?;
    }
    fs::create_dir_all(&run_dir).with_context(|| format!("cannot create {}", run_dir.display()))?;
    let started = Instant::now();

    let t = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "-p",
            "kamaki-devcloud",
            "--bin",
            "kamaki-devcloud",
        ])
        .current_dir(&root)
        .status()
        .context("cannot run cargo build")?;
    ensure!(
        status.success(),
        "building kamaki-devcloud failed: {status}"
    );
    println!("setup  built kamaki-devcloud ({})", secs(t));

    let t = Instant::now();
    let cloud = DevCloudProcess::start(
        &target.join("debug").join("kamaki-devcloud"),
        &run_dir,
        BUILD_DELAY_MS,
    )?;
    println!(
        "setup  devcloud pid {} at {} ({})",
        cloud.pid(),
        cloud.auth_url,
        secs(t)
    );

    let script = root.join("xtask").join("peers").join("kamaki-py.sh");
    let t = Instant::now();
    let status = Command::new("bash")
        .arg(&script)
        .arg("install")
        .current_dir(&root)
        .stdin(Stdio::null())
        .status()
        .context("cannot run kamaki-py.sh install")?;
    ensure!(status.success(), "kamaki-py.sh install failed: {status}");
    println!("setup  Python kamaki 0.16 installed ({})", secs(t));

    let kamaki = Kamaki::new(script, &run_dir, &cloud.auth_url, &cloud.token)?;
    let mut report = Report::default();
    run_steps(&kamaki, &cloud.token, &run_dir, &mut report);

    let t = Instant::now();
    let pid = cloud.pid();
    drop(cloud);
    println!("setup  devcloud pid {pid} stopped ({})", secs(t));

    report.summary(started)
}

/// The checked steps, in order; later steps use ids found by earlier ones.
fn run_steps(kamaki: &Kamaki, token: &str, run_dir: &Path, report: &mut Report) {
    let uuid = report.step("user authenticate", || {
        let v = kamaki.json(&["user", "authenticate"])?;
        let access = field(&v, "access")?;
        let got = text(field(field(access, "token")?, "id")?)?;
        ensure!(
            got == token,
            "access.token.id is {got:?}, expected {token:?}"
        );
        let uuid = text(field(field(access, "user")?, "id")?)?;
        let types: Vec<String> = array(field(access, "serviceCatalog")?)?
            .iter()
            .filter_map(|s| s.get("type").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for wanted in ["identity", "compute", "network", "image", "object-store"] {
            ensure!(
                types.iter().any(|t| t == wanted),
                "no {wanted:?} entry in the service catalog (types: {types:?})"
            );
        }
        Ok((
            uuid.clone(),
            format!("user {uuid}, catalog {}", types.join(",")),
        ))
    });

    if let Some(uuid) = &uuid {
        report.step("user info", || {
            let v = kamaki.json(&["user", "info"])?;
            let id = text(field(&v, "id")?)?;
            ensure!(&id == uuid, "id is {id:?}, expected {uuid:?}");
            Ok(((), format!("id {id}, name {}", text(field(&v, "name")?)?)))
        });
    } else {
        report.skip("user info", "user authenticate failed");
    }

    let flavor = report.step("flavor list", || {
        let v = kamaki.json(&["flavor", "list"])?;
        let flavors = array(&v)?;
        let first = flavors
            .first()
            .ok_or_else(|| anyhow!("no flavors listed"))?;
        let id = text(field(first, "id")?)?;
        Ok((id.clone(), format!("{} flavors, using {id}", flavors.len())))
    });

    let mut image = report.step("image list", || {
        let v = kamaki.json(&["image", "list"])?;
        let id = pick_image(&v)?;
        let count = array(&v)?.len();
        Ok((id.clone(), format!("{count} images, using {id}")))
    });
    if image.is_none() {
        // The server steps still deserve a run: take the id from the compute API.
        image = report.step("imagecompute list (image id fallback)", || {
            let v = kamaki.json(&["imagecompute", "list"])?;
            let id = pick_image(&v)?;
            Ok((id.clone(), format!("using {id}")))
        });
    }

    let server_name = "pykamaki-server";
    let server = match (&flavor, &image) {
        (Some(flavor), Some(image)) => report.step("server create --wait", || {
            let v = kamaki.json(&[
                "server",
                "create",
                "--name",
                server_name,
                "--flavor-id",
                flavor,
                "--image-id",
                image,
                "--wait",
            ])?;
            let id = text(field(&v, "id")?)?;
            let name = text(field(&v, "name")?)?;
            ensure!(
                name == server_name,
                "name is {name:?}, expected {server_name:?}"
            );
            ensure!(
                v.get("adminPass").is_some_and(Value::is_string),
                "no adminPass in the creation record"
            );
            let run = kamaki.last_stderr();
            ensure!(
                run.contains(&format!("Server {id} status: ACTIVE")),
                "kamaki did not report the server ACTIVE after waiting: {run:?}"
            );
            Ok((id.clone(), format!("server {id}, ACTIVE after --wait")))
        }),
        _ => {
            report.skip("server create --wait", "no flavor or image id");
            None
        }
    };

    if let Some(id) = &server {
        report.step("server list", || {
            let v = kamaki.json(&["server", "list"])?;
            let servers = array(&v)?;
            let found = servers
                .iter()
                .find(|s| s.get("id").and_then(|i| text(i).ok()).as_deref() == Some(id.as_str()))
                .ok_or_else(|| anyhow!("server {id} not in the listing"))?;
            let name = text(field(found, "name")?)?;
            ensure!(name == server_name, "server {id} is listed as {name:?}");
            Ok(((), format!("{} servers, {id} {name}", servers.len())))
        });
        report.step("server info", || {
            let v = kamaki.json(&["server", "info", id])?;
            let got = text(field(&v, "id")?)?;
            ensure!(&got == id, "id is {got:?}, expected {id:?}");
            let status = text(field(&v, "status")?)?;
            ensure!(status == "ACTIVE", "status is {status:?}, expected ACTIVE");
            let flavor_id = text(field(field(&v, "flavor")?, "id")?)?;
            ensure!(
                Some(&flavor_id) == flavor.as_ref(),
                "flavor.id is {flavor_id:?}, expected {flavor:?}"
            );
            let image_id = text(field(field(&v, "image")?, "id")?)?;
            ensure!(
                Some(&image_id) == image.as_ref(),
                "image.id is {image_id:?}, expected {image:?}"
            );
            Ok((
                (),
                format!("{status}, flavor {flavor_id}, image {image_id}"),
            ))
        });
    } else {
        report.skip("server list", "no server was created");
        report.skip("server info", "no server was created");
    }

    report.step("network create --type MAC_FILTERED", || {
        let name = "pykamaki-net";
        let v = kamaki.json(&[
            "network",
            "create",
            "--name",
            name,
            "--type",
            "MAC_FILTERED",
        ])?;
        let id = text(field(&v, "id")?)?;
        let kind = text(field(&v, "type")?)?;
        ensure!(
            kind == "MAC_FILTERED",
            "type is {kind:?}, expected MAC_FILTERED"
        );
        let got = text(field(&v, "name")?)?;
        ensure!(got == name, "name is {got:?}, expected {name:?}");
        let info = kamaki.json(&["network", "info", &id])?;
        let again = text(field(&info, "id")?)?;
        ensure!(again == id, "network info {id} answered id {again:?}");
        Ok((
            (),
            format!("network {id} {kind}, found again by network info"),
        ))
    });

    let local = run_dir.join("random-10MiB.bin");
    let uploaded = report.step("file upload (10 MiB, 3 blocks)", || {
        let digest = write_random(&local, OBJECT_SIZE)?;
        let local_arg = local.to_string_lossy();
        let run = kamaki.ok(&["file", "upload", &local_arg, REMOTE_PATH])?;
        let blocks = check_hashmap_upload(&run.http)?;
        let v = kamaki.json(&["file", "info", REMOTE_PATH])?;
        let length = text(field(&v, "content-length")?)?;
        ensure!(
            length == OBJECT_SIZE.to_string(),
            "content-length is {length}, expected {OBJECT_SIZE}"
        );
        let expected = pithos_top_hash(&local)?;
        let hash = text(field(&v, "x-object-hash")?)?;
        ensure!(
            hash == expected,
            "x-object-hash is {hash}, the Pithos top hash of the file is {expected}"
        );
        Ok((
            digest,
            format!(
                "{REMOTE_PATH}, {length} bytes, {blocks} blocks sent after 409, top hash matches"
            ),
        ))
    });

    if let Some(digest) = &uploaded {
        report.step("file download + sha256", || {
            let copy = run_dir.join("downloaded.bin");
            let copy_arg = copy.to_string_lossy();
            kamaki.ok(&["file", "download", REMOTE_PATH, &copy_arg])?;
            let (got, len) = sha256_file(&copy)?;
            ensure!(
                len == OBJECT_SIZE as u64,
                "downloaded {len} bytes, expected {OBJECT_SIZE}"
            );
            ensure!(
                &got == digest,
                "sha256 {got} differs from the upload's {digest}"
            );
            Ok(((), format!("sha256 {digest} on both sides")))
        });
        report.step("image register", || {
            let name = "pykamaki-image";
            let values = kamaki.json_values(&[
                "image",
                "register",
                "--name",
                name,
                "--location",
                REMOTE_PATH,
            ])?;
            let v = values
                .first()
                .ok_or_else(|| anyhow!("no JSON record printed"))?;
            let id = text(field(v, "id")?)?;
            let got = text(field(v, "name")?)?;
            ensure!(got == name, "name is {got:?}, expected {name:?}");
            let location = text(field(v, "location")?)?;
            ensure!(
                location.starts_with("pithos://") && location.ends_with(REMOTE_PATH),
                "location is {location:?}, expected pithos://<uuid>{REMOTE_PATH}"
            );
            let size = text(field(v, "size")?)?;
            ensure!(
                size == OBJECT_SIZE.to_string(),
                "size is {size}, expected {OBJECT_SIZE}"
            );
            let meta = values
                .get(1)
                .and_then(|m| m.get("metafile_location"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            ensure!(
                meta == format!("{REMOTE_PATH}.meta"),
                "metafile location is {meta:?}, expected {REMOTE_PATH}.meta"
            );
            let info = kamaki.json(&["image", "info", &id])?;
            let again = text(field(&info, "name")?)?;
            ensure!(again == name, "image info {id} answered name {again:?}");
            Ok(((), format!("image {id}, metafile {meta}")))
        });
        // Only the transcripts are worth keeping.
        for f in ["random-10MiB.bin", "downloaded.bin"] {
            let _ = fs::remove_file(run_dir.join(f));
        }
    } else {
        report.skip("file download + sha256", "the upload failed");
        report.skip("image register", "the upload failed");
    }
}

/// Checks that an upload's HTTP log shows the Pithos hashmap protocol: the
/// hashmap PUT answered 409 (missing blocks), the blocks POSTed (202), then the
/// hashmap PUT again (201). Returns the number of block POSTs.
fn check_hashmap_upload(http: &str) -> Result<usize> {
    let mut exchanges = Vec::new();
    let mut request = None;
    for line in http.lines() {
        if let Some(rest) = line.strip_prefix("kamaki.clients.send: ") {
            if rest.starts_with(|c: char| c.is_ascii_uppercase()) && rest.contains(" http") {
                request = Some(rest.to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("kamaki.clients.recv: ") {
            let status = rest.split_whitespace().next().unwrap_or_default();
            if status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()) {
                if let Some(req) = request.take() {
                    exchanges.push((req, status.to_owned()));
                }
            }
        }
    }
    let puts: Vec<&str> = exchanges
        .iter()
        .filter(|(req, _)| req.starts_with("PUT ") && req.contains("hashmap"))
        .map(|(_, s)| s.as_str())
        .collect();
    ensure!(
        puts == ["409", "201"],
        "hashmap PUT statuses were {puts:?}, expected [\"409\", \"201\"] (exchanges: {exchanges:?})"
    );
    let posts: Vec<&str> = exchanges
        .iter()
        .filter(|(req, _)| req.starts_with("POST ") && req.contains("update"))
        .map(|(_, s)| s.as_str())
        .collect();
    ensure!(
        posts.len() >= 2 && posts.iter().all(|s| *s == "202"),
        "block POST statuses were {posts:?}, expected several 202"
    );
    Ok(posts.len())
}

/// The id of the first image named like Debian, else of the first image.
fn pick_image(listing: &Value) -> Result<String> {
    let images = array(listing)?;
    let debian = images.iter().find(|i| {
        i.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.contains("Debian"))
    });
    let image = debian
        .or_else(|| images.first())
        .ok_or_else(|| anyhow!("no images listed"))?;
    text(field(image, "id")?)
}

// ---------------------------------------------------------------------------
// Running kamaki

/// The Python kamaki CLI with a config of its own.
struct Kamaki {
    script: PathBuf,
    config: PathBuf,
    log_file: PathBuf,
    run_dir: PathBuf,
    calls: std::cell::Cell<u32>,
    last_stderr: std::cell::RefCell<String>,
}

/// What one kamaki call did.
struct KamakiRun {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    /// kamaki's log lines for this call (one HTTP exchange after another).
    http: String,
    transcript: PathBuf,
}

impl Kamaki {
    /// Writes `run_dir/kamakirc`: one cloud (`devcloud`) with its auth URL and
    /// token (cli.md §3.2, §3.5); history and log files stay in `run_dir`.
    fn new(script: PathBuf, run_dir: &Path, auth_url: &str, token: &str) -> Result<Self> {
        let config = run_dir.join("kamakirc");
        let log_file = run_dir.join("kamaki.log");
        let mut text = format!(
            "# Kamaki configuration file v0.16\n[global]\ndefault_cloud = devcloud\n\
             history_file = {}\nlog_file = {}\n",
            run_dir.join("kamaki.history").display(),
            log_file.display()
        );
        if Path::new(CA_BUNDLE).exists() {
            text.push_str(&format!("ca_certs = {CA_BUNDLE}\n"));
        }
        text.push_str(&format!(
            "\n[cloud \"devcloud\"]\nurl = {auth_url}\ntoken = {token}\n"
        ));
        fs::write(&config, text).with_context(|| format!("cannot write {}", config.display()))?;
        Ok(Self {
            script,
            config,
            log_file,
            run_dir: run_dir.to_path_buf(),
            calls: std::cell::Cell::new(0),
            last_stderr: std::cell::RefCell::new(String::new()),
        })
    }

    /// Runs `kamaki ARGS` and writes its transcript; bodies are logged unless
    /// the call moves file data.
    fn run(&self, args: &[&str]) -> Result<KamakiRun> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        let log_start = fs::metadata(&self.log_file).map(|m| m.len()).unwrap_or(0);
        let transfers = args.first() == Some(&"file") || args.contains(&"--upload-image-file");
        let mut cmd = Command::new("bash");
        cmd.arg(&self.script).arg("run").args(args);
        if !transfers {
            cmd.args(["-o", "log_data=on"]);
        }
        let out = cmd
            .env("KAMAKI_CONFIG", &self.config)
            .stdin(Stdio::null())
            .output()
            .context("cannot run kamaki-py.sh run")?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let http = read_from(&self.log_file, log_start).unwrap_or_default();
        let slug: String = args
            .iter()
            .take(2)
            .map(|a| a.trim_start_matches('-'))
            .collect::<Vec<_>>()
            .join("-");
        let transcript = self.run_dir.join(format!("{n:02}-{slug}.log"));
        let body = format!(
            "$ kamaki {}\nexit: {}\n\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- HTTP (kamaki log)\n{http}",
            args.join(" "),
            out.status
        );
        fs::write(&transcript, body)
            .with_context(|| format!("cannot write {}", transcript.display()))?;
        self.last_stderr.replace(stderr.clone());
        Ok(KamakiRun {
            status: out.status,
            stdout,
            stderr,
            http,
            transcript,
        })
    }

    /// Runs `kamaki ARGS`; an error unless it exits 0.
    fn ok(&self, args: &[&str]) -> Result<KamakiRun> {
        let run = self.run(args)?;
        if !run.status.success() {
            let err = run
                .stderr
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n    ");
            bail!(
                "kamaki {} exited with {}:\n    {err}\n  transcript: {}",
                args.join(" "),
                run.status,
                run.transcript.display()
            );
        }
        Ok(run)
    }

    /// Runs `kamaki ARGS --output-format json` and parses every JSON value
    /// printed on stdout.
    fn json_values(&self, args: &[&str]) -> Result<Vec<Value>> {
        let mut all = args.to_vec();
        all.extend(["--output-format", "json"]);
        let run = self.ok(&all)?;
        serde_json::Deserializer::from_str(&run.stdout)
            .into_iter::<Value>()
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| {
                format!(
                    "kamaki {} printed no valid JSON\n  transcript: {}",
                    all.join(" "),
                    run.transcript.display()
                )
            })
    }

    /// Like [`Kamaki::json_values`], for commands printing one JSON value.
    fn json(&self, args: &[&str]) -> Result<Value> {
        self.json_values(args)?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("kamaki {} printed nothing", args.join(" ")))
    }

    /// The stderr of the last call (kamaki reports waits there).
    fn last_stderr(&self) -> String {
        self.last_stderr.borrow().clone()
    }
}

// ---------------------------------------------------------------------------
// Report

#[derive(Default)]
struct Report {
    passed: Vec<String>,
    failed: Vec<String>,
}

impl Report {
    /// Runs one step, prints its PASS/FAIL line, and returns its value on success.
    fn step<T>(&mut self, name: &str, f: impl FnOnce() -> Result<(T, String)>) -> Option<T> {
        let t = Instant::now();
        match f() {
            Ok((value, detail)) => {
                println!("PASS  {name} ({}): {detail}", secs(t));
                self.passed.push(name.to_owned());
                Some(value)
            }
            Err(e) => {
                println!("FAIL  {name} ({}): {e:#}", secs(t));
                self.failed.push(name.to_owned());
                None
            }
        }
    }

    /// Records a step that could not run because an earlier one failed.
    fn skip(&mut self, name: &str, why: &str) {
        println!("FAIL  {name}: not run ({why})");
        self.failed.push(format!("{name} (not run)"));
    }

    fn summary(&self, started: Instant) -> Result<()> {
        let total = self.passed.len() + self.failed.len();
        println!(
            "\npykamaki: {}/{total} steps passed in {}",
            self.passed.len(),
            secs(started)
        );
        if self.failed.is_empty() {
            return Ok(());
        }
        for name in &self.failed {
            println!("  failed: {name}");
        }
        println!("  transcripts: target/pykamaki/ (see docs/pykamaki.md)");
        bail!("{} of {total} pykamaki steps failed", self.failed.len())
    }
}

// ---------------------------------------------------------------------------
// Helpers

fn secs(since: Instant) -> String {
    format!("{:.2} s", since.elapsed().as_secs_f64())
}

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value> {
    v.get(key)
        .ok_or_else(|| anyhow!("no {key:?} in {}", preview(v)))
}

fn array(v: &Value) -> Result<&Vec<Value>> {
    v.as_array()
        .ok_or_else(|| anyhow!("expected a JSON array, got {}", preview(v)))
}

/// A string, or a number as text (Cyclades ids are numbers, Neutron's strings).
fn text(v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => bail!("expected a string or number, got {}", preview(other)),
    }
}

fn preview(v: &Value) -> String {
    let mut s = v.to_string();
    if s.len() > 200 {
        let mut end = 200;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// The text appended to `path` since byte `offset`.
fn read_from(path: &Path, offset: u64) -> Result<String> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Writes `len` random bytes (from `/dev/urandom`) to `path`; returns their
/// sha256 in hex.
fn write_random(path: &Path, len: usize) -> Result<String> {
    let mut data = vec![0u8; len];
    File::open("/dev/urandom")
        .and_then(|mut r| r.read_exact(&mut data))
        .context("cannot read /dev/urandom")?;
    let mut out =
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    out.write_all(&data)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(hex(&Sha256::digest(&data)))
}

/// The sha256 (hex) and length of a file.
fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hex(&hasher.finalize()), len))
}

/// The Pithos top hash of a file: sha256 of every 4 MiB block with trailing
/// zero bytes stripped, then a Merkle tree padded with zero hashes to a power
/// of two (storage-pithos.md).
fn pithos_top_hash(path: &Path) -> Result<String> {
    let data = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut level: Vec<Vec<u8>> = data
        .chunks(BLOCK_SIZE)
        .map(|block| {
            let end = block.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            Sha256::digest(&block[..end]).to_vec()
        })
        .collect();
    if level.is_empty() {
        level.push(Sha256::digest(b"").to_vec());
    }
    let width = level.len().next_power_of_two();
    level.resize(width, vec![0u8; 32]);
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| Sha256::digest(pair.concat()).to_vec())
            .collect();
    }
    Ok(level.first().map(|h| hex(h)).unwrap_or_default())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
