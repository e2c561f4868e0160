#!/usr/bin/env bash
# Builds the runtime image (docker/Dockerfile.prebuilt) around an already built binary.
#
#   docker/build-prebuilt.sh [BINARY] [TAG] [docker build options...]
#
# BINARY defaults to $CARGO_TARGET_DIR/release/diskdb, TAG to diskdb:latest. The build
# context is a temporary directory with only the binary and docker/'s files, so nothing
# else of the checkout (or the 10 GB target directory) is sent to the engine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
tag=${2:-diskdb:latest}
shift $(( $# < 2 ? $# : 2 ))
[ -x "$bin" ] || { echo "build-prebuilt.sh: no binary at $bin (cargo build --release)" >&2; exit 1; }
ctx=$(mktemp -d "${TMPDIR:-/tmp}/diskdb-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
mkdir "$ctx/docker"
cp "$bin" "$ctx/diskdb"
cp "$here/diskdb.conf" "$here/healthcheck.sh" "$ctx/docker/"
docker build -f "$here/Dockerfile.prebuilt" -t "$tag" "$@" "$ctx"
