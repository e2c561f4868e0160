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

/// Commands inside EXEC see the writes of the commands before them (they are staged
/// until EXEC commits them as one batch): for every type, the EXEC replies and the
/// state it leaves are those of the same commands run one at a time.
#[test]
fn commands_inside_exec_read_the_writes_before_them_for_every_type() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SELECT", "1"]);
    groups::setup(&mut c);
    let plain = groups::run_plain(&mut c);
    for (i, r) in plain.iter().enumerate() {
        assert!(!matches!(r, R::Error(_)), "reference reply {i} is an error: {r:?}");
    }
    assert_eq!(&plain[..3], &[R::ok(), R::Int(2), R::bulk("2")]);
    let plain_state = groups::final_state(&mut c);
    c.cmd(&["SELECT", "2"]);
    groups::setup(&mut c);
    let exec = groups::run_exec(&mut c);
    groups::assert_same("EXEC", &plain, &exec);
    assert_eq!(groups::final_state(&mut c), plain_state);
}

/// The writes of an EXEC reach storage together: a client reading meanwhile never
/// sees some of them without the others, and after a restart the whole block is there.
#[test]
fn exec_writes_are_one_batch_visible_together_and_kept_together() {
    let mut s = Server::start();
    let port = s.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let checks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reader = {
        let (stop, checks) = (stop.clone(), checks.clone());
        std::thread::spawn(move || {
            let mut c = Raw::connect(port);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // MGET takes the keys' locks: it runs before or after a whole EXEC.
                let R::Array(v) = c.cmd(&["MGET", "ta", "tb", "tc"]) else { panic!("MGET") };
                assert!(v.windows(2).all(|w| w[0] == w[1]), "half an EXEC seen: {v:?}");
                checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            checks.load(std::sync::atomic::Ordering::Relaxed)
        })
    };
    // The reader reads while the EXECs run, not only after them (on a loaded machine
    // its thread could otherwise start after the last EXEC).
    assert!(wait_until(std::time::Duration::from_secs(30), || checks.load(std::sync::atomic::Ordering::Relaxed) > 0));
    let mut c = s.raw();
    for i in 0..200 {
        let v = i.to_string();
        c.cmd(&["MULTI"]);
        for k in ["ta", "tb", "tc"] {
            c.cmd(&["SET", k, &v]);
        }
        assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::ok(), R::ok(), R::ok()]));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    s.kill9();
    s.restart();
    assert_eq!(s.raw().cmd(&["MGET", "ta", "tb", "tc"]), bulks(&["199", "199", "199"]));
}

/// FLUSHALL and SWAPDB inside EXEC write storage directly: the writes staged before
/// them are committed first, so they see (and flush) them, and what follows lands after.
#[test]
fn flush_and_swapdb_inside_exec_order_with_the_staged_writes() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["FLUSHALL"]);
    c.cmd(&["GET", "a"]);
    c.cmd(&["SET", "b", "2"]);
    c.cmd(&["SWAPDB", "0", "1"]);
    c.cmd(&["GET", "b"]);
    c.cmd(&["SET", "c", "3"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::ok(), R::ok(), R::Nil, R::ok(), R::ok(), R::Nil, R::ok()]));
    assert_eq!(c.cmd(&["KEYS", "*"]), bulks(&["c"]));
    c.cmd(&["SELECT", "1"]);
    assert_eq!(c.cmd(&["KEYS", "*"]), bulks(&["b"]));
}

/// What a transaction's commit triggers still happens, once it is committed: keyspace
/// notifications in order, WATCH of another client, a blocked client served.
#[test]
fn exec_commit_notifies_touches_watchers_and_wakes_blocked_clients() {
    let s = Server::start_with(&["--notify-keyspace-events", "KEA"]);
    let mut sub = s.raw();
    assert!(matches!(sub.cmd(&["PSUBSCRIBE", "__keyevent@0__:*"]), R::Array(_)));
    let mut watcher = s.raw();
    assert_eq!(watcher.cmd(&["WATCH", "w"]), R::ok());
    let mut blocked = s.raw();
    blocked.send_cmd(&["BLPOP", "q", "0"]);
    s.wait_blocked(1);
    let mut c = s.raw();
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "w", "1"]);
    c.cmd(&["RPUSH", "q", "job"]);
    c.cmd(&["DEL", "w"]);
    assert_eq!(c.cmd(&["EXEC"]), R::Array(vec![R::ok(), R::Int(1), R::Int(1)]));
    let event = |sub: &mut Raw| match sub.read() {
        R::Array(v) => v[2].clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(event(&mut sub), R::bulk("__keyevent@0__:set"));
    assert_eq!(event(&mut sub), R::bulk("__keyevent@0__:rpush"));
    assert_eq!(event(&mut sub), R::bulk("__keyevent@0__:del"));
    assert_eq!(blocked.read(), bulks(&["q", "job"]));
    watcher.cmd(&["MULTI"]);
    watcher.cmd(&["SET", "x", "1"]);
    assert_eq!(watcher.cmd(&["EXEC"]), R::Nil);
}

/// HINCRBY of an existing field and ZINCRBY of an existing member change elements in
/// place without rewriting the key's metadata record (issue 21): the key still counts as
/// changed for WATCH, and the elements, sizes and the key count survive a kill -9.
#[test]
fn in_place_element_changes_touch_watchers_and_survive_a_kill() {
    let mut s = Server::start_with(&["--appendfsync", "always"]);
    let mut a = s.raw();
    let mut b = s.raw();
    assert_eq!(a.cmd(&["HSET", "h", "f", "1", "g", "x"]), R::Int(2));
    assert_eq!(a.cmd(&["ZADD", "z", "1", "m", "2", "n"]), R::Int(2));
    for (key, change) in [("h", ["HINCRBY", "h", "f", "5"]), ("z", ["ZINCRBY", "z", "5", "m"])] {
        assert_eq!(a.cmd(&["WATCH", key]), R::ok());
        b.cmd(&change);
        a.cmd(&["MULTI"]);
        a.cmd(&["PING"]);
        assert_eq!(a.cmd(&["EXEC"]), R::Nil, "{key} changed in place after WATCH");
    }
    assert_eq!(b.cmd(&["HSET", "h", "g", "y"]), R::Int(0));
    s.kill9();
    s.restart();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["HGETALL", "h"]), bulks(&["f", "6", "g", "y"]));
    assert_eq!(c.cmd(&["HLEN", "h"]), R::Int(2));
    assert_eq!(c.cmd(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]), bulks(&["n", "2", "m", "6"]));
    assert_eq!(c.cmd(&["ZCARD", "z"]), R::Int(2));
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(2));
}
