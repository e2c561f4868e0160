//! The shared-memory transport (docs/shm-protocol.md) against the real binary, through
//! the test-only client in tests/common/shm.rs: the same replies as TCP byte for byte,
//! streaming through small rings, pipelining, dying clients and servers, hostile
//! clients, many clients, AUTH and the limits.

mod common;
#[path = "common/shm.rs"]
mod shm_client;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{encode, Server, R};
use shm_client::{parse, Frames, RawFrames, ShmClient};

/// A server with a Unix socket (in its own temporary directory, kept alive with it).
struct ShmServer {
    server: Server,
    sock: PathBuf,
    _dir: tempfile::TempDir,
}

impl ShmServer {
    fn start(extra: &[&str]) -> ShmServer {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("diskdb.sock");
        let mut args = vec!["--unixsocket", sock.to_str().unwrap()];
        args.extend_from_slice(extra);
        let server = Server::start_with(&args);
        ShmServer { server, sock, _dir: dir }
    }

    fn attach(&self) -> ShmClient {
        ShmClient::connect(&self.sock)
    }

    fn unix(&self) -> UnixStream {
        let s = UnixStream::connect(&self.sock).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s
    }

    fn shm_clients(&self) -> usize {
        self.server.info_field("clients", "shm_clients").expect("INFO clients has shm_clients").trim().parse().unwrap()
    }

    fn wait_shm_clients(&self, n: usize) {
        assert!(common::wait_until(Duration::from_secs(20), || self.shm_clients() == n), "shm_clients never became {n}: {}", self.shm_clients());
    }
}

/// One command on a Unix socket, read as a parsed reply.
fn unix_cmd(s: &mut UnixStream, args: &[&str]) -> R {
    s.write_all(&encode(args)).unwrap();
    common::read_reply(&mut BufReader::new(s)).unwrap()
}

fn show(frames: &[Vec<u8>]) -> Vec<String> {
    frames.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()
}

/// A step of the comparison script.
enum Step {
    /// A command and how many frames it answers.
    Cmd(Vec<String>, usize),
    /// A command that blocks until the helper connection runs the second one.
    Block(Vec<String>, Vec<String>),
    /// The helper connection runs a command; the subject then reads this many frames
    /// (published messages).
    Helper(Vec<String>, usize),
}

fn cmd(args: &[&str]) -> Step {
    Step::Cmd(args.iter().map(|s| s.to_string()).collect(), 1)
}

fn cmd_n(args: &[&str], n: usize) -> Step {
    Step::Cmd(args.iter().map(|s| s.to_string()).collect(), n)
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// A slice of every command group, MULTI, blocking and pub/sub.
fn script() -> Vec<Step> {
    let big = common::noise(20_000, 7);
    vec![
        // strings
        cmd(&["SET", "s1", "hello"]),
        cmd(&["GET", "s1"]),
        cmd(&["APPEND", "s1", " world"]),
        cmd(&["STRLEN", "s1"]),
        cmd(&["GETRANGE", "s1", "0", "4"]),
        cmd(&["SET", "s1", "x", "NX"]),
        cmd(&["INCR", "n"]),
        cmd(&["INCRBY", "n", "10"]),
        cmd(&["INCRBYFLOAT", "f", "1.5"]),
        cmd(&["MSET", "a", "1", "b", "2"]),
        cmd(&["MGET", "a", "b", "nope"]),
        cmd(&["SETEX", "t", "100", "v"]),
        cmd(&["TTL", "t"]),
        cmd(&["GET", "nope"]),
        cmd(&["SET", "big", &big]),
        cmd(&["GET", "big"]),
        // lists
        cmd(&["RPUSH", "l", "a", "b", "c"]),
        cmd(&["LRANGE", "l", "0", "-1"]),
        cmd(&["LPOP", "l"]),
        cmd(&["LLEN", "l"]),
        cmd(&["LPOS", "l", "c"]),
        // hashes
        cmd(&["HSET", "h", "f1", "v1", "f2", "v2"]),
        cmd(&["HGETALL", "h"]),
        cmd(&["HGET", "h", "f1"]),
        cmd(&["HINCRBY", "h", "n", "5"]),
        cmd(&["HLEN", "h"]),
        // sets
        cmd(&["SADD", "st", "a", "b", "c"]),
        cmd(&["SISMEMBER", "st", "a"]),
        cmd(&["SCARD", "st"]),
        cmd(&["SMEMBERS", "st"]),
        // sorted sets
        cmd(&["ZADD", "z", "1", "a", "2", "b", "3", "c"]),
        cmd(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
        cmd(&["ZSCORE", "z", "b"]),
        cmd(&["ZINCRBY", "z", "1.5", "a"]),
        cmd(&["ZRANK", "z", "c"]),
        // streams
        cmd(&["XADD", "x", "1-1", "f", "v"]),
        cmd(&["XADD", "x", "2-1", "g", "w"]),
        cmd(&["XRANGE", "x", "-", "+"]),
        cmd(&["XLEN", "x"]),
        cmd(&["XREAD", "COUNT", "1", "STREAMS", "x", "0"]),
        // JSON
        cmd(&["JSON.SET", "j", "$", r#"{"a":[1,2],"b":"x"}"#]),
        cmd(&["JSON.GET", "j", "$.a"]),
        cmd(&["JSON.ARRAPPEND", "j", "$.a", "3"]),
        cmd(&["JSON.TYPE", "j", "$.b"]),
        // errors
        cmd(&["GET", "l"]),
        cmd(&["INCR", "s1"]),
        cmd(&["NOSUCHCMD", "x"]),
        cmd(&["GET"]),
        // transactions
        cmd(&["MULTI"]),
        cmd(&["SET", "m", "1"]),
        cmd(&["INCR", "m"]),
        cmd(&["LPUSH", "m", "x"]),
        cmd(&["EXEC"]),
        cmd(&["MULTI"]),
        cmd(&["SHM.ATTACH"]),
        cmd(&["DISCARD"]),
        // blocking
        cmd(&["BLPOP", "empty", "0.01"]),
        Step::Block(strings(&["BLPOP", "bl", "0"]), strings(&["RPUSH", "bl", "v1"])),
        Step::Block(strings(&["BZPOPMIN", "bz", "0"]), strings(&["ZADD", "bz", "5", "m"])),
        // pub/sub
        cmd_n(&["SUBSCRIBE", "c1", "c2"], 2),
        Step::Helper(strings(&["PUBLISH", "c1", "hi"]), 1),
        cmd(&["PSUBSCRIBE", "p*"]),
        Step::Helper(strings(&["PUBLISH", "pa", "yo"]), 1),
        cmd(&["PING"]),
        cmd_n(&["UNSUBSCRIBE"], 2),
        cmd(&["PUNSUBSCRIBE"]),
        cmd(&["PING", "done"]),
    ]
}

/// Runs the script on `subject` (database `db`, protocol `resp`), with a TCP helper
/// for blocking and publishing; returns every frame the subject read.
fn run_script(server: &ShmServer, subject: &mut dyn Frames, db: usize, resp: u8) -> Vec<Vec<u8>> {
    let mut helper = server.server.raw();
    assert_eq!(helper.cmd(&["SELECT", &db.to_string()]), R::ok());
    let mut frames = Vec::new();
    let one = |subject: &mut dyn Frames, args: &[String]| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        subject.send_bytes(&encode(&a)).unwrap();
    };
    if resp == 3 {
        one(subject, &strings(&["HELLO", "3"]));
        // HELLO's map names the connection's id: not compared.
        subject.next_frame().unwrap();
    }
    one(subject, &strings(&["SELECT", &db.to_string()]));
    frames.push(subject.next_frame().unwrap());
    for step in script() {
        match step {
            Step::Cmd(args, n) => {
                one(subject, &args);
                for _ in 0..n {
                    frames.push(subject.next_frame().unwrap());
                }
            }
            Step::Block(args, wake) => {
                one(subject, &args);
                server.server.wait_blocked(1);
                let w: Vec<&str> = wake.iter().map(String::as_str).collect();
                helper.cmd(&w);
                frames.push(subject.next_frame().unwrap());
            }
            Step::Helper(args, n) => {
                let a: Vec<&str> = args.iter().map(String::as_str).collect();
                assert!(matches!(helper.cmd(&a), R::Int(_)));
                for _ in 0..n {
                    frames.push(subject.next_frame().unwrap());
                }
            }
        }
    }
    frames
}

#[test]
fn every_group_replies_alike_over_tcp_and_shared_memory() {
    let s = ShmServer::start(&[]);
    for (resp, dbs) in [(2u8, (1, 2)), (3u8, (3, 4))] {
        let tcp = TcpStream::connect(s.server.addr()).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut tcp = RawFrames::new(tcp);
        let over_tcp = run_script(&s, &mut tcp, dbs.0, resp);
        let mut shm = s.attach();
        let over_shm = run_script(&s, &mut shm, dbs.1, resp);
        assert_eq!(show(&over_shm), show(&over_tcp), "RESP{resp}");
        // Sanity: the script really ran (the big value came back whole).
        assert!(over_shm.iter().any(|f| f.len() > 20_000));
    }
}

#[test]
fn requests_and_replies_larger_than_the_ring_stream_through_it() {
    let s = ShmServer::start(&["--shm-ring-size", "4096"]);
    let mut c = s.attach();
    assert_eq!(c.ring, 4096);
    let value = common::noise(300_000, 3);
    assert_eq!(c.cmd(&["SET", "big", &value]), R::ok());
    assert_eq!(c.cmd(&["GET", "big"]), R::Bulk(value.clone().into_bytes()));
    // A pipeline of large requests, whose replies overflow the ring as well.
    let mut pipeline = Vec::new();
    for i in 0..20 {
        pipeline.extend(encode(&["SET", &format!("k{i}"), &value[..50_000]]));
        pipeline.extend(encode(&["GET", &format!("k{i}")]));
    }
    c.send(&pipeline).unwrap();
    for _ in 0..20 {
        assert_eq!(parse(&c.frame().unwrap()), R::ok());
        assert_eq!(parse(&c.frame().unwrap()), R::Bulk(value[..50_000].as_bytes().to_vec()));
    }
    // Byte for byte what TCP answers.
    let mut tcp = RawFrames::new(TcpStream::connect(s.server.addr()).unwrap());
    assert_eq!(c.cmd_raw(&["GETRANGE", "big", "0", "-1"]), tcp.cmd_raw(&["GETRANGE", "big", "0", "-1"]));
}

#[test]
fn ten_thousand_pipelined_commands() {
    let s = ShmServer::start(&[]);
    let mut c = s.attach();
    let mut pipeline = Vec::new();
    for _ in 0..10_000 {
        pipeline.extend(encode(&["INCR", "counter"]));
    }
    c.send(&pipeline).unwrap();
    for i in 1..=10_000 {
        assert_eq!(parse(&c.frame().unwrap()), R::Int(i));
    }
    assert_eq!(s.server.raw().cmd(&["GET", "counter"]), R::bulk("10000"));
}

/// Not a test of its own: the child process `a_client_killed_mid_pipeline_...` starts
/// (this test binary again, with `DISKDB_SHM_CHILD` set) attaches and pipelines INCRs
/// until it is killed.
#[test]
fn shm_child_pipelines_until_killed() {
    let Some(path) = std::env::var_os("DISKDB_SHM_CHILD") else { return };
    let mut c = ShmClient::connect(Path::new(&path));
    println!("attached");
    std::io::stdout().flush().unwrap();
    let mut batch = Vec::new();
    for _ in 0..1000 {
        batch.extend(encode(&["INCR", "child"]));
    }
    loop {
        // Never reads its replies except to make room: the server's ring stays busy.
        c.send(&batch).unwrap();
        c.inbox.clear();
    }
}

#[test]
fn a_client_killed_mid_pipeline_releases_its_session() {
    let s = ShmServer::start(&[]);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["shm_child_pipelines_until_killed", "--exact", "--nocapture", "--test-threads=1"])
        .env("DISKDB_SHM_CHILD", &s.sock)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("attached") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the child exited before attaching");
    }
    assert_eq!(s.shm_clients(), 1);
    // Mid-pipeline: the server has run some of the child's commands.
    let mut tcp = s.server.raw();
    assert!(common::wait_until(Duration::from_secs(20), || matches!(tcp.cmd(&["GET", "child"]), R::Bulk(b) if b.len() >= 3)));
    child.kill().unwrap();
    child.wait().unwrap();
    s.wait_shm_clients(0);
    assert_eq!(tcp.cmd(&["PING"]), R::Status("PONG".into()));
    // The freed slot serves the next client.
    let mut c = s.attach();
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn a_killed_server_fails_the_clients_call_instead_of_hanging() {
    let mut s = ShmServer::start(&[]);
    let mut c = s.attach();
    assert_eq!(c.cmd(&["SET", "k", "v"]), R::ok());
    c.send(&encode(&["BLPOP", "nothing", "0"])).unwrap();
    s.server.wait_blocked(1);
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let r = c.frame();
        tx.send(r.is_err()).unwrap();
    });
    s.server.kill9();
    // A bound on a hang, not a timing assertion: the client notices the hang-up of the
    // socket within its futex timeout.
    assert_eq!(rx.recv_timeout(Duration::from_secs(60)), Ok(true), "the call failed with an error");
    waiter.join().unwrap();
}

/// xorshift bytes.
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// True once the server closed `c`'s socket.
fn socket_closed(c: &ShmClient) -> bool {
    let mut byte = [0u8; 1];
    matches!(rustix::net::recv(&c.sock, &mut byte, rustix::net::RecvFlags::PEEK | rustix::net::RecvFlags::DONTWAIT), Ok((0, _)))
        || matches!(rustix::net::recv(&c.sock, &mut byte, rustix::net::RecvFlags::PEEK | rustix::net::RecvFlags::DONTWAIT), Err(e) if e != rustix::io::Errno::AGAIN)
}

#[test]
fn hostile_clients_lose_their_session_and_nobody_else_notices() {
    let s = ShmServer::start(&["--shm-ring-size", "4096"]);
    let mut good = s.attach();
    assert_eq!(good.cmd(&["SET", "k", "v"]), R::ok());
    let mut tcp = s.server.raw();

    // 1. Random bytes over the whole segment, indexes included, then the doorbell.
    let evil = s.attach();
    for seed in 1..4 {
        evil.poke(0, &random_bytes(evil.len, seed));
        evil.ring_doorbell();
    }
    assert!(common::wait_until(Duration::from_secs(20), || socket_closed(&evil)), "scribbler's session closed");
    drop(evil);

    // 2. A request head far beyond the ring.
    let evil = s.attach();
    evil.w64(shm_client::OFF_REQ_HEAD).store(u64::MAX - 7, std::sync::atomic::Ordering::SeqCst);
    evil.ring_doorbell();
    assert!(common::wait_until(Duration::from_secs(20), || socket_closed(&evil)), "huge req_head closes the session");
    drop(evil);

    // 3. A reply tail past what the server wrote, then a request to make it write.
    let mut evil = s.attach();
    assert_eq!(evil.cmd(&["PING"]), R::Status("PONG".into()));
    evil.w64(shm_client::OFF_REP_TAIL).store(1 << 40, std::sync::atomic::Ordering::SeqCst);
    let _ = evil.send(&encode(&["GET", "k"]));
    assert!(common::wait_until(Duration::from_secs(20), || socket_closed(&evil)), "a reply tail beyond the head closes the session");
    drop(evil);

    // 4. A request head moved back below the tail.
    let mut evil = s.attach();
    assert_eq!(evil.cmd(&["PING"]), R::Status("PONG".into()));
    evil.w64(shm_client::OFF_REQ_HEAD).store(1, std::sync::atomic::Ordering::SeqCst);
    evil.ring_doorbell();
    assert!(common::wait_until(Duration::from_secs(20), || socket_closed(&evil)), "a request head below the tail closes the session");
    drop(evil);

    // 5. Garbage requests with honest indexes: the protocol error TCP gets, then close.
    let garbage = b"*2\r\n$abc\r\nxyz\r\n";
    let mut evil = s.attach();
    evil.send(garbage).unwrap();
    let over_shm = evil.frame().unwrap();
    let mut t = RawFrames::new(TcpStream::connect(s.server.addr()).unwrap());
    t.send(garbage).unwrap();
    assert_eq!(String::from_utf8_lossy(&over_shm), String::from_utf8_lossy(&t.frame().unwrap()));
    assert!(over_shm.starts_with(b"-ERR Protocol error"));
    assert!(common::wait_until(Duration::from_secs(20), || socket_closed(&evil)));
    drop(evil);

    // 6. Bytes on the socket after the attach.
    let evil = s.attach();
    (&evil.sock).write_all(b"PING\r\n").unwrap();
    assert!(common::wait_until(Duration::from_secs(20), || socket_closed(&evil)));
    drop(evil);

    s.wait_shm_clients(1);
    assert_eq!(good.cmd(&["GET", "k"]), R::bulk("v"));
    assert_eq!(tcp.cmd(&["GET", "k"]), R::bulk("v"));
}

#[test]
fn sixty_four_clients_under_load() {
    let s = ShmServer::start(&[]);
    let clients: Vec<ShmClient> = (0..64).map(|_| s.attach()).collect();
    assert_eq!(s.shm_clients(), 64);
    // The 65th is refused (shm-max-clients defaults to 64) and stays a socket client.
    let mut extra = s.unix();
    extra.write_all(shm_client::ATTACH).unwrap();
    assert_eq!(common::read_reply(&mut BufReader::new(&mut extra)).unwrap(), R::err("ERR max number of shared-memory clients reached"));
    assert_eq!(unix_cmd(&mut extra, &["PING"]), R::Status("PONG".into()));
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(64));
    let threads: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                for j in 0..300 {
                    let key = format!("c{i}:{j}");
                    let value = format!("{i}-{j}");
                    assert_eq!(c.cmd(&["SET", &key, &value]), R::ok());
                    assert_eq!(c.cmd(&["GET", &key]), R::bulk(&value));
                    assert!(matches!(c.cmd(&["INCR", "shared"]), R::Int(_)));
                }
                // A short pipeline too.
                let mut p = Vec::new();
                for _ in 0..100 {
                    p.extend(encode(&["INCR", "shared"]));
                }
                c.send(&p).unwrap();
                for _ in 0..100 {
                    assert!(matches!(parse(&c.frame().unwrap()), R::Int(_)));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(s.server.raw().cmd(&["GET", "shared"]), R::bulk(&(64 * 400).to_string()));
    s.wait_shm_clients(0);
}

#[test]
fn attach_needs_auth_and_keeps_the_clients_state() {
    let s = ShmServer::start(&["--requirepass", "secret"]);
    let mut u = s.unix();
    u.write_all(shm_client::ATTACH).unwrap();
    assert_eq!(common::read_reply(&mut BufReader::new(&mut u)).unwrap(), R::err("NOAUTH Authentication required."));
    assert_eq!(unix_cmd(&mut u, &["AUTH", "secret"]), R::ok());
    assert_eq!(unix_cmd(&mut u, &["SELECT", "5"]), R::ok());
    assert_eq!(unix_cmd(&mut u, &["CLIENT", "SETNAME", "worker"]), R::ok());
    let R::Int(id) = unix_cmd(&mut u, &["CLIENT", "ID"]) else { panic!() };
    let mut c = ShmClient::attach(u).unwrap();
    assert_eq!(c.cmd(&["CLIENT", "ID"]), R::Int(id));
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), R::bulk("worker"));
    assert_eq!(c.cmd(&["SET", "in5", "yes"]), R::ok());
    let R::Bulk(info) = c.cmd(&["CLIENT", "INFO"]) else { panic!() };
    let info = String::from_utf8(info).unwrap();
    assert!(info.contains(" db=5 ") && info.contains(" user=default ") && info.trim_end().ends_with(" transport=shm"), "{info}");
    // Other clients' lines stay Redis's.
    let mut tcp = s.server.raw();
    assert_eq!(tcp.cmd(&["AUTH", "secret"]), R::ok());
    let R::Bulk(list) = tcp.cmd(&["CLIENT", "LIST"]) else { panic!() };
    let list = String::from_utf8(list).unwrap();
    assert_eq!(list.lines().filter(|l| l.ends_with(" transport=shm")).count(), 1, "{list}");
    assert!(list.lines().any(|l| l.contains(&format!("id={id} ")) && l.ends_with(" transport=shm")));
    assert_eq!(tcp.cmd(&["SELECT", "5"]), R::ok());
    assert_eq!(tcp.cmd(&["GET", "in5"]), R::bulk("yes"));
    // RESP3 after the attach, and a second attach refused.
    assert!(matches!(c.cmd(&["HELLO", "3"]), R::Agg('%', _)));
    assert_eq!(c.cmd(&["SHM.ATTACH"]), R::err("ERR this connection is already attached to shared memory"));
    assert_eq!(c.cmd(&["PING"]), R::Status("PONG".into()));
}

#[test]
fn attach_refusals_and_the_client_limit() {
    let s = ShmServer::start(&["--shm-max-clients", "1"]);
    let mut tcp = s.server.raw();
    assert_eq!(tcp.cmd(&["SHM.ATTACH"]), R::err("ERR SHM.ATTACH is only available on the Unix socket"));
    let mut u = s.unix();
    assert_eq!(unix_cmd(&mut u, &["MULTI"]), R::ok());
    assert_eq!(unix_cmd(&mut u, &["SHM.ATTACH"]), R::err("ERR Command not allowed inside a transaction"));
    assert_eq!(unix_cmd(&mut u, &["DISCARD"]), R::ok());
    let first = ShmClient::attach(u).unwrap();
    assert_eq!(ShmClient::attach(s.unix()).err().as_deref(), Some("ERR max number of shared-memory clients reached"));
    drop(first);
    s.wait_shm_clients(0);
    let mut again = s.attach();
    assert_eq!(again.cmd(&["PING"]), R::Status("PONG".into()));
    // CONFIG SET 0 disables new attaches (the attached client goes on).
    assert_eq!(tcp.cmd(&["CONFIG", "SET", "shm-max-clients", "0"]), R::ok());
    assert_eq!(ShmClient::attach(s.unix()).err().as_deref(), Some("ERR shared memory is disabled"));
    assert_eq!(again.cmd(&["PING"]), R::Status("PONG".into()));
    assert_eq!(tcp.cmd(&["CONFIG", "SET", "shm-ring-size", "5000"]), R::Error("ERR CONFIG SET failed (possibly related to argument 'shm-ring-size') - argument must be a power of two".into()));
    assert_eq!(tcp.cmd(&["CONFIG", "GET", "shm-ring-size"]), R::Array(vec![R::bulk("shm-ring-size"), R::bulk("1048576")]));
}

#[test]
fn client_kill_and_timeout_end_shared_memory_sessions() {
    let s = ShmServer::start(&["--timeout", "1"]);
    let mut killed = s.attach();
    let R::Int(id) = killed.cmd(&["CLIENT", "ID"]) else { panic!() };
    let mut tcp = s.server.raw();
    assert_eq!(tcp.cmd(&["CLIENT", "KILL", "ID", &id.to_string()]), R::Int(1));
    assert!(common::wait_until(Duration::from_secs(20), || killed.server_gone()), "the killed client sees its session end");
    assert!(killed.send(&encode(&["PING"])).is_err() || killed.frame().is_err());
    // An idle attached client is closed after `timeout` like any other.
    let idle = s.attach();
    assert!(common::wait_until(Duration::from_secs(20), || idle.server_gone()));
    s.wait_shm_clients(0);
}
