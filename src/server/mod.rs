//! The server process: storage, listeners (TCP, Unix socket), background tasks and an
//! orderly shutdown.
//!
//! Shutdown (SIGINT, SIGTERM or SHUTDOWN): stop accepting, let every connection finish
//! the batch it is executing and flush its replies, sync the WAL, flush memtables and
//! close RocksDB.

pub mod connection;
pub mod durability;
pub mod expiry;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, UnixListener};
use tokio::task::JoinSet;

use crate::commands::{ClientInfo, ServerState};
use crate::config::Config;
use crate::storage::{rocks::RocksOptions, RocksStorage, Storage};
use crate::types::{Meta, Store};
use durability::Durability;

/// Opens storage and builds the shared state, without listening.
pub fn open(config: Config) -> Result<(Arc<ServerState>, Arc<dyn Storage>), String> {
    std::fs::create_dir_all(&config.dir).map_err(|e| format!("cannot create {}: {e}", config.dir.display()))?;
    let tuning = RocksOptions {
        block_cache_bytes: config.block_cache_size,
        write_buffer_bytes: config.write_buffer_size,
        background_jobs: 2,
    };
    let storage: Arc<dyn Storage> =
        Arc::new(RocksStorage::open(&config.dir, &tuning, Meta::live_version).map_err(|e| e.to_string())?);
    let store = Store::open(storage.clone(), config.databases).map_err(|e| e.to_string())?;
    store.cache.set_budget(config.read_cache_size);
    Ok((Arc::new(ServerState::new(store, config)), storage))
}

/// A background thread that runs `tick` after every `period` until shutdown.
fn periodic(
    state: &Arc<ServerState>,
    name: &str,
    period: impl Fn(&ServerState) -> Duration + Send + 'static,
    tick: impl Fn(&ServerState) + Send + 'static,
) -> Result<std::thread::JoinHandle<()>, String> {
    let s = state.clone();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            while !s.shutdown.is_triggered() {
                std::thread::sleep(period(&s));
                tick(&s);
            }
        })
        .map_err(|e| e.to_string())
}

/// Runs the server until shutdown.
pub async fn run(config: Config) -> Result<(), String> {
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
            .map_err(|e| e.to_string())?
    };
    let expirer = periodic(&state, "expire", |s| Duration::from_millis(1000 / s.config.read().hz.max(1) as u64), |s| {
        expiry::cycle(s);
    })?;
    let sampler = periodic(&state, "metrics", |_| Duration::from_millis(crate::commands::InstantMetrics::PERIOD_MS), |s| {
        s.instant.sample(&s.stats, crate::types::now_ms())
    })?;

    let mut listeners = JoinSet::new();
    if config.port != 0 {
        for host in &config.bind {
            let addr: SocketAddr = format!("{host}:{}", config.port)
                .parse()
                .or_else(|_| format!("[{host}]:{}", config.port).parse())
                .map_err(|e| format!("bad bind address {host}: {e}"))?;
            let l = TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            state.tcp_port.store(l.local_addr().map(|a| a.port() as u64).unwrap_or(0), Ordering::Relaxed);
            tracing::info!(%addr, "listening on TCP");
            listeners.spawn(accept_tcp(l, state.clone(), durability.clone()));
        }
    }
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
        let l = UnixListener::bind(path).map_err(|e| format!("cannot listen on {}: {e}", path.display()))?;
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(config.unixsocketperm));
        tracing::info!(path = %path.display(), "listening on Unix socket");
        listeners.spawn(accept_unix(l, state.clone(), durability.clone()));
    }
    tracing::info!(dir = %config.dir.display(), "Ready to accept connections");

    tokio::select! {
        _ = state.shutdown.wait() => {}
        _ = tokio::signal::ctrl_c() => tracing::info!("received SIGINT, shutting down"),
        _ = sigterm() => tracing::info!("received SIGTERM, shutting down"),
    }
    state.shutdown.trigger();
    listeners.abort_all();
    // Connections notice the signal between batches and flush their replies.
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while state.clients.len() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let _ = syncer.join();
    let _ = expirer.join();
    let _ = sampler.join();
    if let Err(e) = state.store.close() {
        tracing::error!(error = %e, "saving key counters failed; the next start recounts them");
    }
    storage.close().map_err(|e| e.to_string())?;
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
    }
    if let Some(pid) = &config.pidfile {
        let _ = std::fs::remove_file(pid);
    }
    tracing::info!("DiskDB is now ready to exit, bye bye...");
    Ok(())
}

async fn sigterm() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

/// Registers a client, enforcing `maxclients`; `None` if the server is full.
fn admit(state: &ServerState, addr: String, laddr: String, fd: i64, flag: &'static str) -> Option<Arc<ClientInfo>> {
    state.stats.connections_received.fetch_add(1, Ordering::Relaxed);
    if state.clients.len() >= state.config.read().maxclients {
        state.stats.rejected_connections.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    let info = Arc::new(ClientInfo::new(state.next_client_id(), addr, laddr, fd, flag));
    state.clients.insert(info.id, info.clone());
    Some(info)
}

const MAX_CLIENTS_REPLY: &[u8] = b"-ERR max number of clients reached\r\n";

async fn accept_tcp(l: TcpListener, state: Arc<ServerState>, durability: Arc<Durability>) {
    loop {
        let (mut sock, peer) = match l.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = sock.set_nodelay(true);
        let laddr = sock.local_addr().map(|a| a.to_string()).unwrap_or_default();
        use std::os::fd::AsRawFd;
        let fd = sock.as_raw_fd() as i64;
        let Some(info) = admit(&state, peer.to_string(), laddr, fd, "N") else {
            use tokio::io::AsyncWriteExt;
            let _ = sock.write_all(MAX_CLIENTS_REPLY).await;
            continue;
        };
        let (state, durability) = (state.clone(), durability.clone());
        tokio::spawn(async move {
            let id = info.id;
            connection::serve(state.clone(), durability, sock, info).await;
            state.clients.remove(&id);
        });
    }
}

async fn accept_unix(l: UnixListener, state: Arc<ServerState>, durability: Arc<Durability>) {
    let path = l.local_addr().ok().and_then(|a| a.as_pathname().map(|p| p.display().to_string())).unwrap_or_default();
    loop {
        let Ok((mut sock, _)) = l.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        use std::os::fd::AsRawFd;
        let fd = sock.as_raw_fd() as i64;
        let Some(info) = admit(&state, format!("{path}:0"), format!("{path}:0"), fd, "U") else {
            use tokio::io::AsyncWriteExt;
            let _ = sock.write_all(MAX_CLIENTS_REPLY).await;
            continue;
        };
        let (state, durability) = (state.clone(), durability.clone());
        tokio::spawn(async move {
            let id = info.id;
            connection::serve(state.clone(), durability, sock, info).await;
            state.clients.remove(&id);
        });
    }
}
