#!/usr/bin/env python3
"""Crash loop: start DiskDB, load it from several clients with writes of every type, kill -9
at a random moment, restart, and check the data against a model kept by the load.

Each client owns its keys (prefix `c<N>:`) and runs one operation at a time, so its model
is exact: after a restart every key of a client must equal the model after its last
acknowledged operation, or, for the one operation in flight at the kill, the model with
that whole operation applied; never a part of it (a MULTI/EXEC block or a script is one
operation). Operations: strings with and without TTLs, INCRBY, lists, hashes, sets,
sorted sets, streams with a consumer group (XADD, XREADGROUP, XACK), JSON, MULTI/EXEC
blocks over several types, and Lua scripts that write several keys.

    python3 benches/crash_loop.py [--cycles 100] [--clients 4] [--appendfsync always]

Prints one line per cycle and a summary; exits 1 on the first violation. DISKDB_BIN picks
the binary. `tests/python/test_crash_loop.py` runs a few cycles in `make test`.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import redis

SCRIPT = """
redis.call('SET', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], 'script', ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[2], 'script')
return 1
"""


def binary():
    if os.environ.get("DISKDB_BIN"):
        return os.environ["DISKDB_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/diskdb/target"))
    return os.path.join(target, "release", "diskdb")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, appendfsync):
        self.dir = tempfile.mkdtemp(prefix="diskdb-crash-")
        self.port = free_port()
        self.appendfsync = appendfsync
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [binary(), "--port", str(self.port), "--dir", os.path.join(self.dir, "data"), "--loglevel", "warning",
             "--appendfsync", self.appendfsync],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("diskdb exited with %s" % self.proc.returncode)
            try:
                if redis.Redis(port=self.port, socket_timeout=5).info("server").get("process_id") == self.proc.pid:
                    return
            except (redis.ConnectionError, redis.TimeoutError):
                time.sleep(0.02)
        raise RuntimeError("diskdb did not become ready")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Model:
    """What one client's keys hold: plain Python values per key."""

    def __init__(self, prefix):
        self.p = prefix
        self.n = 0          # operations acknowledged
        self.strings = {}   # key -> str
        self.ttl_keys = set()
        self.lists = {}     # key -> [str]
        self.hashes = {}    # key -> {field: str}
        self.sets = {}      # key -> set
        self.zsets = {}     # key -> {member: float}
        self.stream = []    # [(id, value)]
        self.delivered = 0  # entries delivered to the group
        self.pending = []   # ids delivered and not acknowledged
        self.json = None

    def copy(self):
        m = Model(self.p)
        m.n = self.n
        m.strings = dict(self.strings)
        m.ttl_keys = set(self.ttl_keys)
        m.lists = {k: list(v) for k, v in self.lists.items()}
        m.hashes = {k: dict(v) for k, v in self.hashes.items()}
        m.sets = {k: set(v) for k, v in self.sets.items()}
        m.zsets = {k: dict(v) for k, v in self.zsets.items()}
        m.stream = list(self.stream)
        m.delivered = self.delivered
        m.pending = list(self.pending)
        m.json = json.loads(json.dumps(self.json))
        return m

    def keys(self):
        p = self.p
        return [p + "s%d" % i for i in range(4)] + [p + "t%d" % i for i in range(2)] + [p + "cnt", p + "l", p + "h",
                                                                                         p + "set", p + "z", p + "x",
                                                                                         p + "j", p + "sl", p + "sh", p + "sz"]


class Op:
    """One operation: `send(pipe_or_client)` runs it; `apply(model)` is its effect."""

    def __init__(self, kind, run, apply):
        self.kind, self.run, self.apply = kind, run, apply


def make_op(rng, m):
    n = m.n + 1
    p = m.p
    v = "v%d" % n
    choice = rng.randrange(12)
    if choice == 0:
        k = p + "s%d" % rng.randrange(4)
        return Op("set", lambda r: r.set(k, v), lambda mm: mm.strings.__setitem__(k, v))
    if choice == 1:
        k = p + "t%d" % rng.randrange(2)

        def apply(mm):
            mm.strings[k] = v
            mm.ttl_keys.add(k)
        return Op("set-px", lambda r: r.set(k, v, px=10_000_000), apply)
    if choice == 2:
        k = p + "cnt"
        return Op("incrby", lambda r: r.incrby(k, 3),
                  lambda mm: mm.strings.__setitem__(k, str(int(mm.strings.get(k, "0")) + 3)))
    if choice == 3:
        k = p + "l"
        return Op("rpush", lambda r: r.rpush(k, v), lambda mm: mm.lists.setdefault(k, []).append(v))
    if choice == 4:
        k, f = p + "h", "f%d" % rng.randrange(8)
        return Op("hset", lambda r: r.hset(k, f, v), lambda mm: mm.hashes.setdefault(k, {}).__setitem__(f, v))
    if choice == 5:
        k = p + "set"
        return Op("sadd", lambda r: r.sadd(k, v), lambda mm: mm.sets.setdefault(k, set()).add(v))
    if choice == 6:
        k, member = p + "z", "m%d" % rng.randrange(8)
        return Op("zadd", lambda r: r.zadd(k, {member: n}), lambda mm: mm.zsets.setdefault(k, {}).__setitem__(member, float(n)))
    if choice == 7:
        k, sid = p + "x", "%d-1" % n

        def apply(mm):
            mm.stream.append((sid, v))
        return Op("xadd", lambda r: r.xadd(k, {"f": v}, id=sid), apply)
    if choice == 8 and m.stream and m.delivered < len(m.stream):
        k = p + "x"
        sid = m.stream[m.delivered][0]

        def apply(mm):
            mm.delivered += 1
            mm.pending.append(sid)
        return Op("xreadgroup", lambda r: r.xreadgroup("g", "c", {k: ">"}, count=1), apply)
    if choice == 9 and m.pending:
        k, sid = p + "x", m.pending[0]
        return Op("xack", lambda r: r.xack(k, "g", sid), lambda mm: mm.pending.remove(sid))
    if choice == 10:
        k = p + "j"

        def run(r):
            if m.json is None:
                r.execute_command("JSON.SET", k, "$", json.dumps({"n": n, "a": [v]}))
            else:
                r.execute_command("JSON.SET", k, "$.n", n)
                r.execute_command("JSON.ARRAPPEND", k, "$.a", json.dumps(v))

        def apply(mm):
            if mm.json is None:
                mm.json = {"n": n, "a": [v]}
            else:
                mm.json["n"] = n
                mm.json["a"].append(v)
        if m.json is None:
            return Op("json", run, apply)
        # Two commands: made one operation by MULTI.
        return Op("json-multi", lambda r: multi(r, run), apply)
    if choice == 11 and rng.random() < 0.5:
        keys = [p + "sl", p + "l", p + "sh", p + "sz"]

        def apply(mm):
            mm.strings[keys[0]] = v
            mm.lists.setdefault(keys[1], []).append(v)
            mm.hashes.setdefault(keys[2], {})["script"] = v
            mm.zsets.setdefault(keys[3], {})["script"] = float(n)
        return Op("script", lambda r: run_script(r, keys, v, n), apply)
    # A MULTI/EXEC block over several types.
    ks, kl, kh, kz = p + "s%d" % rng.randrange(4), p + "l", p + "h", p + "z"

    def run_block(r):
        def body(pipe):
            pipe.set(ks, v)
            pipe.rpush(kl, v)
            pipe.hset(kh, "multi", v)
            pipe.zadd(kz, {"multi": n})
        multi(r, body)

    def apply(mm):
        mm.strings[ks] = v
        mm.lists.setdefault(kl, []).append(v)
        mm.hashes.setdefault(kh, {})["multi"] = v
        mm.zsets.setdefault(kz, {})["multi"] = float(n)
    return Op("multi", run_block, apply)


def run_script(r, keys, v, n):
    return r.eval(SCRIPT, 4, *keys, v, n)


def multi(r, body):
    pipe = r.pipeline(transaction=True)
    body(pipe)
    res = pipe.execute()
    for x in res:
        if isinstance(x, Exception):
            raise x
    return res


def read_state(r, m):
    """What the server holds for the keys of model `m`, as a model."""
    s = Model(m.p)
    for k in m.keys():
        t = r.type(k)
        if t == "none":
            continue
        if t == "string":
            s.strings[k] = r.get(k)
            if r.pttl(k) > 0:
                s.ttl_keys.add(k)
        elif t == "list":
            s.lists[k] = r.lrange(k, 0, -1)
        elif t == "hash":
            s.hashes[k] = r.hgetall(k)
        elif t == "set":
            s.sets[k] = set(r.smembers(k))
        elif t == "zset":
            s.zsets[k] = dict(r.zrange(k, 0, -1, withscores=True))
        elif t == "stream":
            s.stream = [(eid, f["f"]) for eid, f in r.xrange(k)]
            groups = r.xinfo_groups(k)
            if groups:
                last = groups[0]["last-delivered-id"]
                ids = [eid for eid, _ in s.stream]
                s.delivered = ids.index(last) + 1 if last in ids else 0
                s.pending = [e["message_id"] for e in r.xpending_range(k, "g", "-", "+", 10_000)]
        elif t in ("ReJSON-RL", "json"):
            s.json = json.loads(r.execute_command("JSON.GET", k))
        else:
            raise AssertionError("unexpected type %s for %s" % (t, k))
    return s


def same(a, b):
    return (a.strings == b.strings and a.ttl_keys == b.ttl_keys and a.lists == b.lists and a.hashes == b.hashes
            and a.sets == b.sets and a.zsets == b.zsets and a.stream == b.stream and a.delivered == b.delivered
            and a.pending == b.pending and a.json == b.json)


def diff(a, b):
    out = []
    for f in ("strings", "ttl_keys", "lists", "hashes", "sets", "zsets", "stream", "delivered", "pending", "json"):
        if getattr(a, f) != getattr(b, f):
            out.append("%s: server %r, model %r" % (f, getattr(a, f), getattr(b, f)))
    return "; ".join(out)


def client_loop(port, model, rng, stop, inflight, counters):
    r = redis.Redis(port=port, decode_responses=True, socket_timeout=30)
    while not stop.is_set():
        op = make_op(rng, model)
        after = model.copy()
        op.apply(after)
        after.n += 1
        inflight[model.p] = after
        try:
            op.run(r)
        except (redis.ConnectionError, redis.TimeoutError, ConnectionResetError, BrokenPipeError, OSError):
            return  # the server died with this operation in flight
        # Acknowledged: the model moves on.
        for f in ("n", "strings", "ttl_keys", "lists", "hashes", "sets", "zsets", "stream", "delivered", "pending", "json"):
            setattr(model, f, getattr(after, f))
        inflight[model.p] = None
        counters[0] += 1


def setup_groups(port, models):
    r = redis.Redis(port=port, decode_responses=True)
    for m in models:
        try:
            r.xgroup_create(m.p + "x", "g", id="0", mkstream=True)
        except redis.ResponseError:
            pass


def run(cycles=100, clients=4, appendfsync="always", seed=None, min_ms=50, max_ms=1500, log=print):
    seed = seed if seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    server = Server(appendfsync)
    models = [Model("c%d:" % i) for i in range(clients)]
    total_ops, checked_keys = 0, 0
    started = time.time()
    try:
        server.start()
        setup_groups(server.port, models)
        for cycle in range(1, cycles + 1):
            stop = threading.Event()
            inflight = {m.p: None for m in models}
            counters = [0]
            threads = [threading.Thread(target=client_loop,
                                        args=(server.port, m, random.Random(rng.randrange(1 << 30)), stop, inflight, counters))
                       for m in models]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(min_ms, max_ms) / 1000.0)
            server.kill9()
            stop.set()
            for t in threads:
                t.join(timeout=60)
            server.start()
            r = redis.Redis(port=server.port, decode_responses=True, socket_timeout=30)
            for m in models:
                state = read_state(r, m)
                pending = inflight[m.p]
                if same(state, m):
                    pass
                elif pending is not None and same(state, pending):
                    # The operation in flight was applied whole: it becomes the model.
                    for f in ("n", "strings", "ttl_keys", "lists", "hashes", "sets", "zsets", "stream", "delivered",
                              "pending", "json"):
                        setattr(m, f, getattr(pending, f))
                else:
                    raise AssertionError("cycle %d, client %s (seed %d): %s" % (cycle, m.p, seed, diff(state, m)))
                checked_keys += len(m.keys())
            total_ops += counters[0]
            log("cycle %3d: %5d acknowledged operations, state verified (%d clients)" % (cycle, counters[0], clients))
        elapsed = time.time() - started
        log("crash loop: %d cycles, %d acknowledged operations, %d key checks, 0 lost, 0 half-applied, "
            "appendfsync %s, seed %d, %.0f s" % (cycles, total_ops, checked_keys, appendfsync, seed, elapsed))
        return total_ops
    finally:
        server.stop()
        server.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--appendfsync", default="always", choices=["always", "everysec", "no"])
    ap.add_argument("--seed", type=int)
    a = ap.parse_args()
    try:
        run(a.cycles, a.clients, a.appendfsync, a.seed)
    except AssertionError as e:
        print("VIOLATION:", e)
        sys.exit(1)


if __name__ == "__main__":
    main()
