//! Sorted-set commands: parse, call [`crate::types::zset`], reply.
//!
//! Scores reply as doubles: a RESP3 double, or for RESP2 a bulk string in Redis's
//! `%.17g` style (see `format_double`). WITHSCORES replies are flat `member, score`
//! arrays in RESP2 and arrays of `[member, score]` pairs in RESP3, as Redis 7 answers.

use std::collections::HashMap;

use bytes::Bytes;

use super::args::{self, is, Args};
use super::blocking::parse_timeout;
use super::context::Ctx;
use super::cursor::{self, ScanOpts};
use super::set::{random_count, random_members};
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::storage::keys::decode_score;
use crate::types::meta::{Kind, Meta};
use crate::types::set;
use crate::types::zset::{self, Item, LexRange, ScoreRange, ZsetMut};
use crate::types::Txn;

const NOT_FLOAT_RANGE: &str = "min or max is not a float";
const NOT_LEX_RANGE: &str = "min or max not valid string range item";
const NAN_SCORE: &str = "resulting score is not a number (NaN)";

/// Parses `min` and `max` score bounds (`(` for exclusive, `-inf`/`+inf`).
/// Error: `ERR min or max is not a float`.
fn score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange> {
    let bound = |raw: &[u8]| match raw.first() {
        Some(b'(') => args::parse_f64_bound(&raw[1..]).map(|v| (v, true)),
        _ => args::parse_f64_bound(raw).map(|v| (v, false)),
    };
    match (bound(min), bound(max)) {
        (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, minex, max, maxex }),
        _ => Err(Error::err(NOT_FLOAT_RANGE)),
    }
}

/// Parses lex bounds (`-`, `+`, `[x`, `(x`). Error: `ERR min or max not valid string range item`.
fn lex_range(min: &[u8], max: &[u8]) -> Result<LexRange> {
    LexRange::parse(min, max).ok_or_else(|| Error::err(NOT_LEX_RANGE))
}

/// Members, with scores if asked: flat in RESP2, `[member, score]` pairs in RESP3.
fn items_reply(items: Vec<Item>, withscores: bool, resp: u8) -> Reply {
    if !withscores {
        return Reply::Array(items.into_iter().map(|(m, _)| Reply::Bulk(m)).collect());
    }
    pairs_reply(items, resp >= 3)
}

/// `member, score` pairs, nested (`[[m, s], ...]`) or flat (`[m, s, ...]`).
fn pairs_reply(items: Vec<Item>, nested: bool) -> Reply {
    if nested {
        Reply::Array(items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)])).collect())
    } else {
        let mut out = Vec::with_capacity(items.len() * 2);
        for (m, s) in items {
            out.push(Reply::Bulk(m));
            out.push(Reply::Double(s));
        }
        Reply::Array(out)
    }
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`: the number
/// of members added (added or changed with CH); with INCR the new score, or nil if the
/// options stopped the update. O(log N) per member.
/// Errors: syntax error, `ERR XX and NX options at the same time are not compatible`,
/// `ERR GT, LT, and/or NX options at the same time are not compatible`,
/// `ERR INCR option supports a single increment-element pair`, `ERR value is not a valid
/// float`, `ERR resulting score is not a number (NaN)`, WRONGTYPE.
fn zadd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (mut nx, mut xx, mut gt, mut lt, mut ch, mut incr) = (false, false, false, false, false, false);
    let mut i = 2;
    while let Some(opt) = argv.get(i) {
        let flag = match &opt.to_ascii_lowercase()[..] {
            b"nx" => &mut nx,
            b"xx" => &mut xx,
            b"gt" => &mut gt,
            b"lt" => &mut lt,
            b"ch" => &mut ch,
            b"incr" => &mut incr,
            _ => break,
        };
        *flag = true;
        i += 1;
    }
    let elements = argv.len() - i;
    if elements == 0 || !elements.is_multiple_of(2) {
        return Err(Error::Syntax);
    }
    if nx && xx {
        return Err(Error::err("XX and NX options at the same time are not compatible"));
    }
    if (gt || lt) && nx || (gt && lt) {
        return Err(Error::err("GT, LT, and/or NX options at the same time are not compatible"));
    }
    if incr && elements > 2 {
        return Err(Error::err("INCR option supports a single increment-element pair"));
    }
    let pairs: Vec<(f64, &Bytes)> =
        argv[i..].chunks(2).map(|p| Ok((args::float(&p[0])?, &p[1]))).collect::<Result<_>>()?;
    let exists = zset::get(&mut ctx.txn, &argv[1])?.is_some();
    let nothing = || if incr { Reply::Nil } else { Reply::Int(0) };
    if !exists && xx {
        return Ok(nothing());
    }
    let mut z = ZsetMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last = 0.0;
    for (score, member) in pairs {
        let cur = z.score(&ctx.txn, member)?;
        match cur {
            Some(c) => {
                if nx {
                    continue;
                }
                let new = if incr { c + score } else { score };
                if new.is_nan() {
                    return Err(Error::err(NAN_SCORE));
                }
                if (lt && new >= c) || (gt && new <= c) {
                    continue;
                }
                last = new;
                if new != c {
                    z.set(&mut ctx.txn, member, cur, new);
                    updated += 1;
                }
                processed += 1;
            }
            None => {
                if xx {
                    continue;
                }
                z.set(&mut ctx.txn, member, None, score);
                last = score;
                added += 1;
                processed += 1;
            }
        }
    }
    z.finish(&mut ctx.txn)?;
    Ok(if incr {
        if processed > 0 {
            Reply::Double(last)
        } else {
            Reply::Nil
        }
    } else {
        Reply::Int(if ch { added + updated } else { added })
    })
}

/// `ZINCRBY key increment member`: the member's new score (added at `increment` if
/// absent). O(log N). Errors: `ERR value is not a valid float`,
/// `ERR resulting score is not a number (NaN)`, WRONGTYPE.
fn zincrby(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let by = args::float(&argv[2])?;
    let mut z = ZsetMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let cur = z.score(&ctx.txn, &argv[3])?;
    let new = cur.map_or(by, |c| c + by);
    if new.is_nan() {
        return Err(Error::err(NAN_SCORE));
    }
    if cur.is_none_or(|c| c != new) {
        z.set(&mut ctx.txn, &argv[3], cur, new);
    }
    z.finish(&mut ctx.txn)?;
    Ok(Reply::Double(new))
}

/// `ZREM key member [member ...]`: how many members were removed; the key goes when
/// empty. O(M log N). Errors: WRONGTYPE.
fn zrem(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(mut z) = ZsetMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let mut n = 0;
    for m in &argv[2..] {
        n += z.remove(&mut ctx.txn, m)? as i64;
    }
    z.finish(&mut ctx.txn)?;
    Ok(Reply::Int(n))
}

/// `ZCARD key`: the number of members. O(1). Errors: WRONGTYPE.
fn zcard(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(zset::get(&mut ctx.txn, &argv[1])?.map_or(0, |m| m.size as i64)))
}

/// `ZSCORE key member`: the score, or nil. O(1). Errors: WRONGTYPE.
fn zscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Nil) };
    Ok(zset::score(&ctx.txn, &meta, &argv[2])?.map_or(Reply::Nil, Reply::Double))
}

/// `ZMSCORE key member [member ...]`: a score or nil per member. O(N). Errors: WRONGTYPE.
fn zmscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let meta = zset::get(&mut ctx.txn, &argv[1])?;
    let mut out = Vec::with_capacity(argv.len() - 2);
    for m in &argv[2..] {
        let s = match &meta {
            Some(meta) => zset::score(&ctx.txn, meta, m)?,
            None => None,
        };
        out.push(s.map_or(Reply::Nil, Reply::Double));
    }
    Ok(Reply::Array(out))
}

/// `ZCOUNT key min max`: members with scores in the range. O(log N + M).
/// Errors: `ERR min or max is not a float`, WRONGTYPE.
fn zcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = score_range(&argv[2], &argv[3])?;
    let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(zset::count_by_score(&ctx.txn, &meta, &range)? as i64))
}

/// `ZLEXCOUNT key min max`: members in the lex range. O(log N + M).
/// Errors: `ERR min or max not valid string range item`, WRONGTYPE.
fn zlexcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = lex_range(&argv[2], &argv[3])?;
    let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(zset::count_by_lex(&ctx.txn, &meta, &range)? as i64))
}

#[derive(Clone, Copy, PartialEq)]
enum By {
    Auto,
    Rank,
    Score,
    Lex,
}

/// Redis's index sanitizing: negative indexes count from the end; `None` if empty.
fn clamp_ranks(start: i64, stop: i64, size: u64) -> Option<(u64, u64)> {
    let len = size as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut stop = if stop < 0 { len + stop } else { stop };
    if start < 0 {
        start = 0;
    }
    if start > stop || start >= len {
        return None;
    }
    if stop >= len {
        stop = len - 1;
    }
    Some((start as u64, stop as u64))
}

/// The parsed range of ZRANGE and its older forms.
enum Range {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Items of `meta` in `range`.
fn read_range(txn: &Txn<'_>, meta: &Meta, range: &Range, rev: bool, offset: i64, limit: i64) -> Result<Vec<Item>> {
    match range {
        Range::Rank(start, stop) => match clamp_ranks(*start, *stop, meta.size) {
            Some((a, b)) => zset::range_by_rank(txn, meta, a, b, rev),
            None => Ok(Vec::new()),
        },
        Range::Score(r) => zset::range_by_score(txn, meta, r, rev, offset, limit),
        Range::Lex(r) => zset::range_by_lex(txn, meta, r, rev, offset, limit),
    }
}

/// Redis's `zrangeGenericCommand`: the shared engine of ZRANGE, ZRANGESTORE,
/// ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX and ZREVRANGEBYLEX. The
/// source key is `argv[at]`, followed by the two range arguments and options; `by` and
/// `rev` are fixed by the older commands and left open (Auto / None) by ZRANGE.
fn zrange_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], at: usize, dst: Option<&Bytes>, mut by: By, mut rev: Option<bool>) -> Result<Reply> {
    let key = &argv[at];
    let (mut minidx, mut maxidx) = (at + 1, at + 2);
    let (mut withscores, mut offset, mut limit) = (false, 0i64, -1i64);
    let mut j = at + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let opt = &argv[j];
        if dst.is_none() && is(opt, "withscores") {
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
        return Err(Error::err("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"));
    }
    if withscores && by == By::Lex {
        return Err(Error::err("syntax error, WITHSCORES not supported in combination with BYLEX"));
    }
    if rev && by != By::Rank {
        std::mem::swap(&mut minidx, &mut maxidx);
    }
    let range = match by {
        By::Score => Range::Score(score_range(&argv[minidx], &argv[maxidx])?),
        By::Lex => Range::Lex(lex_range(&argv[minidx], &argv[maxidx])?),
        _ => Range::Rank(args::int(&argv[minidx])?, args::int(&argv[maxidx])?),
    };
    let items = match zset::get(&mut ctx.txn, key)? {
        Some(meta) => read_range(&ctx.txn, &meta, &range, rev, offset, limit)?,
        None => Vec::new(),
    };
    match dst {
        Some(dst) => Ok(Reply::Int(zset::replace(&mut ctx.txn, dst, &items)? as i64)),
        None => Ok(items_reply(items, withscores, ctx.session.resp)),
    }
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`:
/// members in a rank, score or lex range. O(log N + M) (rank ranges walk from the
/// nearer end). Errors: syntax errors (LIMIT without BYSCORE/BYLEX, WITHSCORES with
/// BYLEX), `ERR value is not an integer or out of range`, `ERR min or max is not a
/// float`, `ERR min or max not valid string range item`, WRONGTYPE.
fn zrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Auto, None)
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`: stores
/// ZRANGE's result in `dst` (deleting it if empty); its size. Errors as ZRANGE.
fn zrangestore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zrange_generic(ctx, argv, 2, Some(&dst), By::Auto, None)
}

/// `ZREVRANGE key start stop [WITHSCORES]`: ranks counted from the highest score.
fn zrevrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Rank, Some(true))
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`. O(log N + M).
fn zrangebyscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Score, Some(false))
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`. O(log N + M).
fn zrevrangebyscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Score, Some(true))
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`. O(log N + M).
fn zrangebylex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Lex, Some(false))
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`. O(log N + M).
fn zrevrangebylex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Lex, Some(true))
}

/// `ZRANK key member [WITHSCORE]` / `ZREVRANK`: the rank (and score), or nil.
/// O(min(rank, N - rank)): see [`zset::rank`]. Errors: syntax error, WRONGTYPE.
fn rank_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], rev: bool, name: &str) -> Result<Reply> {
    if argv.len() > 4 {
        return Err(Error::WrongArity(name.into()));
    }
    let withscore = match argv.get(3) {
        Some(opt) if is(opt, "withscore") => true,
        Some(_) => return Err(Error::Syntax),
        None => false,
    };
    let null = if withscore { Reply::NilArray } else { Reply::Nil };
    let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(null) };
    Ok(match zset::rank(&ctx.txn, &meta, &argv[2], rev)? {
        Some((r, s)) if withscore => Reply::Array(vec![Reply::Int(r as i64), Reply::Double(s)]),
        Some((r, _)) => Reply::Int(r as i64),
        None => null,
    })
}

/// `ZRANK key member [WITHSCORE]`: the rank by ascending score.
fn zrank(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    rank_generic(ctx, argv, false, "zrank")
}

/// `ZREVRANK key member [WITHSCORE]`: the rank by descending score.
fn zrevrank(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    rank_generic(ctx, argv, true, "zrevrank")
}

/// Removes `items` from the sorted set `key`; all of it is one metadata delete.
fn remove_items(txn: &mut Txn<'_>, key: &[u8], items: &[Item]) -> Result<()> {
    let Some(mut z) = ZsetMut::open(txn, key)? else { return Ok(()) };
    if items.len() as u64 >= z.len() {
        txn.delete(key)?;
        return Ok(());
    }
    for (m, s) in items {
        z.remove_known(txn, m, *s);
    }
    z.finish(txn)
}

fn zremrange(ctx: &mut Ctx<'_>, argv: &[Bytes], range: Range) -> Result<Reply> {
    let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let items = read_range(&ctx.txn, &meta, &range, false, 0, -1)?;
    remove_items(&mut ctx.txn, &argv[1], &items)?;
    Ok(Reply::Int(items.len() as i64))
}

/// `ZREMRANGEBYRANK key start stop`: removes members in the rank range; how many.
/// O(log N + M). Errors: `ERR value is not an integer or out of range`, WRONGTYPE.
fn zremrangebyrank(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = Range::Rank(args::int(&argv[2])?, args::int(&argv[3])?);
    zremrange(ctx, argv, range)
}

/// `ZREMRANGEBYSCORE key min max`: removes members in the score range; how many.
/// O(log N + M). Errors: `ERR min or max is not a float`, WRONGTYPE.
fn zremrangebyscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = Range::Score(score_range(&argv[2], &argv[3])?);
    zremrange(ctx, argv, range)
}

/// `ZREMRANGEBYLEX key min max`: removes members in the lex range; how many.
/// O(log N + M). Errors: `ERR min or max not valid string range item`, WRONGTYPE.
fn zremrangebylex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = Range::Lex(lex_range(&argv[2], &argv[3])?);
    zremrange(ctx, argv, range)
}

/// Pops up to `count` lowest (or highest) members of `key`; `None` if there is no key.
fn pop(txn: &mut Txn<'_>, key: &[u8], max: bool, count: u64) -> Result<Option<Vec<Item>>> {
    let Some(meta) = zset::get(txn, key)? else { return Ok(None) };
    if count == 0 {
        return Ok(Some(Vec::new()));
    }
    let n = count.min(meta.size);
    let items = zset::range_by_rank(txn, &meta, 0, n.saturating_sub(1), max)?;
    remove_items(txn, key, &items)?;
    Ok(Some(items))
}

fn zpop(ctx: &mut Ctx<'_>, argv: &[Bytes], max: bool) -> Result<Reply> {
    if argv.len() > 3 {
        return Err(Error::Syntax);
    }
    let count = match argv.get(2) {
        Some(raw) => Some(args::positive(raw)?),
        None => None,
    };
    let items = pop(&mut ctx.txn, &argv[1], max, count.unwrap_or(1))?.unwrap_or_default();
    Ok(pairs_reply(items, ctx.session.resp >= 3 && count.is_some()))
}

/// `ZPOPMIN key [count]`: removes and returns the lowest-scored members, flat
/// `member, score` (RESP3 with a count: pairs). O(log N * M).
/// Errors: `ERR value is out of range, must be positive`, WRONGTYPE.
fn zpopmin(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zpop(ctx, argv, false)
}

/// `ZPOPMAX key [count]`: as ZPOPMIN, highest scores first.
fn zpopmax(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zpop(ctx, argv, true)
}

/// The parsed tail of ZMPOP/BZMPOP: keys, MIN|MAX, COUNT.
struct MpopArgs<'a> {
    keys: &'a [Bytes],
    max: bool,
    count: u64,
}

fn parse_mpop(argv: &[Bytes], numkeys_idx: usize) -> Result<MpopArgs<'_>> {
    let numkeys = args::parse_i64_strict(&argv[numkeys_idx])
        .filter(|&n| n >= 1)
        .ok_or_else(|| Error::err("numkeys should be greater than 0"))?;
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
                .ok_or_else(|| Error::err("count should be greater than 0"))?;
            count = Some(n as u64);
        } else {
            return Err(Error::Syntax);
        }
    }
    Ok(MpopArgs { keys: &argv[numkeys_idx + 1..where_idx], max, count: count.unwrap_or(1) })
}

fn mpop_reply(key: &Bytes, items: Vec<Item>) -> Reply {
    Reply::Array(vec![Reply::Bulk(key.clone()), pairs_reply(items, true)])
}

/// Pops from the first non-empty key: `[key, [[member, score], ...]]`, or `None`.
fn mpop(txn: &mut Txn<'_>, m: &MpopArgs<'_>) -> Result<Option<Reply>> {
    for key in m.keys {
        if let Some(items) = pop(txn, key, m.max, m.count)? {
            return Ok(Some(mpop_reply(key, items)));
        }
    }
    Ok(None)
}

/// Whether a blocking pop can take from `key`. A key of another type is WRONGTYPE on
/// the first attempt, but only "not ready" when a blocked client is re-run: Redis
/// serves blocked clients only from keys of the type they wait for.
fn pop_ready(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<bool> {
    match ctx.txn.get(key)? {
        None => Ok(false),
        Some(m) if m.kind == Kind::ZSet => Ok(true),
        Some(_) if ctx.session.block_retry => Ok(false),
        Some(_) => Err(Error::WrongType),
    }
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`: pops from the first non-empty
/// sorted set: `[key, [[member, score], ...]]`, or a null array. O(K + M log N).
/// Errors: `ERR numkeys should be greater than 0`, `ERR count should be greater than 0`,
/// syntax error, WRONGTYPE.
fn zmpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let m = parse_mpop(argv, 1)?;
    Ok(mpop(&mut ctx.txn, &m)?.unwrap_or(Reply::NilArray))
}

fn bzpop(ctx: &mut Ctx<'_>, argv: &[Bytes], max: bool) -> Result<Reply> {
    let timeout = parse_timeout(&argv[argv.len() - 1])?;
    let keys = &argv[1..argv.len() - 1];
    for key in keys {
        if !pop_ready(ctx, key)? {
            continue;
        }
        if let Some(mut items) = pop(&mut ctx.txn, key, max, 1)? {
            if let Some((m, s)) = items.pop() {
                return Ok(Reply::Array(vec![Reply::Bulk(key.clone()), Reply::Bulk(m), Reply::Double(s)]));
            }
        }
    }
    ctx.block_on(keys.to_vec(), timeout);
    Ok(Reply::NilArray)
}

/// `BZPOPMIN key [key ...] timeout`: ZPOPMIN on the first non-empty key as
/// `[key, member, score]`, blocking up to `timeout` seconds (0: for ever) until one has
/// members; a null array on timeout (at once inside MULTI). Clients blocked on a key are
/// served first come, first served. Errors: `ERR timeout is not a float or out of
/// range`, `ERR timeout is negative`, WRONGTYPE.
fn bzpopmin(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bzpop(ctx, argv, false)
}

/// `BZPOPMAX key [key ...] timeout`: as BZPOPMIN, highest score.
fn bzpopmax(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bzpop(ctx, argv, true)
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`: ZMPOP that blocks like
/// BZPOPMIN; a null array on timeout. Errors: as ZMPOP, then the timeout errors.
fn bzmpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let m = parse_mpop(argv, 2)?;
    let timeout = parse_timeout(&argv[1])?;
    for key in m.keys {
        if !pop_ready(ctx, key)? {
            continue;
        }
        if let Some(items) = pop(&mut ctx.txn, key, m.max, m.count)? {
            return Ok(mpop_reply(key, items));
        }
    }
    ctx.block_on(m.keys.to_vec(), timeout);
    Ok(Reply::NilArray)
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`: a random member (nil if none); with a count,
/// up to `count` distinct members or `-count` members that may repeat. O(N) walk for
/// the picks. Errors: `ERR value is not an integer or out of range`, `ERR value is out
/// of range`, syntax error, WRONGTYPE.
fn zrandmember(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(raw) = argv.get(2) else {
        let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Nil) };
        let picked = random_members(&ctx.txn, &meta, 1, true)?;
        return Ok(Reply::opt_bulk(picked.into_iter().next().map(|(m, _)| m)));
    };
    let (count, distinct) = random_count(raw)?;
    let withscores = match argv.len() {
        3 => false,
        4 if is(&argv[3], "withscores") => true,
        _ => return Err(Error::Syntax),
    };
    if withscores && count > (i64::MAX / 2) as u64 {
        return Err(Error::err("value is out of range"));
    }
    let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Array(Vec::new())) };
    let mut picked: Vec<Item> = random_members(&ctx.txn, &meta, count, distinct)?
        .into_iter()
        .map(|(m, v)| (m, if v.len() == 8 { decode_score(&v) } else { 0.0 }))
        .collect();
    fastrand::shuffle(&mut picked);
    Ok(items_reply(picked, withscores, ctx.session.resp))
}

/// One input of ZUNION/ZINTER/ZDIFF: sets count as sorted sets with every score 1.
enum Src {
    Missing,
    Set(Meta),
    Zset(Meta),
}

impl Src {
    fn len(&self) -> u64 {
        match self {
            Src::Missing => 0,
            Src::Set(m) | Src::Zset(m) => m.size,
        }
    }

    fn version(&self) -> Option<u64> {
        match self {
            Src::Missing => None,
            Src::Set(m) | Src::Zset(m) => Some(m.version),
        }
    }

    fn items(&self, txn: &Txn<'_>) -> Result<Vec<Item>> {
        match self {
            Src::Missing => Ok(Vec::new()),
            Src::Set(m) => Ok(set::members(txn, m)?.into_iter().map(|x| (x, 1.0)).collect()),
            Src::Zset(m) => zset::all(txn, m),
        }
    }

    fn find(&self, txn: &Txn<'_>, member: &[u8]) -> Result<Option<f64>> {
        match self {
            Src::Missing => Ok(None),
            Src::Set(m) => Ok(set::contains(txn, m, member)?.then_some(1.0)),
            Src::Zset(m) => zset::score(txn, m, member),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, val: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += val;
            // inf + -inf: Redis settles on 0.
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val
            }
        }
    }
}

fn weighted(weight: f64, score: f64) -> f64 {
    let s = weight * score;
    if s.is_nan() {
        0.0
    } else {
        s
    }
}

/// Redis's `zunionInterDiffGenericCommand`: ZUNION, ZINTER, ZDIFF, their STORE forms
/// and ZINTERCARD. `argv[numkeys_idx]` is numkeys; `name` is the command's name for the
/// numkeys error. Results are ordered by (score, member), as Redis's skiplist orders them.
fn zsetop(ctx: &mut Ctx<'_>, argv: &[Bytes], dst: Option<&Bytes>, numkeys_idx: usize, op: Op, card_only: bool, name: &str) -> Result<Reply> {
    let setnum = args::int(&argv[numkeys_idx])?;
    if setnum < 1 {
        return Err(Error::err(format!("at least 1 input key is needed for '{name}' command")));
    }
    if setnum as u64 > (argv.len() - numkeys_idx - 1) as u64 {
        return Err(Error::Syntax);
    }
    let setnum = setnum as usize;
    let first_key = numkeys_idx + 1;
    let mut srcs = Vec::with_capacity(setnum);
    for key in &argv[first_key..first_key + setnum] {
        srcs.push(match ctx.txn.get(key)? {
            None => Src::Missing,
            Some(m) if m.kind == Kind::ZSet => Src::Zset(m),
            Some(m) if m.kind == Kind::Set => Src::Set(m),
            Some(_) => return Err(Error::WrongType),
        });
    }
    let mut weights = vec![1.0f64; setnum];
    let mut how = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0u64;
    let mut j = first_key + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let opt = &argv[j];
        if op != Op::Diff && !card_only && remaining > setnum && is(opt, "weights") {
            for (i, w) in weights.iter_mut().enumerate() {
                *w = args::parse_f64(&argv[j + 1 + i]).ok_or_else(|| Error::err("weight value is not a float"))?;
            }
            j += 1 + setnum;
        } else if op != Op::Diff && !card_only && remaining >= 2 && is(opt, "aggregate") {
            let a = &argv[j + 1];
            how = if is(a, "sum") {
                Aggregate::Sum
            } else if is(a, "min") {
                Aggregate::Min
            } else if is(a, "max") {
                Aggregate::Max
            } else {
                return Err(Error::Syntax);
            };
            j += 2;
        } else if dst.is_none() && !card_only && is(opt, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is(opt, "limit") {
            let l = args::parse_i64_strict(&argv[j + 1])
                .filter(|&l| l >= 0)
                .ok_or_else(|| Error::err("LIMIT can't be negative"))?;
            limit = l as u64;
            j += 2;
        } else {
            return Err(Error::Syntax);
        }
    }
    let mut inputs: Vec<(Src, f64)> = srcs.into_iter().zip(weights).collect();
    if op != Op::Diff {
        inputs.sort_by_key(|(s, _)| s.len());
    }
    let txn = &ctx.txn;
    let mut result: Vec<Item> = Vec::new();
    let mut cardinality = 0u64;
    match op {
        Op::Inter => {
            let (first, w0) = &inputs[0];
            if first.len() > 0 {
                'members: for (m, s) in first.items(txn)? {
                    let mut score = weighted(*w0, s);
                    for (other, w) in &inputs[1..] {
                        let value = if other.version() == first.version() {
                            Some(s)
                        } else {
                            other.find(txn, &m)?
                        };
                        match value {
                            Some(v) => aggregate(&mut score, weighted(*w, v), how),
                            None => continue 'members,
                        }
                    }
                    if card_only {
                        cardinality += 1;
                        if limit > 0 && cardinality >= limit {
                            break;
                        }
                    } else {
                        result.push((m, score));
                    }
                }
            }
        }
        Op::Union => {
            let mut acc: HashMap<Bytes, f64> = HashMap::new();
            for (src, w) in &inputs {
                for (m, s) in src.items(txn)? {
                    let score = weighted(*w, s);
                    match acc.get_mut(&m) {
                        Some(t) => aggregate(t, score, how),
                        None => {
                            acc.insert(m, score);
                        }
                    }
                }
            }
            result = acc.into_iter().collect();
        }
        Op::Diff => {
            let (first, _) = &inputs[0];
            let same = inputs[1..].iter().any(|(o, _)| o.version().is_some() && o.version() == first.version());
            if first.len() > 0 && !same {
                'diff: for (m, s) in first.items(txn)? {
                    for (other, _) in &inputs[1..] {
                        if other.find(txn, &m)?.is_some() {
                            continue 'diff;
                        }
                    }
                    result.push((m, s));
                }
            }
        }
    }
    if card_only {
        return Ok(Reply::Int(cardinality as i64));
    }
    result.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.0.cmp(&b.0)));
    match dst {
        Some(dst) => Ok(Reply::Int(zset::replace(&mut ctx.txn, dst, &result)? as i64)),
        None => Ok(items_reply(result, withscores, ctx.session.resp)),
    }
}

/// `ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
/// O(N) + O(M log M). Errors: `ERR at least 1 input key is needed for 'zunion' command`,
/// `ERR weight value is not a float`, syntax error, WRONGTYPE.
fn zunion(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, Op::Union, false, "zunion")
}

/// `ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
/// O(N*K) + O(M log M) for N the smallest input. Errors as ZUNION.
fn zinter(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, Op::Inter, false, "zinter")
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`: members of the first input in no other.
fn zdiff(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, Op::Diff, false, "zdiff")
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]`: the
/// size of the stored result (an empty result deletes `destination`).
fn zunionstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zsetop(ctx, argv, Some(&dst), 2, Op::Union, false, "zunionstore")
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]`.
fn zinterstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zsetop(ctx, argv, Some(&dst), 2, Op::Inter, false, "zinterstore")
}

/// `ZDIFFSTORE destination numkeys key [key ...]`.
fn zdiffstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zsetop(ctx, argv, Some(&dst), 2, Op::Diff, false, "zdiffstore")
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`: the size of the intersection,
/// counting stops at `limit` (0: none). Errors: `ERR at least 1 input key is needed for
/// 'zintercard' command`, `ERR LIMIT can't be negative`, syntax error, WRONGTYPE.
fn zintercard(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, Op::Inter, true, "zintercard")
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: the next page of `member, score`;
/// sorted sets up to 128 members come whole from cursor 0. Errors: `ERR invalid
/// cursor`, syntax error, WRONGTYPE. See `cursor` for what a cursor is.
fn zscan(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cursor = cursor::parse(&argv[2])?;
    let Some(meta) = zset::get(&mut ctx.txn, &argv[1])? else { return Ok(cursor::empty()) };
    let opts = ScanOpts::parse(argv, 3, false)?;
    let (next, page) = cursor::collection_page(&ctx.txn, &meta, cursor, opts.count)?;
    let mut items = Vec::new();
    for (m, v) in page {
        if opts.wants(&m) {
            let s = if v.len() == 8 { decode_score(&v) } else { 0.0 };
            items.push(Reply::Bulk(m));
            items.push(Reply::bulk_str(&crate::protocol::reply::format_double(s)));
        }
    }
    Ok(cursor::reply(next, items))
}

// ----- key positions of the numkeys commands -----

fn numkeys_keys(argv: &[Bytes], at: usize) -> Vec<usize> {
    match argv.get(at).and_then(|n| args::parse_i64_strict(n)) {
        Some(n) if n > 0 => (at + 1..argv.len().min((at + 1).saturating_add(n as usize))).collect(),
        _ => Vec::new(),
    }
}

/// `<cmd> numkeys key ...`
fn keys_numkeys_1(argv: &[Bytes]) -> Vec<usize> {
    numkeys_keys(argv, 1)
}

/// `<cmd> destination numkeys key ...`
fn keys_store(argv: &[Bytes]) -> Vec<usize> {
    let mut k = vec![1];
    k.extend(numkeys_keys(argv, 2));
    k
}

/// `BZMPOP timeout numkeys key ...`
fn keys_numkeys_2(argv: &[Bytes]) -> Vec<usize> {
    numkeys_keys(argv, 2)
}

const NUMKEYS_1: Keys = Keys::Custom { find: keys_numkeys_1, first: 0, last: 0, step: 0 };
const NUMKEYS_2: Keys = Keys::Custom { find: keys_numkeys_2, first: 0, last: 0, step: 0 };
const STORE: Keys = Keys::Custom { find: keys_store, first: 1, last: 1, step: 1 };
const BLOCK_KEYS: Keys = Keys::Range { first: 1, last: -2, step: 1 };

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "zadd", arity: -4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "sorted-set", handler: zadd,
        summary: "Add one or more members to a sorted set, or update its score if it already exists", since: "1.2.0",
        complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        docs: "key#0 [condition(NX | XX)@3.0.2] [comparison(GT | LT)@6.2.0]
               [change=CH@3.0.2] [increment=INCR@3.0.2]
               score_member(score:double member)...
            history 2.4.0:    Accepts multiple elements.
            history 3.0.2:    Added the `XX`, `NX`, `CH` and `INCR` options.
            history 6.2.0:    Added the `GT` and `LT` options.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "zincrby", arity: 4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(),
        group: "sorted-set", handler: zincrby,
        summary: "Increment the score of a member in a sorted set", since: "1.2.0",
        complexity: "O(log(N)) where N is the number of elements in the sorted set.",
        docs: "key#0 increment:integer member
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "zrem", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "sorted-set", handler: zrem,
        summary: "Remove one or more members from a sorted set", since: "1.2.0",
        complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
        docs: "key#0 member...
            history 2.4.0:    Accepts multiple elements.
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zcard", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zcard,
        summary: "Get the number of members in a sorted set", since: "1.2.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "zscore", arity: 3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zscore,
        summary: "Get the score associated with the given member in a sorted set", since: "1.2.0", complexity: "O(1)",
        docs: "key#0 member
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zmscore", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zmscore,
        summary: "Get the score associated with the given members in a sorted set", since: "6.2.0",
        complexity: "O(N) where N is the number of members being requested.",
        docs: "key#0 member...
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zcount", arity: 4, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zcount,
        summary: "Count the members in a sorted set with scores within the given values", since: "2.0.0",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0 min:double max:double
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zlexcount", arity: 4, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zlexcount,
        summary: "Count the number of members in a sorted set between a given lexicographical range", since: "2.8.9",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0 min max
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrange", arity: -4, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrange,
        summary: "Return a range of members in a sorted set", since: "1.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        docs: "key#0 start stop [sortby(BYSCORE | BYLEX)@6.2.0] [REV@6.2.0]
               [LIMIT offset_count(offset:integer count:integer)@6.2.0] [WITHSCORES]
            history 6.2.0:    Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrangestore", arity: -5, flags: WRITE | DENYOOM, keys: Keys::Range { first: 1, last: 2, step: 1 },
        group: "sorted-set", handler: zrangestore,
        summary: "Store a range of members from sorted set into another key", since: "6.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
        docs: "dst#0 src#1 min max [sortby(BYSCORE | BYLEX)] [REV]
               [LIMIT offset_count(offset:integer count:integer)]
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, range 0",
    },
    command! {
        name: "zrevrange", arity: -4, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrevrange,
        summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", since: "1.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        docs: "key#0 start:integer stop:integer [WITHSCORES]
            deprecated 6.2.0: `ZRANGE` with the `REV` argument
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrangebyscore", arity: -4, flags: READONLY, keys: Keys::one(),
        group: "sorted-set", handler: zrangebyscore,
        summary: "Return a range of members in a sorted set, by score", since: "1.0.5",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 min:double max:double [WITHSCORES@2.0.0]
               [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `BYSCORE` argument
            history 2.0.0:    Added the `WITHSCORES` modifier.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrevrangebyscore", arity: -4, flags: READONLY, keys: Keys::one(),
        group: "sorted-set", handler: zrevrangebyscore,
        summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", since: "2.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 max:double min:double [WITHSCORES]
               [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `REV` and `BYSCORE` arguments
            history 2.1.6:    `min` and `max` can be exclusive.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrangebylex", arity: -4, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrangebylex,
        summary: "Return a range of members in a sorted set, by lexicographical range", since: "2.8.9",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 min max [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `BYLEX` argument
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrevrangebylex", arity: -4, flags: READONLY, keys: Keys::one(),
        group: "sorted-set", handler: zrevrangebylex,
        summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", since: "2.8.9",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 max min [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `REV` and `BYLEX` arguments
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrank", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zrank,
        summary: "Determine the index of a member in a sorted set", since: "2.0.0",
        complexity: "O(min(R, N-R)) scan here (R the rank): the score index keeps no rank counts.",
        docs: "key#0 member
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrevrank", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zrevrank,
        summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", since: "2.0.0",
        complexity: "O(min(R, N-R)) scan here (R the rank): the score index keeps no rank counts.",
        docs: "key#0 member
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zremrangebyrank", arity: 4, flags: WRITE, keys: Keys::one(),
        group: "sorted-set", handler: zremrangebyrank,
        summary: "Remove all members in a sorted set within the given indexes", since: "2.0.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        docs: "key#0 start:integer stop:integer
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zremrangebyscore", arity: 4, flags: WRITE, keys: Keys::one(),
        group: "sorted-set", handler: zremrangebyscore,
        summary: "Remove all members in a sorted set within the given scores", since: "1.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        docs: "key#0 min:double max:double
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zremrangebylex", arity: 4, flags: WRITE, keys: Keys::one(), group: "sorted-set", handler: zremrangebylex,
        summary: "Remove all members in a sorted set between the given lexicographical range", since: "2.8.9",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        docs: "key#0 min max
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zpopmin", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "sorted-set", handler: zpopmin,
        summary: "Remove and return members with the lowest scores in a sorted set", since: "5.0.0",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "key#0 [count:integer]
            key 0:            RW access delete, index 1, range 0",
    },
    command! {
        name: "zpopmax", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "sorted-set", handler: zpopmax,
        summary: "Remove and return members with the highest scores in a sorted set", since: "5.0.0",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "key#0 [count:integer]
            key 0:            RW access delete, index 1, range 0",
    },
    command! {
        name: "zmpop", arity: -4, flags: WRITE | MOVABLE_KEYS, keys: NUMKEYS_1, group: "sorted-set", handler: zmpop,
        summary: "Remove and return members with scores in a sorted set", since: "7.0.0",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "numkeys:integer key#0... where(MIN | MAX) [COUNT count:integer]
            key 0:            RW access delete, index 1, keynum 0 first 1",
    },
    command! {
        name: "bzpopmin", arity: -3, flags: WRITE | NOSCRIPT | FAST | BLOCKING, keys: BLOCK_KEYS,
        group: "sorted-set", handler: bzpopmin,
        summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", since: "5.0.0",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0... timeout:double
            history 6.0.0:    `timeout` is interpreted as a double instead of an integer.
            key 0:            RW access delete, index 1, range -2",
    },
    command! {
        name: "bzpopmax", arity: -3, flags: WRITE | NOSCRIPT | FAST | BLOCKING, keys: BLOCK_KEYS,
        group: "sorted-set", handler: bzpopmax,
        summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", since: "5.0.0",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0... timeout:double
            history 6.0.0:    `timeout` is interpreted as a double instead of an integer.
            key 0:            RW access delete, index 1, range -2",
    },
    command! {
        name: "bzmpop", arity: -5, flags: WRITE | BLOCKING | MOVABLE_KEYS, keys: NUMKEYS_2,
        group: "sorted-set", handler: bzmpop,
        summary: "Remove and return members with scores in a sorted set or block until one is available", since: "7.0.0",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "timeout:double numkeys:integer key#0... where(MIN | MAX)
               [COUNT count:integer]
            key 0:            RW access delete, index 2, keynum 0 first 1",
    },
    command! {
        name: "zrandmember", arity: -2, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrandmember,
        summary: "Get one or multiple random elements from a sorted set", since: "6.2.0",
        complexity: "O(N) where N is the number of elements returned",
        docs: "key#0 [options(count:integer [WITHSCORES])]
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "zunion", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1,
        group: "sorted-set", handler: zunion,
        summary: "Add multiple sorted sets", since: "6.2.0",
        complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        docs: "numkeys:integer key#0... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zinter", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1,
        group: "sorted-set", handler: zinter,
        summary: "Intersect multiple sorted sets", since: "6.2.0",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        docs: "numkeys:integer key#0... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zdiff", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1, group: "sorted-set", handler: zdiff,
        summary: "Subtract multiple sorted sets", since: "6.2.0",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        docs: "numkeys:integer key#0... [WITHSCORES]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zunionstore", arity: -4, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: STORE,
        group: "sorted-set", handler: zunionstore,
        summary: "Add multiple sorted sets and store the resulting sorted set in a new key", since: "2.0.0",
        complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        docs: "destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)]
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, keynum 0 first 1",
    },
    command! {
        name: "zinterstore", arity: -4, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: STORE,
        group: "sorted-set", handler: zinterstore,
        summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", since: "2.0.0",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        docs: "destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)]
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, keynum 0 first 1",
    },
    command! {
        name: "zdiffstore", arity: -4, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: STORE,
        group: "sorted-set", handler: zdiffstore,
        summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", since: "6.2.0",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        docs: "destination#0 numkeys:integer key#1...
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, keynum 0 first 1",
    },
    command! {
        name: "zintercard", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1,
        group: "sorted-set", handler: zintercard,
        summary: "Intersect multiple sorted sets and return the cardinality of the result", since: "7.0.0",
        complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        docs: "numkeys:integer key#0... [LIMIT limit:integer]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zscan", arity: -3, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zscan,
        summary: "Incrementally iterate sorted sets elements and associated scores", since: "2.8.0",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        docs: "key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::zset::LexBound;

    #[test]
    fn rank_clamping_like_redis() {
        assert_eq!(clamp_ranks(0, -1, 5), Some((0, 4)));
        assert_eq!(clamp_ranks(-100, 100, 5), Some((0, 4)));
        assert_eq!(clamp_ranks(5, 10, 5), None);
        assert_eq!(clamp_ranks(3, 1, 5), None);
        assert_eq!(clamp_ranks(-1, -1, 5), Some((4, 4)));
        assert_eq!(clamp_ranks(0, -6, 5), None);
        assert_eq!(clamp_ranks(i64::MIN, i64::MAX, 5), Some((0, 4)));
    }

    #[test]
    fn score_bounds() {
        let r = score_range(b"(1", b"+inf").unwrap();
        assert!(r.minex && !r.maxex && r.min == 1.0 && r.max == f64::INFINITY);
        assert!(score_range(b"nan", b"1").is_err());
        assert!(score_range(b"1", b"((2").is_err());
        assert!(score_range(b"abc", b"1").is_err());
        assert!(matches!(LexBound::parse(b"[a"), Some(LexBound::Incl(_))));
    }

    #[test]
    fn withscores_replies_are_flat_in_resp2_and_pairs_in_resp3() {
        let items = || vec![(Bytes::from_static(b"a"), 1.5)];
        assert_eq!(&items_reply(items(), true, 2).to_bytes(2)[..], b"*2\r\n$1\r\na\r\n$3\r\n1.5\r\n");
        assert_eq!(&items_reply(items(), true, 3).to_bytes(3)[..], b"*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n");
        assert_eq!(&items_reply(items(), false, 3).to_bytes(3)[..], b"*1\r\n$1\r\na\r\n");
        assert_eq!(&pairs_reply(items(), false).to_bytes(3)[..], b"*2\r\n$1\r\na\r\n,1.5\r\n");
    }

    #[test]
    fn numkeys_key_positions() {
        let v = |s: &[&str]| s.iter().map(|x| Bytes::copy_from_slice(x.as_bytes())).collect::<Vec<_>>();
        assert_eq!(keys_store(&v(&["zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"])), vec![1, 3, 4]);
        assert_eq!(keys_numkeys_2(&v(&["bzmpop", "0", "2", "a", "b", "MIN"])), vec![3, 4]);
        assert_eq!(keys_numkeys_1(&v(&["zunion", "x", "a"])), Vec::<usize>::new());
    }
}
