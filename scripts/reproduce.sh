#!/usr/bin/env bash
# Runs the paper reproductions of results/README.md one after the other, each with
# `poda run --jobs 2`, times each experiment, and writes results/<experiment>/ (runs.csv,
# report.md, plots/; the per-run folders and checkpoints stay out of git, see .gitignore)
# and the timing table results/timings.md. With torch installed, the LeNet-300-100
# cross-check also runs its PyTorch side and writes results/crosscheck_lenet300_100/
# torch.csv and comparison.md.
#
#   scripts/reproduce.sh [--quick] [EXPERIMENT ...]
#
# --quick runs the quick variants (experiments/quick/) into results/quick/ instead: a check
# of the script and the configs in a few minutes, not results. EXPERIMENT names a subset
# (default: all, in the order below). Running it again resumes: finished runs are skipped,
# so the time of a resumed experiment covers only what was left; delete results/<experiment>/
# to time it whole. The full set needs the whole 2-core machine for up to 2 hours: run it
# on an idle machine, or the times in results/timings.md mean little.
# Environment: BUILD (build), JOBS (2), PYTHON (/usr/bin/python3).
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
PODA="$BUILD/poda"
LIMIT_SECONDS=$((45 * 60))  # no experiment may take longer (results/README.md)

# The order: the cheap LeNet-300-100 studies first, so a cut-short session still has them.
ALL=(crosscheck_lenet300_100 han2015_lenet300_100 lottery_lenet300_100
  zhu_gupta2017_lenet300_100 structured_vs_unstructured_lenet300_100 criteria_lenet300_100
  structured_vs_unstructured_lenet5 lottery_lenet5 criteria_lenet5 han2015_lenet5_caffe)
# Not run here: lottery_conv2, lottery_conv4, lottery_conv6 need CIFAR-10 and hours per run.

config_dir=experiments
results=results
suffix=""
if [[ "${1:-}" == "--quick" ]]; then
  config_dir=experiments/quick
  results=results/quick
  suffix=_quick
  shift
fi
experiments=("$@")
[[ ${#experiments[@]} -eq 0 ]] && experiments=("${ALL[@]}")

if [[ ! -x "$PODA" ]]; then
  echo "reproduce.sh: $PODA not found: run 'make build' first" >&2
  exit 2
fi
for e in "${experiments[@]}"; do
  if [[ ! -f "$config_dir/$e.yaml" ]]; then
    echo "reproduce.sh: no $config_dir/$e.yaml (experiments: ${ALL[*]})" >&2
    exit 2
  fi
done
mkdir -p "$results"

have_torch() {
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" -c "import torch" 2>/dev/null
}

# The PyTorch side of the cross-check and the side-by-side table.
crosscheck_torch() {
  local dir=$1 quick_flag=()
  [[ -n "$suffix" ]] && quick_flag=(--quick)
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice -n 10 "$PYTHON" \
    bench/reference/torch_lenet300_prune.py "${quick_flag[@]}" --csv "$dir/torch.csv" &&
    python3 bench/reference/compare_lenet300_prune.py "$dir/runs.csv" "$dir/torch.csv" \
      >"$dir/comparison.md"
}

# "ok of all" runs in a runs.csv.
runs_ok() {
  python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(sum(r["status"] == "ok" for r in rows), "of", len(rows))' "$1" 2>/dev/null || echo "–"
}

timings="$results/timings.md"
{
  echo "# Reproduction timings"
  echo
  echo "\`scripts/reproduce.sh ${suffix:+--quick }${*}\` with \`--jobs $JOBS\`, started $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "on $(nproc) cores (load average at the start: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo
  echo "| experiment | runs ok | wall time | exit code |"
  echo "|---|---|---|---|"
} >"$timings"

failed=0
total_start=$(date +%s)
for e in "${experiments[@]}"; do
  name="$e$suffix"
  echo "== $name ($(date -u +%H:%M:%S))" >&2
  start=$(date +%s)
  "$PODA" run "$config_dir/$e.yaml" --jobs "$JOBS" --results "$results"
  code=$?
  seconds=$(($(date +%s) - start))
  if [[ "$e" == crosscheck_lenet300_100 && $code -eq 0 ]]; then
    if have_torch; then
      crosscheck_torch "$results/$name" || code=4
    else
      echo "reproduce.sh: python3-torch is not installed: the PyTorch side is skipped" >&2
    fi
    seconds=$(($(date +%s) - start))
  fi
  printf '| %s | %s | %d min %02d s | %d |\n' "$name" "$(runs_ok "$results/$name/runs.csv")" \
    $((seconds / 60)) $((seconds % 60)) "$code" >>"$timings"
  if ((seconds > LIMIT_SECONDS)); then
    echo "reproduce.sh: $name took $((seconds / 60)) min, over the 45-minute limit" >&2
  fi
  ((code != 0)) && failed=$((failed + 1))
done
total=$(($(date +%s) - total_start))
printf '| **all** | | %d min %02d s | %d failed |\n' $((total / 60)) $((total % 60)) "$failed" \
  >>"$timings"
cat "$timings"
[[ -z "$suffix" ]] && echo "Commit results/README.md's figures from these folders (git status results/)." >&2
exit $((failed > 0))
