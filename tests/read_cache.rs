//! The record cache (`read-cache-size`) against the real server: the same random stream
//! of collection writes and repeated range reads goes to a server with the cache and to
//! one without it, and every reply must match byte for byte, while INFO shows that reads
//! were in fact served from memory.

mod common;
use common::*;

/// Seeded, so a failure replays.
struct Rng(fastrand::Rng);
impl Rng {
    fn below(&mut self, n: u64) -> i64 {
        self.0.i64(0..n as i64)
    }
}

fn info_field(c: &mut Raw, section: &str, field: &str) -> u64 {
    let R::Bulk(text) = c.cmd(&["INFO", section]) else { panic!("INFO answers a bulk string") };
    let text = String::from_utf8(text).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{field}:"))).unwrap_or_else(|| panic!("no {field}"));
    line[field.len() + 1..].trim().parse().unwrap()
}

/// Fills the four collections: the list is longer than one cache window (4096 records),
/// so reads at both ends and in the middle cross window edges.
fn fill(c: &mut Raw) {
    for chunk in 0..60 {
        let mut push = vec!["RPUSH".to_string(), "list".into()];
        let mut zadd = vec!["ZADD".to_string(), "zset".into()];
        let mut hset = vec!["HSET".to_string(), "hash".into()];
        let mut sadd = vec!["SADD".to_string(), "set".into()];
        for i in chunk * 100..chunk * 100 + 100 {
            push.push(format!("v{i}"));
            zadd.push(format!("{}", i % 997));
            zadd.push(format!("m{i}"));
            if i < 1500 {
                hset.push(format!("f{i}"));
                hset.push(format!("{i}"));
                sadd.push(format!("s{i}"));
            }
        }
        for cmd in [push, zadd, hset, sadd] {
            if cmd.len() > 2 {
                let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
                assert!(matches!(c.cmd(&args), R::Int(_)));
            }
        }
    }
}

/// One random write to one of the collections.
fn random_write(rng: &mut Rng) -> Vec<String> {
    let n = rng.below(6000).to_string();
    let w: &[&str] = match rng.below(16) {
        0 => &["LPUSH", "list", "new"],
        1 => &["RPUSH", "list", "tail"],
        2 => &["LPOP", "list"],
        3 => &["RPOP", "list"],
        4 => &["LSET", "list", &n, "set"],
        5 => &["LINSERT", "list", "BEFORE", "v100", "ins"],
        6 => &["LREM", "list", "1", "new"],
        7 => &["ZADD", "zset", &n, "m5"],
        8 => &["ZINCRBY", "zset", "1.5", "m7"],
        9 => &["ZREM", "zset", "m9", "m4000"],
        10 => &["HSET", "hash", "f10", &n],
        11 => &["HDEL", "hash", "f11"],
        12 => &["SADD", "set", "s-new"],
        13 => &["SREM", "set", "s12", "s-new"],
        14 => &["RENAME", "zset", "zset2"],
        _ => &["RENAME", "zset2", "zset"],
    };
    w.iter().map(|s| s.to_string()).collect()
}

/// The pool of reads: each comes back often, as reads of hot keys do.
const READS: &[&[&str]] = &[
    &["LRANGE", "list", "0", "99"],
    &["LRANGE", "list", "-100", "-1"],
    &["LRANGE", "list", "4000", "4200"],
    &["LRANGE", "list", "-5000", "-4900"],
    &["LINDEX", "list", "4095"],
    &["LINDEX", "list", "-1"],
    &["LPOS", "list", "v50"],
    &["LLEN", "list"],
    &["ZRANGE", "zset", "0", "99", "WITHSCORES"],
    &["ZRANGE", "zset", "-50", "-1"],
    &["ZRANGEBYSCORE", "zset", "100", "(120"],
    &["ZREVRANGEBYSCORE", "zset", "+inf", "900", "LIMIT", "0", "30"],
    &["ZRANGE", "zset", "[m1", "[m2", "BYLEX"],
    &["ZRANK", "zset", "m5"],
    &["ZSCORE", "zset", "m7"],
    &["ZCOUNT", "zset", "10", "20"],
    &["HGETALL", "hash"],
    &["HGET", "hash", "f10"],
    &["HMGET", "hash", "f10", "f11", "nope"],
    &["HSCAN", "hash", "0", "COUNT", "50"],
    &["SMEMBERS", "set"],
    &["SISMEMBER", "set", "s12"],
    &["SMISMEMBER", "set", "s12", "s-new", "s13"],
    &["SSCAN", "set", "0", "COUNT", "100"],
];

/// SCAN-family cursors are opaque tokens that differ between servers: keep only whether
/// the scan ended.
fn without_cursor(reply: R) -> R {
    match reply {
        R::Array(mut parts) if parts.len() == 2 && matches!(parts[1], R::Array(_)) => {
            if let R::Bulk(cursor) = &parts[0] {
                parts[0] = R::Bool(cursor == b"0");
            }
            R::Array(parts)
        }
        other => other,
    }
}

#[test]
fn cached_and_uncached_servers_answer_alike() {
    let cached = Server::start();
    let plain = Server::start_with(&["--read-cache-size", "0"]);
    let (mut a, mut b) = (cached.raw(), plain.raw());
    fill(&mut a);
    fill(&mut b);
    let mut rng = Rng(fastrand::Rng::with_seed(0xdecade));
    for step in 0..12_000 {
        let cmd: Vec<String> = if rng.below(12) == 0 {
            random_write(&mut rng)
        } else {
            READS[rng.below(READS.len() as u64) as usize].iter().map(|s| s.to_string()).collect()
        };
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let (x, y) = (without_cursor(a.cmd(&args)), without_cursor(b.cmd(&args)));
        assert_eq!(x, y, "step {step}: {args:?}");
    }
    assert!(info_field(&mut a, "stats", "read_cache_loads") > 0, "no window was loaded");
    assert!(info_field(&mut a, "stats", "read_cache_hits") > 1000, "reads were not served from memory");
    assert_eq!(info_field(&mut b, "stats", "read_cache_hits"), 0);
    assert_eq!(info_field(&mut b, "memory", "read_cache_bytes"), 0);
}

#[test]
fn a_write_is_seen_by_the_next_read_of_a_cached_range() {
    let s = Server::start();
    let mut c = s.raw();
    for i in 0..1000 {
        c.cmd(&["ZADD", "board", &i.to_string(), &format!("p{i}")]);
    }
    let top = || vec!["ZREVRANGE", "board", "0", "2"];
    for _ in 0..200 {
        assert_eq!(c.cmd(&top()), R::Array(vec![R::bulk("p999"), R::bulk("p998"), R::bulk("p997")]));
    }
    assert!(info_field(&mut c, "stats", "read_cache_hits") > 0);
    c.cmd(&["ZADD", "board", "5000", "newcomer"]);
    assert_eq!(c.cmd(&top()), R::Array(vec![R::bulk("newcomer"), R::bulk("p999"), R::bulk("p998")]));
    c.cmd(&["DEL", "board"]);
    assert_eq!(c.cmd(&top()), R::Array(vec![]));
}

#[test]
fn read_cache_size_is_a_runtime_setting() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CONFIG", "GET", "read-cache-size"]), R::Array(vec![R::bulk("read-cache-size"), R::bulk("67108864")]));
    c.cmd(&["RPUSH", "l", "a", "b", "c"]);
    for _ in 0..2000 {
        c.cmd(&["LRANGE", "l", "0", "-1"]);
    }
    assert!(info_field(&mut c, "memory", "read_cache_bytes") > 0);
    assert_eq!(c.cmd(&["CONFIG", "SET", "read-cache-size", "0"]), R::ok());
    assert_eq!(info_field(&mut c, "memory", "read_cache_bytes"), 0);
    assert_eq!(c.cmd(&["LRANGE", "l", "0", "-1"]), R::Array(vec![R::bulk("a"), R::bulk("b"), R::bulk("c")]));
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "read-cache-size", "lots"]),
        R::err("ERR CONFIG SET failed (possibly related to argument 'read-cache-size') - argument must be a memory value")
    );
}
