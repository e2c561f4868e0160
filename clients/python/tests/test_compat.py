"""Python 3.8 (the oldest supported): the package imports and runs there, and every
public method carries type hints."""
import inspect
import os
import subprocess
from pathlib import Path

import pytest

import diskdb

PKG = Path(__file__).resolve().parents[1]
PY38 = os.environ.get("PY38", os.path.expanduser("~/.pyenv/versions/3.8.18/bin/python3.8"))

SCRIPT = """
import sys
sys.path.insert(0, %r)
import diskdb
with diskdb.DiskDB(host="127.0.0.1", port=%d, protocol=%d) as db:
    db.set("py38", "yes")
    assert db.get("py38") == "yes"
    db.zadd("py38z", {"a": 1})
    assert db.zrange("py38z", 0, -1, withscores=True) == [("a", 1.0)]
    db.json_set("py38j", "$", {"a": [1, 2]})
    assert db.json_get("py38j", "$.a") == [1, 2]
    with db.pipeline() as p:
        p.incr("py38n"); p.incr("py38n")
    assert p.results == [1, 2]
    try:
        db.lpush("py38", "x")
    except diskdb.TypeMismatchError:
        print("ok")
"""


@pytest.mark.skipif(not os.path.exists(PY38), reason="no Python 3.8 interpreter at " + PY38)
@pytest.mark.parametrize("protocol", [2, 3])
def test_runs_on_python38(server, protocol):
    server.client().delete("py38n")
    p = subprocess.run([PY38, "-c", SCRIPT % (str(PKG), server.port, protocol)],
                       capture_output=True, text=True, timeout=60)
    assert p.stdout == "ok\n", p.stderr
    p = subprocess.run([PY38, "-m", "diskdb", "-p", str(server.port), "PING"],
                       capture_output=True, text=True, timeout=60, cwd=str(PKG))
    assert p.stdout == "PONG\n", p.stderr


def test_public_methods_have_type_hints():
    classes = [diskdb.DiskDB, diskdb.Pipeline, diskdb.Transaction, diskdb.PubSub,
               diskdb.Subscription, diskdb.Connection, diskdb.ConnectionPool]
    missing = []
    for cls in classes:
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") and name not in ("__init__", "__enter__"):
                continue
            sig = inspect.signature(fn)
            if sig.return_annotation is inspect.Signature.empty:
                missing.append("%s.%s -> ?" % (cls.__name__, name))
            for p in list(sig.parameters.values())[1:]:
                if p.annotation is inspect.Parameter.empty:
                    missing.append("%s.%s(%s)" % (cls.__name__, name, p.name))
    assert not missing, missing
