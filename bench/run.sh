#!/usr/bin/env bash
# Runs the benchmark with the open-file limit raised as far as this machine allows: 10,000
# clients need 10,000 sockets in this process and as many in the server process.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"
exec node dist/bench/run.js "$@"
