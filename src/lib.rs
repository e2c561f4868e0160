//! DiskDB: a persistent, Redis-compatible server that keeps every data type in RocksDB.
//!
//! Module map (dependencies point one way: transports -> commands -> types -> storage):
//!
//! - [`config`]: the one configuration struct; CLI (clap) and config file.
//! - `shm`: the shared-memory transport (SHM.ATTACH, docs/shm-protocol.md): a client's
//!   memfd segment with its two rings, served as one more stream of the connection loop;
//!   one of the two modules allowed `unsafe` (the other: `server::uring`).
//! - `protocol`: RESP request decoding (one bounded scan that checks limits and slices
//!   the arguments) and RESP2/RESP3 reply encoding.
//! - [`server`]: listeners (TCP, TLS, Unix socket), connections (through epoll, or
//!   io_uring with `io-engine uring`: `server::uring`), durability (WAL fsync policy),
//!   active expiry, shutdown.
//! - `acl`: ACL users, their rules and the permission check, the ACL LOG, the aclfile.
//! - `commands`: the command table, the dispatch path, one file per command group.
//! - `pubsub`: the Pub/Sub hub (channel, pattern and shard-channel subscribers) and the
//!   per-client mailboxes a PUBLISH fans out to; connections drain their own.
//! - `tracking`: client-side caching (CLIENT TRACKING): tracked keys, BCAST prefixes,
//!   and the invalidation messages writes send through those mailboxes.
//! - `monitor`: MONITOR's feed of every command run, through the same mailboxes.
//! - `types`: typed operations over storage: metadata, expiry, key locks.
//! - `storage`: the `Storage` trait and its RocksDB engine; key encodings; backups
//!   (RocksDB checkpoints) and restoring them.
//! - [`tools`]: the binary's subcommands: `restore`, `export`, `import`.
//! - `diag`: SLOWLOG, the latency monitor and the per-command latency histograms, fed
//!   by the dispatch path.
//! - `error`: every error reply text.
//! - `audit`: the audit log (`audit-log-file`), written by a background thread.
//! - `notify`: keyspace notifications (`notify-keyspace-events`): event classes and
//!   their publication after a command commits.
//! - [`logging`]: log output, its level, and reopening the log file on SIGHUP.
//! - `metrics`: Prometheus metrics on `metrics-port`: latency histograms, the collector
//!   that reads the server's figures at scrape time, and the `/metrics` HTTP endpoint.
//! - `num`: number reading with Redis's rules (integers, strtod doubles), shared by
//!   commands and types.
//!
//! ```no_run
//! // Start a server on port 6380 with data in ./diskdb-data:
//! let config = diskdb::config::Config::from_args(["--port".to_string(), "6380".to_string()]).unwrap();
//! let rt = tokio::runtime::Runtime::new().unwrap();
//! rt.block_on(diskdb::server::run(config)).unwrap();
//! ```

// `unsafe` only in `shm` (the shared-memory transport maps its segments) and
// `server::uring` (the kernel owns the io_uring engine's buffers while it reads and
// writes them), which allow it for themselves with a SAFETY note on every block;
// anywhere else it does not compile.
#![deny(unsafe_code)]

// Public: what the binary (src/main.rs) needs. Everything else is the crate's own.
pub(crate) mod audit;
pub(crate) mod acl;
pub(crate) mod commands;
pub(crate) mod diag;
pub mod config;
pub(crate) mod error;
#[doc(hidden)]
pub mod fuzz_api;
pub(crate) mod glob;
pub(crate) mod monitor;
pub mod logging;
pub(crate) mod metrics;
pub(crate) mod notify;
pub(crate) mod num;
pub(crate) mod protocol;
pub(crate) mod pubsub;
pub mod scripting;
pub mod server;
pub(crate) mod shm;
pub(crate) mod storage;
pub mod tools;
pub(crate) mod tracking;
pub(crate) mod types;
