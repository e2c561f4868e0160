//! Test harness: starts the real `diskdb` binary on a free loopback port with a fresh
//! data directory, waits until it answers PING, and stops it on drop.
#![allow(dead_code)]

pub mod groups;
pub mod reference;
#[allow(unused_imports)]
pub use reference::{Conn, RedisServer};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub args: Vec<String>,
}

pub fn binary() -> PathBuf {
    std::env::var_os("DISKDB_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_diskdb")))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// Starts with extra `--directive value` arguments.
    pub fn start_with(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Server { child: None, port: 0, dir, args: extra.iter().map(|s| s.to_string()).collect() };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        for _attempt in 0..5 {
            let port = if self.port == 0 { free_port() } else { self.port };
            // A test may choose its own log level.
            let loglevel: &[&str] = if self.args.iter().any(|a| a == "--loglevel") { &[] } else { &["--loglevel", "warning"] };
            // DISKDB_TEST_IO_ENGINE=uring runs every test's server on the io_uring engine.
            let engine: Vec<String> = match std::env::var("DISKDB_TEST_IO_ENGINE") {
                Ok(e) if !e.is_empty() && !self.args.iter().any(|a| a == "--io-engine") => vec!["--io-engine".into(), e],
                _ => Vec::new(),
            };
            let child = Command::new(binary())
                .args(["--port", &port.to_string(), "--dir"])
                .arg(self.dir.path().join("data"))
                .args(loglevel)
                .args(&engine)
                .args(&self.args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start diskdb");
            self.child = Some(child);
            self.port = port;
            if self.wait_ready(Duration::from_secs(60)) {
                return;
            }
            self.kill9();
            self.port = 0;
        }
        panic!("diskdb did not become ready");
    }

    /// Polls with `INFO server` until our child answers, or exits.
    fn wait_ready(&mut self, limit: Duration) -> bool {
        let Some(pid) = self.child.as_ref().map(|c| c.id()) else { return false };
        // The answer must name our process: while a restarted server opens its data,
        // another test's server may already have taken the port it gave up.
        let ours = format!("process_id:{pid}\r\n");
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(Ok(Some(_))) = self.child.as_mut().map(|c| c.try_wait()) {
                return false;
            }
            if let Ok(s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut reader = BufReader::new(s.try_clone().unwrap());
                if (&s).write_all(&encode(&["INFO", "server"])).is_ok() {
                    match read_reply(&mut reader) {
                        Ok(R::Bulk(info)) => return String::from_utf8_lossy(&info).contains(&ours),
                        // A server started with requirepass answers -NOAUTH: up all the same.
                        Ok(R::Error(e)) if e.starts_with("NOAUTH") => return true,
                        _ => {}
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn client(&self) -> redis::Connection {
        redis::Client::open(self.url()).unwrap().get_connection().unwrap()
    }

    pub fn raw(&self) -> Raw {
        let s = TcpStream::connect(self.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.set_nodelay(true).unwrap();
        Raw { reader: BufReader::new(s.try_clone().unwrap()), stream: s }
    }

    /// Waits until exactly `n` clients are blocked (INFO `blocked_clients`), as Redis's
    /// own tests do with `wait_for_blocked_clients_count`: a command sent on another
    /// connection has reached the server and is waiting.
    pub fn wait_blocked(&self, n: usize) {
        let mut c = self.raw();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let info = match c.cmd(&["INFO", "clients"]) {
                R::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
                other => panic!("INFO clients answered {other:?}"),
            };
            let blocked = info.lines().find_map(|l| l.strip_prefix("blocked_clients:")).and_then(|v| v.trim().parse::<usize>().ok());
            if blocked == Some(n) {
                return;
            }
            assert!(Instant::now() < deadline, "expected {n} blocked clients, INFO says {blocked:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Runs redis-cli against the server and returns its standard output.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli").args(["-p", &self.port.to_string()]).args(args).output().expect("redis-cli is installed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// SIGTERM and wait for a clean exit; returns whether it exited successfully.
    pub fn stop(&mut self) -> bool {
        self.signal("TERM");
        self.wait_exit(Duration::from_secs(60)) == Some(true)
    }

    /// Sends a signal (`TERM`, `HUP`, ...) to the server process.
    pub fn signal(&self, sig: &str) {
        if let Some(child) = &self.child {
            unsafe_kill(child.id(), sig);
        }
    }

    /// Waits up to `limit` for the process to exit: `Some(success)`, or `None` if it is
    /// still running then (it is killed, so nothing is left behind).
    pub fn wait_exit(&mut self, limit: Duration) -> Option<bool> {
        let mut child = self.child.take()?;
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status.success());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// One field of `INFO <section>`.
    pub fn info_field(&self, section: &str, field: &str) -> Option<String> {
        let mut c = self.raw();
        let R::Bulk(info) = c.cmd(&["INFO", section]) else { return None };
        let prefix = format!("{field}:");
        String::from_utf8_lossy(&info).lines().find_map(|l| l.strip_prefix(prefix.as_str()).map(str::to_string))
    }

    /// SIGKILL, no cleanup.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port and data directory.
    pub fn restart(&mut self) {
        if self.child.is_some() {
            assert!(self.stop(), "clean shutdown");
        }
        self.spawn();
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Resident memory of the server process in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn unsafe_kill(pid: u32, sig: &str) {
    let _ = Command::new("kill").args([&format!("-{sig}"), &pid.to_string()]).status();
}

/// A RESP reply as the test sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum R {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    Nil,
    Array(Vec<R>),
    /// RESP3 aggregate kinds keep their tag: '%' map, '~' set, '>' push.
    Agg(char, Vec<R>),
    Double(String),
    Bool(bool),
    /// RESP3 big number (`(digits`).
    Big(String),
}

impl R {
    pub fn bulk(s: &str) -> R {
        R::Bulk(s.as_bytes().to_vec())
    }
    pub fn err(s: &str) -> R {
        R::Error(s.to_string())
    }
    pub fn ok() -> R {
        R::Status("OK".into())
    }
}

/// Polls `cond` every few milliseconds for up to `limit`; whether it came true.
pub fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

/// An array of bulk strings.
pub fn bulks(items: &[&str]) -> R {
    R::Array(items.iter().map(|s| R::bulk(s)).collect())
}

/// An array of integers.
pub fn ints(items: &[i64]) -> R {
    R::Array(items.iter().map(|&i| R::Int(i)).collect())
}

/// Redis's reply to a command on a key of another type.
pub fn wrongtype() -> R {
    R::err("WRONGTYPE Operation against a key holding the wrong kind of value")
}

/// Redis's reply to a command with the wrong number of arguments.
pub fn arity(name: &str) -> R {
    R::Error(format!("ERR wrong number of arguments for '{name}' command"))
}

/// A plain socket that speaks raw RESP.
pub struct Raw {
    pub stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Raw {
    /// A raw connection to any local port (a reference redis-server too).
    pub fn connect(port: u16) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Raw { reader: BufReader::new(stream.try_clone().unwrap()), stream }
    }

    /// Sends a command without reading its reply.
    pub fn send_cmd(&mut self, args: &[&str]) {
        self.send(&encode(args));
    }

    /// This connection's CLIENT ID.
    pub fn id(&mut self) -> String {
        match self.cmd(&["CLIENT", "ID"]) {
            R::Int(id) => id.to_string(),
            other => panic!("CLIENT ID answered {other:?}"),
        }
    }

    /// True once the server has closed the connection (EOF or reset, nothing pending).
    pub fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => rest.is_empty(),
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Sends a command encoded as a RESP array.
    pub fn cmd(&mut self, args: &[&str]) -> R {
        self.send(&encode(args));
        self.read()
    }

    /// [`Raw::cmd`] with binary-safe arguments.
    pub fn cmd_bytes(&mut self, args: &[&[u8]]) -> R {
        self.send(&encode_bytes(args));
        self.read()
    }

    pub fn read(&mut self) -> R {
        read_reply(&mut self.reader).expect("reply")
    }

    /// Reads everything until the server closes the connection.
    pub fn read_to_close(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = self.reader.read_to_end(&mut out);
        out
    }
}

/// Sends PING on every connection, then reads every PONG (one pipeline across them).
pub fn ping_all(conns: &[TcpStream]) {
    for mut c in conns {
        c.write_all(&encode(&["PING"])).unwrap();
    }
    for c in conns {
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        assert_eq!(read_reply(&mut BufReader::new(c)).unwrap(), R::Status("PONG".into()));
    }
}

/// Every byte the server sends on `sock` until it closes it (or the socket's read
/// timeout passes).
pub fn read_to_close(sock: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

pub fn encode(args: &[&str]) -> Vec<u8> {
    encode_bytes(&args.iter().map(|a| a.as_bytes()).collect::<Vec<_>>())
}

/// A RESP command whose arguments are raw bytes.
pub fn encode_bytes(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub fn read_reply(r: &mut impl BufRead) -> std::io::Result<R> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line)?;
    if line.len() < 3 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
    }
    let body = String::from_utf8_lossy(&line[1..line.len() - 2]).into_owned();
    Ok(match line[0] {
        b'+' => R::Status(body),
        b'-' => R::Error(body),
        b':' => R::Int(body.parse().unwrap()),
        b',' => R::Double(body),
        b'#' => R::Bool(body == "t"),
        b'(' => R::Big(body),
        b'_' => R::Nil,
        b'$' | b'=' => {
            let n: i64 = body.parse().unwrap();
            if n < 0 {
                R::Nil
            } else {
                let mut buf = vec![0u8; n as usize + 2];
                r.read_exact(&mut buf)?;
                buf.truncate(n as usize);
                R::Bulk(buf)
            }
        }
        tag @ (b'*' | b'%' | b'~' | b'>') => {
            let n: i64 = body.parse().unwrap();
            if n < 0 {
                R::Nil
            } else {
                let count = if tag == b'%' { n * 2 } else { n };
                let items = (0..count).map(|_| read_reply(r)).collect::<std::io::Result<Vec<_>>>()?;
                if tag == b'*' {
                    R::Array(items)
                } else {
                    R::Agg(tag as char, items)
                }
            }
        }
        _ => panic!("bad reply line {:?}", String::from_utf8_lossy(&line)),
    })
}

/// `len` bytes that do not compress (RocksDB compresses with LZ4: a repeated letter
/// would take no room on disk), different for each `seed`: values that fill `maxdisk`.
pub fn noise(len: usize, seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect()
}
