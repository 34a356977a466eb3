//! The `container` and `file` commands against a real OpenStack Swift
//! (ignored by default): a cloud whose object store is configured directly
//! with `pithos_url` and `pithos_token`, so kamaki never asks an identity
//! service and talks plain Swift (no hashmaps).
//!
//! Run with `cargo xtask swift-suite`, or by hand:
//!
//! ```sh
//! eval "$(xtask/peers/swift.sh start)"
//! cargo test -p kamaki-cli --test real_swift_cli -- --ignored --test-threads=1 --nocapture
//! ```
//!
//! Lines starting with `FIGURE` are measurements the xtask collects.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::Output;
use std::time::{Instant, SystemTime};

use assert_cmd::Command;
use kamaki_openstack::storage::swift_v1_auth;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn must(name: &str) -> String {
    env(name).unwrap_or_else(|| {
        panic!("{name} is not set: run `cargo xtask swift-suite` or eval \"$(xtask/peers/swift.sh start)\"")
    })
}

/// The storage URL and a fresh token (tempauth when its variables are
/// set, else `SWIFT_TOKEN`).
async fn storage() -> (String, String) {
    if let (Some(url), Some(user), Some(key)) =
        (env("SWIFT_AUTH_URL"), env("SWIFT_USER"), env("SWIFT_KEY"))
    {
        let auth = swift_v1_auth(&url, &user, &key).await.expect("tempauth");
        return (auth.storage_url, auth.token.expose().to_string());
    }
    (must("SWIFT_STORAGE_URL"), must("SWIFT_TOKEN"))
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    /// A config whose cloud has an unreachable identity URL: only the
    /// per-service override of the object store is used.
    fn new(storage_url: &str, token: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".kamakirc"),
            format!(
                "# Kamaki configuration file v0.16\n[global]\ndefault_cloud = swift\n\n\
                 [cloud \"swift\"]\nurl = http://127.0.0.1:9/identity/v2.0\ntoken = unused\n\
                 pithos_url = {storage_url}\npithos_token = {token}\n"
            ),
        )
        .unwrap();
        Home { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::cargo_bin("kamaki").unwrap();
        cmd.env("HOME", self.dir.path())
            .env("KAMAKI_CONFIG", self.dir.path().join(".kamakirc"))
            .env_remove("KAMAKI_DEFAULT_CLOUD")
            .args(args)
            .write_stdin("");
        cmd.output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "kamaki {} failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "kamaki {}", args.join(" "));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
}

fn unique(prefix: &str) -> String {
    let n = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    format!("kamaki-cli-{prefix}-{n}")
}

fn data(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[1])
        .collect()
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn container_and_file_commands_on_swift() {
    let (url, token) = storage().await;
    let home = Home::new(&url, &token);
    let cont = unique("files");
    tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        home.ok(&["container", "create", &cont]);
        let err = home.fails(&["container", "create", &cont]);
        assert!(err.contains("already exists"), "{err}");
        let list = home.ok(&["container", "list"]);
        assert!(list.contains(&format!("{cont} (")), "{list}");
        let info = home.ok(&["container", "info", &cont, "--output-format", "json"]);
        let info: serde_json::Value = serde_json::from_str(&info).unwrap();
        assert!(
            info.get("x-container-block-size").is_none(),
            "plain Swift: {info}"
        );

        // a 12 MiB file: uploaded with one plain PUT, read back byte for byte
        let big = data(12 * 1024 * 1024 + 17);
        let local = home.path("big.bin");
        write(Path::new(&local), &big);
        let up = Instant::now();
        home.ok(&["file", "upload", &local, &format!("/{cont}/dir/big.bin")]);
        let up_s = up.elapsed().as_secs_f64();
        let err = home.fails(&["file", "upload", &local, &format!("/{cont}/dir/big.bin")]);
        assert!(err.contains("already exists"), "{err}");
        home.ok(&[
            "file",
            "upload",
            &local,
            &format!("/{cont}/dir/big.bin"),
            "-f",
        ]);
        let got = home.path("got.bin");
        let down = Instant::now();
        home.ok(&["file", "download", &format!("/{cont}/dir/big.bin"), &got]);
        let down_s = down.elapsed().as_secs_f64();
        assert!(std::fs::read(&got).unwrap() == big, "download differs");
        println!(
            "FIGURE kamaki CLI on Swift: 12 MiB upload {:.2} s, download {:.2} s",
            up_s, down_s
        );
        // info, list, cat with a range
        let info = home.ok(&[
            "file",
            "info",
            &format!("/{cont}/dir/big.bin"),
            "--output-format",
            "json",
        ]);
        let info: serde_json::Value = serde_json::from_str(&info).unwrap();
        assert_eq!(info["content-length"], (big.len()).to_string());
        let listing = home.ok(&["file", "list", &format!("/{cont}/dir")]);
        assert_eq!(listing, "    12MiB dir/big.bin\n");
        let out = home.run(&[
            "file",
            "cat",
            &format!("/{cont}/dir/big.bin"),
            "--range",
            "100-109",
        ]);
        assert!(out.status.success());
        assert_eq!(out.stdout, big[100..110]);

        // folders both ways
        let tree = home.path("tree");
        write(&Path::new(&tree).join("a.txt"), b"alpha\n");
        write(&Path::new(&tree).join("sub/b.txt"), b"beta\n");
        home.ok(&["file", "upload", &tree, &format!("/{cont}"), "-r"]);
        let back = home.path("back");
        home.ok(&["file", "download", &format!("/{cont}/tree"), &back, "-r"]);
        assert_eq!(
            std::fs::read(Path::new(&back).join("a.txt")).unwrap(),
            b"alpha\n"
        );
        assert_eq!(
            std::fs::read(Path::new(&back).join("sub/b.txt")).unwrap(),
            b"beta\n"
        );

        // copy, move (copy + delete on Swift), mkdir, create
        home.ok(&[
            "file",
            "copy",
            &format!("/{cont}/tree/a.txt"),
            &format!("/{cont}/copy.txt"),
        ]);
        home.ok(&[
            "file",
            "move",
            &format!("/{cont}/copy.txt"),
            &format!("/{cont}/moved.txt"),
        ]);
        assert_eq!(
            home.ok(&["file", "cat", &format!("/{cont}/moved.txt")]),
            "alpha\n"
        );
        let err = home.fails(&["file", "info", &format!("/{cont}/copy.txt")]);
        assert!(err.starts_with("No object \"copy.txt\""), "{err}");
        home.ok(&["file", "mkdir", &format!("/{cont}/empty")]);
        home.ok(&["file", "create", &format!("/{cont}/zero")]);

        // delete: one object, a folder with -r, then the container with -r
        home.ok(&["file", "delete", &format!("/{cont}/zero"), "--yes"]);
        home.ok(&["file", "delete", &format!("/{cont}/tree"), "-r", "--yes"]);
        let rest = home.ok(&["file", "list", &format!("/{cont}")]);
        assert!(!rest.contains("tree"), "{rest}");
        let err = home.fails(&["container", "delete", &cont, "--yes"]);
        assert!(err.contains("is not empty"), "{err}");
        home.ok(&["container", "delete", &cont, "-r", "--yes"]);
        let err = home.fails(&["container", "info", &cont]);
        assert!(
            err.starts_with(&format!("Container \"{cont}\" does not exist")),
            "{err}"
        );
        println!(
            "FIGURE kamaki CLI on Swift: container and file walkthrough {:.1} s",
            t.elapsed().as_secs_f64()
        );
    })
    .await
    .unwrap();
}
