//! Wiremock tests of the identity client (v2.0 / Astakos and Keystone v3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kamaki_core::ErrorKind;
use kamaki_openstack::identity::{
    DomainRef, EndpointFilter, IdentityClient, ServiceCatalog, V3Domains, V3Scope,
};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "Qm9yZWFsIHRva2Vu-8kP2";
const UUID: &str = "8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa";

fn astakos_catalog() -> serde_json::Value {
    json!([
      {"name": "astakos_account", "type": "account", "endpoints_links": [],
       "endpoints": [{"versionId": "v1.0", "region": "default",
                      "publicURL": "https://accounts.example.org/account/v1.0",
                      "SNF:uiURL": "https://accounts.example.org/ui"}]},
      {"name": "astakos_identity", "type": "identity", "endpoints_links": [],
       "endpoints": [{"versionId": "v2.0", "region": "default",
                      "publicURL": "https://accounts.example.org/identity/v2.0",
                      "SNF:uiURL": "https://accounts.example.org/ui"}]},
      {"name": "astakos_weblogin", "type": "astakos_weblogin", "endpoints_links": [],
       "endpoints": [{"versionId": "", "region": "default",
                      "publicURL": "https://accounts.example.org/astakos/weblogin",
                      "SNF:webloginURL": "https://accounts.example.org/astakos/weblogin",
                      "SNF:uiURL": "https://accounts.example.org/ui"}]},
      {"name": "cyclades_compute", "type": "compute", "endpoints_links": [],
       "endpoints": [{"versionId": "v2.0", "region": "default",
                      "publicURL": "https://cloud.example.org/cyclades/compute/v2.0",
                      "SNF:uiURL": "https://cloud.example.org/cyclades/ui"}]},
      {"name": "cyclades_plankton", "type": "image", "endpoints_links": [],
       "endpoints": [{"versionId": "v1.0", "region": "default",
                      "publicURL": "https://cloud.example.org/cyclades/image/v1.0",
                      "SNF:uiURL": "https://cloud.example.org/cyclades/ui"}]},
      {"name": "pithos_object-store", "type": "object-store", "endpoints_links": [],
       "endpoints": [{"versionId": "v1", "region": "default",
                      "publicURL": "https://storage.example.org/pithos/object-store/v1",
                      "SNF:uiURL": "https://storage.example.org/pithos/ui"}]}
    ])
}

fn astakos_access() -> serde_json::Value {
    json!({"access": {
        "token": {"id": TOKEN, "expires": "2031-03-04T09:12:44.812113+00:00",
                  "tenant": {"id": UUID, "name": "Ada Lovelace"}},
        "user": {"id": UUID, "name": "Ada Lovelace",
                 "roles": [{"id": "1", "name": "default"}], "roles_links": [],
                 "projects": [UUID, "f0c4d7e2-3a55-4e0b-8d63-1b2c9a7e4410"]},
        "serviceCatalog": astakos_catalog(),
        "metadata": {"is_admin": 0}
    }})
}

// ---------------------------------------------------------------------------
// identity v2.0 (Astakos)

#[tokio::test]
async fn v2_authenticate_astakos_shape() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_json(json!({"auth": {"token": {"id": TOKEN}}})))
        .and(header("Content-Type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(astakos_access()))
        .expect(1)
        .mount(&mock)
        .await;
    let client = IdentityClient::new(&format!("{}/identity", mock.uri()), TOKEN).unwrap();
    assert_eq!(
        client.endpoint().as_str(),
        format!("{}/identity/v2.0", mock.uri())
    );
    assert!(!client.is_v3());
    let auth = client.authenticate().await.unwrap();
    assert_eq!(auth.token.expose(), TOKEN);
    assert!(!format!("{auth:?}").contains(TOKEN));
    assert_eq!(
        auth.expires.as_deref(),
        Some("2031-03-04T09:12:44.812113+00:00")
    );
    assert_eq!(auth.user.id, UUID);
    assert_eq!(auth.user.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(auth.user.roles[0].name, "default");
    assert_eq!(auth.user.roles[0].id.as_ref().unwrap().as_str(), "1");
    assert_eq!(auth.user.projects.len(), 2);
    assert_eq!(auth.user.extra["roles_links"], json!([]));
    let project = auth.project.as_ref().unwrap();
    assert_eq!(
        (project.id.as_str(), project.name.as_deref()),
        (UUID, Some("Ada Lovelace"))
    );
    assert_eq!(auth.extra["metadata"], json!({"is_admin": 0}));

    let c = &auth.catalog;
    assert_eq!(c.services.len(), 6);
    assert_eq!(
        c.get_endpoint_url("object-store").unwrap(),
        "https://storage.example.org/pithos/object-store/v1"
    );
    assert_eq!(
        c.get_endpoint_url("COMPUTE").unwrap(),
        "https://cloud.example.org/cyclades/compute/v2.0"
    );
    assert_eq!(
        c.get_endpoint_url_version("image", "1.0").unwrap(),
        "https://cloud.example.org/cyclades/image/v1.0"
    );
    assert_eq!(
        c.get_endpoint_url_version("Image", "V1.0").unwrap(),
        "https://cloud.example.org/cyclades/image/v1.0"
    );
    let e = c.get_endpoint_url_version("image", "2.0").unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Catalog, 0));
    assert!(
        e.message
            .starts_with("0 endpoints match type image and versionId 2.0"),
        "{}",
        e.message
    );
    let e = c.get_endpoint_url("volume").unwrap_err();
    assert_eq!(e.message, "Service type \"volume\" not in service catalog");
    assert!(e.details[0].contains("object-store"));
    let weblogin = c
        .endpoint("astakos_weblogin", &EndpointFilter::default())
        .unwrap();
    assert_eq!(
        weblogin.extra["SNF:webloginURL"],
        "https://accounts.example.org/astakos/weblogin"
    );
    assert_eq!(weblogin.region.as_deref(), Some("default"));
    let svc = c.service("object-store").unwrap();
    assert_eq!(svc.name.as_deref(), Some("pithos_object-store"));
    assert_eq!(svc.extra["endpoints_links"], json!([]));
}

#[tokio::test]
async fn v2_authenticate_with_tenant_and_user_info() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_json(
            json!({"auth": {"token": {"id": TOKEN}, "tenantName": UUID}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(astakos_access()))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_json(json!({"auth": {"token": {"id": TOKEN}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(astakos_access()))
        .expect(2)
        .mount(&mock)
        .await;
    let client = IdentityClient::new(&format!("{}/identity/v2.0", mock.uri()), TOKEN).unwrap();
    client.authenticate_v2(Some(UUID)).await.unwrap();
    assert_eq!(client.user_info().await.unwrap().id, UUID);
    assert_eq!(
        client.get_endpoint_url("identity").await.unwrap(),
        "https://accounts.example.org/identity/v2.0"
    );
}

#[tokio::test]
async fn v2_invalid_token_is_401_with_the_server_message() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!(
            {"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}})))
        .expect(1)
        .mount(&mock)
        .await;
    let client = IdentityClient::new(&format!("{}/identity/v2.0", mock.uri()), "bad").unwrap();
    let e = client.authenticate().await.unwrap_err();
    assert_eq!((e.status, e.kind), (401, ErrorKind::Http));
    assert_eq!(e.message, "Unauthorized unauthorized (Invalid token)\n");
    assert!(e.details.is_empty());
    assert!(e.is_unauthorized());
}

#[tokio::test]
async fn v2_bad_request_and_bad_shape() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/a/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!(
            {"badRequest": {"code": 400, "message": "Not conforming tenantName", "details": "tenant"}})))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/b/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access": {}})))
        .mount(&mock)
        .await;
    let a = IdentityClient::new(&format!("{}/a", mock.uri()), TOKEN).unwrap();
    let e = a.authenticate_v2(Some("x")).await.unwrap_err();
    assert_eq!(
        (e.status, e.message.as_str()),
        (400, "Bad Request badRequest (Not conforming tenantName)\n")
    );
    assert_eq!(e.details, ["tenant"]);
    let b = IdentityClient::new(&format!("{}/b", mock.uri()), TOKEN).unwrap();
    let e = b.authenticate().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[tokio::test]
async fn v2_public_catalog_has_no_body() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(header("Content-Length", "0"))
        .and(header("Content-Type", "application/json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access": {"serviceCatalog": astakos_catalog()}})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let client = IdentityClient::new(&format!("{}/identity/v2.0", mock.uri()), TOKEN).unwrap();
    let catalog = client.get_endpoints().await.unwrap();
    assert_eq!(catalog.service_types().len(), 6);
}

#[test]
fn no_token_is_refused() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = IdentityClient::new("http://127.0.0.1:9/identity/v2.0", "").unwrap();
    let e = rt.block_on(client.authenticate()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
    assert_eq!(IdentityClient::SERVICE_TYPE, "identity");
    assert_eq!(IdentityClient::DEFAULT_API_VERSION, "2.0");
}

// ---------------------------------------------------------------------------
// catalog selection

fn keystone_catalog() -> serde_json::Value {
    json!([
      {"endpoints": [
          {"id": "e1", "interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:8080/v1/AUTH_p1", "region": "RegionOne"},
          {"id": "e2", "interface": "internal", "region_id": "RegionOne", "url": "http://10.0.0.1:8080/v1/AUTH_p1", "region": "RegionOne"},
          {"id": "e3", "interface": "admin", "region_id": "RegionOne", "url": "http://10.0.0.1:8080/v1", "region": "RegionOne"}],
       "id": "s1", "type": "object-store", "name": "swift"},
      {"endpoints": [
          {"id": "e4", "interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:8774/v2.1", "region": "RegionOne"},
          {"id": "e5", "interface": "public", "region_id": "RegionTwo", "url": "http://127.0.0.2:8774/v2.1", "region": "RegionTwo"}],
       "id": "s2", "type": "compute", "name": "nova"},
      {"endpoints": [
          {"id": "e6", "interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:5000/v3", "region": "RegionOne"}],
       "id": "s3", "type": "identity", "name": "keystone"}
    ])
}

#[test]
fn catalog_selection_rules() {
    let c: ServiceCatalog = serde_json::from_value(keystone_catalog()).unwrap();
    assert_eq!(
        c.get_endpoint_url("object-store").unwrap(),
        "http://127.0.0.1:8080/v1/AUTH_p1"
    );
    let internal = c
        .endpoint(
            "object-store",
            &EndpointFilter {
                interface: Some("internal"),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(internal.url, "http://10.0.0.1:8080/v1/AUTH_p1");
    assert_eq!(internal.id.as_deref(), Some("e2"));
    // two regions: ambiguous unless a region is given
    let e = c.get_endpoint_url("compute").unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Catalog, 0));
    assert_eq!(
        e.message,
        "2 endpoints match type compute and interface public"
    );
    assert_eq!(e.details.len(), 2);
    assert!(e.details[1].contains("RegionTwo"));
    let two = c
        .endpoint(
            "compute",
            &EndpointFilter {
                region: Some("RegionTwo"),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(two.url, "http://127.0.0.2:8774/v2.1");
    // a v3 endpoint has no versionId: its URL tells the version
    let v = c
        .endpoint(
            "identity",
            &EndpointFilter {
                version: Some("v3"),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(v.url, "http://127.0.0.1:5000/v3");
    assert!(c
        .endpoint(
            "identity",
            &EndpointFilter {
                version: Some("2.0"),
                ..Default::default()
            }
        )
        .is_err());
    // serializes in one normalized shape
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(back["services"][0]["type"], "object-store");
    assert_eq!(back["services"][0]["endpoints"][1]["interface"], "internal");
    // a v2.0 endpoint with three URLs becomes three endpoints
    let v2: ServiceCatalog = serde_json::from_value(json!([{"type": "volume", "name": "cinder",
        "endpoints": [{"region": "R", "publicURL": "http://p/v2", "internalURL": "http://i/v2",
                       "adminURL": "http://a/v2", "tenantId": "t1"}]}]))
    .unwrap();
    let e = &v2.services[0].endpoints;
    assert_eq!(e.len(), 3);
    assert_eq!(
        (e[2].interface.as_str(), e[2].url.as_str()),
        ("admin", "http://a/v2")
    );
    assert_eq!(e[1].extra["tenantId"], "t1");
    assert!(serde_json::from_value::<ServiceCatalog>(json!(null))
        .unwrap()
        .services
        .is_empty());
}

// ---------------------------------------------------------------------------
// Keystone v3

fn v3_token(scoped: bool) -> serde_json::Value {
    let mut t = json!({"token": {
        "methods": ["password"],
        "user": {"domain": {"id": "default", "name": "Default"}, "id": "u-1", "name": "admin",
                 "password_expires_at": null},
        "audit_ids": ["x1"],
        "expires_at": "2031-01-01T00:00:00.000000Z",
        "issued_at": "2030-12-31T00:00:00.000000Z"
    }});
    if scoped {
        let tok = t["token"].as_object_mut().unwrap();
        tok.insert(
            "project".into(),
            json!({"domain": {"id": "default", "name": "Default"}, "id": "p-1", "name": "admin"}),
        );
        tok.insert("is_domain".into(), json!(false));
        tok.insert(
            "roles".into(),
            json!([{"id": "r-1", "name": "admin"}, {"id": "r-2", "name": "member"}]),
        );
        tok.insert("catalog".into(), keystone_catalog());
    }
    t
}

#[tokio::test]
async fn v3_password_scoped_to_a_project() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_json(json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"name": "Default"}, "password": "s3cr3t"}}},
            "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}})))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Subject-Token", "gAAAAAB-new-token")
                .set_body_json(v3_token(true)),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let (client, auth) = IdentityClient::password_v3(
        &mock.uri(),
        "admin",
        "s3cr3t",
        Some("admin"),
        &V3Domains::names("Default", "Default"),
    )
    .await
    .unwrap();
    assert!(client.is_v3());
    assert_eq!(client.endpoint().as_str(), format!("{}/v3", mock.uri()));
    assert_eq!(client.http().token().unwrap().expose(), "gAAAAAB-new-token");
    assert_eq!(auth.token.expose(), "gAAAAAB-new-token");
    assert_eq!(auth.methods, ["password"]);
    assert_eq!(auth.user.id, "u-1");
    assert_eq!(
        auth.user.domain.as_ref().unwrap().name.as_deref(),
        Some("Default")
    );
    assert_eq!(auth.user.roles.len(), 2);
    assert_eq!(auth.project.as_ref().unwrap().id, "p-1");
    assert_eq!(auth.expires.as_deref(), Some("2031-01-01T00:00:00.000000Z"));
    assert_eq!(
        auth.issued_at.as_deref(),
        Some("2030-12-31T00:00:00.000000Z")
    );
    assert_eq!(auth.extra["audit_ids"], json!(["x1"]));
    assert_eq!(auth.extra["is_domain"], json!(false));
    assert_eq!(
        auth.catalog.get_endpoint_url("object-store").unwrap(),
        "http://127.0.0.1:8080/v1/AUTH_p1"
    );
    // the request did not carry a token
    let reqs = mock.received_requests().await.unwrap();
    assert!(!reqs[0].headers.contains_key("x-auth-token"));
}

#[tokio::test]
async fn v3_password_unscoped_with_default_domain_ids() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/keystone/v3/auth/tokens"))
        .and(body_json(json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "demo", "domain": {"id": "default"}, "password": "pw"}}}}})))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Subject-Token", "unscoped")
                .set_body_json(v3_token(false)),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let (_, auth) = IdentityClient::password_v3(
        &format!("{}/keystone/v3", mock.uri()),
        "demo",
        "pw",
        None,
        &V3Domains::default(),
    )
    .await
    .unwrap();
    assert!(auth.project.is_none());
    assert!(auth.catalog.services.is_empty());
    assert!(auth.user.roles.is_empty());
}

#[tokio::test]
async fn v3_wrong_password_is_401_with_keystones_message() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": 401, "message": "The request you have made requires authentication.",
            "title": "Unauthorized"}})))
        .expect(1)
        .mount(&mock)
        .await;
    let e = IdentityClient::password_v3(
        &format!("{}/v3", mock.uri()),
        "admin",
        "wrong-password",
        Some("admin"),
        &V3Domains::default(),
    )
    .await
    .unwrap_err();
    assert_eq!((e.status, e.kind), (401, ErrorKind::Http));
    assert_eq!(
        e.message,
        "Unauthorized error (The request you have made requires authentication.)\n"
    );
    assert!(!e.message.contains("wrong-password"));
    assert!(!format!("{e:?}").contains("wrong-password"));
}

#[tokio::test]
async fn v3_answer_without_subject_token_is_a_decode_error() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(v3_token(true)))
        .mount(&mock)
        .await;
    let e = IdentityClient::password_v3(&mock.uri(), "a", "b", None, &V3Domains::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[tokio::test]
async fn v3_rescope_and_validate() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_json(json!({"auth": {
            "identity": {"methods": ["token"], "token": {"id": "unscoped"}},
            "scope": {"project": {"id": "p-1"}}}})))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Subject-Token", "scoped")
                .set_body_json(v3_token(true)),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_json(json!({"auth": {
            "identity": {"methods": ["token"], "token": {"id": "unscoped"}},
            "scope": {"domain": {"id": "default"}}}})))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Subject-Token", "domain-scoped")
                .set_body_json(v3_token(false)),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/auth/tokens"))
        .and(header("X-Auth-Token", "scoped"))
        .and(header("X-Subject-Token", "scoped"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Subject-Token", "scoped")
                .set_body_json(v3_token(true)),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let unscoped = IdentityClient::new(&format!("{}/v3", mock.uri()), "unscoped").unwrap();
    assert!(unscoped.is_v3());
    let (scoped, auth) = unscoped
        .rescope_v3(&V3Scope::ProjectId("p-1".into()))
        .await
        .unwrap();
    assert_eq!(auth.token.expose(), "scoped");
    let (_, d) = unscoped
        .rescope_v3(&V3Scope::Domain(DomainRef::id("default")))
        .await
        .unwrap();
    assert_eq!(d.token.expose(), "domain-scoped");
    let again = scoped.authenticate().await.unwrap();
    assert_eq!(again.project.unwrap().name.as_deref(), Some("admin"));
    assert_eq!(again.catalog.services.len(), 3);
    // an invalid token
    Mock::given(method("GET"))
        .and(path("/v3/auth/tokens"))
        .and(header("X-Auth-Token", "expired"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": {
            "code": 404, "message": "Could not find token: expired.", "title": "Not Found"}})))
        .mount(&mock)
        .await;
    let expired = IdentityClient::new(&format!("{}/v3", mock.uri()), "expired").unwrap();
    let e = expired.authenticate().await.unwrap_err();
    assert_eq!(e.status, 404);
    assert_eq!(
        e.message, "Not Found error (Could not find token: ***.)\n",
        "the token is scrubbed"
    );
}
