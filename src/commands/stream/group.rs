//! Consumer groups: XGROUP's subcommands, XACK, XPENDING, XCLAIM and XAUTOCLAIM (their
//! specs are in `commands/stream.rs`). The pending entries lists and consumers live in
//! the stream's records (see `types::stream`).

use bytes::Bytes;

use super::parse;
use super::{entry_reply, id_reply, Ctx, Error, Reply, Result};
use crate::commands::args::{self, is};
use crate::commands::connection::help_reply;
use crate::types::stream::{self, Nack, StreamId, StreamMut, INVALID_ENTRIES_READ};
use crate::notify::STREAM;
use crate::types::Access;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn subcommand_syntax(argv: &[Bytes]) -> Error {
    Error::SubcommandSyntax { sub: lossy(&argv[1]), container: "XGROUP".into() }
}

/// XGROUP CREATE's and SETID's options from argument 5: MKSTREAM (CREATE only) and
/// ENTRIESREAD. Answers `(mkstream, entries_read)`.
fn group_options(argv: &[Bytes], create: bool) -> Result<(bool, i64)> {
    let (mut mkstream, mut entries_read) = (false, INVALID_ENTRIES_READ);
    let mut i = 5;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if create && is(&argv[i], "mkstream") {
            mkstream = true;
            i += 1;
        } else if is(&argv[i], "entriesread") && more > 0 {
            entries_read = args::int(&argv[i + 1])?;
            if entries_read < 0 && entries_read != INVALID_ENTRIES_READ {
                return Err(Error::EntriesReadInvalid);
            }
            i += 2;
        } else {
            return Err(subcommand_syntax(argv));
        }
    }
    Ok((mkstream, entries_read))
}

/// The stream of an XGROUP subcommand; `ERR The XGROUP subcommand requires the key to
/// exist ...` if missing (unless `may_miss`); WRONGTYPE.
fn xgroup_stream<'a>(ctx: &mut Ctx<'_>, key: &'a [u8], may_miss: bool) -> Result<Option<StreamMut<'a>>> {
    let s = StreamMut::open(&mut ctx.txn, key)?;
    if s.is_none() && !may_miss {
        return Err(Error::XgroupNoKey);
    }
    Ok(s)
}

/// The stream of an XGROUP subcommand that needs the group to exist: `NOGROUP No such
/// consumer group '<group>' for key name '<key>'` otherwise.
fn with_group<'a>(ctx: &mut Ctx<'_>, argv: &'a [Bytes]) -> Result<StreamMut<'a>> {
    let mut s = xgroup_stream(ctx, &argv[2], false)?.expect("checked");
    if s.group(&ctx.txn, &argv[3])?.is_none() {
        return Err(Error::NoGroupForKey { key: lossy(&argv[2]), group: lossy(&argv[3]) });
    }
    Ok(s)
}

/// `XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]`: creates a
/// group whose last delivered ID is `id` (`$`: the stream's last ID). O(1).
/// Errors: `BUSYGROUP Consumer Group name already exists`, `ERR The XGROUP subcommand
/// requires the key to exist ...`, `ERR value for ENTRIESREAD must be positive or -1`,
/// `ERR Invalid stream ID ...`; WRONGTYPE.
pub(super) fn create(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (mkstream, entries_read) = group_options(argv, true)?;
    let s = xgroup_stream(ctx, &argv[2], mkstream)?;
    if argv.len() > 8 {
        return Err(subcommand_syntax(argv));
    }
    let id = if &argv[4][..] == b"$" {
        s.as_ref().map_or(StreamId::MIN, |s| s.info.last_id)
    } else {
        parse::strict_id(&argv[4])?
    };
    let mut s = match s {
        Some(s) => s,
        None => StreamMut::open_or_create(&mut ctx.txn, &argv[2])?,
    };
    if !s.create_group(&ctx.txn, &argv[3], id, entries_read)? {
        return Err(Error::BusyGroup);
    }
    s.finish(&mut ctx.txn)?;
    ctx.notify(STREAM, "xgroup-create", &argv[2]);
    Ok(Reply::ok())
}

/// `XGROUP SETID key group id|$ [ENTRIESREAD entries-read]`: sets the group's last
/// delivered ID and read counter (unknown unless given). O(1). Errors: NOGROUP, as
/// CREATE's.
pub(super) fn setid(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (_, entries_read) = group_options(argv, false)?;
    let mut s = with_group(ctx, argv)?;
    if argv.len() != 5 && argv.len() != 7 {
        return Err(subcommand_syntax(argv));
    }
    let id = if &argv[4][..] == b"$" { s.info.last_id } else { parse::id(&argv[4], 0)? };
    let mut g = s.group(&ctx.txn, &argv[3])?.expect("checked");
    g.last_id = id;
    g.entries_read = entries_read;
    s.put_group(&argv[3], g);
    s.finish(&mut ctx.txn)?;
    ctx.notify(STREAM, "xgroup-setid", &argv[2]);
    Ok(Reply::ok())
}

/// `XGROUP DESTROY key group`: 1 if the group existed, with its consumers and pending
/// entries, else 0. Clients blocked on it get `NOGROUP`. O(1): range tombstones.
pub(super) fn destroy(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut s = xgroup_stream(ctx, &argv[2], false)?.expect("checked");
    let gone = s.destroy_group(&mut ctx.txn, &argv[3])?;
    s.finish(&mut ctx.txn)?;
    if gone {
        ctx.notify(STREAM, "xgroup-destroy", &argv[2]);
        // Wake the clients blocked on the key (they re-run once this command, which
        // holds the key's lock, has committed) without touching it for WATCH, as Redis
        // signals the key ready but not modified.
        ctx.server.blocked.wake(&[(ctx.txn.db, argv[2].clone())]);
    }
    Ok(Reply::Int(gone as i64))
}

/// `XGROUP CREATECONSUMER key group consumer`: 1 if created, 0 if it existed. O(1).
pub(super) fn createconsumer(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut s = with_group(ctx, argv)?;
    let created = s.create_consumer(&ctx.txn, &argv[3], &argv[4])?;
    s.finish(&mut ctx.txn)?;
    if created {
        ctx.notify(STREAM, "xgroup-createconsumer", &argv[2]);
    }
    Ok(Reply::Int(created as i64))
}

/// `XGROUP DELCONSUMER key group consumer`: deletes a consumer and its pending entries;
/// answers how many it had (0 if it did not exist). O(its pending entries).
pub(super) fn delconsumer(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut s = with_group(ctx, argv)?;
    let pending = s.delete_consumer(&mut ctx.txn, &argv[3], &argv[4])?;
    s.finish(&mut ctx.txn)?;
    if pending.is_some() {
        ctx.notify(STREAM, "xgroup-delconsumer", &argv[2]);
    }
    Ok(Reply::Int(pending.unwrap_or(0) as i64))
}

/// `XGROUP HELP`.
pub(super) fn help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "XGROUP",
        &[
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
        ],
    ))
}

/// The stream and group of XACK, XCLAIM, XAUTOCLAIM, XPENDING; `None` if either is
/// missing. WRONGTYPE.
fn group_of<'a>(ctx: &mut Ctx<'_>, key: &'a [u8], group: &[u8]) -> Result<Option<StreamMut<'a>>> {
    if stream::open(&mut ctx.txn, key, Access::Read)?.is_none() {
        return Ok(None);
    }
    let mut s = StreamMut::open(&mut ctx.txn, key)?.expect("exists");
    Ok(s.group(&ctx.txn, group)?.is_some().then_some(s))
}

/// `XACK key group id [id ...]`: removes entries from the group's pending entries list;
/// answers how many were pending. O(1) per ID. Errors: `ERR Invalid stream ID ...`
/// (nothing is acknowledged); WRONGTYPE.
pub(super) fn xack(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(mut s) = group_of(ctx, &argv[1], &argv[2])? else { return Ok(Reply::Int(0)) };
    let ids = argv[3..].iter().map(|a| parse::strict_id(a)).collect::<Result<Vec<_>>>()?;
    let mut acked = 0;
    for id in ids {
        acked += s.remove_nack(&mut ctx.txn, &argv[2], id)? as i64;
    }
    s.finish(&mut ctx.txn)?;
    Ok(Reply::Int(acked))
}

/// `XPENDING key group [[IDLE min-idle-time] start end count [consumer]]`: without a
/// range, the summary `[count, first id, last id, [[consumer, count], ...]]`; with one,
/// up to `count` pending entries `[id, consumer, idle ms, deliveries]` in the range
/// (of one consumer, if given), idle at least IDLE ms. O(entries returned), O(entries
/// scanned) with IDLE. Errors: `NOGROUP No such key '<key>' or consumer group
/// '<group>'`, `ERR syntax error`, the ID and interval errors; WRONGTYPE.
pub(super) fn xpending(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let argc = argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(Error::Syntax);
    }
    let mut range = None;
    if argc >= 6 {
        let (mut at, mut min_idle) = (3, 0i64);
        if is(&argv[3], "idle") {
            min_idle = args::int(&argv[4])?;
            if argc < 8 {
                return Err(Error::Syntax);
            }
            at += 2;
        }
        let count = parse::count(&argv[at + 2])?;
        let start = parse::range_start(&argv[at])?;
        let end = parse::range_end(&argv[at + 1])?;
        let consumer = argv.get(at + 3).cloned();
        range = Some((min_idle, start, end, count, consumer));
    }
    let (key, group) = (&argv[1], &argv[2]);
    let Some(s) = group_of(ctx, key, group)? else {
        return Err(Error::NoGroupOrKey { key: lossy(key), group: lossy(group) });
    };
    let s = s.stored();
    let txn = &ctx.txn;
    let Some((min_idle, start, end, count, consumer)) = range else {
        let g = s.group(txn, group)?.expect("checked");
        let Some((first, last)) = s.pending_edges(txn, group)? else {
            return Ok(Reply::Array(vec![Reply::Int(0), Reply::Nil, Reply::Nil, Reply::NilArray]));
        };
        let consumers = s
            .consumers(txn, group)?
            .into_iter()
            .filter(|(_, c)| c.pending > 0)
            .map(|(name, c)| Reply::Array(vec![Reply::Bulk(name), Reply::Bulk(Bytes::from(c.pending.to_string()))]))
            .collect();
        return Ok(Reply::Array(vec![Reply::Int(g.pending as i64), id_reply(first), id_reply(last), Reply::Array(consumers)]));
    };
    let now = txn.now;
    let row = |id: StreamId, nack: &Nack| {
        Reply::Array(vec![
            id_reply(id),
            Reply::Bulk(nack.consumer.clone()),
            Reply::Int((now - nack.delivered).max(0)),
            Reply::Int(nack.deliveries as i64),
        ])
    };
    let idle_enough = |nack: &Nack| min_idle == 0 || now - nack.delivered >= min_idle;
    let mut out = Vec::new();
    if count == 0 {
        return Ok(Reply::Array(out));
    }
    match consumer {
        Some(name) => {
            if s.consumer(txn, group, &name)?.is_none() {
                return Ok(Reply::Array(out));
            }
            // The consumer's own list, in pages, each entry looked up in the group's.
            let mut from = start;
            'pages: loop {
                let page = s.consumer_pending(txn, group, &name, from, end, 256)?;
                for &id in &page {
                    if let Some(nack) = s.nack(txn, group, id)? {
                        if idle_enough(&nack) {
                            out.push(row(id, &nack));
                            if out.len() as u64 >= count {
                                break 'pages;
                            }
                        }
                    }
                }
                match page.last().and_then(|id| id.incr()) {
                    Some(next) if page.len() == 256 => from = next,
                    _ => break,
                }
            }
        }
        None => s.each_pending(txn, group, start, end, &mut |id, nack| {
            if idle_enough(&nack) {
                out.push(row(id, &nack));
            }
            (out.len() as u64) < count
        })?,
    }
    Ok(Reply::Array(out))
}

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]`: gives pending entries idle at least
/// min-idle-time to `consumer`; answers the entries claimed (their IDs with JUSTID).
/// FORCE creates pending entries for entries that are not pending; a pending entry whose
/// entry was deleted is dropped from the list. O(1) per ID. Errors: `NOGROUP No such
/// key '<key>' or consumer group '<group>'`, `ERR Invalid min-idle-time argument for
/// XCLAIM`, `ERR Invalid <IDLE|TIME|RETRYCOUNT> option argument for XCLAIM`, `ERR
/// Unrecognized XCLAIM option '<opt>'`; WRONGTYPE.
pub(super) fn xclaim(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (key, group, name) = (&argv[1], &argv[2], &argv[3]);
    let Some(mut s) = group_of(ctx, key, group)? else {
        return Err(Error::NoGroupOrKey { key: lossy(key), group: lossy(group) });
    };
    let min_idle = args::int(&argv[4])
        .map_err(|_| Error::StreamArgument("Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argv.len() {
        match parse::strict_id(&argv[j]) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let now = ctx.txn.now;
    let (mut retrycount, mut delivery, mut force, mut justid, mut last_id) = (-1i64, -1i64, false, false, StreamId::MIN);
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        let int = |raw: &[u8], what: &'static str| args::int(raw).map_err(|_| Error::StreamArgument(what));
        if is(opt, "force") {
            force = true;
        } else if is(opt, "justid") {
            justid = true;
        } else if is(opt, "idle") && more > 0 {
            j += 1;
            delivery = now.saturating_sub(int(&argv[j], "Invalid IDLE option argument for XCLAIM")?);
        } else if is(opt, "time") && more > 0 {
            j += 1;
            delivery = int(&argv[j], "Invalid TIME option argument for XCLAIM")?;
        } else if is(opt, "retrycount") && more > 0 {
            j += 1;
            retrycount = int(&argv[j], "Invalid RETRYCOUNT option argument for XCLAIM")?;
        } else if is(opt, "lastid") && more > 0 {
            j += 1;
            last_id = parse::strict_id(&argv[j])?;
        } else {
            return Err(Error::XclaimOption(lossy(opt)));
        }
        j += 1;
    }
    let txn = &mut ctx.txn;
    let mut g = s.group(txn, group)?.expect("checked");
    if last_id > g.last_id {
        g.last_id = last_id;
        s.put_group(group, g);
    }
    if delivery < 0 || delivery > now {
        delivery = now;
    }
    let stored = s.stored();
    let mut out = Vec::new();
    for id in ids {
        let nack = s.nack(txn, group, id)?;
        if !s.entry_exists(txn, id)? {
            if nack.is_some() {
                s.remove_nack(txn, group, id)?;
            }
            continue;
        }
        let (mut nack, created) = match nack {
            Some(n) => (n, false),
            None if force => (Nack { delivered: now, deliveries: 1, consumer: name.clone() }, true),
            None => continue,
        };
        if !created && min_idle > 0 && now - nack.delivered < min_idle {
            continue;
        }
        if s.see_consumer(txn, group, name, true)? {
            txn.notify(STREAM, "xgroup-createconsumer", key);
        }
        nack.delivered = delivery;
        if retrycount >= 0 {
            nack.deliveries = retrycount as u64;
        } else if !justid {
            nack.deliveries += 1;
        }
        nack.consumer = name.clone();
        s.put_nack(txn, group, id, nack)?;
        if justid {
            out.push(id_reply(id));
        } else {
            out.push(match stored.entry(txn, id)? {
                Some(fields) => entry_reply((id, fields)),
                None => Reply::Nil,
            });
        }
    }
    s.finish(&mut ctx.txn)?;
    Ok(Reply::Array(out))
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]`: XCLAIM of
/// the pending entries from `start` on that are idle at least min-idle-time, at most
/// COUNT (100), looking at no more than 10 × COUNT of them. Answers `[next start (0-0
/// when the list was walked to its end), claimed entries (or IDs), IDs of deleted
/// entries dropped from the list]`. O(COUNT). Errors: `NOGROUP ...`, `ERR Invalid
/// min-idle-time argument for XAUTOCLAIM`, `ERR COUNT must be > 0`, `ERR syntax error`,
/// the interval errors; WRONGTYPE.
pub(super) fn xautoclaim(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (key, group, name) = (&argv[1], &argv[2], &argv[3]);
    let min_idle = args::int(&argv[4])
        .map_err(|_| Error::StreamArgument("Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let start = parse::range_start(&argv[5])?;
    let (mut count, mut justid) = (100i64, false);
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if is(&argv[j], "count") && more > 0 {
            count = args::int(&argv[j + 1])
                .ok()
                .filter(|n| (1..=i64::MAX / 16).contains(n))
                .ok_or(Error::StreamArgument("COUNT must be > 0"))?;
            j += 1;
        } else if is(&argv[j], "justid") {
            justid = true;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let Some(mut s) = group_of(ctx, key, group)? else {
        return Err(Error::NoGroupOrKey { key: lossy(key), group: lossy(group) });
    };
    let txn = &mut ctx.txn;
    let now = txn.now;
    let stored = s.stored();
    let mut attempts = (count as u64).saturating_mul(10);
    // The entries this call may look at, and the one after them (the next cursor).
    let mut pel: Vec<(StreamId, Nack)> = Vec::new();
    stored.each_pending(txn, group, start, StreamId::MAX, &mut |id, nack| {
        pel.push((id, nack));
        (pel.len() as u64) <= attempts
    })?;
    let (mut claimed, mut deleted, mut next) = (Vec::new(), Vec::new(), 0usize);
    let mut left = count as u64;
    while attempts > 0 && left > 0 && next < pel.len() {
        attempts -= 1;
        let (id, mut nack) = pel[next].clone();
        next += 1;
        if !s.entry_exists(txn, id)? {
            s.remove_nack(txn, group, id)?;
            deleted.push(id_reply(id));
            left -= 1;
            continue;
        }
        if min_idle > 0 && now - nack.delivered < min_idle {
            continue;
        }
        if s.see_consumer(txn, group, name, true)? {
            txn.notify(STREAM, "xgroup-createconsumer", key);
        }
        nack.delivered = now;
        if !justid {
            nack.deliveries += 1;
        }
        nack.consumer = name.clone();
        s.put_nack(txn, group, id, nack)?;
        claimed.push(if justid {
            id_reply(id)
        } else {
            match stored.entry(txn, id)? {
                Some(fields) => entry_reply((id, fields)),
                None => Reply::Nil,
            }
        });
        left -= 1;
    }
    let cursor = pel.get(next).map_or(StreamId::MIN, |(id, _)| *id);
    s.finish(&mut ctx.txn)?;
    Ok(Reply::Array(vec![id_reply(cursor), Reply::Array(claimed), Reply::Array(deleted)]))
}
