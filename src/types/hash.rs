//! Hashes: one sub-key record per field. The template every type file follows (see
//! `types/mod.rs`).
//!
//! ```text
//! Cf::Meta  [db][key]               -> kind Hash, version, size = number of fields
//!                                      (no payload)
//! Cf::Sub   [version u64 BE][field] -> value
//! ```
//! A field is one RocksDB point record, so HGET, HSET and HDEL are point operations, and
//! HGETALL, HKEYS and HSCAN are ordered range scans (fields come back in byte order).
//! Empty hashes do not exist: deleting the last field deletes the key.
//!
//! Reads go to storage and do not see the command's own pending writes; [`HashMut`], the
//! handle a command writes through, remembers what it wrote (see [`super::collection`]).

use bytes::Bytes;

use super::collection::{self, Collection, Opened};
use super::long_double;
use super::meta::{Kind, Meta};
use super::txn::{Access, Txn};
use crate::error::{Error, Result};
use crate::storage::Cf;

/// A hash as a command reads it.
#[derive(Debug)]
pub struct Hash {
    meta: Meta,
}

impl Collection for Hash {
    const KIND: Kind = Kind::Hash;
    /// The value a field was set to, or `None`: removed.
    type Change = Option<Bytes>;

    fn from_meta(meta: Meta) -> Hash {
        Hash { meta }
    }

    fn meta(&self) -> &Meta {
        &self.meta
    }
}

/// The hash at `key`: `None` if missing, WRONGTYPE if another type. `access` decides
/// whether INFO counts the lookup.
pub fn open(txn: &mut Txn<'_>, key: &[u8], access: Access) -> Result<Option<Hash>> {
    collection::open(txn, key, access)
}

impl Hash {
    /// The value of `field`, if any. O(1): one point read.
    pub fn get(&self, txn: &Txn<'_>, field: &[u8]) -> Result<Option<Bytes>> {
        Ok(txn.sub_get(self.meta.version, field)?.map(Bytes::from))
    }

    /// The values of `fields`, in order (`None` where missing). O(N).
    pub fn mget(&self, txn: &Txn<'_>, fields: &[Bytes]) -> Result<Vec<Option<Bytes>>> {
        fields.iter().map(|f| self.get(txn, f)).collect()
    }

    /// Visits every `(field, value)` in field order until `visit` answers false.
    pub fn each(&self, txn: &Txn<'_>, visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<()> {
        txn.sub_scan(Cf::Sub, self.meta.version, b"", b"", false, visit)
    }

    /// Every `(field, value)`, in field order. O(N).
    pub fn all(&self, txn: &Txn<'_>) -> Result<Vec<(Bytes, Bytes)>> {
        let mut out = Vec::new();
        self.each(txn, &mut |f, v| {
            out.push((Bytes::copy_from_slice(f), Bytes::copy_from_slice(v)));
            true
        })?;
        Ok(out)
    }

    /// Random fields for HRANDFIELD: with `count > 0`, that many distinct fields (all of
    /// them if the hash is smaller); with `count < 0`, `-count` fields that may repeat
    /// (at most [`MAX_REPEATED_PICKS`], else `ERR value is out of range`). Values are
    /// empty unless `with_values`. O(|count|) picks, each walking at most a seek step
    /// (see [`super::sample`]).
    pub fn random_fields(&self, txn: &Txn<'_>, count: i64, with_values: bool) -> Result<Vec<(Bytes, Bytes)>> {
        if self.meta.size == 0 || count == 0 {
            return Ok(Vec::new());
        }
        let (n, distinct) = (count.unsigned_abs(), count > 0);
        if !distinct && n > MAX_REPEATED_PICKS {
            return Err(Error::OutOfRange);
        }
        let mut out = super::sample::pick(txn, &self.meta, n, distinct)?;
        if !with_values {
            out.iter_mut().for_each(|pick| pick.1 = Bytes::new());
        }
        fastrand::shuffle(&mut out);
        Ok(out)
    }

    /// One random field, for HRANDFIELD without a count.
    pub fn random_field(&self, txn: &Txn<'_>) -> Result<Option<Bytes>> {
        Ok(self.random_fields(txn, -1, false)?.pop().map(|(f, _)| f))
    }
}

/// The most fields a negative HRANDFIELD count may ask for. Redis streams such a reply;
/// DiskDB builds replies in memory, so an absurd count (-2^62) is refused with
/// `ERR value is out of range` instead of exhausting memory.
pub const MAX_REPEATED_PICKS: u64 = 1 << 24;

/// A hash opened for writing by one command (`HashMut::open`, `open_or_create`); each
/// field it changed was set to a value (`Some`) or removed (`None`).
pub type HashMut<'a> = Opened<'a, Hash>;

impl<'a> HashMut<'a> {
    /// The value of `field` as this command has made it. O(1).
    pub fn get(&self, txn: &Txn<'_>, field: &[u8]) -> Result<Option<Bytes>> {
        match self.pending(field) {
            Some(written) => Ok(written.clone()),
            None if self.is_fresh() => Ok(None),
            None => Ok(txn.sub_get(self.version(), field)?.map(Bytes::from)),
        }
    }

    /// Whether `field` exists as this command has made it. O(1).
    pub fn contains(&self, txn: &Txn<'_>, field: &[u8]) -> Result<bool> {
        match self.pending(field) {
            Some(written) => Ok(written.is_some()),
            None => Ok(!self.is_fresh() && txn.sub_get(self.version(), field)?.is_some()),
        }
    }

    /// Sets `field` to `value`; answers whether the field is new. O(1).
    pub fn insert(&mut self, txn: &mut Txn<'_>, field: &'a [u8], value: Bytes) -> Result<bool> {
        let new = !self.contains(txn, field)?;
        txn.sub_put(self.version(), field, value.to_vec());
        self.record(field, Some(value), new as i64);
        Ok(new)
    }

    /// Deletes `field`; answers whether it existed. O(1).
    pub fn remove(&mut self, txn: &mut Txn<'_>, field: &'a [u8]) -> Result<bool> {
        if !self.contains(txn, field)? {
            return Ok(false);
        }
        txn.sub_delete(self.version(), field);
        self.record(field, None, -1);
        Ok(true)
    }

    /// Adds `delta` to the integer in `field` (0 if missing). Errors: `ERR hash value is
    /// not an integer`, `ERR increment or decrement would overflow`.
    pub fn incr_by(&mut self, txn: &mut Txn<'_>, field: &'a [u8], delta: i64) -> Result<i64> {
        let current = match self.get(txn, field)? {
            Some(v) => crate::num::parse_i64_strict(&v).ok_or(Error::HashNotInteger)?,
            None => 0,
        };
        let next = current.checked_add(delta).ok_or(Error::Overflow)?;
        self.insert(txn, field, Bytes::from(next.to_string()))?;
        Ok(next)
    }

    /// Adds `delta` to the float in `field` (0 if missing) in Redis's extended precision
    /// (see [`long_double`]); answers the new value as stored.
    /// Errors: `ERR hash value is not a float`, `ERR increment would produce NaN or
    /// Infinity`.
    pub fn incr_by_float(&mut self, txn: &mut Txn<'_>, field: &'a [u8], delta: long_double::Ext) -> Result<Bytes> {
        let current = match self.get(txn, field)? {
            Some(v) => match long_double::parse(&v) {
                Some(long_double::Parsed::Finite(x)) => Some(x),
                // inf + a finite increment stays infinite.
                Some(long_double::Parsed::Inf(_)) => None,
                None => return Err(Error::HashNotFloat),
            },
            None => Some(long_double::Ext { neg: false, mant: 0, exp: 0 }),
        };
        let next = current.and_then(|c| long_double::add(c, delta)).ok_or(Error::NanOrInfinity)?;
        let text = Bytes::from(long_double::format(next));
        self.insert(txn, field, text.clone())?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::testing::{open as store_in, run};

    fn pair(f: &str, v: &str) -> (Bytes, Bytes) {
        (Bytes::copy_from_slice(f.as_bytes()), Bytes::copy_from_slice(v.as_bytes()))
    }

    fn bs(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    // The operations as the commands compose them, key in.

    fn set(t: &mut Txn<'_>, key: &[u8], pairs: &[(Bytes, Bytes)]) -> Result<u64> {
        let mut h = HashMut::open_or_create(t, key)?;
        let mut added = 0;
        for (f, v) in pairs {
            added += h.insert(t, f, v.clone())? as u64;
        }
        h.finish(t)?;
        Ok(added)
    }

    fn setnx(t: &mut Txn<'_>, key: &[u8], field: &Bytes, value: &Bytes) -> Result<bool> {
        let mut h = HashMut::open_or_create(t, key)?;
        if h.contains(t, field)? {
            return Ok(false);
        }
        h.insert(t, field, value.clone())?;
        h.finish(t)?;
        Ok(true)
    }

    fn del(t: &mut Txn<'_>, key: &[u8], fields: &[Bytes]) -> Result<u64> {
        let Some(mut h) = HashMut::open(t, key)? else { return Ok(0) };
        let mut removed = 0;
        for f in fields {
            removed += h.remove(t, f)? as u64;
        }
        h.finish(t)?;
        Ok(removed)
    }

    fn incr_by(t: &mut Txn<'_>, key: &[u8], field: &Bytes, delta: i64) -> Result<i64> {
        let mut h = HashMut::open_or_create(t, key)?;
        let n = h.incr_by(t, field, delta)?;
        h.finish(t)?;
        Ok(n)
    }

    fn incr_by_float(t: &mut Txn<'_>, key: &[u8], field: &Bytes, delta: long_double::Ext) -> Result<Bytes> {
        let mut h = HashMut::open_or_create(t, key)?;
        let v = h.incr_by_float(t, field, delta)?;
        h.finish(t)?;
        Ok(v)
    }

    fn read(t: &mut Txn<'_>, key: &[u8]) -> Result<Option<Hash>> {
        open(t, key, Access::Read)
    }

    fn len(t: &mut Txn<'_>, key: &[u8]) -> Result<u64> {
        Ok(read(t, key)?.map_or(0, |h| h.len()))
    }

    fn get(t: &mut Txn<'_>, key: &[u8], field: &[u8]) -> Result<Option<Bytes>> {
        match read(t, key)? {
            Some(h) => h.get(t, field),
            None => Ok(None),
        }
    }

    fn mget(t: &mut Txn<'_>, key: &[u8], fields: &[Bytes]) -> Result<Vec<Option<Bytes>>> {
        match read(t, key)? {
            Some(h) => h.mget(t, fields),
            None => Ok(vec![None; fields.len()]),
        }
    }

    fn all(t: &mut Txn<'_>, key: &[u8]) -> Result<Vec<(Bytes, Bytes)>> {
        read(t, key)?.map_or(Ok(Vec::new()), |h| h.all(t))
    }

    fn random_fields(t: &mut Txn<'_>, key: &[u8], count: i64, with_values: bool) -> Result<Vec<(Bytes, Bytes)>> {
        read(t, key)?.map_or(Ok(Vec::new()), |h| h.random_fields(t, count, with_values))
    }

    fn random_field(t: &mut Txn<'_>, key: &[u8]) -> Result<Option<Bytes>> {
        read(t, key)?.map_or(Ok(None), |h| h.random_field(t))
    }

    #[test]
    fn set_get_del_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
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
        let store = store_in(dir.path());
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
        let store = store_in(dir.path());
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
