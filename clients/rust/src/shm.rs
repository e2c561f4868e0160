//! DiskDB's shared-memory transport, client side (docs/shm-protocol.md, version 1).
//!
//! After the usual setup on the Unix socket, `SHM.ATTACH` hands over a sealed memfd (the
//! segment) and the server's eventfd with `SCM_RIGHTS`. Requests then go into the
//! request ring and replies come out of the reply ring; the socket stays open only as
//! the liveness channel. This is the only module with `unsafe`: the mapping, and reads
//! and writes through raw pointers into it, each with a SAFETY note.
//!
//! Waiting: spin about [`SPIN`] for the other side, then sleep on the `client_sleep`
//! futex in [`SLEEP`] slices; between slices the socket is polled so a dead server is
//! noticed (as a hang-up) within one slice instead of hanging the caller. The futex wait
//! runs on Tokio's blocking pool so an async caller never blocks its executor for longer
//! than the spin window.

use crate::error::{Error, Result};
use rustix::event::{poll, PollFd, PollFlags};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::SealFlags;
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags};
use rustix::thread::futex;
use std::io::IoSliceMut;
use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt, Interest};
use tokio::net::UnixStream;

const MAGIC: &[u8; 8] = b"DISKDBS1";
const VERSION: u32 = 1;
const HEADER: usize = 4096;
const OFF_VERSION: usize = 8;
const OFF_RING_SIZE: usize = 12;
const OFF_CLOSED: usize = 20;
const OFF_REQ_HEAD: usize = 64;
const OFF_REQ_TAIL: usize = 128;
const OFF_REP_HEAD: usize = 192;
const OFF_REP_TAIL: usize = 256;
const OFF_SERVER_SLEEP: usize = 320;
const OFF_CLIENT_SLEEP: usize = 384;

/// How long a waiting client spins before it sleeps (the server spins about as long).
pub const SPIN: Duration = Duration::from_micros(50);
/// One futex sleep; between sleeps the client checks that the server is alive.
pub const SLEEP: Duration = Duration::from_millis(20);

/// The mapped segment. Shared with the blocking-pool thread of a futex wait.
struct Segment {
    base: NonNull<u8>,
    len: usize,
    ring: usize,
}

// SAFETY: the mapping is process-wide memory that stays mapped until the last Arc drops;
// every access goes through atomics or raw byte copies, never through Rust references
// to non-atomic data, so sharing the pointer between threads is sound.
unsafe impl Send for Segment {}
// SAFETY: as for Send: no `&mut` into the mapping is ever created.
unsafe impl Sync for Segment {}

impl Segment {
    fn u64_at(&self, off: usize) -> &AtomicU64 {
        debug_assert!(off % 8 == 0 && off + 8 <= HEADER);
        // SAFETY: `off` is one of the constant, 8-aligned header offsets below 4096, inside
        // the mapping (len >= 4096) whose base is page-aligned; the mapping outlives
        // `&self`. AtomicU64 has the size and alignment of u64, and the other process only
        // accesses these words atomically too.
        unsafe { AtomicU64::from_ptr(self.base.as_ptr().add(off).cast()) }
    }

    fn u32_at(&self, off: usize) -> &AtomicU32 {
        debug_assert!(off % 4 == 0 && off + 4 <= HEADER);
        // SAFETY: as in `u64_at`, for a 4-aligned header word.
        unsafe { AtomicU32::from_ptr(self.base.as_ptr().add(off).cast()) }
    }

    fn closed(&self) -> bool {
        self.u32_at(OFF_CLOSED).load(Ordering::Acquire) != 0
    }

    /// Copies `src` into the request ring at stream position `pos` (wrapping).
    fn write_req(&self, pos: u64, src: &[u8]) {
        debug_assert!(src.len() <= self.ring);
        let at = (pos as usize) & (self.ring - 1);
        let first = src.len().min(self.ring - at);
        // SAFETY: the request ring is [HEADER, HEADER + ring) of the mapping (checked at
        // attach: len >= HEADER + 2 * ring); `at + first <= ring` and the wrapped rest
        // (`src.len() - first <= ring`) starts at the ring's start. The caller only
        // writes into free space (between the server's tail and our head), which the
        // server does not read until we publish `req_head`; raw copies never create a
        // Rust reference into the shared bytes.
        unsafe {
            let ring = self.base.as_ptr().add(HEADER);
            std::ptr::copy_nonoverlapping(src.as_ptr(), ring.add(at), first);
            std::ptr::copy_nonoverlapping(src.as_ptr().add(first), ring, src.len() - first);
        }
    }

    /// Appends `n` bytes of the reply ring from stream position `pos` to `dst`.
    fn read_rep(&self, pos: u64, n: usize, dst: &mut Vec<u8>) {
        debug_assert!(n <= self.ring);
        let at = (pos as usize) & (self.ring - 1);
        let first = n.min(self.ring - at);
        dst.reserve(n);
        // SAFETY: the reply ring is [HEADER + ring, HEADER + 2 * ring) of the mapping;
        // `at + first <= ring` and `n - first <= ring`. The bytes lie between our tail
        // and the server's published head (checked by the caller), which the server does
        // not touch until we publish the new tail. `dst` has `n` spare bytes reserved and
        // the copies initialise exactly those before `set_len`.
        unsafe {
            let ring = self.base.as_ptr().add(HEADER + self.ring);
            let out = dst.as_mut_ptr().add(dst.len());
            std::ptr::copy_nonoverlapping(ring.add(at), out, first);
            std::ptr::copy_nonoverlapping(ring, out.add(first), n - first);
            dst.set_len(dst.len() + n);
        }
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // SAFETY: `base..base+len` is the mapping made in `attach`, unmapped once here
        // after the last reference (Arc) is gone.
        unsafe {
            let _ = rustix::mm::munmap(self.base.as_ptr().cast(), self.len);
        }
    }
}

/// An attached shared-memory session.
pub(crate) struct Shm {
    seg: Arc<Segment>,
    /// The Unix socket, kept open as the liveness channel.
    sock: OwnedFd,
    /// The server's doorbell.
    doorbell: OwnedFd,
    /// Our own copies of the indexes we own (never re-read from shared memory).
    req_head: u64,
    rep_tail: u64,
}

impl Shm {
    /// Sends `SHM.ATTACH` on an already set-up socket and maps the segment it returns.
    pub(crate) async fn attach(mut sock: UnixStream) -> Result<Shm> {
        sock.write_all(b"*1\r\n$10\r\nSHM.ATTACH\r\n").await?;
        let mut data: Vec<u8> = Vec::new();
        let mut fds: Vec<OwnedFd> = Vec::new();
        // The reply is one line; the descriptors ride on its first byte.
        while !data.ends_with(b"\r\n") {
            let mut chunk = [0u8; 512];
            let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(4))];
            let n = loop {
                sock.readable().await?;
                let r = sock.try_io(Interest::READABLE, || {
                    let mut cmsg = RecvAncillaryBuffer::new(&mut space);
                    let msg = rustix::net::recvmsg(
                        sock.as_fd(),
                        &mut [IoSliceMut::new(&mut chunk)],
                        &mut cmsg,
                        RecvFlags::CMSG_CLOEXEC,
                    )
                    .map_err(std::io::Error::from)?;
                    for m in cmsg.drain() {
                        if let RecvAncillaryMessage::ScmRights(received) = m {
                            fds.extend(received);
                        }
                    }
                    Ok(msg.bytes)
                });
                match r {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e.into()),
                }
            };
            if n == 0 {
                return Err(Error::closed("the server closed the socket during SHM.ATTACH"));
            }
            data.extend_from_slice(&chunk[..n]);
            if data.len() > 4096 {
                return Err(Error::Protocol("SHM.ATTACH reply too long".into()));
            }
        }
        match data.first() {
            Some(b'-') => {
                let text = String::from_utf8_lossy(&data[1..data.len() - 2]).into_owned();
                return Err(Error::from_server(text));
            }
            Some(b'+') if data == b"+OK\r\n" => {}
            _ => return Err(Error::Protocol(format!("unexpected SHM.ATTACH reply {:?}", String::from_utf8_lossy(&data)))),
        }
        if fds.len() != 2 {
            return Err(Error::Protocol(format!("SHM.ATTACH passed {} descriptors, expected 2", fds.len())));
        }
        let doorbell = fds.pop().unwrap();
        let memfd = fds.pop().unwrap();
        let seg = map(&memfd)?;
        drop(memfd); // the mapping keeps the memory alive
        let req_head = seg.u64_at(OFF_REQ_HEAD).load(Ordering::Acquire);
        let rep_tail = seg.u64_at(OFF_REP_TAIL).load(Ordering::Acquire);
        let sock: OwnedFd = sock.into_std()?.into();
        Ok(Shm { seg: Arc::new(seg), sock, doorbell, req_head, rep_tail })
    }

    /// Streams `buf` into the request ring, waiting for room as needed. While it waits
    /// it drains the reply ring into `replies` (the connection's read buffer): the server
    /// stops reading requests while its reply ring is full, so a long pipeline would
    /// otherwise deadlock.
    pub(crate) async fn write_all(&mut self, mut buf: &[u8], replies: &mut Vec<u8>) -> Result<()> {
        let ring = self.seg.ring as u64;
        while !buf.is_empty() {
            let tail = self.seg.u64_at(OFF_REQ_TAIL).load(Ordering::Acquire);
            if tail > self.req_head || self.req_head - tail > ring {
                return Err(Error::Protocol(format!(
                    "shared-memory request ring index out of bounds (req_tail {tail}, req_head {})",
                    self.req_head
                )));
            }
            let room = (ring - (self.req_head - tail)) as usize;
            if room == 0 {
                if self.take_replies(replies)? == 0 {
                    let full = self.req_head.wrapping_sub(ring);
                    let rep_tail = self.rep_tail;
                    self.wait(move |s| {
                        s.u64_at(OFF_REQ_TAIL).load(Ordering::Acquire) != full
                            || s.u64_at(OFF_REP_HEAD).load(Ordering::Acquire) != rep_tail
                    })
                    .await?;
                }
                continue;
            }
            let n = room.min(buf.len());
            self.seg.write_req(self.req_head, &buf[..n]);
            self.req_head += n as u64;
            self.seg.u64_at(OFF_REQ_HEAD).store(self.req_head, Ordering::Release);
            self.wake_server()?;
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Moves every reply byte published so far to `dst` (none: returns 0 at once).
    fn take_replies(&mut self, dst: &mut Vec<u8>) -> Result<usize> {
        let head = self.seg.u64_at(OFF_REP_HEAD).load(Ordering::Acquire);
        if head < self.rep_tail || head - self.rep_tail > self.seg.ring as u64 {
            return Err(Error::Protocol(format!(
                "shared-memory reply ring index out of bounds (rep_head {head}, rep_tail {})",
                self.rep_tail
            )));
        }
        if head == self.rep_tail {
            return Ok(0);
        }
        let n = (head - self.rep_tail) as usize;
        self.seg.read_rep(self.rep_tail, n, dst);
        self.rep_tail = head;
        self.seg.u64_at(OFF_REP_TAIL).store(head, Ordering::Release);
        self.wake_server()?;
        Ok(n)
    }

    /// Appends the reply bytes available (waiting for at least one) to `dst`.
    pub(crate) async fn read_some(&mut self, dst: &mut Vec<u8>) -> Result<usize> {
        loop {
            let n = self.take_replies(dst)?;
            if n > 0 {
                return Ok(n);
            }
            let tail = self.rep_tail;
            self.wait(move |s| s.u64_at(OFF_REP_HEAD).load(Ordering::Acquire) != tail).await?;
        }
    }

    /// Rings the server's eventfd if it sleeps (after we published an index).
    fn wake_server(&self) -> Result<()> {
        fence(Ordering::SeqCst);
        let word = self.seg.u32_at(OFF_SERVER_SLEEP);
        if word.load(Ordering::Relaxed) == 1 && word.swap(0, Ordering::AcqRel) == 1 {
            match rustix::io::write(&self.doorbell, &1u64.to_ne_bytes()) {
                // EAGAIN: the counter is saturated, so the server is being woken anyway.
                Ok(_) | Err(rustix::io::Errno::AGAIN) => {}
                Err(e) => return Err(std::io::Error::from(e).into()),
            }
        }
        Ok(())
    }

    /// Fails when the server ended the session or its end of the socket is gone.
    fn check_alive(&self) -> Result<()> {
        if self.seg.closed() {
            return Err(Error::closed("the server closed the shared-memory session"));
        }
        let mut fds = [PollFd::new(&self.sock, PollFlags::IN | PollFlags::RDHUP)];
        let zero = rustix::event::Timespec { tv_sec: 0, tv_nsec: 0 };
        match poll(&mut fds, Some(&zero)) {
            // Nothing is ever sent on the socket after SHM.ATTACH: readable means EOF.
            Ok(n) if n > 0 => Err(Error::closed("the server hung up the shared-memory session")),
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
            Err(e) => Err(std::io::Error::from(e).into()),
        }
    }

    /// Waits until `ready` holds: spin, then futex sleeps with liveness checks.
    async fn wait(&self, ready: impl Fn(&Segment) -> bool) -> Result<()> {
        let seg = &*self.seg;
        let start = Instant::now();
        let mut i: u32 = 0;
        loop {
            if ready(seg) {
                return Ok(());
            }
            i = i.wrapping_add(1);
            if i % 64 == 0 {
                if seg.closed() {
                    return Err(Error::closed("the server closed the shared-memory session"));
                }
                if start.elapsed() >= SPIN {
                    break;
                }
            }
            std::hint::spin_loop();
        }
        loop {
            let word = seg.u32_at(OFF_CLIENT_SLEEP);
            word.store(1, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if ready(seg) {
                word.store(0, Ordering::Relaxed);
                return Ok(());
            }
            if let Err(e) = self.check_alive() {
                word.store(0, Ordering::Relaxed);
                return Err(e);
            }
            let shared = self.seg.clone();
            let slept = tokio::task::spawn_blocking(move || {
                let t = rustix::event::Timespec { tv_sec: 0, tv_nsec: SLEEP.as_nanos() as i64 };
                // Shared (not PRIVATE) futex: the word lives in a mapping shared with the
                // server process. Returns at once if the word is no longer 1.
                match futex::wait(shared.u32_at(OFF_CLIENT_SLEEP), futex::Flags::empty(), 1, Some(&t)) {
                    Ok(()) | Err(rustix::io::Errno::AGAIN | rustix::io::Errno::TIMEDOUT | rustix::io::Errno::INTR) => Ok(()),
                    Err(e) => Err(std::io::Error::from(e)),
                }
            })
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e)))?;
            word.store(0, Ordering::Relaxed);
            slept?;
        }
    }
}

/// Maps and checks a segment received from the server.
fn map(memfd: &OwnedFd) -> Result<Segment> {
    let bad = |why: String| Error::Protocol(format!("shared-memory segment: {why}"));
    // The server seals the memfd against shrinking; without that seal a truncate would
    // turn our reads of the mapping into SIGBUS, so refuse such a segment.
    let seals = rustix::fs::fcntl_get_seals(memfd).map_err(std::io::Error::from)?;
    if !seals.contains(SealFlags::SHRINK) {
        return Err(bad("not sealed against shrinking".into()));
    }
    let len = rustix::fs::fstat(memfd).map_err(std::io::Error::from)?.st_size;
    let len = usize::try_from(len).map_err(|_| bad(format!("bad size {len}")))?;
    if len < HEADER + 2 * 4096 {
        return Err(bad(format!("size {len} too small")));
    }
    // SAFETY: a fresh shared mapping of the whole file (len from fstat, and the file
    // cannot shrink: sealed), placed by the kernel (null hint); no Rust object aliases it.
    let ptr = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            len,
            rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
            rustix::mm::MapFlags::SHARED,
            memfd,
            0,
        )
        .map_err(std::io::Error::from)?
    };
    let base = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| bad("null mapping".into()))?;
    let mut seg = Segment { base, len, ring: 0 };
    let mut magic = [0u8; 8];
    // SAFETY: the first 8 bytes lie inside the mapping (len >= 4096); the server wrote
    // them before passing the descriptor and never changes them.
    unsafe { std::ptr::copy_nonoverlapping(base.as_ptr(), magic.as_mut_ptr(), 8) };
    if &magic != MAGIC {
        return Err(bad("wrong magic".into()));
    }
    let version = seg.u32_at(OFF_VERSION).load(Ordering::Acquire);
    if version != VERSION {
        return Err(bad(format!("protocol version {version}, this client speaks {VERSION}")));
    }
    let ring = seg.u32_at(OFF_RING_SIZE).load(Ordering::Acquire) as usize;
    if !ring.is_power_of_two() || ring < 4096 || HEADER + 2 * ring > len {
        return Err(bad(format!("ring size {ring} does not fit a segment of {len} bytes")));
    }
    seg.ring = ring;
    Ok(seg)
}
