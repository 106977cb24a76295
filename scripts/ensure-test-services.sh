#!/usr/bin/env bash
# Run before `npm test` (the `pretest` script): the cluster-wide rate-limit tests start a real redis-server
# (Debian's package) on a free loopback port, so a fresh machine gets it installed here rather than by hand.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "npm test needs redis-server: install Debian's package (apt-get install redis-server) and run again." >&2
    exit 1
  fi
fi
echo "Installing redis-server (Debian package) for the rate-limit tests..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
