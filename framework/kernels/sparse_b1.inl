// The batch-1 sparse Dense of the inference plans (kernels/sparse_kernels.h:
// sparse_matvec_act), compiled for each kernel target after kernels/sparse.inl, whose window
// accumulation (window_groups) it shares; the bias and the ReLU go into the store.

// y[0:n) = sum + bias[0:n) (bias may be null), then max(0, .) when relu; n > W stores W.
inline void store_rows(float* y, V sum, const float* bias, std::size_t n, bool relu) {
  if (n >= W) {
    if (bias) sum = vadd(sum, vload(bias));
    vstore(y, relu ? vmax(sum, vzero()) : sum);
  } else {
    if (bias) sum = vadd(sum, vload_n(bias, n));
    vstore_n(y, relu ? vmax(sum, vzero()) : sum, n);
  }
}

// y (n) = max(0, y): after a kernel whose store has no ReLU.
inline void relu_rows(float* y, std::size_t n) {
  std::size_t i = 0;
  for (; i + W <= n; i += W) vstore(y + i, vmax(vload(y + i), vzero()));
  if (i < n) vstore_n(y + i, vmax(vload_n(y + i, n - i), vzero()), n - i);
}

// The window slices this target reads: W lanes, windows of W columns, the index in the
// value's low bits (kernels/csr.h: slices8 for 8-float registers, slices16 for 16).
inline const MatvecSlices* target_windows(const CsrMatrix& w) {
  const MatvecSlices& s = W == 16 ? w.slices16 : w.slices8;
  const bool fits = has_permute && s.windows && s.lanes == W && s.block_cols == W &&
                    (std::size_t(1) << s.index_bits) == W && s.groups >= 1 &&
                    s.groups <= max_window_groups && w.cols >= W;
  return fits ? &s : nullptr;
}

// y (rows) = act(bias + w · x) on window slices s (kernels/csr.h, window_groups in sparse.inl):
// each slice's groups of W rows summed over its slots, stored with the bias and ReLU.
void window_matvec(const CsrMatrix& w, const MatvecSlices& s, const float* bias, const float* x,
                   float* y, bool relu) {
  const std::size_t stride = s.groups * W, slice_rows = stride;
  const float* val = s.val.data();  // (slots, groups * W), indices in the low bits
  const std::uint16_t* col0 = s.slot_col0.data();
  for (std::size_t sl = 0; sl + 1 < s.slice_slots.size(); ++sl) {
    const std::size_t r0 = sl * slice_rows, n = std::min(slice_rows, w.rows - r0);
    const std::size_t groups = (n + W - 1) / W, k = s.slice_slots[sl], end = s.slice_slots[sl + 1];
    V sum[max_window_groups] = {vzero(), vzero(), vzero(), vzero()};  // groups of them set
    if (groups == 4)
      window_groups<4>(val, stride, col0, k, end, x, sum);
    else if (groups == 3)
      window_groups<3>(val, stride, col0, k, end, x, sum);
    else if (groups == 2)
      window_groups<2>(val, stride, col0, k, end, x, sum);
    else
      window_groups<1>(val, stride, col0, k, end, x, sum);
    for (std::size_t g = 0; g < groups; ++g)
      store_rows(y + r0 + g * W, sum[g], bias ? bias + r0 + g * W : nullptr, n - g * W, relu);
  }
}

// The target's window slices where the layer built them (Dense does), else the CSR loop and a
// ReLU pass.
void sparse_matvec_act(const CsrMatrix& w, const float* bias, const float* x, float* y, bool relu) {
  if (const MatvecSlices* s = target_windows(w)) return window_matvec(w, *s, bias, x, y, relu);
  csr_matvec(w, bias, x, y);
  if (relu) relu_rows(y, w.rows);
}
