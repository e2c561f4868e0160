//! Connection commands against the real server: PING, ECHO, QUIT, SELECT, AUTH, HELLO,
//! RESET and CLIENT, after Redis's tests/unit/introspection.tcl, auth.tcl and
//! protocol.tcl (HELLO).

mod common;
use common::*;

fn st(s: &str) -> R {
    R::Status(s.into())
}

/// Turns a flat RESP2 `[k, v, k, v...]` or a RESP3 map into pairs.
fn pairs(r: &R) -> Vec<(String, R)> {
    let items = match r {
        R::Array(items) | R::Agg('%', items) => items,
        other => panic!("not a map: {other:?}"),
    };
    items
        .chunks(2)
        .map(|kv| match &kv[0] {
            R::Bulk(k) => (String::from_utf8_lossy(k).into_owned(), kv[1].clone()),
            other => panic!("map key {other:?}"),
        })
        .collect()
}

fn field(r: &R, name: &str) -> R {
    pairs(r).into_iter().find(|(k, _)| k == name).map(|(_, v)| v).unwrap_or_else(|| panic!("no field {name}"))
}

fn text(r: R) -> String {
    match r {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("not a bulk string: {other:?}"),
    }
}

/// `key=value` fields of a CLIENT LIST line.
fn client_fields(line: &str) -> Vec<(String, String)> {
    line.split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn client_field(line: &str, name: &str) -> String {
    client_fields(line).into_iter().find(|(k, _)| k == name).map(|(_, v)| v).unwrap_or_else(|| panic!("{name} in {line}"))
}

/// Starts a server whose clients must authenticate with `pass`. The password is set
/// at run time: the harness's readiness probe (an unauthenticated PING) must get in.
fn start_with_password(pass: &str) -> Server {
    let s = Server::start();
    assert_eq!(s.raw().cmd(&["CONFIG", "SET", "requirepass", pass]), R::ok());
    s
}

/// Waits until the server lists `n` clients (the harness's readiness probe may still be
/// on its way out).
fn wait_clients(c: &mut Raw, n: usize) {
    for _ in 0..200 {
        if text(c.cmd(&["CLIENT", "LIST"])).lines().count() == n {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("never saw {n} clients");
}

#[test]
fn ping_and_echo() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["PING"]), st("PONG"));
    assert_eq!(c.cmd(&["PING", "hello world"]), R::bulk("hello world"));
    assert_eq!(c.cmd(&["PING", "a", "b"]), R::err("ERR wrong number of arguments for 'ping' command"));
    assert_eq!(c.cmd(&["ECHO", "x y"]), R::bulk("x y"));
    assert_eq!(c.cmd(&["ECHO"]), R::err("ERR wrong number of arguments for 'echo' command"));
    // PING answers a simple string in RESP3 as well.
    c.cmd(&["HELLO", "3"]);
    assert_eq!(c.cmd(&["PING"]), st("PONG"));
}

#[test]
fn quit_replies_ok_then_closes() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["QUIT"]), R::ok());
    assert!(c.read_to_close().is_empty());
}

#[test]
fn select_switches_between_isolated_databases() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["SET", "k", "zero"]);
    assert_eq!(c.cmd(&["SELECT", "9"]), R::ok());
    assert_eq!(c.cmd(&["GET", "k"]), R::Nil);
    c.cmd(&["SET", "k", "nine"]);
    assert_eq!(c.cmd(&["DBSIZE"]), R::Int(1));
    assert_eq!(c.cmd(&["SELECT", "0"]), R::ok());
    assert_eq!(c.cmd(&["GET", "k"]), R::bulk("zero"));
    assert_eq!(c.cmd(&["SELECT", "16"]), R::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["SELECT", "-1"]), R::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["SELECT", "abc"]), R::err("ERR value is not an integer or out of range"));
}

#[test]
fn auth_without_a_configured_password() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(
        c.cmd(&["AUTH", "x"]),
        R::err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
    );
    // The default user has no password: any password is accepted for it.
    assert_eq!(c.cmd(&["AUTH", "default", "anything"]), R::ok());
    assert_eq!(c.cmd(&["AUTH", "nouser", "x"]), R::err("WRONGPASS invalid username-password pair or user is disabled."));
    assert_eq!(c.cmd(&["AUTH", "a", "b", "c"]), R::err("ERR syntax error"));
}

#[test]
fn requirepass_gates_commands_until_auth() {
    let s = start_with_password("foobar");
    let mut c = s.raw();
    assert_eq!(c.cmd(&["GET", "a"]), R::err("NOAUTH Authentication required."));
    assert_eq!(c.cmd(&["PING"]), R::err("NOAUTH Authentication required."));
    assert_eq!(c.cmd(&["AUTH", "wrong"]), R::err("WRONGPASS invalid username-password pair or user is disabled."));
    assert_eq!(c.cmd(&["AUTH", "default", "wrong"]), R::err("WRONGPASS invalid username-password pair or user is disabled."));
    assert_eq!(c.cmd(&["AUTH", "foobar"]), R::ok());
    assert_eq!(c.cmd(&["SET", "a", "1"]), R::ok());
    // Another connection starts unauthenticated; AUTH with the user name works too.
    let mut d = s.raw();
    assert_eq!(d.cmd(&["GET", "a"]), R::err("NOAUTH Authentication required."));
    assert_eq!(d.cmd(&["AUTH", "default", "foobar"]), R::ok());
    assert_eq!(d.cmd(&["GET", "a"]), R::bulk("1"));
}

#[test]
fn hello_requires_auth_or_authenticates_itself() {
    let s = start_with_password("foobar");
    let mut c = s.raw();
    assert_eq!(
        c.cmd(&["HELLO", "3"]),
        R::err(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
        )
    );
    assert_eq!(
        c.cmd(&["HELLO", "3", "AUTH", "default", "nope"]),
        R::err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    let r = c.cmd(&["HELLO", "3", "AUTH", "default", "foobar", "SETNAME", "me"]);
    assert_eq!(field(&r, "proto"), R::Int(3));
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), R::bulk("me"));
    assert_eq!(c.cmd(&["GET", "nokey"]), R::Nil);
}

#[test]
fn hello_describes_the_server_in_resp2_and_resp3() {
    let s = Server::start();
    let mut c = s.raw();
    let id = match c.cmd(&["CLIENT", "ID"]) {
        R::Int(n) => n,
        other => panic!("{other:?}"),
    };
    let r2 = c.cmd(&["HELLO"]);
    let R::Array(items) = &r2 else { panic!("RESP2 HELLO must be a flat array: {r2:?}") };
    assert_eq!(items.len(), 14);
    let keys: Vec<String> = pairs(&r2).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["server", "version", "proto", "id", "mode", "role", "modules"]);
    assert_eq!(field(&r2, "server"), R::bulk("redis"));
    assert!(text(field(&r2, "version")).starts_with("7."));
    assert_eq!(field(&r2, "proto"), R::Int(2));
    assert_eq!(field(&r2, "id"), R::Int(id));
    assert_eq!(field(&r2, "mode"), R::bulk("standalone"));
    assert_eq!(field(&r2, "role"), R::bulk("master"));
    assert_eq!(field(&r2, "modules"), R::Array(vec![]));

    let r3 = c.cmd(&["HELLO", "3"]);
    assert!(matches!(r3, R::Agg('%', _)), "RESP3 HELLO must be a map: {r3:?}");
    assert_eq!(field(&r3, "proto"), R::Int(3));
    // Now in RESP3: nulls are `_`, maps are `%`.
    c.send(&encode(&["GET", "missing"]));
    let mut line = [0u8; 3];
    std::io::Read::read_exact(&mut c.stream, &mut line).unwrap();
    assert_eq!(&line, b"_\r\n");
    assert!(matches!(c.cmd(&["CONFIG", "GET", "maxclients"]), R::Agg('%', _)));
    // And back.
    assert_eq!(field(&c.cmd(&["HELLO", "2"]), "proto"), R::Int(2));
    assert_eq!(c.cmd(&["GET", "missing"]), R::Nil);
}

#[test]
fn hello_rejects_bad_versions_and_options() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["HELLO", "4"]), R::err("NOPROTO unsupported protocol version"));
    assert_eq!(c.cmd(&["HELLO", "1"]), R::err("NOPROTO unsupported protocol version"));
    assert_eq!(c.cmd(&["HELLO", "abc"]), R::err("ERR Protocol version is not an integer or out of range"));
    assert_eq!(c.cmd(&["HELLO", "3", "FOO"]), R::err("ERR Syntax error in HELLO option 'FOO'"));
    assert_eq!(c.cmd(&["HELLO", "3", "AUTH", "default"]), R::err("ERR Syntax error in HELLO option 'AUTH'"));
    assert_eq!(
        c.cmd(&["HELLO", "2", "SETNAME", "a b"]),
        R::err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    // A refused HELLO changes nothing.
    assert_eq!(c.cmd(&["GET", "missing"]), R::Nil);
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), R::Nil);
}

#[test]
fn reset_restores_a_fresh_connection() {
    let s = start_with_password("pw");
    let mut c = s.raw();
    c.cmd(&["AUTH", "pw"]);
    c.cmd(&["HELLO", "3", "SETNAME", "before"]);
    c.cmd(&["SELECT", "5"]);
    c.cmd(&["WATCH", "w"]);
    c.cmd(&["CLIENT", "NO-EVICT", "on"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "x", "1"]);
    assert_eq!(c.cmd(&["RESET"]), st("RESET"));
    // Not authenticated any more (a password is required)...
    assert_eq!(c.cmd(&["GET", "x"]), R::err("NOAUTH Authentication required."));
    assert_eq!(c.cmd(&["AUTH", "pw"]), R::ok());
    // ...RESP2, database 0, no name, no transaction, no queued write.
    assert_eq!(field(&c.cmd(&["HELLO"]), "proto"), R::Int(2));
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), R::Nil);
    assert_eq!(c.cmd(&["EXEC"]), R::err("ERR EXEC without MULTI"));
    let info = text(c.cmd(&["CLIENT", "INFO"]));
    assert_eq!(client_field(info.trim_end(), "db"), "0");
    assert_eq!(client_field(info.trim_end(), "flags"), "N");
    assert_eq!(client_field(info.trim_end(), "watch"), "0");
    c.cmd(&["SELECT", "5"]);
    assert_eq!(c.cmd(&["GET", "x"]), R::Nil);
}

#[test]
fn reset_without_password_keeps_the_client_authenticated() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["RESET"]), st("RESET"));
    assert_eq!(c.cmd(&["SET", "a", "b"]), R::ok());
}

#[test]
fn client_id_setname_getname() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    let (R::Int(ia), R::Int(ib)) = (a.cmd(&["CLIENT", "ID"]), b.cmd(&["CLIENT", "ID"])) else { panic!() };
    assert!(ib > ia, "ids grow: {ia} {ib}");
    assert_eq!(a.cmd(&["CLIENT", "GETNAME"]), R::Nil);
    assert_eq!(a.cmd(&["CLIENT", "SETNAME", "myname"]), R::ok());
    assert_eq!(a.cmd(&["CLIENT", "GETNAME"]), R::bulk("myname"));
    assert_eq!(
        a.cmd(&["CLIENT", "SETNAME", "foo bar"]),
        R::err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(
        a.cmd(&["CLIENT", "SETNAME", "foo\nbar"]),
        R::err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(a.cmd(&["CLIENT", "GETNAME"]), R::bulk("myname"));
    // An empty name removes it.
    assert_eq!(a.cmd(&["CLIENT", "SETNAME", ""]), R::ok());
    assert_eq!(a.cmd(&["CLIENT", "GETNAME"]), R::Nil);
    assert_eq!(a.cmd(&["CLIENT", "SETNAME"]), R::err("ERR wrong number of arguments for 'client|setname' command"));
    assert_eq!(a.cmd(&["CLIENT", "GETNAME", "x"]), R::err("ERR wrong number of arguments for 'client|getname' command"));
    assert_eq!(a.cmd(&["CLIENT"]), R::err("ERR wrong number of arguments for 'client' command"));
    assert_eq!(a.cmd(&["CLIENT", "FOO"]), R::err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
}

#[test]
fn client_setinfo_shows_in_client_info() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "LIB-NAME", "redis-rs"]), R::ok());
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "lib-ver", "0.27.0"]), R::ok());
    let info = text(c.cmd(&["CLIENT", "INFO"]));
    assert_eq!(client_field(info.trim_end(), "lib-name"), "redis-rs");
    assert_eq!(client_field(info.trim_end(), "lib-ver"), "0.27.0");
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "badopt", "v"]), R::err("ERR Unrecognized option 'badopt'"));
    assert_eq!(
        c.cmd(&["CLIENT", "SETINFO", "lib-name", "redis py"]),
        R::err("ERR lib-name cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "lib-name"]), R::err("ERR wrong number of arguments for 'client|setinfo' command"));
}

#[test]
fn client_list_has_redis_fields_in_order() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    b.cmd(&["CLIENT", "SETNAME", "bee"]);
    b.cmd(&["SELECT", "3"]);
    wait_clients(&mut a, 2);
    let list = text(a.cmd(&["CLIENT", "LIST"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(list.ends_with('\n'));
    let names: Vec<String> = client_fields(lines[0]).into_iter().map(|(k, _)| k).collect();
    let expected = [
        "id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub", "multi", "watch",
        "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd",
        "user", "redir", "resp", "lib-name", "lib-ver",
    ];
    assert_eq!(names, expected);
    // Oldest first; the caller sees its own current command.
    assert_eq!(client_field(lines[0], "cmd"), "client|list");
    assert_eq!(client_field(lines[0], "flags"), "N");
    assert_eq!(client_field(lines[0], "user"), "default");
    assert_eq!(client_field(lines[0], "multi"), "-1");
    assert_eq!(client_field(lines[1], "name"), "bee");
    assert_eq!(client_field(lines[1], "db"), "3");
    assert_eq!(client_field(lines[1], "laddr"), s.addr());
    let b_id = client_field(lines[1], "id");

    let only_b = text(a.cmd(&["CLIENT", "LIST", "ID", &b_id, "999999"]));
    assert_eq!(only_b.lines().count(), 1);
    assert_eq!(client_field(only_b.trim_end(), "name"), "bee");
    assert_eq!(text(a.cmd(&["CLIENT", "LIST", "TYPE", "normal"])).lines().count(), 2);
    assert_eq!(text(a.cmd(&["CLIENT", "LIST", "TYPE", "pubsub"])), "");
    assert_eq!(a.cmd(&["CLIENT", "LIST", "TYPE", "foo"]), R::err("ERR Unknown client type 'foo'"));
    assert_eq!(a.cmd(&["CLIENT", "LIST", "ID", "abc"]), R::err("ERR Invalid client ID"));
    assert_eq!(a.cmd(&["CLIENT", "LIST", "foo"]), R::err("ERR syntax error"));
}

#[test]
fn client_list_shows_multi_and_watch_state() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    b.cmd(&["WATCH", "k1", "k2"]);
    b.cmd(&["MULTI"]);
    b.cmd(&["SET", "k1", "v"]);
    wait_clients(&mut a, 2);
    let list = text(a.cmd(&["CLIENT", "LIST"]));
    let line = list.lines().nth(1).unwrap();
    assert_eq!(client_field(line, "flags"), "x");
    assert_eq!(client_field(line, "multi"), "1");
    assert_eq!(client_field(line, "watch"), "2");
}

#[test]
fn client_info_describes_the_caller() {
    let s = Server::start();
    let mut c = s.raw();
    c.cmd(&["CLIENT", "SETNAME", "me"]);
    let info = text(c.cmd(&["CLIENT", "INFO"]));
    assert!(info.ends_with('\n'));
    let line = info.trim_end();
    assert_eq!(client_field(line, "name"), "me");
    assert_eq!(client_field(line, "cmd"), "client|info");
    assert_eq!(client_field(line, "resp"), "2");
    let R::Int(id) = c.cmd(&["CLIENT", "ID"]) else { panic!() };
    assert_eq!(client_field(line, "id"), id.to_string());
}

#[test]
fn client_kill_old_form_by_address() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    let b_addr = b.stream.local_addr().unwrap().to_string();
    wait_clients(&mut a, 2);
    assert_eq!(a.cmd(&["CLIENT", "KILL", &b_addr]), R::ok());
    assert!(b.read_to_close().is_empty());
    assert_eq!(a.cmd(&["CLIENT", "KILL", &b_addr]), R::err("ERR No such client"));
    assert_eq!(text(a.cmd(&["CLIENT", "LIST"])).lines().count(), 1);
    // The old form may kill the caller itself, after the reply.
    let me = a.stream.local_addr().unwrap().to_string();
    assert_eq!(a.cmd(&["CLIENT", "KILL", &me]), R::ok());
    assert!(a.read_to_close().is_empty());
}

#[test]
fn client_kill_with_filters() {
    let s = Server::start();
    let mut a = s.raw();
    let mut b = s.raw();
    let mut c = s.raw();
    wait_clients(&mut a, 3);
    let R::Int(b_id) = b.cmd(&["CLIENT", "ID"]) else { panic!() };
    assert_eq!(a.cmd(&["CLIENT", "KILL", "ID", &b_id.to_string()]), R::Int(1));
    assert!(b.read_to_close().is_empty());
    assert_eq!(a.cmd(&["CLIENT", "KILL", "ID", &b_id.to_string()]), R::Int(0));
    assert_eq!(a.cmd(&["CLIENT", "KILL", "ID", "abc"]), R::err("ERR client-id should be greater than 0"));
    assert_eq!(a.cmd(&["CLIENT", "KILL", "ID", "0"]), R::err("ERR client-id should be greater than 0"));
    assert_eq!(a.cmd(&["CLIENT", "KILL", "TYPE", "foo"]), R::err("ERR Unknown client type 'foo'"));
    assert_eq!(a.cmd(&["CLIENT", "KILL", "USER", "nobody"]), R::err("ERR No such user 'nobody'"));
    assert_eq!(a.cmd(&["CLIENT", "KILL", "SKIPME", "maybe"]), R::err("ERR syntax error"));
    assert_eq!(a.cmd(&["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "LADDR"]), R::err("ERR syntax error"));
    assert_eq!(a.cmd(&["CLIENT", "KILL", "BOGUS", "x"]), R::err("ERR syntax error"));
    assert_eq!(a.cmd(&["CLIENT", "KILL"]), R::err("ERR wrong number of arguments for 'client|kill' command"));
    // LADDR matches every client of this listener but the caller (SKIPME defaults to yes).
    assert_eq!(a.cmd(&["CLIENT", "KILL", "LADDR", &s.addr()]), R::Int(1));
    assert!(c.read_to_close().is_empty());
    // USER default, SKIPME no: the caller goes too, after its reply.
    assert_eq!(a.cmd(&["CLIENT", "KILL", "USER", "default", "SKIPME", "no"]), R::Int(1));
    assert!(a.read_to_close().is_empty());
    let mut d = s.raw();
    assert_eq!(d.cmd(&["PING"]), st("PONG"));
}

#[test]
fn client_no_evict_and_no_touch_switches() {
    let s = Server::start();
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CLIENT", "NO-EVICT", "on"]), R::ok());
    assert_eq!(c.cmd(&["CLIENT", "NO-TOUCH", "ON"]), R::ok());
    let info = text(c.cmd(&["CLIENT", "INFO"]));
    assert_eq!(client_field(info.trim_end(), "flags"), "eT");
    assert_eq!(c.cmd(&["CLIENT", "NO-EVICT", "off"]), R::ok());
    assert_eq!(c.cmd(&["CLIENT", "NO-TOUCH", "off"]), R::ok());
    let info = text(c.cmd(&["CLIENT", "INFO"]));
    assert_eq!(client_field(info.trim_end(), "flags"), "N");
    assert_eq!(c.cmd(&["CLIENT", "NO-EVICT", "maybe"]), R::err("ERR syntax error"));
    assert_eq!(c.cmd(&["CLIENT", "NO-TOUCH", "maybe"]), R::err("ERR syntax error"));
}

#[test]
fn client_reply_off_skip_on() {
    let s = Server::start();
    let mut c = s.raw();
    c.send(&encode(&["CLIENT", "REPLY", "OFF"]));
    c.send(&encode(&["SET", "a", "1"]));
    c.send(&encode(&["GET", "a"]));
    assert_eq!(c.cmd(&["CLIENT", "REPLY", "ON"]), R::ok());
    assert_eq!(c.cmd(&["GET", "a"]), R::bulk("1"));
    // SKIP silences itself and the next command only.
    c.send(&encode(&["CLIENT", "REPLY", "SKIP"]));
    c.send(&encode(&["SET", "a", "2"]));
    assert_eq!(c.cmd(&["GET", "a"]), R::bulk("2"));
    assert_eq!(c.cmd(&["CLIENT", "REPLY", "FOO"]), R::err("ERR syntax error"));
}

#[test]
fn client_help_lists_subcommands() {
    let s = Server::start();
    let mut c = s.raw();
    let R::Array(lines) = c.cmd(&["CLIENT", "HELP"]) else { panic!() };
    assert_eq!(lines[0], st("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assert!(lines.contains(&st("SETNAME <name>")));
    assert_eq!(lines.last(), Some(&st("    Prints this help.")));
}

#[test]
fn redis_cli_talks_to_the_server() {
    let s = Server::start();
    assert_eq!(s.cli(&["PING"]).trim(), "PONG");
    assert_eq!(s.cli(&["CLIENT", "SETNAME", "cli"]).trim(), "OK");
    let hello = s.cli(&["-3", "HELLO", "3"]);
    assert!(hello.contains("proto"), "{hello}");
    assert!(s.cli(&["CLIENT", "LIST"]).contains("cmd=client|list"));
}
