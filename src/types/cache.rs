//! The record cache: windows of hot collections' records kept in memory.
//!
//! A range read of a collection (ZRANGE, LRANGE, HGETALL, SMEMBERS...) walks a RocksDB
//! iterator, at several hundred instructions per record. Most real workloads read the same
//! few collections over and over (a leaderboard's top ten, a timeline's newest hundred)
//! and write them far less often. This cache keeps, per column family and collection
//! version, one *window*: every record whose suffix lies in `[lo, hi)`, copied out of
//! storage, so such reads become a binary search and a walk over memory.
//!
//! # Correctness
//! A window is exact: it holds precisely the records storage holds in its interval. Two
//! facts keep it so:
//! - Records are addressed by version, and versions are never reused, so a window can
//!   never be read for another key, before or after RENAME, MOVE, SWAPDB, DEL or
//!   re-creation.
//! - Every write to a version's records goes through a command's batch, and
//!   [`Txn::commit`](super::Txn::commit) (or, for a transaction or script,
//!   [`commit_staged`](super::txn::commit_staged)) calls [`RecordCache::invalidate`] for
//!   each version it wrote *after* the batch is applied. A window being loaded while a write lands is
//!   discarded: loading starts by stamping the slot, and only a slot still carrying that
//!   stamp (not removed by an invalidation in between) takes the window.
//!
//! # Admission: pay at most twice
//! Loading a window costs about as much as reading its records once. A version is loaded
//! only after reads of it through storage have walked as many records (plus a fixed cost
//! per iterator) as the window will hold, counted since its last write. A collection
//! that is written as often as it is read therefore never costs more than twice what it
//! would without the cache (the ski-rental bound), and one that is read far more often
//! is served from memory after a short warm-up.
//!
//! # Memory
//! At most `budget` bytes (`read-cache-size`, 0 turns the cache off), split over shards;
//! each shard evicts with the CLOCK algorithm (a window read since the hand last passed
//! gets a second chance). Windows hold at most [`WINDOW_RECORDS`] records and
//! [`WINDOW_BYTES`] bytes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::storage::Cf;

/// Most records in one window (few in unit tests, so windows that end early get tested).
#[cfg(not(test))]
pub const WINDOW_RECORDS: usize = 16384;
#[cfg(test)]
pub const WINDOW_RECORDS: usize = 64;
/// Most bytes (suffixes and values) in one window.
pub const WINDOW_BYTES: usize = 1 << 20;
/// What opening an iterator costs, in records walked, for admission accounting.
pub const SEEK_COST: u64 = 16;
/// What a slot costs besides its window's bytes (map entry, queue entry, header).
const SLOT_OVERHEAD: usize = 96;
const SHARDS: usize = 16;

type SlotKey = (Cf, u64);

/// Records of one version in one column family with suffixes in `[lo, hi)`, in order.
pub struct Window {
    lo: Vec<u8>,
    /// `None`: no upper bound, the window runs to the version's last record.
    hi: Option<Vec<u8>>,
    arena: Vec<u8>,
    /// Per record: where its suffix ends and where its value ends in `arena` (the next
    /// record starts where the previous value ended).
    ends: Vec<(u32, u32)>,
}

impl Window {
    /// Starts a window whose lower bound is `lo`.
    pub fn new(lo: &[u8]) -> Window {
        Window { lo: lo.to_vec(), hi: None, arena: Vec::new(), ends: Vec::new() }
    }

    /// Appends a record; records must come in ascending suffix order.
    pub fn push(&mut self, suffix: &[u8], value: &[u8]) {
        self.arena.extend_from_slice(suffix);
        let k = self.arena.len() as u32;
        self.arena.extend_from_slice(value);
        self.ends.push((k, self.arena.len() as u32));
    }

    /// Whether the window holds `records` records, or as many bytes as a window may.
    pub fn is_full(&self, records: usize) -> bool {
        self.ends.len() >= records.min(WINDOW_RECORDS) || self.arena.len() >= WINDOW_BYTES
    }

    /// Ends the window before `hi` (exclusive); without a call it runs to the end.
    pub fn close(&mut self, hi: &[u8]) {
        self.hi = Some(hi.to_vec());
    }

    /// Sets the lower bound (inclusive), for windows filled from the top down.
    pub fn set_lo(&mut self, lo: &[u8]) {
        self.lo = lo.to_vec();
    }

    /// Puts records pushed in descending order (a backwards fill) into ascending order.
    pub fn finish_reversed(&mut self) {
        let mut w = Window::new(&self.lo);
        w.hi = self.hi.take();
        for i in (0..self.len()).rev() {
            let (k, v) = self.record(i);
            w.push(k, v);
        }
        *self = w;
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.arena.len() + self.ends.len() * 8 + self.lo.len() + self.hi.as_ref().map_or(0, Vec::len)
    }

    /// The suffix and value of record `i`.
    pub fn record(&self, i: usize) -> (&[u8], &[u8]) {
        let start = if i == 0 { 0 } else { self.ends[i - 1].1 as usize };
        let (k, v) = self.ends[i];
        (&self.arena[start..k as usize], &self.arena[k as usize..v as usize])
    }

    fn suffix(&self, i: usize) -> &[u8] {
        self.record(i).0
    }

    /// Index of the first record whose suffix is `>= s`.
    fn lower_bound(&self, s: &[u8]) -> usize {
        let (mut a, mut b) = (0, self.len());
        while a < b {
            let m = (a + b) / 2;
            if self.suffix(m) < s {
                a = m + 1;
            } else {
                b = m;
            }
        }
        a
    }

    /// Whether `suffix` lies in `[lo, hi)`.
    fn covers(&self, suffix: &[u8]) -> bool {
        suffix >= &self.lo[..] && self.hi.as_deref().map_or(true, |hi| suffix < hi)
    }

    /// The value stored under `suffix`, if the window covers it: `Some(None)` when the
    /// record does not exist, `None` when only storage can tell.
    pub fn get(&self, suffix: &[u8]) -> Option<Option<&[u8]>> {
        if !self.covers(suffix) {
            return None;
        }
        let i = self.lower_bound(suffix);
        Some((i < self.len() && self.suffix(i) == suffix).then(|| self.record(i).1))
    }

    /// Visits the records with suffixes in `[from, to)` (`to` empty: no bound) that the
    /// window holds, in the requested direction, as a storage scan would, and tells what
    /// remains for storage:
    /// - `Done`: the scan is complete (or `visit` stopped it);
    /// - `Continue(from, to)`: the window ran out; storage must scan that interval next.
    /// Answers `None`, visiting nothing, when the window does not hold the start.
    pub fn scan(&self, from: &[u8], to: &[u8], reverse: bool, visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Option<Rest> {
        let to_bound = (!to.is_empty()).then_some(to);
        if !reverse {
            if from < &self.lo[..] {
                return None;
            }
            // Both ends found by binary search, so the walk compares no keys.
            let end = to_bound.map_or(self.len(), |t| self.lower_bound(t));
            for i in self.lower_bound(from)..end {
                let (k, v) = self.record(i);
                if !visit(k, v) {
                    return Some(Rest::Done);
                }
            }
            if end < self.len() {
                return Some(Rest::Done);
            }
            match (&self.hi, to_bound) {
                (None, _) => Some(Rest::Done),
                (Some(hi), Some(t)) if t <= &hi[..] => Some(Rest::Done),
                (Some(hi), _) => {
                    let start = if from > &hi[..] { from } else { &hi[..] };
                    Some(Rest::Continue(start.to_vec(), to.to_vec()))
                }
            }
        } else {
            let covered = match (&self.hi, to_bound) {
                (None, _) => true,
                (Some(hi), Some(t)) => t <= &hi[..],
                (Some(_), None) => false,
            };
            if !covered {
                return None;
            }
            let top = to_bound.map_or(self.len(), |t| self.lower_bound(t));
            let bottom = self.lower_bound(from);
            for i in (bottom..top.max(bottom)).rev() {
                let (k, v) = self.record(i);
                if !visit(k, v) {
                    return Some(Rest::Done);
                }
            }
            if bottom > 0 {
                return Some(Rest::Done);
            }
            if from >= &self.lo[..] {
                Some(Rest::Done)
            } else {
                let below = match to_bound {
                    Some(t) if t < &self.lo[..] => t,
                    _ => &self.lo[..],
                };
                Some(Rest::Continue(from.to_vec(), below.to_vec()))
            }
        }
    }
}

/// What a window leaves for storage after serving what it holds.
#[derive(Debug, PartialEq)]
pub enum Rest {
    Done,
    /// Scan `[from, to)` in storage, in the same direction (`to` empty: no bound).
    Continue(Vec<u8>, Vec<u8>),
}

enum Slot {
    /// Not cached: records walked through storage since the last write, and the stamp
    /// of this slot's creation (a load only lands on the slot it started from).
    /// `paid`: records walked through storage since the last write (plus a seek cost per
    /// read); `stamp`: this slot's creation (a load only lands on the slot it started from).
    Warming { paid: u64, stamp: u64, seen: Seen },
    /// `missed`: what reads the window could not (wholly) serve walked through storage.
    Ready { window: Arc<Window>, referenced: bool, missed: u64, seen: Seen, stamp: u64 },
}

impl Slot {
    /// Unique to this slot's lifetime (a Ready slot keeps the stamp it warmed under), so
    /// a CLOCK entry names one slot, not whatever later takes its key.
    fn stamp(&self) -> u64 {
        match self {
            Slot::Warming { stamp, .. } | Slot::Ready { stamp, .. } => *stamp,
        }
    }
}

/// Slot keys are a column family and a version (unique, well spread): a multiply-mix
/// is enough, and SipHash showed up in profiles of write-heavy loads.
#[derive(Default)]
struct SlotHasher(u64);

impl std::hash::Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(29) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type SlotMap = HashMap<SlotKey, Slot, std::hash::BuildHasherDefault<SlotHasher>>;

/// What reads of a version have shown about it, to size its window.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    /// The most records one read visited.
    longest: u64,
    /// How many records the version has, once a read walked all of them.
    size: Option<u64>,
    /// Windows replaced because reads kept going outside them: reads scattered over
    /// the version (GEOSEARCH's nine cells of one sorted set).
    reloads: u32,
    /// A window from the version's first record stopped at the size limit: the version
    /// does not fit in one.
    too_big: bool,
}

impl Seen {
    fn note(&mut self, read_len: u64, whole: bool) {
        self.longest = self.longest.max(read_len);
        if whole {
            self.size = Some(read_len);
        }
    }

    /// A window for the whole version when it is known to fit, else room for a few
    /// times the longest read: a top-ten read caches a little, a hundred-element page
    /// a few hundred records. Once reads have gone outside two windows in turn, as many
    /// records as a window may hold, from the version's first record
    /// ([`Seen::from_start`]).
    fn window_records(&self) -> usize {
        let records = match self.size {
            Some(n) => n.max(1),
            None if self.from_start() => WINDOW_RECORDS as u64,
            None => (4 * self.longest).max(64),
        };
        records.min(WINDOW_RECORDS as u64) as usize
    }

    /// Whether the next window should hold the version from its first record: reads
    /// scattered over it (not one window's neighbourhood), and no window from the start
    /// has yet stopped short of the end.
    fn from_start(&self) -> bool {
        !self.too_big && self.reloads >= 2
    }
}

/// What [`RecordCache::note_walk`] asks the reader to load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    pub stamp: u64,
    /// Most records to put in the window.
    pub records: usize,
    /// Load from the version's first record (forwards), not from where the read started.
    pub from_start: bool,
}

#[derive(Default)]
struct Shard {
    slots: SlotMap,
    /// CLOCK order of slots, by key and stamp (entries of slots gone are skipped).
    clock: VecDeque<(SlotKey, u64)>,
    bytes: usize,
}

impl Shard {
    fn cost(slot: &Slot) -> usize {
        SLOT_OVERHEAD
            + match slot {
                Slot::Ready { window, .. } => window.bytes(),
                Slot::Warming { .. } => 0,
            }
    }

    fn insert(&mut self, key: SlotKey, slot: Slot, budget: usize) {
        let stamp = slot.stamp();
        self.bytes += Self::cost(&slot);
        let same_slot = match self.slots.insert(key, slot) {
            Some(old) => {
                self.bytes -= Self::cost(&old);
                old.stamp() == stamp
            }
            None => false,
        };
        if !same_slot {
            self.clock.push_back((key, stamp));
        }
        self.evict(budget);
    }

    fn remove(&mut self, key: &SlotKey) {
        if let Some(old) = self.slots.remove(key) {
            self.bytes -= Self::cost(&old);
        }
    }

    fn evict(&mut self, budget: usize) {
        while self.bytes > budget {
            let Some((key, stamp)) = self.clock.pop_front() else { break };
            match self.slots.get_mut(&key) {
                Some(slot) if slot.stamp() != stamp => {}
                Some(Slot::Ready { referenced, .. }) if *referenced => {
                    *referenced = false;
                    self.clock.push_back((key, stamp));
                }
                Some(_) => self.remove(&key),
                None => {}
            }
        }
        // Entries of slots removed by invalidation pile up in the queue: drop them, so
        // the queue stays within a constant factor of the live slots.
        if self.clock.len() > 2 * self.slots.len() + 64 {
            let slots = &self.slots;
            self.clock.retain(|(k, stamp)| slots.get(k).is_some_and(|s| s.stamp() == *stamp));
        }
    }
}

/// Counters for INFO.
#[derive(Default)]
pub struct CacheStats {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub loads: AtomicU64,
}

pub struct RecordCache {
    /// Bytes for all shards together; 0 disables the cache.
    budget: AtomicUsize,
    shards: Box<[Mutex<Shard>]>,
    /// Slots in all shards: reads and writes skip the shards entirely while it is 0.
    live: AtomicUsize,
    stamps: AtomicU64,
    pub stats: CacheStats,
}

impl RecordCache {
    pub fn new(budget: usize) -> RecordCache {
        RecordCache {
            budget: AtomicUsize::new(budget),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            live: AtomicUsize::new(0),
            stamps: AtomicU64::new(1),
            stats: CacheStats::default(),
        }
    }

    /// Runs `f` on the shard of `key`, keeping the count of live slots right.
    fn with_shard<T>(&self, key: &SlotKey, f: impl FnOnce(&mut Shard, usize) -> T) -> T {
        let h = key.1.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ key.0 as u64;
        let mut shard = self.shards[(h >> 59) as usize % SHARDS].lock();
        let before = shard.slots.len();
        let out = f(&mut shard, self.budget.load(Ordering::Relaxed) / SHARDS);
        let after = shard.slots.len();
        // SeqCst pairs with the fence in `invalidate`: a reader that creates a slot and
        // then reads storage, and a writer that writes storage and then checks `live`,
        // cannot both miss each other.
        if after > before {
            self.live.fetch_add(after - before, Ordering::SeqCst);
        } else if before > after {
            self.live.fetch_sub(before - after, Ordering::SeqCst);
        }
        out
    }

    pub fn enabled(&self) -> bool {
        self.budget.load(Ordering::Relaxed) > 0
    }

    /// Changes the budget (CONFIG SET read-cache-size); 0 empties and disables the cache.
    pub fn set_budget(&self, bytes: usize) {
        self.budget.store(bytes, Ordering::Relaxed);
        let mut live = 0;
        for shard in self.shards.iter() {
            let mut s = shard.lock();
            if bytes == 0 {
                *s = Shard::default();
            }
            s.evict(bytes / SHARDS);
            live += s.slots.len();
        }
        self.live.store(live, Ordering::Relaxed);
    }

    /// The window of `version` in `cf`, if one is loaded.
    pub fn window(&self, cf: Cf, version: u64) -> Option<Arc<Window>> {
        if self.live.load(Ordering::Relaxed) == 0 {
            self.stats.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let found = self.with_shard(&(cf, version), |shard, _| match shard.slots.get_mut(&(cf, version)) {
            Some(Slot::Ready { window, referenced, .. }) => {
                *referenced = true;
                Some(window.clone())
            }
            _ => None,
        });
        let stat = if found.is_some() { &self.stats.hits } else { &self.stats.misses };
        stat.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Records that a read of `version` in `cf` walked `spent` records through storage,
    /// out of `read_len` it visited in all (`whole`: it walked every record of the
    /// version, first to last). When the reads since the last write have paid for a
    /// window, answers a stamp and how many records to load: the caller loads them and
    /// hands the window to [`Self::fill`] with that stamp.
    pub fn note_walk(&self, cf: Cf, version: u64, spent: u64, read_len: u64, whole: bool) -> Option<Load> {
        if !self.enabled() {
            return None;
        }
        let key = (cf, version);
        let spent = spent + SEEK_COST;
        self.with_shard(&key, |shard, budget| {
            let fresh = |shard: &mut Shard, paid: u64, seen: Seen| {
                let stamp = self.stamps.fetch_add(1, Ordering::Relaxed);
                shard.insert(key, Slot::Warming { paid, stamp, seen }, budget);
                stamp
            };
            match shard.slots.get_mut(&key) {
                Some(Slot::Warming { paid, stamp, seen }) => {
                    *paid += spent;
                    seen.note(read_len, whole);
                    let records = seen.window_records();
                    (*paid >= records as u64).then_some(Load { stamp: *stamp, records, from_start: seen.from_start() })
                }
                Some(Slot::Ready { missed, seen, .. }) => {
                    // Reads keep going past the window: once they have paid for a new
                    // one (sized to what they read), load it in this one's place.
                    *missed += spent;
                    seen.note(read_len, whole);
                    let (missed, mut seen) = (*missed, *seen);
                    let records = seen.window_records();
                    (missed >= records as u64).then(|| {
                        seen.reloads = seen.reloads.saturating_add(1);
                        let records = seen.window_records();
                        Load { stamp: fresh(shard, 0, seen), records, from_start: seen.from_start() }
                    })
                }
                None => {
                    let mut seen = Seen::default();
                    seen.note(read_len, whole);
                    fresh(shard, spent, seen);
                    None
                }
            }
        })
    }

    /// Installs `window`, loaded after [`Self::note_walk`] answered `stamp`, unless a
    /// write to the version came in between (it removed the slot carrying the stamp).
    pub fn fill(&self, cf: Cf, version: u64, stamp: u64, window: Window) {
        let key = (cf, version);
        self.with_shard(&key, |shard, budget| {
            let mut seen = match shard.slots.get(&key) {
                Some(Slot::Warming { stamp: s, seen, .. }) if *s == stamp => *seen,
                _ => return,
            };
            if window.lo.is_empty() && window.hi.is_some() && window.is_full(WINDOW_RECORDS) {
                // Even a full window from the first record stops short of the end.
                seen.too_big = true;
            }
            if window.bytes() + SLOT_OVERHEAD <= budget {
                shard.insert(key, Slot::Ready { window: Arc::new(window), referenced: false, missed: 0, seen, stamp }, budget);
                self.stats.loads.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    /// Whether nothing at all is cached (writes then need not collect what they touch).
    pub fn is_empty(&self) -> bool {
        self.live.load(Ordering::Relaxed) == 0
    }

    /// Forgets what is cached about these versions. Call after the write that changed
    /// them is applied.
    pub fn invalidate(&self, versions: impl IntoIterator<Item = (Cf, u64)>) {
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.live.load(Ordering::SeqCst) == 0 {
            return;
        }
        for key in versions {
            self.with_shard(&key, |shard, _| shard.remove(&key));
        }
    }

    /// Drops every window (FLUSHDB, FLUSHALL: their versions are gone).
    pub fn clear(&self) {
        for shard in self.shards.iter() {
            *shard.lock() = Shard::default();
        }
        self.live.store(0, Ordering::Relaxed);
    }

    /// Bytes held, for INFO.
    pub fn bytes(&self) -> usize {
        self.shards.iter().map(|s| s.lock().bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::types::testing::open as store;
    use crate::types::Txn;

    /// Seeded, so failures replay.
    struct Rng(fastrand::Rng);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0.u64(..n.max(1))
        }
        fn suffix(&mut self) -> Vec<u8> {
            // Short suffixes over a small alphabet: plenty of neighbours and shared prefixes.
            (0..1 + self.below(3)).map(|_| b'a' + self.below(6) as u8).collect()
        }
    }

    type Model = BTreeMap<Vec<u8>, Vec<u8>>;

    /// What a storage scan answers: the records in `[from, to)`, in order, stopping after
    /// `limit` of them.
    fn expected(model: &Model, from: &[u8], to: &[u8], reverse: bool, limit: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        let in_range = |k: &Vec<u8>| &k[..] >= from && (to.is_empty() || &k[..] < to);
        let all: Vec<_> = model.iter().filter(|(k, _)| in_range(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let ordered: Vec<_> = if reverse { all.into_iter().rev().collect() } else { all };
        ordered.into_iter().take(limit).collect()
    }

    #[test]
    fn window_scans_and_continuations_match_a_full_scan() {
        let mut rng = Rng(fastrand::Rng::with_seed(0x5eed));
        for _ in 0..300 {
            let model: Model = (0..rng.below(40)).map(|i| (rng.suffix(), vec![i as u8])).collect();
            // A window over [lo, hi) built exactly from the model.
            let lo = if rng.below(3) == 0 { Vec::new() } else { rng.suffix() };
            let hi = if rng.below(3) == 0 { None } else { Some(rng.suffix()) };
            let mut w = Window::new(&lo);
            for (k, v) in &model {
                if k[..] >= lo[..] && hi.as_ref().map_or(true, |h| k < h) {
                    w.push(k, v);
                }
            }
            if let Some(h) = &hi {
                w.close(h);
            }
            for _ in 0..30 {
                let from = if rng.below(3) == 0 { Vec::new() } else { rng.suffix() };
                let to = if rng.below(3) == 0 { Vec::new() } else { rng.suffix() };
                let reverse = rng.below(2) == 0;
                let limit = 1 + rng.below(50) as usize;
                let mut got = Vec::new();
                let mut visit = |k: &[u8], v: &[u8]| {
                    got.push((k.to_vec(), v.to_vec()));
                    got.len() < limit
                };
                match w.scan(&from, &to, reverse, &mut visit) {
                    None => assert!(got.is_empty()),
                    Some(Rest::Done) => assert_eq!(got, expected(&model, &from, &to, reverse, limit)),
                    Some(Rest::Continue(f, t)) => {
                        let left = limit - got.len();
                        got.extend(expected(&model, &f, &t, reverse, left));
                        assert_eq!(got, expected(&model, &from, &to, reverse, limit), "{lo:?}..{hi:?} {from:?}..{to:?}");
                    }
                }
                let probe = rng.suffix();
                if let Some(found) = w.get(&probe) {
                    assert_eq!(found.map(<[u8]>::to_vec), model.get(&probe).cloned());
                }
            }
        }
    }

    /// Reads through a [`Txn`] while writes land: once windows are loaded the reads come
    /// from them, and every read still sees exactly what storage holds.
    #[test]
    fn cached_reads_see_every_committed_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let version = store.new_version();
        let mut model = Model::new();
        let mut rng = Rng(fastrand::Rng::with_seed(42));
        for round in 0..3000u32 {
            if rng.below(8) == 0 {
                let mut txn = Txn::new(&store, 0);
                for _ in 0..1 + rng.below(3) {
                    let k = rng.suffix();
                    if rng.below(3) == 0 {
                        txn.sub_delete(version, &k);
                        model.remove(&k);
                    } else {
                        let v = round.to_be_bytes().to_vec();
                        txn.record_put(Cf::Sub, version, &k, v.clone());
                        model.insert(k, v);
                    }
                }
                txn.commit().unwrap();
            }
            let txn = Txn::new(&store, 0);
            let from = if rng.below(2) == 0 { Vec::new() } else { rng.suffix() };
            let to = if rng.below(2) == 0 { Vec::new() } else { rng.suffix() };
            let reverse = rng.below(2) == 0;
            let limit = 1 + rng.below(300) as usize;
            let mut got = Vec::new();
            txn.sub_scan(Cf::Sub, version, &from, &to, reverse, &mut |k, v| {
                got.push((k.to_vec(), v.to_vec()));
                got.len() < limit
            })
            .unwrap();
            assert_eq!(got, expected(&model, &from, &to, reverse, limit), "round {round}");
            let probe = rng.suffix();
            assert_eq!(txn.sub_get(version, &probe).unwrap(), model.get(&probe).cloned(), "round {round}");
        }
        let stats = &store.cache.stats;
        assert!(stats.loads.load(Ordering::Relaxed) > 0, "no window was ever loaded");
        assert!(stats.hits.load(Ordering::Relaxed) > 0, "no read was served from a window");
    }

    #[test]
    fn big_collections_get_a_window_where_they_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let version = store.new_version();
        let mut txn = Txn::new(&store, 0);
        let n = 3 * WINDOW_RECORDS as u32;
        for i in 0..n {
            txn.record_put(Cf::Sub, version, &i.to_be_bytes(), vec![1]);
        }
        txn.commit().unwrap();
        // The newest 20 from the top, as LRANGE -20 -1 reads them.
        let read_tail = || {
            let txn = Txn::new(&store, 0);
            let mut got = Vec::new();
            txn.sub_scan(Cf::Sub, version, b"", b"", true, &mut |k, _| {
                got.push(u32::from_be_bytes(k.try_into().unwrap()));
                got.len() < 20
            })
            .unwrap();
            got
        };
        let want: Vec<u32> = (n - 20..n).rev().collect();
        for _ in 0..100 {
            assert_eq!(read_tail(), want);
        }
        assert_eq!(store.cache.stats.loads.load(Ordering::Relaxed), 1);
        let before = store.cache.stats.hits.load(Ordering::Relaxed);
        assert_eq!(read_tail(), want);
        assert_eq!(store.cache.stats.hits.load(Ordering::Relaxed), before + 1);
        assert!(store.cache.bytes() < 2 * WINDOW_RECORDS * 16 + 1024, "the window holds one window's worth");
        // A write anywhere in the version drops the window.
        let mut txn = Txn::new(&store, 0);
        txn.sub_delete(version, &0u32.to_be_bytes());
        txn.commit().unwrap();
        assert_eq!(store.cache.bytes(), 0);
        assert_eq!(read_tail(), want);
    }

    /// Short reads scattered over a version (GEOSEARCH's cells): after reads went
    /// outside two windows, one window holds the version from its first record and
    /// serves every read; a version too big for one window falls back to windows where
    /// the reads start, and every read stays exact either way.
    #[test]
    fn scattered_reads_get_a_window_from_the_first_record() {
        for (n, fits) in [(WINDOW_RECORDS as u32 - 4, true), (3 * WINDOW_RECORDS as u32, false)] {
            let dir = tempfile::tempdir().unwrap();
            let store = store(dir.path());
            let version = store.new_version();
            let mut txn = Txn::new(&store, 0);
            for i in 0..n {
                txn.record_put(Cf::Sub, version, &i.to_be_bytes(), vec![1]);
            }
            txn.commit().unwrap();
            let read = |start: u32| {
                let txn = Txn::new(&store, 0);
                let mut got = Vec::new();
                txn.sub_scan(Cf::Sub, version, &start.to_be_bytes(), &(start + 3).to_be_bytes(), false, &mut |k, _| {
                    got.push(u32::from_be_bytes(k.try_into().unwrap()));
                    true
                })
                .unwrap();
                got
            };
            let mut rng = fastrand::Rng::with_seed(7);
            for _ in 0..2000 {
                let start = rng.u32(..n - 3);
                assert_eq!(read(start), vec![start, start + 1, start + 2]);
            }
            let loads = || store.cache.stats.loads.load(Ordering::Relaxed);
            let before = loads();
            for start in (0..n - 3).step_by(7) {
                assert_eq!(read(start), vec![start, start + 1, start + 2]);
            }
            // Each record is a 4-byte suffix and a 1-byte value.
            let whole = store.cache.bytes() >= 5 * n as usize;
            if fits {
                assert!(whole, "one window holds the version");
                assert_eq!(loads(), before, "a sweep over the version loads nothing more");
                assert!(before <= 4, "{before} loads");
            } else {
                assert!(!whole, "no window holds a version bigger than the limit");
            }
        }
    }

    #[test]
    fn a_version_read_and_written_in_turn_keeps_the_clock_small() {
        // Each read makes a warming slot and each write removes it: the CLOCK queue must
        // not keep an entry per round (it once did, and every insert then walked it).
        let cache = RecordCache::new(1 << 20);
        for _ in 0..10_000 {
            cache.note_walk(Cf::Sub, 7, 1, 1, false);
            cache.invalidate([(Cf::Sub, 7)]);
        }
        for shard in cache.shards.iter() {
            let s = shard.lock();
            assert!(s.clock.len() <= 2 * s.slots.len() + 65, "clock holds {}", s.clock.len());
        }
        assert!(cache.is_empty());
    }

    #[test]
    fn the_budget_bounds_memory_and_zero_turns_the_cache_off() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        store.cache.set_budget(SHARDS * 4096);
        for _ in 0..200 {
            let version = store.new_version();
            let mut txn = Txn::new(&store, 0);
            for i in 0..50u32 {
                txn.record_put(Cf::Sub, version, &i.to_be_bytes(), vec![0; 16]);
            }
            txn.commit().unwrap();
            for _ in 0..10 {
                let txn = Txn::new(&store, 0);
                txn.sub_scan(Cf::Sub, version, b"", b"", false, &mut |_, _| true).unwrap();
            }
        }
        assert!(store.cache.stats.loads.load(Ordering::Relaxed) > 0);
        assert!(store.cache.bytes() <= SHARDS * 4096);
        store.cache.set_budget(0);
        assert_eq!(store.cache.bytes(), 0);
        assert!(store.cache.is_empty());
    }
}
