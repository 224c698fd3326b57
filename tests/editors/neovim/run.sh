#!/usr/bin/env bash
# Neovim end-to-end test for dols: headless Neovim loads editors/neovim,
# opens a scratch copy of docs/demo and checks diagnostics, hover and
# completion through the real LSP client. See e2e.lua for the checks.
#
# usage: tests/editors/neovim/run.sh [path/to/dols]
#   default binary: target/release/dols (built if missing)
#   NVIM=...                 Neovim binary (default: nvim on PATH)
#   DOLS_E2E_TIMEOUT_MS=...  budget inside Neovim (default 30000)
#   DOLS_E2E_LEGACY=1        use the FileType-autocmd path even on 0.11+
# Exit status: 0 ok, 1 a check failed, 2 harness error, 124 hard timeout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
nvim=${NVIM:-nvim}

bin=${1:-$repo/target/release/dols}
if [ ! -x "$bin" ] && [ -z "${1:-}" ]; then
  (cd "$repo" && cargo build --release --locked --quiet)
fi
[ -x "$bin" ] || { echo "nvim-e2e: dols binary not found: $bin" >&2; exit 2; }
bin=$(readlink -f "$bin")
command -v "$nvim" >/dev/null || { echo "nvim-e2e: '$nvim' not found (apt-get install neovim)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$repo/docs/demo" "$work/demo"

# Isolate from any user config, plugins, shada and swap files; --clean keeps
# the built-in filetype detection, which the plugin's FileType hook relies on.
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
  XDG_STATE_HOME=$work/state XDG_CACHE_HOME=$work/cache
export DOLS_E2E_PLUGIN=$repo/editors/neovim
export DOLS_E2E_BIN=$bin
export DOLS_E2E_DEMO=$(readlink -f "$work/demo")
budget=${DOLS_E2E_TIMEOUT_MS:-30000}
export DOLS_E2E_TIMEOUT_MS=$budget

set +e
# The Lua side bounds every wait by the budget; `timeout` is the backstop in
# case Neovim itself wedges (it never exits on its own when headless).
timeout --kill-after=5 $(( budget / 1000 + 15 )) \
  "$nvim" --headless --clean -i NONE -n -c "luafile $here/e2e.lua" </dev/null
rc=$?
set -e

if [ "$rc" -ne 0 ]; then
  [ "$rc" -eq 124 ] && echo "nvim-e2e: Neovim hung; killed after the hard timeout" >&2
  for log in "$XDG_STATE_HOME/nvim/lsp.log" "$XDG_CACHE_HOME/nvim/lsp.log"; do
    if [ -s "$log" ]; then
      echo "--- tail of $log" >&2
      tail -n 20 "$log" >&2
    fi
  done
  echo "nvim-e2e: FAILED (exit $rc)" >&2
  exit "$rc"
fi
echo "nvim-e2e: passed"
