//! One sequence of commands over every type whose later commands read what earlier ones
//! wrote, for the read-your-writes tests of MULTI/EXEC (tests/transactions.rs) and of
//! scripts (tests/scripting.rs): run one command at a time it is the reference; inside
//! one EXEC, or one script, the replies must be the same, though the writes stay
//! staged until the transaction or the script ends.

use super::{Raw, R};

/// Longer than one 64 KiB inline string: stored as chunks (records).
pub fn big_value() -> String {
    "b".repeat(70_000)
}

/// Stored state the sequence starts from in the selected database, so its reads merge
/// staged writes with records already in storage.
pub fn setup(c: &mut Raw) {
    let ok = |r: R| assert!(!matches!(r, R::Error(_)), "setup failed: {r:?}");
    ok(c.cmd(&["SET", "s0", "base"]));
    ok(c.cmd(&["SET", "big", &big_value()]));
    ok(c.cmd(&["HSET", "h", "old", "1", "keep", "2"]));
    let items: Vec<String> = (0..100).map(|i| format!("x{i}")).collect();
    let mut push = vec!["RPUSH", "l"];
    push.extend(items.iter().map(String::as_str));
    ok(c.cmd(&push));
    ok(c.cmd(&["SADD", "st", "b", "d"]));
    ok(c.cmd(&["ZADD", "z", "2", "b", "4", "d"]));
    for i in 1..=100 {
        ok(c.cmd(&["XADD", "x", &format!("{i}-0"), "f", &format!("v{i}")]));
    }
    ok(c.cmd(&["SET", "gone", "x"]));
    ok(c.cmd(&["JSON.SET", "j", "$", r#"{"a":1}"#]));
}

/// The commands; every read after a write of the same key must see it.
pub fn sequence() -> Vec<Vec<String>> {
    let big2 = "a".repeat(70_000);
    let rows: Vec<Vec<&str>> = vec![
        // strings, inline and chunked
        vec!["SET", "k", "1"],
        vec!["INCR", "k"],
        vec!["GET", "k"],
        vec!["APPEND", "s0", "+more"],
        vec!["GET", "s0"],
        vec!["SET", "big2", &big2],
        vec!["APPEND", "big2", "tail"],
        vec!["STRLEN", "big2"],
        vec!["GETRANGE", "big2", "69998", "-1"],
        vec!["APPEND", "big", "xyz"],
        vec!["SETRANGE", "big", "10", "ZZ"],
        vec!["GETRANGE", "big", "8", "13"],
        vec!["GETRANGE", "big", "-5", "-1"],
        vec!["STRLEN", "big"],
        // lists (LTRIM of more than 64 elements is a range deletion)
        vec!["RPUSH", "l", "a", "b"],
        vec!["LRANGE", "l", "-4", "-1"],
        vec!["LPOP", "l"],
        vec!["LINDEX", "l", "0"],
        vec!["LTRIM", "l", "90", "-1"],
        vec!["LRANGE", "l", "0", "-1"],
        vec!["LLEN", "l"],
        vec!["LPUSH", "l", "front"],
        vec!["LRANGE", "l", "0", "2"],
        vec!["RPUSH", "nl", "1", "2", "3"],
        vec!["LMOVE", "nl", "l", "LEFT", "RIGHT"],
        vec!["LRANGE", "nl", "0", "-1"],
        vec!["LRANGE", "l", "-2", "-1"],
        vec!["LPOS", "l", "front"],
        // hashes
        vec!["HSET", "h", "f", "v", "g", "w"],
        vec!["HDEL", "h", "old"],
        vec!["HGETALL", "h"],
        vec!["HLEN", "h"],
        vec!["HGET", "h", "f"],
        vec!["HINCRBY", "h", "n", "5"],
        vec!["HINCRBY", "h", "n", "1"],
        vec!["HGET", "h", "n"],
        vec!["HSCAN", "h", "0"],
        vec!["HEXISTS", "h", "old"],
        // sets
        vec!["SADD", "st", "a", "c"],
        vec!["SREM", "st", "d"],
        vec!["SMEMBERS", "st"],
        vec!["SCARD", "st"],
        vec!["SISMEMBER", "st", "a"],
        vec!["SADD", "st2", "c", "e"],
        vec!["SINTER", "st", "st2"],
        vec!["SUNIONSTORE", "su", "st", "st2"],
        vec!["SMEMBERS", "su"],
        // sorted sets
        vec!["ZADD", "z", "1", "a", "3", "c"],
        vec!["ZREM", "z", "d"],
        vec!["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        vec!["ZRANGEBYSCORE", "z", "1", "2"],
        vec!["ZINCRBY", "z", "10", "a"],
        vec!["ZREVRANGE", "z", "0", "0", "WITHSCORES"],
        vec!["ZSCORE", "z", "c"],
        vec!["ZCARD", "z"],
        vec!["ZRANK", "z", "b"],
        // streams (XTRIM of more than 64 entries is a range deletion)
        vec!["XADD", "x", "101-0", "f", "new"],
        vec!["XADD", "x", "102-0", "g", "w"],
        vec!["XRANGE", "x", "99", "+"],
        vec!["XLEN", "x"],
        vec!["XTRIM", "x", "MAXLEN", "10"],
        vec!["XRANGE", "x", "-", "+", "COUNT", "3"],
        vec!["XREVRANGE", "x", "+", "-", "COUNT", "2"],
        vec!["XGROUP", "CREATE", "x", "grp", "0"],
        vec!["XREADGROUP", "GROUP", "grp", "c1", "COUNT", "2", "STREAMS", "x", ">"],
        vec!["XPENDING", "x", "grp"],
        vec!["XACK", "x", "grp", "93-0"],
        vec!["XPENDING", "x", "grp"],
        // JSON
        vec!["JSON.SET", "j", "$.b", "2"],
        vec!["JSON.GET", "j"],
        vec!["JSON.NUMINCRBY", "j", "$.a", "5"],
        vec!["JSON.GET", "j", "$.a"],
        vec!["JSON.SET", "j2", "$", "[1,2]"],
        vec!["JSON.ARRAPPEND", "j2", "$", "3"],
        vec!["JSON.GET", "j2"],
        // keyspace
        vec!["DEL", "gone"],
        vec!["EXISTS", "gone"],
        vec!["GET", "gone"],
        vec!["TYPE", "h"],
        vec!["EXPIRE", "k", "1000"],
        vec!["TTL", "k"],
        vec!["PERSIST", "k"],
        vec!["TTL", "k"],
        vec!["COPY", "h", "hc"],
        vec!["HGETALL", "hc"],
        vec!["RENAME", "st", "stn"],
        vec!["SMEMBERS", "stn"],
        vec!["EXISTS", "st"],
        vec!["SET", "tmp", "x"],
        vec!["DEL", "tmp"],
        vec!["SET", "tmp", "y"],
        vec!["GET", "tmp"],
        vec!["PFADD", "hll", "a", "b", "c"],
        vec!["PFCOUNT", "hll"],
        vec!["SETBIT", "bits", "7", "1"],
        vec!["GETBIT", "bits", "7"],
        vec!["BITCOUNT", "bits"],
        vec!["GEOADD", "geo", "13.361389", "38.115556", "Palermo"],
        vec!["GEOPOS", "geo", "Palermo"],
        vec!["SORT", "l", "ALPHA", "LIMIT", "0", "3"],
        vec!["KEYS", "*"],
        vec!["DBSIZE"],
        vec!["SCAN", "0", "COUNT", "1000"],
    ];
    rows.into_iter().map(|r| r.into_iter().map(str::to_string).collect()).collect()
}

/// Runs the sequence one command at a time: the reference replies.
pub fn run_plain(c: &mut Raw) -> Vec<R> {
    sequence().iter().map(|cmd| c.cmd(&cmd.iter().map(String::as_str).collect::<Vec<_>>())).collect()
}

/// Runs the sequence inside one MULTI/EXEC; the EXEC reply's elements.
pub fn run_exec(c: &mut Raw) -> Vec<R> {
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    for cmd in sequence() {
        assert_eq!(c.cmd(&cmd.iter().map(String::as_str).collect::<Vec<_>>()), R::Status("QUEUED".into()), "{cmd:?}");
    }
    match c.cmd(&["EXEC"]) {
        R::Array(replies) => replies,
        other => panic!("EXEC answered {other:?}"),
    }
}

/// A Lua body that runs the sequence with redis.pcall and returns every reply in a
/// table (a nil reply becomes false in Lua and nil again in the script's reply).
pub fn lua_body() -> String {
    let mut out = String::from("local r = {}\n");
    for cmd in sequence() {
        let args: Vec<String> = cmd.iter().map(|a| format!("[===[{a}]===]")).collect();
        out.push_str(&format!("r[#r + 1] = redis.pcall({})\n", args.join(", ")));
    }
    out.push_str("return r\n");
    out
}

/// Reads every key the sequence leaves behind, one command at a time (after the
/// commit): the state must be the same whichever way the sequence ran.
pub fn final_state(c: &mut Raw) -> Vec<R> {
    let reads: &[&[&str]] = &[
        &["GET", "k"],
        &["GET", "s0"],
        &["GET", "big"],
        &["GET", "big2"],
        &["LRANGE", "l", "0", "-1"],
        &["LRANGE", "nl", "0", "-1"],
        &["HGETALL", "h"],
        &["HGETALL", "hc"],
        &["SMEMBERS", "stn"],
        &["SMEMBERS", "su"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &["XRANGE", "x", "-", "+"],
        &["XPENDING", "x", "grp"],
        &["JSON.GET", "j"],
        &["JSON.GET", "j2"],
        &["PFCOUNT", "hll"],
        &["GET", "bits"],
        &["GEOPOS", "geo", "Palermo"],
        &["KEYS", "*"],
        &["DBSIZE"],
        &["TTL", "k"],
    ];
    reads.iter().map(|cmd| c.cmd(cmd)).collect()
}

/// Compares two runs reply by reply, naming the first command that differs.
pub fn assert_same(what: &str, reference: &[R], got: &[R]) {
    let seq = sequence();
    assert_eq!(reference.len(), got.len(), "{what}: reply count");
    for (i, (a, b)) in reference.iter().zip(got).enumerate() {
        let name = seq.get(i).map(|c| c.iter().map(|a| a.chars().take(20).collect::<String>()).collect::<Vec<_>>().join(" ")).unwrap_or_default();
        assert_eq!(a, b, "{what}: reply {i} ({name}) differs");
    }
}
