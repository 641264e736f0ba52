#!/usr/bin/env bash
# Runs every benchmark executable (bench_*) in the build dir given as $1, then every
# bench/bench_*.sh script (which take the build dir too).
# Benchmarks are built from bench/*.cpp by CMake; ctest never runs them.
set -euo pipefail
build="${1:?usage: bench/run_all.sh BUILD_DIR}"
shopt -s nullglob
benches=()
for exe in "$build"/bench_*; do
  [[ -f "$exe" && -x "$exe" ]] && benches+=("$exe")
done
if ((${#benches[@]} == 0)); then
  echo "run_all.sh: no bench_* executables in $build (build first: make build)" >&2
  exit 1
fi
failed=0
for exe in "${benches[@]}"; do
  echo "== $(basename "$exe")"
  "$exe" || { echo "run_all.sh: $(basename "$exe") failed (exit $?)" >&2; failed=1; }
done
for script in "$(dirname "$0")"/bench_*.sh; do
  echo "== $(basename "$script")"
  "$script" "$build" || { echo "run_all.sh: $(basename "$script") failed" >&2; failed=1; }
done
exit "$failed"
