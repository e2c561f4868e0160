//! Parsing of the sorted-set commands' arguments into small structs, each checked by
//! the unit tests below. Errors come in the order Redis reports them.

use bytes::Bytes;

use crate::commands::args::{self, is, Args};
use crate::error::{Error, Result};
use crate::types::set::SetOp;
use crate::types::zset::{AddCond, Aggregate, LexRange, Range, ScoreRange};

/// Parses `min` and `max` score bounds (`(` for exclusive, `-inf`/`+inf`).
/// Error: `ERR min or max is not a float`.
pub(super) fn score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange> {
    let bound = |raw: &[u8]| match raw.first() {
        Some(b'(') => args::parse_f64_bound(&raw[1..]).map(|v| (v, true)),
        _ => args::parse_f64_bound(raw).map(|v| (v, false)),
    };
    match (bound(min), bound(max)) {
        (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, minex, max, maxex }),
        _ => Err(Error::ScoreRange),
    }
}

/// Parses lex bounds (`-`, `+`, `[x`, `(x`). Error: `ERR min or max not valid string range item`.
pub(super) fn lex_range(min: &[u8], max: &[u8]) -> Result<LexRange> {
    LexRange::parse(min, max).ok_or_else(|| Error::LexRange)
}

/// ZADD's arguments after the key: `[NX|XX] [GT|LT] [CH] [INCR] score member ...`.
#[derive(Debug, PartialEq)]
pub(super) struct ZAddArgs<'a> {
    pub(super) cond: AddCond,
    pub(super) ch: bool,
    pub(super) pairs: Vec<(f64, &'a Bytes)>,
}

impl<'a> ZAddArgs<'a> {
    /// Errors, in Redis's order: syntax error (no pairs, or an odd count), `ERR XX and NX
    /// options at the same time are not compatible`, `ERR GT, LT, and/or NX options at
    /// the same time are not compatible`, `ERR INCR option supports a single
    /// increment-element pair`, `ERR value is not a valid float`.
    pub(super) fn parse(argv: &'a [Bytes]) -> Result<ZAddArgs<'a>> {
        let (mut c, mut ch) = (AddCond::default(), false);
        let mut i = 2;
        while let Some(opt) = argv.get(i) {
            let flag = match &opt.to_ascii_lowercase()[..] {
                b"nx" => &mut c.nx,
                b"xx" => &mut c.xx,
                b"gt" => &mut c.gt,
                b"lt" => &mut c.lt,
                b"ch" => &mut ch,
                b"incr" => &mut c.incr,
                _ => break,
            };
            *flag = true;
            i += 1;
        }
        let elements = argv.len() - i;
        if elements == 0 || !elements.is_multiple_of(2) {
            return Err(Error::Syntax);
        }
        if c.nx && c.xx {
            return Err(Error::ZaddXxAndNx);
        }
        if (c.gt || c.lt) && c.nx || (c.gt && c.lt) {
            return Err(Error::ZaddGtLtNx);
        }
        if c.incr && elements > 2 {
            return Err(Error::ZaddIncrPair);
        }
        let pairs = argv[i..].chunks(2).map(|p| Ok((args::float(&p[0])?, &p[1]))).collect::<Result<_>>()?;
        Ok(ZAddArgs { cond: c, ch, pairs })
    }
}

/// How a ZRANGE-family command reads its two range arguments: fixed by the older
/// commands, chosen by a BYSCORE / BYLEX option (`Auto`, ranks by default) for ZRANGE.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum By {
    Auto,
    Rank,
    Score,
    Lex,
}

/// The arguments of Redis's `zrangeGenericCommand` from the source key on:
/// `key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`.
#[derive(Debug, PartialEq)]
pub(super) struct RangeArgs<'a> {
    pub(super) key: &'a Bytes,
    pub(super) range: Range,
    pub(super) rev: bool,
    pub(super) withscores: bool,
    pub(super) offset: i64,
    pub(super) limit: i64,
}

impl<'a> RangeArgs<'a> {
    /// The source key is `argv[at]`; `store` (ZRANGESTORE) refuses WITHSCORES; `by` and
    /// `rev` are fixed by the older commands and left open (`Auto` / `None`) by ZRANGE.
    /// Errors: syntax errors (LIMIT without BYSCORE/BYLEX, WITHSCORES with BYLEX), `ERR
    /// value is not an integer or out of range`, `ERR min or max is not a float`, `ERR
    /// min or max not valid string range item`.
    pub(super) fn parse(argv: &'a [Bytes], at: usize, store: bool, mut by: By, mut rev: Option<bool>) -> Result<RangeArgs<'a>> {
        let (mut minidx, mut maxidx) = (at + 1, at + 2);
        let (mut withscores, mut offset, mut limit) = (false, 0i64, -1i64);
        let mut j = at + 3;
        while j < argv.len() {
            let left = argv.len() - j - 1;
            let opt = &argv[j];
            if !store && is(opt, "withscores") {
                withscores = true;
            } else if is(opt, "limit") && left >= 2 {
                offset = args::int(&argv[j + 1])?;
                limit = args::int(&argv[j + 2])?;
                j += 2;
            } else if rev.is_none() && is(opt, "rev") {
                rev = Some(true);
            } else if by == By::Auto && is(opt, "bylex") {
                by = By::Lex;
            } else if by == By::Auto && is(opt, "byscore") {
                by = By::Score;
            } else {
                return Err(Error::Syntax);
            }
            j += 1;
        }
        let rev = rev.unwrap_or(false);
        if by == By::Auto {
            by = By::Rank;
        }
        if limit != -1 && by == By::Rank {
            return Err(Error::RangeLimit);
        }
        if withscores && by == By::Lex {
            return Err(Error::RangeWithscoresBylex);
        }
        if rev && by != By::Rank {
            std::mem::swap(&mut minidx, &mut maxidx);
        }
        let range = match by {
            By::Score => Range::Score(score_range(&argv[minidx], &argv[maxidx])?),
            By::Lex => Range::Lex(lex_range(&argv[minidx], &argv[maxidx])?),
            _ => Range::Rank(args::int(&argv[minidx])?, args::int(&argv[maxidx])?),
        };
        Ok(RangeArgs { key: &argv[at], range, rev, withscores, offset, limit })
    }
}

/// The arguments of ZMPOP and BZMPOP from numkeys on: `numkeys key [key ...] MIN|MAX
/// [COUNT count]`.
#[derive(Debug, PartialEq)]
pub(super) struct MpopArgs<'a> {
    pub(super) keys: &'a [Bytes],
    pub(super) max: bool,
    pub(super) count: u64,
}

impl<'a> MpopArgs<'a> {
    /// `argv[numkeys_idx]` is numkeys. Errors: `ERR numkeys should be greater than 0`,
    /// `ERR count should be greater than 0`, syntax error.
    pub(super) fn parse(argv: &'a [Bytes], numkeys_idx: usize) -> Result<MpopArgs<'a>> {
        let numkeys = args::parse_i64_strict(&argv[numkeys_idx])
            .filter(|&n| n >= 1)
            .ok_or(Error::NumkeysNotPositive)?;
        let where_idx = (numkeys_idx as u64).saturating_add(numkeys as u64).saturating_add(1);
        if where_idx >= argv.len() as u64 {
            return Err(Error::Syntax);
        }
        let where_idx = where_idx as usize;
        let max = match &argv[where_idx] {
            w if is(w, "min") => false,
            w if is(w, "max") => true,
            _ => return Err(Error::Syntax),
        };
        let mut count = None;
        let mut a = Args::new(argv, where_idx + 1);
        while let Some(opt) = a.next() {
            if count.is_none() && is(opt, "count") && a.remaining() >= 1 {
                let n = args::parse_i64_strict(a.value()?)
                    .filter(|&n| n >= 1)
                    .ok_or(Error::CountNotPositive)?;
                count = Some(n as u64);
            } else {
                return Err(Error::Syntax);
            }
        }
        Ok(MpopArgs { keys: &argv[numkeys_idx + 1..where_idx], max, count: count.unwrap_or(1) })
    }
}

/// The options of ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD, after the
/// input keys: `[WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]` or `[LIMIT n]`.
#[derive(Debug, PartialEq)]
pub(super) struct SetOpArgs {
    /// One per input key.
    pub(super) weights: Vec<f64>,
    pub(super) aggregate: Aggregate,
    pub(super) withscores: bool,
    /// ZINTERCARD's LIMIT (0: none).
    pub(super) limit: u64,
}

impl SetOpArgs {
    /// The input keys, `numkeys key [key ...]` with numkeys at `argv[at]`; read before
    /// the options, as Redis looks the inputs up (WRONGTYPE) before it reads those.
    /// Errors: not an integer, `ERR at least 1 input key is needed for '<name>'
    /// command`, syntax error (numkeys past the arguments).
    pub(super) fn keys<'a>(argv: &'a [Bytes], at: usize, name: &str) -> Result<&'a [Bytes]> {
        let setnum = args::int(&argv[at])?;
        if setnum < 1 {
            return Err(Error::NoInputKeys(name.to_string()));
        }
        if setnum as u64 > (argv.len() - at - 1) as u64 {
            return Err(Error::Syntax);
        }
        Ok(&argv[at + 1..at + 1 + setnum as usize])
    }

    /// The options from `argv[from]` for `setnum` inputs: WEIGHTS and AGGREGATE unless
    /// `op` is Diff or `card` (ZINTERCARD), WITHSCORES unless `store` or `card`, LIMIT
    /// only with `card`. Errors: `ERR weight value is not a float`, `ERR LIMIT can't be
    /// negative`, syntax error.
    pub(super) fn parse(argv: &[Bytes], from: usize, setnum: usize, op: SetOp, store: bool, card: bool) -> Result<SetOpArgs> {
        let mut a = SetOpArgs { weights: vec![1.0; setnum], aggregate: Aggregate::Sum, withscores: false, limit: 0 };
        let mut j = from;
        while j < argv.len() {
            let remaining = argv.len() - j;
            let opt = &argv[j];
            if op != SetOp::Diff && !card && remaining > setnum && is(opt, "weights") {
                for (i, w) in a.weights.iter_mut().enumerate() {
                    *w = args::parse_f64(&argv[j + 1 + i]).ok_or_else(|| Error::WeightNotFloat)?;
                }
                j += 1 + setnum;
            } else if op != SetOp::Diff && !card && remaining >= 2 && is(opt, "aggregate") {
                let how = &argv[j + 1];
                a.aggregate = if is(how, "sum") {
                    Aggregate::Sum
                } else if is(how, "min") {
                    Aggregate::Min
                } else if is(how, "max") {
                    Aggregate::Max
                } else {
                    return Err(Error::Syntax);
                };
                j += 2;
            } else if !store && !card && is(opt, "withscores") {
                a.withscores = true;
                j += 1;
            } else if card && remaining >= 2 && is(opt, "limit") {
                let l = args::parse_i64_strict(&argv[j + 1])
                    .filter(|&l| l >= 0)
                    .ok_or(Error::Negative("LIMIT"))?;
                a.limit = l as u64;
                j += 2;
            } else {
                return Err(Error::Syntax);
            }
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::args::testing::{argv, err};
    use crate::types::zset::LexBound;

    #[test]
    fn score_bounds() {
        let r = score_range(b"(1", b"+inf").unwrap();
        assert!(r.minex && !r.maxex && r.min == 1.0 && r.max == f64::INFINITY);
        assert!(score_range(b"nan", b"1").is_err());
        assert!(score_range(b"1", b"((2").is_err());
        assert!(score_range(b"abc", b"1").is_err());
        assert!(matches!(LexBound::parse(b"[a"), Some(LexBound::Incl(_))));
        assert_eq!(err(lex_range(b"a", b"+")), "ERR min or max not valid string range item");
    }

    #[test]
    fn zadd_arguments() {
        let a = argv(&["zadd", "z", "nx", "CH", "1", "a", "2.5", "b"]);
        let p = ZAddArgs::parse(&a).unwrap();
        assert_eq!(p.cond, AddCond { nx: true, ..AddCond::default() });
        assert!(p.ch);
        assert_eq!(p.pairs, vec![(1.0, &a[5]), (2.5, &a[7])]);
        // A member named like an option: options stop at the first score.
        let a = argv(&["zadd", "z", "incr", "1", "nx"]);
        let p = ZAddArgs::parse(&a).unwrap();
        assert!(p.cond.incr && !p.cond.nx);
        let bad = |items: &[&str]| err(ZAddArgs::parse(&argv(items)));
        assert_eq!(bad(&["zadd", "z", "nx"]), "ERR syntax error");
        assert_eq!(bad(&["zadd", "z", "1", "a", "2"]), "ERR syntax error");
        assert_eq!(bad(&["zadd", "z", "nx", "xx", "1", "a"]), "ERR XX and NX options at the same time are not compatible");
        assert_eq!(bad(&["zadd", "z", "gt", "lt", "1", "a"]), "ERR GT, LT, and/or NX options at the same time are not compatible");
        assert_eq!(bad(&["zadd", "z", "nx", "gt", "1", "a"]), "ERR GT, LT, and/or NX options at the same time are not compatible");
        assert_eq!(bad(&["zadd", "z", "incr", "1", "a", "2", "b"]), "ERR INCR option supports a single increment-element pair");
        assert_eq!(bad(&["zadd", "z", "x", "a"]), "ERR value is not a valid float");
        assert_eq!(bad(&["zadd", "z", "nan", "a"]), "ERR value is not a valid float");
    }

    #[test]
    fn range_arguments() {
        let a = argv(&["zrange", "z", "0", "-1", "WITHSCORES"]);
        let p = RangeArgs::parse(&a, 1, false, By::Auto, None).unwrap();
        assert_eq!(p, RangeArgs { key: &a[1], range: Range::Rank(0, -1), rev: false, withscores: true, offset: 0, limit: -1 });
        // REV with BYSCORE reads max before min.
        let a = argv(&["zrange", "z", "(5", "1", "BYSCORE", "REV", "LIMIT", "1", "2"]);
        let p = RangeArgs::parse(&a, 1, false, By::Auto, None).unwrap();
        let want = ScoreRange { min: 1.0, minex: false, max: 5.0, maxex: true };
        assert_eq!((p.range, p.rev, p.offset, p.limit), (Range::Score(want), true, 1, 2));
        let a = argv(&["zrevrangebylex", "z", "+", "[a"]);
        let p = RangeArgs::parse(&a, 1, false, By::Lex, Some(true)).unwrap();
        assert_eq!(p.range, Range::Lex(LexRange::parse(b"[a", b"+").unwrap()));
        let bad = |items: &[&str], store: bool, by: By, rev: Option<bool>| err(RangeArgs::parse(&argv(items), 1, store, by, rev));
        assert_eq!(bad(&["zrange", "z", "0", "1", "LIMIT", "0", "1"], false, By::Auto, None), "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        assert_eq!(bad(&["zrange", "z", "a", "b", "BYLEX", "WITHSCORES"], false, By::Auto, None), "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        assert_eq!(bad(&["zrangestore", "z", "0", "1", "WITHSCORES"], true, By::Auto, None), "ERR syntax error");
        assert_eq!(bad(&["zrevrange", "z", "0", "1", "REV"], false, By::Rank, Some(true)), "ERR syntax error");
        assert_eq!(bad(&["zrangebyscore", "z", "0", "1", "BYLEX"], false, By::Score, Some(false)), "ERR syntax error");
        assert_eq!(bad(&["zrange", "z", "x", "1"], false, By::Auto, None), "ERR value is not an integer or out of range");
        assert_eq!(bad(&["zrange", "z", "x", "1", "BYSCORE"], false, By::Auto, None), "ERR min or max is not a float");
    }

    #[test]
    fn mpop_arguments() {
        let a = argv(&["zmpop", "2", "a", "b", "MAX", "COUNT", "3"]);
        assert_eq!(MpopArgs::parse(&a, 1).unwrap(), MpopArgs { keys: &a[2..4], max: true, count: 3 });
        let a = argv(&["bzmpop", "0", "1", "a", "min"]);
        assert_eq!(MpopArgs::parse(&a, 2).unwrap(), MpopArgs { keys: &a[3..4], max: false, count: 1 });
        let bad = |items: &[&str]| err(MpopArgs::parse(&argv(items), 1));
        assert_eq!(bad(&["zmpop", "0", "a", "min"]), "ERR numkeys should be greater than 0");
        assert_eq!(bad(&["zmpop", "2", "a", "min"]), "ERR syntax error");
        assert_eq!(bad(&["zmpop", "9223372036854775807", "a", "min"]), "ERR syntax error");
        assert_eq!(bad(&["zmpop", "1", "a", "middle"]), "ERR syntax error");
        assert_eq!(bad(&["zmpop", "1", "a", "min", "count", "0"]), "ERR count should be greater than 0");
        assert_eq!(bad(&["zmpop", "1", "a", "min", "count", "1", "count", "1"]), "ERR syntax error");
    }

    #[test]
    fn set_operation_arguments() {
        let a = argv(&["zunionstore", "d", "2", "a", "b", "WEIGHTS", "2", "0.5", "AGGREGATE", "max"]);
        assert_eq!(SetOpArgs::keys(&a, 2, "zunionstore").unwrap(), &a[3..5]);
        let p = SetOpArgs::parse(&a, 5, 2, SetOp::Union, true, false).unwrap();
        assert_eq!(p, SetOpArgs { weights: vec![2.0, 0.5], aggregate: Aggregate::Max, withscores: false, limit: 0 });
        let a = argv(&["zintercard", "1", "a", "LIMIT", "5"]);
        assert_eq!(SetOpArgs::parse(&a, 3, 1, SetOp::Inter, false, true).unwrap().limit, 5);
        let a = argv(&["zdiff", "1", "a", "WITHSCORES"]);
        assert!(SetOpArgs::parse(&a, 3, 1, SetOp::Diff, false, false).unwrap().withscores);
        assert_eq!(err(SetOpArgs::keys(&argv(&["zunion", "0", "a"]), 1, "zunion")), "ERR at least 1 input key is needed for 'zunion' command");
        assert_eq!(err(SetOpArgs::keys(&argv(&["zunion", "3", "a"]), 1, "zunion")), "ERR syntax error");
        assert_eq!(err(SetOpArgs::keys(&argv(&["zunion", "x", "a"]), 1, "zunion")), "ERR value is not an integer or out of range");
        let bad = |items: &[&str], op: SetOp, store: bool, card: bool| err(SetOpArgs::parse(&argv(items), 3, 1, op, store, card));
        assert_eq!(bad(&["zunion", "1", "a", "WEIGHTS", "x"], SetOp::Union, false, false), "ERR weight value is not a float");
        assert_eq!(bad(&["zunion", "1", "a", "AGGREGATE", "avg"], SetOp::Union, false, false), "ERR syntax error");
        assert_eq!(bad(&["zdiff", "1", "a", "WEIGHTS", "1"], SetOp::Diff, false, false), "ERR syntax error");
        assert_eq!(bad(&["zunionstore", "1", "a", "WITHSCORES"], SetOp::Union, true, false), "ERR syntax error");
        assert_eq!(bad(&["zintercard", "1", "a", "LIMIT", "-1"], SetOp::Inter, false, true), "ERR LIMIT can't be negative");
        assert_eq!(bad(&["zintercard", "1", "a", "WITHSCORES"], SetOp::Inter, false, true), "ERR syntax error");
    }
}
