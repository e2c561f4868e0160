"""Connections: RESP2/RESP3 encoding and parsing over a pluggable transport, and a pool.

A ``Connection`` speaks RESP over a *transport*: any object with the socket methods
``sendall``, ``makefile('rb')``, ``settimeout``, ``setblocking``, ``fileno`` and ``close``.
``tcp_transport``/``unix_transport`` (optionally wrapped in TLS) give plain sockets; the
shared-memory transport (diskdb/shm.py) plugs in as another factory, see ``shm_transport``:
it has two more methods, ``attach()`` (called after the handshake) and
``wait_readable(timeout)`` (used instead of select: replies arrive without an fd event).
"""
import os
import select
import socket
import ssl as _ssl
import threading
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from .exceptions import (AuthenticationError, ConnectionError, DiskDBError, InvalidResponse,
                         ResponseError, TimeoutError, error_from_reply)

EncodableT = Union[bytes, str, int, float]

_CRLF = b"\r\n"


class Push(list):
    """A RESP3 push message (out-of-band: Pub/Sub messages, invalidations)."""


class SimpleString(str):
    """A status reply (``+OK``), kept apart from bulk strings for the shell's printing."""


def encode_arg(a: Any) -> bytes:
    if isinstance(a, bytes):
        return a
    if isinstance(a, str):
        return a.encode()
    if isinstance(a, bool):
        raise DiskDBError("invalid argument %r: convert booleans to str, int or bytes" % (a,))
    if isinstance(a, int):
        return b"%d" % a
    if isinstance(a, float):
        return repr(a).encode()
    if isinstance(a, (bytearray, memoryview)):
        return bytes(a)
    raise DiskDBError("invalid argument of type %s: use bytes, str, int or float"
                      % type(a).__name__)


def pack_command(args: Sequence[Any]) -> bytes:
    """One command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    append = out.append
    for a in args:
        if isinstance(a, str):
            b = a.encode()
        elif isinstance(a, bytes):
            b = a
        else:
            b = encode_arg(a)
        append(b"$%d\r\n" % len(b))
        append(b)
        append(_CRLF)
    return b"".join(out)


def pack_commands(commands: Sequence[Sequence[Any]]) -> bytes:
    return b"".join(pack_command(c) for c in commands)


# ---------------------------------------------------------------------------------
# Transports
# ---------------------------------------------------------------------------------

try:
    from typing import Protocol
except ImportError:  # pragma: no cover - Python < 3.8
    Protocol = object  # type: ignore


class Transport(Protocol):
    """What a Connection needs from its transport: the subset of ``socket.socket`` used.

    A transport factory is a zero-argument callable returning one (connected, or raising
    diskdb.ConnectionError / TimeoutError). The shared-memory transport (diskdb/shm.py)
    implements it over the server's rings: ``makefile('rb')`` returns a buffered reader
    of the reply ring, and its optional ``attach()`` (run by Connection.connect after the
    handshake) and ``wait_readable(timeout)`` (used by ``can_read`` instead of select)
    are looked up with getattr."""

    def sendall(self, data: bytes) -> None: ...

    def makefile(self, mode: str) -> Any: ...

    def settimeout(self, timeout: Optional[float]) -> None: ...

    def setblocking(self, flag: bool) -> None: ...

    def fileno(self) -> int: ...

    def shutdown(self, how: int) -> None: ...

    def close(self) -> None: ...

def tcp_transport(host: str, port: int, connect_timeout: Optional[float]) -> socket.socket:
    try:
        sock = socket.create_connection((host, port), timeout=connect_timeout)
    except socket.timeout as e:
        raise TimeoutError("timed out connecting to %s:%s" % (host, port)) from e
    except OSError as e:
        raise ConnectionError("cannot connect to %s:%s: %s" % (host, port, e)) from e
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def unix_transport(path: str, connect_timeout: Optional[float]) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(connect_timeout)
    try:
        sock.connect(path)
    except socket.timeout as e:
        sock.close()
        raise TimeoutError("timed out connecting to %s" % path) from e
    except OSError as e:
        sock.close()
        raise ConnectionError("cannot connect to unix socket %s: %s" % (path, e)) from e
    return sock


def shm_transport(path: Optional[str], connect_timeout: Optional[float]) -> Transport:
    """The shared-memory transport (docs/shm-protocol.md): the Unix socket at ``path``
    for the handshake, then SHM.ATTACH (``attach()``, called by Connection.connect after
    the handshake) and the rings. See diskdb/shm.py."""
    from .shm import shm_transport as _shm
    return _shm(path, connect_timeout)


def make_ssl_context(ca_certs: Optional[str], certfile: Optional[str], keyfile: Optional[str],
                     check_hostname: bool = True) -> _ssl.SSLContext:
    ctx = _ssl.create_default_context(cafile=ca_certs)
    ctx.check_hostname = check_hostname
    if certfile:
        ctx.load_cert_chain(certfile, keyfile)
    return ctx


# ---------------------------------------------------------------------------------
# Connection
# ---------------------------------------------------------------------------------

class Connection:
    """One RESP connection. Not thread-safe: the pool hands it to one thread at a time."""

    def __init__(self, transport_factory: Callable[[], Any], *, db: int = 0,
                 password: Optional[str] = None, username: Optional[str] = None,
                 decode: bool = True, protocol: int = 2,
                 socket_timeout: Optional[float] = None,
                 client_name: Optional[str] = None, status_class: Optional[type] = None,
                 description: str = "") -> None:
        self._factory = transport_factory
        self.db = db
        self.password = password
        self.username = username
        self.decode = decode
        self.protocol = protocol
        self.socket_timeout = socket_timeout
        self.client_name = client_name
        self.description = description
        self._status_class = status_class
        self._sock: Any = None
        self._rf: Any = None
        self.pid = os.getpid()

    def __repr__(self) -> str:
        return "<diskdb.Connection %s>" % self.description

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def connect(self) -> None:
        if self._sock is not None:
            return
        sock = self._factory()
        try:
            sock.settimeout(self.socket_timeout)
        except OSError as e:
            raise ConnectionError(str(e)) from e
        self._sock = sock
        self._rf = sock.makefile("rb")
        try:
            self._handshake()
            attach = getattr(sock, "attach", None)
            if attach is not None:  # shared memory: HELLO/AUTH/SELECT ran on the socket
                attach()
                self._rf.close()
                self._rf = sock.makefile("rb")
                sock.settimeout(self.socket_timeout)
        except BaseException:
            self.disconnect()
            raise

    def _handshake(self) -> None:
        if self.protocol == 3:
            args: List[Any] = ["HELLO", 3]
            if self.password is not None:
                args += ["AUTH", self.username or "default", self.password]
            self.send(args)
            self.read_response()
        elif self.password is not None:
            if self.username:
                self.send(["AUTH", self.username, self.password])
            else:
                self.send(["AUTH", self.password])
            self.read_response()
        elif self.protocol != 2:
            raise DiskDBError("protocol must be 2 or 3, not %r" % (self.protocol,))
        if self.db:
            self.send(["SELECT", self.db])
            self.read_response()
        if self.client_name:
            self.send(["CLIENT", "SETNAME", self.client_name])
            self.read_response()

    def disconnect(self) -> None:
        sock, rf = self._sock, self._rf
        self._sock = self._rf = None
        if rf is not None:
            try:
                rf.close()
            except Exception:
                pass
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except Exception:
                pass
            try:
                sock.close()
            except Exception:
                pass

    def settimeout(self, timeout: Optional[float]) -> None:
        if self._sock is not None:
            self._sock.settimeout(timeout)

    # -- writing ---------------------------------------------------------------

    def send(self, args: Sequence[Any]) -> None:
        self.send_packed(pack_command(args))

    def send_packed(self, data: bytes) -> None:
        if self._sock is None:
            self.connect()
        try:
            self._sock.sendall(data)
        except socket.timeout as e:
            self.disconnect()
            raise TimeoutError("timed out writing to %s" % self.description) from e
        except OSError as e:
            self.disconnect()
            raise ConnectionError("error writing to %s: %s" % (self.description, e)) from e

    # -- reading ---------------------------------------------------------------

    def can_read(self, timeout: Optional[float] = 0) -> bool:
        """True when a reply (or part of one) is ready within ``timeout`` seconds."""
        if self._sock is None:
            self.connect()
        sock = self._sock
        # Bytes already in the reader's buffer: a peek on a non-blocking socket returns
        # them without waiting (or b'' when both the buffer and the socket are empty).
        try:
            sock.setblocking(False)
            try:
                if self._rf.peek(1):
                    return True
            except (BlockingIOError, _ssl.SSLWantReadError):
                pass
            except OSError as e:
                self.disconnect()
                raise ConnectionError("error reading from %s: %s" % (self.description, e)) from e
            finally:
                if self._sock is not None:
                    sock.settimeout(self.socket_timeout)
            if isinstance(sock, _ssl.SSLSocket) and sock.pending():
                return True
            wait = getattr(sock, "wait_readable", None)
            if wait is not None:
                return bool(wait(timeout))
            r, _, _ = select.select([sock], [], [], timeout)
            return bool(r)
        except ValueError as e:  # closed file descriptor
            self.disconnect()
            raise ConnectionError(str(e)) from e

    def read_response(self, allow_push: bool = False) -> Any:
        """One reply. RESP3 push messages are skipped unless ``allow_push``.

        Error replies are returned as ResponseError instances (not raised): the caller
        decides (a pipeline keeps them in place)."""
        if self._rf is None:
            raise ConnectionError("connection to %s is closed" % self.description)
        try:
            while True:
                reply = self._read()
                if allow_push or not isinstance(reply, Push):
                    return reply
        except socket.timeout as e:
            self.disconnect()
            raise TimeoutError("timed out reading from %s" % self.description) from e
        except (OSError, ValueError, AttributeError) as e:
            # ValueError/AttributeError: the file was closed under us.
            self.disconnect()
            raise ConnectionError("error reading from %s: %s" % (self.description, e)) from e
        except InvalidResponse:
            self.disconnect()
            raise

    def _read(self) -> Any:
        line = self._rf.readline()
        if not line:
            raise ConnectionError("connection closed by server (%s)" % self.description)
        t = line[0]
        if t == 36:  # $ bulk string
            n = int(line[1:-2])
            if n < 0:
                return None
            data = self._rf.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("connection closed by server (%s)" % self.description)
            data = data[:-2]
            if self.decode:
                try:
                    return data.decode()
                except UnicodeDecodeError:
                    return data
            return data
        if t == 43:  # + simple string
            s = line[1:-2]
            if self._status_class is not None:
                return self._status_class(s.decode(errors="replace"))
            return s.decode(errors="replace") if self.decode else s
        if t == 58:  # : integer
            return int(line[1:-2])
        if t == 42:  # * array
            n = int(line[1:-2])
            if n < 0:
                return None
            read = self._read
            return [read() for _ in range(n)]
        if t == 45:  # - error
            return error_from_reply(line[1:-2].decode(errors="replace"))
        return self._read_resp3(t, line)

    def _read_resp3(self, t: int, line: bytes) -> Any:
        read = self._read
        if t == 95:  # _ null
            return None
        if t == 37:  # % map
            n = int(line[1:-2])
            d = {}
            for _ in range(n):
                k = read()
                if isinstance(k, list):
                    k = tuple(k)
                d[k] = read()
            return d
        if t == 126:  # ~ set: a list, so that the commands' post-processing is shared
            return [read() for _ in range(int(line[1:-2]))]
        if t == 62:  # > push
            return Push(read() for _ in range(int(line[1:-2])))
        if t == 44:  # , double
            s = line[1:-2]
            return float(s.decode()) if s not in (b"inf", b"-inf", b"nan") else float(s.decode())
        if t == 35:  # # boolean
            return line[1:2] == b"t"
        if t == 40:  # ( big number
            return int(line[1:-2])
        if t == 61 or t == 33:  # = verbatim, ! blob error
            n = int(line[1:-2])
            data = self._rf.read(n + 2)[:-2]
            if t == 33:
                return error_from_reply(data.decode(errors="replace"))
            data = data[4:]  # "txt:"
            if self.decode:
                try:
                    return data.decode()
                except UnicodeDecodeError:
                    return data
            return data
        if t == 124:  # | attribute: skip it, return the value that follows
            n = int(line[1:-2])
            for _ in range(2 * n):
                read()
            return read()
        raise InvalidResponse("protocol error, got %r" % line[:40])

    # -- one command -----------------------------------------------------------

    def command(self, args: Sequence[Any]) -> Any:
        """Send one command and return its reply; error replies are raised."""
        self.send_packed(pack_command(args))
        reply = self.read_response()
        if isinstance(reply, ResponseError):
            raise reply
        return reply


# ---------------------------------------------------------------------------------
# Pool
# ---------------------------------------------------------------------------------

class ConnectionPool:
    """A thread-safe pool of Connections; ``max_connections`` bounds how many exist."""

    def __init__(self, factory: Callable[[], Connection], max_connections: int = 64,
                 timeout: Optional[float] = 20.0) -> None:
        self._factory = factory
        self.max_connections = max_connections
        self.timeout = timeout
        self._idle: List[Connection] = []
        self._created = 0
        self._cond = threading.Condition(threading.Lock())
        self._pid = os.getpid()
        self._closed = False

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            with self._cond:
                if self._pid != os.getpid():
                    self._idle = []
                    self._created = 0
                    self._pid = os.getpid()

    def get(self) -> Connection:
        self._check_fork()
        with self._cond:
            if self._closed:
                raise ConnectionError("the client is closed")
            while True:
                if self._idle:
                    return self._idle.pop()
                if self._created < self.max_connections:
                    self._created += 1
                    break
                if not self._cond.wait(self.timeout):
                    raise ConnectionError("no free connection in the pool (max_connections=%d)"
                                          % self.max_connections)
        try:
            return self._factory()
        except BaseException:
            with self._cond:
                self._created -= 1
                self._cond.notify()
            raise

    def release(self, conn: Connection) -> None:
        if conn.pid != os.getpid():
            return
        with self._cond:
            if self._closed:
                conn.disconnect()
                self._created -= 1
            else:
                self._idle.append(conn)
            self._cond.notify()

    def discard(self, conn: Connection) -> None:
        """A connection that is not coming back (dedicated to Pub/Sub, or broken)."""
        conn.disconnect()
        if conn.pid != os.getpid():
            return
        with self._cond:
            self._created -= 1
            self._cond.notify()

    def disconnect_idle(self) -> None:
        with self._cond:
            for c in self._idle:
                c.disconnect()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._created -= len(idle)
            self._cond.notify_all()
        for c in idle:
            c.disconnect()
