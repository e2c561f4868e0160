#!/usr/bin/env bash
# Runs redis-benchmark against DiskDB and redis-server in the same run and prints
# requests per second and the ratio DiskDB/Redis for each row.
#
#   make bench                         # or: DISKDB_BIN=path bash benches/compare.sh
#   REQUESTS=200000 TESTS="set get" PIPELINES="1 16" bash benches/compare.sh
#   ROUNDS=3 bash benches/compare.sh   # each row 3 times, alternating; medians
#
# Both servers persist every write: redis-server with appendonly yes + appendfsync
# everysec, DiskDB with appendfsync everysec. 50 clients, 64-byte values, a
# 1,000,000-key space. Rows run alternately against the two servers so drift in the
# machine's load affects both alike; with ROUNDS > 1 every row is measured that many
# times (Redis, DiskDB, Redis, DiskDB...) and the medians are printed.
#
# UPDATE_README=1 writes the table, the date, the machine and the settings into the
# README's "Benchmarks" section (benches/readme_table.py).
set -euo pipefail

if [ "${UPDATE_README:-0}" = 1 ] && [ -z "${COMPARE_INNER:-}" ]; then
  out=$(mktemp /tmp/diskdb-compare.XXXXXX)
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  COMPARE_INNER=1 bash "$0" "$@" | tee "$out"
  settings="REQUESTS=${REQUESTS:-200000} ROUNDS=${ROUNDS:-1} CLIENTS=${CLIENTS:-50} PIPELINES=\"${PIPELINES:-1 16}\" DISKDB_ARGS=\"${DISKDB_ARGS:-}\""
  python3 "$(dirname "$0")/readme_table.py" "$out" "$load_before" "$settings"
  rm -f "$out"
  exit 0
fi

DISKDB_BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-"set get incr mset lpush rpop sadd hset zadd zrange zrangebyscore lrange_100"}
KEYSPACE=${KEYSPACE:-1000000}
SIZE=${SIZE:-64}
ROUNDS=${ROUNDS:-1}
# ---- streams rows (begin) ----
# XADD, XRANGE of 10 entries, XREADGROUP of one new entry and XACK of a pending one;
# STREAM_TESTS="" leaves them out.
STREAM_TESTS=${STREAM_TESTS-"xadd xrange xreadgroup xack"}
TESTS="$TESTS $STREAM_TESTS"
set -f # XADD's `*` ID goes to redis-benchmark as is, not as a file name pattern
# ---- streams rows (end) ----
# ---- geo/hll rows (begin) ----
# GEOADD of random members, GEOSEARCH of the 10 nearest in a 5 km radius (10,000
# points in a 1x1 degree square), PFADD of random elements, PFCOUNT of a 100,000-element
# HyperLogLog; GEO_HLL_TESTS="" leaves them out.
GEO_HLL_TESTS=${GEO_HLL_TESTS-"geoadd geosearch pfadd pfcount"}
TESTS="$TESTS $GEO_HLL_TESTS"
# ---- geo/hll rows (end) ----
# ---- scripting row (begin) ----
# EVALSHA of a 3-command script (INCR, SET, GET) on a random key, loaded with SCRIPT LOAD
# on both servers first; EVAL_TESTS="" leaves it out.
EVAL_TESTS=${EVAL_TESTS-"evalsha"}
TESTS="$TESTS $EVAL_TESTS"
EVAL_SCRIPT="local v = redis.call('incr', KEYS[1]) redis.call('set', KEYS[1] .. ':last', v) return redis.call('get', KEYS[1])"
# ---- scripting row (end) ----

command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing (apt-get install redis-tools)"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing (apt-get install redis-server)"; exit 1; }
[ -x "$DISKDB_BIN" ] || { echo "build DiskDB first (make build): $DISKDB_BIN"; exit 1; }

work=$(mktemp -d /tmp/diskdb-bench.XXXXXX)
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
RPORT=$(free_port); DPORT=$(free_port)

redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec \
  --save "" --daemonize no --logfile "$work/redis.log" &
RPID=$!
# DISKDB_ARGS: extra DiskDB flags, e.g. DISKDB_ARGS="--io-engine uring".
# shellcheck disable=SC2086
"$DISKDB_BIN" --port "$DPORT" --dir "$work/diskdb" --appendfsync everysec --loglevel warning ${DISKDB_ARGS:-} 2>"$work/diskdb.log" &
DPID=$!
cleanup() { kill "$RPID" "$DPID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_ready "$RPORT"; wait_ready "$DPORT"
# The script's SHA1, the same on both servers.
EVAL_SHA=$(redis-cli -p "$RPORT" SCRIPT LOAD "$EVAL_SCRIPT")
script_load() { redis-cli -p "$1" SCRIPT LOAD "$EVAL_SCRIPT" >/dev/null; }

# Custom rows (not built into redis-benchmark) are "name|setup command|benchmark command".
custom_row() {
  case "$1" in
    zrange) echo "ZRANGE (100)|zadd_fill|ZRANGE bench:zset 0 99" ;;
    zrangebyscore) echo "ZRANGEBYSCORE (100)|zadd_fill|ZRANGEBYSCORE bench:zset 0 99" ;;
    evalsha) echo "EVALSHA (3 commands)|script_load|EVALSHA $EVAL_SHA 1 bench:ev:__rand_int__" ;;
    *) geo_hll_row "$1" ;;
  esac
}

# ---- geo/hll rows (begin) ----
geo_hll_row() {
  case "$1" in
    geoadd) echo "GEOADD|true|GEOADD bench:geo 13.361389 38.115556 m__rand_int__" ;;
    geosearch) echo "GEOSEARCH (radius, 10)|geo_fill|GEOSEARCH bench:geoq FROMLONLAT 13.5 37.5 BYRADIUS 5 km COUNT 10 ASC" ;;
    pfadd) echo "PFADD|true|PFADD bench:hll e__rand_int__" ;;
    pfcount) echo "PFCOUNT|pf_fill|PFCOUNT bench:hllq" ;;
    *) stream_row "$1" ;;
  esac
}

geo_fill() {
  local port=$1
  redis-cli -p "$port" DEL bench:geoq >/dev/null
  awk 'BEGIN { srand(7); for (i = 0; i < 10000; i++) printf "GEOADD bench:geoq %.6f %.6f p%d\r\n", 13 + rand(), 37 + rand(), i }' \
    | redis-cli -p "$port" --pipe >/dev/null 2>&1
}

pf_fill() {
  local port=$1
  redis-cli -p "$port" DEL bench:hllq >/dev/null
  seq 1 100000 | awk '{printf "PFADD bench:hllq e%d\r\n", $1}' | redis-cli -p "$port" --pipe >/dev/null 2>&1
}
# ---- geo/hll rows (end) ----

# ---- streams rows (begin) ----
stream_row() {
  case "$1" in
    xadd) echo "XADD|true|XADD bench:xadd * f v" ;;
    xrange) echo "XRANGE (10)|xadd_fill|XRANGE bench:xs - + COUNT 10" ;;
    xreadgroup) echo "XREADGROUP (1)|xgroup_fill|XREADGROUP GROUP g c COUNT 1 STREAMS bench:xg >" ;;
    xack) echo "XACK|true|XACK bench:xg g __rand_int__" ;;
    *) echo "" ;;
  esac
}

xadd_fill() {
  local port=$1
  redis-cli -p "$port" DEL bench:xs >/dev/null
  seq 1 1000 | awk '{printf "XADD bench:xs %d-0 f v%d\r\n", $1, $1}' | redis-cli -p "$port" --pipe >/dev/null 2>&1
}

# As many entries as requests, so every XREADGROUP delivers one new entry; the XACK row
# then acknowledges pending ones (__rand_int__ reads as an ID of that millisecond).
xgroup_fill() {
  local port=$1
  redis-cli -p "$port" DEL bench:xg >/dev/null
  seq 1 "$REQUESTS" | awk '{printf "XADD bench:xg %d-0 f v\r\n", $1}' | redis-cli -p "$port" --pipe >/dev/null 2>&1
  redis-cli -p "$port" XGROUP CREATE bench:xg g 0 >/dev/null
}
# ---- streams rows (end) ----

zadd_fill() {
  local port=$1
  for i in $(seq 0 999); do echo "ZADD bench:zset $i m$i"; done | redis-cli -p "$port" >/dev/null
}

rps() { # port pipeline test -> requests per second
  local port=$1 p=$2 t=$3 row
  row=$(custom_row "$t")
  if [ -n "$row" ]; then
    IFS='|' read -r _ setup cmd <<<"$row"
    $setup "$port"
    # shellcheck disable=SC2086
    redis-benchmark -p "$port" -c "$CLIENTS" -n "$REQUESTS" -P "$p" -r "$KEYSPACE" --csv $cmd 2>/dev/null \
      | awk -F'"' 'NR==2 {print $4}'
  else
    # Some tests print a preparation row first (LRANGE_* runs an LPUSH): pick our row.
    redis-benchmark -p "$port" -c "$CLIENTS" -n "$REQUESTS" -P "$p" -d "$SIZE" -r "$KEYSPACE" -t "$t" --csv 2>/dev/null \
      | awk -F'"' -v t="$(echo "$t" | tr '[:lower:]' '[:upper:]')" \
          'NR>1 && ($2 == t || index($2, t " ") == 1) {print $4; exit}'
  fi
}

label() {
  local row; row=$(custom_row "$1")
  if [ -n "$row" ]; then echo "${row%%|*}"; else echo "$1" | tr '[:lower:]' '[:upper:]'; fi
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf '%-22s %8s %14s %14s %8s\n' "test" "pipeline" "redis rps" "diskdb rps" "ratio"
for p in $PIPELINES; do
  for t in $TESTS; do
    rs=""; ds=""
    for _ in $(seq 1 "$ROUNDS"); do
      rs="$rs $(rps "$RPORT" "$p" "$t")"; ds="$ds $(rps "$DPORT" "$p" "$t")"
    done
    r=$(echo "$rs" | median); d=$(echo "$ds" | median)
    ratio=$(awk -v d="$d" -v r="$r" 'BEGIN { if (r > 0) printf "%.2f", d / r; else print "n/a" }')
    printf '%-22s %8s %14s %14s %8s\n' "$(label "$t")" "$p" "$r" "$d" "$ratio"
  done
done

# ---- Pub/Sub fan-out --------------------------------------------------------------
# 1 publisher (redis-benchmark, pipeline 16), 50 subscribers, 64-byte messages: messages
# delivered per second, from the first publish to the last delivery (FANOUT_ROWS=0
# skips it; FANOUT_MESSAGES sets the count).
if [ "${FANOUT_ROWS:-1}" = 1 ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  fm=${FANOUT_MESSAGES:-100000}
  rs=""; ds=""
  for _ in $(seq 1 "$ROUNDS"); do
    rs="$rs $(python3 "$here/pubsub_fanout.py" "$RPORT" "$fm" 50)"
    ds="$ds $(python3 "$here/pubsub_fanout.py" "$DPORT" "$fm" 50)"
  done
  r=$(echo "$rs" | median); d=$(echo "$ds" | median)
  ratio=$(awk -v d="$d" -v r="$r" 'BEGIN { if (r > 0) printf "%.2f", d / r; else print "n/a" }')
  echo
  printf '%-22s %8s %14s %14s %8s\n' "PUBLISH fan-out x50" "16" "$r msg/s" "$d msg/s" "$ratio"
fi

# ---- MULTI/EXEC of 10 INCRs ---------------------------------------------------------
# 50 clients, each sending MULTI + 10 INCRs of random keys + EXEC in one write and
# waiting for the replies (examples/txn_bench.rs; `make bench` builds it): transactions
# per second (TXN_ROWS=0 skips it; TXN_COUNT sets the count).
TXN_BIN=${TXN_BIN:-$(dirname "$DISKDB_BIN")/examples/txn_bench}
if [ "${TXN_ROWS:-1}" = 1 ]; then
  if [ -x "$TXN_BIN" ]; then
    tc=${TXN_COUNT:-20000}
    rs=""; ds=""
    for _ in $(seq 1 "$ROUNDS"); do
      rs="$rs $("$TXN_BIN" "$RPORT" "$CLIENTS" "$tc")"
      ds="$ds $("$TXN_BIN" "$DPORT" "$CLIENTS" "$tc")"
    done
    r=$(echo "$rs" | median); d=$(echo "$ds" | median)
    ratio=$(awk -v d="$d" -v r="$r" 'BEGIN { if (r > 0) printf "%.2f", d / r; else print "n/a" }')
    printf '%-22s %8s %14s %14s %8s\n' "MULTI+10 INCR+EXEC" "1" "$r tx/s" "$d tx/s" "$ratio"
  else
    echo "MULTI/EXEC row skipped: build it with cargo build --release --example txn_bench"
  fi
fi

# ---- JSON rows (json branch) ------------------------------------------------------
# redis-server has no JSON module, so these rows run against DiskDB alone and print,
# beside each JSON command, the plain-string command on the same serialized 1 KB text
# on the same DiskDB as the reference (JSON_ROWS=0 skips them).
if [ "${JSON_ROWS:-1}" = 1 ]; then
  json_doc=$(python3 -c 'import json
doc = {"id": 1, "name": "Alice Example", "email": "alice@example.com", "active": True,
       "address": {"street": "1 Main St", "city": "NYC", "zip": "10001"},
       "interests": ["music", "chess", "hiking"], "score": 12.5}
doc["bio"] = "x" * (1024 - len(json.dumps(doc, separators=(",", ":"))) - 10)
print(json.dumps(doc, separators=(",", ":")))')
  python3 -c 'import json; print(json.dumps({"counter": 0, "items": [{"i": i, "v": "y" * 80} for i in range(1000)]}, separators=(",", ":")))' \
    | redis-cli -p "$DPORT" -x JSON.SET bench:json:big '$' >/dev/null
  json_rps() { # pipeline command... -> DiskDB requests per second
    local p=$1; shift
    # The test name holds the JSON text (quotes, commas): read rps from the end of the row.
    redis-benchmark -p "$DPORT" -c "$CLIENTS" -n "$REQUESTS" -P "$p" -r 1000 --csv "$@" 2>/dev/null \
      | awk -F',' 'NR==2 {v=$(NF-6); gsub(/"/, "", v); print v}'
  }
  echo
  printf '%-30s %8s %14s %14s %8s\n' "DiskDB JSON (${#json_doc} B doc)" "pipeline" "reference rps" "json rps" "ratio"
  for p in $PIPELINES; do
    ref_set=$(json_rps "$p" SET 'bench:s:__rand_int__' "$json_doc")
    js=$(json_rps "$p" JSON.SET 'bench:j:__rand_int__' '$' "$json_doc")
    ref_get=$(json_rps "$p" GET 'bench:s:__rand_int__')
    jg=$(json_rps "$p" JSON.GET 'bench:j:__rand_int__')
    ni=$(json_rps "$p" JSON.NUMINCRBY bench:json:big '$.counter' 1)
    for row in "JSON.SET 1KB (ref SET)|$ref_set|$js" "JSON.GET 1KB (ref GET)|$ref_get|$jg" "JSON.NUMINCRBY in 100KB|-|$ni"; do
      IFS='|' read -r name ref val <<<"$row"
      ratio=$(awk -v d="$val" -v r="$ref" 'BEGIN { if (r > 0) printf "%.2f", d / r; else print "-" }')
      printf '%-30s %8s %14s %14s %8s\n' "$name" "$p" "$ref" "$val" "$ratio"
    done
  done
fi
