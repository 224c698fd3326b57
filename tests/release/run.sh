#!/usr/bin/env bash
# Tests the install paths that work without a published package:
#   1. scripts/release.sh (with --no-build when target/release/dols exists)
#      into a scratch folder: exactly the five expected files, and the
#      install commands in the docs name them (on Linux x64);
#   2. SHA256SUMS verifies with `sha256sum -c` (and a corrupted copy fails);
#   3. the binary tarball: one top folder with dols, README.md, LICENSE and
#      the third-party licenses; the extracted dols runs and checks the demo;
#   4. `npm install -g --offline --prefix <tmp>` of the two npm tarballs
#      (empty npm cache, so nothing can come from a registry), then
#      <tmp>/bin/dols --version and a check of the demo;
#   5. the .vsix holds the executable binary for this platform (unzip -l,
#      and the same bytes as the tarball's), targets this platform, and,
#      when code-server is cached (tests/editors/vscode/install.sh),
#      `code-server --install-extension` installs it with a runnable binary;
#   6. the GitHub Action's install.sh: the default (`auto` without a
#      tarball URL: `cargo install --locked --path server --bin dols`,
#      offline, reusing target/release), a file:// tarball URL with its
#      SHA-256, a wrong SHA-256, a local path, an unknown method; then
#      check.sh with the installed dols.
# usage: tests/release/run.sh        KEEP=1 keeps the scratch folder
# Prints timings; exits non-zero on the first failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
label=release-test
# shellcheck source=../../tests/support/steps.sh
source "$repo/tests/support/steps.sh"

# --- tools -----------------------------------------------------------------
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dols-release-test.XXXXXX")
cleanup() {
  if [ -n "${KEEP:-}" ]; then echo "[release-test] kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -n 1)
triple=$(rustc -vV | sed -n 's/^host: //p')
platform=$(node -p 'process.platform + "-" + process.arch')
step "tools ready: dols $version, $triple, node $(node --version)"

# --- 1. the release script -------------------------------------------------
out="$work/release/$version"
build_flag=(--no-build)
if [ ! -x "$repo/target/release/dols" ]; then build_flag=(); fi
"$repo/scripts/release.sh" "${build_flag[@]}" --out "$out" > "$work/release.txt" 2>&1 ||
  { cat "$work/release.txt"; die "scripts/release.sh ${build_flag[*]}"; }
grep -q "the artifacts are in" "$work/release.txt" && grep -qF "$out" "$work/release.txt" ||
  { cat "$work/release.txt"; die "release.sh did not say where the artifacts are"; }
tarball="dols-$version-$triple.tar.gz"
npm_main="dols-$version.tgz"
npm_platform="dols-$platform-$version.tgz"
vsix=$(cd "$out" && ls dols-"$version"-*.vsix 2>/dev/null | head -n 1)
expected=$(printf '%s\n' SHA256SUMS "$npm_main" "$npm_platform" "$tarball" "$vsix" | sort)
actual=$(cd "$out" && ls -1 | sort)
[ "$actual" = "$expected" ] || die "artifacts: got [$(echo $actual)], expected [$(echo $expected)]"
ok "release.sh ${build_flag[*]}: $(echo "$actual" | tr '\n' ' ')"
# The install commands in the docs name this version's files (they are
# written for Linux x64, the platform CI runs on).
if [ "$triple" = x86_64-unknown-linux-gnu ]; then
  for pair in "README.md $tarball" "README.md $npm_main" "README.md $npm_platform" "README.md $vsix" \
    "docs/ci.md $tarball" "docs/ci.md $npm_main" "docs/ci.md $npm_platform" \
    "editors/vscode/README.md $vsix" "editors/npm/dols/README.md $npm_main" \
    "editors/npm/dols/README.md $npm_platform"; do
    doc=${pair%% *}
    file=${pair#* }
    grep -qF "$file" "$repo/$doc" || die "$doc does not name $file: update its install commands to dols $version"
  done
  ok "README.md, docs/ci.md and the editors' READMEs name this version's artifacts"
fi
step "release.sh"

# --- 2. checksums ----------------------------------------------------------
(cd "$out" && sha256sum -c SHA256SUMS) > "$work/sums.txt" || { cat "$work/sums.txt"; die "sha256sum -c SHA256SUMS"; }
[ "$(grep -c ': OK$' "$work/sums.txt")" = 4 ] || die "SHA256SUMS does not cover the four artifacts"
mkdir -p "$work/corrupt"
cp "$out"/* "$work/corrupt/"
printf 'x' >> "$work/corrupt/$tarball"
if (cd "$work/corrupt" && sha256sum -c --quiet SHA256SUMS) > /dev/null 2>&1; then
  die "sha256sum -c accepted a corrupted tarball"
fi
ok "sha256sum -c SHA256SUMS: 4 OK; a corrupted tarball fails"

# --- 3. the binary tarball -------------------------------------------------
top="dols-$version-$triple"
listing=$(tar -tzf "$out/$tarball" | grep -v '/$' | sort)
want=$(printf '%s\n' "$top/LICENSE" "$top/LICENSE-APACHE" "$top/LICENSE-MIT" "$top/README.md" "$top/dols" \
  "$top/third_party/workerd/LICENSE" "$top/third_party/wrangler/LICENSE-MIT" | sort)
[ "$listing" = "$want" ] || die "tarball holds [$(echo $listing)]"
tar -tzvf "$out/$tarball" "$top/dols" | grep -q '^-rwxr-xr-x' || die "dols is not executable in the tarball"
mkdir -p "$work/tar"
tar -xzf "$out/$tarball" -C "$work/tar"
"$work/tar/$top/dols" --version | grep -qx "dols $version" || die "the tarball's dols --version"
grep -q "^# dols $version ($triple)" "$work/tar/$top/README.md" || die "README.md title"
grep -q '^## Using it' "$work/tar/$top/README.md" || die "README.md lacks the README's usage"
grep -q 'MIT OR Apache-2.0' "$work/tar/$top/LICENSE" || die "LICENSE"
set +e
"$work/tar/$top/dols" check "$repo/docs/demo" > "$work/demo.txt" 2>&1
status=$?
set -e
[ "$status" = 1 ] && grep -q 'error\[class-not-exported\]' "$work/demo.txt" || die "tarball dols check docs/demo: exit $status"
ok "tarball: $top/{dols,README.md,LICENSE,LICENSE-MIT,LICENSE-APACHE,third_party/…}; dols --version, dols check docs/demo (exit 1)"
step "tarball"

# --- 4. npm install -g of the two packages, offline ------------------------
prefix="$work/npm-global"
npm_config_cache="$work/npm-cache" npm install -g --offline --prefix "$prefix" --loglevel=error \
  "$out/$npm_main" "$out/$npm_platform" > "$work/npm.txt" 2>&1 || { cat "$work/npm.txt"; die "npm install -g --offline"; }
"$prefix/bin/dols" --version > "$work/npm-version.txt" 2>&1 || { cat "$work/npm-version.txt"; die "$prefix/bin/dols --version"; }
grep -qx "dols $version" "$work/npm-version.txt" || die "npm dols --version printed $(cat "$work/npm-version.txt")"
set +e
"$prefix/bin/dols" check "$repo/docs/demo" > "$work/demo.txt" 2>&1
status=$?
set -e
[ "$status" = 1 ] || die "npm dols check docs/demo: exit $status"
ok "npm install -g --offline --prefix of both .tgz (empty cache); bin/dols --version, check docs/demo (exit 1)"
step "npm"

# --- 5. the .vsix ----------------------------------------------------------
unzip -l "$out/$vsix" > "$work/vsix.txt"
for entry in extension/package.json extension/dist/extension.js extension/schemas/wrangler-config-schema.json \
  "extension/server/$platform/dols"; do
  grep -q " $entry\$" "$work/vsix.txt" || { cat "$work/vsix.txt"; die "the .vsix lacks $entry"; }
done
zipinfo "$out/$vsix" "extension/server/$platform/dols" | grep -q '^-rwxr-xr-x' || die "the bundled dols is not executable"
cmp <(unzip -p "$out/$vsix" "extension/server/$platform/dols") "$work/tar/$top/dols" ||
  die "the .vsix and the tarball carry different binaries"
vsce_target=${vsix#dols-"$version"-}
vsce_target=${vsce_target%.vsix}
unzip -p "$out/$vsix" extension.vsixmanifest | grep -q "TargetPlatform=\"$vsce_target\"" ||
  die "the .vsix manifest does not target $vsce_target"
ok "$vsix: server/$platform/dols (executable, same bytes as the tarball's), TargetPlatform set"
code_server=${DOLS_VSCODE_E2E_HOME:-/opt/dols-e2e/vscode}/code-server/node_modules/.bin/code-server
code_node=${DOLS_VSCODE_E2E_HOME:-/opt/dols-e2e/vscode}/node/bin
if [ -x "$code_server" ]; then
  (PATH="$code_node:$PATH" XDG_CONFIG_HOME="$work/xdg" XDG_DATA_HOME="$work/xdg" \
    "$code_server" --user-data-dir "$work/ud" --extensions-dir "$work/ext" --install-extension "$out/$vsix") \
    > "$work/code.txt" 2>&1 || { cat "$work/code.txt"; die "code-server --install-extension"; }
  installed=$(find "$work/ext" -path "*/server/$platform/dols" -type f | head -n 1)
  [ -n "$installed" ] && [ -x "$installed" ] || die "no executable server/$platform/dols after --install-extension"
  "$installed" --version | grep -qx "dols $version" || die "the installed extension's dols does not run"
  ok "code-server --install-extension: the bundled dols is installed executable and runs"
else
  echo "[release-test] skipped: code-server --install-extension ($code_server not installed)"
fi
step "vsix"

# --- 6. the GitHub Action's install.sh -------------------------------------
install_sh="$repo/editors/github-action/install.sh"
action() { # action NAME EXPECTED_STATUS [VAR=VALUE...]: runs install.sh in a fresh runner temp
  local name=$1 expected=$2
  shift 2
  rm -rf "$work/runner"
  mkdir -p "$work/runner"
  : > "$work/github_path"
  set +e
  env RUNNER_TEMP="$work/runner" GITHUB_PATH="$work/github_path" DOLS_VERSION=latest \
    DOLS_INSTALL= DOLS_TARBALL_URL= DOLS_TARBALL_SHA256= "$@" bash "$install_sh" > "$work/action.txt" 2>&1
  local status=$?
  set -e
  [ "$status" = "$expected" ] || { cat "$work/action.txt"; die "install.sh $name: exit $status, expected $expected"; }
}
sha=$(cd "$out" && grep " $tarball\$" SHA256SUMS | cut -d' ' -f1)

# The default: auto without a tarball URL builds the action's own source.
# In CI target/release is built already, so cargo only copies the binary;
# offline, because the crates are there too.
t0=$(date +%s)
action "default (auto → source)" 0 CARGO_NET_OFFLINE=true
grep -qx "$work/runner/dols-source/bin" "$work/github_path" || die "source: GITHUB_PATH is $(cat "$work/github_path")"
"$work/runner/dols-source/bin/dols" --version | grep -qx "dols $version" || die "source: dols --version"
grep -q "dols $version ($work/runner/dols-source/bin/dols)" "$work/action.txt" || { cat "$work/action.txt"; die "source: no version line"; }
ok "install.sh default: cargo install --locked --path server --bin dols → dols $version on GITHUB_PATH ($(($(date +%s) - t0)) s)"
step "action install: source"

action "tarball, file:// URL and SHA-256" 0 DOLS_TARBALL_URL="file://$out/$tarball" DOLS_TARBALL_SHA256="$sha"
grep -q 'SHA-256 verified' "$work/action.txt" || die "tarball: the SHA-256 was not checked"
bin_dir=$(cat "$work/github_path")
[ "$bin_dir" = "$work/runner/dols-tarball/unpacked/$top" ] || die "tarball: GITHUB_PATH is $bin_dir"
"$bin_dir/dols" --version | grep -qx "dols $version" || die "tarball: dols --version"
ok "install.sh auto with tarball-url (file://) and tarball-sha256 → the tarball's dols"
action "tarball, wrong SHA-256" 2 DOLS_INSTALL=tarball DOLS_TARBALL_URL="file://$out/$tarball" \
  DOLS_TARBALL_SHA256="$(printf '0%.0s' $(seq 64))"
grep -q "^::error title=dols::the tarball's SHA-256 is $sha" "$work/action.txt" || die "wrong SHA-256: $(cat "$work/action.txt")"
ok "install.sh: a wrong tarball-sha256 fails (exit 2, ::error)"
action "tarball, local path" 0 DOLS_INSTALL=tarball DOLS_TARBALL_URL="$out/$tarball" DOLS_VERSION="$version"
! grep -q '::warning' "$work/action.txt" || die "tarball with the right version warned: $(cat "$work/action.txt")"
action "tarball without a URL" 2 DOLS_INSTALL=tarball
action "unknown method" 2 DOLS_INSTALL=brew
grep -q "unknown install method 'brew'" "$work/action.txt" || die "unknown method: $(cat "$work/action.txt")"
ok "install.sh: a local tarball path; tarball without URL and an unknown method fail (exit 2)"

# The check step with the tarball-installed dols (code scanning paths
# relative to the repository root, exit-code=1 on the demo).
action "tarball for check.sh" 0 DOLS_TARBALL_URL="$out/$tarball"
workspace="$work/workspace"
mkdir -p "$workspace/workers"
cp -R "$repo/docs/demo" "$workspace/workers/demo"
rm -rf "$workspace/workers/demo/node_modules"
(
  cd "$workspace"
  PATH="$(cat "$work/github_path"):$PATH" GITHUB_WORKSPACE="$workspace" GITHUB_OUTPUT="$work/outputs" \
    DOLS_PATHS="workers/demo" DOLS_ARGS="" DOLS_UPLOAD=true DOLS_ANNOTATIONS=false DOLS_SARIF=dols.sarif \
    bash "$repo/editors/github-action/check.sh"
) > "$work/check.txt" 2>&1 || die "check.sh: $(cat "$work/check.txt")"
grep -qx 'exit-code=1' "$work/outputs" && grep -q '"uri": "workers/demo/wrangler.jsonc"' "$workspace/dols.sarif" ||
  die "check.sh with the tarball's dols: $(cat "$work/outputs")"
ok "check.sh with the tarball-installed dols: exit-code=1, repository-relative SARIF"
step "action install: tarball"

echo "[release-test] total $(elapsed "$started") s"
echo "$passed passed, 0 failed"
