//! Backups on disk: RocksDB checkpoints in a backup directory, their names, pruning,
//! and restoring one into a new data directory.
//!
//! ```text
//! <backup-dir>/backup-20261206T130501.123Z/   one complete backup: a RocksDB database
//!     CURRENT MANIFEST-* OPTIONS-* *.sst *.log    (table files hard-linked to the live
//!     DISKDB_BACKUP                                ones on the same file system)
//! <backup-dir>/.backup-...partial/             a backup being written (or left by a
//!                                              crash: removed by the next save)
//! ```
//!
//! Why checkpoints rather than RocksDB's BackupEngine: a checkpoint flushes the
//! memtables and hard-links the table files, so it takes milliseconds and no space of
//! its own at first (RocksDB never rewrites a table file, it only deletes it once
//! compacted away: a backup then keeps that file alive). Two backups share every file
//! that did not change between them, so on one file system successive backups are
//! incremental. Each backup is a plain database directory that a server opens as it
//! is, so restoring is copying a directory and pruning is deleting one. BackupEngine
//! copies every new table file (a save of a 1 GB dataset after a compaction writes
//! 1 GB); it pays off only towards another device, where a checkpoint copies all the
//! files each time (RocksDB falls back to copying when a hard link is refused).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Storage;

/// The file that marks a complete backup, with when it was taken.
pub const MARKER: &str = "DISKDB_BACKUP";
const PREFIX: &str = "backup-";
const PARTIAL: &str = ".partial";

/// Takes a backup of `storage` into `root` (created if missing), then deletes the
/// oldest backups beyond `keep` (0: keeps all). Answers the new backup's path.
pub fn take(storage: &dyn Storage, root: &Path, keep: u32, now_ms: i64) -> Result<PathBuf, String> {
    std::fs::create_dir_all(root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let name = unique_name(root, now_ms);
    let partial = root.join(format!(".{name}{PARTIAL}"));
    if partial.exists() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    storage.checkpoint(&partial).map_err(|e| format!("checkpoint into {}: {e}", partial.display()))?;
    let marker = format!("diskdb-backup 1\ncreated-ms {now_ms}\nserver-version {}\n", env!("CARGO_PKG_VERSION"));
    write_synced(&partial.join(MARKER), marker.as_bytes()).map_err(|e| format!("cannot write the backup marker: {e}"))?;
    let done = root.join(&name);
    std::fs::rename(&partial, &done).map_err(|e| format!("cannot rename {} to {}: {e}", partial.display(), done.display()))?;
    sync_dir(root);
    prune(root, keep);
    Ok(done)
}

/// `backup-<UTC time to the millisecond>`, with a counter if that name is taken (two
/// saves within one millisecond): names sort in the order the backups were taken.
fn unique_name(root: &Path, now_ms: i64) -> String {
    let base = format!("{PREFIX}{}", utc_stamp(now_ms));
    let mut name = base.clone();
    let mut n = 1;
    while root.join(&name).exists() {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// Complete backups in `root`, oldest first.
pub fn list(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX))
        .map(|e| e.path())
        .filter(|p| p.join(MARKER).is_file())
        .collect();
    found.sort();
    found
}

/// Deletes the oldest complete backups beyond `keep` (0: none), and partial ones that
/// a crash left behind.
pub fn prune(root: &Path, keep: u32) {
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(PARTIAL) && !is_in_progress(&e.path()) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    if keep == 0 {
        return;
    }
    let all = list(root);
    let excess = all.len().saturating_sub(keep as usize);
    for old in &all[..excess] {
        match std::fs::remove_dir_all(old) {
            Ok(()) => tracing::info!(path = %old.display(), "old backup deleted (backup-keep)"),
            Err(e) => tracing::warn!(path = %old.display(), error = %e, "cannot delete an old backup"),
        }
    }
}

/// A partial directory another save is writing right now: younger than a minute.
fn is_in_progress(p: &Path) -> bool {
    p.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() < 60)
}

/// Resolves what `diskdb restore` was given: a backup itself, or a backup directory
/// (its newest backup).
pub fn resolve(given: &Path) -> Result<PathBuf, String> {
    if given.join(MARKER).is_file() {
        return Ok(given.to_path_buf());
    }
    if !given.is_dir() {
        return Err(format!("{}: no such backup", given.display()));
    }
    list(given).pop().ok_or_else(|| {
        format!("{}: neither a backup (no {MARKER} file) nor a directory of backups", given.display())
    })
}

/// Restores `backup` into `dir`, which must be missing or empty (a live server's data
/// directory never is: it holds RocksDB's LOCK file at least). Table files are
/// hard-linked where the file system allows (RocksDB never modifies them), every other
/// file is copied; everything is synced before this returns. Answers the bytes copied
/// and the files linked.
pub fn restore(backup: &Path, dir: &Path) -> Result<(u64, usize), String> {
    if !backup.join("CURRENT").is_file() {
        return Err(format!("{}: not a backup (no CURRENT file)", backup.display()));
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "{}: the directory is not empty (a data directory in use, or files of another database); restore into a new or empty directory",
                    dir.display()
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?
        }
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    }
    let mut copied = 0u64;
    let mut linked = 0usize;
    let entries = std::fs::read_dir(backup).map_err(|e| format!("{}: {e}", backup.display()))?;
    for e in entries {
        let e = e.map_err(|e| format!("{}: {e}", backup.display()))?;
        let name = e.file_name();
        if name == MARKER || !e.file_type().map(|t| t.is_file()).unwrap_or(false) {
            continue;
        }
        let (from, to) = (e.path(), dir.join(&name));
        let is_table = name.to_string_lossy().ends_with(".sst");
        if is_table && std::fs::hard_link(&from, &to).is_ok() {
            linked += 1;
            continue;
        }
        copied += std::fs::copy(&from, &to).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
        std::fs::File::open(&to).and_then(|f| f.sync_all()).map_err(|e| format!("cannot sync {}: {e}", to.display()))?;
    }
    sync_dir(dir);
    Ok((copied, linked))
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes the directory's entries (a rename, new files) durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// `YYYYMMDDTHHMMSS.mmmZ` for a Unix time in milliseconds (UTC).
pub fn utc_stamp(ms: i64) -> String {
    let (secs, millis) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}.{millis:03}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_sort_in_time_order() {
        assert_eq!(utc_stamp(0), "19700101T000000.000Z");
        assert_eq!(utc_stamp(1_796_562_016_123), "20261206T130016.123Z");
        assert_eq!(utc_stamp(951_782_400_000), "20000229T000000.000Z");
        assert!(utc_stamp(1_796_562_016_123) < utc_stamp(1_796_562_016_124));
    }

    #[test]
    fn prune_keeps_the_newest() {
        let root = tempfile::tempdir().unwrap();
        for i in 0..4 {
            let b = root.path().join(format!("{PREFIX}2026120{i}T000000.000Z"));
            std::fs::create_dir(&b).unwrap();
            std::fs::write(b.join(MARKER), "x").unwrap();
        }
        // Not a backup: no marker. Left alone.
        std::fs::create_dir(root.path().join("backup-other")).unwrap();
        prune(root.path(), 2);
        let left: Vec<_> = list(root.path()).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(left, ["backup-20261202T000000.000Z", "backup-20261203T000000.000Z"]);
        assert!(root.path().join("backup-other").exists());
        assert_eq!(resolve(root.path()).unwrap(), root.path().join("backup-20261203T000000.000Z"));
    }

    #[test]
    fn restore_refuses_a_non_empty_directory() {
        let (backup, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(backup.path().join("CURRENT"), "MANIFEST-000001\n").unwrap();
        std::fs::write(dir.path().join("LOCK"), "").unwrap();
        let e = restore(backup.path(), dir.path()).unwrap_err();
        assert!(e.contains("not empty"), "{e}");
        std::fs::remove_file(dir.path().join("LOCK")).unwrap();
        assert_eq!(restore(backup.path(), dir.path()).unwrap(), (16, 0));
    }
}
