#!/usr/bin/env bash
# Where the CPU goes: runs one redis-benchmark row against redis-server and against
# DiskDB (each fresh, one after the other) and prints, per server thread, the user and
# system CPU time per request (from /proc/<pid>/task/*/stat), with how busy the whole
# machine was. On a small machine this says more than requests/s alone: a server whose
# threads need more CPU per request than the cores left beside redis-benchmark can give
# cannot keep up, however well it overlaps.
#
#   bash benches/cpu_per_op.sh                  # SET and ZADD, depth 1
#   TESTS="sadd hset" PIPELINE=16 bash benches/cpu_per_op.sh
#   ENGINES="epoll uring" bash benches/cpu_per_op.sh   # DiskDB once per io-engine
#
# Settings as in benches/compare.sh: 50 clients, 64-byte values, a 1,000,000-key space;
# redis-server with appendonly yes + appendfsync everysec, DiskDB with appendfsync
# everysec. Each row first runs REQUESTS/2 requests to warm up, then REQUESTS measured.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
REQUESTS=${REQUESTS:-200000}
PIPELINE=${PIPELINE:-1}
TESTS=${TESTS:-"set zadd"}
ENGINES=${ENGINES:-""}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (apt-get install redis-tools)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
bench() { redis-benchmark -p "$1" -c 50 -n "$2" -P "$PIPELINE" -d 64 -r 1000000 -t "$3" -q 2>/dev/null | tr '\r' '\n' | grep -a 'requests per second' | tail -1; }
threads() { for f in /proc/"$1"/task/*/stat; do awk '{print $1, $2, $14, $15}' "$f"; done 2>/dev/null; }
machine() { head -1 /proc/stat | awk '{print $2+$3+$4+$5+$6+$7+$8, $5}'; }

run() { # server test [io-engine]
  local server=$1 t=$2 engine=${3:-} work port pid
  work=$(mktemp -d /tmp/diskdb-cpu.XXXXXX); port=$(free_port)
  if [ "$server" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec \
      --save "" --daemonize no --logfile "$work/redis.log" &
  else
    "$DISKDB_BIN" --port "$port" --dir "$work/data" --appendfsync everysec --loglevel warning ${engine:+--io-engine "$engine"} 2>"$work/diskdb.log" &
  fi
  pid=$!
  for _ in $(seq 1 600); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  bench "$port" $((REQUESTS / 2)) "$t" >/dev/null
  local before after m0 m1 rps
  before=$(threads "$pid"); m0=$(machine)
  rps=$(bench "$port" "$REQUESTS" "$t")
  after=$(threads "$pid"); m1=$(machine)
  echo "$server${engine:+ ($engine)} $t: $rps; machine busy $(echo "$m0 $m1" | awk '{printf "%.0f%%", 100 * (1 - ($4 - $2) / ($3 - $1))}')"
  join <(echo "$before" | sort) <(echo "$after" | sort) | awk -v n="$REQUESTS" -v us="$TICK_US" '{
      u = ($6 - $3) * us / n; s = ($7 - $4) * us / n
      if (u + s >= 0.05) printf "  %-18s user %5.1f us/request   system %5.1f us/request\n", $2, u, s }'
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}

for t in $TESTS; do
  run redis "$t"
  if [ -z "$ENGINES" ]; then run diskdb "$t"; fi
  for e in $ENGINES; do run diskdb "$t" "$e"; done
done
