// The target table of the batched Dense kernel, and its weight packing (plain C++: the
// layout only depends on the target's panel height). The builds: kernels/target_*.cpp.
#include "kernels/dense_batch_kernels.h"

#include <stdexcept>

namespace poda {

const IsaTable<DenseBatchKernels>& dense_batch_kernels() {
  static const IsaTable<DenseBatchKernels> table{{&kernels::dense_batch_scalar,
#if PODA_KERNELS_X86
                                                  &kernels::dense_batch_avx2,
                                                  &kernels::dense_batch_avx512
#else
                                                  nullptr, nullptr
#endif
  }};
  return table;
}

PackedDense pack_dense(const float* w, std::size_t out, std::size_t in, const float* bias,
                       KernelIsa isa) {
  PackedDense p;
  p.isa = isa;
  p.out = out;
  p.in = in;
  const std::size_t R = dense_batch_kernels().at(isa).panel_rows;
  p.panel_rows = R;
  const std::size_t panels = (out + R - 1) / R;
  p.w.assign(panels * in * R, 0.0f);
  p.bias.assign(panels * R, 0.0f);
  for (std::size_t o = 0; o < out; ++o) {
    float* panel = p.w.data() + (o / R) * in * R + o % R;  // column o % R of (in, R)
    for (std::size_t i = 0; i < in; ++i) panel[i * R] = w[o * in + i];
    if (bias) p.bias[o] = bias[o];
  }
  return p;
}

void dense_batch(const PackedDense& p, const float* x, std::size_t B, float* y, bool relu) {
  if (p.empty() && p.out * p.in != 0) throw std::logic_error("dense_batch: weights not packed");
  dense_batch_kernels().at(p.isa).dense_batch(p.w.data(), p.bias.data(), p.out, p.in, x, B, y,
                                              relu);
}

}  // namespace poda
