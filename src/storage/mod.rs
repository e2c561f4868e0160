//! Storage: the only layer that knows RocksDB exists.
//!
//! Everything above talks to a [`Storage`]: point reads, ordered range scans, atomic
//! write batches and consistent snapshots over a fixed set of column families ([`Cf`]).
//! The RocksDB engine lives in [`rocks`]; the byte layout of every key lives in [`keys`].

pub mod backup;
pub mod hot;
pub mod keys;
pub mod pending;
pub mod rocks;

use std::fmt;

pub use rocks::RocksStorage;

/// Column families. Their names are on disk: never rename one, only add new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cf {
    /// One record per user key: type, expiry, version, size; strings up to 64 KiB keep
    /// their value here too.
    Meta = 0,
    /// Records of a version (`[version][suffix]`): hash fields, set members, list items,
    /// sorted-set members, and the 4 KiB chunks of longer strings.
    Sub = 1,
    /// Sorted-set score index: `[version][encoded score][member]`, in Redis's order.
    Score = 2,
    /// Expiry index: `(db, deadline, key)`, scanned by the active expire cycle.
    Expire = 3,
    /// Key and expiry counters per database, written at a clean shutdown (and read at
    /// start). The merge operator registered on it adds [`Op::Add`] operands.
    Stats = 4,
    /// Which metadata key owns a collection version.
    Owner = 5,
}

impl Cf {
    pub const ALL: [Cf; 6] = [Cf::Meta, Cf::Sub, Cf::Score, Cf::Expire, Cf::Stats, Cf::Owner];

    pub fn name(self) -> &'static str {
        match self {
            Cf::Meta => "meta",
            Cf::Sub => "sub",
            Cf::Score => "score",
            Cf::Expire => "expire",
            Cf::Stats => "stats",
            Cf::Owner => "owner",
        }
    }
}

/// A storage failure. Commands turn it into `-ERR storage error: ...`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StorageError {
    /// RocksDB refused an operation; its own text.
    Engine(String),
    /// A write failed earlier: the writer stopped, and no write is accepted after it
    /// (the text is that first failure's).
    WriterStopped(String),
    /// Writes fail for now (the data directory's disk is full) and the writer retries
    /// them: what a read that would wait for it answers instead. The text is the
    /// short reason (`No space left on device`).
    WriteError(String),
    /// The storage was closed by shutdown.
    Closed,
    /// A thread the storage needs could not be started.
    Thread(String),
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Engine(e) | StorageError::WriterStopped(e) | StorageError::WriteError(e) => f.write_str(e),
            StorageError::Closed => f.write_str("storage is closed"),
            StorageError::Thread(e) => write!(f, "cannot start a storage thread: {e}"),
        }
    }
}

impl std::error::Error for StorageError {}

pub type Result<T> = std::result::Result<T, StorageError>;

/// One operation of an atomic [`Batch`].
#[derive(Debug, Clone)]
pub enum Op {
    Put(Cf, Vec<u8>, Vec<u8>),
    Delete(Cf, Vec<u8>),
    /// Add a little-endian i64 to a counter in [`Cf::Stats`].
    Add(Vec<u8>, i64),
    /// Delete every key in `[from, to)`.
    DeleteRange(Cf, Vec<u8>, Vec<u8>),
}

/// Writes that become visible together, or not at all.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub ops: Vec<Op>,
}

impl Batch {
    pub fn put(&mut self, cf: Cf, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push(Op::Put(cf, key, value));
    }
    pub fn delete(&mut self, cf: Cf, key: Vec<u8>) {
        self.ops.push(Op::Delete(cf, key));
    }
    pub fn add(&mut self, key: Vec<u8>, delta: i64) {
        if delta != 0 {
            self.ops.push(Op::Add(key, delta));
        }
    }
    pub fn delete_range(&mut self, cf: Cf, from: Vec<u8>, to: Vec<u8>) {
        self.ops.push(Op::DeleteRange(cf, from, to));
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// Keys in `[start, end)`, walked forwards or backwards.
#[derive(Debug, Clone)]
pub struct Range<'a> {
    pub start: &'a [u8],
    /// Exclusive; empty means "to the end of the column family".
    pub end: &'a [u8],
    pub reverse: bool,
}

/// What a scan callback answers: go on, or stop here.
pub type Visit<'f> = &'f mut dyn FnMut(&[u8], &[u8]) -> bool;

/// Reads, from the latest state or from a snapshot.
pub trait ReadView {
    fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Calls `visit` for each key in `range`, in order, until it answers `false`.
    fn scan(&self, cf: Cf, range: Range<'_>, visit: Visit<'_>) -> Result<()>;
}

/// A column family's size on disk, as the engine estimates it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bytes of its live SST files (memtables not yet flushed are not counted).
    pub sst_bytes: u64,
    /// Estimated number of records, memtables included.
    pub records: u64,
}

/// RocksDB's own figures, for the Prometheus metrics: properties summed over the column
/// families, and statistics tickers (`None` while statistics are off: see
/// [`rocks::RocksOptions::statistics`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineFigures {
    /// Active and unflushed immutable memtables (`rocksdb.cur-size-all-mem-tables`).
    pub memtable_bytes: u64,
    /// SST files of the current version (`rocksdb.live-sst-files-size`).
    pub sst_live_bytes: u64,
    /// All SST files, obsolete ones not yet deleted included (`rocksdb.total-sst-files-size`).
    pub sst_total_bytes: u64,
    /// Bytes compaction must rewrite to bring every level under its target
    /// (`rocksdb.estimate-pending-compaction-bytes`).
    pub pending_compaction_bytes: u64,
    pub block_cache_usage: u64,
    pub block_cache_capacity: u64,
    pub block_cache_pinned: u64,
    pub block_cache_hits: Option<u64>,
    pub block_cache_misses: Option<u64>,
    /// Time writes spent stalled or slowed (`rocksdb.stall.micros`).
    pub stall_micros: Option<u64>,
    /// Write stalls (delays and stops) since the start, by their cause in
    /// `rocksdb.db-write-stall-stats` / `rocksdb.cf-write-stall-stats`.
    pub stalls_delayed: u64,
    pub stalls_stopped: u64,
    /// 1 while writes are stopped (`rocksdb.is-write-stopped`).
    pub write_stopped: u64,
    pub running_compactions: u64,
    pub running_flushes: u64,
    /// Estimated records, memtables included (`rocksdb.estimate-num-keys`).
    pub estimated_records: u64,
}

/// The storage engine behind every database.
/// RocksDB's statistics counters that INFO rocksdb reports, since the start.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tickers {
    pub block_cache_hits: u64,
    pub block_cache_misses: u64,
    /// Microseconds writes were stalled or slowed down by RocksDB.
    pub stall_micros: u64,
}

pub trait Storage: ReadView + Send + Sync {
    /// Applies `batch` atomically, in order with every other batch. It may be applied
    /// after this returns, but every read from then on sees it (see [`pending`]); wait
    /// for [`Storage::pending`]'s `applied` before acknowledging it to a client.
    /// Durability follows the WAL policy of the engine; `sync_wal` makes everything
    /// written so far durable.
    fn write(&self, batch: Batch) -> Result<()>;
    /// The queue of batches not yet applied.
    fn pending(&self) -> &pending::Pending;
    /// A consistent point-in-time view, for walks over much of the data: its scans do
    /// not fill the block cache.
    fn snapshot(&self) -> Box<dyn ReadView + '_>;
    /// Forces the write-ahead log to stable storage.
    fn sync_wal(&self) -> Result<()>;
    /// Reads a counter written with [`Op::Add`].
    fn counter(&self, key: &[u8]) -> Result<i64>;
    /// An engine statistic by RocksDB property name, for INFO (the default column
    /// family's, or the database's for database-wide properties).
    fn property(&self, name: &str) -> Option<u64>;
    /// A per-column-family property summed over every column family (memtable and SST
    /// sizes, pending compaction bytes), for INFO rocksdb and MEMORY.
    fn property_all(&self, name: &str) -> u64;
    /// The engine's statistics counters, for INFO rocksdb.
    fn tickers(&self) -> Tickers;
    /// The last key of a column family, if any.
    fn last_key(&self, cf: Cf) -> Result<Option<Vec<u8>>>;
    /// Compacts a column family range (used after big range deletes).
    fn compact(&self, cf: Cf, from: &[u8], to: &[u8]);
    /// [`Storage::compact`] of each `(cf, from, to)` on a background thread that the
    /// storage owns: `close` stops and joins it. `done` runs when it has finished.
    fn compact_later(&self, ranges: Vec<(Cf, Vec<u8>, Vec<u8>)>, done: Option<Box<dyn FnOnce() + Send>>);
    /// A consistent copy of the whole database at `path` (which must not exist), taken
    /// while writes go on: every batch applied before the call is in it, and each later
    /// one is either wholly in it or not at all. Table files are hard-linked where the
    /// file system allows. The copy opens as a database of its own.
    fn checkpoint(&self, path: &std::path::Path) -> Result<()>;
    /// What a column family takes on disk.
    fn usage(&self, cf: Cf) -> Usage;
    /// The engine's figures for the metrics (a few property reads: cheap, no I/O).
    fn figures(&self) -> EngineFigures;
    /// Flushes memtables and closes cleanly; further use is an error.
    fn close(&self) -> Result<()>;
}
