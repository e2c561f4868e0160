//! What a configuration change does to the running server: the checks that need the
//! old value (listening addresses cannot move), the memory budget `maxmemory` splits,
//! the process's OOM score, the log level, and the hook through which the server
//! applies the rest (caches, memtables).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use super::Config;

/// A refusal while applying: the parameter, and Redis-style reason.
pub type Refusal = (&'static str, String);

type Hook = Box<dyn Fn(&Config, &Config) -> Result<(), Refusal> + Send + Sync>;

/// The server's part of applying a CONFIG SET, installed once it has opened storage.
/// Shared by every clone of a [`Config`].
#[derive(Clone, Default)]
pub struct Runtime(Arc<OnceLock<Hook>>);

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() { "Runtime(installed)" } else { "Runtime(none)" })
    }
}

impl Runtime {
    /// Installs the hook called with (old, new) configuration on every CONFIG SET.
    pub fn install(&self, hook: impl Fn(&Config, &Config) -> Result<(), Refusal> + Send + Sync + 'static) {
        let _ = self.0.set(Box::new(hook));
    }
}

/// Applies `new` over `old` to the running server; on a refusal nothing has changed.
pub(super) fn apply(old: &Config, new: &Config) -> Result<(), Refusal> {
    const RESTART: &str = "DiskDB cannot change this while running: set it in the config file and restart";
    if new.port != old.port {
        return Err(("port", RESTART.into()));
    }
    if new.bind != old.bind {
        return Err(("bind", RESTART.into()));
    }
    if new.dir != old.dir {
        return Err(("dir", RESTART.into()));
    }
    let oom_changed = (old.oom_score_adj, old.oom_score_adj_values) != (new.oom_score_adj, new.oom_score_adj_values);
    if oom_changed {
        apply_oom_score(new).map_err(|_| ("oom-score-adj", "Failed to set current oom_score_adj. Check server logs.".to_string()))?;
    }
    if let Some(hook) = old.runtime.0.get() {
        if let Err(e) = hook(old, new) {
            if oom_changed {
                let _ = apply_oom_score(old);
            }
            return Err(e);
        }
    }
    if old.loglevel != new.loglevel {
        super::apply_loglevel(&new.loglevel);
    }
    Ok(())
}

/// The score the process had before DiskDB first changed it.
static OOM_BASE: OnceLock<i32> = OnceLock::new();
static OOM_ADJUSTED: AtomicBool = AtomicBool::new(false);
const OOM_PATH: &str = "/proc/self/oom_score_adj";

/// Redis's `setOOMScoreAdj` for a primary: `oom-score-adj` yes/relative writes the
/// starting score plus the first of `oom-score-adj-values`, absolute writes that value,
/// no puts the starting score back (if DiskDB had changed it). Logged on failure.
pub fn apply_oom_score(c: &Config) -> Result<(), String> {
    let base = || *OOM_BASE.get_or_init(|| std::fs::read_to_string(OOM_PATH).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0));
    let score = match c.oom_score_adj {
        0 if OOM_ADJUSTED.swap(false, Ordering::Relaxed) => base(),
        0 => return Ok(()),
        mode => {
            let relative = if mode == 1 { base() } else { 0 };
            OOM_ADJUSTED.store(true, Ordering::Relaxed);
            (c.oom_score_adj_values[0] + relative).clamp(-1000, 1000)
        }
    };
    std::fs::write(OOM_PATH, format!("{score}\n")).map_err(|e| {
        tracing::warn!("Unable to write oom_score_adj: {e}");
        e.to_string()
    })
}

/// How `maxmemory` is split between RocksDB's block cache, its memtables and the read
/// cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget {
    pub block_cache: usize,
    /// Memtable size of each column family.
    pub write_buffer: usize,
    /// All memtables together: the write buffer manager's limit.
    pub write_buffers: usize,
    pub read_cache: usize,
}

/// Memtables RocksDB keeps per column family at most: the one written and one flushing.
pub const MEMTABLES_PER_CF: usize = 2;
/// Below these RocksDB would flush after every few writes or miss on every read.
const MIN_BLOCK_CACHE: usize = 8 << 20;
const MIN_WRITE_BUFFER: usize = 1 << 20;

impl MemoryBudget {
    pub fn total(&self) -> usize {
        self.block_cache + self.write_buffers + self.read_cache
    }
}

impl Config {
    /// The memory budget for `column_families` column families. Without `maxmemory`
    /// each part is as configured (and the write buffer manager's limit is twice what
    /// the memtables can reach, so it never binds). With it, the read cache gets at most
    /// an eighth, the memtables at most a quarter of the rest, the block cache what
    /// remains; each part only shrinks, never grows past its own setting, and never
    /// below a floor (8 MiB of block cache, 1 MiB memtables), so a tiny `maxmemory` is
    /// exceeded by the floors ([`MemoryBudget::total`] says by how much).
    pub fn memory_budget(&self, column_families: usize) -> MemoryBudget {
        let tables = column_families.max(1) * MEMTABLES_PER_CF;
        if self.maxmemory == 0 {
            return MemoryBudget {
                block_cache: self.block_cache_size,
                write_buffer: self.write_buffer_size,
                write_buffers: self.write_buffer_size.saturating_mul(tables).saturating_mul(2),
                read_cache: self.read_cache_size,
            };
        }
        let max = usize::try_from(self.maxmemory).unwrap_or(usize::MAX);
        let read_cache = self.read_cache_size.min(max / 8);
        let rocks = max - read_cache;
        let write_buffer = (rocks / 4 / tables).max(MIN_WRITE_BUFFER).min(self.write_buffer_size);
        let write_buffers = write_buffer * tables;
        let block_cache = rocks.saturating_sub(write_buffers).max(MIN_BLOCK_CACHE).min(self.block_cache_size);
        MemoryBudget { block_cache, write_buffer, write_buffers, read_cache }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxmemory_bounds_the_sum_and_only_shrinks_parts() {
        let mut c = Config::default();
        let unbounded = c.memory_budget(6);
        assert_eq!((unbounded.block_cache, unbounded.write_buffer, unbounded.read_cache), (256 << 20, 64 << 20, 64 << 20));
        for max in [100u64 << 20, 1 << 30, 64 << 30] {
            c.maxmemory = max;
            let b = c.memory_budget(6);
            assert!(b.total() as u64 <= max, "{b:?} over {max}");
            assert!(
                b.block_cache <= unbounded.block_cache && b.write_buffer <= unbounded.write_buffer && b.read_cache <= unbounded.read_cache
            );
            assert_eq!(b.write_buffers, b.write_buffer * 12);
        }
        c.maxmemory = 1 << 20;
        let tiny = c.memory_budget(6);
        assert_eq!((tiny.block_cache, tiny.write_buffer), (8 << 20, 1 << 20), "floors");
    }

    #[test]
    fn listening_addresses_cannot_move_at_runtime() {
        let old = Config::default();
        let mut new = old.clone();
        new.port += 1;
        assert_eq!(apply(&old, &new).unwrap_err().0, "port");
        assert_eq!(apply(&old, &old.clone()), Ok(()));
    }
}
