//! Random picks: from collections (SPOP, SRANDMEMBER, ZRANDMEMBER, HRANDFIELD), what
//! sets, sorted sets and hashes share, since all three keep one [`Cf::Sub`] record per
//! element in byte order; and from the keyspace ([`random_key`], RANDOMKEY).
//!
//! Elements are records in byte order with no rank counts, so "the element at position
//! i" is found by walking. A small collection is walked from its nearer end. A big one
//! (at least [`SEEK_INDEX_MIN`] elements) gets a *seek index* on first use: the key of
//! every [`SEEK_STEP`]-th record (at most [`SEEK_POINTS`] keys: the step grows for
//! collections over four million elements), built by one walk and kept in memory (at
//! most [`SEEK_INDEXES`] collections). A pick then seeks to the nearest
//! indexed key below its position and walks fewer than [`SEEK_STEP`] records: a random
//! member of a million-member set costs about a thousand record steps instead of half a
//! million.
//!
//! The index describes the collection when it was built. Writes since then shift
//! positions a little, which only changes *which* element a random position names; the
//! index is rebuilt once the size has drifted by more than a sixteenth, so the picks stay
//! close to uniform (Redis's own picks from a hash table are not exactly uniform either).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use parking_lot::Mutex;

use super::meta::Meta;
use super::txn::Txn;
use crate::error::{Error, Result};
use crate::storage::{keys, Cf, Range};

/// Collections this big (in elements) get a seek index.
pub const SEEK_INDEX_MIN: u64 = 4096;
/// Elements between two indexed keys (more for collections so big that the index would
/// exceed [`SEEK_POINTS`] keys).
pub const SEEK_STEP: u64 = 1024;
/// Most keys in one seek index, which bounds its memory.
pub const SEEK_POINTS: u64 = 4096;
/// Seek indexes kept at once (oldest dropped first).
pub const SEEK_INDEXES: usize = 256;

/// The keys at positions 0, STEP, 2*STEP... of one collection version.
struct SeekIndex {
    /// Size of the collection when the index was built.
    size: u64,
    /// Elements between two points.
    step: u64,
    points: Vec<Bytes>,
}

#[derive(Default)]
struct SeekIndexes {
    by_version: HashMap<u64, Arc<SeekIndex>>,
    order: VecDeque<u64>,
}

fn seek_indexes() -> &'static Mutex<SeekIndexes> {
    static INDEXES: OnceLock<Mutex<SeekIndexes>> = OnceLock::new();
    INDEXES.get_or_init(Default::default)
}

/// The seek index of `version` (of `size` elements), built or rebuilt as needed.
fn seek_index(txn: &Txn<'_>, version: u64, size: u64) -> Result<Arc<SeekIndex>> {
    if let Some(found) = seek_indexes().lock().by_version.get(&version) {
        if found.size.abs_diff(size) <= size / 16 {
            return Ok(found.clone());
        }
    }
    let step = SEEK_STEP.max(size.div_ceil(SEEK_POINTS));
    let mut points = Vec::with_capacity((size / step + 1) as usize);
    let mut pos = 0u64;
    txn.sub_scan(Cf::Sub, version, b"", b"", false, &mut |k, _| {
        if pos % step == 0 {
            points.push(Bytes::copy_from_slice(k));
        }
        pos += 1;
        true
    })?;
    let index = Arc::new(SeekIndex { size: pos, step, points });
    let mut all = seek_indexes().lock();
    if all.by_version.insert(version, index.clone()).is_none() {
        all.order.push_back(version);
    }
    while all.by_version.len() > SEEK_INDEXES {
        let Some(old) = all.order.pop_front() else { break };
        all.by_version.remove(&old);
    }
    Ok(index)
}

/// Largest number of draws with repeats (a negative count) SRANDMEMBER and ZRANDMEMBER
/// serve. Redis streams such a reply; replies here are built whole, so a larger count is
/// refused with `ERR value is out of range` rather than allocated without bound.
pub const MAX_DRAWS: u64 = 1 << 20;

/// `count` random element records (element and value) of the collection `meta`, sorted
/// by position: distinct ones when `distinct` (all of them if the collection is
/// smaller), independent draws otherwise. O(count) picks.
pub fn pick(txn: &Txn<'_>, meta: &Meta, count: u64, distinct: bool) -> Result<Vec<(Bytes, Bytes)>> {
    let idx = sample_indexes(meta.size, count, distinct);
    pick_by_index(txn, meta.version, meta.size, &idx)
}

/// [`pick`] for SRANDMEMBER and ZRANDMEMBER: more than [`MAX_DRAWS`] draws with repeats
/// are refused with `ERR value is out of range`.
pub fn random_members(txn: &Txn<'_>, meta: &Meta, count: u64, distinct: bool) -> Result<Vec<(Bytes, Bytes)>> {
    if !distinct && count > MAX_DRAWS {
        return Err(Error::OutOfRange);
    }
    pick(txn, meta, count, distinct)
}

/// The sub-key records of `version` (a collection of `size` elements) at the sorted
/// positions `indexes` (repeats allowed), in that order. Small collections: one walk
/// from the nearer end, O(distance). Big ones: through the seek index, fewer than
/// [`SEEK_STEP`] records walked per distinct index bucket. Nothing is loaded whole.
pub fn pick_by_index(txn: &Txn<'_>, version: u64, size: u64, indexes: &[u64]) -> Result<Vec<(Bytes, Bytes)>> {
    if size < SEEK_INDEX_MIN || indexes.is_empty() {
        return walk_from_ends(txn, version, size, indexes);
    }
    let index = seek_index(txn, version, size)?;
    let last_bucket = index.points.len().saturating_sub(1) as u64;
    let bucket_of = |x: u64| (x / index.step).min(last_bucket);
    let mut out = Vec::with_capacity(indexes.len());
    let mut i = 0;
    while i < indexes.len() {
        // The positions that fall in one bucket share one walk from its indexed key.
        let bucket = bucket_of(indexes[i]);
        let mut j = i;
        while j < indexes.len() && bucket_of(indexes[j]) == bucket {
            j += 1;
        }
        let wanted = &indexes[i..j];
        let from = index.points.get(bucket as usize).cloned().unwrap_or_default();
        let (mut pos, mut next) = (bucket * index.step, 0);
        txn.sub_scan(Cf::Sub, version, &from, b"", false, &mut |k, v| {
            while next < wanted.len() && wanted[next] <= pos {
                out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v)));
                next += 1;
            }
            pos += 1;
            next < wanted.len()
        })?;
        if next < wanted.len() {
            // The collection shrank since the index was built: positions past its end
            // name its last record.
            let mut last = None;
            txn.sub_scan(Cf::Sub, version, b"", b"", true, &mut |k, v| {
                last = Some((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v)));
                false
            })?;
            let Some(last) = last else { break };
            out.extend(std::iter::repeat_n(last, wanted.len() - next));
        }
        i = j;
    }
    // Distinct positions must name distinct elements. A stale index can make two walks
    // overlap (elements removed since it was built) or send positions past the end; then
    // take the exact, slower way.
    let distinct = indexes.windows(2).all(|w| w[0] < w[1]);
    if distinct && !out.windows(2).all(|w| w[0].0 < w[1].0) {
        return walk_from_ends(txn, version, size, indexes);
    }
    Ok(out)
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

/// [`pick_by_index`] for a collection without a seek index: one scan from whichever end
/// is nearer to the positions wanted, so O(distance).
fn walk_from_ends(txn: &Txn<'_>, version: u64, size: u64, indexes: &[u64]) -> Result<Vec<(Bytes, Bytes)>> {
    let (Some(&first), Some(&last)) = (indexes.first(), indexes.last()) else { return Ok(Vec::new()) };
    let reverse = size.saturating_sub(1).saturating_sub(first) < last;
    // Positions counted from where the walk starts, in the order it meets them.
    let steps: Vec<u64> = if reverse {
        indexes.iter().rev().map(|&i| size.saturating_sub(1).saturating_sub(i)).collect()
    } else {
        indexes.to_vec()
    };
    let mut out = Vec::with_capacity(indexes.len());
    let (mut pos, mut next) = (0u64, 0usize);
    txn.sub_scan(Cf::Sub, version, b"", b"", reverse, &mut |k, v| {
        while next < steps.len() && steps[next] == pos {
            out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v)));
            next += 1;
        }
        pos += 1;
        next < steps.len()
    })?;
    if reverse {
        out.reverse();
    }
    Ok(out)
}


// ----- RANDOMKEY -----

/// A random live key of the command's database, or `None` if it has none (RANDOMKEY).
/// Up to [`RANDOM_WALK_MAX`] keys the pick is uniform (a walk to a random index).
/// Beyond, keys are stored in order, not in a hash table, so the pick descends the key
/// space at random (O(key length) seeks) and then walks forward a random number of keys
/// (at most [`RANDOM_STEPS`]): cheap whatever the size, it spreads over the whole
/// database but is not uniform (a key right after a large gap in the key space comes up
/// less often).
pub fn random_key(txn: &Txn<'_>) -> Result<Option<Bytes>> {
    let db = txn.db;
    let (lo, hi) = keys::db_bounds(db);
    // While a background recount runs the count is not known: descend, which needs none.
    let count = txn.store.keys_if_known(db).unwrap_or(i64::MAX);
    let now = txn.now;
    let live = |k: Vec<u8>, v: &[u8]| Meta::decode_header(v).filter(|m| !m.is_expired(now)).map(|_| k);
    let user_key = |k: Vec<u8>| Bytes::copy_from_slice(&k[1..]);
    if count <= RANDOM_WALK_MAX {
        let mut skip = fastrand::i64(0..count.max(1));
        let (mut pick, mut first_live) = (None, None);
        txn.scan(Cf::Meta, Range { start: &lo, end: &hi, reverse: false }, &mut |k, v| {
            let found = live(k.to_vec(), v);
            if first_live.is_none() {
                first_live = found.clone();
            }
            skip -= 1;
            if skip < 0 && found.is_some() {
                pick = found;
                return false;
            }
            true
        })?;
        return Ok(pick.or(first_live).map(user_key));
    }
    for _ in 0..16 {
        // From a random point of the trie, a random walk forward smooths the pick over
        // the crowded branches the descent under-samples.
        let Some(start) = sample_key(txn, &lo, &hi)? else { return Ok(None) };
        let mut skip = fastrand::u32(0..RANDOM_STEPS);
        let mut pick = None;
        txn.scan(Cf::Meta, Range { start: &start, end: &hi, reverse: false }, &mut |k, v| {
            if let Some(found) = live(k.to_vec(), v) {
                pick = Some(found);
            }
            skip = skip.saturating_sub(1);
            skip > 0 || pick.is_none()
        })?;
        if let Some(k) = pick {
            return Ok(Some(user_key(k)));
        }
    }
    // Mostly expired keys: take the first live one, if any is near the start.
    let mut pick = None;
    let mut looked = 0;
    txn.scan(Cf::Meta, Range { start: &lo, end: &hi, reverse: false }, &mut |k, v| {
        looked += 1;
        pick = live(k.to_vec(), v);
        pick.is_none() && looked < RANDOM_WALK_MAX
    })?;
    Ok(pick.map(user_key))
}

/// Below this many keys RANDOMKEY picks exactly uniformly by walking to a random index.
const RANDOM_WALK_MAX: i64 = 10_000;
/// Beyond, the longest walk forward from a random point of the key space.
const RANDOM_STEPS: u32 = 2048;

/// First key in `[from, to)`, or the last one (`backwards`).
fn edge_key(txn: &Txn<'_>, from: &[u8], to: &[u8], backwards: bool) -> Result<Option<Vec<u8>>> {
    let mut found = None;
    txn.scan(Cf::Meta, Range { start: from, end: to, reverse: backwards }, &mut |k, _| {
        found = Some(k.to_vec());
        false
    })?;
    Ok(found)
}

/// A random key of the range `[lo, hi)` (live or not), found by descending the key
/// space as a trie: at each point where the keys diverge, a random branch among the
/// bytes present. O(depth) seeks, whatever the number of keys; keys in sparse branches
/// come up more often than in crowded ones, but every key can come up.
fn sample_key(txn: &Txn<'_>, lo: &[u8], hi: &[u8]) -> Result<Option<Vec<u8>>> {
    let mut prefix = lo.to_vec();
    for _ in 0..256 {
        let end = if prefix.len() > lo.len() { keys::prefix_end(&prefix) } else { hi.to_vec() };
        let (Some(first), Some(last)) = (edge_key(txn, &prefix, &end, false)?, edge_key(txn, &prefix, &end, true)?) else {
            return Ok(None);
        };
        if first == last {
            return Ok(Some(first));
        }
        let common = first.iter().zip(&last).take_while(|(a, b)| a == b).count();
        if common > prefix.len() {
            prefix = first[..common].to_vec();
            continue;
        }
        // `first` and `last` part at byte `at`; `first` may end there (a key that is
        // exactly the prefix), which counts as one more branch.
        let at = prefix.len();
        let low = first.get(at).map(|&b| b as i32).unwrap_or(-1);
        let branch = fastrand::i32(low..=last[at] as i32);
        if branch < 0 {
            return Ok(Some(first));
        }
        prefix.push(branch as u8);
        let Some(next) = edge_key(txn, &prefix, &end, false)? else { return Ok(Some(last)) };
        prefix.truncate(at);
        prefix.push(next[at]);
    }
    edge_key(txn, &prefix, hi, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::set::SetMut;
    use crate::types::testing::{open, run};
    use crate::types::{Collection, Meta, Store};

    fn fill(store: &Store, n: usize) -> (Meta, Vec<String>) {
        let names: Vec<String> = (0..n).map(|i| format!("m{i:06}")).collect();
        run(store, |t| {
            let mut s = SetMut::open_or_create(t, b"s")?;
            for m in &names {
                s.insert(t, m.as_bytes())?;
            }
            s.finish(t)
        });
        let meta = run(store, |t| crate::types::set::open(t, b"s", crate::types::Access::Write)).unwrap().meta().clone();
        (meta, names)
    }

    #[test]
    fn sampling_and_picking_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        // One size walked from the ends, one through a seek index.
        for n in [100usize, 3 * SEEK_INDEX_MIN as usize + 17] {
            let (meta, names) = fill(&store, n);
            let size = n as u64;
            let txn = Txn::new(&store, 0);
            for (count, distinct) in [(10, true), (60, true), (size, true), (500, false)] {
                let idx = sample_indexes(size, count, distinct);
                assert_eq!(idx.len() as u64, count);
                if distinct {
                    let set: HashSet<_> = idx.iter().collect();
                    assert_eq!(set.len(), idx.len());
                }
                let picked = pick_by_index(&txn, meta.version, size, &idx).unwrap();
                assert_eq!(picked.len(), idx.len());
                for ((m, _), i) in picked.iter().zip(&idx) {
                    assert_eq!(&m[..], names[*i as usize].as_bytes(), "n {n}, position {i}");
                }
            }
            let end = [size - 2, size - 1, size - 1];
            let picked = pick_by_index(&txn, meta.version, size, &end).unwrap();
            let got: Vec<_> = picked.iter().map(|(m, _)| m.clone()).collect();
            let want: Vec<_> = end.iter().map(|&i| Bytes::from(names[i as usize].clone())).collect();
            assert_eq!(got, want);
            run(&store, |t| t.delete(b"s"));
        }
    }

    #[test]
    fn a_stale_seek_index_still_names_members() {
        // Positions past the end of a shrunk collection name its last member; after
        // enough drift the index is rebuilt and positions are exact again.
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let n = 2 * SEEK_INDEX_MIN as usize;
        let (meta, names) = fill(&store, n);
        let txn = Txn::new(&store, 0);
        pick_by_index(&txn, meta.version, n as u64, &[0]).unwrap();
        run(&store, |t| {
            let mut s = SetMut::open_or_create(t, b"s")?;
            for m in &names[n - 100..] {
                s.remove(t, m.as_bytes())?;
            }
            s.finish(t)
        });
        let size = n as u64 - 100;
        let txn = Txn::new(&store, 0);
        let picked = pick_by_index(&txn, meta.version, size, &[size - 1]).unwrap();
        assert_eq!(&picked[0].0[..], names[n - 101].as_bytes());
        let picked = pick_by_index(&txn, meta.version, size, &[5, size - 1]).unwrap();
        assert_eq!(&picked[0].0[..], names[5].as_bytes());
        assert!(picked[0].0 < picked[1].0, "distinct positions, distinct members");
    }
}
