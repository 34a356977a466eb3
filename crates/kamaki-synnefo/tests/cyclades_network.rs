//! Cyclades network against wiremock: typed networks with projects,
//! reassignment, ports, floating IPs and attaching them through ports.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kamaki_core::{ErrorKind, WaitOptions, WaitOutcome};
use kamaki_openstack::network::{
    CreatePort, FixedIp, ListNetworksOptions, ListPortsOptions, NetworkClient, NetworkStatus,
    PortStatus,
};
use kamaki_synnefo::cyclades::{
    CreateFloatingIp, CreateNetworkOptions, CycladesNetworkClient, NetworkType, NETWORK_TYPES,
};
use serde_json::{json, Value};
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const P: &str = "/network/v2.0";

async fn setup() -> (MockServer, CycladesNetworkClient) {
    let mock = MockServer::start().await;
    let client = CycladesNetworkClient::new(&format!("{}/network", mock.uri()), "tok").unwrap();
    (mock, client)
}

fn fast(max_ms: u64) -> WaitOptions {
    WaitOptions {
        delay: Duration::from_millis(10),
        max_wait: Duration::from_millis(max_ms),
    }
}

fn fault(name: &str, code: u16, message: &str, details: &str) -> Value {
    json!({ name: {"code": code, "message": message, "details": details} })
}

fn network_json(id: &str, kind: &str, name: &str) -> Value {
    json!({"id": id, "name": name,
        "links": [{"href": format!("https://c.example.org/network/v2.0/networks/{id}"), "rel": "self"}],
        "user_id": "a1b2-user", "tenant_id": "p9-project", "shared_to_project": false,
        "type": kind, "status": "ACTIVE",
        "created": "2017-05-02T10:00:00.000000+00:00", "updated": "2017-05-02T10:00:01.000000+00:00",
        "public": false, "shared": false, "router:external": false,
        "admin_state_up": true, "subnets": [], "SNF:floating_ip_pool": false, "deleted": false})
}

fn port_json(id: &str, status: &str) -> Value {
    json!({"id": id, "name": "", "links": [],
        "user_id": "a1b2-user", "tenant_id": "a1b2-user",
        "device_id": "42", "device_owner": "vm", "admin_state_up": true,
        "mac_address": "aa:00:00:11:22:33", "status": status, "network_id": "77",
        "created": "2017-05-02T10:00:00+00:00", "updated": "2017-05-02T10:00:00+00:00",
        "fixed_ips": [{"ip_address": "203.0.113.5", "subnet": "28"}],
        "security_groups": [], "SNF:future": 1})
}

fn ip_json(port: Option<&str>) -> Value {
    json!({"id": "55", "floating_ip_address": "203.0.113.5", "floating_network_id": "77",
        "fixed_ip_address": null, "port_id": port, "instance_id": port.map(|_| "42"),
        "user_id": "a1b2-user", "tenant_id": "p9-project", "shared_to_project": false,
        "deleted": false})
}

// ---------------------------------------------------------------------------
// Client

#[test]
fn constants_endpoint_and_types() {
    assert_eq!(CycladesNetworkClient::SERVICE_TYPE, "network");
    assert_eq!(CycladesNetworkClient::DEFAULT_API_VERSION, "2.0");
    let c = CycladesNetworkClient::new("https://c.example.org/network", "t").unwrap();
    assert_eq!(c.endpoint().as_str(), "https://c.example.org/network/v2.0");
    assert_eq!(c.network().endpoint(), c.endpoint());
    let shared =
        CycladesNetworkClient::with_http("https://x.org/network", c.http().clone()).unwrap();
    assert_eq!(shared.endpoint().as_str(), "https://x.org/network/v2.0");
    let from: CycladesNetworkClient = NetworkClient::new("https://y.org/network", "t")
        .unwrap()
        .into();
    assert_eq!(from.endpoint().as_str(), "https://y.org/network/v2.0");
    for t in NETWORK_TYPES {
        let parsed = NetworkType::from(t);
        assert!(!matches!(parsed, NetworkType::Other(_)), "{t}");
        assert_eq!(parsed.as_str(), t);
    }
    assert_eq!(NetworkType::MacFiltered.to_string(), "MAC_FILTERED");
}

// ---------------------------------------------------------------------------
// Networks

#[tokio::test]
async fn create_network_of_every_type() {
    let (mock, c) = setup().await;
    for t in NETWORK_TYPES {
        Mock::given(method("POST"))
            .and(path(format!("{P}/networks")))
            .and(header("X-Auth-Token", "tok"))
            .and(header("Content-Type", "application/json"))
            .and(body_json(json!({"network": {"name": format!("net {t}"),
                "admin_state_up": true, "type": t}})))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(
                    json!({"network": network_json("3141", t, &format!("net {t}"))}),
                ),
            )
            .expect(1)
            .mount(&mock)
            .await;
    }
    let kinds = [
        NetworkType::Custom,
        NetworkType::MacFiltered,
        NetworkType::IpLessRouted,
        NetworkType::PhysicalVlan,
    ];
    for kind in kinds {
        let name = format!("net {kind}");
        let net = c
            .create_network(kind.clone(), &name, &CreateNetworkOptions::default())
            .await
            .unwrap();
        assert_eq!(net.extra["type"], kind.as_str());
        assert_eq!(net.name, name);
        assert_eq!(net.status, NetworkStatus::Active);
    }
}

#[tokio::test]
async fn create_private_network_for_a_project() {
    // the tutorial's "Two servers and a private network"
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks")))
        .and(body_json(
            json!({"network": {"type": "MAC_FILTERED", "admin_state_up": true,
            "name": "My private network", "project": "p9-project", "shared_to_project": true}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({"network": network_json("3141", "MAC_FILTERED", "My private network")}),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = CreateNetworkOptions {
        project: Some("p9-project".into()),
        shared_to_project: Some(true),
        ..Default::default()
    };
    let net = c
        .create_network("MAC_FILTERED", "My private network", &opts)
        .await
        .unwrap();
    assert_eq!(net.id, "3141");
    assert_eq!(net.tenant_id.as_deref(), Some("p9-project"));
    assert_eq!(net.extra["SNF:floating_ip_pool"], false);
}

#[tokio::test]
async fn create_network_without_a_name_leaves_it_out() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks")))
        .and(body_json(
            json!({"network": {"admin_state_up": true, "shared": false, "type": "MAC_FILTERED"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"network": network_json("3142", "MAC_FILTERED", "")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let opts = CreateNetworkOptions {
        shared: Some(false),
        ..Default::default()
    };
    let net = c
        .create_network(NetworkType::MacFiltered, "", &opts)
        .await
        .unwrap();
    assert_eq!(net.name, "");
}

#[tokio::test]
async fn create_network_of_a_disabled_type_is_forbidden() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks")))
        .respond_with(ResponseTemplate::new(403).set_body_json(fault(
            "forbidden",
            403,
            "Cannot create network of type 'PHYSICAL_VLAN'.",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .create_network(
            NetworkType::PhysicalVlan,
            "x",
            &CreateNetworkOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!((err.status, err.kind), (403, ErrorKind::Http));
    assert_eq!(
        err.message,
        "Forbidden forbidden (Cannot create network of type 'PHYSICAL_VLAN'.)\n"
    );
    assert!(err.details.is_empty());
}

#[tokio::test]
async fn create_network_bad_input_sends_nothing() {
    let (mock, c) = setup().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&mock)
        .await;
    let none = CreateNetworkOptions::default();
    let e = c.create_network("", "n", &none).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = c
        .create_network(NetworkType::MacFiltered, &"n".repeat(300), &none)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let bad_project = CreateNetworkOptions {
        project: Some(String::new()),
        ..Default::default()
    };
    let e = c
        .create_network(NetworkType::MacFiltered, "n", &bad_project)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn list_and_get_networks() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks/detail")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"networks": [
            network_json("3141", "MAC_FILTERED", "backend-lan"),
            {"id": "77", "name": "public", "type": "IP_LESS_ROUTED", "status": "SNF:DRAINED",
             "user_id": null, "public": true, "shared": true, "router:external": true,
             "subnets": ["28", "29"], "SNF:floating_ip_pool": true, "links": []}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks/3141")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"network": network_json("3141", "MAC_FILTERED", "backend-lan")}),
            ),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListNetworksOptions {
        detail: true,
        ..Default::default()
    };
    let nets = c.list_networks(&opts).await.unwrap();
    assert_eq!(nets.len(), 2);
    assert_eq!(nets[1].status, NetworkStatus::Drained);
    assert_eq!(nets[1].user_id, None);
    assert_eq!(nets[1].router_external, Some(true));
    assert_eq!(nets[1].subnets.len(), 2);
    let net = c.get_network_details("3141").await.unwrap();
    assert_eq!(net.name, "backend-lan");
}

#[tokio::test]
async fn rename_network() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/networks/3141")))
        .and(body_json(json!({"network": {"name": "frontend-lan"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"network": network_json("3141", "MAC_FILTERED", "frontend-lan")}),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let net = c.update_network("3141", "frontend-lan").await.unwrap();
    assert_eq!(net.name, "frontend-lan");
    assert_eq!(
        c.update_network("3141", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn delete_network_in_use_is_a_conflict() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/networks/3141")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "conflict",
            409,
            "Cannot delete network. There are ports still configured on network network 3141",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.delete_network("3141").await.unwrap_err();
    assert_eq!(err.status, 409);
    assert!(err.is_conflict());
    assert!(err
        .message
        .starts_with("Conflict conflict (Cannot delete network."));
}

#[tokio::test]
async fn reassign_network() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks/3141/action")))
        .and(header("X-Auth-Token", "tok"))
        .and(body_json(json!({"reassign": {"project": "p10-project"}})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&mock)
        .await;
    c.reassign_network("3141", "p10-project").await.unwrap();
    assert_eq!(
        c.reassign_network("", "p").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

// ---------------------------------------------------------------------------
// Ports

#[tokio::test]
async fn create_port_for_a_server_with_an_address() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/ports")))
        .and(body_json(
            json!({"port": {"network_id": "77", "device_id": "42",
            "name": "web-1-public", "fixed_ips": [{"ip_address": "203.0.113.5"}]}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"port": port_json("9001", "BUILD")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let port = c
        .create_port(&CreatePort {
            network_id: "77".into(),
            device_id: Some("42".into()),
            name: Some("web-1-public".into()),
            fixed_ips: vec![FixedIp::address("203.0.113.5")],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(port.id, "9001");
    assert_eq!(port.status, PortStatus::Build);
    assert_eq!(port.device_id.unwrap(), "42");
    assert_eq!(port.fixed_ips[0].subnet.as_ref().unwrap(), "28");
    assert_eq!(port.extra["SNF:future"], 1);
}

#[tokio::test]
async fn create_port_refuses_fixed_ips_without_address() {
    let (mock, c) = setup().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&mock)
        .await;
    let port = CreatePort {
        network_id: "77".into(),
        fixed_ips: vec![FixedIp {
            subnet_id: Some("28".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let err = c.create_port(&port).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let err = c.create_port(&CreatePort::default()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn list_get_and_delete_ports() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/detail")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"ports": [port_json("9001", "ACTIVE"), port_json("9002", "DOWN")]}),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"port": port_json("9001", "ACTIVE")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListPortsOptions {
        detail: true,
        ..Default::default()
    };
    let ports = c.list_ports(&opts).await.unwrap();
    assert_eq!(ports[1].status, PortStatus::Down);
    assert_eq!(
        c.get_port_details("9001").await.unwrap().status,
        PortStatus::Active
    );
    c.delete_port("9001").await.unwrap();
}

/// Answers port polls with the given statuses in turn ("404" = gone).
struct PortStatuses(Vec<&'static str>, Arc<AtomicUsize>);

impl Respond for PortStatuses {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.1.fetch_add(1, Ordering::SeqCst);
        let s = self.0[i.min(self.0.len() - 1)];
        if s == "404" {
            return ResponseTemplate::new(404).set_body_json(fault(
                "itemNotFound",
                404,
                "Port 9001 not found",
                "",
            ));
        }
        ResponseTemplate::new(200).set_body_json(json!({"port": port_json("9001", s)}))
    }
}

async fn mount_port_statuses(mock: &MockServer, seq: Vec<&'static str>) -> Arc<AtomicUsize> {
    let n = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(PortStatuses(seq, n.clone()))
        .mount(mock)
        .await;
    n
}

#[tokio::test]
async fn wait_port_until_active_and_timeout() {
    let (mock, c) = setup().await;
    let n = mount_port_statuses(&mock, vec!["BUILD", "BUILD", "ACTIVE"]).await;
    let out = c
        .wait_port_until("9001", "ACTIVE", &fast(5000))
        .await
        .unwrap();
    assert!(matches!(out, WaitOutcome::Reached(ref p) if p.status == PortStatus::Active));
    assert_eq!(n.load(Ordering::SeqCst), 3);
    let out = c.wait_port_until("9001", "DOWN", &fast(40)).await.unwrap();
    assert!(matches!(out, WaitOutcome::TimedOut(Some(ref p)) if p.status == PortStatus::Active));
}

#[tokio::test]
async fn wait_port_deleted_treats_404_as_done() {
    let (mock, c) = setup().await;
    mount_port_statuses(&mock, vec!["ACTIVE", "404"]).await;
    let out = c.wait_port_deleted("9001", &fast(5000)).await.unwrap();
    assert_eq!(out, WaitOutcome::Reached(None));
}

// ---------------------------------------------------------------------------
// Floating IPs

#[tokio::test]
async fn create_floatingip_for_a_project() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/floatingips")))
        .and(body_json(
            json!({"floatingip": {"floating_network_id": "77",
            "floating_ip_address": "203.0.113.5", "project": "p9-project"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingip": ip_json(None)})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let ip = c
        .create_floatingip(&CreateFloatingIp {
            floating_network_id: Some("77".into()),
            floating_ip_address: Some("203.0.113.5".into()),
            project: Some("p9-project".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ip.id, "55");
    assert_eq!(ip.port_id, None);
    assert_eq!(ip.extra["instance_id"], Value::Null);
}

#[tokio::test]
async fn create_floatingip_with_nothing_takes_any_address() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/floatingips")))
        .and(body_json(json!({"floatingip": {}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingip": ip_json(None)})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let ip = c
        .create_floatingip(&CreateFloatingIp::default())
        .await
        .unwrap();
    assert_eq!(ip.floating_ip_address.as_deref(), Some("203.0.113.5"));
}

#[tokio::test]
async fn create_floatingip_without_free_addresses() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/floatingips")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "conflict",
            409,
            "No available IP address in network '77'",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .create_floatingip(&CreateFloatingIp::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.message,
        "Conflict conflict (No available IP address in network '77')\n"
    );
}

#[tokio::test]
async fn list_get_reassign_and_delete_floatingips() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"floatingips": [ip_json(Some("9001")), ip_json(None)]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingip": ip_json(Some("9001"))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/floatingips/55/action")))
        .and(body_json(json!({"reassign": {"project": "p10-project"}})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let ips = c.list_floatingips().await.unwrap();
    assert_eq!(ips[0].port_id.as_ref().unwrap(), "9001");
    assert_eq!(ips[0].extra["instance_id"], "42");
    let ip = c.get_floatingip_details("55").await.unwrap();
    assert_eq!(ip.floating_network_id.as_deref(), Some("77"));
    c.reassign_floating_ip("55", "p10-project").await.unwrap();
    c.delete_floatingip("55").await.unwrap();
}

#[tokio::test]
async fn attach_floating_ip_through_a_port_then_wait() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingip": ip_json(None)})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/ports")))
        .and(body_json(
            json!({"port": {"network_id": "77", "device_id": "42",
            "fixed_ips": [{"ip_address": "203.0.113.5"}]}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"port": port_json("9001", "BUILD")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    mount_port_statuses(&mock, vec!["BUILD", "ACTIVE"]).await;
    let port = c.attach_floating_ip("55", "42").await.unwrap();
    assert_eq!(port.status, PortStatus::Build);
    let out = c
        .wait_port_until(port.id.as_str(), "ACTIVE", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
}

#[tokio::test]
async fn attach_an_attached_floating_ip_creates_no_port() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingip": ip_json(Some("9001"))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&mock)
        .await;
    let err = c.attach_floating_ip("55", "42").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert!(err.message.contains("already attached"), "{}", err.message);
}

#[tokio::test]
async fn attach_missing_floating_ip_is_not_found() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips/56")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Floating IP 56 not found",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.attach_floating_ip("56", "42").await.unwrap_err();
    assert_eq!((err.status, err.is_not_found()), (404, true));
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Floating IP 56 not found)\n"
    );
}

#[tokio::test]
async fn detach_floating_ip_deletes_its_port() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingip": ip_json(Some("9001"))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    mount_port_statuses(&mock, vec!["ACTIVE", "404"]).await;
    let port = c.detach_floating_ip("55").await.unwrap();
    assert_eq!(port.as_deref(), Some("9001"));
    let gone = c.wait_port_deleted("9001", &fast(5000)).await.unwrap();
    assert!(gone.reached());
}

#[tokio::test]
async fn detach_unattached_floating_ip_deletes_nothing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingip": ip_json(None)})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&mock)
        .await;
    assert_eq!(c.detach_floating_ip("55").await.unwrap(), None);
}

#[tokio::test]
async fn release_attached_floating_ip_is_a_conflict() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "conflict",
            409,
            "Floating IP '55' is used by server '42'",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.delete_floatingip("55").await.unwrap_err();
    assert_eq!((err.status, err.is_conflict()), (409, true));
}
