//! Hashes over versioned sub-keys.
//!
//! ```text
//! meta     : size = number of fields
//! sub-key  : [version u64 BE][field bytes]   -> value
//! ```
//! A field is one RocksDB point record, so HGET, HSET and HDEL are point operations, and
//! HGETALL, HKEYS and HSCAN are ordered range scans (fields come back in byte order).
//! Empty hashes do not exist: deleting the last field deletes the key.
//!
//! Reads go to storage and do not see the command's own pending writes, so operations
//! that touch several fields (HSET with a repeated field, HDEL f f) remember what they
//! wrote themselves.

use std::collections::HashSet;

use bytes::Bytes;

use super::meta::{Kind, Meta};
use super::txn::Txn;
use crate::error::{Error, Result};
use crate::storage::Cf;

/// Loads the hash at `key`: `None` if missing, WRONGTYPE if another type.
pub fn load(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<Meta>> {
    txn.get_kind(key, Kind::Hash)
}

/// [`load`] for a read-only command: also counts a keyspace hit or miss (INFO).
fn load_read(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<Meta>> {
    let found = load(txn, key)?;
    super::list::count_lookup(txn, found.is_some());
    Ok(found)
}

/// [`get`] for read-modify-write commands (no read statistics).
fn get_for_write(txn: &mut Txn<'_>, key: &[u8], field: &[u8]) -> Result<Option<Bytes>> {
    let Some(meta) = load(txn, key)? else { return Ok(None) };
    Ok(txn.sub_get(meta.version, field)?.map(Bytes::from))
}

/// Number of fields (0 if missing).
pub fn len(txn: &mut Txn<'_>, key: &[u8]) -> Result<u64> {
    Ok(load_read(txn, key)?.map(|m| m.size).unwrap_or(0))
}

/// The value of `field`, if any. O(1).
pub fn get(txn: &mut Txn<'_>, key: &[u8], field: &[u8]) -> Result<Option<Bytes>> {
    let Some(meta) = load_read(txn, key)? else { return Ok(None) };
    Ok(txn.sub_get(meta.version, field)?.map(Bytes::from))
}

/// The values of `fields`, in order (`None` where missing). O(N).
pub fn mget(txn: &mut Txn<'_>, key: &[u8], fields: &[Bytes]) -> Result<Vec<Option<Bytes>>> {
    let Some(meta) = load_read(txn, key)? else { return Ok(vec![None; fields.len()]) };
    fields.iter().map(|f| Ok(txn.sub_get(meta.version, f)?.map(Bytes::from))).collect()
}

/// Sets each `(field, value)`; a later pair wins over an earlier one with the same field.
/// Answers how many fields were new. O(N).
pub fn set(txn: &mut Txn<'_>, key: &[u8], pairs: &[(Bytes, Bytes)]) -> Result<u64> {
    let mut meta = match load(txn, key)? {
        Some(m) => m,
        None => Meta::collection(Kind::Hash, txn.store.new_version()),
    };
    let fresh = meta.size == 0;
    // Fields already written by this call (reads would not see them yet).
    let mut written: HashSet<&[u8]> = HashSet::new();
    let mut added = 0;
    for (field, value) in pairs {
        let first_time = pairs.len() == 1 || written.insert(&field[..]);
        if first_time && (fresh || txn.sub_get(meta.version, field)?.is_none()) {
            added += 1;
        }
        txn.sub_put(meta.version, field, value.to_vec());
    }
    meta.size += added;
    txn.put(key, meta)?;
    Ok(added)
}

/// Sets `field` only if it does not exist; answers whether it was set.
pub fn setnx(txn: &mut Txn<'_>, key: &[u8], field: &Bytes, value: &Bytes) -> Result<bool> {
    if let Some(meta) = load(txn, key)? {
        if txn.sub_get(meta.version, field)?.is_some() {
            return Ok(false);
        }
    }
    set(txn, key, &[(field.clone(), value.clone())])?;
    Ok(true)
}

/// Deletes `fields`; answers how many existed. Deleting the last field deletes the key.
pub fn del(txn: &mut Txn<'_>, key: &[u8], fields: &[Bytes]) -> Result<u64> {
    let Some(mut meta) = load(txn, key)? else { return Ok(0) };
    let mut gone: HashSet<&[u8]> = HashSet::new();
    let mut removed = 0;
    for field in fields {
        if gone.contains(&field[..]) {
            continue;
        }
        if txn.sub_get(meta.version, field)?.is_some() {
            gone.insert(&field[..]);
            txn.sub_delete(meta.version, field);
            removed += 1;
        }
    }
    if removed == 0 {
        return Ok(0);
    }
    meta.size = meta.size.saturating_sub(removed);
    if meta.size == 0 {
        txn.delete(key)?;
    } else {
        txn.put(key, meta)?;
    }
    Ok(removed)
}

/// Visits every `(field, value)` in field order until `visit` answers false.
pub fn each(txn: &mut Txn<'_>, key: &[u8], visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<()> {
    let Some(meta) = load_read(txn, key)? else { return Ok(()) };
    txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, visit)
}

/// Every `(field, value)`, in field order. O(N).
pub fn all(txn: &mut Txn<'_>, key: &[u8]) -> Result<Vec<(Bytes, Bytes)>> {
    let mut out = Vec::new();
    each(txn, key, &mut |f, v| {
        out.push((Bytes::copy_from_slice(f), Bytes::copy_from_slice(v)));
        true
    })?;
    Ok(out)
}

/// Why an increment failed.
fn not_integer() -> Error {
    Error::err("hash value is not an integer")
}

/// Adds `delta` to the integer in `field` (0 if missing). Errors: `ERR hash value is not
/// an integer`, `ERR increment or decrement would overflow`.
pub fn incr_by(txn: &mut Txn<'_>, key: &[u8], field: &Bytes, delta: i64) -> Result<i64> {
    let current = match get_for_write(txn, key, field)? {
        Some(v) => crate::commands::args::parse_i64_strict(&v).ok_or_else(not_integer)?,
        None => 0,
    };
    let next = current.checked_add(delta).ok_or(Error::Overflow)?;
    set(txn, key, &[(field.clone(), Bytes::from(next.to_string()))])?;
    Ok(next)
}

/// Adds `delta` to the float in `field` (0 if missing) in Redis's extended precision
/// (see [`long_double`]); answers the new value as stored.
/// Errors: `ERR hash value is not a float`, `ERR increment would produce NaN or Infinity`.
pub fn incr_by_float(txn: &mut Txn<'_>, key: &[u8], field: &Bytes, delta: long_double::Ext) -> Result<Bytes> {
    let current = match get_for_write(txn, key, field)? {
        Some(v) => match long_double::parse(&v) {
            Some(long_double::Parsed::Finite(x)) => Some(x),
            // inf + a finite increment stays infinite.
            Some(long_double::Parsed::Inf(_)) => None,
            None => return Err(Error::err("hash value is not a float")),
        },
        None => Some(long_double::Ext { neg: false, mant: 0, exp: 0 }),
    };
    let next = current.and_then(|c| long_double::add(c, delta)).ok_or(Error::NanOrInfinity)?;
    let text = Bytes::from(long_double::format(next));
    set(txn, key, &[(field.clone(), text.clone())])?;
    Ok(text)
}

/// The most fields a negative HRANDFIELD count may ask for. Redis streams such a reply;
/// DiskDB builds replies in memory, so an absurd count (-2^62) is refused with
/// `ERR value is out of range` instead of exhausting memory.
pub const MAX_REPEATED_PICKS: u64 = 1 << 24;

/// Random fields for HRANDFIELD: with `count > 0`, that many distinct fields (all of
/// them if the hash is smaller); with `count < 0`, `-count` fields that may repeat.
/// O(|count|) picks, each walking at most a seek step (see `types::sample`).
pub fn random_fields(txn: &mut Txn<'_>, key: &[u8], count: i64, with_values: bool) -> Result<Vec<(Bytes, Bytes)>> {
    let Some(meta) = load_read(txn, key)? else { return Ok(Vec::new()) };
    if meta.size == 0 || count == 0 {
        return Ok(Vec::new());
    }
    let (n, distinct) = (count.unsigned_abs(), count > 0);
    if !distinct && n > MAX_REPEATED_PICKS {
        return Err(Error::err("value is out of range"));
    }
    let idx = super::sample::sample_indexes(meta.size, n, distinct);
    let mut out = super::sample::pick_by_index(txn, meta.version, meta.size, &idx)?;
    if !with_values {
        out.iter_mut().for_each(|pick| pick.1 = Bytes::new());
    }
    fastrand::shuffle(&mut out);
    Ok(out)
}

/// One random field (and its value), for HRANDFIELD without a count.
pub fn random_field(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<Bytes>> {
    Ok(random_fields(txn, key, -1, false)?.pop().map(|(f, _)| f))
}

pub use super::long_double;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open, run};

    fn pair(f: &str, v: &str) -> (Bytes, Bytes) {
        (Bytes::copy_from_slice(f.as_bytes()), Bytes::copy_from_slice(v.as_bytes()))
    }

    fn bs(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn set_get_del_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        assert_eq!(run(&store, |t| set(t, b"h", &[pair("a", "1"), pair("b", "2"), pair("a", "3")])), 2);
        assert_eq!(run(&store, |t| len(t, b"h")), 2);
        assert_eq!(run(&store, |t| get(t, b"h", b"a")), Some(bs("3")));
        assert_eq!(run(&store, |t| set(t, b"h", &[pair("a", "4"), pair("c", "5")])), 1);
        assert_eq!(run(&store, |t| all(t, b"h")), vec![pair("a", "4"), pair("b", "2"), pair("c", "5")]);
        assert_eq!(run(&store, |t| mget(t, b"h", &[bs("a"), bs("zz")])), vec![Some(bs("4")), None]);
        assert!(!run(&store, |t| setnx(t, b"h", &bs("a"), &bs("x"))));
        assert!(run(&store, |t| setnx(t, b"h", &bs("d"), &bs("x"))));
        assert_eq!(run(&store, |t| del(t, b"h", &[bs("a"), bs("a"), bs("zz")])), 1);
        assert_eq!(run(&store, |t| len(t, b"h")), 3);
        assert_eq!(run(&store, |t| del(t, b"h", &[bs("b"), bs("c"), bs("d")])), 3);
        assert_eq!(store.dbsize(0), 0);
        run(&store, |t| t.set_string(b"s", bs("v"), 0));
        let mut txn = Txn::new(&store, 0);
        assert_eq!(get(&mut txn, b"s", b"a"), Err(Error::WrongType));
    }

    #[test]
    fn increments() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        assert_eq!(run(&store, |t| incr_by(t, b"h", &bs("n"), 5)), 5);
        assert_eq!(run(&store, |t| incr_by(t, b"h", &bs("n"), -7)), -2);
        run(&store, |t| set(t, b"h", &[pair("s", "abc"), pair("max", &i64::MAX.to_string())]));
        let mut txn = Txn::new(&store, 0);
        assert_eq!(incr_by(&mut txn, b"h", &bs("s"), 1).unwrap_err().to_string(), "ERR hash value is not an integer");
        assert_eq!(incr_by(&mut txn, b"h", &bs("max"), 1), Err(Error::Overflow));
        assert_eq!(incr_by_float(&mut txn, b"h", &bs("s"), long_double::Ext { neg: false, mant: 1 << 63, exp: -63 }).unwrap_err().to_string(), "ERR hash value is not a float");
        drop(txn);
        let ext = |s: &str| match long_double::parse(s.as_bytes()) {
            Some(long_double::Parsed::Finite(x)) => x,
            other => panic!("{other:?}"),
        };
        assert_eq!(run(&store, |t| incr_by_float(t, b"h", &bs("f"), ext("10.5"))), bs("10.5"));
        assert_eq!(run(&store, |t| incr_by_float(t, b"h", &bs("f"), ext("0.1"))), bs("10.6"));
        // Values Redis computes in long double, checked against redis-server 7.0.
        let sum = |a: &str, b: &str| long_double::format(long_double::add(ext(a), ext(b)).unwrap());
        assert_eq!(sum("1000", "0.1"), "1000.09999999999999998");
        assert_eq!(sum("9223372036854775807", "0.5"), "9223372036854775807.5");
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("17179869184", "1.5"), "17179869185.5");
        assert_eq!(sum("5.0e3", "2.0e2"), "5200");
        assert_eq!(sum("0", "1e20"), "100000000000000000000");
        assert_eq!(sum("0", "0x10"), "16");
        assert_eq!(sum("0", "0x1p-3"), "0.125");
        assert_eq!(sum("0", "+.5e+1"), "5");
        assert_eq!(sum("0", "3.0000000000000000001"), "3");
        assert_eq!(sum("-0", "-0"), "0");
        assert_eq!(sum("0", "-1e-30"), "0");
        assert_eq!(sum("1.5", "-1.5"), "0");
        assert!(sum("0", "1.18e4932").starts_with("1180000000000000000000652812918093699202690437140160471729831240061836527728446996012081496266122792766769526"));
        assert!(long_double::add(ext("1.18e4932"), ext("1.18e4932")).is_none());
        for bad in ["", " 1", "1 ", "x", "1e", "0x", "nan", "1e4933", "1e-5000", "1..2", "--1"] {
            assert_eq!(long_double::parse(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(long_double::parse(b"-Infinity"), Some(long_double::Parsed::Inf(true)));
    }

    #[test]
    fn random_and_scan() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let pairs: Vec<_> = (0..50).map(|i| pair(&format!("f{i:02}"), &i.to_string())).collect();
        run(&store, |t| set(t, b"h", &pairs));
        let some = run(&store, |t| random_fields(t, b"h", 10, true));
        assert_eq!(some.len(), 10);
        let distinct: std::collections::HashSet<_> = some.iter().map(|p| p.0.clone()).collect();
        assert_eq!(distinct.len(), 10);
        for (f, v) in &some {
            assert_eq!(&f[1..], format!("{:02}", v.iter().fold(0, |a, d| a * 10 + (d - b'0') as u32)).as_bytes());
        }
        assert_eq!(run(&store, |t| random_fields(t, b"h", 100, false)).len(), 50);
        assert_eq!(run(&store, |t| random_fields(t, b"h", -200, false)).len(), 200);
        assert!(run(&store, |t| random_field(t, b"h")).is_some());
        assert!(run(&store, |t| random_field(t, b"nokey")).is_none());

    }
}
