//! End-to-end tests of the devcloud pithos API over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use kamaki_devcloud::{block_hash, merkle, BLOCK_SIZE, EMPTY_HASH};
use serde_json::json;

fn acct_path(cloud: &kamaki_devcloud::DevCloud) -> String {
    format!("/object-store/v1/{}", cloud.user_uuid())
}

#[tokio::test]
async fn container_info_and_hashmap_roundtrip() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    let r = http.head(&format!("{a}/pithos")).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.h("x-container-block-size"), "4194304");
    assert_eq!(r.h("x-container-block-hash"), "sha256");
    assert_eq!(r.h("x-container-policy-versioning"), "auto");

    // 4 MiB of 'a' + "xyz" (spec example 3)
    let mut data = vec![b'a'; BLOCK_SIZE];
    data.extend_from_slice(b"xyz");
    let hashes = vec![
        block_hash(&data[..BLOCK_SIZE]),
        block_hash(&data[BLOCK_SIZE..]),
    ];
    let body = json!({"bytes": data.len(), "hashes": hashes}).to_string();
    let path = format!("{a}/pithos/big.bin?hashmap&format=json");
    let r = http
        .req(
            "PUT",
            &path,
            &[("Content-Type", "application/octet-stream")],
            body.clone(),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json(), json!(hashes));
    // upload the missing blocks
    for (i, chunk) in data.chunks(BLOCK_SIZE).enumerate() {
        let r = http
            .req(
                "POST",
                &format!("{a}/pithos?update&format=json"),
                &[("Content-Type", "application/octet-stream")],
                chunk.to_vec(),
            )
            .await;
        assert_eq!(r.status, 202);
        assert_eq!(r.json(), json!([hashes[i]]));
    }
    let r = http
        .req(
            "PUT",
            &path,
            &[("Content-Type", "application/octet-stream")],
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let expected = "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd";
    assert_eq!(r.h("etag"), expected);
    assert!(r.header("x-object-version").is_some());

    let r = http
        .get(&format!("{a}/pithos/big.bin?hashmap&format=json"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"block_size": 4194304, "block_hash": "sha256", "bytes": data.len(), "hashes": hashes})
    );
    let r = http.head(&format!("{a}/pithos/big.bin")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("x-object-hash"), expected);
    assert_eq!(r.h("content-length"), data.len().to_string());
    // block download by range
    let r = http
        .req(
            "GET",
            &format!("{a}/pithos/big.bin"),
            &[("Range", &format!("bytes={}-{}", BLOCK_SIZE, data.len() - 1))],
            "",
        )
        .await;
    assert_eq!(r.status, 206);
    assert_eq!(&r.body[..], b"xyz");
    let r = http.get(&format!("{a}/pithos/big.bin")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), data.len());
    assert!(r.body[..] == data[..]);
    // dedup: same blocks, another object, immediate 201
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/copy-by-hash?hashmap"),
            &[("Content-Type", "text/plain")],
            json!({"bytes": data.len(), "hashes": hashes}).to_string(),
        )
        .await;
    assert_eq!(r.status, 201);
    // inconsistent hashmap
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/bad?hashmap"),
            &[("Content-Type", "text/plain")],
            json!({"bytes": 10, "hashes": hashes}).to_string(),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/bad?hashmap"),
            &[("Content-Type", "text/plain")],
            "{not json",
        )
        .await;
    assert_eq!(r.status, 400);
    cloud.shutdown().await;
}

#[tokio::test]
async fn empty_one_byte_and_repeated_blocks() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    // empty object via hashmap with no hashes
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/empty?hashmap"),
            &[("Content-Type", "application/octet-stream")],
            json!({"bytes": 0, "hashes": []}).to_string(),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.h("etag"), EMPTY_HASH);
    let r = http
        .get(&format!("{a}/pithos/empty?hashmap&format=json"))
        .await;
    assert_eq!(r.json()["hashes"], json!([EMPTY_HASH]));
    assert_eq!(r.json()["bytes"], 0);
    let r = http.get(&format!("{a}/pithos/empty")).await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    let r = http
        .req(
            "GET",
            &format!("{a}/pithos/empty"),
            &[("Range", "bytes=0-0")],
            "",
        )
        .await;
    assert_eq!(r.status, 416);
    // plain PUT of one byte
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/one"),
            &[("Content-Type", "text/plain")],
            "x",
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.h("etag"), block_hash(b"x"));
    assert_eq!(
        http.get(&format!("{a}/pithos/one")).await.body.as_ref(),
        b"x"
    );
    // repeated identical blocks plus a zero tail: A-block, A-block, "tail\0\0"
    let mut data = vec![7u8; BLOCK_SIZE];
    data.extend(vec![7u8; BLOCK_SIZE]);
    data.extend_from_slice(b"tail\0\0");
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/rep"),
            &[("Content-Type", "application/octet-stream")],
            data.clone(),
        )
        .await;
    assert_eq!(r.status, 201);
    let hm = http
        .get(&format!("{a}/pithos/rep?hashmap&format=json"))
        .await
        .json();
    let h0 = block_hash(&data[..BLOCK_SIZE]);
    let h2 = block_hash(b"tail");
    assert_eq!(hm["hashes"], json!([h0, h0, h2]));
    assert_eq!(r.h("etag"), merkle(&[h0.clone(), h0, h2]));
    let back = http.get(&format!("{a}/pithos/rep")).await;
    assert_eq!(back.body.len(), data.len());
    assert!(back.body[..] == data[..]);
    // zero-filled object: trailing zeros are restored
    let zeros = vec![0u8; 1000];
    http.req(
        "PUT",
        &format!("{a}/pithos/zeros"),
        &[("Content-Type", "application/octet-stream")],
        zeros.clone(),
    )
    .await;
    let back = http.get(&format!("{a}/pithos/zeros")).await;
    assert_eq!(back.body.len(), 1000);
    assert!(back.body.iter().all(|b| *b == 0));
    // missing content-type → 411
    let r = http.req("PUT", &format!("{a}/pithos/noct"), &[], "x").await;
    assert_eq!(r.status, 411);
    // ETag verification
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/md5"),
            &[
                ("Content-Type", "text/plain"),
                ("ETag", "00000000000000000000000000000000"),
            ],
            "hello",
        )
        .await;
    assert_eq!(r.status, 422);
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/md5"),
            &[
                ("Content-Type", "text/plain"),
                ("ETag", "5d41402abc4b2a76b9719d911017c592"),
            ],
            "hello",
        )
        .await;
    assert_eq!(r.status, 201);
    cloud.shutdown().await;
}

#[tokio::test]
async fn ranges_and_conditionals() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/hello.txt"),
            &[("Content-Type", "text/plain")],
            "hello world",
        )
        .await;
    assert_eq!(r.status, 201);
    let etag = r.h("etag");
    let p = format!("{a}/pithos/hello.txt");
    let get = |range: &'static str| {
        let http = http.clone();
        let p = p.clone();
        async move { http.req("GET", &p, &[("Range", range)], "").await }
    };
    let r = get("bytes=0-4").await;
    assert_eq!((r.status, r.text().as_str()), (206, "hello"));
    assert_eq!(r.h("content-range"), "bytes 0-4/11");
    assert_eq!(get("bytes=-5").await.text(), "world");
    assert_eq!(get("bytes=6-").await.text(), "world");
    assert_eq!(get("bytes=0-11").await.status, 416);
    assert_eq!(get("bytes=20-30").await.status, 416);
    assert_eq!(get("garbage").await.status, 200);
    let r = get("bytes=0-1,6-7").await;
    assert_eq!(r.status, 206);
    assert!(r
        .h("content-type")
        .starts_with("multipart/byteranges; boundary="));
    let t = r.text();
    assert!(
        t.contains("Content-Range: bytes 0-1/11\r\n\r\nhe\r\n"),
        "{t}"
    );
    assert!(
        t.contains("Content-Range: bytes 6-7/11\r\n\r\nwo\r\n"),
        "{t}"
    );
    assert_eq!(r.h("content-length"), r.body.len().to_string());
    // If-None-Match / If-Match
    let r = http.req("GET", &p, &[("If-None-Match", &etag)], "").await;
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    let r = http.req("GET", &p, &[("If-Match", "nope")], "").await;
    assert_eq!(r.status, 412);
    assert_eq!(r.json()["preconditionFailed"]["code"], 412);
    let r = http.req("GET", &p, &[("If-Match", &etag)], "").await;
    assert_eq!(r.status, 200);
    let lm = http.head(&p).await.h("last-modified");
    let r = http.req("GET", &p, &[("If-Modified-Since", &lm)], "").await;
    assert_eq!(r.status, 304);
    let r = http
        .req(
            "GET",
            &p,
            &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    let r = http
        .req(
            "GET",
            &p,
            &[("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
            "",
        )
        .await;
    assert_eq!(r.status, 412);
    // create-only PUT
    let r = http
        .req(
            "PUT",
            &p,
            &[("Content-Type", "text/plain"), ("If-None-Match", "*")],
            "again",
        )
        .await;
    assert_eq!(r.status, 412);
    // HEAD on missing object: 404 without body
    let r = http.head(&format!("{a}/pithos/missing")).await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    let r = http.get(&format!("{a}/pithos/missing")).await;
    assert_eq!(
        r.json(),
        json!({"itemNotFound": {"code": 404, "message": "Object does not exist", "details": ""}})
    );
    cloud.shutdown().await;
}

#[tokio::test]
async fn listings() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    for name in [
        "a.txt",
        "docs/x.txt",
        "docs/y.txt",
        "docs/sub/z.txt",
        "zeta",
    ] {
        let r = http
            .req(
                "PUT",
                &format!("{a}/pithos/{name}"),
                &[("Content-Type", "text/plain")],
                name.to_string(),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    http.req(
        "PUT",
        &format!("{a}/pithos/docs"),
        &[("Content-Type", "application/directory")],
        "",
    )
    .await;
    let r = http.get(&format!("{a}/pithos")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        "a.txt\ndocs\ndocs/sub/z.txt\ndocs/x.txt\ndocs/y.txt\nzeta\n"
    );
    let r = http
        .get(&format!("{a}/pithos?format=json&delimiter=/"))
        .await;
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.get("name")
                .or_else(|| e.get("subdir"))
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["a.txt", "docs", "docs/", "zeta"]);
    let r = http
        .get(&format!("{a}/pithos?format=json&prefix=docs/&delimiter=/"))
        .await;
    let v = r.json();
    assert_eq!(v[0]["subdir"], "docs/sub/");
    assert_eq!(v[1]["name"], "docs/x.txt");
    assert_eq!(v[1]["bytes"], 10);
    assert_eq!(v[1]["content_type"], "text/plain");
    assert!(v[1]["x_object_hash"].is_string());
    assert!(v[1]["x_object_uuid"].is_string());
    assert!(v[1]["last_modified"].as_str().unwrap().ends_with("+00:00"));
    let r = http.get(&format!("{a}/pithos?format=json&path=docs")).await;
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 2);
    let r = http
        .get(&format!("{a}/pithos?format=json&limit=2&marker=a.txt"))
        .await;
    let v = r.json();
    assert_eq!(v[0]["name"], "docs");
    assert_eq!(v.as_array().unwrap().len(), 2);
    // container listing (account)
    http.req("PUT", &format!("{a}/other"), &[], "").await;
    let r = http.get(&format!("{a}?format=json")).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    let pithos = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "pithos")
        .unwrap();
    assert_eq!(pithos["count"], 6);
    assert_eq!(pithos["x_container_policy"]["versioning"], "auto");
    let r = http.get(&a).await;
    assert_eq!(r.text(), "images\nother\npithos\nsnapshots\n");
    let r = http.head(&a).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.h("x-account-container-count"), "4");
    // empty text listing → 204
    let r = http.get(&format!("{a}/other")).await;
    assert_eq!(r.status, 204);
    let r = http.get(&format!("{a}/other?format=json")).await;
    assert_eq!(r.json(), json!([]));
    // container delete: not empty → 409, empty → 204
    assert_eq!(http.delete(&format!("{a}/pithos")).await.status, 409);
    assert_eq!(http.delete(&format!("{a}/other")).await.status, 204);
    assert_eq!(http.head(&format!("{a}/other")).await.status, 404);
    // delimiter delete empties the container
    assert_eq!(
        http.delete(&format!("{a}/pithos?delimiter=/")).await.status,
        204
    );
    assert_eq!(
        http.get(&format!("{a}/pithos?format=json")).await.json(),
        json!([])
    );
    cloud.shutdown().await;
}

#[tokio::test]
async fn metadata_and_policies() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    // account meta
    let r = http
        .req(
            "POST",
            &format!("{a}?update"),
            &[
                ("X-Account-Meta-Color", "blue"),
                ("X-Account-Group-team", &cloud.users()[1].uuid),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 202);
    let r = http.head(&a).await;
    assert_eq!(r.h("x-account-meta-color"), "blue");
    assert_eq!(r.h("x-account-group-team"), cloud.users()[1].uuid);
    // container create with policy
    let r = http
        .req(
            "PUT",
            &format!("{a}/limited"),
            &[
                ("X-Container-Policy-Quota", "10"),
                ("X-Container-Policy-Versioning", "none"),
                ("X-Container-Meta-Owner", "me"),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        http.req("PUT", &format!("{a}/limited"), &[], "")
            .await
            .status,
        202
    );
    let r = http.head(&format!("{a}/limited")).await;
    assert_eq!(r.h("x-container-policy-quota"), "10");
    assert_eq!(r.h("x-container-policy-versioning"), "none");
    assert_eq!(r.h("x-container-meta-owner"), "me");
    let r = http
        .req(
            "PUT",
            &format!("{a}/limited/big"),
            &[("Content-Type", "text/plain")],
            "01234567890",
        )
        .await;
    assert_eq!(r.status, 413);
    assert!(r.json()["requestEntityTooLarge"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Quota error"));
    let r = http
        .req(
            "POST",
            &format!("{a}/limited?update"),
            &[("X-Container-Policy-Quota", "0")],
            "",
        )
        .await;
    assert_eq!(r.status, 202);
    let r = http
        .req(
            "PUT",
            &format!("{a}/limited/big"),
            &[("Content-Type", "text/plain")],
            "01234567890",
        )
        .await;
    assert_eq!(r.status, 201);
    let r = http
        .req(
            "PUT",
            &format!("{a}/limited"),
            &[("X-Container-Policy-Bogus", "1")],
            "",
        )
        .await;
    assert_eq!(r.status, 400);
    // object meta
    let p = format!("{a}/pithos/m.txt");
    http.req(
        "PUT",
        &p,
        &[
            ("Content-Type", "text/plain"),
            ("X-Object-Meta-my_key", "v1"),
        ],
        "m",
    )
    .await;
    let r = http.head(&p).await;
    assert_eq!(r.h("x-object-meta-my-key"), "v1");
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[("X-Object-Meta-Other", "x%20y")],
            "",
        )
        .await;
    assert_eq!(r.status, 202);
    let r = http.head(&p).await;
    assert_eq!(r.h("x-object-meta-my-key"), "v1");
    assert_eq!(r.h("x-object-meta-other"), "x y");
    http.req(
        "POST",
        &format!("{p}?update"),
        &[("X-Object-Meta-My-Key", "")],
        "",
    )
    .await;
    let r = http.head(&p).await;
    assert!(r.header("x-object-meta-my-key").is_none());
    let r = http.head(&format!("{a}/pithos")).await;
    assert_eq!(r.h("x-container-object-meta"), "Other");
    // meta filter listing
    let r = http
        .get(&format!("{a}/pithos?format=json&meta=Other"))
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    cloud.shutdown().await;
}

#[tokio::test]
async fn sharing_public_and_sharers() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    let friend = cloud.users()[1].clone();
    let fh = http.with_token(&friend.token);
    let p = format!("{a}/pithos/shared.txt");
    http.req("PUT", &p, &[("Content-Type", "text/plain")], "secret")
        .await;
    assert_eq!(fh.get(&p).await.status, 403);
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[("X-Object-Sharing", &format!("read={}", friend.uuid))],
            "",
        )
        .await;
    assert_eq!(r.status, 202);
    let r = http.head(&p).await;
    assert_eq!(r.h("x-object-sharing"), format!("read={}", friend.uuid));
    let r = fh.get(&p).await;
    assert_eq!((r.status, r.text().as_str()), (200, "secret"));
    assert_eq!(r.h("x-object-allowed-to"), "read");
    // friend cannot write
    let r = fh
        .req("PUT", &p, &[("Content-Type", "text/plain")], "hack")
        .await;
    assert_eq!(r.status, 403);
    // sharers listing for friend
    let r = fh.get("/object-store/v1/?format=json").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()[0]["name"], cloud.user_uuid());
    let r = fh.get(&format!("{a}/pithos?format=json")).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let r = http.get(&format!("{a}/pithos?format=json&shared")).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    // write permission through group
    http.req(
        "POST",
        &format!("{a}?update"),
        &[("X-Account-Group-pals", &friend.uuid)],
        "",
    )
    .await;
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[(
                "X-Object-Sharing",
                &format!("write={}:pals", cloud.user_uuid()),
            )],
            "",
        )
        .await;
    assert_eq!(r.status, 202);
    let r = fh
        .req("PUT", &p, &[("Content-Type", "text/plain")], "by friend")
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(http.get(&p).await.text(), "by friend");
    // remove sharing
    http.req(
        "POST",
        &format!("{p}?update"),
        &[("X-Object-Sharing", "")],
        "",
    )
    .await;
    assert_eq!(fh.get(&p).await.status, 403);
    assert_eq!(
        http.req(
            "POST",
            &format!("{p}?update"),
            &[("X-Object-Sharing", "bogus=x")],
            ""
        )
        .await
        .status,
        400
    );

    // public
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[("X-Object-Public", "True")],
            "",
        )
        .await;
    assert_eq!(r.status, 202);
    let url = http.head(&p).await.h("x-object-public");
    assert!(
        url.starts_with(&format!("{}/public/", cloud.base_url())),
        "{url}"
    );
    let anon = Http::new("", None);
    let r = anon.get(&url).await;
    assert_eq!((r.status, r.text().as_str()), (200, "by friend"));
    assert!(r.header("x-object-hash").is_none());
    let r = anon.req("GET", &url, &[("Range", "bytes=0-1")], "").await;
    assert_eq!((r.status, r.text().as_str()), (206, "by"));
    let r = http.get(&format!("{a}/pithos?format=json&public")).await;
    assert_eq!(r.json()[0]["x_object_public"], url);
    http.req(
        "POST",
        &format!("{p}?update"),
        &[("X-Object-Public", "False")],
        "",
    )
    .await;
    assert_eq!(anon.get(&url).await.status, 404);
    assert_eq!(
        http.req(
            "POST",
            &format!("{p}?update"),
            &[("X-Object-Public", "maybe")],
            ""
        )
        .await
        .status,
        400
    );
    cloud.shutdown().await;
}

#[tokio::test]
async fn versions_copy_move_delete() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    let p = format!("{a}/pithos/v.txt");
    let v1 = http
        .req("PUT", &p, &[("Content-Type", "text/plain")], "one")
        .await
        .h("x-object-version");
    let uuid = http.head(&p).await.h("x-object-uuid");
    http.req("PUT", &p, &[("Content-Type", "text/plain")], "two")
        .await;
    let r = http.get(&format!("{p}?version=list&format=json")).await;
    let versions = r.json()["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0][0].to_string(), v1);
    assert!(versions[0][1].is_string());
    assert_eq!(http.get(&format!("{p}?version={v1}")).await.text(), "one");
    assert_eq!(http.get(&p).await.text(), "two");
    assert_eq!(http.head(&p).await.h("x-object-uuid"), uuid);
    // restore old version by copying onto itself
    let r = http
        .req(
            "PUT",
            &p,
            &[("X-Copy-From", "/pithos/v.txt"), ("X-Source-Version", &v1)],
            "",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(http.get(&p).await.text(), "one");
    assert_eq!(http.head(&p).await.h("x-object-uuid"), uuid);
    // copy to a new name: new uuid, meta overlay
    http.req(
        "POST",
        &format!("{p}?update"),
        &[("X-Object-Meta-A", "1")],
        "",
    )
    .await;
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/copy.txt"),
            &[("X-Copy-From", "/pithos/v.txt"), ("X-Object-Meta-B", "2")],
            "",
        )
        .await;
    assert_eq!(r.status, 201);
    let h = http.head(&format!("{a}/pithos/copy.txt")).await;
    assert_ne!(h.h("x-object-uuid"), uuid);
    assert_eq!(h.h("x-object-meta-a"), "1");
    assert_eq!(h.h("x-object-meta-b"), "2");
    // COPY verb with Destination
    let r = http
        .req("COPY", &p, &[("Destination", "/pithos/copy2.txt")], "")
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        http.get(&format!("{a}/pithos/copy2.txt")).await.text(),
        "one"
    );
    assert_eq!(http.req("COPY", &p, &[], "").await.status, 400);
    // MOVE keeps uuid
    http.req("PUT", &format!("{a}/other"), &[], "").await;
    let r = http
        .req("MOVE", &p, &[("Destination", "/other/moved.txt")], "")
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(http.head(&p).await.status, 404);
    assert_eq!(
        http.head(&format!("{a}/other/moved.txt"))
            .await
            .h("x-object-uuid"),
        uuid
    );
    // X-Move-From
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/back.txt"),
            &[("X-Move-From", "/other/moved.txt")],
            "",
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        http.get(&format!("{a}/pithos/back.txt")).await.text(),
        "one"
    );
    // missing source
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/x"),
            &[("X-Copy-From", "/pithos/nothing")],
            "",
        )
        .await;
    assert_eq!(r.status, 404);
    // delete and until
    let before = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs())
        + 1;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        http.delete(&format!("{a}/pithos/back.txt")).await.status,
        204
    );
    assert_eq!(http.get(&format!("{a}/pithos/back.txt")).await.status, 404);
    assert_eq!(
        http.delete(&format!("{a}/pithos/back.txt")).await.status,
        404
    );
    let r = http
        .get(&format!("{a}/pithos?format=json&until={before}"))
        .await;
    assert!(r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == "back.txt"));
    let r = http.get(&format!("{a}/pithos?format=json")).await;
    assert!(!r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == "back.txt"));
    cloud.shutdown().await;
}

#[tokio::test]
async fn partial_updates_append_truncate() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    let p = format!("{a}/pithos/g.txt");
    http.req("PUT", &p, &[("Content-Type", "text/plain")], "hello world")
        .await;
    let oct = ("Content-Type", "application/octet-stream");
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[oct, ("Content-Range", "bytes */*")],
            "!!",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(http.get(&p).await.text(), "hello world!!");
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[oct, ("Content-Range", "bytes 0-4/*")],
            "HELLO",
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(http.get(&p).await.text(), "HELLO world!!");
    assert_eq!(http.head(&p).await.h("content-type"), "text/plain");
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[
                ("Content-Type", "text/plain"),
                ("X-Source-Object", "/pithos/g.txt"),
                ("Content-Range", "bytes 0-4/*"),
                ("X-Object-Bytes", "5"),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(http.get(&p).await.text(), "HELLO");
    let r = http
        .req(
            "POST",
            &format!("{p}?update"),
            &[oct, ("Content-Range", "bytes 9-10/*")],
            "xx",
        )
        .await;
    assert_eq!(r.status, 416);
    let r = http.req("POST", &format!("{p}?update"), &[oct], "xx").await;
    assert_eq!(r.status, 400);
    // append across a block boundary keeps data right
    let big = pattern(BLOCK_SIZE - 3, 1);
    let q = format!("{a}/pithos/big");
    http.req("PUT", &q, &[oct], big.clone()).await;
    http.req(
        "POST",
        &format!("{q}?update"),
        &[oct, ("Content-Range", "bytes */*")],
        "abcdef",
    )
    .await;
    let back = http.get(&q).await;
    let mut want = big.clone();
    want.extend_from_slice(b"abcdef");
    assert_eq!(back.body.len(), want.len());
    assert!(back.body[..] == want[..]);
    let hm = http.get(&format!("{q}?hashmap&format=json")).await.json();
    assert_eq!(hm["hashes"].as_array().unwrap().len(), 2);
    cloud.shutdown().await;
}

#[tokio::test]
async fn streamed_large_upload() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    let data = pattern(3 * BLOCK_SIZE + 12345, 9);
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/large"),
            &[("Content-Type", "application/octet-stream")],
            data.clone(),
        )
        .await;
    assert_eq!(r.status, 201);
    let hashes: Vec<String> = data.chunks(BLOCK_SIZE).map(block_hash).collect();
    assert_eq!(r.h("etag"), merkle(&hashes));
    let hm = http
        .get(&format!("{a}/pithos/large?hashmap&format=json"))
        .await
        .json();
    assert_eq!(hm["hashes"], json!(hashes));
    let back = http.get(&format!("{a}/pithos/large")).await;
    assert!(back.body[..] == data[..]);
    // block-wise download like kamaki
    for i in 0..hashes.len() {
        let s = i * BLOCK_SIZE;
        let e = ((i + 1) * BLOCK_SIZE).min(data.len()) - 1;
        let r = http
            .req(
                "GET",
                &format!("{a}/pithos/large"),
                &[("Range", &format!("bytes={s}-{e}"))],
                "",
            )
            .await;
        assert_eq!(r.status, 206);
        assert!(r.body[..] == data[s..=e]);
    }
    cloud.shutdown().await;
}

#[tokio::test]
async fn manifests_cross_account_and_errors() {
    let (cloud, http) = start().await;
    let a = acct_path(&cloud);
    for (i, part) in ["aaa", "bbb", "cc"].iter().enumerate() {
        http.req(
            "PUT",
            &format!("{a}/pithos/parts/{i}"),
            &[("Content-Type", "text/plain")],
            part.to_string(),
        )
        .await;
    }
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/whole"),
            &[
                ("Content-Type", "text/plain"),
                ("X-Object-Manifest", "pithos/parts/"),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 201);
    let r = http.get(&format!("{a}/pithos/whole")).await;
    assert_eq!(r.text(), "aaabbbcc");
    assert_eq!(r.h("x-object-manifest"), "pithos/parts/");
    let r = http
        .req(
            "GET",
            &format!("{a}/pithos/whole"),
            &[("Range", "bytes=2-4")],
            "",
        )
        .await;
    assert_eq!(r.text(), "abb");
    // If-Range with an old date → full body
    let r = http
        .req(
            "GET",
            &format!("{a}/pithos/parts/0"),
            &[
                ("Range", "bytes=0-0"),
                ("If-Range", "Mon, 01 Jan 2001 00:00:00 GMT"),
            ],
            "",
        )
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, "aaa"));
    // cross-account copy of a shared object
    let friend = cloud.users()[1].clone();
    let fh = http.with_token(&friend.token);
    http.req(
        "POST",
        &format!("{a}/pithos/parts/1?update"),
        &[("X-Object-Sharing", &format!("read={}", friend.uuid))],
        "",
    )
    .await;
    let r = fh
        .req(
            "PUT",
            &format!("/object-store/v1/{}/pithos/mine", friend.uuid),
            &[
                ("X-Copy-From", "/pithos/parts/1"),
                ("X-Source-Account", cloud.user_uuid()),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = fh
        .get(&format!("/object-store/v1/{}/pithos/mine", friend.uuid))
        .await;
    assert_eq!(r.text(), "bbb");
    // friend cannot copy an unshared one
    let r = fh
        .req(
            "PUT",
            &format!("/object-store/v1/{}/pithos/mine2", friend.uuid),
            &[
                ("X-Copy-From", "/pithos/parts/0"),
                ("X-Source-Account", cloud.user_uuid()),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 403);
    // errors
    assert_eq!(http.head(&format!("{a}/nocontainer")).await.status, 404);
    let r = http
        .req(
            "PUT",
            &format!("{a}/nocontainer/x"),
            &[("Content-Type", "text/plain")],
            "x",
        )
        .await;
    assert_eq!(r.status, 404);
    let r = http
        .req("PATCH", &format!("{a}/pithos/parts/0"), &[], "")
        .await;
    assert_eq!(r.status, 405);
    assert!(r.header("allow").is_some());
    let r = http
        .req(
            "PUT",
            &format!("{a}/pithos/x"),
            &[
                ("Content-Type", "text/plain"),
                ("X-Object-Sharing", "read="),
            ],
            "x",
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(http.with_token("nope").get(&a).await.status, 401);
    assert_eq!(Http::new(&cloud.base_url(), None).get(&a).await.status, 401);
    // token as a query parameter
    let anon = Http::new(&cloud.base_url(), None);
    let r = anon
        .get(&format!(
            "{a}/pithos/parts/0?X-Auth-Token={}",
            cloud.token()
        ))
        .await;
    assert_eq!(r.text(), "aaa");
    cloud.shutdown().await;
}
