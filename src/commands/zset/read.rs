//! Sorted-set reads: ZCARD, ZSCORE, ZMSCORE, ZCOUNT, ZLEXCOUNT, the ZRANGE family
//! (with ZRANGESTORE), ZRANK, ZREVRANK, ZRANDMEMBER and ZSCAN. Their specs are at the
//! end of [`super`].

use bytes::Bytes;

use super::parse::{lex_range, score_range, By, RangeArgs};
use super::{items_reply, read};
use crate::commands::args::is;
use crate::commands::context::Ctx;
use crate::commands::cursor::{self, ScanOpts};
use crate::commands::set::random_count;
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::zset;
use crate::types::{Access, Collection};

/// `ZCARD key`: the number of members. O(1). Errors: WRONGTYPE.
pub(super) fn zcard(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(read(ctx, &argv[1])?.map_or(0, |z| z.len() as i64)))
}

/// `ZSCORE key member`: the score, or nil. O(1). Errors: WRONGTYPE.
pub(super) fn zscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(z) = read(ctx, &argv[1])? else { return Ok(Reply::Nil) };
    Ok(z.score(&ctx.txn, &argv[2])?.map_or(Reply::Nil, Reply::Double))
}

/// `ZMSCORE key member [member ...]`: a score or nil per member. O(N). Errors: WRONGTYPE.
pub(super) fn zmscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let z = read(ctx, &argv[1])?;
    let mut out = Vec::with_capacity(argv.len() - 2);
    for m in &argv[2..] {
        let s = match &z {
            Some(z) => z.score(&ctx.txn, m)?,
            None => None,
        };
        out.push(s.map_or(Reply::Nil, Reply::Double));
    }
    Ok(Reply::Array(out))
}

/// `ZCOUNT key min max`: members with scores in the range. O(log N + M).
/// Errors: `ERR min or max is not a float`, WRONGTYPE.
pub(super) fn zcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = score_range(&argv[2], &argv[3])?;
    let Some(z) = read(ctx, &argv[1])? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(z.count_by_score(&ctx.txn, &range)? as i64))
}

/// `ZLEXCOUNT key min max`: members in the lex range. O(log N + M).
/// Errors: `ERR min or max not valid string range item`, WRONGTYPE.
pub(super) fn zlexcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = lex_range(&argv[2], &argv[3])?;
    let Some(z) = read(ctx, &argv[1])? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(z.count_by_lex(&ctx.txn, &range)? as i64))
}

/// Redis's `zrangeGenericCommand`: the shared engine of ZRANGE, ZRANGESTORE,
/// ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX and ZREVRANGEBYLEX (see
/// [`RangeArgs::parse`]); with `dst` the result is stored there.
fn zrange_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], at: usize, dst: Option<&Bytes>, by: By, rev: Option<bool>) -> Result<Reply> {
    let a = RangeArgs::parse(argv, at, dst.is_some(), by, rev)?;
    // Not counted in INFO; a miss raises `keymiss` (ZRANGESTORE's source too, as Redis).
    let items = match zset::open(&mut ctx.txn, a.key, Access::Uncounted)? {
        Some(z) => z.range(&ctx.txn, &a.range, a.rev, a.offset, a.limit)?,
        None => Vec::new(),
    };
    match dst {
        Some(dst) => Ok(Reply::Int(zset::store(&mut ctx.txn, dst, &items, "zrangestore")? as i64)),
        None => Ok(items_reply(items, a.withscores, ctx.session.resp)),
    }
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`:
/// members in a rank, score or lex range. O(log N + M) (rank ranges walk from the
/// nearer end). Errors: syntax errors (LIMIT without BYSCORE/BYLEX, WITHSCORES with
/// BYLEX), `ERR value is not an integer or out of range`, `ERR min or max is not a
/// float`, `ERR min or max not valid string range item`, WRONGTYPE.
pub(super) fn zrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Auto, None)
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`: stores
/// ZRANGE's result in `dst` (deleting it if empty); its size. Errors as ZRANGE.
pub(super) fn zrangestore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zrange_generic(ctx, argv, 2, Some(&dst), By::Auto, None)
}

/// `ZREVRANGE key start stop [WITHSCORES]`: ranks counted from the highest score.
pub(super) fn zrevrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Rank, Some(true))
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`. O(log N + M).
pub(super) fn zrangebyscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Score, Some(false))
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`. O(log N + M).
pub(super) fn zrevrangebyscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Score, Some(true))
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`. O(log N + M).
pub(super) fn zrangebylex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Lex, Some(false))
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`. O(log N + M).
pub(super) fn zrevrangebylex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zrange_generic(ctx, argv, 1, None, By::Lex, Some(true))
}

/// `ZRANK key member [WITHSCORE]` / `ZREVRANK`: the rank (and score), or nil.
/// O(min(rank, N - rank)): see [`Zset::rank`]. Errors: syntax error, WRONGTYPE.
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
    let Some(z) = read(ctx, &argv[1])? else { return Ok(null) };
    Ok(match z.rank(&ctx.txn, &argv[2], rev)? {
        Some((r, s)) if withscore => Reply::Array(vec![Reply::Int(r as i64), Reply::Double(s)]),
        Some((r, _)) => Reply::Int(r as i64),
        None => null,
    })
}

/// `ZRANK key member [WITHSCORE]`: the rank by ascending score.
pub(super) fn zrank(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    rank_generic(ctx, argv, false, "zrank")
}

/// `ZREVRANK key member [WITHSCORE]`: the rank by descending score.
pub(super) fn zrevrank(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    rank_generic(ctx, argv, true, "zrevrank")
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`: a random member (nil if none); with a count,
/// up to `count` distinct members or `-count` members that may repeat. O(N) walk for
/// the picks. Errors: `ERR value is not an integer or out of range`, `ERR value is out
/// of range`, syntax error, WRONGTYPE.
pub(super) fn zrandmember(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(raw) = argv.get(2) else {
        let Some(z) = read(ctx, &argv[1])? else { return Ok(Reply::Nil) };
        return Ok(Reply::opt_bulk(z.random(&ctx.txn, 1, true)?.into_iter().next().map(|(m, _)| m)));
    };
    let (count, distinct) = random_count(raw)?;
    let withscores = match argv.len() {
        3 => false,
        4 if is(&argv[3], "withscores") => true,
        _ => return Err(Error::Syntax),
    };
    if withscores && count > (i64::MAX / 2) as u64 {
        return Err(Error::OutOfRange);
    }
    let Some(z) = read(ctx, &argv[1])? else { return Ok(Reply::Array(Vec::new())) };
    let mut picked = z.random(&ctx.txn, count, distinct)?;
    fastrand::shuffle(&mut picked);
    Ok(items_reply(picked, withscores, ctx.session.resp))
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: the next page of `member, score`;
/// sorted sets up to 128 members come whole from cursor 0. Errors: `ERR invalid
/// cursor`, syntax error, WRONGTYPE. See `cursor` for what a cursor is.
pub(super) fn zscan(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cursor = cursor::parse(&argv[2])?;
    let Some(z) = read(ctx, &argv[1])? else { return Ok(cursor::empty()) };
    let opts = ScanOpts::parse(argv, 3, false)?;
    let (next, page) = cursor::collection_page(&ctx.txn, z.meta(), cursor, opts.count)?;
    let mut items = Vec::new();
    for (m, v) in page {
        if opts.wants(&m) {
            items.push(Reply::Bulk(m));
            items.push(Reply::bulk_str(&crate::protocol::reply::format_double(zset::record_score(&v))));
        }
    }
    Ok(cursor::reply(next, items))
}
