#pragma once
// What the CPU (and the OS) can execute, read once via cpuid. Used to pick
// OpenBLAS kernels and shown by `poda info`.
#include <string>

namespace poda {

struct CpuFeatures {
  std::string vendor;  // "GenuineIntel", "AuthenticAMD", ... ("" off x86)
  std::string brand;   // "AMD EPYC 9355 32-Core Processor", ...
  bool sse4_2 = false;
  // The AVX flags below are only set when the OS also saves the wider
  // registers (XCR0), because that is what decides whether the code runs.
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512vl = false;
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
  bool avx_vnni = false;  // the VEX vpdpbusd on ymm (CPUID 7.1 EAX bit 4), AVX state enough

  // f, bw, dq and vl together: what OpenBLAS's SkylakeX kernels need.
  bool avx512_base() const { return avx512f && avx512bw && avx512dq && avx512vl; }
  // "sse4.2 avx avx2 fma avx512f ..." (only the present ones; "none" if empty).
  std::string describe() const;
};

// Reads cpuid on every call; cheap, but prefer cpu_features().
CpuFeatures detect_cpu_features();
// The features of this machine, detected on first use.
const CpuFeatures& cpu_features();

}  // namespace poda
