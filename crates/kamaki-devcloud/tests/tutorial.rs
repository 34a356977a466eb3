//! The five scripts of kamaki's "Creating applications with kamaki API"
//! tutorial, replayed over HTTP the way kamaki 0.16 sends them, plus
//! persistence across restarts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use kamaki_devcloud::{block_hash, DevCloud, DevCloudConfig, BLOCK_SIZE};
use serde_json::{json, Value};

/// `AstakosClient.get_endpoint_url(type)`: public-mode POST /tokens.
async fn endpoint(http: &Http, kind: &str) -> String {
    let r = http
        .req(
            "POST",
            "/identity/v2.0/tokens",
            &[("content-type", "application/json")],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    let url = v["access"]["serviceCatalog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == kind)
        .unwrap()["endpoints"][0]["publicURL"]
        .as_str()
        .unwrap()
        .to_string();
    url.strip_prefix(&http.base).unwrap().to_string()
}

/// `astakos.user_info['id']`
async fn user_id(http: &Http) -> String {
    let body = json!({"auth": {"token": {"id": http.token.clone().unwrap()}}});
    let r = http.post_json("/identity/v2.0/tokens", &body).await;
    r.json()["access"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `CycladesComputeClient.create_server` (GET image first, copy os/users).
async fn create_server(
    http: &Http,
    compute: &str,
    name: &str,
    flavor: Value,
    image: &str,
    networks: Option<Value>,
) -> Value {
    let r = http.get(&format!("{compute}/images/{image}")).await;
    assert_eq!(r.status, 200);
    let img = r.json()["image"].clone();
    let mut metadata = serde_json::Map::new();
    for k in ["os", "users"] {
        if let Some(v) = img["metadata"].get(k) {
            metadata.insert(k.into(), v.clone());
        }
    }
    let mut server =
        json!({"name": name, "flavorRef": flavor, "imageRef": image, "metadata": metadata});
    if let Some(n) = networks {
        server["networks"] = n;
    }
    let r = http
        .post_json(&format!("{compute}/servers"), &json!({"server": server}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    r.json()["server"].clone()
}

/// `wait_server(id)` = wait while BUILD; returns the last details.
async fn wait_server(http: &Http, compute: &str, id: &Value) -> Value {
    wait_for(http, &format!("{compute}/servers/{id}"), |v| {
        v["server"]["status"] != "BUILD"
    })
    .await["server"]
        .clone()
}

/// `PithosClient.upload_object`: HEAD container, hashmap PUT, block POSTs, PUT again.
async fn upload(
    http: &Http,
    pithos: &str,
    acct: &str,
    cont: &str,
    path: &str,
    data: &[u8],
) -> reqwestless::Created {
    let r = http.head(&format!("{pithos}/{acct}/{cont}")).await;
    assert_eq!(r.status, 204);
    let bs: usize = r.h("x-container-block-size").parse().unwrap();
    let hashes: Vec<String> = data.chunks(bs).map(block_hash).collect();
    let body = json!({"bytes": data.len(), "hashes": hashes}).to_string();
    let url = format!(
        "{pithos}/{acct}/{cont}/{}?hashmap=True&format=json",
        path.replace(' ', "%20")
    );
    let ct = [("Content-Type", "application/octet-stream")];
    let r = http.req("PUT", &url, &ct, body.clone()).await;
    if r.status == 409 {
        let missing: Vec<String> = serde_json::from_slice(&r.body).unwrap();
        for (i, h) in hashes.iter().enumerate() {
            if missing.contains(h) {
                let chunk = &data[i * bs..((i + 1) * bs).min(data.len())];
                let r = http
                    .req(
                        "POST",
                        &format!("{pithos}/{acct}/{cont}?update&format=json"),
                        &ct,
                        chunk.to_vec(),
                    )
                    .await;
                assert_eq!(r.status, 202);
                assert_eq!(r.json()[0], json!(h));
            }
        }
        let r = http.req("PUT", &url, &ct, body).await;
        assert_eq!(r.status, 201, "{}", r.text());
        return reqwestless::Created { etag: r.h("etag") };
    }
    assert_eq!(r.status, 201);
    reqwestless::Created { etag: r.h("etag") }
}

mod reqwestless {
    pub struct Created {
        pub etag: String,
    }
}

/// `PithosClient.download_object`: hashmap, then one ranged GET per block.
async fn download(http: &Http, pithos: &str, acct: &str, cont: &str, path: &str) -> Vec<u8> {
    let obj = format!("{pithos}/{acct}/{cont}/{}", path.replace(' ', "%20"));
    let r = http.get(&format!("{obj}?hashmap=True&format=json")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let hm = r.json();
    let bs = hm["block_size"].as_u64().unwrap() as usize;
    let total = hm["bytes"].as_u64().unwrap() as usize;
    let mut out = vec![0u8; total];
    for (i, _) in hm["hashes"].as_array().unwrap().iter().enumerate() {
        let s = i * bs;
        if s >= total {
            break;
        }
        let e = ((i + 1) * bs).min(total) - 1;
        let r = http
            .req(
                "GET",
                &format!("{obj}?format=json"),
                &[("Range", &format!("bytes={s}-{e}"))],
                "",
            )
            .await;
        assert_eq!(r.status, 206);
        out[s..=e].copy_from_slice(&r.body);
    }
    out
}

async fn image_ids(http: &Http, compute: &str) -> (String, String, String) {
    let r = http.get(&format!("{compute}/images/detail")).await;
    let imgs = r.json()["images"].as_array().unwrap().clone();
    let find = |os: &str| {
        imgs.iter().find(|i| i["metadata"]["os"] == os).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (find("debian"), find("windows"), find("ubuntu"))
}

#[tokio::test]
async fn script_1_batch_create_servers() {
    let (cloud, http) = start().await;
    let compute = endpoint(&http, "compute").await;
    let (debian, windows, ubuntu) = image_ids(&http, &compute).await;
    let mut created = Vec::new();
    for (name, flavor, image) in [
        ("My Debian Server", 1, &debian),
        ("My Windows Server", 3, &windows),
        ("My Ubuntu Server", 3, &ubuntu),
    ] {
        created.push(
            create_server(&http, &compute, name, json!(flavor), image, Some(json!([]))).await,
        );
    }
    for vm in &created {
        let s = wait_server(&http, &compute, &vm["id"]).await;
        assert_eq!(s["status"], "ACTIVE");
        assert_eq!(s["attachments"], json!([]));
    }
    let s = &created[1];
    assert_eq!(s["metadata"]["os"], "windows");
    cloud.shutdown().await;
}

#[tokio::test]
async fn script_2_register_pre_uploaded_images() {
    let (cloud, http) = start().await;
    let uuid = user_id(&http).await;
    let pithos = endpoint(&http, "object-store").await;
    let image = endpoint(&http, "image").await;
    upload(
        &http,
        &pithos,
        &uuid,
        "images",
        "alpine.diskdump",
        &pattern(10_000, 1),
    )
    .await;
    upload(
        &http,
        &pithos,
        &uuid,
        "images",
        "dir/centos 7.diskdump",
        &pattern(BLOCK_SIZE + 5, 2),
    )
    .await;
    let r = http
        .get(&format!("{pithos}/{uuid}/images?format=json"))
        .await;
    let objs = r.json().as_array().unwrap().clone();
    assert_eq!(objs.len(), 2);
    for obj in objs {
        let path = obj["name"].as_str().unwrap();
        let location = format!(
            "pithos://{uuid}/images/{}",
            path.split('/')
                .map(|p| p.replace(' ', "%20"))
                .collect::<Vec<_>>()
                .join("/")
        );
        let name = format!("Image%20{}", path.replace(' ', "%20").replace('/', "%2F"));
        let r = http
            .req(
                "POST",
                &format!("{image}/images/"),
                &[
                    ("X-Image-Meta-Name", &name),
                    ("X-Image-Meta-Location", &location),
                ],
                "",
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.h("x-image-meta-location"), location);
        assert_eq!(
            r.h("x-image-meta-id"),
            obj["x_object_uuid"].as_str().unwrap()
        );
    }
    cloud.shutdown().await;
}

#[tokio::test]
async fn script_3_two_servers_and_a_private_network() {
    let (cloud, http) = start().await;
    let network = endpoint(&http, "network").await;
    let r = http
        .post_json(
            &format!("{network}/networks"),
            &json!({"network": {"type": "MAC_FILTERED", "admin_state_up": true, "name": "My private network"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let net = r.json()["network"]["id"].clone();
    let compute = endpoint(&http, "compute").await;
    let (debian, _, _) = image_ids(&http, &compute).await;
    let s1 = create_server(
        &http,
        &compute,
        "server 1",
        json!("1"),
        &debian,
        Some(json!([{"uuid": net}])),
    )
    .await;
    let s2 = create_server(
        &http,
        &compute,
        "server 2",
        json!("1"),
        &debian,
        Some(json!([{"uuid": net}])),
    )
    .await;
    for s in [s1, s2] {
        let d = wait_server(&http, &compute, &s["id"]).await;
        assert_eq!(d["status"], "ACTIVE");
        assert_eq!(d["attachments"][0]["network_id"], net);
    }
    cloud.shutdown().await;
}

#[tokio::test]
async fn script_4_snapshot_and_backup_then_5_restore() {
    let (cloud, http) = start().await;
    let compute = endpoint(&http, "compute").await;
    let (debian, _, _) = image_ids(&http, &compute).await;
    let srv = create_server(&http, &compute, "to backup", json!(1), &debian, None).await;
    wait_server(&http, &compute, &srv["id"]).await;
    // script 4
    let r = http.get(&format!("{compute}/servers/{}", srv["id"])).await;
    let srv = r.json()["server"].clone();
    let volume_id = srv["volumes"][0].clone();
    let volume = endpoint(&http, "volume").await;
    let r = http
        .post_json(
            &format!("{volume}/snapshots"),
            &json!({"snapshot": {"volume_id": volume_id, "display_name": format!("Srv {} BackUp", srv["id"])}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let snp = r.json()["snapshot"].clone();
    let image = endpoint(&http, "image").await;
    let r = http
        .head(&format!("{image}/images/{}", snp["id"].as_str().unwrap()))
        .await;
    assert_eq!(r.status, 200);
    // kamaki percent-decodes the location header
    let location = percent_decode(&r.h("x-image-meta-location"));
    let rest = location.strip_prefix("pithos://").unwrap();
    let (account, rel) = rest.split_once('/').unwrap();
    let (container, path) = rel.split_once('/').unwrap();
    assert_eq!(account, cloud.user_uuid());
    assert_eq!(container, "snapshots");
    assert_eq!(path, format!("Srv {} BackUp", srv["id"]));
    let pithos = endpoint(&http, "object-store").await;
    let backup = download(&http, &pithos, account, container, path).await;
    assert!(backup.len() > BLOCK_SIZE);

    // script 5: upload the local backup and boot from it
    let uuid = user_id(&http).await;
    let created = upload(
        &http,
        &pithos,
        &uuid,
        "snapshots",
        "server_backup.diskdump",
        &backup,
    )
    .await;
    assert!(!created.etag.is_empty());
    let location = format!("pithos://{uuid}/snapshots/server_backup.diskdump");
    let r = http
        .req(
            "POST",
            &format!("{image}/images/"),
            &[
                ("X-Image-Meta-Name", "Backup%20Snapshot"),
                ("X-Image-Meta-Location", &location),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let img_id = r.h("x-image-meta-id");
    let restored = create_server(&http, &compute, "Restored server", json!(2), &img_id, None).await;
    let d = wait_server(&http, &compute, &restored["id"]).await;
    assert_eq!(d["status"], "ACTIVE");
    assert_eq!(d["image"]["id"], img_id);
    cloud.shutdown().await;
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn state_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = || DevCloudConfig {
        data_dir: Some(dir.path().to_path_buf()),
        build_delay: std::time::Duration::from_millis(20),
        ..Default::default()
    };
    let cloud = DevCloud::start(cfg()).await.unwrap();
    let http = Http::new(&cloud.base_url(), Some(cloud.token()));
    let uuid = cloud.user_uuid().to_string();
    let data = pattern(BLOCK_SIZE + 777, 5);
    upload(
        &http,
        "/object-store/v1",
        &uuid,
        "pithos",
        "keep.bin",
        &data,
    )
    .await;
    http.req(
        "POST",
        &format!("/object-store/v1/{uuid}/pithos/keep.bin?update"),
        &[("X-Object-Meta-Color", "red")],
        "",
    )
    .await;
    let compute = "/compute/v2.0";
    let (debian, _, _) = image_ids(&http, compute).await;
    let srv = create_server(&http, compute, "persistent", json!(1), &debian, None).await;
    wait_server(&http, compute, &srv["id"]).await;
    let r = http
        .req(
            "POST",
            "/image/v1.0/images/",
            &[
                ("X-Image-Meta-Name", "kept"),
                (
                    "X-Image-Meta-Location",
                    &format!("pithos://{uuid}/pithos/keep.bin"),
                ),
            ],
            "",
        )
        .await;
    let img = r.h("x-image-meta-id");
    cloud.shutdown().await;
    assert!(dir.path().join("state.json").exists());
    assert!(dir
        .path()
        .join("blocks")
        .join(block_hash(&data[..BLOCK_SIZE]))
        .exists());

    let cloud = DevCloud::start(cfg()).await.unwrap();
    let http = Http::new(&cloud.base_url(), Some(cloud.token()));
    let back = http
        .get(&format!("/object-store/v1/{uuid}/pithos/keep.bin"))
        .await;
    assert_eq!(back.status, 200);
    assert!(back.body[..] == data[..]);
    assert_eq!(
        http.head(&format!("/object-store/v1/{uuid}/pithos/keep.bin"))
            .await
            .h("x-object-meta-color"),
        "red"
    );
    let r = http
        .get(&format!("/compute/v2.0/servers/{}", srv["id"]))
        .await;
    assert_eq!(r.json()["server"]["status"], "ACTIVE");
    assert_eq!(
        http.head(&format!("/image/v1.0/images/{img}")).await.status,
        200
    );
    // ids keep increasing after restart
    let s2 = create_server(&http, compute, "second", json!(1), &debian, None).await;
    assert!(s2["id"].as_u64().unwrap() > srv["id"].as_u64().unwrap());
    // built-in images are not duplicated
    let (d2, _, _) = image_ids(&http, compute).await;
    assert_eq!(d2, debian);
    let r = http.get("/image/v1.0/images/").await;
    let n = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["name"] == "Debian 12 Bookworm")
        .count();
    assert_eq!(n, 1);
    cloud.shutdown().await;
}
