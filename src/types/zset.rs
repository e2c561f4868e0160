//! Sorted-set operations over versioned sub-keys and the score index.
//!
//! ```text
//! meta  : kind ZSet, size = number of members
//! sub   : [version][member]                   -> encode_score(score)   (Cf::Sub)
//! score : [version][encode_score(s)][member]  -> ""                    (Cf::Score)
//! ```
//! The member record answers ZSCORE and membership with one point read; the score index
//! is in (score, member) order, which is Redis's order, so every range by score or rank
//! is a RocksDB range scan from the right end. Lex ranges (whose members share one score)
//! walk the member records, which are in member order.
//!
//! In the index, -0.0 is written as 0.0 so that members with scores 0 and -0 sort by
//! member as in Redis; the member record keeps the exact score for ZSCORE.
//!
//! [`ZsetMut`] is a sorted set opened for writing by one command: it remembers the
//! command's own changes, since writes only become visible when the command commits.


use bytes::Bytes;

use super::collection::Opened;
use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::error::Result;
use crate::storage::keys::{decode_score, encode_score, prefix_end};
use crate::storage::Cf;

/// One member and its score.
pub type Item = (Bytes, f64);

/// The live sorted set at `key`, WRONGTYPE if the key holds another type.
pub fn get(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<Meta>> {
    txn.get_kind(key, Kind::ZSet)
}

/// The score as the index stores it: -0.0 folded into 0.0.
fn index_score(score: f64) -> f64 {
    if score == 0.0 {
        0.0
    } else {
        score
    }
}

/// Index suffix of `(score, member)`.
fn index_suffix(score: f64, member: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + member.len());
    k.extend_from_slice(&encode_score(index_score(score)));
    k.extend_from_slice(member);
    k
}

fn split_index(suffix: &[u8]) -> Option<(f64, &[u8])> {
    if suffix.len() < 8 {
        return None;
    }
    Some((decode_score(&suffix[..8]), &suffix[8..]))
}

/// The score of `member`, if present. One point read.
pub fn score(txn: &Txn<'_>, meta: &Meta, member: &[u8]) -> Result<Option<f64>> {
    Ok(txn.sub_get(meta.version, member)?.filter(|v| v.len() == 8).map(|v| decode_score(&v)))
}

/// A score interval (`zrangespec`): `minex`/`maxex` mark exclusive bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub minex: bool,
    pub max: f64,
    pub maxex: bool,
}

impl ScoreRange {
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }

    pub fn contains(&self, s: f64) -> bool {
        let above = if self.minex { s > self.min } else { s >= self.min };
        let below = if self.maxex { s < self.max } else { s <= self.max };
        above && below
    }

    /// `[from, to)` suffixes in the score index.
    fn bounds(&self) -> (Vec<u8>, Vec<u8>) {
        let min = encode_score(index_score(self.min));
        let max = encode_score(index_score(self.max));
        let from = if self.minex { prefix_end(&min) } else { min.to_vec() };
        let to = if self.maxex { max.to_vec() } else { prefix_end(&max) };
        (from, to)
    }
}

/// One end of a lex range: `-`, `+`, `[member` or `(member`.
#[derive(Debug, Clone, PartialEq)]
pub enum LexBound {
    NegInf,
    PosInf,
    Incl(Bytes),
    Excl(Bytes),
}

impl LexBound {
    pub fn parse(raw: &[u8]) -> Option<LexBound> {
        match raw.first()? {
            b'-' if raw.len() == 1 => Some(LexBound::NegInf),
            b'+' if raw.len() == 1 => Some(LexBound::PosInf),
            b'[' => Some(LexBound::Incl(Bytes::copy_from_slice(&raw[1..]))),
            b'(' => Some(LexBound::Excl(Bytes::copy_from_slice(&raw[1..]))),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    /// `None` for an item that is not a valid string range item.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange { min: LexBound::parse(min)?, max: LexBound::parse(max)? })
    }

    /// `[from, to)` member suffixes, with `to` `None` for "to the end"; `None` if empty.
    fn bounds(&self) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
        let from = match &self.min {
            LexBound::NegInf => Vec::new(),
            LexBound::PosInf => return None,
            LexBound::Incl(m) => m.to_vec(),
            LexBound::Excl(m) => {
                let mut f = m.to_vec();
                f.push(0);
                f
            }
        };
        let to = match &self.max {
            LexBound::PosInf => None,
            LexBound::NegInf => return None,
            LexBound::Incl(m) => {
                let mut t = m.to_vec();
                t.push(0);
                Some(t)
            }
            LexBound::Excl(m) => Some(m.to_vec()),
        };
        match &to {
            Some(t) if t.as_slice() <= from.as_slice() => None,
            _ => Some((from, to)),
        }
    }
}

/// What [`scan_index`] calls per entry: `(index suffix, score, member)`; false stops.
type IndexVisit<'v> = &'v mut dyn FnMut(&[u8], f64, &[u8]) -> bool;

/// Visits index entries in `[from, to)` (suffixes), in score order or reversed.
fn scan_index(
    txn: &Txn<'_>,
    meta: &Meta,
    from: &[u8],
    to: &[u8],
    reverse: bool,
    visit: IndexVisit<'_>,
) -> Result<()> {
    txn.sub_scan(Cf::Score, meta.version, from, to, reverse, &mut |k, _| match split_index(k) {
        Some((s, m)) => visit(k, s, m),
        None => true,
    })
}

/// The suffix just past the last index entry.
fn index_end() -> Vec<u8> {
    vec![0xff; 9]
}

/// Members at ranks `start..=stop` (already clamped to `0..size`), in score order, or in
/// reverse order counting ranks from the highest score when `rev`. The walk starts from
/// whichever end of the index is nearer: O(min(start, size - stop) + (stop - start)).
pub fn range_by_rank(txn: &Txn<'_>, meta: &Meta, start: u64, stop: u64, rev: bool) -> Result<Vec<Item>> {
    let size = meta.size;
    if start > stop || start >= size {
        return Ok(Vec::new());
    }
    let stop = stop.min(size - 1);
    // Ranks in forward (ascending) terms.
    let (lo, hi) = if rev { (size - 1 - stop, size - 1 - start) } else { (start, stop) };
    let want = (hi - lo + 1) as usize;
    let from_end = size - 1 - hi < lo;
    let skip = if from_end { size - 1 - hi } else { lo };
    let mut out = Vec::with_capacity(want.min(4096));
    let mut seen = 0u64;
    scan_index(txn, meta, b"", &index_end(), from_end, &mut |_, s, m| {
        if seen >= skip {
            out.push((Bytes::copy_from_slice(m), s));
        }
        seen += 1;
        out.len() < want
    })?;
    // `out` is ascending when walked forwards, descending when walked from the end.
    if from_end != rev {
        out.reverse();
    }
    Ok(out)
}

/// Members with scores in `range`, ascending (or descending when `rev`), after skipping
/// `offset` (negative: nothing) and taking at most `limit` (negative: all).
/// O(log N + offset + M) RocksDB work.
pub fn range_by_score(txn: &Txn<'_>, meta: &Meta, range: &ScoreRange, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
    if range.is_empty() || offset < 0 || limit == 0 || (offset > 0 && offset as u64 >= meta.size) {
        return Ok(Vec::new());
    }
    let (from, to) = range.bounds();
    let mut out = Vec::new();
    let mut skipped = 0i64;
    scan_index(txn, meta, &from, &to, rev, &mut |_, s, m| {
        if skipped < offset {
            skipped += 1;
            return true;
        }
        out.push((Bytes::copy_from_slice(m), s));
        limit < 0 || (out.len() as i64) < limit
    })?;
    Ok(out)
}

/// Number of members with scores in `range`. O(log N + M).
pub fn count_by_score(txn: &Txn<'_>, meta: &Meta, range: &ScoreRange) -> Result<u64> {
    if range.is_empty() {
        return Ok(0);
    }
    let (from, to) = range.bounds();
    let mut n = 0u64;
    txn.sub_scan(Cf::Score, meta.version, &from, &to, false, &mut |_, _| {
        n += 1;
        true
    })?;
    Ok(n)
}

/// Members in the lex `range` (meaningful when all scores are equal), in member order
/// (reversed when `rev`), with `offset` and `limit` as for [`range_by_score`].
pub fn range_by_lex(txn: &Txn<'_>, meta: &Meta, range: &LexRange, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
    if offset < 0 || limit == 0 {
        return Ok(Vec::new());
    }
    let Some((from, to)) = range.bounds() else { return Ok(Vec::new()) };
    let to = to.unwrap_or_default();
    let mut out = Vec::new();
    let mut skipped = 0i64;
    txn.sub_scan(Cf::Sub, meta.version, &from, &to, rev, &mut |m, v| {
        if skipped < offset {
            skipped += 1;
            return true;
        }
        let s = if v.len() == 8 { decode_score(v) } else { 0.0 };
        out.push((Bytes::copy_from_slice(m), s));
        limit < 0 || (out.len() as i64) < limit
    })?;
    Ok(out)
}

/// Number of members in the lex `range`. O(log N + M).
pub fn count_by_lex(txn: &Txn<'_>, meta: &Meta, range: &LexRange) -> Result<u64> {
    let Some((from, to)) = range.bounds() else { return Ok(0) };
    let to = to.unwrap_or_default();
    let mut n = 0u64;
    txn.sub_scan(Cf::Sub, meta.version, &from, &to, false, &mut |_, _| {
        n += 1;
        true
    })?;
    Ok(n)
}

/// Every member with its score, in score order. O(N).
pub fn all(txn: &Txn<'_>, meta: &Meta) -> Result<Vec<Item>> {
    range_by_rank(txn, meta, 0, meta.size.saturating_sub(1), false)
}

/// Counts up to `chunk` score-index entries of `version` in `[from, to)` from one end;
/// answers the count and, if the chunk filled up, the last key seen (to resume from).
fn count_chunk(txn: &Txn<'_>, version: u64, from: &[u8], to: &[u8], reverse: bool, chunk: u64) -> Result<(u64, Option<Vec<u8>>)> {
    let mut n = 0u64;
    let mut last = None;
    txn.sub_scan(Cf::Score, version, from, to, reverse, &mut |k, _| {
        n += 1;
        if n == chunk {
            last = Some(k.to_vec());
            return false;
        }
        true
    })?;
    Ok((n, last))
}

/// The 0-based rank of `member` (counted from the highest score when `rev`) and its score.
///
/// Cost: the index has no rank counts, so the rank is found by counting entries. Two
/// walks run in turns with doubling chunk sizes, one from the lowest score towards the
/// member and one from the highest score towards it; the first to arrive answers (rank
/// from the low end = size - 1 - rank from the high end). That is O(min(rank, size - rank))
/// entries read: ZRANK of a member near either end of a million-member set is cheap, a
/// member in the middle reads about half the set, and nothing is loaded into memory.
pub fn rank(txn: &Txn<'_>, meta: &Meta, member: &[u8], rev: bool) -> Result<Option<(u64, f64)>> {
    let Some(sc) = score(txn, meta, member)? else { return Ok(None) };
    let target = index_suffix(sc, member);
    let mut after_target = target.clone();
    after_target.push(0);
    let end = index_end();
    let size = meta.size;
    // Forward walk: entries in [fwd_from, target) counted so far.
    let mut fwd_from: Vec<u8> = Vec::new();
    let mut below = 0u64;
    // Backward walk: entries in [after_target, bwd_to) counted so far.
    let mut bwd_to = end;
    let mut above = 0u64;
    let mut chunk = 64u64;
    let forward_rank = loop {
        let (n, last) = count_chunk(txn, meta.version, &fwd_from, &target, false, chunk)?;
        below += n;
        match last {
            None => break below,
            Some(mut k) => {
                k.push(0);
                fwd_from = k;
            }
        }
        let (n, last) = count_chunk(txn, meta.version, &after_target, &bwd_to, true, chunk)?;
        above += n;
        match last {
            None => break size.saturating_sub(1).saturating_sub(above),
            Some(k) => bwd_to = k,
        }
        chunk = chunk.saturating_mul(2);
    };
    let r = if rev { size.saturating_sub(1).saturating_sub(forward_rank) } else { forward_rank };
    Ok(Some((r, sc)))
}

/// Replaces whatever is at `key` with a new sorted set of `items` (members unique); an
/// empty result deletes the key. Any TTL is dropped. Returns the new size.
pub fn replace(txn: &mut Txn<'_>, key: &[u8], items: &[Item]) -> Result<u64> {
    if items.is_empty() {
        txn.delete(key)?;
        return Ok(0);
    }
    let version = txn.store.new_version();
    for (m, s) in items {
        write_member(txn, version, m, *s);
    }
    let mut meta = Meta::collection(Kind::ZSet, version);
    meta.size = items.len() as u64;
    txn.put(key, meta)?;
    Ok(items.len() as u64)
}

fn write_member(txn: &mut Txn<'_>, version: u64, member: &[u8], score: f64) {
    txn.sub_put(version, member, encode_score(score).to_vec());
    let key = crate::storage::keys::sub_key(version, &index_suffix(score, member));
    txn.batch_mut().put(Cf::Score, key, Vec::new());
}

fn delete_index(txn: &mut Txn<'_>, version: u64, member: &[u8], score: f64) {
    let key = crate::storage::keys::sub_key(version, &index_suffix(score, member));
    txn.batch_mut().delete(Cf::Score, key);
}

/// A sorted set opened for writing by one command; each pending member was set to a
/// score (Some) or removed (None).
pub type ZsetMut = Opened<Option<f64>>;

impl ZsetMut {
    /// The existing sorted set at `key`, if any.
    pub fn open(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<ZsetMut>> {
        Self::open_kind(txn, key, Kind::ZSet)
    }

    /// The sorted set at `key`, or a new empty one (written only if something is added).
    pub fn open_or_create(txn: &mut Txn<'_>, key: &[u8]) -> Result<ZsetMut> {
        Self::open_or_create_kind(txn, key, Kind::ZSet)
    }

    pub fn score(&self, txn: &Txn<'_>, member: &[u8]) -> Result<Option<f64>> {
        if let Some(&s) = self.pending.get(member) {
            return Ok(s);
        }
        score(txn, &self.meta, member)
    }

    /// Sets `member`'s score; `old` is its current score as [`ZsetMut::score`] answered.
    pub fn set(&mut self, txn: &mut Txn<'_>, member: &[u8], old: Option<f64>, new: f64) {
        let v = self.meta.version;
        match old {
            Some(o) if o.to_bits() == new.to_bits() => return,
            Some(o) => delete_index(txn, v, member, o),
            None => self.meta.size += 1,
        }
        write_member(txn, v, member, new);
        self.record(member, Some(new));
    }

    /// Removes `member`; whether it was there.
    pub fn remove(&mut self, txn: &mut Txn<'_>, member: &[u8]) -> Result<bool> {
        let Some(s) = self.score(txn, member)? else { return Ok(false) };
        self.remove_known(txn, member, s);
        Ok(true)
    }

    /// Removes a member the caller knows is present with score `s`.
    pub fn remove_known(&mut self, txn: &mut Txn<'_>, member: &[u8], s: f64) {
        let v = self.meta.version;
        txn.sub_delete(v, member);
        delete_index(txn, v, member, s);
        self.record(member, None);
        self.meta.size = self.meta.size.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open as store};
    use crate::types::Store;

    fn zadd(store: &Store, key: &[u8], items: &[(f64, &str)]) {
        let mut txn = Txn::new(store, 0);
        let mut z = ZsetMut::open_or_create(&mut txn, key).unwrap();
        for (s, m) in items {
            let old = z.score(&txn, m.as_bytes()).unwrap();
            z.set(&mut txn, m.as_bytes(), old, *s);
        }
        z.finish(&mut txn).unwrap();
        txn.commit().unwrap();
    }

    fn names(items: &[Item]) -> Vec<String> {
        items.iter().map(|(m, _)| String::from_utf8_lossy(m).into_owned()).collect()
    }

    fn bound(raw: &[u8]) -> (f64, bool) {
        let (raw, ex) = match raw.strip_prefix(b"(") {
            Some(r) => (r, true),
            None => (raw, false),
        };
        let v = match raw {
            b"+inf" => f64::INFINITY,
            b"-inf" => f64::NEG_INFINITY,
            _ => std::str::from_utf8(raw).unwrap().parse().unwrap(),
        };
        (v, ex)
    }

    impl ScoreRange {
        fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
            let (min, minex) = bound(min);
            let (max, maxex) = bound(max);
            Some(ScoreRange { min, minex, max, maxex })
        }
    }

    #[test]
    fn updates_in_one_command_keep_one_index_entry() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        zadd(&store, b"z", &[(1.0, "a"), (2.0, "a"), (0.5, "b")]);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"z").unwrap().unwrap();
        assert_eq!(meta.size, 2);
        let all = all(&txn, &meta).unwrap();
        assert_eq!(all, vec![(Bytes::from("b"), 0.5), (Bytes::from("a"), 2.0)]);
    }

    #[test]
    fn infinities_and_negative_zero_order_like_redis() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        zadd(&store, b"z", &[(f64::INFINITY, "inf"), (f64::NEG_INFINITY, "ninf"), (-0.0, "b"), (0.0, "a"), (-1.0, "neg")]);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"z").unwrap().unwrap();
        assert_eq!(names(&all(&txn, &meta).unwrap()), ["ninf", "neg", "a", "b", "inf"]);
        // The exact score survives in the member record.
        assert!(score(&txn, &meta, b"b").unwrap().unwrap().is_sign_negative());
        let r = ScoreRange::parse(b"(0", b"+inf").unwrap();
        assert_eq!(names(&range_by_score(&txn, &meta, &r, false, 0, -1).unwrap()), ["inf"]);
        let r = ScoreRange::parse(b"0", b"0").unwrap();
        assert_eq!(count_by_score(&txn, &meta, &r).unwrap(), 2);
        let r = ScoreRange::parse(b"-inf", b"(-0").unwrap();
        assert_eq!(names(&range_by_score(&txn, &meta, &r, true, 0, -1).unwrap()), ["neg", "ninf"]);
    }

    #[test]
    fn rank_ranges_from_either_end() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let items: Vec<(f64, String)> = (0..1000).map(|i| (i as f64, format!("m{i}"))).collect();
        let refs: Vec<(f64, &str)> = items.iter().map(|(s, m)| (*s, m.as_str())).collect();
        zadd(&store, b"z", &refs);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"z").unwrap().unwrap();
        for i in [0u64, 1, 63, 64, 65, 500, 998, 999] {
            let m = format!("m{i}");
            assert_eq!(rank(&txn, &meta, m.as_bytes(), false).unwrap(), Some((i, i as f64)));
            assert_eq!(rank(&txn, &meta, m.as_bytes(), true).unwrap(), Some((999 - i, i as f64)));
        }
        assert_eq!(rank(&txn, &meta, b"nope", false).unwrap(), None);
        assert_eq!(names(&range_by_rank(&txn, &meta, 0, 2, false).unwrap()), ["m0", "m1", "m2"]);
        assert_eq!(names(&range_by_rank(&txn, &meta, 997, 999, false).unwrap()), ["m997", "m998", "m999"]);
        assert_eq!(names(&range_by_rank(&txn, &meta, 0, 2, true).unwrap()), ["m999", "m998", "m997"]);
        assert_eq!(names(&range_by_rank(&txn, &meta, 997, 5000, true).unwrap()), ["m2", "m1", "m0"]);
        assert!(range_by_rank(&txn, &meta, 1000, 1001, false).unwrap().is_empty());
    }

    #[test]
    fn lex_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        zadd(&store, b"z", &[(0.0, "alpha"), (0.0, "bar"), (0.0, "cool"), (0.0, "down"), (0.0, "elephant")]);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"z").unwrap().unwrap();
        let q = |min: &str, max: &str, rev: bool| {
            let r = LexRange::parse(min.as_bytes(), max.as_bytes()).unwrap();
            names(&range_by_lex(&txn, &meta, &r, rev, 0, -1).unwrap())
        };
        assert_eq!(q("-", "+", false).len(), 5);
        assert_eq!(q("[bar", "(down", false), ["bar", "cool"]);
        assert_eq!(q("(bar", "[down", true), ["down", "cool"]);
        assert!(q("+", "-", false).is_empty());
        assert!(q("[z", "[a", false).is_empty());
        assert!(q("-", "(", false).is_empty());
        assert!(LexRange::parse(b"a", b"+").is_none());
        assert!(LexRange::parse(b"-x", b"+").is_none());
    }
}
