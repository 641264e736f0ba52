#include "core/variable.h"

#include <stdexcept>
#include <unordered_set>

namespace poda {

namespace {
thread_local bool g_grad_enabled = true;

void check_same_shape(const Array& grad, const Array& g) {
  if (grad.shape() != g.shape())
    throw std::logic_error("autograd: gradient of shape " + shape_str(to_shape(g.shape())) +
                           " added to a variable of shape " + shape_str(to_shape(grad.shape())));
}
}  // namespace

bool grad_enabled() {
  return g_grad_enabled;
}
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) {
  g_grad_enabled = false;
}
NoGradGuard::~NoGradGuard() {
  g_grad_enabled = previous_;
}

Variable::Variable(Array data, bool requires_grad) : node_(std::make_shared<Node>()) {
  node_->data = std::move(data);
  node_->requires_grad = requires_grad;
}

void Variable::zero_grad() {
  node_->grad = Array();
  node_->has_grad = false;
}

void Variable::add_grad(const Array& g) {
  if (!node_->has_grad) {
    node_->grad = g;
    node_->has_grad = true;
    return;
  }
  check_same_shape(node_->grad, g);
  float* dst = node_->grad.data();
  const float* src = g.data();
  for (std::size_t i = 0, n = g.size(); i < n; ++i) dst[i] += src[i];
}

void Variable::add_grad(Array&& g) {
  if (!node_->has_grad) {
    if (g.shape() != node_->data.shape()) check_same_shape(node_->data, g);
    node_->grad = std::move(g);
    node_->has_grad = true;
    return;
  }
  add_grad(static_cast<const Array&>(g));
}

float* Variable::grad_accumulator(float& beta) {
  if (!node_->has_grad) {
    if (node_->grad.shape() != node_->data.shape())
      node_->grad = empty_array(to_shape(node_->data.shape()));
    node_->has_grad = true;
    beta = 0.0f;
  } else {
    beta = 1.0f;
  }
  return node_->grad.data();
}

Variable Variable::from_op(Array data, std::vector<Variable> inputs, GradFn grad_fn) {
  Variable out(std::move(data), false);
  if (!g_grad_enabled) return out;
  bool any = false;
  for (const Variable& v : inputs) any = any || (v.defined() && v.requires_grad());
  if (!any) return out;
  out.node_->requires_grad = true;
  out.node_->inputs = std::move(inputs);
  out.node_->grad_fn = std::move(grad_fn);
  return out;
}

void Variable::backward() {
  if (node_->data.size() != 1)
    throw std::logic_error("backward() without a gradient needs a scalar output, got shape " +
                           shape_str(shape()));
  Array seed = Array::from_shape(node_->data.shape());
  seed.fill(1.0f);
  backward(seed);
}

void Variable::backward(const Array& grad_output) {
  // Topological order by an iterative depth-first search, then run it in reverse.
  // `order` owns the nodes so that releasing edges below cannot free one still to visit.
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<std::shared_ptr<Node>, std::size_t>> stack{{node_, 0}};
  seen.insert(node_.get());
  while (!stack.empty()) {
    auto& [node, next_input] = stack.back();
    if (next_input < node->inputs.size()) {
      std::shared_ptr<Node> child = node->inputs[next_input++].node_;
      if (child && child->grad_fn && seen.insert(child.get()).second)
        stack.push_back({std::move(child), 0});
    } else {
      order.push_back(std::move(node));
      stack.pop_back();
    }
  }
  add_grad(grad_output);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = it->get();
    if (node->grad_fn && node->has_grad) node->grad_fn(node->inputs, node->grad);
    // Release the graph as we go: intermediate gradients and edges are not needed again.
    node->inputs.clear();
    node->grad_fn = nullptr;
    if (node != node_.get()) {
      node->grad = Array();
      node->has_grad = false;
    }
  }
}

}  // namespace poda
