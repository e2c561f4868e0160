//! [`Txn`]: one command's view of the keyspace.
//!
//! Reads go to storage (the command holds the locks of its keys, so what it reads cannot
//! change under it); writes collect in one batch that commits atomically at the end.
//! Metadata read or written during the command is remembered, so a command sees its own
//! writes, counters are adjusted once per key, and an expired key is lazily deleted once.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::meta::{Kind, Meta};
use super::store::Store;
use crate::error::{Error, Result};
use crate::storage::{keys, Batch, Cf, Range};

/// What the command has seen or made of one key.
struct Entry {
    db: u8,
    key: Bytes,
    /// Current state as this command sees it.
    meta: Option<Meta>,
}

pub struct Txn<'a> {
    pub store: &'a Store,
    /// Physical database the command's keys live in.
    pub db: u8,
    /// The command's clock, fixed at its start (Unix ms), as Redis fixes `mstime()`.
    pub now: i64,
    batch: Batch,
    seen: Vec<Entry>,
    /// `(db, keys delta, expires delta)`
    deltas: Vec<(u8, i64, i64)>,
    /// Keys whose value changed, for WATCH and blocked clients.
    pub touched: Vec<(u8, Bytes)>,
    changes: u64,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl<'a> Txn<'a> {
    pub fn new(store: &'a Store, db: u8) -> Txn<'a> {
        Txn {
            store,
            db,
            now: now_ms(),
            batch: Batch::default(),
            seen: Vec::new(),
            deltas: Vec::new(),
            touched: Vec::new(),
            changes: 0,
        }
    }

    fn slot(&self, db: u8, key: &[u8]) -> Option<usize> {
        self.seen.iter().position(|e| e.db == db && e.key == key)
    }

    fn delta(&mut self, db: u8, keys: i64, expires: i64) {
        if let Some(d) = self.deltas.iter_mut().find(|d| d.0 == db) {
            d.1 += keys;
            d.2 += expires;
        } else {
            self.deltas.push((db, keys, expires));
        }
    }

    /// The live metadata of `key` in database `db`; an expired key is deleted here.
    pub fn get_at(&mut self, db: u8, key: &[u8]) -> Result<Option<Meta>> {
        if let Some(i) = self.slot(db, key) {
            return Ok(self.seen[i].meta.clone());
        }
        let raw = self.store.storage.get(Cf::Meta, &keys::meta_key(db, key))?;
        let meta = raw.and_then(|r| Meta::decode(Bytes::from(r)));
        let key = Bytes::copy_from_slice(key);
        match meta {
            Some(m) if m.is_expired(self.now) => {
                self.seen.push(Entry { db, key: key.clone(), meta: Some(m) });
                self.remove_at(db, &key)?;
                self.store.stats.expired_keys.fetch_add(1, Ordering::Relaxed);
                Ok(None)
            }
            other => {
                self.seen.push(Entry { db, key, meta: other.clone() });
                Ok(other)
            }
        }
    }

    /// [`Txn::get_at`] in the command's database.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Meta>> {
        self.get_at(self.db, key)
    }

    /// The metadata of `key` if it holds `kind`; WRONGTYPE if it holds something else.
    pub fn get_kind(&mut self, key: &[u8], kind: Kind) -> Result<Option<Meta>> {
        match self.get(key)? {
            Some(m) if m.kind != kind => Err(Error::WrongType),
            other => Ok(other),
        }
    }

    /// Reads the string at `key` (WRONGTYPE for other types), counting a hit or miss.
    pub fn get_string(&mut self, key: &[u8]) -> Result<Option<Bytes>> {
        let v = self.get_kind(key, Kind::String)?.map(|m| m.payload);
        let stat = if v.is_some() { &self.store.stats.keyspace_hits } else { &self.store.stats.keyspace_misses };
        stat.fetch_add(1, Ordering::Relaxed);
        Ok(v)
    }

    /// Writes `meta` as the new state of `key` in `db`, fixing counters and the expiry index.
    pub fn put_at(&mut self, db: u8, key: &[u8], meta: Meta) -> Result<()> {
        if self.slot(db, key).is_none() {
            self.get_at(db, key)?;
        }
        let i = self.slot(db, key).expect("entry recorded by get_at");
        let old_expire = self.seen[i].meta.as_ref().map(|m| m.expire_at).unwrap_or(0);
        let existed = self.seen[i].meta.is_some();
        if old_expire != meta.expire_at {
            if old_expire != 0 {
                self.batch.delete(Cf::Expire, keys::expire_key(db, old_expire, key));
            }
            if meta.expire_at != 0 {
                self.batch.put(Cf::Expire, keys::expire_key(db, meta.expire_at, key), Vec::new());
            }
        }
        let old_version = self.seen[i].meta.as_ref().map(|m| m.version);
        if !meta.kind.is_inline() && old_version != Some(meta.version) {
            // A new collection version here, or a version that moved here (RENAME, MOVE).
            self.batch.put(Cf::Owner, keys::owner_key(meta.version), keys::owner_value(db, key));
        }
        let expires_delta = (meta.expire_at != 0) as i64 - (old_expire != 0) as i64;
        self.delta(db, if existed { 0 } else { 1 }, expires_delta);
        self.batch.put(Cf::Meta, keys::meta_key(db, key), meta.encode());
        self.seen[i].meta = Some(meta);
        self.mark(db, key);
        Ok(())
    }

    pub fn put(&mut self, key: &[u8], meta: Meta) -> Result<()> {
        self.put_at(self.db, key, meta)
    }

    /// Sets `key` to a plain string, discarding any TTL unless `keep_ttl`.
    pub fn set_string(&mut self, key: &[u8], value: Bytes, expire_at: i64) -> Result<()> {
        self.put(key, Meta::string(value, expire_at))
    }

    /// Deletes `key` from `db` if it exists (expired or not). Sub-keys of collections
    /// become unreachable with their metadata and are reclaimed by compaction.
    fn remove_at(&mut self, db: u8, key: &[u8]) -> Result<bool> {
        let i = self.slot(db, key).expect("caller recorded the entry");
        let Some(old) = self.seen[i].meta.take() else { return Ok(false) };
        if old.expire_at != 0 {
            self.batch.delete(Cf::Expire, keys::expire_key(db, old.expire_at, key));
        }
        self.batch.delete(Cf::Meta, keys::meta_key(db, key));
        self.delta(db, -1, -((old.expire_at != 0) as i64));
        self.mark(db, key);
        Ok(true)
    }

    /// Deletes a live key; answers whether it existed.
    pub fn delete_at(&mut self, db: u8, key: &[u8]) -> Result<bool> {
        if self.get_at(db, key)?.is_none() {
            return Ok(false);
        }
        self.remove_at(db, key)
    }

    pub fn delete(&mut self, key: &[u8]) -> Result<bool> {
        self.delete_at(self.db, key)
    }

    fn mark(&mut self, db: u8, key: &[u8]) {
        self.changes += 1;
        if !self.touched.iter().any(|(d, k)| *d == db && k == key) {
            self.touched.push((db, Bytes::copy_from_slice(key)));
        }
    }

    // ----- sub-keys of collections -----
    // Sub-keys are addressed by version alone; see `storage::keys`.

    pub fn sub_get(&self, version: u64, sub: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.store.storage.get(Cf::Sub, &keys::sub_key(version, sub))?)
    }

    pub fn sub_put(&mut self, version: u64, sub: &[u8], value: Vec<u8>) {
        self.batch.put(Cf::Sub, keys::sub_key(version, sub), value);
    }

    pub fn sub_delete(&mut self, version: u64, sub: &[u8]) {
        self.batch.delete(Cf::Sub, keys::sub_key(version, sub));
    }

    /// Raw access for type modules that keep other records (the score index).
    pub fn batch_mut(&mut self) -> &mut Batch {
        &mut self.batch
    }

    /// Visits the records of `version` in `cf` (Sub or Score) whose suffix is in
    /// `[from, to)` (`to` empty: to the end), passing the suffix and the value, until
    /// `visit` answers false.
    pub fn sub_scan(
        &self,
        cf: Cf,
        version: u64,
        from: &[u8],
        to: &[u8],
        reverse: bool,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        let prefix = keys::sub_prefix(version);
        let start = keys::sub_key(version, from);
        let end = if to.is_empty() { keys::prefix_end(&prefix) } else { keys::sub_key(version, to) };
        let plen = prefix.len();
        self.store.storage.scan(cf, Range { start: &start, end: &end, reverse }, &mut |k, v| visit(&k[plen..], v))?;
        Ok(())
    }

    /// Whether this command changed anything.
    pub fn wrote(&self) -> bool {
        self.changes > 0 || !self.batch.is_empty()
    }

    /// Applies every write of the command atomically.
    pub fn commit(mut self) -> Result<Vec<(u8, Bytes)>> {
        if self.batch.is_empty() {
            return Ok(std::mem::take(&mut self.touched));
        }
        let batch = std::mem::take(&mut self.batch);
        self.store.storage.write(batch)?;
        for &(db, k, e) in &self.deltas {
            let c = &self.store.counters[db as usize];
            c.keys.fetch_add(k, Ordering::Relaxed);
            c.expires.fetch_add(e, Ordering::Relaxed);
        }
        self.store.stats.dirty.fetch_add(self.changes, Ordering::Relaxed);
        Ok(std::mem::take(&mut self.touched))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::rocks::RocksOptions;
    use crate::storage::{RocksStorage, Storage};

    fn open(dir: &std::path::Path) -> (Arc<dyn Storage>, Store) {
        let storage: Arc<dyn Storage> =
            Arc::new(RocksStorage::open(dir, &RocksOptions::default(), Meta::live_version).unwrap());
        let store = Store::open(storage.clone(), 16).unwrap();
        (storage, store)
    }

    fn count_sub(storage: &dyn Storage) -> usize {
        let mut n = 0;
        let end = vec![0xff; 9];
        storage.scan(Cf::Sub, Range { start: &[], end: &end, reverse: false }, &mut |_, _| {
            n += 1;
            true
        })
        .unwrap();
        n
    }

    #[test]
    fn deleted_collection_elements_are_invisible_then_compacted_away() {
        let dir = tempfile::tempdir().unwrap();
        let (storage, store) = open(dir.path());
        let version = store.new_version();
        let mut txn = Txn::new(&store, 0);
        let mut meta = Meta::collection(Kind::Set, version);
        meta.size = 1000;
        txn.put(b"big", meta).unwrap();
        for i in 0..1000u32 {
            txn.sub_put(version, &i.to_be_bytes(), Vec::new());
        }
        txn.commit().unwrap();
        assert_eq!(count_sub(&*storage), 1000);
        assert_eq!(store.dbsize(0), 1);

        // DEL is one metadata delete, whatever the size.
        let mut txn = Txn::new(&store, 0);
        assert!(txn.delete(b"big").unwrap());
        txn.commit().unwrap();
        assert_eq!(store.dbsize(0), 0);

        // A new key of the same name gets a new version and sees none of the old elements.
        let v2 = store.new_version();
        assert!(v2 > version);
        let mut txn = Txn::new(&store, 0);
        txn.put(b"big", Meta::collection(Kind::Set, v2)).unwrap();
        txn.sub_put(v2, b"fresh", Vec::new());
        txn.commit().unwrap();
        let txn = Txn::new(&store, 0);
        let mut seen = Vec::new();
        txn.sub_scan(Cf::Sub, v2, b"", b"", false, &mut |k, _| {
            seen.push(k.to_vec());
            true
        })
        .unwrap();
        assert_eq!(seen, vec![b"fresh".to_vec()]);

        // Compaction drops the 1000 stale records and keeps the live one.
        storage.close().unwrap();
        drop(store);
        drop(storage);
        let (storage, _store) = open(dir.path());
        storage.compact(Cf::Sub, &[], &[0xff; 9]);
        assert_eq!(count_sub(&*storage), 1);
    }

    #[test]
    fn renamed_collection_keeps_its_elements_through_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let (storage, store) = open(dir.path());
        let version = store.new_version();
        let mut txn = Txn::new(&store, 0);
        txn.put(b"a", Meta::collection(Kind::Hash, version)).unwrap();
        txn.sub_put(version, b"f", b"v".to_vec());
        txn.commit().unwrap();
        // RENAME a -> b: same version under the new name; the owner record follows.
        let mut txn = Txn::new(&store, 0);
        let meta = txn.get(b"a").unwrap().unwrap();
        txn.put(b"b", meta).unwrap();
        txn.delete(b"a").unwrap();
        txn.commit().unwrap();
        storage.close().unwrap();
        drop(store);
        drop(storage);
        let (storage, _store) = open(dir.path());
        storage.compact(Cf::Sub, &[], &[0xff; 9]);
        assert_eq!(count_sub(&*storage), 1);
    }

    #[test]
    fn lazy_expiry_deletes_once_and_fixes_counters() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store) = open(dir.path());
        let mut txn = Txn::new(&store, 0);
        txn.set_string(b"k", Bytes::from_static(b"v"), txn.now - 1).unwrap();
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (1, 1));
        let mut txn = Txn::new(&store, 0);
        assert_eq!(txn.get(b"k").unwrap(), None);
        assert_eq!(txn.get(b"k").unwrap(), None);
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (0, 0));
    }
}
