#!/usr/bin/env bash
# Copies the deployable page (index.html, style.css, the built bundle) into a folder for the
# static website, and writes config.js with the Function App's URL and the auth provider.
# TypeScript sources, build scripts, source maps and node_modules are never copied.
# Usage: infra/package-page.sh OUT_DIR API_BASE_URL [AUTH_PROVIDER]
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 OUT_DIR API_BASE_URL [AUTH_PROVIDER]" >&2
  exit 2
fi
out=$1
api=${2%/}
provider=${3:-aad}
root="$(cd "$(dirname "$0")/.." && pwd)"
content="$root/content"
if [ ! -f "$content/dist/app.js" ]; then
  echo "content/dist/app.js is missing: run npm run build first." >&2
  exit 1
fi
case "$api" in
  https://* | http://*) ;;
  *) echo "API_BASE_URL must be an http(s) URL, not '$api'." >&2; exit 2 ;;
esac
if ! [[ "$provider" =~ ^[a-z][a-z0-9_-]*$ ]]; then
  echo "AUTH_PROVIDER must be a provider name such as aad, github or google, not '$provider'." >&2
  exit 2
fi
rm -rf "$out"
mkdir -p "$out/dist"
cp "$content/index.html" "$content/style.css" "$out/"
cp "$content/dist/app.js" "$out/dist/"
printf 'window.CHAT_CONFIG = { apiBaseUrl: %s, authProvider: %s };\n' "\"$api\"" "\"$provider\"" > "$out/config.js"
echo "page packaged in $out for $api ($provider)"
