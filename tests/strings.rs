//! String commands against the real server, after Redis's tests/unit/type/string.tcl and
//! tests/unit/type/incr.tcl, plus concurrency and restart checks.

mod common;
use common::*;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn int(n: i64) -> R {
    R::Int(n)
}

fn bulk(s: &str) -> R {
    R::bulk(s)
}

fn arr(items: Vec<R>) -> R {
    R::Array(items)
}

/// The key's PTTL, or `None` while the keyspace commands are not in this build.
fn pttl(c: &mut Raw, key: &str) -> Option<i64> {
    match c.cmd(&["PTTL", key]) {
        R::Int(n) => Some(n),
        _ => None,
    }
}

/// Makes `key` a list if lists exist in this build (for WRONGTYPE checks).
fn make_list(c: &mut Raw, key: &str) -> bool {
    c.cmd(&["DEL", key]);
    matches!(c.cmd(&["RPUSH", key, "waffle"]), R::Int(_))
}

fn not_int() -> R {
    R::err("ERR value is not an integer or out of range")
}

fn not_float() -> R {
    R::err("ERR value is not a valid float")
}

// ----- SET / GET -----

#[test]
fn set_and_get_an_item_and_an_empty_item() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SET", "x", "foobar"]), R::ok());
    assert_eq!(c.cmd(&["GET", "x"]), bulk("foobar"));
    assert_eq!(c.cmd(&["SET", "x", ""]), R::ok());
    assert_eq!(c.cmd(&["GET", "x"]), bulk(""));
    assert_eq!(c.cmd(&["GET", "nokey"]), R::Nil);
}

#[test]
fn very_big_payload_in_get_set() {
    let s = Server::start();
    let mut c = s.raw();
    let buf = "abcd".repeat(1_000_000);
    assert_eq!(c.cmd(&["SET", "foo", &buf]), R::ok());
    assert_eq!(c.cmd(&["GET", "foo"]), bulk(&buf));
    assert_eq!(c.cmd(&["STRLEN", "foo"]), int(4_000_000));
}

#[test]
fn extended_set_nx_and_xx() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SET", "foo", "1", "nx"]), R::ok());
    assert_eq!(c.cmd(&["SET", "foo", "2", "nx"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("1"));
    assert_eq!(c.cmd(&["SET", "bar", "1", "xx"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "bar"]), R::Nil);
    c.cmd(&["SET", "bar", "x"]);
    assert_eq!(c.cmd(&["SET", "bar", "2", "XX"]), R::ok());
    assert_eq!(c.cmd(&["GET", "bar"]), bulk("2"));
}

#[test]
fn extended_set_get_option_in_every_combination() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["SET", "foo", "bar2", "GET"]), bulk("bar"));
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("bar2"));
    // No previous value.
    assert_eq!(c.cmd(&["SET", "new", "bar", "GET"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "new"]), bulk("bar"));
    // GET with XX.
    c.cmd(&["SET", "x", "bar"]);
    assert_eq!(c.cmd(&["SET", "x", "baz", "GET", "XX"]), bulk("bar"));
    assert_eq!(c.cmd(&["GET", "x"]), bulk("baz"));
    assert_eq!(c.cmd(&["SET", "nx1", "bar", "GET", "XX"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "nx1"]), R::Nil);
    // GET with NX (allowed since Redis 7.0).
    assert_eq!(c.cmd(&["SET", "n", "bar", "GET", "NX"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "n"]), bulk("bar"));
    assert_eq!(c.cmd(&["SET", "n", "baz", "NX", "GET"]), bulk("bar"));
    assert_eq!(c.cmd(&["GET", "n"]), bulk("bar"));
}

#[test]
fn extended_set_get_with_incorrect_type_is_wrongtype() {
    let s = Server::start();
    let mut c = s.raw();
    if !make_list(&mut c, "foo") {
        return;
    }
    assert_eq!(c.cmd(&["SET", "foo", "bar", "GET"]), wrongtype());
    assert_eq!(c.cmd(&["RPOP", "foo"]), bulk("waffle"));
    // Without GET, SET overwrites any type.
    make_list(&mut c, "foo");
    assert_eq!(c.cmd(&["SET", "foo", "bar"]), R::ok());
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("bar"));
}

#[test]
fn extended_set_can_detect_syntax_errors() {
    let s = Server::start();
    let mut c = s.raw();
    let syntax = R::err("ERR syntax error");
    for args in [
        &["SET", "foo", "bar", "non-existing-option"][..],
        &["SET", "foo", "bar", "NX", "XX"],
        &["SET", "foo", "bar", "XX", "NX"],
        &["SET", "foo", "bar", "EX", "10", "PX", "100"],
        &["SET", "foo", "bar", "PX", "100", "EX", "10"],
        &["SET", "foo", "bar", "EX", "10", "EXAT", "100"],
        &["SET", "foo", "bar", "PXAT", "100", "EX", "10"],
        &["SET", "foo", "bar", "KEEPTTL", "EX", "10"],
        &["SET", "foo", "bar", "EX", "10", "KEEPTTL"],
        &["SET", "foo", "bar", "EX"],
        &["SET", "foo", "bar", "PX"],
        &["SET", "foo", "bar", "PERSIST"],
        &["SET", "foo", "bar", "GETX"],
    ] {
        assert_eq!(c.cmd(args), syntax, "{args:?}");
    }
    // Nothing was written by a refused SET.
    assert_eq!(c.cmd(&["GET", "foo"]), R::Nil);
    // Repeating a compatible option is fine, the last value wins.
    assert_eq!(c.cmd(&["SET", "foo", "bar", "NX", "NX", "GET", "GET", "EX", "100", "EX", "200"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("bar"));
}

#[test]
fn set_refuses_invalid_expire_times() {
    let s = Server::start();
    let mut c = s.raw();
    let invalid = R::err("ERR invalid expire time in 'set' command");
    assert_eq!(c.cmd(&["SET", "foo", "bar", "EX", "0"]), invalid);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "EX", "-1"]), invalid);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "PX", "0"]), invalid);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "PXAT", "0"]), invalid);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "EXAT", "-5"]), invalid);
    // Seconds that overflow once in milliseconds, and relative times that overflow.
    assert_eq!(c.cmd(&["SET", "foo", "bar", "EX", "9223372036854776"]), invalid);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "PX", "9223372036854775807"]), invalid);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "EX", "10a"]), not_int());
    assert_eq!(c.cmd(&["SET", "foo", "bar", "PX", "1.5"]), not_int());
    assert_eq!(c.cmd(&["SET", "foo", "bar", "EX", " 10"]), not_int());
    assert_eq!(c.cmd(&["GET", "foo"]), R::Nil);
    assert_eq!(c.cmd(&["SETEX", "foo", "0", "bar"]), R::err("ERR invalid expire time in 'setex' command"));
    assert_eq!(c.cmd(&["SETEX", "foo", "-10", "bar"]), R::err("ERR invalid expire time in 'setex' command"));
    assert_eq!(c.cmd(&["PSETEX", "foo", "0", "bar"]), R::err("ERR invalid expire time in 'psetex' command"));
    assert_eq!(c.cmd(&["SETEX", "foo", "ten", "bar"]), not_int());
    assert_eq!(c.cmd(&["GET", "foo"]), R::Nil);
}

#[test]
fn extended_set_expire_options_set_the_ttl() {
    let s = Server::start();
    let mut c = s.raw();
    let now = now_ms();
    assert_eq!(c.cmd(&["SET", "ex", "v", "EX", "10"]), R::ok());
    assert_eq!(c.cmd(&["SET", "px", "v", "PX", "10000"]), R::ok());
    assert_eq!(c.cmd(&["SET", "exat", "v", "EXAT", &((now / 1000) + 10).to_string()]), R::ok());
    assert_eq!(c.cmd(&["SET", "pxat", "v", "PXAT", &(now + 10_000).to_string()]), R::ok());
    c.cmd(&["SET", "multi", "val"]);
    assert_eq!(c.cmd(&["SET", "multi", "bar", "xx", "px", "10000"]), R::ok());
    assert_eq!(c.cmd(&["SETEX", "setex", "10", "v"]), R::ok());
    assert_eq!(c.cmd(&["PSETEX", "psetex", "10000", "v"]), R::ok());
    for key in ["ex", "px", "exat", "pxat", "multi", "setex", "psetex"] {
        assert_eq!(c.cmd(&["GET", key]), bulk(if key == "multi" { "bar" } else { "v" }));
        if let Some(t) = pttl(&mut c, key) {
            assert!((5_000..=10_000).contains(&t), "{key}: pttl {t}");
        }
    }
}

#[test]
fn keys_set_with_a_short_ttl_expire() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "a", "v", "PX", "100"]);
    c.cmd(&["PSETEX", "b", "100", "v"]);
    c.cmd(&["SET", "c", "v", "PXAT", &(now_ms() + 100).to_string()]);
    assert_eq!(c.cmd(&["GET", "a"]), bulk("v"));
    std::thread::sleep(Duration::from_millis(250));
    for key in ["a", "b", "c"] {
        assert_eq!(c.cmd(&["GET", key]), R::Nil, "{key}");
    }
}

#[test]
fn set_exat_pxat_in_the_past_deletes_the_key() {
    let s = Server::start();
    let mut c = s.raw();
    let now = now_ms();
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "EXAT", &(now / 1000 - 100).to_string()]), R::ok());
    assert_eq!(c.cmd(&["GET", "foo"]), R::Nil);
    assert_eq!(c.cmd(&["SET", "foo", "bar", "PXAT", &(now - 10_000).to_string()]), R::ok());
    assert_eq!(c.cmd(&["GET", "foo"]), R::Nil);
    assert_eq!(c.cmd(&["INCR", "foo"]), int(1));
}

#[test]
fn set_keepttl_keeps_and_plain_set_drops_the_ttl() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "k", "v1", "PX", "300"]);
    assert_eq!(c.cmd(&["SET", "k", "v2", "KEEPTTL"]), R::ok());
    if let Some(t) = pttl(&mut c, "k") {
        assert!(t > 0 && t <= 300);
    }
    c.cmd(&["SET", "j", "v1", "PX", "300"]);
    assert_eq!(c.cmd(&["SET", "j", "v2"]), R::ok());
    if let Some(t) = pttl(&mut c, "j") {
        assert_eq!(t, -1);
    }
    std::thread::sleep(Duration::from_millis(450));
    assert_eq!(c.cmd(&["GET", "k"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "j"]), bulk("v2"));
    // KEEPTTL on a missing key creates it without TTL.
    assert_eq!(c.cmd(&["SET", "m", "v", "KEEPTTL", "GET"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "m"]), bulk("v"));
}

// ----- SETNX / GETSET / GETDEL / GETEX -----

#[test]
fn setnx_target_key_missing_exists_and_volatile() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SETNX", "novar", "foobared"]), int(1));
    assert_eq!(c.cmd(&["GET", "novar"]), bulk("foobared"));
    assert_eq!(c.cmd(&["SETNX", "novar", "blabla"]), int(0));
    assert_eq!(c.cmd(&["GET", "novar"]), bulk("foobared"));
    // Not-expired volatile key.
    c.cmd(&["SET", "x", "10", "EX", "10000"]);
    assert_eq!(c.cmd(&["SETNX", "x", "20"]), int(0));
    assert_eq!(c.cmd(&["GET", "x"]), bulk("10"));
    // Expired volatile key.
    c.cmd(&["SET", "y", "10", "PX", "50"]);
    std::thread::sleep(Duration::from_millis(120));
    assert_eq!(c.cmd(&["SETNX", "y", "20"]), int(1));
    assert_eq!(c.cmd(&["GET", "y"]), bulk("20"));
}

#[test]
fn getset_sets_new_value_and_replaces_old_value() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GETSET", "foo", "xyz"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("xyz"));
    c.cmd(&["SET", "foo", "bar", "PX", "200"]);
    assert_eq!(c.cmd(&["GETSET", "foo", "xyz"]), bulk("bar"));
    std::thread::sleep(Duration::from_millis(300));
    // GETSET drops the TTL.
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("xyz"));
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["GETSET", "l", "x"]), wrongtype());
    }
}

#[test]
fn getdel_command() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["GETDEL", "foo"]), bulk("bar"));
    assert_eq!(c.cmd(&["GETDEL", "foo"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "foo"]), R::Nil);
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["GETDEL", "l"]), wrongtype());
        assert_eq!(c.cmd(&["RPOP", "l"]), bulk("waffle"));
    }
}

#[test]
fn getex_options() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(c.cmd(&["GETEX", "foo"]), bulk("bar"));
    assert_eq!(c.cmd(&["GETEX", "foo", "EX", "10"]), bulk("bar"));
    if let Some(t) = pttl(&mut c, "foo") {
        assert!((5_000..=10_000).contains(&t));
    }
    assert_eq!(c.cmd(&["GETEX", "foo", "PX", "10000"]), bulk("bar"));
    assert_eq!(c.cmd(&["GETEX", "foo", "EXAT", &(now_ms() / 1000 + 10).to_string()]), bulk("bar"));
    assert_eq!(c.cmd(&["GETEX", "foo", "PXAT", &(now_ms() + 10_000).to_string()]), bulk("bar"));
    if let Some(t) = pttl(&mut c, "foo") {
        assert!((5_000..=10_000).contains(&t));
    }
    assert_eq!(c.cmd(&["GETEX", "foo", "PERSIST"]), bulk("bar"));
    if let Some(t) = pttl(&mut c, "foo") {
        assert_eq!(t, -1);
    }
    // A short TTL set by GETEX expires the key; PERSIST saves another.
    c.cmd(&["SET", "p", "v", "PX", "150"]);
    assert_eq!(c.cmd(&["GETEX", "p", "persist"]), bulk("v"));
    assert_eq!(c.cmd(&["GETEX", "foo", "px", "100"]), bulk("bar"));
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(c.cmd(&["GET", "foo"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "p"]), bulk("v"));
    // EXAT in the past deletes the key, after answering its value.
    assert_eq!(c.cmd(&["GETEX", "p", "EXAT", "1"]), bulk("v"));
    assert_eq!(c.cmd(&["GET", "p"]), R::Nil);
}

#[test]
fn getex_syntax_errors_and_missing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    let syntax = R::err("ERR syntax error");
    assert_eq!(c.cmd(&["GETEX", "foo", "non-existent-option"]), syntax);
    c.cmd(&["SET", "foo", "bar"]);
    for args in [
        &["GETEX", "foo", "EX", "10", "PX", "100"][..],
        &["GETEX", "foo", "PERSIST", "EX", "10"],
        &["GETEX", "foo", "EX", "10", "PERSIST"],
        &["GETEX", "foo", "KEEPTTL"],
        &["GETEX", "foo", "NX"],
        &["GETEX", "foo", "GET"],
        &["GETEX", "foo", "EX"],
    ] {
        assert_eq!(c.cmd(args), syntax, "{args:?}");
    }
    assert_eq!(c.cmd(&["GETEX", "foo", "EX", "0"]), R::err("ERR invalid expire time in 'getex' command"));
    assert_eq!(c.cmd(&["GETEX", "foo", "PX", "-1"]), R::err("ERR invalid expire time in 'getex' command"));
    assert_eq!(c.cmd(&["GETEX", "foo", "EX", "x"]), not_int());
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("bar"));
    // A missing key answers nil before the expire time is checked.
    assert_eq!(c.cmd(&["GETEX", "nokey", "EX", "0"]), R::Nil);
    c.cmd(&["SET", "gone", "bar", "PX", "1"]);
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(c.cmd(&["GETEX", "gone"]), R::Nil);
    assert_eq!(c.cmd(&["GETEX"]), R::err("ERR wrong number of arguments for 'getex' command"));
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["GETEX", "l", "PERSIST"]), wrongtype());
    }
}

// ----- MGET / MSET / MSETNX -----

#[test]
fn mget_with_missing_and_non_string_keys() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "foo", "BAR"]);
    c.cmd(&["SET", "bar", "FOO"]);
    assert_eq!(c.cmd(&["MGET", "foo", "bar"]), arr(vec![bulk("BAR"), bulk("FOO")]));
    assert_eq!(c.cmd(&["MGET", "foo", "baazz", "bar"]), arr(vec![bulk("BAR"), R::Nil, bulk("FOO")]));
    if make_list(&mut c, "mylist") {
        assert_eq!(c.cmd(&["MGET", "foo", "mylist"]), arr(vec![bulk("BAR"), R::Nil]));
    }
}

#[test]
fn mset_base_case_and_same_key_twice() {
    let s = Server::start();
    let mut c = s.raw();
    let odd = "x x x x x x x\n\n\r\n";
    assert_eq!(c.cmd(&["MSET", "x", "10", "y", "foo bar", "z", odd]), R::ok());
    assert_eq!(c.cmd(&["MGET", "x", "y", "z"]), arr(vec![bulk("10"), bulk("foo bar"), bulk(odd)]));
    assert_eq!(c.cmd(&["MSET", "x", "xxx", "x", "yyy"]), R::ok());
    assert_eq!(c.cmd(&["GET", "x"]), bulk("yyy"));
    // MSET drops TTLs.
    c.cmd(&["SET", "t", "1", "PX", "150"]);
    c.cmd(&["MSET", "t", "2"]);
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(c.cmd(&["GET", "t"]), bulk("2"));
}

#[test]
fn mset_msetnx_wrong_number_of_args() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["MSET", "x", "10", "y", "foo bar", "z"]), R::err("ERR wrong number of arguments for 'mset' command"));
    assert_eq!(c.cmd(&["MSETNX", "x", "20", "y", "foo bar", "z"]), R::err("ERR wrong number of arguments for 'msetnx' command"));
    assert_eq!(c.cmd(&["MSET", "x"]), R::err("ERR wrong number of arguments for 'mset' command"));
    assert_eq!(c.cmd(&["GET", "x"]), R::Nil);
}

#[test]
fn msetnx_with_existing_and_not_existing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "x", "x"]);
    assert_eq!(c.cmd(&["MSETNX", "x1", "xxx", "y2", "yyy", "x", "20"]), int(0));
    assert_eq!(c.cmd(&["MGET", "x1", "y2", "x"]), arr(vec![R::Nil, R::Nil, bulk("x")]));
    assert_eq!(c.cmd(&["MSETNX", "x1", "xxx", "y2", "yyy"]), int(1));
    assert_eq!(c.cmd(&["MGET", "x1", "y2"]), arr(vec![bulk("xxx"), bulk("yyy")]));
    assert_eq!(c.cmd(&["MSETNX", "n1", "xxx", "n1", "yyy"]), int(1));
    assert_eq!(c.cmd(&["GET", "n1"]), bulk("yyy"));
    assert_eq!(c.cmd(&["MSETNX", "n1", "xxx", "n1", "zzz"]), int(0));
    assert_eq!(c.cmd(&["GET", "n1"]), bulk("yyy"));
}

// ----- INCR family -----

#[test]
fn incr_decr_against_new_and_existing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["INCR", "novar"]), int(1));
    assert_eq!(c.cmd(&["GET", "novar"]), bulk("1"));
    assert_eq!(c.cmd(&["INCR", "novar"]), int(2));
    assert_eq!(c.cmd(&["DECR", "novar"]), int(1));
    c.cmd(&["SET", "novar", "100"]);
    assert_eq!(c.cmd(&["INCR", "novar"]), int(101));
    c.cmd(&["SET", "novar", "17179869184"]);
    assert_eq!(c.cmd(&["INCR", "novar"]), int(17179869185));
    c.cmd(&["SET", "novar", "17179869184"]);
    assert_eq!(c.cmd(&["INCRBY", "novar", "17179869184"]), int(34359738368));
    c.cmd(&["SET", "novar", "17179869184"]);
    assert_eq!(c.cmd(&["DECRBY", "novar", "17179869185"]), int(-1));
    assert_eq!(c.cmd(&["DECRBY", "key_not_exist", "1"]), int(-1));
    assert_eq!(c.cmd(&["DECR", "newkey"]), int(-1));
    assert_eq!(c.cmd(&["INCRBY", "k", "-5"]), int(-5));
    assert_eq!(c.cmd(&["DECRBY", "k", "-5"]), int(0));
}

#[test]
fn incr_fails_against_keys_with_spaces_and_non_integers() {
    let s = Server::start();
    let mut c = s.raw();
    for v in [" 11", "11 ", " 11 ", "1.5", "abc", "", "+1", "01", "-0", "99999999999999999999"] {
        c.cmd(&["SET", "novar", v]);
        assert_eq!(c.cmd(&["INCR", "novar"]), not_int(), "{v:?}");
        assert_eq!(c.cmd(&["GET", "novar"]), bulk(v));
    }
    assert_eq!(c.cmd(&["INCRBY", "x", "v"]), not_int());
    assert_eq!(c.cmd(&["INCRBY", "x", "1.5"]), not_int());
    assert_eq!(c.cmd(&["DECRBY", "x", "v"]), not_int());
    assert_eq!(c.cmd(&["INCRBY", "x", "9223372036854775808"]), not_int());
    assert_eq!(c.cmd(&["INCR"]), R::err("ERR wrong number of arguments for 'incr' command"));
    assert_eq!(c.cmd(&["DECR"]), R::err("ERR wrong number of arguments for 'decr' command"));
    assert_eq!(c.cmd(&["INCRBY", "x"]), R::err("ERR wrong number of arguments for 'incrby' command"));
    assert_eq!(c.cmd(&["DECRBY", "x"]), R::err("ERR wrong number of arguments for 'decrby' command"));
    assert_eq!(c.cmd(&["INCRBYFLOAT", "x"]), R::err("ERR wrong number of arguments for 'incrbyfloat' command"));
    assert_eq!(c.cmd(&["GET", "x"]), R::Nil);
}

#[test]
fn incr_overflow_and_decrby_negation_overflow() {
    let s = Server::start();
    let mut c = s.raw();
    let overflow = R::err("ERR increment or decrement would overflow");
    c.cmd(&["SET", "n", "9223372036854775807"]);
    assert_eq!(c.cmd(&["INCR", "n"]), overflow);
    assert_eq!(c.cmd(&["INCRBY", "n", "1"]), overflow);
    assert_eq!(c.cmd(&["GET", "n"]), bulk("9223372036854775807"));
    c.cmd(&["SET", "n", "-9223372036854775808"]);
    assert_eq!(c.cmd(&["DECR", "n"]), overflow);
    assert_eq!(c.cmd(&["INCRBY", "n", "-1"]), overflow);
    assert_eq!(c.cmd(&["INCRBY", "n", "9223372036854775807"]), int(-1));
    c.cmd(&["SET", "x", "0"]);
    assert_eq!(c.cmd(&["DECRBY", "x", "-9223372036854775808"]), R::err("ERR decrement would overflow"));
    assert_eq!(c.cmd(&["DECRBY", "x", "-9223372036854775807"]), int(9223372036854775807));
}

#[test]
fn incr_family_against_wrong_type() {
    let s = Server::start();
    let mut c = s.raw();
    if !make_list(&mut c, "mylist") {
        return;
    }
    for args in [
        &["INCR", "mylist"][..],
        &["DECR", "mylist"],
        &["INCRBY", "mylist", "2"],
        &["DECRBY", "mylist", "2"],
        &["INCRBYFLOAT", "mylist", "1.5"],
        &["APPEND", "mylist", "x"],
        &["STRLEN", "mylist"],
        &["GETRANGE", "mylist", "0", "-1"],
        &["SETRANGE", "mylist", "0", "bar"],
        &["GET", "mylist"],
    ] {
        assert_eq!(c.cmd(args), wrongtype(), "{args:?}");
    }
    assert_eq!(c.cmd(&["RPOP", "mylist"]), bulk("waffle"));
}

#[test]
fn incr_keeps_the_ttl() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "n", "1", "PX", "200"]);
    assert_eq!(c.cmd(&["INCR", "n"]), int(2));
    assert_eq!(c.cmd(&["INCRBYFLOAT", "n", "0.5"]), bulk("2.5"));
    assert_eq!(c.cmd(&["APPEND", "n", "0"]), int(4));
    assert_eq!(c.cmd(&["SETRANGE", "n", "0", "3"]), int(4));
    assert_eq!(c.cmd(&["GET", "n"]), bulk("3.50"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(c.cmd(&["GET", "n"]), R::Nil);
}

#[test]
fn incrbyfloat_against_new_and_existing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["INCRBYFLOAT", "novar", "1"]), bulk("1"));
    assert_eq!(c.cmd(&["GET", "novar"]), bulk("1"));
    assert_eq!(c.cmd(&["INCRBYFLOAT", "novar", "0.25"]), bulk("1.25"));
    assert_eq!(c.cmd(&["GET", "novar"]), bulk("1.25"));
    c.cmd(&["SET", "novar", "1.5"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "novar", "1.5"]), bulk("3"));
    c.cmd(&["SET", "novar", "17179869184"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "novar", "1.5"]), bulk("17179869185.5"));
    c.cmd(&["SET", "novar", "17179869184"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "novar", "17179869184"]), bulk("34359738368"));
    // The examples of the INCRBYFLOAT page.
    c.cmd(&["SET", "mykey", "10.50"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "mykey", "0.1"]), bulk("10.6"));
    assert_eq!(c.cmd(&["INCRBYFLOAT", "mykey", "-5"]), bulk("5.6"));
    c.cmd(&["SET", "mykey", "5.0e3"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "mykey", "2.0e2"]), bulk("5200"));
    // Long double precision, as Redis prints it.
    c.cmd(&["SET", "ld", "1000"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "ld", "0.1"]), bulk("1000.09999999999999998"));
    c.cmd(&["SET", "foo", "1"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "foo", "-1.1"]), bulk("-0.1"));
}

#[test]
fn incrbyfloat_errors() {
    let s = Server::start();
    let mut c = s.raw();
    for v in [" 11", "11 ", " 11 ", "abc", "1e", "nan"] {
        c.cmd(&["SET", "novar", v]);
        assert_eq!(c.cmd(&["INCRBYFLOAT", "novar", "1.0"]), not_float(), "{v:?}");
    }
    assert_eq!(c.cmd(&["INCRBYFLOAT", "x", "v"]), not_float());
    assert_eq!(c.cmd(&["INCRBYFLOAT", "x", "NaN"]), not_float());
    let nan_inf = R::err("ERR increment would produce NaN or Infinity");
    c.cmd(&["SET", "foo", "0"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "foo", "+inf"]), nan_inf);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "foo", "-inf"]), nan_inf);
    c.cmd(&["SET", "big", "1e4932"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "big", "1e4932"]), nan_inf);
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("0"));
    // A value with a NUL byte in it is not a float.
    c.cmd(&["SET", "foo", "1"]);
    c.cmd(&["SETRANGE", "foo", "2", "2"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "foo", "1"]), not_float());
}

#[test]
fn incrbyfloat_never_answers_negative_zero() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["INCRBYFLOAT", "foo", "0.024390243902439025"]);
    assert_eq!(c.cmd(&["INCRBYFLOAT", "foo", "-0.024390243902439025"]), bulk("0"));
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("0"));
    assert_eq!(c.cmd(&["INCRBYFLOAT", "z", "-0"]), bulk("0"));
}

#[test]
fn fifty_concurrent_clients_incr_one_key_exactly() {
    let s = Server::start();
    let addr = s.addr();
    let per_client = 200;
    let threads: Vec<_> = (0..50)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let stream = std::net::TcpStream::connect(&addr).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                let mut w = stream;
                for _ in 0..per_client {
                    use std::io::Write;
                    w.write_all(&encode(&["INCR", "counter"])).unwrap();
                    assert!(matches!(read_reply(&mut reader).unwrap(), R::Int(_)));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GET", "counter"]), bulk(&(50 * per_client).to_string()));
}

// ----- APPEND / STRLEN / GETRANGE / SETRANGE -----

#[test]
fn append_basics_and_size_limit() {
    let s = Server::start_with(&["--proto-max-bulk-len", "1048576"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["APPEND", "foo", "bar"]), int(3));
    assert_eq!(c.cmd(&["APPEND", "foo", "100"]), int(6));
    assert_eq!(c.cmd(&["GET", "foo"]), bulk("bar100"));
    c.cmd(&["SET", "n", "1"]);
    assert_eq!(c.cmd(&["APPEND", "n", "2"]), int(2));
    assert_eq!(c.cmd(&["INCR", "n"]), int(13));
    let half = "x".repeat(600_000);
    assert_eq!(c.cmd(&["APPEND", "big", &half]), int(600_000));
    assert_eq!(
        c.cmd(&["APPEND", "big", &half]),
        R::err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    assert_eq!(c.cmd(&["STRLEN", "big"]), int(600_000));
}

#[test]
fn strlen_against_missing_integer_and_plain_strings() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["STRLEN", "notakey"]), int(0));
    c.cmd(&["SET", "myinteger", "-555"]);
    assert_eq!(c.cmd(&["STRLEN", "myinteger"]), int(4));
    c.cmd(&["SET", "mystring", "foozzz0123456789 baz"]);
    assert_eq!(c.cmd(&["STRLEN", "mystring"]), int(20));
}

#[test]
fn setrange_against_missing_and_existing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SETRANGE", "mykey", "0", "foo"]), int(3));
    assert_eq!(c.cmd(&["GET", "mykey"]), bulk("foo"));
    assert_eq!(c.cmd(&["SETRANGE", "empty", "0", ""]), int(0));
    assert_eq!(c.cmd(&["GET", "empty"]), R::Nil);
    assert_eq!(c.cmd(&["SETRANGE", "pad", "1", "foo"]), int(4));
    assert_eq!(c.cmd(&["GET", "pad"]), bulk("\0foo"));
    for (offset, value, len, want) in [
        ("0", "b", 3, "boo"),
        ("0", "", 3, "foo"),
        ("1", "b", 3, "fbo"),
        ("4", "bar", 7, "foo\0bar"),
    ] {
        c.cmd(&["SET", "mykey", "foo"]);
        assert_eq!(c.cmd(&["SETRANGE", "mykey", offset, value]), int(len));
        assert_eq!(c.cmd(&["GET", "mykey"]), bulk(want));
    }
    for (offset, value, len, want) in [("0", "2", 4, "2234"), ("0", "", 4, "1234"), ("1", "3", 4, "1334"), ("5", "2", 6, "1234\u{0}2")] {
        c.cmd(&["SET", "mykey", "1234"]);
        assert_eq!(c.cmd(&["SETRANGE", "mykey", offset, value]), int(len));
        assert_eq!(c.cmd(&["GET", "mykey"]), bulk(want));
    }
}

#[test]
fn setrange_with_out_of_range_offset() {
    let s = Server::start();
    let mut c = s.raw();
    let too_big = R::err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    let max_offset = (512 * 1024 * 1024 - 4).to_string();
    assert_eq!(c.cmd(&["SETRANGE", "mykey", &max_offset, "world"]), too_big);
    c.cmd(&["SET", "mykey", "hello"]);
    assert_eq!(c.cmd(&["SETRANGE", "mykey", "-1", "world"]), R::err("ERR offset is out of range"));
    assert_eq!(c.cmd(&["SETRANGE", "mykey", &max_offset, "world"]), too_big);
    assert_eq!(c.cmd(&["SETRANGE", "K", "9223372036854775807", "A"]), too_big);
    assert_eq!(c.cmd(&["SETRANGE", "K", "2147483647", "A"]), too_big);
    assert_eq!(c.cmd(&["SETRANGE", "K", "x", "A"]), not_int());
    assert_eq!(c.cmd(&["GET", "mykey"]), bulk("hello"));
    // The limit follows proto-max-bulk-len.
    let s = Server::start_with(&["--proto-max-bulk-len", "1048576"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SETRANGE", "k", "1048571", "world"]), int(1_048_576));
    assert_eq!(c.cmd(&["SETRANGE", "k", "1048572", "world"]), too_big);
}

#[test]
fn getrange_against_missing_string_and_integer_values() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GETRANGE", "mykey", "0", "-1"]), bulk(""));
    c.cmd(&["SET", "mykey", "Hello World"]);
    for (a, b, want) in [
        ("0", "3", "Hell"),
        ("0", "-1", "Hello World"),
        ("-4", "-1", "orld"),
        ("5", "3", ""),
        ("5", "5000", " World"),
        ("-5000", "10000", "Hello World"),
        ("-1", "-5", ""),
        ("0", "4294967297", "Hello World"),
    ] {
        assert_eq!(c.cmd(&["GETRANGE", "mykey", a, b]), bulk(want), "{a} {b}");
    }
    c.cmd(&["SET", "mykey", "1234"]);
    for (a, b, want) in [("0", "2", "123"), ("0", "-1", "1234"), ("-3", "-1", "234"), ("5", "3", ""), ("3", "5000", "4"), ("-5000", "10000", "1234")] {
        assert_eq!(c.cmd(&["GETRANGE", "mykey", a, b]), bulk(want), "{a} {b}");
    }
    c.cmd(&["SET", "empty", ""]);
    assert_eq!(c.cmd(&["GETRANGE", "empty", "0", "-1"]), bulk(""));
    assert_eq!(c.cmd(&["GETRANGE", "mykey", "a", "1"]), not_int());
    assert_eq!(c.cmd(&["GETRANGE", "mykey", "0", "1.5"]), not_int());
}

#[test]
fn getrange_fuzzing_against_a_model() {
    let s = Server::start();
    let mut c = s.raw();
    let mut seed = 12345u64;
    let mut rnd = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for _ in 0..300 {
        let len = rnd(60) as usize;
        let value: String = (0..len).map(|_| (b'a' + rnd(26) as u8) as char).collect();
        c.cmd(&["SET", "bin", &value]);
        let start = rnd(150) as i64 - 75;
        let end = rnd(150) as i64 - 75;
        let n = len as i64;
        let want = if start < 0 && end < 0 && start > end {
            String::new()
        } else {
            let s0 = if start < 0 { (n + start).max(0) } else { start };
            let e0 = if end < 0 { (n + end).max(0) } else { end }.min(n - 1);
            if s0 > e0 || n == 0 {
                String::new()
            } else {
                value[s0 as usize..=e0 as usize].to_string()
            }
        };
        assert_eq!(c.cmd(&["GETRANGE", "bin", &start.to_string(), &end.to_string()]), bulk(&want), "{value:?} {start} {end}");
    }
}

#[test]
fn coverage_substr() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "key", "abcde"]);
    assert_eq!(c.cmd(&["SUBSTR", "key", "0", "0"]), bulk("a"));
    assert_eq!(c.cmd(&["SUBSTR", "key", "0", "3"]), bulk("abcd"));
    assert_eq!(c.cmd(&["SUBSTR", "key", "-4", "-1"]), bulk("bcde"));
    assert_eq!(c.cmd(&["SUBSTR", "key", "-1", "-3"]), bulk(""));
    assert_eq!(c.cmd(&["SUBSTR", "key", "7", "8"]), bulk(""));
    assert_eq!(c.cmd(&["SUBSTR", "nokey", "0", "1"]), bulk(""));
}

// ----- LCS -----

const RNA1: &str = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
const RNA2: &str = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
const RNALCS: &str = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

fn range(a: i64, b: i64) -> R {
    arr(vec![int(a), int(b)])
}

fn lcs_match(a: (i64, i64), b: (i64, i64), len: Option<i64>) -> R {
    let mut v = vec![range(a.0, a.1), range(b.0, b.1)];
    if let Some(l) = len {
        v.push(int(l));
    }
    arr(v)
}

#[test]
fn lcs_basic_len_and_indexes() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "virus1", RNA1]);
    c.cmd(&["SET", "virus2", RNA2]);
    assert_eq!(c.cmd(&["LCS", "virus1", "virus2"]), bulk(RNALCS));
    assert_eq!(c.cmd(&["LCS", "virus1", "virus2", "LEN"]), int(RNALCS.len() as i64));
    let spans = [((238, 238), (239, 239), 1), ((236, 236), (238, 238), 1), ((229, 230), (236, 237), 2), ((224, 224), (235, 235), 1), ((1, 222), (13, 234), 222)];
    let want = |with_len: bool, min: i64| {
        let matches = spans.iter().filter(|m| m.2 >= min).map(|&(a, b, l)| lcs_match(a, b, with_len.then_some(l))).collect();
        arr(vec![bulk("matches"), arr(matches), bulk("len"), int(RNALCS.len() as i64)])
    };
    assert_eq!(c.cmd(&["LCS", "virus1", "virus2", "IDX"]), want(false, 0));
    assert_eq!(c.cmd(&["LCS", "virus1", "virus2", "IDX", "WITHMATCHLEN"]), want(true, 0));
    assert_eq!(c.cmd(&["LCS", "virus1", "virus2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "5"]), want(true, 5));
    assert_eq!(c.cmd(&["LCS", "virus1", "virus2", "idx", "minmatchlen", "-3"]), want(false, 0));
}

#[test]
fn lcs_docs_example_and_resp3_map() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["MSET", "key1", "ohmytext", "key2", "mynewtext"]);
    assert_eq!(c.cmd(&["LCS", "key1", "key2"]), bulk("mytext"));
    assert_eq!(c.cmd(&["LCS", "key1", "key2", "LEN"]), int(6));
    let matches = arr(vec![lcs_match((4, 7), (5, 8), Some(4)), lcs_match((2, 3), (0, 1), Some(2))]);
    assert_eq!(
        c.cmd(&["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "0", "WITHMATCHLEN"]),
        arr(vec![bulk("matches"), matches.clone(), bulk("len"), int(6)])
    );
    if !matches!(c.cmd(&["HELLO", "3"]), R::Agg(..)) {
        return; // RESP3 not in this build yet
    }
    assert_eq!(
        c.cmd(&["LCS", "key1", "key2", "IDX", "WITHMATCHLEN"]),
        R::Agg('%', vec![bulk("matches"), matches, bulk("len"), int(6)])
    );
}

#[test]
fn lcs_missing_keys_and_errors() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "a", "hello"]);
    assert_eq!(c.cmd(&["LCS", "a", "nokey"]), bulk(""));
    assert_eq!(c.cmd(&["LCS", "nokey", "nokey2", "LEN"]), int(0));
    assert_eq!(
        c.cmd(&["LCS", "a", "a", "IDX", "LEN"]),
        R::err("ERR If you want both the length and indexes, please just use IDX.")
    );
    assert_eq!(c.cmd(&["LCS", "a", "a", "FOO"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["LCS", "a", "a", "MINMATCHLEN"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["LCS", "a", "a", "IDX", "MINMATCHLEN", "x"]), not_int());
    assert_eq!(c.cmd(&["LCS", "a"]), R::err("ERR wrong number of arguments for 'lcs' command"));
    if make_list(&mut c, "l") {
        assert_eq!(c.cmd(&["LCS", "a", "l"]), R::err("ERR The specified keys must contain string values"));
    }
}

#[test]
fn lcs_table_is_bounded_by_proto_max_bulk_len() {
    // Redis refuses a table of (N+1)*(M+1) 32-bit cells larger than proto-max-bulk-len,
    // after the option checks and before reading either value.
    let s = Server::start();
    let mut c = s.raw();
    let big = "x".repeat(1000);
    c.cmd(&["MSET", "a", &big, "b", &big]);
    assert_eq!(c.cmd(&["LCS", "a", "b", "LEN"]), int(1000));
    assert_eq!(c.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "1mb"]), R::ok());
    let refused = R::err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    assert_eq!(c.cmd(&["LCS", "a", "b"]), refused);
    assert_eq!(c.cmd(&["LCS", "a", "b", "FOO"]), R::err("ERR syntax error"));
    // 201 * 1001 * 4 bytes is under 1 MiB.
    c.cmd(&["SET", "a", &big[..200]]);
    assert_eq!(c.cmd(&["LCS", "a", "b", "LEN"]), int(200));
    // A sparse 512 MB string is refused without being read.
    assert_eq!(c.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "512mb"]), R::ok());
    assert_eq!(c.cmd(&["SETRANGE", "huge", "536870911", "x"]), int(536870912));
    assert_eq!(c.cmd(&["LCS", "huge", "b", "LEN"]), refused);
}

// ----- transactions and persistence -----

#[test]
fn string_commands_inside_multi_exec() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["INCRBY", "a", "10"]);
    c.cmd(&["APPEND", "a", "x"]);
    c.cmd(&["INCR", "a"]);
    c.cmd(&["GETDEL", "a"]);
    assert_eq!(
        c.cmd(&["EXEC"]),
        arr(vec![R::ok(), int(11), int(3), not_int(), bulk("11x")])
    );
}

#[test]
fn every_string_write_survives_a_restart_with_its_ttl() {
    let mut s = Server::start();
    let mut c = s.raw();
    let far = (now_ms() + 3_600_000).to_string();
    c.cmd(&["SET", "set", "v"]);
    c.cmd(&["SET", "set_ex", "v", "EX", "3600"]);
    c.cmd(&["SET", "set_pxat", "v", "PXAT", &far]);
    c.cmd(&["SET", "short", "v", "PX", "1500"]);
    c.cmd(&["SETNX", "setnx", "v"]);
    c.cmd(&["SETEX", "setex", "3600", "v"]);
    c.cmd(&["PSETEX", "psetex", "3600000", "v"]);
    c.cmd(&["SET", "getset", "old"]);
    c.cmd(&["GETSET", "getset", "v"]);
    c.cmd(&["SET", "getdel", "v"]);
    c.cmd(&["GETDEL", "getdel"]);
    c.cmd(&["SET", "getex", "v"]);
    c.cmd(&["GETEX", "getex", "EX", "3600"]);
    c.cmd(&["SET", "persist", "v", "PX", "1500"]);
    c.cmd(&["GETEX", "persist", "PERSIST"]);
    c.cmd(&["MSET", "mset1", "a", "mset2", "b"]);
    c.cmd(&["MSETNX", "msetnx1", "a", "msetnx2", "b"]);
    c.cmd(&["INCR", "incr"]);
    c.cmd(&["DECR", "decr"]);
    c.cmd(&["INCRBY", "incrby", "100"]);
    c.cmd(&["DECRBY", "decrby", "100"]);
    c.cmd(&["INCRBYFLOAT", "incrbyfloat", "1.5"]);
    c.cmd(&["SET", "incr_ttl", "5", "EX", "3600"]);
    c.cmd(&["INCR", "incr_ttl"]);
    c.cmd(&["APPEND", "append", "ab"]);
    c.cmd(&["APPEND", "append", "cd"]);
    c.cmd(&["SETRANGE", "setrange", "2", "xy"]);
    c.cmd(&["SET", "keepttl", "v1", "EX", "3600"]);
    c.cmd(&["SET", "keepttl", "v2", "KEEPTTL"]);
    drop(c);
    s.restart();
    let mut c = s.raw();
    for (key, want) in [
        ("set", Some("v")),
        ("set_ex", Some("v")),
        ("set_pxat", Some("v")),
        ("setnx", Some("v")),
        ("setex", Some("v")),
        ("psetex", Some("v")),
        ("getset", Some("v")),
        ("getdel", None),
        ("getex", Some("v")),
        ("persist", Some("v")),
        ("mset1", Some("a")),
        ("mset2", Some("b")),
        ("msetnx1", Some("a")),
        ("msetnx2", Some("b")),
        ("incr", Some("1")),
        ("decr", Some("-1")),
        ("incrby", Some("100")),
        ("decrby", Some("-100")),
        ("incrbyfloat", Some("1.5")),
        ("incr_ttl", Some("6")),
        ("append", Some("abcd")),
        ("setrange", Some("\0\0xy")),
        ("keepttl", Some("v2")),
    ] {
        assert_eq!(c.cmd(&["GET", key]), want.map(bulk).unwrap_or(R::Nil), "{key}");
    }
    // TTLs came back: exactly where PTTL exists, by their effect otherwise.
    for key in ["set_ex", "set_pxat", "setex", "psetex", "getex", "incr_ttl", "keepttl"] {
        if let Some(t) = pttl(&mut c, key) {
            assert!(t > 3_000_000 && t <= 3_600_000, "{key}: {t}");
        }
    }
    for key in ["set", "persist", "incr", "append"] {
        if let Some(t) = pttl(&mut c, key) {
            assert_eq!(t, -1, "{key}");
        }
    }
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(c.cmd(&["GET", "short"]), R::Nil);
    assert_eq!(c.cmd(&["GET", "persist"]), bulk("v"));
}
