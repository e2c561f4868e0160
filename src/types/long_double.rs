//! Redis's float increments (HINCRBYFLOAT, and INCRBYFLOAT for strings) compute in C
//! `long double`, the x87 80-bit extended format on x86-64: a 64-bit mantissa, then print
//! the result with `%.17Lf` and trim trailing zeros. Doing the same in `f64` answers
//! `1000.1` where Redis answers `1000.09999999999999998`, and loses the `.5` of
//! `9223372036854775807.5`. This module reproduces the extended format exactly in
//! software: correctly rounded parsing (as `strtold`), one correctly rounded addition,
//! and exact `%.17Lf` printing, with a small big-integer type for the exact steps.

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
    // `string2ld` requires `strtold` to consume all `slen` bytes: a NUL inside is junk.
    if raw.contains(&0) {
        return None;
    }
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

/// INCRBYFLOAT on a string: `value + incr`, printed as Redis prints it.
/// Errors: `ERR value is not a valid float` when either is not a number (NaN included),
/// `ERR increment would produce NaN or Infinity` for infinities and overflow.
pub fn incr_text(value: &[u8], incr: &[u8]) -> crate::error::Result<Vec<u8>> {
    use crate::error::Error;
    let a = parse(value).ok_or(Error::NotFloat)?;
    let b = parse(incr).ok_or(Error::NotFloat)?;
    let (Parsed::Finite(a), Parsed::Finite(b)) = (a, b) else { return Err(Error::NanOrInfinity) };
    let sum = add(a, b).ok_or(Error::NanOrInfinity)?;
    Ok(format(sum).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn add_s(a: &str, b: &str) -> String {
        String::from_utf8(incr_text(a.as_bytes(), b.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn human_decimals_round_trip() {
        assert_eq!(add_s("10.50", "0.1"), "10.6");
        assert_eq!(add_s("10.6", "-5"), "5.6");
        assert_eq!(add_s("5.0e3", "2.0e2"), "5200");
        assert_eq!(add_s("0.1", "0.2"), "0.3");
        assert_eq!(add_s("0", "1"), "1");
        assert_eq!(add_s("1", "0.25"), "1.25");
        assert_eq!(add_s("17179869184", "1.5"), "17179869185.5");
        assert_eq!(add_s("-1", "1"), "0");
        assert_eq!(add_s("1e-20", "0"), "0");
        assert_eq!(add_s("3", "-0.00001"), "2.99999");
    }

    #[test]
    fn extended_precision_shows_past_17_digits() {
        assert_eq!(add_s("1e300", "0").len(), 301);
    }

    #[test]
    fn refusals() {
        for bad in ["", " 1", "1 ", "abc", "1e", "nan", "1.2.3", "--1", "1e99999"] {
            assert_eq!(incr_text(bad.as_bytes(), b"1"), Err(Error::NotFloat), "{bad:?}");
        }
        assert_eq!(incr_text(b"inf", b"1"), Err(Error::NanOrInfinity));
        assert_eq!(incr_text(b"1", b"-inf"), Err(Error::NanOrInfinity));
        assert_eq!(incr_text(b"1e4932", b"1e4932"), Err(Error::NanOrInfinity));
    }

    #[test]
    fn matches_c_long_double() {
        // Printed by glibc's strtold / `%.17Lf` on x86-64.
        assert_eq!(add_s("1000", "0.1"), "1000.09999999999999998");
        assert_eq!(add_s("-210353.01", "722337"), "511983.99000000000000909");
        assert_eq!(add_s("894899.4", "194e30"), "194000000000000000004928474972160");
        assert_eq!(add_s("123456789.123456789", "987654321.987654321"), "1111111111.11111110995989293");
        assert_eq!(add_s("1.5e-5", "2"), "2.000015");
    }

    /// Compares with a file of `a b expected` lines made by a C program using
    /// `long double` (`LD_CASES=path cargo test -- --ignored`).
    #[test]
    #[ignore]
    fn matches_cases_file() {
        let Ok(path) = std::env::var("LD_CASES") else { return };
        let text = std::fs::read_to_string(path).unwrap();
        let mut bad = 0;
        for line in text.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            let got = match incr_text(parts[0].as_bytes(), parts[1].as_bytes()) {
                Ok(v) => String::from_utf8(v).unwrap(),
                Err(Error::NotFloat) => "ERRFLOAT".into(),
                Err(_) => "ERRNAN".into(),
            };
            if got != parts[2] {
                bad += 1;
                eprintln!("{} + {}: got {got} want {}", parts[0], parts[1], parts[2]);
            }
        }
        assert_eq!(bad, 0);
    }
}
