"""Helpers the Python benches share: the server binary, a free port, a process's RSS."""
import os
import resource
import socket
import sys
import time

BIN = os.environ.get("DISKDB_BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/diskdb/target")), "release", "diskdb")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile(need):
    """Raises this process's open-file limit to at least `need` (the hard limit too where
    allowed, else as far as the hard limit goes)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, max(hard, need)))
        except ValueError:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_kib(pid):
    """VmRSS of process `pid` in KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def wait_ready(port, proc):
    """Waits until the server on `port` answers PING (up to 60 s); exits if `proc` ends."""
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"server on port {port} exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"server on port {port} did not start")


def ping_all(conns):
    """Sends PING on every socket, then reads one reply line from each."""
    for c in conns:
        c.sendall(b"*1\r\n$4\r\nPING\r\n")
    for c in conns:
        got = b""
        while not got.endswith(b"\r\n"):
            chunk = c.recv(64)
            if not chunk:
                raise SystemExit("connection closed")
            got += chunk
