//! Strings: inline up to [`INLINE_MAX`] bytes, chunked beyond.
//!
//! ```text
//! meta : kind String, format 1, the value inline                (up to INLINE_MAX)
//! meta : kind String, format 2, version, size = length in bytes (longer)
//! sub  : [version][chunk index u32 BE] -> bytes [i*CHUNK, min((i+1)*CHUNK, length))
//! ```
//! A short string is one RocksDB value, so GET and SET are one point operation. A long
//! one (a big bitmap, a log grown by APPEND) is split into [`CHUNK`]-byte records, so
//! SETBIT, SETRANGE, APPEND and BITFIELD rewrite only the chunks they touch, and GETBIT,
//! GETRANGE, BITFIELD and ranged BITCOUNT/BITPOS read only the chunks they need, instead of rewriting and reading the whole
//! value each time (for a 100 MiB bitmap, 4 KiB per SETBIT instead of 100 MiB). A chunk
//! that was never written reads as zeros, so a sparse bitmap (SETBIT at a high offset)
//! stores only the chunks that hold set bits. Reading the whole value (GET, BITCOUNT,
//! BITOP...) joins the chunks: O(length), as in Redis.

use bytes::{Bytes, BytesMut};

use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::error::Result;
use crate::storage::Cf;

/// Longest value kept inline in the metadata record.
pub const INLINE_MAX: usize = 64 * 1024;
/// Bytes per chunk record of a longer string.
pub const CHUNK: usize = 4 * 1024;

fn chunk_key(i: u64) -> [u8; 4] {
    (i as u32).to_be_bytes()
}

/// The length of the string `meta`.
pub fn len(meta: &Meta) -> u64 {
    if meta.chunked {
        meta.size
    } else {
        meta.payload.len() as u64
    }
}

/// The whole value of the string `meta`. O(length).
pub fn value(txn: &Txn<'_>, meta: &Meta) -> Result<Bytes> {
    if !meta.chunked {
        return Ok(meta.payload.clone());
    }
    read_range(txn, meta, 0, meta.size)
}

/// Bytes `[from, to)` of the string `meta` (`to` clamped to its length). Reads only the
/// chunks the range covers.
pub fn read_range(txn: &Txn<'_>, meta: &Meta, from: u64, to: u64) -> Result<Bytes> {
    let to = to.min(len(meta));
    if from >= to {
        return Ok(Bytes::new());
    }
    if !meta.chunked {
        return Ok(meta.payload.slice(from as usize..to as usize));
    }
    let mut out = BytesMut::zeroed((to - from) as usize);
    let (first, last) = (from / CHUNK as u64, (to - 1) / CHUNK as u64);
    txn.sub_scan(Cf::Sub, meta.version, &chunk_key(first), &chunk_key(last + 1), false, &mut |k, v| {
        let Ok(i) = <[u8; 4]>::try_from(k).map(u32::from_be_bytes) else { return true };
        let start = i as u64 * CHUNK as u64;
        // The overlap of this chunk's bytes with [from, to).
        let (a, b) = (start.max(from), (start + v.len() as u64).min(to));
        if a < b {
            out[(a - from) as usize..(b - from) as usize].copy_from_slice(&v[(a - start) as usize..(b - start) as usize]);
        }
        true
    })?;
    Ok(out.freeze())
}

/// Stores `value` at `key` with the given absolute expiry (0: none), inline or chunked
/// by its length, replacing whatever was there.
pub fn put(txn: &mut Txn<'_>, key: &[u8], value: Bytes, expire_at: i64) -> Result<()> {
    if value.len() <= INLINE_MAX {
        return txn.put(key, Meta::string(value, expire_at));
    }
    let version = txn.store.new_version();
    for (i, chunk) in value.chunks(CHUNK).enumerate() {
        txn.sub_put(version, &chunk_key(i as u64), chunk.to_vec());
    }
    txn.put(key, Meta::chunked_string(version, value.len() as u64, expire_at))
}

/// Overwrites the string at `key` (`old`: its metadata, `None` if missing) from byte
/// `offset` with `data`, zero-padding any gap; keeps the expiry `expire_at`. Answers the
/// new length. A chunked string rewrites only the chunks `data` touches; an inline one
/// that grows past [`INLINE_MAX`] becomes chunked.
pub fn write_at(txn: &mut Txn<'_>, key: &[u8], old: Option<&Meta>, offset: u64, data: &[u8], expire_at: i64) -> Result<u64> {
    let old_len = old.map(len).unwrap_or(0);
    let new_len = old_len.max(offset + data.len() as u64);
    match old {
        Some(meta) if meta.chunked => {
            let (version, end) = (meta.version, offset + data.len() as u64);
            if !data.is_empty() {
                for i in offset / CHUNK as u64..=(end - 1) / CHUNK as u64 {
                    let start = i * CHUNK as u64;
                    let span = (start + CHUNK as u64).min(new_len) - start;
                    let mut chunk = read_range(txn, meta, start, start + span)?.to_vec();
                    chunk.resize(span as usize, 0);
                    let (a, b) = (start.max(offset), (start + span).min(end));
                    chunk[(a - start) as usize..(b - start) as usize]
                        .copy_from_slice(&data[(a - offset) as usize..(b - offset) as usize]);
                    txn.sub_put(version, &chunk_key(i), chunk);
                }
            }
            if new_len != meta.size || expire_at != meta.expire_at {
                txn.put(key, Meta::chunked_string(version, new_len, expire_at))?;
            } else {
                // Same metadata: the chunks alone changed, but the key was written.
                txn.put(key, meta.clone())?;
            }
        }
        _ => {
            let payload = old.map(|m| m.payload.clone()).unwrap_or_default();
            if new_len as usize <= INLINE_MAX {
                let mut buf = BytesMut::zeroed(new_len as usize);
                buf[..payload.len()].copy_from_slice(&payload);
                buf[offset as usize..offset as usize + data.len()].copy_from_slice(data);
                return put(txn, key, buf.freeze(), expire_at).map(|_| new_len);
            }
            // Becomes chunked: write the chunks holding the old value or the new bytes;
            // the rest of a sparse write (SETBIT far out) stays unwritten, reading as zeros.
            let version = txn.store.new_version();
            let chunks_of = |from: u64, n: u64| if n == 0 { 0..0 } else { from / CHUNK as u64..(from + n - 1) / CHUNK as u64 + 1 };
            let mut chunks: Vec<u64> = chunks_of(0, old_len).chain(chunks_of(offset, data.len() as u64)).collect();
            chunks.dedup();
            for i in chunks {
                let start = i * CHUNK as u64;
                let span = (start + CHUNK as u64).min(new_len) - start;
                let mut chunk = vec![0u8; span as usize];
                for (at, bytes) in [(0u64, &payload[..]), (offset, data)] {
                    let (a, b) = (start.max(at), (start + span).min(at + bytes.len() as u64));
                    if a < b {
                        chunk[(a - start) as usize..(b - start) as usize]
                            .copy_from_slice(&bytes[(a - at) as usize..(b - at) as usize]);
                    }
                }
                txn.sub_put(version, &chunk_key(i), chunk);
            }
            txn.put(key, Meta::chunked_string(version, new_len, expire_at))?;
        }
    }
    Ok(new_len)
}

/// The string at `key` for a command about to change it: its metadata, WRONGTYPE if the
/// key holds another type.
pub fn load(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<Meta>> {
    txn.get_kind(key, Kind::String)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open, run};

    fn get(store: &crate::types::Store, key: &[u8]) -> Vec<u8> {
        run(store, |t| {
            let meta = load(t, key)?.expect("present");
            Ok(value(t, &meta)?.to_vec())
        })
    }

    #[test]
    fn long_values_are_chunked_and_patched_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let mut model = vec![7u8; INLINE_MAX + 10];
        run(&store, |t| put(t, b"s", Bytes::from(model.clone()), 0));
        assert!(run(&store, |t| load(t, b"s")).unwrap().chunked);
        assert_eq!(get(&store, b"s"), model);
        // Patches across a chunk edge, past the end (zero gap), and APPEND-like.
        for (offset, data) in [(CHUNK as u64 - 3, vec![1u8; 10]), (300_000, vec![2u8; 5]), (300_005, vec![3u8; CHUNK + 7])] {
            let n = run(&store, |t| {
                let old = load(t, b"s")?;
                write_at(t, b"s", old.as_ref(), offset, &data, 0)
            });
            let end = offset as usize + data.len();
            if model.len() < end {
                model.resize(end, 0);
            }
            model[offset as usize..end].copy_from_slice(&data);
            assert_eq!(n, model.len() as u64);
            assert_eq!(get(&store, b"s"), model);
        }
        // Partial reads see the zero gap and clamp at the end.
        let meta = run(&store, |t| load(t, b"s")).unwrap();
        let txn = Txn::new(&store, 0);
        assert_eq!(read_range(&txn, &meta, 299_990, 300_010).unwrap(), &model[299_990..300_010]);
        assert_eq!(read_range(&txn, &meta, model.len() as u64 - 2, u64::MAX).unwrap(), &model[model.len() - 2..]);
        assert!(read_range(&txn, &meta, u64::MAX - 1, u64::MAX).unwrap().is_empty());
    }

    #[test]
    fn a_short_string_grown_past_the_inline_limit_becomes_chunked() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        run(&store, |t| put(t, b"s", Bytes::from_static(b"abc"), 0));
        run(&store, |t| {
            let old = load(t, b"s")?;
            write_at(t, b"s", old.as_ref(), 1 << 20, b"z", 0)
        });
        let meta = run(&store, |t| load(t, b"s")).unwrap();
        assert!(meta.chunked);
        assert_eq!(len(&meta), (1 << 20) + 1);
        let v = get(&store, b"s");
        assert_eq!((&v[..3], v[1 << 20], v[5000]), (&b"abc"[..], b'z', 0));
    }
}
