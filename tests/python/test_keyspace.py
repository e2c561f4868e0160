"""Keyspace commands through redis-py, against the real server.

Covers the redis-py helpers people use for these commands (scan_iter, expire with
options, copy, move, swapdb, dump/restore, object) and checks the replies have the
shapes redis-py expects. Collection cases skip themselves until their commands exist.
"""
import time

import pytest
import redis

from conftest import Server


def _probe(r, name):
    """Whether the server knows command `name` yet."""
    try:
        r.execute_command(name)
    except redis.ResponseError as e:
        return not str(e).startswith("unknown command")
    return True


def test_del_exists_type_touch(r):
    r.set("a", "1")
    r.set("b", "2")
    assert r.exists("a", "b", "a", "nope") == 3
    assert r.type("a") == "string"
    assert r.type("nope") == "none"
    assert r.touch("a", "nope") == 1
    assert r.delete("a", "nope") == 1
    assert r.unlink("b") == 1
    assert r.dbsize() == 0


def test_expire_ttl_persist(r):
    r.set("k", "v")
    assert r.ttl("k") == -1
    assert r.pttl("nope") == -2
    assert r.expire("k", 100) is True
    assert r.ttl("k") == 100
    assert 99000 < r.pttl("k") <= 100000
    assert r.expire("k", 50, nx=True) is False
    assert r.expire("k", 50, gt=True) is False
    assert r.expire("k", 50, lt=True) is True
    assert r.expire("k", 200, xx=True) is True
    assert r.expiretime("k") == pytest.approx(int(time.time()) + 200, abs=2)
    at = int(time.time() * 1000) + 30000
    assert r.pexpireat("k", at) is True
    assert r.pexpiretime("k") == at
    assert r.persist("k") is True
    assert r.persist("k") is False
    assert r.ttl("k") == -1
    assert r.pexpire("k", 0) is True
    assert r.exists("k") == 0


def test_expire_errors(r):
    r.set("foo", "bar")
    with pytest.raises(redis.ResponseError, match="invalid expire time in 'expire' command"):
        r.expire("foo", 10000000000000000)
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.execute_command("EXPIRE", "foo", "")
    with pytest.raises(redis.ResponseError, match="NX and XX, GT or LT options"):
        r.execute_command("EXPIRE", "foo", "10", "NX", "LT")
    with pytest.raises(redis.ResponseError, match="GT and LT options"):
        r.execute_command("EXPIRE", "foo", "10", "GT", "LT")
    with pytest.raises(redis.ResponseError, match="Unsupported option XY"):
        r.execute_command("EXPIRE", "foo", "10", "XY")


def test_keys_and_scan_iter(r):
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"user:{i}", i)
        pipe.set(f"item:{i}", i)
    pipe.execute()
    assert len(r.keys("user:*")) == 500
    assert sorted(r.keys("user:1?")) == sorted(f"user:{i}" for i in range(10, 20))
    seen = list(r.scan_iter(match="item:*", count=7))
    assert len(seen) == 500 and len(set(seen)) == 500
    assert len(set(r.scan_iter(_type="string"))) == 1000
    assert list(r.scan_iter(_type="hash")) == []
    cursor, page = r.scan(0, count=10)
    assert cursor != 0 and len(page) == 10
    with pytest.raises(redis.ResponseError, match="invalid cursor"):
        r.scan("nonsense")


def test_scan_keys_present_throughout_are_returned_under_writes(r):
    for i in range(200):
        r.set(f"stable:{i}", i)
    found = set()
    cursor = 0
    n = 0
    while True:
        cursor, page = r.scan(cursor, count=13)
        found.update(page)
        for _ in range(5):
            n += 1
            r.set(f"churn:{n}", n)
            r.delete(f"churn:{n - 3}")
        if cursor == 0:
            break
    assert {f"stable:{i}" for i in range(200)} <= found


def test_randomkey(r):
    assert r.randomkey() is None
    for i in range(20):
        r.set(f"k{i}", i)
    picks = {r.randomkey() for _ in range(400)}
    assert picks <= {f"k{i}" for i in range(20)}
    assert len(picks) >= 10


def test_rename_copy_move_swapdb(server, r):
    r.set("src", "v")
    r.expire("src", 100)
    assert r.rename("src", "dst") is True
    assert r.ttl("dst") == 100
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.rename("src", "x")
    assert r.renamenx("dst", "dst") is False
    assert r.copy("dst", "cpy") is True
    assert r.copy("dst", "cpy") is False
    assert r.copy("dst", "cpy", replace=True) is True
    assert r.copy("dst", "other", destination_db=3) is True
    assert r.move("cpy", 3) is True
    r3 = server.client(db=3)
    assert sorted(r3.keys()) == ["cpy", "other"]
    assert r3.ttl("other") == 100
    assert r.swapdb(0, 3) is True
    assert sorted(r.keys()) == ["cpy", "other"]
    assert sorted(r3.keys()) == ["dst"]
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.move("dst", 99)


def test_object_subcommands(r):
    r.set("i", 42)
    r.set("s", "hello")
    r.set("big", "x" * 100)
    assert r.object("encoding", "i") == "int"
    assert r.object("encoding", "s") == "embstr"
    assert r.object("encoding", "big") == "raw"
    assert r.object("encoding", "missing") is None
    assert r.object("refcount", "s") == 1
    assert r.object("idletime", "s") == 0
    with pytest.raises(redis.ResponseError, match="LFU maxmemory policy is not selected"):
        r.object("freq", "s")
    helptext = r.execute_command("OBJECT", "HELP")
    assert helptext[0].startswith("OBJECT <subcommand>")


def test_dump_restore_between_two_servers(server):
    other = Server()
    try:
        a = server.client(decode_responses=False)
        b = other.client(decode_responses=False)
        a.set("s", b"\x00\xffbinary")
        payloads = {"s": (a.dump("s"), lambda c, k: c.get(k))}
        if _probe(a, "rpush"):
            a.rpush("l", "x", "y", "z")
            payloads["l"] = (a.dump("l"), lambda c, k: c.lrange(k, 0, -1))
        if _probe(a, "hset"):
            a.hset("h", mapping={"f1": "v1", "f2": "v2"})
            payloads["h"] = (a.dump("h"), lambda c, k: c.hgetall(k))
        if _probe(a, "sadd"):
            a.sadd("st", "m1", "m2")
            payloads["st"] = (a.dump("st"), lambda c, k: c.smembers(k))
        if _probe(a, "zadd"):
            a.zadd("z", {"a": 1.5, "b": 2})
            payloads["z"] = (a.dump("z"), lambda c, k: c.zrange(k, 0, -1, withscores=True))
        for key, (payload, read) in payloads.items():
            assert b.restore(key, 0, payload) == b"OK"
            assert read(b, key) == read(a, key), key
            with pytest.raises(redis.ResponseError, match="BUSYKEY"):
                b.restore(key, 0, payload)
            assert b.restore(key, 5000, payload, replace=True) == b"OK"
            assert 4000 < b.pttl(key) <= 5000
        with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
            b.restore("bad", 0, b"not a payload")
    finally:
        other.close()


def test_ttls_and_swapdb_survive_restart(server):
    r = server.client()
    r.set("t", "v")
    r.expire("t", 300)
    r.set("p", "v")
    r.swapdb(0, 1)
    server.restart()
    r = server.client(db=1)
    assert 295 <= r.ttl("t") <= 300
    assert r.ttl("p") == -1
    assert server.client(db=0).dbsize() == 0


def test_active_expiry_keeps_dbsize(r):
    for i in range(100):
        r.set(f"v{i}", i)
        r.pexpire(f"v{i}", 200)
    r.set("stay", 1)
    deadline = time.time() + 10
    while r.dbsize() != 1:
        assert time.time() < deadline, r.dbsize()
        time.sleep(0.1)
    assert r.keys() == ["stay"]
