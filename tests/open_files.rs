//! `maxclients` and the open-file limit: DiskDB raises RLIMIT_NOFILE for the clients it
//! may take plus RocksDB's files, and lowers `maxclients` with Redis's warning when the
//! system will not allow it (the server runs under `prlimit` and `setpriv` here).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{binary, free_port, wait_until, Conn, Server, R};

/// The soft "Max open files" of process `pid`.
fn open_file_limit(pid: u32) -> u64 {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap()
}

#[test]
fn the_limit_is_raised_for_maxclients_and_rocksdb() {
    let s = Server::start_with(&["--maxclients", "30000"]);
    assert!(open_file_limit(s.pid()) >= 30_000 + 32 + 1024, "{}", open_file_limit(s.pid()));
    assert_eq!(s.cli(&["CONFIG", "GET", "maxclients"]), "maxclients\n30000\n");
    // CONFIG SET raises it further.
    assert_eq!(s.cli(&["CONFIG", "SET", "maxclients", "40000"]), "OK\n");
    assert!(open_file_limit(s.pid()) >= 40_000 + 32 + 1024);
}

#[test]
fn a_hard_limit_too_low_lowers_maxclients_as_redis_does() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Hard limit 1024, and without CAP_SYS_RESOURCE (root could raise it otherwise).
    let log = dir.path().join("log");
    let _child = Reaped(Command::new("prlimit")
        .args(["--nofile=1024:1024", "--", "setpriv", "--bounding-set=-sys_resource", "--"])
        .arg(binary())
        .args(["--port", &port.to_string(), "--dir"])
        .arg(dir.path().join("data"))
        .args(["--maxclients", "10000", "--logfile"])
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap());
    assert!(wait_until(Duration::from_secs(20), || Conn::open(port).is_ok()));
    let mut c = Conn::open(port).unwrap();
    let R::Array(got) = c.cmd(&["CONFIG", "GET", "maxclients"]) else { panic!() };
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(got[1], R::bulk(&(1024 - 32 - 256).to_string()));
    assert!(text.contains("You requested maxclients of 10000 requiring at least"), "{text}");
    assert!(text.contains("maxclients has been reduced to 736"), "{text}");
    // CONFIG SET beyond the limit is refused with Redis's text and changes nothing.
    let mut c = Conn::open(port).unwrap();
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "maxclients", "5000"]),
        R::err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 736")
    );
    assert_eq!(c.cmd(&["CONFIG", "GET", "maxclients"]), R::Array(vec![R::bulk("maxclients"), R::bulk("736")]));

}

/// A child process killed when the test ends, however it ends.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
