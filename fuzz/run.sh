#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each (default 600) with libFuzzer,
# from the committed seed corpus; new inputs that add coverage go to a scratch corpus
# (fuzz/corpus-run/<target>), crashes and timeouts to fuzz/artifacts/<target>/.
# Prints one summary line per target. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`); builds in $FUZZ_TARGET_DIR, linking the RocksDB that
# the server's release build compiled (fuzz/prebuilt_rocksdb.sh), or compiling it
# (~25-35 minutes on 2 cores) when there is none.
#
#   SECONDS_PER_TARGET=600 bash fuzz/run.sh [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."
source fuzz/prebuilt_rocksdb.sh
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/diskdb/target-fuzz}"
secs="${SECONDS_PER_TARGET:-600}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(resp command restore json acl lua config shm_ring)
cargo +nightly fuzz build -O -s none "${targets[@]/#/}" >/dev/null 2>&1 || cargo +nightly fuzz build -O -s none
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus-run/$t" "fuzz/artifacts/$t"
  log="fuzz/artifacts/$t/run.log"
  set +e
  "$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$t" "fuzz/corpus-run/$t" "fuzz/corpus/$t" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=3072 -max_len=65536 \
    -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo '?')
  peak=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  found=$(ls "fuzz/artifacts/$t" | { grep -v run.log || true; } | tr '\n' ' ')
  echo "$t: ${secs}s, exit $rc, $runs runs, coverage $cov, peak RSS ${peak} MB, artifacts: ${found:-none}"
done
