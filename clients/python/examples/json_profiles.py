"""JSON profiles: documents updated in place with JSONPath."""
from _common import connect


def main() -> None:
    with connect() as db:
        db.json_set("user:1", "$", {"name": "Alice", "address": {"city": "NYC"},
                                    "interests": ["chess"], "visits": 0})
        db.json_arrappend("user:1", "$.interests", "go")
        db.json_numincrby("user:1", "$.visits", 1)
        db.json_set("user:1", "$.address.city", "Boston")
        assert db.json_get("user:1", "$.address.city") == "Boston"
        assert db.json_get("user:1", "$.interests") == ["chess", "go"]
        assert db.json_get("user:1", "$.visits") == 1
        assert db.json_get("user:1", "$.phone") is None
        assert db.type("user:1") == "json"
        print("profile ok:", db.json_get("user:1"))


if __name__ == "__main__":
    main()
