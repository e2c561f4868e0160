//! Round-trip latency of one GET from one client over TCP, the Unix socket and shared
//! memory (the test-only client of tests/common/shm.rs, written from
//! docs/shm-protocol.md), against the release binary: p50, p99, p99.9.
//! `cargo bench --bench shm_latency` (ROUNDS=n to change the 50,000 round trips).
//! The server-side figure; the full benchmark (the Rust client, redis-server
//! beside it, throughput) is clients/rust's.

#[path = "../tests/common/mod.rs"]
#[allow(dead_code, unused_imports)]
mod common;
#[path = "../tests/common/shm.rs"]
#[allow(dead_code)]
mod shm_client;

use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use shm_client::{Frames, RawFrames, ShmClient};

fn measure(name: &str, c: &mut dyn Frames, rounds: usize) {
    let get = common::encode(&["GET", "k"]);
    for _ in 0..1000 {
        c.send_bytes(&get).unwrap();
        c.next_frame().unwrap();
    }
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        c.send_bytes(&get).unwrap();
        c.next_frame().unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e6;
    println!("| {name:<12} | {:>8.1} | {:>8.1} | {:>8.1} |", p(0.50), p(0.99), p(0.999));
}

fn main() {
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("diskdb.sock");
    let server = common::Server::start_with(&["--unixsocket", sock.to_str().unwrap()]);
    assert!(common::wait_until(Duration::from_secs(20), || UnixStream::connect(&sock).is_ok()));
    server.raw().cmd(&["SET", "k", "value"]);
    println!("GET round trip, one client, {rounds} rounds, microseconds");
    println!("| transport    |      p50 |      p99 |    p99.9 |");
    println!("|--------------|----------|----------|----------|");
    let tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_nodelay(true).unwrap();
    measure("TCP", &mut RawFrames::new(tcp), rounds);
    measure("Unix socket", &mut RawFrames::new(UnixStream::connect(&sock).unwrap()), rounds);
    measure("shm", &mut ShmClient::connect(&sock), rounds);
}
