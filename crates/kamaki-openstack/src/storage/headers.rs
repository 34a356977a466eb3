//! Header helpers shared by the storage resources: metadata encoding and
//! decoding, typed header reads and HTTP dates.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use kamaki_core::{decode_percent, ClientError};

/// Bytes kept as they are in a metadata key sent as a header name: the
/// header-token characters except `%` (which is encoded, so that servers that
/// percent-decode names, like Pithos, read the key back unchanged).
fn key_byte_kept(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!#$&'*+^`|~".contains(&b)
}

fn push_escaped(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 0xf)] as char);
}

/// Encodes a metadata key for use in a header name (`X-Object-Meta-<key>`):
/// every byte that is not a header-token character, and `%`, is
/// percent-encoded.
///
/// ```
/// use kamaki_openstack::storage::encode_meta_key;
/// assert_eq!(encode_meta_key("Color"), "Color");
/// assert_eq!(encode_meta_key("my key/ü%"), "my%20key%2F%C3%BC%25");
/// ```
pub fn encode_meta_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for &b in key.as_bytes() {
        if key_byte_kept(b) {
            out.push(b as char);
        } else {
            push_escaped(&mut out, b);
        }
    }
    out
}

/// Encodes a header value: `%`, control characters and non-ASCII bytes are
/// percent-encoded (UTF-8); everything else, spaces included, is kept, so
/// plain values stay readable to every client.
///
/// ```
/// use kamaki_openstack::storage::encode_header_value;
/// assert_eq!(encode_header_value("blue sky, 100%"), "blue sky, 100%25");
/// assert_eq!(encode_header_value("ünï\n"), "%C3%BCn%C3%AF%0A");
/// ```
pub fn encode_header_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b == b'%' || !(0x20..0x7f).contains(&b) {
            push_escaped(&mut out, b);
        } else {
            out.push(b as char);
        }
    }
    out
}

/// A header's value as text (lossy for non-UTF-8 bytes).
pub(crate) fn text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// A header's value as text, percent-decoded.
pub(crate) fn decoded(headers: &HeaderMap, name: &str) -> Option<String> {
    text(headers, name).map(|v| decode_percent(&v))
}

/// A numeric header; absent → `None`, not a number → a decode error.
pub(crate) fn number(headers: &HeaderMap, name: &str) -> Result<Option<u64>, ClientError> {
    match text(headers, name) {
        None => Ok(None),
        Some(v) => v.trim().parse::<u64>().map(Some).map_err(|e| {
            ClientError::decode(0, format!("header {name}: {v:?} is not a number ({e})"))
        }),
    }
}

/// A boolean header (`true`, `True`, `yes`, `1`).
pub(crate) fn flag(headers: &HeaderMap, name: &str) -> bool {
    text(headers, name)
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1"))
        .unwrap_or(false)
}

/// An `ETag` without the quotes some servers put around it.
pub(crate) fn etag(headers: &HeaderMap) -> Option<String> {
    text(headers, "etag").map(|v| unquote_etag(&v).to_string())
}

/// Strips surrounding double quotes from an ETag.
pub(crate) fn unquote_etag(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v)
}

/// Every header whose (lower-case) name starts with `prefix`, keyed by the
/// rest of the name; names and values are percent-decoded.
///
/// ```
/// use http::HeaderMap;
/// use kamaki_openstack::storage::headers_with_prefix;
/// let mut h = HeaderMap::new();
/// h.insert("x-object-meta-color", "blue%20sky".parse().unwrap());
/// h.insert("x-object-meta-f%C3%BC", "%E2%9C%93".parse().unwrap());
/// h.insert("content-type", "text/plain".parse().unwrap());
/// let meta = headers_with_prefix(&h, "X-Object-Meta-");
/// assert_eq!(meta["color"], "blue sky");
/// assert_eq!(meta["fü"], "✓");
/// assert_eq!(meta.len(), 2);
/// ```
pub fn headers_with_prefix(headers: &HeaderMap, prefix: &str) -> BTreeMap<String, String> {
    let prefix = prefix.to_ascii_lowercase();
    headers
        .iter()
        .filter_map(|(name, value)| {
            let key = name.as_str().strip_prefix(prefix.as_str())?;
            if key.is_empty() {
                return None;
            }
            let v = String::from_utf8_lossy(value.as_bytes());
            Some((decode_percent(key), decode_percent(&v)))
        })
        .collect()
}

/// Formats a time as an RFC 1123 HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use kamaki_openstack::storage::http_date;
/// assert_eq!(http_date(UNIX_EPOCH + Duration::from_secs(784111777)),
///            "Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
pub fn http_date(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // civil-from-days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let wd = WEEKDAYS[days.rem_euclid(7) as usize];
    let mon = MONTHS[(month - 1).clamp(0, 11) as usize];
    format!("{wd}, {day:02} {mon} {year} {h:02}:{m:02}:{s:02} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            http_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
        assert_eq!(
            http_date(UNIX_EPOCH + Duration::from_secs(1_514_764_800)),
            "Mon, 01 Jan 2018 00:00:00 GMT"
        );
    }

    #[test]
    fn etags() {
        assert_eq!(unquote_etag("\"abc\""), "abc");
        assert_eq!(unquote_etag("abc"), "abc");
        assert_eq!(unquote_etag("\""), "\"");
    }
}
