//! Key expiry: the EXPIRE family (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT), the TTL
//! family (TTL, PTTL, EXPIRETIME, PEXPIRETIME) and PERSIST. Their specs are at the end
//! of [`super`].

use bytes::Bytes;

use crate::commands::args;
use crate::commands::context::Ctx;
use crate::error::{Error, Result};
use crate::notify::GENERIC;
use crate::protocol::Reply;
use super::parse::ExpireCond;

/// The EXPIRE family: `argv[2]` in seconds (`in_seconds`) or milliseconds, relative to
/// `base` (Unix ms; 0 for the `*AT` forms). A deadline not in the future deletes the key.
fn expire_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], base: i64, in_seconds: bool, name: &str) -> Result<Reply> {
    let cond = ExpireCond::parse(&argv[3..])?;
    let mut when = args::int(&argv[2])?;
    if in_seconds {
        when = when.checked_mul(1000).ok_or_else(|| Error::InvalidExpire(name.into()))?;
    }
    when = when.checked_add(base).ok_or_else(|| Error::InvalidExpire(name.into()))?;
    let Some(mut meta) = ctx.txn.get(&argv[1])? else { return Ok(Reply::Int(0)) };
    let current = meta.expire_at; // 0: no expiry, which GT and LT treat as infinite.
    if cond.refuses(current, when) {
        return Ok(Reply::Int(0));
    }
    if when <= ctx.txn.now {
        ctx.txn.delete(&argv[1])?;
        ctx.notify(GENERIC, "del", &argv[1]);
    } else {
        meta.expire_at = when;
        ctx.txn.put(&argv[1], meta)?;
        ctx.notify(GENERIC, "expire", &argv[1]);
    }
    Ok(Reply::Int(1))
}

/// `EXPIRE key seconds [NX | XX | GT | LT]`: 1 if the timeout was set (or the key
/// deleted for a deadline not in the future), 0 if the key is missing or an option
/// refused. O(1). Errors: not an integer; `ERR invalid expire time in 'expire' command`
/// on overflow; `ERR Unsupported option ...`; incompatible options.
pub(super) fn expire(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let now = ctx.txn.now;
    expire_generic(ctx, argv, now, true, "expire")
}

/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`: as EXPIRE, in milliseconds. O(1).
pub(super) fn pexpire(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let now = ctx.txn.now;
    expire_generic(ctx, argv, now, false, "pexpire")
}

/// `EXPIREAT key unix-time-seconds [NX | XX | GT | LT]`: as EXPIRE, at an absolute Unix
/// time in seconds. O(1).
pub(super) fn expireat(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    expire_generic(ctx, argv, 0, true, "expireat")
}

/// `PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]`: as EXPIREAT, in
/// milliseconds. O(1).
pub(super) fn pexpireat(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    expire_generic(ctx, argv, 0, false, "pexpireat")
}

/// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without expiry, else the
/// time left (`absolute`: the deadline), in ms or rounded seconds.
fn ttl_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], in_ms: bool, absolute: bool) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let Some(meta) = ctx.txn.get_read(&argv[1])? else { return Ok(Reply::Int(-2)) };
    if meta.expire_at == 0 {
        return Ok(Reply::Int(-1));
    }
    let ttl = if absolute { meta.expire_at } else { meta.expire_at - ctx.txn.now }.max(0);
    // (Rounded in 128 bits: a deadline within 500 ms of i64::MAX rounds up, as in Redis.)
    Ok(Reply::Int(if in_ms { ttl } else { ((i128::from(ttl) + 500) / 1000) as i64 }))
}

/// `TTL key`: seconds to live (rounded), -1 without expiry, -2 if missing. O(1).
pub(super) fn ttl(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, false, false)
}

/// `PTTL key`: milliseconds to live, -1 without expiry, -2 if missing. O(1).
pub(super) fn pttl(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, true, false)
}

/// `EXPIRETIME key`: the absolute Unix deadline in seconds, -1 / -2 as TTL. O(1).
pub(super) fn expiretime(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, false, true)
}

/// `PEXPIRETIME key`: the absolute Unix deadline in milliseconds, -1 / -2 as TTL. O(1).
pub(super) fn pexpiretime(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, true, true)
}

/// `PERSIST key`: 1 if a timeout was removed, 0 if the key is missing or has none. O(1).
pub(super) fn persist(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    match ctx.txn.get(&argv[1])? {
        Some(mut meta) if meta.expire_at != 0 => {
            meta.expire_at = 0;
            ctx.txn.put(&argv[1], meta)?;
            ctx.notify(GENERIC, "persist", &argv[1]);
            Ok(Reply::Int(1))
        }
        _ => Ok(Reply::Int(0)),
    }
}
