//! The io_uring network engine (`io-engine uring`, issue 21): TCP and Unix-socket
//! clients read and write through one io_uring instead of a `read` and a `write` system
//! call per request, while Tokio keeps running every task, timer and the other
//! transports.
//!
//! - Reads: each connection has one multishot receive (`IORING_OP_RECV` with
//!   `IORING_RECV_MULTISHOT`) into a provided-buffer ring (`IORING_REGISTER_PBUF_RING`):
//!   the kernel fills a buffer whenever bytes arrive and posts a completion, with no
//!   system call from us. The completions are copied out into the connection's queue
//!   (and the buffer handed back at once), and its task woken.
//! - Writes: `poll_write` copies the replies into the connection's buffer and
//!   `poll_flush` queues one send for all of it. Queued entries are submitted together:
//!   by the driver task once the tasks of the runtime's round have run, by the
//!   runtime's `on_thread_park` hook ([`before_park`]), or as soon as [`SUBMIT_BATCH`]
//!   are queued, whichever comes first. Submitting every few connections rather than
//!   once per round lets the clients work on their replies while the server serves the
//!   next connections (at depth 16, once per round was up to 2x slower than epoll).
//! - Waiting: the ring's file descriptor is registered with Tokio's epoll (`AsyncFd`); a
//!   driver task drains the completion queue when it becomes readable. One `epoll_wait`
//!   and a few `io_uring_enter`s per loop iteration, whatever the number of requests.
//!
//! The connection loop (`connection::run`) is unchanged: [`UringStream`] is one more
//! [`super::connection::Stream`]. One ring serves the process (its lock is taken once
//! per batch by the driver and once per reply by a connection; with two workers it is
//! not contended enough to shard).
//!
//! Backpressure: a connection whose unread bytes reach [`QUEUE_PAUSE`] has its receive
//! cancelled until it has read them (the socket's buffer then fills and TCP slows the
//! client, as with epoll); `poll_write` waits while a send is in flight and
//! [`OUT_LIMIT`] bytes are queued behind it.
//!
//! This module is allowed `unsafe` (the crate denies it elsewhere but in `shm`): the
//! kernel writes into the provided buffers and reads the send buffers while it owns
//! them, which the io_uring interface can only express with raw pointers. Each use says
//! why it is sound (SAFETY).

#![allow(unsafe_code)]

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use io_uring::{cqueue, opcode, squeue, types, IoUring};
use parking_lot::Mutex;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};

/// Submission queue entries (the completion queue has [`CQ_ENTRIES`]).
const ENTRIES: u32 = 1024;
const CQ_ENTRIES: u32 = 16384;
/// The provided-buffer group: [`BUF_COUNT`] buffers of [`BUF_SIZE`] bytes.
const BGID: u16 = 0;
const BUF_COUNT: u16 = 512;
const BUF_SIZE: usize = 16 * 1024;
/// Unread bytes at which a connection's receive is paused.
pub const QUEUE_PAUSE: usize = 4 << 20;
/// Bytes `poll_write` takes while a send is in flight.
pub const OUT_LIMIT: usize = 1 << 20;
/// Entries (about one per connection with replies) queued before they are submitted
/// without waiting for the end of the round.
const SUBMIT_BATCH: usize = 8;

// `user_data`: connection id << 2 | operation.
const OP_RECV: u64 = 0;
const OP_SEND: u64 = 1;
const OP_CANCEL: u64 = 2;

/// Set by the binary once the runtime calls [`before_park`]; without the hook (the
/// library used in-process) every flush submits at once.
static PARK_HOOK: AtomicBool = AtomicBool::new(false);
static RING: OnceLock<Ring> = OnceLock::new();

/// Registers [`before_park`] as the runtime's `on_thread_park` hook: call it on the
/// runtime builder.
pub fn install_park_hook(builder: &mut tokio::runtime::Builder) -> &mut tokio::runtime::Builder {
    PARK_HOOK.store(true, Ordering::Relaxed);
    builder.on_thread_park(before_park)
}

/// Submits what connections queued, once per worker park: the replies of one loop
/// iteration, all connections together, in one `io_uring_enter`.
pub fn before_park() {
    if let Some(ring) = RING.get() {
        if ring.dirty.load(Ordering::Acquire) {
            ring.inner.lock().submit(&ring.dirty);
        }
    }
}

/// Whether the engine runs (after [`start`] succeeded).
pub fn running() -> bool {
    RING.get().is_some()
}

/// Sets the ring up and spawns its driver; on error (io_uring disabled or too old a
/// kernel: multishot receive and buffer rings need Linux 6.0) the caller falls back
/// to epoll.
pub fn start() -> io::Result<()> {
    if RING.get().is_some() {
        return Ok(());
    }
    let uring: IoUring = IoUring::builder().setup_cqsize(CQ_ENTRIES).setup_submit_all().build(ENTRIES)?;
    let bufs = BufRing::new()?;
    // SAFETY: the entries live as long as the ring (`BufRing` is owned by `Inner` next
    // to the `IoUring`, never freed: the ring is a process-wide static), are page-aligned
    // and hold `BUF_COUNT` entries.
    unsafe { uring.submitter().register_buf_ring_with_flags(bufs.entries.as_ptr() as u64, BUF_COUNT, BGID, 0)? };
    let mut probe = io_uring::Probe::new();
    uring.submitter().register_probe(&mut probe)?;
    for code in [opcode::RecvMulti::CODE, opcode::Send::CODE, opcode::AsyncCancel2::CODE] {
        if !probe.is_supported(code) {
            return Err(io::Error::new(io::ErrorKind::Unsupported, format!("io_uring opcode {code} not supported")));
        }
    }
    // SAFETY: the descriptor is the io_uring's, which lives in the same `Ring` (a
    // process-wide static, never dropped), so it stays open and the same for as long as
    // the `AsyncFd`.
    let fd = unsafe { AsyncFd::register_with_interest(RingFd(uring.as_raw_fd()), Interest::READABLE) }.map_err(io::Error::from)?;
    let ring = Ring {
        fd,
        inner: Mutex::new(Inner { uring, bufs, conns: HashMap::new(), queued: 0 }),
        dirty: AtomicBool::new(false),
        next_id: AtomicU64::new(1),
    };
    if RING.set(ring).is_err() {
        return Ok(());
    }
    tokio::spawn(drive(RING.get().expect("just set")));
    Ok(())
}

/// Wakes the driver when a connection queued an entry and nothing is pending yet.
static KICK: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Drains the completion queue whenever the ring's descriptor is readable, and submits
/// what the connections queued once the tasks of this round have run: woken by a
/// connection's first entry ([`KICK`]), it yields (Tokio runs it again after every task
/// already scheduled, and after polling epoll) and then submits them all at once. A
/// worker that never parks (deferred tasks keep it in Tokio's `park_yield`, which skips
/// the park hook) would otherwise hold replies back.
async fn drive(ring: &'static Ring) {
    loop {
        tokio::select! {
            ready = ring.fd.readable() => match ready {
                Ok(mut ready) => ready.clear_ready(),
                Err(e) => {
                    tracing::error!(error = %e, "io_uring driver stopped");
                    return;
                }
            },
            _ = KICK.notified() => {}
        }
        ring.reap();
        tokio::task::yield_now().await;
        if ring.dirty.load(Ordering::Acquire) {
            ring.inner.lock().submit(&ring.dirty);
        }
    }
}

struct RingFd(RawFd);

impl AsRawFd for RingFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

struct Ring {
    /// Dropped before `inner` (declaration order), though the static is never dropped.
    fd: AsyncFd<RingFd>,
    inner: Mutex<Inner>,
    /// Entries were queued and not submitted yet.
    dirty: AtomicBool,
    next_id: AtomicU64,
}

/// Lock order: `Ring::inner`, then a connection's `State`.
struct Inner {
    uring: IoUring,
    bufs: BufRing,
    /// Connections with an operation in flight (or a stream still open), by id.
    conns: HashMap<u64, Arc<Conn>>,
    queued: usize,
}

impl Inner {
    fn push(&mut self, sqe: &squeue::Entry) {
        loop {
            // SAFETY: every entry queued here points only at memory that stays valid
            // until its completion: receives at the provided buffers (owned by the
            // ring), sends at a connection's `inflight` buffer, which is not touched
            // until the send completes and whose `Conn` stays in `conns` until then.
            if unsafe { self.uring.submission().push(sqe) }.is_ok() {
                self.queued += 1;
                return;
            }
            // Full: submit what is queued and try again.
            if let Err(e) = self.uring.submit() {
                tracing::warn!(error = %e, "io_uring submit failed");
            }
            self.queued = 0;
        }
    }

    /// After an entry was queued: submits now when no park hook will, or when enough
    /// is queued; else leaves it to the driver (woken for the first entry) or to
    /// [`before_park`], whichever comes first.
    fn queued(&mut self, dirty: &AtomicBool) {
        if !PARK_HOOK.load(Ordering::Relaxed) || self.queued >= SUBMIT_BATCH {
            self.submit(dirty);
        } else if !dirty.swap(true, Ordering::AcqRel) {
            KICK.notify_one();
        }
    }

    fn submit(&mut self, dirty: &AtomicBool) {
        dirty.store(false, Ordering::Release);
        if self.queued == 0 && !self.uring.submission().cq_overflow() {
            return;
        }
        self.queued = 0;
        if let Err(e) = self.uring.submit() {
            if e.raw_os_error() != Some(libc::EBUSY) {
                tracing::warn!(error = %e, "io_uring submit failed");
            }
            dirty.store(true, Ordering::Release);
        }
    }
}

/// The provided buffers and their ring of entries, both page-aligned allocations that
/// live as long as the io_uring.
struct BufRing {
    entries: NonNull<types::BufRingEntry>,
    bufs: NonNull<u8>,
    /// Our copy of the ring's tail (the kernel only reads it).
    tail: u16,
}

// SAFETY: the allocations are owned by this value and reached only under `Ring::inner`.
unsafe impl Send for BufRing {}

impl BufRing {
    fn entries_layout() -> std::alloc::Layout {
        std::alloc::Layout::from_size_align(BUF_COUNT as usize * std::mem::size_of::<types::BufRingEntry>(), 4096).expect("layout")
    }

    fn bufs_layout() -> std::alloc::Layout {
        std::alloc::Layout::from_size_align(BUF_COUNT as usize * BUF_SIZE, 4096).expect("layout")
    }

    fn new() -> io::Result<BufRing> {
        // SAFETY: non-zero sizes; a null result is checked.
        let entries = unsafe { std::alloc::alloc_zeroed(Self::entries_layout()) };
        // SAFETY: as above.
        let bufs = unsafe { std::alloc::alloc(Self::bufs_layout()) };
        let (Some(entries), Some(bufs)) = (NonNull::new(entries.cast::<types::BufRingEntry>()), NonNull::new(bufs)) else {
            return Err(io::Error::from(io::ErrorKind::OutOfMemory));
        };
        let mut ring = BufRing { entries, bufs, tail: 0 };
        for bid in 0..BUF_COUNT {
            ring.give_back(bid);
        }
        ring.publish();
        Ok(ring)
    }

    /// Queues buffer `bid` for the kernel (visible after [`BufRing::publish`]).
    fn give_back(&mut self, bid: u16) {
        let slot = (self.tail & (BUF_COUNT - 1)) as usize;
        // SAFETY: `slot < BUF_COUNT`, inside the entries allocation. The kernel reads
        // only the entries between its head and the published tail, never this one
        // (the ring has as many entries as buffers, and `bid` is not in it); of entry 0
        // it also reads the tail field, which `set_*` does not write.
        let entry = unsafe { &mut *self.entries.as_ptr().add(slot) };
        // SAFETY: `bid < BUF_COUNT`, so the buffer lies inside the allocation.
        entry.set_addr(unsafe { self.bufs.as_ptr().add(bid as usize * BUF_SIZE) } as u64);
        entry.set_len(BUF_SIZE as u32);
        entry.set_bid(bid);
        self.tail = self.tail.wrapping_add(1);
    }

    fn publish(&self) {
        // SAFETY: the tail is a u16 inside entry 0 (suitably aligned), which the kernel
        // reads with acquire semantics; this store releases the entries written before.
        let tail = unsafe { &*(types::BufRingEntry::tail(self.entries.as_ptr()) as *const AtomicU16) };
        tail.store(self.tail, Ordering::Release);
    }

    /// The first `len` bytes of buffer `bid`, which the kernel just handed back.
    fn buffer(&self, bid: u16, len: usize) -> &[u8] {
        assert!(bid < BUF_COUNT && len <= BUF_SIZE);
        // SAFETY: in bounds (checked); the kernel filled these bytes before posting the
        // completion that named `bid`, and will not touch the buffer again until it is
        // given back, after this borrow ends (`give_back` takes `&mut self`).
        unsafe { std::slice::from_raw_parts(self.bufs.as_ptr().add(bid as usize * BUF_SIZE), len) }
    }
}

/// One connection's state, shared by its stream and the ring.
struct Conn {
    id: u64,
    sock: socket2::Socket,
    st: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Received bytes the connection has not read yet.
    queue: BytesMut,
    eof: bool,
    error: Option<i32>,
    read_waker: Option<Waker>,
    recv_armed: bool,
    cancel_sent: bool,
    /// Replies written and not yet handed to the kernel.
    out: Vec<u8>,
    /// The buffer of the send in flight: the kernel reads it until the send completes,
    /// so it is neither changed nor moved meanwhile.
    inflight: Vec<u8>,
    inflight_off: usize,
    sending: bool,
    write_waker: Option<Waker>,
    /// The stream was dropped: nothing is received or sent any more.
    dropped: bool,
}

impl State {
    fn ended(&self) -> bool {
        self.eof || self.error.is_some() || self.dropped
    }

    /// Whether the receive should be armed again.
    fn wants_recv(&self) -> bool {
        !self.recv_armed && !self.ended() && self.queue.len() < QUEUE_PAUSE
    }
}

fn wake(w: &mut Option<Waker>, out: &mut Vec<Waker>) {
    if let Some(w) = w.take() {
        out.push(w);
    }
}

fn recv_entry(c: &Conn) -> squeue::Entry {
    opcode::RecvMulti::new(types::Fd(c.sock.as_raw_fd()), BGID).build().user_data(c.id << 2 | OP_RECV)
}

/// Queues the send of `st.inflight[st.inflight_off..]`.
fn send_entry(c: &Conn, st: &State) -> squeue::Entry {
    let rest = &st.inflight[st.inflight_off..];
    opcode::Send::new(types::Fd(c.sock.as_raw_fd()), rest.as_ptr(), rest.len() as u32)
        .flags(libc::MSG_NOSIGNAL)
        .build()
        .user_data(c.id << 2 | OP_SEND)
}

/// Moves `out` into flight if nothing is in flight.
fn start_send(c: &Conn, st: &mut State, inner: &mut Inner) {
    if st.sending || st.out.is_empty() || st.dropped || st.error.is_some() {
        return;
    }
    std::mem::swap(&mut st.out, &mut st.inflight);
    st.inflight_off = 0;
    st.sending = true;
    inner.push(&send_entry(c, st));
}

impl Ring {
    /// Routes every completion to its connection, then wakes the tasks (outside the
    /// locks).
    fn reap(&self) {
        let mut wakers = Vec::new();
        {
            let mut guard = self.inner.lock();
            let inner = &mut *guard;
            loop {
                let mut seen = 0;
                let mut gave_back = false;
                let mut done: Vec<u64> = Vec::new();
                let cqes: Vec<cqueue::Entry> = inner.uring.completion().collect();
                for cqe in cqes {
                    seen += 1;
                    let (id, op, res, flags) = (cqe.user_data() >> 2, cqe.user_data() & 3, cqe.result(), cqe.flags());
                    let conn = inner.conns.get(&id).cloned();
                    let bid = cqueue::buffer_select(flags);
                    let Some(c) = conn else {
                        if let Some(bid) = bid {
                            inner.bufs.give_back(bid);
                            gave_back = true;
                        }
                        continue;
                    };
                    let mut st = c.st.lock();
                    match op {
                        OP_RECV => {
                            if let Some(bid) = bid {
                                if res > 0 && !st.dropped {
                                    let bytes = inner.bufs.buffer(bid, res as usize);
                                    st.queue.extend_from_slice(bytes);
                                }
                                inner.bufs.give_back(bid);
                                gave_back = true;
                            }
                            let more = cqueue::more(flags);
                            if !more {
                                st.recv_armed = false;
                                st.cancel_sent = false;
                            }
                            match res {
                                0 => st.eof = true,
                                r if r < 0 && r != -libc::ENOBUFS && r != -libc::ECANCELED => st.error = Some(-r),
                                _ => {}
                            }
                            if st.wants_recv() {
                                st.recv_armed = true;
                                inner.push(&recv_entry(&c));
                                inner.queued(&self.dirty);
                            } else if more && st.queue.len() >= QUEUE_PAUSE && !st.cancel_sent && !st.dropped {
                                // Too much unread: stop receiving until it is read.
                                st.cancel_sent = true;
                                let cancel = opcode::AsyncCancel2::new(types::CancelBuilder::user_data(c.id << 2 | OP_RECV))
                                    .build()
                                    .user_data(c.id << 2 | OP_CANCEL);
                                inner.push(&cancel);
                                inner.queued(&self.dirty);
                            }
                            wake(&mut st.read_waker, &mut wakers);
                        }
                        OP_SEND => {
                            if res < 0 {
                                st.sending = false;
                                st.inflight = Vec::new();
                                if res != -libc::ECANCELED {
                                    st.error = Some(-res);
                                }
                                wake(&mut st.read_waker, &mut wakers);
                            } else {
                                st.inflight_off += res as usize;
                                if st.inflight_off < st.inflight.len() && !st.dropped && res > 0 {
                                    // A short send: the rest.
                                    inner.push(&send_entry(&c, &st));
                                    inner.queued(&self.dirty);
                                } else {
                                    st.sending = false;
                                    st.inflight = Vec::new();
                                    if !st.dropped && !st.out.is_empty() {
                                        start_send(&c, &mut st, inner);
                                        inner.queued(&self.dirty);
                                    }
                                }
                            }
                            wake(&mut st.write_waker, &mut wakers);
                        }
                        _ => {}
                    }
                    if st.dropped && !st.recv_armed && !st.sending {
                        done.push(id);
                    }
                }
                for id in done {
                    inner.conns.remove(&id);
                }
                if gave_back {
                    inner.bufs.publish();
                }
                if seen == 0 {
                    break;
                }
                if inner.uring.submission().cq_overflow() {
                    // Completions the kernel kept aside: an enter moves them in.
                    let _ = inner.uring.submit_and_wait(0);
                    inner.queued = 0;
                }
            }
        }
        for w in wakers {
            w.wake();
        }
    }
}

/// A TCP or Unix-socket connection served through the ring.
pub struct UringStream {
    conn: Arc<Conn>,
    ring: &'static Ring,
    unix: bool,
}

impl UringStream {
    /// Takes a connected socket over (it becomes blocking: io_uring waits for it, and
    /// `write_now` passes `MSG_DONTWAIT`) and arms its receive.
    pub fn new(sock: socket2::Socket, unix: bool) -> io::Result<UringStream> {
        let ring = RING.get().ok_or_else(|| io::Error::other("io_uring engine not started"))?;
        sock.set_nonblocking(false)?;
        let id = ring.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn { id, sock, st: Mutex::new(State { recv_armed: true, ..State::default() }) });
        let mut inner = ring.inner.lock();
        inner.conns.insert(id, conn.clone());
        inner.push(&recv_entry(&conn));
        inner.queued(&ring.dirty);
        Ok(UringStream { conn, ring, unix })
    }

    fn rearm(&self) {
        let mut inner = self.ring.inner.lock();
        let mut st = self.conn.st.lock();
        if st.wants_recv() {
            st.recv_armed = true;
            inner.push(&recv_entry(&self.conn));
            inner.queued(&self.ring.dirty);
        }
    }

    /// Moves what was received into `input` (taking the queue whole when `input` is
    /// empty, so no copy); `Pending` until something arrived.
    fn poll_take(&self, cx: &mut Context<'_>, input: &mut BytesMut) -> Poll<io::Result<usize>> {
        let mut st = self.conn.st.lock();
        if !st.queue.is_empty() {
            let n = st.queue.len();
            if input.is_empty() {
                *input = std::mem::take(&mut st.queue);
            } else {
                input.extend_from_slice(&st.queue);
                st.queue = BytesMut::new();
            }
            let rearm = st.wants_recv();
            drop(st);
            if rearm {
                self.rearm();
            }
            return Poll::Ready(Ok(n));
        }
        if let Some(e) = st.error {
            return Poll::Ready(Err(io::Error::from_raw_os_error(e)));
        }
        if st.eof {
            return Poll::Ready(Ok(0));
        }
        if !st.read_waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            st.read_waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    fn flush_now(&self) -> io::Result<()> {
        {
            let st = self.conn.st.lock();
            if let Some(e) = st.error {
                return Err(io::Error::from_raw_os_error(e));
            }
            if st.sending || st.out.is_empty() {
                return Ok(());
            }
        }
        let mut inner = self.ring.inner.lock();
        let mut st = self.conn.st.lock();
        start_send(&self.conn, &mut st, &mut inner);
        drop(st);
        inner.queued(&self.ring.dirty);
        Ok(())
    }
}

impl AsRawFd for UringStream {
    fn as_raw_fd(&self) -> RawFd {
        self.conn.sock.as_raw_fd()
    }
}

impl AsyncRead for UringStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let mut st = self.conn.st.lock();
        if !st.queue.is_empty() {
            let n = buf.remaining().min(st.queue.len());
            buf.put_slice(&st.queue[..n]);
            bytes::Buf::advance(&mut st.queue, n);
            if st.queue.is_empty() {
                st.queue = BytesMut::new();
            }
            let rearm = st.wants_recv();
            drop(st);
            if rearm {
                self.rearm();
            }
            return Poll::Ready(Ok(()));
        }
        if let Some(e) = st.error {
            return Poll::Ready(Err(io::Error::from_raw_os_error(e)));
        }
        if st.eof {
            return Poll::Ready(Ok(()));
        }
        if !st.read_waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            st.read_waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl AsyncWrite for UringStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut st = self.conn.st.lock();
        if let Some(e) = st.error {
            return Poll::Ready(Err(io::Error::from_raw_os_error(e)));
        }
        if st.sending && st.out.len() >= OUT_LIMIT {
            st.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        st.out.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    /// Hands the replies to the kernel without waiting for the send to complete (the
    /// entry is submitted with the others of this iteration).
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.flush_now())
    }

    /// Waits until every reply was sent, then shuts the write side down.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.flush_now().is_err() {
            return Poll::Ready(Ok(()));
        }
        let mut st = self.conn.st.lock();
        if st.error.is_none() && (st.sending || !st.out.is_empty()) {
            st.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        drop(st);
        let _ = self.conn.sock.shutdown(std::net::Shutdown::Write);
        Poll::Ready(Ok(()))
    }
}

impl Drop for UringStream {
    /// Cancels the receive (and any send) and leaves the connection to the ring until
    /// the kernel has given back everything it held; the socket closes then.
    fn drop(&mut self) {
        let mut inner = self.ring.inner.lock();
        let mut st = self.conn.st.lock();
        st.dropped = true;
        if st.recv_armed || st.sending {
            let cancel = opcode::AsyncCancel2::new(types::CancelBuilder::fd(types::Fd(self.conn.sock.as_raw_fd())).all())
                .build()
                .user_data(self.conn.id << 2 | OP_CANCEL);
            inner.push(&cancel);
            drop(st);
            inner.submit(&self.ring.dirty);
        } else {
            drop(st);
            inner.conns.remove(&self.conn.id);
        }
    }
}

impl super::connection::Stream for UringStream {
    async fn read_into(&mut self, input: &mut BytesMut) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.poll_take(cx, input)).await
    }

    fn write_now(&self, bytes: &[u8]) {
        let _ = self.conn.sock.send_with_flags(bytes, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL);
    }

    /// For SHM.ATTACH: a Tokio Unix stream on a duplicate of the socket; dropping
    /// `self` cancels the ring's receive (the client sends nothing on the socket until
    /// the `+OK` that follows).
    fn into_unix(self) -> Result<tokio::net::UnixStream, Self> {
        if !self.unix || !self.conn.st.lock().queue.is_empty() {
            return Err(self);
        }
        let Ok(dup) = self.conn.sock.try_clone() else {
            return Err(self);
        };
        let std: std::os::unix::net::UnixStream = dup.into();
        if std.set_nonblocking(true).is_err() {
            return Err(self);
        }
        match tokio::net::UnixStream::from_std(std) {
            Ok(unix) => Ok(unix),
            Err(_) => Err(self),
        }
    }
}
