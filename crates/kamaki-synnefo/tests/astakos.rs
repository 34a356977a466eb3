//! Astakos identity and account calls against wiremock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use kamaki_core::{ErrorKind, Token};
use kamaki_synnefo::astakos::{
    AstakosClient, CachedAstakosClient, ProjectFilters, ProjectSpecs, ResourceCapacity,
};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const UUID: &str = "8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa";
const UUID2: &str = "0d9c7f42-11aa-4c3e-9f00-5e6d7c8b9a01";
const PROJECT: &str = "f0c4d7e2-3a55-4e0b-8d63-1b2c9a7e4410";

fn access(base: &str, token: &str, uuid: &str, name: &str) -> Value {
    json!({"access": {
        "token": {"id": token, "expires": "2031-03-04T09:12:44.812113+00:00",
                  "tenant": {"id": uuid, "name": name}},
        "user": {"id": uuid, "name": name, "roles": [{"id": "1", "name": "default"}],
                 "roles_links": [], "projects": [uuid, PROJECT]},
        "serviceCatalog": [
            {"name": "astakos_account", "type": "account", "endpoints_links": [],
             "endpoints": [{"versionId": "v1.0", "region": "default",
                            "publicURL": format!("{base}/account/v1.0"), "SNF:uiURL": format!("{base}/ui")}]},
            {"name": "astakos_identity", "type": "identity", "endpoints_links": [],
             "endpoints": [{"versionId": "v2.0", "region": "default",
                            "publicURL": format!("{base}/identity/v2.0"), "SNF:uiURL": format!("{base}/ui")}]},
            {"name": "cyclades_compute", "type": "compute", "endpoints_links": [],
             "endpoints": [{"versionId": "v2.0", "region": "default",
                            "publicURL": format!("{base}/cyclades/compute/v2.0"), "SNF:uiURL": format!("{base}/cyclades/ui")}]},
            {"name": "pithos_object-store", "type": "object-store", "endpoints_links": [],
             "endpoints": [{"versionId": "v1", "region": "default",
                            "publicURL": format!("{base}/pithos/object-store/v1"), "SNF:uiURL": format!("{base}/pithos/ui")}]}
        ],
        "future_field": {"x": 1}
    }})
}

/// A mock Astakos that accepts `token` (user UUID) once per authentication.
async fn astakos(token: &str) -> (MockServer, AstakosClient) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_json(json!({"auth": {"token": {"id": token}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(
            &server.uri(),
            token,
            UUID,
            "Ada Lovelace",
        )))
        .mount(&server)
        .await;
    let client = AstakosClient::new(&format!("{}/identity/v2.0", server.uri()), token).unwrap();
    (server, client)
}

async fn mount(server: &MockServer, m: &str, p: &str, status: u16, body: Value) {
    Mock::given(method(m))
        .and(path(p))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn authenticates_once_and_finds_endpoints() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"auth": {"token": {"id": "tok-1"}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(
            &server.uri(),
            "tok-1",
            UUID,
            "Ada Lovelace",
        )))
        .expect(1)
        .mount(&server)
        .await;
    // the version is appended to an unversioned URL
    let astakos = AstakosClient::new(&format!("{}/identity", server.uri()), "tok-1").unwrap();
    assert_eq!(
        astakos.auth_url(),
        format!("{}/identity/v2.0", server.uri())
    );
    let compute = astakos.get_endpoint_url("compute").await.unwrap();
    assert_eq!(compute, format!("{}/cyclades/compute/v2.0", server.uri()));
    let pithos = astakos.get_endpoint_url("object-store").await.unwrap();
    assert_eq!(pithos, format!("{}/pithos/object-store/v1", server.uri()));
    assert_eq!(astakos.user_info().await.unwrap().id, UUID);
    assert_eq!(
        astakos.user_info().await.unwrap().projects,
        vec![UUID.to_string(), PROJECT.to_string()]
    );
    let ep = astakos
        .get_service_endpoints("compute", Some("v2.0"))
        .await
        .unwrap();
    assert_eq!(
        ep.extra["SNF:uiURL"],
        format!("{}/cyclades/ui", server.uri())
    );
    assert_eq!(
        astakos
            .get_endpoint_url_version("compute", "2.0")
            .await
            .unwrap(),
        compute
    );
}

#[tokio::test]
async fn missing_service_is_catalog_error() {
    let (_server, astakos) = astakos("tok").await;
    let err = astakos.get_endpoint_url("image").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Catalog);
    assert_eq!(err.status, 0);
    assert_eq!(err.message, "Service type \"image\" not in service catalog");
    assert!(err.details[0].contains("compute"));
}

#[tokio::test]
async fn bad_token_gives_kamaki_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let astakos =
        AstakosClient::new(&format!("{}/identity/v2.0", server.uri()), "bad-token").unwrap();
    let err = astakos.user_info().await.unwrap_err();
    assert_eq!(err.message, "Unauthorized unauthorized (Invalid token)\n");
    assert_eq!(err.status, 401);
    assert!(err.details.is_empty());
}

#[tokio::test]
async fn empty_token_is_refused_before_sending() {
    let err = AstakosClient::new("https://accounts.example.org/identity/v2.0", "").unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn user_term_and_default_project() {
    let (_server, astakos) = astakos("tok").await;
    assert_eq!(
        astakos.user_term("name").await.unwrap(),
        Some(json!("Ada Lovelace"))
    );
    assert_eq!(
        astakos.user_term("default_project").await.unwrap(),
        Some(json!(UUID))
    );
    assert_eq!(astakos.user_term("nope").await.unwrap(), None);
}

#[tokio::test]
async fn public_endpoints_and_token_validation() {
    let (server, astakos) = astakos("tok").await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_string(""))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access": {"serviceCatalog": access(&server.uri(), "x", UUID, "n")["access"]["serviceCatalog"]}}),
        ))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    let catalog = astakos.get_endpoints().await.unwrap();
    assert_eq!(
        catalog.service_types(),
        ["account", "identity", "compute", "object-store"]
    );

    Mock::given(method("GET"))
        .and(path("/identity/v2.0/tokens/oauth-tok"))
        .and(query_param("belongsTo", "scope1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access": {"token": {"id": "oauth-tok", "expires": "x"}, "user": {"id": UUID}}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let v = astakos
        .validate_token("oauth-tok", Some("scope1"))
        .await
        .unwrap();
    assert_eq!(v["access"]["user"]["id"], UUID);
}

#[tokio::test]
async fn user_catalog_lookups() {
    let (server, astakos) = astakos("tok").await;
    Mock::given(method("POST"))
        .and(path("/account/v1.0/user_catalogs"))
        .and(body_json(json!({"uuids": [UUID, "unknown"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"uuid_catalog": {UUID: "ada@example.org"}, "displayname_catalog": {}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let names = astakos
        .get_usernames(&[UUID.to_string(), "unknown".to_string()])
        .await
        .unwrap();
    assert_eq!(names.get(UUID).map(String::as_str), Some("ada@example.org"));
    assert!(!names.contains_key("unknown"));

    Mock::given(method("POST"))
        .and(path("/account/v1.0/user_catalogs"))
        .and(body_json(json!({"displaynames": ["ghost@example.org"]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"uuid_catalog": {}, "displayname_catalog": {}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = astakos.get_uuid("ghost@example.org").await.unwrap_err();
    assert_eq!(err.message, "No uuid for the given display name");
    assert_eq!(err.status, 0);

    Mock::given(method("POST"))
        .and(path("/account/v1.0/service/user_catalogs"))
        .and(body_json(json!({"displaynames": ["ada@example.org"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"uuid_catalog": {}, "displayname_catalog": {"ada@example.org": UUID}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let uuids = astakos
        .service_get_uuids(&["ada@example.org".to_string()])
        .await
        .unwrap();
    assert_eq!(uuids["ada@example.org"], UUID);
}

#[tokio::test]
async fn resources_and_quotas() {
    let (server, astakos) = astakos("tok").await;
    mount(&server, "GET", "/account/v1.0/resources", 200, json!({
        "cyclades.vm": {"service": "cyclades_compute", "description": "Number of virtual machines",
                        "unit": null, "ui_visible": true, "api_visible": true, "allow_in_projects": true},
        "cyclades.ram": {"service": "cyclades_compute", "description": "Virtual machine memory",
                         "unit": "bytes", "ui_visible": true, "api_visible": true}
    })).await;
    let res = astakos.get_resources().await.unwrap();
    assert_eq!(res["cyclades.ram"].unit.as_deref(), Some("bytes"));
    assert_eq!(res["cyclades.vm"].unit, None);
    assert_eq!(res["cyclades.vm"].extra["allow_in_projects"], true);

    mount(&server, "GET", "/account/v1.0/quotas", 200, json!({
        UUID: {"cyclades.vm": {"limit": 2, "usage": 1, "pending": 0,
                               "project_limit": 2, "project_usage": 1, "project_pending": 0}},
        PROJECT: {"cyclades.vm": {"limit": 4, "usage": 0, "pending": 0,
                                  "project_limit": 40, "project_usage": 38, "project_pending": 1}}
    })).await;
    let q = astakos.get_quotas().await.unwrap();
    assert_eq!(q[UUID]["cyclades.vm"].usage, 1);
    assert_eq!(q[PROJECT]["cyclades.vm"].effective_limit(), 2);

    Mock::given(method("GET"))
        .and(path("/account/v1.0/service_quotas"))
        .and(query_param("user", format!("{UUID},{UUID2}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            UUID: {UUID: {"cyclades.vm": {"limit": 2, "usage": 0, "pending": 0,
                                          "project_limit": 2, "project_usage": 0, "project_pending": 0}}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let sq = astakos
        .service_get_quotas(&[UUID.to_string(), UUID2.to_string()], &[])
        .await
        .unwrap();
    assert_eq!(sq[UUID][UUID]["cyclades.vm"].limit, 2);
}

#[tokio::test]
async fn commissions() {
    let (server, astakos) = astakos("service-token").await;
    Mock::given(method("POST"))
        .and(path("/account/v1.0/commissions"))
        .and(body_json(
            json!({"name": "create vm 42", "force": false, "auto_accept": false,
            "provisions": [
                {"holder": format!("user:{UUID}"), "source": format!("project:{UUID}"),
                 "resource": "cyclades.vm", "quantity": 1},
                {"holder": format!("project:{UUID}"), "source": null,
                 "resource": "cyclades.vm", "quantity": 1}]}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"serial": 57})))
        .expect(1)
        .mount(&server)
        .await;
    let mut prov = BTreeMap::new();
    prov.insert("cyclades.vm".to_string(), 1);
    let serial = astakos
        .issue_one_commission(UUID, UUID, &prov, "create vm 42", false, false)
        .await
        .unwrap();
    assert_eq!(serial, 57);

    Mock::given(method("POST"))
        .and(path("/account/v1.0/commissions"))
        .respond_with(
            ResponseTemplate::new(413).set_body_json(json!({"overLimit": {"code": 413,
            "message": "a quota would be exceeded",
            "data": {"name": "NoCapacityError", "limit": 4, "usage": 4}}})),
        )
        .mount(&server)
        .await;
    let err = astakos
        .issue_one_commission(UUID, UUID, &prov, "again", false, false)
        .await
        .unwrap_err();
    assert_eq!(err.status, 413);
    assert_eq!(
        err.message,
        "Payload Too Large overLimit (a quota would be exceeded)\n"
    );

    mount(
        &server,
        "GET",
        "/account/v1.0/commissions",
        200,
        json!([56, 57]),
    )
    .await;
    assert_eq!(
        astakos.get_pending_commissions().await.unwrap(),
        vec![56, 57]
    );

    Mock::given(method("POST"))
        .and(path("/account/v1.0/commissions/57/action"))
        .and(body_json(json!({"accept": ""})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    astakos.accept_commission(57).await.unwrap();

    Mock::given(method("POST"))
        .and(path("/account/v1.0/commissions/action"))
        .and(body_json(json!({"accept": [56], "reject": [58]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"accepted": [56], "rejected": [],
            "failed": [[58, {"itemNotFound": {"code": 404, "message": "serial 58 does not exist"}}]]})))
        .expect(1)
        .mount(&server)
        .await;
    let r = astakos.resolve_commissions(&[56], &[58]).await.unwrap();
    assert_eq!(r.accepted, vec![56]);
    assert_eq!(r.failed[0][0], 58);
}

fn project_json() -> Value {
    json!({"id": PROJECT, "state": "active", "creation_date": "2031-01-05T10:11:12.000000+00:00",
        "name": "lab.example.org", "owner": UUID, "homepage": "https://lab.example.org",
        "description": "teaching cluster", "end_date": "2031-12-20T00:00:00+00:00",
        "join_policy": "moderated", "leave_policy": "auto", "max_members": 40,
        "private": false, "system_project": false,
        "resources": {"cyclades.vm": {"project_capacity": 40, "member_capacity": 2}},
        "last_application": {"id": 7, "state": "approved"},
        "deactivation_date": "2031-06-01T00:00:00+00:00"})
}

#[tokio::test]
async fn projects() {
    let (server, astakos) = astakos("tok").await;
    Mock::given(method("GET"))
        .and(path("/account/v1.0/projects"))
        .and(query_param("state", "active"))
        .and(query_param("mode", "member"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([project_json()])))
        .expect(1)
        .mount(&server)
        .await;
    let list = astakos
        .get_projects(&ProjectFilters {
            state: Some("active".into()),
            mode: Some("member".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(list[0].name, "lab.example.org");
    assert_eq!(list[0].resources["cyclades.vm"].member_capacity, 2);
    assert_eq!(
        list[0].extra["deactivation_date"],
        "2031-06-01T00:00:00+00:00"
    );

    mount(
        &server,
        "GET",
        &format!("/account/v1.0/projects/{PROJECT}"),
        200,
        project_json(),
    )
    .await;
    assert_eq!(
        astakos.get_project(PROJECT).await.unwrap().max_members,
        Some(40)
    );

    let mut resources = BTreeMap::new();
    resources.insert(
        "cyclades.vm".to_string(),
        ResourceCapacity {
            project_capacity: 40,
            member_capacity: 2,
        },
    );
    let specs = ProjectSpecs {
        name: Some("lab.example.org".into()),
        end_date: Some("2031-12-20T00:00:00+00:00".into()),
        join_policy: Some("moderated".into()),
        resources: Some(resources),
        ..Default::default()
    };
    Mock::given(method("POST"))
        .and(path("/account/v1.0/projects"))
        .and(body_json(
            json!({"name": "lab.example.org", "end_date": "2031-12-20T00:00:00+00:00",
            "join_policy": "moderated",
            "resources": {"cyclades.vm": {"project_capacity": 40, "member_capacity": 2}}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": PROJECT, "application": 7})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let created = astakos.create_project(&specs).await.unwrap();
    assert_eq!(
        (created.id.as_str(), created.application),
        (PROJECT, Some(json!(7)))
    );

    let err = astakos
        .create_project(&ProjectSpecs::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);

    Mock::given(method("PUT"))
        .and(path(format!("/account/v1.0/projects/{PROJECT}")))
        .and(body_json(json!({"max_members": 50})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": PROJECT, "application": 8})),
        )
        .expect(1)
        .mount(&server)
        .await;
    astakos
        .modify_project(
            PROJECT,
            &ProjectSpecs {
                max_members: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    Mock::given(method("POST"))
        .and(path(format!("/account/v1.0/projects/{PROJECT}/action")))
        .and(body_json(json!({"suspend": {"reason": "abuse"}})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    astakos
        .project_action(PROJECT, "suspend", "abuse")
        .await
        .unwrap();
    let err = astakos
        .project_action(PROJECT, "explode", "")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);

    Mock::given(method("POST"))
        .and(path(format!("/account/v1.0/projects/{PROJECT}/action")))
        .and(body_json(
            json!({"approve": {"reason": "fine", "app_id": 7}}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    astakos
        .application_action(PROJECT, 7, "approve", "fine")
        .await
        .unwrap();
}

#[tokio::test]
async fn memberships() {
    let (server, astakos) = astakos("tok").await;
    let memb = json!({"id": 31, "user": UUID2, "project": PROJECT, "state": "accepted",
        "allowed_actions": ["leave"], "requested": "2031-01-06T08:00:00+00:00",
        "accepted": "2031-01-06T09:30:00+00:00"});
    Mock::given(method("GET"))
        .and(path("/account/v1.0/projects/memberships"))
        .and(query_param("project", PROJECT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([memb.clone()])))
        .expect(1)
        .mount(&server)
        .await;
    let list = astakos.get_memberships(Some(PROJECT)).await.unwrap();
    assert_eq!(list[0].state, "accepted");
    assert_eq!(list[0].extra["accepted"], "2031-01-06T09:30:00+00:00");

    mount(
        &server,
        "GET",
        "/account/v1.0/projects/memberships/31",
        200,
        memb,
    )
    .await;
    assert_eq!(
        astakos.get_membership("31").await.unwrap().allowed_actions,
        ["leave"]
    );

    Mock::given(method("POST"))
        .and(path("/account/v1.0/projects/memberships/31/action"))
        .and(body_json(json!({"leave": "moving on"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    astakos
        .membership_action("31", "leave", "moving on")
        .await
        .unwrap();

    Mock::given(method("POST"))
        .and(path("/account/v1.0/projects/memberships"))
        .and(body_json(json!({"join": {"project": PROJECT}})))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"conflict": {"code": 409, "message": "Already a member", "details": ""}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = astakos.join_project(PROJECT).await.unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(err.message, "Conflict conflict (Already a member)\n");

    Mock::given(method("POST"))
        .and(path("/account/v1.0/projects/memberships"))
        .and(body_json(
            json!({"enroll": {"project": PROJECT, "user": "bob@example.org"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 32})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        astakos
            .enroll_member(PROJECT, "bob@example.org")
            .await
            .unwrap(),
        json!(32)
    );
}

#[tokio::test]
async fn default_project_and_feedback() {
    let (server, astakos) = astakos("tok").await;
    Mock::given(method("POST"))
        .and(path("/account/v1.0/myaccount/default_project"))
        .and(body_json(json!({"project_id": PROJECT})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    astakos.set_default_project(PROJECT).await.unwrap();

    Mock::given(method("POST"))
        .and(path("/account/v1.0/feedback"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "feedback_msg=hello%20there&feedback_data=%7B%7D",
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    astakos.send_feedback("hello there", "{}").await.unwrap();
}

#[tokio::test]
async fn account_falls_back_to_identity_host_without_catalog_entry() {
    let server = MockServer::start().await;
    let mut a = access(&server.uri(), "tok", UUID, "Ada");
    a["access"]["serviceCatalog"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(a))
        .mount(&server)
        .await;
    mount(&server, "GET", "/account/v1.0/resources", 200, json!({})).await;
    let astakos = AstakosClient::new(&format!("{}/identity/v2.0", server.uri()), "tok").unwrap();
    assert!(astakos.get_resources().await.unwrap().is_empty());
}

#[tokio::test]
async fn cached_client_holds_several_users() {
    let server = MockServer::start().await;
    for (tok, uuid, name) in [("tok-a", UUID, "Ada"), ("tok-b", UUID2, "Bob")] {
        Mock::given(method("POST"))
            .and(path("/identity/v2.0/tokens"))
            .and(body_json(json!({"auth": {"token": {"id": tok}}})))
            .respond_with(ResponseTemplate::new(200).set_body_json(access(
                &server.uri(),
                tok,
                uuid,
                name,
            )))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_json(json!({"auth": {"token": {"id": "tok-bad"}}})))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}}),
        ))
        .mount(&server)
        .await;
    let cache = CachedAstakosClient::new(&format!("{}/identity/v2.0", server.uri())).unwrap();
    let results = cache
        .authenticate_all(&[
            Token::new("tok-a"),
            Token::new("tok-bad"),
            Token::new("tok-b"),
        ])
        .await;
    assert_eq!(results[0].as_ref().unwrap(), UUID);
    assert_eq!(results[1].as_ref().unwrap_err().status, 401);
    assert_eq!(results[2].as_ref().unwrap(), UUID2);
    assert_eq!(
        cache.list_users(),
        vec![UUID.to_string(), UUID2.to_string()]
    );
    assert_eq!(cache.default_user().as_deref(), Some(UUID));
    assert_eq!(cache.get_token(UUID2).unwrap(), Token::new("tok-b"));
    assert_eq!(
        cache.user_info(Some(UUID2)).await.unwrap().name.as_deref(),
        Some("Bob")
    );
    // cached: no new authentication for these
    assert_eq!(
        cache.get_endpoint_url("compute").await.unwrap(),
        format!("{}/cyclades/compute/v2.0", server.uri())
    );

    let err = cache.remove_user(UUID).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    cache.select_user(UUID2).unwrap();
    cache.remove_user(UUID).unwrap();
    assert_eq!(cache.list_users(), vec![UUID2.to_string()]);
    assert!(cache.select_user("nobody").is_err());

    // name lookups ask only for what is not known yet
    Mock::given(method("POST"))
        .and(path("/account/v1.0/user_catalogs"))
        .and(body_json(json!({"uuids": ["cafe-0001"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"uuid_catalog": {"cafe-0001": "carol@example.org"}, "displayname_catalog": {}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let ask = vec![UUID2.to_string(), "cafe-0001".to_string()];
    let first = cache.uuids2usernames(&ask).await.unwrap();
    let second = cache.uuids2usernames(&ask).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first["cafe-0001"], "carol@example.org");
    assert_eq!(first[UUID2], "Bob");
    let back = cache
        .usernames2uuids(&["carol@example.org".to_string()])
        .await
        .unwrap();
    assert_eq!(back["carol@example.org"], "cafe-0001");
}
