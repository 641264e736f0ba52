#pragma once
// Reverse-mode autograd on a dynamic graph (micrograd's shape, flashlight's ownership).
//
// A Variable shares its node through shared_ptr. An op's output node holds its inputs and
// a grad function; the grad function receives the inputs and the output gradient as
// arguments and captures only shapes and scalars, so no node owns itself and the graph is
// freed as soon as the last output goes away (or right after backward()).
#include <functional>
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace poda {

class Variable;
using GradFn = std::function<void(std::vector<Variable>& inputs, const Array& grad_output)>;

class Variable {
 public:
  Variable() = default;
  explicit Variable(Array data, bool requires_grad = false);

  bool defined() const { return node_ != nullptr; }
  const Array& data() const { return node_->data; }
  Array& data() { return node_->data; }
  Shape shape() const { return to_shape(node_->data.shape()); }
  std::size_t dim(std::size_t axis) const { return node_->data.shape()[axis]; }
  std::size_t size() const { return node_->data.size(); }

  bool requires_grad() const { return node_->requires_grad; }
  bool has_grad() const { return node_->has_grad; }
  const Array& grad() const { return node_->grad; }
  Array& grad() { return node_->grad; }
  void zero_grad();

  // Accumulates g into this variable's gradient (shapes must match).
  void add_grad(const Array& g);
  void add_grad(Array&& g);
  // For kernels that accumulate in place (e.g. GEMM with beta): returns the gradient
  // buffer and the beta to use: 0 when the buffer is fresh (uninitialised), 1 otherwise.
  float* grad_accumulator(float& beta);

  // Seeds with ones for a scalar (size-1) output, otherwise with grad_output.
  void backward();
  void backward(const Array& grad_output);

  // Builds an op's output. Records the graph only when grad mode is on and an input
  // requires a gradient.
  static Variable from_op(Array data, std::vector<Variable> inputs, GradFn grad_fn);

  // How many handles and graph edges share this node (tests check the graph is freed).
  long use_count() const { return node_.use_count(); }

 private:
  struct Node {
    Array data;
    Array grad;
    bool has_grad = false;
    bool requires_grad = false;
    std::vector<Variable> inputs;
    GradFn grad_fn;
  };
  std::shared_ptr<Node> node_;
};

// Graph recording is on by default; evaluation turns it off with a guard.
bool grad_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace poda
