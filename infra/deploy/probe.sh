#!/bin/bash
# emporium-probe [PATH]: exits 0 when `GET PATH` (default `/health`) on this container's
# emporium answers 200, else 1. Used by the image's HEALTHCHECK and compose.yaml.
#
# The runtime image is debian:bookworm-slim, which has no curl or wget: this uses
# bash's /dev/tcp for a single HTTP/1.1 request on loopback. The port is
# $EMPORIUM_PORT (the same variable emporium reads), default 8080.
set -u
path="${1:-/health}"
port="${EMPORIUM_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" 2>/dev/null || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status_line <&3 || exit 1
case "$status_line" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) exit 1 ;;
esac
