#include "core/blas_runtime.h"

#include <cblas.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/parallel.h"

namespace poda {

std::string blas_core_name() {
  return openblas_get_corename();
}
std::string blas_config() {
  return openblas_get_config();
}

void set_blas_threads(int n) {
  if (n < 1)
    throw std::invalid_argument("set_blas_threads: need at least 1 thread, got " +
                                std::to_string(n));
  openblas_set_num_threads(n);
  set_compute_threads(n);  // the kernels' own loops follow the same setting (parallel.h)
}

int blas_threads() {
  return openblas_get_num_threads();
}

std::string best_core_for(const CpuFeatures& cpu) {
  if (cpu.avx512_base() && cpu.avx512_bf16) return "Cooperlake";
  if (cpu.avx512_base()) return "SkylakeX";
  if (cpu.avx2 && cpu.fma) return "Haswell";
  return "";
}

int cpu_blas_rank(const CpuFeatures& cpu) {
  if (cpu.avx512_base() && cpu.avx512_bf16) return 4;
  if (cpu.avx512_base()) return 3;
  if (cpu.avx2 && cpu.fma) return 2;
  return cpu.avx ? 1 : 0;
}

namespace {

struct CoreRank {
  const char* name;  // as openblas_get_corename() spells it
  int rank;
};

// x86-64 cores of OpenBLAS's DYNAMIC_ARCH builds (driver/others/dynamic.c).
constexpr CoreRank kCores[] = {
    {"Unknown", 0},    {"Katmai", 0},       {"Coppermine", 0},  {"Northwood", 0},
    {"Prescott", 0},   {"Banias", 0},       {"Atom", 0},        {"Core2", 0},
    {"Penryn", 0},     {"Dunnington", 0},   {"Nehalem", 0},     {"Athlon", 0},
    {"Opteron", 0},    {"Opteron_SSE3", 0}, {"Barcelona", 0},   {"Nano", 0},
    {"Bobcat", 0},     {"generic", 0},      {"Sandybridge", 1}, {"Bulldozer", 1},
    {"Piledriver", 1}, {"Steamroller", 1},  {"Excavator", 1},   {"Haswell", 2},
    {"Zen", 2},        {"SkylakeX", 3},     {"Cooperlake", 4},  {"SapphireRapids", 4},
};

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

const CoreRank* find_core(const std::string& name) {
  for (const CoreRank& c : kCores)
    if (iequals(c.name, name)) return &c;
  return nullptr;
}

// What the best core needs from the CPU, for the log line.
std::string feature_of(const std::string& best) {
  if (best == "Cooperlake") return "avx512_bf16";
  if (best == "SkylakeX") return "avx512";
  return "avx2+fma";
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string g_how = "not checked (ensure_blas_core was not called)";

}  // namespace

int blas_core_rank(const std::string& core) {
  const CoreRank* c = find_core(core);
  return c ? c->rank : -1;
}

std::string canonical_blas_core(const std::string& core) {
  const CoreRank* c = find_core(core);
  return c ? c->name : "";
}

namespace {

// PODA_BLAS_CORE names a core: run on it, re-executing once if needed.
BlasCoreDecision decide_override(const std::string& current, const std::string& override_value,
                                 int cpu_rank, bool reexecuted, const std::string& was) {
  BlasCoreDecision d;
  const std::string wanted = canonical_blas_core(override_value);
  if (!wanted.empty() && blas_core_rank(wanted) > cpu_rank) {
    d.how = "OpenBLAS's choice (PODA_BLAS_CORE=" + override_value + " ignored)";
    d.warning = "poda: PODA_BLAS_CORE=" + override_value +
                " needs instructions this CPU lacks; staying on " + current;
    return d;
  }
  if (wanted.empty()) {
    d.how = "OpenBLAS's choice (PODA_BLAS_CORE=" + override_value + " ignored)";
    d.warning = "poda: PODA_BLAS_CORE=" + override_value +
                " is not an OpenBLAS core name (e.g. Haswell, SkylakeX, Cooperlake, "
                "or keep); staying on " +
                current;
    return d;
  }
  if (iequals(current, wanted)) {
    d.how = "PODA_BLAS_CORE=" + override_value + " override" + was;
    return d;
  }
  if (reexecuted) {
    d.how = "OpenBLAS's choice (PODA_BLAS_CORE=" + override_value + " not honoured)";
    d.warning = "poda: asked OpenBLAS for core " + wanted + " (PODA_BLAS_CORE) but it runs " +
                current + "; this build or CPU does not support it";
    return d;
  }
  d.reexec = true;
  d.target = wanted;
  d.log = "poda: re-running on OpenBLAS core " + wanted + " as PODA_BLAS_CORE asks (was " +
          current + ")";
  return d;
}

}  // namespace

BlasCoreDecision decide_blas_core(const std::string& current, const std::string& best,
                                  int cpu_rank, const std::string& override_value,
                                  const std::string& env_coretype, const std::string& reexec_from) {
  BlasCoreDecision d;
  const bool reexecuted = !reexec_from.empty();
  const std::string was = reexecuted ? " (was " + reexec_from + ")" : "";

  // Before everything, PODA_BLAS_CORE=keep included: a core beyond this CPU's instruction set
  // (an environment forcing Haswell, a binary copied to an older node) dies at its first GEMM.
  if (blas_core_rank(current) > cpu_rank) {
    const std::string fallback = best.empty() ? "OpenBLAS's own detection" : best;
    if (reexecuted) {
      d.how = "core " + current + " beyond this CPU" + was;
      d.warning = "poda: OpenBLAS still runs core " + current +
                  ", which needs instructions this CPU lacks; its first GEMM may crash";
      return d;
    }
    d.reexec = true;
    d.target = best;
    d.warning = "poda: OpenBLAS core " + current +
                (env_coretype.empty() ? std::string() : " (OPENBLAS_CORETYPE=" + env_coretype + ")") +
                " needs instructions this CPU lacks; re-running on " + fallback;
    return d;
  }

  if (iequals(override_value, "keep")) {
    d.how =
        "PODA_BLAS_CORE=keep: " + (env_coretype.empty() ? std::string("OpenBLAS's own detection")
                                                        : "OPENBLAS_CORETYPE=" + env_coretype);
    return d;
  }
  if (!override_value.empty())
    return decide_override(current, override_value, cpu_rank, reexecuted, was);

  const std::string source = env_coretype.empty()
                                 ? std::string("OpenBLAS's own detection")
                                 : "OPENBLAS_CORETYPE=" + env_coretype + " from the environment";
  const int rank = blas_core_rank(current);
  // A core we do not know is likely newer than this table: trust OpenBLAS.
  if (best.empty() || rank < 0 || rank >= blas_core_rank(best)) {
    d.how = !reexecuted        ? source
            : env_coretype.empty() ? "re-executed with OpenBLAS's own detection: " + current + was
                                   : "re-executed with OPENBLAS_CORETYPE=" + current + was;
    return d;
  }
  if (reexecuted) {
    d.how = source + " (re-exec for " + best + " did not take)";
    d.warning = "poda: asked OpenBLAS for core " + best + " but it still runs " + current +
                "; continuing on slower kernels";
    return d;
  }
  d.reexec = true;
  d.target = best;
  d.log = "poda: OpenBLAS core " + current + " under-uses this CPU (" + feature_of(best) +
          "); re-running on " + best + " (PODA_BLAS_CORE=keep to disable)";
  return d;
}

namespace {

// Threads: PODA_THREADS if it is a positive integer, else 1 (runs are
// deterministic per thread count, so the default must not depend on the host).
void apply_default_threads() {
  const std::string value = env_or_empty("PODA_THREADS");
  if (value.empty()) {
    set_blas_threads(1);
    return;
  }
  char* end = nullptr;
  const long n = std::strtol(value.c_str(), &end, 10);
  if (*end != '\0' || n < 1 || n > 1024) {
    std::fprintf(stderr, "poda: PODA_THREADS=%s is not a thread count in 1..1024; using 1\n",
                 value.c_str());
    set_blas_threads(1);
    return;
  }
  set_blas_threads(static_cast<int>(n));
}

// Restores an environment variable to a saved value ("" meaning unset).
void restore_env(const char* name, const std::string& saved, bool was_set) {
  if (was_set)
    setenv(name, saved.c_str(), 1);
  else
    unsetenv(name);
}

// Returns only if execv failed; the environment is then as before.
void reexec_on(const std::string& target, const std::string& current, int argc, char** argv) {
  const bool had_coretype = std::getenv("OPENBLAS_CORETYPE") != nullptr;
  const std::string old_coretype = env_or_empty("OPENBLAS_CORETYPE");
  if (target.empty())
    unsetenv("OPENBLAS_CORETYPE");
  else
    setenv("OPENBLAS_CORETYPE", target.c_str(), 1);
  setenv("PODA_BLAS_REEXEC", "1", 1);
  setenv("PODA_BLAS_REEXEC_FROM", current.c_str(), 1);
  std::fflush(nullptr);  // exec drops unflushed stdio buffers
  char fallback_name[] = "poda";
  char* fallback_argv[] = {fallback_name, nullptr};
  execv("/proc/self/exe", argc > 0 && argv ? argv : fallback_argv);
  const int err = errno;
  restore_env("OPENBLAS_CORETYPE", old_coretype, had_coretype);
  unsetenv("PODA_BLAS_REEXEC");
  unsetenv("PODA_BLAS_REEXEC_FROM");
  std::fprintf(stderr, "poda: could not re-execute /proc/self/exe (%s); continuing on %s\n",
               std::strerror(err), current.c_str());
}

}  // namespace

void ensure_blas_core(int argc, char** argv, bool quiet) {
  const std::string quiet_env = env_or_empty("PODA_QUIET");
  quiet = quiet || (!quiet_env.empty() && quiet_env != "0");
  const std::string current = blas_core_name();
  const bool reexecuted = env_or_empty("PODA_BLAS_REEXEC") == "1";
  const std::string reexec_from =
      reexecuted ? env_or_empty("PODA_BLAS_REEXEC_FROM") : std::string();

  BlasCoreDecision d = decide_blas_core(
      current, best_core_for(cpu_features()), cpu_blas_rank(cpu_features()),
      env_or_empty("PODA_BLAS_CORE"),
      env_or_empty("OPENBLAS_CORETYPE"),
      reexecuted ? (reexec_from.empty() ? std::string("?") : reexec_from) : std::string());
  if (!d.log.empty() && !quiet) std::fprintf(stderr, "%s\n", d.log.c_str());
  if (!d.warning.empty()) std::fprintf(stderr, "%s\n", d.warning.c_str());
  if (d.reexec) {
    reexec_on(d.target, current, argc, argv);
    d.how = "kept " + current + " (re-exec for " +
            (d.target.empty() ? std::string("OpenBLAS's own detection") : d.target) + " failed)";
  }
  // Keep the guard after a failed attempt so child processes do not retry.
  if (reexecuted && d.warning.empty()) {
    unsetenv("PODA_BLAS_REEXEC");
    unsetenv("PODA_BLAS_REEXEC_FROM");
  }
  g_how = d.how;
  apply_default_threads();
}

std::string blas_core_how() {
  return g_how;
}

}  // namespace poda
