//! `image` (Plankton) against kamaki-devcloud.

use crate::cli::common::{stderr, stdout};
use crate::cli::dc::*;

#[tokio::test(flavor = "multi_thread")]
async fn image_listing_and_info() {
    let c = start().await;
    insta::assert_snapshot!("image_list", redact(&c.ok(&["image", "list"]).await));
    let json = c.json(&["image", "list"]).await;
    assert_eq!(json.as_array().unwrap().len(), 3);
    let debian = id_of(&json[0]);
    assert_eq!(
        redact(&c.ok(&["image", "list", "--property", "os=ubuntu", "-n", "1"]).await),
        "[uuid] Ubuntu 22.04 LTS\n    status: AVAILABLE\n    disk_format: diskdump\n    container_format: bare\n    size: 64.01KiB\n"
    );
    let by_owner = c
        .json(&["image", "list", "--owner-name", "images@devcloud.local"])
        .await;
    assert_eq!(by_owner.as_array().unwrap().len(), 3);
    let ordered = c.json(&["image", "list", "--order", "-name"]).await;
    assert_eq!(ordered[0]["name"], "Windows Server 2019");
    let ntfs = c
        .ok(&["image", "list", "--disk-format", "ntfsdump", "-l"])
        .await;
    assert!(
        ntfs.contains(&format!("    owner: {SYSTEM} (images@devcloud.local)\n")),
        "{ntfs}"
    );
    insta::assert_snapshot!(
        "image_info",
        redact(&c.ok(&["image", "info", &debian]).await)
    );
    insta::assert_snapshot!(
        "image_info_json",
        redact(
            &c.ok(&["image", "info", &debian, "--output-format", "json"])
                .await
        )
    );
    let hashmap = c.json(&["image", "info", &debian, "--hashmap"]).await;
    assert_eq!(hashmap["block_hash"], "sha256");
    assert!(!hashmap["hashes"].as_array().unwrap().is_empty());
    let err = c.fails(&["image", "info", "no-such-image"]).await;
    assert!(err.starts_with("No image with id no-such-image"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn register_modify_unregister() {
    let c = start().await;
    let file = c.env.dir.path().join("disk.img");
    std::fs::write(&file, vec![7u8; 300_000]).unwrap();
    let file = file.to_string_lossy().into_owned();
    let out = c
        .run(&[
            "image",
            "register",
            "--name",
            "mine",
            "--location",
            "/images/disk.img",
            "--upload-image-file",
            &file,
            "-p",
            "os=linux",
            "--disk-format",
            "diskdump",
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("image_register", redact(&stdout(&out)));
    let err = stderr(&out);
    assert!(
        err.contains("Metadata file uploaded as /images/disk.img.meta (version "),
        "{err}"
    );
    let id = stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .to_string();
    // the .meta file holds the record
    let meta: serde_json::Value =
        serde_json::from_str(&c.ok(&["file", "cat", "/images/disk.img.meta"]).await).unwrap();
    assert_eq!(meta["id"], id.as_str());
    // registering again needs -f (the .meta exists)
    let err = c
        .fails(&[
            "image",
            "register",
            "--name",
            "mine",
            "--location",
            "/images/disk.img",
        ])
        .await;
    assert!(err.contains("disk.img.meta already exists"), "{err}");
    let again = c
        .json(&[
            "image",
            "register",
            "--name",
            "mine2",
            "--location",
            &format!("pithos://{USER}/images/disk.img"),
            "-f",
            "--no-metafile-upload",
        ])
        .await;
    assert_eq!(again["id"], id.as_str());
    // modify
    c.ok(&[
        "image",
        "modify",
        &id,
        "--name",
        "renamed",
        "-p",
        "users=root",
        "--member-add",
        "friend@example.org",
        "--public",
    ])
    .await;
    let info = c.json(&["image", "info", &id]).await;
    assert_eq!(info["name"], "renamed");
    assert_eq!(info["is-public"], "True");
    assert_eq!(info["properties"]["users"], "root");
    let members = c.ok(&["image", "list", "--members-of", &id]).await;
    assert_eq!(
        members,
        format!("{FRIEND} (friend@example.org)\n    can_share: False\n")
    );
    c.ok(&["image", "modify", &id, "--member-del", FRIEND, "--private"])
        .await;
    assert_eq!(c.ok(&["image", "list", "--members-of", &id]).await, "");
    let out = c
        .run(&["image", "modify", &id, "--property-del", "users"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Property users of image"),
        "{}",
        stderr(&out)
    );
    let err = c.fails(&["image", "modify", &id]).await;
    assert!(err.starts_with("Nothing to modify"), "{err}");
    // the friend sees it no more, the owner unregisters it
    c.ok(&["image", "unregister", &id]).await;
    let err = c.fails(&["image", "info", &id]).await;
    assert!(err.starts_with(&format!("No image with id {id}")), "{err}");
    // the file stays
    c.ok(&["file", "info", "/images/disk.img"]).await;
}
