//! The eviction loop: keeps the dataset under `maxdisk` by `maxmemory-policy`.
//!
//! Every [`IDLE`] (every [`BUSY`] while over the bound) the loop measures the dataset —
//! RocksDB's live SST files, less what it has evicted that compaction has not yet
//! reclaimed — and, over `maxdisk`, evicts keys chosen as [`crate::types::evict`]
//! describes until the dataset is 2% under the bound or the round's time is up
//! (`maxmemory-eviction-tenacity`, Redis's formula). Each key goes through an ordinary
//! [`Txn`](crate::types::Txn) under its lock, so counters, WATCH and blocked clients
//! see an eviction as they see a DEL.
//!
//! Deleted records take space until compaction drops them, so once evicted bytes are
//! pending, the loop runs one full compaction in the background (never two at once;
//! automatic compactions go on beside it) and forgets the bytes it covered when it ends.
//! While over the bound writes are refused with an OOM error (as Redis refuses
//! `denyoom` commands) when the policy is `noeviction`, when nothing can be evicted
//! (`volatile-*` with no key with a TTL), or when writes outrun eviction by more than
//! 10% of the bound.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::commands::ServerState;
use crate::config::Policy;
use crate::storage::{Cf, Usage};
use crate::types::evict::{self, Hands, Pool};

/// Period of the loop within the bound.
pub const IDLE: Duration = Duration::from_millis(100);
/// Period while over it.
pub const BUSY: Duration = Duration::from_millis(1);

/// The loop's own state between rounds.
#[derive(Default)]
pub struct Evictor {
    pool: Pool,
    hands: Hands,
    /// A background compaction started by this loop is running.
    compacting: Arc<AtomicBool>,
    /// The policy of the last round: a change empties the pool.
    policy: Option<Policy>,
}

/// How long one round may evict: Redis's `evictionTimeLimitUs` (tenacity 10: 500 us;
/// each step beyond grows it 15%; 100: unlimited).
pub fn time_limit(tenacity: u32) -> Option<Duration> {
    match tenacity {
        0..=10 => Some(Duration::from_micros(50 * tenacity.max(1) as u64)),
        11..=99 => Some(Duration::from_micros((500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64)),
        _ => None,
    }
}

/// The dataset's size on disk: every column family's live SST files.
fn measure(usage: &dyn Fn(Cf) -> Usage) -> u64 {
    Cf::ALL.iter().map(|&cf| usage(cf).sst_bytes).sum()
}

impl Evictor {
    /// One round; answers how long to sleep before the next.
    pub fn round(&mut self, state: &ServerState) -> Duration {
        if state.pause.writes_paused() || state.store.storage.pending().stalled() {
            // CLIENT PAUSE holds the dataset still, as Redis pauses eviction; and while
            // writes fail (the disk is full) evicting would only queue more of them.
            return Duration::from_millis(100);
        }
        let (maxdisk, policy, samples, tenacity) = {
            let c = state.config.read();
            (c.maxdisk, c.eviction_policy(), c.maxmemory_samples as usize, c.maxmemory_eviction_tenacity)
        };
        let store = &state.store;
        let status = &store.eviction;
        // One reading of RocksDB's sizes serves the round: the measure and every
        // eviction's estimate.
        let sizes: Vec<Usage> = Cf::ALL.iter().map(|&cf| store.storage.usage(cf)).collect();
        let usage = |cf: Cf| Cf::ALL.iter().position(|&c| c == cf).map(|i| sizes[i]).unwrap_or_default();
        let used = measure(&usage);
        status.used.store(used, Ordering::Relaxed);
        if maxdisk == 0 {
            status.refuse_writes.store(false, Ordering::Relaxed);
            return IDLE;
        }
        if self.policy != Some(policy) {
            self.pool.clear();
            self.policy = Some(policy);
        }
        let mut size = used.saturating_sub(status.reclaiming.load(Ordering::Relaxed));
        let mut stuck = false;
        let before = size;
        if size > maxdisk {
            if policy == Policy::NoEviction {
                stuck = true;
            } else {
                let target = maxdisk - maxdisk / 50;
                let deadline = time_limit(tenacity).map(|d| Instant::now() + d);
                while size > target && deadline.is_none_or(|d| Instant::now() < d) {
                    let Some(freed) = self.evict_one(state, policy, samples, &usage) else {
                        stuck = true;
                        break;
                    };
                    size = size.saturating_sub(freed);
                }
            }
        }
        if before > maxdisk {
            let evicted = store.stats.evicted_keys.load(Ordering::Relaxed);
            tracing::debug!(used, before, after = size, maxdisk, evicted, stuck, "over maxdisk: eviction round");
        }
        let over = size > maxdisk;
        status.refuse_writes.store(over && (stuck || size > maxdisk + maxdisk / 10), Ordering::Relaxed);
        self.reclaim(state, used > maxdisk);
        if over {
            BUSY
        } else {
            IDLE
        }
    }

    /// Evicts the best candidate; answers the bytes it frees (0 if the candidate was
    /// gone), or `None` if no key can be evicted.
    fn evict_one(&mut self, state: &ServerState, policy: Policy, samples: usize, usage: &dyn Fn(Cf) -> Usage) -> Option<u64> {
        let store = &state.store;
        let random = matches!(policy, Policy::Random { .. });
        if random {
            self.pool.clear();
        }
        let mut seen = 0;
        for db in 0..store.databases() as u8 {
            if store.may_have_keys(db, policy.volatile()) {
                match evict::sample(store, db, policy, samples, &mut self.pool, &mut self.hands) {
                    Ok(n) => seen += n,
                    Err(e) => tracing::warn!(error = %e, "eviction sample failed"),
                }
            }
        }
        let candidate = match policy {
            Policy::Lru { .. } | Policy::Lfu { .. } if seen > 0 => match self.pool.take_above_mean() {
                Some(c) => c,
                // Only recently used keys in this stretch: sample on.
                None => return Some(0),
            },
            _ => self.pool.take()?,
        };
        tracing::trace!(key = %String::from_utf8_lossy(&candidate.key), score = candidate.score, mean = self.pool.mean(), "evicting");
        match evict::evict(store, &candidate, policy, usage) {
            Ok(Some(done)) => {
                store.eviction.reclaiming.fetch_add(done.freed, Ordering::Relaxed);
                state.touched(&done.touched);
                crate::notify::publish(state, &done.events);
                Some(done.freed)
            }
            Ok(None) => Some(0),
            Err(e) => {
                tracing::warn!(error = %e, "eviction failed");
                Some(0)
            }
        }
    }

    /// Starts a full background compaction when evicted bytes wait to be reclaimed and
    /// the files are over the bound; when it ends, the bytes pending at its start are
    /// taken as reclaimed.
    fn reclaim(&mut self, state: &ServerState, files_over: bool) {
        let status = &state.store.eviction;
        let pending = status.reclaiming.load(Ordering::Relaxed);
        if pending == 0 || !files_over || self.compacting.swap(true, Ordering::AcqRel) {
            return;
        }
        let (compacting, status) = (self.compacting.clone(), status.clone());
        let whole: Vec<_> = Cf::ALL.iter().map(|&cf| (cf, Vec::new(), vec![0xff; 40])).collect();
        state.store.storage.compact_later(
            whole,
            Some(Box::new(move || {
                let _ = status.reclaiming.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| Some(r.saturating_sub(pending)));
                compacting.store(false, Ordering::Release);
            })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_limit_follows_redis() {
        assert_eq!(time_limit(10), Some(Duration::from_micros(500)));
        assert_eq!(time_limit(0), Some(Duration::from_micros(50)));
        assert_eq!(time_limit(11), Some(Duration::from_micros(575)));
        assert_eq!(time_limit(100), None);
    }
}
