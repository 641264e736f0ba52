#!/usr/bin/env bash
# ctest examples_against_installed_poda: installs this build into a temporary prefix, builds
# examples/ out of tree against it (find_package(poda)), runs the example (train, prune and
# a sweep through the library API), then the installed `poda run` with the example's
# plug-in, and checks both sweeps' runs.csv. Usage: run_examples.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! ls /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte* > /dev/null 2>&1; then
  echo "SKIPPED: Fashion-MNIST is not installed (scripts/setup.sh installs it)"
  exit 77
fi

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
cmake -S "$src/examples" -B "$tmp/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/configure.log"
cmake --build "$tmp/build" -j 2 > "$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }

# Every run of a sweep is ok and used the example's criterion.
check_runs() {
  local csv=$1
  python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2, f"{sys.argv[1]}: {len(rows)} runs, expected 2"
for r in rows:
    assert r["status"] == "ok", r
    assert r["criterion"] == "row_magnitude", r
    assert abs(float(r["sparsity"]) - float(r["target_sparsity"])) < 0.01, r
print(sys.argv[1], "ok:", [(r["target_sparsity"], r["acc"]) for r in rows])
PY
}

"$tmp/build/poda_example" "$tmp/results" "$src/examples/sweep.yaml"
check_runs "$tmp/results/example_sweep/runs.csv"

# A run's final.ckpt carries its layer list: the library route loads, prunes and saves it.
run_dir=$(ls -d "$tmp/results/example_sweep/runs/"* | head -1)
"$tmp/build/poda_prune_checkpoint" "$run_dir/final.ckpt" "$tmp/pruned.ckpt"
[ -s "$tmp/pruned.ckpt" ] || { echo "poda_prune_checkpoint wrote no checkpoint"; exit 1; }

"$tmp/prefix/bin/poda" run "$src/examples/sweep.yaml" --results "$tmp/results_cli" \
  --plugin "$tmp/build/libpoda_example_plugin.so"
check_runs "$tmp/results_cli/example_sweep/runs.csv"

# Without the plug-in the sweep names a model and a criterion poda does not know: exit 2.
set +e
"$tmp/prefix/bin/poda" check "$src/examples/sweep.yaml" > "$tmp/check.out" 2>&1
code=$?
set -e
[ $code -eq 2 ] || { echo "poda check without the plug-in: exit $code, expected 2"; exit 1; }
grep -q "tiny_leaky_mlp" "$tmp/check.out" || { cat "$tmp/check.out"; exit 1; }
echo "examples: ok"
