//! Redis 7.0's configuration surface, against a real redis-server 7.0 started in the
//! same test: CONFIG GET * lists the same names (plus DiskDB's own), CONFIG SET answers
//! every parameter as Redis does for a valid and for invalid values (same reply kinds,
//! same error texts, same CONFIG GET formats afterwards), Debian's full redis.conf loads,
//! `include` and the old names work, CONFIG REWRITE keeps everything across a restart,
//! and the parameters DiskDB honours have their effect (tcp-keepalive on the sockets,
//! maxmemory on the caches, save points on the WAL).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;

/// Every parameter Redis 7.0's CONFIG GET * lists, with a valid value other than the
/// default to set it to (`None`: only its current value is set, because another one
/// would change what the test runs on: the listening port and addresses, TLS, which
/// needs certificates). Immutable and protected parameters are refused by both servers
/// whatever the value.
const REDIS_PARAMS: &[(&str, Option<&str>)] = &[
    ("acl-pubsub-default", Some("allchannels")),
    ("aclfile", Some("/tmp/users.acl")),
    ("acllog-max-len", Some("64")),
    ("active-defrag-cycle-max", Some("50")),
    ("active-defrag-cycle-min", Some("5")),
    ("active-defrag-ignore-bytes", Some("200mb")),
    ("active-defrag-max-scan-fields", Some("500")),
    ("active-defrag-threshold-lower", Some("20")),
    ("active-defrag-threshold-upper", Some("90")),
    ("active-expire-effort", Some("3")),
    ("activedefrag", Some("yes")),
    ("activerehashing", Some("no")),
    ("always-show-logo", Some("yes")),
    ("aof-disable-auto-gc", Some("yes")),
    ("aof-load-truncated", Some("no")),
    ("aof-rewrite-incremental-fsync", Some("no")),
    ("aof-timestamp-enabled", Some("yes")),
    ("aof-use-rdb-preamble", Some("no")),
    ("aof_rewrite_cpulist", Some("0")),
    ("appenddirname", Some("aofdir")),
    ("appendfilename", Some("other.aof")),
    ("appendfsync", Some("always")),
    ("appendonly", Some("yes")),
    ("auto-aof-rewrite-min-size", Some("32mb")),
    ("auto-aof-rewrite-percentage", Some("50")),
    ("bgsave_cpulist", Some("0")),
    ("bind", None),
    ("bind-source-addr", Some("127.0.0.1")),
    ("bio_cpulist", Some("0")),
    ("busy-reply-threshold", Some("1000")),
    ("client-output-buffer-limit", Some("normal 1k 2kb 60 pubsub 64mb 16mb 120")),
    ("client-query-buffer-limit", Some("64mb")),
    ("cluster-allow-pubsubshard-when-down", Some("no")),
    ("cluster-allow-reads-when-down", Some("yes")),
    ("cluster-allow-replica-migration", Some("no")),
    ("cluster-announce-bus-port", Some("17000")),
    ("cluster-announce-hostname", Some("host.example")),
    ("cluster-announce-ip", Some("10.0.0.1")),
    ("cluster-announce-port", Some("7000")),
    ("cluster-announce-tls-port", Some("7001")),
    ("cluster-config-file", Some("other.conf")),
    ("cluster-enabled", Some("yes")),
    ("cluster-link-sendbuf-limit", Some("1mb")),
    ("cluster-migration-barrier", Some("2")),
    ("cluster-node-timeout", Some("5000")),
    ("cluster-port", Some("17000")),
    ("cluster-preferred-endpoint-type", Some("hostname")),
    ("cluster-replica-no-failover", Some("yes")),
    ("cluster-replica-validity-factor", Some("5")),
    ("cluster-require-full-coverage", Some("no")),
    ("cluster-slave-no-failover", Some("yes")),
    ("cluster-slave-validity-factor", Some("5")),
    ("crash-log-enabled", Some("no")),
    ("crash-memcheck-enabled", Some("no")),
    ("daemonize", Some("yes")),
    ("databases", Some("4")),
    ("dbfilename", Some("other.rdb")),
    ("dir", Some("/tmp")),
    ("disable-thp", Some("no")),
    ("dynamic-hz", Some("no")),
    ("enable-debug-command", Some("yes")),
    ("enable-module-command", Some("yes")),
    ("enable-protected-configs", Some("yes")),
    ("hash-max-listpack-entries", Some("64")),
    ("hash-max-listpack-value", Some("128")),
    ("hash-max-ziplist-entries", Some("32")),
    ("hash-max-ziplist-value", Some("1k")),
    ("hll-sparse-max-bytes", Some("4000")),
    ("hz", Some("1000")),
    ("ignore-warnings", Some("ARM64-COW-BUG")),
    ("io-threads", Some("2")),
    ("io-threads-do-reads", Some("yes")),
    ("jemalloc-bg-thread", Some("no")),
    ("latency-monitor-threshold", Some("100")),
    ("latency-tracking", Some("no")),
    ("latency-tracking-info-percentiles", Some("50 99.99 0.0000001")),
    ("lazyfree-lazy-eviction", Some("yes")),
    ("lazyfree-lazy-expire", Some("yes")),
    ("lazyfree-lazy-server-del", Some("yes")),
    ("lazyfree-lazy-user-del", Some("yes")),
    ("lazyfree-lazy-user-flush", Some("yes")),
    ("lfu-decay-time", Some("2")),
    ("lfu-log-factor", Some("5")),
    ("list-compress-depth", Some("1")),
    ("list-max-listpack-size", Some("-3")),
    ("list-max-ziplist-size", Some("128")),
    ("logfile", Some("/tmp/other.log")),
    ("loglevel", Some("WARNING")),
    ("lua-time-limit", Some("2000")),
    ("masterauth", Some("secret")),
    ("masteruser", Some("me")),
    ("maxclients", Some("500")),
    ("maxmemory", Some("1gb")),
    ("maxmemory-clients", Some("5%")),
    ("maxmemory-eviction-tenacity", Some("20")),
    ("maxmemory-policy", Some("ALLKEYS-LRU")),
    ("maxmemory-samples", Some("10")),
    ("min-replicas-max-lag", Some("5")),
    ("min-replicas-to-write", Some("1")),
    ("min-slaves-max-lag", Some("6")),
    ("min-slaves-to-write", Some("2")),
    ("no-appendfsync-on-rewrite", Some("yes")),
    ("notify-keyspace-events", Some("KEA")),
    ("oom-score-adj", Some("relative")),
    ("oom-score-adj-values", Some("-0 +100 0200")),
    ("pidfile", Some("/tmp/other.pid")),
    ("port", None),
    ("proc-title-template", Some("{title} {port}")),
    ("propagation-error-behavior", Some("panic")),
    ("protected-mode", Some("no")),
    ("proto-max-bulk-len", Some("2mb")),
    ("rdb-del-sync-files", Some("yes")),
    ("rdb-save-incremental-fsync", Some("no")),
    ("rdbchecksum", Some("no")),
    ("rdbcompression", Some("no")),
    ("repl-backlog-size", Some("2mb")),
    ("repl-backlog-ttl", Some("100")),
    ("repl-disable-tcp-nodelay", Some("yes")),
    ("repl-diskless-load", Some("swapdb")),
    ("repl-diskless-sync", Some("no")),
    ("repl-diskless-sync-delay", Some("1")),
    ("repl-diskless-sync-max-replicas", Some("2")),
    ("repl-ping-replica-period", Some("5")),
    ("repl-ping-slave-period", Some("6")),
    ("repl-timeout", Some("30")),
    ("replica-announce-ip", Some("10.0.0.2")),
    ("replica-announce-port", Some("7002")),
    ("replica-announced", Some("no")),
    ("replica-ignore-disk-write-errors", Some("yes")),
    ("replica-ignore-maxmemory", Some("no")),
    ("replica-lazy-flush", Some("yes")),
    ("replica-priority", Some("50")),
    ("replica-read-only", Some("no")),
    ("replica-serve-stale-data", Some("no")),
    ("replicaof", Some("127.0.0.1 7003")),
    ("requirepass", Some("sekret")),
    ("sanitize-dump-payload", Some("clients")),
    ("save", Some("100 10 5 99999999999")),
    ("server_cpulist", Some("0")),
    ("set-max-intset-entries", Some("1024")),
    ("set-proc-title", Some("no")),
    ("shutdown-on-sigint", Some("force now save")),
    ("shutdown-on-sigterm", Some("nosave")),
    ("shutdown-timeout", Some("5")),
    ("slave-announce-ip", Some("10.0.0.3")),
    ("slave-announce-port", Some("7004")),
    ("slave-ignore-maxmemory", Some("no")),
    ("slave-lazy-flush", Some("yes")),
    ("slave-priority", Some("40")),
    ("slave-read-only", Some("no")),
    ("slave-serve-stale-data", Some("no")),
    ("slaveof", Some("no one")),
    ("slowlog-log-slower-than", Some("-1")),
    ("slowlog-max-len", Some("64")),
    ("socket-mark-id", Some("1")),
    ("stop-writes-on-bgsave-error", Some("no")),
    ("stream-node-max-bytes", Some("8kb")),
    ("stream-node-max-entries", Some("200")),
    ("supervised", Some("systemd")),
    ("syslog-enabled", Some("yes")),
    ("syslog-facility", Some("local1")),
    ("syslog-ident", Some("other")),
    ("tcp-backlog", Some("128")),
    ("tcp-keepalive", Some("60")),
    ("timeout", Some("3600")),
    ("tls-auth-clients", Some("optional")),
    ("tls-ca-cert-dir", None),
    ("tls-ca-cert-file", None),
    ("tls-cert-file", None),
    ("tls-ciphers", None),
    ("tls-ciphersuites", None),
    ("tls-client-cert-file", None),
    ("tls-client-key-file", None),
    ("tls-client-key-file-pass", None),
    ("tls-cluster", None),
    ("tls-dh-params-file", None),
    ("tls-key-file", None),
    ("tls-key-file-pass", None),
    ("tls-port", None),
    ("tls-prefer-server-ciphers", Some("yes")),
    ("tls-protocols", None),
    ("tls-replication", None),
    ("tls-session-cache-size", Some("100")),
    ("tls-session-cache-timeout", Some("60")),
    ("tls-session-caching", Some("no")),
    ("tracking-table-max-keys", Some("1000")),
    ("unixsocket", Some("/tmp/other.sock")),
    ("unixsocketperm", Some("777")),
    ("zset-max-listpack-entries", Some("64")),
    ("zset-max-listpack-value", Some("32")),
    ("zset-max-ziplist-entries", Some("16")),
    ("zset-max-ziplist-value", Some("2kb")),
];

/// DiskDB's own parameters, beyond Redis's.
const DISKDB_PARAMS: &[&str] = &[
    "audit-log-file",
    "backup-dir",
    "backup-keep",
    "io-engine",
    "key-recount-hold",
    "maxdisk",
    "maxrequests-global",
    "maxrequests-per-client",
    "metrics-bind",
    "metrics-port",
    "read-cache-size",
    "rocksdb-block-cache-size",
    "rocksdb-bottommost-compression",
    "rocksdb-compression",
    "rocksdb-write-buffer-size",
    "syslog-socket",
    "shm-max-clients",
    "shm-ring-size",
    "tls-handshake-timeout",
];

/// Values that are not valid for most parameters: a word, -1, and integers too large for
/// 64 bits either way.
const INVALID: &[&str] = &["abc", "-1", "99999999999999999999999", "-99999999999999999999999"];

/// Where DiskDB answers differently, and why: (parameter, value or "*", reason).
const DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "bind",
        "*",
        "DiskDB cannot move its listeners while running: any other address list is refused (Redis rebinds, or \
         fails with its own text; `-1` is an optional address Redis skips)",
    ),
    (
        "activedefrag",
        "yes",
        "accepted without effect, as a Redis built with its own jemalloc accepts it; Debian's redis-server, \
         built with the system's jemalloc, refuses it",
    ),
];

fn difference(name: &str, value: &str) -> Option<&'static str> {
    DIFFERENCES.iter().find(|(n, v, _)| *n == name && (*v == "*" || *v == value)).map(|(_, _, why)| *why)
}

/// The one value of a CONFIG GET of one name.
fn get(c: &mut Conn, name: &str) -> String {
    match c.cmd(&["CONFIG", "GET", name]) {
        R::Array(kv) if kv.len() == 2 => match &kv[1] {
            R::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            other => panic!("CONFIG GET {name}: {other:?}"),
        },
        other => panic!("CONFIG GET {name}: {other:?}"),
    }
}

fn set(c: &mut Conn, name: &str, value: &str) -> R {
    c.cmd(&["CONFIG", "SET", name, value])
}

/// The names CONFIG GET * lists.
fn names(c: &mut Conn) -> BTreeSet<String> {
    match c.cmd(&["CONFIG", "GET", "*"]) {
        R::Array(kv) => kv
            .chunks(2)
            .map(|p| match &p[0] {
                R::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("a name: {other:?}"),
            })
            .collect(),
        other => panic!("CONFIG GET *: {other:?}"),
    }
}

/// Sets `value` on both servers and checks they answer alike; returns the replies.
fn compare_set(ours: &mut Conn, theirs: &mut Conn, name: &str, value: &str, failures: &mut Vec<String>) -> (R, R) {
    let (mine, reference) = (set(ours, name, value), set(theirs, name, value));
    let same_kind = std::mem::discriminant(&mine) == std::mem::discriminant(&reference);
    if mine != reference && difference(name, value).is_none() {
        let what = if same_kind { "error text" } else { "reply kind" };
        failures.push(format!("CONFIG SET {name} {value:?}: {what} differs: DiskDB {mine:?}, Redis {reference:?}"));
    }
    (mine, reference)
}

#[test]
fn config_get_star_lists_every_redis_parameter() {
    let server = Server::start();
    let redis = RedisServer::start();
    let ours = names(&mut Conn::open(server.port).unwrap());
    let theirs = names(&mut Conn::open(redis.port).unwrap());
    let listed: BTreeSet<String> = REDIS_PARAMS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(theirs, listed, "the list kept here is Redis 7.0's");
    let mut expected = listed;
    expected.extend(DISKDB_PARAMS.iter().map(|n| n.to_string()));
    assert_eq!(ours, expected);
}

#[test]
fn config_set_answers_every_parameter_as_redis_does() {
    let server = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (Conn::open(server.port).unwrap(), Conn::open(redis.port).unwrap());
    let mut failures = Vec::new();
    for &(name, valid) in REDIS_PARAMS {
        let (our_default, their_default) = (get(&mut ours, name), get(&mut theirs, name));
        // Each server's own value: accepted unless immutable or protected, alike.
        let (mine, reference) = (set(&mut ours, name, &our_default), set(&mut theirs, name, &their_default));
        if mine != reference {
            failures.push(format!("CONFIG SET {name} <current>: DiskDB {mine:?}, Redis {reference:?}"));
        }
        if let Some(value) = valid {
            let (mine, reference) = compare_set(&mut ours, &mut theirs, name, value, &mut failures);
            // Both print what they took the same way.
            if mine == R::ok() && reference == R::ok() {
                let (a, b) = (get(&mut ours, name), get(&mut theirs, name));
                if a != b {
                    failures.push(format!("CONFIG GET {name} after {value:?}: DiskDB {a:?}, Redis {b:?}"));
                }
            }
        }
        for value in INVALID {
            compare_set(&mut ours, &mut theirs, name, value, &mut failures);
        }
        // Back to each server's own value (a no-op where the sets were refused).
        set(&mut ours, name, &our_default);
        set(&mut theirs, name, &their_default);
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn several_parameters_in_one_call_and_protected_configs() {
    let server = Server::start_with(&["--enable-protected-configs", "yes"]);
    let redis = RedisServer::start_with(&["--enable-protected-configs", "yes"]);
    let (mut ours, mut theirs) = (Conn::open(server.port).unwrap(), Conn::open(redis.port).unwrap());
    let mut failures = Vec::new();
    for args in [
        &["maxclients", "100", "hz", "abc"][..],
        &["hash-max-ziplist-entries", "10", "hash-max-listpack-entries", "20"],
        &["maxmemory-policy", "allkeys-lfu", "list-compress-depth", "1", "maxmemory", "0"],
        &["nosuch", "1", "databases", "2"],
        &["dbfilename", "a/b"],
        &["dbfilename", "other.rdb"],
    ] {
        let mut cmd = vec!["CONFIG", "SET"];
        cmd.extend_from_slice(args);
        let (mine, reference) = (ours.cmd(&cmd), theirs.cmd(&cmd));
        if mine != reference {
            failures.push(format!("{cmd:?}: DiskDB {mine:?}, Redis {reference:?}"));
        }
    }
    for name in ["maxclients", "hz", "hash-max-listpack-entries", "maxmemory-policy", "list-compress-depth", "dbfilename"] {
        let (a, b) = (get(&mut ours, name), get(&mut theirs, name));
        if a != b {
            failures.push(format!("CONFIG GET {name}: DiskDB {a:?}, Redis {b:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The data directory is protected and, in DiskDB, fixed while running.
    let dir = get(&mut ours, "dir");
    assert_eq!(set(&mut ours, "dir", &dir), R::ok());
    assert_eq!(
        set(&mut ours, "dir", "/tmp"),
        R::err("ERR CONFIG SET failed (possibly related to argument 'dir') - DiskDB cannot change this while running: set it in the config file and restart")
    );
}

/// Debian's redis.conf (from the redis-server package), with the lines that would touch
/// the system changed: `daemonize no` (DiskDB never forks, and the test must see the
/// process), `logfile` and `pidfile` into the test's directory. Port and dir come from
/// the harness's flags, which override the file; unixsocket is commented out in
/// Debian's file and stays so.
fn debian_conf(into: &std::path::Path) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let text = std::fs::read_to_string("/etc/redis/redis.conf").ok()?;
    let log = into.join("diskdb.log");
    let adjusted: String = text
        .lines()
        .map(|line| match line.split_whitespace().next() {
            Some("daemonize") => "daemonize no".to_string(),
            Some("logfile") => format!("logfile {}", log.display()),
            Some("pidfile") => format!("pidfile {}", into.join("diskdb.pid").display()),
            _ => line.to_string(),
        })
        .map(|l| l + "\n")
        .collect();
    let conf = into.join("redis.conf");
    std::fs::write(&conf, adjusted).unwrap();
    Some((conf, log))
}

#[test]
fn debians_full_redis_conf_loads_and_warns_about_nothing() {
    let conf_dir = tempfile::tempdir().unwrap();
    let Some((conf, log)) = debian_conf(conf_dir.path()) else {
        eprintln!("skipped: /etc/redis/redis.conf is not readable (install redis-server)");
        return;
    };
    let server = Server::start_with(&[conf.to_str().unwrap(), "--loglevel", "notice"]);
    let mut c = Conn::open(server.port).unwrap();
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
    // The file's values, as Redis prints them.
    assert_eq!(get(&mut c, "client-output-buffer-limit"), "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    assert_eq!(get(&mut c, "bind"), "127.0.0.1 -::1");
    assert_eq!(get(&mut c, "appendonly"), "no");
    assert_eq!(get(&mut c, "hash-max-ziplist-entries"), "512");
    assert_eq!(get(&mut c, "oom-score-adj-values"), "0 200 800");
    let text = std::fs::read_to_string(&log).unwrap();
    let noticed: Vec<&str> = text.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).collect();
    assert!(noticed.is_empty(), "warnings:\n{}", noticed.join("\n"));
    let line = text.lines().find(|l| l.contains("accepted without effect")).expect("the report line");
    for name in ["rdbcompression", "repl-diskless-sync", "lazyfree-lazy-eviction", "jemalloc-bg-thread", "daemonize"] {
        assert!(line.split_whitespace().any(|w| w == name), "{name} not reported: {line}");
    }
    for name in ["appendfsync", "maxclients", "hz", "timeout"] {
        assert!(!line.split_whitespace().any(|w| w == name), "{name} is honoured: {line}");
    }
}

#[test]
fn include_files_and_old_names() {
    let conf_dir = tempfile::tempdir().unwrap();
    let d = conf_dir.path();
    std::fs::create_dir_all(d.join("conf.d")).unwrap();
    std::fs::write(d.join("conf.d/10-replica.conf"), "slave-priority 7\nlist-max-ziplist-size 64\n").unwrap();
    std::fs::write(d.join("conf.d/20-limits.conf"), "maxclients 77\nhash-max-ziplist-value 1kb\n").unwrap();
    std::fs::write(d.join("conf.d/notes.txt"), "this is not read\n").unwrap();
    let main = d.join("main.conf");
    std::fs::write(&main, format!("maxclients 5\ninclude {}/conf.d/*.conf\ninclude {}/empty/*.conf\n", d.display(), d.display())).unwrap();
    let server = Server::start_with(&[main.to_str().unwrap()]);
    let mut c = Conn::open(server.port).unwrap();
    assert_eq!(get(&mut c, "maxclients"), "77", "the include overrides what came before it");
    assert_eq!(get(&mut c, "replica-priority"), "7");
    assert_eq!(get(&mut c, "slave-priority"), "7");
    assert_eq!(get(&mut c, "list-max-listpack-size"), "64");
    assert_eq!(get(&mut c, "hash-max-listpack-value"), "1024");
    // Old and new names are one parameter.
    assert_eq!(set(&mut c, "zset-max-ziplist-entries", "9"), R::ok());
    assert_eq!(get(&mut c, "zset-max-listpack-entries"), "9");
    // As in Redis 7.0, both names in one CONFIG SET are no duplicate: the later wins.
    assert_eq!(c.cmd(&["CONFIG", "SET", "slave-read-only", "no", "replica-read-only", "yes"]), R::ok());
    assert_eq!(get(&mut c, "slave-read-only"), "yes");
    // A glob pattern finds both names; a plain name answers under the name given.
    let got = c.cmd(&["CONFIG", "GET", "*-priority"]);
    assert_eq!(got, bulks(&["replica-priority", "7", "slave-priority", "7"]));
}

#[test]
fn config_rewrite_round_trips_every_kind_of_parameter() {
    let conf_dir = tempfile::tempdir().unwrap();
    let conf = conf_dir.path().join("diskdb.conf");
    std::fs::write(&conf, "# mine\nslave-priority 5\nsave 900 1\nsave 300 10\nhz 10\n").unwrap();
    let mut s = Server::start_with(&[conf.to_str().unwrap()]);
    let mut c = Conn::open(s.port).unwrap();
    let changes = [
        ("replica-priority", "9"),
        ("save", "60 5"),
        ("maxmemory", "3gb"),
        ("client-output-buffer-limit", "pubsub 1mb 1000 7"),
        ("notify-keyspace-events", "KEA"),
        ("maxmemory-policy", "allkeys-lfu"),
        ("requirepass", "a \"quoted\" secret"),
        ("latency-tracking-info-percentiles", "50 99.5"),
        ("shutdown-on-sigterm", "nosave now"),
        ("oom-score-adj-values", "0 100 200"),
        ("proc-title-template", "{title} {port}"),
        ("list-compress-depth", "2"),
        ("tcp-keepalive", "77"),
    ];
    let mut expected = Vec::new();
    for (name, value) in changes {
        assert_eq!(set(&mut c, name, value), R::ok(), "{name}");
        expected.push((name, get(&mut c, name)));
    }
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), R::ok());
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(text.starts_with("# mine\nreplica-priority 9\nsave 60 5\nhz 10\n"), "{text}");
    assert!(text.contains("\nmaxmemory 3gb\n"), "{text}");
    // The password is kept hashed in the default user's line, never in clear.
    assert!(!text.contains("secret") && text.contains("\nuser default on #"), "{text}");
    drop(c);
    s.restart();
    let mut c = Conn::open(s.port).unwrap();
    assert_eq!(c.cmd(&["AUTH", "a \"quoted\" secret"]), R::ok());
    for (name, value) in expected {
        if name == "requirepass" {
            // It came back as the default user's hashed password (AUTH above), which
            // CONFIG GET requirepass cannot show in clear.
            continue;
        }
        assert_eq!(get(&mut c, name), value, "{name} after the restart");
    }
}

/// The keepalive timer of the server's side of a loopback connection, from
/// /proc/net/tcp: `(timer kind, seconds left)`; kind 2 is the keepalive timer.
fn server_side_timer(server_port: u16, client_port: u16) -> Option<(u32, u64)> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let port = |addr: &str| u16::from_str_radix(addr.rsplit(':').next()?, 16).ok();
        if port(f[1])? != server_port || port(f[2])? != client_port {
            return None;
        }
        let (kind, when) = f[5].split_once(':')?;
        // Clock ticks (USER_HZ, 100 a second on Linux).
        Some((u32::from_str_radix(kind, 16).ok()?, u64::from_str_radix(when, 16).ok()? / 100))
    })
}

#[test]
fn tcp_keepalive_is_set_on_client_sockets() {
    let server = Server::start_with(&["--tcp-keepalive", "100"]);
    let mut admin = server.raw();
    admin.cmd(&["PING"]);
    let client_port = admin.stream.local_addr().unwrap().port();
    let (kind, left) = server_side_timer(server.port, client_port).expect("the connection in /proc/net/tcp");
    assert_eq!(kind, 2, "keepalive timer armed");
    assert!((90..=100).contains(&left), "first probe after ~100 s, {left} s left");
    // CONFIG SET applies to connections accepted afterwards; 0 turns it off.
    assert_eq!(admin.cmd(&["CONFIG", "SET", "tcp-keepalive", "0"]), R::ok());
    let mut plain = server.raw();
    plain.cmd(&["PING"]);
    let port = plain.stream.local_addr().unwrap().port();
    assert_eq!(server_side_timer(server.port, port).map(|t| t.0), Some(0), "no timer");
}

fn info_number(c: &mut Conn, field: &str) -> u64 {
    let R::Bulk(info) = c.cmd(&["INFO", "memory"]) else { panic!("INFO") };
    let info = String::from_utf8(info).unwrap();
    info.lines().find_map(|l| l.strip_prefix(&format!("{field}:"))).unwrap_or_else(|| panic!("{field} in {info}")).trim().parse().unwrap()
}

#[test]
fn maxmemory_bounds_caches_and_memtables() {
    let server = Server::start_with(&["--maxmemory", "64mb"]);
    let mut c = Conn::open(server.port).unwrap();
    let parts = ["rocksdb_block_cache_capacity", "rocksdb_memtables_limit", "read_cache_capacity"];
    let sum = |c: &mut Conn| parts.iter().map(|p| info_number(c, p)).sum::<u64>();
    assert!(sum(&mut c) <= 64 << 20, "within maxmemory at start");
    assert_eq!(info_number(&mut c, "maxmemory"), 64 << 20);
    assert_eq!(set(&mut c, "maxmemory", "512mb"), R::ok());
    let bounded = sum(&mut c);
    assert!(bounded <= 512 << 20 && bounded > 64 << 20, "resized at runtime: {bounded}");
    assert_eq!(set(&mut c, "maxmemory", "0"), R::ok());
    assert_eq!(info_number(&mut c, "rocksdb_block_cache_capacity"), 256 << 20, "back to the configured size");
    assert_eq!(info_number(&mut c, "read_cache_capacity"), 64 << 20);
    // Writes go on whatever maxmemory says: the data is on disk.
    assert_eq!(set(&mut c, "maxmemory", "1mb"), R::ok());
    let big = "x".repeat(100_000);
    for i in 0..100 {
        assert_eq!(c.cmd(&["SET", &format!("k{i}"), &big]), R::ok());
    }
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(100));
}

/// Peak resident memory of a process, from /proc.
fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap().trim().trim_end_matches("kB").trim().parse().unwrap();
    kib / 1024
}

#[test]
fn maxmemory_keeps_the_process_small_under_a_write_load() {
    // 200 MB of writes. Without a bound the memtables alone grow to 128 MB and the
    // process past 200 MB; with maxmemory 64mb it stays near 64 MB plus what maxmemory
    // does not cover (RocksDB's table readers and write path, client buffers, the
    // allocator), measured at about 60 MB.
    let server = Server::start_with(&["--maxmemory", "64mb"]);
    let out = std::process::Command::new("redis-benchmark")
        .args(["-p", &server.port.to_string(), "-t", "set", "-n", "200000", "-d", "1000", "-r", "10000000", "-P", "16", "-q"])
        .output()
        .expect("redis-benchmark is installed (make deps)");
    assert!(out.status.success());
    let peak = peak_rss_mib(server.pid());
    assert!(peak < 64 + 96, "peak RSS {peak} MiB with maxmemory 64mb");
}

#[test]
fn save_points_sync_the_wal_under_appendfsync_no() {
    let server = Server::start_with(&["--appendfsync", "no", "--save", "1 1"]);
    let mut c = Conn::open(server.port).unwrap();
    let R::Int(before) = c.cmd(&["LASTSAVE"]) else { panic!() };
    c.cmd(&["SET", "k", "v"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let R::Int(now) = c.cmd(&["LASTSAVE"]) else { panic!() };
        if now > before {
            break;
        }
        assert!(Instant::now() < deadline, "the save point did not sync the WAL");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Without save points nothing forces a sync under `no`.
    assert_eq!(set(&mut c, "save", ""), R::ok());
    std::thread::sleep(Duration::from_millis(1100));
    let R::Int(quiet) = c.cmd(&["LASTSAVE"]) else { panic!() };
    c.cmd(&["SET", "k", "w"]);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(c.cmd(&["LASTSAVE"]), R::Int(quiet));
}
