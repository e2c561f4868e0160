//! HyperLogLog commands against the real binary, beside a real redis-server 7.0 in the
//! same test: PFCOUNT equal to Redis's for sets of 1 to 100,000 elements, the raw HLL
//! strings equal byte for byte (GET), PFMERGE and PFCOUNT of several keys, promotion
//! from sparse to dense at `hll-sparse-max-bytes`, strings copied from redis-server
//! (GET there, SET here) counted the same, corrupt strings refused with Redis's errors,
//! PFDEBUG and PFSELFTEST, DUMP/RESTORE, and the value surviving `kill -9`.

mod common;

use common::*;

fn both(ours: &mut Raw, theirs: &mut Conn, cmd: &[&str]) -> R {
    let (mine, reference) = (ours.cmd(cmd), theirs.cmd(cmd));
    assert_eq!(mine, reference, "{cmd:?}");
    mine
}

fn both_bytes(ours: &mut Raw, theirs: &mut Conn, cmd: &[&[u8]]) -> R {
    let (mine, reference) = (ours.cmd_bytes(cmd), theirs.cmd_bytes(cmd));
    assert_eq!(mine, reference, "{:?}", cmd.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>());
    mine
}

/// PFADD of `n` seeded random elements in batches of 1,000.
fn add_random(ours: &mut Raw, theirs: &mut Conn, key: &str, n: usize, rng: &mut fastrand::Rng) {
    both(ours, theirs, &["PFADD", key]);
    let mut left = n;
    while left > 0 {
        let batch = left.min(1000);
        let els: Vec<String> = (0..batch).map(|_| format!("{:x}", rng.u64(..))).collect();
        let mut args = vec!["PFADD", key];
        args.extend(els.iter().map(String::as_str));
        both(ours, theirs, &args);
        left -= batch;
    }
}

#[test]
fn pfcount_equals_redis_for_1_to_100000_elements() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let mut rng = fastrand::Rng::with_seed(0x411);
    for n in [1, 2, 3, 10, 100, 500, 1000, 2500, 10_000, 30_000, 100_000] {
        let key = format!("h{n}");
        add_random(&mut ours, &mut theirs, &key, n, &mut rng);
        both(&mut ours, &mut theirs, &["PFDEBUG", "ENCODING", &key]);
        both(&mut ours, &mut theirs, &["GET", &key]);
        let count = both(&mut ours, &mut theirs, &["PFCOUNT", &key]);
        // The cached value, and the string with the cache written.
        assert_eq!(both(&mut ours, &mut theirs, &["PFCOUNT", &key]), count);
        both(&mut ours, &mut theirs, &["GET", &key]);
    }
    // Repeated elements change nothing.
    both(&mut ours, &mut theirs, &["PFADD", "dup", "a", "b", "c"]);
    both(&mut ours, &mut theirs, &["PFADD", "dup", "a", "b", "c"]);
    both(&mut ours, &mut theirs, &["PFCOUNT", "dup"]);
}

#[test]
fn pfmerge_and_pfcount_of_several_keys_equal_redis() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let mut rng = fastrand::Rng::with_seed(0x3e6);
    for (key, n) in [("a", 50), ("b", 700), ("c", 5000), ("d", 20_000)] {
        add_random(&mut ours, &mut theirs, key, n, &mut rng);
    }
    for cmd in [
        &["PFCOUNT", "a", "b"][..],
        &["PFCOUNT", "a", "b", "c", "d", "missing"],
        &["PFMERGE", "m1", "a", "b"],
        &["PFDEBUG", "ENCODING", "m1"],
        &["GET", "m1"],
        &["PFCOUNT", "m1"],
        &["PFMERGE", "m2", "a", "d"],
        &["PFDEBUG", "ENCODING", "m2"],
        &["GET", "m2"],
        &["PFMERGE", "a", "b", "c"],
        &["GET", "a"],
        &["PFCOUNT", "a"],
        &["PFMERGE", "empty"],
        &["GET", "empty"],
        &["PFMERGE", "empty2", "missing"],
        &["PFCOUNT", "empty2"],
        &["PFCOUNT", "missing"],
        &["SET", "s", "plain"],
        &["PFMERGE", "m3", "a", "s"],
        &["PFCOUNT", "a", "s"],
        &["PFCOUNT", "s"],
        &["PFADD", "s", "x"],
        &["LPUSH", "l", "x"],
        &["PFCOUNT", "l"],
        &["PFADD", "l", "x"],
        &["PFMERGE", "l", "a"],
    ] {
        both(&mut ours, &mut theirs, cmd);
    }
}

#[test]
fn sparse_becomes_dense_at_hll_sparse_max_bytes() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    for max in ["0", "100", "500", "3000"] {
        both(&mut ours, &mut theirs, &["CONFIG", "SET", "hll-sparse-max-bytes", max]);
        both(&mut ours, &mut theirs, &["CONFIG", "GET", "hll-sparse-max-bytes"]);
        let key = format!("k{max}");
        for i in 0..400 {
            let el = format!("el{i}");
            both(&mut ours, &mut theirs, &["PFADD", &key, &el]);
            both(&mut ours, &mut theirs, &["PFDEBUG", "ENCODING", &key]);
            if i % 37 == 0 {
                both(&mut ours, &mut theirs, &["GET", &key]);
            }
        }
        both(&mut ours, &mut theirs, &["GET", &key]);
        both(&mut ours, &mut theirs, &["PFCOUNT", &key]);
    }
}

#[test]
fn hll_strings_copied_from_redis_count_the_same() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let mut rng = fastrand::Rng::with_seed(0xc0b);
    for n in [5usize, 300, 4000, 50_000] {
        let key = format!("r{n}");
        // Filled on redis-server alone, then copied over as a plain string.
        let mut left = n;
        while left > 0 {
            let batch = left.min(1000);
            let els: Vec<String> = (0..batch).map(|_| rng.u64(..).to_string()).collect();
            let mut args = vec!["PFADD", &key[..]];
            args.extend(els.iter().map(String::as_str));
            theirs.cmd(&args);
            left -= batch;
        }
        let R::Bulk(raw) = theirs.cmd(&["GET", &key]) else { panic!("GET") };
        assert_eq!(ours.cmd_bytes(&[b"SET", key.as_bytes(), &raw]), R::ok());
        both(&mut ours, &mut theirs, &["PFCOUNT", &key]);
        both(&mut ours, &mut theirs, &["PFADD", &key, "one", "more"]);
        both(&mut ours, &mut theirs, &["GET", &key]);
        both(&mut ours, &mut theirs, &["PFCOUNT", &key]);
    }
}

#[test]
fn corrupt_strings_are_refused_with_redis_errors() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let mut header = b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    let mut cases: Vec<Vec<u8>> = vec![
        b"HYLL".to_vec(),
        b"HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff".to_vec(),
        b"HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff".to_vec(),
        // Dense header, wrong length.
        b"HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00abc".to_vec(),
    ];
    // Sparse opcodes covering too few registers, too many, a cut XZERO, VALs overflowing.
    for ops in [&b"\x00"[..], b"\x7f\xff\x00", b"\x7f", b"\xff\xff\xff\xff", b"\x7f\xfe\x83\x83"] {
        let mut v = header.clone();
        v.extend_from_slice(ops);
        cases.push(v);
    }
    // A stale cache bit with garbage opcodes.
    header[15] = 0x80;
    header.extend_from_slice(b"\x40\x00\x40\x00");
    cases.push(header);
    for (i, v) in cases.iter().enumerate() {
        let key = format!("bad{i}");
        both_bytes(&mut ours, &mut theirs, &[b"SET", key.as_bytes(), v]);
        both(&mut ours, &mut theirs, &["PFCOUNT", &key]);
        both(&mut ours, &mut theirs, &["PFCOUNT", &key, "missing"]);
        both(&mut ours, &mut theirs, &["PFMERGE", "dst", &key]);
        both(&mut ours, &mut theirs, &["PFDEBUG", "TODENSE", &key]);
        both(&mut ours, &mut theirs, &["PFDEBUG", "DECODE", &key]);
        both_bytes(&mut ours, &mut theirs, &[b"SET", key.as_bytes(), v]);
        // An XZERO cut short at the end makes Redis's sparse update read past the string.
        if !v.ends_with(b"\x7f") {
            both(&mut ours, &mut theirs, &["PFADD", &key, "x"]);
        }
    }
    assert_eq!(ours.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn pfdebug_and_pfselftest_as_redis() {
    let s = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    for cmd in [
        &["PFADD", "h", "a", "b", "c", "d", "e", "f", "g"][..],
        &["PFDEBUG", "DECODE", "h"],
        &["PFDEBUG", "ENCODING", "h"],
        &["PFDEBUG", "GETREG", "h"],
        &["PFDEBUG", "ENCODING", "h"],
        &["GET", "h"],
        &["PFDEBUG", "DECODE", "h"],
        &["PFADD", "h2", "x"],
        &["PFDEBUG", "TODENSE", "h2"],
        &["PFDEBUG", "TODENSE", "h2"],
        &["PFDEBUG", "GETREG", "h2"],
        &["PFDEBUG", "NOSUCH", "h2"],
        &["PFDEBUG", "GETREG", "missing"],
        &["PFDEBUG", "GETREG"],
        &["PFSELFTEST"],
        &["PFSELFTEST", "x"],
        &["PFADD"],
        &["PFCOUNT"],
        &["PFMERGE"],
    ] {
        both(&mut ours, &mut theirs, cmd);
    }
}

#[test]
fn hll_survives_dump_restore_expiry_and_kill_9() {
    let mut s = Server::start();
    let mut client = s.client();
    let added: i64 = redis::cmd("PFADD").arg("h").arg(&(0..5000).map(|i| i.to_string()).collect::<Vec<_>>()).query(&mut client).unwrap();
    assert_eq!(added, 1);
    let count: i64 = redis::cmd("PFCOUNT").arg("h").query(&mut client).unwrap();
    let dump: Vec<u8> = redis::cmd("DUMP").arg("h").query(&mut client).unwrap();
    let _: () = redis::cmd("RESTORE").arg("copy").arg(0).arg(dump).query(&mut client).unwrap();
    let copied: i64 = redis::cmd("PFCOUNT").arg("copy").query(&mut client).unwrap();
    assert_eq!(copied, count);
    let _: () = redis::cmd("EXPIRE").arg("h").arg(1000).query(&mut client).unwrap();
    let _: i64 = redis::cmd("PFADD").arg("h").arg("new").query(&mut client).unwrap();
    let ttl: i64 = redis::cmd("TTL").arg("h").query(&mut client).unwrap();
    assert!(ttl > 0, "PFADD keeps the TTL");
    let after: i64 = redis::cmd("PFCOUNT").arg("h").query(&mut client).unwrap();
    s.kill9();
    s.restart();
    let mut client = s.client();
    let again: i64 = redis::cmd("PFCOUNT").arg("h").query(&mut client).unwrap();
    assert_eq!(again, after);
    let t: String = redis::cmd("TYPE").arg("h").query(&mut client).unwrap();
    assert_eq!(t, "string");
}
