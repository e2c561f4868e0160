"""Keyspace notifications through redis-py's PubSub (RESP2 and RESP3) against the real
diskdb: CONFIG SET notify-keyspace-events, then the events of a few writes of several
types, in order, read up to a marker message published after them."""
import pytest


def events(p, pub):
    """Every (channel, data) pmessage received before a marker published now."""
    pub.publish("__marker", "end")
    got = []
    while True:
        m = p.get_message(timeout=10)
        assert m is not None, "no marker within 10 s"
        if m["type"] == "message" and m["channel"] == "__marker":
            return got
        if m["type"] == "pmessage":
            got.append((m["channel"], m["data"]))


@pytest.mark.parametrize("protocol", [2, 3])
def test_keyspace_and_keyevent_messages(server, protocol):
    r = server.client()
    assert r.config_set("notify-keyspace-events", "KEA")
    assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}
    sub = server.client(protocol=protocol)
    p = sub.pubsub(ignore_subscribe_messages=True)
    p.psubscribe("__key*__:*")
    p.subscribe("__marker")
    assert events(p, r) == []

    r.set("k", "v", ex=100)
    r.rpush("l", "a")
    r.rpop("l")
    r.hset("h", mapping={"f": "1"})
    r.zadd("z", {"m": 1})
    r.delete("k", "z")
    assert events(p, r) == [
        ("__keyspace@0__:k", "set"), ("__keyevent@0__:set", "k"),
        ("__keyspace@0__:k", "expire"), ("__keyevent@0__:expire", "k"),
        ("__keyspace@0__:l", "rpush"), ("__keyevent@0__:rpush", "l"),
        ("__keyspace@0__:l", "rpop"), ("__keyevent@0__:rpop", "l"),
        ("__keyspace@0__:l", "del"), ("__keyevent@0__:del", "l"),
        ("__keyspace@0__:h", "hset"), ("__keyevent@0__:hset", "h"),
        ("__keyspace@0__:z", "zadd"), ("__keyevent@0__:zadd", "z"),
        ("__keyspace@0__:k", "del"), ("__keyevent@0__:del", "k"),
        ("__keyspace@0__:z", "del"), ("__keyevent@0__:del", "z"),
    ]
    p.close()


def test_only_enabled_classes_and_channels(server):
    r = server.client()
    sub = server.client()
    p = sub.pubsub(ignore_subscribe_messages=True)
    p.psubscribe("__key*__:*")
    p.subscribe("__marker")
    r.set("off", "1")
    assert events(p, r) == []
    r.config_set("notify-keyspace-events", "Es")
    r.set("a", "1")
    r.sadd("s", "x", "y")
    r.srem("s", "x")
    assert events(p, r) == [("__keyevent@0__:sadd", "s"), ("__keyevent@0__:srem", "s")]
    with pytest.raises(Exception, match="Invalid event class character"):
        r.config_set("notify-keyspace-events", "Z")
    p.close()
