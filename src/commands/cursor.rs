//! Cursors of the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN).
//!
//! Redis cursors are integers, but keys and elements here live in byte order in RocksDB,
//! so the natural place to resume is "after key X". A cursor handed to a client is a
//! sequence number naming X in a fixed ring of slots: a cursor resumes only while its
//! slot still holds it, so the table's memory is bounded and a very old cursor (more
//! than the ring's size newer ones since) or one from before a restart is unknown. What
//! an unknown cursor means is each command's choice (SCAN refuses it, HSCAN reads it as a
//! skip count, SSCAN and ZSCAN restart).

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use parking_lot::Mutex;

use crate::error::{Error, Result};

pub struct Cursors {
    next: AtomicU64,
    slots: Mutex<Vec<Option<(u64, Bytes)>>>,
}

impl Cursors {
    /// A ring of `capacity` resume points.
    pub fn new(capacity: usize) -> Cursors {
        Cursors {
            // A random start: cursors from an earlier run very unlikely name a live slot.
            // At least 2^32, so no cursor looks like a small skip count (HSCAN), and
            // below 2^63 for clients that parse cursors as signed numbers.
            next: AtomicU64::new(fastrand::u64(1 << 32..1 << 52)),
            slots: Mutex::new(vec![None; capacity.max(1)]),
        }
    }

    fn slot(&self, id: u64, len: usize) -> usize {
        (id % len as u64) as usize
    }

    /// A new cursor that resumes after `after`.
    pub fn save(&self, after: Bytes) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut slots = self.slots.lock();
        let i = self.slot(id, slots.len());
        slots[i] = Some((id, after));
        id
    }

    /// What `id` resumes after, while its slot still holds it.
    pub fn load(&self, id: u64) -> Option<Bytes> {
        let slots = self.slots.lock();
        match &slots[self.slot(id, slots.len())] {
            Some((saved, after)) if *saved == id => Some(after.clone()),
            _ => None,
        }
    }
}

/// Parses a cursor as an unsigned 64-bit decimal, nothing else. Error: `ERR invalid
/// cursor`.
pub fn parse(raw: &[u8]) -> Result<u64> {
    if raw.is_empty() || raw.len() > 20 || !raw.iter().all(u8::is_ascii_digit) {
        return Err(Error::InvalidCursor);
    }
    std::str::from_utf8(raw).ok().and_then(|s| s.parse().ok()).ok_or(Error::InvalidCursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_resume_until_their_slot_is_reused() {
        let c = Cursors::new(4);
        let first = c.save(Bytes::from_static(b"a"));
        assert!(first >= 1 << 32);
        assert_eq!(c.load(first), Some(Bytes::from_static(b"a")));
        assert_eq!(c.load(first + 4), None);
        for i in 0..4 {
            c.save(Bytes::from(i.to_string()));
        }
        // Bounded: the oldest is gone once the ring has turned.
        assert_eq!(c.load(first), None);
        assert_eq!(c.load(first + 4), Some(Bytes::from_static(b"3")));
    }

    #[test]
    fn cursors_parse_like_redis() {
        assert_eq!(parse(b"0").unwrap(), 0);
        assert_eq!(parse(b"18446744073709551615").unwrap(), u64::MAX);
        for bad in [&b""[..], b"-1", b"1x", b"18446744073709551616", b" 1"] {
            assert!(parse(bad).is_err());
        }
    }
}
