"""Keyspace notifications through redis-py's PubSub (RESP2 and RESP3) against the real
diskdb: CONFIG SET notify-keyspace-events, then the events of a few writes of several
types, in order, read up to a marker message published after them."""
import time

import pytest


def watch(client):
    """A PubSub on keyspace channels and the marker channel, once both are confirmed."""
    p = client.pubsub()
    p.psubscribe("__key*__:*")
    p.subscribe("__marker")
    confirmed = 0
    deadline = time.time() + 10
    while confirmed < 2:
        assert time.time() < deadline, "no subscribe confirmation within 10 s"
        m = p.get_message(timeout=1)
        if m is not None and m["type"] in ("psubscribe", "subscribe"):
            confirmed += 1
    # The client must outlive this call: dropping it closes the PubSub's connection.
    p.owner = client
    return p


def events(p, pub):
    """Every (channel, data) pmessage received before a marker published now."""
    pub.publish("__marker", "end")
    got = []
    deadline = time.time() + 10
    while True:
        assert time.time() < deadline, "no marker within 10 s"
        m = p.get_message(timeout=1)
        if m is None:
            continue
        if m["type"] == "message" and m["channel"] == "__marker":
            return got
        if m["type"] == "pmessage":
            got.append((m["channel"], m["data"]))


@pytest.mark.parametrize("protocol", [2, 3])
def test_keyspace_and_keyevent_messages(server, protocol):
    r = server.client()
    assert r.config_set("notify-keyspace-events", "KEA")
    assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}
    p = watch(server.client(protocol=protocol))
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
    p = watch(server.client())
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
