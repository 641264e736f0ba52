"""PyTorch reference for `bench_conv_train --batch 128 --adamw vit_tiny`: poda's vit_tiny
(bench/reference/torch_vit.py, the same architecture) training at batch 128 on random
1x28x28 inputs, AdamW (lr 1e-3, weight decay 0.05), one thread, samples/s of the median
step by CPU time (the machine is shared). A reference only.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 \
       bench/reference/torch_vit_train.py [seconds, default 3] [batch, default 128]
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_vit  # noqa: E402
from torch_step_timing import median_train_step  # noqa: E402


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = torch_vit.VitTiny()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    step_seconds = median_train_step(model, opt, x, y, seconds)
    print(f"PyTorch {torch.__version__} vit_tiny      {batch / step_seconds:8.0f} "
          f"samples/s (median step, 1 thread, batch {batch}, AdamW)")


if __name__ == "__main__":
    main()
