"""Fixtures: the real diskdb binary on a free loopback port with a fresh data directory."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]


def binary():
    env = os.environ.get("DISKDB_BIN")
    if env:
        return env
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/diskdb/target"))
    return os.path.join(target, "release", "diskdb")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running diskdb process; restartable on the same port and data directory."""

    def __init__(self, *extra):
        self.dir = tempfile.mkdtemp(prefix="diskdb-py-")
        self.extra = list(extra)
        self.port = free_port()
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [binary(), "--port", str(self.port), "--dir", os.path.join(self.dir, "data"),
             "--loglevel", "warning", *self.extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("diskdb exited with %s" % self.proc.returncode)
            try:
                # The answer must come from our process: a restarted server's port may
                # have been taken by another server meanwhile.
                info = redis.Redis(port=self.port, socket_timeout=2).info("server")
                if info.get("process_id") != self.proc.pid:
                    raise RuntimeError("port %d is held by another server" % self.port)
                return
            except (redis.ConnectionError, redis.TimeoutError):
                time.sleep(0.02)
        raise RuntimeError("diskdb did not become ready")

    def client(self, **kw):
        kw.setdefault("decode_responses", True)
        return redis.Redis(port=self.port, **kw)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            assert self.proc.wait(timeout=60) == 0
        self.proc = None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        self.kill9()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def r(server):
    c = server.client()
    yield c
    c.close()
