// The sparse kernels (kernels/sparse_kernels.h), written once over the vector layer and
// compiled for each kernel target (see kernels/direct.inl).

// Where column c of a row starts: a table (convolutions) or c * stride (batched Dense).
struct TableOffset {
  const std::int32_t* table;
  std::int32_t operator()(std::uint16_t c) const { return table[c]; }
};
struct StrideOffset {
  std::int32_t stride;
  std::int32_t operator()(std::uint16_t c) const { return std::int32_t(c) * stride; }
};

// y[0:4W) = b + Σ_j val[j] * xr[offset(col[j]) + 0:4W): four registers across L, two sets
// (even and odd entries) so eight FMA chains hide the FMA latency.
template <class Offset>
inline void sparse_block_wide(const float* val, const std::uint16_t* col, std::int32_t begin,
                              std::int32_t end, Offset offset, const float* xr, float b,
                              float* y, bool relu) {
  V a[4], c[4];
  PODA_UNROLL for (int i = 0; i < 4; ++i) {
    a[i] = vset(b);
    c[i] = vzero();
  }
  std::int32_t j = begin;
  for (; j + 2 <= end; j += 2) {
    const V v = vset(val[j]), u = vset(val[j + 1]);
    const float* xs = xr + offset(col[j]);      // (4W)
    const float* xt = xr + offset(col[j + 1]);  // (4W)
    PODA_UNROLL for (int i = 0; i < 4; ++i) {
      a[i] = vfma(v, vload(xs + W * i), a[i]);
      c[i] = vfma(u, vload(xt + W * i), c[i]);
    }
  }
  if (j < end) {
    const V v = vset(val[j]);
    const float* xs = xr + offset(col[j]);
    PODA_UNROLL for (int i = 0; i < 4; ++i) a[i] = vfma(v, vload(xs + W * i), a[i]);
  }
  PODA_UNROLL for (int i = 0; i < 4; ++i) {
    const V s = vadd(a[i], c[i]);
    vstore(y + W * i, relu ? vmax(s, vzero()) : s);
  }
}

// The same for n <= W positions, four chains over the entries.
template <class Offset>
inline void sparse_block_tail(const float* val, const std::uint16_t* col, std::int32_t begin,
                              std::int32_t end, Offset offset, const float* xr, float b, float* y,
                              std::size_t n, bool relu) {
  V a[4] = {vset(b), vzero(), vzero(), vzero()};
  std::int32_t j = begin;
  for (; j + 4 <= end; j += 4)
    PODA_UNROLL for (int u = 0; u < 4; ++u) a[u] =
        vfma(vset(val[j + u]), vload_n(xr + offset(col[j + u]), n), a[u]);
  for (; j < end; ++j) a[0] = vfma(vset(val[j]), vload_n(xr + offset(col[j]), n), a[0]);
  const V s = vadd(vadd(a[0], a[1]), vadd(a[2], a[3]));
  vstore_n(y, relu ? vmax(s, vzero()) : s, n);
}

// y[r, 0:L) = bias[r] + Σ_j val[j] * x[row_base[r] + offset(col[j]) + 0:L), ReLU'd when relu
template <class Offset>
void sparse_rows(const CsrMatrix& w, Offset offset, const std::int32_t* row_base,
                 const float* bias, const float* x, std::size_t L, float* y, std::size_t ldy,
                 bool relu = false) {
  const std::int32_t* ptr = w.row_ptr.data();
  for (std::size_t r = 0; r < w.rows; ++r) {
    const float* xr = x + (row_base ? row_base[r] : 0);
    const float b = bias ? bias[r] : 0.0f;
    float* yr = y + r * ldy;  // (L)
    std::size_t p = 0;
    for (; p + 4 * W <= L; p += 4 * W)
      sparse_block_wide(w.val.data(), w.col.data(), ptr[r], ptr[r + 1], offset, xr + p, b, yr + p,
                        relu);
    for (; p < L; p += W)
      sparse_block_tail(w.val.data(), w.col.data(), ptr[r], ptr[r + 1], offset, xr + p, b,
                        yr + p, L - p, relu);
  }
}

void sparse_rows_shifted(const CsrMatrix& w, const std::int32_t* col_offset,
                         const std::int32_t* row_base, const float* bias, const float* x,
                         std::size_t L, float* y, std::size_t ldy) {
  sparse_rows(w, TableOffset{col_offset}, row_base, bias, x, L, y, ldy);
}

// One row's entries from j on whose columns lie below c1 (at most up to end), on 4W positions:
//   y[0:4W) = (first ? b : y[0:4W)) + Σ val[j] * x[col[j] * ldx + 0:4W), ReLU'd when relu.
// Returns the first entry it left (the row's start in the next column block).
inline std::int32_t strided_segment(const float* val, const std::uint16_t* col, std::int32_t j,
                                    std::int32_t end, std::uint32_t c1, const float* x,
                                    std::size_t ldx, bool first, float b, bool relu, float* y) {
  V a[4], c[4];
  PODA_UNROLL for (int i = 0; i < 4; ++i) {
    a[i] = first ? vset(b) : vload(y + W * i);
    c[i] = vzero();
  }
  for (; j + 2 <= end && col[j + 1] < c1; j += 2) {
    const V v = vset(val[j]), u = vset(val[j + 1]);
    const float* xs = x + std::size_t(col[j]) * ldx;      // (4W)
    const float* xt = x + std::size_t(col[j + 1]) * ldx;  // (4W)
    PODA_UNROLL for (int i = 0; i < 4; ++i) {
      a[i] = vfma(v, vload(xs + W * i), a[i]);
      c[i] = vfma(u, vload(xt + W * i), c[i]);
    }
  }
  if (j < end && col[j] < c1) {
    const V v = vset(val[j]);
    const float* xs = x + std::size_t(col[j]) * ldx;
    PODA_UNROLL for (int i = 0; i < 4; ++i) a[i] = vfma(v, vload(xs + W * i), a[i]);
    ++j;
  }
  PODA_UNROLL for (int i = 0; i < 4; ++i) {
    const V s = vadd(a[i], c[i]);
    vstore(y + W * i, relu ? vmax(s, vzero()) : s);
  }
  return j;
}

// Batched Dense, K-blocked: at batch 64 one input's row is 256 bytes and fc1's x (784, 64) is
// 200 KB, so the plain row loop streams every entry's 4 cache lines from L2 (the bound it hits
// on Zen 5: about 5 cycles an entry against 3 with x in L1). Here the columns go in blocks of
// about strided_block_bytes of x, each block's x stays in L1 while every row adds its entries
// there into its y row (read back from L2 once a block). Rows go in chunks of
// strided_chunk_rows, each keeping its next entry in a cursor (the columns are sorted).
constexpr std::size_t strided_block_bytes = 48 * 1024, strided_chunk_rows = 512;
// A row's mean entries per block from which blocking pays (LeNet-300-100's fc1 at batch 64,
// AVX-512: about 20 at 90% sparsity measured 10% faster, about 10 at 95% no faster).
constexpr std::size_t strided_min_block_entries = 12;

// Column blocks for w at L positions a row of x (1: no blocking), L a multiple of 4W.
inline std::size_t strided_blocks(const CsrMatrix& w, std::size_t L) {
  if (L % (4 * W) != 0 || w.rows == 0) return 1;
  const std::size_t x_bytes = w.cols * L * sizeof(float);
  const std::size_t blocks = (x_bytes + strided_block_bytes / 2) / strided_block_bytes;
  if (blocks < 2 || w.nnz() < strided_min_block_entries * w.rows * blocks) return 1;
  return blocks;
}

void sparse_rows_strided_blocked(const CsrMatrix& w, const float* bias, const float* x,
                                 std::size_t ldx, std::size_t L, float* y, std::size_t ldy,
                                 bool relu, std::size_t blocks) {
  const std::int32_t* ptr = w.row_ptr.data();
  const std::size_t block_cols = (w.cols + blocks - 1) / blocks;
  std::int32_t cursor[strided_chunk_rows];
  for (std::size_t r0 = 0; r0 < w.rows; r0 += strided_chunk_rows) {
    const std::size_t r1 = std::min(w.rows, r0 + strided_chunk_rows);
    for (std::size_t r = r0; r < r1; ++r) cursor[r - r0] = ptr[r];
    for (std::size_t c0 = 0; c0 < w.cols; c0 += block_cols) {
      const bool first = c0 == 0, last = c0 + block_cols >= w.cols;
      const auto c1 = static_cast<std::uint32_t>(std::min(w.cols, c0 + block_cols));
      for (std::size_t r = r0; r < r1; ++r) {
        const std::int32_t j = cursor[r - r0], end = ptr[r + 1];
        // The first block writes every row, the last applies the ReLU to every row.
        if (!first && !(last && relu) && (j == end || w.col[std::size_t(j)] >= c1)) continue;
        const float b = bias && first ? bias[r] : 0.0f;
        std::int32_t next = j;
        for (std::size_t p = 0; p < L; p += 4 * W)
          next = strided_segment(w.val.data(), w.col.data(), j, end, c1, x + p, ldx, first, b,
                                 relu && last, y + r * ldy + p);
        cursor[r - r0] = next;
      }
    }
  }
}

void sparse_rows_strided(const CsrMatrix& w, const float* bias, const float* x, std::size_t ldx,
                         std::size_t L, float* y, std::size_t ldy, bool relu) {
  if (const std::size_t blocks = strided_blocks(w, L); blocks > 1)
    return sparse_rows_strided_blocked(w, bias, x, ldx, L, y, ldy, relu, blocks);
  sparse_rows(w, StrideOffset{std::int32_t(ldx)}, nullptr, bias, x, L, y, ldy, relu);
}

// y (rows) = bias + w (rows, cols) · x (cols): CSR, one row at a time, four partial sums
// breaking the add chain (the entries' inputs are scattered: no vector loads to share).
void csr_matvec(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  const std::int32_t* ptr = w.row_ptr.data();
  const std::uint16_t* col = w.col.data();
  const float* val = w.val.data();
  for (std::size_t r = 0; r < w.rows; ++r) {
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::int32_t j = ptr[r];
    for (; j + 4 <= ptr[r + 1]; j += 4)
      for (int u = 0; u < 4; ++u) acc[u] += val[j + u] * x[col[j + u]];
    for (; j < ptr[r + 1]; ++j) acc[0] += val[j] * x[col[j]];
    y[r] = (bias ? bias[r] : 0.0f) + ((acc[0] + acc[1]) + (acc[2] + acc[3]));
  }
}

// acc + val (W rows) * window[idx]: the slot's values carry their in-window index in their
// low bits (kernels/csr.h), so one load gives both the FMA's factor and the permute's index.
inline V window_slot(const float* val, V window, V acc) {
  const V v = vkeep(vload(val));
  return vfma(v, vpermute_low_bits(window, v), acc);
}

// sum[g] (W rows) = Σ over slots [k, end) of G groups of W rows: each slot loads its window
// once for all G groups (val: stride floats a slot, group g at g * W); H slots in flight so
// at least four FMA chains run.
template <int G>
inline void window_groups(const float* val, std::size_t stride, const std::uint16_t* col0,
                          std::size_t k, std::size_t end, const float* x, V* sum) {
  constexpr int H = G >= 2 ? 2 : 4;
  V a[H][G];
  PODA_UNROLL for (int h = 0; h < H; ++h) PODA_UNROLL for (int g = 0; g < G; ++g) a[h][g] =
      vzero();
  for (; k + H <= end; k += H)
    PODA_UNROLL for (int h = 0; h < H; ++h) {
      const V window = vkeep(vload(x + col0[k + h]));
      PODA_UNROLL for (int g = 0; g < G; ++g) a[h][g] =
          window_slot(val + (k + h) * stride + g * W, window, a[h][g]);
    }
  for (; k < end; ++k) {
    const V window = vkeep(vload(x + col0[k]));
    PODA_UNROLL for (int g = 0; g < G; ++g) a[0][g] =
        window_slot(val + k * stride + g * W, window, a[0][g]);
  }
  PODA_UNROLL for (int g = 0; g < G; ++g) {
    sum[g] = a[0][g];
    PODA_UNROLL for (int h = 1; h < H; ++h) sum[g] = vadd(sum[g], a[h][g]);
  }
}

constexpr std::size_t max_window_groups = 4;  // of window_groups' G

// dst (cols, rows) = src (rows, cols)ᵀ: W x W blocks transposed in registers, in tiles of
// source and destination rows that stay in L1; the edges (rows or columns past the last
// whole block) one float at a time. One row or one column (a plan's layout change at batch 1)
// is a copy.
void transpose(const float* src, std::size_t rows, std::size_t cols, float* dst) {
  if (rows == 1 || cols == 1) {
    std::memcpy(dst, src, rows * cols * sizeof(float));
    return;
  }
  constexpr std::size_t tile = 32;
  const std::size_t rows_w = rows - rows % W, cols_w = cols - cols % W;
  for (std::size_t r0 = 0; r0 < rows_w; r0 += tile)
    for (std::size_t c0 = 0; c0 < cols_w; c0 += tile) {
      const std::size_t r1 = rows_w < r0 + tile ? rows_w : r0 + tile;
      const std::size_t c1 = cols_w < c0 + tile ? cols_w : c0 + tile;
      for (std::size_t r = r0; r < r1; r += W)
        for (std::size_t c = c0; c < c1; c += W)
          transpose_block(src + r * cols + c, cols, dst + c * rows + r, rows);
    }
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = (r < rows_w ? cols_w : 0); c < cols; ++c)
      dst[c * rows + r] = src[r * cols + c];
}

// out[j] = Σ_l a[r*L + l] * b[col[j]*L + l] for every entry j of row r of the pattern w (its
// values unused): the gradient of a sparse weight, only where the pattern keeps one.
void sampled_dots(const CsrMatrix& w, const float* a, const float* b, std::size_t L,
                  float* out) {
  const std::int32_t* ptr = w.row_ptr.data();
  const std::uint16_t* col = w.col.data();
  for (std::size_t r = 0; r < w.rows; ++r) {
    const float* ar = a + r * L;  // (L)
    for (std::int32_t j = ptr[r]; j < ptr[r + 1]; ++j) {
      const float* bc = b + std::size_t(col[j]) * L;  // (L)
      V s[2] = {vzero(), vzero()};
      std::size_t l = 0;
      for (; l + 2 * W <= L; l += 2 * W) {
        s[0] = vfma(vload(ar + l), vload(bc + l), s[0]);
        s[1] = vfma(vload(ar + l + W), vload(bc + l + W), s[1]);
      }
      for (; l < L; l += W) {
        const std::size_t n = L - l < W ? L - l : W;
        s[0] = vfma(vload_n(ar + l, n), vload_n(bc + l, n), s[0]);
      }
      out[j] = vsum(vadd(s[0], s[1]));
    }
  }
}
