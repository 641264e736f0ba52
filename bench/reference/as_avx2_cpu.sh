#!/usr/bin/env bash
# Runs a peer (ONNX Runtime under node, PyTorch) as it would run on an AVX2 + FMA CPU without
# AVX-512, on an AVX-512 machine: issue 21's AVX2 column forces poda to AVX2
# (PODA_KERNEL_ISA=avx2 PODA_BLAS_CORE=Haswell), and the peers must be held to AVX2 too or the
# ratio compares poda-AVX2 with peer-AVX-512. Uses cpuid_mask.c (see its header: CPUID
# faulting, Linux on CPUs with "cpuid_fault"), built here with gcc into a cache directory;
# a reference tool only, never part of poda's build.
#
#   bench/reference/as_avx2_cpu.sh --check       exit 0 if masking works here, else say why, exit 1
#   bench/reference/as_avx2_cpu.sh CMD [ARG ...] run CMD with the CPU masked to AVX2
#
# PODA_CPUID_MASK=avx2-vnni keeps AVX-VNNI (an Alder Lake); the default clears it too (Zen 1-3).
# PODA_CPUID_MASK_LOG=1 makes every masked process print how many CPUIDs it emulated.
# OpenBLAS inside the peer picks its core by CPUID as well, so it lands on Haswell kernels.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/poda-cpuid-mask
source_file="$here/cpuid_mask.c"

fail() { echo "as_avx2_cpu.sh: $*" >&2; exit 1; }

[ "$(uname -m)" = x86_64 ] || fail "not an x86-64 machine"
# Without AVX-512 the peers already run their AVX2 kernels: nothing to mask.
if ! grep -qw avx512f /proc/cpuinfo; then
  [ "${1:-}" = --check ] && exit 0
  exec "$@"
fi
grep -qw cpuid_fault /proc/cpuinfo || fail "this CPU/kernel has no CPUID faulting (cpuid_fault)"
command -v gcc >/dev/null || fail "gcc not found"

# One build per source version.
stamp=$(sha256sum "$source_file" | cut -c1-16)
lib="$cache/cpuid_mask-$stamp.so"
probe="$cache/cpuid_probe-$stamp"
if [ ! -f "$lib" ] || [ ! -x "$probe" ]; then
  mkdir -p "$cache"
  gcc -O2 -Wall -Wextra -fPIC -shared -o "$lib.tmp" "$source_file" -ldl || fail "gcc failed"
  # The probe: leaf 7's AVX512F bit as a program sees it (1 = AVX-512 present).
  gcc -O2 -x c -o "$probe.tmp" - <<'EOF' || fail "gcc failed"
#include <cpuid.h>
#include <stdio.h>
int main(void) {
  unsigned a, b, c, d;
  __cpuid_count(7, 0, a, b, c, d);
  printf("%u\n", (b >> 16) & 1u);
  return 0;
}
EOF
  mv "$probe.tmp" "$probe"
  mv "$lib.tmp" "$lib"
fi

# Works when the probe sees AVX512F unmasked and not masked (on an AVX2 CPU there is nothing
# to mask: the peers already run AVX2).
if [ "$("$probe")" = 1 ] && [ "$(LD_PRELOAD="$lib" "$probe" 2>/dev/null)" != 0 ]; then
  fail "CPUID masking failed (the probe still sees AVX512F)"
fi

[ "${1:-}" = --check ] && exit 0
[ $# -gt 0 ] || fail "usage: as_avx2_cpu.sh --check | CMD [ARG ...]"
export LD_PRELOAD="$lib${LD_PRELOAD:+ $LD_PRELOAD}"
exec "$@"
