"""Lua scripting through redis-py against the real diskdb: redis-py's `Lock` (its
acquire, extend, reacquire and release are Lua scripts run with EVALSHA, falling back
to EVAL on NOSCRIPT) and a Lua token-bucket rate limiter that 50 concurrent clients hit
at once, which must admit exactly its budget (scripts run atomically)."""
import threading

import pytest
import redis
from redis.exceptions import LockError, LockNotOwnedError


def test_lock_acquire_extend_reacquire_release(r):
    lock = r.lock("res", timeout=100)
    assert lock.acquire(blocking=False)
    assert lock.locked() and lock.owned()
    ttl = r.pttl("res")
    assert 0 < ttl <= 100_000
    # Another holder cannot take it, neither at once nor within a blocking timeout.
    other = r.lock("res", timeout=100)
    assert not other.acquire(blocking=False)
    assert not other.acquire(blocking=True, blocking_timeout=0.2)
    assert not other.owned()
    # extend adds to the TTL; replace_ttl sets it; reacquire resets it to the timeout.
    assert lock.extend(1000)
    assert r.pttl("res") > 100_000
    assert lock.extend(50, replace_ttl=True)
    assert r.pttl("res") <= 50_000
    assert lock.reacquire()
    assert 50_000 < r.pttl("res") <= 100_000
    # Only the owner may extend or release: a wrong token gets LockNotOwnedError from
    # the scripts' answer.
    other.local.token = "someone-else"
    with pytest.raises(LockNotOwnedError):
        other.extend(10)
    with pytest.raises(LockNotOwnedError):
        other.reacquire()
    with pytest.raises(LockNotOwnedError):
        other.release()
    assert lock.owned()
    lock.release()
    assert not r.exists("res")
    with pytest.raises(LockError):
        lock.release()
    assert other.acquire(blocking=False)
    other.release()


def test_lock_blocking_acquire_waits_for_release(server, r):
    holder = r.lock("job", timeout=60)
    assert holder.acquire(blocking=False)
    waiting = threading.Event()
    got = []

    def waiter():
        c = server.client()
        lock = c.lock("job", timeout=60, sleep=0.01)
        waiting.set()
        got.append(lock.acquire(blocking=True, blocking_timeout=60))
        lock.release()
        c.close()

    t = threading.Thread(target=waiter)
    t.start()
    waiting.wait()
    holder.release()
    t.join()
    assert got == [True]
    assert not r.exists("job")


def test_lock_as_context_manager(r):
    with r.lock("ctx", timeout=10) as lock:
        assert lock.owned()
        assert r.exists("ctx")
    assert not r.exists("ctx")


TOKEN_BUCKET = """
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or capacity)
local last = tonumber(redis.call('HGET', KEYS[1], 'ts') or now_ms)
local refill = math.floor((now_ms - last) * per_ms)
if refill > 0 then
  tokens = math.min(capacity, tokens + refill)
  last = now_ms
end
local allowed = 0
if tokens > 0 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', last)
return allowed
"""


def test_token_bucket_admits_exactly_its_budget_under_50_clients(server, r):
    budget = 137
    # One token an hour: no whole token is refilled while the test runs.
    per_ms = "0.000000277"
    limiter = r.register_script(TOKEN_BUCKET)
    start = threading.Barrier(50)
    admitted = []
    lock = threading.Lock()

    def client():
        c = server.client()
        script = c.register_script(TOKEN_BUCKET)
        start.wait()
        mine = sum(script(keys=["bucket"], args=[budget, per_ms]) for _ in range(10))
        with lock:
            admitted.append(mine)
        c.close()

    threads = [threading.Thread(target=client) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 50
    assert sum(admitted) == budget
    assert int(r.hget("bucket", "tokens")) == 0
    assert limiter(keys=["bucket"], args=[budget, per_ms]) == 0
