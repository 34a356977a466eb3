#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Wiremock tests of the image client.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use kamaki_core::ErrorKind;
use kamaki_openstack::image::{
    ContainerFormat, DiskFormat, ImageClient, ImageFilters, ImageStatus, ListImagesOptions,
    PithosLocation, RegisterOptions, SortDir, SortKey, UpdateImage,
};
use serde_json::{json, Value};
use wiremock::matchers::{
    body_json, header, header_exists, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: &str = "/image/v1.0";
const ID: &str = "5c2a1e9f-7d3b-4b8e-9f10-2a3b4c5d6e7f";
const OWNER: &str = "8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa";

async fn setup() -> (MockServer, ImageClient) {
    let mock = MockServer::start().await;
    let client = ImageClient::new(&format!("{}/image", mock.uri()), "tok").unwrap();
    (mock, client)
}

fn fault(name: &str, code: u16, message: &str, details: &str) -> Value {
    json!({ name: {"code": code, "message": message, "details": details} })
}

fn detail_image(id: &str, name: &str, size: u64, disk: &str) -> Value {
    json!({"id": id, "name": name,
           "status": "AVAILABLE", "disk_format": disk, "container_format": "bare",
           "size": size, "checksum": "9a0364b9e99bb480dd25e1f0284c8555b1c4d3e2f6a7b8c9d0e1f2a3b4c5d6e7",
           "location": format!("pithos://{OWNER}/images/debian-11.diskdump"),
           "created_at": "2031-02-03 10:20:30", "updated_at": "2031-02-03 10:21:05",
           "deleted_at": "", "is_public": true,
           "owner": OWNER, "is_snapshot": false,
           "properties": {"osfamily": "linux", "os": "debian", "root_partition": "1",
                          "users": "root", "description": "Debian 11 minimal"}})
}

/// The header set Plankton answers HEAD, register and update with.
fn meta_headers(t: ResponseTemplate, name: &str) -> ResponseTemplate {
    t.insert_header("x-image-meta-id", ID)
        .insert_header("x-image-meta-name", name)
        .insert_header("x-image-meta-disk-format", "diskdump")
        .insert_header("x-image-meta-container-format", "bare")
        .insert_header("x-image-meta-size", "2147483648")
        .insert_header("x-image-meta-checksum", "9a0364b9e99b")
        .insert_header(
            "x-image-meta-location",
            format!("pithos://{OWNER}/images/debian%2011.diskdump").as_str(),
        )
        .insert_header("x-image-meta-created-at", "2031-02-03 10:20:30")
        .insert_header("x-image-meta-updated-at", "2031-02-03 10:21:05")
        .insert_header("x-image-meta-deleted-at", "")
        .insert_header("x-image-meta-status", "AVAILABLE")
        .insert_header("x-image-meta-is-public", "True")
        .insert_header("x-image-meta-owner", OWNER)
        .insert_header("x-image-meta-is-snapshot", "False")
        .insert_header("x-image-meta-description", "")
        .insert_header("x-image-meta-property-osfamily", "linux")
        .insert_header("x-image-meta-property-root-partition", "1")
        .insert_header("x-image-meta-property-description", "Deb%20%C3%BC")
}

#[test]
fn client_constants() {
    assert_eq!(ImageClient::SERVICE_TYPE, "image");
    assert_eq!(ImageClient::DEFAULT_API_VERSION, "1.0");
    let c = ImageClient::new("https://cloud.example.org/cyclades/image", "t").unwrap();
    assert_eq!(
        c.endpoint().as_str(),
        "https://cloud.example.org/cyclades/image/v1.0"
    );
}

// ---------------------------------------------------------------------------
// Listing

#[tokio::test]
async fn list_public_default_sends_sort_dir_asc() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/")))
        .and(query_param("sort_dir", "asc"))
        .and(query_param_is_missing("sort_key"))
        .and(query_param_is_missing("name"))
        .and(header("X-Auth-Token", "tok"))
        // Plankton answers with a bare array (Glance wraps it in "images")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": ID, "name": "Debian 11 base", "status": "AVAILABLE", "disk_format": "diskdump",
             "container_format": "bare", "size": 2147483648u64}])))
        .expect(1)
        .mount(&mock)
        .await;
    let images = c.list_public(&ListImagesOptions::default()).await.unwrap();
    assert_eq!(images.len(), 1);
    let i = &images[0];
    assert_eq!(i.id, ID);
    assert_eq!(i.status, ImageStatus::Available);
    assert_eq!(i.disk_format, Some(DiskFormat::Diskdump));
    assert_eq!(i.container_format, Some(ContainerFormat::Bare));
    assert_eq!(i.size, Some(2_147_483_648));
}

#[tokio::test]
async fn list_detail_sends_filters_and_applies_them() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/detail")))
        .and(query_param("name", "a b"))
        .and(query_param("disk_format", "diskdump"))
        .and(query_param("size_min", "100"))
        .and(query_param("sort_dir", "desc"))
        .and(query_param("sort_key", "name"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": [
            detail_image("i1", "a b", 1000, "diskdump"),
            detail_image("i2", "other", 1000, "diskdump"),
            detail_image("i3", "a b", 10, "diskdump"),
            detail_image("i4", "a b", 1000, "ntfsdump"),
            detail_image("i5", "a b", 5000, "diskdump")]})))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListImagesOptions {
        detail: true,
        filters: ImageFilters {
            name: Some("a b".into()),
            disk_format: Some(DiskFormat::Diskdump),
            size_min: Some(100),
            ..Default::default()
        },
        sort_key: Some(SortKey::Name),
        sort_dir: SortDir::Desc,
        ..Default::default()
    };
    let images = c.list_public(&opts).await.unwrap();
    let ids: Vec<String> = images.iter().map(|i| i.id.to_string()).collect();
    assert_eq!(ids, ["i1", "i5"]);
    let i = &images[0];
    assert_eq!(i.is_public, Some(true));
    assert_eq!(i.owner.as_deref(), Some(OWNER));
    assert_eq!(i.properties["root_partition"], "1");
    assert_eq!(i.deleted_at.as_deref(), Some(""));
}

#[tokio::test]
async fn images_stream_two_pages_and_empty() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/")))
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": [
            {"id": "a", "name": "A"}, {"id": "b", "name": "B"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/")))
        .and(query_param("marker", "b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": [
            {"id": "c", "name": "C"}]})))
        .expect(1)
        .mount(&mock)
        .await;
    let names: Vec<String> = c
        .images(ListImagesOptions {
            limit: Some(2),
            ..Default::default()
        })
        .map_ok(|i| i.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["A", "B", "C"]);
}

#[tokio::test]
async fn images_empty_listing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": []})))
        .expect(1)
        .mount(&mock)
        .await;
    assert!(c
        .list_public(&ListImagesOptions::default())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn list_with_invalid_sort_is_a_400() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Invalid size_max",
            "",
        )))
        .mount(&mock)
        .await;
    let err = c
        .list_public(&ListImagesOptions::default())
        .await
        .unwrap_err();
    assert_eq!((err.status, err.kind), (400, ErrorKind::Http));
    assert_eq!(err.message, "Bad Request badRequest (Invalid size_max)\n");
}

// ---------------------------------------------------------------------------
// HEAD

#[tokio::test]
async fn get_meta_decodes_headers() {
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/images/{ID}")))
        .respond_with(meta_headers(
            ResponseTemplate::new(200),
            "Debian%2011%20base",
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let m = c.get_meta(ID).await.unwrap();
    assert_eq!(m.id, ID);
    assert_eq!(m.name.as_deref(), Some("Debian 11 base"));
    assert_eq!(m.status, ImageStatus::Available);
    assert_eq!(m.size, Some(2_147_483_648));
    assert_eq!(m.is_public, Some(true));
    assert_eq!(m.is_snapshot, Some(false));
    assert_eq!(
        m.location.as_deref(),
        Some(format!("pithos://{OWNER}/images/debian 11.diskdump").as_str())
    );
    assert_eq!(m.properties["root_partition"], "1");
    assert_eq!(m.properties["description"], "Deb ü");
    assert_eq!(m.description.as_deref(), Some(""));
    // the location round-trips into a register call
    let loc = PithosLocation::parse(m.location.as_deref().unwrap()).unwrap();
    assert_eq!(loc.object, "debian 11.diskdump");
    // kamaki's dict shape
    let k = m.to_kamaki_map();
    assert_eq!(k["container-format"], "bare");
    assert_eq!(k["is-snapshot"], "False");
    assert_eq!(k["created-at"], "2031-02-03 10:20:30");
    assert_eq!(k["properties"]["osfamily"], "linux");
}

#[tokio::test]
async fn get_meta_snapshot_location() {
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/images/6b0c-snap")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-image-meta-id", "6b0c-snap")
                .insert_header(
                    "x-image-meta-location",
                    "pithos://a1b2-user/snapshots/db-before-upgrade",
                )
                .insert_header("x-image-meta-is-snapshot", "True")
                .insert_header("x-image-meta-status", "SAVING")
                .insert_header("x-image-meta-property-exclude-all-tasks", "yes"),
        )
        .mount(&mock)
        .await;
    let m = c.get_meta("6b0c-snap").await.unwrap();
    assert_eq!(m.is_snapshot, Some(true));
    assert_eq!(m.status, ImageStatus::Saving);
    assert_eq!(m.properties["exclude_all_tasks"], "yes");
    assert_eq!(
        m.location.as_deref(),
        Some("pithos://a1b2-user/snapshots/db-before-upgrade")
    );
}

#[tokio::test]
async fn get_meta_not_found_has_no_body() {
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/images/missing")))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.get_meta("missing").await.unwrap_err();
    assert_eq!(err.status, 404);
    assert_eq!(err.message, "Not Found \n");
    assert!(err.details.is_empty());
    assert!(err.is_not_found());
}

#[tokio::test]
async fn malformed_image_ids_are_refused() {
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&mock)
        .await;
    for bad in ["", "a/b", "a b", "ü", &"x".repeat(300)] {
        let err = c.get_meta(bad).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad:?}");
    }
    assert_eq!(
        c.unregister("..").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn head_without_image_headers_is_a_decode_error() {
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/images/x")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&mock)
        .await;
    let err = c.get_meta("x").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
}

// ---------------------------------------------------------------------------
// Register / update / unregister

#[tokio::test]
async fn register_sends_encoded_headers() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/images/")))
        .and(header("X-Image-Meta-Name", "My%20Image%20%CE%B1"))
        .and(header(
            "X-Image-Meta-Location",
            format!("pithos://{OWNER}/images/dir/my%20img.diskdump").as_str(),
        ))
        .and(header("X-Image-Meta-Disk-Format", "diskdump"))
        .and(header("X-Image-Meta-Container-Format", "bare"))
        .and(header("X-Image-Meta-Is-Public", "True"))
        .and(header("X-Image-Meta-Property-OS", "debian"))
        .and(header("X-Image-Meta-Property-root_partition", "1"))
        .and(header("X-Image-Meta-Property-Description", "Deb%20%C3%BC"))
        .and(header("content-length", "0"))
        .and(|req: &Request| {
            !req.headers.contains_key("x-image-meta-size")
                && !req.headers.contains_key("x-image-meta-checksum")
        })
        .respond_with(meta_headers(
            ResponseTemplate::new(200),
            "My%20Image%20%CE%B1",
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = RegisterOptions {
        disk_format: Some(DiskFormat::Diskdump),
        container_format: Some(ContainerFormat::Bare),
        is_public: Some(true),
        properties: BTreeMap::from([
            ("OS".to_string(), "debian".to_string()),
            ("root_partition".to_string(), "1".to_string()),
            ("Description".to_string(), "Deb ü".to_string()),
        ]),
        ..Default::default()
    };
    let loc = PithosLocation::new(OWNER, "images", "dir/my img.diskdump");
    let m = c.register("My Image α", &loc, &opts).await.unwrap();
    assert_eq!(m.name.as_deref(), Some("My Image α"));
    assert_eq!(m.id, ID);
}

#[tokio::test]
async fn register_bad_input_sends_nothing() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&mock)
        .await;
    let loc = PithosLocation::new(OWNER, "images", "a.diskdump");
    let ok = RegisterOptions::default();
    let err = c.register("", &loc, &ok).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let err = c
        .register("n", &PithosLocation::new(OWNER, "", "a"), &ok)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let err = c.register(&"n".repeat(257), &loc, &ok).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let long_name = RegisterOptions {
        properties: BTreeMap::from([("p".repeat(94), "v".to_string())]),
        ..Default::default()
    };
    let err = c.register("n", &loc, &long_name).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    let long_value = RegisterOptions {
        properties: BTreeMap::from([("p".to_string(), "v".repeat(257))]),
        ..Default::default()
    };
    let err = c.register("n", &loc, &long_value).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn register_server_errors() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/images/")))
        .and(header("X-Image-Meta-Disk-Format", "qcow2"))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Invalid disk format 'qcow2'",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/images/")))
        .and(header("X-Image-Meta-Checksum", "abc"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Registration failed"))
        .expect(1)
        .mount(&mock)
        .await;
    let loc = PithosLocation::new(OWNER, "images", "a.img");
    let err = c
        .register(
            "n",
            &loc,
            &RegisterOptions {
                disk_format: Some(DiskFormat::Qcow2),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(
        err.message,
        "Bad Request badRequest (Invalid disk format 'qcow2')\n"
    );
    let err = c
        .register(
            "n",
            &loc,
            &RegisterOptions {
                checksum: Some("abc".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 500);
    assert!(err.message.contains("Registration failed"));
}

#[tokio::test]
async fn update_image_sends_only_given_headers() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/images/img-1")))
        .and(header("X-Image-Meta-Name", "%CE%BD%CE%AD%CE%BF"))
        .and(header("X-Image-Meta-Is-Public", "False"))
        .and(header("X-Image-Meta-Property-OS", "x"))
        .and(header("content-length", "0"))
        .and(|req: &Request| {
            !req.headers.contains_key("x-image-meta-disk-format")
                && !req.headers.contains_key("x-image-meta-status")
        })
        .respond_with(meta_headers(
            ResponseTemplate::new(200),
            "%CE%BD%CE%AD%CE%BF",
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let m = c
        .update_image(
            "img-1",
            &UpdateImage {
                name: Some("νέο".into()),
                is_public: Some(false),
                properties: BTreeMap::from([("OS".to_string(), "x".to_string())]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(m.name.as_deref(), Some("νέο"));
    assert_eq!(
        c.update_image("img-1", &UpdateImage::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn update_image_invalid_metadata() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/images/img-1")))
        .and(header("X-Image-Meta-Status", "weird"))
        .and(header("X-Image-Meta-Container-Format", "ovf"))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Invalid metadata",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .update_image(
            "img-1",
            &UpdateImage {
                status: Some("weird".into()),
                container_format: Some(ContainerFormat::Ovf),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.message, "Bad Request badRequest (Invalid metadata)\n");
}

#[tokio::test]
async fn unregister_image() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/images/{ID}")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/images/other")))
        .respond_with(ResponseTemplate::new(403).set_body_json(fault("forbidden", 403, "", "")))
        .expect(1)
        .mount(&mock)
        .await;
    c.unregister(ID).await.unwrap();
    let err = c.unregister("other").await.unwrap_err();
    assert_eq!(err.status, 403);
    assert_eq!(err.message, "Forbidden forbidden ()\n");
}

// ---------------------------------------------------------------------------
// Members and sharing

#[tokio::test]
async fn members() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/{ID}/members")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"members": [
            {"member_id": "0d9c7f42-11aa-4c3e-9f00-5e6d7c8b9a01", "can_share": false}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/images/{ID}/members/u%40x.org")))
        .and(header("content-length", "0"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/images/{ID}/members/u%40x.org")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/images/{ID}/members")))
        .and(body_json(json!({"memberships": [
            {"member_id": "0d9c7f42-11aa-4c3e-9f00-5e6d7c8b9a01"},
            {"member_id": "a1b2c3d4-0000-4000-8000-0123456789ab"}]})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let m = c.list_members(ID).await.unwrap();
    assert_eq!(m[0].member_id, "0d9c7f42-11aa-4c3e-9f00-5e6d7c8b9a01");
    assert_eq!(m[0].can_share, Some(false));
    c.add_member(ID, "u@x.org").await.unwrap();
    c.remove_member(ID, "u@x.org").await.unwrap();
    c.set_members(
        ID,
        &[
            "0d9c7f42-11aa-4c3e-9f00-5e6d7c8b9a01".into(),
            "a1b2c3d4-0000-4000-8000-0123456789ab".into(),
        ],
    )
    .await
    .unwrap();
    for bad in ["", "a b", "a/b"] {
        assert_eq!(
            c.add_member(ID, bad).await.unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
    }
}

#[tokio::test]
async fn list_shared_images() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/shared-images/{OWNER}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"shared_images": [
            {"image_id": ID, "can_share": false}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let s = c.list_shared(OWNER).await.unwrap();
    assert_eq!(s[0].image_id, ID);
    assert_eq!(s[0].can_share, Some(false));
}

#[tokio::test]
async fn expired_token_fault_keeps_inner_error() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/{ID}/members")))
        .and(header_exists("x-auth-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(fault(
            "fault",
            401,
            "Unauthorized",
            r#"{"unauthorized": {"code": 401, "message": "Invalid token"}}"#,
        )))
        .mount(&mock)
        .await;
    let err = c.list_members(ID).await.unwrap_err();
    assert_eq!(err.status, 401);
    assert!(err.is_unauthorized());
    let inner = err.inner_fault().unwrap();
    assert_eq!(inner.message, "Invalid token");
}
