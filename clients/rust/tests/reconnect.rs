//! Server restarts and crashes: the client reconnects after a restart, and a server
//! killed with SIGKILL in the middle of a request makes the call fail, not hang.

mod common;

use common::Server;
use diskdb_client::{AsyncCommands, Client, Error};
use std::time::Duration;

/// Guard against a hang (the test fails instead of blocking the suite); not a timing
/// assertion: the calls below finish as soon as the kernel reports the hang-up.
const HANG: Duration = Duration::from_secs(30);

#[tokio::test]
async fn client_reconnects_after_a_server_restart() {
    let mut s = Server::start();
    for url in [s.tcp_url(), s.unix_url()] {
        let mut db = Client::open(&url).await.unwrap();
        db.set("k", "v").await.unwrap();
        s.restart();
        // The first call may see the old, closed connection.
        match db.get("k").await {
            Ok(v) => assert_eq!(v, Some("v".into())),
            Err(e) => assert!(matches!(e, Error::Io(_)), "{e:?}"),
        }
        assert_eq!(db.get("k").await.unwrap(), Some("v".into()));
    }
}

async fn kill_mid_request(url: String, s: &mut Server) {
    let mut db = Client::open(&url).await.unwrap();
    db.ping().await.unwrap();
    let call = tokio::spawn(async move { db.blpop("never-filled", 0.0).await });
    // Wait until the server has the request (the client shows up as blocked).
    let mut probe = Client::open(&s.tcp_url()).await.unwrap();
    loop {
        let info = probe.info("clients").await.unwrap();
        if info.get("blocked_clients").map(|v| v != "0").unwrap_or(false) {
            break;
        }
        tokio::task::yield_now().await;
    }
    s.kill9();
    let r = tokio::time::timeout(HANG, call).await.expect("the call hung after the server died").unwrap();
    assert!(matches!(r, Err(Error::Io(_))), "{r:?}");
    s.start_again();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_server_mid_request_is_an_error_not_a_hang() {
    let mut s = Server::start();
    kill_mid_request(s.tcp_url(), &mut s).await;
    kill_mid_request(s.unix_url(), &mut s).await;
    if !common::skip_without_shm(&s) {
        kill_mid_request(s.shm_url(), &mut s).await;
    }
}
