#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Wiremock tests of the block storage client.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::TryStreamExt;
use kamaki_core::{ErrorKind, WaitOptions, WaitOutcome};
use kamaki_openstack::blockstorage::{
    BlockStorageClient, CreateSnapshot, CreateVolume, ListSnapshotsOptions, ListVolumesOptions,
    SnapshotStatus, UpdateSnapshot, UpdateVolume, VolumeStatus,
};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const P: &str = "/volume/v2.0";

async fn setup() -> (MockServer, BlockStorageClient) {
    let mock = MockServer::start().await;
    let client = BlockStorageClient::new(&format!("{}/volume", mock.uri()), "tok").unwrap();
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

fn volume(id: &str, status: &str) -> Value {
    json!({"id": id, "display_name": "data-disk",
           "links": [{"href": format!("https://c.example.org/volume/v2.0/volumes/{id}"), "rel": "self"}],
           "status": status, "size": 20, "display_description": "",
           "created_at": "2017-05-02T10:00:00.000000+00:00",
           "metadata": {"purpose": "db"},
           "snapshot_id": null, "source_volid": null, "image_id": null,
           "attachments": [{"server_id": 42, "volume_id": 812, "device_index": 1}],
           "volume_type": 1, "deleted": false, "delete_on_termination": true,
           "user_id": "a1b2-user", "tenant_id": "p9-project", "shared_to_project": false})
}

fn snapshot(status: &str, progress: Value) -> Value {
    json!({"id": "6b0c-snap", "display_name": "db-before-upgrade", "display_description": "",
           "size": 20, "status": status, "volume_id": "812",
           "user_id": "a1b2-user", "tenant_id": "a1b2-user",
           "os-extended-snapshot-attribute:progress": progress,
           "created_at": "2017-05-03T09:00:00.000000+00:00", "metadata": {},
           "links": [{"href": "https://c.example.org/volume/v2.0/snapshots/6b0c-snap", "rel": "self"}]})
}

#[test]
fn client_constants() {
    assert_eq!(BlockStorageClient::SERVICE_TYPE, "volume");
    assert_eq!(BlockStorageClient::DEFAULT_API_VERSION, "2.0");
    let c = BlockStorageClient::new("https://c.example.org/volume/v2", "t").unwrap();
    assert_eq!(c.endpoint().as_str(), "https://c.example.org/volume/v2");
}

// ---------------------------------------------------------------------------
// Volumes

#[tokio::test]
async fn list_volumes_brief_and_detail() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes")))
        .and(header("X-Auth-Token", "tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"volumes": [
            {"id": "812", "display_name": "data-disk", "links": []}]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/detail")))
        .and(query_param("changes-since", "2017-05-01T00:00:00Z"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volumes": [volume("812", "in_use")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let brief = c
        .list_volumes(&ListVolumesOptions::default())
        .await
        .unwrap();
    assert_eq!(brief[0].title(), Some("data-disk"));
    assert_eq!(brief[0].status, VolumeStatus::Unknown);
    let full = c
        .list_volumes(&ListVolumesOptions {
            detail: true,
            changes_since: Some("2017-05-01T00:00:00Z".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let v = &full[0];
    assert_eq!(v.status, VolumeStatus::InUse);
    assert_eq!(v.size, Some(20));
    assert_eq!(v.volume_type.as_ref().unwrap(), "1");
    assert_eq!(v.attachments[0].server_id.as_ref().unwrap(), "42");
    assert_eq!(v.attachments[0].extra["device_index"], json!(1));
    assert_eq!(v.metadata["purpose"], "db");
    assert_eq!(v.extra["shared_to_project"], json!(false));
    assert!(v.snapshot_id.is_none());
}

#[tokio::test]
async fn volumes_stream_two_pages() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/detail")))
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"volumes": [
            volume("1", "available"), volume("2", "available")]})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/detail")))
        .and(query_param("marker", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volumes": [volume("3", "creating")]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let ids: Vec<String> = c
        .volumes(ListVolumesOptions {
            detail: true,
            limit: Some(2),
            ..Default::default()
        })
        .map_ok(|v| v.id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn volumes_empty_listing() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"volumes": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let all: Vec<_> = c
        .volumes(ListVolumesOptions::default())
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
}

#[tokio::test]
async fn get_volume_and_cinder_shapes() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volume": volume("812", "deleted")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/c-uuid")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"volume": {
            "id": "c-uuid", "name": "cinder-vol", "description": "d", "status": "in-use",
            "size": 1, "volume_type": "lvmdriver-1", "bootable": "false",
            "attachments": [{"server_id": "s-uuid", "volume_id": "c-uuid", "device": "/dev/vdb",
                             "attachment_id": "a1"}],
            "metadata": {}, "os-vol-tenant-attr:tenant_id": "t1"}})))
        .expect(1)
        .mount(&mock)
        .await;
    let v = c.get_volume("812").await.unwrap();
    assert_eq!(v.status, VolumeStatus::Deleted);
    let v = c.get_volume("c-uuid").await.unwrap();
    assert_eq!(v.title(), Some("cinder-vol"));
    assert_eq!(v.status, VolumeStatus::InUseCinder);
    assert_eq!(v.volume_type.unwrap(), "lvmdriver-1");
    assert_eq!(v.attachments[0].device.as_deref(), Some("/dev/vdb"));
    assert_eq!(v.extra["bootable"], json!("false"));
}

#[tokio::test]
async fn get_volume_not_found_and_bad_id() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/9")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Volume 9 not found",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let err = c.get_volume("9").await.unwrap_err();
    assert_eq!((err.status, err.kind), (404, ErrorKind::Http));
    assert_eq!(err.message, "Not Found itemNotFound (Volume 9 not found)\n");
    assert!(err.details.is_empty());
    let err = c.get_volume("").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn create_volume_openstack_and_synnefo_bodies() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes")))
        .and(body_json(json!({"volume": {
            "size": 20, "display_name": "data-disk", "server_id": "42", "project": "p9-project"}})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"volume": {
            "id": "812", "display_name": "data-disk", "links": []}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes")))
        .and(body_json(json!({"volume": {
            "size": 10, "display_name": "from-snap", "display_description": "copy",
            "snapshot_id": "6b0c-snap", "volume_type": 1, "metadata": {"a": "b"}}})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"volume": {
            "id": "813", "display_name": "from-snap", "links": []}})))
        .expect(1)
        .mount(&mock)
        .await;
    let mut extra = serde_json::Map::new();
    extra.insert("server_id".into(), json!("42"));
    extra.insert("project".into(), json!("p9-project"));
    let v = c
        .create_volume(&CreateVolume {
            size: 20,
            display_name: Some("data-disk".into()),
            extra,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(v.id, "812");
    let v = c
        .create_volume(&CreateVolume {
            size: 10,
            display_name: Some("from-snap".into()),
            display_description: Some("copy".into()),
            snapshot_id: Some("6b0c-snap".into()),
            volume_type: Some(1u64.into()),
            metadata: Some(BTreeMap::from([("a".into(), "b".into())])),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(v.id, "813");
}

#[tokio::test]
async fn create_volume_bad_input_and_server_error() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Volume type is required",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    for bad in [
        CreateVolume::default(),
        CreateVolume {
            size: 1,
            display_name: Some(String::new()),
            ..Default::default()
        },
        CreateVolume {
            size: 1,
            snapshot_id: Some("s".into()),
            image_ref: Some("i".into()),
            ..Default::default()
        },
    ] {
        let err = c.create_volume(&bad).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad:?}");
    }
    let err = c
        .create_volume(&CreateVolume {
            size: 1,
            display_name: Some("x".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(
        err.message,
        "Bad Request badRequest (Volume type is required)\n"
    );
}

#[tokio::test]
async fn update_volume_puts_given_fields_or_just_reads() {
    let (mock, c) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/volumes/812")))
        .and(body_json(json!({"volume": {
            "display_name": "renamed", "delete_on_termination": false}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volume": volume("812", "in_use")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"volume": volume("812", "in_use")})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let v = c
        .update_volume(
            "812",
            &UpdateVolume {
                display_name: Some("renamed".into()),
                delete_on_termination: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(v.id, "812");
    let v = c
        .update_volume("812", &UpdateVolume::default())
        .await
        .unwrap();
    assert_eq!(v.status, VolumeStatus::InUse);
}

#[tokio::test]
async fn delete_volume_and_root_volume_error() {
    let (mock, c) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/volumes/1")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Cannot delete root volume",
            "detach first",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    c.delete_volume("812").await.unwrap();
    let err = c.delete_volume("1").await.unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(err.details, ["detach first"]);
}

#[tokio::test]
async fn volume_metadata_calls() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812/metadata")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"metadata": {"a": "1"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/volumes/812/metadata")))
        .and(body_json(json!({"metadata": {"b": "2"}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"metadata": {"a": "1", "b": "2"}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/volumes/812/metadata")))
        .and(body_json(json!({"metadata": {"c": "3"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"metadata": {"c": "3"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/volumes/812/metadata/c")))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(c.get_volume_metadata("812").await.unwrap()["a"], "1");
    let m = c
        .update_volume_metadata("812", &BTreeMap::from([("b".into(), "2".into())]))
        .await
        .unwrap();
    assert_eq!(m.len(), 2);
    let m = c
        .replace_volume_metadata("812", &BTreeMap::from([("c".into(), "3".into())]))
        .await
        .unwrap();
    assert_eq!(m.len(), 1);
    c.delete_volume_metadata("812", "c").await.unwrap();
    assert_eq!(
        c.delete_volume_metadata("812", "").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

// ---------------------------------------------------------------------------
// Volume waiters

fn volume_responder(status: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"volume": volume("812", status)}))
}

#[tokio::test]
async fn wait_volume_until_in_use() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(volume_responder("creating"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(volume_responder("in_use"))
        .expect(1)
        .mount(&mock)
        .await;
    let out = c
        .wait_volume_until("812", "in_use", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
    assert_eq!(out.last().unwrap().status, VolumeStatus::InUse);
}

#[tokio::test]
async fn wait_volume_while_and_default() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(volume_responder("detaching"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(volume_responder("available"))
        .mount(&mock)
        .await;
    let out = c
        .wait_volume_while("812", "detaching", &fast(5000))
        .await
        .unwrap();
    assert_eq!(out.last().unwrap().status, VolumeStatus::Available);
    let out = c.wait_volume("812").await.unwrap();
    assert!(out.reached());
}

#[tokio::test]
async fn wait_volume_times_out_with_last_state() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(volume_responder("creating"))
        .mount(&mock)
        .await;
    let out = c
        .wait_volume_until("812", "available", &fast(50))
        .await
        .unwrap();
    match out {
        WaitOutcome::TimedOut(Some(v)) => assert_eq!(v.status, VolumeStatus::Creating),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn wait_volume_deleted_treats_404_as_done() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(volume_responder("deleting"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "gone",
            "",
        )))
        .mount(&mock)
        .await;
    let out = c.wait_volume_deleted("812", &fast(5000)).await.unwrap();
    assert_eq!(out, WaitOutcome::Reached(None));
}

#[tokio::test]
async fn wait_volume_deleted_accepts_deleted_status_and_propagates_errors() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/812")))
        .respond_with(volume_responder("deleted"))
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/volumes/500")))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .mount(&mock)
        .await;
    let out = c.wait_volume_deleted("812", &fast(5000)).await.unwrap();
    assert!(out.reached());
    assert_eq!(
        out.into_last().flatten().unwrap().status,
        VolumeStatus::Deleted
    );
    let err = c.wait_volume_deleted("500", &fast(5000)).await.unwrap_err();
    assert_eq!(err.status, 500);
}

// ---------------------------------------------------------------------------
// Snapshots

#[tokio::test]
async fn list_snapshots_parses_progress_forms() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/detail")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"snapshots": [
            snapshot("AVAILABLE", json!("100%")), snapshot("CREATING", json!(0)),
            snapshot("BACKING_UP", json!(null))]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let s = c
        .list_snapshots(&ListSnapshotsOptions {
            detail: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (s[0].status.clone(), s[0].progress),
        (SnapshotStatus::Available, Some(100))
    );
    assert_eq!(
        (s[1].status.clone(), s[1].progress),
        (SnapshotStatus::Creating, Some(0))
    );
    assert_eq!(s[2].status, SnapshotStatus::Other("BACKING_UP".into()));
    assert_eq!(s[2].progress, None);
    assert_eq!(s[0].volume_id.as_ref().unwrap(), "812");
    assert_eq!(s[0].title(), Some("db-before-upgrade"));
}

#[tokio::test]
async fn snapshots_stream_two_pages_and_empty() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots")))
        .and(query_param("limit", "1"))
        .and(query_param_is_missing("marker"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"snapshots": [
            {"id": "s1", "display_name": "a"}]})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots")))
        .and(query_param("marker", "s1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"snapshots": []})))
        .expect(1)
        .mount(&mock)
        .await;
    let all: Vec<_> = c
        .snapshots(ListSnapshotsOptions {
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn snapshots_disabled_deployment() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots")))
        .respond_with(ResponseTemplate::new(501).set_body_json(fault(
            "notImplemented",
            501,
            "Snapshots disabled",
            "",
        )))
        .mount(&mock)
        .await;
    let err = c
        .list_snapshots(&ListSnapshotsOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status, 501);
    assert_eq!(
        err.message,
        "Not Implemented notImplemented (Snapshots disabled)\n"
    );
}

#[tokio::test]
async fn create_get_update_delete_snapshot() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .and(body_json(
            json!({"snapshot": {"volume_id": "812", "display_name": "db-before-upgrade"}}),
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({
            "snapshot": snapshot("CREATING", json!(0))})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .and(body_json(
            json!({"snapshot": {"volume_id": "813", "force": true,
                                            "display_description": "d", "metadata": {"k": "v"}}}),
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({
            "snapshot": snapshot("CREATING", json!(0))})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/6b0c-snap")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "snapshot": snapshot("AVAILABLE", json!("100%"))})))
        .expect(2)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/snapshots/6b0c-snap")))
        .and(body_json(json!({"snapshot": {"display_name": "renamed"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "snapshot": snapshot("AVAILABLE", json!("100%"))})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/snapshots/6b0c-snap")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&mock)
        .await;
    let s = c
        .create_snapshot(&CreateSnapshot {
            volume_id: "812".into(),
            display_name: Some("db-before-upgrade".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.status, SnapshotStatus::Creating);
    c.create_snapshot(&CreateSnapshot {
        volume_id: "813".into(),
        force: Some(true),
        display_description: Some("d".into()),
        metadata: Some(BTreeMap::from([("k".into(), "v".into())])),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(
        c.get_snapshot("6b0c-snap").await.unwrap().progress,
        Some(100)
    );
    c.update_snapshot(
        "6b0c-snap",
        &UpdateSnapshot {
            display_name: Some("renamed".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // nothing to change: a GET, no PUT
    c.update_snapshot("6b0c-snap", &UpdateSnapshot::default())
        .await
        .unwrap();
    c.delete_snapshot("6b0c-snap").await.unwrap();
    let err = c
        .create_snapshot(&CreateSnapshot::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn create_snapshot_of_detached_volume_fails() {
    let (mock, c) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots")))
        .respond_with(ResponseTemplate::new(400).set_body_json(fault(
            "badRequest",
            400,
            "Cannot snapshot a detached volume",
            "",
        )))
        .mount(&mock)
        .await;
    let err = c
        .create_snapshot(&CreateSnapshot {
            volume_id: "812".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(err.fault_name.as_deref(), Some("badRequest"));
}

#[tokio::test]
async fn snapshot_metadata_calls() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/s1/metadata")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"metadata": {"a": "1"}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{P}/snapshots/s1/metadata")))
        .and(body_json(json!({"metadata": {"b": "2"}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"metadata": {"a": "1", "b": "2"}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{P}/snapshots/s1/metadata")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"metadata": {}})))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{P}/snapshots/s1/metadata/a")))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(c.get_snapshot_metadata("s1").await.unwrap().len(), 1);
    assert_eq!(
        c.update_snapshot_metadata("s1", &BTreeMap::from([("b".into(), "2".into())]))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(c
        .replace_snapshot_metadata("s1", &BTreeMap::new())
        .await
        .unwrap()
        .is_empty());
    c.delete_snapshot_metadata("s1", "a").await.unwrap();
}

#[tokio::test]
async fn wait_snapshot_available_or_failed() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/6b0c-snap")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "snapshot": snapshot("CREATING", json!(0))})))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/6b0c-snap")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "snapshot": snapshot("AVAILABLE", json!("100%"))})))
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/snapshots/bad")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "snapshot": snapshot("ERROR", json!(0))})))
        .mount(&mock)
        .await;
    let out = c
        .wait_snapshot_until("6b0c-snap", "AVAILABLE", &fast(5000))
        .await
        .unwrap();
    assert!(out.reached());
    let out = c
        .wait_snapshot_until("bad", "AVAILABLE", &fast(5000))
        .await
        .unwrap();
    assert!(matches!(out, WaitOutcome::Failed(ref s) if s.status == SnapshotStatus::Error));
}

// ---------------------------------------------------------------------------
// Volume types

#[tokio::test]
async fn volume_types() {
    let (mock, c) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{P}/types")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"volume_types": [
            {"id": 1, "name": "ext_archipelago", "deleted": false,
             "SNF:disk_template": "ext_archipelago", "SNF:detachable": true},
            {"id": "lvm-uuid", "name": "lvmdriver-1", "extra_specs": {"volume_backend_name": "lvm"}}]})))
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
    Mock::given(method("GET"))
        .and(path(format!("{P}/types/7")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fault(
            "itemNotFound",
            404,
            "Volume type 7 not found",
            "",
        )))
        .expect(1)
        .mount(&mock)
        .await;
    let types = c.list_volume_types().await.unwrap();
    assert_eq!(types[0].extra["SNF:detachable"], json!(true));
    assert_eq!(types[1].extra_specs["volume_backend_name"], json!("lvm"));
    let t = c.get_volume_type("1").await.unwrap();
    assert_eq!(
        (t.name.as_str(), t.deleted),
        ("ext_archipelago", Some(false))
    );
    assert!(c.get_volume_type("7").await.unwrap_err().is_not_found());
    assert_eq!(
        c.get_volume_type("").await.unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}
