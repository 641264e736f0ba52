// The ISA switch of the hand-written kernels.
#include "core/kernel_isa.h"

#include <stdexcept>

#include "core/cpu_features.h"

namespace poda {
namespace {

KernelIsa& active_isa() {
  static KernelIsa isa = avx512_kernels_available() ? KernelIsa::avx512 : KernelIsa::portable;
  return isa;
}

}  // namespace

bool avx512_kernels_available() {
#if defined(__x86_64__) && defined(__GNUC__)
  return cpu_features().avx512_base();
#else
  return false;
#endif
}

KernelIsa kernel_isa() {
  return active_isa();
}

void set_kernel_isa(KernelIsa isa) {
  if (isa == KernelIsa::avx512 && !avx512_kernels_available())
    throw std::invalid_argument("AVX-512 kernels requested but this CPU has no AVX-512 F/BW/DQ/VL");
  active_isa() = isa;
}

const char* kernel_isa_name(KernelIsa isa) {
  return isa == KernelIsa::avx512 ? "avx512" : "portable";
}

}  // namespace poda
