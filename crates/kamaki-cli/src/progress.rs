//! Progress bars on stderr with indicatif, behind kamaki-core's `Progress`
//! trait (`spec/cli.md` §5.1): `LABEL (25 chars) |bar| P% - ETA`. Hidden when
//! stderr is not a terminal or with `-N/--no-progress-bar`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar (or nothing, when hidden).
#[derive(Clone, Debug)]
pub struct Bar {
    bar: ProgressBar,
}

/// Whether bars are drawn: not with `-N`, and only on a terminal.
pub fn bars_enabled(no_progress_bar: bool) -> bool {
    !no_progress_bar && std::io::stderr().is_terminal()
}

impl Bar {
    /// A bar labelled `label`; hidden unless `enabled`.
    pub fn new(label: &str, enabled: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            None,
            if enabled {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        if let Ok(style) = ProgressStyle::with_template("{msg:<25} |{bar:20}| {percent}% - {eta}") {
            bar.set_style(style.progress_chars("█▌ "));
        }
        bar.set_message(label.to_string());
        Bar { bar }
    }

    /// The underlying indicatif bar.
    pub fn inner(&self) -> &ProgressBar {
        &self.bar
    }
}

impl kamaki_core::Progress for Bar {
    fn start(&self, total: Option<u64>) {
        if let Some(t) = total {
            self.bar.set_length(t);
        }
    }
    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
    fn finish(&self) {
        self.bar.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kamaki_core::Progress;

    #[test]
    fn hidden_bar_counts() {
        let b = Bar::new("Uploading x", false);
        b.start(Some(10));
        b.advance(4);
        assert_eq!(b.inner().position(), 4);
        assert!(b.inner().is_hidden());
        b.finish();
    }
}
