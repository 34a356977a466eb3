//! Endpoints, URL paths and query strings, with the encoding rules of
//! `spec/core.md` §2.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::ClientError;

/// Everything but ASCII letters, digits, `_`, `.` and `-` is encoded
/// (Python 2 `quote`, so `~` is encoded too).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'.').remove(b'-');
/// As [`SEGMENT`], but `/` is kept: for object names that hold a path.
const OBJECT_PATH: &AsciiSet = &SEGMENT.remove(b'/');

/// Percent-encodes one path segment or query value: everything but ASCII
/// letters, digits, `_`, `.` and `-`.
///
/// ```
/// use kamaki_core::encode_segment;
/// assert_eq!(encode_segment("u@x.org"), "u%40x.org");
/// assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
/// ```
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Percent-encodes an object name, keeping `/` (object names are paths).
///
/// ```
/// use kamaki_core::encode_object_path;
/// assert_eq!(encode_object_path("dir/ü q?#%.txt"), "dir/%C3%BC%20q%3F%23%25.txt");
/// ```
pub fn encode_object_path(s: &str) -> String {
    utf8_percent_encode(s, OBJECT_PATH).to_string()
}

/// Percent-decodes a string (invalid UTF-8 is replaced).
pub fn decode_percent(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A service endpoint URL, always ending with an API version segment.
///
/// ```
/// use kamaki_core::Endpoint;
///
/// let e = Endpoint::new("https://cloud.example.org/image/", Some("1.0")).unwrap();
/// assert_eq!(e.as_str(), "https://cloud.example.org/image/v1.0");
/// assert_eq!(e.api_version(), Some("1.0"));
/// let e = Endpoint::new("https://cloud.example.org/compute/v2.0//", Some("2.0")).unwrap();
/// assert_eq!(e.as_str(), "https://cloud.example.org/compute/v2.0");
/// assert_eq!(e.path().seg("servers").seg(42).to_string(),
///            "https://cloud.example.org/compute/v2.0/servers/42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
    version: Option<String>,
}

impl Endpoint {
    /// Parses an endpoint URL: trailing `/` are stripped; when the URL does
    /// not end with a version (`/v2.0`, `/v1`) `default_version` is appended.
    ///
    /// # Errors
    /// An [`InvalidArgument`](crate::ErrorKind::InvalidArgument) error when the
    /// URL is empty, not `http(s)://`, or has no version and no default is given.
    pub fn new(url: &str, default_version: Option<&str>) -> Result<Self, ClientError> {
        let base = validate_base(url)?;
        if let Some(v) = detect_version(base) {
            return Ok(Endpoint {
                base: base.to_string(),
                version: Some(v.to_string()),
            });
        }
        match default_version {
            Some(v) => {
                tracing::info!(target: "kamaki", "appending /v{v} to endpoint {base}");
                Ok(Endpoint {
                    base: format!("{base}/v{v}"),
                    version: Some(v.to_string()),
                })
            }
            None => Err(ClientError::invalid_argument(format!(
                "Endpoint URL {base:?} has no API version and this client has no default"
            ))),
        }
    }

    /// An endpoint used as given (trailing `/` stripped), with no version rule.
    ///
    /// # Errors
    /// As [`Endpoint::new`] for an empty or non-HTTP URL.
    pub fn unversioned(url: &str) -> Result<Self, ClientError> {
        let base = validate_base(url)?;
        Ok(Endpoint {
            base: base.to_string(),
            version: detect_version(base).map(str::to_string),
        })
    }

    /// The endpoint URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// The API version detected or appended (without the `v`).
    pub fn api_version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Starts a URL below this endpoint.
    pub fn path(&self) -> UrlPath {
        UrlPath {
            url: self.base.clone(),
        }
    }

    /// The scheme and authority part (`https://host:port`).
    pub fn origin(&self) -> &str {
        let after = self.base.find("://").map(|i| i + 3).unwrap_or(0);
        match self.base[after..].find('/') {
            Some(i) => &self.base[..after + i],
            None => &self.base,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

fn validate_base(url: &str) -> Result<&str, ClientError> {
    let base = url.trim().trim_end_matches('/');
    if base.is_empty() {
        return Err(ClientError::invalid_argument("Endpoint URL is empty"));
    }
    let lower = base.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| {
            ClientError::invalid_argument(format!(
                "Endpoint URL {base:?} must start with http:// or https://"
            ))
        })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ClientError::invalid_argument(format!(
            "Endpoint URL {base:?} has no host"
        )));
    }
    if base.contains(['?', '#']) {
        return Err(ClientError::invalid_argument(format!(
            "Endpoint URL {base:?} must not hold a query or fragment"
        )));
    }
    Ok(base)
}

fn detect_version(base: &str) -> Option<&str> {
    let idx = base.rfind("/v")?;
    let v = &base[idx + 2..];
    let mut parts = v.splitn(2, '.');
    let major = parts.next()?;
    if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(minor) = parts.next() {
        if !minor.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    Some(v)
}

/// A URL being built below an [`Endpoint`]; every piece is encoded once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlPath {
    url: String,
}

impl UrlPath {
    /// Appends one path segment, encoding everything but unreserved characters
    /// (a `/` inside the segment is encoded too).
    pub fn seg(mut self, segment: impl fmt::Display) -> Self {
        self.url.push('/');
        self.url.push_str(&encode_segment(&segment.to_string()));
        self
    }

    /// Appends an object name, which may hold `/` (kept as is).
    pub fn object(mut self, name: &str) -> Self {
        self.url.push('/');
        self.url.push_str(&encode_object_path(name));
        self
    }

    /// Appends a trailing `/` (some APIs list at `…/images/`).
    pub fn slash(mut self) -> Self {
        self.url.push('/');
        self
    }

    /// The URL text.
    pub fn as_str(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl From<UrlPath> for String {
    fn from(p: UrlPath) -> String {
        p.url
    }
}

/// Ordered query parameters; a parameter without value is a bare `?flag`.
///
/// ```
/// use kamaki_core::QueryParams;
///
/// let mut q = QueryParams::new();
/// q.push("format", "json").flag("hashmap").push_opt("limit", Some(10)).push_opt::<u32>("marker", None);
/// q.push("prefix", "a b/ü");
/// assert_eq!(q.encode(), "format=json&hashmap&limit=10&prefix=a%20b%2F%C3%BC");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryParams {
    pairs: Vec<(String, Option<String>)>,
}

impl QueryParams {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value`.
    pub fn push(&mut self, key: &str, value: impl fmt::Display) -> &mut Self {
        self.pairs.push((key.to_string(), Some(value.to_string())));
        self
    }

    /// Adds `key=value` when a value is given.
    pub fn push_opt<V: fmt::Display>(&mut self, key: &str, value: Option<V>) -> &mut Self {
        if let Some(v) = value {
            self.push(key, v);
        }
        self
    }

    /// Adds a bare `key` (a presence flag).
    pub fn flag(&mut self, key: &str) -> &mut Self {
        self.pairs.push((key.to_string(), None));
        self
    }

    /// Adds a bare `key` when `on` is true.
    pub fn flag_if(&mut self, key: &str, on: bool) -> &mut Self {
        if on {
            self.flag(key);
        }
        self
    }

    /// Sets `key`, replacing every earlier value of it.
    pub fn set(&mut self, key: &str, value: impl fmt::Display) -> &mut Self {
        self.pairs.retain(|(k, _)| k != key);
        self.push(key, value)
    }

    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The value of the first `key`, if present with a value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Appends all parameters of `other`.
    pub fn extend(&mut self, other: &QueryParams) -> &mut Self {
        self.pairs.extend(other.pairs.iter().cloned());
        self
    }

    /// The query string without the leading `?`; keys and values encoded once.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&encode_segment(k));
            if let Some(v) = v {
                out.push('=');
                out.push_str(&encode_segment(v));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_detection_and_default() {
        let cases = [
            (
                "https://c.org/image",
                Some("1.0"),
                "https://c.org/image/v1.0",
                Some("1.0"),
            ),
            (
                "https://c.org/image/v1.0/",
                Some("1.0"),
                "https://c.org/image/v1.0",
                Some("1.0"),
            ),
            (
                "https://c.org/object-store/v1",
                Some("1"),
                "https://c.org/object-store/v1",
                Some("1"),
            ),
            (
                "https://c.org/identity/v2.0",
                None,
                "https://c.org/identity/v2.0",
                Some("2.0"),
            ),
            ("https://c.org/v3/", None, "https://c.org/v3", Some("3")),
            (
                "https://c.org/vx",
                Some("2.0"),
                "https://c.org/vx/v2.0",
                Some("2.0"),
            ),
            (
                "http://127.0.0.1:8080",
                Some("1"),
                "http://127.0.0.1:8080/v1",
                Some("1"),
            ),
        ];
        for (input, default, want, version) in cases {
            let e = Endpoint::new(input, default).expect(input);
            assert_eq!(e.as_str(), want);
            assert_eq!(e.api_version(), version);
        }
    }

    #[test]
    fn bad_endpoints_are_invalid_arguments() {
        for bad in [
            "",
            "/",
            "ftp://x/v1",
            "https://",
            "https:///v1",
            "x.org/v1",
            "https://x.org/v1?a=b",
        ] {
            let err = Endpoint::new(bad, Some("1")).expect_err(bad);
            assert_eq!(err.kind, crate::ErrorKind::InvalidArgument, "{bad}");
            assert_eq!(err.status, 0);
        }
        let err = Endpoint::new("https://c.org/image", None).unwrap_err();
        assert!(err.message.contains("no API version"));
    }

    #[test]
    fn unversioned_keeps_url() {
        let e = Endpoint::unversioned("http://127.0.0.1:8080/auth/").unwrap();
        assert_eq!(e.as_str(), "http://127.0.0.1:8080/auth");
        assert_eq!(e.api_version(), None);
        let e = Endpoint::unversioned("http://h/identity/v3").unwrap();
        assert_eq!(e.api_version(), Some("3"));
        assert_eq!(e.origin(), "http://h");
    }

    #[test]
    fn path_encoding_table() {
        let e = Endpoint::new("https://c.org/object-store/v1", None).unwrap();
        let cases: [(&str, &str, &str); 9] = [
            ("plain", "a.txt", "/plain/a.txt"),
            (
                "with space",
                "dir/sub dir/file name",
                "/with%20space/dir/sub%20dir/file%20name",
            ),
            ("pct", "100%", "/pct/100%25"),
            ("q", "what?.txt", "/q/what%3F.txt"),
            ("hash", "#tag", "/hash/%23tag"),
            (
                "utf8",
                "ü/ελληνικά",
                "/utf8/%C3%BC/%CE%B5%CE%BB%CE%BB%CE%B7%CE%BD%CE%B9%CE%BA%CE%AC",
            ),
            ("tilde~", "~x", "/tilde%7E/%7Ex"),
            ("c", "a//b/", "/c/a//b/"),
            ("at@", "+&=;", "/at%40/%2B%26%3D%3B"),
        ];
        for (container, object, want) in cases {
            let url = e.path().seg(container).object(object);
            assert_eq!(url.as_str(), format!("https://c.org/object-store/v1{want}"));
        }
        assert_eq!(
            e.path().seg("a/b").as_str(),
            "https://c.org/object-store/v1/a%2Fb"
        );
        assert_eq!(
            e.path().seg("images").slash().as_str(),
            "https://c.org/object-store/v1/images/"
        );
    }

    #[test]
    fn query_encoding_table() {
        type Pairs<'a> = &'a [(&'a str, Option<&'a str>)];
        let cases: [(Pairs, &str); 5] = [
            (&[("format", Some("json"))], "format=json"),
            (&[("shared", None), ("public", None)], "shared&public"),
            (&[("name", Some("a b"))], "name=a%20b"),
            (
                &[("changes-since", Some("2013-01-01T00:00:00+00:00"))],
                "changes-since=2013-01-01T00%3A00%3A00%2B00%3A00",
            ),
            (
                &[("path", Some("dir/ü")), ("marker", Some("&=?#"))],
                "path=dir%2F%C3%BC&marker=%26%3D%3F%23",
            ),
        ];
        for (pairs, want) in cases {
            let mut q = QueryParams::new();
            for (k, v) in pairs {
                match v {
                    Some(v) => q.push(k, v),
                    None => q.flag(k),
                };
            }
            assert_eq!(q.encode(), want);
        }
        let mut q = QueryParams::new();
        q.push("limit", 1).set("limit", 2).flag_if("x", false);
        assert_eq!(q.encode(), "limit=2");
        assert_eq!(q.get("limit"), Some("2"));
    }

    #[test]
    fn decode_roundtrip() {
        let s = "dir/ü q?#%.txt";
        assert_eq!(decode_percent(&encode_object_path(s)), s);
    }
}
