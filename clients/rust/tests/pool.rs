//! The connection pool: size limit, reuse, idle timeout, health check after idle.

mod common;

use common::Server;
use diskdb_client::{AsyncCommands, ConnectOptions, Error, Pool, PoolConfig};
use std::time::Duration;

fn pool(s: &Server, cfg: PoolConfig) -> Pool {
    Pool::new(ConnectOptions::from_url(&s.tcp_url()).unwrap(), cfg)
}

#[tokio::test]
async fn pool_reuses_connections_and_enforces_its_size() {
    let s = Server::start();
    let p = pool(&s, PoolConfig { max_size: 2, wait_timeout: Some(Duration::from_millis(100)), ..Default::default() });
    for i in 0..10 {
        let mut c = p.get().await.unwrap();
        c.set("k", i).await.unwrap();
    }
    assert_eq!(p.status().created, 1, "one connection serves sequential users");
    let a = p.get().await.unwrap();
    let b = p.get().await.unwrap();
    assert_ne!(a.options().db, -1);
    assert_eq!(p.status().in_use, 2);
    assert!(matches!(p.get().await, Err(Error::PoolTimeout)));
    drop(a);
    let mut c = p.get().await.unwrap();
    assert_eq!(c.get("k").await.unwrap(), Some("9".into()));
    drop((b, c));
    let st = p.status();
    assert_eq!((st.in_use, st.idle, st.created), (0, 2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_a_small_pool() {
    let s = Server::start();
    let p = pool(&s, PoolConfig { max_size: 4, ..Default::default() });
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                p.get().await.unwrap().incr("shared").await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(p.get().await.unwrap().get("shared").await.unwrap(), Some("640".into()));
    assert!(p.status().created <= 4, "{:?}", p.status());
}

#[tokio::test]
async fn idle_connections_expire() {
    let s = Server::start();
    let p = pool(&s, PoolConfig { idle_timeout: Some(Duration::from_millis(50)), ..Default::default() });
    drop(p.get().await.unwrap());
    assert_eq!(p.status().idle, 1);
    // Let the idle timeout elapse (time passing, not a readiness wait).
    tokio::time::sleep(Duration::from_millis(80)).await;
    let mut c = p.get().await.unwrap();
    c.ping().await.unwrap();
    let st = p.status();
    assert_eq!((st.expired, st.created), (1, 2));
}

#[tokio::test]
async fn health_check_replaces_connections_broken_by_a_server_restart() {
    let mut s = Server::start();
    let p = pool(&s, PoolConfig { health_check_after: Duration::ZERO, ..Default::default() });
    {
        let mut c = p.get().await.unwrap();
        c.set("k", "before").await.unwrap();
    }
    s.restart();
    // The idle connection's PING fails on checkout; the caller gets a fresh one.
    let mut c = p.get().await.unwrap();
    assert_eq!(c.get("k").await.unwrap(), Some("before".into()), "data survives the restart (on disk)");
    let st = p.status();
    assert_eq!((st.failed_checks, st.created), (1, 2));
}

#[tokio::test]
async fn broken_connections_are_not_returned() {
    let s = Server::start();
    let mut o = ConnectOptions::from_url(&s.tcp_url()).unwrap();
    o.response_timeout = Some(Duration::from_millis(100));
    let p = Pool::new(o, PoolConfig::default());
    {
        let mut c = p.get().await.unwrap();
        assert!(matches!(c.blpop("nothing", 0.0).await, Err(Error::Timeout)));
    }
    assert_eq!(p.status().idle, 0);
    let mut c = p.get().await.unwrap();
    assert_eq!(c.ping().await.unwrap(), "PONG");
}
