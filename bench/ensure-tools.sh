#!/usr/bin/env bash
# Run before `npm run bench` (the `prebench` script): the suite needs Debian's nginx (upstream pods and the
# ingress-nginx-like baseline), caddy (the Go-class baseline), wrk (every ratio against nginx) and taskset
# (util-linux, CPU pinning). Whatever is missing is installed here rather than by hand.
set -euo pipefail
missing=()
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
[ ${#missing[@]} -eq 0 ] && exit 0

# The suite starts its own nginx and caddy processes (own configs, loopback ports 28xxx). On a machine with an init
# system Debian also starts the packaged services on port 80; the suite neither needs nor touches them.
exec bash "$(dirname "$0")/../scripts/install-debian-packages.sh" "npm run bench" "${missing[@]}"
