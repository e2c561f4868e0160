//! Cursors of the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN).
//!
//! Redis cursors are integers, but keys and elements here live in byte order in RocksDB,
//! so the natural place to resume is "after key X". A cursor handed to a client is a
//! sequence number naming X in a fixed ring of slots: a cursor resumes only while its
//! slot still holds it, so the table's memory is bounded and a very old cursor (more
//! than the ring's size newer ones since) or one from before a restart is unknown. SCAN
//! refuses an unknown cursor; HSCAN, SSCAN and ZSCAN read it as a number of elements to
//! skip, so any integer continues an iteration that ends.
//!
//! HSCAN, SSCAN and ZSCAN share everything here but the key lookup and the reply items:
//! options ([`ScanOpts`]), paging ([`collection_page`]) and the reply shape.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bytes::Bytes;
use parking_lot::Mutex;

use super::args::{self, is, Args};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::storage::Cf;
use crate::types::{Meta, Txn};

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

/// Parses a cursor as Redis does (`strtoul` base 10, nothing around it): decimal digits
/// with an optional sign, `-N` wrapping to 2^64 - N, and the empty string reading as 0.
/// Error: `ERR invalid cursor` (leading or trailing junk, overflow).
pub fn parse(raw: &[u8]) -> Result<u64> {
    let (negative, digits) = match raw.split_first() {
        None => return Ok(0),
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        Some(_) => (false, raw),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Error::InvalidCursor);
    }
    let mut n: u64 = 0;
    for &d in digits {
        n = n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d - b'0'))).ok_or(Error::InvalidCursor)?;
    }
    Ok(if negative { n.wrapping_neg() } else { n })
}

/// MATCH and COUNT of the SCAN family, and NOVALUES where the command takes it (HSCAN).
pub struct ScanOpts {
    pattern: Option<Bytes>,
    pub count: usize,
    pub no_values: bool,
}

impl ScanOpts {
    /// Parses options from `argv[from..]`. COUNT must be a positive integer; an option
    /// without its value, or an unknown one, is a syntax error (as Redis's
    /// `scanGenericCommand`).
    pub fn parse(argv: &[Bytes], from: usize, novalues: bool) -> Result<ScanOpts> {
        let mut opts = ScanOpts { pattern: None, count: 10, no_values: false };
        let mut a = Args::new(argv, from);
        while let Some(opt) = a.next() {
            if is(opt, "count") && a.remaining() >= 1 {
                let n = args::int(a.value()?)?;
                if n < 1 {
                    return Err(Error::Syntax);
                }
                opts.count = usize::try_from(n).unwrap_or(usize::MAX);
            } else if is(opt, "match") && a.remaining() >= 1 {
                let p = a.value()?;
                opts.pattern = if &p[..] == b"*" { None } else { Some(p.clone()) };
            } else if novalues && is(opt, "novalues") {
                opts.no_values = true;
            } else {
                return Err(Error::Syntax);
            }
        }
        Ok(opts)
    }

    pub fn wants(&self, member: &[u8]) -> bool {
        self.pattern.as_ref().is_none_or(|p| crate::glob::matches(p, member, false))
    }
}

/// `[cursor, items]`, the reply of every SCAN-family command.
pub fn reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::bulk_str(&cursor.to_string()), Reply::Array(items)])
}

/// The reply for a missing key: an ended, empty iteration.
pub fn empty() -> Reply {
    reply(0, Vec::new())
}

/// Collections up to this size come whole from cursor 0 (whatever COUNT says), as Redis
/// answers for its compact encodings.
const WHOLE_MAX: u64 = 128;
/// Most records one call reads, whatever COUNT asks.
const PAGE_MAX: usize = 1 << 20;

/// One page of HSCAN, SSCAN or ZSCAN: member records (field and value, member and
/// empty value, member and score) of the collection `meta` from `cursor`, and the
/// cursor that continues after it (0 once the walk is complete). O(count).
pub fn collection_page(txn: &Txn<'_>, meta: &Meta, cursor: u64, count: usize) -> Result<(u64, Vec<(Bytes, Bytes)>)> {
    let count = count.min(PAGE_MAX);
    let (page, done) = match cursor {
        0 if meta.size <= WHOLE_MAX => txn.sub_page(meta.version, None, usize::MAX)?,
        0 => txn.sub_page(meta.version, None, count)?,
        id => match collection_cursors().load(id) {
            Some(after) => txn.sub_page(meta.version, Some(&after), count)?,
            None => skip_page(txn, meta, id, count)?,
        },
    };
    let next = match (done, page.last()) {
        (false, Some((last, _))) => collection_cursors().save(last.clone()),
        _ => 0,
    };
    Ok((next, page))
}

/// A page after skipping `skip` records: what an unknown cursor means. O(skip + count).
fn skip_page(txn: &Txn<'_>, meta: &Meta, skip: u64, count: usize) -> Result<(Vec<(Bytes, Bytes)>, bool)> {
    if skip >= meta.size {
        return Ok((Vec::new(), true));
    }
    let (mut out, mut done, mut pos) = (Vec::new(), true, 0u64);
    txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |k, v| {
        pos += 1;
        if pos <= skip {
            return true;
        }
        if out.len() >= count {
            done = false;
            return false;
        }
        out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v)));
        true
    })?;
    Ok((out, done))
}

/// Resume points of HSCAN, SSCAN and ZSCAN.
fn collection_cursors() -> &'static Cursors {
    static CURSORS: OnceLock<Cursors> = OnceLock::new();
    CURSORS.get_or_init(|| Cursors::new(1 << 16))
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
    fn cursors_parse_like_redis_strtoul() {
        // Checked against redis-server 7.0 (`SCAN <cursor>`).
        for (raw, want) in [
            (&b"0"[..], 0),
            (b"", 0),
            (b"+5", 5),
            (b"-0", 0),
            (b"-1", u64::MAX),
            (b"-18446744073709551615", 1),
            (b"18446744073709551615", u64::MAX),
        ] {
            assert_eq!(parse(raw).unwrap(), want, "{raw:?}");
        }
        for bad in [&b"-"[..], b"+", b"1x", b"18446744073709551616", b"-18446744073709551616", b" 1", b"1 ", b"0x10"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
