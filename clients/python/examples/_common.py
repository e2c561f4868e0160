"""Shared by the examples: connect to the server named on the command line.

    python examples/<name>.py [port] [host]      (default localhost 6380)"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from diskdb import DiskDB  # noqa: E402


def connect() -> DiskDB:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6380
    host = sys.argv[2] if len(sys.argv) > 2 else "localhost"
    return DiskDB(host=host, port=port)
