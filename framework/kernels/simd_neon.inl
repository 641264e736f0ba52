// The vector layer of the kernel sources, aarch64 build: V is four floats in a NEON q
// register (every aarch64 CPU has Advanced SIMD, so this is the scalar target's baseline
// there). Included by kernels/target_scalar.cpp inside its namespace on aarch64; the same
// names as kernels/simd_generic.inl and kernels/simd_avx2.inl.
//
//   vload_n / vstore_n touch only the first n lanes (n may exceed W).

using V = float32x4_t;
constexpr std::size_t W = 4;
// Registers the blocking may plan on (v0-v31; half of them, as on x86-64, keeps the
// blocking the same and leaves room for the compiler's temporaries).
constexpr int vector_registers = 16;

inline V vzero() { return vdupq_n_f32(0.0f); }
inline V vset(float a) { return vdupq_n_f32(a); }
inline V vload(const float* p) { return vld1q_f32(p); }
inline void vstore(float* p, V v) { vst1q_f32(p, v); }
inline V vadd(V a, V b) { return vaddq_f32(a, b); }
inline V vsub(V a, V b) { return vsubq_f32(a, b); }
inline V vmul(V a, V b) { return vmulq_f32(a, b); }
// g where z > 0 (or z is NaN), else 0: the gradient mask of a ReLU whose input was z.
inline V vselect_positive(V z, V g) { return vbslq_f32(vcleq_f32(z, vzero()), vzero(), g); }
inline V vfma(V a, V b, V c) { return vfmaq_f32(c, a, b); }  // c + a * b, one rounding
inline V vmax(V a, V b) { return vmaxq_f32(a, b); }
// The sparse batch-1 kernel has slice layouts for 8 and 16 lanes only: it keeps the CSR loop.
constexpr bool has_permute = false;
// (table[k0 & 3], ..., table[k3 & 3]) for k the bits of key's lanes (what vpermps does).
inline V vpermute_low_bits(V table, V key) {
  float lanes[4];
  std::uint32_t k[4];
  vst1q_f32(lanes, table);
  vst1q_u32(k, vreinterpretq_u32_f32(key));
  const float picked[4] = {lanes[k[0] & 3], lanes[k[1] & 3], lanes[k[2] & 3], lanes[k[3] & 3]};
  return vld1q_f32(picked);
}
// v unchanged (the x86 build pins it in a register, see simd_avx2.inl).
inline V vkeep(V v) { return v; }

inline V vload_n(const float* p, std::size_t n) {
  float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (std::size_t i = 0; i < W && i < n; ++i) lanes[i] = p[i];
  return vld1q_f32(lanes);
}
inline void vstore_n(float* p, V v, std::size_t n) {
  float lanes[4];
  vst1q_f32(lanes, v);
  for (std::size_t i = 0; i < W && i < n; ++i) p[i] = lanes[i];
}

inline float vsum(V v) {
  const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));  // (v0+v2, v1+v3)
  return vget_lane_f32(vpadd_f32(s, s), 0);
}

// For x = (a, b), 2W consecutive floats: max(x[2i], x[2i+1]) for i < W.
inline V vmax_pairs(V a, V b) { return vpmaxq_f32(a, b); }

// dst (W, W) with row stride ldd = src (W, W) with row stride lds, transposed: two rounds of
// trn1/trn2 on pairs of rows, then of 64-bit halves.
inline void transpose_block(const float* src, std::size_t lds, float* dst, std::size_t ldd) {
  const V r0 = vld1q_f32(src), r1 = vld1q_f32(src + lds);
  const V r2 = vld1q_f32(src + 2 * lds), r3 = vld1q_f32(src + 3 * lds);
  const float32x4x2_t t01 = vtrnq_f32(r0, r1);  // (a0 b0 a2 b2), (a1 b1 a3 b3)
  const float32x4x2_t t23 = vtrnq_f32(r2, r3);  // (c0 d0 c2 d2), (c1 d1 c3 d3)
  vst1q_f32(dst, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
  vst1q_f32(dst + ldd, vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
  vst1q_f32(dst + 2 * ldd, vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
  vst1q_f32(dst + 3 * ldd, vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1])));
}
