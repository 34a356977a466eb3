//! One object-storage conformance suite, run through the Swift
//! `StorageClient` against every store we have: a stateful wiremock Swift,
//! the local Synnefo cloud's Pithos, and — when `SWIFT_STORAGE_URL` and
//! `SWIFT_TOKEN` are set (`cargo xtask swift-suite` does) — a real Swift.
//! The same checks run through `PithosClient` against the local cloud.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use futures::TryStreamExt;
use kamaki_core::ErrorKind;
use kamaki_devcloud::{DevCloud, DevCloudConfig};
use kamaki_e2e::SwiftFake;
use kamaki_openstack::storage::{
    ByteRange, CopyOptions, CreateContainerOptions, ListObjectsOptions, PutOptions, ReadOptions,
    StorageClient, UploadSource,
};
use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::pithos::{DownloadOptions, PithosClient, UploadOptions};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer};

fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(data))
}

fn names(
    listing: &[kamaki_openstack::storage::Listing<kamaki_openstack::storage::ObjectEntry>],
) -> Vec<String> {
    listing.iter().map(|l| l.name().to_string()).collect()
}

/// The suite: everything here must hold on any Swift-compatible store.
async fn conformance(storage: &StorageClient, container: &str) {
    let created = storage
        .create_container(container, &CreateContainerOptions::default())
        .await
        .unwrap();
    let _ = created;

    let files: [(&str, &[u8]); 5] = [
        ("a/1.txt", b"one"),
        ("a/2.txt", b"two two"),
        ("b.txt", b"0123456789"),
        ("dir/ü space?#%.txt", b"unicode name"),
        ("empty", b""),
    ];
    for (name, data) in files {
        let mut meta = BTreeMap::new();
        meta.insert("origin".to_string(), "conformance".to_string());
        let opts = PutOptions {
            content_type: Some("text/plain".into()),
            meta,
            ..PutOptions::default()
        };
        storage
            .put_object(container, name, UploadSource::bytes(data.to_vec()), &opts)
            .await
            .unwrap_or_else(|e| panic!("put {name}: {e}"));
    }

    // listings: all, by prefix, with a delimiter, and paged
    let all = storage
        .list_objects(container, ListObjectsOptions::default())
        .await
        .unwrap();
    assert_eq!(
        names(&all),
        ["a/1.txt", "a/2.txt", "b.txt", "dir/ü space?#%.txt", "empty"]
    );
    let entry = all[2].item().unwrap();
    assert_eq!(
        (entry.bytes, entry.hash.as_str()),
        (10, md5_hex(b"0123456789").as_str())
    );

    let prefixed = storage
        .list_objects(
            container,
            ListObjectsOptions {
                prefix: Some("a/".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(names(&prefixed), ["a/1.txt", "a/2.txt"]);

    let top = storage
        .list_objects(
            container,
            ListObjectsOptions {
                delimiter: Some('/'),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(names(&top), ["a/", "b.txt", "dir/", "empty"]);
    assert!(top[0].item().is_none(), "a/ is a subdir");

    let paged: Vec<_> = storage
        .objects(
            container,
            ListObjectsOptions {
                limit: Some(2),
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        names(&paged),
        names(&all),
        "pages of 2 give the same listing"
    );

    // metadata and sizes
    let info = storage.get_object_info(container, "b.txt").await.unwrap();
    assert_eq!(info.bytes, 10);
    assert_eq!(
        info.meta.get("origin").map(String::as_str),
        Some("conformance")
    );
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    let info = storage.get_object_info(container, "empty").await.unwrap();
    assert_eq!(info.bytes, 0);

    // whole and ranged reads, names that need encoding
    let read = |range| ReadOptions {
        range,
        ..ReadOptions::default()
    };
    assert_eq!(
        &storage
            .get_object_bytes(container, "b.txt", &read(None))
            .await
            .unwrap()[..],
        b"0123456789"
    );
    assert_eq!(
        &storage
            .get_object_bytes(
                container,
                "b.txt",
                &read(Some(ByteRange::Span { start: 2, end: 4 }))
            )
            .await
            .unwrap()[..],
        b"234"
    );
    assert_eq!(
        &storage
            .get_object_bytes(container, "b.txt", &read(Some(ByteRange::Last(3))))
            .await
            .unwrap()[..],
        b"789"
    );
    assert_eq!(
        &storage
            .get_object_bytes(container, "dir/ü space?#%.txt", &read(None))
            .await
            .unwrap()[..],
        b"unicode name"
    );
    assert!(storage
        .get_object_bytes(container, "empty", &read(None))
        .await
        .unwrap()
        .is_empty());

    // copy
    storage
        .copy_object(
            container,
            "b.txt",
            container,
            "c.txt",
            &CopyOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        &storage
            .get_object_bytes(container, "c.txt", &read(None))
            .await
            .unwrap()[..],
        b"0123456789"
    );

    // errors: missing object and container keep the status; bad names fail early
    let err = storage
        .get_object_bytes(container, "no-such-object", &read(None))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.kind, ErrorKind::Http);
    let err = storage
        .get_object_info("no-such-container-x", "x")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let err = storage.get_object_info(container, "").await.unwrap_err();
    assert_eq!((err.kind, err.status), (ErrorKind::InvalidArgument, 0));

    // a non-empty container cannot be deleted; an emptied one can
    let err = storage.delete_container(container).await.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    for name in [
        "a/1.txt",
        "a/2.txt",
        "b.txt",
        "c.txt",
        "dir/ü space?#%.txt",
        "empty",
    ] {
        storage.delete_object(container, name).await.unwrap();
    }
    let err = storage.delete_object(container, "b.txt").await.unwrap_err();
    assert!(err.is_not_found());
    storage.delete_container(container).await.unwrap();
    let err = storage.get_container_info(container).await.unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn wiremock_swift() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/v1/.*"))
        .respond_with(SwiftFake::new())
        .mount(&server)
        .await;
    let storage = StorageClient::new(&format!("{}/v1/AUTH_test", server.uri()), "tok").unwrap();
    conformance(&storage, "conformance").await;
}

async fn devcloud() -> (DevCloud, String, String) {
    let cloud = DevCloud::start(DevCloudConfig::default()).await.unwrap();
    let astakos = AstakosClient::new(&cloud.auth_url(), cloud.token()).unwrap();
    let url = astakos
        .get_endpoint_url(StorageClient::SERVICE_TYPE)
        .await
        .unwrap();
    let uuid = astakos.user_info().await.unwrap().id;
    (cloud, url, uuid)
}

#[tokio::test]
async fn local_cloud_pithos_through_swift_api() {
    let (cloud, url, uuid) = devcloud().await;
    let storage = StorageClient::new(&url, cloud.token())
        .unwrap()
        .with_account(uuid);
    conformance(&storage, "conformance").await;
    cloud.shutdown().await;
}

#[tokio::test]
async fn local_cloud_pithos_block_transfers() {
    let (cloud, url, uuid) = devcloud().await;
    let pithos = PithosClient::new(&url, cloud.token(), Some(&uuid), Some("pithos")).unwrap();
    let dir = std::env::temp_dir().join(format!("kamaki-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // sizes around the 4 MiB block: empty, one byte, a block, a block ± 1,
    // repeated identical blocks, trailing zeros
    let block = 4 * 1024 * 1024;
    let pattern = |n: usize| -> Vec<u8> { (0..n).map(|i| (i % 253) as u8).collect() };
    let mut repeated = vec![7u8; block];
    repeated.extend(vec![7u8; block]);
    let mut zeros = pattern(1000);
    zeros.extend(vec![0u8; 5000]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("one", vec![42]),
        ("block", pattern(block)),
        ("block-1", pattern(block - 1)),
        ("block+1", pattern(block + 1)),
        ("repeated", repeated),
        ("zeros", zeros),
    ];
    for (name, data) in &cases {
        let up = pithos
            .upload_object(
                "pithos",
                name,
                kamaki_synnefo::pithos::UploadSource::bytes(data.clone()),
                &UploadOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("upload {name}: {e}"));
        assert_eq!(up.bytes, data.len() as u64, "{name}");
        let dest = dir.join(name);
        let down = pithos
            .download_object("pithos", name, &dest, &DownloadOptions::default())
            .await
            .unwrap_or_else(|e| panic!("download {name}: {e}"));
        assert_eq!(down.bytes, data.len() as u64, "{name}");
        assert_eq!(&std::fs::read(&dest).unwrap(), data, "{name} round trip");
    }
    // the same data again moves no block
    let again = pithos
        .upload_object(
            "pithos",
            "block-copy",
            kamaki_synnefo::pithos::UploadSource::bytes(pattern(block)),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(again.uploaded_blocks, 0);
    std::fs::remove_dir_all(&dir).unwrap();
    cloud.shutdown().await;
}

/// Run by `cargo xtask swift-suite` with the real Swift's credentials.
#[tokio::test]
#[ignore = "needs a real Swift: SWIFT_STORAGE_URL and SWIFT_TOKEN (cargo xtask swift-suite)"]
async fn real_swift() {
    let url = std::env::var("SWIFT_STORAGE_URL").expect("SWIFT_STORAGE_URL");
    let token = std::env::var("SWIFT_TOKEN").expect("SWIFT_TOKEN");
    let storage = StorageClient::new(&url, token.as_str()).unwrap();
    let container = format!("kamaki-rs-conformance-{}", std::process::id());
    conformance(&storage, &container).await;
}
