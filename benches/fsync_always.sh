#!/usr/bin/env bash
# `appendfsync always`: DiskDB's group commit against redis-server's, in the same run.
#
#   bash benches/fsync_always.sh
#   REQUESTS=50000 ROUNDS=3 TESTS="set incr" bash benches/fsync_always.sh
#   DATA_ROOT=/var/tmp bash benches/fsync_always.sh   # where both data directories go
#
# redis-server runs with `appendonly yes`, `appendfsync always` (it writes the AOF and
# fsyncs it once per event-loop turn, before it answers the clients of that turn);
# DiskDB with `appendfsync always` (a reply waits until the write-ahead log holding its
# write is fsynced; one fsync covers every write queued meanwhile: group commit). Both
# data directories are under DATA_ROOT, so on the same disk and file system. Each row
# is `redis-benchmark -c CLIENTS -n REQUESTS -t <test> -P 1` (64-byte values, a
# 1,000,000-key space), alternating Redis and DiskDB ROUNDS times; medians are printed
# with the ratio DiskDB/Redis. The file system, and the load average before and after,
# are printed too: fsync rates depend on both.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
REQUESTS=${REQUESTS:-20000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-"set incr lpush hset"}
ROUNDS=${ROUNDS:-1}
DATA_ROOT=${DATA_ROOT:-/tmp}

command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (apt-get install redis-tools)"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing (apt-get install redis-server)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

work=$(mktemp -d "$DATA_ROOT/diskdb-fsync.XXXXXX")
mkdir -p "$work/redis" "$work/diskdb"
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
RPORT=$(free_port); DPORT=$(free_port)

redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync always \
  --save "" --daemonize no --logfile "$work/redis.log" &
RPID=$!
"$DISKDB_BIN" --port "$DPORT" --dir "$work/diskdb" --appendfsync always --save "" --loglevel warning 2>"$work/diskdb.log" &
DPID=$!
cleanup() { kill "$RPID" "$DPID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_ready "$RPORT"; wait_ready "$DPORT"

rps() { # port test -> requests per second
  redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -P 1 -d 64 -r 1000000 -t "$2" --csv 2>/dev/null \
    | awk -F'"' -v t="$(echo "$2" | tr '[:lower:]' '[:upper:]')" 'NR>1 && ($2 == t || index($2, t " ") == 1) {print $4; exit}'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "data on: $(df -T "$work" | awk 'NR==2 {print $1, $2}') ($work)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
# What one fsync costs there: the bound of any fsync-per-reply scheme.
python3 - "$work/probe" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
n, t = 200, time.time()
for _ in range(n):
    os.write(fd, b"x" * 100)
    os.fdatasync(fd)
print(f"fdatasync of a 100-byte append there: {(time.time() - t) / n * 1000:.2f} ms")
os.close(fd)
os.unlink(sys.argv[1])
PY
echo "$CLIENTS clients, $REQUESTS requests per row, pipeline 1, rounds $ROUNDS"
printf '%-10s %14s %14s %8s\n' "test" "redis rps" "diskdb rps" "ratio"
for t in $TESTS; do
  rs=""; ds=""
  for _ in $(seq 1 "$ROUNDS"); do
    rs="$rs $(rps "$RPORT" "$t")"; ds="$ds $(rps "$DPORT" "$t")"
  done
  r=$(echo "$rs" | median); d=$(echo "$ds" | median)
  ratio=$(awk -v d="$d" -v r="$r" 'BEGIN { if (r > 0) printf "%.2f", d / r; else print "n/a" }')
  printf '%-10s %14s %14s %8s\n' "$(echo "$t" | tr '[:lower:]' '[:upper:]')" "$r" "$d" "$ratio"
done
# How many fsyncs each made: DiskDB counts its WAL syncs (INFO rocksdb), Redis's AOF
# fsyncs are not counted by Redis itself.
echo "diskdb WAL syncs: $(redis-cli -p "$DPORT" info rocksdb | awk -F: '/^rocksdb_wal_syncs:/ {print $2}' | tr -d '\r')"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
