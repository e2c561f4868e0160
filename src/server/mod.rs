//! The server process: storage, listeners (TCP, TLS, Unix socket), background tasks and
//! an orderly shutdown.
//!
//! Shutdown (SIGINT, SIGTERM or SHUTDOWN): stop accepting, let every connection finish
//! the batch it is executing and flush its replies (waiting for the drop-guard each
//! connection task holds), join the background threads, sync the WAL, flush memtables,
//! stop RocksDB's background work and close it on this thread.

pub mod connection;
pub mod durability;
pub mod evict;
pub mod expiry;
pub mod limits;
pub mod listen;
pub mod sd_notify;
pub mod signals;
pub mod throttle;
pub mod tls;
pub mod uring;

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
    /// `audit-log-file` could not be opened.
    AuditLog { path: PathBuf, source: std::io::Error },
    /// The TLS certificate, key or settings cannot be used: why, naming the file.
    Tls(String),
    /// The ACL users of the config file or the aclfile could not be applied.
    Acl(String),
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
            StartError::AuditLog { path, source } => write!(f, "cannot open the audit log {}: {source}", path.display()),
            StartError::Tls(why) => write!(f, "TLS: {why}"),
            StartError::Acl(e) => f.write_str(e),
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
pub fn open(mut config: Config, tls: Arc<tls::Context>) -> Result<(Arc<ServerState>, Arc<dyn Storage>), StartError> {
    std::fs::create_dir_all(&config.dir).map_err(|source| StartError::DataDir { path: config.dir.clone(), source })?;
    let users = crate::acl::file::startup_users(&config).map_err(StartError::Acl)?;
    let files = limits::plan(config.maxclients);
    config.maxclients = files.maxclients;
    let budget = memory_budget(&config);
    let tuning = RocksOptions {
        block_cache_bytes: budget.block_cache,
        write_buffer_bytes: budget.write_buffer,
        write_buffers_limit: budget.write_buffers,
        background_jobs: 2,
        // Its log, manifest, write-ahead log and lock file come on top of the tables.
        max_open_files: files.rocksdb_files.saturating_sub(16).max(16) as i32,
        compression: config.rocksdb_compression,
        bottommost_compression: config.rocksdb_bottommost_compression,
    };
    let rocks = Arc::new(RocksStorage::open(&config.dir, &tuning, Meta::live_version)?);
    let storage: Arc<dyn Storage> = rocks.clone();
    let store = Store::open_with(storage.clone(), config.databases, config.key_recount_hold).map_err(|e| StartError::Load(e.to_string()))?;
    store.cache.set_budget(budget.read_cache);
    let state = Arc::new(ServerState::new(store, config));
    state.scripting.restore_saved(&state.store);
    state.acl.replace_all(users);
    // CONFIG SET maxmemory / read-cache-size resize the caches and memtables. Weak
    // references: the configuration lives inside the state.
    let (weak_state, weak_rocks) = (Arc::downgrade(&state), Arc::downgrade(&rocks));
    state.store.access.configure(config_lfu(&state.config.read()));
    state.store.set_notify_flags(state.config.read().notify_keyspace_events);
    state.config.read().runtime.install(move |old, new| {
        // First: a refused TLS change must leave everything as it was.
        tls.reconfigure(old, new)?;
        if let Some(state) = weak_state.upgrade() {
            state.store.access.configure(config_lfu(new));
            if old.key_recount_hold != new.key_recount_hold {
                state.store.recount.set_hold(new.key_recount_hold);
            }
            state.diag.configure(new);
            // CONFIG SET requirepass sets the default user's password, as in Redis.
            if old.requirepass != new.requirepass {
                state.acl.set_default_password(new.requirepass.as_deref());
            }
        }
        if new.maxclients > old.maxclients {
            limits::allow(new.maxclients).map_err(|e| ("maxclients", e))?;
        }
        if let Some(state) = weak_state.upgrade() {
            state.store.set_notify_flags(new.notify_keyspace_events);
        }
        let codecs = |c: &Config| (c.rocksdb_compression, c.rocksdb_bottommost_compression);
        if codecs(old) != codecs(new) {
            if let Some(rocks) = weak_rocks.upgrade() {
                rocks
                    .set_compression(new.rocksdb_compression, new.rocksdb_bottommost_compression)
                    .map_err(|e| ("rocksdb-compression", e.to_string()))?;
            }
        }
        let budget = memory_budget(new);
        if budget == old.memory_budget(crate::storage::Cf::ALL.len()) {
            return Ok(());
        }
        if let Some(rocks) = weak_rocks.upgrade() {
            rocks.set_memory(budget.block_cache, budget.write_buffer, budget.write_buffers).map_err(|e| ("maxmemory", e.to_string()))?;
        }
        if let Some(state) = weak_state.upgrade() {
            state.store.cache.set_budget(budget.read_cache);
        }
        Ok(())
    });
    Ok((state, storage))
}

/// `lfu-log-factor` and `lfu-decay-time`, for the access clock.
fn config_lfu(c: &Config) -> (u32, u32) {
    (c.lfu_log_factor, c.lfu_decay_time)
}

/// The split of `maxmemory` ([`Config::memory_budget`]), with a warning when the floors
/// exceed it.
fn memory_budget(config: &Config) -> crate::config::MemoryBudget {
    let budget = config.memory_budget(crate::storage::Cf::ALL.len());
    if config.maxmemory > 0 && budget.total() as u64 > config.maxmemory {
        tracing::warn!(maxmemory = config.maxmemory, used = budget.total(), "maxmemory is below DiskDB's floor for RocksDB's caches and memtables; using the floor");
    }
    budget
}

/// Logs what loading the configuration found: one line naming the parameters set
/// without effect (diskdb.conf.example says why for each), and the warnings.
fn report_config(config: &Config) {
    if !config.report.without_effect.is_empty() {
        tracing::info!(
            "accepted without effect (see the table in diskdb.conf.example): {}",
            config.report.without_effect.join(" ")
        );
    }
    for w in &config.report.warnings {
        tracing::warn!("{w}");
    }
}

/// The socket addresses of one `bind` entry on `port`: `*` is every IPv4 address, `::*`
/// every IPv6 one; `None` for an address that cannot be read.
fn bind_addr(host: &str, port: u16) -> Option<SocketAddr> {
    let host = match host {
        "*" => "0.0.0.0",
        "::*" => "::",
        h => h,
    };
    format!("{host}:{port}").parse().or_else(|_| format!("[{host}]:{port}").parse()).ok()
}

/// Listens on `port` at every `bind` address; as in Redis, a leading '-' makes an
/// address optional: skipped if unavailable.
fn bind_all(config: &Config, port: u16, what: &str) -> Result<Vec<tokio::net::TcpListener>, StartError> {
    let mut bound_all = Vec::new();
    for entry in &config.bind {
        let (optional, host) = entry.strip_prefix('-').map_or((false, entry.as_str()), |h| (true, h));
        let bound = bind_addr(host, port)
            .ok_or_else(|| StartError::BadBind { host: host.to_string(), reason: "not an IP address".into() })
            .and_then(|addr| {
                listen::bind_tcp(addr, config.tcp_backlog).map_err(|source| StartError::Listen { addr: addr.to_string(), source })
            });
        let l = match bound {
            Ok(l) => l,
            Err(e) if optional => {
                tracing::info!("{e} (optional address, skipped)");
                continue;
            }
            Err(e) => return Err(e),
        };
        let addr = l.local_addr().map_err(|source| StartError::Listen { addr: host.to_string(), source })?;
        tracing::info!(%addr, "listening on {what}");
        bound_all.push(l);
    }
    Ok(bound_all)
}

/// A background thread that sleeps `first`, then runs `tick` and sleeps what it answers,
/// until shutdown.
fn periodic(
    state: &Arc<ServerState>,
    name: &str,
    first: Duration,
    mut tick: impl FnMut(&ServerState) -> Duration + Send + 'static,
) -> Result<std::thread::JoinHandle<()>, StartError> {
    let s = state.clone();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut pause = first;
            while !s.shutdown.is_triggered() {
                std::thread::sleep(pause);
                pause = tick(&s);
            }
        })
        .map_err(|source| StartError::Thread { name: name.into(), source })
}

/// `io-engine`: whether TCP and Unix-socket clients are served through io_uring
/// (`uring::start` succeeded) or epoll; `uring` falls back to epoll, with a warning,
/// where the kernel refuses or lacks io_uring.
fn io_engine_uring(config: &Config) -> bool {
    if config.stored("io-engine", crate::config::IO_ENGINE_DEFAULT) != "uring" {
        return false;
    }
    match uring::start() {
        Ok(()) => {
            tracing::info!("io-engine uring: TCP and Unix-socket clients are served through io_uring");
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "io-engine uring: io_uring is unavailable, serving clients through epoll");
            false
        }
    }
}

/// Runs the server until shutdown.
pub async fn run(config: Config) -> Result<(), StartError> {
    let mut signals = signals::Signals::install()?;
    report_config(&config);
    let supervisor = sd_notify::Notifier::from_config(&config);
    let _ = crate::config::apply_oom_score(&config);
    // A bad certificate or key stops the start before storage is opened.
    let tls = tls::Context::start(&config).map_err(StartError::Tls)?;
    // The banner: what runs, as which process, on which data.
    tracing::info!(
        "DiskDB version={}, redis_version={}, bits={}, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        crate::commands::connection::REDIS_VERSION,
        usize::BITS,
        std::process::id()
    );
    let opening = std::time::Instant::now();
    let (state, storage) = open(config.clone(), tls.clone())?;
    if state.store.counts_ready() {
        let keys: i64 = (0..state.store.databases()).map(|db| state.store.dbsize(db).max(0)).sum();
        state.diag.recovered_keys.store(keys as u64, Ordering::Relaxed);
        tracing::info!(
            "DB loaded from disk: {keys} keys in {:.3} seconds (data directory {})",
            opening.elapsed().as_secs_f64(),
            config.dir.display()
        );
    } else {
        // After an unclean shutdown: the keys are being recounted in the background
        // (types::recount); INFO's rdb_last_load_keys_loaded is set when that ends.
        tracing::info!(
            "DB opened from disk in {:.3} seconds (data directory {}); serving while the keys are recounted",
            opening.elapsed().as_secs_f64(),
            config.dir.display()
        );
        let weak = Arc::downgrade(&state);
        state.store.recount.on_done(move |keys| {
            if let Some(state) = weak.upgrade() {
                state.diag.recovered_keys.store(keys as u64, Ordering::Relaxed);
            }
        });
    }
    if let Some(path) = &config.audit_log_file {
        state.audit.start(path.clone()).map_err(|source| StartError::AuditLog { path: path.clone(), source })?;
        let audit_state = state.clone();
        signals.on_hangup(Box::new(move || audit_state.audit.reopen()));
    }
    if let Some(pid) = &config.pidfile {
        let _ = std::fs::write(pid, format!("{}\n", std::process::id()));
    }

    let durability = Arc::new(Durability::default());
    let syncer = {
        let (d, st, s2, s3, s4) = (durability.clone(), storage.clone(), state.clone(), state.clone(), state.clone());
        std::thread::Builder::new()
            .name("wal-sync".into())
            .spawn(move || {
                d.run(
                    st,
                    move || s2.config.read().appendfsync,
                    move || s3.shutdown.is_triggered(),
                    move |took, ok| {
                        s4.metrics.wal_sync(took, ok);
                        if ok {
                            s4.diag.wal_syncs.fetch_add(1, Ordering::Relaxed);
                            s4.diag.latency.observe("wal-sync", took);
                        }
                    },
                )
            })
            .map_err(|source| StartError::Thread { name: "wal-sync".into(), source })?
    };
    let saver = {
        let s = state.clone();
        std::thread::Builder::new()
            .name("bgsave".into())
            .spawn(move || crate::commands::save_worker(s))
            .map_err(|source| StartError::Thread { name: "bgsave".into(), source })?
    };
    let expire_period = |s: &ServerState| Duration::from_millis(1000 / s.config.read().hz.max(1) as u64);
    let expirer = periodic(&state, "expire", expire_period(&state), move |s| {
        let started = std::time::Instant::now();
        expiry::cycle(s);
        s.diag.latency.observe("expire-cycle", started.elapsed());
        expire_period(s)
    })?;
    let evictor = {
        let mut e = evict::Evictor::default();
        periodic(&state, "evict", evict::IDLE, move |s| e.round(s))?
    };
    let metrics_period = Duration::from_millis(crate::commands::InstantMetrics::PERIOD_MS);
    let sampler = periodic(&state, "metrics", metrics_period, move |s| {
        s.instant.sample(&s.stats, crate::types::now_ms());
        metrics_period
    })?;

    // Every connection task holds a clone of `live`; `all_closed` answers once the last
    // one is dropped.
    let (live, mut all_closed) = mpsc::channel::<()>(1);
    let uring = io_engine_uring(&config);
    let mut listeners = JoinSet::new();
    listen::check_backlog(config.tcp_backlog);
    // Every socket is bound before any is served, so a client that reaches one finds
    // them all.
    let tls_port = tls::port(&config);
    let tls_listeners = if tls_port != 0 { bind_all(&config, tls_port, "TLS")? } else { Vec::new() };
    let metrics_listener = crate::metrics::http::bind(&config)?;
    if config.port != 0 {
        for l in bind_all(&config, config.port, "TCP")? {
            state.tcp_port.store(l.local_addr().map(|a| a.port() as u64).unwrap_or(0), Ordering::Relaxed);
            let tcp = listen::Tcp { listener: l, state: state.clone() };
            if uring {
                listeners.spawn(listen::accept_loop(listen::OnUring(tcp), state.clone(), durability.clone(), live.clone()));
            } else {
                listeners.spawn(listen::accept_loop(tcp, state.clone(), durability.clone(), live.clone()));
            }
        }
    }
    for l in tls_listeners {
        let tls = tls::TlsListener { listener: l, state: state.clone(), context: tls.clone() };
        listeners.spawn(listen::accept_loop(tls, state.clone(), durability.clone(), live.clone()));
    }
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
        let l = listen::bind_unix(path, config.tcp_backlog)
            .map_err(|source| StartError::Listen { addr: path.display().to_string(), source })?;
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(config.unixsocketperm));
        tracing::info!(path = %path.display(), "listening on Unix socket");
        if uring {
            listeners.spawn(listen::accept_loop(listen::OnUring(l), state.clone(), durability.clone(), live.clone()));
        } else {
            listeners.spawn(listen::accept_loop(l, state.clone(), durability.clone(), live.clone()));
        }
    }
    if let Some(l) = metrics_listener {
        // In `listeners`: shutdown stops it (and the scrapes it serves) with the others.
        listeners.spawn(crate::metrics::http::serve(l, state.clone()));
    }
    drop(live);
    let unixsocket = config.unixsocket.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    tracing::info!(
        dir = %config.dir.display(),
        "Ready to accept connections: port={} tls-port={} unixsocket={}",
        state.tcp_port.load(Ordering::Relaxed),
        tls_port,
        if unixsocket.is_empty() { "-" } else { &unixsocket }
    );
    supervisor.notify("READY=1\nSTATUS=Ready to accept connections\n");

    // A signal saves as `shutdown-on-sigterm` / `shutdown-on-sigint` say (SHUTDOWN
    // decides for itself before it triggers the shutdown).
    let signalled = tokio::select! {
        _ = state.shutdown.wait() => None,
        name = signals.stop_requested() => {
            tracing::info!("received {name}, shutting down");
            Some(name)
        }
    };
    supervisor.notify("STOPPING=1\n");
    tokio::spawn(signals.during_shutdown());
    state.shutdown.trigger();
    // Commands waiting for a background key recount answer an error now.
    state.store.recount.cancel();
    listeners.shutdown().await;
    // Connections notice the signal between batches, flush their replies and end.
    if tokio::time::timeout(Duration::from_secs(10), all_closed.recv()).await.is_err() {
        tracing::warn!(clients = state.clients.len(), "clients still busy after 10 s; closing storage under them");
    }
    state.saves.wake();
    let _ = saver.join();
    if let Some(name) = signalled {
        let param = if name == "SIGINT" { "shutdown-on-sigint" } else { "shutdown-on-sigterm" };
        let flags = state.config.read().stored(param, "default");
        let has = |f: &str| flags.split(' ').any(|w| w == f);
        if crate::commands::shutdown_saves(&state, has("save"), has("nosave")) {
            if let Err(e) = crate::commands::shutdown_save(&state) {
                tracing::error!(error = %e, "the shutdown backup failed; the data directory holds every acknowledged write");
            }
        }
    }
    durability.wake();
    let _ = syncer.join();
    let _ = expirer.join();
    let _ = sampler.join();
    let _ = evictor.join();
    if let Err(e) = state.store.close() {
        tracing::error!(error = %e, "saving key counters failed; the next start recounts them");
    }
    storage.close()?;
    state.audit.finish();
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
    }
    if let Some(pid) = &config.pidfile {
        let _ = std::fs::remove_file(pid);
    }
    tracing::info!("DiskDB is now ready to exit, bye bye...");
    Ok(())
}
