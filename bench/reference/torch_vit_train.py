"""PyTorch reference for `bench_conv_train --batch 128 --adamw vit_tiny`: poda's vit_tiny
(bench/reference/torch_vit.py, the same architecture) training at batch 128 on random
1x28x28 inputs, AdamW (lr 1e-3, weight decay 0.05), one thread, samples/s of the median
step by CPU time (the machine is shared). A reference only.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 \
       bench/reference/torch_vit_train.py [seconds, default 3] [batch, default 128]
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_vit  # noqa: E402


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = torch_vit.VitTiny()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < 5:
        t0 = time.process_time()
        step()
        times.append(time.process_time() - t0)
    times.sort()
    print(f"PyTorch {torch.__version__} vit_tiny      {batch / times[len(times) // 2]:8.0f} "
          f"samples/s (median step, 1 thread, batch {batch}, AdamW)")


if __name__ == "__main__":
    main()
