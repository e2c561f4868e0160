//! The records of a stream besides its entries' IDs (see the layout in `types/stream.rs`):
//! the metadata payload, group, consumer and pending-entry records, the sub-key of each,
//! and the encoding of an entry's node, fields and values.

use bytes::Bytes;

use super::{StreamId, CONSUMER, CPEL, ENTRY, GROUP, PEL};

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
    pub(super) fn decode(raw: &[u8]) -> Info {
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

    pub(super) fn encode(&self) -> Bytes {
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
    /// The highest ID ever made pending in the group: a delivery above it needs no
    /// lookup of an earlier pending entry (XGROUP SETID can move `last_id` back, not this).
    pub pel_max: StreamId,
}

impl Group {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.last_id.encode().to_vec();
        out.extend_from_slice(&self.entries_read.to_be_bytes());
        out.extend_from_slice(&self.pending.to_be_bytes());
        out.extend_from_slice(&self.consumers.to_be_bytes());
        out.extend_from_slice(&self.pel_max.encode());
        out
    }

    pub(super) fn decode(raw: &[u8]) -> Option<Group> {
        Some(Group {
            last_id: StreamId::decode(raw)?,
            entries_read: i64::from_be_bytes(raw.get(16..24)?.try_into().ok()?),
            pending: u64::from_be_bytes(raw.get(24..32)?.try_into().ok()?),
            consumers: u64::from_be_bytes(raw.get(32..40)?.try_into().ok()?),
            pel_max: raw.get(40..56).and_then(StreamId::decode).unwrap_or(StreamId::MAX),
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
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.seen.to_be_bytes().to_vec();
        out.extend_from_slice(&self.active.to_be_bytes());
        out.extend_from_slice(&self.pending.to_be_bytes());
        out
    }

    pub(super) fn decode(raw: &[u8]) -> Option<Consumer> {
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
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.delivered.to_be_bytes().to_vec();
        out.extend_from_slice(&self.deliveries.to_be_bytes());
        out.extend_from_slice(&self.consumer);
        out
    }

    pub(super) fn decode(raw: &[u8]) -> Option<Nack> {
        Some(Nack {
            delivered: i64::from_be_bytes(raw.get(0..8)?.try_into().ok()?),
            deliveries: u64::from_be_bytes(raw.get(8..16)?.try_into().ok()?),
            consumer: Bytes::copy_from_slice(raw.get(16..)?),
        })
    }
}

/// An entry: its ID and its fields and values, alternating.
pub type Entry = (StreamId, Vec<Bytes>);

pub(super) fn entry_key(id: StreamId) -> [u8; 17] {
    let mut out = [ENTRY; 17];
    out[1..].copy_from_slice(&id.encode());
    out
}

/// The first suffix after entry `id` (exclusive end of a scan that includes `id`).
pub(super) fn entry_key_after(id: StreamId) -> Vec<u8> {
    match id.incr() {
        Some(next) => entry_key(next).to_vec(),
        None => vec![ENTRY + 1],
    }
}

pub(super) fn group_key(group: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + group.len());
    out.push(GROUP);
    out.extend_from_slice(group);
    out
}

/// `[tag][glen u32][group]`: the prefix of one group's records of kind `tag`.
pub(super) fn group_prefix(tag: u8, group: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + group.len() + 24);
    out.push(tag);
    out.extend_from_slice(&(group.len() as u32).to_be_bytes());
    out.extend_from_slice(group);
    out
}

pub(super) fn consumer_key(group: &[u8], consumer: &[u8]) -> Vec<u8> {
    let mut out = group_prefix(CONSUMER, group);
    out.extend_from_slice(consumer);
    out
}

pub(super) fn pel_key(group: &[u8], id: StreamId) -> Vec<u8> {
    let mut out = group_prefix(PEL, group);
    out.extend_from_slice(&id.encode());
    out
}

pub(super) fn cpel_prefix(group: &[u8], consumer: &[u8]) -> Vec<u8> {
    let mut out = group_prefix(CPEL, group);
    out.extend_from_slice(&(consumer.len() as u32).to_be_bytes());
    out.extend_from_slice(consumer);
    out
}

pub(super) fn cpel_key(group: &[u8], consumer: &[u8], id: StreamId) -> Vec<u8> {
    let mut out = cpel_prefix(group, consumer);
    out.extend_from_slice(&id.encode());
    out
}

/// Encodes an entry: its node, its fields and values (`pairs` alternate field, value).
pub(super) fn encode_entry(node: u64, pairs: &[Bytes]) -> Vec<u8> {
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
pub(super) fn entry_node(raw: &[u8]) -> u64 {
    raw.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0)
}

/// The fields and values of an entry record.
pub(super) fn decode_fields(raw: &[u8]) -> Vec<Bytes> {
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
