//! CLIENT UNBLOCK against the real server, after Redis's tests/unit/introspection.tcl
//! and the blocking cases of list.tcl / zset.tcl: every blocking command answers its
//! timeout reply (TIMEOUT, the default) or `-UNBLOCKED ...` (ERROR), and the answer is
//! 1 only for a client that was blocked. The replies were checked byte for byte against
//! redis-server 7.0.15.

mod common;
use common::*;

const UNBLOCKED: &str = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/// Every blocking command DiskDB has, waiting for ever on keys that do not exist.
const BLOCKING: &[&[&str]] = &[
    &["BLPOP", "k", "0"],
    &["BRPOP", "k", "0"],
    &["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"],
    &["BRPOPLPUSH", "k", "d", "0"],
    &["BLMPOP", "0", "1", "k", "LEFT"],
    &["BZPOPMIN", "z", "0"],
    &["BZPOPMAX", "z", "0"],
    &["BZMPOP", "0", "1", "z", "MIN"],
];

fn client_id(c: &mut Raw) -> String {
    match c.cmd(&["CLIENT", "ID"]) {
        R::Int(id) => id.to_string(),
        other => panic!("CLIENT ID answered {other:?}"),
    }
}

/// Sends `args` on a new connection and waits until the server sees it blocked; answers
/// the connection and its id.
fn blocked_client(s: &Server, args: &[&str]) -> (Raw, String) {
    let mut b = s.raw();
    let id = client_id(&mut b);
    b.send(&encode(args));
    s.wait_blocked(1);
    (b, id)
}

fn blocked_clients(s: &Server) -> String {
    s.info_field("clients", "blocked_clients").expect("INFO blocked_clients")
}

#[test]
fn client_unblock_timeout_answers_the_timeout_reply_of_every_blocking_command() {
    let s = Server::start();
    let mut c = s.raw();
    for cmd in BLOCKING {
        for mode in [None, Some("TIMEOUT"), Some("timeout")] {
            let (mut b, id) = blocked_client(&s, cmd);
            let mut unblock = vec!["CLIENT", "UNBLOCK", id.as_str()];
            unblock.extend(mode);
            assert_eq!(c.cmd(&unblock), R::Int(1), "{cmd:?} {mode:?}");
            // Redis answers a nil array to every one of them in RESP2, BLMOVE too.
            assert_eq!(b.read(), R::Nil, "{cmd:?} {mode:?}");
            s.wait_blocked(0);
            // The client is free again: it runs commands, and a second unblock finds
            // nothing to end.
            assert_eq!(b.cmd(&["PING"]), R::Status("PONG".into()));
            assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id]), R::Int(0));
        }
    }
    assert_eq!(blocked_clients(&s), "0");
}

#[test]
fn client_unblock_error_answers_unblocked_error_for_every_blocking_command() {
    let s = Server::start();
    let mut c = s.raw();
    for cmd in BLOCKING {
        let (mut b, id) = blocked_client(&s, cmd);
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]), R::Int(1), "{cmd:?}");
        assert_eq!(b.read(), R::err(UNBLOCKED), "{cmd:?}");
        s.wait_blocked(0);
        assert_eq!(b.cmd(&["PING"]), R::Status("PONG".into()));
    }
    assert_eq!(blocked_clients(&s), "0");
    // The error counts in INFO errorstats, as Redis counts it.
    assert_eq!(s.info_field("errorstats", "errorstat_UNBLOCKED").as_deref(), Some("count=8"));
}

#[test]
fn client_unblock_in_resp3_answers_null_or_the_error() {
    let s = Server::start();
    let mut c = s.raw();
    let mut b = s.raw();
    b.cmd(&["HELLO", "3"]);
    let id = client_id(&mut b);
    b.send(&encode(&["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"]));
    s.wait_blocked(1);
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id]), R::Int(1));
    assert_eq!(b.read(), R::Nil);
    b.send(&encode(&["BZPOPMIN", "z", "0"]));
    s.wait_blocked(1);
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]), R::Int(1));
    assert_eq!(b.read(), R::err(UNBLOCKED));
}

#[test]
fn client_unblock_of_a_client_that_is_not_blocked_answers_0() {
    let s = Server::start();
    let mut c = s.raw();
    let mut idle = s.raw();
    let id = client_id(&mut idle);
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id]), R::Int(0));
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]), R::Int(0));
    // Its own id: the caller is not blocked either.
    let me = client_id(&mut c);
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &me]), R::Int(0));
    // A request that found nothing leaves nothing behind: a later BLPOP still waits
    // for its own timeout.
    idle.send(&encode(&["BLPOP", "k", "0.2"]));
    let started = std::time::Instant::now();
    assert_eq!(idle.read(), R::Nil);
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    assert_eq!(blocked_clients(&s), "0");
}

#[test]
fn client_unblock_of_an_unknown_id_answers_0() {
    let s = Server::start();
    let mut c = s.raw();
    for id in ["999999", "0", "-1"] {
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", id]), R::Int(0), "{id}");
        assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", id, "ERROR"]), R::Int(0), "{id}");
    }
}

#[test]
fn client_unblock_errors_as_redis() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", "abc"]), R::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", "1", "foo"]), R::err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
    assert_eq!(
        c.cmd(&["CLIENT", "UNBLOCK", "1", "timeout", "extra"]),
        R::err("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.")
    );
    // The subcommand is echoed as sent, the container in capitals.
    assert_eq!(
        c.cmd(&["client", "unBlock", "1", "error", "x"]),
        R::err("ERR unknown subcommand or wrong number of arguments for 'unBlock'. Try CLIENT HELP.")
    );
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK"]), arity("client|unblock"));
}

#[test]
fn client_unblock_leaves_other_blocked_clients_waiting() {
    let s = Server::start();
    let mut c = s.raw();
    let (mut a, a_id) = blocked_client(&s, &["BLPOP", "k", "0"]);
    let mut b = s.raw();
    b.send(&encode(&["BLPOP", "k", "0"]));
    s.wait_blocked(2);
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &a_id]), R::Int(1));
    assert_eq!(a.read(), R::Nil);
    s.wait_blocked(1);
    // The one left is still served by the next push.
    assert_eq!(c.cmd(&["RPUSH", "k", "v"]), R::Int(1));
    assert_eq!(b.read(), bulks(&["k", "v"]));
    assert_eq!(blocked_clients(&s), "0");
}

#[test]
fn blocking_commands_inside_multi_do_not_block_so_there_is_nothing_to_unblock() {
    let s = Server::start();
    let mut c = s.raw();
    let mut m = s.raw();
    let id = client_id(&mut m);
    assert_eq!(m.cmd(&["MULTI"]), R::ok());
    assert_eq!(m.cmd(&["BLPOP", "k", "0"]), R::Status("QUEUED".into()));
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", &id]), R::Int(0));
    assert_eq!(m.cmd(&["EXEC"]), R::Array(vec![R::Nil]));
    assert_eq!(blocked_clients(&s), "0");
}
