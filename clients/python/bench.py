"""SET/GET ops/s of this client beside redis-py (pure-Python parser) in the same run.

    python clients/python/bench.py [-n 20000] [--port P --socket S]   (default: starts
    the server itself: DISKDB_BIN or ~/.cache/diskdb/bin-clients/diskdb)

Sequential calls on one thread, so it measures each client's per-call cost (encode,
send, read, parse) plus the server round trip; a value of 16 bytes. PIPE: pipelines of
100 SETs, counted per SET. Paths: TCP, Unix socket, and shared memory (shm=True, beside
redis-py on the Unix socket: redis-py has no shared-memory path). Each row runs the
two clients alternately in several rounds and keeps the best round of each.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "tests"))

import diskdb  # noqa: E402


def rate(fn, n):
    """(ops/s by the wall clock, microseconds of this process's CPU per op)."""
    t, c = time.perf_counter(), time.process_time()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - t), (time.process_time() - c) / n * 1e6


def pipe100(c, value):
    """One pipeline of 100 SETs (redis-py: transaction=False, the same commands)."""
    p = c.pipeline() if isinstance(c, diskdb.DiskDB) else c.pipeline(transaction=False)
    for i in range(100):
        p.set("pipe:%d" % i, value)
    p.execute()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--port", type=int)
    ap.add_argument("--socket")
    a = ap.parse_args()
    import redis
    server = None
    if a.port is None:
        from conftest import Server
        server = Server()
        a.port, a.socket = server.port, server.sock
    try:
        clients = {
            "tcp": (diskdb.DiskDB(host="127.0.0.1", port=a.port),
                    redis.Redis(host="127.0.0.1", port=a.port, decode_responses=True)),
        }
        if a.socket:
            clients["unix"] = (diskdb.DiskDB(unix_socket_path=a.socket),
                               redis.Redis(unix_socket_path=a.socket, decode_responses=True))
            clients["shm"] = (diskdb.DiskDB(unix_socket_path=a.socket, shm=True),
                              redis.Redis(unix_socket_path=a.socket, decode_responses=True))
        value = "v" * 16
        print("%-5s %-4s %12s %12s %6s %11s %11s %6s" % (
            "path", "op", "diskdb ops/s", "redis-py", "ratio", "diskdb CPU", "redis-py CPU",
            "ratio"))
        rows = []
        for path, (ours, theirs) in clients.items():
            for op in ("SET", "GET", "PIPE"):
                best = [0.0, 0.0]
                cpu = [1e9, 1e9]
                for _ in range(a.rounds):
                    for j, c in enumerate((ours, theirs)):
                        if op == "SET":
                            r, u = rate(lambda i: c.set("bench:%d" % (i % 1000), value), a.n)
                        elif op == "PIPE":
                            r, u = rate(lambda i: pipe100(c, value), a.n // 100)
                            r, u = r * 100, u / 100
                        else:
                            r, u = rate(lambda i: c.get("bench:%d" % (i % 1000)), a.n)
                        best[j] = max(best[j], r)
                        cpu[j] = min(cpu[j], u)
                rows.append((path, op, best[0], best[1], cpu[0], cpu[1]))
                print("%-5s %-4s %12.0f %12.0f %6.2f %8.1f us %8.1f us %6.2f" % (
                    path, op, best[0], best[1], best[0] / best[1], cpu[0], cpu[1],
                    cpu[1] / cpu[0]))
        if a.socket:
            print("shm: diskdb over shared memory; its redis-py column is redis-py on the "
                  "Unix socket")
        print("ratio: diskdb / redis-py ops/s (higher is better); CPU: microseconds of "
              "client CPU per call, ratio redis-py / diskdb (higher is better)")
        for ours, theirs in clients.values():
            ours.close()
            theirs.close()
        return rows
    finally:
        if server:
            server.cleanup()


if __name__ == "__main__":
    main()
