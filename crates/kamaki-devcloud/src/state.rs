//! The whole cloud state (serialisable for persistence) and time-based transitions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Monotonic id counters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Counters {
    pub version: u64,
    pub server: u64,
    pub volume: u64,
    pub network: u64,
    pub subnet: u64,
    pub port: u64,
    pub floating_ip: u64,
    pub membership: u64,
    pub application: u64,
    pub mac: u64,
    pub keypair: u64,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            version: 1000,
            server: 100,
            volume: 800,
            network: 1,
            subnet: 1,
            port: 9000,
            floating_ip: 50,
            membership: 30,
            application: 6,
            mac: 0x10_00_00,
            keypair: 0,
        }
    }
}

impl Counters {
    pub fn next(c: &mut u64) -> u64 {
        *c += 1;
        *c
    }
}

// ---------------------------------------------------------------------------
// Pithos

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Account {
    pub meta: BTreeMap<String, String>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub containers: BTreeMap<String, Container>,
    pub modified: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Container {
    pub created: f64,
    pub modified: f64,
    pub meta: BTreeMap<String, String>,
    pub quota: u64,
    pub versioning: String,
    pub project: String,
    pub objects: BTreeMap<String, Object>,
}

impl Container {
    pub fn new(now: f64, project: &str) -> Self {
        Container {
            created: now,
            modified: now,
            meta: BTreeMap::new(),
            quota: 0,
            versioning: "auto".into(),
            project: project.into(),
            objects: BTreeMap::new(),
        }
    }

    /// Live objects and their current versions.
    pub fn live(&self) -> impl Iterator<Item = (&String, &Object, &Version)> {
        self.objects
            .iter()
            .filter_map(|(n, o)| o.current().map(|v| (n, o, v)))
    }

    pub fn count_and_bytes(&self) -> (u64, u64) {
        self.live()
            .fold((0, 0), |(c, b), (_, _, v)| (c + 1, b + v.bytes))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Sharing {
    pub read: Vec<String>,
    pub write: Vec<String>,
}

impl Sharing {
    pub fn is_empty(&self) -> bool {
        self.read.is_empty() && self.write.is_empty()
    }
    pub fn render(&self) -> String {
        let mut parts = Vec::new();
        if !self.read.is_empty() {
            parts.push(format!("read={}", self.read.join(",")));
        }
        if !self.write.is_empty() {
            parts.push(format!("write={}", self.write.join(",")));
        }
        parts.join("; ")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Object {
    pub uuid: String,
    pub versions: Vec<Version>,
    pub sharing: Option<Sharing>,
    pub public: Option<String>,
    pub image: Option<ImageMeta>,
}

impl Object {
    pub fn current(&self) -> Option<&Version> {
        self.versions.last().filter(|v| !v.deleted)
    }
    /// The version that was current at `until` (epoch seconds).
    pub fn at(&self, until: f64) -> Option<&Version> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.ts <= until)
            .filter(|v| !v.deleted)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Version {
    pub id: u64,
    pub ts: f64,
    pub deleted: bool,
    pub bytes: u64,
    pub hashes: Vec<String>,
    pub hash: String,
    pub content_type: String,
    pub meta: BTreeMap<String, String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub manifest: Option<String>,
    pub md5: Option<String>,
    pub modified_by: String,
}

/// Plankton image metadata attached to a Pithos object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ImageMeta {
    pub name: String,
    pub disk_format: String,
    pub container_format: String,
    pub status: String,
    pub properties: BTreeMap<String, String>,
    pub created: f64,
    pub updated: f64,
    pub is_snapshot: bool,
    pub description: String,
    /// For snapshots: the source volume and its reported size in GiB.
    pub volume_id: Option<u64>,
    pub snapshot_size: Option<u64>,
    pub snapshot_meta: BTreeMap<String, String>,
    /// When a CREATING snapshot becomes AVAILABLE.
    pub ready_at: Option<f64>,
}

// ---------------------------------------------------------------------------
// Compute, block storage, network

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Transition {
    pub at: f64,
    pub status: String,
    pub task: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Server {
    pub id: u64,
    pub user: String,
    pub project: String,
    pub name: String,
    pub flavor: u64,
    pub image: String,
    pub status: String,
    pub task_state: String,
    pub created: f64,
    pub updated: f64,
    pub metadata: BTreeMap<String, String>,
    /// tag → status (PENDADD/ACTIVE)
    pub tags: BTreeMap<String, String>,
    pub tags_ready_at: f64,
    pub deleted: bool,
    pub transition: Option<Transition>,
    pub purge_at: Option<f64>,
    pub volumes: Vec<u64>,
    pub key_names: Vec<String>,
    pub shared_to_project: bool,
    pub rescue: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Volume {
    pub id: u64,
    pub user: String,
    pub project: String,
    pub name: String,
    pub description: String,
    pub size: u64,
    pub status: String,
    pub server: Option<u64>,
    pub index: u32,
    pub volume_type: u64,
    pub created: f64,
    pub updated: f64,
    pub metadata: BTreeMap<String, String>,
    pub deleted: bool,
    pub delete_on_termination: bool,
    pub snapshot_id: Option<String>,
    pub image_id: Option<String>,
    pub source_volid: Option<u64>,
    pub transition: Option<Transition>,
    pub purge_at: Option<f64>,
    pub snapshots_made: u64,
    pub shared_to_project: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Network {
    pub id: u64,
    pub user: Option<String>,
    pub project: Option<String>,
    pub name: String,
    pub kind: String,
    pub public: bool,
    pub floating_ip_pool: bool,
    pub created: f64,
    pub updated: f64,
    pub shared_to_project: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Subnet {
    pub id: u64,
    pub network: u64,
    pub user: Option<String>,
    pub name: String,
    pub cidr: String,
    pub ip_version: u8,
    pub gateway: Option<String>,
    pub dhcp: bool,
    pub slaac: bool,
    pub pools: Vec<(String, String)>,
    pub dns: Vec<String>,
    pub routes: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Port {
    pub id: u64,
    pub user: String,
    pub network: u64,
    pub device: Option<u64>,
    pub name: String,
    pub mac: String,
    pub status: String,
    pub created: f64,
    pub updated: f64,
    /// (ip address, subnet id)
    pub fixed_ips: Vec<(String, u64)>,
    pub security_groups: Vec<String>,
    pub firewall: String,
    pub transition: Option<Transition>,
    /// Port is being deleted; removed at this time.
    pub delete_at: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FloatingIp {
    pub id: u64,
    pub user: String,
    pub project: String,
    pub network: u64,
    pub address: String,
    pub port: Option<u64>,
    pub created: f64,
    pub shared_to_project: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Keypair {
    pub id: u64,
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
    pub created: f64,
}

// ---------------------------------------------------------------------------
// Astakos projects

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Project {
    pub id: String,
    pub state: String,
    pub created: f64,
    pub spec: serde_json::Map<String, serde_json::Value>,
    pub owner: String,
    pub system: bool,
    pub application: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Membership {
    pub id: u64,
    pub user: String,
    pub project: String,
    pub state: String,
    pub dates: BTreeMap<String, f64>,
}

// ---------------------------------------------------------------------------

/// Everything the cloud remembers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    pub counters: Counters,
    pub accounts: BTreeMap<String, Account>,
    pub projects: BTreeMap<String, Project>,
    pub memberships: BTreeMap<u64, Membership>,
    pub default_projects: BTreeMap<String, String>,
    pub servers: BTreeMap<u64, Server>,
    pub volumes: BTreeMap<u64, Volume>,
    pub networks: BTreeMap<u64, Network>,
    pub subnets: BTreeMap<u64, Subnet>,
    pub ports: BTreeMap<u64, Port>,
    pub floating_ips: BTreeMap<u64, FloatingIp>,
    /// user uuid → name → keypair
    pub keypairs: BTreeMap<String, BTreeMap<String, Keypair>>,
}

/// Network id of the public network that exists from the start.
pub(crate) const PUBLIC_NETWORK: u64 = 1;
/// Subnet id of the public network's IPv4 subnet.
pub(crate) const PUBLIC_SUBNET: u64 = 1;

impl State {
    /// Apply every time-based transition that is due.
    pub fn tick(&mut self, now: f64, retention: f64) {
        // servers
        let mut purge = Vec::new();
        let mut destroyed = Vec::new();
        for s in self.servers.values_mut() {
            if let Some(t) = &s.transition {
                if t.at <= now {
                    s.status = t.status.clone();
                    s.task_state = t.task.clone();
                    s.updated = t.at;
                    if s.status == "DELETED" && !s.deleted {
                        s.deleted = true;
                        s.purge_at = Some(t.at + retention);
                        destroyed.push((s.id, t.at));
                    }
                    s.transition = None;
                }
            }
            if s.tags_ready_at <= now {
                for st in s.tags.values_mut() {
                    *st = "ACTIVE".into();
                }
            }
            if let Some(p) = s.purge_at {
                if p <= now {
                    purge.push(s.id);
                }
            }
        }
        for id in purge {
            self.servers.remove(&id);
        }
        for (id, at) in destroyed {
            let ports: Vec<u64> = self
                .ports
                .values()
                .filter(|p| p.device == Some(id))
                .map(|p| p.id)
                .collect();
            for p in ports {
                self.remove_port(p);
            }
            for v in self.volumes.values_mut() {
                if v.server == Some(id) && !v.deleted {
                    if v.delete_on_termination || v.index == 0 {
                        v.status = "deleted".into();
                        v.deleted = true;
                        v.purge_at = Some(at + retention);
                    } else {
                        v.status = "available".into();
                        v.server = None;
                    }
                    v.updated = at;
                    v.transition = None;
                }
            }
        }
        // volumes
        let mut purge = Vec::new();
        for v in self.volumes.values_mut() {
            if let Some(t) = &v.transition {
                if t.at <= now {
                    v.status = t.status.clone();
                    v.updated = t.at;
                    if v.status == "deleted" {
                        v.deleted = true;
                        v.server = None;
                        v.purge_at = Some(t.at + retention);
                    }
                    if v.status == "available" {
                        v.server = None;
                    }
                    v.transition = None;
                }
            }
            if let Some(p) = v.purge_at {
                if p <= now {
                    purge.push(v.id);
                }
            }
        }
        for id in purge {
            self.volumes.remove(&id);
        }
        // ports
        let mut gone = Vec::new();
        for p in self.ports.values_mut() {
            if let Some(t) = &p.transition {
                if t.at <= now {
                    p.status = t.status.clone();
                    p.updated = t.at;
                    p.transition = None;
                }
            }
            if let Some(d) = p.delete_at {
                if d <= now {
                    gone.push(p.id);
                }
            }
        }
        for id in gone {
            self.remove_port(id);
        }
    }

    /// Remove a port and detach any floating IP using it.
    pub fn remove_port(&mut self, id: u64) {
        self.ports.remove(&id);
        for f in self.floating_ips.values_mut() {
            if f.port == Some(id) {
                f.port = None;
            }
        }
    }

    pub fn next_mac(&mut self) -> String {
        let n = Counters::next(&mut self.counters.mac);
        format!(
            "aa:00:00:{:02x}:{:02x}:{:02x}",
            (n >> 16) & 0xff,
            (n >> 8) & 0xff,
            n & 0xff
        )
    }

    /// Default project of a user (their system project unless changed).
    pub fn default_project(&self, user: &str) -> String {
        self.default_projects
            .get(user)
            .cloned()
            .unwrap_or_else(|| user.to_string())
    }
}
