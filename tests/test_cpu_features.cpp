#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "kernels/cpu_features.h"
#include "skip.h"

TEST_CASE("CpuFeatures::describe lists present features only") {
  poda::CpuFeatures f;
  CHECK(f.describe() == "none");
  f.avx2 = true;
  f.fma = true;
  f.avx512_bf16 = true;
  CHECK(f.describe() == "avx2 fma avx512_bf16");
  CHECK_FALSE(f.avx512_base());
  f.avx512f = f.avx512bw = f.avx512dq = f.avx512vl = true;
  CHECK(f.avx512_base());
}

TEST_CASE("cpuid features agree with the kernel's /proc/cpuinfo flags") {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, flags_line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0) {
      flags_line = line.substr(line.find(':') + 1);
      break;
    }
  if (flags_line.empty()) PODA_SKIP_TEST("no x86 flags line in /proc/cpuinfo; nothing to compare");
  std::set<std::string> flags;
  std::istringstream words(flags_line);
  for (std::string w; words >> w;) flags.insert(w);

  const poda::CpuFeatures& f = poda::cpu_features();
  MESSAGE("cpu: " << f.brand << " [" << f.vendor << "]: " << f.describe());
  CHECK_FALSE(f.vendor.empty());
  // The kernel hides flags whose register state it does not enable, as we do.
  CHECK(f.sse4_2 == (flags.count("sse4_2") == 1));
  CHECK(f.avx == (flags.count("avx") == 1));
  CHECK(f.avx2 == (flags.count("avx2") == 1));
  CHECK(f.fma == (flags.count("fma") == 1));
  CHECK(f.avx512f == (flags.count("avx512f") == 1));
  CHECK(f.avx512bw == (flags.count("avx512bw") == 1));
  CHECK(f.avx512dq == (flags.count("avx512dq") == 1));
  CHECK(f.avx512vl == (flags.count("avx512vl") == 1));
  CHECK(f.avx512_vnni == (flags.count("avx512_vnni") == 1));
  CHECK(f.avx512_bf16 == (flags.count("avx512_bf16") == 1));
}
