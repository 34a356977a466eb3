//! Global options, usage errors and exit codes.

use predicates::prelude::*;

use crate::cli::common::Env;

#[test]
fn version_is_printed_fast_path_and_late() {
    let env = Env::new();
    env.kamaki()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("kamaki {}\n", env!("CARGO_PKG_VERSION")));
    env.kamaki()
        .arg("-V")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("kamaki "));
    env.kamaki()
        .args(["-k", "-V"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("kamaki "));
}

#[test]
fn bare_kamaki_prints_help_and_succeeds_without_config() {
    let env = Env::new();
    env.kamaki()
        .assert()
        .success()
        .stdout(predicate::str::contains("server").and(predicate::str::contains("Usage: kamaki")));
}

#[test]
fn group_without_command_lists_its_commands() {
    let env = Env::new();
    env.kamaki()
        .arg("server")
        .assert()
        .success()
        .stdout(predicate::str::contains("list").and(predicate::str::contains("tagstatus")));
}

#[test]
fn help_anywhere_never_needs_a_cloud() {
    let env = Env::new();
    env.kamaki()
        .args(["server", "create", "-h"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--flavor-id").and(predicate::str::contains("--cloud")));
}

#[test]
fn usage_errors_exit_1_in_kamaki_layout() {
    let env = Env::new();
    // unknown command
    env.kamaki()
        .args(["server", "frobnicate"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Syntax error: unrecognized subcommand 'frobnicate'",
        ));
    // unknown option: rejected, not used as an identifier (spec 12.2.2)
    env.kamaki()
        .args(["user", "uuid2name", "--bogus"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--bogus").and(predicate::str::contains("|  ")));
    // missing positional
    env.kamaki()
        .args(["server", "info"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("<SERVER_ID>")
                .and(predicate::str::contains("|    kamaki server info --help")),
        );
    // long options are not abbreviated
    env.kamaki()
        .args(["flavor", "list", "--det"])
        .assert()
        .code(1);
    // missing required option
    env.kamaki()
        .args(["server", "create", "--name", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--flavor-id"));
    // not a key=value
    env.kamaki()
        .args(["server", "list", "--metadata", "novalue"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("KEY=VALUE"));
}

#[test]
fn output_format_accepts_json_in_any_case_only() {
    let env = Env::new();
    env.kamaki()
        .args(["config", "get", "colors", "--output-format", "JSON"])
        .assert()
        .success();
    env.kamaki()
        .args(["config", "get", "colors", "--output-format=yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("json"));
}

#[test]
fn global_options_go_anywhere() {
    let env = Env::new();
    env.kamaki()
        .args(["config", "-o", "colors=on", "get", "colors"])
        .assert()
        .success()
        .stdout("on\n");
    env.kamaki()
        .args([
            "config",
            "get",
            "colors",
            "-o",
            "colors=on",
            "--options=log_data=on",
        ])
        .assert()
        .success()
        .stdout("on\n");
}

#[test]
fn no_cloud_configured_is_explained() {
    let env = Env::new();
    env.kamaki().args(["user", "info"]).assert().code(1).stderr(
        predicate::str::contains("No cloud is configured")
            .and(predicate::str::contains(
                "|    kamaki config set cloud.<cloud name>.url <URL>",
            ))
            .and(predicate::str::contains(
                "|    kamaki config set cloud.<cloud name>.token <token>",
            ))
            .and(predicate::str::contains("Config file")),
    );
}

#[test]
fn hidden_groups_need_their_key() {
    let env = Env::new();
    env.kamaki()
        .args(["commission", "pending"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "|    kamaki config set commission_cli astakos",
        ));
    env.kamaki()
        .args(["--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("commission").not());
}

#[test]
fn disabled_groups_are_refused() {
    let env = Env::new();
    env.write_cfg("[global]\nflavor_cli = off\n");
    env.kamaki()
        .args(["flavor", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Unknown command group `flavor`"));
}

#[test]
fn completion_scripts() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish"] {
        env.kamaki()
            .args(["completion", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("kamaki").and(predicate::str::contains("flavor")));
    }
}

#[test]
fn legacy_config_files_are_detected() {
    let env = Env::new();
    env.write_cfg(
        "[global]\nurl = https://old.example.org\ntoken = T0KEN\n\n[store]\ncontainer = backups\n",
    );
    env.kamaki().args(["user", "info"]).assert().code(1).stderr(
        predicate::str::contains("layout of kamaki before 0.12")
            .and(predicate::str::contains(
                "kamaki config set cloud.default.url https://old.example.org",
            ))
            .and(predicate::str::contains("pithos_container backups"))
            .and(predicate::str::contains("T0KEN").not()),
    );
}
