//! The `kamaki` command-line client for Synnefo and OpenStack clouds.
//!
//! `kamaki [GLOBAL OPTIONS] GROUP COMMAND [IDENTIFIER ...] [OPTIONS]`; see
//! `spec/cli.md`. Results go to stdout, everything else to stderr; errors
//! are a headline plus `|  ` detail lines and exit with status 1.

mod app;
mod cli;
mod commands;
mod config;
mod dates;
mod error;
mod history;
mod logging;
mod output;
mod progress;
mod session;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::app::App;
use crate::cli::{Cli, Group, HIDDEN_GROUPS};
use crate::config::Config;
use crate::error::{CliError, CliResult};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // Fast path: nothing but the version is needed (no runtime, config or TLS).
    if args.len() == 2 && (args[1] == "-V" || args[1] == "--version") {
        output::println(&format!("kamaki {}", env!("CARGO_PKG_VERSION")));
        return ExitCode::SUCCESS;
    }
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return clap_exit(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return clap_exit(e),
    };
    let mut words = Vec::new();
    let mut m = &matches;
    while let Some((name, sub)) = m.subcommand() {
        words.push(name.to_string());
        m = sub;
    }
    let command = words.join(" ");
    match run(cli, command, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((e, colors)) => {
            e.print(colors);
            ExitCode::from(e.exit_code)
        }
    }
}

/// Maps clap's outcomes to kamaki's (`spec/cli.md` §6.4, §12.2.1): help,
/// version and group listings exit 0 on stdout; usage errors are reported in
/// kamaki's error layout and exit 1 (never clap's 2).
fn clap_exit(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            output::emit(&e.render().to_string());
            ExitCode::SUCCESS
        }
        _ => {
            let text = e.render().to_string();
            let mut lines = text
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty());
            let headline = lines
                .next()
                .unwrap_or("Syntax error")
                .trim_start_matches("error: ")
                .to_string();
            let mut err = CliError::syntax(format!("Syntax error: {headline}"));
            let mut usage_of = None;
            for l in lines {
                let l = l.trim_start();
                if l.starts_with("For more information") {
                    continue;
                }
                if let Some(u) = l.strip_prefix("Usage: ") {
                    let words: Vec<&str> = u
                        .split_whitespace()
                        .take_while(|w| !w.starts_with(['[', '<']))
                        .collect();
                    usage_of = Some(words.join(" "));
                }
                err = err.detail(l.to_string());
            }
            if let Some(cmd) = usage_of {
                err = err.hint("For usage and options", format!("{cmd} --help"));
            }
            err.print(std::io::stderr().is_terminal());
            ExitCode::from(1)
        }
    }
}

/// The command line as recorded in the history and the log file, with
/// token-carrying arguments replaced by `...`.
fn command_line(args: &[OsString]) -> (String, Vec<String>) {
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut secrets = Vec::new();
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        for flag in ["--token", "--service-token"] {
            if w == flag {
                if let Some(v) = it.peek() {
                    secrets.push((*v).clone());
                }
            } else if let Some(v) = w.strip_prefix(&format!("{flag}=")) {
                secrets.push(v.to_string());
            }
        }
    }
    // `user authenticate TOKEN`
    let plain: Vec<&String> = words.iter().filter(|w| !w.starts_with('-')).collect();
    if plain.len() >= 3 && plain[0] == "user" && plain[1] == "authenticate" {
        secrets.push(plain[2].clone());
    }
    (format!("kamaki {}", words.join(" ")), secrets)
}

fn run(cli: Cli, command: String, args: &[OsString]) -> Result<(), (CliError, bool)> {
    let colors_guess = std::io::stderr().is_terminal();
    if let Group::Completion(_) = cli.group {
        let mut app = App::new(cli.global, Config::empty(Default::default()), command);
        return commands::run_local(&mut app, cli.group).map_err(|e| (e, colors_guess));
    }
    let path = config::config_path(cli.global.config.as_deref());
    let mut cfg = Config::load(path).map_err(|e| (e, colors_guess))?;
    if !cfg.exists() {
        let shown = std::path::absolute(cfg.path()).unwrap_or_else(|_| cfg.path().to_path_buf());
        output::warning(
            "kamaki.cli.config",
            &format!("Config file {} does not exist", shown.display()),
        );
    }
    for (k, v) in &cli.global.options {
        cfg.add_override(k, v).map_err(|e| (e, colors_guess))?;
    }
    let colors = cfg.global("colors").as_deref() == Some("on") && colors_guess;
    let group_name = cli.group.name();
    let key = format!("{group_name}_cli");
    let enabled = match cfg.global_explicit(&key) {
        Some(v) => !(v.trim().is_empty() || v.trim().eq_ignore_ascii_case("off")),
        None => !HIDDEN_GROUPS.contains(&group_name),
    };
    if !enabled {
        let enable = if HIDDEN_GROUPS.contains(&group_name) {
            format!("kamaki config set {key} astakos")
        } else {
            format!("kamaki config delete {key}")
        };
        let e = CliError::syntax(format!("Unknown command group `{group_name}`"))
            .hint(format!("To enable the {group_name} commands"), enable)
            .hint("To see the command groups", "kamaki --help");
        return Err((e, colors));
    }
    let (line, mut secrets) = command_line(args);
    for cloud in cfg.clouds() {
        if let Some(t) = cfg.get_cloud(&cloud, "token") {
            secrets.extend(t.split_whitespace().map(str::to_string));
        }
    }
    // kamaki's log file (default ~/.kamaki.log; an empty value turns it off)
    let log_file = cfg.global("log_file").filter(|s| !s.trim().is_empty());
    logging::init(
        &logging::LogSettings {
            verbose: cli.global.verbose,
            data: cli.global.verbose_with_data || cfg.global_on("log_data"),
            debug: cli.global.debug,
            log_file: log_file.map(Into::into),
            log_pid: cfg.global_on("log_pid"),
        },
        &kamaki_core::log::scrub(
            &line,
            &secrets.iter().map(String::as_str).collect::<Vec<_>>(),
        ),
    );
    let mut app = App::new(cli.global, cfg, command);
    app.printer.more = args.iter().any(|a| a == "--more");
    record_history(&app, &line, &secrets);
    let result = if commands::is_local(&cli.group) {
        commands::run_local(&mut app, cli.group)
    } else {
        run_async(&mut app, cli.group)
    };
    result.map_err(|e| (e, colors))
}

fn record_history(app: &App, line: &str, secrets: &[String]) {
    let history = commands::history::history_of(app);
    if history.path().as_os_str().is_empty() {
        return;
    }
    if let Err(e) = history.add(line, secrets) {
        tracing::debug!(target: "kamaki_cli", "history not recorded: {e}");
    }
}

fn run_async(app: &mut App, group: Group) -> CliResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("Cannot start the async runtime: {e}")))?;
    runtime.block_on(commands::run_remote(app, group))
}
