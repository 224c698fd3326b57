#!/usr/bin/env bash
# Installs dols for the GitHub Action and puts it on PATH for later steps.
#   DOLS_INSTALL=auto     (the default) `tarball` when DOLS_TARBALL_URL is
#                         set, else `source`
#   DOLS_INSTALL=source   cargo install --locked --path <repository>/server
#                         --bin dols: builds the dols source the action was
#                         fetched with (GitHub downloads the whole repository
#                         for `uses: dols-lsp/dols/editors/github-action@REF`);
#                         needs Rust, takes a few minutes
#   DOLS_INSTALL=tarball  the binary tarball at DOLS_TARBALL_URL (http(s)://,
#                         file:// or a local path), as scripts/release.sh
#                         makes it; checked against DOLS_TARBALL_SHA256 when
#                         that is set
#   DOLS_INSTALL=cargo    cargo install --git https://github.com/dols-lsp/dols
#                         (the tag v$DOLS_VERSION unless `latest`; no tags
#                         exist before the first release)
#   DOLS_INSTALL=npm      the npm package `dols@$DOLS_VERSION`, once it is
#                         published (it is not yet)
#   DOLS_INSTALL=none     use the dols already on PATH
# Installs under $RUNNER_TEMP (else $TMPDIR or /tmp).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=${DOLS_VERSION:-latest}
prefix=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
tarball_url=${DOLS_TARBALL_URL:-}
method=${DOLS_INSTALL:-auto}
if [ "$method" = auto ]; then
  if [ -n "$tarball_url" ]; then method=tarball; else method=source; fi
fi

fail() {
  echo "::error title=dols::$1"
  exit 2
}

case "$method" in
  source)
    src=$(cd "$here/../.." && pwd)
    [ -f "$src/server/Cargo.toml" ] && [ -f "$src/Cargo.lock" ] ||
      fail "install: source needs the dols repository around the action; $src has no server/Cargo.toml (use install: tarball or none)"
    command -v cargo >/dev/null 2>&1 ||
      fail "install: source needs Rust (cargo); GitHub-hosted runners have it, elsewhere install it first (https://rustup.rs)"
    source_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$src/server/Cargo.toml" | head -n 1)
    if [ "$version" != latest ] && [ "$version" != "$source_version" ]; then
      echo "::warning title=dols::version $version asked, but the action's source is dols $source_version; pin the action (@REF) to choose the version with install: source"
    fi
    dir="$prefix/dols-source"
    echo "dols: building dols $source_version from $src (cargo install --locked --path server --bin dols)"
    cargo install --locked --path "$src/server" --bin dols --root "$dir"
    bin="$dir/bin"
    ;;
  tarball)
    [ -n "$tarball_url" ] || fail "install: tarball needs tarball-url"
    dir="$prefix/dols-tarball"
    rm -rf "$dir"
    mkdir -p "$dir/unpacked"
    archive="$dir/dols.tar.gz"
    case "$tarball_url" in
      http://* | https://* | file://*)
        curl --fail --silent --show-error --location --retry 3 --output "$archive" "$tarball_url" ||
          fail "could not download $tarball_url"
        ;;
      *)
        [ -f "$tarball_url" ] || fail "no such file: $tarball_url"
        cp "$tarball_url" "$archive"
        ;;
    esac
    if [ -n "${DOLS_TARBALL_SHA256:-}" ]; then
      if command -v sha256sum >/dev/null 2>&1; then
        actual=$(sha256sum "$archive" | cut -d' ' -f1)
      else
        actual=$(shasum -a 256 "$archive" | cut -d' ' -f1)
      fi
      expected=$(echo "$DOLS_TARBALL_SHA256" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')
      [ "$actual" = "$expected" ] ||
        fail "the tarball's SHA-256 is $actual, tarball-sha256 says $expected"
      echo "dols: tarball SHA-256 verified"
    fi
    tar -xzf "$archive" -C "$dir/unpacked" || fail "$tarball_url is not a .tar.gz"
    # dols-<version>-<target>/dols, or dols at the top.
    binary=$(find "$dir/unpacked" -maxdepth 2 -type f \( -name dols -o -name dols.exe \) | sort | head -n 1)
    [ -n "$binary" ] || fail "no dols binary in $tarball_url"
    chmod 755 "$binary"
    bin=$(dirname "$binary")
    ;;
  cargo)
    command -v cargo >/dev/null 2>&1 || fail "install: cargo needs Rust (cargo)"
    dir="$prefix/dols-cargo"
    if [ "$version" = latest ]; then
      cargo install --locked --root "$dir" --git https://github.com/dols-lsp/dols --bin dols dols
    else
      cargo install --locked --root "$dir" --git https://github.com/dols-lsp/dols --tag "v$version" --bin dols dols
    fi
    bin="$dir/bin"
    ;;
  npm)
    # Opt-in for when `dols` and `@dols/<platform>` are on the npm registry;
    # nothing is published under these names yet.
    dir="$prefix/dols-npm"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "dols@$version"
    bin="$dir/node_modules/.bin"
    ;;
  none)
    bin=""
    ;;
  *)
    fail "unknown install method '$method' (auto, source, tarball, cargo, npm or none)"
    ;;
esac
if [ -n "$bin" ]; then
  export PATH="$bin:$PATH"
  if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$bin" >> "$GITHUB_PATH"
  fi
fi
command -v dols >/dev/null 2>&1 || fail "dols is not on PATH (install: $method)"
installed=$(dols --version)
echo "$installed ($(command -v dols))"
if [ "$version" != latest ] && [ "$installed" != "dols $version" ] && [ "$method" != source ]; then
  echo "::warning title=dols::version $version asked, $installed installed"
fi
