# Sourced by fuzz/run.sh and tests/asan.sh: builds with another toolchain or sanitizer
# flags would compile RocksDB's C++ again (~25-35 minutes on 2 cores). Its static
# libraries do not depend on Rust flags, so when the release build of the server
# already made them, librocksdb-sys links those instead (its ROCKSDB_LIB_DIR and
# SNAPPY_LIB_DIR settings). Nothing is set when no build exists yet.
stable_target="${DISKDB_TARGET_DIR:-$HOME/.cache/diskdb/target}"
for out in "$stable_target"/release/build/librocksdb-sys-*/out; do
  if [ -f "$out/librocksdb.a" ] && [ -f "$out/libsnappy.a" ]; then
    export ROCKSDB_LIB_DIR="$out" ROCKSDB_STATIC=1 SNAPPY_LIB_DIR="$out" SNAPPY_STATIC=1
    echo "using RocksDB built in $out"
    break
  fi
done
