// Conv2d's sparse training path (core/sparse_conv2d.h): where it applies, and the pattern
// cache. Kept apart from conv2d.cpp, whose dense path it falls back to.
#include "core/sparse_conv2d.h"
#include "core/sparse_linear.h"
#include "nn/layers/conv2d.h"

namespace poda {

Variable Conv2d::sparse_forward(const Variable& x) {
  const Parameter& w = *weight_;
  const std::size_t K = w.value.size() / w.value.dim(0);
  if (!w.has_mask() || w.fake_quant || sparse_training() == SparseTraining::off ||
      options_.groups != 1 || x.data().dimension() != 4 || x.dim(1) != settings_.in_channels ||
      K > max_csr_cols || w.value.dim(0) > max_csr_cols)
    return {};
  if (!pattern_ || pattern_version_ != w.mask_version()) {
    pattern_ = build_sparse_pattern(w.mask.data().data(), w.value.dim(0), K);
    pattern_version_ = w.mask_version();
  }
  if (pattern_->w.density() > sparse_path_max_density &&
      sparse_training() != SparseTraining::forced)
    return {};
  const Variable bias = bias_ ? bias_->effective() : Variable();
  if (!sparse_conv2d_chosen(x, w.value, w.mask, pattern_, bias, options_)) return {};
  return sparse_conv2d(x, w.value, pattern_, bias, options_);
}

}  // namespace poda
