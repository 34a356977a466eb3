//! Authentication and endpoint discovery against a fake identity service.

use serde_json::Value;
use wiremock::MockServer;

use crate::cli::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn user_info_in_kamaki_layout() {
    let server = MockServer::start().await;
    identity(&server, "tok-maria", UUID, "maria@lab.example.org").await;
    let env = Env::new();
    env.with_cloud(&server, "tok-maria");
    let mut cmd = env.kamaki();
    cmd.args(["user", "info"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out), @r"
    id: 0c6bd1d4-5d6c-4a3b-9e3e-3a5e0f5a9c11
    name: maria@lab.example.org
    roles:
        id: 1
        name: default
    roles_links:
    default_project: 0c6bd1d4-5d6c-4a3b-9e3e-3a5e0f5a9c11
    ");
}

#[tokio::test(flavor = "multi_thread")]
async fn user_authenticate_json() {
    let server = MockServer::start().await;
    identity(&server, "tok-maria", UUID, "maria").await;
    let env = Env::new();
    env.with_cloud(&server, "tok-maria");
    let mut cmd = env.kamaki();
    cmd.args(["user", "authenticate", "--output-format", "json"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("{\n    \"token\": {\n        \"id\": \"tok-maria\""),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["user"]["id"], UUID);
    assert_eq!(v["serviceCatalog"].as_array().unwrap().len(), 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_tokens_are_dropped_from_the_config() {
    let server = MockServer::start().await;
    bad_token(&server, "expired-one").await;
    identity(&server, "tok-maria", UUID, "maria").await;
    let env = Env::new();
    env.with_cloud(&server, "expired-one tok-maria");
    let mut cmd = env.kamaki();
    cmd.args(["user", "info"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("failed to authenticate"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("expired-one"));
    assert!(
        env.read_cfg().contains("token = tok-maria\n"),
        "{}",
        env.read_cfg()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_valid_token_fails_with_a_hint() {
    let server = MockServer::start().await;
    bad_token(&server, "expired").await;
    let env = Env::new();
    env.with_cloud(&server, "expired");
    let mut cmd = env.kamaki();
    cmd.args(["user", "info"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("Failed to initialize an identity client\n"),
        "{err}"
    );
    assert!(
        err.contains("|    kamaki config set cloud.lab.token <token>"),
        "{err}"
    );
    assert!(env.read_cfg().contains("token = expired"));
}

#[tokio::test(flavor = "multi_thread")]
async fn user_list_and_select_with_several_tokens() {
    let server = MockServer::start().await;
    identity(&server, "tok-maria", UUID, "maria").await;
    identity(&server, "tok-bot", UUID2, "ci-bot").await;
    let env = Env::new();
    env.with_cloud(&server, "tok-maria tok-bot");
    let mut cmd = env.kamaki();
    cmd.args(["user", "list"]);
    let out = run(cmd).await;
    assert_eq!(stdout(&out), format!("{UUID} maria\n{UUID2} ci-bot\n"));
    let mut cmd = env.kamaki();
    cmd.args(["user", "select", "--user", "ci-bot"])
        .write_stdin("y\n");
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("Current session user is now ci-bot ({UUID2})")));
    assert!(
        env.read_cfg().contains("token = tok-bot tok-maria\n"),
        "{}",
        env.read_cfg()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_traces_redact_the_token() {
    let server = MockServer::start().await;
    identity(&server, "tok-secret-maria", UUID, "maria").await;
    let env = Env::new();
    env.with_cloud(&server, "tok-secret-maria");
    let mut cmd = env.kamaki();
    cmd.args(["-v", "user", "info"]);
    let out = run(cmd).await;
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(err.contains("> POST "), "{err}");
    assert!(err.contains("< 200"), "{err}");
    assert!(!err.contains("tok-secret-maria"), "{err}");
    assert!(
        !err.contains("serviceCatalog"),
        "bodies only with -vv: {err}"
    );
    let mut cmd = env.kamaki();
    cmd.args(["-vv", "user", "info"]);
    let err = stderr(&run(cmd).await);
    assert!(err.contains("serviceCatalog"), "{err}");
    assert!(!err.contains("tok-secret-maria"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn hidden_endpoint_group_lists_the_catalog() {
    let server = MockServer::start().await;
    identity(&server, "tok", UUID, "maria").await;
    let env = Env::new();
    env.write_cfg(&format!(
        "[global]\nendpoint_cli = astakos\n\n[cloud \"lab\"]\nurl = {}/identity/v2.0\ntoken = tok\n",
        server.uri()
    ));
    let mut cmd = env.kamaki();
    cmd.args(["endpoint", "list", "--type", "compute"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("cyclades_compute compute\n    endpoints:\n        versionId: v2.0\n"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_identity_service() {
    let env = Env::new();
    env.write_cfg("[cloud \"lab\"]\nurl = http://127.0.0.1:9/identity/v2.0\ntoken = t\n");
    let mut cmd = env.kamaki();
    cmd.args(["user", "info"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("|    kamaki config get cloud.lab.url"),
        "{}",
        stderr(&out)
    );
}
