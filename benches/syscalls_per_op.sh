#!/usr/bin/env bash
# System calls per request: runs one redis-benchmark row against redis-server and
# against DiskDB once per io-engine (each fresh, one after the other), counting every
# system call of every server thread with `strace -c -f` while the measured requests
# run, and prints calls per request with the five most frequent calls.
#
#   bash benches/syscalls_per_op.sh                      # SET and GET, depth 1
#   TESTS=get PIPELINE=16 ENGINES="epoll uring" bash benches/syscalls_per_op.sh
#
# strace slows every call down, so the requests/s it shows mean nothing; the counts do
# (they depend on how requests batch, which a slower server changes a little: compare
# rows measured alike). Settings as in benches/cpu_per_op.sh: 50 clients, 64-byte
# values, a 1,000,000-key space, appendfsync everysec for both.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
REQUESTS=${REQUESTS:-50000}
PIPELINE=${PIPELINE:-1}
TESTS=${TESTS:-"set get"}
ENGINES=${ENGINES:-"epoll uring"}
CLIENTS=${CLIENTS:-50}

command -v strace >/dev/null || { echo "strace missing (apt-get install strace)"; exit 1; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (apt-get install redis-tools)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
bench() { redis-benchmark -p "$1" -c "$CLIENTS" -n "$2" -P "$PIPELINE" -d 64 -r 1000000 -t "$3" -q >/dev/null 2>&1; }

run() { # server test [io-engine]
  local server=$1 t=$2 engine=${3:-} work port pid tracer
  work=$(mktemp -d /tmp/diskdb-sys.XXXXXX); port=$(free_port)
  if [ "$server" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec \
      --save "" --daemonize no --logfile "$work/redis.log" &
  else
    "$DISKDB_BIN" --port "$port" --dir "$work/data" --appendfsync everysec --loglevel warning \
      ${engine:+--io-engine "$engine"} 2>"$work/diskdb.log" &
  fi
  pid=$!
  for _ in $(seq 1 600); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  bench "$port" $((REQUESTS / 2)) "$t"
  strace -c -f -p "$pid" -o "$work/strace" 2>/dev/null &
  tracer=$!
  sleep 1 # attached to every thread
  bench "$port" "$REQUESTS" "$t"
  kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
  local total top
  total=$(awk '$NF == "total" { print $4 }' "$work/strace")
  top=$(awk -v n="$REQUESTS" '$1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%.2f %s\n", $4 / n, $NF }' "$work/strace" \
    | sort -rn | head -5 | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')
  printf "%-30s %6.2f system calls/request  (%s)\n" "$server${engine:+ ($engine)} $t -P $PIPELINE" \
    "$(echo "$total $REQUESTS" | awk '{ printf "%.2f", $1 / $2 }')" "$top"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}

for t in $TESTS; do
  run redis "$t"
  for e in $ENGINES; do run diskdb "$t" "$e"; done
done
