//! # diskdb-client
//!
//! The Rust client bundled with DiskDB: async (Tokio) with a blocking wrapper, over TCP
//! (`redis://`), TLS (`rediss://`), a Unix socket (`unix://`) or DiskDB's shared-memory
//! transport (`diskdb+shm://`, same host only: requests and replies move through rings in
//! a memory segment shared with the server instead of the kernel's socket buffers).
//! It speaks RESP2 and RESP3 and works with Redis as well (everything but shared memory).
//!
//! ```no_run
//! use diskdb_client::{AsyncCommands, Client};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> diskdb_client::Result<()> {
//! let mut db = Client::open("diskdb+shm:///run/diskdb/diskdb.sock").await?;
//! db.set("visits", 1000).await?;
//! let visits = db.incr("visits").await?;
//! assert_eq!(visits, 1001);
//! # Ok(()) }
//! ```
//!
//! ## Module map
//! - [`Client`] (reconnecting), [`Connection`] (one connection), [`Pool`] (shared by
//!   tasks), [`blocking`] (the same without async).
//! - [`AsyncCommands`] / [`Commands`]: typed helpers for strings, keys, lists, hashes,
//!   sets, sorted sets, JSON and streams; `cmd(&[...])` for anything else.
//! - [`Pipeline`] (one round trip, optionally MULTI/EXEC), [`Connection::transaction`]
//!   (WATCH with retries), [`PubSub`] (messages as a stream).
//! - [`Value`] / [`FromValue`]: replies; [`Error`]: what can go wrong.
//! - `resp`: the RESP encoder and decoder; `shm`: the shared-memory transport (the
//!   only module with `unsafe`).

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod blocking;
mod client;
mod commands;
mod connection;
mod error;
mod options;
mod pipeline;
mod pool;
mod pubsub;
pub mod resp;
mod shm;
mod tls;
mod value;

pub use client::{Client, TxFuture};
pub use commands::{AsyncCommands, AutoClaim, Commands, PendingSummary, StreamEntry, StreamRead};
pub use connection::Connection;
pub use error::{Error, Result};
pub use options::{Addr, ConnectOptions};
pub use pipeline::Pipeline;
pub use pool::{Pool, PoolConfig, PoolStatus, PooledConnection};
pub use pubsub::{Message, MessageStream, PubSub};
pub use resp::{Cmd, ToArgs};
pub use value::{FromValue, Pairs, Value};

/// The README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
