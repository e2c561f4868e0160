"""Session store: a hash per session with a sliding expiry."""
import secrets
from typing import Dict, Optional

from _common import DiskDB, connect

TTL = 1800


def create_session(db: DiskDB, user: str) -> str:
    sid = secrets.token_hex(16)
    db.hset("session:" + sid, mapping={"user": user, "cart": "0"})
    db.expire("session:" + sid, TTL)
    return sid


def load_session(db: DiskDB, sid: str) -> Optional[Dict[str, str]]:
    data = db.hgetall("session:" + sid)
    if not data:
        return None
    db.expire("session:" + sid, TTL)  # sliding expiry: each visit extends it
    return data


def main() -> None:
    with connect() as db:
        sid = create_session(db, "alice")
        db.hincrby("session:" + sid, "cart", 2)
        session = load_session(db, sid)
        assert session == {"user": "alice", "cart": "2"}, session
        assert 0 < db.ttl("session:" + sid) <= TTL
        db.delete("session:" + sid)  # logout
        assert load_session(db, sid) is None
        print("session ok:", session)


if __name__ == "__main__":
    main()
