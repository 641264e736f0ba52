#!/usr/bin/env bash
# Runs each libFuzzer target for a given time: `make fuzz [FUZZ_SECONDS=300]` calls
#   scripts/run_fuzz.sh <build dir> <seconds> <target>...
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>) plus what earlier
# runs found (<build dir>/corpus/<target>, kept out of the repository). A crash stops the
# target and is saved as <build dir>/crashes/<target>-crash-*; turn it into a regression
# test (tests/fuzz/README.md) and commit the input under tests/fuzz/regressions/.
# Ends non-zero when any target found something.
set -uo pipefail
build=$1 seconds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for target in "$@"; do
  work=$build/corpus/$target
  mkdir -p "$work" "$build/crashes"
  dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  echo "fuzz: $target for ${seconds}s"
  # Regression inputs first: each must pass before new fuzzing starts.
  if [ -d "$root/tests/fuzz/regressions/$target" ] && [ -n "$(ls -A "$root/tests/fuzz/regressions/$target")" ]; then
    "$build/$target" "$root/tests/fuzz/regressions/$target"/* >"$build/$target.regressions.log" 2>&1 ||
      { echo "fuzz: $target fails a regression input, see $build/$target.regressions.log"; failed+=("$target"); continue; }
  fi
  "$build/$target" "${dict[@]}" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$target-" \
    "$work" "$root/tests/fuzz/corpus/$target" 2>&1 | tee "$build/$target.log" | grep -E '^#[0-9]+ +(DONE|INITED)|ERROR|stat::'
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$target")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (inputs in $build/crashes/)"
  exit 1
fi
echo "fuzz: nothing found"
