//! Helpers shared by the compute, block storage, image and network clients:
//! argument checks, tolerant decoding, marker pagination and base64.

use std::collections::BTreeMap;

use kamaki_core::{ClientError, Page, QueryParams};
use serde::{Deserialize, Deserializer};

pub(crate) use crate::common::{check_id, de_null_default};

/// Adds `key=value` when a non-empty value is given (kamaki sends only
/// truthy filters).
pub(crate) fn push_text(q: &mut QueryParams, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        q.push(key, v);
    }
}

/// Encodes a value as JSON for a request body.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<serde_json::Value, ClientError> {
    serde_json::to_value(value)
        .map_err(|e| ClientError::invalid_argument(format!("cannot encode JSON: {e}")))
}

/// Drains a response body that is not needed.
pub(crate) async fn drain(resp: kamaki_core::Response) -> Result<(), ClientError> {
    resp.bytes().await.map(|_| ())
}

/// Deserializes a string map, accepting `null` (empty) and non-string values
/// (kept as their JSON text) so that a loose server never breaks decoding.
pub(crate) fn de_string_map<'de, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = Option::<BTreeMap<String, serde_json::Value>>::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, v)
        })
        .collect())
}

/// Builds one page of a `limit`/`marker` listing.
///
/// A page asked with a marker that still holds the marker item means the
/// server ignored the marker (Synnefo does): the items up to the marker are
/// dropped and the listing ends. A page longer than `limit` means the server
/// ignored the limit: the listing ends too. Otherwise a full page asks for
/// the next one, starting after its last item.
pub(crate) fn marker_page<T>(
    mut items: Vec<T>,
    limit: Option<u32>,
    marker: Option<&str>,
    id_of: impl Fn(&T) -> String,
) -> Page<T> {
    if let Some(m) = marker {
        if let Some(pos) = items.iter().position(|i| id_of(i) == m) {
            items.drain(..=pos);
            return Page::last(items);
        }
    }
    match limit {
        Some(l) if l > 0 && items.len() == l as usize => {
            let next = items.last().map(&id_of);
            Page { items, next }
        }
        _ => Page::last(items),
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let idx = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for (i, x) in idx.iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(B64[*x as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Hello\n", "SGVsbG8K"),
        ];
        for (input, want) in cases {
            assert_eq!(base64_encode(input.as_bytes()), want, "{input:?}");
        }
        assert_eq!(base64_encode(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn marker_pages() {
        let id = |s: &&str| s.to_string();
        let p = marker_page(vec!["a", "b"], Some(2), None, id);
        assert_eq!(p.next.as_deref(), Some("b"));
        let p = marker_page(vec!["a"], Some(2), None, id);
        assert_eq!(p.next, None);
        let p = marker_page(vec!["a", "b", "c"], Some(2), None, id);
        assert_eq!(p.next, None, "a server ignoring limit ends the listing");
        let p = marker_page(vec!["a", "b", "c"], Some(3), Some("b"), id);
        assert_eq!((p.items, p.next), (vec!["c"], None));
        let p = marker_page(vec!["a", "b"], None, None, id);
        assert_eq!(p.next, None);
    }

    #[test]
    fn loose_maps_decode() {
        #[derive(Deserialize)]
        struct M {
            #[serde(deserialize_with = "de_string_map")]
            m: BTreeMap<String, String>,
        }
        let m: M =
            serde_json::from_str(r#"{"m": {"a": "x", "b": 1, "c": null, "d": true}}"#).unwrap();
        assert_eq!(m.m["a"], "x");
        assert_eq!(m.m["b"], "1");
        assert_eq!(m.m["c"], "");
        assert_eq!(m.m["d"], "true");
        let m: M = serde_json::from_str(r#"{"m": null}"#).unwrap();
        assert!(m.m.is_empty());
    }
}
