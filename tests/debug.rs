//! DEBUG against the real binary: gated by `enable-debug-command` as in Redis 7 (the
//! refusal, the unknown-subcommand errors and `no such key` compared with a real
//! redis-server 7.0 in the same test), DEBUG SLEEP, DEBUG SET-ACTIVE-EXPIRE turning the
//! active expire cycle off and on, DEBUG OBJECT's line and DEBUG HELP.

mod common;

use std::time::{Duration, Instant};

use common::*;

const NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

fn status(r: R) -> String {
    match r {
        R::Status(s) => s,
        other => panic!("expected a status reply, got {other:?}"),
    }
}

#[test]
fn debug_is_refused_by_default_with_redis_text() {
    let s = Server::start();
    let redis = RedisServer::start_with(&["--enable-debug-command", "no"]);
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    for cmd in [&["DEBUG", "SLEEP", "0"][..], &["DEBUG", "HELP"], &["DEBUG", "nosuch"], &["DEBUG", "OBJECT", "k"]] {
        let reference = theirs.cmd(cmd);
        assert_eq!(reference, R::err(NOT_ALLOWED), "{cmd:?}");
        assert_eq!(ours.cmd(cmd), reference, "{cmd:?}");
    }
    // Arity comes first, as in Redis.
    assert_eq!(theirs.cmd(&["DEBUG"]), arity("debug"));
    assert_eq!(ours.cmd(&["DEBUG"]), arity("debug"));
    // Refused when queued, so EXEC fails.
    for cmd in [&["MULTI"][..], &["DEBUG", "SLEEP", "0"], &["EXEC"]] {
        assert_eq!(ours.cmd(cmd), theirs.cmd(cmd), "{cmd:?}");
    }
}

#[test]
fn debug_local_allows_loopback_clients() {
    let s = Server::start_with(&["--enable-debug-command", "local"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0"]), R::ok());
    assert_eq!(c.cmd(&["CONFIG", "GET", "enable-debug-command"]), bulks(&["enable-debug-command", "local"]));
}

#[test]
fn debug_errors_match_redis() {
    let s = Server::start_with(&["--enable-debug-command", "yes"]);
    let redis = RedisServer::start_with(&["--enable-debug-command", "yes"]);
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let cases: &[&[&str]] = &[
        &["DEBUG", "nosuch"],
        &["DEBUG", "Sleep"],
        &["DEBUG", "sleep", "1", "2"],
        &["DEBUG", "object"],
        &["DEBUG", "set-active-expire"],
        &["DEBUG", "help", "me"],
        &["DEBUG", "OBJECT", "missing"],
        &["DEBUG", "SLEEP", "abc"],
        &["DEBUG", "SLEEP", "0.01"],
        &["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
    ];
    for cmd in cases {
        assert_eq!(ours.cmd(cmd), theirs.cmd(cmd), "{cmd:?}");
    }
    assert_eq!(
        ours.cmd(&["DEBUG", "nosuch"]),
        R::err("ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.")
    );
}

#[test]
fn debug_sleep_waits_with_decimals() {
    let s = Server::start_with(&["--enable-debug-command", "yes"]);
    let mut c = s.raw();
    let start = Instant::now();
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0.3"]), R::ok());
    assert!(start.elapsed() >= Duration::from_millis(300), "{:?}", start.elapsed());
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "-1"]), R::ok());
}

#[test]
fn debug_set_active_expire_turns_the_active_cycle_off_and_on() {
    let s = Server::start_with(&["--enable-debug-command", "yes"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), R::ok());
    assert_eq!(c.cmd(&["SET", "k", "v", "PX", "50"]), R::ok());
    std::thread::sleep(Duration::from_millis(600));
    // Nobody read it and the cycle is off: still counted.
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]), R::ok());
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.cmd(&["DBSIZE"]) != R::Int(0) {
        assert!(Instant::now() < deadline, "the active expire cycle did not come back");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn debug_object_shows_redis_line() {
    let s = Server::start_with(&["--enable-debug-command", "yes"]);
    let mut c = s.raw();
    assert_eq!(c.cmd(&["DEBUG", "OBJECT", "k"]), R::err("ERR no such key"));
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["SET", "n", "123"]);
    c.cmd(&["RPUSH", "l", "a", "b"]);
    let line = status(c.cmd(&["DEBUG", "OBJECT", "k"]));
    let fields: Vec<&str> = line.split(' ').map(|f| f.split(':').next().unwrap()).collect();
    assert_eq!(fields, ["Value", "at", "refcount", "encoding", "serializedlength", "lru", "lru_seconds_idle"], "{line}");
    assert!(line.starts_with("Value at:0x"), "{line}");
    assert!(line.contains(" refcount:1 encoding:embstr serializedlength:"), "{line}");
    assert!(line.ends_with(" lru_seconds_idle:0"), "{line}");
    let line = status(c.cmd(&["DEBUG", "OBJECT", "n"]));
    assert!(line.contains(" refcount:2147483647 encoding:int "), "{line}");
    let line = status(c.cmd(&["DEBUG", "OBJECT", "l"]));
    assert!(line.contains(" encoding:listpack "), "{line}");
    // Not an access.
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "k"]), R::bulk("embstr"));
}

#[test]
fn debug_help_lists_the_subcommands_in_redis_words() {
    let s = Server::start_with(&["--enable-debug-command", "yes"]);
    let redis = RedisServer::start_with(&["--enable-debug-command", "yes"]);
    let (mut ours, mut theirs) = (s.raw(), Conn::open(redis.port).unwrap());
    let lines = |r: R| match r {
        R::Array(items) => items.into_iter().map(status).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let (mine, reference) = (lines(ours.cmd(&["DEBUG", "HELP"])), lines(theirs.cmd(&["DEBUG", "HELP"])));
    assert_eq!(mine.first(), reference.first());
    assert_eq!(mine[mine.len() - 2..], reference[reference.len() - 2..]);
    for line in &mine {
        assert!(reference.contains(line), "{line:?} is not in Redis's DEBUG HELP");
    }
    for sub in ["OBJECT <key>", "SET-ACTIVE-EXPIRE <0|1>", "SLEEP <seconds>"] {
        assert!(mine.iter().any(|l| l == sub), "{sub}");
    }
}
