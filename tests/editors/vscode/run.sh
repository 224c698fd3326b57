#!/usr/bin/env bash
# VS Code end-to-end test for dols: builds and unit-tests editors/vscode,
# packages it into a .vsix (bundling the given dols binary), installs it with
# a small driver extension (e2e/) into a real VS Code — code-server, opened
# by headless Chromium — on a copy of docs/demo with the types `wrangler
# types` would write (worker-configuration.d.ts, hand-written and stale on
# purpose) plus a TOML Worker, and checks diagnostics, completion and hover
# merged with TypeScript's (nothing offered or shown twice), inlay hints,
# code lenses and their commands, a code action, fix-on-save, the topology
# webview and the new-object command, settings changes and a restart
# through VS Code's own APIs (see e2e/extension.js). browser.mjs,
# connected to Chromium through the DevTools protocol, answers what only the page knows (are the inlay
# hints and code lenses drawn, does a click on a topology link open the
# file) and takes a screenshot of the editor. A third extension, toml-stand-in/, stands in
# for a TOML extension (the toml language and a source.toml grammar): its
# grammar must be the only one (dols contributes none); once the driver
# uninstalls it, dols must set its fallback TOML configuration and offer
# Even Better TOML once. And VS Code's JSON service must check a
# wrangler.jsonc against the schema the extension ships (unknown key
# flagged, trailing comma allowed). Prints the timings of each stage.
#
# usage: tests/editors/vscode/run.sh [path/to/dols]
#   default binary: target/release/dols (built if missing)
#   DOLS_VSCODE_E2E_HOME=DIR   where code-server and Node 24 are cached
#                              (default /opt/dols-e2e/vscode; installed by
#                              install.sh when missing)
#   DOLS_VSCODE_E2E_TIMEOUT=S  budget for the e2e part (default 240)
#   DOLS_VSCODE_E2E_SCREENSHOT=FILE.png  keep the screenshot of inlay hints
#                              and code lenses there (the README's picture:
#                              docs/images/vscode-inlay-hints-code-lens.png)
#   KEEP=1                     keep the scratch folder (logs) on failure
# Exit status: 0 ok, 1 a check failed, 2 harness error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
ext_src=$repo/editors/vscode
cache=${DOLS_VSCODE_E2E_HOME:-/opt/dols-e2e/vscode}
budget=${DOLS_VSCODE_E2E_TIMEOUT:-240}

ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds() { printf '%d.%ds' $(( $1 / 1000 )) $(( $1 % 1000 / 100 )); }
started=$(ms)
stage_start=$started
timings=()
stage() {
  local now
  now=$(ms)
  timings+=("$(printf '%-28s %8s' "$1" "$(seconds $(( now - stage_start )))")")
  stage_start=$now
}
print_timings() {
  echo "vscode-e2e timings:"
  printf '  %s\n' "${timings[@]}"
  printf '  %-28s %8s\n' "total" "$(seconds $(( $(ms) - started )))"
}
fail() {
  echo "vscode-e2e: $1" >&2
  print_timings
  exit "${2:-2}"
}

bin=${1:-$repo/target/release/dols}
if [ ! -x "$bin" ] && [ -z "${1:-}" ]; then
  (cd "$repo" && cargo build --release --locked --quiet --bin dols)
fi
[ -x "$bin" ] || fail "dols binary not found: $bin"
bin=$(readlink -f "$bin")
command -v npm >/dev/null || fail "npm not found (Node.js 20 or newer is needed to build the extension)"

# 1. code-server, Node 24, Chromium (cached; skipped when present).
"$here/install.sh" "$cache"
stage "install (cached if present)"

# 2. The extension: dependencies (again only when the lock file changed),
#    type check, unit tests, bundle, package with the binary.
work=$(mktemp -d /tmp/dols-vscode-e2e.XXXXXX)
cleanup() {
  if [ -n "${cs_pid:-}" ]; then kill -- "-$cs_pid" 2>/dev/null || true; fi
  if [ -n "${chrome_pid:-}" ]; then kill -- "-$chrome_pid" 2>/dev/null || true; fi
  if [ -n "${browser_pid:-}" ]; then kill "$browser_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ "${status:-1}" -ne 0 ] && [ -n "${KEEP:-}" ]; then
    echo "vscode-e2e: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

cd "$ext_src"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.dols-lock-sum 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$lock_sum" > node_modules/.dols-lock-sum
fi
stage "npm ci (cached if unchanged)"
npm run --silent typecheck
rm -rf out
npm test --silent > "$work/unit.txt" 2>&1 || { cat "$work/unit.txt"; fail "unit tests failed" 1; }
grep -E '^# (tests|pass|fail) ' "$work/unit.txt" | sed 's/^/  unit: /'
stage "typecheck + unit tests"
node scripts/package.mjs --binary "$bin" --out "$work/dols.vsix" > "$work/package.txt" 2>&1 ||
  { cat "$work/package.txt"; fail "packaging failed"; }
(cd "$here/e2e" && "$ext_src/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository \
  --skip-license --out "$work/dols-e2e.vsix" > "$work/package-e2e.txt" 2>&1) ||
  { cat "$work/package-e2e.txt"; fail "packaging the e2e driver failed"; }
(cd "$here/toml-stand-in" && "$ext_src/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository \
  --skip-license --out "$work/toml-stand-in.vsix" > "$work/package-toml.txt" 2>&1) ||
  { cat "$work/package-toml.txt"; fail "packaging the TOML stand-in failed"; }
stage "bundle + package (.vsix)"

# 3. A fresh VS Code profile with both extensions and the server path.
export PATH="$cache/node/bin:$PATH"
cs="$cache/code-server/node_modules/.bin/code-server"
[ -x "$cs" ] || fail "code-server not installed in $cache"
export XDG_CONFIG_HOME=$work/xdg/config XDG_DATA_HOME=$work/xdg/data XDG_CACHE_HOME=$work/xdg/cache
mkdir -p "$work/ud/User" "$work/ext"
printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' > "$work/config.yaml"
csargs=(--config "$work/config.yaml" --user-data-dir "$work/ud" --extensions-dir "$work/ext")
for vsix in "$work/dols.vsix" "$work/dols-e2e.vsix" "$work/toml-stand-in.vsix"; do
  "$cs" "${csargs[@]}" --install-extension "$vsix" --force > "$work/install-ext.txt" 2>&1 ||
    { cat "$work/install-ext.txt"; fail "code-server could not install $vsix"; }
done
# `dols.server.path` is machine-overridable: in code-server (a remote
# window) it is read from the Machine settings, like VS Code Remote does.
mkdir -p "$work/ud/Machine"
printf '{\n  "dols.server.path": "%s"\n}\n' "$bin" > "$work/ud/Machine/settings.json"
cat > "$work/ud/User/settings.json" <<EOF
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "editor.minimap.enabled": false,
  "editor.lightbulb.enabled": "off",
  "typescript.validate.enable": false,
  "javascript.validate.enable": false
}
EOF
stage "install extensions"

# The fixture: docs/demo as a real project has it, with the types
# `wrangler types` writes (its README says to run it; here a hand-written
# stand-in, so TypeScript's service knows Env and the runtime types), plus
# a TOML Worker with a wrong class_name.
demo=$work/demo
cp -R "$repo/docs/demo" "$demo"
cp "$here/worker-configuration.d.ts" "$demo/worker-configuration.d.ts"
# Gitignored, as many projects keep generated types: TypeScript reads it
# all the same, and so must dols, or `env.` lists the typed bindings twice.
printf 'worker-configuration.d.ts\n' >> "$demo/.gitignore"
mkdir -p "$demo/ticker/src"
cat > "$demo/ticker/wrangler.toml" <<'EOF'
name = "ticker"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "TICKER"
class_name = "Tickr"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Ticker"]
EOF
cat > "$demo/ticker/src/index.ts" <<'EOF'
import { DurableObject } from "cloudflare:workers";

export class Ticker extends DurableObject {}

export default { async fetch() { return new Response("ok"); } };
EOF

# 4. code-server (its own process group), then Chromium as the window: the
#    extension host starts only once a browser connects.
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
out=$work/result.json
mkdir -p "$work/browser"
export DOLS_VSCODE_E2E_OUT=$out DOLS_VSCODE_E2E_BIN=$bin DOLS_VSCODE_E2E_BROWSER=$work/browser
setsid "$cs" "${csargs[@]}" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry \
  --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  "$demo" > "$work/code-server.log" 2>&1 &
cs_pid=$!
for _ in $(seq 200); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.1
done
curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" || { tail -20 "$work/code-server.log"; fail "code-server did not start"; }
stage "start code-server"
setsid chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --window-size=1100,860 --remote-debugging-port=0 --remote-allow-origins='*' \
  --user-data-dir="$work/chrome" "http://127.0.0.1:$port/?folder=$demo" > "$work/chrome.log" 2>&1 &
chrome_pid=$!
node "$here/browser.mjs" "$work/chrome" "$work/browser" "$port" > "$work/browser.log" 2>&1 &
browser_pid=$!

deadline=$(( $(date +%s) + budget ))
done_checks=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  if [ -s "$out" ] && node -e 'const r=require(process.argv[1]); process.exit(r.msTotal !== undefined || r.error ? 0 : 1)' "$out"; then
    done_checks=1
    break
  fi
  sleep 0.5
done
stage "e2e in VS Code"

# The topology's Mermaid diagram, through Mermaid's parser.
mermaid_check=missing
if [ -s "$out.topology.md" ]; then
  if node "$here/check-mermaid.mjs" "$out.topology.md" "$cache/mermaid" > "$work/mermaid.txt" 2>&1; then
    mermaid_check=ok
  else
    mermaid_check=failed
  fi
fi

touch "$work/browser/stop"
shot=$out.png
if [ -s "$shot" ] && [ -n "${DOLS_VSCODE_E2E_SCREENSHOT:-}" ]; then
  cp "$shot" "$DOLS_VSCODE_E2E_SCREENSHOT"
  echo "vscode-e2e: screenshot ($(stat -c %s "$shot") bytes) in $DOLS_VSCODE_E2E_SCREENSHOT"
fi

status=1
if [ -s "$out" ]; then
  node - "$out" "$mermaid_check" "$work/mermaid.txt" <<'EOF'
const fs = require('fs');
const r = require(process.argv[2]);
const mermaid = process.argv[3];
const text = fs.existsSync(process.argv[4]) ? fs.readFileSync(process.argv[4], 'utf8').trim().replace(/\n/g, ' / ') : 'no topology document';
r.checks.push({ name: 'the topology diagram parses with Mermaid', ok: mermaid === 'ok', ms: 0, detail: text, error: text });
r.ok = r.ok && mermaid === 'ok';
fs.writeFileSync(process.argv[2], JSON.stringify(r, null, 2));
console.log(`vscode-e2e: VS Code ${r.vscode}`);
for (const c of r.checks) {
  const detail = c.ok ? JSON.stringify(c.detail) : c.error;
  console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name} (${c.ms} ms)${detail ? ': ' + detail.slice(0, 300) : ''}`);
}
if (r.error) console.log(`  error: ${r.error}`);
const passed = r.checks.filter((c) => c.ok).length;
console.log(`${passed} passed, ${r.checks.length - passed} failed`);
EOF
  node -e 'process.exit(require(process.argv[1]).ok ? 0 : 1)' "$out" && status=0
fi
if [ "$done_checks" -ne 1 ]; then
  echo "vscode-e2e: no complete result after ${budget}s" >&2
fi
if [ "$status" -ne 0 ]; then
  echo "--- code-server log (tail)" >&2
  tail -n 30 "$work/code-server.log" >&2
  echo "--- browser.mjs log (tail)" >&2
  tail -n 15 "$work/browser.log" >&2 || true
  for log in $(find "$work/ud/logs" -name '*.log' \( -path '*exthost*' -o -name 'remoteagent.log' \) 2>/dev/null | head -5); do
    echo "--- $log (tail)" >&2
    tail -n 30 "$log" >&2
  done
fi
print_timings
if [ "$status" -eq 0 ]; then echo "vscode-e2e: passed"; else echo "vscode-e2e: FAILED" >&2; fi
exit "$status"
