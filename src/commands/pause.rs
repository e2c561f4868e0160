//! CLIENT PAUSE and CLIENT UNPAUSE, and the [`Pause`] state every connection consults
//! before it runs a command.
//!
//! # Semantics (Redis 7.0's `pauseClients` and `processCommand`)
//!
//! - `CLIENT PAUSE ms WRITE` postpones every command that writes or may publish
//!   (`write` flag, PUBLISH, SPUBLISH, and EXEC of a transaction that queued one) until
//!   the pause ends; reads, and commands queued inside MULTI that do not write, run.
//! - `CLIENT PAUSE ms [ALL]` postpones every command of every client, CLIENT UNPAUSE
//!   included (a paused server waits for the timeout), as Redis does.
//! - A second pause keeps the later end and the stronger mode.
//! - MONITOR clients are never paused (Redis counts them as replicas).
//! - While paused the dataset stays constant: the active expire cycle and the maxdisk
//!   evictor skip their rounds. A key read after its deadline still reads as missing;
//!   unlike Redis, that read removes it (DiskDB has no replicas to keep in step).
//! - A postponed client waits without holding any lock, and its pipeline stays in
//!   order behind the postponed command.
//!
//! INFO clients shows the pause as `paused_reason`, `paused_actions` and
//! `paused_timeout_milliseconds` (the fields later Redis versions report; 7.0 has none).

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;

use super::args;
use super::context::{Ctx, Session};
use super::registry;
use super::table::flags;
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::now_ms;

/// What a pause holds back.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Mode {
    Write = 1,
    All = 2,
}

/// The server's pause: none, or a mode until a deadline.
#[derive(Default)]
pub struct Pause {
    /// 0 none, else [`Mode`] as a number: the one load the hot path pays.
    mode: AtomicU8,
    /// (mode, end in unix ms) while paused.
    inner: Mutex<Option<(Mode, i64)>>,
    /// Woken by CLIENT UNPAUSE and by a new pause (which may change what waits).
    changed: Notify,
}

impl Pause {
    /// The pause in force now, if any; an expired pause is cleared here.
    pub fn current(&self) -> Option<(Mode, i64)> {
        if self.mode.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut inner = self.inner.lock();
        match *inner {
            Some((_, end)) if now_ms() >= end => {
                *inner = None;
                self.mode.store(0, Ordering::Relaxed);
                drop(inner);
                self.changed.notify_waiters();
                None
            }
            other => other,
        }
    }

    /// Whether writes are held back now (either mode): expiry and eviction wait too.
    pub fn writes_paused(&self) -> bool {
        self.current().is_some()
    }

    /// CLIENT PAUSE: pauses until `end_ms`, keeping a later end and a stronger mode.
    pub fn pause(&self, mode: Mode, end_ms: i64) {
        let mut inner = self.inner.lock();
        let (m, e) = match *inner {
            Some((m, e)) => (m.max(mode), e.max(end_ms)),
            None => (mode, end_ms),
        };
        *inner = Some((m, e));
        self.mode.store(m as u8, Ordering::Relaxed);
        drop(inner);
        self.changed.notify_waiters();
    }

    /// CLIENT UNPAUSE.
    pub fn unpause(&self) {
        *self.inner.lock() = None;
        self.mode.store(0, Ordering::Relaxed);
        self.changed.notify_waiters();
    }

    /// Whether `argv` from `session` must wait now. One atomic load while not paused.
    pub fn holds(&self, session: &Session, argv: &[Bytes]) -> bool {
        if self.mode.load(Ordering::Relaxed) == 0 || session.monitor {
            return false;
        }
        match self.current() {
            None => false,
            Some((Mode::All, _)) => true,
            Some((Mode::Write, _)) => may_write(session, argv),
        }
    }

    /// Waits while `argv` is held back; returns when it may run. The caller races this
    /// against its connection's kill and shutdown signals.
    pub async fn wait(&self, session: &Session, argv: &[Bytes]) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the check, so an UNPAUSE in between is not missed.
            changed.as_mut().enable();
            if !self.holds(session, argv) {
                return;
            }
            let left = self.current().map(|(_, end)| (end - now_ms()).max(1)).unwrap_or(1);
            tokio::select! {
                _ = changed => {}
                _ = tokio::time::sleep(Duration::from_millis(left as u64)) => {}
            }
        }
    }

    /// INFO clients: `(paused_reason, paused_actions, paused_timeout_milliseconds)`.
    pub fn info(&self) -> (&'static str, &'static str, i64) {
        match self.current() {
            None => ("none", "none", 0),
            Some((mode, end)) => {
                let actions = if mode == Mode::All { "all" } else { "write" };
                ("client_pause", actions, (end - now_ms()).max(0))
            }
        }
    }
}

/// Commands that publish or write without the `write` flag (Redis's `may-replicate`
/// commands DiskDB has: PFCOUNT writes the cardinality it computed into the HLL).
pub fn may_replicate(name: &str) -> bool {
    matches!(name, "publish" | "spublish" | "pfcount")
}

/// Whether `argv` writes or may publish, as a WRITE pause decides: an EXEC counts its
/// queued commands. An unknown command is not held: dispatch refuses it.
fn may_write(session: &Session, argv: &[Bytes]) -> bool {
    let reg = registry();
    let Some(idx) = reg.index_of(&argv[0]) else { return false };
    let spec = reg.specs[idx].1;
    if spec.name == "exec" {
        return session.multi.as_ref().is_some_and(|m| {
            m.queued.iter().any(|(i, _)| {
                let s = reg.specs[*i].1;
                s.has(flags::WRITE) || may_replicate(s.name)
            })
        });
    }
    spec.has(flags::WRITE) || may_replicate(spec.name)
}

/// `CLIENT PAUSE timeout [WRITE | ALL]`: holds clients' commands back for `timeout`
/// milliseconds (see the module docs). O(1).
/// Errors: `ERR CLIENT PAUSE mode must be WRITE or ALL`, `ERR timeout is not an integer
/// or out of range`, `ERR timeout is negative`, and CLIENT's unknown-subcommand error for
/// more arguments.
pub fn client_pause(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 4 {
        return Err(Error::SubcommandSyntax {
            sub: String::from_utf8_lossy(&argv[1]).into_owned(),
            container: String::from_utf8_lossy(&argv[0]).to_uppercase(),
        });
    }
    // The mode is checked before the timeout, as Redis does.
    let mode = match argv.get(3) {
        None => Mode::All,
        Some(m) if args::is(m, "write") => Mode::Write,
        Some(m) if args::is(m, "all") => Mode::All,
        Some(_) => return Err(Error::PauseMode),
    };
    let timeout = args::parse_i64_strict(&argv[2]).ok_or(Error::TimeoutNotInteger)?;
    if timeout < 0 {
        return Err(Error::TimeoutNegative);
    }
    ctx.server.pause.pause(mode, now_ms().saturating_add(timeout));
    Ok(Reply::ok())
}

/// `CLIENT UNPAUSE`: ends a pause at once; postponed commands run. O(N) in the
/// postponed clients.
pub fn client_unpause(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.server.pause.unpause();
    Ok(Reply::ok())
}
