//! The one error type of kamaki-rs: [`ClientError`].
//!
//! Its `message`, `status` and `details` follow kamaki's `ClientError`
//! exactly (see `spec/core.md` §6): for an HTTP failure the message is
//! `"<reason> <faultName> (<fault message>)\n"`, the status is the fault's
//! integer `code` (or the HTTP status), and the fault's `details` are kept.

use std::fmt;

use bytes::Bytes;

/// A boxed error usable as the source of a [`ClientError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, broadly. Use it to decide what to do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with a status the call does not accept.
    Http,
    /// No HTTP response: connection refused, reset, closed early, DNS failure.
    Connection,
    /// The TLS handshake failed or the trust settings are unusable.
    Tls,
    /// The server did not answer (or stopped sending) within the time allowed.
    Timeout,
    /// The server's answer could not be decoded (for instance, not the JSON expected).
    Decode,
    /// The caller passed an argument that cannot be used; nothing was sent.
    InvalidArgument,
    /// The service catalog has no endpoint for the service asked for.
    Catalog,
    /// A local file or stream could not be read or written.
    Io,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ErrorKind::Http => "HTTP error",
            ErrorKind::Connection => "connection error",
            ErrorKind::Tls => "TLS error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Decode => "decode error",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::Catalog => "catalog error",
            ErrorKind::Io => "I/O error",
        };
        f.write_str(s)
    }
}

/// The error every kamaki-rs call returns.
///
/// `message`, `status` and `details` are those of kamaki's `ClientError`:
/// `status` is 0 when no HTTP status applies (no response came, or the
/// server's fault carried a non-integer code).
///
/// ```
/// use kamaki_core::{ClientError, ErrorKind};
///
/// let body = br#"{"itemNotFound": {"code": 404, "message": "Image 51c0 not found", "details": ""}}"#;
/// let err = ClientError::from_response(404, "Not Found", body.as_slice().into(), None);
/// assert_eq!(err.message, "Not Found itemNotFound (Image 51c0 not found)\n");
/// assert_eq!(err.status, 404);
/// assert!(err.details.is_empty());
/// assert_eq!(err.kind, ErrorKind::Http);
/// assert!(err.is_not_found());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct ClientError {
    /// Broad classification of the failure.
    pub kind: ErrorKind,
    /// The error message (kamaki's layout for HTTP failures).
    pub message: String,
    /// The status: the HTTP status or the fault's integer code; 0 when none.
    pub status: u16,
    /// Further details, e.g. the `details` member of a server fault.
    pub details: Vec<String>,
    /// The fault name of a JSON error body (`itemNotFound`, `badRequest`, …).
    pub fault_name: Option<String>,
    /// The HTTP status actually received, if any (even when `status` is 0).
    pub http_status: Option<u16>,
    /// The raw response body of an HTTP failure, for debugging.
    pub body: Option<Bytes>,
    /// The request id the server gave (`X-Openstack-Request-Id`, `X-Compute-Request-Id`, `X-Trans-Id`).
    pub request_id: Option<String>,
    /// The underlying error, if any.
    #[source]
    pub source: Option<BoxError>,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ClientError {
    /// A new error of the given kind with a message, status 0 and no details.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ClientError {
            kind,
            message: message.into(),
            status: 0,
            details: Vec::new(),
            fault_name: None,
            http_status: None,
            body: None,
            request_id: None,
            source: None,
        }
    }

    /// An [`ErrorKind::InvalidArgument`] error: the caller passed something unusable.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// An [`ErrorKind::Decode`] error for a response that is not what was expected.
    ///
    /// The message follows kamaki: `Response not formated in JSON - <reason>`.
    pub fn decode(status: u16, reason: impl fmt::Display) -> Self {
        let mut e = Self::new(
            ErrorKind::Decode,
            format!("Response not formated in JSON - {reason}"),
        );
        e.status = status;
        if status != 0 {
            e.http_status = Some(status);
        }
        e
    }

    /// An [`ErrorKind::Io`] error about a local path.
    pub fn io(what: impl fmt::Display, err: std::io::Error) -> Self {
        Self::new(ErrorKind::Io, format!("{what}: {err}")).with_source(err)
    }

    /// Sets the status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Appends details.
    pub fn with_details<I, S>(mut self, details: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.details.extend(details.into_iter().map(Into::into));
        self
    }

    /// Sets the underlying error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Sets the request id.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// True when the server answered 404 (or the fault code was 404).
    pub fn is_not_found(&self) -> bool {
        self.status == 404 || (self.status == 0 && self.http_status == Some(404))
    }

    /// True when the server answered 409 Conflict.
    pub fn is_conflict(&self) -> bool {
        self.status == 409 || (self.status == 0 && self.http_status == Some(409))
    }

    /// True when the server answered 401 Unauthorized.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401 || (self.status == 0 && self.http_status == Some(401))
    }

    /// True for failures that may succeed when the request is sent again:
    /// connection failures, timeouts, and HTTP 429, 502, 503, 504.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Connection | ErrorKind::Timeout => true,
            ErrorKind::Http => matches!(self.http_status, Some(429 | 502 | 503 | 504)),
            _ => false,
        }
    }

    /// Builds the error for an HTTP response whose status was not accepted,
    /// with kamaki's algorithm (`spec/core.md` §6.2).
    ///
    /// `reason` is the reason phrase the server sent (or the canonical one).
    pub fn from_response(
        http_status: u16,
        reason: &str,
        body: Bytes,
        request_id: Option<String>,
    ) -> Self {
        let text = String::from_utf8_lossy(&body);
        let raw = format!("{reason} {text}\n");
        let parsed = parse_fault(&raw, http_status);
        let mut message = parsed.message;
        collapse_trailing_newlines(&mut message);
        ClientError {
            kind: ErrorKind::Http,
            message,
            status: parsed.status,
            details: parsed.details,
            fault_name: parsed.fault_name,
            http_status: Some(http_status),
            body: Some(body),
            request_id,
            source: None,
        }
    }

    /// For Synnefo's generic `fault` wrapper, whose `details` hold the
    /// identity service's error body as a JSON string: that inner error.
    pub fn inner_fault(&self) -> Option<ClientError> {
        if self.fault_name.as_deref() != Some("fault") {
            return None;
        }
        self.details.iter().find_map(|d| {
            let v: serde_json::Value = serde_json::from_str(d).ok()?;
            let obj = v.as_object()?;
            let (name, fault) = obj.iter().next()?;
            let msg = fault.get("message")?.as_str()?;
            let code = fault.get("code").and_then(|c| c.as_u64()).unwrap_or(0);
            let mut e = ClientError::new(ErrorKind::Http, msg.to_string());
            e.status = u16::try_from(code).unwrap_or(0);
            e.fault_name = Some(name.clone());
            Some(e)
        })
    }
}

struct ParsedFault {
    message: String,
    status: u16,
    details: Vec<String>,
    fault_name: Option<String>,
}

/// kamaki's `ClientError.__init__` parsing: see `spec/core.md` §6.2.
fn parse_fault(raw: &str, http_status: u16) -> ParsedFault {
    let mut out = ParsedFault {
        message: raw.to_string(),
        status: http_status,
        details: Vec::new(),
        fault_name: None,
    };
    let Some(brace) = raw.find('{') else {
        return out;
    };
    let server_status = raw[..brace].trim();
    let json_text = raw[brace..].strip_suffix('\n').unwrap_or(&raw[brace..]);
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json_text)
    else {
        return out;
    };
    let Some((name, fault)) = map.iter().next() else {
        return out;
    };
    out.fault_name = Some(name.clone());
    let fault = match fault {
        serde_json::Value::Object(f) => f,
        // kamaki has already rewritten the message before failing on a non-object fault
        _ => {
            out.message = format!("{server_status} {name}");
            return out;
        }
    };
    out.message = match fault.get("message") {
        Some(m) => format!("{server_status} {name} ({})\n", value_text(m)),
        None => format!("{server_status} {name}"),
    };
    if let Some(code) = fault.get("code") {
        out.status = match code {
            serde_json::Value::Number(n) => {
                n.as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(0)
            }
            _ => 0,
        };
    }
    if let Some(details) = fault.get("details") {
        if is_truthy(details) {
            out.details.push(value_text(details));
        }
    }
    out
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

fn collapse_trailing_newlines(s: &mut String) {
    if s.ends_with('\n') {
        let trimmed = s.trim_end_matches('\n').len();
        s.truncate(trimmed);
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, reason: &str, body: &str) -> ClientError {
        ClientError::from_response(status, reason, Bytes::from(body.to_string()), None)
    }

    /// The verified outcomes of `spec/core.md` §6.2, row by row.
    #[test]
    fn spec_error_table() {
        let unauthorized_details =
            r#"{"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}}"#;
        let fault_401 = serde_json::json!({"fault": {"code": 401, "message": "UNAUTHORIZED",
            "details": unauthorized_details}})
        .to_string();
        type Case<'a> = (u16, &'a str, String, &'a str, u16, Vec<String>);
        let cases: Vec<Case> = vec![
            (404, "Not Found",
             r#"{"itemNotFound": {"code": 404, "message": "Image 51c0 not found", "details": ""}}"#.into(),
             "Not Found itemNotFound (Image 51c0 not found)\n", 404, vec![]),
            (400, "Bad Request",
             r#"{"badRequest": {"code": 400, "message": "Invalid disk format 'qcow2'", "details": "allowed: diskdump, extdump, ntfsdump"}}"#.into(),
             "Bad Request badRequest (Invalid disk format 'qcow2')\n", 400,
             vec!["allowed: diskdump, extdump, ntfsdump".into()]),
            (403, "Forbidden", r#"{"forbidden": {"code": 403, "message": "", "details": ""}}"#.into(),
             "Forbidden forbidden ()\n", 403, vec![]),
            (401, "Unauthorized", fault_401,
             "Unauthorized fault (UNAUTHORIZED)\n", 401, vec![unauthorized_details.into()]),
            (413, "Request Entity Too Large",
             r#"{"overLimit": {"code": 413, "message": "Limit exceeded", "data": {"name": "NoCapacityError", "limit": 2, "usage": 2}}}"#.into(),
             "Request Entity Too Large overLimit (Limit exceeded)\n", 413, vec![]),
            (400, "Bad Request", r#"{"badRequest": {"code": 400}}"#.into(), "Bad Request badRequest", 400, vec![]),
            (409, "Conflict", r#"{"conflict": {"code": "409", "message": "Busy"}}"#.into(),
             "Conflict conflict (Busy)\n", 0, vec![]),
            (404, "Not Found", String::new(), "Not Found \n", 404, vec![]),
            (502, "Bad Gateway", "<html><body>Bad gateway {oops}</body></html>".into(),
             "Bad Gateway <html><body>Bad gateway {oops}</body></html>\n", 502, vec![]),
            (500, "Internal Server Error", r#"["oops"]"#.into(), "Internal Server Error [\"oops\"]\n", 500, vec![]),
            (500, "Internal Server Error", "Registration failed".into(),
             "Internal Server Error Registration failed\n", 500, vec![]),
        ];
        for (status, reason, body, message, want_status, details) in cases {
            let e = err(status, reason, &body);
            assert_eq!(e.message, message, "body {body}");
            assert_eq!(e.status, want_status, "body {body}");
            assert_eq!(e.details, details, "body {body}");
            assert_eq!(e.kind, ErrorKind::Http);
            assert_eq!(e.http_status, Some(status));
            assert_eq!(e.to_string(), message);
        }
    }

    #[test]
    fn other_openstack_shapes_use_message_and_code() {
        let e = err(
            401,
            "Unauthorized",
            r#"{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}"#,
        );
        assert_eq!(
            e.message,
            "Unauthorized error (The request you have made requires authentication.)\n"
        );
        assert_eq!(e.status, 401);
        let e = err(
            404,
            "Not Found",
            r#"{"NeutronError": {"type": "NetworkNotFound", "message": "Network 7f1e could not be found.", "detail": ""}}"#,
        );
        assert_eq!(
            e.message,
            "Not Found NeutronError (Network 7f1e could not be found.)\n"
        );
        assert_eq!(e.status, 404);
        assert_eq!(e.fault_name.as_deref(), Some("NeutronError"));
        assert!(e.details.is_empty());
    }

    #[test]
    fn non_object_fault_keeps_partial_rewrite() {
        let e = err(400, "Bad Request", r#"{"message": "x"}"#);
        assert_eq!(e.message, "Bad Request message");
        assert_eq!(e.status, 400);
    }

    #[test]
    fn non_string_details_are_stringified_and_newlines_collapse() {
        let e = err(
            400,
            "Bad Request",
            "{\"badRequest\": {\"code\": 400, \"message\": \"bad\\n\\n\", \"details\": [\"a\", 1]}}\n\n",
        );
        assert_eq!(e.message, "Bad Request badRequest (bad\n\n)\n");
        assert_eq!(e.details, vec![r#"["a",1]"#.to_string()]);
        let e = err(500, "Internal Server Error", "oops\n\n\n");
        assert_eq!(e.message, "Internal Server Error oops\n");
    }

    #[test]
    fn inner_fault_of_fault_wrapper() {
        let inner = r#"{"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}}"#;
        let body = serde_json::json!({"fault": {"code": 401, "message": "Unauthorized", "details": inner}});
        let e = err(401, "Unauthorized", &body.to_string());
        let i = e.inner_fault().expect("inner fault");
        assert_eq!(i.message, "Invalid token");
        assert_eq!(i.status, 401);
        assert_eq!(i.fault_name.as_deref(), Some("unauthorized"));
        assert!(err(404, "Not Found", "").inner_fault().is_none());
    }

    #[test]
    fn predicates() {
        let e = err(404, "Not Found", "");
        assert!(e.is_not_found() && !e.is_conflict() && !e.is_retryable());
        let e = err(
            409,
            "Conflict",
            r#"{"conflict": {"code": "409", "message": "Busy"}}"#,
        );
        assert_eq!(e.status, 0);
        assert!(e.is_conflict());
        assert!(err(503, "Service Unavailable", "").is_retryable());
        assert!(ClientError::new(ErrorKind::Connection, "x").is_retryable());
        assert!(!ClientError::invalid_argument("x").is_retryable());
        assert_eq!(ClientError::invalid_argument("x").status, 0);
    }

    #[test]
    fn decode_error_keeps_status() {
        let e = ClientError::decode(200, "expected value at line 1 column 1");
        assert_eq!(e.kind, ErrorKind::Decode);
        assert_eq!(e.status, 200);
        assert!(e.message.starts_with("Response not formated in JSON - "));
    }
}
