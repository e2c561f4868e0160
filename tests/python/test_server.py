"""Connection and server commands through redis-py, against the real diskdb binary:
HELLO and RESP3, CLIENT, INFO, CONFIG, COMMAND, flushes and SHUTDOWN."""
import time

import pytest
import redis


def test_resp3_client_handshakes_with_hello(server):
    r3 = server.client(protocol=3)
    hello = r3.execute_command("HELLO", 3)
    assert hello["server"] == "redis"
    assert hello["proto"] == 3
    assert hello["version"].startswith("7.")
    assert hello["mode"] == "standalone"
    assert hello["role"] == "master"
    assert hello["modules"] == []
    assert hello["id"] == r3.client_id()
    assert r3.set("a", "1")
    assert r3.get("a") == "1"
    assert r3.get("missing") is None
    assert r3.config_get("maxclients") == {"maxclients": "10000"}
    info = r3.info("server")
    assert info["redis_mode"] == "standalone"


def test_resp2_hello_is_a_flat_list(r):
    hello = r.execute_command("HELLO", 2)
    if isinstance(hello, list):
        assert hello[::2] == ["server", "version", "proto", "id", "mode", "role", "modules"]
        hello = dict(zip(hello[::2], hello[1::2]))
    assert hello["proto"] == 2


def test_hello_errors(r):
    with pytest.raises(redis.ResponseError, match="NOPROTO unsupported protocol version"):
        r.execute_command("HELLO", 4)
    with pytest.raises(redis.ResponseError, match="Syntax error in HELLO option 'BOGUS'"):
        r.execute_command("HELLO", 3, "BOGUS")


def test_client_list_and_names(server, r):
    assert r.client_setname("py-client")
    assert r.client_getname() == "py-client"
    other = server.client()
    other.client_setname("other")
    clients = r.client_list()
    names = {c["name"] for c in clients}
    assert {"py-client", "other"} <= names
    me = [c for c in clients if c["name"] == "py-client"][0]
    assert int(me["id"]) == r.client_id()
    assert me["db"] == "0"
    assert me["flags"] == "N"
    info = r.client_info()
    assert info["name"] == "py-client"
    assert info["cmd"] == "client|info"
    # redis-py announces itself with CLIENT SETINFO on connect.
    assert info["lib-name"] == "redis-py"
    assert r.client_list(client_id=[str(r.client_id())])[0]["name"] == "py-client"
    with pytest.raises(redis.ResponseError, match="Client names cannot contain spaces"):
        r.client_setname("two words")


def test_client_kill_by_id(server, r):
    victim = server.client()
    victim_id = victim.client_id()
    assert r.client_kill_filter(_id=victim_id) == 1
    assert r.client_kill_filter(_id=victim_id) == 0
    ids = [int(c["id"]) for c in r.client_list()]
    assert victim_id not in ids


def test_client_no_evict_and_reply(r):
    assert r.client_no_evict("on") == "OK"
    assert "e" in r.client_info()["flags"]
    assert r.client_no_evict("off") == "OK"


def test_info_sections(r):
    r.set("k1", "v")
    r.set("k2", "v")
    info = r.info()
    assert info["redis_version"].startswith("7.")
    assert info["role"] == "master"
    assert info["connected_clients"] >= 1
    assert info["db0"] == {"keys": 2, "expires": 0, "avg_ttl": 0}
    assert r.info("keyspace") == {"db0": {"keys": 2, "expires": 0, "avg_ttl": 0}}
    stats = r.info("commandstats")
    assert stats["cmdstat_set"]["calls"] == 2
    assert "usec_per_call" in stats["cmdstat_set"]
    everything = r.info("everything")
    assert "cmdstat_info" in everything
    assert "used_memory" in r.info("memory")


def test_config_get_set_resetstat(r):
    assert r.config_get("maxclients") == {"maxclients": "10000"}
    assert set(r.config_get("max*")) >= {"maxclients"}
    assert r.config_set("timeout", 123)
    assert r.config_get("timeout") == {"timeout": "123"}
    assert r.execute_command("CONFIG SET", "maxclients", "99", "hz", "15") in (True, "OK", b"OK")
    assert r.config_get("maxclients")["maxclients"] == "99"
    with pytest.raises(redis.ResponseError, match="Unknown option or number of arguments for CONFIG SET - 'nosuch'"):
        r.config_set("nosuch", 1)
    with pytest.raises(redis.ResponseError, match="can't set immutable config"):
        r.config_set("databases", 4)
    r.get("x")
    assert r.config_resetstat()
    assert "cmdstat_get" not in r.info("commandstats")


def test_command_table(r):
    commands = r.command()
    assert commands["get"]["arity"] == 2
    assert "readonly" in commands["get"]["flags"]
    assert commands["set"]["first_key_pos"] == 1
    assert r.command_count() == len(commands)
    names = r.command_list()
    assert "config|get" in names
    assert r.command_list(pattern="dbs*") == ["dbsize"]
    assert r.command_getkeys("SET", "a", "b") == ["a"]
    assert r.command_getkeys("DEL", "a", "b") == ["a", "b"]


def test_command_info_and_docs_raw(r):
    info = r.execute_command("COMMAND INFO", "get")
    entry = info["get"] if isinstance(info, dict) else info[0]
    if isinstance(entry, dict):
        assert entry["arity"] == 2
    else:
        assert entry[0] == "get" and entry[1] == 2
    docs = r.execute_command("COMMAND DOCS", "get")
    if isinstance(docs, list):
        docs = {docs[0]: dict(zip(docs[1][::2], docs[1][1::2]))}
    assert docs["get"]["summary"]
    assert docs["get"]["since"] == "1.0.0"
    assert docs["get"]["group"] == "string"


def test_command_docs_resp3_is_a_map(server):
    r3 = server.client(protocol=3)
    docs = r3.execute_command("COMMAND DOCS", "get", "config")
    assert set(docs) == {"get", "config"}
    assert docs["get"]["complexity"] == "O(1)"
    assert "config|get" in docs["config"]["subcommands"]


def test_dbsize_flush_time_lastsave(r):
    for i in range(10):
        r.set(f"k{i}", i)
    assert r.dbsize() == 10
    assert r.flushdb()
    assert r.dbsize() == 0
    r.set("a", 1)
    assert r.flushall(asynchronous=True)
    assert r.dbsize() == 0
    secs, usecs = r.time()
    assert abs(secs - time.time()) < 5
    assert 0 <= usecs < 1_000_000
    assert abs(r.lastsave().timestamp() - time.time()) < 10


def test_shutdown_then_restart_keeps_data(server, r):
    r.set("survivor", "yes")
    r.shutdown()
    assert server.proc.wait(timeout=60) == 0
    server.proc = None
    server.start()
    assert server.client().get("survivor") == "yes"


def test_reset_returns_to_resp2(server):
    r3 = server.client(protocol=3)
    r3.client_setname("n")
    assert r3.execute_command("RESET") == "RESET"
    # The connection speaks RESP2 again (redis-py still expects RESP3, so read only
    # replies that look the same in both).
    hello = r3.execute_command("HELLO")
    if isinstance(hello, list):
        hello = dict(zip(hello[::2], hello[1::2]))
    assert hello["proto"] == 2
    assert r3.execute_command("CLIENT INFO")["name"] == ""
