//! Sorted sets: a member record per member plus a score index.
//!
//! ```text
//! Cf::Meta   [db][key]                                -> kind ZSet, version,
//!                                                        size = number of members
//!                                                        (no payload)
//! Cf::Sub    [version u64 BE][member]                 -> encode_score(score)
//! Cf::Score  [version u64 BE][encode_score(s)][member] -> ""
//! ```
//! The member record answers ZSCORE and membership with one point read; the score index
//! is in (score, member) order, which is Redis's order, so every range by score or rank
//! is a RocksDB range scan from the right end. Lex ranges (whose members share one score)
//! walk the member records, which are in member order.
//!
//! In the index, -0.0 is written as 0.0 so that members with scores 0 and -0 sort by
//! member as in Redis; the member record keeps the exact score for ZSCORE.
//!
//! Besides reads ([`Zset`]) and the handle a command writes through ([`ZsetMut`]), this
//! file holds what several commands share: pops ([`pop`]), range removal
//! ([`remove_range`]) and the union / intersection / difference core ([`combine`]).

use std::collections::HashMap;

use bytes::Bytes;

use super::collection::{self, Collection, Opened};
use super::meta::{Kind, Meta};
use super::sample;
use super::set::{Set, SetOp};
use super::txn::{Access, Txn};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, ZSET};
use crate::storage::keys::{decode_score, encode_score, prefix_end};
use crate::storage::Cf;

/// One member and its score.
pub type Item = (Bytes, f64);

/// A sorted set as a command reads it.
#[derive(Debug)]
pub struct Zset {
    meta: Meta,
}

impl Collection for Zset {
    const KIND: Kind = Kind::ZSet;
    /// The score a member was set to, or `None`: removed.
    type Change = Option<f64>;

    fn from_meta(meta: Meta) -> Zset {
        Zset { meta }
    }

    fn meta(&self) -> &Meta {
        &self.meta
    }
}

/// The sorted set at `key`: `None` if missing, WRONGTYPE if another type. `access`
/// decides whether INFO counts the lookup.
pub fn open(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<Zset>> {
    collection::open(txn, key, access)
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

impl Zset {
    /// The score of `member`, if present. One point read.
    pub fn score(&self, txn: &Txn<'_>, member: &[u8]) -> Result<Option<f64>> {
        let meta = &self.meta;
        Ok(txn.sub_get(meta.version, member)?.filter(|v| v.len() == 8).map(|v| decode_score(&v)))
    }

    /// Members at ranks `start..=stop` (already clamped to `0..size`), in score order, or in
    /// reverse order counting ranks from the highest score when `rev`. The walk starts from
    /// whichever end of the index is nearer: O(min(start, size - stop) + (stop - start)).
    pub fn range_by_rank(&self, txn: &Txn<'_>, start: u64, stop: u64, rev: bool) -> Result<Vec<Item>> {
        let meta = &self.meta;
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
    pub fn range_by_score(&self, txn: &Txn<'_>, range: &ScoreRange, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
        let meta = &self.meta;
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

    /// Calls `f(member, score)` for the members with scores in `range`, in score order,
    /// until it answers false (GEO searches scan their cells with it). O(log N + M).
    pub fn scan_score_range(&self, txn: &Txn<'_>, range: &ScoreRange, f: &mut dyn FnMut(&[u8], f64) -> bool) -> Result<()> {
        if range.is_empty() {
            return Ok(());
        }
        let (from, to) = range.bounds();
        scan_index(txn, &self.meta, &from, &to, false, &mut |_, s, m| f(m, s))
    }

    /// Number of members with scores in `range`. O(log N + M).
    pub fn count_by_score(&self, txn: &Txn<'_>, range: &ScoreRange) -> Result<u64> {
        let meta = &self.meta;
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
    pub fn range_by_lex(&self, txn: &Txn<'_>, range: &LexRange, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
        let meta = &self.meta;
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
            let s = record_score(v);
            out.push((Bytes::copy_from_slice(m), s));
            limit < 0 || (out.len() as i64) < limit
        })?;
        Ok(out)
    }

    /// Number of members in the lex `range`. O(log N + M).
    pub fn count_by_lex(&self, txn: &Txn<'_>, range: &LexRange) -> Result<u64> {
        let meta = &self.meta;
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
    pub fn all(&self, txn: &Txn<'_>) -> Result<Vec<Item>> {
        let meta = &self.meta;
        self.range_by_rank(txn, 0, meta.size.saturating_sub(1), false)
    }

    /// The 0-based rank of `member` (counted from the highest score when `rev`) and its score.
    ///
    /// Cost: the index has no rank counts, so the rank is found by counting entries. Two
    /// walks run in turns with doubling chunk sizes, one from the lowest score towards the
    /// member and one from the highest score towards it; the first to arrive answers (rank
    /// from the low end = size - 1 - rank from the high end). That is O(min(rank, size - rank))
    /// entries read: ZRANK of a member near either end of a million-member set is cheap, a
    /// member in the middle reads about half the set, and nothing is loaded into memory.
    pub fn rank(&self, txn: &Txn<'_>, member: &[u8], rev: bool) -> Result<Option<(u64, f64)>> {
        let meta = &self.meta;
        let Some(sc) = self.score(txn, member)? else { return Ok(None) };
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

    /// Random members with their scores, sorted by position (see
    /// [`sample::random_members`]).
    pub fn random(&self, txn: &Txn<'_>, count: u64, distinct: bool) -> Result<Vec<Item>> {
        let picked = sample::random_members(txn, &self.meta, count, distinct)?;
        Ok(picked.into_iter().map(|(m, v)| (m, record_score(&v))).collect())
    }

    /// Members in `range`, as [`Range`] reads it.
    pub fn range(&self, txn: &Txn<'_>, range: &Range, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
        match range {
            Range::Rank(start, stop) => match clamp_ranks(*start, *stop, self.meta.size) {
                Some((a, b)) => self.range_by_rank(txn, a, b, rev),
                None => Ok(Vec::new()),
            },
            Range::Score(r) => self.range_by_score(txn, r, rev, offset, limit),
            Range::Lex(r) => self.range_by_lex(txn, r, rev, offset, limit),
        }
    }
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

/// [`replace`] for a `*STORE` command: raises `event` for a non-empty result, or `del`
/// when an empty result removed an existing key (Redis's order and names).
pub fn store(txn: &mut Txn<'_>, key: &[u8], items: &[Item], event: &'static str) -> Result<u64> {
    let existed = items.is_empty() && txn.get(key)?.is_some();
    let n = replace(txn, key, items)?;
    if n > 0 {
        txn.notify(ZSET, event, key);
    } else if existed {
        txn.notify(GENERIC, "del", key);
    }
    Ok(n)
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

/// A sorted set opened for writing by one command (`ZsetMut::open`, `open_or_create`);
/// each member it changed was set to a score (`Some`) or removed (`None`).
pub type ZsetMut<'a> = Opened<'a, Zset>;

impl<'a> ZsetMut<'a> {
    /// The score of `member` as this command has made it. O(1).
    pub fn score(&self, txn: &Txn<'_>, member: &[u8]) -> Result<Option<f64>> {
        match self.pending(member) {
            Some(&s) => Ok(s),
            None if self.is_fresh() => Ok(None),
            None => Ok(txn.sub_get(self.version(), member)?.filter(|v| v.len() == 8).map(|v| decode_score(&v))),
        }
    }

    /// Sets `member`'s score; `old` is its current score as [`ZsetMut::score`] answered.
    pub fn set(&mut self, txn: &mut Txn<'_>, member: &'a [u8], old: Option<f64>, new: f64) {
        let v = self.version();
        let grows = match old {
            Some(o) if o.to_bits() == new.to_bits() => return,
            Some(o) => {
                delete_index(txn, v, member, o);
                0
            }
            None => 1,
        };
        write_member(txn, v, member, new);
        self.record(member, Some(new), grows);
    }

    /// ZADD of one member under `cond`: what it did. Errors: `ERR resulting score is not
    /// a number (NaN)` (INCR of inf by -inf).
    pub fn add(&mut self, txn: &mut Txn<'_>, member: &'a [u8], score: f64, cond: AddCond) -> Result<Added> {
        let cur = self.score(txn, member)?;
        let Some(c) = cur else {
            if cond.xx {
                return Ok(Added::Skipped);
            }
            self.set(txn, member, None, score);
            return Ok(Added::New(score));
        };
        if cond.nx {
            return Ok(Added::Skipped);
        }
        let new = if cond.incr { c + score } else { score };
        if new.is_nan() {
            return Err(Error::NanScore);
        }
        if (cond.lt && new >= c) || (cond.gt && new <= c) {
            return Ok(Added::Skipped);
        }
        if new == c {
            return Ok(Added::Same(new));
        }
        self.set(txn, member, cur, new);
        Ok(Added::Updated(new))
    }

    /// Removes `member`; whether it was there.
    pub fn remove(&mut self, txn: &mut Txn<'_>, member: &'a [u8]) -> Result<bool> {
        let Some(s) = self.score(txn, member)? else { return Ok(false) };
        self.remove_known(txn, member, s);
        Ok(true)
    }

    /// Removes a member the caller knows is present with score `s`.
    pub fn remove_known(&mut self, txn: &mut Txn<'_>, member: &'a [u8], s: f64) {
        let v = self.version();
        txn.sub_delete(v, member);
        delete_index(txn, v, member, s);
        self.record(member, None, -1);
    }

    /// Removes `items`, members the caller read from this set; removing them all is one
    /// metadata delete.
    fn remove_items(&mut self, txn: &mut Txn<'_>, items: &'a [Item]) {
        if items.len() as u64 >= self.len() {
            self.clear(txn);
            return;
        }
        for (m, s) in items {
            self.remove_known(txn, m, *s);
        }
    }
}

/// ZADD's conditions: NX (only add), XX (only update), GT / LT (only raise / lower),
/// INCR (add to the current score).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AddCond {
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
    pub incr: bool,
}

/// What [`ZsetMut::add`] did with one member.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Added {
    /// The conditions left the member alone.
    Skipped,
    /// A new member with this score.
    New(f64),
    /// The score changed to this.
    Updated(f64),
    /// The member already had this score.
    Same(f64),
}

/// The score a member record holds (0 for a record this module did not write), for
/// reads that walk the member records (lex ranges, ZSCAN, ZRANDMEMBER).
pub fn record_score(v: &[u8]) -> f64 {
    if v.len() == 8 {
        decode_score(v)
    } else {
        0.0
    }
}

/// A range of ZRANGE and its older forms, ZREMRANGEBY*, ZCOUNT...: ranks (Redis indexes,
/// negative from the end), scores or a lex interval.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Redis's index sanitizing: negative indexes count from the end; `None` if empty.
pub fn clamp_ranks(start: i64, stop: i64, size: u64) -> Option<(u64, u64)> {
    let len = size as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut stop = if stop < 0 { len + stop } else { stop };
    if start < 0 {
        start = 0;
    }
    if start > stop || start >= len {
        return None;
    }
    if stop >= len {
        stop = len - 1;
    }
    Some((start as u64, stop as u64))
}

/// ZREMRANGEBYRANK / BYSCORE / BYLEX: removes the members of `key` in `range`; answers
/// how many. O(log N + M).
/// Raises `event` (the command's name) when members went, then `del` if none is left.
pub fn remove_range(txn: &mut Txn<'_>, key: &[u8], range: &Range, event: &'static str) -> Result<u64> {
    let Some(z) = open(txn, key, Access::Write)? else { return Ok(0) };
    let items = z.range(txn, range, false, 0, -1)?;
    remove_all_of(txn, key, &items)?;
    if !items.is_empty() {
        txn.notify(ZSET, event, key);
        if items.len() as u64 == z.len() {
            txn.notify(GENERIC, "del", key);
        }
    }
    Ok(items.len() as u64)
}

/// Pops up to `count` lowest (or highest, `max`) members of `key`, in the order popped;
/// `None` if there is no key. O(log N + count).
pub fn pop(txn: &mut Txn<'_>, key: &[u8], max: bool, count: u64) -> Result<Option<Vec<Item>>> {
    let Some(z) = open(txn, key, Access::Write)? else { return Ok(None) };
    if count == 0 {
        return Ok(Some(Vec::new()));
    }
    let n = count.min(z.len());
    let items = z.range_by_rank(txn, 0, n.saturating_sub(1), max)?;
    remove_all_of(txn, key, &items)?;
    txn.notify(ZSET, if max { "zpopmax" } else { "zpopmin" }, key);
    if n == z.len() {
        txn.notify(GENERIC, "del", key);
    }
    Ok(Some(items))
}

/// Removes `items` (read from the sorted set at `key` by this command).
fn remove_all_of(txn: &mut Txn<'_>, key: &[u8], items: &[Item]) -> Result<()> {
    let Some(mut z) = ZsetMut::open(txn, key)? else { return Ok(()) };
    z.remove_items(txn, items);
    z.finish(txn)
}

/// One input of ZUNION / ZINTER / ZDIFF: a set counts as a sorted set with every score 1.
#[derive(Debug)]
pub enum Source {
    Missing,
    Set(Set),
    Zset(Zset),
}

impl Source {
    /// The sorted set or set at `key`; WRONGTYPE for another type. Not counted in INFO,
    /// as these commands never were; a miss raises `keymiss`, as Redis's read lookup.
    pub fn open(txn: &mut Txn<'_>, key: &[u8]) -> Result<Source> {
        Ok(match txn.get_read(key)? {
            None => Source::Missing,
            Some(m) if m.kind == Kind::ZSet => Source::Zset(Zset::from_meta(m)),
            Some(m) if m.kind == Kind::Set => Source::Set(Set::from_meta(m)),
            Some(_) => return Err(Error::WrongType),
        })
    }

    fn len(&self) -> u64 {
        match self {
            Source::Missing => 0,
            Source::Set(s) => s.len(),
            Source::Zset(z) => z.len(),
        }
    }

    fn version(&self) -> Option<u64> {
        match self {
            Source::Missing => None,
            Source::Set(s) => Some(s.meta().version),
            Source::Zset(z) => Some(z.meta.version),
        }
    }

    fn items(&self, txn: &Txn<'_>) -> Result<Vec<Item>> {
        match self {
            Source::Missing => Ok(Vec::new()),
            Source::Set(s) => Ok(s.members(txn)?.into_iter().map(|x| (x, 1.0)).collect()),
            Source::Zset(z) => z.all(txn),
        }
    }

    fn find(&self, txn: &Txn<'_>, member: &[u8]) -> Result<Option<f64>> {
        match self {
            Source::Missing => Ok(None),
            Source::Set(s) => Ok(s.contains(txn, member)?.then_some(1.0)),
            Source::Zset(z) => z.score(txn, member),
        }
    }
}

/// How ZUNION and ZINTER merge the scores of a member found in several inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, val: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += val;
            // inf + -inf: Redis settles on 0.
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val
            }
        }
    }
}

fn weighted(weight: f64, score: f64) -> f64 {
    let s = weight * score;
    if s.is_nan() {
        0.0
    } else {
        s
    }
}

/// Redis's `zunionInterDiffGenericCommand` core: what `op` makes of `inputs` (each with
/// its weight; ZDIFF ignores weights and `how`), ordered by (score, member) as Redis's
/// skiplist orders them. With `card_limit` (ZINTERCARD, `op` Inter), only the size of the
/// intersection is counted, stopping at the limit (0: none), and the items are empty.
pub fn combine(txn: &Txn<'_>, op: SetOp, mut inputs: Vec<(Source, f64)>, how: Aggregate, card_limit: Option<u64>) -> Result<(Vec<Item>, u64)> {
    if op != SetOp::Diff {
        inputs.sort_by_key(|(s, _)| s.len());
    }
    let mut result: Vec<Item> = Vec::new();
    let mut cardinality = 0u64;
    match op {
        SetOp::Inter => {
            let (first, w0) = &inputs[0];
            if first.len() > 0 {
                'members: for (m, s) in first.items(txn)? {
                    let mut score = weighted(*w0, s);
                    for (other, w) in &inputs[1..] {
                        let value = if other.version() == first.version() {
                            Some(s)
                        } else {
                            other.find(txn, &m)?
                        };
                        match value {
                            Some(v) => aggregate(&mut score, weighted(*w, v), how),
                            None => continue 'members,
                        }
                    }
                    match card_limit {
                        Some(limit) => {
                            cardinality += 1;
                            if limit > 0 && cardinality >= limit {
                                break;
                            }
                        }
                        None => result.push((m, score)),
                    }
                }
            }
        }
        SetOp::Union => {
            let mut acc: HashMap<Bytes, f64> = HashMap::new();
            for (src, w) in &inputs {
                for (m, s) in src.items(txn)? {
                    let score = weighted(*w, s);
                    match acc.get_mut(&m) {
                        Some(t) => aggregate(t, score, how),
                        None => {
                            acc.insert(m, score);
                        }
                    }
                }
            }
            result = acc.into_iter().collect();
        }
        SetOp::Diff => {
            let (first, _) = &inputs[0];
            let same = inputs[1..].iter().any(|(o, _)| o.version().is_some() && o.version() == first.version());
            if first.len() > 0 && !same {
                'diff: for (m, s) in first.items(txn)? {
                    for (other, _) in &inputs[1..] {
                        if other.find(txn, &m)?.is_some() {
                            continue 'diff;
                        }
                    }
                    result.push((m, s));
                }
            }
        }
    }
    result.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.0.cmp(&b.0)));
    Ok((result, cardinality))
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

    fn get(t: &mut Txn<'_>, key: &[u8]) -> Result<Option<Zset>> {
        open(t, key, Access::Read)
    }

    fn all(t: &Txn<'_>, z: &Zset) -> Result<Vec<Item>> {
        z.all(t)
    }

    fn score(t: &Txn<'_>, z: &Zset, member: &[u8]) -> Result<Option<f64>> {
        z.score(t, member)
    }

    fn rank(t: &Txn<'_>, z: &Zset, member: &[u8], rev: bool) -> Result<Option<(u64, f64)>> {
        z.rank(t, member, rev)
    }

    fn range_by_rank(t: &Txn<'_>, z: &Zset, start: u64, stop: u64, rev: bool) -> Result<Vec<Item>> {
        z.range_by_rank(t, start, stop, rev)
    }

    fn range_by_score(t: &Txn<'_>, z: &Zset, r: &ScoreRange, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
        z.range_by_score(t, r, rev, offset, limit)
    }

    fn count_by_score(t: &Txn<'_>, z: &Zset, r: &ScoreRange) -> Result<u64> {
        z.count_by_score(t, r)
    }

    fn range_by_lex(t: &Txn<'_>, z: &Zset, r: &LexRange, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
        z.range_by_lex(t, r, rev, offset, limit)
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
    fn rank_clamping_like_redis() {
        assert_eq!(clamp_ranks(0, -1, 5), Some((0, 4)));
        assert_eq!(clamp_ranks(-100, 100, 5), Some((0, 4)));
        assert_eq!(clamp_ranks(5, 10, 5), None);
        assert_eq!(clamp_ranks(3, 1, 5), None);
        assert_eq!(clamp_ranks(-1, -1, 5), Some((4, 4)));
        assert_eq!(clamp_ranks(0, -6, 5), None);
        assert_eq!(clamp_ranks(i64::MIN, i64::MAX, 5), Some((0, 4)));
    }

    #[test]
    fn updates_in_one_command_keep_one_index_entry() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        zadd(&store, b"z", &[(1.0, "a"), (2.0, "a"), (0.5, "b")]);
        let mut txn = Txn::new(&store, 0);
        let meta = get(&mut txn, b"z").unwrap().unwrap();
        assert_eq!(meta.len(), 2);
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
