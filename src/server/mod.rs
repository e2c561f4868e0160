//! The server process: storage, listeners (TCP, Unix socket), background tasks and an
//! orderly shutdown.
//!
//! Shutdown (SIGINT, SIGTERM or SHUTDOWN): stop accepting, let every connection finish
//! the batch it is executing and flush its replies (waiting for the drop-guard each
//! connection task holds), join the background threads, sync the WAL, flush memtables,
//! stop RocksDB's background work and close it on this thread.

pub mod connection;
pub mod durability;
pub mod expiry;
pub mod listen;
pub mod signals;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::commands::ServerState;
use crate::config::Config;
use crate::storage::{rocks::RocksOptions, RocksStorage, Storage, StorageError};
use crate::types::{Meta, Store};
use durability::Durability;

/// Why the server could not start (or could not close its storage at the end).
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    DataDir { path: PathBuf, source: std::io::Error },
    Storage(StorageError),
    /// The key counters or the database map could not be read.
    Load(String),
    BadBind { host: String, reason: String },
    Listen { addr: String, source: std::io::Error },
    Signals(std::io::Error),
    Thread { name: String, source: std::io::Error },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::DataDir { path, source } => write!(f, "cannot create {}: {source}", path.display()),
            StartError::Storage(e) => write!(f, "storage: {e}"),
            StartError::Load(e) => write!(f, "cannot load the key counters: {e}"),
            StartError::BadBind { host, reason } => write!(f, "bad bind address {host}: {reason}"),
            StartError::Listen { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            StartError::Signals(e) => write!(f, "cannot install signal handlers: {e}"),
            StartError::Thread { name, source } => write!(f, "cannot start the {name} thread: {source}"),
        }
    }
}

impl std::error::Error for StartError {}

impl From<StorageError> for StartError {
    fn from(e: StorageError) -> Self {
        StartError::Storage(e)
    }
}

/// Opens storage and builds the shared state, without listening.
pub fn open(config: Config) -> Result<(Arc<ServerState>, Arc<dyn Storage>), StartError> {
    std::fs::create_dir_all(&config.dir).map_err(|source| StartError::DataDir { path: config.dir.clone(), source })?;
    let tuning = RocksOptions {
        block_cache_bytes: config.block_cache_size,
        write_buffer_bytes: config.write_buffer_size,
        background_jobs: 2,
    };
    let storage: Arc<dyn Storage> =
        Arc::new(RocksStorage::open(&config.dir, &tuning, Meta::live_version)?);
    let store = Store::open(storage.clone(), config.databases).map_err(|e| StartError::Load(e.to_string()))?;
    store.cache.set_budget(config.read_cache_size);
    Ok((Arc::new(ServerState::new(store, config)), storage))
}

/// A background thread that runs `tick` after every `period` until shutdown.
fn periodic(
    state: &Arc<ServerState>,
    name: &str,
    period: impl Fn(&ServerState) -> Duration + Send + 'static,
    tick: impl Fn(&ServerState) + Send + 'static,
) -> Result<std::thread::JoinHandle<()>, StartError> {
    let s = state.clone();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            while !s.shutdown.is_triggered() {
                std::thread::sleep(period(&s));
                tick(&s);
            }
        })
        .map_err(|source| StartError::Thread { name: name.into(), source })
}

/// Runs the server until shutdown.
pub async fn run(config: Config) -> Result<(), StartError> {
    let mut signals = signals::Signals::install()?;
    let (state, storage) = open(config.clone())?;
    if let Some(pid) = &config.pidfile {
        let _ = std::fs::write(pid, format!("{}\n", std::process::id()));
    }

    let durability = Arc::new(Durability::default());
    let syncer = {
        let (d, st, s2) = (durability.clone(), storage.clone(), state.clone());
        let s3 = state.clone();
        let s4 = state.clone();
        std::thread::Builder::new()
            .name("wal-sync".into())
            .spawn(move || {
                d.run(
                    st,
                    move || s2.config.read().appendfsync,
                    move || s3.shutdown.is_triggered(),
                    move || s4.last_save.store(crate::types::now_ms() / 1000, Ordering::Relaxed),
                )
            })
            .map_err(|source| StartError::Thread { name: "wal-sync".into(), source })?
    };
    let expirer = periodic(&state, "expire", |s| Duration::from_millis(1000 / s.config.read().hz.max(1) as u64), |s| {
        expiry::cycle(s);
    })?;
    let sampler = periodic(&state, "metrics", |_| Duration::from_millis(crate::commands::InstantMetrics::PERIOD_MS), |s| {
        s.instant.sample(&s.stats, crate::types::now_ms())
    })?;

    // Every connection task holds a clone of `live`; `all_closed` answers once the last
    // one is dropped.
    let (live, mut all_closed) = mpsc::channel::<()>(1);
    let mut listeners = JoinSet::new();
    listen::check_backlog(config.tcp_backlog);
    if config.port != 0 {
        for host in &config.bind {
            let addr: SocketAddr = format!("{host}:{}", config.port)
                .parse()
                .or_else(|_| format!("[{host}]:{}", config.port).parse())
                .map_err(|e: std::net::AddrParseError| StartError::BadBind { host: host.clone(), reason: e.to_string() })?;
            let l = listen::bind_tcp(addr, config.tcp_backlog)
                .map_err(|source| StartError::Listen { addr: addr.to_string(), source })?;
            state.tcp_port.store(l.local_addr().map(|a| a.port() as u64).unwrap_or(0), Ordering::Relaxed);
            tracing::info!(%addr, "listening on TCP");
            listeners.spawn(listen::accept_loop(l, state.clone(), durability.clone(), live.clone()));
        }
    }
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
        let l = listen::bind_unix(path, config.tcp_backlog)
            .map_err(|source| StartError::Listen { addr: path.display().to_string(), source })?;
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(config.unixsocketperm));
        tracing::info!(path = %path.display(), "listening on Unix socket");
        listeners.spawn(listen::accept_loop(l, state.clone(), durability.clone(), live.clone()));
    }
    drop(live);
    tracing::info!(dir = %config.dir.display(), "Ready to accept connections");

    tokio::select! {
        _ = state.shutdown.wait() => {}
        name = signals.stop_requested() => tracing::info!("received {name}, shutting down"),
    }
    tokio::spawn(signals.during_shutdown());
    state.shutdown.trigger();
    listeners.shutdown().await;
    // Connections notice the signal between batches, flush their replies and end.
    if tokio::time::timeout(Duration::from_secs(10), all_closed.recv()).await.is_err() {
        tracing::warn!(clients = state.clients.len(), "clients still busy after 10 s; closing storage under them");
    }
    durability.wake();
    let _ = syncer.join();
    let _ = expirer.join();
    let _ = sampler.join();
    if let Err(e) = state.store.close() {
        tracing::error!(error = %e, "saving key counters failed; the next start recounts them");
    }
    storage.close()?;
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
    }
    if let Some(pid) = &config.pidfile {
        let _ = std::fs::remove_file(pid);
    }
    tracing::info!("DiskDB is now ready to exit, bye bye...");
    Ok(())
}
