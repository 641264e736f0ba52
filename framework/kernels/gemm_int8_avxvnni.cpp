// The AVX-VNNI paths of gemm_u8s8 and of the quad GEMM under conv2d_u8s8: the VEX-encoded
// 256-bit vpdpbusd of AVX2-class CPUs (Intel 12th gen on, AMD Zen 5), 4 u8 x s8 products
// per int32 lane like AVX-512 VNNI, so twice the products per instruction of the plain AVX2
// path's vpmaddwd. Register tiles of up to 6 rows by one block of 16 columns (12 ymm
// accumulators); the tile itself is int8_quad_tile.inl, shared with AVX-512 VNNI. Compiled
// with a target attribute (no AVX-512 in it: EVEX encodings would fault on these CPUs), so
// it only runs where the ISA table (kernels/int8_kernels.cpp) found AVX-VNNI.
#include <array>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "kernels/gemm_int8.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace poda::detail {

namespace {

#define PODA_QUAD_TARGET __attribute__((target("avx2,fma,avxvnni")))

using Vec = __m256i;
constexpr std::size_t kVecLanes = 8;
constexpr int kMaxRows = 6, kMaxVecs = 2;

PODA_QUAD_TARGET inline Vec vzero() { return _mm256_setzero_si256(); }
PODA_QUAD_TARGET inline Vec vload(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
PODA_QUAD_TARGET inline Vec vbroadcast(const void* p) {
  return _mm256_broadcastd_epi32(_mm_loadu_si32(p));
}
PODA_QUAD_TARGET inline void vstore(std::int32_t* p, Vec v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}
// In asm rather than _mm256_dpbusd_avx_epi32: with the intrinsic GCC 12 copies every
// accumulator to a new register and back on each K quad. "x": ymm0-15, which the VEX
// encoding can name.
PODA_QUAD_TARGET inline Vec vdot(Vec acc, Vec u, Vec s) {
  __asm__("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(u), "x"(s));
  return acc;
}

#include "kernels/int8_quad_tile.inl"

#undef PODA_QUAD_TARGET

}  // namespace

void gemm_u8s8_avxvnni(std::size_t M, const std::uint8_t* A, std::size_t lda,
                       const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  quad_gemm<false>(M, A, lda, W.k, W.quads(),
                   reinterpret_cast<const std::uint8_t*>(W.data.data()), W.n, C, ldc);
}

void gemm_quads_s8u8_avxvnni(std::size_t M, const std::int8_t* A, std::size_t lda,
                             std::size_t K, const std::uint8_t* B, std::size_t N,
                             std::int32_t* C, std::size_t ldc) {
  quad_gemm<true>(M, reinterpret_cast<const std::uint8_t*>(A), lda, K, (K + 3) / 4, B, N, C, ldc);
}

}  // namespace poda::detail

#else

namespace poda::detail {
void gemm_u8s8_avxvnni(std::size_t, const std::uint8_t*, std::size_t, const PackedInt8Weights&,
                       std::int32_t*, std::size_t) {
  throw std::logic_error("gemm_u8s8_avxvnni: not built for this CPU architecture");
}
void gemm_quads_s8u8_avxvnni(std::size_t, const std::int8_t*, std::size_t, std::size_t,
                             const std::uint8_t*, std::size_t, std::int32_t*, std::size_t) {
  throw std::logic_error("gemm_quads_s8u8_avxvnni: not built for this CPU architecture");
}
}  // namespace poda::detail

#endif
