//! Eviction under `maxdisk` (DiskDB's disk bound) by `maxmemory-policy`, and the access
//! clock it scores keys by (OBJECT IDLETIME / FREQ, RESTORE IDLETIME / FREQ).

mod common;

use std::time::Duration;

use common::{encode, noise, wait_until, Conn, RedisServer, Server, R};

/// Bytes of the SST files in the data directory (the dataset on disk).
fn sst_bytes(s: &Server) -> u64 {
    std::fs::read_dir(s.data_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "sst"))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn info_u64(s: &Server, section: &str, field: &str) -> u64 {
    s.info_field(section, field).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("INFO {section} {field}"))
}

/// Sends `cmds` pipelined and reads every reply.
fn pipeline(c: &mut common::Raw, cmds: &[Vec<String>]) -> Vec<R> {
    let mut out = Vec::new();
    for cmd in cmds {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        out.extend(encode(&args));
    }
    c.send(&out);
    cmds.iter().map(|_| c.read()).collect()
}


fn is_oom(r: &R) -> bool {
    matches!(r, R::Error(e) if e.starts_with("OOM "))
}

/// Writes `count` keys `prefix:<i>` of `size` bytes (with `extra` arguments after the
/// value), in pipelined batches, calling `between` after each batch; a batch refused for
/// being over the bound (eviction falling behind) is sent again once the server accepts
/// writes.
fn write_keys(s: &Server, c: &mut common::Raw, prefix: &str, count: usize, size: usize, extra: &[&str], mut between: impl FnMut(&mut common::Raw)) {
    for batch in 0..count / 50 {
        let cmds: Vec<Vec<String>> = (batch * 50..batch * 50 + 50)
            .map(|i| {
                let mut cmd = vec!["SET".to_string(), format!("{prefix}:{i}"), noise(size, i as u64)];
                cmd.extend(extra.iter().map(|e| e.to_string()));
                cmd
            })
            .collect();
        loop {
            let replies = pipeline(c, &cmds);
            if replies.iter().all(|r| *r == R::ok()) {
                break;
            }
            assert!(replies.iter().all(|r| *r == R::ok() || is_oom(r)), "{replies:?}");
            // Reads go on meanwhile, as the application's would.
            assert!(wait_until(Duration::from_secs(60), || {
                between(c);
                s.info_field("memory", "eviction_refusing_writes").as_deref() == Some("0")
            }));
        }
        between(c);
    }
}

/// The issue's scenario: with a small `maxdisk` and allkeys-lru, a write load of five
/// times the bound keeps the data directory's SST files under it once compaction has
/// reclaimed the evicted keys, and the keys read all along survive.
#[test]
fn allkeys_lru_keeps_the_dataset_under_maxdisk_and_the_recently_read_keys() {
    const MAXDISK: u64 = 6 << 20;
    let s = Server::start_with(&["--maxdisk", "6mb", "--maxmemory-policy", "allkeys-lru", "--rocksdb-write-buffer-size", "1mb"]);
    let mut c = s.raw();
    write_keys(&s, &mut c, "hot", 100, 1000, &[], |_| {});
    let reads: Vec<Vec<String>> = (0..100).map(|i| vec!["GET".to_string(), format!("hot:{i}")]).collect();
    // 30 MB of keys written once, the hot keys read after every 50 of them.
    write_keys(&s, &mut c, "cold", 7500, 4000, &[], |c| {
        let got = pipeline(c, &reads);
        assert!(got.iter().all(|r| matches!(r, R::Bulk(v) if v.len() == 1000)), "a hot key was evicted");
    });
    assert!(wait_until(Duration::from_secs(60), || info_u64(&s, "stats", "evicted_keys") > 1000));
    // Once compaction has reclaimed what was evicted, the files are within the bound
    // (the hot keys are still read meanwhile, as the application would).
    assert!(
        wait_until(Duration::from_secs(60), || {
            let got = pipeline(&mut c, &reads);
            assert!(got.iter().all(|r| matches!(r, R::Bulk(v) if v.len() == 1000)), "a hot key was evicted");
            sst_bytes(&s) <= MAXDISK && info_u64(&s, "memory", "used_dataset_disk") <= MAXDISK
        }),
        "SST files {} over maxdisk {MAXDISK}",
        sst_bytes(&s)
    );
    let got = pipeline(&mut c, &reads);
    assert!(got.iter().all(|r| matches!(r, R::Bulk(v) if v.len() == 1000)));
    // DBSIZE stays exact through evictions.
    let R::Int(n) = c.cmd(&["DBSIZE"]) else { panic!() };
    let mut counted = 0;
    let mut cursor = "0".to_string();
    loop {
        let R::Array(reply) = c.cmd(&["SCAN", &cursor, "COUNT", "1000"]) else { panic!() };
        let (R::Bulk(next), R::Array(keys)) = (&reply[0], &reply[1]) else { panic!() };
        counted += keys.len() as i64;
        cursor = String::from_utf8(next.clone()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(n, counted);
    assert!(n < 7600);
}

/// `noeviction` over the bound refuses what Redis refuses when full: `denyoom` commands,
/// anything queued in MULTI but EXEC / DISCARD, and EXEC of a transaction that queued a
/// write. Reads and deletes go on; raising the bound lets writes in again.
#[test]
fn noeviction_over_maxdisk_refuses_writes_as_redis_does_when_full() {
    let s = Server::start_with(&["--maxdisk", "1mb", "--rocksdb-write-buffer-size", "1mb"]);
    let mut c = s.raw();
    let mut refused = false;
    for i in 0..2000 {
        match c.cmd(&["SET", &format!("k{i}"), &noise(10_000, i)]) {
            R::Status(_) => {}
            r if is_oom(&r) => {
                refused = true;
                break;
            }
            r => panic!("{r:?}"),
        }
    }
    assert!(refused, "never refused over maxdisk");
    let oom = R::err("OOM command not allowed when used disk > 'maxdisk'.");
    assert_eq!(c.cmd(&["SET", "new", "v"]), oom);
    assert_eq!(c.cmd(&["RPUSH", "list", "a"]), oom);
    assert_eq!(c.cmd(&["GET", "k0"]), R::Bulk(noise(10_000, 0).into_bytes()));
    assert_eq!(c.cmd(&["DEL", "k1"]), R::Int(1));
    assert_eq!(s.info_field("memory", "eviction_refusing_writes").as_deref(), Some("1"));
    // In MULTI even a read is refused (queueing takes memory), and the transaction aborts.
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    assert_eq!(c.cmd(&["GET", "k0"]), oom);
    assert_eq!(c.cmd(&["EXEC"]), R::err("EXECABORT Transaction discarded because of previous errors."));
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    assert_eq!(c.cmd(&["DISCARD"]), R::ok());
    // Raising the bound takes effect at the loop's next round.
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxdisk", "0"]), R::ok());
    assert!(wait_until(Duration::from_secs(10), || s.info_field("memory", "eviction_refusing_writes").as_deref() == Some("0")));
    assert_eq!(c.cmd(&["SET", "new", "v"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "GET", "maxdisk"]), R::Array(vec![R::bulk("maxdisk"), R::bulk("0")]));
}

/// EXEC of a transaction queued before the server filled up, holding a write, is
/// refused with Redis's EXECABORT naming the OOM error.
#[test]
fn exec_of_a_queued_write_is_refused_once_full() {
    let s = Server::start_with(&["--rocksdb-write-buffer-size", "1mb"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    assert_eq!(c.cmd(&["SET", "a", "1"]), R::Status("QUEUED".into()));
    // Fill past a bound from another connection.
    let mut other = s.raw();
    assert_eq!(other.cmd(&["CONFIG", "SET", "maxdisk", "1"]), R::ok());
    let mut n = 0;
    assert!(wait_until(Duration::from_secs(30), || {
        for _ in 0..50 {
            n += 1;
            other.cmd(&["SET", &format!("f{n}"), &noise(10_000, n)]);
        }
        s.info_field("memory", "eviction_refusing_writes").as_deref() == Some("1")
    }));
    assert_eq!(c.cmd(&["EXEC"]), R::err("EXECABORT Transaction discarded because of: OOM command not allowed when used disk > 'maxdisk'."));
    // The transaction is gone: a second EXEC is outside MULTI.
    assert_eq!(c.cmd(&["EXEC"]), R::err("ERR EXEC without MULTI"));
}

/// `volatile-ttl` evicts only keys with a TTL, the nearest deadline first; with no such
/// key left, `volatile-*` cannot free anything and refuses writes.
#[test]
fn volatile_policies_evict_only_keys_with_a_ttl() {
    let s = Server::start_with(&["--maxdisk", "3mb", "--maxmemory-policy", "volatile-ttl", "--rocksdb-write-buffer-size", "1mb"]);
    let mut c = s.raw();
    write_keys(&s, &mut c, "keep", 200, 4000, &[], |_| {});
    write_keys(&s, &mut c, "temp", 2000, 4000, &["EX", "100000"], |_| {});
    // The last writes may land before the loop's next measure (memtables flush in the
    // background): wait for the loop to see the dataset over the bound.
    assert!(wait_until(Duration::from_secs(60), || info_u64(&s, "stats", "evicted_keys") > 0));
    let reads: Vec<Vec<String>> = (0..200).map(|i| vec!["EXISTS".to_string(), format!("keep:{i}")]).collect();
    assert!(pipeline(&mut c, &reads).iter().all(|r| *r == R::Int(1)), "a key without a TTL was evicted");
    // Only persistent keys now: volatile-lru has nothing to evict once over the bound.
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory-policy", "volatile-lru"]), R::ok());
    let mut persist = Vec::new();
    let R::Array(all) = c.cmd(&["KEYS", "temp:*"]) else { panic!() };
    for k in all {
        let R::Bulk(k) = k else { panic!() };
        persist.push(vec!["PERSIST".to_string(), String::from_utf8(k).unwrap()]);
    }
    pipeline(&mut c, &persist);
    let mut n = 0;
    assert!(wait_until(Duration::from_secs(60), || {
        for _ in 0..50 {
            n += 1;
            if is_oom(&c.cmd(&["SET", &format!("more:{n}"), &noise(4000, n)])) {
                return true;
            }
        }
        false
    }));
    assert_eq!(s.info_field("memory", "eviction_refusing_writes").as_deref(), Some("1"));
    assert!(pipeline(&mut c, &reads).iter().all(|r| *r == R::Int(1)));
}

/// OBJECT FREQ / IDLETIME and RESTORE FREQ / IDLETIME answer as redis-server 7.0 does
/// under an LRU and an LFU policy (the errors when the other one is selected, the
/// values RESTORE sets).
#[test]
fn object_freq_and_idletime_follow_the_policy_as_in_redis() {
    let ours = Server::start();
    let theirs = RedisServer::start();
    for port in [ours.addr().rsplit(':').next().unwrap().parse::<u16>().unwrap(), theirs.port] {
        let mut c = Conn::open(port).unwrap();
        let flow: Vec<(Vec<&str>, R)> = vec![
            (vec!["SET", "k", "v"], R::ok()),
            (vec!["OBJECT", "FREQ", "missing"], R::Nil),
            (
                vec!["OBJECT", "FREQ", "k"],
                R::err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."),
            ),
            (vec!["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"], R::ok()),
            (
                vec!["OBJECT", "IDLETIME", "k"],
                R::err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."),
            ),
            (vec!["OBJECT", "IDLETIME", "missing"], R::Nil),
        ];
        for (cmd, want) in flow {
            assert_eq!(c.cmd(&cmd), want, "{cmd:?} on port {port}");
        }
        let R::Bulk(payload) = c.cmd(&["DUMP", "k"]) else { panic!() };
        assert_eq!(c.cmd_bytes(&[b"RESTORE", b"r", b"0", &payload, b"FREQ", b"100"]), R::ok());
        assert_eq!(c.cmd(&["OBJECT", "FREQ", "r"]), R::Int(100), "port {port}");
        // Every read counts with lfu-log-factor 0.
        assert_eq!(c.cmd(&["CONFIG", "SET", "lfu-log-factor", "0"]), R::ok());
        for _ in 0..10 {
            c.cmd(&["GET", "r"]);
        }
        assert_eq!(c.cmd(&["OBJECT", "FREQ", "r"]), R::Int(110), "port {port}");
        assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]), R::ok());
        assert_eq!(c.cmd_bytes(&[b"RESTORE", b"i", b"0", &payload, b"IDLETIME", b"1000"]), R::ok());
        let R::Int(idle) = c.cmd(&["OBJECT", "IDLETIME", "i"]) else { panic!() };
        assert!((1000..=1001).contains(&idle), "{idle} on port {port}");
    }
}
