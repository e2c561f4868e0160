//! Pipelines and MULTI/EXEC transactions, WATCH retries under contention.

mod common;

use common::Server;
use diskdb_client::{AsyncCommands, Client, Connection, Error, Pipeline, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn pipeline_sends_many_commands_in_one_round_trip() {
    let s = Server::start();
    for url in [s.tcp_url(), s.unix_url()] {
        let mut c = Connection::open(&url).await.unwrap();
        c.flushdb().await.unwrap();
        let mut p = Pipeline::new();
        for i in 0..1000 {
            p.set(format!("k{i}"), i);
        }
        p.incr("counter").lpush("list", ["a", "b"]).get("k999").hget("k1", "f");
        let r = p.query(&mut c).await.unwrap();
        assert_eq!(r.len(), 1004);
        assert_eq!(r[1000], Value::Int(1));
        assert_eq!(r[1001], Value::Int(2));
        assert_eq!(r[1002], Value::Bulk(b"999".to_vec()));
        // An error reply stays in its slot; the others are unaffected.
        assert!(matches!(&r[1003], Value::Error(e) if e.starts_with("WRONGTYPE")));
        let (a, b): (Option<String>, i64) = Pipeline::new().get("k5").dbsize().query_as(&mut c).await.unwrap();
        assert_eq!((a.as_deref(), b), (Some("5"), 1002));
        assert!(Pipeline::new().query(&mut c).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn atomic_pipeline_is_a_transaction() {
    let s = Server::start();
    let mut c = Connection::open(&s.tcp_url()).await.unwrap();
    c.set("a", 1000).await.unwrap();
    c.set("b", 0).await.unwrap();
    let r = Pipeline::new().atomic().incr_by("a", -100).incr_by("b", 100).query(&mut c).await.unwrap();
    assert_eq!(r, vec![Value::Int(900), Value::Int(100)]);
    // A command failing at run time does not stop the others (Redis semantics).
    let r = Pipeline::new().atomic().set("s", "x").incr("s").get("s").query(&mut c).await.unwrap();
    assert_eq!(r[0], Value::Status("OK".into()));
    assert!(matches!(&r[1], Value::Error(e) if e.starts_with("ERR value is not an integer")));
    assert_eq!(r[2], Value::Bulk(b"x".to_vec()));
}

#[tokio::test]
async fn watch_aborts_when_the_key_changes_and_transaction_retries() {
    let s = Server::start();
    let mut c = Connection::open(&s.tcp_url()).await.unwrap();
    let mut other = Connection::open(&s.tcp_url()).await.unwrap();
    c.set("bal", 10).await.unwrap();
    // Plain WATCH + atomic pipeline: aborted by a concurrent write.
    c.watch("bal").await.unwrap();
    other.set("bal", 20).await.unwrap();
    assert!(matches!(Pipeline::new().atomic().set("bal", 0).query(&mut c).await, Err(Error::WatchAborted)));
    assert_eq!(c.get("bal").await.unwrap(), Some("20".into()));
    // transaction(): the first attempt is spoiled by another client, the retry wins.
    let attempts = Arc::new(AtomicU32::new(0));
    let other = Arc::new(tokio::sync::Mutex::new(other));
    let r = c
        .transaction("bal", |conn, pipe| {
            let (attempts, other) = (attempts.clone(), other.clone());
            Box::pin(async move {
                let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
                let bal: i64 = conn.get("bal").await?.unwrap().parse().unwrap();
                if n == 1 {
                    other.lock().await.incr("bal").await?;
                }
                pipe.set("bal", bal * 2);
                Ok(())
            })
        })
        .await
        .unwrap();
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(r, vec![Value::Status("OK".into())]);
    assert_eq!(c.get("bal").await.unwrap(), Some("42".into()));
}

/// Several clients increment one counter through WATCH/MULTI/EXEC at the same time:
/// conflicts make some attempts retry, and no increment is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_retries_under_contention_lose_no_update() {
    let s = Server::start();
    let url = s.tcp_url();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::open(&url).await.unwrap();
            let tries = Arc::new(AtomicU32::new(0));
            for _ in 0..50 {
                c.transaction("counter", |conn, pipe| {
                    let tries = tries.clone();
                    Box::pin(async move {
                        tries.fetch_add(1, Ordering::Relaxed);
                        let n: i64 = conn.get("counter").await?.map_or(0, |v| v.parse().unwrap());
                        pipe.set("counter", n + 1);
                        Ok(())
                    })
                })
                .await
                .unwrap();
            }
            tries.load(Ordering::Relaxed)
        }));
    }
    let mut tries = 0;
    for t in tasks {
        tries += t.await.unwrap();
    }
    let mut c = Client::open(&url).await.unwrap();
    assert_eq!(c.get("counter").await.unwrap(), Some("400".into()));
    assert!(tries >= 400);
    eprintln!("400 increments took {tries} attempts");
}
