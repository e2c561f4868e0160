//! Sorted-set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD, over
//! [`crate::types::zset::combine`]. Their specs are at the end of [`super`].

use bytes::Bytes;

use super::items_reply;
use super::parse::SetOpArgs;
use crate::commands::context::Ctx;
use crate::error::Result;
use crate::protocol::Reply;
use crate::types::set::SetOp;
use crate::types::zset::{self, Source};

/// Redis's `zunionInterDiffGenericCommand`: ZUNION, ZINTER, ZDIFF, their STORE forms
/// and ZINTERCARD (`card`). `argv[at]` is numkeys; `name` is the command's name for the
/// numkeys error. The core is [`zset::combine`].
fn zsetop(ctx: &mut Ctx<'_>, argv: &[Bytes], dst: Option<&Bytes>, at: usize, op: SetOp, card: bool, name: &str) -> Result<Reply> {
    let keys = SetOpArgs::keys(argv, at, name)?;
    let mut srcs = Vec::with_capacity(keys.len());
    for key in keys {
        srcs.push(Source::open(&mut ctx.txn, key)?);
    }
    let a = SetOpArgs::parse(argv, at + 1 + keys.len(), keys.len(), op, dst.is_some(), card)?;
    let inputs = srcs.into_iter().zip(a.weights).collect();
    let (result, cardinality) = zset::combine(&ctx.txn, op, inputs, a.aggregate, card.then_some(a.limit))?;
    if card {
        return Ok(Reply::Int(cardinality as i64));
    }
    match dst {
        Some(dst) => {
            let event = match op {
                SetOp::Union => "zunionstore",
                SetOp::Inter => "zinterstore",
                SetOp::Diff => "zdiffstore",
            };
            Ok(Reply::Int(zset::store(&mut ctx.txn, dst, &result, event)? as i64))
        }
        None => Ok(items_reply(result, a.withscores, ctx.session.resp)),
    }
}

/// `ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
/// O(N) + O(M log M). Errors: `ERR at least 1 input key is needed for 'zunion' command`,
/// `ERR weight value is not a float`, syntax error, WRONGTYPE.
pub(super) fn zunion(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, SetOp::Union, false, "zunion")
}

/// `ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
/// O(N*K) + O(M log M) for N the smallest input. Errors as ZUNION.
pub(super) fn zinter(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, SetOp::Inter, false, "zinter")
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`: members of the first input in no other.
pub(super) fn zdiff(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, SetOp::Diff, false, "zdiff")
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]`: the
/// size of the stored result (an empty result deletes `destination`).
pub(super) fn zunionstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zsetop(ctx, argv, Some(&dst), 2, SetOp::Union, false, "zunionstore")
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]`.
pub(super) fn zinterstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zsetop(ctx, argv, Some(&dst), 2, SetOp::Inter, false, "zinterstore")
}

/// `ZDIFFSTORE destination numkeys key [key ...]`.
pub(super) fn zdiffstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let dst = argv[1].clone();
    zsetop(ctx, argv, Some(&dst), 2, SetOp::Diff, false, "zdiffstore")
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`: the size of the intersection,
/// counting stops at `limit` (0: none). Errors: `ERR at least 1 input key is needed for
/// 'zintercard' command`, `ERR LIMIT can't be negative`, syntax error, WRONGTYPE.
pub(super) fn zintercard(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    zsetop(ctx, argv, None, 1, SetOp::Inter, true, "zintercard")
}
