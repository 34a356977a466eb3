//! Errors as the user sees them: a headline and `|  ` detail lines on
//! stderr, and an exit status (`spec/cli.md` §6).

use std::fmt;
use std::io::Write;

use kamaki_core::{ClientError, ErrorKind};

/// How serious an error is; decides the headline colour (`spec/cli.md` §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Importance {
    /// Syntax problems (magenta).
    Syntax = 1,
    /// Not found, invalid value (yellow).
    Value = 2,
    /// Authorisation, server errors, configuration (red).
    Severe = 3,
}

/// An error reported to the user.
#[derive(Debug)]
pub struct CliError {
    /// The first line.
    pub headline: String,
    /// Detail lines (hints, ready-to-run commands, the raw server error).
    pub details: Vec<String>,
    /// Colour of the headline.
    pub importance: Importance,
    /// The exit status (1 for every reported error, `spec/cli.md` §6.4).
    pub exit_code: u8,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)?;
        for d in &self.details {
            write!(f, "\n|  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

impl CliError {
    /// A new error with a headline.
    pub fn new(headline: impl Into<String>) -> Self {
        CliError {
            headline: headline.into(),
            details: Vec::new(),
            importance: Importance::Severe,
            exit_code: 1,
        }
    }

    /// A syntax/usage error.
    pub fn syntax(headline: impl Into<String>) -> Self {
        Self::new(headline).importance(Importance::Syntax)
    }

    /// A bad value or missing object.
    pub fn value(headline: impl Into<String>) -> Self {
        Self::new(headline).importance(Importance::Value)
    }

    /// Sets the importance.
    pub fn importance(mut self, importance: Importance) -> Self {
        self.importance = importance;
        self
    }

    /// Appends one detail line.
    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    /// Appends detail lines.
    pub fn details<I, S>(mut self, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.details.extend(lines.into_iter().map(Into::into));
        self
    }

    /// Appends a hint: a sentence followed by a ready-to-run command.
    pub fn hint(self, text: impl Into<String>, command: impl Into<String>) -> Self {
        self.detail(text).detail(format!("  {}", command.into()))
    }

    /// The error of a command whose service library is not in this build.
    pub fn not_available(command: &str) -> Self {
        CliError::new(format!(
            "Command `{command}` is not available in this build"
        ))
        .detail("The client library it needs is not part of this kamaki yet")
        .hint("To see the commands of this build", "kamaki --help")
    }

    /// Writes the error to stderr, coloured when `colors` is on and stderr a terminal.
    pub fn print(&self, colors: bool) {
        let mut err = std::io::stderr().lock();
        let headline = if colors {
            let code = match self.importance {
                Importance::Syntax => "35",
                Importance::Value => "33",
                Importance::Severe => "31",
            };
            format!("\x1b[{code}m{}\x1b[0m", self.headline)
        } else {
            self.headline.clone()
        };
        let _ = writeln!(err, "{headline}");
        for d in &self.details {
            let _ = writeln!(err, "|  {d}");
        }
        let _ = err.flush();
    }
}

/// The server's error as the last detail line of a friendlier error:
/// `404 Not Found itemNotFound (...)`.
pub fn server_line(e: &ClientError) -> String {
    let msg = e.message.trim_end();
    if e.status != 0 {
        format!("{} {msg}", e.status)
    } else {
        msg.to_string()
    }
}

/// Lines of a server message, trailing newlines dropped.
fn message_lines(message: &str) -> Vec<String> {
    message
        .trim_end_matches('\n')
        .lines()
        .map(str::to_string)
        .collect()
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> Self {
        let msg = e.message.trim_end().to_string();
        match e.kind {
            ErrorKind::Http => {
                let headline = if e.status != 0 {
                    format!("({}) {}", e.status, msg)
                } else {
                    msg
                };
                let importance = match e.http_status.unwrap_or(e.status) {
                    404 | 400 | 409 | 413 => Importance::Value,
                    _ => Importance::Severe,
                };
                let mut err = CliError::new(headline)
                    .importance(importance)
                    .details(e.details.iter().flat_map(|d| message_lines(d)));
                if e.is_unauthorized() {
                    err = err
                        .hint(
                            "Authorization failed. To check the token",
                            "kamaki user authenticate",
                        )
                        .hint(
                            "To set a new token",
                            "kamaki config set cloud.<cloud>.token <token>",
                        );
                }
                err
            }
            ErrorKind::Tls => CliError::new("SSL Authentication failed")
                .detail(msg)
                .hint(
                    "To use a CA certificates bundle",
                    "kamaki config set ca_certs <FILE>",
                )
                .detail("  (or, for this run, --ca-certs <FILE>)")
                .hint(
                    "To skip certificate checks (insecure)",
                    "kamaki config set ignore_ssl on",
                )
                .detail("  (or, for this run, -k / --ignore-ssl)"),
            ErrorKind::InvalidArgument => CliError::value(msg).details(e.details),
            ErrorKind::Catalog => CliError::new(msg).details(e.details).hint(
                "To see the services of this cloud",
                "kamaki user authenticate",
            ),
            _ => CliError::new(msg).details(e.details),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::new(e.to_string())
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_error_layout() {
        let body = br#"{"itemNotFound": {"code": 404, "message": "Server not found", "details": "gone\nfor good"}}"#;
        let ce = ClientError::from_response(404, "Not Found", body.as_slice().into(), None);
        let e = CliError::from(ce);
        assert_eq!(
            e.headline,
            "(404) Not Found itemNotFound (Server not found)"
        );
        assert_eq!(e.importance, Importance::Value);
        assert_eq!(
            e.to_string(),
            "(404) Not Found itemNotFound (Server not found)\n|  gone\n|  for good"
        );
    }

    #[test]
    fn hints_are_indented_commands() {
        let e = CliError::new("No cloud is configured")
            .hint("To add one", "kamaki config set cloud.x.url U");
        assert_eq!(
            e.to_string(),
            "No cloud is configured\n|  To add one\n|    kamaki config set cloud.x.url U"
        );
    }
}
