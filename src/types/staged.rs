//! [`Staged`]: the writes of the commands already run in one MULTI/EXEC transaction or
//! one script, kept in memory and committed to storage as ONE batch when the transaction
//! or the script ends, so a crash never leaves a prefix of them on disk.
//!
//! Each command still runs with its own [`Txn`](super::Txn) and its own batch; when it
//! succeeds, its batch is folded in here ([`Staged::absorb`]) instead of being written.
//! The commands after it read through this overlay: every read primitive of the `Txn`
//! (metadata, a record, a range of records, a range of metadata) looks here first, and
//! the range reads merge these entries with the stored records, in order
//! ([`Merge`]). A command's own batch is not part of its reads, as before: it sees its
//! own writes through its `Txn`'s metadata memo, and the type code is written for that.
//!
//! # Layout
//! One ordered map per column family from the full key to its latest state (`Some`:
//! the value put, `None`: deleted), plus the range deletions (`DeleteRange`) in the
//! order they came. A range deletion removes the map's entries it covers (they were
//! written before it) and is kept to hide the stored records it covers; a later put
//! into the range lands in the map and wins over it. The committed batch is the range
//! deletions first, then every map entry: the same end state as the commands' batches
//! one after another, in one atomic write.
//!
//! # Memory
//! Each key written is held once, with its last value: as much memory as the values the
//! transaction leaves behind (a key rewritten a thousand times costs one value), and no
//! cap, as Redis has none for a transaction or a script. The RocksDB write batch built
//! at the commit is a second copy, for the time of the write. A group that passes
//! [`WARN_BYTES`] logs a warning once, so a runaway script is not silent.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;

use crate::storage::{Batch, Cf, Op};

/// Staged bytes past which the group logs a warning (once).
pub const WARN_BYTES: usize = 256 << 20;

/// What the overlay knows of one key.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<'a> {
    /// Written with this value.
    Put(&'a [u8]),
    /// Deleted (a point or a range deletion).
    Deleted,
    /// Not written: read storage.
    Unknown,
}

#[derive(Default)]
pub struct Staged {
    maps: [BTreeMap<Vec<u8>, Option<Vec<u8>>>; Cf::ALL.len()],
    ranges: Vec<(Cf, Vec<u8>, Vec<u8>)>,
    adds: Vec<(Vec<u8>, i64)>,
    /// Bytes of keys and values held, roughly (for the warning).
    bytes: usize,
    warned: bool,
    /// Counter deltas `(db, keys, expires, deadline seconds)` already applied to the
    /// store's counters when the commands ran; taken back if the commit fails.
    pub(super) deltas: Vec<(u8, i64, i64, i64)>,
}

impl Staged {
    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty() && self.adds.is_empty() && self.maps.iter().all(BTreeMap::is_empty)
    }

    /// Bytes held (keys and values), roughly.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether the group just passed [`WARN_BYTES`] (true once).
    pub fn crossed_warning(&mut self) -> bool {
        if !self.warned && self.bytes >= WARN_BYTES {
            self.warned = true;
            return true;
        }
        false
    }

    /// Folds one command's batch in, in order.
    pub fn absorb(&mut self, batch: Batch) {
        for op in batch.ops {
            match op {
                Op::Put(cf, k, v) => self.set(cf, k, Some(v)),
                Op::Delete(cf, k) => self.set(cf, k, None),
                Op::DeleteRange(cf, from, to) => {
                    let map = &mut self.maps[cf as usize];
                    let doomed: Vec<Vec<u8>> = match bounds(&from, &to) {
                        Some(b) if !to.is_empty() => map.range::<[u8], _>(b).map(|(k, _)| k.clone()).collect(),
                        _ => Vec::new(),
                    };
                    for k in doomed {
                        if let Some(old) = map.remove(&k) {
                            self.bytes = self.bytes.saturating_sub(k.len() + old.map_or(0, |v| v.len()));
                        }
                    }
                    self.bytes += from.len() + to.len();
                    self.ranges.push((cf, from, to));
                }
                Op::Add(k, d) => self.adds.push((k, d)),
            }
        }
    }

    fn set(&mut self, cf: Cf, key: Vec<u8>, value: Option<Vec<u8>>) {
        let added = key.len() + value.as_ref().map_or(0, Vec::len);
        let klen = key.len();
        if let Some(old) = self.maps[cf as usize].insert(key, value) {
            self.bytes = self.bytes.saturating_sub(klen + old.map_or(0, |v| v.len()));
        }
        self.bytes += added;
    }

    /// The overlay's state of `key` in `cf`.
    pub fn get(&self, cf: Cf, key: &[u8]) -> Found<'_> {
        if let Some(v) = self.maps[cf as usize].get(key) {
            return match v {
                Some(v) => Found::Put(v),
                None => Found::Deleted,
            };
        }
        if self.ranges.iter().any(|(c, from, to)| *c == cf && &from[..] <= key && key < &to[..]) {
            return Found::Deleted;
        }
        Found::Unknown
    }

    /// Whether the overlay holds anything in `[lo, hi)` of `cf` (`hi` empty: to the
    /// end): when not, a range read goes to storage alone.
    pub fn touches(&self, cf: Cf, lo: &[u8], hi: &[u8]) -> bool {
        let Some(b) = bounds(lo, hi) else { return false };
        self.maps[cf as usize].range::<[u8], _>(b).next().is_some()
            || self.ranges.iter().any(|(c, from, to)| *c == cf && (hi.is_empty() || &from[..] < hi) && lo < &to[..])
    }

    /// The batch that applies everything staged: range deletions, then every entry.
    pub fn into_batch(self) -> Batch {
        let mut batch = Batch::default();
        let total = self.ranges.len() + self.adds.len() + self.maps.iter().map(BTreeMap::len).sum::<usize>();
        batch.ops.reserve(total);
        for (cf, from, to) in self.ranges {
            batch.delete_range(cf, from, to);
        }
        for (i, map) in self.maps.into_iter().enumerate() {
            let cf = Cf::ALL[i];
            for (k, v) in map {
                match v {
                    Some(v) => batch.put(cf, k, v),
                    None => batch.delete(cf, k),
                }
            }
        }
        for (k, d) in self.adds {
            batch.add(k, d);
        }
        batch
    }
}

/// The bounds of `[lo, hi)` (`hi` empty: to the end) for a map range; `None` when the
/// range is empty (a map range with its start past its end would panic).
fn bounds<'k>(lo: &'k [u8], hi: &'k [u8]) -> Option<(Bound<&'k [u8]>, Bound<&'k [u8]>)> {
    if hi.is_empty() {
        return Some((Bound::Included(lo), Bound::Unbounded));
    }
    (lo < hi).then_some((Bound::Included(lo), Bound::Excluded(hi)))
}

/// `prefix ++ suffix` compared with `other`, without joining them.
fn cmp_joined(prefix: &[u8], suffix: &[u8], other: &[u8]) -> Ordering {
    let n = prefix.len().min(other.len());
    match prefix[..n].cmp(&other[..n]) {
        Ordering::Equal if other.len() < prefix.len() => Ordering::Greater,
        Ordering::Equal => suffix.cmp(&other[prefix.len()..]),
        o => o,
    }
}

/// Merges a range read of storage (or of the record cache) with the overlay: feed it
/// every stored record in scan order ([`Merge::stored`]), then call [`Merge::finish`].
/// The visitor sees the overlay's entries in their place, its deletions hide stored
/// records, and its values replace theirs. Stored keys are `prefix ++ suffix` and are
/// handed to the visitor as the suffix (a record scan strips the version; a metadata
/// scan passes an empty prefix).
pub struct Merge<'s> {
    prefix: &'s [u8],
    /// Overlay entries in the range, in scan order (full keys).
    pending: Vec<(&'s [u8], Option<&'s [u8]>)>,
    next: usize,
    /// Range deletions that meet the range (full keys).
    dead: Vec<(&'s [u8], &'s [u8])>,
    reverse: bool,
    stopped: bool,
}

impl<'s> Merge<'s> {
    /// A merge of the overlay's `[lo, hi)` of `cf` (`hi` empty: to the end), keys under
    /// `prefix`, walked backwards if `reverse`.
    pub fn new(staged: &'s Staged, cf: Cf, prefix: &'s [u8], lo: &[u8], hi: &[u8], reverse: bool) -> Merge<'s> {
        let pending: Vec<_> = match bounds(lo, hi) {
            Some(b) => {
                let entries = staged.maps[cf as usize].range::<[u8], _>(b).map(|(k, v)| (&k[..], v.as_deref()));
                if reverse {
                    entries.rev().collect()
                } else {
                    entries.collect()
                }
            }
            None => Vec::new(),
        };
        let dead = staged
            .ranges
            .iter()
            .filter(|(c, from, to)| *c == cf && (hi.is_empty() || &from[..] < hi) && lo < &to[..])
            .map(|(_, from, to)| (&from[..], &to[..]))
            .collect();
        Merge { prefix, pending, next: 0, dead, reverse, stopped: false }
    }

    fn emit(&mut self, key: &[u8], value: &[u8], visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> bool {
        if !visit(key, value) {
            self.stopped = true;
        }
        !self.stopped
    }

    /// One stored record (`suffix` after the prefix); answers whether the stored walk
    /// goes on.
    pub fn stored(&mut self, suffix: &[u8], value: &[u8], visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> bool {
        if self.stopped {
            return false;
        }
        let plen = self.prefix.len();
        while let Some(&(key, staged)) = self.pending.get(self.next) {
            let here = cmp_joined(self.prefix, suffix, key);
            let before = if self.reverse { here == Ordering::Less } else { here == Ordering::Greater };
            if here == Ordering::Equal {
                // The overlay's state replaces the stored record.
                self.next += 1;
                return match staged {
                    Some(v) => self.emit(&key[plen..], v, visit),
                    None => true,
                };
            }
            if !before {
                break;
            }
            self.next += 1;
            if let Some(v) = staged {
                if !self.emit(&key[plen..], v, visit) {
                    return false;
                }
            }
        }
        let prefix = self.prefix;
        let deleted =
            self.dead.iter().any(|(from, to)| cmp_joined(prefix, suffix, from) != Ordering::Less && cmp_joined(prefix, suffix, to) == Ordering::Less);
        if deleted {
            return true;
        }
        self.emit(suffix, value, visit)
    }

    /// After the stored walk: the overlay's entries past the last stored record, unless
    /// the visitor stopped.
    pub fn finish(&mut self, visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) {
        let plen = self.prefix.len();
        while !self.stopped {
            let Some(&(key, staged)) = self.pending.get(self.next) else { break };
            self.next += 1;
            if let Some(v) = staged {
                self.emit(&key[plen..], v, visit);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(ops: Vec<Op>) -> Staged {
        let mut s = Staged::default();
        s.absorb(Batch { ops });
        s
    }

    fn put(k: &str, v: &str) -> Op {
        Op::Put(Cf::Sub, k.as_bytes().to_vec(), v.as_bytes().to_vec())
    }

    /// Merges `stored` (full keys) with the overlay over `[lo, hi)` under `prefix`.
    fn merged(s: &Staged, prefix: &str, stored: &[(&str, &str)], lo: &str, hi: &str, reverse: bool, limit: usize) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut visit = |k: &[u8], v: &[u8]| {
            out.push((String::from_utf8(k.to_vec()).unwrap(), String::from_utf8(v.to_vec()).unwrap()));
            out.len() < limit
        };
        let mut m = Merge::new(s, Cf::Sub, prefix.as_bytes(), lo.as_bytes(), hi.as_bytes(), reverse);
        let mut rows: Vec<_> = stored.to_vec();
        if reverse {
            rows.reverse();
        }
        for (k, v) in rows {
            if !m.stored(&k.as_bytes()[prefix.len()..], v.as_bytes(), &mut visit) {
                break;
            }
        }
        m.finish(&mut visit);
        out
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn merge_interleaves_replaces_and_hides_in_both_directions() {
        let s = staged(vec![put("pb", "B2"), put("pd", "D"), Op::Delete(Cf::Sub, b"pc".to_vec()), put("pz", "Z")]);
        let stored = [("pa", "A"), ("pb", "B"), ("pc", "C"), ("pe", "E")];
        let fwd = merged(&s, "p", &stored, "p", "q", false, 100);
        assert_eq!(fwd, pairs(&[("a", "A"), ("b", "B2"), ("d", "D"), ("e", "E"), ("z", "Z")]));
        let back = merged(&s, "p", &stored, "p", "q", true, 100);
        let mut rev = fwd.clone();
        rev.reverse();
        assert_eq!(back, rev);
        // A visitor that stops is not called again.
        assert_eq!(merged(&s, "p", &stored, "p", "q", false, 3).len(), 3);
        assert_eq!(merged(&s, "p", &stored, "p", "q", true, 2), pairs(&[("z", "Z"), ("e", "E")]));
    }

    #[test]
    fn a_range_deletion_hides_stored_records_and_earlier_entries_but_not_later_puts() {
        let mut s = staged(vec![put("p1", "x"), put("p5", "y")]);
        s.absorb(Batch { ops: vec![Op::DeleteRange(Cf::Sub, b"p0".to_vec(), b"p6".to_vec()), put("p3", "new")] });
        assert_eq!(s.get(Cf::Sub, b"p1"), Found::Deleted);
        assert_eq!(s.get(Cf::Sub, b"p3"), Found::Put(b"new"));
        assert_eq!(s.get(Cf::Sub, b"p7"), Found::Unknown);
        let stored = [("p2", "old"), ("p4", "old"), ("p8", "kept")];
        assert_eq!(merged(&s, "p", &stored, "p", "q", false, 100), pairs(&[("3", "new"), ("8", "kept")]));
        assert!(s.touches(Cf::Sub, b"p2", b"p3"));
        assert!(!s.touches(Cf::Sub, b"p7", b"p8"));
        assert!(!s.touches(Cf::Meta, b"", b""));
        // The batch: the range deletion first, then the surviving entries.
        let ops = s.into_batch().ops;
        assert!(matches!(&ops[0], Op::DeleteRange(Cf::Sub, a, b) if a == b"p0" && b == b"p6"));
        assert_eq!(ops.len(), 2);
        assert!(matches!(&ops[1], Op::Put(Cf::Sub, k, v) if k == b"p3" && v == b"new"));
    }

    #[test]
    fn joined_comparison_matches_concatenation() {
        let cases: [(&[u8], &[u8], &[u8]); 6] =
            [(b"ab", b"c", b"abc"), (b"ab", b"", b"a"), (b"ab", b"z", b"ac"), (b"ab", b"", b"ab\0"), (b"", b"x", b"y"), (b"ab", b"cd", b"abc")];
        for (p, s, o) in cases {
            let joined = [p, s].concat();
            assert_eq!(cmp_joined(p, s, o), joined[..].cmp(o), "{p:?} {s:?} {o:?}");
        }
    }
}
