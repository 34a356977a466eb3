//! `server`, `flavor`, `keypair` and `imagecompute` against kamaki-devcloud.

use serde_json::Value;

use crate::cli::common::{stderr, stdout};
use crate::cli::dc::*;

async fn debian(c: &Cloud) -> String {
    let images = c
        .json(&["imagecompute", "list", "--name", "Debian 12 Bookworm"])
        .await;
    id_of(&images[0])
}

#[tokio::test(flavor = "multi_thread")]
async fn flavors() {
    let c = start().await;
    insta::assert_snapshot!("flavor_list", c.ok(&["flavor", "list"]).await);
    assert_eq!(
        c.ok(&["flavor", "list", "--vcpus", "2", "--enumerate"])
            .await,
        "1. 3 C2R2048D20ext_archipelago\n2. 4 C2R4096D40ext_archipelago\n"
    );
    assert_eq!(
        c.ok(&["flavor", "list", "--disk-template", "drbd", "-n", "1"])
            .await,
        "6 C1R1024D20drbd\n"
    );
    insta::assert_snapshot!(
        "flavor_info_3",
        redact(&c.ok(&["flavor", "info", "3"]).await)
    );
    insta::assert_snapshot!(
        "flavor_info_3_json",
        redact(
            &c.ok(&["flavor", "info", "3", "--output-format", "json"])
                .await
        )
    );
    let all = c.json(&["flavor", "list", "-l"]).await;
    assert_eq!(all.as_array().unwrap().len(), 6);
    let err = c.fails(&["flavor", "info", "999"]).await;
    assert!(err.starts_with("No flavor with id 999"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_lifecycle() {
    let c = start().await;
    let image = debian(&c).await;
    let created = c
        .json(&[
            "server",
            "create",
            "--name",
            "web-01",
            "--flavor-id",
            "1",
            "--image-id",
            &image,
            "-m",
            "role=front",
            "--project-id",
            USER,
        ])
        .await;
    assert_eq!(created["status"], "BUILD");
    assert_eq!(created["metadata"]["os"], "debian");
    assert!(created["adminPass"].is_string());
    let id = id_of(&created);
    let out = c.run(&["server", "wait", &id, "--timeout", "20"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("Server {id} status: ACTIVE\n"));
    assert_eq!(c.ok(&["server", "list"]).await, format!("{id} web-01\n"));
    insta::assert_snapshot!("server_info", redact(&c.ok(&["server", "info", &id]).await));
    assert_eq!(
        c.ok(&["server", "list", "--user-name", "user@example.org"])
            .await,
        format!("{id} web-01\n")
    );
    assert_eq!(c.ok(&["server", "list", "--user-id", FRIEND]).await, "");
    assert_eq!(
        c.ok(&["server", "list", "--since", "2000-01-01"]).await,
        format!("{id} web-01\n")
    );
    let listed = c
        .json(&["server", "list", "--metadata", "role=front"])
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(c.ok(&["server", "list", "--status", "STOPPED"]).await, "");
    // modify: name, metadata, tags
    c.ok(&[
        "server",
        "modify",
        &id,
        "--name",
        "web-1",
        "--metadata-set",
        "tier=1",
        "--metadata-del",
        "role",
        "--tag-add",
        "blue",
    ])
    .await;
    let s = c.json(&["server", "info", &id]).await;
    assert_eq!(s["name"], "web-1");
    assert_eq!(s["metadata"]["tier"], "1");
    assert!(s["metadata"].get("role").is_none());
    let tags = c.ok(&["server", "tags", &id]).await;
    assert!(tags.starts_with("blue\n    status: "), "{tags}");
    assert_eq!(
        c.ok(&["server", "tagexists", &id, "-t", "blue"]).await,
        "True\n"
    );
    assert_eq!(
        c.ok(&["server", "tagexists", &id, "-t", "red"]).await,
        "False\n"
    );
    let status = c.ok(&["server", "tagstatus", &id, "-t", "blue"]).await;
    assert!(status == "PENDADD\n" || status == "ACTIVE\n", "{status}");
    c.ok(&[
        "server",
        "modify",
        &id,
        "--tag-replace",
        "x",
        "--tag-replace",
        "y",
    ])
    .await;
    let tags = c.json(&["server", "tags", &id]).await;
    assert_eq!(tags.as_array().unwrap().len(), 2);
    c.ok(&["server", "modify", &id, "--tags-del"]).await;
    assert_eq!(c.ok(&["server", "tags", &id]).await, "");
    // Synnefo extensions
    let console = c
        .json(&["server", "console", &id, "--type", "no-vnc"])
        .await;
    assert_eq!(console["type"], "vnc-ws");
    let out = c.run(&["server", "console", &id]).await;
    assert!(stderr(&out).contains("invalidated shortly"));
    assert!(stdout(&out).starts_with("type: vnc\n"));
    let stats = c.json(&["server", "info", &id, "--stats"]).await;
    assert_eq!(stats["refresh"], 60);
    let diag = c.json(&["server", "info", &id, "--diagnostics"]).await;
    assert!(diag.is_array());
    let nics = c.json(&["server", "info", &id, "--nics"]).await;
    assert!(nics["attachments"].is_array());
    let out = c
        .run(&["server", "modify", &id, "--firewall", "protected"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("set to PROTECTED"));
    c.ok(&["server", "reassign", &id, "--project-id", USER])
        .await;
    // volumes
    let atts = c.json(&["server", "attachments", &id]).await;
    let root = id_of(&atts[0]);
    let att = c
        .json(&["server", "attachment", &id, "--attachment-id", &root])
        .await;
    assert_eq!(id_of(&att), root);
    // power
    let out = c.run(&["server", "shutdown", &id, "-w"]).await;
    assert_eq!(stderr(&out), format!("Server {id} status: STOPPED\n"));
    let err = c.fails(&["server", "shutdown", &id]).await;
    assert_eq!(err, format!("Server {id} is already STOPPED\n"));
    c.ok(&["server", "rescue", &id]).await;
    assert_eq!(c.json(&["server", "info", &id]).await["SNF:rescue"], true);
    c.ok(&["server", "unrescue", &id]).await;
    assert_eq!(c.json(&["server", "info", &id]).await["SNF:rescue"], false);
    c.ok(&["server", "modify", &id, "--flavor-id", "3"]).await;
    let out = c.run(&["server", "start", &id, "-w"]).await;
    assert_eq!(stderr(&out), format!("Server {id} status: ACTIVE\n"));
    let out = c
        .run(&["server", "reboot", &id, "--type", "hard", "-w"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    // a wait that times out is a failure
    let err = c
        .fails(&[
            "server",
            "wait",
            &id,
            "--until",
            "STOPPED",
            "--timeout",
            "1",
        ])
        .await;
    assert!(
        err.starts_with(&format!(
            "Operation timed out: Server {id} status is still ACTIVE"
        )),
        "{err}"
    );
    let out = c.run(&["server", "wait", &id]).await;
    assert_eq!(stderr(&out), format!("Server {id} status: ACTIVE\n"));
    let out = c.run(&["server", "delete", &id, "-w"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("Server {id} status: DELETED\n"));
    // errors
    let err = c.fails(&["server", "info", "abc"]).await;
    assert!(err.starts_with("Invalid server id abc"), "{err}");
    let err = c.fails(&["server", "info", "99999"]).await;
    insta::assert_snapshot!("server_info_missing", err);
    let err = c.fails(&["server", "modify", "99999"]).await;
    assert!(err.starts_with("Nothing to modify"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_cluster_volumes_and_networks() {
    let c = start().await;
    let image = debian(&c).await;
    let net = c.json(&["network", "create", "--name", "back"]).await;
    let net_id = id_of(&net);
    let created = c
        .json(&[
            "server",
            "create",
            "--name",
            "node",
            "--flavor-id",
            "1",
            "--image-id",
            &image,
            "--cluster-size",
            "2",
            "--threads",
            "2",
            "--network",
            &net_id,
            "-w",
        ])
        .await;
    let created = created.as_array().unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["name"], "node1");
    assert_eq!(created[1]["name"], "node2");
    let ids: Vec<String> = created.iter().map(id_of).collect();
    let s: Value = c.json(&["server", "info", &ids[0]]).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["attachments"][0]["network_id"], net_id.as_str());
    // a detachable volume: attach, detach
    let vol = c
        .json(&[
            "volume",
            "create",
            "--size",
            "1",
            "--name",
            "extra",
            "-w",
            "--volume-type",
            "1",
        ])
        .await;
    let vol_id = id_of(&vol);
    let out = c
        .run(&[
            "volume",
            "wait",
            &vol_id,
            "--until",
            "available",
            "--timeout",
            "10",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let att = c
        .json(&["server", "attach", &ids[0], "--volume-id", &vol_id])
        .await;
    assert_eq!(att["volumeId"].to_string().trim_matches('"'), vol_id);
    let out = c
        .run(&[
            "volume",
            "wait",
            &vol_id,
            "--until",
            "in_use",
            "--timeout",
            "10",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = c
        .run(&["server", "detach", &ids[0], "--volume-id", &vol_id])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "1 attachment(s) deleted\nOK\n");
    // cluster delete by name prefix
    let out = c
        .run(&["server", "delete", "node", "--cluster", "-w"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("Deleting 2 server(s) named node*\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn keypairs() {
    let c = start().await;
    let k = c.json(&["keypair", "generate", "--key-name", "k1"]).await;
    assert!(k["private_key"].as_str().unwrap().contains("PRIVATE KEY"));
    let human = c.ok(&["keypair", "info", "k1"]).await;
    assert!(human.starts_with("name: k1\nfingerprint: "), "{human}");
    let up = c
        .ok(&[
            "keypair",
            "upload",
            "--public-key",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL0 me@laptop",
            "--key-name",
            "laptop",
        ])
        .await;
    assert!(up.contains("name: laptop\n"), "{up}");
    let err = c
        .fails(&[
            "keypair",
            "upload",
            "--public-key",
            "ssh-ed25519 AAAA x",
            "--key-name",
            "laptop",
        ])
        .await;
    assert!(
        err.contains("kamaki keypair upload --key-name laptop -f ..."),
        "{err}"
    );
    c.ok(&[
        "keypair",
        "upload",
        "--public-key",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL1 y",
        "--key-name",
        "laptop",
        "-f",
    ])
    .await;
    let list = c.ok(&["keypair", "list"]).await;
    assert!(list.starts_with("k1\n    fingerprint: "), "{list}");
    assert!(!list.contains("public_key"));
    let detailed = c.json(&["keypair", "list", "-l", "--name", "laptop"]).await;
    assert_eq!(detailed.as_array().unwrap().len(), 1);
    let auto = c.json(&["keypair", "generate"]).await;
    assert!(auto["name"]
        .as_str()
        .unwrap()
        .starts_with("kamaki-key_autogen_"));
    c.ok(&["keypair", "delete", "k1"]).await;
    let err = c.fails(&["keypair", "info", "k1"]).await;
    assert!(err.starts_with("No keypair with name k1"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn imagecompute() {
    let c = start().await;
    insta::assert_snapshot!(
        "imagecompute_list",
        redact(&c.ok(&["imagecompute", "list"]).await)
    );
    let image = debian(&c).await;
    let info = c.ok(&["imagecompute", "info", &image]).await;
    assert!(
        info.contains(&format!("user_id: {SYSTEM} (images@devcloud.local)\n")),
        "{info}"
    );
    let json = c.json(&["imagecompute", "info", &image]).await;
    assert_eq!(json["user_id"], SYSTEM);
    let system = c
        .json(&[
            "imagecompute",
            "list",
            "--user-name",
            "images@devcloud.local",
        ])
        .await;
    assert_eq!(system.as_array().unwrap().len(), 3);
    let mine = c
        .json(&["imagecompute", "list", "--metadata", "os=debian", "-l"])
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let like = c
        .ok(&["imagecompute", "list", "--name-like", "ubuntu"])
        .await;
    assert!(like.ends_with(" Ubuntu 22.04 LTS\n"), "{like}");
    // the public images belong to another user: modifications are refused
    let err = c
        .fails(&["imagecompute", "modify", &image, "--property-add", "k=v"])
        .await;
    assert!(!err.is_empty());
    // an image of the user's own: properties, then deletion
    let file = c.env.dir.path().join("own.img");
    std::fs::write(&file, vec![1u8; 4096]).unwrap();
    let reg = c
        .json(&[
            "image",
            "register",
            "--name",
            "own",
            "--location",
            "/images/own.img",
            "--upload-image-file",
            &file.to_string_lossy(),
            "--no-metafile-upload",
        ])
        .await;
    let own = reg["id"].as_str().unwrap().to_string();
    c.ok(&[
        "imagecompute",
        "modify",
        &own,
        "--property-add",
        "colour=blue",
        "--property-add",
        "x=1",
    ])
    .await;
    c.ok(&["imagecompute", "modify", &own, "--property-del", "x"])
        .await;
    let props = c.json(&["imagecompute", "info", &own]).await;
    assert_eq!(props["metadata"]["colour"], "blue");
    assert!(props["metadata"].get("x").is_none(), "{props}");
    c.ok(&["imagecompute", "delete", &own]).await;
    let err = c.fails(&["imagecompute", "info", &own]).await;
    assert!(err.starts_with(&format!("No image with id {own}")), "{err}");
    let err = c.fails(&["imagecompute", "info", "nope"]).await;
    assert!(err.starts_with("No image with id nope"), "{err}");
}
