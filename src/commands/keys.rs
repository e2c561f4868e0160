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
//! OBJECT ENCODING's answer ([`encoding`](crate::types::encoding)) and RANDOMKEY's pick
//! ([`sample::random_key`](crate::types::sample::random_key)).
//!
//! Commands that write a key in a database other than the client's (MOVE, COPY ... DB)
//! run with the database gate held exclusively: the key locks taken by dispatch cover
//! only the client's database.
//!
//! Here: existence, type, deletion, renaming and copying, and every keyspace spec at the
//! end. Expiry is in `keys/expire.rs`, KEYS/SCAN/RANDOMKEY in `keys/scan.rs`, OBJECT,
//! DUMP and RESTORE in `keys/object.rs`, option parsing in `keys/parse.rs`.

mod expire;
mod object;
mod parse;
mod scan;

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::GENERIC;
use crate::protocol::Reply;
use parse::{db_index, CopyArgs};
use expire::{expire, expireat, expiretime, persist, pexpire, pexpireat, pexpiretime, pttl, ttl};
use scan::{keys, randomkey, scan};
use object::{dump_, object_encoding, object_freq, object_help, object_idletime, object_refcount, restore};

// ----- existence, type, deletion -----

/// `DEL key [key ...]`: how many of the keys existed. O(1) per key, whatever its size:
/// a collection's elements become unreachable with its metadata.
fn del(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut n = 0;
    for key in &argv[1..] {
        if ctx.txn.delete(key)? {
            ctx.notify(GENERIC, "del", key);
            n += 1;
        }
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
        n += ctx.txn.get_read(key)?.is_some() as i64;
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
    Ok(Reply::status(ctx.txn.get_read(&argv[1])?.map(|m| m.kind.type_name()).unwrap_or("none")))
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
    // Redis deletes an existing destination and adds the key anew: always `new`.
    ctx.txn.notify_new(ctx.txn.db, dst);
    ctx.notify(GENERIC, "rename_from", src);
    ctx.notify(GENERIC, "rename_to", dst);
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
    let Some(mut meta) = ctx.txn.get_read(src)? else { return Ok(Reply::Int(0)) };
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
    ctx.txn.notify_new(dst_db, dst);
    ctx.txn.notify_at(GENERIC, "copy_to", dst_db, dst);
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
    ctx.txn.notify_new(dst_db, key);
    ctx.notify(GENERIC, "move_from", key);
    ctx.txn.notify_at(GENERIC, "move_to", dst_db, key);
    Ok(Reply::Int(1))
}

/// `SWAPDB index1 index2`: swaps two databases for every client at once. O(1): only the
/// logical-to-physical map changes. Transactions watching keys in either database fail,
/// and clients blocked in either re-check their keys. Errors: `ERR invalid first DB
/// index`, `ERR invalid second DB index`, `ERR DB index is out of range`.
fn swapdb(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = args::parse_i64_strict(&argv[1]).ok_or_else(|| Error::InvalidFirstDb)?;
    let b = args::parse_i64_strict(&argv[2]).ok_or_else(|| Error::InvalidSecondDb)?;
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
