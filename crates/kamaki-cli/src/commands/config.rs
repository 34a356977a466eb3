//! `config list/get/set/delete` (`spec/cli.md` §3.8).

use crate::app::App;
use crate::cli::{ConfigCmd, ConfigDelete, ConfigGet, ConfigList, ConfigSet};
use crate::config::{CLOUD_DOCS, GLOBAL_DOCS};
use crate::error::{CliError, CliResult};
use crate::output::{emit, escape_ctrl};

/// Runs a `config` command.
pub fn run(app: &mut App, cmd: ConfigCmd) -> CliResult {
    match cmd {
        ConfigCmd::List(a) => list(app, &a),
        ConfigCmd::Get(a) => get(app, &a),
        ConfigCmd::Set(a) => set(app, &a),
        ConfigCmd::Delete(a) => delete(app, &a),
    }
}

fn describe(section: &str, key: &str) -> String {
    let docs: &[(&str, &str)] = if section == "cloud" {
        &CLOUD_DOCS
    } else if section == "global" {
        &GLOBAL_DOCS
    } else {
        &[]
    };
    let d = docs
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, d)| *d)
        .unwrap_or("unknown option");
    format!("# {d}\n")
}

fn list(app: &App, a: &ConfigList) -> CliResult {
    let mut out = String::new();
    if a.describe_option_keys {
        out.push('\n');
        for (k, d) in GLOBAL_DOCS {
            out.push_str(&format!("global.{k}: \t{d}\n"));
        }
        out.push('\n');
        for (k, d) in CLOUD_DOCS {
            out.push_str(&format!("cloud.<CLOUD NAME>.{k}: \t{d}\n"));
        }
        emit(&out);
        return Ok(());
    }
    let cfg = &app.config;
    let mut sections: Vec<String> = vec!["cloud".into(), "global".into()];
    sections.extend(cfg.other_sections());
    sections.sort();
    sections.dedup();
    for section in sections {
        match section.as_str() {
            "cloud" => {
                let mut clouds = cfg.clouds();
                clouds.sort();
                for cloud in clouds {
                    for (k, v) in cfg.cloud_items(&cloud) {
                        if a.with_description {
                            out.push_str(&describe("cloud", &k));
                        }
                        out.push_str(&format!("cloud.{cloud}.{k} {}\n", escape_ctrl(&v)));
                    }
                    out.push('\n');
                }
            }
            s => {
                for (k, v) in cfg.section_items(s) {
                    if a.with_description {
                        out.push_str(&describe(s, &k));
                    }
                    out.push_str(&format!("{s}.{k} {}\n", escape_ctrl(&v)));
                }
            }
        }
    }
    emit(&out);
    Ok(())
}

fn not_found(option: &str) -> CliError {
    CliError::value(format!("{option} not found"))
        .hint("To see all configuration options", "kamaki config list")
}

fn get(app: &App, a: &ConfigGet) -> CliResult {
    let cfg = &app.config;
    let option = a.option.as_str();
    let mut out = String::new();
    let cloud_lines = |cloud: &str, out: &mut String| {
        for (k, v) in cfg.cloud_items(cloud) {
            out.push_str(&format!("cloud.{cloud}.{k} = {}\n", escape_ctrl(&v)));
        }
    };
    if option == "cloud" {
        let clouds = cfg.clouds();
        if clouds.is_empty() {
            return Err(not_found(option));
        }
        for c in clouds {
            cloud_lines(&c, &mut out);
        }
    } else if let Some(rest) = option.strip_prefix("cloud.") {
        if cfg.has_cloud(rest) {
            cloud_lines(rest, &mut out);
        } else {
            let (cloud, key) = rest.rsplit_once('.').ok_or_else(|| not_found(option))?;
            let v = cfg
                .get_cloud(cloud, &key.to_lowercase())
                .ok_or_else(|| not_found(option))?;
            out.push_str(&format!("{}\n", escape_ctrl(&v)));
        }
    } else if let Some((section, key)) = option.rsplit_once('.') {
        let v = cfg
            .get(section, &key.to_lowercase())
            .ok_or_else(|| not_found(option))?;
        out.push_str(&format!("{}\n", escape_ctrl(&v)));
    } else if option == "global" || cfg.other_sections().iter().any(|s| s == option) {
        for (k, v) in cfg.section_items(option) {
            out.push_str(&format!("{option}.{k} = {}\n", escape_ctrl(&v)));
        }
    } else {
        let v = cfg
            .global(&option.to_lowercase())
            .ok_or_else(|| not_found(option))?;
        out.push_str(&format!("{}\n", escape_ctrl(&v)));
    }
    emit(&out);
    Ok(())
}

fn set(app: &mut App, a: &ConfigSet) -> CliResult {
    let option = a.option.as_str();
    let (section, key) = match option.rsplit_once('.') {
        Some((s, k)) => (s, k),
        None => ("global", option),
    };
    if key.is_empty() {
        return Err(
            CliError::syntax(format!("Invalid option `{option}`")).detail("Use [section.]option")
        );
    }
    if let Some(cloud) = section.strip_prefix("cloud.") {
        if cloud.is_empty() {
            return Err(CliError::syntax(format!("Empty cloud alias ({option})")));
        }
        app.config.set_cloud(cloud, key, &a.value)?;
    } else if section == "cloud" {
        return Err(CliError::syntax("Invalid syntax for cloud definition")
            .detail(format!("To define a cloud \"{key}\""))
            .detail("set the cloud's authentication url and token:")
            .detail(format!("  kamaki config set cloud.{key}.url <URL>"))
            .detail(format!("  kamaki config set cloud.{key}.token <token>")));
    } else {
        app.config.set(section, key, &a.value)?;
    }
    app.config.save()
}

fn delete(app: &mut App, a: &ConfigDelete) -> CliResult {
    let option = a.option.as_str();
    let (section, key) = match option.rsplit_once('.') {
        Some((s, k)) => (s, k),
        None => ("global", option),
    };
    let changed = if let Some(cloud) = section.strip_prefix("cloud.") {
        if !app.config.remove_from_cloud(cloud, key) {
            return Err(
                CliError::value(format!("Field {option} does not exist")).hint(
                    "To see the options of this cloud",
                    format!("kamaki config get cloud.{cloud}"),
                ),
            );
        }
        true
    } else if section == "cloud" {
        if !app.config.remove_cloud(key) {
            return Err(CliError::value(format!("Cloud \"{key}\" does not exist"))
                .hint("To see the configured clouds", "kamaki config get cloud"));
        }
        true
    } else {
        let known_default = section == "global"
            && crate::config::global_defaults().contains_key(&key.to_lowercase());
        let changed = app.config.remove(section, key, a.default);
        if !changed && !known_default {
            return Err(not_found(option));
        }
        changed
    };
    if changed {
        app.config.save()?;
    }
    Ok(())
}
