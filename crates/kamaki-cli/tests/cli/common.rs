//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::{json, Value};
use tempfile::TempDir;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A temporary home with a config file path.
pub struct Env {
    pub dir: TempDir,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    pub fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn cfg(&self) -> PathBuf {
        self.dir.path().join(".kamakirc")
    }

    pub fn write_cfg(&self, text: &str) {
        std::fs::write(self.cfg(), text).unwrap();
    }

    pub fn read_cfg(&self) -> String {
        std::fs::read_to_string(self.cfg()).unwrap()
    }

    pub fn history(&self) -> String {
        std::fs::read_to_string(self.dir.path().join(".kamaki.history")).unwrap_or_default()
    }

    /// `kamaki` with HOME and KAMAKI_CONFIG pointing into the temp dir.
    pub fn kamaki(&self) -> Command {
        let mut c = Command::cargo_bin("kamaki").unwrap();
        c.env("HOME", self.dir.path())
            .env("KAMAKI_CONFIG", self.cfg())
            .env_remove("KAMAKI_DEFAULT_CLOUD")
            .env_remove("RUST_LOG")
            .write_stdin("");
        c
    }

    /// A config with one cloud `lab` at the mock server.
    pub fn with_cloud(&self, server: &MockServer, tokens: &str) {
        self.write_cfg(&format!(
            "# Kamaki configuration file v0.16\n[global]\n\n[cloud \"lab\"]\nurl = {}/identity/v2.0\ntoken = {tokens}\n",
            server.uri()
        ));
    }
}

pub const UUID: &str = "0c6bd1d4-5d6c-4a3b-9e3e-3a5e0f5a9c11";
pub const UUID2: &str = "9a7e44c0-1f0e-4f5c-8f0e-6b1d2c3e4f50";

/// The `access` answer of the identity service, with a catalog pointing at `base`.
pub fn access(base: &str, token: &str, uuid: &str, name: &str) -> Value {
    json!({"access": {
        "token": {"id": token, "expires": "2031-03-04T09:12:44.812113+00:00",
                  "tenant": {"id": uuid, "name": name}},
        "user": {"id": uuid, "name": name, "roles": [{"id": "1", "name": "default"}],
                 "roles_links": []},
        "serviceCatalog": [
            {"name": "astakos_account", "type": "account", "endpoints_links": [],
             "endpoints": [{"versionId": "v1.0", "region": "default", "publicURL": format!("{base}/account/v1.0")}]},
            {"name": "astakos_identity", "type": "identity", "endpoints_links": [],
             "endpoints": [{"versionId": "v2.0", "region": "default", "publicURL": format!("{base}/identity/v2.0")}]},
            {"name": "cyclades_compute", "type": "compute", "endpoints_links": [],
             "endpoints": [{"versionId": "v2.0", "region": "default", "publicURL": format!("{base}/compute/v2.0")}]},
            {"name": "cyclades_network", "type": "network", "endpoints_links": [],
             "endpoints": [{"versionId": "v2.0", "region": "default", "publicURL": format!("{base}/network/v2.0")}]},
            {"name": "cyclades_volume", "type": "volume", "endpoints_links": [],
             "endpoints": [{"versionId": "v2.0", "region": "default", "publicURL": format!("{base}/volume/v2.0")}]},
            {"name": "cyclades_plankton", "type": "image", "endpoints_links": [],
             "endpoints": [{"versionId": "v1.0", "region": "default", "publicURL": format!("{base}/image/v1.0")}]},
            {"name": "pithos_object-store", "type": "object-store", "endpoints_links": [],
             "endpoints": [{"versionId": "v1", "region": "default", "publicURL": format!("{base}/object-store/v1")}]}
        ]
    }})
}

/// Mounts a valid token on the identity service.
pub async fn identity(server: &MockServer, token: &str, uuid: &str, name: &str) {
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_partial_json(json!({"auth": {"token": {"id": token}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(
            &server.uri(),
            token,
            uuid,
            name,
        )))
        .mount(server)
        .await;
}

/// Mounts a token the identity service refuses.
pub async fn bad_token(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_partial_json(json!({"auth": {"token": {"id": token}}})))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}}),
        ))
        .mount(server)
        .await;
}

/// Runs a command in a blocking thread (the mock server keeps serving).
pub async fn run(mut cmd: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
