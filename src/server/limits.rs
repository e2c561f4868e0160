//! The open-file limit `maxclients` needs, raised as Redis's adjustOpenFilesLimit does.
//!
//! Every client is a descriptor, and so is every RocksDB file the server keeps open.
//! DiskDB needs `maxclients` + 32 (Redis's CONFIG_MIN_RESERVED_FDS, for listeners, logs,
//! the pid file) + RocksDB's share ([`ROCKSDB_FILES`]; RocksDB's `max_open_files` is set
//! from it, so its table cache closes files beyond it instead of failing). At start the
//! soft and hard `RLIMIT_NOFILE` are raised to that, stepping down 16 at a time when the
//! system refuses, as Redis does; when the limit stays lower, RocksDB's share shrinks to
//! a quarter of it (at least [`ROCKSDB_MIN_FILES`]) and `maxclients` to what is left,
//! with Redis's warnings. CONFIG SET maxclients raises the limit again, or is refused
//! with Redis's text.

use std::sync::atomic::{AtomicU64, Ordering};

/// Descriptors reserved beside clients and RocksDB (Redis's CONFIG_MIN_RESERVED_FDS).
pub const RESERVED: u64 = 32;
/// RocksDB's share of descriptors when the limit allows it.
pub const ROCKSDB_FILES: u64 = 1024;
/// The least RocksDB is given however low the limit.
pub const ROCKSDB_MIN_FILES: u64 = 64;

/// RocksDB's share, fixed when storage opens (for CONFIG SET maxclients later).
static ROCKSDB_SHARE: AtomicU64 = AtomicU64::new(ROCKSDB_FILES);

/// What the start-up adjustment settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePlan {
    pub maxclients: usize,
    /// Descriptors RocksDB may keep open (its `max_open_files` is this less a few for
    /// its log, manifest and write-ahead log).
    pub rocksdb_files: u64,
    pub limit: u64,
}

fn current_limit() -> Option<(u64, u64)> {
    rlimit::getrlimit(rlimit::Resource::NOFILE).ok()
}

fn set_limits(soft: u64, hard: u64) -> bool {
    rlimit::setrlimit(rlimit::Resource::NOFILE, soft, hard).is_ok()
}

/// Raises the limit towards `want`: answers the limit in force afterwards.
fn raise_to(want: u64) -> u64 {
    let Some((cur, max)) = current_limit() else { return want };
    if cur >= want {
        return cur;
    }
    // Raising the soft limit within the hard one needs no privilege; keep the hard one
    // where it is when it suffices.
    if want <= max && set_limits(want, max) {
        return want;
    }
    // Redis's loop: try both limits at `best`, 16 less each time, down to the old limit.
    let mut best = want;
    while best > cur {
        if set_limits(best, best) {
            return best;
        }
        best = best.saturating_sub(16);
    }
    let (now, hard) = current_limit().unwrap_or((cur, max));
    // At least take whatever the hard limit allows.
    if now < hard && set_limits(hard.min(want), hard) {
        return hard.min(want);
    }
    now
}

/// At start: raises the limit for `maxclients` and splits what there is between clients
/// and RocksDB.
pub fn plan(maxclients: usize) -> FilePlan {
    let want = maxclients as u64 + RESERVED + ROCKSDB_FILES;
    let limit = raise_to(want);
    let plan = split(maxclients, limit);
    if plan.maxclients < maxclients {
        tracing::warn!(
            "You requested maxclients of {maxclients} requiring at least {want} max file descriptors. Current maximum open files is {limit}. \
             maxclients has been reduced to {} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
            plan.maxclients
        );
    } else if limit < want {
        tracing::warn!(limit, want, rocksdb_files = plan.rocksdb_files, "open-file limit below what DiskDB asks for; RocksDB keeps fewer files open");
    }
    ROCKSDB_SHARE.store(plan.rocksdb_files, Ordering::Relaxed);
    plan
}

/// How `limit` descriptors are shared: RocksDB's full share if clients still fit,
/// otherwise a quarter of the limit, and clients get the rest (at least 1).
fn split(maxclients: usize, limit: u64) -> FilePlan {
    let need = maxclients as u64 + RESERVED;
    let rocksdb_files = if limit >= need + ROCKSDB_FILES {
        ROCKSDB_FILES
    } else {
        (limit / 4).clamp(ROCKSDB_MIN_FILES, ROCKSDB_FILES)
    };
    let room = limit.saturating_sub(RESERVED + rocksdb_files).max(1);
    FilePlan { maxclients: (maxclients as u64).min(room) as usize, rocksdb_files, limit }
}

/// CONFIG SET maxclients: raises the limit for `maxclients`, or answers Redis's refusal
/// with the number of clients the system can take.
pub fn allow(maxclients: usize) -> Result<(), String> {
    let rocksdb = ROCKSDB_SHARE.load(Ordering::Relaxed);
    let want = maxclients as u64 + RESERVED + rocksdb;
    let limit = raise_to(want);
    if limit >= want {
        return Ok(());
    }
    let possible = limit.saturating_sub(RESERVED + rocksdb).max(1);
    Err(format!("The operating system is not able to handle the specified number of clients, try with {possible}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_low_limit_shrinks_rocksdb_then_maxclients() {
        assert_eq!(split(10_000, 20_000), FilePlan { maxclients: 10_000, rocksdb_files: 1024, limit: 20_000 });
        // 1024 descriptors: RocksDB gets a quarter, clients the rest.
        assert_eq!(split(10_000, 1024), FilePlan { maxclients: 1024 - 32 - 256, rocksdb_files: 256, limit: 1024 });
        // Clients fit beside a smaller RocksDB share: they keep their number.
        assert_eq!(split(100, 1024), FilePlan { maxclients: 100, rocksdb_files: 256, limit: 1024 });
        assert_eq!(split(10, 50).maxclients, 1);
    }
}
