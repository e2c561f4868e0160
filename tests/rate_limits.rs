//! DiskDB's request rate limits (`maxrequests-per-client`, `maxrequests-global`): a
//! client over its limit waits and is never failed, every pipelined request is answered
//! in order, INFO counts the waiting, a waiting client holds no key lock (another
//! client's INCR of the same key answers while it waits), and CONFIG SET applies to
//! connected clients.

mod common;

use std::time::Duration;

use common::*;

fn stat(server: &Server, field: &str) -> i64 {
    server.info_field("stats", field).and_then(|v| v.parse().ok()).unwrap_or(-1)
}

/// Sends `n` PINGs in one write and reads `n` PONGs.
fn ping_pipeline(raw: &mut Raw, n: usize) {
    let one = encode(&["PING"]);
    raw.send(&one.repeat(n));
    for _ in 0..n {
        assert_eq!(raw.read(), R::Status("PONG".into()));
    }
}

#[test]
fn a_client_over_its_limit_waits_and_every_request_is_answered() {
    let server = Server::start_with(&["--maxrequests-per-client", "200"]);
    let mut raw = Raw::connect(server.port);
    ping_pipeline(&mut raw, 500);
    // 200 may go at once (one second's budget), the rest had to wait.
    assert!(stat(&server, "total_throttled_requests") > 0);
    assert_eq!(stat(&server, "throttled_clients"), 0);
}

#[test]
fn a_waiting_client_holds_no_key_lock() {
    let server = Server::start_with(&["--maxrequests-per-client", "2"]);
    let mut slow = Raw::connect(server.port);
    // Two INCRs go at once, the rest wait half a second each.
    slow.send(&encode(&["INCR", "k"]).repeat(5));
    assert_eq!(slow.read(), R::Int(1));
    assert_eq!(slow.read(), R::Int(2));
    assert!(wait_until(Duration::from_secs(10), || stat(&server, "throttled_clients") == 1));
    // Another client (its own budget) gets the key meanwhile.
    let mut other = Raw::connect(server.port);
    match other.cmd(&["INCR", "k"]) {
        R::Int(n) => assert!(n < 6, "the waiting client's requests ran before this one: {n}"),
        r => panic!("{r:?}"),
    }
    for _ in 0..3 {
        assert!(matches!(slow.read(), R::Int(_)));
    }
    assert_eq!(other.cmd(&["GET", "k"]), R::bulk("6"));
}

#[test]
fn the_global_limit_is_shared_and_config_set_applies_at_once() {
    let server = Server::start();
    let mut admin = server.client();
    let _: () = redis::cmd("CONFIG").arg("SET").arg("maxrequests-global").arg("300").query(&mut admin).unwrap();
    let got: Vec<String> = redis::cmd("CONFIG").arg("GET").arg("maxrequests-global").query(&mut admin).unwrap();
    assert_eq!(got, vec!["maxrequests-global".to_string(), "300".to_string()]);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let port = server.port;
            std::thread::spawn(move || {
                let mut raw = Raw::connect(port);
                ping_pipeline(&mut raw, 300);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(stat(&server, "total_throttled_requests") > 0);
    let _: () = redis::cmd("CONFIG").arg("SET").arg("maxrequests-global").arg("0").query(&mut admin).unwrap();
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut admin).unwrap();
    let mut raw = Raw::connect(server.port);
    ping_pipeline(&mut raw, 1000);
    assert_eq!(stat(&server, "total_throttled_requests"), 0);
}
