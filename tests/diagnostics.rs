//! Diagnostics against the real binary: SLOWLOG (entries, Redis's truncation and
//! redaction, RESET, LEN, `slowlog-max-len`, the threshold), the latency monitor (events
//! raised by DEBUG SLEEP over `latency-monitor-threshold`, LATEST, HISTORY, GRAPH,
//! RESET, DOCTOR), LATENCY HISTOGRAM and INFO latencystats, MEMORY USAGE for every type,
//! MEMORY STATS / DOCTOR / HELP, INFO's sections and fields against a real redis-server
//! 7.0, errorstats and commandstats counting, the DEBUG subcommands added for tools and
//! benchmarks (POPULATE, DIGEST, DIGEST-VALUE, CHANGE-REPL-ID, RELOAD's refusal), the
//! start-up banner in the log, and syslog datagrams on a test socket.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;

fn text(r: &R) -> String {
    match r {
        R::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        R::Status(s) => s.clone(),
        other => panic!("expected a string, got {other:?}"),
    }
}

fn int(r: &R) -> i64 {
    match r {
        R::Int(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn items(r: R) -> Vec<R> {
    match r {
        R::Array(v) | R::Agg(_, v) => v,
        other => panic!("expected an aggregate, got {other:?}"),
    }
}

/// A RESP2 flat map as pairs.
fn pairs(r: R) -> Vec<(String, R)> {
    let v = items(r);
    v.chunks(2).map(|p| (text(&p[0]), p[1].clone())).collect()
}

fn debug_server(extra: &[&str]) -> Server {
    let mut args = vec!["--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    Server::start_with(&args)
}

// ---------------------------------------------------------------------------------
// SLOWLOG
// ---------------------------------------------------------------------------------

#[test]
fn slowlog_entry_has_redis_fields() {
    let s = Server::start_with(&["--slowlog-log-slower-than", "0"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CLIENT", "SETNAME", "tester"]), R::ok());
    assert_eq!(c.cmd(&["SLOWLOG", "RESET"]), R::ok());
    assert_eq!(c.cmd(&["SET", "k", "v"]), R::ok());
    let entries = items(c.cmd(&["SLOWLOG", "GET", "1"]));
    assert_eq!(entries.len(), 1);
    let e = items(entries[0].clone());
    assert_eq!(e.len(), 6);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((int(&e[1]) - now).abs() <= 5, "{e:?}");
    assert!(int(&e[2]) >= 0);
    assert_eq!(e[3], bulks(&["SET", "k", "v"]));
    assert!(text(&e[4]).starts_with("127.0.0.1:"), "{e:?}");
    assert_eq!(e[5], R::bulk("tester"));
    // Ids grow; newest first; the default count is 10, -1 is all.
    for i in 0..12 {
        c.cmd(&["SET", "k", &i.to_string()]);
    }
    let ten = items(c.cmd(&["SLOWLOG", "GET"]));
    assert_eq!(ten.len(), 10);
    let ids: Vec<i64> = ten.iter().map(|e| int(&items(e.clone())[0])).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1] + 1), "{ids:?}");
    assert!(items(c.cmd(&["SLOWLOG", "GET", "-1"])).len() > 10);
    assert_eq!(items(c.cmd(&["SLOWLOG", "GET", "0"])).len(), 0);
}

#[test]
fn slowlog_cuts_arguments_like_redis() {
    let s = Server::start_with(&["--slowlog-log-slower-than", "0"]);
    let redis = RedisServer::start_with(&["--slowlog-log-slower-than", "0"]);
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let long = "x".repeat(200);
    let many: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
    let mut sadd = vec!["SADD", "s"];
    sadd.extend(many.iter().map(String::as_str));
    let cases: &[&[&str]] = &[
        &["SET", "k", &long],
        &sadd,
        &["AUTH", "nobody", "secret"],
        &["HELLO", "2", "AUTH", "default", "wrong"],
        &["CONFIG", "SET", "requirepass", "", "maxmemory-samples", "5"],
        &["ACL", "SETUSER", "bob", "on", ">pw"],
        &["ACL", "DELUSER", "bob"],
    ];
    for cmd in cases {
        ours.cmd(&["SLOWLOG", "RESET"]);
        theirs.cmd(&["SLOWLOG", "RESET"]);
        ours.cmd(cmd);
        theirs.cmd(cmd);
        let args = |r: R| items(items(r)[0].clone())[3].clone();
        assert_eq!(args(ours.cmd(&["SLOWLOG", "GET", "1"])), args(theirs.cmd(&["SLOWLOG", "GET", "1"])), "{:?}", &cmd[..2]);
    }
}

#[test]
fn slowlog_len_reset_and_max_len() {
    let s = Server::start_with(&["--slowlog-log-slower-than", "0", "--slowlog-max-len", "3"]);
    let mut c = s.raw();
    for i in 0..5 {
        c.cmd(&["SET", "k", &i.to_string()]);
    }
    assert_eq!(c.cmd(&["SLOWLOG", "LEN"]), R::Int(3));
    assert_eq!(c.cmd(&["SLOWLOG", "RESET"]), R::ok());
    // The RESET itself is logged once it has run, as in Redis.
    assert_eq!(c.cmd(&["SLOWLOG", "LEN"]), R::Int(1));
    assert_eq!(c.cmd(&["CONFIG", "SET", "slowlog-max-len", "1"]), R::ok());
    assert_eq!(c.cmd(&["SLOWLOG", "LEN"]), R::Int(1));
    assert_eq!(c.cmd(&["CONFIG", "SET", "slowlog-max-len", "0"]), R::ok());
    c.cmd(&["SET", "k", "v"]);
    assert_eq!(c.cmd(&["SLOWLOG", "LEN"]), R::Int(0));
}

#[test]
fn slowlog_threshold_keeps_fast_commands_out() {
    // 100 ms: far above what SET takes, even on a busy machine.
    let s = debug_server(&["--slowlog-log-slower-than", "100000"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["SLOWLOG", "RESET"]), R::ok());
    c.cmd(&["SET", "k", "v"]);
    assert_eq!(c.cmd(&["SLOWLOG", "LEN"]), R::Int(0));
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0.15"]), R::ok());
    let entries = items(c.cmd(&["SLOWLOG", "GET"]));
    assert_eq!(entries.len(), 1);
    let e = items(entries[0].clone());
    assert!(int(&e[2]) >= 150_000, "{e:?}");
    assert_eq!(e[3], bulks(&["DEBUG", "SLEEP", "0.15"]));
    // Negative: off.
    assert_eq!(c.cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "-1"]), R::ok());
    assert_eq!(c.cmd(&["SLOWLOG", "RESET"]), R::ok());
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0.15"]), R::ok());
    assert_eq!(c.cmd(&["SLOWLOG", "LEN"]), R::Int(0));
}

#[test]
fn slowlog_errors_and_help_match_redis() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let cases: &[&[&str]] = &[
        &["SLOWLOG", "GET", "abc"],
        &["SLOWLOG", "GET", "-2"],
        &["SLOWLOG", "GET", "1", "2"],
        &["SLOWLOG", "LEN", "x"],
        &["SLOWLOG", "nosuch"],
        &["SLOWLOG"],
        &["SLOWLOG", "HELP"],
        &["SLOWLOG", "RESET"],
        &["SLOWLOG", "LEN"],
        &["LATENCY", "HELP"],
        &["LATENCY", "nosuch"],
        &["LATENCY", "GRAPH", "nosuch"],
        &["LATENCY", "HISTORY", "nosuch"],
        &["LATENCY", "RESET", "nosuch"],
        &["LATENCY", "LATEST"],
        &["LATENCY", "DOCTOR"],
        &["MEMORY", "HELP"],
        &["MEMORY", "USAGE"],
        &["MEMORY", "USAGE", "missing"],
        &["MEMORY", "USAGE", "missing", "SAMPLES", "x"],
        &["MEMORY", "USAGE", "missing", "SAMPLES", "-1"],
        &["MEMORY", "USAGE", "missing", "FOO"],
        &["MEMORY", "PURGE"],
        &["MEMORY", "nosuch"],
    ];
    for cmd in cases {
        assert_eq!(ours.cmd(cmd), theirs.cmd(cmd), "{cmd:?}");
    }
    // With the monitor on and nothing observed, DOCTOR says so in Redis's words.
    assert_eq!(ours.cmd(&["CONFIG", "SET", "latency-monitor-threshold", "100"]), R::ok());
    assert_eq!(theirs.cmd(&["CONFIG", "SET", "latency-monitor-threshold", "100"]), R::ok());
    assert_eq!(ours.cmd(&["LATENCY", "DOCTOR"]), theirs.cmd(&["LATENCY", "DOCTOR"]));
    assert_eq!(ours.cmd(&["MEMORY", "USAGE", "missing", "SAMPLES", "0"]), R::Nil);
}

// ---------------------------------------------------------------------------------
// LATENCY
// ---------------------------------------------------------------------------------

/// The `[name, time, latest ms, max ms]` entry of `event` in LATENCY LATEST.
fn latest(c: &mut Raw, event: &str) -> Option<Vec<R>> {
    items(c.cmd(&["LATENCY", "LATEST"])).into_iter().map(items).find(|e| e[0] == R::bulk(event))
}

#[test]
fn latency_events_from_slow_commands() {
    // A threshold far above what the other commands take, even on a busy machine; DEBUG
    // SLEEP takes at least its time.
    let s = debug_server(&["--latency-monitor-threshold", "100"]);
    let mut c = s.raw();
    assert_eq!(latest(&mut c, "command"), None);
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0.15"]), R::ok());
    let e = latest(&mut c, "command").expect("a command event");
    assert!(int(&e[2]) >= 150 && int(&e[3]) >= int(&e[2]), "{e:?}");
    let history = items(c.cmd(&["LATENCY", "HISTORY", "command"]));
    assert!(!history.is_empty());
    assert!(history.iter().any(|h| int(&items(h.clone())[1]) >= 150), "{history:?}");
    let R::Bulk(graph) = c.cmd(&["LATENCY", "GRAPH", "command"]) else { panic!("GRAPH") };
    let graph = String::from_utf8(graph).unwrap();
    assert!(graph.starts_with("command - high ") && graph.contains(" ms (all time high "), "{graph}");
    assert!(graph.contains(&format!("\n{}\n", "-".repeat(80))), "{graph}");
    let R::Bulk(doctor) = c.cmd(&["LATENCY", "DOCTOR"]) else { panic!("DOCTOR") };
    let doctor = String::from_utf8(doctor).unwrap();
    assert!(doctor.starts_with("Dave, I have observed latency spikes in this Redis instance."), "{doctor}");
    assert!(doctor.contains(". command: "), "{doctor}");
    assert_eq!(c.cmd(&["LATENCY", "RESET", "command", "nosuch"]), R::Int(1));
    assert_eq!(latest(&mut c, "command"), None);
    assert_eq!(
        c.cmd(&["LATENCY", "GRAPH", "command"]),
        R::err("ERR No samples available for event 'command'")
    );
    // Off again: nothing is recorded.
    assert_eq!(c.cmd(&["CONFIG", "SET", "latency-monitor-threshold", "0"]), R::ok());
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0.15"]), R::ok());
    assert_eq!(latest(&mut c, "command"), None);
}

#[test]
fn latency_histogram_and_latencystats() {
    let s = Server::start();
    let mut c = s.raw();
    for i in 0..20 {
        c.cmd(&["SET", &format!("k{i}"), "v"]);
    }
    c.cmd(&["CONFIG", "GET", "maxmemory"]);
    let hist = pairs(c.cmd(&["LATENCY", "HISTOGRAM", "set", "config", "nosuch"]));
    let names: Vec<&str> = hist.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["set", "config|get"]);
    let set = pairs(hist[0].1.clone());
    assert_eq!(set[0], ("calls".to_string(), R::Int(20)));
    assert_eq!(set[1].0, "histogram_usec");
    let buckets = items(set[1].1.clone());
    let counts: Vec<i64> = buckets.chunks(2).map(|b| int(&b[1])).collect();
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
    assert_eq!(counts.last(), Some(&20));
    let all = pairs(c.cmd(&["LATENCY", "HISTOGRAM"]));
    assert!(all.iter().any(|(n, _)| n == "set") && all.iter().any(|(n, _)| n == "latency|histogram"), "{all:?}");

    let line = s.info_field("latencystats", "latency_percentiles_usec_set").expect("set in latencystats");
    let keys: Vec<&str> = line.split(',').map(|kv| kv.split('=').next().unwrap()).collect();
    assert_eq!(keys, ["p50", "p99", "p99.9"], "{line}");
    assert!(line.split(',').all(|kv| kv.split('=').nth(1).unwrap().parse::<f64>().is_ok()), "{line}");
    assert_eq!(c.cmd(&["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.99"]), R::ok());
    let line = s.info_field("latencystats", "latency_percentiles_usec_set").unwrap();
    assert!(line.starts_with("p50=") && line.contains(",p99.99="), "{line}");
    // Off: no more counts; RESETSTAT: none at all.
    assert_eq!(c.cmd(&["CONFIG", "SET", "latency-tracking", "no"]), R::ok());
    c.cmd(&["SET", "k", "v"]);
    let set = pairs(pairs(c.cmd(&["LATENCY", "HISTOGRAM", "set"]))[0].1.clone());
    assert_eq!(set[0].1, R::Int(20));
    assert_eq!(c.cmd(&["CONFIG", "RESETSTAT"]), R::ok());
    assert_eq!(c.cmd(&["LATENCY", "HISTOGRAM", "set"]), R::Array(vec![]));
}

// ---------------------------------------------------------------------------------
// MEMORY
// ---------------------------------------------------------------------------------

#[test]
fn memory_usage_for_each_type() {
    let s = Server::start();
    let mut c = s.raw();
    let big: Vec<String> = (0..200).map(|i| format!("member-{i:05}")).collect();
    c.cmd(&["SET", "str", "hello"]);
    c.cmd(&["SET", "long", &"x".repeat(20_000)]);
    let mut cmds: Vec<Vec<String>> = Vec::new();
    for (kind, small, cmd) in [("list", "l1", "RPUSH"), ("set", "s1", "SADD")] {
        let _ = kind;
        cmds.push(vec![cmd.into(), small.into(), "a".into()]);
        let mut v = vec![cmd.to_string(), format!("{small}big")];
        v.extend(big.iter().cloned());
        cmds.push(v);
    }
    let mut h = vec!["HSET".to_string(), "h1big".into()];
    let mut z = vec!["ZADD".to_string(), "z1big".into()];
    for (i, m) in big.iter().enumerate() {
        h.extend([m.clone(), "value".into()]);
        z.extend([i.to_string(), m.clone()]);
    }
    cmds.extend([vec!["HSET".into(), "h1".into(), "f".into(), "v".into()], h]);
    cmds.extend([vec!["ZADD".into(), "z1".into(), "1".into(), "a".into()], z]);
    for cmd in &cmds {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        assert!(!matches!(c.cmd(&args), R::Error(_)), "{:?}", &args[..2]);
    }
    c.cmd(&["XADD", "x1", "*", "f", "v"]);
    c.cmd(&["JSON.SET", "j1", "$", r#"{"a":[1,2,3],"b":"text"}"#]);
    c.cmd(&["PFADD", "hll", "a", "b", "c"]);
    let usage = |c: &mut Raw, k: &str, extra: &[&str]| {
        let mut a = vec!["MEMORY", "USAGE", k];
        a.extend_from_slice(extra);
        int(&c.cmd(&a))
    };
    let small = usage(&mut c, "str", &[]);
    assert!(small > 5 && small < 200, "{small}");
    assert!(usage(&mut c, "long", &[]) > 20_000);
    for (one, many) in [("l1", "l1big"), ("s1", "s1big"), ("h1", "h1big"), ("z1", "z1big")] {
        let (a, b) = (usage(&mut c, one, &[]), usage(&mut c, many, &[]));
        assert!(a > 0 && b > a * 50, "{one}: {a}, {many}: {b}");
        // Sampling all reads every element: the estimate from 5 is of the same order.
        let all = usage(&mut c, many, &["SAMPLES", "0"]);
        assert!(all > b / 2 && all < b * 2, "{many}: {b} sampled, {all} all");
    }
    for k in ["x1", "j1", "hll"] {
        assert!(usage(&mut c, k, &[]) > 0, "{k}");
    }
    // A TTL adds its expiry record.
    let before = usage(&mut c, "str", &[]);
    c.cmd(&["EXPIRE", "str", "1000"]);
    assert!(usage(&mut c, "str", &[]) > before);
    assert_eq!(c.cmd(&["MEMORY", "USAGE", "nosuch"]), R::Nil);
}

#[test]
fn memory_stats_doctor_and_malloc_stats() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    ours.cmd(&["SET", "k", "v"]);
    theirs.cmd(&["SET", "k", "v"]);
    let keys = |r: R| pairs(r).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
    let (mine, reference) = (keys(ours.cmd(&["MEMORY", "STATS"])), keys(theirs.cmd(&["MEMORY", "STATS"])));
    assert_eq!(mine[..reference.len()], reference[..], "Redis's fields first, in its order");
    assert!(mine.contains(&"rocksdb.block-cache".to_string()));
    assert_eq!(
        ours.cmd(&["MEMORY", "DOCTOR"]),
        R::bulk("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n")
    );
    assert_eq!(ours.cmd(&["MEMORY", "MALLOC-STATS"]), R::bulk("Stats not supported for the current allocator"));
}

// ---------------------------------------------------------------------------------
// INFO
// ---------------------------------------------------------------------------------

/// `(section, [field...])` in the order INFO prints them.
fn info_layout(info: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in info.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            out.push((title.to_string(), Vec::new()));
        } else if let Some((k, _)) = line.split_once(':') {
            out.last_mut().expect("a field before any section").1.push(k.to_string());
        }
    }
    out
}

fn info(send: impl FnOnce(&[&str]) -> R, args: &[&str]) -> String {
    let mut a = vec!["INFO"];
    a.extend_from_slice(args);
    text(&send(&a))
}

#[test]
fn info_sections_and_fields_as_redis_7() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    for cmd in [&["SET", "k", "v"][..], &["GET", "k"], &["INCR", "k"]] {
        ours.cmd(cmd);
        theirs.cmd(cmd);
    }
    for args in [&[][..], &["default"], &["all"], &["everything"], &["server", "cpu"]] {
        let mine = info_layout(&info(|a| ours.cmd(a), args));
        let reference = info_layout(&info(|a| theirs.cmd(a), args));
        let my_titles: Vec<&str> = mine.iter().map(|(t, _)| t.as_str()).collect();
        let their_titles: Vec<&str> = reference.iter().map(|(t, _)| t.as_str()).collect();
        // Redis's sections in Redis's order; DiskDB adds its RocksDB section at the end.
        let without_own: Vec<&str> = my_titles.iter().copied().filter(|t| *t != "RocksDB").collect();
        assert_eq!(without_own, their_titles, "INFO {args:?}");
        for (title, fields) in &reference {
            let Some((_, my_fields)) = mine.iter().find(|(t, _)| t == title) else { unreachable!() };
            if matches!(title.as_str(), "Commandstats" | "Errorstats" | "Latencystats" | "Keyspace") {
                continue;
            }
            // Every Redis field, in Redis's order (DiskDB's own may sit between them).
            let mine_in_redis: Vec<&String> = my_fields.iter().filter(|f| fields.contains(f)).collect();
            let missing: Vec<&String> = fields.iter().filter(|f| !my_fields.contains(f)).collect();
            assert!(missing.is_empty(), "INFO {title}: missing {missing:?}");
            assert_eq!(mine_in_redis, fields.iter().collect::<Vec<_>>(), "INFO {title}: order");
        }
    }
    let everything = info(|a| ours.cmd(a), &["everything"]);
    for field in [
        "rocksdb_memtable_bytes",
        "rocksdb_sst_bytes",
        "rocksdb_pending_compaction_bytes",
        "rocksdb_block_cache_usage",
        "rocksdb_block_cache_hits",
        "rocksdb_block_cache_misses",
        "rocksdb_stall_micros",
        "rocksdb_compactions_running",
        "role:master",
        "connected_slaves:0",
        "cmdstat_set:calls=1,usec=",
        "latency_percentiles_usec_get:p50=",
        "db0:keys=1,expires=0",
    ] {
        assert!(everything.contains(field), "{field} not in INFO everything");
    }
    let replid = s.info_field("replication", "master_replid").unwrap();
    assert_eq!(replid.len(), 40);
}

#[test]
fn errorstats_and_commandstats_count() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["LPUSH", "k", "x"]); // WRONGTYPE: a failed call
    c.cmd(&["INCR", "k"]); // ERR not an integer
    c.cmd(&["GET"]); // ERR arity: a rejected call
    c.cmd(&["NOSUCHCMD"]);
    let stats = info(|a| c.cmd(a), &["commandstats"]);
    let line = |name: &str| stats.lines().find(|l| l.starts_with(&format!("cmdstat_{name}:"))).unwrap_or_default().to_string();
    assert!(line("set").starts_with("cmdstat_set:calls=2,usec="), "{stats}");
    assert!(line("set").ends_with(",rejected_calls=0,failed_calls=0"), "{stats}");
    assert!(line("lpush").ends_with(",rejected_calls=0,failed_calls=1"), "{stats}");
    assert!(line("get").starts_with("cmdstat_get:calls=0,") && line("get").ends_with("rejected_calls=1,failed_calls=0"), "{stats}");
    let errors = info(|a| c.cmd(a), &["errorstats"]);
    let counts: BTreeMap<&str, &str> = errors.lines().filter_map(|l| l.split_once(':')).collect();
    assert_eq!(counts.get("errorstat_ERR"), Some(&"count=3"), "{errors}");
    assert_eq!(counts.get("errorstat_WRONGTYPE"), Some(&"count=1"), "{errors}");
    assert_eq!(s.info_field("stats", "total_error_replies").as_deref(), Some("4"));
}

// ---------------------------------------------------------------------------------
// DEBUG
// ---------------------------------------------------------------------------------

#[test]
fn debug_populate_digest_and_friends() {
    let mut s = debug_server(&[]);
    let redis = RedisServer::start_with(&["--enable-debug-command", "yes"]);
    let (mut c, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    // Empty: Redis's all-zero digest, for the database and for a missing key.
    for cmd in [&["DEBUG", "DIGEST"][..], &["DEBUG", "DIGEST-VALUE", "nosuch"], &["DEBUG", "POPULATE", "-1"], &["DEBUG", "POPULATE", "x"]] {
        assert_eq!(c.cmd(cmd), theirs.cmd(cmd), "{cmd:?}");
    }
    c.cmd(&["SET", "key:7", "mine"]);
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "1000"]), R::ok());
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1000));
    assert_eq!(c.cmd(&["GET", "key:5"]), R::bulk("value:5"));
    assert_eq!(c.cmd(&["GET", "key:7"]), R::bulk("mine"), "existing keys are left alone");
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "3", "p", "10"]), R::ok());
    assert_eq!(c.cmd(&["GET", "p:2"]), R::Bulk(b"value:2\0\0\0".to_vec()));
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "2", "q", "3"]), R::ok());
    assert_eq!(c.cmd(&["GET", "q:1"]), R::bulk("val"));
    // Same as Redis for the same commands.
    theirs.cmd(&["SET", "key:7", "mine"]);
    theirs.cmd(&["DEBUG", "POPULATE", "1000"]);
    theirs.cmd(&["DEBUG", "POPULATE", "3", "p", "10"]);
    assert_eq!(c.cmd(&["MGET", "key:0", "key:999", "p:0"]), theirs.cmd(&["MGET", "key:0", "key:999", "p:0"]));

    let digest = text(&c.cmd(&["DEBUG", "DIGEST"]));
    assert_eq!(digest.len(), 40);
    assert_ne!(digest, "0".repeat(40));
    let values = items(c.cmd(&["DEBUG", "DIGEST-VALUE", "key:1", "nosuch"]));
    assert_eq!(values[1], R::Status("0".repeat(40)));
    assert_ne!(values[0], values[1]);
    drop(c);
    s.restart();
    let mut c = s.raw();
    assert_eq!(text(&c.cmd(&["DEBUG", "DIGEST"])), digest, "same data, same digest after a restart");
    c.cmd(&["SET", "key:1", "changed"]);
    assert_ne!(text(&c.cmd(&["DEBUG", "DIGEST"])), digest);

    let before = s.info_field("replication", "master_replid").unwrap();
    assert_eq!(c.cmd(&["DEBUG", "CHANGE-REPL-ID"]), R::ok());
    assert_ne!(s.info_field("replication", "master_replid").unwrap(), before);
    assert_eq!(c.cmd(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"]), R::ok());
    assert_eq!(c.cmd(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"]), theirs.cmd(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"]));
    assert!(matches!(c.cmd(&["DEBUG", "RELOAD"]), R::Error(e) if e.starts_with("ERR DEBUG RELOAD is not supported")));
    for cmd in [&["DEBUG", "ERROR", "oops"][..], &["DEBUG", "ERROR", "-CODE text"], &["DEBUG", "LOG", "hello"]] {
        assert_eq!(c.cmd(cmd), theirs.cmd(cmd), "{cmd:?}");
    }
}

// ---------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------

#[test]
fn banner_in_the_log() {
    let logs = tempfile::tempdir().unwrap();
    let path = logs.path().join("diskdb.log");
    let mut s = Server::start_with(&["--logfile", path.to_str().unwrap(), "--loglevel", "notice"]);
    let read = || std::fs::read_to_string(&path).unwrap_or_default();
    assert!(wait_until(Duration::from_secs(10), || read().contains("Ready to accept connections")));
    let log = read();
    assert!(log.contains(&format!("DiskDB version={}, redis_version=7.", env!("CARGO_PKG_VERSION"))), "{log}");
    assert!(log.contains(&format!("pid={}, just started", s.pid())), "{log}");
    assert!(log.contains("DB loaded from disk: 0 keys in "), "{log}");
    assert!(log.contains(&format!("Ready to accept connections: port={} tls-port=0 unixsocket=-", s.port)), "{log}");
    assert!(log.contains(&s.data_dir().display().to_string()), "{log}");
    let mut c = s.raw();
    for k in ["a", "b", "c"] {
        c.cmd(&["SET", k, "v"]);
    }
    drop(c);
    std::fs::write(&path, "").unwrap();
    s.restart();
    assert!(wait_until(Duration::from_secs(10), || read().contains("Ready to accept connections")));
    assert!(read().contains("DB loaded from disk: 3 keys in "), "{}", read());
    assert_eq!(s.info_field("persistence", "rdb_last_load_keys_loaded").as_deref(), Some("3"));
}

#[test]
fn syslog_datagrams_on_a_test_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let s = Server::start_with(&[
        "--syslog-enabled",
        "yes",
        "--syslog-socket",
        path.to_str().unwrap(),
        "--syslog-ident",
        "diskdb-test",
        "--syslog-facility",
        "local3",
        "--loglevel",
        "notice",
    ]);
    let mut lines = Vec::new();
    let mut buf = vec![0u8; 8192];
    while !lines.iter().any(|l: &String| l.contains("Ready to accept connections")) {
        let n = socket.recv(&mut buf).expect("a syslog datagram");
        lines.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    let banner = lines.iter().find(|l| l.contains("just started")).expect("the banner line");
    // local3 (19) * 8 + notice (5).
    assert!(banner.starts_with("<157>"), "{banner}");
    assert!(banner.contains(&format!(" diskdb-test[{}]: DiskDB version=", s.pid())), "{banner}");
    assert_eq!(s.raw().cmd(&["CONFIG", "GET", "syslog-enabled"]), bulks(&["syslog-enabled", "yes"]));
}
