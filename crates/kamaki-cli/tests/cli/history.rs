//! The history file and the `history` group.

use predicates::prelude::*;

use crate::cli::common::Env;

#[test]
fn history_records_scrubs_and_shows() {
    let env = Env::new();
    env.kamaki()
        .args(["config", "set", "cloud.lab.token", "SECRET-TOKEN"])
        .assert()
        .success();
    env.kamaki()
        .args(["config", "get", "cloud.lab.token"])
        .assert()
        .success();
    env.kamaki()
        .args(["flavor", "list", "--cloud", "x"])
        .assert()
        .code(1);
    let h = env.history();
    assert!(!h.contains("config set"), "{h}");
    assert!(!h.contains("SECRET-TOKEN"), "{h}");
    assert!(h.starts_with("0\n"));
    env.kamaki()
        .args(["history", "show"])
        .assert()
        .success()
        .stdout(" 1.\tkamaki config get cloud.lab.token\n 2.\tkamaki flavor list --cloud x\n 3.\tkamaki history show\n");
    env.kamaki()
        .args(["history", "show", "--match", "flavor list"])
        .assert()
        .success()
        .stdout(
            " 2.\tkamaki flavor list --cloud x\n 4.\tkamaki history show --match flavor list\n",
        );
    env.kamaki()
        .args(["history", "show", "1:3"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            " 2.\tkamaki flavor list --cloud x\n 3.\tkamaki history show\n",
        ));
    env.kamaki().args(["history", "clean"]).assert().success();
    assert_eq!(env.history(), "0\n");
}

#[test]
fn history_limit_trims_and_counts() {
    let env = Env::new();
    env.write_cfg("[global]\nhistory_limit = 2\n");
    for _ in 0..3 {
        env.kamaki()
            .args(["config", "get", "colors"])
            .assert()
            .success();
    }
    env.kamaki()
        .args(["history", "show"])
        .assert()
        .success()
        .stdout(" 3.\tkamaki config get colors\n 4.\tkamaki history show\n");
    assert!(env.history().starts_with("2\n"));
}

#[test]
fn tokens_given_on_the_line_are_scrubbed() {
    let env = Env::new();
    env.kamaki()
        .args(["user", "add", "--token", "NEW-SECRET"])
        .assert()
        .code(1);
    env.kamaki()
        .args(["user", "authenticate", "OTHER-SECRET"])
        .assert()
        .code(1);
    let h = env.history();
    assert!(
        !h.contains("NEW-SECRET") && !h.contains("OTHER-SECRET"),
        "{h}"
    );
    assert!(h.contains("kamaki user add --token ..."), "{h}");
}
