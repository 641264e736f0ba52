#!/usr/bin/env bash
# Issue 23's acceptance check: every row of a budget sweep re-measured by `poda bench` on its
# final checkpoint, in a separate process, against the budget it was asked for. Speed-up budgets
# only (`prune.budget.speedup` at batch 1: the deployed path against the dense one, the fastest
# of 3 readings, as poda bench prints it). Writes budget_bench_check.csv into the results folder
# and prints it; a row is within the acceptance when its re-measured speed-up is at least 90% of
# the budget. Run on an idle machine: a 1 µs plan's readings swing by a third under load.
#   scripts/budget_bench_check.sh RESULTS_FOLDER [PODA_BINARY]
set -euo pipefail
folder="${1:?usage: scripts/budget_bench_check.sh RESULTS_FOLDER [PODA_BINARY]}"
poda="${2:-build/poda}"
[ -f "$folder/runs.csv" ] || { echo "budget_bench_check.sh: no $folder/runs.csv" >&2; exit 2; }
[ -x "$poda" ] || { echo "budget_bench_check.sh: $poda is not an executable" >&2; exit 2; }

out="$folder/budget_bench_check.csv"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "run_id,budget,budget_achieved_in_run,bench_speedup,bench_deployed_us,bench_dense_us,within_10pct" > "$tmp"
python3 - "$folder/runs.csv" <<'EOF' | while IFS=, read -r run budget achieved; do
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r.get("budget_kind", "").startswith("speedup") and r.get("status") == "ok":
        print(f"{r['run_id']},{r['budget']},{r['budget_achieved']}")
EOF
  ckpt="$folder/runs/$run/final.ckpt"
  [ -f "$ckpt" ] || { echo "budget_bench_check.sh: $ckpt missing" >&2; exit 1; }
  line=$("$poda" bench "$ckpt" --batch 1 2>/dev/null | grep -m1 "^deployed batch 1:")
  deployed=$(sed -E 's/^deployed batch 1: ([0-9.]+) us.*/\1/' <<<"$line")
  dense=$(sed -E 's/.*dense ([0-9.]+) us.*/\1/' <<<"$line")
  speedup=$(sed -E 's/.*speed-up ([0-9.]+)x.*/\1/' <<<"$line")
  ok=$(awk -v s="$speedup" -v b="$budget" 'BEGIN { print (s >= 0.9 * b) ? "true" : "false" }')
  echo "$run,$budget,$achieved,$speedup,$deployed,$dense,$ok" >> "$tmp"
done
mv "$tmp" "$out"
trap - EXIT
column -s, -t < "$out"
echo "within 10% of the budget or over it: $(grep -c ',true$' "$out") of $(($(wc -l < "$out") - 1)) rows"
