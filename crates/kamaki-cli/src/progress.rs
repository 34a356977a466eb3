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
    #[cfg(test)]
    pub fn inner(&self) -> &ProgressBar {
        &self.bar
    }
}

/// The bar of a wait (`spec/cli.md` §5.2): for a server in `BUILD` it
/// follows the server's `progress` percentage, otherwise it counts down to
/// the timeout, labelled `... still STATUS` or `... not yet STATUS`.
#[derive(Debug)]
pub struct WaitBar {
    bar: ProgressBar,
    label: String,
    status: String,
    until: bool,
    timeout: u64,
    start: std::time::Instant,
}

impl WaitBar {
    /// A wait bar for `label` (e.g. `Server 42`) waiting while (or, with
    /// `until`, until) `status`, for at most `timeout` seconds.
    pub fn new(label: &str, status: &str, until: bool, timeout: u64, enabled: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(timeout.max(1)),
            if enabled {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        if let Ok(style) = ProgressStyle::with_template("{msg} |{bar:20}| {prefix}") {
            bar.set_style(style.progress_chars("█▌ "));
        }
        let w = WaitBar {
            bar,
            label: label.to_string(),
            status: status.to_string(),
            until,
            timeout,
            start: std::time::Instant::now(),
        };
        w.poll(status, None);
        w
    }

    /// Updates the bar after a poll that saw `status` (and the build
    /// `progress` percentage, for servers).
    pub fn poll(&self, status: &str, progress: Option<u64>) {
        let elapsed = self.start.elapsed().as_secs();
        match progress {
            Some(p) if status.eq_ignore_ascii_case("BUILD") => {
                self.bar.set_length(100);
                self.bar.set_position(p.min(100));
                self.bar
                    .set_message(format!("{} status still BUILD", self.label));
                self.bar.set_prefix(format!("{}%", p.min(100)));
            }
            _ => {
                self.bar.set_length(self.timeout.max(1));
                self.bar.set_position(elapsed.min(self.timeout));
                let how = if self.until { "not yet" } else { "still" };
                self.bar
                    .set_message(format!("{} {how} {}", self.label, self.status));
                self.bar.set_prefix(format!(
                    "{}s to timeout",
                    self.timeout.saturating_sub(elapsed)
                ));
            }
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Whether the bar is hidden.
    #[cfg(test)]
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
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

    #[test]
    fn hidden_wait_bar_follows_build_progress() {
        let w = WaitBar::new("Server 42", "BUILD", false, 60, false);
        assert!(w.is_hidden());
        w.poll("BUILD", Some(55));
        assert_eq!(w.bar.position(), 55);
        assert_eq!(w.bar.message(), "Server 42 status still BUILD");
        w.poll("ACTIVE", None);
        assert_eq!(w.bar.message(), "Server 42 still BUILD");
        w.finish();
    }
}
