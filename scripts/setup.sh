#!/usr/bin/env bash
# Installs the Debian packages poda needs, and nothing when they are all present.
# `setup.sh` (make run, make build): what building and running poda need.
# `setup.sh test` (make test, make test-asan, make bench): also what only the tests and the
# benchmarks use. `setup.sh fuzz` (make fuzz): also Debian's clang-14 with its libFuzzer
# runtime. `setup.sh arm` (make test-arm): the aarch64 cross compiler and qemu-user. Safe to
# run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libxtensor-dev xtl-dev libxsimd-dev libxtensor-blas-dev libopenblas-dev
  libyaml-cpp-dev doctest-dev libcli11-dev libfmt-dev zlib1g-dev
  gnuplot-nox libopenmpi-dev openmpi-bin
  dataset-fashion-mnist
)
case "${1:-}" in
  test)
    # Consumers of `poda export` in the tests: the ONNX checker, OpenCV's DNN module; ONNX's
    # own test models for the import sweep (tests/test_onnx_testdata.cpp); PyTorch for the
    # cross-checks (tests/torch_*.py), which skip themselves without it; qemu-user for the
    # default build on an emulated CPU without AVX (tests/old_cpu_qemu.sh, x86-64 only).
    packages+=(python3-onnx python3-opencv libonnx-testdata python3-torch)
    [ "$(uname -m)" = x86_64 ] && packages+=(qemu-user) ;;
  fuzz)
    packages+=(clang-14 libclang-rt-14-dev llvm-14) ;;
  arm)
    packages+=(g++-aarch64-linux-gnu qemu-user) ;;
  "") ;;
  *) echo "usage: setup.sh [test|fuzz|arm]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing missing packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
