// The vector layer of the kernel sources, AVX-512 build: V is sixteen floats in a zmm
// register. Included by kernels/target_avx512.cpp inside its namespace, under
// `#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")`; the same names as
// kernels/simd_generic.inl.
//
//   vload_n / vstore_n touch only the first n lanes (n may exceed W): opmask loads and
//   stores, which never fault on the lanes they leave out.
//
// Shuffles and max are the zero-masked forms (all lanes): GCC 12's unmasked ones pass an
// undefined vector through and trip -Wmaybe-uninitialized, an error under PODA_WERROR.

using V = __m512;
constexpr std::size_t W = 16;
// Registers the blocking may plan on (zmm0-31).
constexpr int vector_registers = 32;

constexpr __mmask16 all_lanes = 0xFFFF;

inline V vzero() { return _mm512_setzero_ps(); }
inline V vset(float a) { return _mm512_set1_ps(a); }
inline V vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, V v) { _mm512_storeu_ps(p, v); }
inline V vadd(V a, V b) { return _mm512_add_ps(a, b); }
inline V vfma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
inline V vmax(V a, V b) { return _mm512_maskz_max_ps(all_lanes, a, b); }
inline V vsub(V a, V b) { return _mm512_sub_ps(a, b); }
inline V vmul(V a, V b) { return _mm512_mul_ps(a, b); }
// g where z > 0 (or z is NaN), else 0: the gradient mask of a ReLU whose input was z.
inline V vselect_positive(V z, V g) {
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_NLE_UQ), g);
}

// (table[k0 & 15], ..., table[k15 & 15]) for k the bits of key's lanes: one vpermps, which
// reads only those four bits (the window slices keep a weight's index there, kernels/csr.h).
constexpr bool has_permute = true;
inline V vpermute_low_bits(V table, V key) {
  return _mm512_maskz_permutexvar_ps(all_lanes, _mm512_castps_si512(key), table);
}
// v, from here on in a register (see kernels/simd_avx2.inl).
inline V vkeep(V v) {
  __asm__("" : "+v"(v));
  return v;
}

// The first min(n, W) lanes.
inline __mmask16 lane_mask(std::size_t n) {
  return n >= W ? all_lanes : static_cast<__mmask16>((1u << n) - 1u);
}
inline V vload_n(const float* p, std::size_t n) { return _mm512_maskz_loadu_ps(lane_mask(n), p); }
inline void vstore_n(float* p, V v, std::size_t n) { _mm512_mask_storeu_ps(p, lane_mask(n), v); }

inline float vsum(V v) {
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(all_lanes, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(all_lanes, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(all_lanes, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(all_lanes, v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_cvtss_f32(v);
}

// For x = (a, b), 2W consecutive floats: max(x[2i], x[2i+1]) for i < W.
inline V vmax_pairs(V a, V b) {
  const __m512i even =
      _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  return vmax(_mm512_permutex2var_ps(a, even, b), _mm512_permutex2var_ps(a, odd, b));
}

// dst (W, W) with row stride ldd = src (W, W) with row stride lds, transposed: unpacks and
// shuffles within 128-bit lanes, then two rounds of 128-bit lane shuffles.
inline void transpose_block(const float* src, std::size_t lds, float* dst, std::size_t ldd) {
  V r[16], t[16];
  PODA_UNROLL for (int i = 0; i < 16; ++i) r[i] = vload(src + i * lds);
  PODA_UNROLL for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_maskz_unpacklo_ps(all_lanes, r[i], r[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_ps(all_lanes, r[i], r[i + 1]);
  }
  PODA_UNROLL for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_maskz_shuffle_ps(all_lanes, t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm512_maskz_shuffle_ps(all_lanes, t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm512_maskz_shuffle_ps(all_lanes, t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm512_maskz_shuffle_ps(all_lanes, t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  PODA_UNROLL for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i], r[i + 4], 0xdd);
    t[i + 8] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_maskz_shuffle_f32x4(all_lanes, r[i + 8], r[i + 12], 0xdd);
  }
  PODA_UNROLL for (int i = 0; i < 8; ++i) {
    vstore(dst + i * ldd, _mm512_maskz_shuffle_f32x4(all_lanes, t[i], t[i + 8], 0x88));
    vstore(dst + (i + 8) * ldd, _mm512_maskz_shuffle_f32x4(all_lanes, t[i], t[i + 8], 0xdd));
  }
}
