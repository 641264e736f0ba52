#!/usr/bin/env bash
# Installs the Debian packages poda needs, and nothing when they are all present.
# Used by `make run` and `make test`; safe to run again. `setup.sh fuzz` also installs
# what `make fuzz` needs (Debian's clang-14 with its libFuzzer runtime).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libxtensor-dev xtl-dev libxsimd-dev libxtensor-blas-dev libopenblas-dev
  libyaml-cpp-dev doctest-dev libcli11-dev libfmt-dev zlib1g-dev
  gnuplot-nox libopenmpi-dev openmpi-bin
  dataset-fashion-mnist
  python3-onnx python3-opencv  # consumers of `poda export` in the tests: checker, OpenCV DNN
)
# tests/old_cpu_qemu.sh runs the default build on an emulated CPU without AVX (x86-64 only).
[ "$(uname -m)" = x86_64 ] && packages+=(qemu-user)
if [ "${1:-}" = fuzz ]; then
  packages+=(clang-14 libclang-rt-14-dev llvm-14)
fi

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
