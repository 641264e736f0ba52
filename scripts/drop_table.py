#!/usr/bin/env python3
"""Accuracy drops from dense per criterion and pruning level, over seeds, as markdown.

usage: scripts/drop_table.py results/<experiment> [--column acc|acc_before_finetune]

Reads the folder's runs.csv (rows with status ok). For each criterion and level (sparsity,
or "2:4" for N:M granularity) it prints the mean ± sample std of the test accuracy and of
the drop (acc_dense - column, in points, taken per seed), n, and the mean drop as a multiple
of magnitude's at the same level. Needs no packages beyond the standard library.
"""
import csv
import statistics
import sys
from collections import defaultdict


def level_of(row):
    if row["granularity"] == "n_m":
        return "2:4" if "n: 2" in row.get("swept.prune.granularity", "") else "N:M"
    return f"{float(row['target_sparsity']) * 100:.0f}%"


def mean_std(values):
    m = statistics.mean(values)
    s = statistics.stdev(values) if len(values) > 1 else float("nan")
    return m, s


def fmt(m, s):
    return f"{m:.2f}" if s != s else f"{m:.2f} ± {s:.2f}"


def collect(path, column):
    accs, drops, dense = defaultdict(list), defaultdict(list), {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["status"] != "ok":
                continue
            key = (row["criterion"], level_of(row))
            acc = float(row[column]) * 100
            accs[key].append(acc)
            drops[key].append(float(row["acc_dense"]) * 100 - acc)
            dense[row["seed"]] = float(row["acc_dense"]) * 100
    return accs, drops, dense


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__)
    column = argv[argv.index("--column") + 1] if "--column" in argv else "acc"
    accs, drops, dense = collect(argv[1].rstrip("/") + "/runs.csv", column)
    if not accs:
        sys.exit(f"{argv[1]}: no ok runs in runs.csv")
    seeds = ", ".join(f"{dense[s]:.2f}" for s in sorted(dense))
    print(f"dense test accuracy {statistics.mean(dense.values()):.2f}% (seeds: {seeds}); "
          f"column `{column}`\n")
    levels = sorted({lvl for _, lvl in accs}, key=lambda l: (l.endswith(":4"), l))
    print("| criterion | " + " | ".join(levels) + " |")
    print("|---|" + "---|" * len(levels))
    for crit in sorted({c for c, _ in accs}, key=lambda c: (c != "magnitude", c)):
        cells = []
        for lvl in levels:
            if (crit, lvl) not in accs:
                cells.append("")
                continue
            a, d = accs[(crit, lvl)], drops[(crit, lvl)]
            cell = f"{fmt(*mean_std(a))} (drop {fmt(*mean_std(d))}, n {len(a)}"
            mag = drops.get(("magnitude", lvl))
            if mag and crit != "magnitude" and statistics.mean(mag) > 0:
                cell += f", {statistics.mean(d) / statistics.mean(mag):.2f}× magnitude's"
            cells.append(cell + ")")
        print(f"| {crit} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv)
