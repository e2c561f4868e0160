#!/bin/bash
# The image's HEALTHCHECK: sends PING over TCP with bash's /dev/tcp (no redis-cli in the
# runtime image) and is healthy when the server answers +PONG, or -NOAUTH when a password
# is set (the server is up and serving; the check holds no password). The port is
# DISKDB_PORT, default 6380.
port=${DISKDB_PORT:-6380}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'PING\r\n' >&3
IFS= read -r -t 3 reply <&3 || exit 1
case $reply in
  +PONG*|-NOAUTH*) exit 0 ;;
  *) echo "unexpected reply: $reply" >&2; exit 1 ;;
esac
