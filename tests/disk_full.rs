//! The data directory's disk fills up: writes answer `-MISCONF Errors writing to the
//! data directory: No space left on device`, reads go on, and once space is freed
//! writes resume with nothing lost: every acknowledged write is there (and after a
//! `kill -9` and a restart too), and no transaction is half applied.
//!
//! The data directory is a small tmpfs the test mounts (it runs as root); a filler file
//! takes the free space. Without the right to mount, the tests say so and pass, except
//! under CI (`CI` set), where they must run.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A tmpfs mounted over a directory, unmounted on drop.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount_on(path: &Path, size: &str) -> Option<Tmpfs> {
        let out = std::process::Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(path).output();
        let why = match out {
            Ok(o) if o.status.success() => return Some(Tmpfs { path: path.to_path_buf() }),
            Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
            Err(e) => e.to_string(),
        };
        let msg = format!("cannot mount a tmpfs for the disk-full test (needs root): {why}");
        assert!(std::env::var_os("CI").is_none(), "{msg}");
        eprintln!("SKIPPED: {msg}");
        None
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily: a server killed just before may still be closing its files.
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Fills the file system of `dir` with a filler file until it is full.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 << 10];
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("filling {}: {e}", path.display()),
        }
    }
    // Whatever is left, smaller than a chunk.
    let small = vec![0u8; 4096];
    while let Ok(n) = f.write(&small) {
        if n == 0 {
            break;
        }
    }
    let _ = f.sync_all();
    path
}

const MISCONF: &str = "MISCONF Errors writing to the data directory: No space left on device";

/// What the writers were told.
#[derive(Default)]
struct Outcomes {
    /// Acknowledged `SET key value`.
    sets: Vec<(String, String)>,
    /// Acknowledged transactions: `(t, j)` wrote `a{t}:{j}`, field `f{j}` of `h{t}` and
    /// item `v{j}` of list `l{t}`.
    groups: Vec<(usize, u64)>,
    /// Transactions that were not acknowledged (refused, or cut short).
    unknown_groups: Vec<(usize, u64)>,
    /// Replies the writers got other than success and MISCONF.
    unexpected: Vec<String>,
    misconf: usize,
}

fn value(t: usize, j: u64) -> String {
    format!("v-{t}-{j}-{}", "x".repeat(1000 + (j % 7) as usize * 300))
}

fn send(w: &mut TcpStream, cmds: &[Vec<&str>]) -> bool {
    let mut buf = Vec::new();
    for c in cmds {
        buf.extend_from_slice(&encode(c));
    }
    w.write_all(&buf).is_ok()
}

/// Runs a writer until `stop`, or until it is told MISCONF: alternately a SET and a
/// MULTI/EXEC of three keys. A request that waits for a write being retried waits on
/// (up to a generous bound) and counts as acknowledged if it then succeeds.
fn writer(addr: String, t: usize, stop: Arc<AtomicBool>, out: Arc<Mutex<Outcomes>>) {
    let sock = TcpStream::connect(&addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let mut w = sock.try_clone().unwrap();
    let mut r = BufReader::new(sock);
    let mut j = 0u64;
    while !stop.load(Ordering::Relaxed) {
        j += 1;
        let v = value(t, j);
        if j % 2 == 0 {
            let k = format!("s{t}:{j}");
            assert!(send(&mut w, &[vec!["SET", &k, &v]]));
            let Ok(reply) = read_reply(&mut r) else {
                // The connection closed (a shutdown gave up on the write): not acknowledged.
                return;
            };
            match reply {
                R::Status(s) if s == "OK" => out.lock().unwrap().sets.push((k, v)),
                R::Error(e) if e == MISCONF => {
                    out.lock().unwrap().misconf += 1;
                    return;
                }
                other => {
                    out.lock().unwrap().unexpected.push(format!("SET: {other:?}"));
                    return;
                }
            }
        } else {
            let (a, h, l, f, item) = (format!("a{t}:{j}"), format!("h{t}"), format!("l{t}"), format!("f{j}"), format!("v{j}"));
            assert!(send(
                &mut w,
                &[vec!["MULTI"], vec!["SET", &a, &v], vec!["HSET", &h, &f, &v], vec!["RPUSH", &l, &item], vec!["EXEC"]]
            ));
            let replies: Result<Vec<R>, _> = (0..5).map(|_| read_reply(&mut r)).collect();
            let Ok(replies) = replies else {
                out.lock().unwrap().unknown_groups.push((t, j));
                return;
            };
            let refused = replies.iter().any(|r| matches!(r, R::Error(e) if e.contains(MISCONF)));
            match &replies[4] {
                R::Array(items) if items.len() == 3 && items[0] == R::ok() => out.lock().unwrap().groups.push((t, j)),
                R::Error(e) if refused && e.starts_with("EXECABORT") => {
                    let mut o = out.lock().unwrap();
                    o.misconf += 1;
                    o.unknown_groups.push((t, j));
                    return;
                }
                _ => {
                    let mut o = out.lock().unwrap();
                    o.unexpected.push(format!("MULTI/EXEC: {replies:?}"));
                    o.unknown_groups.push((t, j));
                    return;
                }
            }
        }
    }
}

/// The keys written before the disk filled up, of several types.
fn write_base(c: &mut Raw) {
    for i in 0..50 {
        assert_eq!(c.cmd(&["SET", &format!("base:{i}"), &format!("value-{i}")]), R::ok());
    }
    let fields: Vec<String> = (0..20).flat_map(|i| [format!("f{i}"), format!("v{i}")]).collect();
    let mut hset = vec!["HSET", "base:hash"];
    hset.extend(fields.iter().map(String::as_str));
    assert_eq!(c.cmd(&hset), R::Int(20));
    let items: Vec<String> = (0..30).map(|i| format!("i{i}")).collect();
    let mut rpush = vec!["RPUSH", "base:list"];
    rpush.extend(items.iter().map(String::as_str));
    assert_eq!(c.cmd(&rpush), R::Int(30));
    assert_eq!(c.cmd(&["SADD", "base:set", "a", "b", "c"]), R::Int(3));
    assert_eq!(c.cmd(&["ZADD", "base:zset", "1", "one", "2", "two"]), R::Int(2));
}

fn check_base(c: &mut Raw) {
    for i in (0..50).step_by(7) {
        assert_eq!(c.cmd(&["GET", &format!("base:{i}")]), R::bulk(&format!("value-{i}")));
    }
    let R::Array(flat) = c.cmd(&["HGETALL", "base:hash"]) else { panic!("HGETALL") };
    assert_eq!(flat.len(), 40);
    assert_eq!(c.cmd(&["HGET", "base:hash", "f7"]), R::bulk("v7"));
    let items: Vec<String> = (0..30).map(|i| format!("i{i}")).collect();
    let items: Vec<&str> = items.iter().map(String::as_str).collect();
    assert_eq!(c.cmd(&["LRANGE", "base:list", "0", "-1"]), bulks(&items));
    assert_eq!(c.cmd(&["SCARD", "base:set"]), R::Int(3));
    assert_eq!(c.cmd(&["ZRANGE", "base:zset", "0", "-1"]), bulks(&["one", "two"]));
}

/// Every acknowledged write is there; every other transaction is all there or not at
/// all.
fn check_model(s: &Server, out: &Outcomes) {
    let mut c = s.raw();
    for (k, v) in &out.sets {
        assert_eq!(c.cmd(&["GET", k]), R::bulk(v), "acknowledged SET {k} lost");
    }
    // Per writer: the hash and list written by its transactions.
    let mut hashes: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    let mut lists: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for t in out.groups.iter().chain(&out.unknown_groups).map(|g| g.0) {
        if hashes.contains_key(&t) {
            continue;
        }
        let R::Array(flat) = c.cmd(&["HGETALL", &format!("h{t}")]) else { panic!("HGETALL") };
        let flat: Vec<String> = flat.into_iter().map(|r| if let R::Bulk(b) = r { String::from_utf8(b).unwrap() } else { panic!() }).collect();
        hashes.insert(t, flat.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect());
        let R::Array(items) = c.cmd(&["LRANGE", &format!("l{t}"), "0", "-1"]) else { panic!("LRANGE") };
        lists.insert(t, items.into_iter().map(|r| if let R::Bulk(b) = r { String::from_utf8(b).unwrap() } else { panic!() }).collect());
    }
    let parts = |c: &mut Raw, t: usize, j: u64| -> [bool; 3] {
        let v = value(t, j);
        let a = c.cmd(&["GET", &format!("a{t}:{j}")]);
        assert!(a == R::Nil || a == R::bulk(&v), "a{t}:{j} holds {a:?}");
        let h = hashes[&t].get(&format!("f{j}"));
        assert!(h.is_none() || h == Some(&v), "h{t} f{j} holds {h:?}");
        [a != R::Nil, h.is_some(), lists[&t].contains(&format!("v{j}"))]
    };
    for &(t, j) in &out.groups {
        assert_eq!(parts(&mut c, t, j), [true; 3], "acknowledged transaction {t}:{j} lost (wholly or partly)");
    }
    for &(t, j) in &out.unknown_groups {
        let p = parts(&mut c, t, j);
        assert!(p == [true; 3] || p == [false; 3], "transaction {t}:{j} half applied: {p:?}");
    }
    // The lists hold exactly the items of the transactions that were applied, in order.
    for (t, items) in &lists {
        let mut js: Vec<u64> = items.iter().map(|i| i[1..].parse().unwrap()).collect();
        let sorted = {
            let mut s = js.clone();
            s.sort();
            s
        };
        assert_eq!(js, sorted, "list l{t} out of order");
        js.dedup();
        assert_eq!(js.len(), items.len(), "an item of l{t} applied twice");
    }
    check_base(&mut c);
}

fn info_field(c: &mut Raw, section: &str, field: &str) -> Option<String> {
    let R::Bulk(info) = c.cmd(&["INFO", section]) else { return None };
    let prefix = format!("{field}:");
    String::from_utf8_lossy(&info).lines().find_map(|l| l.strip_prefix(prefix.as_str()).map(str::to_string))
}

/// Starts a server whose data directory is on a 48 MB tmpfs: started once to get the
/// harness's directory and port, killed, then restarted on the tmpfs mounted over that
/// directory. `None` when no tmpfs can be mounted.
fn start(log: &Path, fsync: &str) -> Option<(Server, Tmpfs)> {
    let mut s = Server::start_with(&[
        "--appendfsync",
        fsync,
        // RocksDB takes writes again once this much is free (its reserved buffer).
        "--rocksdb-write-buffer-size",
        "1mb",
        "--enable-debug-command",
        "yes",
        "--loglevel",
        "notice",
        "--logfile",
        log.to_str().unwrap(),
    ]);
    s.kill9();
    let fs = Tmpfs::mount_on(s.dir.path(), "48m")?;
    s.restart();
    Some((s, fs))
}

/// Writes with several clients until the disk is full: answers the writers' threads
/// (some of them waiting for a write being retried) once MISCONF came.
fn write_until_full(s: &Server, out: &Arc<Mutex<Outcomes>>, stop: &Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let (addr, stop, out) = (s.addr(), stop.clone(), out.clone());
            std::thread::spawn(move || writer(addr, t, stop, out))
        })
        .collect();
    let mut c = s.raw();
    let full = wait_until(Duration::from_secs(240), || {
        info_field(&mut c, "persistence", "aof_last_write_status").as_deref() == Some("err") || out.lock().unwrap().misconf > 0
    });
    assert!(full, "writes never failed on the full disk: {:?}", out.lock().unwrap().unexpected);
    writers
}

fn disk_full_then_freed(fsync: &str) {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("diskdb.log");
    // `fs` is dropped (unmounted) before `s`.
    let Some((mut s, fs)) = start(&log, fsync) else { return };
    let mut c = s.raw();
    write_base(&mut c);
    // Expired keys must not make reads wait for a deletion that cannot be written.
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), R::ok());
    assert_eq!(c.cmd(&["SET", "short", "lived", "PX", "1"]), R::ok());

    let filler = fill(fs.path());
    let out = Arc::new(Mutex::new(Outcomes::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers = write_until_full(&s, &out, &stop);
    stop.store(true, Ordering::Relaxed);

    // While full: writes refused with the MISCONF text, counted as rejected; reads work.
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SET", "during", "x"]), R::err(MISCONF));
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    assert_eq!(c.cmd(&["SET", "during", "x"]), R::err(MISCONF));
    assert!(matches!(c.cmd(&["EXEC"]), R::Error(e) if e.starts_with("EXECABORT")));
    // PING too, as Redis refuses it, so that health checks notice.
    assert_eq!(c.cmd(&["PING"]), R::err(MISCONF));
    assert_eq!(info_field(&mut c, "persistence", "aof_last_write_status").as_deref(), Some("err"));
    let stats = info_field(&mut c, "commandstats", "cmdstat_set").unwrap();
    assert!(!stats.contains("rejected_calls=0"), "{stats}");
    check_base(&mut c);
    assert_eq!(c.cmd(&["GET", "short"]), R::Nil);
    assert_eq!(c.cmd(&["EXISTS", "short"]), R::Int(0));
    {
        // What was acknowledged so far reads back.
        let o = out.lock().unwrap();
        for (k, v) in o.sets.iter().rev().take(50) {
            assert_eq!(c.cmd(&["GET", k]), R::bulk(v));
        }
    }
    // Whole-keyspace scans merge the writes still waiting instead of waiting for them.
    let R::Array(keys) = c.cmd(&["KEYS", "base:*"]) else { panic!("KEYS") };
    assert_eq!(keys.len(), 54);

    // Space freed: writes resume by themselves.
    std::fs::remove_file(&filler).unwrap();
    let freed = Instant::now();
    let resumed = wait_until(Duration::from_secs(120), || c.cmd(&["SET", "probe", "1"]) == R::ok());
    assert!(resumed, "writes did not resume after space was freed");
    let took = freed.elapsed();
    for w in writers {
        w.join().unwrap();
    }
    let out = Arc::try_unwrap(out).ok().unwrap().into_inner().unwrap();
    eprintln!(
        "{fsync}: writes resumed {:.2} s after the filler was removed; acknowledged: {} SETs, {} transactions; refused with MISCONF: {} writers",
        took.as_secs_f64(),
        out.sets.len(),
        out.groups.len(),
        out.misconf
    );
    assert!(out.unexpected.is_empty(), "unexpected replies: {:?}", out.unexpected);
    assert!(out.sets.len() + out.groups.len() > 0, "nothing was acknowledged");
    assert_eq!(info_field(&mut c, "persistence", "aof_last_write_status").as_deref(), Some("ok"));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("writing to the data directory failed"), "{text}");
    assert!(text.contains("writes resumed after"), "{text}");
    check_model(&s, &out);
    assert_eq!(c.cmd(&["GET", "short"]), R::Nil);

    // A crash now loses nothing acknowledged either.
    s.kill9();
    s.restart();
    check_model(&s, &out);
    assert_eq!(s.raw().cmd(&["GET", "probe"]), R::bulk("1"));
}

#[test]
fn disk_full_then_freed_appendfsync_always() {
    disk_full_then_freed("always");
}

#[test]
fn disk_full_then_freed_appendfsync_everysec() {
    disk_full_then_freed("everysec");
}

/// A shutdown while the disk is full ends (with an error status and the lost,
/// unacknowledged writes in the log); after a restart on freed space every acknowledged
/// write is there.
#[test]
fn shutdown_while_disk_full_exits_and_keeps_what_was_acknowledged() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("diskdb.log");
    let Some((mut s, fs)) = start(&log, "everysec") else { return };
    write_base(&mut s.raw());
    let filler = fill(fs.path());
    let out = Arc::new(Mutex::new(Outcomes::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers = write_until_full(&s, &out, &stop);
    stop.store(true, Ordering::Relaxed);
    s.signal("TERM");
    let exited = s.wait_exit(Duration::from_secs(120));
    assert_eq!(exited, Some(false), "a shutdown on a full disk exits, with an error status");
    for w in writers {
        // Writers waiting for a write that was given up see their connection close.
        let _ = w.join();
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("none of them was acknowledged"), "{text}");
    std::fs::remove_file(&filler).unwrap();
    s.restart();
    let out = Arc::try_unwrap(out).ok().unwrap().into_inner().unwrap();
    // Cut-short writers may have unexpected replies (a closed connection): their
    // transactions are in `unknown_groups` and must be all or nothing.
    check_model(&s, &out);
    assert_eq!(s.raw().cmd(&["SET", "after", "1"]), R::ok());
}
