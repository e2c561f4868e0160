//! `appendfsync` on top of RocksDB's write-ahead log.
//!
//! Every write reaches the WAL file (the operating system's page cache) before it is
//! acknowledged, so a killed process loses nothing; the policy decides when the WAL is
//! forced to disk. One syncer thread does all fsyncs: under `always` a connection that
//! wrote waits, before sending its replies, until a sync that started after its write has
//! finished, so all writers waiting at the same time share one fsync (group commit);
//! under `everysec` the thread syncs once a second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::config::Fsync;
use crate::storage::Storage;

pub struct Durability {
    /// Count of writes announced with [`Durability::written`].
    written: AtomicU64,
    /// Every write with a ticket up to this is in the WAL file (not yet synced).
    flushed: AtomicU64,
    wake: (Mutex<bool>, Condvar),
    synced_tx: watch::Sender<u64>,
    synced_rx: watch::Receiver<u64>,
}

impl Default for Durability {
    fn default() -> Self {
        let (synced_tx, synced_rx) = watch::channel(0);
        Durability { written: AtomicU64::new(0), flushed: AtomicU64::new(0), wake: (Mutex::new(false), Condvar::new()), synced_tx, synced_rx }
    }
}

impl Durability {
    /// Announces a write that is already in the WAL; returns its ticket.
    pub fn written(&self) -> u64 {
        self.written.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Makes sure the write with `ticket` has left RocksDB's in-memory WAL buffer for the
    /// WAL file, so a killed process cannot lose it. Connections that wrote in the same
    /// scheduler round share one flush: each first lets the others run, and whoever comes
    /// back first flushes for everyone whose write is already in the buffer.
    pub async fn flushed(&self, storage: &dyn Storage, ticket: u64) -> crate::storage::Result<()> {
        tokio::task::yield_now().await;
        if self.flushed.load(Ordering::Acquire) >= ticket {
            return Ok(());
        }
        // Every write announced so far is in the buffer before this flush starts.
        let upto = self.written.load(Ordering::Acquire);
        storage.flush_wal()?;
        self.flushed.fetch_max(upto, Ordering::AcqRel);
        Ok(())
    }

    /// Waits until the write with `ticket` is on stable storage.
    pub async fn synced(&self, ticket: u64) {
        {
            let (lock, cv) = &self.wake;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
            cv.notify_one();
        }
        let mut rx = self.synced_rx.clone();
        let _ = rx.wait_for(|&s| s >= ticket).await;
    }

    /// Runs the syncer until `stop` returns true. `policy` is read each round so that
    /// CONFIG SET appendfsync takes effect at once.
    pub fn run(self: Arc<Self>, storage: Arc<dyn Storage>, policy: impl Fn() -> Fsync, stop: impl Fn() -> bool, on_sync: impl Fn()) {
        let (lock, cv) = &self.wake;
        let mut synced = 0u64;
        loop {
            {
                let mut pending = lock.lock().unwrap_or_else(|e| e.into_inner());
                if !*pending {
                    pending = cv.wait_timeout(pending, Duration::from_millis(1000)).unwrap_or_else(|e| e.into_inner()).0;
                }
                *pending = false;
            }
            let target = self.written.load(Ordering::Acquire);
            let due = match policy() {
                Fsync::Always => target > synced,
                Fsync::EverySec => target > synced,
                Fsync::No => false,
            };
            if due || stop() {
                if let Err(e) = storage.sync_wal() {
                    tracing::error!(error = %e, "WAL sync failed");
                } else {
                    synced = target;
                    on_sync();
                }
            }
            // Waiters of a policy just switched away from `always` must not hang.
            let _ = self.synced_tx.send(if policy() == Fsync::Always { synced } else { target });
            if stop() {
                return;
            }
        }
    }
}
