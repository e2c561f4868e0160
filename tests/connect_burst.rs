//! A burst of connects is queued by the listen backlog (`tcp-backlog`, 511) and
//! accepted without stalling. Alone in its test binary: the accept loop must keep up
//! with a client that connects as fast as the kernel lets it, and a test running beside
//! it on a 2-core machine could starve the server for the few milliseconds that takes.

mod common;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{encode, read_reply, Server, R};

#[test]
fn two_thousand_connects_in_a_burst_never_wait_for_a_syn_retry() {
    let s = Server::start();
    let mut conns = Vec::with_capacity(2000);
    let mut slowest = Duration::ZERO;
    for _ in 0..2000 {
        let t = Instant::now();
        let c = TcpStream::connect(s.addr()).unwrap();
        slowest = slowest.max(t.elapsed());
        conns.push(c);
    }
    // A dropped SYN is retried after a second: anything near that is a stall.
    assert!(slowest < Duration::from_millis(500), "slowest connect took {slowest:?}");
    // Every one of them is a working client.
    for c in conns.iter_mut() {
        c.write_all(&encode(&["PING"])).unwrap();
    }
    for c in conns.iter() {
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        assert_eq!(read_reply(&mut BufReader::new(c)).unwrap(), R::Status("PONG".into()));
    }
    let clients = s.info_field("clients", "connected_clients").unwrap();
    assert_eq!(clients, "2001");
}

