#pragma once
// The sparse training path of a Conv2d layer whose mask is fixed between pruning steps
// (issue 27), the convolution's counterpart of core/sparse_linear.h. Per image, the input's
// patches are unrolled (im2col: K = C_in kH kW rows by OH OW columns); the forward is the CSR
// product of the mask's pattern (C_out, K) with them, written straight into the (C_out, OH OW)
// output; the data gradient is the transposed pattern's product with the output gradient,
// folded back by col2im; the weight gradient is computed only at the pattern's entries
// (sampled_dots over each image's positions). groups 1 only. The results are those of
// conv2d(x, weight ⊙ mask, bias) up to floating-point reassociation. The path is taken only
// where it is timed clearly faster than the masked dense conv2d (whatever kernels that runs),
// under the same process-wide switch as the Dense path (set_sparse_training).
#include <memory>
#include <string>

#include "core/ops.h"
#include "core/sparse_pattern.h"
#include "core/variable.h"

namespace poda {

// y (B, C_out, OH, OW) = conv2d(x (B, C_in, H, W), weight (C_out, C_in, kH, kW) read at the
// pattern's entries (pattern (C_out, C_in kH kW)), bias (C_out) or undefined). Throws
// std::invalid_argument on shapes that do not fit, or groups > 1.
Variable sparse_conv2d(const Variable& x, const Variable& weight,
                       std::shared_ptr<SparsePattern> pattern, const Variable& bias,
                       const Conv2dOptions& options);

// True when the sparse path should run conv2d(x, weight ⊙ mask, bias): forced, or timed
// faster by a margin than the masked dense conv2d the first time this (shape, non-zeros,
// gradients wanted, kernel target, threads) came up; a convolution too small to matter
// stays dense untimed. Off: false.
bool sparse_conv2d_chosen(const Variable& x, const Variable& weight, const Variable& mask,
                          const std::shared_ptr<SparsePattern>& pattern, const Variable& bias,
                          const Conv2dOptions& options);
std::string sparse_conv2d_choices_text();
void clear_sparse_conv2d_choices();

}  // namespace poda
