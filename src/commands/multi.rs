//! MULTI/WATCH state, as Redis keeps it in multi.c: a client's queue of commands since
//! MULTI ([`Multi`]), the keys it watches ([`WatchSet`]), and the server-wide index from
//! each watched key to the flags of its watchers ([`Watches`]).
//!
//! A leaf: the transaction commands (`transactions.rs`) and the dispatcher, which queues
//! commands and runs EXEC (`dispatch.rs`), both use this state, and it uses neither.
//! Any committed change to a watched key (including expiry, FLUSHDB, FLUSHALL and
//! SWAPDB) raises the watching clients' flags through [`Watches::touch`] or
//! [`Watches::touch_db`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;

/// The queue of a client in MULTI.
#[derive(Default)]
pub struct Multi {
    /// `(spec index, argv)` per queued command.
    pub queued: Vec<(usize, Vec<Bytes>)>,
    /// A command was refused while queueing: EXEC will abort.
    pub aborted: bool,
    /// Bytes of the queued arguments plus one pointer per argument (Redis 7.0's
    /// `mstate.argv_len_sums`, CLIENT LIST `multi-mem`).
    pub mem: usize,
}

/// One client's watched keys.
#[derive(Default)]
pub struct WatchSet {
    pub keys: Vec<(u8, Bytes)>,
    pub dirty: Arc<AtomicBool>,
}

/// Every watched key and the flags of the clients watching it.
#[derive(Default)]
pub struct Watches {
    map: Mutex<HashMap<(u8, Bytes), Vec<Arc<AtomicBool>>>>,
    count: AtomicUsize,
}

impl Watches {
    /// Adds a client's `flag` to the watchers of `key` (WATCH).
    pub fn add(&self, key: (u8, Bytes), flag: &Arc<AtomicBool>) {
        self.map.lock().entry(key).or_default().push(flag.clone());
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets every key a client watches.
    pub fn clear(&self, set: &mut WatchSet) {
        if set.keys.is_empty() {
            return;
        }
        let mut map = self.map.lock();
        for key in set.keys.drain(..) {
            if let Some(flags) = map.get_mut(&key) {
                flags.retain(|f| !Arc::ptr_eq(f, &set.dirty));
                if flags.is_empty() {
                    map.remove(&key);
                }
            }
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        set.dirty = Arc::new(AtomicBool::new(false));
    }

    /// Marks the watchers of changed keys.
    pub fn touch(&self, keys: &[(u8, Bytes)]) {
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let map = self.map.lock();
        for k in keys {
            if let Some(flags) = map.get(k) {
                flags.iter().for_each(|f| f.store(true, Ordering::Release));
            }
        }
    }

    /// Marks the watchers of every key in physical database `db` (FLUSHDB, SWAPDB).
    pub fn touch_db(&self, db: u8) {
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        let map = self.map.lock();
        for ((d, _), flags) in map.iter() {
            if *d == db {
                flags.iter().for_each(|f| f.store(true, Ordering::Release));
            }
        }
    }
}
