//! Per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats), log-linear
//! and lock-free.
//!
//! Redis keeps one HdrHistogram per command (1 ns to 1 s, 2 significant digits). The
//! `hdrhistogram` crate records through `&mut self`, which would put a mutex on every
//! command of the hot path, shared by all connections running that command. A bucket
//! array of atomics needs none: a value lands in one of 16 linear sub-buckets of its
//! power of two (precision 1/16, 6.25%, against Redis's 1%), and recording is one
//! relaxed `fetch_add`. As in Redis, values are in nanoseconds, clamped to 1 ns..1 s,
//! and a command's buckets are allocated on its first call (3.4 KiB), so only the
//! commands in use cost memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

/// Sub-buckets per power of two (a power of two itself).
const SUB: u64 = 16;
const SUB_BITS: u32 = SUB.trailing_zeros();
/// The largest value kept, in ns (Redis's `LATENCY_HISTOGRAM_MAX_VALUE`, 1 s).
const MAX_NS: u64 = 1_000_000_000;
/// Buckets needed up to [`MAX_NS`]: 16 exact ones for 0..16 ns, then 16 per power of two.
const BUCKETS: usize = bucket_of(MAX_NS) + 1;

/// The bucket of a value in ns.
const fn bucket_of(ns: u64) -> usize {
    if ns < SUB {
        return ns as usize;
    }
    let exp = 63 - ns.leading_zeros(); // >= SUB_BITS
    let sub = (ns >> (exp - SUB_BITS)) & (SUB - 1);
    ((exp - SUB_BITS + 1) as u64 * SUB + sub) as usize
}

/// The highest value (ns) that falls into bucket `b`.
fn bucket_high(b: usize) -> u64 {
    let b = b as u64;
    if b < SUB {
        return b;
    }
    let exp = (b / SUB) as u32 + SUB_BITS - 1;
    let sub = b % SUB;
    let width = 1u64 << (exp - SUB_BITS);
    ((SUB + sub) << (exp - SUB_BITS)) + width - 1
}

/// One command's counts.
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
}

impl Histogram {
    fn new() -> Histogram {
        Histogram { buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect() }
    }

    fn record(&self, ns: u64) {
        self.buckets[bucket_of(ns.clamp(1, MAX_NS))].fetch_add(1, Ordering::Relaxed);
    }

    /// A copy of the counts, so a reply reads one consistent set.
    fn counts(&self) -> Vec<u64> {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).collect()
    }
}

/// A snapshot of one histogram, for replies.
pub struct Snapshot {
    counts: Vec<u64>,
    pub total: u64,
}

impl Snapshot {
    /// The value (ns) at `percentile` (0..=100), as HdrHistogram's
    /// `hdr_value_at_percentile`: the highest value of the bucket where the running
    /// count reaches that share of the total.
    pub fn value_at(&self, percentile: f64) -> u64 {
        let wanted = ((percentile.clamp(0.0, 100.0) / 100.0) * self.total as f64 + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut seen = 0;
        for (b, n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= wanted {
                return bucket_high(b);
            }
        }
        0
    }

    /// LATENCY HISTOGRAM's `histogram_usec`: (bucket label in µs, cumulative count) at
    /// each power of two from 1024 ns on, as Redis's logarithmic HdrHistogram iteration
    /// prints them (labels 1, 2, 4, 8, 16, 33, 66...: the bucket's highest equivalent
    /// value at 2 significant digits), skipping buckets that add nothing and ending
    /// once every call is counted.
    pub fn cumulative_usec(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let (mut seen, mut b) = (0u64, 0usize);
        for k in 0..=20u32 {
            // 1024 << 20 is past 1 s, where every value is (clamped values included).
            let bound = 1024u64 << k;
            while b < self.counts.len() && (bucket_high(b) < bound || k == 20) {
                seen += self.counts[b];
                b += 1;
            }
            let before = out.last().map_or(0, |&(_, n)| n);
            if seen > before {
                out.push(((bound + (8u64 << k) - 1) / 1000, seen));
            }
            if seen >= self.total {
                break;
            }
        }
        out
    }
}

/// The histograms of every command and subcommand, in registry order.
pub struct Histograms {
    each: Vec<OnceLock<Histogram>>,
}

impl Histograms {
    pub fn new(commands: usize) -> Histograms {
        Histograms { each: (0..commands).map(|_| OnceLock::new()).collect() }
    }

    /// Counts one run of command `idx` that took `took`.
    #[inline]
    pub fn record(&self, idx: usize, took: Duration) {
        if let Some(h) = self.each.get(idx) {
            h.get_or_init(Histogram::new).record(took.as_nanos().min(u64::MAX as u128) as u64);
        }
    }

    /// The snapshot of command `idx`, if it has run since the last reset.
    pub fn snapshot(&self, idx: usize) -> Option<Snapshot> {
        let counts = self.each.get(idx)?.get()?.counts();
        let total = counts.iter().sum();
        (total > 0).then_some(Snapshot { counts, total })
    }

    /// CONFIG RESETSTAT: forgets every count.
    pub fn reset(&self) {
        for h in self.each.iter().filter_map(OnceLock::get) {
            for b in h.buckets.iter() {
                b.store(0, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_ordered() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(15), 15);
        assert_eq!(bucket_of(16), 16);
        for b in 0..BUCKETS - 1 {
            assert_eq!(bucket_of(bucket_high(b)), b, "bucket {b}");
            assert_eq!(bucket_of(bucket_high(b) + 1), b + 1, "bucket {b}");
        }
        assert!(bucket_high(BUCKETS - 1) >= MAX_NS);
    }

    #[test]
    fn percentiles_within_a_sixteenth() {
        let h = Histogram::new();
        for ns in 1..=1000u64 {
            h.record(ns * 1000);
        }
        let counts = h.counts();
        let s = Snapshot { total: counts.iter().sum(), counts };
        let p50 = s.value_at(50.0) as f64;
        assert!((p50 - 500_000.0).abs() / 500_000.0 < 1.0 / 16.0, "{p50}");
        let p100 = s.value_at(100.0) as f64;
        assert!(p100 >= 1_000_000.0 && p100 < 1_070_000.0, "{p100}");
    }

    #[test]
    fn cumulative_labels_like_redis() {
        let h = Histogram::new();
        h.record(500); // below 1 µs
        h.record(20_000); // 20 µs: under the 33 µs label
        h.record(5_000_000_000); // clamped to 1 s
        let counts = h.counts();
        let s = Snapshot { total: counts.iter().sum(), counts };
        assert_eq!(s.cumulative_usec(), vec![(1, 1), (33, 2), (1_082_130, 3)]);
    }
}
