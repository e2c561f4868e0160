//! MONITOR and CLIENT PAUSE over the wire. MONITOR's stream for pipelines from two
//! clients is compared line by line with redis-server 7.0's (timestamps and ports
//! normalised): what is shown and hidden (admin commands, refused and queued commands),
//! EXEC after its commands, the database after SELECT, quoting, AUTH and HELLO
//! redaction, scripts before the commands they call (`lua`), a blocked command shown once, a monitor's own commands after their reply
//! and its refused keyspace commands. CLIENT PAUSE WRITE holds writes (inside MULTI
//! too), PUBLISH and write EXECs while reads answer; ALL holds everything; UNPAUSE and
//! the timeout release them in order; errors match Redis.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::reference::RedisServer;
use common::*;

/// A MONITOR connection: its raw lines as they arrive.
struct Monitor {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Monitor {
    fn start(port: u16) -> Monitor {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut m = Monitor { reader: BufReader::new(stream.try_clone().unwrap()), stream };
        m.stream.write_all(&encode(&["MONITOR"])).unwrap();
        assert_eq!(m.line(), "+OK");
        m
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.reader.read_line(&mut l).expect("a monitor line");
        l.trim_end_matches("\r\n").to_string()
    }

    /// Lines up to and including the first one containing `marker`.
    fn until(&mut self, marker: &str) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            let l = self.line();
            let done = l.contains(marker);
            out.push(l);
            if done {
                return out;
            }
        }
    }
}

/// Replaces the timestamp with `T` and each client's port with a letter in order of
/// appearance, so two servers' streams compare.
fn normalise(lines: &[String]) -> Vec<String> {
    let mut ports: HashMap<String, char> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            let rest = l.split_once(' ').map(|(_, r)| r).unwrap_or(l);
            let (addr_part, args) = rest.split_once("] ").unwrap_or((rest, ""));
            let (db, addr) = addr_part.trim_start_matches('[').split_once(' ').unwrap_or(("?", addr_part));
            let next = (b'A' + ports.len() as u8) as char;
            let who = *ports.entry(addr.to_string()).or_insert(next);
            format!("+T [{db} {who}] {args}")
        })
        .collect()
}

/// Sends `cmds` as one pipeline and reads one reply per command.
fn pipeline(port: u16, cmds: &[&[&str]]) -> Vec<R> {
    let mut raw = Raw::connect(port);
    let mut out = Vec::new();
    for c in cmds {
        out.extend(encode(c));
    }
    raw.send(&out);
    cmds.iter().map(|_| raw.read()).collect()
}

/// The stream one server's monitor sees for the same two clients' pipelines.
fn monitored(port: u16) -> (Vec<String>, Vec<u8>) {
    let mut mon = Monitor::start(port);
    pipeline(
        port,
        &[
            &["SET", "a", "1"],
            &["SELECT", "3"],
            &["set", "x y", "a\u{1}\n\"b\\"],
            &["MULTI"],
            &["INCR", "a"],
            &["EXEC"],
            &["CONFIG", "GET", "port"],
            &["AUTH", "not-real"],
            &["AUTH", "user", "not-a-password"],
            &["HELLO", "2", "AUTH", "default", "secret"],
            &["GET", "123"],
            &["CLIENT", "LIST"],
            &["MULTI"],
            &["NOSUCHCOMMAND"],
            &["EXEC"],
            &["GET"],
            &["EXISTS", "a", "b"],
        ],
    );
    pipeline(
        port,
        &[
            &["RPUSH", "l", "x"],
            &["LRANGE", "l", "0", "-1"],
            &["BLPOP", "empty", "0.01"],
            &["HSET", "h", "f", "v"],
            &["PUBLISH", "ch", "m"],
            &["DEBUG", "SLEEP", "0"],
            // Scripts are shown before the commands they call, which show as `lua`.
            &["EVAL", "redis.call('set','a','1'); return redis.call('get','a')", "0"],
            &["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function(k,a) return redis.call('incr', k[1]) end)"],
            &["FCALL", "f", "1", "cnt"],
            &["EVAL", "return redis.call('nosuch')", "0"],
            &["ECHO", "end-of-clients"],
        ],
    );
    let lines = mon.until("end-of-clients");
    // The monitor's own commands: its PING reply comes before its own line, a keyspace
    // command is refused, a second MONITOR answers nothing.
    let mut own = Vec::new();
    for c in [&["PING"][..], &["GET", "a"], &["MONITOR"], &["ECHO", "own"]] {
        own.extend(encode(c));
    }
    mon.stream.write_all(&own).unwrap();
    let mut raw = Vec::new();
    let mut got = String::new();
    while !got.contains("\"own\"") {
        let l = mon.line();
        got.push_str(&l);
        got.push('\n');
    }
    raw.extend(got.into_bytes());
    (normalise(&lines), raw)
}

#[test]
fn monitor_streams_what_redis_streams() {
    let redis = RedisServer::start();
    let server = Server::start();
    let (want, want_own) = monitored(redis.port);
    let (got, got_own) = monitored(server.port);
    assert_eq!(got, want, "MONITOR lines differ from redis-server's");
    // Sanity: the comparison covers what the test means to check.
    assert!(want.iter().any(|l| l == "+T [3 A] \"set\" \"x y\" \"a\\x01\\n\\\"b\\\\\""), "{want:#?}");
    assert!(want.iter().any(|l| l == "+T [3 A] \"AUTH\" \"(redacted)\" \"(redacted)\""), "{want:#?}");
    assert_eq!(want.iter().filter(|l| l.contains("BLPOP")).count(), 1);
    assert!(!want.iter().any(|l| l.contains("CONFIG") || l.contains("DEBUG") || l.contains("NOSUCH")));
    let norm = |b: Vec<u8>| -> Vec<String> {
        String::from_utf8(b).unwrap().lines().map(|l| if l.starts_with("+1") { normalise(&[l.to_string()])[0].clone() } else { l.to_string() }).collect()
    };
    assert_eq!(norm(got_own), norm(want_own));
}

#[test]
fn monitor_shows_unix_socket_clients_and_leaves_on_reset() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("d.sock");
    let server = Server::start_with(&["--unixsocket", sock.to_str().unwrap()]);
    let mut mon = Monitor::start(server.port);
    let mut unix = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    unix.write_all(&encode(&["SET", "k", "v"])).unwrap();
    let mut r = BufReader::new(unix.try_clone().unwrap());
    assert_eq!(read_reply(&mut r).unwrap(), R::ok());
    let line = mon.line();
    assert!(line.ends_with(&format!("[0 unix:{}] \"SET\" \"k\" \"v\"", sock.display())), "{line}");
    // CLIENT LIST flags the monitor with O; RESET ends it and its keyspace refusals.
    // (A raw connection: the redis crate's own CLIENT SETINFO would be monitored.)
    let mut c = Raw::connect(server.port);
    let client_list = |c: &mut Raw| match c.cmd(&["CLIENT", "LIST"]) {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    let list = client_list(&mut c);
    assert!(list.lines().any(|l| l.contains("flags=O") && l.contains("cmd=monitor")), "{list}");
    mon.stream.write_all(&encode(&["GET", "k"])).unwrap();
    assert_eq!(mon.line(), "-ERR Replica can't interact with the keyspace");
    mon.stream.write_all(&encode(&["RESET"])).unwrap();
    assert_eq!(mon.line(), "+RESET");
    mon.stream.write_all(&encode(&["GET", "k"])).unwrap();
    assert_eq!(mon.line(), "$1");
    assert_eq!(mon.line(), "v");
    let list = client_list(&mut c);
    assert!(!list.contains("flags=O"), "{list}");
}

#[test]
fn monitor_inside_multi_is_refused_at_exec() {
    let server = Server::start();
    let replies = pipeline(server.port, &[&["MULTI"], &["MONITOR"], &["EXEC"], &["PING"]]);
    assert_eq!(
        replies,
        vec![
            R::ok(),
            R::Status("QUEUED".into()),
            R::Array(vec![R::err("ERR MONITOR isn't allowed for DENY BLOCKING client")]),
            R::Status("PONG".into()),
        ]
    );
}

/// Waits until client `id` is postponed (flag `b` in CLIENT LIST).
fn wait_postponed(c: &mut redis::Connection, id: &str) {
    assert!(wait_until(Duration::from_secs(10), || {
        let list: String = redis::cmd("CLIENT").arg("LIST").query(c).unwrap();
        list.lines().any(|l| {
            l.starts_with(&format!("id={id} "))
                && l.split(' ').any(|f| f.strip_prefix("flags=").is_some_and(|flags| flags.contains('b')))
        })
    }));
}

#[test]
fn client_pause_write_holds_writes_while_reads_answer() {
    let server = Server::start();
    let mut admin = server.client();
    let _: () = redis::cmd("SET").arg("k").arg("old").query(&mut admin).unwrap();
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(60_000).arg("WRITE").query(&mut admin).unwrap();
    let paused: String = redis::cmd("INFO").arg("clients").query(&mut admin).unwrap();
    assert!(paused.contains("paused_reason:client_pause") && paused.contains("paused_actions:write"), "{paused}");

    let mut writer = Raw::connect(server.port);
    let id = writer.id();
    writer.send_cmd(&["SET", "k", "new"]);
    wait_postponed(&mut admin, &id);
    // Reads answer meanwhile, and see the old value.
    let mut reader = Raw::connect(server.port);
    assert_eq!(reader.cmd(&["GET", "k"]), R::bulk("old"));
    let blocked: String = redis::cmd("INFO").arg("clients").query(&mut admin).unwrap();
    assert!(blocked.contains("blocked_clients:1"), "{blocked}");
    // A read inside MULTI queues; a write inside MULTI waits, as in Redis.
    assert_eq!(reader.cmd(&["MULTI"]), R::ok());
    assert_eq!(reader.cmd(&["GET", "k"]), R::Status("QUEUED".into()));
    let rid = reader.id_in_multi();
    reader.send_cmd(&["PUBLISH", "ch", "m"]);
    wait_postponed(&mut admin, &rid);

    let _: () = redis::cmd("CLIENT").arg("UNPAUSE").query(&mut admin).unwrap();
    assert_eq!(writer.read(), R::ok());
    assert_eq!(reader.read(), R::Status("QUEUED".into()));
    assert_eq!(reader.cmd(&["EXEC"]), R::Array(vec![R::bulk("new"), R::Int(0)]));
    let after: String = redis::cmd("INFO").arg("clients").query(&mut admin).unwrap();
    assert!(after.contains("paused_actions:none") && after.contains("blocked_clients:0"), "{after}");
}

trait InMulti {
    fn id_in_multi(&mut self) -> String;
}

impl InMulti for Raw {
    /// CLIENT ID inside MULTI is queued; read the id from CLIENT LIST of a helper
    /// instead: this connection's is the only one in a transaction.
    fn id_in_multi(&mut self) -> String {
        let port = self.stream.peer_addr().unwrap().port();
        let mut other = Raw::connect(port);
        let R::Bulk(list) = other.cmd(&["CLIENT", "LIST"]) else { panic!() };
        let list = String::from_utf8(list).unwrap();
        let line = list.lines().find(|l| l.contains("flags=x")).expect("a client in MULTI");
        line.split(' ').next().unwrap().trim_start_matches("id=").to_string()
    }
}

#[test]
fn client_pause_all_holds_every_command_until_it_ends() {
    let server = Server::start();
    let mut admin = server.client();
    let mut other = Raw::connect(server.port);
    let id = other.id();
    // The pause ends by its timeout: pick one long enough for the checks below and
    // short enough not to slow the test.
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(1500).query(&mut admin).unwrap();
    other.send_cmd(&["PING"]);
    let mut watcher = server.client();
    // CLIENT LIST itself waits under ALL, so the postponement shows only afterwards:
    // the PING is answered once the timeout passed, and nothing was lost meanwhile.
    assert_eq!(other.read(), R::Status("PONG".into()));
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut watcher).unwrap();
    assert!(list.contains(&format!("id={id} ")), "{list}");
    let info: String = redis::cmd("INFO").arg("clients").query(&mut admin).unwrap();
    assert!(info.contains("paused_actions:none"), "{info}");
}

#[test]
fn client_pause_keeps_the_later_end_and_the_stronger_mode() {
    let server = Server::start();
    let mut admin = server.client();
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(60_000).arg("WRITE").query(&mut admin).unwrap();
    // A shorter pause does not shorten it; ALL is stronger than WRITE... but ALL would
    // also hold this admin connection, so check the end with WRITE only.
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(10).arg("WRITE").query(&mut admin).unwrap();
    let info: String = redis::cmd("INFO").arg("clients").query(&mut admin).unwrap();
    let left: i64 = info
        .lines()
        .find_map(|l| l.strip_prefix("paused_timeout_milliseconds:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert!(left > 10_000, "{info}");
    let _: () = redis::cmd("CLIENT").arg("UNPAUSE").query(&mut admin).unwrap();
}

#[test]
fn client_pause_errors_match_redis() {
    let redis = RedisServer::start();
    let server = Server::start();
    let cases: &[&[&str]] = &[
        &["CLIENT", "PAUSE", "abc", "foo"],
        &["CLIENT", "PAUSE", "abc"],
        &["CLIENT", "PAUSE", "-1"],
        &["CLIENT", "PAUSE", "1.5", "WRITE"],
        &["CLIENT", "PAUSE", "10", "write", "x"],
        &["CLIENT", "PAUSE"],
        &["CLIENT", "UNPAUSE", "x"],
        &["CLIENT", "PAUSE", "0", "write"],
        &["CLIENT", "UNPAUSE"],
    ];
    for c in cases {
        let want = Raw::connect(redis.port).cmd(c);
        let got = Raw::connect(server.port).cmd(c);
        assert_eq!(got, want, "{c:?}");
    }
}
