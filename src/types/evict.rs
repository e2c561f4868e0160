//! Eviction under `maxdisk`: which key goes next, and what evicting it frees.
//!
//! Redis evicts when used memory passes `maxmemory`; DiskDB keeps its data on disk, so
//! its bound is on disk (`maxdisk`, see `server::evict` for the loop that enforces it).
//! The choice follows Redis's approximated algorithms (evict.c):
//!
//! - **Sampling.** Redis samples `maxmemory-samples` keys from random hash slots. Keys
//!   here are stored in order, and a random descent of the key space favours sparse
//!   regions (a handful of keys after a gap come up as often as thousands elsewhere), so
//!   instead each database has a hand ([`Hands`]) that sweeps its keys (its expiry index
//!   for `volatile-*`) in order, `maxmemory-samples` live keys per sample, round and
//!   round: every key is examined equally often, and key order has nothing to do with
//!   access times, so consecutive keys are as good a sample as scattered ones.
//! - **Pool.** As in Redis, the best [`POOL_SIZE`] candidates seen so far are kept across
//!   rounds, so a key that was a good candidate in an earlier sample is not forgotten.
//!   Under LRU and LFU only a candidate scoring at least the running mean of the keys
//!   sampled lately is taken (else sampling goes on: see [`Pool::take_above_mean`]). The
//!   best one is evicted, after a check under its lock that it still exists, still has a
//!   TTL (`volatile-*`) and was not accessed since it was sampled (LRU, LFU).
//! - **Scores.** LRU: milliseconds since the last access; LFU: 255 minus the decayed
//!   counter (see [`super::access`]); `volatile-ttl`: the nearest deadline first, read in
//!   order from the expiry index (exact, not sampled); random: the hand's next key (the
//!   hand starts nowhere in particular and favours no key).
//!
//! What evicting a key frees on disk is an estimate ([`estimate`]): RocksDB frees the
//! space only when compaction drops the deleted records.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;

use super::meta::{Kind, Meta};
use super::store::Store;
use super::txn::Txn;
use crate::config::Policy;
use crate::error::Result;
use crate::storage::{keys, Cf, Range, Usage};

/// Candidates kept across rounds (Redis's EVPOOL_SIZE).
pub const POOL_SIZE: usize = 16;
/// The most keys one sample reads, whatever `maxmemory-samples` says.
pub const MAX_SAMPLES: usize = 64;

/// What INFO and the write path read of eviction.
#[derive(Default)]
pub struct Status {
    /// Bytes of the dataset on disk at the last measure (SST files).
    pub used: AtomicU64,
    /// Bytes evicted since the last compaction that reclaimed them (an estimate): the
    /// dataset is taken as `used - reclaiming`.
    pub reclaiming: AtomicU64,
    /// Writes are refused (OOM): over the bound and nothing can be evicted, or too far
    /// over for eviction to keep up.
    pub refuse_writes: AtomicBool,
}

/// One eviction candidate: larger `score` goes first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub score: u64,
    pub db: u8,
    pub key: Bytes,
}

/// The best candidates seen so far, best last, and the running mean of every score
/// offered.
#[derive(Default)]
pub struct Pool {
    entries: Vec<Candidate>,
    mean: f64,
}

/// Weight of each new score in the running mean: about the last 200 keys sampled.
const MEAN_WEIGHT: f64 = 1.0 / 200.0;

impl Pool {
    /// Offers a candidate; a key already in the pool takes the new score.
    pub fn offer(&mut self, c: Candidate) {
        self.mean += (c.score as f64 - self.mean) * MEAN_WEIGHT;
        self.entries.retain(|e| !(e.db == c.db && e.key == c.key));
        let at = self.entries.partition_point(|e| e.score <= c.score);
        self.entries.insert(at, c);
        if self.entries.len() > POOL_SIZE {
            self.entries.remove(0);
        }
    }

    /// Takes the best candidate.
    pub fn take(&mut self) -> Option<Candidate> {
        self.entries.pop()
    }

    /// Takes the best candidate if it scores at least the mean of the keys sampled
    /// lately. The hand sweeps keys in order, so a run of recently used keys (stored
    /// side by side) can fill the pool for a while; they are not evicted just because
    /// nothing better was sampled in that stretch: sampling goes on past them.
    pub fn take_above_mean(&mut self) -> Option<Candidate> {
        match self.entries.last() {
            Some(c) if c.score as f64 >= self.mean => self.entries.pop(),
            _ => None,
        }
    }

    /// The running mean of the scores offered.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Forgets every candidate and the mean (a policy change).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.mean = 0.0;
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Where each database's sampling hand stands: the last key it examined (metadata key,
/// or expiry-index key for `volatile-*`), empty at the start.
#[derive(Default)]
pub struct Hands {
    keys: Vec<Vec<u8>>,
    volatile: Vec<Vec<u8>>,
}

/// Samples the next `count` live keys of physical database `db` after its hand (wrapping
/// round at the end) for `policy` into `pool`; answers how many it saw (0: the database
/// has none to offer). `volatile-ttl` always samples the nearest deadlines.
pub fn sample(store: &Store, db: u8, policy: Policy, count: usize, pool: &mut Pool, hands: &mut Hands) -> Result<usize> {
    let count = count.clamp(1, MAX_SAMPLES);
    let now = super::now_ms();
    let (lo, hi) = keys::db_bounds(db);
    let (cf, hand) = if policy.volatile() { (Cf::Expire, hand_of(&mut hands.volatile, db)) } else { (Cf::Meta, hand_of(&mut hands.keys, db)) };
    if policy == Policy::Ttl {
        hand.clear();
    }
    let mut found: Vec<(Vec<u8>, i64)> = Vec::with_capacity(count);
    for pass in 0..2 {
        // Just after the hand: the hand's key with a 0 byte appended.
        let from = if hand.is_empty() { lo.clone() } else { [&hand[..], &[0]].concat() };
        store.storage.scan(cf, Range { start: &from, end: &hi, reverse: false }, &mut |k, v| {
            let entry = if cf == Cf::Expire {
                keys::parse_expire_key(k).map(|(_, deadline, key)| (key.to_vec(), deadline))
            } else {
                Meta::decode_header(v).filter(|m| !m.is_expired(now)).map(|m| (k[1..].to_vec(), m.expire_at))
            };
            *hand = k.to_vec();
            if let Some((key, deadline)) = entry {
                if !found.iter().any(|(f, _)| *f == key) {
                    found.push((key, deadline));
                }
            }
            found.len() < count
        })?;
        if found.len() >= count || pass == 1 {
            break;
        }
        // The end of the database: round again from its start.
        hand.clear();
    }
    let seen = found.len();
    for (i, (key, deadline)) in found.into_iter().enumerate() {
        let Some(score) = score(store, db, policy, &key, deadline, count - i) else { return Ok(0) };
        pool.offer(Candidate { score, db, key: Bytes::from(key) });
    }
    Ok(seen)
}

fn hand_of(hands: &mut Vec<Vec<u8>>, db: u8) -> &mut Vec<u8> {
    if hands.len() <= db as usize {
        hands.resize(db as usize + 1, Vec::new());
    }
    &mut hands[db as usize]
}

/// A key's eviction score under `policy` (larger goes first); `None` under noeviction.
/// `order` ranks the keys of one sample for the random policies.
fn score(store: &Store, db: u8, policy: Policy, key: &[u8], deadline: i64, order: usize) -> Option<u64> {
    Some(match policy {
        Policy::Lru { .. } => store.access.idle_ms(db, key),
        Policy::Lfu { .. } => 255 - store.access.freq(db, key) as u64,
        Policy::Ttl => u64::MAX - deadline.max(0) as u64,
        Policy::Random { .. } => order as u64,
        Policy::NoEviction => return None,
    })
}

/// Bytes evicting a key with metadata `meta` frees once compacted: its metadata record,
/// plus, for a collection, its element count times the average record of the column
/// families its records live in (RocksDB's own counts); for a chunked string, its length.
pub fn estimate(key: &[u8], meta: &Meta, usage: &dyn Fn(Cf) -> Usage) -> u64 {
    let average = |cf: Cf| {
        let u = usage(cf);
        u.sst_bytes.checked_div(u.records).unwrap_or(0).max(16)
    };
    let own = (key.len() + meta.payload.len() + 24) as u64;
    let records = match meta.kind {
        Kind::String if meta.chunked => meta.size,
        Kind::String => 0,
        Kind::ZSet => meta.size.saturating_mul(average(Cf::Sub) + average(Cf::Score)),
        _ => meta.size.saturating_mul(average(Cf::Sub)),
    };
    own.saturating_add(records)
}

/// What one eviction did.
pub struct Evicted {
    /// Bytes freed (estimated).
    pub freed: u64,
    /// Keys changed, for WATCH and blocked clients.
    pub touched: Vec<(u8, Bytes)>,
    /// Keyspace events to publish (`evicted`, or `expired` for a key found expired).
    pub events: Vec<crate::notify::Event>,
}

/// Evicts `c` if it still qualifies; `None` if it no longer exists.
pub fn evict(store: &Store, c: &Candidate, policy: Policy, usage: &dyn Fn(Cf) -> Usage) -> Result<Option<Evicted>> {
    let _gate = store.shared();
    let _lock = store.locks.lock([(c.db, &c.key[..])]);
    let mut txn = Txn::new(store, c.db);
    txn.no_touch = true;
    let Some(meta) = txn.get(&c.key)? else {
        // Gone, or expired (which the lookup just deleted).
        let events = txn.take_events();
        let touched = txn.commit()?;
        return Ok(if touched.is_empty() { None } else { Some(Evicted { freed: 0, touched, events }) });
    };
    if policy.volatile() && meta.expire_at == 0 {
        return Ok(None);
    }
    // Read or written since it was sampled: no longer the candidate it was.
    if matches!(policy, Policy::Lru { .. } | Policy::Lfu { .. }) && score(store, c.db, policy, &c.key, meta.expire_at, 0).is_some_and(|now| now < c.score) {
        return Ok(None);
    }
    let freed = estimate(&c.key, &meta, usage);
    txn.delete(&c.key)?;
    txn.notify(crate::notify::EVICTED, "evicted", &c.key);
    let events = txn.take_events();
    let touched = txn.commit()?;
    store.stats.evicted_keys.fetch_add(1, Ordering::Relaxed);
    Ok(Some(Evicted { freed, touched, events }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(score: u64, key: &str) -> Candidate {
        Candidate { score, db: 0, key: Bytes::copy_from_slice(key.as_bytes()) }
    }

    #[test]
    fn the_pool_keeps_the_best_candidates_and_gives_the_best_first() {
        let mut pool = Pool::default();
        for i in 0..40 {
            pool.offer(cand(i, &format!("k{i}")));
        }
        assert_eq!(pool.len(), POOL_SIZE);
        assert_eq!(pool.take(), Some(cand(39, "k39")));
        // A key offered again takes its new score, once.
        pool.offer(cand(100, "k30"));
        assert_eq!(pool.len(), POOL_SIZE - 1);
        assert_eq!(pool.take(), Some(cand(100, "k30")));
        assert_eq!(pool.take(), Some(cand(38, "k38")));
    }

    #[test]
    fn only_candidates_above_the_running_mean_are_taken_by_score() {
        let mut pool = Pool::default();
        for i in 0..1000 {
            pool.offer(cand(1000, &format!("old{i}")));
        }
        pool.clear();
        // A mean near 1000 from old keys, then a run of fresh ones: none qualifies.
        for i in 0..1000 {
            pool.offer(cand(1000, &format!("old{i}")));
        }
        while pool.take().is_some() {}
        for i in 0..10 {
            pool.offer(cand(2, &format!("fresh{i}")));
        }
        assert_eq!(pool.take_above_mean(), None);
        pool.offer(cand(5000, "stale"));
        assert_eq!(pool.take_above_mean(), Some(cand(5000, "stale")));
        // take ignores the mean (random, ttl).
        assert_eq!(pool.take().map(|c| c.score), Some(2));
    }

    #[test]
    fn estimates_count_the_records_a_key_owns() {
        let usage = |cf: Cf| match cf {
            Cf::Sub => Usage { sst_bytes: 1000, records: 10 },
            Cf::Score => Usage { sst_bytes: 500, records: 10 },
            _ => Usage::default(),
        };
        let mut hash = Meta::collection(Kind::Hash, 7);
        hash.size = 3;
        assert_eq!(estimate(b"h", &hash, &usage), 1 + 24 + hash.payload.len() as u64 + 300);
        let mut zset = Meta::collection(Kind::ZSet, 7);
        zset.size = 2;
        assert_eq!(estimate(b"z", &zset, &usage), 1 + 24 + zset.payload.len() as u64 + 2 * 150);
        let s = Meta::string(Bytes::from_static(b"value"), 0);
        assert_eq!(estimate(b"s", &s, &usage), 1 + 5 + 24);
        let big = Meta::chunked_string(9, 1 << 20, 0);
        assert_eq!(estimate(b"b", &big, &usage), 1 + 24 + (1 << 20));
    }
}
