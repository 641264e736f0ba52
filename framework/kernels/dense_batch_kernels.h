#pragma once
// A batched Dense layer without the GEMM library: y (out, B) = act(bias + W (out, in) · x (in, B))
// on the feature-major layout of the inference plan, with W packed once (when the plan is
// built) into panels of R rows, so no call re-packs it as a GEMM library does, and the bias
// and ReLU applied in the register tile's epilogue instead of a second pass over y.
// Written once in kernels/dense_batch.inl, built for each kernel target (kernels/isa.h).
#include <cstddef>
#include <vector>

#include "kernels/isa.h"

namespace poda {

// W packed for one target's kernel: panel p holds rows [pR, pR + R) as (in, R) row-major
// (the R weights of one input together), the last panel and the bias padded with zeros.
struct PackedDense {
  KernelIsa isa = KernelIsa::scalar;  // the target whose kernel reads it
  std::size_t out = 0, in = 0, panel_rows = 0;
  std::vector<float> w;     // (ceil(out / R), in, R)
  std::vector<float> bias;  // (ceil(out / R) * R)
  bool empty() const { return w.empty(); }
};

// Packs w (out, in) row-major and bias (out, or null for none) for the kernel of `isa`.
PackedDense pack_dense(const float* w, std::size_t out, std::size_t in, const float* bias,
                       KernelIsa isa);

// y (out, B) = act(bias + W · x (in, B)), act = ReLU when relu; x and y row-major with row
// stride B. Runs the build of the target p was packed for.
void dense_batch(const PackedDense& p, const float* x, std::size_t B, float* y, bool relu);

// One target's build: its panel height, and the kernel over a packed W
// (wp (panels, in, R), bias (panels * R)).
struct DenseBatchKernels {
  std::size_t panel_rows;
  void (*dense_batch)(const float* wp, const float* bias, std::size_t out, std::size_t in,
                      const float* x, std::size_t B, float* y, bool relu);
};
const IsaTable<DenseBatchKernels>& dense_batch_kernels();

namespace kernels {
extern const DenseBatchKernels dense_batch_scalar, dense_batch_avx2, dense_batch_avx512;
}  // namespace kernels

}  // namespace poda
