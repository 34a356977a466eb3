//! Wiremock tests of the Pithos client: one or more per operation, checking
//! the request shape and the parsed response.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt};
use kamaki_core::{Body, ErrorKind};
use kamaki_synnefo::pithos::{
    AccountInfoOptions, AppendOptions, ContainerInfoOptions, ContainerUpdate, CopyOptions,
    CreateContainerOptions, CreateOutcome, DeleteContainerOptions, DeleteObjectOptions,
    GetObjectOptions, HashmapOptions, ListContainersOptions, ListObjectsOptions,
    ListSharingAccountsOptions, Meta, ObjectInfoOptions, ObjectUpdate, PithosClient, Preconditions,
    PutObjectOptions, Sharing, UploadSource, Versioning,
};
use serde_json::json;
use wiremock::matchers::{any, body_bytes, header, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

const BASE: &str = "/pithos/object-store/v1";
const ACCT: &str = "2f6e9a7c-0000-4000-8000-000000000001";

fn acct_path(rest: &str) -> String {
    format!("{BASE}/{ACCT}{rest}")
}

async fn setup() -> (MockServer, PithosClient) {
    let mock = MockServer::start().await;
    let client = PithosClient::new(
        &format!("{}/pithos/object-store", mock.uri()),
        "tok",
        Some(ACCT),
        Some("pithos"),
    )
    .unwrap();
    (mock, client)
}

/// The exact query string (order and encoding included).
struct RawQuery(Option<String>);

impl Match for RawQuery {
    fn matches(&self, r: &Request) -> bool {
        r.url.query().map(str::to_string) == self.0
    }
}

fn raw_query(q: &str) -> RawQuery {
    RawQuery(if q.is_empty() {
        None
    } else {
        Some(q.to_string())
    })
}

/// A header's whole value (wiremock's `header` splits at commas).
struct RawHeader(String, String);

impl Match for RawHeader {
    fn matches(&self, r: &Request) -> bool {
        r.headers.get(self.0.as_str()).and_then(|v| v.to_str().ok()) == Some(self.1.as_str())
    }
}

fn raw_header(name: &str, value: &str) -> RawHeader {
    RawHeader(name.to_string(), value.to_string())
}

/// The header is absent.
struct NoHeader(&'static str);

impl Match for NoHeader {
    fn matches(&self, r: &Request) -> bool {
        !r.headers.contains_key(self.0)
    }
}

fn meta(pairs: &[(&str, &str)]) -> Meta {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fault(code: u16, name: &str, message: &str, details: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({
        name: {"code": code, "message": message, "details": details}
    }))
}

// ---------------------------------------------------------------------------
// construction, names, account

#[test]
fn construction_and_defaults() {
    let p = PithosClient::new("https://h/pithos/object-store/", "t", None, None).unwrap();
    assert_eq!(p.endpoint().as_str(), "https://h/pithos/object-store/v1");
    assert_eq!(p.account(), None);
    assert_eq!(p.default_container(), None);
    assert_eq!(PithosClient::SERVICE_TYPE, "object-store");
    assert_eq!(PithosClient::DEFAULT_API_VERSION, "1");
    let mut p = p;
    p.set_account("uuid-1");
    p.set_container("pithos");
    assert_eq!(
        (p.account(), p.default_container()),
        (Some("uuid-1"), Some("pithos"))
    );
    let other = p.for_account("uuid-2");
    assert_eq!(other.account(), Some("uuid-2"));
    assert_eq!(p.account(), Some("uuid-1"));
    assert_eq!(p.storage().account(), Some("uuid-1"));
    assert_eq!(p.container("c").name(), "c");
    let err = PithosClient::new("ftp://h", "t", None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn missing_account_or_container_or_bad_names_send_nothing() {
    let mock = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&mock)
        .await;
    let p = PithosClient::new(&format!("{}/v1", mock.uri()), "t", None, None).unwrap();
    let e = p
        .get_account_info(&AccountInfoOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = p.list_objects().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let p = p.for_account(ACCT);
    let e = p.list_objects().await.unwrap_err();
    assert!(e.message.contains("No container"), "{}", e.message);
    let long_container = "c".repeat(257);
    let long_object = "o".repeat(1025);
    for (c, o) in [
        ("", "o"),
        ("a/b", "o"),
        (long_container.as_str(), "o"),
        ("c", ""),
        ("c", long_object.as_str()),
    ] {
        let e = p
            .get_object_info(c, o, &ObjectInfoOptions::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{c:?}/{o:?}");
        assert_eq!(e.status, 0);
    }
    let e = p
        .create_container("", &CreateContainerOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = p.set_account_group("bad-name", &["u1"]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = p.set_account_group("good", &[" "]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = p
        .move_object(
            "c",
            "a",
            "c",
            "b",
            &CopyOptions {
                source_version: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = p
        .overwrite_object(
            "c",
            "o",
            0,
            9,
            UploadSource::bytes(&b"short"[..]),
            &AppendOptions {
                block_size: Some(4),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = p
        .overwrite_object(
            "c",
            "o",
            5,
            2,
            UploadSource::bytes(&b"x"[..]),
            &AppendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let e = p.upload_blocks("c", Body::empty()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}

// ---------------------------------------------------------------------------
// top level and account

#[tokio::test]
async fn sharing_accounts_across_pages() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/")))
        .and(raw_query("format=json&limit=2"))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "2f6e9a7c-0000-4000-8000-00000000000a", "last_modified": "2018-01-01T10:00:00.000000+00:00", "x": 1},
            {"name": "2f6e9a7c-0000-4000-8000-00000000000b", "last_modified": "2018-01-02T10:00:00.000000+00:00"}
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/")))
        .and(raw_query(
            "format=json&limit=2&marker=2f6e9a7c-0000-4000-8000-00000000000b",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "2f6e9a7c-0000-4000-8000-00000000000c"}
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .list_sharing_accounts(ListSharingAccountsOptions {
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let names: Vec<&str> = got.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "2f6e9a7c-0000-4000-8000-00000000000a",
            "2f6e9a7c-0000-4000-8000-00000000000b",
            "2f6e9a7c-0000-4000-8000-00000000000c"
        ]
    );
    assert_eq!(got[0].extra["x"], 1);
    assert_eq!(
        got[1].last_modified.as_deref(),
        Some("2018-01-02T10:00:00.000000+00:00")
    );
}

#[tokio::test]
async fn sharing_accounts_empty_204() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .list_sharing_accounts(ListSharingAccountsOptions::default())
        .await
        .unwrap();
    assert!(got.is_empty());
}

#[tokio::test]
async fn account_info_typed() {
    let (mock, p) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(acct_path("")))
        .and(raw_query("until=1514764800"))
        .and(raw_header(
            "If-Modified-Since",
            "Mon, 01 Jan 2018 00:00:00 GMT",
        ))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Account-Container-Count", "3")
                .insert_header("X-Account-Bytes-Used", "73400320")
                .insert_header("Last-Modified", "Mon, 01 Jan 2018 10:00:00 GMT")
                .insert_header("X-Account-Until-Timestamp", "Mon, 01 Jan 2018 00:00:00 GMT")
                .insert_header("X-Account-Policy-Quota", "21474836480")
                .insert_header(
                    "X-Account-Policy-Quota-2f6e9a7c-0000-4000-8000-000000000001",
                    "21474836480",
                )
                .insert_header("X-Account-Group-Friends", "u1,u2")
                .insert_header("X-Account-Meta-Color", "blue%20sky")
                .insert_header("X-Account-Meta-%C3%BC", "%E2%9C%93")
                .insert_header("X-Account-Policy-Versioning", "auto")
                .insert_header("X-Unknown", "kept"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let info = p
        .get_account_info(&AccountInfoOptions {
            until: Some(1_514_764_800),
            if_modified_since: Some("Mon, 01 Jan 2018 00:00:00 GMT".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(info.container_count, Some(3));
    assert_eq!(info.bytes_used, Some(73_400_320));
    assert_eq!(info.quota, Some(21_474_836_480));
    assert_eq!(
        info.project_quotas["2f6e9a7c-0000-4000-8000-000000000001"],
        21_474_836_480
    );
    assert_eq!(info.policy["versioning"], "auto");
    assert_eq!(info.groups["friends"], ["u1", "u2"]);
    assert_eq!(info.meta["color"], "blue sky");
    assert_eq!(info.meta["ü"], "✓");
    assert_eq!(
        info.until_timestamp.as_deref(),
        Some("Mon, 01 Jan 2018 00:00:00 GMT")
    );
    assert_eq!(info.headers["x-unknown"], "kept");
}

#[tokio::test]
async fn account_info_error_keeps_fault() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("")))
        .respond_with(fault(403, "forbidden", "Not allowed", "no public listing"))
        .mount(&mock)
        .await;
    let err = p
        .list_containers(ListContainersOptions {
            public: true,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Http);
    assert_eq!(err.status, 403);
    assert_eq!(err.message, "Forbidden forbidden (Not allowed)\n");
    assert_eq!(err.details, ["no public listing"]);
}

#[tokio::test]
async fn list_containers_with_flags_and_policies() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("")))
        .and(raw_query("format=json&limit=10&marker=a&shared&public&until=1514764800"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "pithos", "count": 12, "bytes": 73400320,
             "last_modified": "2018-01-01T10:00:00.000000+00:00",
             "x_container_policy": {"quota": "0", "versioning": "auto",
                                    "project": "2f6e9a7c-0000-4000-8000-000000000001", "future": "x"},
             "x_container_until_timestamp": "1514764800.000000",
             "new_field": [1, 2]},
            {"name": "trash", "count": 0, "bytes": 0,
             "x_container_policy": {"quota": 1024, "versioning": "none"}}
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .list_containers(ListContainersOptions {
            limit: Some(10),
            marker: Some("a".into()),
            shared: true,
            public: true,
            until: Some(1_514_764_800),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].name.as_str(), got[0].count, got[0].bytes),
        ("pithos", 12, 73_400_320)
    );
    let pol = got[0].policy.as_ref().unwrap();
    assert_eq!(pol.quota, Some(0));
    assert_eq!(pol.versioning, Some(Versioning::Auto));
    assert_eq!(
        pol.project.as_deref(),
        Some("2f6e9a7c-0000-4000-8000-000000000001")
    );
    assert_eq!(pol.extra["future"], "x");
    assert_eq!(got[0].until_timestamp.as_deref(), Some("1514764800.000000"));
    assert_eq!(got[0].extra["new_field"], json!([1, 2]));
    let pol = got[1].policy.as_ref().unwrap();
    assert_eq!(
        (pol.quota, pol.versioning.clone()),
        (Some(1024), Some(Versioning::None))
    );
}

#[tokio::test]
async fn list_containers_not_modified_is_empty() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("")))
        .and(raw_header(
            "If-Modified-Since",
            "Mon, 01 Jan 2018 00:00:00 GMT",
        ))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .list_containers(ListContainersOptions {
            if_modified_since: Some("Mon, 01 Jan 2018 00:00:00 GMT".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(got.is_empty());
}

#[tokio::test]
async fn account_meta_and_groups() {
    let (mock, p) = setup().await;
    Mock::given(method("POST"))
        .and(path(acct_path("")))
        .and(raw_query("update"))
        .and(raw_header("X-Account-Meta-Color", "blue sky, 100%25"))
        .and(raw_header("X-Account-Meta-%C3%BC", "%E2%9C%93"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.set_account_meta(&meta(&[("Color", "blue sky, 100%"), ("ü", "✓")]))
        .await
        .unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("")))
        .and(raw_query("update"))
        .and(raw_header("X-Account-Meta-Old", ""))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.delete_account_meta("Old").await.unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("")))
        .and(raw_query(""))
        .and(raw_header("X-Account-Meta-Only", "this"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.replace_account_meta(&meta(&[("Only", "this")]))
        .await
        .unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("")))
        .and(raw_query("update"))
        .and(raw_header("X-Account-Group-Friends", "u1,u2"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.set_account_group("Friends", &["u1", " u2 "])
        .await
        .unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("")))
        .and(raw_query("update"))
        .and(raw_header("X-Account-Group-Foes", ""))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.delete_account_group("Foes").await.unwrap();
}

// ---------------------------------------------------------------------------
// containers

#[tokio::test]
async fn container_info_typed() {
    let (mock, p) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(acct_path("/pithos")))
        .and(raw_query(""))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Container-Object-Count", "14")
                .insert_header("X-Container-Bytes-Used", "309528938")
                .insert_header("X-Container-Block-Size", "4194304")
                .insert_header("X-Container-Block-Hash", "sha256")
                .insert_header("X-Container-Object-Meta", "Color,Owner")
                .insert_header("X-Container-Policy-Quota", "0")
                .insert_header("X-Container-Policy-Versioning", "auto")
                .insert_header(
                    "X-Container-Policy-Project",
                    "2f6e9a7c-0000-4000-8000-000000000001",
                )
                .insert_header("X-Container-Policy-Future", "x")
                .insert_header("X-Container-Meta-Note", "caf%C3%A9")
                .insert_header("Last-Modified", "Mon, 01 Jan 2018 10:00:00 GMT"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let info = p
        .get_container_info("pithos", &ContainerInfoOptions::default())
        .await
        .unwrap();
    assert_eq!(info.object_count, Some(14));
    assert_eq!(info.bytes_used, Some(309_528_938));
    assert_eq!(info.block_size, Some(4_194_304));
    assert_eq!(info.block_hash.as_deref(), Some("sha256"));
    assert_eq!(info.object_meta, ["Color", "Owner"]);
    assert_eq!(info.policy.quota, Some(0));
    assert_eq!(info.policy.versioning, Some(Versioning::Auto));
    assert_eq!(
        info.policy.project.as_deref(),
        Some("2f6e9a7c-0000-4000-8000-000000000001")
    );
    assert_eq!(info.policy.extra["future"], "x");
    assert_eq!(info.meta["note"], "café");
    assert_eq!(
        info.last_modified.as_deref(),
        Some("Mon, 01 Jan 2018 10:00:00 GMT")
    );
}

#[tokio::test]
async fn container_info_not_found() {
    let (mock, p) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(acct_path("/nope")))
        .respond_with(ResponseTemplate::new(404))
        .mount(&mock)
        .await;
    let err = p
        .get_container_info("nope", &ContainerInfoOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.kind, ErrorKind::Http);
    assert_eq!(err.message, "Not Found \n");
}

/// The seed's flow: `pithos.list_objects()` on the client's container.
#[tokio::test]
async fn list_objects_seed_shape() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/pithos")))
        .and(raw_query("format=json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "lala.txt", "bytes": 34, "hash": "",
             "x_object_hash": "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd",
             "content_type": "text/plain",
             "last_modified": "2018-01-01T10:00:00.000000+00:00",
             "x_object_uuid": "8f1b0d0e-1111-4222-8333-444455556666",
             "x_object_version": 1043,
             "x_object_version_timestamp": "1514800800.000000",
             "x_object_modified_by": "2f6e9a7c-0000-4000-8000-000000000001",
             "x_object_sharing": "read=*; write=2f6e9a7c-0000-4000-8000-000000000002",
             "x_object_public": "https://HOST/pithos/public/Xy7kQ2mN9pLr4sTb",
             "x_object_future": true},
            {"name": "test.txt", "bytes": 1232, "hash": "", "content_type": "text/plain"},
            {"name": "testDir/", "bytes": 0, "hash": "", "content_type": "application/directory"}
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    let objs = p.list_objects().await.unwrap();
    let lines: Vec<String> = objs
        .iter()
        .map(|o| format!("{} of {} bytes", o.name(), o.item().map_or(0, |e| e.bytes)))
        .collect();
    assert_eq!(
        lines,
        [
            "lala.txt of 34 bytes",
            "test.txt of 1232 bytes",
            "testDir/ of 0 bytes"
        ]
    );
    let first = objs[0].item().unwrap();
    assert_eq!(first.version, Some(1043));
    assert_eq!(
        first.version_timestamp.as_deref(),
        Some("1514800800.000000")
    );
    assert_eq!(
        first.uuid.as_deref(),
        Some("8f1b0d0e-1111-4222-8333-444455556666")
    );
    assert_eq!(
        first.object_hash.as_deref(),
        Some("3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd")
    );
    let sharing = first.sharing.as_ref().unwrap();
    assert_eq!(sharing.read, ["*"]);
    assert_eq!(sharing.write, ["2f6e9a7c-0000-4000-8000-000000000002"]);
    assert_eq!(
        first.public_url.as_deref(),
        Some("https://HOST/pithos/public/Xy7kQ2mN9pLr4sTb")
    );
    assert_eq!(first.extra["x_object_future"], true);
    assert!(objs[2].item().unwrap().is_directory());
}

#[tokio::test]
async fn objects_stream_pages_filters_and_subdirs() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/docs")))
        .and(raw_query(
            "format=json&limit=2&prefix=gr&delimiter=%2F&meta=k1%2C%21k2%2Ck3%3Dv&shared&public&until=1514764800",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"subdir": "gr/a/"},
            {"name": "gr/b", "bytes": "7", "hash": "", "x_object_version": "9"}
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(acct_path("/docs")))
        .and(raw_query(
            "format=json&limit=2&marker=gr%2Fb&prefix=gr&delimiter=%2F&meta=k1%2C%21k2%2Ck3%3Dv&shared&public&until=1514764800",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListObjectsOptions {
        limit: Some(2),
        prefix: Some("gr".into()),
        delimiter: Some("/".into()),
        meta: vec!["k1".into(), "!k2".into(), "k3=v".into()],
        shared: true,
        public: true,
        until: Some(1_514_764_800),
        ..Default::default()
    };
    let items: Vec<_> = p.objects("docs", opts).try_collect().await.unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0].is_subdir());
    assert_eq!(items[0].name(), "gr/a/");
    let o = items[1].item().unwrap();
    assert_eq!((o.bytes, o.version), (7, Some(9)));
}

#[tokio::test]
async fn list_objects_in_path_and_errors() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/docs")))
        .and(raw_query("format=json&path=dir%2Fsub"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .container("docs")
        .list_objects(ListObjectsOptions {
            path: Some("dir/sub".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(got.is_empty());

    Mock::given(method("GET"))
        .and(path(acct_path("/gone")))
        .respond_with(fault(404, "itemNotFound", "Container does not exist", ""))
        .mount(&mock)
        .await;
    let mut s = Box::pin(p.objects("gone", ListObjectsOptions::default()));
    let err = s.next().await.unwrap().unwrap_err();
    assert_eq!(err.status, 404);
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Container does not exist)\n"
    );
    assert!(err.details.is_empty());
    assert_eq!(err.fault_name.as_deref(), Some("itemNotFound"));
    assert!(s.next().await.is_none());
}

#[tokio::test]
async fn create_container_with_policies() {
    let (mock, p) = setup().await;
    Mock::given(method("PUT"))
        .and(path(acct_path("/newcont")))
        .and(header("X-Container-Policy-Quota", "1024"))
        .and(header("X-Container-Policy-Versioning", "none"))
        .and(header("X-Container-Policy-Project", "p"))
        .and(header("X-Container-Meta-k", "v"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(acct_path("/old")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .create_container(
            "newcont",
            &CreateContainerOptions {
                quota: Some(1024),
                versioning: Some(Versioning::None),
                project: Some("p".into()),
                meta: meta(&[("k", "v")]),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, CreateOutcome::Created);
    let got = p
        .container("old")
        .create(&CreateContainerOptions::default())
        .await
        .unwrap();
    assert_eq!(got, CreateOutcome::AlreadyExisted);
}

#[tokio::test]
async fn container_updates() {
    let (mock, p) = setup().await;
    Mock::given(method("POST"))
        .and(path(acct_path("/c")))
        .and(raw_query("update"))
        .and(header("X-Container-Policy-Quota", "100"))
        .and(NoHeader("content-type"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.set_container_quota("c", 100).await.unwrap();
    Mock::given(method("POST"))
        .and(path(acct_path("/c")))
        .and(raw_query("update"))
        .and(header("X-Container-Policy-Versioning", "auto"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.set_container_versioning("c", Versioning::Auto)
        .await
        .unwrap();
    Mock::given(method("POST"))
        .and(path(acct_path("/c")))
        .and(raw_query("update"))
        .and(header("X-Container-Policy-Project", "proj-2"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.reassign_container("c", "proj-2").await.unwrap();
    Mock::given(method("POST"))
        .and(path(acct_path("/c")))
        .and(raw_query("update"))
        .and(raw_header("X-Container-Meta-Gone", ""))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.delete_container_meta("c", "Gone").await.unwrap();
    Mock::given(method("POST"))
        .and(path(acct_path("/r")))
        .and(raw_query(""))
        .and(header("X-Container-Meta-a", "1"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.update_container(
        "r",
        &ContainerUpdate {
            meta: meta(&[("a", "1")]),
            replace: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Mock::given(method("POST"))
        .and(path(acct_path("/bad")))
        .respond_with(fault(400, "badRequest", "Invalid versioning header", ""))
        .mount(&mock)
        .await;
    let err = p
        .set_container_meta("bad", &meta(&[("x", "y")]))
        .await
        .unwrap_err();
    assert_eq!((err.status, err.kind), (400, ErrorKind::Http));
    assert_eq!(
        err.message,
        "Bad Request badRequest (Invalid versioning header)\n"
    );
}

#[tokio::test]
async fn delete_empty_purge_container() {
    let (mock, p) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(acct_path("/c")))
        .and(raw_query(""))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    p.delete_container("c", &DeleteContainerOptions::default())
        .await
        .unwrap();
    Mock::given(method("DELETE"))
        .and(path(acct_path("/e")))
        .and(raw_query("delimiter=%2F"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    p.empty_container("e").await.unwrap();
    Mock::given(method("DELETE"))
        .and(path(acct_path("/p")))
        .and(raw_query("until=1514764800"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    p.purge_container("p", 1_514_764_800).await.unwrap();
    Mock::given(method("DELETE"))
        .and(path(acct_path("/full")))
        .respond_with(fault(409, "conflict", "Container is not empty", ""))
        .mount(&mock)
        .await;
    let err = p
        .delete_container("full", &DeleteContainerOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(err.message, "Conflict conflict (Container is not empty)\n");
}

#[tokio::test]
async fn upload_blocks_raw() {
    let (mock, p) = setup().await;
    Mock::given(method("POST"))
        .and(path(acct_path("/c")))
        .and(raw_query("update&format=json"))
        .and(header("Content-Type", "application/octet-stream"))
        .and(body_bytes(b"hello world".to_vec()))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!([
            "B94D27B9934D3E08A52E52D7DA7DABFAC484EFE37A5380EE9088F7ACE2EFCDE9"
        ])))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .upload_blocks("c", Body::from_bytes(&b"hello world"[..]))
        .await
        .unwrap();
    assert_eq!(
        got,
        ["b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"]
    );
}

// ---------------------------------------------------------------------------
// objects: reads

fn object_headers(t: ResponseTemplate) -> ResponseTemplate {
    t.insert_header(
        "ETag",
        "\"261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc\"",
    )
    .insert_header("Content-Type", "text/plain")
    .insert_header("Last-Modified", "Mon, 01 Jan 2018 10:00:00 GMT")
    .insert_header(
        "X-Object-Hash",
        "261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc",
    )
    .insert_header("X-Object-UUID", "8f1b0d0e-1111-4222-8333-444455556666")
    .insert_header("X-Object-Version", "85")
    .insert_header(
        "X-Object-Version-Timestamp",
        "Mon, 01 Jan 2018 10:00:00 GMT",
    )
    .insert_header("X-Object-Modified-By", ACCT)
    .insert_header("X-Object-Sharing", "read=u1,acct:grp; write=u2")
    .insert_header("X-Object-Shared-By", "dir")
    .insert_header("X-Object-Public", "https://h/pithos/public/abc")
    .insert_header("X-Object-Meta-Color", "blue%20sky")
    .insert_header(
        "Content-Disposition",
        "attachment; filename=%22g%C3%BC.txt%22",
    )
    .insert_header("Available", "True")
}

#[tokio::test]
async fn object_info_typed() {
    let (mock, p) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(acct_path("/pithos/dir/%C3%BC%20q%3F%23%25.txt")))
        .and(raw_query("version=85"))
        .and(header("If-Match", "etag1"))
        .and(raw_header(
            "If-Unmodified-Since",
            "Mon, 01 Jan 2018 00:00:00 GMT",
        ))
        .respond_with(
            object_headers(ResponseTemplate::new(200)).insert_header("Content-Length", "11"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let info = p
        .get_object_info(
            "pithos",
            "dir/ü q?#%.txt",
            &ObjectInfoOptions {
                version: Some(85),
                conditions: Preconditions {
                    if_match: Some("etag1".into()),
                    if_unmodified_since: Some("Mon, 01 Jan 2018 00:00:00 GMT".into()),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(
        info.etag.as_deref(),
        Some("261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc")
    );
    assert_eq!(info.object_hash, info.etag);
    assert_eq!(info.version, Some(85));
    assert_eq!(
        info.uuid.as_deref(),
        Some("8f1b0d0e-1111-4222-8333-444455556666")
    );
    assert_eq!(info.modified_by.as_deref(), Some(ACCT));
    let s = info.sharing.as_ref().unwrap();
    assert_eq!(
        (s.read.clone(), s.write.clone()),
        (
            vec!["u1".to_string(), "acct:grp".into()],
            vec!["u2".to_string()]
        )
    );
    assert_eq!(info.shared_by.as_deref(), Some("dir"));
    assert_eq!(
        info.public_url.as_deref(),
        Some("https://h/pithos/public/abc")
    );
    assert_eq!(info.meta["color"], "blue sky");
    assert_eq!(
        info.content_disposition.as_deref(),
        Some("attachment; filename=\"gü.txt\"")
    );
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    assert_eq!(info.headers["available"], "True");
}

#[tokio::test]
async fn object_info_not_modified_is_an_error_with_status() {
    let (mock, p) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(acct_path("/pithos/a")))
        .and(header("If-None-Match", "abc"))
        .respond_with(ResponseTemplate::new(304).insert_header("ETag", "abc"))
        .expect(1)
        .mount(&mock)
        .await;
    let err = p
        .container("pithos")
        .get_object_info(
            "a",
            &ObjectInfoOptions {
                conditions: Preconditions {
                    if_none_match: Some("abc".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 304);
}

#[tokio::test]
async fn get_object_range_stream() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/pithos/greeting.txt")))
        .and(raw_query("version=85&disposition-type=attachment"))
        .and(header("Range", "bytes=2-7"))
        .and(raw_header("If-Range", "Mon, 01 Jan 2018 10:00:00 GMT"))
        .respond_with(
            object_headers(ResponseTemplate::new(206))
                .insert_header("Content-Range", "bytes 2-7/11")
                .set_body_bytes(b"llo wo".to_vec()),
        )
        .expect(2)
        .mount(&mock)
        .await;
    let opts = GetObjectOptions {
        version: Some(85),
        range: Some("2-7".into()),
        if_range: Some("Mon, 01 Jan 2018 10:00:00 GMT".into()),
        disposition_type: Some("attachment".into()),
        ..Default::default()
    };
    let d = p.get_object("pithos", "greeting.txt", &opts).await.unwrap();
    assert_eq!(d.status, 206);
    assert_eq!(d.content_range.as_deref(), Some("bytes 2-7/11"));
    assert_eq!(d.info.version, Some(85));
    let body: Vec<bytes::Bytes> = d.stream.try_collect().await.unwrap();
    assert_eq!(body.concat(), b"llo wo");
    let b = p
        .get_object_bytes("pithos", "greeting.txt", &opts)
        .await
        .unwrap();
    assert_eq!(&b[..], b"llo wo");
}

#[tokio::test]
async fn get_object_range_not_satisfiable() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/pithos/small")))
        .respond_with(fault(
            416,
            "rangeNotSatisfiable",
            "Requested range exceeds object limits",
            "",
        ))
        .mount(&mock)
        .await;
    let err = p
        .get_object(
            "pithos",
            "small",
            &GetObjectOptions {
                range: Some("bytes=0-999".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 416);
    assert_eq!(err.fault_name.as_deref(), Some("rangeNotSatisfiable"));
}

#[tokio::test]
async fn object_hashmap_and_not_modified() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/pithos/big")))
        .and(raw_query("hashmap&format=json"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Object-Version", "7")
                .insert_header(
                    "ETag",
                    "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd",
                )
                .set_body_json(json!({
                    "block_size": 4194304, "block_hash": "sha256", "bytes": 4194307,
                    "hashes": ["299285fc41a44cdb038b9fdaf494c76ca9d0c866672b2b266c1a0c17dda60a05",
                               "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282"],
                    "future": 1
                })),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let hm = p.get_object_hashmap("pithos", "big").await.unwrap();
    assert_eq!(
        (hm.block_size, hm.bytes, hm.hashes.len()),
        (4_194_304, 4_194_307, 2)
    );
    assert_eq!(hm.block_hash, "sha256");
    assert_eq!(hm.extra["future"], 1);
    assert_eq!(hm.info.version, Some(7));
    assert_eq!(
        hm.merkle().unwrap(),
        "3c7519ce59842f5237b8c105e581a6d97dd972f35259a885d8398bfdbe90e7cd"
    );
    let spans: Vec<(u64, u64)> = hm.blocks().map(|b| (b.offset, b.len)).collect();
    assert_eq!(spans, [(0, 4_194_304), (4_194_304, 3)]);

    Mock::given(method("GET"))
        .and(path(acct_path("/pithos/same")))
        .and(raw_query("hashmap&format=json&version=3"))
        .and(header("If-None-Match", "abc"))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&mock)
        .await;
    let got = p
        .get_object_hashmap_with(
            "pithos",
            "same",
            &HashmapOptions {
                version: Some(3),
                conditions: Preconditions {
                    if_none_match: Some("abc".into()),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    assert!(got.is_none());
}

#[tokio::test]
async fn object_versions() {
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/pithos/a")))
        .and(raw_query("version=list&format=json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "versions": [[85, "1322734861.248469"], [86, 1322734905.009272]],
            "extra": true
        })))
        .expect(1)
        .mount(&mock)
        .await;
    let v = p.get_object_versions("pithos", "a").await.unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(
        (v[0].id, v[0].timestamp.as_str()),
        (85, "1322734861.248469")
    );
    assert_eq!(v[1].id, 86);
    assert!(v[1].timestamp.starts_with("1322734905.00927"));
}

// ---------------------------------------------------------------------------
// objects: writes

#[tokio::test]
async fn put_object_with_everything() {
    let (mock, p) = setup().await;
    Mock::given(method("PUT"))
        .and(path(acct_path("/pithos/plain.txt")))
        .and(raw_query(""))
        .and(header("Content-Type", "text/plain"))
        .and(header("Content-Length", "11"))
        .and(header("ETag", "5eb63bbbe01eeed093cb22bb8f5acdc3"))
        .and(raw_header(
            "Content-Disposition",
            "attachment; filename=\"h%C3%BC.txt\"",
        ))
        .and(header("Content-Encoding", "identity"))
        .and(raw_header("X-Object-Sharing", "read=u1,acct:grp;write=u2"))
        .and(header("X-Object-Public", "true"))
        .and(header("X-Object-Meta-Color", "blue"))
        .and(header("If-None-Match", "*"))
        .and(body_bytes(b"hello world".to_vec()))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header(
                    "ETag",
                    "261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc",
                )
                .insert_header("X-Object-Version", "12"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let w = p
        .put_object(
            "pithos",
            "plain.txt",
            Body::from_bytes(&b"hello world"[..]),
            &PutObjectOptions {
                content_type: Some("text/plain".into()),
                content_encoding: Some("identity".into()),
                content_disposition: Some("attachment; filename=\"hü.txt\"".into()),
                etag: Some("5eb63bbbe01eeed093cb22bb8f5acdc3".into()),
                meta: meta(&[("Color", "blue")]),
                sharing: Some(Sharing::new(["u1", "acct:grp"], ["u2"])),
                public: Some(true),
                if_none_match: Some("*".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(w.version, Some(12));
    assert_eq!(
        w.etag.as_deref(),
        Some("261248af1f3261a1512a23d756c2e5150d820915792a05f9a3216e08f6c5ecbc")
    );
}

#[tokio::test]
async fn put_object_errors_keep_fault() {
    let (mock, p) = setup().await;
    Mock::given(method("PUT"))
        .and(path(acct_path("/pithos/q")))
        .respond_with(fault(
            413,
            "requestEntityTooLarge",
            "Quota error: 11 > 10",
            "",
        ))
        .mount(&mock)
        .await;
    let err = p
        .put_object(
            "pithos",
            "q",
            Body::from_bytes(&b"hello world"[..]),
            &PutObjectOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 413);
    assert_eq!(
        err.message,
        "Payload Too Large requestEntityTooLarge (Quota error: 11 > 10)\n"
    );
}

#[tokio::test]
async fn directory_and_manifest() {
    let (mock, p) = setup().await;
    Mock::given(method("PUT"))
        .and(path(acct_path("/pithos/dir")))
        .and(header("Content-Type", "application/directory"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    p.create_directory("pithos", "dir").await.unwrap();
    Mock::given(method("PUT"))
        .and(path(acct_path("/pithos/manifest")))
        .and(header("X-Object-Manifest", "pithos/manifest"))
        .and(header("Content-Type", "application/octet-stream"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    p.create_manifest("pithos", "manifest", None, &PutObjectOptions::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn copy_and_move_by_put() {
    let (mock, p) = setup().await;
    Mock::given(method("PUT"))
        .and(path(acct_path("/dst/copy%20%C3%BC.txt")))
        .and(raw_query("delimiter=%2F"))
        .and(header("X-Copy-From", "/src/greeting %C3%BC.txt"))
        .and(header("X-Source-Account", "other-uuid"))
        .and(header("X-Source-Version", "85"))
        .and(header("Content-Type", "text/plain"))
        .and(header("X-Object-Public", "true"))
        .and(header("X-Object-Meta-a", "b"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201).insert_header("X-Object-Version", "86"))
        .expect(1)
        .mount(&mock)
        .await;
    let w = p
        .copy_object(
            "src",
            "greeting ü.txt",
            "dst",
            "copy ü.txt",
            &CopyOptions {
                source_account: Some("other-uuid".into()),
                source_version: Some(85),
                content_type: Some("text/plain".into()),
                public: Some(true),
                meta: meta(&[("a", "b")]),
                delimiter: Some("/".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(w.version, Some(86));
    // the client's default container is untouched (kamaki changed it)
    assert_eq!(p.default_container(), Some("pithos"));

    Mock::given(method("PUT"))
        .and(path(format!("{BASE}/target-uuid/inbox/a.txt")))
        .and(header("X-Move-From", "/pithos/a.txt"))
        .and(header("X-Source-Account", ACCT))
        .and(NoHeader("x-source-version"))
        .and(NoHeader("x-object-public"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    p.move_object(
        "pithos",
        "a.txt",
        "inbox",
        "a.txt",
        &CopyOptions {
            destination_account: Some("target-uuid".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    Mock::given(method("PUT"))
        .and(path(acct_path("/pithos/restored")))
        .and(header("X-Copy-From", "/pithos/restored"))
        .and(header("X-Source-Version", "3"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    p.container("pithos")
        .copy_object(
            "restored",
            "restored",
            &CopyOptions {
                source_version: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn copy_and_move_verbs() {
    let (mock, p) = setup().await;
    Mock::given(method("COPY"))
        .and(path(acct_path("/pithos/greeting.txt")))
        .and(raw_query("ignore_content_type"))
        .and(header("Destination", "/cont/copy2.txt"))
        .and(header("Destination-Account", "dst-uuid"))
        .and(header("X-Object-Meta-a", "b"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(201).insert_header("X-Object-Version", "5"))
        .expect(1)
        .mount(&mock)
        .await;
    let w = p
        .copy_object_with_verb(
            "pithos",
            "greeting.txt",
            "cont",
            "copy2.txt",
            &CopyOptions {
                destination_account: Some("dst-uuid".into()),
                ignore_content_type: true,
                meta: meta(&[("a", "b")]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(w.version, Some(5));
    Mock::given(method("MOVE"))
        .and(path(format!("{BASE}/src-uuid/pithos/m.txt")))
        .and(header("Destination", "/pithos/n.txt"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&mock)
        .await;
    p.move_object_with_verb(
        "pithos",
        "m.txt",
        "pithos",
        "n.txt",
        &CopyOptions {
            source_account: Some("src-uuid".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn object_metadata_sharing_public() {
    let (mock, p) = setup().await;
    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/a")))
        .and(raw_query("update"))
        .and(header("X-Object-Meta-k", "v"))
        .and(NoHeader("content-type"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Object-Version", "90"))
        .expect(1)
        .mount(&mock)
        .await;
    let w = p
        .set_object_meta("pithos", "a", &meta(&[("k", "v")]))
        .await
        .unwrap();
    assert_eq!(w.version, Some(90));

    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/b")))
        .and(raw_query("update"))
        .and(raw_header("X-Object-Meta-k", ""))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.delete_object_meta("pithos", "b", "k").await.unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/c")))
        .and(raw_query("update"))
        .and(raw_header("X-Object-Sharing", "read=*;write=u2"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.set_object_sharing("pithos", "c", &Sharing::new(["*"], ["u2"]))
        .await
        .unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/d")))
        .and(raw_header("X-Object-Sharing", ""))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.delete_object_sharing("pithos", "d").await.unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/e")))
        .and(raw_query(""))
        .and(header("X-Object-Meta-only", "one"))
        .and(header("Content-Encoding", "gzip"))
        .and(header("If-Match", "etag9"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.update_object(
        "pithos",
        "e",
        &ObjectUpdate {
            meta: meta(&[("only", "one")]),
            replace_meta: true,
            content_encoding: Some("gzip".into()),
            if_match: Some("etag9".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/pub")))
        .and(raw_query("update"))
        .and(header("X-Object-Public", "true"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("HEAD"))
        .and(path(acct_path("/pithos/pub")))
        .respond_with(ResponseTemplate::new(200).insert_header(
            "X-Object-Public",
            "https://h/pithos/public/Xy7kQ2mN9pLr4sTb",
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let url = p.container("pithos").publish_object("pub").await.unwrap();
    assert_eq!(url, "https://h/pithos/public/Xy7kQ2mN9pLr4sTb");

    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/unpub")))
        .and(header("X-Object-Public", "false"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    p.unpublish_object("pithos", "unpub").await.unwrap();
}

#[tokio::test]
async fn append_sends_ordered_block_chunks() {
    let (mock, p) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(acct_path("/pithos")))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Container-Block-Size", "4")
                .insert_header("X-Container-Block-Hash", "sha256"),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/log.txt")))
        .and(raw_query("update"))
        .and(header("Content-Type", "application/octet-stream"))
        .and(header("Content-Range", "bytes */*"))
        .respond_with(ResponseTemplate::new(204).insert_header("X-Object-Version", "3"))
        .expect(3)
        .mount(&mock)
        .await;
    let progress = std::sync::Arc::new(kamaki_core::CountingProgress::default());
    let w = p
        .append_object(
            "pithos",
            "log.txt",
            UploadSource::reader(&b"hello world"[..], None),
            &AppendOptions {
                block_size: None,
                progress: Some(progress.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(w.unwrap().version, Some(3));
    assert_eq!(progress.done(), 11);
    let bodies: Vec<Vec<u8>> = mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| r.body)
        .collect();
    assert_eq!(
        bodies,
        [b"hell".to_vec(), b"o wo".to_vec(), b"rld".to_vec()]
    );
}

#[tokio::test]
async fn overwrite_ranges_and_truncate() {
    let (mock, p) = setup().await;
    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/f")))
        .and(header("Content-Range", "bytes 2-5/*"))
        .and(header("Content-Type", "application/octet-stream"))
        .and(body_bytes(b"ABCD".to_vec()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/f")))
        .and(header("Content-Range", "bytes 6-7/*"))
        .and(body_bytes(b"EF".to_vec()))
        .respond_with(ResponseTemplate::new(204).insert_header("X-Object-Version", "44"))
        .expect(1)
        .mount(&mock)
        .await;
    let w = p
        .overwrite_object(
            "pithos",
            "f",
            2,
            7,
            UploadSource::bytes(&b"ABCDEFGH"[..]),
            &AppendOptions {
                block_size: Some(4),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(w.version, Some(44));

    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/t")))
        .and(raw_query("update"))
        .and(header("Content-Range", "bytes 0-4/*"))
        .and(header("X-Object-Bytes", "5"))
        .and(header("X-Source-Object", "/pithos/t"))
        .and(NoHeader("content-type"))
        .and(header("Content-Length", "0"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    p.truncate_object("pithos", "t", 5).await.unwrap();
    Mock::given(method("POST"))
        .and(path(acct_path("/pithos/z")))
        .and(header("Content-Range", "bytes 0-0/*"))
        .and(header("X-Object-Bytes", "0"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    p.truncate_object("pithos", "z", 0).await.unwrap();
}

#[tokio::test]
async fn delete_object_variants() {
    let (mock, p) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(acct_path("/pithos/a%20b")))
        .and(raw_query(""))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    p.container("pithos")
        .delete_object("a b", &DeleteObjectOptions::default())
        .await
        .unwrap();
    Mock::given(method("DELETE"))
        .and(path(acct_path("/pithos/dir")))
        .and(raw_query("until=1514764800&delimiter=%2F"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    p.delete_object(
        "pithos",
        "dir",
        &DeleteObjectOptions {
            until: Some(1_514_764_800),
            delimiter: Some("/".into()),
        },
    )
    .await
    .unwrap();
    Mock::given(method("DELETE"))
        .and(path(acct_path("/pithos/missing")))
        .respond_with(fault(404, "itemNotFound", "Object does not exist", ""))
        .mount(&mock)
        .await;
    let err = p
        .delete_object("pithos", "missing", &DeleteObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status, 404);
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Object does not exist)\n"
    );
}

#[tokio::test]
async fn json_shapes_round_trip() {
    // typed results serialize for --output-format json, keeping extras
    let (mock, p) = setup().await;
    Mock::given(method("GET"))
        .and(path(acct_path("/pithos")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "a", "bytes": 1, "hash": "", "x_object_sharing": "read=u1", "zz": [1]}
        ])))
        .mount(&mock)
        .await;
    let objs = p.list_objects().await.unwrap();
    let v = serde_json::to_value(objs[0].item().unwrap()).unwrap();
    assert_eq!(v["x_object_sharing"], "read=u1");
    assert_eq!(v["zz"], json!([1]));
    let mut m: BTreeMap<String, serde_json::Value> = serde_json::from_value(v).unwrap();
    assert_eq!(m.remove("name").unwrap(), "a");
}
