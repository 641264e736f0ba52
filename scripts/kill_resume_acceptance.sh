#!/usr/bin/env bash
# Acceptance of crash safety and one writer per results folder, on a small sweep with --jobs 2:
#   - ROUNDS times, SIGKILL the parent `poda run` alone at a random moment; its workers must die
#     with it (no strays 2 s later); then resume;
#   - ROUNDS times, SIGKILL the whole process group at a random moment; then resume;
#   - two `poda run` on one folder started at once.
# After each, runs.csv must hold every run once and equal an uninterrupted run's, timings aside.
# Usage: scripts/kill_resume_acceptance.sh [BUILD_DIR (build)] [ROUNDS (5)]
# Needs Fashion-MNIST where scripts/setup.sh puts it. Prints one line per round and a summary;
# exits 1 if any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROUNDS=${2:-5}
PODA="$(pwd)/$BUILD/poda"
[ -x "$PODA" ] || { echo "no $PODA: build it first (make build)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/poda_acceptance_XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/sweep.yaml" <<'EOF'
name: sweep
seed: 1
threads: 1
dataset: {name: fashion-mnist, val_count: 200, train_limit: 1000, test_limit: 500}
model:
  layers:
    - {type: flatten}
    - {type: dense, out: 128}
    - {type: relu}
    - {type: dense, out: 10}
train: {epochs: 2, batch_size: 64, lr: 0.05}
prune:
  criterion: magnitude
  sparsity: 0.5
  schedule: {kind: one_shot, rounds: 3}
  finetune_epochs: 3
sweep:
  prune.sparsity: [0.3, 0.5, 0.8]
  prune.schedule.kind: [one_shot, iterative]
EOF

# Same rows as the reference, timings aside, each run once.
compare() {
  python3 - "$1" "$WORK/clean/sweep/runs.csv" <<'EOF'
import csv, sys
def rows(path):
    with open(path, newline="") as f:
        table = list(csv.DictReader(f))
    for r in table:
        for c in ("train_seconds", "pretrain_seconds"):
            r.pop(c, None)
    return table
got, ref = rows(sys.argv[1]), rows(sys.argv[2])
ids = [r["run_id"] for r in got]
ok = len(ids) == len(set(ids)) and got == ref
print("equal" if ok else "DIFFERENT (%d rows, %d distinct, %d expected)" % (len(ids), len(set(ids)), len(ref)))
sys.exit(0 if ok else 1)
EOF
}

failures=0
start=$(date +%s.%N)
"$PODA" run "$WORK/sweep.yaml" --results "$WORK/clean" --jobs 2 > "$WORK/clean.log" 2>&1 ||
  { echo "the uninterrupted run failed:"; cat "$WORK/clean.log"; exit 1; }
clean_seconds=$(python3 -c "import time; print(round(time.time() - $start, 1))")
# Kills land while runs are being computed: up to the last result of the uninterrupted run
# (the report and plots after it take a while too, but hold no run).
work_seconds=$(python3 -c "import glob, os; print(round(max(os.path.getmtime(p) for p in
  glob.glob('$WORK/clean/sweep/runs/*/result.csv')) - $start, 1))")
echo "uninterrupted run: ${clean_seconds} s, the last result after ${work_seconds} s," \
  "$(($(wc -l < "$WORK/clean/sweep/runs.csv") - 1)) runs"

# One round: start, kill (parent alone or the group) after a random delay, check, resume,
# compare. Returns 3 when the sweep had ended before the kill (the round does not count).
round() {
  local mode=$1 i=$2 max_delay=$3 dir="$WORK/${1}_$2"
  rm -rf "$dir"
  local delay
  delay=$(python3 -c "import random; print(round(random.uniform(0.3, $max_delay), 2))")
  setsid "$PODA" run "$WORK/sweep.yaml" --results "$dir" --jobs 2 > "$dir.log" 2>&1 &
  local pid=$!
  sleep "$delay"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    echo "$mode: the sweep ended before the kill at $delay s; again with a shorter delay"
    return 3
  fi
  if [ "$mode" = parent ]; then
    kill -9 "$pid" 2>/dev/null
  else
    kill -9 -- "-$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  sleep 2
  # Live processes left in the group (zombies waiting for a reaper do not count).
  local strays
  strays=$(ps -e -o pgid=,stat= | awk -v g="$pid" '$1 == g && $2 !~ /Z/' | wc -l)
  local done_before
  done_before=$(find "$dir" -name result.csv 2>/dev/null | wc -l)
  "$PODA" run "$WORK/sweep.yaml" --results "$dir" --jobs 2 > "$dir.resume.log" 2>&1
  local code=$?
  local verdict
  verdict=$(compare "$dir/sweep/runs.csv" 2>&1)
  local ok=1
  [ "$strays" = 0 ] && [ "$code" = 0 ] && [ "$verdict" = equal ] || ok=0
  [ $ok = 1 ] || failures=$((failures + 1))
  printf '%-6s %d: killed at %5.2f s with %d/6 runs done; strays after 2 s: %s; resume exit %s; runs.csv %s\n' \
    "$mode" "$i" "$delay" "$done_before" "$strays" "$code" "$verdict"
}

for mode in parent group; do
  max_delay=$work_seconds
  for i in $(seq 1 "$ROUNDS"); do
    for attempt in 1 2 3 4 5; do
      round "$mode" "$i" "$max_delay" && break
      [ $? = 3 ] || break
      max_delay=$(python3 -c "print(max(0.5, $max_delay / 2))")
    done
  done
done

# Two writers at once on one folder.
"$PODA" run "$WORK/sweep.yaml" --results "$WORK/two" --jobs 2 > "$WORK/two_a.log" 2>&1 &
a=$!
"$PODA" run "$WORK/sweep.yaml" --results "$WORK/two" --jobs 2 > "$WORK/two_b.log" 2>&1 &
b=$!
wait $a; code_a=$?
wait $b; code_b=$?
verdict=$(compare "$WORK/two/sweep/runs.csv" 2>&1)
waited=$(cat "$WORK/two_a.log" "$WORK/two_b.log" | grep -c "poda: waiting")
starts=$(cat "$WORK/two_a.log" "$WORK/two_b.log" | grep -c "poda: run [0-9]*/[0-9]* start")
ok=1
[ "$code_a" = 0 ] && [ "$code_b" = 0 ] && [ "$verdict" = equal ] && [ "$starts" = 6 ] || ok=0
[ $ok = 1 ] || failures=$((failures + 1))
echo "two writers: exit codes $code_a and $code_b; 'waiting' said $waited time(s); run starts $starts (6 expected); runs.csv $verdict"

echo "failures: $failures"
[ "$failures" = 0 ]
