//! Keyspace commands: DEL, UNLINK, EXISTS, TYPE, the EXPIRE and TTL families, PERSIST,
//! KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, SWAPDB, TOUCH, OBJECT, DUMP,
//! RESTORE.
//!
//! Every one of them works on any type without knowing its layout: a string is its
//! metadata record; a collection is its metadata record plus the Sub and Score records
//! tagged with its version. RENAME and MOVE move the metadata and keep the version (the
//! owner record follows through [`Txn::put_at`](crate::types::Txn::put_at)); COPY and
//! RESTORE write a new version with every record copied; DEL drops the metadata and
//! leaves the records to compaction. What needs a type's layout lives in the type layer:
//! OBJECT ENCODING's answer ([`encoding`]) and RANDOMKEY's pick ([`sample::random_key`]).
//!
//! Commands that write a key in a database other than the client's (MOVE, COPY ... DB)
//! run with the database gate held exclusively: the key locks taken by dispatch cover
//! only the client's database.

mod parse;

use std::sync::OnceLock;

use bytes::Bytes;

use super::args;
use super::cursor::{self, Cursors};
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::glob;
use crate::protocol::Reply;
use crate::storage::{keys as layout, Cf, Range};
use crate::types::txn::dump;
use crate::types::{encoding, sample, Meta};
use parse::{db_index, CopyArgs, ExpireCond, RestoreArgs, ScanArgs};

// ----- existence, type, deletion -----

/// `DEL key [key ...]`: how many of the keys existed. O(1) per key, whatever its size:
/// a collection's elements become unreachable with its metadata.
fn del(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut n = 0;
    for key in &argv[1..] {
        n += ctx.txn.delete(key)? as i64;
    }
    Ok(Reply::Int(n))
}

/// `UNLINK key [key ...]`: as DEL. Deletion is already O(1) per key (elements are
/// reclaimed by compaction in the background), which is what UNLINK promises.
fn unlink(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    del(ctx, argv)
}

/// `EXISTS key [key ...]`: how many of the keys exist; a key named twice counts twice.
/// O(N) in the number of keys.
fn exists(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    // EXISTS does not count as an access (Redis looks up with NOTOUCH); TOUCH does.
    ctx.txn.no_touch = !args::is(&argv[0], "touch");
    let mut n = 0;
    for key in &argv[1..] {
        n += ctx.txn.get(key)?.is_some() as i64;
    }
    Ok(Reply::Int(n))
}

/// `TOUCH key [key ...]`: how many of the keys exist. O(N) in the number of keys.
/// (DiskDB keeps no access clock, so touching changes nothing else.)
fn touch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    exists(ctx, argv)
}

/// `TYPE key`: `string`, `list`, `set`, `zset`, `hash`, `stream`, `ReJSON-RL`, or `none`
/// as a status reply. O(1).
fn type_(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    Ok(Reply::status(ctx.txn.get(&argv[1])?.map(|m| m.kind.type_name()).unwrap_or("none")))
}

// ----- expiry -----

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
    } else {
        meta.expire_at = when;
        ctx.txn.put(&argv[1], meta)?;
    }
    Ok(Reply::Int(1))
}

/// `EXPIRE key seconds [NX | XX | GT | LT]`: 1 if the timeout was set (or the key
/// deleted for a deadline not in the future), 0 if the key is missing or an option
/// refused. O(1). Errors: not an integer; `ERR invalid expire time in 'expire' command`
/// on overflow; `ERR Unsupported option ...`; incompatible options.
fn expire(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let now = ctx.txn.now;
    expire_generic(ctx, argv, now, true, "expire")
}

/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`: as EXPIRE, in milliseconds. O(1).
fn pexpire(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let now = ctx.txn.now;
    expire_generic(ctx, argv, now, false, "pexpire")
}

/// `EXPIREAT key unix-time-seconds [NX | XX | GT | LT]`: as EXPIRE, at an absolute Unix
/// time in seconds. O(1).
fn expireat(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    expire_generic(ctx, argv, 0, true, "expireat")
}

/// `PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]`: as EXPIREAT, in
/// milliseconds. O(1).
fn pexpireat(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    expire_generic(ctx, argv, 0, false, "pexpireat")
}

/// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without expiry, else the
/// time left (`absolute`: the deadline), in ms or rounded seconds.
fn ttl_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], in_ms: bool, absolute: bool) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let Some(meta) = ctx.txn.get(&argv[1])? else { return Ok(Reply::Int(-2)) };
    if meta.expire_at == 0 {
        return Ok(Reply::Int(-1));
    }
    let ttl = if absolute { meta.expire_at } else { meta.expire_at - ctx.txn.now }.max(0);
    // (Rounded in 128 bits: a deadline within 500 ms of i64::MAX rounds up, as in Redis.)
    Ok(Reply::Int(if in_ms { ttl } else { ((i128::from(ttl) + 500) / 1000) as i64 }))
}

/// `TTL key`: seconds to live (rounded), -1 without expiry, -2 if missing. O(1).
fn ttl(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, false, false)
}

/// `PTTL key`: milliseconds to live, -1 without expiry, -2 if missing. O(1).
fn pttl(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, true, false)
}

/// `EXPIRETIME key`: the absolute Unix deadline in seconds, -1 / -2 as TTL. O(1).
fn expiretime(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, false, true)
}

/// `PEXPIRETIME key`: the absolute Unix deadline in milliseconds, -1 / -2 as TTL. O(1).
fn pexpiretime(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ttl_generic(ctx, argv, true, true)
}

/// `PERSIST key`: 1 if a timeout was removed, 0 if the key is missing or has none. O(1).
fn persist(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    match ctx.txn.get(&argv[1])? {
        Some(mut meta) if meta.expire_at != 0 => {
            meta.expire_at = 0;
            ctx.txn.put(&argv[1], meta)?;
            Ok(Reply::Int(1))
        }
        _ => Ok(Reply::Int(0)),
    }
}

// ----- iteration: KEYS, SCAN, RANDOMKEY -----

/// Range of every metadata key of physical database `db`.
fn db_range(db: u8) -> (Vec<u8>, Vec<u8>) {
    layout::db_bounds(db)
}

/// The literal bytes a glob pattern starts with: every match starts with them, so the
/// walk can be limited to keys with that prefix.
fn literal_prefix(pattern: &[u8]) -> &[u8] {
    let end = pattern.iter().position(|b| matches!(b, b'*' | b'?' | b'[' | b'\\')).unwrap_or(pattern.len());
    &pattern[..end]
}

/// `KEYS pattern`: every live key matching the glob pattern. O(N) in the keys of the
/// database (only keys sharing the pattern's literal prefix are walked).
fn keys(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let pattern = &argv[1][..];
    let all = pattern == b"*";
    let db = ctx.txn.db;
    let start = layout::meta_key(db, literal_prefix(pattern));
    let end = if start.len() > 1 { layout::prefix_end(&start) } else { db_range(db).1 };
    let now = ctx.txn.now;
    let mut out = Vec::new();
    ctx.store().storage.scan(Cf::Meta, Range { start: &start, end: &end, reverse: false }, &mut |k, v| {
        let key = &k[1..];
        if (all || glob::matches(pattern, key, false)) && Meta::decode_header(v).is_some_and(|m| !m.is_expired(now)) {
            out.push(Reply::Bulk(Bytes::copy_from_slice(key)));
        }
        true
    })?;
    Ok(Reply::Array(out))
}

/// SCAN's resume points; an unknown cursor is refused with `ERR invalid cursor` rather
/// than silently restarting the walk.
fn cursors() -> &'static Cursors {
    static CURSORS: OnceLock<Cursors> = OnceLock::new();
    CURSORS.get_or_init(|| Cursors::new(CURSOR_SLOTS))
}

const CURSOR_SLOTS: usize = 1 << 14;

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`: `[next cursor, keys]`; the
/// iteration is complete when the cursor is 0. Each call examines about COUNT keys
/// (default 10), so with MATCH or TYPE a call may return few or none. Expired keys are
/// skipped; an unknown TYPE matches nothing. O(1) per call, O(N) for a full iteration.
/// Errors: `ERR invalid cursor`; COUNT not an integer; COUNT < 1 or an unknown option:
/// syntax error.
fn scan(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cursor = cursor::parse(&argv[1])?;
    let ScanArgs { count, pattern, type_name } = ScanArgs::parse(argv)?;
    let resume = match cursor {
        0 => None,
        id => Some(cursors().load(id).ok_or(Error::InvalidCursor)?),
    };
    let db = ctx.txn.db;
    let low = layout::meta_key(db, pattern.map(literal_prefix).unwrap_or_default());
    let end = if low.len() > 1 { layout::prefix_end(&low) } else { db_range(db).1 };
    let start = match resume {
        Some(after) => {
            let mut s = layout::meta_key(db, &after);
            s.push(0);
            s.max(low)
        }
        None => low,
    };
    let now = ctx.txn.now;
    let (mut examined, mut more, mut last) = (0i64, false, Vec::new());
    let mut out = Vec::new();
    if start < end {
        ctx.store().storage.scan(Cf::Meta, Range { start: &start, end: &end, reverse: false }, &mut |k, v| {
            if examined == count {
                more = true;
                return false;
            }
            examined += 1;
            let key = &k[1..];
            last.clear();
            last.extend_from_slice(key);
            let Some(meta) = Meta::decode_header(v).filter(|m| !m.is_expired(now)) else { return true };
            if pattern.is_some_and(|p| !glob::matches(p, key, false)) {
                return true;
            }
            if type_name.is_some_and(|t| !t.eq_ignore_ascii_case(meta.kind.type_name().as_bytes())) {
                return true;
            }
            out.push(Reply::Bulk(Bytes::copy_from_slice(key)));
            true
        })?;
    }
    let next = if more { cursors().save(Bytes::from(last)) } else { 0 };
    Ok(Reply::Array(vec![Reply::Bulk(Bytes::from(next.to_string())), Reply::Array(out)]))
}

/// `RANDOMKEY`: a random live key, or nil if the database has none. Up to 10,000 keys
/// the pick is uniform (a walk to a random index). Beyond, keys are stored in order, not
/// in a hash table, so the pick descends the key space at random (O(key length) seeks)
/// and then walks forward a random number of keys (at most 2048): cheap whatever the
/// size, it spreads over the whole database but is not uniform (a key right after a
/// large gap in the key space comes up less often).
fn randomkey(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(sample::random_key(&ctx.txn)?.map_or(Reply::Nil, Reply::Bulk))
}

// ----- renaming and copying -----

/// RENAME and RENAMENX. The value moves as it is: same TTL, and for a collection the
/// same version (only the metadata and owner records are rewritten).
fn rename_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], nx: bool) -> Result<Reply> {
    let (src, dst) = (&argv[1], &argv[2]);
    let Some(meta) = ctx.txn.get(src)? else { return Err(Error::NoSuchKey) };
    if src == dst {
        return Ok(if nx { Reply::Int(0) } else { Reply::ok() });
    }
    if nx && ctx.txn.get(dst)?.is_some() {
        return Ok(Reply::Int(0));
    }
    ctx.txn.put(dst, meta)?;
    ctx.txn.delete(src)?;
    Ok(if nx { Reply::Int(1) } else { Reply::ok() })
}

/// `RENAME key newkey`: moves the value (and its TTL) to `newkey`, replacing what was
/// there. O(1) for every type. Errors: `ERR no such key`.
fn rename(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    rename_generic(ctx, argv, false)
}

/// `RENAMENX key newkey`: as RENAME if `newkey` does not exist: 1, else 0. O(1).
/// Errors: `ERR no such key`.
fn renamenx(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    rename_generic(ctx, argv, true)
}

/// `COPY source destination [DB destination-db] [REPLACE]`: 1 if copied, 0 if the source
/// is missing or the destination exists (without REPLACE). The copy keeps the TTL; a
/// collection gets a new version with every record copied. O(N) in the size of the
/// value. Errors: `ERR DB index is out of range`; not an integer; `ERR source and
/// destination objects are the same`; syntax error.
fn copy(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let CopyArgs { db, replace } = CopyArgs::parse(argv, ctx.store().databases())?;
    let target = db.unwrap_or(ctx.session.db);
    let (src, dst) = (&argv[1], &argv[2]);
    if target == ctx.session.db && src == dst {
        return Err(Error::SameObject);
    }
    let Some(mut meta) = ctx.txn.get(src)? else { return Ok(Reply::Int(0)) };
    let dst_db = ctx.store().physical(target);
    if ctx.txn.get_at(dst_db, dst)?.is_some() && !replace {
        return Ok(Reply::Int(0));
    }
    if meta.has_records() {
        let version = ctx.store().new_version();
        ctx.txn.copy_records(meta.version, version)?;
        meta.version = version;
    }
    ctx.txn.put_at(dst_db, dst, meta)?;
    Ok(Reply::Int(1))
}

/// `MOVE key db`: moves the key (and its TTL) to another database: 1, or 0 if the key
/// is missing here or exists there. O(1) for every type: a collection keeps its version.
/// Errors: not an integer; `ERR DB index is out of range`; `ERR source and destination
/// objects are the same`.
fn move_(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let target = db_index(&argv[2], ctx.store().databases())?;
    if target == ctx.session.db {
        return Err(Error::SameObject);
    }
    let key = &argv[1];
    let Some(meta) = ctx.txn.get(key)? else { return Ok(Reply::Int(0)) };
    let dst_db = ctx.store().physical(target);
    if ctx.txn.get_at(dst_db, key)?.is_some() {
        return Ok(Reply::Int(0));
    }
    ctx.txn.put_at(dst_db, key, meta)?;
    ctx.txn.delete(key)?;
    Ok(Reply::Int(1))
}

/// `SWAPDB index1 index2`: swaps two databases for every client at once. O(1): only the
/// logical-to-physical map changes. Transactions watching keys in either database fail,
/// and clients blocked in either re-check their keys. Errors: `ERR invalid first DB
/// index`, `ERR invalid second DB index`, `ERR DB index is out of range`.
fn swapdb(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = args::parse_i64_strict(&argv[1]).ok_or_else(|| Error::err("invalid first DB index"))?;
    let b = args::parse_i64_strict(&argv[2]).ok_or_else(|| Error::err("invalid second DB index"))?;
    let n = ctx.store().databases() as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        return Err(Error::DbIndexOutOfRange);
    }
    if a != b {
        let store = ctx.store();
        let (pa, pb) = (store.physical(a as usize), store.physical(b as usize));
        store.swap_db(a as usize, b as usize)?;
        ctx.txn.note_write();
        for p in [pa, pb] {
            ctx.server.watches.touch_db(p);
            ctx.server.blocked.wake_db(p);
        }
    }
    Ok(Reply::ok())
}

// ----- OBJECT -----

/// `OBJECT ENCODING key`: the internal representation Redis 7 would use (`int`, `embstr`,
/// `raw`, `listpack`, `quicklist`, `intset`, `hashtable`, `skiplist`, `stream`), or nil.
/// O(1): at most a few hundred elements are looked at.
fn object_encoding(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let Some(meta) = ctx.txn.get(&argv[2])? else { return Ok(Reply::Nil) };
    Ok(Reply::bulk_str(encoding::encoding(&ctx.txn, &meta)?))
}

/// `OBJECT FREQ key`: nil for a missing key; otherwise the error Redis gives when no LFU
/// maxmemory policy is selected (DiskDB has no eviction, so it never counts accesses).
fn object_freq(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    if ctx.txn.get(&argv[2])?.is_none() {
        return Ok(Reply::Nil);
    }
    Err(Error::err(
        "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    ))
}

/// `OBJECT IDLETIME key`: seconds since the key was last read or written (see
/// [`crate::types::access`]), or nil. Does not count as an access. O(1).
fn object_idletime(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    Ok(match ctx.txn.get(&argv[2])? {
        Some(_) => Reply::Int(ctx.store().access.idle(ctx.txn.db, &argv[2]) as i64),
        None => Reply::Nil,
    })
}

/// `OBJECT REFCOUNT key`: as Redis reports it: 2147483647 for small non-negative
/// integers (Redis shares those objects), 1 otherwise; nil for a missing key. O(1).
fn object_refcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let Some(meta) = ctx.txn.get(&argv[2])? else { return Ok(Reply::Nil) };
    Ok(Reply::Int(if encoding::is_shared_integer(&meta) { i32::MAX as i64 } else { 1 }))
}

/// `OBJECT HELP`.
fn object_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
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
fn dump_(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(meta) = ctx.txn.get(&argv[1])? else { return Ok(Reply::Nil) };
    Ok(Reply::Bulk(Bytes::from(ctx.txn.dump(&meta)?)))
}

/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ
/// frequency]`: creates `key` from a DUMP payload. `ttl` in ms (0: none; ABSTTL: a Unix
/// time in ms); a deadline already past restores nothing and answers OK. IDLETIME sets
/// the key's access clock; FREQ is checked and ignored (no LFU policy). O(N) in the size of the
/// value. Errors: `BUSYKEY Target key name already exists.`; `ERR Invalid TTL value, must
/// be >= 0`; `ERR DUMP payload version or checksum are wrong`; `ERR Bad data format`;
/// `ERR Invalid IDLETIME value, must be >= 0`; `ERR Invalid FREQ value, must be >= 0 and
/// <= 255`; syntax error.
fn restore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let RestoreArgs { replace, absttl, idle, .. } = RestoreArgs::parse(argv)?;
    let key = &argv[1];
    if !replace && ctx.txn.get(key)?.is_some() {
        return Err(Error::BusyKey);
    }
    let mut ttl = args::int(&argv[2])?;
    if ttl < 0 {
        return Err(Error::err("Invalid TTL value, must be >= 0"));
    }
    let value = dump::parse(&argv[3]).map_err(|e| match e {
        dump::Refused::Checksum => Error::DumpPayload,
        dump::Refused::Format => Error::BadDataFormat,
    })?;
    if replace {
        ctx.txn.delete(key)?;
    }
    if ttl != 0 && !absttl {
        ttl = ttl.saturating_add(ctx.txn.now);
    }
    if ttl != 0 && ttl <= ctx.txn.now {
        return Ok(Reply::ok());
    }
    ctx.txn.restore(key, value, ttl)?;
    if let Some(idle) = idle {
        ctx.store().access.set_idle(ctx.txn.db, key, idle as u64);
    }
    Ok(Reply::ok())
}

const fn range(first: i32, last: i32) -> Keys {
    Keys::Range { first, last, step: 1 }
}

static OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "encoding", arity: 3, flags: READONLY, keys: range(2, 2), group: "generic", handler: object_encoding,
        summary: "Inspect the internal encoding of a Redis object", since: "2.2.3", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 2, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "freq", arity: 3, flags: READONLY, keys: range(2, 2), group: "generic", handler: object_freq,
        summary: "Get the logarithmic access frequency counter of a Redis object", since: "4.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 2, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "generic", handler: object_help,
        summary: "Show helpful text about the different subcommands", since: "6.2.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "idletime", arity: 3, flags: READONLY, keys: range(2, 2), group: "generic", handler: object_idletime,
        summary: "Get the time since a Redis object was last accessed", since: "2.2.3", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 2, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "refcount", arity: 3, flags: READONLY, keys: range(2, 2), group: "generic", handler: object_refcount,
        summary: "Get the number of references to the value of the key", since: "2.2.3", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 2, range 0
            tips:             nondeterministic_output",
    },
];

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "del", arity: -2, flags: WRITE, keys: Keys::all_from(1), group: "generic", handler: del,
        summary: "Delete a key", since: "1.0.0", complexity: "O(N) where N is the number of keys that will be removed.",
        docs: "key#0...
            key 0:            RM delete, index 1, range -1
            tips:             request_policy:multi_shard response_policy:agg_sum",
    },
    command! {
        name: "unlink", arity: -2, flags: WRITE | FAST, keys: Keys::all_from(1), group: "generic", handler: unlink,
        summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", since: "4.0.0",
        complexity: "O(1) for each key removed regardless of its size.",
        docs: "key#0...
            key 0:            RM delete, index 1, range -1
            tips:             request_policy:multi_shard response_policy:agg_sum",
    },
    command! {
        name: "exists", arity: -2, flags: READONLY | FAST, keys: Keys::all_from(1), group: "generic", handler: exists,
        summary: "Determine if a key exists", since: "1.0.0",
        complexity: "O(N) where N is the number of keys to check.",
        docs: "key#0...
            history 3.0.3:    Accepts multiple `key` arguments.
            key 0:            RO, index 1, range -1
            tips:             request_policy:multi_shard response_policy:agg_sum",
    },
    command! {
        name: "touch", arity: -2, flags: READONLY | FAST, keys: Keys::all_from(1), group: "generic", handler: touch,
        summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.", since: "3.2.1",
        complexity: "O(N) where N is the number of keys that will be touched.",
        docs: "key#0...
            key 0:            RO, index 1, range -1
            tips:             request_policy:multi_shard response_policy:agg_sum",
    },
    command! {
        name: "type", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "generic", handler: type_,
        summary: "Determine the type stored at key", since: "1.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "expire", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "generic", handler: expire,
        summary: "Set a key's time to live in seconds", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 seconds:integer [condition(NX | XX | GT | LT)@7.0.0]
            history 7.0.0:    Added options: `NX`, `XX`, `GT` and `LT`.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "pexpire", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "generic", handler: pexpire,
        summary: "Set a key's time to live in milliseconds", since: "2.6.0", complexity: "O(1)",
        docs: "key#0 milliseconds:integer [condition(NX | XX | GT | LT)@7.0.0]
            history 7.0.0:    Added options: `NX`, `XX`, `GT` and `LT`.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "expireat", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "generic", handler: expireat,
        summary: "Set the expiration for a key as a UNIX timestamp", since: "1.2.0", complexity: "O(1)",
        docs: "key#0 unix-time-seconds:unix-time [condition(NX | XX | GT | LT)@7.0.0]
            history 7.0.0:    Added options: `NX`, `XX`, `GT` and `LT`.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "pexpireat", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "generic", handler: pexpireat,
        summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds", since: "2.6.0",
        complexity: "O(1)",
        docs: "key#0 unix-time-milliseconds:unix-time
               [condition(NX | XX | GT | LT)@7.0.0]
            history 7.0.0:    Added options: `NX`, `XX`, `GT` and `LT`.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "ttl", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "generic", handler: ttl,
        summary: "Get the time to live for a key in seconds", since: "1.0.0", complexity: "O(1)",
        docs: "key#0
            history 2.8.0:    Added the -2 reply.
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "pttl", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "generic", handler: pttl,
        summary: "Get the time to live for a key in milliseconds", since: "2.6.0", complexity: "O(1)",
        docs: "key#0
            history 2.8.0:    Added the -2 reply.
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "expiretime", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "generic", handler: expiretime,
        summary: "Get the expiration Unix timestamp for a key", since: "7.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "pexpiretime", arity: 2, flags: READONLY | FAST, keys: Keys::one(),
        group: "generic", handler: pexpiretime,
        summary: "Get the expiration Unix timestamp for a key in milliseconds", since: "7.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "persist", arity: 2, flags: WRITE | FAST, keys: Keys::one(), group: "generic", handler: persist,
        summary: "Remove the expiration from a key", since: "2.2.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "keys", arity: 2, flags: READONLY, group: "generic", handler: keys,
        summary: "Find all keys matching the given pattern", since: "1.0.0",
        complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
        docs: "pattern:pattern
            acl:              @keyspace @dangerous
            tips:             request_policy:all_shards nondeterministic_output_order",
    },
    command! {
        name: "scan", arity: -2, flags: READONLY, group: "generic", handler: scan,
        summary: "Incrementally iterate the keys space", since: "2.8.0",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        docs: "cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
               [TYPE type@6.0.0]
            history 6.0.0:    Added the `TYPE` subcommand.
            tips:             nondeterministic_output request_policy:special",
    },
    command! {
        name: "randomkey", arity: 1, flags: READONLY, group: "generic", handler: randomkey,
        summary: "Return a random key from the keyspace", since: "1.0.0", complexity: "O(1)",
        docs: "-
            tips:             request_policy:all_shards nondeterministic_output",
    },
    command! {
        name: "rename", arity: 3, flags: WRITE, keys: range(1, 2), group: "generic", handler: rename,
        summary: "Rename a key", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 newkey#1
            key 0:            RW access delete, index 1, range 0
            key 1:            OW update, index 2, range 0",
    },
    command! {
        name: "renamenx", arity: 3, flags: WRITE | FAST, keys: range(1, 2), group: "generic", handler: renamenx,
        summary: "Rename a key, only if the new key does not exist", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 newkey#1
            history 3.2.0:    The command no longer returns an error when source and destination names are
                              the same.
            key 0:            RW access delete, index 1, range 0
            key 1:            OW insert, index 2, range 0",
    },
    // EXCLUSIVE: the destination may be in another database, whose key is not locked.
    command! {
        name: "copy", arity: -3, flags: WRITE | DENYOOM | EXCLUSIVE, keys: range(1, 2), group: "generic", handler: copy,
        summary: "Copy a key", since: "6.2.0",
        complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
        docs: "source#0 destination#1 [DB destination-db:integer] [REPLACE]
            key 0:            RO access, index 1, range 0
            key 1:            OW update, index 2, range 0",
    },
    command! {
        name: "move", arity: 3, flags: WRITE | FAST | EXCLUSIVE, keys: Keys::one(), group: "generic", handler: move_,
        summary: "Move a key to another database", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 db:integer
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "swapdb", arity: 3, flags: WRITE | FAST | EXCLUSIVE, group: "server", handler: swapdb,
        summary: "Swaps two Redis databases", since: "4.0.0",
        complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        docs: "index1:integer index2:integer
            acl:              @keyspace @dangerous",
    },
    command! {
        name: "object", arity: -2, group: "generic", subcommands: OBJECT_SUBCOMMANDS,
        summary: "A container for object introspection commands", since: "2.2.3", complexity: "Depends on subcommand.",
        docs: "-",
    },
    command! {
        name: "dump", arity: 2, flags: READONLY, keys: Keys::one(), group: "generic", handler: dump_,
        summary: "Return a serialized version of the value stored at the specified key.", since: "2.6.0",
        complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
        docs: "key#0
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "restore", arity: -4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "generic", handler: restore,
        summary: "Create a key using the provided serialized value, previously obtained using DUMP.", since: "2.6.0",
        complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
        docs: "key#0 ttl:integer serialized-value [REPLACE@3.0.0] [ABSTTL@5.0.0]
               [IDLETIME seconds:integer@5.0.0] [FREQ frequency:integer@5.0.0]
            history 3.0.0:    Added the `REPLACE` modifier.
            history 5.0.0:    Added the `ABSTTL` modifier.
            history 5.0.0:    Added the `IDLETIME` and `FREQ` options.
            key 0:            OW update, index 1, range 0
            acl:              @keyspace @dangerous",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix(b"user:*"), b"user:");
        assert_eq!(literal_prefix(b"*"), b"");
        assert_eq!(literal_prefix(b"a?c"), b"a");
        assert_eq!(literal_prefix(b"ab\\*"), b"ab");
        assert_eq!(literal_prefix(b"plain"), b"plain");
    }

    #[test]
    fn cursors_round_trip_and_expire() {
        let c = cursors();
        let id = c.save(Bytes::from_static(b"k1"));
        assert_ne!(id, 0);
        assert_eq!(c.load(id), Some(Bytes::from_static(b"k1")));
        assert_eq!(c.load(id + CURSOR_SLOTS as u64), None);
    }
}
