#!/usr/bin/env bash
# Installs dols for the GitHub Action and puts it on PATH for later steps.
#   DOLS_INSTALL=npm    the npm package `dols@$DOLS_VERSION` (a launcher plus
#                       the prebuilt binary for the runner's platform, an
#                       optional dependency) into $RUNNER_TEMP/dols-npm
#   DOLS_INSTALL=cargo  cargo install --git (from source; needs Rust)
#   DOLS_INSTALL=none   use the dols already on PATH
set -euo pipefail

version=${DOLS_VERSION:-latest}
prefix=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
case "${DOLS_INSTALL:-npm}" in
  npm)
    dir="$prefix/dols-npm"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "dols@$version"
    bin="$dir/node_modules/.bin"
    ;;
  cargo)
    dir="$prefix/dols-cargo"
    if [ "$version" = latest ]; then
      cargo install --locked --root "$dir" --git https://github.com/dols-lsp/dols dols
    else
      cargo install --locked --root "$dir" --git https://github.com/dols-lsp/dols --tag "v$version" dols
    fi
    bin="$dir/bin"
    ;;
  none)
    bin=""
    ;;
  *)
    echo "::error title=dols::unknown install method '${DOLS_INSTALL}' (npm, cargo or none)"
    exit 2
    ;;
esac
if [ -n "$bin" ]; then
  export PATH="$bin:$PATH"
  if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$bin" >> "$GITHUB_PATH"
  fi
fi
dols --version
