"""A PEP 517 build backend using the standard library only (wheel and sdist by hand).

Why: ``pip install ./clients/python`` must work offline. With setuptools or hatchling
as the backend, pip would download it into an isolated build environment first; this
backend needs nothing (``requires = []``), so the install never touches the network.

It writes a pure-Python wheel (``diskdb/*.py`` and ``py.typed``; METADATA, WHEEL,
entry_points.txt for ``diskdb-cli``, RECORD with sha256 digests), an editable wheel
(PEP 660, a .pth file pointing here) and an sdist tar.gz with PKG-INFO.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "diskdb"
PACKAGE = "diskdb"


def _project():
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()

    def field(name):
        m = re.search(r'^%s\s*=\s*"([^"]*)"' % name, text, re.M)
        return m.group(1) if m else ""
    return {"version": field("version"), "summary": field("description"),
            "requires_python": field("requires-python")}


def _metadata():
    p = _project()
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % NAME,
        "Version: %s" % p["version"],
        "Summary: %s" % p["summary"],
        "License: MIT",
        "Requires-Python: %s" % p["requires_python"],
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Typing :: Typed",
        "Description-Content-Type: text/markdown",
    ]
    readme = os.path.join(HERE, "README.md")
    body = ""
    if os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            body = f.read()
    return "\n".join(lines) + "\n\n" + body


def _wheel_name(version):
    return "%s-%s-py3-none-any.whl" % (NAME, version)


def _dist_info(version):
    return "%s-%s.dist-info" % (NAME, version)


_WHEEL = "Wheel-Version: 1.0\nGenerator: diskdb _build_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
_ENTRY_POINTS = "[console_scripts]\ndiskdb-cli = diskdb.cli:main\n"


def _package_files():
    out = []
    root = os.path.join(HERE, PACKAGE)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for fn in sorted(filenames):
            if fn.endswith(".py") or fn == "py.typed":
                full = os.path.join(dirpath, fn)
                out.append((os.path.relpath(full, HERE).replace(os.sep, "/"), full))
    return out


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def _write_wheel(wheel_directory, files):
    version = _project()["version"]
    dist_info = _dist_info(version)
    files = list(files) + [
        (dist_info + "/METADATA", _metadata().encode()),
        (dist_info + "/WHEEL", _WHEEL.encode()),
        (dist_info + "/entry_points.txt", _ENTRY_POINTS.encode()),
        (dist_info + "/top_level.txt", (PACKAGE + "\n").encode()),
    ]
    record = [_record_line(n, d) for n, d in files] + [dist_info + "/RECORD,,"]
    files.append((dist_info + "/RECORD", ("\n".join(record) + "\n").encode()))
    name = _wheel_name(version)
    path = os.path.join(wheel_directory, name)
    stamp = (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files:
            info = zipfile.ZipInfo(n, stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, d)
    return name


# -- PEP 517 hooks ------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    version = _project()["version"]
    d = os.path.join(metadata_directory, _dist_info(version))
    os.makedirs(d, exist_ok=True)
    for name, text in (("METADATA", _metadata()), ("WHEEL", _WHEEL),
                       ("entry_points.txt", _ENTRY_POINTS), ("top_level.txt", PACKAGE + "\n")):
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
    return _dist_info(version)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = []
    for rel, full in _package_files():
        with open(full, "rb") as f:
            files.append((rel, f.read()))
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [("diskdb_editable.pth", (HERE + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    version = _project()["version"]
    base = "%s-%s" % (NAME, version)
    name = base + ".tar.gz"
    members = [("pyproject.toml", os.path.join(HERE, "pyproject.toml")),
               ("_build_backend.py", os.path.join(HERE, "_build_backend.py"))]
    for extra in ("README.md",):
        if os.path.exists(os.path.join(HERE, extra)):
            members.append((extra, os.path.join(HERE, extra)))
    members += _package_files()
    now = int(time.time())
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as t:
        for rel, full in members:
            with open(full, "rb") as f:
                data = f.read()
            _add(t, base + "/" + rel, data, now)
        _add(t, base + "/PKG-INFO", _metadata().encode(), now)
    return name


def _add(t, name, data, mtime):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = mtime
    info.mode = 0o644
    t.addfile(info, io.BytesIO(data))
