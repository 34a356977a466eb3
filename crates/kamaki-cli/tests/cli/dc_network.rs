//! `network`, `subnet`, `port`, `ip`, `volume`, `snapshot` against
//! kamaki-devcloud.

use crate::cli::common::{stderr, stdout};
use crate::cli::dc::*;

async fn server(c: &Cloud) -> String {
    let images = c
        .json(&["imagecompute", "list", "--name", "Debian 12 Bookworm"])
        .await;
    let s = c
        .json(&[
            "server",
            "create",
            "--name",
            "srv",
            "--flavor-id",
            "1",
            "--image-id",
            &id_of(&images[0]),
            "-w",
        ])
        .await;
    id_of(&s)
}

#[tokio::test(flavor = "multi_thread")]
async fn networks_subnets_and_ports() {
    let c = start().await;
    let srv = server(&c).await;
    let net = c
        .json(&[
            "network",
            "create",
            "--name",
            "backend",
            "--project-id",
            USER,
        ])
        .await;
    let net_id = id_of(&net);
    assert_eq!(net["type"], "MAC_FILTERED");
    insta::assert_snapshot!("network_list", c.ok(&["network", "list"]).await);
    let json = c.json(&["network", "list"]).await;
    assert_eq!(json[1]["public"], false, "raw data in JSON mode: {json}");
    insta::assert_snapshot!(
        "network_info_json",
        redact(
            &c.ok(&["network", "info", &net_id, "--output-format", "json"])
                .await
        )
    );
    let renamed = c
        .json(&["network", "modify", &net_id, "--name", "back"])
        .await;
    assert_eq!(renamed["name"], "back");
    c.ok(&["network", "reassign", &net_id, "--project-id", USER])
        .await;
    assert_eq!(
        c.ok(&["network", "list", "--name-prefix", "ba"]).await,
        format!("{net_id} back ( private )\n")
    );
    // subnet
    let sub = c
        .json(&[
            "subnet",
            "create",
            "--network-id",
            &net_id,
            "--cidr",
            "10.0.7.0/24",
            "--name",
            "v4",
            "--alloc-pool",
            "10.0.7.10,10.0.7.20",
        ])
        .await;
    let sub_id = id_of(&sub);
    assert_eq!(sub["cidr"], "10.0.7.0/24");
    let subs = c.ok(&["subnet", "list"]).await;
    assert!(
        subs.contains(&format!("{sub_id} v4 ( of network {net_id} )\n")),
        "{subs}"
    );
    assert_eq!(c.json(&["subnet", "info", &sub_id]).await["name"], "v4");
    assert_eq!(
        c.json(&["subnet", "modify", &sub_id, "--name", "v4b"])
            .await["name"],
        "v4b"
    );
    // connect the server, then disconnect
    let out = c
        .run(&["network", "connect", &net_id, "--device-id", &srv, "-w"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("status: ACTIVE"), "{}", stderr(&out));
    let ports = c.json(&["port", "list", "-l"]).await;
    assert_eq!(ports.as_array().unwrap().len(), 2);
    let out = c
        .run(&["network", "disconnect", &net_id, "--device-id", &srv, "-w"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("is deleted"), "{}", stderr(&out));
    // ports
    let port = c
        .json(&[
            "port",
            "create",
            "--network-id",
            &net_id,
            "--device-id",
            &srv,
            "--name",
            "p1",
        ])
        .await;
    let port_id = id_of(&port[0]);
    let out = c.run(&["port", "wait", &port_id, "--timeout", "10"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("status: ACTIVE\n"),
        "{}",
        stderr(&out)
    );
    let out = c
        .run(&["port", "wait", &port_id, "--until", "ACTIVE"])
        .await;
    assert_eq!(stderr(&out), format!("Port {port_id} is already ACTIVE\n"));
    assert_eq!(
        c.json(&["port", "modify", &port_id, "--name", "p2"]).await["name"],
        "p2"
    );
    assert_eq!(c.json(&["port", "info", &port_id]).await["name"], "p2");
    let out = c.run(&["port", "delete", &port_id, "-w"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = c.fails(&["port", "info", &port_id]).await;
    assert!(
        err.starts_with(&format!("No port with id {port_id}")),
        "{err}"
    );
    c.ok(&["network", "delete", &net_id]).await;
    let err = c.fails(&["network", "info", &net_id]).await;
    assert!(
        err.starts_with(&format!("No network with id {net_id}")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn floating_ips() {
    let c = start().await;
    let srv = server(&c).await;
    let ip = c.json(&["ip", "create", "--network-id", "1"]).await;
    let ip_id = id_of(&ip);
    let address = ip["floating_ip_address"].as_str().unwrap().to_string();
    insta::assert_snapshot!("ip_list", redact(&c.ok(&["ip", "list"]).await));
    let out = c
        .run(&["ip", "attach", &address, "--server-id", &srv, "-w"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with(&format!(
        "Creating a port to attach IP {address} to server {srv}\n"
    )));
    assert!(stdout(&out).contains(&format!("    device_id: {srv}\n")));
    let info = c.json(&["ip", "info", &ip_id]).await;
    assert_eq!(info["instance_id"].to_string().trim_matches('"'), srv);
    let out = c.run(&["ip", "detach", &ip_id, "-w"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("is deleted"), "{}", stderr(&out));
    c.ok(&["ip", "reassign", &ip_id, "--project-id", USER])
        .await;
    c.ok(&["ip", "delete", &ip_id]).await;
    assert_eq!(c.ok(&["ip", "list"]).await, "");
    let err = c
        .fails(&["ip", "attach", "198.51.100.9", "--server-id", &srv])
        .await;
    assert!(err.contains("198.51.100.9"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn volumes_and_snapshots() {
    let c = start().await;
    let srv = server(&c).await;
    insta::assert_snapshot!("volume_types", c.ok(&["volume", "types"]).await);
    assert_eq!(c.json(&["volume", "type", "2"]).await["name"], "drbd");
    let out = c
        .run(&[
            "volume",
            "create",
            "--size",
            "2",
            "--name",
            "data",
            "--server-id",
            &srv,
            "-w",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let vol: serde_json::Value = {
        let id = stdout(&out)
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .to_string();
        c.json(&["volume", "info", &id]).await
    };
    let vol_id = id_of(&vol);
    assert!(stderr(&out).ends_with(&format!("Volume {vol_id} status: in_use\n")));
    assert_eq!(vol["status"], "in_use");
    let list = c.ok(&["volume", "list"]).await;
    assert!(list.contains(&format!("{vol_id} data\n")), "{list}");
    let modified = c
        .json(&[
            "volume",
            "modify",
            &vol_id,
            "--name",
            "data2",
            "--delete-on-termination",
            "false",
        ])
        .await;
    assert_eq!(modified["display_name"], "data2");
    c.ok(&["volume", "reassign", &vol_id, "--project-id", USER])
        .await;
    // snapshots
    let snap = c
        .json(&["snapshot", "create", "--volume-id", &vol_id, "--name", "s1"])
        .await;
    let snap_id = id_of(&snap);
    assert_eq!(c.ok(&["snapshot", "list"]).await, format!("{snap_id} s1\n"));
    assert_eq!(
        c.json(&["snapshot", "info", &snap_id]).await["volume_id"]
            .to_string()
            .trim_matches('"'),
        vol_id
    );
    assert_eq!(
        c.json(&["snapshot", "modify", &snap_id, "--description", "first"])
            .await["display_description"],
        "first"
    );
    c.ok(&["snapshot", "delete", &snap_id]).await;
    let err = c.fails(&["snapshot", "modify", &snap_id]).await;
    assert!(err.starts_with("Nothing to modify"), "{err}");
    // delete and wait
    let out = c.run(&["volume", "delete", &vol_id, "-w"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("Volume {vol_id} status: deleted\n"));
    let err = c
        .fails(&["volume", "wait", "9999", "--until", "available"])
        .await;
    assert!(err.starts_with("No volume with id 9999"), "{err}");
}
