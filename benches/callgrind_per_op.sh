#!/usr/bin/env bash
# Instructions and allocations per request, from valgrind's callgrind: repeatable on a
# loaded machine, where requests/s are not (another build on the second core moves a
# redis-benchmark row by 30-50%; an instruction count moves by well under 1%).
#
# Starts DiskDB under callgrind, preloads the key space, zeroes the counters, sends a
# fixed number of requests with redis-benchmark, dumps the counters and prints, per
# test, the instructions (Ir) per request of the whole server and of its busiest
# threads, and the heap allocations per request (calls into mimalloc's allocation entry
# points from outside mimalloc: Rust's allocator, RocksDB's operator new and malloc).
#
#   bash benches/callgrind_per_op.sh                      # get set zadd, 20,000 each
#   TESTS="get" REQUESTS=50000 DISKDB_BIN=path bash benches/callgrind_per_op.sh
#   TESTS="hincrby zincrby" bash benches/callgrind_per_op.sh  # in-place element changes
#   KEEP=/tmp/cg bash benches/callgrind_per_op.sh   # keep the dumps for callgrind_annotate
#
# 10 clients, depth 1 (PIPELINE=16 for depth 16), 64-byte values, a 50,000-key space
# preloaded with SET (so GETs mostly hit), appendfsync everysec. Background threads
# (the everysec flusher, the expire cycle, RocksDB's flushes) are counted too: their
# share is small at these request counts, and alike for both binaries compared.
set -euo pipefail

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
REQUESTS=${REQUESTS:-20000}
PIPELINE=${PIPELINE:-1}
KEYSPACE=${KEYSPACE:-50000}
TESTS=${TESTS:-"get set zadd"}

command -v valgrind >/dev/null || { echo "valgrind missing (apt-get install valgrind)"; exit 1; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (apt-get install redis-tools)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"

# Sums a callgrind dump: total Ir, Ir per thread name, and allocation calls.
summarize() { # requests files...
  python3 - "$@" <<'EOF'
import re, sys
n = int(sys.argv[1])
alloc = re.compile(r"^(mi_malloc|mi_zalloc|mi_calloc|mi_realloc|mi_new|mi_heap_malloc|mi_heap_zalloc|mi_heap_realloc|malloc|calloc|realloc|operator new)")
inside = re.compile(r"^(_?mi_|mi_|malloc$|calloc$|realloc$|operator new)")
total, threads, allocs = 0, {}, 0
for path in sys.argv[2:]:
    names, fn, cfn, ir, pending_calls = {}, "", "", 0, None
    thread = path
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3) is not None:
                names[m.group(2)] = m.group(3)
            name = names.get(m.group(2), "")
            if m.group(1) == "fn":
                fn = name
            else:
                cfn = name
            continue
        if line.startswith("calls="):
            pending_calls = int(line[6:].split()[0])
            continue
        if pending_calls is not None:
            # The cost line after calls= is the inclusive cost of the call.
            if alloc.match(cfn) and not inside.match(fn):
                allocs += pending_calls
            pending_calls = None
            continue
        if line.startswith("summary:") or line.startswith("totals:"):
            ir = int(line.split()[1])
        if line.startswith("thread:"):
            pass
    # The file name ends in -<thread number>; its name is unknown to callgrind.
    threads[path.rsplit("-", 1)[-1]] = ir
    total += ir
print(f"{total / n:10.0f} Ir/request  {allocs / n:6.1f} allocations/request", end="")
busiest = sorted(threads.items(), key=lambda kv: -kv[1])[:3]
print("   threads: " + ", ".join(f"#{t} {ir / n:.0f}" for t, ir in busiest))
EOF
}

# Rows that are not redis-benchmark tests: commands on 1,000 existing elements of one
# collection (each request changes an element in place).
custom() {
  case "$1" in
    hincrby) echo "HINCRBY bench:h f:__rand_int__ 1" ;;
    zincrby) echo "ZINCRBY bench:z 1 m:__rand_int__" ;;
    *) echo "" ;;
  esac
}
run_row() { # port requests test
  local cmd; cmd=$(custom "$3")
  if [ -n "$cmd" ]; then
    # shellcheck disable=SC2086
    redis-benchmark -p "$1" -c 10 -n "$2" -P "$PIPELINE" -r 1000 -q $cmd >/dev/null 2>&1
  else
    redis-benchmark -p "$1" -c 10 -n "$2" -P "$PIPELINE" -d 64 -r "$KEYSPACE" -t "$3" -q >/dev/null 2>&1
  fi
}

for t in $TESTS; do
  work=$(mktemp -d /tmp/diskdb-cg.XXXXXX); port=$(free_port)
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.out" \
    "$DISKDB_BIN" --port "$port" --dir "$work/data" --appendfsync everysec --loglevel warning \
    2>"$work/valgrind.log" &
  pid=$!
  for _ in $(seq 1 1200); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  redis-benchmark -p "$port" -c 10 -n "$KEYSPACE" -P 16 -d 64 -r "$KEYSPACE" -t set -q >/dev/null 2>&1
  run_row "$port" 5000 "$t"
  callgrind_control -z "$pid" >/dev/null 2>&1
  run_row "$port" "$REQUESTS" "$t"
  callgrind_control -d "$pid" >/dev/null 2>&1
  printf "%-6s depth %-2s " "$t" "$PIPELINE"
  summarize "$REQUESTS" "$work"/cg.out.*-*
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$work"/cg.out.*-* "$KEEP"/ && for f in "$KEEP"/cg.out.*-*; do mv "$f" "$KEEP/$t.${f##*/}"; done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
done
