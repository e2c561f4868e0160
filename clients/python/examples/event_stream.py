"""Event stream: XADD events, a consumer group reads and acknowledges them."""
from _common import connect


def main() -> None:
    with connect() as db:
        db.delete("events")
        db.xgroup_create("events", "auditors", "$", mkstream=True)
        ids = [db.xadd("events", {"action": "login", "ip": "192.168.1.1"}),
               db.xadd("events", {"action": "purchase", "amount": "42"}),
               db.xadd("events", {"action": "logout"}, maxlen=1000)]
        recent = db.xrange("events", "-", "+", count=10)
        assert [i for i, _ in recent] == ids
        got = db.xreadgroup("auditors", "worker-1", {"events": ">"}, count=10)
        handled = []
        for entry_id, fields in got["events"]:
            handled.append(fields["action"])
            db.xack("events", "auditors", entry_id)
        assert handled == ["login", "purchase", "logout"]
        assert db.xpending("events", "auditors")["pending"] == 0
        print("event stream ok:", handled)


if __name__ == "__main__":
    main()
