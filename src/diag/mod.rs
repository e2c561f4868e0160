//! Diagnostics the server keeps about itself: the slow log (SLOWLOG), the latency
//! monitor's event series (LATENCY LATEST / HISTORY / GRAPH / DOCTOR) and the
//! per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats).
//!
//! All three are fed from the one dispatch path ([`crate::commands::dispatch`]) with the
//! duration it already measures for INFO commandstats: no second clock read. What a
//! command pays is a few relaxed atomic loads and one atomic add (the histogram bucket);
//! the slow log and the event series take their lock only when a command was slow
//! enough to be recorded.
//!
//! The thresholds are the configuration's (`slowlog-log-slower-than`, `slowlog-max-len`,
//! `latency-monitor-threshold`, `latency-tracking`), copied into atomics by
//! [`Diagnostics::configure`] at start and on every CONFIG SET, so the hot path never
//! takes the configuration lock.

pub mod histogram;
pub mod latency;
pub mod slowlog;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::config::Config;

pub use histogram::Histograms;
pub use latency::LatencyMonitor;
pub use slowlog::SlowLog;

/// The server's diagnostics, one per server (in [`crate::commands::ServerState`]).
pub struct Diagnostics {
    pub slowlog: SlowLog,
    pub latency: LatencyMonitor,
    /// One histogram per command and subcommand, in registry order.
    pub histograms: Histograms,
    /// `latency-tracking`: whether commands feed [`Diagnostics::histograms`].
    tracking: AtomicBool,
    /// Syncs of RocksDB's write-ahead log done (INFO rocksdb).
    pub wal_syncs: AtomicU64,
    /// The replication ID INFO replication reports (`master_replid`), changed by DEBUG
    /// CHANGE-REPL-ID.
    replid: parking_lot::Mutex<String>,
    /// Keys found when the server opened its data (INFO persistence
    /// `rdb_last_load_keys_loaded`, and the start-up banner).
    pub recovered_keys: AtomicU64,
}

impl Diagnostics {
    /// Diagnostics for `commands` commands and subcommands, configured from `cfg`.
    pub fn new(commands: usize, cfg: &Config) -> Diagnostics {
        let d = Diagnostics {
            slowlog: SlowLog::default(),
            latency: LatencyMonitor::default(),
            histograms: Histograms::new(commands),
            tracking: AtomicBool::new(true),
            wal_syncs: AtomicU64::new(0),
            recovered_keys: AtomicU64::new(0),
            replid: parking_lot::Mutex::new(new_replid()),
        };
        d.configure(cfg);
        d
    }

    /// Copies the thresholds of `cfg` into the atomics the dispatch path reads.
    pub fn configure(&self, cfg: &Config) {
        let int = |name: &str, default: i64| cfg.stored(name, &default.to_string()).parse::<i64>().unwrap_or(default);
        self.slowlog.configure(int("slowlog-log-slower-than", 10_000), int("slowlog-max-len", 128));
        self.latency.set_threshold_ms(int("latency-monitor-threshold", 0).max(0) as u64);
        self.tracking.store(cfg.stored("latency-tracking", "yes") == "yes", Ordering::Relaxed);
    }

    pub fn replid(&self) -> String {
        self.replid.lock().clone()
    }

    /// DEBUG CHANGE-REPL-ID: a fresh replication ID.
    pub fn change_replid(&self) {
        *self.replid.lock() = new_replid();
    }

    /// Whether per-command histograms are kept (`latency-tracking`).
    #[inline]
    pub fn tracking(&self) -> bool {
        self.tracking.load(Ordering::Relaxed)
    }

    /// Records one command's run time in its histogram and, if it was slow enough, as a
    /// latency event (`fast-command` for commands flagged fast, `command` for the
    /// others, as Redis names them). The slow log is fed by the caller, which has the
    /// arguments and the client at hand.
    #[inline]
    pub fn command_ran(&self, idx: usize, fast: bool, took: Duration) {
        if self.tracking() {
            self.histograms.record(idx, took);
        }
        self.latency.observe(if fast { "fast-command" } else { "command" }, took);
    }
}

/// 40 random hex digits, as Redis's replication IDs.
fn new_replid() -> String {
    (0..40).map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0')).collect()
}
