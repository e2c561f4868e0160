//! Shared set-up for the type layer's unit tests: a store over a temporary RocksDB.

use std::sync::Arc;

use super::{Meta, Store, Txn};
use crate::error::Result;
use crate::storage::rocks::RocksOptions;
use crate::storage::{RocksStorage, Storage};

/// Opens storage and a 16-database store in `dir`.
pub fn open_with_storage(dir: &std::path::Path) -> (Arc<dyn Storage>, Store) {
    let storage: Arc<dyn Storage> =
        Arc::new(RocksStorage::open(dir, &RocksOptions::default(), Meta::live_version).unwrap());
    let store = Store::open(storage.clone(), 16).unwrap();
    (storage, store)
}

/// A 16-database store in `dir`.
pub fn open(dir: &std::path::Path) -> Store {
    open_with_storage(dir).1
}

/// Runs `f` in its own committed Txn on database 0.
pub fn run<T>(store: &Store, f: impl FnOnce(&mut Txn<'_>) -> Result<T>) -> T {
    let mut txn = Txn::new(store, 0);
    let out = f(&mut txn).unwrap();
    txn.commit().unwrap();
    out
}
