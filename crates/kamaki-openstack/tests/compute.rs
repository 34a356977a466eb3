#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Wiremock tests of the compute client.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::TryStreamExt;
use kamaki_core::{ErrorKind, QueryParams, WaitCheck, WaitOptions, WaitOutcome};
use kamaki_openstack::compute::{
    ComputeClient, CreateServer, ListFlavorsOptions, ListImagesOptions, ListServersOptions,
    NetworkRequest, Personality, RebuildServer, ServerStatus,
};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: &str = "/compute/v2.0";

async fn setup() -> (MockServer, ComputeClient) {
    let mock = MockServer::start().await;
    let client = ComputeClient::new(&format!("{}/compute", mock.uri()), "tok").unwrap();
    (mock, client)
}

fn fast(max_ms: u64) -> WaitOptions {
    WaitOptions {
        delay: Duration::from_millis(10),
        max_wait: Duration::from_millis(max_ms),
    }
}

fn detailed_server(status: &str) -> Value {
    json!({
        "id": 42, "name": "web-1",
        "links": [{"href": "https://c.example.org/compute/v2.0/servers/42", "rel": "self"}],
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
        "volumes": [812],
        "security_groups": [{"name": "default"}],
        "key_name": "laptop", "SNF:key_names": ["laptop"],
        "config_drive": "", "accessIPv4": "", "accessIPv6": "",
        "SNF:fqdn": "snf-42.vm.example.org", "SNF:port_forwarding": {},
        "deleted": false, "SNF:rescue": false
    })
}

fn fault(name: &str, code: u16, message: &str, details: &str) -> Value {
    json!({ name: {"code": code, "message": message, "details": details} })
}

// ---------------------------------------------------------------------------
// Client

#[test]
fn client_constants_and_endpoint() {
    assert_eq!(ComputeClient::SERVICE_TYPE, "compute");
    assert_eq!(ComputeClient::DEFAULT_API_VERSION, "2.0");
    let c = ComputeClient::new("https://c.example.org/compute/", "t").unwrap();
    assert_eq!(c.endpoint().as_str(), "https://c.example.org/compute/v2.0");
    let c = ComputeClient::new("https://c.example.org/compute/v2.1", "t").unwrap();
    assert_eq!(c.endpoint().as_str(), "https://c.example.org/compute/v2.1");
    let err = ComputeClient::new("not a url", "t").unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let shared = ComputeClient::with_http("https://x.org/compute", c.http().clone()).unwrap();
    assert_eq!(shared.endpoint().as_str(), "https://x.org/compute/v2.0");
}

// ---------------------------------------------------------------------------
// Servers: listing

#[tokio::test]
async fn list_servers_brief() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .and(header("X-Auth-Token", "tok"))
        .and(query_param_is_missing("limit"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            {"id": 42, "name": "web-1", "links": [{"href": "https://c.example.org/compute/v2.0/servers/42", "rel": "self"},
                                                   {"href": "https://c.example.org/compute/servers/42", "rel": "bookmark"}]},
            {"id": "9f0c-uuid", "name": "db", "links": [], "x-new": 1}
        ]})))
        .expect(1)
        .mount(&mock)
        .await;
    let servers = c
        .list_servers(&ListServersOptions::default())
        .await
        .unwrap();
    assert_eq!(servers.len(), 2);
    assert_eq!(servers[0].id, "42");
    assert_eq!(serde_json::to_value(&servers[0].id).unwrap(), json!(42));
    assert_eq!(servers[0].name, "web-1");
    assert_eq!(servers[0].links[1].rel.as_deref(), Some("bookmark"));
    assert_eq!(servers[0].status, ServerStatus::Unknown);
    assert_eq!(servers[1].id, "9f0c-uuid");
    assert_eq!(servers[1].extra["x-new"], json!(1));
}

#[tokio::test]
async fn list_servers_detail_sends_only_given_filters() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/detail")))
        .and(query_param("changes-since", "2017-05-02T10:00:00+00:00"))
        .and(query_param("status", "ACTIVE"))
        .and(query_param("SNF:custom", "x"))
        .and(query_param_is_missing("name"))
        .and(query_param_is_missing("image"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "servers": [detailed_server("ACTIVE")]})))
        .expect(1)
        .mount(&mock)
        .await;
    let mut extra = QueryParams::new();
    extra.push("SNF:custom", "x");
    let opts = ListServersOptions {
        detail: true,
        changes_since: Some("2017-05-02T10:00:00+00:00".into()),
        status: Some("ACTIVE".into()),
        name: Some(String::new()),
        extra_query: extra,
        ..Default::default()
    };
    let servers = c.list_servers(&opts).await.unwrap();
    assert_eq!(servers[0].status, ServerStatus::Active);
    assert_eq!(servers[0].metadata["os"], "debian");
}

#[tokio::test]
async fn list_servers_not_modified_is_empty() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/detail")))
        .and(query_param("changes-since", "2017-05-02T10:00:00Z"))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListServersOptions {
        detail: true,
        changes_since: Some("2017-05-02T10:00:00Z".into()),
        ..Default::default()
    };
    assert!(c.list_servers(&opts).await.unwrap().is_empty());
}

#[tokio::test]
async fn servers_stream_follows_markers_across_two_pages() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            {"id": 1, "name": "a", "links": []}, {"id": 2, "name": "b", "links": []}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .and(query_param("limit", "2"))
        .and(query_param("marker", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            {"id": 3, "name": "c", "links": []}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListServersOptions {
        limit: Some(2),
        ..Default::default()
    };
    let names: Vec<String> = c
        .servers(opts)
        .map_ok(|s| s.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c"]);
}

#[tokio::test]
async fn servers_stream_empty_listing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let all: Vec<_> = c
        .servers(ListServersOptions {
            limit: Some(10),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
}

#[tokio::test]
async fn servers_stream_survives_a_server_ignoring_paging() {
    // Synnefo ignores limit and marker: the whole list comes back each time.
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            {"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let got: Vec<_> = c
        .servers(ListServersOptions {
            limit: Some(3),
            marker: Some("1".into()),
            ..Default::default()
        })
        .map_ok(|s| s.id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, ["2", "3"]);
}

#[tokio::test]
async fn servers_stream_is_lazy() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .expect(0)
        .mount(&mock)
        .await;
    let stream = c.servers(ListServersOptions::default());
    drop(stream);
}

#[tokio::test]
async fn list_servers_error_is_kamaki_layout() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .respond_with(ResponseTemplate::new(401).set_body_json(fault(
            "unauthorized",
            401,
            "Invalid token",
            "",
        )))
        .mount(&mock)
        .await;
    let err = c
        .list_servers(&ListServersOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Http);
    assert_eq!(err.status, 401);
    assert_eq!(err.message, "Unauthorized unauthorized (Invalid token)\n");
    assert!(err.is_unauthorized());
}

// ---------------------------------------------------------------------------
// Servers: details, create, update, delete

#[tokio::test]
async fn get_server_details_parses_synnefo_server() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"server": detailed_server("ACTIVE")})),
        )
        .expect(2)
        .mount(&mock)
        .await;
    let s = c.get_server("42").await.unwrap();
    assert_eq!(s.id, "42");
    assert_eq!(s.status, ServerStatus::Active);
    assert_eq!(s.progress, Some(100));
    assert_eq!(s.flavor.as_ref().unwrap().id.as_ref().unwrap(), "3");
    assert_eq!(s.image.as_ref().unwrap().id.as_ref().unwrap(), "img-uuid");
    assert_eq!(s.addresses["77"][0].addr, "203.0.113.5");
    assert_eq!(s.addresses["77"][0].ip_type.as_deref(), Some("floating"));
    assert_eq!(s.tags, ["web"]);
    assert_eq!(s.key_name.as_deref(), Some("laptop"));
    assert_eq!(s.host_id.as_deref(), Some(""));
    assert_eq!(s.extra["SNF:fqdn"], json!("snf-42.vm.example.org"));
    assert_eq!(s.extra["attachments"][0]["id"], json!(501));
    assert_eq!(s.extra["volumes"], json!([812]));
    // the kamaki name
    let again = c.get_server_details("42").await.unwrap();
    assert_eq!(again, s);
    // nothing lost on the way back out
    let out = serde_json::to_value(&s).unwrap();
    assert_eq!(out["SNF:task_state"], json!(""));
    assert_eq!(out["flavor"]["id"], json!(3));
}

#[tokio::test]
async fn get_server_tolerates_empty_image_and_unknown_status() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/uuid-1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"server": {
            "id": "uuid-1", "name": "vol-boot", "status": "MIGRATING", "image": "",
            "flavor": {"original_name": "m1.small", "vcpus": 1}, "metadata": {"n": 1}, "addresses": null
        }})))
        .mount(&mock)
        .await;
    let s = c.get_server("uuid-1").await.unwrap();
    assert_eq!(s.status, ServerStatus::Other("MIGRATING".into()));
    assert_eq!(s.status.as_str(), "MIGRATING");
    assert!(s.image.is_none());
    assert_eq!(s.flavor.unwrap().extra["original_name"], json!("m1.small"));
    assert_eq!(s.metadata["n"], "1");
    assert!(s.addresses.is_empty());
}

#[tokio::test]
async fn get_server_not_found_keeps_details() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Server 42 not found",
            "deleted",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.get_server("42").await.unwrap_err();
    assert_eq!((err.status, err.is_not_found()), (404, true));
    assert_eq!(err.kind, ErrorKind::Http);
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Server 42 not found)\n"
    );
    assert_eq!(err.details, ["deleted"]);
}

#[tokio::test]
async fn bad_server_ids_are_refused_before_sending() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&mock)
        .await;
    for bad in ["", " ", &"9".repeat(300), "4\n2"] {
        let err = c.get_server(bad).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad:?}");
        assert_eq!(err.status, 0);
    }
    assert_eq!(
        c.delete_server("").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        c.reboot_server("", false).await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn server_id_is_percent_encoded() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/a%20b%2Fc")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"server": {"id": "a b/c"}})))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(c.get_server("a b/c").await.unwrap().id, "a b/c");
}

#[tokio::test]
async fn create_server_sends_full_body() {
    let (mock, c) = setup().await;
    let expected = json!({"server": {
        "name": "web-1", "flavorRef": 3, "imageRef": "img-uuid",
        "metadata": {"os": "debian", "role": "frontend"},
        "personality": [{"path": "/etc/motd", "contents": "SGVsbG8K", "owner": "root", "mode": 420}],
        "networks": [{"uuid": "77", "fixed_ip": "203.0.113.5"}, {"uuid": "3141"}, {"port": "9001"}],
        "tags": ["web"],
        "key_name": "laptop",
        "user_data": "I2Nsb3VkLWNvbmZpZwo=",
        "security_groups": [{"name": "default"}],
        "availability_zone": "az1",
        "adminPass": "S3cretPassw0rd",
        "project": "p9-project"
    }});
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"server": {
            "id": 42, "name": "web-1", "status": "BUILD", "progress": 0,
            "adminPass": "S3cretPassw0rd", "metadata": {"os": "debian", "role": "frontend"},
            "attachments": [], "addresses": {}, "volumes": []}})))
        .expect(1)
        .mount(&mock)
        .await;
    let mut extra = serde_json::Map::new();
    extra.insert("project".into(), json!("p9-project"));
    let mut p = Personality::from_bytes("/etc/motd", b"Hello\n");
    p.owner = Some("root".into());
    p.mode = Some(0o644);
    let req = CreateServer {
        name: "web-1".into(),
        flavor_id: 3u64.into(),
        image_id: "img-uuid".into(),
        metadata: BTreeMap::from([
            ("os".to_string(), "debian".to_string()),
            ("role".to_string(), "frontend".to_string()),
        ]),
        personality: vec![p],
        networks: Some(vec![
            NetworkRequest::network_with_ip("77", "203.0.113.5"),
            NetworkRequest::network("3141"),
            NetworkRequest::port("9001"),
        ]),
        tags: Some(vec!["web".into()]),
        key_name: Some("laptop".into()),
        user_data: Some(b"#cloud-config\n".to_vec()),
        security_groups: vec!["default".into()],
        availability_zone: Some("az1".into()),
        admin_pass: Some("S3cretPassw0rd".into()),
        extra,
        ..Default::default()
    };
    let s = c.create_server(&req).await.unwrap();
    assert_eq!(s.id, "42");
    assert_eq!(s.status, ServerStatus::Build);
    assert_eq!(s.admin_pass.as_deref(), Some("S3cretPassw0rd"));
    assert_eq!(s.progress, Some(0));
}

#[tokio::test]
async fn create_server_with_no_networks_sends_empty_list() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .and(body_json(json!({"server": {
            "name": "My Debian Server", "flavorRef": "1", "imageRef": "my-debian-base-image-id",
            "networks": []}})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"server": {
            "id": 7, "name": "My Debian Server", "status": "BUILD"}})))
        .expect(1)
        .mount(&mock)
        .await;
    let s = c
        .create_server(&CreateServer {
            name: "My Debian Server".into(),
            flavor_id: "1".into(),
            image_id: "my-debian-base-image-id".into(),
            networks: Some(vec![]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.id, "7");
}

#[tokio::test]
async fn create_server_bad_input_sends_nothing() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202))
        .expect(0)
        .mount(&mock)
        .await;
    let ok = CreateServer {
        name: "n".into(),
        flavor_id: 1u64.into(),
        image_id: "i".into(),
        ..Default::default()
    };
    let cases = [
        CreateServer {
            name: String::new(),
            ..ok.clone()
        },
        CreateServer {
            name: "x".repeat(256),
            ..ok.clone()
        },
        CreateServer {
            flavor_id: "".into(),
            ..ok.clone()
        },
        CreateServer {
            image_id: String::new(),
            ..ok.clone()
        },
        CreateServer {
            tags: Some(vec!["a/b".into()]),
            ..ok.clone()
        },
        CreateServer {
            tags: Some(vec!["t".repeat(61)]),
            ..ok.clone()
        },
    ];
    for case in cases {
        let err = c.create_server(&case).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{case:?}");
    }
}

#[tokio::test]
async fn create_server_over_quota() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers")))
        .respond_with(ResponseTemplate::new(413).set_body_json(fault(
            "overLimit",
            413,
            "Resource Limit Exceeded for your account.",
            "Limit for resource 'Virtual Machine' exceeded for your account. Available: 0, Requested: 1",
        )))
        .mount(&mock)
        .await;
    let err = c
        .create_server(&CreateServer {
            name: "n".into(),
            flavor_id: 1u64.into(),
            image_id: "i".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status, 413);
    assert_eq!(err.fault_name.as_deref(), Some("overLimit"));
    assert_eq!(err.details.len(), 1);
    assert!(err.details[0].starts_with("Limit for resource"));
}

#[tokio::test]
async fn update_server_name_puts_name() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42")))
        .and(body_json(json!({"server": {"name": "web-2"}})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    c.update_server_name("42", "web-2").await.unwrap();
    assert_eq!(
        c.update_server_name("42", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn delete_server_and_its_errors() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/43")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Server '43' is already deleted",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    c.delete_server("42").await.unwrap();
    let err = c.delete_server("43").await.unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(
        err.message,
        "Bad Request badRequest (Server '43' is already deleted)\n"
    );
    assert!(err.details.is_empty());
}

// ---------------------------------------------------------------------------
// Metadata

#[tokio::test]
async fn server_metadata_roundtrip() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/metadata")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"metadata": {"os": "debian", "users": "root"}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/metadata/os")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"meta": {"os": "debian"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42/metadata/my%20key")))
        .and(body_json(json!({"meta": {"my key": "ü"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"meta": {"my key": "ü"}})))
        .expect(1)
        .mount(&mock)
        .await;
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
    let all = c.get_server_metadata("42").await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all["users"], "root");
    let one = c.get_server_metadata_item("42", "os").await.unwrap();
    assert_eq!(one["os"], "debian");
    let created = c.create_server_metadata("42", "my key", "ü").await.unwrap();
    assert_eq!(created["my key"], "ü");
    let merged = c
        .update_server_metadata(
            "42",
            &BTreeMap::from([("role".to_string(), "db".to_string())]),
        )
        .await
        .unwrap();
    assert_eq!(merged.len(), 3);
    c.delete_server_metadata("42", "role").await.unwrap();
}

#[tokio::test]
async fn server_metadata_errors() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/metadata")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Virtual Machines cannot have more than 10 metadata items",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .update_server_metadata("42", &BTreeMap::from([("k".to_string(), "v".to_string())]))
        .await
        .unwrap_err();
    assert_eq!(err.status, 400);
    assert!(err.message.contains("cannot have more than 10"));
    let err = c.delete_server_metadata("42", "").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let err = c
        .update_server_metadata("42", &BTreeMap::from([(String::new(), "v".to_string())]))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

// ---------------------------------------------------------------------------
// Tags

#[tokio::test]
async fn server_tags() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/tags")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"tags": ["web", "prod"], "statuses": ["ACTIVE", "PENDADD"]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42/tags")))
        .and(body_json(json!({"tags": ["a", "b"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tags": ["a", "b"]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/tags/web")))
        .respond_with(ResponseTemplate::new(204).insert_header("tag-status", "ACTIVE"))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/tags/nope")))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42/tags/new%20tag")))
        .respond_with(ResponseTemplate::new(201).insert_header("location", "x"))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/servers/42/tags/web")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42/tags/web")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/servers/42/tags")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(c.list_tags("42").await.unwrap(), ["web", "prod"]);
    assert_eq!(
        c.replace_tags("42", &["a".into(), "b".into()])
            .await
            .unwrap(),
        ["a", "b"]
    );
    assert!(c.check_tag_exists("42", "web").await.unwrap());
    assert!(!c.check_tag_exists("42", "nope").await.unwrap());
    c.add_tag("42", "new tag").await.unwrap();
    c.add_tag("42", "web").await.unwrap(); // already there: 204 is fine
    c.delete_tag("42", "web").await.unwrap();
    c.delete_tags("42").await.unwrap();
    for bad in ["", "a,b", "a/b"] {
        assert_eq!(
            c.add_tag("42", bad).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
    }
}

// ---------------------------------------------------------------------------
// Addresses

#[tokio::test]
async fn server_nics() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/ips")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "addresses": {"77": [{"version": 4, "addr": "203.0.113.5", "OS-EXT-IPS:type": "floating"}]},
            "attachments": [{"id": 501, "network_id": "77"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/ips/77")))
        .and(query_param("changes-since", "2017-01-01T00:00:00Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "network": {"77": [{"version": 6, "addr": "2001:db8::5"}]}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42/ips/private")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "private": [{"version": 4, "addr": "10.0.0.3"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let nics = c.get_server_nics("42", None).await.unwrap();
    assert_eq!(nics.addresses["77"][0].version, Some(4));
    assert_eq!(nics.extra["attachments"][0]["id"], json!(501));
    let net = c
        .get_server_network_nics("42", "77", Some("2017-01-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(net["77"][0].addr, "2001:db8::5");
    let openstack = c
        .get_server_network_nics("42", "private", None)
        .await
        .unwrap();
    assert_eq!(openstack["private"][0].addr, "10.0.0.3");
}

// ---------------------------------------------------------------------------
// Actions

async fn expect_action(mock: &MockServer, body: Value, status: u16) {
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(status))
        .expect(1)
        .mount(mock)
        .await;
}

#[tokio::test]
async fn server_actions_send_kamaki_bodies() {
    let (mock, c) = setup().await;
    expect_action(&mock, json!({"reboot": {"type": "SOFT"}}), 202).await;
    expect_action(&mock, json!({"reboot": {"type": "HARD"}}), 202).await;
    expect_action(&mock, json!({"os-start": null}), 202).await;
    expect_action(&mock, json!({"os-stop": null}), 202).await;
    expect_action(&mock, json!({"resize": {"flavorRef": 3}}), 202).await;
    expect_action(&mock, json!({"confirmResize": null}), 204).await;
    expect_action(&mock, json!({"revertResize": null}), 202).await;
    expect_action(
        &mock,
        json!({"changePassword": {"adminPass": "n3wPass"}}),
        202,
    )
    .await;
    expect_action(&mock, json!({"rescue": {"rescue_image_ref": 3}}), 202).await;
    expect_action(&mock, json!({"rescue": {}}), 202).await;
    expect_action(&mock, json!({"unrescue": {}}), 202).await;
    c.reboot_server("42", false).await.unwrap();
    c.reboot_server("42", true).await.unwrap();
    c.start_server("42").await.unwrap();
    c.shutdown_server("42").await.unwrap();
    c.resize_server("42", 3u64).await.unwrap();
    c.confirm_resize_server("42").await.unwrap();
    c.revert_resize_server("42").await.unwrap();
    c.change_admin_password("42", "n3wPass").await.unwrap();
    c.rescue_server("42", Some(3u64.into())).await.unwrap();
    c.rescue_server("42", None).await.unwrap();
    c.unrescue_server("42").await.unwrap();
}

#[tokio::test]
async fn server_action_errors() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "buildInProgress",
            409,
            "Server is being built.",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.shutdown_server("42").await.unwrap_err();
    assert_eq!((err.status, err.is_conflict()), (409, true));
    assert_eq!(
        err.message,
        "Conflict buildInProgress (Server is being built.)\n"
    );
    assert_eq!(
        c.resize_server("42", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        c.change_admin_password("42", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn generic_server_action_returns_the_response() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .and(body_json(json!({"console": {"type": "vnc"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"console": {
            "type": "vnc", "host": "vnc.example.org", "port": 6123, "password": "temporarypw"}})))
        .expect(1)
        .mount(&mock)
        .await;
    let resp = c
        .server_action("42", &json!({"console": {"type": "vnc"}}), &[200])
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["console"]["port"], json!(6123));
}

#[tokio::test]
async fn rebuild_server_returns_server() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .and(body_json(
            json!({"rebuild": {"imageRef": "img-2", "name": "web-1b"}}),
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"server": {
            "id": 42, "name": "web-1b", "status": "REBUILD", "image": {"id": "img-2"}}})))
        .expect(1)
        .mount(&mock)
        .await;
    let s = c
        .rebuild_server(
            "42",
            &RebuildServer {
                image_id: "img-2".into(),
                name: Some("web-1b".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(s.status.as_str(), "REBUILD");
    assert_eq!(s.image.unwrap().id.unwrap(), "img-2");
}

#[tokio::test]
async fn create_server_image_reads_location() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/action")))
        .and(body_json(
            json!({"createImage": {"name": "snap", "metadata": {"k": "v"}}}),
        ))
        .respond_with(ResponseTemplate::new(202).insert_header(
            "Location",
            "https://c.example.org/compute/v2.0/images/img-9",
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let img = c
        .create_server_image("42", "snap", &BTreeMap::from([("k".into(), "v".into())]))
        .await
        .unwrap();
    assert_eq!(img.image_id.as_deref(), Some("img-9"));
    assert_eq!(
        img.location.as_deref(),
        Some("https://c.example.org/compute/v2.0/images/img-9")
    );
}

// ---------------------------------------------------------------------------
// Waiters

fn server_responder(status: &'static str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"server": detailed_server(status)}))
}

#[tokio::test]
async fn wait_server_until_active() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("BUILD"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("ACTIVE"))
        .expect(1)
        .mount(&mock)
        .await;
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
            |s| seen.push(s.status.clone()),
        )
        .await
        .unwrap();
    assert!(out.reached());
    assert_eq!(out.last().unwrap().status, ServerStatus::Active);
    assert_eq!(
        seen,
        [
            ServerStatus::Build,
            ServerStatus::Build,
            ServerStatus::Active
        ]
    );
}

#[tokio::test]
async fn wait_server_until_and_while() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("BUILD"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("ACTIVE"))
        .mount(&mock)
        .await;
    let out = c
        .wait_server_until("42", "ACTIVE", &fast(5000))
        .await
        .unwrap();
    assert!(matches!(out, WaitOutcome::Reached(ref s) if s.status == ServerStatus::Active));
    let out = c
        .wait_server_while("42", "BUILD", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
    // kamaki's default: while BUILD, 1 s apart; the server is already ACTIVE
    let out = c.wait_server("42").await.unwrap();
    assert_eq!(out.last().unwrap().status, ServerStatus::Active);
}

#[tokio::test]
async fn wait_server_times_out_with_last_state() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("BUILD"))
        .mount(&mock)
        .await;
    let out = c
        .wait_server_until("42", "ACTIVE", &fast(60))
        .await
        .unwrap();
    match out {
        WaitOutcome::TimedOut(Some(s)) => assert_eq!(s.status, ServerStatus::Build),
        other => panic!("expected a timeout, got {other:?}"),
    }
    let polls = mock.received_requests().await.unwrap().len();
    assert!((2..=10).contains(&polls), "{polls} polls");
}

#[tokio::test]
async fn wait_server_while_build_stops_on_error() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("ERROR"))
        .mount(&mock)
        .await;
    let out = c
        .wait_server_while("42", "BUILD", &fast(5000))
        .await
        .unwrap();
    assert_eq!(out.last().unwrap().status, ServerStatus::Error);
}

#[tokio::test]
async fn wait_server_propagates_poll_errors() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Server not found",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .wait_server_until("42", "ACTIVE", &fast(5000))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn wait_server_deleted_treats_404_as_done() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("ACTIVE"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(ResponseTemplate::new(404))
        .mount(&mock)
        .await;
    let out = c.wait_server_deleted("42", &fast(5000)).await.unwrap();
    assert_eq!(out, WaitOutcome::Reached(None));
}

#[tokio::test]
async fn wait_server_deleted_accepts_deleted_status() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers/42")))
        .respond_with(server_responder("DELETED"))
        .mount(&mock)
        .await;
    let out = c.wait_server_deleted("42", &fast(5000)).await.unwrap();
    assert_eq!(
        out.into_last().flatten().unwrap().status,
        ServerStatus::Deleted
    );
}

// ---------------------------------------------------------------------------
// Flavors

fn flavor(id: u64) -> Value {
    json!({"id": id, "name": format!("C2R2048D{id}ext_archipelago"), "ram": 2048, "disk": 20, "vcpus": 2,
           "os-flavor-access:is_public": true, "SNF:disk_template": "ext_archipelago",
           "SNF:volume_type": 1, "SNF:allow_create": true, "SNF:flavor-access": [],
           "links": [{"href": format!("https://c.example.org/compute/v2.0/flavors/{id}"), "rel": "self"}]})
}

#[tokio::test]
async fn list_flavors_detail_with_extension_query() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors/detail")))
        .and(query_param("SNF:is_public", "true"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"flavors": [flavor(3), flavor(4)]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let mut q = QueryParams::new();
    q.push("SNF:is_public", "true");
    let flavors = c
        .list_flavors(&ListFlavorsOptions {
            detail: true,
            extra_query: q,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(flavors.len(), 2);
    let f = &flavors[0];
    assert_eq!(
        (f.ram, f.disk, f.vcpus, f.is_public),
        (Some(2048), Some(20), Some(2), Some(true))
    );
    assert_eq!(f.extra["SNF:disk_template"], json!("ext_archipelago"));
}

#[tokio::test]
async fn flavors_stream_two_pages_and_empty() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors")))
        .and(query_param("limit", "1"))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavors": [flavor(1)]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors")))
        .and(query_param("marker", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavors": [flavor(2)]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors")))
        .and(query_param("marker", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavors": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let ids: Vec<String> = c
        .flavors(ListFlavorsOptions {
            limit: Some(1),
            ..Default::default()
        })
        .map_ok(|f| f.id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["1", "2"]);
}

#[tokio::test]
async fn flavors_empty_listing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavors": []})))
        .expect(1)
        .mount(&mock)
        .await;
    assert!(c
        .list_flavors(&ListFlavorsOptions::default())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn get_flavor_and_not_found() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors/3")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavor": flavor(3)})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/flavors/99")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Flavor 99 not found",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(
        c.get_flavor("3").await.unwrap().name,
        "C2R2048D3ext_archipelago"
    );
    let err = c.get_flavor("99").await.unwrap_err();
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Flavor 99 not found)\n"
    );
    assert_eq!(
        c.get_flavor("").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

// ---------------------------------------------------------------------------
// Images (compute view)

fn image() -> Value {
    json!({"id": "img-uuid", "name": "Debian 9", "status": "ACTIVE", "progress": 100,
           "created": "2017-01-01T00:00:00+00:00", "updated": "2017-01-02T00:00:00+00:00",
           "user_id": "owner-uuid", "tenant_id": "owner-uuid", "public": true, "is_snapshot": false,
           "metadata": {"os": "debian", "users": "root", "osfamily": "linux"}, "links": []})
}

#[tokio::test]
async fn list_and_get_images() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/detail")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"images": [image(),
            {"id": "snap-1", "name": "snap", "status": "SAVING", "is_snapshot": true}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/img-uuid")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"image": image()})))
        .expect(1)
        .mount(&mock)
        .await;
    let images = c
        .list_images(&ListImagesOptions {
            detail: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        images[1].status,
        kamaki_openstack::compute::ImageStatus::Saving
    );
    assert_eq!(images[1].extra["is_snapshot"], json!(true));
    let img = c.get_image("img-uuid").await.unwrap();
    assert_eq!(img.metadata["osfamily"], "linux");
    assert_eq!(img.extra["public"], json!(true));
}

#[tokio::test]
async fn images_stream_pages_and_empty() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images")))
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("marker"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"images": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}),
            ),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images")))
        .and(query_param("marker", "b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let all: Vec<_> = c
        .images(ListImagesOptions {
            limit: Some(2),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn get_image_without_image_key_is_not_available() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/x")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"something": {}})))
        .mount(&mock)
        .await;
    let err = c.get_image("x").await.unwrap_err();
    assert_eq!(err.message, "Image not available");
    assert_eq!(err.status, 404);
    assert!(err.is_not_found());
    assert_eq!(err.details, ["Image x not found or not accessible"]);
}

#[tokio::test]
async fn image_delete_and_metadata() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/images/img-uuid")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/img-uuid/metadata")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"metadata": {"os": "debian"}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/img-uuid/metadata/os")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"meta": {"os": "debian"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/images/img-uuid/metadata/users")))
        .and(body_json(json!({"meta": {"users": "root"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"meta": {"users": "root"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/images/img-uuid/metadata")))
        .and(body_json(json!({"metadata": {"osfamily": "linux"}})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"metadata": {"os": "debian", "osfamily": "linux"}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/images/img-uuid/metadata/os")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    c.delete_image("img-uuid").await.unwrap();
    assert_eq!(
        c.get_image_metadata("img-uuid").await.unwrap()["os"],
        "debian"
    );
    assert_eq!(
        c.get_image_metadata_item("img-uuid", "os").await.unwrap()["os"],
        "debian"
    );
    assert_eq!(
        c.create_image_metadata("img-uuid", "users", "root")
            .await
            .unwrap()["users"],
        "root"
    );
    let merged = c
        .update_image_metadata(
            "img-uuid",
            &BTreeMap::from([("osfamily".into(), "linux".into())]),
        )
        .await
        .unwrap();
    assert_eq!(merged.len(), 2);
    c.delete_image_metadata("img-uuid", "os").await.unwrap();
}

// ---------------------------------------------------------------------------
// Keypairs and limits

#[tokio::test]
async fn keypairs() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/os-keypairs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keypairs": [
            {"keypair": {"name": "laptop", "fingerprint": "aa:bb", "public_key": "ssh-rsa AAAA laptop"}},
            {"keypair": {"name": "my key", "fingerprint": "cc:dd", "public_key": "ssh-ed25519 AAAA"}}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/os-keypairs/my%20key")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keypair": {
            "name": "my key", "fingerprint": "cc:dd", "public_key": "ssh-ed25519 AAAA",
            "id": 5, "created_at": "2017-05-02T10:00:00+00:00", "updated_at": null,
            "deleted": false, "deleted_at": null, "user_id": "a1b2-user"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/os-keypairs")))
        .and(body_json(json!({"keypair": {"name": "gen"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"keypair": {
            "name": "gen", "fingerprint": "ee:ff", "public_key": "ssh-rsa BBBB",
            "private_key": "-----BEGIN RSA PRIVATE KEY-----\n..."}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/os-keypairs")))
        .and(body_json(
            json!({"keypair": {"name": "imported", "public_key": "ssh-rsa CCCC"}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"keypair": {
            "name": "imported", "fingerprint": "11:22", "public_key": "ssh-rsa CCCC"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/os-keypairs/laptop")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let keys = c.list_keypairs().await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].fingerprint.as_deref(), Some("aa:bb"));
    let k = c.get_keypair("my key").await.unwrap();
    assert_eq!(k.extra["id"], json!(5));
    assert_eq!(k.created_at.as_deref(), Some("2017-05-02T10:00:00+00:00"));
    let gen = c.create_key("gen", None).await.unwrap();
    assert!(gen.private_key.unwrap().starts_with("-----BEGIN"));
    let imp = c
        .create_key("imported", Some("ssh-rsa CCCC"))
        .await
        .unwrap();
    assert!(imp.private_key.is_none());
    c.delete_keypair("laptop").await.unwrap();
}

#[tokio::test]
async fn keypair_errors_and_bad_names() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/os-keypairs")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "conflict",
            409,
            "A keypair with that name already exists",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.create_key("laptop", None).await.unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.message,
        "Conflict conflict (A keypair with that name already exists)\n"
    );
    for bad in ["", " lead", "trail ", "a\tb"] {
        assert_eq!(
            c.create_key(bad, None).await.unwrap_err().kind,
            ErrorKind::InvalidArgument,
            "{bad:?}"
        );
    }
    assert_eq!(
        c.create_key("ok", Some("  ")).await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn limits_and_unrouted_endpoint() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/limits")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"limits": {
            "absolute": {"maxTotalCores": 20, "totalCoresUsed": 4}, "rate": []}})))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/limits")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "API endpoint not found",
            "",
        )))
        .mount(&mock)
        .await;
    let l = c.get_limits().await.unwrap();
    assert_eq!(l.absolute["maxTotalCores"], json!(20));
    let err = c.get_limits().await.unwrap_err();
    assert_eq!(
        err.message,
        "Bad Request badRequest (API endpoint not found)\n"
    );
}

#[tokio::test]
async fn request_headers_carry_token_and_json_type() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/servers/42/metadata")))
        .respond_with(|req: &Request| {
            assert_eq!(req.headers["x-auth-token"], "tok");
            assert_eq!(req.headers["content-type"], "application/json");
            ResponseTemplate::new(201).set_body_json(json!({"metadata": {}}))
        })
        .expect(1)
        .mount(&mock)
        .await;
    c.update_server_metadata("42", &BTreeMap::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn servers_stream_yields_a_page_error_and_ends() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": [
            {"id": 1, "name": "a"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/servers")))
        .and(query_param("marker", "1"))
        .respond_with(ResponseTemplate::new(503).set_body_json(fault(
            "serviceUnavailable",
            503,
            "Service Unavailable",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    use futures::StreamExt;
    let items: Vec<_> = c
        .servers(ListServersOptions {
            limit: Some(1),
            ..Default::default()
        })
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().name, "a");
    let err = items[1].as_ref().unwrap_err();
    assert_eq!(err.status, 503);
    assert_eq!(
        err.message,
        "Service Unavailable serviceUnavailable (Service Unavailable)\n"
    );
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn client_futures_and_streams_are_send() {
    let c = ComputeClient::new("https://c.example.org/compute", "t").unwrap();
    assert_send(&c.get_server("1"));
    assert_send(&c.servers(ListServersOptions::default()));
    assert_send(&c.flavors(ListFlavorsOptions::default()));
    assert_send(&c.create_server(&CreateServer::default()));
    assert_send(&c.wait_server("1"));
    assert_send(&c.wait_server_deleted("1", &WaitOptions::default()));
    let b = kamaki_openstack::blockstorage::BlockStorageClient::new("https://c.org/volume", "t")
        .unwrap();
    assert_send(&b.volumes(Default::default()));
    assert_send(&b.wait_volume("1"));
    let n = kamaki_openstack::network::NetworkClient::new("https://c.org/network", "t").unwrap();
    assert_send(&n.ports(Default::default()));
    assert_send(&n.wait_port("1"));
    let i = kamaki_openstack::image::ImageClient::new("https://c.org/image", "t").unwrap();
    assert_send(&i.images(Default::default()));
    assert_send(&i.get_meta("x"));
}
