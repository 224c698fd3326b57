#!/usr/bin/env bash
# End-to-end test of the npm packages and the GitHub Action's check step,
# with the real release binary, offline:
#   1. cargo build --release --bin dols, then build.sh (npm pack of `dols`
#      and `@dols/<platform>`);
#   2. both tarballs installed offline into a temporary project;
#   3. `npx --offline dols --version`, `npx --offline dols check` on
#      docs/demo (exit 1) and on a clean fixture (exit 0), stdin/stdout
#      through the launcher with `dols lsp`, a signal's exit status (npx
#      runs the copy installed in the project, never one from a registry);
#   4. the launcher package alone (no platform package): a clear error, exit 2;
#   5. the SARIF report validated against the official schema with the
#      reference Python `jsonschema` (format checks on), and action.yml
#      parsed with PyYAML;
#   6. the Action's check.sh with the npm-installed dols.
# Installs (only when missing): Node.js and npm (apt), python3 venv with
# jsonschema, rfc3987 and PyYAML (pip, in ~/.cache/dols-ci). Prints timings;
# exits non-zero on the first failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
label=npm-test
# shellcheck source=../../tests/support/steps.sh
source "$repo/tests/support/steps.sh"

# --- tools -----------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
venv=${DOLS_CI_VENV:-$HOME/.cache/dols-ci/venv}
if ! "$venv/bin/python" -c 'import jsonschema, rfc3987, yaml' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check jsonschema rfc3987 PyYAML
fi
step "tools ready: node $(node --version), npm $(npm --version), $("$venv/bin/python" --version)"

# --- build -----------------------------------------------------------------
if [ -z "${DOLS_SKIP_CARGO_BUILD:-}" ]; then
  (cd "$repo" && cargo build --release --bin dols --quiet)
fi
step "cargo build --release"
bash "$here/build.sh"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -n 1)
platform=$(node -p 'process.platform + "-" + process.arch')
main_tgz="$here/dist/dols-$version.tgz"
platform_tgz="$here/dist/dols-$platform-$version.tgz"
[ -f "$main_tgz" ] && [ -f "$platform_tgz" ] || die "build.sh did not make both tarballs"
step "build.sh (npm pack)"

# --- install offline -------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export npm_config_offline=true npm_config_audit=false npm_config_fund=false \
  npm_config_update_notifier=false npm_config_cache="$work/npm-cache"
project="$work/project"
mkdir -p "$project"
echo '{"name": "dols-npm-test", "private": true}' > "$project/package.json"
(cd "$project" && npm install --offline --loglevel=error "$main_tgz" "$platform_tgz" >/dev/null) ||
  die "npm install --offline of both tarballs"
[ -x "$project/node_modules/@dols/$platform/bin/dols" ] || die "platform binary not installed executable"
ok "both tarballs installed offline"
step "npm install"

# --- the launcher ----------------------------------------------------------
run() { # run EXPECTED_STATUS NAME COMMAND...: runs in the project, checks the status
  local expected=$1 name=$2
  shift 2
  set +e
  (cd "$project" && "$@") > "$work/out" 2> "$work/err"
  local status=$?
  set -e
  if [ "$status" != "$expected" ]; then
    cat "$work/out" "$work/err" >&2
    die "$name: exit $status, expected $expected"
  fi
  ok "$name (exit $status)"
}

run 0 "npx --offline dols --version" npx --offline dols --version
grep -qx "dols $version" "$work/out" || die "--version printed $(cat "$work/out")"
run 1 "npx --offline dols check docs/demo" npx --offline dols check "$repo/docs/demo"
grep -q 'error\[class-not-exported\]' "$work/out" || die "demo report lacks class-not-exported"
run 0 "npx --offline dols check on a clean fixture" npx --offline dols check "$repo/tests/fixtures/class-not-exported/clean"
run 2 "npx --offline dols check on a missing path" npx --offline dols check "$work/no-such-folder"
grep -q 'no such file or folder' "$work/err" || die "missing path: stderr $(cat "$work/err")"

# stdin and stdout pass through: one LSP session through the launcher
# (each request waits for the previous answer, as a client does).
cat > "$work/lsp-client.js" <<'NODE'
const { spawn } = require("child_process");
const server = spawn("npx", ["--offline", "dols", "lsp"], { stdio: ["pipe", "pipe", "inherit"] });
const send = (message) => {
  const body = JSON.stringify({ jsonrpc: "2.0", ...message });
  server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
};
let buffer = Buffer.alloc(0);
const waiting = new Map();
server.stdout.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const header = buffer.indexOf("\r\n\r\n");
    if (header < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.slice(0, header).toString())[1]);
    if (buffer.length < header + 4 + length) return;
    const message = JSON.parse(buffer.slice(header + 4, header + 4 + length).toString());
    buffer = buffer.slice(header + 4 + length);
    if (message.id !== undefined && waiting.has(message.id)) waiting.get(message.id)(message);
  }
});
const request = (id, method, params) =>
  new Promise((resolve) => { waiting.set(id, resolve); send({ id, method, params }); });
const timer = setTimeout(() => { console.error("LSP session timed out"); process.exit(3); }, 20000);
(async () => {
  const init = await request(1, "initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  if (!init.result || !init.result.capabilities) throw new Error(JSON.stringify(init));
  send({ method: "initialized", params: {} });
  const shutdown = await request(2, "shutdown", null);
  if (shutdown.error) throw new Error(JSON.stringify(shutdown));
  send({ method: "exit" });
  server.on("exit", (code) => {
    clearTimeout(timer);
    console.log(`initialize ok, shutdown ok, server exit ${code}`);
    process.exit(code === 0 ? 0 : 4);
  });
})().catch((err) => { console.error(err.message); process.exit(5); });
NODE
run 0 "npx --offline dols lsp over stdio (initialize, shutdown, exit)" node "$work/lsp-client.js"
grep -q 'server exit 0' "$work/out" || die "LSP session: $(cat "$work/out")"

# A signal that ends the binary ends the launcher the same way (143 = TERM).
set +e
{ (cd "$project" && DOLS_BINARY=/bin/sh node node_modules/dols/bin/dols.js -c 'kill -TERM $$'); } 2>/dev/null
status=$?
set -e
[ "$status" = 143 ] || die "signal: launcher exited $status, expected 143"
ok "a signal's status passes through (143)"
step "launcher"

# --- no platform package ---------------------------------------------------
bare="$work/bare"
mkdir -p "$bare"
echo '{"name": "dols-npm-bare", "private": true}' > "$bare/package.json"
(cd "$bare" && npm install --offline --omit=optional --loglevel=error "$main_tgz" >/dev/null) ||
  die "npm install of the launcher alone"
set +e
(cd "$bare" && npx --offline dols --version) > "$work/out" 2> "$work/err"
status=$?
set -e
[ "$status" = 2 ] || die "without a platform package: exit $status, expected 2"
grep -q "@dols/$platform is not installed" "$work/err" || die "unclear error: $(cat "$work/err")"
ok "launcher alone: clear error, exit 2"
step "missing platform package"

# --- SARIF schema and action.yml, with the reference Python libraries ------
cat > "$work/validate.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
# Every format jsonschema knows: the schema says draft-04 but also uses
# `uri-reference` (a draft-06 format) for artifact locations.
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
for needed in ("uri", "uri-reference"):
    assert needed in validator.format_checker.checkers, f"rfc3987 missing: {needed} would go unchecked"
errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
for error in errors[:20]:
    print(f"  {'/'.join(map(str, error.path))}: {error.message}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
schema="$repo/tests/data/sarif-schema-2.1.0.json"
for project_dir in docs/demo tests/data/cli-formats/unicode tests/fixtures/class-not-exported/clean; do
  set +e
  (cd "$project" && npx --offline dols check --format sarif --output "$work/report.sarif" "$repo/$project_dir")
  status=$?
  set -e
  [ "$status" -le 1 ] || die "sarif on $project_dir: exit $status"
  "$venv/bin/python" "$work/validate.py" "$schema" "$work/report.sarif" || die "SARIF of $project_dir is not valid"
  ok "SARIF of $project_dir valid (jsonschema, draft-04, URI formats checked)"
done
# Negative controls: the validator must reject each broken copy.
(cd "$project" && npx --offline dols check --format sarif --output "$work/report.sarif" "$repo/tests/data/cli-formats/unicode") || true
for breakage in \
  'r["runs"][0]["results"][1]["level"] = "hint"' \
  'r["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0' \
  'r["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "src/my counter.ts"' \
  'r["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri"' \
  'r["runs"][0]["results"][0]["fix"] = []'; do
  "$venv/bin/python" -c 'import json, sys
r = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(r, open(sys.argv[1] + ".broken", "w"))' "$work/report.sarif" "$breakage"
  if "$venv/bin/python" "$work/validate.py" "$schema" "$work/report.sarif.broken" 2>/dev/null; then
    die "the validator accepted a broken report: $breakage"
  fi
done
ok "the validator rejects 5 broken reports"

"$venv/bin/python" - "$repo/editors/github-action/action.yml" <<'PY' || die "action.yml"
import sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
assert action["runs"]["using"] == "composite"
inputs = set(action["inputs"])
assert {"version", "paths", "args", "upload"} <= inputs, inputs
for name, spec in action["inputs"].items():
    assert "description" in spec and "default" in spec, name
    assert isinstance(spec["default"], str), f"{name}: default must be a string"
for step in action["runs"]["steps"]:
    assert ("run" in step) != ("uses" in step), step
    if "run" in step:
        assert step.get("shell") == "bash", step
uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
assert uses == ["github/codeql-action/upload-sarif@v3"], uses
# The default install must work with nothing published (npm is opt-in).
assert action["inputs"]["install"]["default"] == "auto", action["inputs"]["install"]
install_env = action["runs"]["steps"][0]["env"]
for name, value in {"DOLS_INSTALL": "install", "DOLS_TARBALL_URL": "tarball-url",
                    "DOLS_TARBALL_SHA256": "tarball-sha256", "DOLS_VERSION": "version"}.items():
    assert install_env.get(name) == "${{ inputs.%s }}" % value, (name, install_env.get(name))
PY
ok "action.yml parses (PyYAML) and has the expected shape"
step "schema and YAML"

# --- the Action's check step with the npm-installed dols --------------------
workspace="$work/workspace"
mkdir -p "$workspace/workers"
cp -R "$repo/docs/demo" "$workspace/workers/demo"
rm -rf "$workspace/workers/demo/node_modules"
(
  cd "$workspace"
  PATH="$project/node_modules/.bin:$PATH" GITHUB_WORKSPACE="$workspace" GITHUB_OUTPUT="$work/outputs" \
    DOLS_PATHS="workers/demo" DOLS_ARGS="" DOLS_UPLOAD=true DOLS_ANNOTATIONS=true DOLS_SARIF=dols.sarif \
    bash "$repo/editors/github-action/check.sh"
) > "$work/out" 2> "$work/err" || die "check.sh failed: $(cat "$work/err")"
grep -qx 'exit-code=1' "$work/outputs" || die "check.sh outputs: $(cat "$work/outputs")"
grep -qx 'sarif-file=dols.sarif' "$work/outputs" || die "check.sh outputs: $(cat "$work/outputs")"
grep -q "^::error file=$workspace/workers/demo/wrangler.jsonc,line=" "$work/out" || die "no annotation"
grep -q '"uri": "workers/demo/wrangler.jsonc"' "$workspace/dols.sarif" || die "SARIF paths not repository-relative"
ok "action check.sh: report, annotations, repository-relative SARIF, exit-code=1"
step "action check step"

echo "[npm-test] total $(elapsed "$started") s"
echo "$passed passed, 0 failed"
