"""PyTorch reference for the LeNet-5 accuracy targets on Fashion-MNIST (a reference only).

Run: /usr/bin/python3 bench/reference/torch_lenet5_fmnist.py [caffe|caffe_relu|classic] EPOCHS
Same recipe as experiments/lenet5_*.yaml: SGD momentum 0.9, lr 0.01, batch 64, inputs
normalised with the training mean/std, trained on all 60,000 images, test accuracy per epoch.
"""
import gzip
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(1)
root = "/usr/share/datasets/fashion-mnist/"


def idx(name, offset):
    with gzip.open(root + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


xtr = torch.tensor(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
ytr = torch.tensor(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
xte = torch.tensor(idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
yte = torch.tensor(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
mean, std = xtr.mean(), xtr.std()
xtr, xte = (xtr - mean) / std, (xte - mean) / std

form = sys.argv[1] if len(sys.argv) > 1 else "caffe"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
act = [nn.ReLU()] if form == "caffe_relu" else []
if form == "classic":
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                          nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
else:
    model = nn.Sequential(nn.Conv2d(1, 20, 5), *act, nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), *act,
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(epochs):
    t0 = time.perf_counter()
    model.train()
    perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr), 64):
        j = perm[i:i + 64]
        opt.zero_grad()
        loss_fn(model(xtr[j]), ytr[j]).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"{form} epoch {epoch + 1}: test {100 * acc:.2f}%  {len(xtr) / (time.perf_counter() - t0):.0f} samples/s",
          flush=True)
