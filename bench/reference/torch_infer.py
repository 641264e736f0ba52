"""PyTorch reference for poda's inference paths (issue 10), printed next to poda's figures.

Reference only (poda never depends on PyTorch). Debian: apt-get install python3-torch.
Run from the repository root, after `make build`:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference/torch_infer.py [build/poda]
One thread on both sides. For each model: dense latency at batch 1 and 64 (eval mode, no
autograd), and at 90% unstructured magnitude sparsity torch's sparse CSR matmul for the
Linear layers (torch has no sparse convolution: convolutions stay dense, zeros included).
poda's figures come from `poda bench` on the same architectures and sparsity; the two
programs are run in alternation, three times each, and the medians are printed.
"""
import re
import statistics
import subprocess
import sys
import time

try:
    import torch
except ImportError:
    print("torch_infer.py: PyTorch is not installed (Debian: python3-torch); skipping")
    sys.exit(0)

torch.set_num_threads(1)
nn = torch.nn


def conv_net(pairs):
    layers, width, c = [], 64, 3
    for _ in range(pairs):
        for _ in range(2):
            layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU()]
            c = width
        layers.append(nn.MaxPool2d(2))
        width *= 2
    side = 32 >> pairs
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * side * side, 256), nn.ReLU(),
                         nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


MODELS = {
    "lenet300_100": ((1, 28, 28), lambda: nn.Sequential(
        nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
        nn.Linear(100, 10))),
    "lenet5": ((1, 28, 28), lambda: nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))),
    "lenet5_caffe": ((1, 28, 28), lambda: nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))),
    "conv4": ((3, 32, 32), lambda: conv_net(2)),
}


class CsrLinear(nn.Module):
    """y = x W^T + b with W in torch's sparse CSR format."""

    def __init__(self, linear):
        super().__init__()
        self.w = linear.weight.detach().to_sparse_csr()
        self.b = linear.bias.detach()

    def forward(self, x):
        return torch.matmul(self.w, x.t()).t() + self.b


def magnitude_prune(model, sparsity):
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            w = m.weight.data
            k = int(sparsity * w.numel())
            if k:
                threshold = w.abs().flatten().kthvalue(k).values
                w[w.abs() <= threshold] = 0.0


def to_csr(model):
    return nn.Sequential(*[CsrLinear(m) if isinstance(m, nn.Linear) else m for m in model])


def median_us(model, x):
    """Warm-up 0.3 s, then at least 200 calls and 1 s (at most 5 s); median in us. As in
    poda's protocol, calls of 1 ms or more are timed in thread CPU time (on a shared machine
    their wall time mostly measures preemption)."""
    with torch.inference_mode():
        t0, slowest = time.perf_counter(), 0.0
        while time.perf_counter() - t0 < 0.3:
            c0 = time.perf_counter()
            model(x)
            slowest = time.perf_counter() - c0
        clock = time.thread_time if slowest >= 1e-3 else time.perf_counter
        times, t0 = [], time.perf_counter()
        while (len(times) < 200 or time.perf_counter() - t0 < 1.0) and \
                (len(times) < 10 or time.perf_counter() - t0 < 5.0):
            c0 = clock()
            model(x)
            times.append((clock() - c0) * 1e6)
    return statistics.median(times)


def torch_figures(name):
    shape, make = MODELS[name]
    torch.manual_seed(1)
    dense = make().eval()
    pruned = make().eval()
    pruned.load_state_dict(dense.state_dict())
    magnitude_prune(pruned, 0.9)
    sparse = to_csr(pruned).eval()
    out = {}
    for b in (1, 64):
        x = torch.randn(b, *shape)
        out[("dense", b)] = median_us(dense, x)
        out[("sparse", b)] = median_us(sparse, x)
    return out


def poda_figures(poda, name):
    shape = ",".join(map(str, MODELS[name][0]))
    text = subprocess.run([poda, "bench", "--zoo", name, "--input", shape, "--sparsity", "0.9"],
                          check=True, capture_output=True, text=True).stdout
    out = {}
    for b in (1, 64):
        row = re.search(rf"^batch {b}\s+([\d.]+)\s+([\d.]+)", text, re.M)
        out[("dense", b)], out[("sparse", b)] = float(row.group(1)), float(row.group(2))
    return out


def main():
    poda = sys.argv[1] if len(sys.argv) > 1 else "build/poda"
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread; poda: {poda}, 1 thread")
    print(f"{'model':14} {'batch':>5} {'poda dense':>11} {'torch dense':>12} {'ratio':>6}"
          f" {'poda 90% sparse':>16} {'torch 90% CSR':>14} {'ratio':>6}   (median us)")
    for name in MODELS:
        runs = [(poda_figures(poda, name), torch_figures(name)) for _ in range(3)]
        for b in (1, 64):
            med = {k: statistics.median(r[i][(k, b)] for r in runs)
                   for i, k in ((0, "dense"), (0, "sparse"))}
            tmed = {k: statistics.median(r[1][(k, b)] for r in runs) for k in ("dense", "sparse")}
            print(f"{name:14} {b:5} {med['dense']:11.1f} {tmed['dense']:12.1f}"
                  f" {tmed['dense'] / med['dense']:5.2f}x {med['sparse']:16.1f}"
                  f" {tmed['sparse']:14.1f} {tmed['sparse'] / med['sparse']:5.2f}x", flush=True)


if __name__ == "__main__":
    main()
