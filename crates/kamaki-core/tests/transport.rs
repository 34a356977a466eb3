//! The HTTP client against wiremock and raw TCP servers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use kamaki_core::{
    Body, ClientError, Endpoint, ErrorKind, HttpClient, HttpConfig, Method, QueryParams,
    RetryPolicy, Token,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{body_bytes, body_json, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(token: &str) -> HttpClient {
    HttpClient::new(Some(Token::new(token))).unwrap()
}

fn fast_config() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(500),
        ..HttpConfig::default()
    }
}

#[tokio::test]
async fn sends_token_user_agent_and_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/compute/v2.0/servers"))
        .and(header("x-auth-token", "tok-1"))
        .and(header("content-type", "application/json"))
        .and(header("user-agent", kamaki_core::DEFAULT_USER_AGENT))
        .and(body_json(json!({"server": {"name": "a"}})))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"server": {"id": 1, "unknown": true}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let ep = Endpoint::new(&format!("{}/compute", server.uri()), Some("2.0")).unwrap();
    let v: serde_json::Value = client("tok-1")
        .request(Method::POST, ep.path().seg("servers"))
        .json(&json!({"server": {"name": "a"}}))
        .expect_status(&[202])
        .send_json()
        .await
        .unwrap();
    assert_eq!(v["server"]["id"], 1);
}

#[tokio::test]
async fn empty_put_sends_content_length_zero_and_custom_methods_work() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v1/acc/cont"))
        .and(header("content-length", "0"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    for m in ["COPY", "MOVE"] {
        Mock::given(method(m))
            .and(path("/v1/acc/cont/obj"))
            .and(header("destination", "/cont/other"))
            .respond_with(ResponseTemplate::new(201))
            .expect(1)
            .mount(&server)
            .await;
    }
    let ep = Endpoint::new(&format!("{}/v1", server.uri()), None).unwrap();
    let http = client("t");
    let st = http
        .request(Method::PUT, ep.path().seg("acc").seg("cont"))
        .expect_status(&[201, 202])
        .send_status()
        .await
        .unwrap();
    assert_eq!(st, 201);
    for m in ["COPY", "MOVE"] {
        let method = Method::from_bytes(m.as_bytes()).unwrap();
        http.request(method, ep.path().seg("acc").seg("cont").object("obj"))
            .header("Destination", "/cont/other")
            .expect_status(&[201])
            .send_status()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn path_and_query_arrive_encoded_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let ep = Endpoint::new(&format!("{}/object-store/v1", server.uri()), None).unwrap();
    let mut q = QueryParams::new();
    q.push("prefix", "a b/ü")
        .flag("hashmap")
        .push("format", "json");
    client("t")
        .request(
            Method::GET,
            ep.path().seg("acc").seg("my cont").object("dir/ü q?#%.txt"),
        )
        .query(&q)
        .send_bytes()
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    let url = &reqs[0].url;
    assert_eq!(
        url.path(),
        "/object-store/v1/acc/my%20cont/dir/%C3%BC%20q%3F%23%25.txt"
    );
    assert_eq!(
        url.query(),
        Some("prefix=a%20b%2F%C3%BC&hashmap&format=json")
    );
}

#[tokio::test]
async fn error_status_becomes_client_error_with_details() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.0/servers/42"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!(
            {"itemNotFound": {"code": 404, "message": "Server 42 not found", "details": "deleted"}}))
            .insert_header("x-compute-request-id", "req-77"))
        .expect(1)
        .mount(&server)
        .await;
    let ep = Endpoint::new(&format!("{}/compute/v2.0", server.uri()), None).unwrap();
    let err = client("tok")
        .request(Method::GET, ep.path().seg("servers").seg(42))
        .expect_status(&[200])
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status, err.is_not_found(), err.kind),
        (404, true, ErrorKind::Http)
    );
    assert_eq!(
        err.message,
        "Not Found itemNotFound (Server 42 not found)\n"
    );
    assert_eq!(err.details, ["deleted"]);
    assert_eq!(err.request_id.as_deref(), Some("req-77"));
    assert_eq!(err.fault_name.as_deref(), Some("itemNotFound"));
}

#[tokio::test]
async fn unexpected_success_status_is_an_error_too() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .mount(&server)
        .await;
    let err = client("t")
        .request(Method::DELETE, format!("{}/v1/x", server.uri()))
        .expect_status(&[204])
        .send_status()
        .await
        .unwrap_err();
    assert_eq!(err.status, 200);
    assert_eq!(err.message, "OK \n");
}

#[tokio::test]
async fn head_error_has_empty_body_message() {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let err = client("t")
        .request(Method::HEAD, format!("{}/v1/acc/c/o", server.uri()))
        .expect_status(&[200, 204])
        .send_headers()
        .await
        .unwrap_err();
    assert_eq!((err.message.as_str(), err.status), ("Not Found \n", 404));
    assert!(err.details.is_empty());
}

#[tokio::test]
async fn bad_json_is_decode_error_keeping_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>not json</html>"))
        .mount(&server)
        .await;
    let err = client("t")
        .request(Method::GET, format!("{}/v2.0/x", server.uri()))
        .expect_status(&[200])
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
    assert_eq!(err.status, 200);
    assert!(
        err.message.starts_with("Response not formated in JSON - "),
        "{}",
        err.message
    );
    assert_eq!(err.body.as_deref(), Some(&b"<html>not json</html>"[..]));
}

#[tokio::test]
async fn streamed_file_slice_and_reader_bodies_arrive_whole() {
    let server = MockServer::start().await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    Mock::given(method("PUT"))
        .and(path("/v1/a/c/slice"))
        .and(body_bytes(data[1000..201_000].to_vec()))
        .and(header("content-length", "200000"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v1/a/c/stream"))
        .and(body_bytes(data.clone()))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.bin");
    std::fs::write(&file, &data).unwrap();
    let http = client("t");
    http.request(Method::PUT, format!("{}/v1/a/c/slice", server.uri()))
        .body(Body::file_slice(&file, 1000, Some(200_000)))
        .expect_status(&[201])
        .send_status()
        .await
        .unwrap();
    let reader = tokio::fs::File::open(&file).await.unwrap();
    http.request(Method::PUT, format!("{}/v1/a/c/stream", server.uri()))
        .body(Body::from_reader(reader, None))
        .expect_status(&[201])
        .send_status()
        .await
        .unwrap();
}

#[tokio::test]
async fn missing_file_body_is_io_error() {
    let err = client("t")
        .request(Method::PUT, "http://127.0.0.1:9/v1/x")
        .body(Body::file_slice("/nonexistent/file.bin", 0, None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(err.message.contains("/nonexistent/file.bin"));
}

#[tokio::test]
async fn response_streams_in_chunks() {
    let server = MockServer::start().await;
    let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(data.clone()))
        .mount(&server)
        .await;
    let resp = client("t")
        .request(Method::GET, format!("{}/v1/a/c/o", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.header("content-length"), Some("1000000"));
    let chunks: Vec<Bytes> = resp.into_stream().try_collect().await.unwrap();
    let joined: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    assert_eq!(joined, data);
}

#[tokio::test]
async fn invalid_header_value_fails_before_sending() {
    let err = client("t")
        .request(Method::GET, "http://127.0.0.1:9/v1")
        .header("X-Object-Meta-Bad", "line\nbreak")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert_eq!(err.status, 0);
}

#[tokio::test]
async fn refused_port_is_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let http = HttpClient::with_config(fast_config(), None).unwrap();
    let err = http
        .request(Method::GET, format!("http://127.0.0.1:{port}/v1/x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connection);
    assert_eq!(err.status, 0);
    assert!(
        err.message.starts_with(&format!(
            "Connection to http://127.0.0.1:{port}/v1/x failed 1 times"
        )),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let keep = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            held.push(sock);
        }
    });
    let http = HttpClient::with_config(fast_config(), None).unwrap();
    let started = std::time::Instant::now();
    let err = http
        .request(Method::GET, format!("http://{addr}/v1/x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert_eq!(err.status, 0);
    assert!(started.elapsed() < Duration::from_secs(5));
    keep.abort();
}

#[tokio::test]
async fn body_that_stalls_times_out_while_reading() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let srv = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = sock.read(&mut buf).await;
        sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let http = HttpClient::with_config(fast_config(), None).unwrap();
    let err = http
        .request(Method::GET, format!("http://{addr}/v1/x"))
        .send_bytes()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout, "{}", err.message);
    srv.abort();
}

/// A server that closes the first connection without answering and answers
/// every later one with `200 ok`.
async fn reset_first_server() -> (
    std::net::SocketAddr,
    tokio::task::JoinHandle<()>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = count.clone();
    let task = tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let n = c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            if n == 0 {
                drop(sock);
                continue;
            }
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .await;
        }
    });
    (addr, task, count)
}

#[tokio::test]
async fn reset_first_connection_fails_without_retry_policy() {
    let (addr, task, count) = reset_first_server().await;
    let http = HttpClient::with_config(fast_config(), None).unwrap();
    let err = http
        .request(Method::GET, format!("http://{addr}/v1/x"))
        .send_bytes()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connection, "{}", err.message);
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    task.abort();
}

#[tokio::test]
async fn reset_first_connection_succeeds_with_retry_policy() {
    let (addr, task, count) = reset_first_server().await;
    let config = HttpConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::standard()
        },
        ..fast_config()
    };
    let http = HttpClient::with_config(config, None).unwrap();
    let body = http
        .request(Method::GET, format!("http://{addr}/v1/x"))
        .send_bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], b"ok");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
    task.abort();
}

#[tokio::test]
async fn post_is_not_retried_unless_marked_idempotent() {
    let (addr, task, count) = reset_first_server().await;
    let config = HttpConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::standard()
        },
        ..fast_config()
    };
    let http = HttpClient::with_config(config, None).unwrap();
    let err = http
        .request(Method::POST, format!("http://{addr}/v1/x"))
        .body(Body::from_bytes("payload"))
        .send_bytes()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connection);
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    let ok = http
        .request(Method::POST, format!("http://{addr}/v1/x"))
        .body(Body::from_bytes("payload"))
        .idempotent(true)
        .send_bytes()
        .await
        .unwrap();
    assert_eq!(&ok[..], b"ok");
    task.abort();
}

#[tokio::test]
async fn status_503_with_retry_after_is_retried_only_when_opted_in() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(body_bytes(b"replayed body".to_vec()))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let url = format!("{}/v1/a/c/o", server.uri());
    let plain = HttpClient::new(None).unwrap();
    let err = plain
        .request(Method::PUT, &url)
        .body(Body::from_bytes("replayed body"))
        .expect_status(&[201])
        .send_status()
        .await
        .unwrap_err();
    assert_eq!(err.status, 503);
    // the 503 mock is used up: reset and try again with the policy
    server.reset().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(body_bytes(b"replayed body".to_vec()))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let config = HttpConfig {
        retry: RetryPolicy::standard(),
        ..HttpConfig::default()
    };
    let retrying = HttpClient::with_config(config, None).unwrap();
    let st = retrying
        .request(Method::PUT, &url)
        .body(Body::from_bytes("replayed body"))
        .expect_status(&[201])
        .send_status()
        .await
        .unwrap();
    assert_eq!(st, 201);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn streamed_bodies_are_never_replayed() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let config = HttpConfig {
        retry: RetryPolicy::standard(),
        ..HttpConfig::default()
    };
    let http = HttpClient::with_config(config, None).unwrap();
    let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(b"once"))]);
    let err: ClientError = http
        .request(Method::PUT, format!("{}/v1/a/c/o", server.uri()))
        .body(Body::from_stream(stream, Some(4)))
        .expect_status(&[201])
        .send_status()
        .await
        .unwrap_err();
    assert_eq!(err.status, 503);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn clones_and_token_swaps_share_settings() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-auth-token", "second"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header_exists("x-auth-token"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let first = client("first");
    let second = first.with_token(Some(Token::new("second")));
    second
        .request(Method::GET, format!("{}/v1", server.uri()))
        .send_status()
        .await
        .unwrap();
    let err = first
        .request(Method::GET, format!("{}/v1", server.uri()))
        .send_status()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
    assert!(!format!("{first:?}").contains("first"));
}

#[tokio::test]
async fn without_token_sends_no_auth_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    client("t")
        .request(Method::POST, format!("{}/v2.0/tokens", server.uri()))
        .without_token()
        .json(&json!({"auth": {}}))
        .send_bytes()
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[0].headers.get("x-auth-token").is_none());
}
