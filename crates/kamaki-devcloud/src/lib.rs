//! A local Synnefo cloud on loopback.
//!
//! `kamaki-devcloud` serves the Synnefo APIs that kamaki talks to — Astakos
//! (identity + account), Cyclades (compute, network, block storage), Plankton
//! (images) and Pithos (object storage, including the hashmap/block protocol)
//! — from one hyper 1 server bound to `127.0.0.1`. It is meant for demos,
//! end-to-end tests and benchmarks of kamaki-rs (and the Python kamaki CLI).
//!
//! # Quickstart
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_devcloud::DevCloudError> {
//! use kamaki_devcloud::{DevCloud, DevCloudConfig};
//! use std::time::Duration;
//!
//! let cloud = DevCloud::start(DevCloudConfig {
//!     build_delay: Duration::from_millis(20),
//!     ..Default::default()
//! })
//! .await?;
//! println!("auth URL {} token {}", cloud.auth_url(), cloud.token());
//! cloud.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # URL layout
//!
//! | Service | Catalog type | Path |
//! |---|---|---|
//! | identity | `identity` | `/identity/v2.0` |
//! | account | `account` (`astakos_account`) | `/account/v1.0` |
//! | compute | `compute` | `/compute/v2.0` |
//! | network | `network` | `/network/v2.0` |
//! | block storage | `volume` | `/volume/v2.0` (also `/volume/v2`) |
//! | images | `image` | `/image/v1.0` (also `/image/v1`) |
//! | object storage | `object-store` | `/object-store/v1` |
//! | public objects | `pithos_public` | `/public/<token>` |
//!
//! Unknown paths answer `400 {"badRequest": {"code": 400, "message": "API
//! endpoint not found", "details": ""}}`, as Synnefo does. Errors are
//! Synnefo "cloudFault" bodies; a rejected token gives
//! `{"unauthorized": ...}` on identity/account URLs and the
//! `{"fault": {"code": 401, "message": "Unauthorized", "details": "<astakos body>"}}`
//! wrapper on the other services.
//!
//! # Users
//!
//! The default configuration has two users (see [`DevUser::default_users`]):
//! `user@example.org` with token `devcloud-token-0` (the one returned by
//! [`DevCloud::token`]) and `friend@example.org` with token
//! `devcloud-token-1`, handy for sharing tests.
//!
//! # What a fresh cloud contains
//!
//! * Per user: Pithos containers `pithos`, `images` and `snapshots`, and a
//!   system project whose id is the user UUID.
//! * Public images `Debian 12 Bookworm`, `Ubuntu 22.04 LTS` and
//!   `Windows Server 2019` (properties `os`, `users`, `osfamily`, ...), owned
//!   by [`SYSTEM_UUID`] and stored as small objects in its `images` container.
//! * Flavors 1–6 (`C<cpu>R<ram>D<disk><template>`, ids are integers), volume
//!   types 1 `ext_archipelago` (detachable) and 2 `drbd`.
//! * Public network `1` (`SNF:floating_ip_pool`) with subnet
//!   `203.0.113.0/24`.
//!
//! # Behaviour notes
//!
//! * Asynchronous changes (server build/start/stop/reboot/delete, port
//!   activation, volume attach/detach/delete, snapshot CREATING → AVAILABLE)
//!   complete after [`DevCloudConfig::build_delay`]; deleted servers and
//!   volumes stay visible for [`DevCloudConfig::deleted_retention`].
//! * Pithos uses 4 MiB blocks hashed with SHA-256 (trailing zeros stripped)
//!   and Merkle `X-Object-Hash`/`ETag`; plain PUTs are hashed block by block
//!   while they stream in. With a `data_dir`, blocks are files named by their
//!   hash under `data_dir/blocks` and the rest of the state is
//!   `data_dir/state.json`, rewritten atomically shortly after changes and on
//!   [`DevCloud::shutdown`].
//! * Plankton image listings are bare JSON arrays, as the real Plankton
//!   (`json.dumps(images)`) sends and kamaki 0.16 expects.
//! * A snapshot writes [`SNAPSHOT_BYTES`] deterministic bytes (two blocks)
//!   to `pithos://<uuid>/snapshots/<display name>` and registers that object
//!   as an image with `is_snapshot`; the snapshot id is the image id.

#![warn(missing_docs)]

mod account;
mod blocks;
mod compute;
mod identity;
mod image;
mod network;
mod pithos;
mod state;
mod util;
mod volume;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::FutureExt;
use http::{Method, Request};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

pub use blocks::{block_hash, merkle, BLOCK_HASH, BLOCK_SIZE, EMPTY_HASH};
pub use volume::SNAPSHOT_BYTES;

use blocks::{lock, BlockStore};
use state::State;
use util::{Fault, Req, Resp};

/// A user of the development cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevUser {
    /// The user UUID (also the Pithos account name and the system project id).
    pub uuid: String,
    /// Email-like display name (what `user_catalogs` maps the UUID to).
    pub name: String,
    /// The authentication token.
    pub token: String,
}

impl DevUser {
    /// The default users: `user@example.org` (`devcloud-token-0`, UUID
    /// `0a1b2c3d-0000-4000-8000-000000000001`) and `friend@example.org`
    /// (`devcloud-token-1`, UUID `0a1b2c3d-0000-4000-8000-000000000002`).
    pub fn default_users() -> Vec<DevUser> {
        vec![
            DevUser {
                uuid: "0a1b2c3d-0000-4000-8000-000000000001".into(),
                name: "user@example.org".into(),
                token: "devcloud-token-0".into(),
            },
            DevUser {
                uuid: "0a1b2c3d-0000-4000-8000-000000000002".into(),
                name: "friend@example.org".into(),
                token: "devcloud-token-1".into(),
            },
        ]
    }
}

/// Owner of the built-in public images (Debian, Ubuntu, Windows).
pub const SYSTEM_UUID: &str = "00000000-0000-4000-8000-0000000000a1";
/// Display name of [`SYSTEM_UUID`].
pub const SYSTEM_NAME: &str = "images@devcloud.local";

/// How to start a [`DevCloud`].
#[derive(Debug, Clone)]
pub struct DevCloudConfig {
    /// TCP port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Where to persist blocks and state; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Time for asynchronous transitions (server BUILD → ACTIVE, start,
    /// shutdown, reboot, port BUILD → ACTIVE, snapshot CREATING → AVAILABLE).
    pub build_delay: Duration,
    /// How long deleted servers/volumes stay visible (status DELETED /
    /// deleted) before they are purged and answer 404.
    pub deleted_retention: Duration,
    /// Users and their tokens; the first one is "the" user.
    pub users: Vec<DevUser>,
}

impl Default for DevCloudConfig {
    fn default() -> Self {
        DevCloudConfig {
            port: 0,
            data_dir: None,
            build_delay: Duration::from_secs(1),
            deleted_retention: Duration::from_secs(30),
            users: DevUser::default_users(),
        }
    }
}

/// Errors starting the cloud.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevCloudError {
    /// Binding the socket or touching the data directory failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The persisted state could not be read.
    #[error("invalid persisted state: {0}")]
    State(String),
    /// The configuration is unusable (e.g. no users).
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Shared server state.
pub(crate) struct Cloud {
    pub cfg: DevCloudConfig,
    pub base: String,
    state: Mutex<State>,
    pub blocks: BlockStore,
    dirty: AtomicBool,
    persist_notify: Notify,
    state_path: Option<PathBuf>,
}

impl Cloud {
    /// Lock the state, applying due transitions first.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        let mut g = lock(&self.state);
        g.tick(util::now(), self.retention());
        g
    }

    pub fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::SeqCst);
        self.persist_notify.notify_one();
    }

    pub fn delay(&self) -> f64 {
        self.cfg.build_delay.as_secs_f64()
    }

    pub fn retention(&self) -> f64 {
        self.cfg.deleted_retention.as_secs_f64()
    }

    pub fn user_by_token(&self, token: &str) -> Option<&DevUser> {
        self.cfg.users.iter().find(|u| u.token == token)
    }

    pub fn user_by_uuid(&self, uuid: &str) -> Option<&DevUser> {
        self.cfg.users.iter().find(|u| u.uuid == uuid)
    }

    /// Display name of a UUID (users plus the system account).
    pub fn name_of(&self, uuid: &str) -> Option<String> {
        if uuid == SYSTEM_UUID {
            return Some(SYSTEM_NAME.into());
        }
        self.user_by_uuid(uuid).map(|u| u.name.clone())
    }

    pub fn uuid_of(&self, name: &str) -> Option<String> {
        if name == SYSTEM_NAME {
            return Some(SYSTEM_UUID.into());
        }
        self.cfg
            .users
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.uuid.clone())
    }

    pub fn is_known_uuid(&self, uuid: &str) -> bool {
        uuid == SYSTEM_UUID || self.user_by_uuid(uuid).is_some()
    }

    /// Authenticate a service request (Cyclades/Plankton/Pithos style 401s).
    pub fn auth(&self, req: &Req) -> Result<DevUser, Fault> {
        match req.token() {
            None => Err(Fault::unauthorized("No authentication token given")),
            Some(t) => self
                .user_by_token(&t)
                .cloned()
                .ok_or_else(Fault::service_unauthorized),
        }
    }

    fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.state_path else {
            return Ok(());
        };
        let data = {
            let g = lock(&self.state);
            serde_json::to_vec(&*g).map_err(std::io::Error::other)?
        };
        let tmp = path.with_extension(format!("json.tmp{}", util::random_string(4)));
        std::fs::write(&tmp, data)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

/// A running development cloud.
pub struct DevCloud {
    cloud: Arc<Cloud>,
    addr: SocketAddr,
    shutdown_tx: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    persister: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DevCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCloud")
            .field("addr", &self.addr)
            .finish()
    }
}

impl DevCloud {
    /// Bind `127.0.0.1:port`, load or seed the state and start serving.
    ///
    /// # Errors
    /// [`DevCloudError::Io`] if the port cannot be bound or the data directory
    /// is unusable, [`DevCloudError::State`] if persisted state is corrupt,
    /// [`DevCloudError::Config`] if no user is configured.
    pub async fn start(config: DevCloudConfig) -> Result<DevCloud, DevCloudError> {
        if config.users.is_empty() {
            return Err(DevCloudError::Config(
                "at least one user is required".into(),
            ));
        }
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://127.0.0.1:{}", addr.port());

        let (state_path, block_dir) = match &config.data_dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (Some(d.join("state.json")), Some(d.join("blocks")))
            }
            None => (None, None),
        };
        let mut state = State::default();
        if let Some(p) = &state_path {
            if p.exists() {
                let data = std::fs::read(p)?;
                state = serde_json::from_slice(&data)
                    .map_err(|e| DevCloudError::State(e.to_string()))?;
            }
        }
        let blocks = BlockStore::new(block_dir)?;
        let cloud = Arc::new(Cloud {
            cfg: config,
            base,
            state: Mutex::new(state),
            blocks,
            dirty: AtomicBool::new(false),
            persist_notify: Notify::new(),
            state_path,
        });
        identity::seed(&cloud);
        network::seed(&cloud);
        image::seed(&cloud)
            .await
            .map_err(|e| DevCloudError::State(format!("seeding images: {}", e.message)))?;
        cloud.mark_dirty();

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let server = tokio::spawn(serve(listener, cloud.clone(), shutdown_rx.clone()));
        let persister = tokio::spawn(persist_loop(cloud.clone(), shutdown_rx));
        tracing::info!(%addr, "kamaki-devcloud listening");
        Ok(DevCloud {
            cloud,
            addr,
            shutdown_tx,
            server: Some(server),
            persister: Some(persister),
        })
    }

    /// Identity endpoint, e.g. `http://127.0.0.1:PORT/identity/v2.0`.
    pub fn auth_url(&self) -> String {
        format!("{}/identity/v2.0", self.cloud.base)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.cloud.base.clone()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// All configured users.
    pub fn users(&self) -> &[DevUser] {
        &self.cloud.cfg.users
    }

    /// The first user's token.
    pub fn token(&self) -> &str {
        self.cloud
            .cfg
            .users
            .first()
            .map_or("", |u| u.token.as_str())
    }

    /// The first user's UUID.
    pub fn user_uuid(&self) -> &str {
        self.cloud.cfg.users.first().map_or("", |u| u.uuid.as_str())
    }

    /// A ready-to-paste `~/.kamakirc` snippet for this cloud.
    pub fn kamakirc_snippet(&self) -> String {
        format!(
            "[global]\ndefault_cloud = devcloud\n\n[cloud \"devcloud\"]\nurl = {}\ntoken = {}\n",
            self.auth_url(),
            self.token()
        )
    }

    /// Stop serving, close connections and persist the state (with a data dir).
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        if let Some(p) = self.persister.take() {
            let _ = p.await;
        }
        let cloud = self.cloud.clone();
        let res = tokio::task::spawn_blocking(move || cloud.save()).await;
        if let Ok(Err(e)) = res {
            tracing::warn!("saving state failed: {e}");
        }
    }
}

impl Drop for DevCloud {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

async fn persist_loop(cloud: Arc<Cloud>, mut stop: watch::Receiver<bool>) {
    if cloud.state_path.is_none() {
        return;
    }
    loop {
        tokio::select! {
            _ = cloud.persist_notify.notified() => {}
            _ = stop.changed() => return,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if cloud.dirty.swap(false, Ordering::SeqCst) {
            let c = cloud.clone();
            match tokio::task::spawn_blocking(move || c.save()).await {
                Ok(Err(e)) => tracing::warn!("saving state failed: {e}"),
                Err(e) => tracing::warn!("saving state failed: {e}"),
                Ok(Ok(())) => {}
            }
        }
    }
}

async fn serve(listener: TcpListener, cloud: Arc<Cloud>, mut stop: watch::Receiver<bool>) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let cloud = cloud.clone();
                conns.spawn(async move {
                    let svc = service_fn(move |req: Request<Incoming>| {
                        let cloud = cloud.clone();
                        async move { Ok::<_, Infallible>(handle(cloud, req).await) }
                    });
                    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    if let Err(e) = builder.serve_connection(TokioIo::new(stream), svc).await {
                        tracing::debug!("connection ended: {e}");
                    }
                });
            }
            _ = stop.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

async fn handle(cloud: Arc<Cloud>, req: Request<Incoming>) -> Resp {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let head = method == Method::HEAD;
    let mutating = !matches!(method, Method::GET | Method::HEAD);
    let result = std::panic::AssertUnwindSafe(route(cloud.clone(), req))
        .catch_unwind()
        .await;
    let resp = match result {
        Ok(Ok(r)) => r,
        Ok(Err(f)) => f.into_response(head),
        Err(_) => Fault::internal("Internal server error (handler panicked)").into_response(head),
    };
    if mutating {
        cloud.mark_dirty();
    }
    tracing::debug!(%method, %path, status = resp.status().as_u16(), "request");
    resp
}

async fn route(cloud: Arc<Cloud>, req: Request<Incoming>) -> util::R {
    let (parts, body) = req.into_parts();
    let raw_path = parts.uri.path().to_string();
    let query = util::parse_query(parts.uri.query());
    let mk = |rest: &str| Req {
        method: parts.method.clone(),
        segs: rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(util::pct_decode)
            .collect(),
        query: query.clone(),
        headers: parts.headers.clone(),
        body: None,
    };
    let prefixes: [(&str, u8); 12] = [
        ("/identity/v2.0", 0),
        ("/account/v1.0", 1),
        ("/compute/v2.0", 2),
        ("/network/v2.0", 3),
        ("/volume/v2.0", 4),
        ("/volume/v2", 4),
        ("/image/v1.0", 5),
        ("/image/v1", 5),
        ("/object-store/v1", 6),
        ("/public", 7),
        ("/ui", 8),
        ("/identity", 9),
    ];
    for (prefix, svc) in prefixes {
        let Some(rest) = raw_path.strip_prefix(prefix) else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with('/')) {
            continue;
        }
        let mut r = mk(rest);
        r.body = Some(body);
        return match svc {
            0 => identity::handle(&cloud, r).await,
            1 => account::handle(&cloud, r).await,
            2 => compute::handle(&cloud, r).await,
            3 => network::handle(&cloud, r).await,
            4 => volume::handle(&cloud, r).await,
            5 => image::handle(&cloud, r).await,
            6 => pithos::handle(&cloud, r, rest).await,
            7 => pithos::handle_public(&cloud, r).await,
            8 => account::handle_ui(&cloud, r).await,
            _ => identity::handle_versions(&cloud, r).await,
        };
    }
    Err(Fault::endpoint_not_found())
}
