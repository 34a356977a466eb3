//! The configuration file and the `config` group.

use predicates::prelude::*;

use crate::cli::common::Env;

const PY_KAMAKI_FILE: &str = "# Kamaki configuration file v0.16
[global]
default_cloud = lab
colors = off
history_limit = 500
my_plugin_option = C:\\path\\with\\backslashes

[cloud \"lab\"]
url = https://accounts.lab.example.org/identity/v2.0
token = aGVsbG8tbGFi b3RoZXItdXNlcg==
pithos_container = work
cyclades_version = v2.0

[cloud \"prod\"]
url = https://accounts.example.org/identity/v2.0
token = cHJvZC10b2tlbg==

[myplugin]
answer = 42
";

#[test]
fn python_kamaki_file_is_read_and_written_back_without_loss() {
    let env = Env::new();
    env.write_cfg(PY_KAMAKI_FILE);
    env.kamaki()
        .args(["config", "get", "cloud.lab"])
        .assert()
        .success()
        .stdout(
            "cloud.lab.url = https://accounts.lab.example.org/identity/v2.0\n\
             cloud.lab.token = aGVsbG8tbGFi b3RoZXItdXNlcg==\n\
             cloud.lab.pithos_container = work\n\
             cloud.lab.cyclades_version = v2.0\n",
        );
    // Setting a value to what it already is rewrites the file unchanged.
    env.kamaki()
        .args(["config", "set", "colors", "off"])
        .assert()
        .success();
    assert_eq!(env.read_cfg(), PY_KAMAKI_FILE);
    // A change touches only its own line.
    env.kamaki()
        .args(["config", "set", "cloud.prod.pithos_container", "backups"])
        .assert()
        .success();
    assert_eq!(
        env.read_cfg(),
        PY_KAMAKI_FILE.replace(
            "cHJvZC10b2tlbg==\n",
            "cHJvZC10b2tlbg==\npithos_container = backups\n"
        )
    );
}

#[cfg(unix)]
#[test]
fn config_set_creates_the_file_with_mode_0600() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.kamaki()
        .args([
            "config",
            "set",
            "cloud.lab.url",
            "https://accounts.lab.example.org/identity/v2.0",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("does not exist"));
    env.kamaki()
        .args(["config", "set", "cloud.lab.token", "aGVsbG8tbGFi"])
        .assert()
        .success();
    let mode = std::fs::metadata(env.cfg()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        env.read_cfg(),
        "# Kamaki configuration file v0.16\n[global]\n\n[cloud \"lab\"]\n\
         url = https://accounts.lab.example.org/identity/v2.0\ntoken = aGVsbG8tbGFi\n"
    );
    env.kamaki()
        .args(["config", "get", "cloud.lab"])
        .assert()
        .success()
        .stdout("cloud.lab.url = https://accounts.lab.example.org/identity/v2.0\ncloud.lab.token = aGVsbG8tbGFi\n");
    env.kamaki()
        .args(["config", "get", "cloud.lab.token"])
        .assert()
        .success()
        .stdout("aGVsbG8tbGFi\n");
}

#[test]
fn config_file_option_may_be_created_by_set() {
    let env = Env::new();
    let other = env.dir.path().join("other.rc");
    env.kamaki()
        .args([
            "-c",
            other.to_str().unwrap(),
            "config",
            "set",
            "colors",
            "on",
        ])
        .assert()
        .success();
    assert!(std::fs::read_to_string(&other)
        .unwrap()
        .contains("colors = on"));
    assert!(!env.cfg().exists());
    env.kamaki()
        .args([
            "config",
            "get",
            "colors",
            "--config",
            other.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout("on\n");
}

#[test]
fn config_get_addressing() {
    let env = Env::new();
    env.write_cfg(PY_KAMAKI_FILE);
    env.kamaki()
        .args(["config", "get", "history_limit"])
        .assert()
        .success()
        .stdout("500\n");
    env.kamaki()
        .args(["config", "get", "global.history_limit"])
        .assert()
        .success()
        .stdout("500\n");
    env.kamaki()
        .args(["config", "get", "server_cli"])
        .assert()
        .success()
        .stdout("cyclades\n");
    env.kamaki()
        .args(["config", "get", "myplugin.answer"])
        .assert()
        .success()
        .stdout("42\n");
    env.kamaki()
        .args(["config", "get", "cloud"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("cloud.lab.url = ").and(predicate::str::contains(
                "cloud.prod.token = cHJvZC10b2tlbg==",
            )),
        );
    env.kamaki()
        .args(["config", "get", "global"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("global.history_limit = 500\n")
                .and(predicate::str::contains("global.log_token = off\n")),
        );
    // empty values still end with a newline
    env.kamaki()
        .args(["config", "get", "ca_certs"])
        .assert()
        .success()
        .stdout("\n");
    env.kamaki()
        .args(["config", "get", "no_such_option"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("no_such_option not found"));
}

#[test]
fn config_list_layout() {
    let env = Env::new();
    env.write_cfg(PY_KAMAKI_FILE);
    let out = env
        .kamaki()
        .args(["config", "list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with(
            "cloud.lab.url https://accounts.lab.example.org/identity/v2.0\n\
         cloud.lab.token aGVsbG8tbGFi b3RoZXItdXNlcg==\n\
         cloud.lab.pithos_container work\n\
         cloud.lab.cyclades_version v2.0\n\n\
         cloud.prod.url https://accounts.example.org/identity/v2.0\n\
         cloud.prod.token cHJvZC10b2tlbg==\n\n\
         global.ca_certs "
        ),
        "{out}"
    );
    assert!(out.contains("global.history_limit 500\n"));
    assert!(out.contains("global.my_plugin_option C:\\path\\with\\backslashes\n"));
    assert!(out.ends_with("myplugin.answer 42\n"));
    let described = env
        .kamaki()
        .args(["config", "list", "--with-description"])
        .output()
        .unwrap();
    let described = String::from_utf8(described.stdout).unwrap();
    assert!(described.contains("# cloud authentication URL\ncloud.lab.url "));
    assert!(described.contains("# unknown option\nglobal.my_plugin_option "));
    env.kamaki()
        .args(["config", "list", "--describe-option-keys"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "cloud.<CLOUD NAME>.pithos_container: \t",
        ));
}

#[test]
fn config_set_refuses_bad_cloud_spellings() {
    let env = Env::new();
    env.kamaki()
        .args(["config", "set", "cloud.lab", "x"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("Invalid syntax for cloud definition").and(
                predicate::str::contains("kamaki config set cloud.lab.url <URL>"),
            ),
        );
    env.kamaki()
        .args(["config", "set", "cloud..url", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Empty cloud alias"));
    env.kamaki()
        .args(["config", "set", "cloud.bad/name.url", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Invalid Cloud Name"));
}

#[test]
fn config_delete() {
    let env = Env::new();
    env.write_cfg(PY_KAMAKI_FILE);
    env.kamaki()
        .args(["config", "delete", "cloud.lab.pithos_container"])
        .assert()
        .success();
    assert!(!env.read_cfg().contains("pithos_container"));
    env.kamaki()
        .args(["config", "delete", "cloud.prod"])
        .assert()
        .success();
    assert!(!env.read_cfg().contains("prod"));
    env.kamaki()
        .args(["config", "delete", "history_limit"])
        .assert()
        .success();
    env.kamaki()
        .args(["config", "get", "history_limit"])
        .assert()
        .success()
        .stdout("0\n");
    // deleting a built-in only removes the override; --default is for this run only
    env.kamaki()
        .args(["config", "delete", "server_cli", "--default"])
        .assert()
        .success();
    env.kamaki()
        .args(["config", "get", "server_cli"])
        .assert()
        .success()
        .stdout("cyclades\n");
    env.kamaki()
        .args(["config", "delete", "cloud.lab.nothing"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
    assert!(env.read_cfg().contains("[myplugin]\nanswer = 42\n"));
}

#[test]
fn several_clouds_without_default() {
    let env = Env::new();
    env.write_cfg(PY_KAMAKI_FILE.replace("default_cloud = lab\n", "").as_str());
    env.kamaki().args(["user", "info"]).assert().code(1).stderr(
        predicate::str::starts_with("Found 2 clouds, none marked as default\n")
            .and(predicate::str::contains("|  Cloud names: lab, prod"))
            .and(predicate::str::contains("kamaki --cloud=<cloud name>"))
            .and(predicate::str::contains("KAMAKI_DEFAULT_CLOUD")),
    );
    env.kamaki()
        .args(["--cloud", "nowhere", "user", "info"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Cloud \"nowhere\" is not configured",
        ));
}
