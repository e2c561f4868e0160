//! `io-engine uring` (src/server/uring.rs): a representative set of client behaviour
//! over TCP and the Unix socket with the io_uring engine on: long pipelines, a 10 MB
//! value, RESP3, pub/sub, BLPOP wake-ups, MULTI, clients that disconnect mid-pipeline,
//! 1,000 concurrent clients, QUIT and CLIENT KILL. (The other test files run on it too
//! with DISKDB_TEST_IO_ENGINE=uring.)

mod common;
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

trait Duplex: Read + Write + Send {}
impl<T: Read + Write + Send> Duplex for T {}

/// A client over either transport.
struct C {
    r: BufReader<Box<dyn Read + Send>>,
    w: Box<dyn Duplex>,
}

impl C {
    fn send(&mut self, bytes: &[u8]) {
        self.w.write_all(bytes).unwrap();
    }
    fn read(&mut self) -> R {
        read_reply(&mut self.r).unwrap()
    }
    fn cmd(&mut self, args: &[&str]) -> R {
        self.send(&encode(args));
        self.read()
    }
    fn cmd_bytes(&mut self, args: &[&[u8]]) -> R {
        self.send(&encode_bytes(args));
        self.read()
    }
    /// True once the server closed the connection.
    fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        match self.r.read_to_end(&mut rest) {
            Ok(_) => rest.is_empty(),
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum T {
    Tcp,
    Unix,
}

struct Uring {
    server: Server,
    sock: PathBuf,
}

impl Uring {
    fn start() -> Uring {
        let dir = tempfile::tempdir().unwrap().keep();
        let sock = dir.join("diskdb.sock");
        let server = Server::start_with(&["--io-engine", "uring", "--unixsocket", sock.to_str().unwrap()]);
        Uring { server, sock }
    }

    fn connect(&self, t: T) -> C {
        match t {
            T::Tcp => {
                let s = TcpStream::connect(self.server.addr()).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                s.set_nodelay(true).unwrap();
                C { r: BufReader::new(Box::new(s.try_clone().unwrap())), w: Box::new(s) }
            }
            T::Unix => {
                let s = UnixStream::connect(&self.sock).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                C { r: BufReader::new(Box::new(s.try_clone().unwrap())), w: Box::new(s) }
            }
        }
    }

    /// `connected_clients`, the connection asking included.
    fn connected_clients(&self) -> usize {
        self.server.info_field("clients", "connected_clients").and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    }
}

impl Drop for Uring {
    fn drop(&mut self) {
        if let Some(dir) = self.sock.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

const BOTH: [T; 2] = [T::Tcp, T::Unix];

#[test]
fn the_engine_runs_on_an_io_uring() {
    let s = Uring::start();
    let mut c = s.connect(T::Tcp);
    assert_eq!(c.cmd(&["CONFIG", "GET", "io-engine"]), bulks(&["io-engine", "uring"]));
    assert!(matches!(c.cmd(&["CONFIG", "SET", "io-engine", "epoll"]), R::Error(_)), "immutable");
    // The process holds an io_uring instance (unless the kernel refused one, in which
    // case the server fell back to epoll and says so in its log).
    let fds = std::fs::read_dir(format!("/proc/{}/fd", s.server.pid())).unwrap();
    let rings = fds.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok()).filter(|l| l.to_string_lossy().contains("io_uring")).count();
    let disabled = std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled").map(|v| v.trim() != "0").unwrap_or(false);
    assert!(rings == 1 || disabled, "io_uring instances: {rings}");
}

#[test]
fn pipelines_of_ten_thousand_commands() {
    let s = Uring::start();
    for t in BOTH {
        let mut c = s.connect(t);
        let mut batch = Vec::new();
        for i in 0..10_000 {
            batch.extend_from_slice(&encode(&["SET", &format!("{t:?}:{i}"), &format!("v{i}")]));
        }
        for i in 0..10_000 {
            batch.extend_from_slice(&encode(&["GET", &format!("{t:?}:{i}")]));
        }
        c.send(&batch);
        for _ in 0..10_000 {
            assert_eq!(c.read(), R::ok());
        }
        for i in 0..10_000 {
            assert_eq!(c.read(), R::bulk(&format!("v{i}")), "{t:?} GET {i}");
        }
    }
}

#[test]
fn a_ten_megabyte_value() {
    let s = Uring::start();
    for t in BOTH {
        let mut c = s.connect(t);
        let value: Vec<u8> = (0..10 << 20).map(|i: u32| (i % 251) as u8).collect();
        assert_eq!(c.cmd_bytes(&[b"SET", b"big", &value]), R::ok());
        assert_eq!(c.cmd(&["STRLEN", "big"]), R::Int(10 << 20));
        assert_eq!(c.cmd(&["GET", "big"]), R::Bulk(value), "{t:?}");
        assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    }
}

#[test]
fn resp3_multi_and_quit() {
    let s = Uring::start();
    for t in BOTH {
        let mut c = s.connect(t);
        let R::Agg('%', _) = c.cmd(&["HELLO", "3"]) else { panic!("HELLO 3 over {t:?}") };
        c.cmd(&["HSET", "h", "f", "v"]);
        assert_eq!(c.cmd(&["HGETALL", "h"]), R::Agg('%', vec![R::bulk("f"), R::bulk("v")]));
        assert_eq!(c.cmd(&["MULTI"]), R::ok());
        assert_eq!(c.cmd(&["INCR", "n"]), R::Status("QUEUED".into()));
        assert_eq!(c.cmd(&["INCR", "n"]), R::Status("QUEUED".into()));
        let R::Array(replies) = c.cmd(&["EXEC"]) else { panic!("EXEC over {t:?}") };
        assert_eq!(replies.len(), 2);
        assert_eq!(c.cmd(&["QUIT"]), R::ok());
        assert!(c.closed(), "QUIT closes the {t:?} connection");
    }
}

#[test]
fn pubsub_and_blpop_wake_ups() {
    let s = Uring::start();
    for t in BOTH {
        let mut sub = s.connect(t);
        let mut other = s.connect(t);
        assert_eq!(sub.cmd(&["SUBSCRIBE", "ch"]), R::Array(vec![R::bulk("subscribe"), R::bulk("ch"), R::Int(1)]));
        assert_eq!(other.cmd(&["PUBLISH", "ch", "hello"]), R::Int(1));
        assert_eq!(sub.read(), R::Array(vec![R::bulk("message"), R::bulk("ch"), R::bulk("hello")]));

        let mut blocked = s.connect(t);
        let key = format!("list:{t:?}");
        blocked.send(&encode(&["BLPOP", &key, "0"]));
        s.server.wait_blocked(1);
        assert_eq!(other.cmd(&["LPUSH", &key, "x"]), R::Int(1));
        assert_eq!(blocked.read(), bulks(&[&key, "x"]));
    }
}

#[test]
fn clients_that_disconnect_mid_pipeline() {
    let s = Uring::start();
    for t in BOTH {
        for round in 0..20 {
            let mut c = s.connect(t);
            let mut batch = Vec::new();
            for i in 0..2_000 {
                batch.extend_from_slice(&encode(&["SET", &format!("gone:{round}:{i}"), "v"]));
            }
            // Half a command at the end, and gone before reading a reply.
            batch.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf");
            c.send(&batch);
            drop(c);
        }
        let mut c = s.connect(t);
        assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
        assert!(wait_until(Duration::from_secs(20), || s.connected_clients() == 2), "the {t:?} clients that left are gone");
    }
}

#[test]
fn a_thousand_concurrent_clients() {
    let s = Uring::start();
    for t in BOTH {
        let mut clients: Vec<C> = (0..1_000).map(|_| s.connect(t)).collect();
        for (i, c) in clients.iter_mut().enumerate() {
            c.send(&encode(&["SET", &format!("c:{i}"), &i.to_string()]));
        }
        for c in clients.iter_mut() {
            assert_eq!(c.read(), R::ok());
        }
        for (i, c) in clients.iter_mut().enumerate() {
            assert_eq!(c.cmd(&["GET", &format!("c:{i}")]), R::bulk(&i.to_string()));
        }
        drop(clients);
        assert!(wait_until(Duration::from_secs(20), || s.connected_clients() == 1), "{t:?} clients closed");
    }
}

#[test]
fn client_kill_closes_the_connection() {
    let s = Uring::start();
    for t in BOTH {
        let mut victim = s.connect(t);
        let R::Int(id) = victim.cmd(&["CLIENT", "ID"]) else { panic!("CLIENT ID") };
        let mut killer = s.connect(t);
        assert_eq!(killer.cmd(&["CLIENT", "KILL", "ID", &id.to_string()]), R::Int(1));
        assert!(victim.closed(), "the killed {t:?} client is closed");
        // A blocked client too.
        let mut blocked = s.connect(t);
        let R::Int(id) = blocked.cmd(&["CLIENT", "ID"]) else { panic!("CLIENT ID") };
        blocked.send(&encode(&["BLPOP", "nothing", "0"]));
        s.server.wait_blocked(1);
        assert_eq!(killer.cmd(&["CLIENT", "KILL", "ID", &id.to_string()]), R::Int(1));
        assert!(blocked.closed(), "the killed blocked {t:?} client is closed");
    }
}

#[test]
fn a_client_that_stops_reading_is_killed_and_released() {
    let s = Uring::start();
    let mut c = s.connect(T::Tcp);
    let R::Int(id) = c.cmd(&["CLIENT", "ID"]) else { panic!("CLIENT ID") };
    c.cmd_bytes(&[b"SET", b"v", &vec![b'x'; 1 << 20]]);
    // 64 MB of replies the client never reads.
    let mut batch = Vec::new();
    for _ in 0..64 {
        batch.extend_from_slice(&encode(&["GET", "v"]));
    }
    c.send(&batch);
    let mut killer = s.connect(T::Tcp);
    assert!(wait_until(Duration::from_secs(10), || killer.cmd(&["CLIENT", "KILL", "ID", &id.to_string()]) == R::Int(1)));
    // The killer and the connection that asks.
    assert!(wait_until(Duration::from_secs(20), || s.connected_clients() == 2), "the killed client is released");
    assert_eq!(killer.cmd(&["PING"]), R::Status("PONG".into()));
    let _ = c.r.fill_buf();
}
