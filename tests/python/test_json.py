"""JSON documents through redis-py's r.json() API against the real diskdb binary: the
product's examples (profiles with a nested address and an interests array, session
documents) and every JSON command redis-py wraps."""
import pytest
import redis
from redis.commands.json.path import Path

from conftest import Server

PROFILE = {
    "name": "Alice",
    "age": 30,
    "address": {"city": "NYC", "zip": "10001"},
    "interests": ["music", "chess"],
}


def test_profile_examples(r):
    assert r.json().set("user:1", "$", PROFILE)
    assert r.json().get("user:1", "$.address.city") == ["NYC"]
    assert r.json().get("user:1", ".address.city") == "NYC"
    assert r.json().get("user:1", "$.interests") == [["music", "chess"]]
    assert r.json().get("user:1") == PROFILE
    assert r.type("user:1") == "ReJSON-RL"
    assert r.json().arrappend("user:1", "$.interests", "hiking") == [3]
    assert r.json().arrlen("user:1", "$.interests") == [3]
    assert r.json().arrindex("user:1", "$.interests", "chess") == [1]
    assert r.json().numincrby("user:1", "$.age", 1) == [31]
    assert r.json().set("user:1", "$.address.city", "Boston")
    assert r.json().get("user:1", "$.address.city") == ["Boston"]
    assert r.json().objkeys("user:1", "$.address") == [["city", "zip"]]
    assert r.json().objlen("user:1") == 4
    assert r.json().strlen("user:1", "$.name") == [5]
    assert r.json().type("user:1", "$.interests") == ["array"]
    assert r.json().get("user:1", "$.address.city", "$.age") == {"$.address.city": ["Boston"], "$.age": [31]}
    assert r.json().delete("user:1", "$.address.zip") == 1
    assert r.json().get("user:1", "$.address") == [{"city": "Boston"}]
    assert r.json().get("nobody", "$") is None


def test_session_documents(r):
    session = {"user": "alice", "cart": [], "active": True, "visits": 0}
    assert r.json().set("session:abc", "$", session)
    r.expire("session:abc", 1800)
    assert r.json().arrappend("session:abc", "$.cart", {"sku": "A1", "qty": 2}) == [1]
    assert r.json().numincrby("session:abc", "$.visits", 1) == [1]
    assert r.json().toggle("session:abc", "$.active") == [0]
    assert r.json().get("session:abc", "$.cart[0].qty") == [2]
    assert 1700 < r.ttl("session:abc") <= 1800, "changes keep the TTL"
    # redis-py leaves ARRPOP's JSONPath replies as the JSON texts RedisJSON sends.
    assert r.json().arrpop("session:abc", "$.cart") == ['{"sku":"A1","qty":2}']
    assert r.json().clear("session:abc", "$.visits") == 1
    assert r.json().get("session:abc") == {"user": "alice", "cart": [], "active": False, "visits": 0}
    assert r.json().forget("session:abc") == 1
    assert r.exists("session:abc") == 0


def test_every_wrapped_command(r):
    j = r.json()
    assert j.set("doc", Path.root_path(), {"a": [1, 2, 3], "s": "x", "n": 1.5})
    assert j.set("doc", "$.a", [0], nx=True) is None
    assert j.set("doc", "$.b", 1, xx=True) is None
    assert j.mget(["doc", "missing"], "$.s") == [["x"], None]
    assert j.strappend("doc", "yz", "$.s") == [3]
    assert j.nummultby("doc", "$.n", 2) == [3.0]
    assert j.arrinsert("doc", "$.a", 0, -1) == [4]
    assert j.arrtrim("doc", "$.a", 1, 2) == [2]
    assert j.get("doc", "$.a") == [[1, 2]]
    assert j.resp("doc", "$.a") == [["[", 1, 2]]
    assert j.merge("doc", "$", {"s": None, "m": {"k": 1}})
    assert j.get("doc") == {"a": [1, 2], "n": 3.0, "m": {"k": 1}}
    assert j.mset([("m1", "$", {"v": 1}), ("m2", "$", [1])])
    assert j.get("m1", "$.v") == [1]
    assert isinstance(j.debug("MEMORY", "doc", "$"), list)
    with pytest.raises(redis.ResponseError, match="new objects must be created at the root"):
        j.set("fresh", "$.a", 1)
    with pytest.raises(redis.ResponseError, match="does not exist"):
        j.get("doc", ".nothere")


def test_documents_survive_kill9():
    s = Server()
    try:
        c = s.client()
        c.json().set("user:1", "$", PROFILE)
        c.json().arrappend("user:1", "$.interests", "go")
        c.close()
        s.kill9()
        s.start()
        c = s.client()
        assert c.json().get("user:1", "$.interests") == [["music", "chess", "go"]]
        c.close()
    finally:
        s.close()
