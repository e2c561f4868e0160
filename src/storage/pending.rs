//! Write-behind: batches wait in a queue for one writer thread to apply them, and reads
//! see them meanwhile.
//!
//! The thread that runs commands hands each batch over ([`Pending::submit`]) instead of
//! going through RocksDB's write path itself (WAL append, one skip-list insert per
//! record, write-group bookkeeping). The writer thread applies whatever has collected as
//! one RocksDB write, on another core, while commands go on. A client's replies are
//! sent only after its batches are applied and in the WAL file
//! (`server::durability`), so what a client was told is written survives a killed
//! process exactly as before.
//!
//! Reads must still see every submitted batch, applied or not:
//! - point reads look in the overlay, a map of the newest unapplied value (or deletion)
//!   of each record, before storage;
//! - range scans wait until every batch that wrote into their range is applied: a scan
//!   inside one collection version waits for that version's stripe, a scan inside one
//!   first byte of a version's sub-keys (a stream's entries, which XREADGROUP reads
//!   while its own previous call's pending-entry records wait) for that finer stripe,
//!   any other scan for its column family;
//! - reads of merge counters ([`Op::Add`]) and everything after a range deletion wait
//!   for the batches in question (the overlay can hold neither).
//!
//! Batches apply in submission order, each atomically. The overlay entry of a record is
//! removed only after storage holds that write, and only if no later batch replaced it,
//! so a reader that misses the overlay finds the write in storage.
//!
//! A write that fails (the data directory's disk is full) is not dropped: the writer
//! keeps the batches, with their overlay entries, and tries them again until storage
//! takes them ([`Pending::stall`], [`Pending::resume`]). Meanwhile the server refuses
//! write commands (`-MISCONF`), the clients that wait for those batches go on waiting,
//! and readers do not wait for the writer: a scan that needs a waiting batch merges the
//! overlay instead ([`Pending::overlay_range`]); only a waiting range deletion or
//! counter, which the overlay cannot show, makes reads answer the error. A shutdown
//! during a stall gives up on the waiting batches (none was acknowledged): the writer
//! then fails for good, as after any other failure it cannot recover from.

use std::collections::HashMap;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use tokio::sync::watch;

use super::{keys, Batch, Cf, Op, Range, StorageError};

/// Shards of the overlay (each a map under its own lock).
const SHARDS: usize = 64;
/// Stripes of collection versions for scan waits.
const STRIPES: usize = 4096;
/// A submitter waits for the writer once this many operations are queued, so a
/// runaway producer cannot grow the queue without bound.
const MAX_QUEUED_OPS: usize = 200_000;

/// Longest a queued batch waits for the writer when nobody asks for it.
const IDLE_ROUND: std::time::Duration = std::time::Duration::from_millis(10);

/// One submitted batch.
pub struct Job {
    pub seq: u64,
    pub ops: Vec<Op>,
}

struct Entry {
    seq: u64,
    value: Option<Vec<u8>>,
}

/// One shard of the overlay: record key -> newest unapplied write. Every write looks
/// its records up twice (submit, apply) and reads look here while writes are queued:
/// foldhash instead of std's SipHash, with a per-process random seed (the keys are the
/// clients', and the map holds at most the queued writes).
type Shard = Mutex<HashMap<Box<[u8]>, Entry, foldhash::fast::RandomState>>;

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    ops: usize,
    writer_idle: bool,
    stop: bool,
}

pub struct Pending {
    queue: Mutex<Queue>,
    work: Condvar,
    /// Every batch up to this sequence number is applied (or failed).
    applied: AtomicU64,
    /// The last batch submitted (advanced under the queue lock, read without it).
    submitted: AtomicU64,
    /// Per column family, [`SHARDS`] shards.
    overlay: Box<[Shard]>,
    /// Per column family, the last batch that wrote into it.
    cf_seq: [AtomicU64; Cf::ALL.len()],
    /// Per stripe of collection versions, the last batch that wrote a record of one.
    version_seq: Box<[AtomicU64]>,
    /// Per stripe of (collection version, first byte of the sub-key), the same.
    sub_seq: Box<[AtomicU64]>,
    /// The last batch that deleted a range or merged a counter: reads wait for it.
    barrier: AtomicU64,
    done_lock: Mutex<()>,
    done: Condvar,
    sync_waiters: AtomicUsize,
    applied_tx: watch::Sender<u64>,
    /// Why the writer stopped for good (a shutdown gave up on failed writes).
    failed: OnceLock<String>,
    /// Set while the writer retries a failed write; mirrors `stall`, read without a lock.
    stalled: AtomicBool,
    stall: Mutex<Option<Stall>>,
}

/// A write the writer keeps retrying.
struct Stall {
    /// What storage answered, shortened for clients ([`short_reason`]).
    reason: String,
    since: Instant,
}

/// The reason a client is told: the operating system's text of the error when RocksDB's
/// message carries one (`No space left on device`, as Redis's strerror), else RocksDB's
/// text, on one line.
pub fn short_reason(engine: &str) -> String {
    const KNOWN: [&str; 4] = ["No space left on device", "Disk quota exceeded", "Read-only file system", "Input/output error"];
    if let Some(k) = KNOWN.iter().find(|k| engine.contains(*k)) {
        return k.to_string();
    }
    engine.replace(['\r', '\n'], " ")
}

fn hash(bytes: &[u8]) -> u64 {
    keys::spread(0, bytes)
}

/// The column family an operation writes and its (first) key.
fn op_key(op: &Op) -> (Cf, &[u8]) {
    match op {
        Op::Put(cf, k, _) | Op::Delete(cf, k) => (*cf, k),
        Op::Add(k, _) => (Cf::Stats, k),
        Op::DeleteRange(cf, from, _) => (*cf, from),
    }
}

/// Column families whose keys start with a collection version.
fn versioned(cf: Cf) -> bool {
    matches!(cf, Cf::Sub | Cf::Score)
}

impl Default for Pending {
    fn default() -> Self {
        Pending {
            queue: Mutex::new(Queue::default()),
            work: Condvar::new(),
            applied: AtomicU64::new(0),
            submitted: AtomicU64::new(0),
            overlay: (0..SHARDS * Cf::ALL.len()).map(|_| Mutex::new(HashMap::default())).collect(),
            cf_seq: Default::default(),
            version_seq: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            sub_seq: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            barrier: AtomicU64::new(0),
            done_lock: Mutex::new(()),
            done: Condvar::new(),
            sync_waiters: AtomicUsize::new(0),
            applied_tx: watch::channel(0).0,
            failed: OnceLock::new(),
            stalled: AtomicBool::new(false),
            stall: Mutex::new(None),
        }
    }
}

impl Pending {
    fn shard(&self, cf: Cf, key: &[u8]) -> &Shard {
        &self.overlay[cf as usize * SHARDS + hash(key) as usize % SHARDS]
    }

    fn stripe(version_prefix: &[u8]) -> usize {
        hash(version_prefix) as usize % STRIPES
    }

    /// The last batch submitted.
    pub fn submitted(&self) -> u64 {
        self.submitted.load(Ordering::Acquire)
    }

    /// Every batch up to this one is applied.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// Whether the writer stopped applying batches after a failed write.
    pub fn failed(&self) -> bool {
        self.failed.get().is_some()
    }

    /// Why the writer stopped applying batches, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failed.get().cloned()
    }

    /// `Err` once the writer stopped applying batches: nothing written since may be
    /// acknowledged.
    pub fn check(&self) -> Result<(), StorageError> {
        self.failed.get().map_or(Ok(()), |e| Err(StorageError::WriterStopped(e.clone())))
    }

    /// Whether writes fail: retried, or stopped for good (cheap, no lock).
    #[inline]
    pub fn writes_failing(&self) -> bool {
        self.stalled() || self.failed()
    }

    /// Whether the writer is retrying a failed write (cheap: one atomic load).
    #[inline]
    pub fn stalled(&self) -> bool {
        self.stalled.load(Ordering::Acquire)
    }

    /// Why writes fail, while they do: the retried write's reason, or the failure that
    /// stopped the writer. `None` while writes go through.
    pub fn write_error(&self) -> Option<String> {
        if self.stalled() {
            if let Some(stall) = self.stall.lock().as_ref() {
                return Some(stall.reason.clone());
            }
        }
        self.failed.get().map(|e| short_reason(e))
    }

    fn stalled_error(&self) -> StorageError {
        let reason = self.stall.lock().as_ref().map(|s| s.reason.clone());
        StorageError::WriteError(reason.unwrap_or_else(|| "write failed".into()))
    }

    /// The writer failed to write and will try again: from now on readers do not wait
    /// for it (they are woken), and the server refuses writes. Answers whether the
    /// state is new (the reason may change on a later try).
    pub fn stall(&self, engine_error: &str) -> bool {
        let reason = short_reason(engine_error);
        let new = {
            let mut stall = self.stall.lock();
            let new = stall.is_none();
            match stall.as_mut() {
                Some(s) => s.reason = reason,
                None => *stall = Some(Stall { reason, since: Instant::now() }),
            }
            new
        };
        self.stalled.store(true, Ordering::Release);
        self.wake_waiters();
        new
    }

    /// The retried write went through: answers how long writes failed.
    pub fn resume(&self) -> Option<Duration> {
        let since = self.stall.lock().take().map(|s| s.since.elapsed());
        self.stalled.store(false, Ordering::Release);
        since
    }

    fn wake_waiters(&self) {
        {
            let _guard = self.done_lock.lock();
            self.done.notify_all();
        }
        self.applied_tx.send_modify(|_| {});
    }

    /// Queues `batch`; answers its sequence number. Returns once readers can see it;
    /// waits for it to be applied if it deletes a range (rare, whole databases) or if the
    /// queue is full.
    pub fn submit(&self, batch: Batch) -> Result<u64, StorageError> {
        self.check()?;
        let mut barrier = false;
        let n = batch.ops.len();
        let mut q = self.queue.lock();
        let seq = self.submitted() + 1;
        for op in &batch.ops {
            let (cf, key) = op_key(op);
            self.cf_seq[cf as usize].store(seq, Ordering::Release);
            if versioned(cf) && key.len() >= 8 {
                self.version_seq[Self::stripe(&key[..8])].store(seq, Ordering::Release);
                if key.len() >= 9 {
                    self.sub_seq[Self::stripe(&key[..9])].store(seq, Ordering::Release);
                }
            }
            match op {
                Op::Put(cf, k, v) => self.overlay_put(*cf, k, seq, Some(v.clone())),
                Op::Delete(cf, k) => self.overlay_put(*cf, k, seq, None),
                Op::Add(..) | Op::DeleteRange(..) => barrier = true,
            }
        }
        if barrier {
            self.barrier.store(seq, Ordering::Release);
        }
        q.ops += n;
        let full = q.ops > MAX_QUEUED_OPS;
        q.jobs.push(Job { seq, ops: batch.ops });
        self.submitted.store(seq, Ordering::Release);
        // The writer is woken by whoever first needs a batch applied (see `kick`), not
        // here: batches submitted meanwhile then go to storage together.
        drop(q);
        if full || barrier {
            // Not while the writer retries a failed write: the batch waits in the queue
            // with the others (the writes that queue meanwhile are few: the server
            // refuses write commands), and readers do not wait for it.
            let _ = self.wait_unless_stalled(seq);
        }
        Ok(seq)
    }

    fn overlay_put(&self, cf: Cf, key: &[u8], seq: u64, value: Option<Vec<u8>>) {
        let mut shard = self.shard(cf, key).lock();
        shard.insert(key.into(), Entry { seq, value });
    }

    /// What the overlay knows of `key`: `Some(None)` a pending deletion, `Some(Some(v))`
    /// a pending value, `None` nothing pending (read storage). Waits instead where the
    /// overlay cannot answer (counters, range deletions); while the writer retries a
    /// failed write, answers [`StorageError::WriteError`] there instead of waiting.
    pub fn get(&self, cf: Cf, key: &[u8]) -> Result<Option<Option<Vec<u8>>>, StorageError> {
        let applied = self.applied();
        if self.submitted() <= applied {
            return Ok(None);
        }
        let barrier = self.barrier.load(Ordering::Acquire);
        if barrier > applied {
            // Batches after the barrier may still hold the newest value: look on.
            self.wait_unless_stalled(barrier)?;
        }
        Ok(self.shard(cf, key).lock().get(key).map(|e| e.value.clone()))
    }

    /// Whether a range deletion or a counter waits to be applied (the overlay cannot
    /// show those).
    pub fn barrier_pending(&self) -> bool {
        self.barrier.load(Ordering::Acquire) > self.applied()
    }

    /// The overlay's entries in `range` of `cf`, in key order (reversed for a reverse
    /// range): what a scan must merge with storage while the writer retries a failed
    /// write. Copies every pending entry of the column family in range, so it is meant
    /// for that state only, when few batches wait.
    pub fn overlay_range(&self, cf: Cf, range: &Range<'_>) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        let mut found = Vec::new();
        for shard in &self.overlay[cf as usize * SHARDS..(cf as usize + 1) * SHARDS] {
            for (k, e) in shard.lock().iter() {
                if &k[..] >= range.start && (range.end.is_empty() || &k[..] < range.end) {
                    found.push((k.to_vec(), e.value.clone()));
                }
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        if range.reverse {
            found.reverse();
        }
        found
    }

    /// Waits until every batch that wrote into `range` of `cf` is applied. While the
    /// writer retries a failed write it does not wait: [`StorageError::WriteError`]
    /// says the scan must merge [`Pending::overlay_range`] itself.
    pub fn before_scan(&self, cf: Cf, range: &Range<'_>) -> Result<(), StorageError> {
        let applied = self.applied();
        if self.submitted() <= applied {
            return Ok(());
        }
        let mut wrote = &self.cf_seq[cf as usize];
        if versioned(cf) && range.start.len() >= 8 {
            let prefix = &range.start[..8];
            if !range.end.is_empty() && range.end <= &keys::prefix_end(prefix)[..] {
                // Within one version: only batches that wrote records of a version in
                // the same stripe matter; within one first sub-key byte of it, only
                // those in that finer stripe.
                wrote = &self.version_seq[Self::stripe(prefix)];
                if range.start.len() >= 9 && range.end <= &keys::prefix_end(&range.start[..9])[..] {
                    wrote = &self.sub_seq[Self::stripe(&range.start[..9])];
                }
            }
        }
        let upto = wrote.load(Ordering::Acquire).max(self.barrier.load(Ordering::Acquire));
        if upto > applied {
            self.wait_unless_stalled(upto)?;
        }
        Ok(())
    }

    /// Waits until every batch submitted so far is applied.
    pub fn drain(&self) {
        self.wait_applied(self.submitted());
    }

    /// [`Pending::drain`], or [`StorageError::WriteError`] at once while the writer
    /// retries a failed write.
    pub fn drain_unless_stalled(&self) -> Result<(), StorageError> {
        self.wait_unless_stalled(self.submitted())
    }

    /// Wakes the writer if it sleeps while batches wait.
    pub fn kick(&self) {
        let mut q = self.queue.lock();
        if q.writer_idle && !q.jobs.is_empty() {
            q.writer_idle = false;
            self.work.notify_one();
        }
    }

    /// Blocks the calling thread until batch `seq` is applied (or the writer failed),
    /// however long the writer retries a failed write.
    pub fn wait_applied(&self, seq: u64) {
        let _ = self.wait(seq, false);
    }

    /// Blocks the calling thread until batch `seq` is applied (or the writer failed);
    /// [`StorageError::WriteError`] at once if the writer retries a failed write, or
    /// starts to while this waits.
    pub fn wait_unless_stalled(&self, seq: u64) -> Result<(), StorageError> {
        self.wait(seq, true)
    }

    fn wait(&self, seq: u64, unless_stalled: bool) -> Result<(), StorageError> {
        if self.applied() >= seq {
            return Ok(());
        }
        let give_up = || unless_stalled && self.stalled();
        if give_up() {
            return Err(self.stalled_error());
        }
        self.kick();
        for _ in 0..64 {
            std::hint::spin_loop();
            if self.applied() >= seq {
                return Ok(());
            }
        }
        self.sync_waiters.fetch_add(1, Ordering::AcqRel);
        // Pairs with the fence in `finish`: either it sees this waiter, or this sees its
        // `applied`.
        fence(Ordering::SeqCst);
        let mut guard = self.done_lock.lock();
        while self.applied() < seq && !self.failed() && !give_up() {
            self.done.wait(&mut guard);
        }
        drop(guard);
        self.sync_waiters.fetch_sub(1, Ordering::AcqRel);
        if self.applied() < seq && give_up() {
            return Err(self.stalled_error());
        }
        Ok(())
    }

    /// Resolves once batch `seq` is applied (or the writer failed), for async callers.
    pub async fn applied_async(&self, seq: u64) {
        if self.applied() >= seq {
            return;
        }
        let mut rx = self.applied_tx.subscribe();
        self.kick();
        let _ = rx.wait_for(|&a| a >= seq || self.failed()).await;
    }

    // ----- the writer's side -----

    /// Takes every queued batch, waiting for one if there are none. `None` once stopped
    /// and empty.
    pub fn take(&self) -> Option<Vec<Job>> {
        let mut q = self.queue.lock();
        loop {
            if !q.jobs.is_empty() {
                q.ops = 0;
                return Some(std::mem::take(&mut q.jobs));
            }
            if q.stop {
                return None;
            }
            q.writer_idle = true;
            // Writes nobody waits for (the active expire cycle's) still reach storage
            // soon after they were queued.
            self.work.wait_for(&mut q, IDLE_ROUND);
            q.writer_idle = false;
        }
    }

    /// Sleeps `pause` between two tries of a failed write; answers whether a stop was
    /// asked for (meanwhile or before).
    pub fn pause(&self, pause: Duration) -> bool {
        let mut q = self.queue.lock();
        if !q.stop {
            self.work.wait_for(&mut q, pause);
        }
        q.stop
    }

    /// Batches and operations still queued behind the ones being written.
    pub fn queued_counts(&self) -> (usize, usize) {
        let q = self.queue.lock();
        (q.jobs.len(), q.ops)
    }

    /// Records that `jobs` (in order) are in storage, or that applying them failed with
    /// `error` for good (nothing later will be applied; readers and waiters are
    /// released).
    pub fn finish(&self, jobs: &[Job], error: Option<String>) {
        let Some(last) = jobs.last().map(|j| j.seq) else { return };
        if let Some(e) = error {
            // The first failure is the one reported.
            let _ = self.failed.set(e);
        }
        for job in jobs {
            for op in &job.ops {
                if let Op::Put(cf, k, _) | Op::Delete(cf, k) = op {
                    let mut shard = self.shard(*cf, k).lock();
                    if shard.get(&k[..]).is_some_and(|e| e.seq == job.seq) {
                        shard.remove(&k[..]);
                    }
                }
            }
        }
        self.applied.store(last, Ordering::Release);
        // A store then a load of another atomic, against the waiter's increment then
        // load (`wait`): without a SeqCst fence on both sides each may read the other's
        // old value (store buffering), the waiter sleeps on `done` and nobody notifies it.
        // The fuzz harness hung on exactly that until libFuzzer's timeout (issue 20).
        fence(Ordering::SeqCst);
        if self.sync_waiters.load(Ordering::Acquire) > 0 {
            let _guard = self.done_lock.lock();
            self.done.notify_all();
        }
        self.applied_tx.send_replace(last);
    }

    /// Asks the writer to apply what is queued and stop.
    pub fn stop(&self) {
        let mut q = self.queue.lock();
        q.stop = true;
        self.work.notify_one();
    }

    /// Whether batches are waiting in the queue (for tests).
    #[cfg(test)]
    fn queued(&self) -> usize {
        self.queue.lock().jobs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn put(cf: Cf, k: &[u8], v: &[u8]) -> Batch {
        let mut b = Batch::default();
        b.put(cf, k.to_vec(), v.to_vec());
        b
    }

    /// Applies jobs to a map, as a writer thread would to storage.
    fn apply(p: &Pending, store: &Mutex<BTreeMap<Vec<u8>, Vec<u8>>>) {
        let jobs = p.take().unwrap();
        {
            let mut s = store.lock();
            for job in &jobs {
                for op in &job.ops {
                    match op {
                        Op::Put(_, k, v) => {
                            s.insert(k.clone(), v.clone());
                        }
                        Op::Delete(_, k) => {
                            s.remove(k);
                        }
                        _ => {}
                    }
                }
            }
        }
        p.finish(&jobs, None);
    }

    #[test]
    fn overlay_answers_until_applied() {
        let p = Pending::default();
        let store = Mutex::new(BTreeMap::new());
        assert_eq!(p.get(Cf::Meta, b"a").unwrap(), None);
        p.submit(put(Cf::Meta, b"a", b"1")).unwrap();
        p.submit(put(Cf::Meta, b"a", b"2")).unwrap();
        let mut del = Batch::default();
        del.delete(Cf::Meta, b"b".to_vec());
        p.submit(del).unwrap();
        assert_eq!(p.get(Cf::Meta, b"a").unwrap(), Some(Some(b"2".to_vec())));
        assert_eq!(p.get(Cf::Meta, b"b").unwrap(), Some(None));
        assert_eq!(p.get(Cf::Sub, b"a").unwrap(), None, "column families are separate");
        assert_eq!(p.queued(), 3);
        apply(&p, &store);
        assert_eq!(p.applied(), 3);
        assert_eq!(p.get(Cf::Meta, b"a").unwrap(), None, "applied: storage answers");
        assert_eq!(store.lock().get(&b"a"[..]), Some(&b"2".to_vec()));
        assert!(p.overlay.iter().all(|s| s.lock().is_empty()));
    }

    #[test]
    fn later_batch_keeps_its_overlay_entry() {
        let p = Pending::default();
        let store = Mutex::new(BTreeMap::new());
        p.submit(put(Cf::Meta, b"a", b"1")).unwrap();
        let first = p.take().unwrap();
        // Submitted while the first is being applied.
        p.submit(put(Cf::Meta, b"a", b"2")).unwrap();
        store.lock().insert(b"a".to_vec(), b"1".to_vec());
        p.finish(&first, None);
        assert_eq!(p.get(Cf::Meta, b"a").unwrap(), Some(Some(b"2".to_vec())));
        apply(&p, &store);
        assert_eq!(p.get(Cf::Meta, b"a").unwrap(), None);
    }

    #[test]
    fn scans_wait_for_their_range() {
        let p = Arc::new(Pending::default());
        let store = Arc::new(Mutex::new(BTreeMap::new()));
        let v1 = keys::sub_key(1, b"x");
        p.submit(put(Cf::Sub, &v1, b"1")).unwrap();
        // A scan of another version's records (another stripe) does not wait.
        let other = keys::sub_prefix(2);
        let other_end = keys::prefix_end(&other);
        p.before_scan(Cf::Sub, &Range { start: &other, end: &other_end, reverse: false }).unwrap();
        assert_eq!(p.applied(), 0);
        // Nor does a scan of version 1's sub-keys that start with another byte (a
        // stream's entries while its pending-entry records wait).
        let beside = keys::sub_key(1, b"a");
        let beside_end = keys::prefix_end(&beside);
        p.before_scan(Cf::Sub, &Range { start: &beside, end: &beside_end, reverse: false }).unwrap();
        assert_eq!(p.applied(), 0);
        // A scan of version 1 waits for the writer.
        let writer = {
            let (p, store) = (p.clone(), store.clone());
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                apply(&p, &store)
            })
        };
        let mine = keys::sub_prefix(1);
        let mine_end = keys::prefix_end(&mine);
        p.before_scan(Cf::Sub, &Range { start: &mine, end: &mine_end, reverse: false }).unwrap();
        assert_eq!(p.applied(), 1);
        assert!(store.lock().contains_key(&v1));
        writer.join().unwrap();
    }

    #[test]
    fn whole_family_scans_and_barriers_wait() {
        let p = Arc::new(Pending::default());
        let store = Arc::new(Mutex::new(BTreeMap::new()));
        let writer = {
            let (p, store) = (p.clone(), store.clone());
            std::thread::spawn(move || {
                while p.applied() < 2 {
                    apply(&p, &store);
                }
            })
        };
        p.submit(put(Cf::Meta, b"k", b"v")).unwrap();
        let mut range_delete = Batch::default();
        range_delete.delete_range(Cf::Meta, b"a".to_vec(), b"z".to_vec());
        // A range deletion returns only once applied.
        assert_eq!(p.submit(range_delete).unwrap(), 2);
        assert_eq!(p.applied(), 2);
        writer.join().unwrap();
    }

    #[test]
    fn failure_releases_waiters_and_refuses_writes() {
        // A failure for good (a shutdown that gave up on a failed write).
        let p = Pending::default();
        p.submit(put(Cf::Meta, b"a", b"1")).unwrap();
        let jobs = p.take().unwrap();
        p.finish(&jobs, Some("IO error: No space left on device: While appending to file: x.log: No space left on device".into()));
        p.wait_applied(1);
        assert!(p.failure().unwrap().contains("No space left"));
        assert_eq!(p.write_error().as_deref(), Some("No space left on device"));
        assert!(matches!(p.submit(put(Cf::Meta, b"b", b"2")), Err(StorageError::WriterStopped(_))));
    }

    #[test]
    fn a_stalled_write_keeps_its_batches_visible_and_readers_do_not_wait() {
        let p = Arc::new(Pending::default());
        let store = Arc::new(Mutex::new(BTreeMap::new()));
        let v1 = keys::sub_key(1, b"x");
        p.submit(put(Cf::Sub, &v1, b"1")).unwrap();
        p.submit(put(Cf::Meta, b"m", b"2")).unwrap();
        let jobs = p.take().unwrap();
        assert!(p.stall("IO error: No space left on device: While appending"));
        assert!(!p.stall("IO error: No space left on device: again"), "the state is not new");
        assert!(p.stalled());
        assert_eq!(p.write_error().as_deref(), Some("No space left on device"));
        // Point reads still see the batches; scans do not wait but are told to merge.
        assert_eq!(p.get(Cf::Meta, b"m").unwrap(), Some(Some(b"2".to_vec())));
        let mine = keys::sub_prefix(1);
        let mine_end = keys::prefix_end(&mine);
        let range = Range { start: &mine, end: &mine_end, reverse: false };
        assert!(matches!(p.before_scan(Cf::Sub, &range), Err(StorageError::WriteError(r)) if r == "No space left on device"));
        assert_eq!(p.overlay_range(Cf::Sub, &range), vec![(v1.clone(), Some(b"1".to_vec()))]);
        assert!(p.drain_unless_stalled().is_err());
        // Internal writes may still queue.
        p.submit(put(Cf::Meta, b"n", b"3")).unwrap();
        // A waiter for the failed batch waits on until the retry succeeds.
        let waiter = {
            let p = p.clone();
            std::thread::spawn(move || {
                p.wait_applied(2);
                p.applied()
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished(), "a waiter is not released by a stall");
        assert_eq!(p.applied(), 0);
        // The retry succeeds: the same jobs, in order, then the rest.
        store.lock().insert(v1.clone(), b"1".to_vec());
        store.lock().insert(b"m".to_vec(), b"2".to_vec());
        p.finish(&jobs, None);
        assert!(p.resume().is_some());
        assert!(!p.stalled() && p.write_error().is_none());
        assert!(waiter.join().unwrap() >= 2);
        apply(&p, &store);
        assert_eq!(p.applied(), 3);
        assert!(p.before_scan(Cf::Sub, &range).is_ok());
        assert!(p.overlay.iter().all(|s| s.lock().is_empty()));
    }

    #[test]
    fn a_stall_releases_readers_already_waiting() {
        let p = Arc::new(Pending::default());
        let v1 = keys::sub_key(1, b"x");
        p.submit(put(Cf::Sub, &v1, b"1")).unwrap();
        let jobs = p.take().unwrap();
        let reader = {
            let p = p.clone();
            std::thread::spawn(move || {
                let mine = keys::sub_prefix(1);
                let mine_end = keys::prefix_end(&mine);
                p.before_scan(Cf::Sub, &Range { start: &mine, end: &mine_end, reverse: true })
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        p.stall("No space left on device");
        assert!(reader.join().unwrap().is_err());
        p.finish(&jobs, None);
        p.resume();
    }

    #[test]
    fn a_range_deletion_that_waits_makes_reads_answer_the_error() {
        let p = Pending::default();
        let mut range_delete = Batch::default();
        range_delete.delete_range(Cf::Meta, b"a".to_vec(), b"z".to_vec());
        p.stall("No space left on device");
        // Does not wait for the writer while it is stalled.
        assert_eq!(p.submit(range_delete).unwrap(), 1);
        assert!(p.barrier_pending());
        assert!(matches!(p.get(Cf::Meta, b"k"), Err(StorageError::WriteError(_))));
    }

    #[test]
    fn pause_ends_early_on_stop() {
        let p = Arc::new(Pending::default());
        assert!(!p.pause(Duration::from_millis(1)));
        let stopper = {
            let p = p.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                p.stop();
            })
        };
        let started = Instant::now();
        assert!(p.pause(Duration::from_secs(30)));
        assert!(started.elapsed() < Duration::from_secs(30));
        stopper.join().unwrap();
    }

    #[test]
    fn reasons_are_the_system_text() {
        assert_eq!(short_reason("IO error: No space left on device: While appending to file: /d/000012.log: No space left on device"), "No space left on device");
        assert_eq!(short_reason("Corruption: bad block\nmore"), "Corruption: bad block more");
    }

    #[test]
    fn stop_ends_take_once_empty() {
        let p = Pending::default();
        p.submit(put(Cf::Meta, b"a", b"1")).unwrap();
        p.stop();
        assert_eq!(p.take().map(|j| j.len()), Some(1));
        assert!(p.take().is_none());
    }
}
