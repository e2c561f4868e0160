//! SAVE, BGSAVE, LASTSAVE, the save points and INFO persistence's save fields.
//!
//! A save is a backup of every database (a RocksDB checkpoint, see
//! [`crate::storage::backup`]) into `backup-dir` (default `<dir>/backups`), taken while
//! clients go on writing: it holds every write acknowledged before it began, and each
//! later write wholly or not at all. SAVE takes it on the calling client's thread;
//! BGSAVE, the save points and SHUTDOWN's hand it to the `bgsave` thread
//! ([`worker`]). One save runs at a time, as in Redis. `backup-keep` prunes old ones.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use bytes::Bytes;

use crate::commands::args;
use crate::commands::context::{Ctx, ServerState};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::now_ms;

/// After a failed save, save points wait this long before trying again (Redis's
/// CONFIG_BGSAVE_RETRY_DELAY).
const RETRY_DELAY_SECS: i64 = 5;

/// The state of saves, shared by the commands, the `bgsave` thread and INFO.
pub struct Saves {
    /// A save is running (one at a time).
    in_progress: AtomicBool,
    /// ... and it is a background one (INFO `rdb_bgsave_in_progress`).
    background: AtomicBool,
    /// When the running save started, Unix ms.
    started_ms: AtomicI64,
    /// Unix seconds of the last successful save (LASTSAVE), or of the start.
    last_save: AtomicI64,
    /// Unix seconds of the last attempt, successful or not.
    last_try: AtomicI64,
    last_ok: AtomicBool,
    /// Seconds the last save took; -1 before the first.
    last_secs: AtomicI64,
    /// Successful saves since start (INFO `rdb_saves`).
    count: AtomicU64,
    /// The write counter when the last successful save began: what it holds.
    dirty_at_save: AtomicU64,
    last_path: Mutex<Option<PathBuf>>,
    /// A BGSAVE waiting for the `bgsave` thread.
    requested: Mutex<bool>,
    wake: Condvar,
}

impl Saves {
    pub fn new(now_secs: i64) -> Saves {
        Saves {
            in_progress: AtomicBool::new(false),
            background: AtomicBool::new(false),
            started_ms: AtomicI64::new(0),
            last_save: AtomicI64::new(now_secs),
            last_try: AtomicI64::new(0),
            last_ok: AtomicBool::new(true),
            last_secs: AtomicI64::new(-1),
            count: AtomicU64::new(0),
            dirty_at_save: AtomicU64::new(0),
            last_path: Mutex::new(None),
            requested: Mutex::new(false),
            wake: Condvar::new(),
        }
    }

    /// LASTSAVE: Unix seconds of the last successful save (the start time before one).
    pub fn last_save(&self) -> i64 {
        self.last_save.load(Ordering::Relaxed)
    }

    /// Claims the right to run a save; false while another one runs.
    fn begin(&self, background: bool) -> bool {
        if self.in_progress.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return false;
        }
        self.background.store(background, Ordering::Relaxed);
        self.started_ms.store(now_ms(), Ordering::Relaxed);
        true
    }

    /// Writes since the last successful save began.
    pub fn changes_since_save(&self, state: &ServerState) -> u64 {
        state.store.stats.dirty.load(Ordering::Relaxed).saturating_sub(self.dirty_at_save.load(Ordering::Relaxed))
    }

    /// Hands a save claimed with [`Saves::begin`] to the `bgsave` thread.
    fn request(&self) {
        *self.requested.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Wakes the `bgsave` thread to notice shutdown.
    pub fn wake(&self) {
        let _guard = self.requested.lock().unwrap_or_else(|e| e.into_inner());
        self.wake.notify_all();
    }

    /// INFO persistence's save fields, named as Redis 7.0 names them (the fork and
    /// copy-on-write ones are 0: DiskDB never forks), then DiskDB's own.
    pub fn info(&self, state: &ServerState, line: &mut dyn FnMut(&str, &dyn std::fmt::Display)) {
        let running = self.in_progress.load(Ordering::Acquire);
        let background = running && self.background.load(Ordering::Relaxed);
        for k in ["current_cow_peak", "current_cow_size", "current_cow_size_age"] {
            line(k, &0);
        }
        line("current_fork_perc", &"0.00");
        line("current_save_keys_processed", &0);
        line("current_save_keys_total", &0);
        line("rdb_changes_since_last_save", &self.changes_since_save(state));
        line("rdb_bgsave_in_progress", &u8::from(background));
        line("rdb_last_save_time", &self.last_save());
        line("rdb_last_bgsave_status", &if self.last_ok.load(Ordering::Relaxed) { "ok" } else { "err" });
        line("rdb_last_bgsave_time_sec", &self.last_secs.load(Ordering::Relaxed));
        let current = if background { (now_ms() - self.started_ms.load(Ordering::Relaxed)) / 1000 } else { -1 };
        line("rdb_current_bgsave_time_sec", &current);
        line("rdb_saves", &self.count.load(Ordering::Relaxed));
        line("rdb_last_cow_size", &0);
        line("rdb_last_load_keys_expired", &0);
        line("rdb_last_load_keys_loaded", &state.diag.recovered_keys.load(Ordering::Relaxed));
        // DiskDB's own: where backups go, and the last one.
        let root = state.config.read().backup_root();
        line("backup_dir", &root.display());
        let last = self.last_path.lock().unwrap_or_else(|e| e.into_inner()).clone();
        line("backup_last_path", &last.map(|p| p.display().to_string()).unwrap_or_default());
        line("backup_count", &crate::storage::backup::list(&root).len());
        // DiskDB's own: the background key recount after an unclean shutdown.
        let recount = &state.store.recount;
        line("keys_recount_in_progress", &u8::from(recount.running()));
        line("keys_recount_scanned", &recount.scanned());
    }
}

/// Runs a save claimed with [`Saves::begin`] and records its outcome. `why` is for the log.
fn run(state: &ServerState, why: &str) -> std::result::Result<PathBuf, String> {
    let saves = &state.saves;
    let dirty_before = state.store.stats.dirty.load(Ordering::Relaxed);
    let (root, keep) = {
        let cfg = state.config.read();
        (cfg.backup_root(), cfg.backup_keep)
    };
    let start = now_ms();
    tracing::info!(reason = why, dir = %root.display(), "saving a backup");
    let result = crate::storage::backup::take(&*state.store.storage, &root, keep, start);
    let end = now_ms();
    saves.last_try.store(end / 1000, Ordering::Relaxed);
    saves.last_secs.store((end - start) / 1000, Ordering::Relaxed);
    match &result {
        Ok(path) => {
            saves.last_ok.store(true, Ordering::Relaxed);
            saves.last_save.store(end / 1000, Ordering::Relaxed);
            saves.dirty_at_save.store(dirty_before, Ordering::Relaxed);
            saves.count.fetch_add(1, Ordering::Relaxed);
            *saves.last_path.lock().unwrap_or_else(|e| e.into_inner()) = Some(path.clone());
            tracing::info!(path = %path.display(), ms = end - start, "backup saved");
        }
        Err(e) => {
            saves.last_ok.store(false, Ordering::Relaxed);
            tracing::error!(error = %e, "backup failed");
        }
    }
    saves.in_progress.store(false, Ordering::Release);
    result
}

/// A save on the calling thread, for SAVE and SHUTDOWN: `Err(None)` while another runs.
pub fn save_now(state: &ServerState, why: &str) -> std::result::Result<PathBuf, Option<String>> {
    if !state.saves.begin(false) {
        return Err(None);
    }
    run(state, why).map_err(Some)
}

/// Redis's save-point rule: some `save <seconds> <changes>` with at least `changes`
/// writes since the last save, which was more than `seconds` ago.
fn save_point_reached(points: &[(i64, i32)], changes: u64, elapsed_secs: i64) -> bool {
    points.iter().any(|&(secs, min)| changes >= min.max(0) as u64 && elapsed_secs > secs)
}

/// Whether a save point asks for a save now (after a failure, only once
/// [`RETRY_DELAY_SECS`] have passed, as Redis).
fn save_point_due(state: &ServerState) -> bool {
    let saves = &state.saves;
    let now = now_ms() / 1000;
    let changes = saves.changes_since_save(state);
    if changes == 0 {
        return false;
    }
    if !saves.last_ok.load(Ordering::Relaxed) && now - saves.last_try.load(Ordering::Relaxed) <= RETRY_DELAY_SECS {
        return false;
    }
    save_point_reached(&state.config.read().save, changes, now - saves.last_save())
}

/// The `bgsave` thread: runs BGSAVEs as they are asked for, and checks the save points
/// ten times a second, until shutdown.
pub fn worker(state: Arc<ServerState>) {
    let saves = &state.saves;
    loop {
        let requested = {
            let guard = saves.requested.lock().unwrap_or_else(|e| e.into_inner());
            let (mut guard, _) = saves
                .wake
                .wait_timeout_while(guard, Duration::from_millis(100), |r| !*r && !state.shutdown.is_triggered())
                .unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *guard)
        };
        if requested {
            let _ = run(&state, "BGSAVE");
        } else if state.shutdown.is_triggered() {
            return;
        } else if save_point_due(&state) && saves.begin(true) {
            let _ = run(&state, "save point");
        }
    }
}

// ---------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------

/// `SAVE`: takes a backup now and answers when it is complete. O(files): the memtables
/// are flushed, the table files hard-linked. Errors: `ERR Background save already in
/// progress`; `ERR` when the backup failed (the log says why; INFO
/// `rdb_last_bgsave_status:err`).
pub(in crate::commands) fn save(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    match save_now(ctx.server, "SAVE") {
        Ok(_) => Ok(Reply::ok()),
        Err(None) => Err(Error::BgsaveInProgress),
        Err(Some(_)) => Err(Error::SaveFailed),
    }
}

/// `BGSAVE [SCHEDULE]`: starts a backup on the `bgsave` thread and answers at once
/// `Background saving started`. SCHEDULE changes nothing in DiskDB (Redis uses it to
/// wait for another child process; DiskDB forks none). Errors: `ERR Background save
/// already in progress`; syntax error.
pub(in crate::commands) fn bgsave(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    match argv {
        [_] => {}
        [_, a] if args::is(a, "schedule") => {}
        _ => return Err(Error::Syntax),
    }
    let saves = &ctx.server.saves;
    if !saves.begin(true) {
        return Err(Error::BgsaveInProgress);
    }
    saves.request();
    Ok(Reply::status("Background saving started"))
}

/// `LASTSAVE`: Unix time of the last successful save (SAVE, BGSAVE, a save point), or
/// of the server's start before one. O(1).
pub(in crate::commands) fn lastsave(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.server.saves.last_save()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_points_follow_redis_rule() {
        let points = [(3600, 1), (300, 100), (60, 10000)];
        assert!(!save_point_reached(&points, 0, 10_000));
        assert!(save_point_reached(&points, 1, 3601));
        assert!(!save_point_reached(&points, 1, 3600));
        assert!(save_point_reached(&points, 100, 301));
        assert!(!save_point_reached(&points, 99, 301));
        assert!(save_point_reached(&points, 10_000, 61));
        assert!(!save_point_reached(&[], 1_000_000, 1_000_000));
    }
}
