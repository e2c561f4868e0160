"""List commands through redis-py against the real diskdb binary."""
import threading
import time

import pytest
import redis

from conftest import Server


def test_push_pop_range(r):
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lpush("l", "z") == 4
    assert r.lrange("l", 0, -1) == ["z", "a", "b", "c"]
    assert r.llen("l") == 4
    assert r.lindex("l", -1) == "c"
    assert r.lindex("l", 10) is None
    assert r.lpop("l") == "z"
    assert r.rpop("l", 2) == ["c", "b"]
    assert r.lpop("l", 0) == []
    assert r.rpop("l") == "a"
    assert r.lpop("l") is None
    assert r.lpop("l", 3) is None
    assert r.lpushx("l", "x") == 0
    assert r.rpushx("l", "x") == 0
    assert r.llen("l") == 0


def test_pop_count_errors(r):
    r.rpush("l", "a")
    for bad in (-1, "x"):
        with pytest.raises(redis.ResponseError, match="value is out of range, must be positive"):
            r.lpop("l", bad)


def test_lset_linsert_lrem_ltrim(r):
    r.rpush("l", "a", "b", "c", "b", "d")
    assert r.lset("l", 1, "B") is True
    with pytest.raises(redis.ResponseError, match="^index out of range$"):
        r.lset("l", 5, "x")
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.lset("nokey", 0, "x")
    assert r.linsert("l", "BEFORE", "c", "x") == 6
    assert r.linsert("l", "AFTER", "d", "y") == 7
    assert r.linsert("l", "AFTER", "nope", "y") == -1
    assert r.lrange("l", 0, -1) == ["a", "B", "x", "c", "b", "d", "y"]
    assert r.lrem("l", 0, "b") == 1
    assert r.lrem("l", -1, "y") == 1
    assert r.lrange("l", 0, -1) == ["a", "B", "x", "c", "d"]
    assert r.ltrim("l", 1, -2) is True
    assert r.lrange("l", 0, -1) == ["B", "x", "c"]
    assert r.ltrim("l", 5, 10) is True
    assert r.llen("l") == 0


def test_lpos(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.lpos("l", "c") == 2
    assert r.lpos("l", "c", rank=-1) == 7
    assert r.lpos("l", "c", count=0) == [2, 6, 7]
    assert r.lpos("l", "c", rank=2, count=0) == [6, 7]
    assert r.lpos("l", "c", count=0, maxlen=3) == [2]
    assert r.lpos("l", "x") is None
    with pytest.raises(redis.ResponseError, match="RANK can't be zero"):
        r.lpos("l", "c", rank=0)
    with pytest.raises(redis.ResponseError, match="COUNT can't be negative"):
        r.lpos("l", "c", count=-1)
    with pytest.raises(redis.ResponseError, match="MAXLEN can't be negative"):
        r.lpos("l", "c", maxlen=-1)


def test_lmove_rpoplpush_lmpop(r):
    r.rpush("src", "a", "b", "c")
    assert r.lmove("src", "dst", "LEFT", "RIGHT") == "a"
    assert r.rpoplpush("src", "dst") == "c"
    assert r.lrange("dst", 0, -1) == ["c", "a"]
    assert r.lmove("nosrc", "dst") is None
    assert r.lmpop(2, "nokey", "dst", direction="RIGHT", count=5) == ["dst", ["a", "c"]]
    assert r.lmpop(1, "dst", direction="LEFT") is None
    with pytest.raises(redis.ResponseError, match="numkeys should be greater than 0"):
        r.execute_command("LMPOP", 0, "x", "LEFT")
    with pytest.raises(redis.ResponseError, match="count should be greater than 0"):
        r.execute_command("LMPOP", 1, "x", "LEFT", "COUNT", 0)


def test_wrongtype(r):
    r.set("s", "v")
    for call in (lambda: r.lpush("s", "a"), lambda: r.lrange("s", 0, -1), lambda: r.llen("s"),
                 lambda: r.blpop(["s"], 1)):
        with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
            call()


def test_blpop_served_by_push_from_another_client(server, r):
    other = server.client()
    got = {}

    def waiter():
        got["v"] = other.blpop(["q1", "q2"], timeout=5)

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.2)
    r.rpush("q2", "hello")
    t.join(5)
    assert got["v"] == ("q2", "hello") or got["v"] == ["q2", "hello"]
    assert r.llen("q2") == 0


def test_blocking_timeouts(r):
    start = time.time()
    assert r.blpop(["empty"], timeout=0.1) is None
    assert time.time() - start >= 0.09
    assert r.brpoplpush("empty", "dst", timeout=0.1) is None
    assert r.blmove("empty", "dst", 0.1, "LEFT", "RIGHT") is None
    assert r.blmpop(0.1, 1, "empty", direction="LEFT") is None
    with pytest.raises(redis.ResponseError, match="timeout is negative"):
        r.blpop(["empty"], timeout=-1)


def test_blocking_in_pipeline_transaction_does_not_block(r):
    r.rpush("x", "1")
    pipe = r.pipeline(transaction=True)
    pipe.blpop(["x"], 0)
    pipe.blpop(["x"], 0)
    start = time.time()
    res = pipe.execute()
    assert time.time() - start < 2
    assert res[1] is None
    assert list(res[0]) == ["x", "1"]


def test_big_list_far_end(r):
    pipe = r.pipeline(transaction=False)
    for i in range(100):
        pipe.rpush("big", *range(i * 1000, (i + 1) * 1000))
    pipe.execute()
    assert r.llen("big") == 100_000
    start = time.time()
    assert r.lindex("big", -1) == "99999"
    assert r.lrange("big", -3, -1) == ["99997", "99998", "99999"]
    took = time.time() - start
    print("far-end reads on a 100k list: %.4fs" % took)
    assert took < 1.0
    assert r.delete("big") == 1
    assert r.llen("big") == 0


def test_persistence_after_restart_and_kill9():
    server = Server("--appendfsync", "always")
    try:
        c = server.client()
        c.rpush("keep", "a", "b", "c")
        c.lpop("keep")
        c.linsert("keep", "BEFORE", "c", "x")
        server.restart()
        c = server.client()
        assert c.lrange("keep", 0, -1) == ["b", "x", "c"]
        c.rpush("keep", "d")
        server.kill9()
        server.start()
        c = server.client()
        assert c.lrange("keep", 0, -1) == ["b", "x", "c", "d"]
    finally:
        server.close()
