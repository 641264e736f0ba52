// The timed choice between the sparse and the masked dense path of a Conv2d layer in
// training (core/sparse_conv2d.h), on the pattern of core/sparse_linear_choice.cpp. The
// trial runs both ops as the layer would (forward, and backward when gradients are wanted)
// on copies of its input and weight, so the dense side is whatever conv2d runs.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "core/parallel.h"
#include "core/sparse_conv2d.h"
#include "core/sparse_linear.h"
#include "kernels/isa.h"

namespace poda {
// Names of their own: the unity build compiles this file beside sparse_linear_choice.cpp.
namespace {

// (B, C_in, H, W, C_out, kH, kW, stride, padding, dilation, non-zeros, backward, dx, target,
// threads)
using ConvChoiceKey = std::array<std::size_t, 15>;


struct ConvChoices {
  std::mutex mutex;
  std::map<ConvChoiceKey, bool> sparse;
  std::vector<std::string> lines;
};

ConvChoices& conv_choices() {
  static ConvChoices c;
  return c;
}

double conv_best_ms(const std::function<void()>& a, const std::function<void()>& b,
                    double& b_ms) {
  double a_ms = 1e30;
  b_ms = 1e30;
  for (int round = 0; round < 4; ++round) {  // a warm-up round, then the best of three
    auto t0 = std::chrono::steady_clock::now();
    a();
    auto t1 = std::chrono::steady_clock::now();
    b();
    auto t2 = std::chrono::steady_clock::now();
    if (round == 0) continue;
    a_ms = std::min(a_ms, std::chrono::duration<double, std::milli>(t1 - t0).count());
    b_ms = std::min(b_ms, std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  return a_ms;
}

bool measure_conv_paths(const ConvChoiceKey& key, const Variable& x, const Variable& weight,
                        const Variable& mask, const std::shared_ptr<SparsePattern>& pattern,
                        const Variable& bias, const Conv2dOptions& o) {
  const bool backward = key[11] != 0, dx = key[12] != 0;
  Variable xv(x.data(), dx), wv(weight.data(), backward), mv(mask.data(), false);
  Variable bv = bias.defined() ? Variable(bias.data(), backward) : Variable();
  auto run = [&](bool sparse) {
    Variable y = sparse ? sparse_conv2d(xv, wv, pattern, bv, o) : conv2d(xv, mul(wv, mv), bv, o);
    if (!backward) return;
    Array dy = empty_array(y.shape());
    std::fill(dy.begin(), dy.end(), 0.5f);
    y.backward(dy);
    xv.zero_grad(), wv.zero_grad();
    if (bv.defined()) bv.zero_grad();
  };
  double dense_ms;
  const double sparse_ms = conv_best_ms([&] { run(true); }, [&] { run(false); }, dense_ms);
  const bool chosen = sparse_ms * sparse_choice_margin < dense_ms;
  char line[220];
  std::snprintf(line, sizeof line,
                "  conv %3zu -> %3zu  %zux%zu on %zux%zu  batch %4zu  density %.4f  %-8s  %-6s  "
                "sparse %8.3f ms  masked dense %8.3f ms  -> %s",
                key[1], key[4], key[5], key[6], key[2], key[3], key[0], pattern->w.density(),
                backward ? "training" : "forward", kernel_isa_name(kernel_isa()), sparse_ms,
                dense_ms, chosen ? "sparse" : "dense");
  std::lock_guard<std::mutex> lock(conv_choices().mutex);
  if (conv_choices().sparse.emplace(key, chosen).second) conv_choices().lines.push_back(line);
  return conv_choices().sparse[key];
}

}  // namespace

bool sparse_conv2d_chosen(const Variable& x, const Variable& weight, const Variable& mask,
                          const std::shared_ptr<SparsePattern>& pattern, const Variable& bias,
                          const Conv2dOptions& o) {
  const SparseTraining m = sparse_training();
  if (m != SparseTraining::measured) return m == SparseTraining::forced;
  const std::size_t oh = conv_out_size(x.dim(2), weight.dim(2), o.stride, o.padding, o.dilation);
  const std::size_t ow = conv_out_size(x.dim(3), weight.dim(3), o.stride, o.padding, o.dilation);
  if (x.dim(0) * oh * ow * weight.size() < sparse_min_timed_macs) return false;
  const bool backward = grad_enabled() && (x.requires_grad() || weight.requires_grad());
  const ConvChoiceKey key{x.dim(0),
                x.dim(1),
                x.dim(2),
                x.dim(3),
                weight.dim(0),
                weight.dim(2),
                weight.dim(3),
                o.stride,
                o.padding,
                o.dilation,
                pattern->nnz(),
                backward,
                backward && x.requires_grad(),
                std::size_t(kernel_isa()),
                std::size_t(compute_threads())};
  {
    std::lock_guard<std::mutex> lock(conv_choices().mutex);
    const auto it = conv_choices().sparse.find(key);
    if (it != conv_choices().sparse.end()) return it->second;
  }
  return measure_conv_paths(key, x, weight, mask, pattern, bias, o);
}

std::string sparse_conv2d_choices_text() {
  std::lock_guard<std::mutex> lock(conv_choices().mutex);
  std::string text;
  for (const std::string& line : conv_choices().lines) text += line + "\n";
  return text;
}

void clear_sparse_conv2d_choices() {
  std::lock_guard<std::mutex> lock(conv_choices().mutex);
  conv_choices().sparse.clear();
  conv_choices().lines.clear();
}

}  // namespace poda
