//! XINFO's subcommands (their specs are in `commands/stream.rs`): STREAM (and FULL),
//! GROUPS, CONSUMERS, HELP, with Redis 7.0's fields in its order.
//!
//! `radix-tree-keys` and `radix-tree-nodes` describe Redis's in-memory layout, which
//! DiskDB does not have; they are answered as Redis would for entries packed 100 to a
//! node (see `types::stream::NODE_ENTRIES`).

use bytes::Bytes;

use super::{entries_reply, entry_reply, id_reply, Ctx, Error, Reply, Result};
use crate::commands::args::{self, is};
use crate::commands::connection::help_reply;
use crate::types::stream::{self, Group, Stream, StreamId, NODE_ENTRIES};
use crate::types::{Access, Txn};

fn field(name: &'static str) -> Reply {
    Reply::Bulk(Bytes::from_static(name.as_bytes()))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The stream at `argv[2]`: `ERR no such key` if missing; WRONGTYPE.
fn stream_at(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Stream> {
    stream::open(&mut ctx.txn, &argv[2], Access::Read)?.ok_or(Error::NoSuchKey)
}

fn opt_int(v: Option<i64>) -> Reply {
    v.map_or(Reply::Nil, Reply::Int)
}

fn entries_read(g: &Group) -> Reply {
    opt_int((g.entries_read != stream::INVALID_ENTRIES_READ).then_some(g.entries_read))
}

/// `XINFO STREAM key [FULL [COUNT count]]`: the stream's counters, first and last
/// entries, number of groups; with FULL, its entries (COUNT, default 10, 0: all) and
/// every group with its pending entries and consumers. O(1); FULL O(COUNT) per list.
/// Errors: `ERR no such key`, `ERR unknown subcommand or wrong number of arguments
/// ...`, `ERR value is not an integer or out of range`; WRONGTYPE.
pub(super) fn stream(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let s = stream_at(ctx, argv)?;
    let syntax = || Error::SubcommandSyntax { sub: lossy(&argv[1]), container: "XINFO".into() };
    let mut full = None;
    match argv.len() {
        3 => {}
        4 | 6 if is(&argv[3], "full") => {
            let mut count = 10;
            if argv.len() == 6 {
                if !is(&argv[4], "count") {
                    return Err(syntax());
                }
                count = args::int(&argv[5])?;
                if count < 0 {
                    count = 10;
                }
            }
            full = Some(count as u64);
        }
        _ => return Err(syntax()),
    }
    let txn = &ctx.txn;
    let i = s.info;
    let nodes = s.len().div_ceil(NODE_ENTRIES);
    let mut out = vec![
        (field("length"), Reply::Int(s.len() as i64)),
        (field("radix-tree-keys"), Reply::Int(nodes as i64)),
        (field("radix-tree-nodes"), Reply::Int(match nodes { 0 => 1, 1 => 2, n => 2 * n as i64 + 2 })),
        (field("last-generated-id"), id_reply(i.last_id)),
        (field("max-deleted-entry-id"), id_reply(i.max_deleted)),
        (field("entries-added"), Reply::Int(i.entries_added as i64)),
        (field("recorded-first-entry-id"), id_reply(i.first_id)),
    ];
    let Some(count) = full else {
        out.push((field("groups"), Reply::Int(s.groups(txn)?.len() as i64)));
        let edge = |rev| -> Result<Reply> {
            let e = s.range(txn, StreamId::MIN, StreamId::MAX, 1, rev)?;
            Ok(e.into_iter().next().map_or(Reply::Nil, entry_reply))
        };
        out.push((field("first-entry"), edge(false)?));
        out.push((field("last-entry"), edge(true)?));
        return Ok(Reply::Map(out));
    };
    out.push((field("entries"), entries_reply(s.range(txn, StreamId::MIN, StreamId::MAX, count, false)?)));
    let mut groups = Vec::new();
    for (name, g) in s.groups(txn)? {
        groups.push(full_group(txn, &s, name, &g, count)?);
    }
    out.push((field("groups"), Reply::Array(groups)));
    Ok(Reply::Map(out))
}

/// One group of XINFO STREAM FULL.
fn full_group(txn: &Txn<'_>, s: &Stream, name: Bytes, g: &Group, count: u64) -> Result<Reply> {
    let mut pending = Vec::new();
    s.each_pending(txn, &name, StreamId::MIN, StreamId::MAX, &mut |id, nack| {
        pending.push(Reply::Array(vec![
            id_reply(id),
            Reply::Bulk(nack.consumer),
            Reply::Int(nack.delivered),
            Reply::Int(nack.deliveries as i64),
        ]));
        count == 0 || (pending.len() as u64) < count
    })?;
    let mut consumers = Vec::new();
    for (cname, c) in s.consumers(txn, &name)? {
        let mut own = Vec::new();
        for id in s.consumer_pending(txn, &name, &cname, StreamId::MIN, StreamId::MAX, count)? {
            if let Some(nack) = s.nack(txn, &name, id)? {
                own.push(Reply::Array(vec![id_reply(id), Reply::Int(nack.delivered), Reply::Int(nack.deliveries as i64)]));
            }
        }
        consumers.push(Reply::Map(vec![
            (field("name"), Reply::Bulk(cname)),
            (field("seen-time"), Reply::Int(c.seen)),
            (field("pel-count"), Reply::Int(c.pending as i64)),
            (field("pending"), Reply::Array(own)),
        ]));
    }
    Ok(Reply::Map(vec![
        (field("name"), Reply::Bulk(name)),
        (field("last-delivered-id"), id_reply(g.last_id)),
        (field("entries-read"), entries_read(g)),
        (field("lag"), opt_int(s.lag(g))),
        (field("pel-count"), Reply::Int(g.pending as i64)),
        (field("pending"), Reply::Array(pending)),
        (field("consumers"), Reply::Array(consumers)),
    ]))
}

/// `XINFO GROUPS key`: per group, its name, consumers, pending count, last delivered
/// ID, entries read and lag (nil where unknown). O(groups). Errors: `ERR no such key`;
/// WRONGTYPE.
pub(super) fn groups(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let s = stream_at(ctx, argv)?;
    let out = s
        .groups(&ctx.txn)?
        .into_iter()
        .map(|(name, g)| {
            Reply::Map(vec![
                (field("name"), Reply::Bulk(name)),
                (field("consumers"), Reply::Int(g.consumers as i64)),
                (field("pending"), Reply::Int(g.pending as i64)),
                (field("last-delivered-id"), id_reply(g.last_id)),
                (field("entries-read"), entries_read(&g)),
                (field("lag"), opt_int(s.lag(&g))),
            ])
        })
        .collect();
    Ok(Reply::Array(out))
}

/// `XINFO CONSUMERS key group`: per consumer, its name, pending count and idle time
/// (ms since last seen). O(consumers). Errors: `ERR no such key`, `NOGROUP No such
/// consumer group '<group>' for key name '<key>'`; WRONGTYPE.
pub(super) fn consumers(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let s = stream_at(ctx, argv)?;
    if s.group(&ctx.txn, &argv[3])?.is_none() {
        return Err(Error::NoGroupForKey { key: lossy(&argv[2]), group: lossy(&argv[3]) });
    }
    let now = ctx.txn.now;
    let out = s
        .consumers(&ctx.txn, &argv[3])?
        .into_iter()
        .map(|(name, c)| {
            Reply::Map(vec![
                (field("name"), Reply::Bulk(name)),
                (field("pending"), Reply::Int(c.pending as i64)),
                (field("idle"), Reply::Int((now - c.seen).max(0))),
            ])
        })
        .collect();
    Ok(Reply::Array(out))
}

/// `XINFO HELP`.
pub(super) fn help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "XINFO",
        &[
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    ))
}
