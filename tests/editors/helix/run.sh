#!/usr/bin/env bash
# Helix test for dols: checks editors/helix/languages.toml against Helix's
# own language names and default servers, then starts the server exactly as
# the snippet tells Helix to (command looked up on PATH, its args) and
# drives it like Helix over stdio. Helix itself is in no registry we can
# use, so check_helix.py stands in for it (the snippet, PATH, root search)
# and runs dols-helix-session (tests/lsp-client/, the shared JSON-RPC
# client) for the session; see both for the checks.
#
# usage: tests/editors/helix/run.sh [path/to/dols]
#   default binary: target/release/dols (built if missing)
# Builds dols-helix-session (debug profile: a few seconds once, then a
# no-op). Installs python3 (>= 3.11, for tomllib) with apt-get only if
# missing.
# Exit status: 0 ok, 1 a check failed, 2 harness error.
set -euo pipefail
start=$(date +%s.%N)

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

bin=${1:-$repo/target/release/dols}
if [ ! -x "$bin" ] && [ -z "${1:-}" ]; then
  (cd "$repo" && cargo build --release --locked --quiet --bin dols)
fi
[ -x "$bin" ] || { echo "helix-check: dols binary not found: $bin" >&2; exit 2; }

if ! python3 -c 'import tomllib' 2>/dev/null; then
  echo "helix-check: installing python3 (needs tomllib, Python 3.11+)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3 >/dev/null
fi

target=$(cd "$repo" && cargo metadata --format-version 1 --no-deps --offline |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])') ||
  { echo "helix-check: cargo metadata failed" >&2; exit 2; }
(cd "$repo" && cargo build --locked --quiet -p dols-lsp-client --bin dols-helix-session) ||
  { echo "helix-check: could not build dols-helix-session" >&2; exit 2; }
session=$target/debug/dols-helix-session

rc=0
timeout --kill-after=5 60 python3 "$here/check_helix.py" "$bin" "$repo/editors/helix/languages.toml" "$repo/docs/demo" "$session" || rc=$?
wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$rc" -ne 0 ]; then
  echo "helix-check: FAILED (exit $rc, wall ${wall}s)" >&2
  exit "$rc"
fi
echo "helix-check: passed (wall ${wall}s)"
