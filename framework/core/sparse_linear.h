#pragma once
// The sparse training path of a Dense layer whose mask is fixed between pruning steps
// (issue 27): the forward and the data gradient run the CSR kernels of the inference engine
// over the mask's pattern (core/sparse_pattern.h), the weight gradient is computed only at
// the pattern's entries (a sampled dense x dense product). The results are those of
// linear(x, weight ⊙ mask, bias) up to floating-point reassociation, the gradients included:
// the weight gradient is exactly zero off the pattern, as the masked dense path makes it.
// Whether a layer takes this path is measured (sparse_linear_chosen), as the training
// convolutions choose theirs (core/conv_choice.h), so it is never the slower one.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/sparse_pattern.h"
#include "core/variable.h"

namespace poda {

// y (B, out) = x (B, in) @ weight^T (in, out) + bias, with weight (out, in) read only at
// the pattern's entries; bias may be undefined. Throws std::invalid_argument on shapes that
// do not fit (both named).
Variable sparse_linear(const Variable& x, const Variable& weight,
                       std::shared_ptr<SparsePattern> pattern, const Variable& bias);

// The buffers of one sparse forward and backward, for the op and for the timed trial.
struct SparseLinearWork {
  std::vector<float> xt;     // (in, B): the input, feature-major
  std::vector<float> yt;     // (out, B): output, then the output gradient, feature-major
  std::vector<float> dxt;    // (in, B)
  std::vector<float> dvals;  // (nnz): the weight gradient at the pattern's entries
};

// The passes on raw buffers. forward: y (B, out) = x @ W^T + bias (bias may be null), keeps
// x feature-major in work.xt for the backward. backward: dx (B, in, may be null) and the
// weight gradient at the pattern's entries (work.dvals) from dy (B, out).
void sparse_linear_forward(SparsePattern& p, const float* x, const float* weight,
                           const float* bias, std::size_t B, SparseLinearWork& work, float* y);
void sparse_linear_backward(SparsePattern& p, const float* dy, const float* weight,
                            std::size_t B, SparseLinearWork& work, float* dx);

// The rules of the timed choice, shared by Dense and Conv2d (core/sparse_conv2d.h):
// - beyond half the weights kept the sparse path cannot win, so it is not even timed;
// - below sparse_min_timed_macs multiply-accumulates per dense product the layer stays dense
//   untimed: its step costs microseconds either way, and a timed choice there would follow
//   the machine's load from one process to the next (and with it the weights' last bits);
// - the sparse path must win by sparse_choice_margin: near break-even, a choice that flips
//   with noise between two processes would change the weights' last bits for no speed.
inline constexpr double sparse_path_max_density = 0.5;
inline constexpr std::size_t sparse_min_timed_macs = std::size_t(1) << 20;
inline constexpr double sparse_choice_margin = 1.2;

// How Dense layers pick their path: measured (the default), never sparse, or sparse
// wherever it applies without timing (tests and benchmarks compare the paths with these).
enum class SparseTraining { measured, off, forced };
void set_sparse_training(SparseTraining mode);
SparseTraining sparse_training();
// "measured", "off", "forced"; parse throws std::invalid_argument listing them.
std::string sparse_training_name(SparseTraining mode);
SparseTraining parse_sparse_training(const std::string& name);

// True when the sparse path should run linear(x, weight ⊙ mask, bias) with this pattern:
// forced, or timed clearly faster (by a margin) than the masked dense path (GEMMs plus the
// masking) the first time this (batch, shape, non-zeros, data gradient wanted, kernel
// target, threads) came up. Timing runs both paths on x into scratch buffers; a product too
// small to matter is not timed and stays dense. Off: false. The two paths differ in the
// rounding of sums, so a timed choice can make two processes' weights differ in their last
// bits (as the convolutions' choice can); `off` gives the dense path's numbers everywhere.
bool sparse_linear_chosen(const Variable& x, const Variable& weight, const Variable& mask,
                          SparsePattern& pattern, const Variable& bias);
// One line per choice made so far, with both times; and forgetting them (tests, benchmarks).
std::string sparse_linear_choices_text();
void clear_sparse_linear_choices();

}  // namespace poda
