//! Round-trip latency and throughput of this client over DiskDB's shared memory, Unix
//! socket and TCP, and against redis-server over TCP and its Unix socket, in one run
//! with the same client code (issue 17's benchmark). Prints a Markdown table.
//!
//! ```text
//! cargo run --release --example bench -- [--diskdb PATH] [--redis-server PATH]
//!     [--requests N] [--seconds S] [--clients C] [--depth D] [--ring-size BYTES]
//! ```
//! `--diskdb` defaults to $DISKDB_BIN, `--redis-server` to `redis-server` on PATH.
//! Latency: one client, N sequential GETs (then SETs) of a 16-byte value, each round trip
//! timed. Throughput: GETs per second for S seconds from 1 client and from C clients
//! (one thread each), at pipeline depth 1 and D.

use diskdb_client::{Cmd, Connection, Pipeline, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Args {
    diskdb: Option<String>,
    redis: String,
    requests: usize,
    seconds: f64,
    clients: usize,
    depth: usize,
    ring_size: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        diskdb: std::env::var("DISKDB_BIN").ok(),
        redis: "redis-server".into(),
        requests: 50_000,
        seconds: 2.0,
        clients: 8,
        depth: 64,
        ring_size: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--diskdb" => a.diskdb = Some(v()),
            "--redis-server" => a.redis = v(),
            "--requests" => a.requests = v().parse().expect("--requests N"),
            "--seconds" => a.seconds = v().parse().expect("--seconds S"),
            "--clients" => a.clients = v().parse().expect("--clients C"),
            "--depth" => a.depth = v().parse().expect("--depth D"),
            "--ring-size" => a.ring_size = Some(v()),
            _ => panic!("unknown argument {k}"),
        }
    }
    a
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn wait_ready(url: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let rt = rt();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            panic!("server exited: {st}");
        }
        if rt.block_on(async { Connection::open(url).await?.query::<Value>(&Cmd::new("PING")).await }).is_ok() {
            return;
        }
        assert!(Instant::now() < deadline, "server at {url} not ready");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

/// p50/p99/p99.9 in microseconds of `n` round trips of `cmd`.
fn latency(url: &str, cmd: &Cmd, n: usize) -> [f64; 3] {
    let rt = rt();
    rt.block_on(async {
        let mut c = Connection::open(url).await.unwrap();
        for _ in 0..n / 10 {
            c.query::<Value>(cmd).await.unwrap();
        }
        let mut t = Vec::with_capacity(n);
        for _ in 0..n {
            let s = Instant::now();
            c.query::<Value>(cmd).await.unwrap();
            t.push(s.elapsed().as_nanos() as u64);
        }
        t.sort_unstable();
        [pct(&t, 0.50), pct(&t, 0.99), pct(&t, 0.999)]
    })
}

/// GETs per second from `clients` threads at pipeline depth `depth` for `secs`.
fn throughput(url: &str, clients: usize, depth: usize, secs: f64) -> f64 {
    let start = std::sync::Barrier::new(clients);
    let total: u64 = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..clients)
            .map(|_| {
                let start = &start;
                sc.spawn(move || {
                    let rt = rt();
                    rt.block_on(async {
                        let mut c = Connection::open(url).await.unwrap();
                        let get = Cmd::new("GET").arg("bench:key");
                        let mut p = Pipeline::new();
                        for _ in 0..depth {
                            p.cmd(get.clone());
                        }
                        start.wait();
                        let until = Instant::now() + Duration::from_secs_f64(secs);
                        let mut ops = 0u64;
                        while Instant::now() < until {
                            if depth == 1 {
                                c.query::<Value>(&get).await.unwrap();
                            } else {
                                c.run_pipeline(&p).await.unwrap();
                            }
                            ops += depth as u64;
                        }
                        ops
                    })
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    total as f64 / secs
}

fn main() {
    let a = args();
    let dir = tempfile_dir();
    let mut targets: Vec<(String, String)> = Vec::new();
    let mut procs = Vec::new();

    if let Some(bin) = &a.diskdb {
        let port = free_port();
        let sock = format!("{dir}/diskdb.sock");
        let mut cmd = Command::new(bin);
        cmd.args(["--port", &port.to_string(), "--dir", &format!("{dir}/diskdb-data"), "--unixsocket", &sock, "--loglevel", "warning"]);
        if let Some(r) = &a.ring_size {
            cmd.args(["--shm-ring-size", r]);
        }
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("starting diskdb");
        let tcp = format!("redis://127.0.0.1:{port}");
        wait_ready(&tcp, &mut child);
        while !std::path::Path::new(&sock).exists() {
            std::thread::sleep(Duration::from_millis(20));
        }
        procs.push(Proc(child));
        let shm = format!("diskdb+shm://{sock}");
        if rt().block_on(Connection::open(&shm)).is_ok() {
            targets.push(("DiskDB shm".into(), shm));
        } else {
            eprintln!("note: {bin} refuses SHM.ATTACH; the shm row is left out");
        }
        targets.push(("DiskDB unix".into(), format!("unix://{sock}")));
        targets.push(("DiskDB tcp".into(), tcp));
    } else {
        eprintln!("note: no DiskDB binary (--diskdb or DISKDB_BIN); only redis-server is measured");
    }
    {
        let port = free_port();
        let sock = format!("{dir}/redis.sock");
        let mut child = Command::new(&a.redis)
            .args(["--port", &port.to_string(), "--unixsocket", &sock, "--save", "", "--appendonly", "no", "--dir", &dir])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting redis-server");
        let tcp = format!("redis://127.0.0.1:{port}");
        wait_ready(&tcp, &mut child);
        procs.push(Proc(child));
        targets.push(("redis-server tcp".into(), tcp));
        targets.push(("redis-server unix".into(), format!("unix://{sock}")));
    }

    let value = "v".repeat(16);
    let set = Cmd::new("SET").arg("bench:key").arg(&value);
    let get = Cmd::new("GET").arg("bench:key");
    println!(
        "| target | GET p50 / p99 / p99.9 (us) | SET p50 / p99 / p99.9 (us) | GET/s 1 client d=1 | 1 client d={d} | {c} clients d=1 | {c} clients d={d} |",
        d = a.depth,
        c = a.clients
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, url) in &targets {
        rt().block_on(async { Connection::open(url).await.unwrap().query::<Value>(&set).await.unwrap() });
        let g = latency(url, &get, a.requests);
        let s = latency(url, &set, a.requests);
        let t = [
            throughput(url, 1, 1, a.seconds),
            throughput(url, 1, a.depth, a.seconds),
            throughput(url, a.clients, 1, a.seconds),
            throughput(url, a.clients, a.depth, a.seconds),
        ];
        println!(
            "| {name} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} | {} | {} | {} | {} |",
            g[0], g[1], g[2], s[0], s[1], s[2], k(t[0]), k(t[1]), k(t[2]), k(t[3])
        );
    }
    drop(procs);
    let _ = std::fs::remove_dir_all(&dir);

}

fn k(ops: f64) -> String {
    if ops >= 1e6 {
        format!("{:.2} M", ops / 1e6)
    } else {
        format!("{:.0} k", ops / 1e3)
    }
}

fn tempfile_dir() -> String {
    let d = std::env::temp_dir().join(format!("diskdb-client-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.to_string_lossy().into_owned()
}
