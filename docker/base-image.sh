#!/usr/bin/env bash
# Makes a Debian base image for DiskDB's Dockerfiles without pulling anything: debootstrap
# writes a root filesystem from Debian's mirror, `docker import` turns it into an image.
# Machines without a container registry (such as the CI machine) have no other way to get
# a base image; elsewhere `--build-arg BASE_IMAGE=debian:bookworm-slim` does the same job.
#
#   docker/base-image.sh [--tag diskdb-base:bookworm] [--suite bookworm]
#                        [--mirror URL] [--variant minbase] [--force]
#
# Idempotent: does nothing when the tag already exists (unless --force). Needs root
# (debootstrap chroots) and installs debootstrap from apt when it is missing. The mirror
# defaults to the first Debian mirror in /etc/apt/sources.list*, then deb.debian.org.
set -euo pipefail

TAG=diskdb-base:bookworm
SUITE=
MIRROR=
VARIANT=minbase
FORCE=0
for arg in "$@"; do
  case $arg in
    --tag=*) TAG=${arg#*=} ;;
    --suite=*) SUITE=${arg#*=} ;;
    --mirror=*) MIRROR=${arg#*=} ;;
    --variant=*) VARIANT=${arg#*=} ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "base-image.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [ "$FORCE" = 0 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "base-image.sh: $TAG exists; nothing to do (--force rebuilds it)"
  exit 0
fi

# The machine's own Debian release, so the image's libraries match a binary built here.
if [ -z "$SUITE" ]; then
  SUITE=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
  SUITE=${SUITE:-bookworm}
fi

# The first Debian archive URL that apt itself uses (deb822 "URIs:" or one-line "deb").
if [ -z "$MIRROR" ]; then
  MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
                /etc/apt/sources.list.d/*.sources 2>/dev/null |
           grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v debootstrap >/dev/null 2>&1 && [ ! -x /usr/sbin/debootstrap ]; then
  echo "base-image.sh: installing debootstrap"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq debootstrap
fi
DEBOOTSTRAP=$(command -v debootstrap || echo /usr/sbin/debootstrap)

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/diskdb-rootfs.XXXXXX")
trap '$SUDO rm -rf "$ROOT"' EXIT

start=$(date +%s)
echo "base-image.sh: debootstrap --variant=$VARIANT $SUITE from $MIRROR"
$SUDO "$DEBOOTSTRAP" --variant="$VARIANT" --components=main "$SUITE" "$ROOT" "$MIRROR" \
  > "$ROOT.log" 2>&1 || { tail -n 30 "$ROOT.log" >&2; rm -f "$ROOT.log"; exit 1; }
rm -f "$ROOT.log"

# Slim it down the way Docker's official slim Debian images do: no apt lists or caches,
# no docs, manuals or message translations (33 MB of the 106), and dpkg told not to
# install them in images built on top.
$SUDO rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin \
             "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/usr/share/doc/* \
             "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* \
             "$ROOT"/var/log/*.log
printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
  'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
  'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' |
  $SUDO tee "$ROOT/etc/dpkg/dpkg.cfg.d/90diskdb-slim" >/dev/null
printf 'deb %s %s main\n' "$MIRROR" "$SUITE" | $SUDO tee "$ROOT/etc/apt/sources.list" >/dev/null
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' |
  $SUDO tee "$ROOT/etc/apt/apt.conf.d/90diskdb-norecommends" >/dev/null
printf 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };\n' |
  $SUDO tee "$ROOT/etc/apt/apt.conf.d/90diskdb-clean" >/dev/null

$SUDO tar -C "$ROOT" --numeric-owner -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    --message "debootstrap --variant=$VARIANT $SUITE $MIRROR" \
    - "$TAG" >/dev/null

echo "base-image.sh: $TAG built in $(( $(date +%s) - start )) s," \
     "$(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
