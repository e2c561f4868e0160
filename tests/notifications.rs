//! Keyspace notifications over the wire (`notify-keyspace-events`): the events of the
//! common writes of every type as Redis 7.0 names them (keyspace and keyevent channels
//! alike), `expired` from lazy and active expiry, a pop that empties a list raising its
//! event then `del`, class and channel filtering (`Kl`, `Ex`, the `A` alias), CONFIG GET
//! round trips, the config file, events inside MULTI/EXEC after each command, RESTORE,
//! `evicted` under `maxdisk`, and a differential run against redis-server 7.0 over a
//! script of write commands of every non-JSON type (and one of reads, for `keymiss`)
//! that compares the whole (channel, message) sequence.
//!
//! A subscriber reads until a marker message the driver publishes after each command:
//! a command's events are published before its reply, so everything it raised comes
//! before the marker, with no sleeping.

mod common;

use std::time::Duration;

use common::reference::RedisServer;
use common::*;

/// A connection subscribed to keyspace channels and to the marker channel.
struct Watcher {
    sub: Raw,
    marks: u64,
}

impl Watcher {
    /// Subscribes to the patterns and to `__marker`.
    fn new(port: u16, patterns: &[&str]) -> Watcher {
        let mut sub = Raw::connect(port);
        let mut cmd = vec!["PSUBSCRIBE"];
        cmd.extend_from_slice(patterns);
        sub.send_cmd(&cmd);
        for _ in patterns {
            assert!(matches!(sub.read(), R::Array(_)));
        }
        sub.send_cmd(&["SUBSCRIBE", "__marker"]);
        assert!(matches!(sub.read(), R::Array(_)));
        Watcher { sub, marks: 0 }
    }

    /// Publishes a marker through `driver` and answers every (channel, message) received
    /// before it.
    fn take(&mut self, driver: &mut Raw) -> Vec<(String, String)> {
        self.marks += 1;
        let mark = self.marks.to_string();
        driver.cmd(&["PUBLISH", "__marker", &mark]);
        let mut out = Vec::new();
        loop {
            let R::Array(items) = self.sub.read() else { panic!("not a push") };
            let text = |r: &R| match r {
                R::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("{other:?}"),
            };
            match text(&items[0]).as_str() {
                "message" if text(&items[1]) == "__marker" => {
                    assert_eq!(text(&items[2]), mark);
                    return out;
                }
                "pmessage" => out.push((text(&items[2]), text(&items[3]))),
                other => panic!("unexpected {other}"),
            }
        }
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(c, m)| (c.to_string(), m.to_string())).collect()
}

/// Both channels of `event` about `key` in db 0, keyspace first.
fn both(key: &str, event: &str) -> Vec<(String, String)> {
    pairs(&[(&format!("__keyspace@0__:{key}"), event), (&format!("__keyevent@0__:{event}"), key)])
}

fn all(events: &[(&str, &str)]) -> Vec<(String, String)> {
    events.iter().flat_map(|(k, e)| both(k, e)).collect()
}

fn start(flags: &str) -> Server {
    Server::start_with(&["--notify-keyspace-events", flags, "--enable-debug-command", "yes"])
}

#[test]
fn writes_of_every_type_raise_redis_events_on_both_channels() {
    let server = start("KEA");
    let mut w = Watcher::new(server.port, &["__key*__:*"]);
    let mut c = server.raw();
    let cases: &[(&[&str], &[(&str, &str)])] = &[
        (&["SET", "s", "v"], &[("s", "set")]),
        (&["SET", "s", "v", "EX", "100"], &[("s", "set"), ("s", "expire")]),
        (&["EXPIRE", "s", "200"], &[("s", "expire")]),
        (&["PERSIST", "s"], &[("s", "persist")]),
        (&["INCRBY", "n", "5"], &[("n", "incrby")]),
        (&["APPEND", "n", "1"], &[("n", "append")]),
        (&["RENAME", "s", "s2"], &[("s", "rename_from"), ("s2", "rename_to")]),
        (&["DEL", "s2", "n", "missing"], &[("s2", "del"), ("n", "del")]),
        (&["LPUSH", "l", "a", "b"], &[("l", "lpush")]),
        (&["RPOP", "l"], &[("l", "rpop")]),
        (&["RPOP", "l"], &[("l", "rpop"), ("l", "del")]),
        (&["RPOP", "l"], &[]),
        (&["HSET", "h", "f", "v"], &[("h", "hset")]),
        (&["HDEL", "h", "f"], &[("h", "hdel"), ("h", "del")]),
        (&["SADD", "st", "a", "b"], &[("st", "sadd")]),
        (&["SADD", "st", "a"], &[]),
        (&["ZADD", "z", "1", "a"], &[("z", "zadd")]),
        (&["ZINCRBY", "z", "1", "a"], &[("z", "zincr")]),
        (&["XADD", "x", "1-1", "f", "v"], &[("x", "xadd")]),
        (&["JSON.SET", "j", "$", r#"{"a":1}"#], &[("j", "json.set")]),
        (&["JSON.NUMINCRBY", "j", "$.a", "2"], &[("j", "json.numincrby")]),
        (&["JSON.SET", "j", "$", "1", "NX"], &[]),
        (&["JSON.SET", "j", "$.b", "[1]"], &[("j", "json.set")]),
        (&["JSON.ARRAPPEND", "j", "$.b", "2"], &[("j", "json.arrappend")]),
        (&["JSON.ARRPOP", "j", "$.b"], &[("j", "json.arrpop")]),
        (&["JSON.TOGGLE", "j", "$.nothing"], &[]),
        (&["JSON.FORGET", "j", "$.b"], &[("j", "json.del")]),
        (&["JSON.DEL", "j", "$.nothing"], &[]),
        (&["JSON.DEL", "j"], &[("j", "json.del")]),
        (&["EXPIRE", "st", "0"], &[("st", "del")]),
        (&["FLUSHALL"], &[]),
    ];
    for (cmd, events) in cases {
        c.cmd(cmd);
        assert_eq!(w.take(&mut c), all(events), "{cmd:?}");
    }
}

#[test]
fn restore_raises_restore_after_new_and_del_for_a_past_ttl() {
    let server = start("KEAn");
    let mut w = Watcher::new(server.port, &["__keyevent@0__:*"]);
    let mut c = server.raw();
    c.cmd(&["RPUSH", "src", "a", "b"]);
    let R::Bulk(payload) = c.cmd(&["DUMP", "src"]) else { panic!("DUMP") };
    w.take(&mut c);
    assert_eq!(c.cmd_bytes(&[b"RESTORE", b"dst", b"0", &payload]), R::ok());
    assert_eq!(c.cmd_bytes(&[b"RESTORE", b"dst", b"0", &payload, b"REPLACE"]), R::ok());
    // Redis deletes the old value and adds the new one: `new` again.
    let ev = |e: &str, k: &str| (format!("__keyevent@0__:{e}"), k.to_string());
    assert_eq!(w.take(&mut c), vec![ev("new", "dst"), ev("restore", "dst"), ev("new", "dst"), ev("restore", "dst")]);
    // A TTL already past with REPLACE only deletes the old value.
    assert_eq!(c.cmd_bytes(&[b"RESTORE", b"dst", b"1", &payload, b"REPLACE", b"ABSTTL"]), R::ok());
    assert_eq!(w.take(&mut c), vec![ev("del", "dst")]);
    assert_eq!(c.cmd(&["EXISTS", "dst"]), R::Int(0));
}

#[test]
fn lazy_and_active_expiry_raise_expired() {
    let server = start("KEA");
    let mut w = Watcher::new(server.port, &["__keyevent@*__:expired", "__keyspace@0__:*"]);
    let mut c = server.raw();
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), R::ok());
    c.cmd(&["SET", "lazy", "v", "PX", "1"]);
    assert_eq!(w.take(&mut c), pairs(&[("__keyspace@0__:lazy", "set"), ("__keyspace@0__:lazy", "expire")]));
    std::thread::sleep(Duration::from_millis(5));
    // The read finds it expired: `expired` comes before anything else of the command.
    assert_eq!(c.cmd(&["GET", "lazy"]), R::Nil);
    assert_eq!(w.take(&mut c), pairs(&[("__keyspace@0__:lazy", "expired"), ("__keyevent@0__:expired", "lazy")]));

    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]), R::ok());
    c.cmd(&["SET", "active", "v", "PX", "1"]);
    w.take(&mut c);
    // Nothing reads the key: the active cycle removes it (DBSIZE does not look it up),
    // and publishes just after its commit.
    assert!(wait_until(Duration::from_secs(10), || c.cmd(&["DBSIZE"]) == R::Int(0)));
    let mut events = Vec::new();
    assert!(wait_until(Duration::from_secs(10), || {
        events.extend(w.take(&mut c));
        events.len() >= 2
    }));
    assert_eq!(events, pairs(&[("__keyspace@0__:active", "expired"), ("__keyevent@0__:expired", "active")]));
}

#[test]
fn flags_filter_classes_and_channels() {
    let server = start("");
    let mut c = server.raw();
    let mut w = Watcher::new(server.port, &["__key*__:*"]);
    // Off by default: nothing at all.
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["LPUSH", "l", "a"]);
    assert_eq!(w.take(&mut c), vec![]);

    // `Kl`: keyspace channel, list events only.
    assert_eq!(c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "Kl"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "GET", "notify-keyspace-events"]), R::Array(vec![R::bulk("notify-keyspace-events"), R::bulk("lK")]));
    c.cmd(&["SET", "k", "v2"]);
    c.cmd(&["RPUSH", "l", "b"]);
    c.cmd(&["DEL", "l"]);
    assert_eq!(w.take(&mut c), pairs(&[("__keyspace@0__:l", "rpush")]));

    // `Ex`: keyevent channel, expired only.
    assert_eq!(c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "Ex"]), R::ok());
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), R::ok());
    c.cmd(&["SET", "e", "v", "PX", "1"]);
    std::thread::sleep(Duration::from_millis(5));
    c.cmd(&["GET", "e"]);
    c.cmd(&["LPUSH", "l", "x"]);
    assert_eq!(w.take(&mut c), pairs(&[("__keyevent@0__:expired", "e")]));

    // `A` is every key class (not `m` nor `n`), printed back as `A`.
    assert_eq!(c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "GET", "notify-keyspace-events"]), R::Array(vec![R::bulk("notify-keyspace-events"), R::bulk("AKE")]));
    c.cmd(&["SADD", "s", "m"]);
    assert_eq!(w.take(&mut c), both("s", "sadd"));
    // `n` adds `new` before the creating command's own event; `m` adds `keymiss`.
    assert_eq!(c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "Egnm"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "GET", "notify-keyspace-events"]), R::Array(vec![R::bulk("notify-keyspace-events"), R::bulk("gnEm")]));
    c.cmd(&["SET", "fresh", "1"]);
    c.cmd(&["GET", "nothere"]);
    c.cmd(&["DEL", "fresh"]);
    assert_eq!(
        w.take(&mut c),
        pairs(&[("__keyevent@0__:new", "fresh"), ("__keyevent@0__:keymiss", "nothere"), ("__keyevent@0__:del", "fresh")])
    );
    // A bad class letter is refused with Redis's text, and the flags stay.
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KQ"]),
        R::err("ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    );
    assert_eq!(c.cmd(&["CONFIG", "GET", "notify-keyspace-events"]), R::Array(vec![R::bulk("notify-keyspace-events"), R::bulk("gnEm")]));
}

#[test]
fn the_config_file_turns_notifications_on() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("diskdb.conf");
    std::fs::write(&conf, "notify-keyspace-events \"Kh$\"\n").unwrap();
    let server = Server::start_with(&[conf.to_str().unwrap()]);
    let mut c = server.raw();
    assert_eq!(c.cmd(&["CONFIG", "GET", "notify-keyspace-events"]), R::Array(vec![R::bulk("notify-keyspace-events"), R::bulk("$hK")]));
    let mut w = Watcher::new(server.port, &["__key*__:*"]);
    c.cmd(&["HSET", "h", "f", "v"]);
    c.cmd(&["SADD", "s", "m"]);
    c.cmd(&["APPEND", "a", "x"]);
    assert_eq!(w.take(&mut c), pairs(&[("__keyspace@0__:h", "hset"), ("__keyspace@0__:a", "append")]));
}

#[test]
fn events_name_the_logical_database_and_follow_each_command_inside_exec() {
    let server = start("KEA");
    let mut w = Watcher::new(server.port, &["__key*@*__:*"]);
    let mut c = server.raw();
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["MOVE", "k", "5"]);
    assert_eq!(
        w.take(&mut c),
        pairs(&[
            ("__keyspace@3__:k", "set"),
            ("__keyevent@3__:set", "k"),
            ("__keyspace@3__:k", "move_from"),
            ("__keyevent@3__:move_from", "k"),
            ("__keyspace@5__:k", "move_to"),
            ("__keyevent@5__:move_to", "k"),
        ])
    );
    c.cmd(&["SELECT", "0"]);
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    c.cmd(&["LPUSH", "q", "a"]);
    c.cmd(&["LPOP", "q"]);
    c.cmd(&["INCR", "q"]);
    assert!(matches!(c.cmd(&["EXEC"]), R::Array(_)));
    assert_eq!(w.take(&mut c), all(&[("q", "lpush"), ("q", "lpop"), ("q", "del"), ("q", "incrby")]));
}


#[test]
fn the_evictor_raises_evicted_for_each_key_it_removes() {
    let server = Server::start_with(&[
        "--maxdisk", "3mb", "--maxmemory-policy", "allkeys-random", "--rocksdb-write-buffer-size", "1mb",
        "--notify-keyspace-events", "Ee",
    ]);
    let mut w = Watcher::new(server.port, &["__keyevent@0__:*"]);
    let mut c = server.raw();
    let evicted = |s: &Server| s.info_field("stats", "evicted_keys").and_then(|v| v.parse::<u64>().ok()).unwrap();
    let mut written = 0u64;
    while evicted(&server) == 0 {
        assert!(written < 20_000, "nothing evicted after {written} keys");
        let mut batch = Vec::new();
        for i in written..written + 50 {
            batch.extend(encode(&["SET", &format!("k:{i}"), &noise(4000, i)]));
        }
        c.send(&batch);
        for _ in 0..50 {
            // A write refused while eviction catches up is simply not retried.
            let r = c.read();
            assert!(r == R::ok() || matches!(&r, R::Error(e) if e.starts_with("OOM ")), "{r:?}");
        }
        written += 50;
    }
    // The evictor counts a key before publishing its event: collect until every
    // eviction counted has been heard of.
    let at_least = evicted(&server);
    let mut events = Vec::new();
    assert!(wait_until(Duration::from_secs(10), || {
        events.extend(w.take(&mut c));
        events.len() as u64 >= at_least
    }), "{} events for {at_least} evictions", events.len());
    // `E` with only `e`: the SETs raised nothing, every event names an evicted key.
    for (channel, key) in &events {
        assert_eq!(channel, "__keyevent@0__:evicted");
        assert!(key.starts_with("k:"), "{key}");
        assert_eq!(c.cmd(&["EXISTS", key]), R::Int(0), "{key} evicted but still there");
    }
}

/// Write commands of every type but JSON, in an order that exercises creation,
/// overwrite, emptying and the no-op cases; both servers run them one by one.
const SCRIPT: &[&[&str]] = &[
    // strings
    &["SET", "s", "v"], &["SET", "s", "v2", "EX", "100"], &["SET", "s", "v3", "KEEPTTL"], &["SET", "s", "x", "NX"],
    &["SET", "s", "y", "XX", "GET"], &["SETNX", "s2", "v"], &["SETNX", "s2", "v"], &["SETEX", "s3", "100", "v"],
    &["PSETEX", "s4", "100000", "v"], &["GETSET", "s", "g"], &["GETEX", "s", "EX", "100"], &["GETEX", "s", "PERSIST"],
    &["GETEX", "s", "PERSIST"], &["GETEX", "s3", "PXAT", "1"], &["GETDEL", "s2"], &["GETDEL", "s2"], &["MSET", "a", "1", "b", "2"],
    &["MSETNX", "c", "1", "d", "2"], &["MSETNX", "c", "1", "e", "2"], &["SETRANGE", "a", "0", "x"], &["SETRANGE", "zz", "0", ""],
    &["SETRANGE", "a", "3", ""], &["INCR", "n"], &["DECR", "n"], &["INCRBY", "n", "5"], &["DECRBY", "n", "5"],
    &["INCRBYFLOAT", "n", "1.5"], &["APPEND", "n", "x"], &["APPEND", "new", "x"], &["SETBIT", "bm", "3", "1"],
    &["SETBIT", "bm", "3", "1"], &["SETBIT", "bm", "3", "0"], &["SETBIT", "bm", "100", "0"], &["BITFIELD", "bf", "SET", "u8", "0", "1", "GET", "u8", "0"],
    &["BITFIELD", "bf", "GET", "u8", "0"], &["BITOP", "AND", "dst", "bm", "bf"], &["BITOP", "AND", "dst", "nothere", "nothere2"],
    &["BITOP", "AND", "dst", "nothere", "nothere2"],
    // generic
    &["DEL", "a", "b", "nothing"], &["UNLINK", "c", "d"], &["EXPIRE", "n", "100"], &["EXPIRE", "n", "100", "NX"],
    &["PEXPIRE", "n", "100000"], &["EXPIREAT", "n", "99999999999", "GT"], &["PERSIST", "n"], &["PERSIST", "n"], &["EXPIREAT", "n", "1"],
    &["EXPIRE", "nothing", "10"], &["SET", "r", "1"], &["RENAME", "r", "r2"], &["SET", "r3", "1"], &["RENAME", "r2", "r3"],
    &["RENAMENX", "r3", "r4"], &["SET", "r5", "1"], &["RENAMENX", "r4", "r5"], &["RENAME", "r4", "r4"], &["MOVE", "r4", "1"],
    &["SET", "r4", "x"], &["MOVE", "r4", "1"], &["COPY", "r5", "cp"], &["COPY", "r5", "cp"], &["COPY", "r5", "cp", "REPLACE"],
    &["COPY", "r5", "cp", "DB", "2"], &["DEL", "cp"],
    // lists
    &["LPUSH", "l", "a", "b", "c"], &["RPUSH", "l", "d"], &["LPUSHX", "l", "x"], &["RPUSHX", "nol", "x"], &["LINSERT", "l", "BEFORE", "a", "z"],
    &["LINSERT", "l", "BEFORE", "nope", "z"], &["LSET", "l", "0", "q"], &["LREM", "l", "1", "q"], &["LREM", "l", "0", "nope"], &["LTRIM", "l", "0", "3"],
    &["LPOP", "l"], &["RPOP", "l", "2"], &["LPOP", "l", "0"], &["LMOVE", "l", "l2", "LEFT", "RIGHT"], &["RPOPLPUSH", "l2", "l3"],
    &["RPUSH", "l", "a", "b", "c"], &["LMOVE", "l", "l", "LEFT", "RIGHT"], &["LMPOP", "1", "l", "LEFT", "COUNT", "10"],
    &["RPUSH", "l", "a", "b"], &["BLPOP", "l", "1"], &["BRPOP", "l", "1"], &["RPUSH", "l", "a"], &["BLMOVE", "l", "l3", "RIGHT", "LEFT", "1"],
    &["RPUSH", "l", "a"], &["BLMPOP", "1", "1", "l", "RIGHT"], &["RPUSH", "l", "a", "b"], &["LTRIM", "l", "5", "10"], &["LTRIM", "nol", "0", "1"],
    // hashes
    &["HSET", "h", "a", "1", "b", "2"], &["HSET", "h", "a", "1"], &["HMSET", "h", "c", "3"], &["HSETNX", "h", "a", "1"], &["HSETNX", "h", "d", "1"],
    &["HINCRBY", "h", "a", "1"], &["HINCRBYFLOAT", "h", "a", "1.5"], &["HDEL", "h", "zz"], &["HDEL", "h", "a", "b"], &["HDEL", "h", "c", "d"],
    // sets
    &["SADD", "st", "a", "b", "c"], &["SADD", "st", "a"], &["SREM", "st", "zz"], &["SREM", "st", "a"], &["SPOP", "st"], &["SPOP", "st", "0"],
    &["SMOVE", "st", "st2", "nope"], &["SADD", "st", "a", "b", "c"], &["SMOVE", "st2", "st", "x"], &["SMOVE", "st", "st", "a"],
    &["SPOP", "st", "1"], &["SPOP", "st", "10"], &["SADD", "st", "a", "b"], &["SADD", "t", "b", "c"], &["SMOVE", "st", "t", "b"],
    &["SMOVE", "st", "t", "a"], &["SADD", "st", "a", "b"], &["SINTERSTORE", "d1", "st", "t"], &["SUNIONSTORE", "d2", "st", "t"],
    &["SDIFFSTORE", "d3", "st", "t"], &["SINTERSTORE", "d1", "st", "nothing"], &["SINTERSTORE", "d1", "st", "nothing"],
    &["SUNIONSTORE", "d2", "st", "t"],
    // sorted sets
    &["ZADD", "z", "1", "a", "2", "b"], &["ZADD", "z", "1", "a"], &["ZADD", "z", "INCR", "1", "a"], &["ZADD", "z", "XX", "1", "nope"],
    &["ZADD", "z", "GT", "0", "a"], &["ZADD", "z", "CH", "5", "a"], &["ZINCRBY", "z", "1", "a"], &["ZINCRBY", "z", "0", "a"], &["ZREM", "z", "nope"],
    &["ZREM", "z", "a"], &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], &["ZREMRANGEBYSCORE", "z", "1", "1"],
    &["ZREMRANGEBYSCORE", "z", "100", "200"], &["ZREMRANGEBYRANK", "z", "0", "0"], &["ZREMRANGEBYLEX", "z", "[c", "[c"], &["ZPOPMIN", "z"],
    &["ZADD", "z", "1", "a", "2", "b", "3", "c"], &["ZPOPMAX", "z", "5"], &["ZPOPMIN", "z"], &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    &["ZADD", "z2", "1", "a"], &["ZUNIONSTORE", "zu", "2", "z", "z2"], &["ZINTERSTORE", "zi", "2", "z", "z2"], &["ZDIFFSTORE", "zd", "2", "z", "z2"],
    &["ZINTERSTORE", "zi", "2", "z", "nothing"], &["ZRANGESTORE", "zr", "z", "0", "-1"], &["ZRANGESTORE", "zr", "z", "5", "6"],
    &["ZRANGESTORE", "zr", "z", "5", "6"], &["ZMPOP", "1", "z", "MIN", "COUNT", "1"], &["BZPOPMIN", "z", "1"], &["BZMPOP", "1", "1", "z", "MAX", "COUNT", "10"],
    &["ZADD", "z", "1", "a"], &["ZREMRANGEBYRANK", "z", "0", "-1"],
    // streams
    &["XADD", "x", "1-1", "a", "1"], &["XADD", "x", "MAXLEN", "1", "2-1", "a", "1"], &["XADD", "nox", "NOMKSTREAM", "*", "a", "1"],
    &["XTRIM", "x", "MAXLEN", "0"], &["XTRIM", "x", "MAXLEN", "0"], &["XADD", "x", "3-1", "a", "1"], &["XADD", "x", "4-1", "a", "1"],
    &["XDEL", "x", "3-1"], &["XDEL", "x", "9-9"], &["XGROUP", "CREATE", "x", "g", "0"], &["XGROUP", "CREATE", "x2", "g", "$", "MKSTREAM"],
    &["XGROUP", "CREATECONSUMER", "x", "g", "c1"], &["XGROUP", "CREATECONSUMER", "x", "g", "c1"],
    &["XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "x", ">"], &["XREADGROUP", "GROUP", "g", "c5", "COUNT", "1", "STREAMS", "x", ">"],
    &["XREADGROUP", "GROUP", "g", "c6", "STREAMS", "x", "0"], &["XCLAIM", "x", "g", "c7", "0", "4-1"], &["XCLAIM", "x", "g", "c8", "0", "9-9"],
    &["XAUTOCLAIM", "x", "g", "c9", "0", "0"], &["XACK", "x", "g", "4-1"], &["XGROUP", "DELCONSUMER", "x", "g", "c1"],
    &["XGROUP", "DELCONSUMER", "x", "g", "nope"], &["XGROUP", "SETID", "x", "g", "0"], &["XSETID", "x", "10-1"], &["XGROUP", "DESTROY", "x", "g"],
    &["XGROUP", "DESTROY", "x", "g"], &["XADD", "x", "MAXLEN", "0", "*", "a", "1"],
    // more edges: creation by counters and ranges, conditions, wrong types, repeats
    &["GETEX", "nokey", "EX", "10"], &["INCRBYFLOAT", "f", "1"], &["HINCRBY", "h2", "a", "1"], &["HINCRBYFLOAT", "h3", "a", "1"],
    &["LINSERT", "nol", "BEFORE", "a", "b"], &["LSET", "nol", "0", "a"], &["SETRANGE", "sr", "2", "ab"], &["HSETNX", "h4", "a", "1"],
    &["ZADD", "z3", "NX", "1", "a"], &["ZADD", "z3", "LT", "5", "a"], &["ZADD", "z3", "LT", "0", "a"], &["SADD", "s5", "a"],
    &["EXPIRE", "s5", "100", "XX"], &["EXPIRE", "s5", "100", "LT"], &["EXPIRE", "s5", "50", "LT"], &["EXPIRE", "s5", "500", "GT"],
    &["PEXPIREAT", "s5", "1"], &["MSET", "m", "1", "m", "2"], &["DEL", "m", "m"], &["SET", "str", "x"], &["SINTERSTORE", "str", "s6", "s6"],
    &["SET", "str", "x"], &["SADD", "s7", "a"], &["SUNIONSTORE", "str", "s7"], &["ZUNIONSTORE", "str", "1", "s7"],
    &["SORT", "s7", "STORE", "str", "ALPHA"], &["LPUSH", "str", "x"], &["LMOVE", "s7", "str", "LEFT", "LEFT"], &["RPUSH", "lw", "a"],
    &["LMOVE", "lw", "s7", "LEFT", "LEFT"], &["BITOP", "NOT", "bn", "bm"], &["BITFIELD", "bo", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"],
    &["BITFIELD", "bo", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "1"], &["SET", "ttlk", "v", "EX", "100"], &["RENAME", "ttlk", "ttlk2"],
    &["COPY", "ttlk2", "ttlk3", "DB", "1", "REPLACE"], &["SPOP", "nos", "3"], &["HDEL", "h2", "a", "a"],
    &["XADD", "xl", "1-1", "a", "1"], &["XADD", "xl", "2-1", "a", "1"], &["XTRIM", "xl", "MINID", "2-1"], &["XTRIM", "xl", "MINID", "2-1"],
    &["XGROUP", "CREATE", "xl", "g", "$", "MKSTREAM"], &["XGROUP", "CREATE", "xl", "g", "$"], &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "xl", ">"],
    &["XADD", "xl", "3-1", "a", "1"], &["XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "xl", ">"],
    // lazy expiry inside other commands (the active cycle is off on both servers)
    &["SET", "e", "1", "PX", "1"], &["DEBUG", "SLEEP", "0.01"], &["GET", "e"], &["SET", "e", "1", "PX", "1"], &["DEBUG", "SLEEP", "0.01"],
    &["SET", "e", "2"], &["RPUSH", "el", "a"], &["PEXPIRE", "el", "1"], &["DEBUG", "SLEEP", "0.01"], &["LPUSH", "el", "b"],
    &["SADD", "es", "a"], &["PEXPIRE", "es", "1"], &["DEBUG", "SLEEP", "0.01"], &["EXISTS", "es"], &["HSET", "eh", "a", "1"],
    &["PEXPIRE", "eh", "1"], &["DEBUG", "SLEEP", "0.01"], &["DEL", "eh"], &["ZADD", "ez", "1", "a"], &["PEXPIRE", "ez", "1"],
    &["DEBUG", "SLEEP", "0.01"], &["TYPE", "ez"], &["SET", "e2", "1", "PX", "1"], &["DEBUG", "SLEEP", "0.01"], &["INCR", "e2"],
    // geospatial indexes and HyperLogLogs
    &["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
    &["GEOADD", "g", "NX", "13.361389", "38.115556", "Palermo"], &["GEOADD", "g", "XX", "CH", "13.4", "38.1", "Palermo"],
    &["GEOADD", "nog", "XX", "1", "1", "m"], &["GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    &["GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    &["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "gr"], &["GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "gd"],
    &["GEORADIUSBYMEMBER", "g", "Palermo", "1", "m", "STORE", "gr"], &["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "1", "1", "km"],
    &["PFADD", "h", "a", "b"], &["PFADD", "h", "a"], &["PFADD", "h2"], &["PFADD", "h2"], &["PFCOUNT", "h"],
    &["PFMERGE", "hm", "h", "h2"], &["PFMERGE", "hm"], &["PFCOUNT", "h", "hm"],
    // sort, restore, expiry into other commands, flushes
    &["RPUSH", "sl", "3", "1", "2"], &["SORT", "sl", "STORE", "sd"], &["SORT", "sl", "STORE", "sd"], &["SORT", "nothing", "STORE", "sd"],
    &["SORT", "nothing", "STORE", "sd"], &["SET", "k", "v"], &["SWAPDB", "0", "1"], &["SWAPDB", "0", "1"], &["FLUSHDB"], &["SET", "k", "v"], &["FLUSHALL"],
];

/// Reads of missing keys of every type, for `keymiss` (class `m`).
const READS: &[&[&str]] = &[
    &["GET", "nk"], &["STRLEN", "nk"], &["GETRANGE", "nk", "0", "1"], &["MGET", "nk", "nk2"], &["EXISTS", "nk"], &["TYPE", "nk"],
    &["TTL", "nk"], &["LRANGE", "nk", "0", "1"], &["LLEN", "nk"], &["LINDEX", "nk", "0"], &["HGET", "nk", "f"], &["HGETALL", "nk"],
    &["HLEN", "nk"], &["SMEMBERS", "nk"], &["SCARD", "nk"], &["SISMEMBER", "nk", "a"], &["SINTER", "nk", "nk2"], &["SUNION", "nk"],
    &["ZRANGE", "nk", "0", "1"], &["ZSCORE", "nk", "a"], &["ZCARD", "nk"], &["ZCOUNT", "nk", "0", "1"], &["XRANGE", "nk", "-", "+"],
    &["XLEN", "nk"], &["BITCOUNT", "nk"], &["GETBIT", "nk", "1"], &["SORT", "nk"], &["OBJECT", "ENCODING", "nk"], &["DUMP", "nk"],
    &["SRANDMEMBER", "nk"], &["HSCAN", "nk", "0"], &["SSCAN", "nk", "0"], &["ZSCAN", "nk", "0"], &["LPOP", "nk"], &["INCR", "nk"],
    &["DEL", "nk"], &["SADD", "s", "a"], &["SINTERSTORE", "d", "s", "nk"], &["SUNIONSTORE", "d", "nk", "nk2"], &["ZUNIONSTORE", "d", "2", "nk", "nk2"],
    &["ZRANGESTORE", "d", "nk", "0", "1"], &["SINTERCARD", "2", "nk", "nk2"], &["ZINTERCARD", "2", "nk", "nk2"], &["LMPOP", "2", "nk", "nk2", "LEFT"],
    &["RPOPLPUSH", "nk", "d2"], &["SMOVE", "nk", "s", "a"], &["XREAD", "STREAMS", "nk", "0"], &["LPOS", "nk", "a"], &["HRANDFIELD", "nk"],
    &["HEXISTS", "nk", "a"], &["HMGET", "nk", "a"], &["ZMSCORE", "nk", "a"], &["SMISMEMBER", "nk", "a"], &["ZRANK", "nk", "a"],
    &["LCS", "nk", "nk2"], &["BITPOS", "nk", "1"], &["GETEX", "nk"], &["GETDEL", "nk"], &["COPY", "nk", "d3"], &["MOVE", "nk", "1"],
    &["SORT", "nk", "STORE", "d4"], &["TOUCH", "nk"], &["FLUSHALL"],
];

/// Runs [`SCRIPT`] on `port` and answers, per command, the events seen.
fn record(port: u16, flags: &str, script: &[&[&str]]) -> Vec<Vec<(String, String)>> {
    let mut c = Raw::connect(port);
    assert_eq!(c.cmd(&["CONFIG", "SET", "notify-keyspace-events", flags]), R::ok());
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), R::ok());
    let mut w = Watcher::new(port, &["__key*__:*"]);
    script
        .iter()
        .map(|cmd| {
            c.cmd(cmd);
            w.take(&mut c)
        })
        .collect()
}

#[test]
fn the_event_sequence_matches_redis_over_a_script_of_every_type() {
    let server = Server::start_with(&["--enable-debug-command", "yes"]);
    let redis = RedisServer::start_with(&["--enable-debug-command", "yes"]);
    for (flags, script) in [("KEA", SCRIPT), ("KEAnm", SCRIPT), ("Em", READS)] {
        let ours = record(server.port, flags, script);
        let theirs = record(redis.port, flags, script);
        let mut differ = Vec::new();
        for ((cmd, o), t) in script.iter().zip(&ours).zip(&theirs) {
            if o != t {
                differ.push(format!("{}\n  diskdb: {o:?}\n  redis:  {t:?}", cmd.join(" ")));
            }
        }
        assert!(differ.is_empty(), "flags {flags}: {} commands differ:\n{}", differ.len(), differ.join("\n"));
        // The script raised plenty: the comparison is not vacuous.
        assert!(theirs.iter().map(Vec::len).sum::<usize>() > script.len() / 2, "{flags}");
    }
}
