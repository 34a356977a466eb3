//! Log formatting with secrets redacted (`spec/core.md` §10).
//!
//! Requests are logged with `tracing`: target `kamaki::send` for requests and
//! `kamaki::recv` for responses. Method, URL, status and duration are logged
//! at DEBUG; headers at TRACE with tokens redacted; bodies only at TRACE, with
//! every secret (the token, passwords) replaced by `***`.

use http::HeaderMap;

/// What request/response logging may show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// Show the token in logged headers (kamaki's `log_token = on`). Off by default.
    pub log_token: bool,
    /// Log bodies (at TRACE level). Off by default.
    pub log_data: bool,
}

/// Header names whose values are credentials, always redacted unless `log_token`.
const SECRET_HEADERS: [&str; 5] = [
    "x-auth-token",
    "x-subject-token",
    "x-storage-token",
    "authorization",
    "x-auth-key",
];

/// The replacement text for a redacted secret.
pub const REDACTED: &str = "***";

/// Secrets shorter than this are not searched for in free text (they would
/// match everywhere); credential headers are redacted by name regardless.
pub const MIN_SCRUB_LEN: usize = 4;

/// Replaces every occurrence of each secret in `text` by `***`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() >= MIN_SCRUB_LEN {
            out = out.replace(s, REDACTED);
        }
    }
    out
}

/// Formats headers one per line (`  name: value`), credentials redacted.
pub fn format_headers(headers: &HeaderMap, secrets: &[&str], log_token: bool) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        let shown = if !log_token && SECRET_HEADERS.contains(&name.as_str()) {
            REDACTED.to_string()
        } else if log_token {
            value.into_owned()
        } else {
            scrub(&value, secrets)
        };
        out.push_str("  ");
        out.push_str(name.as_str());
        out.push_str(": ");
        out.push_str(&shown);
        out.push('\n');
    }
    out
}

/// Escapes control characters (`\n` → `\\n`, others → `\xNN` / `\u{…}`) for
/// safe one-line logging.
///
/// ```
/// use kamaki_core::log::escape_ctrl_chars;
/// assert_eq!(escape_ctrl_chars("a\nb\u{8}c"), "a\\nb\\x08c");
/// ```
pub fn escape_ctrl_chars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A loggable preview of a body: at most 4 KiB, secrets scrubbed, control
/// characters escaped.
pub fn body_preview(body: &[u8], secrets: &[&str]) -> String {
    const MAX: usize = 4096;
    let cut = body.len().min(MAX);
    let text = String::from_utf8_lossy(&body[..cut]);
    let mut shown = escape_ctrl_chars(&scrub(&text, secrets));
    if body.len() > MAX {
        shown.push_str(&format!("… ({} bytes in all)", body.len()));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_redacted() {
        let mut h = HeaderMap::new();
        h.insert("x-auth-token", "tok-123".parse().unwrap());
        h.insert("x-subject-token", "other-secret".parse().unwrap());
        h.insert("x-custom", "has tok-123 inside".parse().unwrap());
        h.insert("content-type", "application/json".parse().unwrap());
        let shown = format_headers(&h, &["tok-123"], false);
        assert!(!shown.contains("tok-123"), "{shown}");
        assert!(!shown.contains("other-secret"), "{shown}");
        assert!(shown.contains("x-auth-token: ***"));
        assert!(shown.contains("content-type: application/json"));
        let shown = format_headers(&h, &["tok-123"], true);
        assert!(shown.contains("x-auth-token: tok-123"));
    }

    #[test]
    fn bodies_are_scrubbed_and_cut() {
        let body = br#"{"auth": {"token": {"id": "tok-123"}, "password": "hunter2"}}"#;
        let shown = body_preview(body, &["tok-123", "hunter2"]);
        assert_eq!(
            shown,
            r#"{"auth": {"token": {"id": "***"}, "password": "***"}}"#
        );
        let big = vec![b'a'; 10_000];
        let shown = body_preview(&big, &[]);
        assert!(shown.ends_with("(10000 bytes in all)"));
        assert!(shown.len() < 4200);
    }
}
