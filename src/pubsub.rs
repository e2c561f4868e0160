//! The pub/sub hub: who listens to which channel, pattern and shard channel, and the
//! per-client [`Mailbox`] a message is queued in until the client's connection writes it.
//!
//! # Fan-out
//!
//! [`PubSub::publish`] looks the channel up under a read lock, encodes the message frame
//! once per protocol version actually needed (RESP2 `*3`, RESP3 `>3`; a `pmessage` once
//! per matching pattern) and queues the same [`Bytes`] (a reference count, no copy) in
//! every receiver's mailbox. The publisher never waits for a subscriber: queueing is a
//! short mutex and a `Notify`. Each connection drains its own mailbox into its socket
//! (see `server::connection`), so a slow subscriber delays only itself.
//!
//! # Ordering
//!
//! A client's subscribe confirmations go through its mailbox too, queued while the
//! channel map's write lock is held, so a message published after the subscription can
//! never overtake its confirmation; and the connection drains the mailbox before it
//! writes the reply of the command that just ran, so a client publishing to itself sees
//! the message before the receiver count, as in Redis.
//!
//! # Output buffer limit
//!
//! A mailbox counts the bytes it holds plus what the connection took but the socket has
//! not yet accepted (`ClientInfo::out_pending`). Past the `pubsub` class of
//! `client-output-buffer-limit` (hard at once, soft after its seconds) the mailbox drops
//! what it holds, refuses more and kills the client, as Redis's
//! `closeClientOnOutputBufferLimitReached` does; [`PubSub::limit_disconnections`] counts
//! it for INFO.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::{BufMut, Bytes, BytesMut};
use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;

use crate::commands::ClientInfo;
use crate::config::value::BufferLimit;

/// The three namespaces a client can subscribe in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Space {
    Channel,
    Pattern,
    Shard,
}

impl Space {
    pub(crate) fn subscribe_word(self) -> &'static [u8] {
        match self {
            Space::Channel => b"subscribe",
            Space::Pattern => b"psubscribe",
            Space::Shard => b"ssubscribe",
        }
    }
    pub(crate) fn unsubscribe_word(self) -> &'static [u8] {
        match self {
            Space::Channel => b"unsubscribe",
            Space::Pattern => b"punsubscribe",
            Space::Shard => b"sunsubscribe",
        }
    }
}

/// Messages waiting for one client's connection.
pub struct Mailbox {
    pub info: Arc<ClientInfo>,
    inner: Mutex<Inner>,
    notify: Notify,
}

#[derive(Default)]
struct Inner {
    frames: VecDeque<Bytes>,
    bytes: usize,
    /// Since when the soft limit has been passed without a break.
    soft_since: Option<Instant>,
    /// Disconnected for its output buffer: takes nothing more.
    closed: bool,
}

impl Mailbox {
    pub fn new(info: Arc<ClientInfo>) -> Arc<Mailbox> {
        Arc::new(Mailbox { info, inner: Mutex::new(Inner::default()), notify: Notify::new() })
    }

    /// Queues a frame the client asked for (a confirmation): no limit applies.
    fn push_own(&self, frame: Bytes) {
        let mut inner = self.inner.lock();
        inner.bytes += frame.len();
        inner.frames.push_back(frame);
        self.info.out_queued.store(inner.bytes, Ordering::Relaxed);
        drop(inner);
        self.notify.notify_one();
    }

    /// Queues a published message, enforcing `limit`. False when this message took
    /// the client past it (it is then disconnected; later messages are dropped).
    pub(crate) fn push(&self, frame: &Bytes, limit: &BufferLimit) -> bool {
        let mut inner = self.inner.lock();
        if inner.closed {
            return true;
        }
        inner.bytes += frame.len();
        inner.frames.push_back(frame.clone());
        let used = (inner.bytes + self.info.out_pending.load(Ordering::Relaxed)) as u64;
        let hard = limit.hard > 0 && used >= limit.hard;
        let mut soft = false;
        if limit.soft > 0 && used >= limit.soft {
            match inner.soft_since {
                None => inner.soft_since = Some(Instant::now()),
                Some(t) => soft = t.elapsed().as_secs() > limit.soft_seconds as u64,
            }
        } else {
            inner.soft_since = None;
        }
        if hard || soft {
            inner.closed = true;
            inner.frames = VecDeque::new();
            inner.bytes = 0;
            self.info.out_queued.store(0, Ordering::Relaxed);
            drop(inner);
            tracing::warn!(
                client = self.info.id,
                addr = %self.info.addr,
                used,
                "Client scheduled to be closed ASAP for overcoming of output buffer limits."
            );
            self.info.kill();
            return false;
        }
        self.info.out_queued.store(inner.bytes, Ordering::Relaxed);
        drop(inner);
        self.notify.notify_one();
        true
    }

    /// Moves every queued frame into `out`; returns how many bytes it moved.
    pub fn take_into(&self, out: &mut BytesMut) -> usize {
        let mut inner = self.inner.lock();
        let n = inner.bytes;
        if n == 0 {
            return 0;
        }
        out.reserve(n);
        for f in inner.frames.drain(..) {
            out.extend_from_slice(&f);
        }
        inner.bytes = 0;
        self.info.out_queued.store(0, Ordering::Relaxed);
        // A long burst may have grown the queue: do not keep its capacity while idle.
        if inner.frames.capacity() > 64 {
            inner.frames = VecDeque::new();
        }
        n
    }

    /// Bytes queued.
    pub fn pending(&self) -> usize {
        self.inner.lock().bytes
    }

    /// Resolves when something is queued.
    pub async fn ready(&self) {
        loop {
            let notified = self.notify.notified();
            if self.inner.lock().bytes > 0 {
                return;
            }
            notified.await;
        }
    }
}

/// Where messages from elsewhere reach a client (tracking invalidations redirected to
/// it): its session's mailbox, or, for a RESP3 client that has none yet, one made for
/// it, which its connection attaches to its session when woken (see
/// `server::connection`). Kept in the client's `ClientInfo`.
#[derive(Default)]
pub struct MailboxSlot {
    inner: Mutex<SlotInner>,
    /// A mailbox was made and waits to be attached.
    waiting: std::sync::atomic::AtomicBool,
    made: Notify,
}

#[derive(Default)]
struct SlotInner {
    current: std::sync::Weak<Mailbox>,
    /// Made by a sender, held here until the session attaches it (or the client leaves).
    made: Option<Arc<Mailbox>>,
}

impl MailboxSlot {
    /// The session's mailbox: the one made for it if any, else a new one.
    pub fn attach(&self, info: &Arc<ClientInfo>) -> Arc<Mailbox> {
        let mut inner = self.inner.lock();
        self.waiting.store(false, Ordering::Relaxed);
        let mb = inner.made.take().unwrap_or_else(|| Mailbox::new(info.clone()));
        inner.current = Arc::downgrade(&mb);
        mb
    }

    /// The client's mailbox, if it has one.
    pub fn get(&self) -> Option<Arc<Mailbox>> {
        self.inner.lock().current.upgrade()
    }

    /// The client's mailbox, made (and its connection woken to attach it) if it has none.
    pub fn get_or_make(&self, info: &Arc<ClientInfo>) -> Arc<Mailbox> {
        let mut inner = self.inner.lock();
        if let Some(mb) = inner.current.upgrade() {
            return mb;
        }
        let mb = Mailbox::new(info.clone());
        inner.current = Arc::downgrade(&mb);
        inner.made = Some(mb.clone());
        self.waiting.store(true, Ordering::Relaxed);
        self.made.notify_one();
        mb
    }

    /// Whether a mailbox made by a sender waits to be attached.
    pub fn waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Resolves when a sender made a mailbox (possibly earlier: the wake-up is kept).
    pub async fn made(&self) {
        self.made.notified().await
    }

    /// Drops a mailbox not attached (the client leaves; the mailbox refers to it).
    pub fn release(&self) {
        self.inner.lock().made = None;
    }
}

/// One client's subscriptions (kept in its session while it has a mailbox).
pub struct Subscriber {
    pub mailbox: Arc<Mailbox>,
    channels: HashSet<Bytes>,
    /// In subscription order: PUNSUBSCRIBE without arguments answers in that order, as
    /// Redis 7.0 (a list) does.
    patterns: Vec<Bytes>,
    shards: HashSet<Bytes>,
}

impl Subscriber {
    pub fn new(info: Arc<ClientInfo>) -> Subscriber {
        Subscriber::with_mailbox(Mailbox::new(info))
    }

    /// Subscriptions delivered through an existing mailbox.
    pub fn with_mailbox(mailbox: Arc<Mailbox>) -> Subscriber {
        Subscriber { mailbox, channels: HashSet::new(), patterns: Vec::new(), shards: HashSet::new() }
    }

    /// Whether the client is in subscribe mode (any subscription at all).
    pub fn active(&self) -> bool {
        !self.channels.is_empty() || !self.patterns.is_empty() || !self.shards.is_empty()
    }

    /// The count a (un)subscribe confirmation carries: channels and patterns together,
    /// shard channels on their own (as Redis 7.0).
    fn count(&self, space: Space) -> usize {
        match space {
            Space::Shard => self.shards.len(),
            _ => self.channels.len() + self.patterns.len(),
        }
    }

    fn has(&self, space: Space, name: &[u8]) -> bool {
        match space {
            Space::Channel => self.channels.contains(name),
            Space::Pattern => self.patterns.iter().any(|p| p[..] == *name),
            Space::Shard => self.shards.contains(name),
        }
    }

    fn add(&mut self, space: Space, name: Bytes) {
        match space {
            Space::Channel => {
                self.channels.insert(name);
            }
            Space::Pattern => self.patterns.push(name),
            Space::Shard => {
                self.shards.insert(name);
            }
        }
        self.publish_counts();
    }

    fn remove(&mut self, space: Space, name: &[u8]) {
        match space {
            Space::Channel => {
                self.channels.remove(name);
            }
            Space::Pattern => self.patterns.retain(|p| p[..] != *name),
            Space::Shard => {
                self.shards.remove(name);
            }
        }
        self.publish_counts();
    }

    fn names(&self, space: Space) -> Vec<Bytes> {
        match space {
            Space::Channel => self.channels.iter().cloned().collect(),
            Space::Pattern => self.patterns.clone(),
            Space::Shard => self.shards.iter().cloned().collect(),
        }
    }

    /// Mirrors the counts in CLIENT LIST (`sub`, `psub`, `ssub`, flag `P`).
    fn publish_counts(&self) {
        let info = &self.mailbox.info;
        info.sub.store(self.channels.len(), Ordering::Relaxed);
        info.psub.store(self.patterns.len(), Ordering::Relaxed);
        info.ssub.store(self.shards.len(), Ordering::Relaxed);
    }
}

type Listeners = HashMap<Bytes, HashMap<u64, Arc<Mailbox>>>;

/// Every subscription on the server.
#[derive(Default)]
pub struct PubSub {
    channels: RwLock<Listeners>,
    patterns: RwLock<Listeners>,
    shards: RwLock<Listeners>,
    /// Clients disconnected for their output buffer, in any class (INFO stats
    /// `client_output_buffer_limit_disconnections`; the connection counts the `normal`
    /// class here too).
    pub limit_disconnections: AtomicU64,
}

/// Encodes `*n` (RESP2) or `>n` (RESP3) followed by bulk strings, `None` as a null, and a
/// trailing integer when given.
fn frame(resp: u8, parts: &[Option<&[u8]>], count: Option<usize>) -> Bytes {
    let len: usize = parts.iter().map(|p| p.map_or(5, |p| p.len() + 16)).sum::<usize>() + 32;
    let mut out = BytesMut::with_capacity(len);
    out.put_u8(if resp == 3 { b'>' } else { b'*' });
    let n = parts.len() + count.is_some() as usize;
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
    for p in parts {
        match p {
            Some(p) => {
                out.put_u8(b'$');
                out.extend_from_slice(itoa::Buffer::new().format(p.len()).as_bytes());
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(p);
                out.extend_from_slice(b"\r\n");
            }
            None if resp == 3 => out.extend_from_slice(b"_\r\n"),
            None => out.extend_from_slice(b"$-1\r\n"),
        }
    }
    if let Some(c) = count {
        out.put_u8(b':');
        out.extend_from_slice(itoa::Buffer::new().format(c).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.freeze()
}

/// A message frame encoded at most once per protocol version.
struct Lazy<'a> {
    parts: [&'a [u8]; 4],
    n: usize,
    enc: [Option<Bytes>; 2],
}

impl<'a> Lazy<'a> {
    fn get(&mut self, resp: u8) -> &Bytes {
        let i = (resp == 3) as usize;
        let parts = &self.parts[..self.n];
        self.enc[i].get_or_insert_with(|| {
            let p: Vec<Option<&[u8]>> = parts.iter().map(|p| Some(*p)).collect();
            frame(resp, &p, None)
        })
    }
}

impl PubSub {
    fn map(&self, space: Space) -> &RwLock<Listeners> {
        match space {
            Space::Channel => &self.channels,
            Space::Pattern => &self.patterns,
            Space::Shard => &self.shards,
        }
    }

    /// Subscribes `sub` to `name` in `space` and returns the count the confirmation
    /// carries. With `confirm` (the client's protocol) the confirmation is queued in its
    /// mailbox under the map's lock; without, the caller replies (inside EXEC, where the
    /// confirmation is part of EXEC's reply).
    pub fn subscribe(&self, space: Space, sub: &mut Subscriber, name: &Bytes, confirm: Option<u8>) -> usize {
        let mut map = self.map(space).write();
        if !sub.has(space, name) {
            sub.add(space, name.clone());
            map.entry(name.clone()).or_default().insert(sub.mailbox.info.id, sub.mailbox.clone());
        }
        let count = sub.count(space);
        if let Some(resp) = confirm {
            sub.mailbox.push_own(frame(resp, &[Some(space.subscribe_word()), Some(name)], Some(count)));
        }
        count
    }

    /// Unsubscribes `sub` from `names` in `space` (all of its subscriptions there when
    /// `names` is empty): a confirmation per name, or one with a null name when there
    /// was nothing to leave, queued as [`PubSub::subscribe`] does or returned as
    /// `(name, count)` pairs.
    pub fn unsubscribe(
        &self,
        space: Space,
        sub: &mut Subscriber,
        names: &[Bytes],
        confirm: Option<u8>,
    ) -> Vec<(Option<Bytes>, usize)> {
        let all;
        let names = if names.is_empty() {
            all = sub.names(space);
            &all[..]
        } else {
            names
        };
        let word = space.unsubscribe_word();
        let mut out = Vec::new();
        if names.is_empty() {
            let count = sub.count(space);
            match confirm {
                Some(resp) => sub.mailbox.push_own(frame(resp, &[Some(word), None], Some(count))),
                None => out.push((None, count)),
            }
            return out;
        }
        let mut map = self.map(space).write();
        for name in names {
            if sub.has(space, name) {
                sub.remove(space, name);
                if let Some(m) = map.get_mut(name) {
                    m.remove(&sub.mailbox.info.id);
                    if m.is_empty() {
                        map.remove(name);
                    }
                }
            }
            let count = sub.count(space);
            match confirm {
                Some(resp) => sub.mailbox.push_own(frame(resp, &[Some(word), Some(name)], Some(count))),
                None => out.push((Some(name.clone()), count)),
            }
        }
        out
    }

    /// Drops every subscription of `sub` without confirmations (disconnect, RESET).
    pub fn leave(&self, sub: &mut Subscriber) {
        for space in [Space::Channel, Space::Pattern, Space::Shard] {
            let names = sub.names(space);
            if names.is_empty() {
                continue;
            }
            let mut map = self.map(space).write();
            for name in &names {
                sub.remove(space, name);
                if let Some(m) = map.get_mut(name) {
                    m.remove(&sub.mailbox.info.id);
                    if m.is_empty() {
                        map.remove(name);
                    }
                }
            }
        }
    }

    /// PUBLISH: queues `message` for every subscriber of `channel` and every client
    /// subscribed to a pattern matching it (once per matching pattern, as Redis), and
    /// returns that number of receivers. `limit` is the `pubsub` output buffer class.
    /// Any part of the server may publish (keyspace notifications will).
    pub fn publish(&self, channel: &[u8], message: &[u8], limit: &BufferLimit) -> usize {
        let mut receivers = 0;
        {
            let map = self.channels.read();
            if let Some(subs) = map.get(channel) {
                let mut f = Lazy { parts: [b"message", channel, message, b""], n: 3, enc: [None, None] };
                for mb in subs.values() {
                    let resp = mb.info.resp.load(Ordering::Relaxed);
                    self.deliver(mb, f.get(resp), limit);
                    receivers += 1;
                }
            }
        }
        let map = self.patterns.read();
        for (pattern, subs) in map.iter() {
            if !crate::glob::matches(pattern, channel, false) {
                continue;
            }
            let mut f = Lazy { parts: [b"pmessage", pattern, channel, message], n: 4, enc: [None, None] };
            for mb in subs.values() {
                let resp = mb.info.resp.load(Ordering::Relaxed);
                self.deliver(mb, f.get(resp), limit);
                receivers += 1;
            }
        }
        receivers
    }

    /// SPUBLISH: as [`PubSub::publish`] for shard channels (`smessage`, no patterns).
    pub fn spublish(&self, channel: &[u8], message: &[u8], limit: &BufferLimit) -> usize {
        let map = self.shards.read();
        let Some(subs) = map.get(channel) else { return 0 };
        let mut f = Lazy { parts: [b"smessage", channel, message, b""], n: 3, enc: [None, None] };
        for mb in subs.values() {
            let resp = mb.info.resp.load(Ordering::Relaxed);
            self.deliver(mb, f.get(resp), limit);
        }
        subs.len()
    }

    fn deliver(&self, mb: &Mailbox, frame: &Bytes, limit: &BufferLimit) {
        if !mb.push(frame, limit) {
            self.limit_disconnections.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// PUBSUB CHANNELS / SHARDCHANNELS: the names with subscribers, matching `pattern`.
    pub fn names(&self, space: Space, pattern: Option<&[u8]>) -> Vec<Bytes> {
        let map = self.map(space).read();
        map.keys().filter(|c| pattern.is_none_or(|p| crate::glob::matches(p, c, false))).cloned().collect()
    }

    /// PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one name.
    pub fn numsub(&self, space: Space, name: &[u8]) -> usize {
        self.map(space).read().get(name).map_or(0, |m| m.len())
    }

    /// Names with at least one subscriber (INFO `pubsub_channels`, `pubsub_patterns`,
    /// `pubsubshard_channels`; PUBSUB NUMPAT).
    pub fn len(&self, space: Space) -> usize {
        self.map(space).read().len()
    }

    /// The names client `id` is subscribed to in `space` (for the ACL, which closes a
    /// subscriber whose channels its user no longer allows). O(all subscriptions).
    pub fn subscriptions_of(&self, space: Space, id: u64) -> Vec<Bytes> {
        self.map(space).read().iter().filter(|(_, subs)| subs.contains_key(&id)).map(|(name, _)| name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: u64) -> Arc<ClientInfo> {
        Arc::new(ClientInfo::new(id, "127.0.0.1:1".into(), "127.0.0.1:2".into(), 0, "N"))
    }

    const NO_LIMIT: BufferLimit = BufferLimit { hard: 0, soft: 0, soft_seconds: 0 };

    #[test]
    fn pubsub_frames_are_resp2_arrays_and_resp3_pushes() {
        assert_eq!(&frame(2, &[Some(b"subscribe"), Some(b"a")], Some(1))[..], b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(&frame(3, &[Some(b"unsubscribe"), None], Some(0))[..], b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
        assert_eq!(&frame(2, &[Some(b"unsubscribe"), None], Some(0))[..], b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    }

    #[test]
    fn pubsub_publish_counts_channel_and_pattern_subscriptions() {
        let hub = PubSub::default();
        let mut a = Subscriber::new(info(1));
        let mut b = Subscriber::new(info(2));
        hub.subscribe(Space::Channel, &mut a, &Bytes::from_static(b"news"), Some(2));
        hub.subscribe(Space::Pattern, &mut a, &Bytes::from_static(b"n*"), Some(2));
        hub.subscribe(Space::Pattern, &mut b, &Bytes::from_static(b"*s"), Some(2));
        let mut out = BytesMut::new();
        a.mailbox.take_into(&mut out);
        b.mailbox.take_into(&mut out);
        assert_eq!(hub.publish(b"news", b"hi", &NO_LIMIT), 3);
        assert_eq!(hub.publish(b"other", b"hi", &NO_LIMIT), 0);
        assert_eq!(hub.len(Space::Pattern), 2);
        let mut out = BytesMut::new();
        a.mailbox.take_into(&mut out);
        assert!(out.starts_with(b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n*4\r\n$8\r\npmessage\r\n$2\r\nn*"));
        hub.leave(&mut a);
        assert_eq!(hub.publish(b"news", b"hi", &NO_LIMIT), 1);
        assert_eq!(hub.len(Space::Channel), 0);
        assert_eq!(a.mailbox.info.sub.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn pubsub_hard_limit_closes_the_mailbox() {
        let hub = PubSub::default();
        let mut a = Subscriber::new(info(1));
        hub.subscribe(Space::Channel, &mut a, &Bytes::from_static(b"c"), Some(2));
        let limit = BufferLimit { hard: 1000, soft: 0, soft_seconds: 0 };
        let msg = [b'x'; 100];
        for _ in 0..20 {
            hub.publish(b"c", &msg, &limit);
        }
        assert!(a.mailbox.info.is_killed());
        assert_eq!(a.mailbox.pending(), 0);
        assert_eq!(hub.limit_disconnections.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn pubsub_soft_limit_closes_only_after_its_seconds() {
        let hub = PubSub::default();
        let mut a = Subscriber::new(info(1));
        hub.subscribe(Space::Channel, &mut a, &Bytes::from_static(b"c"), Some(2));
        let limit = BufferLimit { hard: 0, soft: 500, soft_seconds: 0 };
        let msg = [b'x'; 100];
        for _ in 0..20 {
            hub.publish(b"c", &msg, &limit);
        }
        assert!(!a.mailbox.info.is_killed(), "over the soft limit for less than a second");
        // Back under the soft limit: the clock restarts.
        a.mailbox.take_into(&mut BytesMut::new());
        hub.publish(b"c", &msg, &limit);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        hub.publish(b"c", &msg, &limit);
        assert!(!a.mailbox.info.is_killed());
        for _ in 0..5 {
            hub.publish(b"c", &msg, &limit);
        }
        std::thread::sleep(std::time::Duration::from_millis(1100));
        hub.publish(b"c", &msg, &limit);
        assert!(a.mailbox.info.is_killed());
    }
}
