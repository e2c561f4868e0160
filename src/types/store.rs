//! The keyspace store: storage plus what every command shares — key locks, the
//! logical-to-physical database map, key and expiry counters, and the version clock.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::locks::KeyLocks;
use crate::error::Result;
use crate::storage::{keys, Batch, Cf, Storage};

const DB_MAP_KEY: &[u8] = b"dbmap";

/// Counters per physical database, mirrored in [`Cf::Stats`] by the same write batch that
/// changes them, so DBSIZE is O(1) and exact after a crash.
#[derive(Default)]
pub struct DbCounters {
    pub keys: AtomicI64,
    pub expires: AtomicI64,
}

/// Server-wide keyspace statistics for INFO.
#[derive(Default)]
pub struct KeyspaceStats {
    pub expired_keys: AtomicU64,
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
        for (db, c) in counters.iter().enumerate() {
            c.keys.store(storage.counter(&keys::keys_counter(db as u8))?, Ordering::Relaxed);
            c.expires.store(storage.counter(&keys::expires_counter(db as u8))?, Ordering::Relaxed);
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
        })
    }

    pub fn databases(&self) -> usize {
        self.counters.len()
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

    /// Removes every key of logical database `db`. Call with the gate held exclusively.
    pub fn flush_db(&self, db: usize) -> Result<()> {
        let p = self.physical(db);
        let mut batch = Batch::default();
        let (from, to) = keys::db_bounds(p);
        for cf in [Cf::Meta, Cf::Sub, Cf::Score, Cf::Expire] {
            batch.delete_range(cf, from.clone(), to.clone());
        }
        let c = &self.counters[p as usize];
        batch.add(keys::keys_counter(p), -c.keys.load(Ordering::Relaxed));
        batch.add(keys::expires_counter(p), -c.expires.load(Ordering::Relaxed));
        self.storage.write(batch)?;
        c.keys.store(0, Ordering::Relaxed);
        c.expires.store(0, Ordering::Relaxed);
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
