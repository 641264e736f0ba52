// The batch-1 sparse kernel on the grid layout (kernels/csr.h, w.slices: slices of W rows,
// blocks of 2W columns), written once over the vector layer and compiled for each kernel
// target before kernels/sparse.inl, whose sparse_matvec takes it where the target permutes
// two registers in one instruction (has_permute2: AVX-512's vpermt2ps, 16 x 32).

// y (rows) = bias + w · x: a slice's rows side by side in the lanes; a block loads its 2W
// inputs into two registers once and each slot picks its lanes' inputs by one two-register
// permute, where CSR needs W scalar loads; four FMA chains over the block's slots.
inline void sliced_matvec_grid(const CsrMatrix& w, const float* bias, const float* x, float* y) {
  const MatvecSlices& s = w.slices;
  const float* val = s.val.data();         // (slots, W)
  const std::uint8_t* idx = s.idx.data();  // (slots, W)
  for (std::size_t sl = 0; sl + 1 < s.slice_ptr.size(); ++sl) {
    V a[4] = {vzero(), vzero(), vzero(), vzero()};
    for (std::uint32_t b = s.slice_ptr[sl]; b < s.slice_ptr[sl + 1]; ++b) {
      // A block starts at most cols - 2W (kernels/csr.cpp): only a layer narrower than 2W
      // columns loads part of its inputs.
      const std::size_t col0 = s.blocks[b].col0, n = w.cols - col0;
      const V lo = n >= W ? vload(x + col0) : vload_n(x + col0, n);
      const V hi = n >= 2 * W ? vload(x + col0 + W) : n > W ? vload_n(x + col0 + W, n - W) : vzero();
      const std::uint32_t slots = s.blocks[b].slots;
      std::uint32_t k = 0;
      for (; k + 4 <= slots; k += 4, val += 4 * W, idx += 4 * W)
        PODA_UNROLL for (std::size_t u = 0; u < 4; ++u) a[u] =
            vfma(vload(val + u * W), vpermute2(lo, hi, idx + u * W), a[u]);
      for (; k < slots; ++k, val += W, idx += W) a[0] = vfma(vload(val), vpermute2(lo, hi, idx), a[0]);
    }
    const std::size_t r0 = sl * W, n = w.rows - r0;  // rows in this slice: min(n, W)
    const V sum = vadd(vadd(a[0], a[1]), vadd(a[2], a[3]));
    if (n >= W)
      vstore(y + r0, bias ? vadd(sum, vload(bias + r0)) : sum);
    else
      vstore_n(y + r0, bias ? vadd(sum, vload_n(bias + r0, n)) : sum, n);
  }
}
