#!/usr/bin/env python3
"""Connection bursts and idle clients, DiskDB beside redis-server in the same run.

    DISKDB_BIN=path python3 benches/idle_clients.py        # or: make bench-idle
    CLIENTS=10000 python3 benches/idle_clients.py

For each server: opens CLIENTS connections one after another as fast as possible
(wall time, slowest connect: a connect dropped from a full listen backlog is retried by
the kernel after a second), sends each one PING, then reports the resident memory the
idle clients added, per client. Both servers start empty with their defaults
(redis-server: no persistence; DiskDB: a fresh data directory).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BIN, free_port, ping_all, raise_nofile, rss_kib, wait_ready  # noqa: E402

CLIENTS = int(os.environ.get("CLIENTS", "5000"))


def measure(name, argv, port):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, proc)
        warm = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
        ping_all(warm)
        before = rss_kib(proc.pid)
        conns, slowest = [], 0.0
        start = time.monotonic()
        for _ in range(CLIENTS):
            t = time.monotonic()
            conns.append(socket.create_connection(("127.0.0.1", port)))
            slowest = max(slowest, time.monotonic() - t)
        opened = time.monotonic() - start
        ping_all(conns)
        after = rss_kib(proc.pid)
        per = (after - before) * 1024 / CLIENTS
        print(f"{name:<8} {CLIENTS} connects in {opened:6.2f} s, slowest {slowest * 1000:7.1f} ms; "
              f"RSS {before / 1024:6.1f} -> {after / 1024:6.1f} MiB, {per / 1024:5.1f} KiB per idle client")
        for c in conns + warm:
            c.close()
        return per
    finally:
        proc.terminate()
        proc.wait()


def main():
    raise_nofile(CLIENTS + 200)
    with tempfile.TemporaryDirectory() as work:
        rport, dport = free_port(), free_port()
        redis = measure("redis", ["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", work, "--maxclients", str(CLIENTS + 1000)], rport)
        diskdb = measure("diskdb", [BIN, "--port", str(dport), "--dir", os.path.join(work, "diskdb"),
                                    "--loglevel", "warning", "--maxclients", str(CLIENTS + 1000)], dport)
        print(f"memory per idle client, DiskDB/Redis: {diskdb / max(redis, 1):.2f}")


if __name__ == "__main__":
    main()
