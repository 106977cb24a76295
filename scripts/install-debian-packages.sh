#!/usr/bin/env bash
# Installs Debian packages for a project command, as root or through sudo; says what to do when neither is there.
# Usage: install-debian-packages.sh "<command that needs them>" package...
# Shared by scripts/ensure-test-services.sh (npm test) and bench/ensure-tools.sh (npm run bench).
set -euo pipefail
needed_by=$1
shift
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "$needed_by needs $*: install Debian's packages (apt-get install $*) and run again." >&2
    exit 1
  fi
fi
echo "Installing $* (Debian packages) for $needed_by..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
