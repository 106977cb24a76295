#!/usr/bin/env bash
# Run before `npm test` (the `pretest` script): the cluster-wide rate-limit tests start a real redis-server
# (Debian's package) on a free loopback port, so a fresh machine gets it installed here rather than by hand.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
exec bash "$(dirname "$0")/install-debian-packages.sh" "npm test (the rate-limit tests)" redis-server
