//! The RocksDB engine: column families, merge counters, the stale-sub-key compaction
//! filter and WAL control.
//!
//! Closing is deterministic and happens on the thread that drops [`RocksStorage`]:
//! RocksDB closes a database in the destructor of its last handle, and that destructor
//! waits for the background jobs. A handle dropped on one of RocksDB's own threads (a
//! compaction filter that had upgraded its weak reference) would wait for the very job
//! it runs in, and the process would hang at exit joining that thread. So every strong
//! reference other than `RocksStorage::db` lives on a thread this module joins (the
//! writer, background compactions), and `close` and `drop` cancel RocksDB's background
//! work and wait for it while `db` is still held: once they return, no filter can hold
//! a reference, and `db` is the last one.

use std::path::Path;
use std::sync::{Arc, OnceLock, Weak};

use rocksdb::{
    compaction_filter::Decision, BlockBasedIndexType, BlockBasedOptions, DataBlockIndexType, Cache, ColumnFamilyDescriptor, DBCompressionType,
    MergeOperands, MultiThreaded, Options, ReadOptions, WriteBatch, WriteBufferManager,
    WriteOptions, DBWithThreadMode,
};

use super::hot::HotMeta;
use super::pending::{Job, Pending};
use super::{keys, Batch, Cf, Op, Range, ReadView, Result, Storage, StorageError, Visit};

type Db = DBWithThreadMode<MultiThreaded>;

/// Extracts the live version from a metadata record, or `None` when the record owns no
/// sub-keys. Supplied by the type layer, so this module never learns the metadata format.
pub type VersionOf = fn(&[u8]) -> Option<u64>;

/// Tuning knobs that come from the configuration.
#[derive(Debug, Clone)]
pub struct RocksOptions {
    pub block_cache_bytes: usize,
    /// Memtable size of each column family.
    pub write_buffer_bytes: usize,
    /// All memtables together: past it RocksDB flushes the largest early (`maxmemory`).
    pub write_buffers_limit: usize,
    pub background_jobs: i32,
    /// Table files RocksDB keeps open at most (-1: all); see `server::limits`.
    pub max_open_files: i32,
    /// Codec of every level but the last (`rocksdb-compression`), by [`codec`] name.
    pub compression: &'static str,
    /// Codec of the last level (`rocksdb-bottommost-compression`), where most data ends
    /// up with RocksDB's dynamic level sizes.
    pub bottommost_compression: &'static str,
}

impl Default for RocksOptions {
    fn default() -> Self {
        RocksOptions { block_cache_bytes: 256 << 20, write_buffer_bytes: 64 << 20, write_buffers_limit: 1536 << 20, background_jobs: 2, max_open_files: -1, compression: "lz4", bottommost_compression: "zstd" }
    }
}

pub struct RocksStorage {
    db: Arc<Db>,
    closed: std::sync::atomic::AtomicBool,
    /// Batches on their way to the writer thread (see [`super::pending`]).
    pending: Arc<Pending>,
    /// Metadata records of keys read over and over (see [`super::hot`]).
    hot: HotMeta,
    writer: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Threads running [`Storage::compact_later`], joined by `close` and `drop`.
    compactions: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// The memory `maxmemory` bounds, resized by [`RocksStorage::set_memory`].
    cache: Cache,
    write_buffers: WriteBufferManager,
    /// The database options, kept for RocksDB's statistics tickers (INFO rocksdb).
    stats: Options,
}

/// A codec by its configuration name (`none`, `snappy`, `lz4`, `zstd`; anything else
/// is lz4): the crate's value, and RocksDB's name in option strings and OPTIONS files.
pub fn codec(name: &str) -> (DBCompressionType, &'static str) {
    match name {
        "none" => (DBCompressionType::None, "kNoCompression"),
        "snappy" => (DBCompressionType::Snappy, "kSnappyCompression"),
        "zstd" => (DBCompressionType::Zstd, "kZSTD"),
        _ => (DBCompressionType::Lz4, "kLZ4Compression"),
    }
}

thread_local! {
    /// Default read options, made once per thread: `get_cf` makes and frees a C++
    /// ReadOptions on every call (an allocation and ~120 instructions per point read).
    static READ_OPTIONS: ReadOptions = ReadOptions::default();
}

fn err(e: rocksdb::Error) -> StorageError {
    StorageError::Engine(e.into_string())
}

fn add_merge(_key: &[u8], existing: Option<&[u8]>, operands: &MergeOperands) -> Option<Vec<u8>> {
    let mut total = existing.map(decode_counter).unwrap_or(0);
    for op in operands {
        total = total.wrapping_add(decode_counter(op));
    }
    Some(total.to_le_bytes().to_vec())
}

fn decode_counter(raw: &[u8]) -> i64 {
    raw.try_into().map(i64::from_le_bytes).unwrap_or(0)
}

impl RocksStorage {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path, tuning: &RocksOptions, version_of: VersionOf) -> Result<Self> {
        let cache = Cache::new_lru_cache(tuning.block_cache_bytes);
        // Counts every memtable's memory; flushes the largest early past the limit.
        let write_buffers = WriteBufferManager::new_write_buffer_manager(tuning.write_buffers_limit, false);
        let weak: Arc<OnceLock<Weak<Db>>> = Arc::new(OnceLock::new());

        // Compactions run at the lowest CPU priority: on a small machine they would
        // otherwise take cycles from the thread serving clients in the middle of a burst;
        // they catch up when it idles, and RocksDB's write stalls bound how far behind
        // they can fall. Flushes (the high-priority pool) keep normal priority.
        let mut env = rocksdb::Env::new().map_err(err)?;
        env.lower_thread_pool_cpu_priority();
        let mut db_opts = Options::default();
        db_opts.set_env(&env);
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        db_opts.set_max_background_jobs(tuning.background_jobs);
        db_opts.set_max_open_files(tuning.max_open_files);
        // No manual WAL flush: the writer thread's one write per group of batches hands
        // its WAL record to the operating system itself (one write(2), as the flush did).
        // With manual_wal_flush RocksDB treats any failed WAL write as a fatal error that
        // only reopening the database clears (ErrorHandler::SetBGError, "A potentially
        // WAL error happened"); without it a full disk is a hard error that RocksDB's
        // SstFileManager clears by itself once space is free (see `run_writer`).
        db_opts.set_manual_wal_flush(false);
        db_opts.set_keep_log_file_num(4);
        db_opts.set_max_total_wal_size(512 << 20);
        db_opts.set_write_buffer_manager(&write_buffers);
        // Tickers only (block cache hits and misses, stall time, for INFO rocksdb):
        // per-core counters, without the timers and histograms that cost on every read.
        db_opts.enable_statistics();
        db_opts.set_statistics_level(rocksdb::statistics::StatsLevel::ExceptHistogramOrTimers);

        let descriptors = Cf::ALL.iter().map(|&cf| {
            let mut o = Options::default();
            let mut table = BlockBasedOptions::default();
            table.set_block_cache(&cache);
            table.set_bloom_filter(10.0, false);
            table.set_cache_index_and_filter_blocks(true);
            table.set_pin_l0_filter_and_index_blocks_in_cache(true);
            // Partitioned index and filters: a table file's index and bloom filter are
            // cut into 4 KiB blocks under a small top-level one. A whole filter grows
            // with the file (about 6 MB for 5 million keys) and past the block cache's
            // shard size (256 MB / 64 shards = 4 MB) it is never cached: every point
            // read then re-read and checksummed it (benches/startup.sh fell from 25,000
            // to 70 SETs a second past 5 million keys). Opening the database also reads
            // only the top-level blocks.
            table.set_index_type(BlockBasedIndexType::TwoLevelIndexSearch);
            table.set_partition_filters(true);
            table.set_metadata_block_size(4096);
            table.set_pin_top_level_index_and_filter(true);
            o.set_block_based_table_factory(&table);
            o.set_compression_type(codec(tuning.compression).0);
            o.set_bottommost_compression_type(codec(tuning.bottommost_compression).0);
            o.set_write_buffer_size(tuning.write_buffer_bytes);
            if cf == Cf::Meta || cf == Cf::Sub {
                // Every command starts with a point read of its key's metadata, and
                // adding a field or member first reads whether it exists: writes of new
                // keys and members read records that are not there. A memtable bloom
                // filter answers those misses without walking the skiplist, and a hash
                // index per data block avoids the binary search inside blocks. (A/B for
                // Sub: SADD, HSET, ZADD +2-5% at depth 1, HSET +11% at depth 16.)
                table.set_data_block_index_type(DataBlockIndexType::BinaryAndHash);
                o.set_block_based_table_factory(&table);
                o.set_memtable_whole_key_filtering(true);
                o.set_memtable_prefix_bloom_ratio(0.05);
            }
            match cf {
                Cf::Stats => o.set_merge_operator_associative("add_i64", add_merge),
                Cf::Sub | Cf::Score | Cf::Owner => {
                    let weak = weak.clone();
                    o.set_compaction_filter("stale_subkeys", move |_level: u32, key: &[u8], _v: &[u8]| {
                        stale_filter(&weak, version_of, key)
                    });
                }
                _ => {}
            }
            ColumnFamilyDescriptor::new(cf.name(), o)
        });
        // RocksDB's `default` column family, unused. Its memtable size counts too in the
        // free space RocksDB waits for before it takes writes again after the disk filled
        // up (the largest memtable size of all column families): the configured one, not
        // the 64 MB it would have if left out here.
        let mut default_cf = Options::default();
        default_cf.set_write_buffer_size(tuning.write_buffer_bytes);
        let descriptors = descriptors.chain(std::iter::once(ColumnFamilyDescriptor::new(rocksdb::DEFAULT_COLUMN_FAMILY_NAME, default_cf)));
        let db = Db::open_cf_descriptors(&db_opts, path, descriptors).map_err(err)?;
        let db = Arc::new(db);
        let _ = weak.set(Arc::downgrade(&db));
        let pending = Arc::new(Pending::default());
        let writer = {
            let (db, pending) = (db.clone(), pending.clone());
            std::thread::Builder::new()
                .name("writer".into())
                .spawn(move || run_writer(&db, &pending))
                .map_err(|e| StorageError::Thread(format!("writer: {e}")))?
        };
        Ok(RocksStorage {
            db,
            closed: Default::default(),
            pending,
            hot: HotMeta::default(),
            writer: std::sync::Mutex::new(Some(writer)),
            compactions: Default::default(),
            cache,
            write_buffers,
            stats: db_opts,
        })
    }

    /// Resizes the memory `maxmemory` bounds while running: the block cache's capacity
    /// (evicting blocks at once when it shrinks), each column family's memtable size
    /// (for memtables created from now on) and the limit of all memtables together.
    pub fn set_memory(&self, block_cache: usize, write_buffer: usize, write_buffers: usize) -> Result<()> {
        self.cache.clone().set_capacity(block_cache);
        self.write_buffers.set_buffer_size(write_buffers);
        let size = write_buffer.to_string();
        for cf in Cf::ALL {
            self.db.set_options_cf(&self.cf(cf), &[("write_buffer_size", &size)]).map_err(err)?;
        }
        Ok(())
    }

    /// Changes the codecs of every column family while running (`CONFIG SET
    /// rocksdb-compression`): RocksDB's SetOptions, for the table files written from now
    /// on; existing files keep their codec until compaction rewrites them.
    pub fn set_compression(&self, compression: &str, bottommost: &str) -> Result<()> {
        let (c, b) = (codec(compression).1, codec(bottommost).1);
        for cf in Cf::ALL {
            self.db.set_options_cf(&self.cf(cf), &[("compression", c), ("bottommost_compression", b)]).map_err(err)?;
        }
        Ok(())
    }

    /// Stops the writer thread once it has applied everything queued.
    fn stop_writer(&self) {
        self.pending.stop();
        let handle = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    /// Stops RocksDB's flushes and compactions (a running compaction gives up at its next
    /// check) and waits for them, then joins the threads of [`Storage::compact_later`]:
    /// afterwards nothing but `self.db` holds the database. Idempotent.
    fn stop_background_work(&self) {
        self.db.cancel_all_background_work(true);
        let threads = std::mem::take(&mut *self.compactions.lock().unwrap_or_else(|e| e.into_inner()));
        for t in threads {
            let _ = t.join();
        }
    }

    fn cf(&self, cf: Cf) -> Arc<rocksdb::BoundColumnFamily<'_>> {
        self.db.cf_handle(cf.name()).expect("column family opened at start")
    }
}

/// Drops a sub-key (or owner record) whose version is no longer the one its owner's
/// metadata carries: the key was deleted, overwritten, flushed or re-created.
///
/// Runs on RocksDB's compaction threads. The reference it upgrades lives only for this
/// call and is never the last one: `RocksStorage` waits for compactions to end before it
/// lets go of its own (see the module docs).
fn stale_filter(db: &OnceLock<Weak<Db>>, version_of: VersionOf, key: &[u8]) -> Decision {
    let Some(db) = db.get().and_then(Weak::upgrade) else { return Decision::Keep };
    let Some(version) = keys::version_of_sub(key) else { return Decision::Keep };
    let (Some(owner_cf), Some(meta_cf)) = (db.cf_handle(Cf::Owner.name()), db.cf_handle(Cf::Meta.name())) else {
        return Decision::Keep;
    };
    let owner = match db.get_cf(&owner_cf, keys::owner_key(version)) {
        Ok(Some(owner)) => owner,
        Ok(None) => return Decision::Remove,
        Err(_) => return Decision::Keep,
    };
    let decision = match db.get_pinned_cf(&meta_cf, &owner) {
        Ok(None) => Decision::Remove,
        Ok(Some(meta)) if version_of(&meta) != Some(version) => Decision::Remove,
        _ => Decision::Keep,
    };
    decision
}

/// First pause between two tries of a failed write, and the longest.
const RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(100);
const RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(1);

/// The writer thread: applies every batch queued since its last round as one RocksDB
/// write, whose WAL record reaches the operating system before it counts as applied, so
/// that a killed process cannot lose a batch once it counts as applied.
///
/// A failed write is tried again, the same batches in the same order, until it goes
/// through: meanwhile [`Pending::stall`] makes the server refuse writes and readers not
/// wait. A full disk is the case in mind: RocksDB stops writes with a hard error and its
/// SstFileManager polls the free space every 5 seconds; once at least the memtable size
/// (`rocksdb-write-buffer-size`) is free it flushes the memtables, starts a new WAL file
/// and takes writes again (ErrorHandler::RecoverFromBGError). Another error (corruption,
/// a failing device) is retried the same way: writes stay refused until it clears, or
/// until the server is restarted. A shutdown during a stall makes one last try, then
/// gives up on the batches still waiting (none of them was acknowledged: a client's
/// reply waits for its batches to be applied).
fn run_writer(db: &Db, pending: &Pending) {
    let mut opts = WriteOptions::default();
    opts.set_sync(false);
    while let Some(jobs) = pending.take() {
        if let Some(e) = pending.failure() {
            // Given up at shutdown: what is still queued cannot be written either.
            pending.finish(&jobs, Some(e));
            continue;
        }
        let result = match apply(db, &jobs, &opts) {
            Ok(()) => None,
            Err(e) => retry(db, pending, &jobs, &opts, e),
        };
        let failed = result.is_some();
        pending.finish(&jobs, result);
        if pending.stalled() {
            let took = pending.resume().unwrap_or_default();
            if !failed {
                tracing::warn!("writes resumed after {:.1} s", took.as_secs_f64());
            }
        }
    }
}

/// Tries `jobs` again after their write failed with `error`, pausing 100 ms, then twice
/// as long each time up to a second, until they are written (`None`) or a shutdown gives
/// up on them (`Some`, the failure).
fn retry(db: &Db, pending: &Pending, jobs: &[Job], opts: &WriteOptions, mut error: String) -> Option<String> {
    if pending.stall(&error) {
        tracing::error!(error = %error, "writing to the data directory failed; write commands are refused until a retry succeeds");
    }
    let mut pause = RETRY_FIRST;
    loop {
        let stopping = pending.pause(pause);
        match apply(db, jobs, opts) {
            Ok(()) => return None,
            Err(e) if stopping => {
                let (batches, ops) = pending.queued_counts();
                let (batches, ops) = (jobs.len() + batches, jobs.iter().map(|j| j.ops.len()).sum::<usize>() + ops);
                tracing::error!(
                    error = %e,
                    batches,
                    operations = ops,
                    "shutting down while writes fail: the writes still waiting are lost; none of them was acknowledged"
                );
                return Some(format!("{batches} unacknowledged write batches were lost at shutdown: {e}"));
            }
            Err(e) => {
                if e != error {
                    pending.stall(&e);
                    error = e;
                }
                pause = (pause * 2).min(RETRY_MAX);
            }
        }
    }
}

fn apply(db: &Db, jobs: &[Job], opts: &WriteOptions) -> std::result::Result<(), String> {
    let handles: Vec<_> = Cf::ALL.iter().map(|cf| db.cf_handle(cf.name()).expect("column family opened at start")).collect();
    let mut wb = WriteBatch::default();
    for op in jobs.iter().flat_map(|j| &j.ops) {
        match op {
            Op::Put(cf, k, v) => wb.put_cf(&handles[*cf as usize], k, v),
            Op::Delete(cf, k) => wb.delete_cf(&handles[*cf as usize], k),
            Op::Add(k, d) => wb.merge_cf(&handles[Cf::Stats as usize], k, d.to_le_bytes()),
            Op::DeleteRange(cf, a, b) => wb.delete_range_cf(&handles[*cf as usize], a, b),
        }
    }
    // All or nothing: a write whose WAL record fails is not inserted in the memtables,
    // so trying the same batches again applies each exactly once (counters included).
    db.write_opt(wb, opts).map_err(|e| e.into_string())
}

fn scan_with(
    iter: rocksdb::DBRawIteratorWithThreadMode<'_, Db>,
    range: Range<'_>,
    visit: Visit<'_>,
) -> Result<()> {
    let mut iter = iter;
    seek(&mut iter, &range);
    while iter.valid() {
        let (Some(k), Some(v)) = (iter.key(), iter.value()) else { break };
        if past(k, &range) || !visit(k, v) {
            break;
        }
        step(&mut iter, &range);
    }
    iter.status().map_err(err)
}

/// Walks storage's `iter` over `range` merged with `pending`, the overlay entries of
/// batches not yet applied in that range (in the walk's order): a pending value replaces
/// storage's, a pending deletion hides it. Used while the writer retries a failed write,
/// when scans cannot wait for it.
fn scan_merged(
    mut iter: rocksdb::DBRawIteratorWithThreadMode<'_, Db>,
    range: Range<'_>,
    pending: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    visit: Visit<'_>,
) -> Result<()> {
    seek(&mut iter, &range);
    let mut pending = pending.into_iter().peekable();
    loop {
        let stored = match (iter.valid(), iter.key()) {
            (true, Some(k)) if !past(k, &range) => Some(k),
            _ => None,
        };
        // Which comes first in the walk: storage's record, the pending one, or both
        // (the same key: the pending one wins).
        let first = match (stored, pending.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(sk), Some((pk, _))) => {
                let order = sk.cmp(&pk[..]);
                if range.reverse {
                    order.reverse()
                } else {
                    order
                }
            }
        };
        let go_on = if first == std::cmp::Ordering::Less {
            let go_on = match iter.value() {
                Some(v) => visit(stored.unwrap_or_default(), v),
                None => break,
            };
            step(&mut iter, &range);
            go_on
        } else {
            if first == std::cmp::Ordering::Equal {
                step(&mut iter, &range);
            }
            match pending.next() {
                Some((k, Some(v))) => visit(&k, &v),
                _ => true,
            }
        };
        if !go_on {
            break;
        }
    }
    iter.status().map_err(err)
}

/// Puts `iter` on the first record of `range` in walk order.
fn seek(iter: &mut rocksdb::DBRawIteratorWithThreadMode<'_, Db>, range: &Range<'_>) {
    if range.reverse && range.end.is_empty() {
        iter.seek_to_last();
    } else if range.reverse {
        iter.seek_for_prev(range.end);
        // seek_for_prev lands on a key <= end; the range is end-exclusive.
        if iter.valid() && iter.key() == Some(range.end) {
            iter.prev();
        }
    } else {
        iter.seek(range.start);
    }
}

/// Whether `k` is past the end of `range` in walk order.
fn past(k: &[u8], range: &Range<'_>) -> bool {
    if range.reverse {
        k < range.start
    } else {
        !range.end.is_empty() && k >= range.end
    }
}

fn step(iter: &mut rocksdb::DBRawIteratorWithThreadMode<'_, Db>, range: &Range<'_>) {
    if range.reverse {
        iter.prev()
    } else {
        iter.next()
    }
}

fn bounded_opts(range: &Range<'_>) -> ReadOptions {
    let mut opts = ReadOptions::default();
    opts.set_iterate_lower_bound(range.start.to_vec());
    if !range.end.is_empty() {
        opts.set_iterate_upper_bound(range.end.to_vec());
    }
    opts
}

impl ReadView for RocksStorage {
    fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Vec<u8>>> {
        // After a failed write the hot table may hold writes storage never got.
        let miss = if cf == Cf::Meta && !self.pending.failed() {
            match self.hot.get(key) {
                Ok(hit) => return Ok(Some(hit)),
                Err(miss) => Some(miss),
            }
        } else {
            None
        };
        if let Some(pending) = self.pending.get(cf, key)? {
            return Ok(pending);
        }
        let value = READ_OPTIONS.with(|o| self.db.get_pinned_cf_opt(&self.cf(cf), key, o)).map_err(err)?.map(|v| v.to_vec());
        if let Some(miss) = miss {
            self.hot.fill(key, miss, value.as_deref());
        }
        Ok(value)
    }

    fn scan(&self, cf: Cf, range: Range<'_>, visit: Visit<'_>) -> Result<()> {
        if let Err(stalled) = self.pending.before_scan(cf, &range) {
            // The writer retries a failed write: merge what waits instead of waiting.
            // A waiting range deletion or counter the overlay cannot show.
            if self.pending.barrier_pending() {
                return Err(stalled);
            }
            let waiting = self.pending.overlay_range(cf, &range);
            let iter = self.db.raw_iterator_cf_opt(&self.cf(cf), bounded_opts(&range));
            return scan_merged(iter, range, waiting, visit);
        }
        let iter = self.db.raw_iterator_cf_opt(&self.cf(cf), bounded_opts(&range));
        scan_with(iter, range, visit)
    }
}

struct RocksSnapshot<'a> {
    storage: &'a RocksStorage,
    snap: rocksdb::SnapshotWithThreadMode<'a, Db>,
}

impl ReadView for RocksSnapshot<'_> {
    fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.snap.get_cf(&self.storage.cf(cf), key).map_err(err)
    }

    fn scan(&self, cf: Cf, range: Range<'_>, visit: Visit<'_>) -> Result<()> {
        let mut opts = bounded_opts(&range);
        opts.set_snapshot(&self.snap);
        // Snapshot scans are whole-keyspace walks (the key recount): blocks read once
        // would only push the clients' working set out of the cache.
        opts.fill_cache(false);
        let iter = self.storage.db.raw_iterator_cf_opt(&self.storage.cf(cf), opts);
        scan_with(iter, range, visit)
    }
}

impl Storage for RocksStorage {
    fn write(&self, batch: Batch) -> Result<()> {
        if self.closed.load(std::sync::atomic::Ordering::Acquire) {
            return Err(StorageError::Closed);
        }
        // Write-through: the hot table holds what this batch writes before anyone can
        // read it elsewhere. A range deletion empties it once applied (submit waits).
        let mut range_deleted = false;
        for op in &batch.ops {
            match op {
                Op::Put(Cf::Meta, k, v) => self.hot.write(k, Some(v)),
                Op::Delete(Cf::Meta, k) => self.hot.write(k, None),
                Op::DeleteRange(Cf::Meta, ..) => range_deleted = true,
                _ => {}
            }
        }
        let submitted = self.pending.submit(batch).map(|_| ());
        if range_deleted {
            self.hot.clear();
        }
        submitted
    }

    fn pending(&self) -> &Pending {
        &self.pending
    }

    fn snapshot(&self) -> Box<dyn ReadView + '_> {
        self.pending.drain();
        Box::new(RocksSnapshot { storage: self, snap: self.db.snapshot() })
    }

    fn sync_wal(&self) -> Result<()> {
        // Not while the writer retries a failed write: the error says so at once.
        self.pending.drain_unless_stalled()?;
        self.db.flush_wal(true).map_err(err)
    }

    fn counter(&self, key: &[u8]) -> Result<i64> {
        self.pending.drain();
        Ok(self.get(Cf::Stats, key)?.as_deref().map(decode_counter).unwrap_or(0))
    }

    fn property(&self, name: &str) -> Option<u64> {
        if name.starts_with("rocksdb.block-cache") {
            // The default column family (unused) has RocksDB's own 32 MB block cache;
            // every DiskDB column family shares `self.cache`: read that one's figures.
            return self.db.property_int_value_cf(&self.cf(Cf::Meta), name).ok().flatten();
        }
        self.db.property_int_value(name).ok().flatten()
    }

    fn property_all(&self, name: &str) -> u64 {
        Cf::ALL.iter().filter_map(|&cf| self.db.property_int_value_cf(&self.cf(cf), name).ok().flatten()).sum()
    }

    fn tickers(&self) -> super::Tickers {
        use rocksdb::statistics::Ticker;
        super::Tickers {
            block_cache_hits: self.stats.get_ticker_count(Ticker::BlockCacheHit),
            block_cache_misses: self.stats.get_ticker_count(Ticker::BlockCacheMiss),
            stall_micros: self.stats.get_ticker_count(Ticker::StallMicros),
        }
    }

    fn last_key(&self, cf: Cf) -> Result<Option<Vec<u8>>> {
        self.pending.drain();
        let mut iter = self.db.raw_iterator_cf(&self.cf(cf));
        iter.seek_to_last();
        let key = iter.key().map(<[u8]>::to_vec);
        iter.status().map_err(err)?;
        Ok(key)
    }

    fn compact(&self, cf: Cf, from: &[u8], to: &[u8]) {
        // Not while writes fail (the disk is full): automatic compactions catch up later.
        if self.pending.drain_unless_stalled().is_ok() {
            self.db.compact_range_cf(&self.cf(cf), Some(from), Some(to));
        }
    }

    fn compact_later(&self, ranges: Vec<(Cf, Vec<u8>, Vec<u8>)>, done: Option<Box<dyn FnOnce() + Send>>) {
        let (db, pending) = (self.db.clone(), self.pending.clone());
        let mut threads = self.compactions.lock().unwrap_or_else(|e| e.into_inner());
        threads.retain(|t| !t.is_finished());
        let spawned = std::thread::Builder::new().name("compact".into()).spawn(move || {
            // While writes fail (the disk is full) this waits for them to go through;
            // `close` and `drop` stop the writer (which then gives up) before joining
            // this thread.
            pending.drain();
            // Not exclusive: automatic compactions go on beside it, so writes do not
            // stall behind a long background compaction.
            let mut opts = rocksdb::CompactOptions::default();
            opts.set_exclusive_manual_compaction(false);
            for (cf, from, to) in ranges {
                if let Some(handle) = db.cf_handle(cf.name()) {
                    db.compact_range_cf_opt(&handle, Some(&from), Some(&to), &opts);
                }
            }
            if let Some(done) = done {
                done();
            }
        });
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => tracing::warn!(error = %e, "cannot start a background compaction; space is reclaimed later"),
        }
    }

    fn checkpoint(&self, path: &Path) -> Result<()> {
        // Everything acknowledged so far is applied and in the WAL file first, so the
        // checkpoint holds every write a client saw answered before the call.
        self.sync_wal()?;
        let checkpoint = rocksdb::checkpoint::Checkpoint::new(&self.db).map_err(err)?;
        // Flushes the memtables first (log size for flush 0), then hard-links the table
        // files and copies the manifest, options and the live part of the WAL.
        checkpoint.create_checkpoint(path).map_err(err)
    }

    fn usage(&self, cf: Cf) -> super::Usage {
        let handle = self.cf(cf);
        let prop = |name: &str| self.db.property_int_value_cf(&handle, name).ok().flatten().unwrap_or(0);
        super::Usage { sst_bytes: prop("rocksdb.live-sst-files-size"), records: prop("rocksdb.estimate-num-keys") }
    }

    fn figures(&self) -> super::EngineFigures {
        use rocksdb::statistics::Ticker;
        let handles: Vec<_> = Cf::ALL.iter().map(|&cf| self.cf(cf)).collect();
        let sum = |name: &str| -> u64 {
            handles.iter().map(|h| self.db.property_int_value_cf(h, name).ok().flatten().unwrap_or(0)).sum()
        };
        let db = |name: &str| self.db.property_int_value(name).ok().flatten().unwrap_or(0);
        let ticker = |t: Ticker| Some(self.stats.get_ticker_count(t));
        let (mut stalls_delayed, mut stalls_stopped) = stall_counts(self.db.property_value("rocksdb.db-write-stall-stats"));
        for h in &handles {
            let (d, s) = stall_counts(self.db.property_value_cf(h, "rocksdb.cf-write-stall-stats"));
            stalls_delayed += d;
            stalls_stopped += s;
        }
        super::EngineFigures {
            memtable_bytes: sum("rocksdb.cur-size-all-mem-tables"),
            sst_live_bytes: sum("rocksdb.live-sst-files-size"),
            sst_total_bytes: sum("rocksdb.total-sst-files-size"),
            pending_compaction_bytes: sum("rocksdb.estimate-pending-compaction-bytes"),
            // One cache serves every column family: read it once (through one of them:
            // the default column family has a cache of its own).
            block_cache_usage: self.property("rocksdb.block-cache-usage").unwrap_or(0),
            block_cache_capacity: self.property("rocksdb.block-cache-capacity").unwrap_or(0),
            block_cache_pinned: self.property("rocksdb.block-cache-pinned-usage").unwrap_or(0),
            block_cache_hits: ticker(Ticker::BlockCacheHit),
            block_cache_misses: ticker(Ticker::BlockCacheMiss),
            stall_micros: ticker(Ticker::StallMicros),
            stalls_delayed,
            stalls_stopped,
            write_stopped: db("rocksdb.is-write-stopped"),
            running_compactions: db("rocksdb.num-running-compactions"),
            running_flushes: db("rocksdb.num-running-flushes"),
            estimated_records: sum("rocksdb.estimate-num-keys"),
        }
    }

    fn close(&self) -> Result<()> {
        self.stop_writer();
        if let Some(e) = self.pending.failure() {
            return Err(StorageError::WriterStopped(e));
        }
        let started = std::time::Instant::now();
        self.db.flush_wal(true).map_err(err)?;
        for cf in Cf::ALL {
            self.db.flush_cf(&self.cf(cf)).map_err(err)?;
        }
        let flushed = started.elapsed();
        self.stop_background_work();
        tracing::info!(
            "storage closed: memtables flushed in {} ms, background work stopped in {} ms",
            flushed.as_millis(),
            (started.elapsed() - flushed).as_millis()
        );
        self.closed.store(true, std::sync::atomic::Ordering::Release);
        Ok(())
    }
}

/// Delays and stops in a write-stall stats property (`rocksdb.db-write-stall-stats`,
/// `rocksdb.cf-write-stall-stats`). RocksDB prints its map as `Write Stall (count):
/// key: value, key: value ...`; a column family's has `total-delays` and `total-stops`
/// (the other entries break them down by cause), the database's only causes
/// (`write-buffer-manager-limit-stops`), which are then added up.
fn stall_counts(text: std::result::Result<Option<String>, rocksdb::Error>) -> (u64, u64) {
    let Ok(Some(text)) = text else { return (0, 0) };
    let text = text.replace("Write Stall (count):", "");
    let pairs: Vec<(&str, u64)> = text
        .split([',', '\n', ';'])
        .filter_map(|pair| pair.split_once([':', '=']))
        .map(|(k, v)| (k.trim(), v.trim().parse().unwrap_or(0)))
        .collect();
    let total = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|&(_, v)| v);
    let sum = |suffix: &str| pairs.iter().filter(|(k, _)| k.ends_with(suffix)).map(|&(_, v)| v).sum::<u64>();
    (total("total-delays").unwrap_or_else(|| sum("-delays")), total("total-stops").unwrap_or_else(|| sum("-stops")))
}

impl Drop for RocksStorage {
    fn drop(&mut self) {
        self.stop_writer();
        self.stop_background_work();
        // `self.db` is now the only strong reference: the database closes right here.
        debug_assert_eq!(Arc::strong_count(&self.db), 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_stall_stats_are_read_from_rocksdb_map_text() {
        let cf = "Write Stall (count): cf-l0-file-count-limit-delays-with-ongoing-compaction: 1, \
                  l0-file-count-limit-delays: 2, memtable-limit-stops: 2, total-delays: 3, total-stops: 2, \n";
        assert_eq!(stall_counts(Ok(Some(cf.into()))), (3, 2));
        let db = "Write Stall (count): write-buffer-manager-limit-stops: 4, \n";
        assert_eq!(stall_counts(Ok(Some(db.into()))), (0, 4));
        assert_eq!(stall_counts(Ok(None)), (0, 0));
    }

    #[test]
    fn merged_scans_show_pending_writes_over_storage() {
        let dir = tempfile::tempdir().unwrap();
        let s = RocksStorage::open(dir.path(), &RocksOptions::default(), |_| None).unwrap();
        let mut b = Batch::default();
        for k in ["a", "b", "c", "e"] {
            b.put(Cf::Meta, k.as_bytes().to_vec(), format!("stored-{k}").into_bytes());
        }
        s.write(b).unwrap();
        s.pending().drain();
        // Pending: b replaced, c deleted, d and f added, z out of range.
        let pending = |reverse: bool| {
            let mut p: Vec<(Vec<u8>, Option<Vec<u8>>)> = vec![
                (b"b".to_vec(), Some(b"new-b".to_vec())),
                (b"c".to_vec(), None),
                (b"d".to_vec(), Some(b"new-d".to_vec())),
                (b"f".to_vec(), Some(b"new-f".to_vec())),
            ];
            if reverse {
                p.reverse();
            }
            p
        };
        let walk = |start: &[u8], end: &[u8], reverse: bool, limit: usize| {
            let mut seen = Vec::new();
            let range = Range { start, end, reverse };
            let iter = s.db.raw_iterator_cf_opt(&s.cf(Cf::Meta), bounded_opts(&range));
            let p = pending(reverse).into_iter().filter(|(k, _)| &k[..] >= start && (end.is_empty() || &k[..] < end)).collect();
            scan_merged(iter, range, p, &mut |k, v| {
                seen.push(format!("{}={}", String::from_utf8_lossy(k), String::from_utf8_lossy(v)));
                seen.len() < limit
            })
            .unwrap();
            seen
        };
        let all = ["a=stored-a", "b=new-b", "d=new-d", "e=stored-e", "f=new-f"];
        assert_eq!(walk(b"", b"", false, 100), all);
        let mut rev = all.to_vec();
        rev.reverse();
        assert_eq!(walk(b"", b"", true, 100), rev);
        assert_eq!(walk(b"b", b"e", false, 100), ["b=new-b", "d=new-d"]);
        assert_eq!(walk(b"b", b"e", true, 100), ["d=new-d", "b=new-b"]);
        assert_eq!(walk(b"", b"", false, 2), ["a=stored-a", "b=new-b"], "the visitor stops the walk");
    }

    #[test]
    fn figures_come_from_every_column_family_and_the_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let tuning = RocksOptions::default();
        let s = RocksStorage::open(dir.path(), &tuning, |_| None).unwrap();
        let mut b = Batch::default();
        b.put(Cf::Meta, b"k".to_vec(), vec![7; 1000]);
        b.put(Cf::Sub, b"s".to_vec(), vec![7; 1000]);
        s.write(b).unwrap();
        s.pending().drain();
        let f = s.figures();
        assert!(f.memtable_bytes > 0);
        // The shared cache, not the default column family's own 32 MB one.
        assert_eq!(f.block_cache_capacity, tuning.block_cache_bytes as u64);
        assert_eq!(s.property("rocksdb.block-cache-capacity"), Some(tuning.block_cache_bytes as u64));
        assert!(f.block_cache_hits.is_some());
        assert!(f.stall_micros.is_some());
        // The write-stall maps RocksDB prints have the shape stall_counts reads.
        let db_text = s.db.property_value("rocksdb.db-write-stall-stats").unwrap().unwrap_or_default();
        assert!(db_text.contains("write-buffer-manager-limit-stops: 0"), "{db_text}");
        let cf_text = s.db.property_value_cf(&s.cf(Cf::Meta), "rocksdb.cf-write-stall-stats").unwrap().unwrap_or_default();
        assert!(cf_text.contains("total-delays: 0") && cf_text.contains("total-stops: 0"), "{cf_text}");
        for cf in Cf::ALL {
            s.db.flush_cf(&s.cf(cf)).unwrap();
        }
        assert!(s.figures().sst_live_bytes > 0);
    }
}
