//! A tiny plain-HTTP client over hyper-util for the devcloud tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use kamaki_devcloud::{DevCloud, DevCloudConfig};
use serde_json::Value;

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
    pub fn h(&self, name: &str) -> String {
        self.header(name)
            .unwrap_or_else(|| panic!("missing header {name}: {:?}", self.headers))
    }
}

#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    pub base: String,
    pub token: Option<String>,
}

impl Http {
    pub fn new(base: &str, token: Option<&str>) -> Self {
        Http {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: base.to_string(),
            token: token.map(str::to_string),
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        let mut h = self.clone();
        h.token = Some(token.to_string());
        h
    }

    pub async fn req(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        let body: Bytes = body.into();
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            b = b.header("X-Auth-Token", t);
        }
        let has_len = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        if !has_len && (!body.is_empty() || matches!(method, "PUT" | "POST" | "COPY" | "MOVE")) {
            b = b.header("Content-Length", body.len());
        }
        let resp = tokio::time::timeout(
            Duration::from_secs(60),
            self.client.request(b.body(Full::new(body)).unwrap()),
        )
        .await
        .expect("request timed out")
        .expect("request failed");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.req("GET", path, &[], Bytes::new()).await
    }
    pub async fn head(&self, path: &str) -> Resp {
        self.req("HEAD", path, &[], Bytes::new()).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.req("DELETE", path, &[], Bytes::new()).await
    }
    pub async fn post_json(&self, path: &str, v: &Value) -> Resp {
        self.req(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            v.to_string(),
        )
        .await
    }
    pub async fn put_json(&self, path: &str, v: &Value) -> Resp {
        self.req(
            "PUT",
            path,
            &[("Content-Type", "application/json")],
            v.to_string(),
        )
        .await
    }
}

pub async fn start() -> (DevCloud, Http) {
    start_with(|_| {}).await
}

pub async fn start_with(f: impl FnOnce(&mut DevCloudConfig)) -> (DevCloud, Http) {
    let mut cfg = DevCloudConfig {
        build_delay: Duration::from_millis(30),
        deleted_retention: Duration::from_millis(300),
        ..Default::default()
    };
    f(&mut cfg);
    let cloud = DevCloud::start(cfg).await.expect("devcloud starts");
    let http = Http::new(&cloud.base_url(), Some(cloud.token()));
    (cloud, http)
}

/// Poll `path` until `pred(json)` holds (up to ~5 s).
pub async fn wait_for(http: &Http, path: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..250 {
        let r = http.get(path).await;
        if r.status == 200 {
            let v = r.json();
            if pred(&v) {
                return v;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition on {path} not reached");
}

/// Deterministic test bytes.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed as usize * 7 + i / 4096) % 251) as u8)
        .collect()
}
