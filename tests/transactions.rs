//! MULTI / EXEC / DISCARD / WATCH against the real server, after Redis's
//! tests/unit/multi.tcl.

mod common;
use common::*;

#[test]
fn multi_exec_runs_queued_commands_in_order() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    assert_eq!(c.cmd(&["SET", "a", "1"]), R::Status("QUEUED".into()));
    assert_eq!(c.cmd(&["INCR", "a"]), R::Status("QUEUED".into()));
    assert_eq!(c.cmd(&["GET", "a"]), R::Status("QUEUED".into()));
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::ok(), R::Int(2), R::bulk("2")]));
}

#[test]
fn exec_without_multi_and_nested_multi_are_errors() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["EXEC"]), R::err("ERR EXEC without MULTI"));
    assert_eq!(c.cmd(&["DISCARD"]), R::err("ERR DISCARD without MULTI"));
    assert_eq!(c.cmd(&["MULTI"]), R::ok());
    assert_eq!(c.cmd(&["MULTI"]), R::err("ERR MULTI calls can not be nested"));
    assert_eq!(c.cmd(&["WATCH", "x"]), R::err("ERR WATCH inside MULTI is not allowed"));
    assert_eq!(c.cmd(&["DISCARD"]), R::ok());
}

#[test]
fn exec_aborts_after_a_queueing_error() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["MULTI"]);
    assert_eq!(c.cmd(&["SET", "a", "1"]), R::Status("QUEUED".into()));
    assert_eq!(c.cmd(&["NOSUCHCOMMAND"]), R::err("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: "));
    assert_eq!(c.cmd(&["GET"]), R::err("ERR wrong number of arguments for 'get' command"));
    assert_eq!(c.cmd(&["EXEC"]), R::err("EXECABORT Transaction discarded because of previous errors."));
    // Nothing ran.
    assert_eq!(c.cmd(&["EXISTS", "a"]), R::Int(0));
}

#[test]
fn runtime_errors_inside_exec_do_not_stop_the_rest() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "s", "notanumber"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["INCR", "s"]);
    c.cmd(&["SET", "b", "2"]);
    assert_eq!(
        c.cmd(&["EXEC"]),
        R::Array(vec![R::err("ERR value is not an integer or out of range"), R::ok()])
    );
    assert_eq!(c.cmd(&["GET", "b"]), R::bulk("2"));
}

#[test]
fn discard_drops_the_queue() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "a", "1"]);
    assert_eq!(c.cmd(&["DISCARD"]), R::ok());
    assert_eq!(c.cmd(&["GET", "a"]), R::Nil);
}

#[test]
fn watched_key_changed_by_another_client_fails_exec() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    a.cmd(&["SET", "k", "1"]);
    assert_eq!(a.cmd(&["WATCH", "k"]), R::ok());
    b.cmd(&["SET", "k", "2"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["SET", "k", "3"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Nil);
    assert_eq!(a.cmd(&["GET", "k"]), R::bulk("2"));
}

#[test]
fn unchanged_watched_key_lets_exec_run_and_exec_unwatches() {
    let s = Server::start();
    let mut a = s.raw();
    a.cmd(&["SET", "k", "1"]);
    a.cmd(&["WATCH", "k"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["SET", "k", "3"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Array(vec![R::ok()]));
    // EXEC forgot the watch: a later change does not affect the next transaction.
    a.cmd(&["SET", "k", "4"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["GET", "k"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Array(vec![R::bulk("4")]));
}

#[test]
fn unwatch_forgets_keys() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    a.cmd(&["WATCH", "k"]);
    assert_eq!(a.cmd(&["UNWATCH"]), R::ok());
    b.cmd(&["SET", "k", "x"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["GET", "k"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Array(vec![R::bulk("x")]));
}

/// As in Redis, only EXEC, DISCARD, MULTI, WATCH, QUIT and RESET run at once inside
/// MULTI: UNWATCH is queued like any other command, so it cannot save the transaction.
#[test]
fn unwatch_inside_multi_is_queued() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    a.cmd(&["WATCH", "k"]);
    a.cmd(&["MULTI"]);
    assert_eq!(a.cmd(&["UNWATCH"]), R::Status("QUEUED".into()));
    b.cmd(&["SET", "k", "x"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Nil);
}

#[test]
fn watched_key_that_expires_fails_exec() {
    let s = Server::start();
    let mut a = s.raw();
    a.cmd(&["SET", "k", "v", "PX", "30"]);
    a.cmd(&["WATCH", "k"]);
    // Wait until the key is gone (removed lazily or by the active cycle).
    let mut gone = false;
    for _ in 0..500 {
        if a.cmd(&["EXISTS", "k"]) == R::Int(0) {
            gone = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(gone);
    a.cmd(&["MULTI"]);
    a.cmd(&["SET", "k", "new"]);
    assert_eq!(a.cmd(&["EXEC"]), R::Nil);
}

#[test]
fn transaction_is_not_interleaved_with_other_clients() {
    // 20 clients each run 200 transactions of INCR+INCR; with isolation the counter is
    // always even when read inside a transaction.
    let s = Server::start();
    let addr = s.addr();
    let handles: Vec<_> = (0..20)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut c = redis::Client::open(format!("redis://{addr}/")).unwrap().get_connection().unwrap();
                for _ in 0..200 {
                    let (_, _, v): (i64, i64, i64) =
                        redis::pipe().atomic().incr("n", 1).incr("n", 1).get("n").query(&mut c).unwrap();
                    assert_eq!(v % 2, 0);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut c = s.client();
    let n: i64 = redis::cmd("GET").arg("n").query(&mut c).unwrap();
    assert_eq!(n, 8000);
}
