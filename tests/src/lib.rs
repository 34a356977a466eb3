//! Fakes for end-to-end tests of kamaki-rs.
//!
//! [`SwiftFake`] is a stateful in-memory OpenStack Swift behind wiremock:
//! accounts, containers and objects with metadata, JSON listings (prefix,
//! delimiter, marker, end marker, limit), single ranges, copies and the
//! error statuses and bodies a real Swift gives. The storage conformance
//! suite in `tests/` runs the same checks against it, against the local
//! Synnefo cloud, and (when configured) against a real Swift.

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use md5::{Digest, Md5};
use percent_encoding::percent_decode_str;
use serde_json::json;
use wiremock::{Request, Respond, ResponseTemplate};

/// A stored object.
#[derive(Clone, Debug, Default)]
struct Object {
    data: Vec<u8>,
    content_type: String,
    meta: BTreeMap<String, String>,
}

#[derive(Default, Debug)]
struct Container {
    objects: BTreeMap<String, Object>,
}

/// An in-memory Swift account answering wiremock requests under `/v1/<account>`.
#[derive(Clone, Debug, Default)]
pub struct SwiftFake {
    containers: Arc<Mutex<BTreeMap<String, Container>>>,
}

const NOT_FOUND: &str = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>";
const CONFLICT: &str =
    "<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>";

fn html(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "text/html; charset=UTF-8")
        .insert_header("x-trans-id", "tx0123456789abcdef")
        .set_body_string(body)
}

fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

fn query(req: &Request) -> BTreeMap<String, String> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn object_meta(req: &Request) -> BTreeMap<String, String> {
    req.headers
        .iter()
        .filter_map(|(k, v)| {
            let k = k.as_str().strip_prefix("x-object-meta-")?;
            Some((k.to_string(), v.to_str().ok()?.to_string()))
        })
        .collect()
}

fn object_headers(mut r: ResponseTemplate, o: &Object) -> ResponseTemplate {
    r = r
        .insert_header("etag", md5_hex(&o.data).as_str())
        .insert_header("content-type", o.content_type.as_str())
        .insert_header("last-modified", "Thu, 26 Nov 2026 10:00:00 GMT")
        .insert_header("x-timestamp", "1795687200.00000")
        .insert_header("accept-ranges", "bytes");
    for (k, v) in &o.meta {
        r = r.insert_header(format!("x-object-meta-{k}").as_str(), v.as_str());
    }
    r
}

impl SwiftFake {
    /// An empty account.
    pub fn new() -> Self {
        Self::default()
    }

    fn split(req: &Request) -> Option<(Option<String>, Option<String>)> {
        let path = req.url.path();
        let rest = path.strip_prefix("/v1/")?;
        let mut parts = rest.splitn(3, '/');
        let _account = parts.next()?;
        let container = parts.next().filter(|c| !c.is_empty()).map(decode);
        let object = parts.next().filter(|o| !o.is_empty()).map(decode);
        Some((container, object))
    }

    fn listing(&self, container: &str, req: &Request) -> ResponseTemplate {
        let all = self.lock();
        let Some(c) = all.get(container) else {
            return html(404, NOT_FOUND);
        };
        let q = query(req);
        let prefix = q.get("prefix").cloned().unwrap_or_default();
        let delimiter = q.get("delimiter").and_then(|d| d.chars().next());
        let marker = q.get("marker").cloned().unwrap_or_default();
        let end_marker = q.get("end_marker").cloned();
        let limit: usize = q
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(10_000);
        let mut out = Vec::new();
        let mut last_subdir = String::new();
        for (name, o) in &c.objects {
            if name.as_str() <= marker.as_str() || !name.starts_with(&prefix) {
                continue;
            }
            if end_marker.as_deref().is_some_and(|e| name.as_str() >= e) {
                break;
            }
            if let Some(d) = delimiter {
                if let Some(i) = name[prefix.len()..].find(d) {
                    let sub = &name[..prefix.len() + i + d.len_utf8()];
                    if sub != last_subdir && sub > marker.as_str() {
                        out.push(json!({"subdir": sub}));
                        last_subdir = sub.to_string();
                    }
                    if out.len() >= limit {
                        break;
                    }
                    continue;
                }
            }
            out.push(
                json!({"name": name, "bytes": o.data.len(), "hash": md5_hex(&o.data),
                "content_type": o.content_type, "last_modified": "2026-11-26T10:00:00.000000"}),
            );
            if out.len() >= limit {
                break;
            }
        }
        let count = c.objects.len().to_string();
        ResponseTemplate::new(200)
            .insert_header("x-container-object-count", count.as_str())
            .insert_header("content-type", "application/json; charset=utf-8")
            .set_body_json(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Container>> {
        self.containers.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn copy(
        &self,
        from: (&str, &str),
        to: (&str, &str),
        meta: BTreeMap<String, String>,
    ) -> ResponseTemplate {
        let mut all = self.lock();
        let Some(source) = all.get(from.0).and_then(|c| c.objects.get(from.1)).cloned() else {
            return html(404, NOT_FOUND);
        };
        let Some(dest) = all.get_mut(to.0) else {
            return html(404, NOT_FOUND);
        };
        let mut copy = source;
        copy.meta.extend(meta);
        let etag = md5_hex(&copy.data);
        dest.objects.insert(to.1.to_string(), copy);
        ResponseTemplate::new(201).insert_header("etag", etag.as_str())
    }

    fn object(&self, method: &str, container: &str, name: &str, req: &Request) -> ResponseTemplate {
        match method {
            "PUT" => {
                if let Some(src) = header(req, "x-copy-from") {
                    let src = decode(src.trim_start_matches('/'));
                    let Some((c, o)) = src.split_once('/') else {
                        return html(400, "bad X-Copy-From");
                    };
                    return self.copy((c, o), (container, name), object_meta(req));
                }
                let mut all = self.lock();
                let Some(c) = all.get_mut(container) else {
                    return html(404, NOT_FOUND);
                };
                let o = Object {
                    data: req.body.clone(),
                    content_type: header(req, "content-type")
                        .unwrap_or("application/octet-stream")
                        .to_string(),
                    meta: object_meta(req),
                };
                let etag = md5_hex(&o.data);
                if let Some(expected) = header(req, "etag") {
                    if expected.trim_matches('"') != etag {
                        return html(422, "<html><h1>Unprocessable Entity</h1></html>");
                    }
                }
                c.objects.insert(name.to_string(), o);
                ResponseTemplate::new(201).insert_header("etag", etag.as_str())
            }
            "COPY" => {
                let Some(dest) = header(req, "destination") else {
                    return html(412, "Destination header required");
                };
                let dest = decode(dest.trim_start_matches('/'));
                let Some((c, o)) = dest.split_once('/') else {
                    return html(412, "bad Destination");
                };
                self.copy((container, name), (c, o), object_meta(req))
            }
            "POST" => {
                let mut all = self.lock();
                match all.get_mut(container).and_then(|c| c.objects.get_mut(name)) {
                    Some(o) => {
                        o.meta = object_meta(req);
                        ResponseTemplate::new(202)
                    }
                    None => html(404, NOT_FOUND),
                }
            }
            "DELETE" => {
                let mut all = self.lock();
                match all.get_mut(container).and_then(|c| c.objects.remove(name)) {
                    Some(_) => ResponseTemplate::new(204),
                    None => html(404, NOT_FOUND),
                }
            }
            "GET" | "HEAD" => {
                let all = self.lock();
                let Some(o) = all.get(container).and_then(|c| c.objects.get(name)) else {
                    return if method == "HEAD" {
                        ResponseTemplate::new(404)
                    } else {
                        html(404, NOT_FOUND)
                    };
                };
                let len = o.data.len();
                if method == "HEAD" {
                    return object_headers(ResponseTemplate::new(200), o)
                        .insert_header("content-length", len.to_string().as_str());
                }
                if let Some((start, end)) = header(req, "range").and_then(|r| parse_range(r, len)) {
                    if start >= len {
                        return ResponseTemplate::new(416);
                    }
                    let end = end.min(len - 1);
                    return object_headers(ResponseTemplate::new(206), o)
                        .insert_header(
                            "content-range",
                            format!("bytes {start}-{end}/{len}").as_str(),
                        )
                        .set_body_bytes(o.data[start..=end].to_vec());
                }
                object_headers(ResponseTemplate::new(200), o).set_body_bytes(o.data.clone())
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` of an object of `len` bytes.
fn parse_range(value: &str, len: usize) -> Option<(usize, usize)> {
    let spec = value.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    match (a.is_empty(), b.is_empty()) {
        (false, false) => Some((a.parse().ok()?, b.parse().ok()?)),
        (false, true) => Some((a.parse().ok()?, len.saturating_sub(1))),
        (true, false) => {
            let n: usize = b.parse().ok()?;
            Some((len.saturating_sub(n), len.saturating_sub(1)))
        }
        (true, true) => None,
    }
}

impl Respond for SwiftFake {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let method = req.method.as_str().to_string();
        let Some((container, object)) = Self::split(req) else {
            return html(404, NOT_FOUND);
        };
        match (container, object) {
            (None, _) => {
                let names: Vec<_> = self
                    .lock()
                    .keys()
                    .map(|n| json!({"name": n, "count": 0, "bytes": 0}))
                    .collect();
                ResponseTemplate::new(200).set_body_json(names)
            }
            (Some(c), None) => match method.as_str() {
                "PUT" => {
                    let mut all = self.lock();
                    let created = !all.contains_key(&c);
                    all.entry(c).or_default();
                    ResponseTemplate::new(if created { 201 } else { 202 })
                }
                "DELETE" => {
                    let mut all = self.lock();
                    match all.get(&c) {
                        None => html(404, NOT_FOUND),
                        Some(cont) if !cont.objects.is_empty() => html(409, CONFLICT),
                        Some(_) => {
                            all.remove(&c);
                            ResponseTemplate::new(204)
                        }
                    }
                }
                "HEAD" => match self.lock().get(&c) {
                    Some(cont) => ResponseTemplate::new(204)
                        .insert_header(
                            "x-container-object-count",
                            cont.objects.len().to_string().as_str(),
                        )
                        .insert_header(
                            "x-container-bytes-used",
                            cont.objects
                                .values()
                                .map(|o| o.data.len())
                                .sum::<usize>()
                                .to_string()
                                .as_str(),
                        ),
                    None => ResponseTemplate::new(404),
                },
                "GET" => self.listing(&c, req),
                "POST" => ResponseTemplate::new(204),
                _ => ResponseTemplate::new(405),
            },
            (Some(c), Some(o)) => self.object(&method, &c, &o, req),
        }
    }
}
