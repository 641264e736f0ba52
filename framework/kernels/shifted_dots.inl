// The shifted dot products of kernels/shifted_dots.h (a stride-1 convolution's weight gradient),
// written once over the vector layer and compiled for each kernel target by
// kernels/target_*.cpp inside its namespace.

// The block of dw one pass holds: RO * RK accumulators, RO dy vectors and one x vector in
// registers: 3 x 4 on 16 registers, 4 x 6 on 32 (AVX-512: 10 loads for 24 FMAs where 3 x 4
// has 7 for 12). On ResNet-20's layers (bench_conv_layers, Zen 5, loaded) 3 x 4 in 16 lanes
// ran the weight gradients 6-16% slower than the AVX2 build, 4 x 6 1.5-1.9x faster.
constexpr int dots_block_rows = vector_registers >= 32 ? 4 : 3;
constexpr int dots_block_cols = vector_registers >= 32 ? 6 : 4;

// RO rows by RK columns of dw: RO * RK accumulators, one dot product each. Every step loads
// the RO rows' dy vectors once for all RK columns, and each column's x vector once for all
// RO rows.
template <int RO, int RK>
inline void dots_block(const float* dy, std::size_t ldd, const float* x, const std::int32_t* off,
                       std::size_t K, std::size_t L, float* dw, bool accumulate) {
  V acc[RO][RK];
  const float* xs[RK];
  PODA_UNROLL for (int k = 0; k < RK; ++k) {
    xs[k] = x + off[k];
    PODA_UNROLL for (int o = 0; o < RO; ++o) acc[o][k] = vzero();
  }
  std::size_t q = 0;
  for (; q + W <= L; q += W) {
    V d[RO];
    PODA_UNROLL for (int o = 0; o < RO; ++o) d[o] = vload(dy + o * ldd + q);
    PODA_UNROLL for (int k = 0; k < RK; ++k) {
      const V xv = vload(xs[k] + q);
      PODA_UNROLL for (int o = 0; o < RO; ++o) acc[o][k] = vfma(d[o], xv, acc[o][k]);
    }
  }
  if (q < L) {  // the last L - q < W positions: masked loads, nothing read past L
    const std::size_t n = L - q;
    V d[RO];
    PODA_UNROLL for (int o = 0; o < RO; ++o) d[o] = vload_n(dy + o * ldd + q, n);
    PODA_UNROLL for (int k = 0; k < RK; ++k) {
      const V xv = vload_n(xs[k] + q, n);
      PODA_UNROLL for (int o = 0; o < RO; ++o) acc[o][k] = vfma(d[o], xv, acc[o][k]);
    }
  }
  PODA_UNROLL for (int o = 0; o < RO; ++o) PODA_UNROLL for (int k = 0; k < RK; ++k) {
    const float s = vsum(acc[o][k]);
    float* t = dw + o * K + k;
    *t = accumulate ? *t + s : s;
  }
}

// The last left < RK + 1 columns (left > 0), in one block of that many.
template <int RO, int RK>
inline void dots_cols_upto(std::size_t left, const float* dy, std::size_t ldd, const float* x,
                           const std::int32_t* off, std::size_t K, std::size_t L, float* dw,
                           bool accumulate) {
  if constexpr (RK > 1)
    if (left < std::size_t(RK))
      return dots_cols_upto<RO, RK - 1>(left, dy, ldd, x, off, K, L, dw, accumulate);
  dots_block<RO, RK>(dy, ldd, x, off, K, L, dw, accumulate);
}

// RO rows of dw, all K columns: blocks of dots_block_cols columns, then the rest.
template <int RO>
void dots_rows(const float* dy, std::size_t ldd, const float* x, const std::int32_t* off,
               std::size_t K, std::size_t L, float* dw, bool accumulate) {
  constexpr std::size_t RK = dots_block_cols;
  std::size_t k = 0;
  for (; k + RK <= K; k += RK) dots_block<RO, RK>(dy, ldd, x, off + k, K, L, dw + k, accumulate);
  if (k < K)
    dots_cols_upto<RO, RK - 1>(K - k, dy, ldd, x, off + k, K, L, dw + k, accumulate);
}

// Rows in blocks of dots_block_rows; one more than a block left over runs as twos (three
// rows: four as two and two rather than three and one).
void shifted_dots(const float* dy, std::size_t rows, std::size_t ldd, const float* x,
                  const std::int32_t* offset, std::size_t K, std::size_t L, float* dw,
                  bool accumulate) {
  constexpr std::size_t RB = dots_block_rows;
  std::size_t o = 0;
  for (; rows - o >= RB && rows - o != RB + 1; o += RB)
    dots_rows<RB>(dy + o * ldd, ldd, x, offset, K, L, dw + o * K, accumulate);
  if (RB > 3 && rows - o == 3) {
    dots_rows<3>(dy + o * ldd, ldd, x, offset, K, L, dw + o * K, accumulate);
    o += 3;
  }
  for (; rows - o >= 2; o += 2)
    dots_rows<2>(dy + o * ldd, ldd, x, offset, K, L, dw + o * K, accumulate);
  if (rows - o == 1) dots_rows<1>(dy + o * ldd, ldd, x, offset, K, L, dw + o * K, accumulate);
}
