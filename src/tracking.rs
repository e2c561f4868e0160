//! Client-side caching (Redis 6+'s server-assisted tracking): which clients may hold a
//! copy of which keys, and the `invalidate` messages that tell them a key changed.
//!
//! # Modes
//!
//! - **Default**: a read-only command run by a tracking client remembers its keys in the
//!   tracking table (key -> client ids; OPTIN / OPTOUT with CLIENT CACHING decide for
//!   the next command or transaction only). A write to a key sends `invalidate [key]` to
//!   every client in its entry and drops the entry: a client is told once, until it
//!   reads the key again. `tracking-table-max-keys` bounds the table: past it, keys are
//!   dropped as if they were written, their clients told.
//! - **BCAST**: a client registers prefixes (the empty prefix for all keys) and is told
//!   of every write to a key under one, whether it read the key or not, one message per
//!   prefix listing the keys. Redis gathers those per event-loop iteration; DiskDB
//!   sends them once per command (a transaction's commands each send their own).
//!
//! NOLOOP leaves out writes by the client itself. FLUSHDB and FLUSHALL send every
//! tracking client `invalidate` with a null instead of keys, and empty the table.
//! Tracking is not per database: a key name stands for that name in every database.
//!
//! # Delivery
//!
//! A RESP3 client gets push frames `>2 invalidate <keys>` in its own connection's
//! [`Mailbox`] (the pub/sub one, created when tracking is switched on). With
//! `REDIRECT id`, messages go to that client instead: a push when it speaks RESP3 (a
//! mailbox is made for it if it has none: `crate::pubsub::MailboxSlot`), a pub/sub
//! `message` on `__redis__:invalidate` whose payload is the key array when it is a RESP2
//! client in subscribe mode (anything else gets nothing, as in Redis). When the
//! redirect client is gone, the tracking client is flagged (CLIENT LIST `R`, TRACKINGINFO
//! `broken_redirect`) and, in RESP3, gets `>2 tracking-redir-broken <id>` instead.
//! Messages for the client whose command is running wait in its session
//! (`Session::tracking_pending`) and follow the command's reply, as Redis 7.0 sends them.
//!
//! The registry is one mutex: it is taken by reads of tracking clients and by writes
//! only while some key is tracked or some prefix registered (one atomic load otherwise).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use parking_lot::Mutex;

use crate::commands::{ClientInfo, ServerState};
use crate::config::value::BufferLimit;
use crate::pubsub::Mailbox;

/// `ClientInfo::tracking` bits (CLIENT LIST flags `t`, `R`, `B`).
pub const ON: u8 = 1;
pub const BROKEN_REDIRECT: u8 = 2;
pub const BCAST: u8 = 4;

/// One client's tracking settings, kept in its session: what CLIENT TRACKING checks a
/// change against, what CLIENT TRACKINGINFO reports, and whether its reads remember keys.
#[derive(Default, Clone, Debug)]
pub struct Mode {
    pub on: bool,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// CLIENT CACHING YES (in OPTIN) or NO (in OPTOUT) given for the next command, or
    /// the next transaction.
    pub caching: bool,
    /// The client invalidations go to; 0 for the client itself.
    pub redirect: u64,
    /// BCAST prefixes, in byte order (as TRACKINGINFO lists them).
    pub prefixes: BTreeSet<Bytes>,
}

impl Mode {
    /// Whether a read-only command run now remembers its keys for this client.
    pub fn remembers(&self) -> bool {
        self.on && !self.bcast && !((self.optin && !self.caching) || (self.optout && self.caching))
    }
}

/// A tracking client as the invalidation path needs it.
struct Client {
    mailbox: Arc<Mailbox>,
    redirect: u64,
    bcast: bool,
    noloop: bool,
}

#[derive(Default)]
struct Inner {
    /// Key -> ids of the clients that may cache it. Ids of clients that have since left
    /// or turned tracking off stay until the key is invalidated, as in Redis.
    table: HashMap<Bytes, HashSet<u64>>,
    /// Ids across the table (INFO `tracking_total_items`).
    items: u64,
    /// BCAST prefix -> ids of its clients.
    prefixes: BTreeMap<Bytes, HashSet<u64>>,
    clients: HashMap<u64, Client>,
    /// Consecutive times the table stayed over `tracking-table-max-keys` after an
    /// eviction pass: each pass tries harder (Redis's trackingLimitUsedSlots).
    over_limit_runs: usize,
}

impl Inner {
    fn live(&self) -> usize {
        self.table.len() + self.prefixes.len()
    }
}

/// The tracking registry of the whole server.
#[derive(Default)]
pub struct Tracking {
    inner: Mutex<Inner>,
    /// Keys in the table plus registered prefixes: 0 lets a write skip the lock.
    live: AtomicUsize,
    /// Clients with tracking on (INFO `tracking_clients`).
    clients: AtomicUsize,
    /// `tracking-table-max-keys`, refreshed when the configuration changes.
    max_keys: AtomicU64,
    max_keys_epoch: AtomicU64,
}

/// Where one call's messages go: any client (redirect targets are looked up in the
/// server's registry), except those for the client whose command is running, which
/// wait in `pending` until its reply is written.
pub struct Sink<'a> {
    state: &'a ServerState,
    current: Option<(u64, &'a mut Vec<Bytes>)>,
    limits: Option<[BufferLimit; 3]>,
}

impl<'a> Sink<'a> {
    pub fn new(state: &'a ServerState, current: Option<(u64, &'a mut Vec<Bytes>)>) -> Sink<'a> {
        Sink { state, current, limits: None }
    }

    fn current_id(&self) -> Option<u64> {
        self.current.as_ref().map(|(id, _)| *id)
    }

    /// Queues `frame` for the client of `mb`, under the output buffer limit of its class
    /// (`pubsub` for a subscriber, else `normal`).
    fn deliver(&mut self, mb: &Mailbox, frame: Bytes) {
        if let Some((id, pending)) = self.current.as_mut() {
            if *id == mb.info.id {
                pending.push(frame);
                return;
            }
        }
        let limits = *self.limits.get_or_insert_with(|| self.state.config.read().client_output_buffer_limit);
        let class = if subscribed(&mb.info) { 2 } else { 0 };
        if !mb.push(&frame, &limits[class]) {
            self.state.pubsub.limit_disconnections.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Whether a client is in subscribe mode (Redis's CLIENT_PUBSUB).
fn subscribed(info: &ClientInfo) -> bool {
    info.sub.load(Ordering::Relaxed) + info.psub.load(Ordering::Relaxed) + info.ssub.load(Ordering::Relaxed) > 0
}

fn put_bulk(out: &mut BytesMut, b: &[u8]) {
    out.put_u8(b'$');
    out.extend_from_slice(itoa::Buffer::new().format(b.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

/// The key array of an `invalidate` message.
fn key_array<'k>(keys: impl ExactSizeIterator<Item = &'k Bytes>) -> Bytes {
    let mut out = BytesMut::new();
    out.put_u8(b'*');
    out.extend_from_slice(itoa::Buffer::new().format(keys.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    for k in keys {
        put_bulk(&mut out, k);
    }
    out.freeze()
}

/// Sends `payload` (a key array, or a null) on behalf of tracking client `c`: to
/// itself or to its redirect target, as Redis's sendTrackingMessage does.
fn send(c: &Client, payload: &[u8], sink: &mut Sink<'_>) {
    let info = &c.mailbox.info;
    let mut dest = c.mailbox.clone();
    if c.redirect != 0 {
        let target = sink.state.clients.get(&c.redirect).map(|e| e.value().clone());
        let Some(target) = target else {
            info.tracking.fetch_or(BROKEN_REDIRECT, Ordering::Relaxed);
            if info.resp.load(Ordering::Relaxed) > 2 {
                let mut f = BytesMut::from(&b">2\r\n$21\r\ntracking-redir-broken\r\n:"[..]);
                f.extend_from_slice(itoa::Buffer::new().format(c.redirect).as_bytes());
                f.extend_from_slice(b"\r\n");
                sink.deliver(&c.mailbox, f.freeze());
            }
            return;
        };
        // A RESP3 client gets pushes whether or not it ever subscribed (a mailbox is made
        // for it if it has none); a RESP2 one only in subscribe mode, with a mailbox.
        dest = if target.resp.load(Ordering::Relaxed) > 2 {
            target.mailbox.get_or_make(&target)
        } else {
            let Some(mb) = target.mailbox.get() else { return };
            mb
        };
    }
    let head: &[u8] = if dest.info.resp.load(Ordering::Relaxed) > 2 {
        b">2\r\n$10\r\ninvalidate\r\n"
    } else if c.redirect != 0 && subscribed(&dest.info) {
        b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
    } else {
        // RESP2 without a subscribed redirect target: nowhere to send it.
        return;
    };
    let mut f = BytesMut::with_capacity(head.len() + payload.len());
    f.extend_from_slice(head);
    f.extend_from_slice(payload);
    sink.deliver(&dest, f.freeze());
}

/// Tells the clients of `key`'s table entry (except a NOLOOP one running the command)
/// and drops the entry.
fn invalidate_entry(inner: &mut Inner, key: &Bytes, sink: &mut Sink<'_>) {
    let Some(ids) = inner.table.remove(key) else { return };
    inner.items -= ids.len() as u64;
    let mut payload = None;
    let current = sink.current_id();
    for id in ids {
        let Some(c) = inner.clients.get(&id) else { continue };
        if c.bcast || (c.noloop && current == Some(id)) {
            continue;
        }
        let p = payload.get_or_insert_with(|| key_array(std::iter::once(key)));
        send(c, p, sink);
    }
}

impl Tracking {
    /// Registers (or re-registers, after a CLIENT TRACKING ON that changed options) the
    /// client of `mailbox` with the settings of `mode`, which carries every prefix it
    /// has. Mirrors the flags CLIENT LIST shows.
    pub fn enable(&self, mailbox: Arc<Mailbox>, mode: &Mode) {
        let info = mailbox.info.clone();
        let id = info.id;
        let mut inner = self.inner.lock();
        for p in &mode.prefixes {
            inner.prefixes.entry(p.clone()).or_default().insert(id);
        }
        inner.clients.insert(id, Client { mailbox, redirect: mode.redirect, bcast: mode.bcast, noloop: mode.noloop });
        self.live.store(inner.live(), Ordering::Relaxed);
        self.clients.store(inner.clients.len(), Ordering::Relaxed);
        info.tracking.store(ON | if mode.bcast { BCAST } else { 0 }, Ordering::Relaxed);
        info.redir.store(mode.redirect as i64, Ordering::Relaxed);
    }

    /// CLIENT TRACKING OFF, RESET and disconnection: forgets the client's prefixes and
    /// settings (its ids in the table go lazily, as in Redis).
    pub fn disable(&self, info: &ClientInfo, mode: &Mode) {
        let mut inner = self.inner.lock();
        for p in &mode.prefixes {
            if let Some(ids) = inner.prefixes.get_mut(p) {
                ids.remove(&info.id);
                if ids.is_empty() {
                    inner.prefixes.remove(p);
                }
            }
        }
        inner.clients.remove(&info.id);
        self.live.store(inner.live(), Ordering::Relaxed);
        self.clients.store(inner.clients.len(), Ordering::Relaxed);
        info.tracking.store(0, Ordering::Relaxed);
        info.redir.store(-1, Ordering::Relaxed);
    }

    /// Remembers that client `id` read `keys`, then keeps the table within
    /// `tracking-table-max-keys` (Redis checks before each command; DiskDB right after
    /// the read that grew the table).
    pub fn remember<'k>(&self, id: u64, keys: impl Iterator<Item = &'k Bytes>, sink: &mut Sink<'_>) {
        let max = self.max_keys(sink.state);
        let mut guard = self.inner.lock();
        let inner = &mut *guard;
        for k in keys {
            if inner.table.entry(k.clone()).or_default().insert(id) {
                inner.items += 1;
            }
        }
        if max > 0 && inner.table.len() as u64 > max {
            // Redis's effort: 100 keys, 100 more for each pass that stayed over.
            let effort = 100 * (inner.over_limit_runs + 1);
            for _ in 0..effort {
                let Some(key) = inner.table.keys().next().cloned() else { break };
                invalidate_entry(inner, &key, sink);
                if inner.table.len() as u64 <= max {
                    break;
                }
            }
            inner.over_limit_runs = if inner.table.len() as u64 > max { inner.over_limit_runs + 1 } else { 0 };
        }
        self.live.store(inner.live(), Ordering::Relaxed);
    }

    /// Keys changed by a committed write (or deleted by expiry or eviction): tells the
    /// clients that read them and the BCAST clients of their prefixes.
    pub fn invalidate(&self, keys: &[(u8, Bytes)], sink: &mut Sink<'_>) {
        if self.live.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        if !inner.prefixes.is_empty() {
            let mut per_prefix: BTreeMap<&Bytes, BTreeSet<&Bytes>> = BTreeMap::new();
            for (_, k) in keys {
                for p in inner.prefixes.keys() {
                    if k.starts_with(p) {
                        per_prefix.entry(p).or_default().insert(k);
                    }
                }
            }
            let current = sink.current_id();
            for (p, ks) in per_prefix {
                let payload = key_array(ks.into_iter());
                for id in &inner.prefixes[p] {
                    let Some(c) = inner.clients.get(id) else { continue };
                    // Every key of this call was written by the running client.
                    if c.noloop && current == Some(*id) {
                        continue;
                    }
                    send(c, &payload, sink);
                }
            }
        }
        for (_, k) in keys {
            invalidate_entry(&mut *inner, k, sink);
        }
        self.live.store(inner.live(), Ordering::Relaxed);
    }

    /// FLUSHDB / FLUSHALL: a null `invalidate` to every tracking client (in the RESP
    /// version of the tracking client, as Redis), and an empty table.
    pub fn flushed(&self, sink: &mut Sink<'_>) {
        if self.clients.load(Ordering::Relaxed) == 0 && self.live.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        for c in inner.clients.values() {
            let null: &[u8] = if c.mailbox.info.resp.load(Ordering::Relaxed) > 2 { b"_\r\n" } else { b"$-1\r\n" };
            send(c, null, sink);
        }
        inner.table = HashMap::new();
        inner.items = 0;
        self.live.store(inner.live(), Ordering::Relaxed);
    }

    /// INFO: `(tracking_clients, tracking_total_keys, tracking_total_items,
    /// tracking_total_prefixes)`.
    pub fn stats(&self) -> (usize, usize, u64, usize) {
        let inner = self.inner.lock();
        (inner.clients.len(), inner.table.len(), inner.items, inner.prefixes.len())
    }

    fn max_keys(&self, state: &ServerState) -> u64 {
        let epoch = state.config_epoch.load(Ordering::Acquire) + 1;
        if self.max_keys_epoch.load(Ordering::Acquire) != epoch {
            let v = state.config.read().stored("tracking-table-max-keys", "1000000").parse().unwrap_or(1_000_000);
            self.max_keys.store(v, Ordering::Relaxed);
            self.max_keys_epoch.store(epoch, Ordering::Release);
        }
        self.max_keys.load(Ordering::Relaxed)
    }
}

/// CLIENT TRACKING's prefix rule: two prefixes overlap when one starts the other.
pub fn overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_key_arrays_and_overlap() {
        let k = [Bytes::from_static(b"a"), Bytes::from_static(b"bc")];
        assert_eq!(&key_array(k.iter())[..], b"*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
        assert!(overlap(b"a", b"ab"));
        assert!(overlap(b"", b"x"));
        assert!(!overlap(b"ab", b"ac"));
    }

    #[test]
    fn tracking_remembers_by_mode() {
        let mut m = Mode { on: true, ..Default::default() };
        assert!(m.remembers());
        m.optin = true;
        assert!(!m.remembers());
        m.caching = true;
        assert!(m.remembers());
        m = Mode { on: true, optout: true, caching: true, ..Default::default() };
        assert!(!m.remembers());
        m.bcast = true;
        m.caching = false;
        assert!(!m.remembers());
    }
}
