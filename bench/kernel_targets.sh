#!/usr/bin/env bash
# Issue 21's acceptance figures, one kernel target after the other, in one run: the README's
# speed table per target comes from this script's output. For each target it runs
#   bench_weight_stream      LeNet-300-100 dense batch 1 against one read of its weights
#   ort_vs_poda.sh           poda bench against ONNX Runtime on the same exported model
#   bench_sparse_b1          the sparse plan over its own dense plan, batch 1 and 64
#   bench_int8_plans         the int8 dense plan over the fp32 dense plan, batch 64 (on avx2
#                            also without AVX-VNNI where the CPU has it, as on Zen 1-3)
#   bench_conv_train         ResNet-20 and LeNet-5 training, default and --im2col
# then PyTorch's training rates once (bench/reference/torch_cifar_train.py, skipped without
# python3-torch). One thread throughout. Run it on an idle machine: two cores shared with a
# build give ratios that swing by 1.5x.
#
#   bench/kernel_targets.sh BUILD_DIR [TARGET ...]     (default: every target this CPU runs)
#
# A target below the CPU's best is forced with PODA_KERNEL_ISA; for avx2 on an AVX-512 CPU
# OpenBLAS is also held to its Haswell kernels (PODA_BLAS_CORE=Haswell), as an AVX2 machine
# would run it, so the fp32 GEMM side of every ratio is an AVX2 one too.
set -euo pipefail
build="${1:?usage: bench/kernel_targets.sh BUILD_DIR [TARGET ...]}"
shift
here=$(cd "$(dirname "$0")" && pwd)
for exe in poda bench_weight_stream bench_sparse_b1 bench_int8_plans bench_conv_train; do
  [ -x "$build/$exe" ] || { echo "kernel_targets.sh: $build/$exe missing (make build)" >&2; exit 2; }
done

runnable=$("$build/poda" info | awk -F': *' '/^kernels runnable:/ { print $2 }')
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$runnable"
best=${runnable##* }

echo "kernel_targets.sh: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')," \
     "targets runnable: $runnable; timing: ${targets[*]}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for t in "${targets[@]}"; do
  export PODA_KERNEL_ISA=$t
  if [ "$t" != "$best" ] && [ "$t" = avx2 ]; then export PODA_BLAS_CORE=Haswell; else unset PODA_BLAS_CORE; fi
  echo
  echo "######## target $t (PODA_KERNEL_ISA=$t${PODA_BLAS_CORE:+ PODA_BLAS_CORE=$PODA_BLAS_CORE})"
  echo "== bench_weight_stream 1"
  "$build/bench_weight_stream" 1
  echo "== bench/reference/ort_vs_poda.sh"
  "$here/reference/ort_vs_poda.sh" "$build/poda"
  for batch in 1 64; do
    echo "== bench_sparse_b1 3 0.2 $batch"
    "$build/bench_sparse_b1" 3 0.2 "$batch" 0 10 20 30 40 50 60 70 80 90 95 98 99
  done
  echo "== bench_int8_plans 64 --only $t"
  "$build/bench_int8_plans" 64 --only "$t"
  if [ "$t" = avx2 ] && grep -qw avx_vnni /proc/cpuinfo; then
    echo "== PODA_INT8_AVX_VNNI=0 bench_int8_plans 64 --only avx2 (AVX2 without AVX-VNNI, as Zen 1-3)"
    PODA_INT8_AVX_VNNI=0 "$build/bench_int8_plans" 64 --only avx2
  fi
  for path in "" --im2col; do
    echo "== bench_conv_train 3 $path resnet20 lenet5"
    "$build/bench_conv_train" 3 $path resnet20 lenet5
  done
done
unset PODA_KERNEL_ISA PODA_BLAS_CORE

echo
echo "######## PyTorch 1.13 (reference)"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$here/reference/torch_cifar_train.py" 3 1 resnet20
else
  echo "python3-torch not installed: skipped"
fi
