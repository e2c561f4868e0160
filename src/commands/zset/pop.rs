//! Sorted-set pops: ZPOPMIN, ZPOPMAX, ZMPOP and their blocking forms BZPOPMIN,
//! BZPOPMAX and BZMPOP. Their specs are at the end of [`super`].

use bytes::Bytes;

use super::parse::MpopArgs;
use super::pairs_reply;
use crate::commands::args;
use crate::commands::blocking::parse_timeout;
use crate::commands::context::Ctx;
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::zset::{self, Item};
use crate::types::Access;

fn zpop(ctx: &mut Ctx<'_>, argv: &[Bytes], max: bool) -> Result<Reply> {
    if argv.len() > 3 {
        return Err(Error::Syntax);
    }
    let count = match argv.get(2) {
        Some(raw) => Some(args::positive(raw)?),
        None => None,
    };
    let items = zset::pop(&mut ctx.txn, &argv[1], max, count.unwrap_or(1))?.unwrap_or_default();
    Ok(pairs_reply(items, ctx.session.resp >= 3 && count.is_some()))
}

/// `ZPOPMIN key [count]`: removes and returns the lowest-scored members, flat
/// `member, score` (RESP3 with a count: pairs). O(log N * M).
/// Errors: `ERR value is out of range, must be positive`, WRONGTYPE.
pub(super) fn zpopmin(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zpop(ctx, argv, false)
}

/// `ZPOPMAX key [count]`: as ZPOPMIN, highest scores first.
pub(super) fn zpopmax(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zpop(ctx, argv, true)
}

fn mpop_reply(key: &Bytes, items: Vec<Item>) -> Reply {
    Reply::Array(vec![Reply::Bulk(key.clone()), pairs_reply(items, true)])
}

/// Pops from the first non-empty key: `[key, [[member, score], ...]]`, or `None`.
fn mpop(ctx: &mut Ctx<'_>, m: &MpopArgs<'_>) -> Result<Option<Reply>> {
    for key in m.keys {
        if let Some(items) = zset::pop(&mut ctx.txn, key, m.max, m.count)? {
            return Ok(Some(mpop_reply(key, items)));
        }
    }
    Ok(None)
}

/// Whether a blocking pop can take from `key`. A key of another type is WRONGTYPE on
/// the first attempt, but only "not ready" when a blocked client is re-run: Redis
/// serves blocked clients only from keys of the type they wait for.
fn pop_ready(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<bool> {
    match zset::open(&mut ctx.txn, key, Access::Write) {
        Ok(found) => Ok(found.is_some()),
        Err(Error::WrongType) if ctx.session.block_retry => Ok(false),
        Err(e) => Err(e),
    }
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`: pops from the first non-empty
/// sorted set: `[key, [[member, score], ...]]`, or a null array. O(K + M log N).
/// Errors: `ERR numkeys should be greater than 0`, `ERR count should be greater than 0`,
/// syntax error, WRONGTYPE.
pub(super) fn zmpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let m = MpopArgs::parse(argv, 1)?;
    Ok(mpop(ctx, &m)?.unwrap_or(Reply::NilArray))
}

fn bzpop(ctx: &mut Ctx<'_>, argv: &[Bytes], max: bool) -> Result<Reply> {
    let timeout = parse_timeout(&argv[argv.len() - 1])?;
    let keys = &argv[1..argv.len() - 1];
    for key in keys {
        if !pop_ready(ctx, key)? {
            continue;
        }
        if let Some(mut items) = zset::pop(&mut ctx.txn, key, max, 1)? {
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
pub(super) fn bzpopmin(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bzpop(ctx, argv, false)
}

/// `BZPOPMAX key [key ...] timeout`: as BZPOPMIN, highest score.
pub(super) fn bzpopmax(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bzpop(ctx, argv, true)
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`: ZMPOP that blocks like
/// BZPOPMIN; a null array on timeout. Errors: as ZMPOP, then the timeout errors.
pub(super) fn bzmpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let m = MpopArgs::parse(argv, 2)?;
    let timeout = parse_timeout(&argv[1])?;
    for key in m.keys {
        if !pop_ready(ctx, key)? {
            continue;
        }
        if let Some(items) = zset::pop(&mut ctx.txn, key, m.max, m.count)? {
            return Ok(mpop_reply(key, items));
        }
    }
    ctx.block_on(m.keys.to_vec(), timeout);
    Ok(Reply::NilArray)
}
