#!/usr/bin/env bash
# What the Prometheus metrics cost the command path: the same redis-benchmark row
# against two binaries (BEFORE: built without the metrics; AFTER: with them), and AFTER
# again with `metrics-port` set and /metrics scraped every second during the run,
# alternating, ROUNDS times. Prints requests/s and the server's CPU time per request
# (user+system of the whole process, from /proc/<pid>/stat): on a small shared machine
# CPU per request varies far less than requests/s.
#
#   BEFORE=/tmp/diskdb-before AFTER=$CARGO_TARGET_DIR/release/diskdb bash benches/metrics_overhead.sh
#
# Row: redis-benchmark -c 50 -n $REQUESTS -t set,get -P 16 (the issue's), a fresh data
# directory per run, appendfsync everysec.
set -euo pipefail

BEFORE=${BEFORE:?the binary without metrics}
AFTER=${AFTER:?the binary with metrics}
REQUESTS=${REQUESTS:-200000}
ROUNDS=${ROUNDS:-3}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }

run() { # label binary metrics(yes/no)
  local label=$1 bin=$2 metrics=$3 work port mport pid scraper="" extra=()
  work=$(mktemp -d /tmp/diskdb-mo.XXXXXX); port=$(free_port)
  if [ "$metrics" = yes ]; then mport=$(free_port); extra=(--metrics-port "$mport"); fi
  "$bin" --port "$port" --dir "$work/data" --appendfsync everysec --loglevel warning "${extra[@]}" 2>"$work/log" &
  pid=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
  if [ "$metrics" = yes ]; then
    ( while kill -0 "$pid" 2>/dev/null; do
        exec 3<>/dev/tcp/127.0.0.1/"$mport" && printf 'GET /metrics HTTP/1.1\r\n\r\n' >&3 && cat <&3 >/dev/null; exec 3<&-
        sleep 1
      done ) 2>/dev/null &
    scraper=$!
  fi
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(redis-benchmark -p "$port" -c 50 -n "$REQUESTS" -t set,get -P 16 -q 2>/dev/null | tr '\r' '\n' | grep -a 'requests per second')
  after=$(cpu_ticks "$pid")
  local set get
  set=$(echo "$out" | awk '/^SET/ {print $2}' | tail -1)
  get=$(echo "$out" | awk '/^GET/ {print $2}' | tail -1)
  printf '%-16s SET %10s rps  GET %10s rps  server CPU %5.2f us/request\n' "$label" "$set" "$get" \
    "$(echo "($after - $before) * $TICK_US / (2 * $REQUESTS)" | bc -l)"
  [ -n "$scraper" ] && kill "$scraper" 2>/dev/null || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}

for r in $(seq 1 "$ROUNDS"); do
  echo "round $r ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
  run before "$BEFORE" no
  run after "$AFTER" no
  run after+scrape "$AFTER" yes
done
