"""Sorted-set commands through redis-py, after Redis's tests/unit/type/zset.tcl."""
import threading
import time

import pytest
import redis


def test_zadd_options_and_scores(r):
    assert r.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert r.zadd("z", {"a": 5}, nx=True) == 0
    assert r.zscore("z", "a") == 1.0
    assert r.zadd("z", {"a": 5, "d": 4}, xx=True, ch=True) == 1
    assert r.zadd("z", {"a": 4}, gt=True, ch=True) == 0
    assert r.zadd("z", {"a": 1}, incr=True) == 6.0
    assert r.zincrby("z", 1.5, "b") == 3.5
    assert r.zmscore("z", ["a", "nope"]) == [6.0, None]
    with pytest.raises(redis.ResponseError, match="not compatible"):
        r.execute_command("ZADD", "z", "NX", "XX", "1", "a")
    with pytest.raises(redis.ResponseError, match="not a valid float"):
        r.execute_command("ZADD", "z", "nan", "x")
    r.zadd("inf", {"x": float("inf")})
    with pytest.raises(redis.ResponseError, match=r"resulting score is not a number \(NaN\)"):
        r.zincrby("inf", float("-inf"), "x")


def test_ranges(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.zrange("z", 0, -1) == ["a", "b", "c", "d"]
    assert r.zrange("z", 0, -1, withscores=True) == [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)]
    assert r.zrevrange("z", 0, 1) == ["d", "c"]
    assert r.zrangebyscore("z", "(1", 3) == ["b", "c"]
    assert r.zrevrangebyscore("z", "+inf", "(2", start=0, num=1) == ["d"]
    assert r.zrange("z", 3, 1, desc=True, byscore=True) == ["c", "b", "a"]
    assert r.zcount("z", 2, "+inf") == 3
    assert r.zrank("z", "c") == 2
    assert r.zrevrank("z", "c") == 1
    assert r.execute_command("ZRANK", "z", "c", "WITHSCORE") == [2, "3"]
    r.zadd("lex", {m: 0 for m in ["alpha", "bar", "cool", "down"]})
    assert r.zrangebylex("lex", "[b", "(d") == ["bar", "cool"]
    assert r.zrevrangebylex("lex", "+", "(cool") == ["down"]
    assert r.zlexcount("lex", "-", "+") == 4
    assert r.zrangestore("dst", "z", 1, 2) == 2
    assert r.zrange("dst", 0, -1) == ["b", "c"]
    with pytest.raises(redis.ResponseError, match="min or max is not a float"):
        r.zrangebyscore("z", "x", 1)
    with pytest.raises(redis.ResponseError, match="min or max not valid string range item"):
        r.zrangebylex("lex", "a", "+")


def test_removal_and_pops(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    assert r.zremrangebyrank("z", 0, 0) == 1
    assert r.zremrangebyscore("z", "(4", "+inf") == 1
    assert r.zpopmin("z") == [("b", 2.0)]
    assert r.zpopmax("z", 2) == [("d", 4.0), ("c", 3.0)]
    assert r.zcard("z") == 0 and r.dbsize() == 0
    r.zadd("z2", {"x": 1, "y": 2})
    assert r.zmpop(1, ["z2"], max=True) == ["z2", [["y", "2"]]]
    assert r.zrandmember("z2") == "x"


def test_set_operations(r):
    r.zadd("a", {"a": 1, "b": 2, "c": 3})
    r.zadd("b", {"b": 1, "c": 2, "d": 3})
    r.sadd("s", "a", "b")
    assert r.zunion(["a", "b"], withscores=True) == [("a", 1.0), ("b", 3.0), ("d", 3.0), ("c", 5.0)]
    assert r.zinter({"a": 2, "b": 3}, withscores=True) == [("b", 7.0), ("c", 12.0)]
    assert r.zdiff(["a", "b"]) == ["a"]
    assert r.zunionstore("dst", ["a", "s"], aggregate="MAX") == 3
    assert r.zinterstore("dst", ["a", "s"]) == 2
    assert r.zrange("dst", 0, -1, withscores=True) == [("a", 2.0), ("b", 3.0)]
    assert r.zintercard(2, ["a", "b"]) == 2
    assert r.zdiffstore("dst", ["a", "a"]) == 0


def test_zscan_iter(r):
    r.zadd("z", {f"k{i}": i for i in range(300)})
    got = dict(r.zscan_iter("z", count=25))
    assert len(got) == 300 and got["k42"] == 42.0


def test_bzpopmin_serves_waiters_in_order(server):
    results = []

    def waiter(name):
        c = server.client()
        results.append((name, c.bzpopmin("q", timeout=5)))

    t1 = threading.Thread(target=waiter, args=("first",))
    t1.start()
    time.sleep(0.2)
    t2 = threading.Thread(target=waiter, args=("second",))
    t2.start()
    time.sleep(0.2)
    c = server.client()
    c.zadd("q", {"m1": 1})
    t1.join(5)
    c.zadd("q", {"m2": 2})
    t2.join(5)
    assert results == [("first", ("q", "m1", 1.0)), ("second", ("q", "m2", 2.0))]
    start = time.time()
    assert c.bzpopmin("nothing", timeout=0.2) is None
    assert time.time() - start >= 0.18


def test_zsets_survive_kill9():
    from conftest import Server
    s = Server("--appendfsync", "always")
    try:
        c = s.client()
        c.zadd("z", {"a": 1.5, "b": float("-inf")})
        s.kill9()
        s.start()
        c = s.client()
        assert c.zrange("z", 0, -1, withscores=True) == [("b", float("-inf")), ("a", 1.5)]
    finally:
        s.close()
