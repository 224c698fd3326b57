#!/usr/bin/env bash
# Replaces the bundled wrangler configuration schema with the one shipped in
# the wrangler npm package of the given version (default: latest).
# usage: server/third_party/wrangler/refresh.sh [VERSION]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-latest}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "wrangler@$version" >/dev/null)
tar -xzf "$work"/wrangler-*.tgz -C "$work" package/config-schema.json package/package.json
node -e 'const p=require(process.argv[1]); if (p.license !== "MIT OR Apache-2.0") { console.error("wrangler license changed: " + p.license); process.exit(1) } console.log(p.version)' \
  "$work/package/package.json" > "$here/VERSION"
cp "$work/package/config-schema.json" "$here/config-schema.json"
echo "bundled wrangler $(cat "$here/VERSION") config schema"
