"""Errors, pool, pipelines, transactions, Pub/Sub, reconnects, Unix socket, RESP3, auth."""
import builtins
import os
import socket
import threading
import time

import pytest

import diskdb
from conftest import Server, free_port
from diskdb import (AuthenticationError, ConnectionError, DiskDB, DiskDBError, ResponseError,
                    TimeoutError, TypeMismatchError, WatchError)


# -- errors -------------------------------------------------------------------------

def test_error_mapping(db):
    db.set("s", "x")
    with pytest.raises(TypeMismatchError) as e:
        db.lpush("s", "a")
    assert e.value.code == "WRONGTYPE" and isinstance(e.value, ResponseError)
    assert isinstance(e.value, DiskDBError)
    with pytest.raises(ResponseError) as e:
        db.incr("s")
    assert e.value.code == "ERR" and "not an integer" in str(e.value)
    with pytest.raises(ResponseError) as e:
        db.execute_command("NOSUCHCOMMAND")
    assert e.value.code == "ERR" and not isinstance(e.value, TypeMismatchError)
    with pytest.raises(ResponseError):
        db.execute_command("SET", "only-key")
    # a server error in the middle leaves the connection usable
    assert db.get("s") == "x"


def test_connection_refused_is_both_kinds():
    port = free_port()
    c = DiskDB(host="127.0.0.1", port=port, connect_timeout=2)
    with pytest.raises(ConnectionError) as e:
        c.get("a")
    assert isinstance(e.value, builtins.ConnectionError)
    assert isinstance(e.value, DiskDBError)
    c.close()


def test_socket_timeout(server):
    with server.client(socket_timeout=0.2) as c:
        c.delete("empty")
        # A raw BLPOP: the client does not know it blocks, so the socket timeout applies.
        with pytest.raises(TimeoutError) as e:
            c.execute_command("BLPOP", "empty", 5)
        assert isinstance(e.value, builtins.TimeoutError) and isinstance(e.value, DiskDBError)
        # The typed blpop knows and waits beyond socket_timeout.
        assert c.blpop("empty", timeout=0.5) is None
        assert c.ping() is True


def test_authentication():
    s = Server("--requirepass", "s3cret")
    try:
        with pytest.raises(AuthenticationError):
            s.client().get("a")
        with pytest.raises(AuthenticationError) as e:
            s.client(password="wrong").get("a")
        assert isinstance(e.value, DiskDBError)
        with s.client(password="s3cret") as c:
            assert c.set("a", "1") is True and c.get("a") == "1"
        with s.client(password="s3cret", username="default", protocol=3) as c:
            assert c.get("a") == "1"
        with s.client(password="s3cret", username="default") as c:
            assert c.get("a") == "1"
    finally:
        s.cleanup()


def test_shm_needs_a_socket_path():
    # The transport itself is tested in test_shm.py.
    with pytest.raises(DiskDBError) as e:
        DiskDB(shm=True)
    assert "unix_socket_path" in str(e.value)


def test_context_manager_closes(server):
    with server.client() as c:
        assert c.ping()
    with pytest.raises(ConnectionError):
        c.get("a")


# -- pool ---------------------------------------------------------------------------

def test_pool_thread_safety(server):
    with server.client(max_connections=4) as c:
        c.delete("counter")
        errors = []

        def work(n):
            try:
                for i in range(200):
                    c.incr("counter")
                    assert c.set("t%d" % n, i) and c.get("t%d" % n) == str(i)
            except Exception as e:  # pragma: no cover
                errors.append(e)
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert c.get("counter") == "1600"
        assert c._pool._created <= 4


# -- pipelines ----------------------------------------------------------------------

def test_pipeline(db):
    before = db.info("stats")["total_commands_processed"]
    with db.pipeline() as pipe:
        pipe.set("a", "1")
        pipe.incr("a", 5)
        pipe.lpush("l", "x", "y")
        pipe.get("a")
        pipe.zadd("z", {"m": 2})
        pipe.zrange("z", 0, -1, withscores=True)
        pipe.hgetall("nope")
        assert len(pipe) == 7
    assert pipe.results == [True, 6, 2, "6", 1, [("m", 2.0)], {}]
    after = db.info("stats")["total_commands_processed"]
    assert after - before == 7 + 1  # the 7 commands and the INFO itself
    # chaining and explicit execute
    assert db.pipeline().set("b", 1).get("b").execute() == [True, "1"]


def test_pipeline_errors(db):
    db.set("s", "x")
    pipe = db.pipeline()
    pipe.set("a", 1).lpush("s", "x").get("a")
    with pytest.raises(TypeMismatchError):
        pipe.execute()
    assert isinstance(pipe.results[1], TypeMismatchError) and pipe.results[2] == "1"
    pipe.set("a", 2).lpush("s", "x")
    res = pipe.execute(raise_on_error=False)
    assert res[0] is True and isinstance(res[1], TypeMismatchError)
    # an exception in the block sends nothing
    with pytest.raises(ValueError):
        with db.pipeline() as p:
            p.set("never", 1)
            raise ValueError
    assert db.get("never") is None


# -- transactions -------------------------------------------------------------------

def test_transaction(db):
    db.set("a", 1000)
    with db.transaction() as tx:
        tx.incr("a", -100)
        tx.incr("b", 100)
        assert tx.commit() == [900, 100]
    assert tx.results == [900, 100]
    assert db.get("a") == "900" and db.get("b") == "100"
    # without commit nothing runs
    with db.transaction() as tx:
        tx.set("never", 1)
    assert db.get("never") is None
    # a queueing error aborts the transaction
    with db.transaction() as tx:
        tx.set("x", 1)
        tx.execute_command("NOSUCH")
        with pytest.raises(ResponseError):
            tx.commit()
    assert db.get("x") is None
    # runtime errors stay in place, the rest ran
    db.set("s", "str")
    with db.transaction() as tx:
        tx.lpush("s", "x")
        tx.set("y", 1)
        with pytest.raises(TypeMismatchError):
            tx.commit()
        assert tx.results[1] is True
    assert db.get("y") == "1"


def test_watch_conflict(db, server):
    db.set("w", 1)
    other = server.client()
    with db.transaction() as tx:
        tx.watch("w")
        assert tx.get("w") == "1"  # runs at once while watching
        other.set("w", 5)
        tx.multi()
        tx.set("w", 2)
        with pytest.raises(WatchError):
            tx.commit()
    assert db.get("w") == "5"
    other.close()


def test_transactions_under_contention(server):
    with server.client(max_connections=16) as c:
        c.set("balance", 0)
        tries = []

        def add_one(tx):
            tries.append(1)
            v = int(tx.get("balance"))
            tx.multi()
            tx.set("balance", v + 1)

        def work():
            for _ in range(40):
                c.transaction_retry(add_one, "balance", retries=10000)
        threads = [threading.Thread(target=work) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert c.get("balance") == "200"
        assert len(tries) >= 200


# -- Pub/Sub ------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", [2, 3])
def test_pubsub(server, protocol):
    with server.client(protocol=protocol) as c:
        ps = c.pubsub()
        ps.subscribe("news", "sport")
        ps.psubscribe("user:*")
        assert ps.channels == {"news", "sport"} and ps.patterns == {"user:*"}
        msgs = [ps.get_message(timeout=5) for _ in range(3)]
        assert [m["type"] for m in msgs] == ["subscribe", "subscribe", "psubscribe"]
        assert ps.get_message(timeout=0.05) is None
        assert c.publish("news", "hello") == 1
        assert c.publish("user:1", "hi") == 1
        m = ps.get_message(timeout=5)
        assert m == {"type": "message", "channel": "news", "pattern": None, "data": "hello"}
        m = ps.get_message(timeout=5)
        assert m == {"type": "pmessage", "channel": "user:1", "pattern": "user:*",
                     "data": "hi"}
        ps.unsubscribe("news")
        assert c.publish("news", "gone") == 0
        c.publish("sport", "goal")
        m = ps.get_message(timeout=5, ignore_subscribe_messages=True)
        assert m["data"] == "goal"
        ps.unsubscribe()
        ps.punsubscribe()
        while ps.get_message(timeout=0.2):
            pass
        assert not ps.subscribed and list(ps.listen()) == []
        ps.close()
        assert c.ping() is True


def test_subscribe_iterator(server):
    with server.client() as c:
        received = []
        sub = c.subscribe("news")  # confirmed when it returns

        def reader():
            for message in sub:
                received.append(message)
                if message == "stop":
                    break
        t = threading.Thread(target=reader)
        t.start()
        for m in ("one", "two", "stop"):
            assert c.publish("news", m) == 1
        t.join(30)
        sub.close()
        assert received == ["one", "two", "stop"]
        psub = c.psubscribe("ev:*")
        c.publish("ev:a", "x")
        assert next(iter(psub)) == "x"
        psub.close()


# -- reconnects ---------------------------------------------------------------------

def test_reconnect_after_restart():
    s = Server(unixsocket=False)
    try:
        c = s.client()
        assert c.set("k", "v") is True
        s.kill9()
        s.start()
        with s.client() as fresh:
            fresh.set("k", "after")
        # The pooled connection is dead: a read retries once on a new one.
        assert c.get("k") == "after"
        s.kill9()
        s.start()
        # A write is never retried: it may have run before the connection dropped.
        with pytest.raises(ConnectionError):
            c.set("k", "lost?")
        assert c.set("k", "again") is True and c.get("k") == "again"
        s.kill9()
        with pytest.raises(ConnectionError):
            c.get("k")  # no server at all: the retry fails too
        c.close()
    finally:
        s.cleanup()


# -- Unix socket --------------------------------------------------------------------

def test_unix_socket(server):
    with DiskDB(unix_socket_path=server.sock) as u:
        u.set("over-unix", "yes")
        assert u.get("over-unix") == "yes"
        assert "unix" in repr(u)
        with server.client() as t:
            assert t.get("over-unix") == "yes"
    with pytest.raises(ConnectionError):
        DiskDB(unix_socket_path=server.sock + ".missing").ping()


def test_resp3_connection(server):
    with server.client(protocol=3) as c:
        c.flushall()
        hello = c.execute_command("HELLO")
        assert hello["proto"] == 3
        c.sadd("s", "a")
        assert c.smembers("s") == {"a"}
        assert c.execute_command("SMEMBERS", "s") == ["a"]
        assert c.zadd("z", {"a": 1}) == 1 and c.zscore("z", "a") == 1.0
        assert c.zrange("z", 0, -1, withscores=True) == [("a", 1.0)]
        c.set("x", "1")
        assert c.get("x") == "1" and c.get("none") is None


def test_transaction_without_with_returns_its_connection(server):
    with server.client(max_connections=1) as c:
        for i in range(5):
            tx = c.transaction()
            tx.set("t", i)
            assert tx.commit() == [True]
        assert c.get("t") == "4"  # the single pooled connection is free again


def test_subscriber_waits_past_socket_timeout(server):
    with server.client(socket_timeout=0.1) as c:
        sub = c.subscribe("slow")
        got = []
        t = threading.Thread(target=lambda: got.append(next(iter(sub))))
        t.start()
        # The reader is in its read once the server counts the subscriber; then stay
        # quiet for longer than socket_timeout (the point of the test, not a wait for
        # readiness): the read must not time out.
        assert c.execute_command("PUBSUB", "NUMSUB", "slow") == ["slow", 1]
        time.sleep(0.5)
        assert c.publish("slow", "late") == 1
        t.join(30)
        sub.close()
        assert got == ["late"]
