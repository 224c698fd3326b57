#!/usr/bin/env bash
# Runs `dols check` for the GitHub Action, from the repository root:
#   - the human report, for the job log; its exit status is the step's
#     result (0 clean, 1 errors, 2 usage or internal error);
#   - with DOLS_UPLOAD=true, the SARIF report to $DOLS_SARIF, with paths
#     relative to the repository root, as code scanning expects;
#   - with DOLS_ANNOTATIONS=true, GitHub workflow commands (annotations).
# It writes `exit-code` and `sarif-file` to $GITHUB_OUTPUT and exits 0
# itself, so the upload step runs before the job fails.
# DOLS_PATHS and DOLS_ARGS are split on whitespace.
set -o pipefail

root=${GITHUB_WORKSPACE:-$PWD}
dols=${DOLS:-dols}
read -r -d '' -a paths <<< "${DOLS_PATHS:-.}" || true
read -r -d '' -a args <<< "${DOLS_ARGS:-}" || true
if [ "${#paths[@]}" -eq 0 ]; then
  paths=(.)
fi
output=${GITHUB_OUTPUT:-/dev/null}

cd "$root" || exit 2

"$dols" check "${args[@]}" -- "${paths[@]}"
status=$?

sarif_file=""
if [ "${DOLS_UPLOAD:-true}" = true ]; then
  sarif=${DOLS_SARIF:-dols.sarif}
  "$dols" check --format sarif --output "$sarif" --relative-to "$root" "${args[@]}" -- "${paths[@]}"
  sarif_status=$?
  if [ "$sarif_status" -le 1 ] && [ -f "$sarif" ]; then
    sarif_file=$sarif
    echo "dols: SARIF report written to $sarif"
  else
    status=2
  fi
fi

if [ "${DOLS_ANNOTATIONS:-false}" = true ]; then
  "$dols" check --format github "${args[@]}" -- "${paths[@]}"
  annotations_status=$?
  if [ "$annotations_status" -gt 1 ]; then
    status=2
  fi
fi

{
  echo "exit-code=$status"
  echo "sarif-file=$sarif_file"
} >> "$output"
exit 0
