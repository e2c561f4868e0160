//! Stream consumer groups against the real server: XGROUP, XREADGROUP (and its
//! blocking), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO GROUPS / CONSUMERS, entries-read
//! and lag as Redis 7 computes them; a group shared by three consumers under load;
//! group state through `kill -9`.

mod common;
use common::*;

use std::collections::HashSet;
use std::time::Duration;

fn items(r: R) -> Vec<R> {
    match r {
        R::Array(v) | R::Agg(_, v) => v,
        other => panic!("not an aggregate: {other:?}"),
    }
}

fn text(r: &R) -> String {
    match r {
        R::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a bulk: {other:?}"),
    }
}

fn entry(id: &str, fields: &[&str]) -> R {
    R::Array(vec![R::bulk(id), bulks(fields)])
}

/// A map field of a reply (RESP2: a flat array).
fn field(reply: &R, name: &str) -> R {
    let v = match reply {
        R::Array(v) | R::Agg(_, v) => v,
        other => panic!("not an aggregate: {other:?}"),
    };
    v.chunks(2).find(|kv| kv[0] == R::bulk(name)).map(|kv| kv[1].clone()).unwrap_or_else(|| panic!("no {name} in {reply:?}"))
}

/// The IDs an XREADGROUP reply of one stream delivered.
fn delivered(reply: R) -> Vec<String> {
    match reply {
        R::Nil => Vec::new(),
        r => items(r).into_iter().flat_map(|s| items(items(s)[1].clone())).map(|e| text(&items(e)[0])).collect(),
    }
}

fn setup(c: &mut Raw, n: usize) {
    for i in 1..=n {
        c.cmd(&["XADD", "s", &format!("{i}-0"), "n", &i.to_string()]);
    }
}

#[test]
fn xgroup_create_setid_destroy_and_consumers() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(
        c.cmd(&["XGROUP", "CREATE", "s", "g", "$"]),
        R::err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
    );
    assert_eq!(c.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]), R::ok());
    assert_eq!((c.cmd(&["EXISTS", "s"]), c.cmd(&["XLEN", "s"])), (R::Int(1), R::Int(0)));
    assert_eq!(c.cmd(&["XGROUP", "CREATE", "s", "g", "$"]), R::err("BUSYGROUP Consumer Group name already exists"));
    assert_eq!(c.cmd(&["XGROUP", "CREATE", "s", "h", "0", "ENTRIESREAD", "-2"]), R::err("ERR value for ENTRIESREAD must be positive or -1"));
    assert_eq!(c.cmd(&["XGROUP", "CREATE", "s", "h", "0", "FOO"]), R::err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."));
    assert_eq!(c.cmd(&["XGROUP", "CREATE", "s", "h", "x"]), R::err("ERR Invalid stream ID specified as stream command argument"));
    assert_eq!(c.cmd(&["XGROUP", "CREATE", "s", "h"]), R::err("ERR wrong number of arguments for 'xgroup|create' command"));
    assert_eq!(c.cmd(&["XGROUP", "CREATECONSUMER", "s", "g", "alice"]), R::Int(1));
    assert_eq!(c.cmd(&["XGROUP", "CREATECONSUMER", "s", "g", "alice"]), R::Int(0));
    assert_eq!(c.cmd(&["XGROUP", "CREATECONSUMER", "s", "nog", "alice"]), R::err("NOGROUP No such consumer group 'nog' for key name 's'"));
    assert_eq!(c.cmd(&["XGROUP", "DELCONSUMER", "s", "g", "nobody"]), R::Int(0));
    setup(&mut c, 3);
    assert_eq!(delivered(c.cmd(&["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"])), ["1-0", "2-0", "3-0"]);
    let consumers = items(c.cmd(&["XINFO", "CONSUMERS", "s", "g"]));
    assert_eq!(consumers.iter().map(|c| field(c, "name")).collect::<Vec<_>>(), [R::bulk("alice"), R::bulk("bob")]);
    assert_eq!(field(&consumers[1], "pending"), R::Int(3));
    assert_eq!(c.cmd(&["XGROUP", "DELCONSUMER", "s", "g", "bob"]), R::Int(3));
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g"]))[0], R::Int(0));
    assert_eq!(c.cmd(&["XGROUP", "SETID", "s", "g", "0"]), R::ok());
    assert_eq!(delivered(c.cmd(&["XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">"])), ["1-0"]);
    assert_eq!(c.cmd(&["XGROUP", "SETID", "s", "nog", "0"]), R::err("NOGROUP No such consumer group 'nog' for key name 's'"));
    assert_eq!(c.cmd(&["XGROUP", "SETID", "nokey", "g", "0"]), R::err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."));
    assert_eq!(c.cmd(&["XGROUP", "DESTROY", "s", "g"]), R::Int(1));
    assert_eq!(c.cmd(&["XGROUP", "DESTROY", "s", "g"]), R::Int(0));
    assert_eq!(c.cmd(&["XINFO", "GROUPS", "s"]), R::Array(vec![]));
    // A group of the same name starts empty.
    assert_eq!(c.cmd(&["XGROUP", "CREATE", "s", "g", "0"]), R::ok());
    assert_eq!(c.cmd(&["XINFO", "CONSUMERS", "s", "g"]), R::Array(vec![]));
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g"]))[0], R::Int(0));
    assert!(matches!(c.cmd(&["XGROUP", "HELP"]), R::Array(v) if v.len() == 17));
}

#[test]
fn xreadgroup_delivers_new_entries_and_history() {
    let s = Server::start();
    let mut c = s.raw();
    setup(&mut c, 5);
    c.cmd(&["XGROUP", "CREATE", "s", "g", "0"]);
    assert_eq!(
        c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"]),
        R::Array(vec![R::Array(vec![R::bulk("s"), R::Array(vec![entry("1-0", &["n", "1"]), entry("2-0", &["n", "2"])])])])
    );
    assert_eq!(delivered(c.cmd(&["XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "NOACK", "STREAMS", "s", ">"])), ["3-0", "4-0"]);
    // History: alice's own pending entries after the ID; bob's NOACK entries are not his.
    assert_eq!(delivered(c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"])), ["1-0", "2-0"]);
    assert_eq!(delivered(c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "1-0"])), ["2-0"]);
    assert_eq!(c.cmd(&["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"]), R::Array(vec![R::Array(vec![R::bulk("s"), R::Array(vec![])])]));
    // A deleted entry still pending shows as [id, nil].
    c.cmd(&["XDEL", "s", "1-0"]);
    assert_eq!(
        c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"]),
        R::Array(vec![R::Array(vec![R::bulk("s"), R::Array(vec![R::Array(vec![R::bulk("1-0"), R::Nil]), entry("2-0", &["n", "2"])])])])
    );
    // Delivery counts: 1 at first, +1 per history read of an existing entry.
    let pending = items(c.cmd(&["XPENDING", "s", "g", "-", "+", "10"]));
    assert_eq!(pending.iter().map(|p| (items(p.clone())[0].clone(), items(p.clone())[3].clone())).collect::<Vec<_>>(), [(R::bulk("1-0"), R::Int(2)), (R::bulk("2-0"), R::Int(4))]);
    assert_eq!(delivered(c.cmd(&["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">"])), ["5-0"]);
    assert_eq!(c.cmd(&["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">"]), R::Nil);
    assert_eq!(
        c.cmd(&["XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"]),
        R::err("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option")
    );
    assert_eq!(c.cmd(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"]).clone(), R::err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."));
    assert_eq!(c.cmd(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">"]), R::err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."));
    // XINFO GROUPS: counters as Redis 7 keeps them.
    let g = items(c.cmd(&["XINFO", "GROUPS", "s"])).remove(0);
    assert_eq!(field(&g, "consumers"), R::Int(3));
    assert_eq!(field(&g, "pending"), R::Int(3));
    assert_eq!(field(&g, "last-delivered-id"), R::bulk("5-0"));
    assert_eq!(field(&g, "entries-read"), R::Int(5));
    assert_eq!(field(&g, "lag"), R::Int(0));
}

#[test]
fn entries_read_and_lag_follow_redis_7() {
    let s = Server::start();
    let mut c = s.raw();
    setup(&mut c, 5);
    c.cmd(&["XGROUP", "CREATE", "s", "g", "0"]);
    c.cmd(&["XGROUP", "CREATE", "s", "late", "$"]);
    let group = |c: &mut Raw, name: &str| {
        items(c.cmd(&["XINFO", "GROUPS", "s"])).into_iter().find(|g| field(g, "name") == R::bulk(name)).unwrap()
    };
    let g = group(&mut c, "g");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (R::Nil, R::Int(5)));
    let late = group(&mut c, "late");
    assert_eq!((field(&late, "entries-read"), field(&late, "lag")), (R::Nil, R::Int(0)));
    c.cmd(&["XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">"]);
    let g = group(&mut c, "g");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (R::Int(2), R::Int(3)));
    // A deletion ahead of the group makes its lag unknown until it reads past it.
    c.cmd(&["XDEL", "s", "4-0"]);
    let g = group(&mut c, "g");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (R::Int(2), R::Nil));
    c.cmd(&["XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"]);
    let g = group(&mut c, "g");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (R::Int(5), R::Int(0)));
    c.cmd(&["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "0"]);
    let g = group(&mut c, "g");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (R::Int(0), R::Nil), "the deletion is ahead of it again");
}

#[test]
fn xack_and_xpending_summary_extended_idle_and_consumer() {
    let s = Server::start();
    let mut c = s.raw();
    setup(&mut c, 6);
    c.cmd(&["XGROUP", "CREATE", "s", "g", "0"]);
    assert_eq!(c.cmd(&["XPENDING", "s", "g"]), R::Array(vec![R::Int(0), R::Nil, R::Nil, R::Nil]));
    c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"]);
    c.cmd(&["XREADGROUP", "GROUP", "g", "bob", "COUNT", "3", "STREAMS", "s", ">"]);
    assert_eq!(
        c.cmd(&["XPENDING", "s", "g"]),
        R::Array(vec![R::Int(5), R::bulk("1-0"), R::bulk("5-0"), R::Array(vec![bulks(&["alice", "2"]), bulks(&["bob", "3"])])])
    );
    let ext = items(c.cmd(&["XPENDING", "s", "g", "-", "+", "10", "bob"]));
    assert_eq!(ext.len(), 3);
    let first = items(ext[0].clone());
    assert_eq!((first[0].clone(), first[1].clone(), first[3].clone()), (R::bulk("3-0"), R::bulk("bob"), R::Int(1)));
    assert!(matches!(first[2], R::Int(ms) if (0..5000).contains(&ms)));
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g", "(1-0", "(5-0", "2"])).len(), 2);
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g", "-", "+", "10", "nobody"])).len(), 0);
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10"])).len(), 0);
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g", "IDLE", "50", "-", "+", "10"])).len(), 5);
    assert_eq!(c.cmd(&["XPENDING", "s", "g", "IDLE", "50", "-", "+"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["XPENDING", "s", "g", "-", "+"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["XPENDING", "s", "nog"]), R::err("NOGROUP No such key 's' or consumer group 'nog'"));
    assert_eq!(c.cmd(&["XPENDING", "s", "g", "-", "+", "x"]), R::err("ERR value is not an integer or out of range"));
    // XACK: only pending IDs count, each once; bad IDs acknowledge nothing.
    assert_eq!(c.cmd(&["XACK", "s", "g", "1-0", "1-0", "6-0", "3"]), R::Int(2));
    assert_eq!(c.cmd(&["XACK", "s", "g", "2-0", "bad"]), R::err("ERR Invalid stream ID specified as stream command argument"));
    assert_eq!(c.cmd(&["XACK", "s", "nog", "2-0"]), R::Int(0));
    assert_eq!(c.cmd(&["XACK", "nokey", "g", "2-0"]), R::Int(0));
    assert_eq!(
        c.cmd(&["XPENDING", "s", "g"]),
        R::Array(vec![R::Int(3), R::bulk("2-0"), R::bulk("5-0"), R::Array(vec![bulks(&["alice", "1"]), bulks(&["bob", "2"])])])
    );
}

#[test]
fn xclaim_and_xautoclaim() {
    let s = Server::start();
    let mut c = s.raw();
    setup(&mut c, 5);
    c.cmd(&["XGROUP", "CREATE", "s", "g", "0"]);
    c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"]);
    // Not idle long enough: nothing claimed.
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "bob", "100000", "1-0"]), R::Array(vec![]));
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "bob", "0", "1-0"]), R::Array(vec![entry("1-0", &["n", "1"])]));
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "bob", "0", "2-0", "JUSTID", "RETRYCOUNT", "7", "IDLE", "5000"]), bulks(&["2-0"]));
    let p = items(items(c.cmd(&["XPENDING", "s", "g", "2-0", "2-0", "1"]))[0].clone());
    assert_eq!((p[1].clone(), p[3].clone()), (R::bulk("bob"), R::Int(7)));
    assert!(matches!(p[2], R::Int(ms) if (5000..10000).contains(&ms)));
    // FORCE creates a pending entry for an entry no one was given; LASTID moves the group.
    c.cmd(&["XADD", "s", "6-0", "n", "6"]);
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "carol", "0", "6-0", "FORCE", "JUSTID", "LASTID", "6-0"]), bulks(&["6-0"]));
    assert_eq!(c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"]), R::Nil);
    // A claimed entry that was deleted leaves the list.
    c.cmd(&["XDEL", "s", "3-0"]);
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "bob", "0", "3-0"]), R::Array(vec![]));
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g"]))[0], R::Int(5));
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "bob", "x", "1-0"]), R::err("ERR Invalid min-idle-time argument for XCLAIM"));
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "bob", "0", "1-0", "IDLE", "x"]), R::err("ERR Invalid IDLE option argument for XCLAIM"));
    assert_eq!(c.cmd(&["XCLAIM", "s", "g", "bob", "0", "1-0", "FOO"]), R::err("ERR Unrecognized XCLAIM option 'FOO'"));
    assert_eq!(c.cmd(&["XCLAIM", "s", "nog", "bob", "0", "1-0"]), R::err("NOGROUP No such key 's' or consumer group 'nog'"));
    // XAUTOCLAIM: a cursor, the claimed entries, the deleted ones dropped.
    c.cmd(&["XDEL", "s", "4-0"]);
    assert_eq!(
        c.cmd(&["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "2"]),
        R::Array(vec![R::bulk("4-0"), R::Array(vec![entry("1-0", &["n", "1"]), entry("2-0", &["n", "2"])]), R::Array(vec![])])
    );
    assert_eq!(
        c.cmd(&["XAUTOCLAIM", "s", "g", "dave", "0", "4-0", "JUSTID"]),
        R::Array(vec![R::bulk("0-0"), bulks(&["5-0", "6-0"]), bulks(&["4-0"])])
    );
    assert_eq!(c.cmd(&["XAUTOCLAIM", "s", "g", "erin", "100000", "0"]), R::Array(vec![R::bulk("0-0"), R::Array(vec![]), R::Array(vec![])]));
    assert_eq!(c.cmd(&["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "0"]), R::err("ERR COUNT must be > 0"));
    assert_eq!(c.cmd(&["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "9223372036854775807"]), R::err("ERR COUNT must be > 0"));
    assert_eq!(c.cmd(&["XAUTOCLAIM", "s", "g", "dave", "x", "0"]), R::err("ERR Invalid min-idle-time argument for XAUTOCLAIM"));
    assert_eq!(c.cmd(&["XAUTOCLAIM", "s", "g", "dave", "0", "0", "FOO"]), R::err("ERR syntax error"));
    let pending = c.cmd(&["XPENDING", "s", "g"]);
    assert_eq!(pending, R::Array(vec![R::Int(4), R::bulk("1-0"), R::bulk("6-0"), R::Array(vec![bulks(&["dave", "4"])])]));
}

#[test]
fn xreadgroup_block_wakes_on_xadd_and_ends_on_destroy_or_del() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    let mut waiter = s.raw();
    waiter.send_cmd(&["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    s.wait_blocked(1);
    c.cmd(&["XADD", "s", "1-0", "f", "v"]);
    assert_eq!(waiter.read(), R::Array(vec![R::Array(vec![R::bulk("s"), R::Array(vec![entry("1-0", &["f", "v"])])])]));
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g"]))[0], R::Int(1));
    // Two waiters in one group: each new entry goes to exactly one of them.
    let mut other = s.raw();
    waiter.send_cmd(&["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">"]);
    s.wait_blocked(1);
    other.send_cmd(&["XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">"]);
    s.wait_blocked(2);
    c.cmd(&["XADD", "s", "2-0", "f", "v"]);
    assert_eq!(delivered(waiter.read()), ["2-0"], "the first to block is served first");
    c.cmd(&["XADD", "s", "3-0", "f", "v"]);
    assert_eq!(delivered(other.read()), ["3-0"]);
    // Times out.
    assert_eq!(waiter.cmd(&["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "50", "STREAMS", "s", ">"]), R::Nil);
    // XGROUP DESTROY and DEL end the wait with an error.
    waiter.send_cmd(&["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    s.wait_blocked(1);
    c.cmd(&["XGROUP", "DESTROY", "s", "g"]);
    assert_eq!(waiter.read(), R::err("NOGROUP the consumer group this client was blocked on no longer exists"));
    c.cmd(&["XGROUP", "CREATE", "s", "g", "$"]);
    waiter.send_cmd(&["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    s.wait_blocked(1);
    c.cmd(&["DEL", "s"]);
    assert_eq!(waiter.read(), R::err("UNBLOCKED the stream key no longer exists"));
    s.wait_blocked(0);
    // Inside MULTI it does not block.
    c.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::Nil]));
}

/// Three consumers share a group while a producer adds entries: every entry is
/// delivered exactly once, stays pending until acknowledged, can be claimed by another
/// consumer once idle, and the group's state survives `kill -9`.
#[test]
fn a_group_shared_by_three_consumers_under_load() {
    let mut s = Server::start();
    let total = 3000usize;
    let mut c = s.raw();
    c.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    let producer = {
        let port = s.port;
        std::thread::spawn(move || {
            let mut p = Raw::connect(port);
            for i in 1..=total {
                assert!(matches!(p.cmd(&["XADD", "s", "*", "n", &i.to_string()]), R::Bulk(_)));
            }
        })
    };
    let consumers: Vec<_> = ["c1", "c2", "c3"]
        .into_iter()
        .map(|name| {
            let port = s.port;
            std::thread::spawn(move || {
                let mut k = Raw::connect(port);
                let mut got = Vec::new();
                let mut idle_rounds = 0;
                // Each acknowledges what it reads, except every tenth entry, left pending.
                while idle_rounds < 20 {
                    let ids = delivered(k.cmd(&["XREADGROUP", "GROUP", "g", name, "COUNT", "10", "BLOCK", "100", "STREAMS", "s", ">"]));
                    if ids.is_empty() {
                        idle_rounds += 1;
                        continue;
                    }
                    idle_rounds = 0;
                    for id in &ids {
                        let n: usize = got.len();
                        if n % 10 != 9 {
                            assert_eq!(k.cmd(&["XACK", "s", "g", id]), R::Int(1));
                        }
                        got.push(id.clone());
                    }
                }
                got
            })
        })
        .collect();
    producer.join().unwrap();
    let per: Vec<Vec<String>> = consumers.into_iter().map(|t| t.join().unwrap()).collect();
    let all: Vec<&String> = per.iter().flatten().collect();
    let distinct: HashSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), total, "every entry delivered");
    assert_eq!(distinct.len(), total, "and exactly once");
    assert!(per.iter().all(|p| !p.is_empty()), "each consumer got a share: {:?}", per.iter().map(Vec::len).collect::<Vec<_>>());
    let unacked: usize = per.iter().map(|p| p.len() / 10).sum();
    let summary = items(c.cmd(&["XPENDING", "s", "g"]));
    assert_eq!(summary[0], R::Int(unacked as i64), "pending until acknowledged");
    let g = items(c.cmd(&["XINFO", "GROUPS", "s"])).remove(0);
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (R::Int(total as i64), R::Int(0)));
    // Crash, restart: the group, its PEL, delivery counts and consumers are intact.
    let before = (c.cmd(&["XPENDING", "s", "g"]), c.cmd(&["XPENDING", "s", "g", "-", "+", "100000"]), c.cmd(&["XINFO", "GROUPS", "s"]));
    drop(c);
    s.kill9();
    s.restart();
    let mut c = s.raw();
    let after_summary = c.cmd(&["XPENDING", "s", "g"]);
    assert_eq!(after_summary, before.0);
    assert_eq!(c.cmd(&["XINFO", "GROUPS", "s"]), before.2);
    let ids = |r: R| items(r).into_iter().map(|e| (items(e.clone())[0].clone(), items(e.clone())[1].clone(), items(e)[3].clone())).collect::<Vec<_>>();
    assert_eq!(ids(c.cmd(&["XPENDING", "s", "g", "-", "+", "100000"])), ids(before.1));
    let consumers = items(c.cmd(&["XINFO", "CONSUMERS", "s", "g"]));
    assert_eq!(consumers.len(), 3);
    // Claimable after idle time: a fourth consumer takes over everything left pending.
    std::thread::sleep(Duration::from_millis(30));
    let claimed = items(c.cmd(&["XAUTOCLAIM", "s", "g", "c4", "20", "0", "COUNT", "100000", "JUSTID"]));
    assert_eq!(items(claimed[1].clone()).len(), unacked);
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g"]))[3], R::Array(vec![bulks(&["c4", &unacked.to_string()])]));
    assert_eq!(items(c.cmd(&["XPENDING", "s", "g", "-", "+", "1"])).iter().map(|e| items(e.clone())[3].clone()).collect::<Vec<_>>(), [R::Int(1)], "JUSTID does not count a delivery");
}
