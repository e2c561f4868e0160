//! CLIENT KILL with every filter Redis 7.0 has (the old `ip:port` form; ID, TYPE, USER,
//! ADDR, LADDR, SKIPME, combined), run as one scenario against DiskDB and against
//! redis-server 7.0 in the same test, whose answers must be the same; plus DiskDB's own
//! checks that the victims' connections are closed.

mod common;
use common::reference::RedisServer;
use common::*;

use std::time::Duration;

/// `field=` of this connection's CLIENT INFO line (`addr`, `laddr`).
fn info_field(c: &mut Raw, field: &str) -> String {
    let R::Bulk(line) = c.cmd(&["CLIENT", "INFO"]) else { panic!("CLIENT INFO") };
    let line = String::from_utf8(line).unwrap();
    let prefix = format!("{field}=");
    line.split(' ').find_map(|f| f.strip_prefix(prefix.as_str())).expect("field").trim_end().to_string()
}


/// How many clients CLIENT LIST shows (its lines differ between servers; their count
/// does not).
fn listed(c: &mut Raw, args: &[&str]) -> R {
    match c.cmd(args) {
        R::Bulk(text) => R::Int(String::from_utf8_lossy(&text).lines().count() as i64),
        other => other,
    }
}

fn blocked_clients(c: &mut Raw) -> R {
    let R::Bulk(info) = c.cmd(&["INFO", "clients"]) else { panic!("INFO clients") };
    let info = String::from_utf8(info).unwrap();
    let n = info.lines().find_map(|l| l.strip_prefix("blocked_clients:")).expect("blocked_clients");
    R::Int(n.trim().parse().unwrap())
}

/// Waits until `port` shows `n` blocked clients, so a BLPOP sent elsewhere is waiting.
fn wait_blocked(c: &mut Raw, n: i64) {
    for _ in 0..2000 {
        if blocked_clients(c) == R::Int(n) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("expected {n} blocked clients");
}

/// The scenario: every reply it sees, in order, and whether each victim was closed.
fn scenario(port: u16) -> Vec<(String, R)> {
    let mut out = Vec::new();
    let mut a = Raw::connect(port);
    let mut log = |what: &str, r: R| out.push((what.to_string(), r));

    // Errors, in the order Redis checks them (the first bad option wins).
    for (what, args) in [
        ("id abc", &["CLIENT", "KILL", "ID", "abc"][..]),
        ("id 0", &["CLIENT", "KILL", "ID", "0"]),
        ("id -1", &["CLIENT", "KILL", "ID", "-1"]),
        ("type foo", &["CLIENT", "KILL", "TYPE", "foo"]),
        ("user nobody", &["CLIENT", "KILL", "USER", "nobody"]),
        ("skipme maybe", &["CLIENT", "KILL", "SKIPME", "maybe"]),
        ("odd", &["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "LADDR"]),
        ("bogus", &["CLIENT", "KILL", "BOGUS", "x"]),
        ("type then bad id", &["CLIENT", "KILL", "TYPE", "normal", "ID", "x"]),
        ("old form, nobody", &["CLIENT", "KILL", "1.2.3.4:5"]),
        ("old form, a keyword", &["CLIENT", "KILL", "id"]),
        ("new form, nobody", &["CLIENT", "KILL", "ADDR", "1.2.3.4:5"]),
        ("no args", &["CLIENT", "KILL"]),
    ] {
        log(what, a.cmd(args));
    }

    // No replication: no master or replica clients to kill.
    for t in ["master", "replica", "slave", "MASTER"] {
        log(t, a.cmd(&["CLIENT", "KILL", "TYPE", t]));
    }

    // A client blocked in BLPOP and two normal clients (DiskDB has no pub/sub, so
    // TYPE pubsub matches nobody on either server).
    let mut q = Raw::connect(port);
    let q_id = q.id();
    q.send_cmd(&["BLPOP", "k", "0"]);
    wait_blocked(&mut a, 1);
    let mut b = Raw::connect(port);
    let b_id = b.id();
    let b_addr = info_field(&mut b, "addr");
    let mut c = Raw::connect(port);
    let c_addr = info_field(&mut c, "addr");
    let laddr = info_field(&mut c, "laddr");
    log("list normal", listed(&mut a, &["CLIENT", "LIST", "TYPE", "normal"]));
    log("list pubsub", listed(&mut a, &["CLIENT", "LIST", "TYPE", "pubsub"]));

    // Combined filters must all match.
    log("id b, type pubsub", a.cmd(&["CLIENT", "KILL", "ID", &b_id, "TYPE", "pubsub"]));
    log("id b, addr c", a.cmd(&["CLIENT", "KILL", "ID", &b_id, "ADDR", &c_addr]));
    log("id b, laddr other", a.cmd(&["CLIENT", "KILL", "ID", &b_id, "LADDR", "127.0.0.1:1"]));
    log("type pubsub, user default", a.cmd(&["CLIENT", "KILL", "TYPE", "PUBSUB", "USER", "default"]));

    // The blocked client: killed, and no longer counted as blocked.
    log("id q", a.cmd(&["CLIENT", "KILL", "ID", &q_id]));
    log("q closed", R::Int(q.closed() as i64));
    log("blocked after", blocked_clients(&mut a));

    log("addr b, id b, skipme no", a.cmd(&["CLIENT", "KILL", "ADDR", &b_addr, "ID", &b_id, "SKIPME", "no"]));
    log("b closed", R::Int(b.closed() as i64));
    log("id b again", a.cmd(&["CLIENT", "KILL", "ID", &b_id]));

    // The old form answers OK.
    log("old form c", a.cmd(&["CLIENT", "KILL", &c_addr]));
    log("c closed", R::Int(c.closed() as i64));
    log("old form c again", a.cmd(&["CLIENT", "KILL", &c_addr]));

    // LADDR and TYPE normal spare the caller unless SKIPME no.
    let mut d = Raw::connect(port);
    let mut e = Raw::connect(port);
    d.id();
    e.id();
    log("laddr", a.cmd(&["CLIENT", "KILL", "LADDR", &laddr, "TYPE", "normal"]));
    log("d closed", R::Int(d.closed() as i64));
    log("e closed", R::Int(e.closed() as i64));
    let a_id = a.id();
    log("id self", a.cmd(&["CLIENT", "KILL", "ID", &a_id]));
    log("id self, skipme yes", a.cmd(&["CLIENT", "KILL", "ID", &a_id, "SKIPME", "YES"]));
    log("list all", listed(&mut a, &["CLIENT", "LIST"]));

    // The old form may kill the caller: OK, then the connection closes.
    let mut f = Raw::connect(port);
    let f_addr = info_field(&mut f, "addr");
    log("old form self", f.cmd(&["CLIENT", "KILL", &f_addr]));
    log("f closed", R::Int(f.closed() as i64));

    // SKIPME no with USER: the caller goes too, after its reply.
    let mut g = Raw::connect(port);
    g.id();
    log("user default, skipme no", a.cmd(&["CLIENT", "KILL", "USER", "default", "SKIPME", "no"]));
    log("a closed", R::Int(a.closed() as i64));
    log("g closed", R::Int(g.closed() as i64));
    let mut h = Raw::connect(port);
    log("after", h.cmd(&["PING"]));
    log("list after", listed(&mut h, &["CLIENT", "LIST"]));
    out
}

#[test]
fn client_kill_filters_answer_as_redis_7() {
    let redis = RedisServer::start();
    let expected = scenario(redis.port);
    let s = Server::start();
    let port: u16 = s.addr().rsplit(':').next().unwrap().parse().unwrap();
    let got = scenario(port);
    for (e, g) in expected.iter().zip(&got) {
        assert_eq!(g, e, "DiskDB vs redis-server on {:?}", e.0);
    }
    assert_eq!(got.len(), expected.len());
}

#[test]
fn client_kill_replies_and_errors() {
    let s = Server::start();
    let port: u16 = s.addr().rsplit(':').next().unwrap().parse().unwrap();
    let got = scenario(port);
    let reply = |what: &str| got.iter().find(|(w, _)| w == what).map(|(_, r)| r.clone()).expect(what);
    assert_eq!(reply("id abc"), R::err("ERR client-id should be greater than 0"));
    assert_eq!(reply("id -1"), R::err("ERR client-id should be greater than 0"));
    assert_eq!(reply("type foo"), R::err("ERR Unknown client type 'foo'"));
    assert_eq!(reply("user nobody"), R::err("ERR No such user 'nobody'"));
    assert_eq!(reply("skipme maybe"), R::err("ERR syntax error"));
    assert_eq!(reply("odd"), R::err("ERR syntax error"));
    assert_eq!(reply("old form, nobody"), R::err("ERR No such client"));
    assert_eq!(reply("new form, nobody"), R::Int(0));
    assert_eq!(reply("no args"), arity("client|kill"));
    assert_eq!(reply("id b, type pubsub"), R::Int(0));
    assert_eq!(reply("type pubsub, user default"), R::Int(0));
    assert_eq!(reply("id q"), R::Int(1));
    assert_eq!(reply("blocked after"), R::Int(0));
    assert_eq!(reply("old form c"), R::ok());
    assert_eq!(reply("laddr"), R::Int(2));
    assert_eq!(reply("id self"), R::Int(0));
    assert_eq!(reply("old form self"), R::ok());
    assert_eq!(reply("user default, skipme no"), R::Int(2));
    for victim in ["q closed", "b closed", "c closed", "d closed", "e closed", "f closed", "a closed", "g closed"] {
        assert_eq!(reply(victim), R::Int(1), "{victim}");
    }
    assert_eq!(reply("after"), R::Status("PONG".into()));
}
