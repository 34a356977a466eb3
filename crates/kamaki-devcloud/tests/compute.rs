//! End-to-end tests of the devcloud compute API over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{json, Value};

async fn debian_image(http: &Http) -> String {
    let r = http.get("/compute/v2.0/images/detail").await;
    assert_eq!(r.status, 200);
    r.json()["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metadata"]["os"] == "debian")
        .expect("debian image")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn flavors_and_images() {
    let (cloud, http) = start().await;
    let r = http.get("/compute/v2.0/flavors").await;
    let v = r.json();
    assert!(v["flavors"][0]["id"].is_u64());
    assert!(v["flavors"][0].get("ram").is_none());
    let r = http.get("/compute/v2.0/flavors/detail").await;
    let f = &r.json()["flavors"][0];
    assert!(f["ram"].is_u64() && f["vcpus"].is_u64() && f["disk"].is_u64());
    assert_eq!(f["SNF:disk_template"], "ext_archipelago");
    let r = http.get("/compute/v2.0/flavors/3").await;
    assert_eq!(r.json()["flavor"]["vcpus"], 2);
    let r = http.get("/compute/v2.0/flavors/999").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["itemNotFound"]["code"], 404);
    let r = http.get("/compute/v2.0/images/detail").await;
    let imgs = r.json()["images"].as_array().unwrap().clone();
    for os in ["debian", "ubuntu", "windows"] {
        let i = imgs.iter().find(|i| i["metadata"]["os"] == os).unwrap();
        assert_eq!(i["status"], "ACTIVE");
        assert_eq!(i["public"], true);
    }
    let id = debian_image(&http).await;
    let r = http.get(&format!("/compute/v2.0/images/{id}")).await;
    assert_eq!(r.json()["image"]["metadata"]["users"], "root");
    let r = http
        .get(&format!("/compute/v2.0/images/{id}/metadata"))
        .await;
    assert_eq!(r.json()["metadata"]["os"], "debian");
    assert_eq!(http.get("/compute/v2.0/limits").await.status, 400);
    cloud.shutdown().await;
}

#[tokio::test]
async fn server_lifecycle() {
    let (cloud, http) = start().await;
    let image = debian_image(&http).await;
    let r = http
        .post_json(
            "/compute/v2.0/servers",
            &json!({"server": {"name": "web-1", "flavorRef": 1, "imageRef": image,
                               "metadata": {"os": "debian", "users": "root", "role": "web"}}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let s = r.json()["server"].clone();
    assert_eq!(s["status"], "BUILD");
    assert!(s["adminPass"].as_str().unwrap().len() >= 10);
    let id = s["id"].as_u64().unwrap();
    assert_eq!(s["metadata"]["role"], "web");
    let path = format!("/compute/v2.0/servers/{id}");
    let s = wait_for(&http, &path, |v| v["server"]["status"] == "ACTIVE").await;
    let s = &s["server"];
    assert_eq!(s["progress"], 100);
    assert_eq!(s["volumes"].as_array().unwrap().len(), 1);
    // default policy: one public NIC
    assert_eq!(s["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(s["attachments"][0]["network_id"], "1");
    assert!(s["addresses"]["1"][0]["addr"]
        .as_str()
        .unwrap()
        .starts_with("203.0.113."));
    assert!(s.get("adminPass").is_none());
    // list
    let r = http.get("/compute/v2.0/servers").await;
    assert_eq!(r.json()["servers"][0]["id"], id);
    assert!(r.json()["servers"][0].get("status").is_none());
    let r = http.get("/compute/v2.0/servers/detail").await;
    assert_eq!(r.json()["servers"][0]["status"], "ACTIVE");
    // rename
    let r = http
        .put_json(&path, &json!({"server": {"name": "web-2"}}))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(http.get(&path).await.json()["server"]["name"], "web-2");
    // metadata
    let r = http
        .post_json(
            &format!("{path}/metadata"),
            &json!({"metadata": {"a": "1"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["metadata"]["role"], "web");
    let r = http
        .put_json(&format!("{path}/metadata/b"), &json!({"meta": {"b": "2"}}))
        .await;
    assert_eq!((r.status, r.json()), (201, json!({"meta": {"b": "2"}})));
    assert_eq!(
        http.get(&format!("{path}/metadata/b")).await.json(),
        json!({"meta": {"b": "2"}})
    );
    assert_eq!(http.delete(&format!("{path}/metadata/b")).await.status, 204);
    assert_eq!(http.get(&format!("{path}/metadata/b")).await.status, 404);
    // actions
    let act = |body: Value| {
        let http = http.clone();
        let path = path.clone();
        async move { http.post_json(&format!("{path}/action"), &body).await }
    };
    assert_eq!(act(json!({"start": {}})).await.status, 400);
    assert_eq!(act(json!({"shutdown": {}})).await.status, 202);
    wait_for(&http, &path, |v| v["server"]["status"] == "STOPPED").await;
    assert_eq!(act(json!({"resize": {"flavorRef": 3}})).await.status, 202);
    let s = wait_for(&http, &path, |v| v["server"]["status"] == "STOPPED").await;
    assert_eq!(s["server"]["flavor"]["id"], 3);
    assert_eq!(act(json!({"start": {}})).await.status, 202);
    wait_for(&http, &path, |v| v["server"]["status"] == "ACTIVE").await;
    let r = act(json!({"reboot": {"type": "HARD"}})).await;
    assert_eq!(r.status, 202);
    assert_eq!(http.get(&path).await.json()["server"]["status"], "REBOOT");
    wait_for(&http, &path, |v| v["server"]["status"] == "ACTIVE").await;
    let r = act(json!({"console": {"type": "vnc"}})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["console"]["type"], "vnc");
    assert_eq!(act(json!({"console": {"type": "bogus"}})).await.status, 400);
    assert_eq!(
        act(json!({"firewallProfile": {"profile": "ENABLED"}}))
            .await
            .status,
        202
    );
    let s = http.get(&path).await.json();
    assert_eq!(s["server"]["attachments"][0]["firewallProfile"], "ENABLED");
    assert_eq!(
        act(json!({"reassign": {"project": cloud.user_uuid()}}))
            .await
            .status,
        200
    );
    assert_eq!(
        act(json!({"changePassword": {"adminPass": "x"}}))
            .await
            .status,
        501
    );
    assert_eq!(act(json!({"dance": {}})).await.status, 400);
    // tags
    let r = http.req("PUT", &format!("{path}/tags/web"), &[], "").await;
    assert_eq!(r.status, 201);
    let r = http.get(&format!("{path}/tags/web")).await;
    assert_eq!(r.status, 204);
    assert!(r.header("tag-status").is_some());
    assert_eq!(
        http.req("PUT", &format!("{path}/tags/web"), &[], "")
            .await
            .status,
        204
    );
    assert_eq!(http.get(&format!("{path}/tags/nope")).await.status, 404);
    // ips / stats / diagnostics
    let r = http.get(&format!("{path}/ips")).await;
    assert!(r.json()["addresses"]["1"].is_array());
    assert_eq!(http.get(&format!("{path}/ips/1")).await.status, 200);
    assert_eq!(
        http.get(&format!("{path}/stats")).await.json()["stats"]["serverRef"],
        id
    );
    assert!(http
        .get(&format!("{path}/diagnostics"))
        .await
        .json()
        .is_array());
    // changes-since
    let since = "2000-01-01T00:00:00+00:00";
    let r = http
        .get(&format!(
            "/compute/v2.0/servers/detail?changes-since={since}"
        ))
        .await;
    assert_eq!(r.status, 200);
    let r = http
        .get("/compute/v2.0/servers/detail?changes-since=2100-01-01T00:00:00Z")
        .await;
    assert_eq!(r.status, 400);
    // delete → DELETED → gone
    assert_eq!(http.delete(&path).await.status, 204);
    let s = wait_for(&http, &path, |v| v["server"]["status"] == "DELETED").await;
    assert_eq!(s["server"]["deleted"], true);
    assert_eq!(http.delete(&path).await.status, 400);
    let r = http.get("/compute/v2.0/servers").await;
    assert_eq!(r.json()["servers"], json!([]));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(http.get(&path).await.status, 404);
    let r = http.get("/compute/v2.0/servers/12345").await;
    assert_eq!(r.json()["itemNotFound"]["message"], "Server not found");
    cloud.shutdown().await;
}

#[tokio::test]
async fn create_validation_and_networks() {
    let (cloud, http) = start().await;
    let image = debian_image(&http).await;
    let post = |body: Value| {
        let http = http.clone();
        async move { http.post_json("/compute/v2.0/servers", &body).await }
    };
    assert_eq!(
        post(json!({"server": {"name": "x", "flavorRef": 1}}))
            .await
            .status,
        400
    );
    assert_eq!(
        post(json!({"server": {"name": "x", "flavorRef": 99, "imageRef": image}}))
            .await
            .status,
        404
    );
    assert_eq!(
        post(json!({"server": {"name": "x", "flavorRef": 1, "imageRef": "nope"}}))
            .await
            .status,
        404
    );
    assert_eq!(
        post(json!({"server": {"name": "x", "flavorRef": 1, "imageRef": image, "metadata": []}}))
            .await
            .status,
        400
    );
    assert_eq!(
        http.req("POST", "/compute/v2.0/servers", &[], "{bad")
            .await
            .status,
        400
    );
    // networks: [] → no NICs
    let r = post(
        json!({"server": {"name": "nonet", "flavorRef": "1", "imageRef": image, "networks": []}}),
    )
    .await;
    assert_eq!(r.status, 202);
    let id = r.json()["server"]["id"].as_u64().unwrap();
    let s = wait_for(&http, &format!("/compute/v2.0/servers/{id}"), |v| {
        v["server"]["status"] == "ACTIVE"
    })
    .await;
    assert_eq!(s["server"]["attachments"], json!([]));
    assert_eq!(s["server"]["addresses"], json!({}));
    // image metadata copied? (server side: os/users from the image)
    assert_eq!(s["server"]["metadata"]["os"], "debian");
    // private network
    let r = http
        .post_json(
            "/network/v2.0/networks",
            &json!({"network": {"type": "MAC_FILTERED", "name": "lan"}}),
        )
        .await;
    let net = r.json()["network"]["id"].as_str().unwrap().to_string();
    http.post_json(
        "/network/v2.0/subnets",
        &json!({"subnet": {"network_id": net, "cidr": "10.0.7.0/24"}}),
    )
    .await;
    let r = post(json!({"server": {"name": "p", "flavorRef": 1, "imageRef": image, "networks": [{"uuid": net}]}})).await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["server"]["id"].as_u64().unwrap();
    let s = wait_for(&http, &format!("/compute/v2.0/servers/{id}"), |v| {
        v["server"]["status"] == "ACTIVE"
    })
    .await;
    assert_eq!(s["server"]["attachments"][0]["network_id"], net);
    assert_eq!(s["server"]["attachments"][0]["ipv4"], "10.0.7.2");
    // network in use → 409
    assert_eq!(
        http.delete(&format!("/network/v2.0/networks/{net}"))
            .await
            .status,
        409
    );
    cloud.shutdown().await;
}

#[tokio::test]
async fn keypairs() {
    let (cloud, http) = start().await;
    let r = http
        .post_json(
            "/compute/v2.0/os-keypairs",
            &json!({"keypair": {"name": "laptop", "public_key": "ssh-rsa AAAA me@host"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(r.json()["keypair"]["fingerprint"].is_string());
    assert!(r.json()["keypair"].get("private_key").is_none());
    let r = http
        .post_json(
            "/compute/v2.0/os-keypairs",
            &json!({"keypair": {"name": "laptop", "public_key": "x"}}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = http
        .post_json(
            "/compute/v2.0/os-keypairs",
            &json!({"keypair": {"name": "gen"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(r.json()["keypair"]["private_key"]
        .as_str()
        .unwrap()
        .contains("PRIVATE KEY"));
    let r = http.get("/compute/v2.0/os-keypairs").await;
    assert_eq!(r.json()["keypairs"].as_array().unwrap().len(), 2);
    assert_eq!(r.json()["keypairs"][1]["keypair"]["name"], "laptop");
    let r = http.get("/compute/v2.0/os-keypairs/laptop").await;
    assert_eq!(r.json()["keypair"]["public_key"], "ssh-rsa AAAA me@host");
    assert_eq!(
        http.delete("/compute/v2.0/os-keypairs/laptop").await.status,
        204
    );
    assert_eq!(
        http.get("/compute/v2.0/os-keypairs/laptop").await.status,
        404
    );
    assert_eq!(
        http.post_json("/compute/v2.0/os-keypairs", &json!({"keypair": {}}))
            .await
            .status,
        400
    );
    // key used by a server
    let image = debian_image(&http).await;
    let r = http
        .post_json(
            "/compute/v2.0/servers",
            &json!({"server": {"name": "k", "flavorRef": 1, "imageRef": image, "key_name": "gen"}}),
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.json()["server"]["key_name"], "gen");
    cloud.shutdown().await;
}
