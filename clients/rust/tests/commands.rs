//! Every helper family against the real server, over every transport: TCP (RESP2 and
//! RESP3), the Unix socket and shared memory. The same assertions run on each, so the
//! transports must give the same replies.

mod common;

use common::Server;
use diskdb_client::{AsyncCommands, Client, Error, Value};
use serde_json::json;
use std::collections::{HashMap, HashSet};

async fn strings_and_keys(db: &mut Client) {
    db.flushdb().await.unwrap();
    db.set("s", "hello").await.unwrap();
    assert_eq!(db.get("s").await.unwrap(), Some("hello".into()));
    assert_eq!(db.get("missing").await.unwrap(), None);
    assert_eq!(db.get_bytes("s").await.unwrap(), Some(b"hello".to_vec()));
    db.set("bin", &[0u8, 255, 10, 13][..]).await.unwrap();
    assert_eq!(db.get_bytes("bin").await.unwrap(), Some(vec![0, 255, 10, 13]));
    assert_eq!(db.append("s", " world").await.unwrap(), 11);
    assert_eq!(db.strlen("s").await.unwrap(), 11);
    assert_eq!(db.getrange("s", 0, 4).await.unwrap(), "hello");
    assert_eq!(db.setrange("s", 6, "there").await.unwrap(), 11);
    assert!(db.set_nx("nx", 1).await.unwrap());
    assert!(!db.set_nx("nx", 2).await.unwrap());
    assert!(db.set_xx("nx", 3).await.unwrap());
    assert!(!db.set_xx("nope", 3).await.unwrap());
    assert_eq!(db.getset("nx", 4).await.unwrap(), Some("3".into()));
    assert_eq!(db.incr("n").await.unwrap(), 1);
    assert_eq!(db.incr_by("n", -11).await.unwrap(), -10);
    assert_eq!(db.decr("n").await.unwrap(), -11);
    assert_eq!(db.decr_by("n", 4).await.unwrap(), -15);
    assert_eq!(db.incr_by_float("f", 1.5).await.unwrap(), 1.5);
    db.mset(&[("a", "1"), ("b", "2")]).await.unwrap();
    assert_eq!(db.mget(&["a", "zz", "b"]).await.unwrap(), vec![Some("1".into()), None, Some("2".into())]);
    assert_eq!(db.getdel("a").await.unwrap(), Some("1".into()));
    assert_eq!(db.exists(&["a", "b", "s"]).await.unwrap(), 2);
    db.set_ex("e", "v", 100).await.unwrap();
    let ttl = db.ttl("e").await.unwrap();
    assert!((1..=100).contains(&ttl), "{ttl}");
    assert!(db.pttl("e").await.unwrap() > 0);
    assert!(db.persist("e").await.unwrap());
    assert_eq!(db.ttl("e").await.unwrap(), -1);
    assert!(db.expire("e", 50).await.unwrap());
    assert!(!db.expire("missing", 50).await.unwrap());
    assert!(db.pexpire("e", 50_000).await.unwrap());
    assert_eq!(db.key_type("s").await.unwrap(), "string");
    assert_eq!(db.key_type("missing").await.unwrap(), "none");
    db.rename("s", "s2").await.unwrap();
    let mut keys = db.keys("s*").await.unwrap();
    keys.sort();
    assert_eq!(keys, vec!["s2".to_string()]);
    let mut cursor = 0;
    let mut seen = HashSet::new();
    loop {
        let (next, batch) = db.scan_match(cursor, "*", 2).await.unwrap();
        seen.extend(batch);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    assert_eq!(seen.len() as i64, db.dbsize().await.unwrap());
    assert_eq!(db.del(&["s2", "b", "missing"]).await.unwrap(), 2);
    assert_eq!(db.unlink("n").await.unwrap(), 1);
    assert_eq!(db.ping().await.unwrap(), "PONG");
    assert_eq!(db.echo("hi").await.unwrap(), "hi");
    assert!(db.client_id().await.unwrap() > 0);
    // raw commands
    assert_eq!(db.cmd(&["SET", "raw", "1"]).await.unwrap(), Value::Status("OK".into()));
    assert_eq!(db.cmd(&["GET", "raw"]).await.unwrap(), Value::Bulk(b"1".to_vec()));
}

async fn lists(db: &mut Client) {
    db.del("l").await.unwrap();
    assert_eq!(db.lpush("l", &["b", "a"]).await.unwrap(), 2);
    assert_eq!(db.rpush("l", "c").await.unwrap(), 3);
    assert_eq!(db.lrange("l", 0, -1).await.unwrap(), vec!["a", "b", "c"]);
    assert_eq!(db.llen("l").await.unwrap(), 3);
    assert_eq!(db.lindex("l", 1).await.unwrap(), Some("b".into()));
    assert_eq!(db.lindex("l", 9).await.unwrap(), None);
    db.lset("l", 1, "B").await.unwrap();
    assert_eq!(db.lrem("l", 0, "B").await.unwrap(), 1);
    db.rpush("l", &["d", "e", "f"]).await.unwrap();
    db.ltrim("l", 0, 3).await.unwrap();
    assert_eq!(db.lmove("l", "l2", false, true).await.unwrap(), Some("e".into()));
    assert_eq!(db.lpop("l").await.unwrap(), Some("a".into()));
    assert_eq!(db.lpop_count("l", 5).await.unwrap(), vec!["c", "d"]);
    assert_eq!(db.rpop("l").await.unwrap(), None);
    // while let drains a queue
    db.lpush("queue", &["j1", "j2", "j3"]).await.unwrap();
    let mut jobs = Vec::new();
    while let Some(job) = db.rpop("queue").await.unwrap() {
        jobs.push(job);
    }
    assert_eq!(jobs, vec!["j1", "j2", "j3"]);
    assert_eq!(db.blpop(&["l2"], 1.0).await.unwrap(), Some(("l2".into(), "e".into())));
    assert_eq!(db.brpop("empty-list", 0.05).await.unwrap(), None);
}

async fn hashes(db: &mut Client) {
    db.del("h").await.unwrap();
    assert_eq!(db.hset("h", "f1", "v1").await.unwrap(), 1);
    assert_eq!(db.hset_multiple("h", &[("f2", "v2"), ("n", "5")]).await.unwrap(), 2);
    assert!(!db.hsetnx("h", "f1", "x").await.unwrap());
    assert_eq!(db.hget("h", "f1").await.unwrap(), Some("v1".into()));
    assert_eq!(db.hget("h", "nope").await.unwrap(), None);
    assert_eq!(db.hmget("h", &["f2", "nope"]).await.unwrap(), vec![Some("v2".into()), None]);
    let all = db.hgetall("h").await.unwrap();
    let want: HashMap<String, String> = [("f1", "v1"), ("f2", "v2"), ("n", "5")].iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(all, want);
    assert!(db.hexists("h", "n").await.unwrap());
    assert_eq!(db.hlen("h").await.unwrap(), 3);
    assert_eq!(db.hincr_by("h", "n", 10).await.unwrap(), 15);
    assert_eq!(db.hincr_by_float("h", "n", 0.5).await.unwrap(), 15.5);
    let mut k = db.hkeys("h").await.unwrap();
    k.sort();
    assert_eq!(k, vec!["f1", "f2", "n"]);
    assert_eq!(db.hvals("h").await.unwrap().len(), 3);
    assert_eq!(db.hdel("h", &["f1", "f2"]).await.unwrap(), 2);
    assert!(db.hgetall("missing-hash").await.unwrap().is_empty());
}

async fn sets(db: &mut Client) {
    db.del(&["s1", "s2", "s3"]).await.unwrap();
    assert_eq!(db.sadd("s1", &["a", "b", "c"]).await.unwrap(), 3);
    assert_eq!(db.sadd("s2", &["b", "c", "d"]).await.unwrap(), 3);
    assert!(db.sismember("s1", "a").await.unwrap());
    assert!(!db.sismember("s1", "z").await.unwrap());
    let hs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
    assert_eq!(db.smembers("s1").await.unwrap(), hs(&["a", "b", "c"]));
    assert_eq!(db.sinter(&["s1", "s2"]).await.unwrap(), hs(&["b", "c"]));
    assert_eq!(db.sunion(&["s1", "s2"]).await.unwrap(), hs(&["a", "b", "c", "d"]));
    assert_eq!(db.sdiff(&["s1", "s2"]).await.unwrap(), hs(&["a"]));
    assert_eq!(db.scard("s1").await.unwrap(), 3);
    assert!(db.smove("s1", "s3", "a").await.unwrap());
    assert_eq!(db.srem("s1", &["b", "zz"]).await.unwrap(), 1);
    assert_eq!(db.spop("s3").await.unwrap(), Some("a".into()));
    assert_eq!(db.spop("s3").await.unwrap(), None);
}

async fn zsets(db: &mut Client) {
    db.del("z").await.unwrap();
    assert_eq!(db.zadd_multiple("z", &[("alice", 2500.0), ("bob", 1800.0)]).await.unwrap(), 2);
    assert_eq!(db.zadd("z", "carol", 3000.5).await.unwrap(), 1);
    assert_eq!(db.zrange("z", 0, -1).await.unwrap(), vec!["bob", "alice", "carol"]);
    assert_eq!(
        db.zrange_withscores("z", 0, 1).await.unwrap(),
        vec![("bob".to_string(), 1800.0), ("alice".to_string(), 2500.0)]
    );
    assert_eq!(db.zrevrange("z", 0, 0).await.unwrap(), vec!["carol"]);
    assert_eq!(db.zrevrange_withscores("z", 0, 0).await.unwrap(), vec![("carol".to_string(), 3000.5)]);
    assert_eq!(db.zrangebyscore("z", "(1800", "+inf").await.unwrap(), vec!["alice", "carol"]);
    assert_eq!(db.zscore("z", "alice").await.unwrap(), Some(2500.0));
    assert_eq!(db.zscore("z", "nobody").await.unwrap(), None);
    assert_eq!(db.zincr_by("z", "bob", 1000.0).await.unwrap(), 2800.0);
    assert_eq!(db.zrank("z", "bob").await.unwrap(), Some(1));
    assert_eq!(db.zrevrank("z", "bob").await.unwrap(), Some(1));
    assert_eq!(db.zrank("z", "nobody").await.unwrap(), None);
    assert_eq!(db.zcount("z", 2000, 2900).await.unwrap(), 2);
    assert_eq!(db.zcard("z").await.unwrap(), 3);
    assert_eq!(db.zpopmin("z", 1).await.unwrap(), vec![("alice".to_string(), 2500.0)]);
    assert_eq!(db.zpopmax("z", 5).await.unwrap(), vec![("carol".to_string(), 3000.5), ("bob".to_string(), 2800.0)]);
    assert_eq!(db.zrem("z", "x").await.unwrap(), 0);
}

async fn json_docs(db: &mut Client) {
    db.del("user").await.unwrap();
    let doc = json!({"name": "Alice", "address": {"city": "NYC"}, "interests": ["go", "rust"], "n": 1});
    db.json_set("user", "$", &doc).await.unwrap();
    assert_eq!(db.json_get("user", "$.address.city").await.unwrap(), Some(json!("NYC")));
    assert_eq!(db.json_get("user", "$.interests").await.unwrap(), Some(json!(["go", "rust"])));
    assert_eq!(db.json_get("user", "$").await.unwrap(), Some(doc.clone()));
    assert_eq!(db.json_get("user", "$.nothing").await.unwrap(), None);
    assert_eq!(db.json_get("user", "$..city").await.unwrap(), Some(json!("NYC")));
    assert_eq!(db.json_get("user", ".name").await.unwrap(), Some(json!("Alice")));
    assert_eq!(db.json_get("nokey", "$").await.unwrap(), None);
    assert!(!db.json_set_nx("user", "$.name", &json!("Bob")).await.unwrap());
    assert_eq!(db.json_numincrby("user", "$.n", 2.0).await.unwrap(), Some(json!([3])));
    db.json_arrappend("user", "$.interests", &[json!("zig")]).await.unwrap();
    assert_eq!(db.json_get("user", "$.interests[2]").await.unwrap(), Some(json!("zig")));
    assert_eq!(db.json_mget(&["user", "nokey"], "$.name").await.unwrap(), vec![Some(json!(["Alice"])), None]);
    assert_eq!(db.key_type("user").await.unwrap(), "json");
    assert_eq!(db.json_del("user", "$.address").await.unwrap(), 1);
    assert_eq!(db.json_get("user", "$.address").await.unwrap(), None);
    assert!(matches!(db.json_type("user", "$.name").await.unwrap(), Value::Array(_) | Value::Bulk(_) | Value::Status(_)));
}

async fn streams(db: &mut Client) {
    db.del("st").await.unwrap();
    let id1 = db.xadd("st", "*", &[("action", "login"), ("ip", "192.168.1.1")]).await.unwrap();
    let id2 = db.xadd("st", "*", &[("action", "logout")]).await.unwrap();
    assert!(id1 < id2 || id1.len() < id2.len());
    assert_eq!(db.xlen("st").await.unwrap(), 2);
    let all = db.xrange("st", "-", "+", Some(10)).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, id1);
    assert_eq!(all[0].get("ip"), Some("192.168.1.1"));
    assert_eq!(all[0].to_map()["action"], "login");
    let rev = db.xrevrange("st", "+", "-", Some(1)).await.unwrap();
    assert_eq!(rev[0].id, id2);
    let read = db.xread(&[("st", "0")], None, None).await.unwrap();
    assert_eq!(read.entries("st").len(), 2);
    let none = db.xread(&[("st", "$")], None, Some(20)).await.unwrap();
    assert!(none.0.is_empty());
    // consumer groups
    db.xgroup_create("st", "g", "0").await.unwrap();
    let got = db.xreadgroup("g", "c1", &[("st", ">")], Some(1), None, false).await.unwrap();
    assert_eq!(got.entries("st").len(), 1);
    assert_eq!(got.entries("st")[0].id, id1);
    let pending = db.xpending("st", "g").await.unwrap();
    assert_eq!(pending.count, 1);
    assert_eq!(pending.consumers, vec![("c1".to_string(), 1)]);
    let claimed = db.xclaim("st", "g", "c2", 0, &[id1.as_str()]).await.unwrap();
    assert_eq!(claimed[0].id, id1);
    let auto = db.xautoclaim("st", "g", "c3", 0, "0-0", 10).await.unwrap();
    assert_eq!(auto.claimed.len(), 1);
    assert_eq!(db.xack("st", "g", &[id1.as_str()]).await.unwrap(), 1);
    assert_eq!(db.xpending("st", "g").await.unwrap().count, 0);
    assert!(db.xgroup_destroy("st", "g").await.unwrap());
    assert_eq!(db.xdel("st", &[id2.as_str()]).await.unwrap(), 1);
    db.xadd_maxlen("st", 100, &[("k", "v")]).await.unwrap();
    assert_eq!(db.xtrim("st", 0).await.unwrap(), 2);
}

async fn wrong_type(db: &mut Client) {
    db.set("str", "x").await.unwrap();
    match db.lpush("str", "a").await {
        Err(Error::WrongType(m)) => assert_eq!(m, "WRONGTYPE Operation against a key holding the wrong kind of value"),
        other => panic!("{other:?}"),
    }
    match db.incr("str").await {
        Err(Error::Server(m)) => assert_eq!(m, "ERR value is not an integer or out of range"),
        other => panic!("{other:?}"),
    }
    // the connection stays usable after an error reply
    assert_eq!(db.get("str").await.unwrap(), Some("x".into()));
}

async fn all_families(url: &str) {
    let mut db = Client::open(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
    strings_and_keys(&mut db).await;
    lists(&mut db).await;
    hashes(&mut db).await;
    sets(&mut db).await;
    zsets(&mut db).await;
    json_docs(&mut db).await;
    streams(&mut db).await;
    wrong_type(&mut db).await;
}

#[tokio::test]
async fn every_family_over_tcp_resp2_and_resp3() {
    let s = Server::start();
    all_families(&format!("{}/1", s.tcp_url())).await;
    all_families(&format!("{}/2?protocol=3", s.tcp_url())).await;
}

#[tokio::test]
async fn every_family_over_the_unix_socket() {
    let s = Server::start();
    all_families(&format!("{}?db=3", s.unix_url())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_family_over_shared_memory() {
    let s = Server::start();
    if common::skip_without_shm(&s) {
        return;
    }
    let mut c = Client::open(&s.shm_url()).await.unwrap();
    assert_eq!(c.connection().await.unwrap().transport(), "shm");
    all_families(&format!("{}?db=4", s.shm_url())).await;
    all_families(&format!("{}?db=5&protocol=3", s.shm_url())).await;
}
