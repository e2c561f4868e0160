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

use std::collections::{HashMap, HashSet};

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
/// Values are read only if `with_values`. O(N) over the hash plus O(|count|).
pub fn random_fields(txn: &mut Txn<'_>, key: &[u8], count: i64, with_values: bool) -> Result<Vec<(Bytes, Bytes)>> {
    let Some(meta) = load_read(txn, key)? else { return Ok(Vec::new()) };
    let size = meta.size;
    if size == 0 || count == 0 {
        return Ok(Vec::new());
    }
    let fetch = |txn: &mut Txn<'_>, wanted: &[u64]| -> Result<HashMap<u64, (Bytes, Bytes)>> {
        // `wanted` is sorted and deduplicated: one scan picks them up.
        let mut out = HashMap::with_capacity(wanted.len());
        let mut next = 0usize;
        let mut pos = 0u64;
        if wanted.is_empty() {
            return Ok(out);
        }
        txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |f, v| {
            if pos == wanted[next] {
                let value = if with_values { Bytes::copy_from_slice(v) } else { Bytes::new() };
                out.insert(pos, (Bytes::copy_from_slice(f), value));
                next += 1;
                if next == wanted.len() {
                    return false;
                }
            }
            pos += 1;
            true
        })?;
        Ok(out)
    };
    if count > 0 {
        let count = count as u64;
        if count >= size {
            let mut all = Vec::new();
            txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |f, v| {
                let value = if with_values { Bytes::copy_from_slice(v) } else { Bytes::new() };
                all.push((Bytes::copy_from_slice(f), value));
                true
            })?;
            fastrand::shuffle(&mut all);
            return Ok(all);
        }
        // Floyd's algorithm: `count` distinct positions in O(count).
        let mut chosen = std::collections::HashSet::with_capacity(count as usize);
        for j in size - count..size {
            let t = fastrand::u64(0..=j);
            if !chosen.insert(t) {
                chosen.insert(j);
            }
        }
        let mut wanted: Vec<u64> = chosen.into_iter().collect();
        wanted.sort_unstable();
        let mut found = fetch(txn, &wanted)?;
        let mut out: Vec<(Bytes, Bytes)> = wanted.iter().filter_map(|p| found.remove(p)).collect();
        fastrand::shuffle(&mut out);
        return Ok(out);
    }
    let n = count.unsigned_abs();
    if n > MAX_REPEATED_PICKS {
        return Err(Error::err("value is out of range"));
    }
    let mut picks: Vec<u64> = Vec::new();
    for _ in 0..n {
        picks.push(fastrand::u64(0..size));
    }
    let mut wanted = picks.clone();
    wanted.sort_unstable();
    wanted.dedup();
    let found = fetch(txn, &wanted)?;
    Ok(picks.iter().filter_map(|p| found.get(p).cloned()).collect())
}

/// One random field (and its value), for HRANDFIELD without a count.
pub fn random_field(txn: &mut Txn<'_>, key: &[u8]) -> Result<Option<Bytes>> {
    Ok(random_fields(txn, key, -1, false)?.pop().map(|(f, _)| f))
}

/// Reads up to `count` fields after `after` (from the start if `None`), in field order.
/// Answers the pairs and whether the scan reached the end of the hash.
pub fn scan_after(
    txn: &mut Txn<'_>,
    key: &[u8],
    after: Option<&[u8]>,
    count: usize,
) -> Result<(Vec<(Bytes, Bytes)>, bool)> {
    let Some(meta) = load(txn, key)? else { return Ok((Vec::new(), true)) };
    let mut out = Vec::new();
    let mut done = true;
    // Start at `after` itself and skip it: a field equal to it was returned already.
    let from = after.unwrap_or(b"");
    txn.sub_scan(Cf::Sub, meta.version, from, b"", false, &mut |f, v| {
        if after == Some(f) {
            return true;
        }
        if out.len() >= count {
            done = false;
            return false;
        }
        out.push((Bytes::copy_from_slice(f), Bytes::copy_from_slice(v)));
        true
    })?;
    Ok((out, done))
}

/// Skips `offset` fields, then reads like [`scan_after`].
pub fn scan_offset(txn: &mut Txn<'_>, key: &[u8], offset: u64, count: usize) -> Result<(Vec<(Bytes, Bytes)>, bool)> {
    let Some(meta) = load(txn, key)? else { return Ok((Vec::new(), true)) };
    if offset >= meta.size {
        return Ok((Vec::new(), true));
    }
    let mut out = Vec::new();
    let mut done = true;
    let mut pos = 0u64;
    txn.sub_scan(Cf::Sub, meta.version, b"", b"", false, &mut |f, v| {
        pos += 1;
        if pos <= offset {
            return true;
        }
        if out.len() >= count {
            done = false;
            return false;
        }
        out.push((Bytes::copy_from_slice(f), Bytes::copy_from_slice(v)));
        true
    })?;
    Ok((out, done))
}

/// Redis's float increments (HINCRBYFLOAT, and INCRBYFLOAT for strings) compute in C
/// `long double`, the x87 80-bit extended format on x86-64: a 64-bit mantissa, then print
/// the result with `%.17Lf` and trim trailing zeros. Doing the same in `f64` answers
/// `1000.1` where Redis answers `1000.09999999999999998`, and loses the `.5` of
/// `9223372036854775807.5`. This module reproduces the extended format exactly in
/// software: correctly rounded parsing (as `strtold`), one correctly rounded addition,
/// and exact `%.17Lf` printing, with a small big-integer type for the exact steps.
pub mod long_double {
    use std::cmp::Ordering;

    /// Smallest exponent of `mant × 2^exp` (subnormals share it).
    const MIN_EXP: i64 = 1 - 16383 - 63;
    /// Largest exponent of a finite value.
    const MAX_EXP: i64 = 32766 - 16383 - 63;
    /// `string2ld` refuses inputs this long or longer.
    const MAX_CHARS: usize = 5 * 1024;

    /// A finite extended value `(-1)^neg × mant × 2^exp`.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Ext {
        pub neg: bool,
        pub mant: u64,
        pub exp: i64,
    }

    /// A parsed value: finite, or an infinity (NaN is never accepted).
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub enum Parsed {
        Finite(Ext),
        Inf(bool),
    }

    /// Unsigned big integer, little-endian 32-bit words, no high zero words.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Big(Vec<u32>);

    impl Big {
        fn from_u64(v: u64) -> Big {
            let mut b = Big(vec![v as u32, (v >> 32) as u32]);
            b.trim();
            b
        }
        fn trim(&mut self) {
            while self.0.last() == Some(&0) {
                self.0.pop();
            }
        }
        fn is_zero(&self) -> bool {
            self.0.is_empty()
        }
        fn bits(&self) -> u64 {
            match self.0.last() {
                None => 0,
                Some(&top) => (self.0.len() as u64 - 1) * 32 + (32 - top.leading_zeros() as u64),
            }
        }
        fn bit(&self, i: u64) -> bool {
            self.0.get((i / 32) as usize).is_some_and(|w| w >> (i % 32) & 1 == 1)
        }
        /// Whether any bit below `i` is set.
        fn any_below(&self, i: u64) -> bool {
            let (w, b) = ((i / 32) as usize, i % 32);
            self.0.iter().take(w.min(self.0.len())).any(|&x| x != 0)
                || (b > 0 && self.0.get(w).is_some_and(|&x| x & ((1u32 << b) - 1) != 0))
        }
        /// The bits from `shift` upwards, which the caller knows fit in 64 bits.
        fn shr_u64(&self, shift: u64) -> u64 {
            let mut out = 0u64;
            for i in 0..64 {
                if self.bit(shift + i) {
                    out |= 1 << i;
                }
            }
            out
        }
        fn mul_add_small(&mut self, mul: u32, add: u32) {
            let mut carry = add as u64;
            for w in self.0.iter_mut() {
                let v = *w as u64 * mul as u64 + carry;
                *w = v as u32;
                carry = v >> 32;
            }
            if carry > 0 {
                self.0.push(carry as u32);
            }
            self.trim();
        }
        fn shl(&self, n: u64) -> Big {
            if self.is_zero() {
                return self.clone();
            }
            let (words, bits) = ((n / 32) as usize, (n % 32) as u32);
            let mut out = vec![0u32; words];
            let mut carry = 0u32;
            for &w in &self.0 {
                if bits == 0 {
                    out.push(w);
                } else {
                    out.push((w << bits) | carry);
                    carry = w >> (32 - bits);
                }
            }
            if carry > 0 {
                out.push(carry);
            }
            let mut b = Big(out);
            b.trim();
            b
        }
        fn cmp(&self, other: &Big) -> Ordering {
            self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
        }
        fn add(&self, other: &Big) -> Big {
            let mut out = Vec::with_capacity(self.0.len().max(other.0.len()) + 1);
            let mut carry = 0u64;
            for i in 0..self.0.len().max(other.0.len()) {
                let v = *self.0.get(i).unwrap_or(&0) as u64 + *other.0.get(i).unwrap_or(&0) as u64 + carry;
                out.push(v as u32);
                carry = v >> 32;
            }
            if carry > 0 {
                out.push(carry as u32);
            }
            let mut b = Big(out);
            b.trim();
            b
        }
        /// `self - other`, for `self >= other`.
        fn sub(&self, other: &Big) -> Big {
            let mut out = Vec::with_capacity(self.0.len());
            let mut borrow = 0i64;
            for i in 0..self.0.len() {
                let mut v = self.0[i] as i64 - *other.0.get(i).unwrap_or(&0) as i64 - borrow;
                borrow = 0;
                if v < 0 {
                    v += 1 << 32;
                    borrow = 1;
                }
                out.push(v as u32);
            }
            let mut b = Big(out);
            b.trim();
            b
        }
        /// `floor(self / d)` and whether a remainder is left. Bit by bit: the callers'
        /// quotients are a few dozen bits long, or the inputs are bounded.
        fn div(&self, d: &Big) -> (Big, bool) {
            let mut rest = self.clone();
            let mut q = Big(Vec::new());
            if self.bits() >= d.bits() {
                let top = self.bits() - d.bits();
                q = Big(vec![0; (top / 32 + 1) as usize]);
                for i in (0..=top).rev() {
                    let t = d.shl(i);
                    if rest.cmp(&t) != Ordering::Less {
                        rest = rest.sub(&t);
                        q.0[(i / 32) as usize] |= 1 << (i % 32);
                    }
                }
                q.trim();
            }
            (q, !rest.is_zero())
        }
        fn pow10(n: u64) -> Big {
            let mut b = Big::from_u64(1);
            for _ in 0..n {
                b.mul_add_small(10, 0);
            }
            b
        }
        fn to_decimal(&self) -> String {
            if self.is_zero() {
                return "0".into();
            }
            let mut words = self.0.clone();
            let mut chunks = Vec::new();
            while !words.is_empty() {
                let mut rem = 0u64;
                for w in words.iter_mut().rev() {
                    let v = (rem << 32) | *w as u64;
                    *w = (v / 1_000_000_000) as u32;
                    rem = v % 1_000_000_000;
                }
                while words.last() == Some(&0) {
                    words.pop();
                }
                chunks.push(rem as u32);
            }
            let mut s = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
            for c in chunks.iter().rev() {
                s.push_str(&format!("{c:09}"));
            }
            s
        }
    }

    /// Rounds `big × 2^e` (plus a little more if `sticky`) to the nearest extended value,
    /// ties to even. `None` on overflow; zero when it underflows.
    fn round(neg: bool, big: &Big, e: i64, sticky: bool) -> Option<Ext> {
        if big.is_zero() {
            return Some(Ext { neg, mant: 0, exp: MIN_EXP });
        }
        let len = big.bits() as i64;
        let mut exp = (e + len - 64).max(MIN_EXP);
        let shift = exp - e;
        let mut mant;
        if shift <= 0 {
            mant = big.shl((-shift) as u64).shr_u64(0);
        } else {
            let sh = shift as u64;
            mant = if shift >= len { 0 } else { big.shr_u64(sh) };
            let half = big.bit(sh - 1);
            let rest = sticky || big.any_below(sh - 1);
            if half && (rest || mant & 1 == 1) {
                match mant.checked_add(1) {
                    Some(m) => mant = m,
                    None => {
                        mant = 1 << 63;
                        exp += 1;
                    }
                }
            }
        }
        if exp > MAX_EXP {
            return None;
        }
        if mant == 0 {
            exp = MIN_EXP;
        }
        Some(Ext { neg, mant, exp })
    }

    /// Parses like Redis's `string2ld`: `strtold` over the whole string, no leading
    /// space, NaN refused, overflow and total underflow refused.
    pub fn parse(raw: &[u8]) -> Option<Parsed> {
        let raw = match raw.iter().position(|&b| b == 0) {
            Some(nul) => &raw[..nul],
            None => raw,
        };
        if raw.is_empty() || raw.len() >= MAX_CHARS || raw[0].is_ascii_whitespace() || raw[0] == 0x0b {
            return None;
        }
        let (neg, body) = match raw[0] {
            b'-' => (true, &raw[1..]),
            b'+' => (false, &raw[1..]),
            _ => (false, raw),
        };
        let lower = body.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            return Some(Parsed::Inf(neg));
        }
        if lower.starts_with(b"0x") {
            return parse_hex(neg, &lower[2..]);
        }
        parse_decimal(neg, &lower)
    }

    fn parse_decimal(neg: bool, s: &[u8]) -> Option<Parsed> {
        let mut i = 0;
        let mut digits = Vec::new();
        let mut frac = 0i64;
        let mut seen_dot = false;
        while i < s.len() {
            match s[i] {
                d @ b'0'..=b'9' => {
                    digits.push(d - b'0');
                    if seen_dot {
                        frac += 1;
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return None;
        }
        let mut exp10 = 0i64;
        if i < s.len() && s[i] == b'e' {
            let (e, used) = parse_exponent(&s[i + 1..])?;
            exp10 = e;
            i += 1 + used;
        }
        if i != s.len() {
            return None;
        }
        let first = digits.iter().position(|&d| d != 0);
        let Some(first) = first else { return Some(Parsed::Finite(Ext { neg, mant: 0, exp: MIN_EXP })) };
        let digits = &digits[first..];
        let exp10 = exp10.saturating_sub(frac);
        // Magnitude bounds of the format: about 1.19e4932 down to 3.6e-4951.
        let magnitude = exp10.saturating_add(digits.len() as i64);
        if magnitude > 4934 {
            return None;
        }
        if magnitude < -4952 {
            return None;
        }
        let mut n = Big(Vec::new());
        for &d in digits {
            n.mul_add_small(10, d as u32);
        }
        let ext = if exp10 >= 0 {
            let v = if exp10 == 0 { n } else { mul_big(&n, &Big::pow10(exp10 as u64)) };
            round(neg, &v, 0, false)?
        } else {
            let d = Big::pow10((-exp10) as u64);
            let k = (68 + d.bits() as i64 - n.bits() as i64).max(0) as u64;
            let (q, rest) = n.shl(k).div(&d);
            round(neg, &q, -(k as i64), rest)?
        };
        if ext.mant == 0 {
            return None;
        }
        Some(Parsed::Finite(ext))
    }

    fn parse_hex(neg: bool, s: &[u8]) -> Option<Parsed> {
        let mut i = 0;
        let mut n = Big(Vec::new());
        let mut frac = 0i64;
        let mut seen_dot = false;
        let mut any = false;
        while i < s.len() {
            let c = s[i];
            if let Some(v) = (c as char).to_digit(16) {
                any = true;
                if !n.is_zero() || v != 0 {
                    n.mul_add_small(16, v);
                }
                if seen_dot {
                    frac += 1;
                }
            } else if c == b'.' && !seen_dot {
                seen_dot = true;
            } else {
                break;
            }
            i += 1;
            if n.bits() > 40_000 {
                return None;
            }
        }
        if !any {
            return None;
        }
        let mut exp2 = 0i64;
        if i < s.len() && s[i] == b'p' {
            let (e, used) = parse_exponent(&s[i + 1..])?;
            exp2 = e;
            i += 1 + used;
        }
        if i != s.len() {
            return None;
        }
        if n.is_zero() {
            return Some(Parsed::Finite(Ext { neg, mant: 0, exp: MIN_EXP }));
        }
        let e = exp2.saturating_sub(frac.saturating_mul(4));
        let top = e.saturating_add(n.bits() as i64);
        if !(MIN_EXP - 2..=MAX_EXP + 65).contains(&top) {
            return None;
        }
        let ext = round(neg, &n, e, false)?;
        if ext.mant == 0 {
            return None;
        }
        Some(Parsed::Finite(ext))
    }

    /// `[+-]digits` after an exponent marker; answers the value (saturated) and the
    /// bytes used. A marker without digits is not part of the number (strtold stops
    /// before it), which leaves trailing garbage: refused.
    fn parse_exponent(s: &[u8]) -> Option<(i64, usize)> {
        let (neg, start) = match s.first() {
            Some(b'-') => (true, 1),
            Some(b'+') => (false, 1),
            _ => (false, 0),
        };
        let mut v = 0i64;
        let mut i = start;
        while i < s.len() && s[i].is_ascii_digit() {
            v = v.saturating_mul(10).saturating_add((s[i] - b'0') as i64).min(1 << 40);
            i += 1;
        }
        if i == start {
            return None;
        }
        Some((if neg { -v } else { v }, i))
    }

    fn mul_big(a: &Big, b: &Big) -> Big {
        let mut out = vec![0u32; a.0.len() + b.0.len() + 1];
        for (i, &x) in a.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &y) in b.0.iter().enumerate() {
                let v = out[i + j] as u64 + x as u64 * y as u64 + carry;
                out[i + j] = v as u32;
                carry = v >> 32;
            }
            let mut k = i + b.0.len();
            while carry > 0 {
                let v = out[k] as u64 + carry;
                out[k] = v as u32;
                carry = v >> 32;
                k += 1;
            }
        }
        let mut r = Big(out);
        r.trim();
        r
    }

    /// `a + b`, correctly rounded; `None` on overflow.
    pub fn add(a: Ext, b: Ext) -> Option<Ext> {
        if a.mant == 0 && b.mant == 0 {
            return Some(Ext { neg: a.neg && b.neg, mant: 0, exp: MIN_EXP });
        }
        let e = a.exp.min(b.exp);
        let x = Big::from_u64(a.mant).shl((a.exp - e) as u64);
        let y = Big::from_u64(b.mant).shl((b.exp - e) as u64);
        if a.neg == b.neg {
            return round(a.neg, &x.add(&y), e, false);
        }
        match x.cmp(&y) {
            Ordering::Equal => Some(Ext { neg: false, mant: 0, exp: MIN_EXP }),
            Ordering::Greater => round(a.neg, &x.sub(&y), e, false),
            Ordering::Less => round(b.neg, &y.sub(&x), e, false),
        }
    }

    /// Formats as Redis's `ld2string(..., LD_STR_HUMAN)`: `%.17Lf`, trailing zeros and
    /// a trailing dot removed, `-0` written `0`.
    pub fn format(x: Ext) -> String {
        let mut out = String::new();
        if x.neg {
            out.push('-');
        }
        if x.exp >= 0 {
            out.push_str(&Big::from_u64(x.mant).shl(x.exp as u64).to_decimal());
        } else {
            let s = (-x.exp) as u32;
            let (mut int, f) = if s < 64 { (x.mant >> s, x.mant & ((1u64 << s) - 1)) } else { (0, x.mant) };
            let product = f as u128 * 100_000_000_000_000_000u128;
            let mut q = 0u128;
            if s < 128 {
                q = product >> s;
                let rem = product & ((1u128 << s) - 1);
                let half = 1u128 << (s - 1);
                if rem > half || (rem == half && q & 1 == 1) {
                    q += 1;
                }
            }
            if q == 100_000_000_000_000_000 {
                q = 0;
                int += 1;
            }
            out.push_str(&int.to_string());
            let frac = format!("{q:017}");
            let frac = frac.trim_end_matches('0');
            if !frac.is_empty() {
                out.push('.');
                out.push_str(frac);
            }
        }
        if out == "-0" {
            out = "0".into();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::rocks::RocksOptions;
    use crate::storage::{RocksStorage, Storage};
    use crate::types::Store;

    fn open(dir: &std::path::Path) -> Store {
        let storage: Arc<dyn Storage> =
            Arc::new(RocksStorage::open(dir, &RocksOptions::default(), Meta::live_version).unwrap());
        Store::open(storage, 16).unwrap()
    }

    fn run<T>(store: &Store, f: impl FnOnce(&mut Txn<'_>) -> Result<T>) -> T {
        let mut txn = Txn::new(store, 0);
        let out = f(&mut txn).unwrap();
        txn.commit().unwrap();
        out
    }

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

        let (first, done) = run(&store, |t| scan_after(t, b"h", None, 20));
        assert_eq!((first.len(), done), (20, false));
        let (second, _) = run(&store, |t| scan_after(t, b"h", Some(&first[19].0), 100));
        assert_eq!(second.len(), 30);
        assert_eq!(second[0].0, bs("f20"));
        let (third, done) = run(&store, |t| scan_offset(t, b"h", 45, 10));
        assert_eq!((third.len(), done), (5, true));
    }
}
