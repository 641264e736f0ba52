// The small-layer kernels (kernels/small_layer_kernels.h), written once over the vector layer
// and compiled for each kernel target (see kernels/direct.inl).

// NV output rows x n <= W columns of one filter, kernel K:
//   y[r, 0:n) = bias + Σ_{c, kh, kw} w[c, kh, kw] * x[c, r + kh, kw + 0:n)
// x, y at the block's first row and column; rows wp apart, input planes plane apart.
template <int K, int NV, bool Full>
void few_rows_block(const float* w, std::size_t c_in, float bias, const float* x,
                    std::size_t wp, std::size_t plane, std::size_t n, float* y) {
  V acc[NV];
  PODA_UNROLL for (int r = 0; r < NV; ++r) acc[r] = vset(bias);
  for (std::size_t c = 0; c < c_in; ++c) {
    const float* xc = x + c * plane;
    const float* wc = w + c * K * K;  // (K, K)
    PODA_UNROLL for (int kw = 0; kw < K; ++kw) {
      V v[NV + K - 1];  // input rows 0 .. NV + K - 2 at column kw
      PODA_UNROLL for (int j = 0; j < NV + K - 1; ++j) v[j] =
          Full ? vload(xc + j * wp + kw) : vload_n(xc + j * wp + kw, n);
      PODA_UNROLL for (int kh = 0; kh < K; ++kh) {
        const V wv = vset(wc[kh * K + kw]);
        PODA_UNROLL for (int r = 0; r < NV; ++r) acc[r] = vfma(wv, v[r + kh], acc[r]);
      }
    }
  }
  PODA_UNROLL for (int r = 0; r < NV; ++r) {
    if (Full)
      vstore(y + r * wp, acc[r]);
    else
      vstore_n(y + r * wp, acc[r], n);
  }
}

// few_rows_block with NV = rows <= NV_MAX, rows known only at run time.
template <int K, int NV>
void few_rows_upto(std::size_t rows, const float* w, std::size_t c_in, float bias, const float* x,
                   std::size_t wp, std::size_t plane, std::size_t n, float* y) {
  if constexpr (NV > 1)
    if (rows < std::size_t(NV))
      return few_rows_upto<K, NV - 1>(rows, w, c_in, bias, x, wp, plane, n, y);
  if (n == W)
    few_rows_block<K, NV, true>(w, c_in, bias, x, wp, plane, n, y);
  else
    few_rows_block<K, NV, false>(w, c_in, bias, x, wp, plane, n, y);
}

// Rows per block: NV accumulators and NV + K - 1 input vectors stay in registers (at most
// eight rows); the map split into blocks of equal height, so the last block does not load
// K - 1 extra input rows for a few output rows.
template <int K>
void few_filter(const float* w, std::size_t c_in, float bias, const float* xp, std::size_t oh,
                std::size_t ow, float* y) {
  constexpr int fit = (vector_registers - K) / 2;
  constexpr std::size_t max_rows = fit > 8 ? 8 : fit;
  const std::size_t blocks = (oh + max_rows - 1) / max_rows, rows = (oh + blocks - 1) / blocks;
  const std::size_t wp = ow + K - 1, plane = (oh + K - 1) * wp;
  for (std::size_t i = 0; i < oh; i += rows)
    for (std::size_t j = 0; j < ow; j += W)
      few_rows_upto<K, max_rows>(oh - i < rows ? oh - i : rows, w, c_in, bias, xp + i * wp + j,
                                 wp, plane, ow - j < W ? ow - j : W, y + i * wp + j);
}

// Any kernel size: one output row at a time, the vectors along it.
void few_filter_any(const float* w, std::size_t c_in, std::size_t k, float bias, const float* xp,
                    std::size_t oh, std::size_t ow, float* y) {
  const std::size_t wp = ow + k - 1, plane = (oh + k - 1) * wp;
  for (std::size_t i = 0; i < oh; ++i)
    for (std::size_t j = 0; j < ow; j += W) {
      const std::size_t n = ow - j < W ? ow - j : W;
      V acc = vset(bias);
      for (std::size_t c = 0; c < c_in; ++c)
        for (std::size_t kh = 0; kh < k; ++kh)
          for (std::size_t kw = 0; kw < k; ++kw)
            acc = vfma(vset(w[(c * k + kh) * k + kw]),
                       vload_n(xp + c * plane + (i + kh) * wp + kw + j, n), acc);
      vstore_n(y + i * wp + j, acc, n);
    }
}

void conv_few_filters(const float* w, std::size_t filters, std::size_t c_in, std::size_t k,
                      const float* bias, const float* xp, std::size_t oh, std::size_t ow, float* y,
                      std::size_t y_plane) {
  for (std::size_t f = 0; f < filters; ++f) {
    const float* wf = w + f * c_in * k * k;
    if (k == 3)
      few_filter<3>(wf, c_in, bias[f], xp, oh, ow, y + f * y_plane);
    else if (k == 5)
      few_filter<5>(wf, c_in, bias[f], xp, oh, ow, y + f * y_plane);
    else
      few_filter_any(wf, c_in, k, bias[f], xp, oh, ow, y + f * y_plane);
  }
}

// NV vectors of outputs (rows <= W * NV); U inputs per step into U accumulator sets, so
// U * NV FMA chains hide the latency. The last vector of a weight row reads on into the
// next row where one follows (those lanes are never stored), masked only near the end.
template <int NV>
void narrow_rows(const float* wt, std::size_t rows, std::size_t cols, const float* bias,
                 const float* x, float* y, bool relu) {
  constexpr int U = NV >= 8 ? 1 : 8 / NV;
  const std::size_t last = rows - W * (NV - 1);  // lanes of the last vector
  // columns whose last vector ends inside wt
  const std::size_t span = W * NV, total = rows * cols;
  const std::size_t safe = total < span ? 0 : (total - span) / rows + 1;
  const std::size_t unmasked = safe < cols ? safe : cols;
  V a[U][NV];
  PODA_UNROLL for (int u = 0; u < U; ++u) PODA_UNROLL for (int v = 0; v < NV; ++v) a[u][v] =
      vzero();
  std::size_t c = 0;
  for (; c + U <= unmasked; c += U) PODA_UNROLL for (int u = 0; u < U; ++u) {
      const V xv = vset(x[c + u]);
      const float* wc = wt + (c + u) * rows;  // (rows)
      PODA_UNROLL for (int v = 0; v < NV; ++v) a[u][v] = vfma(xv, vload(wc + W * v), a[u][v]);
    }
  for (; c < cols; ++c) {
    const V xv = vset(x[c]);
    const float* wc = wt + c * rows;
    PODA_UNROLL for (int v = 0; v < NV - 1; ++v) a[0][v] = vfma(xv, vload(wc + W * v), a[0][v]);
    a[0][NV - 1] = vfma(xv, vload_n(wc + W * (NV - 1), last), a[0][NV - 1]);
  }
  PODA_UNROLL for (int v = 0; v < NV; ++v) {
    const std::size_t n = v + 1 < NV ? W : last;
    V s = vload_n(bias + W * v, n);
    PODA_UNROLL for (int u = 0; u < U; ++u) s = vadd(s, a[u][v]);
    if (relu) s = vmax(s, vzero());
    vstore_n(y + W * v, s, n);
  }
}

// narrow_rows with the fewest vectors that hold `rows`.
template <int NV>
void narrow_upto(const float* wt, std::size_t rows, std::size_t cols, const float* bias,
                 const float* x, float* y, bool relu) {
  if constexpr (NV > 1)
    if (rows <= W * (NV - 1)) return narrow_upto<NV - 1>(wt, rows, cols, bias, x, y, relu);
  narrow_rows<NV>(wt, rows, cols, bias, x, y, relu);
}

void matvec_narrow(const float* wt, std::size_t rows, std::size_t cols, const float* bias,
                   const float* x, float* y, bool relu) {
  constexpr int max_vectors = int((narrow_matvec_max_rows + W - 1) / W);
  if (rows == 0) return;
  narrow_upto<max_vectors>(wt, rows, cols, bias, x, y, relu);
}
