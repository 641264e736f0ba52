#!/usr/bin/env bash
# Peak memory (and wall time) of a ResNet-20 CIFAR-10 training run: CIFAR-10 cannot be
# downloaded here, so the six binary files are written at full size (10,000 random records
# each), then `poda run` trains ResNet-20 with crop+flip for STEPS steps of batch 64 under
# /usr/bin/time -v.
#   bench/bench_cifar_memory.sh BUILD_DIR [poda run options, e.g. --threads 2]
# Environment: STEPS (default 200).
set -euo pipefail
build="${1:?usage: bench/bench_cifar_memory.sh BUILD_DIR [poda run options]}"
shift
steps="${STEPS:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cifar-10-batches-bin"
python3 - "$work/cifar-10-batches-bin" <<'PY'
import os, random, sys
random.seed(1)
for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        for _ in range(10000):
            f.write(bytes([random.randrange(10)]) + os.urandom(3072))
PY
cat > "$work/resnet20.yaml" <<YAML
name: resnet20_memory
seed: 1
dataset: {name: cifar10, path: $work/cifar-10-batches-bin, val_count: 1000,
          train_limit: $((steps * 64)), test_limit: 1000}
model: {zoo: resnet20}
train: {epochs: 1, batch_size: 64, optimizer: sgd, lr: 0.05, momentum: 0.9,
        augment: {crop_padding: 4, horizontal_flip: true}}
YAML
/usr/bin/time -v "$build/poda" run "$work/resnet20.yaml" --results "$work/results" "$@" \
  2> "$work/time.txt" > /dev/null || { cat "$work/time.txt" >&2; exit 1; }
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/time.txt"
