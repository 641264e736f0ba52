#include "kernels/cpu_features.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define PODA_X86 1
#endif

namespace poda {

std::string CpuFeatures::describe() const {
  std::string out;
  auto add = [&out](bool present, const char* name) {
    if (!present) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  add(sse4_2, "sse4.2");
  add(avx, "avx");
  add(avx2, "avx2");
  add(fma, "fma");
  add(avx512f, "avx512f");
  add(avx512bw, "avx512bw");
  add(avx512dq, "avx512dq");
  add(avx512vl, "avx512vl");
  add(avx512_vnni, "avx512_vnni");
  add(avx512_bf16, "avx512_bf16");
  add(avx_vnni, "avx_vnni");
  return out.empty() ? "none" : out;
}

#ifdef PODA_X86
namespace {

bool bit(unsigned reg, int n) {
  return (reg >> n) & 1u;
}

// XCR0: which register files the OS saves on context switch.
std::uint64_t read_xcr0() {
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
}

std::string trim(const std::string& s) {
  auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  auto last = s.find_last_not_of(' ');
  return s.substr(first, last - first + 1);
}

}  // namespace

CpuFeatures detect_cpu_features() {
  CpuFeatures f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
  const unsigned max_leaf = a;
  char vendor[13] = {};
  std::memcpy(vendor + 0, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  f.vendor = vendor;

  __get_cpuid(1, &a, &b, &c, &d);
  f.sse4_2 = bit(c, 20);
  const bool osxsave = bit(c, 27);
  const bool cpu_avx = bit(c, 28);
  const bool cpu_fma = bit(c, 12);
  const std::uint64_t xcr0 = osxsave ? read_xcr0() : 0;
  const bool os_avx = (xcr0 & 0x6) == 0x6;       // SSE + AVX state
  const bool os_avx512 = (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM0-15 hi, ZMM16-31
  f.avx = cpu_avx && os_avx;
  f.fma = cpu_fma && os_avx;

  if (max_leaf >= 7) {
    __get_cpuid_count(7, 0, &a, &b, &c, &d);
    const unsigned max_subleaf = a;
    f.avx2 = bit(b, 5) && os_avx;
    f.avx512f = bit(b, 16) && os_avx512;
    f.avx512dq = bit(b, 17) && os_avx512;
    f.avx512bw = bit(b, 30) && os_avx512;
    f.avx512vl = bit(b, 31) && os_avx512;
    f.avx512_vnni = bit(c, 11) && os_avx512;
    if (max_subleaf >= 1) {
      __get_cpuid_count(7, 1, &a, &b, &c, &d);
      f.avx512_bf16 = bit(a, 5) && os_avx512;
      f.avx_vnni = bit(a, 4) && os_avx;
    }
  }

  if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
    char brand[49] = {};
    for (unsigned leaf = 0; leaf < 3; ++leaf) {
      __get_cpuid(0x80000002 + leaf, &a, &b, &c, &d);
      std::memcpy(brand + 16 * leaf + 0, &a, 4);
      std::memcpy(brand + 16 * leaf + 4, &b, 4);
      std::memcpy(brand + 16 * leaf + 8, &c, 4);
      std::memcpy(brand + 16 * leaf + 12, &d, 4);
    }
    f.brand = trim(brand);
  }
  return f;
}
#else
// Not x86: no cpuid, so nothing is claimed and OpenBLAS keeps its own choice.
CpuFeatures detect_cpu_features() {
  return {};
}
#endif

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect_cpu_features();
  return features;
}

}  // namespace poda
