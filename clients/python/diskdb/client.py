"""The DiskDB client: a pool of connections, pipelines, transactions and Pub/Sub."""
import functools
import socket
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from .commands import Commands, KeyT
from .connection import (Connection, ConnectionPool, Push, make_ssl_context, pack_command,
                         pack_commands, shm_transport, tcp_transport, unix_transport)
from .exceptions import (ConnectionError, DiskDBError, PubSubError, ResponseError,
                         TimeoutError, WatchError)

# Commands that only read: after a dropped connection these are sent once more on a
# fresh connection. Writes are never retried (the first attempt may have run).
READ_ONLY_COMMANDS = frozenset("""
GET MGET EXISTS TTL PTTL TYPE STRLEN GETRANGE SUBSTR LLEN LRANGE LINDEX LPOS SISMEMBER
SMISMEMBER SMEMBERS SCARD SINTER SUNION SDIFF SINTERCARD HGET HMGET HGETALL HEXISTS HKEYS
HVALS HLEN HSTRLEN ZRANGE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
ZREVRANGEBYLEX ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK SCAN SSCAN HSCAN ZSCAN
KEYS RANDOMKEY DBSIZE PING ECHO INFO TIME LASTSAVE JSON.GET JSON.MGET JSON.TYPE JSON.STRLEN
JSON.ARRLEN JSON.ARRINDEX JSON.OBJKEYS JSON.OBJLEN XRANGE XREVRANGE XLEN XINFO XPENDING
GETBIT BITCOUNT BITPOS PFCOUNT GEOPOS GEODIST GEOHASH GEOSEARCH OBJECT DUMP
""".split())

_DEFAULT = object()


class DiskDB(Commands):
    """A DiskDB client. Thread-safe: each call borrows a connection from a pool.

    ``DiskDB(host='localhost', port=6380)``; ``with DiskDB() as db: ...`` closes on exit.
    Values come back as ``str`` (``decode=False``: bytes); missing values as None.
    """

    def __init__(self, host: str = "localhost", port: int = 6380, db: int = 0,
                 password: Optional[str] = None, username: Optional[str] = None,
                 ssl: bool = False, ssl_ca_certs: Optional[str] = None,
                 ssl_certfile: Optional[str] = None, ssl_keyfile: Optional[str] = None,
                 ssl_check_hostname: bool = True,
                 unix_socket_path: Optional[str] = None, shm: bool = False,
                 decode: bool = True, protocol: int = 2,
                 socket_timeout: Optional[float] = None, connect_timeout: Optional[float] = 10.0,
                 max_connections: int = 64, client_name: Optional[str] = None) -> None:
        if protocol not in (2, 3):
            raise DiskDBError("protocol must be 2 or 3")
        self.host, self.port, self.db = host, port, db
        self.decode = decode
        self.protocol = protocol
        self.socket_timeout = socket_timeout
        factory: Callable[[], Any]
        if shm:
            factory = functools.partial(shm_transport, unix_socket_path, connect_timeout)
            desc = "shm:%s" % unix_socket_path
            if not unix_socket_path:
                raise DiskDBError("shm=True needs unix_socket_path= (the server's unixsocket)")
            if ssl:
                raise DiskDBError("shm=True and ssl=True exclude each other")
        elif unix_socket_path:
            factory = functools.partial(unix_transport, unix_socket_path, connect_timeout)
            desc = "unix:%s" % unix_socket_path
        else:
            factory = functools.partial(tcp_transport, host, port, connect_timeout)
            desc = "%s:%s" % (host, port)
        if ssl:
            ctx = make_ssl_context(ssl_ca_certs, ssl_certfile, ssl_keyfile, ssl_check_hostname)
            plain = factory
            server_name = None if unix_socket_path else host

            def factory() -> Any:  # type: ignore[no-redef]
                raw = plain()
                try:
                    return ctx.wrap_socket(raw, server_hostname=server_name)
                except OSError as e:
                    raw.close()
                    raise ConnectionError("TLS handshake with %s failed: %s" % (desc, e)) from e
            desc = "tls:" + desc
        self._description = desc
        self._conn_kwargs: Dict[str, Any] = dict(
            db=db, password=password, username=username, decode=decode, protocol=protocol,
            socket_timeout=socket_timeout, client_name=client_name, description=desc)
        self._transport = factory
        self._pool = ConnectionPool(self._new_connection, max_connections)

    def _new_connection(self) -> Connection:
        return Connection(self._transport, **self._conn_kwargs)

    def __repr__(self) -> str:
        return "DiskDB<%s db=%d>" % (self._description, self.db)

    def __enter__(self) -> "DiskDB":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection; the client cannot be used afterwards."""
        self._pool.close()

    # -- running commands ------------------------------------------------------

    def _cmd(self, args: List[Any], callback: Optional[Callable[[Any], Any]] = None,
             blocking: bool = False) -> Any:
        pool = self._pool
        conn = pool.get()
        try:
            if conn._sock is None:
                conn.connect()
            packed = pack_command(args)
            if blocking and conn.socket_timeout is not None:
                conn.settimeout(None)
            try:
                conn.send_packed(packed)
                reply = conn.read_response()
            except ConnectionError:
                name = args[0].upper() if isinstance(args[0], str) else args[0]
                if name not in READ_ONLY_COMMANDS:
                    raise
                conn.connect()
                conn.send_packed(packed)
                reply = conn.read_response()
            finally:
                if blocking and conn.socket_timeout is not None:
                    conn.settimeout(conn.socket_timeout)
        except BaseException:
            conn.disconnect()
            pool.release(conn)
            raise
        pool.release(conn)
        if reply.__class__ is str or reply is None or reply.__class__ is int:
            return reply if callback is None else callback(reply)
        if isinstance(reply, ResponseError):
            raise reply
        return reply if callback is None else callback(reply)

    # -- pipelines, transactions, Pub/Sub --------------------------------------

    def pipeline(self) -> "Pipeline":
        """``with db.pipeline() as pipe: pipe.set(...); pipe.incr(...)`` sends every
        queued command in one round trip when the block ends; ``pipe.results`` holds the
        replies (``pipe.execute()`` sends earlier and returns them)."""
        return Pipeline(self)

    def transaction(self) -> "Transaction":
        """``with db.transaction() as tx: ...; tx.commit()`` runs MULTI/EXEC; ``tx.watch``
        first makes it optimistic (WatchError when a watched key changed)."""
        return Transaction(self)

    def transaction_retry(self, func: Callable[["Transaction"], Any], *watch_keys: KeyT,
                          retries: int = 100) -> List[Any]:
        """Run ``func(tx)`` with ``watch_keys`` watched, then EXEC; on a WATCH conflict
        run it again (up to ``retries`` times). Inside ``func`` reads (``tx.get``) run at
        once and return values; after ``tx.multi()`` commands are queued. Returns EXEC's
        replies."""
        for _ in range(retries + 1):
            with self.transaction() as tx:
                tx.watch(*watch_keys)
                try:
                    func(tx)
                    if not tx.committed:
                        tx.commit()
                    return tx.results
                except WatchError:
                    continue
        raise WatchError("transaction aborted: watched keys kept changing (%d tries)"
                         % (retries + 1))

    def pubsub(self) -> "PubSub":
        """A Pub/Sub session on its own connection."""
        return PubSub(self)

    def subscribe(self, *channels: KeyT) -> "Subscription":
        """``for message in db.subscribe("news"): ...`` yields each message's payload.
        The subscription is confirmed by the server before this returns."""
        ps = self.pubsub()
        ps.subscribe(*channels)
        return Subscription(ps)

    def psubscribe(self, *patterns: KeyT) -> "Subscription":
        ps = self.pubsub()
        ps.psubscribe(*patterns)
        return Subscription(ps)


class Pipeline(Commands):
    """Queues commands; ``execute()`` (or the end of a ``with`` block) sends them all in
    one write and reads every reply. Methods return the pipeline, so calls chain."""

    def __init__(self, client: DiskDB) -> None:
        self._client = client
        self._queue: List[Tuple[List[Any], Optional[Callable[[Any], Any]]]] = []
        self.results: List[Any] = []

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.execute()
        else:
            self._queue = []

    def __len__(self) -> int:
        return len(self._queue)

    def _cmd(self, args: List[Any], callback: Optional[Callable[[Any], Any]] = None,
             blocking: bool = False) -> Any:
        self._queue.append((args, callback))
        return self

    def _now(self, value: Any) -> Any:
        raise DiskDBError("*_iter helpers cannot run in a pipeline")

    def execute(self, raise_on_error: bool = True) -> List[Any]:
        """Send the queued commands; their replies (shaped like the client's) in order.
        Error replies stay in place as ResponseError; with raise_on_error the first is
        raised after every reply was read."""
        queue, self._queue = self._queue, []
        if not queue:
            self.results = []
            return self.results
        pool = self._client._pool
        conn = pool.get()
        try:
            conn.send_packed(pack_commands([a for a, _ in queue]))
            replies = [conn.read_response() for _ in queue]
        except BaseException:
            conn.disconnect()
            pool.release(conn)
            raise
        pool.release(conn)
        self.results = _shape(queue, replies)
        if raise_on_error:
            _raise_first(self.results)
        return self.results


def _shape(queue: Sequence[Tuple[List[Any], Optional[Callable[[Any], Any]]]],
           replies: Sequence[Any]) -> List[Any]:
    out = []
    for (_, cb), r in zip(queue, replies):
        if isinstance(r, ResponseError) or cb is None:
            out.append(r)
        else:
            out.append(cb(r))
    return out


def _raise_first(results: Sequence[Any]) -> None:
    for r in results:
        if isinstance(r, ResponseError):
            raise r


class Transaction(Commands):
    """MULTI/EXEC on one dedicated connection.

    Commands are queued and sent as MULTI, ..., EXEC by ``commit()`` in one round trip;
    ``results`` holds EXEC's replies. After ``watch(*keys)`` commands run at once (to read
    the watched values) until ``multi()``; then they are queued. A block left without
    ``commit()`` (or with an exception) discards the transaction."""

    def __init__(self, client: DiskDB) -> None:
        self._client = client
        self._conn: Optional[Connection] = None
        self._queue: List[Tuple[List[Any], Optional[Callable[[Any], Any]]]] = []
        self._immediate = False
        self.committed = False
        self.results: List[Any] = []

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.reset()

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._client._pool.get()
            if self._conn._sock is None:
                self._conn.connect()
        return self._conn

    def reset(self) -> None:
        """Forget queued commands and watches; give the connection back."""
        self._queue = []
        self._immediate = False
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                if conn.connected:
                    conn.command(["UNWATCH"])
            except DiskDBError:
                conn.disconnect()
            self._client._pool.release(conn)

    def watch(self, *keys: KeyT) -> None:
        """WATCH keys; until ``multi()``, commands run at once and return their values."""
        conn = self._connection()
        try:
            conn.command(["WATCH", *keys])
        except (ConnectionError, TimeoutError):
            conn.disconnect()
            raise
        self._immediate = True

    def unwatch(self) -> None:
        if self._conn is not None:
            self._conn.command(["UNWATCH"])
        self._immediate = False

    def multi(self) -> None:
        """Start queueing (needed only after ``watch``)."""
        self._immediate = False

    def _cmd(self, args: List[Any], callback: Optional[Callable[[Any], Any]] = None,
             blocking: bool = False) -> Any:
        if self._immediate:
            conn = self._connection()
            try:
                reply = conn.command(args)
            except (ConnectionError, TimeoutError):
                conn.disconnect()
                raise
            return reply if callback is None else callback(reply)
        self._queue.append((args, callback))
        return self

    def _now(self, value: Any) -> Any:
        if not self._immediate:
            raise DiskDBError("*_iter helpers run only before multi() in a transaction")
        return value

    def commit(self) -> List[Any]:
        """Send MULTI, the queued commands and EXEC; EXEC's replies, shaped. Raises
        WatchError when a watched key changed (nothing ran), or the first error reply."""
        queue, self._queue = self._queue, []
        conn = self._connection()
        try:
            conn.send_packed(pack_commands([["MULTI"]] + [a for a, _ in queue] + [["EXEC"]]))
            multi = conn.read_response()
            queued = [conn.read_response() for _ in queue]
            exec_reply = conn.read_response()
        except BaseException:
            conn.disconnect()
            raise
        finally:
            # EXEC (or its failure) ends the watches: the connection goes back to the
            # pool now, so a transaction used without ``with`` holds none.
            self._conn = None
            self._client._pool.release(conn)
        self._immediate = False
        self.committed = True
        if isinstance(multi, ResponseError):
            raise multi
        if isinstance(exec_reply, ResponseError):
            # EXECABORT: the first queueing error explains it.
            for q in queued:
                if isinstance(q, ResponseError):
                    raise q
            raise exec_reply
        if exec_reply is None:
            self.results = []
            raise WatchError("watched keys changed: the transaction was not executed")
        self.results = _shape(queue, exec_reply)
        _raise_first(self.results)
        return self.results

    execute = commit

    def discard(self) -> None:
        self.reset()


class PubSub:
    """A Pub/Sub session on a dedicated connection.

    ``get_message(timeout)`` and ``listen()`` give dicts with ``type`` (subscribe,
    message, pmessage, ...), ``channel``, ``pattern`` and ``data``."""

    def __init__(self, client: DiskDB) -> None:
        self._client = client
        self._conn: Optional[Connection] = None
        self.channels: set = set()
        self.patterns: set = set()
        self._pending: List[Dict[str, Any]] = []

    def __enter__(self) -> "PubSub":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._client._pool.discard(conn)
        self.channels.clear()
        self.patterns.clear()

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._client._pool.get()
            if self._conn._sock is None:
                self._conn.connect()
        return self._conn

    @property
    def subscribed(self) -> bool:
        return bool(self.channels or self.patterns)

    def _send(self, args: List[Any], expect: str, count: int) -> None:
        conn = self._connection()
        conn.send(args)
        # Wait for the server's confirmations so that messages published after this
        # returns are delivered; other messages read meanwhile are kept for later.
        # (and unsubscriptions, so a PUBLISH after this returns no longer reaches us).
        want = max(count, 1)
        got = 0
        while got < want:
            msg = self._read(block=True)
            if msg is None:
                continue
            if msg["type"] == expect:
                got += 1
            self._pending.append(msg)  # get_message() still sees the confirmations

    def subscribe(self, *channels: KeyT) -> None:
        self._send(["SUBSCRIBE", *channels], "subscribe", len(channels))

    def psubscribe(self, *patterns: KeyT) -> None:
        self._send(["PSUBSCRIBE", *patterns], "psubscribe", len(patterns))

    def unsubscribe(self, *channels: KeyT) -> None:
        """Leave the channels (all of them without arguments)."""
        self._send(["UNSUBSCRIBE", *channels], "unsubscribe",
                   len(channels) if channels else len(self.channels))

    def punsubscribe(self, *patterns: KeyT) -> None:
        self._send(["PUNSUBSCRIBE", *patterns], "punsubscribe",
                   len(patterns) if patterns else len(self.patterns))

    def ping(self) -> None:
        self._connection().send(["PING"])

    def _read(self, block: bool, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        conn = self._connection()
        if not block and not conn.can_read(timeout):
            return None
        if block and conn.socket_timeout is not None:
            # Waiting for messages is not a slow reply: socket_timeout does not apply.
            conn.settimeout(None)
            try:
                reply = conn.read_response(allow_push=True)
            finally:
                conn.settimeout(conn.socket_timeout)
        else:
            reply = conn.read_response(allow_push=True)
        if isinstance(reply, ResponseError):
            raise reply
        return self._message(reply)

    def _message(self, reply: Any) -> Optional[Dict[str, Any]]:
        if not isinstance(reply, list) or not reply:
            return {"type": "pong", "channel": None, "pattern": None, "data": reply}
        kind = reply[0].decode() if isinstance(reply[0], bytes) else reply[0]
        kind = kind.lower()
        if kind == "pmessage":
            return {"type": kind, "pattern": reply[1], "channel": reply[2], "data": reply[3]}
        if kind == "pong":
            return {"type": kind, "pattern": None, "channel": None,
                    "data": reply[1] if len(reply) > 1 else None}
        msg = {"type": kind, "pattern": None, "channel": reply[1], "data": reply[2]}
        if kind == "subscribe":
            self.channels.add(reply[1])
        elif kind == "unsubscribe":
            self.channels.discard(reply[1])
        elif kind == "psubscribe":
            msg["pattern"] = reply[1]
            self.patterns.add(reply[1])
        elif kind == "punsubscribe":
            msg["pattern"] = reply[1]
            self.patterns.discard(reply[1])
        return msg

    def get_message(self, timeout: Optional[float] = 0.0,
                    ignore_subscribe_messages: bool = False) -> Optional[Dict[str, Any]]:
        """The next message, waiting up to ``timeout`` seconds (None: forever); None when
        none arrived."""
        while True:
            if self._pending:
                msg: Optional[Dict[str, Any]] = self._pending.pop(0)
            else:
                msg = self._read(block=timeout is None, timeout=timeout)
            if msg is None:
                return None
            if ignore_subscribe_messages and msg["type"] in (
                    "subscribe", "unsubscribe", "psubscribe", "punsubscribe"):
                continue
            return msg

    def listen(self) -> Iterator[Dict[str, Any]]:
        """Every message as it arrives, while subscribed."""
        while self.subscribed or self._pending:
            msg = self.get_message(timeout=None)
            if msg is not None:
                yield msg


class Subscription:
    """An iterator of message payloads (``data``) from channels or patterns."""

    def __init__(self, pubsub: PubSub) -> None:
        self.pubsub = pubsub

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> Any:
        while True:
            if not self.pubsub.subscribed and not self.pubsub._pending:
                raise StopIteration
            msg = self.pubsub.get_message(timeout=None)
            if msg is not None and msg["type"] in ("message", "pmessage"):
                return msg["data"]

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.pubsub.close()
