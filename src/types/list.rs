//! Lists over versioned sub-keys.
//!
//! ```text
//! meta payload : [head u64 BE][tail u64 BE]        elements live at indexes [head, tail)
//! sub-key      : [version u64 BE][index u64 BE]    -> element
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
//! operation here reads what it needs before it writes.

use bytes::Bytes;

use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::error::{Error, Result};
use crate::storage::{keys, Cf};

/// Index of the first element of a new list.
const ORIGIN: u64 = 1 << 63;

/// Deleting more elements than this at once uses one range tombstone.
const RANGE_DELETE_MIN: u64 = 64;

/// A list's metadata, decoded.
#[derive(Debug, Clone)]
pub struct ListState {
    pub meta: Meta,
    /// Index of the first element.
    pub head: u64,
    /// One past the index of the last element.
    pub tail: u64,
}

impl ListState {
    fn new(version: u64) -> ListState {
        ListState { meta: Meta::collection(Kind::List, version), head: ORIGIN, tail: ORIGIN }
    }

    fn decode(meta: Meta) -> ListState {
        let word = |at: usize| meta.payload.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
        // A payload this module did not write reads as an empty list rather than panic.
        let (head, tail) = match (word(0), word(8)) {
            (Some(h), Some(t)) => (h, t.max(h)),
            _ => (ORIGIN, ORIGIN),
        };
        ListState { meta, head, tail }
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

/// Loads the list at `key`: `None` if missing, WRONGTYPE if another type.
pub fn load(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<ListState>> {
    Ok(txn.get_kind(key, Kind::List)?.map(ListState::decode))
}

/// [`load`] for a read-only command: also counts a keyspace hit or miss (INFO).
fn load_read(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<ListState>> {
    let found = load(txn, key)?;
    count_lookup(txn, found.is_some());
    Ok(found)
}

/// Counts a read lookup in INFO's `keyspace_hits` / `keyspace_misses`.
pub(crate) fn count_lookup(txn: &Txn<'_>, hit: bool) {
    let stats = &txn.store.stats;
    let counter = if hit { &stats.keyspace_hits } else { &stats.keyspace_misses };
    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Writes the list's metadata back, or deletes the key if the list is now empty.
fn save(txn: &mut Txn<'_>, key: &[u8], mut state: ListState) -> Result<()> {
    if state.is_empty() {
        txn.delete(key)?;
        return Ok(());
    }
    let mut payload = Vec::with_capacity(16);
    payload.extend_from_slice(&state.head.to_be_bytes());
    payload.extend_from_slice(&state.tail.to_be_bytes());
    state.meta.size = state.len();
    state.meta.payload = Bytes::from(payload);
    txn.put(key, state.meta)
}

/// Length of the list at `key` (0 if missing).
pub fn len(txn: &mut Txn<'_>, key: &[u8]) -> Result<u64> {
    Ok(load_read(txn, key)?.map(|s| s.len()).unwrap_or(0))
}

/// Pushes `values` one by one at `end` (so LPUSH a b c gives c b a). When the key is
/// missing, creates it unless `only_existing` (LPUSHX/RPUSHX), in which case nothing
/// happens and the answer is 0. Answers the new length.
pub fn push(txn: &mut Txn<'_>, key: &[u8], end: End, values: &[Bytes], only_existing: bool) -> Result<u64> {
    let mut state = match load(txn, key)? {
        Some(s) => s,
        None if only_existing => return Ok(0),
        None => ListState::new(txn.store.new_version()),
    };
    let version = state.version();
    for v in values {
        let index = match end {
            End::Left => {
                state.head -= 1;
                state.head
            }
            End::Right => {
                state.tail += 1;
                state.tail - 1
            }
        };
        txn.sub_put(version, &index_key(index), v.to_vec());
    }
    let n = state.len();
    save(txn, key, state)?;
    Ok(n)
}

/// Creates the list `key` from `values`, head first (SORT ... STORE). The caller has
/// deleted any previous value of `key`.
pub fn create(txn: &mut Txn<'_>, key: &[u8], values: Vec<Bytes>) -> Result<()> {
    push(txn, key, End::Right, &values, false)?;
    Ok(())
}

/// Visits positions `[from, to)` of the list in order (or reverse order), until `visit`
/// answers false.
fn scan(
    txn: &Txn<'_>,
    state: &ListState,
    from: u64,
    to: u64,
    reverse: bool,
    visit: &mut dyn FnMut(u64, &[u8]) -> bool,
) -> Result<()> {
    if from >= to {
        return Ok(());
    }
    let head = state.head;
    txn.sub_scan(Cf::Sub, state.version(), &index_key(state.at(from)), &index_key(state.at(to)), reverse, &mut |k, v| {
        let index = k.try_into().map(u64::from_be_bytes).unwrap_or(head);
        visit(index - head, v)
    })
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

/// Pops up to `count` elements from `end`; `None` if the key is missing.
/// O(count): one range scan plus a delete per element (none when the list empties).
pub fn pop(txn: &mut Txn<'_>, key: &[u8], end: End, count: u64) -> Result<Option<Vec<Bytes>>> {
    let Some(mut state) = load(txn, key)? else { return Ok(None) };
    let n = count.min(state.len());
    let mut out = Vec::with_capacity(n as usize);
    let (from, to) = match end {
        End::Left => (0, n),
        End::Right => (state.len() - n, state.len()),
    };
    if n == 1 {
        // The common case: a point read is cheaper than setting up an iterator.
        let pos = if end == End::Left { from } else { to - 1 };
        if let Some(v) = txn.sub_get(state.version(), &index_key(state.at(pos)))? {
            out.push(Bytes::from(v));
        }
    } else {
        scan(txn, &state, from, to, end == End::Right, &mut |_, v| {
            out.push(Bytes::copy_from_slice(v));
            true
        })?;
    }
    let version = state.version();
    let emptied = n == state.len();
    match end {
        End::Left => {
            if !emptied {
                delete_indexes(txn, version, state.head, state.head + n);
            }
            state.head += n;
        }
        End::Right => {
            if !emptied {
                delete_indexes(txn, version, state.tail - n, state.tail);
            }
            state.tail -= n;
        }
    }
    save(txn, key, state)?;
    Ok(Some(out))
}

/// The element at Redis index `index`, if any. O(1).
pub fn index(txn: &mut Txn<'_>, key: &[u8], index: i64) -> Result<Option<Bytes>> {
    let Some(state) = load_read(txn, key)? else { return Ok(None) };
    let Some(pos) = state.position(index) else { return Ok(None) };
    Ok(txn.sub_get(state.version(), &index_key(state.at(pos)))?.map(Bytes::from))
}

/// The elements between Redis indexes `start` and `stop`, inclusive. O(range).
pub fn range(txn: &mut Txn<'_>, key: &[u8], start: i64, stop: i64) -> Result<Vec<Bytes>> {
    let Some(state) = load_read(txn, key)? else { return Ok(Vec::new()) };
    let (from, to) = state.span(start, stop);
    let mut out = Vec::with_capacity((to - from).min(1024) as usize);
    scan(txn, &state, from, to, false, &mut |_, v| {
        out.push(Bytes::copy_from_slice(v));
        true
    })?;
    Ok(out)
}

/// Replaces the element at `index`. Errors: `ERR no such key`, `ERR index out of range`.
pub fn set(txn: &mut Txn<'_>, key: &[u8], index: i64, value: Bytes) -> Result<()> {
    let state = load(txn, key)?.ok_or(Error::NoSuchKey)?;
    let pos = state.position(index).ok_or_else(|| Error::err("index out of range"))?;
    txn.sub_put(state.version(), &index_key(state.at(pos)), value.to_vec());
    // Rewrite the metadata so the key counts as modified (WATCH, keyspace).
    save(txn, key, state)
}

/// Keeps only the elements between `start` and `stop` (inclusive Redis indexes).
pub fn trim(txn: &mut Txn<'_>, key: &[u8], start: i64, stop: i64) -> Result<()> {
    let Some(mut state) = load(txn, key)? else { return Ok(()) };
    let (from, to) = state.span(start, stop);
    if from == to {
        return save(txn, key, ListState { tail: state.head, ..state });
    }
    let version = state.version();
    let (new_head, new_tail) = (state.at(from), state.at(to));
    delete_indexes(txn, version, state.head, new_head);
    delete_indexes(txn, version, new_tail, state.tail);
    state.head = new_head;
    state.tail = new_tail;
    save(txn, key, state)
}

/// Inserts `value` next to the first occurrence of `pivot`. Answers the new length, -1
/// if the pivot is not found, 0 if the key is missing.
/// O(p) to find the pivot at position p, then O(min(p, N-p)) elements are shifted.
pub fn insert(txn: &mut Txn<'_>, key: &[u8], before: bool, pivot: &[u8], value: Bytes) -> Result<i64> {
    let Some(mut state) = load(txn, key)? else { return Ok(0) };
    let len = state.len();
    // Elements before the pivot, kept in case the left side is the one to shift.
    let mut prefix: Vec<Bytes> = Vec::new();
    let mut found = None;
    scan(txn, &state, 0, len, false, &mut |pos, v| {
        if v == pivot {
            found = Some(pos);
            prefix.push(Bytes::copy_from_slice(v));
            return false;
        }
        prefix.push(Bytes::copy_from_slice(v));
        true
    })?;
    let Some(p) = found else { return Ok(-1) };
    // The new element takes position q; elements at q.. move right or ..q move left.
    let q = if before { p } else { p + 1 };
    let version = state.version();
    if q < len - q {
        for (i, v) in prefix.iter().take(q as usize).enumerate() {
            txn.sub_put(version, &index_key(state.head - 1 + i as u64), v.to_vec());
        }
        state.head -= 1;
    } else {
        let mut suffix: Vec<Bytes> = Vec::new();
        scan(txn, &state, q, len, false, &mut |_, v| {
            suffix.push(Bytes::copy_from_slice(v));
            true
        })?;
        for (i, v) in suffix.iter().enumerate() {
            txn.sub_put(version, &index_key(state.at(q) + 1 + i as u64), v.to_vec());
        }
        state.tail += 1;
    }
    txn.sub_put(version, &index_key(state.at(q)), value.to_vec());
    let n = state.len() as i64;
    save(txn, key, state)?;
    Ok(n)
}

/// Removes occurrences of `value`: the first `count` from the head if `count > 0`, the
/// last `-count` from the tail if negative, all if 0. Answers how many were removed.
/// O(N): the scan stops at the last match needed; the elements between the list end it
/// started from and that match are rewritten to close the gaps.
pub fn remove(txn: &mut Txn<'_>, key: &[u8], count: i64, value: &[u8]) -> Result<u64> {
    let Some(mut state) = load(txn, key)? else { return Ok(0) };
    let len = state.len();
    let from_tail = count < 0;
    let limit = if count == 0 { u64::MAX } else { count.unsigned_abs() };
    // Elements scanned, in scan order, with whether each is removed.
    let mut seen: Vec<(Bytes, bool)> = Vec::new();
    let mut removed = 0u64;
    // Index in `seen` of the last removed element.
    let mut last = 0usize;
    scan(txn, &state, 0, len, from_tail, &mut |_, v| {
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
    let version = state.version();
    // Walk from the farthest removed element back towards the end the scan started at,
    // sliding kept elements over the gaps, away from that end; the elements beyond the
    // farthest match do not move, and the freed slots are at the end the scan started at.
    let mut shift = 0u64;
    for (i, (v, hit)) in seen.iter().enumerate().rev() {
        let i = i as u64;
        if *hit {
            shift += 1;
            continue;
        }
        if from_tail {
            // Scanned from the tail: position len-1-i slides towards the head.
            let at = state.at(len - 1 - i);
            txn.sub_put(version, &index_key(at - shift), v.to_vec());
        } else {
            txn.sub_put(version, &index_key(state.at(i) + shift), v.to_vec());
        }
    }
    let emptied = removed == len;
    if from_tail {
        if !emptied {
            delete_indexes(txn, version, state.tail - removed, state.tail);
        }
        state.tail -= removed;
    } else {
        if !emptied {
            delete_indexes(txn, version, state.head, state.head + removed);
        }
        state.head += removed;
    }
    save(txn, key, state)?;
    Ok(removed)
}

/// LPOS options.
#[derive(Debug, Clone, Copy)]
pub struct PosOptions {
    /// Nonzero; negative searches from the tail.
    pub rank: i64,
    /// Matches to return; 0 for all.
    pub count: u64,
    /// Elements to compare at most; 0 for all.
    pub maxlen: u64,
}

/// Positions (from the head) of matches of `value`, as LPOS finds them. O(N) at worst,
/// bounded by MAXLEN, stopping once COUNT matches are found.
pub fn positions(txn: &mut Txn<'_>, key: &[u8], value: &[u8], opts: PosOptions) -> Result<Vec<u64>> {
    let Some(state) = load_read(txn, key)? else { return Ok(Vec::new()) };
    let reverse = opts.rank < 0;
    let mut skip = opts.rank.unsigned_abs().saturating_sub(1);
    let mut out = Vec::new();
    let mut compared = 0u64;
    scan(txn, &state, 0, state.len(), reverse, &mut |pos, v| {
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

/// Moves one element from an end of `src` to an end of `dst` (LMOVE). Answers the
/// element, or `None` if `src` is missing. WRONGTYPE if either key holds another type
/// (the destination is checked only when there is something to move). O(1).
pub fn lmove(txn: &mut Txn<'_>, src: &[u8], dst: &[u8], from: End, to: End) -> Result<Option<Bytes>> {
    let Some(state) = load(txn, src)? else { return Ok(None) };
    if src == dst && state.len() == 1 {
        // Rotating a one-element list: it must not be deleted and re-created on the way
        // (that would drop its TTL), so nothing moves; the key still counts as written.
        let v = txn.sub_get(state.version(), &index_key(state.head))?.map(Bytes::from);
        save(txn, src, state)?;
        return Ok(v);
    }
    load(txn, dst)?;
    let Some(mut popped) = pop(txn, src, from, 1)? else { return Ok(None) };
    let Some(v) = popped.pop() else { return Ok(None) };
    push(txn, dst, to, std::slice::from_ref(&v), false)?;
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open, run};
    use crate::types::Store;

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
        let store = open(dir.path());
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
        let store = open(dir.path());
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
        let store = open(dir.path());
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
        let store = open(dir.path());
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
        let store = open(dir.path());
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
        let store = open(dir.path());
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
        let store = open(dir.path());
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
