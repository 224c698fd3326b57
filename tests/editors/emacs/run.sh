#!/usr/bin/env bash
# Emacs end-to-end test for dols: Emacs 28 (Debian's emacs-nox) with Eglot
# (Debian's elpa-eglot) loads editors/emacs/dols.el, opens a scratch copy of
# docs/demo and checks diagnostics, hover, completion and quick fixes
# through Eglot (see e2e.el). Three runs: the default setup (dols for
# wrangler configs, TS left to the TypeScript server), `dols-typescript' =
# `replace' (dols manages TS buffers too) and = `rass' (TS buffers get
# typescript-language-server and dols together through the rass multiplexer).
#
# usage: tests/editors/emacs/run.sh [path/to/dols]
#   default binary: target/release/dols (built if missing)
#   DOLS_E2E_TIMEOUT=...  seconds for each wait inside Emacs (default 20)
#   DOLS_E2E_RASS=0       skip the rass run (and its installs)
# Installs what is missing: emacs-nox and elpa-eglot (apt-get); for the rass
# run rassumfrassum (PyPI, in a venv) and typescript-language-server +
# typescript (npm), under $DOLS_E2E_CACHE (default ~/.cache/dols-e2e).
# Exit status: 0 ok, 1 a check failed, 2 harness error, 124 hard timeout.
set -euo pipefail
start=$(date +%s.%N)

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

bin=${1:-$repo/target/release/dols}
if [ ! -x "$bin" ] && [ -z "${1:-}" ]; then
  (cd "$repo" && cargo build --release --locked --quiet --bin dols)
fi
[ -x "$bin" ] || { echo "emacs-e2e: dols binary not found: $bin" >&2; exit 2; }
bin=$(readlink -f "$bin")

if ! command -v emacs >/dev/null || ! compgen -G "/usr/share/emacs/site-lisp/elpa/eglot-*" >/dev/null; then
  echo "emacs-e2e: installing emacs-nox and elpa-eglot"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends emacs-nox elpa-eglot >/dev/null
fi

# For the `rass' run: the rass multiplexer (PyPI rassumfrassum) in a venv and
# typescript-language-server + typescript (npm), under a cache folder.
modes="configs replace"
if [ "${DOLS_E2E_RASS:-1}" != 0 ]; then
  modes="$modes rass"
  cache=${DOLS_E2E_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/dols-e2e}
  rass_version=0.3.5 tsls_version=5.1.3 ts_version=5.9.3
  rass=$cache/rass-$rass_version/bin/rass
  tsls=$cache/tsls-$tsls_version/node_modules/.bin/typescript-language-server
  if [ ! -x "$rass" ]; then
    echo "emacs-e2e: installing rassumfrassum==$rass_version into $cache"
    mkdir -p "$cache"
    if ! python3 -m venv "$cache/rass-$rass_version" >/dev/null 2>&1; then
      rm -rf "$cache/rass-$rass_version"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
      python3 -m venv "$cache/rass-$rass_version"
    fi
    "$cache/rass-$rass_version/bin/pip" install -q --disable-pip-version-check "rassumfrassum==$rass_version"
  fi
  if [ ! -x "$tsls" ]; then
    echo "emacs-e2e: installing typescript-language-server@$tsls_version typescript@$ts_version into $cache"
    if ! command -v npm >/dev/null; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    fi
    mkdir -p "$cache/tsls-$tsls_version"
    (cd "$cache/tsls-$tsls_version" && echo '{"private":true}' >package.json &&
      npm install --silent --no-audit --no-fund "typescript-language-server@$tsls_version" "typescript@$ts_version" >/dev/null)
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
failed=()
for mode in $modes; do
  dir=$work/$mode
  mkdir -p "$dir/home"
  cp -R "$repo/docs/demo" "$dir/demo"
  # A git work tree, as in a real checkout: project.el finds the project
  # root there, and Eglot lists its files to watch them.
  if command -v git >/dev/null; then
    git init -q "$dir/demo"
  else
    mkdir "$dir/demo/.git"
  fi
  echo "== emacs-e2e: $mode"
  rc=0
  # HOME keeps ~/.emacs.d and its state out of the way; -Q loads no init file.
  HOME=$dir/home DOLS_E2E_EL=$repo/editors/emacs DOLS_E2E_BIN=$bin \
    DOLS_E2E_DEMO=$(readlink -f "$dir/demo") DOLS_E2E_MODE=$mode \
    DOLS_E2E_RASS=${rass:-} DOLS_E2E_TSLS=${tsls:-} \
    timeout --kill-after=5 90 emacs -Q --batch -l "$here/e2e.el" </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] && echo "emacs-e2e: Emacs hung; killed after the hard timeout" >&2
    echo "emacs-e2e: $mode FAILED (exit $rc)" >&2
    failed+=("$mode")
    status=$rc
  fi
done

wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$status" -ne 0 ]; then
  echo "emacs-e2e: FAILED: ${failed[*]} (wall ${wall}s)" >&2
  exit "$status"
fi
echo "emacs-e2e: passed (wall ${wall}s)"
