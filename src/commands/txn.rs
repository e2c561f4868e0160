//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! After MULTI, commands are checked (lookup, arity) and queued; a refused one makes EXEC
//! answer `EXECABORT`. EXEC takes the locks of every key of every queued command at once
//! (and the database gate exclusively if any of them needs it), then runs them one after
//! another, so no other client's command on those keys can come in between. Each queued
//! command commits its own write batch; together with the held locks this gives Redis's
//! isolation, while a crash in the middle of EXEC can leave a prefix of it applied (as
//! an AOF cut short can in Redis).
//!
//! WATCH remembers keys; any committed change to one of them (including expiry, FLUSHDB,
//! FLUSHALL and SWAPDB) raises the watching client's flag, and EXEC then answers a null
//! array without running anything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;

use super::context::{Ctx, ServerState, Session};
use super::table::{flags::*, CommandSpec, Keys};
use super::{registry, reject, run_locked, Gate, Outcome};
use crate::command;
use crate::error::{Error, Result};
use crate::protocol::Reply;

/// The queue of a client in MULTI.
#[derive(Default)]
pub struct Multi {
    /// `(spec index, argv)` per queued command.
    pub queued: Vec<(usize, Vec<Bytes>)>,
    /// A command was refused while queueing: EXEC will abort.
    pub aborted: bool,
}

/// One client's watched keys.
#[derive(Default)]
pub struct WatchSet {
    pub keys: Vec<(u8, Bytes)>,
    pub dirty: Arc<AtomicBool>,
}

/// Every watched key and the flags of the clients watching it.
#[derive(Default)]
pub struct Watches {
    map: Mutex<HashMap<(u8, Bytes), Vec<Arc<AtomicBool>>>>,
    count: AtomicUsize,
}

impl Watches {
    fn add(&self, key: (u8, Bytes), flag: &Arc<AtomicBool>) {
        self.map.lock().entry(key).or_default().push(flag.clone());
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets every key a client watches.
    pub fn clear(&self, set: &mut WatchSet) {
        if set.keys.is_empty() {
            return;
        }
        let mut map = self.map.lock();
        for key in set.keys.drain(..) {
            if let Some(flags) = map.get_mut(&key) {
                flags.retain(|f| !Arc::ptr_eq(f, &set.dirty));
                if flags.is_empty() {
                    map.remove(&key);
                }
            }
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        set.dirty = Arc::new(AtomicBool::new(false));
    }

    /// Marks the watchers of changed keys.
    pub fn touch(&self, keys: &[(u8, Bytes)]) {
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let map = self.map.lock();
        for k in keys {
            if let Some(flags) = map.get(k) {
                flags.iter().for_each(|f| f.store(true, Ordering::Release));
            }
        }
    }

    /// Marks the watchers of every key in physical database `db` (FLUSHDB, SWAPDB).
    pub fn touch_db(&self, db: u8) {
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let map = self.map.lock();
        for ((d, _), flags) in map.iter() {
            if *d == db {
                flags.iter().for_each(|f| f.store(true, Ordering::Release));
            }
        }
    }
}

/// Commands that run at once even inside MULTI.
fn runs_immediately(name: &str) -> bool {
    matches!(name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset")
}

/// Queues a command for a client in MULTI; `None` means run it now.
pub(crate) fn queue(
    state: &ServerState,
    session: &mut Session,
    idx: usize,
    spec: &'static CommandSpec,
    argv: &[Bytes],
) -> Option<Outcome> {
    if runs_immediately(spec.name) {
        return None;
    }
    let multi = session.multi.as_mut()?;
    if spec.has(NO_MULTI) {
        multi.aborted = true;
        return Some(reject(state, Some(idx), Error::err("Command not allowed inside a transaction")));
    }
    multi.queued.push((idx, argv.to_vec()));
    Some(Outcome { reply: Reply::status("QUEUED"), wrote: false, block: None })
}

/// EXEC: runs the queued commands under the locks of all their keys.
pub(crate) fn exec(state: &ServerState, session: &mut Session, exec_idx: usize) -> Outcome {
    let Some(multi) = session.multi.take() else {
        return reject(state, Some(exec_idx), Error::err("EXEC without MULTI"));
    };
    let dirty = session.watch.dirty.load(Ordering::Acquire);
    state.watches.clear(&mut session.watch);
    if multi.aborted {
        return reject(
            state,
            Some(exec_idx),
            Error::Msg("EXECABORT Transaction discarded because of previous errors.".into()),
        );
    }
    if dirty {
        return Outcome { reply: Reply::NilArray, wrote: false, block: None };
    }
    let reg = registry();
    let store = &state.store;
    let exclusive = multi.queued.iter().any(|(i, _)| reg.specs[*i].1.has(EXCLUSIVE));
    let _gate = Gate::take(store, exclusive);
    // SELECT inside the transaction changes the database of later commands: lock each
    // command's keys in the database it will run in.
    let mut db = session.db;
    let mut lock_keys: Vec<(u8, Bytes)> = Vec::new();
    for (i, argv) in &multi.queued {
        let spec = reg.specs[*i].1;
        let phys = store.physical(db);
        for p in spec.keys.positions(argv) {
            lock_keys.push((phys, argv[p].clone()));
        }
        if spec.name == "select" {
            if let Some(n) = super::args::parse_i64_strict(&argv[1]).filter(|&n| n >= 0 && (n as usize) < store.databases()) {
                db = n as usize;
            }
        }
    }
    let _locks = store.locks.lock(lock_keys.iter().map(|(d, k)| (*d, &k[..])));
    session.may_block = false;
    let mut replies = Vec::with_capacity(multi.queued.len());
    let mut wrote = false;
    for (i, argv) in &multi.queued {
        let o = run_locked(state, session, *i, argv);
        wrote |= o.wrote;
        replies.push(o.reply);
    }
    session.may_block = true;
    state.command_stats[exec_idx].calls.fetch_add(1, Ordering::Relaxed);
    Outcome { reply: Reply::Array(replies), wrote, block: None }
}

/// `MULTI`: starts queueing. Error: `ERR MULTI calls can not be nested`.
fn multi(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    if ctx.session.multi.is_some() {
        return Err(Error::err("MULTI calls can not be nested"));
    }
    ctx.session.multi = Some(Multi::default());
    Ok(Reply::ok())
}

/// `EXEC` is run by the dispatcher (it needs every queued command's locks); this entry
/// only exists for the table.
fn exec_entry(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Err(Error::err("EXEC without MULTI"))
}

/// `DISCARD`: drops the queue and the watched keys. Error: `ERR DISCARD without MULTI`.
fn discard(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    if ctx.session.multi.take().is_none() {
        return Err(Error::err("DISCARD without MULTI"));
    }
    ctx.server.watches.clear(&mut ctx.session.watch);
    Ok(Reply::ok())
}

/// `WATCH key [key ...]`: EXEC will fail if any of the keys changes first.
/// Error: `ERR WATCH inside MULTI is not allowed`.
fn watch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if ctx.session.multi.is_some() {
        return Err(Error::err("WATCH inside MULTI is not allowed"));
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
    command!("multi", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Keys::None, "transactions", multi, "Mark the start of a transaction block", "1.2.0", "O(1)"),
    command!("exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG, Keys::None, "transactions", exec_entry, "Execute all commands issued after MULTI", "1.2.0", "Depends on commands in the transaction"),
    command!("discard", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Keys::None, "transactions", discard, "Discard all commands issued after MULTI", "2.0.0", "O(N), when N is the number of queued commands"),
    command!("watch", -2, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Keys::all_from(1), "transactions", watch, "Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0", "O(1) for every key."),
    command!("unwatch", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Keys::None, "transactions", unwatch, "Forget about all watched keys", "2.2.0", "O(1)"),
];
