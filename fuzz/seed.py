#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (committed; rerun to refresh).

DUMP payloads come from a real redis-server 7.0 (every type and encoding it has), so the
restore target starts from Redis's own bytes. Usage: python3 fuzz/seed.py
"""
import hashlib, os, socket, subprocess, tempfile, time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Redis:
    def __init__(self):
        self.dir = tempfile.mkdtemp()
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "", "--dir", self.dir],
                                     stdout=subprocess.DEVNULL)
        for _ in range(200):
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port))
                break
            except OSError:
                time.sleep(0.05)
        self.f = self.sock.makefile("rb")

    def cmd(self, *args):
        self.sock.sendall(resp(*args))
        return self.read()

    def read(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data
        if t == b"*":
            return [self.read() for _ in range(int(rest))]
        if t == b":":
            return int(rest)
        return rest

    def close(self):
        self.proc.kill()
        self.proc.wait()


COMMANDS = [
    ["SET", "s", "hello", "EX", "100", "GET"], ["SET", "n", "10"], ["INCRBY", "n", "5"], ["INCRBYFLOAT", "n", "1.5e3"],
    ["APPEND", "s", "x"], ["GETRANGE", "s", "0", "-1"], ["SETRANGE", "s", "100", "y"], ["MSET", "a", "1", "b", "2"],
    ["SETBIT", "bm", "1000", "1"], ["BITCOUNT", "bm", "0", "-1", "BIT"], ["BITPOS", "bm", "1"],
    ["BITFIELD", "bm", "SET", "i8", "#1", "100", "INCRBY", "u4", "2", "1", "OVERFLOW", "SAT", "GET", "i64", "0"],
    ["BITOP", "XOR", "d", "bm", "s"], ["LCS", "s", "a", "IDX", "MINMATCHLEN", "1", "WITHMATCHLEN"],
    ["RPUSH", "l", "a", "b", "c", "1", "2"], ["LPOS", "l", "b", "RANK", "-1", "COUNT", "0", "MAXLEN", "10"],
    ["LINSERT", "l", "BEFORE", "b", "z"], ["LRANGE", "l", "-100", "100"], ["LMPOP", "2", "l", "m", "LEFT", "COUNT", "2"],
    ["LMOVE", "l", "m", "LEFT", "RIGHT"], ["LTRIM", "l", "1", "-2"], ["LSET", "l", "0", "q"],
    ["HSET", "h", "f", "v", "g", "1"], ["HINCRBYFLOAT", "h", "g", "0.1"], ["HRANDFIELD", "h", "-5", "WITHVALUES"],
    ["HSCAN", "h", "0", "MATCH", "*", "COUNT", "10"], ["SADD", "st", "a", "b", "1", "2"], ["SINTERCARD", "2", "st", "s2", "LIMIT", "1"],
    ["SPOP", "st", "2"], ["SRANDMEMBER", "st", "-3"], ["SMOVE", "st", "s2", "a"], ["SUNIONSTORE", "d", "st", "s2"],
    ["ZADD", "z", "NX", "CH", "1", "a", "2.5", "b", "-inf", "c"], ["ZADD", "z", "INCR", "3", "a"],
    ["ZRANGE", "z", "(1", "+inf", "BYSCORE", "REV", "LIMIT", "0", "2", "WITHSCORES"], ["ZRANGE", "z", "[a", "(z", "BYLEX"],
    ["ZUNIONSTORE", "d", "2", "z", "st", "WEIGHTS", "2", "3", "AGGREGATE", "MAX"], ["ZINTER", "2", "z", "st", "WITHSCORES"],
    ["ZMPOP", "1", "z", "MIN", "COUNT", "2"], ["ZRANDMEMBER", "z", "-2", "WITHSCORES"], ["ZRANGESTORE", "d", "z", "0", "-1"],
    ["XADD", "x", "MAXLEN", "~", "100", "*", "f", "v"], ["XADD", "x", "NOMKSTREAM", "1-*", "a", "b"],
    ["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM", "ENTRIESREAD", "0"], ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "x", ">"],
    ["XAUTOCLAIM", "x", "g", "c2", "0", "0-0", "COUNT", "5", "JUSTID"], ["XPENDING", "x", "g", "IDLE", "0", "-", "+", "10"],
    ["XINFO", "STREAM", "x", "FULL", "COUNT", "2"], ["XTRIM", "x", "MINID", "0-1"], ["XSETID", "x", "99-0"],
    ["JSON.SET", "j", "$", '{"a":[1,2,{"b":"c"}],"d":null}'], ["JSON.GET", "j", "$..b", "$.a[-1:]"],
    ["JSON.ARRINSERT", "j", "$.a", "1", "7"], ["JSON.NUMMULTBY", "j", "$.a[0]", "3"], ["JSON.MGET", "j", "k", "$.d"],
    ["GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
    ["GEOSEARCH", "geo", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "COUNT", "1", "ANY", "WITHCOORD", "WITHDIST", "WITHHASH"],
    ["GEORADIUS", "geo", "15", "37", "200", "km", "STORE", "d"], ["GEODIST", "geo", "Palermo", "Catania", "mi"],
    ["PFADD", "hll", "a", "b", "c"], ["PFMERGE", "hll2", "hll"], ["PFCOUNT", "hll", "hll2"],
    ["EXPIRE", "s", "100", "NX"], ["PEXPIREAT", "s", "99999999999999"], ["OBJECT", "FREQ", "s"], ["RENAME", "l", "l2"],
    ["COPY", "h", "h2", "DB", "3", "REPLACE"], ["SCAN", "0", "MATCH", "[a-z]*", "COUNT", "100", "TYPE", "zset"],
    ["SORT", "l2", "BY", "nosort", "GET", "#", "GET", "h->f", "LIMIT", "0", "5", "ALPHA", "DESC", "STORE", "d"],
    ["MULTI"], ["INCR", "n"], ["WATCH", "n"], ["DISCARD"], ["SELECT", "15"], ["SWAPDB", "0", "15"], ["DBSIZE"],
    ["COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b"], ["COMMAND", "DOCS", "SET"], ["INFO", "everything"],
    ["OBJECT", "ENCODING", "z"], ["MEMORY", "USAGE", "h"], ["TTL", "s"], ["TOUCH", "a", "b"], ["DEL", "a", "b"],
]

JSON_DOCS = ['{"a":1,"b":[1,2,3],"c":{"d":"e"}}', '[1,[2,[3,[4]]]]', '"str"', '3.14e10', '{"a":{"a":{"a":null}}}', 'true']
JSON_PATHS = ["$", "$..a", "$.b[0:2]", "$.c.*", ".c.d", "$[?(@.a>0)]", '$..[?(@=~"^s")]', "$.b[-1]", "$['c']"]

ACL_RULES = ["on >secret ~* &* +@all", "on nopass ~keys:* -@dangerous +get", "resetkeys %R~read:* %W~write:* +@read",
             "off #" + "a" * 64, "on >p (~k +get) (~x +set)", "allchannels allkeys -flushall +client|id reset", "on <p !" + "0" * 64]

LUA = ["return 1", "return redis.call('GET', KEYS[1])", "return {1, 'a', {err='x'}, {ok='y'}, 2.9, false, true}",
       "local t = {} for i=1,10 do t[i]=i end return t", "return cjson.encode({a={1,2}, b='c'})",
       "return cmsgpack.unpack(cmsgpack.pack({1,2,{a=3}}))", "return struct.pack('>I2', 7)", "return bit.band(7, 3)",
       "#!lua name=lib\nredis.register_function('f', function(keys, args) return #keys end)",
       "#!lua name=lib2\nredis.register_function{function_name='g', callback=function() return 1 end, flags={'no-writes'}}",
       "return redis.pcall('NOSUCH')", "redis.setresp(3) return redis.call('HELLO')", "return redis.sha1hex('x')",
       "local a = ARGV[1] .. KEYS[1] return string.rep(a, 3)", "error('boom')", "return tonumber('0x10')"]

CONFIG = ["maxmemory 100mb", "save 3600 1 300 100", "client-output-buffer-limit pubsub 32mb 8mb 60",
          "notify-keyspace-events KEA", "bind 127.0.0.1 -::1", "user alice on >pw ~* +@all", "rename-command FLUSHALL \"\"",
          "latency-tracking-info-percentiles 50 99 99.9", "oom-score-adj-values 0 200 800", "appendfsync always",
          "unixsocketperm 700", "dir \"/tmp/x y\"", "maxmemory-policy allkeys-lfu"]


def shm_ring_scripts():
    """Scripts of a hostile shared-memory client's moves (see `shm::fuzz_peer`: op byte
    0 honest write, 1 request head, 2 reply tail, 3 header word, 4 scribble, 5 server
    read, 6 server write, 7 client consumes replies)."""
    def u16(n): return n.to_bytes(2, "big")
    def u64(n): return n.to_bytes(8, "big")
    ping = b"*1\r\n$4\r\nPING\r\n"
    return [
        b"\x00" + u16(len(ping)) + ping + b"\x05\x06" + u16(7) + b"\x07",
        (b"\x00" + u16(4000) + (ping * 300)[:4000] + b"\x05") * 3 + b"\x06" + u16(9000) + b"\x07\x06" + u16(100),
        b"\x01" + u64(4097) + b"\x05",
        b"\x00" + u16(14) + ping + b"\x05\x01" + u64(3) + b"\x05",
        b"\x06" + u16(10) + b"\x02" + u64(11) + b"\x06" + u16(1),
        b"\x06" + u16(10) + b"\x07\x02" + u64(2) + b"\x06" + u16(1),
        b"\x04" + (64).to_bytes(4, "big") + b"\xff" * 16 + b"\x05\x04" + (192).to_bytes(4, "big") + b"\xff" * 16 + b"\x06" + u16(5),
        b"\x00" + u16(30) + b"*1\r\n$2147483647\r\nAAAAAAAAAAAAA" + b"\x05",
        b"\x00" + u16(12) + b"SET a b\r\nGE" + b"\x05\x00" + u16(3) + b"T a" + b"\x05",
    ]


def main():
    for s in shm_ring_scripts():
        put("shm_ring", s)
    for c in COMMANDS:
        put("command", resp(*c))
        put("command", b"\0".join(x.encode() for x in c))
    put("command", b"".join(resp(*c) for c in COMMANDS[:20]))
    for r in [resp("SET", "k", "v"), b"PING\r\n", b"SET k \"a b\\x00\" 'c'\r\n", b"*1\r\n$-1\r\n", b"*0\r\n",
              b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" * 3, b"*1\r\n$4\r\nPI", b"\r\n\r\n", b"*-1\r\n", b"$3\r\nfoo\r\n"]:
        put("resp", r)
    for d in JSON_DOCS:
        for p in JSON_PATHS[:4]:
            put("json", d.encode() + b"\0" + p.encode() + b"\0" + b'{"x":1}')
    for p in JSON_PATHS:
        put("json", JSON_DOCS[0].encode() + b"\0" + p.encode())
    for r in ACL_RULES:
        put("acl", r)
    for s in LUA:
        put("lua", s)
    for c in CONFIG:
        put("config", c)
    put("config", "\n".join(CONFIG))
    r = Redis()
    try:
        setup = [["SET", "str", "hello"], ["SET", "int", "12345"], ["SET", "big", "x" * 100],
                 ["RPUSH", "list", "a", "b", "1"], ["HSET", "hash", "f", "v"], ["SADD", "iset", "1", "2", "3"],
                 ["SADD", "set", "a", "b"], ["ZADD", "zset", "1", "a", "2.5", "b"], ["XADD", "stream", "1-1", "f", "v"],
                 ["XGROUP", "CREATE", "stream", "g", "0"], ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "stream", ">"],
                 ["PFADD", "hll", "a", "b", "c"], ["GEOADD", "geo", "13.36", "38.11", "p"]]
        for c in setup:
            r.cmd(*c)
        r.cmd("CONFIG", "SET", "hash-max-listpack-entries", "0")
        r.cmd("CONFIG", "SET", "zset-max-listpack-entries", "0")
        r.cmd("CONFIG", "SET", "set-max-intset-entries", "0")
        r.cmd("HSET", "bighash", "f", "v")
        r.cmd("ZADD", "bigzset", "1", "a")
        r.cmd("SADD", "bigset", "1", "2")
        for k in ["str", "int", "big", "list", "hash", "iset", "set", "zset", "stream", "hll", "geo", "bighash", "bigzset", "bigset"]:
            put("restore", r.cmd("DUMP", k))
    finally:
        r.close()


if __name__ == "__main__":
    main()
