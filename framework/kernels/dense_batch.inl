// The batched Dense kernel (kernels/dense_batch_kernels.h), written once over the vector
// layer (simd_*.inl: V holds W floats) and compiled for each kernel target by
// kernels/target_*.cpp inside its namespace.
//
// Register tile: R output rows x NV vectors of batch columns, R * NV accumulators; each input
// k loads NV vectors of x once for all R rows and broadcasts R packed weights, so the tile
// needs R * NV + NV + 1 registers: 6 x 4 vectors (6 x 64 columns) on AVX-512's 32, 6 x 2 on 16.

constexpr int dense_batch_vectors = vector_registers >= 32 ? 4 : 2;
constexpr int dense_batch_rows = (vector_registers - dense_batch_vectors - 1) / dense_batch_vectors;
static_assert(dense_batch_rows >= 1 &&
              dense_batch_rows * dense_batch_vectors + dense_batch_vectors + 1 <= vector_registers);

// One tile: rows [0, rows) of y (rows <= R; the packed panel is zero past them) over n
// columns (n <= W * NV; Full: n == W * NV, no masked loads), inputs [0, kc) of the panel.
// first: start from the bias, else from y (a later block of inputs); last: ReLU if relu.
template <int R, int NV, bool Full>
inline void dense_batch_tile(const float* wp, const float* bias, std::size_t kc, const float* x,
                             std::size_t ldx, std::size_t n, float* y, std::size_t ldy,
                             std::size_t rows, bool first, bool last, bool relu) {
  std::size_t lanes[NV];
  V acc[R][NV];
  PODA_UNROLL for (int v = 0; v < NV; ++v) lanes[v] = n > W * v ? n - W * v : 0;
  PODA_UNROLL for (int r = 0; r < R; ++r) {
    PODA_UNROLL for (int v = 0; v < NV; ++v) {
      if (first)
        acc[r][v] = vset(bias[r]);
      else if (std::size_t(r) >= rows)
        acc[r][v] = vzero();
      else
        acc[r][v] = Full ? vload(y + r * ldy + W * v) : vload_n(y + r * ldy + W * v, lanes[v]);
    }
  }
  for (std::size_t k = 0; k < kc; ++k) {
    const float* xk = x + k * ldx;  // (n)
    const float* wk = wp + k * R;   // (R)
    V xv[NV];
    PODA_UNROLL for (int v = 0; v < NV; ++v) xv[v] =
        Full ? vload(xk + W * v) : vload_n(xk + W * v, lanes[v]);
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      const V wv = vset(wk[r]);
      PODA_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = vfma(wv, xv[v], acc[r][v]);
    }
  }
  if (last && relu) {
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      PODA_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = vmax(acc[r][v], vzero());
    }
  }
  PODA_UNROLL for (int r = 0; r < R; ++r) {
    if (std::size_t(r) >= rows) break;
    PODA_UNROLL for (int v = 0; v < NV; ++v) {
      if (Full)
        vstore(y + r * ldy + W * v, acc[r][v]);
      else
        vstore_n(y + r * ldy + W * v, acc[r][v], lanes[v]);
    }
  }
}

// The last n < W * NV columns, in as few vectors as they need.
template <int R, int NV>
inline void dense_batch_tail(const float* wp, const float* bias, std::size_t kc, const float* x,
                             std::size_t ldx, std::size_t n, float* y, std::size_t ldy,
                             std::size_t rows, bool first, bool last, bool relu) {
  if constexpr (NV > 1)
    if (n <= W * (NV - 1))
      return dense_batch_tail<R, NV - 1>(wp, bias, kc, x, ldx, n, y, ldy, rows, first, last, relu);
  dense_batch_tile<R, NV, false>(wp, bias, kc, x, ldx, n, y, ldy, rows, first, last, relu);
}

// Inputs in blocks of at most 256 KB of x (kc rows of B floats, at least 64 of them), so the
// block stays in L2 while every panel of W runs over it; each panel's (kc, R) slice stays in
// L1 across the column tiles. Smaller blocks that fit L1 measured slower on Zen 5 (AVX-512,
// LeNet-300-100's 784 -> 300 at batch 64: 32 KB blocks 127 us, 16 KB 130 us, one block
// 124 us): the tile's loads from L2 keep pace, and each block costs a reload of y.
void dense_batch(const float* wp, const float* bias, std::size_t out, std::size_t in,
                 const float* x, std::size_t B, float* y, bool relu) {
  constexpr int R = dense_batch_rows, NV = dense_batch_vectors;
  constexpr std::size_t cols = W * NV;
  const std::size_t target = std::max<std::size_t>(64, 65536 / std::max<std::size_t>(B, 1));
  const std::size_t blocks = std::max<std::size_t>(1, (in + target - 1) / target);
  const std::size_t kc_max = (in + blocks - 1) / blocks;
  const std::size_t panels = (out + R - 1) / R;
  for (std::size_t k0 = 0, blk = 0; blk < blocks; ++blk, k0 += kc_max) {
    const std::size_t kc = std::min(kc_max, in - std::min(in, k0));
    const bool first = blk == 0, last = blk + 1 == blocks;
    for (std::size_t p = 0; p < panels; ++p) {
      const float* wpk = wp + (p * in + k0) * R;  // (kc, R)
      const float* xk = x + k0 * B;               // (kc, B)
      float* yp = y + p * R * B;                  // (rows, B)
      const std::size_t rows = std::min<std::size_t>(R, out - p * R);
      std::size_t c = 0;
      for (; c + cols <= B; c += cols)
        dense_batch_tile<R, NV, true>(wpk, bias + p * R, kc, xk + c, B, cols, yp + c, B, rows,
                                      first, last, relu);
      if (c < B)
        dense_batch_tail<R, NV>(wpk, bias + p * R, kc, xk + c, B, B - c, yp + c, B, rows, first,
                                last, relu);
    }
  }
}
