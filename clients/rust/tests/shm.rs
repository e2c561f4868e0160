//! The shared-memory transport end to end (docs/shm-protocol.md): replies equal to TCP's,
//! values and pipelines larger than the ring, pub/sub, 64 attached clients at once, and
//! the session visible in CLIENT LIST / INFO. Skipped, with the reason printed, when the
//! server binary has no SHM.ATTACH.

mod common;

use common::Server;
use diskdb_client::{AsyncCommands, Client, Connection, Pipeline, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shm_session_is_the_same_client_and_shows_in_client_list() {
    let s = Server::start_with(&["--requirepass", "pw"]);
    if common::skip_without_shm(&s) {
        return;
    }
    // AUTH, SELECT and SETNAME happen on the socket before the attach and carry over.
    let mut db = Client::open(&format!("diskdb+shm://{}?password=pw&db=7&name=shmtest", s.sock.display())).await.unwrap();
    assert_eq!(db.connection().await.unwrap().transport(), "shm");
    db.set("k", "v").await.unwrap();
    let list = String::from_utf8(match db.cmd(&["CLIENT", "LIST"]).await.unwrap() {
        Value::Bulk(b) => b,
        v => panic!("{v:?}"),
    })
    .unwrap();
    let line = list.lines().find(|l| l.contains("name=shmtest")).expect("our client in CLIENT LIST");
    assert!(line.contains(" db=7 "), "{line}");
    assert!(line.ends_with("transport=shm"), "{line}");
    let info = db.info("clients").await.unwrap();
    assert_eq!(info.get("shm_clients").map(String::as_str), Some("1"));
    // The same key seen over TCP in db 7.
    let mut tcp = Client::open(&format!("redis://:pw@127.0.0.1:{}/7", s.port)).await.unwrap();
    assert_eq!(tcp.get("k").await.unwrap(), Some("v".into()));
    // A wrong password fails before the attach, as on TCP.
    let r = Client::open(&format!("diskdb+shm://{}?password=nope", s.sock.display())).await;
    assert!(matches!(r, Err(diskdb_client::Error::WrongPass(_))), "{:?}", r.err());
    let r = Client::open(&s.shm_url()).await;
    assert!(matches!(r, Err(diskdb_client::Error::NoAuth(_))), "{:?}", r.err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_and_pipelines_larger_than_the_ring_stream_through() {
    if common::skip_without_shm(&Server::start()) {
        return;
    }
    let s = Server::start_with(&["--shm-ring-size", "4096"]);
    let mut c = Connection::open(&s.shm_url()).await.unwrap();
    let big: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 7 % 251) as u8).collect();
    c.set("big", &big).await.unwrap();
    assert_eq!(c.get_bytes("big").await.unwrap(), Some(big.clone()));
    // 20,000 commands in one pipeline: requests and replies each far beyond 4 KiB, so
    // the client must drain replies while it waits for request room.
    let mut p = Pipeline::new();
    for i in 0..20_000 {
        p.set(format!("key:{i}"), i).get(format!("key:{i}"));
    }
    let r = p.query(&mut c).await.unwrap();
    assert_eq!(r.len(), 40_000);
    assert_eq!(r[39_999], Value::Bulk(b"19999".to_vec()));
    // And the same bytes over TCP.
    let mut t = Connection::open(&s.tcp_url()).await.unwrap();
    assert_eq!(t.get_bytes("big").await.unwrap(), Some(big));
    assert_eq!(t.get("key:12345").await.unwrap(), Some("12345".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pubsub_and_transactions_over_shm() {
    let s = Server::start();
    if common::skip_without_shm(&s) {
        return;
    }
    let mut db = Client::open(&s.shm_url()).await.unwrap();
    let mut ps = db.pubsub().await.unwrap();
    ps.subscribe("ch").await.unwrap();
    ps.psubscribe("p.*").await.unwrap();
    assert_eq!(db.publish("ch", "one").await.unwrap(), 1);
    assert_eq!(db.publish("p.x", "two").await.unwrap(), 1);
    assert_eq!(ps.next_message().await.unwrap().payload_str(), "one");
    assert_eq!(ps.next_message().await.unwrap().pattern.as_deref(), Some("p.*"));
    let r = Pipeline::new().atomic().incr("n").incr("n").query(db.connection().await.unwrap()).await.unwrap();
    assert_eq!(r, vec![Value::Int(1), Value::Int(2)]);
    // A blocking command is woken by a TCP client's push.
    let shm_url = s.shm_url();
    let waiter = tokio::spawn(async move { Client::open(&shm_url).await.unwrap().blpop("jobs", 0.0).await });
    let mut tcp = Client::open(&s.tcp_url()).await.unwrap();
    loop {
        if tcp.info("clients").await.unwrap().get("blocked_clients").map(|v| v != "0").unwrap_or(false) {
            break;
        }
        tokio::task::yield_now().await;
    }
    tcp.rpush("jobs", "j").await.unwrap();
    assert_eq!(waiter.await.unwrap().unwrap(), Some(("jobs".into(), "j".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_shm_clients_at_once() {
    let s = Server::start();
    if common::skip_without_shm(&s) {
        return;
    }
    let mut clients = Vec::new();
    for _ in 0..64 {
        clients.push(Connection::open(&s.shm_url()).await.unwrap());
    }
    let mut probe = Client::open(&s.tcp_url()).await.unwrap();
    assert_eq!(probe.info("clients").await.unwrap().get("shm_clients").map(String::as_str), Some("64"));
    let mut tasks = Vec::new();
    for (i, mut c) in clients.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            for j in 0..200 {
                c.incr("total").await.unwrap();
                c.set(format!("own:{i}"), j).await.unwrap();
                if j % 50 == 0 {
                    let mut p = Pipeline::new();
                    for _ in 0..100 {
                        p.incr(format!("pipe:{i}"));
                    }
                    p.query(&mut c).await.unwrap();
                }
            }
            assert_eq!(c.get(format!("own:{i}")).await.unwrap(), Some("199".into()));
            assert_eq!(c.get(format!("pipe:{i}")).await.unwrap(), Some("400".into()));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(probe.get("total").await.unwrap(), Some("12800".into()));
}
