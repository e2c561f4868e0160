//! The blocking list commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP): the
//! handlers; their specs are at the end of `commands/list.rs`. Each tries once and, when
//! every key is empty, asks to block (see `commands/blocking.rs`).

use bytes::Bytes;

use super::*;

/// BLPOP and BRPOP: pops one element from the first non-empty list, or blocks.
fn bpop_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], end: End) -> Result<Reply> {
    let timeout = parse_timeout(&argv[argv.len() - 1])?;
    let keys = &argv[1..argv.len() - 1];
    for key in keys {
        if poppable(ctx, key)? {
            let mut items = list::pop(&mut ctx.txn, key, end, 1)?.unwrap_or_default();
            if let Some(v) = items.pop() {
                return Ok(Reply::Array(vec![Reply::Bulk(key.clone()), Reply::Bulk(v)]));
            }
        }
    }
    ctx.block_on(keys.to_vec(), timeout);
    Ok(Reply::NilArray)
}

/// `BLPOP key [key ...] timeout`: LPOP from the first non-empty list, answering
/// `[key, element]`; if all are empty, blocks until one is pushed to or the timeout (in
/// seconds, fractions allowed, 0 = for ever) passes, then answers a null array.
/// O(N) in the number of keys. Errors: `ERR timeout is not a float or out of range`,
/// `ERR timeout is negative`; WRONGTYPE.
pub(super) fn blpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bpop_generic(ctx, argv, End::Left)
}

/// `BRPOP key [key ...] timeout`: the blocking RPOP, as BLPOP.
pub(super) fn brpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bpop_generic(ctx, argv, End::Right)
}

/// BLMOVE and BRPOPLPUSH: moves one element, or blocks on the source.
fn bmove_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], from: End, to: End, timeout: &[u8]) -> Result<Reply> {
    let timeout = parse_timeout(timeout)?;
    if poppable(ctx, &argv[1])? {
        if let Some(v) = list::lmove(&mut ctx.txn, &argv[1], &argv[2], from, to)? {
            return Ok(Reply::Bulk(v));
        }
    }
    if !ctx.session.may_block {
        // Inside MULTI Redis answers a plain null here, a null array on timeout.
        return Ok(Reply::Nil);
    }
    ctx.block_on(vec![argv[1].clone()], timeout);
    Ok(Reply::NilArray)
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`: the blocking LMOVE;
/// answers the element, or a null array on timeout. O(1).
/// Errors: `ERR syntax error`, timeout errors; WRONGTYPE.
pub(super) fn blmove(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (from, to) = (parse_end(&argv[3])?, parse_end(&argv[4])?);
    bmove_generic(ctx, argv, from, to, &argv[5])
}

/// `BRPOPLPUSH source destination timeout`: BLMOVE source destination RIGHT LEFT. O(1).
pub(super) fn brpoplpush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bmove_generic(ctx, argv, End::Right, End::Left, &argv[3])
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`: the blocking LMPOP;
/// a null array on timeout. O(N+M). Errors: as LMPOP, then the timeout errors.
pub(super) fn blmpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = parse_mpop(argv, 2)?;
    let timeout = parse_timeout(&argv[1])?;
    if let Some(reply) = mpop(ctx, a.keys, a.end, a.count)? {
        return Ok(reply);
    }
    ctx.block_on(a.keys.to_vec(), timeout);
    Ok(Reply::NilArray)
}
