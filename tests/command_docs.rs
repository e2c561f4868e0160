//! COMMAND DOCS and COMMAND INFO against a real redis-server 7.0: for every command both
//! servers implement, every docs field DiskDB answers (summary, since, group, complexity,
//! doc_flags, deprecated_since, replaced_by, history, the `arguments` tree) must equal
//! Redis's exactly, in RESP3 types and field order, and so must every COMMAND INFO field
//! (arity, flags, key positions, ACL categories, tips, key specifications, subcommands)
//! and COMMAND GETKEYSANDFLAGS; redis-cli, which builds its HELP lines and hints from the
//! argument trees, must show the same argument line for either server.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Docs fields that deliberately differ from Redis 7.0's: (command, field, reason). Only
/// complexities, where DiskDB's cost is not Redis's. CLIENT SETINFO and CLIENT NO-TOUCH
/// need no entry: Redis 7.0 has neither (their docs are Redis 7.2's), so there is nothing
/// to compare them with.
const ALLOWED_DIFFERENCES: &[(&str, &str, &str)] = &[
    ("del", "complexity", "a collection is deleted by one metadata write (compaction drops its elements later), not O(M) in its elements"),
    ("unlink", "complexity", "as DEL: no thread reclaims memory afterwards, compaction drops the elements"),
    ("lindex", "complexity", "list elements are sub-keys by position: one point read, no walk"),
    ("lset", "complexity", "list elements are sub-keys by position: one point write, no walk"),
    ("zrank", "complexity", "the score index keeps no rank counts: a scan of min(R, N-R) entries, not O(log(N))"),
    ("zrevrank", "complexity", "as ZRANK"),
];

/// What these tests ask any server.
trait Docs {
    fn names(&mut self) -> Vec<String>;
    fn docs(&mut self, name: &str) -> R;
}

impl Docs for Conn {
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

/// The fields of a RESP3 map, in order.
fn entries(map: &R) -> Vec<(String, R)> {
    match map {
        R::Agg('%', items) => items.chunks(2).map(|kv| (text(kv[0].clone()), kv[1].clone())).collect(),
        other => panic!("expected a map, got {other:?}"),
    }
}

#[test]
fn command_docs_equal_redis_server_for_every_command() {
    let server = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (Conn::resp3(server.port), Conn::resp3(redis.port));

    let mut differ = Vec::new();
    let mut misplaced = Vec::new();
    for name in shared_commands(&mut ours, &mut theirs) {
        let (mine, reference) = (ours.docs(&name), theirs.docs(&name));
        if keys(&mine) != keys(&reference) {
            misplaced.push(format!("{name}: {:?}, redis-server: {:?}", keys(&mine), keys(&reference)));
        }
        // Subcommands are compared under their own names; a container's `subcommands`
        // also lists those DiskDB does not implement.
        let (mine, reference) = (entries(&mine), entries(&reference));
        for (field, value) in reference.iter().filter(|(f, _)| f != "subcommands") {
            let ours = mine.iter().find(|(f, _)| f == field).map(|(_, v)| v);
            if ours != Some(value) {
                differ.push((name.clone(), field.clone(), format!("diskdb {ours:?}, redis-server {value:?}")));
            }
        }
        for (field, value) in mine.iter().filter(|(f, _)| !reference.iter().any(|(r, _)| r == f)) {
            differ.push((name.clone(), field.clone(), format!("diskdb {value:?}, redis-server has no such field")));
        }
    }
    let allowed = |name: &str, field: &str| ALLOWED_DIFFERENCES.iter().any(|(n, f, _)| *n == name && *f == field);
    let unexpected: Vec<String> =
        differ.iter().filter(|(n, f, _)| !allowed(n, f)).map(|(n, f, how)| format!("{n} {f}: {how}")).collect();
    assert!(unexpected.is_empty(), "COMMAND DOCS differs from redis-server:\n{}", unexpected.join("\n"));
    let stale: Vec<_> =
        ALLOWED_DIFFERENCES.iter().filter(|(n, f, _)| !differ.iter().any(|(dn, df, _)| dn == n && df == f)).collect();
    assert!(stale.is_empty(), "allowed differences that no longer differ: {stale:?}");
    assert!(misplaced.is_empty(), "docs fields other than redis-server's, or in another order:\n{}", misplaced.join("\n"));
}

/// COMMAND INFO fields that deliberately differ from Redis 7.0's: (command, field, reason).
const ALLOWED_INFO_DIFFERENCES: &[(&str, &str, &str)] = &[
    ("zrank", "arity", "accepts Redis 7.2's WITHSCORE, so at least 3 arguments (-3), not exactly 3"),
    ("zrevrank", "arity", "as ZRANK"),
];

/// The fields of a COMMAND INFO entry, in order.
const INFO_FIELDS: [&str; 10] =
    ["name", "arity", "flags", "first_key", "last_key", "step", "acl_categories", "tips", "key_specs", "subcommands"];

/// The COMMAND INFO entry of one command: its ten fields.
fn info(c: &mut Conn, name: &str) -> Vec<R> {
    match c.cmd(&["COMMAND", "INFO", name]) {
        R::Array(mut entries) if entries.len() == 1 => match entries.remove(0) {
            R::Array(fields) if fields.len() == INFO_FIELDS.len() => fields,
            other => panic!("COMMAND INFO {name} entry: {other:?}"),
        },
        other => panic!("COMMAND INFO {name} answered {other:?}"),
    }
}

/// A container's subcommand entries by name.
fn subcommand_entries(field: &R) -> BTreeMap<String, R> {
    match field {
        R::Agg(_, subs) | R::Array(subs) => subs
            .iter()
            .map(|sub| match sub {
                R::Array(fields) => (text(fields[0].clone()), sub.clone()),
                other => panic!("subcommand entry {other:?}"),
            })
            .collect(),
        other => panic!("subcommands field {other:?}"),
    }
}

#[test]
fn command_info_equals_redis_server_for_every_command() {
    let server = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (Conn::resp3(server.port), Conn::resp3(redis.port));
    let mut differ = Vec::new();
    for name in shared_commands(&mut ours, &mut theirs) {
        let (mine, reference) = (info(&mut ours, &name), info(&mut theirs, &name));
        for (i, field) in INFO_FIELDS.iter().enumerate().filter(|(_, f)| **f != "subcommands") {
            if mine[i] != reference[i] {
                differ.push((name.clone(), *field, format!("diskdb {:?}, redis-server {:?}", mine[i], reference[i])));
            }
        }
        // Redis lists subcommands DiskDB lacks (and 7.0 lacks CLIENT SETINFO and
        // NO-TOUCH): each subcommand both have must be the same entry.
        let (my_subs, their_subs) = (subcommand_entries(&mine[9]), subcommand_entries(&reference[9]));
        for (sub, entry) in my_subs.iter().filter(|(sub, _)| their_subs.contains_key(*sub)) {
            if Some(entry) != their_subs.get(sub) {
                differ.push((name.clone(), "subcommands", format!("{sub}: diskdb {entry:?}, redis-server {:?}", their_subs[sub])));
            }
        }
    }
    let allowed = |name: &str, field: &str| ALLOWED_INFO_DIFFERENCES.iter().any(|(n, f, _)| *n == name && *f == field);
    let unexpected: Vec<String> =
        differ.iter().filter(|(n, f, _)| !allowed(n, f)).map(|(n, f, how)| format!("{n} {f}: {how}")).collect();
    assert!(unexpected.is_empty(), "COMMAND INFO differs from redis-server:\n{}", unexpected.join("\n"));
    let stale: Vec<_> = ALLOWED_INFO_DIFFERENCES
        .iter()
        .filter(|(n, f, _)| !differ.iter().any(|(dn, df, _)| dn == n && df == f))
        .collect();
    assert!(stale.is_empty(), "allowed differences that no longer differ: {stale:?}");
}

#[test]
fn command_getkeysandflags_equals_redis_server() {
    let server = Server::start();
    let redis = RedisServer::start();
    let (mut ours, mut theirs) = (Conn::resp3(server.port), Conn::resp3(redis.port));
    let lines = [
        "get a", "del a b c", "mset a 1 b 2", "msetnx a 1 b 2", "zunionstore d 2 a b WEIGHTS 1 2", "zinter 2 a b",
        "zdiffstore d 1 a", "sort_ro a BY x", "lmpop 2 a b LEFT", "blmpop 0 2 a b LEFT COUNT 2", "bzmpop 1 1 a MIN",
        "rename a b", "copy a b", "bitop AND d a b", "lmove a b LEFT RIGHT", "rpoplpush a b", "smove a b m",
        "zrangestore d s 0 1", "sintercard 2 a b", "sinterstore d a b", "watch a b", "expire a 1", "getex a PERSIST",
        "getdel a", "lcs a b", "exists a b", "hset h f v", "zadd z 1 a", "blpop a b 0", "lpop a", "rpush a x",
        "sort a", "sort a BY x", "set a b", "set a b get", "set a b EX 10 GET", "set a b NX", "bitfield a get u8 0",
        "bitfield a OVERFLOW WRAP GET u8 0 GET i4 4", "bitfield a get u8 0 set u8 0 1", "bitfield a incrby u8 0 1",
        "bitfield a get u8", "sort a by x store d", "sort a STORE d", "sort a LIMIT 0 1 GET # STORE d",
    ];
    let mut differ = Vec::new();
    for line in lines {
        let args: Vec<&str> = ["COMMAND", "GETKEYSANDFLAGS"].into_iter().chain(line.split(' ')).collect();
        let (mine, reference) = (ours.cmd(&args), theirs.cmd(&args));
        if mine != reference {
            differ.push(format!("{line}: diskdb {mine:?}, redis-server {reference:?}"));
        }
    }
    assert!(differ.is_empty(), "GETKEYSANDFLAGS differs from redis-server:\n{}", differ.join("\n"));
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
    // Read while it runs: a session printing more than a pipe holds would otherwise
    // wait for us forever.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = r.read_to_end(&mut out);
            out
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("redis-cli session on port {port} did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "redis-cli on port {port} exited with {status}");
    let (out, err) = (stdout.join().unwrap(), stderr.join().unwrap());
    String::from_utf8_lossy(&out).into_owned() + &String::from_utf8_lossy(&err)
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
    let allowed: HashSet<String> = ALLOWED_DIFFERENCES
        .iter()
        .filter(|(_, field, _)| *field == "arguments")
        .map(|(n, _, _)| n.replace('|', " ").to_uppercase())
        .collect();
    let differ: Vec<String> = reference
        .iter()
        .filter(|(name, params)| wanted.contains(*name) && !allowed.contains(*name) && mine.get(*name) != Some(params))
        .map(|(name, params)| format!("{name}: diskdb {:?}, redis-server {params:?}", mine.get(name)))
        .collect();
    assert!(differ.is_empty(), "redis-cli HELP differs:\n{}", differ.join("\n"));
}
