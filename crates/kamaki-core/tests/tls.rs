//! TLS trust against a local HTTPS server whose certificate is signed by a
//! freshly generated CA.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use kamaki_core::{ErrorKind, HttpClient, HttpConfig, Method, TlsOptions};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

struct Pki {
    _dir: tempfile::TempDir,
    ca_file: PathBuf,
    server_cert: CertificateDer<'static>,
    server_key: PrivateKeyDer<'static>,
}

fn make_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kamaki-rs test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let srv_key = KeyPair::generate().unwrap();
    let mut srv_params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    srv_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let srv_cert = srv_params.signed_by(&srv_key, &issuer).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca_cert.pem()).unwrap();
    Pki {
        _dir: dir,
        ca_file,
        server_cert: srv_cert.der().clone(),
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(srv_key.serialize_der())),
    }
}

/// An HTTPS server answering `200 hello` to every request.
async fn https_server(pki: &Pki) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![pki.server_cert.clone()], pki.server_key.clone_key())
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (addr, task)
}

/// An HTTPS server speaking HTTP/1.1 and HTTP/2 (ALPN), answering with the
/// protocol version it saw.
async fn h2_server(pki: &Pki) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    use http_body_util::Full;
    use hyper::service::service_fn;
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;

    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![pki.server_cert.clone()], pki.server_key.clone_key())
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(sock).await else {
                    return;
                };
                let service = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let body = format!("{:?}", req.version());
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                        bytes::Bytes::from(body),
                    )))
                });
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (addr, task)
}

#[tokio::test]
async fn http2_is_negotiated_over_tls() {
    let pki = make_pki();
    let (addr, task) = h2_server(&pki).await;
    let http = client(TlsOptions {
        ca_file: Some(pki.ca_file.clone()),
        insecure: false,
    });
    for _ in 0..3 {
        let resp = http
            .request(Method::GET, format!("https://localhost:{}/v1", addr.port()))
            .expect_status(&[200])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.version(), http::Version::HTTP_2);
        assert_eq!(&resp.bytes().await.unwrap()[..], b"HTTP/2.0");
    }
    task.abort();
}

fn client(tls: TlsOptions) -> HttpClient {
    HttpClient::with_config(
        HttpConfig {
            tls,
            ..HttpConfig::default()
        },
        None,
    )
    .unwrap()
}

#[tokio::test]
async fn default_trust_refuses_unknown_ca() {
    let pki = make_pki();
    let (addr, task) = https_server(&pki).await;
    let err = client(TlsOptions::default())
        .request(Method::GET, format!("https://localhost:{}/v1", addr.port()))
        .send_bytes()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{}", err.message);
    assert_eq!(err.status, 0);
    assert!(
        err.message.starts_with("SSL Connection error ("),
        "{}",
        err.message
    );
    task.abort();
}

#[tokio::test]
async fn ca_file_is_trusted() {
    let pki = make_pki();
    let (addr, task) = https_server(&pki).await;
    let body = client(TlsOptions {
        ca_file: Some(pki.ca_file.clone()),
        insecure: false,
    })
    .request(Method::GET, format!("https://localhost:{}/v1", addr.port()))
    .send_bytes()
    .await
    .unwrap();
    assert_eq!(&body[..], b"hello");
    task.abort();
}

#[tokio::test]
async fn wrong_host_name_is_refused_even_with_the_ca() {
    let pki = make_pki();
    let (addr, task) = https_server(&pki).await;
    // the certificate names "localhost", not 127.0.0.1
    let err = client(TlsOptions {
        ca_file: Some(pki.ca_file.clone()),
        insecure: false,
    })
    .request(Method::GET, format!("https://127.0.0.1:{}/v1", addr.port()))
    .send_bytes()
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{}", err.message);
    task.abort();
}

#[tokio::test]
async fn insecure_accepts_anything() {
    let pki = make_pki();
    let (addr, task) = https_server(&pki).await;
    let body = client(TlsOptions {
        ca_file: None,
        insecure: true,
    })
    .request(Method::GET, format!("https://127.0.0.1:{}/v1", addr.port()))
    .send_bytes()
    .await
    .unwrap();
    assert_eq!(&body[..], b"hello");
    task.abort();
}

#[tokio::test]
async fn missing_ca_file_is_a_clear_error() {
    let err = HttpClient::with_config(
        HttpConfig {
            tls: TlsOptions {
                ca_file: Some("/nope/ca-bundle.pem".into()),
                insecure: false,
            },
            ..HttpConfig::default()
        },
        None,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls);
    assert!(
        err.message.contains("/nope/ca-bundle.pem"),
        "{}",
        err.message
    );
}
