"""Task queue: producers LPUSH JSON jobs, workers BRPOP them; a drained queue ends."""
import json
import threading

from _common import DiskDB, connect


def worker(db: DiskDB, done: list) -> None:
    while True:
        item = db.brpop("queue:jobs", timeout=5)
        if item is None:
            return
        job = json.loads(item[1])
        if job.get("stop"):
            return
        done.append(job["n"] * job["n"])


def main() -> None:
    with connect() as db:
        db.delete("queue:jobs")
        for n in range(10):
            db.lpush("queue:jobs", json.dumps({"n": n}))
        done: list = []
        workers = [threading.Thread(target=worker, args=(db, done)) for _ in range(3)]
        for w in workers:
            w.start()
        for _ in workers:
            db.lpush("queue:jobs", json.dumps({"stop": True}))
        for w in workers:
            w.join()
        assert sorted(done) == [n * n for n in range(10)], done
        # the promised drain loop
        db.lpush("queue:jobs", "a", "b", "c")
        drained = []
        while job := db.rpop("queue:jobs"):
            drained.append(job)
        assert drained == ["a", "b", "c"]
        print("task queue ok:", sorted(done))


if __name__ == "__main__":
    main()
