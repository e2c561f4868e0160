"""Fixtures: the real diskdb binary on a free port with a fresh data directory.

DISKDB_BIN names the binary (``make test`` sets it to the fresh build); by default the
prebuilt one in ~/.cache/diskdb/bin-clients. Readiness: PING answers from our process."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import diskdb  # noqa: E402


def binary() -> str:
    env = os.environ.get("DISKDB_BIN")
    if env:
        return env
    return os.path.expanduser("~/.cache/diskdb/bin-clients/diskdb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running diskdb; restartable on the same port, data directory and socket."""

    def __init__(self, *extra: str, unixsocket: bool = True) -> None:
        self.dir = tempfile.mkdtemp(prefix="diskdb-pyclient-")
        self.port = free_port()
        self.sock = os.path.join(self.dir, "diskdb.sock") if unixsocket else None
        self.extra = list(extra)
        self.proc = None
        self.start()

    def start(self) -> None:
        args = [binary(), "--port", str(self.port), "--dir", os.path.join(self.dir, "data"),
                "--loglevel", "warning", *self.extra]
        if self.sock:
            args += ["--unixsocket", self.sock]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("diskdb exited with %s" % self.proc.returncode)
            try:
                with diskdb.DiskDB(port=self.port, host="127.0.0.1", socket_timeout=5,
                                   connect_timeout=2) as c:
                    pid = c.info("server").get("process_id")
                if pid != self.proc.pid:
                    raise RuntimeError("port %d is held by another server" % self.port)
                if self.sock and not os.path.exists(self.sock):
                    raise diskdb.ConnectionError("socket not there yet")
                return
            except diskdb.ResponseError:
                return  # e.g. NOAUTH: it answers, so it is ready
            except (diskdb.ConnectionError, diskdb.TimeoutError):
                time.sleep(0.02)
        raise RuntimeError("diskdb did not become ready")

    def client(self, **kw) -> "diskdb.DiskDB":
        kw.setdefault("host", "127.0.0.1")
        kw.setdefault("socket_timeout", 30)
        return diskdb.DiskDB(port=self.port, **kw)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.proc = None

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.cleanup()


@pytest.fixture
def db(server):
    c = server.client()
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def db3(server):
    c = server.client(protocol=3)
    c.flushall()
    yield c
    c.close()
