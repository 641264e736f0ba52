#include "cli/info.h"

#include <cstdlib>
#include <sstream>
#include <thread>

#include "core/blas_runtime.h"
#include "kernels/cpu_features.h"
#include "kernels/gemm_int8.h"
#include "kernels/isa.h"

namespace poda {

namespace {

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

// "scalar avx2 avx512": the targets for which `keep` holds.
std::string isa_list(bool (*keep)(KernelIsa)) {
  std::string list;
  for (KernelIsa isa : all_kernel_isas)
    if (keep(isa)) list += (list.empty() ? "" : " ") + std::string(kernel_isa_name(isa));
  return list.empty() ? "none" : list;
}

std::string env_text(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "(unset)";
}

}  // namespace

std::string poda_info_text() {
  const CpuFeatures& cpu = cpu_features();
  const std::string best = best_core_for(cpu);
  std::ostringstream out;
  out << "poda version:      " << PODA_VERSION << "\n"
      << "compiler:          " << compiler() << "\n"
      << "blas core:         " << blas_core_name() << "\n"
      << "blas core chosen:  " << blas_core_how() << "\n"
      << "blas best for cpu: " << (best.empty() ? "(OpenBLAS's own choice)" : best) << "\n"
      << "blas config:       " << blas_config() << "\n"
      << "blas threads:      " << blas_threads() << "\n"
      << "hardware threads:  " << std::thread::hardware_concurrency() << "\n"
      << "PODA_THREADS:      " << env_text("PODA_THREADS") << "\n"
      << "PODA_BLAS_CORE:    " << env_text("PODA_BLAS_CORE") << "\n"
      << "OPENBLAS_CORETYPE: " << env_text("OPENBLAS_CORETYPE") << "\n"
      << "cpu vendor:        " << (cpu.vendor.empty() ? "(unknown)" : cpu.vendor) << "\n"
      << "cpu brand:         " << (cpu.brand.empty() ? "(unknown)" : cpu.brand) << "\n"
      << "cpu features:      " << cpu.describe() << "\n"
      << "kernels compiled:  " << isa_list(kernel_isa_compiled) << "\n"
      << "kernels runnable:  " << isa_list(kernel_isa_runnable) << "\n"
      << "kernels chosen:    " << kernel_isa_name(kernel_isa()) << " (" << kernel_isa_how()
      << (kernel_isa_has_vnni() ? "; avx512 vnni present" : "")
      << (kernel_isa_has_avx_vnni() ? "; avx-vnni present" : "") << ")\n"
      << "int8 kernels:      " << int8_kernel_name() << "\n"
      << "PODA_KERNEL_ISA:   " << env_text("PODA_KERNEL_ISA") << "\n";
  return out.str();
}

}  // namespace poda
