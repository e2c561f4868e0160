//! [`StreamMut`]: a stream opened for writing by one command (XADD, XDEL, trimming,
//! groups, consumers, pending entries), and the node-by-node walk of trimming.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;

use super::records::*;
use super::{
    scan_entries, Consumer, Group, Info, Nack, NewId, Stream, StreamId, Trim, TrimArgs, CONSUMER, CPEL, PEL,
    RANGE_DELETE_MIN,
};
use crate::error::{Error, Result};
use crate::storage::{keys, Cf};
use crate::types::meta::{Kind, Meta};
use crate::types::txn::{Access, Txn};

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
    /// A node holds at most `node_entries` entries (`stream-node-max-entries`, 0: no
    /// bound).
    pub fn add(&mut self, txn: &mut Txn<'_>, new: NewId, pairs: &[Bytes], node_entries: u64) -> Result<StreamId> {
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
        if i.tail_live == 0 || (node_entries > 0 && i.tail_added >= node_entries) {
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

    /// The first entry at or after `from` that this command has not deleted.
    fn first_kept_from(&self, txn: &Txn<'_>, version: u64, from: StreamId) -> Result<Option<StreamId>> {
        let mut first = None;
        scan_entries(txn, version, from, StreamId::MAX, false, &mut |id, _| {
            if self.deleted.contains(&id) {
                return true;
            }
            first = Some(id);
            false
        })?;
        Ok(first)
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
        let first = self.first_kept_from(txn, self.meta.version, old)?;
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
            let first = match last.incr() {
                Some(from) => self.first_kept_from(txn, version, from)?,
                None => None,
            };
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
        self.put_group(name, Group { last_id, entries_read, pending: 0, consumers: 0, pel_max: StreamId::MIN });
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
    /// without `SLC_NO_REFRESH`); `active` also sets its active time. Answers whether
    /// it was created (Redis then raises `xgroup-createconsumer`).
    pub fn see_consumer(&mut self, txn: &Txn<'_>, group: &[u8], name: &[u8], active: bool) -> Result<bool> {
        let created = self.create_consumer(txn, group, name)?;
        if let Some(mut c) = self.consumer(txn, group, name)? {
            c.seen = txn.now;
            if active {
                c.active = txn.now;
            }
            self.put_consumer(group, name, c);
        }
        Ok(created)
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
                    g.pel_max = g.pel_max.max(id);
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

    /// Makes `id` pending for `nack.consumer` as XREADGROUP delivers it: as
    /// [`StreamMut::put_nack`], without looking for an earlier pending entry when `id` is
    /// above every ID the group ever had pending. O(1).
    pub fn deliver(&mut self, txn: &mut Txn<'_>, group: &[u8], id: StreamId, nack: Nack) -> Result<()> {
        if self.group(txn, group)?.is_some_and(|g| id > g.pel_max) {
            self.pel.insert((Bytes::copy_from_slice(group), id), None);
        }
        self.put_nack(txn, group, id, nack)
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
