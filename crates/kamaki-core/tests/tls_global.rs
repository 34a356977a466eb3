//! The process-wide CA default (kamaki's `https.patch_with_certs`). In its
//! own test binary: it changes process-wide state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kamaki_core::{tls, ErrorKind, HttpClient};

#[test]
fn patch_with_certs_applies_to_new_clients() {
    tls::clear_defaults();
    assert!(tls::default_ca_file().is_none());
    tls::patch_with_certs("/missing/global-ca.pem");
    assert_eq!(
        tls::default_ca_file().as_deref(),
        Some(std::path::Path::new("/missing/global-ca.pem"))
    );
    let err = HttpClient::new(None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls);
    assert!(err.message.contains("/missing/global-ca.pem"));
    // insecure wins over a CA file
    tls::patch_ignore_ssl(true);
    assert!(HttpClient::new(None).is_ok());
    tls::clear_defaults();
    assert!(HttpClient::new(None).is_ok());
}
