//! JSON documents (RedisJSON's `ReJSON-RL` type): one serialized document per key,
//! inline in the metadata record when short, in chunk records of a version when long.
//!
//! ```text
//! Cf::Meta  [db][key]  -> kind Json, format 1, payload = the document as compact JSON
//!                         text                                      (up to INLINE_MAX)
//! Cf::Meta  [db][key]  -> kind Json, format 2, version,
//!                         size = length of the text in bytes, no payload   (longer)
//! Cf::Sub   [version u64 BE][chunk index u32 BE]
//!                      -> bytes [i*CHUNK, min((i+1)*CHUNK, length)) of the text
//! ```
//! The stored text is what `JSON.GET key $` prints without formatting options, so a
//! plain JSON.GET of the root is one point read (or one range scan) and no re-printing.
//!
//! # What a change costs
//! Every command that changes a document (JSON.SET of one field, NUMINCRBY, ARRAPPEND...)
//! reads the whole text, parses it, changes the parsed tree in memory and writes the
//! whole text back: O(document size) in CPU and in bytes written, i.e. one rewrite of
//! the document, never more (several paths of one command are applied to the one parsed
//! tree and written once). A field's position in the text moves whenever anything before
//! it changes length, so rewriting only the touched chunks would save little but the
//! rare same-length edit; a per-node record layout would make every read of the whole
//! document (the common JSON.GET) a scan of thousands of records. A long document is
//! written under a fresh version each time, so its old chunks are never deleted one by
//! one: they become invisible at once and compaction drops them (as an overwritten
//! collection's). For a 100 KB document a NUMINCRBY is thus ~100 KB parsed, printed and
//! written; for a 1 KB one it is a single small metadata write.
//!
//! DEL, UNLINK and overwrite are O(1) (one metadata delete); RENAME, MOVE, COPY,
//! DUMP/RESTORE and SCAN TYPE work through the generic record walk (`txn::RECORD_CFS`).
//!
//! [`path`] evaluates RedisJSON's two path syntaxes over a parsed document; [`format`]
//! prints values with JSON.GET's INDENT / NEWLINE / SPACE; [`edit`] holds the changes
//! the commands make to a parsed document.

pub mod edit;
pub mod format;
pub mod path;

use bytes::{Bytes, BytesMut};
use serde::Deserialize;
pub use serde_json::Value;

use super::meta::{Kind, Meta};
use super::txn::{Access, Txn};
use crate::error::{Error, Result};
use crate::storage::Cf;

/// Longest text kept inline in the metadata record (as strings).
pub const INLINE_MAX: usize = 64 * 1024;
/// Bytes per chunk record of a longer text.
pub const CHUNK: usize = 64 * 1024;
/// The deepest nesting of arrays and objects a document may have: serde_json's parser
/// (and so RedisJSON's) refuses the 128th level with `recursion limit exceeded`, and
/// every change is checked against the same bound, so a stored document always parses
/// again and no walk over it (printing, `..`, dropping) recurses deeper than this.
pub const MAX_DEPTH: usize = 127;

fn chunk_key(i: u64) -> [u8; 4] {
    (i as u32).to_be_bytes()
}

/// A JSON document as a command reads it.
#[derive(Debug, Clone)]
pub struct Json {
    meta: Meta,
}

/// The document at `key`: `None` if missing, WRONGTYPE if another type. `access` decides
/// whether INFO counts the lookup.
pub fn open(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<Json>> {
    Ok(txn.open(key, Kind::Json, access)?.map(|meta| Json { meta }))
}

impl Json {
    /// The absolute expiry (Unix ms, 0: none).
    pub fn expire_at(&self) -> i64 {
        self.meta.expire_at
    }

    /// The stored (compact) text. O(length): an inline text is shared, not copied; a long
    /// one is one range scan over its chunks.
    pub fn text(&self, txn: &Txn<'_>) -> Result<Bytes> {
        if !self.meta.chunked {
            return Ok(self.meta.payload.clone());
        }
        let mut out = BytesMut::with_capacity(self.meta.size as usize);
        txn.sub_scan(Cf::Sub, self.meta.version, b"", b"", false, &mut |_, v| {
            out.extend_from_slice(v);
            true
        })?;
        Ok(out.freeze())
    }

    /// The parsed document. O(length).
    pub fn load(&self, txn: &Txn<'_>) -> Result<Value> {
        let text = self.text(txn)?;
        // Stored text was printed by `store` from a checked tree, or came from a DUMP
        // payload whose checksum held; either way it is parsed with the depth limit, so a
        // forged payload cannot make any later walk recurse without bound.
        serde_json::from_slice(&text).map_err(|e| Error::Storage(format!("corrupt JSON document: {e}")))
    }
}

/// Parses a JSON argument as RedisJSON does: serde_json with its recursion limit, the
/// error text being serde_json's own (`expected value at line 1 column 1`). Like
/// RedisJSON 2.x, text after the first complete value is not looked at (`50asd` reads
/// as 50). An argument that is not UTF-8 is `Couldn't parse as UTF-8 string`.
pub fn parse(text: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(text).map_err(|_| Error::JsonNotUtf8)?;
    let mut de = serde_json::Deserializer::from_str(text);
    Value::deserialize(&mut de).map_err(|e| Error::JsonParse(e.to_string()))
}

/// The nesting depth of `v`: 0 for a scalar, 1 for `[]` or `[1]`, 2 for `[[1]]`.
/// Iterative, so it is safe on any tree.
pub fn depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(v, 0)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(items) => {
                deepest = deepest.max(d + 1);
                stack.extend(items.iter().map(|c| (c, d + 1)));
            }
            Value::Object(map) => {
                deepest = deepest.max(d + 1);
                stack.extend(map.values().map(|c| (c, d + 1)));
            }
            _ => {}
        }
    }
    deepest
}

/// Stores `doc` at `key` with the absolute expiry `expire_at` (0: none), replacing what
/// was there: inline when its text is short, else in chunk records of a new version.
/// `ERR recursion limit exceeded` if it nests deeper than [`MAX_DEPTH`]. O(size).
pub fn store(txn: &mut Txn<'_>, key: &[u8], doc: &Value, expire_at: i64) -> Result<()> {
    if depth(doc) > MAX_DEPTH {
        return Err(Error::JsonTooDeep);
    }
    let text = format::compact(doc);
    if text.len() <= INLINE_MAX {
        let meta = Meta { kind: Kind::Json, expire_at, version: 0, size: 0, payload: Bytes::from(text), chunked: false };
        return txn.put(key, meta);
    }
    let version = txn.store.new_version();
    for (i, chunk) in text.chunks(CHUNK).enumerate() {
        txn.sub_put(version, &chunk_key(i as u64), chunk.to_vec());
    }
    let meta = Meta { kind: Kind::Json, expire_at, version, size: text.len() as u64, payload: Bytes::new(), chunked: true };
    txn.put(key, meta)
}

/// The type name RedisJSON gives a value (JSON.TYPE, and the `found` of WRONGTYPE).
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What JSON.DEBUG MEMORY reports for `v`: an estimate in the manner of RedisJSON's for
/// its in-memory representation (8 bytes a value, 8 more for a double or a wide
/// integer, string bytes, 8 per array slot and 24 per object slot, plus 16 for a
/// non-empty container); it matches RedisJSON's figures for empty containers, small
/// integers, doubles, booleans and null, not in general.
/// DiskDB keeps documents on disk; the figure is the same estimate, for tools that read
/// it. Iterative.
pub fn memory(v: &Value) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 8;
        match v {
            Value::Number(n) => {
                total += match n.as_i64() {
                    _ if n.is_f64() => 8,
                    Some(i) if (-128..=383).contains(&i) => 0,
                    Some(i) if (-8_388_607..=8_388_607).contains(&i) => 4,
                    _ => 8,
                }
            }
            Value::String(s) => total += s.len() as u64,
            Value::Array(items) => {
                if !items.is_empty() {
                    total += 8 * (items.len() as u64 + 2);
                }
                stack.extend(items.iter());
            }
            Value::Object(map) => {
                if !map.is_empty() {
                    total += 8 * (map.len() as u64 * 3 + 2);
                }
                total += map.keys().map(|k| k.len() as u64).sum::<u64>();
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::open_with_storage as open_store;

    #[test]
    fn numbers_keep_their_written_form() {
        for text in ["1", "-7", "1.0", "0.5", "1e+21", "18446744073709551615", "3.14"] {
            let v = parse(text.as_bytes()).unwrap();
            let printed = format::compact(&v);
            let again = parse(&printed).unwrap();
            assert_eq!(v, again, "{text}");
        }
        assert_eq!(format::compact(&parse(b"1.0").unwrap()), b"1.0");
        assert_eq!(format::compact(&parse(b"10").unwrap()), b"10");
        assert_eq!(type_name(&parse(b"1.0").unwrap()), "number");
        assert_eq!(type_name(&parse(b"1").unwrap()), "integer");
    }

    #[test]
    fn parse_errors_are_serde_json_texts() {
        assert_eq!(parse(b"{bad").unwrap_err().to_string(), "key must be a string at line 1 column 2");
        assert_eq!(parse(b"").unwrap_err().to_string(), "EOF while parsing a value at line 1 column 0");
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(deep.as_bytes()).unwrap_err().to_string().starts_with("recursion limit exceeded"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(depth(&parse(ok.as_bytes()).unwrap()), MAX_DEPTH);
        // RedisJSON 2.x reads the first value and ignores the rest.
        assert_eq!(parse(b"50asd").unwrap(), serde_json::json!(50));
        assert_eq!(parse(b"\x80abc").unwrap_err().to_string(), "Couldn't parse as UTF-8 string");
    }

    #[test]
    fn long_documents_are_chunked_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store_) = open_store(dir.path());
        let big: Vec<Value> = (0..40_000).map(|i| serde_json::json!({"i": i})).collect();
        let doc = Value::Array(big);
        let mut txn = Txn::new(&store_, 0);
        store(&mut txn, b"big", &doc, 0).unwrap();
        store(&mut txn, b"small", &serde_json::json!({"a": [1, 2.0]}), 0).unwrap();
        txn.commit().unwrap();
        let mut txn = Txn::new(&store_, 0);
        let j = open(&mut txn, b"big", Access::Read).unwrap().unwrap();
        assert!(j.meta.chunked && j.meta.size > INLINE_MAX as u64);
        assert_eq!(j.load(&txn).unwrap(), doc);
        let s = open(&mut txn, b"small", Access::Read).unwrap().unwrap();
        assert_eq!(&s.text(&txn).unwrap()[..], br#"{"a":[1,2.0]}"#);
        // The chunked metadata decodes as JSON again (format 2 is not only for strings).
        let raw = Meta::decode(Bytes::from(j.meta.encode())).unwrap();
        assert_eq!((raw.kind, raw.chunked, Meta::live_version(&j.meta.encode())), (Kind::Json, true, Some(j.meta.version)));
    }

    #[test]
    fn too_deep_changes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store_) = open_store(dir.path());
        let mut v = Value::Null;
        for _ in 0..=MAX_DEPTH {
            v = Value::Array(vec![v]);
        }
        let mut txn = Txn::new(&store_, 0);
        assert_eq!(store(&mut txn, b"k", &v, 0).unwrap_err(), Error::JsonTooDeep);
    }
}
