//! Backups, restore and migration against the real binary: SAVE and BGSAVE (while a
//! writer runs), LASTSAVE and INFO persistence, save points, backup-keep, SHUTDOWN
//! SAVE/NOSAVE, `diskdb restore` (every type, TTLs, several databases; a live
//! directory refused), `diskdb export` / `import` in both directions with a real
//! redis-server 7.0 (through `redis-cli --pipe` too), and the RocksDB codec settings.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;

fn text(r: &R) -> String {
    match r {
        R::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        R::Status(s) | R::Error(s) => s.clone(),
        R::Int(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

fn items(r: R) -> Vec<R> {
    match r {
        R::Array(v) => v,
        other => panic!("expected an array, got {other:?}"),
    }
}

fn int(r: R) -> i64 {
    match r {
        R::Int(n) => n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

/// Runs `diskdb <args>`.
fn tool(args: &[&str]) -> Output {
    Command::new(binary()).args(args).stdin(Stdio::null()).output().expect("run diskdb")
}

fn info(c: &mut Conn, field: &str) -> String {
    let all = text(&c.cmd(&["INFO", "persistence"]));
    let prefix = format!("{field}:");
    all.lines().find_map(|l| l.strip_prefix(prefix.as_str())).unwrap_or_else(|| panic!("no {field} in {all}")).to_string()
}

/// Complete backups in `root`, oldest first.
fn backups(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.join("DISKDB_BACKUP").is_file()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A key of every type in `db` (and, with `json`, a JSON document), some with TTLs,
/// collections larger than the exporter's pages.
fn fill(c: &mut Conn, db: usize, json: bool) {
    assert_eq!(c.cmd(&["SELECT", &db.to_string()]), R::ok());
    let p = |name: &str| format!("{name}:{db}");
    assert_eq!(c.cmd_bytes(&[b"SET", p("str").as_bytes(), b"bin\r\n\x00\xff value"]), R::ok());
    assert_eq!(c.cmd(&["SET", &p("int"), "12345"]), R::ok());
    assert_eq!(c.cmd(&["SET", &p("ttl"), "soon", "PX", "3600000"]), R::ok());
    let many: Vec<String> = (0..1200).map(|i| format!("e{i}")).collect();
    let mut push = vec!["RPUSH".to_string(), p("list")];
    push.extend(many.iter().cloned());
    c.cmd(&push.iter().map(String::as_str).collect::<Vec<_>>());
    let mut hset = vec!["HSET".to_string(), p("hash")];
    for i in 0..700 {
        hset.extend([format!("f{i}"), format!("v{i}")]);
    }
    c.cmd(&hset.iter().map(String::as_str).collect::<Vec<_>>());
    let mut sadd = vec!["SADD".to_string(), p("set")];
    sadd.extend((0..600).map(|i| if i % 2 == 0 { i.to_string() } else { format!("m{i}") }));
    c.cmd(&sadd.iter().map(String::as_str).collect::<Vec<_>>());
    let mut zadd = vec!["ZADD".to_string(), p("zset")];
    for i in 0..600 {
        zadd.extend([format!("{}", i as f64 * 1.5 - 100.25), format!("z{i}")]);
    }
    c.cmd(&zadd.iter().map(String::as_str).collect::<Vec<_>>());
    c.cmd(&["ZADD", &p("zset"), "inf", "top", "-inf", "bottom"]);
    c.cmd(&["PFADD", &p("hll"), "a", "b", "c", "d", "e"]);
    c.cmd(&["GEOADD", &p("geo"), "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"]);
    for i in 1..=8 {
        c.cmd(&["XADD", &p("stream"), &format!("{i}-1"), "field", &format!("value{i}"), "n", &i.to_string()]);
    }
    c.cmd(&["XDEL", &p("stream"), "3-1"]);
    c.cmd(&["XGROUP", "CREATE", &p("stream"), "g1", "0"]);
    c.cmd(&["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", &p("stream"), ">"]);
    c.cmd(&["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "1", "STREAMS", &p("stream"), ">"]);
    c.cmd(&["XACK", &p("stream"), "g1", "1-1"]);
    c.cmd(&["XGROUP", "CREATE", &p("stream"), "g2", "$"]);
    c.cmd(&["XGROUP", "CREATECONSUMER", &p("stream"), "g2", "carol"]);
    c.cmd(&["XGROUP", "CREATE", &p("empty-stream"), "g", "$", "MKSTREAM"]);
    c.cmd(&["EXPIRE", &p("hash"), "7200"]);
    c.cmd(&["PEXPIRE", &p("zset"), "9000000"]);
    if json {
        assert_eq!(c.cmd(&["JSON.SET", &p("json"), "$", r#"{"a":[1,2.5,"x"],"b":{"c":null,"d":true}}"#]), R::ok());
        c.cmd(&["EXPIRE", &p("json"), "5000"]);
    }
}

/// Every key of databases `dbs` in a form that two servers holding the same data print
/// alike: type, deadline (PEXPIRETIME, exact), and the value (collections sorted where
/// their order is not part of the value; stream groups, consumers and pending entries
/// without idle times).
fn canon(port: u16, dbs: &[usize]) -> BTreeMap<String, String> {
    let mut c = Conn::open(port).unwrap();
    let mut out = BTreeMap::new();
    for &db in dbs {
        assert_eq!(c.cmd(&["SELECT", &db.to_string()]), R::ok());
        let mut keys: Vec<String> = items(c.cmd(&["KEYS", "*"])).iter().map(text).collect();
        keys.sort();
        for k in keys {
            let kind = text(&c.cmd(&["TYPE", &k]));
            let deadline = int(c.cmd(&["PEXPIRETIME", &k]));
            let value = match kind.as_str() {
                "string" => format!("{:?}", c.cmd(&["GET", &k])),
                "list" => format!("{:?}", c.cmd(&["LRANGE", &k, "0", "-1"])),
                "hash" => {
                    let mut v: Vec<String> = items(c.cmd(&["HGETALL", &k])).chunks(2).map(|p| format!("{}={}", text(&p[0]), text(&p[1]))).collect();
                    v.sort();
                    v.join(",")
                }
                "set" => {
                    let mut v: Vec<String> = items(c.cmd(&["SMEMBERS", &k])).iter().map(text).collect();
                    v.sort();
                    v.join(",")
                }
                "zset" => format!("{:?}", c.cmd(&["ZRANGE", &k, "0", "-1", "WITHSCORES"])),
                "stream" => stream_canon(&mut c, &k),
                "ReJSON-RL" => text(&c.cmd(&["JSON.GET", &k])),
                other => panic!("unexpected type {other}"),
            };
            out.insert(format!("{db}/{k}"), format!("{kind} deadline={deadline} {value}"));
        }
    }
    out
}

fn stream_canon(c: &mut Conn, k: &str) -> String {
    let info: Vec<R> = items(c.cmd(&["XINFO", "STREAM", k]));
    let field = |name: &str| info.chunks(2).find(|p| text(&p[0]) == name).map(|p| text(&p[1])).unwrap_or_default();
    let mut s = format!(
        "len={} last={} added={} maxdel={} entries={:?}",
        field("length"),
        field("last-generated-id"),
        field("entries-added"),
        field("max-deleted-entry-id"),
        c.cmd(&["XRANGE", k, "-", "+"])
    );
    for g in items(c.cmd(&["XINFO", "GROUPS", k])) {
        let g = items(g);
        let gf = |name: &str| g.chunks(2).find(|p| text(&p[0]) == name).map(|p| text(&p[1])).unwrap_or_default();
        let name = gf("name");
        s += &format!(" group {name} last={} read={} pending={}", gf("last-delivered-id"), gf("entries-read"), gf("pending"));
        let mut consumers: Vec<String> = items(c.cmd(&["XINFO", "CONSUMERS", k, &name]))
            .into_iter()
            .map(|cons| {
                let cons = items(cons);
                let f = |n: &str| cons.chunks(2).find(|p| text(&p[0]) == n).map(|p| text(&p[1])).unwrap_or_default();
                format!("{}:{}", f("name"), f("pending"))
            })
            .collect();
        consumers.sort();
        s += &format!(" consumers={consumers:?}");
        for p in items(c.cmd(&["XPENDING", k, &name, "-", "+", "1000"])) {
            let p = items(p);
            s += &format!(" pel {} {} {}", text(&p[0]), text(&p[1]), text(&p[3]));
        }
    }
    s
}

/// Restores `backup` (a backup or a directory of them) into a fresh server's data
/// directory and starts it there.
fn restored(backup: &Path) -> Server {
    let mut s = Server::start();
    s.kill9();
    let dir = s.data_dir().join("data");
    std::fs::remove_dir_all(&dir).unwrap();
    let out = tool(&["restore", backup.to_str().unwrap(), "--dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "restore: {}", String::from_utf8_lossy(&out.stderr));
    s.restart();
    s
}

#[test]
fn save_then_restore_answers_what_the_source_had() {
    let s = Server::start();
    let mut c = Conn::open(s.port).unwrap();
    for db in [0, 3, 15] {
        fill(&mut c, db, true);
    }
    let before = canon(s.port, &[0, 3, 15]);
    assert_eq!(c.cmd(&["SAVE"]), R::ok());
    // After the save: not in the backup.
    c.cmd(&["SELECT", "0"]);
    c.cmd(&["SET", "after", "1"]);
    c.cmd(&["DEL", "list:0"]);
    let root = s.data_dir().join("data").join("backups");
    assert_eq!(backups(&root).len(), 1);
    let r = restored(&root);
    assert_eq!(canon(r.port, &[0, 3, 15]), before);
    let mut rc = Conn::open(r.port).unwrap();
    assert_eq!(rc.cmd(&["EXISTS", "after"]), R::Int(0));
    assert_eq!(rc.cmd(&["DBSIZE"]), R::Int(before.keys().filter(|k| k.starts_with("0/")).count() as i64));
    // The restored server is an ordinary one: it takes writes and keeps them.
    assert_eq!(rc.cmd(&["SET", "new", "x"]), R::ok());
}

#[test]
fn bgsave_while_a_writer_runs_restores_a_consistent_snapshot() {
    let s = Server::start_with(&["--save", ""]);
    let stop = Arc::new(AtomicBool::new(false));
    let port = s.port;
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            // Each round one transaction: a key, a list item, a hash field, a counter.
            let mut w = Conn::open(port).unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let i = n.to_string();
                w.cmd(&["MULTI"]);
                w.cmd(&["SET", &format!("k:{i}"), &i]);
                w.cmd(&["RPUSH", "list", &i]);
                w.cmd(&["HSET", "hash", &i, &i]);
                w.cmd(&["INCR", "counter"]);
                let done = w.cmd(&["EXEC"]);
                assert!(matches!(done, R::Array(_)), "{done:?}");
            }
            n
        })
    };
    let mut c = Conn::open(s.port).unwrap();
    assert!(wait_until(Duration::from_secs(30), || matches!(c.cmd(&["GET", "counter"]), R::Bulk(b) if b.len() >= 3)));
    let at_start: i64 = text(&c.cmd(&["GET", "counter"])).parse().unwrap();
    assert_eq!(c.cmd(&["BGSAVE"]), R::Status("Background saving started".into()));
    assert!(wait_until(Duration::from_secs(60), || info(&mut c, "rdb_saves") == "1" && info(&mut c, "rdb_bgsave_in_progress") == "0"));
    assert_eq!(info(&mut c, "rdb_last_bgsave_status"), "ok");
    stop.store(true, Ordering::Relaxed);
    let total = writer.join().unwrap() as i64;

    let r = restored(&s.data_dir().join("data").join("backups"));
    let mut rc = Conn::open(r.port).unwrap();
    let n: i64 = text(&rc.cmd(&["GET", "counter"])).parse().unwrap();
    assert!(n >= at_start && n <= total, "snapshot at {n}, BGSAVE at {at_start}, writer reached {total}");
    assert_eq!(rc.cmd(&["LLEN", "list"]), R::Int(n));
    assert_eq!(rc.cmd(&["HLEN", "hash"]), R::Int(n));
    assert_eq!(rc.cmd(&["LINDEX", "list", "-1"]), R::bulk(&n.to_string()));
    assert_eq!(rc.cmd(&["GET", &format!("k:{n}")]), R::bulk(&n.to_string()));
    assert_eq!(rc.cmd(&["EXISTS", &format!("k:{}", n + 1)]), R::Int(0));
    assert_eq!(rc.cmd(&["DBSIZE"]), R::Int(n + 3));
}

#[test]
fn lastsave_info_fields_and_replies_follow_redis() {
    let s = Server::start_with(&["--save", ""]);
    let mut c = Conn::open(s.port).unwrap();
    let start = int(c.cmd(&["LASTSAVE"]));
    assert_eq!(info(&mut c, "rdb_saves"), "0");
    assert_eq!(info(&mut c, "rdb_last_bgsave_time_sec"), "-1");
    assert_eq!(info(&mut c, "rdb_current_bgsave_time_sec"), "-1");
    assert_eq!(info(&mut c, "rdb_bgsave_in_progress"), "0");
    assert_eq!(info(&mut c, "rdb_last_save_time"), start.to_string());
    for i in 0..5 {
        c.cmd(&["SET", &format!("k{i}"), "v"]);
    }
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "5");
    // LASTSAVE is in seconds: wait for the clock to pass the start's second.
    assert!(wait_until(Duration::from_secs(5), || text(&items(c.cmd(&["TIME"]))[0]).parse::<i64>().unwrap() > start));
    assert_eq!(c.cmd(&["SAVE"]), R::ok());
    assert!(int(c.cmd(&["LASTSAVE"])) > start);
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "0");
    assert_eq!(info(&mut c, "rdb_saves"), "1");
    assert_eq!(info(&mut c, "rdb_last_bgsave_status"), "ok");
    assert_eq!(info(&mut c, "rdb_last_bgsave_time_sec"), "0");
    c.cmd(&["SET", "k0", "w"]);
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "1");
    assert_eq!(c.cmd(&["BGSAVE", "SCHEDULE"]), R::Status("Background saving started".into()));
    assert!(wait_until(Duration::from_secs(30), || info(&mut c, "rdb_saves") == "2"));
    assert_eq!(c.cmd(&["BGSAVE", "NOW"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["SAVE", "x"]), R::err("ERR wrong number of arguments for 'save' command"));
    c.cmd(&["MULTI"]);
    assert_eq!(c.cmd(&["SAVE"]), R::err("ERR Command not allowed inside a transaction"));
    c.cmd(&["DISCARD"]);
    assert!(info(&mut c, "backup_dir").ends_with("backups"));
    assert_eq!(info(&mut c, "backup_count"), "1", "backup-keep 1 by default");
}

#[test]
fn a_failed_save_answers_err_and_info_says_so() {
    let s = Server::start_with(&["--save", "", "--backup-dir", "/proc/diskdb-cannot-write-here"]);
    let mut c = Conn::open(s.port).unwrap();
    c.cmd(&["SET", "k", "v"]);
    assert_eq!(c.cmd(&["SAVE"]), R::err("ERR"));
    assert_eq!(info(&mut c, "rdb_last_bgsave_status"), "err");
    assert_eq!(info(&mut c, "rdb_saves"), "0");
    assert_eq!(c.cmd(&["SHUTDOWN", "SAVE"]), R::err("ERR Errors trying to SHUTDOWN. Check logs."));
    assert_eq!(c.cmd(&["GET", "k"]), R::bulk("v"));
}

#[test]
fn save_points_trigger_background_saves() {
    let s = Server::start_with(&["--save", "1 3"]);
    let mut c = Conn::open(s.port).unwrap();
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["SET", "b", "1"]);
    c.cmd(&["SET", "c", "1"]);
    assert!(wait_until(Duration::from_secs(20), || info(&mut c, "rdb_saves") == "1"), "the save point did not save");
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "0");
    let root = s.data_dir().join("data").join("backups");
    assert_eq!(backups(&root).len(), 1);
    // One change is fewer than the save point's 3; `save 1 1` makes it due.
    c.cmd(&["SET", "d", "1"]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "save", "1 1"]), R::ok());
    assert!(wait_until(Duration::from_secs(20), || info(&mut c, "rdb_saves") == "2"));
    let r = restored(&root);
    assert_eq!(Conn::open(r.port).unwrap().cmd(&["MGET", "a", "d"]), R::Array(vec![R::bulk("1"), R::bulk("1")]));
}

#[test]
fn backup_keep_prunes_the_oldest() {
    let s = Server::start_with(&["--save", "", "--backup-keep", "2"]);
    let mut c = Conn::open(s.port).unwrap();
    let root = s.data_dir().join("data").join("backups");
    for i in 0..4 {
        c.cmd(&["SET", "generation", &i.to_string()]);
        assert_eq!(c.cmd(&["SAVE"]), R::ok());
    }
    let kept = backups(&root);
    assert_eq!(kept.len(), 2, "{kept:?}");
    let r = restored(&kept[0]);
    assert_eq!(Conn::open(r.port).unwrap().cmd(&["GET", "generation"]), R::bulk("2"));
    let r = restored(&root);
    assert_eq!(Conn::open(r.port).unwrap().cmd(&["GET", "generation"]), R::bulk("3"));
    // backup-keep 0 keeps them all.
    assert_eq!(c.cmd(&["CONFIG", "SET", "backup-keep", "0"]), R::ok());
    assert_eq!(c.cmd(&["SAVE"]), R::ok());
    assert_eq!(c.cmd(&["SAVE"]), R::ok());
    assert_eq!(backups(&root).len(), 4);
}

#[test]
fn restore_refuses_a_live_or_non_empty_directory() {
    let s = Server::start_with(&["--save", ""]);
    let mut c = Conn::open(s.port).unwrap();
    c.cmd(&["SET", "k", "v"]);
    assert_eq!(c.cmd(&["SAVE"]), R::ok());
    let live = s.data_dir().join("data");
    let out = tool(&["restore", live.join("backups").to_str().unwrap(), "--dir", live.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(c.cmd(&["GET", "k"]), R::bulk("v"));
    let out = tool(&["restore", "/nonexistent/backup", "--dir", "/tmp/x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such backup"));
    let out = tool(&["restore", live.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "--dir is required");
}

#[test]
fn shutdown_save_takes_a_backup_nosave_does_not() {
    let mut s = Server::start_with(&["--save", ""]);
    let mut c = Conn::open(s.port).unwrap();
    c.cmd(&["SET", "k", "v"]);
    c.send_shutdown(&["SHUTDOWN", "SAVE"]);
    assert_eq!(s.wait_exit(Duration::from_secs(60)), Some(true));
    let root = s.data_dir().join("data").join("backups");
    assert_eq!(backups(&root).len(), 1);

    // NOSAVE: none, even with save points and changes.
    let mut s = Server::start_with(&["--save", "3600 1"]);
    let mut c = Conn::open(s.port).unwrap();
    c.cmd(&["SET", "k", "v"]);
    c.send_shutdown(&["SHUTDOWN", "NOSAVE"]);
    assert_eq!(s.wait_exit(Duration::from_secs(60)), Some(true));
    assert!(backups(&s.data_dir().join("data").join("backups")).is_empty());

    // SIGTERM with save points and changes since the last save: a backup, as Redis.
    let mut s = Server::start_with(&["--save", "3600 1"]);
    Conn::open(s.port).unwrap().cmd(&["SET", "k", "v"]);
    assert!(s.stop());
    let root = s.data_dir().join("data").join("backups");
    assert_eq!(backups(&root).len(), 1);
    let r = restored(&root);
    assert_eq!(Conn::open(r.port).unwrap().cmd(&["GET", "k"]), R::bulk("v"));
}

trait Shutdown {
    fn send_shutdown(&mut self, args: &[&str]);
}

impl Shutdown for Conn {
    /// SHUTDOWN answers nothing on success: the connection closes.
    fn send_shutdown(&mut self, args: &[&str]) {
        let _ = self.try_cmd(args);
    }
}

const DBS: &[usize] = &[0, 2, 7];

#[test]
fn export_loads_into_redis_server_through_redis_cli_pipe() {
    let s = Server::start();
    let mut c = Conn::open(s.port).unwrap();
    for &db in DBS {
        fill(&mut c, db, false);
    }
    let dump = s.data_dir().join("export.resp");
    let out = tool(&["export", "--from", &format!("redis://127.0.0.1:{}", s.port), "-o", dump.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let redis = RedisServer::start();
    let piped = Command::new("sh")
        .arg("-c")
        .arg(format!("redis-cli -p {} --pipe < {}", redis.port, dump.display()))
        .output()
        .expect("redis-cli");
    let report = String::from_utf8_lossy(&piped.stdout);
    assert!(report.contains("errors: 0"), "{report}");
    assert_eq!(canon(redis.port, DBS), canon(s.port, DBS));
}

#[test]
fn import_from_redis_server_keeps_everything() {
    let redis = RedisServer::start();
    let mut rc = Conn::open(redis.port).unwrap();
    for &db in DBS {
        fill(&mut rc, db, false);
    }
    let expected = canon(redis.port, DBS);
    // Straight from the running redis-server.
    let s = Server::start();
    let out = tool(&["import", "--from", &format!("redis://127.0.0.1:{}", redis.port), "--to", &format!("127.0.0.1:{}", s.port)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("errors: 0"));
    assert_eq!(canon(s.port, DBS), expected);
    // Through a file: export from Redis, import the stream.
    let s2 = Server::start();
    let dump = s2.data_dir().join("from-redis.resp");
    let out = tool(&["export", "--from", &format!("127.0.0.1:{}", redis.port), "--output", dump.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tool(&["import", "--to", &format!("127.0.0.1:{}", s2.port), dump.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(canon(s2.port, DBS), expected);
}

#[test]
fn restore_format_copies_between_diskdb_servers() {
    let a = Server::start();
    let mut c = Conn::open(a.port).unwrap();
    for &db in DBS {
        fill(&mut c, db, true);
    }
    let b = Server::start();
    let out = tool(&["import", "--format", "restore", "--from", &format!("127.0.0.1:{}", a.port), "--to", &format!("127.0.0.1:{}", b.port)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(canon(b.port, DBS), canon(a.port, DBS));
    // A stream that is not RESP commands is refused with a reason, nothing sent.
    let bad = a.data_dir().join("bad.resp");
    std::fs::write(&bad, "SET k v\r\n").unwrap();
    let out = tool(&["import", "--to", &format!("127.0.0.1:{}", b.port), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("input: protocol error"));
}

/// The codecs RocksDB was given, from the newest OPTIONS file in the data directory.
fn options_codecs(dir: &Path) -> (String, String) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("OPTIONS-"))
        .collect();
    files.sort_by_key(|p| p.file_name().unwrap().to_string_lossy().trim_start_matches("OPTIONS-").parse::<u64>().unwrap_or(0));
    let text = std::fs::read_to_string(files.last().expect("an OPTIONS file")).unwrap();
    // The first column family section after [CFOptions "default"] is enough: every one
    // gets the same codecs; check them all agree.
    let values = |name: &str| -> Vec<String> {
        text.lines().filter_map(|l| l.trim().strip_prefix(&format!("{name}="))).map(str::to_string).collect()
    };
    let (c, b) = (values("compression"), values("bottommost_compression"));
    // "default" plus DiskDB's six column families.
    assert_eq!(c.len(), 7, "{c:?}");
    let tables: Vec<&String> = c.iter().skip(1).collect();
    assert!(tables.windows(2).all(|w| w[0] == w[1]), "{c:?}");
    (c[1].clone(), b[1].clone())
}

#[test]
fn compression_settings_reach_rocksdb() {
    let s = Server::start_with(&["--rocksdb-compression", "zstd", "--rocksdb-bottommost-compression", "snappy"]);
    let dir = s.data_dir().join("data");
    assert_eq!(options_codecs(&dir), ("kZSTD".into(), "kSnappyCompression".into()));
    let mut c = Conn::open(s.port).unwrap();
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "rocksdb-*compression"]),
        R::Array(vec![R::bulk("rocksdb-compression"), R::bulk("zstd"), R::bulk("rocksdb-bottommost-compression"), R::bulk("snappy")])
    );
    // Changed while running: RocksDB's SetOptions writes a new OPTIONS file.
    assert_eq!(c.cmd(&["CONFIG", "SET", "rocksdb-compression", "none", "rocksdb-bottommost-compression", "lz4"]), R::ok());
    assert_eq!(options_codecs(&dir), ("kNoCompression".into(), "kLZ4Compression".into()));
    let R::Error(e) = c.cmd(&["CONFIG", "SET", "rocksdb-compression", "brotli"]) else { panic!() };
    assert!(e.starts_with("ERR CONFIG SET failed (possibly related to argument 'rocksdb-compression')"), "{e}");
    // The defaults: lz4, zstd at the bottom.
    let d = Server::start();
    assert_eq!(options_codecs(&d.data_dir().join("data")), ("kLZ4Compression".into(), "kZSTD".into()));
}
