"""Pub/Sub through redis-py's PubSub objects (RESP2 and RESP3) against the real diskdb."""
import threading
import time

import pytest


def drain(p, n, timeout=5.0):
    """The next `n` messages (confirmations included) of PubSub `p`."""
    got = []
    deadline = time.time() + timeout
    while len(got) < n and time.time() < deadline:
        m = p.get_message(timeout=0.1)
        if m is not None:
            got.append(m)
    return got


@pytest.mark.parametrize("protocol", [2, 3])
def test_subscribe_psubscribe_publish(server, protocol):
    sub = server.client(protocol=protocol)
    pub = server.client()
    p = sub.pubsub()
    p.subscribe("news")
    p.psubscribe("n*")
    assert [m["type"] for m in drain(p, 2)] == ["subscribe", "psubscribe"]
    assert pub.publish("news", "hello") == 2
    got = drain(p, 2)
    assert {(m["type"], m["channel"], m["data"]) for m in got} == {
        ("message", "news", "hello"), ("pmessage", "news", "hello")}
    assert [m["pattern"] for m in got if m["type"] == "pmessage"] == ["n*"]
    assert pub.pubsub_numsub("news") == [("news", 1)]
    assert pub.pubsub_numpat() == 1
    assert pub.pubsub_channels() == ["news"]
    p.unsubscribe()
    p.punsubscribe()
    assert [m["type"] for m in drain(p, 2)] == ["unsubscribe", "punsubscribe"]
    assert pub.publish("news", "x") == 0
    p.close()


@pytest.mark.parametrize("protocol", [2, 3])
def test_shard_channels(server, protocol):
    sub = server.client(protocol=protocol)
    pub = server.client()
    p = sub.pubsub()
    p.ssubscribe("s1")
    assert drain(p, 1)[0]["type"] == "ssubscribe"
    assert pub.spublish("s1", "v") == 1
    m = p.get_sharded_message(timeout=2)
    assert (m["type"], m["channel"], m["data"]) == ("smessage", "s1", "v")
    assert pub.pubsub_shardnumsub("s1") == [("s1", 1)]
    assert pub.pubsub_shardchannels() == ["s1"]
    p.close()


def test_run_in_thread_receives_every_message_in_order(server):
    sub = server.client()
    pub = server.client()
    got = []
    p = sub.pubsub(ignore_subscribe_messages=True)
    p.subscribe(**{"feed": lambda m: got.append(m["data"])})
    t = p.run_in_thread(sleep_time=0.01)
    try:
        assert pub.publish("feed", "warm") == 1
        deadline = time.time() + 5
        while not got and time.time() < deadline:
            time.sleep(0.01)
        for i in range(1000):
            assert pub.publish("feed", str(i)) == 1
        deadline = time.time() + 10
        while len(got) < 1001 and time.time() < deadline:
            time.sleep(0.01)
    finally:
        t.stop()
        t.join(timeout=5)
    assert got == ["warm"] + [str(i) for i in range(1000)]
