//! Striped key locks: commands on the same key run one at a time.
//!
//! A key maps to one of a fixed number of mutexes. A command locks the stripes of all
//! its keys in ascending stripe order (deduplicated), so two multi-key commands can never
//! wait on each other in a cycle. Unrelated keys share a stripe only by hash collision,
//! which costs a little waiting, never correctness.

use parking_lot::{Mutex, MutexGuard};

const STRIPES: usize = 4096;

pub struct KeyLocks {
    stripes: Box<[Mutex<()>]>,
}

pub struct Held<'a> {
    _guards: Vec<MutexGuard<'a, ()>>,
}

impl Default for KeyLocks {
    fn default() -> Self {
        KeyLocks { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect() }
    }
}

fn stripe(db: u8, key: &[u8]) -> usize {
    crate::storage::keys::spread(db as u64, key) as usize & (STRIPES - 1)
}

impl KeyLocks {
    /// Locks every `(db, key)` given; the locks are released when [`Held`] drops.
    pub fn lock<'a, 'k>(&'a self, keys: impl IntoIterator<Item = (u8, &'k [u8])>) -> Held<'a> {
        let mut idx: Vec<usize> = keys.into_iter().map(|(db, k)| stripe(db, k)).collect();
        idx.sort_unstable();
        idx.dedup();
        Held { _guards: idx.into_iter().map(|i| self.stripes[i].lock()).collect() }
    }
}
