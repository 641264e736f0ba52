"""PyTorch reference for bench_conv_train's CIFAR models: ResNet-20 (projection shortcuts,
as poda's zoo builds it) and Conv-4, training at batch 64 on random 3x32x32 inputs, SGD
momentum 0.9, samples/s of the median step. A reference only.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 \
       bench/reference/torch_cifar_train.py [seconds per model] [threads] [model ...]
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_step_timing import median_train_step  # noqa: E402


def conv_bn(c_in, c_out, stride):
    return [nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out)]


class Block(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(c_in, c_out, stride), nn.ReLU(),
                                  *conv_bn(c_out, c_out, 1)[:2])
        self.shortcut = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                       nn.BatchNorm2d(c_out))
                         if stride != 1 or c_in != c_out else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet20():
    layers = [*conv_bn(3, 16, 1), nn.ReLU()]
    c_in = 16
    for s, width in enumerate([16, 32, 64]):
        for b in range(3):
            layers.append(Block(c_in, width, 2 if s > 0 and b == 0 else 1))
            c_in = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def conv4():
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8192, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    chosen = sys.argv[3:] or ["conv4", "resnet20"]
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = torch.randn(64, 3, 32, 32)
    y = torch.randint(0, 10, (64,))
    for name in chosen:
        model = {"resnet20": resnet20, "conv4": conv4}[name]()
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        step_seconds = median_train_step(model, opt, x, y, seconds)
        # CPU time per step, like bench_conv_train (the machine is shared); with threads > 1
        # divided by the threads, so it is wall time on an idle machine.
        print(f"PyTorch {torch.__version__} {name:14s} {64 * threads / step_seconds:8.0f} "
              f"samples/s (median step, {threads} thread(s))")


main()
