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

/// Sorted positions in `0..size` for a random pick of `count` elements: all different
/// when `distinct` (then `count` must not exceed `size`), independent draws otherwise.
/// Memory is O(count) (O(size - count) when picking most of a set).
pub fn sample_indexes(size: u64, count: u64, distinct: bool) -> Vec<u64> {
    if size == 0 || count == 0 {
        return Vec::new();
    }
    let mut out: Vec<u64> = if !distinct {
        (0..count).map(|_| fastrand::u64(0..size)).collect()
    } else if count >= size {
        (0..size).collect()
    } else if count <= size / 2 {
        floyd(size, count).into_iter().collect()
    } else {
        // Most of the set: choose what to leave out.
        let skip = floyd(size, size - count);
        (0..size).filter(|i| !skip.contains(i)).collect()
    };
    out.sort_unstable();
    out
}

/// Robert Floyd's sampling: `count` distinct values of `0..size` in O(count).
fn floyd(size: u64, count: u64) -> HashSet<u64> {
    let mut chosen = HashSet::new();
    for j in size - count..size {
        let t = fastrand::u64(0..=j);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen
}

/// The sub-key records of `version` at the sorted positions `indexes` (repeats allowed),
/// in that order. One scan from whichever end of the key is nearer to the positions
/// wanted, so O(distance), without loading the collection. Shared with sorted sets.
pub fn pick_by_index(txn: &Txn<'_>, version: u64, size: u64, indexes: &[u64]) -> Result<Vec<(Bytes, Bytes)>> {
    let (Some(&first), Some(&last)) = (indexes.first(), indexes.last()) else { return Ok(Vec::new()) };
    let reverse = size.saturating_sub(1).saturating_sub(first) < last;
    let mut out = Vec::with_capacity(indexes.len());
    let mut pos: u64 = 0;
    if reverse {
        let mut wanted = indexes.iter().rev().peekable();
        txn.sub_scan(Cf::Sub, version, b"", b"", true, &mut |k, v| {
            let idx = size.saturating_sub(1).saturating_sub(pos);
            while wanted.peek() == Some(&&idx) {
                out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v)));
                wanted.next();
            }
            pos += 1;
            wanted.peek().is_some()
        })?;
        out.reverse();
    } else {
        let mut wanted = indexes.iter().peekable();
        txn.sub_scan(Cf::Sub, version, b"", b"", false, &mut |k, v| {
            while wanted.peek() == Some(&&pos) {
                out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v)));
                wanted.next();
            }
            pos += 1;
            wanted.peek().is_some()
        })?;
    }
    Ok(out)
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
    fn sampling_and_picking_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let names: Vec<String> = (0..100).map(|i| format!("m{i:03}")).collect();
        let refs: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        add(&store, b"s", &refs);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"s").unwrap().unwrap();
        for (count, distinct) in [(10, true), (60, true), (100, true), (500, false)] {
            let idx = sample_indexes(100, count, distinct);
            assert_eq!(idx.len() as u64, count.min(if distinct { 100 } else { u64::MAX }));
            if distinct {
                let set: HashSet<_> = idx.iter().collect();
                assert_eq!(set.len(), idx.len());
            }
            let picked = pick_by_index(&txn, meta.version, 100, &idx).unwrap();
            assert_eq!(picked.len(), idx.len());
            for ((m, _), i) in picked.iter().zip(&idx) {
                assert_eq!(&m[..], names[*i as usize].as_bytes());
            }
        }
        // Positions near the end are found walking backwards.
        let picked = pick_by_index(&txn, meta.version, 100, &[98, 99, 99]).unwrap();
        let got: Vec<_> = picked.iter().map(|(m, _)| m.clone()).collect();
        assert_eq!(got, vec![Bytes::from("m098"), Bytes::from("m099"), Bytes::from("m099")]);
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
