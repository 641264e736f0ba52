#!/usr/bin/env python3
"""BatchNorm recalibration cross-checked with PyTorch: a small residual net with BatchNorm,
trained by `poda run`, loses 10% of its filters (l1_norm, layer scope) without fine-tuning,
once with the BatchNorm statistics re-estimated (prune.bn_recalibration, the default) and once
without. A PyTorch copy of the net with the same masked weights and statistics, read from each
run's final.ckpt, must give poda's test accuracy within 0.2 point: a bug in poda's masking of a
BatchNorm net cannot hide behind stale statistics. PyTorch's own re-estimation
(momentum=None over 50 training batches) is printed beside poda's.
Exits 77 (skipped) without python3-torch. Usage: torch_bn_recalibration.py PODA_BINARY"""
import os
import struct
import subprocess
import sys
import tempfile

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except ImportError:
    print("SKIPPED: python3-torch is not installed")
    sys.exit(77)
import numpy as np

from fashion_mnist_idx import idx  # noqa: E402 (after the torch check)


def read_checkpoint(path):
    """A poda checkpoint (experiment/io/checkpoint.h): metadata and each tensor times its mask."""
    data = open(path, "rb").read()
    assert data[:8] == b"PODACKPT", path
    pos = 12

    def u64():
        nonlocal pos
        pos += 8
        return struct.unpack_from("<Q", data, pos - 8)[0]

    def text():
        nonlocal pos
        n = u64()
        pos += n
        return data[pos - n:pos].decode()

    metadata = {text(): text() for _ in range(u64())}
    tensors = {}
    for _ in range(u64()):
        name = text()
        rank = struct.unpack_from("<I", data, pos)[0]
        pos += 4
        shape = [u64() for _ in range(rank)]
        has_mask = data[pos]
        pos += 1
        count = int(np.prod(shape)) if shape else 1
        value = np.frombuffer(data, np.float32, count, pos).reshape(shape)
        pos += 4 * count
        if has_mask:
            value = value * np.frombuffer(data, np.float32, count, pos).reshape(shape)
            pos += 4 * count
        tensors[name] = torch.tensor(np.array(value))
    return metadata, tensors


def conv_bn(cin, cout, stride=1, kernel=3):
    return nn.Conv2d(cin, cout, kernel, stride, kernel // 2), nn.BatchNorm2d(cout)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(cin, cout, stride)
        self.conv2, self.bn2 = conv_bn(cout, cout)
        self.project = stride != 1
        if self.project:
            self.conv, self.bn = nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)

    def forward(self, x):
        body = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return body + (self.bn(self.conv(x)) if self.project else x)


class Net(nn.Module):
    """The net of EXPERIMENT below, module for module."""

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(1, 8)
        self.block1, self.block2 = Block(8, 8, 1), Block(8, 16, 2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.relu(self.block2(F.relu(self.block1(x))))
        return self.fc(x.mean((2, 3)))

    def load_poda(self, tensors):
        """poda's names: block1.body.conv1.weight, block2.shortcut.conv.weight, ..."""
        own = self.state_dict()
        for name, value in tensors.items():
            mine = name.replace(".body.", ".").replace(".shortcut.", ".")
            own[mine].copy_(value.reshape(own[mine].shape))
        return self


EXPERIMENT = """name: recal
seed: 2
dataset: {name: fashion-mnist, val_count: 500, train_limit: 3000}
model:
  layers:
    - {type: conv2d, name: conv1, out: 8, kernel: 3, padding: 1}
    - {type: batchnorm, name: bn1}
    - {type: relu}
    - {type: maxpool2d, kernel: 2}
    - type: residual
      name: block1
      layers:
        - {type: conv2d, name: conv1, out: 8, kernel: 3, padding: 1}
        - {type: batchnorm, name: bn1}
        - {type: relu}
        - {type: conv2d, name: conv2, out: 8, kernel: 3, padding: 1}
        - {type: batchnorm, name: bn2}
    - {type: relu}
    - type: residual
      name: block2
      layers:
        - {type: conv2d, name: conv1, out: 16, kernel: 3, padding: 1, stride: 2}
        - {type: batchnorm, name: bn1}
        - {type: relu}
        - {type: conv2d, name: conv2, out: 16, kernel: 3, padding: 1}
        - {type: batchnorm, name: bn2}
      shortcut:
        - {type: conv2d, name: conv, out: 16, kernel: 1, stride: 2, bias: false}
        - {type: batchnorm, name: bn}
    - {type: relu}
    - {type: global_avgpool}
    - {type: dense, name: fc, out: 10}
train: {epochs: 2, batch_size: 64, lr: 0.05, momentum: 0.9}
prune:
  criterion: l1_norm
  granularity: filter
  scope: layer
  sparsity: 0.1
  finetune_epochs: 0
  bn_recalibration: {batches: 50}
sweep:
  prune.bn_recalibration.batches: [50, 0]
"""


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def main():
    binary = os.path.abspath(sys.argv[1])
    torch.set_num_threads(1)
    test_x = torch.tensor(idx("t10k-images-idx3-ubyte"), dtype=torch.float32).unsqueeze(1) / 255
    test_y = torch.tensor(idx("t10k-labels-idx1-ubyte"), dtype=torch.long)
    train_x = torch.tensor(idx("train-images-idx3-ubyte")[:6400], dtype=torch.float32)
    train_x = train_x.unsqueeze(1) / 255
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "recal.yaml"), "w") as f:
            f.write(EXPERIMENT)
        out = subprocess.run([binary, "run", "recal.yaml", "--results", "r"], cwd=tmp,
                             capture_output=True, text=True)
        print(out.stderr[-2000:])
        if out.returncode != 0:
            return 1
        root = os.path.join(tmp, "r", "recal")
        lines = open(os.path.join(root, "runs.csv")).read().splitlines()
        rows = [dict(zip(lines[0].split(","), line.split(","))) for line in lines[1:]]
        for row in rows:
            metadata, tensors = read_checkpoint(os.path.join(root, "runs", row["run_id"], "final.ckpt"))
            mean = torch.tensor([float(v) for v in metadata["normalization_mean"].split(",")])
            std = torch.tensor([float(v) for v in metadata["normalization_std"].split(",")])
            x = (test_x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)
            net = Net().load_poda(tensors)
            torch_acc, poda_acc = accuracy(net, x, test_y), float(row["acc"])
            good = abs(torch_acc - poda_acc) <= 0.002
            ok &= good
            print(f"{'ok' if good else 'FAILED'}: bn_recalibration {row['bn_recalibration']}: "
                  f"poda acc_pruned {float(row['acc_pruned']):.4f}, PyTorch with the same "
                  f"weights and statistics {torch_acc:.4f} (dense {float(row['acc_dense']):.4f})")
            if row["bn_recalibration"] == "0":  # PyTorch's own re-estimation, for comparison
                for m in net.modules():
                    if isinstance(m, nn.BatchNorm2d):
                        m.reset_running_stats()
                        m.momentum = None
                net.train()
                with torch.no_grad():
                    order = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(0))
                    xs = (train_x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)
                    for b in range(50):
                        net(xs[order[b * 64:(b + 1) * 64]])
                print(f"PyTorch's own re-estimation on 50 batches: {accuracy(net, x, test_y):.4f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
