// The vector layer of the kernel sources, AVX2 + FMA build: V is eight floats in a ymm
// register. Included by kernels/target_avx2.cpp inside its namespace, under
// `#pragma GCC target("avx2,fma")`; the same names as kernels/simd_generic.inl.
//
//   vload_n / vstore_n touch only the first n lanes (n may exceed W): they never read or
//   write past them, so the kernels keep the callers' "no read past the end" contracts.

using V = __m256;
constexpr std::size_t W = 8;
// Registers the blocking may plan on (ymm0-15).
constexpr int vector_registers = 16;

inline V vzero() { return _mm256_setzero_ps(); }
inline V vset(float a) { return _mm256_set1_ps(a); }
inline V vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, V v) { _mm256_storeu_ps(p, v); }
inline V vadd(V a, V b) { return _mm256_add_ps(a, b); }
inline V vfma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V vmax(V a, V b) { return _mm256_max_ps(a, b); }
inline V vsub(V a, V b) { return _mm256_sub_ps(a, b); }
inline V vmul(V a, V b) { return _mm256_mul_ps(a, b); }
// g where z > 0 (or z is NaN), else 0: the gradient mask of a ReLU whose input was z.
inline V vselect_positive(V z, V g) {
  return _mm256_and_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_NLE_UQ), g);
}
// (table[k0 & 7], ..., table[k7 & 7]) for k the bits of key's lanes: one vpermps, which reads
// only those three bits (the window slices keep a weight's index there, kernels/csr.h).
constexpr bool has_permute = true;
inline V vpermute_low_bits(V table, V key) {
  return _mm256_permutevar8x32_ps(table, _mm256_castps_si256(key));
}
// v, from here on in a register: a loaded value used twice is then loaded once (GCC otherwise
// folds a second load into the other use, and loads set the pace of the sliced kernel).
inline V vkeep(V v) {
  __asm__("" : "+x"(v));
  return v;
}

// All ones in the first min(n, W) lanes.
inline __m256i lane_mask(std::size_t n) {
  alignas(32) static const std::int32_t ones_then_zeros[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                               0,  0,  0,  0,  0,  0,  0,  0};
  return _mm256_loadu_si256(
      reinterpret_cast<const __m256i*>(ones_then_zeros + 8 - (n < 8 ? n : 8)));
}
inline V vload_n(const float* p, std::size_t n) { return _mm256_maskload_ps(p, lane_mask(n)); }
inline void vstore_n(float* p, V v, std::size_t n) { _mm256_maskstore_ps(p, lane_mask(n), v); }

inline float vsum(V v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// For x = (a, b), 2W consecutive floats: max(x[2i], x[2i+1]) for i < W.
inline V vmax_pairs(V a, V b) {
  const V even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 | a4 a6 b4 b6
  const V odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  const __m256d m = _mm256_castps_pd(_mm256_max_ps(even, odd));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(m, _MM_SHUFFLE(3, 1, 2, 0)));
}

// dst (W, W) with row stride ldd = src (W, W) with row stride lds, transposed: unpacks,
// shuffles and lane swaps in registers instead of 64 strided scalar stores.
inline void transpose_block(const float* src, std::size_t lds, float* dst, std::size_t ldd) {
  V r[8], t[8];
  PODA_UNROLL for (int i = 0; i < 8; ++i) r[i] = vload(src + i * lds);
  PODA_UNROLL for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);      // a0 b0 a1 b1 | a4 b4 a5 b5
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);  // a2 b2 a3 b3 | a6 b6 a7 b7
  }
  PODA_UNROLL for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));      // col 0 | 4
    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));  // col 1 | 5
    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));  // col 2 | 6
    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));  // col 3 | 7
  }
  PODA_UNROLL for (int i = 0; i < 4; ++i) {
    vstore(dst + i * ldd, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
    vstore(dst + (i + 4) * ldd, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
  }
}
