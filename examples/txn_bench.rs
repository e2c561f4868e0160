//! A MULTI/EXEC benchmark redis-benchmark cannot express: each client sends `MULTI`,
//! ten `INCR`s of random keys and `EXEC` in one write and waits for the 22 reply lines,
//! over and over; prints the transactions per second of all clients together.
//!
//!     cargo run --release --example txn_bench -- PORT [CLIENTS] [TRANSACTIONS]
//!
//! Plain std threads and sockets: it measures the server, not a client library.
//! benches/compare.sh runs it against redis-server and DiskDB in the same run.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Lines of one transaction's replies: +OK, 10 x +QUEUED, *10, 10 x :N.
const LINES: usize = 22;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args.get(1).and_then(|a| a.parse().ok()).expect("usage: txn_bench PORT [CLIENTS] [TRANSACTIONS]");
    let clients: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50);
    let total: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let left = Arc::new(AtomicU64::new(total));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let left = left.clone();
            std::thread::spawn(move || run(port, c, &left))
        })
        .collect();
    let done: u64 = threads.into_iter().map(|t| t.join().expect("client thread")).sum();
    println!("{:.0}", done as f64 / started.elapsed().as_secs_f64());
}

/// One client: transactions until the shared budget is spent; answers how many it ran.
fn run(port: u16, client: u64, left: &AtomicU64) -> u64 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    let mut seed = client.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut buf = vec![0u8; 4096];
    let mut done = 0;
    while left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok() {
        let mut req = b"*1\r\n$5\r\nMULTI\r\n".to_vec();
        for _ in 0..10 {
            // xorshift: keys spread over 100,000 counters, as -r spreads redis-benchmark's.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let key = format!("bench:txn:{:06}", seed % 100_000);
            req.extend_from_slice(format!("*2\r\n$4\r\nINCR\r\n${}\r\n{key}\r\n", key.len()).as_bytes());
        }
        req.extend_from_slice(b"*1\r\n$4\r\nEXEC\r\n");
        s.write_all(&req).expect("write");
        let mut lines = 0;
        while lines < LINES {
            let n = s.read(&mut buf).expect("read");
            assert!(n > 0, "server closed the connection");
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
        }
        done += 1;
    }
    done
}
