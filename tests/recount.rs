//! The key recount after `kill -9`, in the background while the server serves
//! (`types::recount`). `key-recount-hold yes` holds the recount, its snapshot taken,
//! until `CONFIG SET key-recount-hold no`, so writes certainly happen during it: keys
//! created, deleted, given and stripped of a TTL, expired, a database flushed, two
//! swapped. DBSIZE and INFO keyspace wait for the recount and are then exact.

mod common;
use common::*;

use std::time::Duration;

const HOLD: [&str; 2] = ["--key-recount-hold", "yes"];

/// `(keys, expires)` per database line of INFO keyspace.
fn keyspace(s: &Server) -> Vec<(String, i64, i64)> {
    let mut c = s.raw();
    let R::Bulk(info) = c.cmd(&["INFO", "keyspace"]) else { panic!("INFO keyspace") };
    let text = String::from_utf8(info).unwrap();
    text.lines()
        .filter(|l| l.starts_with("db"))
        .map(|l| {
            let (db, rest) = l.split_once(':').unwrap();
            let field = |name: &str| -> i64 {
                rest.split(',').find_map(|f| f.strip_prefix(name)).and_then(|v| v.parse().ok()).unwrap()
            };
            (db.to_string(), field("keys="), field("expires="))
        })
        .collect()
}

fn ks(db: &str, keys: i64, expires: i64) -> (String, i64, i64) {
    (db.to_string(), keys, expires)
}

/// Waits until none of `keys` exists (each lookup of an expired key removes it).
fn wait_gone(c: &mut Raw, keys: &[String]) {
    let mut args = vec!["EXISTS"];
    args.extend(keys.iter().map(String::as_str));
    assert!(wait_until(Duration::from_secs(30), || c.cmd(&args) == R::Int(0)), "keys did not expire");
}

fn names(prefix: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("{prefix}{i}")).collect()
}

fn cmd_with(c: &mut Raw, head: &[&str], keys: &[String]) -> R {
    let mut args = head.to_vec();
    args.extend(keys.iter().map(String::as_str));
    c.cmd(&args)
}

/// Before the crash: 20,000 keys in db 0 (100 with a TTL, 10 more about to expire),
/// three in db 3, one with a TTL in db 5.
fn crashed_server() -> Server {
    let mut s = Server::start_with(&["--appendfsync", "always", "--enable-debug-command", "local"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "20000"]), R::ok());
    for i in 0..100 {
        assert_eq!(c.cmd(&["EXPIRE", &format!("key:{i}"), "1000"]), R::Int(1));
    }
    for k in names("snap:", 0..10) {
        c.cmd(&["SET", &k, "v", "PX", "300"]);
    }
    c.cmd(&["SELECT", "3"]);
    for k in ["a", "b", "c"] {
        c.cmd(&["SET", k, "v"]);
    }
    c.cmd(&["SELECT", "5"]);
    c.cmd(&["SET", "x", "v", "EX", "1000"]);
    drop(c);
    s.kill9();
    s
}

#[test]
fn dbsize_and_info_keyspace_are_exact_after_writes_during_the_recount() {
    let mut s = crashed_server();
    s.args.extend(HOLD.iter().map(|a| a.to_string()));
    s.restart();
    // Serving, with the recount held.
    assert_eq!(s.info_field("persistence", "keys_recount_in_progress").as_deref(), Some("1"));
    let mut w = s.raw();
    assert_eq!(w.cmd(&["GET", "key:5000"]), R::bulk("value:5000"));
    // A DBSIZE now waits for the recount; a transaction with one waits whole.
    let mut pending = s.raw();
    pending.send_cmd(&["DBSIZE"]);
    let mut tx = s.raw();
    assert_eq!(tx.cmd(&["SELECT", "7"]), R::ok());
    assert_eq!(tx.cmd(&["MULTI"]), R::ok());
    assert_eq!(tx.cmd(&["SET", "mx", "v"]), R::Status("QUEUED".into()));
    assert_eq!(tx.cmd(&["DBSIZE"]), R::Status("QUEUED".into()));
    tx.send_cmd(&["EXEC"]);

    // Writes after the snapshot, on db 0: 100 deleted (50 with a TTL), 10 TTLs
    // removed and 10 given, 30 new keys (10 with a TTL), an overwrite, 10 keys that
    // come and expire, and the 10 that were due to expire at the crash removed.
    assert_eq!(cmd_with(&mut w, &["DEL"], &names("key:", 0..50)), R::Int(50));
    assert_eq!(cmd_with(&mut w, &["DEL"], &names("key:", 100..150)), R::Int(50));
    for k in names("key:", 50..60) {
        assert_eq!(w.cmd(&["PERSIST", &k]), R::Int(1));
    }
    for k in names("key:", 200..210) {
        assert_eq!(w.cmd(&["EXPIRE", &k, "1000"]), R::Int(1));
    }
    for (i, k) in names("new:", 0..30).iter().enumerate() {
        let reply = if i < 10 { w.cmd(&["SET", k, "v", "EX", "1000"]) } else { w.cmd(&["SET", k, "v"]) };
        assert_eq!(reply, R::ok());
    }
    assert_eq!(w.cmd(&["SET", "key:300", "again"]), R::ok());
    for k in names("gone:", 0..10) {
        assert_eq!(w.cmd(&["SET", &k, "v", "PX", "1"]), R::ok());
    }
    wait_gone(&mut w, &names("gone:", 0..10));
    wait_gone(&mut w, &names("snap:", 0..10));
    // db 3 flushed and written again; db 5 swapped with the empty db 6.
    assert_eq!(w.cmd(&["SELECT", "3"]), R::ok());
    assert_eq!(w.cmd(&["FLUSHDB"]), R::ok());
    assert_eq!(w.cmd(&["SET", "d", "v"]), R::ok());
    assert_eq!(w.cmd(&["SWAPDB", "5", "6"]), R::ok());
    // Still held: INFO without the keyspace section answers at once.
    assert_eq!(s.info_field("persistence", "keys_recount_in_progress").as_deref(), Some("1"));

    assert_eq!(w.cmd(&["CONFIG", "SET", "key-recount-hold", "no"]), R::ok());
    // 20,000 - 100 + 30 keys; 100 - 50 - 10 + 10 + 10 with a TTL.
    assert_eq!(pending.read(), R::Int(19930));
    assert_eq!(tx.read(), R::Array(vec![R::ok(), R::Int(1)]));
    let want = vec![ks("db0", 19930, 60), ks("db3", 1, 0), ks("db6", 1, 1), ks("db7", 1, 0)];
    assert_eq!(keyspace(&s), want);
    assert_eq!(s.info_field("persistence", "keys_recount_in_progress").as_deref(), Some("0"));
    let loaded: i64 = s.info_field("persistence", "rdb_last_load_keys_loaded").unwrap().parse().unwrap();
    assert_eq!(loaded, 19932, "rdb_last_load_keys_loaded: db 7's key came after the recount");
    // The same count as a walk over the keys.
    let mut walked = 0;
    let mut cursor = "0".to_string();
    loop {
        let R::Array(page) = w.cmd(&["SCAN", &cursor, "COUNT", "1000"]) else { panic!("SCAN") };
        let (R::Bulk(next), R::Array(keys)) = (&page[0], &page[1]) else { panic!("SCAN page") };
        walked += keys.len();
        cursor = String::from_utf8(next.clone()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(walked, 1, "db 3 after the flush");
    assert_eq!(w.cmd(&["SELECT", "0"]), R::ok());
    assert_eq!(w.cmd(&["DBSIZE"]), R::Int(19930));

    // Exact counters are saved by a clean stop; a second crash recounts to the same.
    s.args.truncate(s.args.len() - 2);
    assert!(s.stop());
    s.restart();
    assert_eq!(keyspace(&s), want);
    s.kill9();
    s.restart();
    assert_eq!(keyspace(&s), want);
}

#[test]
fn a_shutdown_during_the_recount_is_clean_and_the_next_start_counts_again() {
    let mut s = crashed_server();
    s.args.extend(HOLD.iter().map(|a| a.to_string()));
    s.restart();
    let mut pending = s.raw();
    pending.send_cmd(&["DBSIZE"]);
    let mut w = s.raw();
    assert_eq!(w.cmd(&["DEL", "key:19999"]), R::Int(1));
    drop(w);
    assert!(s.stop(), "clean exit with a recount held");
    // The waiting DBSIZE got the shutdown's error, or the connection closed first.
    let text = String::from_utf8_lossy(&pending.read_to_close()).into_owned();
    assert!(text.is_empty() || text.starts_with("-ERR the key counters are not available"), "{text}");
    // Not saved as clean: counted again, the delete included.
    s.args.truncate(s.args.len() - 2);
    s.restart();
    let mut c = s.raw();
    wait_gone(&mut c, &names("snap:", 0..10));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(19999));
    assert_eq!(keyspace(&s), vec![ks("db0", 19999, 100), ks("db3", 3, 0), ks("db5", 1, 1)]);
}
