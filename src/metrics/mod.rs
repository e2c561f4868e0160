//! Prometheus metrics: the latency histograms the command path and the WAL syncer feed
//! ([`Metrics`]), the collector that turns the server's figures into the exposition
//! format when `/metrics` is scraped ([`collect`]), and the small HTTP server that
//! answers the scrape ([`http`], on `metrics-port`, off by default).
//!
//! Counting costs the command path as little as INFO's counters do: calls, errors and
//! bytes are the relaxed atomics INFO already keeps (`CommandStats`, `ServerStats`,
//! errorstats), read only at scrape time; the one addition per command is
//! [`LatencyHistogram::observe`], two relaxed `fetch_add`s on the command's own
//! histogram (a bucket and the sum) after a branch-free search of 20 bounds. Gauges
//! (clients, keys, RocksDB properties, process figures) are computed at scrape time.
//!
//! The histograms count from the start of the process: CONFIG RESETSTAT zeroes INFO's
//! counters (and so `diskdb_commands_total`, which Prometheus' `rate()` reads as a
//! counter reset) but not them, so a histogram's `_count` can exceed the counter after a
//! RESETSTAT.

pub mod collect;
pub mod http;
mod process;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the histogram buckets, in nanoseconds: 5 µs to 10 s, 1-2.5-5 steps
/// (Prometheus' default buckets, extended down to the microseconds a cached read
/// takes). The `+Inf` bucket comes after them.
pub const BOUNDS_NS: [u64; 20] = [
    5_000,
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

const BUCKETS: usize = BOUNDS_NS.len() + 1;

/// A latency histogram of relaxed atomic counters: observing is lock-free and never
/// allocates; reading ([`LatencyHistogram::read`]) may see a sum and buckets one
/// observation apart, which a scrape tolerates.
#[derive(Default)]
pub struct LatencyHistogram {
    /// Observations per bucket (not cumulative: the exposition adds them up).
    counts: [AtomicU64; BUCKETS],
    sum_ns: AtomicU64,
}

/// A histogram as the exposition wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSnapshot {
    pub sum_seconds: f64,
    pub count: u64,
    /// `(upper bound in seconds, observations in this bucket alone)`, `+Inf` last: what
    /// prometheus-client's encoder takes (it writes the cumulative `_bucket` counts).
    pub buckets: Vec<(f64, u64)>,
}

impl LatencyHistogram {
    /// Counts one observation of `elapsed`.
    #[inline]
    pub fn observe(&self, elapsed: Duration) {
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        // The number of bounds below `ns` is its bucket: a branch-free count over a
        // fixed array the compiler unrolls.
        let bucket = BOUNDS_NS.iter().map(|&b| (ns > b) as usize).sum::<usize>();
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(ns, Ordering::Relaxed);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    pub fn read(&self) -> HistogramSnapshot {
        let mut buckets = Vec::with_capacity(BUCKETS);
        let mut count = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            let n = c.load(Ordering::Relaxed);
            count += n;
            let bound = BOUNDS_NS.get(i).map_or(f64::INFINITY, |&ns| ns as f64 / 1e9);
            buckets.push((bound, n));
        }
        HistogramSnapshot { sum_seconds: self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9, count, buckets }
    }
}

/// What only the metrics keep (everything else they report is INFO's own figures).
pub struct Metrics {
    /// One histogram per spec of the command registry, in its order (the index
    /// dispatch already has; no lookup by name).
    commands: Box<[LatencyHistogram]>,
    /// WAL fsyncs (`appendfsync`) and how long each took.
    pub wal_syncs: LatencyHistogram,
    pub wal_sync_failures: AtomicU64,
}

impl Metrics {
    /// Metrics for a registry of `commands` specs.
    pub fn new(commands: usize) -> Metrics {
        Metrics {
            commands: (0..commands).map(|_| LatencyHistogram::default()).collect(),
            wal_syncs: LatencyHistogram::default(),
            wal_sync_failures: AtomicU64::new(0),
        }
    }

    /// Counts a run of command `idx` (its registry index) that took `elapsed`.
    #[inline]
    pub fn command(&self, idx: usize, elapsed: Duration) {
        if let Some(h) = self.commands.get(idx) {
            h.observe(elapsed);
        }
    }

    /// The histogram of command `idx`.
    pub fn command_latency(&self, idx: usize) -> Option<&LatencyHistogram> {
        self.commands.get(idx)
    }

    /// A WAL sync that took `elapsed`, or failed.
    pub fn wal_sync(&self, elapsed: Duration, ok: bool) {
        if ok {
            self.wal_syncs.observe(elapsed);
        } else {
            self.wal_sync_failures.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_land_in_the_first_bucket_whose_bound_holds_them() {
        let h = LatencyHistogram::default();
        h.observe(Duration::from_nanos(0));
        h.observe(Duration::from_nanos(5_000)); // on the bound: le="5e-06"
        h.observe(Duration::from_nanos(5_001));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(60)); // +Inf only
        let s = h.read();
        assert_eq!(s.count, 5);
        assert_eq!(s.buckets.len(), BOUNDS_NS.len() + 1);
        assert_eq!(s.buckets[0], (5e-6, 2));
        assert_eq!(s.buckets[1], (1e-5, 1));
        let at_5ms = s.buckets.iter().find(|(b, _)| *b == 0.005).unwrap();
        assert_eq!(at_5ms.1, 1);
        assert_eq!(s.buckets[BOUNDS_NS.len() - 1], (10.0, 0));
        assert_eq!(*s.buckets.last().unwrap(), (f64::INFINITY, 1));
        assert_eq!(s.buckets.iter().map(|b| b.1).sum::<u64>(), 5);
        assert!((s.sum_seconds - (60.0 + 0.003 + 10_001e-9)).abs() < 1e-9);
    }

    #[test]
    fn bounds_increase_and_counts_add_up() {
        let h = LatencyHistogram::default();
        for i in 0..1000u64 {
            h.observe(Duration::from_nanos(i * i * 997));
        }
        let s = h.read();
        assert!(s.buckets.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(s.buckets.iter().map(|b| b.1).sum::<u64>(), 1000);
        assert_eq!((s.count, h.count()), (1000, 1000));
    }

    #[test]
    fn a_command_index_out_of_range_is_ignored() {
        let m = Metrics::new(2);
        m.command(1, Duration::from_micros(1));
        m.command(7, Duration::from_micros(1));
        assert_eq!(m.command_latency(1).map(LatencyHistogram::count), Some(1));
        assert!(m.command_latency(7).is_none());
    }
}
