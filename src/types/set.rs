//! Set operations over versioned sub-keys.
//!
//! ```text
//! meta : kind Set, size = number of members
//! sub  : [version][member] -> ""
//! ```
//! Members are kept in RocksDB's byte order, so a member test is one point read, SMEMBERS
//! and SSCAN are prefix scans, and random picks walk the prefix without loading it.
//! [`SetMut`] is a set opened for writing by one command: it remembers the command's own
//! changes, because sub-key writes only become visible when the command commits.

use std::collections::HashSet;

use bytes::Bytes;

use super::collection::Opened;
use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::error::Result;
use crate::storage::Cf;

/// The live set at `key`, WRONGTYPE if the key holds another type.
pub fn get(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<Meta>> {
    txn.get_kind(key, Kind::Set)
}

/// Whether `member` is in the set of `meta`. One point read.
pub fn contains(txn: &Txn<'_>, meta: &Meta, member: &[u8]) -> Result<bool> {
    Ok(txn.sub_get(meta.version, member)?.is_some())
}

/// Every member, in byte order. O(N).
pub fn members(txn: &Txn<'_>, meta: &Meta) -> Result<Vec<Bytes>> {
    let mut out = Vec::new();
    txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |m, _| {
        out.push(Bytes::copy_from_slice(m));
        true
    })?;
    Ok(out)
}

/// Visits members in byte order until `visit` answers false.
pub fn for_each(txn: &Txn<'_>, meta: &Meta, visit: &mut dyn FnMut(&[u8]) -> bool) -> Result<()> {
    txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |m, _| visit(m))
}

/// Replaces whatever is at `key` with a new set of `members` (deduplicated by the caller
/// or not); an empty result deletes the key. Any TTL is dropped, as Redis's `setKey` does.
/// Returns the new size.
pub fn replace(txn: &mut Txn<'_>, key: &[u8], members: impl IntoIterator<Item = Bytes>) -> Result<u64> {
    let version = txn.store.new_version();
    let mut seen = HashSet::new();
    for m in members {
        if seen.insert(m.clone()) {
            txn.sub_put(version, &m, Vec::new());
        }
    }
    if seen.is_empty() {
        txn.delete(key)?;
        return Ok(0);
    }
    let mut meta = Meta::collection(Kind::Set, version);
    meta.size = seen.len() as u64;
    txn.put(key, meta)?;
    Ok(seen.len() as u64)
}

/// A set opened for writing by one command; each pending member was added (true) or
/// removed (false).
pub type SetMut = Opened<bool>;

impl SetMut {
    /// The existing set at `key`, if any.
    pub fn open(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<SetMut>> {
        Self::open_kind(txn, key, Kind::Set)
    }

    /// The set at `key`, or a new empty one (written only if something is added).
    pub fn open_or_create(txn: &mut Txn<'_>, key: &[u8]) -> Result<SetMut> {
        Self::open_or_create_kind(txn, key, Kind::Set)
    }

    pub fn contains(&self, txn: &Txn<'_>, member: &[u8]) -> Result<bool> {
        if let Some(&present) = self.pending.get(member) {
            return Ok(present);
        }
        contains(txn, &self.meta, member)
    }

    /// Adds `member`; whether it was new.
    pub fn insert(&mut self, txn: &mut Txn<'_>, member: &[u8]) -> Result<bool> {
        if self.contains(txn, member)? {
            return Ok(false);
        }
        txn.sub_put(self.meta.version, member, Vec::new());
        self.record(member, true);
        self.meta.size += 1;
        Ok(true)
    }

    /// Removes `member`; whether it was there.
    pub fn remove(&mut self, txn: &mut Txn<'_>, member: &[u8]) -> Result<bool> {
        if !self.contains(txn, member)? {
            return Ok(false);
        }
        txn.sub_delete(self.meta.version, member);
        self.record(member, false);
        self.meta.size = self.meta.size.saturating_sub(1);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open as store};
    use crate::types::Store;

    fn add(store: &Store, key: &[u8], members: &[&str]) -> usize {
        let mut txn = Txn::new(store, 0);
        let mut s = SetMut::open_or_create(&mut txn, key).unwrap();
        let mut n = 0;
        for m in members {
            n += s.insert(&mut txn, m.as_bytes()).unwrap() as usize;
        }
        s.finish(&mut txn).unwrap();
        txn.commit().unwrap();
        n
    }

    #[test]
    fn add_counts_duplicates_in_one_command_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        assert_eq!(add(&store, b"s", &["a", "b", "a"]), 2);
        assert_eq!(add(&store, b"s", &["b", "c"]), 1);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"s").unwrap().unwrap();
        assert_eq!(meta.size, 3);
        assert_eq!(members(&txn, &meta).unwrap(), vec![Bytes::from("a"), Bytes::from("b"), Bytes::from("c")]);
    }

    #[test]
    fn removing_the_last_member_deletes_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        add(&store, b"s", &["a", "b"]);
        let mut txn = Txn::new(&store, 0);
        let mut s = SetMut::open(&mut txn, b"s").unwrap().unwrap();
        assert!(s.remove(&mut txn, b"a").unwrap());
        assert!(!s.remove(&mut txn, b"a").unwrap());
        assert!(s.remove(&mut txn, b"b").unwrap());
        s.finish(&mut txn).unwrap();
        txn.commit().unwrap();
        let mut txn = Txn::new(&store, 0);
        assert!(get(&mut txn, b"s").unwrap().is_none());
        assert_eq!(store.dbsize(0), 0);
    }

    #[test]
    fn pages_resume_after_the_last_member() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        add(&store, b"s", &["a", "b", "c", "d", "e"]);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"s").unwrap().unwrap();
        let (p1, done) = txn.sub_page(meta.version, None, 2).unwrap();
        assert!(!done);
        let (p2, _) = txn.sub_page(meta.version, Some(&p1[1].0), 2).unwrap();
        let (p3, done) = txn.sub_page(meta.version, Some(&p2[1].0), 2).unwrap();
        assert!(done);
        let all: Vec<_> = p1.iter().chain(&p2).chain(&p3).map(|(m, _)| m.clone()).collect();
        assert_eq!(all.len(), 5);
        assert_eq!(&all[4][..], b"e");
    }
}
