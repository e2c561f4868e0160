//! The reference: a real redis-server 7.0 on a free loopback port, for tests that
//! compare DiskDB's answers with Redis's, and a plain RESP connection to any port.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{encode, free_port, read_reply, R};

/// A redis-server 7 on a free loopback port, without persistence, stopped on drop.
pub struct RedisServer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// Starts with extra `--directive value` arguments.
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let dir = tempfile::tempdir().unwrap();
        for _attempt in 0..5 {
            let port = free_port();
            let mut child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .args(extra)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("redis-server is installed (make deps)");
            if answers_ping(&mut child, port) {
                return RedisServer { child, port, dir };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not become ready");
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Polls with INFO server until our server answers or exits (another process took the
/// port): false if another process answers.
fn answers_ping(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        // A connection reset or a half-started server is "not yet", never a panic; the
        // answer must name our child (another test's server may hold the port).
        let ours = format!("process_id:{}\r\n", child.id());
        if let Ok(mut c) = Conn::open(port) {
            if let Ok(R::Bulk(info)) = c.try_cmd(&["INFO", "server"]) {
                return String::from_utf8_lossy(&info).contains(&ours);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A RESP connection to any port (the common `Raw` is tied to a DiskDB `Server`).
pub struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(port: u16) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Conn { reader: BufReader::new(stream.try_clone()?), stream })
    }

    pub fn cmd(&mut self, args: &[&str]) -> R {
        self.try_cmd(args).expect("reply")
    }

    /// [`Conn::cmd`], with a failed write or read as an error.
    pub fn try_cmd(&mut self, args: &[&str]) -> std::io::Result<R> {
        self.stream.write_all(&encode(args))?;
        read_reply(&mut self.reader)
    }

    pub fn cmd_bytes(&mut self, args: &[&[u8]]) -> R {
        self.stream.write_all(&super::encode_bytes(args)).unwrap();
        read_reply(&mut self.reader).expect("reply")
    }

    /// A RESP3 connection, so maps and sets keep their types in a comparison.
    pub fn resp3(port: u16) -> Conn {
        let mut c = Conn::open(port).unwrap();
        assert!(matches!(c.cmd(&["HELLO", "3"]), R::Agg('%', _)), "HELLO 3 on port {port}");
        c
    }
}
