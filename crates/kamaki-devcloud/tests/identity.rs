//! End-to-end tests of the devcloud identity API over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn token_catalog_and_user() {
    let (cloud, http) = start().await;
    let r = http
        .post_json(
            "/identity/v2.0/tokens",
            &json!({"auth": {"token": {"id": cloud.token()}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let access = &v["access"];
    assert_eq!(access["user"]["id"], cloud.user_uuid());
    assert_eq!(access["user"]["name"], "user@example.org");
    assert_eq!(access["token"]["id"], cloud.token());
    assert_eq!(access["token"]["tenant"]["id"], cloud.user_uuid());
    let cat = access["serviceCatalog"].as_array().unwrap();
    for (t, path) in [
        ("identity", "/identity/v2.0"),
        ("account", "/account/v1.0"),
        ("compute", "/compute/v2.0"),
        ("network", "/network/v2.0"),
        ("volume", "/volume/v2.0"),
        ("image", "/image/v1.0"),
        ("object-store", "/object-store/v1"),
    ] {
        let e = cat
            .iter()
            .find(|e| e["type"] == t)
            .unwrap_or_else(|| panic!("no {t}"));
        assert_eq!(
            e["endpoints"][0]["publicURL"],
            format!("{}{}", cloud.base_url(), path)
        );
        assert_eq!(e["endpoints"][0]["region"], "default");
    }
    assert!(cat
        .iter()
        .any(|e| e["name"] == "astakos_account" && e["endpoints"][0]["versionId"] == "v1.0"));
    cloud.shutdown().await;
}

#[tokio::test]
async fn bad_tokens_and_public_mode() {
    let (cloud, http) = start().await;
    let r = http
        .post_json(
            "/identity/v2.0/tokens",
            &json!({"auth": {"token": {"id": "nope"}}}),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}})
    );
    // public mode: no body
    let r = http.req("POST", "/identity/v2.0/tokens", &[], "").await;
    assert_eq!(r.status, 200);
    assert!(r.json()["access"]["serviceCatalog"].is_array());
    assert!(r.json()["access"].get("user").is_none());
    // missing credentials
    let r = http
        .post_json("/identity/v2.0/tokens", &json!({"auth": {}}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["badRequest"]["message"],
        "Malformed request: missing credentials"
    );
    // tenantName mismatch
    let r = http
        .post_json(
            "/identity/v2.0/tokens",
            &json!({"auth": {"token": {"id": cloud.token()}, "tenantName": "x"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    // password form
    let r = http
        .post_json(
            "/identity/v2.0/tokens",
            &json!({"auth": {"passwordCredentials": {"username": cloud.user_uuid(), "password": cloud.token()}, "tenantName": cloud.user_uuid()}}),
        )
        .await;
    assert_eq!(r.status, 200);
    // unknown URL
    let r = http.get("/identity/v2.0/nothing").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["badRequest"]["message"], "API endpoint not found");
    let r = http.get("/nowhere").await;
    assert_eq!(r.status, 400);
    // bad JSON
    let r = http
        .req("POST", "/identity/v2.0/tokens", &[], "{oops")
        .await;
    assert_eq!(r.status, 400);
    // service 401 shape
    let bad = http.with_token("nope");
    let r = bad.get("/compute/v2.0/servers").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["fault"]["code"], 401);
    // validate token
    let r = http
        .get(&format!("/identity/v2.0/tokens/{}", cloud.token()))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["access"]["user"]["id"], cloud.user_uuid());
    assert_eq!(http.get("/identity/v2.0/tokens/nope").await.status, 404);
    cloud.shutdown().await;
}

#[tokio::test]
async fn account_catalogs_quotas_projects() {
    let (cloud, http) = start().await;
    let friend = cloud.users()[1].clone();
    let r = http
        .post_json(
            "/account/v1.0/user_catalogs",
            &json!({"uuids": [cloud.user_uuid(), friend.uuid, "unknown"]}),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["uuid_catalog"][cloud.user_uuid()], "user@example.org");
    assert_eq!(v["uuid_catalog"][&friend.uuid], "friend@example.org");
    assert!(v["uuid_catalog"].get("unknown").is_none());
    assert_eq!(v["displayname_catalog"], json!({}));
    let r = http
        .post_json(
            "/account/v1.0/user_catalogs",
            &json!({"displaynames": ["friend@example.org"]}),
        )
        .await;
    assert_eq!(
        r.json()["displayname_catalog"]["friend@example.org"],
        friend.uuid
    );

    let r = http.get("/account/v1.0/resources").await;
    assert_eq!(r.status, 200);
    assert!(r.json()["cyclades.vm"]["description"].is_string());
    let r = http.get("/account/v1.0/quotas").await;
    assert_eq!(r.status, 200);
    assert!(
        r.json()[cloud.user_uuid()]["pithos.diskspace"]["limit"]
            .as_u64()
            .unwrap()
            > 0
    );

    let r = http
        .post_json(
            "/account/v1.0/projects",
            &json!({"name": "lab.example.org", "end_date": "2031-12-20T00:00:00+00:00",
                    "join_policy": "auto",
                    "resources": {"cyclades.vm": {"project_capacity": 4, "member_capacity": 2}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let pid = r.json()["id"].as_str().unwrap().to_string();
    assert!(r.json()["application"].is_u64());
    let r = http.get(&format!("/account/v1.0/projects/{pid}")).await;
    assert_eq!(r.json()["name"], "lab.example.org");
    assert_eq!(r.json()["state"], "active");
    let r = http.get("/account/v1.0/projects").await;
    assert!(r.json().as_array().unwrap().iter().any(|p| p["id"] == pid));
    // friend joins
    let fh = http.with_token(&friend.token);
    let r = fh
        .post_json(
            "/account/v1.0/projects/memberships",
            &json!({"join": {"project": pid}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mid = r.json()["id"].as_u64().unwrap();
    let r = fh
        .get(&format!("/account/v1.0/projects/memberships/{mid}"))
        .await;
    assert_eq!(r.json()["state"], "accepted");
    let r = fh
        .post_json(
            "/account/v1.0/projects/memberships",
            &json!({"join": {"project": pid}}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = http
        .get(&format!("/account/v1.0/projects/memberships?project={pid}"))
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = http.get("/account/v1.0/projects/nope").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        http.with_token("bad")
            .get("/account/v1.0/quotas")
            .await
            .status,
        401
    );
    cloud.shutdown().await;
}
