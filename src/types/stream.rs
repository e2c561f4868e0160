//! Streams: an append-only log of entries, with consumer groups. One sub-key record per
//! entry, keyed by its ID, and further records for groups, consumers and pending entries,
//! all under the key's version.
//!
//! ```text
//! Cf::Meta  [db][key]  -> kind Stream, version, size = length (entries now in the stream)
//!                         payload [last id 16][first id 16][max deleted id 16]
//!                                 [entries added u64 BE][unused u64]
//!                                 [tail node u64][tail node added u64][tail node live u64]
//! Cf::Sub   [version][0x01][ms u64 BE][seq u64 BE]           -> entry: [node u64 BE]
//!                                                               [pairs u32 BE] then
//!                                                               [len u32 BE][bytes] per
//!                                                               field and value
//!           [version][0x02][group]                           -> group: [last delivered
//!                                                               id 16][entries read i64]
//!                                                               [pending u64][consumers u64]
//!                                                               [highest id ever pending 16]
//!           [version][0x03][glen u32][group][consumer]       -> consumer: [seen ms i64]
//!                                                               [active ms i64][pending u64]
//!           [version][0x04][glen u32][group][id 16]          -> pending entry (group PEL):
//!                                                               [delivered ms i64]
//!                                                               [deliveries u64][consumer]
//!           [version][0x05][glen u32][group][clen u32][consumer][id 16] -> "" (the
//!                                                               consumer's own PEL)
//! ```
//! IDs are big-endian, so RocksDB keeps entries in ID order: XRANGE, XREVRANGE and XREAD
//! are one range scan of exactly the entries returned (a window of a stream of ten
//! million entries reads that window only); XADD is one point write plus the metadata;
//! XLEN and the stream's counters (first, last and max-deleted IDs, entries added) are
//! in the metadata, O(1). Trimming (XTRIM, XADD MAXLEN/MINID) walks the keys of the
//! entries it removes and deletes them (point deletes for a few, one range tombstone
//! for many); nothing else is rewritten. The group records are prefixed by the group
//! name's length, so one group's consumers and pending entries are one prefix each:
//! XGROUP DESTROY is three range tombstones; XPENDING and XAUTOCLAIM walk a PEL in ID
//! order. Pending counts are kept in the group and consumer records, so XINFO and the
//! XPENDING summary do not count PELs.
//!
//! Each entry records the node Redis would have put it in: Redis packs entries into
//! listpack nodes of `stream-node-max-entries` (100), starting a new node when the last is
//! full or gone, and approximate trimming (`~`) removes whole nodes only. Recording the
//! node makes `~` remove what Redis removes (its 4 KiB `stream-node-max-bytes` bound,
//! which splits nodes of large entries earlier, is not modelled).
//!
//! A stream may be empty and still exist (XDEL or trimming of every entry, XGROUP CREATE
//! MKSTREAM), as in Redis. DEL, RENAME, COPY, DUMP/RESTORE work on the version like any
//! other collection (see `types::txn`).
//!
//! Reads go to storage and do not see the command's own pending writes; [`StreamMut`],
//! the handle a command writes through, keeps what it changed (groups, consumers,
//! pending entries, deleted entries) and reads through that first.

mod id;
mod records;
#[cfg(test)]
mod tests;
mod write;

use bytes::Bytes;

pub use id::StreamId;
pub use records::{Consumer, Entry, Group, Info, Nack};
pub use write::StreamMut;

use records::*;
use super::meta::{Kind, Meta};
use super::txn::{Access, Txn};
use crate::error::Result;
use crate::storage::{keys, Cf};

const ENTRY: u8 = 0x01;
const GROUP: u8 = 0x02;
const CONSUMER: u8 = 0x03;
const PEL: u8 = 0x04;
const CPEL: u8 = 0x05;

/// Removing more entries than this at once uses one range tombstone.
const RANGE_DELETE_MIN: usize = 64;

/// Entries per node in Redis's default layout (`stream-node-max-entries`, which XADD
/// reads from the config): approximate trimming (`~`) removes whole nodes only, as Redis
/// does.
pub const NODE_ENTRIES: u64 = 100;

/// Redis's `SCG_INVALID_ENTRIES_READ`: a group whose read counter is unknown.
pub const INVALID_ENTRIES_READ: i64 = -1;

/// A stream as a command reads it.
#[derive(Debug, Clone)]
pub struct Stream {
    meta: Meta,
    pub info: Info,
}

/// The stream at `key`: `None` if missing, WRONGTYPE if another type. `access` decides
/// whether INFO counts the lookup.
pub fn open(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<Stream>> {
    Ok(txn.open(key, Kind::Stream, access)?.map(Stream::from_meta))
}

/// Visits the entries of `version` with IDs in `[start, end]`, in order (backwards with
/// `rev`), until `visit` answers false.
fn scan_entries(
    txn: &Txn<'_>,
    version: u64,
    start: StreamId,
    end: StreamId,
    rev: bool,
    visit: &mut dyn FnMut(StreamId, &[u8]) -> bool,
) -> Result<()> {
    if start > end {
        return Ok(());
    }
    let (from, to) = (entry_key(start), entry_key_after(end));
    txn.sub_scan(Cf::Sub, version, &from, &to, rev, &mut |k, v| match StreamId::decode(&k[1..]) {
        Some(id) => visit(id, v),
        None => true,
    })
}

impl Stream {
    fn from_meta(meta: Meta) -> Stream {
        let info = Info::decode(&meta.payload);
        Stream { meta, info }
    }

    /// Number of entries. O(1).
    pub fn len(&self) -> u64 {
        self.meta.size
    }

    pub fn is_empty(&self) -> bool {
        self.meta.size == 0
    }

    /// The ID of the last entry in the stream (not `last_id`, which XDEL and XSETID can
    /// leave above it), or 0-0 if empty. O(1) when the last entry is the last added.
    pub fn last_entry_id(&self, txn: &Txn<'_>) -> Result<StreamId> {
        if self.is_empty() {
            return Ok(StreamId::MIN);
        }
        let mut found = StreamId::MIN;
        scan_entries(txn, self.meta.version, StreamId::MIN, StreamId::MAX, true, &mut |id, _| {
            found = id;
            false
        })?;
        Ok(found)
    }

    /// Up to `count` entries (0: all) with IDs in `[start, end]`, from `start` up (from
    /// `end` down with `rev`). O(entries returned): one range scan.
    pub fn range(&self, txn: &Txn<'_>, start: StreamId, end: StreamId, count: u64, rev: bool) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        scan_entries(txn, self.meta.version, start, end, rev, &mut |id, v| {
            out.push((id, decode_fields(v)));
            count == 0 || (out.len() as u64) < count
        })?;
        Ok(out)
    }

    /// The fields of entry `id`, if it exists. O(1).
    pub fn entry(&self, txn: &Txn<'_>, id: StreamId) -> Result<Option<Vec<Bytes>>> {
        Ok(txn.sub_get(self.meta.version, &entry_key(id))?.map(|v| decode_fields(&v)))
    }

    /// The group `name`, if any. O(1).
    pub fn group(&self, txn: &Txn<'_>, name: &[u8]) -> Result<Option<Group>> {
        Ok(txn.sub_get(self.meta.version, &group_key(name))?.and_then(|v| Group::decode(&v)))
    }

    /// Every group, in name order. O(groups).
    pub fn groups(&self, txn: &Txn<'_>) -> Result<Vec<(Bytes, Group)>> {
        let mut out = Vec::new();
        txn.sub_scan(Cf::Sub, self.meta.version, &[GROUP], &[GROUP + 1], false, &mut |k, v| {
            if let Some(g) = Group::decode(v) {
                out.push((Bytes::copy_from_slice(&k[1..]), g));
            }
            true
        })?;
        Ok(out)
    }

    /// The consumer `name` of `group`, if any. O(1).
    pub fn consumer(&self, txn: &Txn<'_>, group: &[u8], name: &[u8]) -> Result<Option<Consumer>> {
        Ok(txn.sub_get(self.meta.version, &consumer_key(group, name))?.and_then(|v| Consumer::decode(&v)))
    }

    /// Every consumer of `group`, in name order. O(consumers).
    pub fn consumers(&self, txn: &Txn<'_>, group: &[u8]) -> Result<Vec<(Bytes, Consumer)>> {
        let prefix = group_prefix(CONSUMER, group);
        let mut out = Vec::new();
        txn.sub_scan(Cf::Sub, self.meta.version, &prefix, &keys::prefix_end(&prefix), false, &mut |k, v| {
            if let Some(c) = Consumer::decode(v) {
                out.push((Bytes::copy_from_slice(&k[prefix.len()..]), c));
            }
            true
        })?;
        Ok(out)
    }

    /// The pending entry `id` of `group`, if any. O(1).
    pub fn nack(&self, txn: &Txn<'_>, group: &[u8], id: StreamId) -> Result<Option<Nack>> {
        Ok(txn.sub_get(self.meta.version, &pel_key(group, id))?.and_then(|v| Nack::decode(&v)))
    }

    /// Visits the pending entries of `group` with IDs in `[start, end]` in ID order until
    /// `visit` answers false. O(entries visited).
    pub fn each_pending(
        &self,
        txn: &Txn<'_>,
        group: &[u8],
        start: StreamId,
        end: StreamId,
        visit: &mut dyn FnMut(StreamId, Nack) -> bool,
    ) -> Result<()> {
        if start > end {
            return Ok(());
        }
        let prefix = group_prefix(PEL, group);
        let (from, to) = id_bounds(&prefix, start, end);
        txn.sub_scan(Cf::Sub, self.meta.version, &from, &to, false, &mut |k, v| {
            match (StreamId::decode(&k[prefix.len()..]), Nack::decode(v)) {
                (Some(id), Some(nack)) => visit(id, nack),
                _ => true,
            }
        })
    }

    /// The smallest and largest IDs pending in `group`, `None` if none. Two seeks.
    pub fn pending_edges(&self, txn: &Txn<'_>, group: &[u8]) -> Result<Option<(StreamId, StreamId)>> {
        let prefix = group_prefix(PEL, group);
        let end = keys::prefix_end(&prefix);
        let mut edges = [None, None];
        for (i, rev) in [(0, false), (1, true)] {
            txn.sub_scan(Cf::Sub, self.meta.version, &prefix, &end, rev, &mut |k, _| {
                edges[i] = StreamId::decode(&k[prefix.len()..]);
                false
            })?;
        }
        Ok(edges[0].zip(edges[1]))
    }

    /// The pending entries of one consumer with IDs in `[start, end]`, in ID order, at
    /// most `count` (0: all). O(entries returned).
    pub fn consumer_pending(
        &self,
        txn: &Txn<'_>,
        group: &[u8],
        consumer: &[u8],
        start: StreamId,
        end: StreamId,
        count: u64,
    ) -> Result<Vec<StreamId>> {
        let mut out = Vec::new();
        if start > end {
            return Ok(out);
        }
        let prefix = cpel_prefix(group, consumer);
        let (from, to) = id_bounds(&prefix, start, end);
        txn.sub_scan(Cf::Sub, self.meta.version, &from, &to, false, &mut |k, _| {
            if let Some(id) = StreamId::decode(&k[prefix.len()..]) {
                out.push(id);
            }
            count == 0 || (out.len() as u64) < count
        })?;
        Ok(out)
    }

    /// Whether the IDs in `[start, end]` may include a deleted entry (Redis's
    /// `streamRangeHasTombstones`), which makes read counters unknowable.
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        let i = &self.info;
        if self.is_empty() || i.max_deleted.is_zero() || i.first_id > i.max_deleted {
            return false;
        }
        start <= i.max_deleted && i.max_deleted <= end
    }

    /// How many entries were added up to `id` (Redis's
    /// `streamEstimateDistanceFromFirstEverEntry`), or [`INVALID_ENTRIES_READ`] when that
    /// cannot be known.
    pub fn estimate_entries_read(&self, id: StreamId) -> i64 {
        let i = &self.info;
        if i.entries_added == 0 {
            return 0;
        }
        if self.is_empty() && id <= i.last_id {
            return i.entries_added as i64;
        }
        if id == i.last_id {
            return i.entries_added as i64;
        } else if id > i.last_id {
            return INVALID_ENTRIES_READ;
        }
        if i.max_deleted.is_zero() || i.max_deleted < i.first_id {
            if id < i.first_id {
                return (i.entries_added - self.len()) as i64;
            } else if id == i.first_id {
                return (i.entries_added - self.len() + 1) as i64;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// A group's lag (entries added but not yet delivered to it), as XINFO reports it;
    /// `None` when it cannot be known (Redis's `streamReplyWithCGLag`).
    pub fn lag(&self, group: &Group) -> Option<i64> {
        let added = self.info.entries_added as i64;
        if added == 0 {
            return Some(0);
        }
        if group.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(group.last_id, StreamId::MAX) {
            return Some(added - group.entries_read);
        }
        match self.estimate_entries_read(group.last_id) {
            INVALID_ENTRIES_READ => None,
            read => Some(added - read),
        }
    }
}

/// How XADD picks the new entry's ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewId {
    /// `*`: from the clock, above the last ID.
    Auto,
    /// `<ms>-*`: this millisecond, the next sequence number.
    Ms(u64),
    /// An explicit ID.
    Exact(StreamId),
}

/// What trimming keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

/// XTRIM and XADD's trimming options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrimArgs {
    pub strategy: Trim,
    /// `~`: remove whole nodes only (see [`NODE_ENTRIES`]).
    pub approx: bool,
    /// Most entries to remove, 0 for no limit.
    pub limit: u64,
}

/// The sub-key range `[from, to)` of the IDs `start..=end` under `prefix`.
fn id_bounds(prefix: &[u8], start: StreamId, end: StreamId) -> (Vec<u8>, Vec<u8>) {
    let from = [prefix, &start.encode()[..]].concat();
    let to = match end.incr() {
        Some(next) => [prefix, &next.encode()[..]].concat(),
        None => keys::prefix_end(prefix),
    };
    (from, to)
}
