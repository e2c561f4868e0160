//! List commands against the real server, after Redis's tests/unit/type/list.tcl, plus
//! persistence (restart, kill -9) and a 1,000,000-element list.

mod common;
use common::*;

use std::time::{Duration, Instant};

/// `RPUSH key items...` after deleting the key.
fn create_list(c: &mut Raw, key: &str, items: &[&str]) {
    c.cmd(&["DEL", key]);
    let mut args = vec!["RPUSH", key];
    args.extend_from_slice(items);
    assert_eq!(c.cmd(&args), R::Int(items.len() as i64));
}

/// How many of `keys` exist, read with GET alone (nil only for a missing key: any other
/// type answers WRONGTYPE), so these tests need no other command group.
fn exists(c: &mut Raw, keys: &[&str]) -> R {
    R::Int(keys.iter().filter(|k| c.cmd(&["GET", k]) != R::Nil).count() as i64)
}

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

#[test]
fn lpos_basic_rank_count_maxlen() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "mylist", &["a", "b", "c", "1", "2", "3", "c", "c"]);
    // LPOS basic usage
    assert_eq!(c.cmd(&["LPOS", "mylist", "a"]), R::Int(0));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c"]), R::Int(2));
    // LPOS RANK (positive and negative rank) option
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "RANK", "1"]), R::Int(2));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "RANK", "2"]), R::Int(6));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "RANK", "4"]), R::Nil);
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "RANK", "-1"]), R::Int(7));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "RANK", "-2"]), R::Int(6));
    // LPOS COUNT option
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "0"]), ints(&[2, 6, 7]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "1"]), ints(&[2]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "2"]), ints(&[2, 6]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "100"]), ints(&[2, 6, 7]));
    // LPOS COUNT + RANK option
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "0", "RANK", "2"]), ints(&[6, 7]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "2", "RANK", "-1"]), ints(&[7, 6]));
    // LPOS non existing key / no match
    assert_eq!(c.cmd(&["LPOS", "mylistxxx", "c", "COUNT", "0", "RANK", "2"]), ints(&[]));
    assert_eq!(c.cmd(&["LPOS", "mylistxxx", "c"]), R::Nil);
    assert_eq!(c.cmd(&["LPOS", "mylist", "x", "COUNT", "2", "RANK", "-1"]), ints(&[]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "x", "RANK", "-1"]), R::Nil);
    // LPOS MAXLEN
    assert_eq!(c.cmd(&["LPOS", "mylist", "a", "COUNT", "0", "MAXLEN", "1"]), ints(&[0]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "0", "MAXLEN", "1"]), ints(&[]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "0", "MAXLEN", "3"]), ints(&[2]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "0", "MAXLEN", "3", "RANK", "-1"]), ints(&[7, 6]));
    assert_eq!(c.cmd(&["LPOS", "mylist", "c", "COUNT", "0", "MAXLEN", "7", "RANK", "2"]), ints(&[6]));
}

#[test]
fn lpos_errors() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "l", &["a"]);
    assert_eq!(
        c.cmd(&["LPOS", "l", "a", "RANK", "0"]),
        R::err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
    );
    assert_eq!(c.cmd(&["LPOS", "l", "a", "RANK", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(
        c.cmd(&["LPOS", "l", "a", "RANK", "-9223372036854775808"]),
        R::err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(c.cmd(&["LPOS", "l", "a", "RANK", "-9223372036854775807"]), R::Nil);
    assert_eq!(c.cmd(&["LPOS", "l", "a", "COUNT", "-1"]), R::err("ERR COUNT can't be negative"));
    assert_eq!(c.cmd(&["LPOS", "l", "a", "COUNT", "x"]), R::err("ERR COUNT can't be negative"));
    assert_eq!(c.cmd(&["LPOS", "l", "a", "MAXLEN", "-1"]), R::err("ERR MAXLEN can't be negative"));
    assert_eq!(c.cmd(&["LPOS", "l", "a", "BOGUS"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["LPOS", "l", "a", "RANK"]), R::err("ERR syntax error"));
    c.cmd(&["SET", "s", "x"]);
    assert_eq!(c.cmd(&["LPOS", "s", "a"]), R::err(WRONGTYPE));
}

#[test]
fn push_llen_lindex_pop() {
    let s = Server::start();
    let mut c = s.raw();
    // first lpush then rpush
    assert_eq!(c.cmd(&["LPUSH", "l1", "aa"]), R::Int(1));
    assert_eq!(c.cmd(&["RPUSH", "l1", "bb"]), R::Int(2));
    assert_eq!(c.cmd(&["RPUSH", "l1", "cc"]), R::Int(3));
    assert_eq!(c.cmd(&["LLEN", "l1"]), R::Int(3));
    assert_eq!(c.cmd(&["LINDEX", "l1", "0"]), R::bulk("aa"));
    assert_eq!(c.cmd(&["LINDEX", "l1", "1"]), R::bulk("bb"));
    assert_eq!(c.cmd(&["LINDEX", "l1", "2"]), R::bulk("cc"));
    assert_eq!(c.cmd(&["LINDEX", "l1", "3"]), R::Nil);
    assert_eq!(c.cmd(&["LINDEX", "l1", "-3"]), R::bulk("aa"));
    assert_eq!(c.cmd(&["LINDEX", "l1", "-4"]), R::Nil);
    assert_eq!(c.cmd(&["RPOP", "l1"]), R::bulk("cc"));
    assert_eq!(c.cmd(&["LPOP", "l1"]), R::bulk("aa"));
    // first rpush then lpush
    assert_eq!(c.cmd(&["RPUSH", "l2", "a"]), R::Int(1));
    assert_eq!(c.cmd(&["LPUSH", "l2", "b"]), R::Int(2));
    assert_eq!(c.cmd(&["LPUSH", "l2", "c"]), R::Int(3));
    assert_eq!(c.cmd(&["LRANGE", "l2", "0", "-1"]), bulks(&["c", "b", "a"]));
    // Variadic RPUSH/LPUSH
    c.cmd(&["DEL", "mylist"]);
    assert_eq!(c.cmd(&["LPUSH", "mylist", "a", "b", "c", "d"]), R::Int(4));
    assert_eq!(c.cmd(&["RPUSH", "mylist", "0", "1", "2", "3"]), R::Int(8));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&["d", "c", "b", "a", "0", "1", "2", "3"]));
    // DEL a list
    assert_eq!(c.cmd(&["DEL", "mylist"]), R::Int(1));
    assert_eq!(c.cmd(&["LLEN", "mylist"]), R::Int(0));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&[]));
    // R/LPOP against empty list
    assert_eq!(c.cmd(&["LPOP", "non-existing-list"]), R::Nil);
    assert_eq!(c.cmd(&["RPOP", "non-existing-list"]), R::Nil);
    // Arity
    assert_eq!(c.cmd(&["RPUSH", "x"]), R::err("ERR wrong number of arguments for 'rpush' command"));
    assert_eq!(c.cmd(&["LPOP", "x", "1", "2"]), R::err("ERR wrong number of arguments for 'lpop' command"));
}

#[test]
fn pop_with_count_reply_shapes() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "l", &["a", "b", "c", "d", "e"]);
    assert_eq!(c.cmd(&["LPOP", "l", "0"]), bulks(&[]));
    assert_eq!(c.cmd(&["LPOP", "l", "2"]), bulks(&["a", "b"]));
    assert_eq!(c.cmd(&["RPOP", "l", "2"]), bulks(&["e", "d"]));
    assert_eq!(c.cmd(&["RPOP", "l", "10"]), bulks(&["c"]));
    assert_eq!(exists(&mut c, &["l"]), R::Int(0));
    // Missing key: a null array with a count (even 0), a null bulk without.
    assert_eq!(c.cmd(&["LPOP", "l", "0"]), R::Nil);
    assert_eq!(c.cmd(&["LPOP", "l", "3"]), R::Nil);
    for bad in ["-1", "x", "1.5"] {
        assert_eq!(c.cmd(&["LPOP", "l", bad]), R::err("ERR value is out of range, must be positive"));
        assert_eq!(c.cmd(&["RPOP", "l", bad]), R::err("ERR value is out of range, must be positive"));
    }
    c.cmd(&["SET", "s", "x"]);
    assert_eq!(c.cmd(&["LPOP", "s", "0"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["RPOP", "s"]), R::err(WRONGTYPE));
}

#[test]
fn pop_nil_shapes_on_the_wire() {
    // The exact bytes: `*-1` for a count, `$-1` without, `_` for both in RESP3.
    let s = Server::start();
    let mut c = s.raw();
    c.send(&encode(&["LPOP", "nokey", "2"]));
    let mut buf = [0u8; 5];
    std::io::Read::read_exact(&mut c.stream, &mut buf).unwrap();
    assert_eq!(&buf, b"*-1\r\n");
    c.send(&encode(&["RPOP", "nokey"]));
    std::io::Read::read_exact(&mut c.stream, &mut buf).unwrap();
    assert_eq!(&buf, b"$-1\r\n");
    c.send(&encode(&["LMPOP", "1", "nokey", "LEFT"]));
    std::io::Read::read_exact(&mut c.stream, &mut buf).unwrap();
    assert_eq!(&buf, b"*-1\r\n");
    let mut c3 = s.raw();
    if !matches!(c3.cmd(&["HELLO", "3"]), R::Agg('%', _)) {
        eprintln!("HELLO not available in this build: RESP3 part skipped");
        return;
    }
    c3.send(&encode(&["LPOP", "nokey", "2"]));
    let mut buf3 = [0u8; 3];
    std::io::Read::read_exact(&mut c3.stream, &mut buf3).unwrap();
    assert_eq!(&buf3, b"_\r\n");
}

#[test]
fn pushx_only_existing() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["LPUSHX", "xlist", "a"]), R::Int(0));
    assert_eq!(c.cmd(&["LLEN", "xlist"]), R::Int(0));
    assert_eq!(c.cmd(&["RPUSHX", "xlist", "a"]), R::Int(0));
    assert_eq!(exists(&mut c, &["xlist"]), R::Int(0));
    create_list(&mut c, "xlist", &["b", "c"]);
    assert_eq!(c.cmd(&["RPUSHX", "xlist", "d"]), R::Int(3));
    assert_eq!(c.cmd(&["LPUSHX", "xlist", "a"]), R::Int(4));
    assert_eq!(c.cmd(&["RPUSHX", "xlist", "42", "x"]), R::Int(6));
    assert_eq!(c.cmd(&["LPUSHX", "xlist", "y3", "y2", "y1"]), R::Int(9));
    assert_eq!(c.cmd(&["LRANGE", "xlist", "0", "-1"]), bulks(&["y1", "y2", "y3", "a", "b", "c", "d", "42", "x"]));
    c.cmd(&["SET", "s", "x"]);
    assert_eq!(c.cmd(&["LPUSHX", "s", "a"]), R::err(WRONGTYPE));
}

#[test]
fn linsert_before_and_after() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "xlist", &["a", "b", "c", "d"]);
    assert_eq!(c.cmd(&["LINSERT", "xlist", "before", "c", "zz"]), R::Int(5));
    assert_eq!(c.cmd(&["LRANGE", "xlist", "0", "10"]), bulks(&["a", "b", "zz", "c", "d"]));
    assert_eq!(c.cmd(&["LINSERT", "xlist", "after", "c", "yy"]), R::Int(6));
    assert_eq!(c.cmd(&["LRANGE", "xlist", "0", "10"]), bulks(&["a", "b", "zz", "c", "yy", "d"]));
    assert_eq!(c.cmd(&["LINSERT", "xlist", "after", "d", "dd"]), R::Int(7));
    assert_eq!(c.cmd(&["LINSERT", "xlist", "after", "bad", "ddd"]), R::Int(-1));
    assert_eq!(c.cmd(&["LRANGE", "xlist", "0", "10"]), bulks(&["a", "b", "zz", "c", "yy", "d", "dd"]));
    assert_eq!(c.cmd(&["LINSERT", "xlist", "BEFORE", "a", "aa"]), R::Int(8));
    assert_eq!(c.cmd(&["LINSERT", "xlist", "before", "bad", "aaa"]), R::Int(-1));
    assert_eq!(c.cmd(&["LRANGE", "xlist", "0", "10"]), bulks(&["aa", "a", "b", "zz", "c", "yy", "d", "dd"]));
    assert_eq!(c.cmd(&["LINSERT", "xlist", "before", "aa", "42"]), R::Int(9));
    assert_eq!(c.cmd(&["LRANGE", "xlist", "0", "0"]), bulks(&["42"]));
    // Both ends still work after middle inserts.
    assert_eq!(c.cmd(&["LPUSH", "xlist", "h"]), R::Int(10));
    assert_eq!(c.cmd(&["RPUSH", "xlist", "t"]), R::Int(11));
    assert_eq!(c.cmd(&["LINDEX", "xlist", "-1"]), R::bulk("t"));
    assert_eq!(c.cmd(&["LINDEX", "xlist", "0"]), R::bulk("h"));
    // LINSERT raise error on bad syntax; missing key answers 0.
    assert_eq!(c.cmd(&["LINSERT", "xlist", "aft3r", "aa", "42"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["LINSERT", "nokey", "before", "a", "x"]), R::Int(0));
    assert_eq!(exists(&mut c, &["nokey"]), R::Int(0));
}

#[test]
fn lindex_consistency_and_random_access() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["DEL", "mylist"]);
    let n = 250;
    for i in 0..n {
        c.cmd(&["RPUSH", "mylist", &i.to_string()]);
    }
    for i in 0..n {
        assert_eq!(c.cmd(&["LINDEX", "mylist", &i.to_string()]), R::bulk(&i.to_string()));
        assert_eq!(c.cmd(&["LINDEX", "mylist", &(-i - 1).to_string()]), R::bulk(&(n - 1 - i).to_string()));
    }
    for _ in 0..n {
        let r = fastrand_like(n as u64) as i64;
        assert_eq!(c.cmd(&["LINDEX", "mylist", &r.to_string()]), R::bulk(&r.to_string()));
    }
    // Mass RPOP/LPOP
    c.cmd(&["DEL", "mylist"]);
    let mut sum1 = 0;
    for i in 0..500 {
        c.cmd(&["LPUSH", "mylist", &i.to_string()]);
        sum1 += i;
    }
    let mut sum2 = 0;
    for _ in 0..250 {
        for cmd in ["LPOP", "RPOP"] {
            match c.cmd(&[cmd, "mylist"]) {
                R::Bulk(b) => sum2 += String::from_utf8(b).unwrap().parse::<i64>().unwrap(),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(sum1, sum2);
    assert_eq!(exists(&mut c, &["mylist"]), R::Int(0));
}

/// A small deterministic pseudo-random sequence (no extra test dependency).
fn fastrand_like(n: u64) -> u64 {
    use std::cell::Cell;
    thread_local!(static STATE: Cell<u64> = const { Cell::new(0x9e3779b97f4a7c15) });
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x % n
    })
}

#[test]
fn wrong_type_and_missing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "mylist", "foobar"]);
    for args in [
        &["LLEN", "mylist"][..],
        &["LINDEX", "mylist", "0"],
        &["LPUSH", "mylist", "0"],
        &["RPUSH", "mylist", "0"],
        &["LRANGE", "mylist", "0", "-1"],
        &["LTRIM", "mylist", "0", "-1"],
        &["LREM", "mylist", "0", "a"],
        &["LSET", "mylist", "0", "foo"],
        &["LINSERT", "mylist", "before", "a", "b"],
        &["LMPOP", "1", "mylist", "left"],
    ] {
        assert_eq!(c.cmd(args), R::err(WRONGTYPE), "{args:?}");
    }
    assert_eq!(c.cmd(&["LLEN", "not-a-key"]), R::Int(0));
    assert_eq!(c.cmd(&["LINDEX", "not-a-key", "10"]), R::Nil);
    assert_eq!(c.cmd(&["LRANGE", "nosuchkey", "0", "1"]), bulks(&[]));
    assert_eq!(c.cmd(&["LTRIM", "nosuchkey", "0", "1"]), R::ok());
    assert_eq!(c.cmd(&["LREM", "nosuchkey", "0", "a"]), R::Int(0));
    // The key is checked before the index, as in Redis.
    assert_eq!(c.cmd(&["LINDEX", "mylist", "x"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["LINDEX", "not-a-key", "x"]), R::Nil);
    assert_eq!(c.cmd(&["LSET", "mylist", "x", "v"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["LSET", "not-a-key", "x", "v"]), R::err("ERR no such key"));
    c.cmd(&["RPUSH", "l", "a"]);
    assert_eq!(c.cmd(&["LINDEX", "l", "x"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["LRANGE", "l", "a", "1"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["LTRIM", "l", "0", "b"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["LREM", "l", "x", "a"]), R::err("ERR value is not an integer or out of range"));
}

#[test]
fn rpoplpush_and_lmove() {
    let s = Server::start();
    let mut c = s.raw();
    // RPOPLPUSH base case
    create_list(&mut c, "mylist1", &["a", "b", "c", "d"]);
    c.cmd(&["DEL", "mylist2"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "mylist1", "mylist2"]), R::bulk("d"));
    assert_eq!(c.cmd(&["RPOPLPUSH", "mylist1", "mylist2"]), R::bulk("c"));
    assert_eq!(c.cmd(&["LRANGE", "mylist1", "0", "-1"]), bulks(&["a", "b"]));
    assert_eq!(c.cmd(&["LRANGE", "mylist2", "0", "-1"]), bulks(&["c", "d"]));
    // RPOPLPUSH with the same list as src and dst
    create_list(&mut c, "mylist", &["a", "b", "c"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "mylist", "mylist"]), R::bulk("c"));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&["c", "a", "b"]));
    create_list(&mut c, "one", &["x"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "one", "one"]), R::bulk("x"));
    assert_eq!(c.cmd(&["LRANGE", "one", "0", "-1"]), bulks(&["x"]));
    // RPOPLPUSH with an existing target
    create_list(&mut c, "srclist", &["a", "b", "c", "big"]);
    create_list(&mut c, "dstlist", &["other"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "srclist", "dstlist"]), R::bulk("big"));
    assert_eq!(c.cmd(&["RPOPLPUSH", "srclist", "dstlist"]), R::bulk("c"));
    assert_eq!(c.cmd(&["LRANGE", "srclist", "0", "-1"]), bulks(&["a", "b"]));
    assert_eq!(c.cmd(&["LRANGE", "dstlist", "0", "-1"]), bulks(&["c", "big", "other"]));
    // RPOPLPUSH against non existing key
    c.cmd(&["DEL", "srclist", "dstlist"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "srclist", "dstlist"]), R::Nil);
    assert_eq!(exists(&mut c, &["srclist", "dstlist"]), R::Int(0));
    // RPOPLPUSH against non list src key
    c.cmd(&["SET", "srclist", "x"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "srclist", "dstlist"]), R::err(WRONGTYPE));
    assert_eq!(exists(&mut c, &["dstlist"]), R::Int(0));
    // RPOPLPUSH against non list dst key: nothing moves.
    create_list(&mut c, "srclist", &["a", "b", "c", "d"]);
    c.cmd(&["SET", "dstlist", "x"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "srclist", "dstlist"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["GET", "dstlist"]), R::bulk("x"));
    assert_eq!(c.cmd(&["LRANGE", "srclist", "0", "-1"]), bulks(&["a", "b", "c", "d"]));
    // A missing source never checks the destination's type.
    assert_eq!(c.cmd(&["LMOVE", "nosrc", "dstlist", "LEFT", "LEFT"]), R::Nil);

    // LMOVE in every direction.
    for (wherefrom, whereto, moved, src_after, dst_after) in [
        ("LEFT", "LEFT", "a", &["b", "c"][..], &["a", "x"][..]),
        ("LEFT", "RIGHT", "a", &["b", "c"][..], &["x", "a"][..]),
        ("RIGHT", "LEFT", "c", &["a", "b"][..], &["c", "x"][..]),
        ("RIGHT", "RIGHT", "c", &["a", "b"][..], &["x", "c"][..]),
    ] {
        create_list(&mut c, "src", &["a", "b", "c"]);
        create_list(&mut c, "dst", &["x"]);
        assert_eq!(c.cmd(&["LMOVE", "src", "dst", wherefrom, whereto]), R::bulk(moved));
        assert_eq!(c.cmd(&["LRANGE", "src", "0", "-1"]), bulks(src_after));
        assert_eq!(c.cmd(&["LRANGE", "dst", "0", "-1"]), bulks(dst_after));
    }
    create_list(&mut c, "src", &["a", "b", "c"]);
    assert_eq!(c.cmd(&["LMOVE", "src", "src", "LEFT", "RIGHT"]), R::bulk("a"));
    assert_eq!(c.cmd(&["LRANGE", "src", "0", "-1"]), bulks(&["b", "c", "a"]));
    assert_eq!(c.cmd(&["LMOVE", "src", "dst", "up", "LEFT"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["LMOVE", "src", "dst", "LEFT", "down"]), R::err("ERR syntax error"));
}

#[test]
fn lrange_edges() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "mylist", &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    // LRANGE basics
    assert_eq!(c.cmd(&["LRANGE", "mylist", "1", "-2"]), bulks(&["1", "2", "3", "4", "5", "6", "7", "8"]));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "-3", "-1"]), bulks(&["7", "8", "9"]));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "4", "4"]), bulks(&["4"]));
    // LRANGE inverted indexes
    assert_eq!(c.cmd(&["LRANGE", "mylist", "6", "2"]), bulks(&[]));
    // LRANGE out of range indexes including the full list
    create_list(&mut c, "mylist", &["big", "1", "2", "3"]);
    assert_eq!(c.cmd(&["LRANGE", "mylist", "-1000", "1000"]), bulks(&["big", "1", "2", "3"]));
    // LRANGE out of range negative end index
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-4"]), bulks(&["big"]));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-5"]), bulks(&[]));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "4", "10"]), bulks(&[]));
    assert_eq!(
        c.cmd(&["LRANGE", "mylist", "-9223372036854775808", "9223372036854775807"]),
        bulks(&["big", "1", "2", "3"])
    );
    assert_eq!(c.cmd(&["LINDEX", "mylist", "9223372036854775807"]), R::Nil);
    assert_eq!(c.cmd(&["LINDEX", "mylist", "-9223372036854775808"]), R::Nil);
}

fn trim_list(c: &mut Raw, min: &str, max: &str) -> R {
    create_list(c, "mylist", &["1", "2", "3", "4", "big"]);
    assert_eq!(c.cmd(&["LTRIM", "mylist", min, max]), R::ok());
    c.cmd(&["LRANGE", "mylist", "0", "-1"])
}

#[test]
fn ltrim_edges() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(trim_list(&mut c, "0", "0"), bulks(&["1"]));
    assert_eq!(trim_list(&mut c, "0", "1"), bulks(&["1", "2"]));
    assert_eq!(trim_list(&mut c, "0", "2"), bulks(&["1", "2", "3"]));
    assert_eq!(trim_list(&mut c, "1", "2"), bulks(&["2", "3"]));
    assert_eq!(trim_list(&mut c, "1", "-1"), bulks(&["2", "3", "4", "big"]));
    assert_eq!(trim_list(&mut c, "1", "-2"), bulks(&["2", "3", "4"]));
    assert_eq!(trim_list(&mut c, "-2", "-1"), bulks(&["4", "big"]));
    assert_eq!(trim_list(&mut c, "-1", "-1"), bulks(&["big"]));
    assert_eq!(trim_list(&mut c, "-5", "-1"), bulks(&["1", "2", "3", "4", "big"]));
    assert_eq!(trim_list(&mut c, "-10", "10"), bulks(&["1", "2", "3", "4", "big"]));
    assert_eq!(trim_list(&mut c, "0", "5"), bulks(&["1", "2", "3", "4", "big"]));
    assert_eq!(trim_list(&mut c, "0", "10"), bulks(&["1", "2", "3", "4", "big"]));
    // LTRIM out of range negative end index
    assert_eq!(trim_list(&mut c, "0", "-5"), bulks(&["1"]));
    assert_eq!(trim_list(&mut c, "0", "-6"), bulks(&[]));
    assert_eq!(exists(&mut c, &["mylist"]), R::Int(0));
    assert_eq!(trim_list(&mut c, "9223372036854775807", "-9223372036854775808"), bulks(&[]));
    // A capped list: LPUSH + LTRIM keeps the newest elements.
    c.cmd(&["DEL", "capped"]);
    for i in 0..300 {
        c.cmd(&["LPUSH", "capped", &i.to_string()]);
        c.cmd(&["LTRIM", "capped", "0", "99"]);
    }
    assert_eq!(c.cmd(&["LLEN", "capped"]), R::Int(100));
    assert_eq!(c.cmd(&["LINDEX", "capped", "0"]), R::bulk("299"));
    assert_eq!(c.cmd(&["LINDEX", "capped", "-1"]), R::bulk("200"));
}

#[test]
fn lset_cases() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "mylist", &["99", "98", "big", "96", "95"]);
    assert_eq!(c.cmd(&["LSET", "mylist", "1", "foo"]), R::ok());
    assert_eq!(c.cmd(&["LSET", "mylist", "-1", "bar"]), R::ok());
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&["99", "foo", "big", "96", "bar"]));
    // LSET out of range index
    assert_eq!(c.cmd(&["LSET", "mylist", "10", "foo"]), R::err("ERR index out of range"));
    assert_eq!(c.cmd(&["LSET", "mylist", "-6", "foo"]), R::err("ERR index out of range"));
    // LSET against non existing key
    assert_eq!(c.cmd(&["LSET", "nosuchkey", "10", "foo"]), R::err("ERR no such key"));
    assert_eq!(c.cmd(&["LSET", "mylist", "x", "foo"]), R::err("ERR value is not an integer or out of range"));
    // LSET against non list value
    c.cmd(&["SET", "nolist", "foobar"]);
    assert_eq!(c.cmd(&["LSET", "nolist", "0", "foo"]), R::err(WRONGTYPE));
}

#[test]
fn lrem_cases() {
    let s = Server::start();
    let mut c = s.raw();
    // LREM remove all the occurrences
    create_list(&mut c, "mylist", &["e", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo"]);
    assert_eq!(c.cmd(&["LREM", "mylist", "0", "bar"]), R::Int(2));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&["e", "foo", "foobar", "foobared", "zap", "test", "foo"]));
    // LREM remove the first occurrence
    assert_eq!(c.cmd(&["LREM", "mylist", "1", "foo"]), R::Int(1));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&["e", "foobar", "foobared", "zap", "test", "foo"]));
    // LREM remove non existing element
    assert_eq!(c.cmd(&["LREM", "mylist", "1", "nosuchelement"]), R::Int(0));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&["e", "foobar", "foobared", "zap", "test", "foo"]));
    // LREM starting from tail with negative count
    create_list(&mut c, "mylist", &["e", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo", "foo"]);
    assert_eq!(c.cmd(&["LREM", "mylist", "-1", "bar"]), R::Int(1));
    assert_eq!(
        c.cmd(&["LRANGE", "mylist", "0", "-1"]),
        bulks(&["e", "foo", "bar", "foobar", "foobared", "zap", "test", "foo", "foo"])
    );
    // LREM starting from tail with negative count (2)
    assert_eq!(c.cmd(&["LREM", "mylist", "-2", "foo"]), R::Int(2));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "0", "-1"]), bulks(&["e", "foo", "bar", "foobar", "foobared", "zap", "test"]));
    // LREM deleting objects that may be int encoded
    create_list(&mut c, "myotherlist", &["e", "1", "2", "3"]);
    assert_eq!(c.cmd(&["LREM", "myotherlist", "1", "2"]), R::Int(1));
    assert_eq!(c.cmd(&["LLEN", "myotherlist"]), R::Int(3));
    // Removing every element deletes the key.
    create_list(&mut c, "same", &["x", "x", "x"]);
    assert_eq!(c.cmd(&["LREM", "same", "0", "x"]), R::Int(3));
    assert_eq!(exists(&mut c, &["same"]), R::Int(0));
}

#[test]
fn lmpop_single_and_multiple_lists() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "mylist", &["a", "b", "c", "d", "e"]);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "LEFT"]), R::Array(vec![R::bulk("mylist"), bulks(&["a"])]));
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "RIGHT"]), R::Array(vec![R::bulk("mylist"), bulks(&["e"])]));
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "LEFT", "COUNT", "1"]), R::Array(vec![R::bulk("mylist"), bulks(&["b"])]));
    assert_eq!(
        c.cmd(&["LMPOP", "1", "mylist", "RIGHT", "COUNT", "10"]),
        R::Array(vec![R::bulk("mylist"), bulks(&["d", "c"])])
    );
    assert_eq!(exists(&mut c, &["mylist"]), R::Int(0));
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "LEFT"]), R::Nil);
    create_list(&mut c, "mylist2", &["1", "2", "3"]);
    assert_eq!(
        c.cmd(&["LMPOP", "2", "mylist", "mylist2", "left", "count", "2"]),
        R::Array(vec![R::bulk("mylist2"), bulks(&["1", "2"])])
    );
    assert_eq!(c.cmd(&["LMPOP", "2", "mylist", "mylist2", "right"]), R::Array(vec![R::bulk("mylist2"), bulks(&["3"])]));
    assert_eq!(c.cmd(&["LMPOP", "2", "mylist", "mylist2", "right"]), R::Nil);
}

#[test]
fn lmpop_same_key_several_times_and_missing_keys() {
    let s = Server::start();
    let mut c = s.raw();
    create_list(&mut c, "mylist", &["a", "b", "large", "d", "e", "f"]);
    assert_eq!(c.cmd(&["LMPOP", "2", "mylist", "mylist", "left", "count", "2"]), R::Array(vec![R::bulk("mylist"), bulks(&["a", "b"])]));
    assert_eq!(c.cmd(&["LMPOP", "2", "mylist", "mylist", "right", "count", "2"]), R::Array(vec![R::bulk("mylist"), bulks(&["f", "e"])]));
    assert_eq!(c.cmd(&["LLEN", "mylist"]), R::Int(2));
    // LRANGE with start > end yields an empty array
    assert_eq!(c.cmd(&["LRANGE", "mylist", "1", "0"]), bulks(&[]));
    assert_eq!(c.cmd(&["LRANGE", "mylist", "-1", "-2"]), bulks(&[]));
}

#[test]
fn lmpop_with_illegal_argument() {
    let s = Server::start();
    let mut c = s.raw();
    let arity = R::err("ERR wrong number of arguments for 'lmpop' command");
    assert_eq!(c.cmd(&["LMPOP"]), arity);
    assert_eq!(c.cmd(&["LMPOP", "1"]), arity);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist"]), arity);
    let numkeys = R::err("ERR numkeys should be greater than 0");
    assert_eq!(c.cmd(&["LMPOP", "0", "mylist", "LEFT"]), numkeys);
    assert_eq!(c.cmd(&["LMPOP", "a", "mylist", "LEFT"]), numkeys);
    assert_eq!(c.cmd(&["LMPOP", "-1", "mylist", "RIGHT"]), numkeys);
    let syntax = R::err("ERR syntax error");
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "bad_where"]), syntax);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "LEFT", "bar_arg"]), syntax);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "RIGHT", "LEFT"]), syntax);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "COUNT"]), syntax);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "LEFT", "COUNT", "1", "COUNT", "2"]), syntax);
    assert_eq!(c.cmd(&["LMPOP", "2", "mylist", "mylist2", "bad_arg"]), syntax);
    assert_eq!(c.cmd(&["LMPOP", "2", "mylist", "LEFT"]), syntax);
    let count = R::err("ERR count should be greater than 0");
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "LEFT", "COUNT", "0"]), count);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "RIGHT", "COUNT", "a"]), count);
    assert_eq!(c.cmd(&["LMPOP", "1", "mylist", "LEFT", "COUNT", "-1"]), count);
    assert_eq!(c.cmd(&["LMPOP", "2", "mylist", "mylist2", "RIGHT", "COUNT", "-1"]), count);
    // WRONGTYPE: the first key holding something else fails the command.
    c.cmd(&["SET", "notalist", "x"]);
    assert_eq!(c.cmd(&["LMPOP", "2", "notalist", "nokey", "left", "count", "1"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["LMPOP", "2", "nokey", "notalist", "right", "count", "10"]), R::err(WRONGTYPE));
}

#[test]
fn lists_survive_restart_and_kill9() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    {
        let mut c = s.raw();
        create_list(&mut c, "l", &["a", "b", "c", "d"]);
        c.cmd(&["LPUSH", "l", "z"]);
        c.cmd(&["LINSERT", "l", "after", "b", "bb"]);
        c.cmd(&["LPOP", "l"]);
        create_list(&mut c, "ttl", &["x"]);
    }
    let ttl_supported = !matches!(s.raw().cmd(&["PEXPIRE", "ttl", "100000"]), R::Error(_));
    s.restart();
    {
        let mut c = s.raw();
        assert_eq!(c.cmd(&["LRANGE", "l", "0", "-1"]), bulks(&["a", "b", "bb", "c", "d"]));
        if ttl_supported {
            assert!(matches!(c.cmd(&["PTTL", "ttl"]), R::Int(t) if t > 90_000 && t <= 100_000));
        }
        c.cmd(&["RPUSH", "l", "e"]);
        c.cmd(&["LSET", "l", "0", "A"]);
        c.cmd(&["LTRIM", "l", "0", "4"]);
    }
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["LRANGE", "l", "0", "-1"]), bulks(&["A", "b", "bb", "c", "d"]));
    assert_eq!(c.cmd(&["LLEN", "l"]), R::Int(5));
    assert_eq!(c.cmd(&["LRANGE", "ttl", "0", "-1"]), bulks(&["x"]));
    if ttl_supported {
        assert!(matches!(c.cmd(&["PTTL", "ttl"]), R::Int(t) if t > 0 && t <= 100_000));
    } else {
        eprintln!("PEXPIRE not available in this build: TTL part skipped");
    }
}

#[test]
fn million_element_list_del_and_far_end_reads() {
    let s = Server::start();
    let mut c = s.raw();
    const TOTAL: usize = 1_000_000;
    const PER_CMD: usize = 1000;
    const PIPELINE: usize = 20;
    let started = Instant::now();
    let values: Vec<String> = (0..PER_CMD).map(|i| format!("{i:06}")).collect();
    let mut pushed = 0;
    while pushed < TOTAL {
        let mut batch = Vec::new();
        let mut sent = 0;
        for _ in 0..PIPELINE {
            if pushed + sent * PER_CMD >= TOTAL {
                break;
            }
            let mut args = vec!["RPUSH", "big"];
            args.extend(values.iter().map(|s| s.as_str()));
            batch.extend_from_slice(&encode(&args));
            sent += 1;
        }
        c.send(&batch);
        for _ in 0..sent {
            match c.read() {
                R::Int(_) => {}
                other => panic!("{other:?}"),
            }
        }
        pushed += sent * PER_CMD;
    }
    println!("built a {TOTAL}-element list in {:?}", started.elapsed());
    assert_eq!(c.cmd(&["LLEN", "big"]), R::Int(TOTAL as i64));

    let t = Instant::now();
    assert_eq!(c.cmd(&["LINDEX", "big", "-1"]), R::bulk("000999"));
    assert_eq!(c.cmd(&["LINDEX", "big", "999999"]), R::bulk("000999"));
    assert_eq!(c.cmd(&["LINDEX", "big", "-500000"]), R::bulk("000000"));
    let lindex = t.elapsed();
    let t = Instant::now();
    let tail = c.cmd(&["LRANGE", "big", "-100", "-1"]);
    let lrange = t.elapsed();
    match tail {
        R::Array(items) => {
            assert_eq!(items.len(), 100);
            assert_eq!(items[99], R::bulk("000999"));
        }
        other => panic!("{other:?}"),
    }
    let t = Instant::now();
    assert_eq!(c.cmd(&["RPOP", "big"]), R::bulk("000999"));
    assert_eq!(c.cmd(&["LPOP", "big"]), R::bulk("000000"));
    let pops = t.elapsed();
    let t = Instant::now();
    assert_eq!(c.cmd(&["DEL", "big"]), R::Int(1));
    let del = t.elapsed();
    println!("LINDEX x3 {lindex:?}, LRANGE -100 -1 {lrange:?}, RPOP+LPOP {pops:?}, DEL {del:?}");
    assert_eq!(exists(&mut c, &["big"]), R::Int(0));
    assert_eq!(c.cmd(&["LLEN", "big"]), R::Int(0));
    // Generous bounds: these are single point reads / one small scan / one metadata delete.
    assert!(del < Duration::from_secs(1), "DEL took {del:?}");
    assert!(lindex < Duration::from_secs(1), "LINDEX took {lindex:?}");
    assert!(lrange < Duration::from_secs(1), "LRANGE took {lrange:?}");
    // A new list under the same name sees none of the old elements.
    assert_eq!(c.cmd(&["RPUSH", "big", "fresh"]), R::Int(1));
    assert_eq!(c.cmd(&["LRANGE", "big", "0", "-1"]), bulks(&["fresh"]));
}
