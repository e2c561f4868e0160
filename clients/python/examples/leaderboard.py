"""Leaderboard: a sorted set of scores, top players with their scores and ranks."""
from _common import connect


def main() -> None:
    with connect() as db:
        db.delete("leaderboard")
        db.zadd("leaderboard", {"alice": 2500, "bob": 1800, "carol": 3100, "dave": 900})
        db.zincrby("leaderboard", 500, "bob")
        top = []
        for player, score in db.zrange("leaderboard", 0, 2, withscores=True, desc=True):
            top.append((player, score))
        assert top == [("carol", 3100.0), ("alice", 2500.0), ("bob", 2300.0)], top
        assert db.zrevrank("leaderboard", "dave") == 3
        assert db.zscore("leaderboard", "nobody") is None
        for rank, (player, score) in enumerate(top, 1):
            print("%d. %-6s %6.0f" % (rank, player, score))


if __name__ == "__main__":
    main()
