//! MOVE, COPY ... DB, SWAPDB, SELECT and FLUSHDB across databases keep every answer and
//! every database's DBSIZE / INFO keyspace counts exact: a seeded random sequence of
//! them over all types runs against DiskDB and redis-server 7.0 in the same test, reply
//! by reply, and the counts survive `kill -9` and a restart.

mod common;

use common::{Conn, RedisServer, Server, R};

/// A small deterministic generator (the sequence must be the same on both servers).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const DBS: u64 = 4;

fn key(g: &mut Lcg) -> String {
    format!("k{}", g.next(6))
}

/// One random command.
fn command(g: &mut Lcg) -> Vec<String> {
    let k = key(g);
    let db = g.next(DBS).to_string();
    let words: Vec<String> = match g.next(16) {
        0 => vec!["SELECT".into(), db],
        1 => vec!["SET".into(), k, "v".into()],
        2 => vec!["SET".into(), k, "v".into(), "EX".into(), "1000".into()],
        3 => vec!["RPUSH".into(), k, "a".into(), "b".into()],
        4 => vec!["HSET".into(), k, "f".into(), "1".into()],
        5 => vec!["SADD".into(), k, "m".into()],
        6 => vec!["ZADD".into(), k, "1".into(), "m".into()],
        7 | 8 => vec!["MOVE".into(), k, db],
        9 | 10 => {
            let mut c = vec!["COPY".into(), k, key(g)];
            if g.next(2) == 0 {
                c.extend(["DB".into(), db]);
            }
            if g.next(2) == 0 {
                c.push("REPLACE".into());
            }
            c
        }
        11 => vec!["DEL".into(), k],
        12 => vec!["EXPIRE".into(), k, "1000".into()],
        13 => vec!["PERSIST".into(), k],
        14 => vec!["SWAPDB".into(), db, g.next(DBS).to_string()],
        _ if g.next(8) == 0 => vec!["FLUSHDB".into()],
        _ => vec!["DBSIZE".into()],
    };
    words
}

fn run(c: &mut Conn, cmd: &[String]) -> R {
    let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
    c.cmd(&args)
}

/// `(keys, expires)` of every database, from INFO keyspace (absent: empty).
fn keyspace(c: &mut Conn) -> Vec<(u64, u64)> {
    let R::Bulk(info) = c.cmd(&["INFO", "keyspace"]) else { panic!("INFO") };
    let info = String::from_utf8(info).unwrap();
    (0..DBS)
        .map(|db| {
            let Some(line) = info.lines().find_map(|l| l.strip_prefix(&format!("db{db}:"))) else { return (0, 0) };
            let field = |name: &str| line.split(',').find_map(|f| f.strip_prefix(&format!("{name}="))).unwrap().parse().unwrap();
            (field("keys"), field("expires"))
        })
        .collect()
}

fn dbsizes(c: &mut Conn) -> Vec<R> {
    let mut out = Vec::new();
    for db in 0..DBS {
        c.cmd(&["SELECT", &db.to_string()]);
        out.push(c.cmd(&["DBSIZE"]));
    }
    c.cmd(&["SELECT", "0"]);
    out
}

#[test]
fn move_copy_swapdb_keep_dbsize_exact_as_in_redis_and_across_a_crash() {
    let redis = RedisServer::start();
    let mut ours = Server::start_with(&["--appendfsync", "always"]);
    let port = ours.port;
    let mut theirs = Conn::open(redis.port).unwrap();
    let mut mine = Conn::open(port).unwrap();
    for seed in 1..=3u64 {
        let mut g = Lcg(seed);
        theirs.cmd(&["FLUSHALL"]);
        mine.cmd(&["FLUSHALL"]);
        for step in 0..1500 {
            let cmd = command(&mut g);
            let (want, got) = (run(&mut theirs, &cmd), run(&mut mine, &cmd));
            assert_eq!(got, want, "seed {seed} step {step}: {cmd:?}");
        }
        assert_eq!(keyspace(&mut mine), keyspace(&mut theirs), "seed {seed}: INFO keyspace");
        assert_eq!(dbsizes(&mut mine), dbsizes(&mut theirs), "seed {seed}: DBSIZE");
    }
    // Acknowledged under appendfsync always: the counts (recounted after a crash) and
    // the keys themselves are the same after kill -9.
    let before = (keyspace(&mut mine), dbsizes(&mut mine));
    ours.kill9();
    ours.restart();
    let mut mine = Conn::open(port).unwrap();
    assert_eq!((keyspace(&mut mine), dbsizes(&mut mine)), before);
    assert_eq!(keyspace(&mut mine), keyspace(&mut theirs));
    for db in 0..DBS {
        for c in [&mut mine, &mut theirs] {
            c.cmd(&["SELECT", &db.to_string()]);
        }
        for k in 0..6 {
            let k = format!("k{k}");
            assert_eq!(mine.cmd(&["TYPE", &k]), theirs.cmd(&["TYPE", &k]), "db {db} {k}");
        }
    }
}
