//! Sets: one sub-key record per member.
//!
//! ```text
//! Cf::Meta  [db][key]                -> kind Set, version, size = number of members
//!                                       (no payload)
//! Cf::Sub   [version u64 BE][member] -> ""
//! ```
//! Members are kept in RocksDB's byte order, so a member test is one point read, SMEMBERS
//! and SSCAN are prefix scans, and random picks walk the prefix without loading it (see
//! [`super::sample`]). Empty sets do not exist: removing the last member deletes the key.
//!
//! [`SetMut`] is the handle a command writes through: it remembers the command's own
//! changes, because sub-key writes only become visible when the command commits.

use std::collections::{BTreeSet, HashSet};

use bytes::Bytes;

use super::collection::{self, Collection, Opened};
use super::meta::{Kind, Meta};
use super::sample;
use super::txn::{Access, Txn};
use crate::error::Result;
use crate::notify::{GENERIC, SET};
use crate::storage::Cf;

/// A set as a command reads it.
#[derive(Debug)]
pub struct Set {
    meta: Meta,
}

impl Collection for Set {
    const KIND: Kind = Kind::Set;
    /// Whether a member was added (true) or removed (false).
    type Change = bool;

    fn from_meta(meta: Meta) -> Set {
        Set { meta }
    }

    fn meta(&self) -> &Meta {
        &self.meta
    }
}

/// The set at `key`: `None` if missing, WRONGTYPE if another type. `access` decides
/// whether INFO counts the lookup.
pub fn open(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<Set>> {
    collection::open(txn, key, access)
}

impl Set {
    /// Whether `member` is in the set. One point read.
    pub fn contains(&self, txn: &Txn<'_>, member: &[u8]) -> Result<bool> {
        Ok(txn.sub_get(self.meta.version, member)?.is_some())
    }

    /// Every member, in byte order. O(N).
    pub fn members(&self, txn: &Txn<'_>) -> Result<Vec<Bytes>> {
        let mut out = Vec::new();
        self.for_each(txn, &mut |m| {
            out.push(Bytes::copy_from_slice(m));
            true
        })?;
        Ok(out)
    }

    /// Visits members in byte order until `visit` answers false.
    pub fn for_each(&self, txn: &Txn<'_>, visit: &mut dyn FnMut(&[u8]) -> bool) -> Result<()> {
        txn.sub_scan(Cf::Sub, self.meta.version, b"", b"", false, &mut |m, _| visit(m))
    }

    /// Random members, sorted by position (see [`sample::random_members`]).
    pub fn random(&self, txn: &Txn<'_>, count: u64, distinct: bool) -> Result<Vec<Bytes>> {
        Ok(sample::random_members(txn, &self.meta, count, distinct)?.into_iter().map(|(m, _)| m).collect())
    }
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

/// How SINTER, SUNION and SDIFF (and ZINTER, ZUNION, ZDIFF) combine their inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    Inter,
    Union,
    Diff,
}

/// Opens every key as a set (missing keys are `None`), WRONGTYPE for any other type.
/// Not counted in INFO, as these commands never were.
pub fn open_all(txn: &mut Txn<'_>, keys: &[Bytes]) -> Result<Vec<Option<Set>>> {
    keys.iter().map(|k| open(txn, k, Access::Uncounted)).collect()
}

/// The members `op` makes of `sets` (as [`open_all`] answers): SINTER's in the smallest
/// set's byte order, SUNION's in byte order, SDIFF's in the first set's byte order.
pub fn combine(txn: &Txn<'_>, op: SetOp, sets: &[Option<Set>]) -> Result<Vec<Bytes>> {
    match op {
        SetOp::Inter => intersect(txn, sets, 0),
        SetOp::Union => union(txn, sets),
        SetOp::Diff => difference(txn, sets),
    }
}

/// Members in every set, stopping after `limit` (0: no limit). Walks the smallest set
/// and tests each member against the others: O(N*M) for N the smallest size.
pub fn intersect(txn: &Txn<'_>, sets: &[Option<Set>], limit: u64) -> Result<Vec<Bytes>> {
    if sets.iter().any(|s| s.is_none()) {
        return Ok(Vec::new());
    }
    let mut all: Vec<&Set> = sets.iter().flatten().collect();
    all.sort_by_key(|s| s.len());
    let Some((first, rest)) = all.split_first() else { return Ok(Vec::new()) };
    members_where(txn, first, limit, &mut |m| {
        for other in rest {
            if other.meta.version != first.meta.version && !other.contains(txn, m)? {
                return Ok(false);
            }
        }
        Ok(true)
    })
}

/// Members of any set, in byte order. O(N) total size.
fn union(txn: &Txn<'_>, sets: &[Option<Set>]) -> Result<Vec<Bytes>> {
    let mut all = BTreeSet::new();
    for set in sets.iter().flatten() {
        set.for_each(txn, &mut |m| {
            if !all.contains(m) {
                all.insert(Bytes::copy_from_slice(m));
            }
            true
        })?;
    }
    Ok(all.into_iter().collect())
}

/// Members of the first set in none of the others. O(N*M) for N the first set's size.
fn difference(txn: &Txn<'_>, sets: &[Option<Set>]) -> Result<Vec<Bytes>> {
    let Some(Some(first)) = sets.first() else { return Ok(Vec::new()) };
    let others: Vec<&Set> = sets[1..].iter().flatten().collect();
    if others.iter().any(|o| o.meta.version == first.meta.version) {
        return Ok(Vec::new());
    }
    members_where(txn, first, 0, &mut |m| {
        for other in &others {
            if other.contains(txn, m)? {
                return Ok(false);
            }
        }
        Ok(true)
    })
}

/// The members of `set` that `keep` accepts, in byte order, stopping after `limit`
/// (0: no limit) or at the first error.
fn members_where(txn: &Txn<'_>, set: &Set, limit: u64, keep: &mut dyn FnMut(&[u8]) -> Result<bool>) -> Result<Vec<Bytes>> {
    let mut out = Vec::new();
    let mut failure = None;
    set.for_each(txn, &mut |m| match keep(m) {
        Ok(false) => true,
        Ok(true) => {
            out.push(Bytes::copy_from_slice(m));
            limit == 0 || (out.len() as u64) < limit
        }
        Err(e) => {
            failure = Some(e);
            false
        }
    })?;
    failure.map_or(Ok(out), Err)
}

/// A set opened for writing by one command (`SetMut::open`, `open_or_create`); each
/// member it changed was added (true) or removed (false).
pub type SetMut<'a> = Opened<'a, Set>;

impl<'a> SetMut<'a> {
    /// Whether `member` is in the set as this command has made it. O(1).
    pub fn contains(&self, txn: &Txn<'_>, member: &[u8]) -> Result<bool> {
        match self.pending(member) {
            Some(&present) => Ok(present),
            None => Ok(!self.is_fresh() && txn.sub_get(self.version(), member)?.is_some()),
        }
    }

    /// Adds `member`; whether it was new. O(1).
    pub fn insert(&mut self, txn: &mut Txn<'_>, member: &'a [u8]) -> Result<bool> {
        if self.contains(txn, member)? {
            return Ok(false);
        }
        txn.sub_put(self.version(), member, Vec::new());
        self.record(member, true, 1);
        Ok(true)
    }

    /// Removes `member`; whether it was there. O(1).
    pub fn remove(&mut self, txn: &mut Txn<'_>, member: &'a [u8]) -> Result<bool> {
        if !self.contains(txn, member)? {
            return Ok(false);
        }
        txn.sub_delete(self.version(), member);
        self.record(member, false, -1);
        Ok(true)
    }
}

/// SPOP's core: removes up to `count` random distinct members of the set at `key` and
/// answers them in a random order; `None` if the key is missing. Popping the whole set
/// is one metadata delete rather than a delete per member. O(count) picks (see
/// [`super::sample`]).
pub fn pop_random(txn: &mut Txn<'_>, key: &[u8], count: u64) -> Result<Option<Vec<Bytes>>> {
    let Some(mut s) = SetMut::open(txn, key)? else { return Ok(None) };
    if count == 0 {
        return Ok(Some(Vec::new()));
    }
    let size = s.len();
    let picked: Vec<Bytes> = if count >= size {
        let all = s.stored().members(txn)?;
        s.clear(txn);
        s.finish(txn)?;
        all
    } else {
        let picked = sample::pick(txn, s.meta(), count, true)?.into_iter().map(|(m, _)| m).collect::<Vec<_>>();
        for m in &picked {
            s.remove(txn, m)?;
        }
        s.finish(txn)?;
        picked
    };
    txn.notify(SET, "spop", key);
    if count >= size {
        txn.notify(GENERIC, "del", key);
    }
    let mut picked = picked;
    fastrand::shuffle(&mut picked);
    Ok(Some(picked))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open as store};
    use crate::types::Store;

    fn get(t: &mut Txn<'_>, key: &[u8]) -> Result<Option<Meta>> {
        Ok(open(t, key, Access::Read)?.map(|s| s.meta().clone()))
    }

    fn members(t: &Txn<'_>, meta: &Meta) -> Result<Vec<Bytes>> {
        Set { meta: meta.clone() }.members(t)
    }

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
