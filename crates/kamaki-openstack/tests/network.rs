#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Wiremock tests of the network client.

use std::time::Duration;

use futures::TryStreamExt;
use kamaki_core::{ErrorKind, WaitOptions, WaitOutcome};
use kamaki_openstack::network::{
    AllocationPool, CreateFloatingIp, CreateNetwork, CreatePort, CreateSubnet, FixedIp, Gateway,
    ListFloatingIpsOptions, ListNetworksOptions, ListPortsOptions, ListSubnetsOptions,
    NetworkClient, NetworkStatus, PortStatus, UpdateFloatingIp, UpdateNetwork, UpdatePort,
    UpdateSubnet,
};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const P: &str = "/network/v2.0";

async fn setup() -> (MockServer, NetworkClient) {
    let mock = MockServer::start().await;
    let client = NetworkClient::new(&format!("{}/network", mock.uri()), "tok").unwrap();
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

fn network(id: &str, status: &str) -> Value {
    json!({"id": id, "name": "backend-lan",
           "links": [{"href": format!("https://c.example.org/network/v2.0/networks/{id}"), "rel": "self"}],
           "user_id": "a1b2-user", "tenant_id": "p9-project", "shared_to_project": false,
           "type": "MAC_FILTERED", "status": status,
           "created": "2017-05-02T10:00:00.000000+00:00", "updated": "2017-05-02T10:00:01.000000+00:00",
           "public": false, "shared": false, "router:external": false,
           "admin_state_up": true, "subnets": ["4001"], "SNF:floating_ip_pool": false, "deleted": false})
}

fn subnet() -> Value {
    json!({"id": "4001", "network_id": "3141", "name": "lan-v4", "tenant_id": "a1b2-user",
           "user_id": "a1b2-user", "public": false, "ip_version": 4, "cidr": "192.168.10.0/24",
           "gateway_ip": "192.168.10.1", "enable_dhcp": true, "dns_nameservers": [], "host_routes": [],
           "allocation_pools": [{"start": "192.168.10.2", "end": "192.168.10.254"}],
           "links": [], "deleted": false})
}

fn port(id: &str, status: &str) -> Value {
    json!({"id": id, "name": "web-1-public", "links": [],
           "user_id": "a1b2-user", "tenant_id": "a1b2-user",
           "device_id": "42", "device_owner": "vm", "admin_state_up": true,
           "mac_address": "aa:00:00:11:22:33", "status": status, "network_id": "77",
           "created": "2017-05-02T10:00:00+00:00", "updated": "2017-05-02T10:00:00+00:00",
           "fixed_ips": [{"ip_address": "203.0.113.5", "subnet": "28"}],
           "security_groups": []})
}

fn floatingip(port_id: Value) -> Value {
    json!({"id": "55", "floating_ip_address": "203.0.113.5", "floating_network_id": "77",
           "fixed_ip_address": null, "port_id": port_id, "instance_id": "42",
           "user_id": "a1b2-user", "tenant_id": "p9-project", "shared_to_project": false,
           "deleted": false})
}

#[test]
fn client_constants() {
    assert_eq!(NetworkClient::SERVICE_TYPE, "network");
    assert_eq!(NetworkClient::DEFAULT_API_VERSION, "2.0");
    let c = NetworkClient::new("https://c.example.org/network/", "t").unwrap();
    assert_eq!(c.endpoint().as_str(), "https://c.example.org/network/v2.0");
}

// ---------------------------------------------------------------------------
// Networks

#[tokio::test]
async fn list_networks_parses_synnefo_networks() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks")))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"networks": [
            network("3141", "ACTIVE"), network("3142", "SNF:DRAINED"),
            {"id": "1", "name": "public", "status": "ACTIVE", "user_id": null, "public": true}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let nets = c
        .list_networks(&ListNetworksOptions::default())
        .await
        .unwrap();
    assert_eq!(nets.len(), 3);
    let n = &nets[0];
    assert_eq!(n.id, "3141");
    assert_eq!(n.status, NetworkStatus::Active);
    assert_eq!(n.subnets[0], "4001");
    assert_eq!(n.router_external, Some(false));
    assert_eq!(n.extra["type"], json!("MAC_FILTERED"));
    assert_eq!(nets[1].status, NetworkStatus::Drained);
    assert_eq!(nets[2].user_id, None);
}

#[tokio::test]
async fn networks_detail_and_two_pages() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks/detail")))
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("marker"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"networks": [
            network("1", "ACTIVE"), network("2", "ACTIVE")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks/detail")))
        .and(query_param("marker", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"networks": [network("3", "ACTIVE")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let ids: Vec<String> = c
        .networks(ListNetworksOptions {
            detail: true,
            limit: Some(2),
            ..Default::default()
        })
        .map_ok(|n| n.id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn networks_empty_listing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"networks": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let all: Vec<_> = c
        .networks(ListNetworksOptions::default())
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
}

#[tokio::test]
async fn create_network_neutron_and_synnefo_bodies() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks")))
        .and(body_json(
            json!({"network": {"name": "net1", "shared": false}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"network": network("1", "ACTIVE")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks")))
        .and(body_json(json!({"network": {
            "name": "backend-lan", "admin_state_up": true, "type": "MAC_FILTERED",
            "project": "p9-project"}})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"network": network("3141", "ACTIVE")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    c.create_network(&CreateNetwork {
        name: Some("net1".into()),
        shared: Some(false),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut extra = serde_json::Map::new();
    extra.insert("type".into(), json!("MAC_FILTERED"));
    extra.insert("project".into(), json!("p9-project"));
    let n = c
        .create_network(&CreateNetwork {
            name: Some("backend-lan".into()),
            admin_state_up: Some(true),
            extra,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(n.id, "3141");
}

#[tokio::test]
async fn create_network_errors() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks")))
        .respond_with(ResponseTemplate::new(403).set_body_json(fault(
            "forbidden",
            403,
            "Cannot create network of type 'CUSTOM'.",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .create_network(&CreateNetwork::default())
        .await
        .unwrap_err();
    assert_eq!(err.status, 403);
    assert_eq!(
        err.message,
        "Forbidden forbidden (Cannot create network of type 'CUSTOM'.)\n"
    );
    let err = c
        .create_network(&CreateNetwork {
            name: Some(String::new()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert_eq!(
        c.create_networks(&[]).await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn create_networks_in_bulk() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/networks")))
        .and(body_json(
            json!({"networks": [{"name": "a"}, {"name": "b", "admin_state_up": false}]}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"networks": [
            network("1", "ACTIVE"), network("2", "BUILD")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let nets = c
        .create_networks(&[
            CreateNetwork {
                name: Some("a".into()),
                ..Default::default()
            },
            CreateNetwork {
                name: Some("b".into()),
                admin_state_up: Some(false),
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    assert_eq!(nets[1].status, NetworkStatus::Build);
}

#[tokio::test]
async fn get_update_delete_network() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks/3141")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"network": network("3141", "ACTIVE")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/networks/3141")))
        .and(body_json(json!({"network": {"name": "renamed"}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"network": network("3141", "ACTIVE")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/networks/3141")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/networks/77")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "conflict",
            409,
            "Network has connected ports.",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(c.get_network("3141").await.unwrap().name, "backend-lan");
    c.update_network(
        "3141",
        &UpdateNetwork {
            name: Some("renamed".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    c.delete_network("3141").await.unwrap();
    let err = c.delete_network("77").await.unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.message,
        "Conflict conflict (Network has connected ports.)\n"
    );
    assert_eq!(
        c.update_network("3141", &UpdateNetwork::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn network_not_found_and_bad_ids() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/networks/9")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Network 9 not found",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.get_network("9").await.unwrap_err();
    assert_eq!((err.status, err.kind), (404, ErrorKind::Http));
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Network 9 not found)\n"
    );
    for bad in ["", &"9".repeat(256)] {
        assert_eq!(
            c.get_network(bad).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            c.get_subnet(bad).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            c.get_port(bad).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            c.get_floatingip(bad).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
    }
}

// ---------------------------------------------------------------------------
// Subnets

#[tokio::test]
async fn list_and_get_subnets() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/subnets")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"subnets": [subnet(),
            {"id": "4002", "network_id": "3141", "ip_version": 6, "cidr": "2001:db8::/64",
             "gateway_ip": null, "enable_slaac": true}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/subnets/4001")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"subnet": subnet()})))
        .expect(1)
        .mount(&mock)
        .await;
    let subnets = c
        .list_subnets(&ListSubnetsOptions::default())
        .await
        .unwrap();
    assert_eq!(subnets[1].gateway_ip, None);
    assert_eq!(subnets[1].extra["enable_slaac"], json!(true));
    let s = c.get_subnet("4001").await.unwrap();
    assert_eq!(s.cidr.as_deref(), Some("192.168.10.0/24"));
    assert_eq!(s.allocation_pools[0].end, "192.168.10.254");
    assert_eq!(s.network_id.unwrap(), "3141");
}

#[tokio::test]
async fn subnets_stream_two_pages() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/subnets")))
        .and(query_param("limit", "1"))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"subnets": [subnet()]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/subnets")))
        .and(query_param("marker", "4001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"subnets": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let all: Vec<_> = c
        .subnets(ListSubnetsOptions {
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn create_subnet_bodies() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/subnets")))
        .and(body_json(json!({"subnet": {
            "network_id": "3141", "cidr": "192.168.10.0/24", "ip_version": 4,
            "allocation_pools": [{"start": "192.168.10.100", "end": "192.168.10.200"}],
            "enable_dhcp": true}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"subnet": subnet()})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/subnets")))
        .and(body_json(json!({"subnet": {
            "network_id": "3141", "cidr": "2001:db8::/64", "ip_version": 6,
            "name": "v6", "gateway_ip": null}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"subnet": {
            "id": "4002", "network_id": "3141", "ip_version": 6, "cidr": "2001:db8::/64",
            "gateway_ip": null}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/subnets")))
        .and(body_json(json!({"subnet": {
            "network_id": "3141", "cidr": "10.0.0.0/24", "ip_version": 4,
            "gateway_ip": "10.0.0.254", "id": "my-id", "dns_nameservers": ["9.9.9.9"]}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"subnet": {"id": "my-id"}})))
        .expect(1)
        .mount(&mock)
        .await;
    let s = c
        .create_subnet(&CreateSubnet {
            network_id: "3141".into(),
            cidr: "192.168.10.0/24".into(),
            allocation_pools: vec![AllocationPool {
                start: "192.168.10.100".into(),
                end: "192.168.10.200".into(),
            }],
            enable_dhcp: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.gateway_ip.as_deref(), Some("192.168.10.1"));
    let s = c
        .create_subnet(&CreateSubnet {
            network_id: "3141".into(),
            cidr: "2001:db8::/64".into(),
            ipv6: true,
            name: Some("v6".into()),
            gateway: Gateway::Disabled,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.ip_version, Some(6));
    c.create_subnet(&CreateSubnet {
        network_id: "3141".into(),
        cidr: "10.0.0.0/24".into(),
        gateway: Gateway::Ip("10.0.0.254".into()),
        subnet_id: Some("my-id".into()),
        dns_nameservers: vec!["9.9.9.9".into()],
        ..Default::default()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn create_subnet_bad_input_and_conflict() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/subnets")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "conflict",
            409,
            "Overlapping allocation pools.",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let ok = CreateSubnet {
        network_id: "3141".into(),
        cidr: "10.0.0.0/24".into(),
        ..Default::default()
    };
    for bad in [
        CreateSubnet {
            network_id: String::new(),
            ..ok.clone()
        },
        CreateSubnet {
            cidr: "10.0.0.0".into(),
            ..ok.clone()
        },
        CreateSubnet {
            cidr: "10.0.0.0/24".into(),
            ipv6: true,
            ..ok.clone()
        },
    ] {
        assert_eq!(
            c.create_subnet(&bad).await.unwrap_err().kind,
            ErrorKind::InvalidArgument,
            "{bad:?}"
        );
    }
    let err = c.create_subnet(&ok).await.unwrap_err();
    assert_eq!(err.status, 409);
    assert_eq!(
        err.message,
        "Conflict conflict (Overlapping allocation pools.)\n"
    );
}

#[tokio::test]
async fn update_and_delete_subnet() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/subnets/4001")))
        .and(body_json(json!({"subnet": {"name": "renamed"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"subnet": subnet()})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/subnets/4002")))
        .and(body_json(
            json!({"subnet": {"gateway_ip": null, "ip_version": 6, "enable_dhcp": false}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"subnet": {"id": "4002"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/subnets/4001")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Deletion of a subnet is not supported",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/subnets/4002")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    c.update_subnet(
        "4001",
        &UpdateSubnet {
            name: Some("renamed".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    c.update_subnet(
        "4002",
        &UpdateSubnet {
            gateway: Gateway::Disabled,
            ipv6: Some(true),
            enable_dhcp: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.update_subnet("4001", &UpdateSubnet::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
    let err = c.delete_subnet("4001").await.unwrap_err();
    assert_eq!(err.status, 400);
    c.delete_subnet("4002").await.unwrap();
}

#[tokio::test]
async fn create_subnets_in_bulk() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/subnets")))
        .and(body_json(json!({"subnets": [
            {"network_id": "1", "cidr": "10.0.0.0/24", "ip_version": 4},
            {"network_id": "2", "cidr": "10.0.1.0/24", "ip_version": 4}]})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"subnets": [
            {"id": "a"}, {"id": "b"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let made = c
        .create_subnets(&[
            CreateSubnet {
                network_id: "1".into(),
                cidr: "10.0.0.0/24".into(),
                ..Default::default()
            },
            CreateSubnet {
                network_id: "2".into(),
                cidr: "10.0.1.0/24".into(),
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    assert_eq!(made.len(), 2);
}

// ---------------------------------------------------------------------------
// Ports

#[tokio::test]
async fn list_ports_and_filters() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/detail")))
        .and(query_param("device_id", "42"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ports": [port("9001", "ACTIVE")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let ports = c
        .list_ports(&ListPortsOptions {
            detail: true,
            device_id: Some("42".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let p = &ports[0];
    assert_eq!(p.status, PortStatus::Active);
    assert_eq!(p.device_id.as_ref().unwrap(), "42");
    assert_eq!(p.fixed_ips[0].ip_address.as_deref(), Some("203.0.113.5"));
    assert_eq!(p.fixed_ips[0].subnet.as_ref().unwrap(), "28");
    assert_eq!(p.extra["created"], json!("2017-05-02T10:00:00+00:00"));
}

#[tokio::test]
async fn ports_stream_two_pages_and_empty() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports")))
        .and(query_param("limit", "1"))
        .and(query_param_is_missing("marker"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ports": [port("1", "ACTIVE")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports")))
        .and(query_param("marker", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ports": [port("2", "DOWN")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports")))
        .and(query_param("marker", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ports": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let statuses: Vec<PortStatus> = c
        .ports(ListPortsOptions {
            limit: Some(1),
            ..Default::default()
        })
        .map_ok(|p| p.status)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(statuses, [PortStatus::Active, PortStatus::Down]);
}

#[tokio::test]
async fn create_port_attaching_a_floating_ip() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/ports")))
        .and(body_json(
            json!({"port": {"network_id": "77", "device_id": "42",
                                        "fixed_ips": [{"ip_address": "203.0.113.5"}]}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"port": port("9001", "BUILD")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let p = c
        .create_port(&CreatePort {
            network_id: "77".into(),
            device_id: Some("42".into()),
            fixed_ips: vec![FixedIp::address("203.0.113.5")],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(p.status, PortStatus::Build);
    assert_eq!(
        c.create_port(&CreatePort::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn create_port_full_body_and_error() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/ports")))
        .and(body_json(
            json!({"port": {"network_id": "net-uuid", "name": "p1",
            "fixed_ips": [{"subnet_id": "sub-uuid"}], "security_groups": ["sg1"],
            "admin_state_up": false, "mac_address": "fa:16:3e:00:00:01", "binding:host_id": "h1"}}),
        ))
        .respond_with(ResponseTemplate::new(503).set_body_json(fault(
            "serviceUnavailable",
            503,
            "Failed to allocate a MAC address",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let mut extra = serde_json::Map::new();
    extra.insert("binding:host_id".into(), json!("h1"));
    let err = c
        .create_port(&CreatePort {
            network_id: "net-uuid".into(),
            name: Some("p1".into()),
            fixed_ips: vec![FixedIp {
                subnet_id: Some("sub-uuid".into()),
                ..Default::default()
            }],
            security_groups: vec!["sg1".into()],
            admin_state_up: Some(false),
            mac_address: Some("fa:16:3e:00:00:01".into()),
            extra,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status, 503);
    assert_eq!(err.fault_name.as_deref(), Some("serviceUnavailable"));
}

#[tokio::test]
async fn create_ports_update_and_delete_port() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/ports")))
        .and(body_json(
            json!({"ports": [{"network_id": "77"}, {"network_id": "78"}]}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"ports": [
            port("1", "BUILD"), port("2", "BUILD")]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/ports/9001")))
        .and(body_json(
            json!({"port": {"name": "renamed", "security_groups": ["1"]}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"port": port("9001", "ACTIVE")})),
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
    let made = c
        .create_ports(&[
            CreatePort {
                network_id: "77".into(),
                ..Default::default()
            },
            CreatePort {
                network_id: "78".into(),
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    assert_eq!(made.len(), 2);
    c.update_port(
        "9001",
        &UpdatePort {
            name: Some("renamed".into()),
            security_groups: Some(vec!["1".into()]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    c.delete_port("9001").await.unwrap();
    assert_eq!(
        c.update_port("9001", &UpdatePort::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
}

// ---------------------------------------------------------------------------
// Port waiters

fn port_responder(status: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"port": port("9001", status)}))
}

#[tokio::test]
async fn wait_port_until_active() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(port_responder("BUILD"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(port_responder("ACTIVE"))
        .mount(&mock)
        .await;
    let out = c
        .wait_port_until("9001", "ACTIVE", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
    assert_eq!(out.last().unwrap().status, PortStatus::Active);
    let out = c
        .wait_port_while("9001", "BUILD", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
    let out = c.wait_port("9001").await.unwrap();
    assert_eq!(out.last().unwrap().status, PortStatus::Active);
}

#[tokio::test]
async fn wait_port_times_out_with_last_state() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(port_responder("BUILD"))
        .mount(&mock)
        .await;
    let out = c
        .wait_port_until("9001", "ACTIVE", &fast(50))
        .await
        .unwrap();
    match out {
        WaitOutcome::TimedOut(Some(p)) => assert_eq!(p.status, PortStatus::Build),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn wait_port_deleted_treats_404_as_done() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(port_responder("ACTIVE"))
        .up_to_n_times(2)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Port 9001 not found",
            "",
        )))
        .mount(&mock)
        .await;
    let out = c.wait_port_deleted("9001", &fast(5000)).await.unwrap();
    assert_eq!(out, WaitOutcome::Reached(None));
    // the plain waiter lets the 404 through
    let err = c
        .wait_port_until("9001", "ACTIVE", &fast(5000))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn wait_port_deleted_times_out_while_port_stays() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/ports/9001")))
        .respond_with(port_responder("ACTIVE"))
        .mount(&mock)
        .await;
    let out = c.wait_port_deleted("9001", &fast(40)).await.unwrap();
    assert!(
        matches!(out, WaitOutcome::TimedOut(Some(Some(ref p))) if p.status == PortStatus::Active)
    );
}

// ---------------------------------------------------------------------------
// Floating IPs

#[tokio::test]
async fn floating_ips_list_get() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingips": [
            floatingip(json!("9001")), floatingip(json!(null))]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"floatingip": floatingip(json!(null))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let ips = c
        .list_floatingips(&ListFloatingIpsOptions::default())
        .await
        .unwrap();
    assert_eq!(ips[0].port_id.as_ref().unwrap(), "9001");
    assert_eq!(ips[1].port_id, None);
    assert_eq!(ips[0].extra["instance_id"], json!("42"));
    let ip = c.get_floatingip("55").await.unwrap();
    assert_eq!(ip.floating_ip_address.as_deref(), Some("203.0.113.5"));
    assert_eq!(ip.floating_network_id.as_deref(), Some("77"));
}

#[tokio::test]
async fn floating_ips_two_pages_and_empty() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips")))
        .and(query_param("limit", "1"))
        .and(query_param_is_missing("marker"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"floatingips": [
            floatingip(json!(null))]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/floatingips")))
        .and(query_param("marker", "55"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"floatingips": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let all: Vec<_> = c
        .floatingips(ListFloatingIpsOptions {
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn create_floatingip_synnefo_and_neutron() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/floatingips")))
        .and(body_json(json!({"floatingip": {"project": "p9-project"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"floatingip": floatingip(json!(null))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/floatingips")))
        .and(body_json(
            json!({"floatingip": {"floating_network_id": "ext-net",
                                              "floating_ip_address": "198.51.100.7"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"floatingip": {
            "id": "f-uuid", "floating_ip_address": "198.51.100.7", "floating_network_id": "ext-net",
            "router_id": null, "status": "DOWN", "port_id": null, "fixed_ip_address": null}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let mut extra = serde_json::Map::new();
    extra.insert("project".into(), json!("p9-project"));
    let ip = c
        .create_floatingip(&CreateFloatingIp {
            extra,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ip.id, "55");
    let ip = c
        .create_floatingip(&CreateFloatingIp {
            floating_network_id: Some("ext-net".into()),
            floating_ip_address: Some("198.51.100.7".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ip.status.as_deref(), Some("DOWN"));
}

#[tokio::test]
async fn create_floatingip_no_free_address() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/floatingips")))
        .respond_with(ResponseTemplate::new(409).set_body_json(fault(
            "conflict",
            409,
            "No more IP addresses available on network 77",
            "",
        )))
        .mount(&mock)
        .await;
    let err = c
        .create_floatingip(&CreateFloatingIp::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.message,
        "Conflict conflict (No more IP addresses available on network 77)\n"
    );
}

#[tokio::test]
async fn update_and_delete_floatingip() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/floatingips/55")))
        .and(body_json(json!({"floatingip": {"port_id": null}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"floatingip": floatingip(json!(null))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/floatingips/56")))
        .and(body_json(
            json!({"floatingip": {"port_id": "9001", "fixed_ip_address": "10.0.0.3"}}),
        ))
        .respond_with(ResponseTemplate::new(501).set_body_json(fault(
            "notImplemented",
            501,
            "Not Implemented",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/floatingips/55")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let ip = c
        .update_floatingip(
            "55",
            &UpdateFloatingIp {
                port_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(ip.port_id.is_none());
    let err = c
        .update_floatingip(
            "56",
            &UpdateFloatingIp {
                port_id: Some(Some("9001".into())),
                fixed_ip_address: Some(Some("10.0.0.3".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 501);
    assert_eq!(
        c.update_floatingip("55", &UpdateFloatingIp::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
    c.delete_floatingip("55").await.unwrap();
}
