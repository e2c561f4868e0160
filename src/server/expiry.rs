//! The active expire cycle: removes expired keys that nobody reads, so DBSIZE and
//! `INFO keyspace` stay right. Expired keys that are read are removed lazily by
//! [`Txn::get`](crate::types::Txn::get) instead.
//!
//! Each cycle walks the expiry index of every database from the earliest deadline up to
//! now, a bounded number of keys per database, so one cycle never stalls writers for long.
//! A key is removed through an ordinary [`Txn`] under its key lock, so the key and
//! expires counters (DBSIZE, `INFO keyspace`), the expired-keys statistic, WATCH and
//! blocked clients all see an active expiry exactly as they see a lazy one, and the
//! `expired` keyspace event is published the same way.

use std::sync::atomic::Ordering;

use crate::commands::ServerState;
use crate::storage::{keys, Cf, Range};
use crate::types::{now_ms, Txn};

/// Keys examined per database per cycle before yielding, per step of
/// `active-expire-effort` (1 to 10).
const PER_CYCLE: usize = 200;

/// Runs one cycle; returns how many keys it removed. Does nothing while DEBUG
/// SET-ACTIVE-EXPIRE 0 has turned the cycle off (expired keys then go only when read),
/// nor while CLIENT PAUSE holds the dataset still, nor while writes to the data
/// directory fail (the disk is full: the deletions would only queue).
pub fn cycle(state: &ServerState) -> usize {
    if !state.active_expire.load(Ordering::Relaxed) || state.pause.writes_paused() || state.store.storage.pending().stalled() {
        return 0;
    }
    let store = &state.store;
    let now = now_ms();
    let per_cycle = PER_CYCLE * state.config.read().active_expire_effort.max(1) as usize;
    let mut removed = 0;
    for db in 0..store.databases() as u8 {
        if !store.may_have_keys(db, true) {
            continue;
        }
        let start = vec![db];
        // Deadlines before `now` only: a key lives through its deadline's millisecond
        // (`Meta::is_expired`).
        let end = keys::expire_key(db, now, b"");
        let mut due: Vec<(i64, Vec<u8>)> = Vec::new();
        let scanned = store.storage.scan(Cf::Expire, Range { start: &start, end: &end, reverse: false }, &mut |k, _| {
            if let Some((_, deadline, key)) = keys::parse_expire_key(k) {
                due.push((deadline, key.to_vec()));
            }
            due.len() < per_cycle
        });
        if let Err(e) = scanned {
            tracing::warn!(error = %e, "expire scan failed");
            continue;
        }
        for (deadline, key) in due {
            let _gate = store.shared();
            let _lock = store.locks.lock([(db, &key[..])]);
            let mut txn = Txn::new(store, db);
            // Reading an expired key deletes it (and its index entry), exactly as a
            // client read would, with the same counters and wake-ups.
            let Ok(live) = txn.get(&key) else { continue };
            let expired = txn.wrote();
            if !expired && live.map(|m| m.expire_at) != Some(deadline) {
                // An index entry no live key stands behind: never expected, but left in
                // place it would be found again by every cycle and hold back the keys
                // due after it.
                txn.batch_mut().delete(Cf::Expire, keys::expire_key(db, deadline, &key));
            }
            let events = txn.take_events();
            if let Ok(touched) = txn.commit() {
                state.touched(&touched);
                crate::notify::publish(state, &events);
                removed += expired as usize;
            }
        }
    }
    removed
}
