//! The access clock behind OBJECT IDLETIME: when each key was last read or written.
//!
//! Redis keeps a 24-bit LRU clock in every object. DiskDB keeps values on disk, so the
//! clock lives in a fixed in-memory table instead: the key's hash picks one of 2^20
//! slots holding the second (since the server started) of its last access. Memory is
//! fixed (4 MiB) whatever the number of keys. Two keys sharing a slot both read the
//! later access, so IDLETIME can under-report for a key that collides with a busier one;
//! a slot never written reads as the server's start, as Redis dates every key loaded at
//! start-up to the load.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

const SLOTS: usize = 1 << 20;
/// The start of the server reads as this many seconds, so RESTORE can date a key before
/// the server started (by up to 34 years; larger IDLETIME values are clamped).
const START: u32 = 1 << 30;

pub struct AccessClock {
    started: Instant,
    /// `START` + seconds since `started` at the last access (0: never accessed).
    slots: Box<[AtomicU32]>,
}

impl Default for AccessClock {
    fn default() -> Self {
        AccessClock { started: Instant::now(), slots: (0..SLOTS).map(|_| AtomicU32::new(0)).collect() }
    }
}

fn slot(db: u8, key: &[u8]) -> usize {
    crate::storage::keys::spread(db as u64, key) as usize & (SLOTS - 1)
}

impl AccessClock {
    fn now(&self) -> u32 {
        self.started.elapsed().as_secs().min((u32::MAX - START) as u64) as u32 + START
    }

    /// Records an access to `key` now.
    pub fn touch(&self, db: u8, key: &[u8]) {
        let s = &self.slots[slot(db, key)];
        let now = self.now();
        // Skip the store when the slot already says "this second": no cache-line traffic.
        if s.load(Ordering::Relaxed) != now {
            s.store(now, Ordering::Relaxed);
        }
    }

    /// Records that `key` was last accessed `idle` seconds ago (RESTORE IDLETIME).
    pub fn set_idle(&self, db: u8, key: &[u8], idle: u64) {
        let at = (self.now() as u64).saturating_sub(idle).max(1) as u32;
        self.slots[slot(db, key)].store(at, Ordering::Relaxed);
    }

    /// Seconds since `key` was last accessed.
    pub fn idle(&self, db: u8, key: &[u8]) -> u64 {
        let at = match self.slots[slot(db, key)].load(Ordering::Relaxed) {
            0 => START,
            at => at,
        };
        (self.now() - at.min(self.now())) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restored_idle_time_counts_up_from_the_given_age() {
        let c = AccessClock::default();
        c.set_idle(0, b"k", 100);
        assert!((100..=101).contains(&c.idle(0, b"k")));
        c.touch(0, b"k");
        assert_eq!(c.idle(0, b"k"), 0);
        // Another database is another key.
        c.set_idle(1, b"k", 50);
        assert_eq!(c.idle(0, b"k"), 0);
    }
}
