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
//! Each entry records the node Redis would have put it in: Redis packs entries 100 to a
//! listpack node (`stream-node-max-entries`), starting a new node when the last one is
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

use std::collections::{HashMap, HashSet};

use bytes::Bytes;

pub use id::StreamId;

use super::meta::{Kind, Meta};
use super::txn::{Access, Txn};
use crate::error::{Error, Result};
use crate::storage::{keys, Cf};

const ENTRY: u8 = 0x01;
const GROUP: u8 = 0x02;
const CONSUMER: u8 = 0x03;
const PEL: u8 = 0x04;
const CPEL: u8 = 0x05;

/// Removing more entries than this at once uses one range tombstone.
const RANGE_DELETE_MIN: usize = 64;

/// Entries per node in Redis's default layout (`stream-node-max-entries`): approximate
/// trimming (`~`) removes whole nodes of this many entries only, as Redis does.
pub const NODE_ENTRIES: u64 = 100;

/// Redis's `SCG_INVALID_ENTRIES_READ`: a group whose read counter is unknown.
pub const INVALID_ENTRIES_READ: i64 = -1;

/// The stream's counters, kept in the metadata payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Info {
    pub last_id: StreamId,
    /// ID of the first entry, 0-0 when empty.
    pub first_id: StreamId,
    pub max_deleted: StreamId,
    pub entries_added: u64,
    /// Unused (was a group count; groups are counted from their records, so creating
    /// or destroying one leaves the metadata, and WATCH, alone, as in Redis).
    pub unused: u64,
    /// The node new entries go to, how many were added to it, how many of those are left.
    pub tail_node: u64,
    pub tail_added: u64,
    pub tail_live: u64,
}

impl Info {
    fn decode(raw: &[u8]) -> Info {
        let id = |at: usize| StreamId::decode(raw.get(at..at + 16).unwrap_or_default()).unwrap_or_default();
        let num = |at: usize| raw.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0);
        Info {
            last_id: id(0),
            first_id: id(16),
            max_deleted: id(32),
            entries_added: num(48),
            unused: num(56),
            tail_node: num(64),
            tail_added: num(72),
            tail_live: num(80),
        }
    }

    fn encode(&self) -> Bytes {
        let mut out = Vec::with_capacity(88);
        out.extend_from_slice(&self.last_id.encode());
        out.extend_from_slice(&self.first_id.encode());
        out.extend_from_slice(&self.max_deleted.encode());
        out.extend_from_slice(&self.entries_added.to_be_bytes());
        out.extend_from_slice(&self.unused.to_be_bytes());
        out.extend_from_slice(&self.tail_node.to_be_bytes());
        out.extend_from_slice(&self.tail_added.to_be_bytes());
        out.extend_from_slice(&self.tail_live.to_be_bytes());
        Bytes::from(out)
    }
}

/// A consumer group's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub last_id: StreamId,
    /// [`INVALID_ENTRIES_READ`] when unknown.
    pub entries_read: i64,
    pub pending: u64,
    pub consumers: u64,
}

impl Group {
    fn encode(&self) -> Vec<u8> {
        let mut out = self.last_id.encode().to_vec();
        out.extend_from_slice(&self.entries_read.to_be_bytes());
        out.extend_from_slice(&self.pending.to_be_bytes());
        out.extend_from_slice(&self.consumers.to_be_bytes());
        out
    }

    fn decode(raw: &[u8]) -> Option<Group> {
        Some(Group {
            last_id: StreamId::decode(raw)?,
            entries_read: i64::from_be_bytes(raw.get(16..24)?.try_into().ok()?),
            pending: u64::from_be_bytes(raw.get(24..32)?.try_into().ok()?),
            consumers: u64::from_be_bytes(raw.get(32..40)?.try_into().ok()?),
        })
    }
}

/// A consumer's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consumer {
    /// Last time the consumer was seen (any read or claim), Unix ms.
    pub seen: i64,
    /// Last time it read or claimed an entry, Unix ms (-1: never).
    pub active: i64,
    pub pending: u64,
}

impl Consumer {
    fn encode(&self) -> Vec<u8> {
        let mut out = self.seen.to_be_bytes().to_vec();
        out.extend_from_slice(&self.active.to_be_bytes());
        out.extend_from_slice(&self.pending.to_be_bytes());
        out
    }

    fn decode(raw: &[u8]) -> Option<Consumer> {
        Some(Consumer {
            seen: i64::from_be_bytes(raw.get(0..8)?.try_into().ok()?),
            active: i64::from_be_bytes(raw.get(8..16)?.try_into().ok()?),
            pending: u64::from_be_bytes(raw.get(16..24)?.try_into().ok()?),
        })
    }
}

/// A pending entry: delivered to `consumer`, not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nack {
    /// Last delivery, Unix ms.
    pub delivered: i64,
    pub deliveries: u64,
    pub consumer: Bytes,
}

impl Nack {
    fn encode(&self) -> Vec<u8> {
        let mut out = self.delivered.to_be_bytes().to_vec();
        out.extend_from_slice(&self.deliveries.to_be_bytes());
        out.extend_from_slice(&self.consumer);
        out
    }

    fn decode(raw: &[u8]) -> Option<Nack> {
        Some(Nack {
            delivered: i64::from_be_bytes(raw.get(0..8)?.try_into().ok()?),
            deliveries: u64::from_be_bytes(raw.get(8..16)?.try_into().ok()?),
            consumer: Bytes::copy_from_slice(raw.get(16..)?),
        })
    }
}

/// An entry: its ID and its fields and values, alternating.
pub type Entry = (StreamId, Vec<Bytes>);

fn entry_key(id: StreamId) -> [u8; 17] {
    let mut out = [ENTRY; 17];
    out[1..].copy_from_slice(&id.encode());
    out
}

/// The first suffix after entry `id` (exclusive end of a scan that includes `id`).
fn entry_key_after(id: StreamId) -> Vec<u8> {
    match id.incr() {
        Some(next) => entry_key(next).to_vec(),
        None => vec![ENTRY + 1],
    }
}

fn group_key(group: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + group.len());
    out.push(GROUP);
    out.extend_from_slice(group);
    out
}

/// `[tag][glen u32][group]`: the prefix of one group's records of kind `tag`.
fn group_prefix(tag: u8, group: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + group.len() + 24);
    out.push(tag);
    out.extend_from_slice(&(group.len() as u32).to_be_bytes());
    out.extend_from_slice(group);
    out
}

fn consumer_key(group: &[u8], consumer: &[u8]) -> Vec<u8> {
    let mut out = group_prefix(CONSUMER, group);
    out.extend_from_slice(consumer);
    out
}

fn pel_key(group: &[u8], id: StreamId) -> Vec<u8> {
    let mut out = group_prefix(PEL, group);
    out.extend_from_slice(&id.encode());
    out
}

fn cpel_prefix(group: &[u8], consumer: &[u8]) -> Vec<u8> {
    let mut out = group_prefix(CPEL, group);
    out.extend_from_slice(&(consumer.len() as u32).to_be_bytes());
    out.extend_from_slice(consumer);
    out
}

fn cpel_key(group: &[u8], consumer: &[u8], id: StreamId) -> Vec<u8> {
    let mut out = cpel_prefix(group, consumer);
    out.extend_from_slice(&id.encode());
    out
}

/// Encodes an entry: its node, its fields and values (`pairs` alternate field, value).
fn encode_entry(node: u64, pairs: &[Bytes]) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + pairs.iter().map(|p| 4 + p.len()).sum::<usize>());
    out.extend_from_slice(&node.to_be_bytes());
    out.extend_from_slice(&((pairs.len() / 2) as u32).to_be_bytes());
    for p in pairs {
        out.extend_from_slice(&(p.len() as u32).to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

/// The node an entry record says it is in.
fn entry_node(raw: &[u8]) -> u64 {
    raw.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0)
}

/// The fields and values of an entry record.
fn decode_fields(raw: &[u8]) -> Vec<Bytes> {
    let raw = raw.get(8..).unwrap_or_default();
    let mut out = Vec::new();
    let Some(n) = raw.get(..4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes) else { return out };
    let mut rest = &raw[4..];
    out.reserve((n as usize * 2).min(rest.len() / 4));
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let Some(value) = rest.get(4..4 + len) else { break };
        out.push(Bytes::copy_from_slice(value));
        rest = &rest[4 + len..];
    }
    out
}

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
        let mut from = prefix.clone();
        from.extend_from_slice(&start.encode());
        let to = match end.incr() {
            Some(next) => {
                let mut to = prefix.clone();
                to.extend_from_slice(&next.encode());
                to
            }
            None => keys::prefix_end(&prefix),
        };
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
        let mut from = prefix.clone();
        from.extend_from_slice(&start.encode());
        let to = match end.incr() {
            Some(next) => {
                let mut to = prefix.clone();
                to.extend_from_slice(&next.encode());
                to
            }
            None => keys::prefix_end(&prefix),
        };
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

/// The walk of [`StreamMut::trim`]: entries come in ID order with their node; each
/// node is decided once all its entries are seen.
struct TrimWalk {
    args: TrimArgs,
    /// The stream's length as the trim has made it so far.
    length: u64,
    doomed: Vec<(StreamId, u64)>,
    /// The entries of the node being read.
    node: Option<(u64, Vec<StreamId>)>,
    stopped: bool,
}

impl TrimWalk {
    /// Takes the next entry; false once the trim is decided.
    fn visit(&mut self, id: StreamId, node: u64) -> bool {
        match &mut self.node {
            Some((n, ids)) if *n == node => ids.push(id),
            _ => {
                if !self.flush() {
                    return false;
                }
                self.node = Some((node, vec![id]));
            }
        }
        true
    }

    /// Decides the node read so far; false once the trim is decided.
    fn flush(&mut self) -> bool {
        let Some((node, ids)) = self.node.take() else { return true };
        let count = ids.len() as u64;
        let removed = self.doomed.len() as u64;
        let whole = match self.args.strategy {
            Trim::MaxLen(max) if self.length <= max => return self.stop(),
            Trim::MaxLen(max) => self.length - count >= max,
            Trim::MinId(min) => ids[ids.len() - 1] < min,
        };
        if self.args.limit > 0 && removed + count > self.args.limit {
            return self.stop();
        }
        if whole {
            self.doomed.extend(ids.into_iter().map(|id| (id, node)));
            self.length -= count;
            return true;
        }
        if !self.args.approx {
            for id in ids {
                let more = match self.args.strategy {
                    Trim::MaxLen(max) => self.length > max,
                    Trim::MinId(min) => id < min,
                };
                if !more {
                    break;
                }
                self.doomed.push((id, node));
                self.length -= 1;
            }
        }
        self.stop()
    }

    fn stop(&mut self) -> bool {
        self.stopped = true;
        false
    }
}

/// A stream opened for writing by one command.
pub struct StreamMut<'a> {
    key: &'a [u8],
    meta: Meta,
    pub info: Info,
    /// Created by this command: nothing is stored under its version.
    fresh: bool,
    dirty: bool,
    /// Groups read or changed by this command (`None`: destroyed), and whether changed.
    groups: HashMap<Bytes, (Option<Group>, bool)>,
    consumers: HashMap<(Bytes, Bytes), (Option<Consumer>, bool)>,
    pel: HashMap<(Bytes, StreamId), Option<Nack>>,
    deleted: HashSet<StreamId>,
    /// The entry XADD appended in this command, and its node.
    appended: Option<(StreamId, u64)>,
}

impl<'a> StreamMut<'a> {
    /// The existing stream at `key`, if any; WRONGTYPE if another type.
    pub fn open(txn: &mut Txn<'_>, key: &'a [u8]) -> Result<Option<Self>> {
        Ok(txn.open(key, Kind::Stream, Access::Write)?.map(|meta| Self::wrap(key, meta, false)))
    }

    /// The stream at `key`, or a new empty one (written only if something changes it);
    /// WRONGTYPE if another type.
    pub fn open_or_create(txn: &mut Txn<'_>, key: &'a [u8]) -> Result<Self> {
        Ok(match txn.open(key, Kind::Stream, Access::Write)? {
            Some(meta) => Self::wrap(key, meta, false),
            None => {
                let mut s = Self::wrap(key, Meta::collection(Kind::Stream, txn.store.new_version()), true);
                s.dirty = true;
                s
            }
        })
    }

    fn wrap(key: &'a [u8], meta: Meta, fresh: bool) -> Self {
        let info = Info::decode(&meta.payload);
        StreamMut {
            key,
            meta,
            info,
            fresh,
            dirty: false,
            groups: HashMap::new(),
            consumers: HashMap::new(),
            pel: HashMap::new(),
            deleted: HashSet::new(),
            appended: None,
        }
    }

    /// The read state over what is stored (plus this command's metadata changes).
    pub fn stored(&self) -> Stream {
        let mut meta = self.meta.clone();
        meta.payload = self.info.encode();
        Stream { meta, info: self.info }
    }

    pub fn len(&self) -> u64 {
        self.meta.size
    }

    pub fn is_empty(&self) -> bool {
        self.meta.size == 0
    }

    /// Marks the metadata as changed (XSETID changes `info` directly).
    pub fn touch(&mut self) {
        self.dirty = true;
    }

    /// Whether entry `id` exists as this command has made it. O(1).
    pub fn entry_exists(&self, txn: &Txn<'_>, id: StreamId) -> Result<bool> {
        Ok(self.node_of(txn, id)?.is_some())
    }

    /// The node of entry `id`, `None` if it does not exist. O(1).
    fn node_of(&self, txn: &Txn<'_>, id: StreamId) -> Result<Option<u64>> {
        if let Some((appended, node)) = self.appended {
            if appended == id {
                return Ok(Some(node));
            }
        }
        if self.fresh || self.deleted.contains(&id) {
            return Ok(None);
        }
        Ok(txn.sub_get(self.meta.version, &entry_key(id))?.map(|v| entry_node(&v)))
    }

    /// Counts the removal of entries from `node`.
    fn left_node(&mut self, node: u64, n: u64) {
        if node == self.info.tail_node {
            self.info.tail_live = self.info.tail_live.saturating_sub(n);
        }
    }

    /// Appends an entry (`pairs` alternate field and value); answers its ID. O(1).
    /// Errors: `ERR The ID specified in XADD is equal or smaller than the target stream
    /// top item`, `ERR The stream has exhausted the last possible ID, unable to add more
    /// items`.
    pub fn add(&mut self, txn: &mut Txn<'_>, new: NewId, pairs: &[Bytes]) -> Result<StreamId> {
        let last = self.info.last_id;
        if last == StreamId::MAX {
            return Err(Error::StreamExhausted);
        }
        let id = match new {
            NewId::Auto => {
                let now = txn.now.max(0) as u64;
                if now > last.ms {
                    StreamId::new(now, 0)
                } else {
                    last.incr().ok_or(Error::StreamExhausted)?
                }
            }
            NewId::Ms(ms) if ms == last.ms => {
                if last.seq == u64::MAX {
                    return Err(Error::StreamIdTooSmall);
                }
                StreamId::new(ms, last.seq + 1)
            }
            NewId::Ms(ms) => StreamId::new(ms, 0),
            NewId::Exact(id) => id,
        };
        if id <= last {
            return Err(Error::StreamIdTooSmall);
        }
        let i = &mut self.info;
        if i.tail_live == 0 || i.tail_added >= NODE_ENTRIES {
            i.tail_node += 1;
            i.tail_added = 0;
            i.tail_live = 0;
        }
        i.tail_added += 1;
        i.tail_live += 1;
        let node = i.tail_node;
        txn.sub_put(self.meta.version, &entry_key(id), encode_entry(node, pairs));
        self.meta.size += 1;
        if self.meta.size == 1 {
            self.info.first_id = id;
        }
        self.info.last_id = id;
        self.info.entries_added += 1;
        self.appended = Some((id, node));
        self.dirty = true;
        Ok(id)
    }

    /// Deletes entry `id` (XDEL); answers whether it existed. Call
    /// [`StreamMut::fix_first_id`] after the last one. O(1).
    pub fn delete(&mut self, txn: &mut Txn<'_>, id: StreamId) -> Result<bool> {
        let Some(node) = self.node_of(txn, id)? else { return Ok(false) };
        self.left_node(node, 1);
        txn.sub_delete(self.meta.version, &entry_key(id));
        self.deleted.insert(id);
        self.meta.size -= 1;
        if id > self.info.max_deleted {
            self.info.max_deleted = id;
        }
        self.dirty = true;
        Ok(true)
    }

    /// Recomputes the first entry's ID after deletions, if the first entry was deleted:
    /// one seek from it.
    pub fn fix_first_id(&mut self, txn: &Txn<'_>) -> Result<()> {
        if self.meta.size == 0 {
            self.info.first_id = StreamId::MIN;
            return Ok(());
        }
        let old = self.info.first_id;
        if !self.deleted.contains(&old) {
            return Ok(());
        }
        let deleted = &self.deleted;
        let mut first = None;
        scan_entries(txn, self.meta.version, old, StreamId::MAX, false, &mut |id, _| {
            if deleted.contains(&id) {
                return true;
            }
            first = Some(id);
            false
        })?;
        self.info.first_id = first.or(self.appended.map(|a| a.0)).unwrap_or(StreamId::MIN);
        Ok(())
    }

    /// Trims the stream as `args` ask; answers how many entries were removed. As Redis's
    /// `streamTrim`, node by node from the oldest: a node goes whole while the stream
    /// stays at least MAXLEN long (MINID: while its last entry is below the ID) and LIMIT
    /// allows; then, unless `~`, the entries of the next node one by one. Walks the
    /// entries it removes and one node more, then deletes them: point deletes for a few,
    /// one range tombstone for many. O(removed).
    pub fn trim(&mut self, txn: &mut Txn<'_>, args: TrimArgs) -> Result<u64> {
        if let Trim::MaxLen(max) = args.strategy {
            if self.meta.size <= max {
                return Ok(0);
            }
        }
        let mut walk = TrimWalk { args, length: self.meta.size, doomed: Vec::new(), node: None, stopped: false };
        if !self.fresh {
            let deleted = &self.deleted;
            let appended = self.appended.map(|a| a.0);
            scan_entries(txn, self.meta.version, StreamId::MIN, StreamId::MAX, false, &mut |id, v| {
                if deleted.contains(&id) || Some(id) == appended {
                    return true;
                }
                walk.visit(id, entry_node(v))
            })?;
        }
        if !walk.stopped {
            if let Some((id, node)) = self.appended {
                walk.visit(id, node);
            }
            walk.flush();
        }
        let doomed = walk.doomed;
        let n = doomed.len() as u64;
        if n == 0 {
            return Ok(0);
        }
        let version = self.meta.version;
        if doomed.len() >= RANGE_DELETE_MIN {
            let from = keys::sub_key(version, &entry_key(doomed[0].0));
            let to = keys::sub_key(version, &entry_key_after(doomed[doomed.len() - 1].0));
            txn.batch_mut().delete_range(Cf::Sub, from, to);
            // A point delete too, so the record cache drops its window of this version.
            txn.sub_delete(version, &entry_key(doomed[0].0));
        } else {
            for (id, _) in &doomed {
                txn.sub_delete(version, &entry_key(*id));
            }
        }
        let last = doomed[doomed.len() - 1].0;
        for &(id, node) in &doomed {
            self.left_node(node, 1);
            self.deleted.insert(id);
        }
        if self.appended.is_some_and(|a| a.0 <= last) {
            self.appended = None;
        }
        self.meta.size -= n;
        self.dirty = true;
        self.info.first_id = StreamId::MIN;
        if self.meta.size > 0 {
            let mut first = None;
            if let Some(from) = last.incr() {
                let deleted = &self.deleted;
                scan_entries(txn, version, from, StreamId::MAX, false, &mut |id, _| {
                    if deleted.contains(&id) {
                        return true;
                    }
                    first = Some(id);
                    false
                })?;
            }
            self.info.first_id = first.or(self.appended.map(|a| a.0)).unwrap_or(StreamId::MIN);
        }
        Ok(n)
    }

    // ----- groups -----

    /// The group `name` as this command has made it. O(1).
    pub fn group(&mut self, txn: &Txn<'_>, name: &[u8]) -> Result<Option<Group>> {
        if let Some((g, _)) = self.groups.get(name) {
            return Ok(*g);
        }
        let g = if self.fresh {
            None
        } else {
            txn.sub_get(self.meta.version, &group_key(name))?.and_then(|v| Group::decode(&v))
        };
        self.groups.insert(Bytes::copy_from_slice(name), (g, false));
        Ok(g)
    }

    /// Writes the group `name` (at `finish`).
    pub fn put_group(&mut self, name: &[u8], group: Group) {
        self.groups.insert(Bytes::copy_from_slice(name), (Some(group), true));
    }

    /// Creates a group; false if it exists.
    pub fn create_group(&mut self, txn: &Txn<'_>, name: &[u8], last_id: StreamId, entries_read: i64) -> Result<bool> {
        if self.group(txn, name)?.is_some() {
            return Ok(false);
        }
        self.put_group(name, Group { last_id, entries_read, pending: 0, consumers: 0 });
        Ok(true)
    }

    /// Destroys a group with its consumers and pending entries (three range tombstones);
    /// false if there was none.
    pub fn destroy_group(&mut self, txn: &mut Txn<'_>, name: &[u8]) -> Result<bool> {
        if self.group(txn, name)?.is_none() {
            return Ok(false);
        }
        let version = self.meta.version;
        for tag in [CONSUMER, PEL, CPEL] {
            let prefix = group_prefix(tag, name);
            let end = keys::prefix_end(&prefix);
            txn.batch_mut().delete_range(Cf::Sub, keys::sub_key(version, &prefix), keys::sub_key(version, &end));
        }
        txn.sub_delete(version, &group_key(name));
        self.groups.insert(Bytes::copy_from_slice(name), (None, false));
        self.consumers.retain(|(g, _), _| g != name);
        self.pel.retain(|(g, _), _| g != name);
        Ok(true)
    }

    // ----- consumers -----

    /// The consumer as this command has made it. O(1).
    pub fn consumer(&mut self, txn: &Txn<'_>, group: &[u8], name: &[u8]) -> Result<Option<Consumer>> {
        let k = (Bytes::copy_from_slice(group), Bytes::copy_from_slice(name));
        if let Some((c, _)) = self.consumers.get(&k) {
            return Ok(*c);
        }
        let c = if self.fresh {
            None
        } else {
            txn.sub_get(self.meta.version, &consumer_key(group, name))?.and_then(|v| Consumer::decode(&v))
        };
        self.consumers.insert(k, (c, false));
        Ok(c)
    }

    fn put_consumer(&mut self, group: &[u8], name: &[u8], c: Consumer) {
        self.consumers.insert((Bytes::copy_from_slice(group), Bytes::copy_from_slice(name)), (Some(c), true));
    }

    /// Creates the consumer if it does not exist; answers whether it did not. The group
    /// must exist.
    pub fn create_consumer(&mut self, txn: &Txn<'_>, group: &[u8], name: &[u8]) -> Result<bool> {
        if self.consumer(txn, group, name)?.is_some() {
            return Ok(false);
        }
        self.put_consumer(group, name, Consumer { seen: txn.now, active: -1, pending: 0 });
        if let Some(mut g) = self.group(txn, group)? {
            g.consumers += 1;
            self.put_group(group, g);
        }
        Ok(true)
    }

    /// The consumer, created if missing, its seen time set to now (Redis's lookup
    /// without `SLC_NO_REFRESH`); `active` also sets its active time.
    pub fn see_consumer(&mut self, txn: &Txn<'_>, group: &[u8], name: &[u8], active: bool) -> Result<()> {
        self.create_consumer(txn, group, name)?;
        if let Some(mut c) = self.consumer(txn, group, name)? {
            c.seen = txn.now;
            if active {
                c.active = txn.now;
            }
            self.put_consumer(group, name, c);
        }
        Ok(())
    }

    /// Deletes a consumer and its pending entries; answers how many it had, `None` if
    /// it did not exist. O(its pending entries).
    pub fn delete_consumer(&mut self, txn: &mut Txn<'_>, group: &[u8], name: &[u8]) -> Result<Option<u64>> {
        let Some(c) = self.consumer(txn, group, name)? else { return Ok(None) };
        let ids = self.stored().consumer_pending(txn, group, name, StreamId::MIN, StreamId::MAX, 0)?;
        let version = self.meta.version;
        let mut removed = 0u64;
        for id in ids {
            if let Some(nack) = self.nack(txn, group, id)? {
                if nack.consumer == name {
                    txn.sub_delete(version, &pel_key(group, id));
                    self.pel.insert((Bytes::copy_from_slice(group), id), None);
                    removed += 1;
                }
            }
            txn.sub_delete(version, &cpel_key(group, name, id));
        }
        txn.sub_delete(version, &consumer_key(group, name));
        self.consumers.insert((Bytes::copy_from_slice(group), Bytes::copy_from_slice(name)), (None, false));
        if let Some(mut g) = self.group(txn, group)? {
            g.consumers = g.consumers.saturating_sub(1);
            g.pending = g.pending.saturating_sub(removed);
            self.put_group(group, g);
        }
        Ok(Some(c.pending.max(removed)))
    }

    // ----- pending entries -----

    /// The pending entry `id` of `group` as this command has made it. O(1).
    pub fn nack(&mut self, txn: &Txn<'_>, group: &[u8], id: StreamId) -> Result<Option<Nack>> {
        let k = (Bytes::copy_from_slice(group), id);
        if let Some(n) = self.pel.get(&k) {
            return Ok(n.clone());
        }
        let n = if self.fresh {
            None
        } else {
            txn.sub_get(self.meta.version, &pel_key(group, id))?.and_then(|v| Nack::decode(&v))
        };
        self.pel.insert(k, n.clone());
        Ok(n)
    }

    /// Adjusts a consumer's pending count (the consumer is created if missing).
    fn consumer_pending_delta(&mut self, txn: &Txn<'_>, group: &[u8], name: &[u8], delta: i64) -> Result<()> {
        self.create_consumer(txn, group, name)?;
        if let Some(mut c) = self.consumer(txn, group, name)? {
            c.pending = c.pending.saturating_add_signed(delta);
            self.put_consumer(group, name, c);
        }
        Ok(())
    }

    /// Records `nack` as the pending entry `id` of `group`: a new one, or one moving to
    /// another consumer, or an update. O(1).
    pub fn put_nack(&mut self, txn: &mut Txn<'_>, group: &[u8], id: StreamId, nack: Nack) -> Result<()> {
        let old = self.nack(txn, group, id)?;
        let version = self.meta.version;
        match &old {
            None => {
                if let Some(mut g) = self.group(txn, group)? {
                    g.pending += 1;
                    self.put_group(group, g);
                }
            }
            Some(o) if o.consumer != nack.consumer => {
                txn.sub_delete(version, &cpel_key(group, &o.consumer, id));
                let from = o.consumer.clone();
                self.consumer_pending_delta(txn, group, &from, -1)?;
            }
            Some(_) => {}
        }
        if old.as_ref().map_or(true, |o| o.consumer != nack.consumer) {
            txn.sub_put(version, &cpel_key(group, &nack.consumer, id), Vec::new());
            let to = nack.consumer.clone();
            self.consumer_pending_delta(txn, group, &to, 1)?;
        }
        txn.sub_put(version, &pel_key(group, id), nack.encode());
        self.pel.insert((Bytes::copy_from_slice(group), id), Some(nack));
        Ok(())
    }

    /// Removes the pending entry `id` of `group` (XACK, or a claim of a deleted entry);
    /// answers whether there was one. O(1).
    pub fn remove_nack(&mut self, txn: &mut Txn<'_>, group: &[u8], id: StreamId) -> Result<bool> {
        let Some(old) = self.nack(txn, group, id)? else { return Ok(false) };
        let version = self.meta.version;
        txn.sub_delete(version, &pel_key(group, id));
        txn.sub_delete(version, &cpel_key(group, &old.consumer, id));
        self.pel.insert((Bytes::copy_from_slice(group), id), None);
        if self.consumer(txn, group, &old.consumer)?.is_some() {
            self.consumer_pending_delta(txn, group, &old.consumer, -1)?;
        }
        if let Some(mut g) = self.group(txn, group)? {
            g.pending = g.pending.saturating_sub(1);
            self.put_group(group, g);
        }
        Ok(true)
    }

    /// Writes what changed: groups, consumers, and the metadata.
    pub fn finish(self, txn: &mut Txn<'_>) -> Result<()> {
        let version = self.meta.version;
        for (name, (g, changed)) in &self.groups {
            if let (Some(g), true) = (g, changed) {
                txn.sub_put(version, &group_key(name), g.encode());
            }
        }
        for ((group, name), (c, changed)) in &self.consumers {
            let group_alive = self.groups.get(group).map_or(true, |(g, _)| g.is_some());
            if let (Some(c), true, true) = (c, changed, group_alive) {
                txn.sub_put(version, &consumer_key(group, name), c.encode());
            }
        }
        if self.dirty {
            let mut meta = self.meta;
            meta.payload = self.info.encode();
            txn.put(self.key, meta)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open as store_in, run};

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn add(t: &mut Txn<'_>, key: &[u8], id: StreamId, trim: Option<TrimArgs>) -> Result<StreamId> {
        let mut s = StreamMut::open_or_create(t, key)?;
        let id = s.add(t, NewId::Exact(id), &[b("f"), b("v")])?;
        if let Some(args) = trim {
            s.trim(t, args)?;
        }
        s.finish(t)?;
        Ok(id)
    }

    fn ids(t: &mut Txn<'_>, key: &[u8]) -> Result<Vec<u64>> {
        let s = open(t, key, Access::Read)?.unwrap();
        Ok(s.range(t, StreamId::MIN, StreamId::MAX, 0, false)?.into_iter().map(|(id, _)| id.ms).collect())
    }

    #[test]
    fn stream_entries_ranges_and_trimming() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        for ms in 1..=300u64 {
            run(&store, |t| add(t, b"s", StreamId::new(ms, 0), None));
        }
        let err = {
            let mut t = Txn::new(&store, 0);
            add(&mut t, b"s", StreamId::new(300, 0), None).unwrap_err()
        };
        assert_eq!(err, Error::StreamIdTooSmall);
        let window = run(&store, |t| {
            let s = open(t, b"s", Access::Read)?.unwrap();
            s.range(t, StreamId::new(10, 0), StreamId::new(20, 0), 3, true)
        });
        assert_eq!(window.iter().map(|e| e.0.ms).collect::<Vec<_>>(), [20, 19, 18]);
        assert_eq!(window[0].1, vec![b("f"), b("v")]);
        // Approximate trimming removes whole nodes only; exact trimming is exact, with a
        // range tombstone for a large trim.
        let approx = TrimArgs { strategy: Trim::MaxLen(150), approx: true, limit: 0 };
        let removed = run(&store, |t| {
            let mut s = StreamMut::open(t, b"s")?.unwrap();
            let n = s.trim(t, approx)?;
            s.finish(t)?;
            Ok(n)
        });
        assert_eq!(removed, 100);
        assert_eq!(run(&store, |t| ids(t, b"s"))[0], 101);
        run(&store, |t| add(t, b"s", StreamId::new(301, 0), Some(TrimArgs { strategy: Trim::MaxLen(2), approx: false, limit: 0 })));
        assert_eq!(run(&store, |t| ids(t, b"s")), [300, 301]);
        run(&store, |t| add(t, b"s", StreamId::new(302, 0), Some(TrimArgs { strategy: Trim::MaxLen(0), approx: false, limit: 0 })));
        let s = run(&store, |t| open(t, b"s", Access::Read)).unwrap();
        assert_eq!((s.len(), s.info.first_id, s.info.last_id, s.info.entries_added), (0, StreamId::MIN, StreamId::new(302, 0), 302));
    }

    #[test]
    fn groups_consumers_and_pending_entries() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        run(&store, |t| add(t, b"s", StreamId::new(1, 0), None));
        run(&store, |t| {
            let mut s = StreamMut::open(t, b"s")?.unwrap();
            assert!(s.create_group(t, b"g", StreamId::MIN, 0)?);
            assert!(!s.create_group(t, b"g", StreamId::MIN, 0)?);
            s.see_consumer(t, b"g", b"alice", true)?;
            let nack = Nack { delivered: 5, deliveries: 1, consumer: b("alice") };
            s.put_nack(t, b"g", StreamId::new(1, 0), nack)?;
            s.finish(t)
        });
        let (g, consumers) = run(&store, |t| {
            let s = open(t, b"s", Access::Read)?.unwrap();
            Ok((s.group(t, b"g")?.unwrap(), s.consumers(t, b"g")?))
        });
        assert_eq!((g.pending, g.consumers), (1, 1));
        assert_eq!(consumers[0].1.pending, 1);
        // Claimed by another consumer, then acknowledged.
        run(&store, |t| {
            let mut s = StreamMut::open(t, b"s")?.unwrap();
            s.put_nack(t, b"g", StreamId::new(1, 0), Nack { delivered: 6, deliveries: 2, consumer: b("bob") })?;
            s.finish(t)
        });
        let pending = run(&store, |t| {
            let s = open(t, b"s", Access::Read)?.unwrap();
            Ok((
                s.consumer_pending(t, b"g", b"alice", StreamId::MIN, StreamId::MAX, 0)?,
                s.consumer_pending(t, b"g", b"bob", StreamId::MIN, StreamId::MAX, 0)?,
                s.consumers(t, b"g")?.into_iter().map(|(n, c)| (n, c.pending)).collect::<Vec<_>>(),
            ))
        });
        assert_eq!(pending.0, []);
        assert_eq!(pending.1, [StreamId::new(1, 0)]);
        assert_eq!(pending.2, [(b("alice"), 0), (b("bob"), 1)]);
        assert!(run(&store, |t| {
            let mut s = StreamMut::open(t, b"s")?.unwrap();
            let acked = s.remove_nack(t, b"g", StreamId::new(1, 0))?;
            s.finish(t)?;
            Ok(acked)
        }));
        let g = run(&store, |t| open(t, b"s", Access::Read)?.unwrap().group(t, b"g")).unwrap();
        assert_eq!(g.pending, 0);
        // Destroying the group removes all of its records.
        run(&store, |t| {
            let mut s = StreamMut::open(t, b"s")?.unwrap();
            assert!(s.destroy_group(t, b"g")?);
            s.finish(t)
        });
        let s = run(&store, |t| open(t, b"s", Access::Read)).unwrap();
        assert!(run(&store, |t| s.groups(t)).is_empty());
        assert!(run(&store, |t| s.consumers(t, b"g")).is_empty());
    }
}
