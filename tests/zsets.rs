//! Sorted-set commands against the real server, after Redis's tests/unit/type/zset.tcl.

mod common;
use common::*;

use std::time::{Duration, Instant};

/// An array of bulk strings (RESP2 doubles are bulk strings too).
fn empty() -> R {
    R::Array(vec![])
}

fn err(text: &str) -> R {
    R::err(text)
}

/// Sends many commands at once, then reads every reply.
fn pipeline(c: &mut Raw, cmds: &[Vec<String>]) -> Vec<R> {
    let mut buf = Vec::new();
    for cmd in cmds {
        let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
        buf.extend(encode(&args));
    }
    c.send(&buf);
    cmds.iter().map(|_| c.read()).collect()
}

/// `create_zset`: replaces `key` with the given `score member` pairs.
fn create_zset(c: &mut Raw, key: &str, pairs: &[&str]) {
    c.cmd(&["DEL", key]);
    let mut args = vec!["ZADD", key];
    args.extend_from_slice(pairs);
    c.cmd(&args);
}

fn create_default_zset(c: &mut Raw) {
    create_zset(c, "zset", &["-inf", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "+inf", "g"]);
}

fn create_default_lex_zset(c: &mut Raw) {
    create_zset(
        c,
        "zset",
        &["0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo", "0", "great", "0", "hill", "0", "omega"],
    );
}

#[test]
fn zadd_basic_and_score_update() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["ZADD", "ztmp", "10", "x"]), R::Int(1));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "20", "y"]), R::Int(1));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "30", "z"]), R::Int(1));
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "-1"]), bulks(&["x", "y", "z"]));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "1", "y"]), R::Int(0));
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "-1"]), bulks(&["y", "x", "z"]));
    assert_eq!(c.cmd(&["ZCARD", "ztmp"]), R::Int(3));
    assert_eq!(c.cmd(&["ZCARD", "zdoesntexist"]), R::Int(0));
    // Element can't be set to NaN with ZADD / ZINCRBY.
    assert_eq!(c.cmd(&["ZADD", "myzset", "nan", "abc"]), err("ERR value is not a valid float"));
    assert_eq!(c.cmd(&["ZADD", "myzset", "+inf", "abc"]), R::Int(1));
    assert_eq!(c.cmd(&["ZINCRBY", "myzset", "-inf", "abc"]), err("ERR resulting score is not a number (NaN)"));
    assert_eq!(c.cmd(&["ZADD", "myzset", "INCR", "-inf", "abc"]), err("ERR resulting score is not a number (NaN)"));
    assert_eq!(c.cmd(&["ZSCORE", "myzset", "abc"]), R::bulk("inf"));
    // Variadic version: base case, duplicates, missing arg.
    assert_eq!(c.cmd(&["ZADD", "myzset2", "10", "a", "20", "b", "30", "c"]), R::Int(3));
    assert_eq!(c.cmd(&["ZRANGE", "myzset2", "0", "-1", "WITHSCORES"]), bulks(&["a", "10", "b", "20", "c", "30"]));
    assert_eq!(c.cmd(&["ZADD", "myzset2", "5", "x", "20", "b", "30", "c"]), R::Int(1));
    assert_eq!(c.cmd(&["ZADD", "dup", "10", "a", "20", "a", "30", "a"]), R::Int(1));
    assert_eq!(c.cmd(&["ZRANGE", "dup", "0", "-1", "WITHSCORES"]), bulks(&["a", "30"]));
    assert_eq!(c.cmd(&["ZADD", "myzset3", "10", "a", "20", "b", "30"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZADD", "myzset3", "10", "a", "x", "b"]), err("ERR value is not a valid float"));
    // Nothing was added by the failed calls.
    assert_eq!(c.cmd(&["ZCARD", "myzset3"]), R::Int(0));
    assert_eq!(c.cmd(&["ZADD", "ztmp"]), arity("zadd"));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "1"]), arity("zadd"));
    assert_eq!(c.cmd(&["ZINCRBY", "myzset", "10", "a", "20", "b"]), arity("zincrby"));
}

#[test]
fn zadd_options_nx_xx_gt_lt_ch_incr() {
    let s = Server::start();
    let mut c = s.raw();
    // Syntax error with incomplete pair.
    assert_eq!(c.cmd(&["ZADD", "ztmp", "XX", "10", "x", "20"]), err("ERR syntax error"));
    // XX option without key / with key.
    assert_eq!(c.cmd(&["ZADD", "ztmp", "XX", "10", "x"]), R::Int(0));
    assert_eq!(c.cmd(&["ZCARD", "ztmp"]), R::Int(0));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "XX", "INCR", "10", "x"]), R::Nil);
    c.cmd(&["ZADD", "ztmp", "10", "x"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "XX", "20", "y"]), R::Int(0));
    assert_eq!(c.cmd(&["ZCARD", "ztmp"]), R::Int(1));
    // XX returns the number of elements actually added, and updates scores.
    assert_eq!(c.cmd(&["ZADD", "ztmp", "XX", "5", "foo", "11", "x", "21", "y", "40", "zap"]), R::Int(0));
    assert_eq!(c.cmd(&["ZSCORE", "ztmp", "x"]), R::bulk("11"));
    // XX and NX, GT/LT/NX are not compatible.
    assert_eq!(c.cmd(&["ZADD", "ztmp", "XX", "NX", "10", "x"]), err("ERR XX and NX options at the same time are not compatible"));
    for opts in [["GT", "NX"], ["LT", "NX"], ["LT", "GT"]] {
        assert_eq!(
            c.cmd(&["ZADD", "ztmp", opts[0], opts[1], "10", "x"]),
            err("ERR GT, LT, and/or NX options at the same time are not compatible")
        );
    }
    // NX only adds new elements without updating old ones.
    c.cmd(&["DEL", "ztmp"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "NX", "10", "x", "20", "y", "30", "z"]), R::Int(3));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "NX", "11", "x", "21", "y", "100", "a", "200", "b"]), R::Int(2));
    assert_eq!(c.cmd(&["ZSCORE", "ztmp", "x"]), R::bulk("10"));
    assert_eq!(c.cmd(&["ZSCORE", "ztmp", "a"]), R::bulk("100"));
    // GT updates existing elements when new scores are greater (CH counts changes).
    create_zset(&mut c, "ztmp", &["10", "x", "20", "y", "30", "z"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "GT", "CH", "5", "foo", "11", "x", "21", "y", "29", "z"]), R::Int(3));
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "-1", "WITHSCORES"]), bulks(&["foo", "5", "x", "11", "y", "21", "z", "30"]));
    // LT updates existing elements when new scores are lower.
    create_zset(&mut c, "ztmp", &["10", "x", "20", "y", "30", "z"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "LT", "CH", "5", "foo", "11", "x", "21", "y", "29", "z"]), R::Int(2));
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "-1", "WITHSCORES"]), bulks(&["foo", "5", "x", "10", "y", "20", "z", "29"]));
    // GT XX / LT XX: no new elements.
    create_zset(&mut c, "ztmp", &["10", "x", "20", "y", "30", "z"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "GT", "XX", "CH", "5", "foo", "11", "x", "21", "y", "29", "z"]), R::Int(2));
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "-1", "WITHSCORES"]), bulks(&["x", "11", "y", "21", "z", "30"]));
    create_zset(&mut c, "ztmp", &["10", "x", "20", "y", "30", "z"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "LT", "XX", "CH", "5", "foo", "11", "x", "21", "y", "29", "z"]), R::Int(1));
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "-1", "WITHSCORES"]), bulks(&["x", "10", "y", "20", "z", "29"]));
    // INCR LT/GT replies with nil if score not updated.
    create_zset(&mut c, "ztmp", &["28", "x"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "LT", "INCR", "1", "x"]), R::Nil);
    assert_eq!(c.cmd(&["ZSCORE", "ztmp", "x"]), R::bulk("28"));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "GT", "INCR", "-1", "x"]), R::Nil);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "GT", "INCR", "2", "x"]), R::bulk("30"));
    // INCR LT/GT with inf.
    create_zset(&mut c, "ztmp", &["+inf", "x", "-inf", "y"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "LT", "INCR", "1", "x"]), R::Nil);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "GT", "INCR", "-1", "x"]), R::Nil);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "LT", "INCR", "-1", "y"]), R::Nil);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "GT", "INCR", "1", "y"]), R::Nil);
    // INCR works like ZINCRBY, with a single pair only.
    create_zset(&mut c, "ztmp", &["10", "x", "20", "y", "30", "z"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "INCR", "15", "x"]), R::bulk("25"));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "INCR", "15", "x", "10", "y"]), err("ERR INCR option supports a single increment-element pair"));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "NX", "INCR", "15", "x"]), R::Nil);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "NX", "INCR", "1.5", "new"]), R::bulk("1.5"));
    // CH changes the return value to all changed elements.
    create_zset(&mut c, "ztmp", &["10", "x", "20", "y", "30", "z"]);
    assert_eq!(c.cmd(&["ZADD", "ztmp", "11", "x", "21", "y", "30", "z"]), R::Int(0));
    assert_eq!(c.cmd(&["ZADD", "ztmp", "CH", "12", "x", "22", "y", "30", "z"]), R::Int(2));
    // Options are case-insensitive and repeatable.
    assert_eq!(c.cmd(&["ZADD", "ztmp", "ch", "Ch", "1", "new2"]), R::Int(1));
    // Against a wrong type.
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["ZADD", "str", "1", "a"]), wrongtype());
    assert_eq!(c.cmd(&["ZADD", "str", "XX", "1", "a"]), wrongtype());
}

#[test]
fn zincrby_create_increment_and_return_value() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["ZINCRBY", "zset", "1", "foo"]), R::bulk("1"));
    assert_eq!(c.cmd(&["ZINCRBY", "zset", "2", "foo"]), R::bulk("3"));
    assert_eq!(c.cmd(&["ZINCRBY", "zset", "-5", "foo"]), R::bulk("-2"));
    assert_eq!(c.cmd(&["ZINCRBY", "zset", "0.1", "bar"]), R::bulk("0.1"));
    assert_eq!(c.cmd(&["ZINCRBY", "zset", "0.2", "bar"]), R::bulk("0.30000000000000004"));
    assert_eq!(c.cmd(&["ZINCRBY", "zset", "abc", "bar"]), err("ERR value is not a valid float"));
    assert_eq!(c.cmd(&["ZRANGE", "zset", "0", "-1"]), bulks(&["foo", "bar"]));
    // A large score and an exponent.
    assert_eq!(c.cmd(&["ZADD", "big", "1e300", "x"]), R::Int(1));
    assert_eq!(c.cmd(&["ZSCORE", "big", "x"]), R::bulk("1e+300"));
    assert_eq!(c.cmd(&["ZADD", "big", "-0", "z"]), R::Int(1));
    assert_eq!(c.cmd(&["ZSCORE", "big", "z"]), R::bulk("-0"));
}

#[test]
fn zrem_removes_key_after_last_element_and_variadic() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["ZADD", "ztmp", "10", "x", "20", "y"]);
    assert_eq!(c.cmd(&["ZREM", "ztmp", "z"]), R::Int(0));
    assert_eq!(c.cmd(&["ZREM", "ztmp", "y"]), R::Int(1));
    assert_eq!(c.cmd(&["ZREM", "ztmp", "x"]), R::Int(1));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    c.cmd(&["ZADD", "ztmp", "10", "a", "20", "b", "30", "c"]);
    assert_eq!(c.cmd(&["ZREM", "ztmp", "x", "y", "a", "b", "k"]), R::Int(2));
    assert_eq!(c.cmd(&["ZREM", "ztmp", "foo", "bar"]), R::Int(0));
    assert_eq!(c.cmd(&["ZREM", "ztmp", "c", "bar", "c"]), R::Int(1));
    assert_eq!(c.cmd(&["ZCARD", "ztmp"]), R::Int(0));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
}

#[test]
fn zrange_and_zrevrange_basics() {
    let s = Server::start();
    let mut c = s.raw();
    create_zset(&mut c, "ztmp", &["1", "a", "2", "b", "3", "c", "4", "d"]);
    let q = |c: &mut Raw, cmd: &str, a: &str, b: &str| c.cmd(&[cmd, "ztmp", a, b]);
    assert_eq!(q(&mut c, "ZRANGE", "0", "-1"), bulks(&["a", "b", "c", "d"]));
    assert_eq!(q(&mut c, "ZRANGE", "0", "-2"), bulks(&["a", "b", "c"]));
    assert_eq!(q(&mut c, "ZRANGE", "1", "-1"), bulks(&["b", "c", "d"]));
    assert_eq!(q(&mut c, "ZRANGE", "1", "-2"), bulks(&["b", "c"]));
    assert_eq!(q(&mut c, "ZRANGE", "-2", "-1"), bulks(&["c", "d"]));
    assert_eq!(q(&mut c, "ZRANGE", "-2", "-2"), bulks(&["c"]));
    // Out of range start index.
    assert_eq!(q(&mut c, "ZRANGE", "-5", "2"), bulks(&["a", "b", "c"]));
    assert_eq!(q(&mut c, "ZRANGE", "-5", "1"), bulks(&["a", "b"]));
    assert_eq!(q(&mut c, "ZRANGE", "5", "-1"), empty());
    assert_eq!(q(&mut c, "ZRANGE", "5", "-2"), empty());
    // Out of range end index.
    assert_eq!(q(&mut c, "ZRANGE", "0", "5"), bulks(&["a", "b", "c", "d"]));
    assert_eq!(q(&mut c, "ZRANGE", "1", "5"), bulks(&["b", "c", "d"]));
    assert_eq!(q(&mut c, "ZRANGE", "0", "-5"), empty());
    assert_eq!(q(&mut c, "ZRANGE", "1", "-5"), empty());
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "-1", "WITHSCORES"]), bulks(&["a", "1", "b", "2", "c", "3", "d", "4"]));
    // ZREVRANGE.
    assert_eq!(q(&mut c, "ZREVRANGE", "0", "-1"), bulks(&["d", "c", "b", "a"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "0", "-2"), bulks(&["d", "c", "b"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "1", "-1"), bulks(&["c", "b", "a"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "1", "-2"), bulks(&["c", "b"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "-2", "-1"), bulks(&["b", "a"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "-2", "-2"), bulks(&["b"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "-5", "2"), bulks(&["d", "c", "b"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "5", "-1"), empty());
    assert_eq!(q(&mut c, "ZREVRANGE", "0", "5"), bulks(&["d", "c", "b", "a"]));
    assert_eq!(q(&mut c, "ZREVRANGE", "0", "-5"), empty());
    assert_eq!(c.cmd(&["ZREVRANGE", "ztmp", "0", "-1", "WITHSCORES"]), bulks(&["d", "4", "c", "3", "b", "2", "a", "1"]));
    // ZRANGE ... REV is ZREVRANGE.
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "0", "1", "REV"]), bulks(&["d", "c"]));
    // Missing key, bad indexes, wrong type.
    assert_eq!(c.cmd(&["ZRANGE", "nokey", "0", "-1"]), empty());
    assert_eq!(c.cmd(&["ZRANGE", "ztmp", "a", "-1"]), err("ERR value is not an integer or out of range"));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["ZRANGE", "str", "0", "-1"]), wrongtype());
}

#[test]
fn zrange_invalid_syntax() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["ZADD", "z1", "1", "a", "2", "b", "3", "c", "4", "d"]);
    assert_eq!(
        c.cmd(&["ZRANGE", "z1", "0", "-1", "LIMIT", "1", "2"]),
        err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    );
    assert_eq!(
        c.cmd(&["ZRANGE", "z1", "0", "-1", "BYLEX", "WITHSCORES"]),
        err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    );
    assert_eq!(c.cmd(&["ZREVRANGE", "z1", "0", "-1", "BYSCORE"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "z1", "0", "-1", "REV"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "-1", "BYSCORE", "BYLEX"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "-1", "REV", "REV"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "-1", "LIMIT", "1"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "-1", "BYSCORE", "LIMIT", "x", "1"]), err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "(1", "4"]), err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "x", "5", "BYSCORE"]), err("ERR min or max is not a float"));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "a", "c", "BYLEX"]), err("ERR min or max not valid string range item"));
    // LIMIT with rank is fine when it asks for no limit.
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "0", "LIMIT", "0", "-1"]), bulks(&["a"]));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "[b", "[c", "BYLEX"]), bulks(&["b", "c"]));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "5", "0", "BYSCORE", "REV", "LIMIT", "0", "2", "WITHSCORES"]), bulks(&["d", "4", "c", "3"]));
}

#[test]
fn zrank_zrevrank_basics_withscore_and_after_deletion() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["ZADD", "zranktmp", "10", "x", "20", "y", "30", "z"]);
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "x"]), R::Int(0));
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "y"]), R::Int(1));
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "z"]), R::Int(2));
    assert_eq!(c.cmd(&["ZREVRANK", "zranktmp", "x"]), R::Int(2));
    assert_eq!(c.cmd(&["ZREVRANK", "zranktmp", "y"]), R::Int(1));
    assert_eq!(c.cmd(&["ZREVRANK", "zranktmp", "z"]), R::Int(0));
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "foo"]), R::Nil);
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "x", "WITHSCORE"]), R::Array(vec![R::Int(0), R::bulk("10")]));
    assert_eq!(c.cmd(&["ZREVRANK", "zranktmp", "x", "withscore"]), R::Array(vec![R::Int(2), R::bulk("10")]));
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "foo", "WITHSCORE"]), R::Nil);
    assert_eq!(c.cmd(&["ZRANK", "nokey", "foo"]), R::Nil);
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "x", "WITHSCORES"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "x", "WITHSCORE", "y"]), arity("zrank"));
    // After deletion.
    c.cmd(&["ZREM", "zranktmp", "y"]);
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "x"]), R::Int(0));
    assert_eq!(c.cmd(&["ZRANK", "zranktmp", "z"]), R::Int(1));
    // Ranks across a few hundred members, from both ends.
    let mut args = vec!["ZADD".to_string(), "many".to_string()];
    for i in 0..300 {
        args.push(i.to_string());
        args.push(format!("m{i}"));
    }
    let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    c.cmd(&refs);
    for i in [0, 1, 64, 150, 200, 298, 299] {
        assert_eq!(c.cmd(&["ZRANK", "many", &format!("m{i}")]), R::Int(i));
        assert_eq!(c.cmd(&["ZREVRANK", "many", &format!("m{i}")]), R::Int(299 - i));
    }
}

#[test]
fn zrangebyscore_zrevrangebyscore_zcount_basics() {
    let s = Server::start();
    let mut c = s.raw();
    create_default_zset(&mut c);
    let q = |c: &mut Raw, cmd: &str, a: &str, b: &str| c.cmd(&[cmd, "zset", a, b]);
    // Inclusive range.
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "-inf", "2"), bulks(&["a", "b", "c"]));
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "0", "3"), bulks(&["b", "c", "d"]));
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "3", "6"), bulks(&["d", "e", "f"]));
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "4", "+inf"), bulks(&["e", "f", "g"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "2", "-inf"), bulks(&["c", "b", "a"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "3", "0"), bulks(&["d", "c", "b"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "6", "3"), bulks(&["f", "e", "d"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "+inf", "4"), bulks(&["g", "f", "e"]));
    assert_eq!(q(&mut c, "ZCOUNT", "0", "3"), R::Int(3));
    // Exclusive range.
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "(-inf", "(2"), bulks(&["b"]));
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "(0", "(3"), bulks(&["b", "c"]));
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "(3", "(6"), bulks(&["e", "f"]));
    assert_eq!(q(&mut c, "ZRANGEBYSCORE", "(4", "(+inf"), bulks(&["f"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "(2", "(-inf"), bulks(&["b"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "(3", "(0"), bulks(&["c", "b"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "(6", "(3"), bulks(&["f", "e"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYSCORE", "(+inf", "(4"), bulks(&["f"]));
    assert_eq!(q(&mut c, "ZCOUNT", "(0", "(3"), R::Int(2));
    // Empty ranges.
    c.cmd(&["ZREM", "zset", "a"]);
    c.cmd(&["ZREM", "zset", "g"]);
    for (cmd, a, b) in [
        ("ZRANGEBYSCORE", "4", "2"),
        ("ZRANGEBYSCORE", "6", "+inf"),
        ("ZRANGEBYSCORE", "-inf", "-6"),
        ("ZREVRANGEBYSCORE", "+inf", "6"),
        ("ZREVRANGEBYSCORE", "-6", "-inf"),
        ("ZRANGEBYSCORE", "(4", "(2"),
        ("ZRANGEBYSCORE", "2", "(2"),
        ("ZRANGEBYSCORE", "(2", "2"),
        ("ZRANGEBYSCORE", "(6", "(+inf"),
        ("ZRANGEBYSCORE", "(-inf", "(-6"),
        ("ZREVRANGEBYSCORE", "(+inf", "(6"),
        ("ZREVRANGEBYSCORE", "(-6", "(-inf"),
        ("ZRANGEBYSCORE", "2.4", "2.6"),
        ("ZRANGEBYSCORE", "(2.4", "2.6"),
        ("ZRANGEBYSCORE", "2.4", "(2.6"),
        ("ZRANGEBYSCORE", "(2.4", "(2.6"),
    ] {
        assert_eq!(q(&mut c, cmd, a, b), empty(), "{cmd} {a} {b}");
    }
    assert_eq!(q(&mut c, "ZCOUNT", "2", "(2"), R::Int(0));
    assert_eq!(q(&mut c, "ZCOUNT", "-inf", "+inf"), R::Int(5));
    assert_eq!(c.cmd(&["ZCOUNT", "nokey", "0", "1"]), R::Int(0));
}

#[test]
fn zrangebyscore_with_withscores_limit_and_bad_bounds() {
    let s = Server::start();
    let mut c = s.raw();
    create_default_zset(&mut c);
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "zset", "0", "3", "WITHSCORES"]), bulks(&["b", "1", "c", "2", "d", "3"]));
    assert_eq!(c.cmd(&["ZREVRANGEBYSCORE", "zset", "3", "0", "WITHSCORES"]), bulks(&["d", "3", "c", "2", "b", "1"]));
    let lim = |c: &mut Raw, cmd: &str, a: &str, b: &str, o: &str, n: &str| c.cmd(&[cmd, "zset", a, b, "LIMIT", o, n]);
    assert_eq!(lim(&mut c, "ZRANGEBYSCORE", "0", "10", "0", "2"), bulks(&["b", "c"]));
    assert_eq!(lim(&mut c, "ZRANGEBYSCORE", "0", "10", "2", "3"), bulks(&["d", "e", "f"]));
    assert_eq!(lim(&mut c, "ZRANGEBYSCORE", "0", "10", "2", "10"), bulks(&["d", "e", "f"]));
    assert_eq!(lim(&mut c, "ZRANGEBYSCORE", "0", "10", "20", "10"), empty());
    assert_eq!(lim(&mut c, "ZREVRANGEBYSCORE", "10", "0", "0", "2"), bulks(&["f", "e"]));
    assert_eq!(lim(&mut c, "ZREVRANGEBYSCORE", "10", "0", "2", "3"), bulks(&["d", "c", "b"]));
    assert_eq!(lim(&mut c, "ZREVRANGEBYSCORE", "10", "0", "2", "10"), bulks(&["d", "c", "b"]));
    assert_eq!(lim(&mut c, "ZREVRANGEBYSCORE", "10", "0", "20", "10"), empty());
    // A negative count means all; a negative offset gives nothing; count 0 gives nothing.
    assert_eq!(lim(&mut c, "ZRANGEBYSCORE", "0", "10", "1", "-1"), bulks(&["c", "d", "e", "f"]));
    assert_eq!(lim(&mut c, "ZRANGEBYSCORE", "0", "10", "-1", "2"), empty());
    assert_eq!(lim(&mut c, "ZRANGEBYSCORE", "0", "10", "0", "0"), empty());
    // LIMIT and WITHSCORES in either order.
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "zset", "2", "5", "LIMIT", "2", "3", "WITHSCORES"]), bulks(&["e", "4", "f", "5"]));
    assert_eq!(c.cmd(&["ZREVRANGEBYSCORE", "zset", "5", "2", "WITHSCORES", "LIMIT", "2", "3"]), bulks(&["d", "3", "c", "2"]));
    // Infinite scores reply as inf / -inf.
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "zset", "-inf", "-inf", "WITHSCORES"]), bulks(&["a", "-inf"]));
    assert_eq!(c.cmd(&["ZREVRANGE", "zset", "0", "0", "WITHSCORES"]), bulks(&["g", "inf"]));
    // Non-value min or max. (An empty bound is 0 to Redis: strtod converts nothing and
    // stops at the end, which is all Redis checks; so is "(" and a leading blank.)
    for (a, b) in [("str", "1"), ("1", "str"), ("1", "NaN"), ("(x", "1"), ("1 ", "1")] {
        assert_eq!(c.cmd(&["ZRANGEBYSCORE", "fooz", a, b]), err("ERR min or max is not a float"), "{a} {b}");
        assert_eq!(c.cmd(&["ZREVRANGEBYSCORE", "fooz", a, b]), err("ERR min or max is not a float"));
        assert_eq!(c.cmd(&["ZCOUNT", "fooz", a, b]), err("ERR min or max is not a float"));
    }
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "zset", "", "1"]), bulks(&["b"]));
    assert_eq!(c.cmd(&["ZCOUNT", "zset", "(", " 1"]), R::Int(1));
    assert_eq!(c.cmd(&["ZCOUNT", "zset", "-1e400", "1e400"]), R::Int(7));
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "zset", "0", "1", "LIMIT", "1"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "zset", "0", "1", "FOO"]), err("ERR syntax error"));
}

#[test]
fn zrangebylex_zrevrangebylex_zlexcount() {
    let s = Server::start();
    let mut c = s.raw();
    create_default_lex_zset(&mut c);
    let q = |c: &mut Raw, cmd: &str, a: &str, b: &str| c.cmd(&[cmd, "zset", a, b]);
    // Inclusive range.
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "-", "[cool"), bulks(&["alpha", "bar", "cool"]));
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "[bar", "[down"), bulks(&["bar", "cool", "down"]));
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "[g", "+"), bulks(&["great", "hill", "omega"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "[cool", "-"), bulks(&["cool", "bar", "alpha"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "[down", "[bar"), bulks(&["down", "cool", "bar"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "+", "[d"), bulks(&["omega", "hill", "great", "foo", "elephant", "down"]));
    assert_eq!(q(&mut c, "ZLEXCOUNT", "[ele", "[h"), R::Int(3));
    // Exclusive range.
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "-", "(cool"), bulks(&["alpha", "bar"]));
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "(bar", "(down"), bulks(&["cool"]));
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "(great", "+"), bulks(&["hill", "omega"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "(cool", "-"), bulks(&["bar", "alpha"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "(down", "(bar"), bulks(&["cool"]));
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "+", "(great"), bulks(&["omega", "hill"]));
    assert_eq!(q(&mut c, "ZLEXCOUNT", "(ele", "(great"), R::Int(2));
    // Inclusive and exclusive: empty.
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "(az", "(b"), empty());
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "(z", "+"), empty());
    assert_eq!(q(&mut c, "ZRANGEBYLEX", "-", "[aaaa"), empty());
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "[elez", "[elex"), empty());
    assert_eq!(q(&mut c, "ZREVRANGEBYLEX", "(hill", "(omega"), empty());
    // ZLEXCOUNT advanced.
    for (a, b, n) in [
        ("-", "+", 9),
        ("+", "-", 0),
        ("+", "[c", 0),
        ("[c", "-", 0),
        ("[bar", "+", 8),
        ("[bar", "[foo", 5),
        ("[bar", "(foo", 4),
        ("(bar", "[foo", 4),
        ("(bar", "(foo", 3),
        ("-", "(foo", 5),
        ("(maxstring", "+", 1),
    ] {
        assert_eq!(q(&mut c, "ZLEXCOUNT", a, b), R::Int(n), "{a} {b}");
    }
    // With LIMIT.
    let lim = |c: &mut Raw, cmd: &str, a: &str, b: &str, o: &str, n: &str| c.cmd(&[cmd, "zset", a, b, "LIMIT", o, n]);
    assert_eq!(lim(&mut c, "ZRANGEBYLEX", "-", "[cool", "0", "2"), bulks(&["alpha", "bar"]));
    assert_eq!(lim(&mut c, "ZRANGEBYLEX", "-", "[cool", "1", "2"), bulks(&["bar", "cool"]));
    assert_eq!(lim(&mut c, "ZRANGEBYLEX", "[bar", "[down", "0", "0"), empty());
    assert_eq!(lim(&mut c, "ZRANGEBYLEX", "[bar", "[down", "2", "0"), empty());
    assert_eq!(lim(&mut c, "ZRANGEBYLEX", "[bar", "[down", "0", "1"), bulks(&["bar"]));
    assert_eq!(lim(&mut c, "ZRANGEBYLEX", "[bar", "[down", "1", "1"), bulks(&["cool"]));
    assert_eq!(lim(&mut c, "ZRANGEBYLEX", "[bar", "[down", "0", "100"), bulks(&["bar", "cool", "down"]));
    assert_eq!(lim(&mut c, "ZREVRANGEBYLEX", "+", "[d", "0", "5"), bulks(&["omega", "hill", "great", "foo", "elephant"]));
    assert_eq!(lim(&mut c, "ZREVRANGEBYLEX", "+", "[d", "0", "4"), bulks(&["omega", "hill", "great", "foo"]));
    // Invalid lex range specifiers.
    for (a, b) in [("foo", "bar"), ("[foo", "bar"), ("foo", "[bar"), ("+x", "[bar"), ("-x", "[bar"), ("", "+")] {
        assert_eq!(c.cmd(&["ZRANGEBYLEX", "fooz", a, b]), err("ERR min or max not valid string range item"), "{a} {b}");
        assert_eq!(c.cmd(&["ZLEXCOUNT", "fooz", a, b]), err("ERR min or max not valid string range item"));
    }
    assert_eq!(c.cmd(&["ZRANGEBYLEX", "zset", "-", "+", "WITHSCORES"]), err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
}

#[test]
fn zremrangebyscore_rank_lex_basics() {
    let s = Server::start();
    let mut c = s.raw();
    let five = ["1", "a", "2", "b", "3", "c", "4", "d", "5", "e"];
    let rem = |c: &mut Raw, cmd: &str, a: &str, b: &str| {
        create_zset(c, "zset", &five);
        c.cmd(&[cmd, "zset", a, b])
    };
    let all = |c: &mut Raw| c.cmd(&["ZRANGE", "zset", "0", "-1"]);
    for (a, b, n, left) in [
        ("2", "4", 3, &["a", "e"][..]),
        ("-10", "1", 1, &["b", "c", "d", "e"]),
        ("5", "10", 1, &["a", "b", "c", "d"]),
        ("4", "2", 0, &["a", "b", "c", "d", "e"]),
        ("-inf", "3", 3, &["d", "e"]),
        ("3", "+inf", 3, &["a", "b"]),
        ("-inf", "+inf", 5, &[]),
        ("(1", "5", 4, &["a"]),
        ("(2", "5", 3, &["a", "b"]),
        ("1", "(5", 4, &["e"]),
        ("1", "(4", 3, &["d", "e"]),
        ("(1", "(5", 3, &["a", "e"]),
    ] {
        assert_eq!(rem(&mut c, "ZREMRANGEBYSCORE", a, b), R::Int(n), "{a} {b}");
        assert_eq!(all(&mut c), bulks(left), "{a} {b}");
    }
    // Destroy when empty.
    assert_eq!(rem(&mut c, "ZREMRANGEBYSCORE", "1", "5"), R::Int(5));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["ZREMRANGEBYSCORE", "zset", "x", "1"]), err("ERR min or max is not a float"));
    for (a, b, n, left) in [
        ("1", "3", 3, &["a", "e"][..]),
        ("-10", "0", 1, &["b", "c", "d", "e"]),
        ("10", "-1", 0, &["a", "b", "c", "d", "e"]),
        ("0", "-10", 0, &["a", "b", "c", "d", "e"]),
        ("0", "10", 5, &[]),
    ] {
        assert_eq!(rem(&mut c, "ZREMRANGEBYRANK", a, b), R::Int(n), "{a} {b}");
        assert_eq!(all(&mut c), bulks(left), "{a} {b}");
    }
    assert_eq!(rem(&mut c, "ZREMRANGEBYRANK", "0", "4"), R::Int(5));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["ZREMRANGEBYRANK", "zset", "x", "1"]), err("ERR value is not an integer or out of range"));
    // ZREMRANGEBYLEX basics.
    let lex = ["0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo"];
    let remlex = |c: &mut Raw, a: &str, b: &str| {
        create_zset(c, "zset", &lex);
        c.cmd(&["ZREMRANGEBYLEX", "zset", a, b])
    };
    assert_eq!(remlex(&mut c, "[alpha", "[elephant"), R::Int(5));
    assert_eq!(all(&mut c), bulks(&["foo"]));
    assert_eq!(remlex(&mut c, "(alpha", "(elephant"), R::Int(3));
    assert_eq!(all(&mut c), bulks(&["alpha", "elephant", "foo"]));
    assert_eq!(remlex(&mut c, "-", "(cool"), R::Int(2));
    assert_eq!(remlex(&mut c, "(down", "+"), R::Int(2));
    assert_eq!(remlex(&mut c, "+", "-"), R::Int(0));
    assert_eq!(remlex(&mut c, "-", "+"), R::Int(6));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["ZREMRANGEBYLEX", "zset", "a", "+"]), err("ERR min or max not valid string range item"));
    assert_eq!(c.cmd(&["ZREMRANGEBYLEX", "nokey", "-", "+"]), R::Int(0));
}

#[test]
fn zscore_zmscore() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["ZADD", "zscoretest", "1.5", "a", "-2", "b", "1e-7", "c"]);
    assert_eq!(c.cmd(&["ZSCORE", "zscoretest", "a"]), R::bulk("1.5"));
    assert_eq!(c.cmd(&["ZSCORE", "zscoretest", "b"]), R::bulk("-2"));
    assert_eq!(c.cmd(&["ZSCORE", "zscoretest", "c"]), R::bulk("1e-07"));
    assert_eq!(c.cmd(&["ZSCORE", "zscoretest", "nope"]), R::Nil);
    assert_eq!(c.cmd(&["ZSCORE", "nokey", "a"]), R::Nil);
    assert_eq!(c.cmd(&["ZMSCORE", "zscoretest", "a", "nope", "b"]), R::Array(vec![R::bulk("1.5"), R::Nil, R::bulk("-2")]));
    assert_eq!(c.cmd(&["ZMSCORE", "zscoretest", "a"]), R::Array(vec![R::bulk("1.5")]));
    assert_eq!(c.cmd(&["ZMSCORE", "nokey", "a", "b"]), R::Array(vec![R::Nil, R::Nil]));
    assert_eq!(c.cmd(&["ZMSCORE", "zscoretest"]), arity("zmscore"));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["ZSCORE", "str", "a"]), wrongtype());
    assert_eq!(c.cmd(&["ZMSCORE", "str", "a"]), wrongtype());
}

#[test]
fn zunionstore_zinterstore_zdiffstore_and_friends() {
    let s = Server::start();
    let mut c = s.raw();
    // Against non-existing keys.
    assert_eq!(c.cmd(&["ZUNIONSTORE", "dst_key", "1", "zseta"]), R::Int(0));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["ZUNION", "1", "zseta"]), empty());
    assert_eq!(c.cmd(&["ZINTER", "1", "zseta"]), empty());
    assert_eq!(c.cmd(&["ZINTERCARD", "1", "zseta"]), R::Int(0));
    assert_eq!(c.cmd(&["ZDIFF", "1", "zseta"]), empty());
    // With an empty set.
    c.cmd(&["ZADD", "zseta", "1", "a", "2", "b"]);
    assert_eq!(c.cmd(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb"]), R::Int(2));
    assert_eq!(c.cmd(&["ZRANGE", "zsetc", "0", "-1", "WITHSCORES"]), bulks(&["a", "1", "b", "2"]));
    assert_eq!(c.cmd(&["ZUNION", "2", "zseta", "zsetb", "WITHSCORES"]), bulks(&["a", "1", "b", "2"]));
    assert_eq!(c.cmd(&["ZINTER", "2", "zseta", "zsetb", "WITHSCORES"]), empty());
    assert_eq!(c.cmd(&["ZINTERCARD", "2", "zseta", "zsetb", "LIMIT", "0"]), R::Int(0));
    assert_eq!(c.cmd(&["ZDIFF", "2", "zseta", "zsetb", "WITHSCORES"]), bulks(&["a", "1", "b", "2"]));
    // Integer members.
    c.cmd(&["ZADD", "zsetd", "1", "1", "2", "2", "3", "3"]);
    c.cmd(&["ZADD", "zsetf", "1", "1", "3", "3", "4", "4"]);
    assert_eq!(c.cmd(&["ZUNION", "2", "zsetd", "zsetf", "WITHSCORES"]), bulks(&["1", "2", "2", "2", "4", "4", "3", "6"]));
    assert_eq!(c.cmd(&["ZINTER", "2", "zsetd", "zsetf", "WITHSCORES"]), bulks(&["1", "2", "3", "6"]));
    assert_eq!(c.cmd(&["ZINTERCARD", "2", "zsetd", "zsetf"]), R::Int(2));
    assert_eq!(c.cmd(&["ZDIFF", "2", "zsetd", "zsetf", "WITHSCORES"]), bulks(&["2", "2"]));
    // Basics.
    create_zset(&mut c, "zseta", &["1", "a", "2", "b", "3", "c"]);
    create_zset(&mut c, "zsetb", &["1", "b", "2", "c", "3", "d"]);
    let zc = |c: &mut Raw| c.cmd(&["ZRANGE", "zsetc", "0", "-1", "WITHSCORES"]);
    assert_eq!(c.cmd(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb"]), R::Int(4));
    assert_eq!(zc(&mut c), bulks(&["a", "1", "b", "3", "d", "3", "c", "5"]));
    assert_eq!(c.cmd(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb", "WEIGHTS", "2", "3"]), R::Int(4));
    assert_eq!(zc(&mut c), bulks(&["a", "2", "b", "7", "d", "9", "c", "12"]));
    assert_eq!(c.cmd(&["ZUNION", "2", "zseta", "zsetb", "WEIGHTS", "2", "3", "WITHSCORES"]), bulks(&["a", "2", "b", "7", "d", "9", "c", "12"]));
    assert_eq!(c.cmd(&["ZINTER", "2", "zseta", "zsetb", "WEIGHTS", "2", "3", "WITHSCORES"]), bulks(&["b", "7", "c", "12"]));
    // A regular set counts as a sorted set with scores 1.
    c.cmd(&["SADD", "seta", "a", "b", "c"]);
    assert_eq!(c.cmd(&["ZUNIONSTORE", "zsetc", "2", "seta", "zsetb", "WEIGHTS", "2", "3"]), R::Int(4));
    assert_eq!(zc(&mut c), bulks(&["a", "2", "b", "5", "c", "8", "d", "9"]));
    // AGGREGATE MIN / MAX.
    assert_eq!(c.cmd(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb", "AGGREGATE", "MIN"]), R::Int(4));
    assert_eq!(zc(&mut c), bulks(&["a", "1", "b", "1", "c", "2", "d", "3"]));
    assert_eq!(c.cmd(&["ZUNION", "2", "zseta", "zsetb", "aggregate", "min", "withscores"]), bulks(&["a", "1", "b", "1", "c", "2", "d", "3"]));
    assert_eq!(c.cmd(&["ZINTER", "2", "zseta", "zsetb", "aggregate", "min", "withscores"]), bulks(&["b", "1", "c", "2"]));
    assert_eq!(c.cmd(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb", "AGGREGATE", "MAX"]), R::Int(4));
    assert_eq!(zc(&mut c), bulks(&["a", "1", "b", "2", "c", "3", "d", "3"]));
    // ZINTERSTORE basics, weights, a regular set, aggregates.
    assert_eq!(c.cmd(&["ZINTERSTORE", "zsetc", "2", "zseta", "zsetb"]), R::Int(2));
    assert_eq!(zc(&mut c), bulks(&["b", "3", "c", "5"]));
    assert_eq!(c.cmd(&["ZINTERSTORE", "zsetc", "2", "zseta", "zsetb", "WEIGHTS", "2", "3"]), R::Int(2));
    assert_eq!(zc(&mut c), bulks(&["b", "7", "c", "12"]));
    assert_eq!(c.cmd(&["ZINTERSTORE", "zsetc", "2", "seta", "zsetb", "WEIGHTS", "2", "3"]), R::Int(2));
    assert_eq!(zc(&mut c), bulks(&["b", "5", "c", "8"]));
    assert_eq!(c.cmd(&["ZINTERSTORE", "zsetc", "2", "zseta", "zsetb", "AGGREGATE", "MIN"]), R::Int(2));
    assert_eq!(zc(&mut c), bulks(&["b", "1", "c", "2"]));
    assert_eq!(c.cmd(&["ZINTERSTORE", "zsetc", "2", "zseta", "zsetb", "AGGREGATE", "MAX"]), R::Int(2));
    assert_eq!(zc(&mut c), bulks(&["b", "2", "c", "3"]));
    // ZINTERCARD basics.
    assert_eq!(c.cmd(&["ZINTERCARD", "2", "zseta", "zsetb"]), R::Int(2));
    assert_eq!(c.cmd(&["ZINTERCARD", "2", "zseta", "zsetb", "LIMIT", "1"]), R::Int(1));
    assert_eq!(c.cmd(&["ZINTERCARD", "2", "zseta", "zsetb", "LIMIT", "10"]), R::Int(2));
    // ZDIFF / ZDIFFSTORE.
    assert_eq!(c.cmd(&["ZDIFFSTORE", "zsetc", "2", "zseta", "zsetb"]), R::Int(1));
    assert_eq!(zc(&mut c), bulks(&["a", "1"]));
    assert_eq!(c.cmd(&["ZDIFF", "2", "zseta", "zsetb", "WITHSCORES"]), bulks(&["a", "1"]));
    assert_eq!(c.cmd(&["ZDIFFSTORE", "zsetc", "2", "seta", "zsetb"]), R::Int(1));
    assert_eq!(zc(&mut c), bulks(&["a", "1"]));
    // Subtracting a set from itself empties and deletes the destination.
    assert_eq!(c.cmd(&["ZDIFFSTORE", "zsetc", "2", "zseta", "zseta"]), R::Int(0));
    assert_eq!(c.cmd(&["ZCARD", "zsetc"]), R::Int(0));
    assert_eq!(c.cmd(&["ZDIFF", "2", "zseta", "zseta"]), empty());
    // The destination can be a source.
    assert_eq!(c.cmd(&["ZUNIONSTORE", "zseta", "2", "zseta", "zsetb"]), R::Int(4));
    assert_eq!(c.cmd(&["ZRANGE", "zseta", "0", "-1", "WITHSCORES"]), bulks(&["a", "1", "b", "3", "d", "3", "c", "5"]));
}

#[test]
fn zunion_zinter_infinities_nan_weights_and_errors() {
    let s = Server::start();
    let mut c = s.raw();
    for cmd in ["ZUNIONSTORE", "ZINTERSTORE"] {
        for (a, b, want) in [("+inf", "+inf", "inf"), ("-inf", "+inf", "0"), ("+inf", "-inf", "0"), ("-inf", "-inf", "-inf")] {
            create_zset(&mut c, "zsetinf1", &[a, "key"]);
            create_zset(&mut c, "zsetinf2", &[b, "key"]);
            c.cmd(&[cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2"]);
            assert_eq!(c.cmd(&["ZSCORE", "zsetinf3", "key"]), R::bulk(want), "{cmd} {a} {b}");
        }
        create_zset(&mut c, "zsetinf1", &["1.0", "key"]);
        create_zset(&mut c, "zsetinf2", &["1.0", "key"]);
        assert_eq!(
            c.cmd(&[cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2", "WEIGHTS", "nan", "nan"]),
            err("ERR weight value is not a float")
        );
    }
    // inf * 0 weight is 0, not NaN.
    create_zset(&mut c, "zi", &["+inf", "key"]);
    assert_eq!(c.cmd(&["ZUNION", "1", "zi", "WEIGHTS", "0", "WITHSCORES"]), bulks(&["key", "0"]));
    assert_eq!(c.cmd(&["ZUNION", "0", "zi"]), err("ERR at least 1 input key is needed for 'zunion' command"));
    assert_eq!(c.cmd(&["ZUNIONSTORE", "d", "0", "zi"]), err("ERR at least 1 input key is needed for 'zunionstore' command"));
    assert_eq!(c.cmd(&["ZINTERCARD", "0", "zi"]), err("ERR at least 1 input key is needed for 'zintercard' command"));
    assert_eq!(c.cmd(&["ZUNION", "x", "zi"]), err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["ZUNION", "3", "zi"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZUNION", "1", "zi", "AGGREGATE", "avg"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZUNION", "1", "zi", "WEIGHTS"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZUNIONSTORE", "d", "1", "zi", "WITHSCORES"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZDIFF", "1", "zi", "WEIGHTS", "1"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZINTERCARD", "1", "zi", "zi"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZINTERCARD", "1", "zi", "bar_arg"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZINTERCARD", "1", "zi", "LIMIT"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZINTERCARD", "1", "zi", "LIMIT", "-1"]), err("ERR LIMIT can't be negative"));
    assert_eq!(c.cmd(&["ZINTERCARD", "1", "zi", "LIMIT", "a"]), err("ERR LIMIT can't be negative"));
    assert_eq!(c.cmd(&["ZINTERCARD", "1", "zi", "WEIGHTS", "1"]), err("ERR syntax error"));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["ZUNION", "2", "zi", "str"]), wrongtype());
    assert_eq!(c.cmd(&["ZINTERSTORE", "d", "2", "nokey", "str"]), wrongtype());
}

#[test]
fn zrangestore_cases() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["ZADD", "z1", "1", "a", "2", "b", "3", "c", "4", "d"]);
    let z = |c: &mut Raw, k: &str| c.cmd(&["ZRANGE", k, "0", "-1", "WITHSCORES"]);
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "z1", "0", "-1"]), R::Int(4));
    assert_eq!(z(&mut c, "z2"), bulks(&["a", "1", "b", "2", "c", "3", "d", "4"]));
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "z1", "1", "2"]), R::Int(2));
    assert_eq!(z(&mut c, "z2"), bulks(&["b", "2", "c", "3"]));
    assert_eq!(c.cmd(&["ZRANGESTORE", "z3", "z1", "[b", "[c", "BYLEX"]), R::Int(2));
    assert_eq!(z(&mut c, "z3"), bulks(&["b", "2", "c", "3"]));
    assert_eq!(c.cmd(&["ZRANGESTORE", "z4", "z1", "1", "2", "BYSCORE"]), R::Int(2));
    assert_eq!(z(&mut c, "z4"), bulks(&["a", "1", "b", "2"]));
    assert_eq!(c.cmd(&["ZRANGESTORE", "z5", "z1", "0", "5", "BYSCORE", "LIMIT", "0", "2"]), R::Int(2));
    assert_eq!(z(&mut c, "z5"), bulks(&["a", "1", "b", "2"]));
    assert_eq!(c.cmd(&["ZRANGESTORE", "z6", "z1", "5", "0", "BYSCORE", "REV", "LIMIT", "0", "2"]), R::Int(2));
    assert_eq!(z(&mut c, "z6"), bulks(&["c", "3", "d", "4"]));
    // Source key missing: destination deleted.
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "missing", "0", "-1"]), R::Int(0));
    assert_eq!(c.cmd(&["ZCARD", "z2"]), R::Int(0));
    // Source key of wrong type: destination untouched.
    c.cmd(&["ZADD", "z2", "1", "a"]);
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "foo", "0", "-1"]), wrongtype());
    assert_eq!(c.cmd(&["ZRANGE", "z2", "0", "-1"]), bulks(&["a"]));
    // Empty ranges.
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "z1", "5", "6"]), R::Int(0));
    assert_eq!(c.cmd(&["ZCARD", "z2"]), R::Int(0));
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "z1", "[f", "[g", "BYLEX"]), R::Int(0));
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "z1", "5", "6", "BYSCORE"]), R::Int(0));
    // Invalid syntax.
    assert_eq!(
        c.cmd(&["ZRANGESTORE", "z2", "z1", "0", "-1", "LIMIT", "1", "2"]),
        err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    );
    assert_eq!(c.cmd(&["ZRANGESTORE", "z2", "z1", "0", "-1", "WITHSCORES"]), err("ERR syntax error"));
    // The destination keeps no TTL of the old key and may be the source.
    assert_eq!(c.cmd(&["ZRANGESTORE", "z1", "z1", "0", "1"]), R::Int(2));
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "-1"]), bulks(&["a", "b"]));
}

#[test]
fn zpopmin_zpopmax_and_zmpop() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["ZPOPMIN", "zset"]), empty());
    assert_eq!(c.cmd(&["ZPOPMIN", "zset", "0"]), empty());
    create_zset(&mut c, "zset", &["-1", "a", "1", "b", "2", "c", "3", "d", "4", "e"]);
    assert_eq!(c.cmd(&["ZPOPMIN", "zset"]), bulks(&["a", "-1"]));
    assert_eq!(c.cmd(&["ZPOPMIN", "zset"]), bulks(&["b", "1"]));
    assert_eq!(c.cmd(&["ZPOPMAX", "zset"]), bulks(&["e", "4"]));
    assert_eq!(c.cmd(&["ZPOPMAX", "zset"]), bulks(&["d", "3"]));
    assert_eq!(c.cmd(&["ZPOPMIN", "zset", "0"]), empty());
    assert_eq!(c.cmd(&["ZPOPMIN", "zset"]), bulks(&["c", "2"]));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    // ZPOP with count.
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["ZPOPMIN", "z1", "2"]), empty());
    assert_eq!(c.cmd(&["ZPOPMIN", "foo", "2"]), wrongtype());
    assert_eq!(c.cmd(&["ZPOPMIN", "foo", "0"]), wrongtype());
    create_zset(&mut c, "z1", &["0", "a", "1", "b", "2", "c", "3", "d"]);
    assert_eq!(c.cmd(&["ZPOPMIN", "z1", "2"]), bulks(&["a", "0", "b", "1"]));
    assert_eq!(c.cmd(&["ZPOPMAX", "z1", "2"]), bulks(&["d", "3", "c", "2"]));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    assert_eq!(c.cmd(&["ZPOPMIN", "z1", "-1"]), err("ERR value is out of range, must be positive"));
    assert_eq!(c.cmd(&["ZPOPMIN", "z1", "x"]), err("ERR value is out of range, must be positive"));
    assert_eq!(c.cmd(&["ZPOPMAX", "nokey", "1.5"]), err("ERR value is out of range, must be positive"));
    assert_eq!(c.cmd(&["ZPOPMIN", "z1", "1", "2"]), err("ERR syntax error"));
    // ZMPOP with illegal arguments.
    assert_eq!(c.cmd(&["ZMPOP"]), arity("zmpop"));
    assert_eq!(c.cmd(&["ZMPOP", "1"]), arity("zmpop"));
    assert_eq!(c.cmd(&["ZMPOP", "1", "myzset"]), arity("zmpop"));
    for args in [&["0", "myzset", "MIN"][..], &["a", "myzset", "MIN"], &["-1", "myzset", "MAX"]] {
        let mut v = vec!["ZMPOP"];
        v.extend_from_slice(args);
        assert_eq!(c.cmd(&v), err("ERR numkeys should be greater than 0"), "{args:?}");
    }
    for args in [
        &["1", "myzset", "bad_where"][..],
        &["1", "myzset", "MIN", "bar_arg"],
        &["1", "myzset", "MAX", "MIN"],
        &["1", "myzset", "COUNT"],
        &["1", "myzset", "MAX", "COUNT", "1", "COUNT", "2"],
        &["2", "myzset", "myzset2", "bad_arg"],
        &["5", "a", "b"],
    ] {
        let mut v = vec!["ZMPOP"];
        v.extend_from_slice(args);
        assert_eq!(c.cmd(&v), err("ERR syntax error"), "{args:?}");
    }
    for args in [&["1", "myzset", "MIN", "COUNT", "0"][..], &["1", "myzset", "MAX", "COUNT", "a"], &["1", "myzset", "MIN", "COUNT", "-1"]] {
        let mut v = vec!["ZMPOP"];
        v.extend_from_slice(args);
        assert_eq!(c.cmd(&v), err("ERR count should be greater than 0"), "{args:?}");
    }
    // ZMPOP with multiple keys.
    assert_eq!(c.cmd(&["ZMPOP", "2", "myzset", "myzset2", "MIN"]), R::Nil);
    c.cmd(&["ZADD", "myzset2", "1", "a", "2", "b", "3", "c"]);
    assert_eq!(
        c.cmd(&["ZMPOP", "2", "myzset", "myzset2", "MIN"]),
        R::Array(vec![R::bulk("myzset2"), R::Array(vec![bulks(&["a", "1"])])])
    );
    assert_eq!(
        c.cmd(&["ZMPOP", "2", "myzset", "myzset2", "MAX", "COUNT", "10"]),
        R::Array(vec![R::bulk("myzset2"), R::Array(vec![bulks(&["c", "3"]), bulks(&["b", "2"])])])
    );
    assert_eq!(c.cmd(&["ZCARD", "myzset2"]), R::Int(0));
    assert_eq!(c.cmd(&["ZMPOP", "2", "foo", "myzset2", "MIN"]), wrongtype());
}

#[test]
fn zrandmember_counts_withscores_and_errors() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["ZRANDMEMBER", "nokey"]), R::Nil);
    assert_eq!(c.cmd(&["ZRANDMEMBER", "nokey", "5"]), empty());
    assert_eq!(c.cmd(&["ZRANDMEMBER", "nokey", "5", "WITHSCORES"]), empty());
    c.cmd(&["ZADD", "myzset", "1", "a", "2", "b", "3", "c"]);
    assert_eq!(c.cmd(&["ZRANDMEMBER", "myzset", "0"]), empty());
    assert_eq!(c.cmd(&["ZRANDMEMBER", "myzset", "0", "WITHSCORES"]), empty());
    // Count overflow.
    assert_eq!(c.cmd(&["ZRANDMEMBER", "myzset", "-9223372036854770000", "WITHSCORES"]), err("ERR value is out of range"));
    assert_eq!(c.cmd(&["ZRANDMEMBER", "myzset", "-9223372036854775807", "WITHSCORES"]), err("ERR value is out of range"));
    assert!(matches!(c.cmd(&["ZRANDMEMBER", "myzset", "-9223372036854775808"]), R::Error(e) if e.contains("value is out of range")));
    assert_eq!(c.cmd(&["ZRANDMEMBER", "myzset", "1", "FOO"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANDMEMBER", "myzset", "1", "WITHSCORES", "x"]), err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZRANDMEMBER", "myzset", "x"]), err("ERR value is not an integer or out of range"));
    // Single member.
    let R::Bulk(m) = c.cmd(&["ZRANDMEMBER", "myzset"]) else { panic!() };
    assert!([&b"a"[..], b"b", b"c"].contains(&&m[..]));
    // Positive count with scores: distinct pairs whose scores match.
    let R::Array(items) = c.cmd(&["ZRANDMEMBER", "myzset", "10", "WITHSCORES"]) else { panic!() };
    assert_eq!(items.len(), 6);
    let mut pairs: Vec<(R, R)> = items.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect();
    pairs.sort_by_key(|(m, _)| format!("{m:?}"));
    assert_eq!(pairs, vec![(R::bulk("a"), R::bulk("1")), (R::bulk("b"), R::bulk("2")), (R::bulk("c"), R::bulk("3"))]);
    let R::Array(two) = c.cmd(&["ZRANDMEMBER", "myzset", "2"]) else { panic!() };
    assert_eq!(two.len(), 2);
    assert_ne!(two[0], two[1]);
    // Negative count: repeats allowed.
    let R::Array(many) = c.cmd(&["ZRANDMEMBER", "myzset", "-50", "WITHSCORES"]) else { panic!() };
    assert_eq!(many.len(), 100);
    for p in many.chunks(2) {
        let want = match &p[0] {
            R::Bulk(b) if b == b"a" => "1",
            R::Bulk(b) if b == b"b" => "2",
            _ => "3",
        };
        assert_eq!(p[1], R::bulk(want));
    }
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["ZRANDMEMBER", "str", "1"]), wrongtype());
}

#[test]
fn zscan_pages_with_scores() {
    let s = Server::start();
    let mut c = s.raw();
    let mut args = vec!["ZADD".to_string(), "zset".to_string()];
    for i in 0..500 {
        args.push(i.to_string());
        args.push(format!("key:{i}"));
    }
    let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    c.cmd(&refs);
    let mut cursor = "0".to_string();
    let mut seen = std::collections::BTreeMap::new();
    let mut calls = 0;
    loop {
        let R::Array(parts) = c.cmd(&["ZSCAN", "zset", &cursor, "COUNT", "37"]) else { panic!() };
        calls += 1;
        let R::Bulk(next) = &parts[0] else { panic!() };
        let R::Array(items) = &parts[1] else { panic!() };
        for p in items.chunks(2) {
            let (R::Bulk(m), R::Bulk(s)) = (&p[0], &p[1]) else { panic!() };
            seen.insert(String::from_utf8(m.clone()).unwrap(), String::from_utf8(s.clone()).unwrap());
        }
        cursor = String::from_utf8(next.clone()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    assert!(calls >= 14);
    assert_eq!(seen.len(), 500);
    assert_eq!(seen["key:123"], "123");
    let R::Array(parts) = c.cmd(&["ZSCAN", "zset", "0", "MATCH", "key:4?", "COUNT", "1000"]) else { panic!() };
    assert_eq!(parts[0], R::bulk("0"));
    let R::Array(items) = &parts[1] else { panic!() };
    assert_eq!(items.len(), 20);
    assert_eq!(c.cmd(&["ZSCAN", "zset", "x"]), err("ERR invalid cursor"));
    assert_eq!(c.cmd(&["ZSCAN", "nokey", "0"]), R::Array(vec![R::bulk("0"), empty()]));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["ZSCAN", "str", "0"]), wrongtype());
}

#[test]
fn bzpopmin_basics_wrong_type_and_bad_timeouts() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["ZADD", "zset1", "0", "a", "1", "b", "2", "c"]);
    assert_eq!(c.cmd(&["BZPOPMIN", "zset1", "zset2", "0"]), bulks(&["zset1", "a", "0"]));
    assert_eq!(c.cmd(&["BZPOPMAX", "zset2", "zset1", "0"]), bulks(&["zset1", "c", "2"]));
    assert_eq!(c.cmd(&["BZPOPMIN", "zset1", "0"]), bulks(&["zset1", "b", "1"]));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["BZPOPMIN", "foo", "0"]), wrongtype());
    assert_eq!(c.cmd(&["BZPOPMIN", "zset1", "-1"]), err("ERR timeout is negative"));
    assert_eq!(c.cmd(&["BZPOPMIN", "zset1", "abc"]), err("ERR timeout is not a float or out of range"));
    assert_eq!(c.cmd(&["BZPOPMIN", "zset1"]), arity("bzpopmin"));
    // BZMPOP argument errors come first, then the timeout.
    assert_eq!(c.cmd(&["BZMPOP", "0", "0", "z", "MIN"]), err("ERR numkeys should be greater than 0"));
    assert_eq!(c.cmd(&["BZMPOP", "-1", "1", "z", "MIN"]), err("ERR timeout is negative"));
    c.cmd(&["ZADD", "z", "1", "a", "2", "b"]);
    assert_eq!(
        c.cmd(&["BZMPOP", "0", "2", "nokey", "z", "MAX", "COUNT", "5"]),
        R::Array(vec![R::bulk("z"), R::Array(vec![bulks(&["b", "2"]), bulks(&["a", "1"])])])
    );
}

#[test]
fn bzpopmin_timeout_returns_nil_after_the_timeout() {
    let s = Server::start();
    let mut c = s.raw();
    let t = Instant::now();
    assert_eq!(c.cmd(&["BZPOPMIN", "nokey", "0.3"]), R::Nil);
    let waited = t.elapsed();
    assert!(waited >= Duration::from_millis(280) && waited < Duration::from_secs(5), "{waited:?}");
    let t = Instant::now();
    assert_eq!(c.cmd(&["BZMPOP", "0.2", "1", "nokey", "MIN"]), R::Nil);
    assert!(t.elapsed() >= Duration::from_millis(180));
    // The connection is still usable.
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn bzpopmin_clients_are_served_in_order() {
    let s = Server::start();
    let mut first = s.raw();
    let mut second = s.raw();
    let mut w = s.raw();
    first.send(&encode(&["BZPOPMIN", "zset", "0"]));
    s.wait_blocked(1);
    second.send(&encode(&["BZPOPMAX", "other", "zset", "0"]));
    s.wait_blocked(2);
    assert_eq!(w.cmd(&["ZADD", "zset", "5", "foo"]), R::Int(1));
    assert_eq!(first.read(), bulks(&["zset", "foo", "5"]));
    assert_eq!(w.cmd(&["ZADD", "zset", "6", "bar", "7", "baz"]), R::Int(2));
    assert_eq!(second.read(), bulks(&["zset", "baz", "7"]));
    // The second member was left for nobody.
    assert_eq!(w.cmd(&["ZRANGE", "zset", "0", "-1"]), bulks(&["bar"]));
    // Variadic ZADD wakes with the lowest score; a blocked client on a deleted key stays blocked.
    first.send(&encode(&["BZPOPMIN", "zv", "0"]));
    s.wait_blocked(1);
    w.cmd(&["MULTI"]);
    w.cmd(&["ZADD", "zv", "1", "x"]);
    w.cmd(&["DEL", "zv"]);
    w.cmd(&["EXEC"]);
    w.cmd(&["ZADD", "zv", "10", "a", "5", "b", "7", "c"]);
    assert_eq!(first.read(), bulks(&["zv", "b", "5"]));
    // ZADD + DEL + SET should not awake the blocked client with WRONGTYPE.
    first.send(&encode(&["BZPOPMIN", "zs", "0"]));
    s.wait_blocked(1);
    w.cmd(&["MULTI"]);
    w.cmd(&["ZADD", "zs", "0", "foo"]);
    w.cmd(&["DEL", "zs"]);
    w.cmd(&["SET", "zs", "foo"]);
    w.cmd(&["EXEC"]);
    s.wait_blocked(1);
    w.cmd(&["DEL", "zs"]);
    w.cmd(&["ZADD", "zs", "1", "bar"]);
    assert_eq!(first.read(), bulks(&["zs", "bar", "1"]));
    // The same for BZMPOP.
    first.send(&encode(&["BZMPOP", "0", "1", "zm", "MAX", "COUNT", "2"]));
    s.wait_blocked(1);
    w.cmd(&["SET", "zm", "foo"]);
    s.wait_blocked(1);
    w.cmd(&["DEL", "zm"]);
    w.cmd(&["ZADD", "zm", "1", "a", "2", "b", "3", "c"]);
    assert_eq!(first.read(), R::Array(vec![R::bulk("zm"), R::Array(vec![bulks(&["c", "3"]), bulks(&["b", "2"])])]));
    // A client killed while blocked leaves no trace.
    {
        let mut gone = s.raw();
        gone.send(&encode(&["BZPOPMIN", "zk", "0"]));
        s.wait_blocked(1);
    }
    s.wait_blocked(0);
    w.cmd(&["ZADD", "zk", "1", "m"]);
    assert_eq!(w.cmd(&["ZCARD", "zk"]), R::Int(1));
}

#[test]
fn bzpopmin_inside_a_transaction_does_not_block() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["ZADD", "zset", "1", "a", "2", "b", "3", "c"]);
    c.cmd(&["MULTI"]);
    for _ in 0..4 {
        c.cmd(&["BZPOPMIN", "zset", "0"]);
    }
    assert_eq!(
        c.cmd(&["EXEC"]),
        R::Array(vec![bulks(&["zset", "a", "1"]), bulks(&["zset", "b", "2"]), bulks(&["zset", "c", "3"]), R::Nil])
    );
}

#[test]
fn resp3_replies_when_available() {
    let s = Server::start();
    let mut c = s.raw();
    if matches!(c.cmd(&["HELLO", "3"]), R::Error(_)) {
        eprintln!("HELLO not available in this build: RESP3 checks skipped");
        return;
    }
    c.cmd(&["ZADD", "z", "1", "a", "2.5", "b"]);
    assert_eq!(c.cmd(&["ZSCORE", "z", "b"]), R::Double("2.5".into()));
    assert_eq!(
        c.cmd(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
        R::Array(vec![
            R::Array(vec![R::bulk("a"), R::Double("1".into())]),
            R::Array(vec![R::bulk("b"), R::Double("2.5".into())])
        ])
    );
    assert_eq!(c.cmd(&["ZPOPMIN", "z"]), R::Array(vec![R::bulk("a"), R::Double("1".into())]));
    assert_eq!(c.cmd(&["ZPOPMIN", "z", "1"]), R::Array(vec![R::Array(vec![R::bulk("b"), R::Double("2.5".into())])]));
    assert_eq!(c.cmd(&["ZRANK", "z", "x", "WITHSCORE"]), R::Nil);
    assert_eq!(c.cmd(&["BZPOPMIN", "z", "0.05"]), R::Nil);
}

#[test]
fn zsets_survive_restart_and_kill9_with_ttls() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    let mut c = s.raw();
    c.cmd(&["ZADD", "z1", "1", "a", "2", "b", "-inf", "n", "+inf", "p"]);
    c.cmd(&["ZADD", "z2", "3.5", "x"]);
    let has_ttl = !matches!(c.cmd(&["PEXPIRE", "z2", "1000000"]), R::Error(_));
    drop(c);
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "-1", "WITHSCORES"]), bulks(&["n", "-inf", "a", "1", "b", "2", "p", "inf"]));
    c.cmd(&["ZINCRBY", "z1", "10", "a"]);
    c.cmd(&["ZREM", "z1", "n"]);
    drop(c);
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["ZRANGE", "z1", "0", "-1", "WITHSCORES"]), bulks(&["b", "2", "a", "11", "p", "inf"]));
    assert_eq!(c.cmd(&["ZRANGEBYSCORE", "z1", "(2", "+inf"]), bulks(&["a", "p"]));
    assert_eq!(c.cmd(&["ZSCORE", "z2", "x"]), R::bulk("3.5"));
    if has_ttl {
        let R::Int(ttl) = c.cmd(&["PTTL", "z2"]) else { panic!("PTTL") };
        assert!(ttl > 900_000 && ttl <= 1_000_000, "ttl {ttl}");
    } else {
        eprintln!("PEXPIRE not available in this build: TTL part skipped");
    }
}

#[test]
fn zset_commands_through_redis_crate_and_cli() {
    let s = Server::start();
    let mut conn = s.client();
    let added: i64 = redis::cmd("ZADD").arg("z").arg(1).arg("a").arg(2).arg("b").query(&mut conn).unwrap();
    assert_eq!(added, 2);
    let range: Vec<String> = redis::cmd("ZRANGE").arg("z").arg(0).arg(-1).arg("WITHSCORES").query(&mut conn).unwrap();
    assert_eq!(range, ["a", "1", "b", "2"]);
    assert_eq!(s.cli(&["ZSCORE", "z", "b"]).trim(), "2");
}

/// A 1,000,000-member sorted set: DEL is O(1) and reads at the far end are range scans.
#[test]
fn million_member_zset_del_and_far_end_reads_are_fast() {
    const N: usize = 1_000_000;
    const PER_CMD: usize = 1000;
    let s = Server::start();
    let mut c = s.raw();
    let t = Instant::now();
    let mut batch = Vec::new();
    for chunk in 0..N / PER_CMD {
        let mut cmd = vec!["ZADD".to_string(), "big".to_string()];
        for i in chunk * PER_CMD..(chunk + 1) * PER_CMD {
            cmd.push(i.to_string());
            cmd.push(format!("member:{i:07}"));
        }
        batch.push(cmd);
        if batch.len() == 50 {
            for r in pipeline(&mut c, &batch) {
                assert_eq!(r, R::Int(PER_CMD as i64));
            }
            batch.clear();
        }
    }
    for r in pipeline(&mut c, &batch) {
        assert_eq!(r, R::Int(PER_CMD as i64));
    }
    println!("load 1M members: {:?}", t.elapsed());
    assert_eq!(c.cmd(&["ZCARD", "big"]), R::Int(N as i64));

    let timed = |c: &mut Raw, args: &[&str]| {
        let t = Instant::now();
        let r = c.cmd(args);
        let d = t.elapsed();
        println!("{}: {:?}", args.join(" "), d);
        (r, d)
    };
    let (r, d) = timed(&mut c, &["ZREVRANGE", "big", "0", "9"]);
    let R::Array(items) = r else { panic!() };
    assert_eq!(items[0], R::bulk("member:0999999"));
    assert_eq!(items.len(), 10);
    assert!(d < Duration::from_millis(500), "{d:?}");
    let (r, d) = timed(&mut c, &["ZRANGE", "big", "-10", "-1", "WITHSCORES"]);
    let R::Array(items) = r else { panic!() };
    assert_eq!(items[19], R::bulk("999999"));
    assert!(d < Duration::from_millis(500), "{d:?}");
    let (r, d) = timed(&mut c, &["ZRANGEBYSCORE", "big", "999990", "+inf"]);
    let R::Array(items) = r else { panic!() };
    assert_eq!(items.len(), 10);
    assert!(d < Duration::from_millis(500), "{d:?}");
    let (r, d) = timed(&mut c, &["ZREVRANGEBYSCORE", "big", "+inf", "-inf", "LIMIT", "0", "5"]);
    let R::Array(items) = r else { panic!() };
    assert_eq!(items.len(), 5);
    assert!(d < Duration::from_millis(500), "{d:?}");
    let (r, d) = timed(&mut c, &["ZRANK", "big", "member:0999998"]);
    assert_eq!(r, R::Int(999_998));
    assert!(d < Duration::from_millis(500), "{d:?}");
    let (r, d) = timed(&mut c, &["ZCOUNT", "big", "(999000", "999100"]);
    assert_eq!(r, R::Int(100));
    assert!(d < Duration::from_millis(500), "{d:?}");
    let (r, _) = timed(&mut c, &["ZRANK", "big", "member:0500000"]);
    assert_eq!(r, R::Int(500_000));

    let (r, d) = timed(&mut c, &["DEL", "big"]);
    assert_eq!(r, R::Int(1));
    assert!(d < Duration::from_millis(500), "{d:?}");
    assert_eq!(c.cmd(&["ZCARD", "big"]), R::Int(0));
    // A new key of the same name sees none of the old members.
    c.cmd(&["ZADD", "big", "1", "fresh"]);
    assert_eq!(c.cmd(&["ZRANGE", "big", "0", "-1"]), bulks(&["fresh"]));
}
