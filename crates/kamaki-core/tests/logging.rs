//! What logging shows: requests and responses, never the token or passwords.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use kamaki_core::{HttpClient, Method, Token};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_log_has_no_trace_of_token_or_password() {
    const TOKEN: &str = "sEcReT-ToKeN-0123456789";
    const PASSWORD: &str = "pa55-w0rd-xyz";
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-subject-token", TOKEN)
                .set_body_json(json!({"access": {"token": {"id": TOKEN}}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"unauthorized": {"code": 401, "message": format!("Invalid token {TOKEN}"), "details": ""}}),
        ))
        .mount(&server)
        .await;

    let http = HttpClient::new(Some(Token::new(TOKEN))).unwrap();
    http.request(
        Method::POST,
        format!("{}/identity/v2.0/tokens", server.uri()),
    )
    .json(&json!({"auth": {"token": {"id": TOKEN}, "passwordCredentials": {"password": PASSWORD}}}))
    .secret(PASSWORD)
    .send_bytes()
    .await
    .unwrap();
    let err = http
        .request(
            Method::GET,
            format!("{}/compute/v2.0/servers", server.uri()),
        )
        .send_bytes()
        .await
        .unwrap_err();
    assert!(
        !err.message.contains(TOKEN),
        "error message leaks the token"
    );
    assert!(!format!("{err:?}").contains(TOKEN) || err.body.is_some());

    let logged = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("POST"), "nothing logged: {logged}");
    assert!(logged.contains("/identity/v2.0/tokens"));
    assert!(logged.contains("x-auth-token: ***"), "{logged}");
    assert!(logged.contains("401"));
    assert!(
        !logged.contains(TOKEN),
        "token leaked into the log:\n{logged}"
    );
    assert!(
        !logged.contains(PASSWORD),
        "password leaked into the log:\n{logged}"
    );
}
