// The AVX-512 VNNI paths of gemm_u8s8 and of the quad GEMM under conv2d_u8s8: register tiles
// of up to 6 rows by up to 4 blocks of 16 columns (24 zmm accumulators; 4 x 4 measured 1.1x
// slower on LeNet-300-100's fc1), one vpdpbusd per (row, block, K quad); the tile itself is int8_quad_tile.inl, shared with AVX-VNNI.
// Compiled with a target attribute, so the file builds on any x86 compiler and only runs
// where the ISA table (kernels/int8_kernels.cpp) found VNNI.
#include <array>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "kernels/gemm_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace poda::detail {

namespace {

#define PODA_QUAD_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

using Vec = __m512i;
constexpr std::size_t kVecLanes = 16;
constexpr int kMaxRows = 6, kMaxVecs = 4;  // 24 accumulators, 4 B vectors, 1 broadcast

PODA_QUAD_TARGET inline Vec vzero() { return _mm512_setzero_si512(); }
PODA_QUAD_TARGET inline Vec vload(const void* p) { return _mm512_loadu_si512(p); }
PODA_QUAD_TARGET inline Vec vbroadcast(const void* p) {
  return _mm512_maskz_broadcastd_epi32(0xFFFF, _mm_loadu_si32(p));  // maskz: see simd_avx512.inl
}
PODA_QUAD_TARGET inline void vstore(std::int32_t* p, Vec v) { _mm512_storeu_si512(p, v); }
// In asm rather than _mm512_dpbusd_epi32: with the intrinsic GCC 12 copied the accumulators
// to new registers and back on each K quad (in the disassembly); through asm LeNet-300-100
// fc1's GEMM took 36 instead of 48 us (loaded Zen 5).
PODA_QUAD_TARGET inline Vec vdot(Vec acc, Vec u, Vec s) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s));
  return acc;
}

#include "kernels/int8_quad_tile.inl"

#undef PODA_QUAD_TARGET

}  // namespace

void gemm_u8s8_vnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                    const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  quad_gemm<false>(M, A, lda, W.k, W.quads(),
                   reinterpret_cast<const std::uint8_t*>(W.data.data()), W.n, C, ldc);
}

void gemm_quads_s8u8_vnni(std::size_t M, const std::int8_t* A, std::size_t lda, std::size_t K,
                          const std::uint8_t* B, std::size_t N, std::int32_t* C, std::size_t ldc) {
  quad_gemm<true>(M, reinterpret_cast<const std::uint8_t*>(A), lda, K, (K + 3) / 4, B, N, C, ldc);
}

}  // namespace poda::detail

#else

namespace poda::detail {
void gemm_u8s8_vnni(std::size_t, const std::uint8_t*, std::size_t, const PackedInt8Weights&,
                    std::int32_t*, std::size_t) {
  throw std::logic_error("gemm_u8s8_vnni: not built for this CPU architecture");
}
void gemm_quads_s8u8_vnni(std::size_t, const std::int8_t*, std::size_t, std::size_t,
                          const std::uint8_t*, std::size_t, std::int32_t*, std::size_t) {
  throw std::logic_error("gemm_quads_s8u8_vnni: not built for this CPU architecture");
}
}  // namespace poda::detail

#endif
