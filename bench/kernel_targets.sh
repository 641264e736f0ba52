#!/usr/bin/env bash
# Issue 21's acceptance figures, one kernel target after the other, in one run: the README's
# speed table per target comes from this script's output. For each target it runs
#   bench_weight_stream      LeNet-300-100 dense batch 1 against one read of its weights
#   ort_vs_poda.sh           poda bench against ONNX Runtime on the same exported model
#   bench_sparse_b1          the sparse plan over its own dense plan, batch 1 and 64
#   bench_int8_plans         the int8 dense plan over the fp32 dense plan, batch 64 (on avx2
#                            also without AVX-VNNI where the CPU has it, as on Zen 1-3)
#   bench_conv_train         ResNet-20 and LeNet-5 training, default and --im2col
#   torch_cifar_train.py     PyTorch 1.13's ResNet-20 training rate (skipped without
#                            python3-torch), on the CPU's best target and on forced avx2
# One thread throughout. Run it on an idle machine: two cores shared with a build give ratios
# that swing by 1.5x.
#
#   bench/kernel_targets.sh BUILD_DIR [TARGET ...]     (default: every target this CPU runs)
#
# A target below the CPU's best is forced with PODA_KERNEL_ISA; for avx2 on an AVX-512 CPU
# OpenBLAS is also held to its Haswell kernels (PODA_BLAS_CORE=Haswell), as an AVX2 machine
# would run it, so the fp32 GEMM side of every ratio is an AVX2 one too. The peers are held to
# AVX2 in that column as well (bench/reference/as_avx2_cpu.sh: CPUID masked, so ONNX Runtime's
# MLAS, oneDNN and OpenBLAS pick their AVX2 kernels; PyTorch also gets its own switches
# ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell). Where the CPU
# cannot fault on CPUID, ONNX Runtime is skipped in that column and PyTorch runs on its own
# switches alone, and the output says so.
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
# The FMA peak per target, the bound of every dense figure (built once into a cache directory).
fma_peak=""
if [ "$(uname -m)" = x86_64 ] && command -v gcc >/dev/null; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/poda-fma-peak
  fma_peak="$cache/fma_peak-$(sha256sum "$here/reference/fma_peak.c" | cut -c1-16)"
  [ -x "$fma_peak" ] || { mkdir -p "$cache" &&
    gcc -O2 -o "$fma_peak" "$here/reference/fma_peak.c"; } || fma_peak=""
fi
for t in "${targets[@]}"; do
  export PODA_KERNEL_ISA=$t
  if [ "$t" != "$best" ] && [ "$t" = avx2 ]; then export PODA_BLAS_CORE=Haswell; else unset PODA_BLAS_CORE; fi
  echo
  echo "######## target $t (PODA_KERNEL_ISA=$t${PODA_BLAS_CORE:+ PODA_BLAS_CORE=$PODA_BLAS_CORE})"
  if [ -n "$fma_peak" ] && [ "$t" != scalar ]; then
    echo "== bench/reference/fma_peak.c $t (the core's multiply-add peak: LeNet-300-100 is" \
         "266,200 MACs per sample, so batch 64 can not take less than 17.04M MACs / this rate)"
    "$fma_peak" "$t"
  fi
  echo "== bench_weight_stream 1"
  "$build/bench_weight_stream" 1
  # The peers on this target: native on the best, CPUID-masked on forced avx2, none otherwise.
  peer=none
  if [ "$t" = "$best" ]; then peer=native; elif [ "$t" = avx2 ]; then peer=avx2; fi
  case $peer in
    native)
      echo "== bench/reference/ort_vs_poda.sh (ONNX Runtime on this CPU as it is)"
      "$here/reference/ort_vs_poda.sh" "$build/poda" ;;
    avx2)
      echo "== PEER_CPU=avx2 bench/reference/ort_vs_poda.sh (ONNX Runtime masked to AVX2)"
      PEER_CPU=avx2 "$here/reference/ort_vs_poda.sh" "$build/poda" ;;
    none) echo "== ONNX Runtime: no peer timed on a forced $t target" ;;
  esac
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
  torch_cifar=("$here/reference/torch_cifar_train.py" 3 1 resnet20)
  if [ "$peer" != none ] && ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
    echo "== PyTorch: python3-torch not installed, skipped"
  elif [ "$peer" = native ]; then
    echo "== PyTorch 1.13 on this CPU as it is: torch_cifar_train.py 3 1 resnet20"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "${torch_cifar[@]}"
  elif [ "$peer" = avx2 ]; then
    torch_avx2=(env -u OPENBLAS_L2_SIZE ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2
                OPENBLAS_CORETYPE=Haswell)
    if why=$("$here/reference/as_avx2_cpu.sh" --check 2>&1); then
      echo "== PyTorch 1.13 masked to AVX2 (as_avx2_cpu.sh + ONEDNN_MAX_CPU_ISA=AVX2" \
           "ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell): torch_cifar_train.py 3 1 resnet20"
      "${torch_avx2[@]}" "$here/reference/as_avx2_cpu.sh" /usr/bin/python3 "${torch_cifar[@]}"
    else
      echo "== PyTorch 1.13 on its own AVX2 switches only (CPUID not masked: $why):" \
           "torch_cifar_train.py 3 1 resnet20"
      "${torch_avx2[@]}" /usr/bin/python3 "${torch_cifar[@]}"
    fi
  fi
done
unset PODA_KERNEL_ISA PODA_BLAS_CORE
