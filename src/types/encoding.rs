//! OBJECT ENCODING and OBJECT REFCOUNT: the representation Redis 7 would give a value.
//!
//! DiskDB keeps every type in its own records whatever its size, but clients and tests
//! look at what Redis reports, so the answer is worked out from the kind, the size and
//! (for Redis's compact encodings) a bounded look at the elements, against the encoding
//! tunables of the server config ([`crate::config::Encoding`]: `hash-max-listpack-*`,
//! `zset-max-listpack-*`, `set-max-intset-entries`, `list-max-listpack-size`).
//!
//! Where Redis 7.0 and 7.2 differ, DiskDB answers as 7.2 for small lists and small
//! non-integer sets (`listpack`; 7.0 said `quicklist` and `hashtable`). 7.0 has no
//! `set-max-listpack-*` tunables, so those sets use 7.2's defaults (128 entries, 64 bytes).
//! `list-compress-depth` only says how many quicklist nodes stay uncompressed: it never
//! changes the encoding name, in 7.0 or 7.2. The answer is worked out from the value as it
//! is now, so Redis's path dependence (7.2 converts a quicklist back to a listpack only
//! below half the limit; neither converts back from `hashtable`) is not reproduced.

use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::config::Encoding;
use crate::error::Result;
use crate::storage::Cf;

/// Redis 7.2's set-max-listpack-entries and -value defaults (7.0 has no such tunables).
const SET_LISTPACK_ENTRIES: u64 = 128;
const SET_LISTPACK_VALUE: usize = 64;
/// Node sizes for list-max-listpack-size -1 to -5 (quicklist.c's `optimization_level`).
const LIST_SIZE_CLASSES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// A list node bounded by a count is also bounded by this many bytes (`SIZE_SAFETY_LIMIT`).
const LIST_SAFETY_BYTES: usize = 8192;
const SHARED_INTEGERS: i64 = 10_000;

/// The bounds of one list node, from `list-max-listpack-size`: (bytes, entries), as
/// quicklist.c's `quicklistNodeLimit` (0 counts as 1 entry, below -5 as -5).
fn list_node_limit(fill: i64) -> (usize, u64) {
    if fill >= 0 {
        (LIST_SAFETY_BYTES, fill.max(1) as u64)
    } else {
        let class = ((-fill - 1) as usize).min(LIST_SIZE_CLASSES.len() - 1);
        (LIST_SIZE_CLASSES[class], u64::MAX)
    }
}

/// Clamps a byte-size tunable for comparison with lengths.
fn value_limit(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// How Redis would encode a string value.
fn string_encoding(v: &[u8]) -> &'static str {
    if crate::num::parse_i64_strict(v).is_some() {
        "int"
    } else if v.len() <= 44 {
        "embstr"
    } else {
        "raw"
    }
}

/// Bytes one element takes in a listpack.
fn listpack_entry(v: &[u8]) -> usize {
    let body = match crate::num::parse_i64_strict(v) {
        Some(i) if (0..128).contains(&i) => 1,
        Some(i) if (-4096..4096).contains(&i) => 2,
        Some(i) if (-32768..32768).contains(&i) => 3,
        Some(i) if (-(1 << 23)..(1 << 23)).contains(&i) => 4,
        Some(i) if (i32::MIN as i64..=i32::MAX as i64).contains(&i) => 5,
        Some(_) => 9,
        None if v.len() < 64 => 1 + v.len(),
        None if v.len() < 4096 => 2 + v.len(),
        None => 5 + v.len(),
    };
    let backlen = match body {
        0..=127 => 1,
        128..=16383 => 2,
        16384..=2097151 => 3,
        2097152..=268435455 => 4,
        _ => 5,
    };
    body + backlen
}

/// The encoding Redis 7 would give the value, from its kind, its size and (for the
/// compact encodings) a bounded look at its elements, with the thresholds in `cfg`.
/// O(1) in the value's size: at most the configured number of elements is looked at
/// (for a list, at most one node's worth).
pub fn encoding(txn: &Txn<'_>, meta: &Meta, cfg: &Encoding) -> Result<&'static str> {
    let all = |limit: u64, ok: &mut dyn FnMut(&[u8], &[u8]) -> bool| -> Result<bool> {
        let (mut fine, mut n) = (true, 0);
        txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |k, v| {
            n += 1;
            fine = ok(k, v);
            fine && n < limit
        })?;
        Ok(fine)
    };
    Ok(match meta.kind {
        Kind::String if meta.chunked => "raw",
        Kind::String => string_encoding(&meta.payload),
        Kind::Json => "raw",
        Kind::Stream => "stream",
        Kind::List => {
            let (max_bytes, max_entries) = list_node_limit(cfg.list_max_listpack_size);
            // Every entry takes at least 2 bytes: past that many, no need to look.
            let mut bytes = 7;
            if meta.size <= max_entries
                && meta.size <= (max_bytes / 2) as u64
                && all(u64::MAX, &mut |_, v| {
                    bytes += listpack_entry(v);
                    bytes <= max_bytes
                })?
            {
                "listpack"
            } else {
                "quicklist"
            }
        }
        Kind::Set => {
            // Only integers: an intset within the limit, past it a hashtable (7.0 and 7.2
            // alike). Otherwise 7.2's listpack when small. Past both sizes it is a
            // hashtable whatever the members are, so no need to look.
            let (mut integers, mut short) = (true, true);
            if meta.size <= SET_LISTPACK_ENTRIES.max(cfg.set_max_intset_entries) {
                txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |k, _| {
                    integers &= crate::num::parse_i64_strict(k).is_some();
                    short &= k.len() <= SET_LISTPACK_VALUE;
                    integers || short
                })?;
            } else {
                (integers, short) = (false, false);
            }
            if integers && meta.size <= cfg.set_max_intset_entries {
                "intset"
            } else if !integers && short && meta.size <= SET_LISTPACK_ENTRIES {
                "listpack"
            } else {
                "hashtable"
            }
        }
        Kind::Hash => {
            let max = value_limit(cfg.hash_max_listpack_value);
            let small = |k: &[u8], v: &[u8]| k.len() <= max && v.len() <= max;
            let entries = cfg.hash_max_listpack_entries;
            if meta.size <= entries && all(entries, &mut |k, v| small(k, v))? {
                "listpack"
            } else {
                "hashtable"
            }
        }
        Kind::ZSet => {
            let (entries, max) = (cfg.zset_max_listpack_entries, value_limit(cfg.zset_max_listpack_value));
            if meta.size <= entries && all(entries, &mut |k, _| k.len() <= max)? {
                "listpack"
            } else {
                "skiplist"
            }
        }
    })
}

/// Whether Redis would answer this value from its shared integer objects (OBJECT
/// REFCOUNT answers 2147483647 for those).
pub fn is_shared_integer(meta: &Meta) -> bool {
    meta.kind == Kind::String
        && crate::num::parse_i64_strict(&meta.payload).is_some_and(|i| (0..SHARED_INTEGERS).contains(&i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_encodings() {
        assert_eq!(string_encoding(b"12345"), "int");
        assert_eq!(string_encoding(b"-9223372036854775808"), "int");
        assert_eq!(string_encoding(b"01"), "embstr");
        assert_eq!(string_encoding(&[b'a'; 44]), "embstr");
        assert_eq!(string_encoding(&[b'a'; 45]), "raw");
    }

    #[test]
    fn list_node_limits() {
        assert_eq!(list_node_limit(-2), (8192, u64::MAX));
        assert_eq!(list_node_limit(-1), (4096, u64::MAX));
        assert_eq!(list_node_limit(-5), (65536, u64::MAX));
        assert_eq!(list_node_limit(-100), (65536, u64::MAX));
        assert_eq!(list_node_limit(0), (8192, 1));
        assert_eq!(list_node_limit(128), (8192, 128));
    }
}
