//! Hash commands: parsing and replies. The data logic lives in [`crate::types::hash`]
//! (one sub-key per field).
//!
//! HSCAN cursors: fields are stored in byte order, and the natural resume point is "the
//! field after the last one returned", which does not fit in Redis's integer cursor. The
//! server keeps a bounded table from cursor numbers it handed out to that resume point;
//! a cursor it does not know (too old, or from before a restart) is read as a count of
//! fields to skip, so any integer is a valid cursor and iteration always ends.


use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::cursor::{self, ScanOpts};
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, HASH};
use crate::protocol::Reply;
use crate::types::hash::{self, Hash, HashMut};
use crate::types::{long_double, Access, Collection};

/// `HSET key field value [field value ...]`: sets fields, creating the hash if needed.
/// Answers how many fields were added. O(N) for N pairs.
/// Errors: `ERR wrong number of arguments for 'hset' command` for an odd pair list;
/// WRONGTYPE.
fn hset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(set_pairs(ctx, argv, "hset")? as i64))
}

/// `HMSET key field value [field value ...]`: HSET answering OK. O(N).
fn hmset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    set_pairs(ctx, argv, "hmset")?;
    Ok(Reply::ok())
}

/// Sets the `field value` pairs from `argv[2]` on (a later pair wins over an earlier one
/// with the same field); answers how many fields were new. Shared by HSET and HMSET.
fn set_pairs(ctx: &mut Ctx<'_>, argv: &[Bytes], name: &str) -> Result<u64> {
    if argv.len() % 2 != 0 {
        return Err(Error::WrongArity(name.into()));
    }
    let mut h = HashMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let mut added = 0;
    for pair in argv[2..].chunks_exact(2) {
        added += h.insert(&mut ctx.txn, &pair[0], pair[1].clone())? as u64;
    }
    h.finish(&mut ctx.txn)?;
    ctx.notify(HASH, "hset", &argv[1]);
    Ok(added)
}

/// `HSETNX key field value`: sets the field only if it does not exist; 1 if set, else 0.
/// O(1). WRONGTYPE.
fn hsetnx(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut h = HashMut::open_or_create(&mut ctx.txn, &argv[1])?;
    if h.contains(&ctx.txn, &argv[2])? {
        return Ok(Reply::Int(0));
    }
    h.insert(&mut ctx.txn, &argv[2], argv[3].clone())?;
    h.finish(&mut ctx.txn)?;
    ctx.notify(HASH, "hset", &argv[1]);
    Ok(Reply::Int(1))
}

/// The hash at `key` for a read command (a keyspace hit or miss); WRONGTYPE.
fn read(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Hash>> {
    hash::open(&mut ctx.txn, key, Access::Read)
}

/// The value of `field` in the hash at `key`, if any (HGET, HSTRLEN, HEXISTS).
fn get_field(ctx: &mut Ctx<'_>, key: &[u8], field: &[u8]) -> Result<Option<Bytes>> {
    match read(ctx, key)? {
        Some(h) => h.get(&ctx.txn, field),
        None => Ok(None),
    }
}

/// `HGET key field`: the value, or nil. O(1): one point read. WRONGTYPE.
fn hget(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::opt_bulk(get_field(ctx, &argv[1], &argv[2])?))
}

/// `HMGET key field [field ...]`: the values, nil where missing. O(N). WRONGTYPE.
fn hmget(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let values = match read(ctx, &argv[1])? {
        Some(h) => h.mget(&ctx.txn, &argv[2..])?,
        None => vec![None; argv.len() - 2],
    };
    Ok(Reply::Array(values.into_iter().map(Reply::opt_bulk).collect()))
}

/// `HDEL key field [field ...]`: deletes fields; answers how many existed. Deleting the
/// last field deletes the key. O(N). WRONGTYPE.
fn hdel(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(mut h) = HashMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let mut removed = 0;
    for field in &argv[2..] {
        removed += h.remove(&mut ctx.txn, field)? as i64;
    }
    let emptied = h.len() == 0;
    h.finish(&mut ctx.txn)?;
    if removed > 0 {
        ctx.notify(HASH, "hdel", &argv[1]);
        if emptied {
            ctx.notify(GENERIC, "del", &argv[1]);
        }
    }
    Ok(Reply::Int(removed))
}

/// `HLEN key`: the number of fields, 0 if missing. O(1). WRONGTYPE.
fn hlen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(read(ctx, &argv[1])?.map_or(0, |h| h.len() as i64)))
}

/// `HSTRLEN key field`: the length of the value, 0 if missing. O(1). WRONGTYPE.
fn hstrlen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(get_field(ctx, &argv[1], &argv[2])?.map(|v| v.len() as i64).unwrap_or(0)))
}

/// `HEXISTS key field`: 1 if the field exists, else 0. O(1). WRONGTYPE.
fn hexists(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(get_field(ctx, &argv[1], &argv[2])?.is_some() as i64))
}

/// `HGETALL key`: every field and value: a map in RESP3, a flat array in RESP2. O(N):
/// one range scan. WRONGTYPE.
fn hgetall(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let all = match read(ctx, &argv[1])? {
        Some(h) => h.all(&ctx.txn)?,
        None => Vec::new(),
    };
    Ok(Reply::Map(all.into_iter().map(|(f, v)| (Reply::Bulk(f), Reply::Bulk(v))).collect()))
}

/// HKEYS (`values` false) and HVALS (`values` true): one bulk per field.
fn fields_or_values(ctx: &mut Ctx<'_>, key: &[u8], values: bool) -> Result<Reply> {
    let mut out = Vec::new();
    if let Some(h) = read(ctx, key)? {
        h.each(&ctx.txn, &mut |f, v| {
            out.push(Reply::Bulk(Bytes::copy_from_slice(if values { v } else { f })));
            true
        })?;
    }
    Ok(Reply::Array(out))
}

/// `HKEYS key`: every field. O(N). WRONGTYPE.
fn hkeys(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    fields_or_values(ctx, &argv[1], false)
}

/// `HVALS key`: every value. O(N). WRONGTYPE.
fn hvals(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    fields_or_values(ctx, &argv[1], true)
}

/// `HINCRBY key field increment`: adds to the integer in the field (0 if missing).
/// O(1). Errors: `ERR value is not an integer or out of range`, `ERR hash value is not an
/// integer`, `ERR increment or decrement would overflow`; WRONGTYPE.
fn hincrby(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let delta = args::int(&argv[3])?;
    let mut h = HashMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let next = h.incr_by(&mut ctx.txn, &argv[2], delta)?;
    h.finish(&mut ctx.txn)?;
    ctx.notify(HASH, "hincrby", &argv[1]);
    Ok(Reply::Int(next))
}

/// `HINCRBYFLOAT key field increment`: adds to the float in the field (0 if missing),
/// in long double precision and printed as Redis prints it (see [`long_double`]);
/// answers the new value as a bulk string. O(1). Errors: `ERR value is not a valid
/// float`, `ERR value is NaN or Infinity`, `ERR hash value is not a float`, `ERR
/// increment would produce NaN or Infinity`; WRONGTYPE.
fn hincrbyfloat(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let delta = match long_double::parse(&argv[3]) {
        Some(long_double::Parsed::Finite(x)) => x,
        Some(long_double::Parsed::Inf(_)) => return Err(Error::NanOrInfinityValue),
        None => return Err(Error::NotFloat),
    };
    let mut h = HashMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let text = h.incr_by_float(&mut ctx.txn, &argv[2], delta)?;
    h.finish(&mut ctx.txn)?;
    ctx.notify(HASH, "hincrbyfloat", &argv[1]);
    Ok(Reply::Bulk(text))
}

/// `HRANDFIELD key [count [WITHVALUES]]`: without count, one random field or nil. With a
/// positive count, up to count distinct fields; with a negative count, exactly -count
/// fields that may repeat; WITHVALUES adds values (pairs in RESP3). O(N) over the hash.
/// Errors: `ERR value is out of range, value must between -9223372036854775807 and
/// 9223372036854775807`, `ERR value is out of range` (huge negative count WITHVALUES),
/// `ERR syntax error`; WRONGTYPE.
fn hrandfield(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() == 2 {
        let field = match read(ctx, &argv[1])? {
            Some(h) => h.random_field(&ctx.txn)?,
            None => None,
        };
        return Ok(Reply::opt_bulk(field));
    }
    let count = args::int(&argv[2])?;
    if count == i64::MIN {
        return Err(Error::OutOfSymmetricRange);
    }
    let with_values = match argv.len() {
        3 => false,
        4 if args::is(&argv[3], "withvalues") => true,
        _ => return Err(Error::Syntax),
    };
    if with_values && count < 0 && count.unsigned_abs() > (i64::MAX / 2) as u64 {
        return Err(Error::OutOfRange);
    }
    let picked = match read(ctx, &argv[1])? {
        Some(h) => h.random_fields(&ctx.txn, count, with_values)?,
        None => Vec::new(),
    };
    let resp3 = ctx.session.resp >= 3;
    let mut out = Vec::with_capacity(picked.len() * if with_values && !resp3 { 2 } else { 1 });
    for (f, v) in picked {
        if !with_values {
            out.push(Reply::Bulk(f));
        } else if resp3 {
            out.push(Reply::Array(vec![Reply::Bulk(f), Reply::Bulk(v)]));
        } else {
            out.push(Reply::Bulk(f));
            out.push(Reply::Bulk(v));
        }
    }
    Ok(Reply::Array(out))
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]`: iterates fields. Answers
/// `[next cursor, [field, value, ...]]` (fields only with NOVALUES); cursor 0 starts and
/// ends an iteration, and hashes up to 128 fields come whole from it. Every field
/// present for the whole iteration is returned at least once. O(COUNT) per call.
/// Errors: `ERR invalid cursor`, `ERR syntax error` (also for COUNT < 1), `ERR value is
/// not an integer or out of range`; WRONGTYPE. As Redis, the key is looked up before the
/// options are read: a missing key answers an empty page whatever they are.
fn hscan(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cursor = cursor::parse(&argv[2])?;
    let Some(h) = hash::open(&mut ctx.txn, &argv[1], Access::Uncounted)? else { return Ok(cursor::empty()) };
    let opts = ScanOpts::parse(argv, 3, true)?;
    let (next, page) = cursor::collection_page(&ctx.txn, h.meta(), cursor, opts.count)?;
    let mut out = Vec::with_capacity(page.len() * 2);
    for (f, v) in page {
        if opts.wants(&f) {
            out.push(Reply::Bulk(f));
            if !opts.no_values {
                out.push(Reply::Bulk(v));
            }
        }
    }
    Ok(cursor::reply(next, out))
}

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "hset", arity: -4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "hash", handler: hset,
        summary: "Set the string value of a hash field", since: "2.0.0",
        complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
        docs: "key#0 field_value(field value)...
            history 4.0.0:    Accepts multiple `field` and `value` arguments.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "hsetnx", arity: 4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "hash", handler: hsetnx,
        summary: "Set the value of a hash field, only if the field does not exist", since: "2.0.0", complexity: "O(1)",
        docs: "key#0 field value
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "hget", arity: 3, flags: READONLY | FAST, keys: Keys::one(), group: "hash", handler: hget,
        summary: "Get the value of a hash field", since: "2.0.0", complexity: "O(1)",
        docs: "key#0 field
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "hmget", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "hash", handler: hmget,
        summary: "Get the values of all the given hash fields", since: "2.0.0",
        complexity: "O(N) where N is the number of fields being requested.",
        docs: "key#0 field...
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "hmset", arity: -4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "hash", handler: hmset,
        summary: "Set multiple hash fields to multiple values", since: "2.0.0",
        complexity: "O(N) where N is the number of fields being set.",
        docs: "key#0 field_value(field value)...
            deprecated 4.0.0: `HSET` with multiple field-value pairs
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "hdel", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "hash", handler: hdel,
        summary: "Delete one or more hash fields", since: "2.0.0",
        complexity: "O(N) where N is the number of fields to be removed.",
        docs: "key#0 field...
            history 2.4.0:    Accepts multiple `field` arguments.
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "hlen", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "hash", handler: hlen,
        summary: "Get the number of fields in a hash", since: "2.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "hstrlen", arity: 3, flags: READONLY | FAST, keys: Keys::one(), group: "hash", handler: hstrlen,
        summary: "Get the length of the value of a hash field", since: "3.2.0", complexity: "O(1)",
        docs: "key#0 field
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "hexists", arity: 3, flags: READONLY | FAST, keys: Keys::one(), group: "hash", handler: hexists,
        summary: "Determine if a hash field exists", since: "2.0.0", complexity: "O(1)",
        docs: "key#0 field
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "hgetall", arity: 2, flags: READONLY, keys: Keys::one(), group: "hash", handler: hgetall,
        summary: "Get all the fields and values in a hash", since: "2.0.0",
        complexity: "O(N) where N is the size of the hash.",
        docs: "key#0
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "hkeys", arity: 2, flags: READONLY, keys: Keys::one(), group: "hash", handler: hkeys,
        summary: "Get all the fields in a hash", since: "2.0.0", complexity: "O(N) where N is the size of the hash.",
        docs: "key#0
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "hvals", arity: 2, flags: READONLY, keys: Keys::one(), group: "hash", handler: hvals,
        summary: "Get all the values in a hash", since: "2.0.0", complexity: "O(N) where N is the size of the hash.",
        docs: "key#0
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "hincrby", arity: 4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "hash", handler: hincrby,
        summary: "Increment the integer value of a hash field by the given number", since: "2.0.0", complexity: "O(1)",
        docs: "key#0 field increment:integer
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "hincrbyfloat", arity: 4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(),
        group: "hash", handler: hincrbyfloat,
        summary: "Increment the float value of a hash field by the given amount", since: "2.6.0", complexity: "O(1)",
        docs: "key#0 field increment:double
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "hrandfield", arity: -2, flags: READONLY, keys: Keys::one(), group: "hash", handler: hrandfield,
        summary: "Get one or multiple random fields from a hash", since: "6.2.0",
        complexity: "O(N) where N is the number of fields returned",
        docs: "key#0 [options(count:integer [WITHVALUES])]
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "hscan", arity: -3, flags: READONLY, keys: Keys::one(), group: "hash", handler: hscan,
        summary: "Incrementally iterate hash fields and associated values", since: "2.8.0",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        docs: "key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
];
