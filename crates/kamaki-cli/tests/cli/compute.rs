//! Compute commands against a fake compute service.

use serde_json::{json, Value};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli::common::*;

async fn cloud() -> (MockServer, Env) {
    let server = MockServer::start().await;
    identity(&server, "tok", UUID, "maria").await;
    let env = Env::new();
    env.with_cloud(&server, "tok");
    (server, env)
}

fn flavors() -> Value {
    json!({"flavors": [
        {"id": 1, "name": "C1R1024D20drbd", "ram": 1024, "vcpus": 1, "disk": 20, "SNF:disk_template": "drbd",
         "links": [{"href": "https://x/flavors/1", "rel": "self"}]},
        {"id": 3, "name": "C2R2048D20drbd", "ram": 2048, "vcpus": 2, "disk": 20, "SNF:disk_template": "drbd",
         "links": [{"href": "https://x/flavors/3", "rel": "self"}]},
        {"id": 4, "name": "C2R4096D40ext", "ram": 4096, "vcpus": 2, "disk": 40, "SNF:disk_template": "ext_archipelago",
         "links": []}
    ]})
}

#[tokio::test(flavor = "multi_thread")]
async fn flavor_list_filters_and_layouts() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/flavors/detail"))
        .respond_with(ResponseTemplate::new(200).set_body_json(flavors()))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["flavor", "list", "--vcpus", "2"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "3 C2R2048D20drbd\n4 C2R4096D40ext\n");
    let mut cmd = env.kamaki();
    cmd.args([
        "flavor",
        "list",
        "--disk-template",
        "drbd",
        "--name-like",
        "2048",
        "-l",
    ]);
    let out = run(cmd).await;
    insta::assert_snapshot!(stdout(&out), @r"
    3 C2R2048D20drbd
        ram: 2048
        disk: 20
        vcpus: 2
        links:
            href: https://x/flavors/3
            rel: self
        SNF:disk_template: drbd
    ");
    let mut cmd = env.kamaki();
    cmd.args(["flavor", "list", "--ram", "4096", "--output-format", "json"]);
    let out = run(cmd).await;
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["SNF:disk_template"], "ext_archipelago");
}

#[tokio::test(flavor = "multi_thread")]
async fn flavor_info_and_not_found() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/flavors/3"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"flavor": flavors()["flavors"][1]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/flavors/99"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"itemNotFound": {"code": 404, "message": "Flavor not found", "details": ""}}),
        ))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["flavor", "info", "3", "--output-format", "json"]);
    let out = run(cmd).await;
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((v["id"].as_u64(), v["ram"].as_u64()), (Some(3), Some(2048)));
    let mut cmd = env.kamaki();
    cmd.args(["flavor", "info", "99"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("No flavor with id 99\n|  To get a list of flavors\n|    kamaki flavor list"),
        "{}",
        stderr(&out)
    );
}

fn server_json(id: u64, name: &str, status: &str) -> Value {
    json!({"id": id, "name": name, "status": status, "progress": 100, "user_id": UUID,
           "tenant_id": UUID, "flavor": {"id": 3}, "image": {"id": "img-1"},
           "metadata": {"os": "debian", "users": "root"}, "SNF:fqdn": "snf-1.example.org"})
}

#[tokio::test(flavor = "multi_thread")]
async fn server_list_and_info() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/servers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            {"id": 1201, "name": "web-01", "links": []}, {"id": 1202, "name": "db-01", "links": []}]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/servers/1201"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"server": server_json(1201, "web-01", "ACTIVE")})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/servers/4242"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"itemNotFound": {"code": 404, "message": "Server not found", "details": ""}}),
        ))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["server", "list", "--name-prefix", "WEB"]);
    assert_eq!(stdout(&run(cmd).await), "1201 web-01\n");
    let mut cmd = env.kamaki();
    cmd.args(["server", "list", "--enumerate"]);
    assert_eq!(stdout(&run(cmd).await), "1. 1201 web-01\n2. 1202 db-01\n");
    let mut cmd = env.kamaki();
    cmd.args(["server", "info", "1201"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("id: 1201\nname: web-01\nstatus: ACTIVE\n"),
        "{text}"
    );
    assert!(
        text.contains("metadata:\n    os: debian\n    users: root\n"),
        "{text}"
    );
    assert!(text.contains("SNF:fqdn: snf-1.example.org\n"), "{text}");
    let mut cmd = env.kamaki();
    cmd.args(["server", "info", "4242"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "No server with id 4242\n|  To get a list of all servers\n|    kamaki server list\n|  404 Not Found itemNotFound (Server not found)\n"
    );
    let mut cmd = env.kamaki();
    cmd.args(["server", "info", "abc"]);
    let out = run(cmd).await;
    assert!(
        stderr(&out).starts_with("Invalid server id abc\n"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn server_create_sends_kamaki_body_and_waits() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/images/img-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"image": {
            "id": "img-1", "name": "Debian", "status": "ACTIVE", "metadata": {"os": "debian", "users": "root"}}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/compute/v2.0/servers"))
        .and(body_json(json!({"server": {
            "name": "web-01", "flavorRef": "3", "imageRef": "img-1",
            "metadata": {"os": "debian", "role": "front", "users": "root"},
            "networks": [{"uuid": "7"}, {"uuid": "2", "fixed_ip": "203.0.113.40"}],
            "SNF:key_names": ["laptop"], "project": "p-1"}})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"server": {
            "id": 1201, "name": "web-01", "status": "BUILD", "adminPass": "Zq8vT2mLx4", "progress": 0,
            "links": []}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/servers/1201"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"server": server_json(1201, "web-01", "ACTIVE")})),
        )
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args([
        "server",
        "create",
        "--name",
        "web-01",
        "--flavor-id",
        "3",
        "--image-id",
        "img-1",
        "--network",
        "7",
        "--network",
        "id=2,ip=203.0.113.40",
        "--key-name",
        "laptop",
        "-m",
        "role=front",
        "--project-id",
        "p-1",
        "-w",
    ]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("adminPass: Zq8vT2mLx4\n"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("Server 1201 status: ACTIVE"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn server_start_refuses_an_active_server() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/servers/1201"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"server": server_json(1201, "web-01", "ACTIVE")})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/compute/v2.0/servers/1201/action"))
        .respond_with(ResponseTemplate::new(202))
        .expect(0)
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["server", "start", "1201"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "Server 1201 is already ACTIVE\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_modify_and_tags() {
    let (server, env) = cloud().await;
    Mock::given(method("PUT"))
        .and(path("/compute/v2.0/servers/1201"))
        .and(body_json(json!({"server": {"name": "web-02"}})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/compute/v2.0/servers/1201/metadata"))
        .and(body_json(json!({"metadata": {"role": "frontend"}})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"metadata": {"role": "frontend"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/servers/1201/tags/blue"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args([
        "server",
        "modify",
        "1201",
        "--name",
        "web-02",
        "--metadata-set",
        "role=frontend",
    ]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let mut cmd = env.kamaki();
    cmd.args(["server", "tagexists", "1201", "-t", "blue"]);
    assert_eq!(stdout(&run(cmd).await), "True\n");
    let mut cmd = env.kamaki();
    cmd.args(["server", "modify", "1201"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn keypair_upload_clash_needs_force() {
    let (server, env) = cloud().await;
    Mock::given(method("POST"))
        .and(path("/compute/v2.0/os-keypairs"))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"conflict": {"code": 409, "message": "Key pair 'laptop' already exists.", "details": ""}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/os-keypairs"))
        .and(query_param("nothing", "x"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args([
        "keypair",
        "upload",
        "--public-key",
        "ssh-ed25519 AAAA maria",
        "--key-name",
        "laptop",
    ]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("(409) Conflict conflict (Key pair 'laptop' already exists.)\n"),
        "{err}"
    );
    assert!(
        err.contains("|    kamaki keypair upload --key-name laptop -f ..."),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keypair_list_by_name() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/os-keypairs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keypairs": [
            {"keypair": {"name": "laptop", "fingerprint": "aa:bb", "public_key": "ssh-ed25519 AAAA"}}]})))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["keypair", "list"]);
    assert_eq!(stdout(&run(cmd).await), "laptop\n    fingerprint: aa:bb\n");
}
