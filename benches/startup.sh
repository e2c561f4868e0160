#!/usr/bin/env bash
# Start-up and shutdown time of a database of many keys (10 million by default).
#
#   bash benches/startup.sh                # 10,000,000 keys
#   KEYS=1000000 ROUNDS=5 bash benches/startup.sh
#
# Loads KEYS small string keys (key:<n> -> value:<n>, benches/gen_values.py through
# `redis-cli --pipe`), then ROUNDS times: SIGTERM and the time until the process has
# exited, then a start and the time until PING answers. Finally the same start after
# `kill -9` (no clean shutdown: DiskDB recounts its keys with one scan of the metadata
# before it serves). Times are wall-clock from the signal or the exec, measured here
# with 10 ms polling.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
KEYS=${KEYS:-10000000}
ROUNDS=${ROUNDS:-3}
here=$(cd "$(dirname "$0")" && pwd)

command -v redis-cli >/dev/null || { echo "redis-cli missing (apt-get install redis-tools)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

work=$(mktemp -d /tmp/diskdb-startup.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
now() { date +%s.%N; }
# `save ""`: the measured shutdown is the server's own, without a backup.
start_server() {
  "$DISKDB_BIN" --port "$port" --dir "$work/data" --save "" --loglevel warning 2>>"$work/server.log" &
  pid=$!
}
wait_ping() { until [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; do sleep 0.01; done; }
stop_server() {
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  wait "$pid" 2>/dev/null || true
  pid=""
}

start_server
wait_ping
t0=$(now)
python3 "$here/gen_values.py" small "$KEYS" | redis-cli -p "$port" --pipe > "$work/pipe.out"
t1=$(now)
grep -q "errors: 0" "$work/pipe.out" || { cat "$work/pipe.out"; exit 1; }
dbsize=$(redis-cli -p "$port" dbsize)
awk -v n="$dbsize" -v a="$t0" -v b="$t1" 'BEGIN { printf "loaded %d keys in %.1f s (%.0f keys/s)\n", n, b-a, n/(b-a) }'
echo "data directory: $(du -sh "$work/data" | cut -f1)"

for round in $(seq "$ROUNDS"); do
  a=$(now); stop_server; b=$(now)
  start_server; wait_ping; c=$(now)
  [ "$(redis-cli -p "$port" dbsize)" = "$dbsize" ] || { echo "DBSIZE changed"; exit 1; }
  awk -v r="$round" -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "round %d: shutdown %.3f s, start to PING %.3f s\n", r, b-a, c-b }'
done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
b=$(now); start_server; wait_ping; c=$(now)
[ "$(redis-cli -p "$port" dbsize)" = "$dbsize" ] || { echo "DBSIZE changed after kill -9"; exit 1; }
awk -v b="$b" -v c="$c" 'BEGIN { printf "after kill -9: start to PING %.3f s (keys recounted)\n", c-b }'
