// The shifted dot products of kernels/shifted_dots.h (a stride-1 convolution's weight gradient),
// written once over the vector layer and compiled for each kernel target by
// kernels/target_*.cpp inside its namespace.

// RO rows by RK columns of dw: RO * RK accumulators, one dot product each. Every step loads
// the RO rows' dy vectors once for all RK columns, and each column's x vector once for all
// RO rows (3 x 4: twelve accumulators, three dy and one x register on 16 registers).
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

// RO rows of dw, all K columns: blocks of four columns, then the rest.
template <int RO>
void dots_rows(const float* dy, std::size_t ldd, const float* x, const std::int32_t* off,
               std::size_t K, std::size_t L, float* dw, bool accumulate) {
  std::size_t k = 0;
  for (; k + 4 <= K; k += 4) dots_block<RO, 4>(dy, ldd, x, off + k, K, L, dw + k, accumulate);
  if (K - k == 3) dots_block<RO, 3>(dy, ldd, x, off + k, K, L, dw + k, accumulate);
  if (K - k == 2) dots_block<RO, 2>(dy, ldd, x, off + k, K, L, dw + k, accumulate);
  if (K - k == 1) dots_block<RO, 1>(dy, ldd, x, off + k, K, L, dw + k, accumulate);
}

// Rows in blocks of three; four left over run as two and two rather than three and one.
void shifted_dots(const float* dy, std::size_t rows, std::size_t ldd, const float* x,
                  const std::int32_t* offset, std::size_t K, std::size_t L, float* dw,
                  bool accumulate) {
  std::size_t o = 0;
  for (; rows - o >= 3 && rows - o != 4; o += 3)
    dots_rows<3>(dy + o * ldd, ldd, x, offset, K, L, dw + o * K, accumulate);
  for (; rows - o >= 2; o += 2)
    dots_rows<2>(dy + o * ldd, ldd, x, offset, K, L, dw + o * K, accumulate);
  if (rows - o == 1) dots_rows<1>(dy + o * ldd, ldd, x, offset, K, L, dw + o * K, accumulate);
}
