//! `user`, `quota`, `resource`, `project`, `membership` and the hidden
//! `endpoint`, `service`, `commission` groups against kamaki-devcloud.

use serde_json::Value;

use crate::cli::common::{stderr, stdout};
use crate::cli::dc::*;

#[tokio::test(flavor = "multi_thread")]
async fn user_commands() {
    let c = start().await;
    insta::assert_snapshot!("user_info", redact(&c.ok(&["user", "info"]).await));
    let access = c.json(&["user", "authenticate"]).await;
    assert_eq!(access["user"]["id"], USER);
    assert_eq!(access["token"]["id"], "devcloud-token-0");
    assert!(access["serviceCatalog"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["type"] == "object-store"));
    // another token, added to the configuration on request
    let out = c
        .run_with_input(&["user", "add", "--token", "devcloud-token-1"], "y\n")
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("friend@example.org"));
    assert!(c
        .env
        .read_cfg()
        .contains("token = devcloud-token-0 devcloud-token-1"));
    assert_eq!(
        c.ok(&["user", "list"]).await,
        format!("{USER} user@example.org\n{FRIEND} friend@example.org\n")
    );
    let users = c.json(&["user", "list"]).await;
    assert_eq!(users[1]["auth_token"], "devcloud-token-1");
    // select the friend and make it the default
    let out = c
        .run_with_input(&["user", "select", "--user", "friend@example.org"], "y\n")
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!(
        "Current session user is now friend@example.org ({FRIEND})"
    )));
    assert!(c
        .env
        .read_cfg()
        .contains("token = devcloud-token-1 devcloud-token-0"));
    assert!(c
        .ok(&["user", "info"])
        .await
        .starts_with(&format!("id: {FRIEND}\n")));
    let info = c.json(&["user", "info", "--uuid", USER]).await;
    assert_eq!(info["name"], "user@example.org");
    // the current user cannot be deleted, another one can
    let err = c.fails(&["user", "delete", "--user", FRIEND]).await;
    assert!(
        err.starts_with("Cannot remove the current session user"),
        "{err}"
    );
    let out = c
        .run_with_input(&["user", "delete", "--user", USER], "y\n")
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(c.env.read_cfg().contains("token = devcloud-token-1\n"));
    // user catalogs
    assert_eq!(
        c.ok(&["user", "uuid2name", USER, FRIEND]).await,
        format!("{USER}: user@example.org\n{FRIEND}: friend@example.org\n")
    );
    let names = c.json(&["user", "name2uuid", "user@example.org"]).await;
    assert_eq!(names["user@example.org"], USER);
    c.ok(&["user", "setdefaultproject", FRIEND]).await;
    let err = c.fails(&["user", "authenticate", "not-a-token"]).await;
    assert!(err.starts_with("This token was not authenticated"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn quotas_and_resources() {
    let c = start().await;
    let human = c.ok(&["quota", "list", "--resource", "pithos"]).await;
    insta::assert_snapshot!("quota_list_pithos", redact(&human));
    let bytes = c
        .ok(&["quota", "list", "--resource", "pithos", "--bytes"])
        .await;
    assert!(bytes.contains("limit: 107374182400\n"), "{bytes}");
    let json = c.json(&["quota", "list", "--project-id", USER]).await;
    assert_eq!(json.as_object().unwrap().len(), 1);
    assert!(json[USER]["cyclades.vm"]["limit"].is_number());
    let resources = c.json(&["resource", "list"]).await;
    assert_eq!(resources["cyclades.vm"]["service"], "cyclades_compute");
    insta::assert_snapshot!("resource_list", redact(&c.ok(&["resource", "list"]).await));
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_and_memberships() {
    let c = start().await;
    let created = c
        .json(&[
            "project",
            "create",
            "--name",
            "lab.example.org",
            "--end-date",
            "2031-01-01",
            "--description",
            "a lab",
            "--resource",
            "cyclades.vm=2,10",
            "--join-policy",
            "auto",
        ])
        .await;
    let pid = created["id"].as_str().unwrap().to_string();
    let list = c.ok(&["project", "list"]).await;
    assert!(
        list.contains(&format!("{pid} lab.example.org\n    description: a lab\n")),
        "{list}"
    );
    let filtered = c
        .json(&["project", "list", "--with-name", "lab.example.org"])
        .await;
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let info = c.json(&["project", "info", &pid]).await;
    assert_eq!(info["id"], pid.as_str());
    c.ok(&[
        "project",
        "modify",
        &pid,
        "--description",
        "the lab",
        "--private",
    ])
    .await;
    for action in ["suspend", "unsuspend", "terminate", "reinstate"] {
        c.ok(&["project", action, &pid, "--reason", "testing"])
            .await;
    }
    for action in ["approve", "deny", "dismiss", "cancel"] {
        c.ok(&["project", action, &pid, "--app-id", "1"]).await;
    }
    // a moderated project: requests are accepted, rejected, cancelled
    let moderated = c
        .json(&[
            "project",
            "create",
            "--name",
            "mod.example.org",
            "--end-date",
            "2031-01-01",
            "--join-policy",
            "moderated",
        ])
        .await;
    let mod_id = moderated["id"].as_str().unwrap().to_string();
    let enrolled = c
        .ok(&[
            "project",
            "enroll",
            &mod_id,
            "--email",
            "friend@example.org",
        ])
        .await;
    let enrolled = enrolled.trim().to_string();
    c.ok(&["membership", "remove", &enrolled, "--reason", "bye"])
        .await;
    let friend_cfg = c
        .env
        .read_cfg()
        .replace("devcloud-token-0", "devcloud-token-1");
    let owner_cfg = c.env.read_cfg();
    for (decision, by_owner) in [("cancel", false), ("reject", true), ("accept", true)] {
        c.env.write_cfg(&friend_cfg);
        let m = c.ok(&["project", "join", &mod_id]).await;
        let m = m.trim().to_string();
        assert_eq!(
            c.json(&["membership", "info", &m]).await["state"],
            "requested"
        );
        if by_owner {
            c.env.write_cfg(&owner_cfg);
        }
        c.ok(&["membership", decision, &m]).await;
    }
    c.env.write_cfg(&owner_cfg);
    // the friend joins and leaves
    c.env.write_cfg(
        &c.env
            .read_cfg()
            .replace("token = devcloud-token-0", "token = devcloud-token-1"),
    );
    let mid = c.ok(&["project", "join", &pid]).await;
    let mid = mid.trim().to_string();
    assert!(!mid.is_empty());
    let memberships = c.json(&["membership", "list", "--project-id", &pid]).await;
    assert!(!memberships.as_array().unwrap().is_empty());
    let m = c.json(&["membership", "info", &mid]).await;
    assert_eq!(m["project"], pid.as_str());
    c.ok(&["membership", "leave", &mid, "--reason", "done"])
        .await;
    let err = c.fails(&["membership", "info", "99999"]).await;
    assert!(err.starts_with("No membership with id 99999"), "{err}");
    let err = c.fails(&["project", "info", "no-such-project"]).await;
    assert!(
        err.starts_with("No project with id no-such-project"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hidden_groups_once_enabled() {
    let c = start().await;
    let err = c.fails(&["endpoint", "list"]).await;
    assert!(
        err.contains("kamaki config set endpoint_cli astakos"),
        "{err}"
    );
    for key in ["endpoint_cli", "service_cli", "commission_cli"] {
        c.ok(&["config", "set", key, "astakos"]).await;
    }
    let endpoints = c.ok(&["endpoint", "list", "--type", "compute"]).await;
    insta::assert_snapshot!("endpoint_list_compute", redact(&endpoints));
    let services: Value = c.json(&["service", "list"]).await;
    assert!(services.as_array().unwrap().len() >= 6);
    let name = c
        .ok(&[
            "service",
            "uuid2username",
            "--service-token",
            "devcloud-token-0",
            "--uuid",
            FRIEND,
        ])
        .await;
    assert_eq!(name, "friend@example.org\n");
    let uuids = c
        .json(&[
            "service",
            "username2uuid",
            "--service-token",
            "devcloud-token-0",
            "--username",
            "friend@example.org",
            "--username",
            "user@example.org",
        ])
        .await;
    assert_eq!(uuids["user@example.org"], USER);
    let quotas = c
        .json(&[
            "service",
            "quotas",
            "--service-token",
            "devcloud-token-0",
            "--uuid",
            USER,
        ])
        .await;
    assert!(quotas[USER].is_object(), "{quotas}");
    assert_eq!(
        c.json(&["commission", "pending"]).await,
        serde_json::json!([])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_traces_show_the_token_only_with_log_token_on() {
    let c = start().await;
    let out = c.run(&["-v", "flavor", "info", "1"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("> GET http://"), "{err}");
    assert!(err.contains("< 200 OK"), "{err}");
    assert!(!err.contains("devcloud-token-0"), "{err}");
    assert_eq!(stdout(&out), c.ok(&["flavor", "info", "1"]).await);
    let out = c
        .run(&[
            "flavor",
            "info",
            "1",
            "-v",
            "-o",
            "log_token=on",
            "-o",
            "log_data=off",
        ])
        .await;
    assert!(
        stderr(&out).contains("x-auth-token: devcloud-token-0"),
        "{}",
        stderr(&out)
    );
    // -vv adds bodies
    let out = c.run(&["-vv", "flavor", "info", "1"]).await;
    assert!(
        stderr(&out).contains("\"SNF:disk_template\""),
        "{}",
        stderr(&out)
    );
}
