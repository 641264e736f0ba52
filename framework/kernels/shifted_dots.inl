// The shifted dot products of kernels/shifted_dots.h (a stride-1 convolution's weight gradient),
// written once over the vector layer and compiled for each kernel target by
// kernels/target_*.cpp inside its namespace.

// The block of dw one pass holds: RO * RK accumulators and, in the other registers, the
// narrower side's vectors of one step plus the one vector of the other side that streams
// through them (dots_step). 4 x 6 on 32 registers (AVX-512: 10 loads for 24 FMAs where 3 x 4
// has 7 for 12); 4 x 3 on 16, holding the three x vectors of a row of taps: 7 loads for 12
// FMAs as 3 x 4, but three of them the unaligned shifted x (one per tap) rather than four, and
// a layer of 16, 32 or 64 channels in blocks of 4 rows, where 3 x 4 left two blocks of 2.
// On ResNet-20's layers (bench_conv_layers, Zen 5, AVX2, loaded) 2 x 6 (six x loads for 12
// FMAs) ran the weight gradients 1.3-1.5x slower than 3 x 4: the shifted x loads set the pace.
// (Earlier, on AVX-512: 3 x 4 in 16 lanes 6-16% slower than the AVX2 build, 4 x 6 1.5-1.9x
// faster.)
constexpr int dots_block_rows = 4;
constexpr int dots_block_cols = vector_registers >= 32 ? 6 : 3;

// One step of an RO x RK block: acc[o][k] += d_o * x_k over the W (or n, when !Full) positions
// from dy row o at `out` (rows ldd apart) and from x column k at xs[k] + in. The narrower side
// is loaded first and kept; each vector of the wider side is loaded once and used across it.
template <int RO, int RK, bool Full>
inline void dots_step(V (&acc)[RO][RK], const float* dy, std::size_t ldd,
                      const float* const (&xs)[RK], std::size_t in, std::size_t n) {
  auto load = [n](const float* p) { return Full ? vload(p) : vload_n(p, n); };
  if constexpr (RK < RO) {
    V xv[RK];
    PODA_UNROLL for (int k = 0; k < RK; ++k) xv[k] = load(xs[k] + in);
    PODA_UNROLL for (int o = 0; o < RO; ++o) {
      const V d = load(dy + o * ldd);
      PODA_UNROLL for (int k = 0; k < RK; ++k) acc[o][k] = vfma(d, xv[k], acc[o][k]);
    }
  } else {
    V d[RO];
    PODA_UNROLL for (int o = 0; o < RO; ++o) d[o] = load(dy + o * ldd);
    PODA_UNROLL for (int k = 0; k < RK; ++k) {
      const V xv = load(xs[k] + in);
      PODA_UNROLL for (int o = 0; o < RO; ++o) acc[o][k] = vfma(d[o], xv, acc[o][k]);
    }
  }
}

// RO rows by RK columns of dw: RO * RK accumulators, one dot product each.
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
  for (; q + W <= L; q += W) dots_step<RO, RK, true>(acc, dy + q, ldd, xs, q, W);
  // the last L - q < W positions: masked loads, nothing read past L
  if (q < L) dots_step<RO, RK, false>(acc, dy + q, ldd, xs, q, L - q);
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
