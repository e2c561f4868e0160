//! systemd readiness (`supervised systemd|auto`) against the real binary: the test plays
//! systemd's part, binding the datagram socket that `NOTIFY_SOCKET` names, and reads what
//! the server sends: `READY=1` once clients can connect, `STOPPING=1` when a SIGTERM or
//! SHUTDOWN begins the shutdown, nothing at all under `supervised no`.

mod common;

use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{binary, free_port, Raw, R};

/// Starts diskdb on a free port with `NOTIFY_SOCKET=notify_socket` and `extra` arguments.
fn start(dir: &Path, notify_socket: &str, extra: &[&str]) -> (Child, u16) {
    let port = free_port();
    let child = Command::new(binary())
        .args(["--port", &port.to_string(), "--loglevel", "warning", "--dir"])
        .arg(dir.join("data"))
        .args(extra)
        .env("NOTIFY_SOCKET", notify_socket)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start diskdb");
    (child, port)
}

/// The next datagram, waiting for it as systemd does (bounded, so a server that never
/// notifies fails the test instead of hanging it).
fn next_message(socket: &UnixDatagram) -> String {
    socket.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut buf = [0u8; 4096];
    let n = socket.recv(&mut buf).expect("a notification from the server");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

fn wait_exit(child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -TERM");
}

#[test]
fn supervised_systemd_sends_ready_once_serving_and_stopping_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let (mut child, port) = start(dir.path(), path.to_str().unwrap(), &["--supervised", "systemd"]);

    let ready = next_message(&socket);
    assert!(ready.lines().any(|l| l == "READY=1"), "{ready:?}");
    assert!(ready.lines().any(|l| l == "STATUS=Ready to accept connections"), "{ready:?}");
    // READY=1 means clients can connect now: no polling needed before this PING.
    let mut c = Raw::connect(port);
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    assert_eq!(c.cmd(&["SET", "k", "v"]), R::Status("OK".into()));

    sigterm(&child);
    assert_eq!(next_message(&socket), "STOPPING=1\n");
    assert!(wait_exit(&mut child), "clean exit after SIGTERM");
}

#[test]
fn supervised_auto_uses_an_abstract_socket_and_shutdown_sends_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("diskdb-test-notify-{}", std::process::id());
    let socket = UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap()).unwrap();
    let (mut child, port) = start(dir.path(), &format!("@{name}"), &["--supervised", "auto"]);

    assert!(next_message(&socket).lines().any(|l| l == "READY=1"));
    let mut c = Raw::connect(port);
    c.send_cmd(&["SHUTDOWN"]);
    assert_eq!(next_message(&socket), "STOPPING=1\n");
    assert!(wait_exit(&mut child), "clean exit after SHUTDOWN");
}

#[test]
fn supervised_no_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    // `supervised no` is the default.
    let (mut child, port) = start(dir.path(), path.to_str().unwrap(), &[]);
    assert!(
        common::wait_until(Duration::from_secs(60), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()),
        "server up"
    );
    let mut c = Raw::connect(port);
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    sigterm(&child);
    assert!(wait_exit(&mut child), "clean exit");
    // The process is gone: anything it sent is queued on the socket by now.
    socket.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    let got = socket.recv(&mut buf);
    assert!(
        matches!(&got, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "unexpected notification: {:?}",
        got.map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
    );
}
