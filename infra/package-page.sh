#!/usr/bin/env bash
# Packages the built page for the static website ($web): copies from content/ only what a
# browser loads (top-level .html, .css and images, and the esbuild output in content/dist/
# without source maps) and writes config.js with the Function App's URL and the sign-in
# provider. TypeScript sources (content/src/), *.ts, tsconfig, build scripts, *.map and
# node_modules are never copied. Run `npm run build` first.
#
# Usage: infra/package-page.sh OUT_DIR API_BASE_URL [AUTH_PROVIDER]
#   API_BASE_URL: the Function App's origin, e.g. https://chatdemo-func.azurewebsites.net
#   AUTH_PROVIDER: the /.auth/login/<provider> name: aad (default), github, google, ...
set -euo pipefail

fail() {
  echo "package-page: $1" >&2
  exit "${2:-2}"
}

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  fail "usage: $0 OUT_DIR API_BASE_URL [AUTH_PROVIDER]"
fi
out=$1
api=${2%/}
provider=${3:-aad}
# Both values are written into a script, so they are held to a shape that needs no escaping.
[[ "$api" =~ ^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$ ]] ||
  fail "API_BASE_URL must be an origin such as https://<app>.azurewebsites.net (no path), not '$api'."
[[ "$provider" =~ ^[a-z][a-z0-9_-]*$ ]] ||
  fail "AUTH_PROVIDER must be a provider name such as aad, github or google, not '$provider'."

content="$(cd "$(dirname "$0")/.." && pwd)/content"
[ -f "$content/index.html" ] || fail "content/index.html is missing." 1
[ -d "$content/dist" ] || fail "content/dist is missing: run npm run build first." 1

rm -rf "$out"
mkdir -p "$out"

# Top-level page files. Scripts are left out on purpose: config.js is written below, and the
# others at this level (build.js) are build tooling.
for file in "$content"/*; do
  [ -f "$file" ] || continue
  case "${file##*/}" in
    *.html | *.css | *.ico | *.png | *.svg | *.webp | *.jpg | *.webmanifest)
      cp "$file" "$out/"
      ;;
  esac
done

# The bundle, without maps (and without the comment pointing at them, which would only make
# the browser's developer tools ask for a file that is not there).
while IFS= read -r -d '' file; do
  mkdir -p "$out/$(dirname "$file")"
  case "$file" in
    *.js | *.css) sed -e '/^\/[/*]# sourceMappingURL=/d' "$content/$file" >"$out/$file" ;;
    *) cp "$content/$file" "$out/$file" ;;
  esac
done < <(cd "$content" && find dist -type f ! -name '*.map' ! -name '*.ts' ! -name '*.tsbuildinfo' -print0)

# The page's CSP: network only to the Function App and Azure SignalR Service. A static website
# cannot send headers, so it stays a <meta> (which cannot carry frame-ancestors; README, Security).
connect="connect-src 'self' $api https://*.service.signalr.net wss://*.service.signalr.net"
sed -i -E "s#connect-src [^;\"]*#${connect}#" "$out/index.html"
grep -qF "$connect" "$out/index.html" || fail "index.html has no Content-Security-Policy connect-src to rewrite." 1

printf 'window.CHAT_CONFIG = { apiBaseUrl: "%s", authProvider: "%s" };\n' "$api" "$provider" >"$out/config.js"
echo "package-page: $out is ready for \$web (API $api, sign-in with $provider)"
