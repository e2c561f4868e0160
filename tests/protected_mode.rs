//! Protected mode, as Redis 7.0: with `protected-mode yes` and no password, a client
//! from a non-loopback address gets Redis's DENIED error (the same bytes as
//! redis-server's, compared in the test) and is disconnected and counted in
//! `rejected_connections`, while loopback and Unix-socket clients are served; a password
//! or `protected-mode no` (CONFIG SET) lets it in.
//!
//! A non-loopback client needs a non-loopback local address: the test uses the
//! machine's first global IPv4 address (`ip -4 addr`), connecting from it to itself.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

use common::reference::RedisServer;
use common::*;

/// This machine's first global, up IPv4 address.
fn outside_address() -> Ipv4Addr {
    let out = Command::new("ip").args(["-4", "-o", "addr", "show", "scope", "global", "up"]).output().expect("ip (iproute2) is installed");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .skip_while(|w| *w != "inet")
        .nth(1)
        .and_then(|cidr| cidr.split('/').next()?.parse().ok())
        .expect("a non-loopback IPv4 address on this machine (the test connects from it)")
}

/// Connects from `from` to `from:port`, sends PING, and answers everything read until
/// the server closes or goes quiet.
fn ping_from(from: Ipv4Addr, port: u16) -> Vec<u8> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&SocketAddr::from((from, 0)).into()).unwrap();
    socket.connect(&SocketAddr::from((from, port)).into()).unwrap();
    let mut s: TcpStream = socket.into();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let _ = s.write_all(b"PING\r\n");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
        if out.ends_with(b"+PONG\r\n") {
            return out;
        }
    }
}

fn info_int(server: &Server, field: &str) -> i64 {
    server.info_field("stats", field).and_then(|v| v.parse().ok()).unwrap_or(-1)
}

#[test]
fn protected_mode_denies_outside_clients_as_redis_does() {
    let ip = outside_address();
    let redis = RedisServer::start_with(&["--bind", "0.0.0.0"]);
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("p.sock");
    let server = Server::start_with(&["--bind", "0.0.0.0", "--unixsocket", sock.to_str().unwrap()]);

    let want = ping_from(ip, redis.port);
    assert!(want.starts_with(b"-DENIED Redis is running in protected mode"), "{}", String::from_utf8_lossy(&want));
    let got = ping_from(ip, server.port);
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
    assert_eq!(info_int(&server, "rejected_connections"), 1);

    // Loopback and the Unix socket are served.
    assert_eq!(Raw::connect(server.port).cmd(&["PING"]), R::Status("PONG".into()));
    let mut unix = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    unix.write_all(b"PING\r\n").unwrap();
    let mut pong = [0u8; 7];
    unix.read_exact(&mut pong).unwrap();
    assert_eq!(&pong, b"+PONG\r\n");

    // A password lets outside clients reach AUTH (they get NOAUTH, not DENIED)...
    let mut admin = server.client();
    let _: () = redis::cmd("CONFIG").arg("SET").arg("requirepass").arg("pw").query(&mut admin).unwrap();
    let got = ping_from(ip, server.port);
    assert!(got.starts_with(b"-NOAUTH"), "{}", String::from_utf8_lossy(&got));
    let _: () = redis::cmd("CONFIG").arg("SET").arg("requirepass").arg("").query(&mut admin).unwrap_or(());
    // ...and so does turning protected mode off.
    let mut admin = server.client();
    let _: () = redis::cmd("CONFIG").arg("SET").arg("protected-mode").arg("no").query(&mut admin).unwrap();
    assert_eq!(ping_from(ip, server.port), b"+PONG\r\n");
    assert_eq!(info_int(&server, "rejected_connections"), 1);
}
