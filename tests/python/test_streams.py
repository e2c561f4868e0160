"""Streams through redis-py's own stream API against the real diskdb binary: what an
application written for Redis sees (redis-py parses XINFO, XPENDING and XAUTOCLAIM
replies into dicts and lists, so their shapes must be Redis's)."""
import threading
import time

import pytest
import redis

from conftest import Server


def test_xadd_xrange_xread(r):
    assert r.xadd("s", {"a": "1"}, id="1-0") == "1-0"
    assert r.xadd("s", {"b": "2", "c": "3"}, id="2-*") == "2-0"
    auto = r.xadd("s", {"d": "4"})
    assert int(auto.split("-")[0]) > 2
    assert r.xlen("s") == 3
    assert r.xrange("s", "-", "+", count=2) == [("1-0", {"a": "1"}), ("2-0", {"b": "2", "c": "3"})]
    assert r.xrevrange("s", "+", "(1-0")[-1] == ("2-0", {"b": "2", "c": "3"})
    assert r.xread({"s": "1-0"}, count=1) == [["s", [("2-0", {"b": "2", "c": "3"})]]]
    assert r.xread({"s": "$"}, block=50) == []
    assert r.xdel("s", "1-0", "9-9") == 1
    assert r.xtrim("s", maxlen=1, approximate=False) == 1
    assert r.xadd("s", {"e": "5"}, maxlen=1, approximate=False)
    assert r.xlen("s") == 1
    assert r.xadd("none", {"a": "1"}, nomkstream=True) is None
    with pytest.raises(redis.ResponseError, match="equal or smaller than the target stream top item"):
        r.xadd("s", {"a": "1"}, id="1-0")


def test_consumer_group_flow(r):
    for i in range(1, 6):
        r.xadd("s", {"n": str(i)}, id="%d-0" % i)
    assert r.xgroup_create("s", "g", id="0") is True
    with pytest.raises(redis.ResponseError, match="BUSYGROUP"):
        r.xgroup_create("s", "g", id="0")
    got = r.xreadgroup("g", "alice", {"s": ">"}, count=3)
    assert [e[0] for e in got[0][1]] == ["1-0", "2-0", "3-0"]
    summary = r.xpending("s", "g")
    assert summary["pending"] == 3 and summary["min"] == "1-0" and summary["max"] == "3-0"
    assert summary["consumers"] == [{"name": "alice", "pending": 3}]
    rows = r.xpending_range("s", "g", min="-", max="+", count=10, consumername="alice")
    assert [row["message_id"] for row in rows] == ["1-0", "2-0", "3-0"]
    assert all(row["times_delivered"] == 1 for row in rows)
    assert r.xack("s", "g", "1-0", "1-0") == 1
    claimed = r.xclaim("s", "g", "bob", 0, ["2-0"], justid=True)
    assert claimed == ["2-0"]
    cursor, entries, deleted = r.xautoclaim("s", "g", "carol", 0, "0-0", count=10)
    assert cursor == "0-0" and [e[0] for e in entries] == ["2-0", "3-0"] and deleted == []
    groups = r.xinfo_groups("s")
    assert groups[0]["name"] == "g" and groups[0]["pending"] == 2 and groups[0]["last-delivered-id"] == "3-0"
    assert groups[0]["entries-read"] == 3 and groups[0]["lag"] == 2
    names = [c["name"] for c in r.xinfo_consumers("s", "g")]
    assert names == ["alice", "bob", "carol"]
    info = r.xinfo_stream("s")
    assert info["length"] == 5 and info["groups"] == 1 and info["first-entry"] == ("1-0", {"n": "1"})
    full = r.xinfo_stream("s", full=True)
    assert full["length"] == 5 and len(full["entries"]) == 5 and full["groups"][0]["name"] == "g"
    assert r.xgroup_delconsumer("s", "g", "carol") == 2
    assert r.xgroup_destroy("s", "g") == 1


def test_blocked_xreadgroup_is_served_by_another_client(server):
    r = server.client()
    r.xgroup_create("q", "g", id="$", mkstream=True)
    result = {}

    def reader():
        result["got"] = server.client().xreadgroup("g", "c", {"q": ">"}, block=5000)

    t = threading.Thread(target=reader)
    t.start()
    deadline = time.time() + 5
    while r.info("clients")["blocked_clients"] != 1 and time.time() < deadline:
        time.sleep(0.01)
    r.xadd("q", {"k": "v"}, id="1-0")
    t.join()
    assert result["got"] == [["q", [("1-0", {"k": "v"})]]]


def test_group_state_survives_kill9():
    s = Server()
    try:
        r = s.client()
        for i in range(1, 4):
            r.xadd("s", {"n": str(i)}, id="%d-0" % i)
        r.xgroup_create("s", "g", id="0")
        r.xreadgroup("g", "alice", {"s": ">"})
        r.xack("s", "g", "2-0")
        before = r.xpending_range("s", "g", min="-", max="+", count=10)
        s.kill9()
        s.start()
        r = s.client()
        after = r.xpending_range("s", "g", min="-", max="+", count=10)
        assert [(p["message_id"], p["consumer"], p["times_delivered"]) for p in after] == \
            [(p["message_id"], p["consumer"], p["times_delivered"]) for p in before]
        assert r.xinfo_groups("s")[0]["last-delivered-id"] == "3-0"
    finally:
        s.kill9()
