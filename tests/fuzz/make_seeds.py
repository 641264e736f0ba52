#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

The seeds are small valid inputs (and a few near-misses) from which libFuzzer mutates:
run again after a format change. Config seeds are the experiment files plus small
variants that reach the sweep, prune and zoo parsers.
"""
import gzip
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def idx_images(count, rows, cols):
    head = struct.pack(">IIII", 0x803, count, rows, cols)
    return head + bytes((i * 7 + k) % 256 for i in range(count) for k in range(rows * cols))


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def checkpoint(entries, metadata):
    body = struct.pack("<Q", len(metadata))
    for k, v in sorted(metadata.items()):
        body += struct.pack("<Q", len(k)) + k.encode() + struct.pack("<Q", len(v)) + v.encode()
    body += struct.pack("<Q", len(entries))
    for name, shape, values, mask in entries:
        body += struct.pack("<Q", len(name)) + name.encode() + struct.pack("<I", len(shape))
        body += b"".join(struct.pack("<Q", d) for d in shape)
        body += struct.pack("<B", 1 if mask is not None else 0)
        body += struct.pack("<%df" % len(values), *values)
        if mask is not None:
            body += struct.pack("<%df" % len(mask), *mask)
    return b"PODACKPT" + struct.pack("<I", 1) + body + struct.pack("<I", zlib.crc32(body))


TINY = """name: tiny
seed: 1
dataset: {name: fashion-mnist, val_count: 200, train_limit: 1000}
model:
  layers:
    - {type: flatten}
    - {type: dense, out: 32}
    - {type: relu}
    - {type: dense, out: 10}
train: {epochs: 1, batch_size: 64, lr: 0.05}
"""

PRUNE = """prune:
  criterion: magnitude
  granularity: {kind: n_m, n: 2, m: 4}
  sparsity: 0.5
  schedule: {kind: iterative, rounds: 3, path: fixed_rate, rate: 0.2}
  overrides:
    - {name: "1", sparsity: 0.3}
    - {name: "3", exclude: true}
"""


def main():
    shutil.rmtree(os.path.join(HERE, "corpus"), ignore_errors=True)
    for name in sorted(os.listdir(os.path.join(ROOT, "experiments"))):
        with open(os.path.join(ROOT, "experiments", name), "rb") as f:
            out("fuzz_config", name, f.read())
    out("fuzz_config", "tiny.yaml", TINY)
    out("fuzz_config", "prune.yaml", TINY + PRUNE)
    out("fuzz_config", "sweep.yaml", TINY + PRUNE + "sweep:\n  prune.sparsity: [0.5, 0.8]\n"
        "  zip:\n    train.epochs: [1, 2]\n    train.lr: [0.1, 0.05]\n")
    out("fuzz_config", "conv.yaml", "dataset: {name: cifar10}\nmodel:\n  layers:\n"
        "    - {type: conv2d, out: 4, kernel: 3, padding: 1}\n    - {type: batchnorm}\n"
        "    - {type: maxpool2d, kernel: 2}\n    - {type: dropout, p: 0.1}\n"
        "    - {type: global_avgpool}\n    - {type: dense, out: 10}\n"
        "train: {optimizer: adam, lr_schedule: {kind: cosine}, augment: {crop_padding: 4}}\n"
        "measure: {latency: true}\n")
    out("fuzz_config", "anchors.yaml", "base: &b {type: dense, out: 10}\nmodel:\n"
        "  layers: [{type: flatten}, *b]\n")

    out("fuzz_idx", "images.idx", idx_images(3, 4, 4))
    out("fuzz_idx", "labels.idx", idx_labels([0, 1, 9]))
    out("fuzz_idx", "images.idx.gz", gzip.compress(idx_images(2, 3, 3), mtime=0))
    out("fuzz_idx", "labels.idx.gz", gzip.compress(idx_labels([3, 4]), mtime=0))

    record = lambda label, seed: bytes([label]) + bytes((seed + k) % 256 for k in range(3072))
    out("fuzz_cifar", "two.bin", record(3, 0) + record(9, 5))
    out("fuzz_cifar", "one.bin", record(0, 1))

    out("fuzz_checkpoint", "two_entries.ckpt", checkpoint(
        [("0.weight", [2, 3], [0.5, -1, 2, 0, 1.5, -0.25], [1, 1, 0, 1, 0, 1]),
         ("0.bias", [2], [0.1, -0.1], None)], {"model": "tiny", "seed": "1"}))
    out("fuzz_checkpoint", "scalar.ckpt", checkpoint([("s", [], [3.0], None)], {}))
    out("fuzz_checkpoint", "empty.ckpt", checkpoint([], {}))


if __name__ == "__main__":
    main()
