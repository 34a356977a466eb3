//! Rendering results (`spec/cli.md` §4): kamaki's record and listing
//! layouts, Pithos listings, humanised sizes and `--output-format json`.
//! Results go to stdout; notes go to stderr through [`note`].

use std::io::Write;

use serde_json::Value;

/// Indentation step of nested records.
pub const INDENT: usize = 4;

/// Escapes control characters in server-provided text (grnet/kamaki#32).
/// Line breaks and tabs are kept (private keys, descriptions).
pub fn escape_ctrl(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.split('\n')
        .map(|line| {
            line.split('\t')
                .map(kamaki_core::log::escape_ctrl_chars)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A scalar as Python would print it: `None`, `True`, `False`, numbers, text.
pub fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "None".to_string(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => escape_ctrl(s),
        other => escape_ctrl(&other.to_string()),
    }
}

/// JSON with 4-space indentation and a final newline.
pub fn json_text(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if serde::Serialize::serialize(v, &mut ser).is_err() {
        return format!("{v}\n");
    }
    let mut s = String::from_utf8_lossy(&buf).into_owned();
    s.push('\n');
    s
}

/// kamaki's `print_dict`: one `key: value` line per field, nested maps and
/// lists indented by 4.
pub fn record(map: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    record_enumerated(map, indent, false, out);
}

fn record_enumerated(
    map: &serde_json::Map<String, Value>,
    indent: usize,
    enumerate: bool,
    out: &mut String,
) {
    for (i, (k, v)) in map.iter().enumerate() {
        let mut line = " ".repeat(indent);
        if enumerate {
            line.push_str(&format!("{}.", i + 1));
        }
        line.push_str(&escape_ctrl(k.trim()));
        line.push(':');
        match v {
            Value::Object(m) => {
                out.push_str(&line);
                out.push('\n');
                record(m, indent + INDENT, out);
            }
            Value::Array(a) => {
                out.push_str(&line);
                out.push('\n');
                list(a, indent + INDENT, out);
            }
            other => {
                out.push_str(&line);
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

/// kamaki's `print_list`: scalars one per line, mappings as blocks separated
/// by blank lines.
pub fn list(items: &[Value], indent: usize, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Object(m) => {
                if i > 0 {
                    out.push('\n');
                }
                record(m, indent, out);
            }
            Value::Array(a) => {
                if i > 0 {
                    out.push('\n');
                }
                list(a, indent + INDENT, out);
            }
            other => {
                out.push_str(&" ".repeat(indent));
                out.push_str(scalar(other).trim());
                out.push('\n');
            }
        }
    }
}

/// kamaki's `print_items`: per item a title line made of the `title` fields
/// (sorted by field name, separated by a space), then the other fields as a
/// record indented by 4. `enumerate` prefixes titles with `N. `.
pub fn items(items: &[Value], title: &[&str], enumerate: bool, out: &mut String) {
    let mut keys: Vec<&str> = title.to_vec();
    keys.sort_unstable();
    keys.dedup();
    for (i, item) in items.iter().enumerate() {
        if enumerate {
            out.push_str(&format!("{}. ", i + 1));
        }
        match item {
            Value::Object(m) => {
                let mut m = m.clone();
                let header: Vec<String> = keys
                    .iter()
                    .filter_map(|k| m.shift_remove(*k))
                    .map(|v| scalar(&v))
                    .collect();
                out.push_str(&header.join(" "));
                out.push('\n');
                record(&m, INDENT, out);
            }
            Value::Array(a) => list(a, INDENT, out),
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

/// Humanised binary size: `1536` → `1.5KiB`, `1024` → `1KiB`, `1000` → `1000B`.
pub fn format_size(size: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = size as f64;
    let mut unit = UNITS[0];
    for (i, u) in UNITS.iter().enumerate() {
        unit = u;
        if value < 1024.0 || i + 1 == UNITS.len() {
            break;
        }
        value /= 1024.0;
    }
    let mut s = format!("{value:.2}");
    if s.starts_with("1024") && value <= 1024.0 {
        s = "1023.99".to_string();
    }
    while s.contains('.') && (s.ends_with('0') || s.ends_with('.')) {
        s.pop();
    }
    format!("{s}{unit}")
}

/// Parses a data size: `<number><unit>`, units `B`, `KiB`..`TiB` (×1024) or
/// `KB`..`TB` (×1000), case-insensitive; a bare number is bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("Invalid data size `{text}`"))?;
    let factor: f64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1.0,
        "KIB" => 1024.0,
        "MIB" => 1024.0_f64.powi(2),
        "GIB" => 1024.0_f64.powi(3),
        "TIB" => 1024.0_f64.powi(4),
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        _ => {
            return Err(format!(
                "Invalid data size unit in `{text}` (use B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)"
            ))
        }
    };
    Ok((n * factor) as u64)
}

/// Writes text to stdout, ignoring a closed pipe.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Writes text to stdout, through the pager (`$PAGER`, else `less -FRX`)
/// when `more` is set and stdout is a terminal (`--more`).
pub fn page(text: &str, more: bool) {
    use std::io::IsTerminal;
    if more && std::io::stdout().is_terminal() {
        let pager = std::env::var("PAGER")
            .ok()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| "less -FRX".to_string());
        let mut words = pager.split_whitespace();
        if let Some(program) = words.next() {
            let child = std::process::Command::new(program)
                .args(words)
                .stdin(std::process::Stdio::piped())
                .spawn();
            if let Ok(mut child) = child {
                if let Some(mut stdin) = child.stdin.take() {
                    let _ = stdin.write_all(text.as_bytes());
                }
                let _ = child.wait();
                return;
            }
        }
    }
    emit(text);
}

/// Writes one line to stdout.
pub fn println(text: &str) {
    emit(&format!("{text}\n"));
}

/// Writes a note (status, progress text, warnings) to stderr.
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
    let _ = err.flush();
}

/// A kamaki-style warning on stderr: `WARNING (logger): message`.
pub fn warning(logger: &str, text: &str) {
    note(&format!("WARNING ({logger}): {text}"));
}

/// How results are printed for this run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Printer {
    /// `--output-format json`.
    pub json: bool,
    /// `--more`: human output goes through the pager.
    pub more: bool,
}

impl Printer {
    /// Prints one record (JSON object in JSON mode).
    pub fn record(&self, v: &Value) {
        if self.json {
            emit(&json_text(v));
            return;
        }
        let mut out = String::new();
        match v {
            Value::Object(m) => record(m, 0, &mut out),
            Value::Array(a) => list(a, 0, &mut out),
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
        emit(&out);
    }

    /// Prints a listing with kamaki's title lines (JSON array in JSON mode).
    pub fn items(&self, v: &[Value], title: &[&str], enumerate: bool) {
        if self.json {
            emit(&json_text(&Value::Array(v.to_vec())));
            return;
        }
        let mut out = String::new();
        items(v, title, enumerate, &mut out);
        page(&out, self.more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn record_layout_matches_kamaki() {
        let v = json!({"id": 42, "name": "web-01", "metadata": {"os": "debian", "users": "root"},
            "attachments": [{"id": "nic-42-0", "network_id": 7}, {"id": "nic-42-1", "network_id": 11}],
            "roles_links": [], "public": false, "gone": null});
        let mut out = String::new();
        record(v.as_object().unwrap(), 0, &mut out);
        assert_eq!(
            out,
            "id: 42\nname: web-01\nmetadata:\n    os: debian\n    users: root\nattachments:\n    \
             id: nic-42-0\n    network_id: 7\n\n    id: nic-42-1\n    network_id: 11\nroles_links:\n\
             public: False\ngone: None\n"
        );
    }

    #[test]
    fn listing_layout_matches_kamaki() {
        let v = vec![
            json!({"name": "web-01", "id": 1201}),
            json!({"id": 1202, "name": "web-02", "status": "ACTIVE"}),
        ];
        let mut out = String::new();
        items(&v, &["id", "name"], false, &mut out);
        assert_eq!(out, "1201 web-01\n1202 web-02\n    status: ACTIVE\n");
        let mut out = String::new();
        items(&v[..1], &["id", "name"], true, &mut out);
        assert_eq!(out, "1. 1201 web-01\n");
    }

    #[test]
    fn sizes() {
        assert_eq!(format_size(1536), "1.5KiB");
        assert_eq!(format_size(1024), "1KiB");
        assert_eq!(format_size(1000), "1000B");
        assert_eq!(format_size(0), "0B");
        assert_eq!(
            format_size(3 * 1024 * 1024 * 1024 + 200 * 1024 * 1024),
            "3.2GiB"
        );
        assert_eq!(parse_size("1.5KiB").unwrap(), 1536);
        assert_eq!(parse_size("2gb").unwrap(), 2_000_000_000);
        assert_eq!(parse_size("77").unwrap(), 77);
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn json_uses_four_spaces_and_keeps_order() {
        let v = json!({"z": 1, "a": [true]});
        assert_eq!(
            json_text(&v),
            "{\n    \"z\": 1,\n    \"a\": [\n        true\n    ]\n}\n"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(scalar(&json!("evil\u{1b}[2J")), "evil\\x1b[2J");
        assert_eq!(scalar(&json!("a\nb\u{7}")), "a\nb\\x07");
    }
}
