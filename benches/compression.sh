#!/usr/bin/env bash
# Data directory size and write throughput of each RocksDB codec on the same load.
#
#   bash benches/compression.sh                 # 1,000,000 keys of ~1 KiB text (~1 GB)
#   KEYS=200000 CODECS="lz4 zstd" bash benches/compression.sh
#
# The load: benches/gen_values.py writes KEYS SET commands with realistic text values
# (JSON-like records of words, names, numbers; deterministic), generated once into a
# file, then sent to a fresh server per codec with `redis-cli --pipe` (pipelined, as a
# bulk load). Each codec is set for every level (rocksdb-compression and
# rocksdb-bottommost-compression alike), plus DiskDB's default pair (lz4 above the last
# level, zstd on it). After the load the server is shut down (memtables flushed), and
# the sizes of the table files and of the whole data directory are printed.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
KEYS=${KEYS:-1000000}
SIZE=${SIZE:-1024}
CODECS=${CODECS:-"none snappy lz4 zstd lz4/zstd"}
here=$(cd "$(dirname "$0")" && pwd)

command -v redis-cli >/dev/null || { echo "redis-cli missing (apt-get install redis-tools)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

work=$(mktemp -d /tmp/diskdb-compression.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"

python3 "$here/gen_values.py" text "$KEYS" "$SIZE" > "$work/load.resp"
load_bytes=$(stat -c %s "$work/load.resp")
echo "load: $KEYS keys, values of ~$SIZE bytes, $((load_bytes / 1000000)) MB of RESP"
printf '%-10s %12s %12s %14s %12s\n' codec "sst MB" "dir MB" "load s" "MB/s"
for codec in $CODECS; do
  top=${codec%/*}; bottom=${codec#*/}
  dir="$work/data-${top}-${bottom}"
  port=$(free_port)
  "$DISKDB_BIN" --port "$port" --dir "$dir" --save "" --loglevel warning \
    --rocksdb-compression "$top" --rocksdb-bottommost-compression "$bottom" 2>"$work/server.log" &
  pid=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
  start=$(date +%s.%N)
  redis-cli -p "$port" --pipe < "$work/load.resp" > "$work/pipe.out"
  end=$(date +%s.%N)
  grep -q "errors: 0" "$work/pipe.out" || { cat "$work/pipe.out"; exit 1; }
  # Let the compactions the load started finish, so every codec is measured settled.
  while [ "$(redis-cli -p "$port" info persistence | tr -d '\r' | awk -F: '/^rocksdb_compactions_running/{print $2}')" != 0 ]; do sleep 0.5; done
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  pid=""
  sst=$(find "$dir" -maxdepth 1 -name '*.sst' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  all=$(du -sb "$dir" | cut -f1)
  awk -v c="$codec" -v s="$sst" -v a="$all" -v t0="$start" -v t1="$end" -v b="$load_bytes" \
    'BEGIN { t = t1 - t0; printf "%-10s %12.0f %12.0f %14.1f %12.1f\n", c, s/1e6, a/1e6, t, b/1e6/t }'
  rm -rf "$dir"
done
