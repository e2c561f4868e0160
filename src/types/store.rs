//! The keyspace store: storage plus what every command shares — key locks, the
//! logical-to-physical database map, key and expiry counters, and the version clock.

use std::sync::atomic::{AtomicI64, AtomicU16, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::locks::KeyLocks;
use super::recount::{Recount, Unavailable};
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
/// recounts them from the metadata column family (one sequential scan of a snapshot, in
/// the background while the server serves: see [`super::recount`]).
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
    /// Exact, or changes since the recount's snapshot until [`Store::counts_ready`].
    pub counters: Arc<[DbCounters]>,
    /// The background recount after an unclean shutdown (or none).
    pub recount: Arc<Recount>,
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
        Store::open_with(storage, databases, false)
    }

    /// [`Store::open`]; `hold_recount` holds a background recount until
    /// [`Recount::set_hold`] lets it go (the `key-recount-hold` test hook).
    pub fn open_with(storage: Arc<dyn Storage>, databases: usize, hold_recount: bool) -> Result<Store> {
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
        let counters: Arc<[DbCounters]> = (0..databases).map(|_| DbCounters::default()).collect();
        // Counters saved by a version without deadline sums are not enough: recount.
        let saved = storage.get(Cf::Stats, CLEAN_KEY)?.is_some()
            && storage.get(Cf::Stats, &keys::deadlines_counter(0))?.is_some();
        let recount = if saved {
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
            Recount::exact()
        } else if storage.last_key(Cf::Meta)?.is_none() {
            Recount::exact()
        } else {
            Recount::start(storage.clone(), counters.clone(), hold_recount)
                .map_err(|e| crate::storage::StorageError::Thread(e.to_string()))?
        };
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
            recount,
            next_version: AtomicU64::new(now_ns),
            stats: KeyspaceStats::default(),
            access: Default::default(),
            eviction: Default::default(),
            cache: super::cache::RecordCache::new(DEFAULT_READ_CACHE),
            notify: AtomicU16::new(0),
        })
    }

    /// Saves the counters and marks them trustworthy; the last write before closing. A
    /// recount still running is stopped, and nothing is saved: the next start counts.
    pub fn close(&self) -> Result<()> {
        if !self.recount.stop() {
            tracing::warn!("the key recount had not finished: the next start recounts the keys");
            return Ok(());
        }
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

    /// Whether the counters are exact (no background recount is running or failed).
    #[inline]
    pub fn counts_ready(&self) -> bool {
        self.recount.ready()
    }

    /// Waits until the counters are exact (see [`Recount::wait`]); an error if the
    /// recount failed or was stopped by shutdown.
    pub fn wait_counts(&self) -> Result<()> {
        self.recount.wait().map_err(|u| match u {
            Unavailable::Failed(e) => crate::error::Error::CountsUnavailable(format!("the key recount failed ({e})")),
            Unavailable::Cancelled => crate::error::Error::CountsUnavailable("the server is shutting down".into()),
        })
    }

    /// Number of keys in logical database `db` (expired ones not yet reclaimed included,
    /// as in Redis). Waits for a background recount ([`Store::wait_counts`]; callers
    /// that must answer its error call that first).
    pub fn dbsize(&self, db: usize) -> i64 {
        let _ = self.wait_counts();
        self.counters[self.physical(db) as usize].keys.load(Ordering::Relaxed).max(0)
    }

    /// Keys with a TTL in logical database `db`; waits as [`Store::dbsize`] does.
    pub fn expires(&self, db: usize) -> i64 {
        let _ = self.wait_counts();
        self.counters[self.physical(db) as usize].expires.load(Ordering::Relaxed).max(0)
    }

    /// The keys of physical database `db` if known now (`None` while a background
    /// recount runs): for those that must not wait (RANDOMKEY's choice of method).
    pub fn keys_if_known(&self, db: u8) -> Option<i64> {
        self.counts_ready().then(|| self.counters[db as usize].keys.load(Ordering::Relaxed))
    }

    /// Whether physical database `db` may hold keys (with a TTL, if `with_ttl`): false
    /// only when the exact counter says none (the expire cycle and the evictor skip it).
    pub fn may_have_keys(&self, db: u8, with_ttl: bool) -> bool {
        let c = &self.counters[db as usize];
        let n = if with_ttl { c.expires.load(Ordering::Relaxed) } else { c.keys.load(Ordering::Relaxed) };
        n > 0 || !self.counts_ready()
    }

    /// The mean remaining TTL in ms of the keys with one in logical database `db` (0
    /// when none), from the deadline sum; keys already due but not yet removed count
    /// as 0. Waits as [`Store::dbsize`] does.
    pub fn avg_ttl(&self, db: usize, now_ms: i64) -> i64 {
        let _ = self.wait_counts();
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
        self.storage.write(batch)?;
        self.recount.flushed(p as usize, &self.counters[p as usize]);
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
        store.wait_counts().unwrap();
        assert_eq!((store.dbsize(3), store.expires(3)), (100, 25));
        assert_eq!(store.dbsize(0), 0);
    }

    /// A kill -9: data written and synced, no [`Store::close`].
    fn crashed(dir: &std::path::Path) {
        let (storage, store) = open(dir);
        fill(&store);
        let mut txn = Txn::new(&store, 4);
        for i in 0..10 {
            txn.set_string(format!("f{i}").as_bytes(), Bytes::from_static(b"v"), txn.now + 60_000).unwrap();
        }
        txn.commit().unwrap();
        storage.sync_wal().unwrap();
        drop((store, storage));
    }

    #[test]
    fn writes_during_a_background_recount_count_once() {
        let dir = tempfile::tempdir().unwrap();
        crashed(dir.path());
        let storage: Arc<dyn Storage> = Arc::new(
            crate::storage::RocksStorage::open(dir.path(), &Default::default(), crate::types::Meta::live_version).unwrap(),
        );
        let store = Store::open_with(storage, 16, true).unwrap();
        assert!(!store.counts_ready() && store.recount.running());
        // After the snapshot: keys that were in it deleted (k0 and k4 have a TTL), a TTL
        // dropped by an overwrite (k8), new keys, and database 4 flushed then written.
        let mut txn = Txn::new(&store, 3);
        for i in [0, 1, 4] {
            assert!(txn.delete(format!("k{i}").as_bytes()).unwrap());
        }
        txn.set_string(b"k8", Bytes::from_static(b"v"), 0).unwrap();
        for i in 0..7 {
            let ttl = if i < 2 { txn.now + 60_000 } else { 0 };
            txn.set_string(format!("new{i}").as_bytes(), Bytes::from_static(b"v"), ttl).unwrap();
        }
        txn.commit().unwrap();
        {
            let _gate = store.exclusive();
            store.flush_db(4).unwrap();
        }
        let mut txn = Txn::new(&store, 4);
        txn.set_string(b"after", Bytes::from_static(b"v"), txn.now + 60_000).unwrap();
        txn.commit().unwrap();
        assert!(store.keys_if_known(3).is_none() && store.may_have_keys(5, true));
        store.recount.set_hold(false);
        store.wait_counts().unwrap();
        // 100 + 7 - 3 keys; 25 - 2 (k0, k4) - 1 (k8) + 2 with a TTL.
        assert_eq!((store.dbsize(3), store.expires(3)), (104, 24));
        assert_eq!((store.dbsize(4), store.expires(4)), (1, 1));
        assert!(store.avg_ttl(4, crate::types::now_ms()) > 0);
        assert_eq!(store.keys_if_known(3), Some(104));
        // Exact now: a clean close saves them and the next open trusts them.
        store.close().unwrap();
        store.storage.close().unwrap();
        drop(store);
        let (_storage, store) = open(dir.path());
        assert!(store.counts_ready());
        assert_eq!((store.dbsize(3), store.expires(3), store.dbsize(4)), (104, 24, 1));
    }

    #[test]
    fn a_close_during_the_recount_saves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        crashed(dir.path());
        let storage: Arc<dyn Storage> = Arc::new(
            crate::storage::RocksStorage::open(dir.path(), &Default::default(), crate::types::Meta::live_version).unwrap(),
        );
        let store = Store::open_with(storage, 16, true).unwrap();
        store.close().unwrap();
        assert!(store.wait_counts().is_err());
        store.storage.close().unwrap();
        drop(store);
        // Not marked clean: counted again.
        let (_storage, store) = open(dir.path());
        assert_eq!((store.dbsize(3), store.expires(3), store.dbsize(4)), (100, 25, 10));
    }
}
