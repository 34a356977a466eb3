//! End-to-end tests of the devcloud network, block storage and image APIs over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{json, Value};

async fn new_server(http: &Http, name: &str, networks: Option<Value>) -> u64 {
    let r = http.get("/compute/v2.0/images/detail").await;
    let image = r.json()["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metadata"]["os"] == "ubuntu")
        .unwrap()["id"]
        .clone();
    let mut server = json!({"name": name, "flavorRef": 1, "imageRef": image});
    if let Some(n) = networks {
        server["networks"] = n;
    }
    let r = http
        .post_json("/compute/v2.0/servers", &json!({"server": server}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["server"]["id"].as_u64().unwrap();
    wait_for(http, &format!("/compute/v2.0/servers/{id}"), |v| {
        v["server"]["status"] == "ACTIVE"
    })
    .await;
    id
}

#[tokio::test]
async fn networks_subnets_ports_floating_ips() {
    let (cloud, http) = start().await;
    let r = http.get("/network/v2.0/networks").await;
    let nets = r.json()["networks"].as_array().unwrap().clone();
    let public = nets.iter().find(|n| n["public"] == true).unwrap();
    assert_eq!(public["id"], "1");
    assert_eq!(public["SNF:floating_ip_pool"], true);
    assert_eq!(public["user_id"], Value::Null);
    for t in ["MAC_FILTERED", "IP_LESS_ROUTED", "CUSTOM"] {
        let r = http
            .post_json(
                "/network/v2.0/networks",
                &json!({"network": {"type": t, "admin_state_up": true, "name": t}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["network"]["type"], t);
        assert_eq!(r.json()["network"]["status"], "ACTIVE");
    }
    assert_eq!(
        http.post_json(
            "/network/v2.0/networks",
            &json!({"network": {"type": "PHYSICAL_VLAN"}})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        http.post_json("/network/v2.0/networks", &json!({"network": {"type": "X"}}))
            .await
            .status,
        400
    );
    assert_eq!(
        http.post_json("/network/v2.0/networks", &json!({"network": {"name": "x"}}))
            .await
            .status,
        400
    );
    let r = http
        .post_json(
            "/network/v2.0/networks",
            &json!({"network": {"type": "MAC_FILTERED", "name": "lan"}}),
        )
        .await;
    let net = r.json()["network"]["id"].as_str().unwrap().to_string();
    let r = http
        .put_json(
            &format!("/network/v2.0/networks/{net}"),
            &json!({"network": {"name": "lan2"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["network"]["name"].clone()),
        (200, json!("lan2"))
    );
    // subnet
    let r = http
        .post_json(
            "/network/v2.0/subnets",
            &json!({"subnet": {"network_id": net, "cidr": "192.168.10.0/24", "ip_version": 4,
                    "allocation_pools": [{"start": "192.168.10.100", "end": "192.168.10.200"}], "enable_dhcp": true}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let sub = r.json()["subnet"].clone();
    assert_eq!(sub["gateway_ip"], "192.168.10.1");
    assert_eq!(sub["allocation_pools"][0]["start"], "192.168.10.100");
    let sid = sub["id"].as_str().unwrap().to_string();
    let r = http.get(&format!("/network/v2.0/subnets/{sid}")).await;
    assert_eq!(r.json()["subnet"]["cidr"], "192.168.10.0/24");
    assert_eq!(
        http.delete(&format!("/network/v2.0/subnets/{sid}"))
            .await
            .status,
        400
    );
    let r = http.get(&format!("/network/v2.0/networks/{net}")).await;
    assert_eq!(r.json()["network"]["subnets"], json!([sid]));
    let r = http
        .post_json(
            "/network/v2.0/subnets",
            &json!({"subnet": {"network_id": net, "cidr": "nonsense"}}),
        )
        .await;
    assert!(r.status == 400 || r.status == 409);
    // port on the private network
    let server = new_server(&http, "s1", Some(json!([]))).await;
    let r = http
        .post_json(
            "/network/v2.0/ports",
            &json!({"port": {"network_id": net, "device_id": server.to_string()}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let port = r.json()["port"].clone();
    assert_eq!(port["status"], "BUILD");
    assert_eq!(port["fixed_ips"][0]["ip_address"], "192.168.10.100");
    let pid = port["id"].as_str().unwrap().to_string();
    wait_for(&http, &format!("/network/v2.0/ports/{pid}"), |v| {
        v["port"]["status"] == "ACTIVE"
    })
    .await;
    let s = http
        .get(&format!("/compute/v2.0/servers/{server}"))
        .await
        .json();
    assert_eq!(s["server"]["attachments"][0]["network_id"], net);
    // floating IP attach through a port
    let r = http
        .post_json("/network/v2.0/floatingips", &json!({"floatingip": {}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let fip = r.json()["floatingip"].clone();
    assert_eq!(fip["port_id"], Value::Null);
    let addr = fip["floating_ip_address"].as_str().unwrap().to_string();
    let fid = fip["id"].as_str().unwrap().to_string();
    let fnet = fip["floating_network_id"].as_str().unwrap().to_string();
    let r = http
        .post_json(
            "/network/v2.0/ports",
            &json!({"port": {"network_id": fnet, "device_id": server.to_string(), "fixed_ips": [{"ip_address": addr}]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let fport = r.json()["port"]["id"].as_str().unwrap().to_string();
    wait_for(&http, &format!("/network/v2.0/ports/{fport}"), |v| {
        v["port"]["status"] == "ACTIVE"
    })
    .await;
    let r = http.get(&format!("/network/v2.0/floatingips/{fid}")).await;
    assert_eq!(r.json()["floatingip"]["port_id"], fport);
    assert_eq!(r.json()["floatingip"]["instance_id"], server.to_string());
    let s = http
        .get(&format!("/compute/v2.0/servers/{server}"))
        .await
        .json();
    assert_eq!(
        s["server"]["addresses"][&fnet][0]["OS-EXT-IPS:type"],
        "floating"
    );
    // cannot release while attached
    assert_eq!(
        http.delete(&format!("/network/v2.0/floatingips/{fid}"))
            .await
            .status,
        409
    );
    // public network port without a floating IP → 400
    let r = http
        .post_json(
            "/network/v2.0/ports",
            &json!({"port": {"network_id": fnet, "device_id": server.to_string()}}),
        )
        .await;
    assert_eq!(r.status, 400);
    // detach: delete the port, wait for 404
    assert_eq!(
        http.delete(&format!("/network/v2.0/ports/{fport}"))
            .await
            .status,
        204
    );
    for _ in 0..100 {
        if http
            .get(&format!("/network/v2.0/ports/{fport}"))
            .await
            .status
            == 404
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        http.get(&format!("/network/v2.0/ports/{fport}"))
            .await
            .status,
        404
    );
    let r = http.get(&format!("/network/v2.0/floatingips/{fid}")).await;
    assert_eq!(r.json()["floatingip"]["port_id"], Value::Null);
    assert_eq!(
        http.delete(&format!("/network/v2.0/floatingips/{fid}"))
            .await
            .status,
        204
    );
    let r = http.get("/network/v2.0/floatingips").await;
    assert_eq!(r.json()["floatingips"], json!([]));
    // reassign
    let r = http
        .post_json(
            &format!("/network/v2.0/networks/{net}/action"),
            &json!({"reassign": {"project": cloud.user_uuid()}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(http.get("/network/v2.0/networks/999").await.status, 404);
    cloud.shutdown().await;
}

#[tokio::test]
async fn volumes_and_snapshots() {
    let (cloud, http) = start().await;
    let r = http.get("/volume/v2.0/types").await;
    let types = r.json()["volume_types"].as_array().unwrap().clone();
    assert!(types
        .iter()
        .any(|t| t["name"] == "ext_archipelago" && t["SNF:detachable"] == true));
    assert_eq!(
        http.get("/volume/v2.0/types/1").await.json()["volume_type"]["id"],
        1
    );
    let server = new_server(&http, "db", None).await;
    let s = http
        .get(&format!("/compute/v2.0/servers/{server}"))
        .await
        .json();
    let root = s["server"]["volumes"][0].as_u64().unwrap();
    let r = http.get(&format!("/volume/v2.0/volumes/{root}")).await;
    let v = r.json()["volume"].clone();
    assert_eq!(v["id"], root.to_string());
    assert_eq!(v["attachments"][0]["server_id"], server);
    wait_for(&http, &format!("/volume/v2.0/volumes/{root}"), |v| {
        v["volume"]["status"] == "in_use"
    })
    .await;
    // root volume cannot be deleted
    assert_eq!(
        http.delete(&format!("/volume/v2.0/volumes/{root}"))
            .await
            .status,
        400
    );
    // extra attached volume
    let r = http
        .post_json("/volume/v2.0/volumes", &json!({"volume": {"size": 2, "display_name": "data", "server_id": server.to_string()}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let vol = r.json()["volume"].clone();
    assert!(vol.get("status").is_none());
    let vid = vol["id"].as_str().unwrap().to_string();
    wait_for(&http, &format!("/volume/v2.0/volumes/{vid}"), |v| {
        v["volume"]["status"] == "in_use"
    })
    .await;
    // detached volume needs a type
    let r = http
        .post_json(
            "/volume/v2.0/volumes",
            &json!({"volume": {"size": 1, "display_name": "x"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = http
        .post_json(
            "/volume/v2.0/volumes",
            &json!({"volume": {"size": 1, "display_name": "usb", "volume_type": 1}}),
        )
        .await;
    let usb = r.json()["volume"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        http.get(&format!("/volume/v2.0/volumes/{usb}"))
            .await
            .json()["volume"]["status"],
        "available"
    );
    // attach / detach through compute
    let r = http
        .post_json(
            &format!("/compute/v2.0/servers/{server}/os-volume_attachments"),
            &json!({"volumeAttachment": {"volumeId": usb}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    wait_for(&http, &format!("/volume/v2.0/volumes/{usb}"), |v| {
        v["volume"]["status"] == "in_use"
    })
    .await;
    let r = http
        .get(&format!(
            "/compute/v2.0/servers/{server}/os-volume_attachments"
        ))
        .await;
    assert_eq!(r.json()["volumeAttachments"].as_array().unwrap().len(), 3);
    let r = http
        .delete(&format!(
            "/compute/v2.0/servers/{server}/os-volume_attachments/{usb}"
        ))
        .await;
    assert_eq!(r.status, 202);
    wait_for(&http, &format!("/volume/v2.0/volumes/{usb}"), |v| {
        v["volume"]["status"] == "available"
    })
    .await;
    // update / metadata
    let r = http
        .put_json(
            &format!("/volume/v2.0/volumes/{vid}"),
            &json!({"volume": {"display_name": "data2"}}),
        )
        .await;
    assert_eq!(r.json()["volume"]["display_name"], "data2");
    assert_eq!(
        http.put_json(
            &format!("/volume/v2.0/volumes/{vid}"),
            &json!({"volume": {}})
        )
        .await
        .status,
        400
    );
    let r = http
        .post_json(
            &format!("/volume/v2.0/volumes/{vid}/metadata"),
            &json!({"metadata": {"k": "v"}}),
        )
        .await;
    assert_eq!(r.json()["metadata"]["k"], "v");
    assert_eq!(
        http.delete(&format!("/volume/v2.0/volumes/{vid}/metadata/k"))
            .await
            .status,
        200
    );
    // snapshot → image → pithos data
    let r = http
        .post_json(
            "/volume/v2.0/snapshots",
            &json!({"snapshot": {"volume_id": root.to_string(), "display_name": "db backup"}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let snap = r.json()["snapshot"].clone();
    assert_eq!(snap["status"], "CREATING");
    assert_eq!(snap["os-extended-snapshot-attribute:progress"], 0);
    let snap_id = snap["id"].as_str().unwrap().to_string();
    let r = http.head(&format!("/image/v1.0/images/{snap_id}")).await;
    assert_eq!(r.status, 200);
    let location = r.h("x-image-meta-location");
    assert_eq!(
        location,
        format!("pithos://{}/snapshots/db%20backup", cloud.user_uuid())
    );
    assert_eq!(r.h("x-image-meta-is-snapshot"), "True");
    assert_eq!(r.h("x-image-meta-property-exclude-all-tasks"), "yes");
    let s = wait_for(&http, &format!("/volume/v2.0/snapshots/{snap_id}"), |v| {
        v["snapshot"]["status"] == "AVAILABLE"
    })
    .await;
    assert_eq!(
        s["snapshot"]["os-extended-snapshot-attribute:progress"],
        "100%"
    );
    assert_eq!(s["snapshot"]["volume_id"], root.to_string());
    let r = http.get("/volume/v2.0/snapshots/detail").await;
    assert_eq!(r.json()["snapshots"].as_array().unwrap().len(), 1);
    let r = http.get("/compute/v2.0/images/detail").await;
    assert!(r.json()["images"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == snap_id && i["is_snapshot"] == true));
    // the data is in pithos, spans more than one block
    let obj = format!(
        "/object-store/v1/{}/snapshots/db%20backup",
        cloud.user_uuid()
    );
    let hm = http.get(&format!("{obj}?hashmap&format=json")).await.json();
    assert!(hm["hashes"].as_array().unwrap().len() > 1);
    let data = http.get(&obj).await;
    assert_eq!(data.status, 200);
    assert_eq!(data.body.len() as u64, hm["bytes"].as_u64().unwrap());
    // duplicate name → 409; update; delete
    let r = http
        .post_json(
            "/volume/v2.0/snapshots",
            &json!({"snapshot": {"volume_id": root.to_string(), "display_name": "db backup"}}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = http
        .put_json(
            &format!("/volume/v2.0/snapshots/{snap_id}"),
            &json!({"snapshot": {"display_description": "nightly"}}),
        )
        .await;
    assert_eq!(r.json()["snapshot"]["display_description"], "nightly");
    // a detached volume cannot be snapshotted
    let r = http
        .post_json(
            "/volume/v2.0/snapshots",
            &json!({"snapshot": {"volume_id": usb}}),
        )
        .await;
    assert_eq!(r.status, 400);
    // volume from snapshot
    let r = http
        .post_json(
            "/volume/v2.0/volumes",
            &json!({"volume": {"size": 20, "display_name": "restored", "snapshot_id": snap_id, "server_id": server.to_string()}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(
        http.delete(&format!("/volume/v2.0/snapshots/{snap_id}"))
            .await
            .status,
        202
    );
    assert_eq!(
        http.get(&format!("/volume/v2.0/snapshots/{snap_id}"))
            .await
            .status,
        404
    );
    // delete volume
    assert_eq!(
        http.delete(&format!("/volume/v2.0/volumes/{usb}"))
            .await
            .status,
        202
    );
    wait_for(&http, &format!("/volume/v2.0/volumes/{usb}"), |v| {
        v["volume"]["status"] == "deleted"
    })
    .await;
    cloud.shutdown().await;
}

#[tokio::test]
async fn plankton_register_meta_members_unregister() {
    let (cloud, http) = start().await;
    let uuid = cloud.user_uuid().to_string();
    http.req("PUT", &format!("/object-store/v1/{uuid}/images"), &[], "")
        .await;
    let r = http
        .req(
            "PUT",
            &format!("/object-store/v1/{uuid}/images/my%20img.diskdump"),
            &[("Content-Type", "application/octet-stream")],
            pattern(1000, 3),
        )
        .await;
    assert_eq!(r.status, 201);
    let checksum = r.h("etag");
    let loc = format!("pithos://{uuid}/images/my%20img.diskdump");
    let r = http
        .req(
            "POST",
            "/image/v1.0/images/",
            &[
                ("X-Image-Meta-Name", "My%20Image%20%CE%B1"),
                ("X-Image-Meta-Location", &loc),
                ("x-image-meta-disk-format", "diskdump"),
                ("x-image-meta-is-public", "False"),
                ("x-image-meta-checksum", &checksum),
                ("x-image-meta-property-OS", "debian"),
                ("x-image-meta-property-root_partition", "1"),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.h("x-image-meta-id");
    assert_eq!(r.h("x-image-meta-name"), "My%20Image%20%CE%B1");
    assert_eq!(r.h("x-image-meta-location"), loc);
    assert_eq!(r.h("x-image-meta-size"), "1000");
    assert_eq!(r.h("x-image-meta-status"), "AVAILABLE");
    assert_eq!(r.h("x-image-meta-property-os"), "debian");
    assert_eq!(r.h("x-image-meta-property-root-partition"), "1");
    assert_eq!(r.h("x-image-meta-owner"), uuid);
    // the id is the object uuid
    let h = http
        .head(&format!("/object-store/v1/{uuid}/images/my%20img.diskdump"))
        .await;
    assert_eq!(h.h("x-object-uuid"), id);
    // HEAD
    let r = http.head(&format!("/image/v1.0/images/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("x-image-meta-is-public"), "False");
    let r = http.head("/image/v1.0/images/nope").await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    assert_eq!(
        http.get(&format!("/image/v1.0/images/{id}")).await.status,
        501
    );
    // listing
    let r = http.get("/image/v1.0/images/?sort_dir=asc").await;
    assert!(r.json().as_array().unwrap().iter().any(|i| i["id"] == id));
    let r = http
        .get("/image/v1.0/images/detail?sort_key=name&sort_dir=desc")
        .await;
    let img = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap();
    assert_eq!(img["properties"]["os"], "debian");
    assert_eq!(img["location"], loc);
    assert_eq!(img["is_public"], false);
    assert_eq!(
        http.get("/image/v1.0/images/?sort_key=bogus").await.status,
        400
    );
    // errors
    let reg = |headers: Vec<(&'static str, String)>| {
        let http = http.clone();
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            http.req("POST", "/image/v1.0/images/", &h, "").await
        }
    };
    let r = reg(vec![
        ("X-Image-Meta-Name", "x".into()),
        (
            "X-Image-Meta-Location",
            format!("pithos://{uuid}/images/missing"),
        ),
    ])
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["itemNotFound"]["code"], 404);
    let r = reg(vec![
        ("X-Image-Meta-Name", "x".into()),
        ("X-Image-Meta-Location", "/images/a".into()),
    ])
    .await;
    assert_eq!(r.status, 400);
    let r = reg(vec![("X-Image-Meta-Location", loc.clone())]).await;
    assert_eq!(r.status, 400);
    let r = reg(vec![
        ("X-Image-Meta-Name", "x".into()),
        ("X-Image-Meta-Location", loc.clone()),
        ("X-Image-Meta-Disk-Format", "qcow2".into()),
    ])
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["badRequest"]["message"],
        "Invalid disk format 'qcow2'"
    );
    let r = reg(vec![
        ("X-Image-Meta-Name", "x".into()),
        ("X-Image-Meta-Location", loc.clone()),
        ("X-Image-Meta-Size", "1000".into()),
    ])
    .await;
    assert_eq!(r.status, 400);
    // members
    let friend = cloud.users()[1].uuid.clone();
    let fh = http.with_token(&cloud.users()[1].token);
    assert_eq!(
        fh.head(&format!("/image/v1.0/images/{id}")).await.status,
        404
    );
    let r = http
        .req(
            "PUT",
            &format!("/image/v1.0/images/{id}/members/{friend}"),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, 204);
    let r = http.get(&format!("/image/v1.0/images/{id}/members")).await;
    assert_eq!(
        r.json(),
        json!({"members": [{"member_id": friend, "can_share": false}]})
    );
    assert_eq!(
        fh.head(&format!("/image/v1.0/images/{id}")).await.status,
        200
    );
    let r = fh.get(&format!("/image/v1.0/shared-images/{uuid}")).await;
    assert_eq!(r.json()["shared_images"][0]["image_id"], id);
    let r = http
        .put_json(
            &format!("/image/v1.0/images/{id}/members"),
            &json!({"memberships": []}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        fh.head(&format!("/image/v1.0/images/{id}")).await.status,
        404
    );
    assert_eq!(
        http.put_json(&format!("/image/v1.0/images/{id}/members"), &json!({}))
            .await
            .status,
        400
    );
    // update
    let r = http
        .req(
            "PUT",
            &format!("/image/v1.0/images/{id}"),
            &[
                ("X-Image-Meta-Name", "%CE%BD%CE%AD%CE%BF"),
                ("X-Image-Meta-Is-Public", "True"),
                ("X-Image-Meta-Property-Users", "root"),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("x-image-meta-is-public"), "True");
    assert_eq!(r.h("x-image-meta-property-os"), "debian");
    assert_eq!(r.h("x-image-meta-property-users"), "root");
    assert_eq!(
        fh.head(&format!("/image/v1.0/images/{id}")).await.status,
        200
    );
    let r = http
        .req(
            "PUT",
            &format!("/image/v1.0/images/{id}"),
            &[("X-Image-Meta-Size", "3")],
            "",
        )
        .await;
    assert_eq!(r.status, 400);
    // a server can boot from it
    let r = http
        .post_json(
            "/compute/v2.0/servers",
            &json!({"server": {"name": "mine", "flavorRef": 1, "imageRef": id}}),
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.json()["server"]["metadata"]["users"], "root");
    // unregister, re-register keeps the id
    assert_eq!(
        http.delete(&format!("/image/v1.0/images/{id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        http.head(&format!("/image/v1.0/images/{id}")).await.status,
        404
    );
    assert_eq!(
        http.head(&format!("/object-store/v1/{uuid}/images/my%20img.diskdump"))
            .await
            .status,
        200
    );
    let r = reg(vec![
        ("X-Image-Meta-Name", "again".into()),
        ("X-Image-Meta-Location", loc.clone()),
    ])
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("x-image-meta-id"), id);
    // unknown path
    assert_eq!(http.get("/image/v1.0/nothing").await.status, 400);
    assert_eq!(
        http.with_token("bad")
            .get("/image/v1.0/images/")
            .await
            .status,
        401
    );
    cloud.shutdown().await;
}
