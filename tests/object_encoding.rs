//! OBJECT ENCODING follows the encoding tunables set with CONFIG SET, on both sides of
//! each boundary: `hash-max-listpack-*`, `zset-max-listpack-*` (and their `*-ziplist-*`
//! aliases) and `set-max-intset-entries` against a real redis-server 7.0 started in the
//! same test, which gives the same answers; `list-max-listpack-size` and
//! `list-compress-depth`, and small non-integer sets, against Redis 7.2's rules only,
//! since 7.0 had no listpack lists nor listpack sets (DiskDB reports 7.2's names there).
//! DiskDB works the answer out from the value and the tunables as they are now, so a key
//! written before a CONFIG SET is compared only before it (Redis never converts back).

mod common;

use common::*;

/// Runs `setup` (CONFIG SET, then writes to fresh keys) on DiskDB and on redis-server,
/// then checks OBJECT ENCODING of each key on both.
fn same_as_redis(setup: &[&[&str]], expected: &[(&str, &str)]) {
    let s = Server::start();
    let redis = RedisServer::start();
    let mut ours = s.raw();
    let mut theirs = Conn::open(redis.port).unwrap();
    for cmd in setup {
        let (mine, reference) = (ours.cmd(cmd), theirs.cmd(cmd));
        assert_eq!(mine, reference, "{cmd:?}");
    }
    for (key, want) in expected {
        assert_eq!(theirs.cmd(&["OBJECT", "ENCODING", key]), R::bulk(want), "redis-server, {key}");
        assert_eq!(ours.cmd(&["OBJECT", "ENCODING", key]), R::bulk(want), "DiskDB, {key}");
    }
}

fn repeat(c: char, n: usize) -> String {
    std::iter::repeat(c).take(n).collect()
}

#[test]
fn hash_max_listpack_entries_bounds_the_listpack() {
    same_as_redis(
        &[
            &["CONFIG", "SET", "hash-max-listpack-entries", "4"],
            &["HSET", "h4", "a", "1", "b", "2", "c", "3", "d", "4"],
            &["HSET", "h5", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"],
        ],
        &[("h4", "listpack"), ("h5", "hashtable")],
    );
    same_as_redis(
        &[&["CONFIG", "SET", "hash-max-ziplist-entries", "0"], &["HSET", "h1", "a", "1"]],
        &[("h1", "hashtable")],
    );
}

#[test]
fn hash_max_listpack_value_bounds_fields_and_values() {
    let (eight, nine) = (repeat('v', 8), repeat('v', 9));
    same_as_redis(
        &[
            &["CONFIG", "SET", "hash-max-listpack-value", "8"],
            &["HSET", "short", &eight, &eight],
            &["HSET", "longvalue", "f", &nine],
            &["HSET", "longfield", &nine, "v"],
        ],
        &[("short", "listpack"), ("longvalue", "hashtable"), ("longfield", "hashtable")],
    );
}

#[test]
fn hash_default_entries_are_redis_7_0s_512() {
    let fields: Vec<String> = (0..512).flat_map(|i| [format!("f{i}"), "v".to_string()]).collect();
    let mut hset = vec!["HSET", "h512"];
    hset.extend(fields.iter().map(String::as_str));
    let mut hset513 = hset.clone();
    hset513[1] = "h513";
    hset513.extend(["f512", "v"]);
    same_as_redis(&[&hset, &hset513], &[("h512", "listpack"), ("h513", "hashtable")]);
}

#[test]
fn zset_max_listpack_entries_and_value_bound_the_listpack() {
    let (five, six) = (repeat('m', 5), repeat('m', 6));
    same_as_redis(
        &[
            &["CONFIG", "SET", "zset-max-listpack-entries", "3"],
            &["ZADD", "z3", "1", "a", "2", "b", "3", "c"],
            &["ZADD", "z4", "1", "a", "2", "b", "3", "c", "4", "d"],
            &["CONFIG", "SET", "zset-max-ziplist-value", "5"],
            &["ZADD", "short", "1", &five],
            &["ZADD", "long", "1", &six],
        ],
        &[("z3", "listpack"), ("z4", "skiplist"), ("short", "listpack"), ("long", "skiplist")],
    );
    same_as_redis(
        &[&["CONFIG", "SET", "zset-max-listpack-entries", "0"], &["ZADD", "z1", "1", "a"]],
        &[("z1", "skiplist")],
    );
}

#[test]
fn set_max_intset_entries_bounds_the_intset() {
    same_as_redis(
        &[
            &["CONFIG", "SET", "set-max-intset-entries", "3"],
            &["SADD", "s3", "1", "2", "3"],
            &["SADD", "s4", "1", "2", "3", "4"],
            &["SADD", "grown", "1", "2", "3"],
            &["SADD", "grown", "4"],
        ],
        &[("s3", "intset"), ("s4", "hashtable"), ("grown", "hashtable")],
    );
}

/// 7.0 says `hashtable` here; DiskDB keeps 7.2's `listpack` for small non-integer sets
/// (7.0 has no set-max-listpack-* to tune it), whatever set-max-intset-entries is.
#[test]
fn small_non_integer_sets_stay_listpack() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CONFIG", "SET", "set-max-intset-entries", "0"]), R::ok());
    c.cmd(&["SADD", "ints", "1"]);
    c.cmd(&["SADD", "words", "a", "b"]);
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "ints"]), R::bulk("hashtable"));
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "words"]), R::bulk("listpack"));
}

/// Redis 7.2's rule (7.0 always says `quicklist`): a list is a listpack while it fits
/// one quicklist node, a count for positive values, a size class for -1 to -5.
#[test]
fn list_max_listpack_size_bounds_the_listpack() {
    let s = Server::start();
    let mut c = s.raw();
    let enc = |c: &mut Raw, key: &str| c.cmd(&["OBJECT", "ENCODING", key]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "list-max-listpack-size", "4"]), R::ok());
    c.cmd(&["RPUSH", "l4", "a", "b", "c", "d"]);
    c.cmd(&["RPUSH", "l5", "a", "b", "c", "d", "e"]);
    assert_eq!(enc(&mut c, "l4"), R::bulk("listpack"));
    assert_eq!(enc(&mut c, "l5"), R::bulk("quicklist"));
    // A positive count is also bounded by 8 KiB.
    let big = repeat('x', 3000);
    c.cmd(&["RPUSH", "lbig", &big, &big, &big]);
    assert_eq!(enc(&mut c, "lbig"), R::bulk("quicklist"));
    // 0 means one entry per node.
    assert_eq!(c.cmd(&["CONFIG", "SET", "list-max-listpack-size", "0"]), R::ok());
    assert_eq!(enc(&mut c, "l4"), R::bulk("quicklist"));
    c.cmd(&["RPUSH", "one", "a"]);
    assert_eq!(enc(&mut c, "one"), R::bulk("listpack"));
    // About 5 KB: over -1's 4 KiB, under -2's 8 KiB.
    let mid = repeat('y', 500);
    let mut rpush = vec!["RPUSH", "l5k"];
    rpush.extend(std::iter::repeat(mid.as_str()).take(10));
    c.cmd(&rpush);
    assert_eq!(c.cmd(&["CONFIG", "SET", "list-max-listpack-size", "-1"]), R::ok());
    assert_eq!(enc(&mut c, "l5k"), R::bulk("quicklist"));
    assert_eq!(c.cmd(&["CONFIG", "SET", "list-max-listpack-size", "-2"]), R::ok());
    assert_eq!(enc(&mut c, "l5k"), R::bulk("listpack"));
    // Below -5 counts as -5 (64 KiB).
    assert_eq!(c.cmd(&["CONFIG", "SET", "list-max-listpack-size", "-100"]), R::ok());
    assert_eq!(enc(&mut c, "lbig"), R::bulk("listpack"));
}

/// list-compress-depth only says how many quicklist nodes stay uncompressed.
#[test]
fn list_compress_depth_does_not_change_the_encoding() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["RPUSH", "l", "a", "b"]);
    let mut rpush = vec!["RPUSH", "lbig"];
    let big = repeat('x', 500);
    rpush.extend(std::iter::repeat(big.as_str()).take(20));
    c.cmd(&rpush);
    for depth in ["0", "1", "3"] {
        assert_eq!(c.cmd(&["CONFIG", "SET", "list-compress-depth", depth]), R::ok());
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "l"]), R::bulk("listpack"));
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "lbig"]), R::bulk("quicklist"));
    }
}
