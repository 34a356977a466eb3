//! Plankton against wiremock: registering Pithos files given as a triplet
//! or a `pithos://` URL (the same request), reading an image's location
//! (the tutorial's `get_meta(id)["location"]`), and the rest of the image
//! calls through the re-exported client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use kamaki_core::ErrorKind;
use kamaki_synnefo::plankton::{
    ContainerFormat, DiskFormat, ImageClient, ImageStatus, ListImagesOptions, Location,
    PithosLocation, PlanktonClient, PlanktonExt, RegisterOptions, UpdateImage,
};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: &str = "/image/v1.0";
const OWNER: &str = "8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa";
const ID: &str = "5c2a1e9f-7d3b-4b8e-9f10-2a3b4c5d6e7f";
const SNAP: &str = "6b0c1d2e-aaaa-4bbb-8ccc-0123456789ab";

async fn setup() -> (MockServer, ImageClient) {
    let mock = MockServer::start().await;
    let client = ImageClient::new(&format!("{}/image", mock.uri()), "tok").unwrap();
    (mock, client)
}

fn meta_headers(t: ResponseTemplate, id: &str, name: &str, location: &str) -> ResponseTemplate {
    t.insert_header("x-image-meta-id", id)
        .insert_header("x-image-meta-name", name)
        .insert_header("x-image-meta-disk-format", "diskdump")
        .insert_header("x-image-meta-container-format", "bare")
        .insert_header("x-image-meta-size", "10737418240")
        .insert_header("x-image-meta-checksum", "9a0364b9e99bb480dd25e1f0284c8555")
        .insert_header("x-image-meta-location", location)
        .insert_header("x-image-meta-created-at", "2031-02-03 10:20:30")
        .insert_header("x-image-meta-updated-at", "2031-02-03 10:21:05")
        .insert_header("x-image-meta-deleted-at", "")
        .insert_header("x-image-meta-status", "AVAILABLE")
        .insert_header("x-image-meta-is-public", "False")
        .insert_header("x-image-meta-owner", OWNER)
        .insert_header("x-image-meta-is-snapshot", "True")
        .insert_header("x-image-meta-description", "")
        .insert_header("x-image-meta-future-field", "kept")
        .insert_header("x-image-meta-property-exclude-all-tasks", "yes")
        .insert_header("x-image-meta-property-os", "debian")
}

/// Mounts the register mock: the exact headers a triplet or its URL send.
async fn mount_register(mock: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path(format!("{P}/images/")))
        .and(header("X-Auth-Token", "tok"))
        .and(header(
            "X-Image-Meta-Name",
            "Image%20server%20backup.diskdump",
        ))
        .and(header(
            "X-Image-Meta-Location",
            format!("pithos://{OWNER}/images/backups/server%20backup.diskdump").as_str(),
        ))
        .and(|req: &Request| {
            !req.headers.contains_key("x-image-meta-size")
                && !req.headers.keys().any(|k| {
                    k.as_str().starts_with("x-image-meta-")
                        && !matches!(k.as_str(), "x-image-meta-name" | "x-image-meta-location")
                })
        })
        .respond_with(meta_headers(
            ResponseTemplate::new(200),
            ID,
            "Image%20server%20backup.diskdump",
            &format!("pithos://{OWNER}/images/backups/server%20backup.diskdump"),
        ))
        .expect(times)
        .mount(mock)
        .await;
}

#[test]
fn client_is_the_image_client() {
    assert_eq!(PlanktonClient::SERVICE_TYPE, "image");
    assert_eq!(ImageClient::DEFAULT_API_VERSION, "1.0");
    let c = PlanktonClient::new("https://cloud.example.org/image", "t").unwrap();
    assert_eq!(
        c.endpoint().as_str(),
        "https://cloud.example.org/image/v1.0"
    );
}

#[test]
fn locations_from_triplets_and_urls() {
    let want = PithosLocation::new(OWNER, "images", "a/b c.diskdump");
    let forms = [
        Location::from((OWNER, "images", "a/b c.diskdump")),
        Location::from((
            OWNER.to_string(),
            "images".to_string(),
            "a/b c.diskdump".to_string(),
        )),
        Location::from([OWNER, "images", "a/b c.diskdump"]),
        Location::from(format!("pithos://{OWNER}/images/a/b c.diskdump")),
        Location::from(format!("pithos://{OWNER}/images/a/b c.diskdump").as_str()),
        Location::from(&want),
        Location::from(want.clone()),
    ];
    for f in forms {
        assert_eq!(f.resolve().unwrap(), want, "{f:?}");
    }
    assert_eq!(
        want.to_url(),
        format!("pithos://{OWNER}/images/a/b%20c.diskdump")
    );
    for bad in [
        Location::from("/images/a/b"),
        Location::from("http://x/images/a"),
        Location::from(format!("pithos://{OWNER}/images")),
        Location::from((OWNER, "", "a")),
        Location::from(("", "images", "a")),
        Location::from((OWNER, "images", "")),
    ] {
        let e = bad.resolve().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{bad:?}");
    }
}

#[tokio::test]
async fn register_with_a_triplet() {
    let (mock, c) = setup().await;
    mount_register(&mock, 1).await;
    let img = c
        .register_location(
            "Image server backup.diskdump",
            (OWNER, "images", "backups/server backup.diskdump"),
            &RegisterOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(img.id, ID);
    assert_eq!(img.name.as_deref(), Some("Image server backup.diskdump"));
    assert_eq!(
        img.location.as_deref(),
        Some(format!("pithos://{OWNER}/images/backups/server backup.diskdump").as_str())
    );
    assert_eq!(img.status, ImageStatus::Available);
    assert_eq!(img.other["future_field"], "kept");
}

#[tokio::test]
async fn register_with_a_url_sends_the_same_request() {
    let (mock, c) = setup().await;
    mount_register(&mock, 3).await;
    let url = format!("pithos://{OWNER}/images/backups/server backup.diskdump");
    let a = c
        .register_location(
            "Image server backup.diskdump",
            url.as_str(),
            &RegisterOptions::default(),
        )
        .await
        .unwrap();
    let b = c
        .register_location(
            "Image server backup.diskdump",
            (OWNER, "images", "backups/server backup.diskdump"),
            &RegisterOptions::default(),
        )
        .await
        .unwrap();
    let o = c
        .register_object(
            "Image server backup.diskdump",
            OWNER,
            "images",
            "backups/server backup.diskdump",
            &RegisterOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!((a.id.as_str(), b.id.as_str(), o.id.as_str()), (ID, ID, ID));
    let reqs = mock.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 3);
    let loc = |i: usize| reqs[i].headers.get("x-image-meta-location").cloned();
    assert_eq!(loc(0), loc(1));
    assert_eq!(loc(1), loc(2));
}

#[tokio::test]
async fn register_with_options_and_properties() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/images/")))
        .and(header("X-Image-Meta-Name", "Backup%20Snapshot"))
        .and(header(
            "X-Image-Meta-Location",
            format!("pithos://{OWNER}/snapshots/server_backup.diskdump").as_str(),
        ))
        .and(header("X-Image-Meta-Disk-Format", "diskdump"))
        .and(header("X-Image-Meta-Container-Format", "bare"))
        .and(header("X-Image-Meta-Is-Public", "False"))
        .and(header("X-Image-Meta-Property-OS", "debian"))
        .and(header("X-Image-Meta-Property-users", "root%20user"))
        .respond_with(meta_headers(
            ResponseTemplate::new(200),
            ID,
            "Backup%20Snapshot",
            &format!("pithos://{OWNER}/snapshots/server_backup.diskdump"),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = RegisterOptions {
        disk_format: Some(DiskFormat::Diskdump),
        container_format: Some(ContainerFormat::Bare),
        is_public: Some(false),
        properties: BTreeMap::from([
            ("OS".to_string(), "debian".to_string()),
            ("users".to_string(), "root user".to_string()),
        ]),
        ..Default::default()
    };
    // the tutorial's "Restore server from local snapshot image"
    let location = format!("pithos://{OWNER}/snapshots/server_backup.diskdump");
    let img = c
        .register_location("Backup Snapshot", location, &opts)
        .await
        .unwrap();
    assert_eq!(img.properties["os"], "debian");
    assert_eq!(img.properties["exclude_all_tasks"], "yes");
}

#[tokio::test]
async fn register_refuses_bad_locations_without_sending() {
    let (mock, c) = setup().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&mock)
        .await;
    let ok = RegisterOptions::default();
    for loc in [
        Location::from("/images/a.diskdump"),
        Location::from("images/a.diskdump"),
        Location::from(format!("pithos://{OWNER}/images/")),
        Location::from((OWNER, "images", "")),
    ] {
        let e = c
            .register_location("n", loc.clone(), &ok)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{loc:?}");
        assert_eq!(e.status, 0);
    }
    let e = c
        .register_location("", (OWNER, "images", "a"), &ok)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn register_an_unreadable_file_is_forbidden() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/images/")))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            serde_json::json!({"forbidden": {"code": 403, "message": "", "details": ""}}),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    let e = c
        .register_object("n", OWNER, "images", "theirs", &RegisterOptions::default())
        .await
        .unwrap_err();
    assert_eq!((e.status, e.kind), (403, ErrorKind::Http));
    assert_eq!(e.message, "Forbidden forbidden ()\n");
    assert!(e.details.is_empty());
}

#[tokio::test]
async fn get_meta_location_of_a_snapshot() {
    // the tutorial's "Snapshot server and backup": plankton.get_meta(snp['id'])['location']
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/images/{SNAP}")))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(meta_headers(
            ResponseTemplate::new(200),
            SNAP,
            "Srv%2042%20BackUp",
            &format!("pithos://{OWNER}/snapshots/Srv%2042%20BackUp"),
        ))
        .expect(2)
        .mount(&mock)
        .await;
    let meta = c.get_meta(SNAP).await.unwrap();
    let location = meta.location.clone().unwrap();
    assert_eq!(
        location,
        format!("pithos://{OWNER}/snapshots/Srv 42 BackUp")
    );
    assert_eq!(meta.is_snapshot, Some(true));
    assert_eq!(meta.size, Some(10_737_418_240));
    assert_eq!(meta.properties["exclude_all_tasks"], "yes");
    assert_eq!(meta.to_kamaki_map()["location"], location.as_str());
    // the tutorial splits it by hand; get_location does it
    let loc = c.get_location(SNAP).await.unwrap();
    assert_eq!(loc.account, OWNER);
    assert_eq!(loc.container, "snapshots");
    assert_eq!(loc.object, "Srv 42 BackUp");
}

#[tokio::test]
async fn get_location_without_a_pithos_location_is_a_decode_error() {
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/images/{ID}")))
        .respond_with(ResponseTemplate::new(200).insert_header("x-image-meta-id", ID))
        .expect(1)
        .mount(&mock)
        .await;
    let e = c.get_location(ID).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[tokio::test]
async fn get_meta_of_a_missing_image() {
    let (mock, c) = setup().await;
    Mock::given(method("HEAD"))
        .and(path(format!("{P}/images/{ID}")))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&mock)
        .await;
    let e = c.get_location(ID).await.unwrap_err();
    assert_eq!((e.status, e.is_not_found()), (404, true));
    assert_eq!(e.message, "Not Found \n");
    assert!(e.details.is_empty());
}

#[tokio::test]
async fn unregister_and_register_again_keeps_the_id() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/images/{ID}")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    mount_register(&mock, 1).await;
    c.unregister(ID).await.unwrap();
    let again = c
        .register_object(
            "Image server backup.diskdump",
            OWNER,
            "images",
            "backups/server backup.diskdump",
            &RegisterOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(again.id, ID);
}

#[tokio::test]
async fn list_update_and_members() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/images/detail")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"images": [
            {"id": ID, "name": "Debian 11 base", "status": "AVAILABLE", "disk_format": "diskdump",
             "container_format": "bare", "size": 2147483648u64,
             "location": format!("pithos://{OWNER}/images/debian-11.diskdump"),
             "is_public": true, "owner": OWNER, "is_snapshot": false,
             "properties": {"osfamily": "linux", "users": "root"}, "new": 1}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/images/{ID}")))
        .and(header("X-Image-Meta-Name", "Debian%2011"))
        .respond_with(meta_headers(
            ResponseTemplate::new(200),
            ID,
            "Debian%2011",
            &format!("pithos://{OWNER}/images/debian-11.diskdump"),
        ))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/images/{ID}/members/u%40x.org")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = ListImagesOptions {
        detail: true,
        ..Default::default()
    };
    let list = c.list_public(&opts).await.unwrap();
    assert_eq!(list[0].is_snapshot, Some(false));
    assert_eq!(list[0].extra["new"], 1);
    let loc = PithosLocation::parse(list[0].location.as_deref().unwrap()).unwrap();
    assert_eq!(loc.object, "debian-11.diskdump");
    let update = UpdateImage {
        name: Some("Debian 11".into()),
        ..Default::default()
    };
    let m = c.update_image(ID, &update).await.unwrap();
    assert_eq!(m.name.as_deref(), Some("Debian 11"));
    c.add_member(ID, "u@x.org").await.unwrap();
}
