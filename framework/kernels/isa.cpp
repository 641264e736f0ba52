// The kernel targets: what this binary holds, what this CPU runs, which one is active.
#include "kernels/isa.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "kernels/cpu_features.h"

namespace poda {
namespace {

struct Active {
  KernelIsa isa;
  std::string how;
};

// PODA_KERNEL_ISA when set (a bad value or a target this CPU cannot run ends the process
// with exit code 2 before any kernel runs), else the best runnable target.
Active initial_isa() {
  const char* env = std::getenv("PODA_KERNEL_ISA");
  if (!env || !*env) return {best_kernel_isa(), "best for this CPU"};
  try {
    const KernelIsa isa = parse_kernel_isa(env);
    if (!kernel_isa_runnable(isa))
      throw std::invalid_argument(std::string("this CPU cannot run the ") + env +
                                  " kernels (cpu features: " + cpu_features().describe() + ")");
    return {isa, std::string("PODA_KERNEL_ISA=") + env};
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "poda: PODA_KERNEL_ISA=%s: %s\n", env, e.what());
    std::exit(2);
  }
}

Active& active() {
  static Active a = initial_isa();
  return a;
}

// Read at start-up, so a bad PODA_KERNEL_ISA stops the program before it does any work.
const bool chosen_at_start = (active(), true);

}  // namespace

const char* kernel_isa_name(KernelIsa isa) {
  switch (isa) {
    case KernelIsa::avx2: return "avx2";
    case KernelIsa::avx512: return "avx512";
    default: return "scalar";
  }
}

KernelIsa parse_kernel_isa(const std::string& name) {
  for (KernelIsa isa : all_kernel_isas)
    if (name == kernel_isa_name(isa)) return isa;
  throw std::invalid_argument("unknown kernel target '" + name +
                              "' (expected scalar, avx2 or avx512)");
}

bool kernel_isa_compiled(KernelIsa isa) {
#if PODA_KERNELS_X86
  (void)isa;
  return true;
#else
  return isa == KernelIsa::scalar;
#endif
}

bool kernel_isa_runnable(KernelIsa isa) {
  if (!kernel_isa_compiled(isa)) return false;
  const CpuFeatures& cpu = cpu_features();
  switch (isa) {
    case KernelIsa::avx2: return cpu.avx2 && cpu.fma;
    case KernelIsa::avx512: return cpu.avx512_base();
    default: return true;
  }
}

KernelIsa best_kernel_isa() {
  KernelIsa best = KernelIsa::scalar;
  for (KernelIsa isa : all_kernel_isas)
    if (kernel_isa_runnable(isa)) best = isa;
  return best;
}

bool kernel_isa_has_vnni() {
  return kernel_isa_runnable(KernelIsa::avx512) && cpu_features().avx512_vnni;
}

bool kernel_isa_has_avx_vnni() {
  static const bool present = [] {
    const char* env = std::getenv("PODA_INT8_AVX_VNNI");
    const bool disabled = env && std::string(env) == "0";
    return kernel_isa_runnable(KernelIsa::avx2) && cpu_features().avx_vnni && !disabled;
  }();
  return present;
}

KernelIsa kernel_isa() {
  return active().isa;
}

void set_kernel_isa(KernelIsa isa) {
  if (!kernel_isa_runnable(isa))
    throw std::invalid_argument(std::string(kernel_isa_name(isa)) +
                                " kernels requested but this CPU cannot run them (cpu features: " +
                                cpu_features().describe() + ")");
  active() = {isa, "set by the program"};
}

std::string kernel_isa_how() {
  return active().how;
}

}  // namespace poda
