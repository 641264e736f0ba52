#include "kernels/gemm_int8.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/int8_kernels.h"

namespace poda {

bool int8_avx2_runnable() {
  return kernel_isa_runnable(KernelIsa::avx2);
}

const char* int8_kernel_name() {
  return int8_kernels().active().name;
}

namespace {

// W (N, K) -> the int16 pair layout of PackedInt8Weights::pairs.
void pack_int16_pairs(const std::int8_t* w, PackedInt8Weights& packed) {
  const std::size_t pairs = packed.pair_count();
  packed.pairs.assign(packed.pair_blocks() * pairs * kInt16Lanes * kInt16Pair, 0);
  for (std::size_t n = 0; n < packed.n; ++n) {
    const std::size_t block = n / kInt16Lanes, lane = n % kInt16Lanes;
    for (std::size_t k = 0; k < packed.k; ++k) {
      const std::size_t p = k / kInt16Pair, half = k % kInt16Pair;
      packed.pairs[((block * pairs + p) * kInt16Lanes + lane) * kInt16Pair + half] =
          w[n * packed.k + k];
    }
  }
}

}  // namespace

PackedInt8Weights pack_int8_weights(const std::int8_t* w, std::size_t N, std::size_t K) {
  if (K >= 66000)
    throw std::invalid_argument("pack_int8_weights: K = " + std::to_string(K) +
                                " could overflow the int32 sums (K must be < 66000)");
  PackedInt8Weights packed;
  packed.n = N;
  packed.k = K;
  const std::size_t quads = packed.quads();
  packed.data.assign(packed.blocks() * quads * kInt8Lanes * kInt8Quad, 0);
  packed.row_sum.assign(N, 0);
  for (std::size_t n = 0; n < N; ++n) {
    const std::size_t block = n / kInt8Lanes, lane = n % kInt8Lanes;
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t q = k / kInt8Quad, byte = k % kInt8Quad;
      packed.data[((block * quads + q) * kInt8Lanes + lane) * kInt8Quad + byte] = w[n * K + k];
      packed.row_sum[n] += w[n * K + k];
    }
  }
  if (int8_avx2_runnable()) pack_int16_pairs(w, packed);
  return packed;
}

void gemm_u8s8(std::size_t M, const std::uint8_t* A, std::size_t lda, const PackedInt8Weights& W,
               std::int32_t* C, std::size_t ldc) {
  if (lda < W.k || ldc < W.n)
    throw std::invalid_argument("gemm_u8s8: lda " + std::to_string(lda) + " < K " +
                                std::to_string(W.k) + " or ldc " + std::to_string(ldc) + " < N " +
                                std::to_string(W.n));
  int8_kernels().active().gemm(M, A, lda, W, C, ldc);
}

namespace detail {

// Up to 4 rows of A against one block of 16 output channels, a K quad at a time: each row's
// 4 bytes meet the block's (16, 4) weights, so the innermost loop runs over the 16 lanes with
// unit-stride accumulators (the compiler vectorises it) and each weight byte loaded serves 4
// rows. Bytes past K read as 0 (the packed weights are 0 there too).
void gemm_u8s8_scalar(std::size_t M, const std::uint8_t* A, std::size_t lda,
                      const PackedInt8Weights& W, std::int32_t* C, std::size_t ldc) {
  constexpr std::size_t kRows = 4;
  const std::size_t quads = W.quads();
  for (std::size_t m0 = 0; m0 < M; m0 += kRows) {
    const std::size_t rows = M - m0 < kRows ? M - m0 : kRows;
    for (std::size_t block = 0; block < W.blocks(); ++block) {
      std::int32_t acc[kRows][kInt8Lanes] = {};
      const std::int8_t* b =
          W.data.data() + block * quads * kInt8Lanes * kInt8Quad;  // (quads, 16, 4)
      for (std::size_t q = 0; q < quads; ++q) {
        const std::int8_t* bq = b + q * kInt8Lanes * kInt8Quad;  // (16, 4)
        for (std::size_t r = 0; r < rows; ++r) {
          std::int32_t a[kInt8Quad] = {};
          for (std::size_t i = 0; i < kInt8Quad && q * kInt8Quad + i < W.k; ++i)
            a[i] = A[(m0 + r) * lda + q * kInt8Quad + i];
          for (std::size_t j = 0; j < kInt8Lanes; ++j)
            acc[r][j] += a[0] * bq[j * 4] + a[1] * bq[j * 4 + 1] + a[2] * bq[j * 4 + 2] +
                         a[3] * bq[j * 4 + 3];
        }
      }
      const std::size_t n0 = block * kInt8Lanes;
      const std::size_t width = W.n - n0 < kInt8Lanes ? W.n - n0 : kInt8Lanes;
      for (std::size_t r = 0; r < rows; ++r)
        std::memcpy(C + (m0 + r) * ldc + n0, acc[r], width * sizeof(std::int32_t));
    }
  }
}

}  // namespace detail

}  // namespace poda
