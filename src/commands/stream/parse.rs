//! Parsing of the stream commands' arguments, with Redis's rules and error replies:
//! entry IDs (`streamGenericParseIDOrReply`), range bounds with `(`, XADD and XTRIM's
//! trimming options (`streamParseAddOrTrimArgsOrReply`), and XREAD / XREADGROUP's options.

use bytes::Bytes;

use crate::commands::args::{self, is};
use crate::error::{Error, Result};
use crate::num::parse_i64_strict;
use crate::types::stream::{NewId, StreamId, Trim, TrimArgs};

/// C's `isspace`, as `strtoull` skips it.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Redis's `string2ull`: a strict integer that is not negative, or else what C's
/// `strtoull` accepts whole (leading spaces, a sign, leading zeros; a `-` wraps).
fn string2ull(s: &[u8]) -> Option<u64> {
    if let Some(v) = parse_i64_strict(s) {
        return (v >= 0).then_some(v as u64);
    }
    let mut i = s.iter().take_while(|&&b| is_c_space(b)).count();
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for d in digits {
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// An ID, and whether its sequence number was given (false for `<ms>-*`, which only
/// `ms_star` accepts). `missing_seq` is the sequence of an ID given as `<ms>` alone;
/// `strict` refuses `-` and `+`.
fn parse_id(raw: &[u8], missing_seq: u64, strict: bool, ms_star: bool) -> Result<(StreamId, bool)> {
    if raw.len() > 127 {
        return Err(Error::InvalidStreamId);
    }
    match raw {
        b"-" | b"+" if strict => return Err(Error::InvalidStreamId),
        b"-" => return Ok((StreamId::MIN, true)),
        b"+" => return Ok((StreamId::MAX, true)),
        _ => {}
    }
    let (ms, seq) = match raw.iter().position(|&b| b == b'-') {
        Some(dash) => (&raw[..dash], Some(&raw[dash + 1..])),
        None => (raw, None),
    };
    let ms = string2ull(ms).ok_or(Error::InvalidStreamId)?;
    match seq {
        Some(b"*") if ms_star => Ok((StreamId::new(ms, 0), false)),
        Some(seq) => Ok((StreamId::new(ms, string2ull(seq).ok_or(Error::InvalidStreamId)?), true)),
        None => Ok((StreamId::new(ms, missing_seq), true)),
    }
}

/// A strict ID (no `-` or `+`), `<ms>` meaning `<ms>-0`.
pub fn strict_id(raw: &[u8]) -> Result<StreamId> {
    Ok(parse_id(raw, 0, true, false)?.0)
}

/// An ID that may be `-` or `+`, `<ms>` meaning `<ms>-<missing_seq>`.
pub fn id(raw: &[u8], missing_seq: u64) -> Result<StreamId> {
    Ok(parse_id(raw, missing_seq, false, false)?.0)
}

/// The start of an interval (XRANGE, XPENDING, XAUTOCLAIM): `-`, an ID, or `(ID`
/// exclusive. Errors: `ERR Invalid stream ID ...`, `ERR invalid start ID for the interval`.
pub fn range_start(raw: &[u8]) -> Result<StreamId> {
    if raw.len() > 1 && raw[0] == b'(' {
        let id = parse_id(&raw[1..], 0, true, false)?.0;
        return id.incr().ok_or(Error::StreamInvalidStart);
    }
    id(raw, 0)
}

/// The end of an interval: `+`, an ID (`<ms>` meaning its last sequence number), or
/// `(ID` exclusive. Errors: `ERR Invalid stream ID ...`, `ERR invalid end ID for the
/// interval`.
pub fn range_end(raw: &[u8]) -> Result<StreamId> {
    if raw.len() > 1 && raw[0] == b'(' {
        let id = parse_id(&raw[1..], u64::MAX, true, false)?.0;
        return id.decr().ok_or(Error::StreamInvalidEnd);
    }
    id(raw, u64::MAX)
}

/// XADD's and XTRIM's options.
#[derive(Debug, Clone, PartialEq)]
pub struct AddTrim {
    pub trim: Option<TrimArgs>,
    pub nomkstream: bool,
    pub id: NewId,
    /// Index of the first field (XADD).
    pub fields: usize,
}

/// Parses XADD's options up to the ID (`xadd`), or XTRIM's, as Redis does.
/// Errors: `ERR syntax error, ...` (MAXLEN with MINID, LIMIT without a strategy or
/// without `~`, XTRIM without a strategy), `ERR The MAXLEN argument must be >= 0.`, `ERR
/// The LIMIT argument must be >= 0.`, `ERR value is not an integer or out of range`,
/// `ERR Invalid stream ID ...`, `ERR syntax error`.
/// `node_entries` is `stream-node-max-entries`: `~` without LIMIT removes at most 100
/// nodes' worth (10,000 at most), as Redis.
pub fn add_or_trim(argv: &[Bytes], xadd: bool, node_entries: u64) -> Result<AddTrim> {
    let mut strategy: Option<Trim> = None;
    let (mut approx, mut limit, mut limit_given) = (false, 0i64, false);
    let (mut nomkstream, mut new_id) = (false, NewId::Auto);
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i];
        if xadd && &opt[..] == b"*" {
            break;
        } else if (is(opt, "maxlen") || is(opt, "minid")) && more > 0 {
            if strategy.is_some() {
                return Err(Error::StreamMaxlenAndMinid);
            }
            approx = false;
            let next = &argv[i + 1][..];
            if more >= 2 && next == b"~" {
                approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let value = &argv[i + 1];
            strategy = Some(if is(opt, "maxlen") {
                let n = args::int(value)?;
                if n < 0 {
                    return Err(Error::StreamMaxlenNegative);
                }
                Trim::MaxLen(n as u64)
            } else {
                Trim::MinId(strict_id(value)?)
            });
            i += 1;
        } else if is(opt, "limit") && more > 0 {
            limit = args::int(&argv[i + 1])?;
            if limit < 0 {
                return Err(Error::StreamLimitNegative);
            }
            limit_given = true;
            i += 1;
        } else if xadd && is(opt, "nomkstream") {
            nomkstream = true;
        } else if xadd {
            let (id, seq_given) = parse_id(opt, 0, true, true)?;
            new_id = if seq_given { NewId::Exact(id) } else { NewId::Ms(id.ms) };
            break;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if limit != 0 && strategy.is_none() {
        return Err(Error::StreamLimitWithoutStrategy);
    }
    if !xadd && strategy.is_none() {
        return Err(Error::XtrimWithoutStrategy);
    }
    if limit_given && !approx {
        return Err(Error::StreamLimitWithoutApprox);
    }
    if approx && !limit_given {
        limit = match node_entries.saturating_mul(100) {
            n @ 1..=10_000 => n as i64,
            _ => 10_000,
        };
    }
    let trim = strategy.map(|strategy| TrimArgs { strategy, approx, limit: if approx { limit as u64 } else { 0 } });
    Ok(AddTrim { trim, nomkstream, id: new_id, fields: i + 1 })
}

/// A COUNT as XRANGE, XREAD and XPENDING read it: an integer, negative meaning 0.
pub fn count(raw: &[u8]) -> Result<u64> {
    Ok(args::int(raw)?.max(0) as u64)
}

/// What one stream of XREAD / XREADGROUP asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFrom {
    /// Entries after this ID.
    After(StreamId),
    /// XREAD `$`: entries added from now on.
    Last,
    /// XREAD `+` (Redis 7.4): the last entry.
    LastEntry,
    /// XREADGROUP `>`: entries never delivered to the group.
    New,
}

/// XREAD's and XREADGROUP's options.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadArgs {
    /// 0: no limit.
    pub count: u64,
    /// BLOCK in milliseconds: `None` without BLOCK, `Some(0)` for ever.
    pub block: Option<u64>,
    pub group: Option<(Bytes, Bytes)>,
    pub noack: bool,
    /// Index of the first key after STREAMS.
    pub streams: usize,
    /// Number of keys.
    pub n: usize,
}

/// Parses XREAD (`group` false) or XREADGROUP options, as Redis's `xreadCommand`.
pub fn read_args(argv: &[Bytes], group: bool) -> Result<ReadArgs> {
    let mut a = ReadArgs { count: 0, block: None, group: None, noack: false, streams: 0, n: 0 };
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let o = &argv[i];
        if is(o, "block") && more > 0 {
            i += 1;
            let ms = parse_i64_strict(&argv[i]).ok_or(Error::TimeoutNotInteger)?;
            if ms < 0 {
                return Err(Error::TimeoutNegative);
            }
            // Redis 7.0 takes any such timeout; a deadline centuries away is for ever.
            a.block = Some((ms as u64).min(1 << 40));
        } else if is(o, "count") && more > 0 {
            i += 1;
            a.count = count(&argv[i])?;
        } else if is(o, "streams") && more > 0 {
            a.streams = i + 1;
            let rest = argv.len() - a.streams;
            if rest % 2 != 0 {
                return Err(Error::XreadUnbalanced);
            }
            a.n = rest / 2;
            break;
        } else if is(o, "group") && more >= 2 {
            if !group {
                return Err(Error::XreadGroupOnly("GROUP"));
            }
            a.group = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 2;
        } else if is(o, "noack") {
            if !group {
                return Err(Error::XreadGroupOnly("NOACK"));
            }
            a.noack = true;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if a.streams == 0 {
        return Err(Error::Syntax);
    }
    if group && a.group.is_none() {
        return Err(Error::XreadgroupMissingGroup);
    }
    Ok(a)
}

/// One XREAD / XREADGROUP ID. Errors: the `$` and `>` misuse errors, `ERR Invalid
/// stream ID ...`.
pub fn read_from(raw: &[u8], group: bool) -> Result<ReadFrom> {
    match raw {
        b"$" if group => Err(Error::XreadgroupDollar),
        b"$" => Ok(ReadFrom::Last),
        b">" if !group => Err(Error::XreadGreater),
        b">" => Ok(ReadFrom::New),
        b"+" if !group => Ok(ReadFrom::LastEntry),
        // Redis marks `>` with the last possible ID, so that ID given explicitly to
        // XREADGROUP reads as `>` too.
        _ => match strict_id(raw)? {
            StreamId::MAX if group => Ok(ReadFrom::New),
            id => Ok(ReadFrom::After(id)),
        },
    }
}

/// The keys of XREAD / XREADGROUP: the first half of the arguments after the first
/// `STREAMS` at or after `from`, as Redis's key specification finds them.
pub fn stream_keys(argv: &[Bytes], from: usize) -> Vec<usize> {
    let argc = argv.len();
    let Some(at) = (from..argc.saturating_sub(1)).find(|&i| is(&argv[i], "streams")) else { return Vec::new() };
    let begin = at + 1;
    let n = (argc - begin) / 2;
    (begin..begin + n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::args::testing::{argv, err};

    #[test]
    fn ids_follow_redis_rules() {
        assert_eq!(strict_id(b"5").unwrap(), StreamId::new(5, 0));
        assert_eq!(strict_id(b"01-02").unwrap(), StreamId::new(1, 2));
        assert_eq!(strict_id(b" +5").unwrap(), StreamId::new(5, 0));
        assert_eq!(strict_id(b"18446744073709551615-18446744073709551615").unwrap(), StreamId::MAX);
        for bad in ["-", "+", "", "x", "1-x", "-1", "1-", "18446744073709551616", "1-2-3", "5-*"] {
            assert_eq!(err(strict_id(bad.as_bytes())), "ERR Invalid stream ID specified as stream command argument", "{bad}");
        }
        assert!(strict_id(&[b'1'; 128]).is_err());
        assert_eq!(id(b"-", 0).unwrap(), StreamId::MIN);
        assert_eq!(range_end(b"7").unwrap(), StreamId::new(7, u64::MAX));
        assert_eq!(range_start(b"(7-1").unwrap(), StreamId::new(7, 2));
        assert_eq!(range_end(b"(7").unwrap(), StreamId::new(7, u64::MAX - 1), "(7 excludes 7-MAX only, as in Redis");
        assert_eq!(err(range_end(b"(0-0")), "ERR invalid end ID for the interval");
        assert_eq!(err(range_start(b"(18446744073709551615-18446744073709551615")), "ERR invalid start ID for the interval");
        assert_eq!(err(range_start(b"(-")), "ERR Invalid stream ID specified as stream command argument");
    }

    #[test]
    fn add_and_trim_options() {
        let a = add_or_trim(&argv(&["xadd", "s", "NOMKSTREAM", "MAXLEN", "~", "10", "5-*", "f", "v"]), true, 100).unwrap();
        assert_eq!(a.id, NewId::Ms(5));
        assert!(a.nomkstream);
        assert_eq!(a.trim, Some(TrimArgs { strategy: Trim::MaxLen(10), approx: true, limit: 10_000 }));
        assert_eq!(a.fields, 7);
        let a = add_or_trim(&argv(&["xtrim", "s", "MINID", "=", "3", "LIMIT", "0"]), false, 100);
        assert_eq!(err(a), "ERR syntax error, LIMIT cannot be used without the special ~ option");
        let e = |line: &[&str], xadd| err(add_or_trim(&argv(line), xadd, 100));
        assert_eq!(e(&["xadd", "s", "LIMIT", "5", "*", "f", "v"], true), "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        assert_eq!(e(&["xtrim", "s", "MAXLEN", "5", "MINID", "5"], false), "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        assert_eq!(e(&["xtrim", "s", "MAXLEN", "-1"], false), "ERR The MAXLEN argument must be >= 0.");
        assert_eq!(e(&["xtrim", "s", "foo", "1"], false), "ERR syntax error");
        assert_eq!(e(&["xtrim", "s", "LIMIT", "1"], false), "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    }

    #[test]
    fn read_options() {
        let a = read_args(&argv(&["xreadgroup", "GROUP", "g", "c", "COUNT", "-5", "NOACK", "STREAMS", "a", "b", ">", "0"]), true).unwrap();
        assert_eq!((a.count, a.noack, a.streams, a.n), (0, true, 8, 2));
        assert_eq!(err(read_args(&argv(&["xread", "STREAMS", "a", "b", "0"]), false)), "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        assert_eq!(err(read_args(&argv(&["xread", "NOACK", "STREAMS", "a", "0"]), false)), "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        assert_eq!(err(read_args(&argv(&["xreadgroup", "STREAMS", "a", "0"]), true)), "ERR Missing GROUP option for XREADGROUP");
        assert_eq!(err(read_args(&argv(&["xread", "BLOCK", "-1", "STREAMS", "a", "0"]), false)), "ERR timeout is negative");
        assert_eq!(err(read_args(&argv(&["xread", "COUNT", "9223372036854775808", "STREAMS", "a", "0"]), false)), "ERR value is not an integer or out of range");
        assert_eq!(stream_keys(&argv(&["xread", "COUNT", "1", "STREAMS", "a", "b", "0", "0"]), 1), [4, 5]);
    }
}
