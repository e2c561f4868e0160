//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, TIME, SHUTDOWN and INFO, whose sections
//! are rendered in [`info`]; SAVE, BGSAVE and LASTSAVE in [`save`].
//!
//! CONFIG lives in [`super::config`] and COMMAND in [`super::command`], each with its
//! own specs.

pub(crate) mod info;
pub(crate) mod save;

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec};
use crate::config::Fsync;
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::storage::Cf;

// ---------------------------------------------------------------------------------
// Keyspace-wide commands
// ---------------------------------------------------------------------------------

/// `DBSIZE`: keys in the selected database. O(1): read from a maintained counter (after
/// an unclean shutdown, once the background recount has finished: see
/// [`crate::types::recount`]).
fn dbsize(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.store().wait_counts()?;
    Ok(Reply::Int(ctx.store().dbsize(ctx.session.db)))
}

/// Whether a flush runs its space reclamation now (`SYNC`, the default) or in the
/// background (`ASYNC`). Either way the keys are gone when the command returns.
fn flush_mode(argv: &[Bytes]) -> Result<bool> {
    match argv.len() {
        1 => Ok(false),
        2 if args::is(&argv[1], "sync") => Ok(false),
        2 if args::is(&argv[1], "async") => Ok(true),
        _ => Err(Error::Syntax),
    }
}

/// Empties logical databases `dbs`: one range delete per column family each, so the
/// cost does not depend on the number of keys. Watchers of those databases are told.
/// The freed space is compacted now, or by a background thread for `ASYNC`.
fn flush(ctx: &mut Ctx<'_>, dbs: std::ops::Range<usize>, background: bool) -> Result<()> {
    let store = ctx.store();
    let mut physical = Vec::new();
    for db in dbs {
        store.flush_db(db)?;
        let p = store.physical(db);
        ctx.server.watches.touch_db(p);
        physical.push(p);
    }
    // Client-side caching: every tracking client drops its whole cache (a null
    // invalidation), as Redis's signalFlushedDb does.
    let current = Some((ctx.session.info.id, &mut ctx.session.tracking_pending));
    ctx.server.tracking.flushed(&mut crate::tracking::Sink::new(ctx.server, current));
    // The range deletes went straight to storage, not through the command's Txn (they
    // are applied, and in the WAL file, once flush_db returns): honour the fsync policy
    // here before the reply is sent.
    if ctx.server.config.read().appendfsync == Fsync::Always {
        store.storage.sync_wal()?;
    }
    let mut ranges = Vec::new();
    for p in physical {
        let (from, to) = crate::storage::keys::db_bounds(p);
        for cf in [Cf::Meta, Cf::Expire] {
            ranges.push((cf, from.clone(), to.clone()));
        }
    }
    if background {
        store.storage.compact_later(ranges, None);
    } else {
        for (cf, from, to) in ranges {
            store.storage.compact(cf, &from, &to);
        }
    }
    Ok(())
}

/// `FLUSHDB [ASYNC|SYNC]`: removes every key of the selected database. O(1) in the
/// number of keys (range deletes). Error: `ERR syntax error`.
fn flushdb(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let background = flush_mode(argv)?;
    let db = ctx.session.db;
    flush(ctx, db..db + 1, background)?;
    Ok(Reply::ok())
}

/// `FLUSHALL [ASYNC|SYNC]`: removes every key of every database. O(databases).
/// Error: `ERR syntax error`.
fn flushall(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let background = flush_mode(argv)?;
    let n = ctx.store().databases();
    flush(ctx, 0..n, background)?;
    Ok(Reply::ok())
}

/// `TIME`: `[unix seconds, microseconds]` as bulk strings. O(1).
fn time(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Ok(Reply::Array(vec![
        Reply::bulk_str(&now.as_secs().to_string()),
        Reply::bulk_str(&now.subsec_micros().to_string()),
    ]))
}

/// Whether a shutdown saves a backup first: SAVE always, NOSAVE never, neither (a
/// plain SHUTDOWN, or a signal under `shutdown-on-sigterm default`) when save points
/// are configured and something changed since the last save (Redis saves even then;
/// DiskDB's data is on disk already, so an unchanged backup would be a copy of the last).
pub fn shutdown_saves(state: &super::context::ServerState, save: bool, nosave: bool) -> bool {
    save || (!nosave && !state.config.read().save.is_empty() && state.saves.changes_since_save(state) > 0)
}

/// The backup a shutdown takes, waiting for a running BGSAVE to finish first (Redis
/// kills its child instead; a checkpoint is short). `Err` when it failed.
pub fn shutdown_save(state: &super::context::ServerState) -> std::result::Result<(), String> {
    loop {
        match save::save_now(state, "shutdown") {
            Ok(_) => return Ok(()),
            Err(Some(e)) => return Err(e),
            Err(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`: stops the server the orderly way.
/// Every acknowledged write is already in the data directory, so saving means taking
/// a backup as well (see [`shutdown_saves`]): SAVE does, NOSAVE does not, neither does
/// when save points are set and something changed since the last save. A failed
/// backup keeps the server running unless FORCE. NOW has nothing to skip (no replica
/// to wait for). Like Redis, no reply on success: the connection closes.
/// Errors: `ERR syntax error` (unknown option, NOSAVE with SAVE, ABORT with another
/// option), `ERR No shutdown in progress.` for ABORT (a shutdown never waits),
/// `ERR Errors trying to SHUTDOWN. Check logs.` (the backup failed, without FORCE).
fn shutdown(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (mut save, mut nosave, mut abort, mut force, mut other) = (false, false, false, false, false);
    for a in &argv[1..] {
        if args::is(a, "nosave") {
            nosave = true;
        } else if args::is(a, "save") {
            save = true;
        } else if args::is(a, "now") {
            other = true;
        } else if args::is(a, "force") {
            force = true;
        } else if args::is(a, "abort") {
            abort = true;
        } else {
            return Err(Error::Syntax);
        }
    }
    if (abort && (save || nosave || other || force)) || (save && nosave) {
        return Err(Error::Syntax);
    }
    if abort {
        return Err(Error::NoShutdownInProgress);
    }
    tracing::warn!(client = ctx.session.id(), "User requested shutdown...");
    if shutdown_saves(ctx.server, save, nosave) {
        if let Err(e) = shutdown_save(ctx.server) {
            if !force {
                tracing::warn!(error = %e, "Errors trying to shut down the server. Check the logs for more information.");
                return Err(Error::ShutdownFailed);
            }
            tracing::warn!(error = %e, "backup failed; shutting down anyway (FORCE)");
        }
    }
    ctx.server.shutdown.trigger();
    ctx.session.reply_skip = true;
    ctx.session.close_after_reply = true;
    Ok(Reply::ok())
}

/// `MONITOR`: streams every command the server runs to this client (see
/// [`crate::monitor`] for the format and what is left out). A second MONITOR answers
/// nothing, as in Redis. A monitor may not run keyspace commands.
/// Error: `ERR MONITOR isn't allowed for DENY BLOCKING client` (inside MULTI).
fn monitor(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    if !ctx.session.may_block {
        return Err(Error::MonitorDenyBlocking);
    }
    if ctx.session.monitor {
        ctx.session.reply_skip = true;
        return Ok(Reply::ok());
    }
    let mailbox = ctx.session.subscriber().mailbox.clone();
    ctx.session.monitor = true;
    ctx.session.info.monitor.store(true, Ordering::Relaxed);
    ctx.server.monitors.add(mailbox);
    Ok(Reply::ok())
}

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "monitor", arity: 1, flags: ADMIN | NOSCRIPT | LOADING | STALE, group: "server", handler: monitor,
        summary: "Listen for all requests received by the server in real time", since: "1.0.0", complexity: "",
        docs: "-",
    },
    command! {
        name: "dbsize", arity: 1, flags: READONLY | FAST | COUNTS, group: "server", handler: dbsize,
        summary: "Return the number of keys in the selected database", since: "1.0.0", complexity: "O(1)",
        docs: "-
            acl:              @keyspace
            tips:             request_policy:all_shards response_policy:agg_sum",
    },
    command! {
        name: "info", arity: -1, flags: LOADING | STALE | COUNTS, group: "server", handler: info::info,
        summary: "Get information and statistics about the server", since: "1.0.0", complexity: "O(1)",
        docs: "[section...]
            history 7.0.0:    Added support for taking multiple section arguments.
            acl:              @dangerous
            tips:             nondeterministic_output request_policy:all_shards response_policy:special",
    },
    command! {
        name: "flushdb", arity: -1, flags: WRITE | EXCLUSIVE, group: "server", handler: flushdb,
        summary: "Remove all keys from the current database", since: "1.0.0",
        complexity: "O(N) where N is the number of keys in the selected database",
        docs: "[async(ASYNC@4.0.0 | SYNC@6.2.0)]
            history 4.0.0:    Added the `ASYNC` flushing mode modifier.
            history 6.2.0:    Added the `SYNC` flushing mode modifier.
            acl:              @keyspace @dangerous
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "flushall", arity: -1, flags: WRITE | EXCLUSIVE, group: "server", handler: flushall,
        summary: "Remove all keys from all databases", since: "1.0.0",
        complexity: "O(N) where N is the total number of keys in all databases",
        docs: "[async(ASYNC@4.0.0 | SYNC@6.2.0)]
            history 4.0.0:    Added the `ASYNC` flushing mode modifier.
            history 6.2.0:    Added the `SYNC` flushing mode modifier.
            acl:              @keyspace @dangerous
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "time", arity: 1, flags: LOADING | STALE | FAST, group: "server", handler: time,
        summary: "Return the current server time", since: "2.6.0", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output",
    },
    command! {
        name: "save", arity: 1, flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, group: "server", handler: save::save,
        summary: "Synchronously save the dataset to disk", since: "1.0.0",
        complexity: "O(N) where N is the total number of keys in all databases",
        docs: "-",
    },
    command! {
        name: "bgsave", arity: -1, flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING, group: "server", handler: save::bgsave,
        summary: "Asynchronously save the dataset to disk", since: "1.0.0", complexity: "O(1)",
        docs: "[SCHEDULE@3.2.2]
            history 3.2.2:    Added the `SCHEDULE` option.",
    },
    command! {
        name: "lastsave", arity: 1, flags: LOADING | STALE | FAST, group: "server", handler: save::lastsave,
        summary: "Get the UNIX time stamp of the last successful save to disk", since: "1.0.0", complexity: "O(1)",
        docs: "-
            acl:              @admin @dangerous
            tips:             nondeterministic_output",
    },
    command! {
        name: "shutdown", arity: -1, flags: ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        group: "server", handler: shutdown,
        summary: "Synchronously save the dataset to disk and then shut down the server", since: "1.0.0",
        complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
        docs: "[nosave_save(NOSAVE | SAVE)] [NOW@7.0.0] [FORCE@7.0.0] [ABORT@7.0.0]
            history 7.0.0:    Added the `NOW`, `FORCE` and `ABORT` modifiers.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flush_modes() {
        let a = |v: &[&str]| v.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect::<Vec<_>>();
        assert_eq!(flush_mode(&a(&["flushdb"])), Ok(false));
        assert_eq!(flush_mode(&a(&["flushdb", "ASYNC"])), Ok(true));
        assert_eq!(flush_mode(&a(&["flushdb", "sync"])), Ok(false));
        assert_eq!(flush_mode(&a(&["flushdb", "sync", "async"])), Err(Error::Syntax));
        assert_eq!(flush_mode(&a(&["flushdb", "now"])), Err(Error::Syntax));
    }
}
