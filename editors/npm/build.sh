#!/usr/bin/env bash
# Builds the npm packages of dols into editors/npm/dist/:
#   dols-<version>.tgz                 the launcher package `dols`
#   dols-<platform>-<version>.tgz      `@dols/<platform>` with the binary
# The version comes from server/Cargo.toml; the binary from
# target/release/dols (build it first: cargo build --release --bin dols),
# or from $DOLS_BUILD_BINARY. The platform package is built for this
# machine's platform (node's process.platform-process.arch), or for
# $DOLS_NPM_PLATFORM; its template is platforms/<platform>/. Nothing in the
# source tree is modified: packages are staged in dist/stage/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dist="$here/dist"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -n 1)
if [ -z "$version" ]; then
  echo "build.sh: no version in server/Cargo.toml" >&2
  exit 1
fi
binary=${DOLS_BUILD_BINARY:-$repo/target/release/dols}
if [ ! -x "$binary" ]; then
  echo "build.sh: $binary not found; run: cargo build --release --bin dols" >&2
  exit 1
fi
platform=${DOLS_NPM_PLATFORM:-$(node -p 'process.platform + "-" + process.arch')}
template="$here/platforms/$platform"
if [ ! -f "$template/package.json" ]; then
  echo "build.sh: no platform package template $template" >&2
  exit 1
fi

rm -rf "$dist"
mkdir -p "$dist/stage"

# The platform package: the template plus the (stripped) binary.
stage_platform="$dist/stage/$platform"
cp -R "$template" "$stage_platform"
mkdir -p "$stage_platform/bin"
cp "$binary" "$stage_platform/bin/dols"
if command -v strip >/dev/null 2>&1; then
  strip "$stage_platform/bin/dols" 2>/dev/null || true
fi
chmod 755 "$stage_platform/bin/dols"

# The launcher package; its optional dependencies are every platform
# package that has a template, at the same version.
stage_main="$dist/stage/dols"
cp -R "$here/dols" "$stage_main"

node - "$version" "$stage_platform/package.json" "$stage_main/package.json" "$here/platforms" <<'NODE'
const fs = require("fs");
const path = require("path");
const [version, platformManifest, mainManifest, platformsDir] = process.argv.slice(2);
const write = (file, edit) => {
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  edit(manifest);
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");
};
write(platformManifest, (m) => { m.version = version; });
write(mainManifest, (m) => {
  m.version = version;
  m.optionalDependencies = {};
  for (const name of fs.readdirSync(platformsDir).sort()) {
    const file = path.join(platformsDir, name, "package.json");
    if (fs.existsSync(file)) {
      m.optionalDependencies[JSON.parse(fs.readFileSync(file, "utf8")).name] = version;
    }
  }
});
NODE
(cd "$stage_platform" && npm pack --silent --pack-destination "$dist" >/dev/null)
(cd "$stage_main" && npm pack --silent --pack-destination "$dist" >/dev/null)

echo "build.sh: dols $version for $platform:"
ls -1 "$dist"/*.tgz
