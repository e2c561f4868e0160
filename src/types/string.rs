//! Strings: inline up to [`INLINE_MAX`] bytes, chunked beyond.
//!
//! ```text
//! Cf::Meta  [db][key]  -> kind String, format 1, payload = the value  (up to INLINE_MAX)
//! Cf::Meta  [db][key]  -> kind String, format 2, version,
//!                         size = length in bytes, no payload          (longer)
//! Cf::Sub   [version u64 BE][chunk index u32 BE]
//!                      -> bytes [i*CHUNK, min((i+1)*CHUNK, length))
//! ```
//! A short string is one RocksDB value, so GET and SET are one point operation. A long
//! one (a big bitmap, a log grown by APPEND) is split into [`CHUNK`]-byte records, so
//! SETBIT, SETRANGE, APPEND and BITFIELD rewrite only the chunks they touch, and GETBIT,
//! GETRANGE, BITFIELD and ranged BITCOUNT/BITPOS read only the chunks they need, instead of rewriting and reading the whole
//! value each time (for a 100 MiB bitmap, 4 KiB per SETBIT instead of 100 MiB). A chunk
//! that was never written reads as zeros, so a sparse bitmap (SETBIT at a high offset)
//! stores only the chunks that hold set bits. Reading the whole value (GET, BITCOUNT,
//! BITOP...) joins the chunks: O(length), as in Redis.
//!
//! [`open`] answers a [`Str`] to read; [`put`] replaces whatever is at a key (SET); a
//! command that changes a string in place (APPEND, SETRANGE, SETBIT, BITFIELD) writes
//! through [`StrMut`].

use bytes::{Bytes, BytesMut};

use super::meta::{Kind, Meta};
use super::txn::{Access, Txn};
use crate::error::Result;
use crate::storage::Cf;

/// Longest value kept inline in the metadata record.
pub const INLINE_MAX: usize = 64 * 1024;
/// Bytes per chunk record of a longer string.
pub const CHUNK: usize = 4 * 1024;

fn chunk_key(i: u64) -> [u8; 4] {
    (i as u32).to_be_bytes()
}

/// A string as a command reads it.
#[derive(Debug, Clone)]
pub struct Str {
    meta: Meta,
}

/// The string at `key`: `None` if missing, WRONGTYPE if another type. `access` decides
/// whether INFO counts the lookup.
pub fn open(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<Str>> {
    Ok(txn.open(key, Kind::String, access)?.map(|meta| Str { meta }))
}

impl Str {
    /// The string whose metadata the caller looked up itself (a lookup of any type).
    pub fn from_meta(meta: Meta) -> Str {
        debug_assert_eq!(meta.kind, Kind::String);
        Str { meta }
    }

    /// The absolute expiry (Unix ms, 0: none).
    pub fn expire_at(&self) -> i64 {
        self.meta.expire_at
    }

    /// The length in bytes. O(1).
    pub fn len(&self) -> u64 {
        len(&self.meta)
    }

    /// The whole value. O(length): an inline value is shared, not copied.
    pub fn value(&self, txn: &Txn<'_>) -> Result<Bytes> {
        if !self.meta.chunked {
            return Ok(self.meta.payload.clone());
        }
        self.read_range(txn, 0, self.meta.size)
    }

    /// Bytes `[from, to)` (`to` clamped to the length). Reads only the chunks the range
    /// covers.
    pub fn read_range(&self, txn: &Txn<'_>, from: u64, to: u64) -> Result<Bytes> {
        read_range(txn, &self.meta, from, to)
    }
}

/// The length of the string `meta`.
fn len(meta: &Meta) -> u64 {
    if meta.chunked {
        meta.size
    } else {
        meta.payload.len() as u64
    }
}

/// Bytes `[from, to)` of the string `meta` (`to` clamped to its length).
fn read_range(txn: &Txn<'_>, meta: &Meta, from: u64, to: u64) -> Result<Bytes> {
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

/// A string opened for an in-place change by one command (APPEND, SETRANGE, SETBIT,
/// BITFIELD): the string at the key, or none yet. The change writes the chunks it
/// touches; `finish` writes the metadata. One change per handle: a second would not see
/// the chunks the first wrote.
pub struct StrMut<'a> {
    key: &'a [u8],
    current: Option<Str>,
    changed: bool,
}

impl<'a> StrMut<'a> {
    /// The string at `key` (or none yet); WRONGTYPE if the key holds another type.
    pub fn open(txn: &mut Txn<'_>, key: &'a [u8]) -> Result<StrMut<'a>> {
        Ok(StrMut { key, current: open(txn, key, Access::Write)?, changed: false })
    }

    /// The string as opened, if the key exists.
    pub fn current(&self) -> Option<&Str> {
        self.current.as_ref()
    }

    /// The length (0 for a missing key).
    pub fn len(&self) -> u64 {
        self.current.as_ref().map_or(0, Str::len)
    }

    /// The expiry (0 for none or a missing key).
    pub fn expire_at(&self) -> i64 {
        self.current.as_ref().map_or(0, Str::expire_at)
    }

    /// Overwrites from byte `offset` with `data`, zero-padding any gap; the expiry
    /// becomes `expire_at`. Answers the new length. See [`StrMut::update`].
    pub fn write_at(&mut self, txn: &mut Txn<'_>, offset: u64, data: &[u8], expire_at: i64) -> Result<u64> {
        let end = offset + data.len() as u64;
        self.update(txn, offset, data.len() as u64, end, expire_at, |bytes| bytes.copy_from_slice(data))
    }

    /// Changes bytes `[offset, offset + len)` in place: `edit` sees their current content
    /// (zeros past the end) and changes it. The string becomes `max(its length, grow_to)`
    /// bytes long (bytes of the span past that are not stored); the expiry becomes
    /// `expire_at`. Answers the new length. A chunked string reads and rewrites only the
    /// chunks the span touches, each once; an inline one that grows past [`INLINE_MAX`]
    /// becomes chunked, storing only the chunks that hold the old value or the span (the
    /// rest reads as zeros).
    pub fn update(
        &mut self,
        txn: &mut Txn<'_>,
        offset: u64,
        len: u64,
        grow_to: u64,
        expire_at: i64,
        edit: impl FnOnce(&mut [u8]),
    ) -> Result<u64> {
        debug_assert!(!self.changed, "one change per StrMut");
        let old = self.current.as_ref().map(|s| &s.meta);
        let meta = update(txn, old, offset, len, grow_to, expire_at, edit)?;
        let new_len = self::len(&meta);
        self.current = Some(Str { meta });
        self.changed = true;
        Ok(new_len)
    }

    /// Writes the new metadata, if anything changed.
    pub fn finish(self, txn: &mut Txn<'_>) -> Result<()> {
        match self.current {
            // Written even when only chunks changed: the key was written (WATCH).
            Some(s) if self.changed => txn.put(self.key, s.meta),
            _ => Ok(()),
        }
    }
}

/// [`StrMut::update`] of the string `old` (`None`: missing): writes the chunks and
/// answers the new metadata.
fn update(
    txn: &mut Txn<'_>,
    old: Option<&Meta>,
    offset: u64,
    len: u64,
    grow_to: u64,
    expire_at: i64,
    edit: impl FnOnce(&mut [u8]),
) -> Result<Meta> {
    let old_len = old.map(self::len).unwrap_or(0);
    let new_len = old_len.max(grow_to);
    let chunked = old.filter(|m| m.chunked);
    let payload = old.filter(|m| !m.chunked).map(|m| m.payload.clone()).unwrap_or_default();
    if chunked.is_none() && new_len as usize <= INLINE_MAX {
        let mut buf = BytesMut::zeroed(new_len.max(offset + len) as usize);
        buf[..payload.len()].copy_from_slice(&payload);
        edit(&mut buf[offset as usize..(offset + len) as usize]);
        buf.truncate(new_len as usize);
        return Ok(Meta::string(buf.freeze(), expire_at));
    }
    // The whole chunks around the span, read once.
    let chunk = CHUNK as u64;
    let chunks_of = |from: u64, to: u64| if from >= to { 0..0 } else { from / chunk..(to - 1) / chunk + 1 };
    let touched = chunks_of(offset, offset + len);
    let (base, top) = if touched.is_empty() { (offset, offset) } else { (touched.start * chunk, touched.end * chunk) };
    let mut buf = match chunked {
        Some(meta) => read_range(txn, meta, base, top)?.to_vec(),
        None => payload.get(base.min(old_len) as usize..top.min(old_len) as usize).unwrap_or_default().to_vec(),
    };
    buf.resize((top - base) as usize, 0);
    edit(&mut buf[(offset - base) as usize..(offset + len - base) as usize]);
    let version = chunked.map_or_else(|| txn.store.new_version(), |m| m.version);
    let stored = chunks_of(offset, (offset + len).min(new_len));
    for i in stored.clone() {
        let start = i * chunk;
        let span = (start + chunk).min(new_len) - start;
        txn.sub_put(version, &chunk_key(i), buf[(start - base) as usize..(start - base + span) as usize].to_vec());
    }
    if chunked.is_none() {
        // Becoming chunked: the old value's chunks outside the span are written too.
        for i in chunks_of(0, old_len).filter(|i| !stored.contains(i)) {
            let start = i * chunk;
            let mut bytes = payload[start as usize..(start + chunk).min(old_len) as usize].to_vec();
            bytes.resize(((start + chunk).min(new_len) - start) as usize, 0);
            txn.sub_put(version, &chunk_key(i), bytes);
        }
    }
    Ok(Meta::chunked_string(version, new_len, expire_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open as store_in, run};

    fn load(t: &mut Txn<'_>, key: &[u8]) -> Result<Option<Meta>> {
        Ok(open(t, key, Access::Write)?.map(|s| s.meta))
    }

    fn value(t: &Txn<'_>, meta: &Meta) -> Result<Bytes> {
        Str::from_meta(meta.clone()).value(t)
    }

    /// APPEND / SETRANGE through the handle; `old` is what the caller looked up.
    fn write_at(t: &mut Txn<'_>, key: &[u8], old: Option<&Meta>, offset: u64, data: &[u8], expire_at: i64) -> Result<u64> {
        let mut s = StrMut::open(t, key)?;
        assert_eq!(s.current().map(|s| &s.meta), old);
        let n = s.write_at(t, offset, data, expire_at)?;
        s.finish(t)?;
        Ok(n)
    }

    fn get(store: &crate::types::Store, key: &[u8]) -> Vec<u8> {
        run(store, |t| {
            let meta = load(t, key)?.expect("present");
            Ok(value(t, &meta)?.to_vec())
        })
    }

    #[test]
    fn long_values_are_chunked_and_patched_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
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
        let store = store_in(dir.path());
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
