#!/usr/bin/env bash
# Benchmarks `dols check` on a generated workspace and on the largest fixture.
# usage: tests/bench/run.sh [FILES] [WORKERS]   (defaults: 2000 files, 20 Workers)
# Prints wall time (hyperfine when installed, else the mean of 5 runs) and
# peak memory. Compare ratios measured in one run; absolute numbers depend
# on the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=${1:-2000}
workers=${2:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build --release --quiet
bin=target/release/dols
python3 tests/bench/generate.py "$out/ws" --files "$files" --workers "$workers"
largest=$(ls -d tests/fixtures/*/* docs/demo 2>/dev/null | while read -r d; do echo "$(find "$d" -type f | wc -l) $d"; done | sort -n | tail -1 | cut -d' ' -f2)
for target in "$out/ws" "$largest"; do
  echo "== dols check $target"
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 10 -i --style basic "$bin check --format json $target >/dev/null"
  else
    start=$(date +%s.%N)
    for _ in 1 2 3 4 5; do "$bin" check --format json "$target" >/dev/null || true; done
    end=$(date +%s.%N)
    echo "mean wall time: $(echo "($end - $start) / 5" | bc -l | cut -c1-6) s"
  fi
  /usr/bin/time -f "peak RSS: %M KiB" "$bin" check --format json "$target" >/dev/null || true
done
