//! A test-only client of the shared-memory transport, written from
//! docs/shm-protocol.md alone (it shares no code with the server's `src/shm`): attach on
//! the Unix socket, receive the memfd and the eventfd with SCM_RIGHTS, map the segment,
//! write requests into the request ring, read replies from the reply ring, and wait on
//! the futex word in the segment.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const HEADER: usize = 4096;
pub const OFF_CLOSED: usize = 20;
pub const OFF_REQ_HEAD: usize = 64;
pub const OFF_REQ_TAIL: usize = 128;
pub const OFF_REP_HEAD: usize = 192;
pub const OFF_REP_TAIL: usize = 256;
pub const OFF_SERVER_SLEEP: usize = 320;
pub const OFF_CLIENT_SLEEP: usize = 384;

/// How long the client polls before it sleeps on its futex.
const SPIN: Duration = Duration::from_micros(50);
/// The futex timeout: bounds a missed wake-up, and how often the socket is checked.
const NAP: Duration = Duration::from_millis(20);

pub struct ShmClient {
    pub sock: UnixStream,
    efd: OwnedFd,
    memfd: OwnedFd,
    base: *mut u8,
    pub len: usize,
    pub ring: usize,
    req_head: u64,
    rep_tail: u64,
    /// Reply bytes taken from the ring and not yet returned as frames.
    pub inbox: Vec<u8>,
}

// SAFETY: the mapping is owned by the client and only used through `&mut self` or
// atomics; moving it to another thread is fine.
unsafe impl Send for ShmClient {}

/// `SHM.ATTACH` as a RESP request.
pub const ATTACH: &[u8] = b"*1\r\n$10\r\nSHM.ATTACH\r\n";

impl ShmClient {
    /// Connects to the socket at `path` and attaches; panics on any failure.
    pub fn connect(path: &Path) -> ShmClient {
        ShmClient::attach(UnixStream::connect(path).expect("connect to the Unix socket")).expect("SHM.ATTACH")
    }

    /// Sends SHM.ATTACH on `sock`: the attached client, or the error reply's text.
    pub fn attach(sock: UnixStream) -> Result<ShmClient, String> {
        (&sock).write_all(ATTACH).map_err(|e| e.to_string())?;
        let mut line = Vec::new();
        let mut fds: Vec<OwnedFd> = Vec::new();
        while !line.ends_with(b"\r\n") {
            let mut byte = [0u8; 1];
            let mut space = [std::mem::MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(2))];
            let mut control = rustix::net::RecvAncillaryBuffer::new(&mut space);
            let mut iov = [io::IoSliceMut::new(&mut byte)];
            let got = rustix::net::recvmsg(&sock, &mut iov, &mut control, rustix::net::RecvFlags::CMSG_CLOEXEC).map_err(|e| e.to_string())?;
            for msg in control.drain() {
                if let rustix::net::RecvAncillaryMessage::ScmRights(received) = msg {
                    fds.extend(received);
                }
            }
            if got.bytes == 0 {
                return Err("connection closed".into());
            }
            line.push(byte[0]);
        }
        if line != b"+OK\r\n" {
            return Err(String::from_utf8_lossy(&line[1..line.len() - 2]).into_owned());
        }
        assert_eq!(fds.len(), 2, "+OK carries the memfd and the eventfd");
        let efd = fds.pop().unwrap();
        let memfd = fds.pop().unwrap();
        let len = rustix::fs::fstat(&memfd).map_err(|e| e.to_string())?.st_size as usize;
        // SAFETY: a fresh shared mapping of the whole memfd, which the server sealed
        // against shrinking; unmapped in Drop.
        let base = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::SHARED,
                &memfd,
                0,
            )
        }
        .map_err(|e| e.to_string())?
        .cast::<u8>();
        let mut c = ShmClient { sock, efd, memfd, base, len, ring: 0, req_head: 0, rep_tail: 0, inbox: Vec::new() };
        let mut magic = [0u8; 8];
        c.peek(0, &mut magic);
        assert_eq!(&magic, b"DISKDBS1");
        assert_eq!(c.w32(8).load(Ordering::Relaxed), 1, "version");
        c.ring = c.w32(12).load(Ordering::Relaxed) as usize;
        assert_eq!(len, HEADER + 2 * c.ring);
        assert_eq!(c.w32(16).load(Ordering::Relaxed) as i32 > 0, true, "server pid");
        Ok(c)
    }

    pub fn w64(&self, off: usize) -> &AtomicU64 {
        assert!(off % 8 == 0 && off + 8 <= HEADER);
        // SAFETY: an aligned word inside the mapping, which lives as long as `self`.
        unsafe { &*self.base.add(off).cast::<AtomicU64>() }
    }

    pub fn w32(&self, off: usize) -> &AtomicU32 {
        assert!(off % 4 == 0 && off + 4 <= HEADER);
        // SAFETY: as in `w64`.
        unsafe { &*self.base.add(off).cast::<AtomicU32>() }
    }

    /// Copies segment bytes at `off` into `dst`.
    pub fn peek(&self, off: usize, dst: &mut [u8]) {
        assert!(off + dst.len() <= self.len);
        // SAFETY: inside the mapping (checked); `dst` is ours.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(off), dst.as_mut_ptr(), dst.len()) }
    }

    /// Writes `src` into the segment at `off` (the hostile test scribbles with it).
    pub fn poke(&self, off: usize, src: &[u8]) {
        assert!(off + src.len() <= self.len);
        // SAFETY: inside the mapping (checked); `src` is ours.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), self.base.add(off), src.len()) }
    }

    /// Rings the server's doorbell if it sleeps (after publishing an index).
    pub fn wake_server(&self) {
        fence(Ordering::SeqCst);
        let word = self.w32(OFF_SERVER_SLEEP);
        if word.load(Ordering::Relaxed) == 1 && word.swap(0, Ordering::SeqCst) == 1 {
            self.ring_doorbell();
        }
    }

    /// Writes 1 to the server's eventfd unconditionally.
    pub fn ring_doorbell(&self) {
        let _ = rustix::io::write(&self.efd, &1u64.to_ne_bytes());
    }

    /// Whether the server ended the session or died: `closed` set, or the socket hung up.
    pub fn server_gone(&self) -> bool {
        if self.w32(OFF_CLOSED).load(Ordering::Acquire) == 1 {
            return true;
        }
        let mut byte = [0u8; 1];
        match rustix::net::recv(&self.sock, &mut byte, rustix::net::RecvFlags::PEEK | rustix::net::RecvFlags::DONTWAIT) {
            Ok((0, _)) => true,
            Ok(_) => false,
            Err(e) => e != rustix::io::Errno::AGAIN,
        }
    }

    /// Takes every published reply byte into `inbox`; returns how many.
    fn drain(&mut self) -> usize {
        let head = self.w64(OFF_REP_HEAD).load(Ordering::Acquire);
        let n = (head - self.rep_tail) as usize;
        assert!(n <= self.ring, "the server broke the reply ring");
        if n == 0 {
            return 0;
        }
        let at = (self.rep_tail as usize) & (self.ring - 1);
        let first = n.min(self.ring - at);
        let mut inbox = std::mem::take(&mut self.inbox);
        let start = inbox.len();
        inbox.resize(start + n, 0);
        let (a, b) = inbox[start..].split_at_mut(first);
        let ring_off = HEADER + self.ring;
        self.peek(ring_off + at, a);
        self.peek(ring_off, b);
        self.inbox = inbox;
        self.rep_tail = head;
        self.w64(OFF_REP_TAIL).store(head, Ordering::Release);
        self.wake_server();
        n
    }

    /// Every reply byte published so far (and what `inbox` held), without waiting.
    pub fn take_all(&mut self) -> Vec<u8> {
        self.drain();
        std::mem::take(&mut self.inbox)
    }

    /// Waits until `ready` holds: polls for a while, then sleeps on the futex word.
    /// Errors once the server is gone.
    fn wait(&mut self, ready: impl Fn(&ShmClient) -> bool) -> io::Result<()> {
        let start = Instant::now();
        loop {
            if ready(self) {
                return Ok(());
            }
            if start.elapsed() < SPIN {
                std::hint::spin_loop();
                continue;
            }
            let word = self.w32(OFF_CLIENT_SLEEP);
            word.store(1, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if ready(self) {
                word.store(0, Ordering::Relaxed);
                return Ok(());
            }
            if self.server_gone() {
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "the server closed the session"));
            }
            let timeout = rustix::thread::futex::Timespec { tv_sec: 0, tv_nsec: NAP.as_nanos() as _ };
            let _ = rustix::thread::futex::wait(word, rustix::thread::futex::Flags::empty(), 1, Some(&timeout));
        }
    }

    fn replies_pending(&self) -> bool {
        self.w64(OFF_REP_HEAD).load(Ordering::Acquire) != self.rep_tail
    }

    /// Writes `bytes` into the request ring, in pieces when they do not fit, draining
    /// replies into `inbox` while it waits for room.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut sent = 0;
        while sent < bytes.len() {
            let tail = self.w64(OFF_REQ_TAIL).load(Ordering::Acquire);
            let room = self.ring - (self.req_head - tail) as usize;
            if room == 0 {
                self.drain();
                let head = self.req_head;
                let ring = self.ring as u64;
                self.wait(|c| c.w64(OFF_REQ_TAIL).load(Ordering::Acquire) + ring > head || c.replies_pending())?;
                continue;
            }
            let n = room.min(bytes.len() - sent);
            let at = (self.req_head as usize) & (self.ring - 1);
            let first = n.min(self.ring - at);
            self.poke(HEADER + at, &bytes[sent..sent + first]);
            self.poke(HEADER, &bytes[sent + first..sent + n]);
            self.req_head += n as u64;
            self.w64(OFF_REQ_HEAD).store(self.req_head, Ordering::Release);
            self.wake_server();
            sent += n;
        }
        Ok(())
    }

    /// The raw bytes of the next reply frame.
    pub fn frame(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(n) = frame_len(&self.inbox) {
                return Ok(self.inbox.drain(..n).collect());
            }
            if self.drain() == 0 {
                self.wait(|c| c.replies_pending())?;
            }
        }
    }

    pub fn cmd_raw(&mut self, args: &[&str]) -> Vec<u8> {
        self.send(&crate::common::encode(args)).expect("send");
        self.frame().expect("reply")
    }

    pub fn cmd(&mut self, args: &[&str]) -> crate::common::R {
        parse(&self.cmd_raw(args))
    }
}

impl Drop for ShmClient {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `attach`, unmapped once.
        let _ = unsafe { rustix::mm::munmap(self.base.cast(), self.len) };
        let _ = self.memfd.as_fd();
    }
}

/// Parses one complete frame.
pub fn parse(frame: &[u8]) -> crate::common::R {
    crate::common::read_reply(&mut io::BufReader::new(frame)).expect("a complete reply")
}

/// The length of the first complete RESP2/RESP3 frame in `buf`, if it is complete.
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    fn line_end(buf: &[u8], from: usize) -> Option<usize> {
        buf[from..].windows(2).position(|w| w == b"\r\n").map(|p| from + p + 2)
    }
    fn one(buf: &[u8], at: usize) -> Option<usize> {
        let tag = *buf.get(at)?;
        let end = line_end(buf, at)?;
        let num = || std::str::from_utf8(&buf[at + 1..end - 2]).ok()?.parse::<i64>().ok();
        match tag {
            b'+' | b'-' | b':' | b',' | b'(' | b'#' | b'_' => Some(end),
            b'$' | b'!' | b'=' => {
                let n = num()?;
                if n < 0 {
                    return Some(end);
                }
                let total = end + n as usize + 2;
                (buf.len() >= total).then_some(total)
            }
            b'*' | b'~' | b'>' | b'%' | b'|' => {
                let n = num()?;
                let count = if matches!(tag, b'%' | b'|') { n * 2 } else { n };
                let mut pos = end;
                for _ in 0..count.max(0) {
                    pos = one(buf, pos)?;
                }
                if tag == b'|' {
                    // An attribute precedes the reply it annotates.
                    return one(buf, pos);
                }
                Some(pos)
            }
            _ => panic!("not a RESP frame: {:?}", String::from_utf8_lossy(&buf[at..buf.len().min(at + 64)])),
        }
    }
    one(buf, 0)
}

/// A TCP or Unix-socket connection read frame by frame as raw bytes.
pub struct RawFrames<S: Read + Write> {
    pub stream: S,
    pub inbox: Vec<u8>,
}

impl<S: Read + Write> RawFrames<S> {
    pub fn new(stream: S) -> Self {
        RawFrames { stream, inbox: Vec::new() }
    }

    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    pub fn frame(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(n) = frame_len(&self.inbox) {
                return Ok(self.inbox.drain(..n).collect());
            }
            let mut buf = [0u8; 16384];
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.inbox.extend_from_slice(&buf[..n]);
        }
    }

    pub fn cmd_raw(&mut self, args: &[&str]) -> Vec<u8> {
        self.send(&crate::common::encode(args)).expect("send");
        self.frame().expect("reply")
    }
}

/// A transport the comparison harness drives: send bytes, read a frame.
pub trait Frames {
    fn send_bytes(&mut self, bytes: &[u8]) -> io::Result<()>;
    fn next_frame(&mut self) -> io::Result<Vec<u8>>;
}

impl Frames for ShmClient {
    fn send_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.send(bytes)
    }
    fn next_frame(&mut self) -> io::Result<Vec<u8>> {
        self.frame()
    }
}

impl<S: Read + Write> Frames for RawFrames<S> {
    fn send_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.send(bytes)
    }
    fn next_frame(&mut self) -> io::Result<Vec<u8>> {
        self.frame()
    }
}
