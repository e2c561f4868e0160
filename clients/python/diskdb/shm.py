"""The shared-memory transport (docs/shm-protocol.md, protocol version 1), standard library only.

``ShmTransport`` starts as the server's Unix socket: the Connection's handshake (HELLO,
AUTH, SELECT, CLIENT SETNAME) runs on it as on any socket. ``attach()`` then sends
``SHM.ATTACH``, receives the segment (memfd) and the server's doorbell (eventfd) through
SCM_RIGHTS, maps the segment, and from then on ``sendall`` writes the request ring and
``makefile('rb')`` reads the reply ring. The socket stays open as the liveness channel.

Memory ordering. Python has no fence instruction. On x86-64 (TSO) stores are not
reordered with stores nor loads with loads, so publishing an index after copying the
bytes (and reading the bytes after reading the index) is safe; what can be reordered is
a store followed by a load: "store req_head, load server_sleep" and "store client_sleep
= 1, load rep_head". Either can make a wake-up go missing in a window of nanoseconds.
The client bounds the cost: it never sleeps longer than ``_FIRST_TICK`` (1 ms) right
after it announced its sleep, and on every wake-up tick it re-checks the rings and
rings the server's doorbell again if the server sleeps while requests are unread (or
while it waits for reply room the client has freed). So a missed wake-up costs at most
about 1 ms, never a hang. Later ticks back off to 100 ms (an idle waiting client, e.g.
a Pub/Sub subscriber, costs ~10 wake-ups/s, no spinning), and every tick checks that
the server is alive (the ``closed`` word, a hang-up on the socket).
"""
import ctypes
import io
import mmap
import os
import platform
import select
import socket
import struct
import sys
import time
from typing import Any, Callable, Optional

from .exceptions import ConnectionError, DiskDBError, TimeoutError, error_from_reply

MAGIC = b"DISKDBS1"
VERSION = 1
OFF_CLOSED = 20
OFF_REQ_HEAD = 64
OFF_REQ_TAIL = 128
OFF_REP_HEAD = 192
OFF_REP_TAIL = 256
OFF_SERVER_SLEEP = 320
OFF_CLIENT_SLEEP = 384
HEADER = 4096

SPIN_SECONDS = 50e-6  # busy-poll this long before sleeping on the futex
_FIRST_TICK = 0.001   # first futex timeout after announcing the sleep (bounds a missed wake-up)
_MAX_TICK = 0.1       # later ticks back off to this

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_ONE = struct.pack("=Q", 1)  # eventfd takes a native-endian u64

_SYS_FUTEX = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98,
              "i386": 240, "i686": 240, "riscv64": 98, "ppc64le": 221, "s390x": 238}
_FUTEX_WAIT = 0  # shared futex: no FUTEX_PRIVATE_FLAG (the word is in a shared mapping)


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


_libc_syscall: Optional[Callable[..., int]] = None
try:
    _nr = _SYS_FUTEX.get(platform.machine().lower())
    if _nr is not None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc_syscall = _libc.syscall
        _libc_syscall.restype = ctypes.c_long
except (OSError, AttributeError):  # pragma: no cover - no libc syscall()
    _libc_syscall = None


def _futex_wait(addr: int, expected: int, timeout: float) -> None:
    """Sleep while the u32 at ``addr`` equals ``expected``, at most ``timeout`` seconds.
    The ctypes call releases the GIL. Without a futex syscall: a plain sleep."""
    if _libc_syscall is None:
        time.sleep(timeout)
        return
    ts = _Timespec(int(timeout), int((timeout % 1) * 1e9))
    _libc_syscall(ctypes.c_long(_nr), ctypes.c_void_p(addr), ctypes.c_long(_FUTEX_WAIT),
                  ctypes.c_long(expected), ctypes.byref(ts), None, ctypes.c_long(0))


def _recv_attach_reply(sock: socket.socket) -> "tuple[bytes, list]":
    """Read the SHM.ATTACH reply line and the descriptors sent with it."""
    data = b""
    fds: list = []
    space = socket.CMSG_SPACE(2 * 4)
    while not data.endswith(b"\r\n"):
        msg, anc, _flags, _addr = sock.recvmsg(4096, space)
        if not msg and not anc:
            raise ConnectionError("connection closed by server during SHM.ATTACH")
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                n = len(cdata) - len(cdata) % 4
                fds.extend(struct.unpack("=%di" % (n // 4), cdata[:n]))
        data += msg
        if len(data) > 65536:
            break
    return data, fds


class _RingReader(io.RawIOBase):
    """The reply ring as a raw stream; ``makefile`` wraps it in a BufferedReader."""

    def __init__(self, transport: "ShmTransport") -> None:
        super().__init__()
        self._t = transport

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> Optional[int]:
        return self._t._readinto(b)


class ShmTransport:
    """A Transport (see connection.Transport) over the shared-memory rings."""

    def __init__(self, path: str, connect_timeout: Optional[float]) -> None:
        from .connection import unix_transport
        self.path = path
        self._sock = unix_transport(path, connect_timeout)
        self._timeout: Optional[float] = connect_timeout
        self._attached = False
        self._mm: Optional[mmap.mmap] = None
        self._mv: Optional[memoryview] = None
        self._futex_word: Any = None
        self._server_sleep: Any = None
        self._closed_w: Any = None
        self._req_head_w: Any = None
        self._req_tail_w: Any = None
        self._rep_head_w: Any = None
        self._rep_tail_w: Any = None
        self._efd = -1
        self._pending = bytearray()  # replies drained while waiting for request-ring room
        self._published_tail = False

    # -- setting up ------------------------------------------------------------

    def attach(self) -> None:
        """Send SHM.ATTACH (after the handshake) and switch to the rings."""
        sock = self._sock
        sock.settimeout(self._timeout)
        try:
            sock.sendall(b"*1\r\n$10\r\nSHM.ATTACH\r\n")
            data, fds = _recv_attach_reply(sock)
        except socket.timeout as e:
            raise TimeoutError("timed out attaching to shared memory at %s" % self.path) from e
        except OSError as e:
            raise ConnectionError("error attaching to shared memory at %s: %s"
                                  % (self.path, e)) from e
        try:
            if data.startswith(b"-"):
                err = error_from_reply(data[1:].split(b"\r\n", 1)[0].decode(errors="replace"))
                raise err
            if data != b"+OK\r\n" or len(fds) != 2:
                raise ConnectionError("unexpected SHM.ATTACH reply %r with %d descriptors"
                                      % (data[:60], len(fds)))
            memfd, self._efd = fds
            fds = []
            try:
                size = os.fstat(memfd).st_size
                if size < HEADER:
                    raise ConnectionError("shared-memory segment too small (%d bytes)" % size)
                mm = mmap.mmap(memfd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            finally:
                os.close(memfd)
            self._mm = mm
            if mm[0:8] != MAGIC or _U32.unpack_from(mm, 8)[0] != VERSION:
                raise ConnectionError("shared-memory segment: bad magic or version %r"
                                      % (mm[0:12],))
            r = _U32.unpack_from(mm, 12)[0]
            if r < 4096 or r & (r - 1) or size < HEADER + 2 * r:
                raise ConnectionError("shared-memory segment: bad ring size %d" % r)
            self.ring_size = r
            self._mask = r - 1
            self._req_base = HEADER
            self._rep_base = HEADER + r
            self._mv = memoryview(mm)
            # Index and flag words as ctypes views: one aligned 8- or 4-byte load/store
            # each (the server must never see a half-written index).
            self._futex_word = ctypes.c_uint32.from_buffer(mm, OFF_CLIENT_SLEEP)
            self._server_sleep = ctypes.c_uint32.from_buffer(mm, OFF_SERVER_SLEEP)
            self._closed_w = ctypes.c_uint32.from_buffer(mm, OFF_CLOSED)
            self._req_head_w = ctypes.c_uint64.from_buffer(mm, OFF_REQ_HEAD)
            self._req_tail_w = ctypes.c_uint64.from_buffer(mm, OFF_REQ_TAIL)
            self._rep_head_w = ctypes.c_uint64.from_buffer(mm, OFF_REP_HEAD)
            self._rep_tail_w = ctypes.c_uint64.from_buffer(mm, OFF_REP_TAIL)
            self._futex_addr = ctypes.addressof(self._futex_word)
            self._req_head = self._req_head_w.value
            self._rep_tail = self._rep_tail_w.value
            self._poll = select.poll()
            self._poll.register(sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
            self._attached = True
        except BaseException:
            for fd in fds:
                os.close(fd)
            self._release_mapping()
            raise

    # -- the socket interface used by Connection ----------------------------------

    def settimeout(self, timeout: Optional[float]) -> None:
        self._timeout = timeout
        if not self._attached:
            self._sock.settimeout(timeout)

    def setblocking(self, flag: bool) -> None:
        self.settimeout(None if flag else 0.0)

    def fileno(self) -> int:
        return self._sock.fileno()

    def makefile(self, mode: str = "rb") -> Any:
        if not self._attached:
            return self._sock.makefile(mode)
        return io.BufferedReader(_RingReader(self), 65536)

    def shutdown(self, how: int) -> None:
        try:
            self._sock.shutdown(how)
        except OSError:
            pass

    def close(self) -> None:
        self._attached = False
        self._release_mapping()
        self._sock.close()

    def _release_mapping(self) -> None:
        # The ctypes views and the memoryview pin the mmap: drop them first.
        self._futex_word = self._server_sleep = self._closed_w = None
        self._req_head_w = self._req_tail_w = self._rep_head_w = self._rep_tail_w = None
        if self._mv is not None:
            self._mv.release()
            self._mv = None
        if self._mm is not None:
            self._mm.close()
            self._mm = None
        if self._efd >= 0:
            os.close(self._efd)
            self._efd = -1

    # -- the rings -------------------------------------------------------------

    def _wake_server(self) -> None:
        mm = self._mm
        if self._server_sleep.value == 1:
            self._server_sleep.value = 0
            try:
                os.write(self._efd, _ONE)
            except BlockingIOError:  # counter saturated: the server is woken anyway
                pass

    def _check_alive(self) -> None:
        if self._closed_w.value:
            raise ConnectionError("the server ended the shared-memory session (%s)" % self.path)
        if self._poll.poll(0):
            # Nothing is ever sent on the socket after the attach: readable = hang-up.
            raise ConnectionError("connection closed by server (shm:%s)" % self.path)

    def _wait(self, ready: Callable[[], bool], timeout: Optional[float]) -> bool:
        """Wait until ``ready()``; False when ``timeout`` ran out (0: just check)."""
        if ready():
            return True
        if timeout is not None and timeout <= 0:
            self._check_alive()
            return False
        now = time.perf_counter()
        deadline = None if timeout is None else now + timeout
        spin_end = now + SPIN_SECONDS
        while time.perf_counter() < spin_end:
            if ready():
                return True
        mm = self._mm
        tick = _FIRST_TICK
        while True:
            self._futex_word.value = 1
            if ready():
                self._futex_word.value = 0
                return True
            self._check_alive()
            # A wake-up of the server may have gone missing (see the module's docstring).
            if (self._req_tail_w.value != self._req_head
                    or self._published_tail):
                self._published_tail = False
                self._wake_server()
            wait = tick
            if deadline is not None:
                left = deadline - time.perf_counter()
                if left <= 0:
                    self._futex_word.value = 0
                    return False
                wait = min(wait, left)
            _futex_wait(self._futex_addr, 1, wait)
            tick = min(tick * 2, _MAX_TICK)

    def _replies_ready(self) -> bool:
        return bool(self._pending) or self._rep_head_w.value != self._rep_tail

    def _take_replies(self, out: memoryview) -> int:
        """Copy up to len(out) reply bytes from the ring; publish rep_tail."""
        mm = self._mm
        head = self._rep_head_w.value
        tail = self._rep_tail
        avail = head - tail
        if avail > self.ring_size or avail < 0:
            raise ConnectionError("shared-memory reply ring index out of bounds")
        n = min(avail, len(out))
        if n == 0:
            return 0
        pos = tail & self._mask
        first = min(n, self.ring_size - pos)
        base = self._rep_base + pos
        mv = self._mv
        out[:first] = mv[base:base + first]
        if n > first:
            out[first:n] = mv[self._rep_base:self._rep_base + n - first]
        self._rep_tail = tail + n
        self._rep_tail_w.value = self._rep_tail
        self._published_tail = True
        self._wake_server()
        return n

    def _readinto(self, b: Any) -> Optional[int]:
        if not self._attached:
            raise ConnectionError("shared-memory transport is closed")
        out = memoryview(b).cast("B")
        if self._pending:
            n = min(len(out), len(self._pending))
            out[:n] = self._pending[:n]
            del self._pending[:n]
            return n
        if not self._wait(self._replies_ready, self._timeout):
            if self._timeout == 0:
                return None  # non-blocking: nothing yet
            raise socket.timeout("timed out")
        return self._take_replies(out)

    def _drain_replies(self) -> None:
        """Move the reply ring's bytes to the local buffer (so the server can go on)."""
        buf = bytearray(self.ring_size)
        n = self._take_replies(memoryview(buf))
        if n:
            self._pending += buf[:n]

    def sendall(self, data: bytes) -> None:
        if not self._attached:
            self._sock.sendall(data)
            return
        mm = self._mm
        if mm is None:
            raise ConnectionError("shared-memory transport is closed")
        src = memoryview(data).cast("B")
        total = len(src)
        off = 0
        r = self.ring_size
        while off < total:
            head = self._req_head
            tail = self._req_tail_w.value
            free = r - (head - tail)
            if free < 0 or free > r:
                raise ConnectionError("shared-memory request ring index out of bounds")
            if free == 0:
                # Ring full: the server may be blocked on a full reply ring; keep draining.
                self._drain_replies()

                def room() -> bool:
                    return (self._req_tail_w.value != tail
                            or self._rep_head_w.value != self._rep_tail)
                if not self._wait(room, self._timeout):
                    raise socket.timeout("timed out")
                continue
            n = min(free, total - off)
            pos = head & self._mask
            first = min(n, r - pos)
            base = self._req_base + pos
            mv = self._mv
            mv[base:base + first] = src[off:off + first]
            if n > first:
                mv[self._req_base:self._req_base + n - first] = src[off + first:off + n]
            off += n
            self._req_head = head + n
            self._req_head_w.value = self._req_head
            self._wake_server()

    def wait_readable(self, timeout: Optional[float]) -> bool:
        """True when reply bytes are ready within ``timeout`` seconds (None: forever)."""
        if not self._attached:
            r, _, _ = select.select([self._sock], [], [], timeout)
            return bool(r)
        return self._wait(self._replies_ready, timeout)


def shm_transport(path: Optional[str], connect_timeout: Optional[float]) -> ShmTransport:
    """Connect to the Unix socket at ``path``; the Connection attaches after its handshake."""
    if not path:
        raise DiskDBError("shm=True needs unix_socket_path= (the server's unixsocket)")
    if sys.byteorder != "little":  # the segment is little-endian; the views are native
        raise DiskDBError("shm=True: only on little-endian machines")
    return ShmTransport(path, connect_timeout)
