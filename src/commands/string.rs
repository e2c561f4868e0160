//! String commands, after Redis's `t_string.c`: SET and its variants, GET and its
//! variants, counters, ranges and LCS.
//!
//! A string up to 64 KiB lives inline in its key's metadata record, so most commands
//! here are one metadata read and at most one metadata write; longer strings are chunk
//! records (see [`crate::types::string`]). Commands that modify a string in place
//! (INCR, APPEND, SETRANGE...) keep its TTL; commands that replace it (SET without
//! KEEPTTL, GETSET, MSET) drop it, as in Redis.

mod parse;
mod range;

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, STRING};
use crate::protocol::Reply;
use parse::{expire_at, parse_ext, EX, GET, KEEPTTL, NX, PERSIST, PX, XX};
use crate::types::string::{self, Str};
use crate::types::{Access, Kind, Meta};

// ----- helpers shared by the string and bitmap commands -----

/// The string at `key` and its expiry, for a command about to modify it (no hit/miss
/// statistics, as Redis's `lookupKeyWrite`). WRONGTYPE if the key holds another type.
fn value_for_update(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<(Bytes, i64)>> {
    let Some(s) = string::open(&mut ctx.txn, key, Access::Write)? else { return Ok(None) };
    Ok(Some((s.value(&ctx.txn)?, s.expire_at())))
}

/// The value at `key` for a read command (a keyspace hit or miss); WRONGTYPE if the key
/// holds another type.
pub(crate) fn read_value(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Bytes>> {
    match string::open(&mut ctx.txn, key, Access::Read)? {
        Some(s) => Ok(Some(s.value(&ctx.txn)?)),
        None => Ok(None),
    }
}

/// Stores `value` at `key` with the given absolute expiry (0: none).
pub(crate) fn store(ctx: &mut Ctx<'_>, key: &[u8], value: Bytes, expire_at: i64) -> Result<()> {
    string::put(&mut ctx.txn, key, value, expire_at)
}

/// Refuses a string that would grow past `proto-max-bulk-len`, as Redis's
/// `checkStringLength` does (used by APPEND, SETRANGE, SETBIT and BITFIELD).
pub(crate) fn check_length(ctx: &Ctx<'_>, total: u128) -> Result<()> {
    if total > ctx.server.config.read().proto_max_bulk_len as u128 {
        return Err(Error::StringTooLong);
    }
    Ok(())
}

/// Resolves Redis's `start`/`end` range over a string of `len` units (bytes or bits):
/// negative indexes count from the end, both are clamped. `None` is an empty range.
pub(crate) fn clamp_range(start: i64, end: i64, len: i64) -> Option<(i64, i64)> {
    let mut start = if start < 0 { len.saturating_add(start) } else { start };
    let mut end = if end < 0 { len.saturating_add(end) } else { end };
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        None
    } else {
        Some((start, end))
    }
}

// ----- SET family -----

/// The common body of SET, SETNX, SETEX and PSETEX: whether the value was written (the
/// NX/XX condition held), and with GET the old value. Checks in Redis's order: expire
/// time, then GET's type check, then the condition.
fn set_generic(
    ctx: &mut Ctx<'_>,
    cmd: &str,
    key: &[u8],
    value: &Bytes,
    flags: u32,
    expire: Option<&Bytes>,
) -> Result<(bool, Option<Bytes>)> {
    let when = match expire {
        Some(raw) => Some(expire_at(ctx.txn.now, raw, flags, cmd)?),
        None => None,
    };
    let old = ctx.txn.get(key)?;
    let old_value = if flags & GET != 0 {
        match &old {
            Some(m) if m.kind != Kind::String => return Err(Error::WrongType),
            Some(m) => Some(Str::from_meta(m.clone()).value(&ctx.txn)?),
            None => None,
        }
    } else {
        None
    };
    let found = old.is_some();
    if (flags & NX != 0 && found) || (flags & XX != 0 && !found) {
        return Ok((false, old_value));
    }
    let keep = if flags & KEEPTTL != 0 { old.as_ref().map(|m| m.expire_at).unwrap_or(0) } else { 0 };
    match when {
        // An absolute time already past: the key is set and expires at once.
        Some(t) if t <= ctx.txn.now => {
            ctx.txn.put(key, Meta::string(value.clone(), 0))?;
            ctx.txn.delete(key)?;
        }
        Some(t) => store(ctx, key, value.clone(), t)?,
        None => store(ctx, key, value.clone(), keep)?,
    }
    ctx.notify(STRING, "set", key);
    if when.is_some() {
        ctx.notify(GENERIC, "expire", key);
    }
    Ok((true, old_value))
}

/// `SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms-ts | KEEPTTL]`
///
/// OK, or nil when NX/XX prevented the write; with GET the old value (nil if none).
/// O(1). Errors: syntax error for a bad mix of options, invalid expire time, not an
/// integer, WRONGTYPE with GET on a non-string.
fn set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let opts = parse_ext(argv, 3, true)?;
    let (done, old) = set_generic(ctx, "set", &argv[1], &argv[2], opts.flags, opts.expire)?;
    Ok(if opts.flags & GET != 0 {
        Reply::opt_bulk(old)
    } else if done {
        Reply::ok()
    } else {
        Reply::Nil
    })
}

/// `SETNX key value`: 1 if the key was set, 0 if it existed. O(1).
fn setnx(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (done, _) = set_generic(ctx, "setnx", &argv[1], &argv[2], NX, None)?;
    Ok(Reply::Int(done as i64))
}

/// `SETEX key seconds value`: SET with EX. O(1). Errors: invalid expire time.
fn setex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    set_generic(ctx, "setex", &argv[1], &argv[3], EX, Some(&argv[2]))?;
    Ok(Reply::ok())
}

/// `PSETEX key milliseconds value`: SET with PX. O(1). Errors: invalid expire time.
fn psetex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    set_generic(ctx, "psetex", &argv[1], &argv[3], PX, Some(&argv[2]))?;
    Ok(Reply::ok())
}

/// `GET key`: the value, or nil. O(1). Errors: WRONGTYPE.
fn get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::opt_bulk(read_value(ctx, &argv[1])?))
}

/// `GETSET key value`: sets the value (dropping any TTL) and answers the old one or
/// nil. O(1). Errors: WRONGTYPE (nothing is written).
fn getset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let old = read_value(ctx, &argv[1])?;
    store(ctx, &argv[1], argv[2].clone(), 0)?;
    ctx.notify(STRING, "set", &argv[1]);
    Ok(Reply::opt_bulk(old))
}

/// `GETDEL key`: the value, and the key is deleted; nil if missing. O(1).
/// Errors: WRONGTYPE (the key stays).
fn getdel(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let old = read_value(ctx, &argv[1])?;
    if old.is_some() {
        ctx.txn.delete(&argv[1])?;
        ctx.notify(GENERIC, "del", &argv[1]);
    }
    Ok(Reply::opt_bulk(old))
}

/// `GETEX key [EX s | PX ms | EXAT ts | PXAT ms-ts | PERSIST]`: the value, and its TTL
/// changed as asked; nil if missing. O(1). Errors: syntax error, invalid expire time,
/// WRONGTYPE.
fn getex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let opts = parse_ext(argv, 2, false)?;
    let key = &argv[1];
    let Some(s) = string::open(&mut ctx.txn, key, Access::Read)? else { return Ok(Reply::Nil) };
    let value = s.value(&ctx.txn)?;
    if let Some(raw) = opts.expire {
        let when = expire_at(ctx.txn.now, raw, opts.flags, "getex")?;
        if when <= ctx.txn.now {
            ctx.txn.delete(key)?;
            ctx.notify(GENERIC, "del", key);
        } else {
            store(ctx, key, value.clone(), when)?;
            ctx.notify(GENERIC, "expire", key);
        }
    } else if opts.flags & PERSIST != 0 && s.expire_at() != 0 {
        store(ctx, key, value.clone(), 0)?;
        ctx.notify(GENERIC, "persist", key);
    }
    Ok(Reply::Bulk(value))
}

/// `MGET key [key ...]`: one value or nil per key (nil too for keys of other types).
/// O(N).
fn mget(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut out = Vec::with_capacity(argv.len() - 1);
    for key in &argv[1..] {
        out.push(match read_value(ctx, key) {
            Ok(v) => Reply::opt_bulk(v),
            Err(Error::WrongType) => Reply::Nil,
            Err(e) => return Err(e),
        });
    }
    Ok(Reply::Array(out))
}

/// `MSET key value [key value ...]`: sets every pair at once (dropping TTLs). O(N).
/// Errors: wrong number of arguments for an odd count.
fn mset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() % 2 == 0 {
        return Err(Error::WrongArity("mset".into()));
    }
    for pair in argv[1..].chunks_exact(2) {
        store(ctx, &pair[0], pair[1].clone(), 0)?;
        ctx.notify(STRING, "set", &pair[0]);
    }
    Ok(Reply::ok())
}

/// `MSETNX key value [key value ...]`: sets every pair only if none of the keys exists;
/// 1 if set, 0 otherwise. O(N). Errors: wrong number of arguments.
fn msetnx(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() % 2 == 0 {
        return Err(Error::WrongArity("msetnx".into()));
    }
    for pair in argv[1..].chunks_exact(2) {
        if ctx.txn.get(&pair[0])?.is_some() {
            return Ok(Reply::Int(0));
        }
    }
    for pair in argv[1..].chunks_exact(2) {
        store(ctx, &pair[0], pair[1].clone(), 0)?;
        ctx.notify(STRING, "set", &pair[0]);
    }
    Ok(Reply::Int(1))
}

// ----- counters -----

/// Adds `by` to the integer at `key` (0 if missing), keeping its TTL.
fn incr_by(ctx: &mut Ctx<'_>, key: &[u8], by: i64) -> Result<Reply> {
    let (old, ttl) = match value_for_update(ctx, key)? {
        Some((v, ttl)) => (args::parse_i64_strict(&v).ok_or(Error::NotInteger)?, ttl),
        None => (0, 0),
    };
    let new = old.checked_add(by).ok_or(Error::Overflow)?;
    let mut buf = itoa::Buffer::new();
    store(ctx, key, Bytes::copy_from_slice(buf.format(new).as_bytes()), ttl)?;
    ctx.notify(STRING, "incrby", key);
    Ok(Reply::Int(new))
}

/// `INCR key`: the value plus one. O(1). Errors: not an integer, overflow, WRONGTYPE.
fn incr(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    incr_by(ctx, &argv[1], 1)
}

/// `DECR key`: the value minus one. O(1). Errors: not an integer, overflow, WRONGTYPE.
fn decr(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    incr_by(ctx, &argv[1], -1)
}

/// `INCRBY key increment`. O(1). Errors: not an integer, overflow, WRONGTYPE.
fn incrby(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let by = args::int(&argv[2])?;
    incr_by(ctx, &argv[1], by)
}

/// `DECRBY key decrement`. O(1). Errors: not an integer, `decrement would overflow`
/// for -2^63, overflow, WRONGTYPE.
fn decrby(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let by = args::int(&argv[2])?;
    if by == i64::MIN {
        return Err(Error::DecrementOverflow);
    }
    incr_by(ctx, &argv[1], -by)
}

/// `INCRBYFLOAT key increment`: the new value as a bulk string, computed in x87 long
/// double precision and printed as Redis prints it (`%.17Lf`, trailing zeros dropped).
/// Keeps the TTL. O(1). Errors: `value is not a valid float`, `increment would produce
/// NaN or Infinity`, WRONGTYPE.
fn incrbyfloat(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let key = &argv[1];
    let (old, ttl) = match value_for_update(ctx, key)? {
        Some((v, ttl)) => (Some(v), ttl),
        None => (None, 0),
    };
    let text = crate::types::long_double::incr_text(old.as_deref().unwrap_or(b"0"), &argv[2])?;
    let text = Bytes::from(text);
    store(ctx, key, text.clone(), ttl)?;
    ctx.notify(STRING, "incrbyfloat", key);
    Ok(Reply::Bulk(text))
}

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "get", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "string", handler: get,
        summary: "Get the value of a key", since: "1.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "set", arity: -3, flags: WRITE | DENYOOM, keys: Keys::one(), group: "string", handler: set,
        summary: "Set the string value of a key", since: "1.0.0", complexity: "O(1)",
        docs: r#"key#0 value [condition(NX | XX)@2.6.12] [GET@6.2.0]
                 [expiration(EX seconds:integer@2.6.12 | PX milliseconds:integer@2.6.12 |
                 EXAT unix-time-seconds:unix-time@6.2.0 |
                 PXAT unix-time-milliseconds:unix-time@6.2.0 | KEEPTTL@6.0.0)]
            history 2.6.12:   Added the `EX`, `PX`, `NX` and `XX` options.
            history 6.0.0:    Added the `KEEPTTL` option.
            history 6.2.0:    Added the `GET`, `EXAT` and `PXAT` option.
            history 7.0.0:    Allowed the `NX` and `GET` options to be used together.
            key 0:            RW access update variable_flags, index 1, range 0,
                              "RW and ACCESS due to the optional `GET` argument""#,
    },
    command! {
        name: "setnx", arity: 3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "string", handler: setnx,
        summary: "Set the value of a key, only if the key does not exist", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 value
            key 0:            OW insert, index 1, range 0",
    },
    command! {
        name: "setex", arity: 4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "string", handler: setex,
        summary: "Set the value and expiration of a key", since: "2.0.0", complexity: "O(1)",
        docs: "key#0 seconds:integer value
            key 0:            OW update, index 1, range 0",
    },
    command! {
        name: "psetex", arity: 4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "string", handler: psetex,
        summary: "Set the value and expiration in milliseconds of a key", since: "2.6.0", complexity: "O(1)",
        docs: "key#0 milliseconds:integer value
            key 0:            OW update, index 1, range 0",
    },
    command! {
        name: "getset", arity: 3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "string", handler: getset,
        summary: "Set the string value of a key and return its old value", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 value
            deprecated 6.2.0: `SET` with the `!GET` argument
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "getdel", arity: 2, flags: WRITE | FAST, keys: Keys::one(), group: "string", handler: getdel,
        summary: "Get the value of a key and delete the key", since: "6.2.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RW access delete, index 1, range 0",
    },
    command! {
        name: "getex", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "string", handler: getex,
        summary: "Get the value of a key and optionally set its expiration", since: "6.2.0", complexity: "O(1)",
        docs: r#"key#0 [expiration(EX seconds:integer | PX milliseconds:integer |
                 EXAT unix-time-seconds:unix-time |
                 PXAT unix-time-milliseconds:unix-time | PERSIST)]
            key 0:            RW access update, index 1, range 0,
                              "RW and UPDATE because it changes the TTL""#,
    },
    command! {
        name: "mget", arity: -2, flags: READONLY | FAST, keys: Keys::all_from(1), group: "string", handler: mget,
        summary: "Get the values of all the given keys", since: "1.0.0",
        complexity: "O(N) where N is the number of keys to retrieve.",
        docs: "key#0...
            key 0:            RO access, index 1, range -1
            tips:             request_policy:multi_shard",
    },
    command! {
        name: "mset", arity: -3, flags: WRITE | DENYOOM, keys: Keys::Range { first: 1, last: -1, step: 2 },
        group: "string", handler: mset,
        summary: "Set multiple keys to multiple values", since: "1.0.1",
        complexity: "O(N) where N is the number of keys to set.",
        docs: "key_value(key#0 value)...
            key 0:            OW update, index 1, range -1 step 2
            tips:             request_policy:multi_shard response_policy:all_succeeded",
    },
    command! {
        name: "msetnx", arity: -3, flags: WRITE | DENYOOM, keys: Keys::Range { first: 1, last: -1, step: 2 },
        group: "string", handler: msetnx,
        summary: "Set multiple keys to multiple values, only if none of the keys exist", since: "1.0.1",
        complexity: "O(N) where N is the number of keys to set.",
        docs: "key_value(key#0 value)...
            key 0:            OW insert, index 1, range -1 step 2
            tips:             request_policy:multi_shard response_policy:agg_min",
    },
    command! {
        name: "incr", arity: 2, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "string", handler: incr,
        summary: "Increment the integer value of a key by one", since: "1.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "decr", arity: 2, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "string", handler: decr,
        summary: "Decrement the integer value of a key by one", since: "1.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "incrby", arity: 3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "string", handler: incrby,
        summary: "Increment the integer value of a key by the given amount", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 increment:integer
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "decrby", arity: 3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "string", handler: decrby,
        summary: "Decrement the integer value of a key by the given number", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 decrement:integer
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "incrbyfloat", arity: 3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(),
        group: "string", handler: incrbyfloat,
        summary: "Increment the float value of a key by the given amount", since: "2.6.0", complexity: "O(1)",
        docs: "key#0 increment:double
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "append", arity: 3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "string", handler: range::append,
        summary: "Append a value to a key", since: "2.0.0",
        complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
        docs: "key#0 value
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "strlen", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "string", handler: range::strlen,
        summary: "Get the length of the value stored in a key", since: "2.2.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "getrange", arity: 4, flags: READONLY, keys: Keys::one(), group: "string", handler: range::getrange,
        summary: "Get a substring of the string stored at a key", since: "2.4.0",
        complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
        docs: "key#0 start:integer end:integer
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "substr", arity: 4, flags: READONLY, keys: Keys::one(), group: "string", handler: range::getrange,
        summary: "Get a substring of the string stored at a key", since: "1.0.0",
        complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
        docs: "key#0 start:integer end:integer
            deprecated 2.0.0: `GETRANGE`
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "setrange", arity: 4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "string", handler: range::setrange,
        summary: "Overwrite part of a string at key starting at the specified offset", since: "2.2.0",
        complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
        docs: "key#0 offset:integer value
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "lcs", arity: -3, flags: READONLY, keys: Keys::Range { first: 1, last: 2, step: 1 },
        group: "string", handler: range::lcs,
        summary: "Find longest common substring", since: "7.0.0",
        complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        docs: "key1#0 key2#0 [LEN] [IDX] [MINMATCHLEN len:integer] [WITHMATCHLEN]
            key 0:            RO access, index 1, range 1",
    },
];

#[cfg(test)]
mod tests {
    //! WRONGTYPE paths through the real dispatch, with a non-string key written directly
    //! (the wire tests cover them once the collection commands exist).
    use std::sync::Arc;

    use bytes::Bytes;

    use crate::commands::{execute, ClientInfo, ServerState, Session};
    use crate::config::Config;
    use crate::protocol::Reply;
    use crate::storage::rocks::RocksOptions;
    use crate::storage::{RocksStorage, Storage};
    use crate::types::{Kind, Meta, Store, Txn};

    fn run(state: &ServerState, session: &mut Session, args: &[&str]) -> Reply {
        let argv: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a.as_bytes())).collect();
        execute(state, session, &argv).reply
    }

    #[test]
    fn string_and_bit_commands_refuse_other_types() {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(RocksStorage::open(dir.path(), &RocksOptions::default(), Meta::live_version).unwrap());
        let store = Store::open(storage, 16).unwrap();
        let mut txn = Txn::new(&store, 0);
        let version = store.new_version();
        let mut meta = Meta::collection(Kind::List, version);
        meta.size = 1;
        txn.put(b"l", meta).unwrap();
        txn.commit().unwrap();
        let state = ServerState::new(store, Config::default());
        let info = Arc::new(ClientInfo::new(1, "test".into(), "test".into(), -1, "N"));
        let mut session = Session::new(info, state.acl.default_user(), true);
        run(&state, &mut session, &["SET", "s", "abc"]);
        let wrongtype = Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value");
        for args in [
            &["GET", "l"][..],
            &["SET", "l", "v", "GET"],
            &["SET", "l", "v", "NX", "GET"],
            &["GETSET", "l", "v"],
            &["GETDEL", "l"],
            &["GETEX", "l", "PERSIST"],
            &["INCR", "l"],
            &["DECRBY", "l", "3"],
            &["INCRBYFLOAT", "l", "1.5"],
            &["APPEND", "l", "x"],
            &["STRLEN", "l"],
            &["GETRANGE", "l", "0", "-1"],
            &["SETRANGE", "l", "0", "x"],
            &["SETBIT", "l", "0", "1"],
            &["GETBIT", "l", "0"],
            &["BITCOUNT", "l"],
            &["BITCOUNT", "l", "-6", "-7"],
            &["BITPOS", "l", "1"],
            &["BITOP", "OR", "dest", "s", "l"],
            &["BITFIELD", "l", "GET", "u8", "0"],
            &["BITFIELD", "l", "SET", "u8", "0", "1"],
            &["BITFIELD_RO", "l", "GET", "u8", "0"],
        ] {
            assert_eq!(run(&state, &mut session, args), wrongtype, "{args:?}");
        }
        // Argument errors come before the type check where Redis checks them first.
        assert_eq!(run(&state, &mut session, &["BITCOUNT", "l", "a", "b"]), Reply::error("ERR value is not an integer or out of range"));
        assert_eq!(run(&state, &mut session, &["SET", "l", "v", "GET", "EX", "0"]), Reply::error("ERR invalid expire time in 'set' command"));
        assert_eq!(
            run(&state, &mut session, &["LCS", "s", "l"]),
            Reply::error("ERR The specified keys must contain string values")
        );
        assert_eq!(run(&state, &mut session, &["MGET", "s", "l"]), Reply::Array(vec![Reply::bulk_str("abc"), Reply::Nil]));
        assert_eq!(run(&state, &mut session, &["GET", "dest"]), Reply::Nil);
        // The list is untouched; plain SET, MSET and BITOP's destination replace it.
        assert_eq!(run(&state, &mut session, &["SETNX", "l", "v"]), Reply::Int(0));
        assert_eq!(run(&state, &mut session, &["SET", "l", "v", "KEEPTTL"]), Reply::ok());
        assert_eq!(run(&state, &mut session, &["GET", "l"]), Reply::bulk_str("v"));
    }
}
