"""The shared-memory transport (shm=True, docs/shm-protocol.md) against the real server."""
import threading

import pytest

import diskdb
from diskdb import shm as shm_mod
from conftest import Server


@pytest.fixture(scope="module")
def small_ring():
    # The smallest ring: values, pipelines and replies larger than the ring stream in pieces.
    s = Server("--shm-ring-size", "4096")
    yield s
    s.cleanup()


def shm_client(server, **kw):
    kw.setdefault("socket_timeout", 30)
    return diskdb.DiskDB(unix_socket_path=server.sock, shm=True, **kw)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def sdb(server, request):
    c = shm_client(server, protocol=request.param)
    c.flushall()
    yield c
    c.close()


def test_attached_over_shm(sdb):
    line = sdb.execute_command("CLIENT", "INFO")
    assert line.rstrip().endswith("transport=shm")
    assert sdb.info("clients")["shm_clients"] >= 1


def test_data_types(sdb):
    assert sdb.set("s", "v") is True and sdb.get("s") == "v"
    assert sdb.incr("n", 5) == 5 and sdb.get("missing") is None
    assert sdb.rpush("l", "a", "b", "c") == 3 and sdb.lrange("l", 0, -1) == ["a", "b", "c"]
    sdb.hset("h", mapping={"f": "1", "g": "2"})
    assert sdb.hgetall("h") == {"f": "1", "g": "2"}
    assert sdb.sadd("st", "x", "y") == 2 and sdb.smembers("st") == {"x", "y"}
    sdb.zadd("z", {"a": 1, "b": 2})
    assert sdb.zrange("z", 0, -1, withscores=True) == [("a", 1.0), ("b", 2.0)]
    assert sdb.json_set("j", "$", {"name": "ann", "tags": [1, 2]}) is True
    assert sdb.json_get("j", "$.name") == "ann" and sdb.type("j") == "json"
    i = sdb.xadd("x", {"k": "v"})
    assert sdb.xrange("x")[0][0] == i
    with pytest.raises(diskdb.TypeMismatchError):
        sdb.lpush("s", "x")
    assert sdb.ping() is True


def test_pipeline_and_transaction_with_watch(sdb, server):
    with sdb.pipeline() as p:
        for i in range(500):
            p.set("k%d" % i, i)
        p.get("k7")
        assert p.execute()[-1] == "7"
    sdb.set("w", 1)
    other = shm_client(server)
    with sdb.transaction() as tx:
        tx.watch("w")
        assert tx.get("w") == "1"
        other.set("w", 5)
        tx.multi()
        tx.set("w", 2)
        with pytest.raises(diskdb.WatchError):
            tx.commit()
    assert sdb.get("w") == "5"
    sdb.transaction_retry(lambda tx: (tx.multi(), tx.incr("w")), "w")
    assert sdb.get("w") == "6"
    other.close()


def test_pubsub(server):
    with shm_client(server) as c, shm_client(server) as pub:
        ps = c.pubsub()
        ps.subscribe("news")
        ps.psubscribe("user:*")
        assert [ps.get_message(timeout=5)["type"] for _ in range(2)] == ["subscribe",
                                                                        "psubscribe"]
        assert ps.get_message(timeout=0.05) is None
        assert pub.publish("news", "hello") == 1
        assert ps.get_message(timeout=5)["data"] == "hello"
        pub.publish("user:1", "hi")
        m = ps.get_message(timeout=5)
        assert m["type"] == "pmessage" and m["channel"] == "user:1"
        ps.close()


def test_values_larger_than_the_ring(small_ring):
    with shm_client(small_ring) as c:
        big = "".join(chr(97 + i % 26) for i in range(300_000))
        assert c.set("big", big) is True
        assert c.get("big") == big
        # a pipeline whose requests and replies both overflow the 4 KiB rings many times
        with c.pipeline() as p:
            for i in range(3000):
                p.set("p%d" % i, "v" * 50)
                p.get("p%d" % i)
            out = p.execute()
        assert out[1] == "v" * 50 and len(out) == 6000
        assert c.mget(["p%d" % i for i in range(3000)]) == ["v" * 50] * 3000


def test_auth_then_attach():
    s = Server("--requirepass", "s3cret")
    try:
        with pytest.raises(diskdb.AuthenticationError):
            shm_client(s).get("a")
        with shm_client(s, password="s3cret", db=2) as c:
            assert c.set("a", "1") is True
            info = c.execute_command("CLIENT", "INFO")
            assert "db=2" in info and info.rstrip().endswith("transport=shm")
        with shm_client(s, password="s3cret", username="default", protocol=3) as c:
            assert c.get("a") is None  # db 0
    finally:
        s.cleanup()


def test_dead_server_raises_instead_of_hanging():
    s = Server()
    try:
        c = shm_client(s, socket_timeout=None)
        assert c.set("a", "1") is True
        s.kill9()
        with pytest.raises(diskdb.ConnectionError):
            c.set("a", "2")  # a write: no retry, must not hang without a timeout
        c.close()
    finally:
        s.cleanup()


def test_blocked_reader_sees_server_death():
    s = Server()
    try:
        c = shm_client(s, socket_timeout=None)
        errors = []

        def blocked():
            try:
                c.blpop(["never"], timeout=0)
            except diskdb.ConnectionError as e:
                errors.append(e)
        t = threading.Thread(target=blocked)
        t.start()
        s.kill9()
        t.join(30)
        assert not t.is_alive() and len(errors) == 1
        c.close()
    finally:
        s.cleanup()


def test_waiting_client_sleeps(server, monkeypatch):
    # A subscriber waiting 1 s for a message sleeps on the futex with backed-off
    # timeouts (1, 2, 4 ... 100 ms): a bounded number of wake-ups, no spinning.
    calls = []
    real = shm_mod._futex_wait

    def counting(addr, expected, timeout):
        calls.append(timeout)
        real(addr, expected, timeout)
    monkeypatch.setattr(shm_mod, "_futex_wait", counting)
    with shm_client(server) as c:
        ps = c.pubsub()
        ps.subscribe("quiet")
        assert ps.get_message(timeout=5)["type"] == "subscribe"
        calls.clear()
        assert ps.get_message(timeout=1.0) is None
        assert 1 <= len(calls) <= 25
        ps.close()


def test_shm_errors():
    with pytest.raises(diskdb.DiskDBError):
        diskdb.DiskDB(shm=True)
    s = Server("--shm-max-clients", "0")
    try:
        with pytest.raises(diskdb.ResponseError) as e:
            shm_client(s).get("a")
        assert "shared memory is disabled" in str(e.value)
    finally:
        s.cleanup()


def test_many_sequential_calls(sdb):
    # Regression: indexes once went through struct.pack_into, which stores byte by byte;
    # the server saw half-written req_head values and closed the session within a few
    # thousand calls. The counters now cross many byte carries here.
    for i in range(20000):
        assert sdb.set("seq:%d" % (i % 1000), i) is True
    assert sdb.get("seq:999") == "19999"


def test_socket_timeout_over_shm(server):
    with shm_client(server, socket_timeout=0.2) as c:
        with pytest.raises(diskdb.TimeoutError):
            c.execute_command("BLPOP", "never", 0)
        assert c.ping() is True  # a fresh connection (the timed-out one was dropped)
