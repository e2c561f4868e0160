//! Clients blocked on keys (BLPOP, BZPOPMIN, BLMOVE, ...).
//!
//! A blocking command that finds nothing to take sets [`Ctx::block`] and returns the
//! reply it would give on timeout. The connection then registers a [`Waiter`] on every
//! key and sleeps. A committed write that touches a key wakes the first waiter in that
//! key's queue, which re-runs its command; once served it leaves the queue and passes the
//! wake-up to the next waiter, so clients blocked on a key are served first come, first
//! served. A client that disconnects or times out just leaves the queues.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::error::{Error, Result};

/// What a blocking command waits for.
#[derive(Debug, Clone)]
pub struct BlockOn {
    /// Keys in the client's logical database.
    pub keys: Vec<Bytes>,
    /// `None` waits for ever.
    pub timeout: Option<Duration>,
    /// The arguments to run again when woken, if not the command's own (XREAD with `$`:
    /// the ID it stood for when the client blocked).
    pub rerun: Option<Vec<Bytes>>,
}

/// Parses a blocking timeout in seconds (fractions allowed), as Redis does.
/// Errors: `ERR timeout is not a float or out of range`, `ERR timeout is negative`.
pub fn parse_timeout(raw: &[u8]) -> Result<Option<Duration>> {
    let secs = super::args::parse_f64(raw)
        .filter(|v| v.is_finite())
        .ok_or(Error::TimeoutNotFloat)?;
    if secs < 0.0 {
        return Err(Error::TimeoutNegative);
    }
    if secs == 0.0 {
        return Ok(None);
    }
    // Redis keeps millisecond resolution; round up so 0.0001 still waits a little.
    let ms = (secs * 1000.0).ceil();
    if ms > (i64::MAX / 2) as f64 {
        return Err(Error::TimeoutOutOfRange);
    }
    Ok(Some(Duration::from_millis(ms as u64)))
}

pub struct Waiter {
    id: u64,
    pub notify: Notify,
}

/// The queues of waiters per `(physical db, key)`.
#[derive(Default)]
pub struct Blocked {
    queues: Mutex<HashMap<(u8, Bytes), VecDeque<Arc<Waiter>>>>,
    /// Registered waiters, read without the lock on every write.
    count: AtomicUsize,
    next_id: AtomicU64,
}

impl Blocked {
    /// Number of blocked clients (INFO `blocked_clients`).
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Queues a new waiter at the back of every key's queue.
    pub fn register(&self, keys: &[(u8, Bytes)]) -> Arc<Waiter> {
        let w = Arc::new(Waiter { id: self.next_id.fetch_add(1, Ordering::Relaxed), notify: Notify::new() });
        let mut q = self.queues.lock();
        for k in keys {
            q.entry(k.clone()).or_default().push_back(w.clone());
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        w
    }

    /// Removes a waiter from every queue it is in.
    pub fn unregister(&self, w: &Waiter, keys: &[(u8, Bytes)]) {
        let mut q = self.queues.lock();
        for k in keys {
            if let Some(queue) = q.get_mut(k) {
                queue.retain(|x| x.id != w.id);
                if queue.is_empty() {
                    q.remove(k);
                }
            }
        }
        self.count.fetch_sub(1, Ordering::Relaxed);
    }

    /// Wakes the first waiter of every key in physical database `db` (SWAPDB: what the
    /// waiters' database holds has changed all at once).
    pub fn wake_db(&self, db: u8) {
        if self.is_empty() {
            return;
        }
        let q = self.queues.lock();
        for ((d, _), queue) in q.iter() {
            if *d == db {
                if let Some(first) = queue.front() {
                    first.notify.notify_one();
                }
            }
        }
    }

    /// Wakes the first waiter of each touched key.
    pub fn wake(&self, touched: &[(u8, Bytes)]) {
        if self.is_empty() {
            return;
        }
        let q = self.queues.lock();
        for k in touched {
            if let Some(first) = q.get(k).and_then(|queue| queue.front()) {
                first.notify.notify_one();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout(b"0").unwrap(), None);
        assert_eq!(parse_timeout(b"1.5").unwrap(), Some(Duration::from_millis(1500)));
        assert!(parse_timeout(b"-1").is_err());
        assert!(parse_timeout(b"abc").is_err());
        assert!(parse_timeout(b"inf").is_err());
    }
}
