"""The shell (python -m diskdb / diskdb-cli) and the offline wheel build and install."""
import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1]


def cli(server, *args, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(PKG))
    p = subprocess.run([sys.executable, "-m", "diskdb", "-p", str(server.port), *args],
                       input=stdin, capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def test_cli_one_command(server, db):
    assert cli(server, "SET", "a", "1") == (0, "OK\n", "")
    assert db.get("a") == "1"
    assert cli(server, "GET", "a")[1] == "1\n"
    assert cli(server, "--no-raw", "GET", "a")[1] == '"1"\n'
    assert cli(server, "--no-raw", "GET", "nope")[1] == "(nil)\n"
    assert cli(server, "--no-raw", "INCR", "n")[1] == "(integer) 1\n"
    db.rpush("l", "x", "y")
    assert cli(server, "--no-raw", "LRANGE", "l", "0", "-1")[1] == '1) "x"\n2) "y"\n'
    assert cli(server, "--no-raw", "LRANGE", "none", "0", "-1")[1] == "(empty array)\n"
    code, out, _ = cli(server, "--no-raw", "LPUSH", "a", "x")
    assert code == 1 and out.startswith("(error) WRONGTYPE")
    assert cli(server, "-n", "2", "SET", "in2", "v")[1] == "OK\n"
    assert db.get("in2") is None
    code, out, _ = cli(server, "-3", "--no-raw", "HELLO")
    assert code == 0 and '# "proto" => (integer) 3' in out  # a RESP3 map, as redis-cli
    db.rpush("nested", "a")
    code, out, _ = cli(server, "--no-raw", "EXEC")
    assert code == 1 and out == "(error) ERR EXEC without MULTI\n"


def test_cli_repl_from_stdin(server, db):
    code, out, _ = cli(server, "--no-raw", stdin='SET k "two words"\nGET k\nEXISTS k\nquit\n')
    assert code == 0
    assert out.splitlines() == ["OK", '"two words"', "(integer) 1"]
    assert db.get("k") == "two words"


def test_cli_unix_socket_and_refused(server, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(PKG))
    p = subprocess.run([sys.executable, "-m", "diskdb", "-s", server.sock, "PING"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.stdout == "PONG\n"
    p = subprocess.run([sys.executable, "-m", "diskdb", "-s", str(tmp_path / "no.sock"), "PING"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 1 and "Could not connect" in p.stderr


def test_wheel_builds_offline_and_installs(server, tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                    "-w", str(wheels), str(PKG)], check=True, timeout=300)
    (whl,) = glob.glob(str(wheels / "*.whl"))
    assert os.path.basename(whl) == "diskdb-0.1.0-py3-none-any.whl"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = str(venv / "bin" / "python")
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-index", whl], check=True,
                   timeout=300)
    code = ("import diskdb, os; "
            "assert os.path.exists(os.path.join(os.path.dirname(diskdb.__file__), 'py.typed')); "
            "db = diskdb.DiskDB(host='127.0.0.1', port=%d); db.set('installed', 'yes'); "
            "print(db.get('installed'))" % server.port)
    out = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=str(tmp_path),
                         timeout=60)
    assert out.stdout == "yes\n", out.stderr
    out = subprocess.run([str(venv / "bin" / "diskdb-cli"), "-p", str(server.port), "GET",
                          "installed"], capture_output=True, text=True, timeout=60)
    assert out.stdout == "yes\n", out.stderr
    # pip install of the source directory itself, offline (the in-tree backend needs
    # nothing from an index), and the sdist
    subprocess.run([py, "-m", "pip", "uninstall", "-q", "-y", "diskdb"], check=True, timeout=300)
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-index", str(PKG)], check=True,
                   timeout=300)
    out = subprocess.run([py, "-c", "import diskdb; print(diskdb.__version__)"],
                         capture_output=True, text=True, cwd=str(tmp_path), timeout=60)
    assert out.stdout == "0.1.0\n", out.stderr
    sdist_dir = tmp_path / "sdist"
    sdist_dir.mkdir()
    subprocess.run([py, "-c", "import sys; sys.path.insert(0, %r); import _build_backend as b; "
                    "print(b.build_sdist(%r))" % (str(PKG), str(sdist_dir))], check=True,
                   timeout=60)
    (sdist,) = glob.glob(str(sdist_dir / "*.tar.gz"))
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-index", "--force-reinstall", sdist],
                   check=True, timeout=300)
    out = subprocess.run([py, "-c", "import diskdb; print(diskdb.__version__)"],
                         capture_output=True, text=True, cwd=str(tmp_path), timeout=60)
    assert out.stdout == "0.1.0\n", out.stderr


def test_wheel_record_hashes(tmp_path):
    import base64
    import hashlib
    import zipfile
    sys.path.insert(0, str(PKG))
    import _build_backend
    name = _build_backend.build_wheel(str(tmp_path))
    with zipfile.ZipFile(str(tmp_path / name)) as z:
        record = z.read("diskdb-0.1.0.dist-info/RECORD").decode().splitlines()
        names = set(z.namelist())
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            assert path in names
            if path.endswith("RECORD"):
                continue
            data = z.read(path)
            want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + want.decode() and int(size) == len(data)
        assert "diskdb/py.typed" in names
        assert "diskdb-cli = diskdb.cli:main" in z.read(
            "diskdb-0.1.0.dist-info/entry_points.txt").decode()


def test_python38_syntax():
    # No syntax newer than 3.8 in the package (3.11 runs the tests): parsing with
    # feature_version=(3, 8) rejects match statements, parenthesized context managers...
    import ast
    for f in sorted((PKG / "diskdb").glob("*.py")) + [PKG / "_build_backend.py"]:
        ast.parse(f.read_text(), filename=str(f), feature_version=(3, 8))
