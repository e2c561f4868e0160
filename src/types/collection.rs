//! A collection opened for writing by one command: what sets and sorted sets share.
//!
//! The command's own element writes are in its batch, not yet in storage, so each change
//! is also recorded in `pending`, which reads consult first. `finish` writes the new
//! size, or deletes the key when the collection became empty (as Redis does).

use std::collections::HashMap;

use bytes::Bytes;

use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::error::Result;

pub struct Opened<P> {
    key: Bytes,
    pub meta: Meta,
    /// What this command made of each element it changed.
    pub(super) pending: HashMap<Bytes, P>,
    changed: bool,
}

impl<P> Opened<P> {
    /// The existing collection of `kind` at `key`, if any; WRONGTYPE for another type.
    pub(super) fn open_kind(txn: &mut Txn<'_>, key: &[u8], kind: Kind) -> Result<Option<Self>> {
        Ok(txn.get_kind(key, kind)?.map(|meta| Self::wrap(key, meta)))
    }

    /// The collection at `key`, or a new empty one (written only if something is added).
    pub(super) fn open_or_create_kind(txn: &mut Txn<'_>, key: &[u8], kind: Kind) -> Result<Self> {
        let meta = match txn.get_kind(key, kind)? {
            Some(m) => m,
            None => Meta::collection(kind, txn.store.new_version()),
        };
        Ok(Self::wrap(key, meta))
    }

    fn wrap(key: &[u8], meta: Meta) -> Self {
        Opened { key: Bytes::copy_from_slice(key), meta, pending: HashMap::new(), changed: false }
    }

    pub fn len(&self) -> u64 {
        self.meta.size
    }

    pub fn is_empty(&self) -> bool {
        self.meta.size == 0
    }

    /// Records what this command made of `member`.
    pub(super) fn record(&mut self, member: &[u8], state: P) {
        self.pending.insert(Bytes::copy_from_slice(member), state);
        self.changed = true;
    }

    /// Writes the new size, or deletes the key if the collection became empty.
    pub fn finish(self, txn: &mut Txn<'_>) -> Result<()> {
        if !self.changed {
            return Ok(());
        }
        if self.meta.size == 0 {
            txn.delete(&self.key)?;
        } else {
            txn.put(&self.key, self.meta)?;
        }
        Ok(())
    }
}
