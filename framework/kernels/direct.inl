// The direct kernels (kernels/direct_kernels.h), written once over the vector layer
// (simd_generic.inl / simd_neon.inl / simd_avx2.inl / simd_avx512.inl: V holds W floats) and
// compiled for each kernel target by kernels/target_*.cpp inside its namespace.

// Vectors of positions a block of R rows runs: R of them are accumulators, and the rest of
// the registers hold the input vectors and the broadcast weight. At most 128 positions for
// one row and 64 for more, so a short map (LeNet-5's 10-wide rows) is not left in long
// masked tails: 8, 6, 4, 3 vectors of 8 on 16 registers (AVX2), 8, 4, 4, 4 of 16 on 32.
constexpr int shifted_vectors(int R) {
  const int budget = (vector_registers - 4) / R, span = (R == 1 ? 128 : 64) / int(W);
  const int nv = budget < span ? budget : span;
  return nv < 1 ? 1 : nv > 8 ? 8 : nv;
}

// R rows over n <= W * NV positions: y[r, 0:n) = bias[r] + Σ_k w[r, k] * xr[off[k] + 0:n).
// R * NV accumulators; each tap loads NV input vectors once for all R rows. Full: n is
// W * NV, no masked loads.
template <int R, int NV, bool Full>
inline void shifted_block(const float* w, std::size_t K, const std::int32_t* off,
                          const float* xr, const float* bias, std::size_t n, float* y,
                          std::size_t ldy) {
  std::size_t lanes[NV];
  V acc[R][NV];
  PODA_UNROLL for (int v = 0; v < NV; ++v) {
    lanes[v] = n > W * v ? n - W * v : 0;
    PODA_UNROLL for (int r = 0; r < R; ++r) acc[r][v] = vset(bias[r]);
  }
  for (std::size_t k = 0; k < K; ++k) {
    const float* xs = xr + off[k];  // (n)
    V xv[NV];
    PODA_UNROLL for (int v = 0; v < NV; ++v) xv[v] =
        Full ? vload(xs + W * v) : vload_n(xs + W * v, lanes[v]);
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      const V wv = vset(w[r * K + k]);
      PODA_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = vfma(wv, xv[v], acc[r][v]);
    }
  }
  PODA_UNROLL for (int r = 0; r < R; ++r) {
    PODA_UNROLL for (int v = 0; v < NV; ++v) {
      if (Full)
        vstore(y + r * ldy + W * v, acc[r][v]);
      else
        vstore_n(y + r * ldy + W * v, acc[r][v], lanes[v]);
    }
  }
}

// The last n < W * NV positions, in as few vectors as they need.
template <int R, int NV>
inline void shifted_tail(const float* w, std::size_t K, const std::int32_t* off,
                         const float* xr, const float* bias, std::size_t n, float* y,
                         std::size_t ldy) {
  if constexpr (NV > 1)
    if (n <= W * (NV - 1)) return shifted_tail<R, NV - 1>(w, K, off, xr, bias, n, y, ldy);
  shifted_block<R, NV, false>(w, K, off, xr, bias, n, y, ldy);
}

// R rows sharing one input base, all of L.
template <int R>
void shifted_rows(const float* w, std::size_t K, const std::int32_t* off, const float* xr,
                  const float* bias, std::size_t L, float* y, std::size_t ldy) {
  constexpr int NV = shifted_vectors(R);
  std::size_t p = 0;
  for (; p + W * NV <= L; p += W * NV)
    shifted_block<R, NV, true>(w, K, off, xr + p, bias, W * NV, y + p, ldy);
  if (p < L) shifted_tail<R, NV>(w, K, off, xr + p, bias, L - p, y + p, ldy);
}

// Rows in blocks of up to four that share an input base (one convolution group).
void dense_rows_shifted(const float* w, std::size_t rows, std::size_t K,
                        const std::int32_t* col_offset, const std::int32_t* row_base,
                        const float* bias, const float* x, std::size_t L, float* y,
                        std::size_t ldy) {
  auto base = [&](std::size_t r) { return row_base ? row_base[r] : 0; };
  for (std::size_t r = 0; r < rows;) {
    std::size_t n = 1;
    while (n < 4 && r + n < rows && base(r + n) == base(r)) ++n;
    const float* wr = w + r * K;
    const float* xr = x + base(r);
    float* yr = y + r * ldy;
    if (n == 4)
      shifted_rows<4>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    else if (n == 3)
      shifted_rows<3>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    else if (n == 2)
      shifted_rows<2>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    else
      shifted_rows<1>(wr, K, col_offset, xr, bias + r, L, yr, ldy);
    r += n;
  }
}

// R rows of y = act(bias + w · x), two vectors of columns per step (2R FMA chains).
template <int R>
inline void matvec_rows(const float* w, std::size_t cols, const float* x, const float* bias,
                        float* y, bool relu) {
  V a[R], b[R];
  PODA_UNROLL for (int r = 0; r < R; ++r) a[r] = b[r] = vzero();
  std::size_t c = 0;
  for (; c + 2 * W <= cols; c += 2 * W) {
    const V x0 = vload(x + c), x1 = vload(x + c + W);
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      a[r] = vfma(vload(w + r * cols + c), x0, a[r]);
      b[r] = vfma(vload(w + r * cols + c + W), x1, b[r]);
    }
  }
  for (; c < cols; c += W) {
    const V x0 = vload_n(x + c, cols - c);
    PODA_UNROLL for (int r = 0; r < R; ++r) a[r] = vfma(vload_n(w + r * cols + c, cols - c), x0,
                                                       a[r]);
  }
  PODA_UNROLL for (int r = 0; r < R; ++r) {
    const float sum = bias[r] + vsum(vadd(a[r], b[r]));
    y[r] = relu && sum < 0.0f ? 0.0f : sum;
  }
}

void dense_matvec(const float* w, std::size_t rows, std::size_t cols, const float* bias,
                  const float* x, float* y, bool relu) {
  std::size_t r = 0;
  for (; r + 4 <= rows; r += 4) matvec_rows<4>(w + r * cols, cols, x, bias + r, y + r, relu);
  for (; r < rows; ++r) matvec_rows<1>(w + r * cols, cols, x, bias + r, y + r, relu);
}

// W outputs of a pooled row (n <= W of them) from input rows r0 and r1.
inline void pool_row(const float* r0, const float* r1, std::size_t n, V floor, float* y) {
  V a, b;
  if (n == W) {
    a = vmax(vload(r0), vload(r1));
    b = vmax(vload(r0 + W), vload(r1 + W));
  } else {
    const std::size_t lo = 2 * n, hi = 2 * n > W ? 2 * n - W : 0;
    a = vmax(vload_n(r0, lo), vload_n(r1, lo));
    b = vmax(vload_n(r0 + W, hi), vload_n(r1 + W, hi));
  }
  vstore_n(y, vmax(vmax_pairs(a, b), floor), n);
}

void max_pool2x2(const float* x, std::size_t row_stride, std::size_t plane_stride,
                 std::size_t planes, std::size_t ph, std::size_t pw, float floor, float* y) {
  const V f = vset(floor);
  for (std::size_t c = 0; c < planes; ++c)
    for (std::size_t i = 0; i < ph; ++i) {
      const float* r0 = x + c * plane_stride + 2 * i * row_stride;
      float* yr = y + (c * ph + i) * pw;
      for (std::size_t j = 0; j < pw; j += W)
        pool_row(r0 + 2 * j, r0 + row_stride + 2 * j, pw - j < W ? pw - j : W, f, yr + j);
    }
}
