//! Error mapping: server error replies to their variants, I/O and protocol failures.

mod common;

use common::Server;
use diskdb_client::{AsyncCommands, Client, Connection, ConnectOptions, Error};
use std::io::{Read, Write};
use std::time::Duration;

#[tokio::test]
async fn server_errors_map_to_variants() {
    let s = Server::start_with(&["--requirepass", "sesame"]);
    // No password: NOAUTH.
    let mut c = Connection::open(&format!("redis://127.0.0.1:{}", s.port)).await.unwrap();
    match c.get("k").await {
        Err(Error::NoAuth(m)) => assert_eq!(m, "NOAUTH Authentication required."),
        other => panic!("{other:?}"),
    }
    // Wrong password: WRONGPASS at connect time.
    match Connection::open(&format!("redis://:nope@127.0.0.1:{}", s.port)).await {
        Err(Error::WrongPass(m)) => assert!(m.starts_with("WRONGPASS invalid username-password pair"), "{m}"),
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("connected with a wrong password"),
    }
    // Right password, over RESP3 too (HELLO 3 AUTH).
    let mut db = Client::open(&s.tcp_url()).await.unwrap();
    db.set("k", "v").await.unwrap();
    let mut db3 = Client::open(&format!("{}?protocol=3", s.tcp_url())).await.unwrap();
    assert_eq!(db3.get("k").await.unwrap(), Some("v".into()));
    assert!(db3.connection().await.unwrap().is_resp3());
    // WRONGTYPE and a generic ERR.
    assert!(matches!(db.hget("k", "f").await, Err(Error::WrongType(_))));
    match db.cmd(&["NOSUCHCOMMAND"]).await {
        Err(Error::Server(m)) => assert!(m.starts_with("ERR unknown command 'NOSUCHCOMMAND'"), "{m}"),
        other => panic!("{other:?}"),
    }
    // EXECABORT: a queued command was refused.
    let conn = db.connection().await.unwrap();
    let mut p = diskdb_client::Pipeline::new();
    p.atomic().set("a", 1).cmd(diskdb_client::Cmd::new("NOSUCHCOMMAND"));
    match p.query(conn).await {
        Err(Error::ExecAbort(m)) => assert!(m.starts_with("EXECABORT"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Still usable.
    assert_eq!(db.get("k").await.unwrap(), Some("v".into()));
}

#[tokio::test]
async fn unreachable_server_is_an_io_error() {
    let port = common::free_port();
    match Client::open(&format!("redis://127.0.0.1:{port}")).await {
        Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("connected to nothing"),
    }
    match Client::open("unix:///nonexistent/diskdb.sock").await {
        Err(Error::Io(_)) => {}
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("connected to nothing"),
    }
    assert!(matches!(Client::open("http://x").await, Err(Error::InvalidUrl(_))));
}

/// A peer that answers with bytes that are not RESP: a protocol error, and the
/// connection is then refused for further use rather than reading out of step.
#[tokio::test]
async fn garbage_from_the_peer_is_a_protocol_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf);
        s.write_all(b"?this is not resp\r\n").unwrap();
        let _ = s.read(&mut buf);
    });
    let mut c = Connection::open(&format!("redis://127.0.0.1:{port}")).await.unwrap();
    assert!(matches!(c.get("k").await, Err(Error::Protocol(_))));
    assert!(c.is_broken());
    assert!(matches!(c.get("k").await, Err(Error::Io(_))));
    drop(c);
    peer.join().unwrap();
}

#[tokio::test]
async fn response_timeout_is_a_timeout_error() {
    let s = Server::start();
    let mut o = ConnectOptions::from_url(&s.tcp_url()).unwrap();
    o.response_timeout = Some(Duration::from_millis(200));
    let mut c = Connection::connect(&o).await.unwrap();
    assert!(matches!(c.blpop("never", 0.0).await, Err(Error::Timeout)));
    assert!(c.is_broken());
}
