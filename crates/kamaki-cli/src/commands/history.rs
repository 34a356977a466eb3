//! `history show/clean` (`spec/cli.md` §8).

use crate::app::App;
use crate::cli::{HistoryCmd, HistoryShow};
use crate::error::CliResult;
use crate::history::{apply_slice, History};
use crate::output::{emit, escape_ctrl};

/// The history file of this configuration.
pub fn history_of(app: &App) -> History {
    let path = app.config.global("history_file").unwrap_or_default();
    let limit = app
        .config
        .global("history_limit")
        .and_then(|l| l.trim().parse::<usize>().ok())
        .unwrap_or(0);
    History::new(path, limit)
}

/// Runs a `history` command.
pub fn run(app: &mut App, cmd: HistoryCmd) -> CliResult {
    let history = history_of(app);
    match cmd {
        HistoryCmd::Show(a) => show(&history, &a),
        HistoryCmd::Clean(_) => history.clean(),
    }
}

fn show(history: &History, a: &HistoryShow) -> CliResult {
    let entries = history.read()?;
    let picked = apply_slice(&entries.lines, a.slice.as_deref())?;
    let terms: Vec<&str> = a
        .match_terms
        .as_deref()
        .map(|m| m.split_whitespace().collect())
        .unwrap_or_default();
    let mut out = String::new();
    for (i, line) in picked {
        if !terms.iter().all(|t| line.contains(t)) {
            continue;
        }
        // Numbered from 1 after the trimmed lines (spec/cli.md §12.2.11).
        let n = entries.counter + i as u64 + 1;
        out.push_str(&format!(" {n}.\t{}\n", escape_ctrl(&line)));
    }
    emit(&out);
    Ok(())
}
