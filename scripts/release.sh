#!/usr/bin/env bash
# Builds everything a user installs, for this machine's platform, into one
# folder (default dist/release/<version>/):
#
#   dols-<version>-<target-triple>.tar.gz   the `dols` binary, a README, the
#                                           license note and the licenses of
#                                           the data compiled into it
#   dols-<version>.tgz                      npm: the launcher package `dols`
#   dols-<platform>-<version>.tgz           npm: `@dols/<platform>`, the binary
#   dols-<version>-<vscode-target>.vsix     VS Code, with the binary bundled
#   SHA256SUMS                              checksums of the four files above
# (the npm packages only for a platform with a template in
# editors/npm/platforms/: Linux x64 today).
#
# usage: scripts/release.sh [--no-build] [--out DIR]
#   --no-build  use target/release/dols as it is (no cargo build); it must
#               have been built from this checkout, for this machine
#   --out DIR   where the artifacts go (earlier dols-* artifacts and
#               SHA256SUMS there are replaced; nothing else is removed)
#
# Needs Rust (unless --no-build), Node.js 20+ with npm, tar, gzip and
# sha256sum (or shasum). Network: only what cargo and npm fetch on a cold
# machine (crates for the build, the VS Code extension's dev dependencies
# for `npm ci`). It publishes nothing: no npm publish, no upload, no tag.
# Besides the output folder it writes only build folders git ignores:
# target/, editors/npm/dist/, editors/vscode/{node_modules,dist,schemas,server}/.
# Versions must agree: server/Cargo.toml and editors/vscode/package.json
# (the npm packages take theirs from Cargo.toml).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=1
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --out)
      [ $# -ge 2 ] || { echo "release.sh: --out needs a folder" >&2; exit 2; }
      out=$2
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "release.sh: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

say() { echo "[release] $*"; }
die() {
  echo "release.sh: $*" >&2
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found ($2)"; }

need node "Node.js 20 or newer builds the npm packages and the VS Code extension"
need npm "npm packs the npm packages and installs the extension's build tools"
need tar "tar makes the binary tarball"
need gzip "gzip compresses the binary tarball"
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$@"; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$@"; }
else
  die "sha256sum (or shasum) not found"
fi

# --- versions ----------------------------------------------------------------
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -n 1)
[ -n "$version" ] || die "no version in server/Cargo.toml"
vscode_version=$(node -p 'require(process.argv[1]).version' "$repo/editors/vscode/package.json")
[ "$vscode_version" = "$version" ] ||
  die "versions differ: server/Cargo.toml says $version, editors/vscode/package.json $vscode_version"
out=${out:-$repo/dist/release/$version}
mkdir -p "$out"
out=$(cd "$out" && pwd)

commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$repo" status --porcelain -- server grammar-queries Cargo.toml Cargo.lock editors 2>/dev/null)" ]; then
  say "warning: the checkout has uncommitted changes; the artifacts are not those of commit $commit"
  commit="$commit (with uncommitted changes)"
fi

# --- the binary --------------------------------------------------------------
binary=$repo/target/release/dols
if [ "$build" = 1 ]; then
  need cargo "install Rust from https://rustup.rs, or pass --no-build with a built target/release/dols"
  say "cargo build --release --locked --bin dols"
  (cd "$repo" && cargo build --release --locked --bin dols)
fi
[ -x "$binary" ] || die "$binary not found; build it (cargo build --release --locked --bin dols) or drop --no-build"
"$binary" --version | grep -qx "dols $version" ||
  die "$binary says '$("$binary" --version)', expected 'dols $version': rebuild it"

if command -v rustc >/dev/null 2>&1; then
  triple=$(rustc -vV | sed -n 's/^host: //p')
else
  # --no-build without Rust: name the usual triples from the machine.
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) triple=x86_64-unknown-linux-gnu ;;
    Linux-aarch64) triple=aarch64-unknown-linux-gnu ;;
    Darwin-x86_64) triple=x86_64-apple-darwin ;;
    Darwin-arm64) triple=aarch64-apple-darwin ;;
    *) die "cannot tell this machine's target triple without rustc" ;;
  esac
fi
[ -n "$triple" ] || die "rustc -vV printed no host triple"

# Only files this script makes are replaced; anything else in the folder
# (an unpacked tarball, say) stays.
rm -f "$out"/dols-*.tar.gz "$out"/dols-*.tgz "$out"/dols-*.vsix "$out/SHA256SUMS"
stage=$(mktemp -d "${TMPDIR:-/tmp}/dols-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# One stripped copy feeds all three channels, so they ship the same bytes.
cp "$binary" "$stage/dols"
if command -v strip >/dev/null 2>&1; then
  strip "$stage/dols" 2>/dev/null || true
fi
chmod 755 "$stage/dols"
"$stage/dols" --version >/dev/null || die "the stripped binary does not run"

# Files in the archives get the commit's date, so two runs on one commit
# make the same tarball.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}

# --- 1. the binary tarball ---------------------------------------------------
name="dols-$version-$triple"
root="$stage/$name"
mkdir -p "$root/third_party/wrangler" "$root/third_party/workerd"
cp "$stage/dols" "$root/dols"
cp "$repo/server/third_party/wrangler/LICENSE-MIT" "$root/third_party/wrangler/LICENSE-MIT"
cp "$repo/server/third_party/workerd/LICENSE" "$root/third_party/workerd/LICENSE"
{
  cat <<EOF
# dols $version ($triple)

dols, the Durable Objects Language Server, checks Cloudflare Workers that
use Durable Objects for the mistakes that otherwise show up only at deploy
time or in production. \`dols check\` is the CI mode, \`dols lsp\` the
language server (stdio) for any editor.

Install: put \`dols\` on your PATH, for example

    mkdir -p ~/.local/bin && cp dols ~/.local/bin/   # or /usr/local/bin
    dols --version

Built from commit $commit.
Documentation, rules and editor setups: https://github.com/dols-lsp/dols

EOF
  # The README's "Using it" section, up to the next heading.
  awk '/^## Using it/ { on = 1 } /^## / && !/^## Using it/ { on = 0 } on' "$repo/README.md"
} > "$root/README.md"
cp "$repo/LICENSE-MIT" "$repo/LICENSE-APACHE" "$root/"
cat > "$root/LICENSE" <<'EOF'
dols is licensed under MIT OR Apache-2.0 (the `license` of its Cargo.toml
and package.json), at your option: LICENSE-MIT, LICENSE-APACHE.

The binary contains data of two other projects, with their licenses:
  third_party/wrangler/LICENSE-MIT  wrangler's configuration schema
                                    (Cloudflare, Inc.; MIT)
  third_party/workerd/LICENSE       the compatibility flag names of workerd
                                    (Cloudflare, Inc.; Apache-2.0)
EOF
tar_flags=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner "--mtime=@$epoch")
fi
find "$root" -exec touch -h -d "@$epoch" {} + 2>/dev/null || true
tarball="$name.tar.gz"
(cd "$stage" && tar ${tar_flags[@]+"${tar_flags[@]}"} -cf - "$name" | gzip -n -9 > "$out/$tarball")
say "built $tarball"

# --- 2. the npm packages (editors/npm/build.sh) -----------------------------
platform=$(node -p 'process.platform + "-" + process.arch')
npm_files=()
if [ -f "$repo/editors/npm/platforms/$platform/package.json" ]; then
  DOLS_BUILD_BINARY="$stage/dols" bash "$repo/editors/npm/build.sh" >/dev/null
  npm_main="dols-$version.tgz"
  npm_platform="dols-$platform-$version.tgz"
  for file in "$npm_main" "$npm_platform"; do
    [ -f "$repo/editors/npm/dist/$file" ] || die "editors/npm/build.sh did not make $file"
    cp "$repo/editors/npm/dist/$file" "$out/$file"
  done
  npm_files=("$npm_main" "$npm_platform")
  say "built $npm_main and $npm_platform"
else
  say "skipped the npm packages: no editors/npm/platforms/$platform/ template yet"
fi

# --- 3. the VS Code extension, the binary bundled ----------------------------
vscode=$repo/editors/vscode
vsce_target=$(node -p '({ "linux-x64": "linux-x64", "linux-arm64": "linux-arm64", "linux-arm": "linux-armhf",
  "darwin-x64": "darwin-x64", "darwin-arm64": "darwin-arm64", "win32-x64": "win32-x64",
  "win32-arm64": "win32-arm64" })[process.argv[1]] || ""' "$platform")
[ -n "$vsce_target" ] || die "VS Code has no target for $platform"
lock_sum=$(sha256 "$vscode/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$vscode/node_modules/.dols-lock-sum" 2>/dev/null)" != "$lock_sum" ]; then
  say "npm ci in editors/vscode (the extension's build tools)"
  (cd "$vscode" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" > "$vscode/node_modules/.dols-lock-sum"
fi
vsix="dols-$version-$vsce_target.vsix"
(cd "$vscode" && node scripts/package.mjs --binary "$stage/dols" --out "$out/$vsix") > "$stage/vsce.log" 2>&1 ||
  { cat "$stage/vsce.log" >&2; die "packaging the VS Code extension failed"; }
say "built $vsix"

# --- checksums ---------------------------------------------------------------
artifacts=("$tarball" ${npm_files[@]+"${npm_files[@]}"} "$vsix")
(cd "$out" && sha256 "${artifacts[@]}" > SHA256SUMS)

cat <<EOF

dols $version for $triple: the artifacts are in
  $out
$(for file in "${artifacts[@]}" SHA256SUMS; do
  printf '  %-44s %9s bytes\n' "$file" "$(wc -c < "$out/$file" | tr -d ' ')"
done)

Install (nothing is published yet; see the README's "Install"):
  cd $out && sha256sum -c SHA256SUMS
  tar xzf $tarball && mkdir -p ~/.local/bin && cp $name/dols ~/.local/bin/
$([ ${#npm_files[@]} -eq 0 ] || echo "  npm install -g --offline ./$npm_main ./$npm_platform")
  code --install-extension ./$vsix
EOF
