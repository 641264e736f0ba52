#!/usr/bin/env bash
# The default (portable) build on an x86-64 CPU without AVX: under qemu-user emulating a
# Nehalem (SSE4.2, no AVX), `poda info` chooses the scalar kernels, a forced avx2 target is
# refused with exit code 2, and a tiny `poda run` trains, prunes and evaluates without an
# illegal instruction. Skipped (77) without qemu-x86_64 (Debian's qemu-user), off x86-64,
# in a -march=native build (PODA_NATIVE=ON: it may use any instruction of the build host)
# and under the sanitizers (their shadow memory does not map under qemu-user).
#   old_cpu_qemu.sh <poda binary> <PODA_NATIVE> <PODA_SANITIZE>
set -euo pipefail
poda=$(realpath "$1") native=$2 sanitize=$3
skip() { echo "skipped: $1"; exit 77; }
command -v qemu-x86_64 > /dev/null || skip "qemu-x86_64 not installed (Debian package qemu-user)"
[ "$(uname -m)" = x86_64 ] || skip "not an x86-64 host"
case "$native" in ON|on|1|TRUE|true|YES|yes) skip "built with -march=native (PODA_NATIVE=ON)";; esac
[ -z "$sanitize" ] || skip "built with sanitizers ($sanitize)"

cpu=Nehalem
# Without OPENBLAS_CORETYPE: an environment forcing a core (Haswell) would make poda re-execute
# itself off it (core/blas_runtime.h), and the exec leaves qemu to run on the host CPU.
run() { env -u OPENBLAS_CORETYPE qemu-x86_64 -cpu "$cpu" "$@"; }
fail() { echo "FAILED: $1"; exit 1; }

info=$(run "$poda" info) || fail "poda info exited with $? under qemu -cpu $cpu"
echo "$info"
grep -q "^kernels chosen: *scalar" <<< "$info" || fail "poda info did not choose the scalar kernels"
grep -q "^kernels runnable: *scalar$" <<< "$info" || fail "poda info lists more than scalar as runnable"

set +e
out=$(PODA_KERNEL_ISA=avx2 run "$poda" info 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] || fail "PODA_KERNEL_ISA=avx2 on a CPU without AVX2 exited with $code, not 2"
grep -q "PODA_KERNEL_ISA=avx2" <<< "$out" || fail "the error does not name PODA_KERNEL_ISA: $out"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/tiny.yaml" <<'YAML'
name: old_cpu_tiny
seed: 1
threads: 1
dataset:
  name: fashion-mnist
  val_count: 64
  train_limit: 256
  test_limit: 128
model:
  zoo: lenet300_100
train:
  epochs: 1
  batch_size: 64
  optimizer: sgd
  lr: 0.05
prune:
  criterion: magnitude
  granularity: unstructured
  sparsity: 0.5
  schedule: {kind: one_shot}
  finetune_epochs: 1
measure:
  latency: true
  latency_batch_sizes: [1]
  latency_seconds: 0.01
  latency_warmup_seconds: 0.01
  latency_min_calls: 2
YAML
(cd "$dir" && run "$poda" run tiny.yaml) || fail "poda run exited with $? under qemu -cpu $cpu"
echo "poda info and a tiny poda run passed under qemu-x86_64 -cpu $cpu"
