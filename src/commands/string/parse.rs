//! Parsing of the string commands' options: the SET / GETEX option set and its expiry
//! argument, and LCS's options, each checked by the unit tests below.

use bytes::Bytes;

use crate::commands::args::{self, Args};
use crate::error::{Error, Result};

pub(super) const NX: u32 = 1 << 0;
pub(super) const XX: u32 = 1 << 1;
pub(super) const GET: u32 = 1 << 2;
pub(super) const KEEPTTL: u32 = 1 << 3;
pub(super) const PERSIST: u32 = 1 << 4;
pub(super) const EX: u32 = 1 << 5;
pub(super) const PX: u32 = 1 << 6;
pub(super) const EXAT: u32 = 1 << 7;
pub(super) const PXAT: u32 = 1 << 8;
pub(super) const ANY_EXPIRE: u32 = EX | PX | EXAT | PXAT;

/// Options of SET (`for_set`) or GETEX, with Redis's rules about which combine: a
/// refused combination is `ERR syntax error`. The expire argument is kept raw; it is
/// checked only when the command gets that far (GETEX on a missing key never checks it).
pub(super) struct ExtOpts<'a> {
    pub(super) flags: u32,
    pub(super) expire: Option<&'a Bytes>,
}

pub(super) fn parse_ext(argv: &[Bytes], from: usize, for_set: bool) -> Result<ExtOpts<'_>> {
    let mut o = ExtOpts { flags: 0, expire: None };
    let mut a = Args::new(argv, from);
    while let Some(opt) = a.next() {
        let f = o.flags;
        let has_next = !a.is_empty();
        let flag = if for_set && args::is(opt, "nx") && f & XX == 0 {
            NX
        } else if for_set && args::is(opt, "xx") && f & NX == 0 {
            XX
        } else if for_set && args::is(opt, "get") {
            GET
        } else if for_set && args::is(opt, "keepttl") && f & (PERSIST | ANY_EXPIRE) == 0 {
            KEEPTTL
        } else if !for_set && args::is(opt, "persist") && f & (KEEPTTL | ANY_EXPIRE) == 0 {
            PERSIST
        } else if args::is(opt, "ex") && f & (KEEPTTL | PERSIST | EXAT | PX | PXAT) == 0 && has_next {
            EX
        } else if args::is(opt, "px") && f & (KEEPTTL | PERSIST | EX | EXAT | PXAT) == 0 && has_next {
            PX
        } else if args::is(opt, "exat") && f & (KEEPTTL | PERSIST | EX | PX | PXAT) == 0 && has_next {
            EXAT
        } else if args::is(opt, "pxat") && f & (KEEPTTL | PERSIST | EX | EXAT | PX) == 0 && has_next {
            PXAT
        } else {
            return Err(Error::Syntax);
        };
        if flag & ANY_EXPIRE != 0 {
            o.expire = a.next();
        }
        o.flags |= flag;
    }
    Ok(o)
}

/// Turns an EX/PX/EXAT/PXAT argument into an absolute Unix time in ms, with Redis's
/// checks: not an integer -> `ERR value is not an integer or out of range`; zero,
/// negative or overflowing -> `ERR invalid expire time in '<cmd>' command`.
pub(super) fn expire_at(now: i64, raw: &[u8], flags: u32, cmd: &str) -> Result<i64> {
    let n = args::int(raw)?;
    let seconds = flags & (EX | EXAT) != 0;
    let invalid = || Error::InvalidExpire(cmd.to_string());
    if n <= 0 || (seconds && n > i64::MAX / 1000) {
        return Err(invalid());
    }
    let ms = if seconds { n * 1000 } else { n };
    let ms = if flags & (EX | PX) != 0 { ms.checked_add(now).ok_or_else(invalid)? } else { ms };
    if ms <= 0 {
        return Err(invalid());
    }
    Ok(ms)
}

/// LCS's options after the two keys: `[LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]`.
#[derive(Debug, Default, PartialEq)]
pub(super) struct LcsArgs {
    pub(super) len: bool,
    pub(super) idx: bool,
    pub(super) with_match_len: bool,
    /// 0: every match (a negative MINMATCHLEN reads as 0).
    pub(super) min_match_len: i64,
}

impl LcsArgs {
    /// Errors: syntax error, not an integer, `ERR If you want both the length and
    /// indexes, please just use IDX.`
    pub(super) fn parse(argv: &[Bytes]) -> Result<LcsArgs> {
        let mut l = LcsArgs::default();
        let mut a = Args::new(argv, 3);
        while let Some(opt) = a.next() {
            if args::is(opt, "idx") {
                l.idx = true;
            } else if args::is(opt, "len") {
                l.len = true;
            } else if args::is(opt, "withmatchlen") {
                l.with_match_len = true;
            } else if args::is(opt, "minmatchlen") && !a.is_empty() {
                l.min_match_len = a.int()?.max(0);
            } else {
                return Err(Error::Syntax);
            }
        }
        if l.idx && l.len {
            return Err(Error::LcsLenAndIdx);
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::args::testing::{argv, err};

    #[test]
    fn set_and_getex_options() {
        let a = argv(&["set", "k", "v", "NX", "GET", "PX", "100"]);
        let o = parse_ext(&a, 3, true).unwrap();
        assert_eq!((o.flags, o.expire), (NX | GET | PX, Some(&a[6])));
        let a = argv(&["getex", "k", "PERSIST"]);
        assert_eq!(parse_ext(&a, 2, false).unwrap().flags, PERSIST);
        let bad = |items: &[&str], from: usize, for_set: bool| err(parse_ext(&argv(items), from, for_set));
        for opts in [&["NX", "XX"][..], &["EX", "1", "PX", "1"], &["KEEPTTL", "EX", "1"], &["EX"], &["PERSIST"], &["bogus"]] {
            let mut items = vec!["set", "k", "v"];
            items.extend_from_slice(opts);
            assert_eq!(bad(&items, 3, true), "ERR syntax error", "{opts:?}");
        }
        assert_eq!(bad(&["getex", "k", "NX"], 2, false), "ERR syntax error");
        assert_eq!(bad(&["getex", "k", "PERSIST", "EX", "1"], 2, false), "ERR syntax error");
    }

    #[test]
    fn expire_arguments() {
        assert_eq!(expire_at(1_000, b"5", EX, "set").unwrap(), 6_000);
        assert_eq!(expire_at(1_000, b"5", PX, "set").unwrap(), 1_005);
        assert_eq!(expire_at(1_000, b"5", EXAT, "set").unwrap(), 5_000);
        assert_eq!(expire_at(1_000, b"5", PXAT, "set").unwrap(), 5);
        assert_eq!(err(expire_at(0, b"x", EX, "set")), "ERR value is not an integer or out of range");
        assert_eq!(err(expire_at(0, b"0", EX, "set")), "ERR invalid expire time in 'set' command");
        assert_eq!(err(expire_at(0, b"-1", PX, "getex")), "ERR invalid expire time in 'getex' command");
        assert_eq!(err(expire_at(0, b"9223372036854775807", EX, "set")), "ERR invalid expire time in 'set' command");
        assert_eq!(err(expire_at(1, b"9223372036854775807", PX, "set")), "ERR invalid expire time in 'set' command");
    }

    #[test]
    fn lcs_options() {
        let a = argv(&["lcs", "a", "b", "IDX", "MINMATCHLEN", "-3", "WITHMATCHLEN"]);
        assert_eq!(LcsArgs::parse(&a).unwrap(), LcsArgs { len: false, idx: true, with_match_len: true, min_match_len: 0 });
        assert!(LcsArgs::parse(&argv(&["lcs", "a", "b", "LEN"])).unwrap().len);
        assert_eq!(err(LcsArgs::parse(&argv(&["lcs", "a", "b", "LEN", "IDX"]))), "ERR If you want both the length and indexes, please just use IDX.");
        assert_eq!(err(LcsArgs::parse(&argv(&["lcs", "a", "b", "MINMATCHLEN"]))), "ERR syntax error");
        assert_eq!(err(LcsArgs::parse(&argv(&["lcs", "a", "b", "MINMATCHLEN", "x"]))), "ERR value is not an integer or out of range");
    }
}
