#!/usr/bin/env bash
# Packaging tests against the real binary (`make test-docker`; part of `make test`):
#
# 1. packaging/install.sh into a staged root (--destdir): user, directories, config,
#    unit; a second run changes nothing it should keep; `systemd-analyze verify` finds
#    nothing to say about the installed unit.
# 2. The container image (needs a Docker engine; skipped with a printed reason without
#    one): the base image from docker/base-image.sh (built once, then reused by its tag),
#    the runtime image around $DISKDB_BIN (docker/Dockerfile.prebuilt), a container with a
#    published port and a named volume: redis-cli through the port, the HEALTHCHECK
#    turning healthy, the server as PID 1 and non-root, data kept across `docker restart`
#    and across `docker rm` + a new container on the volume, and `docker stop` ending in
#    a clean shutdown (exit code 0, the shutdown lines in `docker logs`).
# 3. install.sh inside a container of the base image: a real root, real useradd, and the
#    installed binary started as the diskdb user with the installed config.
#
# Waits are polls with a deadline (the server's readiness, the health status), never a
# fixed sleep. The multi-stage docker/Dockerfile is not built here: it compiles RocksDB
# (about 20 minutes); its runtime stage is checked to be identical to the prebuilt one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DISKDB_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb}
[ -x "$BIN" ] || { echo "tests/docker.sh: no binary at $BIN" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
IMAGE=diskdb-test:ci
BASE=${DISKDB_BASE_IMAGE:-diskdb-base:bookworm}

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
# poll SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds or time is up.
poll() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/diskdb-packaging.XXXXXX")
cleanup_cmds=()
cleanup() {
  local c
  for c in "${cleanup_cmds[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- 1. install.sh into a staged root --------------------------------------------------
root=$tmp/root
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
: > "$root/etc/shadow"; : > "$root/etc/gshadow"
if [ "$(id -u)" = 0 ]; then
  packaging/install.sh --bin "$BIN" --destdir "$root" > "$tmp/install1.log"
  check "install.sh: user diskdb in the staged passwd, no login shell" \
    grep -q '^diskdb:x:[0-9]*:[0-9]*:DiskDB server:/var/lib/diskdb:/usr/sbin/nologin$' "$root/etc/passwd"
  uid=$(awk -F: '$1=="diskdb"{print $3}' "$root/etc/passwd")
  check "install.sh: /var/lib/diskdb owned by diskdb, mode 750" \
    test "$(stat -c '%u %a' "$root/var/lib/diskdb")" = "$uid 750"
  check "install.sh: binary installed" cmp -s "$BIN" "$root/usr/local/bin/diskdb"
  check "install.sh: unit and config installed" \
    test -f "$root/etc/systemd/system/diskdb.service" -a -f "$root/etc/diskdb/diskdb.conf"
  check "install.sh: the config is not world-readable" test "$(stat -c '%a' "$root/etc/diskdb/diskdb.conf")" = 640
  echo "# operator's edit" >> "$root/etc/diskdb/diskdb.conf"
  packaging/install.sh --bin "$BIN" --destdir "$root" > "$tmp/install2.log"
  check "install.sh again: no second user, config kept" \
    test "$(grep -c '^diskdb:' "$root/etc/passwd")" = 1 -a "$(tail -n1 "$root/etc/diskdb/diskdb.conf")" = "# operator's edit"
  check "install.sh again: says the config is kept" grep -q 'exists: kept' "$tmp/install2.log"
  if command -v systemd-analyze >/dev/null; then
    # verify wants the ExecStart binary at its path: point it at the staged one.
    sed "s|/usr/local/bin/diskdb|$root/usr/local/bin/diskdb|" "$root/etc/systemd/system/diskdb.service" \
      > "$tmp/diskdb.service"
    if out=$(systemd-analyze verify "$tmp/diskdb.service" 2>&1) && [ -z "$out" ]; then
      pass "systemd-analyze verify diskdb.service: no warnings"
    else
      fail "systemd-analyze verify diskdb.service: $out"
    fi
  else
    echo "skip systemd-analyze verify: systemd-analyze not installed"
  fi
else
  echo "skip install.sh into a staged root: needs root (useradd --prefix)"
fi

# ---- 2. the container image -----------------------------------------------------------
if ! command -v docker >/dev/null 2>&1; then
  echo "SKIP container tests: no docker command"
  [ $failures = 0 ] || { echo "$failures failed"; exit 1; }
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  echo "SKIP container tests: no Docker engine answers (docker info failed)"
  [ $failures = 0 ] || { echo "$failures failed"; exit 1; }
  exit 0
fi
command -v redis-cli >/dev/null || { echo "tests/docker.sh: redis-cli is required (redis-tools)" >&2; exit 1; }

check "Dockerfile and Dockerfile.prebuilt share one runtime stage" \
  cmp -s <(sed -n '/^# ---- runtime/,/^# ---- end of runtime/p' docker/Dockerfile) \
         <(sed -n '/^# ---- runtime/,/^# ---- end of runtime/p' docker/Dockerfile.prebuilt)

if command -v docker-compose >/dev/null 2>&1; then
  check "docker-compose.yml is valid (docker-compose config; not run: its images are pulled)" \
    docker-compose -f docker/docker-compose.yml --profile grafana config -q
else
  echo "skip docker-compose config: no docker-compose command"
fi

start=$SECONDS
docker/base-image.sh --tag="$BASE"
echo "     base image ready in $((SECONDS - start)) s"
start=$SECONDS
docker/build-prebuilt.sh "$BIN" "$IMAGE" --build-arg "BASE_IMAGE=$BASE" -q > /dev/null
echo "     runtime image built in $((SECONDS - start)) s," \
     "$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

name=diskdb-test-$$
vol=diskdb-test-vol-$$
cleanup_cmds+=("docker rm -f -v $name" "docker volume rm $vol")
docker volume create "$vol" >/dev/null

run_container() {
  docker run -d --name "$name" -p 127.0.0.1::6380 -v "$vol:/data" "$IMAGE" >/dev/null
}
host_port() { docker port "$name" 6380/tcp | head -n1 | sed 's/.*://'; }
cli() { redis-cli -p "$(host_port)" "$@"; }
pong() { [ "$(cli PING 2>/dev/null)" = PONG ]; }
healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$name")" = healthy ]; }
stopped_cleanly() { # stopped_cleanly N: exit code 0; N stops in the log, the last line the last
  local code logs
  code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
  logs=$(docker logs "$name" 2>&1)
  [ "$code" = 0 ] && [ "$(grep -c 'received SIGTERM, shutting down' <<<"$logs")" = "$1" ] \
    && [ "$(grep -c 'DiskDB is now ready to exit, bye bye' <<<"$logs")" = "$1" ] \
    && tail -n1 <<<"$logs" | grep -q 'DiskDB is now ready to exit, bye bye'
}

run_container
check "container answers PING through the published port" poll 60 pong
check "SET through the published port" test "$(cli SET greeting hello)" = OK
cli RPUSH list a b c > /dev/null
cli HSET hash f v > /dev/null
check "GET through the published port" test "$(cli GET greeting)" = hello
check "a client from the Docker bridge is not refused (protected-mode no)" \
  test "$(cli CONFIG GET protected-mode | tail -n1)" = no
check "the server is PID 1" test "$(docker exec "$name" cat /proc/1/comm)" = diskdb
check "the server runs as user diskdb (uid 999)" test "$(docker exec "$name" id -u)" = 999
check "HEALTHCHECK turns healthy" poll 90 healthy

docker restart "$name" >/dev/null
check "after docker restart: answers again" poll 60 pong
check "after docker restart: data kept" test "$(cli GET greeting)/$(cli LRANGE list 0 -1 | tr '\n' ,)" = "hello/a,b,c,"

docker stop "$name" >/dev/null
# Two shutdowns in this container's log: the restart's and this one.
check "docker stop: exit code 0 and a clean shutdown in docker logs" stopped_cleanly 2
if [ "$(docker inspect -f '{{.State.ExitCode}}' "$name")" != 0 ]; then docker logs "$name" 2>&1 | tail -n 20; fi

docker rm "$name" >/dev/null
run_container
check "new container on the same volume: answers" poll 60 pong
check "new container on the same volume: data kept" \
  test "$(cli GET greeting)/$(cli HGET hash f)/$(cli LLEN list)" = "hello/v/3"
docker stop "$name" >/dev/null
check "second container: clean stop" stopped_cleanly 1
docker rm "$name" >/dev/null

# Arguments after the image name reach the server: with a password the HEALTHCHECK
# still turns healthy (it takes -NOAUTH as alive), and clients must authenticate.
docker run -d --name "$name" -p 127.0.0.1::6380 "$IMAGE" --requirepass s3cret >/dev/null
check "with --requirepass: HEALTHCHECK turns healthy" poll 90 healthy
check "with --requirepass: PING without AUTH is refused" test "$(cli PING)" = "NOAUTH Authentication required."
check "with --requirepass: PING with the password" test "$(cli -a s3cret --no-auth-warning PING)" = PONG
docker rm -f -v "$name" >/dev/null

# ---- 3. install.sh in a real root (a container of the base image) -------------------
# Runs install.sh twice (idempotence), then the installed binary as user diskdb with the
# installed config, and PINGs it over loopback inside the container. The root is the base
# image plus liblua5.1 from Debian's mirror, in a layer the builder caches between runs.
docker build -q -t diskdb-test:install-root - > /dev/null <<EOF
FROM $BASE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends liblua5.1-0 \
 && rm -rf /var/lib/apt/lists/*
EOF
cat > "$tmp/in-container.sh" <<'EOF'
set -e
/src/packaging/install.sh --bin /diskdb >/dev/null
/src/packaging/install.sh --bin /diskdb | grep -q 'exists: kept'
test "$(getent passwd diskdb | cut -d: -f6,7)" = /var/lib/diskdb:/usr/sbin/nologin
test "$(stat -c %U:%a /var/lib/diskdb)" = diskdb:750
test "$(stat -c %U:%G:%a /etc/diskdb/diskdb.conf)" = root:diskdb:640
setpriv --reuid=diskdb --regid=diskdb --init-groups /usr/local/bin/diskdb /etc/diskdb/diskdb.conf --supervised no &
pid=$!
for _ in $(seq 300); do
  exec 3<>/dev/tcp/127.0.0.1/6380 2>/dev/null && break || sleep 0.2
done
printf 'SET k v\r\nGET k\r\n' >&3
IFS= read -r -t 10 a <&3; IFS= read -r -t 10 b <&3; IFS= read -r -t 10 c <&3
test "$a|$b|$c" = $'+OK\r|$1\r|v\r'
test "$(stat -c %U /var/lib/diskdb/CURRENT)" = diskdb
kill -TERM $pid
wait $pid
echo installed-and-served
EOF
installer=diskdb-test-install-$$
cleanup_cmds+=("docker rm -f $installer")
out=$(docker run --name "$installer" -v "$PWD:/src:ro" -v "$BIN:/diskdb:ro" -v "$tmp/in-container.sh:/t.sh:ro" \
        diskdb-test:install-root bash /t.sh 2>&1) || true
if [ "$(tail -n1 <<<"$out")" = installed-and-served ]; then
  pass "install.sh in a container: user, dirs, config; the installed server serves as diskdb"
else
  fail "install.sh in a container: $out"
fi

[ $failures = 0 ] || { echo "tests/docker.sh: $failures failed"; exit 1; }
echo "tests/docker.sh: all passed"
