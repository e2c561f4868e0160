#!/usr/bin/env bash
# Start-up and shutdown time of a database of many keys (10 million by default), and the
# memory it takes against redis-server holding the same keys.
#
#   bash benches/startup.sh                # 10,000,000 keys
#   KEYS=1000000 ROUNDS=5 bash benches/startup.sh
#   LOAD=populate bash benches/startup.sh  # load with DEBUG POPULATE (faster) instead
#   REDIS=0 bash benches/startup.sh        # without the redis-server memory row
#   READS=0 bash benches/startup.sh        # without the random reads before the last RSS
#
# Loads KEYS small string keys (key:<n> -> value:<n>: benches/gen_values.py through
# `redis-cli --pipe`, or DEBUG POPULATE, which writes the same keys and values), then
# ROUNDS times: SIGTERM and the time until the process has exited, then a start and the
# time until PING answers. Then `kill -9` and a start: the time until PING answers (the
# server serves at once and recounts its keys in the background) and until DBSIZE
# answers (DBSIZE waits for that recount, so this is when the counts are exact again).
# Times are wall-clock from the signal or the exec, measured here with 10 ms polling.
#
# Memory: DiskDB's VmRSS right after the load, after a clean restart, after the kill -9
# restart's recount, and after READS GETs of random keys (which bring the block cache
# to its working size); then redis-server (no persistence) is given the same keys
# with DEBUG POPULATE and its VmRSS is printed with the ratio DiskDB / Redis.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
KEYS=${KEYS:-10000000}
ROUNDS=${ROUNDS:-3}
LOAD=${LOAD:-pipe}
REDIS=${REDIS:-1}
READS=${READS:-2000000}
here=$(cd "$(dirname "$0")" && pwd)

command -v redis-cli >/dev/null || { echo "redis-cli missing (apt-get install redis-tools)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

work=$(mktemp -d /tmp/diskdb-startup.XXXXXX)
pid=""; rpid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$rpid" ] && kill -9 "$rpid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
port=$(free_port)
now() { date +%s.%N; }
rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
# `save ""`: the measured shutdown is the server's own, without a backup.
start_server() {
  "$DISKDB_BIN" --port "$port" --dir "$work/data" --save "" --loglevel notice --enable-debug-command local \
    2>>"$work/server.log" &
  pid=$!
}
wait_ping() { until [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; do sleep 0.01; done; }
stop_server() {
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  wait "$pid" 2>/dev/null || true
  pid=""
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
start_server
wait_ping
t0=$(now)
if [ "$LOAD" = populate ]; then
  redis-cli -p "$port" debug populate "$KEYS" >/dev/null
else
  python3 "$here/gen_values.py" small "$KEYS" | redis-cli -p "$port" --pipe > "$work/pipe.out"
  grep -q "errors: 0" "$work/pipe.out" || { cat "$work/pipe.out"; exit 1; }
fi
t1=$(now)
dbsize=$(redis-cli -p "$port" dbsize)
awk -v n="$dbsize" -v a="$t0" -v b="$t1" -v how="$LOAD" 'BEGIN { printf "loaded %d keys (%s) in %.1f s (%.0f keys/s)\n", n, how, b-a, n/(b-a) }'
rss_loaded=$(rss_mb "$pid")
echo "data directory: $(du -sh "$work/data" | cut -f1); DiskDB VmRSS after the load: $rss_loaded MB"

for round in $(seq "$ROUNDS"); do
  a=$(now); stop_server; b=$(now)
  start_server; wait_ping; c=$(now)
  [ "$(redis-cli -p "$port" dbsize)" = "$dbsize" ] || { echo "DBSIZE changed"; exit 1; }
  awk -v r="$round" -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "round %d: shutdown %.3f s, start to PING %.3f s\n", r, b-a, c-b }'
done
rss_restarted=$(rss_mb "$pid")
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
b=$(now); start_server; wait_ping; c=$(now)
after=$(redis-cli -p "$port" dbsize); d=$(now)
[ "$after" = "$dbsize" ] || { echo "DBSIZE changed after kill -9: $after"; exit 1; }
awk -v b="$b" -v c="$c" -v d="$d" 'BEGIN { printf "after kill -9: start to PING %.3f s, start to exact DBSIZE (recount done) %.3f s\n", c-b, d-b }'
grep -h "recounted" "$work/server.log" | tail -1 | sed 's/^/  log: /' || true
rss_recounted=$(rss_mb "$pid")
rss_read=$rss_recounted
if [ "$READS" -gt 0 ]; then
  a=$(now)
  python3 "$here/gen_values.py" gets "$dbsize" "$READS" | redis-cli -p "$port" --pipe > "$work/gets.out"
  b=$(now)
  awk -v n="$READS" -v a="$a" -v b="$b" 'BEGIN { printf "%d GETs of random keys in %.1f s\n", n, b-a }'
  rss_read=$(rss_mb "$pid")
fi
echo "DiskDB VmRSS: $rss_loaded MB after the load, $rss_restarted MB after clean restarts, $rss_recounted MB after the recount, $rss_read MB after the reads"
redis-cli -p "$port" info memory | grep -E '^(used_memory_rss|rocksdb_)' | tr -d '\r' | sed 's/^/  /' || true
redis-cli -p "$port" info rocksdb | grep -E '^rocksdb_(memtable_bytes|block_cache_usage|block_cache_capacity|table_readers_bytes)' | tr -d '\r' | sed 's/^/  /' || true
stop_server

if [ "$REDIS" = 1 ] && command -v redis-server >/dev/null; then
  rport=$(free_port)
  mkdir -p "$work/redis"
  redis-server --port "$rport" --bind 127.0.0.1 --dir "$work/redis" --save "" --appendonly no --daemonize no \
    --enable-debug-command yes --logfile "$work/redis.log" &
  rpid=$!
  until [ "$(redis-cli -p "$rport" ping 2>/dev/null)" = PONG ]; do sleep 0.01; done
  redis-cli -p "$rport" debug populate "$KEYS" >/dev/null
  [ "$(redis-cli -p "$rport" dbsize)" = "$dbsize" ] || { echo "redis-server DBSIZE differs"; exit 1; }
  rrss=$(rss_mb "$rpid")
  echo "redis-server VmRSS with the same $dbsize keys: $rrss MB ($(redis-cli -p "$rport" info memory | awk -F: '/^used_memory_human:/ {print $2}' | tr -d '\r') used_memory)"
  awk -v l="$rss_loaded" -v s="$rss_restarted" -v c="$rss_recounted" -v g="$rss_read" -v r="$rrss" \
    'BEGIN { printf "ratio DiskDB / Redis VmRSS: %.2f after the load, %.2f after a clean restart, %.2f after the recount, %.2f after the reads\n", l/r, s/r, c/r, g/r }'
  kill "$rpid"; wait "$rpid" 2>/dev/null || true; rpid=""
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
