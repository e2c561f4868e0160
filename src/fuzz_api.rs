//! Entry points for the fuzz targets (`fuzz/`) and their seeded regression tests
//! (`tests/fuzz_regressions.rs`): every parser a client or an operator can feed, reached
//! the way the server reaches it. Not part of DiskDB's API.
//!
//! - [`decode`]: the RESP request decoder (multibulk and inline) on arbitrary bytes.
//! - [`Harness`]: an in-process server state on a temporary RocksDB directory that runs
//!   commands through the one dispatch path ([`crate::commands::execute`]); the
//!   `command`, `restore`, `json`, `acl` and `lua` targets drive it.
//! - [`config_text`]: config-file lines, as `diskdb diskdb.conf` reads them.
//! - `targets::shm_ring`: the shared-memory ring reader driven by a hostile client.
//!
//! Each function returns normally for any input; a panic, a hang or unbounded memory is
//! the bug a fuzzer reports.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use crate::commands::{execute, ClientInfo, ServerState, Session};
use crate::config::Config;
use crate::protocol::decode::{Decoded, RequestDecoder};
use crate::protocol::Reply;
use crate::storage::rocks::RocksOptions;
use crate::storage::{RocksStorage, Storage};
use crate::types::{Meta, Store};

/// Commands a fuzz input may not run in-process: they stop the process, wait on the
/// network or a clock, touch files outside the temporary directory, or change settings
/// that affect the harness rather than the parser (their parsers are reached through
/// the wire tests and the `config` target).
const REFUSED: &[&str] = &[
    "shutdown", "debug", "monitor", "subscribe", "psubscribe", "ssubscribe", "sync", "psync", "replicaof",
    "slaveof", "save", "bgsave", "bgrewriteaof", "failover", "wait", "client", "config", "acl", "module", "eval",
    "evalsha", "fcall", "fcall_ro", "eval_ro", "evalsha_ro", "function", "script", "quit", "reset", "hello", "auth",
];

/// Decodes `data` as a client's request stream until it is used up or refused, as a
/// connection does (bounded by `proto-max-bulk-len` of 512 MB and the decoder's own
/// caps). Returns the commands decoded.
pub fn decode(data: &[u8]) -> Vec<Vec<Bytes>> {
    let mut decoder = RequestDecoder::new(512 * 1024 * 1024);
    let mut buf = BytesMut::from(data);
    let mut out = Vec::new();
    loop {
        match decoder.decode(&mut buf) {
            Ok(Decoded::Command(argv)) => out.push(argv),
            Ok(Decoded::Empty) => {}
            Ok(Decoded::Incomplete) | Err(_) => return out,
        }
    }
}

/// An in-process DiskDB: the shared state over a RocksDB in a temporary directory, and
/// one client session.
pub struct Harness {
    pub state: Arc<ServerState>,
    session: Session,
    dir: std::path::PathBuf,
    resets: u64,
    /// A script running longer than this is killed (`SCRIPT KILL` / `FUNCTION KILL`).
    watchdog: Arc<Watchdog>,
}

struct Watchdog {
    running_since: parking_lot::Mutex<Option<Instant>>,
    stop: AtomicBool,
}

impl Harness {
    /// A fresh server state on a new temporary directory.
    pub fn new() -> Harness {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let dir = std::env::temp_dir()
            .join(format!("diskdb-fuzz-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        // Small memtables and cache: a fuzzer runs many harnesses in one process.
        let options = RocksOptions {
            block_cache_bytes: 8 << 20,
            write_buffer_bytes: 4 << 20,
            write_buffers_limit: 64 << 20,
            background_jobs: 1,
            max_open_files: 256,
            ..RocksOptions::default()
        };
        let storage: Arc<dyn Storage> =
            Arc::new(RocksStorage::open(&dir, &options, Meta::live_version).expect("open RocksDB"));
        let store = Store::open(storage, 16).expect("open store");
        let mut config = Config::default();
        config.dir = dir.clone();
        let state = Arc::new(ServerState::new(store, config));
        let info = Arc::new(ClientInfo::new(1, "127.0.0.1:1".into(), "127.0.0.1:2".into(), -1, "N"));
        let session = Session::new(info, state.acl.default_user(), true);
        let watchdog = Arc::new(Watchdog { running_since: parking_lot::Mutex::new(None), stop: AtomicBool::new(false) });
        let (w, s) = (watchdog.clone(), Arc::downgrade(&state));
        std::thread::spawn(move || {
            while !w.stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
                let started = *w.running_since.lock();
                if started.is_some_and(|t| t.elapsed() > Duration::from_millis(200)) {
                    if let Some(state) = s.upgrade() {
                        let _ = state.scripting.kill(true);
                        let _ = state.scripting.kill(false);
                    }
                }
            }
        });
        Harness { state, session, dir, watchdog, resets: 0 }
    }

    /// Runs `argv` (name first) through dispatch, unless it is one of the commands the
    /// harness refuses; a command that would block answers nil.
    pub fn run(&mut self, argv: &[Bytes]) -> Option<Reply> {
        let name = String::from_utf8_lossy(argv.first()?).to_ascii_lowercase();
        if REFUSED.contains(&name.as_str()) {
            return None;
        }
        Some(self.run_unchecked(argv))
    }

    /// Runs `argv` with no refusal list (the targets that drive one family on purpose:
    /// scripts under the watchdog, ACL rules, CONFIG SET of chosen parameters).
    pub fn run_unchecked(&mut self, argv: &[Bytes]) -> Reply {
        *self.watchdog.running_since.lock() = Some(Instant::now());
        let outcome = execute(&self.state, &mut self.session, argv);
        *self.watchdog.running_since.lock() = None;
        outcome.reply
    }

    /// Empties every database between inputs: range deletes only (FLUSHALL's synchronous
    /// compaction of 32 ranges costs ~40 ms), with a real FLUSHALL every 1,000 resets so
    /// range tombstones do not pile up. The session goes back to db 0 outside MULTI.
    pub fn reset(&mut self) {
        self.resets += 1;
        if self.resets % 1000 == 0 {
            self.run_strs(&[b"FLUSHALL"]);
        } else {
            let store = &self.state.store;
            for db in 0..store.databases() {
                let _ = store.flush_db(db);
            }
        }
        self.run_strs(&[b"DISCARD"]);
        self.run_strs(&[b"UNWATCH"]);
        self.run_strs(&[b"SELECT", b"0"]);
    }

    /// Convenience: runs string arguments.
    pub fn run_strs(&mut self, args: &[&[u8]]) -> Reply {
        let argv: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        self.run_unchecked(&argv)
    }
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.watchdog.stop.store(true, Ordering::Relaxed);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Splits fuzz bytes into arguments at NUL bytes (so any byte but NUL can be in an
/// argument, and a seed corpus stays readable).
pub fn split_args(data: &[u8]) -> Vec<Bytes> {
    data.split(|&b| b == 0).map(Bytes::copy_from_slice).collect()
}

/// Applies `text` as the lines of a config file (without `include`, which reads files),
/// then the checks the server runs on a loaded configuration.
pub fn config_text(text: &str) -> Result<(), String> {
    let mut config = Config::default();
    config.apply_text(text)
}

/// Encodes a reply both ways, as a connection would send it (RESP2 and RESP3).
pub fn encode(reply: &Reply) {
    let mut out = BytesMut::new();
    reply.encode(2, &mut out);
    reply.encode(3, &mut out);
}

/// One function per fuzz target, shared by `fuzz/fuzz_targets/*.rs` and the seeded
/// regression tests, so a reproducer replays exactly what the fuzzer ran.
pub mod targets {
    use std::sync::OnceLock;

    use bytes::Bytes;
    use parking_lot::Mutex;

    use super::{decode, encode, split_args, Harness};

    /// The names of every target, as directories under `fuzz/corpus/`.
    pub const ALL: &[(&str, fn(&[u8]))] = &[
        ("resp", resp),
        ("command", command),
        ("restore", restore),
        ("json", json),
        ("acl", acl),
        ("lua", lua),
        ("config", config),
        ("shm_ring", shm_ring),
    ];

    /// One harness per process, emptied before each input (opening RocksDB per input
    /// would make the fuzzer a hundred times slower).
    fn with_harness<R>(f: impl FnOnce(&mut Harness) -> R) -> R {
        static HARNESS: OnceLock<Mutex<Harness>> = OnceLock::new();
        let mut h = HARNESS.get_or_init(|| Mutex::new(Harness::new())).lock();
        h.reset();
        f(&mut h)
    }

    /// The request decoder on raw bytes.
    pub fn resp(data: &[u8]) {
        decode(data);
    }

    /// Commands from a RESP stream, or one NUL-separated argument list, run through
    /// dispatch (every argument parser a client reaches).
    pub fn command(data: &[u8]) {
        let mut commands = decode(data);
        if commands.is_empty() {
            commands.push(split_args(data));
        }
        with_harness(|h| {
            for argv in commands.iter().take(64) {
                if let Some(reply) = h.run(argv) {
                    encode(&reply);
                }
            }
            h.run_strs(&[b"EXEC"]);
        });
    }

    /// A DUMP payload restored, then read back in full as whatever type it became.
    pub fn restore(data: &[u8]) {
        with_harness(|h| {
            let reply = h.run_strs(&[b"RESTORE", b"k", b"0", data, b"REPLACE"]);
            if reply.is_error() {
                return;
            }
            for read in [
                &[&b"TYPE"[..], b"k"][..],
                &[b"DUMP", b"k"],
                &[b"OBJECT", b"ENCODING", b"k"],
                &[b"GET", b"k"],
                &[b"STRLEN", b"k"],
                &[b"PFCOUNT", b"k"],
                &[b"LRANGE", b"k", b"0", b"-1"],
                &[b"HGETALL", b"k"],
                &[b"SMEMBERS", b"k"],
                &[b"ZRANGE", b"k", b"0", b"-1", b"WITHSCORES"],
                &[b"XRANGE", b"k", b"-", b"+"],
                &[b"XINFO", b"STREAM", b"k", b"FULL"],
                &[b"JSON.GET", b"k"],
                &[b"GEOPOS", b"k", b"a"],
            ] {
                encode(&h.run_strs(read));
            }
            // And the value goes back through DUMP into a second key.
            if let crate::protocol::Reply::Bulk(dump) = h.run_strs(&[b"DUMP", b"k"]) {
                h.run_strs(&[b"RESTORE", b"k2", b"0", &dump]);
            }
        });
    }

    /// A JSON document and a JSONPath (separated by the first NUL): JSON.SET, then reads
    /// and writes at the path.
    pub fn json(data: &[u8]) {
        let mut parts = data.splitn(3, |&b| b == 0);
        let doc = parts.next().unwrap_or_default();
        let path = parts.next().unwrap_or(b"$");
        let value = parts.next().unwrap_or(b"1");
        with_harness(|h| {
            if h.run_strs(&[b"JSON.SET", b"j", b"$", doc]).is_error() {
                return;
            }
            for cmd in [
                &[&b"JSON.GET"[..], b"j", path][..],
                &[b"JSON.TYPE", b"j", path],
                &[b"JSON.SET", b"j", path, value],
                &[b"JSON.ARRAPPEND", b"j", path, value],
                &[b"JSON.NUMINCRBY", b"j", path, b"2"],
                &[b"JSON.OBJKEYS", b"j", path],
                &[b"JSON.STRLEN", b"j", path],
                &[b"JSON.DEL", b"j", path],
                &[b"JSON.GET", b"j", b"$"],
                &[b"JSON.DEBUG", b"MEMORY", b"j"],
            ] {
                encode(&h.run_strs(cmd));
            }
        });
    }

    /// ACL rules (space-separated, as ACL SETUSER takes them) for a user, then the user
    /// listed and described.
    pub fn acl(data: &[u8]) {
        let mut argv: Vec<Bytes> = vec![Bytes::from_static(b"ACL"), Bytes::from_static(b"SETUSER"), Bytes::from_static(b"fuzzed")];
        argv.extend(data.split(|&b| b == b' ').take(64).map(Bytes::copy_from_slice));
        with_harness(|h| {
            encode(&h.run_unchecked(&argv));
            encode(&h.run_strs(&[b"ACL", b"GETUSER", b"fuzzed"]));
            encode(&h.run_strs(&[b"ACL", b"LIST"]));
            h.run_strs(&[b"ACL", b"DELUSER", b"fuzzed"]);
        });
    }

    /// A Lua text as a read-only script (a watchdog kills it after 200 ms, as SCRIPT
    /// KILL would) and as a function library.
    pub fn lua(data: &[u8]) {
        with_harness(|h| {
            encode(&h.run_strs(&[b"EVAL_RO", data, b"1", b"k", b"a"]));
            encode(&h.run_strs(&[b"FUNCTION", b"LOAD", b"REPLACE", data]));
            h.run_strs(&[b"FUNCTION", b"FLUSH"]);
            h.run_strs(&[b"SCRIPT", b"FLUSH"]);
        });
    }

    /// Config-file text.
    pub fn config(data: &[u8]) {
        let _ = super::config_text(&String::from_utf8_lossy(data));
    }

    /// The shared-memory ring reader against a hostile client's bytes and indexes
    /// (a script of moves: see `shm::fuzz_peer`).
    pub fn shm_ring(data: &[u8]) {
        crate::shm::fuzz_peer(data);
    }
}
