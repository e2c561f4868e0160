//! The keyspace store: storage plus what every command shares — key locks, the
//! logical-to-physical database map, key and expiry counters, and the version clock.

use std::sync::atomic::{AtomicI64, AtomicU16, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::locks::KeyLocks;
use crate::error::Result;
use crate::storage::{keys, Batch, Cf, Storage};

/// The record cache's budget until the configuration sets one.
const DEFAULT_READ_CACHE: usize = 64 << 20;
const DB_MAP_KEY: &[u8] = b"dbmap";
/// Present in [`Cf::Stats`] only between a clean close and the next open.
const CLEAN_KEY: &[u8] = b"clean";

/// Counters per physical database, kept in memory so DBSIZE is O(1).
///
/// Writes do not log counter changes (a merge record per new key cost about 15% of a
/// SET). Instead [`Store::close`] saves the counters with a "clean" marker, and
/// [`Store::open`] trusts saved counters only when that marker is there; after a crash it
/// recounts them from the metadata column family (one sequential scan).
#[derive(Default)]
pub struct DbCounters {
    pub keys: AtomicI64,
    pub expires: AtomicI64,
    /// Sum of the expiry deadlines, in Unix seconds, of the keys with a TTL: with
    /// `expires` it gives INFO's `avg_ttl` exactly (Redis estimates it by sampling).
    pub deadline_secs: AtomicI64,
}

/// A deadline (Unix ms, 0 = none) as counted in [`DbCounters::deadline_secs`].
pub fn deadline_secs(expire_at_ms: i64) -> i64 {
    if expire_at_ms == 0 {
        0
    } else {
        expire_at_ms.div_euclid(1000)
    }
}

/// Server-wide keyspace statistics for INFO.
#[derive(Default)]
pub struct KeyspaceStats {
    pub expired_keys: AtomicU64,
    /// Keys evicted under `maxdisk` (INFO `evicted_keys`).
    pub evicted_keys: AtomicU64,
    pub keyspace_hits: AtomicU64,
    pub keyspace_misses: AtomicU64,
    /// Writes since start (INFO `rdb_changes_since_last_save` analogue).
    pub dirty: AtomicU64,
}

pub struct Store {
    pub storage: Arc<dyn Storage>,
    pub locks: KeyLocks,
    /// Taken shared by every command, exclusively by the few that touch whole databases
    /// (FLUSHDB, FLUSHALL, SWAPDB).
    gate: RwLock<()>,
    db_map: RwLock<Vec<u8>>,
    pub counters: Vec<DbCounters>,
    next_version: AtomicU64,
    pub stats: KeyspaceStats,
    /// Last access per key, for OBJECT IDLETIME.
    pub access: super::access::AccessClock,
    /// Where the dataset stands against `maxdisk` (see [`super::evict`]).
    pub eviction: Arc<super::evict::Status>,
    /// Windows of hot collections' records (see [`super::cache`]).
    pub cache: super::cache::RecordCache,
    /// `notify-keyspace-events` flags (see [`crate::notify`]), copied here on every
    /// change so commands read them without the configuration lock.
    notify: AtomicU16,
}

impl Store {
    /// Opens the keyspace over `storage` with `databases` databases (at most 256).
    pub fn open(storage: Arc<dyn Storage>, databases: usize) -> Result<Store> {
        let databases = databases.clamp(1, 256);
        let mut map: Vec<u8> = (0..databases).map(|i| i as u8).collect();
        if let Some(saved) = storage.get(Cf::Stats, DB_MAP_KEY)? {
            // Keep a saved permutation only if it is still one of 0..databases.
            let mut sorted = saved.clone();
            sorted.sort_unstable();
            if sorted == map {
                map = saved;
            }
        }
        let counters: Vec<DbCounters> = (0..databases).map(|_| DbCounters::default()).collect();
        // Counters saved by a version without deadline sums are not enough: recount.
        let saved = storage.get(Cf::Stats, CLEAN_KEY)?.is_some()
            && storage.get(Cf::Stats, &keys::deadlines_counter(0))?.is_some();
        if saved {
            for (db, c) in counters.iter().enumerate() {
                c.keys.store(storage.counter(&keys::keys_counter(db as u8))?, Ordering::Relaxed);
                c.expires.store(storage.counter(&keys::expires_counter(db as u8))?, Ordering::Relaxed);
                c.deadline_secs.store(storage.counter(&keys::deadlines_counter(db as u8))?, Ordering::Relaxed);
            }
            // From now on the saved counters go stale: a crash must lead to a recount.
            let mut batch = Batch::default();
            batch.delete(Cf::Stats, CLEAN_KEY.to_vec());
            storage.write(batch)?;
            storage.sync_wal()?;
        } else {
            recount(&*storage, &counters)?;
        }
        // Versions must never repeat while sub-keys of an old one may remain: start past
        // both the clock and the highest version ever given an owner.
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let highest = storage.last_key(Cf::Owner)?.and_then(|k| keys::version_of_sub(&k)).unwrap_or(0);
        let now_ns = now_ns.max(highest + 1);
        Ok(Store {
            storage,
            locks: KeyLocks::default(),
            gate: RwLock::new(()),
            db_map: RwLock::new(map),
            counters,
            next_version: AtomicU64::new(now_ns),
            stats: KeyspaceStats::default(),
            access: Default::default(),
            eviction: Default::default(),
            cache: super::cache::RecordCache::new(DEFAULT_READ_CACHE),
            notify: AtomicU16::new(0),
        })
    }

    /// Saves the counters and marks them trustworthy; the last write before closing.
    pub fn close(&self) -> Result<()> {
        let mut batch = Batch::default();
        for (db, c) in self.counters.iter().enumerate() {
            let db = db as u8;
            batch.put(Cf::Stats, keys::keys_counter(db), c.keys.load(Ordering::Relaxed).to_le_bytes().to_vec());
            batch.put(Cf::Stats, keys::expires_counter(db), c.expires.load(Ordering::Relaxed).to_le_bytes().to_vec());
            batch.put(Cf::Stats, keys::deadlines_counter(db), c.deadline_secs.load(Ordering::Relaxed).to_le_bytes().to_vec());
        }
        batch.put(Cf::Stats, CLEAN_KEY.to_vec(), Vec::new());
        self.storage.write(batch)?;
        self.storage.sync_wal()?;
        Ok(())
    }

    pub fn databases(&self) -> usize {
        self.counters.len()
    }

    /// The keyspace notification flags in force.
    #[inline]
    pub fn notify_flags(&self) -> u16 {
        self.notify.load(Ordering::Relaxed)
    }

    /// Sets the keyspace notification flags (`notify-keyspace-events`).
    pub fn set_notify_flags(&self, flags: u16) {
        self.notify.store(flags, Ordering::Relaxed);
    }

    /// The logical database physical database `db` stands behind now.
    pub fn logical(&self, db: u8) -> usize {
        self.db_map.read().iter().position(|&p| p == db).unwrap_or(db as usize)
    }

    /// The physical database behind logical database `db`.
    pub fn physical(&self, db: usize) -> u8 {
        self.db_map.read()[db]
    }

    pub fn shared(&self) -> RwLockReadGuard<'_, ()> {
        self.gate.read()
    }

    pub fn exclusive(&self) -> RwLockWriteGuard<'_, ()> {
        self.gate.write()
    }

    /// The gate, shared or exclusive, if it can be had within `wait` (the dispatcher
    /// polls this while a script runs, to answer `-BUSY` instead of waiting).
    pub fn try_gate(&self, exclusive: bool, wait: std::time::Duration) -> Option<std::result::Result<RwLockReadGuard<'_, ()>, RwLockWriteGuard<'_, ()>>> {
        if exclusive {
            self.gate.try_write_for(wait).map(Err)
        } else {
            self.gate.try_read_for(wait).map(Ok)
        }
    }

    /// A fresh sub-key version, greater than every version handed out before.
    pub fn new_version(&self) -> u64 {
        self.next_version.fetch_add(1, Ordering::Relaxed)
    }

    /// Number of keys in logical database `db` (expired ones not yet reclaimed included,
    /// as in Redis).
    pub fn dbsize(&self, db: usize) -> i64 {
        self.counters[self.physical(db) as usize].keys.load(Ordering::Relaxed).max(0)
    }

    pub fn expires(&self, db: usize) -> i64 {
        self.counters[self.physical(db) as usize].expires.load(Ordering::Relaxed).max(0)
    }

    /// The mean remaining TTL in ms of the keys with one in logical database `db` (0
    /// when none), from the deadline sum; keys already due but not yet removed count
    /// as 0.
    pub fn avg_ttl(&self, db: usize, now_ms: i64) -> i64 {
        let c = &self.counters[self.physical(db) as usize];
        let n = c.expires.load(Ordering::Relaxed);
        if n <= 0 {
            return 0;
        }
        let mean_deadline_ms = c.deadline_secs.load(Ordering::Relaxed) as i128 * 1000 / n as i128;
        (mean_deadline_ms - now_ms as i128).clamp(0, i64::MAX as i128) as i64
    }

    /// Removes every key of logical database `db`. Call with the gate held exclusively.
    pub fn flush_db(&self, db: usize) -> Result<()> {
        let p = self.physical(db);
        let mut batch = Batch::default();
        let (from, to) = keys::db_bounds(p);
        // Collection elements are keyed by version, not database: the compaction filter
        // drops them once their metadata is gone.
        for cf in [Cf::Meta, Cf::Expire] {
            batch.delete_range(cf, from.clone(), to.clone());
        }
        let c = &self.counters[p as usize];
        self.storage.write(batch)?;
        c.keys.store(0, Ordering::Relaxed);
        c.expires.store(0, Ordering::Relaxed);
        c.deadline_secs.store(0, Ordering::Relaxed);
        // Not needed for correctness (the flushed versions can never be read again), but
        // their windows would otherwise sit in memory until evicted.
        self.cache.clear();
        self.stats.dirty.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Swaps two logical databases. Call with the gate held exclusively.
    pub fn swap_db(&self, a: usize, b: usize) -> Result<()> {
        let mut map = self.db_map.write();
        let mut next = map.clone();
        next.swap(a, b);
        let mut batch = Batch::default();
        batch.put(Cf::Stats, DB_MAP_KEY.to_vec(), next.clone());
        self.storage.write(batch)?;
        *map = next;
        Ok(())
    }
}

/// Counts keys and keys with a TTL per physical database from the metadata records.
fn recount(storage: &dyn Storage, counters: &[DbCounters]) -> Result<()> {
    let mut failed = None;
    storage.scan(Cf::Meta, crate::storage::Range { start: &[], end: &[], reverse: false }, &mut |k, v| {
        let Some(c) = k.first().and_then(|&db| counters.get(db as usize)) else { return true };
        c.keys.fetch_add(1, Ordering::Relaxed);
        // Header: [kind][format][expire-at i64 BE].
        match v.get(2..10).and_then(|b| b.try_into().ok()).map(i64::from_be_bytes) {
            Some(0) => {}
            Some(at) => {
                c.expires.fetch_add(1, Ordering::Relaxed);
                c.deadline_secs.fetch_add(deadline_secs(at), Ordering::Relaxed);
            }
            None => failed = Some(k.to_vec()),
        }
        true
    })?;
    if let Some(k) = failed {
        tracing::warn!(key = ?String::from_utf8_lossy(&k), "metadata record too short");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::types::testing::open_with_storage as open;
    use crate::types::Txn;

    fn fill(store: &Store) {
        let mut txn = Txn::new(store, 3);
        for i in 0..100 {
            let ttl = if i % 4 == 0 { txn.now + 3_600_000 } else { 0 };
            txn.set_string(format!("k{i}").as_bytes(), Bytes::from_static(b"v"), ttl).unwrap();
        }
        txn.commit().unwrap();
    }

    #[test]
    fn counters_survive_a_clean_close() {
        let dir = tempfile::tempdir().unwrap();
        let (storage, store) = open(dir.path());
        fill(&store);
        store.close().unwrap();
        storage.close().unwrap();
        drop((store, storage));
        let (_storage, store) = open(dir.path());
        assert_eq!((store.dbsize(3), store.expires(3)), (100, 25));
    }

    #[test]
    fn counters_are_recounted_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        // A clean close first, so stale saved counters exist and must not be trusted.
        let (storage, store) = open(dir.path());
        store.close().unwrap();
        storage.close().unwrap();
        drop((store, storage));
        let (storage, store) = open(dir.path());
        fill(&store);
        storage.sync_wal().unwrap();
        // No Store::close: what a kill -9 leaves behind.
        drop((store, storage));
        let (_storage, store) = open(dir.path());
        assert_eq!((store.dbsize(3), store.expires(3)), (100, 25));
        assert_eq!(store.dbsize(0), 0);
    }
}
