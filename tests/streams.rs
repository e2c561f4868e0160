//! Stream commands against the real server: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM,
//! XSETID, XREAD (and its blocking), XINFO, after Redis's documentation and its
//! tests/unit/type/stream.tcl; a script of commands compared reply for reply with a real
//! redis-server 7.0; the generic commands on streams; restart and `kill -9`. Consumer
//! groups are in tests/stream_groups.rs.

mod common;
use common::*;

use std::time::{Duration, Instant};

fn items(r: R) -> Vec<R> {
    match r {
        R::Array(v) | R::Agg(_, v) => v,
        other => panic!("not an aggregate: {other:?}"),
    }
}

/// An entry as a reply: `[id, [field, value, ...]]`.
fn entry(id: &str, fields: &[&str]) -> R {
    R::Array(vec![R::bulk(id), bulks(fields)])
}

fn entries(list: &[(&str, &[&str])]) -> R {
    R::Array(list.iter().map(|(id, f)| entry(id, f)).collect())
}

/// A map field of an XINFO reply (RESP2: a flat array).
fn info_field(reply: &R, name: &str) -> R {
    let v = match reply {
        R::Array(v) | R::Agg(_, v) => v,
        other => panic!("not an aggregate: {other:?}"),
    };
    v.chunks(2).find(|kv| kv[0] == R::bulk(name)).map(|kv| kv[1].clone()).unwrap_or_else(|| panic!("no {name} in {reply:?}"))
}

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
const TOO_SMALL: &str = "ERR The ID specified in XADD is equal or smaller than the target stream top item";

#[test]
fn xadd_ids_explicit_partial_and_automatic() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["XADD", "s", "1-1", "f", "v"]), R::bulk("1-1"));
    assert_eq!(c.cmd(&["XADD", "s", "1-*", "f", "v"]), R::bulk("1-2"));
    assert_eq!(c.cmd(&["XADD", "s", "5-*", "f", "v"]), R::bulk("5-0"));
    assert_eq!(c.cmd(&["XADD", "s", "7", "f", "v"]), R::bulk("7-0"));
    assert_eq!(c.cmd(&["XADD", "s", "7-0", "f", "v"]), R::err(TOO_SMALL));
    assert_eq!(c.cmd(&["XADD", "s", "6-5", "f", "v"]), R::err(TOO_SMALL));
    assert_eq!(c.cmd(&["XADD", "s", "4-*", "f", "v"]), R::err(TOO_SMALL));
    let auto = match c.cmd(&["XADD", "s", "*", "a", "1", "b", "2"]) {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    let ms: u64 = auto.split('-').next().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(ms <= now && now - ms < 10_000, "{auto}");
    assert_eq!(c.cmd(&["XLEN", "s"]), R::Int(5));
    // 0-0 and bad IDs; an empty stream still refuses 0-0.
    assert_eq!(c.cmd(&["XADD", "e", "0-0", "f", "v"]), R::err("ERR The ID specified in XADD must be greater than 0-0"));
    assert_eq!(c.cmd(&["XADD", "e", "0", "f", "v"]), R::err("ERR The ID specified in XADD must be greater than 0-0"));
    assert_eq!(c.cmd(&["EXISTS", "e"]), R::Int(0));
    assert_eq!(c.cmd(&["XADD", "e", "0-*", "f", "v"]), R::bulk("0-1"));
    for bad in ["-", "+", "x", "1-x", "-1", "18446744073709551616-0"] {
        assert_eq!(c.cmd(&["XADD", "e", bad, "f", "v"]), R::err(INVALID_ID), "{bad}");
    }
    // Odd field lists and no fields at all.
    assert_eq!(c.cmd(&["XADD", "s", "*", "f"]), arity("xadd"));
    assert_eq!(c.cmd(&["XADD", "s", "*", "f", "v", "g"]), arity("xadd"));
    assert_eq!(c.cmd(&["XADD", "s", "MAXLEN", "5"]), arity("xadd"));
    // NOMKSTREAM: nil on a missing key, appends to an existing one.
    assert_eq!(c.cmd(&["XADD", "none", "NOMKSTREAM", "*", "f", "v"]), R::Nil);
    assert_eq!(c.cmd(&["EXISTS", "none"]), R::Int(0));
    assert_eq!(c.cmd(&["XADD", "e", "NOMKSTREAM", "9-9", "f", "v"]), R::bulk("9-9"));
    // The last possible ID, then nothing more.
    assert_eq!(c.cmd(&["XADD", "max", "18446744073709551615-18446744073709551615", "f", "v"]), R::bulk("18446744073709551615-18446744073709551615"));
    assert_eq!(c.cmd(&["XADD", "max", "*", "f", "v"]), R::err("ERR The stream has exhausted the last possible ID, unable to add more items"));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["XADD", "str", "*", "f", "v"]), wrongtype());
    assert_eq!(c.cmd(&["XLEN", "str"]), wrongtype());
    assert_eq!(c.cmd(&["TYPE", "s"]), R::Status("stream".into()));
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "s"]), R::bulk("stream"));
    // Binary-safe fields and values, kept in order, duplicates included.
    assert_eq!(c.cmd_bytes(&[b"XADD", b"bin", b"1-0", b"\x00f\r\n", b"\xff", b"f", b"1", b"f", b"2"]), R::bulk("1-0"));
    assert_eq!(
        c.cmd(&["XRANGE", "bin", "-", "+"]),
        R::Array(vec![R::Array(vec![R::bulk("1-0"), R::Array(vec![R::Bulk(b"\x00f\r\n".to_vec()), R::Bulk(vec![0xff]), R::bulk("f"), R::bulk("1"), R::bulk("f"), R::bulk("2")])])])
    );
}

#[test]
fn xrange_and_xrevrange_with_count_exclusive_and_incomplete_ids() {
    let s = Server::start();
    let mut c = s.raw();
    for id in ["1-0", "1-1", "2-0", "3-5", "4-0"] {
        c.cmd(&["XADD", "s", id, "id", id]);
    }
    let e = |id: &'static str| (id, vec!["id", id]);
    let all: Vec<(&str, Vec<&str>)> = ["1-0", "1-1", "2-0", "3-5", "4-0"].into_iter().map(e).collect();
    let pick = |ids: &[usize]| R::Array(ids.iter().map(|&i| entry(all[i].0, &all[i].1)).collect());
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+"]), pick(&[0, 1, 2, 3, 4]));
    assert_eq!(c.cmd(&["XREVRANGE", "s", "+", "-"]), pick(&[4, 3, 2, 1, 0]));
    assert_eq!(c.cmd(&["XRANGE", "s", "1", "1"]), pick(&[0, 1]), "incomplete IDs: the whole millisecond");
    assert_eq!(c.cmd(&["XRANGE", "s", "(1-0", "(3-5"]), pick(&[1, 2]));
    assert_eq!(c.cmd(&["XRANGE", "s", "(1", "+"]), pick(&[1, 2, 3, 4]), "(1 is after 1-0");
    assert_eq!(c.cmd(&["XREVRANGE", "s", "(4-0", "(1-1"]), pick(&[3, 2]));
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "COUNT", "2"]), pick(&[0, 1]));
    assert_eq!(c.cmd(&["XREVRANGE", "s", "+", "-", "count", "2"]), pick(&[4, 3]));
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "COUNT", "0"]), R::Nil);
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "COUNT", "-1"]), R::Nil);
    assert_eq!(c.cmd(&["XRANGE", "s", "5", "+"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["XRANGE", "s", "3", "2"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["XRANGE", "nokey", "-", "+"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["XRANGE", "nokey", "-", "+", "COUNT", "0"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "COUNT", "9223372036854775808"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "COUNT", "9223372036854775807"]), pick(&[0, 1, 2, 3, 4]));
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "COUNT"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "LIMIT", "1"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["XRANGE", "s", "x", "+"]), R::err(INVALID_ID));
    assert_eq!(c.cmd(&["XRANGE", "s", "(-", "+"]), R::err(INVALID_ID));
    assert_eq!(c.cmd(&["XRANGE", "s", "-", "(0-0"]), R::err("ERR invalid end ID for the interval"));
    assert_eq!(
        c.cmd(&["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"]),
        R::err("ERR invalid start ID for the interval")
    );
    assert_eq!(c.cmd(&["XRANGE", "s", "-"]), arity("xrange"));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["XRANGE", "str", "-", "+"]), wrongtype());
}

#[test]
fn a_window_of_a_big_stream_reads_only_that_window() {
    let s = Server::start();
    let mut c = s.raw();
    // 100,000 entries pipelined, then windows from its middle and its ends.
    let n = 100_000u64;
    for chunk in (1..=n).collect::<Vec<_>>().chunks(1000) {
        let mut buf = Vec::new();
        for i in chunk {
            buf.extend(encode(&["XADD", "big", &format!("{i}-0"), "i", &i.to_string()]));
        }
        c.send(&buf);
        for _ in chunk {
            c.read();
        }
    }
    assert_eq!(c.cmd(&["XLEN", "big"]), R::Int(n as i64));
    let started = Instant::now();
    for _ in 0..200 {
        let w = items(c.cmd(&["XRANGE", "big", "50000", "+", "COUNT", "10"]));
        assert_eq!(w.len(), 10);
        assert_eq!(w[0], entry("50000-0", &["i", "50000"]));
    }
    assert!(started.elapsed() < Duration::from_secs(5), "200 windows took {:?}", started.elapsed());
    assert_eq!(items(c.cmd(&["XREVRANGE", "big", "+", "-", "COUNT", "1"]))[0], entry("100000-0", &["i", "100000"]));
    // Trimming most of it is one range delete: fast, and the rest is intact.
    let started = Instant::now();
    assert_eq!(c.cmd(&["XTRIM", "big", "MAXLEN", "10"]), R::Int((n - 10) as i64));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(c.cmd(&["XLEN", "big"]), R::Int(10));
    assert_eq!(items(c.cmd(&["XRANGE", "big", "-", "+", "COUNT", "1"]))[0], entry("99991-0", &["i", "99991"]));
    let info = c.cmd(&["XINFO", "STREAM", "big"]);
    assert_eq!(info_field(&info, "recorded-first-entry-id"), R::bulk("99991-0"));
    assert_eq!(info_field(&info, "entries-added"), R::Int(n as i64));
}

#[test]
fn xdel_xtrim_and_xadd_trimming() {
    let s = Server::start();
    let mut c = s.raw();
    for i in 1..=10 {
        c.cmd(&["XADD", "s", &format!("{i}-0"), "f", "v"]);
    }
    assert_eq!(c.cmd(&["XDEL", "s", "1-0", "1-0", "5", "99-0"]), R::Int(2));
    assert_eq!(c.cmd(&["XDEL", "s", "2-0", "bad"]), R::err(INVALID_ID));
    assert_eq!(c.cmd(&["XLEN", "s"]), R::Int(8));
    assert_eq!(c.cmd(&["XDEL", "nokey", "bad"]), R::Int(0));
    let info = c.cmd(&["XINFO", "STREAM", "s"]);
    assert_eq!(info_field(&info, "max-deleted-entry-id"), R::bulk("5-0"));
    assert_eq!(info_field(&info, "recorded-first-entry-id"), R::bulk("2-0"));
    assert_eq!(c.cmd(&["XTRIM", "s", "MAXLEN", "6"]), R::Int(2));
    assert_eq!(items(c.cmd(&["XRANGE", "s", "-", "+", "COUNT", "1"]))[0], entry("4-0", &["f", "v"]));
    assert_eq!(c.cmd(&["XTRIM", "s", "MINID", "7"]), R::Int(2));
    assert_eq!(c.cmd(&["XTRIM", "s", "MINID", "=", "7"]), R::Int(0));
    assert_eq!(c.cmd(&["XLEN", "s"]), R::Int(4));
    // Approximate trimming removes nothing short of a whole node; LIMIT needs `~`.
    assert_eq!(c.cmd(&["XTRIM", "s", "MAXLEN", "~", "1"]), R::Int(0));
    assert_eq!(c.cmd(&["XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"]), R::err("ERR syntax error, LIMIT cannot be used without the special ~ option"));
    assert_eq!(c.cmd(&["XTRIM", "s", "LIMIT", "1"]), R::err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"));
    assert_eq!(c.cmd(&["XTRIM", "s", "MAXLEN", "1", "MINID", "1"]), R::err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible"));
    assert_eq!(c.cmd(&["XTRIM", "s", "MAXLEN", "-1"]), R::err("ERR The MAXLEN argument must be >= 0."));
    assert_eq!(c.cmd(&["XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "-1"]), R::err("ERR The LIMIT argument must be >= 0."));
    assert_eq!(c.cmd(&["XTRIM", "s", "FOO", "1"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["XTRIM", "nokey", "MAXLEN", "1"]), R::Int(0));
    // XADD with MAXLEN trims after adding; MAXLEN 0 leaves an empty stream that exists.
    assert_eq!(c.cmd(&["XADD", "s", "MAXLEN", "2", "20-0", "f", "v"]), R::bulk("20-0"));
    assert_eq!(c.cmd(&["XLEN", "s"]), R::Int(2));
    assert_eq!(c.cmd(&["XADD", "s", "MAXLEN", "=", "0", "21-0", "f", "v"]), R::bulk("21-0"));
    assert_eq!((c.cmd(&["XLEN", "s"]), c.cmd(&["EXISTS", "s"])), (R::Int(0), R::Int(1)));
    let info = c.cmd(&["XINFO", "STREAM", "s"]);
    assert_eq!(info_field(&info, "last-generated-id"), R::bulk("21-0"));
    assert_eq!(info_field(&info, "recorded-first-entry-id"), R::bulk("0-0"));
    assert_eq!(info_field(&info, "first-entry"), R::Nil);
    assert_eq!(c.cmd(&["XADD", "s", "21-0", "f", "v"]), R::err(TOO_SMALL), "the last ID survives the trim");
    // MINID given to XADD may trim the new entry too.
    assert_eq!(c.cmd(&["XADD", "m", "MINID", "100", "5-0", "f", "v"]), R::bulk("5-0"));
    assert_eq!(c.cmd(&["XLEN", "m"]), R::Int(0));
    // 250 entries, ~ 100: whole nodes of 100 go.
    for i in 1..=250 {
        c.cmd(&["XADD", "n", &format!("{i}-0"), "f", "v"]);
    }
    assert_eq!(c.cmd(&["XTRIM", "n", "MAXLEN", "~", "100"]), R::Int(100));
    assert_eq!(c.cmd(&["XTRIM", "n", "MAXLEN", "~", "0", "LIMIT", "99"]), R::Int(0));
    assert_eq!(c.cmd(&["XTRIM", "n", "MINID", "~", "300", "LIMIT", "100"]), R::Int(100));
    assert_eq!(c.cmd(&["XLEN", "n"]), R::Int(50));
}

#[test]
fn xsetid_moves_the_last_id_and_counters() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["XSETID", "s", "5-0"]), R::err("ERR no such key"));
    c.cmd(&["XADD", "s", "5-0", "f", "v"]);
    assert_eq!(c.cmd(&["XSETID", "s", "4-0"]), R::err("ERR The ID specified in XSETID is smaller than the target stream top item"));
    assert_eq!(c.cmd(&["XSETID", "s", "10-0"]), R::ok());
    assert_eq!(c.cmd(&["XADD", "s", "9-0", "f", "v"]), R::err(TOO_SMALL));
    assert_eq!(c.cmd(&["XSETID", "s", "10-0", "ENTRIESADDED", "0"]), R::err("ERR The entries_added specified in XSETID is smaller than the target stream length"));
    assert_eq!(c.cmd(&["XSETID", "s", "10-0", "ENTRIESADDED", "-1"]), R::err("ERR entries_added must be positive"));
    assert_eq!(c.cmd(&["XSETID", "s", "10-0", "MAXDELETEDID", "11-0"]), R::err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"));
    assert_eq!(c.cmd(&["XSETID", "s", "10-0", "ENTRIESADDED", "7", "MAXDELETEDID", "3-0"]), R::ok());
    let info = c.cmd(&["XINFO", "STREAM", "s"]);
    assert_eq!(info_field(&info, "entries-added"), R::Int(7));
    assert_eq!(info_field(&info, "max-deleted-entry-id"), R::bulk("3-0"));
    assert_eq!(c.cmd(&["XSETID", "s", "2-0"]), R::err("ERR The ID specified in XSETID is smaller than the target stream top item"));
    assert_eq!(c.cmd(&["XSETID", "s", "10-0", "FOO", "1"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["XSETID", "s", "bad"]), R::err(INVALID_ID));
}

#[test]
fn xread_serves_entries_after_each_id() {
    let s = Server::start();
    let mut c = s.raw();
    for id in ["1-0", "2-0", "3-0"] {
        c.cmd(&["XADD", "a", id, "f", id]);
    }
    c.cmd(&["XADD", "b", "5-0", "g", "x"]);
    assert_eq!(
        c.cmd(&["XREAD", "STREAMS", "a", "b", "1-0", "0"]),
        R::Array(vec![
            R::Array(vec![R::bulk("a"), entries(&[("2-0", &["f", "2-0"]), ("3-0", &["f", "3-0"])])]),
            R::Array(vec![R::bulk("b"), entries(&[("5-0", &["g", "x"])])]),
        ])
    );
    assert_eq!(
        c.cmd(&["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "5-0"]),
        R::Array(vec![R::Array(vec![R::bulk("a"), entries(&[("1-0", &["f", "1-0"])])])])
    );
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "a", "$"]), R::Nil);
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "a", "nokey", "3", "0"]), R::Nil);
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "a", "+"]), R::Array(vec![R::Array(vec![R::bulk("a"), entries(&[("3-0", &["f", "3-0"])])])]));
    assert_eq!(c.cmd(&["XREAD", "COUNT", "-1", "STREAMS", "a", "0"]), items(c.cmd(&["XREAD", "STREAMS", "a", "0"])).into_iter().next().map(|x| R::Array(vec![x])).unwrap());
    // RESP3: a map from key to entries.
    c.cmd(&["HELLO", "3"]);
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "b", "0"]), R::Agg('%', vec![R::bulk("b"), entries(&[("5-0", &["g", "x"])])]));
    c.cmd(&["HELLO", "2"]);
    // Errors.
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "a", "b", "0"]), R::err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."));
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "a", ">"]), R::err("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."));
    assert_eq!(c.cmd(&["XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"]), R::err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."));
    assert_eq!(c.cmd(&["XREAD", "COUNT", "1", "a", "0"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["XREAD", "BLOCK", "x", "STREAMS", "a", "0"]), R::err("ERR timeout is not an integer or out of range"));
    assert_eq!(c.cmd(&["XREAD", "BLOCK", "-1", "STREAMS", "a", "0"]), R::err("ERR timeout is negative"));
    assert_eq!(c.cmd(&["XREAD", "COUNT", "9223372036854775808", "STREAMS", "a", "0"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "a", "x"]), R::err(INVALID_ID));
    c.cmd(&["SET", "str", "x"]);
    assert_eq!(c.cmd(&["XREAD", "STREAMS", "str", "0"]), wrongtype());
}

#[test]
fn xread_block_wakes_on_xadd_from_another_client_and_times_out() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["XADD", "s", "1-0", "f", "old"]);
    // `$` is resolved when the client blocks: it gets the next entry, not the old one.
    let mut waiter = s.raw();
    waiter.send_cmd(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
    s.wait_blocked(1);
    c.cmd(&["XADD", "other", "1-0", "f", "v"]);
    c.cmd(&["XADD", "s", "2-0", "f", "new"]);
    assert_eq!(waiter.read(), R::Array(vec![R::Array(vec![R::bulk("s"), entries(&[("2-0", &["f", "new"])])])]));
    s.wait_blocked(0);
    // A missing key: any XADD creates it and serves the waiter.
    waiter.send_cmd(&["XREAD", "BLOCK", "5000", "STREAMS", "fresh", "$"]);
    s.wait_blocked(1);
    c.cmd(&["XADD", "fresh", "7-0", "a", "b"]);
    assert_eq!(waiter.read(), R::Array(vec![R::Array(vec![R::bulk("fresh"), entries(&[("7-0", &["a", "b"])])])]));
    // Times out with a null array.
    let started = Instant::now();
    assert_eq!(waiter.cmd(&["XREAD", "BLOCK", "100", "STREAMS", "s", "$"]), R::Nil);
    assert!(started.elapsed() >= Duration::from_millis(100));
    // Inside MULTI it does not block.
    c.cmd(&["MULTI"]);
    c.cmd(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::Nil]));
    // Waiters are served in the order they blocked, each one entry (COUNT 1).
    let mut first = s.raw();
    let mut second = s.raw();
    first.send_cmd(&["XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "q", "0"]);
    s.wait_blocked(1);
    second.send_cmd(&["XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "q", "0"]);
    s.wait_blocked(2);
    c.cmd(&["XADD", "q", "1-0", "n", "1"]);
    assert_eq!(first.read(), R::Array(vec![R::Array(vec![R::bulk("q"), entries(&[("1-0", &["n", "1"])])])]));
    assert_eq!(second.read(), R::Array(vec![R::Array(vec![R::bulk("q"), entries(&[("1-0", &["n", "1"])])])]));
    // A client that disconnects while blocked leaves no trace.
    let mut gone = s.raw();
    gone.send_cmd(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
    s.wait_blocked(1);
    drop(gone);
    s.wait_blocked(0);
    c.cmd(&["XADD", "s", "3-0", "f", "v"]);
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn xinfo_stream_and_help() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["XINFO", "STREAM", "nokey"]), R::err("ERR no such key"));
    c.cmd(&["XADD", "s", "1-0", "a", "1"]);
    c.cmd(&["XADD", "s", "2-0", "b", "2"]);
    let info = c.cmd(&["XINFO", "STREAM", "s"]);
    let names: Vec<R> = items(info.clone()).into_iter().step_by(2).collect();
    assert_eq!(
        names,
        ["length", "radix-tree-keys", "radix-tree-nodes", "last-generated-id", "max-deleted-entry-id", "entries-added", "recorded-first-entry-id", "groups", "first-entry", "last-entry"]
            .map(R::bulk)
    );
    assert_eq!(info_field(&info, "length"), R::Int(2));
    assert_eq!(info_field(&info, "first-entry"), entry("1-0", &["a", "1"]));
    assert_eq!(info_field(&info, "last-entry"), entry("2-0", &["b", "2"]));
    let full = c.cmd(&["XINFO", "STREAM", "s", "FULL", "COUNT", "1"]);
    assert_eq!(info_field(&full, "entries"), entries(&[("1-0", &["a", "1"])]));
    assert_eq!(info_field(&full, "groups"), R::Array(vec![]));
    assert_eq!(c.cmd(&["XINFO", "STREAM", "s", "FOO"]), R::err("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."));
    assert_eq!(c.cmd(&["XINFO", "FOO", "s"]), R::err("ERR unknown subcommand 'FOO'. Try XINFO HELP."));
    assert!(matches!(c.cmd(&["XINFO", "HELP"]), R::Array(v) if v.len() == 9));
}

#[test]
fn streams_under_the_generic_commands() {
    let s = Server::start();
    let mut c = s.raw();
    for i in 1..=3 {
        c.cmd(&["XADD", "s", &format!("{i}-0"), "f", &i.to_string()]);
    }
    c.cmd(&["XGROUP", "CREATE", "s", "g", "0"]);
    c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"]);
    let whole = c.cmd(&["XRANGE", "s", "-", "+"]);
    // COPY, RENAME, MOVE keep entries and groups.
    assert_eq!(c.cmd(&["COPY", "s", "copy"]), R::Int(1));
    assert_eq!(c.cmd(&["XRANGE", "copy", "-", "+"]), whole);
    assert_eq!(info_field(&items(c.cmd(&["XINFO", "GROUPS", "copy"]))[0], "pending"), R::Int(1));
    assert_eq!(c.cmd(&["RENAME", "copy", "renamed"]), R::ok());
    assert_eq!(c.cmd(&["XLEN", "renamed"]), R::Int(3));
    assert_eq!(c.cmd(&["MOVE", "renamed", "1"]), R::Int(1));
    c.cmd(&["SELECT", "1"]);
    assert_eq!(c.cmd(&["XRANGE", "renamed", "-", "+"]), whole);
    c.cmd(&["SELECT", "0"]);
    // DUMP / RESTORE.
    let dump = match c.cmd(&["DUMP", "s"]) {
        R::Bulk(b) => b,
        other => panic!("{other:?}"),
    };
    assert_eq!(c.cmd_bytes(&[b"RESTORE", b"restored", b"0", &dump]), R::ok());
    assert_eq!(c.cmd(&["XRANGE", "restored", "-", "+"]), whole);
    assert_eq!(c.cmd(&["XPENDING", "restored", "g"]), c.cmd(&["XPENDING", "s", "g"]));
    // ... and on another DiskDB server.
    let other_server = Server::start();
    let mut o = other_server.raw();
    assert_eq!(o.cmd_bytes(&[b"RESTORE", b"s", b"0", &dump]), R::ok());
    assert_eq!(o.cmd(&["XRANGE", "s", "-", "+"]), whole);
    assert_eq!(o.cmd(&["XINFO", "GROUPS", "s"]), c.cmd(&["XINFO", "GROUPS", "s"]));
    assert_eq!(o.cmd(&["UNLINK", "s"]), R::Int(1));
    assert_eq!(o.cmd(&["EXISTS", "s"]), R::Int(0));
    // SCAN TYPE, EXPIRE, DEL.
    c.cmd(&["SET", "str", "x"]);
    let scanned = items(items(c.cmd(&["SCAN", "0", "TYPE", "stream", "COUNT", "100"]))[1].clone());
    let mut names: Vec<R> = scanned;
    names.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(names, vec![R::bulk("restored"), R::bulk("s")]);
    assert_eq!(c.cmd(&["PEXPIRE", "restored", "50"]), R::Int(1));
    assert!(wait_until(Duration::from_secs(5), || c.cmd(&["EXISTS", "restored"]) == R::Int(0)));
    assert_eq!(c.cmd(&["DEL", "s"]), R::Int(1));
    assert_eq!(c.cmd(&["XLEN", "s"]), R::Int(0));
    assert_eq!(c.cmd(&["XADD", "s", "1-0", "f", "v"]), R::bulk("1-0"), "a new stream starts afresh");
    assert_eq!(c.cmd(&["XINFO", "GROUPS", "s"]), R::Array(vec![]));
    // MULTI/EXEC and WATCH.
    let mut other = s.raw();
    c.cmd(&["WATCH", "s"]);
    other.cmd(&["XADD", "s", "2-0", "f", "v"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["XADD", "s", "3-0", "f", "v"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Nil, "a watched stream written by another client aborts EXEC");
    c.cmd(&["MULTI"]);
    c.cmd(&["XADD", "s", "3-0", "f", "v"]);
    c.cmd(&["XLEN", "s"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::bulk("3-0"), R::Int(3)]));
}

#[test]
fn streams_survive_restart_and_kill9() {
    let mut s = Server::start();
    let mut c = s.raw();
    for i in 1..=50 {
        c.cmd(&["XADD", "s", &format!("{i}-0"), "i", &i.to_string()]);
    }
    c.cmd(&["XDEL", "s", "10-0"]);
    c.cmd(&["XGROUP", "CREATE", "s", "g", "0"]);
    c.cmd(&["XREADGROUP", "GROUP", "g", "c", "COUNT", "5", "STREAMS", "s", ">"]);
    let before = (c.cmd(&["XRANGE", "s", "-", "+"]), c.cmd(&["XINFO", "STREAM", "s", "FULL"]));
    drop(c);
    s.restart();
    let mut c = s.raw();
    assert_eq!((c.cmd(&["XRANGE", "s", "-", "+"]), c.cmd(&["XINFO", "STREAM", "s", "FULL"])), before);
    c.cmd(&["XADD", "s", "51-0", "i", "51"]);
    c.cmd(&["XACK", "s", "g", "1-0"]);
    let before = (c.cmd(&["XRANGE", "s", "-", "+"]), c.cmd(&["XINFO", "STREAM", "s", "FULL"]));
    drop(c);
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!((c.cmd(&["XRANGE", "s", "-", "+"]), c.cmd(&["XINFO", "STREAM", "s", "FULL"])), before);
}

#[test]
fn bad_input_answers_errors_and_the_server_stays_up() {
    let mut s = Server::start();
    let mut c = s.raw();
    c.cmd(&["XADD", "s", "1-0", "f", "v"]);
    let rss = s.rss_kib();
    for _ in 0..200 {
        assert_eq!(c.cmd(&["XRANGE", "s", "-", "+", "COUNT", "9223372036854775807"]), entries(&[("1-0", &["f", "v"])]));
        assert_eq!(c.cmd(&["XREAD", "COUNT", "9223372036854775807", "STREAMS", "s", "0"]).clone(), R::Array(vec![R::Array(vec![R::bulk("s"), entries(&[("1-0", &["f", "v"])])])]));
        assert_eq!(c.cmd(&["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423487"]), R::err("NOGROUP No such key 's' or consumer group 'g'"));
        assert_eq!(c.cmd(&["XADD", "s", "*", "f"]), arity("xadd"));
        assert_eq!(c.cmd(&["XTRIM", "s", "MAXLEN", "9223372036854775808"]), R::err("ERR value is not an integer or out of range"));
    }
    assert!(s.alive());
    assert!(s.rss_kib() < rss + 50 * 1024, "memory grew from {rss} KiB to {} KiB", s.rss_kib());
}

/// The commands of `script` give byte-identical replies (RESP3 types included) on
/// DiskDB and a real redis-server 7.0. IDs are explicit so the replies are
/// deterministic; idle times are not compared (they are left out of the script).
#[test]
fn replies_match_redis_server() {
    let s = Server::start();
    let redis = RedisServer::start();
    let script: &[&[&str]] = &[
        &["XADD", "s", "1-1", "a", "1", "b", "2"],
        &["XADD", "s", "1-*", "a", "3"],
        &["XADD", "s", "2", "c", "4"],
        &["XADD", "s", "0-1", "c", "4"],
        &["XADD", "s", "0-0", "c", "4"],
        &["XADD", "s", "3-0", "odd"],
        &["XADD", "s", "NOMKSTREAM", "MAXLEN", "=", "10", "4-0", "x", "y"],
        &["XADD", "nokey", "NOMKSTREAM", "5-0", "x", "y"],
        &["XADD", "s", "LIMIT", "5", "5-0", "x", "y"],
        &["XADD", "s", "MAXLEN", "1", "LIMIT", "5", "5-0", "x", "y"],
        &["XADD", "s", "MINID", "x", "5-0", "x", "y"],
        &["XADD", "s", "01-5", "x", "y"],
        &["XADD", "s", "5-0", "x", "y"],
        &["XADD", "s", "6-0", "x", "y"],
        &["XLEN", "s"],
        &["XRANGE", "s", "-", "+"],
        &["XRANGE", "s", "(1-1", "(5", "COUNT", "2"],
        &["XRANGE", "s", "1", "1"],
        &["XRANGE", "s", "-", "+", "COUNT", "0"],
        &["XRANGE", "s", "-", "+", "COUNT", "-1"],
        &["XRANGE", "s", "(0-0", "(0-0"],
        &["XRANGE", "s", "-", "(0-0"],
        &["XRANGE", "s", "abc", "+"],
        &["XREVRANGE", "s", "+", "-", "COUNT", "3"],
        &["XREVRANGE", "s", "(6", "(1-1"],
        &["XDEL", "s", "2-0", "2-0", "9-9"],
        &["XDEL", "s", "1-1", "nope"],
        &["XLEN", "s"],
        &["XTRIM", "s", "MAXLEN", "~", "1"],
        &["XTRIM", "s", "MINID", "1-2"],
        &["XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"],
        &["XTRIM", "s", "LIMIT", "1"],
        &["XTRIM", "s", "MAXLEN", "4"],
        &["XRANGE", "s", "-", "+"],
        &["XREAD", "STREAMS", "s", "0"],
        &["XREAD", "COUNT", "1", "STREAMS", "s", "nokey", "4-0", "0"],
        &["XREAD", "STREAMS", "s", "$"],
        &["XREAD", "STREAMS", "s"],
        &["XREAD", "STREAMS", "s", ">"],
        &["XREAD", "NOACK", "STREAMS", "s", "0"],
        &["XREAD", "BLOCK", "-5", "STREAMS", "s", "0"],
        &["XSETID", "s", "3-0"],
        &["XSETID", "s", "100-0", "ENTRIESADDED", "50", "MAXDELETEDID", "99-0"],
        &["XSETID", "nokey", "1-0"],
        &["XINFO", "STREAM", "s"],
        &["XINFO", "STREAM", "s", "FULL"],
        &["XINFO", "STREAM", "nokey"],
        &["XINFO", "GROUPS", "s"],
        &["XINFO", "HELP"],
        &["XGROUP", "HELP"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "late", "$"],
        &["XGROUP", "CREATE", "nokey", "g", "0"],
        &["XGROUP", "CREATE", "new", "g", "$", "MKSTREAM", "ENTRIESREAD", "3"],
        &["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2"],
        &["XGROUP", "CREATE", "s", "g2", "0", "BOGUS"],
        &["XINFO", "GROUPS", "s"],
        &["XINFO", "GROUPS", "new"],
        &["XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"],
        &["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
        &["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
        &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
        &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "$"],
        &["XREADGROUP", "GROUP", "nog", "alice", "STREAMS", "s", ">"],
        &["XREADGROUP", "STREAMS", "s", ">"],
        &["XPENDING", "s", "g"],
        &["XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "10", "alice"],
        &["XPENDING", "s", "g", "-", "+", "0"],
        &["XPENDING", "s", "nog"],
        &["XPENDING", "s", "g", "-", "+"],
        &["XACK", "s", "g", "4-0", "4-0", "1-0"],
        &["XACK", "s", "g", "bad"],
        &["XACK", "s", "nog", "4-0"],
        &["XDEL", "s", "5-0"],
        &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
        &["XCLAIM", "s", "g", "carol", "0", "5-0", "6-0", "JUSTID"],
        &["XCLAIM", "s", "g", "carol", "0", "100-0", "FORCE", "JUSTID"],
        &["XCLAIM", "s", "nog", "carol", "0", "6-0"],
        &["XCLAIM", "s", "g", "carol", "x", "6-0"],
        &["XCLAIM", "s", "g", "carol", "0", "6-0", "BOGUS"],
        &["XCLAIM", "s", "g", "carol", "0", "6-0", "RETRYCOUNT", "x"],
        &["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "0"],
        &["XAUTOCLAIM", "s", "g", "dave", "0", "0", "JUSTID", "BOGUS"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "erin"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "erin"],
        &["XGROUP", "CREATECONSUMER", "s", "nog", "erin"],
        &["XGROUP", "DELCONSUMER", "s", "g", "erin"],
        &["XGROUP", "SETID", "s", "g", "$"],
        &["XGROUP", "SETID", "s", "nog", "0"],
        &["XGROUP", "DESTROY", "s", "late"],
        &["XGROUP", "DESTROY", "s", "late"],
        &["XGROUP", "FOO"],
        &["XINFO", "CONSUMERS", "s", "nog"],
        &["XINFO", "GROUPS", "s"],
        &["SET", "str", "x"],
        &["XADD", "str", "*", "f", "v"],
        &["XRANGE", "str", "-", "+"],
        &["XGROUP", "CREATE", "str", "g", "0"],
        &["XPENDING", "str", "g"],
        &["XINFO", "STREAM", "str"],
        &["TYPE", "s"],
        // Error texts of every stream command.
        &["XREAD", "STREAMS", "s", "t", "0"],
        &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">"],
        &["XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"],
        &["XREAD", "NOACK", "STREAMS", "s", "0"],
        &["XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"],
        &["XREAD", "BLOCK", "x", "STREAMS", "s", "0"],
        &["XREAD", "BLOCK", "9223372036854775807", "STREAMS", "s", "0"],
        &["XREAD", "COUNT", "x", "STREAMS", "s", "0"],
        &["XREAD", "FOO", "STREAMS", "s", "0"],
        &["XREAD", "COUNT", "1", "s", "0"],
        &["XADD", "max", "18446744073709551615-18446744073709551615", "f", "v"],
        &["XADD", "max", "*", "f", "v"],
        &["XADD", "max", "18446744073709551615-*", "f", "v"],
        &["XADD", "s", "MAXLEN", "-1", "*", "f", "v"],
        &["XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "*", "f", "v"],
        &["XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"],
        &["XADD", "s", "*", "f"],
        &["XADD", "s", "MAXLEN", "5"],
        &["XTRIM", "s", "FOO", "1"],
        &["XTRIM", "s", "MAXLEN", "x"],
        &["XSETID", "s", "1-0"],
        &["XSETID", "s", "200-0", "ENTRIESADDED", "-1"],
        &["XSETID", "s", "200-0", "ENTRIESADDED", "0"],
        &["XSETID", "s", "200-0", "MAXDELETEDID", "300-0"],
        &["XSETID", "s", "98-0"],
        &["XSETID", "s", "200-0", "FOO", "1"],
        &["XSETID", "s", "200-0", "ENTRIESADDED"],
        &["XDEL", "s", "x"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "h", "x"],
        &["XGROUP", "CREATE", "s", "h", "0", "ENTRIESREAD", "x"],
        &["XGROUP", "CREATE", "s", "h", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"],
        &["XGROUP", "SETID", "s", "g", "x"],
        &["XGROUP", "SETID", "s", "g", "0", "MKSTREAM"],
        &["XGROUP", "SETID", "nokey", "g", "0"],
        &["XGROUP", "DESTROY", "nokey", "g"],
        &["XGROUP", "DELCONSUMER", "s", "nog", "c"],
        &["XGROUP", "CREATE", "s"],
        &["XGROUP"],
        &["XCLAIM", "s", "g", "c", "0", "1-0", "IDLE", "x"],
        &["XCLAIM", "s", "g", "c", "0", "1-0", "TIME", "x"],
        &["XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "x"],
        &["XCLAIM", "s", "g", "c", "0", "x"],
        &["XAUTOCLAIM", "s", "g", "c", "x", "0"],
        &["XAUTOCLAIM", "s", "g", "c", "0", "x"],
        &["XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"],
        &["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"],
        &["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "-1"],
        &["XAUTOCLAIM", "nokey", "g", "c", "0", "0"],
        &["XPENDING", "s", "g", "x", "+", "10"],
        &["XPENDING", "s", "g", "-", "x", "10"],
        &["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"],
        &["XPENDING", "s", "g", "-", "+", "10", "c", "extra", "more"],
        &["XPENDING", "nokey", "g"],
        &["XACK", "nokey", "g", "x"],
        &["XINFO", "STREAM", "s", "FULL", "COUNT", "x"],
        &["XINFO", "STREAM", "s", "FULL", "LIMIT", "1"],
        &["XINFO", "STREAM", "s", "FOO"],
        &["XINFO", "CONSUMERS", "nokey", "g"],
        &["XINFO", "GROUPS"],
        &["XINFO", "FOO"],
        &["XINFO"],
        // A key named twice in one XREADGROUP.
        &["XADD", "dup", "1-0", "a", "1"],
        &["XADD", "dup", "2-0", "a", "2"],
        &["XGROUP", "CREATE", "dup", "g", "0"],
        &["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "dup", "dup", ">", ">"],
        &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "dup", "dup", "0", "1-0"],
        &["XPENDING", "dup", "g"],
        &["XINFO", "GROUPS", "dup"],
        &["XINFO", "STREAM", "dup"],
        // Group commands do not touch the key for WATCH; XADD does.
        &["WATCH", "dup"],
        &["XGROUP", "CREATE", "dup", "wg", "0"],
        &["XGROUP", "DESTROY", "dup", "wg"],
        &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "dup", "0"],
        &["XACK", "dup", "g", "1-0"],
        &["MULTI"],
        &["PING"],
        &["EXEC"],
        &["WATCH", "dup"],
        &["XADD", "dup", "3-0", "a", "3"],
        &["MULTI"],
        &["PING"],
        &["EXEC"],
        // SETID back: `>` delivers pending entries again, to the new reader.
        &["XGROUP", "SETID", "dup", "g", "0"],
        &["XREADGROUP", "GROUP", "g", "d", "STREAMS", "dup", ">"],
        &["XPENDING", "dup", "g"],
        &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "dup", "0"],
        &["XINFO", "GROUPS", "dup"],
        // Nodes of stream-node-max-entries entries decide what `~` removes.
        &["CONFIG", "SET", "stream-node-max-entries", "10"],
        &["XADD", "nodes", "1-0", "f", "v"],
        &["XADD", "nodes", "2-0", "f", "v"],
        &["XADD", "nodes", "3-0", "f", "v"],
        &["XADD", "nodes", "4-0", "f", "v"],
        &["XADD", "nodes", "5-0", "f", "v"],
        &["XADD", "nodes", "6-0", "f", "v"],
        &["XADD", "nodes", "7-0", "f", "v"],
        &["XADD", "nodes", "8-0", "f", "v"],
        &["XADD", "nodes", "9-0", "f", "v"],
        &["XADD", "nodes", "10-0", "f", "v"],
        &["XADD", "nodes", "11-0", "f", "v"],
        &["XADD", "nodes", "12-0", "f", "v"],
        &["XADD", "nodes", "13-0", "f", "v"],
        &["XADD", "nodes", "MAXLEN", "~", "2", "14-0", "f", "v"],
        &["XLEN", "nodes"],
        &["XTRIM", "nodes", "MINID", "~", "14"],
        &["XADD", "nodes", "MAXLEN", "~", "0", "15-0", "f", "v"],
        &["XLEN", "nodes"],
        &["CONFIG", "SET", "stream-node-max-entries", "100"],
    ];
    let mut ours = Conn::resp3(s.port);
    let mut theirs = Conn::resp3(redis.port);
    let mut differ = Vec::new();
    for line in script {
        let (a, b) = (ours.cmd(line), theirs.cmd(line));
        if a != b {
            differ.push(format!("{}\n  diskdb: {a:?}\n  redis:  {b:?}", line.join(" ")));
        }
    }
    assert!(differ.is_empty(), "{} replies differ:\n{}", differ.len(), differ.join("\n"));
}
