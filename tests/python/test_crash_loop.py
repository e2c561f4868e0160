"""A few cycles of benches/crash_loop.py in `make test`: kill -9 under a mixed write load of
every type (strings with TTLs, lists, hashes, sets, sorted sets, streams with a group,
JSON, MULTI/EXEC, scripts), restart, and the data equals the load's model: nothing
acknowledged lost, nothing half-applied. The script runs 100 cycles on its own."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benches"))
import crash_loop  # noqa: E402


@pytest.mark.parametrize("appendfsync", ["always", "everysec"])
def test_crash_loop_keeps_every_acknowledged_operation_whole(appendfsync):
    ops = crash_loop.run(cycles=4, clients=3, appendfsync=appendfsync, seed=1234, min_ms=100, max_ms=600, log=lambda *_: None)
    assert ops > 0
