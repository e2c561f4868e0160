//! Client-side caching (CLIENT TRACKING) over the wire: the same multi-client scenarios
//! run against DiskDB and a real redis-server 7.0 and must produce the same transcript
//! (replies, invalidation pushes and their order, RESP2 `__redis__:invalidate` messages,
//! error texts, TRACKINGINFO / GETREDIR); then what a reference comparison cannot pin
//! down by itself: invalidations by expiry and by the `maxdisk` evictor,
//! `tracking-table-max-keys` eviction, CLIENT LIST flags and INFO.
//!
//! No test sleeps for a message: an invalidation is queued before the writer gets its
//! reply, so a PING sent afterwards by the tracking client is answered after it; each
//! check reads up to that PONG.

mod common;

use std::time::Duration;

use common::*;

/// A test connection, RESP2 or RESP3.
struct C {
    raw: Raw,
    resp3: bool,
}

impl C {
    fn new(port: u16, resp3: bool) -> C {
        let mut raw = Raw::connect(port);
        if resp3 {
            match raw.cmd(&["HELLO", "3"]) {
                R::Agg('%', _) => {}
                other => panic!("HELLO 3 answered {other:?}"),
            }
        }
        C { raw, resp3 }
    }

    fn cmd(&mut self, args: &[&str]) -> R {
        self.raw.cmd(args)
    }

    /// Sends PING and returns what arrived before its reply (pushes, messages).
    fn before_ping(&mut self) -> Vec<R> {
        self.raw.send_cmd(&["PING"]);
        let mut got = Vec::new();
        loop {
            let r = self.raw.read();
            let pong = match &r {
                R::Status(s) => s == "PONG",
                R::Array(items) | R::Agg('>', items) => items.first() == Some(&R::bulk("pong")),
                _ => false,
            };
            if pong {
                return got;
            }
            got.push(r);
        }
    }
}

/// `>2 invalidate [keys]` as the test reads it.
fn invalidate(keys: &[&str]) -> R {
    R::Agg('>', vec![R::bulk("invalidate"), bulks(keys)])
}

/// Replaces every occurrence of the given ids (as integers or in bulk strings) with a
/// placeholder, so transcripts of both servers compare.
fn mask(r: R, ids: &[(i64, &str)]) -> R {
    match r {
        R::Int(n) => ids.iter().find(|(id, _)| *id == n).map_or(R::Int(n), |(_, name)| R::Status(name.to_string())),
        R::Array(items) => R::Array(items.into_iter().map(|i| mask(i, ids)).collect()),
        R::Agg(t, items) => R::Agg(t, items.into_iter().map(|i| mask(i, ids)).collect()),
        // Readable transcripts: bulk strings as text.
        R::Bulk(b) => R::Status(format!("${}", String::from_utf8_lossy(&b))),
        other => other,
    }
}

/// Runs the multi-client scenarios on `port` and returns the transcript.
fn scenario(port: u16) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut log = |what: &str, r: Vec<R>, ids: &[(i64, &str)]| {
        for x in r {
            out.push(format!("{what}: {:?}", mask(x, ids)));
        }
    };
    let mut w = C::new(port, false);
    w.cmd(&["FLUSHALL"]);

    // Default mode, RESP3: a read key is invalidated once, a write by the client itself
    // follows its own reply, a transaction's invalidations follow EXEC's array.
    let mut a = C::new(port, true);
    let aid = match a.cmd(&["CLIENT", "ID"]) {
        R::Int(n) => n,
        other => panic!("{other:?}"),
    };
    // Ids are masked only where a reply names a client (the two servers number them
    // differently); anywhere else an integer equal to an id must stay itself.
    let ids: [(i64, &str); 0] = [];
    assert!(aid > 0);
    log("a", vec![a.cmd(&["CLIENT", "TRACKING", "on"]), a.cmd(&["GET", "k"]), a.cmd(&["MGET", "k2", "k3"])], &ids);
    w.cmd(&["SET", "k", "1"]);
    w.cmd(&["MSET", "k2", "x", "k3", "y", "other", "z"]);
    log("a after write", a.before_ping(), &ids);
    w.cmd(&["SET", "k", "2"]);
    log("a after second write (not read again)", a.before_ping(), &ids);
    log("a", vec![a.cmd(&["GET", "k"])], &ids);
    a.raw.send_cmd(&["SET", "k", "3"]);
    log("a own write", vec![a.raw.read(), a.raw.read()], &ids);
    log("a", vec![a.cmd(&["GET", "k"]), a.cmd(&["MULTI"]), a.cmd(&["INCR", "k"]), a.cmd(&["GET", "k"])], &ids);
    a.raw.send_cmd(&["EXEC"]);
    log("a exec", vec![a.raw.read(), a.raw.read()], &ids);
    log("a", vec![a.cmd(&["CLIENT", "TRACKINGINFO"]), a.cmd(&["CLIENT", "GETREDIR"])], &ids);

    // Under CLIENT REPLY OFF invalidations are still pushed, others' and its own.
    a.raw.send_cmd(&["CLIENT", "REPLY", "OFF"]);
    a.raw.send_cmd(&["GET", "k"]);
    log("a", vec![a.cmd(&["CLIENT", "REPLY", "ON"])], &ids);
    a.raw.send_cmd(&["CLIENT", "REPLY", "OFF"]);
    w.cmd(&["SET", "k", "4"]);
    log("a reply off, other's write", vec![a.raw.read()], &ids);
    a.raw.send_cmd(&["GET", "k"]);
    a.raw.send_cmd(&["SET", "k", "5"]);
    log("a reply off, own write", vec![a.raw.read()], &ids);
    log("a", vec![a.cmd(&["CLIENT", "REPLY", "ON"])], &ids);

    // NOLOOP: the client's own writes are not reported back, others' are.
    log("a", vec![a.cmd(&["CLIENT", "TRACKING", "on", "noloop"]), a.cmd(&["GET", "n"])], &ids);
    log("a", vec![a.cmd(&["SET", "n", "1"])], &ids);
    log("a after own noloop write", a.before_ping(), &ids);
    log("a", vec![a.cmd(&["GET", "n"])], &ids);
    w.cmd(&["DEL", "n"]);
    log("a after other's write", a.before_ping(), &ids);
    log("a", vec![a.cmd(&["CLIENT", "TRACKINGINFO"]), a.cmd(&["CLIENT", "TRACKING", "off"])], &ids);

    // OPTIN: only the command after CLIENT CACHING YES is tracked (a transaction counts
    // as one); OPTOUT: all but the one after CLIENT CACHING NO.
    log(
        "a optin",
        vec![
            a.cmd(&["CLIENT", "TRACKING", "on", "optin"]),
            a.cmd(&["GET", "o1"]),
            a.cmd(&["CLIENT", "CACHING", "yes"]),
            a.cmd(&["CLIENT", "TRACKINGINFO"]),
            a.cmd(&["GET", "o2"]),
            a.cmd(&["GET", "o3"]),
            a.cmd(&["CLIENT", "CACHING", "yes"]),
            a.cmd(&["MULTI"]),
            a.cmd(&["GET", "o4"]),
            a.cmd(&["GET", "o5"]),
            a.cmd(&["EXEC"]),
            a.cmd(&["GET", "o6"]),
        ],
        &ids,
    );
    w.cmd(&["MSET", "o1", "1", "o2", "2", "o3", "3", "o4", "4", "o5", "5", "o6", "6"]);
    log("a after optin writes", a.before_ping(), &ids);
    log(
        "a optout",
        vec![
            a.cmd(&["CLIENT", "TRACKING", "on", "optout"]),
            a.cmd(&["CLIENT", "TRACKING", "off"]),
            a.cmd(&["CLIENT", "TRACKING", "on", "optout"]),
            a.cmd(&["GET", "p1"]),
            a.cmd(&["CLIENT", "CACHING", "no"]),
            a.cmd(&["CLIENT", "TRACKINGINFO"]),
            a.cmd(&["GET", "p2"]),
            a.cmd(&["GET", "p3"]),
        ],
        &ids,
    );
    w.cmd(&["MSET", "p1", "1", "p2", "2", "p3", "3"]);
    log("a after optout writes", a.before_ping(), &ids);
    log("a", vec![a.cmd(&["CLIENT", "TRACKING", "off"])], &ids);

    // BCAST: one message per prefix with the keys written under it, whether read or not.
    log(
        "a bcast",
        vec![a.cmd(&["CLIENT", "TRACKING", "on", "bcast", "prefix", "p:", "prefix", "q:"]), a.cmd(&["CLIENT", "TRACKINGINFO"])],
        &ids,
    );
    w.cmd(&["MSET", "p:2", "1", "q:1", "2", "p:1", "3", "r", "4"]);
    log("a after bcast writes", a.before_ping(), &ids);
    w.cmd(&["SET", "r:1", "x"]);
    log("a after a write under no prefix", a.before_ping(), &ids);
    log("a", vec![a.cmd(&["CLIENT", "TRACKING", "on", "bcast", "noloop", "prefix", "s:"]), a.cmd(&["SET", "p:9", "1"])], &ids);
    log("a after own bcast noloop write", a.before_ping(), &ids);
    w.cmd(&["SET", "s:1", "1"]);
    log("a after other's write to a new prefix", a.before_ping(), &ids);
    log("a", vec![a.cmd(&["CLIENT", "TRACKING", "off"]), a.cmd(&["CLIENT", "TRACKING", "on", "bcast"])], &ids);
    w.cmd(&["SET", "anything", "1"]);
    log("a after a write with the empty prefix", a.before_ping(), &ids);
    log("a", vec![a.cmd(&["CLIENT", "TRACKING", "off"])], &ids);

    // REDIRECT in RESP2: messages on __redis__:invalidate with the key array as payload,
    // and FLUSHALL's null.
    let mut sub = C::new(port, false);
    let sid = match sub.cmd(&["CLIENT", "ID"]) {
        R::Int(n) => n,
        other => panic!("{other:?}"),
    };
    let mut b = C::new(port, false);
    let bid = match b.cmd(&["CLIENT", "ID"]) {
        R::Int(n) => n,
        other => panic!("{other:?}"),
    };
    assert!(bid > 0);
    let sub_id = [(sid, "SUB")];
    let sids = sid.to_string();
    log("sub", vec![sub.cmd(&["SUBSCRIBE", "__redis__:invalidate"])], &ids);
    log(
        "b",
        vec![
            b.cmd(&["CLIENT", "TRACKING", "on", "redirect", &sids]),
            b.cmd(&["GET", "x"]),
            b.cmd(&["MGET", "x", "y"]),
            b.cmd(&["CLIENT", "GETREDIR"]),
            b.cmd(&["CLIENT", "TRACKINGINFO"]),
        ],
        &sub_id,
    );
    w.cmd(&["SET", "x", "1"]);
    w.cmd(&["SET", "y", "1"]);
    log("sub after writes", sub.before_ping(), &ids);
    log("b", b.before_ping(), &ids);
    // A RESP3 tracking client redirecting to the same RESP2 subscriber.
    let sid3 = sids.clone();
    log("a", vec![a.cmd(&["CLIENT", "TRACKING", "on", "redirect", &sid3]), a.cmd(&["GET", "z"])], &ids);
    w.cmd(&["FLUSHALL"]);
    log("sub after flushall", sub.before_ping(), &ids);
    log("a after flushall (redirected)", a.before_ping(), &ids);
    log("b after flushall", b.before_ping(), &ids);
    // The redirect client leaves: the RESP3 client is told on its next invalidation.
    drop(sub);
    log("a", vec![a.cmd(&["GET", "z"])], &ids);
    // Closing is asynchronous: wait until the server no longer lists the subscriber.
    assert!(wait_until(Duration::from_secs(10), || {
        !matches!(w.cmd(&["CLIENT", "LIST", "ID", &sids]), R::Bulk(b) if !b.is_empty())
    }));
    w.cmd(&["SET", "z", "1"]);
    log("a after its redirect client left", a.before_ping(), &sub_id);
    log("a", vec![a.cmd(&["CLIENT", "TRACKINGINFO"])], &sub_id);
    log("a", vec![a.cmd(&["RESET"]), a.cmd(&["CLIENT", "TRACKINGINFO"]), a.cmd(&["CLIENT", "GETREDIR"])], &ids);

    // A RESP3 redirect target that never subscribed gets pushes too, even while it sends
    // nothing; a RESP2 tracking client's flush null is `$-1` inside them.
    let mut t3 = C::new(port, true);
    let t3id = match t3.cmd(&["CLIENT", "ID"]) {
        R::Int(n) => n,
        other => panic!("{other:?}"),
    };
    let mut f = C::new(port, false);
    let t3s = t3id.to_string();
    log("f", vec![f.cmd(&["CLIENT", "TRACKING", "on", "redirect", &t3s]), f.cmd(&["GET", "q"])], &ids);
    w.cmd(&["SET", "q", "1"]);
    log("t3 (waiting)", vec![t3.raw.read()], &ids);
    w.cmd(&["FLUSHDB"]);
    log("t3 after flushdb", t3.before_ping(), &ids);
    log("f", f.before_ping(), &ids);

    // RESP2 without a redirect: accepted, and nothing is ever sent.
    let mut e = C::new(port, false);
    log("e", vec![e.cmd(&["CLIENT", "TRACKING", "on"]), e.cmd(&["GET", "g"]), e.cmd(&["CLIENT", "TRACKINGINFO"])], &ids);
    w.cmd(&["SET", "g", "1"]);
    log("e after write", e.before_ping(), &ids);

    // FLUSHDB to a RESP3 tracking client without redirect, own flush after the reply.
    let mut d = C::new(port, true);
    log("d", vec![d.cmd(&["CLIENT", "TRACKING", "on"]), d.cmd(&["GET", "f"])], &ids);
    w.cmd(&["FLUSHDB"]);
    log("d after flushdb", d.before_ping(), &ids);
    d.raw.send_cmd(&["FLUSHALL"]);
    log("d own flushall", vec![d.raw.read(), d.raw.read()], &ids);
    assert!(d.resp3 && !w.resp3);
    out
}

#[test]
fn tracking_scenarios_match_redis_server() {
    let server = Server::start();
    let redis = RedisServer::start();
    let ours = scenario(server.port);
    let theirs = scenario(redis.port);
    for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(o, t, "line {i} differs\nDiskDB: {ours:#?}\nRedis: {theirs:#?}");
    }
    assert_eq!(ours.len(), theirs.len(), "DiskDB: {ours:#?}\nRedis: {theirs:#?}");
    // The transcript checks something: the first invalidation, the RESP2 message.
    assert!(ours.iter().any(|l| l.starts_with("a after write:") && l.contains("invalidate")), "{ours:#?}");
    assert!(ours.iter().any(|l| l.starts_with("sub after writes:") && l.contains("__redis__:invalidate")), "{ours:#?}");
    if std::env::var("SHOW_TRANSCRIPT").is_ok() {
        eprintln!("{}", ours.join("\n"));
    }
}

/// Argument checks and their error texts, on one connection in RESP2 then RESP3,
/// compared with redis-server 7.0 (ids masked).
#[test]
fn tracking_errors_and_info_replies_match_redis_server() {
    let sequences: &[&[&str]] = &[
        &["CLIENT", "TRACKING", "on", "redirect", "999999"],
        &["CLIENT", "TRACKING", "on", "redirect", "0"],
        &["CLIENT", "TRACKING", "on", "redirect", "-1"],
        &["CLIENT", "TRACKING", "on", "redirect", "abc"],
        &["CLIENT", "TRACKING", "on", "redirect", "ME", "redirect", "ME"],
        &["CLIENT", "TRACKING", "on", "redirect"],
        &["CLIENT", "TRACKING", "on", "optin", "optout"],
        &["CLIENT", "TRACKING", "on", "bcast", "optin"],
        &["CLIENT", "TRACKING", "on", "bcast", "optout"],
        &["CLIENT", "TRACKING", "on", "prefix", "a"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "ab"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "ab", "prefix", "a"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "x", "prefix", "y", "prefix", "xy"],
        &["CLIENT", "TRACKING", "maybe"],
        &["CLIENT", "TRACKING", "on", "foo"],
        &["CLIENT", "TRACKING", "off", "redirect", "999999"],
        &["CLIENT", "TRACKING"],
        &["CLIENT", "CACHING"],
        &["CLIENT", "CACHING", "yes"],
        &["CLIENT", "CACHING", "maybe"],
        &["CLIENT", "GETREDIR", "x"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "a"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "a"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "abc"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "b", "noloop"],
        &["CLIENT", "TRACKING", "on"],
        &["CLIENT", "TRACKING", "on", "bcast"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "CACHING", "yes"],
        &["CLIENT", "TRACKING", "off"],
        &["CLIENT", "TRACKING", "off"],
        &["CLIENT", "TRACKING", "on", "optin", "redirect", "ME"],
        &["CLIENT", "TRACKING", "on", "optout"],
        &["CLIENT", "CACHING", "no"],
        &["CLIENT", "CACHING", "YES"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "GETREDIR"],
        &["CLIENT", "TRACKING", "on", "bcast"],
        &["CLIENT", "TRACKING", "on"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "TRACKING", "off"],
        &["CLIENT", "TRACKING", "ON", "OPTOUT", "NOLOOP"],
        &["CLIENT", "CACHING", "no"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "CACHING", "yes"],
        &["CLIENT", "GETREDIR"],
    ];
    let run = |port: u16, resp3: bool| -> Vec<String> {
        let mut c = C::new(port, resp3);
        let me = match c.cmd(&["CLIENT", "ID"]) {
            R::Int(n) => n,
            other => panic!("{other:?}"),
        };
        let me_s = me.to_string();
        sequences
            .iter()
            .map(|seq| {
                let args: Vec<&str> = seq.iter().map(|a| if *a == "ME" { me_s.as_str() } else { a }).collect();
                format!("{seq:?} -> {:?}", mask(c.cmd(&args), &[(me, "ME")]))
            })
            .collect()
    };
    let server = Server::start();
    let redis = RedisServer::start();
    for resp3 in [false, true] {
        let ours = run(server.port, resp3);
        let theirs = run(redis.port, resp3);
        assert_eq!(ours, theirs);
    }
    let mut c = C::new(server.port, false);
    assert_eq!(
        c.cmd(&["CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "ab"]),
        R::err("ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.")
    );
    assert_eq!(c.cmd(&["CLIENT", "TRACKING", "on", "optin", "optout"]), R::err("ERR You can't specify both OPTIN mode and OPTOUT mode"));
}

/// A key deleted by the active expire cycle, or found expired by a read, is invalidated
/// like a written one.
#[test]
fn tracking_invalidates_expired_keys() {
    let server = Server::start_with(&["--enable-debug-command", "yes"]);
    let mut w = C::new(server.port, false);
    let mut a = C::new(server.port, true);
    assert_eq!(a.cmd(&["CLIENT", "TRACKING", "on"]), R::ok());
    // Sets a key with a TTL and has `a` read it before it expires: a new key with a
    // longer TTL each time a slow machine lets it expire first. Returns the key.
    let set_and_read = |w: &mut C, a: &mut C, name: &str| -> String {
        let mut ttl = 200;
        for attempt in 0.. {
            let key = format!("{name}{attempt}");
            assert_eq!(w.cmd(&["SET", &key, "v", "PX", &ttl.to_string()]), R::ok());
            if a.cmd(&["GET", &key]) == R::bulk("v") {
                return key;
            }
            ttl *= 4;
        }
        unreachable!()
    };
    let e = set_and_read(&mut w, &mut a, "e");
    // Active expiry: the push arrives without the client doing anything.
    assert_eq!(a.raw.read(), invalidate(&[&e]));
    assert!(a.before_ping().is_empty());
    // Lazy expiry, by another client's read, with active expiry off.
    assert_eq!(w.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), R::ok());
    let e2 = set_and_read(&mut w, &mut a, "f");
    assert!(wait_until(Duration::from_secs(30), || w.cmd(&["GET", &e2]) == R::Nil));
    assert_eq!(a.before_ping(), vec![invalidate(&[&e2])]);
}

/// Past `tracking-table-max-keys` keys are dropped from the table and their clients
/// told, as if the keys had been written; the table stays within the bound.
#[test]
fn tracking_table_max_keys_evicts_and_invalidates() {
    let server = Server::start_with(&["--tracking-table-max-keys", "3"]);
    let mut a = C::new(server.port, true);
    assert_eq!(a.cmd(&["CLIENT", "TRACKING", "on"]), R::ok());
    assert_eq!(a.cmd(&["MGET", "m1", "m2", "m3"]), R::Array(vec![R::Nil, R::Nil, R::Nil]));
    assert!(a.before_ping().is_empty(), "three keys fit");
    let mut dropped = Vec::new();
    for k in ["m4", "m5", "m6"] {
        a.raw.send_cmd(&["GET", k]);
        assert_eq!(a.raw.read(), R::Nil, "the reply comes first");
        match a.raw.read() {
            R::Agg('>', items) if items[0] == R::bulk("invalidate") => match &items[1] {
                R::Array(keys) if keys.len() == 1 => dropped.push(keys[0].clone()),
                other => panic!("{other:?}"),
            },
            other => panic!("expected an invalidation, got {other:?}"),
        }
    }
    assert_eq!(dropped.len(), 3);
    assert_eq!(server.info_field("stats", "tracking_total_keys").as_deref(), Some("3"));
    assert_eq!(server.info_field("stats", "tracking_total_items").as_deref(), Some("3"));
    assert_eq!(server.info_field("clients", "tracking_clients").as_deref(), Some("1"));
    // A dropped key is no longer tracked: writing it sends nothing more; a kept one does.
    let mut w = C::new(server.port, false);
    let R::Bulk(first) = &dropped[0] else { panic!() };
    let first = String::from_utf8(first.clone()).unwrap();
    let all = ["m1", "m2", "m3", "m4", "m5", "m6"];
    let kept: Vec<&str> = all.iter().copied().filter(|k| !dropped.contains(&R::bulk(k))).collect();
    assert_eq!(kept.len(), 3);
    w.cmd(&["SET", &first, "1"]);
    assert!(a.before_ping().is_empty());
    w.cmd(&["SET", kept[0], "1"]);
    assert_eq!(a.before_ping(), vec![invalidate(&[kept[0]])]);
    // CONFIG SET applies at the next read.
    assert_eq!(w.cmd(&["CONFIG", "SET", "tracking-table-max-keys", "0"]), R::ok());
    assert_eq!(a.cmd(&["MGET", "n1", "n2", "n3", "n4", "n5"]).clone(), R::Array(vec![R::Nil; 5]));
    assert!(a.before_ping().is_empty(), "0: no limit");
    assert_eq!(server.info_field("stats", "tracking_total_keys").as_deref(), Some("7"));
}

/// CLIENT LIST / CLIENT INFO show `t`, `R` and `B` and the redirect in `redir`; INFO
/// counts tracking clients and prefixes.
#[test]
fn tracking_shows_in_client_list_and_info() {
    let server = Server::start();
    let mut a = C::new(server.port, true);
    let line = |c: &mut C| match c.cmd(&["CLIENT", "INFO"]) {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    let field = |l: &str, f: &str| l.split(' ').find_map(|kv| kv.strip_prefix(&format!("{f}="))).unwrap().trim().to_string();
    let l = line(&mut a);
    assert_eq!((field(&l, "flags"), field(&l, "redir")), ("N".into(), "-1".into()));
    a.cmd(&["CLIENT", "TRACKING", "on"]);
    let l = line(&mut a);
    assert_eq!((field(&l, "flags"), field(&l, "redir")), ("t".into(), "0".into()));
    a.cmd(&["CLIENT", "TRACKING", "off"]);
    a.cmd(&["CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "b"]);
    let l = line(&mut a);
    assert_eq!(field(&l, "flags"), "tB");
    assert_eq!(server.info_field("stats", "tracking_total_prefixes").as_deref(), Some("2"));
    a.cmd(&["CLIENT", "TRACKING", "off"]);
    assert_eq!(server.info_field("stats", "tracking_total_prefixes").as_deref(), Some("0"));
    assert_eq!(server.info_field("clients", "tracking_clients").as_deref(), Some("0"));

    let mut target = C::new(server.port, true);
    let tid = match target.cmd(&["CLIENT", "ID"]) {
        R::Int(n) => n.to_string(),
        other => panic!("{other:?}"),
    };
    // A RESP3 redirect target gets `invalidate` pushes, subscribed or not, even while
    // it sends nothing.
    a.cmd(&["CLIENT", "TRACKING", "on", "redirect", &tid]);
    assert_eq!(field(&line(&mut a), "redir"), tid);
    a.cmd(&["GET", "k"]);
    let mut w = C::new(server.port, false);
    w.cmd(&["SET", "k", "1"]);
    assert_eq!(target.raw.read(), invalidate(&["k"]));
    assert!(target.before_ping().is_empty());
    a.cmd(&["GET", "k"]);
    w.cmd(&["SET", "k", "0"]);
    assert_eq!(target.raw.read(), invalidate(&["k"]));
    drop(target);
    assert!(wait_until(Duration::from_secs(10), || {
        !matches!(w.cmd(&["CLIENT", "LIST", "ID", &tid]), R::Bulk(b) if !b.is_empty())
    }));
    a.cmd(&["GET", "k"]);
    w.cmd(&["SET", "k", "2"]);
    assert_eq!(a.before_ping(), vec![R::Agg('>', vec![R::bulk("tracking-redir-broken"), R::Int(tid.parse().unwrap())])]);
    let l = line(&mut a);
    assert_eq!((field(&l, "flags"), field(&l, "redir")), ("tR".into(), tid.clone()));
    let list = match w.cmd(&["CLIENT", "LIST"]) {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(list.lines().any(|l| l.contains(" flags=tR ") && l.contains(&format!(" redir={tid} "))), "{list}");
}


/// Keys the `maxdisk` evictor deletes are invalidated like written ones: a BCAST NOLOOP
/// client that writes every key hears only of the evicted ones.
#[test]
fn tracking_reports_keys_the_maxdisk_evictor_deletes() {
    let s = Server::start_with(&["--maxdisk", "1mb", "--maxmemory-policy", "allkeys-random", "--rocksdb-write-buffer-size", "1mb"]);
    let mut a = C::new(s.port, true);
    assert_eq!(a.cmd(&["CLIENT", "TRACKING", "on", "bcast", "noloop", "prefix", "ev:"]), R::ok());
    let mut pushed: Vec<R> = Vec::new();
    let evicted = |s: &Server| s.info_field("stats", "evicted_keys").and_then(|v| v.parse::<u64>().ok()).unwrap();
    let mut i = 0u64;
    while i < 20_000 && (i % 50 != 0 || evicted(&s) == 0) {
        a.raw.send_cmd(&["SET", &format!("ev:{i}"), &noise(4000, i)]);
        loop {
            match a.raw.read() {
                R::Agg('>', items) => pushed.push(R::Agg('>', items)),
                // Eviction falling behind: this key is skipped, the next one waits a little.
                R::Error(e) if e.starts_with("OOM ") => {
                    std::thread::sleep(Duration::from_millis(5));
                    break;
                }
                R::Status(ok) if ok == "OK" => break,
                other => panic!("SET answered {other:?}"),
            }
        }
        i += 1;
    }
    assert!(evicted(&s) > 0, "nothing was evicted after {i} keys");
    assert!(wait_until(Duration::from_secs(60), || {
        pushed.extend(a.before_ping());
        !pushed.is_empty()
    }));
    let mut w = C::new(s.port, false);
    for p in &pushed {
        let R::Agg('>', items) = p else { panic!("{p:?}") };
        assert_eq!(items[0], R::bulk("invalidate"));
        let R::Array(keys) = &items[1] else { panic!("{p:?}") };
        for k in keys {
            let R::Bulk(k) = k else { panic!("{p:?}") };
            let k = String::from_utf8(k.clone()).unwrap();
            assert!(k.starts_with("ev:"), "{k}");
            assert_eq!(w.cmd(&["EXISTS", &k]), R::Int(0), "{k} was reported but is still there");
        }
    }
}
