"""Hash commands through redis-py against the real diskdb binary."""
import pytest
import redis

from conftest import Server


def test_hset_hget_hgetall(r):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hset("h", "a", "3") == 0
    assert r.hget("h", "a") == "3"
    assert r.hget("h", "zz") is None
    assert r.hgetall("h") == {"a": "3", "b": "2"}
    assert r.hgetall("nokey") == {}
    assert sorted(r.hkeys("h")) == ["a", "b"]
    assert sorted(r.hvals("h")) == ["2", "3"]
    assert r.hlen("h") == 2
    assert r.hexists("h", "a") is True
    assert r.hexists("h", "zz") is False
    assert r.hstrlen("h", "a") == 1
    assert r.hmget("h", ["a", "zz", "b"]) == ["3", None, "2"]
    assert r.hsetnx("h", "a", "x") == 0
    assert r.hsetnx("h", "c", "x") == 1
    assert r.hdel("h", "a", "b", "c", "d") == 3
    assert r.hlen("h") == 0
    assert r.hgetall("h") == {}


def test_hmset_and_arity(r):
    assert r.execute_command("HMSET", "h", "a", "1", "b", "2") in (True, "OK", b"OK")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'hset' command"):
        r.execute_command("HSET", "h", "a", "1", "b")


def test_hincrby_hincrbyfloat(r):
    assert r.hincrby("h", "n", 5) == 5
    assert r.hincrby("h", "n", -7) == -2
    assert r.hincrbyfloat("h", "f", 10.5) == 10.5
    assert r.hincrbyfloat("h", "f", 0.1) == 10.6
    assert r.hget("h", "f") == "10.6"
    r.hset("h", "s", "abc")
    with pytest.raises(redis.ResponseError, match="^hash value is not an integer$"):
        r.hincrby("h", "s", 1)
    with pytest.raises(redis.ResponseError, match="^hash value is not a float$"):
        r.hincrbyfloat("h", "s", 1)
    r.hset("h", "max", str(2**63 - 1))
    with pytest.raises(redis.ResponseError, match="increment or decrement would overflow"):
        r.hincrby("h", "max", 1)


def test_hrandfield(r):
    r.hset("h", mapping={str(i): "v%d" % i for i in range(20)})
    assert r.hrandfield("h") in {str(i) for i in range(20)}
    five = r.hrandfield("h", 5)
    assert len(five) == 5 and len(set(five)) == 5
    assert len(r.hrandfield("h", -50)) == 50
    pairs = r.hrandfield("h", 3, withvalues=True)
    assert len(pairs) == 6
    for f, v in zip(pairs[::2], pairs[1::2]):
        assert v == "v" + f
    assert sorted(r.hrandfield("h", 100)) == sorted(str(i) for i in range(20))
    assert r.hrandfield("nokey") is None
    assert r.hrandfield("nokey", 3) == []


def test_hscan_iter(r):
    data = {"field:%d" % i: str(i) for i in range(1000)}
    r.hset("big", mapping=data)
    assert dict(r.hscan_iter("big", count=50)) == data
    matched = dict(r.hscan_iter("big", match="field:99*", count=100))
    assert matched == {k: v for k, v in data.items() if k.startswith("field:99")}
    cursor, page = r.hscan("big", 0, count=10)
    assert cursor != 0 and len(page) == 10
    small_cursor, small = r.hscan("nokey", 0)
    assert small_cursor == 0 and small == {}
    with pytest.raises(redis.ResponseError, match="invalid cursor"):
        r.execute_command("HSCAN", "big", "notanumber")


def test_hscan_novalues(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    cursor, fields = r.hscan("h", 0, no_values=True)
    assert cursor == 0
    assert fields == ["a", "b"]


def test_wrongtype(r):
    r.set("s", "v")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.hget("s", "a")
    r.hset("h", "a", "1")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.get("h")


def test_persistence_after_restart_and_kill9():
    server = Server("--appendfsync", "always")
    try:
        c = server.client()
        c.hset("h", mapping={"a": "1", "b": "2"})
        c.hdel("h", "a")
        server.restart()
        c = server.client()
        assert c.hgetall("h") == {"b": "2"}
        c.hincrby("h", "n", 3)
        server.kill9()
        server.start()
        c = server.client()
        assert c.hgetall("h") == {"b": "2", "n": "3"}
    finally:
        server.close()


def test_resp3_shapes(server):
    """HGETALL is a map and HRANDFIELD WITHVALUES a list of pairs under RESP3."""
    try:
        c = server.client(protocol=3)
        c.ping()
    except (redis.ResponseError, redis.ConnectionError) as e:
        pytest.skip("HELLO 3 not available in this build: %s" % e)
    c.hset("h", mapping={"a": "1", "b": "2"})
    assert c.hgetall("h") == {"a": "1", "b": "2"}
    pairs = c.execute_command("HRANDFIELD", "h", 2, "WITHVALUES")
    assert len(pairs) == 2
    assert all(len(p) == 2 for p in pairs)
    assert c.lpop("nokey", 2) is None
