//! HTTP plumbing shared by every service: faults, requests, responses, time and ids.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::Rng;
use serde_json::Value;

/// Response body type of every handler.
pub(crate) type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;
/// A complete response.
pub(crate) type Resp = Response<Body>;
/// Handler result: a response or a Synnefo fault.
pub(crate) type R = Result<Resp, Fault>;

/// Largest JSON/metadata body accepted in memory.
pub(crate) const MAX_JSON_BODY: usize = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Faults

/// A Synnefo "cloudFault" error, rendered as `{"<name>": {"code", "message", "details"}}`.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub status: u16,
    pub name: &'static str,
    pub message: String,
    pub details: String,
    /// Send no body at all (HEAD, plain Django errors).
    pub bare: bool,
    /// Raw body instead of a fault object (e.g. Pithos 409 missing-hash list).
    pub raw: Option<(Bytes, &'static str)>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Fault {
    pub fn new(status: u16, name: &'static str, message: impl Into<String>) -> Self {
        Fault {
            status,
            name,
            message: message.into(),
            details: String::new(),
            bare: false,
            raw: None,
            headers: Vec::new(),
        }
    }
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::new(400, "badRequest", msg)
    }
    pub fn unauthorized(msg: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", msg)
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::new(403, "forbidden", msg)
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::new(404, "itemNotFound", msg)
    }
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::new(409, "conflict", msg)
    }
    pub fn build_in_progress(msg: impl Into<String>) -> Self {
        Self::new(409, "buildInProgress", msg)
    }
    pub fn length_required(msg: impl Into<String>) -> Self {
        Self::new(411, "lengthRequired", msg)
    }
    pub fn precondition_failed(msg: impl Into<String>) -> Self {
        Self::new(412, "preconditionFailed", msg)
    }
    pub fn too_large(msg: impl Into<String>) -> Self {
        Self::new(413, "requestEntityTooLarge", msg)
    }
    pub fn over_limit(msg: impl Into<String>) -> Self {
        Self::new(413, "overLimit", msg)
    }
    pub fn range_not_satisfiable(msg: impl Into<String>) -> Self {
        Self::new(416, "rangeNotSatisfiable", msg)
    }
    pub fn unprocessable(msg: impl Into<String>) -> Self {
        Self::new(422, "unprocessableEntity", msg)
    }
    pub fn not_implemented(msg: impl Into<String>) -> Self {
        Self::new(501, "notImplemented", msg)
    }
    pub fn internal(msg: impl Into<String>) -> Self {
        Self::new(500, "internalServerError", msg)
    }
    pub fn not_allowed(allow: &str) -> Self {
        let mut f = Self::new(405, "notAllowed", "Method not allowed");
        if let Ok(v) = HeaderValue::from_str(allow) {
            f.headers.push((http::header::ALLOW, v));
        }
        f
    }
    pub fn endpoint_not_found() -> Self {
        Self::bad_request("API endpoint not found")
    }
    /// A 304 without body.
    pub fn not_modified() -> Self {
        let mut f = Self::new(304, "notModified", "");
        f.bare = true;
        f
    }
    pub fn with_details(mut self, d: impl Into<String>) -> Self {
        self.details = d.into();
        self
    }
    pub fn bare(mut self) -> Self {
        self.bare = true;
        self
    }
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((HeaderName::from_static(name), v));
        }
        self
    }

    /// The body-less fault seen by services when the token is rejected by Astakos.
    pub fn service_unauthorized() -> Self {
        Self::new(401, "fault", "Unauthorized").with_details(
            "{\"unauthorized\": {\"code\": 401, \"message\": \"Invalid token\", \"details\": \"\"}}",
        )
    }

    pub fn into_response(self, head: bool) -> Resp {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut builder = Response::builder().status(status);
        for (k, v) in &self.headers {
            builder = builder.header(k, v);
        }
        let (body, ctype): (Bytes, &str) = if self.bare {
            (Bytes::new(), "")
        } else if let Some((raw, ct)) = self.raw {
            (raw, ct)
        } else {
            let mut inner = serde_json::Map::new();
            inner.insert("code".into(), Value::from(self.status));
            inner.insert("message".into(), Value::from(self.message));
            inner.insert("details".into(), Value::from(self.details));
            let mut outer = serde_json::Map::new();
            outer.insert(self.name.to_string(), Value::Object(inner));
            (
                Bytes::from(Value::Object(outer).to_string()),
                "application/json; charset=utf-8",
            )
        };
        if !ctype.is_empty() {
            builder = builder.header(http::header::CONTENT_TYPE, ctype);
        }
        builder = builder.header(http::header::CONTENT_LENGTH, body.len());
        let body = if head { Bytes::new() } else { body };
        builder
            .body(full(body))
            .unwrap_or_else(|_| Response::new(full(Bytes::new())))
    }
}

// ---------------------------------------------------------------------------
// Responses

pub(crate) fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

/// Start a response with the given status.
pub(crate) fn builder(status: u16) -> http::response::Builder {
    Response::builder().status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
}

pub(crate) fn finish(b: http::response::Builder, body: Body) -> R {
    b.body(body)
        .map_err(|e| Fault::internal(format!("response build failed: {e}")))
}

pub(crate) fn json_response(status: u16, v: &Value) -> R {
    let body = Bytes::from(v.to_string());
    finish(
        builder(status)
            .header(
                http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header(http::header::CONTENT_LENGTH, body.len()),
        full(body),
    )
}

pub(crate) fn empty_response(status: u16) -> R {
    finish(
        builder(status).header(http::header::CONTENT_LENGTH, 0),
        full(Bytes::new()),
    )
}

pub(crate) fn text_response(status: u16, text: String) -> R {
    let body = Bytes::from(text);
    finish(
        builder(status)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .header(http::header::CONTENT_LENGTH, body.len()),
        full(body),
    )
}

/// Add a header to a builder if the value is a valid header value.
pub(crate) fn hdr(b: http::response::Builder, name: &str, value: &str) -> http::response::Builder {
    match (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        (Ok(n), Ok(v)) => b.header(n, v),
        _ => b,
    }
}

// ---------------------------------------------------------------------------
// Requests

/// A parsed request: decoded path segments, ordered query, headers and the (lazy) body.
pub(crate) struct Req {
    pub method: Method,
    /// Decoded path segments after the service prefix.
    pub segs: Vec<String>,
    pub query: Vec<(String, Option<String>)>,
    pub headers: HeaderMap,
    pub body: Option<Incoming>,
}

impl Req {
    pub fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }

    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    pub fn has_q(&self, key: &str) -> bool {
        self.query.iter().any(|(k, _)| k == key)
    }

    /// Raw header value as a string (lossy for non-UTF-8).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// Header value, percent-decoded when it contains `%` (Pithos convention).
    pub fn header_decoded(&self, name: &str) -> Option<String> {
        self.header(name).map(|v| pct_decode(&v))
    }

    pub fn token(&self) -> Option<String> {
        self.header("x-auth-token")
            .filter(|t| !t.is_empty())
            .or_else(|| self.q("X-Auth-Token").map(str::to_string))
    }

    /// Read the whole body into memory, up to `limit` bytes.
    pub async fn body_bytes(&mut self, limit: usize) -> Result<Bytes, Fault> {
        let Some(body) = self.body.take() else {
            return Ok(Bytes::new());
        };
        let mut stream = body.into_data_stream();
        let mut buf = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|e| Fault::bad_request(format!("Error reading body: {e}")))?;
            if buf.len() + chunk.len() > limit {
                return Err(Fault::too_large("Request body too large"));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// Parse the body as JSON; an empty body is `None`.
    pub async fn json_opt(&mut self) -> Result<Option<Value>, Fault> {
        let b = self.body_bytes(MAX_JSON_BODY).await?;
        if b.iter().all(|c| c.is_ascii_whitespace()) {
            return Ok(None);
        }
        serde_json::from_slice(&b).map(Some).map_err(|e| {
            Fault::bad_request("Invalid request body: malformed JSON").with_details(e.to_string())
        })
    }

    /// Parse the body as a JSON object (400 otherwise).
    pub async fn json(&mut self) -> Result<serde_json::Map<String, Value>, Fault> {
        match self.json_opt().await? {
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(Fault::bad_request(
                "Malformed request: expected a JSON object",
            )),
            None => Err(Fault::bad_request("Malformed request: empty body")),
        }
    }
}

/// Parse a raw query string into ordered (key, value) pairs, decoding both.
pub(crate) fn parse_query(q: Option<&str>) -> Vec<(String, Option<String>)> {
    let Some(q) = q else { return Vec::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (form_decode(k), Some(form_decode(v))),
            None => (form_decode(p), None),
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    pct_decode(&s.replace('+', " "))
}

pub(crate) fn pct_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Characters escaped in path segments we emit (RFC 3986 unreserved kept).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Like [`SEGMENT`] but keeps `/`.
const PATH: &AsciiSet = &SEGMENT.remove(b'/');
/// Header value escaping used by Pithos: leaves `/ = , : @ ; space "` alone.
const HEADER_VALUE: &AsciiSet = &PATH
    .remove(b'=')
    .remove(b',')
    .remove(b':')
    .remove(b'@')
    .remove(b';')
    .remove(b' ')
    .remove(b'"')
    .remove(b'*')
    .remove(b'(')
    .remove(b')')
    .remove(b'\'')
    .remove(b'!')
    .remove(b'+')
    .remove(b'<')
    .remove(b'>')
    .remove(b'?')
    .remove(b'&')
    .remove(b'[')
    .remove(b']')
    .remove(b'{')
    .remove(b'}')
    .remove(b'#')
    .remove(b'$')
    .remove(b'^')
    .remove(b'`')
    .remove(b'|')
    .remove(b'\\');

pub(crate) fn pct_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Percent-encode keeping `/` (Python's `quote` default).
pub(crate) fn pct_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

pub(crate) fn pct_header(s: &str) -> String {
    utf8_percent_encode(s, HEADER_VALUE).to_string()
}

/// Case-insensitive header prefix scan: returns (suffix as sent, decoded value).
pub(crate) fn headers_with_prefix(headers: &HeaderMap, prefix: &str) -> Vec<(String, String)> {
    let prefix = prefix.to_ascii_lowercase();
    let mut out = Vec::new();
    for (name, value) in headers {
        let n = name.as_str();
        if let Some(rest) = n.strip_prefix(&prefix) {
            let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
            out.push((pct_decode(rest), pct_decode(&v)));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Time

/// Seconds since the epoch, with sub-second precision.
pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u64;
    let m = m as u64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as u64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i64 - 719_468
}

fn split_ts(ts: f64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = ts.floor() as i64;
    let micros = ((ts - ts.floor()) * 1_000_000.0).round().min(999_999.0) as u32;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    (
        y,
        mo,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
        micros,
    )
}

/// `2018-01-01T00:00:00.123456+00:00`
pub(crate) fn iso(ts: f64) -> String {
    let (y, mo, d, h, mi, s, us) = split_ts(ts);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}+00:00")
}

/// `2018-01-01 00:00:00` (Plankton)
pub(crate) fn plankton_date(ts: f64) -> String {
    let (y, mo, d, h, mi, s, _) = split_ts(ts);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// RFC 1123 date for HTTP headers.
pub(crate) fn http_date(ts: f64) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_secs(ts.max(0.0).floor() as u64);
    httpdate::fmt_http_date(t)
}

/// Parse an HTTP date into epoch seconds.
pub(crate) fn parse_http_date(s: &str) -> Option<f64> {
    let t = httpdate::parse_http_date(s.trim()).ok()?;
    t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs_f64())
}

/// Parse an ISO 8601 timestamp (`YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|±HH:MM]`).
pub(crate) fn parse_iso(s: &str) -> Option<f64> {
    let s = s.trim();
    let (date, rest) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let mo: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, mo, d) as f64 * 86_400.0;
    if rest.is_empty() {
        return Some(secs);
    }
    let (time, offset) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0i64)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let off = &rest[i + 1..];
        let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
        let (oh, om) = off
            .split_once(':')
            .unwrap_or((off.get(..2)?, off.get(2..).unwrap_or("0")));
        let oh: i64 = oh.parse().ok()?;
        let om: i64 = if om.is_empty() { 0 } else { om.parse().ok()? };
        (&rest[..i], sign * (oh * 3600 + om * 60))
    } else {
        (rest, 0)
    };
    let mut tp = time.split(':');
    let h: f64 = tp.next()?.parse().ok()?;
    let mi: f64 = tp.next().unwrap_or("0").parse().ok()?;
    let sec: f64 = tp.next().unwrap_or("0").parse().ok()?;
    secs += h * 3600.0 + mi * 60.0 + sec;
    Some(secs - offset as f64)
}

// ---------------------------------------------------------------------------
// Ids

/// A random version-4 UUID string.
pub(crate) fn uuid4() -> String {
    uuid_text(rand::rng().random())
}

/// A deterministic UUID-looking string derived from a seed.
pub(crate) fn uuid_from(seed: &str) -> String {
    use sha2::Digest;
    let mut b = [0u8; 16];
    b.copy_from_slice(&sha2::Sha256::digest(seed.as_bytes())[..16]);
    uuid_text(b)
}

/// 16 bytes as a version-4 UUID string (version and variant bits set).
fn uuid_text(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Random string from an alphabet of letters and digits.
pub(crate) fn random_string(n: usize) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALPHA[rng.random_range(0..ALPHA.len())] as char)
        .collect()
}

/// A password with upper, lower and digit characters.
pub(crate) fn admin_pass() -> String {
    loop {
        let p = random_string(10);
        if p.chars().any(|c| c.is_ascii_uppercase())
            && p.chars().any(|c| c.is_ascii_lowercase())
            && p.chars().any(|c| c.is_ascii_digit())
        {
            return p;
        }
    }
}

// ---------------------------------------------------------------------------
// JSON helpers

/// Accept an integer id given as JSON number or string.
pub(crate) fn as_id(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn str_map(v: Option<&Value>) -> Result<BTreeMap<String, String>, Fault> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => Ok(m
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                )
            })
            .collect()),
        Some(_) => Err(Fault::bad_request(
            "Malformed request: metadata must be an object",
        )),
    }
}

pub(crate) fn links(base: &str, kind: &str, id: &str) -> Value {
    serde_json::json!([
        {"href": format!("{base}/{kind}/{id}"), "rel": "self"},
        {"href": format!("{base}/{kind}/{id}"), "rel": "bookmark"}
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_roundtrip() {
        let t = 1_514_764_800.123_456;
        assert_eq!(iso(t), "2018-01-01T00:00:00.123456+00:00");
        let back = parse_iso(&iso(t)).unwrap();
        assert!((back - t).abs() < 1e-3);
        assert_eq!(
            parse_iso("2018-01-01T02:00:00+02:00").unwrap(),
            1_514_764_800.0
        );
        assert_eq!(parse_iso("2018-01-01T00:00:00Z").unwrap(), 1_514_764_800.0);
        assert_eq!(plankton_date(t), "2018-01-01 00:00:00");
    }

    #[test]
    fn query_parsing() {
        let q = parse_query(Some("hashmap&format=json&prefix=a%20b&x=a+b"));
        assert_eq!(q[0], ("hashmap".into(), None));
        assert_eq!(q[2].1.as_deref(), Some("a b"));
        assert_eq!(q[3].1.as_deref(), Some("a b"));
    }

    #[test]
    fn uuid_shape() {
        let u = uuid4();
        assert_eq!(u.len(), 36);
        assert_eq!(uuid_from("x"), uuid_from("x"));
    }
}
