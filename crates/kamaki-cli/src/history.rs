//! The command history file (`spec/cli.md` §8): first line a counter of
//! trimmed lines, then one command per line.

use std::path::{Path, PathBuf};

use crate::error::{CliError, CliResult};

/// Commands never recorded (they may carry tokens).
const IGNORED: [&[&str]; 1] = [&["config", "set"]];

/// The history file.
#[derive(Clone, Debug)]
pub struct History {
    path: PathBuf,
    limit: usize,
}

/// What the file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entries {
    /// Lines trimmed so far.
    pub counter: u64,
    /// Stored commands, oldest first.
    pub lines: Vec<String>,
}

impl History {
    /// The history at `path`, keeping at most `limit` lines (0 = unlimited).
    pub fn new(path: impl Into<PathBuf>, limit: usize) -> Self {
        History {
            path: path.into(),
            limit,
        }
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file; files without the counter line (before kamaki 0.13)
    /// are read as counter 0.
    pub fn read(&self) -> CliResult<Entries> {
        let text = match std::fs::read(&self.path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Entries::default()),
            Err(e) => {
                return Err(CliError::new(format!(
                    "Cannot read history file {}",
                    self.path.display()
                ))
                .detail(e.to_string()))
            }
        };
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let counter = match lines.first().map(|l| l.trim().parse::<u64>()) {
            Some(Ok(n)) => {
                lines.remove(0);
                n
            }
            _ => 0,
        };
        Ok(Entries { counter, lines })
    }

    fn write(&self, entries: &Entries) -> CliResult<()> {
        let mut text = format!("{}\n", entries.counter);
        for l in &entries.lines {
            text.push_str(l);
            text.push('\n');
        }
        crate::config::write_private(&self.path, text.as_bytes()).map_err(|e| {
            CliError::new(format!("Cannot write history file {}", self.path.display()))
                .detail(e.to_string())
        })
    }

    /// Appends a command line, with `secrets` replaced by `...`, unless it is
    /// an ignored command; then applies the limit.
    pub fn add(&self, line: &str, secrets: &[String]) -> CliResult<()> {
        let words: Vec<String> = line
            .split_whitespace()
            .filter(|w| !w.starts_with('-'))
            .map(str::to_lowercase)
            .collect();
        for ignored in IGNORED {
            let n = ignored.len();
            // the first word is the program (or, in the shell, the group)
            for start in [0usize, 1] {
                if words.len() >= start + n
                    && words[start..start + n]
                        .iter()
                        .zip(ignored.iter())
                        .all(|(a, b)| a == b)
                {
                    return Ok(());
                }
            }
        }
        let mut line = line.replace('\n', " ");
        for s in secrets {
            if s.len() >= 4 {
                line = line.replace(s.as_str(), "...");
            }
        }
        let mut entries = self.read()?;
        entries.lines.push(line);
        if self.limit > 0 && entries.lines.len() > self.limit {
            let extra = entries.lines.len() - self.limit;
            entries.lines.drain(..extra);
            entries.counter += extra as u64;
        }
        self.write(&entries)
    }

    /// Empties the file and resets the counter.
    pub fn clean(&self) -> CliResult<()> {
        self.write(&Entries::default())
    }
}

/// Parses a history slice (`N`, `:N`, `N:`, `A:B`, negatives allowed) and
/// applies it with Python slice semantics.
pub fn apply_slice<T: Clone>(items: &[T], spec: Option<&str>) -> CliResult<Vec<(usize, T)>> {
    let len = items.len() as i64;
    let parse = |s: &str| -> CliResult<Option<i64>> {
        if s.is_empty() {
            return Ok(None);
        }
        s.trim().parse::<i64>().map(Some).map_err(|_| {
            CliError::syntax(format!("Invalid history slice `{s}`")).detail("Use N, :N, N: or A:B")
        })
    };
    let norm = |i: i64| -> i64 {
        if i < 0 {
            (len + i).max(0)
        } else {
            i.min(len)
        }
    };
    let indexed: Vec<(usize, T)> = items.iter().cloned().enumerate().collect();
    let Some(spec) = spec.filter(|s| !s.is_empty()) else {
        return Ok(indexed);
    };
    match spec.split_once(':') {
        None => {
            let i = parse(spec)?.unwrap_or(0);
            let idx = if i < 0 { len + i } else { i };
            if idx < 0 || idx >= len {
                return Ok(Vec::new());
            }
            Ok(vec![indexed[idx as usize].clone()])
        }
        Some((a, b)) => {
            let start = parse(a)?.map(norm).unwrap_or(0);
            let end = parse(b)?.map(norm).unwrap_or(len);
            if start >= end {
                return Ok(Vec::new());
            }
            Ok(indexed[start as usize..end as usize].to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_limit_and_scrub() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::new(dir.path().join("h"), 2);
        h.add("kamaki server list", &[]).unwrap();
        h.add("kamaki config set cloud.x.token SECRET", &[])
            .unwrap();
        h.add("kamaki -v config set x y", &[]).unwrap();
        h.add("kamaki user authenticate s3cr3t", &["s3cr3t".into()])
            .unwrap();
        h.add("kamaki flavor list", &[]).unwrap();
        let e = h.read().unwrap();
        assert_eq!(e.counter, 1);
        assert_eq!(
            e.lines,
            ["kamaki user authenticate ...", "kamaki flavor list"]
        );
        h.clean().unwrap();
        assert_eq!(h.read().unwrap(), Entries::default());
        assert_eq!(std::fs::read_to_string(h.path()).unwrap(), "0\n");
    }

    #[test]
    fn old_files_without_counter() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h");
        std::fs::write(&p, "kamaki server list\nkamaki file list\n").unwrap();
        let e = History::new(&p, 0).read().unwrap();
        assert_eq!((e.counter, e.lines.len()), (0, 2));
    }

    #[test]
    fn slices() {
        let v = ["a", "b", "c", "d"];
        let pick = |s| {
            apply_slice(&v, Some(s))
                .unwrap()
                .into_iter()
                .map(|(_, x)| x)
                .collect::<Vec<_>>()
        };
        assert_eq!(pick("1"), ["b"]);
        assert_eq!(pick(":2"), ["a", "b"]);
        assert_eq!(pick("2:"), ["c", "d"]);
        assert_eq!(pick("1:3"), ["b", "c"]);
        assert_eq!(pick("-1"), ["d"]);
        assert_eq!(pick("-2:"), ["c", "d"]);
        assert!(pick("9").is_empty());
        assert!(apply_slice(&v, Some("x:")).is_err());
    }
}
