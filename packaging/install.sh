#!/usr/bin/env bash
# Installs DiskDB as a systemd service: the system user and group `diskdb`, the binary,
# /etc/diskdb/diskdb.conf (kept when present), /var/lib/diskdb, and the unit.
#
#   sudo packaging/install.sh [--bin PATH] [--prefix /usr/local] [--destdir DIR]
#                             [--no-systemctl]
#
# Idempotent: running it again replaces the binary and the unit, keeps the config and the
# data, and does not recreate the user. --bin defaults to
# $CARGO_TARGET_DIR/release/diskdb. --destdir stages everything under DIR (for packages
# and tests): the user is then created in DIR/etc/passwd (useradd --prefix) when that file
# exists, and systemctl is not run. Without --destdir, `systemctl daemon-reload` runs
# when systemd is the init; enable and start with `systemctl enable --now diskdb`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BIN=${CARGO_TARGET_DIR:-$HOME/.cache/diskdb/target}/release/diskdb
PREFIX=/usr/local
DESTDIR=${DESTDIR:-}
SYSTEMCTL=1
while [ $# -gt 0 ]; do
  case $1 in
    --bin) BIN=$2; shift ;;
    --bin=*) BIN=${1#*=} ;;
    --prefix) PREFIX=$2; shift ;;
    --prefix=*) PREFIX=${1#*=} ;;
    --destdir) DESTDIR=$2; shift ;;
    --destdir=*) DESTDIR=${1#*=} ;;
    --no-systemctl) SYSTEMCTL=0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$BIN" ] || { echo "install.sh: no executable at $BIN (cargo build --release, or --bin)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || [ -n "$DESTDIR" ] || { echo "install.sh: run as root (or with --destdir)" >&2; exit 1; }
D=${DESTDIR%/}
say() { echo "install.sh: $*"; }

# The user and group: system accounts, no login, home is the data directory. Under
# --destdir they go into DIR/etc/passwd and DIR/etc/group (useradd --prefix).
exists() { # exists passwd|group NAME
  if [ -n "$D" ]; then grep -q "^$2:" "$D/etc/$1"; else getent "$1" "$2" >/dev/null; fi
}
owner=
if [ -n "$D" ] && { [ ! -f "$D/etc/passwd" ] || [ ! -f "$D/etc/group" ]; }; then
  say "no $D/etc/passwd: user diskdb not created (create it when installing the staged files)"
else
  prefix=()
  [ -z "$D" ] || prefix=(--prefix "$D")
  if ! exists group diskdb; then
    groupadd --system "${prefix[@]}" diskdb
    say "group diskdb created"
  fi
  if ! exists passwd diskdb; then
    useradd --system "${prefix[@]}" --gid diskdb --home-dir /var/lib/diskdb --no-create-home \
      --shell /usr/sbin/nologin --comment "DiskDB server" diskdb
    say "user diskdb created"
  fi
  owner=diskdb
fi

# Files: the binary and unit are ours to replace; the config is the operator's.
install -d -m 0755 "$D$PREFIX/bin" "$D/etc/diskdb" "$D/etc/systemd/system" "$D$PREFIX/share/doc/diskdb"
install -m 0755 "$BIN" "$D$PREFIX/bin/diskdb.new"
mv -f "$D$PREFIX/bin/diskdb.new" "$D$PREFIX/bin/diskdb"
sed "s|/usr/local/bin/diskdb|$PREFIX/bin/diskdb|" "$here/diskdb.service" > "$D/etc/systemd/system/diskdb.service.new"
chmod 0644 "$D/etc/systemd/system/diskdb.service.new"
mv -f "$D/etc/systemd/system/diskdb.service.new" "$D/etc/systemd/system/diskdb.service"
install -m 0644 "$repo/diskdb.conf.example" "$D$PREFIX/share/doc/diskdb/diskdb.conf.example"
if [ -e "$D/etc/diskdb/diskdb.conf" ]; then
  say "/etc/diskdb/diskdb.conf exists: kept"
else
  install -m 0640 "$here/diskdb.conf" "$D/etc/diskdb/diskdb.conf"
  conf_new=1
  say "/etc/diskdb/diskdb.conf installed"
fi

# Directories the unit also creates (StateDirectory, LogsDirectory), made here too so the
# binary can be started by hand as diskdb, and owned by diskdb.
install -d -m 0750 "$D/var/lib/diskdb" "$D/var/log/diskdb"
if [ -n "$owner" ]; then
  # Numeric ids, read from the (staged) account files: the host may have no such user.
  uid=$(if [ -n "$D" ]; then awk -F: '$1=="diskdb"{print $3}' "$D/etc/passwd"; else id -u diskdb; fi)
  gid=$(if [ -n "$D" ]; then awk -F: '$1=="diskdb"{print $3}' "$D/etc/group"; else getent group diskdb | cut -d: -f3; fi)
  chown "$uid:$gid" "$D/var/lib/diskdb" "$D/var/log/diskdb"
  # Readable by the service, writable by root only (it may hold requirepass).
  [ -z "${conf_new:-}" ] || chown "0:$gid" "$D/etc/diskdb/diskdb.conf"
fi

if [ -z "$D" ] && [ "$SYSTEMCTL" = 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  say "unit installed; start it with: systemctl enable --now diskdb"
else
  say "unit installed in $D/etc/systemd/system/diskdb.service"
fi
