// The row-grid convolution kernels (kernels/conv_rows.h), written once over the vector layer
// (kernels/simd_*.inl: V holds W floats) and compiled for each kernel target
// by kernels/target_*.cpp inside its namespace. The grid's rows are cut into vectors of W
// positions (the last of a row shorter when W does not divide the width); the full vectors
// come first, so at most one block mixes full and partial ones.

struct GridVec {
  std::size_t in, out, n;  // input and output start, lanes (<= W)
};

// The grid's vectors, full ones first; the list lives until this thread's next call.
inline const std::vector<GridVec>& grid_vectors(const RowGrid& g) {
  thread_local std::vector<GridVec> list;
  list.clear();
  const std::size_t full = g.width / W * W;
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t s = 0; s < g.samples; ++s)
      for (std::size_t h = 0; h < g.height; ++h) {
        const std::size_t in = s * g.in_sample + h * g.in_row,
                          out = s * g.out_sample + h * g.out_row;
        if (pass == 0)
          for (std::size_t j = 0; j < full; j += W) list.push_back({in + j, out + j, W});
        else if (full < g.width)
          list.push_back({in + full, out + full, g.width - full});
      }
  return list;
}

inline V grid_load(const float* p, std::size_t n, bool full) {
  return full ? vload(p) : vload_n(p, n);
}

// R rows by NV vectors of outputs: R * NV accumulators; each tap loads the NV input vectors
// once for all R rows.
template <int R, int NV, bool Full>
inline void grid_block(const float* w, std::size_t K, const std::int32_t* off, const float* x,
                       const float* bias, const GridVec* vec, float* y, std::size_t ldy,
                       bool accumulate) {
  V acc[R][NV];
  const float* xb[NV];
  PODA_UNROLL for (int v = 0; v < NV; ++v) {
    xb[v] = x + vec[v].in;
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      acc[r][v] = vset(bias[r]);
      if (accumulate)
        acc[r][v] = vadd(acc[r][v], grid_load(y + r * ldy + vec[v].out, vec[v].n, Full));
    }
  }
  for (std::size_t k = 0; k < K; ++k) {
    const std::ptrdiff_t o = off[k];
    V xv[NV];
    PODA_UNROLL for (int v = 0; v < NV; ++v) xv[v] = grid_load(xb[v] + o, vec[v].n, Full);
    PODA_UNROLL for (int r = 0; r < R; ++r) {
      const V wv = vset(w[r * K + k]);
      PODA_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = vfma(wv, xv[v], acc[r][v]);
    }
  }
  PODA_UNROLL for (int r = 0; r < R; ++r) PODA_UNROLL for (int v = 0; v < NV; ++v) {
    float* p = y + r * ldy + vec[v].out;
    if (Full)
      vstore(p, acc[r][v]);
    else
      vstore_n(p, acc[r][v], vec[v].n);
  }
}

// The last count < NV vectors (count > 0), in one block of that many.
template <int R, int NV>
inline void grid_tail(const float* w, std::size_t K, const std::int32_t* off, const float* x,
                      const float* bias, const GridVec* vec, std::size_t count, float* y,
                      std::size_t ldy, bool accumulate) {
  if constexpr (NV > 1)
    if (count < std::size_t(NV))
      return grid_tail<R, NV - 1>(w, K, off, x, bias, vec, count, y, ldy, accumulate);
  grid_block<R, NV, false>(w, K, off, x, bias, vec, y, ldy, accumulate);
}

// R rows over all vectors: blocks of NV full vectors, then the rest masked.
template <int R>
void grid_rows(const float* w, std::size_t K, const std::int32_t* off, const float* x,
               const float* bias, const std::vector<GridVec>& vec, float* y, std::size_t ldy,
               bool accumulate) {
  constexpr int NV = shifted_vectors(R);
  std::size_t i = 0;
  for (; i + NV <= vec.size() && vec[i + NV - 1].n == W; i += NV)
    grid_block<R, NV, true>(w, K, off, x, bias, &vec[i], y, ldy, accumulate);
  for (; i < vec.size(); i += NV) {
    const std::size_t count = std::min<std::size_t>(NV, vec.size() - i);
    grid_tail<R, NV>(w, K, off, x, bias, &vec[i], count, y, ldy, accumulate);
  }
}

void conv_rows_forward(const float* w, std::size_t rows, std::size_t K, const std::int32_t* offset,
                       const float* bias, const float* x, const RowGrid& grid, float* y,
                       std::size_t ldy, bool accumulate) {
  const std::vector<GridVec>& vec = grid_vectors(grid);
  std::size_t r = 0;
  for (; r + 4 <= rows; r += 4)
    grid_rows<4>(w + r * K, K, offset, x, bias + r, vec, y + r * ldy, ldy, accumulate);
  const std::size_t left = rows - r;
  if (left == 3) grid_rows<3>(w + r * K, K, offset, x, bias + r, vec, y + r * ldy, ldy, accumulate);
  if (left == 2) grid_rows<2>(w + r * K, K, offset, x, bias + r, vec, y + r * ldy, ldy, accumulate);
  if (left == 1) grid_rows<1>(w + r * K, K, offset, x, bias + r, vec, y + r * ldy, ldy, accumulate);
}

// RO rows by RK columns of dw over every vector: RO * RK accumulators (dots_step,
// kernels/shifted_dots.inl).
template <int RO, int RK>
inline void grid_dots(const float* dy, std::size_t ldd, const float* x, const std::int32_t* off,
                      std::size_t K, const std::vector<GridVec>& vec, float* dw, bool accumulate) {
  V acc[RO][RK];
  const float* xs[RK];
  PODA_UNROLL for (int k = 0; k < RK; ++k) {
    xs[k] = x + off[k];
    PODA_UNROLL for (int o = 0; o < RO; ++o) acc[o][k] = vzero();
  }
  std::size_t i = 0;
  for (; i < vec.size() && vec[i].n == W; ++i)
    dots_step<RO, RK, true>(acc, dy + vec[i].out, ldd, xs, vec[i].in, W);
  // partial vectors: dy zero past n, so x's lanes there do not count
  for (; i < vec.size(); ++i)
    dots_step<RO, RK, false>(acc, dy + vec[i].out, ldd, xs, vec[i].in, vec[i].n);
  PODA_UNROLL for (int o = 0; o < RO; ++o) PODA_UNROLL for (int k = 0; k < RK; ++k) {
    const float s = vsum(acc[o][k]);
    float* t = dw + o * K + k;
    *t = accumulate ? *t + s : s;
  }
}

// The last left < RK + 1 columns (left > 0), in one block of that many.
template <int RO, int RK>
inline void grid_dots_upto(std::size_t left, const float* dy, std::size_t ldd, const float* x,
                           const std::int32_t* off, std::size_t K,
                           const std::vector<GridVec>& vec, float* dw, bool accumulate) {
  if constexpr (RK > 1)
    if (left < std::size_t(RK))
      return grid_dots_upto<RO, RK - 1>(left, dy, ldd, x, off, K, vec, dw, accumulate);
  grid_dots<RO, RK>(dy, ldd, x, off, K, vec, dw, accumulate);
}

// RO rows of dw, all K columns: blocks of dots_block_cols columns (kernels/shifted_dots.inl),
// then the rest.
template <int RO>
void grid_dots_rows(const float* dy, std::size_t ldd, const float* x, const std::int32_t* off,
                    std::size_t K, const std::vector<GridVec>& vec, float* dw, bool accumulate) {
  constexpr std::size_t RK = dots_block_cols;
  std::size_t k = 0;
  for (; k + RK <= K; k += RK) grid_dots<RO, RK>(dy, ldd, x, off + k, K, vec, dw + k, accumulate);
  if (k < K)
    grid_dots_upto<RO, RK - 1>(K - k, dy, ldd, x, off + k, K, vec, dw + k, accumulate);
}

// Rows in blocks of dots_block_rows; one more than a block left over runs as twos (three
// rows: four as two and two rather than three and one).
void conv_rows_weight_grad(const float* dy, std::size_t rows, std::size_t ldd, const float* x,
                           const std::int32_t* offset, std::size_t K, const RowGrid& grid,
                           float* dw, bool accumulate) {
  const std::vector<GridVec>& vec = grid_vectors(grid);
  constexpr std::size_t RB = dots_block_rows;
  std::size_t o = 0;
  for (; rows - o >= RB && rows - o != RB + 1; o += RB)
    grid_dots_rows<RB>(dy + o * ldd, ldd, x, offset, K, vec, dw + o * K, accumulate);
  if (RB > 3 && rows - o == 3) {
    grid_dots_rows<3>(dy + o * ldd, ldd, x, offset, K, vec, dw + o * K, accumulate);
    o += 3;
  }
  for (; rows - o >= 2; o += 2)
    grid_dots_rows<2>(dy + o * ldd, ldd, x, offset, K, vec, dw + o * K, accumulate);
  if (rows - o == 1)
    grid_dots_rows<1>(dy + o * ldd, ldd, x, offset, K, vec, dw + o * K, accumulate);
}
