//! A connection pool: at most `max_size` connections, idle ones reused
//! most-recently-returned first, dropped after `idle_timeout`, and checked with PING on
//! checkout when they sat idle longer than `health_check_after` (a restarted server or a
//! timed-out connection is then replaced before the caller sees it).

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::options::ConnectOptions;
use crate::resp::Cmd;
use crate::value::Value;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Pool limits and checks.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Most connections open at once (checked out plus idle).
    pub max_size: usize,
    /// An idle connection older than this is closed instead of reused.
    pub idle_timeout: Option<Duration>,
    /// A connection idle longer than this is PINGed on checkout (zero: always).
    pub health_check_after: Duration,
    /// How long [`Pool::get`] waits for a free slot before [`Error::PoolTimeout`].
    pub wait_timeout: Option<Duration>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_size: 16,
            idle_timeout: Some(Duration::from_secs(300)),
            health_check_after: Duration::from_secs(1),
            wait_timeout: Some(Duration::from_secs(30)),
        }
    }
}

/// Counters describing a pool, for monitoring and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// The configured maximum.
    pub max_size: usize,
    /// Connections waiting in the pool.
    pub idle: usize,
    /// Connections checked out now.
    pub in_use: usize,
    /// Connections opened so far.
    pub created: u64,
    /// Idle connections dropped because they were too old.
    pub expired: u64,
    /// Idle connections dropped because the health check failed.
    pub failed_checks: u64,
}

struct Inner {
    opts: ConnectOptions,
    cfg: PoolConfig,
    idle: Mutex<Vec<(Connection, Instant)>>,
    slots: Arc<Semaphore>,
    created: AtomicU64,
    expired: AtomicU64,
    failed_checks: AtomicU64,
}

/// A cloneable handle to a pool of connections to one server.
///
/// ```no_run
/// # async fn demo() -> diskdb_client::Result<()> {
/// use diskdb_client::{AsyncCommands, Pool};
/// let pool = Pool::open("redis://127.0.0.1:6380")?;
/// let mut conn = pool.get().await?;
/// conn.incr("visits").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

impl Pool {
    /// A pool for a URL with [`PoolConfig::default`]. Connects lazily.
    pub fn open(url: &str) -> Result<Pool> {
        Ok(Pool::new(ConnectOptions::from_url(url)?, PoolConfig::default()))
    }

    /// A pool with explicit options and limits.
    pub fn new(opts: ConnectOptions, cfg: PoolConfig) -> Pool {
        let max = cfg.max_size.max(1);
        Pool {
            inner: Arc::new(Inner {
                opts,
                cfg: PoolConfig { max_size: max, ..cfg },
                idle: Mutex::new(Vec::new()),
                slots: Arc::new(Semaphore::new(max)),
                created: AtomicU64::new(0),
                expired: AtomicU64::new(0),
                failed_checks: AtomicU64::new(0),
            }),
        }
    }

    /// Checks a connection out: an idle one (health-checked if it sat long enough) or a
    /// new one; waits while `max_size` are in use.
    pub async fn get(&self) -> Result<PooledConnection> {
        let inner = &self.inner;
        let acquire = inner.slots.clone().acquire_owned();
        let permit = match inner.cfg.wait_timeout {
            Some(d) => tokio::time::timeout(d, acquire).await.map_err(|_| Error::PoolTimeout)?,
            None => acquire.await,
        }
        .map_err(|_| Error::PoolTimeout)?;
        loop {
            let candidate = {
                let mut idle = inner.idle.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(limit) = inner.cfg.idle_timeout {
                    let before = idle.len();
                    idle.retain(|(_, since)| since.elapsed() < limit);
                    inner.expired.fetch_add((before - idle.len()) as u64, Ordering::Relaxed);
                }
                idle.pop()
            };
            let Some((mut conn, since)) = candidate else { break };
            if since.elapsed() >= inner.cfg.health_check_after {
                let ok = conn.query::<Value>(&Cmd::new("PING")).await.is_ok();
                if !ok {
                    inner.failed_checks.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            }
            return Ok(PooledConnection { conn: Some(conn), pool: inner.clone(), _permit: permit });
        }
        let conn = Connection::connect(&inner.opts).await?;
        inner.created.fetch_add(1, Ordering::Relaxed);
        Ok(PooledConnection { conn: Some(conn), pool: inner.clone(), _permit: permit })
    }

    /// Current counters.
    pub fn status(&self) -> PoolStatus {
        let idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()).len();
        let free = self.inner.slots.available_permits();
        PoolStatus {
            max_size: self.inner.cfg.max_size,
            idle,
            in_use: self.inner.cfg.max_size - free,
            created: self.inner.created.load(Ordering::Relaxed),
            expired: self.inner.expired.load(Ordering::Relaxed),
            failed_checks: self.inner.failed_checks.load(Ordering::Relaxed),
        }
    }
}

/// A checked-out connection; it goes back to the pool when dropped (unless it is broken,
/// then it is closed and its slot freed).
pub struct PooledConnection {
    conn: Option<Connection>,
    pool: Arc<Inner>,
    _permit: OwnedSemaphorePermit,
}

impl PooledConnection {
    /// Takes the connection out of the pool for good (e.g. for [`crate::PubSub`]); its
    /// slot is freed.
    pub fn detach(mut self) -> Connection {
        self.conn.take().expect("connection present until drop")
    }
}

impl Deref for PooledConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("connection present until drop")
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if !conn.is_broken() {
                self.pool.idle.lock().unwrap_or_else(|e| e.into_inner()).push((conn, Instant::now()));
            }
        }
    }
}

impl crate::commands::AsyncCommands for PooledConnection {
    async fn send_cmd(&mut self, cmd: Cmd) -> Result<Value> {
        self.query(&cmd).await
    }
}
