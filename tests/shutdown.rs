//! Shutdown and signals against the real binary: SIGTERM in the middle of RocksDB
//! compactions exits promptly and keeps every acknowledged write; SIGHUP never stops
//! the server and reopens its log file; SIGPIPE is ignored; SIGINT shuts down cleanly.

mod common;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{encode, read_reply, wait_until, Server, R};

/// Rounds of the compaction race; each round loads a fresh server until it compacts.
const ROUNDS: usize = 8;
/// Hashes of 500 fields (100 KB) kept, and as many deleted, before the SIGTERM.
const HASHES_BEFORE_STOP: usize = 150;

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Writes batches of 500 pipelined HSETs (200-byte values) into hashes h:<writer>:<n>,
/// deleting every other hash once written so compactions have stale fields to drop,
/// until `stop`; records the hashes whose every HSET was acknowledged and kept.
fn load(port: u16, writer: usize, stop: Arc<AtomicBool>, kept: Arc<Mutex<Vec<(String, usize)>>>) {
    let Ok(s) = TcpStream::connect(("127.0.0.1", port)) else { return };
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let value = "v".repeat(200);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let key = format!("h:{writer}:{n}");
        let mut batch = Vec::new();
        for f in 0..500 {
            batch.extend(encode(&["HSET", &key, &format!("field:{f}"), &value]));
        }
        if (&s).write_all(&batch).is_err() {
            return;
        }
        for _ in 0..500 {
            match read_reply(&mut reader) {
                Ok(R::Int(1)) => {}
                _ => return,
            }
        }
        if n % 2 == 1 {
            if (&s).write_all(&encode(&["DEL", &key])).is_err() || !matches!(read_reply(&mut reader), Ok(R::Int(1))) {
                return;
            }
        } else {
            kept.lock().unwrap().push((key, 500));
        }
        n += 1;
    }
}

#[test]
fn sigterm_during_compaction_exits_promptly_and_keeps_acknowledged_writes() {
    let mut caught_compacting = 0;
    for round in 0..ROUNDS {
        let logs = tempfile::tempdir().unwrap();
        let log = logs.path().join("diskdb.log");
        let mut s = Server::start_with(&[
            "--rocksdb-write-buffer-size",
            "1mb",
            "--loglevel",
            "notice",
            "--logfile",
            log.to_str().unwrap(),
        ]);
        let stop = Arc::new(AtomicBool::new(false));
        let kept = Arc::new(Mutex::new(Vec::new()));
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let (stop, kept, port) = (stop.clone(), kept.clone(), s.port);
                std::thread::spawn(move || load(port, w, stop, kept))
            })
            .collect();
        // Load enough that compactions take a while (hundreds of 1 MB memtables, half of
        // them stale hashes the compaction filter judges record by record), then wait
        // (bounded) until RocksDB runs a compaction and stop the server under it.
        wait_until(Duration::from_secs(120), || kept.lock().unwrap().len() >= HASHES_BEFORE_STOP);
        let compacting = wait_until(Duration::from_secs(60), || {
            s.info_field("persistence", "rocksdb_compactions_running").is_some_and(|v| v != "0")
        });
        caught_compacting += compacting as usize;
        let started = Instant::now();
        s.signal("TERM");
        let exited = s.wait_exit(Duration::from_secs(30));
        let took = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(exited, Some(true), "round {round}: the server must exit cleanly (took {took:?})");
        assert!(took < Duration::from_secs(15), "round {round}: shutdown took {took:?}");
        let text = read_log(&log);
        assert!(text.contains("received SIGTERM, shutting down"), "round {round}: {text}");
        assert!(text.contains("DiskDB is now ready to exit, bye bye..."), "round {round}: {text}");
        assert!(!text.contains("ERROR"), "round {round}: {text}");

        s.restart();
        let kept = kept.lock().unwrap().clone();
        eprintln!("round {round}: compacting at SIGTERM: {compacting}; exit took {took:?}; {} hashes kept", kept.len());
        assert!(!kept.is_empty());
        let mut c = s.raw();
        for (key, fields) in &kept {
            assert_eq!(c.cmd(&["HLEN", key]), R::Int(*fields as i64), "round {round}: {key} after restart");
        }
        assert!(s.stop(), "round {round}: second shutdown");
    }
    // The race needs a compaction in flight; say so if the machine never showed one.
    assert!(caught_compacting > 0, "no round saw a running compaction");
}

/// A server logging to a file in its own temporary directory.
fn start_logging() -> (Server, tempfile::TempDir, std::path::PathBuf) {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("diskdb.log");
    let s = Server::start_with(&["--loglevel", "notice", "--logfile", log.to_str().unwrap()]);
    (s, logs, log)
}

#[test]
fn sighup_reopens_the_log_file_and_never_stops_the_server() {
    let (mut s, _logs, log) = start_logging();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SET", "k", "v"]), R::ok());

    // Rotation as logrotate does it: move the file away, then SIGHUP.
    let rotated = log.with_extension("log.1");
    std::fs::rename(&log, &rotated).unwrap();
    s.signal("HUP");
    assert!(
        wait_until(Duration::from_secs(10), || read_log(&log).contains("received SIGHUP, log file reopened")),
        "no reopened log; old file: {}",
        read_log(&rotated)
    );
    // Still serving, on the same connection and on a new one.
    assert_eq!(c.cmd(&["GET", "k"]), R::bulk("v"));
    assert_eq!(s.raw().cmd(&["PING"]), R::Status("PONG".into()));
    assert!(s.alive());

    // Several more: none of them stops it. One at a time, each seen before the next is
    // sent: the kernel keeps one pending signal of a kind, so a burst may land as one.
    for n in 2..=6 {
        s.signal("HUP");
        assert!(wait_until(Duration::from_secs(10), || read_log(&log).matches("received SIGHUP").count() >= n));
    }
    assert_eq!(c.cmd(&["GET", "k"]), R::bulk("v"));

    // What is logged after the rotation goes to the new file.
    assert!(s.stop());
    let new = read_log(&log);
    assert!(new.contains("received SIGTERM, shutting down"), "{new}");
    assert!(new.contains("DiskDB is now ready to exit, bye bye..."), "{new}");
    let old = read_log(&rotated);
    assert!(old.contains("Ready to accept connections"), "{old}");
    assert!(!old.contains("SIGTERM"), "{old}");
}

#[test]
fn sighup_without_a_log_file_is_ignored() {
    let mut s = Server::start();
    let mut c = s.raw();
    s.signal("HUP");
    s.signal("HUP");
    // A pending signal is delivered before the server's thread next returns to user
    // space, which it must do to answer: under SIGHUP's default action there would be no
    // answer.
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    assert!(s.alive());
    assert!(s.stop());
}

#[test]
fn sigpipe_is_ignored() {
    let mut s = Server::start();
    let mut c = s.raw();
    s.signal("PIPE");
    // As above: an answer after the signal means it was delivered and ignored.
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    assert!(s.alive());
    assert!(s.stop());
}

#[test]
fn sigint_shuts_down_cleanly_and_keeps_data() {
    let (mut s, _logs, log) = start_logging();
    assert_eq!(s.raw().cmd(&["SET", "k", "v"]), R::ok());
    s.signal("INT");
    assert_eq!(s.wait_exit(Duration::from_secs(30)), Some(true));
    let text = read_log(&log);
    assert!(text.contains("received SIGINT, shutting down"), "{text}");
    assert!(text.contains("DiskDB is now ready to exit, bye bye..."), "{text}");
    s.restart();
    assert_eq!(s.raw().cmd(&["GET", "k"]), R::bulk("v"));
}

#[test]
fn sigterm_right_after_flushall_async_exits_promptly() {
    // FLUSHALL ASYNC compacts on a background thread the storage must stop and join.
    let (mut s, _logs, log) = start_logging();
    let mut c = s.raw();
    let mut batch = Vec::new();
    for i in 0..20_000 {
        batch.extend(encode(&["SET", &format!("k{i}"), "v"]));
    }
    c.send(&batch);
    for _ in 0..20_000 {
        assert_eq!(c.read(), R::ok());
    }
    assert_eq!(c.cmd(&["FLUSHALL", "ASYNC"]), R::ok());
    assert_eq!(c.cmd(&["SET", "after", "1"]), R::ok());
    s.signal("TERM");
    assert_eq!(s.wait_exit(Duration::from_secs(30)), Some(true));
    assert!(read_log(&log).contains("DiskDB is now ready to exit, bye bye..."));
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "after"]), R::bulk("1"));
}
