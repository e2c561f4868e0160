//! The shared-memory transport (docs/shm-protocol.md, issue 17): a client on the same
//! host attaches through the Unix socket with `SHM.ATTACH` and from then on exchanges
//! the same RESP bytes through two rings in a `memfd` segment the server made for it.
//!
//! This is the one module of the crate allowed `unsafe` (`#![deny(unsafe_code)]` at the
//! crate root): mapping the segment, unmapping it, and reading and writing bytes the
//! client may change at any time. Everything else goes through [`ShmStream`], a
//! [`crate::server::connection::Stream`] like a socket, so the one connection loop
//! serves it with the same decoder, `execute` path and replies.
//!
//! Trust: the client owns every byte of its segment. The server keeps its own copies of
//! the indexes it writes (`req_tail`, `rep_head`), checks every index it reads against
//! them before use (`req_tail <= req_head <= req_tail + R`, `old rep_tail <= rep_tail
//! <= rep_head`), masks every ring offset with `R - 1`, and copies request bytes out of
//! the ring before decoding them. A client that breaks the rules gets an I/O error
//! from the stream, which ends its session. The segment is sealed against shrinking
//! and growing, so no client can `ftruncate` it under the server's mapping (which
//! would turn the server's next access into a SIGBUS).
//!
//! Waiting: after its last activity the server yields and re-polls the rings for
//! [`SPIN`], then stores `server_sleep = 1`, re-checks, and waits for its eventfd
//! (registered with Tokio's epoll through `AsyncFd`). The client rings that eventfd when
//! it sees `server_sleep == 1`; an idle attached client therefore costs no CPU. The
//! Unix socket is polled at the same time: its hang-up (a client killed with `kill -9`)
//! ends the session.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::UnixStream;

/// `magic` at offset 0.
pub const MAGIC: &[u8; 8] = b"DISKDBS1";
/// Protocol version at offset 8.
pub const VERSION: u32 = 1;
/// Bytes before the request ring.
pub const HEADER: usize = 4096;
/// Smallest and largest ring (`shm-ring-size`).
pub const MIN_RING: usize = 4096;
pub const MAX_RING: usize = 64 * 1024 * 1024;

// Offsets of the header words (docs/shm-protocol.md, "Segment layout").
const OFF_VERSION: usize = 8;
const OFF_RING_SIZE: usize = 12;
const OFF_SERVER_PID: usize = 16;
const OFF_CLOSED: usize = 20;
const OFF_REQ_HEAD: usize = 64;
const OFF_REQ_TAIL: usize = 128;
const OFF_REP_HEAD: usize = 192;
const OFF_REP_TAIL: usize = 256;
const OFF_SERVER_SLEEP: usize = 320;
const OFF_CLIENT_SLEEP: usize = 384;

/// How long the server keeps polling a client's rings after its last activity before
/// it sleeps on the eventfd.
pub const SPIN: Duration = Duration::from_micros(50);

/// The error that ends the session of a client that broke the ring rules (logged).
pub const BOUNDS_ERROR: &str = "Protocol error: shared-memory ring index out of bounds";

/// One client's mapped segment: header, request ring, reply ring.
struct Segment {
    base: NonNull<u8>,
    len: usize,
    ring: usize,
    memfd: OwnedFd,
}

// SAFETY: the mapping is owned by this value (unmapped only in Drop) and every access
// to it goes through atomics or byte copies that tolerate concurrent changes by the
// client; no Rust reference to its bytes other than the atomics is ever made.
unsafe impl Send for Segment {}
// SAFETY: as above; `&Segment` only hands out atomics and copies.
unsafe impl Sync for Segment {}

impl Segment {
    /// Makes a sealed memfd of `HEADER + 2 * ring` bytes and maps it.
    fn create(ring: usize) -> io::Result<Segment> {
        use rustix::fs::{MemfdFlags, SealFlags};
        assert!(ring.is_power_of_two() && (MIN_RING..=MAX_RING).contains(&ring));
        let len = HEADER + 2 * ring;
        let memfd = rustix::fs::memfd_create("diskdb-shm", MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING)?;
        rustix::fs::ftruncate(&memfd, len as u64)?;
        // No shrinking (a truncated mapping faults with SIGBUS), no growing, no more seals.
        rustix::fs::fcntl_add_seals(&memfd, SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL)?;
        // SAFETY: a fresh shared mapping of the whole memfd, at an address the kernel
        // picks (no existing memory is replaced); the memfd is `len` bytes and sealed
        // against shrinking, so every byte of the mapping stays backed.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::SHARED,
                &memfd,
                0,
            )?
        };
        let base = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        let seg = Segment { base, len, ring, memfd };
        // A fresh memfd reads as zeros: only the server's own words need writing.
        seg.bytes_in(0, MAGIC);
        seg.word32(OFF_VERSION).store(VERSION, Ordering::Relaxed);
        seg.word32(OFF_RING_SIZE).store(ring as u32, Ordering::Relaxed);
        seg.word32(OFF_SERVER_PID).store(std::process::id(), Ordering::Relaxed);
        fence(Ordering::SeqCst);
        Ok(seg)
    }

    fn word64(&self, off: usize) -> &AtomicU64 {
        debug_assert!(off.is_multiple_of(8) && off + 8 <= HEADER);
        // SAFETY: `off` is one of the fixed header offsets, 8-aligned and inside the
        // mapping (which is page-aligned); the mapping lives as long as `self`, and an
        // AtomicU64 has the size and alignment of a u64. The client may write the word
        // at any time, which atomics allow.
        unsafe { &*self.base.as_ptr().add(off).cast::<AtomicU64>() }
    }

    fn word32(&self, off: usize) -> &AtomicU32 {
        debug_assert!(off.is_multiple_of(4) && off + 4 <= HEADER);
        // SAFETY: as in `word64`, for a 4-aligned u32 inside the header.
        unsafe { &*self.base.as_ptr().add(off).cast::<AtomicU32>() }
    }

    /// Copies `src` into the segment at `off`.
    fn bytes_in(&self, off: usize, src: &[u8]) {
        assert!(off <= self.len && src.len() <= self.len - off, "shm write outside the segment");
        // SAFETY: the range was just checked to lie inside the mapping; `src` is our own
        // memory and cannot overlap the shared mapping. The client may read these bytes
        // concurrently: it only sees them as published once `rep_head` moves (release).
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), self.base.as_ptr().add(off), src.len()) }
    }

    /// Copies bytes of the segment at `off` into `dst`.
    fn bytes_out(&self, off: usize, dst: &mut [u8]) {
        assert!(off <= self.len && dst.len() <= self.len - off, "shm read outside the segment");
        // SAFETY: the range was just checked to lie inside the mapping; `dst` is our own
        // memory. A client that changes these bytes meanwhile only changes what we copy
        // (they are treated as untrusted input and decoded only after the copy).
        unsafe { std::ptr::copy_nonoverlapping(self.base.as_ptr().add(off), dst.as_mut_ptr(), dst.len()) }
    }

    /// Copies `dst.len()` bytes of the stream starting at stream position `pos` out of
    /// the ring starting at `ring_off`, wrapping at its end.
    fn ring_out(&self, ring_off: usize, pos: u64, dst: &mut [u8]) {
        let at = (pos as usize) & (self.ring - 1);
        let first = dst.len().min(self.ring - at);
        let (a, b) = dst.split_at_mut(first);
        self.bytes_out(ring_off + at, a);
        self.bytes_out(ring_off, b);
    }

    fn ring_in(&self, ring_off: usize, pos: u64, src: &[u8]) {
        let at = (pos as usize) & (self.ring - 1);
        let first = src.len().min(self.ring - at);
        self.bytes_in(ring_off + at, &src[..first]);
        self.bytes_in(ring_off, &src[first..]);
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // SAFETY: `base`/`len` are exactly the mapping made in `create`, unmapped once;
        // the atomics handed out borrow `self`, so none outlives this.
        let _ = unsafe { rustix::mm::munmap(self.base.as_ptr().cast(), self.len) };
    }
}

/// The server's side of a client's two rings, without any waiting: the indexes the
/// server owns (its own copies, never read back from the segment), checked against the
/// client's indexes on every read. [`ShmStream`] adds waiting and wake-ups; the
/// `shm_ring` fuzz target drives this directly as a hostile client would.
struct Rings {
    seg: Segment,
    /// The server's own copies of the indexes it writes, and the last `rep_tail` seen.
    req_tail: u64,
    rep_head: u64,
    rep_tail: u64,
}

impl Rings {
    fn new(seg: Segment) -> Rings {
        Rings { seg, req_tail: 0, rep_head: 0, rep_tail: 0 }
    }

    fn ring(&self) -> u64 {
        self.seg.ring as u64
    }

    /// Request bytes the client published and the server has not consumed.
    fn requests(&self) -> io::Result<usize> {
        let head = self.seg.word64(OFF_REQ_HEAD).load(Ordering::Acquire);
        if head < self.req_tail || head - self.req_tail > self.ring() {
            return Err(bounds());
        }
        Ok((head - self.req_tail) as usize)
    }

    /// Free bytes in the reply ring.
    fn room(&mut self) -> io::Result<usize> {
        let tail = self.seg.word64(OFF_REP_TAIL).load(Ordering::Acquire);
        if tail < self.rep_tail || tail > self.rep_head {
            return Err(bounds());
        }
        self.rep_tail = tail;
        Ok((self.ring() - (self.rep_head - tail)) as usize)
    }

    /// Copies the next `dst.len()` published request bytes (the caller checked them
    /// with [`Rings::requests`]) into `dst` and releases them to the client.
    fn take(&mut self, dst: &mut [u8]) {
        self.seg.ring_out(HEADER, self.req_tail, dst);
        self.req_tail += dst.len() as u64;
        self.seg.word64(OFF_REQ_TAIL).store(self.req_tail, Ordering::Release);
    }

    /// Publishes as much of `src` as the reply ring has room for; returns how much.
    fn put(&mut self, src: &[u8]) -> io::Result<usize> {
        let n = self.room()?.min(src.len());
        self.seg.ring_in(HEADER + self.seg.ring, self.rep_head, &src[..n]);
        self.rep_head += n as u64;
        self.seg.word64(OFF_REP_HEAD).store(self.rep_head, Ordering::Release);
        Ok(n)
    }
}

/// An attached client: its rings, the server's eventfd, and the Unix socket kept as
/// the liveness channel.
pub struct ShmStream {
    rings: Rings,
    doorbell: AsyncFd<OwnedFd>,
    sock: UnixStream,
    last_active: Instant,
    closed: bool,
}

fn bounds() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, BOUNDS_ERROR)
}

/// Creates a client's segment and doorbell and hands them over on `sock` with `+OK`
/// (one `sendmsg` carrying both descriptors). On failure nothing was sent and the
/// socket comes back with the error.
pub async fn attach(sock: UnixStream, ring: usize) -> Result<ShmStream, (UnixStream, io::Error)> {
    let made = (|| {
        let seg = Segment::create(ring)?;
        let efd = rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC | rustix::event::EventfdFlags::NONBLOCK)?;
        Ok::<_, io::Error>((seg, efd))
    })();
    let (seg, efd) = match made {
        Ok(m) => m,
        Err(e) => return Err((sock, e)),
    };
    // The reply and its descriptors go in one message; a full socket buffer (a client
    // that did not read earlier replies) waits for room.
    let sent = loop {
        if let Err(e) = sock.writable().await {
            break Err(e);
        }
        let r = sock.try_io(tokio::io::Interest::WRITABLE, || {
            let fds = [seg.memfd.as_fd(), efd.as_fd()];
            let mut space = [std::mem::MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(2))];
            let mut control = rustix::net::SendAncillaryBuffer::new(&mut space);
            control.push(rustix::net::SendAncillaryMessage::ScmRights(&fds));
            let iov = [io::IoSlice::new(b"+OK\r\n")];
            rustix::net::sendmsg(&sock, &iov, &mut control, rustix::net::SendFlags::NOSIGNAL | rustix::net::SendFlags::DONTWAIT)
                .map_err(io::Error::from)
        });
        match r {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            other => break other,
        }
    };
    match sent {
        Ok(5) => {}
        // A partial send would leave the client with half a reply: give up the session.
        Ok(_) => return Err((sock, io::Error::other("short sendmsg"))),
        Err(e) => return Err((sock, e)),
    }
    // SAFETY: the eventfd is an `OwnedFd` moved into the `AsyncFd`: it stays open, and
    // `as_raw_fd` returns the same descriptor, until the `AsyncFd` is dropped.
    let doorbell = match unsafe { AsyncFd::register_with_interest(efd, tokio::io::Interest::READABLE) } {
        Ok(d) => d,
        Err(e) => return Err((sock, e.into())),
    };
    Ok(ShmStream { rings: Rings::new(seg), doorbell, sock, last_active: Instant::now(), closed: false })
}

impl ShmStream {
    fn seg(&self) -> &Segment {
        &self.rings.seg
    }

    /// After publishing an index: wakes the client if it sleeps (or is about to).
    fn wake_client(&self) {
        fence(Ordering::SeqCst);
        let word = self.seg().word32(OFF_CLIENT_SLEEP);
        if word.load(Ordering::Relaxed) == 1 && word.swap(0, Ordering::SeqCst) == 1 {
            let _ = rustix::thread::futex::wake(word, rustix::thread::futex::Flags::empty(), 1);
        }
    }

    /// Tells the client the session is over and wakes it.
    fn close(&mut self) {
        if !self.closed {
            self.closed = true;
            self.seg().word32(OFF_CLOSED).store(1, Ordering::SeqCst);
            let word = self.seg().word32(OFF_CLIENT_SLEEP);
            word.store(0, Ordering::SeqCst);
            let _ = rustix::thread::futex::wake(word, rustix::thread::futex::Flags::empty(), i32::MAX as u32);
        }
    }

    /// Checks the socket: `Err` once it hung up (or carried bytes, which the protocol
    /// forbids after SHM.ATTACH); registers the task for its next event otherwise.
    fn poll_socket(&self, cx: &mut Context<'_>) -> io::Result<()> {
        loop {
            match self.sock.poll_read_ready(cx) {
                Poll::Pending => return Ok(()),
                Poll::Ready(Err(e)) => return Err(e),
                Poll::Ready(Ok(())) => {
                    let mut byte = [0u8; 1];
                    match self.sock.try_read(&mut byte) {
                        Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                        Ok(_) => return Err(io::Error::new(io::ErrorKind::InvalidData, "bytes on the socket of a shared-memory client")),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }

    /// Waits until `ready` says the rings allow progress: polls while the spin window
    /// lasts, then sleeps on the eventfd. Watches the socket throughout.
    fn poll_wait(&mut self, cx: &mut Context<'_>, ready: fn(&mut ShmStream) -> io::Result<bool>) -> Poll<io::Result<()>> {
        loop {
            if ready(self)? {
                return Poll::Ready(Ok(()));
            }
            self.poll_socket(cx)?;
            if self.last_active.elapsed() < SPIN {
                // Spin by yielding: other tasks on this thread run meanwhile.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.seg().word32(OFF_SERVER_SLEEP).store(1, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if ready(self)? {
                self.seg().word32(OFF_SERVER_SLEEP).store(0, Ordering::Relaxed);
                return Poll::Ready(Ok(()));
            }
            match self.doorbell.poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(mut guard)) => {
                    // Drain the counter; `WouldBlock` clears the readiness for epoll.
                    let _ = guard.try_io(|fd| {
                        let mut count = [0u8; 8];
                        rustix::io::read(fd.get_ref(), &mut count).map_err(io::Error::from)
                    });
                }
            }
        }
    }

    fn has_requests(s: &mut ShmStream) -> io::Result<bool> {
        Ok(s.rings.requests()? > 0)
    }

    fn has_room(s: &mut ShmStream) -> io::Result<bool> {
        Ok(s.rings.room()? > 0)
    }

    /// After the server moved one of its indexes: stays awake, wakes the client.
    fn moved(&mut self) {
        self.last_active = Instant::now();
        self.seg().word32(OFF_SERVER_SLEEP).store(0, Ordering::Relaxed);
        self.wake_client();
    }

    /// Copies `dst.len()` published request bytes into `dst` and releases them.
    fn take(&mut self, dst: &mut [u8]) {
        self.rings.take(dst);
        self.moved();
    }

    fn poll_read_into(&mut self, cx: &mut Context<'_>, input: &mut BytesMut) -> Poll<io::Result<usize>> {
        match self.poll_wait(cx, Self::has_requests) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(())) => {}
        }
        let n = self.rings.requests()?;
        let start = input.len();
        input.resize(start + n, 0);
        self.take(&mut input[start..]);
        Poll::Ready(Ok(n))
    }

    /// Reads what the client published into `input`, waiting for it first.
    pub async fn read_into(&mut self, input: &mut BytesMut) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.poll_read_into(cx, input)).await
    }
}

impl Drop for ShmStream {
    fn drop(&mut self) {
        self.close();
    }
}

impl AsRawFd for ShmStream {
    /// The Unix socket's descriptor (CLIENT LIST `fd=`).
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

impl AsyncRead for ShmStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_wait(cx, Self::has_requests) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(())) => {}
        }
        let n = this.rings.requests()?.min(buf.remaining());
        let dst = buf.initialize_unfilled_to(n);
        this.take(dst);
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ShmStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        match this.poll_wait(cx, Self::has_room) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(())) => {}
        }
        let n = this.rings.put(src)?;
        this.moved();
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.close();
        Poll::Ready(Ok(()))
    }
}

/// The `shm_ring` fuzz target (`diskdb::fuzz_api::targets::shm_ring`): `data` is a
/// script of a hostile client's moves on a fresh segment — honest and garbage request
/// bytes, any value in any header word, any byte anywhere in the segment — interleaved
/// with the server's reads and writes through [`Rings`], exactly as [`ShmStream`] makes
/// them. The server must end the session with an error or go on; it must never read or
/// write outside the segment, hand the decoder more bytes than were published, or let
/// its own indexes break the ring invariants. Request bytes are decoded as a connection
/// would (the decoder's own caps apply).
pub(crate) fn fuzz_peer(data: &[u8]) {
    let Ok(seg) = Segment::create(MIN_RING) else { return };
    let mut rings = Rings::new(seg);
    let ring = rings.ring();
    let mut input = bytes::BytesMut::new();
    let mut decoder = crate::protocol::decode::RequestDecoder::new(512 * 1024 * 1024);
    let mut client_head = 0u64; // where an honest client would write next
    let mut rest = data;
    fn next<'a>(rest: &mut &'a [u8], n: usize) -> &'a [u8] {
        let (a, b) = rest.split_at(n.min(rest.len()));
        *rest = b;
        a
    }
    let num = |b: &[u8]| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    loop {
        let Some(&op) = next(&mut rest, 1).first() else { return };
        match op % 8 {
            // An honest write of up to one ring of request bytes.
            0 => {
                let len = (num(next(&mut rest, 2)) % (ring + 1)) as usize;
                let bytes = next(&mut rest, len).to_vec();
                rings.seg.ring_in(HEADER, client_head, &bytes);
                client_head += bytes.len() as u64;
                rings.seg.word64(OFF_REQ_HEAD).store(client_head, Ordering::Release);
            }
            // Any request head, reply tail or other header word.
            1 => rings.seg.word64(OFF_REQ_HEAD).store(num(next(&mut rest, 8)), Ordering::Release),
            2 => rings.seg.word64(OFF_REP_TAIL).store(num(next(&mut rest, 8)), Ordering::Release),
            3 => {
                let off = [OFF_REQ_TAIL, OFF_REP_HEAD, OFF_SERVER_SLEEP, OFF_CLIENT_SLEEP, OFF_CLOSED][(num(next(&mut rest, 1)) % 5) as usize];
                rings.seg.word64(off & !7).store(num(next(&mut rest, 8)), Ordering::Release);
            }
            // Bytes scribbled anywhere in the segment, header included.
            4 => {
                let off = (num(next(&mut rest, 4)) % rings.seg.len as u64) as usize;
                let bytes = next(&mut rest, 16);
                let n = bytes.len().min(rings.seg.len - off);
                rings.seg.bytes_in(off, &bytes[..n]);
            }
            // The server reads what was published and decodes it.
            5 => {
                let Ok(n) = rings.requests() else { return };
                assert!(n as u64 <= ring, "more request bytes than the ring holds");
                let start = input.len();
                input.resize(start + n, 0);
                rings.take(&mut input[start..]);
                loop {
                    match decoder.decode(&mut input) {
                        Ok(crate::protocol::decode::Decoded::Command(_)) | Ok(crate::protocol::decode::Decoded::Empty) => {}
                        Ok(crate::protocol::decode::Decoded::Incomplete) => break,
                        Err(_) => return,
                    }
                }
            }
            // The server writes a reply of up to two rings' worth.
            6 => {
                let len = (num(next(&mut rest, 2)) % (2 * ring + 1)) as usize;
                let reply = vec![b'+'; len];
                let Ok(n) = rings.put(&reply) else { return };
                assert!(n <= len && rings.rep_head - rings.rep_tail <= ring, "reply ring overfilled");
            }
            // An honest client consumes every reply.
            _ => {
                let head = rings.rep_head;
                rings.seg.word64(OFF_REP_TAIL).store(head, Ordering::Release);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_layout_and_wrapping_copies() {
        let seg = Segment::create(MIN_RING).unwrap();
        let mut magic = [0u8; 8];
        seg.bytes_out(0, &mut magic);
        assert_eq!(&magic, MAGIC);
        assert_eq!(seg.word32(OFF_RING_SIZE).load(Ordering::Relaxed), MIN_RING as u32);
        // A write that crosses the end of the ring wraps to its start.
        let pos = (MIN_RING - 3) as u64;
        seg.ring_in(HEADER, pos, b"abcdef");
        let mut back = [0u8; 6];
        seg.ring_out(HEADER, pos, &mut back);
        assert_eq!(&back, b"abcdef");
        let mut start = [0u8; 3];
        seg.bytes_out(HEADER, &mut start);
        assert_eq!(&start, b"def");
        // The seals refuse shrinking.
        assert!(rustix::fs::ftruncate(&seg.memfd, 0).is_err());
    }

    #[test]
    fn hostile_indexes_end_the_session_and_never_move_the_servers() {
        let mut r = Rings::new(Segment::create(MIN_RING).unwrap());
        // Head past tail by more than a ring, and head moved back: both refused.
        r.seg.word64(OFF_REQ_HEAD).store(MIN_RING as u64 + 1, Ordering::Release);
        assert!(r.requests().is_err());
        r.seg.word64(OFF_REQ_HEAD).store(5, Ordering::Release);
        let mut five = [0u8; 5];
        assert_eq!(r.requests().unwrap(), 5);
        r.take(&mut five);
        r.seg.word64(OFF_REQ_HEAD).store(4, Ordering::Release);
        assert!(r.requests().is_err());
        // Reply tail past the server's head, or moved back: refused, nothing written.
        assert_eq!(r.put(b"+OK\r\n").unwrap(), 5);
        r.seg.word64(OFF_REP_TAIL).store(6, Ordering::Release);
        assert!(r.put(b"x").is_err());
        r.seg.word64(OFF_REP_TAIL).store(3, Ordering::Release);
        assert_eq!(r.room().unwrap(), MIN_RING - 2);
        r.seg.word64(OFF_REP_TAIL).store(2, Ordering::Release);
        assert!(r.room().is_err());
        assert_eq!((r.req_tail, r.rep_head), (5, 5));
        // A full reply ring takes no more than its room, wrapping at the end.
        r.seg.word64(OFF_REP_TAIL).store(5, Ordering::Release);
        let big = vec![b'a'; 3 * MIN_RING];
        assert_eq!(r.put(&big).unwrap(), MIN_RING);
        assert_eq!(r.put(&big).unwrap(), 0);
    }

    #[test]
    fn the_fuzz_peer_survives_scripted_hostile_moves() {
        // A few fixed scripts (the fuzz corpus replays many more in tests/fuzz_regressions.rs).
        fuzz_peer(b"");
        fuzz_peer(b"\x00\x00\x0e*1\r\n$4\r\nPING\r\n\x05\x06\x00\x10\x07");
        fuzz_peer(b"\x01\xff\xff\xff\xff\xff\xff\xff\xff\x05");
        fuzz_peer(b"\x04\x00\x00\x10\x00AAAAAAAAAAAAAAAA\x05\x06\xff\xff\x02\x00\x00\x00\x00\x00\x00\x00\x01\x06\x00\x01");
        let mut rng = 0x9e3779b97f4a7c15u64;
        for _ in 0..200 {
            let script: Vec<u8> = (0..256)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    rng as u8
                })
                .collect();
            fuzz_peer(&script);
        }
    }
}
