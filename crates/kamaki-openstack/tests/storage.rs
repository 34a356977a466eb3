//! Wiremock tests of the object storage client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use kamaki_core::{decode_percent, ErrorKind};
use kamaki_openstack::storage::{
    swift_v1_auth, ByteRange, CopyOptions, CreateContainerOptions, DownloadOptions,
    LargeObjectKind, LargeObjectOptions, ListContainersOptions, ListObjectsOptions, Listing,
    PutOptions, ReadOptions, StorageClient, UploadSource, Verification,
};
use md5::{Digest, Md5};
use serde_json::json;
use wiremock::matchers::{
    any, body_bytes, header, header_exists, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ACCT: &str = "/v1/AUTH_test";

fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

async fn setup() -> (MockServer, StorageClient) {
    let mock = MockServer::start().await;
    let client = StorageClient::new(&format!("{}{ACCT}", mock.uri()), "tok").unwrap();
    (mock, client)
}

/// Matches a header's whole value (wiremock's `header` splits values at commas).
struct RawHeader(&'static str, &'static str);

impl wiremock::Match for RawHeader {
    fn matches(&self, request: &Request) -> bool {
        request.headers.get(self.0).and_then(|v| v.to_str().ok()) == Some(self.1)
    }
}

/// Matches a request without the header.
struct NoHeader(&'static str);

impl wiremock::Match for NoHeader {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key(self.0)
    }
}

fn raw_header(name: &'static str, value: &'static str) -> RawHeader {
    RawHeader(name, value)
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404)
        .set_body_string("<html><h1>Not Found</h1><p>The resource could not be found.</p></html>")
        .insert_header("content-type", "text/html; charset=UTF-8")
}

// ---------------------------------------------------------------------------
// client construction and names

#[test]
fn urls_with_and_without_account() {
    let s = StorageClient::new("http://h:8080/v1/AUTH_test", "t").unwrap();
    assert_eq!(s.endpoint().as_str(), "http://h:8080/v1");
    assert_eq!(s.account(), Some("AUTH_test"));
    assert_eq!(
        s.object_url("c 1", "a/ü?#%.txt").unwrap().as_str(),
        "http://h:8080/v1/AUTH_test/c%201/a/%C3%BC%3F%23%25.txt"
    );
    let p = StorageClient::new("https://h/pithos/object-store/v1", "t").unwrap();
    assert_eq!(p.account(), None);
    assert_eq!(
        p.account_url().unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    let p = p.with_account("8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa");
    assert_eq!(
        p.container_url("pithos").unwrap().as_str(),
        "https://h/pithos/object-store/v1/8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa/pithos"
    );
    let q = StorageClient::new("https://h/pithos/object-store", "t").unwrap();
    assert_eq!(q.endpoint().as_str(), "https://h/pithos/object-store/v1");
    assert_eq!(StorageClient::SERVICE_TYPE, "object-store");
    assert_eq!(StorageClient::DEFAULT_API_VERSION, "1");
    assert_eq!(
        StorageClient::new("", "t").unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn bad_names_are_refused_before_any_request() {
    let (mock, s) = setup().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&mock)
        .await;
    let long_c = "c".repeat(257);
    let long_o = "o".repeat(1025);
    let errs = vec![
        s.create_container("", &Default::default())
            .await
            .unwrap_err(),
        s.create_container(&long_c, &Default::default())
            .await
            .unwrap_err(),
        s.create_container("a/b", &Default::default())
            .await
            .unwrap_err(),
        s.get_container_info("").await.unwrap_err(),
        s.delete_container(&long_c).await.unwrap_err(),
        s.list_objects("", Default::default()).await.unwrap_err(),
        s.get_object_info("c", "").await.unwrap_err(),
        s.get_object_info("c", &long_o).await.unwrap_err(),
        s.delete_object("", "o").await.unwrap_err(),
        s.put_object(
            "c",
            &long_o,
            UploadSource::bytes("x"),
            &PutOptions::default(),
        )
        .await
        .unwrap_err(),
        s.get_object("c", "", &ReadOptions::default())
            .await
            .unwrap_err(),
        s.copy_object("c", "o", "", "o", &CopyOptions::default())
            .await
            .unwrap_err(),
        s.copy_object("c", "o", "d", &long_o, &CopyOptions::default())
            .await
            .unwrap_err(),
        s.move_object("c", "o", "c", "o", &CopyOptions::default())
            .await
            .unwrap_err(),
        s.upload_large_object("c", "", UploadSource::bytes("x"), &Default::default())
            .await
            .unwrap_err(),
        s.upload_large_object(
            "c",
            "o",
            UploadSource::bytes("x"),
            &LargeObjectOptions {
                segment_size: 0,
                ..Default::default()
            },
        )
        .await
        .unwrap_err(),
        s.download_object("c", "", std::path::Path::new("/tmp/x"), &Default::default())
            .await
            .unwrap_err(),
        s.get_object(
            "c",
            "o",
            &ReadOptions {
                range: Some(ByteRange::Span { start: 5, end: 1 }),
                ..Default::default()
            },
        )
        .await
        .unwrap_err(),
        s.set_object_meta("c", "o", &BTreeMap::from([(String::new(), "v".into())]))
            .await
            .unwrap_err(),
        s.set_account_meta(&BTreeMap::from([(String::new(), "v".into())]))
            .await
            .unwrap_err(),
    ];
    for e in errs {
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{}", e.message);
        assert_eq!(e.status, 0);
    }
    let e = s.get_container_info(&long_c).await.unwrap_err();
    assert!(e.message.contains("257 bytes"), "{}", e.message);
}

// ---------------------------------------------------------------------------
// authentication

#[tokio::test]
async fn tempauth_v1() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/auth/v1.0"))
        .and(header("X-Auth-User", "test:tester"))
        .and(header("X-Auth-Key", "testing"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Storage-Url", "http://127.0.0.1:8080/v1/AUTH_test")
                .insert_header("X-Auth-Token", "AUTH_tk123")
                .insert_header("X-Auth-Token-Expires", "86399"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/auth/v1.0"))
        .and(header("X-Auth-Key", "wrong"))
        .respond_with(ResponseTemplate::new(401).set_body_string("<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>"))
        .mount(&mock)
        .await;
    let url = format!("{}/auth/v1.0", mock.uri());
    let auth = swift_v1_auth(&url, "test:tester", "testing").await.unwrap();
    assert_eq!(auth.storage_url, "http://127.0.0.1:8080/v1/AUTH_test");
    assert_eq!(auth.token.expose(), "AUTH_tk123");
    assert!(!format!("{auth:?}").contains("AUTH_tk123"));
    assert_eq!(auth.headers["x-auth-token-expires"], "86399");
    let e = swift_v1_auth(&url, "test:tester", "wrong")
        .await
        .unwrap_err();
    assert_eq!((e.status, e.kind), (401, ErrorKind::Http));
    assert!(e.message.starts_with("Unauthorized"), "{}", e.message);
    assert!(!e.message.contains("wrong"));
    let reqs = mock.received_requests().await.unwrap();
    assert!(reqs.iter().all(|r| !r.headers.contains_key("x-auth-token")));
}

#[tokio::test]
async fn tempauth_without_storage_url_is_a_decode_error() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&mock)
        .await;
    let e = swift_v1_auth(&format!("{}/auth/v1.0", mock.uri()), "u", "k")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}

// ---------------------------------------------------------------------------
// account

#[tokio::test]
async fn account_info() {
    let (mock, s) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(ACCT))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Account-Container-Count", "3")
                .insert_header("X-Account-Object-Count", "12")
                .insert_header("X-Account-Bytes-Used", "73400320")
                .insert_header("X-Account-Meta-Color", "blue%20sky")
                .insert_header("X-Account-Meta-F%C3%BC", "%E2%9C%93")
                .insert_header("X-Account-Storage-Policy-Policy-0-Bytes-Used", "73400320")
                .insert_header("X-Timestamp", "1514764800.00000")
                .insert_header("X-Trans-Id", "tx1234"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let info = s.get_account_info().await.unwrap();
    assert_eq!(info.container_count, 3);
    assert_eq!(info.object_count, Some(12));
    assert_eq!(info.bytes, 73_400_320);
    assert_eq!(info.meta.len(), 2);
    assert_eq!(info.meta["color"], "blue sky");
    assert_eq!(info.meta["fü"], "✓");
    assert_eq!(info.headers["x-timestamp"], "1514764800.00000");
}

#[tokio::test]
async fn account_info_errors() {
    let (mock, s) = setup().await;
    Mock::given(method("HEAD"))
        .respond_with(ResponseTemplate::new(401).insert_header("X-Trans-Id", "tx-a"))
        .mount(&mock)
        .await;
    let e = s.get_account_info().await.unwrap_err();
    assert_eq!((e.status, e.kind), (401, ErrorKind::Http));
    assert!(e.is_unauthorized());
    assert_eq!(e.request_id.as_deref(), Some("tx-a"));
}

#[tokio::test]
async fn account_info_bad_number_is_a_decode_error() {
    let (mock, s) = setup().await;
    Mock::given(method("HEAD"))
        .respond_with(ResponseTemplate::new(204).insert_header("X-Account-Bytes-Used", "many"))
        .mount(&mock)
        .await;
    let e = s.get_account_info().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[tokio::test]
async fn account_meta_set_and_delete() {
    let (mock, s) = setup().await;
    Mock::given(method("POST"))
        .and(path(ACCT))
        .and(query_param("update", ""))
        .and(header("X-Account-Meta-Color", "blue sky 100%25"))
        .and(header("X-Account-Meta-K%C3%BCr", "%C3%BC"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(ACCT))
        .and(header("X-Account-Meta-Old", ""))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let meta = BTreeMap::from([
        ("Color".to_string(), "blue sky 100%".to_string()),
        ("Kür".to_string(), "ü".to_string()),
    ]);
    assert_eq!(s.set_account_meta(&meta).await.unwrap().status, 204);
    s.delete_account_meta(&["Old"]).await.unwrap();
}

// ---------------------------------------------------------------------------
// container listing

fn container_entry(name: &str, count: u64) -> serde_json::Value {
    json!({"name": name, "count": count, "bytes": count * 10,
           "last_modified": "2024-01-01T10:00:00.000000", "storage_policy": "gold"})
}

#[tokio::test]
async fn container_listing_two_pages() {
    let (mock, s) = setup().await;
    Mock::given(method("GET"))
        .and(path(ACCT))
        .and(query_param("format", "json"))
        .and(query_param("limit", "2"))
        .and(query_param("prefix", "p"))
        .and(query_param("end_marker", "pz"))
        .and(query_param_is_missing("marker"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([container_entry("p1", 1), container_entry("p2", 2)])),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(ACCT))
        .and(query_param("marker", "p2"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([container_entry("p3", 3)])))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListContainersOptions {
        prefix: Some("p".into()),
        end_marker: Some("pz".into()),
        limit: Some(2),
        ..Default::default()
    };
    let stream = s.containers(opts.clone());
    // nothing is sent before the stream is polled
    assert!(mock.received_requests().await.unwrap().is_empty());
    let all: Vec<_> = stream.try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
    let first = all[0].item().unwrap();
    assert_eq!(
        (first.name.as_str(), first.count, first.bytes),
        ("p1", 1, 10)
    );
    assert_eq!(
        first.last_modified.as_deref(),
        Some("2024-01-01T10:00:00.000000")
    );
    assert_eq!(first.extra["storage_policy"], "gold");
    assert_eq!(all[2].name(), "p3");
}

#[tokio::test]
async fn container_listing_with_marker_delimiter_and_full_last_page() {
    let (mock, s) = setup().await;
    Mock::given(method("GET"))
        .and(path(ACCT))
        .and(query_param("marker", "a"))
        .and(query_param("delimiter", "-"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"subdir": "b-"}, container_entry("c", 0)
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(ACCT))
        .and(query_param("marker", "c"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .expect(1)
        .mount(&mock)
        .await;
    let all = s
        .list_containers(ListContainersOptions {
            marker: Some("a".into()),
            delimiter: Some('-'),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all[0], Listing::Subdir("b-".into()));
    assert!(all[0].is_subdir());
    assert_eq!(all[1].name(), "c");
}

#[tokio::test]
async fn empty_listings() {
    let (mock, s) = setup().await;
    Mock::given(method("GET"))
        .and(path(ACCT))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c")))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .expect(1)
        .mount(&mock)
        .await;
    assert!(s
        .list_containers(Default::default())
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .list_objects("c", Default::default())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn listing_errors_end_the_stream() {
    let (mock, s) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/gone")))
        .respond_with(not_found())
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/bad")))
        .respond_with(ResponseTemplate::new(200).set_body_string("not json"))
        .mount(&mock)
        .await;
    let mut stream = Box::pin(s.objects("gone", Default::default()));
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!((e.status, e.kind), (404, ErrorKind::Http));
    assert_eq!(
        e.message,
        "Not Found <html><h1>Not Found</h1><p>The resource could not be found.</p></html>\n"
    );
    assert!(stream.next().await.is_none());
    let e = s.list_objects("bad", Default::default()).await.unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Decode, 200));
}

// ---------------------------------------------------------------------------
// containers

#[tokio::test]
async fn create_container_with_meta_and_acls() {
    let (mock, s) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/new%20cont")))
        .and(header("X-Container-Meta-Owner", "Ada"))
        .and(header("X-Storage-Policy", "gold"))
        .and(header("X-Container-Read", ".r:*"))
        .and(header("X-Container-Policy-Quota", "1024"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201).insert_header("X-Trans-Id", "tx9"))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/old")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let mut headers = http::HeaderMap::new();
    headers.insert("x-container-policy-quota", "1024".parse().unwrap());
    let opts = CreateContainerOptions {
        meta: BTreeMap::from([("Owner".into(), "Ada".into())]),
        storage_policy: Some("gold".into()),
        read_acl: Some(".r:*".into()),
        headers,
        ..Default::default()
    };
    let r = s.create_container("new cont", &opts).await.unwrap();
    assert!(r.created());
    assert_eq!(r.headers["x-trans-id"], "tx9");
    let r = s
        .create_container("old", &Default::default())
        .await
        .unwrap();
    assert_eq!((r.status, r.created()), (202, false));
}

#[tokio::test]
async fn container_info_meta_and_delete() {
    let (mock, s) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{ACCT}/c")))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Container-Object-Count", "14")
                .insert_header("X-Container-Bytes-Used", "309528938")
                .insert_header("X-Container-Meta-Color", "red")
                .insert_header("X-Storage-Policy", "Policy-0")
                .insert_header("X-Container-Read", ".r:*,.rlistings")
                .insert_header("X-Container-Block-Size", "4194304")
                .insert_header("X-Container-Block-Hash", "sha256")
                .insert_header("Last-Modified", "Mon, 01 Jan 2018 00:00:00 GMT"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let info = s.get_container_info("c").await.unwrap();
    assert_eq!((info.object_count, info.bytes), (14, 309_528_938));
    assert_eq!(info.meta["color"], "red");
    assert_eq!(info.storage_policy.as_deref(), Some("Policy-0"));
    assert_eq!(info.read_acl.as_deref(), Some(".r:*,.rlistings"));
    assert_eq!(info.block_size, Some(4_194_304));
    assert_eq!(info.block_hash.as_deref(), Some("sha256"));
    assert_eq!(
        info.last_modified.as_deref(),
        Some("Mon, 01 Jan 2018 00:00:00 GMT")
    );

    Mock::given(method("POST"))
        .and(path(format!("{ACCT}/c")))
        .and(query_param("update", ""))
        .and(header("X-Container-Meta-Size", "XL"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{ACCT}/c")))
        .and(header("X-Container-Meta-Color", ""))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    s.set_container_meta("c", &BTreeMap::from([("Size".into(), "XL".into())]))
        .await
        .unwrap();
    s.delete_container_meta("c", &["Color"]).await.unwrap();

    Mock::given(method("DELETE"))
        .and(path(format!("{ACCT}/c")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(s.delete_container("c").await.unwrap().status, 204);
}

#[tokio::test]
async fn container_errors_keep_the_server_message() {
    let (mock, s) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{ACCT}/full")))
        .respond_with(ResponseTemplate::new(409).set_body_string(
            "<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>",
        ))
        .mount(&mock)
        .await;
    Mock::given(method("HEAD"))
        .and(path(format!("{ACCT}/gone")))
        .respond_with(ResponseTemplate::new(404))
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{ACCT}/pithos")))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!(
            {"conflict": {"code": 409, "message": "Container is not empty", "details": "14 objects"}})))
        .mount(&mock)
        .await;
    let e = s.delete_container("full").await.unwrap_err();
    assert_eq!((e.status, e.kind), (409, ErrorKind::Http));
    assert!(e.is_conflict());
    assert!(e.message.contains("There was a conflict"), "{}", e.message);
    let e = s.get_container_info("gone").await.unwrap_err();
    assert!(e.is_not_found());
    let e = s.delete_container("pithos").await.unwrap_err();
    assert_eq!(e.message, "Conflict conflict (Container is not empty)\n");
    assert_eq!(e.details, ["14 objects"]);
    assert_eq!(e.fault_name.as_deref(), Some("conflict"));
}

// ---------------------------------------------------------------------------
// object listing

fn object_entry(name: &str) -> serde_json::Value {
    json!({"name": name, "bytes": 11, "hash": md5_hex(b"hello world"),
           "content_type": "text/plain", "last_modified": "2024-01-01T10:00:00.123456",
           "x_object_hash": "3c75"})
}

#[tokio::test]
async fn object_listing_two_pages_with_subdirs() {
    let (mock, s) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c")))
        .and(query_param("format", "json"))
        .and(query_param("prefix", "docs/"))
        .and(query_param("delimiter", "/"))
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            object_entry("docs/a.txt"), {"subdir": "docs/archive/"}
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c")))
        .and(query_param("marker", "docs/archive/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([object_entry("docs/b.txt")])))
        .expect(1)
        .mount(&mock)
        .await;
    let all = s
        .list_objects(
            "c",
            ListObjectsOptions {
                prefix: Some("docs/".into()),
                delimiter: Some('/'),
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let names: Vec<&str> = all.iter().map(|e| e.name()).collect();
    assert_eq!(names, ["docs/a.txt", "docs/archive/", "docs/b.txt"]);
    let a = all[0].item().unwrap();
    assert_eq!(a.bytes, 11);
    assert_eq!(a.hash, md5_hex(b"hello world"));
    assert_eq!(a.content_type.as_deref(), Some("text/plain"));
    assert_eq!(a.extra["x_object_hash"], "3c75");
    assert!(all[1].is_subdir());
    assert!(all[1].item().is_none());
}

#[tokio::test]
async fn object_listing_path_marker_and_extra_query() {
    let (mock, s) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c")))
        .and(query_param("path", "dir"))
        .and(query_param("marker", "dir/m"))
        .and(query_param("end_marker", "dir/z"))
        .and(query_param("shared", ""))
        .and(raw_header(
            "If-Modified-Since",
            "Mon, 01 Jan 2018 00:00:00 GMT",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([object_entry("dir/n")])))
        .expect(1)
        .mount(&mock)
        .await;
    let mut query = kamaki_core::QueryParams::new();
    query.flag("shared");
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "if-modified-since",
        "Mon, 01 Jan 2018 00:00:00 GMT".parse().unwrap(),
    );
    let all = s
        .list_objects(
            "c",
            ListObjectsOptions {
                path: Some("dir".into()),
                marker: Some("dir/m".into()),
                end_marker: Some("dir/z".into()),
                query,
                headers,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

// ---------------------------------------------------------------------------
// object uploads

#[tokio::test]
async fn put_bytes_sends_md5_meta_and_type() {
    let (mock, s) = setup().await;
    let data = b"hello world";
    let md5 = md5_hex(data);
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/dir/%C3%BC%20q%3F%23%25.txt")))
        .and(header("Content-Type", "text/plain"))
        .and(header("Content-Length", "11"))
        .and(header("ETag", md5.as_str()))
        .and(header("X-Object-Meta-Owner", "Ada"))
        .and(header(
            "Content-Disposition",
            "attachment; filename=\"%C3%BC.txt\"",
        ))
        .and(header("If-None-Match", "*"))
        .and(body_bytes(data.to_vec()))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("Etag", md5.as_str())
                .insert_header("Last-Modified", "Mon, 01 Jan 2018 00:00:00 GMT"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let opts = PutOptions {
        content_type: Some("text/plain".into()),
        meta: BTreeMap::from([("Owner".into(), "Ada".into())]),
        content_disposition: Some("attachment; filename=\"ü.txt\"".into()),
        if_none_match: Some("*".into()),
        ..Default::default()
    };
    let r = s
        .put_object("c", "dir/ü q?#%.txt", UploadSource::bytes(&data[..]), &opts)
        .await
        .unwrap();
    assert_eq!((r.status, r.bytes), (201, 11));
    assert_eq!(r.md5, md5);
    assert_eq!(r.etag.as_deref(), Some(md5.as_str()));
}

#[tokio::test]
async fn put_file_streams_with_length_and_progress() {
    let (mock, s) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.bin");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&file, &data).unwrap();
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/f.bin")))
        .and(header("Content-Length", "200000"))
        .and(header("Content-Type", "application/octet-stream"))
        .and(body_bytes(data.clone()))
        .respond_with(ResponseTemplate::new(201).insert_header("Etag", md5_hex(&data).as_str()))
        .expect(1)
        .mount(&mock)
        .await;
    let progress = Arc::new(kamaki_core::CountingProgress::default());
    let r = s
        .put_object(
            "c",
            "f.bin",
            UploadSource::file(&file),
            &PutOptions {
                progress: Some(progress.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.bytes, 200_000);
    assert_eq!(
        (progress.done(), progress.total()),
        (200_000, Some(200_000))
    );
    let reqs = mock.received_requests().await.unwrap();
    assert!(
        !reqs[0].headers.contains_key("etag"),
        "files are not read twice"
    );
}

#[tokio::test]
async fn put_stream_without_length_is_chunked() {
    let (mock, s) = setup().await;
    let full = b"chunk-1 chunk-2 chunk-3";
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/s")))
        .and(header("Transfer-Encoding", "chunked"))
        .and(body_bytes(full.to_vec()))
        .respond_with(ResponseTemplate::new(201).insert_header("Etag", md5_hex(full).as_str()))
        .expect(1)
        .mount(&mock)
        .await;
    let chunks = futures::stream::iter(
        ["chunk-1 ", "chunk-2 ", "chunk-3"].map(|c| Ok::<_, std::io::Error>(Bytes::from(c))),
    );
    let r = s
        .put_object(
            "c",
            "s",
            UploadSource::stream(chunks, None),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!((r.bytes, r.md5), (23, md5_hex(full)));
    let reqs = mock.received_requests().await.unwrap();
    assert!(!reqs[0].headers.contains_key("content-length"));
}

#[tokio::test]
async fn put_reader_with_length() {
    let (mock, s) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/r")))
        .and(header("Content-Length", "5"))
        .and(body_bytes(b"abcde".to_vec()))
        .respond_with(ResponseTemplate::new(201).insert_header("Etag", md5_hex(b"abcde").as_str()))
        .expect(1)
        .mount(&mock)
        .await;
    let reader = std::io::Cursor::new(b"abcde".to_vec());
    let r = s
        .put_object(
            "c",
            "r",
            UploadSource::reader(reader, Some(5)),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(r.bytes, 5);
}

#[tokio::test]
async fn put_etag_mismatch_is_an_error() {
    let (mock, s) = setup().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("Etag", "\"0123456789abcdef0123456789abcdef\""),
        )
        .expect(2)
        .mount(&mock)
        .await;
    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("data"))]);
    let e = s
        .put_object(
            "c",
            "o",
            UploadSource::stream(chunks, Some(4)),
            &PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("ETag mismatch"), "{}", e.message);
    assert_eq!(
        e.details,
        [
            "server ETag: 0123456789abcdef0123456789abcdef".to_string(),
            format!("local MD5: {}", md5_hex(b"data"))
        ]
    );
    // skippable, and a non-MD5 ETag (Pithos' hash) is not compared
    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("data"))]);
    s.put_object(
        "c",
        "o",
        UploadSource::stream(chunks, Some(4)),
        &PutOptions {
            skip_etag_check: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn put_errors() {
    let (mock, s) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/nocont/o")))
        .respond_with(not_found())
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/bad")))
        .respond_with(ResponseTemplate::new(422).set_body_string(
            "<html><h1>Unprocessable Entity</h1><p>Unable to process the contained instructions</p></html>",
        ))
        .mount(&mock)
        .await;
    let e = s
        .put_object(
            "nocont",
            "o",
            UploadSource::bytes("x"),
            &PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, 404);
    let e = s
        .put_object("c", "bad", UploadSource::bytes("x"), &PutOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, 422);
    assert!(e.message.contains("Unable to process"), "{}", e.message);
    let e = s
        .put_object(
            "c",
            "o",
            UploadSource::file("/nonexistent/kamaki-rs/file"),
            &PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
}

// ---------------------------------------------------------------------------
// object reads

fn object_headers(t: ResponseTemplate, data: &[u8]) -> ResponseTemplate {
    t.insert_header("Etag", md5_hex(data).as_str())
        .insert_header("Content-Type", "text/plain")
        .insert_header("Last-Modified", "Mon, 01 Jan 2018 00:00:00 GMT")
        .insert_header("X-Object-Meta-Owner", "Ada%20L")
        .insert_header("X-Timestamp", "1514764800.00000")
        .insert_header("Accept-Ranges", "bytes")
}

#[tokio::test]
async fn head_object_parses_headers() {
    let (mock, s) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{ACCT}/c/o")))
        .respond_with(
            object_headers(ResponseTemplate::new(200), b"hello world")
                .insert_header("Content-Encoding", "gzip")
                .insert_header("X-Object-Manifest", "c_segments/o%20x/")
                .insert_header("X-Static-Large-Object", "True"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let info = s.get_object_info("c", "o").await.unwrap();
    assert_eq!(info.etag.as_deref(), Some(md5_hex(b"hello world").as_str()));
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    assert_eq!(info.content_encoding.as_deref(), Some("gzip"));
    assert_eq!(info.manifest.as_deref(), Some("c_segments/o x/"));
    assert!(info.static_large_object && info.is_large_object());
    assert_eq!(info.meta["owner"], "Ada L");
    assert_eq!(info.headers["x-timestamp"], "1514764800.00000");
}

#[test]
fn object_info_from_pithos_headers() {
    use kamaki_openstack::storage::ObjectInfo;
    let mut h = http::HeaderMap::new();
    for (k, v) in [
        ("content-length", "4194307"),
        ("content-type", "application/vnd.api%2Bjson"),
        (
            "content-disposition",
            "attachment; filename=%22%C3%BC.txt%22",
        ),
        (
            "etag",
            "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd",
        ),
        (
            "x-object-hash",
            "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd",
        ),
        ("x-object-version", "1043"),
        ("x-object-meta-my-key", "caf%C3%A9"),
    ] {
        h.insert(k, v.parse().unwrap());
    }
    let info = ObjectInfo::try_from(&h).unwrap();
    assert_eq!(info.bytes, 4_194_307);
    assert_eq!(
        info.content_type.as_deref(),
        Some("application/vnd.api+json")
    );
    assert_eq!(
        info.content_disposition.as_deref(),
        Some("attachment; filename=\"ü.txt\"")
    );
    assert_eq!(info.meta["my-key"], "café");
    assert_eq!(info.headers["x-object-version"], "1043");
    assert!(!info.is_large_object());
    h.insert("content-length", "x".parse().unwrap());
    assert_eq!(
        ObjectInfo::try_from(&h).unwrap_err().kind,
        ErrorKind::Decode
    );
}

#[tokio::test]
async fn get_object_range_and_conditions() {
    let (mock, s) = setup().await;
    let since = UNIX_EPOCH + Duration::from_secs(1_514_764_800);
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/o")))
        .and(header("Range", "bytes=6-10"))
        .and(header("If-Match", "abc"))
        .and(header("If-None-Match", "def"))
        .and(raw_header(
            "If-Modified-Since",
            "Mon, 01 Jan 2018 00:00:00 GMT",
        ))
        .and(raw_header(
            "If-Unmodified-Since",
            "Mon, 01 Jan 2018 00:00:00 GMT",
        ))
        .and(query_param("multipart-manifest", "get"))
        .respond_with(
            object_headers(ResponseTemplate::new(206), b"hello world")
                .insert_header("Content-Range", "bytes 6-10/11")
                .set_body_bytes(b"world".to_vec()),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let mut query = kamaki_core::QueryParams::new();
    query.push("multipart-manifest", "get");
    let opts = ReadOptions {
        range: Some(ByteRange::Span { start: 6, end: 10 }),
        if_match: Some("abc".into()),
        if_none_match: Some("def".into()),
        if_modified_since: Some(since),
        if_unmodified_since: Some(since),
        query,
        ..Default::default()
    };
    let dl = s.get_object("c", "o", &opts).await.unwrap();
    assert_eq!(dl.status, 206);
    assert_eq!(dl.content_range.as_deref(), Some("bytes 6-10/11"));
    assert_eq!(dl.info.bytes, 5);
    let body: Vec<Bytes> = dl.stream.try_collect().await.unwrap();
    assert_eq!(body.concat(), b"world");
}

#[tokio::test]
async fn get_object_statuses() {
    let (mock, s) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/same")))
        .respond_with(ResponseTemplate::new(304).insert_header("Etag", "abc"))
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/changed")))
        .respond_with(ResponseTemplate::new(412).set_body_string(
            "<html><h1>Precondition Failed</h1><p>A precondition for this request was not met.</p></html>",
        ))
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/short")))
        .respond_with(ResponseTemplate::new(416).set_body_string(
            "<html><h1>Requested Range Not Satisfiable</h1><p>The Range requested is not available.</p></html>",
        ))
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/gone")))
        .respond_with(not_found())
        .mount(&mock)
        .await;
    let read = ReadOptions::default();
    assert_eq!(
        s.get_object("c", "same", &read).await.unwrap_err().status,
        304
    );
    assert_eq!(
        s.get_object("c", "changed", &read)
            .await
            .unwrap_err()
            .status,
        412
    );
    assert_eq!(
        s.get_object("c", "short", &read).await.unwrap_err().status,
        416
    );
    let e = s.get_object_bytes("c", "gone", &read).await.unwrap_err();
    assert_eq!((e.status, e.kind), (404, ErrorKind::Http));
    assert!(e.message.contains("could not be found"));
    let e = s.get_object_info("c", "gone").await.unwrap_err();
    assert!(e.is_not_found());
}

#[tokio::test]
async fn download_to_file_verifies_and_replaces_atomically() {
    let (mock, s) = setup().await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/good")))
        .respond_with(
            object_headers(ResponseTemplate::new(200), &data).set_body_bytes(data.clone()),
        )
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/corrupt")))
        .respond_with(
            object_headers(ResponseTemplate::new(200), b"something else")
                .set_body_bytes(data.clone()),
        )
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/pithos")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "Etag",
                    "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd",
                )
                .set_body_bytes(b"abc".to_vec()),
        )
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{ACCT}/c/missing")))
        .respond_with(not_found())
        .mount(&mock)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.bin");
    std::fs::write(&dest, b"previous").unwrap();

    let progress = Arc::new(kamaki_core::CountingProgress::default());
    let rep = s
        .download_object(
            "c",
            "good",
            &dest,
            &DownloadOptions {
                progress: Some(progress.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rep.verification, Verification::Md5);
    assert_eq!((rep.bytes, rep.status), (300_000, 200));
    assert_eq!(rep.md5, md5_hex(&data));
    assert_eq!(progress.done(), 300_000);
    assert_eq!(std::fs::read(&dest).unwrap(), data);

    std::fs::write(&dest, b"precious").unwrap();
    let e = s
        .download_object("c", "corrupt", &dest, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("corrupt"), "{}", e.message);
    assert_eq!(std::fs::read(&dest).unwrap(), b"precious");
    let e = s
        .download_object("c", "missing", &dest, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, 404);
    assert_eq!(std::fs::read(&dest).unwrap(), b"precious");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file is left behind");

    let rep = s
        .download_object(
            "c",
            "corrupt",
            &dest,
            &DownloadOptions {
                skip_verify: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(rep.verification, Verification::Skipped(_)));
    let rep = s
        .download_object("c", "pithos", &dest, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(
        rep.verification,
        Verification::Skipped("the ETag is not an MD5".into())
    );
    assert_eq!(std::fs::read(&dest).unwrap(), b"abc");

    let mut out = Vec::new();
    let rep = s
        .download_object_to_writer("c", "good", &mut out, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!((out.len(), rep.verification), (300_000, Verification::Md5));
}

// ---------------------------------------------------------------------------
// delete, copy, move, metadata

#[tokio::test]
async fn delete_object() {
    let (mock, s) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{ACCT}/c/a%20b/c")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{ACCT}/c/gone")))
        .respond_with(not_found())
        .mount(&mock)
        .await;
    assert_eq!(s.delete_object("c", "a b/c").await.unwrap().status, 204);
    assert!(s
        .delete_object("c", "gone")
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn copy_with_put_and_with_copy_method() {
    let (mock, s) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/dst/new%20name")))
        .and(header("X-Copy-From", "/src/dir/%C3%BC%20x"))
        .and(header("Content-Length", "0"))
        .and(header("X-Copy-From-Account", "AUTH_other"))
        .and(header("X-Fresh-Metadata", "true"))
        .and(header("X-Object-Meta-A", "b"))
        .and(header("Content-Type", "text/plain"))
        .respond_with(ResponseTemplate::new(201).insert_header("Etag", "\"abc\""))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("COPY"))
        .and(path(format!("{ACCT}/src/dir/%C3%BC%20x")))
        .and(header("Destination", "/dst/new%20name"))
        .and(header("Destination-Account", "AUTH_other"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    let r = s
        .copy_object(
            "src",
            "dir/ü x",
            "dst",
            "new name",
            &CopyOptions {
                source_account: Some("AUTH_other".into()),
                fresh_metadata: true,
                content_type: Some("text/plain".into()),
                meta: BTreeMap::from([("A".into(), "b".into())]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.etag.as_deref()), (201, Some("abc")));
    let r = s
        .copy_object(
            "src",
            "dir/ü x",
            "dst",
            "new name",
            &CopyOptions {
                use_copy_method: true,
                destination_account: Some("AUTH_other".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn directory_markers_and_manifests() {
    let (mock, s) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/photos/2024")))
        .and(header("Content-Type", "application/directory"))
        .and(header("Content-Length", "0"))
        .and(body_bytes(Vec::new()))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/movie")))
        .and(header("X-Object-Manifest", "c%20segs/movie%20parts/"))
        .and(header("Content-Type", "video/mp4"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    assert!(s
        .create_directory("c", "photos/2024")
        .await
        .unwrap()
        .created());
    s.create_manifest("c", "movie", "c segs", "movie parts/", Some("video/mp4"))
        .await
        .unwrap();
    let e = s
        .create_manifest("c", "movie", "a/b", "p", None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn move_is_copy_then_delete() {
    let (mock, s) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/b")))
        .and(header("X-Copy-From", "/c/a"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{ACCT}/c/a")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/y")))
        .respond_with(not_found())
        .expect(1)
        .mount(&mock)
        .await;
    s.move_object("c", "a", "c", "b", &CopyOptions::default())
        .await
        .unwrap();
    // a failed copy deletes nothing
    let e = s
        .move_object("c", "x", "c", "y", &CopyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, 404);
}

#[tokio::test]
async fn object_meta_merge_keeps_other_keys_and_manifest() {
    let (mock, s) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{ACCT}/c/o")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Object-Meta-Owner", "Ada")
                .insert_header("X-Object-Meta-Color", "blue")
                .insert_header("X-Object-Manifest", "c_segments/o/")
                .insert_header("Content-Disposition", "inline"),
        )
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{ACCT}/c/o")))
        .and(query_param_is_missing("update"))
        .and(header("X-Object-Meta-Owner", "Ada"))
        .and(header("X-Object-Meta-Color", "red"))
        .and(header("X-Object-Manifest", "c_segments/o/"))
        .and(header("Content-Disposition", "inline"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{ACCT}/c/o")))
        .and(header("X-Object-Meta-Owner", "Ada"))
        .and(NoHeader("x-object-meta-color"))
        .and(header("X-Object-Manifest", "c_segments/o/"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    s.set_object_meta("c", "o", &BTreeMap::from([("Color".into(), "red".into())]))
        .await
        .unwrap();
    s.delete_object_meta("c", "o", &["COLOR"]).await.unwrap();
}

#[tokio::test]
async fn post_object_raw() {
    let (mock, s) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{ACCT}/c/o")))
        .and(query_param_is_missing("update"))
        .and(header("X-Object-Meta-Only", "this"))
        .and(header("Content-Type", "text/x"))
        .and(header("X-Delete-After", "60"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let mut headers = http::HeaderMap::new();
    headers.insert("x-delete-after", "60".parse().unwrap());
    let r = s
        .post_object(
            "c",
            "o",
            &kamaki_openstack::storage::PostObjectOptions {
                meta: BTreeMap::from([("Only".into(), "this".into())]),
                content_type: Some("text/x".into()),
                headers,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.status, 202);
}

// ---------------------------------------------------------------------------
// large objects against a stateful fake Swift

#[derive(Clone, Default)]
struct Obj {
    data: Vec<u8>,
    etag: String,
    content_type: String,
    manifest: Option<String>,
    slo: Option<Vec<(String, String, u64)>>,
}

#[derive(Clone, Default)]
struct FakeSwift {
    state: Arc<Mutex<BTreeMap<String, BTreeMap<String, Obj>>>>,
    /// Segment PUTs answered with 503 from this one on (counting from 1).
    fail_put_from: Option<usize>,
    /// Segment PUTs answered with a wrong ETag from this one on.
    corrupt_put_from: Option<usize>,
    puts: Arc<Mutex<usize>>,
    in_flight: Arc<Mutex<(usize, usize)>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl FakeSwift {
    fn split(req: &Request) -> (String, Option<String>) {
        let p = req
            .url
            .path()
            .strip_prefix(ACCT)
            .unwrap_or("")
            .trim_start_matches('/');
        match p.split_once('/') {
            Some((c, o)) => (decode_percent(c), Some(decode_percent(o))),
            None => (decode_percent(p), None),
        }
    }

    fn query(req: &Request, key: &str) -> Option<String> {
        req.url
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }

    fn objects_with_prefix(
        state: &BTreeMap<String, BTreeMap<String, Obj>>,
        container: &str,
        prefix: &str,
    ) -> Vec<(String, Obj)> {
        state
            .get(container)
            .map(|c| {
                c.iter()
                    .filter(|(n, _)| n.starts_with(prefix))
                    .map(|(n, o)| (n.clone(), o.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Content and ETag as a GET of the object would give.
    fn resolve(state: &BTreeMap<String, BTreeMap<String, Obj>>, o: &Obj) -> (Vec<u8>, String) {
        if let Some(m) = &o.manifest {
            let (c, prefix) = m.split_once('/').unwrap();
            let parts =
                Self::objects_with_prefix(state, &decode_percent(c), &decode_percent(prefix));
            let data = parts.iter().flat_map(|(_, p)| p.data.clone()).collect();
            let etags: String = parts.iter().map(|(_, p)| p.etag.as_str()).collect();
            return (data, format!("\"{}\"", md5_hex(etags.as_bytes())));
        }
        if let Some(segs) = &o.slo {
            let mut data = Vec::new();
            for (p, _, _) in segs {
                let (c, n) = p.trim_start_matches('/').split_once('/').unwrap();
                data.extend(state[c][n].data.clone());
            }
            let etags: String = segs.iter().map(|s| s.1.as_str()).collect();
            return (data, format!("\"{}\"", md5_hex(etags.as_bytes())));
        }
        (o.data.clone(), o.etag.clone())
    }
}

impl Respond for FakeSwift {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let (container, object) = Self::split(req);
        let m = req.method.as_str().to_string();
        self.log.lock().unwrap().push(format!(
            "{m} {container}/{}",
            object.clone().unwrap_or_default()
        ));
        let mut state = self.state.lock().unwrap();
        match (m.as_str(), object) {
            ("PUT", None) => {
                let created = !state.contains_key(&container);
                state.entry(container).or_default();
                ResponseTemplate::new(if created { 201 } else { 202 })
            }
            ("GET", None) => {
                let Some(c) = state.get(&container) else {
                    return not_found();
                };
                let prefix = Self::query(req, "prefix").unwrap_or_default();
                let marker = Self::query(req, "marker").unwrap_or_default();
                let limit: usize = Self::query(req, "limit")
                    .map(|l| l.parse().unwrap())
                    .unwrap_or(10_000);
                let list: Vec<_> = c
                    .iter()
                    .filter(|(n, _)| n.starts_with(&prefix) && n.as_str() > marker.as_str())
                    .take(limit)
                    .map(|(n, o)| json!({"name": n, "bytes": o.data.len(), "hash": o.etag,
                        "content_type": o.content_type, "last_modified": "2024-01-01T00:00:00.000000"}))
                    .collect();
                ResponseTemplate::new(200).set_body_json(list)
            }
            ("PUT", Some(name)) => {
                if !state.contains_key(&container) {
                    return not_found();
                }
                let is_segment = container.ends_with("_segments");
                let n = if is_segment {
                    let mut p = self.puts.lock().unwrap();
                    *p += 1;
                    *p
                } else {
                    0
                };
                if is_segment && self.fail_put_from.is_some_and(|f| n >= f) {
                    return ResponseTemplate::new(503)
                        .set_body_string("<html><h1>Service Unavailable</h1></html>");
                }
                let content_type = req
                    .headers
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default();
                let obj = if Self::query(req, "multipart-manifest").as_deref() == Some("put") {
                    let entries: Vec<serde_json::Value> =
                        serde_json::from_slice(&req.body).unwrap();
                    let mut segs = Vec::new();
                    for e in entries {
                        let p = e["path"].as_str().unwrap().to_string();
                        let (c, o) = p.trim_start_matches('/').split_once('/').unwrap();
                        let Some(seg) = state.get(c).and_then(|c| c.get(o)) else {
                            return ResponseTemplate::new(400)
                                .set_body_string(format!("{p}: 404 Not Found"));
                        };
                        if seg.etag != e["etag"].as_str().unwrap()
                            || seg.data.len() as u64 != e["size_bytes"].as_u64().unwrap()
                        {
                            return ResponseTemplate::new(400)
                                .set_body_string(format!("{p}: ETag Mismatch"));
                        }
                        segs.push((p.clone(), seg.etag.clone(), seg.data.len() as u64));
                    }
                    Obj {
                        content_type,
                        slo: Some(segs),
                        ..Default::default()
                    }
                } else {
                    let mut etag = md5_hex(&req.body);
                    if is_segment && self.corrupt_put_from.is_some_and(|f| n >= f) {
                        etag = md5_hex(b"bit rot");
                    }
                    Obj {
                        data: req.body.clone(),
                        etag,
                        content_type,
                        manifest: req
                            .headers
                            .get("x-object-manifest")
                            .map(|v| v.to_str().unwrap().to_string()),
                        slo: None,
                    }
                };
                let (_, etag) = Self::resolve(&state, &obj);
                let etag = if obj.manifest.is_some() {
                    obj.etag.clone()
                } else {
                    etag
                };
                state.get_mut(&container).unwrap().insert(name, obj);
                ResponseTemplate::new(201).insert_header("Etag", etag.as_str())
            }
            ("GET" | "HEAD", Some(name)) => {
                let Some(obj) = state.get(&container).and_then(|c| c.get(&name)).cloned() else {
                    return not_found();
                };
                if let (Some(segs), Some("get")) =
                    (&obj.slo, Self::query(req, "multipart-manifest").as_deref())
                {
                    let list: Vec<_> = segs
                        .iter()
                        .map(|(p, e, b)| json!({"name": p, "hash": e, "bytes": b, "content_type": "application/octet-stream"}))
                        .collect();
                    return ResponseTemplate::new(200).set_body_json(list);
                }
                let (data, etag) = Self::resolve(&state, &obj);
                let mut t = ResponseTemplate::new(200)
                    .insert_header("Etag", etag.as_str())
                    .insert_header("Content-Type", obj.content_type.as_str());
                if let Some(m) = &obj.manifest {
                    t = t.insert_header("X-Object-Manifest", m.as_str());
                }
                if obj.slo.is_some() {
                    t = t.insert_header("X-Static-Large-Object", "True");
                }
                if m == "GET" {
                    t = t.set_body_bytes(data);
                }
                t
            }
            ("DELETE", Some(name)) => {
                let Some(obj) = state.get_mut(&container).and_then(|c| c.remove(&name)) else {
                    return not_found();
                };
                if let (Some(segs), Some("delete")) =
                    (&obj.slo, Self::query(req, "multipart-manifest").as_deref())
                {
                    for (p, _, _) in segs {
                        let (c, o) = p.trim_start_matches('/').split_once('/').unwrap();
                        state.get_mut(c).unwrap().remove(o);
                    }
                    return ResponseTemplate::new(200).set_body_json(json!({
                        "Number Deleted": segs.len() + 1, "Number Not Found": 0,
                        "Response Body": "", "Response Status": "200 OK", "Errors": []}));
                }
                ResponseTemplate::new(204)
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

async fn fake(f: FakeSwift) -> (MockServer, StorageClient, FakeSwift) {
    let (mock, s) = setup().await;
    Mock::given(any())
        .respond_with(f.clone())
        .mount(&mock)
        .await;
    s.create_container("c", &Default::default()).await.unwrap();
    (mock, s, f)
}

fn seg_names(f: &FakeSwift) -> Vec<String> {
    f.state
        .lock()
        .unwrap()
        .get("c_segments")
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default()
}

fn sample(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 253) as u8).collect()
}

#[tokio::test]
async fn slo_upload_download_and_delete() {
    let (mock, s, f) = fake(FakeSwift::default()).await;
    let data = sample(10_000);
    let r = s
        .upload_large_object(
            "c",
            "big one",
            UploadSource::bytes(data.clone()),
            &LargeObjectOptions {
                segment_size: 3000,
                concurrency: 2,
                content_type: Some("video/mp4".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.kind, LargeObjectKind::Slo);
    assert_eq!(r.segments.len(), 4);
    assert_eq!(
        r.segments.iter().map(|s| s.bytes).collect::<Vec<_>>(),
        [3000, 3000, 3000, 1000]
    );
    assert_eq!(r.segment_container, "c_segments");
    assert!(r.segments[0].name.starts_with("big one/slo/"));
    assert!(r.segments[3].name.ends_with("/10000/3000/00000003"));
    let etags: String = r.segments.iter().map(|s| s.etag.as_str()).collect();
    assert_eq!(r.etag, md5_hex(etags.as_bytes()));
    assert_eq!(r.bytes, 10_000);

    // the manifest PUT carried the segment list as JSON
    let reqs = mock.received_requests().await.unwrap();
    let manifest = reqs
        .iter()
        .find(|q| q.url.query() == Some("multipart-manifest=put"))
        .unwrap();
    assert_eq!(manifest.headers["content-type"], "video/mp4");
    let body: serde_json::Value = serde_json::from_slice(&manifest.body).unwrap();
    assert_eq!(
        body[0]["path"],
        format!("/c_segments/{}", r.segments[0].name)
    );
    assert_eq!(body[0]["etag"], r.segments[0].etag);
    assert_eq!(body[3]["size_bytes"], 1000);

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let rep = s
        .download_object("c", "big one", &dest, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(rep.verification, Verification::Segments { count: 4 });
    assert_eq!(std::fs::read(&dest).unwrap(), data);

    // a segment changed behind the manifest's back is caught
    {
        let mut st = f.state.lock().unwrap();
        let seg = st
            .get_mut("c_segments")
            .unwrap()
            .values_mut()
            .nth(1)
            .unwrap();
        seg.data[0] ^= 0xff;
    }
    std::fs::write(&dest, b"keep").unwrap();
    let e = s
        .download_object("c", "big one", &dest, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("Segment 2"), "{}", e.message);
    assert_eq!(std::fs::read(&dest).unwrap(), b"keep");

    assert_eq!(s.delete_large_object("c", "big one").await.unwrap(), 4);
    assert!(seg_names(&f).is_empty());
}

#[tokio::test]
async fn dlo_upload_from_file_and_download() {
    let (mock, s, f) = fake(FakeSwift::default()).await;
    let data = sample(7_001);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::write(&src, &data).unwrap();
    let r = s
        .upload_large_object(
            "c",
            "d/obj",
            UploadSource::file(&src),
            &LargeObjectOptions {
                kind: LargeObjectKind::Dlo,
                segment_size: 1000,
                concurrency: 3,
                meta: BTreeMap::from([("Owner".into(), "Ada".into())]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.segments.len(), 8);
    assert!(r.prefix.starts_with("d/obj/dlo/") && r.prefix.ends_with("/7001/1000/"));
    let reqs = mock.received_requests().await.unwrap();
    let manifest = reqs
        .iter()
        .find(|q| q.headers.contains_key("x-object-manifest"))
        .unwrap();
    assert_eq!(manifest.url.path(), format!("{ACCT}/c/d/obj"));
    assert_eq!(
        manifest.headers["x-object-manifest"].to_str().unwrap(),
        format!("c_segments/{}", r.prefix)
    );
    assert_eq!(manifest.headers["x-object-meta-owner"], "Ada");
    assert!(manifest.body.is_empty());
    let info = s.get_object_info("c", "d/obj").await.unwrap();
    assert_eq!(info.etag.as_deref(), Some(r.etag.as_str()));

    let dest = dir.path().join("out");
    let rep = s
        .download_object("c", "d/obj", &dest, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(rep.verification, Verification::Segments { count: 8 });
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(s.delete_large_object("c", "d/obj").await.unwrap(), 8);
    assert!(seg_names(&f).is_empty());
    assert!(f.state.lock().unwrap()["c"].is_empty());
}

#[tokio::test]
async fn large_upload_from_unsized_stream() {
    let (_mock, s, _f) = fake(FakeSwift::default()).await;
    let data = sample(5_500);
    let chunks: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(700)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let r = s
        .upload_large_object(
            "c",
            "s",
            UploadSource::stream(futures::stream::iter(chunks), None),
            &LargeObjectOptions {
                segment_size: 2000,
                concurrency: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        r.segments.iter().map(|s| s.bytes).collect::<Vec<_>>(),
        [2000, 2000, 1500]
    );
    assert!(r.prefix.contains("/stream/2000/"));
    let got = s
        .get_object_bytes("c", "s", &ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(&got[..], &data[..]);
}

#[tokio::test]
async fn empty_slo_becomes_a_plain_object() {
    let (_mock, s, f) = fake(FakeSwift::default()).await;
    let r = s
        .upload_large_object(
            "c",
            "e",
            UploadSource::bytes(Bytes::new()),
            &Default::default(),
        )
        .await
        .unwrap();
    assert!(r.segments.is_empty());
    assert_eq!(r.etag, md5_hex(b""));
    assert!(seg_names(&f).is_empty());
    let r = s
        .upload_large_object(
            "c",
            "e2",
            UploadSource::stream(futures::stream::empty(), None),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!((r.bytes, r.segments.len()), (0, 0));
}

#[tokio::test]
async fn failed_segment_upload_deletes_partial_segments() {
    let (_mock, s, f) = fake(FakeSwift {
        fail_put_from: Some(4),
        ..Default::default()
    })
    .await;
    let e = s
        .upload_large_object(
            "c",
            "o",
            UploadSource::bytes(sample(10_000)),
            &LargeObjectOptions {
                segment_size: 1000,
                concurrency: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, 503);
    assert!(seg_names(&f).is_empty(), "left: {:?}", seg_names(&f));
    assert!(!f.state.lock().unwrap()["c"].contains_key("o"));
    let log = f.log.lock().unwrap().clone();
    assert!(log
        .iter()
        .any(|l| l.starts_with("DELETE c_segments/o/slo/")));
    // no manifest was written
    assert!(!log.iter().any(|l| l == "PUT c/o"));
}

#[tokio::test]
async fn leave_segments_keeps_them() {
    let (_mock, s, f) = fake(FakeSwift {
        fail_put_from: Some(3),
        ..Default::default()
    })
    .await;
    s.upload_large_object(
        "c",
        "o",
        UploadSource::bytes(sample(5_000)),
        &LargeObjectOptions {
            segment_size: 1000,
            concurrency: 1,
            leave_segments: true,
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(seg_names(&f).len(), 2);
}

#[tokio::test]
async fn segment_etag_mismatch_fails_and_cleans_up() {
    let (_mock, s, f) = fake(FakeSwift {
        corrupt_put_from: Some(2),
        ..Default::default()
    })
    .await;
    let e = s
        .upload_large_object(
            "c",
            "o",
            UploadSource::bytes(sample(3_000)),
            &LargeObjectOptions {
                kind: LargeObjectKind::Dlo,
                segment_size: 1000,
                concurrency: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("ETag mismatch"), "{}", e.message);
    assert!(seg_names(&f).is_empty());
}

#[tokio::test]
async fn source_read_error_cleans_up() {
    let (_mock, s, f) = fake(FakeSwift::default()).await;
    let chunks = futures::stream::iter(vec![
        Ok(Bytes::from(vec![1u8; 2500])),
        Err(std::io::Error::other("disk on fire")),
    ]);
    let e = s
        .upload_large_object(
            "c",
            "o",
            UploadSource::stream(chunks, None),
            &LargeObjectOptions {
                segment_size: 1000,
                concurrency: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    assert!(e.message.contains("disk on fire"), "{}", e.message);
    assert!(seg_names(&f).is_empty());
}

/// Counts concurrent segment PUTs with a delaying responder.
#[derive(Clone)]
struct Slow {
    inner: FakeSwift,
}

impl Respond for Slow {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let is_seg = req.method.as_str() == "PUT" && req.url.path().contains("_segments/");
        if is_seg {
            let mut g = self.inner.in_flight.lock().unwrap();
            g.0 += 1;
            g.1 = g.1.max(g.0);
        }
        let t = self.inner.respond(req);
        if is_seg {
            std::thread::sleep(Duration::from_millis(30));
            self.inner.in_flight.lock().unwrap().0 -= 1;
        }
        t
    }
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let (mock, s) = setup().await;
    let f = FakeSwift::default();
    Mock::given(any())
        .respond_with(Slow { inner: f.clone() })
        .mount(&mock)
        .await;
    s.create_container("c", &Default::default()).await.unwrap();
    s.upload_large_object(
        "c",
        "o",
        UploadSource::bytes(sample(12_000)),
        &LargeObjectOptions {
            segment_size: 1000,
            concurrency: 3,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let max = f.in_flight.lock().unwrap().1;
    assert!((1..=3).contains(&max), "max concurrent segment PUTs: {max}");
}

#[tokio::test]
async fn body_json_matcher_for_slo_manifest() {
    // the manifest body is exactly Swift's format
    let (mock, s) = setup().await;
    let seg = b"0123456789";
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c_segments")))
        .respond_with(ResponseTemplate::new(202))
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(wiremock::matchers::path_regex(
            r"^/v1/AUTH_test/c_segments/o/slo/.+/00000000$",
        ))
        .respond_with(ResponseTemplate::new(201).insert_header("Etag", md5_hex(seg).as_str()))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{ACCT}/c/o")))
        .and(query_param("multipart-manifest", "put"))
        .and(header_exists("content-length"))
        .respond_with(ResponseTemplate::new(201).insert_header(
            "Etag",
            format!("\"{}\"", md5_hex(md5_hex(seg).as_bytes())).as_str(),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let r = s
        .upload_large_object(
            "c",
            "o",
            UploadSource::bytes(&seg[..]),
            &LargeObjectOptions {
                segment_size: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let reqs = mock.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&reqs[2].body).unwrap();
    assert_eq!(
        body,
        json!([{"path": format!("/c_segments/{}", r.segments[0].name), "etag": md5_hex(seg), "size_bytes": 10}])
    );
}
