//! Hash commands against the real server, after Redis's tests/unit/type/hash.tcl and the
//! HSCAN cases of tests/unit/scan.tcl, plus persistence (restart, kill -9).

mod common;
use common::*;

use std::collections::{BTreeMap, HashSet};

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn text(r: &R) -> String {
    match r {
        R::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a bulk: {other:?}"),
    }
}

fn items(r: R) -> Vec<R> {
    match r {
        R::Array(v) | R::Agg(_, v) => v,
        other => panic!("not an aggregate: {other:?}"),
    }
}

/// Missing keys answer nil to GET; any collection answers WRONGTYPE.
fn exists(c: &mut Raw, key: &str) -> bool {
    c.cmd(&["GET", key]) != R::Nil
}

/// Builds a hash of `n` fields `f<i>` -> `v<i>` with pipelined HSET.
fn fill(c: &mut Raw, key: &str, n: usize) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut args = vec!["HSET".to_string(), key.to_string()];
    for i in 0..n {
        let (f, v) = (format!("f{i}"), format!("v{i}"));
        args.push(f.clone());
        args.push(v.clone());
        map.insert(f, v);
    }
    let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    assert_eq!(c.cmd(&refs), R::Int(n as i64));
    map
}

#[test]
fn hset_hlen_hget_small_and_big() {
    let s = Server::start();
    let mut c = s.raw();
    for (key, n) in [("smallhash", 8), ("bighash", 1024)] {
        let map = fill(&mut c, key, n);
        assert_eq!(c.cmd(&["HLEN", key]), R::Int(n as i64));
        for (f, v) in &map {
            assert_eq!(c.cmd(&["HGET", key, f]), R::bulk(v));
        }
        // HGET against non existing key
        assert_eq!(c.cmd(&["HGET", key, "__123123123__"]), R::Nil);
        // HSET in update and insert mode
        assert_eq!(c.cmd(&["HSET", key, "f0", "newval1"]), R::Int(0));
        assert_eq!(c.cmd(&["HGET", key, "f0"]), R::bulk("newval1"));
        assert_eq!(c.cmd(&["HSET", key, "__foobar123__", "newval"]), R::Int(1));
        assert_eq!(c.cmd(&["HDEL", key, "__foobar123__"]), R::Int(1));
        // HSETNX target key missing / exists
        assert_eq!(c.cmd(&["HSETNX", key, "__123123123__", "foo"]), R::Int(1));
        assert_eq!(c.cmd(&["HSETNX", key, "__123123123__", "bar"]), R::Int(0));
        assert_eq!(c.cmd(&["HGET", key, "__123123123__"]), R::bulk("foo"));
        assert_eq!(c.cmd(&["HDEL", key, "__123123123__"]), R::Int(1));
        // HKEYS / HVALS / HGETALL agree with what was written
        let keys: Vec<String> = items(c.cmd(&["HKEYS", key])).iter().map(text).collect();
        assert_eq!(keys.len(), n);
        let vals = items(c.cmd(&["HVALS", key]));
        assert_eq!(vals.len(), n);
        let all = items(c.cmd(&["HGETALL", key]));
        assert_eq!(all.len(), 2 * n);
        for pair in all.chunks(2) {
            let f = text(&pair[0]);
            let expected = if f == "f0" { "newval1".to_string() } else { map[&f].clone() };
            assert_eq!(text(&pair[1]), expected);
        }
        // HEXISTS
        assert_eq!(c.cmd(&["HEXISTS", key, "f1"]), R::Int(1));
        assert_eq!(c.cmd(&["HEXISTS", key, "nokey"]), R::Int(0));
    }
    // HSET with several pairs, repeated fields counted once.
    assert_eq!(c.cmd(&["HSET", "multi", "a", "1", "b", "2", "a", "3"]), R::Int(2));
    assert_eq!(c.cmd(&["HGET", "multi", "a"]), R::bulk("3"));
    assert_eq!(c.cmd(&["HLEN", "multi"]), R::Int(2));
}

#[test]
fn hmset_hmget_and_arity() {
    let s = Server::start();
    let mut c = s.raw();
    // HMSET wrong number of args
    assert_eq!(c.cmd(&["HMSET", "smallhash", "key1", "val1", "key2"]), R::err("ERR wrong number of arguments for 'hmset' command"));
    assert_eq!(c.cmd(&["HSET", "smallhash", "key1", "val1", "key2"]), R::err("ERR wrong number of arguments for 'hset' command"));
    assert_eq!(c.cmd(&["HSET", "smallhash", "key1"]), R::err("ERR wrong number of arguments for 'hset' command"));
    assert_eq!(c.cmd(&["HMSET", "h", "a", "1", "b", "2"]), R::ok());
    assert_eq!(c.cmd(&["HMGET", "h", "a", "b", "c"]), R::Array(vec![R::bulk("1"), R::bulk("2"), R::Nil]));
    // HMGET against non existing key and fields
    assert_eq!(c.cmd(&["HMGET", "doesntexist", "__123123123__", "__456456456__"]), R::Array(vec![R::Nil, R::Nil]));
    // HMGET against wrong type
    c.cmd(&["SET", "wrongtype", "somevalue"]);
    assert_eq!(c.cmd(&["HMGET", "wrongtype", "field1", "field2"]), R::err(WRONGTYPE));
    for args in [
        &["HSET", "wrongtype", "a", "b"][..],
        &["HGET", "wrongtype", "a"],
        &["HLEN", "wrongtype"],
        &["HGETALL", "wrongtype"],
        &["HDEL", "wrongtype", "a"],
        &["HINCRBY", "wrongtype", "a", "1"],
        &["HSCAN", "wrongtype", "0"],
        &["HRANDFIELD", "wrongtype"],
        &["HSTRLEN", "wrongtype", "a"],
    ] {
        assert_eq!(c.cmd(args), R::err(WRONGTYPE), "{args:?}");
    }
    // A list is the wrong type too.
    c.cmd(&["RPUSH", "alist", "x"]);
    assert_eq!(c.cmd(&["HGET", "alist", "x"]), R::err(WRONGTYPE));
    // And a hash is the wrong type for lists and strings.
    assert_eq!(c.cmd(&["LLEN", "h"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["GET", "h"]), R::err(WRONGTYPE));
}

#[test]
fn hdel_cases() {
    let s = Server::start();
    let mut c = s.raw();
    // HDEL and return value
    c.cmd(&["HSET", "h", "a", "1"]);
    assert_eq!(c.cmd(&["HDEL", "h", "nokey"]), R::Int(0));
    assert_eq!(c.cmd(&["HDEL", "nohash", "a"]), R::Int(0));
    // HDEL - more than a single value
    c.cmd(&["DEL", "myhash"]);
    c.cmd(&["HMSET", "myhash", "a", "1", "b", "2", "c", "3"]);
    assert_eq!(c.cmd(&["HDEL", "myhash", "x", "y"]), R::Int(0));
    assert_eq!(c.cmd(&["HDEL", "myhash", "a", "c", "f", "a"]), R::Int(2));
    assert_eq!(c.cmd(&["HGETALL", "myhash"]), bulks(&["b", "2"]));
    // HDEL - hash becomes empty before deleting all specified fields
    c.cmd(&["DEL", "myhash"]);
    c.cmd(&["HMSET", "myhash", "a", "1", "b", "2", "c", "3"]);
    assert_eq!(c.cmd(&["HDEL", "myhash", "a", "b", "c", "d", "e"]), R::Int(3));
    assert!(!exists(&mut c, "myhash"));
    assert_eq!(c.cmd(&["HLEN", "myhash"]), R::Int(0));
    assert_eq!(c.cmd(&["HGETALL", "myhash"]), bulks(&[]));
    // A new hash under the same name starts empty.
    assert_eq!(c.cmd(&["HSET", "myhash", "z", "26"]), R::Int(1));
    assert_eq!(c.cmd(&["HGETALL", "myhash"]), bulks(&["z", "26"]));
}

#[test]
fn hstrlen_and_binary_fields() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["HSET", "h", "a", "hello", "empty", "", "", "emptyfield"]);
    assert_eq!(c.cmd(&["HSTRLEN", "h", "a"]), R::Int(5));
    assert_eq!(c.cmd(&["HSTRLEN", "h", "empty"]), R::Int(0));
    assert_eq!(c.cmd(&["HSTRLEN", "h", "nofield"]), R::Int(0));
    assert_eq!(c.cmd(&["HSTRLEN", "nokey", "a"]), R::Int(0));
    assert_eq!(c.cmd(&["HGET", "h", ""]), R::bulk("emptyfield"));
    assert_eq!(c.cmd(&["HLEN", "h"]), R::Int(3));
    // Hash ziplist regression test for large keys
    let k1 = "k".repeat(336);
    let k2 = "k".repeat(337);
    c.cmd(&["HSET", "hash", &k1, "a"]);
    c.cmd(&["HSET", "hash", &k2, "b"]);
    assert_eq!(c.cmd(&["HGET", "hash", &k2]), R::bulk("b"));
    assert_eq!(c.cmd(&["HGET", "hash", &k1]), R::bulk("a"));
    // Fields sharing a prefix are distinct.
    c.cmd(&["HSET", "p", "ab", "1", "abc", "2", "a", "3"]);
    assert_eq!(c.cmd(&["HDEL", "p", "ab"]), R::Int(1));
    assert_eq!(c.cmd(&["HGETALL", "p"]), bulks(&["a", "3", "abc", "2"]));
}

#[test]
fn hincrby_cases() {
    let s = Server::start();
    let mut c = s.raw();
    // HINCRBY against non existing database key
    assert_eq!(c.cmd(&["HINCRBY", "htest", "foo", "2"]), R::Int(2));
    // against non existing hash key / created by hincrby itself
    c.cmd(&["HSET", "h", "x", "y"]);
    assert_eq!(c.cmd(&["HINCRBY", "h", "tmp", "2"]), R::Int(2));
    assert_eq!(c.cmd(&["HGET", "h", "tmp"]), R::bulk("2"));
    assert_eq!(c.cmd(&["HINCRBY", "h", "tmp", "3"]), R::Int(5));
    assert_eq!(c.cmd(&["HGET", "h", "tmp"]), R::bulk("5"));
    // originally set with HSET
    c.cmd(&["HSET", "h", "tmp", "100"]);
    assert_eq!(c.cmd(&["HINCRBY", "h", "tmp", "2"]), R::Int(102));
    // over 32bit value (with over 32bit increment)
    c.cmd(&["HSET", "h", "tmp", "17179869184"]);
    assert_eq!(c.cmd(&["HINCRBY", "h", "tmp", "1"]), R::Int(17179869185));
    c.cmd(&["HSET", "h", "tmp", "17179869184"]);
    assert_eq!(c.cmd(&["HINCRBY", "h", "tmp", "17179869184"]), R::Int(34359738368));
    // fails against hash value with spaces (left, right)
    for bad in [" 11", "11 ", "abc", "1.5", ""] {
        c.cmd(&["HSET", "h", "str", bad]);
        assert_eq!(c.cmd(&["HINCRBY", "h", "str", "1"]), R::err("ERR hash value is not an integer"), "{bad:?}");
    }
    // can detect overflows
    c.cmd(&["HSET", "hash", "n", "-9223372036854775484"]);
    assert_eq!(c.cmd(&["HINCRBY", "hash", "n", "-1"]), R::Int(-9223372036854775485));
    assert_eq!(c.cmd(&["HINCRBY", "hash", "n", "-10000"]), R::err("ERR increment or decrement would overflow"));
    assert_eq!(c.cmd(&["HINCRBY", "hash", "n", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["HGET", "hash", "n"]), R::bulk("-9223372036854775485"));
}

#[test]
fn hincrbyfloat_cases() {
    let s = Server::start();
    let mut c = s.raw();
    // against non existing database key / hash key
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "foo", "2.5"]), R::bulk("2.5"));
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "tmp", "2.5"]), R::bulk("2.5"));
    assert_eq!(c.cmd(&["HGET", "htest", "tmp"]), R::bulk("2.5"));
    // against hash key created by hincrby itself
    c.cmd(&["HINCRBY", "htest", "int", "2"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "int", "3.5"]), R::bulk("5.5"));
    // originally set with HSET
    c.cmd(&["HSET", "htest", "tmp", "100"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "tmp", "2.5"]), R::bulk("102.5"));
    // over 32bit value (with over 32bit increment)
    c.cmd(&["HSET", "htest", "tmp", "17179869184"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "tmp", "1"]), R::bulk("17179869185"));
    c.cmd(&["HSET", "htest", "tmp", "17179869184"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "tmp", "17179869184"]), R::bulk("34359738368"));
    // Decimal sums print as Redis prints them (no binary rounding noise, no exponent).
    c.cmd(&["HSET", "htest", "d", "10.50"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "d", "0.1"]), R::bulk("10.6"));
    c.cmd(&["HSET", "htest", "d", "0.1"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "d", "0.2"]), R::bulk("0.3"));
    c.cmd(&["HSET", "htest", "d", "5.0e3"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "d", "2.0e2"]), R::bulk("5200"));
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "e", "1e20"]), R::bulk("100000000000000000000"));
    // Redis computes in long double (64-bit mantissa) and prints 17 decimals: the same
    // digits come back here (checked against redis-server 7.0).
    c.cmd(&["HSET", "htest", "ld", "1000"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "ld", "0.1"]), R::bulk("1000.09999999999999998"));
    c.cmd(&["HSET", "htest", "ld", "9223372036854775807"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "ld", "0.5"]), R::bulk("9223372036854775807.5"));
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "hex", "0x10"]), R::bulk("16"));
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "neg0", "-1e-30"]), R::bulk("0"));
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "big", "1e4933"]), R::err("ERR value is not a valid float"));
    // fails against hash value with spaces (left, right)
    for bad in [" 11", "11 ", "abc", ""] {
        c.cmd(&["HSET", "htest", "str", bad]);
        assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "str", "1"]), R::err("ERR hash value is not a float"), "{bad:?}");
    }
    // does not allow NaN or Infinity
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "foo", "+inf"]), R::err("ERR value is NaN or Infinity"));
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "foo", "x"]), R::err("ERR value is not a valid float"));
    // Past f64's range is still fine in long double; past long double's is not.
    c.cmd(&["HSET", "htest", "huge", "1.5e308"]);
    assert!(matches!(c.cmd(&["HINCRBYFLOAT", "htest", "huge", "1.5e308"]), R::Bulk(b) if b.starts_with(b"2999999999")));
    c.cmd(&["HSET", "htest", "huge", "1.18e4932"]);
    assert_eq!(c.cmd(&["HINCRBYFLOAT", "htest", "huge", "1.18e4932"]), R::err("ERR increment would produce NaN or Infinity"));
    assert_eq!(c.cmd(&["HGET", "htest", "huge"]), R::bulk("1.18e4932"));
}

#[test]
fn hrandfield_cases() {
    let s = Server::start();
    let mut c = s.raw();
    // HRANDFIELD count of 0 is handled correctly
    c.cmd(&["HSET", "myhash", "a", "1"]);
    assert_eq!(c.cmd(&["HRANDFIELD", "myhash", "0"]), bulks(&[]));
    assert_eq!(c.cmd(&["HRANDFIELD", "myhash", "0", "WITHVALUES"]), bulks(&[]));
    // with <count> against non existing key
    assert_eq!(c.cmd(&["HRANDFIELD", "nonexisting_key", "100"]), bulks(&[]));
    assert_eq!(c.cmd(&["HRANDFIELD", "nonexisting_key", "-100", "WITHVALUES"]), bulks(&[]));
    assert_eq!(c.cmd(&["HRANDFIELD", "nonexisting_key"]), R::Nil);
    // count overflow
    assert_eq!(
        c.cmd(&["HRANDFIELD", "myhash", "-9223372036854770000", "WITHVALUES"]),
        R::err("ERR value is out of range")
    );
    assert_eq!(
        c.cmd(&["HRANDFIELD", "myhash", "-9223372036854775808", "WITHVALUES"]),
        R::err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(
        c.cmd(&["HRANDFIELD", "myhash", "-9223372036854775808"]),
        R::err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(c.cmd(&["HRANDFIELD", "myhash", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["HRANDFIELD", "myhash", "1", "bogus"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["HRANDFIELD", "myhash", "1", "WITHVALUES", "x"]), R::err("ERR syntax error"));

    for size in [5usize, 200] {
        c.cmd(&["DEL", "myhash"]);
        let map = fill(&mut c, "myhash", size);
        // Without count: one field that exists.
        for _ in 0..20 {
            let f = text(&c.cmd(&["HRANDFIELD", "myhash"]));
            assert!(map.contains_key(&f));
        }
        // Negative count: exactly -count fields, repetitions allowed.
        let res = items(c.cmd(&["HRANDFIELD", "myhash", "-100"]));
        assert_eq!(res.len(), 100);
        let res = items(c.cmd(&["HRANDFIELD", "myhash", "-100", "WITHVALUES"]));
        assert_eq!(res.len(), 200);
        for p in res.chunks(2) {
            assert_eq!(map[&text(&p[0])], text(&p[1]));
        }
        // Positive count: distinct fields, all of them when count >= size.
        for count in [size + 10, size, size - 1, 3, 1] {
            let res = items(c.cmd(&["HRANDFIELD", "myhash", &count.to_string()]));
            let names: HashSet<String> = res.iter().map(text).collect();
            assert_eq!(names.len(), res.len(), "count {count}: repeated fields");
            assert_eq!(res.len(), count.min(size));
            assert!(names.iter().all(|f| map.contains_key(f)));
            let res = items(c.cmd(&["HRANDFIELD", "myhash", &count.to_string(), "WITHVALUES"]));
            assert_eq!(res.len(), 2 * count.min(size));
            for p in res.chunks(2) {
                assert_eq!(map[&text(&p[0])], text(&p[1]));
            }
        }
        // Over many calls every field shows up (the choice is random, not fixed). Up to
        // 2,000 calls of 10 draws: with uniform draws a field is missed by all of them
        // with probability (199/200)^20000, about e^-100 (200 calls left it at about 1%
        // per run, and CI once saw 199 of 200).
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            for f in items(c.cmd(&["HRANDFIELD", "myhash", "-10"])) {
                seen.insert(text(&f));
            }
            if seen.len() == size {
                break;
            }
        }
        assert_eq!(seen.len(), size);
    }
}

#[test]
fn hrandfield_and_hgetall_in_resp3() {
    let s = Server::start();
    let mut c = s.raw();
    if !matches!(c.cmd(&["HELLO", "3"]), R::Agg('%', _)) {
        eprintln!("HELLO not available in this build: RESP3 test skipped");
        return;
    }
    c.cmd(&["HSET", "myhash", "a", "1", "b", "2", "c", "3"]);
    let res = items(c.cmd(&["HRANDFIELD", "myhash", "3", "WITHVALUES"]));
    assert_eq!(res.len(), 3);
    for p in &res {
        assert_eq!(items(p.clone()).len(), 2);
    }
    assert_eq!(items(c.cmd(&["HRANDFIELD", "myhash", "-5", "WITHVALUES"])).len(), 5);
    assert_eq!(
        c.cmd(&["HGETALL", "myhash"]),
        R::Agg('%', vec![R::bulk("a"), R::bulk("1"), R::bulk("b"), R::bulk("2"), R::bulk("c"), R::bulk("3")])
    );
    assert_eq!(c.cmd(&["HGETALL", "nokey"]), R::Agg('%', vec![]));
}

/// Runs a full HSCAN iteration; answers the fields (and values) seen, with duplicates.
fn hscan_all(c: &mut Raw, key: &str, extra: &[&str]) -> Vec<(String, Option<String>)> {
    let novalues = extra.iter().any(|a| a.eq_ignore_ascii_case("novalues"));
    let mut cursor = "0".to_string();
    let mut out = Vec::new();
    let mut calls = 0;
    loop {
        let mut args = vec!["HSCAN", key, &cursor];
        args.extend_from_slice(extra);
        let reply = items(c.cmd(&args));
        let next = text(&reply[0]);
        let page = items(reply[1].clone());
        if novalues {
            out.extend(page.iter().map(|f| (text(f), None)));
        } else {
            out.extend(page.chunks(2).map(|p| (text(&p[0]), Some(text(&p[1])))));
        }
        calls += 1;
        assert!(calls < 100_000, "HSCAN does not terminate");
        if next == "0" {
            return out;
        }
        cursor = next;
    }
}

#[test]
fn hscan_cases() {
    let s = Server::start();
    let mut c = s.raw();
    for size in [30usize, 1000] {
        c.cmd(&["DEL", "hash"]);
        let map = fill(&mut c, "hash", size);
        // Every field once, with its value.
        let seen = hscan_all(&mut c, "hash", &[]);
        let fields: BTreeMap<String, String> = seen.iter().map(|(f, v)| (f.clone(), v.clone().unwrap())).collect();
        assert_eq!(fields, map);
        // COUNT pages (for a big hash: several calls).
        let seen = hscan_all(&mut c, "hash", &["COUNT", "7"]);
        assert_eq!(seen.iter().map(|p| p.0.clone()).collect::<HashSet<_>>().len(), size);
        // MATCH filters fields.
        let seen = hscan_all(&mut c, "hash", &["MATCH", "f1*", "COUNT", "100"]);
        let expected: HashSet<String> = map.keys().filter(|k| k.starts_with("f1")).cloned().collect();
        assert_eq!(seen.iter().map(|p| p.0.clone()).collect::<HashSet<_>>(), expected);
        // NOVALUES: fields only.
        let seen = hscan_all(&mut c, "hash", &["NOVALUES", "COUNT", "50"]);
        assert_eq!(seen.len(), size);
        assert!(seen.iter().all(|(f, v)| v.is_none() && map.contains_key(f)));
    }
    // A big hash is returned in pages: the first call does not return everything.
    let first = items(c.cmd(&["HSCAN", "hash", "0", "COUNT", "10"]));
    assert_ne!(text(&first[0]), "0");
    assert_eq!(items(first[1].clone()).len(), 20);
    // A small hash comes whole from cursor 0.
    c.cmd(&["HSET", "small", "a", "1", "b", "2"]);
    assert_eq!(c.cmd(&["HSCAN", "small", "0"]), R::Array(vec![R::bulk("0"), bulks(&["a", "1", "b", "2"])]));
    assert_eq!(c.cmd(&["HSCAN", "small", "0", "NOVALUES"]), R::Array(vec![R::bulk("0"), bulks(&["a", "b"])]));
    assert_eq!(c.cmd(&["HSCAN", "nokey", "0"]), R::Array(vec![R::bulk("0"), bulks(&[])]));
    // A cursor the server did not hand out (or no longer remembers) counts fields to
    // skip, so any integer continues an iteration that ends.
    let page = items(c.cmd(&["HSCAN", "hash", "990", "COUNT", "100"]));
    assert_eq!(text(&page[0]), "0");
    assert_eq!(items(page[1].clone()).len(), 20);
    assert_eq!(c.cmd(&["HSCAN", "hash", "5000"]), R::Array(vec![R::bulk("0"), bulks(&[])]));
    // Two iterations interleaved over two keys do not disturb each other.
    fill(&mut c, "other", 300);
    let (mut ca, mut cb) = ("0".to_string(), "0".to_string());
    let (mut na, mut nb) = (0, 0);
    loop {
        if ca != "done" {
            let r = items(c.cmd(&["HSCAN", "hash", &ca, "COUNT", "33"]));
            na += items(r[1].clone()).len() / 2;
            ca = if text(&r[0]) == "0" { "done".into() } else { text(&r[0]) };
        }
        if cb != "done" {
            let r = items(c.cmd(&["HSCAN", "other", &cb, "COUNT", "17"]));
            nb += items(r[1].clone()).len() / 2;
            cb = if text(&r[0]) == "0" { "done".into() } else { text(&r[0]) };
        }
        if ca == "done" && cb == "done" {
            break;
        }
    }
    assert_eq!((na, nb), (1000, 300));
    // Errors.
    assert_eq!(c.cmd(&["HSCAN", "small", "x"]), R::err("ERR invalid cursor"));
    assert_eq!(c.cmd(&["HSCAN", "small", "18446744073709551616"]), R::err("ERR invalid cursor"));
    assert_eq!(c.cmd(&["HSCAN", "small", "0", "COUNT", "0"]), R::err("ERR syntax error"));
    // As Redis: the cursor, then the key, then the options.
    assert_eq!(c.cmd(&["HSCAN", "nokey", "0", "COUNT", "0"]), R::Array(vec![R::bulk("0"), bulks(&[])]));
    assert_eq!(c.cmd(&["HSCAN", "nokey", "x"]), R::err("ERR invalid cursor"));
    c.cmd(&["SET", "str", "v"]);
    assert_eq!(c.cmd(&["HSCAN", "str", "0", "COUNT", "0"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["HSCAN", "small", "0", "COUNT", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["HSCAN", "small", "0", "MATCH"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["HSCAN", "small", "0", "BOGUS"]), R::err("ERR syntax error"));
}

#[test]
fn hscan_guarantees_under_writes() {
    // Fields present for the whole iteration are returned, even while others come and go.
    let s = Server::start();
    let mut c = s.raw();
    let mut w = s.raw();
    let map = fill(&mut c, "hash", 500);
    let mut cursor = "0".to_string();
    let mut seen = HashSet::new();
    let mut step = 0;
    loop {
        let reply = items(c.cmd(&["HSCAN", "hash", &cursor, "COUNT", "20"]));
        for p in items(reply[1].clone()).chunks(2) {
            seen.insert(text(&p[0]));
        }
        // Churn: add and delete other fields between calls.
        w.cmd(&["HSET", "hash", &format!("extra{step}"), "x"]);
        w.cmd(&["HDEL", "hash", &format!("extra{}", step.max(1) - 1)]);
        step += 1;
        cursor = text(&reply[0]);
        if cursor == "0" {
            break;
        }
    }
    for f in map.keys() {
        assert!(seen.contains(f), "{f} missing");
    }
}

#[test]
fn hashes_survive_restart_and_kill9() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    {
        let mut c = s.raw();
        c.cmd(&["HSET", "h", "a", "1", "b", "2", "c", "3"]);
        c.cmd(&["HDEL", "h", "b"]);
        c.cmd(&["HINCRBY", "h", "n", "41"]);
        c.cmd(&["HSET", "ttl", "f", "v"]);
    }
    let ttl_supported = !matches!(s.raw().cmd(&["PEXPIRE", "ttl", "100000"]), R::Error(_));
    s.restart();
    {
        let mut c = s.raw();
        assert_eq!(c.cmd(&["HGETALL", "h"]), bulks(&["a", "1", "c", "3", "n", "41"]));
        assert_eq!(c.cmd(&["HLEN", "h"]), R::Int(3));
        if ttl_supported {
            assert!(matches!(c.cmd(&["PTTL", "ttl"]), R::Int(t) if t > 90_000 && t <= 100_000));
        }
        c.cmd(&["HINCRBY", "h", "n", "1"]);
        c.cmd(&["HSET", "h", "d", "4"]);
    }
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["HGETALL", "h"]), bulks(&["a", "1", "c", "3", "d", "4", "n", "42"]));
    assert_eq!(c.cmd(&["HLEN", "h"]), R::Int(4));
    assert_eq!(c.cmd(&["HGET", "ttl", "f"]), R::bulk("v"));
    if ttl_supported {
        assert!(matches!(c.cmd(&["PTTL", "ttl"]), R::Int(t) if t > 0 && t <= 100_000));
    } else {
        eprintln!("PEXPIRE not available in this build: TTL part skipped");
    }
}
