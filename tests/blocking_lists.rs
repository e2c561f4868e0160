//! Blocking list commands against the real server, after the blocking cases of Redis's
//! tests/unit/type/list.tcl: FIFO service, timeouts, disconnects, MULTI/EXEC, and
//! chains of BRPOPLPUSH/BLMOVE.

mod common;
use common::*;

use std::net::Shutdown;
use std::time::{Duration, Instant};

fn pair(key: &str, value: &str) -> R {
    bulks(&[key, value])
}

/// Sends a command without reading its reply (a "deferring client").
fn defer(c: &mut Raw, args: &[&str]) {
    c.send(&encode(args));
}

/// Sends `args` on `c` without reading the reply, then waits until the server counts
/// `now_blocked` blocked clients (INFO), so the command is known to be waiting.
fn block(s: &Server, c: &mut Raw, args: &[&str], now_blocked: usize) {
    defer(c, args);
    s.wait_blocked(now_blocked);
}

/// A server with one client blocked in `args` (seen blocked by INFO) and a free client.
fn one_blocked(args: &[&str]) -> (Server, Raw, Raw) {
    let s = Server::start();
    let mut rd = s.raw();
    let c = s.raw();
    block(&s, &mut rd, args, 1);
    (s, rd, c)
}

/// Runs `cmds` in one MULTI/EXEC; answers EXEC's reply.
fn transaction(c: &mut Raw, cmds: &[&[&str]]) -> R {
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    for cmd in cmds {
        assert_eq!(c.cmd(cmd), R::Status("QUEUED".into()), "{cmd:?}");
    }
    c.cmd(&["EXEC"])
}

fn lrange(c: &mut Raw, key: &str) -> R {
    c.cmd(&["LRANGE", key, "0", "-1"])
}

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

#[test]
fn blpop_brpop_on_existing_lists_do_not_block() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rd = s.raw();
    c.cmd(&["RPUSH", "blist", "a", "b", "large", "c", "d"]);
    assert_eq!(rd.cmd(&["BLPOP", "blist", "1"]), pair("blist", "a"));
    assert_eq!(rd.cmd(&["BRPOP", "blist", "1"]), pair("blist", "d"));
    assert_eq!(rd.cmd(&["BLPOP", "blist", "1"]), pair("blist", "b"));
    assert_eq!(rd.cmd(&["BRPOP", "blist", "1"]), pair("blist", "c"));
    // multiple existing lists: the first non-empty one in argument order
    c.cmd(&["DEL", "blist", "blist1", "blist2"]);
    c.cmd(&["RPUSH", "blist1", "a", "large", "c"]);
    c.cmd(&["RPUSH", "blist2", "d", "large", "f"]);
    assert_eq!(rd.cmd(&["BLPOP", "blist1", "blist2", "1"]), pair("blist1", "a"));
    assert_eq!(rd.cmd(&["BRPOP", "blist1", "blist2", "1"]), pair("blist1", "c"));
    assert_eq!(c.cmd(&["LLEN", "blist1"]), R::Int(1));
    assert_eq!(c.cmd(&["LLEN", "blist2"]), R::Int(3));
    assert_eq!(rd.cmd(&["BLPOP", "blist2", "blist1", "1"]), pair("blist2", "d"));
    assert_eq!(rd.cmd(&["BRPOP", "blist2", "blist1", "1"]), pair("blist2", "f"));
    // second list has an entry
    c.cmd(&["DEL", "blist1"]);
    assert_eq!(rd.cmd(&["BLPOP", "blist1", "blist2", "1"]), pair("blist2", "large"));
    assert_eq!(c.cmd(&["LLEN", "blist2"]), R::Int(0));
    // BRPOPLPUSH on an existing list
    c.cmd(&["RPUSH", "blist", "a", "b", "c", "d"]);
    assert_eq!(rd.cmd(&["BRPOPLPUSH", "blist", "target", "1"]), R::bulk("d"));
    assert_eq!(c.cmd(&["RPOP", "target"]), R::bulk("d"));
    assert_eq!(lrange(&mut c, "blist"), bulks(&["a", "b", "c"]));
}

#[test]
fn two_clients_blocked_on_one_list_are_served_in_order() {
    let s = Server::start();
    let mut first = s.raw();
    let mut second = s.raw();
    let mut third = s.raw();
    let mut c = s.raw();
    block(&s, &mut first, &["BLPOP", "q", "0"], 1);
    block(&s, &mut second, &["BLPOP", "q", "0"], 2);
    block(&s, &mut third, &["BRPOP", "q", "0"], 3);
    c.cmd(&["RPUSH", "q", "one"]);
    assert_eq!(first.read(), pair("q", "one"));
    c.cmd(&["RPUSH", "q", "two", "three"]);
    assert_eq!(second.read(), pair("q", "two"));
    assert_eq!(third.read(), pair("q", "three"));
    assert_eq!(c.cmd(&["LLEN", "q"]), R::Int(0));
}

#[test]
fn blpop_with_variadic_lpush() {
    let (_s, mut rd, mut c) = one_blocked(&["BLPOP", "blist", "0"]);
    assert_eq!(c.cmd(&["LPUSH", "blist", "foo", "bar"]), R::Int(2));
    assert_eq!(rd.read(), pair("blist", "bar"));
    assert_eq!(lrange(&mut c, "blist"), bulks(&["foo"]));
}

#[test]
fn timeout_returns_nil_after_roughly_the_right_time() {
    let s = Server::start();
    let mut rd = s.raw();
    for cmd in [
        &["BLPOP", "nolist", "0.1"][..],
        &["BRPOP", "nolist", "other", "0.1"],
        &["BLMOVE", "nolist", "dst", "LEFT", "RIGHT", "0.1"],
        &["BRPOPLPUSH", "nolist", "dst", "0.1"],
        &["BLMPOP", "0.1", "2", "nolist", "other", "LEFT", "COUNT", "2"],
    ] {
        let t = Instant::now();
        assert_eq!(rd.cmd(cmd), R::Nil, "{cmd:?}");
        let waited = t.elapsed();
        println!("{} timed out after {waited:?}", cmd[0]);
        assert!(waited >= Duration::from_millis(90), "{cmd:?} returned after {waited:?}");
        assert!(waited < Duration::from_secs(3), "{cmd:?} returned after {waited:?}");
    }
    // The null is a null array on the wire.
    defer(&mut rd, &["BLPOP", "nolist", "0.05"]);
    let mut buf = [0u8; 5];
    std::io::Read::read_exact(&mut rd.stream, &mut buf).unwrap();
    assert_eq!(&buf, b"*-1\r\n");
    // The connection is usable afterwards, and nothing was created.
    assert_eq!(rd.cmd(&["LLEN", "dst"]), R::Int(0));
}

#[test]
fn zero_timeout_blocks_until_a_push() {
    let s = Server::start();
    let mut rd = s.raw();
    let mut c = s.raw();
    for (pop, key) in [("BLPOP", "blist1"), ("BRPOP", "blist2")] {
        block(&s, &mut rd, &[pop, key, "0"], 1);
        // Let time pass: a zero timeout must not expire.
        std::thread::sleep(Duration::from_millis(500));
        s.wait_blocked(1);
        c.cmd(&["RPUSH", key, "foo"]);
        assert_eq!(rd.read(), pair(key, "foo"));
        assert_eq!(c.cmd(&["LLEN", key]), R::Int(0));
    }
    block(&s, &mut rd, &["BRPOPLPUSH", "blist", "target", "0"], 1);
    std::thread::sleep(Duration::from_millis(500));
    s.wait_blocked(1);
    c.cmd(&["RPUSH", "blist", "foo"]);
    assert_eq!(rd.read(), R::bulk("foo"));
    assert_eq!(lrange(&mut c, "target"), bulks(&["foo"]));
}

#[test]
fn timeout_and_argument_errors() {
    let s = Server::start();
    let mut c = s.raw();
    for pop in ["BLPOP", "BRPOP"] {
        assert_eq!(c.cmd(&[pop, "blist1", "-1"]), R::err("ERR timeout is negative"));
        assert_eq!(c.cmd(&[pop, "blist1", "abc"]), R::err("ERR timeout is not a float or out of range"));
    }
    assert_eq!(c.cmd(&["BRPOPLPUSH", "a", "b", "-1"]), R::err("ERR timeout is negative"));
    assert_eq!(c.cmd(&["BLMOVE", "a", "b", "left", "up", "0"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BLMOVE", "a", "b", "left", "left", "x"]), R::err("ERR timeout is not a float or out of range"));
    assert_eq!(c.cmd(&["BLMPOP", "-1", "1", "l", "left"]), R::err("ERR timeout is negative"));
    assert_eq!(c.cmd(&["BLMPOP", "x", "1", "l", "left"]), R::err("ERR timeout is not a float or out of range"));
    assert_eq!(c.cmd(&["BLMPOP", "0", "0", "l", "left"]), R::err("ERR numkeys should be greater than 0"));
    assert_eq!(c.cmd(&["BLMPOP", "0", "1", "l", "left", "count", "0"]), R::err("ERR count should be greater than 0"));
    assert_eq!(c.cmd(&["BLMPOP", "0", "1", "l", "middle"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["BLMPOP", "0", "1", "l"]), R::err("ERR wrong number of arguments for 'blmpop' command"));
    // second argument is not a list
    c.cmd(&["SET", "blist2", "nolist"]);
    assert_eq!(c.cmd(&["BLPOP", "blist1", "blist2", "1"]), R::err(WRONGTYPE));
    assert_eq!(c.cmd(&["BLMPOP", "0", "2", "blist1", "blist2", "left"]), R::err(WRONGTYPE));
    // BRPOPLPUSH with wrong source type
    c.cmd(&["SET", "blist", "nolist"]);
    assert_eq!(c.cmd(&["BRPOPLPUSH", "blist", "target", "1"]), R::err(WRONGTYPE));
}

#[test]
fn client_killed_while_blocked_leaves_no_trace() {
    let s = Server::start();
    let mut doomed = s.raw();
    let mut next = s.raw();
    let mut c = s.raw();
    block(&s, &mut doomed, &["BLPOP", "k", "0"], 1);
    block(&s, &mut next, &["BLPOP", "k", "0"], 2);
    // The first waiter goes away: the push must go to the next one.
    doomed.stream.shutdown(Shutdown::Both).unwrap();
    drop(doomed);
    s.wait_blocked(1);
    c.cmd(&["RPUSH", "k", "v1"]);
    assert_eq!(next.read(), pair("k", "v1"));
    // With nobody left waiting, a push stays in the list.
    let mut gone = s.raw();
    block(&s, &mut gone, &["BRPOPLPUSH", "k2", "dst", "0"], 1);
    gone.stream.shutdown(Shutdown::Both).unwrap();
    drop(gone);
    s.wait_blocked(0);
    assert_eq!(c.cmd(&["RPUSH", "k2", "stays"]), R::Int(1));
    s.wait_blocked(0);
    assert_eq!(lrange(&mut c, "k2"), bulks(&["stays"]));
    assert_eq!(c.cmd(&["LLEN", "dst"]), R::Int(0));
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn push_inside_multi_exec_wakes_waiters_with_the_final_state() {
    // MULTI/EXEC is isolated from the point of view of BLPOP.
    let (_s, mut rd, mut c) = one_blocked(&["BLPOP", "list", "0"]);
    assert_eq!(transaction(&mut c, &[&["LPUSH", "list", "a"], &["LPUSH", "list", "b"], &["LPUSH", "list", "c"]]), R::Array(vec![R::Int(1), R::Int(2), R::Int(3)]));
    assert_eq!(rd.read(), pair("list", "c"));
}

#[test]
fn lpush_and_del_in_a_transaction_do_not_serve_the_waiter() {
    // BLPOP, LPUSH + DEL should not awake blocked client
    let (s, mut rd, mut c) = one_blocked(&["BLPOP", "list", "0"]);
    transaction(&mut c, &[&["LPUSH", "list", "a"], &["DEL", "list"]]);
    c.cmd(&["DEL", "list"]);
    s.wait_blocked(1);
    c.cmd(&["LPUSH", "list", "b"]);
    assert_eq!(rd.read(), pair("list", "b"));
}

#[test]
fn lpush_del_set_in_a_transaction_do_not_wake_the_waiter() {
    // BLPOP, LPUSH + DEL + SET should not awake blocked client: a key that became a
    // string is passed over, the client stays blocked.
    let (s, mut rd, mut c) = one_blocked(&["BLPOP", "list", "0"]);
    transaction(&mut c, &[&["LPUSH", "list", "a"], &["DEL", "list"], &["SET", "list", "foo"]]);
    s.wait_blocked(1);
    c.cmd(&["DEL", "list"]);
    c.cmd(&["LPUSH", "list", "b"]);
    assert_eq!(rd.read(), pair("list", "b"));
    // The same for a source that becomes a string under BLMOVE and BLMPOP.
    block(&s, &mut rd, &["BLMOVE", "src", "dst", "LEFT", "LEFT", "0"], 1);
    c.cmd(&["SET", "src", "foo"]);
    s.wait_blocked(1);
    c.cmd(&["DEL", "src"]);
    c.cmd(&["RPUSH", "src", "x"]);
    assert_eq!(rd.read(), R::bulk("x"));
    block(&s, &mut rd, &["BLMPOP", "0", "1", "k", "LEFT"], 1);
    c.cmd(&["SET", "k", "foo"]);
    s.wait_blocked(1);
    c.cmd(&["DEL", "k"]);
    c.cmd(&["RPUSH", "k", "y"]);
    assert_eq!(rd.read(), R::Array(vec![R::bulk("k"), bulks(&["y"])]));
}

#[test]
fn blocking_commands_inside_multi_do_not_block() {
    // BLPOP inside a transaction
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["LPUSH", "xlist", "foo"]);
    c.cmd(&["LPUSH", "xlist", "bar"]);
    let t = Instant::now();
    let pop: &[&str] = &["BLPOP", "xlist", "0"];
    assert_eq!(transaction(&mut c, &[pop, pop, pop]), R::Array(vec![pair("xlist", "bar"), pair("xlist", "foo"), R::Nil]));
    assert!(t.elapsed() < Duration::from_secs(2));
    // BRPOPLPUSH inside a transaction
    c.cmd(&["DEL", "xlist", "target"]);
    c.cmd(&["LPUSH", "xlist", "foo"]);
    c.cmd(&["LPUSH", "xlist", "bar"]);
    let pop: &[&str] = &["BRPOPLPUSH", "xlist", "target", "0"];
    assert_eq!(
        transaction(&mut c, &[pop, pop, pop, &["LRANGE", "xlist", "0", "-1"], &["LRANGE", "target", "0", "-1"]]),
        R::Array(vec![R::bulk("foo"), R::bulk("bar"), R::Nil, bulks(&[]), bulks(&["bar", "foo"])])
    );
    // The empty answers inside MULTI: a null bulk for BLMOVE/BRPOPLPUSH, a null array for
    // BLPOP/BLMPOP, exactly as Redis.
    c.cmd(&["MULTI"]);
    c.cmd(&["BRPOPLPUSH", "e1", "e2", "0"]);
    c.cmd(&["BLMOVE", "e1", "e2", "LEFT", "LEFT", "0"]);
    c.cmd(&["BLPOP", "e1", "0"]);
    c.cmd(&["BLMPOP", "0", "1", "e1", "LEFT"]);
    c.send(&encode(&["EXEC"]));
    let mut buf = [0u8; 24];
    std::io::Read::read_exact(&mut c.stream, &mut buf).unwrap();
    assert_eq!(&buf, b"*4\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n");
}

#[test]
fn lmove_into_a_key_wakes_its_waiters() {
    let (s, mut rd, mut c) = one_blocked(&["BLPOP", "target", "0"]);
    c.cmd(&["RPUSH", "src", "moved"]);
    assert_eq!(c.cmd(&["LMOVE", "src", "target", "LEFT", "RIGHT"]), R::bulk("moved"));
    assert_eq!(rd.read(), pair("target", "moved"));
    assert_eq!(c.cmd(&["LLEN", "target"]), R::Int(0));
    // And RPOPLPUSH, and LMPOP-based moves via BLMOVE.
    block(&s, &mut rd, &["BLMPOP", "0", "2", "x", "target", "RIGHT", "COUNT", "5"], 1);
    c.cmd(&["RPUSH", "src", "m2"]);
    assert_eq!(c.cmd(&["RPOPLPUSH", "src", "target"]), R::bulk("m2"));
    assert_eq!(rd.read(), R::Array(vec![R::bulk("target"), bulks(&["m2"])]));
}

#[test]
fn brpoplpush_with_a_client_blpoping_the_target_list() {
    let s = Server::start();
    let mut rd = s.raw();
    let mut rd2 = s.raw();
    let mut c = s.raw();
    block(&s, &mut rd2, &["BLPOP", "target", "0"], 1);
    block(&s, &mut rd, &["BRPOPLPUSH", "blist", "target", "0"], 2);
    c.cmd(&["RPUSH", "blist", "foo"]);
    assert_eq!(rd.read(), R::bulk("foo"));
    assert_eq!(rd2.read(), pair("target", "foo"));
    assert_eq!(c.cmd(&["LLEN", "target"]), R::Int(0));
}

#[test]
fn brpoplpush_with_wrong_destination_type() {
    let s = Server::start();
    let mut rd = s.raw();
    let mut c = s.raw();
    c.cmd(&["SET", "target", "nolist"]);
    c.cmd(&["LPUSH", "blist", "foo"]);
    assert_eq!(rd.cmd(&["BRPOPLPUSH", "blist", "target", "1"]), R::err(WRONGTYPE));
    c.cmd(&["DEL", "blist"]);
    block(&s, &mut rd, &["BRPOPLPUSH", "blist", "target", "0"], 1);
    c.cmd(&["RPUSH", "blist", "foo"]);
    assert_eq!(rd.read(), R::err(WRONGTYPE));
    assert_eq!(lrange(&mut c, "blist"), bulks(&["foo"]));
    // BRPOPLPUSH maintains order of elements after failure
    c.cmd(&["DEL", "blist"]);
    block(&s, &mut rd, &["BRPOPLPUSH", "blist", "target", "0"], 1);
    c.cmd(&["RPUSH", "blist", "a", "b", "c"]);
    assert_eq!(rd.read(), R::err(WRONGTYPE));
    assert_eq!(lrange(&mut c, "blist"), bulks(&["a", "b", "c"]));
}

#[test]
fn brpoplpush_with_multiple_blocked_clients() {
    // The first waiter fails on its destination; the element goes to the second.
    let s = Server::start();
    let mut rd1 = s.raw();
    let mut rd2 = s.raw();
    let mut c = s.raw();
    c.cmd(&["SET", "target1", "nolist"]);
    block(&s, &mut rd1, &["BRPOPLPUSH", "blist", "target1", "0"], 1);
    block(&s, &mut rd2, &["BRPOPLPUSH", "blist", "target2", "0"], 2);
    c.cmd(&["LPUSH", "blist", "foo"]);
    assert_eq!(rd1.read(), R::err(WRONGTYPE));
    assert_eq!(rd2.read(), R::bulk("foo"));
    assert_eq!(lrange(&mut c, "target2"), bulks(&["foo"]));
}

#[test]
fn linked_circular_and_self_referential_brpoplpush() {
    let s = Server::start();
    let mut c = s.raw();
    // Linked BRPOPLPUSH
    let mut rd1 = s.raw();
    let mut rd2 = s.raw();
    defer(&mut rd1, &["BRPOPLPUSH", "list1", "list2", "0"]);
    block(&s, &mut rd2, &["BRPOPLPUSH", "list2", "list3", "0"], 2);
    c.cmd(&["RPUSH", "list1", "foo"]);
    assert_eq!(rd1.read(), R::bulk("foo"));
    assert_eq!(rd2.read(), R::bulk("foo"));
    assert_eq!(lrange(&mut c, "list1"), bulks(&[]));
    assert_eq!(lrange(&mut c, "list2"), bulks(&[]));
    assert_eq!(lrange(&mut c, "list3"), bulks(&["foo"]));
    // Circular BRPOPLPUSH
    c.cmd(&["DEL", "list1", "list2"]);
    defer(&mut rd1, &["BRPOPLPUSH", "list1", "list2", "0"]);
    block(&s, &mut rd2, &["BRPOPLPUSH", "list2", "list1", "0"], 2);
    c.cmd(&["RPUSH", "list1", "foo"]);
    assert_eq!(rd1.read(), R::bulk("foo"));
    assert_eq!(rd2.read(), R::bulk("foo"));
    assert_eq!(lrange(&mut c, "list1"), bulks(&["foo"]));
    assert_eq!(lrange(&mut c, "list2"), bulks(&[]));
    // Self-referential BRPOPLPUSH
    c.cmd(&["DEL", "blist"]);
    block(&s, &mut rd1, &["BRPOPLPUSH", "blist", "blist", "0"], 1);
    c.cmd(&["RPUSH", "blist", "foo"]);
    assert_eq!(rd1.read(), R::bulk("foo"));
    assert_eq!(lrange(&mut c, "blist"), bulks(&["foo"]));
}

#[test]
fn blpop_with_same_key_multiple_times() {
    // BLPOP with same key multiple times should work (issue #801)
    let (s, mut rd, mut c) = one_blocked(&["BLPOP", "list1", "list2", "list2", "list1", "0"]);
    c.cmd(&["LPUSH", "list1", "a"]);
    assert_eq!(rd.read(), pair("list1", "a"));
    block(&s, &mut rd, &["BLPOP", "list1", "list2", "list2", "list1", "0"], 1);
    c.cmd(&["LPUSH", "list2", "b"]);
    assert_eq!(rd.read(), pair("list2", "b"));
    // Data already there.
    c.cmd(&["LPUSH", "list1", "a"]);
    c.cmd(&["LPUSH", "list2", "b"]);
    assert_eq!(rd.cmd(&["BLPOP", "list1", "list2", "list2", "list1", "0"]), pair("list1", "a"));
    assert_eq!(rd.cmd(&["BLPOP", "list1", "list2", "list2", "list1", "0"]), pair("list2", "b"));
}

#[test]
fn blmove_and_blmpop_in_every_direction() {
    let s = Server::start();
    let mut rd = s.raw();
    let mut c = s.raw();
    for (from, to, pushed, expect_dst) in [
        ("LEFT", "LEFT", &["a", "b"][..], &["a", "x"][..]),
        ("LEFT", "RIGHT", &["a", "b"][..], &["x", "a"][..]),
        ("RIGHT", "LEFT", &["a", "b"][..], &["b", "x"][..]),
        ("RIGHT", "RIGHT", &["a", "b"][..], &["x", "b"][..]),
    ] {
        c.cmd(&["DEL", "src", "dst"]);
        c.cmd(&["RPUSH", "dst", "x"]);
        block(&s, &mut rd, &["BLMOVE", "src", "dst", from, to, "0"], 1);
        let mut args = vec!["RPUSH", "src"];
        args.extend_from_slice(pushed);
        c.cmd(&args);
        let moved = if from == "LEFT" { "a" } else { "b" };
        assert_eq!(rd.read(), R::bulk(moved));
        assert_eq!(lrange(&mut c, "dst"), bulks(expect_dst));
    }
    // BLMPOP: blocks on several keys, serves the one pushed to, with COUNT.
    c.cmd(&["DEL", "k1", "k2"]);
    block(&s, &mut rd, &["BLMPOP", "0", "2", "k1", "k2", "RIGHT", "COUNT", "2"], 1);
    c.cmd(&["RPUSH", "k2", "1", "2", "3"]);
    assert_eq!(rd.read(), R::Array(vec![R::bulk("k2"), bulks(&["3", "2"])]));
    assert_eq!(lrange(&mut c, "k2"), bulks(&["1"]));
    // Data already there: no blocking.
    assert_eq!(rd.cmd(&["BLMPOP", "0", "2", "k1", "k2", "LEFT"]), R::Array(vec![R::bulk("k2"), bulks(&["1"])]));
}

#[test]
fn blocked_client_keeps_its_pipelined_commands_for_after_the_reply() {
    let s = Server::start();
    let mut rd = s.raw();
    let mut c = s.raw();
    let mut both = encode(&["BLPOP", "p", "0"]);
    both.extend_from_slice(&encode(&["PING"]));
    rd.send(&both);
    s.wait_blocked(1);
    c.cmd(&["RPUSH", "p", "v"]);
    assert_eq!(rd.read(), pair("p", "v"));
    assert_eq!(rd.read(), R::Status("PONG".into()));
}

#[test]
fn blmpop_with_multiple_blocked_clients() {
    let s = Server::start();
    let mut c = s.raw();
    let mut rds: Vec<Raw> = (0..4).map(|_| s.raw()).collect();
    let cmds: [&[&str]; 4] = [
        &["BLMPOP", "0", "2", "blist", "blist2", "left", "count", "1"],
        &["BLMPOP", "0", "2", "blist", "blist2", "right", "count", "10"],
        &["BLMPOP", "0", "2", "blist", "blist2", "left", "count", "10"],
        &["BLMPOP", "0", "2", "blist", "blist2", "right", "count", "1"],
    ];
    for (i, (rd, cmd)) in rds.iter_mut().zip(cmds).enumerate() {
        block(&s, rd, cmd, i + 1);
    }
    transaction(&mut c, &[&["LPUSH", "blist", "a", "b", "c", "d", "e"], &["LPUSH", "blist2", "1", "2", "3", "4", "5"]]);
    assert_eq!(rds[0].read(), R::Array(vec![R::bulk("blist"), bulks(&["e"])]));
    assert_eq!(rds[1].read(), R::Array(vec![R::bulk("blist"), bulks(&["a", "b", "c", "d"])]));
    assert_eq!(rds[2].read(), R::Array(vec![R::bulk("blist2"), bulks(&["5", "4", "3", "2", "1"])]));
    c.cmd(&["LPUSH", "blist2", "1", "2", "3"]);
    assert_eq!(rds[3].read(), R::Array(vec![R::bulk("blist2"), bulks(&["1"])]));
}

#[test]
fn push_resulting_from_brpoplpush_affects_watch() {
    let s = Server::start();
    let mut blocked = s.raw();
    let mut watching = s.raw();
    let mut c = s.raw();
    c.cmd(&["SET", "somekey", "somevalue"]);
    block(&s, &mut blocked, &["BRPOPLPUSH", "srclist", "dstlist", "0"], 1);
    assert_eq!(watching.cmd(&["WATCH", "dstlist"]), R::ok());
    watching.cmd(&["MULTI"]);
    watching.cmd(&["GET", "somekey"]);
    c.cmd(&["LPUSH", "srclist", "element"]);
    assert_eq!(blocked.read(), R::bulk("element"));
    assert_eq!(watching.cmd(&["EXEC"]), R::Nil);
}

#[test]
fn brpoplpush_does_not_affect_watch_while_still_blocked() {
    let s = Server::start();
    let mut blocked = s.raw();
    let mut watching = s.raw();
    let mut c = s.raw();
    c.cmd(&["SET", "somekey", "somevalue"]);
    block(&s, &mut blocked, &["BRPOPLPUSH", "srclist", "dstlist", "0"], 1);
    watching.cmd(&["WATCH", "dstlist"]);
    watching.cmd(&["MULTI"]);
    watching.cmd(&["GET", "somekey"]);
    assert_eq!(watching.cmd(&["EXEC"]), R::Array(vec![R::bulk("somevalue")]));
    c.cmd(&["LPUSH", "srclist", "element"]);
    assert_eq!(blocked.read(), R::bulk("element"));
}
