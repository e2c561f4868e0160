//! The key recount after an unclean shutdown, in the background while the server serves.
//!
//! The key, expiry and deadline counters of [`Store`](super::Store) are kept in memory
//! and saved only by a clean shutdown. After a crash they must be counted again from the
//! metadata column family: one sequential scan, about 30 s for 10 million keys. Instead
//! of making the server wait for it:
//!
//! 1. [`Recount::start`] takes a RocksDB snapshot before anything is served (the
//!    thread it starts takes it and reports back before `start` returns), and the
//!    in-memory counters start at zero.
//! 2. Every create, delete, expiry and TTL change from then on moves the counters as
//!    always: they hold the change since the snapshot (a delta, possibly negative).
//! 3. The thread counts keys, keys with a TTL and their deadline sum per physical
//!    database in the snapshot; when it is done it adds those bases to the counters
//!    (base + delta is the exact count) and marks them exact.
//! 4. FLUSHDB / FLUSHALL of a database while the scan runs zero its counters and
//!    drop its base ([`Recount::flushed`]): what the snapshot held is gone, and the
//!    counters then count from zero. Both happen under the one mutex, so a flush and
//!    the end of the scan are ordered. SWAPDB only moves the logical-to-physical map,
//!    and the counts are per physical database.
//!
//! Until then the readers that need exact figures wait ([`Recount::wait`]): DBSIZE, INFO
//! when it shows the keyspace section, MEMORY STATS (dispatch waits before it takes the
//! database gate, so other commands go on meanwhile; `Store::dbsize` waits too, for any
//! other caller). The others do without: RANDOMKEY picks by descending the key space (it
//! does not need the count to be correct), the active expire cycle and the `maxdisk`
//! evictor visit every database instead of skipping those whose counter is zero, and the
//! Prometheus page leaves the per-database key gauges out. A clean shutdown during the
//! scan stops it and saves no counters, so the next start counts again.
//!
//! `key-recount-hold yes` (a test hook) makes the thread wait, snapshot taken, until it
//! is set to `no`, so tests can write during the recount without relying on timing.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use super::store::{deadline_secs, DbCounters};
use crate::storage::{Cf, Range, Storage};

/// Keys between two looks at the cancel flag.
const CANCEL_EVERY: u64 = 4096;

enum Phase {
    /// Scanning; `flushed[db]` says the database was flushed since the snapshot.
    Running { flushed: Vec<bool> },
    Done,
    Failed(String),
    /// A shutdown stopped the scan.
    Cancelled,
}

/// Called once the counters are exact, with the total number of keys.
type OnDone = Box<dyn FnOnce(i64) + Send>;

/// The state of the background recount (or of none: [`Recount::exact`]).
pub struct Recount {
    /// True once the counters are exact: the one load readers pay.
    ready: AtomicBool,
    phase: Mutex<Phase>,
    finished: Condvar,
    cancel: AtomicBool,
    /// The test hook (`key-recount-hold`).
    hold: Mutex<bool>,
    released: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
    on_done: Mutex<Option<OnDone>>,
    /// Keys counted so far, for INFO.
    scanned: AtomicI64,
    /// All databases' keys when the scan ended.
    total: AtomicI64,
}

/// Why the exact counts cannot be had.
#[derive(Debug, Clone, PartialEq)]
pub enum Unavailable {
    Failed(String),
    Cancelled,
}

impl Recount {
    /// Counters that are exact from the start (saved by a clean shutdown, or an empty
    /// database).
    pub fn exact() -> Arc<Recount> {
        Arc::new(Recount::new(Phase::Done, false))
    }

    fn new(phase: Phase, hold: bool) -> Recount {
        Recount {
            ready: AtomicBool::new(matches!(phase, Phase::Done)),
            phase: Mutex::new(phase),
            finished: Condvar::new(),
            cancel: AtomicBool::new(false),
            hold: Mutex::new(hold),
            released: Condvar::new(),
            thread: Mutex::new(None),
            on_done: Mutex::new(None),
            scanned: AtomicI64::new(0),
            total: AtomicI64::new(0),
        }
    }

    /// Starts the recount into `counters` (all zero) on a thread of its own; returns once
    /// its snapshot is taken, so every write from then on counts as a change after it.
    pub fn start(storage: Arc<dyn Storage>, counters: Arc<[DbCounters]>, hold: bool) -> std::io::Result<Arc<Recount>> {
        let recount = Arc::new(Recount::new(Phase::Running { flushed: vec![false; counters.len()] }, hold));
        let (taken_tx, taken_rx) = std::sync::mpsc::channel();
        let me = recount.clone();
        let handle = std::thread::Builder::new().name("key-recount".into()).spawn(move || {
            let started = Instant::now();
            let snapshot = storage.snapshot();
            let _ = taken_tx.send(());
            me.wait_release();
            let result = if me.cancel.load(Ordering::Relaxed) { Ok(None) } else { me.scan(&*snapshot, counters.len()) };
            drop(snapshot);
            me.finish(result, &counters, started);
        })?;
        *recount.thread.lock() = Some(handle);
        // The thread always sends before it can fail; a closed channel means it panicked.
        let _ = taken_rx.recv();
        tracing::info!("recounting keys in the background (the last shutdown was not clean)");
        Ok(recount)
    }

    /// Whether the counters are exact now.
    #[inline]
    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the scan is still going.
    pub fn running(&self) -> bool {
        matches!(*self.phase.lock(), Phase::Running { .. })
    }

    /// Keys the scan has counted so far.
    pub fn scanned(&self) -> i64 {
        self.scanned.load(Ordering::Relaxed)
    }

    /// Waits until the counters are exact. A tokio worker hands its other tasks over to
    /// another thread first (`block_in_place`), so only the caller waits.
    pub fn wait(&self) -> Result<(), Unavailable> {
        if self.ready() {
            return Ok(());
        }
        let block = || {
            let mut phase = self.phase.lock();
            while matches!(*phase, Phase::Running { .. }) {
                self.finished.wait(&mut phase);
            }
            match &*phase {
                Phase::Done => Ok(()),
                Phase::Failed(e) => Err(Unavailable::Failed(e.clone())),
                _ => Err(Unavailable::Cancelled),
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(block),
            _ => block(),
        }
    }

    /// Runs `f` with the total key count when the scan has made the counters exact (at
    /// once if it already has); not at all if it fails or is cancelled.
    pub fn on_done(&self, f: impl FnOnce(i64) + Send + 'static) {
        let phase = self.phase.lock();
        match *phase {
            Phase::Running { .. } => *self.on_done.lock() = Some(Box::new(f)),
            Phase::Done => {
                drop(phase);
                f(self.total.load(Ordering::Relaxed));
            }
            _ => {}
        }
    }

    /// Database `db` (physical) is being flushed: zeroes its counters and, while the
    /// scan runs, drops its base. Call with the database gate held exclusively.
    pub fn flushed(&self, db: usize, c: &DbCounters) {
        let mut phase = self.phase.lock();
        if let Phase::Running { flushed } = &mut *phase {
            flushed[db] = true;
        }
        c.keys.store(0, Ordering::Relaxed);
        c.expires.store(0, Ordering::Relaxed);
        c.deadline_secs.store(0, Ordering::Relaxed);
    }

    /// The test hook: `true` holds the scan before it starts, `false` lets it go.
    pub fn set_hold(&self, hold: bool) {
        *self.hold.lock() = hold;
        self.released.notify_all();
    }

    /// Asks a running scan to stop (shutdown); its waiters then get
    /// [`Unavailable::Cancelled`]. Does not wait.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.set_hold(false);
    }

    /// Stops the scan if it runs and waits for its thread; answers whether the
    /// counters are exact (and so may be saved).
    pub fn stop(&self) -> bool {
        self.cancel();
        if let Some(t) = self.thread.lock().take() {
            let _ = t.join();
        }
        self.ready()
    }

    fn wait_release(&self) {
        let mut hold = self.hold.lock();
        while *hold && !self.cancel.load(Ordering::Relaxed) {
            self.released.wait(&mut hold);
        }
    }

    /// Counts per database: (keys, keys with a TTL, deadline sum); `None` if cancelled.
    #[allow(clippy::type_complexity)]
    fn scan(&self, view: &dyn crate::storage::ReadView, databases: usize) -> crate::storage::Result<Option<Vec<(i64, i64, i64)>>> {
        let mut counts = vec![(0i64, 0i64, 0i64); databases];
        let mut seen = 0u64;
        let mut cancelled = false;
        let mut short = None;
        view.scan(Cf::Meta, Range { start: &[], end: &[], reverse: false }, &mut |k, v| {
            seen += 1;
            if seen % CANCEL_EVERY == 0 {
                self.scanned.store(seen as i64, Ordering::Relaxed);
                if self.cancel.load(Ordering::Relaxed) {
                    cancelled = true;
                    return false;
                }
            }
            let Some(c) = k.first().and_then(|&db| counts.get_mut(db as usize)) else { return true };
            c.0 += 1;
            // Header: [kind][format][expire-at i64 BE].
            match v.get(2..10).and_then(|b| b.try_into().ok()).map(i64::from_be_bytes) {
                Some(0) => {}
                Some(at) => {
                    c.1 += 1;
                    c.2 += deadline_secs(at);
                }
                None => short = Some(k.to_vec()),
            }
            true
        })?;
        self.scanned.store(seen as i64, Ordering::Relaxed);
        if let Some(k) = short {
            tracing::warn!(key = ?String::from_utf8_lossy(&k), "metadata record too short");
        }
        Ok((!cancelled).then_some(counts))
    }

    fn finish(&self, result: crate::storage::Result<Option<Vec<(i64, i64, i64)>>>, counters: &[DbCounters], started: Instant) {
        let mut phase = self.phase.lock();
        let total = match result {
            Ok(Some(counts)) => {
                let Phase::Running { flushed } = &*phase else { return };
                for (db, (c, base)) in counters.iter().zip(counts).enumerate() {
                    if !flushed[db] {
                        c.keys.fetch_add(base.0, Ordering::Relaxed);
                        c.expires.fetch_add(base.1, Ordering::Relaxed);
                        c.deadline_secs.fetch_add(base.2, Ordering::Relaxed);
                    }
                }
                let total: i64 = counters.iter().map(|c| c.keys.load(Ordering::Relaxed).max(0)).sum();
                self.total.store(total, Ordering::Relaxed);
                *phase = Phase::Done;
                self.ready.store(true, Ordering::Release);
                tracing::info!(
                    "keys recounted in the background: {} keys in the snapshot, {total} now, in {:.3} seconds",
                    self.scanned(),
                    started.elapsed().as_secs_f64()
                );
                Some(total)
            }
            Ok(None) => {
                *phase = Phase::Cancelled;
                tracing::info!("key recount stopped by shutdown; the next start counts again");
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "the key recount failed: DBSIZE and INFO keyspace answer an error until a restart");
                *phase = Phase::Failed(e.to_string());
                None
            }
        };
        let done = self.on_done.lock().take();
        drop(phase);
        self.finished.notify_all();
        if let (Some(f), Some(total)) = (done, total) {
            f(total);
        }
    }
}
