"""PyTorch reference for bench_mlp_train: LeNet-300-100, batch 64, one thread, samples/s.

Reference only (poda never depends on PyTorch). Debian: apt-get install python3-torch.
Run: /usr/bin/python3 bench/reference/torch_mlp_train.py
Random inputs of Fashion-MNIST's shape; the step is forward, cross-entropy, backward, SGD-momentum.
"""
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(1)
model = torch.nn.Sequential(
    torch.nn.Flatten(), torch.nn.Linear(784, 300), torch.nn.ReLU(),
    torch.nn.Linear(300, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(60000, 1, 28, 28)
y = torch.randint(0, 10, (60000,))
loss_fn = torch.nn.CrossEntropyLoss()


def steps(n):
    for i in range(n):
        j = (i * 64) % (60000 - 64)
        opt.zero_grad()
        loss_fn(model(x[j:j + 64]), y[j:j + 64]).backward()
        opt.step()


steps(200)
best = 0.0
for _ in range(5):
    t0 = time.perf_counter()
    steps(937)
    best = max(best, 937 * 64 / (time.perf_counter() - t0))
print(f"PyTorch {torch.__version__} LeNet-300-100 training, batch 64, 1 thread: {best:.0f} samples/s")
