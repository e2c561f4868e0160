#!/usr/bin/env bash
# `make test-asan`: the code with `unsafe` under AddressSanitizer (issue 20).
#  1. the server's shared-memory module (src/shm): its unit tests, which replay hostile
#     ring indexes and 200 scripted hostile clients through the ring reader;
#  2. tests/shm.rs and tests/io_engine.rs against a server binary built with ASan (every
#     case of the shared-memory path, hostile clients included, and of the io_uring
#     engine, src/server/uring.rs, whose buffers the kernel fills);
#  3. the Rust client (clients/rust, whose src/shm.rs is its only unsafe code): its
#     whole suite built with ASan, against that ASan server.
# Needs the nightly toolchain (rustup's nightly, already installed here). Builds in
# $ASAN_TARGET_DIR, linking the RocksDB the release build made (fuzz/prebuilt_rocksdb.sh).
# The server is built without mimalloc (--no-default-features): ASan replaces malloc.
# LeakSanitizer is off: the server keeps process-lifetime allocations on purpose
# (statics, the leaked configuration), which it would report at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source fuzz/prebuilt_rocksdb.sh
triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"
export RUSTFLAGS="-Zsanitizer=address -Cforce-frame-pointers=yes"
export RUSTDOCFLAGS="-Zsanitizer=address"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
asan_target="${ASAN_TARGET_DIR:-$HOME/.cache/diskdb/target-asan}"
start=$(date +%s)
CARGO_TARGET_DIR="$asan_target" cargo +nightly test --release --target "$triple" --no-default-features --lib shm:: -- --test-threads=2
CARGO_TARGET_DIR="$asan_target" cargo +nightly test --release --target "$triple" --no-default-features --test shm --test io_engine -- --test-threads=2
bin="$asan_target/$triple/release/diskdb"
(cd clients/rust && CARGO_TARGET_DIR="${asan_target}-client" DISKDB_BIN="$bin" \
  cargo +nightly test --release --target "$triple" --tests -- --test-threads=2)
echo "test-asan: passed in $(( $(date +%s) - start )) s"
