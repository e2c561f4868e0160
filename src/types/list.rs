//! Lists: one sub-key record per element, addressed by position.
//!
//! ```text
//! Cf::Meta  [db][key]                       -> kind List, version, size = length,
//!                                              payload [head u64 BE][tail u64 BE]:
//!                                              elements live at indexes [head, tail)
//! Cf::Sub   [version u64 BE][index u64 BE]  -> element
//! ```
//! Indexes are offset-encoded: a new list starts with `head = tail = 2^63`, LPUSH writes
//! at `head - 1`, RPUSH at `tail`. Because indexes are big-endian, RocksDB keeps the
//! elements in list order, and position `i` of the list is simply sub-key `head + i`:
//!
//! - push and pop at either end: one point write (and one point read to pop) plus the
//!   metadata write, O(1);
//! - LINDEX, LSET: one point operation, O(1);
//! - LRANGE: one bounded range scan of exactly the elements returned, O(range);
//! - LTRIM: only the metadata moves, plus deleting the trimmed elements (point deletes for
//!   a few, one range tombstone for many);
//! - LINSERT: the elements on the shorter side of the insertion point are rewritten one
//!   slot outwards, O(min(i, N-i)) after the O(i) search for the pivot;
//! - LREM: the elements between one end of the list and the farthest removed element are
//!   rewritten to close the gaps, O(N) in the worst case.
//!
//! Empty lists do not exist: whatever empties a list deletes its key (its remaining
//! sub-keys, if any, are reclaimed by the compaction filter).
//!
//! Reads go to storage and do not see the command's own pending writes, so every
//! operation of [`ListMut`], the handle a command writes through, reads what it needs
//! before it writes; the handle keeps the decoded head and tail, and `finish` writes
//! them back.

use bytes::Bytes;

use super::meta::{Kind, Meta};
use super::txn::{Access, Txn};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, LIST};
use crate::storage::{keys, Cf};

/// Index of the first element of a new list.
const ORIGIN: u64 = 1 << 63;

/// Deleting more elements than this at once uses one range tombstone.
const RANGE_DELETE_MIN: u64 = 64;

/// A list as a command reads it: its metadata, decoded.
#[derive(Debug, Clone)]
pub struct List {
    meta: Meta,
    /// Index of the first element.
    head: u64,
    /// One past the index of the last element.
    tail: u64,
}

/// The list at `key`: `None` if missing, WRONGTYPE if another type. `access` decides
/// whether INFO counts the lookup.
pub fn open(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<List>> {
    Ok(txn.open(key, Kind::List, access)?.map(List::decode))
}

impl List {
    fn new(version: u64) -> List {
        List { meta: Meta::collection(Kind::List, version), head: ORIGIN, tail: ORIGIN }
    }

    fn decode(meta: Meta) -> List {
        let word = |at: usize| meta.payload.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
        // A payload this module did not write reads as an empty list rather than panic.
        let (head, tail) = match (word(0), word(8)) {
            (Some(h), Some(t)) => (h, t.max(h)),
            _ => (ORIGIN, ORIGIN),
        };
        List { meta, head, tail }
    }

    pub fn len(&self) -> u64 {
        self.tail - self.head
    }

    pub fn is_empty(&self) -> bool {
        self.head == self.tail
    }

    fn version(&self) -> u64 {
        self.meta.version
    }

    /// The storage index of list position `i` (0-based, from the head).
    fn at(&self, i: u64) -> u64 {
        self.head + i
    }

    /// Resolves a Redis index (negative counts from the tail) to a position, if in range.
    pub fn position(&self, index: i64) -> Option<u64> {
        let len = self.len() as i64;
        let i = if index < 0 { len.checked_add(index)? } else { index };
        (0..len).contains(&i).then_some(i as u64)
    }

    /// Resolves a Redis `start stop` pair (as LRANGE and LTRIM read it) to a half-open
    /// range of positions; empty when nothing is selected.
    pub fn span(&self, start: i64, stop: i64) -> (u64, u64) {
        let len = self.len() as i64;
        let mut start = if start < 0 { len.saturating_add(start) } else { start };
        let mut stop = if stop < 0 { len.saturating_add(stop) } else { stop };
        if start < 0 {
            start = 0;
        }
        if start > stop || start >= len {
            return (0, 0);
        }
        if stop >= len {
            stop = len - 1;
        }
        (start as u64, stop as u64 + 1)
    }

    /// Visits positions `[from, to)` of the list in order (or reverse order), until
    /// `visit` answers false.
    fn scan(&self, txn: &Txn<'_>, from: u64, to: u64, reverse: bool, visit: &mut dyn FnMut(u64, &[u8]) -> bool) -> Result<()> {
        if from >= to {
            return Ok(());
        }
        let head = self.head;
        txn.sub_scan(Cf::Sub, self.version(), &index_key(self.at(from)), &index_key(self.at(to)), reverse, &mut |k, v| {
            let index = k.try_into().map(u64::from_be_bytes).unwrap_or(head);
            visit(index - head, v)
        })
    }

    /// The element at position `pos`. One point read.
    fn get(&self, txn: &Txn<'_>, pos: u64) -> Result<Option<Bytes>> {
        Ok(txn.sub_get(self.version(), &index_key(self.at(pos)))?.map(Bytes::from))
    }

    /// The element at Redis index `index`, if any. O(1).
    pub fn index(&self, txn: &Txn<'_>, index: i64) -> Result<Option<Bytes>> {
        match self.position(index) {
            Some(pos) => self.get(txn, pos),
            None => Ok(None),
        }
    }

    /// The elements between Redis indexes `start` and `stop`, inclusive. O(range).
    pub fn range(&self, txn: &Txn<'_>, start: i64, stop: i64) -> Result<Vec<Bytes>> {
        let (from, to) = self.span(start, stop);
        let mut out = Vec::with_capacity((to - from).min(1024) as usize);
        self.scan(txn, from, to, false, &mut |_, v| {
            out.push(Bytes::copy_from_slice(v));
            true
        })?;
        Ok(out)
    }

    /// Positions (from the head) of matches of `value`, as LPOS finds them. O(N) at
    /// worst, bounded by MAXLEN, stopping once COUNT matches are found.
    pub fn positions(&self, txn: &Txn<'_>, value: &[u8], opts: PosOptions) -> Result<Vec<u64>> {
        let reverse = opts.rank < 0;
        let mut skip = opts.rank.unsigned_abs().saturating_sub(1);
        let mut out = Vec::new();
        let mut compared = 0u64;
        self.scan(txn, 0, self.len(), reverse, &mut |pos, v| {
            if opts.maxlen != 0 && compared >= opts.maxlen {
                return false;
            }
            compared += 1;
            if v == value {
                if skip > 0 {
                    skip -= 1;
                } else {
                    out.push(pos);
                    if opts.count != 0 && out.len() as u64 >= opts.count {
                        return false;
                    }
                }
            }
            true
        })?;
        Ok(out)
    }
}

fn index_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

/// LPOS options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PosOptions {
    /// Nonzero; negative searches from the tail.
    pub rank: i64,
    /// Matches to return; 0 for all.
    pub count: u64,
    /// Elements to compare at most; 0 for all.
    pub maxlen: u64,
}

/// Deletes the elements at storage indexes `[from, to)`.
fn delete_indexes(txn: &mut Txn<'_>, version: u64, from: u64, to: u64) {
    if to <= from {
        return;
    }
    if to - from >= RANGE_DELETE_MIN {
        let (a, b) = (keys::sub_key(version, &index_key(from)), keys::sub_key(version, &index_key(to)));
        txn.batch_mut().delete_range(Cf::Sub, a, b);
    } else {
        for i in from..to {
            txn.sub_delete(version, &index_key(i));
        }
    }
}

/// A list opened for writing by one command. Each operation reads what it needs and
/// writes its elements; `finish` writes the new head and tail, or deletes the key when
/// the list became empty.
pub struct ListMut<'a> {
    key: &'a [u8],
    list: List,
    changed: bool,
}

impl<'a> ListMut<'a> {
    /// The existing list at `key`, if any; WRONGTYPE if another type.
    pub fn open(txn: &mut Txn<'_>, key: &'a [u8]) -> Result<Option<ListMut<'a>>> {
        Ok(open(txn, key, Access::Write)?.map(|list| ListMut { key, list, changed: false }))
    }

    /// The list at `key`, or a new empty one (written only if something is pushed).
    pub fn open_or_create(txn: &mut Txn<'_>, key: &'a [u8]) -> Result<ListMut<'a>> {
        let list = match open(txn, key, Access::Write)? {
            Some(list) => list,
            None => List::new(txn.store.new_version()),
        };
        Ok(ListMut { key, list, changed: false })
    }

    /// The length as this command has made it so far.
    pub fn len(&self) -> u64 {
        self.list.len()
    }

    /// Pushes `values` one by one at `end` (so LPUSH a b c gives c b a); answers the new
    /// length. O(1) per element.
    pub fn push(&mut self, txn: &mut Txn<'_>, end: End, values: &[Bytes]) -> u64 {
        let version = self.list.version();
        let l = &mut self.list;
        for v in values {
            let index = match end {
                End::Left => {
                    l.head -= 1;
                    l.head
                }
                End::Right => {
                    l.tail += 1;
                    l.tail - 1
                }
            };
            txn.sub_put(version, &index_key(index), v.to_vec());
        }
        self.changed = true;
        self.list.len()
    }

    /// Pops up to `count` elements from `end`, in the order popped. O(count): one range
    /// scan (a point read for one element) plus a delete per element (none when the
    /// list empties: the key goes, and compaction reclaims its elements).
    pub fn pop(&mut self, txn: &mut Txn<'_>, end: End, count: u64) -> Result<Vec<Bytes>> {
        let l = &mut self.list;
        let n = count.min(l.len());
        let mut out = Vec::with_capacity(n as usize);
        let (from, to) = match end {
            End::Left => (0, n),
            End::Right => (l.len() - n, l.len()),
        };
        if n == 1 {
            // The common case: a point read is cheaper than setting up an iterator.
            let pos = if end == End::Left { from } else { to - 1 };
            if let Some(v) = l.get(txn, pos)? {
                out.push(v);
            }
        } else {
            l.scan(txn, from, to, end == End::Right, &mut |_, v| {
                out.push(Bytes::copy_from_slice(v));
                true
            })?;
        }
        let version = l.version();
        let emptied = n == l.len();
        match end {
            End::Left => {
                if !emptied {
                    delete_indexes(txn, version, l.head, l.head + n);
                }
                l.head += n;
            }
            End::Right => {
                if !emptied {
                    delete_indexes(txn, version, l.tail - n, l.tail);
                }
                l.tail -= n;
            }
        }
        self.changed = true;
        Ok(out)
    }

    /// Replaces the element at `index`. Error: `ERR index out of range`.
    pub fn set(&mut self, txn: &mut Txn<'_>, index: i64, value: &[u8]) -> Result<()> {
        let pos = self.list.position(index).ok_or_else(|| Error::IndexOutOfRange)?;
        txn.sub_put(self.list.version(), &index_key(self.list.at(pos)), value.to_vec());
        // The metadata is rewritten too, so the key counts as modified (WATCH, keyspace).
        self.changed = true;
        Ok(())
    }

    /// Keeps only the elements between `start` and `stop` (inclusive Redis indexes).
    pub fn trim(&mut self, txn: &mut Txn<'_>, start: i64, stop: i64) {
        let l = &mut self.list;
        let (from, to) = l.span(start, stop);
        self.changed = true;
        if from == to {
            l.tail = l.head;
            return;
        }
        let version = l.version();
        let (new_head, new_tail) = (l.at(from), l.at(to));
        delete_indexes(txn, version, l.head, new_head);
        delete_indexes(txn, version, new_tail, l.tail);
        l.head = new_head;
        l.tail = new_tail;
    }

    /// Inserts `value` next to the first occurrence of `pivot`. Answers the new length,
    /// or -1 if the pivot is not found. O(p) to find the pivot at position p, then
    /// O(min(p, N-p)) elements are shifted.
    pub fn insert(&mut self, txn: &mut Txn<'_>, before: bool, pivot: &[u8], value: &[u8]) -> Result<i64> {
        let l = &mut self.list;
        let len = l.len();
        // Elements before the pivot, kept in case the left side is the one to shift.
        let mut prefix: Vec<Bytes> = Vec::new();
        let mut found = None;
        l.scan(txn, 0, len, false, &mut |pos, v| {
            prefix.push(Bytes::copy_from_slice(v));
            if v == pivot {
                found = Some(pos);
                return false;
            }
            true
        })?;
        let Some(p) = found else { return Ok(-1) };
        // The new element takes position q; elements at q.. move right or ..q move left.
        let q = if before { p } else { p + 1 };
        let version = l.version();
        if q < len - q {
            for (i, v) in prefix.iter().take(q as usize).enumerate() {
                txn.sub_put(version, &index_key(l.head - 1 + i as u64), v.to_vec());
            }
            l.head -= 1;
        } else {
            let mut suffix: Vec<Bytes> = Vec::new();
            l.scan(txn, q, len, false, &mut |_, v| {
                suffix.push(Bytes::copy_from_slice(v));
                true
            })?;
            for (i, v) in suffix.iter().enumerate() {
                txn.sub_put(version, &index_key(l.at(q) + 1 + i as u64), v.to_vec());
            }
            l.tail += 1;
        }
        txn.sub_put(version, &index_key(l.at(q)), value.to_vec());
        self.changed = true;
        Ok(l.len() as i64)
    }

    /// Removes occurrences of `value`: the first `count` from the head if `count > 0`,
    /// the last `-count` from the tail if negative, all if 0. Answers how many were
    /// removed. O(N): the scan stops at the last match needed; the elements between the
    /// list end it started from and that match are rewritten to close the gaps.
    pub fn remove(&mut self, txn: &mut Txn<'_>, count: i64, value: &[u8]) -> Result<u64> {
        let l = &mut self.list;
        let len = l.len();
        let from_tail = count < 0;
        let limit = if count == 0 { u64::MAX } else { count.unsigned_abs() };
        // Elements scanned, in scan order, with whether each is removed.
        let mut seen: Vec<(Bytes, bool)> = Vec::new();
        let mut removed = 0u64;
        // Index in `seen` of the last removed element.
        let mut last = 0usize;
        l.scan(txn, 0, len, from_tail, &mut |_, v| {
            let hit = v == value;
            seen.push((Bytes::copy_from_slice(v), hit));
            if hit {
                removed += 1;
                last = seen.len() - 1;
            }
            removed < limit
        })?;
        if removed == 0 {
            return Ok(0);
        }
        seen.truncate(last + 1);
        let version = l.version();
        // Walk from the farthest removed element back towards the end the scan started
        // at, sliding kept elements over the gaps, away from that end; the elements
        // beyond the farthest match do not move, and the freed slots are at the end the
        // scan started at.
        let mut shift = 0u64;
        for (i, (v, hit)) in seen.iter().enumerate().rev() {
            let i = i as u64;
            if *hit {
                shift += 1;
                continue;
            }
            if from_tail {
                // Scanned from the tail: position len-1-i slides towards the head.
                let at = l.at(len - 1 - i);
                txn.sub_put(version, &index_key(at - shift), v.to_vec());
            } else {
                txn.sub_put(version, &index_key(l.at(i) + shift), v.to_vec());
            }
        }
        let emptied = removed == len;
        if from_tail {
            if !emptied {
                delete_indexes(txn, version, l.tail - removed, l.tail);
            }
            l.tail -= removed;
        } else {
            if !emptied {
                delete_indexes(txn, version, l.head, l.head + removed);
            }
            l.head += removed;
        }
        self.changed = true;
        Ok(removed)
    }

    /// Marks the list as written although nothing in it changed (a rotation of a
    /// one-element list): the key still counts as modified.
    pub fn touch(&mut self) {
        self.changed = true;
    }

    /// Writes the list's metadata back, or deletes the key if the list is now empty.
    pub fn finish(self, txn: &mut Txn<'_>) -> Result<()> {
        if !self.changed {
            return Ok(());
        }
        let mut l = self.list;
        if l.is_empty() {
            txn.delete(self.key)?;
            return Ok(());
        }
        let mut payload = Vec::with_capacity(16);
        payload.extend_from_slice(&l.head.to_be_bytes());
        payload.extend_from_slice(&l.tail.to_be_bytes());
        l.meta.size = l.len();
        l.meta.payload = Bytes::from(payload);
        txn.put(self.key, l.meta)
    }
}

impl End {
    /// The keyspace event of a push at this end.
    pub fn push_event(self) -> &'static str {
        if self == End::Left { "lpush" } else { "rpush" }
    }

    /// The keyspace event of a pop from this end.
    pub fn pop_event(self) -> &'static str {
        if self == End::Left { "lpop" } else { "rpop" }
    }
}

/// Raises the events of a pop from `key` at `end`: `lpop` / `rpop`, then `del` when the
/// pop emptied the list (Redis's order).
pub fn notify_pop(txn: &mut Txn<'_>, key: &[u8], end: End, emptied: bool) {
    txn.notify(LIST, end.pop_event(), key);
    if emptied {
        txn.notify(GENERIC, "del", key);
    }
}

/// Pops up to `count` elements from `end` of the list at `key` (LPOP, RPOP, LMPOP,
/// BLPOP...); `None` if the key is missing.
pub fn pop(txn: &mut Txn<'_>, key: &[u8], end: End, count: u64) -> Result<Option<Vec<Bytes>>> {
    let Some(mut l) = ListMut::open(txn, key)? else { return Ok(None) };
    let out = l.pop(txn, end, count)?;
    let emptied = l.len() == 0;
    l.finish(txn)?;
    notify_pop(txn, key, end, emptied);
    Ok(Some(out))
}

/// Moves one element from an end of `src` to an end of `dst` (LMOVE). Answers the
/// element, or `None` if `src` is missing. WRONGTYPE if either key holds another type
/// (the destination is checked only when there is something to move). O(1).
pub fn lmove(txn: &mut Txn<'_>, src: &[u8], dst: &[u8], from: End, to: End) -> Result<Option<Bytes>> {
    let Some(mut l) = ListMut::open(txn, src)? else { return Ok(None) };
    if src == dst && l.len() == 1 {
        // Rotating a one-element list: it must not be deleted and re-created on the way
        // (that would drop its TTL), so nothing moves; the key still counts as written.
        let v = l.list.get(txn, 0)?;
        l.touch();
        l.finish(txn)?;
        txn.notify(LIST, to.push_event(), dst);
        txn.notify(LIST, from.pop_event(), src);
        return Ok(v);
    }
    open(txn, dst, Access::Write)?;
    let popped = l.pop(txn, from, 1)?;
    let emptied = l.len() == 0;
    l.finish(txn)?;
    let Some(v) = popped.into_iter().next() else { return Ok(None) };
    let mut d = ListMut::open_or_create(txn, dst)?;
    d.push(txn, to, std::slice::from_ref(&v));
    d.finish(txn)?;
    // Redis's order: the push, then the pop, then the source's deletion.
    txn.notify(LIST, to.push_event(), dst);
    notify_pop(txn, src, from, emptied);
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open as store_in, run};
    use crate::types::Store;

    // The operations as the commands compose them, key in.

    fn len(t: &mut Txn<'_>, key: &[u8]) -> Result<u64> {
        Ok(open(t, key, Access::Read)?.map_or(0, |l| l.len()))
    }

    fn index(t: &mut Txn<'_>, key: &[u8], i: i64) -> Result<Option<Bytes>> {
        open(t, key, Access::Read)?.map_or(Ok(None), |l| l.index(t, i))
    }

    fn range(t: &mut Txn<'_>, key: &[u8], start: i64, stop: i64) -> Result<Vec<Bytes>> {
        open(t, key, Access::Read)?.map_or(Ok(Vec::new()), |l| l.range(t, start, stop))
    }

    fn positions(t: &mut Txn<'_>, key: &[u8], value: &[u8], opts: PosOptions) -> Result<Vec<u64>> {
        open(t, key, Access::Read)?.map_or(Ok(Vec::new()), |l| l.positions(t, value, opts))
    }

    fn push(t: &mut Txn<'_>, key: &[u8], end: End, values: &[Bytes], only_existing: bool) -> Result<u64> {
        let l = if only_existing { ListMut::open(t, key)? } else { Some(ListMut::open_or_create(t, key)?) };
        let Some(mut l) = l else { return Ok(0) };
        let n = l.push(t, end, values);
        l.finish(t)?;
        Ok(n)
    }

    fn set(t: &mut Txn<'_>, key: &[u8], i: i64, value: Bytes) -> Result<()> {
        let mut l = ListMut::open(t, key)?.ok_or(Error::NoSuchKey)?;
        l.set(t, i, &value)?;
        l.finish(t)
    }

    fn trim(t: &mut Txn<'_>, key: &[u8], start: i64, stop: i64) -> Result<()> {
        let Some(mut l) = ListMut::open(t, key)? else { return Ok(()) };
        l.trim(t, start, stop);
        l.finish(t)
    }

    fn insert(t: &mut Txn<'_>, key: &[u8], before: bool, pivot: &[u8], value: Bytes) -> Result<i64> {
        let Some(mut l) = ListMut::open(t, key)? else { return Ok(0) };
        let n = l.insert(t, before, pivot, &value)?;
        l.finish(t)?;
        Ok(n)
    }

    fn remove(t: &mut Txn<'_>, key: &[u8], count: i64, value: &[u8]) -> Result<u64> {
        let Some(mut l) = ListMut::open(t, key)? else { return Ok(0) };
        let n = l.remove(t, count, value)?;
        l.finish(t)?;
        Ok(n)
    }

    fn b(items: &[&str]) -> Vec<Bytes> {
        items.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect()
    }

    fn all(store: &Store, key: &[u8]) -> Vec<Bytes> {
        run(store, |t| range(t, key, 0, -1))
    }

    fn fill(store: &Store, key: &[u8], items: &[&str]) {
        run(store, |t| {
            t.delete(key)?;
            push(t, key, End::Right, &b(items), false)
        });
    }

    #[test]
    fn push_pop_both_ends() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        assert_eq!(run(&store, |t| push(t, b"l", End::Left, &b(&["a", "b", "c"]), false)), 3);
        assert_eq!(run(&store, |t| push(t, b"l", End::Right, &b(&["0", "1"]), false)), 5);
        assert_eq!(all(&store, b"l"), b(&["c", "b", "a", "0", "1"]));
        assert_eq!(run(&store, |t| pop(t, b"l", End::Left, 2)), Some(b(&["c", "b"])));
        assert_eq!(run(&store, |t| pop(t, b"l", End::Right, 1)), Some(b(&["1"])));
        assert_eq!(run(&store, |t| index(t, b"l", -1)), Some(Bytes::from_static(b"0")));
        assert_eq!(run(&store, |t| pop(t, b"l", End::Right, 10)), Some(b(&["0", "a"])));
        // Emptied: the key is gone.
        assert_eq!(store.dbsize(0), 0);
        assert_eq!(run(&store, |t| pop(t, b"l", End::Right, 1)), None);
        assert_eq!(run(&store, |t| push(t, b"l", End::Left, &b(&["x"]), true)), 0);
    }

    #[test]
    fn ranges_and_trim() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        fill(&store, b"l", &["1", "2", "3", "4", "5"]);
        let hits = || store.stats.keyspace_hits.load(std::sync::atomic::Ordering::Relaxed);
        let misses = || store.stats.keyspace_misses.load(std::sync::atomic::Ordering::Relaxed);
        let (h0, m0) = (hits(), misses());
        assert_eq!(run(&store, |t| range(t, b"l", 1, -2)), b(&["2", "3", "4"]));
        assert!(run(&store, |t| range(t, b"nokey", 0, -1)).is_empty());
        assert_eq!((hits() - h0, misses() - m0), (1, 1));
        assert_eq!(run(&store, |t| range(t, b"l", -100, 100)).len(), 5);
        assert!(run(&store, |t| range(t, b"l", 3, 1)).is_empty());
        assert!(run(&store, |t| range(t, b"l", 0, -6)).is_empty());
        run(&store, |t| trim(t, b"l", 1, -2));
        assert_eq!(all(&store, b"l"), b(&["2", "3", "4"]));
        run(&store, |t| trim(t, b"l", 5, 10));
        assert_eq!(store.dbsize(0), 0);
        // A big trim uses a range tombstone; the survivors stay readable.
        let many: Vec<String> = (0..500).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
        fill(&store, b"big", &refs);
        run(&store, |t| trim(t, b"big", 200, 299));
        assert_eq!(run(&store, |t| len(t, b"big")), 100);
        assert_eq!(run(&store, |t| index(t, b"big", 0)), Some(Bytes::from_static(b"200")));
        assert_eq!(run(&store, |t| index(t, b"big", -1)), Some(Bytes::from_static(b"299")));
        assert_eq!(run(&store, |t| push(t, b"big", End::Left, &b(&["new"]), false)), 101);
        assert_eq!(run(&store, |t| range(t, b"big", 0, 1)), b(&["new", "200"]));
    }

    #[test]
    fn insert_shifts_the_shorter_side() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        fill(&store, b"l", &["a", "b", "c", "d", "e"]);
        assert_eq!(run(&store, |t| insert(t, b"l", true, b"b", Bytes::from_static(b"x"))), 6);
        assert_eq!(all(&store, b"l"), b(&["a", "x", "b", "c", "d", "e"]));
        assert_eq!(run(&store, |t| insert(t, b"l", false, b"d", Bytes::from_static(b"y"))), 7);
        assert_eq!(all(&store, b"l"), b(&["a", "x", "b", "c", "d", "y", "e"]));
        assert_eq!(run(&store, |t| insert(t, b"l", false, b"e", Bytes::from_static(b"z"))), 8);
        assert_eq!(run(&store, |t| insert(t, b"l", true, b"a", Bytes::from_static(b"w"))), 9);
        assert_eq!(all(&store, b"l"), b(&["w", "a", "x", "b", "c", "d", "y", "e", "z"]));
        assert_eq!(run(&store, |t| insert(t, b"l", true, b"nope", Bytes::from_static(b"w"))), -1);
        assert_eq!(run(&store, |t| insert(t, b"missing", true, b"a", Bytes::from_static(b"w"))), 0);
    }

    #[test]
    fn remove_from_either_end() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        fill(&store, b"l", &["e", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo"]);
        assert_eq!(run(&store, |t| remove(t, b"l", 0, b"bar")), 2);
        assert_eq!(all(&store, b"l"), b(&["e", "foo", "foobar", "foobared", "zap", "test", "foo"]));
        assert_eq!(run(&store, |t| remove(t, b"l", 1, b"foo")), 1);
        assert_eq!(all(&store, b"l"), b(&["e", "foobar", "foobared", "zap", "test", "foo"]));
        fill(&store, b"l", &["e", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo", "foo"]);
        assert_eq!(run(&store, |t| remove(t, b"l", -1, b"bar")), 1);
        assert_eq!(all(&store, b"l"), b(&["e", "foo", "bar", "foobar", "foobared", "zap", "test", "foo", "foo"]));
        assert_eq!(run(&store, |t| remove(t, b"l", -2, b"foo")), 2);
        assert_eq!(all(&store, b"l"), b(&["e", "foo", "bar", "foobar", "foobared", "zap", "test"]));
        assert_eq!(run(&store, |t| push(t, b"l", End::Left, &b(&["h"]), false)), 8);
        assert_eq!(run(&store, |t| push(t, b"l", End::Right, &b(&["t"]), false)), 9);
        assert_eq!(all(&store, b"l"), b(&["h", "e", "foo", "bar", "foobar", "foobared", "zap", "test", "t"]));
        fill(&store, b"l", &["x", "x"]);
        assert_eq!(run(&store, |t| remove(t, b"l", 0, b"x")), 2);
        assert_eq!(store.dbsize(0), 0);
    }

    #[test]
    fn positions_with_rank_count_maxlen() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        fill(&store, b"l", &["a", "b", "c", "1", "2", "3", "c", "c"]);
        let pos = |rank, count, maxlen| run(&store, |t| positions(t, b"l", b"c", PosOptions { rank, count, maxlen }));
        assert_eq!(pos(1, 1, 0), vec![2]);
        assert_eq!(pos(2, 1, 0), vec![6]);
        assert_eq!(pos(-1, 1, 0), vec![7]);
        assert_eq!(pos(-2, 1, 0), vec![6]);
        assert_eq!(pos(1, 0, 0), vec![2, 6, 7]);
        assert_eq!(pos(-1, 2, 0), vec![7, 6]);
        assert_eq!(pos(1, 0, 3), vec![2]);
        assert_eq!(pos(-1, 0, 3), vec![7, 6]);
        assert_eq!(pos(4, 1, 0), Vec::<u64>::new());
    }

    #[test]
    fn lmove_same_and_other_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        fill(&store, b"l", &["a", "b", "c"]);
        assert_eq!(run(&store, |t| lmove(t, b"l", b"l", End::Right, End::Left)), Some(Bytes::from_static(b"c")));
        assert_eq!(all(&store, b"l"), b(&["c", "a", "b"]));
        fill(&store, b"one", &["x"]);
        run(&store, |t| {
            let mut m = t.get(b"one")?.unwrap();
            m.expire_at = t.now + 100_000;
            t.put(b"one", m)
        });
        assert_eq!(run(&store, |t| lmove(t, b"one", b"one", End::Left, End::Right)), Some(Bytes::from_static(b"x")));
        assert_eq!(all(&store, b"one"), b(&["x"]));
        // The one-element rotation kept the key, and so its TTL.
        assert!(run(&store, |t| Ok(t.get(b"one")?.unwrap().expire_at)) > 0);
        run(&store, |t| push(t, b"one", End::Right, &b(&["y"]), false));
        assert_eq!(run(&store, |t| lmove(t, b"one", b"one", End::Left, End::Right)), Some(Bytes::from_static(b"x")));
        assert_eq!(all(&store, b"one"), b(&["y", "x"]));
        assert!(run(&store, |t| Ok(t.get(b"one")?.unwrap().expire_at)) > 0);
        assert_eq!(run(&store, |t| lmove(t, b"l", b"dst", End::Left, End::Right)), Some(Bytes::from_static(b"c")));
        assert_eq!(all(&store, b"dst"), b(&["c"]));
        assert_eq!(run(&store, |t| lmove(t, b"none", b"dst", End::Left, End::Right)), None);
        run(&store, |t| t.set_string(b"s", Bytes::from_static(b"v"), 0));
        let mut txn = Txn::new(&store, 0);
        assert_eq!(lmove(&mut txn, b"l", b"s", End::Left, End::Left), Err(Error::WrongType));
    }

    #[test]
    fn set_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let mut txn = Txn::new(&store, 0);
        assert_eq!(set(&mut txn, b"nokey", 0, Bytes::new()), Err(Error::NoSuchKey));
        drop(txn);
        fill(&store, b"l", &["a", "b"]);
        let mut txn = Txn::new(&store, 0);
        assert_eq!(set(&mut txn, b"l", 2, Bytes::new()).unwrap_err().to_string(), "ERR index out of range");
        set(&mut txn, b"l", -2, Bytes::from_static(b"z")).unwrap();
        txn.commit().unwrap();
        assert_eq!(all(&store, b"l"), b(&["z", "b"]));
    }
}
