#pragma once
// The inference path: a model lowered once into a flat list of steps, apart from
// autograd. Masks are folded into the weights, BatchNorm into the Conv/Dense before it;
// there is no graph, and buffers are allocated once per largest batch, so run() allocates
// nothing. Each Dense and Conv2d layer carries a dense and a sparse kernel and runs the one
// the dispatch policy picks for the batch size at hand:
//   dense     always the dense kernel (the "dense" path of a pruned model);
//   sparse    the sparse kernel wherever it exists;
//   measured  per layer and batch size, the sparse kernel where it measured clearly faster
//             on this machine (candidate_wins; a layer denser than max_sparse_density is
//             not even tried), so the plan is never slower than the dense one by more than
//             timing noise.
// The dense kernel itself is GEMM or direct (infer/linear_ops.h), also timed per layer and
// batch size wherever a layer has both, unless force_dense_kernel() fixed it.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infer/int8_ops.h"
#include "infer/linear_ops.h"
#include "infer/op.h"
#include "nn/module.h"

namespace poda {

enum class Dispatch { dense, sparse, measured };

// The rule of the measured dispatch between a layer's dense kernel (the default) and its
// sparse candidate: the candidate only when its timed call is faster by more than
// kernel_switch_margin of the default's time. Near ties stay dense: a layer is timed alone,
// and two kernels that tie there need not tie inside the whole plan (LeNet-300-100's fc1 at
// 40% sparsity timed 17.2 us dense, 17.1 us sparse at batch 1 on AVX2, and a measured plan
// of that model read 0.87x its dense plan), so a coin flip must not pick the sparse kernel.
constexpr double kernel_switch_margin = 0.10;
bool candidate_wins(double default_us, double candidate_us);

// How one Dense/Conv2d layer runs at one batch size, and why.
struct LayerChoice {
  std::string name, kind;  // "fc1", "Dense(784 -> 300)"
  double density = 1.0;    // non-zero weights / weights
  KernelPath path = KernelPath::dense;
  DenseKernel dense_kernel = DenseKernel::gemm;  // what the dense path runs
  double dense_us = -1.0, sparse_us = -1.0;      // the measured times (-1: not measured)
  double gemm_us = -1.0, direct_us = -1.0;       // the two dense kernels, when timed
  bool fp32 = false;                             // an int8 layer run on its fp32 kernel
  double int8_us = -1.0, fp32_us = -1.0;         // an int8 layer's two kernels, timed
  std::string reason;
};

class InferencePlan {
 public:
  InferencePlan(std::vector<std::unique_ptr<InferOp>> ops, std::vector<std::size_t> slot_numel,
                int output_slot, Shape input_shape, Shape output_shape, Dispatch dispatch);

  // x (B, input...) -> (B, output...), both batch-major; the result stays valid until the
  // next call. The first call at a new batch size allocates and (measured) times the layers.
  const float* run(const float* x, std::size_t batch);
  Array forward(const Array& x);  // the same for a (B, input...) array

  // Runs every dense path on kernel k instead of timing GEMM against direct (call before the
  // first run; layers without a direct kernel keep GEMM).
  void force_dense_kernel(DenseKernel k) { forced_dense_ = k; }
  // Runs every int8 layer on its int8 kernel (false) or on its fp32 one (true) instead of
  // timing the two (call before the first run): to compare the int8 kernels themselves.
  void force_fp32_fallback(bool on) { forced_fp32_fallback_ = on; }
  // Sizes the buffers and picks every layer's kernel for this batch size.
  void prepare(std::size_t batch);
  const std::vector<LayerChoice>& choices(std::size_t batch);
  // One line per step, with each layer's kernel at this batch size.
  std::string describe(std::size_t batch);
  // Where the time goes: every step's median µs over `calls` runs of the plan on a fixed
  // input at this batch size, one line per step, and their sum.
  std::string profile(std::size_t batch, int calls);

  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }
  std::size_t bytes_dense() const;   // fp32 weights and biases
  std::size_t bytes_sparse() const;  // CSR values, 16-bit columns, row pointers, biases
  std::size_t macs() const;          // dense, per sample
  Dispatch dispatch() const { return dispatch_; }
  // Layers denser than this keep the dense kernel without being timed.
  static constexpr double max_sparse_density = 0.7;

 private:
  void allocate(std::size_t batch);
  void find_batch1_views();
  const float* run_batch1();
  std::vector<LayerChoice> choose(std::size_t batch);
  LayerChoice choose_layer(LinearOp& op, std::size_t batch);
  void pick_dense_kernel(LinearOp& op, std::size_t batch, LayerChoice& c);
  void pick_int8_or_fp32(LinearOp& op, std::size_t batch, LayerChoice& c);
  void apply(const std::vector<LayerChoice>& choices);

  std::vector<std::unique_ptr<InferOp>> ops_;
  std::vector<LinearOp*> linear_;
  std::vector<std::size_t> slot_numel_;
  int output_slot_;
  Shape input_shape_, output_shape_;
  Dispatch dispatch_;
  std::optional<DenseKernel> forced_dense_;
  std::optional<bool> forced_fp32_fallback_;
  Workspace ws_;
  std::vector<float*> own_slots_;  // each slot's own buffer (ws_.slots after allocate)
  // At batch 1 a layout change (TransposeOp) leaves the values where they are: these steps
  // then point their output slot at their input instead of copying (find_batch1_views).
  std::vector<char> view_at_batch1_;  // (steps)
  std::size_t capacity_ = 0;          // the batch the buffers hold
  std::vector<std::pair<std::size_t, std::vector<LayerChoice>>> choices_;  // per batch size
  std::size_t applied_batch_ = 0;
  std::vector<float> calibration_input_;  // what the layers are timed on
};

// Lowers `model` (its layers' lower(), nn/lowering.h) for samples of `input_shape`.
// Throws std::invalid_argument naming a layer that has no lowering.
std::unique_ptr<InferencePlan> build_plan(Module& model, const Shape& input_shape,
                                          Dispatch dispatch);
// The same with the layers named in `int8` run in int8 (infer/int8_ops.h) on those input
// grids; dense / sparse / measured then choose between the int8 dense and sparse GEMMs.
// Whatever the dispatch, each int8 layer is timed against its fp32 kernel at each batch
// size and runs the faster (LayerChoice::fp32).
std::unique_ptr<InferencePlan> build_plan(Module& model, const Shape& input_shape,
                                          Dispatch dispatch, const Int8Inputs& int8);

}  // namespace poda
