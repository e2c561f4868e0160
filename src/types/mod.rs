//! The type layer: typed operations over storage.
//!
//! [`Store`] is the keyspace every command shares; [`Txn`] is one command's view of it,
//! which does the metadata lookup, lazy expiry and WRONGTYPE check in one place. Each
//! data type adds its operations in its own file.

pub mod access;
pub mod cache;
pub mod collection;
pub mod hash;
pub mod list;
pub mod locks;
pub mod long_double;
pub mod meta;
pub mod sample;
pub mod set;
pub mod store;
pub mod string;
#[cfg(test)]
pub mod testing;
pub mod txn;
pub mod zset;

pub use meta::{Kind, Meta};
pub use store::Store;
pub use txn::{now_ms, Txn};
