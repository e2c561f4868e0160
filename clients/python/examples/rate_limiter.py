"""Rate limiter: a fixed-window counter per client, INCR and EXPIRE in one transaction."""
import time
from typing import Optional

from _common import DiskDB, connect

LIMIT = 5
WINDOW = 60


def allow(db: DiskDB, client: str, now: Optional[float] = None) -> bool:
    """True while ``client`` made at most LIMIT calls in the current window."""
    now = time.time() if now is None else now
    key = "rate:%s:%d" % (client, int(now) // WINDOW)
    with db.transaction() as tx:
        tx.incr(key)
        tx.expire(key, WINDOW)
        count, _ = tx.commit()
    return count <= LIMIT


def main() -> None:
    with connect() as db:
        for k in db.scan_iter(match="rate:*"):
            db.delete(k)
        now = time.time()
        results = [allow(db, "10.0.0.1", now) for _ in range(8)]
        assert results == [True] * LIMIT + [False] * 3, results
        assert allow(db, "10.0.0.2", now) is True
        assert allow(db, "10.0.0.1", now + WINDOW) is True  # the next window
        assert 0 < db.ttl("rate:10.0.0.1:%d" % (int(now) // WINDOW)) <= WINDOW
        print("rate limiter ok:", results)


if __name__ == "__main__":
    main()
