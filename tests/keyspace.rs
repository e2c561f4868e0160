//! Keyspace commands against the real server, after Redis's tests/unit/keyspace.tcl,
//! expire.tcl, dump.tcl, scan.tcl and other_tests: DEL, EXISTS, TYPE, the EXPIRE and TTL
//! families, PERSIST, KEYS, SCAN, RANDOMKEY, RENAME, COPY, MOVE, SWAPDB, TOUCH, OBJECT,
//! DUMP and RESTORE, on strings and on every collection type.

mod common;
use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::*;

fn int(r: R) -> i64 {
    match r {
        R::Int(i) => i,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn bulk(r: R) -> Vec<u8> {
    match r {
        R::Bulk(b) => b,
        other => panic!("expected a bulk string, got {other:?}"),
    }
}

fn strings(r: R) -> Vec<String> {
    match r {
        R::Array(items) => items.into_iter().map(|i| String::from_utf8(bulk(i)).unwrap()).collect(),
        other => panic!("expected an array, got {other:?}"),
    }
}

fn sorted(r: R) -> Vec<String> {
    let mut v = strings(r);
    v.sort();
    v
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn ok(c: &mut Raw, args: &[&str]) {
    let r = c.cmd(args);
    assert!(!matches!(r, R::Error(_)), "{args:?} -> {r:?}");
}

/// Whether the server has a command yet (collection commands come with their own group);
/// tests of collections skip themselves until it does.
fn has(c: &mut Raw, name: &str) -> bool {
    match c.cmd(&["COMMAND", "INFO", name]) {
        R::Array(items) => items.first().is_some_and(|i| *i != R::Nil),
        // Without COMMAND INFO, try the command itself with no arguments.
        _ => !matches!(c.cmd(&[name]), R::Error(e) if e.starts_with("ERR unknown command")),
    }
}

/// SCANs to the end; returns every key seen and how many calls it took.
fn scan_all(c: &mut Raw, extra: &[&str]) -> (Vec<String>, usize) {
    let mut cursor = "0".to_string();
    let mut keys = Vec::new();
    let mut calls = 0;
    loop {
        let mut args = vec!["SCAN", cursor.as_str()];
        args.extend_from_slice(extra);
        let R::Array(mut parts) = c.cmd(&args) else { panic!("scan reply") };
        calls += 1;
        let page = parts.pop().unwrap();
        cursor = String::from_utf8(bulk(parts.pop().unwrap())).unwrap();
        keys.extend(strings(page));
        if cursor == "0" {
            return (keys, calls);
        }
        assert!(calls < 100_000, "scan does not terminate");
    }
}

fn populate(c: &mut Raw, n: usize) {
    let mut payload = Vec::new();
    for i in 0..n {
        payload.extend(encode(&["SET", &format!("key:{i}"), &format!("value:{i}")]));
    }
    c.send(&payload);
    for _ in 0..n {
        assert_eq!(c.read(), R::ok());
    }
}

// ----- DEL, EXISTS, TYPE, TOUCH -----

#[test]
fn del_against_a_single_item_and_multiple_keys() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "x", "foo"]);
    assert_eq!(c.cmd(&["DEL", "x"]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "x"]), R::Nil);
    for k in ["foo1", "foo2", "foo3"] {
        ok(&mut c, &["SET", k, "a"]);
    }
    assert_eq!(c.cmd(&["DEL", "foo1", "foo2", "foo3", "foo4"]), R::Int(3));
    assert_eq!(c.cmd(&["UNLINK", "foo1", "nope"]), R::Int(0));
    ok(&mut c, &["SET", "u", "1"]);
    assert_eq!(c.cmd(&["UNLINK", "u", "u"]), R::Int(1));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
}

#[test]
fn exists_counts_each_named_key() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["EXISTS", "newkey"]), R::Int(0));
    ok(&mut c, &["SET", "newkey", "test"]);
    assert_eq!(c.cmd(&["EXISTS", "newkey"]), R::Int(1));
    assert_eq!(c.cmd(&["EXISTS", "newkey", "newkey", "other"]), R::Int(2));
    assert_eq!(c.cmd(&["TOUCH", "newkey", "other", "newkey"]), R::Int(2));
    c.cmd(&["DEL", "newkey"]);
    assert_eq!(c.cmd(&["EXISTS", "newkey"]), R::Int(0));
    assert_eq!(c.cmd(&["EXISTS"]), R::err("ERR wrong number of arguments for 'exists' command"));
}

#[test]
fn type_of_strings_and_missing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "s", "v"]);
    assert_eq!(c.cmd(&["TYPE", "s"]), R::Status("string".into()));
    assert_eq!(c.cmd(&["TYPE", "missing"]), R::Status("none".into()));
}

// ----- EXPIRE family, TTL family, PERSIST -----

#[test]
fn expire_set_timeouts_multiple_times() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "x", "foobar"]);
    assert_eq!(c.cmd(&["EXPIRE", "x", "5"]), R::Int(1));
    assert!((4..=5).contains(&int(c.cmd(&["TTL", "x"]))));
    assert_eq!(c.cmd(&["EXPIRE", "x", "10"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "x"]), R::Int(10));
    assert_eq!(c.cmd(&["GET", "x"]), R::bulk("foobar"));
    assert_eq!(c.cmd(&["EXPIRE", "missing", "10"]), R::Int(0));
}

#[test]
fn pexpire_sets_sub_second_expires_and_keys_vanish() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "x", "somevalue"]);
    assert_eq!(c.cmd(&["PEXPIRE", "x", "150"]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "x"]), R::bulk("somevalue"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(c.cmd(&["GET", "x"]), R::Nil);
    assert_eq!(c.cmd(&["EXISTS", "x"]), R::Int(0));

    ok(&mut c, &["SET", "y", "somevalue"]);
    let at = now_ms() + 200;
    assert_eq!(c.cmd(&["PEXPIREAT", "y", &at.to_string()]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "y"]), R::bulk("somevalue"));
    std::thread::sleep(Duration::from_millis(350));
    assert_eq!(c.cmd(&["GET", "y"]), R::Nil);
}

#[test]
fn expireat_behaves_like_expire() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "x", "foo"]);
    let at = now_ms() / 1000 + 15;
    assert_eq!(c.cmd(&["EXPIREAT", "x", &at.to_string()]), R::Int(1));
    assert!((13..=15).contains(&int(c.cmd(&["TTL", "x"]))));
    assert_eq!(c.cmd(&["EXPIRETIME", "x"]), R::Int(at));
    assert_eq!(c.cmd(&["PEXPIRETIME", "x"]), R::Int(at * 1000));
}

#[test]
fn ttl_family_reports_missing_and_persistent_keys() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "x", "hello"]);
    for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        assert_eq!(c.cmd(&[cmd, "x"]), R::Int(-1), "{cmd}");
        assert_eq!(c.cmd(&[cmd, "nokey"]), R::Int(-2), "{cmd}");
    }
    assert_eq!(c.cmd(&["PEXPIRE", "x", "1000"]), R::Int(1));
    let pttl = int(c.cmd(&["PTTL", "x"]));
    assert!(pttl > 900 && pttl <= 1000, "{pttl}");
    assert_eq!(c.cmd(&["TTL", "x"]), R::Int(1));
}

#[test]
fn a_deadline_not_in_the_future_deletes_the_key() {
    let s = Server::start();
    let mut c = s.raw();
    for (cmd, when) in [("EXPIRE", "-1"), ("PEXPIRE", "0"), ("EXPIREAT", "0"), ("PEXPIREAT", "1")] {
        ok(&mut c, &["SET", "k", "v"]);
        assert_eq!(c.cmd(&[cmd, "k", when]), R::Int(1), "{cmd}");
        assert_eq!(c.cmd(&["EXISTS", "k"]), R::Int(0), "{cmd}");
    }
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    // PEXPIREAT with a big negative integer works (the key is gone).
    ok(&mut c, &["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["PEXPIREAT", "foo", "-9223372036854770000"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "foo"]), R::Int(-2));
}

#[test]
fn expire_overflow_and_bad_arguments_are_errors() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["EXPIRE", "foo", ""]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "10000000000000000"]), R::err("ERR invalid expire time in 'expire' command"));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "-9999999999999999"]), R::err("ERR invalid expire time in 'expire' command"));
    assert_eq!(c.cmd(&["TTL", "foo"]), R::Int(-1));
    assert_eq!(
        c.cmd(&["PEXPIRE", "foo", "9223372036854770000"]),
        R::err("ERR invalid expire time in 'pexpire' command")
    );
    assert_eq!(
        c.cmd(&["EXPIREAT", "foo", "9223372036854775807"]),
        R::err("ERR invalid expire time in 'expireat' command")
    );
    // PEXPIREAT with a big integer works.
    assert_eq!(c.cmd(&["PEXPIREAT", "foo", "9223372036854770000"]), R::Int(1));
    assert_eq!(c.cmd(&["PEXPIRETIME", "foo"]), R::Int(9223372036854770000));
    // The last possible deadline: EXPIRETIME rounds it to seconds without overflowing,
    // as redis-server 7.0 answers.
    assert_eq!(c.cmd(&["PEXPIREAT", "foo", "9223372036854775807"]), R::Int(1));
    assert_eq!(c.cmd(&["EXPIRETIME", "foo"]), R::Int(9223372036854776));
    assert_eq!(c.cmd(&["PEXPIRETIME", "foo"]), R::Int(i64::MAX));
    assert!(int(c.cmd(&["TTL", "foo"])) > 9_000_000_000_000_000);
}

#[test]
fn expire_nx_xx_gt_lt_options() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "foo", "bar"]);
    // NX: only without a TTL.
    assert_eq!(c.cmd(&["EXPIRE", "foo", "200", "NX"]), R::Int(1));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "100", "nx"]), R::Int(0));
    assert!((199..=200).contains(&int(c.cmd(&["TTL", "foo"]))));
    // XX: only with a TTL.
    assert_eq!(c.cmd(&["EXPIRE", "foo", "100", "XX"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "foo"]), R::Int(100));
    // GT / LT against the current deadline.
    assert_eq!(c.cmd(&["EXPIRE", "foo", "50", "GT"]), R::Int(0));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "200", "GT"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "foo"]), R::Int(200));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "300", "LT"]), R::Int(0));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "100", "LT"]), R::Int(1));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "50", "XX", "GT"]), R::Int(0));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "150", "XX", "GT"]), R::Int(1));
    // No TTL counts as infinite: GT never applies, LT always does.
    ok(&mut c, &["SET", "bar", "x"]);
    assert_eq!(c.cmd(&["EXPIRE", "bar", "100", "GT"]), R::Int(0));
    assert_eq!(c.cmd(&["TTL", "bar"]), R::Int(-1));
    assert_eq!(c.cmd(&["EXPIRE", "bar", "100", "XX"]), R::Int(0));
    assert_eq!(c.cmd(&["EXPIRE", "bar", "100", "LT"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "bar"]), R::Int(100));
    // Option checks come before the key is looked up.
    assert_eq!(
        c.cmd(&["EXPIRE", "nokey", "100", "NX", "XX"]),
        R::err("ERR NX and XX, GT or LT options at the same time are not compatible")
    );
    assert_eq!(
        c.cmd(&["PEXPIRE", "foo", "100", "NX", "GT"]),
        R::err("ERR NX and XX, GT or LT options at the same time are not compatible")
    );
    assert_eq!(
        c.cmd(&["EXPIREAT", "foo", "100", "GT", "LT"]),
        R::err("ERR GT and LT options at the same time are not compatible")
    );
    assert_eq!(c.cmd(&["EXPIRE", "foo", "100", "AB"]), R::err("ERR Unsupported option AB"));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "abc", "AB"]), R::err("ERR Unsupported option AB"));
}

#[test]
fn persist_can_undo_an_expire() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "x", "foo"]);
    c.cmd(&["EXPIRE", "x", "50"]);
    assert_eq!(c.cmd(&["TTL", "x"]), R::Int(50));
    assert_eq!(c.cmd(&["PERSIST", "x"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "x"]), R::Int(-1));
    assert_eq!(c.cmd(&["GET", "x"]), R::bulk("foo"));
    // PERSIST returns 0 against non existing or non volatile keys.
    assert_eq!(c.cmd(&["PERSIST", "x"]), R::Int(0));
    assert_eq!(c.cmd(&["PERSIST", "nokeyatall"]), R::Int(0));
}

#[test]
fn expire_should_not_resurrect_keys() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "foo", "bar"]);
    c.cmd(&["PEXPIRE", "foo", "100"]);
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(c.cmd(&["EXPIRE", "foo", "10"]), R::Int(0));
    assert_eq!(c.cmd(&["EXISTS", "foo"]), R::Int(0));
}

#[test]
fn redis_should_actively_expire_keys_and_keep_dbsize_right() {
    let s = Server::start();
    let mut c = s.raw();
    for i in 0..300 {
        ok(&mut c, &["SET", &format!("vol:{i}"), "a"]);
        assert_eq!(c.cmd(&["PEXPIRE", &format!("vol:{i}"), "300"]), R::Int(1));
    }
    ok(&mut c, &["SET", "keep", "b"]);
    ok(&mut c, &["SET", "later", "c"]);
    c.cmd(&["EXPIRE", "later", "1000"]);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(302));
    // Nobody reads the volatile keys: only the active cycle can remove them.
    let deadline = Instant::now() + Duration::from_secs(10);
    while int(c.cmd(&["DBSIZE"])) != 2 {
        assert!(Instant::now() < deadline, "keys did not actively expire: {:?}", c.cmd(&["DBSIZE"]));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(sorted(c.cmd(&["KEYS", "*"])), vec!["keep", "later"]);
    if let R::Bulk(info) = c.cmd(&["INFO", "keyspace"]) {
        let info = String::from_utf8(info).unwrap();
        assert!(info.contains("db0:keys=2,expires=1"), "{info}");
    }
}

#[test]
fn ttls_survive_a_restart() {
    let mut s = Server::start();
    {
        let mut c = s.raw();
        ok(&mut c, &["SET", "a", "1"]);
        ok(&mut c, &["SET", "b", "2"]);
        ok(&mut c, &["SET", "gone", "3"]);
        c.cmd(&["EXPIRE", "a", "100"]);
        c.cmd(&["PEXPIRE", "gone", "200"]);
        c.cmd(&["SELECT", "3"]);
        ok(&mut c, &["SET", "c", "3"]);
        c.cmd(&["PEXPIREAT", "c", &(now_ms() + 500_000).to_string()]);
    }
    let at = {
        let mut c = s.raw();
        int(c.cmd(&["PEXPIRETIME", "a"]))
    };
    std::thread::sleep(Duration::from_millis(300));
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["PEXPIRETIME", "a"]), R::Int(at));
    assert!((95..=100).contains(&int(c.cmd(&["TTL", "a"]))));
    assert_eq!(c.cmd(&["TTL", "b"]), R::Int(-1));
    assert_eq!(c.cmd(&["EXISTS", "gone"]), R::Int(0));
    c.cmd(&["SELECT", "3"]);
    assert!((490..=500).contains(&int(c.cmd(&["TTL", "c"]))));
    c.cmd(&["SELECT", "0"]);
    // Counters came back right too.
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(2));
}

// ----- KEYS, SCAN, RANDOMKEY -----

#[test]
fn keys_with_patterns() {
    let s = Server::start();
    let mut c = s.raw();
    for k in ["key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"] {
        ok(&mut c, &["SET", k, "hello"]);
    }
    assert_eq!(sorted(c.cmd(&["KEYS", "foo*"])), vec!["foo_a", "foo_b", "foo_c"]);
    assert_eq!(sorted(c.cmd(&["KEYS", "*"])), vec!["foo_a", "foo_b", "foo_c", "key_x", "key_y", "key_z"]);
    assert_eq!(sorted(c.cmd(&["KEYS", "*_[ab]"])), vec!["foo_a", "foo_b"]);
    assert_eq!(sorted(c.cmd(&["KEYS", "key_?"])), vec!["key_x", "key_y", "key_z"]);
    assert_eq!(sorted(c.cmd(&["KEYS", "nomatch*"])), Vec::<String>::new());
    // Expired keys are not listed.
    c.cmd(&["PEXPIRE", "foo_a", "1"]);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(sorted(c.cmd(&["KEYS", "foo*"])), vec!["foo_b", "foo_c"]);
    // Databases are apart.
    c.cmd(&["SELECT", "1"]);
    assert_eq!(sorted(c.cmd(&["KEYS", "*"])), Vec::<String>::new());
}

#[test]
fn scan_basic_count_and_match() {
    let s = Server::start();
    let mut c = s.raw();
    populate(&mut c, 1000);
    let (keys, calls) = scan_all(&mut c, &[]);
    assert_eq!(keys.len(), 1000, "no duplicates on a quiet database");
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), 1000);
    assert!(calls >= 100, "COUNT defaults to 10: {calls} calls");
    let (keys, calls) = scan_all(&mut c, &["COUNT", "5"]);
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), 1000);
    assert!(calls >= 200);
    let (keys, _) = scan_all(&mut c, &["MATCH", "key:1??"]);
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), 100);
    let (keys, _) = scan_all(&mut c, &["COUNT", "1000000", "MATCH", "*:99*"]);
    assert_eq!(keys.len(), 11);
}

#[test]
fn scan_type_filter_and_unknown_type() {
    let s = Server::start();
    let mut c = s.raw();
    populate(&mut c, 1000);
    assert_eq!(scan_all(&mut c, &["TYPE", "list"]).0.len(), 0);
    assert_eq!(scan_all(&mut c, &["TYPE", "string"]).0.len(), 1000);
    assert_eq!(scan_all(&mut c, &["TYPE", "STRING", "MATCH", "key:*", "COUNT", "10"]).0.len(), 1000);
    assert_eq!(scan_all(&mut c, &["TYPE", "string1"]).0.len(), 0);
}

#[test]
fn scan_skips_expired_keys() {
    let s = Server::start();
    let mut c = s.raw();
    populate(&mut c, 100);
    ok(&mut c, &["SET", "foo", "bar"]);
    c.cmd(&["PEXPIRE", "foo", "1"]);
    std::thread::sleep(Duration::from_millis(10));
    let (keys, _) = scan_all(&mut c, &["COUNT", "10"]);
    assert_eq!(keys.len(), 100);
    assert!(!keys.contains(&"foo".to_string()));
}

#[test]
fn scan_guarantees_check_under_write_load() {
    let s = Server::start();
    let mut c = s.raw();
    populate(&mut c, 100);
    let mut cursor = "0".to_string();
    let mut seen = BTreeSet::new();
    let mut n = 0;
    loop {
        let R::Array(mut parts) = c.cmd(&["SCAN", &cursor]) else { panic!() };
        let page = strings(parts.pop().unwrap());
        cursor = String::from_utf8(bulk(parts.pop().unwrap())).unwrap();
        seen.extend(page);
        if cursor == "0" {
            break;
        }
        // Write 10 random keys, and delete some, at every SCAN iteration.
        for _ in 0..10 {
            n += 1;
            ok(&mut c, &["SET", &format!("addedkey:{}", fastrand_u(1000)), "foo"]);
            ok(&mut c, &["SET", &format!("a:{n}"), "foo"]);
            c.cmd(&["DEL", &format!("addedkey:{}", fastrand_u(1000))]);
        }
    }
    let originals = seen.iter().filter(|k| k.starts_with("key:")).count();
    assert_eq!(originals, 100);
}

fn fastrand_u(n: u64) -> u64 {
    (SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos() as u64 * 2654435761) % n
}

#[test]
fn scan_errors() {
    let s = Server::start();
    let mut c = s.raw();
    populate(&mut c, 30);
    assert_eq!(c.cmd(&["SCAN", "abc"]), R::err("ERR invalid cursor"));
    assert_eq!(c.cmd(&["SCAN", "-1"]), R::err("ERR invalid cursor"));
    assert_eq!(c.cmd(&["SCAN", "0", "COUNT", "0"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SCAN", "0", "COUNT", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["SCAN", "0", "MATCH"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SCAN", "0", "FOO", "bar"]), R::err("ERR syntax error"));
    // A cursor the server never gave is refused, not silently restarted.
    assert_eq!(c.cmd(&["SCAN", "12345"]), R::err("ERR invalid cursor"));
    // A cursor stays valid across calls and clients.
    let R::Array(parts) = c.cmd(&["SCAN", "0", "COUNT", "10"]) else { panic!() };
    let cursor = String::from_utf8(bulk(parts[0].clone())).unwrap();
    let mut other = s.raw();
    let R::Array(parts) = other.cmd(&["SCAN", &cursor, "COUNT", "100"]) else { panic!() };
    assert_eq!(parts[0], R::bulk("0"));
    assert_eq!(strings(parts[1].clone()).len(), 20);
}

#[test]
fn randomkey_against_empty_and_populated_databases() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["RANDOMKEY"]), R::Nil);
    ok(&mut c, &["SET", "foo", "x"]);
    assert_eq!(c.cmd(&["RANDOMKEY"]), R::bulk("foo"));
    ok(&mut c, &["SET", "bar", "y"]);
    let mut seen = BTreeSet::new();
    for _ in 0..100 {
        seen.insert(String::from_utf8(bulk(c.cmd(&["RANDOMKEY"]))).unwrap());
    }
    assert_eq!(seen, ["bar", "foo"].iter().map(|s| s.to_string()).collect());
    populate(&mut c, 50);
    let mut seen = BTreeSet::new();
    for _ in 0..2000 {
        seen.insert(String::from_utf8(bulk(c.cmd(&["RANDOMKEY"]))).unwrap());
    }
    assert!(seen.len() > 30, "RANDOMKEY should spread: {} distinct", seen.len());
    // Expired keys are never returned.
    c.cmd(&["SELECT", "2"]);
    ok(&mut c, &["SET", "dead", "x"]);
    c.cmd(&["PEXPIRE", "dead", "1"]);
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(c.cmd(&["RANDOMKEY"]), R::Nil);
}

// ----- RENAME, COPY, MOVE, SWAPDB -----

#[test]
fn rename_basic_usage_and_ttl() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "mykey", "hello"]);
    assert_eq!(c.cmd(&["RENAME", "mykey", "mykey1"]), R::ok());
    assert_eq!(c.cmd(&["RENAME", "mykey1", "mykey2"]), R::ok());
    assert_eq!(c.cmd(&["GET", "mykey2"]), R::bulk("hello"));
    assert_eq!(c.cmd(&["EXISTS", "mykey", "mykey1"]), R::Int(0));
    // Source key should no longer exist; target overwritten.
    ok(&mut c, &["SET", "mykey", "a"]);
    assert_eq!(c.cmd(&["RENAME", "mykey", "mykey2"]), R::ok());
    assert_eq!(c.cmd(&["GET", "mykey2"]), R::bulk("a"));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    // RENAME with volatile key, should move the TTL as well.
    c.cmd(&["EXPIRE", "mykey2", "100"]);
    assert_eq!(c.cmd(&["RENAME", "mykey2", "dst"]), R::ok());
    assert_eq!(c.cmd(&["TTL", "dst"]), R::Int(100));
    // RENAME against a volatile target: the TTL of the source (none) wins.
    ok(&mut c, &["SET", "plain", "p"]);
    assert_eq!(c.cmd(&["RENAME", "plain", "dst"]), R::ok());
    assert_eq!(c.cmd(&["TTL", "dst"]), R::Int(-1));
    // Counters followed every move.
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    if let R::Bulk(info) = c.cmd(&["INFO", "keyspace"]) {
        assert!(String::from_utf8(info).unwrap().contains("db0:keys=1,expires=0"));
    }
}

#[test]
fn rename_errors_and_same_key() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["RENAME", "nokey", "foobar"]), R::err("ERR no such key"));
    assert_eq!(c.cmd(&["RENAMENX", "nokey", "foobar"]), R::err("ERR no such key"));
    ok(&mut c, &["SET", "mykey", "a"]);
    assert_eq!(c.cmd(&["RENAME", "mykey", "mykey"]), R::ok());
    assert_eq!(c.cmd(&["RENAMENX", "mykey", "mykey"]), R::Int(0));
    assert_eq!(c.cmd(&["GET", "mykey"]), R::bulk("a"));
    ok(&mut c, &["SET", "mykey2", "b"]);
    assert_eq!(c.cmd(&["RENAMENX", "mykey", "mykey2"]), R::Int(0));
    assert_eq!(c.cmd(&["GET", "mykey2"]), R::bulk("b"));
    assert_eq!(c.cmd(&["RENAMENX", "mykey", "fresh"]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "fresh"]), R::bulk("a"));
}

#[test]
fn copy_strings_with_ttl_replace_and_db() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "mykey", "foobar"]);
    assert_eq!(c.cmd(&["COPY", "mykey", "mynewkey"]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "mynewkey"]), R::bulk("foobar"));
    // The copy is independent.
    ok(&mut c, &["SET", "mykey", "changed"]);
    assert_eq!(c.cmd(&["GET", "mynewkey"]), R::bulk("foobar"));
    // Destination exists: 0 unless REPLACE.
    assert_eq!(c.cmd(&["COPY", "mykey", "mynewkey"]), R::Int(0));
    assert_eq!(c.cmd(&["COPY", "mykey", "mynewkey", "REPLACE"]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "mynewkey"]), R::bulk("changed"));
    // Missing source.
    assert_eq!(c.cmd(&["COPY", "nokey", "x"]), R::Int(0));
    // The TTL goes with the copy.
    c.cmd(&["EXPIRE", "mykey", "100"]);
    assert_eq!(c.cmd(&["COPY", "mykey", "vol"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "vol"]), R::Int(100));
    // To another database.
    assert_eq!(c.cmd(&["COPY", "mykey", "mykey", "DB", "9"]), R::Int(1));
    assert_eq!(c.cmd(&["COPY", "mykey", "mykey", "db", "9"]), R::Int(0));
    c.cmd(&["SELECT", "9"]);
    assert_eq!(c.cmd(&["GET", "mykey"]), R::bulk("changed"));
    assert_eq!(c.cmd(&["TTL", "mykey"]), R::Int(100));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    c.cmd(&["SELECT", "0"]);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(3));
}

#[test]
fn copy_errors() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "mykey", "v"]);
    assert_eq!(c.cmd(&["COPY", "mykey", "mykey"]), R::err("ERR source and destination objects are the same"));
    assert_eq!(c.cmd(&["COPY", "mykey", "mykey", "DB", "0"]), R::err("ERR source and destination objects are the same"));
    assert_eq!(c.cmd(&["COPY", "mykey", "x", "DB", "16"]), R::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["COPY", "mykey", "x", "DB", "-1"]), R::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["COPY", "mykey", "x", "DB", "abc"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["COPY", "mykey", "x", "DB"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["COPY", "mykey", "x", "FOO"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["COPY", "mykey"]), R::err("ERR wrong number of arguments for 'copy' command"));
}

#[test]
fn move_basic_usage_ttl_and_errors() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "mykey", "foobar"]);
    c.cmd(&["EXPIRE", "mykey", "100"]);
    assert_eq!(c.cmd(&["MOVE", "mykey", "10"]), R::Int(1));
    assert_eq!(c.cmd(&["EXISTS", "mykey"]), R::Int(0));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    c.cmd(&["SELECT", "10"]);
    assert_eq!(c.cmd(&["GET", "mykey"]), R::bulk("foobar"));
    assert_eq!(c.cmd(&["TTL", "mykey"]), R::Int(100));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    // MOVE against key existing in the target DB.
    c.cmd(&["SELECT", "0"]);
    ok(&mut c, &["SET", "mykey", "hello"]);
    assert_eq!(c.cmd(&["MOVE", "mykey", "10"]), R::Int(0));
    assert_eq!(c.cmd(&["MOVE", "nokey", "10"]), R::Int(0));
    assert_eq!(c.cmd(&["MOVE", "mykey", "0"]), R::err("ERR source and destination objects are the same"));
    assert_eq!(c.cmd(&["MOVE", "mykey", "16"]), R::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["MOVE", "mykey", "-1"]), R::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["MOVE", "mykey", "notanumber"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["MOVE", "mykey", "4294967296"]), R::err("ERR value is not an integer or out of range"));
}

#[test]
fn swapdb_swaps_databases_for_every_client() {
    let s = Server::start();
    let mut c = s.raw();
    let mut other = s.raw();
    ok(&mut c, &["SET", "in0", "zero"]);
    c.cmd(&["SELECT", "1"]);
    ok(&mut c, &["SET", "in1", "one"]);
    ok(&mut c, &["SET", "in1b", "one"]);
    assert_eq!(c.cmd(&["SWAPDB", "0", "1"]), R::ok());
    // This client stays in database 1, which now holds what 0 held.
    assert_eq!(c.cmd(&["GET", "in0"]), R::bulk("zero"));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    assert_eq!(other.cmd(&["GET", "in1"]), R::bulk("one"));
    assert_eq!(other.cmd(&["DBSIZE"]), R::Int(2));
    assert_eq!(c.cmd(&["SWAPDB", "1", "1"]), R::ok());
    assert_eq!(c.cmd(&["SWAPDB", "x", "1"]), R::err("ERR invalid first DB index"));
    assert_eq!(c.cmd(&["SWAPDB", "1", "x"]), R::err("ERR invalid second DB index"));
    assert_eq!(c.cmd(&["SWAPDB", "0", "16"]), R::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["SWAPDB", "-1", "0"]), R::err("ERR DB index is out of range"));
}

#[test]
fn swapdb_survives_a_restart() {
    let mut s = Server::start();
    {
        let mut c = s.raw();
        ok(&mut c, &["SET", "a", "0"]);
        assert_eq!(c.cmd(&["SWAPDB", "0", "5"]), R::ok());
    }
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["EXISTS", "a"]), R::Int(0));
    c.cmd(&["SELECT", "5"]);
    assert_eq!(c.cmd(&["GET", "a"]), R::bulk("0"));
}

#[test]
fn swapdb_makes_watching_transactions_fail() {
    let s = Server::start();
    let mut c = s.raw();
    let mut other = s.raw();
    ok(&mut c, &["SET", "x", "1"]);
    assert_eq!(c.cmd(&["WATCH", "x"]), R::ok());
    assert_eq!(other.cmd(&["SWAPDB", "0", "1"]), R::ok());
    c.cmd(&["MULTI"]);
    c.cmd(&["PING"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Nil);
}

#[test]
fn rename_and_move_wake_watchers() {
    let s = Server::start();
    let mut c = s.raw();
    let mut other = s.raw();
    ok(&mut c, &["SET", "src", "1"]);
    c.cmd(&["WATCH", "dst"]);
    other.cmd(&["RENAME", "src", "dst"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["PING"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Nil);
    c.cmd(&["SELECT", "4"]);
    c.cmd(&["WATCH", "dst"]);
    other.cmd(&["MOVE", "dst", "4"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["PING"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Nil);
}

// ----- OBJECT -----

#[test]
fn object_encoding_refcount_freq_idletime_help() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "int", "12345"]);
    ok(&mut c, &["SET", "small", "hello"]);
    ok(&mut c, &["SET", "big", &"x".repeat(100)]);
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "int"]), R::bulk("int"));
    assert_eq!(c.cmd(&["object", "encoding", "small"]), R::bulk("embstr"));
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "big"]), R::bulk("raw"));
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "missing"]), R::Nil);
    ok(&mut c, &["SET", "shared", "100"]);
    assert_eq!(c.cmd(&["OBJECT", "REFCOUNT", "shared"]), R::Int(2147483647));
    assert_eq!(c.cmd(&["OBJECT", "REFCOUNT", "small"]), R::Int(1));
    assert_eq!(c.cmd(&["OBJECT", "REFCOUNT", "missing"]), R::Nil);
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "small"]), R::Int(0));
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "missing"]), R::Nil);
    assert_eq!(c.cmd(&["OBJECT", "FREQ", "missing"]), R::Nil);
    assert_eq!(
        c.cmd(&["OBJECT", "FREQ", "small"]),
        R::err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
    );
    let R::Array(help) = c.cmd(&["OBJECT", "HELP"]) else { panic!() };
    assert_eq!(help[0], R::Status("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:".into()));
    assert_eq!(help.last(), Some(&R::Status("    Print this help.".into())));
    assert_eq!(c.cmd(&["OBJECT", "FOO", "x"]), R::err("ERR unknown subcommand 'FOO'. Try OBJECT HELP."));
    assert_eq!(c.cmd(&["OBJECT"]), R::err("ERR wrong number of arguments for 'object' command"));
    assert_eq!(
        c.cmd(&["OBJECT", "ENCODING"]),
        R::err("ERR wrong number of arguments for 'object|encoding' command")
    );
}

// ----- DUMP / RESTORE -----

#[test]
fn dump_restore_round_trip_with_ttl_options() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DUMP", "missing"]), R::Nil);
    ok(&mut c, &["SET", "foo", "bar"]);
    let raw = bulk(c.cmd(&["DUMP", "foo"]));
    let mut sock = s.raw();
    c.cmd(&["DEL", "foo"]);
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw]), R::ok());
    assert_eq!(c.cmd(&["GET", "foo"]), R::bulk("bar"));
    assert_eq!(c.cmd(&["TTL", "foo"]), R::Int(-1));
    // RESTORE can set an arbitrary expire to the materialized key.
    c.cmd(&["DEL", "foo"]);
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"3000", &raw]), R::ok());
    let pttl = int(c.cmd(&["PTTL", "foo"]));
    assert!((2000..=3000).contains(&pttl), "{pttl}");
    // RESTORE can set an expire that overflows a 32 bit integer.
    c.cmd(&["DEL", "foo"]);
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"2569591501", &raw]), R::ok());
    let pttl = int(c.cmd(&["PTTL", "foo"]));
    assert!((2569591501 - 3000..=2569591501).contains(&pttl), "{pttl}");
    // RESTORE can set an absolute expire.
    c.cmd(&["DEL", "foo"]);
    let at = (now_ms() + 3000).to_string();
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", at.as_bytes(), &raw, b"ABSTTL"]), R::ok());
    assert_eq!(c.cmd(&["PEXPIRETIME", "foo"]), R::Int(at.parse().unwrap()));
    // RESTORE with an absolute deadline in the past restores nothing.
    c.cmd(&["DEL", "foo"]);
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"1000", &raw, b"ABSTTL"]), R::ok());
    assert_eq!(c.cmd(&["EXISTS", "foo"]), R::Int(0));
    // BUSYKEY, then REPLACE.
    ok(&mut c, &["SET", "foo", "other"]);
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw]), R::err("BUSYKEY Target key name already exists."));
    assert_eq!(c.cmd(&["GET", "foo"]), R::bulk("other"));
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw, b"REPLACE"]), R::ok());
    assert_eq!(c.cmd(&["GET", "foo"]), R::bulk("bar"));
    // REPLACE with a past deadline deletes the old value.
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"1", &raw, b"REPLACE", b"ABSTTL"]), R::ok());
    assert_eq!(c.cmd(&["EXISTS", "foo"]), R::Int(0));
    // IDLETIME and FREQ are checked.
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw, b"IDLETIME", b"1000"]), R::ok());
    assert_eq!(
        sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw, b"REPLACE", b"IDLETIME", b"-1"]),
        R::err("ERR Invalid IDLETIME value, must be >= 0")
    );
    assert_eq!(
        sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw, b"REPLACE", b"FREQ", b"256"]),
        R::err("ERR Invalid FREQ value, must be >= 0 and <= 255")
    );
    assert_eq!(
        sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw, b"REPLACE", b"FREQ", b"10", b"IDLETIME", b"1"]),
        R::err("ERR syntax error")
    );
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw, b"REPLACE", b"FREQ", b"100"]), R::ok());
    assert_eq!(
        sock.cmd_bytes(&[b"RESTORE", b"foo", b"-1", &raw, b"REPLACE"]),
        R::err("ERR Invalid TTL value, must be >= 0")
    );
    assert_eq!(sock.cmd_bytes(&[b"RESTORE", b"foo", b"0", &raw, b"BAD"]), R::err("ERR syntax error"));
}

#[test]
fn restore_refuses_corrupt_payloads() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "foo", "bar"]);
    let raw = bulk(c.cmd(&["DUMP", "foo"]));
    let send = |c: &mut Raw, payload: &[u8]| {
        let mut out = b"*4\r\n$7\r\nRESTORE\r\n$3\r\nnew\r\n$1\r\n0\r\n".to_vec();
        out.extend(format!("${}\r\n", payload.len()).bytes());
        out.extend_from_slice(payload);
        out.extend(b"\r\n");
        c.send(&out);
        c.read()
    };
    let wrong = R::err("ERR DUMP payload version or checksum are wrong");
    assert_eq!(send(&mut c, b"garbage"), wrong);
    assert_eq!(send(&mut c, b""), wrong);
    for i in 0..raw.len() {
        let mut bad = raw.clone();
        bad[i] ^= 1;
        assert_eq!(send(&mut c, &bad), wrong, "byte {i}");
    }
    assert_eq!(send(&mut c, &raw[..raw.len() - 1]), wrong);
    assert_eq!(c.cmd(&["EXISTS", "new"]), R::Int(0));
    assert_eq!(send(&mut c, &raw), R::ok());
}

#[test]
fn dump_from_one_server_restores_into_another() {
    let a = Server::start();
    let b = Server::start();
    let mut ca = a.raw();
    let mut cb = b.raw();
    ok(&mut ca, &["SET", "k", "value with spaces and \u{e9}"]);
    let raw = bulk(ca.cmd(&["DUMP", "k"]));
    let mut out = b"*4\r\n$7\r\nRESTORE\r\n$1\r\nk\r\n$4\r\n5000\r\n".to_vec();
    out.extend(format!("${}\r\n", raw.len()).bytes());
    out.extend_from_slice(&raw);
    out.extend(b"\r\n");
    cb.send(&out);
    assert_eq!(cb.read(), R::ok());
    assert_eq!(cb.cmd(&["GET", "k"]), R::bulk("value with spaces and \u{e9}"));
    assert!(int(cb.cmd(&["PTTL", "k"])) > 4000);
}

// ----- every collection type (skipped until its commands exist) -----

/// Writes one key of each collection type the server knows; returns the keys with a
/// command that reads each back in full.
fn make_collections(c: &mut Raw) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut made = Vec::new();
    if has(c, "rpush") {
        ok(c, &["RPUSH", "list", "a", "b", "c", "1", "2"]);
        made.push(("list", vec!["LRANGE", "list", "0", "-1"]));
    }
    if has(c, "sadd") {
        ok(c, &["SADD", "set", "x", "y", "z"]);
        made.push(("set", vec!["SMEMBERS", "set"]));
    }
    if has(c, "hset") {
        ok(c, &["HSET", "hash", "f1", "v1", "f2", "v2"]);
        made.push(("hash", vec!["HGETALL", "hash"]));
    }
    if has(c, "zadd") {
        ok(c, &["ZADD", "zset", "1.5", "a", "-2", "b", "3", "c"]);
        made.push(("zset", vec!["ZRANGE", "zset", "0", "-1", "WITHSCORES"]));
    }
    made
}

fn read_back(c: &mut Raw, read: &[&str], key: &str) -> R {
    let mut args = read.to_vec();
    args[1] = key;
    match c.cmd(&args) {
        R::Array(mut v) if read[0] != "LRANGE" && read[0] != "ZRANGE" => {
            v.sort_by_key(|r| format!("{r:?}"));
            R::Array(v)
        }
        other => other,
    }
}

#[test]
fn collections_rename_move_copy_dump_restore_keep_every_element() {
    let s = Server::start();
    let mut c = s.raw();
    let made = make_collections(&mut c);
    for (key, read) in &made {
        let want = read_back(&mut c, read, key);
        assert!(matches!(&want, R::Array(v) if !v.is_empty()), "{key}: {want:?}");
        assert_eq!(c.cmd(&["TYPE", key]), R::Status(key.to_string()));
        c.cmd(&["EXPIRE", key, "1000"]);
        // RENAME keeps the elements and the TTL.
        let renamed = format!("{key}:renamed");
        assert_eq!(c.cmd(&["RENAME", key, &renamed]), R::ok());
        assert_eq!(read_back(&mut c, read, &renamed), want, "{key} after RENAME");
        assert_eq!(c.cmd(&["TTL", &renamed]), R::Int(1000));
        assert_eq!(c.cmd(&["EXISTS", key]), R::Int(0));
        // COPY: an independent copy with every element.
        let copied = format!("{key}:copy");
        assert_eq!(c.cmd(&["COPY", &renamed, &copied]), R::Int(1));
        assert_eq!(read_back(&mut c, read, &copied), want, "{key} after COPY");
        assert_eq!(c.cmd(&["DEL", &renamed]), R::Int(1));
        assert_eq!(read_back(&mut c, read, &copied), want, "{key} copy outlives its source");
        // MOVE to another database and back.
        assert_eq!(c.cmd(&["MOVE", &copied, "7"]), R::Int(1));
        c.cmd(&["SELECT", "7"]);
        assert_eq!(read_back(&mut c, read, &copied), want, "{key} after MOVE");
        assert_eq!(c.cmd(&["COPY", &copied, &copied, "DB", "0"]), R::Int(1));
        c.cmd(&["SELECT", "0"]);
        // DUMP / RESTORE under a new name.
        let raw = bulk(c.cmd(&["DUMP", &copied]));
        let mut out = format!("*4\r\n$7\r\nRESTORE\r\n${}\r\n{key}\r\n$1\r\n0\r\n", key.len()).into_bytes();
        out.extend(format!("${}\r\n", raw.len()).bytes());
        out.extend_from_slice(&raw);
        out.extend(b"\r\n");
        c.send(&out);
        assert_eq!(c.read(), R::ok(), "{key} RESTORE");
        assert_eq!(read_back(&mut c, read, key), want, "{key} after RESTORE");
        assert_eq!(c.cmd(&["TTL", key]), R::Int(-1));
        let enc = bulk(c.cmd(&["OBJECT", "ENCODING", key]));
        assert!(!enc.is_empty());
    }
}

#[test]
fn collections_dump_from_one_server_restore_into_another() {
    let a = Server::start();
    let b = Server::start();
    let mut ca = a.raw();
    let mut cb = b.raw();
    for (key, read) in make_collections(&mut ca) {
        let want = read_back(&mut ca, &read, key);
        let raw = bulk(ca.cmd(&["DUMP", key]));
        let mut out = format!("*4\r\n$7\r\nRESTORE\r\n${}\r\n{key}\r\n$1\r\n0\r\n", key.len()).into_bytes();
        out.extend(format!("${}\r\n", raw.len()).bytes());
        out.extend_from_slice(&raw);
        out.extend(b"\r\n");
        cb.send(&out);
        assert_eq!(cb.read(), R::ok(), "{key}");
        assert_eq!(read_back(&mut cb, &read, key), want, "{key}");
        assert_eq!(cb.cmd(&["TYPE", key]), R::Status(key.to_string()));
    }
}

#[test]
fn collection_encodings_follow_redis_thresholds() {
    let s = Server::start();
    let mut c = s.raw();
    if has(&mut c, "sadd") {
        ok(&mut c, &["SADD", "ints", "1", "2", "3"]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "ints"]), R::bulk("intset"));
        ok(&mut c, &["SADD", "words", "a", "b"]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "words"]), R::bulk("listpack"));
        let many: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
        let mut args = vec!["SADD", "bigset"];
        args.extend(many.iter().map(String::as_str));
        ok(&mut c, &args);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "bigset"]), R::bulk("hashtable"));
    }
    if has(&mut c, "hset") {
        ok(&mut c, &["HSET", "h", "f", "v"]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "h"]), R::bulk("listpack"));
        ok(&mut c, &["HSET", "hbig", "f", &"v".repeat(65)]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "hbig"]), R::bulk("hashtable"));
    }
    if has(&mut c, "zadd") {
        ok(&mut c, &["ZADD", "z", "1", "a"]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "z"]), R::bulk("listpack"));
        ok(&mut c, &["ZADD", "zbig", "1", &"m".repeat(65)]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "zbig"]), R::bulk("skiplist"));
    }
    if has(&mut c, "rpush") {
        ok(&mut c, &["RPUSH", "l", "a", "b"]);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "l"]), R::bulk("listpack"));
        let big = "x".repeat(500);
        let mut args = vec!["RPUSH", "lbig"];
        args.extend(std::iter::repeat(big.as_str()).take(20));
        ok(&mut c, &args);
        assert_eq!(c.cmd(&["OBJECT", "ENCODING", "lbig"]), R::bulk("quicklist"));
    }
}

#[test]
fn scan_type_sees_collections() {
    let s = Server::start();
    let mut c = s.raw();
    let made = make_collections(&mut c);
    ok(&mut c, &["SET", "str", "v"]);
    for (key, _) in &made {
        assert_eq!(scan_all(&mut c, &["TYPE", key]).0, vec![key.to_string()]);
    }
    assert_eq!(scan_all(&mut c, &["TYPE", "string"]).0, vec!["str".to_string()]);
}

#[test]
fn swapdb_awakes_blocked_client() {
    let s = Server::start();
    let mut c = s.raw();
    if !has(&mut c, "brpop") {
        return;
    }
    c.cmd(&["SELECT", "1"]);
    ok(&mut c, &["RPUSH", "k", "hello"]);
    let mut blocked = s.raw();
    blocked.cmd(&["SELECT", "9"]);
    blocked.send(&encode(&["BRPOP", "k", "0"]));
    s.wait_blocked(1);
    assert_eq!(c.cmd(&["SWAPDB", "1", "9"]), R::ok());
    assert_eq!(blocked.read(), R::Array(vec![R::bulk("k"), R::bulk("hello")]));
}

/// A client still blocked after SWAPDB waits on its logical database, now backed by the
/// other physical one: a push there serves it.
#[test]
fn swapdb_blocked_client_follows_its_database() {
    let s = Server::start();
    let mut c = s.raw();
    let mut blocked = s.raw();
    blocked.send(&encode(&["BLPOP", "k", "0"]));
    s.wait_blocked(1);
    assert_eq!(c.cmd(&["SWAPDB", "0", "1"]), R::ok());
    // The swap woke it, it found nothing and blocks again.
    s.wait_blocked(1);
    assert_eq!(c.cmd(&["RPUSH", "k", "after"]), R::Int(1));
    assert_eq!(blocked.read(), R::Array(vec![R::bulk("k"), R::bulk("after")]));
    assert_eq!(c.cmd(&["EXISTS", "k"]), R::Int(0));
}

#[test]
fn move_and_rename_serve_blocked_clients() {
    let s = Server::start();
    let mut c = s.raw();
    if !has(&mut c, "blpop") {
        return;
    }
    let mut blocked = s.raw();
    blocked.cmd(&["SELECT", "2"]);
    blocked.send(&encode(&["BLPOP", "dst", "0"]));
    s.wait_blocked(1);
    ok(&mut c, &["RPUSH", "src", "v"]);
    assert_eq!(c.cmd(&["MOVE", "src", "2"]), R::Int(1));
    c.cmd(&["SELECT", "2"]);
    assert_eq!(c.cmd(&["RENAME", "src", "dst"]), R::ok());
    assert_eq!(blocked.read(), R::Array(vec![R::bulk("dst"), R::bulk("v")]));
}

#[test]
fn del_against_expired_key_and_no_expire_is_created() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "foo", "bar"]);
    c.cmd(&["PEXPIRE", "foo", "1"]);
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(c.cmd(&["DEL", "foo"]), R::Int(0));
    // MOVE / COPY do not create an expire if it does not exist.
    ok(&mut c, &["SET", "mykey", "foo"]);
    assert_eq!(c.cmd(&["COPY", "mykey", "copy"]), R::Int(1));
    assert_eq!(c.cmd(&["TTL", "copy"]), R::Int(-1));
    assert_eq!(c.cmd(&["MOVE", "mykey", "9"]), R::Int(1));
    c.cmd(&["SELECT", "9"]);
    assert_eq!(c.cmd(&["TTL", "mykey"]), R::Int(-1));
}

#[test]
fn keys_with_hashtags_and_long_patterns() {
    let s = Server::start();
    let mut c = s.raw();
    for k in ["{a}x", "{a}y", "{b}z"] {
        ok(&mut c, &["SET", k, "1"]);
    }
    assert_eq!(sorted(c.cmd(&["KEYS", "{a}*"])), vec!["{a}x", "{a}y"]);
    // Regression for pattern matching very long nested loops: answers at once.
    ok(&mut c, &["SET", &"a".repeat(50000), "1"]);
    let started = Instant::now();
    assert_eq!(c.cmd(&["KEYS", &format!("{}b", "a*".repeat(50000))]), R::Array(vec![]));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn keyspace_commands_inside_multi() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "a", "1"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["EXPIRE", "a", "100"]);
    c.cmd(&["COPY", "a", "b", "DB", "1"]);
    c.cmd(&["MOVE", "a", "2"]);
    c.cmd(&["SWAPDB", "1", "2"]);
    c.cmd(&["TTL", "a"]);
    assert_eq!(
        c.cmd(&["EXEC"]),
        R::Array(vec![R::Int(1), R::Int(1), R::Int(1), R::ok(), R::Int(-2)])
    );
    c.cmd(&["SELECT", "1"]);
    assert_eq!(c.cmd(&["KEYS", "*"]), R::Array(vec![R::bulk("a")]));
    c.cmd(&["SELECT", "2"]);
    assert_eq!(c.cmd(&["TTL", "b"]), R::Int(100));
}

#[test]
fn randomkey_spreads_over_a_large_database() {
    let s = Server::start();
    let mut c = s.raw();
    populate(&mut c, 12_000);
    ok(&mut c, &["SET", "a", "first"]);
    ok(&mut c, &["SET", "zzz", "last"]);
    let mut seen = BTreeSet::new();
    for _ in 0..3000 {
        seen.insert(String::from_utf8(bulk(c.cmd(&["RANDOMKEY"]))).unwrap());
    }
    assert!(seen.len() > 1000, "RANDOMKEY should spread: {} distinct", seen.len());
    assert!(seen.iter().all(|k| k == "a" || k == "zzz" || k.starts_with("key:")));
}

#[test]
fn collections_expire_actively_and_leave_nothing_behind() {
    let s = Server::start();
    let mut c = s.raw();
    let made = make_collections(&mut c);
    for (key, _) in &made {
        assert_eq!(c.cmd(&["PEXPIRE", key, "100"]), R::Int(1));
        assert!(int(c.cmd(&["PTTL", key])) > 0);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while int(c.cmd(&["DBSIZE"])) != 0 {
        assert!(Instant::now() < deadline, "collections did not actively expire");
        std::thread::sleep(Duration::from_millis(50));
    }
    for (key, read) in &made {
        assert_eq!(c.cmd(&["TYPE", key]), R::Status("none".into()));
        assert!(matches!(read_back(&mut c, read, key), R::Array(v) if v.is_empty()), "{key}");
    }
}

/// OBJECT IDLETIME counts seconds since the last read or write; EXISTS, TYPE, TTL and
/// OBJECT do not count as accesses, TOUCH and GET do (Redis's NOTOUCH lookups).
#[test]
fn object_idletime_tracks_accesses() {
    let s = Server::start();
    let mut c = s.raw();
    ok(&mut c, &["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "foo"]), R::Int(0));
    std::thread::sleep(Duration::from_millis(2100));
    for cmd in [&["EXISTS", "foo"][..], &["TYPE", "foo"], &["TTL", "foo"], &["OBJECT", "ENCODING", "foo"]] {
        c.cmd(cmd);
    }
    let idle = int(c.cmd(&["OBJECT", "IDLETIME", "foo"]));
    assert!((2..=3).contains(&idle), "idle {idle}");
    c.cmd(&["TOUCH", "foo"]);
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "foo"]), R::Int(0));
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "missing"]), R::Nil);
    // RESTORE ... IDLETIME dates the key's last access.
    let R::Bulk(payload) = c.cmd(&["DUMP", "foo"]) else { panic!("DUMP") };
    // The binary payload goes in as a bulk, then the IDLETIME option.
    let mut raw = Vec::new();
    raw.extend_from_slice(b"*6\r\n$7\r\nRESTORE\r\n$3\r\nold\r\n$1\r\n0\r\n");
    raw.extend_from_slice(format!("${}\r\n", payload.len()).as_bytes());
    raw.extend_from_slice(&payload);
    raw.extend_from_slice(b"\r\n$8\r\nIDLETIME\r\n$4\r\n1000\r\n");
    c.send(&raw);
    assert_eq!(c.read(), R::ok());
    let idle = int(c.cmd(&["OBJECT", "IDLETIME", "old"]));
    assert!((1000..=1001).contains(&idle), "idle {idle}");
}

#[test]
fn info_keyspace_avg_ttl_follows_the_keys_with_a_ttl() {
    let s = Server::start();
    let mut c = s.raw();
    let avg_ttl = |c: &mut Raw| -> i64 {
        let R::Bulk(info) = c.cmd(&["INFO", "keyspace"]) else { panic!("INFO") };
        let text = String::from_utf8(info).unwrap();
        let line = text.lines().find(|l| l.starts_with("db0:")).expect("db0 line").to_string();
        line.split_once("avg_ttl=").unwrap().1.parse().unwrap()
    };
    ok(&mut c, &["SET", "plain", "v"]);
    assert_eq!(avg_ttl(&mut c), 0);
    ok(&mut c, &["SET", "a", "v", "EX", "100"]);
    ok(&mut c, &["SET", "b", "v", "EX", "300"]);
    // (100 s + 300 s) / 2, less the time the test took, to the second.
    assert!((198_000..=200_000).contains(&avg_ttl(&mut c)), "{}", avg_ttl(&mut c));
    assert_eq!(int(c.cmd(&["EXPIRE", "a", "500"])), 1);
    assert!((398_000..=400_000).contains(&avg_ttl(&mut c)));
    assert_eq!(int(c.cmd(&["PERSIST", "b"])), 1);
    assert!((498_000..=500_000).contains(&avg_ttl(&mut c)));
    assert_eq!(int(c.cmd(&["DEL", "a"])), 1);
    assert_eq!(avg_ttl(&mut c), 0);
}
