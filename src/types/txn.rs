//! [`Txn`]: one command's view of the keyspace.
//!
//! Reads go to storage (the command holds the locks of its keys, so what it reads cannot
//! change under it); writes collect in one batch that commits atomically at the end.
//! Metadata read or written during the command is remembered, so a command sees its own
//! writes, counters are adjusted once per key, and an expired key is lazily deleted once.
//!
//! Inside a MULTI/EXEC transaction or a script, the batch is staged in the group's
//! overlay instead ([`Txn::stage`], [`super::staged`]); the commands after it read
//! through that overlay, and the whole group commits as one batch ([`commit_staged`]).

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::cache::{Rest, Window};
use super::meta::{Kind, Meta};
use super::staged::{Found, Merge, Staged};
use super::store::{deadline_secs, Store};
use crate::error::{Error, Result};
use crate::notify::{self, Event};
use crate::storage::{keys, Batch, Cf, Op, Range};

/// Which records of a version one scan walks: suffixes in `[from, to)` (`to` empty: to
/// the end) of `version` in `cf`, in either direction.
#[derive(Clone, Copy)]
struct Span<'a> {
    cf: Cf,
    version: u64,
    from: &'a [u8],
    to: &'a [u8],
    reverse: bool,
}

/// The column families that hold a collection's records, keyed by version.
pub const RECORD_CFS: [Cf; 2] = [Cf::Sub, Cf::Score];

/// What the command has seen or made of one key.
struct Entry {
    db: u8,
    key: Bytes,
    /// Current state as this command sees it.
    meta: Option<Meta>,
}

pub struct Txn<'a> {
    pub store: &'a Store,
    /// Physical database the command's keys live in.
    pub db: u8,
    /// The command's clock, fixed at its start (Unix ms), as Redis fixes `mstime()`.
    pub now: i64,
    /// The same instant on the monotonic clock (access times are dated to it).
    started: std::time::Instant,
    batch: Batch,
    seen: Vec<Entry>,
    /// `(db, keys delta, expires delta, deadline seconds delta)`
    deltas: Vec<(u8, i64, i64, i64)>,
    /// Keys whose value changed, for WATCH and blocked clients.
    pub touched: Vec<(u8, Bytes)>,
    changes: u64,
    /// Leave the access clock alone (OBJECT, as Redis's lookups with NOTOUCH).
    pub no_touch: bool,
    /// Leave expired keys in place: they read as missing but are not deleted. Set for
    /// a read command while writes to the data directory fail (the disk is full), so
    /// that its reply does not wait for a deletion that cannot be written.
    pub keep_expired: bool,
    /// The keyspace notification flags when the command started (see [`crate::notify`]).
    notify: u16,
    /// Keyspace events raised, published after the commit.
    events: Vec<Event>,
    /// Keys this command created whose `new` event waits for the command's first event
    /// about them (Redis raises `new` when the key is added, before the command's own).
    created: Vec<(u8, Bytes)>,
    /// The writes of the earlier commands of the MULTI/EXEC or script this command runs
    /// in, not yet in storage: reads look there first (see [`super::staged`]).
    staged: Option<Box<Staged>>,
}

/// How a command looks a key up, which decides whether INFO counts the lookup in
/// `keyspace_hits` / `keyspace_misses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A read: counts a hit or a miss, as Redis's `lookupKeyRead`.
    Read,
    /// The lookup of a command about to write: not counted, as Redis's `lookupKeyWrite`.
    Write,
    /// A read that INFO does not count. Redis counts these as reads; DiskDB's set and
    /// sorted-set reads (SORT of one included) and the HSCAN/SSCAN/ZSCAN lookups have
    /// never been counted, and they keep their figures until that is decided on its
    /// own. New code uses [`Access::Read`].
    Uncounted,
}

/// The wall clock at `at`, in Unix ms, derived from the monotonic reading the caller
/// already has: each thread reads the wall clock itself once per [`REANCHOR`] and adds
/// the monotonic time elapsed since. A command then reads the clock once for its
/// duration, its expiry checks and its keys' access times (three vDSO calls fewer per
/// command). A step of the wall clock (settimeofday, an NTP step) is seen within
/// [`REANCHOR`]; slewing moves the two clocks apart by at most ~0.05 ms per 100 ms.
pub fn wall_ms_at(at: std::time::Instant) -> i64 {
    use std::cell::Cell;
    use std::time::Instant;
    thread_local! {
        /// A monotonic reading and the wall clock (Unix us) read right after it.
        static ANCHOR: Cell<Option<(Instant, i64)>> = const { Cell::new(None) };
    }
    ANCHOR.with(|anchor| {
        let (base, wall_us) = match anchor.get() {
            Some((base, wall_us)) if at >= base && at.duration_since(base) < REANCHOR => (base, wall_us),
            Some((base, wall_us)) if at < base && base.duration_since(at) < REANCHOR => {
                return (wall_us - base.duration_since(at).as_micros() as i64).div_euclid(1000);
            }
            _ => {
                let fresh = (at, now_us());
                anchor.set(Some(fresh));
                fresh
            }
        };
        (wall_us + at.duration_since(base).as_micros() as i64).div_euclid(1000)
    })
}

/// How long a thread's anchor of [`wall_ms_at`] is used before it reads the wall clock.
const REANCHOR: std::time::Duration = std::time::Duration::from_millis(100);

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The wall clock in microseconds since the epoch (MONITOR's timestamps).
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

impl<'a> Txn<'a> {
    pub fn new(store: &'a Store, db: u8) -> Txn<'a> {
        Txn::new_at(store, db, std::time::Instant::now())
    }

    /// A command's view that started at `started` (the dispatcher's one clock read).
    pub fn new_at(store: &'a Store, db: u8, started: std::time::Instant) -> Txn<'a> {
        Txn {
            store,
            db,
            now: wall_ms_at(started),
            started,
            batch: Batch::default(),
            seen: Vec::new(),
            deltas: Vec::new(),
            touched: Vec::new(),
            changes: 0,
            no_touch: false,
            keep_expired: false,
            notify: store.notify_flags(),
            events: Vec::new(),
            created: Vec::new(),
            staged: None,
        }
    }

    /// Runs this command inside a group (one EXEC or one script): it reads through
    /// `staged`, and [`Txn::stage`] adds its writes to it instead of committing them.
    pub fn join(&mut self, staged: Box<Staged>) {
        self.staged = Some(staged);
    }

    /// Whether the command runs inside a group.
    pub fn joined(&self) -> bool {
        self.staged.is_some()
    }

    /// Hands the group back without this command's writes (the command failed).
    pub fn leave(&mut self) -> Option<Box<Staged>> {
        self.staged.take()
    }

    fn slot(&self, db: u8, key: &[u8]) -> Option<usize> {
        self.seen.iter().position(|e| e.db == db && e.key == key)
    }

    /// Counts a key's change of existence and of expiry deadline (Unix ms, 0 = none).
    fn delta(&mut self, db: u8, keys: i64, old_expire: i64, new_expire: i64) {
        let expires = (new_expire != 0) as i64 - (old_expire != 0) as i64;
        let secs = deadline_secs(new_expire) - deadline_secs(old_expire);
        if let Some(d) = self.deltas.iter_mut().find(|d| d.0 == db) {
            d.1 += keys;
            d.2 += expires;
            d.3 += secs;
        } else {
            self.deltas.push((db, keys, expires, secs));
        }
    }

    /// The stored metadata of `key` in `db`, expired or not.
    fn read_meta(&self, db: u8, key: &[u8]) -> Result<Option<Meta>> {
        let mk = keys::meta_key(db, key);
        if let Some(staged) = &self.staged {
            match staged.get(Cf::Meta, &mk) {
                Found::Put(v) => return Ok(Meta::decode(Bytes::copy_from_slice(v))),
                Found::Deleted => return Ok(None),
                Found::Unknown => {}
            }
        }
        let raw = self.store.storage.get(Cf::Meta, &mk)?;
        Ok(raw.and_then(|r| Meta::decode(Bytes::from(r))))
    }

    /// The live metadata of `key` in the command's database for a key the command did not
    /// declare (and so does not hold the lock of): read only, an expired key is left for
    /// its owner to delete. SORT's BY and GET keys are read this way, as in Redis.
    pub fn peek(&self, key: &[u8]) -> Result<Option<Meta>> {
        if let Some(i) = self.slot(self.db, key) {
            return Ok(self.seen[i].meta.clone());
        }
        Ok(self.read_meta(self.db, key)?.filter(|m| !m.is_expired(self.now)))
    }

    /// The live metadata of `key` in database `db`; an expired key is deleted here.
    pub fn get_at(&mut self, db: u8, key: &[u8]) -> Result<Option<Meta>> {
        if let Some(i) = self.slot(db, key) {
            return Ok(self.seen[i].meta.clone());
        }
        if !self.no_touch {
            self.store.access.touch_at(db, key, self.started);
        }
        let meta = self.read_meta(db, key)?;
        let key = Bytes::copy_from_slice(key);
        match meta {
            Some(m) if m.is_expired(self.now) && self.keep_expired => {
                // Read only: nothing later in this command looks at it as present.
                self.seen.push(Entry { db, key, meta: None });
                Ok(None)
            }
            Some(m) if m.is_expired(self.now) => {
                self.seen.push(Entry { db, key: key.clone(), meta: Some(m) });
                self.remove_at(db, &key)?;
                self.store.stats.expired_keys.fetch_add(1, Ordering::Relaxed);
                self.notify_at(notify::EXPIRED, "expired", db, &key);
                Ok(None)
            }
            other => {
                self.seen.push(Entry { db, key, meta: other.clone() });
                Ok(other)
            }
        }
    }

    /// [`Txn::get`] for a read command of any type (EXISTS, TYPE, TTL, DUMP): a miss
    /// raises `keymiss`, as Redis's read lookups do.
    pub fn get_read(&mut self, key: &[u8]) -> Result<Option<Meta>> {
        let found = self.get(key)?;
        if found.is_none() {
            self.notify(notify::KEY_MISS, "keymiss", key);
        }
        Ok(found)
    }

    /// [`Txn::get_at`] in the command's database.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Meta>> {
        self.get_at(self.db, key)
    }

    /// The one lookup every type's `open` is built on: the live metadata of `key` if it
    /// holds `kind` (an expired key is deleted here, see [`Txn::get_at`]), `None` if it
    /// is missing, WRONGTYPE if it holds another type. `access` decides whether INFO
    /// counts the lookup as a keyspace hit or miss; a WRONGTYPE is not counted.
    pub fn open(&mut self, key: &[u8], kind: Kind, access: Access) -> Result<Option<Meta>> {
        let found = match self.get(key)? {
            Some(m) if m.kind != kind => return Err(Error::WrongType),
            found => found,
        };
        if access == Access::Read {
            let stats = &self.store.stats;
            let counter = if found.is_some() { &stats.keyspace_hits } else { &stats.keyspace_misses };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if access != Access::Write && found.is_none() {
            // Redis raises `keymiss` on every read lookup that misses, counted or not.
            self.notify(notify::KEY_MISS, "keymiss", key);
        }
        Ok(found)
    }

    /// Writes `meta` as the new state of `key` in `db`, fixing counters and the expiry index.
    pub fn put_at(&mut self, db: u8, key: &[u8], meta: Meta) -> Result<()> {
        if self.slot(db, key).is_none() {
            self.get_at(db, key)?;
        }
        let i = self.slot(db, key).expect("entry recorded by get_at");
        let old_expire = self.seen[i].meta.as_ref().map(|m| m.expire_at).unwrap_or(0);
        let existed = self.seen[i].meta.is_some();
        if old_expire != meta.expire_at {
            if old_expire != 0 {
                self.batch.delete(Cf::Expire, keys::expire_key(db, old_expire, key));
            }
            if meta.expire_at != 0 {
                self.batch.put(Cf::Expire, keys::expire_key(db, meta.expire_at, key), Vec::new());
            }
        }
        let old_version = self.seen[i].meta.as_ref().map(|m| m.version);
        if meta.has_records() && old_version != Some(meta.version) {
            // A new collection version here, or a version that moved here (RENAME, MOVE).
            self.batch.put(Cf::Owner, keys::owner_key(meta.version), keys::owner_value(db, key));
        }
        self.delta(db, if existed { 0 } else { 1 }, old_expire, meta.expire_at);
        if !existed && notify::wanted(self.notify, notify::NEW) {
            self.created.push((db, Bytes::copy_from_slice(key)));
        }
        self.batch.put(Cf::Meta, keys::meta_key(db, key), meta.encode());
        self.seen[i].meta = Some(meta);
        self.mark(db, key);
        Ok(())
    }

    pub fn put(&mut self, key: &[u8], meta: Meta) -> Result<()> {
        self.put_at(self.db, key, meta)
    }

    /// Sets `key` to the string `value` with the absolute expiry `expire_at` (0: none),
    /// whatever it held: a shortcut for the type layer's tests.
    #[cfg(test)]
    pub fn set_string(&mut self, key: &[u8], value: Bytes, expire_at: i64) -> Result<()> {
        super::string::put(self, key, value, expire_at)
    }

    /// Deletes `key` from `db` if it exists (expired or not). Sub-keys of collections
    /// become unreachable with their metadata and are reclaimed by compaction.
    fn remove_at(&mut self, db: u8, key: &[u8]) -> Result<bool> {
        let i = self.slot(db, key).expect("caller recorded the entry");
        let Some(old) = self.seen[i].meta.take() else { return Ok(false) };
        self.flush_new(db, key);
        if old.expire_at != 0 {
            self.batch.delete(Cf::Expire, keys::expire_key(db, old.expire_at, key));
        }
        self.batch.delete(Cf::Meta, keys::meta_key(db, key));
        self.delta(db, -1, old.expire_at, 0);
        self.mark(db, key);
        Ok(true)
    }

    /// Deletes a live key; answers whether it existed.
    pub fn delete_at(&mut self, db: u8, key: &[u8]) -> Result<bool> {
        if self.get_at(db, key)?.is_none() {
            return Ok(false);
        }
        self.remove_at(db, key)
    }

    pub fn delete(&mut self, key: &[u8]) -> Result<bool> {
        self.delete_at(self.db, key)
    }

    fn mark(&mut self, db: u8, key: &[u8]) {
        self.changes += 1;
        if !self.touched.iter().any(|(d, k)| *d == db && k == key) {
            self.touched.push((db, Bytes::copy_from_slice(key)));
        }
    }

    /// Marks `key` (in the command's database) changed without writing its metadata: a
    /// collection whose elements changed in place.
    pub fn mark_changed(&mut self, key: &[u8]) {
        self.mark(self.db, key);
    }

    // ----- sub-keys of collections -----
    // Sub-keys are addressed by version alone; see `storage::keys`.

    pub fn sub_get(&self, version: u64, sub: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(staged) = &self.staged {
            match staged.get(Cf::Sub, &keys::sub_key(version, sub)) {
                Found::Put(v) => return Ok(Some(v.to_vec())),
                Found::Deleted => return Ok(None),
                Found::Unknown => {}
            }
        }
        if let Some(found) = self.store.cache.window(Cf::Sub, version).and_then(|w| w.get(sub).map(|v| v.map(<[u8]>::to_vec))) {
            return Ok(found);
        }
        Ok(self.store.storage.get(Cf::Sub, &keys::sub_key(version, sub))?)
    }

    pub fn sub_put(&mut self, version: u64, sub: &[u8], value: Vec<u8>) {
        self.batch.put(Cf::Sub, keys::sub_key(version, sub), value);
    }

    pub fn sub_delete(&mut self, version: u64, sub: &[u8]) {
        self.batch.delete(Cf::Sub, keys::sub_key(version, sub));
    }

    /// Raw access for type modules that keep other records (the score index).
    pub fn batch_mut(&mut self) -> &mut Batch {
        &mut self.batch
    }

    /// Visits the records of `version` in `cf` (Sub or Score) whose suffix is in
    /// `[from, to)` (`to` empty: to the end), passing the suffix and the value, until
    /// `visit` answers false. Served from the record cache where it holds the records
    /// (see [`super::cache`]); reads through storage pay towards a cached window.
    /// Inside a group, merged with the writes of the group's earlier commands.
    pub fn sub_scan(
        &self,
        cf: Cf,
        version: u64,
        from: &[u8],
        to: &[u8],
        reverse: bool,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        if let Some(staged) = &self.staged {
            let prefix = keys::sub_prefix(version);
            let lo = keys::sub_key(version, from);
            let hi = if to.is_empty() { keys::prefix_end(&prefix) } else { keys::sub_key(version, to) };
            if staged.touches(cf, &lo, &hi) {
                let mut merge = Merge::new(staged, cf, &prefix, &lo, &hi, reverse);
                self.stored_sub_scan(cf, version, from, to, reverse, &mut |k, v| merge.stored(k, v, visit))?;
                merge.finish(visit);
                return Ok(());
            }
        }
        self.stored_sub_scan(cf, version, from, to, reverse, visit)
    }

    /// [`Txn::sub_scan`] of what storage (or the record cache) holds.
    fn stored_sub_scan(
        &self,
        cf: Cf,
        version: u64,
        from: &[u8],
        to: &[u8],
        reverse: bool,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        let span = Span { cf, version, from, to, reverse };
        let mut served = 0u64;
        if let Some(window) = self.store.cache.window(cf, version) {
            let mut counted = |k: &[u8], v: &[u8]| {
                served += 1;
                visit(k, v)
            };
            match window.scan(from, to, reverse, &mut counted) {
                Some(Rest::Done) => return Ok(()),
                Some(Rest::Continue(rest_from, rest_to)) => {
                    // The window ran out before the read did: walk on in storage, and let
                    // the cache know this window is short for such reads.
                    let rest = Span { from: &rest_from, to: &rest_to, ..span };
                    let (walked, _) = self.storage_scan(&rest, visit)?;
                    return self.pay_for_window(&span, walked, served + walked, false);
                }
                None => {}
            }
        }
        let (walked, ran_out) = self.storage_scan(&span, visit)?;
        let whole = ran_out && from.is_empty() && to.is_empty();
        self.pay_for_window(&span, walked, walked, whole)
    }

    /// Tells the record cache that a read of `span` walked `spent` records in storage out
    /// of `read_len` (`whole`: all of the version's), and loads a window when the cache
    /// answers that the reads have paid for one: from where this read started.
    fn pay_for_window(&self, span: &Span<'_>, spent: u64, read_len: u64, whole: bool) -> Result<()> {
        let cache = &self.store.cache;
        if let Some(load) = cache.note_walk(span.cf, span.version, spent, read_len, whole) {
            let (at, reverse) = match (load.from_start, span.reverse) {
                (true, _) => (&b""[..], false),
                (false, true) => (span.to, true),
                (false, false) => (span.from, false),
            };
            let window = self.load_window(span.cf, span.version, at, reverse, load.records)?;
            cache.fill(span.cf, span.version, load.stamp, window);
        }
        Ok(())
    }

    /// [`Txn::sub_scan`] in storage; answers how many records it walked and whether it
    /// ran out of records (rather than being stopped by `visit`).
    fn storage_scan(&self, span: &Span<'_>, visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<(u64, bool)> {
        let prefix = keys::sub_prefix(span.version);
        let start = keys::sub_key(span.version, span.from);
        let end = if span.to.is_empty() { keys::prefix_end(&prefix) } else { keys::sub_key(span.version, span.to) };
        let plen = prefix.len();
        let (mut walked, mut stopped) = (0u64, false);
        let range = Range { start: &start, end: &end, reverse: span.reverse };
        self.store.storage.scan(span.cf, range, &mut |k, v| {
            walked += 1;
            stopped = !visit(&k[plen..], v);
            !stopped
        })?;
        Ok((walked, !stopped))
    }

    /// Reads a cache window of up to `records` records of `version` in `cf`: forwards from
    /// suffix `at`, or backwards from just below `at` (empty: from the last record).
    fn load_window(&self, cf: Cf, version: u64, at: &[u8], reverse: bool, records: usize) -> Result<Window> {
        let mut window = Window::new(if reverse { b"" } else { at });
        let mut last: Option<Vec<u8>> = None;
        let (from, to) = if reverse { (&b""[..], at) } else { (at, &b""[..]) };
        let span = Span { cf, version, from, to, reverse };
        let (_, ran_out) = self.storage_scan(&span, &mut |k, v| {
            if window.is_full(records) {
                last = Some(k.to_vec());
                return false;
            }
            window.push(k, v);
            true
        })?;
        if reverse {
            if !at.is_empty() {
                window.close(at);
            }
            if !ran_out {
                // Records below the lowest one taken were left out: the window starts there.
                let lowest = (!window.is_empty()).then(|| window.record(window.len() - 1).0.to_vec());
                window.set_lo(&lowest.unwrap_or_default());
            }
            window.finish_reversed();
        } else if let Some(first_left_out) = last {
            window.close(&first_left_out);
        }
        Ok(window)
    }

    // ----- every record of a version, whatever the type -----
    // Keyspace commands (COPY, DUMP, RESTORE) move collections without knowing their
    // layout: a collection is its metadata plus the Sub and Score records of its version.

    /// Visits every record of `version`: first its [`Cf::Sub`] records, then its
    /// [`Cf::Score`] records, passing the column family, the suffix after the version and
    /// the value, until `visit` answers false.
    pub fn for_each_record(&self, version: u64, visit: &mut dyn FnMut(Cf, &[u8], &[u8]) -> bool) -> Result<()> {
        let mut go_on = true;
        for cf in RECORD_CFS {
            if !go_on {
                break;
            }
            self.sub_scan(cf, version, b"", b"", false, &mut |k, v| {
                go_on = visit(cf, k, v);
                go_on
            })?;
        }
        Ok(())
    }

    /// Writes one record of `version` in `cf` (Sub or Score).
    pub fn record_put(&mut self, cf: Cf, version: u64, suffix: &[u8], value: Vec<u8>) {
        self.batch.put(cf, keys::sub_key(version, suffix), value);
    }

    /// Copies every record of version `from` to version `to` (COPY); answers how many.
    /// O(N) in the size of the collection.
    pub fn copy_records(&mut self, from: u64, to: u64) -> Result<u64> {
        if let Some(staged) = &self.staged {
            let prefix = keys::sub_prefix(from);
            let end = keys::prefix_end(&prefix);
            if RECORD_CFS.iter().any(|&cf| staged.touches(cf, &prefix, &end)) {
                // Written earlier in the group: copy what the merged view holds.
                let mut records = Vec::new();
                self.for_each_record(from, &mut |cf, k, v| {
                    records.push((cf, keys::sub_key(to, k), v.to_vec()));
                    true
                })?;
                let n = records.len() as u64;
                for (cf, k, v) in records {
                    self.batch.put(cf, k, v);
                }
                return Ok(n);
            }
        }
        let store = self.store;
        let batch = &mut self.batch;
        let mut n = 0u64;
        for cf in RECORD_CFS {
            let prefix = keys::sub_prefix(from);
            let end = keys::prefix_end(&prefix);
            store.storage.scan(cf, Range { start: &prefix, end: &end, reverse: false }, &mut |k, v| {
                batch.put(cf, keys::sub_key(to, &k[prefix.len()..]), v.to_vec());
                n += 1;
                true
            })?;
        }
        Ok(n)
    }

    /// Serializes `meta` and, for a collection, every record of its version, as DUMP
    /// answers. The TTL is not part of it (RESTORE takes one), nor is the version (RESTORE
    /// makes a new one). See [`dump`] for the format.
    pub fn dump(&self, meta: &Meta) -> Result<Vec<u8>> {
        let mut head = meta.clone();
        head.expire_at = 0;
        head.version = 0;
        let mut out = dump::start(&head);
        if meta.has_records() {
            self.for_each_record(meta.version, &mut |cf, k, v| {
                dump::record(&mut out, cf, k, v);
                true
            })?;
        }
        Ok(dump::finish(out))
    }

    /// Creates `key` from a DUMP payload already checked with [`dump::parse`], with
    /// `expire_at` (0: none). A collection gets a fresh version. Replaces what was there.
    pub fn restore(&mut self, key: &[u8], value: dump::Value<'_>, expire_at: i64) -> Result<()> {
        let mut meta = value.meta;
        meta.expire_at = expire_at;
        if meta.has_records() {
            meta.version = self.store.new_version();
            for (cf, k, v) in value.records {
                self.record_put(cf, meta.version, k, v.to_vec());
            }
        }
        self.put(key, meta)
    }

    /// Counts a change made outside the batch (SWAPDB), so the write is synced like any
    /// other and shows in the dirty counter.
    pub fn note_write(&mut self) {
        self.changes += 1;
    }

    /// Up to `count` records of `version` in [`Cf::Sub`] that sort after `after` (from the
    /// start when `None`), and whether the walk reached the end: one page of HSCAN,
    /// SSCAN or ZSCAN.
    pub fn sub_page(&self, version: u64, after: Option<&[u8]>, count: usize) -> Result<(Vec<(Bytes, Bytes)>, bool)> {
        let from = match after {
            Some(a) => {
                let mut f = a.to_vec();
                f.push(0);
                f
            }
            None => Vec::new(),
        };
        let mut out = Vec::new();
        let mut more = false;
        self.sub_scan(Cf::Sub, version, &from, b"", false, &mut |k, v| {
            if out.len() == count {
                more = true;
                return false;
            }
            out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v)));
            true
        })?;
        Ok((out, !more))
    }

    // ----- keyspace notifications -----

    /// Raises keyspace event `event` of `class` about `key` in the command's database
    /// (kept only when the class is enabled; see [`crate::notify`]).
    #[inline]
    pub fn notify(&mut self, class: u16, event: &'static str, key: &[u8]) {
        self.notify_at(class, event, self.db, key);
    }

    /// Whether events of `class` are published: for events that cost something to name.
    #[inline]
    pub fn wants(&self, class: u16) -> bool {
        notify::wanted(self.notify, class)
    }

    /// [`Txn::notify`] about `key` in physical database `db`.
    #[inline]
    pub fn notify_at(&mut self, class: u16, event: &'static str, db: u8, key: &[u8]) {
        if notify::wanted(self.notify, class) {
            self.flush_new(db, key);
            self.events.push(Event { event, db, key: Bytes::copy_from_slice(key) });
        }
    }

    /// Raises `new` for `key` in `db` now: for a key that replaced an existing one the
    /// way Redis deletes and re-adds it (RENAME, COPY, RESTORE onto an existing key),
    /// and to order `new` before events about other keys.
    pub fn notify_new(&mut self, db: u8, key: &[u8]) {
        if notify::wanted(self.notify, notify::NEW) {
            self.created.retain(|(d, k)| !(*d == db && k == key));
            self.events.push(Event { event: "new", db, key: Bytes::copy_from_slice(key) });
        }
    }

    /// Forgets the `new` event waiting for `key`: the command replaced the key (deleted
    /// and rewrote it) where Redis overwrites it in place.
    pub fn drop_new(&mut self, key: &[u8]) {
        let db = self.db;
        self.created.retain(|(d, k)| !(*d == db && k == key));
    }

    /// Raises the `new` event still waiting for `key` in `db`, if any.
    fn flush_new(&mut self, db: u8, key: &[u8]) {
        if let Some(i) = self.created.iter().position(|(d, k)| *d == db && k == key) {
            let (db, key) = self.created.remove(i);
            self.events.push(Event { event: "new", db, key });
        }
    }

    /// Takes the events raised, for publication once the commit succeeded.
    pub fn take_events(&mut self) -> Vec<Event> {
        for (db, key) in std::mem::take(&mut self.created) {
            self.events.push(Event { event: "new", db, key });
        }
        std::mem::take(&mut self.events)
    }

    /// Whether this command changed anything.
    pub fn wrote(&self) -> bool {
        self.changes > 0 || !self.batch.is_empty()
    }

    /// Applies every write of the command atomically.
    pub fn commit(mut self) -> Result<Vec<(u8, Bytes)>> {
        debug_assert!(self.staged.is_none(), "a command in a group is staged, not committed");
        if self.batch.is_empty() {
            self.store.stats.dirty.fetch_add(self.changes, Ordering::Relaxed);
            return Ok(std::mem::take(&mut self.touched));
        }
        let batch = std::mem::take(&mut self.batch);
        write_batch(self.store, batch)?;
        apply_deltas(self.store, &self.deltas, 1);
        self.store.stats.dirty.fetch_add(self.changes, Ordering::Relaxed);
        Ok(std::mem::take(&mut self.touched))
    }

    /// For a command inside a group: adds its writes to the group instead of writing
    /// them, and hands the group back with the keys the command changed. The key
    /// counters and the dirty count move now, as a commit would move them, so later
    /// commands of the group (DBSIZE, RANDOMKEY) count the staged keys; a failed
    /// [`commit_staged`] takes the counters back.
    pub fn stage(mut self) -> (Box<Staged>, Vec<(u8, Bytes)>) {
        let mut staged = self.staged.take().expect("stage() of a command in a group");
        staged.absorb(std::mem::take(&mut self.batch));
        apply_deltas(self.store, &self.deltas, 1);
        staged.deltas.extend_from_slice(&self.deltas);
        self.store.stats.dirty.fetch_add(self.changes, Ordering::Relaxed);
        (staged, std::mem::take(&mut self.touched))
    }

    /// Walks the stored records of `cf` in `range` (metadata for KEYS, SCAN, RANDOMKEY),
    /// merged with the group's staged writes inside a group.
    pub fn scan(&self, cf: Cf, range: Range<'_>, visit: &mut dyn FnMut(&[u8], &[u8]) -> bool) -> Result<()> {
        if let Some(staged) = &self.staged {
            if staged.touches(cf, range.start, range.end) {
                let mut merge = Merge::new(staged, cf, b"", range.start, range.end, range.reverse);
                self.store.storage.scan(cf, range, &mut |k, v| merge.stored(k, v, visit))?;
                merge.finish(visit);
                return Ok(());
            }
        }
        Ok(self.store.storage.scan(cf, range, visit)?)
    }
}

/// Adds (`sign` 1) or takes back (`sign` -1) per-database counter deltas.
fn apply_deltas(store: &Store, deltas: &[(u8, i64, i64, i64)], sign: i64) {
    for &(db, k, e, secs) in deltas {
        let c = &store.counters[db as usize];
        c.keys.fetch_add(sign * k, Ordering::Relaxed);
        c.expires.fetch_add(sign * e, Ordering::Relaxed);
        c.deadline_secs.fetch_add(sign * secs, Ordering::Relaxed);
    }
}

/// Writes `batch` and tells the record cache which versions it changed.
fn write_batch(store: &Store, batch: Batch) -> Result<()> {
    // Versions whose records this batch changes, for the record cache. Collected
    // before the write, applied after it (see `cache`'s correctness notes).
    let mut changed: Vec<(Cf, u64)> = Vec::new();
    for op in &batch.ops {
        if let Op::Put(cf @ (Cf::Sub | Cf::Score), k, _)
        | Op::Delete(cf @ (Cf::Sub | Cf::Score), k)
        | Op::DeleteRange(cf @ (Cf::Sub | Cf::Score), k, _) = op
        {
            if let Some(v) = keys::version_of_sub(k) {
                if changed.last() != Some(&(*cf, v)) {
                    changed.push((*cf, v));
                }
            }
        }
    }
    store.storage.write(batch)?;
    store.cache.invalidate(changed);
    Ok(())
}

/// Commits a group's staged writes (one EXEC or one script) as one batch. On failure
/// nothing was written, and the key counters the group's commands moved are taken back.
pub fn commit_staged(store: &Store, staged: Box<Staged>) -> Result<()> {
    if staged.is_empty() {
        return Ok(());
    }
    let deltas = staged.deltas.clone();
    let batch = staged.into_batch();
    if let Err(e) = write_batch(store, batch) {
        apply_deltas(store, &deltas, -1);
        return Err(e);
    }
    Ok(())
}

/// The DUMP payload: DiskDB's own format, readable by any DiskDB server of the same
/// payload version, for every type alike.
///
/// ```text
/// "DDB" [payload version u8]
/// [metadata length u32 BE][metadata record, expiry and version zeroed]
/// records, each: [cf u8: 1 Sub, 2 Score][suffix length u32 BE][suffix]
///                [value length u32 BE][value]
/// [0 u8]                                        end of records
/// [CRC-32 of everything above, u32 LE]
/// ```
pub mod dump {
    use bytes::Bytes;

    use super::Meta;
    use crate::storage::Cf;

    const MAGIC: &[u8] = b"DDB";
    /// Bump when the layout changes; older servers then refuse the payload.
    pub const VERSION: u8 = 1;
    const TAG_END: u8 = 0;
    const TAG_SUB: u8 = 1;
    const TAG_SCORE: u8 = 2;

    /// A parsed payload; records borrow from it.
    pub struct Value<'a> {
        pub meta: Meta,
        pub records: Vec<(Cf, &'a [u8], &'a [u8])>,
    }

    /// Why a payload was refused.
    #[derive(Debug, PartialEq)]
    pub enum Refused {
        /// Wrong magic, payload version or checksum.
        Checksum,
        /// The checksum holds but the content does not parse.
        Format,
    }

    pub(super) fn start(meta: &Meta) -> Vec<u8> {
        let raw = meta.encode();
        let mut out = Vec::with_capacity(MAGIC.len() + 5 + raw.len() + 5);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&(raw.len() as u32).to_be_bytes());
        out.extend_from_slice(&raw);
        out
    }

    pub(super) fn record(out: &mut Vec<u8>, cf: Cf, suffix: &[u8], value: &[u8]) {
        out.push(if cf == Cf::Score { TAG_SCORE } else { TAG_SUB });
        out.extend_from_slice(&(suffix.len() as u32).to_be_bytes());
        out.extend_from_slice(suffix);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }

    pub(super) fn finish(mut out: Vec<u8>) -> Vec<u8> {
        out.push(TAG_END);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Checks and parses a payload. Every length is checked against the bytes actually
    /// there before use, so a hostile payload cannot make it allocate or read past the end.
    pub fn parse(payload: &[u8]) -> Result<Value<'_>, Refused> {
        if payload.len() < MAGIC.len() + 1 + 4 + 1 + 4 || &payload[..MAGIC.len()] != MAGIC || payload[MAGIC.len()] != VERSION {
            return Err(Refused::Checksum);
        }
        let (body, crc) = payload.split_at(payload.len() - 4);
        let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
        if crc32fast::hash(body) != crc {
            return Err(Refused::Checksum);
        }
        let mut rest = &body[MAGIC.len() + 1..];
        let raw = take(&mut rest).ok_or(Refused::Format)?;
        let meta = Meta::decode(Bytes::copy_from_slice(raw)).ok_or(Refused::Format)?;
        let mut records = Vec::new();
        loop {
            let (&tag, after) = rest.split_first().ok_or(Refused::Format)?;
            rest = after;
            let cf = match tag {
                TAG_END => break,
                TAG_SUB => Cf::Sub,
                TAG_SCORE => Cf::Score,
                _ => return Err(Refused::Format),
            };
            let k = take(&mut rest).ok_or(Refused::Format)?;
            let v = take(&mut rest).ok_or(Refused::Format)?;
            records.push((cf, k, v));
        }
        if !rest.is_empty() || (!meta.has_records() && !records.is_empty()) {
            return Err(Refused::Format);
        }
        Ok(Value { meta, records })
    }

    /// Takes a `[u32 BE length][bytes]` field off the front of `rest`.
    fn take<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let field = rest.get(4..4usize.checked_add(len)?)?;
        *rest = &rest[4 + len..];
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Storage;
    use crate::types::testing::open_with_storage as open;

    fn count_sub(storage: &dyn Storage) -> usize {
        let mut n = 0;
        let end = vec![0xff; 9];
        storage.scan(Cf::Sub, Range { start: &[], end: &end, reverse: false }, &mut |_, _| {
            n += 1;
            true
        })
        .unwrap();
        n
    }

    #[test]
    fn deleted_collection_elements_are_invisible_then_compacted_away() {
        let dir = tempfile::tempdir().unwrap();
        let (storage, store) = open(dir.path());
        let version = store.new_version();
        let mut txn = Txn::new(&store, 0);
        let mut meta = Meta::collection(Kind::Set, version);
        meta.size = 1000;
        txn.put(b"big", meta).unwrap();
        for i in 0..1000u32 {
            txn.sub_put(version, &i.to_be_bytes(), Vec::new());
        }
        txn.commit().unwrap();
        assert_eq!(count_sub(&*storage), 1000);
        assert_eq!(store.dbsize(0), 1);

        // DEL is one metadata delete, whatever the size.
        let mut txn = Txn::new(&store, 0);
        assert!(txn.delete(b"big").unwrap());
        txn.commit().unwrap();
        assert_eq!(store.dbsize(0), 0);

        // A new key of the same name gets a new version and sees none of the old elements.
        let v2 = store.new_version();
        assert!(v2 > version);
        let mut txn = Txn::new(&store, 0);
        txn.put(b"big", Meta::collection(Kind::Set, v2)).unwrap();
        txn.sub_put(v2, b"fresh", Vec::new());
        txn.commit().unwrap();
        let txn = Txn::new(&store, 0);
        let mut seen = Vec::new();
        txn.sub_scan(Cf::Sub, v2, b"", b"", false, &mut |k, _| {
            seen.push(k.to_vec());
            true
        })
        .unwrap();
        assert_eq!(seen, vec![b"fresh".to_vec()]);

        // Compaction drops the 1000 stale records and keeps the live one.
        storage.close().unwrap();
        drop(store);
        drop(storage);
        let (storage, _store) = open(dir.path());
        storage.compact(Cf::Sub, &[], &[0xff; 9]);
        assert_eq!(count_sub(&*storage), 1);
    }

    #[test]
    fn renamed_collection_keeps_its_elements_through_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let (storage, store) = open(dir.path());
        let version = store.new_version();
        let mut txn = Txn::new(&store, 0);
        txn.put(b"a", Meta::collection(Kind::Hash, version)).unwrap();
        txn.sub_put(version, b"f", b"v".to_vec());
        txn.commit().unwrap();
        // RENAME a -> b: same version under the new name; the owner record follows.
        let mut txn = Txn::new(&store, 0);
        let meta = txn.get(b"a").unwrap().unwrap();
        txn.put(b"b", meta).unwrap();
        txn.delete(b"a").unwrap();
        txn.commit().unwrap();
        storage.close().unwrap();
        drop(store);
        drop(storage);
        let (storage, _store) = open(dir.path());
        storage.compact(Cf::Sub, &[], &[0xff; 9]);
        assert_eq!(count_sub(&*storage), 1);
    }

    fn names(events: &[Event]) -> Vec<(&'static str, &[u8])> {
        events.iter().map(|e| (e.event, &e.key[..])).collect()
    }

    #[test]
    fn events_are_queued_only_for_enabled_classes_with_new_before_the_first_event() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store) = open(dir.path());
        // Off (the default): nothing is queued, not even `new`.
        let mut txn = Txn::new(&store, 0);
        txn.set_string(b"a", Bytes::from_static(b"1"), 0).unwrap();
        txn.notify(notify::STRING, "set", b"a");
        assert!(txn.take_events().is_empty());
        txn.commit().unwrap();

        store.set_notify_flags(notify::KEYEVENT | notify::STRING | notify::GENERIC | notify::NEW | notify::EXPIRED);
        let mut txn = Txn::new(&store, 0);
        // `new` waits for the first event about its key, even after events about others.
        txn.set_string(b"b", Bytes::from_static(b"1"), 0).unwrap();
        txn.notify(notify::GENERIC, "del", b"other");
        txn.notify(notify::STRING, "set", b"b");
        txn.notify(notify::LIST, "lpush", b"b");
        // An existing key is not new; a key created then deleted was.
        txn.set_string(b"a", Bytes::from_static(b"2"), 0).unwrap();
        txn.set_string(b"c", Bytes::from_static(b"1"), 0).unwrap();
        txn.delete(b"c").unwrap();
        // A replaced key's `new` can be dropped; one never followed by an event comes last.
        txn.delete(b"a").unwrap();
        txn.set_string(b"a", Bytes::from_static(b"3"), 0).unwrap();
        txn.drop_new(b"a");
        txn.set_string(b"d", Bytes::from_static(b"1"), 0).unwrap();
        let events = txn.take_events();
        assert_eq!(names(&events), vec![("del", &b"other"[..]), ("new", b"b"), ("set", b"b"), ("new", b"c"), ("new", b"d")]);
        txn.commit().unwrap();

        // A lazily expired key raises `expired` from the lookup itself.
        let mut txn = Txn::new(&store, 0);
        txn.set_string(b"e", Bytes::from_static(b"1"), txn.now - 1).unwrap();
        txn.take_events();
        txn.commit().unwrap();
        let mut txn = Txn::new(&store, 0);
        assert_eq!(txn.get(b"e").unwrap(), None);
        assert_eq!(names(&txn.take_events()), vec![("expired", &b"e"[..])]);
    }

    #[test]
    fn lazy_expiry_deletes_once_and_fixes_counters() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store) = open(dir.path());
        let mut txn = Txn::new(&store, 0);
        txn.set_string(b"k", Bytes::from_static(b"v"), txn.now - 1).unwrap();
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (1, 1));
        let mut txn = Txn::new(&store, 0);
        assert_eq!(txn.get(b"k").unwrap(), None);
        assert_eq!(txn.get(b"k").unwrap(), None);
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (0, 0));
    }

    #[test]
    fn a_read_that_keeps_expired_keys_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store) = open(dir.path());
        let mut txn = Txn::new(&store, 0);
        txn.set_string(b"k", Bytes::from_static(b"v"), txn.now - 1).unwrap();
        txn.commit().unwrap();
        let mut txn = Txn::new(&store, 0);
        txn.keep_expired = true;
        assert_eq!(txn.get(b"k").unwrap(), None);
        assert_eq!(txn.get(b"k").unwrap(), None);
        assert!(!txn.wrote(), "no deletion to wait for");
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (1, 1), "deleted later");
        let mut txn = Txn::new(&store, 0);
        assert_eq!(txn.get(b"k").unwrap(), None);
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (0, 0));
    }

    /// A collection with Sub and Score records, as a zset helper would write it.
    fn make_zset(store: &Store, key: &[u8]) -> u64 {
        let version = store.new_version();
        let mut txn = Txn::new(store, 0);
        let mut meta = Meta::collection(Kind::ZSet, version);
        meta.size = 2;
        meta.payload = Bytes::from_static(b"extra");
        txn.put(key, meta).unwrap();
        for (member, score) in [(&b"a"[..], 1.5f64), (b"b", -2.0)] {
            txn.sub_put(version, member, keys::encode_score(score).to_vec());
            let mut idx = keys::encode_score(score).to_vec();
            idx.extend_from_slice(member);
            txn.record_put(Cf::Score, version, &idx, Vec::new());
        }
        txn.commit().unwrap();
        version
    }

    fn records(store: &Store, version: u64) -> Vec<(Cf, Vec<u8>, Vec<u8>)> {
        let txn = Txn::new(store, 0);
        let mut out = Vec::new();
        txn.for_each_record(version, &mut |cf, k, v| {
            out.push((cf, k.to_vec(), v.to_vec()));
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn copy_records_duplicates_every_record_under_a_new_version() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store) = open(dir.path());
        let v1 = make_zset(&store, b"z");
        let original = records(&store, v1);
        assert_eq!(original.len(), 4);
        let v2 = store.new_version();
        let mut txn = Txn::new(&store, 0);
        assert_eq!(txn.copy_records(v1, v2).unwrap(), 4);
        txn.commit().unwrap();
        assert_eq!(records(&store, v2), original);
        assert_eq!(records(&store, v1), original);
    }

    #[test]
    fn dump_and_restore_round_trip_a_collection_between_stores() {
        let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (_s1, store1) = open(d1.path());
        let (_s2, store2) = open(d2.path());
        let v1 = make_zset(&store1, b"z");
        let mut txn = Txn::new(&store1, 0);
        let meta = txn.get(b"z").unwrap().unwrap();
        let payload = txn.dump(&meta).unwrap();

        let mut txn = Txn::new(&store2, 3);
        let value = dump::parse(&payload).unwrap();
        txn.restore(b"copy", value, 0).unwrap();
        txn.commit().unwrap();
        let mut txn = Txn::new(&store2, 3);
        let restored = txn.get(b"copy").unwrap().unwrap();
        assert_eq!((restored.kind, restored.size, &restored.payload[..]), (Kind::ZSet, 2, &b"extra"[..]));
        assert_eq!(records(&store2, restored.version), records(&store1, v1));
        assert_eq!(store2.dbsize(3), 1);

        // Every corruption is refused: a flipped byte, a cut, a wrong version.
        for i in 0..payload.len() {
            let mut bad = payload.clone();
            bad[i] ^= 0x40;
            assert!(dump::parse(&bad).is_err(), "flip at {i}");
        }
        for n in 0..payload.len() {
            assert!(dump::parse(&payload[..n]).is_err(), "cut at {n}");
        }
    }

    #[test]
    fn dump_of_a_string_keeps_only_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let (_storage, store) = open(dir.path());
        let mut txn = Txn::new(&store, 0);
        txn.set_string(b"s", Bytes::from_static(b"hello"), txn.now + 100_000).unwrap();
        txn.commit().unwrap();
        let mut txn = Txn::new(&store, 0);
        let meta = txn.get(b"s").unwrap().unwrap();
        let value = dump::parse(&txn.dump(&meta).unwrap()).map(|v| (v.meta, v.records.len())).unwrap();
        assert_eq!(value, (Meta::string(Bytes::from_static(b"hello"), 0), 0));
    }

    #[test]
    fn active_expiry_index_and_counters_agree() {
        let dir = tempfile::tempdir().unwrap();
        let (storage, store) = open(dir.path());
        let mut txn = Txn::new(&store, 0);
        let now = txn.now;
        txn.set_string(b"a", Bytes::from_static(b"1"), now + 50_000).unwrap();
        txn.set_string(b"b", Bytes::from_static(b"2"), 0).unwrap();
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (2, 1));
        // Changing the deadline moves the index entry; removing it drops it.
        let mut txn = Txn::new(&store, 0);
        let mut meta = txn.get(b"a").unwrap().unwrap();
        meta.expire_at = now + 90_000;
        txn.put(b"a", meta.clone()).unwrap();
        txn.commit().unwrap();
        let mut index = Vec::new();
        let end = [0xffu8; 2];
        storage
            .scan(Cf::Expire, Range { start: &[], end: &end, reverse: false }, &mut |k, _| {
                index.push(keys::parse_expire_key(k).map(|(d, t, k)| (d, t, k.to_vec())).unwrap());
                true
            })
            .unwrap();
        assert_eq!(index, vec![(0, now + 90_000, b"a".to_vec())]);
        let mut txn = Txn::new(&store, 0);
        meta.expire_at = 0;
        txn.put(b"a", meta).unwrap();
        txn.commit().unwrap();
        assert_eq!((store.dbsize(0), store.expires(0)), (2, 0));
    }
}
