//! Network and block storage commands against fake services.

use serde_json::{json, Value};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli::common::*;

async fn cloud() -> (MockServer, Env) {
    let server = MockServer::start().await;
    identity(&server, "tok", UUID, "maria").await;
    let env = Env::new();
    env.with_cloud(&server, "tok");
    (server, env)
}

#[tokio::test(flavor = "multi_thread")]
async fn network_list_shows_public_or_private() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/network/v2.0/networks/detail"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"networks": [
            {"id": "2", "name": "public", "status": "ACTIVE", "router:external": true, "public": true, "subnets": []},
            {"id": "7", "name": "backend", "status": "ACTIVE", "router:external": false, "public": false, "subnets": []}]})))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["network", "list"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "2 public ( public )\n7 backend ( private )\n");
    let mut cmd = env.kamaki();
    cmd.args(["network", "list", "--output-format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&run(cmd).await)).unwrap();
    assert_eq!(v[0]["public"], true, "raw data in JSON mode (spec 12.2.16)");
}

#[tokio::test(flavor = "multi_thread")]
async fn network_create_sends_type_and_project() {
    let (server, env) = cloud().await;
    Mock::given(method("POST"))
        .and(path("/network/v2.0/networks"))
        .and(body_json(json!({"network": {"name": "backend", "admin_state_up": true,
            "type": "MAC_FILTERED", "project": "p-1"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"network": {
            "id": "7", "name": "backend", "status": "ACTIVE", "type": "MAC_FILTERED", "public": false}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args([
        "network",
        "create",
        "--name",
        "backend",
        "--project-id",
        "p-1",
    ]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("id: 7\nname: backend\n"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn network_delete_in_use_hints_port_list() {
    let (server, env) = cloud().await;
    Mock::given(method("DELETE"))
        .and(path("/network/v2.0/networks/7"))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"conflict": {"code": 409, "message": "Network is in use", "details": ""}}),
        ))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["network", "delete", "7"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("|    kamaki port list"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ip_attach_creates_a_port_for_the_address() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/network/v2.0/floatingips"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingips": [
            {"id": "310", "floating_ip_address": "203.0.113.40", "floating_network_id": "2",
             "port_id": null, "instance_id": null}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/network/v2.0/ports"))
        .and(body_json(
            json!({"port": {"network_id": "2", "device_id": "1201",
            "fixed_ips": [{"ip_address": "203.0.113.40"}]}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"port": {
            "id": "5512", "network_id": "2", "device_id": "1201", "status": "BUILD",
            "fixed_ips": [{"ip_address": "203.0.113.40", "subnet": "12"}]}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["ip", "attach", "203.0.113.40", "--server-id", "1201"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Creating a port to attach IP 203.0.113.40 to server 1201"));
    assert!(stdout(&out).starts_with("5512\n"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn volume_list_and_wait_timeout_is_an_error() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/volume/v2.0/volumes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"volumes": [
            {"id": "42", "display_name": "data", "links": []}]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/volume/v2.0/volumes/42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"volume": {
            "id": "42", "display_name": "data", "status": "creating", "size": 10}})))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["volume", "list"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "42 data\n");
    let mut cmd = env.kamaki();
    cmd.args(["volume", "wait", "42", "--timeout", "1"]);
    let out = run(cmd).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "a wait that times out fails (spec 12.2.3)"
    );
    assert!(
        stderr(&out).contains("Operation timed out: Volume 42 status is still creating"),
        "{}",
        stderr(&out)
    );
}
