"""The training-step timing the PyTorch references share: a few warm-up steps, then steps for
`seconds` (at least 5), each timed by `clock`; returns the median step's time in seconds.
bench_conv_train times poda the same way. process_time (CPU time) suits a shared machine;
perf_counter is wall time."""
import time

import torch


def median_train_step(model, opt, x, y, seconds, warmup=5, clock=time.process_time):
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < 5:
        t0 = clock()
        step()
        times.append(clock() - t0)
    times.sort()
    return times[len(times) // 2]
