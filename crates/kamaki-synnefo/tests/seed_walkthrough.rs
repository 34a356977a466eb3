//! The tutorial's Examples 1.1 to 1.5 against a wiremock Synnefo:
//! authenticate → endpoints → user info → a server and the objects of a
//! container → error handling.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kamaki_core::ErrorKind;
use kamaki_synnefo::astakos::AstakosClient;
use kamaki_synnefo::cyclades::{CycladesClient, CycladesComputeClient};
use kamaki_synnefo::pithos::PithosClient;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "Qm9yZWFsIHRva2Vu-8kP2";
const UUID: &str = "8e3b0c2a-5d1f-4c77-9a61-2f0d4b7e91aa";

fn catalog_entry(name: &str, kind: &str, url: String, version: &str) -> Value {
    json!({"name": name, "type": kind, "endpoints_links": [],
           "endpoints": [{"versionId": version, "region": "default", "publicURL": url,
                          "SNF:uiURL": "https://cloud.example.org/ui"}]})
}

/// A Synnefo with Astakos, Cyclades and Pithos on one mock server.
async fn synnefo() -> MockServer {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .and(body_json(json!({"auth": {"token": {"id": TOKEN}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access": {
            "token": {"id": TOKEN, "expires": "2031-03-04T09:12:44.812113+00:00",
                      "tenant": {"id": UUID, "name": "Ada Lovelace"}},
            "user": {"id": UUID, "name": "Ada Lovelace", "roles": [{"id": "1", "name": "default"}],
                     "roles_links": [], "projects": [UUID]},
            "serviceCatalog": [
                catalog_entry("astakos_identity", "identity", format!("{base}/identity/v2.0"), "v2.0"),
                catalog_entry("cyclades_compute", "compute", format!("{base}/cyclades/compute/v2.0"), "v2.0"),
                catalog_entry("cyclades_plankton", "image", format!("{base}/cyclades/image/v1.0"), "v1.0"),
                catalog_entry("pithos_object-store", "object-store", format!("{base}/pithos/object-store/v1"), "v1"),
            ]}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/identity/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cyclades/compute/v2.0/servers/42"))
        .and(header("x-auth-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"server": {
            "id": 42, "name": "A Debian Server", "status": "ACTIVE", "progress": 100,
            "user_id": UUID, "tenant_id": UUID, "hostId": "", "created": "2031-01-06T08:00:00.000000+00:00",
            "updated": "2031-01-06T08:01:00.000000+00:00", "flavor": {"id": 1, "links": []},
            "image": {"id": "d1a2c3b4", "links": []}, "metadata": {"os": "debian", "users": "root"},
            "addresses": {}, "attachments": [], "volumes": [812], "SNF:fqdn": "snf-42.vm.example.org",
            "SNF:task_state": "", "suspended": false, "deleted": false, "links": []}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cyclades/compute/v2.0/servers/4242"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!(
            {"itemNotFound": {"code": 404, "message": "Server 4242 not found", "details": "It was deleted"}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/pithos/object-store/v1/{UUID}/pithos")))
        .and(query_param("format", "json"))
        .respond_with(ResponseTemplate::new(200)
            .insert_header("x-container-object-count", "3")
            .set_body_json(json!([
                {"name": "lala.txt", "bytes": 34, "hash": "b7e3", "content_type": "text/plain",
                 "last_modified": "2031-01-06T08:00:00.000000+00:00", "x_object_uuid": "u1",
                 "x_object_version": 7, "x_object_hash": "b7e3", "future_field": "kept"},
                {"name": "test.txt", "bytes": 1232, "hash": "c1f0", "content_type": "text/plain",
                 "last_modified": "2031-01-06T08:00:00.000000+00:00", "x_object_uuid": "u2"},
                {"name": "testDir/", "bytes": 0, "hash": "e3b0", "content_type": "application/directory",
                 "last_modified": "2031-01-06T08:00:00.000000+00:00", "x_object_uuid": "u3"}
            ])))
        .mount(&server)
        .await;
    server
}

/// Examples 1.2, 1.3, 1.3.1 and 1.4, in order.
#[tokio::test]
async fn examples_1_1_to_1_4() {
    let server = synnefo().await;
    let authentication_url = format!("{}/identity/v2.0", server.uri());

    // Example 1.2: Initialize an astakos client
    let astakos = AstakosClient::new(&authentication_url, TOKEN).unwrap();

    // Example 1.3: Retrieve cyclades and pithos URLs
    let cyclades_url = astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await
        .unwrap();
    let pithos_url = astakos
        .get_endpoint_url(PithosClient::SERVICE_TYPE)
        .await
        .unwrap();
    assert_eq!(
        cyclades_url,
        format!("{}/cyclades/compute/v2.0", server.uri())
    );
    assert_eq!(
        pithos_url,
        format!("{}/pithos/object-store/v1", server.uri())
    );

    // Example 1.3.1 Initialize cyclades and pithos clients
    let cyclades = CycladesComputeClient::new(&cyclades_url, TOKEN).unwrap();
    let mut pithos = PithosClient::new(&pithos_url, TOKEN, None, None).unwrap();
    //  Also, setup the account UUID and container for pithos client
    pithos.set_account(astakos.user_info().await.unwrap().id);
    pithos.set_container("pithos");

    // Example 1.4: Print server name and OS for server with server_id
    let srv = cyclades.get_server_info("42").await.unwrap();
    let line = format!("Server Name: {} (OS: {})", srv.name, srv.metadata["os"]);
    assert_eq!(line, "Server Name: A Debian Server (OS: debian)");

    let obj_list = pithos.list_objects().await.unwrap();
    let mut out = vec![format!(
        "Objects in container '{}':",
        pithos.default_container().unwrap()
    )];
    for obj in &obj_list {
        out.push(format!(
            "  {} of {} bytes",
            obj.name(),
            obj.item().unwrap().bytes
        ));
    }
    assert_eq!(
        out,
        [
            "Objects in container 'pithos':",
            "  lala.txt of 34 bytes",
            "  test.txt of 1232 bytes",
            "  testDir/ of 0 bytes"
        ]
    );
    // unknown fields are kept
    assert_eq!(obj_list[0].item().unwrap().extra["future_field"], "kept");
    // one authentication served every catalog and user lookup
    let auths = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/identity/v2.0/tokens")
        .count();
    assert_eq!(auths, 1);
}

/// Example 1.1: clients built straight from known endpoint URLs; the older
/// `CycladesClient` name is the same client.
#[tokio::test]
async fn example_1_1_clients_from_urls() {
    let server = synnefo().await;
    let cyclades: CycladesClient =
        CycladesComputeClient::new(&format!("{}/cyclades/compute", server.uri()), TOKEN).unwrap();
    assert_eq!(
        cyclades.endpoint().as_str(),
        format!("{}/cyclades/compute/v2.0", server.uri())
    );
    let pithos = PithosClient::new(
        &format!("{}/pithos/object-store/v1", server.uri()),
        TOKEN,
        Some(UUID),
        Some("pithos"),
    )
    .unwrap();
    assert_eq!(pithos.list_objects().await.unwrap().len(), 3);
}

/// Example 1.5: every failure is a ClientError with message, status, details.
#[tokio::test]
async fn example_1_5_error_handling() {
    let server = synnefo().await;

    // a bad token: "Failed to authenticate user token"
    let astakos =
        AstakosClient::new(&format!("{}/identity/v2.0", server.uri()), "not-a-token").unwrap();
    let e = astakos.user_info().await.unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.status, e.details.len()),
        ("Unauthorized unauthorized (Invalid token)\n", 401, 0)
    );

    // an unknown service type: "Failed to get endpoints for ..."
    let astakos = AstakosClient::new(&format!("{}/identity/v2.0", server.uri()), TOKEN).unwrap();
    let e = astakos.get_endpoint_url("volume").await.unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Catalog, 0));

    // a bad URL: "Failed to initialize Cyclades client"
    let e = CycladesComputeClient::new("not a url", TOKEN).unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::InvalidArgument, 0));

    // a missing server: the printed lines of Example 1.5
    let cyclades =
        CycladesComputeClient::new(&format!("{}/cyclades/compute/v2.0", server.uri()), TOKEN)
            .unwrap();
    let e = cyclades.get_server_info("4242").await.unwrap_err();
    let mut printed = vec![format!("Error: {e}")];
    if e.status != 0 {
        printed.push(format!("- error code: {}", e.status));
    }
    for detail in &e.details {
        printed.push(format!("- {detail}"));
    }
    assert_eq!(
        printed,
        [
            "Error: Not Found itemNotFound (Server 4242 not found)\n",
            "- error code: 404",
            "- It was deleted"
        ]
    );

    // no container set: a clear error before any request
    let pithos = PithosClient::new(
        &format!("{}/pithos/object-store/v1", server.uri()),
        TOKEN,
        Some(UUID),
        None,
    )
    .unwrap();
    let e = pithos.list_objects().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument);
}
