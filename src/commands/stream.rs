//! Stream commands: parsing and replies. The data logic lives in [`crate::types::stream`]
//! (one record per entry, keyed by ID, plus group, consumer and pending-entry records).
//!
//! Here: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID and the spec list of every
//! stream command. XREAD and XREADGROUP (and their blocking) are in `stream/read.rs`;
//! XGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM in `stream/group.rs`; XINFO in
//! `stream/info.rs`. Argument parsing is in `stream/parse.rs`.

mod group;
mod info;
pub(crate) mod parse;
mod read;

use bytes::Bytes;

use super::args::is;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::STREAM;
use crate::protocol::Reply;
use crate::types::stream::{self, Entry, NewId, StreamId, StreamMut};
use crate::types::Access;

/// An ID as a reply: a bulk string `<ms>-<seq>`.
fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// An entry as a reply: `[id, [field, value, ...]]`.
fn entry_reply((id, fields): Entry) -> Reply {
    Reply::Array(vec![id_reply(id), Reply::Array(fields.into_iter().map(Reply::Bulk).collect())])
}

fn entries_reply(entries: Vec<Entry>) -> Reply {
    Reply::Array(entries.into_iter().map(entry_reply).collect())
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value
/// [field value ...]`: appends an entry, trimming afterwards if asked; answers its ID, or
/// nil with NOMKSTREAM on a missing key. O(1), plus O(removed) when trimming.
/// Errors: `ERR wrong number of arguments for 'xadd' command` (odd field list), `ERR The
/// ID specified in XADD must be greater than 0-0`, `ERR The ID specified in XADD is equal
/// or smaller than the target stream top item`, the trimming option errors (see
/// [`parse::add_or_trim`]); WRONGTYPE.
fn xadd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let node_entries = node_entries(ctx);
    let a = parse::add_or_trim(argv, true, node_entries)?;
    let rest = argv.len().saturating_sub(a.fields);
    if rest < 2 || rest % 2 == 1 {
        return Err(Error::WrongArity("xadd".into()));
    }
    if a.id == NewId::Exact(StreamId::MIN) {
        return Err(Error::StreamIdZero);
    }
    let mut s = if a.nomkstream {
        match StreamMut::open(&mut ctx.txn, &argv[1])? {
            Some(s) => s,
            None => return Ok(Reply::Nil),
        }
    } else {
        StreamMut::open_or_create(&mut ctx.txn, &argv[1])?
    };
    let id = s.add(&mut ctx.txn, a.id, &argv[a.fields..], node_entries)?;
    let trimmed = match a.trim {
        Some(trim) => s.trim(&mut ctx.txn, trim)?,
        None => 0,
    };
    s.finish(&mut ctx.txn)?;
    ctx.notify(STREAM, "xadd", &argv[1]);
    if trimmed > 0 {
        ctx.notify(STREAM, "xtrim", &argv[1]);
    }
    Ok(id_reply(id))
}

/// `stream-node-max-entries`: how many entries Redis would pack in one node.
fn node_entries(ctx: &Ctx<'_>) -> u64 {
    ctx.server.config.read().encoding.stream_node_max_entries
}

/// XRANGE (`rev` false) and XREVRANGE: entries between two bounds, at most COUNT.
fn range_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], rev: bool) -> Result<Reply> {
    let (start, end) = if rev { (&argv[3], &argv[2]) } else { (&argv[2], &argv[3]) };
    let start = parse::range_start(start)?;
    let end = parse::range_end(end)?;
    let mut count = None;
    let mut j = 4;
    while j < argv.len() {
        if is(&argv[j], "count") && j + 1 < argv.len() {
            count = Some(parse::count(&argv[j + 1])?);
            j += 2;
        } else {
            return Err(Error::Syntax);
        }
    }
    let Some(s) = stream::open(&mut ctx.txn, &argv[1], Access::Read)? else { return Ok(Reply::Array(Vec::new())) };
    if count == Some(0) {
        return Ok(Reply::NilArray);
    }
    Ok(entries_reply(s.range(&ctx.txn, start, end, count.unwrap_or(0), rev)?))
}

/// `XRANGE key start end [COUNT count]`: entries with IDs in `[start, end]` (`-`, `+`,
/// `<ms>`, `(` for an exclusive bound), oldest first. O(entries returned): one range
/// scan. A COUNT of 0 or less answers a null array. Errors: `ERR Invalid stream ID ...`,
/// `ERR invalid start ID for the interval`, `ERR invalid end ID for the interval`, `ERR
/// syntax error`, `ERR value is not an integer or out of range`; WRONGTYPE.
fn xrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    range_generic(ctx, argv, false)
}

/// `XREVRANGE key end start [COUNT count]`: XRANGE newest first. O(entries returned).
fn xrevrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    range_generic(ctx, argv, true)
}

/// `XLEN key`: the number of entries, 0 if missing. O(1). WRONGTYPE.
fn xlen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(stream::open(&mut ctx.txn, &argv[1], Access::Read)?.map_or(0, |s| s.len() as i64)))
}

/// `XDEL key id [id ...]`: deletes entries; answers how many existed. The stream stays,
/// even empty. O(1) per ID. Errors: `ERR Invalid stream ID ...` (nothing is deleted);
/// WRONGTYPE.
fn xdel(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(mut s) = StreamMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let ids = argv[2..].iter().map(|a| parse::strict_id(a)).collect::<Result<Vec<_>>>()?;
    let mut deleted = 0;
    for id in ids {
        deleted += s.delete(&mut ctx.txn, id)? as i64;
    }
    if deleted > 0 {
        s.fix_first_id(&ctx.txn)?;
    }
    s.finish(&mut ctx.txn)?;
    if deleted > 0 {
        ctx.notify(STREAM, "xdel", &argv[1]);
    }
    Ok(Reply::Int(deleted))
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`: removes the oldest entries;
/// answers how many. `~` removes whole nodes of 100 entries only, as Redis's default
/// layout does. O(removed). Errors: see [`parse::add_or_trim`]; WRONGTYPE.
fn xtrim(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = parse::add_or_trim(argv, false, node_entries(ctx))?;
    let Some(mut s) = StreamMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let removed = match a.trim {
        Some(trim) => s.trim(&mut ctx.txn, trim)?,
        None => 0,
    };
    s.finish(&mut ctx.txn)?;
    if removed > 0 {
        ctx.notify(STREAM, "xtrim", &argv[1]);
    }
    Ok(Reply::Int(removed as i64))
}

/// `XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]`: sets
/// the stream's last ID and counters. O(1). As in Redis 7.0, the stream's own
/// max-deleted ID is not checked (7.2 refuses a last ID below it). Errors: `ERR no such
/// key`, `ERR The ID specified in XSETID is smaller than ...`, `ERR entries_added must be positive`, `ERR
/// The entries_added specified in XSETID is smaller than the target stream length`, `ERR
/// syntax error`; WRONGTYPE.
fn xsetid(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let id = parse::strict_id(&argv[2])?;
    let (mut entries_added, mut max_deleted) = (None, StreamId::MIN);
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if is(&argv[i], "entriesadded") && more > 0 {
            let n = super::args::int(&argv[i + 1])?;
            if n < 0 {
                return Err(Error::XsetidEntriesAddedNegative);
            }
            entries_added = Some(n as u64);
        } else if is(&argv[i], "maxdeletedid") && more > 0 {
            max_deleted = parse::strict_id(&argv[i + 1])?;
            if id < max_deleted {
                return Err(Error::XsetidBelowGivenMaxDeleted);
            }
        } else {
            return Err(Error::Syntax);
        }
        i += 2;
    }
    let Some(mut s) = StreamMut::open(&mut ctx.txn, &argv[1])? else { return Err(Error::NoSuchKey) };
    if !s.is_empty() {
        if id < s.stored().last_entry_id(&ctx.txn)? {
            return Err(Error::XsetidBelowTop);
        }
        if entries_added.is_some_and(|n| s.len() > n) {
            return Err(Error::XsetidEntriesAddedSmall);
        }
    }
    s.info.last_id = id;
    if let Some(n) = entries_added {
        s.info.entries_added = n;
    }
    if !max_deleted.is_zero() {
        s.info.max_deleted = max_deleted;
    }
    s.touch();
    s.finish(&mut ctx.txn)?;
    ctx.notify(STREAM, "xsetid", &argv[1]);
    Ok(Reply::ok())
}

/// XREAD's keys: the first half of the arguments after STREAMS.
fn xread_keys(argv: &[Bytes]) -> Vec<usize> {
    parse::stream_keys(argv, 1)
}

/// XREADGROUP's keys: as XREAD's, STREAMS searched for after `GROUP group consumer`.
fn xreadgroup_keys(argv: &[Bytes]) -> Vec<usize> {
    parse::stream_keys(argv, 4)
}

static XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "consumers", arity: 4, flags: READONLY, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: info::consumers,
        summary: "List the consumers in a consumer group", since: "5.0.0", complexity: "O(1)",
        docs: "key#0 groupname
            key 0:            RO access, index 2, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "groups", arity: 3, flags: READONLY, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: info::groups,
        summary: "List the consumer groups of a stream", since: "5.0.0", complexity: "O(1)",
        docs: "key#0
            history 7.0.0:    Added the `entries-read` and `lag` fields
            key 0:            RO access, index 2, range 0",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "stream", handler: info::help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "stream", arity: -3, flags: READONLY, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: info::stream,
        summary: "Get information about a stream", since: "5.0.0", complexity: "O(1)",
        docs: "key#0 [FULL full([COUNT count:integer])]
            history 6.0.0:    Added the `FULL` modifier.
            history 7.0.0:    Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`,
                              `entries-read` and `lag` fields
            key 0:            RO access, index 2, range 0",
    },
];

static XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "create", arity: -5, flags: WRITE | DENYOOM, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: group::create,
        summary: "Create a consumer group.", since: "5.0.0", complexity: "O(1)",
        docs: "key#0 groupname id(id | new_id='$') [MKSTREAM] [ENTRIESREAD entries_read:integer]
            history 7.0.0:    Added the `entries_read` named argument.
            key 0:            RW insert, index 2, range 0",
    },
    command! {
        name: "createconsumer", arity: 5, flags: WRITE | DENYOOM, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: group::createconsumer,
        summary: "Create a consumer in a consumer group.", since: "6.2.0", complexity: "O(1)",
        docs: "key#0 groupname consumername
            key 0:            RW insert, index 2, range 0",
    },
    command! {
        name: "delconsumer", arity: 5, flags: WRITE, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: group::delconsumer,
        summary: "Delete a consumer from a consumer group.", since: "5.0.0", complexity: "O(1)",
        docs: "key#0 groupname consumername
            key 0:            RW delete, index 2, range 0",
    },
    command! {
        name: "destroy", arity: 4, flags: WRITE, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: group::destroy,
        summary: "Destroy a consumer group.", since: "5.0.0",
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        docs: "key#0 groupname
            key 0:            RW delete, index 2, range 0",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "stream", handler: group::help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "setid", arity: -5, flags: WRITE, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "stream", handler: group::setid,
        summary: "Set a consumer group to an arbitrary last delivered ID value.", since: "5.0.0", complexity: "O(1)",
        docs: "key#0 groupname id(id | new_id='$') [ENTRIESREAD entries_read:integer]
            history 7.0.0:    Added the optional `entries_read` argument.
            key 0:            RW update, index 2, range 0",
    },
];

pub(crate) static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "xadd", arity: -5, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "stream", handler: xadd,
        summary: "Appends a new entry to a stream", since: "5.0.0",
        complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
        docs: "key#0 [NOMKSTREAM@6.2.0]
              [trim(strategy(MAXLEN | MINID@6.2.0) [operator(equal='=' | approximately='~')] threshold
                    [LIMIT count:integer@6.2.0])]
              id_or_auto(auto_id='*' | id) field_value(field value)...
            history 6.2.0:    Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option.
            history 7.0.0:    Added support for the `<ms>-*` explicit ID form.
            key 0:            RW update, index 1, range 0,
                              \"UPDATE instead of INSERT because of the optional trimming feature\"
            tips:             nondeterministic_output",
    },
    command! {
        name: "xrange", arity: -4, flags: READONLY, keys: Keys::one(), group: "stream", handler: xrange,
        summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval", since: "5.0.0",
        complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        docs: "key#0 start end [COUNT count:integer]
            history 6.2.0:    Added exclusive ranges.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "xrevrange", arity: -4, flags: READONLY, keys: Keys::one(), group: "stream", handler: xrevrange,
        summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", since: "5.0.0",
        complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        docs: "key#0 end start [COUNT count:integer]
            history 6.2.0:    Added exclusive ranges.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "xlen", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "stream", handler: xlen,
        summary: "Return the number of entries in a stream", since: "5.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "xdel", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "stream", handler: xdel,
        summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", since: "5.0.0",
        complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
        docs: "key#0 id...
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "xtrim", arity: -4, flags: WRITE, keys: Keys::one(), group: "stream", handler: xtrim,
        summary: "Trims the stream to (approximately if '~' is passed) a certain size", since: "5.0.0",
        complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        docs: "key#0 trim(strategy(MAXLEN | MINID@6.2.0) [operator(equal='=' | approximately='~')] threshold
                    [LIMIT count:integer@6.2.0])
            history 6.2.0:    Added the `MINID` trimming strategy and the `LIMIT` option.
            key 0:            RW delete, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "xsetid", arity: -3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "stream", handler: xsetid,
        summary: "An internal command for replicating stream values", since: "5.0.0", complexity: "O(1)",
        docs: "key#0 last-id [ENTRIESADDED entries_added:integer@7.0.0] [MAXDELETEDID max_deleted_entry_id@7.0.0]
            history 7.0.0:    Added the `entries_added` and `max_deleted_entry_id` arguments.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "xread", arity: -4, flags: READONLY | BLOCKING | MOVABLE_KEYS,
        keys: Keys::Custom { find: xread_keys, first: 0, last: 0, step: 0 }, group: "stream", handler: read::xread,
        summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", since: "5.0.0",
        complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        docs: "[COUNT count:integer] [BLOCK milliseconds:integer] STREAMS streams(key#0... id...)
            key 0:            RO access, keyword STREAMS from 1, range -1 limit 2",
    },
    command! {
        name: "xreadgroup", arity: -7, flags: WRITE | BLOCKING | MOVABLE_KEYS,
        keys: Keys::Custom { find: xreadgroup_keys, first: 0, last: 0, step: 0 }, group: "stream", handler: read::xreadgroup,
        summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", since: "5.0.0",
        complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        docs: "GROUP group_consumer(group consumer) [COUNT count:integer] [BLOCK milliseconds:integer] [NOACK]
              STREAMS streams(key#0... id...)
            key 0:            RO access, keyword STREAMS from 4, range -1 limit 2",
    },
    command! {
        name: "xack", arity: -4, flags: WRITE | FAST, keys: Keys::one(), group: "stream", handler: group::xack,
        summary: "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", since: "5.0.0",
        complexity: "O(1) for each message ID processed.",
        docs: "key#0 group id...
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "xpending", arity: -3, flags: READONLY, keys: Keys::one(), group: "stream", handler: group::xpending,
        summary: "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", since: "5.0.0",
        complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        docs: "key#0 group [filters([IDLE min-idle-time:integer@6.2.0] start end count:integer [consumer])]
            history 6.2.0:    Added the `IDLE` option and exclusive range intervals.
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "xclaim", arity: -6, flags: WRITE | FAST, keys: Keys::one(), group: "stream", handler: group::xclaim,
        summary: "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", since: "5.0.0",
        complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
        docs: "key#0 group consumer min-idle-time id... [IDLE ms:integer] [TIME unix-time-milliseconds:unix-time]
              [RETRYCOUNT count:integer] [FORCE] [JUSTID] [LASTID id]
            key 0:            RW update, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "xautoclaim", arity: -6, flags: WRITE | FAST, keys: Keys::one(), group: "stream", handler: group::xautoclaim,
        summary: "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", since: "6.2.0",
        complexity: "O(1) if COUNT is small.",
        docs: "key#0 group consumer min-idle-time start [COUNT count:integer] [JUSTID]
            history 7.0.0:    Added an element to the reply array, containing deleted entries the command cleared from the PEL
            key 0:            RW delete, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "xinfo", arity: -2, group: "stream", subcommands: XINFO_SUBCOMMANDS,
        summary: "A container for stream introspection commands", since: "5.0.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
    command! {
        name: "xgroup", arity: -2, group: "stream", subcommands: XGROUP_SUBCOMMANDS,
        summary: "A container for consumer groups commands", since: "5.0.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
];
