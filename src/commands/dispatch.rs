//! The one path every command takes, for every transport alike: lookup -> arity -> auth
//! gate -> ACL check -> MULTI queueing -> database gate and key locks -> handler -> atomic commit ->
//! statistics ([`execute`]), and EXEC, which runs a transaction's queued commands under
//! the locks of all their keys ([`exec`]).
//!
//! This is the hot path of every request: one table lookup, one database gate and one
//! set of key locks per command; keep it free of further lookups, allocations and locks.

use std::sync::atomic::Ordering;
use std::time::Instant;

use bytes::Bytes;

use super::args;
use super::blocking;
use super::context::{Ctx, ServerState, Session};
use super::registry;
use super::table::{flags, CommandSpec};
use crate::error::{unknown_command, Error};
use crate::notify::Event;
use crate::protocol::Reply;
use crate::types::staged::Staged;
use crate::types::Txn;

/// The result of running one command.
pub struct Outcome {
    pub reply: Reply,
    /// Whether the command changed data (the connection then honours `appendfsync`).
    pub wrote: bool,
    /// The command found nothing and asks to block (see [`blocking`]).
    pub block: Option<blocking::BlockOn>,
}

fn reject(state: &ServerState, idx: Option<usize>, e: Error) -> Outcome {
    if let Some(i) = idx {
        state.command_stats[i].rejected.fetch_add(1, Ordering::Relaxed);
    }
    Outcome { reply: Reply::error(e.to_string()), wrote: false, block: None }
}

/// Refuses a command before it runs or is queued: inside MULTI that makes EXEC fail
/// (EXECABORT), as in Redis.
fn refuse(state: &ServerState, session: &mut Session, idx: usize, e: Error) -> Outcome {
    if let Some(multi) = session.multi.as_mut() {
        multi.aborted = true;
    }
    reject(state, Some(idx), e)
}

/// Finds the spec for `argv` (resolving subcommands) and checks arity.
fn resolve(state: &ServerState, argv: &[Bytes]) -> std::result::Result<(usize, &'static CommandSpec), Outcome> {
    let reg = registry();
    let Some(mut idx) = reg.index_of(&argv[0]) else {
        return Err(reject(state, None, unknown_command(argv)));
    };
    let mut spec = reg.specs[idx].1;
    if !spec.subcommands.is_empty() && (argv.len() >= 2 || spec.handler.is_none()) {
        if argv.len() < 2 {
            return Err(reject(state, Some(idx), Error::WrongArity(reg.specs[idx].0.clone())));
        }
        let mut full = spec.name.as_bytes().to_vec();
        full.push(b'|');
        full.extend_from_slice(&argv[1]);
        match reg.index_of(&full) {
            Some(i) => {
                idx = i;
                spec = reg.specs[i].1;
            }
            None => {
                let sub = String::from_utf8_lossy(&argv[1]).into_owned();
                let container = String::from_utf8_lossy(&argv[0]).to_uppercase();
                return Err(reject(state, Some(idx), Error::UnknownSubcommand { sub, container }));
            }
        }
    }
    if !spec.arity_ok(argv.len()) || spec.handler.is_none() {
        return Err(reject(state, Some(idx), Error::WrongArity(reg.specs[idx].0.clone())));
    }
    Ok((idx, spec))
}

/// Runs one command from `argv` (name first) for `session`.
pub fn execute(state: &ServerState, session: &mut Session, argv: &[Bytes]) -> Outcome {
    let outcome = execute_command(state, session, argv);
    // CLIENT CACHING covers the next command, or the next transaction; any CLIENT
    // subcommand leaves it armed (Redis's resetClient).
    if session.tracking.caching && session.multi.is_none() && !argv[0].eq_ignore_ascii_case(b"client") {
        session.tracking.caching = false;
    }
    outcome
}

fn execute_command(state: &ServerState, session: &mut Session, argv: &[Bytes]) -> Outcome {
    let (idx, spec) = match resolve(state, argv) {
        Ok(found) => found,
        Err(rejected) => {
            // A command refused while queueing makes EXEC fail, as in Redis.
            if let Some(multi) = session.multi.as_mut() {
                multi.aborted = true;
            }
            return rejected;
        }
    };
    if !session.authenticated && !spec.has(flags::NO_AUTH) && state.acl.auth_required() {
        return reject(state, Some(idx), Error::NoAuth);
    }
    if spec.has(flags::PROTECTED) && !state.config.read().enable_debug_command.allows(session.info.is_local()) {
        return refuse(state, session, idx, Error::DebugNotAllowed);
    }
    // The ACL check: one flag for a user allowed everything (the default user).
    if !session.user.unrestricted() && !(session.multi.is_some() && spec.has(flags::NO_MULTI)) {
        let checked = crate::acl::check::check(&session.user.read(), idx, argv);
        if let Err(denied) = checked {
            let full = &registry().specs[idx].0;
            super::acl::log_denial(state, session, denied, full, argv, if session.multi.is_some() { "multi" } else { "toplevel" });
            return refuse(state, session, idx, super::acl::deny_error(denied, full));
        }
    }
    if state.store.eviction.refuse_writes.load(Ordering::Relaxed) && denied_when_full(session, spec, &registry().specs[idx].0) {
        if spec.name == "exec" {
            session.multi = None;
            state.watches.clear(&mut session.watch);
            return reject(state, Some(idx), Error::ExecAbortBecause(Box::new(Error::OomDisk)));
        }
        return refuse(state, session, idx, Error::OomDisk);
    }
    let pending = state.store.storage.pending();
    if pending.writes_failing() && (is_write(session, spec) || spec.name == "ping") {
        // Writing to the data directory fails (its disk is full): Redis's MISCONF of a
        // failing AOF, counted as a rejected call. PING is refused too, as Redis does, so
        // that health checks see the problem.
        let e = Error::DiskWrite(pending.write_error().unwrap_or_default());
        if spec.name == "exec" {
            session.multi = None;
            state.watches.clear(&mut session.watch);
            return reject(state, Some(idx), Error::ExecAbortBecause(Box::new(e)));
        }
        return refuse(state, session, idx, e);
    }
    if session.resp == 2 && session.subscribed() && !allowed_subscribed(spec.name) {
        return refuse(state, session, idx, Error::SubscribeContext(registry().specs[idx].0.clone()));
    }
    if session.monitor && (spec.has(flags::WRITE) || spec.has(flags::READONLY) || super::pause::may_replicate(spec.name)) {
        // Redis counts a monitor as a replica, which may not touch the keyspace.
        return refuse(state, session, idx, Error::ReplicaKeyspace);
    }
    if session.multi.is_some() {
        if let Some(outcome) = queue(state, session, idx, spec, argv) {
            return outcome;
        }
    }
    if spec.has(flags::COUNTS) && needs_counts(state, spec, argv) {
        // Wait for a background key recount holding no lock (other commands go on); the
        // handler answers its error if it failed.
        let _ = state.store.wait_counts();
    }
    if spec.name == "exec" {
        let outcome = exec(state, session, idx);
        feed_monitors(state, session, spec, argv);
        return outcome;
    }
    let store = &state.store;
    let _gate = if state.scripting.running.active.load(Ordering::Acquire) {
        // A script holds the gate: wait for it without blocking past the BUSY threshold.
        loop {
            if let Some(outcome) = while_script_runs(state, session, idx, spec, argv) {
                return outcome;
            }
            match store.try_gate(spec.has(flags::EXCLUSIVE), std::time::Duration::from_millis(2)) {
                Some(Ok(g)) => break Gate::Shared(g),
                Some(Err(g)) => break Gate::Exclusive(g),
                None => continue,
            }
        }
    } else {
        Gate::take(store, spec.has(flags::EXCLUSIVE))
    };
    let db = store.physical(session.db);
    let key_pos = spec.keys.positions(argv);
    let _locks = store.locks.lock(key_pos.iter().map(|&i| (db, &argv[i][..])));
    if spec.has(flags::SKIP_MONITOR) && state.monitors.active() && !session.block_retry {
        feed_line(state, session, argv);
    }
    run_locked(state, session, idx, argv)
}

/// Whether `argv` of a [`flags::COUNTS`] command must wait for the key counters now:
/// a background recount runs, and INFO shows the keyspace section.
fn needs_counts(state: &ServerState, spec: &CommandSpec, argv: &[Bytes]) -> bool {
    !state.store.counts_ready() && (spec.name != "info" || super::server::info::shows_keyspace(argv))
}

/// While a script runs (it holds the gate exclusively): once it has run longer than
/// `busy-reply-threshold`, answers `-BUSY`, except to the commands Redis allows then
/// (`allow_busy`: SCRIPT KILL, FUNCTION KILL, FUNCTION STATS, SHUTDOWN...), which run at
/// once without the gate. `None`: go on waiting for the gate (the caller waits on the
/// gate itself, which wakes it as soon as the script ends; a sleep here would cost
/// every command that arrives during a script a millisecond or more).
fn while_script_runs(state: &ServerState, session: &mut Session, idx: usize, spec: &CommandSpec, argv: &[Bytes]) -> Option<Outcome> {
    let ran = state.scripting.busy_for()?;
    let threshold = state.config.read().stored("busy-reply-threshold", "5000").parse::<u64>().unwrap_or(5000);
    if ran >= threshold {
        if spec.has(flags::ALLOW_BUSY) {
            return Some(run_locked(state, session, idx, argv));
        }
        let e = if state.scripting.running.eval.load(Ordering::Relaxed) { Error::BusyScript } else { Error::BusyFunction };
        return Some(reject(state, Some(idx), e));
    }
    None
}

/// Runs `argv` for a script's `redis.call` (the caller, EVAL or FCALL, holds the gate
/// exclusively): the same lookup, arity and handler as a client's command, with Redis's
/// script rules: `noscript` commands refused, and write commands in a read-only script.
pub fn call_from_script(state: &ServerState, session: &mut Session, argv: &[Bytes], read_only: bool) -> Result<Outcome, Error> {
    let (idx, spec) = match resolve(state, argv) {
        Ok(found) => found,
        Err(_) => {
            return Err(if registry().index_of(&argv[0]).is_none() { Error::ScriptUnknownCommand } else { Error::ScriptWrongArity })
        }
    };
    if spec.has(flags::NOSCRIPT) {
        return Err(Error::ScriptNotAllowed);
    }
    // The ACL check of `execute`, with the script's texts and the `lua` log context.
    if !session.user.unrestricted() {
        let checked = crate::acl::check::check(&session.user.read(), idx, argv);
        if let Err(denied) = checked {
            super::acl::log_denial(state, session, denied, &registry().specs[idx].0, argv, "lua");
            return Err(match denied {
                crate::acl::check::Denied::Command => Error::ScriptNoPermCommand,
                crate::acl::check::Denied::Key(_) => Error::ScriptNoPermKey,
                crate::acl::check::Denied::Channel(_) => Error::ScriptNoPermChannel,
            });
        }
    }
    if read_only && spec.has(flags::WRITE) {
        return Err(Error::ScriptWriteInRo);
    }
    let pending = state.store.storage.pending();
    if spec.has(flags::WRITE) && pending.writes_failing() {
        return Err(Error::DiskWrite(pending.write_error().unwrap_or_default()));
    }
    // CLIENT LIST's `cmd=` stays the script's command (EVAL, FCALL), as in Redis, where
    // redis.call runs on a separate script client.
    let last = session.info.last_cmd.lock().clone();
    let was = std::mem::replace(&mut session.in_script, true);
    let outcome = run_locked(state, session, idx, argv);
    session.in_script = was;
    *session.info.last_cmd.lock() = last;
    Ok(outcome)
}

/// The database gate, held shared by ordinary commands and exclusively by the few that
/// act on whole databases. Held for its drop.
#[allow(dead_code)]
enum Gate<'a> {
    Shared(parking_lot::RwLockReadGuard<'a, ()>),
    Exclusive(parking_lot::RwLockWriteGuard<'a, ()>),
}

impl<'a> Gate<'a> {
    fn take(store: &'a crate::types::Store, exclusive: bool) -> Gate<'a> {
        if exclusive {
            Gate::Exclusive(store.exclusive())
        } else {
            Gate::Shared(store.shared())
        }
    }
}

/// Runs the resolved command `specs[idx]`; the caller holds the gate and key locks.
fn run_locked(state: &ServerState, session: &mut Session, idx: usize, argv: &[Bytes]) -> Outcome {
    let reg = registry();
    let (name, spec) = (&reg.specs[idx].0, reg.specs[idx].1);
    let Some(handler) = spec.handler else {
        return reject(state, Some(idx), Error::WrongArity(name.clone()));
    };
    set_last_cmd(session, idx);
    let started = Instant::now();
    let store = &state.store;
    let db = store.physical(session.db);
    // A script is one group: the commands it calls stage their writes in it, and the
    // group commits as one batch when the script ends (one inside EXEC joins EXEC's).
    let script = is_script(spec.name);
    let opened = script && session.atomic.is_none();
    if opened {
        open_group(session);
    }
    let mut txn = Txn::new_at(store, db, started);
    // While writes fail, a read leaves expired keys for later: its reply would wait
    // for their deletion.
    txn.keep_expired = !spec.has(flags::WRITE) && !script && store.storage.pending().stalled();
    if session.atomic.is_some() && !script {
        if writes_outside_batch(spec.name) {
            // FLUSHDB, FLUSHALL and SWAPDB write storage directly: what the group
            // staged before them must be in storage first.
            if let Err(e) = commit_group(state, session, true) {
                return reject(state, Some(idx), e);
            }
        } else if let Some(staged) = session.atomic.as_mut().and_then(|a| a.staged.take()) {
            txn.join(staged);
        }
    }
    let mut ctx = Ctx { server: state, session: &mut *session, txn, block: None };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&mut ctx, argv)));
    let Ctx { mut txn, block, .. } = ctx;
    let (mut reply, mut wrote) = match result {
        Ok(Ok(reply)) => {
            let wrote = txn.wrote();
            let events = txn.take_events();
            if txn.joined() {
                let (staged, touched) = txn.stage();
                let atomic = session.atomic.as_mut().expect("a joined command runs in a group");
                atomic.note(staged, session.info.id);
                atomic.after.push(After::Touched(touched));
                atomic.after.push(After::Events(events));
                (reply, wrote)
            } else {
                match txn.commit() {
                    Ok(touched) => {
                        state.touched_by(&touched, Some((session.info.id, &mut session.tracking_pending)));
                        crate::notify::publish(state, &events);
                        (reply, wrote)
                    }
                    Err(e) => (Reply::error(e.to_string()), false),
                }
            }
        }
        Ok(Err(e)) => {
            // A failed command's writes are dropped, as outside a group.
            let staged = txn.leave();
            give_back(session, staged);
            (Reply::error(e.to_string()), false)
        }
        Err(panic) => {
            let staged = txn.leave();
            give_back(session, staged);
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(command = %name, %what, "command panicked");
            (Reply::error(Error::Internal { command: name.to_string(), what }.to_string()), false)
        }
    };
    if opened {
        // The script's writes, as one batch; its reply waits for their durability.
        match commit_group(state, session, false) {
            Ok(group_wrote) => wrote |= group_wrote,
            Err(e) => {
                reply = Reply::error(e.to_string());
                wrote = true;
            }
        }
    }
    // Client-side caching: a read-only command's keys are remembered for the client,
    // whatever its reply (as Redis's call() does); shard channels are not keys here.
    if spec.has(flags::READONLY) && !spec.has(flags::PUBSUB) && session.tracking.remembers() {
        let keys = spec.keys.positions(argv);
        if !keys.is_empty() {
            if let Some(atomic) = session.atomic.as_mut() {
                // In order with the group's invalidations, after its commit.
                atomic.after.push(After::Remember(keys.iter().map(|&i| argv[i].clone()).collect()));
            } else {
                let id = session.info.id;
                let mut sink = crate::tracking::Sink::new(state, Some((id, &mut session.tracking_pending)));
                state.tracking.remember(id, keys.iter().map(|&i| &argv[i]), &mut sink);
            }
        }
    }
    // The one clock read after the command: commandstats, the latency histogram, the
    // latency monitor and the slow log all use it.
    let took = started.elapsed();
    let micros = took.as_micros() as u64;
    let stats = &state.command_stats[idx];
    stats.calls.fetch_add(1, Ordering::Relaxed);
    stats.usec.fetch_add(micros, Ordering::Relaxed);
    state.metrics.command(idx, took);
    // As in Redis, the commands a script calls count in the histograms only: the
    // latency monitor and the slow log see the script's own command.
    if session.in_script {
        if state.diag.tracking() {
            state.diag.histograms.record(idx, took);
        }
    } else {
        state.diag.command_ran(idx, spec.has(flags::FAST), took);
        if !spec.has(flags::SKIP_SLOWLOG) && state.diag.slowlog.wants(micros) {
            let client_name = session.info.name.lock().clone();
            state.diag.slowlog.push(name, argv, micros, session.info.addr.clone(), client_name);
        }
    }
    if reply.is_error() {
        stats.failed.fetch_add(1, Ordering::Relaxed);
    }
    state.stats.commands_processed.fetch_add(1, Ordering::Relaxed);
    let block = if reply.is_error() { None } else { block };
    feed_monitors(state, session, spec, argv);
    if state.audit.enabled() {
        if let Some((event, detail)) = crate::audit::command_event(name, argv) {
            let outcome = if reply.is_error() { crate::audit::Outcome::Failed } else { crate::audit::Outcome::Ok };
            state.audit.record(Some(&session.info), "", event, outcome, &detail);
        }
    }
    Outcome { reply, wrote, block }
}

// ---------------------------------------------------------------------------------
// Groups: one EXEC or one script, committed as one write batch
// ---------------------------------------------------------------------------------

/// The writes of one MULTI/EXEC transaction or one script and what follows their
/// commit, kept in the session while its commands run. Each command stages its batch
/// in [`Staged`] (the commands after it read through it), and what a commit triggers
/// (WATCH flags, blocked-client wake-ups, client-side-caching invalidations, keyspace
/// notifications) waits in `after`, in the order the commands raised it, until the
/// group's one batch is written ([`commit_group`]). The connection then acknowledges
/// the EXEC or the script only once that batch is durable, as any write.
pub struct Atomic {
    /// `None` while one of the group's commands holds it (in its `Txn`).
    staged: Option<Box<Staged>>,
    after: Vec<After>,
}

/// Work that follows a group's commit, in order.
enum After {
    /// Keys a command changed: watchers, blocked clients, tracking invalidations.
    Touched(Vec<(u8, Bytes)>),
    /// Keyspace notifications a command raised.
    Events(Vec<Event>),
    /// Keys a read-only command read, remembered for client-side caching.
    Remember(Vec<Bytes>),
}

impl Atomic {
    /// Takes the group back from a command that staged into it.
    fn note(&mut self, mut staged: Box<Staged>, client: u64) {
        if staged.crossed_warning() {
            tracing::warn!(
                client,
                bytes = staged.bytes(),
                "a transaction or script holds a large batch of uncommitted writes in memory (committed as one batch when it ends)"
            );
        }
        self.staged = Some(staged);
    }
}

/// The script commands: each one runs as a group.
fn is_script(name: &str) -> bool {
    matches!(name, "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro")
}

/// Commands that write storage directly rather than through their batch: a group
/// commits what it staged before running one (so a transaction or script holding one
/// is atomic on disk up to it, and from it on).
fn writes_outside_batch(name: &str) -> bool {
    matches!(name, "flushdb" | "flushall" | "swapdb")
}

/// Hands the group back to the session after a command that did not stage.
fn give_back(session: &mut Session, staged: Option<Box<Staged>>) {
    if let (Some(atomic), Some(staged)) = (session.atomic.as_mut(), staged) {
        atomic.staged = Some(staged);
    }
}

/// Starts a group for `session` (EXEC).
fn open_group(session: &mut Session) {
    session.atomic = Some(Box::new(Atomic { staged: Some(Box::default()), after: Vec::new() }));
}

/// Writes the group's staged writes as one batch, then does what their commit triggers,
/// in order. `go_on`: the group stays open, empty (a command that writes outside the
/// batch is about to run); otherwise it ends. Answers whether the group wrote anything.
/// On a storage error nothing of the group is written and nothing is triggered.
fn commit_group(state: &ServerState, session: &mut Session, go_on: bool) -> Result<bool, Error> {
    let Some(mut atomic) = session.atomic.take() else { return Ok(false) };
    let staged = atomic.staged.take().unwrap_or_default();
    if go_on {
        open_group(session);
    }
    let wrote = !staged.is_empty();
    crate::types::txn::commit_staged(&state.store, staged)?;
    let id = session.info.id;
    for after in atomic.after {
        match after {
            After::Touched(keys) => state.touched_by(&keys, Some((id, &mut session.tracking_pending))),
            After::Events(events) => crate::notify::publish(state, &events),
            After::Remember(keys) => {
                let mut sink = crate::tracking::Sink::new(state, Some((id, &mut session.tracking_pending)));
                state.tracking.remember(id, keys.iter(), &mut sink);
            }
        }
    }
    Ok(wrote)
}

/// Feeds a command that ran to the MONITOR clients ([`crate::monitor`]): not admin
/// commands, and a blocked command only on its first run.
fn feed_monitors(state: &ServerState, session: &mut Session, spec: &CommandSpec, argv: &[Bytes]) {
    // Scripts (`skip_monitor`) were fed before they ran, as Redis feeds them, so that
    // the commands they call follow their line.
    if !state.monitors.active() || spec.has(flags::ADMIN) || spec.has(flags::SKIP_MONITOR) || session.block_retry {
        return;
    }
    feed_line(state, session, argv);
}

/// Feeds `argv` to the monitors now: the client's address, or `lua` for a command a
/// script called.
fn feed_line(state: &ServerState, session: &mut Session, argv: &[Bytes]) {
    let (path, limit) = {
        let cfg = state.config.read();
        let path = cfg.unixsocket.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        (path, cfg.client_output_buffer_limit[super::context::REPLICA_CLASS])
    };
    if session.in_script {
        state.monitors.feed_from_script(session.db, argv, &limit);
    } else if let Some(own) = state.monitors.feed(&session.info, &path, session.db, argv, &limit) {
        session.monitor_echo = Some(own);
    }
}

// ---------------------------------------------------------------------------------
// MULTI queueing and EXEC
// ---------------------------------------------------------------------------------

/// Commands that run at once even inside MULTI.
/// Redis's rule for refusing a command when full (processCommand's `reject_cmd_on_oom`):
/// a `denyoom` command, EXEC of a transaction that queued one, and, inside MULTI,
/// anything but EXEC, DISCARD, QUIT and RESET (queueing takes memory).
fn denied_when_full(session: &Session, spec: &CommandSpec, full_name: &str) -> bool {
    match (&session.multi, full_name) {
        (Some(m), "exec") => m.queued.iter().any(|&(i, _)| registry().specs[i].1.has(flags::DENYOOM)),
        (Some(_), name) => !matches!(name, "discard" | "quit" | "reset"),
        (None, _) => spec.has(flags::DENYOOM),
    }
}

/// Redis's `is_write_command` for refusals on a disk error (processCommand): a `write`
/// command, or EXEC of a transaction that queued one.
fn is_write(session: &Session, spec: &CommandSpec) -> bool {
    match &session.multi {
        Some(m) if spec.name == "exec" => m.queued.iter().any(|&(i, _)| registry().specs[i].1.has(flags::WRITE)),
        _ => spec.has(flags::WRITE),
    }
}

/// The commands a RESP2 client in subscribe mode may send (Redis's list in
/// processCommand).
fn allowed_subscribed(name: &str) -> bool {
    matches!(
        name,
        "ping" | "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" | "psubscribe" | "punsubscribe" | "quit" | "reset"
    )
}

fn runs_immediately(name: &str) -> bool {
    matches!(name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset")
}

/// Queues a command for a client in MULTI; `None` means run it now.
fn queue(
    state: &ServerState,
    session: &mut Session,
    idx: usize,
    spec: &'static CommandSpec,
    argv: &[Bytes],
) -> Option<Outcome> {
    // By full name: a subcommand such as LATENCY RESET is queued like any other.
    if runs_immediately(&registry().specs[idx].0) {
        return None;
    }
    let multi = session.multi.as_mut()?;
    if spec.has(flags::NO_MULTI) {
        multi.aborted = true;
        return Some(reject(state, Some(idx), Error::NotInMulti));
    }
    multi.mem += argv.iter().map(|a| a.len() + std::mem::size_of::<usize>()).sum::<usize>();
    multi.queued.push((idx, argv.to_vec()));
    // Redis names a queued command in CLIENT LIST's `cmd`, as it looked it up.
    set_last_cmd(session, idx);
    Some(Outcome { reply: Reply::status("QUEUED"), wrote: false, block: None })
}

/// Names `specs[idx]` as the client's last command (CLIENT LIST `cmd`).
fn set_last_cmd(session: &Session, idx: usize) {
    let name = &registry().specs[idx].0;
    let mut last = session.info.last_cmd.lock();
    if *last != *name {
        *last = name.clone();
    }
}

/// EXEC: runs the queued commands under the locks of all their keys. CLIENT LIST's
/// `cmd` says `exec` afterwards, not the last command run inside, as in Redis.
fn exec(state: &ServerState, session: &mut Session, exec_idx: usize) -> Outcome {
    let started = Instant::now();
    set_last_cmd(session, exec_idx);
    let Some(multi) = session.multi.take() else {
        return reject(state, Some(exec_idx), Error::ExecWithoutMulti);
    };
    let dirty = session.watch.dirty.load(Ordering::Acquire);
    state.watches.clear(&mut session.watch);
    if multi.aborted {
        return reject(
            state,
            Some(exec_idx),
            Error::ExecAbort,
        );
    }
    if dirty {
        return Outcome { reply: Reply::NilArray, wrote: false, block: None };
    }
    let reg = registry();
    let store = &state.store;
    let exclusive = multi.queued.iter().any(|(i, _)| reg.specs[*i].1.has(flags::EXCLUSIVE));
    if multi.queued.iter().any(|(i, argv)| reg.specs[*i].1.has(flags::COUNTS) && needs_counts(state, reg.specs[*i].1, argv)) {
        // As for a lone command: wait for a background key recount before the gate.
        let _ = store.wait_counts();
    }
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
            if let Some(n) = args::parse_i64_strict(&argv[1]).filter(|&n| n >= 0 && (n as usize) < store.databases()) {
                db = n as usize;
            }
        }
    }
    let _locks = store.locks.lock(lock_keys.iter().map(|(d, k)| (*d, &k[..])));
    session.may_block = false;
    // The whole transaction is one write batch (see `Atomic`); a lone command commits
    // its own as usual.
    let grouped = multi.queued.len() > 1;
    if grouped {
        open_group(session);
    }
    let mut replies = Vec::with_capacity(multi.queued.len());
    let mut wrote = false;
    for (i, argv) in &multi.queued {
        // Redis checks the ACL again at EXEC, in case the rules changed meanwhile.
        if !session.user.unrestricted() {
            let checked = crate::acl::check::check(&session.user.read(), *i, argv);
            if let Err(denied) = checked {
                super::acl::log_denial(state, session, denied, &reg.specs[*i].0, argv, "multi");
                let why = match denied {
                    crate::acl::Denied::Command => "no permission to execute the command or subcommand",
                    crate::acl::Denied::Key(_) => "no permission to touch the specified keys",
                    crate::acl::Denied::Channel(_) => "no permission to access one of the channels used as arguments",
                };
                replies.push(Reply::error(Error::NoPermChanged(why).to_string()));
                continue;
            }
        }
        let o = run_locked(state, session, *i, argv);
        wrote |= o.wrote;
        replies.push(o.reply);
    }
    session.may_block = true;
    let mut reply = Reply::Array(replies);
    if grouped {
        match commit_group(state, session, false) {
            Ok(group_wrote) => wrote |= group_wrote,
            Err(e) => {
                // Nothing of the transaction was written.
                reply = Reply::error(e.to_string());
                wrote = true;
            }
        }
    }
    set_last_cmd(session, exec_idx);
    state.command_stats[exec_idx].calls.fetch_add(1, Ordering::Relaxed);
    // The whole transaction, its commands' own runs and its commit included.
    state.metrics.command(exec_idx, started.elapsed());
    Outcome { reply, wrote, block: None }
}
