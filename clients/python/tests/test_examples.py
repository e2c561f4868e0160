"""Every example under examples/ runs to completion against the real server."""
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def test_all_examples_listed():
    assert NAMES == ["event_stream", "json_profiles", "leaderboard", "rate_limiter",
                     "session_store", "task_queue"]


@pytest.mark.parametrize("name", NAMES)
def test_example(server, name):
    p = subprocess.run([sys.executable, str(EXAMPLES / (name + ".py")), str(server.port),
                        "127.0.0.1"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "ok" in p.stdout or name == "leaderboard"
