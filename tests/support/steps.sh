# Shared by the shell test scripts (tests/release/run.sh, editors/npm/test.sh):
# timed steps, passes, and a failure that stops the script. Source it after
# setting `label` (the prefix of every line, e.g. "release-test").
started=$(date +%s.%N)
last=$started
passed=0

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() {
  echo "[$label] $1 ($(elapsed "$last") s; total $(elapsed "$started") s)"
  last=$(date +%s.%N)
}
ok() {
  passed=$((passed + 1))
  echo "[$label] ok: $1"
}
die() {
  echo "[$label] FAILED: $1" >&2
  echo "$passed passed, 1 failed"
  exit 1
}
