//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Their state lives in
//! [`super::multi`]; queueing and EXEC itself are part of the dispatch path
//! ([`super::dispatch`]).
//!
//! After MULTI, commands are checked (lookup, arity) and queued; a refused one makes EXEC
//! answer `EXECABORT`. EXEC takes the locks of every key of every queued command at once
//! (and the database gate exclusively if any of them needs it), then runs them one after
//! another, so no other client's command on those keys can come in between. Their writes
//! are staged and commit as ONE write batch when EXEC ends (see
//! [`super::dispatch::Atomic`]): each command reads the writes of those before it through
//! the staged overlay, and a crash never leaves a part of a transaction on disk.
//!
//! WATCH remembers keys; any committed change to one of them (including expiry, FLUSHDB,
//! FLUSHALL and SWAPDB) raises the watching client's flag, and EXEC then answers a null
//! array without running anything.

use bytes::Bytes;

use super::context::Ctx;
use super::multi::Multi;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::protocol::Reply;

/// `MULTI`: starts queueing. Error: `ERR MULTI calls can not be nested`.
fn multi(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    if ctx.session.multi.is_some() {
        return Err(Error::MultiNested);
    }
    ctx.session.multi = Some(Multi::default());
    Ok(Reply::ok())
}

/// `EXEC` is run by the dispatcher (it needs every queued command's locks); this entry
/// only exists for the table.
fn exec_entry(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Err(Error::ExecWithoutMulti)
}

/// `DISCARD`: drops the queue and the watched keys. Error: `ERR DISCARD without MULTI`.
fn discard(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    if ctx.session.multi.take().is_none() {
        return Err(Error::DiscardWithoutMulti);
    }
    ctx.server.watches.clear(&mut ctx.session.watch);
    Ok(Reply::ok())
}

/// `WATCH key [key ...]`: EXEC will fail if any of the keys changes first.
/// Error: `ERR WATCH inside MULTI is not allowed`.
fn watch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if ctx.session.multi.is_some() {
        return Err(Error::WatchInMulti);
    }
    let db = ctx.txn.db;
    for key in &argv[1..] {
        let k = (db, key.clone());
        if ctx.session.watch.keys.contains(&k) {
            continue;
        }
        // A key that is already logically expired counts as changed if it is then
        // removed; one that expires later is caught by the expiry write itself.
        ctx.server.watches.add(k.clone(), &ctx.session.watch.dirty);
        ctx.session.watch.keys.push(k);
    }
    Ok(Reply::ok())
}

/// `UNWATCH`: forgets every watched key.
fn unwatch(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.server.watches.clear(&mut ctx.session.watch);
    Ok(Reply::ok())
}

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "multi", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        group: "transactions", handler: multi,
        summary: "Mark the start of a transaction block", since: "1.2.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "exec", arity: 1, flags: NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG,
        group: "transactions", handler: exec_entry,
        summary: "Execute all commands issued after MULTI", since: "1.2.0",
        complexity: "Depends on commands in the transaction",
        docs: "-",
    },
    command! {
        name: "discard", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        group: "transactions", handler: discard,
        summary: "Discard all commands issued after MULTI", since: "2.0.0",
        complexity: "O(N), when N is the number of queued commands",
        docs: "-",
    },
    command! {
        name: "watch", arity: -2, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, keys: Keys::all_from(1),
        group: "transactions", handler: watch,
        summary: "Watch the given keys to determine execution of the MULTI/EXEC block", since: "2.2.0",
        complexity: "O(1) for every key.",
        docs: "key#0...
            key 0:            RO, index 1, range -1",
    },
    command! {
        name: "unwatch", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        group: "transactions", handler: unwatch,
        summary: "Forget about all watched keys", since: "2.2.0", complexity: "O(1)",
        docs: "-",
    },
];
