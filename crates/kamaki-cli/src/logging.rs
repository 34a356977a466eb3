//! Logging and verbosity (`spec/cli.md` §7): `-v`, `-vv`, `-d` and the log
//! file, on the `tracing` targets kamaki-core logs to (`kamaki`,
//! `kamaki::send` for requests, `kamaki::recv` for responses).
//!
//! On stderr request lines are prefixed `> ` and response lines `< `.
//! Bodies are shown only with `-vv` (or `log_data = on`); tokens are
//! redacted by kamaki-core unless `log_token = on`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// What to log where.
#[derive(Clone, Debug, Default)]
pub struct LogSettings {
    /// `-v` count (2 = with bodies).
    pub verbose: u8,
    /// `--verbose-with-data`, or `log_data = on`.
    pub data: bool,
    /// `-d`.
    pub debug: bool,
    /// `log_file`, when configured.
    pub log_file: Option<PathBuf>,
    /// `log_pid = on`.
    pub log_pid: bool,
}

#[derive(Default)]
struct MessageVisitor {
    message: String,
    fields: String,
}

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }
}

/// Formats events kamaki's way on stderr and in the log file.
struct KamakiLayer {
    stderr_http: bool,
    stderr_debug: bool,
    data: bool,
    log_pid: bool,
    file: Option<Mutex<std::fs::File>>,
}

fn http_direction(target: &str) -> Option<&'static str> {
    if target.starts_with("kamaki::send") {
        Some("> ")
    } else if target.starts_with("kamaki::recv") {
        Some("< ")
    } else {
        None
    }
}

impl KamakiLayer {
    fn render(&self, event: &Event<'_>, visitor: &MessageVisitor, prefix: &str) -> String {
        let mut text = visitor.message.clone();
        // a streamed request body: its length when known
        if let Some(rest) = text.strip_prefix("data size: Some(") {
            if let Some((n, tail)) = rest.split_once(')') {
                text = format!("data size: {n}{tail}");
            }
        } else if text.starts_with("data size: None") {
            text = text.replacen("data size: None", "data size: unknown (streamed)", 1);
        }
        if !self.data && text.starts_with("data size:") {
            if let Some((first, _)) = text.split_once('\n') {
                text = first.to_string();
            }
        }
        if *event.metadata().level() > Level::TRACE || !visitor.fields.is_empty() {
            text.push_str(&visitor.fields);
        }
        let pid = if self.log_pid {
            format!(" [pid {}]", std::process::id())
        } else {
            String::new()
        };
        let mut out = String::new();
        for line in text.trim_end_matches('\n').lines() {
            out.push_str(prefix);
            out.push_str(line);
            out.push_str(&pid);
            out.push('\n');
        }
        out
    }
}

impl<S: Subscriber> Layer<S> for KamakiLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let level = *meta.level();
        let target = meta.target();
        let mut visitor = MessageVisitor::default();
        event.record(&mut visitor);
        let http = http_direction(target);
        // stderr
        let show = if level <= Level::WARN {
            true
        } else if http.is_some() {
            (self.stderr_http && level == Level::TRACE) || self.stderr_debug
        } else {
            self.stderr_debug
        };
        if show {
            let text = match (level, http) {
                (Level::WARN | Level::ERROR, None) => {
                    let label = if level == Level::ERROR {
                        "ERROR"
                    } else {
                        "WARNING"
                    };
                    format!(
                        "{label} ({target}): {}{}\n",
                        visitor.message, visitor.fields
                    )
                }
                (_, Some(p)) => self.render(event, &visitor, p),
                _ => self.render(event, &visitor, &format!("{level} ({target}): ")),
            };
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
        }
        // log file: HTTP exchanges and anything at INFO or more
        if let Some(file) = &self.file {
            if http.is_some() && level != Level::TRACE && !self.stderr_debug {
                return;
            }
            let text = self.render(event, &visitor, "");
            if let Ok(mut f) = file.lock() {
                let _ = f.write_all(text.as_bytes());
            }
        }
    }
}

/// Opens the log file for appending (mode 0600).
fn open_log(path: &PathBuf) -> Option<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).ok()
}

/// Installs the subscriber. `command_line` is written to the log file first,
/// followed by kamaki's `- - -` separator.
pub fn init(settings: &LogSettings, command_line: &str) {
    let stderr_http = settings.verbose >= 1 || settings.data;
    let data = settings.verbose >= 2 || settings.data;
    let mut file = None;
    if let Some(path) = &settings.log_file {
        if settings.debug {
            crate::output::note(&format!("Logging location: {}", path.display()));
        }
        if let Some(mut f) = open_log(path) {
            let _ = writeln!(f, "{command_line}\n- - -");
            file = Some(Mutex::new(f));
        }
    }
    let http_level = if stderr_http || file.is_some() || settings.debug {
        Level::TRACE
    } else {
        Level::WARN
    };
    let base = if settings.debug {
        Level::DEBUG
    } else {
        Level::WARN
    };
    let filter = Targets::new()
        .with_default(Level::WARN)
        .with_target(
            "kamaki",
            if settings.debug {
                Level::DEBUG
            } else {
                Level::INFO
            },
        )
        .with_target("kamaki::send", http_level)
        .with_target("kamaki::recv", http_level)
        .with_target("kamaki_cli", base)
        .with_target("kamaki_core", base)
        .with_target("kamaki_openstack", base)
        .with_target("kamaki_synnefo", base);
    let layer = KamakiLayer {
        stderr_http,
        stderr_debug: settings.debug,
        data,
        log_pid: settings.log_pid,
        file,
    };
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}
