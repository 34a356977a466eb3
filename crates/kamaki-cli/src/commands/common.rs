//! Helpers shared by the service commands: JSON values from typed results,
//! kamaki's client-side filters, waits with status notes.

use std::time::Duration;

use kamaki_core::{WaitOptions, WaitOutcome};
use serde::Serialize;
use serde_json::Value;

use crate::cli::{IdFilter, NameFilter, NameFilterNoName};
use crate::error::{CliError, CliResult};
use crate::output::note;

/// A typed result as JSON (unknown fields included through `extra`).
pub fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A list of typed results as JSON values.
pub fn to_values<T: Serialize>(v: &[T]) -> Vec<Value> {
    v.iter().map(to_value).collect()
}

/// Text of a field (strings without quotes, missing = empty).
pub fn field(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn text_matches(
    value: &str,
    exact: Option<&String>,
    prefix: Option<&String>,
    suffix: Option<&String>,
    like: Option<&String>,
) -> bool {
    let v = value.to_lowercase();
    exact.is_none_or(|x| v == x.to_lowercase())
        && prefix.is_none_or(|x| v.starts_with(&x.to_lowercase()))
        && suffix.is_none_or(|x| v.ends_with(&x.to_lowercase()))
        && like.is_none_or(|x| v.contains(&x.to_lowercase()))
}

/// kamaki's `[NF]` filters on `name`.
pub fn filter_names(items: Vec<Value>, f: &NameFilter) -> Vec<Value> {
    items
        .into_iter()
        .filter(|i| {
            text_matches(
                &field(i, "name"),
                f.name.as_ref(),
                f.name_prefix.as_ref(),
                f.name_suffix.as_ref(),
                f.name_like.as_ref(),
            )
        })
        .collect()
}

/// `[NF]` without `--name`.
pub fn filter_names_no_exact(items: Vec<Value>, f: &NameFilterNoName) -> Vec<Value> {
    filter_names(
        items,
        &NameFilter {
            name: None,
            name_prefix: f.name_prefix.clone(),
            name_suffix: f.name_suffix.clone(),
            name_like: f.name_like.clone(),
        },
    )
}

/// kamaki's `[IF]` filters on `id`.
pub fn filter_ids(items: Vec<Value>, f: &IdFilter) -> Vec<Value> {
    items
        .into_iter()
        .filter(|i| {
            text_matches(
                &field(i, "id"),
                f.id.as_ref(),
                f.id_prefix.as_ref(),
                f.id_suffix.as_ref(),
                f.id_like.as_ref(),
            )
        })
        .collect()
}

/// Keeps items whose `key` map holds all `pairs` (exact or substring),
/// case-insensitively.
pub fn filter_map_field(
    items: Vec<Value>,
    key: &str,
    pairs: &[(String, String)],
    exact: bool,
) -> Vec<Value> {
    if pairs.is_empty() {
        return items;
    }
    items
        .into_iter()
        .filter(|i| {
            let m = i.get(key);
            pairs.iter().all(|(k, want)| {
                let have = m.map(|m| field(m, k)).unwrap_or_default().to_lowercase();
                let want = want.to_lowercase();
                m.and_then(|m| m.get(k)).is_some()
                    && if exact {
                        have == want
                    } else {
                        have.contains(&want)
                    }
            })
        })
        .collect()
}

/// Keeps only `id` and `name` of each item (brief listings).
pub fn brief(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .map(|mut v| {
            if let Value::Object(m) = &mut v {
                m.retain(|k, _| k == "id" || k == "name");
            }
            v
        })
        .collect()
}

/// Truncates to `-n N`.
pub fn limit(mut items: Vec<Value>, n: Option<u64>) -> Vec<Value> {
    if let Some(n) = n {
        items.truncate(n as usize);
    }
    items
}

/// Wait options with kamaki's 1-second polls and a timeout.
pub fn wait_options(timeout_secs: u64) -> WaitOptions {
    WaitOptions {
        delay: Duration::from_secs(1),
        max_wait: Duration::from_secs(timeout_secs),
    }
}

/// Reports how a wait ended on stderr: `<Kind> <id> status: <STATUS>`;
/// a timeout is an error (spec/cli.md §12.2.3).
pub fn report_wait<T>(
    kind: &str,
    id: &str,
    outcome: WaitOutcome<T>,
    status_of: impl Fn(&T) -> String,
) -> CliResult<Option<T>> {
    match outcome {
        WaitOutcome::Reached(t) | WaitOutcome::Failed(t) => {
            note(&format!("{kind} {id} status: {}", status_of(&t)));
            Ok(Some(t))
        }
        WaitOutcome::TimedOut(last) => {
            let status = last
                .as_ref()
                .map(&status_of)
                .unwrap_or_else(|| "unknown".into());
            Err(CliError::new(format!(
                "Operation timed out: {kind} {id} status is still {status}"
            ))
            .hint(
                "To wait longer",
                format!(
                    "kamaki {} wait {id} --timeout <seconds>",
                    kind.to_lowercase()
                ),
            ))
        }
    }
}

/// Adds ` (name)` to the user uuids in `keys` of each item, as kamaki shows
/// owners in detail views (names from the user catalog; unknown uuids stay).
pub async fn with_user_names(
    session: &crate::session::Session,
    items: &mut [Value],
    keys: &[&str],
) {
    let uuids: Vec<String> = items
        .iter()
        .flat_map(|v| keys.iter().map(move |k| field(v, k)))
        .filter(|u| !u.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if uuids.is_empty() {
        return;
    }
    let names = session.usernames(&uuids).await;
    for v in items.iter_mut() {
        for key in keys {
            let uuid = field(v, key);
            if let (Some(name), Value::Object(m)) = (names.get(&uuid), &mut *v) {
                m.insert((*key).into(), Value::String(format!("{uuid} ({name})")));
            }
        }
    }
}
