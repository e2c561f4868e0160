//! COMMAND DOCS against a real redis-server 7: for every command both servers implement,
//! the `arguments` tree DiskDB answers must equal Redis's exactly (RESP3 types, field
//! order, flags, nesting), and redis-cli, which builds its HELP lines and hints from those
//! trees, must show the same argument line for either server.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Commands whose arguments deliberately differ from Redis 7.0's, with the reason.
/// CLIENT SETINFO and CLIENT NO-TOUCH need no entry: Redis 7.0 has neither (their trees
/// are Redis 7.2's), so there is nothing to compare them with.
const ALLOWED_DIFFERENCES: &[(&str, &str)] = &[];

/// A redis-server 7 on a free loopback port, without persistence, stopped on drop.
struct RedisServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    fn start() -> RedisServer {
        let dir = tempfile::tempdir().unwrap();
        for _attempt in 0..5 {
            let port = free_port();
            let mut child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("redis-server is installed (make deps)");
            if answers_ping(&mut child, port) {
                return RedisServer { child, port, _dir: dir };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not become ready");
    }
}

/// Polls with PING until the server answers or exits (another process took the port).
fn answers_ping(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if let Ok(mut c) = Conn::open(port) {
            if c.cmd(&["PING"]) == R::Status("PONG".into()) {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A RESP connection to any port (the common `Raw` is tied to a DiskDB `Server`).
struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(port: u16) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Conn { reader: BufReader::new(stream.try_clone()?), stream })
    }

    fn cmd(&mut self, args: &[&str]) -> R {
        self.stream.write_all(&encode(args)).unwrap();
        read_reply(&mut self.reader).expect("reply")
    }

    /// A RESP3 connection, so maps and sets keep their types in the comparison.
    fn resp3(port: u16) -> Conn {
        let mut c = Conn::open(port).unwrap();
        assert!(matches!(c.cmd(&["HELLO", "3"]), R::Agg('%', _)), "HELLO 3 on port {port}");
        c
    }

    fn names(&mut self) -> Vec<String> {
        match self.cmd(&["COMMAND", "LIST"]) {
            R::Array(items) => items.into_iter().map(text).collect(),
            other => panic!("COMMAND LIST answered {other:?}"),
        }
    }

    /// The COMMAND DOCS entry of one command (a RESP3 map).
    fn docs(&mut self, name: &str) -> R {
        let reply = self.cmd(&["COMMAND", "DOCS", name]);
        let entry = field(&reply, name).unwrap_or_else(|| panic!("COMMAND DOCS {name} answered {reply:?}"));
        entry.clone()
    }
}

fn text(r: R) -> String {
    match r {
        R::Bulk(b) => String::from_utf8(b).unwrap(),
        R::Status(s) => s,
        other => panic!("expected a string, got {other:?}"),
    }
}

/// The keys of a RESP3 map, in order.
fn keys(map: &R) -> Vec<String> {
    match map {
        R::Agg('%', items) => items.iter().step_by(2).map(|k| text(k.clone())).collect(),
        other => panic!("expected a map, got {other:?}"),
    }
}

fn field<'a>(map: &'a R, key: &str) -> Option<&'a R> {
    match map {
        R::Agg('%', items) => items.chunks(2).find(|kv| kv[0] == R::bulk(key)).map(|kv| &kv[1]),
        _ => None,
    }
}

/// Names DiskDB and the redis-server both implement, in DiskDB's table order.
fn shared_commands(diskdb: &mut Conn, redis: &mut Conn) -> Vec<String> {
    let theirs: HashSet<String> = redis.names().into_iter().collect();
    let shared: Vec<String> = diskdb.names().into_iter().filter(|n| theirs.contains(n)).collect();
    assert!(shared.len() > 150, "only {} commands in common: is this redis-server 7?", shared.len());
    shared
}

#[test]
fn command_docs_arguments_equal_redis_server_for_every_command() {
    let server = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (Conn::resp3(server.port), Conn::resp3(redis.port));
    let allowed: HashSet<&str> = ALLOWED_DIFFERENCES.iter().map(|(n, _)| *n).collect();

    let mut differ = Vec::new();
    let mut misplaced = Vec::new();
    for name in shared_commands(&mut ours, &mut theirs) {
        let (mine, reference) = (ours.docs(&name), theirs.docs(&name));
        if field(&mine, "arguments") != field(&reference, "arguments") {
            differ.push(name.clone());
        }
        // Redis has fields DiskDB leaves out (history, doc_flags...); the ones both have
        // come in the same order.
        let our_keys = keys(&mine);
        let their_order: Vec<String> = keys(&reference).into_iter().filter(|k| our_keys.contains(k)).collect();
        if our_keys != their_order {
            misplaced.push(format!("{name}: {our_keys:?}, redis-server: {their_order:?}"));
        }
    }
    let unexpected: Vec<&String> = differ.iter().filter(|n| !allowed.contains(n.as_str())).collect();
    assert!(unexpected.is_empty(), "COMMAND DOCS arguments differ from redis-server for: {unexpected:?}");
    let stale: Vec<&str> = allowed.iter().filter(|n| !differ.iter().any(|d| d == *n)).copied().collect();
    assert!(stale.is_empty(), "allowed differences that no longer differ: {stale:?}");
    assert!(misplaced.is_empty(), "docs fields in another order than redis-server's:\n{}", misplaced.join("\n"));
}

#[test]
fn command_docs_without_names_carries_the_same_trees() {
    let server = Server::start();
    let mut c = Conn::resp3(server.port);
    let all = c.cmd(&["COMMAND", "DOCS"]);
    let set = field(&all, "set").expect("COMMAND DOCS lists SET");
    assert_eq!(field(set, "arguments"), field(&c.docs("set"), "arguments"));
    assert!(field(set, "arguments").is_some());
    let client = field(&all, "client").expect("COMMAND DOCS lists CLIENT");
    assert!(field(client, "arguments").is_none(), "a container has no arguments, as in Redis");
    let kill = field(client, "subcommands").and_then(|s| field(s, "client|kill")).expect("CLIENT KILL docs");
    assert_eq!(field(kill, "arguments"), field(&c.docs("client|kill"), "arguments"));
}

/// Runs an interactive redis-cli session (on a pseudo-terminal, through `script`, so it
/// loads COMMAND DOCS as it does for a person) that types `lines`, and returns what it
/// printed. `TERM=dumb` keeps linenoise from asking the terminal for its cursor.
fn cli_session(port: u16, lines: &[String]) -> String {
    let mut child = Command::new("script")
        .args(["-qec", &format!("redis-cli -p {port}"), "/dev/null"])
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) is installed");
    let mut input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    input.push_str("quit\n");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("redis-cli session on port {port} did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "redis-cli on port {port} exited with {}", out.status);
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// `HELP` output: command name -> the argument line redis-cli derived from COMMAND DOCS.
fn help_lines(session: &str) -> BTreeMap<String, String> {
    session
        .lines()
        .filter_map(|line| {
            let (_, rest) = line.split_once("\x1b[1m")?;
            let (name, rest) = rest.split_once("\x1b[0m")?;
            let params = rest.split_once("\x1b[90m").map_or("", |(_, p)| p.split("\x1b[0m").next().unwrap_or(""));
            Some((name.to_string(), params.to_string()))
        })
        .collect()
}

#[test]
fn redis_cli_starts_cleanly_and_shows_redis_server_argument_hints() {
    let server = Server::start();
    let redis = RedisServer::start();

    let start = cli_session(server.port, &[]);
    assert!(start.contains(&format!("127.0.0.1:{}> ", server.port)), "no prompt from redis-cli:\n{start}");
    assert!(!start.to_ascii_lowercase().contains("err"), "redis-cli printed an error at start-up:\n{start}");

    let shared = shared_commands(&mut Conn::resp3(server.port), &mut Conn::resp3(redis.port));
    let asks: Vec<String> = shared.iter().map(|n| format!("help {}", n.replace('|', " "))).collect();
    let (mine, reference) = (help_lines(&cli_session(server.port, &asks)), help_lines(&cli_session(redis.port, &asks)));
    assert!(reference.len() > 150, "redis-cli printed {} help lines for redis-server", reference.len());
    // `HELP CLIENT` lists every CLIENT subcommand redis-server has: compare the shared ones.
    let wanted: HashSet<String> = shared.iter().map(|n| n.replace('|', " ").to_uppercase()).collect();
    let allowed: HashSet<String> = ALLOWED_DIFFERENCES.iter().map(|(n, _)| n.replace('|', " ").to_uppercase()).collect();
    let differ: Vec<String> = reference
        .iter()
        .filter(|(name, params)| wanted.contains(*name) && !allowed.contains(*name) && mine.get(*name) != Some(params))
        .map(|(name, params)| format!("{name}: diskdb {:?}, redis-server {params:?}", mine.get(name)))
        .collect();
    assert!(differ.is_empty(), "redis-cli HELP differs:\n{}", differ.join("\n"));
}
