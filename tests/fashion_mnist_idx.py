"""Fashion-MNIST as Debian's dataset-fashion-mnist installs it, read by the PyTorch
cross-checks (tests/torch_*.py): idx("t10k-images-idx3-ubyte") is a uint8 array of the file's
shape, plain or gzipped."""
import gzip
import os

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def idx(name):
    path = os.path.join(DATA, name)
    opener = gzip.open if not os.path.exists(path) else open
    with opener(path if os.path.exists(path) else path + ".gz", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)
