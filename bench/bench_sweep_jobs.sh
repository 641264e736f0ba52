#!/usr/bin/env bash
# --jobs 2 against --jobs 1 on the same 8-run sweep (bench/configs/sweep_jobs.yaml), in one
# go so both see the same machine. Prints wall times and their ratio.
set -euo pipefail
build="${1:?usage: bench/bench_sweep_jobs.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
time_run() {  # jobs -> seconds
  local start=$EPOCHREALTIME
  PODA_QUIET=1 "$build/poda" run "$here/configs/sweep_jobs.yaml" --results "$out/jobs$1" \
    --jobs "$1" > "$out/log$1" 2>&1 || { cat "$out/log$1" >&2; exit 1; }
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}
t1=$(time_run 1)
t2=$(time_run 2)
awk -v a="$t1" -v b="$t2" \
  'BEGIN { printf "sweep of 8 runs: --jobs 1 %.1f s, --jobs 2 %.1f s, speed-up %.2fx\n", a, b, a / b }'
