"""The LeNet-300-100 recipe of experiments/crosscheck_lenet300_100.yaml in PyTorch 1.13.

Same data as poda: Fashion-MNIST from Debian's dataset-fashion-mnist, the validation set
carved from the training set by poda's own seeded shuffle (SplitMix64 and Fisher-Yates of
framework/core/random.h, the split of framework/data/splits.cpp: its seed is the run's
seed), per-channel normalisation with the exact mean and std of the training split
(framework/data/normalization.cpp). Same model and recipe: 784-300-100-10, Kaiming-uniform
weights (bound sqrt(6 / fan_in)) and zero biases, SGD with momentum 0.9, batch 64, a cosine
learning rate per epoch; every phase keeps the weights of its best validation epoch. Then,
from that dense model, one-shot global magnitude pruning of the weights (not the biases:
k = floor(s n + 0.5) smallest |w| over all three layers) and fine-tuning at lr x 0.2, the
mask re-applied after every step.

Prints one row per sparsity: mean and sample std over the seeds of the test accuracy, and
writes the per-run rows as CSV (--csv) for bench/reference/compare_lenet300_prune.py.

Run it as poda's reference scripts are run:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 \
      bench/reference/torch_lenet300_prune.py [--quick] [--csv FILE]
"""
import argparse
import csv
import gzip
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

MASK64 = (1 << 64) - 1
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


class Rng:
    """poda's Rng (framework/core/random.h): SplitMix64 with an unbiased below()."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        reject = ((1 << 64) - n) % n
        r = self.next()
        while r < reject:
            r = self.next()
        return r % n


def derive_seed(seed, stream):
    return Rng(seed ^ Rng(stream).next()).next()


def shuffled_indices(n, seed):
    idx = list(range(n))
    rng = Rng(seed)
    for i in range(n, 1, -1):
        j = rng.below(i)
        idx[i - 1], idx[j] = idx[j], idx[i - 1]
    return idx


def limited(images, labels, max_count, seed):
    if max_count == 0 or max_count >= len(labels):
        return images, labels
    keep = sorted(shuffled_indices(len(labels), seed)[:max_count])
    return images[keep], labels[keep]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def make_splits(seed, val_count, train_limit, val_limit, test_limit):
    """framework/data/splits.cpp: make_splits, with the run's seed."""
    train_x = read_idx(os.path.join(FASHION_MNIST, "train-images-idx3-ubyte.gz"))
    train_y = read_idx(os.path.join(FASHION_MNIST, "train-labels-idx1-ubyte.gz"))
    test_x = read_idx(os.path.join(FASHION_MNIST, "t10k-images-idx3-ubyte.gz"))
    test_y = read_idx(os.path.join(FASHION_MNIST, "t10k-labels-idx1-ubyte.gz"))
    order = shuffled_indices(len(train_y), derive_seed(seed, 0))
    val_idx, train_idx = sorted(order[:val_count]), sorted(order[val_count:])
    train = limited(train_x[train_idx], train_y[train_idx], train_limit, derive_seed(seed, 1))
    val = limited(train_x[val_idx], train_y[val_idx], val_limit, derive_seed(seed, 2))
    test = limited(test_x, test_y, test_limit, derive_seed(seed, 3))
    # framework/data/normalization.cpp: exact mean and std of the training split on [0, 1].
    pixels = train[0].astype(np.float64) / 255.0
    mean, std = pixels.mean(), pixels.std()

    def tensors(split):
        x = (torch.from_numpy(split[0].astype(np.float32)) / 255.0 - mean) / std
        return x.reshape(len(split[1]), -1).float(), torch.from_numpy(split[1].astype(np.int64))

    return tensors(train), tensors(val), tensors(test)


def lenet300_100(seed):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(784, 300), torch.nn.Linear(300, 100), torch.nn.Linear(100, 10)]
    for layer in layers:
        bound = math.sqrt(6.0 / layer.in_features)  # poda's kaiming_uniform
        torch.nn.init.uniform_(layer.weight, -bound, bound)
        torch.nn.init.zeros_(layer.bias)
    return torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2])


def accuracy(model, split):
    model.eval()
    with torch.inference_mode():
        return (model(split[0]).argmax(1) == split[1]).float().mean().item()


def fit(model, train, val, epochs, lr, seed, masks=None):
    """SGD momentum 0.9, batch 64, cosine per epoch; keeps the best validation epoch."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    gen = torch.Generator().manual_seed(seed)
    best_val, best_state = -1.0, None
    n = len(train[1])
    for epoch in range(epochs):
        for group in opt.param_groups:
            group["lr"] = 0.5 * lr * (1 + math.cos(math.pi * epoch / epochs))
        model.train()
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, 64):
            batch = perm[start:start + 64]
            opt.zero_grad()
            F.cross_entropy(model(train[0][batch]), train[1][batch]).backward()
            opt.step()
            if masks:
                with torch.no_grad():
                    for w, m in masks:
                        w.mul_(m)
        val_acc = accuracy(model, val)
        if val_acc > best_val:
            best_val = val_acc
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    return best_val


def prune_global_magnitude(model, sparsity):
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    scores = torch.cat([w.detach().abs().flatten() for w in weights])
    k = int(math.floor(sparsity * scores.numel() + 0.5))
    order = torch.argsort(scores, stable=True)  # ties: lower index first, as poda
    keep = torch.ones_like(scores)
    keep[order[:k]] = 0
    masks, offset = [], 0
    for w in weights:
        m = keep[offset:offset + w.numel()].reshape(w.shape)
        offset += w.numel()
        with torch.no_grad():
            w.mul_(m)
        masks.append((w, m))
    return masks


def run_seed(seed, args, rows):
    train, val, test = make_splits(seed, 5000, args.train_limit, args.val_limit, args.test_limit)
    dense = lenet300_100(seed)
    fit(dense, train, val, args.epochs, args.lr, seed)
    rows.append({"seed": seed, "target_sparsity": 0.0, "acc": accuracy(dense, test)})
    for s in args.sparsities:
        model = lenet300_100(seed)
        model.load_state_dict(dense.state_dict())
        masks = prune_global_magnitude(model, s)
        fit(model, train, val, args.finetune_epochs, args.lr * 0.2, seed + 1000, masks)
        rows.append({"seed": seed, "target_sparsity": s, "acc": accuracy(model, test)})
        print(f"seed {seed} sparsity {s}: {100 * rows[-1]['acc']:.2f}%", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="the settings of experiments/quick/crosscheck_lenet300_100.yaml")
    p.add_argument("--csv", help="write one row per (seed, sparsity) here")
    args = p.parse_args()
    args.sparsities = [0.5, 0.8, 0.9, 0.95, 0.98]
    args.lr = 0.05
    if args.quick:
        args.seeds, args.epochs, args.finetune_epochs = [1, 2], 3, 1
        args.train_limit, args.val_limit, args.test_limit = 3000, 500, 1000
    else:
        args.seeds, args.epochs, args.finetune_epochs = [1, 2, 3], 10, 3
        args.train_limit = args.val_limit = args.test_limit = 0
    torch.set_num_threads(1)
    start = time.time()
    rows = []
    for seed in args.seeds:
        run_seed(seed, args, rows)
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["seed", "target_sparsity", "acc"])
            writer.writeheader()
            writer.writerows(rows)
    print(f"| target sparsity | PyTorch {torch.__version__} test accuracy | n |")
    print("|---|---|---|")
    for s in [0.0] + args.sparsities:
        accs = [r["acc"] for r in rows if r["target_sparsity"] == s]
        std = f" ± {statistics.stdev(accs):.4f}" if len(accs) > 1 else ""
        print(f"| {'dense' if s == 0 else s} | {statistics.mean(accs):.4f}{std} | {len(accs)} |")
    print(f"({time.time() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
