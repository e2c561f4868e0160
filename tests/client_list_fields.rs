//! CLIENT LIST / CLIENT INFO fields with real values (qbuf, argv-mem, multi-mem, obl, oll,
//! omem, events, cmd, user, redir, resp), run as one scenario against DiskDB and
//! redis-server 7.0 in the same test. The exact fields must be equal; the output buffer
//! fields, whose sizes depend on each server's buffers, must agree on what they show
//! (replies waiting or not).

mod common;
use common::reference::RedisServer;
use common::*;

use std::time::Duration;


fn field(line: &str, name: &str) -> String {
    let prefix = format!("{name}=");
    line.trim_end().split(' ').find_map(|f| f.strip_prefix(prefix.as_str())).unwrap_or_else(|| panic!("{name} in {line}")).to_string()
}

/// The CLIENT LIST line of client `id`, seen from `c`.
fn line_of(c: &mut Raw, id: &str) -> String {
    match c.cmd(&["CLIENT", "LIST", "ID", id]) {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("CLIENT LIST answered {other:?}"),
    }
}

const EXACT: &[&str] = &["flags", "multi", "qbuf", "argv-mem", "multi-mem", "events", "cmd", "user", "redir", "resp"];

fn exact(line: &str) -> Vec<(String, String)> {
    EXACT.iter().map(|f| (f.to_string(), field(line, f))).collect()
}

fn scenario(port: u16) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut r = Raw::connect(port);
    r.cmd(&["FLUSHALL"]);

    // The caller sees its own command's arguments ("client" + "info" = 10 bytes).
    let R::Bulk(me) = r.cmd(&["CLIENT", "INFO"]) else { panic!("CLIENT INFO") };
    out.push(exact(&String::from_utf8(me).unwrap()));

    // A blocked client keeps the arguments it waits with: 5 + 8 + 1.
    let mut b = Raw::connect(port);
    let b_id = b.id();
    b.send_cmd(&["BLPOP", "somelist", "0"]);
    for _ in 0..2000 {
        if field(&line_of(&mut r, &b_id), "flags") == "b" {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    out.push(exact(&line_of(&mut r, &b_id)));
    r.cmd(&["LPUSH", "somelist", "x"]);
    b.read();
    out.push(exact(&line_of(&mut r, &b_id)));

    // A transaction: multi-mem counts each queued argument plus a pointer, cmd names the
    // last queued command, EXEC / DISCARD free it.
    let mut m = Raw::connect(port);
    let m_id = m.id();
    m.cmd(&["MULTI"]);
    out.push(exact(&line_of(&mut r, &m_id)));
    m.cmd(&["SET", "k", "vvvvvvvvvv"]);
    m.cmd(&["GET", "k"]);
    out.push(exact(&line_of(&mut r, &m_id)));
    m.cmd(&["EXEC"]);
    out.push(exact(&line_of(&mut r, &m_id)));
    m.cmd(&["MULTI"]);
    m.cmd(&["LPUSH", "l", "a", "b", "c"]);
    out.push(exact(&line_of(&mut r, &m_id)));
    m.cmd(&["DISCARD"]);
    out.push(exact(&line_of(&mut r, &m_id)));

    // RESP3 and a WATCH.
    let mut h = Raw::connect(port);
    let h_id = h.id();
    h.cmd(&["HELLO", "3"]);
    h.cmd(&["WATCH", "a", "b"]);
    out.push(exact(&line_of(&mut r, &h_id)));
    out
}

/// Replies pile up for a client that does not read: both servers show them in
/// obl/oll/omem with events=rw, and nothing once the client has read them all.
fn output_buffer(port: u16) -> (bool, bool) {
    let mut r = Raw::connect(port);
    r.cmd(&["SET", "big", &"x".repeat(200_000)]);
    let mut o = Raw::connect(port);
    let o_id = o.id();
    for _ in 0..40 {
        o.send_cmd(&["GET", "big"]);
    }
    let mut waiting = false;
    for _ in 0..400 {
        let line = line_of(&mut r, &o_id);
        let total: usize = ["obl", "oll", "omem"].iter().map(|f| field(&line, f).parse::<usize>().unwrap()).sum();
        if total > 0 && field(&line, "events") == "rw" && field(&line, "omem") != "0" {
            waiting = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..40 {
        o.read();
    }
    let mut drained = false;
    for _ in 0..400 {
        let line = line_of(&mut r, &o_id);
        if ["obl", "oll", "omem"].iter().all(|f| field(&line, f) == "0") && field(&line, "events") == "r" {
            drained = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    (waiting, drained)
}

#[test]
fn client_list_fields_have_real_values_as_in_redis() {
    let redis = RedisServer::start();
    let expected = scenario(redis.port);
    // What Redis 7.0 itself answers, spelled out for the reader.
    assert_eq!(field_of(&expected[0], "argv-mem"), "10");
    // The caller's own request is still in its query buffer: *2 $6 CLIENT $4 INFO.
    assert_eq!(field_of(&expected[0], "qbuf"), "26");
    assert_eq!(field_of(&expected[1], "argv-mem"), "14");
    assert_eq!(field_of(&expected[4], "multi-mem"), "58");
    assert_eq!(field_of(&expected[4], "cmd"), "get");
    let s = Server::start();
    assert_eq!(scenario(s.port), expected);
    assert_eq!(output_buffer(redis.port), (true, true));
    assert_eq!(output_buffer(s.port), (true, true));
}

fn field_of(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap()
}

/// `rbs` is the reply buffer a client holds (none while idle: DiskDB gives buffers back
/// between requests) and `rbp` the most replies it held in the last 5 seconds.
#[test]
fn reply_buffer_fields_show_the_buffer_and_its_recent_peak() {
    let s = Server::start();
    let mut r = Raw::connect(s.port);
    r.cmd(&["SET", "big", &"x".repeat(200_000)]);
    let mut o = Raw::connect(s.port);
    let o_id = o.id();
    let line = line_of(&mut r, &o_id);
    assert_eq!(field(&line, "rbs"), "0");
    assert!(field(&line, "rbp").parse::<usize>().unwrap() < 1000, "{line}");
    assert_eq!(o.cmd(&["GET", "big"]), R::Bulk(vec![b'x'; 200_000]));
    let line = line_of(&mut r, &o_id);
    assert_eq!(field(&line, "rbs"), "0", "idle again");
    assert!(field(&line, "rbp").parse::<usize>().unwrap() >= 200_000, "{line}");
    // The caller itself is mid-batch: it holds a buffer.
    let R::Bulk(me) = r.cmd(&["CLIENT", "INFO"]) else { panic!() };
    assert!(field(&String::from_utf8(me).unwrap(), "rbs").parse::<usize>().unwrap() > 0);
}
