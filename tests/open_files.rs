//! `maxclients` and the open-file limit: DiskDB raises RLIMIT_NOFILE for the clients it
//! may take plus RocksDB's files, and lowers `maxclients` with Redis's warning when the
//! system will not allow it (the server runs under `prlimit` and `setpriv` here).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{binary, free_port, wait_until, Conn, R};

/// The soft "Max open files" of process `pid`.
fn open_file_limit(pid: u32) -> u64 {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap()
}

/// The hard limit of this process (the server's, started from it, is the same).
fn hard_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    line.split_whitespace().nth(4).unwrap().parse().unwrap()
}

#[test]
fn the_limit_is_raised_for_maxclients_and_rocksdb() {
    // A soft limit of 1024 under whatever hard limit the machine gives, and a maxclients
    // that fits under the hard limit: the soft one must rise.
    let hard = hard_limit();
    let maxclients = (hard - 32 - 1024 - 100).min(30_000);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Reaped(
        Command::new("prlimit")
            .arg(format!("--nofile=1024:{hard}"))
            .arg("--")
            .arg(binary())
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .args(["--maxclients", &maxclients.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert!(wait_until(Duration::from_secs(20), || Conn::open(port).is_ok()));
    let mut c = Conn::open(port).unwrap();
    assert_eq!(c.cmd(&["CONFIG", "GET", "maxclients"]), R::Array(vec![R::bulk("maxclients"), R::bulk(&maxclients.to_string())]));
    let pid = child.0.id();
    assert!(open_file_limit(pid) >= maxclients + 32 + 1024, "{}", open_file_limit(pid));
    // CONFIG SET lowers nothing and raises the limit for more within the hard limit.
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "100"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", &maxclients.to_string()]), R::ok());
    assert!(open_file_limit(pid) >= maxclients + 32 + 1024);
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
