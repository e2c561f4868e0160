//! The wire protocol against the real server: pipelining, inline commands, and bad
//! input (protocol errors answer `-ERR Protocol error: ...` and close, nothing crashes,
//! memory stays flat), after Redis's tests/unit/protocol.tcl.

mod common;
use common::*;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Sends raw bytes on a fresh connection and returns everything the server writes
/// before it closes the connection (or stops writing for `wait`).
fn exchange(s: &Server, bytes: &[u8], wait: Duration) -> Vec<u8> {
    let mut sock = TcpStream::connect(s.addr()).unwrap();
    sock.set_read_timeout(Some(wait)).unwrap();
    let _ = sock.write_all(bytes);
    read_to_close(&mut sock)
}

/// Asserts that `bytes` get exactly `reply` and then the connection is closed.
fn refused_with(s: &Server, bytes: &[u8], reply: &str) {
    let got = exchange(s, bytes, Duration::from_secs(10));
    assert_eq!(String::from_utf8_lossy(&got), reply, "for input {:?}", String::from_utf8_lossy(bytes));
}

fn assert_alive(s: &Server) {
    let mut c = s.raw();
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn pipelining_100k_commands_in_one_write() {
    let s = Server::start();
    let n = 100_000;
    let mut buf = Vec::new();
    for i in 0..n / 2 {
        buf.extend_from_slice(&encode(&["SET", &format!("key:{i}"), &format!("value:{i}")]));
        buf.extend_from_slice(&encode(&["GET", &format!("key:{i}")]));
    }
    let sock = TcpStream::connect(s.addr()).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut writer = sock.try_clone().unwrap();
    // One write of the whole batch, from another thread so that replies can flow back
    // while it is still being sent.
    let sender = std::thread::spawn(move || writer.write_all(&buf).unwrap());
    let mut reader = BufReader::new(sock);
    for i in 0..n / 2 {
        assert_eq!(read_reply(&mut reader).unwrap(), R::ok(), "reply {}", 2 * i);
        assert_eq!(read_reply(&mut reader).unwrap(), R::bulk(&format!("value:{i}")), "reply {}", 2 * i + 1);
    }
    sender.join().unwrap();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(n as i64 / 2));
}

#[test]
fn pipelined_replies_keep_order_across_errors() {
    let s = Server::start();
    let mut c = s.raw();
    let mut buf = Vec::new();
    for args in [&["SET", "a", "1"][..], &["NOSUCH"], &["GET", "a"], &["GET"], &["DEL", "a"], &["GET", "a"]] {
        buf.extend_from_slice(&encode(args));
    }
    c.send(&buf);
    assert_eq!(c.read(), R::ok());
    assert_eq!(c.read(), R::err("ERR unknown command 'NOSUCH', with args beginning with: "));
    assert_eq!(c.read(), R::bulk("1"));
    assert_eq!(c.read(), R::err("ERR wrong number of arguments for 'get' command"));
    assert_eq!(c.read(), R::Int(1));
    assert_eq!(c.read(), R::Nil);
}

#[test]
fn inline_commands_over_a_raw_socket() {
    let s = Server::start();
    let mut c = s.raw();
    c.send(b"SET a b\r\nGET a\r\n");
    assert_eq!(c.read(), R::ok());
    assert_eq!(c.read(), R::bulk("b"));
    // Quoting as in redis-cli, a bare LF ends a line too, blank lines are skipped.
    c.send(b"SET k \"hello world\\x21\"\n\r\n   \nGET k\n");
    assert_eq!(c.read(), R::ok());
    assert_eq!(c.read(), R::bulk("hello world!"));
    c.send(b"SET q 'it\\'s'\r\nGET q\r\n");
    assert_eq!(c.read(), R::ok());
    assert_eq!(c.read(), R::bulk("it's"));
    // Inline and multibulk mix on one connection.
    c.send(b"PING\r\n*1\r\n$4\r\nPING\r\nPING\r\n");
    for _ in 0..3 {
        assert_eq!(c.read(), R::Status("PONG".into()));
    }
}

#[test]
fn inline_commands_through_netcat() {
    let s = Server::start();
    let mut nc = Command::new("nc")
        .args(["-N", "127.0.0.1", &s.port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("nc is installed");
    nc.stdin.take().unwrap().write_all(b"SET a b\r\nGET a\r\n").unwrap();
    let out = nc.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "+OK\r\n$1\r\nb\r\n");
    // The same through a shell pipe, exactly as a user would type it.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("printf 'SET a c\\r\\nGET a\\r\\n' | nc -N 127.0.0.1 {}", s.port))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "+OK\r\n$1\r\nc\r\n");
}

#[test]
fn protocol_errors_reply_and_close() {
    let s = Server::start();
    let cases: &[(&[u8], &str)] = &[
        (b"*1\r\n$1099511627776\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$+1\r\nx\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
        (b"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*99999999999\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*2\r\n+OK\r\n", "-ERR Protocol error: expected '$', got '+'\r\n"),
        (b"*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n"),
        (b"SET \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"),
        (b"SET 'a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"),
        // Commands before the bad frame are answered first.
        (b"PING\r\n*1\r\n$x\r\n", "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"),
    ];
    for (input, reply) in cases {
        refused_with(&s, input, reply);
    }
    let big = vec![b'a'; 70 * 1024];
    refused_with(&s, &big, "-ERR Protocol error: too big inline request\r\n");
    let mut count = b"*".to_vec();
    count.extend(std::iter::repeat(b'1').take(70 * 1024));
    refused_with(&s, &count, "-ERR Protocol error: too big mbulk count string\r\n");
    assert_alive(&s);
}

#[test]
fn nul_bytes_end_an_inline_line() {
    let s = Server::start();
    let before = s.rss_kib();
    let mut c = s.raw();
    // A NUL ends the line, as in Redis (the rest of the line is ignored); this once
    // made the inline splitter loop for ever.
    c.send(b"\x00\x98junk\nSET a\x00 ignored\r\nGET a\r\n");
    assert_eq!(c.read(), R::err("ERR wrong number of arguments for 'set' command"));
    assert_eq!(c.read(), R::Nil);
    assert_eq!(exchange(&s, b"SET \"a\x00\" b\r\n", Duration::from_secs(5)), b"-ERR Protocol error: unbalanced quotes in request\r\n");
    assert_alive(&s);
    assert!(s.rss_kib() < before + 64 * 1024);
}

#[test]
fn empty_and_negative_multibulk_are_ignored() {
    let s = Server::start();
    let mut c = s.raw();
    c.send(b"*0\r\n*-1\r\n*-10\r\n");
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn huge_declared_sizes_allocate_nothing() {
    let s = Server::start();
    let before = s.rss_kib();
    // A 10-million element header: the server waits for the elements without
    // reserving room for them.
    let mut held = Vec::new();
    for _ in 0..20 {
        let mut sock = TcpStream::connect(s.addr()).unwrap();
        sock.write_all(b"*10000000\r\n").unwrap();
        held.push(sock);
    }
    // A 512 MB bulk header (the largest allowed) with only a few bytes behind it.
    for _ in 0..20 {
        let mut sock = TcpStream::connect(s.addr()).unwrap();
        sock.write_all(b"*2\r\n$3\r\nGET\r\n$536870912\r\nabc").unwrap();
        held.push(sock);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_alive(&s);
    let after = s.rss_kib();
    assert!(after < before + 64 * 1024, "RSS grew from {before} KiB to {after} KiB");
    // The held connections are still open and waiting.
    let mut probe = held.pop().unwrap();
    probe.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut b = [0u8; 1];
    assert!(matches!(probe.read(&mut b), Err(_)), "no reply to an incomplete request");
}

#[test]
fn random_bytes_never_crash_the_server() {
    let mut s = Server::start();
    assert_alive(&s);
    let before = s.rss_kib();
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300 {
        let len = (next() % 4096) as usize + 1;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Some rounds look like the start of a RESP frame, to reach deeper states.
        match round % 4 {
            0 => bytes[0] = b'*',
            1 => bytes.splice(0..0, b"*3\r\n$3\r\nSET\r\n".iter().copied()).for_each(drop),
            _ => {}
        }
        let _ = exchange(&s, &bytes, Duration::from_millis(20));
    }
    assert!(s.alive(), "server died");
    assert_alive(&s);
    let after = s.rss_kib();
    assert!(after < before + 64 * 1024, "RSS grew from {before} KiB to {after} KiB");
}

#[test]
fn unknown_commands_and_wrong_arity_keep_the_connection() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["FOOBAR"]), R::err("ERR unknown command 'FOOBAR', with args beginning with: "));
    assert_eq!(
        c.cmd(&["FOOBAR", "a", "b c"]),
        R::err("ERR unknown command 'FOOBAR', with args beginning with: 'a' 'b c' ")
    );
    let long = "x".repeat(200);
    match c.cmd(&[&long]) {
        R::Error(e) => assert_eq!(e, format!("ERR unknown command '{}', with args beginning with: ", "x".repeat(128))),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.cmd(&["GET"]), R::err("ERR wrong number of arguments for 'get' command"));
    assert_eq!(c.cmd(&["GET", "a", "b"]), R::err("ERR wrong number of arguments for 'get' command"));
    assert_eq!(c.cmd(&["set", "a"]), R::err("ERR wrong number of arguments for 'set' command"));
    assert_eq!(c.cmd(&["CONFIG", "GET"]), R::err("ERR wrong number of arguments for 'config|get' command"));
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn many_bad_requests_keep_memory_flat() {
    let s = Server::start();
    assert_alive(&s);
    let before = s.rss_kib();
    let mut c = s.raw();
    let mut buf = Vec::new();
    for i in 0..20_000 {
        buf.extend_from_slice(&encode(&["NOSUCHCOMMAND", &i.to_string()]));
        buf.extend_from_slice(&encode(&["GET"]));
    }
    let mut writer = c.stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || writer.write_all(&buf).unwrap());
    for _ in 0..40_000 {
        assert!(matches!(c.read(), R::Error(_)));
    }
    sender.join().unwrap();
    for _ in 0..50 {
        refused_with(&s, b"*1\r\n$1099511627776\r\n", "-ERR Protocol error: invalid bulk length\r\n");
    }
    assert_alive(&s);
    let after = s.rss_kib();
    assert!(after < before + 64 * 1024, "RSS grew from {before} KiB to {after} KiB");
}

#[test]
fn config_set_limits_apply_to_clients_already_connected() {
    // Connections cache their limits; CONFIG SET must reach the ones already open.
    let s = Server::start();
    let mut admin = s.raw();
    let mut other = s.raw();
    assert_eq!(other.cmd(&["PING"]), R::Status("PONG".into()));
    assert_eq!(admin.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "1mb"]), R::ok());
    other.send(b"*2\r\n$4\r\nECHO\r\n$2000000\r\n");
    assert_eq!(other.read(), R::err("ERR Protocol error: invalid bulk length"));
    // And back: a bigger limit is honoured too, by a client connected in between.
    let mut third = s.raw();
    assert_eq!(admin.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "4mb"]), R::ok());
    let big = "x".repeat(2_000_000);
    assert_eq!(third.cmd(&["ECHO", &big]), R::bulk(&big));
}
