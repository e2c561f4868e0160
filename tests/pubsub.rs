//! Pub/Sub over the wire: subscribe replies and refusals byte for byte against
//! redis-server 7.0 in RESP2 and RESP3, fan-out to 100 subscribers in order with exact
//! receiver counts, unsubscribing while messages flow, PUBLISH inside MULTI/EXEC, the
//! pubsub output buffer limit cutting off a subscriber that stopped reading while the
//! server's memory stays flat, and CLIENT LIST / INFO / PUBSUB introspection.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;

/// Sends `cmds` as one pipeline on a fresh connection (after `HELLO 3` when `resp3`,
/// whose reply, naming the server, is skipped) and returns every byte answered until
/// the connection has been quiet for a while.
fn exchange(port: u16, resp3: bool, cmds: &[&[&str]]) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    if resp3 {
        s.write_all(&encode(&["HELLO", "3"])).unwrap();
        let mut r = std::io::BufReader::new(s.try_clone().unwrap());
        read_reply(&mut r).unwrap();
        assert!(r.buffer().is_empty());
    }
    let mut out = Vec::new();
    for c in cmds {
        out.extend(encode(c));
    }
    s.write_all(&out).unwrap();
    quiet_read(&mut s, Duration::from_millis(300))
}

/// Reads until nothing arrives for `quiet`.
fn quiet_read(s: &mut TcpStream, quiet: Duration) -> Vec<u8> {
    s.set_read_timeout(Some(quiet)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    got
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).replace("\r\n", " ")
}

/// Sequences whose replies do not depend on hash order (no UNSUBSCRIBE-all of several
/// channels).
const SEQUENCES: &[&[&[&str]]] = &[
    &[&["UNSUBSCRIBE"], &["PUNSUBSCRIBE"], &["SUNSUBSCRIBE"], &["SUBSCRIBE", "a", "b", "a"], &["GET", "x"], &["PING"],
      &["PING", "hi"], &["CLIENT", "GETNAME"], &["MULTI"], &["PSUBSCRIBE", "p*", "q?"], &["SSUBSCRIBE", "s"], &["UNSUBSCRIBE", "a", "zz"],
      &["PUNSUBSCRIBE", "p*"], &["SUNSUBSCRIBE"], &["PUBLISH", "b", "m"], &["UNSUBSCRIBE", "b"], &["PUNSUBSCRIBE"], &["PING"], &["GET", "x"]],
    &[&["SSUBSCRIBE", "s1"], &["SET", "k", "v"], &["SUBSCRIBE", "c"], &["SUNSUBSCRIBE", "s1"], &["PING"], &["UNSUBSCRIBE"], &["PING"]],
    &[&["SUBSCRIBE", "x"], &["RESET"], &["GET", "a"], &["UNSUBSCRIBE"]],
    &[&["MULTI"], &["SUBSCRIBE", "x"], &["GET", "a"], &["EXEC"], &["PING"]],
    &[&["PUBSUB", "HELP"], &["PUBSUB", "NUMPAT"], &["PUBSUB", "CHANNELS"], &["PUBSUB", "NUMSUB", "x", "y"],
      &["PUBSUB", "NUMPAT", "x"], &["PUBSUB", "FOO"], &["PUBSUB", "SHARDCHANNELS", "*"], &["PUBSUB", "SHARDNUMSUB"],
      &["PUBLISH", "nobody", "m"], &["SPUBLISH", "nobody", "m"], &["SUBSCRIBE"], &["PUBLISH", "x"]],
    // Publishing to itself: the message comes before PUBLISH's count, a pattern
    // subscription and a channel subscription each receive it.
    &[&["SUBSCRIBE", "news.1"], &["PSUBSCRIBE", "news.*", "*.1", "nomatch"], &["PUNSUBSCRIBE", "nomatch"], &["PUNSUBSCRIBE", "*.1"], &["UNSUBSCRIBE", "news.1"], &["PUNSUBSCRIBE"], &["PING", "x"]],
    &[&["SSUBSCRIBE", "s"], &["SPUBLISH", "s", "hello"], &["PUBSUB", "SHARDNUMSUB", "s", "t"], &["PUBSUB", "SHARDCHANNELS"], &["SUNSUBSCRIBE", "s"], &["SUNSUBSCRIBE"]],
];

/// RESP3 only: commands run in subscribe mode, messages interleave with replies.
const RESP3_SEQUENCES: &[&[&[&str]]] = &[
    &[&["SUBSCRIBE", "x"], &["SET", "k", "v"], &["GET", "k"], &["PUBLISH", "x", "m"], &["PSUBSCRIBE", "x*"], &["PUBLISH", "x", "m2"],
      &["PING"], &["PUNSUBSCRIBE"], &["UNSUBSCRIBE"], &["UNSUBSCRIBE"], &["SSUBSCRIBE", "s"], &["SPUBLISH", "s", "z"], &["RESET"]],
    &[&["PUBSUB", "NUMSUB", "x", "y"], &["SSUBSCRIBE", "q"], &["PUBSUB", "SHARDNUMSUB", "q"], &["MULTI"], &["PUBLISH", "q", "a"],
      &["SPUBLISH", "r", "b"], &["EXEC"], &["SUNSUBSCRIBE"]],
];

#[test]
fn subscribe_replies_equal_redis_server_byte_for_byte_in_resp2_and_resp3() {
    let s = Server::start();
    let r = RedisServer::start();
    for resp3 in [false, true] {
        for seq in SEQUENCES.iter().chain(if resp3 { RESP3_SEQUENCES } else { &[] }) {
            let ours = exchange(s.port, resp3, seq);
            let theirs = exchange(r.port, resp3, seq);
            assert_eq!(show(&ours), show(&theirs), "resp3={resp3} {seq:?}");
        }
    }
}

#[test]
fn subscribe_mode_refuses_other_commands_and_reset_leaves_it() {
    let s = Server::start();
    let mut c = s.raw();
    c.send_cmd(&["SUBSCRIBE", "a"]);
    assert_eq!(c.read(), R::Array(vec![R::bulk("subscribe"), R::bulk("a"), R::Int(1)]));
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "maxmemory"]),
        R::err("ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    );
    assert_eq!(c.cmd(&["PING"]), bulks(&["pong", ""]));
    assert_eq!(c.cmd(&["RESET"]), R::Status("RESET".into()));
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    assert_eq!(s.raw().cmd(&["PUBLISH", "a", "x"]), R::Int(0), "RESET left the channel");
    assert_eq!(c.cmd(&["QUIT"]), R::ok());
}

fn message(channel: &str, payload: &str) -> R {
    bulks(&["message", channel, payload])
}

#[test]
fn a_publisher_reaches_100_subscribers_in_order_with_exact_counts() {
    let s = Server::start();
    let mut subs: Vec<Raw> = Vec::new();
    // 50 on the channel, 49 on a pattern, one on both (it receives every message twice
    // and counts twice, as in Redis).
    for i in 0..100 {
        let mut c = s.raw();
        if i < 50 {
            c.send_cmd(&["SUBSCRIBE", "feed"]);
            c.read();
        } else if i < 99 {
            c.send_cmd(&["PSUBSCRIBE", "fe*"]);
            c.read();
        } else {
            c.send_cmd(&["SUBSCRIBE", "feed"]);
            c.read();
            c.send_cmd(&["PSUBSCRIBE", "f*d"]);
            c.read();
        }
        subs.push(c);
    }
    let mut publisher = s.raw();
    const N: usize = 500;
    let mut pipeline = Vec::new();
    for i in 0..N {
        pipeline.extend(encode(&["PUBLISH", "feed", &format!("m{i}")]));
    }
    publisher.send(&pipeline);
    for _ in 0..N {
        assert_eq!(publisher.read(), R::Int(101));
    }
    assert_eq!(publisher.cmd(&["PUBLISH", "other", "x"]), R::Int(0));
    for (i, c) in subs.iter_mut().enumerate() {
        for m in 0..N {
            let payload = format!("m{m}");
            if i < 50 {
                assert_eq!(c.read(), message("feed", &payload), "subscriber {i}");
            } else if i < 99 {
                assert_eq!(c.read(), bulks(&["pmessage", "fe*", "feed", &payload]), "subscriber {i}");
            } else {
                assert_eq!(c.read(), message("feed", &payload));
                assert_eq!(c.read(), bulks(&["pmessage", "f*d", "feed", &payload]));
            }
        }
    }
    assert_eq!(publisher.cmd(&["PUBSUB", "NUMSUB", "feed"]), R::Array(vec![R::bulk("feed"), R::Int(51)]));
    assert_eq!(publisher.cmd(&["PUBSUB", "NUMPAT"]), R::Int(2));
    drop(subs);
    assert!(wait_until(Duration::from_secs(5), || publisher.cmd(&["PUBLISH", "feed", "x"]) == R::Int(0)), "disconnects unsubscribe");
}

#[test]
fn unsubscribing_while_messages_flow_stops_them_after_the_confirmation() {
    let s = Server::start();
    let mut sub = s.raw();
    sub.send_cmd(&["SUBSCRIBE", "a", "b"]);
    sub.read();
    sub.read();
    let port = s.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let publisher = std::thread::spawn(move || {
        let mut p = Raw::connect(port);
        let mut i = 0u64;
        let mut counts = Vec::new();
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            let a = p.cmd(&["PUBLISH", "a", &i.to_string()]);
            let b = p.cmd(&["PUBLISH", "b", &i.to_string()]);
            counts.push((a, b));
            i += 1;
        }
        counts
    });
    // Read a while, then unsubscribe from `a` in the middle of the stream.
    let mut next = [0u64, 0u64];
    let check = |r: R, next: &mut [u64; 2], a_allowed: bool| -> bool {
        match r {
            R::Array(items) if items[0] == R::bulk("message") => {
                let ch = if items[1] == R::bulk("a") { 0 } else { 1 };
                assert!(ch == 1 || a_allowed, "a message from `a` after its unsubscribe confirmation");
                let n: u64 = match &items[2] {
                    R::Bulk(b) => String::from_utf8_lossy(b).parse().unwrap(),
                    other => panic!("{other:?}"),
                };
                if ch == 1 || a_allowed {
                    assert_eq!(n, next[ch], "in publish order");
                }
                next[ch] = n + 1;
                false
            }
            R::Array(items) if items[0] == R::bulk("unsubscribe") => {
                assert_eq!(items, vec![R::bulk("unsubscribe"), R::bulk("a"), R::Int(1)]);
                true
            }
            other => panic!("unexpected {other:?}"),
        }
    };
    for _ in 0..200 {
        let r = sub.read();
        check(r, &mut next, true);
    }
    sub.send_cmd(&["UNSUBSCRIBE", "a"]);
    while !check(sub.read(), &mut next, true) {}
    let b_then = next[1];
    while next[1] < b_then + 200 {
        let r = sub.read();
        check(r, &mut next, false);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let counts = publisher.join().unwrap();
    assert!(counts.iter().all(|(_, b)| *b == R::Int(1)));
    assert_eq!(counts.last().unwrap().0, R::Int(0), "`a` has no subscriber left");
}

#[test]
fn publish_inside_multi_is_delivered_at_exec() {
    let s = Server::start();
    let mut sub = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    sub.write_all(&encode(&["SUBSCRIBE", "x"])).unwrap();
    assert_eq!(show(&quiet_read(&mut sub, Duration::from_millis(200))), "*3 $9 subscribe $1 x :1 ");
    let mut p = s.raw();
    assert_eq!(p.cmd(&["MULTI"]), R::ok());
    assert_eq!(p.cmd(&["PUBLISH", "x", "hello"]), R::Status("QUEUED".into()));
    assert!(quiet_read(&mut sub, Duration::from_millis(300)).is_empty(), "nothing before EXEC");
    assert_eq!(p.cmd(&["EXEC"]), ints(&[1]));
    assert_eq!(show(&quiet_read(&mut sub, Duration::from_millis(300))), "*3 $7 message $1 x $5 hello ");
}

#[test]
fn client_list_and_info_show_subscriptions() {
    let s = Server::start();
    let mut c = s.raw();
    let id = c.id();
    c.send_cmd(&["SUBSCRIBE", "a", "b"]);
    c.read();
    c.read();
    c.send_cmd(&["PSUBSCRIBE", "p*"]);
    c.read();
    c.send_cmd(&["SSUBSCRIBE", "s1", "s2", "s3"]);
    for _ in 0..3 {
        c.read();
    }
    let mut o = s.raw();
    let list = match o.cmd(&["CLIENT", "LIST", "ID", &id]) {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(list.contains(" flags=P "), "{list}");
    assert!(list.contains(" sub=2 psub=1 ssub=3 "), "{list}");
    assert_eq!(s.info_field("stats", "pubsub_channels").as_deref(), Some("2"));
    assert_eq!(s.info_field("stats", "pubsub_patterns").as_deref(), Some("1"));
    assert_eq!(s.info_field("stats", "pubsubshard_channels").as_deref(), Some("3"));
    let mut chans = match o.cmd(&["PUBSUB", "CHANNELS"]) {
        R::Array(v) => v,
        other => panic!("{other:?}"),
    };
    chans.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(R::Array(chans), bulks(&["a", "b"]));
    assert_eq!(o.cmd(&["PUBSUB", "CHANNELS", "[b]"]), bulks(&["b"]));
    drop(c);
    assert!(wait_until(Duration::from_secs(5), || s.info_field("stats", "pubsub_channels").as_deref() == Some("0")));
    assert_eq!(s.info_field("stats", "pubsubshard_channels").as_deref(), Some("0"));
}

#[test]
fn a_subscriber_that_stops_reading_is_cut_off_by_the_pubsub_output_buffer_limit() {
    let s = Server::start();
    let mut admin = s.raw();
    assert_eq!(admin.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 60"]), R::ok());
    // The stalled subscriber: a small receive buffer, never read.
    let stalled = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    stalled.set_recv_buffer_size(4096).unwrap();
    stalled.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], s.port)).into()).unwrap();
    let mut stalled: TcpStream = stalled.into();
    stalled.write_all(&encode(&["SUBSCRIBE", "big"])).unwrap();
    // A healthy subscriber that reads everything.
    let mut healthy = s.raw();
    healthy.send_cmd(&["SUBSCRIBE", "big"]);
    healthy.read();
    let mut publisher = s.raw();
    assert!(wait_until(Duration::from_secs(5), || publisher.cmd(&["PUBSUB", "NUMSUB", "big"])
        == R::Array(vec![R::bulk("big"), R::Int(2)])));
    let payload = "x".repeat(16 * 1024);
    // Warm up, then measure: 100 MB more published must not grow the server by as much.
    for _ in 0..200 {
        publisher.cmd(&["PUBLISH", "big", &payload]);
        healthy.read();
    }
    let before = s.rss_kib();
    let mut counts = Vec::new();
    let started = Instant::now();
    for _ in 0..6400 {
        counts.push(publisher.cmd(&["PUBLISH", "big", &payload]));
        assert_eq!(healthy.read(), message("big", &payload));
    }
    let after = s.rss_kib();
    assert!(started.elapsed() < Duration::from_secs(60), "the publisher kept going");
    assert_eq!(counts.last(), Some(&R::Int(1)), "the stalled subscriber is gone");
    assert_eq!(s.info_field("stats", "client_output_buffer_limit_disconnections").as_deref(), Some("1"));
    assert!(after < before + 32 * 1024, "RSS grew from {before} KiB to {after} KiB");
    // What the stalled client gets is its confirmation, some messages, then the close.
    stalled.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
    assert!(rest.starts_with(b"*3\r\n$9\r\nsubscribe\r\n$3\r\nbig\r\n:1\r\n"));
}

#[test]
fn a_reply_past_the_normal_hard_limit_closes_the_client() {
    let s = Server::start();
    let mut admin = s.raw();
    let big = "x".repeat(200_000);
    assert_eq!(admin.cmd(&["SET", "big", &big]), R::ok());
    assert_eq!(admin.cmd(&["SET", "small", "x"]), R::ok());
    assert_eq!(admin.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "normal 100kb 0 0"]), R::ok());
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GET", "small"]), R::bulk("x"));
    c.send_cmd(&["GET", "big"]);
    assert!(c.closed(), "closed instead of answering 200 KB");
    assert_eq!(s.info_field("stats", "client_output_buffer_limit_disconnections").as_deref(), Some("1"));
    assert_eq!(admin.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"]), R::ok());
    assert_eq!(s.raw().cmd(&["STRLEN", "big"]), R::Int(200_000));
}

#[test]
fn a_resp3_subscriber_blocked_in_blpop_still_receives_messages() {
    let s = Server::start();
    let r = RedisServer::start();
    let mut outputs = Vec::new();
    for port in [s.port, r.port] {
        let mut a = TcpStream::connect(("127.0.0.1", port)).unwrap();
        a.write_all(&encode(&["HELLO", "3"])).unwrap();
        let mut reader = std::io::BufReader::new(a.try_clone().unwrap());
        read_reply(&mut reader).unwrap();
        let mut pipeline = encode(&["SUBSCRIBE", "x"]);
        pipeline.extend(encode(&["BLPOP", "l", "0"]));
        a.write_all(&pipeline).unwrap();
        let mut first = quiet_read(&mut a, Duration::from_millis(300));
        let mut b = Raw::connect(port);
        assert_eq!(b.cmd(&["PUBLISH", "x", "while-blocked"]), R::Int(1));
        let during = quiet_read(&mut a, Duration::from_millis(300));
        assert_eq!(show(&during), ">3 $7 message $1 x $13 while-blocked ", "delivered during the wait");
        first.extend(during);
        assert_eq!(b.cmd(&["LPUSH", "l", "v"]), R::Int(1));
        first.extend(quiet_read(&mut a, Duration::from_millis(300)));
        outputs.push(show(&first));
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn client_list_counts_messages_a_stalled_subscriber_has_not_taken() {
    let s = Server::start();
    let stalled = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    stalled.set_recv_buffer_size(4096).unwrap();
    stalled.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], s.port)).into()).unwrap();
    let mut stalled: TcpStream = stalled.into();
    stalled.write_all(&encode(&["SUBSCRIBE", "c"])).unwrap();
    let mut p = s.raw();
    assert!(wait_until(Duration::from_secs(5), || p.cmd(&["PUBLISH", "c", "x"]) == R::Int(1)));
    let payload = "y".repeat(16 * 1024);
    for _ in 0..1000 {
        assert_eq!(p.cmd(&["PUBLISH", "c", &payload]), R::Int(1));
    }
    let list = match p.cmd(&["CLIENT", "LIST", "TYPE", "PUBSUB"]) {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    let omem: u64 = list.split(' ').find_map(|f| f.strip_prefix("omem=")).unwrap().parse().unwrap();
    assert!(omem > 1_000_000, "{list}");
    assert!(list.contains(" events=rw "), "{list}");
}

#[test]
fn subscribe_churn_under_publishing_leaves_no_subscription_behind() {
    let s = Server::start();
    let port = s.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let publisher = std::thread::spawn(move || {
        let mut p = Raw::connect(port);
        let mut n = 0;
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            let mut pipeline = Vec::new();
            for ch in ["c0", "c1", "c2", "c3"] {
                pipeline.extend(encode(&["PUBLISH", ch, "m"]));
            }
            p.send(&pipeline);
            for _ in 0..4 {
                assert!(matches!(p.read(), R::Int(_)));
            }
            n += 4;
        }
        n
    });
    let churners: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                for round in 0..30 {
                    let mut c = Raw::connect(port);
                    c.send_cmd(&["SUBSCRIBE", "c0", "c1"]);
                    c.send_cmd(&["PSUBSCRIBE", "c*"]);
                    c.send_cmd(&["SSUBSCRIBE", "c2"]);
                    c.send_cmd(&["UNSUBSCRIBE", "c1"]);
                    if (t + round) % 2 == 0 {
                        // Leave by disconnecting with messages in flight.
                        continue;
                    }
                    c.send_cmd(&["UNSUBSCRIBE"]);
                    c.send_cmd(&["PUNSUBSCRIBE"]);
                    c.send_cmd(&["SUNSUBSCRIBE"]);
                    c.send_cmd(&["PING"]);
                    // Everything up to PONG (after subscribe mode ends) is well formed.
                    loop {
                        match c.read() {
                            R::Status(s) if s == "PONG" => break,
                            R::Array(_) => {}
                            other => panic!("unexpected {other:?}"),
                        }
                    }
                }
            })
        })
        .collect();
    for c in churners {
        c.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(publisher.join().unwrap() > 0);
    let mut c = s.raw();
    assert!(wait_until(Duration::from_secs(5), || {
        s.info_field("stats", "pubsub_channels").as_deref() == Some("0")
            && s.info_field("stats", "pubsub_patterns").as_deref() == Some("0")
            && s.info_field("stats", "pubsubshard_channels").as_deref() == Some("0")
    }));
    assert_eq!(c.cmd(&["PUBLISH", "c0", "m"]), R::Int(0));
}

#[test]
fn the_redis_crate_pubsub_receives_channel_and_pattern_messages() {
    let s = Server::start();
    let mut con = s.client();
    let mut publisher = s.client();
    let mut ps = con.as_pubsub();
    ps.subscribe("orders").unwrap();
    ps.psubscribe("ord*").unwrap();
    ps.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let n: i64 = redis::cmd("PUBLISH").arg("orders").arg("42").query(&mut publisher).unwrap();
    assert_eq!(n, 2);
    let first = ps.get_message().unwrap();
    assert_eq!(first.get_channel_name(), "orders");
    assert_eq!(first.get_payload::<String>().unwrap(), "42");
    assert!(!first.from_pattern());
    let second = ps.get_message().unwrap();
    assert!(second.from_pattern());
    assert_eq!(second.get_pattern::<String>().unwrap(), "ord*");
    assert_eq!(second.get_payload::<String>().unwrap(), "42");
    ps.unsubscribe("orders").unwrap();
    ps.punsubscribe("ord*").unwrap();
    let n: i64 = redis::cmd("PUBLISH").arg("orders").arg("43").query(&mut publisher).unwrap();
    assert_eq!(n, 0);
}
