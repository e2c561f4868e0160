//! Hot metadata: the metadata records of keys read over and over, in memory.
//!
//! Every command starts with a point read of its key's metadata. In RocksDB that is a
//! skip-list search of the memtable (tens of cache misses in a 64 MB memtable) or a table
//! lookup. A key that many clients hammer (a queue, a leaderboard, a counter) pays that
//! on every command. This is a small direct-mapped table: each key hashes to one slot,
//! a read that misses fills the slot, and a write updates the slot only if it already
//! holds that key, so a stream of writes to random keys costs one slot check each and
//! allocates nothing.
//!
//! Exact by construction: every metadata write updates (or empties) a slot holding its
//! key when the write is submitted, before any reader can see the write elsewhere; a
//! range deletion empties every slot; a value read from storage is filled in only if no
//! write reached its slot between the miss and the fill (the slot's epoch), so a slow
//! reader can never put back a value a write replaced.

use parking_lot::Mutex;

/// Slots in the table (a power of two).
const SLOTS: usize = 16384;
/// Longest record kept; longer ones (big inline strings) are read from storage.
const MAX_VALUE: usize = 512;

#[derive(Default)]
struct Slot {
    key: Box<[u8]>,
    value: Option<Box<[u8]>>,
    /// Bumped by every write to the slot.
    epoch: u64,
}

pub struct HotMeta {
    slots: Box<[Mutex<Slot>]>,
}

/// A miss: fill with this after reading storage.
pub struct Miss {
    slot: usize,
    epoch: u64,
}

fn slot_of(key: &[u8]) -> usize {
    super::keys::spread(0, key) as usize & (SLOTS - 1)
}

impl Default for HotMeta {
    fn default() -> HotMeta {
        HotMeta { slots: (0..SLOTS).map(|_| Mutex::new(Slot::default())).collect() }
    }
}

impl HotMeta {
    /// The record on a hit, else what [`HotMeta::fill`] needs.
    pub fn get(&self, key: &[u8]) -> Result<Vec<u8>, Miss> {
        let slot = slot_of(key);
        let s = self.slots[slot].lock();
        match &s.value {
            Some(v) if *s.key == *key => Ok(v.to_vec()),
            _ => Err(Miss { slot, epoch: s.epoch }),
        }
    }

    /// Keeps what storage answered for `key` after `miss`, unless a write reached the
    /// slot since. Missing keys are not kept: storage answers those from bloom filters.
    pub fn fill(&self, key: &[u8], miss: Miss, value: Option<&[u8]>) {
        let Some(value) = value.filter(|v| v.len() <= MAX_VALUE) else { return };
        let mut s = self.slots[miss.slot].lock();
        if s.epoch == miss.epoch {
            s.key = key.into();
            s.value = Some(value.into());
        }
    }

    /// A write of `key` (`None`: deleted): updates its slot if the slot holds it.
    pub fn write(&self, key: &[u8], value: Option<&[u8]>) {
        let mut s = self.slots[slot_of(key)].lock();
        s.epoch += 1;
        if s.value.is_some() && *s.key == *key {
            s.value = value.filter(|v| v.len() <= MAX_VALUE).map(Into::into);
        }
    }

    /// Forgets everything (after a range deletion).
    pub fn clear(&self) {
        for slot in self.slots.iter() {
            let mut s = slot.lock();
            s.epoch += 1;
            s.value = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_then_hit_then_write_through() {
        let h = HotMeta::default();
        let miss = h.get(b"a").err().expect("empty table misses");
        h.fill(b"a", miss, Some(b"1"));
        assert_eq!(h.get(b"a").ok(), Some(b"1".to_vec()));
        h.write(b"a", Some(b"2"));
        assert_eq!(h.get(b"a").ok(), Some(b"2".to_vec()), "a write updates a resident key");
        h.write(b"a", None);
        assert!(h.get(b"a").is_err(), "a deletion empties the slot");
        h.write(b"b", Some(b"3"));
        assert!(h.get(b"b").is_err(), "writes do not fill");
    }

    #[test]
    fn a_fill_after_a_write_is_dropped() {
        let h = HotMeta::default();
        let miss = h.get(b"k").err().unwrap();
        // A write lands between the reader's miss and its fill: the reader's value is old.
        h.write(b"k", Some(b"new"));
        h.fill(b"k", miss, Some(b"old"));
        assert!(h.get(b"k").is_err());
    }

    #[test]
    fn clear_and_big_values() {
        let h = HotMeta::default();
        let miss = h.get(b"k").err().unwrap();
        h.fill(b"k", miss, Some(b"v"));
        h.clear();
        assert!(h.get(b"k").is_err());
        let miss = h.get(b"big").err().unwrap();
        h.fill(b"big", miss, Some(&[0u8; MAX_VALUE + 1]));
        assert!(h.get(b"big").is_err(), "long records are not kept");
    }
}
