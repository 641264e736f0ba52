"""PyTorch reference for bench_conv_train: LeNet-5 (classic and Caffe) training, batch 64,
one thread, samples/s on random inputs of Fashion-MNIST's shape. A reference only.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference/torch_conv_train.py
"""
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_step_timing import median_train_step  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(1)
models = {
    "lenet5": nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                            nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
    "lenet5_caffe": nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                                  nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10)),
}
x = torch.randn(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
for name, model in models.items():
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    step_seconds = median_train_step(model, opt, x, y, 3.0, warmup=20, clock=time.perf_counter)
    print(f"PyTorch {torch.__version__} {name:14s} {64 / step_seconds:8.0f} samples/s (median step)")
