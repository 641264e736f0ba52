// The vector layer of the kernel sources, generic build: V is four floats in GCC's generic
// vectors, which the compiler lowers to the build's baseline (SSE2 on x86-64, NEON on
// aarch64, plain scalar code elsewhere). Included by kernels/target_scalar.cpp inside its
// namespace; the same names as kernels/simd_avx2.inl.
//
//   vload_n / vstore_n touch only the first n lanes (n may exceed W).

using V = float __attribute__((vector_size(16)));
constexpr std::size_t W = 4;
// Registers the blocking may plan on (xmm0-15 on x86-64; aarch64 has more).
constexpr int vector_registers = 16;

inline V vzero() { return V{0.0f, 0.0f, 0.0f, 0.0f}; }
inline V vset(float a) { return V{a, a, a, a}; }
inline V vload(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void vstore(float* p, V v) { std::memcpy(p, &v, sizeof v); }
inline V vadd(V a, V b) { return a + b; }
inline V vfma(V a, V b, V c) { return a * b + c; }
inline V vmax(V a, V b) { return a > b ? a : b; }
inline V vsub(V a, V b) { return a - b; }
inline V vmul(V a, V b) { return a * b; }
// g where z > 0 (or z is NaN), else 0: the gradient mask of a ReLU whose input was z.
inline V vselect_positive(V z, V g) { return z <= vzero() ? vzero() : g; }
// No one-instruction permute in the baseline: the sparse batch-1 kernel keeps the CSR loop.
constexpr bool has_permute = false;
// (table[k0 & 3], ..., table[k3 & 3]) for k the bits of key's lanes (what vpermps does).
inline V vpermute_low_bits(V table, V key) {
  std::uint32_t k[4];
  std::memcpy(k, &key, sizeof k);
  return V{table[k[0] & 3], table[k[1] & 3], table[k[2] & 3], table[k[3] & 3]};
}
// v unchanged (the x86 build pins it in a register, see simd_avx2.inl).
inline V vkeep(V v) { return v; }

inline V vload_n(const float* p, std::size_t n) {
  V v = vzero();
  for (std::size_t i = 0; i < W && i < n; ++i) v[i] = p[i];
  return v;
}
inline void vstore_n(float* p, V v, std::size_t n) {
  for (std::size_t i = 0; i < W && i < n; ++i) p[i] = v[i];
}

inline float vsum(V v) { return (v[0] + v[1]) + (v[2] + v[3]); }

// For x = (a, b), 2W consecutive floats: max(x[2i], x[2i+1]) for i < W.
inline V vmax_pairs(V a, V b) {
  return V{a[0] > a[1] ? a[0] : a[1], a[2] > a[3] ? a[2] : a[3], b[0] > b[1] ? b[0] : b[1],
           b[2] > b[3] ? b[2] : b[3]};
}

// dst (W, W) with row stride ldd = src (W, W) with row stride lds, transposed.
inline void transpose_block(const float* src, std::size_t lds, float* dst, std::size_t ldd) {
  for (std::size_t i = 0; i < W; ++i)
    for (std::size_t j = 0; j < W; ++j) dst[j * ldd + i] = src[i * lds + j];
}
