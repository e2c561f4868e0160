//! Number reading with Redis's rules, for both layers (commands parse arguments with it,
//! types read stored values with it): strict 64-bit integers as `string2ll`, and doubles
//! as C's `strtod` reads them (no NaN; `ERANGE` refused or, for range bounds, accepted).
//! A leaf module: it depends on nothing else in the crate.

/// Parses a signed 64-bit integer exactly as Redis's `string2ll` does: an optional '-',
/// then digits with no leading zero (except "0" itself), nothing else.
pub fn parse_i64_strict(raw: &[u8]) -> Option<i64> {
    if raw.is_empty() || raw.len() > 20 {
        return None;
    }
    if raw == b"0" {
        return Some(0);
    }
    let (neg, digits) = match raw[0] {
        b'-' => (true, &raw[1..]),
        _ => (false, raw),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// A float as Redis reads one (`strtod`, refusing its ERANGE): no leading space, no
/// trailing garbage, `inf` and `-inf` allowed, NaN and out-of-range numbers refused.
pub fn parse_f64(raw: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(raw).ok()?;
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_whitespace()) || s.ends_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    match strtod(s)? {
        (_, true) => None,
        (v, false) => Some(v),
    }
}

/// A number read as Redis reads score range bounds: `strtod` over the whole argument
/// with only NaN refused. Unlike [`parse_f64`], leading blanks pass, out-of-range values
/// become infinity or zero, and an empty argument is 0 (strtod converts nothing and
/// stops at its end).
pub fn parse_f64_bound(raw: &[u8]) -> Option<f64> {
    if raw.is_empty() {
        return Some(0.0);
    }
    let s = std::str::from_utf8(raw).ok()?;
    // C's isspace: strtod skips these before the number.
    strtod(s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r'])).map(|(v, _)| v)
}

/// What C's strtod makes of all of `s`, with whether it reports ERANGE (overflow to
/// infinity, or a non-zero number that underflows to zero: "1e400", "1e-400"). `None`
/// if it would stop before the end, or reads NaN (which Redis refuses everywhere).
fn strtod(s: &str) -> Option<(f64, bool)> {
    if let Some(inf) = infinity(s) {
        return Some((inf, false));
    }
    let v = s.parse::<f64>().ok().filter(|v| !v.is_nan())?;
    let mantissa = s.split(['e', 'E']).next().unwrap_or("");
    let erange = v.is_infinite() || (v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)));
    Some((v, erange))
}

/// `inf` or `infinity` in any case, with at most one sign, as strtod reads them.
fn infinity(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let inf = body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity");
    inf.then_some(if negative { f64::NEG_INFINITY } else { f64::INFINITY })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_integers() {
        assert_eq!(parse_i64_strict(b"0"), Some(0));
        assert_eq!(parse_i64_strict(b"-12"), Some(-12));
        assert_eq!(parse_i64_strict(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64_strict(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [&b"9223372036854775808"[..], b"+1", b"01", b" 1", b"1 ", b"", b"-", b"-0", b"1.0", b"abc"] {
            assert_eq!(parse_i64_strict(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn floats() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"nan"), None);
        assert_eq!(parse_f64(b" 1"), None);
        assert_eq!(parse_f64(b"1x"), None);
        assert_eq!(parse_f64(b""), None);
        // Out of a double's range: strtod's ERANGE, refused as Redis does.
        assert_eq!(parse_f64(b"1e400"), None);
        assert_eq!(parse_f64(b"-1e400"), None);
        assert_eq!(parse_f64(b"1e-400"), None);
        assert_eq!(parse_f64(b"0e400"), Some(0.0));
        assert_eq!(parse_f64(b"-0.0"), Some(-0.0));
        assert_eq!(parse_f64(b"-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"+-inf"), None);
    }

    #[test]
    fn range_bounds_read_as_strtod() {
        assert_eq!(parse_f64_bound(b"1.5"), Some(1.5));
        assert_eq!(parse_f64_bound(b"1e400"), Some(f64::INFINITY));
        assert_eq!(parse_f64_bound(b"-1e400"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64_bound(b"1e-400"), Some(0.0));
        assert_eq!(parse_f64_bound(b" 2"), Some(2.0));
        assert_eq!(parse_f64_bound(b""), Some(0.0));
        assert_eq!(parse_f64_bound(b"-INF"), Some(f64::NEG_INFINITY));
        for bad in [&b" "[..], b"2 ", b"nan", b"x", b"1e", b"--1", b"-+inf"] {
            assert_eq!(parse_f64_bound(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
