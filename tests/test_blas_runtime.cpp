#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "core/blas_runtime.h"
#include "kernels/cpu_features.h"
#include "skip.h"
#include "test_paths.h"

namespace {

poda::CpuFeatures avx2_fma() {
  poda::CpuFeatures f;
  f.sse4_2 = f.avx = f.avx2 = f.fma = true;
  return f;
}

poda::CpuFeatures avx512_base() {
  poda::CpuFeatures f = avx2_fma();
  f.avx512f = f.avx512bw = f.avx512dq = f.avx512vl = true;
  return f;
}

// Runs a shell command, returns its stdout+stderr.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  pclose(pipe);
  return out;
}

// The value of "key:   value" in `poda info` output.
std::string info_value(const std::string& info, const std::string& key) {
  const auto at = info.find(key + ":");
  if (at == std::string::npos) return "";
  const auto start = info.find_first_not_of(' ', at + key.size() + 1);
  return info.substr(start, info.find('\n', start) - start);
}

}  // namespace

TEST_CASE("best_core_for picks the strongest core the features allow") {
  CHECK(poda::best_core_for(poda::CpuFeatures{}) == "");
  poda::CpuFeatures f = avx2_fma();
  f.fma = false;
  CHECK(poda::best_core_for(f) == "");  // Haswell kernels need FMA
  CHECK(poda::best_core_for(avx2_fma()) == "Haswell");
  f = avx2_fma();
  f.avx512f = true;  // F alone (Knights Landing-like) is not SkylakeX
  CHECK(poda::best_core_for(f) == "Haswell");
  f.avx512_bf16 = true;  // BF16 without BW/DQ/VL is not Cooperlake either
  CHECK(poda::best_core_for(f) == "Haswell");
  CHECK(poda::best_core_for(avx512_base()) == "SkylakeX");
  f = avx512_base();
  f.avx512_vnni = true;
  CHECK(poda::best_core_for(f) == "SkylakeX");
  f.avx512_bf16 = true;
  CHECK(poda::best_core_for(f) == "Cooperlake");
}

TEST_CASE("blas core ranking orders kernel generations") {
  using poda::blas_core_rank;
  CHECK(blas_core_rank("Prescott") < blas_core_rank("Sandybridge"));
  CHECK(blas_core_rank("Nehalem") < blas_core_rank("Haswell"));
  CHECK(blas_core_rank("Core2") == blas_core_rank("Prescott"));
  CHECK(blas_core_rank("Haswell") == blas_core_rank("Zen"));
  CHECK(blas_core_rank("Zen") < blas_core_rank("SkylakeX"));
  CHECK(blas_core_rank("SkylakeX") < blas_core_rank("Cooperlake"));
  CHECK(blas_core_rank("skylakex") == blas_core_rank("SkylakeX"));
  CHECK(blas_core_rank("NoSuchCore") == -1);
  CHECK(poda::canonical_blas_core("COOPERLAKE") == "Cooperlake");
  CHECK(poda::canonical_blas_core("keep") == "");
  // Every core best_core_for can return must be ranked above generic.
  for (const char* core : {"Haswell", "SkylakeX", "Cooperlake"}) {
    CAPTURE(core);
    CHECK(blas_core_rank(core) > blas_core_rank("Prescott"));
  }
}

TEST_CASE("decide_blas_core follows the policy") {
  using poda::decide_blas_core;
  SUBCASE("a generic fallback is re-executed on the best core") {
    auto d = decide_blas_core("Prescott", "Cooperlake", 4, "", "", "");
    CHECK(d.reexec);
    CHECK(d.target == "Cooperlake");
    CHECK(d.log.find("Prescott") != std::string::npos);
    CHECK(d.warning.empty());
  }
  SUBCASE("a weaker OPENBLAS_CORETYPE from the environment is overridden") {
    auto d = decide_blas_core("Haswell", "Cooperlake", 4, "", "Haswell", "");
    CHECK(d.reexec);
    CHECK(d.target == "Cooperlake");
  }
  SUBCASE("the best core or a stronger one is left alone, silently") {
    for (const char* current : {"Cooperlake", "SapphireRapids"}) {
      CAPTURE(current);
      auto d = decide_blas_core(current, "Cooperlake", 4, "", "", "");
      CHECK_FALSE(d.reexec);
      CHECK(d.log.empty());
      CHECK(d.warning.empty());
    }
    auto zen = decide_blas_core("Zen", "Haswell", 4, "", "", "");
    CHECK_FALSE(zen.reexec);
  }
  SUBCASE("a core name this table does not know is trusted") {
    CHECK_FALSE(decide_blas_core("Tomorrowlake", "SkylakeX", 4, "", "", "").reexec);
  }
  SUBCASE("no better core known for the CPU: OpenBLAS decides") {
    CHECK_FALSE(decide_blas_core("Prescott", "", 4, "", "", "").reexec);
  }
}

TEST_CASE("decide_blas_core leaves a core this CPU cannot execute") {
  using poda::decide_blas_core;
  SUBCASE("OPENBLAS_CORETYPE=Haswell on a CPU without AVX: OpenBLAS's own detection") {
    auto d = decide_blas_core("Haswell", "", 0, "", "Haswell", "");
    CHECK(d.reexec);
    CHECK(d.target.empty());
    CHECK(d.warning.find("Haswell") != std::string::npos);
    auto after = decide_blas_core("Nehalem", "", 0, "", "", "Haswell");
    CHECK_FALSE(after.reexec);
    CHECK(after.warning.empty());
    CHECK(after.how.find("own detection") != std::string::npos);
  }
  SUBCASE("an AVX-512 core on an AVX2 CPU: the best core it can run, even under keep") {
    for (const char* override_value : {"", "keep"}) {
      CAPTURE(override_value);
      auto d = decide_blas_core("SkylakeX", "Haswell", 2, override_value, "SkylakeX", "");
      CHECK(d.reexec);
      CHECK(d.target == "Haswell");
    }
  }
  SUBCASE("still beyond the CPU after the re-exec: a warning, no loop") {
    auto d = decide_blas_core("Haswell", "", 0, "", "Haswell", "Haswell");
    CHECK_FALSE(d.reexec);
    CHECK_FALSE(d.warning.empty());
  }
  SUBCASE("PODA_BLAS_CORE naming a core beyond the CPU is ignored") {
    auto d = decide_blas_core("Haswell", "Haswell", 2, "Cooperlake", "", "");
    CHECK_FALSE(d.reexec);
    CHECK(d.warning.find("Cooperlake") != std::string::npos);
  }
}

TEST_CASE("decide_blas_core after a re-exec and under PODA_BLAS_CORE") {
  using poda::decide_blas_core;
  SUBCASE("after a successful re-exec: no loop, no warning, says so") {
    auto d = decide_blas_core("Cooperlake", "Cooperlake", 4, "", "Cooperlake", "Haswell");
    CHECK_FALSE(d.reexec);
    CHECK(d.warning.empty());
    CHECK(d.how.find("re-executed") != std::string::npos);
    CHECK(d.how.find("Haswell") != std::string::npos);
  }
  SUBCASE("after a re-exec that did not take: warn and continue") {
    auto d = decide_blas_core("Haswell", "Cooperlake", 4, "", "Cooperlake", "Haswell");
    CHECK_FALSE(d.reexec);
    CHECK_FALSE(d.warning.empty());
  }
  SUBCASE("PODA_BLAS_CORE=keep leaves everything alone") {
    auto d = decide_blas_core("Prescott", "Cooperlake", 4, "keep", "Prescott", "");
    CHECK_FALSE(d.reexec);
    CHECK(d.log.empty());
    CHECK(d.warning.empty());
    CHECK(d.how.find("keep") != std::string::npos);
  }
  SUBCASE("PODA_BLAS_CORE=<core> is honoured even when weaker") {
    auto d = decide_blas_core("Cooperlake", "Cooperlake", 4, "haswell", "", "");
    CHECK(d.reexec);
    CHECK(d.target == "Haswell");
    auto done = decide_blas_core("Haswell", "Cooperlake", 4, "haswell", "Haswell", "Cooperlake");
    CHECK_FALSE(done.reexec);
    CHECK(done.warning.empty());
    auto refused = decide_blas_core("Cooperlake", "Cooperlake", 4, "SapphireRapids", "SapphireRapids",
                                    "Cooperlake");
    CHECK_FALSE(refused.reexec);
    CHECK_FALSE(refused.warning.empty());
  }
  SUBCASE("an unknown PODA_BLAS_CORE is a warning, not a re-exec") {
    auto d = decide_blas_core("Haswell", "Cooperlake", 4, "Skylake-X", "", "");
    CHECK_FALSE(d.reexec);
    CHECK(d.warning.find("Skylake-X") != std::string::npos);
  }
}

TEST_CASE("the test binary runs on a core no weaker than this CPU supports") {
  const std::string core = poda::blas_core_name();
  const std::string best = poda::best_core_for(poda::cpu_features());
  MESSAGE("BLAS core " << core << " (" << poda::blas_core_how()
                       << "), best for CPU: " << (best.empty() ? "OpenBLAS's choice" : best));
  if (std::getenv("PODA_BLAS_CORE"))
    PODA_SKIP_TEST("PODA_BLAS_CORE is set: the user chose the core");
  if (best.empty()) PODA_SKIP_TEST("no core known to beat OpenBLAS's choice on this CPU");
  CHECK(poda::blas_core_rank(core) >= poda::blas_core_rank(best));
}

TEST_CASE("blas threads default to 1 and reject nonsense") {
  if (!std::getenv("PODA_THREADS")) CHECK(poda::blas_threads() == 1);
  CHECK_THROWS_AS(poda::set_blas_threads(0), std::invalid_argument);
  const int before = poda::blas_threads();
  poda::set_blas_threads(2);
  CHECK(poda::blas_threads() == 2);
  poda::set_blas_threads(before);
}

TEST_CASE("poda re-executes itself off a weak OPENBLAS_CORETYPE, unless told to keep") {
  const std::string best = poda::best_core_for(poda::cpu_features());
  if (best.empty())
    PODA_SKIP_TEST("no core known to beat OpenBLAS's choice on this CPU; nothing to test");
  const std::string base =
      "env -u PODA_BLAS_CORE -u PODA_BLAS_REEXEC -u PODA_BLAS_REEXEC_FROM -u PODA_QUIET "
      "OPENBLAS_CORETYPE=Prescott ";
  const std::string binary = "'" + poda_test::poda_binary() + "' info";

  const std::string reexec = run(base + binary);
  CAPTURE(reexec);
  CHECK(info_value(reexec, "blas core") == best);
  CHECK(reexec.find("re-running on " + best) != std::string::npos);

  const std::string quiet = run(base + "PODA_QUIET=1 " + binary);
  CAPTURE(quiet);
  CHECK(info_value(quiet, "blas core") == best);
  CHECK(quiet.find("poda:") == std::string::npos);

  const std::string keep = run(base + "PODA_BLAS_CORE=keep " + binary);
  CAPTURE(keep);
  CHECK(info_value(keep, "blas core") == "Prescott");
}
