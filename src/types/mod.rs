//! The type layer: typed operations over storage.
//!
//! [`Store`] is the keyspace every command shares; [`Txn`] is one command's view of it.
//! [`Txn::open`] is the one lookup: metadata, lazy expiry, WRONGTYPE and INFO's keyspace
//! hit/miss count (by [`Access`]).
//!
//! Every data type has one file of the same shape (hash.rs is the template):
//!
//! - a `//!` header drawing its layout: the metadata payload, the sub-key bytes, and
//!   which column family holds what;
//! - `open(txn, key, access) -> Result<Option<State>>`, built on [`Txn::open`];
//! - reads as methods on `&State`;
//! - writes through one mutable handle (`XMut::open`, and `XMut::open_or_create` for
//!   a collection) whose `finish` writes the new metadata, or deletes the key when the
//!   value became empty. Hashes, sets and sorted sets share theirs,
//!   [`collection::Opened`], and their lookup: the state implements [`Collection`]
//!   (its kind, what the handle records of a changed element) and each file adds its
//!   operations to `Opened<'a, State>`.
//!
//! What several commands share about a type lives in its file too (sorted-set pops,
//! range removal and the union / intersection / difference core; set combinations);
//! random picks from any collection are in [`sample`].

pub mod access;
pub mod cache;
pub mod collection;
pub mod encoding;
pub mod evict;
pub mod geo;
pub mod hash;
pub mod hll;
pub mod json;
pub mod list;
pub mod locks;
pub mod long_double;
pub mod meta;
pub mod recount;
pub mod sample;
pub mod set;
pub mod staged;
pub mod store;
pub mod stream;
pub mod string;
#[cfg(test)]
pub mod testing;
pub mod txn;
pub mod zset;

pub use collection::Collection;
pub use meta::{Kind, Meta};
pub use store::Store;
pub use txn::{now_ms, now_us, Access, Txn};
