#!/usr/bin/env bash
# Rebuilds compat-flags.tsv from workerd's compatibility-date.capnp.
#
#   server/third_party/workerd/refresh.sh [path/to/workerd]
#
# With a workerd checkout, reads src/workerd/io/compatibility-date.capnp from
# it (and its HEAD commit); without one, clones workerd (shallow) into a
# temporary folder first. Only flag names, dates and the experimental mark
# are kept: the facts dols needs to tell a misspelt flag from a real one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
checkout="${1:-}"
if [[ -z "$checkout" ]]; then
  checkout="$(mktemp -d)"
  trap 'rm -rf "$checkout"' EXIT
  git clone --quiet --depth 1 https://github.com/cloudflare/workerd "$checkout"
fi
capnp="$checkout/src/workerd/io/compatibility-date.capnp"
commit="$(git -C "$checkout" rev-parse HEAD)"
date="$(git -C "$checkout" log -1 --format=%cs)"
python3 - "$capnp" > "$here/compat-flags.tsv.new" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
# Each field of struct CompatibilityFlags: `name @N :Bool` then annotations up to `;`.
rows = []
for m in re.finditer(r"^\s+(\w+)\s+@\d+\s*:\s*Bool(.*?);", text, re.S | re.M):
    body = m.group(2)
    enable = re.search(r'\$compatEnableFlag\("([^"]+)"\)', body)
    disable = re.search(r'\$compatDisableFlag\("([^"]+)"\)', body)
    date = re.search(r'\$compatEnableDate\("([^"]+)"\)', body)
    experimental = "experimental" if "$experimental" in body else ""
    day = date.group(1) if date else ""
    if enable:
        rows.append((enable.group(1), "enable", day, experimental))
    if disable:
        rows.append((disable.group(1), "disable", day, experimental))
print("# flag\tkind\tdefault_from\texperimental")
for row in sorted(rows):
    print("\t".join(row))
PY
mv "$here/compat-flags.tsv.new" "$here/compat-flags.tsv"
printf '%s %s\n' "$commit" "$date" > "$here/SOURCE"
echo "compat-flags.tsv: $(grep -vc '^#' "$here/compat-flags.tsv") flags from workerd $commit ($date)"
