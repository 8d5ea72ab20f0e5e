#!/usr/bin/env bash
# Runs the benchmark with the open-file limit raised as far as this machine allows: 10,000
# clients need 10,000 sockets in this process and as many in the server process.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"
# The first-message rows load the page in the full browser, as a person's (the tests use the
# headless shell).
if ! command -v chromium >/dev/null; then
  echo "npm run bench needs Debian's chromium: sudo apt-get install -y --no-install-recommends chromium" >&2
  exit 1
fi
exec node dist/bench/run.js "$@"
