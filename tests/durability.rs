//! Durability against the real server: a clean stop (SIGTERM) and a crash (`kill -9`)
//! under write load, then a restart on the same data directory.
//!
//! DiskDB writes every change to RocksDB's write-ahead log, and hands it to the
//! operating system, before the reply is sent; `appendfsync` only decides when the log
//! is forced to the disk. So a crashed *process* loses no acknowledged write under any
//! policy; `everysec` can lose up to about a second only if the machine itself goes
//! down, which a test cannot do. These tests check the process-crash guarantee for
//! `always` and `everysec`.

mod common;
use common::*;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Reads back `keys` with one pipelined batch of GETs and returns the values.
fn get_all(s: &Server, keys: &[String]) -> Vec<R> {
    let sock = TcpStream::connect(s.addr()).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut writer = sock.try_clone().unwrap();
    let mut buf = Vec::new();
    for k in keys {
        buf.extend_from_slice(&encode(&["GET", k]));
    }
    let sender = std::thread::spawn(move || writer.write_all(&buf).unwrap());
    let mut reader = BufReader::new(sock);
    let out = keys.iter().map(|_| read_reply(&mut reader).unwrap()).collect();
    sender.join().unwrap();
    out
}

/// Runs `writers` clients doing SETs until the server goes away; returns the
/// `(key, value)` pairs whose SET was acknowledged with `+OK`.
fn write_until_killed(s: &mut Server, writers: usize, run_for: Duration) -> Vec<(String, String)> {
    let addr = s.addr();
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..writers)
        .map(|t| {
            let (addr, stop) = (addr.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let Ok(sock) = TcpStream::connect(&addr) else { return acked };
                sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut writer = sock.try_clone().unwrap();
                let mut reader = BufReader::new(sock);
                let mut j = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let (k, v) = (format!("w{t}:{j}"), format!("value-{t}-{j}-{}", "x".repeat((j % 50) as usize)));
                    if writer.write_all(&encode(&["SET", &k, &v])).is_err() {
                        break;
                    }
                    match read_reply(&mut reader) {
                        Ok(R::Status(ok)) if ok == "OK" => acked.push((k, v)),
                        _ => break,
                    }
                    j += 1;
                }
                acked
            })
        })
        .collect();
    std::thread::sleep(run_for);
    s.kill9();
    stop.store(true, Ordering::Relaxed);
    handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
}

fn assert_all_present(s: &Server, acked: &[(String, String)]) {
    let keys: Vec<String> = acked.iter().map(|(k, _)| k.clone()).collect();
    let values = get_all(s, &keys);
    let mut missing = 0;
    for ((k, v), got) in acked.iter().zip(&values) {
        if *got != R::bulk(v) {
            missing += 1;
            if missing < 5 {
                eprintln!("acknowledged {k} lost: got {got:?}");
            }
        }
    }
    assert_eq!(missing, 0, "{missing} of {} acknowledged writes lost", acked.len());
    let mut c = s.raw();
    let R::Int(n) = c.cmd(&["DBSIZE"]) else { panic!() };
    assert!(n as usize >= acked.len(), "DBSIZE {n} < {} acknowledged keys", acked.len());
}

#[test]
fn sigterm_then_restart_finds_everything() {
    let mut s = Server::start();
    let mut c = s.raw();
    for db in ["0", "3", "15"] {
        c.cmd(&["SELECT", db]);
        for i in 0..300 {
            assert_eq!(c.cmd(&["SET", &format!("k{i}"), &format!("{db}:{i}")]), R::ok());
        }
        c.cmd(&["DEL", "k0", "k1"]);
    }
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["SET", "k5", "overwritten"]);
    drop(c);
    assert!(s.stop(), "SIGTERM must end the process with status 0");
    s.restart();
    let mut c = s.raw();
    for db in ["0", "3", "15"] {
        c.cmd(&["SELECT", db]);
        assert_eq!(c.cmd(&["DBSIZE"]), R::Int(298), "db {db}");
        assert_eq!(c.cmd(&["GET", "k0"]), R::Nil);
        assert_eq!(c.cmd(&["GET", "k299"]), R::bulk(&format!("{db}:299")));
    }
    c.cmd(&["SELECT", "3"]);
    assert_eq!(c.cmd(&["GET", "k5"]), R::bulk("overwritten"));
}

#[test]
fn sigterm_with_clients_connected_exits_cleanly() {
    let mut s = Server::start();
    let mut idle = s.raw();
    idle.cmd(&["PING"]);
    let mut c = s.raw();
    c.cmd(&["SET", "a", "1"]);
    assert!(s.stop());
    assert!(idle.read_to_close().is_empty());
    s.restart();
    assert_eq!(s.raw().cmd(&["GET", "a"]), R::bulk("1"));
}

#[test]
fn kill9_under_appendfsync_always_loses_no_acknowledged_write() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    let acked = write_until_killed(&mut s, 8, Duration::from_millis(1500));
    assert!(acked.len() > 100, "only {} writes acknowledged", acked.len());
    s.restart();
    assert_all_present(&s, &acked);
}

#[test]
fn kill9_under_appendfsync_everysec_loses_no_acknowledged_write_of_a_process_crash() {
    let mut s = Server::start();
    let acked = write_until_killed(&mut s, 8, Duration::from_millis(1500));
    assert!(acked.len() > 100, "only {} writes acknowledged", acked.len());
    s.restart();
    assert_all_present(&s, &acked);
}

#[test]
fn kill9_right_after_flushall_keeps_the_flush() {
    let mut s = Server::start();
    let mut c = s.raw();
    for i in 0..100 {
        c.cmd(&["SET", &format!("k{i}"), "v"]);
    }
    c.cmd(&["SELECT", "2"]);
    c.cmd(&["SET", "other", "v"]);
    assert_eq!(c.cmd(&["FLUSHALL"]), R::ok());
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
    assert_eq!(c.cmd(&["GET", "k1"]), R::Nil);
    c.cmd(&["SELECT", "2"]);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(0));
}

#[test]
fn kill9_under_always_right_after_flushdb_keeps_the_flush() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    let mut c = s.raw();
    for i in 0..50 {
        c.cmd(&["SET", &format!("k{i}"), "v"]);
    }
    assert_eq!(c.cmd(&["FLUSHDB"]), R::ok());
    c.cmd(&["SET", "after", "1"]);
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    assert_eq!(c.cmd(&["GET", "after"]), R::bulk("1"));
}

#[test]
fn appendfsync_can_switch_at_run_time_under_load() {
    let mut s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendfsync", "always"]), R::ok());
    let acked = write_until_killed(&mut s, 4, Duration::from_millis(800));
    s.restart();
    assert_all_present(&s, &acked);
}

/// Key counters are kept in memory and saved only on a clean shutdown; after `kill -9`
/// the server recounts them, so DBSIZE and INFO keyspace are exact again, also after a
/// clean restart followed by another crash.
#[test]
fn kill9_then_restart_recounts_keys_and_expires() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    // The db lines with avg_ttl checked apart: the 50 TTLs of 1000 s average just under
    // 1000 s (the deadline sums are recounted too).
    let keyspace = |s: &Server| {
        let mut c = s.raw();
        let R::Bulk(info) = c.cmd(&["INFO", "keyspace"]) else { panic!("INFO") };
        let text = String::from_utf8(info).unwrap();
        let mut lines = Vec::new();
        for line in text.lines().filter(|l| l.starts_with("db")) {
            let (head, ttl) = line.split_once(",avg_ttl=").unwrap();
            let ttl: i64 = ttl.parse().unwrap();
            let want = if head.contains("expires=0") { 0..=0 } else { 900_000..=1_000_000 };
            assert!(want.contains(&ttl), "{line}");
            lines.push(head.to_string());
        }
        lines
    };
    let mut c = s.raw();
    for i in 0..200 {
        c.cmd(&["SET", &format!("k{i}"), "v"]);
    }
    for i in 0..50 {
        c.cmd(&["EXPIRE", &format!("k{i}"), "1000"]);
    }
    c.cmd(&["SELECT", "2"]);
    c.cmd(&["RPUSH", "list", "a", "b"]);
    c.cmd(&["DEL", "nothing"]);
    drop(c);
    s.kill9();
    s.restart();
    assert_eq!(keyspace(&s), vec!["db0:keys=200,expires=50", "db2:keys=1,expires=0"]);
    // A clean stop saves the counters; the next crash must recount again, not trust them.
    assert!(s.stop());
    s.restart();
    let mut c = s.raw();
    c.cmd(&["DEL", "k199", "k0"]);
    drop(c);
    s.kill9();
    s.restart();
    assert_eq!(keyspace(&s), vec!["db0:keys=198,expires=49", "db2:keys=1,expires=0"]);
}

/// Big strings (chunk records) and collections go through the same write batches as
/// everything else: appends to a chunked string and pushes to a list, acknowledged
/// before `kill -9` under `appendfsync always`, are all there after the restart.
#[test]
fn kill9_keeps_acknowledged_appends_to_big_strings_and_pushes() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    let mut c = s.raw();
    let base = "b".repeat(100 * 1024);
    assert_eq!(c.cmd(&["SET", "log", &base]), R::ok());
    let addr = s.addr();
    let writer = std::thread::spawn(move || {
        let sock = TcpStream::connect(&addr).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut w = sock.try_clone().unwrap();
        let mut r = BufReader::new(sock);
        let (mut appended, mut pushed) = (0usize, 0usize);
        for j in 0u64.. {
            let piece = format!("<{j:08}>");
            if w.write_all(&encode(&["APPEND", "log", &piece])).is_err() {
                break;
            }
            match read_reply(&mut r) {
                Ok(R::Int(_)) => appended += 1,
                _ => break,
            }
            if w.write_all(&encode(&["RPUSH", "list", &j.to_string()])).is_err() {
                break;
            }
            match read_reply(&mut r) {
                Ok(R::Int(_)) => pushed += 1,
                _ => break,
            }
        }
        (appended, pushed)
    });
    // Wait until the load is under way (no fixed sleep): some appends must have landed.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !matches!(c.cmd(&["LLEN", "list"]), R::Int(n) if n >= 200) {
        assert!(std::time::Instant::now() < deadline, "the writer made no progress");
    }
    s.kill9();
    let (appended, pushed) = writer.join().unwrap();
    s.restart();
    let mut c = s.raw();
    let R::Bulk(log) = c.cmd(&["GET", "log"]) else { panic!("GET") };
    assert!(log.len() >= base.len() + appended * 10, "appends lost: {} of {appended}", (log.len() - base.len()) / 10);
    // Every acknowledged piece is there, in order, after the original value.
    let tail = String::from_utf8(log[base.len()..].to_vec()).unwrap();
    for j in 0..appended {
        assert_eq!(&tail[j * 10..j * 10 + 10], format!("<{j:08}>"));
    }
    let R::Int(len) = c.cmd(&["LLEN", "list"]) else { panic!("LLEN") };
    assert!(len as usize >= pushed, "pushes lost: {len} of {pushed}");
    assert_eq!(c.cmd(&["LINDEX", "list", &(pushed as i64 - 1).to_string()]), R::bulk(&(pushed - 1).to_string()));
}

// ---- MULTI/EXEC and scripts: all or nothing on disk --------------------------------

/// Keys one block writes: `BLOCK_KEYS` keys of five types, all holding the block's tag,
/// plus the tag pushed onto the shared list `log`.
const BLOCK_KEYS: usize = 20;

const BLOCK_SCRIPT: &str = "local tag = ARGV[1]
for i = 1, #KEYS - 1 do
  local t = (i - 1) % 5
  if t == 0 then redis.call('set', KEYS[i], tag)
  elseif t == 1 then redis.call('hset', KEYS[i], 'f', tag)
  elseif t == 2 then redis.call('rpush', KEYS[i], tag)
  elseif t == 3 then redis.call('sadd', KEYS[i], tag)
  else redis.call('zadd', KEYS[i], 1, tag) end
end
redis.call('rpush', KEYS[#KEYS], tag)
return 1
";

fn block_keys(tag: &str) -> Vec<String> {
    (0..BLOCK_KEYS).map(|i| format!("g:{tag}:{i}")).collect()
}

/// The commands of one block as a transaction: MULTI, the writes, EXEC.
fn block_multi(tag: &str) -> Vec<u8> {
    let mut out = encode(&["MULTI"]);
    for (i, k) in block_keys(tag).iter().enumerate() {
        let cmd: Vec<&str> = match i % 5 {
            0 => vec!["SET", k, tag],
            1 => vec!["HSET", k, "f", tag],
            2 => vec!["RPUSH", k, tag],
            3 => vec!["SADD", k, tag],
            _ => vec!["ZADD", k, "1", tag],
        };
        out.extend_from_slice(&encode(&cmd));
    }
    out.extend_from_slice(&encode(&["RPUSH", "log", tag]));
    out.extend_from_slice(&encode(&["EXEC"]));
    out
}

/// The block as a script call: EVAL, or FCALL of the same body.
fn block_script(tag: &str, fcall: bool) -> Vec<u8> {
    let keys = block_keys(tag);
    let n = (keys.len() + 1).to_string();
    let mut args: Vec<&str> = if fcall { vec!["FCALL", "block", &n] } else { vec!["EVAL", BLOCK_SCRIPT, &n] };
    args.extend(keys.iter().map(String::as_str));
    args.extend(["log", tag]);
    encode(&args)
}

/// Clients writing blocks (MULTI/EXEC, EVAL and FCALL in turn) until the server is
/// killed at a random moment; answers every block sent, with whether it was
/// acknowledged.
fn blocks_until_killed(s: &mut Server, round: usize, clients: usize) -> Vec<(String, bool)> {
    let addr = s.addr();
    let handles: Vec<_> = (0..clients)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut sent = Vec::new();
                let Ok(sock) = TcpStream::connect(&addr) else { return sent };
                sock.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let mut writer = sock.try_clone().unwrap();
                let mut reader = BufReader::new(sock);
                for j in 0.. {
                    let tag = format!("r{round}c{t}b{j}");
                    let (bytes, replies) = match t % 3 {
                        0 => (block_multi(&tag), BLOCK_KEYS + 3),
                        kind => (block_script(&tag, kind == 2), 1),
                    };
                    sent.push((tag, false));
                    if writer.write_all(&bytes).is_err() {
                        break;
                    }
                    let mut last = None;
                    for _ in 0..replies {
                        match read_reply(&mut reader) {
                            Ok(r) => last = Some(r),
                            Err(_) => return sent,
                        }
                    }
                    let acked = match last {
                        Some(R::Array(v)) => v.len() == BLOCK_KEYS + 1 && v.iter().all(|r| !matches!(r, R::Error(_))),
                        Some(R::Int(1)) => true,
                        other => panic!("block {j} of client {t} answered {other:?}"),
                    };
                    sent.last_mut().unwrap().1 = acked;
                }
                sent
            })
        })
        .collect();
    // A random moment, after some blocks went through.
    let mut c = s.raw();
    let R::Int(before) = c.cmd(&["LLEN", "log"]) else { panic!("LLEN") };
    assert!(wait_until(Duration::from_secs(20), || matches!(c.cmd(&["LLEN", "log"]), R::Int(n) if n >= before + 20)));
    std::thread::sleep(Duration::from_millis(fastrand::u64(0..700)));
    s.kill9();
    handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
}

/// After a restart every block is entirely there or entirely absent (its keys and its
/// tag in `log`), and every acknowledged one is there.
fn assert_blocks_whole(s: &Server, blocks: &[(String, bool)]) {
    let sock = TcpStream::connect(s.addr()).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut writer = sock.try_clone().unwrap();
    let mut buf = Vec::new();
    for (tag, _) in blocks {
        let keys = block_keys(tag);
        let mut exists = vec!["EXISTS"];
        exists.extend(keys.iter().map(String::as_str));
        buf.extend_from_slice(&encode(&exists));
        buf.extend_from_slice(&encode(&["GET", &keys[0]]));
    }
    buf.extend_from_slice(&encode(&["LRANGE", "log", "0", "-1"]));
    let sender = std::thread::spawn(move || writer.write_all(&buf).unwrap());
    let mut reader = BufReader::new(sock);
    let mut found = Vec::new();
    for (tag, _) in blocks {
        let n = read_reply(&mut reader).unwrap();
        let first = read_reply(&mut reader).unwrap();
        found.push((tag, n, first));
    }
    let R::Array(log) = read_reply(&mut reader).unwrap() else { panic!("LRANGE log") };
    sender.join().unwrap();
    let logged: std::collections::HashSet<Vec<u8>> = log.into_iter().map(|r| if let R::Bulk(b) = r { b } else { panic!("{r:?}") }).collect();
    let mut present = 0;
    for ((tag, n, first), (_, acked)) in found.into_iter().zip(blocks) {
        let in_log = logged.contains(tag.as_bytes());
        match n {
            R::Int(0) => {
                assert!(!acked, "acknowledged block {tag} lost");
                assert!(!in_log, "block {tag}: its log entry without its keys");
            }
            R::Int(k) if k == BLOCK_KEYS as i64 => {
                assert!(in_log, "block {tag}: keys without its log entry");
                assert_eq!(first, R::bulk(tag), "block {tag}");
                present += 1;
            }
            other => panic!("block {tag} half on disk: {other:?} of {BLOCK_KEYS} keys"),
        }
    }
    assert_eq!(present, logged.len(), "log entries of blocks never sent");
}

fn kill9_during_blocks(policy: &str) {
    let mut s = Server::start_with(&["--appendfsync", policy]);
    let lib = format!("#!lua name=blocks\nredis.register_function('block', function(KEYS, ARGV)\n{BLOCK_SCRIPT}end)");
    assert_eq!(s.raw().cmd(&["FUNCTION", "LOAD", &lib]), R::bulk("blocks"));
    let mut all = Vec::new();
    for round in 0..3 {
        let blocks = blocks_until_killed(&mut s, round, 6);
        assert!(blocks.iter().filter(|b| b.1).count() >= 20, "round {round}: too few blocks acknowledged");
        all.extend(blocks);
        s.restart();
        assert_blocks_whole(&s, &all);
    }
}

#[test]
fn kill9_during_transactions_and_scripts_under_always_keeps_each_whole_or_absent() {
    kill9_during_blocks("always");
}

#[test]
fn kill9_during_transactions_and_scripts_under_everysec_keeps_each_whole_or_absent() {
    kill9_during_blocks("everysec");
}
