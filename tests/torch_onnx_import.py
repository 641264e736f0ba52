#!/usr/bin/env python3
"""A LeNet-5 trained by PyTorch, exported with torch.onnx.export, imported by `poda import`:
poda's imported model must give PyTorch's test accuracy on the 10,000 Fashion-MNIST test
images (within one image). Exits 77 (skipped) when python3-torch is not installed.
Usage: torch_onnx_import.py PODA_BINARY"""
import os
import re
import subprocess
import sys
import tempfile

try:
    import torch
    from torch import nn
except ImportError:
    print("SKIPPED: python3-torch is not installed")
    sys.exit(77)
import numpy as np

from fashion_mnist_idx import idx  # noqa: E402 (after the torch check)


class LeNet5(nn.Module):
    """poda's zoo lenet5, with the normalisation inside so the export carries it."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor([[[mean]]]))
        self.register_buffer("std", torch.tensor([[[std]]]))
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.features((x - self.mean) / self.std)


def main():
    poda = sys.argv[1]
    torch.manual_seed(0)
    torch.set_num_threads(1)
    train_x = torch.tensor(idx("train-images-idx3-ubyte")[:10000], dtype=torch.float32) / 255
    train_y = torch.tensor(idx("train-labels-idx1-ubyte")[:10000], dtype=torch.long)
    test_x = torch.tensor(idx("t10k-images-idx3-ubyte"), dtype=torch.float32) / 255
    test_y = torch.tensor(idx("t10k-labels-idx1-ubyte"), dtype=torch.long)
    train_x, test_x = train_x.unsqueeze(1), test_x.unsqueeze(1)
    model = LeNet5(float(train_x.mean()), float(train_x.std()))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for i in range(0, len(train_x), 64):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(train_x[i:i + 64]), train_y[i:i + 64]).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        torch_acc = float((model(test_x).argmax(1) == test_y).float().mean())
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = os.path.join(tmp, "lenet5.onnx")
        torch.onnx.export(model, test_x[:1], onnx_path, input_names=["input"],
                          output_names=["logits"], opset_version=13,
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
        out = subprocess.run([poda, "import", onnx_path, os.path.join(tmp, "lenet5.ckpt"),
                              "--evaluate", "fashion-mnist"], capture_output=True, text=True)
    print(out.stdout, out.stderr, sep="")
    if out.returncode != 0:
        return 1
    poda_acc = float(re.search(r"test accuracy on fashion-mnist \(10000 images\): ([0-9.]+)",
                               out.stdout).group(1))
    print(f"PyTorch {torch.__version__}: test accuracy {torch_acc:.4f}; poda import: {poda_acc:.4f}")
    return 0 if abs(torch_acc - poda_acc) <= 1.5e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
