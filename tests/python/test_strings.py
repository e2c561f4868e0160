"""String and bitmap commands through redis-py, the way applications call them."""
import threading
import time

import pytest
import redis


def test_set_get_with_options(r):
    assert r.set("k", "v") is True
    assert r.get("k") == "v"
    assert r.set("k", "w", nx=True) is None
    assert r.set("k", "w", xx=True) is True
    assert r.set("k", "x", get=True) == "w"
    assert r.set("k", "y", ex=100) is True
    ttl = _pttl(r, "k")
    assert ttl is None or 90_000 < ttl <= 100_000
    assert r.set("k", "z", keepttl=True) is True
    assert r.get("k") == "z"
    assert r.set("gone", "v", px=50)
    time.sleep(0.12)
    assert r.get("gone") is None


def _pttl(r, key):
    """PTTL, or None while the keyspace commands are not in this build."""
    try:
        return r.pttl(key)
    except redis.ResponseError:
        return None


def test_set_option_errors(r):
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("SET", "k", "v", "NX", "XX")
    with pytest.raises(redis.ResponseError, match="invalid expire time in 'set' command"):
        r.set("k", "v", ex=0)
    with pytest.raises(redis.ResponseError, match="not an integer or out of range"):
        r.execute_command("SET", "k", "v", "EX", "ten")
    assert r.get("k") is None


def test_getex_getdel_getset(r):
    r.set("k", "v")
    assert r.getex("k", px=100) == "v"
    time.sleep(0.2)
    assert r.get("k") is None
    r.set("k", "v", px=100)
    assert r.getex("k", persist=True) == "v"
    time.sleep(0.2)
    assert r.getdel("k") == "v"
    assert r.getdel("k") is None
    assert r.getset("k", "1") is None
    assert r.getset("k", "2") == "1"


def test_mset_mget_msetnx(r):
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget("a", "b", "c") == ["1", "2", None]
    assert r.msetnx({"c": "3", "a": "x"}) is False
    assert r.get("c") is None
    assert r.msetnx({"c": "3", "d": "4"}) is True
    assert r.mget(["c", "d"]) == ["3", "4"]


def test_counters(r):
    assert r.incr("n") == 1
    assert r.incrby("n", 10) == 11
    assert r.decr("n") == 10
    assert r.decrby("n", 5) == 5
    assert r.incrbyfloat("f", 10.5) == 10.5
    assert r.incrbyfloat("f", 0.1) == pytest.approx(10.6)
    assert r.get("f") == "10.6"
    r.set("s", "abc")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.incr("s")
    with pytest.raises(redis.ResponseError, match="not a valid float"):
        r.incrbyfloat("s", 1)
    r.set("max", 2**63 - 1)
    with pytest.raises(redis.ResponseError, match="increment or decrement would overflow"):
        r.incr("max")


def test_concurrent_incr_is_exact(server):
    def work():
        c = server.client()
        for _ in range(100):
            c.incr("counter")
        c.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.client().get("counter") == "2000"


def test_ranges(r):
    assert r.append("s", "Hello") == 5
    assert r.append("s", " World") == 11
    assert r.strlen("s") == 11
    assert r.getrange("s", 0, 4) == "Hello"
    assert r.getrange("s", -5, -1) == "World"
    assert r.substr("s", 6) == "World"
    assert r.setrange("s", 6, "Redis") == 11
    assert r.get("s") == "Hello Redis"
    assert r.setrange("p", 3, "x") == 4
    assert r.get("p") == "\x00\x00\x00x"


def test_lcs(r):
    r.mset({"key1": "ohmytext", "key2": "mynewtext"})
    assert r.lcs("key1", "key2") == "mytext"
    assert r.lcs("key1", "key2", len=True) == 6
    res = r.lcs("key1", "key2", idx=True, minmatchlen=4, withmatchlen=True)
    assert res == ["matches", [[[4, 7], [5, 8], 4]], "len", 6]


def test_bitmaps(server):
    r = server.client(decode_responses=False)
    assert r.setbit("b", 7, 1) == 0
    assert r.getbit("b", 7) == 1
    assert r.get("b") == b"\x01"
    r.set("foobar", "foobar")
    assert r.bitcount("foobar") == 26
    assert r.bitcount("foobar", 1, 1) == 6
    assert r.bitcount("foobar", 5, 30, "BIT") == 17
    r.set("p", b"\x00\xff\xf0")
    assert r.bitpos("p", 1) == 8
    assert r.bitpos("p", 1, 2) == 16
    assert r.bitpos("p", 0, 1, -1) == 20
    r.set("x", b"\xaa")
    r.set("y", b"\x0f\xff")
    assert r.bitop("AND", "and", "x", "y") == 2
    assert r.get("and") == b"\x0a\x00"
    assert r.bitop("NOT", "not", "x") == 1
    assert r.get("not") == b"\x55"
    with pytest.raises(redis.ResponseError, match="bit offset is not an integer or out of range"):
        r.setbit("b", -1, 1)


def test_bitfield(server):
    r = server.client()
    bf = r.bitfield("bf")
    res = bf.set("u8", 0, 255).incrby("u8", 0, 10).get("i8", 0).execute()
    assert res == [0, 9, 9]
    res = r.bitfield("bf").overflow("FAIL").incrby("u8", 0, 300).execute()
    assert res == [None]
    res = r.bitfield("bf").overflow("SAT").incrby("i8", "#0", 200).execute()
    assert res == [127]
    assert r.bitfield_ro("bf", "u8", 0) == [127]
    with pytest.raises(redis.ResponseError, match="Invalid bitfield type"):
        r.bitfield("bf").get("u64", 0).execute()


def test_strings_survive_restart(server):
    r = server.client()
    r.set("a", "1", ex=3600)
    r.incrbyfloat("f", 2.5)
    r.setbit("bits", 3, 1)
    r.close()
    server.restart()
    r = server.client()
    assert r.get("a") == "1"
    assert r.get("f") == "2.5"
    assert r.getbit("bits", 3) == 1
