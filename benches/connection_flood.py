#!/usr/bin/env python3
"""Connection floods, DiskDB beside redis-server in the same run (issue 20, Reliability).

    DISKDB_BIN=path python3 benches/connection_flood.py      # or: make bench-flood
    IDLE=10000 ROUNDS=10 PER_ROUND=1000 TRICKLERS=1000 python3 benches/connection_flood.py

For each server, started empty with the same `maxclients` (IDLE + 50) under the same
open-file limit (this script raises its own to what IDLE needs; both servers inherit
it and raise their own for `maxclients`):

1. idle: opens IDLE connections, sends each one PING, and reports the resident memory
   they added, per connection;
2. churn: ROUNDS rounds of PER_ROUND connections made by redis-benchmark in reconnect
   mode (`-k 0`: connect, PING, close, over 50 parallel clients), with the server's open
   descriptors (/proc/PID/fd) and RSS after each round, once INFO's connected_clients is
   back to the one control client; reports the connection rate and the drift;
3. slowloris: TRICKLERS connections each sending `SET key value` one byte per 100 ms,
   while one normal client sends PINGs one at a time: its round-trip latency beside the
   same client's with no trickle; then TRICKLERS connections that each declare a 512 MB
   argument and send 64 bytes of it one at a time: the resident memory they add, per
   connection.
"""
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BIN, free_port, ping_all, raise_nofile, rss_kib, wait_ready  # noqa: E402

IDLE = int(os.environ.get("IDLE", "10000"))
ROUNDS = int(os.environ.get("ROUNDS", "10"))
PER_ROUND = int(os.environ.get("PER_ROUND", "1000"))
TRICKLERS = int(os.environ.get("TRICKLERS", "1000"))
TRICKLE_S = 0.1


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Conn:
    """A blocking RESP connection that reads one reply line (or bulk) at a time."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def cmd(self, *args):
        self.s.sendall(encode(args))
        first = self.line()
        if first[:1] != b"$":
            return first
        n = int(first[1:])
        while len(self.buf) < n + 2:
            self.buf += self.s.recv(65536)
        body, self.buf = self.buf[:n], self.buf[n + 2:]
        return body

    def info(self, section):
        text = self.cmd("INFO", section).decode()
        return dict(l.split(":", 1) for l in text.splitlines() if ":" in l)


def encode(args):
    out = [f"*{len(args)}\r\n".encode()]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def wait_clients(control, n):
    for _ in range(3000):
        if int(control.info("clients")["connected_clients"]) == n:
            return
        time.sleep(0.01)
    raise SystemExit(f"connected_clients never came back to {n}")


def idle(port, pid, control):
    warm = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
    ping_all(warm)
    for c in warm:
        c.close()
    wait_clients(control, 1)
    before = rss_kib(pid)
    start = time.monotonic()
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(IDLE)]
    opened = time.monotonic() - start
    wait_clients(control, IDLE + 1)
    ping_all(conns)
    after = rss_kib(pid)
    for c in conns:
        c.close()
    wait_clients(control, 1)
    return before, after, opened


def churn(port, pid, control):
    """Rounds of PER_ROUND connect-PING-close, by redis-benchmark in reconnect mode."""
    rows = []
    base_fd, base_rss = fd_count(pid), rss_kib(pid)
    total_s = 0.0
    for _ in range(ROUNDS):
        start = time.monotonic()
        subprocess.run(["redis-benchmark", "-p", str(port), "-c", "50", "-n", str(PER_ROUND), "-k", "0",
                        "-t", "ping", "-q"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        total_s += time.monotonic() - start
        wait_clients(control, 1)
        rows.append((fd_count(pid), rss_kib(pid)))
    return base_fd, base_rss, rows, ROUNDS * PER_ROUND / total_s


def latencies(control, n=2000):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        assert control.cmd("PING") == b"+PONG"
        out.append((time.perf_counter() - t) * 1e6)
    out.sort()
    return out[len(out) // 2], out[int(len(out) * 0.99)]


def slowloris(port, control):
    quiet = latencies(control)
    socks = []
    for i in range(TRICKLERS):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append((s, encode(["SET", f"slow:{i}", f"value-{i}"])))
    longest = max(len(b) for _, b in socks)
    done = threading.Event()

    def trickle():
        for at in range(longest):
            for s, b in socks:
                if at < len(b):
                    s.send(b[at:at + 1])
            time.sleep(TRICKLE_S)
        done.set()

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(TRICKLE_S * 3)
    during = latencies(control)
    still = not done.is_set()
    t.join()
    for s, _ in socks:
        s.settimeout(30)
        assert s.recv(16).startswith(b"+OK")
        s.close()
    return quiet, during, still, longest


def big_headers(port, pid):
    """TRICKLERS clients declaring a 512 MB argument, then trickling 64 bytes of it."""
    before = rss_kib(pid)
    socks = []
    for _ in range(TRICKLERS):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$536870912\r\n")
        socks.append(s)
    for _ in range(64):
        for s in socks:
            s.send(b"x")
        time.sleep(0.01)
    time.sleep(0.5)
    after = rss_kib(pid)
    for s in socks:
        s.close()
    return (after - before) * 1024 / TRICKLERS


def measure(name, argv, port):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, proc)
        control = Conn(port)
        before, after, opened = idle(port, proc.pid, control)
        per = (after - before) * 1024 / IDLE
        print(f"{name:<7} idle:  {IDLE} connections opened in {opened:5.2f} s; RSS {before / 1024:6.1f} -> "
              f"{after / 1024:6.1f} MiB, {per / 1024:5.2f} KiB per connection")
        base_fd, base_rss, rows, rate = churn(port, proc.pid, control)
        fds = " ".join(str(f) for f, _ in rows)
        rss = " ".join(f"{r / 1024:.1f}" for _, r in rows)
        print(f"{name:<7} churn: {ROUNDS} x {PER_ROUND} connect+PING+close at {rate:,.0f} connections/s; "
              f"fds {base_fd} before, after each round: {fds}; RSS MiB {base_rss / 1024:.1f} before, after each: {rss}; "
              f"drift round 1 -> {ROUNDS}: {rows[-1][0] - rows[0][0]:+d} fds, {(rows[-1][1] - rows[0][1]) / 1024:+.1f} MiB")
        quiet, during, still, longest = slowloris(port, control)
        print(f"{name:<7} slowloris: {TRICKLERS} clients each sending a {longest}-byte SET one byte per "
              f"{TRICKLE_S * 1000:.0f} ms; a normal client's PING p50/p99 {quiet[0]:.0f}/{quiet[1]:.0f} us quiet, "
              f"{during[0]:.0f}/{during[1]:.0f} us during the trickle"
              f"{'' if still else ' (the trickle had ended before the 2,000 PINGs did)'}")
        big = big_headers(port, proc.pid)
        print(f"{name:<7} slowloris: {TRICKLERS} clients each declaring a 512 MB argument and sending 64 bytes "
              f"of it one at a time: {big / 1024:.1f} KiB resident per client")
        return per
    finally:
        proc.terminate()
        proc.wait()


def main():
    raise_nofile(IDLE + 1000)
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)
    maxclients = str(IDLE + 50)
    print(f"open-file limit (soft, hard) {limit}, maxclients {maxclients}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as work:
        rport, dport = free_port(), free_port()
        redis = measure("redis", ["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", work, "--maxclients", maxclients], rport)
        diskdb = measure("diskdb", [BIN, "--port", str(dport), "--dir", os.path.join(work, "diskdb"),
                                    "--loglevel", "warning", "--maxclients", maxclients], dport)
        print(f"memory per idle connection, DiskDB/Redis: {diskdb / max(redis, 1):.2f}")


if __name__ == "__main__":
    main()
