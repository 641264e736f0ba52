"""Puts poda's and PyTorch's LeNet-300-100 pruning accuracies side by side.

  python3 bench/reference/compare_lenet300_prune.py RUNS_CSV TORCH_CSV

RUNS_CSV is the runs.csv of experiments/crosscheck_lenet300_100.yaml (or its quick variant),
TORCH_CSV what bench/reference/torch_lenet300_prune.py --csv wrote. Prints a markdown table:
per target sparsity (and the dense model), mean ± sample std over the seeds (std only when
there are two or more) and n on each side, and poda minus PyTorch in points. Exits 1 when
some sparsity has no value on either side.
"""
import csv
import statistics
import sys


def mean_std(values):
    if not values:
        return "–"
    text = f"{100 * statistics.mean(values):.2f}"
    if len(values) > 1:
        text += f" ± {100 * statistics.stdev(values):.2f}"
    return text


def poda_columns(path):
    """{target sparsity: [test accuracy per seed]}; 0 is the dense model (acc_dense)."""
    out, dense = {}, {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["status"] != "ok":
                continue
            out.setdefault(float(row["target_sparsity"]), []).append(float(row["acc"]))
            dense[row["seed"]] = float(row["acc_dense"])  # one dense model per seed
    out[0.0] = list(dense.values())
    return out


def torch_columns(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(float(row["target_sparsity"]), []).append(float(row["acc"]))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    poda, torch = poda_columns(sys.argv[1]), torch_columns(sys.argv[2])
    print("| target sparsity | poda test accuracy (%) | n | PyTorch test accuracy (%) | n "
          "| poda − PyTorch (points) |")
    print("|---|---|---|---|---|---|")
    missing = False
    for s in sorted(set(poda) | set(torch)):
        a, b = poda.get(s, []), torch.get(s, [])
        missing |= not a or not b
        diff = f"{100 * (statistics.mean(a) - statistics.mean(b)):+.2f}" if a and b else "–"
        label = "dense" if s == 0 else f"{s:g}"
        print(f"| {label} | {mean_std(a)} | {len(a)} | {mean_std(b)} | {len(b)} | {diff} |")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
