//! The state of one invocation: global options, configuration, printer,
//! and how to open a session.

use std::io::{BufRead, Write};

use kamaki_core::{HttpClient, HttpConfig, LogOptions, TlsOptions, Token};

use crate::cli::{GlobalArgs, OutputFormat};
use crate::config::Config;
use crate::error::{CliError, CliResult};
use crate::output::Printer;
use crate::session::{select_cloud, select_cloud_name, Service, Session};

/// One invocation.
pub struct App {
    /// Global options.
    pub global: GlobalArgs,
    /// The configuration (with `-o` overrides).
    pub config: Config,
    /// How results are printed.
    pub printer: Printer,
    /// The words of the command (`server list`).
    pub command: String,
}

impl App {
    /// A new invocation state.
    pub fn new(global: GlobalArgs, config: Config, command: String) -> Self {
        let printer = Printer {
            json: global.output_format == Some(OutputFormat::Json),
            more: false,
        };
        App {
            global,
            config,
            printer,
            command,
        }
    }

    /// Whether progress bars are drawn.
    pub fn bars(&self) -> bool {
        crate::progress::bars_enabled(self.global.no_progress_bar)
    }

    /// HTTP settings from the options and the configuration.
    pub fn http_config(&self) -> HttpConfig {
        let ca_file = self.global.ca_certs.clone().or_else(|| {
            self.config
                .global("ca_certs")
                .filter(|s| !s.trim().is_empty())
                .map(Into::into)
        });
        HttpConfig {
            tls: TlsOptions {
                ca_file,
                insecure: self.global.ignore_ssl || self.config.global_on("ignore_ssl"),
            },
            log: LogOptions {
                log_token: self.config.global_on("log_token"),
                log_data: self.config.global_on("log_data")
                    || self.global.verbose >= 2
                    || self.global.verbose_with_data,
            },
            ..HttpConfig::default()
        }
    }

    /// Chooses the cloud and authenticates (`spec/cli.md` §3.6–3.7).
    pub async fn session(&mut self) -> CliResult<Session> {
        if let Some(notes) = self.config.legacy_layout() {
            return Err(CliError::new(format!(
                "Config file {} is in the layout of kamaki before 0.12",
                self.config.path().display()
            ))
            .detail("Convert it with these commands (or with the Python kamaki):")
            .details(notes.into_iter().map(|n| format!("  {n}"))));
        }
        let cloud = select_cloud(&self.config, self.global.cloud.as_deref())?;
        let http = HttpClient::with_config(self.http_config(), None)?;
        Session::start(&mut self.config, &cloud, http).await
    }

    /// The cloud of this run (without requiring its `url` and `token`).
    pub fn cloud_name(&self) -> CliResult<String> {
        select_cloud_name(&self.config, self.global.cloud.as_deref())
    }

    /// A cloud option of this run's cloud, when set and not empty.
    pub fn cloud_option(&self, key: &str) -> Option<String> {
        let cloud = self.cloud_name().ok()?;
        self.config
            .get_cloud(&cloud, key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The URL and token of a service configured directly with both
    /// `<svc>_url` and `<svc>_token` (`spec/cli.md` §3.5): such a service is
    /// used without authenticating, so it may be a plain OpenStack one.
    pub fn direct_service(&self, service: Service) -> CliResult<Option<(String, Token)>> {
        let prefix = service.config_prefix();
        let url = self.cloud_option(&format!("{prefix}_url"));
        let token = self.cloud_option(&format!("{prefix}_token"));
        if url.is_some() || token.is_some() {
            self.cloud_name()?;
        }
        Ok(match (url, token) {
            (Some(u), Some(t)) => Some((u, Token::new(t))),
            _ => None,
        })
    }

    /// An HTTP client with this run's settings carrying `token`.
    pub fn http(&self, token: Token) -> CliResult<HttpClient> {
        Ok(HttpClient::with_config(self.http_config(), Some(token))?)
    }

    /// The tokens configured for a cloud.
    pub fn cloud_tokens(&self, cloud: &str) -> Vec<String> {
        self.config
            .get_cloud(cloud, "token")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }
}

/// Asks a yes/no question on stdout; an empty answer (or end of input) is no.
pub fn ask(question: &str) -> bool {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{question} [y/N]: ");
    let _ = out.flush();
    drop(out);
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    line.trim_start().to_lowercase().starts_with('y')
}
