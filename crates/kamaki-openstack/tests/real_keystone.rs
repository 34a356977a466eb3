//! Integration tests against a real OpenStack Keystone (ignored by default).
//!
//! Run with `cargo xtask keystone-suite`, which starts Keystone with
//! `xtask/peers/keystone.sh start`, or by hand:
//!
//! ```sh
//! eval "$(xtask/peers/keystone.sh start)"
//! cargo test -p kamaki-openstack --test real_keystone -- --ignored --test-threads=1 --nocapture
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use kamaki_core::ErrorKind;
use kamaki_openstack::identity::{EndpointFilter, IdentityClient, V3Domains, V3Scope};
use kamaki_openstack::storage::StorageClient;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run `cargo xtask keystone-suite` or eval \"$(xtask/peers/keystone.sh start)\"")
    })
}

fn domains() -> V3Domains {
    V3Domains::names(
        &env("KEYSTONE_USER_DOMAIN"),
        &env("KEYSTONE_PROJECT_DOMAIN"),
    )
}

#[tokio::test]
#[ignore = "needs a real Keystone: cargo xtask keystone-suite"]
async fn password_token_and_catalog() {
    let t = Instant::now();
    let (client, auth) = IdentityClient::password_v3(
        &env("KEYSTONE_AUTH_URL"),
        &env("KEYSTONE_USER"),
        &env("KEYSTONE_PASSWORD"),
        Some(&env("KEYSTONE_PROJECT")),
        &domains(),
    )
    .await
    .unwrap();
    println!(
        "FIGURE keystone password authentication (project-scoped, with catalog): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    assert!(client.is_v3());
    assert!(!auth.token.expose().is_empty());
    assert_eq!(auth.methods, ["password"]);
    assert_eq!(
        auth.user.name.as_deref(),
        Some(env("KEYSTONE_USER").as_str())
    );
    assert_eq!(
        auth.user.domain.as_ref().and_then(|d| d.name.as_deref()),
        Some(env("KEYSTONE_USER_DOMAIN").as_str())
    );
    let project = auth.project.clone().expect("a project-scoped token");
    assert_eq!(
        project.name.as_deref(),
        Some(env("KEYSTONE_PROJECT").as_str())
    );
    assert!(
        auth.user.roles.iter().any(|r| r.name == "admin"),
        "{:?}",
        auth.user.roles
    );
    assert!(auth.expires.is_some() && auth.issued_at.is_some());

    let c = &auth.catalog;
    println!("catalog types: {:?}", c.service_types());
    let identity = c.get_endpoint_url("identity").unwrap();
    assert_eq!(identity.trim_end_matches('/'), env("KEYSTONE_AUTH_URL"));
    let internal = c
        .endpoint(
            "identity",
            &EndpointFilter {
                interface: Some("internal"),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(internal.region.as_deref(), Some("RegionOne"));
    assert!(c
        .endpoint(
            "identity",
            &EndpointFilter {
                version: Some("v3"),
                region: Some("RegionOne"),
                ..Default::default()
            }
        )
        .is_ok());
    if c.service("object-store").is_some() {
        let swift = c.get_endpoint_url(StorageClient::SERVICE_TYPE).unwrap();
        assert!(
            swift.ends_with(&format!("/v1/AUTH_{}", project.id)),
            "{swift}"
        );
        let s = StorageClient::new(&swift, auth.token.clone()).unwrap();
        assert_eq!(s.account(), Some(format!("AUTH_{}", project.id).as_str()));
    }
    let e = c.get_endpoint_url("no-such-service").unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Catalog, 0));

    // the token validates, and describes itself the same way
    let t = Instant::now();
    let again = client.authenticate().await.unwrap();
    println!(
        "FIGURE keystone token validation (GET /v3/auth/tokens): {:.0} ms, catalog of {} services",
        t.elapsed().as_secs_f64() * 1000.0,
        again.catalog.services.len()
    );
    assert_eq!(again.user.id, auth.user.id);
    assert_eq!(again.project.unwrap().id, project.id);
    assert_eq!(again.catalog.services.len(), c.services.len());
    // a client built from the token alone works too
    let plain = IdentityClient::new(&env("KEYSTONE_AUTH_URL"), auth.token.clone()).unwrap();
    assert_eq!(plain.user_info().await.unwrap().id, auth.user.id);
}

#[tokio::test]
#[ignore = "needs a real Keystone: cargo xtask keystone-suite"]
async fn unscoped_then_rescoped() {
    let (client, auth) = IdentityClient::password_v3(
        &env("KEYSTONE_AUTH_URL"),
        &env("KEYSTONE_USER"),
        &env("KEYSTONE_PASSWORD"),
        None,
        &domains(),
    )
    .await
    .unwrap();
    assert!(auth.project.is_none());
    assert!(auth.catalog.services.is_empty());
    let (scoped, info) = client
        .rescope_v3(&V3Scope::ProjectName {
            name: env("KEYSTONE_PROJECT"),
            domain: domains().project_domain,
        })
        .await
        .unwrap();
    assert_ne!(info.token.expose(), auth.token.expose());
    assert!(
        info.methods.iter().any(|m| m == "token"),
        "{:?}",
        info.methods
    );
    let project_id = info.project.clone().unwrap().id;
    assert!(!info.catalog.services.is_empty());
    let (_, by_id) = scoped
        .rescope_v3(&V3Scope::ProjectId(project_id.clone()))
        .await
        .unwrap();
    assert_eq!(by_id.project.unwrap().id, project_id);
}

#[tokio::test]
#[ignore = "needs a real Keystone: cargo xtask keystone-suite"]
async fn wrong_password_fails_clearly() {
    let password = "definitely-not-the-password";
    let e = IdentityClient::password_v3(
        &env("KEYSTONE_AUTH_URL"),
        &env("KEYSTONE_USER"),
        password,
        Some(&env("KEYSTONE_PROJECT")),
        &domains(),
    )
    .await
    .unwrap_err();
    println!(
        "FIGURE keystone wrong password: status {}, kind {:?}, message {:?}",
        e.status,
        e.kind,
        e.message.trim_end()
    );
    assert_eq!((e.status, e.kind), (401, ErrorKind::Http));
    assert!(e.is_unauthorized());
    assert!(
        e.message
            .contains("The request you have made requires authentication."),
        "{}",
        e.message
    );
    assert!(!e.message.contains(password));
    assert!(!format!("{e:?}").contains(password));

    let e = IdentityClient::password_v3(
        &env("KEYSTONE_AUTH_URL"),
        "no-such-user-kamaki-rs",
        password,
        None,
        &domains(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, 401);

    let bogus = IdentityClient::new(&env("KEYSTONE_AUTH_URL"), "bogus-token").unwrap();
    let e = bogus.authenticate().await.unwrap_err();
    assert!(matches!(e.status, 401 | 404), "{} {}", e.status, e.message);
}
