//! A kamaki-devcloud in the test process and a config pointing at it, for
//! end-to-end runs of the `kamaki` binary; redaction of ids and dates for
//! snapshots.
#![allow(dead_code)]

use std::process::Output;
use std::time::Duration;

use kamaki_devcloud::{DevCloud, DevCloudConfig};
use regex::Regex;
use serde_json::Value;

use crate::cli::common::{stderr, stdout, Env};

/// The first devcloud user.
pub const USER: &str = "0a1b2c3d-0000-4000-8000-000000000001";
/// The second devcloud user.
pub const FRIEND: &str = "0a1b2c3d-0000-4000-8000-000000000002";
/// The owner of the public images.
pub const SYSTEM: &str = "00000000-0000-4000-8000-0000000000a1";

/// A running devcloud and a home with a config for it.
pub struct Cloud {
    pub cloud: DevCloud,
    pub env: Env,
}

/// Starts a devcloud with fast transitions.
pub async fn start() -> Cloud {
    let cloud = DevCloud::start(DevCloudConfig {
        build_delay: Duration::from_millis(150),
        deleted_retention: Duration::from_millis(600),
        ..Default::default()
    })
    .await
    .expect("devcloud");
    let env = Env::new();
    env.write_cfg(&format!(
        "# Kamaki configuration file v0.16\n{}",
        cloud.kamakirc_snippet()
    ));
    Cloud { cloud, env }
}

impl Cloud {
    /// Runs `kamaki ARGS` (stdin empty).
    pub async fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, "").await
    }

    /// Runs `kamaki ARGS` with `input` on stdin.
    pub async fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut cmd = self.env.kamaki();
        cmd.args(args).write_stdin(input.to_string());
        tokio::task::spawn_blocking(move || cmd.output().expect("kamaki runs"))
            .await
            .expect("join")
    }

    /// Runs `kamaki ARGS`, asserts success, returns stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "kamaki {} failed ({:?}):\n{}{}",
            args.join(" "),
            out.status.code(),
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Runs `kamaki ARGS --output-format json`, asserts success, parses stdout.
    pub async fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["--output-format", "json"]);
        let text = self.ok(&a).await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
    }

    /// Runs `kamaki ARGS`, asserts it fails with status 1, returns stderr.
    pub async fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert_eq!(
            out.status.code(),
            Some(1),
            "kamaki {} should fail:\n{}{}",
            args.join(" "),
            stdout(&out),
            stderr(&out)
        );
        stderr(&out)
    }

    /// The devcloud's base URL (`http://127.0.0.1:PORT`).
    pub fn base(&self) -> String {
        self.cloud.base_url()
    }
}

/// Replaces what changes between runs (random ids, dates, hashes, the
/// port) with placeholders; the devcloud users' fixed UUIDs are kept.
pub fn redact(text: &str) -> String {
    let rules: [(&str, &str); 10] = [
        (r"127\.0\.0\.1:\d+", "[host]"),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
            "[date]",
        ),
        (
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT",
            "[date]",
        ),
        (r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}", "[date]"),
        (r"\b[0-9a-f]{64}\b", "[hash]"),
        (r"\b[0-9a-f]{32}\b", "[md5]"),
        (r"\b1\d{9}(\.\d+)?\b", "[timestamp]"),
        (r"(adminPass|password)(\W+)[A-Za-z0-9]{8,}", "$1$2[secret]"),
        (r"([0-9a-f]{2}:){5}[0-9a-f]{2}", "[mac]"),
        (r"/public/[A-Za-z0-9_-]+", "/public/[token]"),
    ];
    let uuid = Regex::new(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
        .expect("uuid regex");
    let mut out = uuid
        .replace_all(text, |c: &regex::Captures<'_>| {
            let u = &c[0];
            if u == USER || u == FRIEND || u == SYSTEM {
                u.to_string()
            } else {
                "[uuid]".to_string()
            }
        })
        .into_owned();
    for (pattern, with) in rules {
        let re = Regex::new(pattern).expect("redaction regex");
        out = re.replace_all(&out, with).into_owned();
    }
    out
}

/// `redact` over a JSON value's text (4-space indented, as kamaki prints it).
pub fn redact_json(v: &Value) -> String {
    redact(&serde_json::to_string_pretty(v).unwrap_or_default())
}

/// The `id` of a JSON record (numbers and strings).
pub fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
