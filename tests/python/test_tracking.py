"""Client-side caching with redis-py's own cache (redis-py >= 5.1, RESP3,
`cache_config=CacheConfig()`) against the real diskdb: a cached GET is answered
locally (the server's `cmdstat_get` does not move) until another client writes the key,
then fetched once and cached again; FLUSHALL's null invalidation empties the cache.

redis-py turns its cache on only for servers whose HELLO says `redis` >= 7.4.0;
DiskDB says 7.2.4, so the tests lower that gate: the protocol (CLIENT TRACKING ON and
RESP3 `invalidate` pushes) is the same since Redis 6. redis-py caches in default
tracking mode only (no BCAST): BCAST is tested in tests/tracking.rs.
"""
import time

import pytest
import redis
from redis.cache import CacheConfig, CacheKey
from redis.connection import CacheProxyConnection


@pytest.fixture
def cached(server, monkeypatch):
    monkeypatch.setattr(CacheProxyConnection, "MIN_ALLOWED_VERSION", "7.2.0")
    c = redis.Redis(port=server.port, protocol=3, cache_config=CacheConfig(), decode_responses=True)
    yield c
    c.close()


def get_calls(client):
    """GET commands the server has run (INFO commandstats)."""
    return client.info("commandstats").get("cmdstat_get", {}).get("calls", 0)


def wait_for(cond, timeout=10.0):
    """Polls `cond` until it holds (an invalidation travels on its own)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_cached_get_is_served_locally_until_another_client_writes(server, cached):
    w = server.client()
    w.set("foo", "bar")
    assert cached.get("foo") == "bar"
    info = cached.client_trackinginfo()
    assert "on" in info["flags"]
    cache = cached.get_cache()
    assert cache.get(CacheKey(command="GET", redis_keys=("foo",))).cache_value == "bar"
    before = get_calls(w)
    for _ in range(20):
        assert cached.get("foo") == "bar"
    assert get_calls(w) == before, "cached GETs must not reach the server"

    w.set("foo", "baz")
    # Until the invalidation arrives the old value may still be served locally; then
    # exactly one GET goes to the server and its answer is cached again.
    assert wait_for(lambda: cached.get("foo") == "baz")
    assert get_calls(w) == before + 1
    for _ in range(5):
        assert cached.get("foo") == "baz"
    assert get_calls(w) == before + 1
    assert cache.get(CacheKey(command="GET", redis_keys=("foo",))).cache_value == "baz"


def test_own_write_invalidates_and_flushall_empties_the_cache(server, cached):
    w = server.client()
    cached.set("a", "1")
    cached.set("b", "2")
    assert cached.get("a") == "1" and cached.get("b") == "2"
    cache = cached.get_cache()
    assert cache.size == 2
    # The client's own write: its invalidation follows the SET's reply.
    cached.set("a", "10")
    assert cached.get("a") == "10"
    before = get_calls(w)
    assert cached.get("a") == "10"
    assert get_calls(w) == before
    w.flushall()
    # The null invalidation empties the whole cache.
    assert wait_for(lambda: cached.get("b") is None)
    assert cache.get(CacheKey(command="GET", redis_keys=("a",))) is None
    assert cached.get("a") is None
    assert w.exists("a", "b") == 0
