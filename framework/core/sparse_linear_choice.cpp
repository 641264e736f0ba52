// The timed choice between the sparse and the masked dense path of a Dense layer in
// training (core/sparse_linear.h), on the pattern of core/conv_choice.cpp.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "core/gemm.h"
#include "core/parallel.h"
#include "core/sparse_linear.h"
#include "kernels/isa.h"

namespace poda {
namespace {

// (batch, in, out, non-zeros, backward wanted, data gradient wanted, kernel target, threads)
using Key =
    std::tuple<std::size_t, std::size_t, std::size_t, std::size_t, bool, bool, int, int>;

struct Choices {
  std::mutex mutex;
  std::map<Key, bool> sparse;
  std::vector<std::string> lines;
};

Choices& choices() {
  static Choices c;
  return c;
}

std::atomic<SparseTraining>& mode() {
  static std::atomic<SparseTraining> m{SparseTraining::measured};
  return m;
}

// Scratch inputs and outputs of both trials, sized once.
struct Scratch {
  std::vector<float> w_eff, y, dy, dx, dw;
  SparseLinearWork work;
};

// The masked dense path of linear() on one batch: weight ⊙ mask, the forward GEMM, the data
// gradient's when wanted, the weight gradient's and its masking.
void dense_trial(const float* x, const float* w, const float* mask, const float* bias,
                 std::size_t B, std::size_t in, std::size_t out, bool backward, bool dx,
                 Scratch& s) {
  const std::size_t n = in * out;
  for (std::size_t i = 0; i < n; ++i) s.w_eff[i] = w[i] * mask[i];
  for (std::size_t r = 0; r < B; ++r) std::copy(bias, bias + out, s.y.data() + r * out);
  gemm(false, true, B, out, in, 1.0f, x, s.w_eff.data(), 1.0f, s.y.data());
  if (!backward) return;
  if (dx) gemm(false, false, B, in, out, 1.0f, s.dy.data(), s.w_eff.data(), 0.0f, s.dx.data());
  gemm(true, false, out, in, B, 1.0f, s.dy.data(), x, 0.0f, s.dw.data());
  for (std::size_t i = 0; i < n; ++i) s.dw[i] *= mask[i];
}

double trial_ms(const std::function<void()>& run) {
  const auto t0 = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The fastest of three alternating runs of each path after a warm-up run of each.
void time_paths(const std::function<void()>& sparse, const std::function<void()>& dense,
                double& sparse_ms, double& dense_ms) {
  sparse_ms = dense_ms = 1e30;
  for (int round = 0; round < 4; ++round) {
    const double s = trial_ms(sparse), d = trial_ms(dense);
    if (round == 0) continue;
    sparse_ms = std::min(sparse_ms, s);
    dense_ms = std::min(dense_ms, d);
  }
}

bool measure(const Key& key, const Variable& x, const Variable& weight, const Variable& mask,
             SparsePattern& p, const Variable& bias) {
  const std::size_t B = x.dim(0), in = x.dim(1), out = weight.dim(0);
  const bool backward = std::get<4>(key), dx = std::get<5>(key);
  Scratch s;
  s.w_eff.resize(in * out);
  s.dw.resize(in * out);
  s.y.resize(B * out);
  s.dy.assign(B * out, 0.5f);
  s.dx.resize(dx ? B * in : 0);
  std::vector<float> zero_bias(out, 0.0f);
  const float* pb = bias.defined() ? bias.data().data() : zero_bias.data();
  const float *px = x.data().data(), *pw = weight.data().data(), *pm = mask.data().data();
  auto sparse = [&] {
    sparse_linear_forward(p, px, pw, pb, B, s.work, s.y.data());
    if (backward)
      sparse_linear_backward(p, s.dy.data(), pw, B, s.work, dx ? s.dx.data() : nullptr);
  };
  auto dense = [&] { dense_trial(px, pw, pm, pb, B, in, out, backward, dx, s); };
  double sparse_ms, dense_ms;
  time_paths(sparse, dense, sparse_ms, dense_ms);
  const bool chosen = sparse_ms * sparse_choice_margin < dense_ms;
  char line[200];
  std::snprintf(line, sizeof line,
                "  dense %4zu -> %4zu  batch %4zu  density %.4f  %-8s  %-6s  sparse %8.3f ms  "
                "masked dense %8.3f ms  -> %s",
                in, out, B, p.w.density(), backward ? "training" : "forward", kernel_isa_name(kernel_isa()), sparse_ms, dense_ms,
                chosen ? "sparse" : "dense");
  std::lock_guard<std::mutex> lock(choices().mutex);
  if (choices().sparse.emplace(key, chosen).second) choices().lines.push_back(line);
  return choices().sparse[key];
}

}  // namespace

void set_sparse_training(SparseTraining m) {
  mode() = m;
}

SparseTraining sparse_training() {
  return mode();
}

std::string sparse_training_name(SparseTraining m) {
  return m == SparseTraining::off ? "off" : m == SparseTraining::forced ? "forced" : "measured";
}

SparseTraining parse_sparse_training(const std::string& name) {
  for (SparseTraining m : {SparseTraining::measured, SparseTraining::off, SparseTraining::forced})
    if (sparse_training_name(m) == name) return m;
  throw std::invalid_argument("unknown sparse training path '" + name +
                              "' (expected one of: measured, off, forced)");
}

bool sparse_linear_chosen(const Variable& x, const Variable& weight, const Variable& mask,
                          SparsePattern& pattern, const Variable& bias) {
  const SparseTraining m = mode();
  if (m != SparseTraining::measured) return m == SparseTraining::forced;
  if (x.dim(0) * x.dim(1) * weight.dim(0) < sparse_min_timed_macs) return false;
  const bool backward = grad_enabled() && (x.requires_grad() || weight.requires_grad());
  const Key key{x.dim(0),
                x.dim(1),
                weight.dim(0),
                pattern.nnz(),
                backward,
                backward && x.requires_grad(),
                int(kernel_isa()),
                compute_threads()};
  {
    std::lock_guard<std::mutex> lock(choices().mutex);
    const auto it = choices().sparse.find(key);
    if (it != choices().sparse.end()) return it->second;
  }
  return measure(key, x, weight, mask, pattern, bias);
}

std::string sparse_linear_choices_text() {
  std::lock_guard<std::mutex> lock(choices().mutex);
  std::string text;
  for (const std::string& line : choices().lines) text += line + "\n";
  return text;
}

void clear_sparse_linear_choices() {
  std::lock_guard<std::mutex> lock(choices().mutex);
  choices().sparse.clear();
  choices().lines.clear();
}

}  // namespace poda
