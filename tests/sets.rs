//! Set commands against the real server, after Redis's tests/unit/type/set.tcl.

mod common;
use common::*;

use std::collections::{BTreeSet, HashMap};

/// The members of an array reply, sorted (sets have no order).
fn sorted(r: R) -> Vec<String> {
    let R::Array(items) = r else { panic!("not an array: {r:?}") };
    let mut out: Vec<String> = items
        .into_iter()
        .map(|i| match i {
            R::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("not a bulk: {other:?}"),
        })
        .collect();
    out.sort();
    out
}

fn strs(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn sadd_scard_sismember_smismember_smembers_basics() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SADD", "myset", "foo"]), R::Int(1));
    assert_eq!(c.cmd(&["SADD", "myset", "bar"]), R::Int(1));
    assert_eq!(c.cmd(&["SADD", "myset", "bar"]), R::Int(0));
    assert_eq!(c.cmd(&["SCARD", "myset"]), R::Int(2));
    assert_eq!(c.cmd(&["SISMEMBER", "myset", "foo"]), R::Int(1));
    assert_eq!(c.cmd(&["SISMEMBER", "myset", "bar"]), R::Int(1));
    assert_eq!(c.cmd(&["SISMEMBER", "myset", "bla"]), R::Int(0));
    assert_eq!(c.cmd(&["SMISMEMBER", "myset", "foo", "bla", "bar"]), R::Array(vec![R::Int(1), R::Int(0), R::Int(1)]));
    assert_eq!(c.cmd(&["SMISMEMBER", "nokey", "a", "b"]), R::Array(vec![R::Int(0), R::Int(0)]));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "myset"])), strs(&["bar", "foo"]));
    assert_eq!(c.cmd(&["SMEMBERS", "nokey"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["SCARD", "nokey"]), R::Int(0));
    // Variadic SADD counts each new member once.
    assert_eq!(c.cmd(&["SADD", "v", "a", "b", "c", "a", "b"]), R::Int(3));
    assert_eq!(c.cmd(&["SCARD", "v"]), R::Int(3));
}

#[test]
fn set_commands_against_wrong_type_and_arity() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "str", "x"]);
    for args in [
        &["SADD", "str", "a"][..],
        &["SREM", "str", "a"],
        &["SISMEMBER", "str", "a"],
        &["SMISMEMBER", "str", "a"],
        &["SMEMBERS", "str"],
        &["SCARD", "str"],
        &["SPOP", "str"],
        &["SRANDMEMBER", "str"],
        &["SINTER", "str"],
        &["SUNION", "str"],
        &["SDIFF", "str"],
        &["SSCAN", "str", "0"],
        &["SINTERCARD", "1", "str"],
    ] {
        assert_eq!(c.cmd(args), wrongtype(), "{args:?}");
    }
    assert_eq!(c.cmd(&["SMISMEMBER", "myset"]), arity("smismember"));
    assert_eq!(c.cmd(&["SADD", "myset"]), arity("sadd"));
    assert_eq!(c.cmd(&["SCARD"]), arity("scard"));
}

#[test]
fn srem_basics_and_variadic_removal_deletes_the_key() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SADD", "myset", "foo", "bar", "ciao"]);
    assert_eq!(c.cmd(&["SREM", "myset", "qux"]), R::Int(0));
    assert_eq!(c.cmd(&["SREM", "myset", "foo"]), R::Int(1));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "myset"])), strs(&["bar", "ciao"]));
    assert_eq!(c.cmd(&["SREM", "myset", "bar", "ciao", "bar", "nope"]), R::Int(2));
    assert_eq!(c.cmd(&["SCARD", "myset"]), R::Int(0));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["SREM", "nokey", "a"]), R::Int(0));
}

#[test]
fn sinter_sunion_sdiff_and_store_variants() {
    let s = Server::start();
    let mut c = s.raw();
    for i in 0..200 {
        c.cmd(&["SADD", "set1", &i.to_string()]);
        c.cmd(&["SADD", "set2", &(i + 195).to_string()]);
    }
    for x in ["199", "195", "1000", "2000"] {
        c.cmd(&["SADD", "set3", x]);
    }
    for i in 5..200 {
        c.cmd(&["SADD", "set4", &i.to_string()]);
    }
    c.cmd(&["SADD", "set5", "0"]);
    let expect: Vec<String> = (195..200).map(|i| i.to_string()).collect::<BTreeSet<_>>().into_iter().collect();
    assert_eq!(sorted(c.cmd(&["SINTER", "set1", "set2"])), expect);
    assert_eq!(c.cmd(&["SINTERSTORE", "setres", "set1", "set2"]), R::Int(5));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "setres"])), expect);
    let mut union: Vec<String> = (0..395).map(|i| i.to_string()).collect();
    union.sort();
    assert_eq!(sorted(c.cmd(&["SUNION", "set1", "set2"])), union);
    assert_eq!(c.cmd(&["SUNIONSTORE", "setres", "set1", "set2"]), R::Int(395));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "setres"])), union);
    assert_eq!(sorted(c.cmd(&["SINTER", "set1", "set2", "set3"])), strs(&["195", "199"]));
    assert_eq!(sorted(c.cmd(&["SDIFF", "set1", "set4"])), strs(&["0", "1", "2", "3", "4"]));
    assert_eq!(sorted(c.cmd(&["SDIFF", "set1", "set4", "set5"])), strs(&["1", "2", "3", "4"]));
    assert_eq!(sorted(c.cmd(&["SDIFF", "set3"])), strs(&["1000", "195", "199", "2000"]));
    assert_eq!(c.cmd(&["SDIFFSTORE", "setres", "set1", "set4"]), R::Int(5));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "setres"])), strs(&["0", "1", "2", "3", "4"]));
    // SDIFF with first set empty / same set two times.
    assert_eq!(c.cmd(&["SDIFF", "nokey", "set1"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["SDIFF", "set1", "set1"]), R::Array(vec![]));
    // A missing key is an empty set.
    assert_eq!(c.cmd(&["SINTER", "set1", "nokey"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["SUNION", "nokey"]), R::Array(vec![]));
    // SINTERSTORE / SUNIONSTORE / SDIFFSTORE against non existing keys delete dstkey.
    c.cmd(&["SET", "setres", "xxx"]);
    assert_eq!(c.cmd(&["SINTERSTORE", "setres", "foo111", "bar222"]), R::Int(0));
    assert_eq!(c.cmd(&["GET", "setres"]), R::Nil);
    c.cmd(&["SADD", "setres", "x"]);
    assert_eq!(c.cmd(&["SUNIONSTORE", "setres", "foo111", "bar222"]), R::Int(0));
    assert_eq!(c.cmd(&["SCARD", "setres"]), R::Int(0));
    c.cmd(&["SADD", "setres", "x"]);
    assert_eq!(c.cmd(&["SDIFFSTORE", "setres", "foo111", "bar222"]), R::Int(0));
    assert_eq!(c.cmd(&["SCARD", "setres"]), R::Int(0));
    // The destination may be a source.
    assert_eq!(c.cmd(&["SUNIONSTORE", "set5", "set5", "set3"]), R::Int(5));
    // SINTER against a non-set, even after a missing key, is WRONGTYPE.
    c.cmd(&["SET", "key1", "x"]);
    assert_eq!(c.cmd(&["SINTER", "nokey", "key1"]), wrongtype());
    assert_eq!(c.cmd(&["SINTERSTORE", "setres", "set1", "key1"]), wrongtype());
    assert_eq!(c.cmd(&["SUNIONSTORE", "setres", "key1", "set1"]), wrongtype());
    // STORE overwrites any type at the destination.
    assert_eq!(c.cmd(&["SINTERSTORE", "key1", "set1", "set2"]), R::Int(5));
    assert_eq!(c.cmd(&["SCARD", "key1"]), R::Int(5));
}

#[test]
fn sintercard_with_limit_and_illegal_arguments() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SINTERCARD"]), arity("sintercard"));
    assert_eq!(c.cmd(&["SINTERCARD", "1"]), arity("sintercard"));
    assert_eq!(c.cmd(&["SINTERCARD", "0", "myset"]), R::err("ERR numkeys should be greater than 0"));
    assert_eq!(c.cmd(&["SINTERCARD", "a", "myset"]), R::err("ERR numkeys should be greater than 0"));
    assert_eq!(c.cmd(&["SINTERCARD", "2", "myset"]), R::err("ERR Number of keys can't be greater than number of args"));
    assert_eq!(c.cmd(&["SINTERCARD", "1", "myset", "myset2"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SINTERCARD", "1", "myset", "bar_arg"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SINTERCARD", "1", "myset", "LIMIT"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SINTERCARD", "1", "myset", "LIMIT", "-1"]), R::err("ERR LIMIT can't be negative"));
    assert_eq!(c.cmd(&["SINTERCARD", "1", "myset", "LIMIT", "a"]), R::err("ERR LIMIT can't be negative"));
    assert_eq!(c.cmd(&["SINTERCARD", "1", "non-existing-key"]), R::Int(0));
    c.cmd(&["SADD", "s1", "a", "b", "c", "d", "e"]);
    c.cmd(&["SADD", "s2", "b", "c", "d", "e", "f"]);
    assert_eq!(c.cmd(&["SINTERCARD", "2", "s1", "s2"]), R::Int(4));
    assert_eq!(c.cmd(&["SINTERCARD", "2", "s1", "s2", "LIMIT", "0"]), R::Int(4));
    assert_eq!(c.cmd(&["SINTERCARD", "2", "s1", "s2", "LIMIT", "2"]), R::Int(2));
    assert_eq!(c.cmd(&["SINTERCARD", "2", "s1", "s2", "LIMIT", "10"]), R::Int(4));
    assert_eq!(c.cmd(&["SINTERCARD", "2", "s1", "nokey"]), R::Int(0));
}

#[test]
fn spop_basics_with_count_and_errors() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SADD", "myset", "a", "b", "c"]);
    let mut popped = Vec::new();
    for _ in 0..3 {
        match c.cmd(&["SPOP", "myset"]) {
            R::Bulk(b) => popped.push(String::from_utf8(b).unwrap()),
            other => panic!("{other:?}"),
        }
    }
    popped.sort();
    assert_eq!(popped, strs(&["a", "b", "c"]));
    assert_eq!(c.cmd(&["SCARD", "myset"]), R::Int(0));
    assert_eq!(c.cmd(&["SPOP", "myset"]), R::Nil);
    // SPOP with <count>: every code path (count 0, < size, >= size).
    let members: Vec<String> = (0..100).map(|i| format!("m{i}")).collect();
    let mut args = vec!["SADD", "big"];
    args.extend(members.iter().map(|s| s.as_str()));
    c.cmd(&args);
    assert_eq!(c.cmd(&["SPOP", "big", "0"]), R::Array(vec![]));
    let first = sorted(c.cmd(&["SPOP", "big", "30"]));
    assert_eq!(first.len(), 30);
    assert_eq!(c.cmd(&["SCARD", "big"]), R::Int(70));
    let second = sorted(c.cmd(&["SPOP", "big", "60"]));
    assert_eq!(second.len(), 60);
    let rest = sorted(c.cmd(&["SPOP", "big", "1000"]));
    assert_eq!(rest.len(), 10);
    let mut all: Vec<String> = first.into_iter().chain(second).chain(rest).collect();
    all.sort();
    let mut want = members.clone();
    want.sort();
    assert_eq!(all, want);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["SPOP", "nokey", "5"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["SPOP", "nokey", "-1"]), R::err("ERR value is out of range, must be positive"));
    // Redis's getPositiveLongFromObjectOrReply gives one message for both.
    assert_eq!(c.cmd(&["SPOP", "nokey", "x"]), R::err("ERR value is out of range, must be positive"));
    assert_eq!(c.cmd(&["SPOP", "nokey", "99999999999999999999"]), R::err("ERR value is out of range, must be positive"));
    assert_eq!(c.cmd(&["SPOP", "nokey", "1", "2"]), R::err("ERR syntax error"));
}

#[test]
fn srandmember_counts_and_distribution() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SRANDMEMBER", "nokey"]), R::Nil);
    assert_eq!(c.cmd(&["SRANDMEMBER", "nokey", "5"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["SRANDMEMBER", "nokey", "-5"]), R::Array(vec![]));
    c.cmd(&["SADD", "myset", "a", "b", "c"]);
    // SRANDMEMBER count of 0 is handled correctly.
    assert_eq!(c.cmd(&["SRANDMEMBER", "myset", "0"]), R::Array(vec![]));
    // Count overflow.
    assert_eq!(
        c.cmd(&["SRANDMEMBER", "myset", "-9223372036854775808"]),
        R::err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(c.cmd(&["SRANDMEMBER", "myset", "1", "2"]), R::err("ERR syntax error"));
    // Positive count: distinct members, at most the set.
    assert_eq!(sorted(c.cmd(&["SRANDMEMBER", "myset", "10"])), strs(&["a", "b", "c"]));
    let two = sorted(c.cmd(&["SRANDMEMBER", "myset", "2"]));
    assert_eq!(two.len(), 2);
    assert_ne!(two[0], two[1]);
    // Negative count: exactly -count members, repeats allowed.
    let many = sorted(c.cmd(&["SRANDMEMBER", "myset", "-100"]));
    assert_eq!(many.len(), 100);
    assert!(many.iter().all(|m| ["a", "b", "c"].contains(&m.as_str())));
    // Nothing was removed.
    assert_eq!(c.cmd(&["SCARD", "myset"]), R::Int(3));
    // SRANDMEMBER histogram distribution: every member drawn about equally.
    let members: Vec<String> = (0..50).map(|i| i.to_string()).collect();
    let mut args = vec!["SADD", "hist"];
    args.extend(members.iter().map(|s| s.as_str()));
    c.cmd(&args);
    let mut hist: HashMap<String, u32> = HashMap::new();
    for m in sorted(c.cmd(&["SRANDMEMBER", "hist", "-10000"])) {
        *hist.entry(m).or_default() += 1;
    }
    assert_eq!(hist.len(), 50);
    let expected = 10000.0 / 50.0;
    let chi: f64 = hist.values().map(|&o| (o as f64 - expected).powi(2) / expected).sum();
    assert!(chi < 100.0, "chi-square {chi}");
}

#[test]
fn smove_cases() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SADD", "myset1", "1", "a", "b"]);
    c.cmd(&["SADD", "myset2", "2", "3", "4"]);
    // SMOVE basics.
    assert_eq!(c.cmd(&["SMOVE", "myset1", "myset2", "a"]), R::Int(1));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "myset1"])), strs(&["1", "b"]));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "myset2"])), strs(&["2", "3", "4", "a"]));
    // Non existing member.
    assert_eq!(c.cmd(&["SMOVE", "myset1", "myset2", "foo"]), R::Int(0));
    // Non existing src set: 0, even with a wrong-type destination.
    c.cmd(&["SET", "x", "10"]);
    assert_eq!(c.cmd(&["SMOVE", "noset", "myset2", "foo"]), R::Int(0));
    assert_eq!(c.cmd(&["SMOVE", "noset", "x", "foo"]), R::Int(0));
    // Moving the last member removes the source and creates the destination.
    assert_eq!(c.cmd(&["SMOVE", "myset1", "myset3", "1"]), R::Int(1));
    assert_eq!(c.cmd(&["SMOVE", "myset1", "myset3", "b"]), R::Int(1));
    assert_eq!(c.cmd(&["SCARD", "myset1"]), R::Int(0));
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "myset3"])), strs(&["1", "b"]));
    // Wrong src / dst key type.
    assert_eq!(c.cmd(&["SMOVE", "x", "myset2", "foo"]), wrongtype());
    assert_eq!(c.cmd(&["SMOVE", "myset2", "x", "foo"]), wrongtype());
    // Identical source and destination.
    assert_eq!(c.cmd(&["SMOVE", "myset2", "myset2", "a"]), R::Int(1));
    assert_eq!(c.cmd(&["SMOVE", "myset2", "myset2", "zz"]), R::Int(0));
    assert_eq!(c.cmd(&["SCARD", "myset2"]), R::Int(4));
    // A member already in the destination.
    c.cmd(&["SADD", "myset3", "2"]);
    assert_eq!(c.cmd(&["SMOVE", "myset2", "myset3", "2"]), R::Int(1));
    assert_eq!(c.cmd(&["SCARD", "myset3"]), R::Int(3));
}

/// Runs a full SSCAN iteration and returns every member seen and the number of calls.
fn sscan_all(c: &mut Raw, key: &str, extra: &[&str]) -> (Vec<String>, usize) {
    let mut cursor = "0".to_string();
    let mut out = Vec::new();
    let mut calls = 0;
    loop {
        let mut args = vec!["SSCAN", key, &cursor];
        args.extend_from_slice(extra);
        let R::Array(parts) = c.cmd(&args) else { panic!("bad SSCAN reply") };
        calls += 1;
        let R::Bulk(next) = &parts[0] else { panic!() };
        out.extend(sorted(parts[1].clone()));
        cursor = String::from_utf8(next.clone()).unwrap();
        if cursor == "0" {
            break;
        }
        assert!(calls < 10_000);
    }
    (out, calls)
}

#[test]
fn sscan_with_cursor_match_and_count() {
    let s = Server::start();
    let mut c = s.raw();
    let members: Vec<String> = (0..1000).map(|i| format!("ele:{i}")).collect();
    for chunk in members.chunks(100) {
        let mut args = vec!["SADD", "set"];
        args.extend(chunk.iter().map(|s| s.as_str()));
        c.cmd(&args);
    }
    // SSCAN basic: every member, each once here.
    let (mut seen, calls) = sscan_all(&mut c, "set", &[]);
    assert!(calls > 1);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 1000);
    // COUNT: bigger pages, fewer calls.
    let (seen, calls) = sscan_all(&mut c, "set", &["COUNT", "100"]);
    assert_eq!(seen.len(), 1000);
    assert!(calls <= 11, "{calls} calls");
    // MATCH.
    let (seen, _) = sscan_all(&mut c, "set", &["MATCH", "ele:1??", "COUNT", "50"]);
    assert_eq!(seen.len(), 100);
    assert!(seen.iter().all(|m| m.starts_with("ele:1") && m.len() == 7));
    // Errors and the missing key.
    assert_eq!(c.cmd(&["SSCAN", "set", "abc"]), R::err("ERR invalid cursor"));
    assert_eq!(c.cmd(&["SSCAN", "set", "0", "COUNT", "0"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SSCAN", "set", "0", "COUNT", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["SSCAN", "set", "0", "FOO", "x"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SSCAN", "nokey", "0"]), R::Array(vec![R::bulk("0"), R::Array(vec![])]));
}

#[test]
fn sscan_guarantees_under_write_load() {
    // Members present for the whole iteration are returned even while others come and go.
    let s = Server::start();
    let mut c = s.raw();
    let mut w = s.raw();
    for i in 0..500 {
        c.cmd(&["SADD", "set", &format!("keep:{i:03}")]);
    }
    let mut cursor = "0".to_string();
    let mut seen = BTreeSet::new();
    let mut round = 0;
    loop {
        let R::Array(parts) = c.cmd(&["SSCAN", "set", &cursor, "COUNT", "20"]) else { panic!() };
        for m in sorted(parts[1].clone()) {
            seen.insert(m);
        }
        let R::Bulk(next) = &parts[0] else { panic!() };
        cursor = String::from_utf8(next.clone()).unwrap();
        // Churn: add and remove other members all over the key space.
        w.cmd(&["SADD", "set", &format!("a-tmp:{round}"), &format!("z-tmp:{round}"), &format!("keep:{round:03}x")]);
        if round > 0 {
            w.cmd(&["SREM", "set", &format!("a-tmp:{}", round - 1), &format!("keep:{:03}x", round - 1)]);
        }
        round += 1;
        if cursor == "0" {
            break;
        }
    }
    for i in 0..500 {
        assert!(seen.contains(&format!("keep:{i:03}")), "keep:{i:03} missing");
    }
}

#[test]
fn sets_survive_restart_and_kill9_with_ttls() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    let mut c = s.raw();
    c.cmd(&["SADD", "s1", "a", "b", "c"]);
    c.cmd(&["SADD", "s2", "x"]);
    c.cmd(&["SADD", "s3", "gone"]);
    c.cmd(&["SREM", "s3", "gone"]);
    let has_ttl = !matches!(c.cmd(&["PEXPIRE", "s2", "1000000"]), R::Error(_));
    drop(c);
    s.restart();
    let mut c = s.raw();
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "s1"])), strs(&["a", "b", "c"]));
    assert_eq!(c.cmd(&["SCARD", "s3"]), R::Int(0));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(2));
    c.cmd(&["SADD", "s1", "d"]);
    c.cmd(&["SREM", "s1", "a"]);
    drop(c);
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(sorted(c.cmd(&["SMEMBERS", "s1"])), strs(&["b", "c", "d"]));
    assert_eq!(c.cmd(&["SMEMBERS", "s2"]), bulks(&["x"]));
    if has_ttl {
        let R::Int(ttl) = c.cmd(&["PTTL", "s2"]) else { panic!("PTTL") };
        assert!(ttl > 900_000 && ttl <= 1_000_000, "ttl {ttl}");
    } else {
        eprintln!("PEXPIRE not available in this build: TTL part skipped");
    }
}

#[test]
fn sets_via_redis_cli_and_redis_crate() {
    let s = Server::start();
    assert_eq!(s.cli(&["SADD", "k", "a", "b"]).trim(), "2");
    let mut conn = s.client();
    let members: BTreeSet<String> = redis::cmd("SMEMBERS").arg("k").query(&mut conn).unwrap();
    assert_eq!(members.into_iter().collect::<Vec<_>>(), vec!["a".to_string(), "b".to_string()]);
    let is: bool = redis::cmd("SISMEMBER").arg("k").arg("a").query(&mut conn).unwrap();
    assert!(is);
}

#[test]
fn scan_family_cursors_parse_as_redis_and_small_collections_come_whole() {
    // Redis parses every SCAN-family cursor with strtoul: a sign is allowed, -N wraps,
    // the empty string is 0; surrounding junk is refused.
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SADD", "s", "a", "b", "c"]);
    c.cmd(&["ZADD", "z", "1", "a", "2", "b"]);
    c.cmd(&["HSET", "h", "f", "v"]);
    let whole = |c: &mut Raw, args: &[&str]| -> (String, usize) {
        let R::Array(parts) = c.cmd(args) else { panic!("{args:?}") };
        let R::Bulk(cursor) = &parts[0] else { panic!() };
        let R::Array(items) = &parts[1] else { panic!() };
        (String::from_utf8(cursor.clone()).unwrap(), items.len())
    };
    for cursor in ["0", "", "+0", "-0"] {
        assert_eq!(whole(&mut c, &["SSCAN", "s", cursor, "COUNT", "1"]), ("0".into(), 3), "SSCAN {cursor:?}");
        assert_eq!(whole(&mut c, &["ZSCAN", "z", cursor, "COUNT", "1"]), ("0".into(), 4), "ZSCAN {cursor:?}");
        assert_eq!(whole(&mut c, &["HSCAN", "h", cursor]), ("0".into(), 2), "HSCAN {cursor:?}");
        assert_eq!(whole(&mut c, &["SCAN", cursor, "COUNT", "100"]).0, "0", "SCAN {cursor:?}");
    }
    for cmd in ["SSCAN", "ZSCAN", "HSCAN"] {
        let key = &cmd[..1].to_lowercase();
        // A cursor the server never handed out skips that many elements; past the end
        // the iteration is over.
        assert_eq!(whole(&mut c, &[cmd, key, "-1"]), ("0".into(), 0), "{cmd}");
        assert_eq!(whole(&mut c, &[cmd, key, "+7"]), ("0".into(), 0), "{cmd}");
        for bad in [" 1", "1 ", "0x10", "-", "18446744073709551616", "-18446744073709551616"] {
            assert_eq!(c.cmd(&[cmd, key, bad]), R::err("ERR invalid cursor"), "{cmd} {bad:?}");
        }
    }
    assert_eq!(c.cmd(&["SCAN", " 1"]), R::err("ERR invalid cursor"));
    // NOVALUES belongs to HSCAN alone.
    assert_eq!(c.cmd(&["SSCAN", "s", "0", "NOVALUES"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["ZSCAN", "z", "0", "NOVALUES"]), R::err("ERR syntax error"));
}

#[test]
fn random_picks_from_a_big_set_cover_every_member_about_evenly() {
    // Big enough for a seek index (types::sample): the picks go through it.
    let s = Server::start();
    let mut c = s.raw();
    let n = 5000;
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut args = vec!["SADD".to_string(), "big".into()];
        let mut hset = vec!["HSET".to_string(), "h".into()];
        let mut zadd = vec!["ZADD".to_string(), "z".into()];
        for i in chunk {
            args.push(format!("m{i}"));
            hset.extend([format!("m{i}"), "v".into()]);
            zadd.extend([i.to_string(), format!("m{i}")]);
        }
        for cmd in [args, hset, zadd] {
            let refs: Vec<&str> = cmd.iter().map(String::as_str).collect();
            c.cmd(&refs);
        }
    }
    for key_cmd in [["SRANDMEMBER", "big"], ["HRANDFIELD", "h"], ["ZRANDMEMBER", "z"]] {
        let R::Array(picks) = c.cmd(&[key_cmd[0], key_cmd[1], "-100000"]) else { panic!("{key_cmd:?}") };
        assert_eq!(picks.len(), 100_000);
        let mut counts = std::collections::HashMap::new();
        for p in picks {
            let R::Bulk(m) = p else { panic!() };
            *counts.entry(m).or_insert(0u32) += 1;
        }
        // 20 expected per member: every member drawn, none far too often.
        assert_eq!(counts.len(), n, "{key_cmd:?}: members never picked");
        assert!(counts.values().all(|&k| k <= 60), "{key_cmd:?}: uneven picks");
    }
    // SPOP drains the set through the same picks, each member once.
    let mut seen = BTreeSet::new();
    while let R::Array(popped) = c.cmd(&["SPOP", "big", "700"]) {
        if popped.is_empty() {
            break;
        }
        for p in popped {
            let R::Bulk(m) = p else { panic!() };
            assert!(seen.insert(m), "a member was popped twice");
        }
    }
    assert_eq!(seen.len(), n);
    assert_eq!(c.cmd(&["EXISTS", "big"]), R::Int(0));
}
