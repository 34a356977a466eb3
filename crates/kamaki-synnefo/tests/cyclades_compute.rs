//! Cyclades compute against wiremock: server creation with Synnefo's
//! fields, actions, console, firewall, reassign, stats, diagnostics, volume
//! attachments, tags, flavors, waiters and error shapes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kamaki_core::{ErrorKind, WaitCheck, WaitOptions, WaitOutcome};
use kamaki_openstack::compute::{
    ComputeClient, ListServersOptions, NetworkRequest, Personality, ServerStatus,
};
use kamaki_synnefo::cyclades::{
    ConsoleType, CreateServer, CycladesClient, CycladesComputeClient, FinalStatus, FirewallProfile,
    ListFlavorsOptions, SynnefoServer,
};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const P: &str = "/compute/v2.0";

async fn setup() -> (MockServer, CycladesClient) {
    let mock = MockServer::start().await;
    let client = CycladesClient::new(&format!("{}/compute", mock.uri()), "tok").unwrap();
    (mock, client)
}

fn fast(max_ms: u64) -> WaitOptions {
    WaitOptions {
        delay: Duration::from_millis(10),
        max_wait: Duration::from_millis(max_ms),
    }
}

fn server_json(id: u64, status: &str) -> Value {
    json!({
        "id": id, "name": "web-1",
        "links": [{"href": format!("https://c.example.org/compute/v2.0/servers/{id}"), "rel": "self"},
                  {"href": format!("https://c.example.org/compute/v2.0/servers/{id}"), "rel": "bookmark"}],
        "user_id": "a1b2-user", "tenant_id": "p9-project", "shared_to_project": false,
        "status": status, "SNF:task_state": "", "progress": 100,
        "hostId": "", "created": "2017-05-02T10:00:00.000000+00:00",
        "updated": "2017-05-02T10:03:10.000000+00:00",
        "flavor": {"id": 3, "links": [{"href": "https://c.example.org/compute/v2.0/flavors/3", "rel": "self"}]},
        "image": {"id": "img-uuid", "links": []},
        "suspended": false,
        "metadata": {"os": "debian", "users": "root"},
        "tags": ["web"],
        "attachments": [{"id": 501, "network_id": "77", "mac_address": "aa:00:00:11:22:33",
                         "firewallProfile": "DISABLED", "ipv4": "203.0.113.5", "ipv6": "",
                         "OS-EXT-IPS:type": "floating"}],
        "addresses": {"77": [{"version": 4, "addr": "203.0.113.5", "OS-EXT-IPS:type": "floating"}]},
        "volumes": [812, 813],
        "diagnostics": [{"level": "DEBUG", "created": "2017-05-02T10:03:09.000000+00:00",
                         "source": "image-info", "source_date": "2017-05-02T10:03:08.000000+00:00",
                         "message": "Image customization finished", "details": null}],
        "security_groups": [{"name": "default"}],
        "key_name": "laptop", "SNF:key_names": ["laptop"],
        "config_drive": "", "accessIPv4": "", "accessIPv6": "",
        "SNF:fqdn": "snf-42.vm.example.org", "SNF:port_forwarding": {},
        "deleted": false, "SNF:rescue": false
    })
}

fn image_json() -> Value {
    json!({"image": {"id": "img-uuid", "name": "Debian 9", "status": "ACTIVE", "progress": 100,
        "created": "2017-01-01T00:00:00+00:00", "updated": "2017-01-01T00:00:00+00:00",
        "user_id": "owner-uuid", "tenant_id": "owner-uuid", "public": true, "is_snapshot": false,
        "metadata": {"os": "debian", "users": "root", "osfamily": "linux"}, "links": []}})
}

fn fault(name: &str, code: u16, message: &str, details: &str) -> Value {
    json!({ name: {"code": code, "message": message, "details": details} })
}

async fn mount_image(mock: &MockServer, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/img-uuid")))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(image_json()))
        .expect(times)
        .mount(mock)
        .await;
}

fn created_reply(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"server": {
        "id": 42, "name": "web-1", "status": "BUILD", "progress": 0,
        "adminPass": "Xy7pQ2rT9k", "metadata": {"os": "debian", "users": "root"},
        "attachments": [], "addresses": {}, "volumes": [], "SNF:task_state": "BUILDING",
        "links": [], "user_id": "a1b2-user", "tenant_id": "p9-project", "new_field": [1, 2]}}))
}

/// Answers with the given server statuses in turn, then the last one forever.
struct Statuses {
    seq: Vec<&'static str>,
    n: Arc<AtomicUsize>,
}

impl Respond for Statuses {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.n.fetch_add(1, Ordering::SeqCst);
        let s = self.seq[i.min(self.seq.len() - 1)];
        if s == "404" {
            return ResponseTemplate::new(404).set_body_json(fault(
                "itemNotFound",
                404,
                "Server 42 not found",
                "",
            ));
        }
        let mut body = server_json(42, s);
        body["progress"] = json!(if s == "BUILD" { 40 } else { 100 });
        ResponseTemplate::new(200).set_body_json(json!({ "server": body }))
    }
}

async fn mount_statuses(mock: &MockServer, seq: Vec<&'static str>) -> Arc<AtomicUsize> {
    let n = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(Statuses { seq, n: n.clone() })
        .mount(mock)
        .await;
    n
}

// ---------------------------------------------------------------------------
// Client

#[test]
fn constants_endpoint_and_composition() {
    assert_eq!(CycladesComputeClient::SERVICE_TYPE, "compute");
    assert_eq!(CycladesClient::DEFAULT_API_VERSION, "2.0");
    let c = CycladesComputeClient::new("https://c.example.org/compute/", "t").unwrap();
    assert_eq!(c.endpoint().as_str(), "https://c.example.org/compute/v2.0");
    assert_eq!(
        c.compute().endpoint().as_str(),
        "https://c.example.org/compute/v2.0"
    );
    let shared = CycladesClient::with_http("https://x.org/compute/v2.0", c.http().clone()).unwrap();
    assert_eq!(shared.endpoint().as_str(), "https://x.org/compute/v2.0");
    let from: CycladesClient = ComputeClient::new("https://y.org/compute", "t")
        .unwrap()
        .into();
    assert_eq!(from.endpoint().as_str(), "https://y.org/compute/v2.0");
    let err = CycladesClient::new("not a url", "t").unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

// ---------------------------------------------------------------------------
// Create

#[tokio::test]
async fn create_server_without_networks_uses_the_default_policy() {
    let (mock, c) = setup().await;
    mount_image(&mock, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .and(header("X-Auth-Token", "tok"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(
            json!({"server": {"name": "My Debian Server", "flavorRef": 1,
            "imageRef": "img-uuid", "metadata": {"os": "debian", "users": "root"}}}),
        ))
        .respond_with(created_reply(202))
        .expect(1)
        .mount(&mock)
        .await;
    let srv = c
        .create_server(&CreateServer::new("My Debian Server", 1u64, "img-uuid"))
        .await
        .unwrap();
    assert_eq!(srv.id, "42");
    assert_eq!(srv.status, ServerStatus::Build);
    assert_eq!(srv.progress, Some(0));
    assert_eq!(srv.admin_pass.as_deref(), Some("Xy7pQ2rT9k"));
    assert_eq!(srv.task_state(), Some("BUILDING"));
    assert!(srv.volumes().is_empty());
    assert_eq!(srv.extra["new_field"], json!([1, 2]));
}

#[tokio::test]
async fn create_server_with_empty_networks_asks_for_no_network() {
    let (mock, c) = setup().await;
    mount_image(&mock, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .and(body_json(
            json!({"server": {"name": "My Ubuntu Server", "flavorRef": 3,
            "imageRef": "img-uuid", "metadata": {"os": "debian", "users": "root"},
            "networks": []}}),
        ))
        .respond_with(created_reply(202))
        .expect(1)
        .mount(&mock)
        .await;
    let req = CreateServer {
        networks: Some(vec![]),
        ..CreateServer::new("My Ubuntu Server", 3u64, "img-uuid")
    };
    let srv = c.create_server(&req).await.unwrap();
    assert_eq!(srv.name, "web-1");
}

#[tokio::test]
async fn create_server_with_everything() {
    let (mock, c) = setup().await;
    mount_image(&mock, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .and(body_json(json!({"server": {
            "name": "web-1", "flavorRef": 3, "imageRef": "img-uuid",
            "key_name": "laptop",
            "metadata": {"os": "windows", "users": "root", "role": "frontend"},
            "personality": [{"path": "/etc/motd", "contents": "SGVsbG8K", "owner": "root",
                             "group": "root", "mode": 420}],
            "networks": [{"uuid": "77", "fixed_ip": "203.0.113.5"}, {"uuid": "3141"}, {"port": "9001"}],
            "project": "p9-project",
            "tags": ["web"],
            "user_data": "I2Nsb3VkLWNvbmZpZwo=",
            "shared_to_project": false
        }})))
        .respond_with(created_reply(202))
        .expect(1)
        .mount(&mock)
        .await;
    let req = CreateServer {
        key_name: Some("laptop".into()),
        metadata: BTreeMap::from([
            ("os".to_string(), "windows".to_string()),
            ("role".to_string(), "frontend".to_string()),
        ]),
        personality: vec![Personality {
            owner: Some("root".into()),
            group: Some("root".into()),
            mode: Some(0o644),
            ..Personality::from_bytes("/etc/motd", b"Hello\n")
        }],
        networks: Some(vec![
            NetworkRequest::network_with_ip("77", "203.0.113.5"),
            NetworkRequest::network("3141"),
            NetworkRequest::port("9001"),
        ]),
        project: Some("p9-project".into()),
        tags: Some(vec!["web".into()]),
        user_data: Some(b"#cloud-config\n".to_vec()),
        shared_to_project: Some(false),
        ..CreateServer::new("web-1", 3u64, "img-uuid")
    };
    c.create_server(&req).await.unwrap();
}

#[tokio::test]
async fn create_server_with_key_names_and_string_flavor() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .and(body_json(json!({"server": {"name": "s", "flavorRef": "3",
            "imageRef": "img-uuid", "SNF:key_names": ["a", "b"], "networks": []}})))
        .respond_with(created_reply(202))
        .expect(1)
        .mount(&mock)
        .await;
    let req = CreateServer {
        key_names: vec!["a".into(), "b".into(), "a".into()],
        networks: Some(vec![]),
        skip_image_metadata: true,
        ..CreateServer::new("s", "3", "img-uuid")
    };
    c.create_server(&req).await.unwrap();
}

#[tokio::test]
async fn create_server_stops_when_the_image_is_missing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/gone")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Image gone not found",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .respond_with(created_reply(202))
        .expect(0)
        .mount(&mock)
        .await;
    let err = c
        .create_server(&CreateServer::new("s", 1u64, "gone"))
        .await
        .unwrap_err();
    assert_eq!((err.status, err.kind), (404, ErrorKind::Http));
    assert!(err.is_not_found());
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Image gone not found)\n"
    );
    assert!(err.details.is_empty());
}

#[tokio::test]
async fn create_server_over_quota_is_an_over_limit_error() {
    let (mock, c) = setup().await;
    mount_image(&mock, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .respond_with(ResponseTemplate::new(413).set_body_json(fault(
            "overLimit",
            413,
            "Resource Limit Exceeded for your account.",
            "Limit for resource 'Virtual Machine' exceeded for your account. Available: 0, Requested: 1",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .create_server(&CreateServer::new("s", 1u64, "img-uuid"))
        .await
        .unwrap_err();
    assert_eq!(err.status, 413);
    assert_eq!(err.kind, ErrorKind::Http);
    assert_eq!(err.fault_name.as_deref(), Some("overLimit"));
    assert!(
        err.message
            .ends_with("overLimit (Resource Limit Exceeded for your account.)\n"),
        "{}",
        err.message
    );
    assert_eq!(
        err.details,
        ["Limit for resource 'Virtual Machine' exceeded for your account. Available: 0, Requested: 1"]
    );
}

#[tokio::test]
async fn create_server_bad_input_sends_nothing() {
    let (mock, c) = setup().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(created_reply(202))
        .expect(0)
        .mount(&mock)
        .await;
    let bad = [
        CreateServer {
            key_name: Some("a".into()),
            key_names: vec!["b".into()],
            ..CreateServer::new("s", 1u64, "img-uuid")
        },
        CreateServer::new("", 1u64, "img-uuid"),
        CreateServer::new("n".repeat(256), 1u64, "img-uuid"),
        CreateServer::new("s", "", "img-uuid"),
        CreateServer {
            tags: Some(vec!["a/b".into()]),
            ..CreateServer::new("s", 1u64, "img-uuid")
        },
        CreateServer {
            project: Some(" ".into()),
            ..CreateServer::new("s", 1u64, "img-uuid")
        },
    ];
    for req in bad {
        let err = c.create_server(&req).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{req:?}");
        assert_eq!(err.status, 0);
    }
}

// ---------------------------------------------------------------------------
// Details, listing, rename, delete

#[tokio::test]
async fn get_server_details_reads_synnefo_members() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"server": server_json(42, "ACTIVE")})),
        )
        .expect(3)
        .mount(&mock)
        .await;
    let srv = c.get_server_details("42").await.unwrap();
    assert_eq!(srv, c.get_server("42").await.unwrap());
    // the tutorial's example 1.4: srv['name'], srv['metadata']['os']
    let info = c.get_server_info("42").await.unwrap();
    assert_eq!(
        (info.name.as_str(), info.metadata["os"].as_str()),
        ("web-1", "debian")
    );
    assert_eq!(srv.status, ServerStatus::Active);
    assert_eq!(srv.metadata["os"], "debian");
    assert_eq!(srv.addresses["77"][0].addr, "203.0.113.5");
    // the seed's `srv['volumes'][0]`
    assert_eq!(srv.volumes()[0], "812");
    let nic = &srv.attachments()[0];
    assert_eq!(nic.id, "501");
    assert_eq!(nic.firewall_profile.as_deref(), Some("DISABLED"));
    assert_eq!(srv.fqdn(), Some("snf-42.vm.example.org"));
    assert_eq!(srv.task_state(), None);
    assert_eq!(srv.key_names(), ["laptop"]);
    assert_eq!(
        srv.diagnostics()[0].message.as_deref(),
        Some("Image customization finished")
    );
    assert!(!srv.is_deleted());
    assert_eq!(srv.extra["SNF:port_forwarding"], json!({}));
}

#[tokio::test]
async fn get_server_not_found_keeps_status_message_details() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/9999")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Server 9999 not found",
            "deleted and purged",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.get_server("9999").await.unwrap_err();
    assert_eq!((err.status, err.kind), (404, ErrorKind::Http));
    assert!(err.is_not_found());
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Server 9999 not found)\n"
    );
    assert_eq!(err.details, ["deleted and purged"]);
}

#[tokio::test]
async fn list_servers_forwards_filters() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/detail")))
        .and(query_param("changes-since", "2017-05-02T10:00:00Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            server_json(42, "ACTIVE"),
            {"id": 43, "name": "gone", "status": "DELETED", "deleted": true, "links": []}
        ]})))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListServersOptions {
        detail: true,
        changes_since: Some("2017-05-02T10:00:00Z".into()),
        ..Default::default()
    };
    let list = c.list_servers(&opts).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].status, ServerStatus::Deleted);
    assert!(list[1].is_deleted());
}

#[tokio::test]
async fn list_servers_brief_with_integer_ids() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .and(query_param_is_missing("changes-since"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            {"id": 42, "name": "web-1", "links": [{"href": "x", "rel": "self"}]}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let list = c
        .list_servers(&ListServersOptions::default())
        .await
        .unwrap();
    assert_eq!(list[0].id.to_string(), "42");
    assert_eq!(serde_json::to_value(&list[0].id).unwrap(), json!(42));
}

#[tokio::test]
async fn rename_and_delete_server() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42")))
        .and(body_json(json!({"server": {"name": "web-2"}})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    c.update_server_name("42", "web-2").await.unwrap();
    c.delete_server("42").await.unwrap();
}

#[tokio::test]
async fn delete_deleted_server_is_bad_request() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Server '42' is deleted.",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.delete_server("42").await.unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(
        err.message,
        "Bad Request badRequest (Server '42' is deleted.)\n"
    );
}

#[tokio::test]
async fn server_metadata_forwarding() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/metadata")))
        .and(body_json(json!({"metadata": {"role": "db"}})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(
                json!({"metadata": {"os": "debian", "users": "root", "role": "db"}}),
            ),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42/metadata/role")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let all = c
        .update_server_metadata("42", &BTreeMap::from([("role".into(), "db".into())]))
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    c.delete_server_metadata("42", "role").await.unwrap();
}

#[tokio::test]
async fn server_nics_keep_synnefo_attachments() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/ips")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "addresses": {"77": [{"version": 4, "addr": "203.0.113.5", "OS-EXT-IPS:type": "floating"}]},
            "attachments": [{"id": 501, "network_id": "77"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let nics = c.get_server_nics("42").await.unwrap();
    assert_eq!(nics.addresses["77"][0].ip_type.as_deref(), Some("floating"));
    assert_eq!(nics.extra["attachments"][0]["id"], 501);
}

// ---------------------------------------------------------------------------
// Actions

async fn expect_action(mock: &MockServer, body: Value, status: u16) {
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .and(header("X-Auth-Token", "tok"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(status))
        .expect(1)
        .mount(mock)
        .await;
}

#[tokio::test]
async fn start_server_sends_the_cyclades_action() {
    let (mock, c) = setup().await;
    expect_action(&mock, json!({"start": {}}), 202).await;
    c.start_server("42").await.unwrap();
}

#[tokio::test]
async fn shutdown_server_sends_the_cyclades_action() {
    let (mock, c) = setup().await;
    expect_action(&mock, json!({"shutdown": {}}), 202).await;
    c.shutdown_server("42").await.unwrap();
}

#[tokio::test]
async fn start_server_in_the_wrong_state() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Cannot start server in state ACTIVE",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.start_server("42").await.unwrap_err();
    assert_eq!((err.status, err.kind), (400, ErrorKind::Http));
    assert_eq!(
        err.message,
        "Bad Request badRequest (Cannot start server in state ACTIVE)\n"
    );
}

#[tokio::test]
async fn reboot_and_resize() {
    let (mock, c) = setup().await;
    expect_action(&mock, json!({"reboot": {"type": "HARD"}}), 202).await;
    expect_action(&mock, json!({"resize": {"flavorRef": 4}}), 202).await;
    c.reboot_server("42", true).await.unwrap();
    c.resize_server("42", 4u64).await.unwrap();
}

#[tokio::test]
async fn console_is_a_200_action() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .and(body_json(json!({"console": {"type": "vnc-wss"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"console": {
            "type": "vnc-wss", "host": "vnc.example.org", "port": 6123,
            "password": "temporarypw", "url": "wss://vnc.example.org:6123"}})))
        .expect(1)
        .mount(&mock)
        .await;
    let con = c
        .get_server_console("42", ConsoleType::VncWss)
        .await
        .unwrap();
    assert_eq!(con.console_type, "vnc-wss");
    assert_eq!(con.host.as_deref(), Some("vnc.example.org"));
    assert_eq!(con.port, Some(6123));
    assert_eq!(con.password.as_deref(), Some("temporarypw"));
    assert_eq!(con.extra["url"], "wss://vnc.example.org:6123");
}

#[tokio::test]
async fn console_refuses_a_202() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .get_server_console("42", ConsoleType::Vnc)
        .await
        .unwrap_err();
    assert_eq!(err.status, 202);
}

#[tokio::test]
async fn firewall_profile_names_the_nic() {
    let (mock, c) = setup().await;
    expect_action(
        &mock,
        json!({"firewallProfile": {"profile": "PROTECTED", "nic": "501"}}),
        202,
    )
    .await;
    c.set_firewall_profile("42", FirewallProfile::Protected, "501")
        .await
        .unwrap();
}

#[tokio::test]
async fn reassign_server_is_a_200_action() {
    let (mock, c) = setup().await;
    expect_action(&mock, json!({"reassign": {"project": "p10-project"}}), 200).await;
    c.reassign_server("42", "p10-project").await.unwrap();
}

#[tokio::test]
async fn reassign_over_project_quota() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .respond_with(ResponseTemplate::new(413).set_body_json(fault(
            "overLimit",
            413,
            "Resource Limit Exceeded for your account.",
            "Limit for resource 'CPU' exceeded",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.reassign_server("42", "p10").await.unwrap_err();
    assert_eq!(err.status, 413);
    assert_eq!(err.details, ["Limit for resource 'CPU' exceeded"]);
}

#[tokio::test]
async fn floating_ip_actions() {
    let (mock, c) = setup().await;
    expect_action(
        &mock,
        json!({"addFloatingIp": {"address": "203.0.113.5"}}),
        202,
    )
    .await;
    expect_action(
        &mock,
        json!({"removeFloatingIp": {"address": "203.0.113.5"}}),
        202,
    )
    .await;
    c.add_floating_ip("42", "203.0.113.5").await.unwrap();
    c.remove_floating_ip("42", "203.0.113.5").await.unwrap();
}

#[tokio::test]
async fn actions_refuse_bad_ids_without_sending() {
    let (mock, c) = setup().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(202))
        .expect(0)
        .mount(&mock)
        .await;
    let long = "9".repeat(300);
    for id in ["", "  ", long.as_str()] {
        assert_eq!(
            c.start_server(id).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            c.reassign_server(id, "p").await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            c.get_server_stats(id).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
    }
    assert_eq!(
        c.reassign_server("42", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        c.set_firewall_profile("42", FirewallProfile::Enabled, "")
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        c.attach_volume("42", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

// ---------------------------------------------------------------------------
// Stats, diagnostics

#[tokio::test]
async fn server_stats() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/stats")))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"stats": {
            "serverRef": 42, "refresh": 60,
            "cpuBar": "https://stats.example.org/cpu-bar/42",
            "cpuTimeSeries": "https://stats.example.org/cpu-ts/42",
            "netBar": "https://stats.example.org/net-bar/42",
            "netTimeSeries": "https://stats.example.org/net-ts/42",
            "diskTimeSeries": "https://stats.example.org/disk-ts/42"}})))
        .expect(1)
        .mount(&mock)
        .await;
    let st = c.get_server_stats("42").await.unwrap();
    assert_eq!(st.server_ref.unwrap(), "42");
    assert_eq!(st.refresh, Some(60));
    assert_eq!(
        st.cpu_bar.as_deref(),
        Some("https://stats.example.org/cpu-bar/42")
    );
    assert_eq!(
        st.net_time_series.as_deref(),
        Some("https://stats.example.org/net-ts/42")
    );
    assert_eq!(
        st.extra["diskTimeSeries"],
        "https://stats.example.org/disk-ts/42"
    );
}

#[tokio::test]
async fn server_diagnostics_are_a_bare_array() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/diagnostics")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"level": "DEBUG", "created": "2017-05-02T10:03:09+00:00", "source": "image-info",
             "source_date": "2017-05-02T10:03:08+00:00", "message": "Image customization finished",
             "details": null},
            {"level": "ERROR", "created": "2017-05-02T10:04:00+00:00", "source": "ganeti",
             "message": "Disk failed", "details": "Traceback ...", "job": 17}
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    let d = c.get_server_diagnostics("42").await.unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].source.as_deref(), Some("image-info"));
    assert_eq!(d[0].details, None);
    assert_eq!(d[1].source_date, None);
    assert_eq!(d[1].details.as_deref(), Some("Traceback ..."));
    assert_eq!(d[1].extra["job"], 17);
}

// ---------------------------------------------------------------------------
// Volume attachments

fn attachment(id: u64) -> Value {
    json!({"id": id, "volumeId": id, "serverId": 42, "device": "", "future": true})
}

#[tokio::test]
async fn list_and_get_volume_attachments() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/os-volume_attachments")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"volumeAttachments": [attachment(812), attachment(813)]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/os-volume_attachments/813")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volumeAttachment": attachment(813)})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let all = c.list_volume_attachments("42").await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].volume_id.as_ref().unwrap(), "812");
    assert_eq!(all[0].server_id.as_ref().unwrap(), "42");
    let one = c.get_volume_attachment("42", "813").await.unwrap();
    assert_eq!(one.id, "813");
    assert_eq!(one.device.as_deref(), Some(""));
    assert_eq!(one.extra["future"], true);
}

#[tokio::test]
async fn attach_volume_is_202() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/os-volume_attachments")))
        .and(body_json(json!({"volumeAttachment": {"volumeId": "812"}})))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"volumeAttachment": attachment(812)})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let att = c.attach_volume("42", "812").await.unwrap();
    assert_eq!(att.id, "812");
}

#[tokio::test]
async fn attach_volume_to_a_running_server_without_hotplug() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/os-volume_attachments")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Cannot attach volume while server is running",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.attach_volume("42", "812").await.unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(err.fault_name.as_deref(), Some("badRequest"));
}

#[tokio::test]
async fn detach_volume_deletes_matching_attachments_only() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/os-volume_attachments")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"volumeAttachments": [attachment(812), attachment(813)]})),
        )
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42/os-volume_attachments/813")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let gone = c.detach_volume("42", "813").await.unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].id, "813");
    assert!(c.detach_volume("42", "999").await.unwrap().is_empty());
}

#[tokio::test]
async fn delete_volume_attachment_is_202() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42/os-volume_attachments/812")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    c.delete_volume_attachment("42", "812").await.unwrap();
}

// ---------------------------------------------------------------------------
// Tags

#[tokio::test]
async fn list_and_replace_tags_keep_statuses() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/tags")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"tags": ["web", "prod"], "statuses": ["ACTIVE", "PENDADD"], "x": 1}),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42/tags")))
        .and(body_json(json!({"tags": ["db"]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"tags": ["db"], "statuses": ["PENDADD"]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let t = c.list_tags("42").await.unwrap();
    assert_eq!(t.tags, ["web", "prod"]);
    assert_eq!(t.status_of("prod"), Some("PENDADD"));
    assert_eq!(t.status_of("none"), None);
    assert_eq!(t.extra["x"], 1);
    let t = c.replace_tags("42", &["db".to_string()]).await.unwrap();
    assert_eq!(t.status_of("db"), Some("PENDADD"));
}

#[tokio::test]
async fn tag_status_add_check_delete() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/tags/web")))
        .respond_with(ResponseTemplate::new(204).insert_header("tag-status", "ACTIVE"))
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/tags/nope")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Tag nope not found",
            "",
        )))
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42/tags/new%20tag")))
        .respond_with(ResponseTemplate::new(201).insert_header("Location", "x"))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42/tags/web")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(
        c.get_tag_status("42", "web").await.unwrap().as_deref(),
        Some("ACTIVE")
    );
    assert!(c.check_tag_exists("42", "web").await.unwrap());
    assert!(!c.check_tag_exists("42", "nope").await.unwrap());
    let err = c.get_tag_status("42", "nope").await.unwrap_err();
    assert!(err.is_not_found());
    c.add_tag("42", "new tag").await.unwrap();
    c.delete_tag("42", "web").await.unwrap();
    assert_eq!(
        c.add_tag("42", "a,b").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

// ---------------------------------------------------------------------------
// Flavors, images, keypairs

#[tokio::test]
async fn list_flavors_with_synnefo_filters() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors/detail")))
        .and(query_param("SNF:is_public", "true"))
        .and(query_param("SNF:flavor-access", "p9-project"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavors": [
            {"id": 3, "name": "C2R2048D20ext_archipelago", "ram": 2048, "disk": 20, "vcpus": 2,
             "os-flavor-access:is_public": true, "SNF:disk_template": "ext_archipelago",
             "SNF:volume_type": 1, "SNF:allow_create": true, "SNF:flavor-access": ["p9-project"],
             "links": [{"href": "https://c.example.org/compute/v2.0/flavors/3", "rel": "self"}]}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListFlavorsOptions {
        detail: true,
        is_public: true,
        project: Some("p9-project".into()),
        ..Default::default()
    };
    let f = c.list_flavors(&opts).await.unwrap();
    assert_eq!(f[0].id, "3");
    assert_eq!(
        (f[0].ram, f[0].disk, f[0].vcpus),
        (Some(2048), Some(20), Some(2))
    );
    assert_eq!(f[0].is_public, Some(true));
    assert_eq!(f[0].extra["SNF:disk_template"], "ext_archipelago");
}

#[tokio::test]
async fn list_flavors_without_filters_sends_none() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors")))
        .and(query_param_is_missing("SNF:is_public"))
        .and(query_param_is_missing("SNF:flavor-access"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"flavors": [{"id": 1, "name": "C1R1024D20", "links": []}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let f = c
        .list_flavors(&ListFlavorsOptions::default())
        .await
        .unwrap();
    assert_eq!(f[0].name, "C1R1024D20");
}

#[tokio::test]
async fn flavor_and_image_details() {
    let (mock, c) = setup().await;
    mount_image(&mock, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors/3")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavor": {
            "id": 3, "name": "C2R2048D20", "ram": 2048, "disk": 20, "vcpus": 2,
            "SNF:volume_type": 1, "deleted": false, "links": []}})))
        .expect(1)
        .mount(&mock)
        .await;
    let f = c.get_flavor_details("3").await.unwrap();
    assert_eq!(f.extra["SNF:volume_type"], 1);
    let i = c.get_image_details("img-uuid").await.unwrap();
    assert_eq!(i.metadata["osfamily"], "linux");
    assert_eq!(i.extra["is_snapshot"], false);
}

#[tokio::test]
async fn keypairs_forwarding() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/os-keypairs")))
        .and(body_json(json!({"keypair": {"name": "laptop"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"keypair": {
            "name": "laptop", "fingerprint": "aa:bb", "public_key": "ssh-rsa AAA",
            "private_key": "-----BEGIN RSA PRIVATE KEY-----", "user_id": "a1b2-user"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/os-keypairs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keypairs": [
            {"keypair": {"name": "laptop", "fingerprint": "aa:bb", "public_key": "ssh-rsa AAA"}}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/os-keypairs/laptop")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let k = c.create_key("laptop", None).await.unwrap();
    assert!(k.private_key.unwrap().starts_with("-----BEGIN"));
    assert_eq!(c.list_keypairs().await.unwrap()[0].name, "laptop");
    c.delete_keypair("laptop").await.unwrap();
}

// ---------------------------------------------------------------------------
// Waiters

#[tokio::test]
async fn wait_server_returns_at_once_when_built() {
    let (mock, c) = setup().await;
    let n = mount_statuses(&mock, vec!["ACTIVE"]).await;
    let out = c.wait_server("42").await.unwrap();
    assert!(out.reached());
    assert_eq!(out.final_status(), ServerStatus::Active);
    assert_eq!(n.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn wait_server_while_build_reaches_active() {
    let (mock, c) = setup().await;
    let n = mount_statuses(&mock, vec!["BUILD", "BUILD", "ACTIVE"]).await;
    let out = c
        .wait_server_while("42", "BUILD", &fast(5000))
        .await
        .unwrap();
    assert!(matches!(out, WaitOutcome::Reached(ref s) if s.status == ServerStatus::Active));
    assert_eq!(out.final_status(), ServerStatus::Active);
    assert_eq!(n.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn wait_server_while_build_ends_on_error_too() {
    let (mock, c) = setup().await;
    mount_statuses(&mock, vec!["BUILD", "ERROR"]).await;
    let out = c
        .wait_server_while("42", "BUILD", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
    assert_eq!(out.final_status(), ServerStatus::Error);
}

#[tokio::test]
async fn wait_server_until_active_reaches_it() {
    let (mock, c) = setup().await;
    mount_statuses(&mock, vec!["BUILD", "BUILD", "BUILD", "ACTIVE"]).await;
    let mut seen = Vec::new();
    let out = c
        .wait_server_with(
            "42",
            &fast(5000),
            |s| {
                if s.status == ServerStatus::Active {
                    WaitCheck::Reached
                } else {
                    WaitCheck::Continue
                }
            },
            |s| seen.push(s.progress),
        )
        .await
        .unwrap();
    assert!(out.reached());
    assert_eq!(seen, [Some(40), Some(40), Some(40), Some(100)]);
    let out = c
        .wait_server_until("42", "ACTIVE", &fast(5000))
        .await
        .unwrap();
    assert_eq!(out.final_status(), ServerStatus::Active);
}

#[tokio::test]
async fn wait_server_until_times_out_with_the_last_state() {
    let (mock, c) = setup().await;
    let n = mount_statuses(&mock, vec!["BUILD"]).await;
    let out = c
        .wait_server_until("42", "ACTIVE", &fast(60))
        .await
        .unwrap();
    match &out {
        WaitOutcome::TimedOut(Some(s)) => assert_eq!(s.status, ServerStatus::Build),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(out.final_status(), ServerStatus::Build);
    assert!(n.load(Ordering::SeqCst) >= 2);
}

#[tokio::test]
async fn wait_server_until_active_does_not_stop_on_error() {
    let (mock, c) = setup().await;
    mount_statuses(&mock, vec!["ERROR"]).await;
    let out = c
        .wait_server_until("42", "ACTIVE", &fast(50))
        .await
        .unwrap();
    assert!(matches!(out, WaitOutcome::TimedOut(_)));
    assert_eq!(out.final_status(), ServerStatus::Error);
}

#[tokio::test]
async fn wait_server_until_stopped_after_shutdown() {
    let (mock, c) = setup().await;
    expect_action(&mock, json!({"shutdown": {}}), 202).await;
    mount_statuses(&mock, vec!["ACTIVE", "STOPPED"]).await;
    c.shutdown_server("42").await.unwrap();
    let out = c
        .wait_server_until("42", "STOPPED", &fast(5000))
        .await
        .unwrap();
    assert_eq!(out.final_status(), ServerStatus::Stopped);
}

#[tokio::test]
async fn wait_poll_errors_propagate() {
    let (mock, c) = setup().await;
    mount_statuses(&mock, vec!["BUILD", "404"]).await;
    let err = c
        .wait_server_while("42", "BUILD", &fast(5000))
        .await
        .unwrap_err();
    assert_eq!(err.status, 404);
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Server 42 not found)\n"
    );
}

#[tokio::test]
async fn wait_server_deleted_treats_404_as_done() {
    let (mock, c) = setup().await;
    mount_statuses(&mock, vec!["ACTIVE", "ACTIVE", "404"]).await;
    let out = c.wait_server_deleted("42", &fast(5000)).await.unwrap();
    assert_eq!(out, WaitOutcome::Reached(None));
    assert_eq!(out.final_status(), ServerStatus::Deleted);
}

#[tokio::test]
async fn wait_server_deleted_accepts_the_deleted_status() {
    let (mock, c) = setup().await;
    mount_statuses(&mock, vec!["ACTIVE", "DELETED"]).await;
    let out = c.wait_server_deleted("42", &fast(5000)).await.unwrap();
    assert!(matches!(out, WaitOutcome::Reached(Some(ref s)) if s.status == ServerStatus::Deleted));
}

#[tokio::test]
async fn wait_server_deleted_times_out_with_the_last_server() {
    let (mock, c) = setup().await;
    mount_statuses(&mock, vec!["ACTIVE"]).await;
    let out = c.wait_server_deleted("42", &fast(40)).await.unwrap();
    assert!(matches!(out, WaitOutcome::TimedOut(Some(Some(_)))));
    assert_eq!(out.final_status(), ServerStatus::Active);
}

#[tokio::test]
async fn seed_batch_create_then_wait() {
    // the tutorial's "Batch-create servers": create with networks=[] then wait_server
    let (mock, c) = setup().await;
    mount_image(&mock, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .and(body_json(
            json!({"server": {"name": "My Debian Server", "flavorRef": 1,
            "imageRef": "img-uuid", "metadata": {"os": "debian", "users": "root"},
            "networks": []}}),
        ))
        .respond_with(created_reply(202))
        .expect(1)
        .mount(&mock)
        .await;
    mount_statuses(&mock, vec!["ACTIVE"]).await;
    let vm = c
        .create_server(&CreateServer {
            networks: Some(vec![]),
            ..CreateServer::new("My Debian Server", 1u64, "img-uuid")
        })
        .await
        .unwrap();
    let state = c.wait_server(vm.id.as_str()).await.unwrap();
    assert_eq!(state.final_status(), ServerStatus::Active);
}
