// The batch-norm kernels (kernels/batch_norm_kernels.h), one channel at a time, written once over
// the vector layer (kernels/simd_*.inl) and compiled for each kernel target by
// kernels/target_*.cpp inside its namespace. A channel c of x (B, C, S) is B planes of S
// floats, `stride` = C*S apart. Sums run in 2W float lanes per plane, in double across planes.

// One plane's (Σ u, Σ v) in 2W float lanes, where f(k, n) gives the vectors (u, v) of the
// n <= W positions from k (zero past n).
template <class F>
inline void plane_sums(std::size_t S, F f, double& sum_u, double& sum_v) {
  V a0 = vzero(), a1 = vzero(), b0 = vzero(), b1 = vzero();
  std::size_t k = 0;
  for (; k + 2 * W <= S; k += 2 * W) {
    V u, v;
    f(k, W, u, v);
    a0 = vadd(a0, u);
    b0 = vadd(b0, v);
    f(k + W, W, u, v);
    a1 = vadd(a1, u);
    b1 = vadd(b1, v);
  }
  for (; k < S; k += W) {
    V u, v;
    f(k, S - k, u, v);
    a0 = vadd(a0, u);
    b0 = vadd(b0, v);
  }
  sum_u += vsum(vadd(a0, a1));
  sum_v += vsum(vadd(b0, b1));
}

// W floats from p (n of them when n < W, zeros after).
inline V load_part(const float* p, std::size_t n) { return n >= W ? vload(p) : vload_n(p, n); }
inline void store_part(float* p, V v, std::size_t n) {
  if (n >= W)
    vstore(p, v);
  else
    vstore_n(p, v, n);
}

// sum = Σ (x - x0), sq = Σ (x - x0)^2 over the channel's B planes.
void bn_channel_sums(const float* x, std::size_t B, std::size_t stride, std::size_t S, float x0,
                     double& sum, double& sq) {
  const V shift = vset(x0);
  float x0s[W];  // a tail's shift: x0 in its n lanes, zero after, so u is zero there
  for (float& v : x0s) v = x0;
  sum = sq = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    const float* p = x + b * stride;  // (S)
    plane_sums(
        S,
        [&](std::size_t k, std::size_t n, V& u, V& v) {
          u = n >= W ? vsub(vload(p + k), shift) : vsub(vload_n(p + k, n), vload_n(x0s, n));
          v = vmul(u, u);
        },
        sum, sq);
  }
}

// y = x * a + s, then max(0, .) when relu, over the channel's B planes.
void bn_channel_apply(float* y, const float* x, std::size_t B, std::size_t stride,
                      std::size_t S, float a, float s, bool relu) {
  const V va = vset(a), vs = vset(s), floor = relu ? vzero() : vset(-__builtin_huge_valf());
  for (std::size_t b = 0; b < B; ++b) {
    const float* p = x + b * stride;
    float* q = y + b * stride;
    for (std::size_t k = 0; k < S; k += W)
      store_part(q + k, vmax(vfma(load_part(p + k, S - k), va, vs), floor), S - k);
  }
}

// sb = Σ g, sg = Σ g * (x - mu), g = dy masked by the fused ReLU (recomputed: x*a + sh > 0).
void bn_channel_param_sums(const float* x, const float* dy, std::size_t B, std::size_t stride,
                           std::size_t S, const BnChannel& c, bool relu, double& sb, double& sg) {
  const V va = vset(c.a), vsh = vset(c.shift), vmu = vset(c.mu);
  sb = sg = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    const float* p = x + b * stride;
    const float* g = dy + b * stride;
    plane_sums(
        S,
        [&](std::size_t k, std::size_t n, V& u, V& v) {
          const V xv = load_part(p + k, n);
          u = load_part(g + k, n);
          if (relu) u = vselect_positive(vfma(xv, va, vsh), u);
          v = vmul(u, vsub(xv, vmu));  // zero past n: u is
        },
        sb, sg);
  }
}

// dx = (accumulate ? dx : 0) + a * g + c1 * x + c0, g = dy masked as above.
void bn_channel_input_grad(float* dx, bool accumulate, const float* x, const float* dy,
                           std::size_t B, std::size_t stride, std::size_t S, const BnChannel& c,
                           bool relu) {
  const V va = vset(c.a), vsh = vset(c.shift), v1 = vset(c.c1), v0 = vset(c.c0);
  for (std::size_t b = 0; b < B; ++b) {
    const float* p = x + b * stride;
    const float* g = dy + b * stride;
    float* q = dx + b * stride;
    for (std::size_t k = 0; k < S; k += W) {
      const std::size_t n = S - k;
      const V xv = load_part(p + k, n);
      V gv = load_part(g + k, n);
      if (relu) gv = vselect_positive(vfma(xv, va, vsh), gv);
      V v = vfma(gv, va, vfma(xv, v1, v0));
      if (accumulate) v = vadd(v, load_part(q + k, n));
      store_part(q + k, v, n);
    }
  }
}
