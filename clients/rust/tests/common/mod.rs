//! Test harness: the real diskdb binary (DISKDB_BIN, else the prebuilt
//! ~/.cache/diskdb/bin-clients/diskdb) on a free loopback port with a fresh data
//! directory and a Unix socket; ready once INFO over TCP names our child's pid.

#![allow(dead_code)]

use diskdb_client::{AsyncCommands, Client, ConnectOptions};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn binary() -> PathBuf {
    if let Ok(b) = std::env::var("DISKDB_BIN") {
        return b.into();
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/diskdb/bin-clients/diskdb")
}

/// Runs `f` to completion on a fresh runtime in its own thread, so the harness works
/// from plain tests and from inside `#[tokio::test]` alike.
pub fn block_on<T: Send>(f: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f))
            .join()
            .unwrap()
    })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Server {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub sock: PathBuf,
    pub extra: Vec<String>,
    pub password: Option<String>,
    child: Option<Child>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Server {
        let dir = tempfile::Builder::new().prefix("diskdb-rsclient-").tempdir().unwrap();
        let sock = dir.path().join("diskdb.sock");
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let password = extra.iter().position(|a| a == "--requirepass").map(|i| extra[i + 1].clone());
        let mut s = Server { dir, port: free_port(), sock, extra, password, child: None };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let mut cmd = Command::new(binary());
        cmd.arg("--port")
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(self.dir.path().join("data"))
            .arg("--unixsocket")
            .arg(&self.sock)
            .arg("--loglevel")
            .arg("warning")
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("starting {}: {e}", binary().display()));
        let pid = child.id();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
                panic!("diskdb exited ({st}): {log}");
            }
            let mut o = ConnectOptions::from_url(&self.tcp_url()).unwrap();
            o.connect_timeout = Some(Duration::from_secs(2));
            o.response_timeout = Some(Duration::from_secs(5));
            let ready = block_on(async {
                let mut c = Client::connect(o).await.ok()?;
                let info = c.info("server").await.ok()?;
                Some(info.get("process_id").cloned())
            });
            if let Some(p) = ready {
                assert_eq!(p.as_deref(), Some(pid.to_string().as_str()), "port {} is held by another server", self.port);
                if self.sock.exists() {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "diskdb did not become ready");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn auth(&self) -> String {
        match &self.password {
            Some(p) => format!(":{p}@"),
            None => String::new(),
        }
    }

    pub fn tcp_url(&self) -> String {
        format!("redis://{}127.0.0.1:{}", self.auth(), self.port)
    }

    pub fn unix_url(&self) -> String {
        format!("unix://{}", self.sock.display())
    }

    pub fn shm_url(&self) -> String {
        format!("diskdb+shm://{}", self.sock.display())
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// SIGTERM and wait.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(60);
            while c.try_wait().unwrap().is_none() {
                if Instant::now() > deadline {
                    let _ = c.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = c.wait();
        }
    }

    /// SIGKILL (kill -9) and reap.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Starts again after `kill9`/`stop`.
    pub fn start_again(&mut self) {
        self.spawn();
    }

    /// True when this binary knows SHM.ATTACH (over the Unix socket).
    pub fn has_shm(&self) -> bool {
        let url = match &self.password {
            Some(p) => format!("{}?password={p}", self.unix_url()),
            None => self.unix_url(),
        };
        block_on(async move {
            let mut c = Client::open(&url).await.unwrap();
            let v = c.cmd(&["COMMAND", "INFO", "SHM.ATTACH"]).await.unwrap();
            !matches!(v, diskdb_client::Value::Array(ref a) if a.iter().all(|x| x.is_nil()))
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Prints why a shared-memory test does not run and returns true, when the binary lacks
/// SHM.ATTACH.
pub fn skip_without_shm(s: &Server) -> bool {
    if s.has_shm() {
        return false;
    }
    eprintln!("SKIPPED: {} has no SHM.ATTACH (shared-memory server not in this build)", binary().display());
    true
}
