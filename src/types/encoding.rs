//! OBJECT ENCODING and OBJECT REFCOUNT: the representation Redis 7 would give a value.
//!
//! DiskDB keeps every type in its own records whatever its size, but clients and tests
//! look at what Redis reports, so the answer is worked out from the kind, the size and
//! (for Redis's compact encodings) a bounded look at the elements, with Redis 7's default
//! thresholds.

use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::error::Result;
use crate::storage::Cf;

/// Redis 7 defaults for the compact encodings.
const LISTPACK_BYTES: usize = 8192; // list-max-listpack-size -2
const LISTPACK_ENTRIES: u64 = 128; // hash/set/zset-max-listpack-entries
const LISTPACK_VALUE: usize = 64; // hash/set/zset-max-listpack-value
const INTSET_ENTRIES: u64 = 512; // set-max-intset-entries
const SHARED_INTEGERS: i64 = 10_000;

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
/// compact encodings) a bounded look at its elements.
pub fn encoding(txn: &Txn<'_>, meta: &Meta) -> Result<&'static str> {
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
            // Every entry takes at least 2 bytes: past that many, no need to look.
            let mut bytes = 7;
            if meta.size <= (LISTPACK_BYTES / 2) as u64
                && all(u64::MAX, &mut |_, v| {
                    bytes += listpack_entry(v);
                    bytes <= LISTPACK_BYTES
                })?
            {
                "listpack"
            } else {
                "quicklist"
            }
        }
        Kind::Set => {
            if meta.size <= INTSET_ENTRIES && all(INTSET_ENTRIES, &mut |k, _| crate::num::parse_i64_strict(k).is_some())? {
                "intset"
            } else if meta.size <= LISTPACK_ENTRIES && all(LISTPACK_ENTRIES, &mut |k, _| k.len() <= LISTPACK_VALUE)? {
                "listpack"
            } else {
                "hashtable"
            }
        }
        Kind::Hash => {
            let small = |k: &[u8], v: &[u8]| k.len() <= LISTPACK_VALUE && v.len() <= LISTPACK_VALUE;
            if meta.size <= LISTPACK_ENTRIES && all(LISTPACK_ENTRIES, &mut |k, v| small(k, v))? {
                "listpack"
            } else {
                "hashtable"
            }
        }
        Kind::ZSet => {
            if meta.size <= LISTPACK_ENTRIES && all(LISTPACK_ENTRIES, &mut |k, _| k.len() <= LISTPACK_VALUE)? {
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
}
