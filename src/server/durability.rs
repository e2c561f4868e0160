//! `appendfsync` on top of RocksDB's write-ahead log.
//!
//! Every write reaches the WAL file (the operating system's page cache) before it is
//! acknowledged, so a killed process loses nothing: the storage's writer thread hands the
//! WAL records of each group of batches to the operating system before it counts them
//! applied, and a connection sends replies to writes only once its batches are applied.
//! The policy decides when the WAL is forced to disk. One syncer thread does all fsyncs:
//! under `always` a connection that wrote waits, before sending its replies, until a sync
//! that started after its write has finished, so all writers waiting at the same time
//! share one fsync (group commit); under `everysec` the thread syncs once a second;
//! under `no` it leaves it to the operating system (a save point's backup, which syncs
//! the WAL before its checkpoint, makes that point survive power loss, as an RDB
//! snapshot would).
//!
//! Tickets are the storage's batch sequence numbers ([`crate::storage::pending`]).

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::config::Fsync;
use crate::storage::{Storage, StorageError};

pub struct Durability {
    wake: (Mutex<bool>, Condvar),
    synced_tx: watch::Sender<u64>,
    synced_rx: watch::Receiver<u64>,
}

impl Default for Durability {
    fn default() -> Self {
        let (synced_tx, synced_rx) = watch::channel(0);
        Durability { wake: (Mutex::new(false), Condvar::new()), synced_tx, synced_rx }
    }
}

impl Durability {
    /// The ticket of everything written so far: the last batch submitted.
    pub fn ticket(storage: &dyn Storage) -> u64 {
        storage.pending().submitted()
    }

    /// Waits until the batches up to `ticket` are applied and in the WAL file, so a
    /// killed process cannot lose them. First lets the other connections run: by the
    /// time this one is polled again the writer thread has usually applied them.
    pub async fn flushed(&self, storage: &dyn Storage, ticket: u64) -> crate::storage::Result<()> {
        let pending = storage.pending();
        if pending.applied() < ticket {
            tokio::task::yield_now().await;
            pending.applied_async(ticket).await;
        }
        pending.check()
    }

    /// Starts a sync round now (a waiter, or shutdown).
    pub fn wake(&self) {
        let (lock, cv) = &self.wake;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_one();
    }

    /// Waits until the write with `ticket` is on stable storage.
    pub async fn synced(&self, ticket: u64) {
        self.wake();
        let mut rx = self.synced_rx.clone();
        let _ = rx.wait_for(|&s| s >= ticket).await;
    }

    /// Runs the syncer until `stop` returns true. `policy` is read each round so that
    /// CONFIG SET appendfsync takes effect at once; `on_sync` runs after each sync with
    /// how long it took and whether it succeeded.
    pub fn run(
        self: Arc<Self>,
        storage: Arc<dyn Storage>,
        policy: impl Fn() -> Fsync,
        stop: impl Fn() -> bool,
        on_sync: impl Fn(Duration, bool),
    ) {
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
            // sync_wal waits for the batches submitted so far to be applied first.
            let target = storage.pending().submitted();
            let due = match policy() {
                Fsync::Always | Fsync::EverySec => target > synced,
                Fsync::No => false,
            };
            if due || stop() {
                let started = std::time::Instant::now();
                match storage.sync_wal() {
                    Ok(()) => {
                        on_sync(started.elapsed(), true);
                        synced = target;
                    }
                    // Writes fail (the disk is full; the writer logs it and retries):
                    // no sync now, the waiters of `always` wait for the retry.
                    Err(StorageError::WriteError(_)) => {}
                    Err(e) => {
                        on_sync(started.elapsed(), false);
                        tracing::error!(error = %e, "WAL sync failed");
                    }
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
