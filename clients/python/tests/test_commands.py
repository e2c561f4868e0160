"""Every typed method against the real server, in RESP2 and RESP3 (the ``r`` fixture)."""
import datetime
import time

import pytest

import diskdb
from diskdb import DiskDB, DiskDBError, TypeMismatchError


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def r(request, server):
    c = server.client(protocol=request.param)
    c.flushall()
    yield c
    c.close()


def test_promised_api(r):
    # The calls of the product's clients.md, exactly as written there.
    assert r.set("k", "v") is True
    assert r.get("k") == "v" and isinstance(r.get("k"), str)
    assert r.get("missing") is None
    assert r.incr("n") == 1
    assert r.incr("n", 10) == 11
    assert r.incr("n", -100) == -89
    assert r.expire("k", 100) is True
    assert r.lpush("queue", "a", "b") == 2
    jobs = []
    while job := r.rpop("queue"):
        jobs.append(job)
    assert jobs == ["a", "b"]
    assert r.sadd("s", "x", "y") == 2
    assert r.sismember("s", "x") is True and r.sismember("s", "z") is False
    assert r.smembers("s") == {"x", "y"}
    r.hset("h", "f", "v")
    assert r.hgetall("h") == {"f": "v"}
    assert r.zadd("scores", {"alice": 2500, "bob": 1800}) == 2
    pairs = r.zrange("scores", 0, 2, withscores=True)
    assert pairs == [("bob", 1800.0), ("alice", 2500.0)]
    for player, score in pairs:
        assert isinstance(player, str) and isinstance(score, float)
    r.json_set("user", "$", {"name": "Alice", "address": {"city": "NYC"},
                             "interests": ["a", "b"]})
    assert r.json_get("user", "$.address.city") == "NYC"
    assert r.json_get("user", "$.interests") == ["a", "b"]
    assert r.json_get("user", "$.nothing") is None
    assert r.json_get("user", "$..city") == "NYC"
    r.json_set("many", "$", {"a": {"x": 1}, "b": {"x": 2}})
    assert r.json_get("many", "$..x") == [1, 2]
    sid = r.xadd("events", {"action": "login", "ip": "192.168.1.1"})
    assert isinstance(sid, str) and "-" in sid
    assert r.xrange("events", "-", "+", count=10) == [(sid, {"action": "login",
                                                             "ip": "192.168.1.1"})]
    assert [r.type(k) for k in ("k", "queue", "s", "h", "scores", "user", "events", "no")] == \
        ["string", "none", "set", "hash", "zset", "json", "stream", "none"]
    assert r.exists("k", "s", "nope") == 2
    assert r.delete("k", "s", "nope") == 2
    with pytest.raises(TypeMismatchError):
        r.lpush("h", "x")


def test_strings(r):
    assert r.set("a", "1", nx=True) is True
    assert r.set("a", "2", nx=True) is None
    assert r.set("b", "1", xx=True) is None
    assert r.set("a", "3", xx=True, ex=100) is True
    assert 0 < r.ttl("a") <= 100
    assert r.set("a", "4", keepttl=True) is True and r.ttl("a") > 0
    assert r.set("a", "5", get=True) == "4"
    assert r.set("p", "x", px=100000) is True and r.pttl("p") > 1000
    assert r.mset({"m1": "a", "m2": "b"}) is True
    assert r.mget("m1", "m2", "nope") == ["a", "b", None]
    assert r.mget(["m1", "m2"]) == ["a", "b"]
    assert r.decr("c") == -1 and r.decr("c", 5) == -6
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.append("s", "hello") == 5 and r.append("s", " world") == 11
    assert r.strlen("s") == 11
    assert r.getrange("s", 0, 4) == "hello"
    assert r.setrange("s", 6, "WORLD") == 11 and r.get("s") == "hello WORLD"
    assert r.getdel("s") == "hello WORLD" and r.get("s") is None
    r.set("g", "v")
    assert r.getex("g", ex=50) == "v" and r.ttl("g") > 0
    assert r.getex("g", persist=True) == "v" and r.ttl("g") == -1
    assert r.setnx("g", "w") is False and r.setnx("g2", "w") is True
    assert r.setex("e", 60, "v") is True and 0 < r.ttl("e") <= 60
    assert r.set("td", "v", ex=datetime.timedelta(minutes=2)) and 60 < r.ttl("td") <= 120
    assert r.expire("td", datetime.timedelta(hours=1)) and 3000 < r.ttl("td") <= 3600
    assert r.pexpire("td", datetime.timedelta(seconds=50)) and 40000 < r.pttl("td") <= 50000
    assert r.msetnx({"n1": "1"}) is True and r.msetnx({"n1": "2", "n9": "3"}) is False
    r.set("i", 3)
    assert r.get("i") == "3"
    r.set("fl", 1.25)
    assert r.get("fl") == "1.25"
    r.set("bin", b"\xff\x00")
    assert r.get("bin") == b"\xff\x00"  # not UTF-8: kept as bytes


def test_keys(r):
    r.set("a", "1")
    assert r.expire("a", 100) is True and r.expire("nope", 1) is False
    assert r.pexpire("a", 100000) is True and r.pttl("a") > 10000
    assert r.expireat("a", int(time.time()) + 1000) is True and r.ttl("a") > 900
    assert r.persist("a") is True and r.ttl("a") == -1 and r.ttl("nope") == -2
    assert r.rename("a", "b") is True and r.get("b") == "1"
    r.set("c", "2")
    assert r.renamenx("b", "c") is False and r.renamenx("b", "d") is True
    assert sorted(r.keys()) == ["c", "d"] and r.keys("c*") == ["c"]
    for i in range(50):
        r.set("scan:%d" % i, i)
    cursor, batch = r.scan(0, match="scan:*", count=10)
    assert isinstance(cursor, int) and isinstance(batch, list)
    assert sorted(r.scan_iter(match="scan:*")) == sorted("scan:%d" % i for i in range(50))
    assert sorted(r.scan_iter(match="scan:1*", count=5)) == sorted(
        ["scan:1"] + ["scan:%d" % i for i in range(10, 20)])
    assert r.randomkey() is not None
    assert r.copy("c", "c2") is True and r.get("c2") == "2"
    assert r.copy("c", "c2") is False and r.copy("c", "c2", replace=True) is True
    assert r.dbsize() == 53
    assert r.flushdb() is True and r.dbsize() == 0 and r.randomkey() is None
    r.set("x", 1)
    assert r.flushall() is True and r.dbsize() == 0


def test_lists(r):
    assert r.rpush("l", "a", "b", "c", "d") == 4
    assert r.lpush("l", "z") == 5
    assert r.lrange("l", 0, -1) == ["z", "a", "b", "c", "d"]
    assert r.lpop("l") == "z" and r.rpop("l") == "d"
    assert r.lpop("l", 2) == ["a", "b"] and r.rpop("nope", 2) is None
    r.rpush("l", "x", "y", "x")
    assert r.llen("l") == 4 and r.lindex("l", 1) == "x" and r.lindex("l", 99) is None
    assert r.lset("l", 0, "C") is True
    assert r.lrem("l", 0, "x") == 2 and r.lrange("l", 0, -1) == ["C", "y"]
    assert r.linsert("l", "BEFORE", "y", "b") == 3
    assert r.ltrim("l", 0, 1) is True and r.lrange("l", 0, -1) == ["C", "b"]
    r.rpush("p", "a", "b", "a")
    assert r.lpos("p", "a") == 0 and r.lpos("p", "a", rank=2) == 2
    assert r.lpos("p", "a", count=0) == [0, 2] and r.lpos("p", "q") is None
    assert r.lmove("p", "q", "LEFT", "RIGHT") == "a" and r.lrange("q", 0, -1) == ["a"]
    assert r.blpop(["nope", "q"], timeout=1) == ("q", "a")
    assert r.blpop("nope", timeout=0.1) is None
    r.rpush("b", "1", "2")
    assert r.brpop("b", timeout=1) == ("b", "2")
    assert r.blmove("b", "c", 1, "LEFT", "LEFT") == "1"
    assert r.blmove("b", "c", 0.1) is None
    assert r.rpoplpush("c", "d") == "1"
    assert r.lpushx("none", "x") == 0 and r.rpushx("d", "y") == 2


def test_sets(r):
    assert r.sadd("a", "1", "2", "3") == 3 and r.sadd("b", "2", "3", "4") == 3
    assert r.srem("a", "1", "9") == 1
    assert r.smismember("a", "2", "9") == [True, False]
    assert r.smismember("a", ["2", "3"]) == [True, True]
    assert r.scard("a") == 2 and r.scard("nope") == 0
    assert r.sinter("a", "b") == {"2", "3"}
    assert r.sunion("a", "b") == {"2", "3", "4"}
    assert r.sdiff("b", "a") == {"4"}
    assert r.sinterstore("i", "a", "b") == 2 and r.smembers("i") == {"2", "3"}
    assert r.sunionstore("u", "a", "b") == 3
    assert r.sdiffstore("d", ["b", "a"]) == 1 and r.smembers("d") == {"4"}
    assert r.smove("b", "a", "4") is True and r.smove("b", "a", "nope") is False
    assert r.srandmember("a") in {"2", "3", "4"}
    assert len(r.srandmember("a", 2)) == 2
    assert r.spop("d") == "4" and r.spop("d") is None
    assert sorted(r.spop("u", 3)) == ["2", "3", "4"]
    r.sadd("big", *range(100))
    assert sorted(int(x) for x in r.sscan_iter("big")) == list(range(100))
    assert sorted(r.sscan_iter("big", match="9*")) == sorted(["9"] + [str(i) for i in range(90, 100)])


def test_hashes(r):
    assert r.hset("h", "a", "1") == 1
    assert r.hset("h", mapping={"b": "2", "c": "3"}) == 2
    assert r.hset("h", "d", "4", mapping={"e": "5"}) == 2
    assert r.hget("h", "a") == "1" and r.hget("h", "zz") is None
    assert r.hmget("h", "a", "b", "zz") == ["1", "2", None]
    assert r.hmget("h", ["a", "b"]) == ["1", "2"]
    assert r.hgetall("h") == {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}
    assert r.hgetall("nope") == {}
    assert r.hdel("h", "d", "e", "zz") == 2
    assert r.hexists("h", "a") is True and r.hexists("h", "zz") is False
    assert r.hincrby("h", "n", 5) == 5 and r.hincrby("h", "n", -7) == -2
    assert r.hincrbyfloat("h", "f", 0.5) == 0.5
    assert sorted(r.hkeys("h")) == ["a", "b", "c", "f", "n"]
    assert sorted(r.hvals("h")) == sorted(["1", "2", "3", "-2", "0.5"])
    assert r.hlen("h") == 5
    assert r.hsetnx("h", "a", "x") is False and r.hsetnx("h", "new", "x") is True
    assert r.hstrlen("h", "new") == 1
    assert r.hrandfield("h") in r.hkeys("h")
    assert len(r.hrandfield("h", 2)) == 2
    pairs = r.hrandfield("h", 2, withvalues=True)
    assert len(pairs) == 2 and all(r.hget("h", f) == v for f, v in pairs)
    assert r.hrandfield("nope") is None
    r.hset("big", mapping={"f%d" % i: i for i in range(100)})
    assert dict(r.hscan_iter("big")) == {"f%d" % i: str(i) for i in range(100)}
    with pytest.raises(DiskDBError):
        r.hset("h")


def test_sorted_sets(r):
    assert r.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert r.zadd("z", {"a": 10}, nx=True) == 0 and r.zscore("z", "a") == 1.0
    assert r.zadd("z", {"a": 5, "d": 4}, xx=True, ch=True) == 1
    assert r.zadd("z", {"a": 1}, gt=True, ch=True) == 0
    assert r.zadd("z", {"a": 1}, lt=True, ch=True) == 1
    assert r.zrange("z", 0, -1) == ["a", "b", "c"]
    assert r.zrange("z", 0, 0, desc=True, withscores=True) == [("c", 3.0)]
    assert r.zrevrange("z", 0, 1) == ["c", "b"]
    assert r.zrevrange("z", 0, 0, withscores=True) == [("c", 3.0)]
    assert r.zrangebyscore("z", 2, "+inf") == ["b", "c"]
    assert r.zrangebyscore("z", "-inf", "+inf", start=1, num=1, withscores=True) == [("b", 2.0)]
    assert r.zrevrangebyscore("z", "+inf", 2) == ["c", "b"]
    assert r.zrevrangebyscore("z", 3, 1, start=0, num=2, withscores=True) == \
        [("c", 3.0), ("b", 2.0)]
    assert r.zscore("z", "b") == 2.0 and r.zscore("z", "nope") is None
    assert r.zmscore("z", "a", "nope", "c") == [1.0, None, 3.0]
    assert r.zincrby("z", 2.5, "a") == 3.5
    assert r.zcard("z") == 3 and r.zcount("z", 3, 4) == 2
    assert r.zrank("z", "b") == 0 and r.zrevrank("z", "b") == 2 and r.zrank("z", "q") is None
    assert r.zrem("z", "b", "nope") == 1
    r.zadd("p", {"x": 1, "y": 2, "z": 3, "w": 4})
    assert r.zpopmin("p") == [("x", 1.0)]
    assert r.zpopmax("p", 2) == [("w", 4.0), ("z", 3.0)]
    assert r.bzpopmin(["nope", "p"], timeout=1) == ("p", "y", 2.0)
    assert r.bzpopmin("p", timeout=0.1) is None
    r.zadd("q", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.bzpopmax("q", 1) == ("q", "d", 4.0)
    assert r.zremrangebyscore("q", 1, 1) == 1
    assert r.zremrangebyrank("q", 0, 0) == 1 and r.zrange("q", 0, -1) == ["c"]
    r.zadd("u1", {"a": 1, "b": 2})
    r.zadd("u2", {"b": 3, "c": 4})
    assert r.zunionstore("out", ["u1", "u2"]) == 3
    assert r.zrange("out", 0, -1, withscores=True) == [("a", 1.0), ("c", 4.0), ("b", 5.0)]
    assert r.zinterstore("out", {"u1": 2, "u2": 1}, aggregate="MAX") == 1
    assert r.zscore("out", "b") == 4.0
    r.zadd("big", {"m%d" % i: i for i in range(100)})
    assert dict(r.zscan_iter("big")) == {"m%d" % i: float(i) for i in range(100)}


def test_json(r):
    doc = {"name": "Alice", "age": 30, "tags": ["a"], "flag": True, "addr": {"city": "NYC"}}
    assert r.json_set("j", "$", doc) is True
    assert r.json_set("j", "$", doc, nx=True) is None
    assert r.json_set("nope", "$", doc, xx=True) is None
    assert r.json_get("j") == doc
    assert r.json_get("j", ".name") == "Alice"  # legacy path
    assert r.json_get("missing", "$") is None
    r.json_set("k", "$", {"name": "Bob"})
    assert r.json_mget(["j", "k", "missing"], "$.name") == ["Alice", "Bob", None]
    assert r.json_type("j", "$.age") == "integer"
    assert r.json_type("j", "$.tags") == "array"
    assert r.json_numincrby("j", "$.age", 2) == 32
    assert r.json_nummultby("j", "$.age", 2) == 64
    assert r.json_strappend("j", "!", "$.name") == 6 and r.json_get("j", "$.name") == "Alice!"
    assert r.json_strlen("j", "$.name") == 6
    assert r.json_arrappend("j", "$.tags", "b", {"c": 1}) == 3
    assert r.json_arrlen("j", "$.tags") == 3
    assert r.json_arrindex("j", "$.tags", "b") == 1
    assert r.json_arrinsert("j", "$.tags", 0, "first") == 4
    assert r.json_arrpop("j", "$.tags") == {"c": 1}
    assert r.json_arrtrim("j", "$.tags", 0, 1) == 2 and r.json_get("j", "$.tags") == ["first", "a"]
    assert sorted(r.json_objkeys("j", "$.addr")) == ["city"]
    assert r.json_objlen("j", "$") == 5
    assert r.json_toggle("j", "$.flag") is False and r.json_get("j", "$.flag") is False
    assert r.json_clear("j", "$.tags") == 1 and r.json_get("j", "$.tags") == []
    assert r.json_merge("j", "$", {"age": None, "new": 1}) is True
    assert r.json_get("j", "$.age") is None and r.json_get("j", "$.new") == 1
    assert r.json_del("j", "$.addr") == 1 and r.json_get("j", "$.addr") is None
    assert r.json_del("j") == 1 and r.exists("j") == 0
    with pytest.raises(TypeMismatchError):
        r.json_get("k2" if r.set("k2", "x") else "k2")


def test_streams(r):
    i1 = r.xadd("s", {"a": "1"}, id="1-0")
    assert i1 == "1-0"
    r.xadd("s", {"a": "2"}, id="2-0")
    r.xadd("s", {"a": "3"}, id="3-0")
    assert r.xlen("s") == 3
    assert r.xrange("s") == [("1-0", {"a": "1"}), ("2-0", {"a": "2"}), ("3-0", {"a": "3"})]
    assert r.xrange("s", "2", "+", count=1) == [("2-0", {"a": "2"})]
    assert r.xrevrange("s", count=1) == [("3-0", {"a": "3"})]
    assert r.xdel("s", "2-0", "9-0") == 1
    r.xadd("s", {"a": "4"}, id="4-0", maxlen=2, approximate=False)
    assert r.xlen("s") == 2
    assert r.xtrim("s", maxlen=1, approximate=False) == 1
    assert r.xadd("nostream", {"a": 1}, nomkstream=True) is None
    assert r.xread({"s": "0"}) == {"s": [("4-0", {"a": "4"})]}
    assert r.xread({"s": "$"}, block=50) == {}
    assert r.xread({"s": "0", "nostream": "0"}, count=1) == {"s": [("4-0", {"a": "4"})]}
    # consumer groups
    assert r.xgroup_create("g", "grp", "$", mkstream=True) is True
    with pytest.raises(diskdb.ResponseError) as e:
        r.xgroup_create("g", "grp", "$")
    assert e.value.code == "BUSYGROUP"
    ids = [r.xadd("g", {"n": str(n)}) for n in range(3)]
    assert r.xgroup_createconsumer("g", "grp", "c0") == 1
    got = r.xreadgroup("grp", "c1", {"g": ">"}, count=2)
    assert [i for i, _ in got["g"]] == ids[:2]
    assert r.xreadgroup("grp", "c1", {"g": "0"})["g"][0] == (ids[0], {"n": "0"})
    summary = r.xpending("g", "grp")
    assert summary["pending"] == 2 and summary["min"] == ids[0] and summary["max"] == ids[1]
    assert summary["consumers"] == [{"name": "c1", "pending": 2}]
    rng = r.xpending("g", "grp", "-", "+", 10)
    assert [p["message_id"] for p in rng] == ids[:2] and rng[0]["consumer"] == "c1"
    assert rng[0]["times_delivered"] >= 1
    assert r.xpending("g", "grp", "-", "+", 10, consumer="c0") == []
    assert r.xack("g", "grp", ids[0]) == 1
    claimed = r.xclaim("g", "grp", "c2", 0, [ids[1]])
    assert claimed == [(ids[1], {"n": "1"})]
    assert r.xclaim("g", "grp", "c2", 0, [ids[1]], justid=True) == [ids[1]]
    nxt, entries, deleted = r.xautoclaim("g", "grp", "c3", 0, "0-0", count=10)
    assert entries == [(ids[1], {"n": "1"})] and nxt == "0-0" and deleted == []
    assert r.xautoclaim("g", "grp", "c3", 0, justid=True)[1] == [ids[1]]
    info = r.xinfo_stream("g")
    assert info["length"] == 3 and info["last-entry"] == (ids[2], {"n": "2"})
    groups = r.xinfo_groups("g")
    assert groups[0]["name"] == "grp" and groups[0]["pending"] == 1
    consumers = {c["name"]: c for c in r.xinfo_consumers("g", "grp")}
    assert consumers["c3"]["pending"] == 1
    assert r.xgroup_delconsumer("g", "grp", "c3") == 1
    assert r.xgroup_setid("g", "grp", "0") is True
    assert len(r.xreadgroup("grp", "c4", {"g": ">"}, noack=True)["g"]) == 3
    assert r.xreadgroup("grp", "c4", {"g": ">"}, block=50) == {}
    assert r.xgroup_destroy("g", "grp") == 1


def test_server(r):
    assert r.ping() is True and r.ping("hi") == "hi"
    assert r.echo("hello") == "hello"
    info = r.info()
    assert isinstance(info["connected_clients"], int) and "redis_version" in info
    r.set("a", 1)
    assert r.info("keyspace")["db0"]["keys"] == 1
    assert r.config_set("maxmemory-policy", "allkeys-lru") is True
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    r.config_set("maxmemory-policy", "noeviction")
    sec, usec = r.time()
    assert abs(sec - time.time()) < 3600 and 0 <= usec < 1000000
    assert isinstance(r.client_id(), int)
    assert r.client_setname("me") is True and r.client_getname() == "me"
    assert r.execute_command("SET", "raw", "v") == "OK"
    assert r.execute_command("GET", "raw") == "v"
    assert r.publish("nobody", "x") == 0


def test_bytes_mode(server):
    with server.client(decode=False) as r:
        r.flushall()
        r.set("a", "é")
        assert r.get("a") == "é".encode()
        r.sadd("s", "x")
        assert r.smembers("s") == {b"x"}
        r.zadd("z", {"m": 1})
        assert r.zrange("z", 0, -1, withscores=True) == [(b"m", 1.0)]
        assert r.type("z") == "zset"
        r.json_set("j", "$", {"a": 1})
        assert r.json_get("j", "$.a") == 1 and r.type("j") == "json"


def test_db_and_resp3_types(server):
    with server.client(db=3) as r3, server.client() as r0:
        r0.flushall()
        r3.set("only3", "x")
        assert r0.get("only3") is None and r3.get("only3") == "x"
    with server.client(protocol=3) as r:
        assert r.execute_command("HELLO", "3")["proto"] == 3
        r.hset("h", mapping={"a": "1"})
        assert r.execute_command("HGETALL", "h") == {"a": "1"}  # a RESP3 map
        r.zadd("z", {"m": 1.5})
        assert r.execute_command("ZSCORE", "z", "m") == 1.5  # a RESP3 double
