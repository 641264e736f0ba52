#pragma once
// Which OpenBLAS kernels poda runs on, and with how many threads.
//
// Debian's OpenBLAS picks its kernels ("core") once, when the library loads,
// from OPENBLAS_CORETYPE or its own CPU detection. That detection falls back
// to generic kernels on CPUs newer than the build (5-10x slower SGEMM), and
// environments may force a weaker core. ensure_blas_core() fixes both by
// re-executing the process with OPENBLAS_CORETYPE set, before any BLAS work.
#include <string>

#include "kernels/cpu_features.h"

namespace poda {

// ---- thin wrappers over the OpenBLAS runtime ----
std::string blas_core_name();  // openblas_get_corename(): "Cooperlake", ...
std::string blas_config();     // openblas_get_config(): version and build flags
// n >= 1, else std::invalid_argument. Also sets the kernels' compute threads (parallel.h):
// one setting, `threads:`, decides how many cores a run uses.
void set_blas_threads(int n);
int blas_threads();

// ---- choosing a core ----
// The strongest OpenBLAS core this CPU can run: "Cooperlake" (AVX-512 + BF16),
// "SkylakeX" (AVX-512 F/BW/DQ/VL), "Haswell" (AVX2 + FMA), or "" when
// OpenBLAS's own choice cannot be beaten.
std::string best_core_for(const CpuFeatures& cpu);
// The highest core generation (blas_core_rank below) this CPU can execute: 4 AVX-512 +
// BF16, 3 AVX-512, 2 AVX2 + FMA, 1 AVX, 0 otherwise.
int cpu_blas_rank(const CpuFeatures& cpu);

// Kernel generations, so "weaker than the CPU supports" can be decided:
// 0 generic/SSE (Prescott, Core2, Nehalem, ...), 1 AVX (Sandybridge, Bulldozer
// family), 2 AVX2 (Haswell, Zen), 3 AVX-512 (SkylakeX), 4 AVX-512 BF16
// (Cooperlake, SapphireRapids). Case-insensitive; -1 for a name not known.
int blas_core_rank(const std::string& core);
// The spelling OpenBLAS reports for a known core name in any case ("skylakex"
// -> "SkylakeX"), or "" if unknown.
std::string canonical_blas_core(const std::string& core);

// What ensure_blas_core() does, decided from plain inputs so it can be tested.
struct BlasCoreDecision {
  bool reexec = false;  // re-run the process with OPENBLAS_CORETYPE=target
  std::string target;   // the core to ask for when reexec; "" unsets OPENBLAS_CORETYPE
  std::string how;      // how the core in use was chosen (for `poda info`)
  std::string log;      // one informational line for stderr, or ""
  std::string warning;  // one warning line for stderr, or ""
};
// current: the core OpenBLAS runs now; best: best_core_for(cpu); cpu_rank:
// cpu_blas_rank(cpu); override_value: PODA_BLAS_CORE ("" if unset); env_coretype:
// OPENBLAS_CORETYPE ("" if unset); reexec_from: the core before our re-exec ("" if this
// process was not re-executed by ensure_blas_core).
BlasCoreDecision decide_blas_core(const std::string& current, const std::string& best,
                                  int cpu_rank, const std::string& override_value,
                                  const std::string& env_coretype, const std::string& reexec_from);

// Call first thing in main(), before any BLAS call or MPI_Init. Policy:
//   a core this CPU cannot execute (OPENBLAS_CORETYPE=Haswell on a CPU without AVX2)
//                          re-exec on the best core, or on OpenBLAS's own detection, with
//                          a warning: its first GEMM would die of an illegal instruction;
//   PODA_BLAS_CORE=keep    otherwise leave OpenBLAS's own choice / OPENBLAS_CORETYPE alone;
//   PODA_BLAS_CORE=<core>  run on that core;
//   otherwise              if the current core is weaker than best_core_for()
//                          this CPU, re-exec on the best one.
// The re-exec runs /proc/self/exe with the same argv and PODA_BLAS_REEXEC=1 so
// it happens at most once; if it fails, poda continues and warns. Sets the
// BLAS threads to PODA_THREADS if set, else 1. Writes to stderr only when it
// changed something (suppressed by quiet or PODA_QUIET=1) or to warn.
// May not return (execv) — that is the point.
void ensure_blas_core(int argc, char** argv, bool quiet = false);

// How the core in use was chosen, as recorded by ensure_blas_core().
std::string blas_core_how();

}  // namespace poda
