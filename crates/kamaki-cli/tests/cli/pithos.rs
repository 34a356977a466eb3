//! Pithos and account commands against fake services.

use serde_json::{json, Value};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli::common::*;

async fn cloud() -> (MockServer, Env) {
    let server = MockServer::start().await;
    identity(&server, "tok", UUID, "maria").await;
    let env = Env::new();
    env.with_cloud(&server, "tok");
    (server, env)
}

#[tokio::test(flavor = "multi_thread")]
async fn container_list_layout() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path(format!("/object-store/v1/{UUID}")))
        .and(query_param("format", "json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "pithos", "count": 118, "bytes": 3_435_973_837u64, "last_modified": "2018-02-08T10:12:44.518332+00:00"},
            {"name": "trash", "count": 0, "bytes": 0, "last_modified": "2018-02-08T10:12:44.518332+00:00"}])))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["container", "list"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "pithos (3.2GiB, 118 objects)\ntrash (0B, 0 objects)\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn file_list_layout() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path(format!("/object-store/v1/{UUID}/pithos")))
        .and(query_param("prefix", "docs/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "docs/", "bytes": 0, "hash": "", "content_type": "application/directory",
             "last_modified": "2018-02-08T10:12:44.518332+00:00"},
            {"name": "docs/report.pdf", "bytes": 1_468_006, "hash": "abc", "content_type": "application/pdf",
             "last_modified": "2018-02-08T10:12:44.518332+00:00"}])))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["file", "list", "/pithos/docs"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "        D docs/\n   1.4MiB docs/report.pdf\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_container_is_explained() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path(format!("/object-store/v1/{UUID}/backups")))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["file", "list", "/backups"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "Container \"backups\" does not exist\n|  To list containers\n|    kamaki container list\n|  404 Not Found\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quota_list_humanises_sizes() {
    let (server, env) = cloud().await;
    Mock::given(method("GET"))
        .and(path("/account/v1.0/quotas"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({UUID: {
            "cyclades.vm": {"limit": 2, "usage": 1, "pending": 0, "project_limit": 2, "project_usage": 1, "project_pending": 0},
            "pithos.diskspace": {"limit": 21_474_836_480u64, "usage": 1024, "pending": 0,
                                 "project_limit": 21_474_836_480u64, "project_usage": 1024, "project_pending": 0}}})))
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["quota", "list", "--resource", "pithos"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "{UUID}:\n    pithos.diskspace:\n        limit: 20GiB\n        usage: 1KiB\n"
        )),
        "{text}"
    );
    assert!(!text.contains("cyclades.vm"));
    let mut cmd = env.kamaki();
    cmd.args(["quota", "list", "--output-format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&run(cmd).await)).unwrap();
    assert_eq!(
        v[UUID]["pithos.diskspace"]["limit"].as_u64(),
        Some(21_474_836_480)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn user_uuid2name_uses_user_catalogs() {
    let (server, env) = cloud().await;
    Mock::given(method("POST"))
        .and(path("/account/v1.0/user_catalogs"))
        .and(body_json(json!({"uuids": [UUID, "nobody"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "uuid_catalog": {UUID: "maria@lab.example.org"}, "displayname_catalog": {}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["user", "uuid2name", UUID, "nobody"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{UUID}: maria@lab.example.org\n"));
    assert!(stderr(&out).contains("Unresolved uuids: nobody"));
}

#[tokio::test(flavor = "multi_thread")]
async fn commissions_with_the_hidden_group() {
    let (server, env) = cloud().await;
    env.write_cfg(
        &env.read_cfg()
            .replace("[global]\n", "[global]\ncommission_cli = astakos\n"),
    );
    Mock::given(method("GET"))
        .and(path("/account/v1.0/commissions/17"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "serial": 17, "issue_time": "2018-02-08T10:12:44.518332+00:00", "name": "vm",
            "provisions": [{"holder": format!("user:{UUID}"), "source": format!("project:{UUID}"),
                            "resource": "cyclades.vm", "quantity": 1}]})))
        .mount(&server)
        .await;
    for action in ["accept", "reject"] {
        Mock::given(method("POST"))
            .and(path("/account/v1.0/commissions/17/action"))
            .and(body_json(json!({ action: "" })))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/account/v1.0/commissions/action"))
        .and(body_json(json!({"accept": [1, 2], "reject": [3]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accepted": [1, 2], "rejected": [3], "failed": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/account/v1.0/commissions"))
        .and(body_json(json!({
            "name": "two vms", "force": true, "auto_accept": false,
            "provisions": [
                {"holder": format!("user:{UUID}"), "source": "project:p-1", "resource": "cyclades.vm", "quantity": 2},
                {"holder": "project:p-1", "source": null, "resource": "cyclades.vm", "quantity": 2}
            ]})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"serial": 18})))
        .expect(1)
        .mount(&server)
        .await;
    let mut cmd = env.kamaki();
    cmd.args(["commission", "info", "17"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("serial: 17\n"), "{}", stdout(&out));
    for action in ["accept", "reject"] {
        let mut cmd = env.kamaki();
        cmd.args(["commission", action, "17"]);
        let out = run(cmd).await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
    }
    let mut cmd = env.kamaki();
    cmd.args(["commission", "resolve", "--accept", "1,2", "--reject", "3"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "accepted:\n    1\n    2\nrejected:\n    3\nfailed:\n"
    );
    let provisions = env.dir.path().join("provisions.json");
    std::fs::write(&provisions, r#"{"cyclades.vm": 2}"#).unwrap();
    let mut cmd = env.kamaki();
    cmd.args([
        "commission",
        "issue",
        "--uuid",
        UUID,
        "--source",
        "p-1",
        "--provisions-file",
        provisions.to_str().unwrap(),
        "--description",
        "two vms",
        "--force",
    ]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "18\n");
    let mut cmd = env.kamaki();
    cmd.args(["commission", "info", "x"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "Invalid commission serial x\n");
}
