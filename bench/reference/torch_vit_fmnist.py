"""Trains bench/reference/torch_vit.py's ViT (poda's vit_tiny architecture) on Fashion-MNIST in
PyTorch 1.13, prints its test accuracy and exports it with torch.onnx.export (opset 13), for
`poda import OUT.onnx --evaluate fashion_mnist` to compare. A reference only.
Run: /usr/bin/python3 bench/reference/torch_vit_fmnist.py EPOCHS OUT.onnx
Recipe: AdamW (lr 1e-3, weight decay 0.05), batch 128, one thread, all 60,000 training
images, inputs normalised by the training mean and std; the exported graph starts with that
normalisation (Sub, Div), which poda's import reads as its own.
"""
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests"))
import torch_vit  # noqa: E402
from fashion_mnist_idx import idx  # noqa: E402


class Normalized(torch.nn.Module):
    def __init__(self, model, mean, std):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor([[[[mean]]]]))
        self.register_buffer("std", torch.tensor([[[[std]]]]))

    def forward(self, x):
        return self.model((x - self.mean) / self.std)


def images(name):
    return torch.tensor(idx(name).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        right = sum(int((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum())
                    for i in range(0, len(x), 1000))
    return right / len(x)


def main():
    epochs, out = int(sys.argv[1]), sys.argv[2]
    torch.set_num_threads(1)
    torch.manual_seed(1)
    xtr, xte = images("train-images-idx3-ubyte"), images("t10k-images-idx3-ubyte")
    ytr = torch.tensor(idx("train-labels-idx1-ubyte").astype(np.int64))
    yte = torch.tensor(idx("t10k-labels-idx1-ubyte").astype(np.int64))
    model = Normalized(torch_vit.VitTiny(), float(xtr.mean()), float(xtr.std()))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        start, order = time.time(), torch.randperm(len(xtr))
        for i in range(0, len(xtr), 128):
            j = order[i:i + 128]
            opt.zero_grad()
            loss_fn(model(xtr[j]), ytr[j]).backward()
            opt.step()
        print(f"epoch {epoch + 1}: test accuracy {accuracy(model, xte, yte):.4f} "
              f"({time.time() - start:.0f} s)", flush=True)
    torch_vit.export(model, out)
    print(f"PyTorch test accuracy (10000 images): {accuracy(model, xte, yte):.4f}; wrote {out}")


if __name__ == "__main__":
    main()
