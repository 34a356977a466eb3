//! Cyclades block storage against wiremock: volumes for servers and
//! projects, reassignment, snapshots, volume types and waiters.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kamaki_core::{ErrorKind, WaitOptions, WaitOutcome};
use kamaki_openstack::blockstorage::{
    BlockStorageClient, ListSnapshotsOptions, ListVolumesOptions, SnapshotStatus, UpdateVolume,
    VolumeStatus,
};
use kamaki_synnefo::cyclades::{CreateVolumeOptions, CycladesBlockStorageClient, SnapshotOptions};
use serde_json::{json, Value};
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const P: &str = "/volume/v2.0";

async fn setup() -> (MockServer, CycladesBlockStorageClient) {
    let mock = MockServer::start().await;
    let client = CycladesBlockStorageClient::new(&format!("{}/volume", mock.uri()), "tok").unwrap();
    (mock, client)
}

fn fast(max_ms: u64) -> WaitOptions {
    WaitOptions {
        delay: Duration::from_millis(10),
        max_wait: Duration::from_millis(max_ms),
    }
}

fn fault(name: &str, code: u16, message: &str, details: &str) -> Value {
    json!({ name: {"code": code, "message": message, "details": details} })
}

fn brief_volume() -> Value {
    json!({"volume": {"id": "812", "display_name": "data-disk",
        "links": [{"href": "https://c.example.org/volume/v2.0/volumes/812", "rel": "self"}]}})
}

fn volume_json(status: &str) -> Value {
    json!({"id": "812", "display_name": "data-disk",
        "links": [{"href": "https://c.example.org/volume/v2.0/volumes/812", "rel": "self"}],
        "status": status, "size": 20, "display_description": "",
        "created_at": "2017-05-02T10:00:00.000000+00:00",
        "metadata": {"purpose": "db"},
        "snapshot_id": null, "source_volid": null, "image_id": null,
        "attachments": [{"server_id": 42, "volume_id": 812, "device_index": 1}],
        "volume_type": 1, "deleted": false, "delete_on_termination": true,
        "user_id": "a1b2-user", "tenant_id": "p9-project", "shared_to_project": false})
}

fn snapshot_json(status: &str, progress: Value) -> Value {
    json!({"id": "6b0c1d2e-aaaa-4bbb-8ccc-0123456789ab", "display_name": "Srv 42 BackUp",
        "display_description": "", "size": 20, "status": status, "volume_id": "812",
        "user_id": "a1b2-user", "tenant_id": "a1b2-user",
        "os-extended-snapshot-attribute:progress": progress,
        "created_at": "2017-05-03T09:00:00.000000+00:00", "metadata": {},
        "links": [{"href": "https://c.example.org/volume/v2.0/snapshots/6b0c1d2e", "rel": "self"}]})
}

// ---------------------------------------------------------------------------
// Client

#[test]
fn constants_and_endpoint() {
    assert_eq!(CycladesBlockStorageClient::SERVICE_TYPE, "volume");
    assert_eq!(CycladesBlockStorageClient::DEFAULT_API_VERSION, "2.0");
    let c = CycladesBlockStorageClient::new("https://c.example.org/volume/v2", "t").unwrap();
    assert_eq!(c.endpoint().as_str(), "https://c.example.org/volume/v2");
    assert_eq!(c.blockstorage().endpoint(), c.endpoint());
    let shared =
        CycladesBlockStorageClient::with_http("https://x.org/volume", c.http().clone()).unwrap();
    assert_eq!(shared.endpoint().as_str(), "https://x.org/volume/v2.0");
    let from: CycladesBlockStorageClient = BlockStorageClient::new("https://y.org/volume", "t")
        .unwrap()
        .into();
    assert_eq!(from.endpoint().as_str(), "https://y.org/volume/v2.0");
}

// ---------------------------------------------------------------------------
// Volumes

#[tokio::test]
async fn create_volume_for_a_server_and_project() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes")))
        .and(header("X-Auth-Token", "tok"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(
            json!({"volume": {"size": 20, "display_name": "data-disk",
            "server_id": "42", "project": "p9-project"}}),
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(brief_volume()))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = CreateVolumeOptions {
        server_id: Some("42".into()),
        project: Some("p9-project".into()),
        ..Default::default()
    };
    let v = c.create_volume(20, "data-disk", &opts).await.unwrap();
    assert_eq!(v.id, "812");
    assert_eq!(v.display_name.as_deref(), Some("data-disk"));
    assert_eq!(
        v.status,
        VolumeStatus::Unknown,
        "the brief form has no status"
    );
}

#[tokio::test]
async fn create_detached_volume_from_a_snapshot() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes")))
        .and(body_json(
            json!({"volume": {"size": 40, "display_name": "restored",
            "display_description": "from backup", "snapshot_id": "6b0c", "volume_type": 1,
            "metadata": {"k": "v"}, "shared_to_project": true}}),
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(brief_volume()))
        .expect(1)
        .mount(&mock)
        .await;
    let opts = CreateVolumeOptions {
        display_description: Some("from backup".into()),
        snapshot_id: Some("6b0c".into()),
        volume_type: Some(1u64.into()),
        metadata: Some(BTreeMap::from([("k".into(), "v".into())])),
        shared_to_project: Some(true),
        ..Default::default()
    };
    c.create_volume(40, "restored", &opts).await.unwrap();
}

#[tokio::test]
async fn create_volume_bad_input_sends_nothing() {
    let (mock, c) = setup().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(202))
        .expect(0)
        .mount(&mock)
        .await;
    let none = CreateVolumeOptions::default();
    for (size, name) in [(0, "d"), (1, ""), (1, "  ")] {
        let e = c.create_volume(size, name, &none).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{size} {name:?}");
    }
    let two_sources = CreateVolumeOptions {
        snapshot_id: Some("s".into()),
        image_ref: Some("i".into()),
        ..Default::default()
    };
    let e = c.create_volume(1, "d", &two_sources).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    let empty_server = CreateVolumeOptions {
        server_id: Some(String::new()),
        ..Default::default()
    };
    let e = c.create_volume(1, "d", &empty_server).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn create_volume_over_quota() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes")))
        .respond_with(ResponseTemplate::new(413).set_body_json(fault(
            "overLimit",
            413,
            "Resource Limit Exceeded for your account.",
            "Limit for resource 'Disk size' exceeded for your account. Available: 10 GiB, Requested: 20 GiB",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c
        .create_volume(20, "d", &CreateVolumeOptions::default())
        .await
        .unwrap_err();
    assert_eq!((err.status, err.kind), (413, ErrorKind::Http));
    assert_eq!(err.fault_name.as_deref(), Some("overLimit"));
    assert_eq!(err.details.len(), 1);
    assert!(err.details[0].starts_with("Limit for resource 'Disk size'"));
}

#[tokio::test]
async fn volume_details_and_listing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volume": volume_json("in_use")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/detail")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"volumes": [volume_json("available")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let v = c.get_volume_details("812").await.unwrap();
    assert_eq!(v.status, VolumeStatus::InUse);
    assert_eq!(v.size, Some(20));
    assert_eq!(v.attachments[0].server_id.as_ref().unwrap(), "42");
    assert_eq!(v.volume_type.as_ref().unwrap(), "1");
    assert_eq!(v.tenant_id.as_deref(), Some("p9-project"));
    assert_eq!(v.extra["shared_to_project"], false);
    let opts = ListVolumesOptions {
        detail: true,
        ..Default::default()
    };
    assert_eq!(
        c.list_volumes(&opts).await.unwrap()[0].status,
        VolumeStatus::Available
    );
}

#[tokio::test]
async fn update_and_delete_volume() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/volumes/812")))
        .and(body_json(json!({"volume": {"display_name": "db-disk"}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volume": volume_json("in_use")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let update = UpdateVolume {
        display_name: Some("db-disk".into()),
        ..Default::default()
    };
    c.update_volume("812", &update).await.unwrap();
    c.delete_volume("812").await.unwrap();
}

#[tokio::test]
async fn reassign_volume() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes/812/action")))
        .and(header("X-Auth-Token", "tok"))
        .and(body_json(json!({"reassign": {"project": "p10-project"}})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&mock)
        .await;
    c.reassign_volume("812", "p10-project").await.unwrap();
}

#[tokio::test]
async fn reassign_volume_not_owned_is_forbidden() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes/812/action")))
        .respond_with(ResponseTemplate::new(403).set_body_json(fault(
            "forbidden",
            403,
            "Action 'reassign' is allowed only to the owner of the volume.",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.reassign_volume("812", "p10").await.unwrap_err();
    assert_eq!(err.status, 403);
    assert_eq!(
        err.message,
        "Forbidden forbidden (Action 'reassign' is allowed only to the owner of the volume.)\n"
    );
    assert_eq!(
        c.reassign_volume("812", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn volume_metadata() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes/812/metadata")))
        .and(body_json(json!({"metadata": {"purpose": "db"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"metadata": {"purpose": "db", "a": "b"}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812/metadata")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"metadata": {"purpose": "db", "a": "b"}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let all = c
        .update_volume_metadata("812", &BTreeMap::from([("purpose".into(), "db".into())]))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(c.get_volume_metadata("812").await.unwrap()["a"], "b");
}

/// Answers volume polls with the given statuses in turn ("404" = gone).
struct VolumeStatuses(Vec<&'static str>, Arc<AtomicUsize>);

impl Respond for VolumeStatuses {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.1.fetch_add(1, Ordering::SeqCst);
        let s = self.0[i.min(self.0.len() - 1)];
        if s == "404" {
            return ResponseTemplate::new(404).set_body_json(fault(
                "itemNotFound",
                404,
                "Volume 812 not found",
                "",
            ));
        }
        ResponseTemplate::new(200).set_body_json(json!({"volume": volume_json(s)}))
    }
}

async fn mount_volume_statuses(mock: &MockServer, seq: Vec<&'static str>) {
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(VolumeStatuses(seq, Arc::new(AtomicUsize::new(0))))
        .mount(mock)
        .await;
}

#[tokio::test]
async fn wait_volume_until_in_use() {
    let (mock, c) = setup().await;
    mount_volume_statuses(&mock, vec!["creating", "creating", "in_use"]).await;
    let out = c
        .wait_volume_until("812", "in_use", &fast(5000))
        .await
        .unwrap();
    assert!(matches!(out, WaitOutcome::Reached(ref v) if v.status == VolumeStatus::InUse));
}

#[tokio::test]
async fn wait_volume_while_detaching_times_out_with_last_state() {
    let (mock, c) = setup().await;
    mount_volume_statuses(&mock, vec!["detaching"]).await;
    let out = c
        .wait_volume_while("812", "detaching", &fast(40))
        .await
        .unwrap();
    assert!(
        matches!(out, WaitOutcome::TimedOut(Some(ref v)) if v.status == VolumeStatus::Detaching)
    );
}

#[tokio::test]
async fn wait_volume_deleted_treats_404_as_done() {
    let (mock, c) = setup().await;
    mount_volume_statuses(&mock, vec!["deleting", "404"]).await;
    let out = c.wait_volume_deleted("812", &fast(5000)).await.unwrap();
    assert_eq!(out, WaitOutcome::Reached(None));
}

// ---------------------------------------------------------------------------
// Snapshots

#[tokio::test]
async fn create_snapshot_sends_volume_and_name_without_force() {
    // the tutorial's "Snapshot server and backup"
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .and(header("Content-Type", "application/json"))
        .and(body_json(
            json!({"snapshot": {"volume_id": "812", "display_name": "Srv 42 BackUp"}}),
        ))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"snapshot": snapshot_json("CREATING", json!(0))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let snp = c.create_snapshot("812", "Srv 42 BackUp").await.unwrap();
    assert_eq!(snp.id, "6b0c1d2e-aaaa-4bbb-8ccc-0123456789ab");
    assert_eq!(snp.status, SnapshotStatus::Creating);
    assert_eq!(snp.progress, Some(0));
    assert_eq!(snp.volume_id.as_ref().unwrap(), "812");
}

#[tokio::test]
async fn create_snapshot_without_a_name_lets_synnefo_pick() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .and(body_json(json!({"snapshot": {"volume_id": "812"}})))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"snapshot": snapshot_json("CREATING", json!(0))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    c.create_snapshot("812", "").await.unwrap();
}

#[tokio::test]
async fn create_snapshot_with_description_and_metadata() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .and(body_json(json!({"snapshot": {"volume_id": "812",
            "display_name": "db-before-upgrade", "display_description": "weekly",
            "metadata": {"kind": "db"}}})))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"snapshot": snapshot_json("CREATING", json!(0))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let opts = SnapshotOptions {
        display_name: Some("db-before-upgrade".into()),
        display_description: Some("weekly".into()),
        metadata: Some(BTreeMap::from([("kind".into(), "db".into())])),
    };
    c.create_snapshot_with("812", &opts).await.unwrap();
}

#[tokio::test]
async fn create_snapshot_of_a_detached_volume_is_refused() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Cannot snapshot volume '812': volume is not attached to a server",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.create_snapshot("812", "x").await.unwrap_err();
    assert_eq!((err.status, err.kind), (400, ErrorKind::Http));
    assert!(err
        .message
        .starts_with("Bad Request badRequest (Cannot snapshot"));
    let err = c.create_snapshot("", "x").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn snapshots_disabled_is_501() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .respond_with(ResponseTemplate::new(501).set_body_json(fault(
            "notImplemented",
            501,
            "Snapshots disabled",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.create_snapshot("812", "x").await.unwrap_err();
    assert_eq!(err.status, 501);
    assert_eq!(err.fault_name.as_deref(), Some("notImplemented"));
}

#[tokio::test]
async fn snapshot_details_listing_and_deletion() {
    let (mock, c) = setup().await;
    let id = "6b0c1d2e-aaaa-4bbb-8ccc-0123456789ab";
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/{id}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"snapshot": snapshot_json("AVAILABLE", json!("100%"))})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/detail")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"snapshots": [
            snapshot_json("AVAILABLE", json!("100%")), snapshot_json("CREATING", json!(0))]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/snapshots/{id}")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let s = c.get_snapshot_details(id).await.unwrap();
    assert_eq!(s.status, SnapshotStatus::Available);
    assert_eq!(s.progress, Some(100));
    assert_eq!(s.size, Some(20));
    let opts = ListSnapshotsOptions {
        detail: true,
        ..Default::default()
    };
    let list = c.list_snapshots(&opts).await.unwrap();
    assert_eq!(list[1].status, SnapshotStatus::Creating);
    c.delete_snapshot(id).await.unwrap();
}

#[tokio::test]
async fn wait_snapshot_until_available() {
    let (mock, c) = setup().await;
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/6b0c")))
        .respond_with(move |_: &Request| {
            let (status, progress) = if n2.fetch_add(1, Ordering::SeqCst) < 2 {
                ("CREATING", json!(0))
            } else {
                ("AVAILABLE", json!("100%"))
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({"snapshot": snapshot_json(status, progress)}))
        })
        .mount(&mock)
        .await;
    let out = c
        .wait_snapshot_until("6b0c", "AVAILABLE", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
    assert_eq!(n.load(Ordering::SeqCst), 3);
}

// ---------------------------------------------------------------------------
// Types

#[tokio::test]
async fn volume_types_keep_synnefo_fields() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/types")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volume_types": [
            {"id": 1, "name": "ext_archipelago", "deleted": false,
             "SNF:disk_template": "ext_archipelago", "SNF:detachable": true},
            {"id": 2, "name": "drbd", "deleted": false,
             "SNF:disk_template": "drbd", "SNF:detachable": false}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/types/1")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volume_type":
            {"id": 1, "name": "ext_archipelago", "deleted": false,
             "SNF:disk_template": "ext_archipelago", "SNF:detachable": true}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let types = c.list_volume_types().await.unwrap();
    assert_eq!(types.len(), 2);
    assert_eq!(types[1].extra["SNF:detachable"], false);
    let t = c.get_volume_type_details("1").await.unwrap();
    assert_eq!((t.id.as_str(), t.name.as_str()), ("1", "ext_archipelago"));
    assert_eq!(t.deleted, Some(false));
}
