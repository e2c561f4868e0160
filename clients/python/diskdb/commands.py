"""The typed command methods, shared by DiskDB, Pipeline and Transaction.

Every method builds the command's arguments and hands them to ``self._cmd(args,
callback)`` with a function that shapes the reply; the client runs it at once, a
pipeline queues it and shapes the replies when it runs.
"""
import datetime as _dt
import json as _json
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence,
                    Set, Tuple, Union)

from .exceptions import DiskDBError

KeyT = Union[str, bytes]
ValueT = Union[str, bytes, int, float]
FieldsT = Mapping[Any, Any]
StreamEntry = Tuple[str, Dict[str, Any]]


# ---------------------------------------------------------------------------------
# Reply shaping
# ---------------------------------------------------------------------------------

def _s(x: Any) -> Any:
    return x.decode() if isinstance(x, bytes) else x


def _ok(r: Any) -> bool:
    return r is not None and _s(r) == "OK"


def _bool(r: Any) -> bool:
    return bool(r)


def _bool_list(r: Any) -> List[bool]:
    return [bool(x) for x in r]


def _float(r: Any) -> Optional[float]:
    return None if r is None else float(r)


def _float_list(r: Any) -> List[Optional[float]]:
    return [None if x is None else float(x) for x in r]


def _set(r: Any) -> Set[Any]:
    return set(r) if r is not None else set()


def _pairs_to_dict(r: Any) -> Dict[Any, Any]:
    if r is None:
        return {}
    if isinstance(r, dict):
        return r
    it = iter(r)
    return dict(zip(it, it))


def _scored(r: Any) -> List[Tuple[Any, float]]:
    """Members with scores: RESP2's flat list or RESP3's pairs, as (member, score)."""
    if not r:
        return []
    if isinstance(r[0], list):
        return [(m, float(s)) for m, s in r]
    it = iter(r)
    return [(m, float(s)) for m, s in zip(it, it)]


def _zrange_cb(withscores: bool) -> Optional[Callable[[Any], Any]]:
    return _scored if withscores else None


def _zpop(r: Any) -> List[Tuple[Any, float]]:
    if not r:
        return []
    if isinstance(r[0], list):
        return [(m, float(s)) for m, s in r]
    return _scored(r)


def _bzpop(r: Any) -> Optional[Tuple[Any, Any, float]]:
    if r is None:
        return None
    return (r[0], r[1], float(r[2]))


def _pop_pair(r: Any) -> Optional[Tuple[Any, Any]]:
    return None if r is None else (r[0], r[1])


def _type_cb(r: Any) -> str:
    t = _s(r)
    return "json" if t == "ReJSON-RL" else t


def _scan_cb(r: Any) -> Tuple[int, List[Any]]:
    return int(r[0]), r[1]


def _zscan_cb(r: Any) -> Tuple[int, List[Tuple[Any, float]]]:
    return int(r[0]), _scored(r[1])


def _hscan_cb(r: Any) -> Tuple[int, Dict[Any, Any]]:
    return int(r[0]), _pairs_to_dict(r[1])


def _entry(e: Any) -> StreamEntry:
    return (e[0], _pairs_to_dict(e[1]))


def _entries(r: Any) -> List[StreamEntry]:
    if not r:
        return []
    return [_entry(e) for e in r if e is not None]


def _xread_cb(r: Any) -> Dict[Any, List[StreamEntry]]:
    if not r:
        return {}
    if isinstance(r, dict):
        return {k: _entries(v) for k, v in r.items()}
    return {k: _entries(v) for k, v in r}


def _info_value(v: str) -> Any:
    try:
        return int(v)
    except ValueError:
        pass
    try:
        if v and v[0] in "-0123456789." and "." in v:
            return float(v)
    except ValueError:
        pass
    return v


def _info_cb(r: Any) -> Dict[str, Any]:
    text = _s(r)
    out: Dict[str, Any] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        if "=" in v and "," in v or (k.startswith("db") and k[2:].isdigit()):
            sub: Dict[str, Any] = {}
            for part in v.split(","):
                if "=" in part:
                    a, b = part.split("=", 1)
                    sub[a] = _info_value(b)
            out[k] = sub
        else:
            out[k] = _info_value(v)
    return out


def _kv_dicts(r: Any) -> List[Dict[Any, Any]]:
    return [_pairs_to_dict(x) for x in (r or [])]


def _xinfo_stream_cb(r: Any) -> Dict[Any, Any]:
    d = _pairs_to_dict(r)
    for k in ("first-entry", "last-entry"):
        if d.get(k) is not None:
            d[k] = _entry(d[k])
    if "entries" in d and isinstance(d["entries"], list):
        d["entries"] = _entries(d["entries"])
    return d


def _xpending_summary(r: Any) -> Dict[str, Any]:
    consumers = [{"name": c[0], "pending": int(c[1])} for c in (r[3] or [])]
    return {"pending": r[0], "min": r[1], "max": r[2], "consumers": consumers}


def _xpending_range(r: Any) -> List[Dict[str, Any]]:
    return [{"message_id": x[0], "consumer": x[1], "time_since_delivered": x[2],
             "times_delivered": x[3]} for x in r]


def _xautoclaim_cb(justid: bool) -> Callable[[Any], Any]:
    def cb(r: Any) -> Tuple[Any, List[Any], List[Any]]:
        deleted = r[2] if len(r) > 2 else []
        return (r[0], list(r[1]) if justid else _entries(r[1]), deleted)
    return cb


def _json_loads(r: Any) -> Any:
    if r is None:
        return None
    return _json.loads(r)


def _matches(path: str, value: Any) -> Any:
    """The promised JSONPath rule: one match -> the value, several -> a list, none -> None.

    Legacy paths (not starting with '$') answer one value already."""
    if not path.startswith("$") or not isinstance(value, list):
        return value
    if len(value) == 0:
        return None
    if len(value) == 1:
        return value[0]
    return value


def _json_get_cb(path: str) -> Callable[[Any], Any]:
    def cb(r: Any) -> Any:
        return None if r is None else _matches(path, _json.loads(r))
    return cb


def _json_multi_cb(path: str) -> Callable[[Any], Any]:
    def cb(r: Any) -> Any:
        return _matches(path, r)
    return cb


def _json_num_cb(path: str) -> Callable[[Any], Any]:
    def cb(r: Any) -> Any:
        if isinstance(r, (str, bytes)):
            r = _json.loads(r)
        return _matches(path, r)
    return cb


def _json_dumps(obj: Any) -> str:
    return _json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _config_cb(r: Any) -> Dict[Any, Any]:
    return _pairs_to_dict(r)


def _time_cb(r: Any) -> Tuple[int, int]:
    return int(r[0]), int(r[1])


# ---------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------

class Commands:
    """Typed methods for every DiskDB data type. ``_cmd`` is provided by the subclass."""

    def _cmd(self, args: List[Any], callback: Optional[Callable[[Any], Any]] = None,
             blocking: bool = False) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def execute_command(self, *args: Any) -> Any:
        """Run any command; the reply comes back as the server sent it (decoded)."""
        return self._cmd(list(args))

    # -- server ----------------------------------------------------------------

    def ping(self, message: Optional[str] = None) -> Any:
        """PING: True, or the message echoed."""
        if message is None:
            return self._cmd(["PING"], lambda r: _s(r) == "PONG")
        return self._cmd(["PING", message])

    def echo(self, message: ValueT) -> Any:
        return self._cmd(["ECHO", message])

    def info(self, section: Optional[str] = None) -> Dict[str, Any]:
        """INFO parsed into a dict (numbers as int/float, ``db0`` etc. as dicts)."""
        args: List[Any] = ["INFO"] if section is None else ["INFO", section]
        return self._cmd(args, _info_cb)

    def config_get(self, pattern: str = "*") -> Dict[str, str]:
        return self._cmd(["CONFIG", "GET", pattern], _config_cb)

    def config_set(self, name: str, value: ValueT, *more: ValueT) -> bool:
        return self._cmd(["CONFIG", "SET", name, value, *more], _ok)

    def time(self) -> Tuple[int, int]:
        """TIME: (seconds, microseconds)."""
        return self._cmd(["TIME"], _time_cb)

    def client_id(self) -> int:
        return self._cmd(["CLIENT", "ID"])

    def client_setname(self, name: str) -> bool:
        return self._cmd(["CLIENT", "SETNAME", name], _ok)

    def client_getname(self) -> Optional[str]:
        return self._cmd(["CLIENT", "GETNAME"])

    def dbsize(self) -> int:
        return self._cmd(["DBSIZE"])

    def flushdb(self, asynchronous: bool = False) -> bool:
        return self._cmd(["FLUSHDB"] + (["ASYNC"] if asynchronous else []), _ok)

    def flushall(self, asynchronous: bool = False) -> bool:
        return self._cmd(["FLUSHALL"] + (["ASYNC"] if asynchronous else []), _ok)

    def publish(self, channel: KeyT, message: ValueT) -> int:
        """PUBLISH: the number of clients that received the message."""
        return self._cmd(["PUBLISH", channel, message])

    # -- strings ---------------------------------------------------------------

    def set(self, key: KeyT, value: ValueT, ex: Union[int, _dt.timedelta, None] = None,
            px: Union[int, _dt.timedelta, None] = None,
            nx: bool = False, xx: bool = False, keepttl: bool = False, get: bool = False,
            exat: Optional[int] = None, pxat: Optional[int] = None) -> Any:
        """SET: True when set, None when NX/XX prevented it; with get=True the old value."""
        args: List[Any] = ["SET", key, value]
        if ex is not None:
            args += ["EX", _secs(ex)]
        if px is not None:
            args += ["PX", _ms(px)]
        if exat is not None:
            args += ["EXAT", exat]
        if pxat is not None:
            args += ["PXAT", pxat]
        if nx:
            args.append("NX")
        if xx:
            args.append("XX")
        if keepttl:
            args.append("KEEPTTL")
        if get:
            args.append("GET")
            return self._cmd(args)
        return self._cmd(args, lambda r: True if r is not None else None)

    def get(self, key: KeyT) -> Optional[str]:
        return self._cmd(["GET", key])

    def mget(self, keys: Union[KeyT, Iterable[KeyT]], *more: KeyT) -> List[Optional[str]]:
        return self._cmd(["MGET", *_list(keys, more)])

    def mset(self, mapping: Mapping[KeyT, ValueT]) -> bool:
        args: List[Any] = ["MSET"]
        for k, v in mapping.items():
            args += [k, v]
        return self._cmd(args, _ok)

    def msetnx(self, mapping: Mapping[KeyT, ValueT]) -> bool:
        args: List[Any] = ["MSETNX"]
        for k, v in mapping.items():
            args += [k, v]
        return self._cmd(args, _bool)

    def incr(self, key: KeyT, amount: int = 1) -> int:
        """INCRBY (negative amounts decrement)."""
        if amount == 1:
            return self._cmd(["INCR", key])
        return self._cmd(["INCRBY", key, amount])

    incrby = incr

    def decr(self, key: KeyT, amount: int = 1) -> int:
        if amount == 1:
            return self._cmd(["DECR", key])
        return self._cmd(["DECRBY", key, amount])

    decrby = decr

    def incrbyfloat(self, key: KeyT, amount: float = 1.0) -> float:
        return self._cmd(["INCRBYFLOAT", key, amount], float)

    def append(self, key: KeyT, value: ValueT) -> int:
        return self._cmd(["APPEND", key, value])

    def strlen(self, key: KeyT) -> int:
        return self._cmd(["STRLEN", key])

    def getrange(self, key: KeyT, start: int, end: int) -> str:
        return self._cmd(["GETRANGE", key, start, end])

    def setrange(self, key: KeyT, offset: int, value: ValueT) -> int:
        return self._cmd(["SETRANGE", key, offset, value])

    def getdel(self, key: KeyT) -> Optional[str]:
        return self._cmd(["GETDEL", key])

    def getex(self, key: KeyT, ex: Optional[int] = None, px: Optional[int] = None,
              exat: Optional[int] = None, pxat: Optional[int] = None,
              persist: bool = False) -> Optional[str]:
        args: List[Any] = ["GETEX", key]
        for name, v in (("EX", ex), ("PX", px), ("EXAT", exat), ("PXAT", pxat)):
            if v is not None:
                args += [name, v]
        if persist:
            args.append("PERSIST")
        return self._cmd(args)

    def setnx(self, key: KeyT, value: ValueT) -> bool:
        return self._cmd(["SETNX", key, value], _bool)

    def setex(self, key: KeyT, seconds: Union[int, _dt.timedelta], value: ValueT) -> bool:
        return self._cmd(["SETEX", key, _secs(seconds), value], _ok)

    def psetex(self, key: KeyT, milliseconds: int, value: ValueT) -> bool:
        return self._cmd(["PSETEX", key, milliseconds, value], _ok)

    # -- keys ------------------------------------------------------------------

    def delete(self, *keys: KeyT) -> int:
        return self._cmd(["DEL", *keys])

    def unlink(self, *keys: KeyT) -> int:
        return self._cmd(["UNLINK", *keys])

    def exists(self, *keys: KeyT) -> int:
        return self._cmd(["EXISTS", *keys])

    def expire(self, key: KeyT, seconds: Union[int, _dt.timedelta], nx: bool = False, xx: bool = False,
               gt: bool = False, lt: bool = False) -> bool:
        return self._cmd(["EXPIRE", key, _secs(seconds), *_flags(nx=nx, xx=xx, gt=gt, lt=lt)],
                         _bool)

    def pexpire(self, key: KeyT, milliseconds: Union[int, _dt.timedelta], nx: bool = False, xx: bool = False,
                gt: bool = False, lt: bool = False) -> bool:
        return self._cmd(["PEXPIRE", key, _ms(milliseconds),
                          *_flags(nx=nx, xx=xx, gt=gt, lt=lt)], _bool)

    def expireat(self, key: KeyT, when: int) -> bool:
        return self._cmd(["EXPIREAT", key, int(when)], _bool)

    def pexpireat(self, key: KeyT, when_ms: int) -> bool:
        return self._cmd(["PEXPIREAT", key, int(when_ms)], _bool)

    def ttl(self, key: KeyT) -> int:
        """Seconds to live; -1 without an expiry, -2 when the key does not exist."""
        return self._cmd(["TTL", key])

    def pttl(self, key: KeyT) -> int:
        return self._cmd(["PTTL", key])

    def persist(self, key: KeyT) -> bool:
        return self._cmd(["PERSIST", key], _bool)

    def type(self, key: KeyT) -> str:
        """One of string list set hash zset json stream none."""
        return self._cmd(["TYPE", key], _type_cb)

    def rename(self, src: KeyT, dst: KeyT) -> bool:
        return self._cmd(["RENAME", src, dst], _ok)

    def renamenx(self, src: KeyT, dst: KeyT) -> bool:
        return self._cmd(["RENAMENX", src, dst], _bool)

    def keys(self, pattern: str = "*") -> List[str]:
        return self._cmd(["KEYS", pattern])

    def scan(self, cursor: int = 0, match: Optional[str] = None, count: Optional[int] = None,
             _type: Optional[str] = None) -> Tuple[int, List[str]]:
        args: List[Any] = ["SCAN", cursor]
        if match is not None:
            args += ["MATCH", match]
        if count is not None:
            args += ["COUNT", count]
        if _type is not None:
            args += ["TYPE", _type]
        return self._cmd(args, _scan_cb)

    def scan_iter(self, match: Optional[str] = None, count: Optional[int] = None,
                  _type: Optional[str] = None) -> Iterator[str]:
        """Every key (matching ``match``), walking SCAN's cursor."""
        cursor = 0
        while True:
            cursor, keys = self._now(self.scan(cursor, match, count, _type))
            yield from keys
            if cursor == 0:
                return

    def randomkey(self) -> Optional[str]:
        return self._cmd(["RANDOMKEY"])

    def copy(self, src: KeyT, dst: KeyT, db: Optional[int] = None, replace: bool = False) -> bool:
        args: List[Any] = ["COPY", src, dst]
        if db is not None:
            args += ["DB", db]
        if replace:
            args.append("REPLACE")
        return self._cmd(args, _bool)

    def touch(self, *keys: KeyT) -> int:
        return self._cmd(["TOUCH", *keys])

    # -- lists -----------------------------------------------------------------

    def lpush(self, key: KeyT, *values: ValueT) -> int:
        return self._cmd(["LPUSH", key, *values])

    def rpush(self, key: KeyT, *values: ValueT) -> int:
        return self._cmd(["RPUSH", key, *values])

    def lpushx(self, key: KeyT, *values: ValueT) -> int:
        return self._cmd(["LPUSHX", key, *values])

    def rpushx(self, key: KeyT, *values: ValueT) -> int:
        return self._cmd(["RPUSHX", key, *values])

    def lpop(self, key: KeyT, count: Optional[int] = None) -> Any:
        """One value (or None); with count, a list (or None when the list is empty)."""
        return self._cmd(["LPOP", key] + ([] if count is None else [count]))

    def rpop(self, key: KeyT, count: Optional[int] = None) -> Any:
        return self._cmd(["RPOP", key] + ([] if count is None else [count]))

    def llen(self, key: KeyT) -> int:
        return self._cmd(["LLEN", key])

    def lrange(self, key: KeyT, start: int, end: int) -> List[str]:
        return self._cmd(["LRANGE", key, start, end])

    def lindex(self, key: KeyT, index: int) -> Optional[str]:
        return self._cmd(["LINDEX", key, index])

    def lset(self, key: KeyT, index: int, value: ValueT) -> bool:
        return self._cmd(["LSET", key, index, value], _ok)

    def lrem(self, key: KeyT, count: int, value: ValueT) -> int:
        return self._cmd(["LREM", key, count, value])

    def ltrim(self, key: KeyT, start: int, end: int) -> bool:
        return self._cmd(["LTRIM", key, start, end], _ok)

    def linsert(self, key: KeyT, where: str, pivot: ValueT, value: ValueT) -> int:
        """where is 'BEFORE' or 'AFTER'."""
        return self._cmd(["LINSERT", key, where, pivot, value])

    def lpos(self, key: KeyT, value: ValueT, rank: Optional[int] = None,
             count: Optional[int] = None, maxlen: Optional[int] = None) -> Any:
        args: List[Any] = ["LPOS", key, value]
        if rank is not None:
            args += ["RANK", rank]
        if count is not None:
            args += ["COUNT", count]
        if maxlen is not None:
            args += ["MAXLEN", maxlen]
        return self._cmd(args)

    def lmove(self, src: KeyT, dst: KeyT, src_where: str = "LEFT",
              dst_where: str = "RIGHT") -> Optional[str]:
        return self._cmd(["LMOVE", src, dst, src_where, dst_where])

    def rpoplpush(self, src: KeyT, dst: KeyT) -> Optional[str]:
        return self._cmd(["RPOPLPUSH", src, dst])

    def blpop(self, keys: Union[KeyT, Iterable[KeyT]], timeout: float = 0) -> Optional[Tuple[str, str]]:
        """(key, value) from the first non-empty list, or None after ``timeout`` seconds."""
        return self._cmd(["BLPOP", *_list(keys), timeout], _pop_pair, blocking=True)

    def brpop(self, keys: Union[KeyT, Iterable[KeyT]], timeout: float = 0) -> Optional[Tuple[str, str]]:
        return self._cmd(["BRPOP", *_list(keys), timeout], _pop_pair, blocking=True)

    def blmove(self, src: KeyT, dst: KeyT, timeout: float, src_where: str = "LEFT",
               dst_where: str = "RIGHT") -> Optional[str]:
        return self._cmd(["BLMOVE", src, dst, src_where, dst_where, timeout], blocking=True)

    # -- sets ------------------------------------------------------------------

    def sadd(self, key: KeyT, *members: ValueT) -> int:
        return self._cmd(["SADD", key, *members])

    def srem(self, key: KeyT, *members: ValueT) -> int:
        return self._cmd(["SREM", key, *members])

    def sismember(self, key: KeyT, member: ValueT) -> bool:
        return self._cmd(["SISMEMBER", key, member], _bool)

    def smismember(self, key: KeyT, *members: ValueT) -> List[bool]:
        return self._cmd(["SMISMEMBER", key, *_list(members)], _bool_list)

    def smembers(self, key: KeyT) -> Set[str]:
        return self._cmd(["SMEMBERS", key], _set)

    def scard(self, key: KeyT) -> int:
        return self._cmd(["SCARD", key])

    def spop(self, key: KeyT, count: Optional[int] = None) -> Any:
        """One member (or None); with count, a list of members."""
        return self._cmd(["SPOP", key] + ([] if count is None else [count]))

    def srandmember(self, key: KeyT, count: Optional[int] = None) -> Any:
        return self._cmd(["SRANDMEMBER", key] + ([] if count is None else [count]))

    def sinter(self, *keys: KeyT) -> Set[str]:
        return self._cmd(["SINTER", *_list(keys)], _set)

    def sunion(self, *keys: KeyT) -> Set[str]:
        return self._cmd(["SUNION", *_list(keys)], _set)

    def sdiff(self, *keys: KeyT) -> Set[str]:
        return self._cmd(["SDIFF", *_list(keys)], _set)

    def sinterstore(self, dst: KeyT, *keys: KeyT) -> int:
        return self._cmd(["SINTERSTORE", dst, *_list(keys)])

    def sunionstore(self, dst: KeyT, *keys: KeyT) -> int:
        return self._cmd(["SUNIONSTORE", dst, *_list(keys)])

    def sdiffstore(self, dst: KeyT, *keys: KeyT) -> int:
        return self._cmd(["SDIFFSTORE", dst, *_list(keys)])

    def smove(self, src: KeyT, dst: KeyT, member: ValueT) -> bool:
        return self._cmd(["SMOVE", src, dst, member], _bool)

    def sscan(self, key: KeyT, cursor: int = 0, match: Optional[str] = None,
              count: Optional[int] = None) -> Tuple[int, List[str]]:
        return self._cmd(["SSCAN", key, cursor, *_match(match, count)], _scan_cb)

    def sscan_iter(self, key: KeyT, match: Optional[str] = None,
                   count: Optional[int] = None) -> Iterator[str]:
        cursor = 0
        while True:
            cursor, items = self._now(self.sscan(key, cursor, match, count))
            yield from items
            if cursor == 0:
                return

    # -- hashes ----------------------------------------------------------------

    def hset(self, key: KeyT, field: Optional[ValueT] = None, value: Optional[ValueT] = None,
             mapping: Optional[Mapping[Any, ValueT]] = None) -> int:
        """HSET one field and/or a mapping; the number of fields added."""
        args: List[Any] = ["HSET", key]
        if field is not None:
            if value is None:
                raise DiskDBError("hset: a field needs a value")
            args += [field, value]
        if mapping:
            for k, v in mapping.items():
                args += [k, v]
        if len(args) == 2:
            raise DiskDBError("hset needs a field and value or a mapping")
        return self._cmd(args)

    def hget(self, key: KeyT, field: ValueT) -> Optional[str]:
        return self._cmd(["HGET", key, field])

    def hmget(self, key: KeyT, fields: Union[ValueT, Iterable[ValueT]],
              *more: ValueT) -> List[Optional[str]]:
        return self._cmd(["HMGET", key, *_list(fields, more)])

    def hgetall(self, key: KeyT) -> Dict[str, str]:
        return self._cmd(["HGETALL", key], _pairs_to_dict)

    def hdel(self, key: KeyT, *fields: ValueT) -> int:
        return self._cmd(["HDEL", key, *fields])

    def hexists(self, key: KeyT, field: ValueT) -> bool:
        return self._cmd(["HEXISTS", key, field], _bool)

    def hincrby(self, key: KeyT, field: ValueT, amount: int = 1) -> int:
        return self._cmd(["HINCRBY", key, field, amount])

    def hincrbyfloat(self, key: KeyT, field: ValueT, amount: float = 1.0) -> float:
        return self._cmd(["HINCRBYFLOAT", key, field, amount], float)

    def hkeys(self, key: KeyT) -> List[str]:
        return self._cmd(["HKEYS", key])

    def hvals(self, key: KeyT) -> List[str]:
        return self._cmd(["HVALS", key])

    def hlen(self, key: KeyT) -> int:
        return self._cmd(["HLEN", key])

    def hsetnx(self, key: KeyT, field: ValueT, value: ValueT) -> bool:
        return self._cmd(["HSETNX", key, field, value], _bool)

    def hstrlen(self, key: KeyT, field: ValueT) -> int:
        return self._cmd(["HSTRLEN", key, field])

    def hrandfield(self, key: KeyT, count: Optional[int] = None,
                   withvalues: bool = False) -> Any:
        """One field (or None); with count a list; with withvalues a list of (field, value)."""
        args: List[Any] = ["HRANDFIELD", key]
        if count is not None:
            args.append(count)
            if withvalues:
                args.append("WITHVALUES")
                return self._cmd(args, _hrand_pairs)
        return self._cmd(args)

    def hscan(self, key: KeyT, cursor: int = 0, match: Optional[str] = None,
              count: Optional[int] = None) -> Tuple[int, Dict[str, str]]:
        return self._cmd(["HSCAN", key, cursor, *_match(match, count)], _hscan_cb)

    def hscan_iter(self, key: KeyT, match: Optional[str] = None,
                   count: Optional[int] = None) -> Iterator[Tuple[str, str]]:
        cursor = 0
        while True:
            cursor, items = self._now(self.hscan(key, cursor, match, count))
            yield from items.items()
            if cursor == 0:
                return

    # -- sorted sets -----------------------------------------------------------

    def zadd(self, key: KeyT, mapping: Mapping[Any, float], nx: bool = False, xx: bool = False,
             gt: bool = False, lt: bool = False, ch: bool = False) -> int:
        """ZADD members with scores from a {member: score} mapping; the number added
        (changed, with ch=True)."""
        args: List[Any] = ["ZADD", key, *_flags(nx=nx, xx=xx, gt=gt, lt=lt, ch=ch)]
        for m, s in mapping.items():
            args += [s, m]
        return self._cmd(args)

    def zincrby(self, key: KeyT, amount: float, member: ValueT) -> float:
        return self._cmd(["ZINCRBY", key, amount, member], float)

    def zrange(self, key: KeyT, start: int, end: int, withscores: bool = False,
               desc: bool = False) -> List[Any]:
        """Members by rank; with withscores, (member, score) pairs."""
        args: List[Any] = ["ZRANGE", key, start, end]
        if desc:
            args.append("REV")
        if withscores:
            args.append("WITHSCORES")
        return self._cmd(args, _zrange_cb(withscores))

    def zrevrange(self, key: KeyT, start: int, end: int, withscores: bool = False) -> List[Any]:
        args: List[Any] = ["ZREVRANGE", key, start, end]
        if withscores:
            args.append("WITHSCORES")
        return self._cmd(args, _zrange_cb(withscores))

    def zrangebyscore(self, key: KeyT, min: Union[float, str], max: Union[float, str],
                      start: Optional[int] = None, num: Optional[int] = None,
                      withscores: bool = False) -> List[Any]:
        args: List[Any] = ["ZRANGEBYSCORE", key, min, max]
        if withscores:
            args.append("WITHSCORES")
        if start is not None or num is not None:
            args += ["LIMIT", start or 0, -1 if num is None else num]
        return self._cmd(args, _zrange_cb(withscores))

    def zrevrangebyscore(self, key: KeyT, max: Union[float, str], min: Union[float, str],
                         start: Optional[int] = None, num: Optional[int] = None,
                         withscores: bool = False) -> List[Any]:
        args: List[Any] = ["ZREVRANGEBYSCORE", key, max, min]
        if withscores:
            args.append("WITHSCORES")
        if start is not None or num is not None:
            args += ["LIMIT", start or 0, -1 if num is None else num]
        return self._cmd(args, _zrange_cb(withscores))

    def zscore(self, key: KeyT, member: ValueT) -> Optional[float]:
        return self._cmd(["ZSCORE", key, member], _float)

    def zmscore(self, key: KeyT, *members: ValueT) -> List[Optional[float]]:
        return self._cmd(["ZMSCORE", key, *_list(members)], _float_list)

    def zrem(self, key: KeyT, *members: ValueT) -> int:
        return self._cmd(["ZREM", key, *members])

    def zcard(self, key: KeyT) -> int:
        return self._cmd(["ZCARD", key])

    def zcount(self, key: KeyT, min: Union[float, str], max: Union[float, str]) -> int:
        return self._cmd(["ZCOUNT", key, min, max])

    def zrank(self, key: KeyT, member: ValueT) -> Optional[int]:
        return self._cmd(["ZRANK", key, member])

    def zrevrank(self, key: KeyT, member: ValueT) -> Optional[int]:
        return self._cmd(["ZREVRANK", key, member])

    def zpopmin(self, key: KeyT, count: Optional[int] = None) -> List[Tuple[str, float]]:
        return self._cmd(["ZPOPMIN", key] + ([] if count is None else [count]), _zpop)

    def zpopmax(self, key: KeyT, count: Optional[int] = None) -> List[Tuple[str, float]]:
        return self._cmd(["ZPOPMAX", key] + ([] if count is None else [count]), _zpop)

    def bzpopmin(self, keys: Union[KeyT, Iterable[KeyT]],
                 timeout: float = 0) -> Optional[Tuple[str, str, float]]:
        """(key, member, score), or None after ``timeout`` seconds."""
        return self._cmd(["BZPOPMIN", *_list(keys), timeout], _bzpop, blocking=True)

    def bzpopmax(self, keys: Union[KeyT, Iterable[KeyT]],
                 timeout: float = 0) -> Optional[Tuple[str, str, float]]:
        return self._cmd(["BZPOPMAX", *_list(keys), timeout], _bzpop, blocking=True)

    def zremrangebyscore(self, key: KeyT, min: Union[float, str], max: Union[float, str]) -> int:
        return self._cmd(["ZREMRANGEBYSCORE", key, min, max])

    def zremrangebyrank(self, key: KeyT, start: int, end: int) -> int:
        return self._cmd(["ZREMRANGEBYRANK", key, start, end])

    def _zstore(self, cmd: str, dst: KeyT, keys: Union[Sequence[KeyT], Mapping[KeyT, float]],
                aggregate: Optional[str]) -> int:
        args: List[Any] = [cmd, dst]
        if isinstance(keys, Mapping):
            args += [len(keys), *keys.keys(), "WEIGHTS", *keys.values()]
        else:
            args += [len(keys), *keys]
        if aggregate:
            args += ["AGGREGATE", aggregate]
        return self._cmd(args)

    def zunionstore(self, dst: KeyT, keys: Union[Sequence[KeyT], Mapping[KeyT, float]],
                    aggregate: Optional[str] = None) -> int:
        """keys: a list, or a {key: weight} mapping."""
        return self._zstore("ZUNIONSTORE", dst, keys, aggregate)

    def zinterstore(self, dst: KeyT, keys: Union[Sequence[KeyT], Mapping[KeyT, float]],
                    aggregate: Optional[str] = None) -> int:
        return self._zstore("ZINTERSTORE", dst, keys, aggregate)

    def zscan(self, key: KeyT, cursor: int = 0, match: Optional[str] = None,
              count: Optional[int] = None) -> Tuple[int, List[Tuple[str, float]]]:
        return self._cmd(["ZSCAN", key, cursor, *_match(match, count)], _zscan_cb)

    def zscan_iter(self, key: KeyT, match: Optional[str] = None,
                   count: Optional[int] = None) -> Iterator[Tuple[str, float]]:
        cursor = 0
        while True:
            cursor, items = self._now(self.zscan(key, cursor, match, count))
            yield from items
            if cursor == 0:
                return

    # -- JSON ------------------------------------------------------------------

    def json_set(self, key: KeyT, path: str, obj: Any, nx: bool = False,
                 xx: bool = False) -> Optional[bool]:
        """JSON.SET the object (encoded with the json module); None when NX/XX prevented it."""
        args: List[Any] = ["JSON.SET", key, path, _json_dumps(obj)]
        if nx:
            args.append("NX")
        if xx:
            args.append("XX")
        return self._cmd(args, lambda r: True if r is not None else None)

    def json_get(self, key: KeyT, path: str = "$") -> Any:
        """The value at ``path``: one match -> that value, several -> a list, none -> None."""
        return self._cmd(["JSON.GET", key, path], _json_get_cb(path))

    def json_mget(self, keys: Sequence[KeyT], path: str = "$") -> List[Any]:
        cb = _json_get_cb(path)
        return self._cmd(["JSON.MGET", *keys, path], lambda r: [cb(x) for x in r])

    def json_del(self, key: KeyT, path: str = "$") -> int:
        return self._cmd(["JSON.DEL", key, path])

    def json_type(self, key: KeyT, path: str = "$") -> Any:
        """The type name(s): object array string integer number boolean null."""
        def cb(r: Any) -> Any:
            if path.startswith("$") and isinstance(r, list) and len(r) == 1 \
                    and isinstance(r[0], list):
                r = r[0]  # RESP3 nests JSONPath answers one level deeper
            return _matches(path, r)
        return self._cmd(["JSON.TYPE", key, path], cb)

    def json_numincrby(self, key: KeyT, path: str, number: float) -> Any:
        return self._cmd(["JSON.NUMINCRBY", key, path, number], _json_num_cb(path))

    def json_nummultby(self, key: KeyT, path: str, number: float) -> Any:
        return self._cmd(["JSON.NUMMULTBY", key, path, number], _json_num_cb(path))

    def json_strappend(self, key: KeyT, value: str, path: str = "$") -> Any:
        return self._cmd(["JSON.STRAPPEND", key, path, _json_dumps(value)], _json_multi_cb(path))

    def json_strlen(self, key: KeyT, path: str = "$") -> Any:
        return self._cmd(["JSON.STRLEN", key, path], _json_multi_cb(path))

    def json_arrappend(self, key: KeyT, path: str, *values: Any) -> Any:
        return self._cmd(["JSON.ARRAPPEND", key, path, *(_json_dumps(v) for v in values)],
                         _json_multi_cb(path))

    def json_arrlen(self, key: KeyT, path: str = "$") -> Any:
        return self._cmd(["JSON.ARRLEN", key, path], _json_multi_cb(path))

    def json_arrpop(self, key: KeyT, path: str = "$", index: int = -1) -> Any:
        """The popped element(s), decoded."""
        def cb(r: Any) -> Any:
            if isinstance(r, list):
                r = [None if x is None else _json.loads(x) for x in r]
                return _matches(path, r)
            return _json_loads(r)
        return self._cmd(["JSON.ARRPOP", key, path, index], cb)

    def json_arrindex(self, key: KeyT, path: str, value: Any) -> Any:
        return self._cmd(["JSON.ARRINDEX", key, path, _json_dumps(value)], _json_multi_cb(path))

    def json_arrinsert(self, key: KeyT, path: str, index: int, *values: Any) -> Any:
        return self._cmd(["JSON.ARRINSERT", key, path, index, *(_json_dumps(v) for v in values)],
                         _json_multi_cb(path))

    def json_arrtrim(self, key: KeyT, path: str, start: int, stop: int) -> Any:
        return self._cmd(["JSON.ARRTRIM", key, path, start, stop], _json_multi_cb(path))

    def json_objkeys(self, key: KeyT, path: str = "$") -> Any:
        return self._cmd(["JSON.OBJKEYS", key, path], _json_multi_cb(path))

    def json_objlen(self, key: KeyT, path: str = "$") -> Any:
        return self._cmd(["JSON.OBJLEN", key, path], _json_multi_cb(path))

    def json_toggle(self, key: KeyT, path: str = "$") -> Any:
        """The new boolean value(s)."""
        def cb(r: Any) -> Any:
            if isinstance(r, list):
                r = [None if x is None else bool(x) for x in r]
                return _matches(path, r)
            return _json.loads(r) if isinstance(r, (str, bytes)) else r
        return self._cmd(["JSON.TOGGLE", key, path], cb)

    def json_clear(self, key: KeyT, path: str = "$") -> int:
        return self._cmd(["JSON.CLEAR", key, path])

    def json_merge(self, key: KeyT, path: str, obj: Any) -> bool:
        return self._cmd(["JSON.MERGE", key, path, _json_dumps(obj)], _ok)

    # -- streams ---------------------------------------------------------------

    def xadd(self, key: KeyT, fields: FieldsT, id: str = "*", maxlen: Optional[int] = None,
             approximate: bool = True, nomkstream: bool = False,
             minid: Optional[str] = None, limit: Optional[int] = None) -> Optional[str]:
        """XADD: the new entry's ID (None with nomkstream when the stream does not exist)."""
        args: List[Any] = ["XADD", key]
        if nomkstream:
            args.append("NOMKSTREAM")
        args += _trim(maxlen, minid, approximate, limit)
        args.append(id)
        for k, v in fields.items():
            args += [k, v]
        return self._cmd(args)

    def xrange(self, key: KeyT, min: str = "-", max: str = "+",
               count: Optional[int] = None) -> List[StreamEntry]:
        """Entries as (id, fields) pairs."""
        args: List[Any] = ["XRANGE", key, min, max]
        if count is not None:
            args += ["COUNT", count]
        return self._cmd(args, _entries)

    def xrevrange(self, key: KeyT, max: str = "+", min: str = "-",
                  count: Optional[int] = None) -> List[StreamEntry]:
        args: List[Any] = ["XREVRANGE", key, max, min]
        if count is not None:
            args += ["COUNT", count]
        return self._cmd(args, _entries)

    def xlen(self, key: KeyT) -> int:
        return self._cmd(["XLEN", key])

    def xdel(self, key: KeyT, *ids: str) -> int:
        return self._cmd(["XDEL", key, *ids])

    def xtrim(self, key: KeyT, maxlen: Optional[int] = None, approximate: bool = True,
              minid: Optional[str] = None, limit: Optional[int] = None) -> int:
        return self._cmd(["XTRIM", key, *_trim(maxlen, minid, approximate, limit)])

    def xread(self, streams: Mapping[KeyT, str], count: Optional[int] = None,
              block: Optional[int] = None) -> Dict[str, List[StreamEntry]]:
        """{stream: [(id, fields), ...]} for entries after the given IDs ('$': only new
        ones); ``block`` in milliseconds; {} when nothing arrived."""
        args: List[Any] = ["XREAD"]
        if count is not None:
            args += ["COUNT", count]
        if block is not None:
            args += ["BLOCK", block]
        args += ["STREAMS", *streams.keys(), *streams.values()]
        return self._cmd(args, _xread_cb, blocking=block is not None)

    def xgroup_create(self, key: KeyT, group: str, id: str = "$",
                      mkstream: bool = False, entries_read: Optional[int] = None) -> bool:
        args: List[Any] = ["XGROUP", "CREATE", key, group, id]
        if mkstream:
            args.append("MKSTREAM")
        if entries_read is not None:
            args += ["ENTRIESREAD", entries_read]
        return self._cmd(args, _ok)

    def xgroup_destroy(self, key: KeyT, group: str) -> int:
        return self._cmd(["XGROUP", "DESTROY", key, group])

    def xgroup_createconsumer(self, key: KeyT, group: str, consumer: str) -> int:
        return self._cmd(["XGROUP", "CREATECONSUMER", key, group, consumer])

    def xgroup_delconsumer(self, key: KeyT, group: str, consumer: str) -> int:
        """The number of pending messages the consumer had."""
        return self._cmd(["XGROUP", "DELCONSUMER", key, group, consumer])

    def xgroup_setid(self, key: KeyT, group: str, id: str,
                     entries_read: Optional[int] = None) -> bool:
        args: List[Any] = ["XGROUP", "SETID", key, group, id]
        if entries_read is not None:
            args += ["ENTRIESREAD", entries_read]
        return self._cmd(args, _ok)

    def xreadgroup(self, group: str, consumer: str, streams: Mapping[KeyT, str],
                   count: Optional[int] = None, block: Optional[int] = None,
                   noack: bool = False) -> Dict[str, List[StreamEntry]]:
        """Like xread, for a consumer group ('>' for new entries)."""
        args: List[Any] = ["XREADGROUP", "GROUP", group, consumer]
        if count is not None:
            args += ["COUNT", count]
        if block is not None:
            args += ["BLOCK", block]
        if noack:
            args.append("NOACK")
        args += ["STREAMS", *streams.keys(), *streams.values()]
        return self._cmd(args, _xread_cb, blocking=block is not None)

    def xack(self, key: KeyT, group: str, *ids: str) -> int:
        return self._cmd(["XACK", key, group, *ids])

    def xpending(self, key: KeyT, group: str, min: Optional[str] = None,
                 max: Optional[str] = None, count: Optional[int] = None,
                 consumer: Optional[str] = None, idle: Optional[int] = None) -> Any:
        """Without min/max/count: the summary dict {pending, min, max, consumers}. With
        them: a list of {message_id, consumer, time_since_delivered, times_delivered}."""
        if min is None and max is None and count is None:
            return self._cmd(["XPENDING", key, group], _xpending_summary)
        args: List[Any] = ["XPENDING", key, group]
        if idle is not None:
            args += ["IDLE", idle]
        args += [min or "-", max or "+", 10 if count is None else count]
        if consumer is not None:
            args.append(consumer)
        return self._cmd(args, _xpending_range)

    def xclaim(self, key: KeyT, group: str, consumer: str, min_idle_time: int,
               ids: Sequence[str], idle: Optional[int] = None, time: Optional[int] = None,
               retrycount: Optional[int] = None, force: bool = False,
               justid: bool = False) -> List[Any]:
        """The claimed entries as (id, fields), or their IDs with justid=True."""
        args: List[Any] = ["XCLAIM", key, group, consumer, min_idle_time, *ids]
        if idle is not None:
            args += ["IDLE", idle]
        if time is not None:
            args += ["TIME", time]
        if retrycount is not None:
            args += ["RETRYCOUNT", retrycount]
        if force:
            args.append("FORCE")
        if justid:
            args.append("JUSTID")
            return self._cmd(args)
        return self._cmd(args, _entries)

    def xautoclaim(self, key: KeyT, group: str, consumer: str, min_idle_time: int,
                   start_id: str = "0-0", count: Optional[int] = None,
                   justid: bool = False) -> Tuple[str, List[Any], List[str]]:
        """(next start ID, claimed entries or IDs, IDs of deleted entries)."""
        args: List[Any] = ["XAUTOCLAIM", key, group, consumer, min_idle_time, start_id]
        if count is not None:
            args += ["COUNT", count]
        if justid:
            args.append("JUSTID")
        return self._cmd(args, _xautoclaim_cb(justid))

    def xinfo_stream(self, key: KeyT, full: bool = False) -> Dict[str, Any]:
        return self._cmd(["XINFO", "STREAM", key] + (["FULL"] if full else []),
                         _xinfo_stream_cb)

    def xinfo_groups(self, key: KeyT) -> List[Dict[str, Any]]:
        return self._cmd(["XINFO", "GROUPS", key], _kv_dicts)

    def xinfo_consumers(self, key: KeyT, group: str) -> List[Dict[str, Any]]:
        return self._cmd(["XINFO", "CONSUMERS", key, group], _kv_dicts)

    # -- helpers ---------------------------------------------------------------

    def _now(self, value: Any) -> Any:
        """The value of a command run inside a *_iter helper (a client runs at once)."""
        return value


def _secs(v: Any) -> int:
    """Seconds from an int or a datetime.timedelta."""
    return int(v.total_seconds()) if isinstance(v, _dt.timedelta) else int(v)


def _ms(v: Any) -> int:
    return int(v.total_seconds() * 1000) if isinstance(v, _dt.timedelta) else int(v)


def _hrand_pairs(r: Any) -> List[Tuple[Any, Any]]:
    if r and isinstance(r[0], list):
        return [(a, b) for a, b in r]
    it = iter(r or [])
    return list(zip(it, it))


def _list(first: Any, more: Sequence[Any] = ()) -> List[Any]:
    """Arguments given as one value, a list, or several positional values."""
    if isinstance(first, (str, bytes, int, float)):
        out = [first]
    elif isinstance(first, tuple) and len(first) == 1 and not isinstance(first[0], (str, bytes, int, float)):
        out = list(first[0])
    else:
        out = list(first)
    out.extend(more)
    return out


def _flags(**flags: bool) -> List[str]:
    return [name.upper() for name, on in flags.items() if on]


def _match(match: Optional[str], count: Optional[int]) -> List[Any]:
    out: List[Any] = []
    if match is not None:
        out += ["MATCH", match]
    if count is not None:
        out += ["COUNT", count]
    return out


def _trim(maxlen: Optional[int], minid: Optional[str], approximate: bool,
          limit: Optional[int]) -> List[Any]:
    out: List[Any] = []
    if maxlen is not None and minid is not None:
        raise DiskDBError("give maxlen or minid, not both")
    if maxlen is not None:
        out += ["MAXLEN"] + (["~"] if approximate else []) + [maxlen]
    elif minid is not None:
        out += ["MINID"] + (["~"] if approximate else []) + [minid]
    if limit is not None and out:
        out += ["LIMIT", limit]
    return out
