//! Integration tests against a real OpenStack Swift (ignored by default).
//!
//! Run with `cargo xtask swift-suite`, which starts Swift with
//! `xtask/peers/swift.sh start`, or by hand with the `SWIFT_*` variables that
//! script prints:
//!
//! ```sh
//! eval "$(xtask/peers/swift.sh start)"
//! cargo test -p kamaki-openstack --test real_swift -- --ignored --test-threads=1 --nocapture
//! ```
//!
//! Lines starting with `FIGURE` are measurements the xtask collects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use kamaki_core::{CountingProgress, ErrorKind};
use kamaki_openstack::storage::{
    swift_v1_auth, ByteRange, CopyOptions, CreateContainerOptions, DownloadOptions,
    LargeObjectKind, LargeObjectOptions, ListContainersOptions, ListObjectsOptions, PutOptions,
    ReadOptions, StorageClient, UploadSource, Verification,
};
use md5::{Digest, Md5};

const MIB: u64 = 1024 * 1024;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run `cargo xtask swift-suite` or eval \"$(xtask/peers/swift.sh start)\"")
    })
}

async fn client() -> StorageClient {
    let auth = swift_v1_auth(
        &env("SWIFT_AUTH_URL"),
        &env("SWIFT_USER"),
        &env("SWIFT_KEY"),
    )
    .await
    .expect("tempauth");
    StorageClient::new(&auth.storage_url, auth.token).unwrap()
}

/// A container name unique to this run.
fn unique(prefix: &str) -> String {
    let n = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    format!("kamaki-rs-{prefix}-{n}")
}

/// Deletes every object of a container (large objects with their segments), then the container.
async fn wipe(s: &StorageClient, container: &str) {
    let names: Vec<String> = match s.list_objects(container, Default::default()).await {
        Ok(v) => v
            .into_iter()
            .filter_map(|e| e.into_item())
            .map(|o| o.name)
            .collect(),
        Err(_) => return,
    };
    for n in names {
        let _ = s.delete_object(container, &n).await;
    }
    let _ = s.delete_container(container).await;
}

fn figure(text: String) {
    println!("FIGURE {text}");
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / MIB as f64 / d.as_secs_f64().max(1e-9)
}

/// Writes `size` pseudo-random bytes to `path`; returns their MD5.
fn generate(path: &Path, size: u64, seed: u64) -> String {
    let mut f =
        std::io::BufWriter::with_capacity(MIB as usize, std::fs::File::create(path).unwrap());
    let mut md5 = Md5::new();
    let mut x = seed | 1;
    let mut buf = vec![0u8; MIB as usize];
    let mut left = size;
    while left > 0 {
        for chunk in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = x.to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
        let n = left.min(MIB) as usize;
        md5.update(&buf[..n]);
        f.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    f.flush().unwrap();
    hex::encode(md5.finalize())
}

fn md5_file(path: &Path) -> String {
    use std::io::Read;
    let mut f = std::fs::File::open(path).unwrap();
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; MIB as usize];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
    }
    hex::encode(md5.finalize())
}

/// Runs first (tests run in name order with one thread): removes what a
/// failed earlier run of this suite left behind.
#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn a0_remove_leftovers_of_earlier_runs() {
    let s = client().await;
    let old = s
        .list_containers(ListContainersOptions {
            prefix: Some("kamaki-rs-".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    for c in old.iter().filter_map(|e| e.item()) {
        wipe(&s, &c.name).await;
    }
}

#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn auth_account_and_meta() {
    let wrong = swift_v1_auth(&env("SWIFT_AUTH_URL"), &env("SWIFT_USER"), "wrong-key")
        .await
        .unwrap_err();
    assert_eq!(wrong.status, 401, "{}", wrong.message);
    assert!(!wrong.message.contains("wrong-key"));

    let s = client().await;
    assert_eq!(s.account(), Some("AUTH_test"));
    let info = s.get_account_info().await.unwrap();
    assert!(info.headers.contains_key("x-account-bytes-used"));
    let key = unique("k").replace('-', "");
    let meta = BTreeMap::from([(key.clone(), "blue sky ü 100%".to_string())]);
    s.set_account_meta(&meta).await.unwrap();
    let info = s.get_account_info().await.unwrap();
    assert_eq!(
        info.meta.get(&key.to_lowercase()).map(String::as_str),
        Some("blue sky ü 100%")
    );
    s.delete_account_meta(&[&key]).await.unwrap();
    let info = s.get_account_info().await.unwrap();
    assert!(!info.meta.contains_key(&key.to_lowercase()));

    let bad = StorageClient::new(s.endpoint().as_str(), "AUTH_bogus")
        .unwrap()
        .with_account("AUTH_test");
    let e = bad.get_account_info().await.unwrap_err();
    assert_eq!(e.status, 401);
}

#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn containers_lifecycle() {
    let s = client().await;
    let c = unique("cont");
    let meta = BTreeMap::from([("Color".to_string(), "blue".to_string())]);
    let opts = CreateContainerOptions {
        meta,
        ..Default::default()
    };
    assert_eq!(s.create_container(&c, &opts).await.unwrap().status, 201);
    assert_eq!(s.create_container(&c, &opts).await.unwrap().status, 202);
    let info = s.get_container_info(&c).await.unwrap();
    assert_eq!(info.object_count, 0);
    assert_eq!(info.meta.get("color").map(String::as_str), Some("blue"));
    assert!(info.storage_policy.is_some());

    s.set_container_meta(&c, &BTreeMap::from([("Size".into(), "XL".into())]))
        .await
        .unwrap();
    s.delete_container_meta(&c, &["color"]).await.unwrap();
    let info = s.get_container_info(&c).await.unwrap();
    assert_eq!(info.meta.len(), 1, "{:?}", info.meta);
    assert_eq!(info.meta["size"], "XL");

    let listed: Vec<String> = s
        .containers(ListContainersOptions {
            prefix: Some(c.clone()),
            ..Default::default()
        })
        .map_ok(|e| e.name().to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, vec![c.clone()]);

    s.put_object(&c, "x", UploadSource::bytes("x"), &PutOptions::default())
        .await
        .unwrap();
    let e = s.delete_container(&c).await.unwrap_err();
    assert_eq!(e.status, 409, "{}", e.message);
    s.delete_object(&c, "x").await.unwrap();
    s.delete_container(&c).await.unwrap();
    let e = s.get_container_info(&c).await.unwrap_err();
    assert!(e.is_not_found());
    let e = s.delete_container(&c).await.unwrap_err();
    assert_eq!(e.status, 404);
    assert!(e.message.contains("Not Found"), "{}", e.message);
    let e = s.get_container_info(&"x".repeat(257)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn small_objects_ranges_conditions_meta() {
    let s = client().await;
    let c = unique("obj");
    s.create_container(&c, &Default::default()).await.unwrap();

    // 0 bytes
    let r = s
        .put_object(
            &c,
            "empty",
            UploadSource::bytes(Bytes::new()),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(r.etag.as_deref(), Some("d41d8cd98f00b204e9800998ecf8427e"));
    let info = s.get_object_info(&c, "empty").await.unwrap();
    assert_eq!(info.bytes, 0);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("empty");
    let rep = s
        .download_object(&c, "empty", &dest, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!((rep.bytes, rep.verification), (0, Verification::Md5));
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), 0);

    // small, odd name, metadata, content type
    let name = "dir/ü q?#%.txt";
    let data = Bytes::from_static(b"hello world, this is kamaki-rs");
    let opts = PutOptions {
        content_type: Some("text/plain".into()),
        meta: BTreeMap::from([("Owner".into(), "Ada Lovelace".into())]),
        ..Default::default()
    };
    let r = s
        .put_object(&c, name, UploadSource::bytes(data.clone()), &opts)
        .await
        .unwrap();
    assert_eq!(r.status, 201);
    let info = s.get_object_info(&c, name).await.unwrap();
    assert_eq!(info.bytes, data.len() as u64);
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    assert_eq!(info.meta["owner"], "Ada Lovelace");
    assert_eq!(info.etag.as_deref(), Some(r.md5.as_str()));

    // streamed without a length (chunked)
    let chunks = futures::stream::iter(
        ["chunk-1 ", "chunk-2 ", "chunk-3"].map(|c| Ok::<_, std::io::Error>(Bytes::from(c))),
    );
    let r = s
        .put_object(
            &c,
            "chunked",
            UploadSource::stream(chunks, None),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(r.bytes, 23);
    let got = s
        .get_object_bytes(&c, "chunked", &ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(&got[..], b"chunk-1 chunk-2 chunk-3");

    // ranges
    let read = |range| ReadOptions {
        range: Some(range),
        ..Default::default()
    };
    let dl = s
        .get_object(&c, name, &read(ByteRange::Span { start: 0, end: 4 }))
        .await
        .unwrap();
    assert_eq!(dl.status, 206);
    assert_eq!(dl.content_range.as_deref(), Some("bytes 0-4/30"));
    let body: Vec<Bytes> = dl.stream.try_collect().await.unwrap();
    assert_eq!(body.concat(), b"hello");
    let b = s
        .get_object_bytes(&c, name, &read(ByteRange::From(27)))
        .await
        .unwrap();
    assert_eq!(&b[..], b"-rs");
    let b = s
        .get_object_bytes(&c, name, &read(ByteRange::Last(2)))
        .await
        .unwrap();
    assert_eq!(&b[..], b"rs");
    let e = s
        .get_object_bytes(&c, name, &read(ByteRange::From(100)))
        .await
        .unwrap_err();
    assert_eq!(e.status, 416);
    let rdest = dir.path().join("ranged");
    let rep = s
        .download_object(
            &c,
            name,
            &rdest,
            &DownloadOptions {
                read: read(ByteRange::Span { start: 6, end: 10 }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&rdest).unwrap(), b"world");
    assert!(matches!(rep.verification, Verification::Skipped(_)));

    // conditions
    let etag = info.etag.clone().unwrap();
    let cond = ReadOptions {
        if_none_match: Some(etag.clone()),
        ..Default::default()
    };
    let e = s.get_object(&c, name, &cond).await.unwrap_err();
    assert_eq!(e.status, 304);
    let cond = ReadOptions {
        if_match: Some("0123456789abcdef0123456789abcdef".into()),
        ..Default::default()
    };
    assert_eq!(s.get_object(&c, name, &cond).await.unwrap_err().status, 412);
    let cond = ReadOptions {
        if_match: Some(etag.clone()),
        ..Default::default()
    };
    assert_eq!(s.get_object(&c, name, &cond).await.unwrap().status, 200);
    let future = SystemTime::now() + Duration::from_secs(3600);
    let past = SystemTime::now() - Duration::from_secs(86400 * 365);
    let cond = ReadOptions {
        if_modified_since: Some(future),
        ..Default::default()
    };
    assert_eq!(s.get_object(&c, name, &cond).await.unwrap_err().status, 304);
    let cond = ReadOptions {
        if_unmodified_since: Some(past),
        ..Default::default()
    };
    assert_eq!(s.get_object(&c, name, &cond).await.unwrap_err().status, 412);
    // a failed conditional download leaves an existing file alone
    let keep = dir.path().join("keep");
    std::fs::write(&keep, b"precious").unwrap();
    let e = s
        .download_object(
            &c,
            name,
            &keep,
            &DownloadOptions {
                read: ReadOptions {
                    if_none_match: Some(etag.clone()),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, 304);
    assert_eq!(std::fs::read(&keep).unwrap(), b"precious");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);

    // metadata merge and delete keep the other keys
    s.set_object_meta(&c, name, &BTreeMap::from([("Color".into(), "red".into())]))
        .await
        .unwrap();
    let info = s.get_object_info(&c, name).await.unwrap();
    assert_eq!(
        info.meta.get("owner").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(info.meta.get("color").map(String::as_str), Some("red"));
    s.delete_object_meta(&c, name, &["owner"]).await.unwrap();
    let info = s.get_object_info(&c, name).await.unwrap();
    assert_eq!(info.meta.len(), 1, "{:?}", info.meta);

    // directory markers
    assert!(s.create_directory(&c, "dir").await.unwrap().created());
    let info = s.get_object_info(&c, "dir").await.unwrap();
    assert_eq!(
        (info.bytes, info.content_type.as_deref()),
        (0, Some("application/directory"))
    );

    // missing object
    let e = s.get_object_info(&c, "nope").await.unwrap_err();
    assert_eq!(e.status, 404);
    let e = s
        .get_object_bytes(&c, "nope", &ReadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, 404);
    assert!(e.message.contains("could not be found"), "{}", e.message);
    let e = s.delete_object(&c, "nope").await.unwrap_err();
    assert_eq!(e.status, 404);
    let e = s
        .put_object(
            &c,
            &"n".repeat(1025),
            UploadSource::bytes("x"),
            &PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);

    wipe(&s, &c).await;
}

#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn listings_across_pages() {
    let s = client().await;
    let c = unique("list");
    s.create_container(&c, &Default::default()).await.unwrap();
    let mut names: Vec<String> = (0..23).map(|i| format!("a/{i:02}")).collect();
    names.extend((0..4).map(|i| format!("b/{i}")));
    names.push("top".into());
    futures::stream::iter(names.clone())
        .map(|n| {
            let s = &s;
            let c = &c;
            async move {
                s.put_object(
                    c,
                    &n,
                    UploadSource::bytes(n.clone()),
                    &PutOptions::default(),
                )
                .await
            }
        })
        .buffer_unordered(8)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    names.sort();

    let started = Instant::now();
    let listed: Vec<String> = s
        .objects(
            &c,
            ListObjectsOptions {
                limit: Some(5),
                ..Default::default()
            },
        )
        .map_ok(|e| e.name().to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, names);
    figure(format!(
        "swift listing: {} objects in pages of 5 ({} requests) in {:.0} ms",
        listed.len(),
        listed.len().div_ceil(5) + 1,
        started.elapsed().as_secs_f64() * 1000.0
    ));
    let entries = s
        .list_objects(
            &c,
            ListObjectsOptions {
                prefix: Some("a/".into()),
                limit: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 23);
    let first = entries[0].item().unwrap();
    assert_eq!((first.name.as_str(), first.bytes), ("a/00", 4));
    assert_eq!(first.hash, hex::encode(Md5::digest(b"a/00")));

    let tree = s
        .list_objects(
            &c,
            ListObjectsOptions {
                delimiter: Some('/'),
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let shown: Vec<(bool, &str)> = tree.iter().map(|e| (e.is_subdir(), e.name())).collect();
    assert_eq!(shown, vec![(true, "a/"), (true, "b/"), (false, "top")]);
    let under_b = s
        .list_objects(
            &c,
            ListObjectsOptions {
                path: Some("b".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(under_b.len(), 4);
    let window = s
        .list_objects(
            &c,
            ListObjectsOptions {
                marker: Some("a/20".into()),
                end_marker: Some("b/2".into()),
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let shown: Vec<&str> = window.iter().map(|e| e.name()).collect();
    assert_eq!(shown, vec!["a/21", "a/22", "b/0", "b/1"]);

    let c2 = unique("empty");
    s.create_container(&c2, &Default::default()).await.unwrap();
    assert!(s
        .list_objects(&c2, Default::default())
        .await
        .unwrap()
        .is_empty());
    s.delete_container(&c2).await.unwrap();
    let e = s.list_objects(&c2, Default::default()).await.unwrap_err();
    assert_eq!(e.status, 404);

    let containers = s
        .list_containers(ListContainersOptions {
            prefix: Some("kamaki-rs-".into()),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(containers.iter().any(|e| e.name() == c));
    wipe(&s, &c).await;
}

#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn copy_and_move() {
    let s = client().await;
    let c = unique("copy");
    let d = unique("copy-dst");
    s.create_container(&c, &Default::default()).await.unwrap();
    s.create_container(&d, &Default::default()).await.unwrap();
    let opts = PutOptions {
        meta: BTreeMap::from([("Origin".into(), "source".into())]),
        ..Default::default()
    };
    s.put_object(&c, "src file", UploadSource::bytes("copy me"), &opts)
        .await
        .unwrap();

    let r = s
        .copy_object(&c, "src file", &d, "put copy", &CopyOptions::default())
        .await
        .unwrap();
    assert_eq!(r.status, 201);
    let info = s.get_object_info(&d, "put copy").await.unwrap();
    assert_eq!(info.meta["origin"], "source");
    let r = s
        .copy_object(
            &c,
            "src file",
            &d,
            "verb copy",
            &CopyOptions {
                use_copy_method: true,
                meta: BTreeMap::from([("Extra".into(), "yes".into())]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.status, 201);
    let info = s.get_object_info(&d, "verb copy").await.unwrap();
    assert_eq!(info.meta.len(), 2, "{:?}", info.meta);
    let got = s
        .get_object_bytes(&d, "verb copy", &ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(&got[..], b"copy me");

    s.move_object(&c, "src file", &c, "moved/here", &CopyOptions::default())
        .await
        .unwrap();
    assert!(s
        .get_object_info(&c, "src file")
        .await
        .unwrap_err()
        .is_not_found());
    let got = s
        .get_object_bytes(&c, "moved/here", &ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(&got[..], b"copy me");
    let e = s
        .copy_object(&c, "missing", &d, "x", &CopyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, 404);
    wipe(&s, &c).await;
    wipe(&s, &d).await;
}

#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn hundred_mib_object() {
    let s = client().await;
    let c = unique("big");
    s.create_container(&c, &Default::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("source.bin");
    let size = 100 * MIB;
    let t = Instant::now();
    let md5 = generate(&src, size, 0x5eed);
    figure(format!(
        "generated {} MiB in {:.2} s",
        size / MIB,
        t.elapsed().as_secs_f64()
    ));

    let progress = Arc::new(CountingProgress::default());
    let t = Instant::now();
    let r = s
        .put_object(
            &c,
            "big.bin",
            UploadSource::file(&src),
            &PutOptions {
                progress: Some(progress.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let up = t.elapsed();
    assert_eq!(r.md5, md5);
    assert_eq!(r.etag.as_deref(), Some(md5.as_str()));
    assert_eq!((r.bytes, progress.done()), (size, size));
    figure(format!(
        "swift upload (streamed file, MD5 checked): {} MiB in {:.2} s = {:.1} MiB/s",
        size / MIB,
        up.as_secs_f64(),
        mib_s(size, up)
    ));

    let dest = dir.path().join("download.bin");
    std::fs::write(
        &dest,
        b"old content that must survive until the download is complete",
    )
    .unwrap();
    let t = Instant::now();
    let rep = s
        .download_object(&c, "big.bin", &dest, &DownloadOptions::default())
        .await
        .unwrap();
    let down = t.elapsed();
    assert_eq!(rep.verification, Verification::Md5);
    assert_eq!((rep.bytes, rep.md5.as_str()), (size, md5.as_str()));
    assert_eq!(md5_file(&dest), md5);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temp file left"
    );
    figure(format!(
        "swift download (to file, MD5 checked): {} MiB in {:.2} s = {:.1} MiB/s",
        size / MIB,
        down.as_secs_f64(),
        mib_s(size, down)
    ));

    // a streamed read of the middle
    let dl = s
        .get_object(
            &c,
            "big.bin",
            &ReadOptions {
                range: Some(ByteRange::Span {
                    start: 50 * MIB,
                    end: 51 * MIB - 1,
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let part: Vec<Bytes> = dl.stream.try_collect().await.unwrap();
    let part = part.concat();
    let mut f = std::fs::File::open(&src).unwrap();
    use std::io::{Read, Seek};
    f.seek(std::io::SeekFrom::Start(50 * MIB)).unwrap();
    let mut want = vec![0u8; MIB as usize];
    f.read_exact(&mut want).unwrap();
    assert!(part == want);
    wipe(&s, &c).await;
}

#[tokio::test]
#[ignore = "needs a real Swift: cargo xtask swift-suite"]
async fn large_objects_dlo_and_slo() {
    let s = client().await;
    let c = unique("lo");
    let segc = format!("{c}_segments");
    s.create_container(&c, &Default::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("large.bin");
    let size = 25 * MIB + 12345;
    let md5 = generate(&src, size, 0xd10);

    let mut dlo_prefix = String::new();
    for (kind, seg) in [
        (LargeObjectKind::Dlo, 4 * MIB),
        (LargeObjectKind::Slo, 3 * MIB),
    ] {
        let name = format!("{kind:?} object").to_lowercase();
        let t = Instant::now();
        let r = s
            .upload_large_object(
                &c,
                &name,
                UploadSource::file(&src),
                &LargeObjectOptions {
                    kind,
                    segment_size: seg,
                    concurrency: 3,
                    content_type: Some("application/x-test".into()),
                    meta: BTreeMap::from([("Kind".into(), format!("{kind:?}"))]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let up = t.elapsed();
        if kind == LargeObjectKind::Dlo {
            dlo_prefix = r.prefix.clone();
        }
        assert_eq!(r.bytes, size);
        assert_eq!(r.segments.len() as u64, size.div_ceil(seg));
        assert_eq!(r.segment_container, segc);
        let info = s.get_object_info(&c, &name).await.unwrap();
        assert_eq!(info.bytes, size);
        assert_eq!(info.etag.as_deref(), Some(r.etag.as_str()), "{kind:?}");
        assert_eq!(info.content_type.as_deref(), Some("application/x-test"));
        assert_eq!(info.meta["kind"], format!("{kind:?}"));
        assert!(info.is_large_object());

        let dest = dir.path().join(format!("{name}.out"));
        let t = Instant::now();
        let rep = s
            .download_object(&c, &name, &dest, &DownloadOptions::default())
            .await
            .unwrap();
        let down = t.elapsed();
        assert_eq!(
            rep.verification,
            Verification::Segments {
                count: r.segments.len()
            }
        );
        assert_eq!(rep.md5, md5);
        assert_eq!(md5_file(&dest), md5);
        figure(format!(
            "swift {kind:?}: {:.1} MiB in {} segments of {} MiB, concurrency 3: upload {:.2} s = {:.1} MiB/s, verified download {:.2} s = {:.1} MiB/s",
            size as f64 / MIB as f64,
            r.segments.len(),
            seg / MIB,
            up.as_secs_f64(),
            mib_s(size, up),
            down.as_secs_f64(),
            mib_s(size, down)
        ));
        // metadata changes keep a DLO a DLO
        s.set_object_meta(&c, &name, &BTreeMap::from([("Touched".into(), "1".into())]))
            .await
            .unwrap();
        let info = s.get_object_info(&c, &name).await.unwrap();
        assert_eq!(
            info.bytes, size,
            "{kind:?} still large after a metadata change"
        );
    }

    // a second manifest over the DLO's segments reads the same bytes
    s.create_manifest(&c, "same parts", &segc, &dlo_prefix, Some("text/x-parts"))
        .await
        .unwrap();
    let info = s.get_object_info(&c, "same parts").await.unwrap();
    assert_eq!(
        (info.bytes, info.content_type.as_deref()),
        (size, Some("text/x-parts"))
    );
    let dest = dir.path().join("same parts");
    let rep = s
        .download_object(&c, "same parts", &dest, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(rep.md5, md5);
    s.delete_object(&c, "same parts").await.unwrap();

    // SLO from a stream of unknown length
    let file = tokio::fs::File::open(&src).await.unwrap();
    let r = s
        .upload_large_object(
            &c,
            "streamed slo",
            UploadSource::reader(file, None),
            &LargeObjectOptions {
                segment_size: 8 * MIB,
                concurrency: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.bytes, size);
    let mut out = Vec::new();
    let rep = s
        .download_object_to_writer(&c, "streamed slo", &mut out, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(rep.md5, md5);
    assert!(matches!(
        rep.verification,
        Verification::Segments { count: 4 }
    ));

    // a failed upload leaves no segment behind
    let failing = futures::stream::iter((0..6).map(|i| {
        if i < 5 {
            Ok(Bytes::from(vec![i as u8; MIB as usize]))
        } else {
            Err(std::io::Error::other("disk on fire"))
        }
    }));
    let before = s
        .list_objects(&segc, Default::default())
        .await
        .unwrap()
        .len();
    let e = s
        .upload_large_object(
            &c,
            "doomed",
            UploadSource::stream(failing, None),
            &LargeObjectOptions {
                segment_size: 2 * MIB,
                concurrency: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    let after = s
        .list_objects(&segc, Default::default())
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "segments of the failed upload were deleted");
    assert!(s
        .get_object_info(&c, "doomed")
        .await
        .unwrap_err()
        .is_not_found());

    // deleting large objects deletes their segments
    for name in ["dlo object", "slo object", "streamed slo"] {
        let n = s.delete_large_object(&c, name).await.unwrap();
        assert!(n > 0, "{name}: {n} segments deleted");
    }
    assert!(s
        .list_objects(&segc, Default::default())
        .await
        .unwrap()
        .is_empty());
    wipe(&s, &c).await;
    wipe(&s, &segc).await;
}
