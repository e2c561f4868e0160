//! What a key's value is made of: the OBJECT subcommands (ENCODING, FREQ, IDLETIME,
//! REFCOUNT, HELP), and its serialized form, DUMP and RESTORE. Their specs are at the
//! end of [`super`].

use bytes::Bytes;

use crate::commands::args;
use crate::commands::context::Ctx;
use crate::error::{Error, Result};
use crate::notify::GENERIC;
use crate::protocol::Reply;
use crate::types::txn::dump;
use crate::types::encoding;
use super::parse::RestoreArgs;

/// `OBJECT ENCODING key`: the internal representation Redis 7 would use (`int`, `embstr`,
/// `raw`, `listpack`, `quicklist`, `intset`, `hashtable`, `skiplist`, `stream`), or nil,
/// following the encoding tunables (`hash-max-listpack-entries`...) as CONFIG SET leaves
/// them. O(1) with the default tunables: at most a few hundred elements are looked at.
pub(super) fn object_encoding(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let Some(meta) = ctx.txn.get(&argv[2])? else { return Ok(Reply::Nil) };
    let cfg = ctx.server.config.read().encoding.clone();
    Ok(Reply::bulk_str(encoding::encoding(&ctx.txn, &meta, &cfg)?))
}

/// `OBJECT FREQ key`: the key's logarithmic access counter after decay (see
/// [`crate::types::access`]), or nil. Only under an LFU `maxmemory-policy`, as in Redis;
/// otherwise `ERR An LFU maxmemory policy is not selected...`. Not an access. O(1).
pub(super) fn object_freq(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    if ctx.txn.get(&argv[2])?.is_none() {
        return Ok(Reply::Nil);
    }
    if !ctx.server.config.read().eviction_policy().lfu() {
        return Err(Error::LfuNotSelected);
    }
    Ok(Reply::Int(ctx.store().access.freq(ctx.txn.db, &argv[2]) as i64))
}

/// `OBJECT IDLETIME key`: seconds since the key was last read or written (see
/// [`crate::types::access`]), or nil. Under an LFU `maxmemory-policy` Redis's `ERR An LFU
/// maxmemory policy is selected, idle time not tracked...`. Not an access. O(1).
pub(super) fn object_idletime(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    if ctx.txn.get(&argv[2])?.is_none() {
        return Ok(Reply::Nil);
    }
    if ctx.server.config.read().eviction_policy().lfu() {
        return Err(Error::LfuSelected);
    }
    Ok(Reply::Int(ctx.store().access.idle(ctx.txn.db, &argv[2]) as i64))
}

/// `OBJECT REFCOUNT key`: as Redis reports it: 2147483647 for small non-negative
/// integers (Redis shares those objects), 1 otherwise; nil for a missing key. O(1).
pub(super) fn object_refcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let Some(meta) = ctx.txn.get(&argv[2])? else { return Ok(Reply::Nil) };
    Ok(Reply::Int(if encoding::is_shared_integer(&meta) { i32::MAX as i64 } else { 1 }))
}

/// `OBJECT HELP`.
pub(super) fn object_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    const HELP: &[&str] = &[
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Print this help.",
    ];
    Ok(Reply::Array(HELP.iter().map(|&l| Reply::Status(Bytes::from_static(l.as_bytes()))).collect()))
}

// ----- DUMP / RESTORE -----

/// `DUMP key`: the value serialized in DiskDB's own format (see
/// [`dump`](crate::types::txn::dump)), or nil. Any type; RESTORE on any DiskDB server
/// of the same payload version recreates it. O(N) in the size of the value.
pub(super) fn dump_(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(meta) = ctx.txn.get_read(&argv[1])? else { return Ok(Reply::Nil) };
    Ok(Reply::Bulk(Bytes::from(ctx.txn.dump(&meta)?)))
}

/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ
/// frequency]`: creates `key` from a DUMP payload. `ttl` in ms (0: none; ABSTTL: a Unix
/// time in ms); a deadline already past restores nothing and answers OK. IDLETIME sets
/// the key's last access and FREQ its access counter (both kept whatever the policy, so
/// a later switch of `maxmemory-policy` finds them). O(N) in the size of the value. Errors: `BUSYKEY Target key name already exists.`; `ERR Invalid TTL value, must
/// be >= 0`; `ERR DUMP payload version or checksum are wrong`; `ERR Bad data format`;
/// `ERR Invalid IDLETIME value, must be >= 0`; `ERR Invalid FREQ value, must be >= 0 and
/// <= 255`; syntax error.
pub(super) fn restore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let RestoreArgs { replace, absttl, idle, freq } = RestoreArgs::parse(argv)?;
    let key = &argv[1];
    if !replace && ctx.txn.get(key)?.is_some() {
        return Err(Error::BusyKey);
    }
    let mut ttl = args::int(&argv[2])?;
    if ttl < 0 {
        return Err(Error::InvalidTtl);
    }
    let value = dump::parse(&argv[3]).map_err(|e| match e {
        dump::Refused::Checksum => Error::DumpPayload,
        dump::Refused::Format => Error::BadDataFormat,
    })?;
    let deleted = replace && ctx.txn.delete(key)?;
    if ttl != 0 && !absttl {
        ttl = ttl.saturating_add(ctx.txn.now);
    }
    if ttl != 0 && ttl <= ctx.txn.now {
        if deleted {
            ctx.notify(GENERIC, "del", key);
        }
        return Ok(Reply::ok());
    }
    ctx.txn.restore(key, value, ttl)?;
    ctx.notify(GENERIC, "restore", key);
    if let Some(idle) = idle {
        ctx.store().access.set_idle(ctx.txn.db, key, idle as u64);
    }
    if let Some(freq) = freq {
        ctx.store().access.set_freq(ctx.txn.db, key, freq as u8);
    }
    Ok(Reply::ok())
}
