#!/usr/bin/env python3
"""Prune a model you already have, end to end: a small CNN with BatchNorm trained by PyTorch
(dynamic batch axis, x.view(x.size(0), -1), log_softmax head), exported with torch.onnx.export,
then
  1. `poda run` with model: {onnx: ...}: global magnitude pruning to 80% and one epoch of
     fine-tuning; acc_dense must be PyTorch's test accuracy of the original model;
  2. `poda prune ... --granularity filter --compact -o out.onnx`.
Every model poda writes runs in OpenCV DNN and in PyTorch (rebuilt from the ONNX file's
weights) with poda's test accuracy, within 0.1 point. Exits 77 (skipped) without python3-torch.
Usage: torch_prune_roundtrip.py PODA_BINARY"""
import os
import re
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
import cv2
import numpy as np
import onnx
from onnx import numpy_helper

from fashion_mnist_idx import idx  # noqa: E402 (after the torch check)
TOLERANCE = 0.001  # 0.1 point of accuracy


class SmallCnn(nn.Module):
    """Conv-BN-ReLU-pool twice, then two linear layers; the normalisation inside."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor([[[mean]]]))
        self.register_buffer("std", torch.tensor([[[std]]]))
        self.conv1, self.bn1 = nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.fc1, self.fc2 = nn.Linear(16 * 7 * 7, 64), nn.Linear(64, 10)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = x.view(x.size(0), -1)
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def run_onnx_in_torch(path, x):
    """The graph of an ONNX file poda wrote, run op by op with PyTorch's functions."""
    model = onnx.load(path)
    values = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
              for t in model.graph.initializer}
    values[model.graph.input[0].name] = x
    for n in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        i = [values[name] for name in n.input if name]
        if n.op_type == "Sub":
            y = i[0] - i[1]
        elif n.op_type == "Div":
            y = i[0] / i[1]
        elif n.op_type == "Add":
            y = i[0] + i[1]
        elif n.op_type == "Conv":
            pads = a.get("pads", [0, 0, 0, 0])
            y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]),
                         pads[:2], a.get("dilations", [1, 1]), a.get("group", 1))
        elif n.op_type == "Relu":
            y = F.relu(i[0])
        elif n.op_type == "MaxPool":
            y = F.max_pool2d(i[0], a["kernel_shape"], a.get("strides"), a.get("pads", [0] * 4)[:2])
        elif n.op_type == "GlobalAveragePool":
            y = i[0].mean((2, 3), keepdim=True)
        elif n.op_type == "Flatten":
            y = i[0].flatten(1)
        elif n.op_type == "Gemm":
            y = F.linear(i[0], i[1] if a.get("transB", 0) else i[1].t(), i[2] if len(i) > 2 else None)
        elif n.op_type == "BatchNormalization":
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
        else:
            raise RuntimeError(f"{path}: no PyTorch replay of {n.op_type}")
        values[n.output[0]] = y
    return values[model.graph.output[0].name]


def accuracies(path, x, y):
    """Test accuracy of an ONNX file in OpenCV DNN and in PyTorch."""
    net = cv2.dnn.readNetFromONNX(path)
    cv_pred = []
    for i in range(0, len(x), 1000):
        net.setInput(x[i:i + 1000].numpy())
        cv_pred.append(net.forward().argmax(1))
    cv_acc = float((np.concatenate(cv_pred) == y.numpy()).mean())
    with torch.no_grad():
        torch_acc = float((run_onnx_in_torch(path, x).argmax(1) == y).float().mean())
    return cv_acc, torch_acc


def poda(binary, args, cwd):
    out = subprocess.run([binary] + args, capture_output=True, text=True, cwd=cwd)
    print(f"$ poda {' '.join(args)}\n{out.stdout}{out.stderr[-3000:]}")
    if out.returncode != 0:
        raise RuntimeError(f"poda {args[0]} exited with {out.returncode}")
    return out.stdout


def runs_csv(path):
    lines = open(path).read().splitlines()
    return dict(zip(lines[0].split(","), lines[1].split(",")))


def check(what, expected, got):
    ok = abs(expected - got) <= TOLERANCE
    print(f"{'ok' if ok else 'FAILED'}: {what}: {got:.4f} (expected {expected:.4f})")
    return ok


def train_and_export(onnx_path, test_x, test_y):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    train_x = torch.tensor(idx("train-images-idx3-ubyte")[:4000], dtype=torch.float32) / 255
    train_y = torch.tensor(idx("train-labels-idx1-ubyte")[:4000], dtype=torch.long)
    train_x = train_x.unsqueeze(1)
    model = SmallCnn(float(train_x.mean()), float(train_x.std()))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for i in range(0, len(train_x), 64):
        optimizer.zero_grad()
        F.nll_loss(model(train_x[i:i + 64]), train_y[i:i + 64]).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = float((model(test_x).argmax(1) == test_y).float().mean())
    torch.onnx.export(model, test_x[:1], onnx_path, input_names=["input"],
                      output_names=["log_probs"], opset_version=13,
                      dynamic_axes={"input": {0: "N"}, "log_probs": {0: "N"}})
    return acc


EXPERIMENT = """name: from_torch
seed: 1
dataset: {name: fashion-mnist, val_count: 1000, train_limit: 4000}
model: {onnx: cnn.onnx}
train: {batch_size: 64, lr: 0.05, momentum: 0.9}
prune: {criterion: magnitude, scope: global, sparsity: 0.8, finetune_epochs: 1,
        finetune_lr_scale: 0.2}
"""


def main():
    binary = os.path.abspath(sys.argv[1])
    test_x = torch.tensor(idx("t10k-images-idx3-ubyte"), dtype=torch.float32).unsqueeze(1) / 255
    test_y = torch.tensor(idx("t10k-labels-idx1-ubyte"), dtype=torch.long)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        torch_acc = train_and_export(os.path.join(tmp, "cnn.onnx"), test_x, test_y)
        print(f"PyTorch {torch.__version__}: the trained model's test accuracy {torch_acc:.4f}")
        with open(os.path.join(tmp, "from_torch.yaml"), "w") as f:
            f.write(EXPERIMENT)
        poda(binary, ["run", "from_torch.yaml", "--results", "r"], tmp)
        row = runs_csv(os.path.join(tmp, "r", "from_torch", "runs.csv"))
        ok &= check("poda's acc_dense vs PyTorch", torch_acc, float(row["acc_dense"]))
        run_dir = os.path.join(tmp, "r", "from_torch", "runs")
        final = os.path.join(run_dir, os.listdir(run_dir)[0], "final.ckpt")
        poda(binary, ["export", final, "run.onnx"], tmp)
        for engine, acc in zip(["OpenCV", "PyTorch"], accuracies(os.path.join(tmp, "run.onnx"),
                                                                 test_x, test_y)):
            ok &= check(f"poda run's model in {engine} vs poda's acc", float(row["acc"]), acc)

        out = poda(binary, ["prune", "cnn.onnx", "--dataset", "fashion-mnist", "--sparsity",
                            "0.25", "--granularity", "filter", "--criterion", "l1_norm",
                            "--compact", "-o", "out.onnx", "--results", "r"], tmp)
        before, after = map(float, re.search(r"test accuracy\s+([0-9.]+)\s+([0-9.]+)", out).groups())
        ok &= check("poda prune's accuracy before vs PyTorch", torch_acc, before)
        for engine, acc in zip(["OpenCV", "PyTorch"], accuracies(os.path.join(tmp, "out.onnx"),
                                                                 test_x, test_y)):
            ok &= check(f"poda prune's compacted model in {engine} vs poda's", after, acc)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
