//! What hashes, sets and sorted sets share: the lookup behind their `open` and the
//! mutable handle a command writes through.
//!
//! The command's own element writes are in its batch, not yet in storage, so each change
//! is also recorded in the handle, and reads through the handle consult those records
//! first. A collection the command created has nothing in storage yet (its version is
//! new), so reads through its handle never go to storage. `finish` writes the new size,
//! or deletes the key when the collection became empty (as Redis does); a handle that
//! changed nothing writes nothing.

use std::collections::HashMap;

use super::meta::{Kind, Meta};
use super::txn::{Access, Txn};
use crate::error::Result;

/// A collection type, implemented by its read state ([`super::hash::Hash`],
/// [`super::set::Set`], [`super::zset::Zset`]): what the shared lookup and handle need
/// to know of it.
pub trait Collection: Sized {
    /// The kind its metadata records.
    const KIND: Kind;
    /// What a command's handle records of an element it changed.
    type Change;

    /// The read state over metadata known to hold this type.
    fn from_meta(meta: Meta) -> Self;

    /// The metadata it reads.
    fn meta(&self) -> &Meta;

    /// Number of elements. O(1).
    fn len(&self) -> u64 {
        self.meta().size
    }
}

/// The collection of type `C` at `key`: `None` if missing, WRONGTYPE if another type.
/// `access` decides whether INFO counts the lookup. Every collection's `open` is this.
pub fn open<C: Collection>(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<C>> {
    Ok(txn.open(key, C::KIND, access)?.map(C::from_meta))
}

/// A collection of type `C` opened for writing by one command. What it records of each
/// element it changed is a `C::Change` (a set: present or not; a sorted set: its new
/// score or removed). The key and the elements recorded are borrowed from the command's
/// arguments (or its own lists), so recording allocates nothing for a command that
/// changes one element. Each type adds its operations (`impl Opened<'a, Set>`...).
pub struct Opened<'a, C: Collection> {
    key: &'a [u8],
    meta: Meta,
    pending: Pending<'a, C::Change>,
    /// Created by this command: no element is stored under its version.
    fresh: bool,
    changed: bool,
    /// The size stored in the metadata record when the command opened it.
    stored_size: u64,
}

impl<'a, C: Collection> Opened<'a, C> {
    /// The existing collection at `key`, if any; WRONGTYPE if another type.
    pub fn open(txn: &mut Txn<'_>, key: &'a [u8]) -> Result<Option<Self>> {
        Ok(txn.open(key, C::KIND, Access::Write)?.map(|meta| Self::wrap(key, meta, false)))
    }

    /// The collection at `key`, or a new empty one (written only if something is added);
    /// WRONGTYPE if the key holds another type.
    pub fn open_or_create(txn: &mut Txn<'_>, key: &'a [u8]) -> Result<Self> {
        Ok(match txn.open(key, C::KIND, Access::Write)? {
            Some(meta) => Self::wrap(key, meta, false),
            None => Self::wrap(key, Meta::collection(C::KIND, txn.store.new_version()), true),
        })
    }

    fn wrap(key: &'a [u8], meta: Meta, fresh: bool) -> Self {
        let stored_size = meta.size;
        Opened { key, meta, pending: Pending::default(), fresh, changed: false, stored_size }
    }

    /// The read state over the current metadata: its reads see what is stored, not this
    /// command's pending changes.
    pub fn stored(&self) -> C {
        C::from_meta(self.meta.clone())
    }

    /// The metadata as this command has made it so far.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Number of elements as this command has made it so far.
    pub fn len(&self) -> u64 {
        self.meta.size
    }

    /// The version the elements are stored under.
    pub(super) fn version(&self) -> u64 {
        self.meta.version
    }

    /// What this command made of `element`: `Some` if it changed it; `None` if the
    /// stored element (if any) is current, which a caller reads from storage unless
    /// [`Opened::is_fresh`].
    pub(super) fn pending(&self, element: &[u8]) -> Option<&C::Change> {
        self.pending.get(element)
    }

    /// Whether the collection was created by this command (nothing in storage).
    pub(super) fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Records what this command made of `element`, and its effect on the size.
    pub(super) fn record(&mut self, element: &'a [u8], state: C::Change, size_delta: i64) {
        self.pending.insert(element, state);
        self.meta.size = self.meta.size.saturating_add_signed(size_delta);
        self.changed = true;
    }

    /// Empties the collection: `finish` then deletes the key, one metadata delete however
    /// many elements there were. Elements added after this go to a new version (the key
    /// is then written as a new collection, without the old TTL, as after a DEL).
    pub fn clear(&mut self, txn: &Txn<'_>) {
        self.meta = Meta::collection(self.meta.kind, txn.store.new_version());
        self.pending = Pending::default();
        self.fresh = true;
        self.changed = true;
    }

    /// Writes the new size, or deletes the key if the collection became empty.
    pub fn finish(self, txn: &mut Txn<'_>) -> Result<()> {
        if !self.changed {
            return Ok(());
        }
        if !self.fresh && self.meta.size == self.stored_size {
            // Elements changed in place (HSET or HINCRBY of an existing field, a new score
            // for a member): the metadata record would be written back as stored, one
            // RocksDB record of two (of four for a sorted set) for nothing. The key still
            // counts as changed (WATCH, client-side caching, the dirty counter).
            txn.mark_changed(self.key);
            return Ok(());
        }
        if self.meta.size == 0 {
            txn.delete(self.key)?;
        } else {
            txn.put(self.key, self.meta)?;
        }
        Ok(())
    }
}

/// The elements one command changed. The first sits inline, so a command that changes
/// one element (HSET, SADD, ZADD of one member) does not allocate a map.
struct Pending<'a, P> {
    first: Option<(&'a [u8], P)>,
    rest: HashMap<&'a [u8], P>,
}

impl<P> Default for Pending<'_, P> {
    fn default() -> Self {
        Pending { first: None, rest: HashMap::new() }
    }
}

impl<'a, P> Pending<'a, P> {
    fn get(&self, element: &[u8]) -> Option<&P> {
        match &self.first {
            Some((e, p)) if *e == element => Some(p),
            Some(_) => self.rest.get(element),
            None => None,
        }
    }

    fn insert(&mut self, element: &'a [u8], state: P) {
        match &mut self.first {
            None => self.first = Some((element, state)),
            Some((e, p)) if *e == element => *p = state,
            Some(_) => {
                self.rest.insert(element, state);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_keeps_the_last_state_of_each_element() {
        let mut p: Pending<'_, u32> = Pending::default();
        assert_eq!(p.get(b"a"), None);
        p.insert(b"a", 1);
        p.insert(b"b", 2);
        p.insert(b"a", 3);
        p.insert(b"b", 4);
        p.insert(b"c", 5);
        assert_eq!((p.get(b"a"), p.get(b"b"), p.get(b"c"), p.get(b"d")), (Some(&3), Some(&4), Some(&5), None));
        assert!(p.rest.len() == 2);
    }
}
