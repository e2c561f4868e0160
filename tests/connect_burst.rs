//! A burst of connects, far more than the listen backlog holds at once, all become
//! working clients. The backlog itself (`tcp-backlog`, as the kernel reports it) is
//! checked in tests/idle_clients.rs; how long a connect waits is not asserted here: a
//! machine that starves the server for a moment makes the kernel drop a SYN and the
//! client retry a second later, against Redis too, so only benches/idle_clients.py
//! measures it.

mod common;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{encode, read_reply, Server, R};

#[test]
fn two_thousand_connects_in_a_burst_all_become_working_clients() {
    let s = Server::start();
    let mut conns: Vec<TcpStream> = (0..2000).map(|_| TcpStream::connect(s.addr()).unwrap()).collect();
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

