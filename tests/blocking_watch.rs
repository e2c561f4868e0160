//! A client blocked in BRPOPLPUSH / BLMOVE does not touch the keys others (or it) WATCH
//! until it is served: the scenarios of Redis's tests/unit/type/list.tcl ("BRPOPLPUSH
//! does not affect WATCH while still blocked", "PUSH resulting from BRPOPLPUSH affect
//! WATCH") for both commands, plus a timeout, a wrong destination type, the blocked
//! client's own WATCH and a pusher inside MULTI, run against DiskDB and redis-server 7.0
//! in the same test, whose answers must be the same.

mod common;
use common::reference::RedisServer;
use common::*;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn open(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client { reader: BufReader::new(stream.try_clone().unwrap()), stream }
    }

    fn send(&mut self, args: &[&str]) {
        self.stream.write_all(&encode(args)).unwrap();
    }

    fn read(&mut self) -> R {
        read_reply(&mut self.reader).expect("reply")
    }

    fn cmd(&mut self, args: &[&str]) -> R {
        self.send(args);
        self.read()
    }
}

/// Waits until `port` shows `n` blocked clients (INFO `blocked_clients`).
fn wait_blocked(c: &mut Client, n: i64) {
    for _ in 0..2000 {
        let R::Bulk(info) = c.cmd(&["INFO", "clients"]) else { panic!("INFO clients") };
        let info = String::from_utf8(info).unwrap();
        let v = info.lines().find_map(|l| l.strip_prefix("blocked_clients:")).expect("blocked_clients");
        if v.trim() == n.to_string() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("never saw {n} blocked clients");
}

/// WATCH `keys`, MULTI, GET somekey: the EXEC that follows answers [somevalue] or nil.
fn watch_and_queue(a: &mut Client, keys: &[&str], out: &mut Vec<R>) {
    for k in keys {
        out.push(a.cmd(&["WATCH", k]));
    }
    out.push(a.cmd(&["MULTI"]));
    out.push(a.cmd(&["GET", "somekey"]));
}

fn scenario(port: u16, blocking: &[&str]) -> Vec<R> {
    let mut r = Client::open(port);
    let mut a = Client::open(port);
    let mut b = Client::open(port);
    let mut out = Vec::new();
    r.cmd(&["FLUSHALL"]);
    r.cmd(&["SET", "somekey", "somevalue"]);
    let mut timed = blocking.to_vec();
    *timed.last_mut().unwrap() = "0.2";

    // EXEC while B is still blocked: dstlist is untouched.
    b.send(blocking);
    wait_blocked(&mut r, 1);
    watch_and_queue(&mut a, &["dstlist"], &mut out);
    out.push(a.cmd(&["EXEC"]));
    out.push(r.cmd(&["LPUSH", "srclist", "element"]));
    out.push(b.read());

    // EXEC after B was served: B's push into dstlist aborts it.
    b.send(blocking);
    wait_blocked(&mut r, 1);
    watch_and_queue(&mut a, &["dstlist"], &mut out);
    out.push(r.cmd(&["LPUSH", "srclist", "element"]));
    out.push(b.read());
    out.push(a.cmd(&["EXEC"]));

    // B times out: it touched nothing.
    b.send(&timed);
    wait_blocked(&mut r, 1);
    watch_and_queue(&mut a, &["dstlist", "srclist"], &mut out);
    out.push(b.read());
    out.push(a.cmd(&["EXEC"]));

    // A push into a key B does not wait on leaves it blocked and the watch clean.
    b.send(blocking);
    wait_blocked(&mut r, 1);
    watch_and_queue(&mut a, &["dstlist"], &mut out);
    out.push(r.cmd(&["LPUSH", "otherlist", "x"]));
    out.push(a.cmd(&["EXEC"]));
    out.push(r.cmd(&["LPUSH", "srclist", "element"]));
    out.push(b.read());

    // The destination holds a string: B gets WRONGTYPE, the element stays in srclist,
    // dstlist was not touched (srclist was, by the push).
    r.cmd(&["DEL", "dstlist", "srclist"]);
    r.cmd(&["SET", "dstlist", "str"]);
    b.send(blocking);
    wait_blocked(&mut r, 1);
    watch_and_queue(&mut a, &["dstlist"], &mut out);
    out.push(r.cmd(&["LPUSH", "srclist", "element"]));
    out.push(b.read());
    out.push(a.cmd(&["EXEC"]));
    watch_and_queue(&mut a, &["srclist"], &mut out);
    out.push(r.cmd(&["LPUSH", "srclist", "element2"]));
    out.push(a.cmd(&["EXEC"]));
    out.push(r.cmd(&["LRANGE", "srclist", "0", "-1"]));
    r.cmd(&["DEL", "dstlist", "srclist"]);

    // B's own WATCH: being served touches dstlist for B too; timing out does not.
    out.push(b.cmd(&["WATCH", "dstlist"]));
    b.send(blocking);
    wait_blocked(&mut r, 1);
    out.push(r.cmd(&["LPUSH", "srclist", "element"]));
    out.push(b.read());
    out.push(b.cmd(&["MULTI"]));
    out.push(b.cmd(&["GET", "somekey"]));
    out.push(b.cmd(&["EXEC"]));
    out.push(b.cmd(&["WATCH", "dstlist"]));
    b.send(&timed);
    out.push(b.read());
    out.push(b.cmd(&["MULTI"]));
    out.push(b.cmd(&["GET", "somekey"]));
    out.push(b.cmd(&["EXEC"]));

    // The pusher runs in MULTI: B is served after EXEC, and then A's watch is dirty.
    b.send(blocking);
    wait_blocked(&mut r, 1);
    watch_and_queue(&mut a, &["dstlist"], &mut out);
    out.push(r.cmd(&["MULTI"]));
    out.push(r.cmd(&["LPUSH", "srclist", "e2"]));
    out.push(r.cmd(&["LPUSH", "otherlist", "x"]));
    out.push(r.cmd(&["EXEC"]));
    out.push(b.read());
    out.push(a.cmd(&["EXEC"]));
    out.push(r.cmd(&["LRANGE", "dstlist", "0", "-1"]));
    out
}

#[test]
fn blocked_brpoplpush_and_blmove_touch_watched_keys_only_when_served() {
    let redis = RedisServer::start();
    let s = Server::start();
    let cases: &[&[&str]] = &[
        &["BRPOPLPUSH", "srclist", "dstlist", "0"],
        &["BLMOVE", "srclist", "dstlist", "LEFT", "RIGHT", "0"],
        &["BLMOVE", "srclist", "dstlist", "RIGHT", "LEFT", "0"],
    ];
    for blocking in cases {
        let expected = scenario(redis.port, blocking);
        // The reference answers as Redis's own tests say.
        assert_eq!(expected[3], R::Array(vec![R::bulk("somevalue")]), "{blocking:?}");
        assert_eq!(expected[11], R::Nil, "{blocking:?}");
        assert_eq!(scenario(s.port, blocking), expected, "{blocking:?}");
    }
}
