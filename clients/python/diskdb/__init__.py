"""DiskDB's own Python client: standard library only, typed, RESP2 and RESP3.

    from diskdb import DiskDB
    with DiskDB(host="localhost", port=6380) as db:
        db.set("greeting", "hello")
        db.get("greeting")        # 'hello'
"""
from .client import DiskDB, Pipeline, PubSub, Subscription, Transaction, READ_ONLY_COMMANDS
from .connection import Connection, ConnectionPool
from .exceptions import (AuthenticationError, BusyLoadingError, ConnectionError, DiskDBError,
                         InvalidResponse, NoScriptError, PubSubError, ReadOnlyError,
                         ResponseError, TimeoutError, TypeMismatchError, WatchError)

__version__ = "0.1.0"

__all__ = [
    "DiskDB", "Pipeline", "Transaction", "PubSub", "Subscription", "Connection",
    "ConnectionPool", "READ_ONLY_COMMANDS", "DiskDBError", "ResponseError",
    "TypeMismatchError", "AuthenticationError", "ConnectionError", "TimeoutError",
    "WatchError", "PubSubError", "NoScriptError", "ReadOnlyError", "BusyLoadingError",
    "InvalidResponse", "__version__",
]
