//! The configuration file `~/.kamakirc` (`spec/cli.md` §3).
//!
//! kamaki's INI dialect (Python's `RawConfigParser`): `[global]`, one
//! `[cloud "NAME"]` section per cloud, and any other section or key the user
//! wrote, all kept on rewrite. Option names are case-insensitive (stored
//! lower-case); values are raw text. Writes re-emit kamaki's header line, then
//! `[global]` (explicit values only), then the clouds, then other sections,
//! with mode 0600.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ini::{EscapePolicy, Ini, LineSeparator, ParseOption, WriteOption};

use crate::error::{CliError, CliResult};

/// The config-format version written in the header line.
pub const FORMAT_VERSION: &str = "0.16";

/// The section prefix of clouds.
pub const CLOUD_PREFIX: &str = "cloud";

/// Environment variable replacing the default path.
pub const CONFIG_ENV: &str = "KAMAKI_CONFIG";

/// Environment variable naming the default cloud (below `global.default_cloud`).
pub const DEFAULT_CLOUD_ENV: &str = "KAMAKI_DEFAULT_CLOUD";

/// The `<group>_cli` keys on by default and their historical module names.
pub const GROUP_KEYS: [(&str, &str); 23] = [
    ("user_cli", "astakos"),
    ("quota_cli", "astakos"),
    ("resource_cli", "astakos"),
    ("project_cli", "astakos"),
    ("membership_cli", "astakos"),
    ("file_cli", "pithos"),
    ("container_cli", "pithos"),
    ("sharer_cli", "pithos"),
    ("group_cli", "pithos"),
    ("server_cli", "cyclades"),
    ("flavor_cli", "cyclades"),
    ("keypair_cli", "cyclades"),
    ("network_cli", "network"),
    ("subnet_cli", "network"),
    ("port_cli", "network"),
    ("ip_cli", "network"),
    ("volume_cli", "blockstorage"),
    ("snapshot_cli", "blockstorage"),
    ("image_cli", "image"),
    ("imagecompute_cli", "image"),
    ("config_cli", "config"),
    ("history_cli", "history"),
    ("scripts_cli", "contrib.scripts"),
];

/// Descriptions of the options kamaki knows (`config list --with-description`).
pub const GLOBAL_DOCS: [(&str, &str); 36] = [
    (
        "default_cloud",
        "The default cloud, when there are more than one clouds",
    ),
    ("colors", "enable / disable console colors (on / off)"),
    ("history_file", "path to store kamaki history"),
    ("history_limit", "#commands to keep in history"),
    ("log_file", "path to dump kamaki logs"),
    (
        "log_token",
        "show user token in HTTP logs (insecure - on / off)",
    ),
    ("log_data", "show HTTP data (body) in logs (on / off)"),
    ("log_pid", "show process id in HTTP logs (on / off)"),
    ("ignore_ssl", "allow insecure HTTP connections (on / off)"),
    (
        "ca_certs",
        "path to CA certificates bundle (system depended)",
    ),
    ("config_cli", "CLI specs for config commands"),
    ("history_cli", "CLI specs for history commands"),
    ("user_cli", "CLI specs for user commands"),
    ("quota_cli", "CLI specs for quota commands"),
    ("project_cli", "CLI specs for project commands"),
    ("resource_cli", "CLI specs for resource commands"),
    ("membership_cli", "CLI specs for membership commands"),
    ("file_cli", "CLI specs for file commands"),
    ("container_cli", "CLI specs for container commands"),
    ("sharer_cli", "CLI specs for sharer commands"),
    ("group_cli", "CLI specs for group commands"),
    ("server_cli", "CLI specs for server commands"),
    ("flavor_cli", "CLI specs for flavor commands"),
    ("keypair_cli", "CLI specs for keypair commands"),
    ("network_cli", "CLI specs for network commands"),
    ("subnet_cli", "CLI specs for subnet commands"),
    ("port_cli", "CLI specs for port commands"),
    ("ip_cli", "CLI specs for ip commands"),
    ("volume_cli", "CLI specs for volume commands"),
    ("snapshot_cli", "CLI specs for snapshot commands"),
    ("image_cli", "CLI specs for image commands"),
    ("imagecompute_cli", "CLI specs for imagecompute commands"),
    ("scripts_cli", "CLI specs for scripts commands"),
    ("service_cli", "(hidden) CLI specs for service commands"),
    ("endpoint_cli", "(hidden) CLI specs for endpoint list"),
    (
        "commission_cli",
        "(hidden) CLI specs for commission commands",
    ),
];

/// Descriptions of cloud options.
pub const CLOUD_DOCS: [(&str, &str); 5] = [
    ("url", "cloud authentication URL"),
    ("token", "user token for this cloud"),
    (
        "pithos_container",
        "default pithos container for this cloud (if not set, use pithos)",
    ),
    (
        "pithos_uuid",
        "pithos user uuid (if not set, use the token user)",
    ),
    ("pithos_id", "pithos user uuid (same as pithos_uuid)"),
];

fn home() -> PathBuf {
    dirs::home_dir().unwrap_or_else(|| PathBuf::from("."))
}

/// The built-in `[global]` defaults.
pub fn global_defaults() -> BTreeMap<String, String> {
    let h = home();
    let mut d = BTreeMap::new();
    for (k, v) in [
        ("default_cloud", ""),
        ("colors", "off"),
        ("log_token", "off"),
        ("log_data", "off"),
        ("log_pid", "off"),
        ("history_limit", "0"),
        ("ignore_ssl", "off"),
        ("ca_certs", ""),
    ] {
        d.insert(k.to_string(), v.to_string());
    }
    d.insert(
        "log_file".into(),
        h.join(".kamaki.log").to_string_lossy().into_owned(),
    );
    d.insert(
        "history_file".into(),
        h.join(".kamaki.history").to_string_lossy().into_owned(),
    );
    for (k, v) in GROUP_KEYS {
        d.insert(k.to_string(), v.to_string());
    }
    d
}

/// Checks a cloud name: letters, digits, `_` and `~ @ # $ . : -`.
pub fn valid_cloud_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_~@#$.:-".contains(c))
}

/// The cloud name of a `[cloud "NAME"]` section header, if it is one.
fn cloud_of_section(section: &str) -> Option<CliResult<String>> {
    let rest = section.strip_prefix("cloud ")?;
    let name = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|n| valid_cloud_name(n));
    Some(match name {
        Some(n) => Ok(n.to_string()),
        None => Err(CliError::value(format!("Invalid Cloud Name {rest}"))
            .detail("A cloud name may contain letters, digits, _ and ~@#$.:-")),
    })
}

/// One section: ordered keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Section {
    name: String,
    entries: Vec<(String, String)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    fn set(&mut self, key: &str, value: &str) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value.to_string(),
            None => self.entries.push((key.to_string(), value.to_string())),
        }
    }
    fn remove(&mut self, key: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(k, _)| k != key);
        before != self.entries.len()
    }
}

/// The loaded configuration, with runtime overrides.
#[derive(Clone, Debug)]
pub struct Config {
    path: PathBuf,
    exists: bool,
    /// `[global]`.
    global: Section,
    /// Clouds in file order; `name` is the cloud name.
    clouds: Vec<Section>,
    /// Every other section in file order (kept, never interpreted).
    others: Vec<Section>,
    /// `-o` overrides: (section, key) → value; section is `global`, any
    /// section name, or `cloud.NAME`.
    overrides: BTreeMap<(String, String), String>,
    /// Defaults dropped with `config delete --default`.
    dropped_defaults: BTreeSet<String>,
    /// Keys outside any section (kept as they are).
    general: Section,
}

/// Where the configuration file is: `-c`, else `$KAMAKI_CONFIG`, else `~/.kamakirc`.
pub fn config_path(cli: Option<&Path>) -> PathBuf {
    if let Some(p) = cli {
        return p.to_path_buf();
    }
    match std::env::var_os(CONFIG_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => home().join(".kamakirc"),
    }
}

fn parse_option() -> ParseOption {
    ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    }
}

impl Config {
    /// An empty configuration that would be saved at `path`.
    pub fn empty(path: PathBuf) -> Self {
        Config {
            path,
            exists: false,
            global: Section {
                name: "global".into(),
                entries: Vec::new(),
            },
            clouds: Vec::new(),
            others: Vec::new(),
            overrides: BTreeMap::new(),
            dropped_defaults: BTreeSet::new(),
            general: Section::default(),
        }
    }

    /// Loads the file at `path`. A missing file gives an empty configuration
    /// (the caller warns); an unreadable or malformed one is an error.
    pub fn load(path: PathBuf) -> CliResult<Self> {
        let mut cfg = Config::empty(path);
        let text = match std::fs::read(&cfg.path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cfg),
            Err(e) => {
                return Err(CliError::new(format!(
                    "Config file {} is inaccessible",
                    cfg.path.display()
                ))
                .detail(e.to_string()))
            }
        };
        cfg.exists = true;
        cfg.parse(&text)?;
        Ok(cfg)
    }

    /// Parses INI text into this configuration.
    pub fn parse(&mut self, text: &str) -> CliResult<()> {
        let ini = Ini::load_from_str_opt(text, parse_option()).map_err(|e| {
            CliError::new(format!("Config file {} is not valid", self.path.display()))
                .detail(e.to_string())
        })?;
        for (name, props) in ini.iter() {
            let entries: Vec<(String, String)> = props
                .iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v.to_string()))
                .collect();
            let target: &mut Section = match name {
                None => &mut self.general,
                Some("global") => &mut self.global,
                Some(s) => match cloud_of_section(s) {
                    Some(cloud) => {
                        let cloud = cloud?;
                        match self.clouds.iter().position(|c| c.name == cloud) {
                            Some(i) => &mut self.clouds[i],
                            None => {
                                self.clouds.push(Section {
                                    name: cloud,
                                    entries: Vec::new(),
                                });
                                let last = self.clouds.len() - 1;
                                &mut self.clouds[last]
                            }
                        }
                    }
                    None => match self.others.iter().position(|o| o.name == s) {
                        Some(i) => &mut self.others[i],
                        None => {
                            self.others.push(Section {
                                name: s.to_string(),
                                entries: Vec::new(),
                            });
                            let last = self.others.len() - 1;
                            &mut self.others[last]
                        }
                    },
                },
            };
            for (k, v) in entries {
                target.set(&k, &v);
            }
        }
        Ok(())
    }

    /// The file this configuration is read from and written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file existed when loaded.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// Adds a runtime override from `-o KEY=VALUE` (`KEY` is `option`,
    /// `section.option` or `cloud.NAME.option`).
    pub fn add_override(&mut self, key: &str, value: &str) -> CliResult<()> {
        let (section, option) = match key.rsplit_once('.') {
            Some((s, o)) => (s.to_string(), o.to_lowercase()),
            None => ("global".to_string(), key.to_lowercase()),
        };
        if option.is_empty() || section.is_empty() {
            return Err(
                CliError::syntax(format!("Invalid option override `{key}`")).detail(
                    "Use -o option=value, -o section.option=value or -o cloud.NAME.option=value",
                ),
            );
        }
        self.overrides.insert((section, option), value.to_string());
        Ok(())
    }

    fn section(&self, name: &str) -> Option<&Section> {
        if name == "global" {
            Some(&self.global)
        } else {
            self.others.iter().find(|s| s.name == name)
        }
    }

    /// A value of a plain section (`global` falls back to the defaults).
    pub fn get(&self, section: &str, key: &str) -> Option<String> {
        if let Some(cloud) = section.strip_prefix("cloud.") {
            return self.get_cloud(cloud, key);
        }
        if let Some(v) = self.overrides.get(&(section.to_string(), key.to_string())) {
            return Some(v.clone());
        }
        if let Some(v) = self.section(section).and_then(|s| s.get(key)) {
            return Some(v.to_string());
        }
        if section == "global" && !self.dropped_defaults.contains(key) {
            return global_defaults().get(key).cloned();
        }
        None
    }

    /// A `[global]` value (override, file or default).
    pub fn global(&self, key: &str) -> Option<String> {
        self.get("global", key)
    }

    /// A `[global]` on/off switch (`on` in any case).
    pub fn global_on(&self, key: &str) -> bool {
        self.global(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("on"))
    }

    /// A value explicitly set in `[global]` (file or override), no default.
    pub fn global_explicit(&self, key: &str) -> Option<String> {
        self.overrides
            .get(&("global".to_string(), key.to_string()))
            .cloned()
            .or_else(|| self.global.get(key).map(str::to_string))
    }

    /// The names of the configured clouds, in file order.
    pub fn clouds(&self) -> Vec<String> {
        self.clouds.iter().map(|c| c.name.clone()).collect()
    }

    /// Whether a cloud is configured.
    pub fn has_cloud(&self, cloud: &str) -> bool {
        self.clouds.iter().any(|c| c.name == cloud)
    }

    /// A cloud option (override first).
    pub fn get_cloud(&self, cloud: &str, key: &str) -> Option<String> {
        if let Some(v) = self
            .overrides
            .get(&(format!("cloud.{cloud}"), key.to_string()))
        {
            return Some(v.clone());
        }
        self.clouds
            .iter()
            .find(|c| c.name == cloud)
            .and_then(|c| c.get(key))
            .map(str::to_string)
    }

    /// All options of a cloud, in file order (overrides applied).
    pub fn cloud_items(&self, cloud: &str) -> Vec<(String, String)> {
        let mut items: Vec<(String, String)> = self
            .clouds
            .iter()
            .find(|c| c.name == cloud)
            .map(|c| c.entries.clone())
            .unwrap_or_default();
        for ((s, k), v) in &self.overrides {
            if s.strip_prefix("cloud.") == Some(cloud) {
                match items.iter_mut().find(|(ik, _)| ik == k) {
                    Some(e) => e.1 = v.clone(),
                    None => items.push((k.clone(), v.clone())),
                }
            }
        }
        items
    }

    /// The `[global]` options, sorted; with the defaults when asked.
    pub fn global_items(&self, include_defaults: bool) -> Vec<(String, String)> {
        let mut all: BTreeMap<String, String> = if include_defaults {
            global_defaults()
                .into_iter()
                .filter(|(k, _)| !self.dropped_defaults.contains(k))
                .collect()
        } else {
            BTreeMap::new()
        };
        for (k, v) in &self.global.entries {
            all.insert(k.clone(), v.clone());
        }
        for ((s, k), v) in &self.overrides {
            if s == "global" {
                all.insert(k.clone(), v.clone());
            }
        }
        all.into_iter().collect()
    }

    /// The names of the sections other than `global` and the clouds.
    pub fn other_sections(&self) -> Vec<String> {
        self.others.iter().map(|s| s.name.clone()).collect()
    }

    /// The options of another section, in file order.
    pub fn section_items(&self, section: &str) -> Vec<(String, String)> {
        if section == "global" {
            return self.global_items(true);
        }
        self.section(section)
            .map(|s| s.entries.clone())
            .unwrap_or_default()
    }

    /// Sets a plain-section option (in memory).
    pub fn set(&mut self, section: &str, key: &str, value: &str) -> CliResult<()> {
        check_option_name(key)?;
        let key = key.to_lowercase();
        if section == "global" {
            self.global.set(&key, value);
        } else {
            match self.others.iter_mut().find(|s| s.name == section) {
                Some(s) => s.set(&key, value),
                None => self.others.push(Section {
                    name: section.to_string(),
                    entries: vec![(key, value.to_string())],
                }),
            }
        }
        Ok(())
    }

    /// Sets a cloud option (in memory), creating the cloud.
    pub fn set_cloud(&mut self, cloud: &str, key: &str, value: &str) -> CliResult<()> {
        if !valid_cloud_name(cloud) {
            return Err(CliError::value(format!("Invalid Cloud Name {cloud}"))
                .detail("A cloud name may contain letters, digits, _ and ~@#$.:-"));
        }
        check_option_name(key)?;
        let key = key.to_lowercase();
        match self.clouds.iter_mut().find(|c| c.name == cloud) {
            Some(c) => c.set(&key, value),
            None => self.clouds.push(Section {
                name: cloud.to_string(),
                entries: vec![(key, value.to_string())],
            }),
        }
        Ok(())
    }

    /// Removes a plain-section option; `drop_default` also forgets the
    /// built-in default for this process. True if something changed.
    pub fn remove(&mut self, section: &str, key: &str, drop_default: bool) -> bool {
        let key = key.to_lowercase();
        let mut changed = if section == "global" {
            self.global.remove(&key)
        } else {
            self.others
                .iter_mut()
                .find(|s| s.name == section)
                .is_some_and(|s| s.remove(&key))
        };
        if section == "global" && drop_default && global_defaults().contains_key(&key) {
            changed |= self.dropped_defaults.insert(key);
        }
        changed
    }

    /// Removes a whole cloud. True if it existed.
    pub fn remove_cloud(&mut self, cloud: &str) -> bool {
        let before = self.clouds.len();
        self.clouds.retain(|c| c.name != cloud);
        before != self.clouds.len()
    }

    /// Removes a cloud option. True if it existed.
    pub fn remove_from_cloud(&mut self, cloud: &str, key: &str) -> bool {
        let key = key.to_lowercase();
        self.clouds
            .iter_mut()
            .find(|c| c.name == cloud)
            .is_some_and(|c| c.remove(&key))
    }

    /// The file text kamaki writes.
    pub fn to_text(&self) -> String {
        let opt = WriteOption {
            escape_policy: EscapePolicy::Nothing,
            line_separator: LineSeparator::CR,
            kv_separator: " = ",
        };
        let write_section = |name: Option<&str>, entries: &[(String, String)]| -> String {
            let mut ini = Ini::new();
            // An empty section is still written with its header.
            ini.entry(name.map(str::to_string))
                .or_insert_with(Default::default);
            for (k, v) in entries {
                // Continuation lines keep multi-line values readable back.
                let v = v.replace('\n', "\n\t");
                ini.with_section(name).add(k.as_str(), v);
            }
            let mut buf = Vec::new();
            let _ = ini.write_to_opt(&mut buf, opt.clone());
            let mut text = String::from_utf8_lossy(&buf).into_owned();
            if name.is_some() && entries.is_empty() && !text.starts_with('[') {
                text = format!("[{}]\n", name.unwrap_or_default());
            }
            text
        };
        let mut out = format!("# Kamaki configuration file v{FORMAT_VERSION}\n");
        if !self.general.entries.is_empty() {
            out.push_str(&write_section(None, &self.general.entries));
        }
        out.push_str(&write_section(Some("global"), &self.global.entries));
        for c in &self.clouds {
            out.push('\n');
            let header = format!("{CLOUD_PREFIX} \"{}\"", c.name);
            out.push_str(&write_section(Some(&header), &c.entries));
        }
        for s in &self.others {
            out.push('\n');
            out.push_str(&write_section(Some(&s.name), &s.entries));
        }
        out
    }

    /// Writes the file (mode 0600), creating it if needed.
    pub fn save(&mut self) -> CliResult<()> {
        let text = self.to_text();
        write_private(&self.path, text.as_bytes()).map_err(|e| {
            CliError::new(format!("Cannot write config file {}", self.path.display()))
                .detail(e.to_string())
        })?;
        self.exists = true;
        Ok(())
    }

    /// Detects a configuration written by kamaki before 0.12 and describes
    /// how to convert it (`spec/cli.md` §3.11).
    pub fn legacy_layout(&self) -> Option<Vec<String>> {
        let mut notes = Vec::new();
        for term in ["url", "token"] {
            if let Some(v) = self.global.get(term) {
                notes.push(format!(
                    "kamaki config set cloud.default.{term} {}",
                    redact(term, v)
                ));
                notes.push(format!("kamaki config delete global.{term}"));
            }
        }
        for key in ["network_cli", "ip_cli"] {
            if self.global.get(key) == Some("cyclades") {
                notes.push(format!("kamaki config set {key} network"));
            }
        }
        const OLD: [&str; 15] = [
            "config", "history", "pithos", "file", "store", "storage", "image", "plankton",
            "compute", "cyclades", "server", "flavor", "network", "astakos", "user",
        ];
        for s in &self.others {
            if OLD.contains(&s.name.as_str()) {
                if s.name == "history" {
                    if let Some(v) = s.get("file") {
                        notes.push(format!("kamaki config set history_file {v}"));
                    }
                }
                if let Some(v) = s.get("container") {
                    notes.push(format!(
                        "kamaki config set cloud.default.pithos_container {v}"
                    ));
                }
                notes.push(format!("(remove the old [{}] section)", s.name));
            }
        }
        (!notes.is_empty()).then_some(notes)
    }
}

fn redact(key: &str, value: &str) -> String {
    if key == "token" {
        "<token>".to_string()
    } else {
        value.to_string()
    }
}

fn check_option_name(key: &str) -> CliResult<()> {
    if key.is_empty()
        || !key.is_ascii()
        || key.contains(['=', ':', '[', ']'])
        || key.chars().any(char::is_whitespace)
    {
        return Err(CliError::value(format!("Invalid config option {key}"))
            .detail("Option names are ASCII without spaces, =, : or brackets")
            .detail("Non-ASCII characters are only allowed as values"));
    }
    Ok(())
}

/// Writes a file readable and writable by its owner only.
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() && !parent.exists() {
            std::fs::create_dir_all(parent)?;
        }
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(data)?;
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KAMAKI_FILE: &str = "# Kamaki configuration file v0.16
[global]
default_cloud = lab
colors = on
history_limit = 500

[cloud \"lab\"]
url = https://accounts.lab.example.org/identity/v2.0
token = aGVsbG8tbGFi b3RoZXItdXNlcg==
pithos_container = work

[cloud \"prod\"]
url = https://accounts.example.org/identity/v2.0
token = cHJvZC10b2tlbg==
";

    fn parsed(text: &str) -> Config {
        let mut c = Config::empty(PathBuf::from("/nonexistent/kamakirc"));
        c.parse(text).unwrap();
        c
    }

    #[test]
    fn kamaki_file_round_trips_byte_for_byte() {
        let c = parsed(KAMAKI_FILE);
        assert_eq!(c.clouds(), ["lab", "prod"]);
        assert_eq!(c.global("default_cloud").as_deref(), Some("lab"));
        assert_eq!(
            c.get_cloud("lab", "token").as_deref(),
            Some("aGVsbG8tbGFi b3RoZXItdXNlcg==")
        );
        assert_eq!(c.to_text(), KAMAKI_FILE);
    }

    #[test]
    fn unknown_sections_keys_and_odd_values_are_kept() {
        let text = "[global]\nLOG_FILE: C:\\logs\\kamaki.log\nmy_own = \"quoted\" ; not a comment\n\n\
                    [cloud \"a~b@c#d$e.f:g-h_1\"]\nurl = https://x/identity?a=b#frag\ntoken = t=k\n\n\
                    [myplugin]\nanswer = 42\nmulti = line one\n  line two\n";
        let c = parsed(text);
        assert_eq!(
            c.global("log_file").as_deref(),
            Some("C:\\logs\\kamaki.log")
        );
        assert_eq!(
            c.global("my_own").as_deref(),
            Some("\"quoted\" ; not a comment")
        );
        assert_eq!(c.clouds(), ["a~b@c#d$e.f:g-h_1"]);
        assert_eq!(
            c.get("myplugin", "multi").as_deref(),
            Some("line one\nline two")
        );
        let again = parsed(&c.to_text());
        assert_eq!(again.to_text(), c.to_text());
        assert_eq!(again.get("myplugin", "answer").as_deref(), Some("42"));
        assert_eq!(
            again.get("myplugin", "multi").as_deref(),
            Some("line one\nline two")
        );
        assert_eq!(
            again.get_cloud("a~b@c#d$e.f:g-h_1", "url").as_deref(),
            Some("https://x/identity?a=b#frag")
        );
    }

    #[test]
    fn invalid_cloud_names_are_refused() {
        let mut c = Config::empty(PathBuf::from("x"));
        assert!(c.parse("[cloud \"bad name\"]\nurl = x\n").is_err());
        assert!(c.set_cloud("bad/name", "url", "x").is_err());
    }

    #[test]
    fn defaults_overrides_and_deletes() {
        let mut c = parsed(KAMAKI_FILE);
        assert_eq!(c.global("log_token").as_deref(), Some("off"));
        assert_eq!(c.global("server_cli").as_deref(), Some("cyclades"));
        c.add_override("log_token", "on").unwrap();
        c.add_override("cloud.prod.url", "https://other").unwrap();
        assert!(c.global_on("log_token"));
        assert_eq!(c.get_cloud("prod", "url").as_deref(), Some("https://other"));
        // overrides never reach the file
        assert_eq!(c.to_text(), KAMAKI_FILE);
        assert!(c.remove("global", "server_cli", true));
        assert_eq!(c.global("server_cli"), None);
        assert!(c.remove_from_cloud("lab", "pithos_container"));
        assert!(c.remove_cloud("prod"));
        assert!(!c.to_text().contains("prod"));
    }

    #[test]
    fn legacy_files_are_detected() {
        let c = parsed("[global]\nurl = https://old\ntoken = tok\n\n[store]\ncontainer = old\n");
        let notes = c.legacy_layout().unwrap();
        assert!(notes
            .iter()
            .any(|n| n.contains("cloud.default.url https://old")));
        assert!(notes.iter().all(|n| !n.contains(" tok")));
        assert!(notes.iter().any(|n| n.contains("pithos_container old")));
        assert!(parsed(KAMAKI_FILE).legacy_layout().is_none());
    }
}
