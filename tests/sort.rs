//! SORT and SORT_RO against the real server, after Redis's tests/unit/sort.tcl and the
//! SORT command page.

mod common;
use common::*;

fn nil_or(items: &[Option<&str>]) -> R {
    R::Array(items.iter().map(|s| s.map(R::bulk).unwrap_or(R::Nil)).collect())
}

/// The set-up of sort.tcl in miniature: ids 1..=5 in a list, a set and a sorted set, with
/// weights and objects to look up.
fn fixture(c: &mut Raw) {
    for (id, weight) in [("3", "30"), ("1", "50"), ("5", "10"), ("2", "40"), ("4", "20")] {
        c.cmd(&["RPUSH", "tosort", id]);
        c.cmd(&["SADD", "tosort-set", id]);
        c.cmd(&["ZADD", "tosort-zset", weight, id]);
        c.cmd(&["SET", &format!("weight_{id}"), weight]);
        c.cmd(&["HSET", &format!("wobj_{id}"), "weight", weight, "name", &format!("obj{id}")]);
        c.cmd(&["SET", &format!("obj_{id}"), &format!("o{id}")]);
    }
}

#[test]
fn sort_numeric_on_list_set_and_zset() {
    let s = Server::start();
    let mut c = s.raw();
    fixture(&mut c);
    for key in ["tosort", "tosort-set", "tosort-zset"] {
        assert_eq!(c.cmd(&["SORT", key]), bulks(&["1", "2", "3", "4", "5"]), "{key}");
        assert_eq!(c.cmd(&["SORT", key, "DESC"]), bulks(&["5", "4", "3", "2", "1"]), "{key}");
        assert_eq!(c.cmd(&["SORT_RO", key, "ASC"]), bulks(&["1", "2", "3", "4", "5"]), "{key}");
    }
}

#[test]
fn sort_by_key_and_by_hash_field() {
    let s = Server::start();
    let mut c = s.raw();
    fixture(&mut c);
    assert_eq!(c.cmd(&["SORT", "tosort", "BY", "weight_*"]), bulks(&["5", "4", "3", "2", "1"]));
    assert_eq!(c.cmd(&["SORT", "tosort", "BY", "wobj_*->weight", "DESC"]), bulks(&["1", "2", "3", "4", "5"]));
    // ALPHA over the looked-up values.
    assert_eq!(c.cmd(&["SORT", "tosort", "BY", "wobj_*->name", "ALPHA", "LIMIT", "0", "2"]), bulks(&["1", "2"]));
}

#[test]
fn sort_get_patterns_and_hash_fields() {
    let s = Server::start();
    let mut c = s.raw();
    fixture(&mut c);
    assert_eq!(
        c.cmd(&["SORT", "tosort", "GET", "obj_*", "LIMIT", "0", "2"]),
        bulks(&["o1", "o2"])
    );
    assert_eq!(
        c.cmd(&["SORT", "tosort", "LIMIT", "0", "2", "GET", "#", "GET", "wobj_*->name"]),
        bulks(&["1", "obj1", "2", "obj2"])
    );
    // Missing keys and fields read as nil; a pattern without '*' names nothing.
    c.cmd(&["DEL", "obj_2"]);
    assert_eq!(
        c.cmd(&["SORT", "tosort", "LIMIT", "0", "3", "GET", "obj_*", "GET", "wobj_*->nofield"]),
        nil_or(&[Some("o1"), None, None, None, Some("o3"), None])
    );
    assert_eq!(c.cmd(&["SORT", "tosort", "LIMIT", "0", "1", "GET", "constant"]), nil_or(&[None]));
}

#[test]
fn sort_by_nosort_keeps_the_stored_order() {
    let s = Server::start();
    let mut c = s.raw();
    fixture(&mut c);
    assert_eq!(c.cmd(&["SORT", "tosort", "BY", "nosort"]), bulks(&["3", "1", "5", "2", "4"]));
    assert_eq!(c.cmd(&["SORT", "tosort", "BY", "nosort", "LIMIT", "1", "2"]), bulks(&["1", "5"]));
    // A sorted set read unsorted comes in score order, DESC reverses it.
    assert_eq!(c.cmd(&["SORT", "tosort-zset", "BY", "nosort"]), bulks(&["5", "4", "3", "2", "1"]));
    assert_eq!(c.cmd(&["SORT", "tosort-zset", "BY", "nosort", "DESC"]), bulks(&["1", "2", "3", "4", "5"]));
    // A set with STORE is sorted anyway, for a deterministic result.
    assert_eq!(c.cmd(&["SORT", "tosort-set", "BY", "nosort", "STORE", "out"]), R::Int(5));
    assert_eq!(c.cmd(&["LRANGE", "out", "0", "-1"]), bulks(&["1", "2", "3", "4", "5"]));
}

#[test]
fn sort_alpha_limit_edges() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["RPUSH", "l", "c", "a", "b", "e", "d"]);
    assert_eq!(c.cmd(&["SORT", "l", "ALPHA"]), bulks(&["a", "b", "c", "d", "e"]));
    assert_eq!(c.cmd(&["SORT", "l", "ALPHA", "DESC", "LIMIT", "1", "2"]), bulks(&["d", "c"]));
    // Offsets past the end, negative offsets and counts, as sort.c clamps them.
    assert_eq!(c.cmd(&["SORT", "l", "ALPHA", "LIMIT", "10", "5"]), bulks(&[]));
    assert_eq!(c.cmd(&["SORT", "l", "ALPHA", "LIMIT", "-10", "2"]), bulks(&["a", "b"]));
    assert_eq!(c.cmd(&["SORT", "l", "ALPHA", "LIMIT", "3", "-1"]), bulks(&["d", "e"]));
    assert_eq!(c.cmd(&["SORT", "l", "ALPHA", "LIMIT", "0", "0"]), bulks(&[]));
}

#[test]
fn sort_numeric_ties_and_floats() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["RPUSH", "f", "1.5", "-inf", "10", "1e2", "+inf", "-3", " 2"]);
    assert_eq!(c.cmd(&["SORT", "f"]), bulks(&["-inf", "-3", "1.5", " 2", "10", "1e2", "+inf"]));
    // Equal scores fall back to comparing the elements.
    c.cmd(&["RPUSH", "t", "b", "a", "c"]);
    c.cmd(&["MSET", "w_a", "1", "w_b", "1", "w_c", "0"]);
    assert_eq!(c.cmd(&["SORT", "t", "BY", "w_*"]), bulks(&["c", "a", "b"]));
}

#[test]
fn sort_store_creates_replaces_and_deletes() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["RPUSH", "src", "3", "1", "2"]);
    c.cmd(&["SET", "dst", "a string"]);
    assert_eq!(c.cmd(&["SORT", "src", "STORE", "dst"]), R::Int(3));
    assert_eq!(c.cmd(&["TYPE", "dst"]), R::Status("list".into()));
    assert_eq!(c.cmd(&["LRANGE", "dst", "0", "-1"]), bulks(&["1", "2", "3"]));
    // GET nil values are stored as empty strings.
    assert_eq!(c.cmd(&["SORT", "src", "GET", "nothing_*", "STORE", "dst"]), R::Int(3));
    assert_eq!(c.cmd(&["LRANGE", "dst", "0", "-1"]), bulks(&["", "", ""]));
    // An empty result deletes the destination.
    assert_eq!(c.cmd(&["SORT", "missing", "STORE", "dst"]), R::Int(0));
    assert_eq!(c.cmd(&["EXISTS", "dst"]), R::Int(0));
    // The stored list survives a restart.
    assert_eq!(c.cmd(&["SORT", "src", "DESC", "STORE", "kept"]), R::Int(3));
    drop(c);
    let mut s = s;
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["LRANGE", "kept", "0", "-1"]), bulks(&["3", "2", "1"]));
}

#[test]
fn sort_errors() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["RPUSH", "words", "a", "b"]);
    assert_eq!(c.cmd(&["SORT", "words"]), R::err("ERR One or more scores can't be converted into double"));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["SORT", "str"]), R::err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    c.cmd(&["HSET", "h", "f", "v"]);
    assert_eq!(c.cmd(&["SORT", "h"]), R::err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    assert_eq!(c.cmd(&["SORT", "words", "ALPHA", "FOO"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SORT", "words", "LIMIT", "1"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SORT", "words", "LIMIT", "x", "1"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["SORT_RO", "words", "ALPHA", "STORE", "d"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SORT", "nokey"]), bulks(&[]));
    assert_eq!(c.cmd(&["COMMAND", "GETKEYS", "SORT", "abc", "STORE", "def"]), bulks(&["abc", "def"]));
}

/// The SORT ... GET ... STORE scenario of the issue, run against DiskDB and redis-server
/// 7.0 in the same test: with several GET patterns STORE keeps every looked-up field of
/// every element, in order (`#`, a string key, a hash field, a missing key as ""), with
/// LIMIT, on a set sorted for STORE, and a list read BY nosort DESC (reversed).
#[test]
fn sort_store_with_several_get_patterns_keeps_every_field() {
    fn scenario(port: u16) -> Vec<R> {
        let mut c = Conn::open(port).unwrap();
        let mut out = Vec::new();
        c.cmd(&["RPUSH", "src", "3", "1", "2"]);
        c.cmd(&["SADD", "s", "2", "1", "3"]);
        for i in 1..=3 {
            c.cmd(&["SET", &format!("weight_{i}"), &(i * 10).to_string()]);
            c.cmd(&["HSET", &format!("h_{i}"), "f", &format!("v{i}")]);
        }
        let stores: &[&[&str]] = &[
            &["SORT", "src", "GET", "#", "GET", "weight_*", "STORE", "dst"],
            &["SORT", "src", "GET", "#", "GET", "weight_*", "GET", "h_*->f", "GET", "nokey_*", "STORE", "dst"],
            &["SORT", "src", "GET", "#", "GET", "weight_*", "LIMIT", "1", "1", "STORE", "dst"],
            &["SORT", "src", "BY", "weight_*", "DESC", "GET", "weight_*", "GET", "#", "STORE", "dst"],
            &["SORT", "s", "BY", "nosort", "GET", "#", "GET", "weight_*", "STORE", "dst"],
            &["SORT", "src", "BY", "nosort", "GET", "weight_*", "GET", "#", "DESC", "STORE", "dst"],
            &["SORT", "src", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
        ];
        for args in stores {
            out.push(c.cmd(args));
            out.push(c.cmd(&["LRANGE", "dst", "0", "-1"]));
            // The reply without STORE holds the same fields.
            let plain: Vec<&str> = args.iter().copied().filter(|a| *a != "STORE" && *a != "dst").collect();
            out.push(c.cmd(&plain));
        }
        out
    }
    let redis = RedisServer::start();
    let expected = scenario(redis.port);
    assert_eq!(expected[0], R::Int(6));
    assert_eq!(expected[1], bulks(&["1", "10", "2", "20", "3", "30"]));
    let s = Server::start();
    assert_eq!(scenario(s.port), expected);
}
