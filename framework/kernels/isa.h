#pragma once
// The instruction-set targets of poda's hand-written kernels, and the one table that picks
// each kernel's build for the active target. Every kernel family keeps an IsaTable with an
// entry per target; the entry of the active target runs, and a target without its own
// entry runs the next lower one. The active target is the best one this binary holds and
// this CPU can run, unless PODA_KERNEL_ISA=scalar|avx2|avx512 forces one (a target the CPU
// cannot run is a clear error at start-up, exit code 2). Tests and benchmarks switch it
// with set_kernel_isa to compare the builds.
#include <array>
#include <cstddef>
#include <string>

// 1 where the compiler can build the x86 targets (GCC or Clang on x86-64).
#if defined(__x86_64__) && defined(__GNUC__)
#define PODA_KERNELS_X86 1
#else
#define PODA_KERNELS_X86 0
#endif

namespace poda {

// Ordered: a higher target can run everything a lower one can.
//   scalar: the build's baseline (x86-64 SSE2, aarch64 NEON; with PODA_NATIVE the host's)
//   avx2:   AVX2 + FMA (Haswell, Zen 1-3); AVX-VNNI is a separate flag
//   avx512: AVX-512 F/BW/DQ/VL (Skylake-SP, Ice Lake, Zen 4-5); VNNI is a separate flag
enum class KernelIsa : int { scalar = 0, avx2 = 1, avx512 = 2 };
constexpr std::size_t kernel_isa_count = 3;
constexpr std::array<KernelIsa, kernel_isa_count> all_kernel_isas{
    KernelIsa::scalar, KernelIsa::avx2, KernelIsa::avx512};

const char* kernel_isa_name(KernelIsa isa);
// Throws std::invalid_argument naming the accepted values.
KernelIsa parse_kernel_isa(const std::string& name);

// This binary holds kernels for the target (x86-64 GCC/Clang builds hold all three).
bool kernel_isa_compiled(KernelIsa isa);
// Compiled, and this CPU and OS execute it.
bool kernel_isa_runnable(KernelIsa isa);
// The highest runnable target.
KernelIsa best_kernel_isa();
// AVX-512 VNNI (vpdpbusd) present beside the avx512 target: the int8 kernels' extra.
bool kernel_isa_has_vnni();
// AVX-VNNI (the VEX-encoded 256-bit vpdpbusd) present beside the avx2 target: the int8
// kernels' extra on AVX2-class CPUs (Intel 12th gen on, Zen 5). PODA_INT8_AVX_VNNI=0 turns it
// off, to measure or run the plain AVX2 path on such a CPU.
bool kernel_isa_has_avx_vnni();

// The active target (PODA_KERNEL_ISA or best_kernel_isa(), fixed on first use).
KernelIsa kernel_isa();
// Throws std::invalid_argument for a target this CPU cannot run.
void set_kernel_isa(KernelIsa isa);
// "PODA_KERNEL_ISA=avx2" or "best for this CPU": how kernel_isa() was chosen.
std::string kernel_isa_how();

// One kernel family's builds, indexed by target: entry[isa] or, when null, the entry of the
// next lower target. An entry points to the family's struct of function pointers (one per
// kernel, e.g. DirectKernels in kernels/direct_kernels.h); the scalar entry must be set.
template <class Fns>
struct IsaTable {
  std::array<const Fns*, kernel_isa_count> entry;

  const Fns& at(KernelIsa isa) const {
    for (int i = static_cast<int>(isa); i > 0; --i)
      if (entry[i]) return *entry[i];
    return *entry[0];
  }
  const Fns& active() const { return at(kernel_isa()); }
};

}  // namespace poda
