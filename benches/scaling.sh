#!/usr/bin/env bash
# Multi-core scaling: DiskDB with `io-threads N` against redis-server with `io-threads N`
# and `io-threads-do-reads yes`, for N from 1 to the number of cores, GET and SET.
#
#   bash benches/scaling.sh
#   MAX_THREADS=8 CLIENTS=200 REQUESTS=500000 BENCH_THREADS=4 bash benches/scaling.sh
#   PIPELINE=16 bash benches/scaling.sh
#
# For each N both servers are started afresh (`appendfsync everysec`, as in compare.sh),
# then `redis-benchmark -c CLIENTS -n REQUESTS -P PIPELINE -d 64 -r 1000000 -t set,get`
# runs against each, alternating, ROUNDS times (medians). BENCH_THREADS (default: the
# number of cores) is redis-benchmark's own --threads, so the client side is not the
# first limit. The load average is printed with each row: on a machine with few cores
# the benchmark client, RocksDB's background threads and the servers share them.
#
# What `io-threads` means on each side:
# - DiskDB: the number of tokio worker threads; each accepts, reads, parses, runs and
#   answers its own connections (there is no main thread they hand work to). Writes
#   are applied to RocksDB by one writer thread whatever N (group commit of the WAL),
#   and RocksDB's flushes and compactions run on threads of their own.
# - Redis 7.0: the main thread runs every command; N-1 extra threads only read and
#   parse requests (with io-threads-do-reads) and write replies, and Redis switches
#   them off while few clients have pending output.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
MAX_THREADS=${MAX_THREADS:-$(nproc)}
CLIENTS=${CLIENTS:-100}
REQUESTS=${REQUESTS:-200000}
PIPELINE=${PIPELINE:-1}
ROUNDS=${ROUNDS:-1}
BENCH_THREADS=${BENCH_THREADS:-$(nproc)}

command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (apt-get install redis-tools)"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing (apt-get install redis-server)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

work=$(mktemp -d /tmp/diskdb-scaling.XXXXXX)
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
RPID=""; DPID=""
stop_servers() {
  for p in $RPID $DPID; do kill "$p" 2>/dev/null || true; done
  for p in $RPID $DPID; do wait "$p" 2>/dev/null || true; done
  RPID=""; DPID=""
}
cleanup() { stop_servers; rm -rf "$work"; }
trap cleanup EXIT


start_servers() { # threads
  local n=$1
  rm -rf "$work/redis" "$work/diskdb"; mkdir -p "$work/redis"
  RPORT=$(free_port); DPORT=$(free_port)
  redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync everysec \
    --save "" --daemonize no --io-threads "$n" --io-threads-do-reads yes --logfile "$work/redis.log" &
  RPID=$!
  "$DISKDB_BIN" --port "$DPORT" --dir "$work/diskdb" --appendfsync everysec --save "" --io-threads "$n" \
    --loglevel warning 2>>"$work/diskdb.log" &
  DPID=$!
  wait_ready "$RPORT"; wait_ready "$DPORT"
}

bench_threads=(--threads "$BENCH_THREADS")
redis-benchmark --help 2>&1 | grep -q -- '--threads' || bench_threads=()

rps() { # port test -> requests per second
  redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -P "$PIPELINE" -d 64 -r 1000000 -t "$2" "${bench_threads[@]}" --csv 2>/dev/null \
    | awk -F'"' -v t="$(echo "$2" | tr '[:lower:]' '[:upper:]')" 'NR>1 && $2 == t {print $4; exit}'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ratio() { awk -v d="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.2f", d / r; else print "n/a" }'; }

echo "$(nproc) cores; $CLIENTS clients, $REQUESTS requests, pipeline $PIPELINE, redis-benchmark ${bench_threads[*]:-(one thread)}, rounds $ROUNDS"
printf '%-8s %12s %12s %6s %12s %12s %6s  %s\n' "threads" "redis SET" "diskdb SET" "ratio" "redis GET" "diskdb GET" "ratio" "load"
for n in $(seq 1 "$MAX_THREADS"); do
  start_servers "$n"
  declare -A med=()
  for t in set get; do
    rs=""; ds=""
    for _ in $(seq 1 "$ROUNDS"); do
      rs="$rs $(rps "$RPORT" "$t")"; ds="$ds $(rps "$DPORT" "$t")"
    done
    med[r$t]=$(echo "$rs" | median); med[d$t]=$(echo "$ds" | median)
  done
  printf '%-8s %12s %12s %6s %12s %12s %6s  %s\n' "$n" "${med[rset]}" "${med[dset]}" "$(ratio "${med[dset]}" "${med[rset]}")" \
    "${med[rget]}" "${med[dget]}" "$(ratio "${med[dget]}" "${med[rget]}")" "$(cut -d' ' -f1 /proc/loadavg)"
  stop_servers
done
