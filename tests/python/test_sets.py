"""Set commands through redis-py, after Redis's tests/unit/type/set.tcl."""
import pytest
import redis


def test_sadd_smembers_scard_sismember(r):
    assert r.sadd("s", "a", "b", "c", "a") == 3
    assert r.smembers("s") == {"a", "b", "c"}
    assert r.scard("s") == 3
    assert r.sismember("s", "a")
    assert not r.sismember("s", "x")
    assert [bool(x) for x in r.smismember("s", ["a", "x", "c"])] == [True, False, True]
    assert r.srem("s", "a", "x") == 1
    assert r.smembers("missing") == set()


def test_wrongtype_and_arity(r):
    r.set("str", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.sadd("str", "a")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'scard'"):
        r.execute_command("SCARD")


def test_set_algebra_and_store(r):
    r.sadd("a", 1, 2, 3, 4)
    r.sadd("b", 3, 4, 5)
    assert r.sinter("a", "b") == {"3", "4"}
    assert r.sunion("a", "b") == {"1", "2", "3", "4", "5"}
    assert r.sdiff("a", "b") == {"1", "2"}
    assert r.sinterstore("d", "a", "b") == 2
    assert r.smembers("d") == {"3", "4"}
    assert r.sunionstore("d", "a", "b") == 5
    assert r.sdiffstore("d", "a", "b") == 2
    assert r.sintercard(2, ["a", "b"]) == 2
    assert r.sintercard(2, ["a", "b"], limit=1) == 1
    assert r.sinterstore("d", "a", "nokey") == 0
    assert r.scard("d") == 0 and r.dbsize() == 2


def test_spop_srandmember_smove(r):
    r.sadd("s", *range(10))
    popped = r.spop("s", 3)
    assert len(popped) == 3 and r.scard("s") == 7
    assert r.spop("s") is not None
    assert len(r.srandmember("s", 100)) == 6
    assert len(r.srandmember("s", -20)) == 20
    assert r.srandmember("nokey") is None
    with pytest.raises(redis.ResponseError, match="must be positive"):
        r.spop("s", -1)
    member = next(iter(r.smembers("s")))
    assert r.smove("s", "t", member)
    assert r.smove("t", "t", member)
    assert r.sismember("t", member)


def test_sscan_iter_returns_everything(r):
    members = {f"m:{i}" for i in range(1000)}
    r.sadd("big", *members)
    assert set(r.sscan_iter("big", count=33)) == members
    assert set(r.sscan_iter("big", match="m:99*")) == {"m:99"} | {f"m:99{i}" for i in range(10)}


def test_sets_survive_restart(server):
    c = server.client()
    c.sadd("s", "x", "y")
    server.restart()
    c = server.client()
    assert c.smembers("s") == {"x", "y"}
