// SparseGPT (prune/reconstruction/obs.h, prune/criteria/sparsegpt.cpp): the solver against a
// direct Optimal Brain Surgeon reference on a tiny layer, the closed-form optimum where the
// sequential order attains it, the reconstruction error against magnitude's, N:M patterns,
// determinism, and the criterion through prune() on Dense and Conv2d models.
#include <doctest/doctest.h>

#include <cmath>

#include "core/random.h"
#include "nn/layers/conv2d.h"
#include "prune/criterion.h"
#include "prune/pruner.h"
#include "prune/reconstruction/layer_hessian.h"
#include "prune/reconstruction/obs.h"
#include "prune_test_models.h"

using namespace poda;
using namespace poda::test;

namespace {

Matrix random_matrix(std::size_t r, std::size_t c, std::uint64_t seed) {
  Rng rng(seed);
  Matrix m(r, c);
  for (double& v : m.v) v = 2.0 * rng.uniform() - 1.0;
  return m;
}

Matrix hessian_of(const Matrix& x) {  // x (cols, n): H = 2 X X^T / n
  Matrix h(x.rows, x.rows);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.rows; ++j) {
      for (std::size_t k = 0; k < x.cols; ++k) h(i, j) += x(i, k) * x(j, k);
      h(i, j) *= 2.0 / static_cast<double>(x.cols);
    }
  return h;
}

// Gauss-Jordan inverse of the principal submatrix of h on `idx`.
Matrix inverse_on(const Matrix& h, const std::vector<std::size_t>& idx) {
  const std::size_t n = idx.size();
  Matrix a(n, 2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) a(i, j) = h(idx[i], idx[j]);
    a(i, n + i) = 1.0;
  }
  for (std::size_t c = 0; c < n; ++c) {
    const double p = a(c, c);
    for (std::size_t j = 0; j < 2 * n; ++j) a(c, j) /= p;
    for (std::size_t i = 0; i < n; ++i) {
      const double f = a(i, c);
      if (i == c || f == 0.0) continue;
      for (std::size_t j = 0; j < 2 * n; ++j) a(i, j) -= f * a(c, j);
    }
  }
  Matrix inv(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) inv(i, j) = a(i, n + j);
  return inv;
}

// The OBS removal of each pruned weight in column order, every later column of the row free:
// w_S -= w_i / [H_S^-1]_00 [H_S^-1]_{:,0} with S = {i, ..., cols - 1}.
Matrix sequential_obs(Matrix w, const Matrix& h, const std::vector<bool>& mask) {
  for (std::size_t r = 0; r < w.rows; ++r)
    for (std::size_t i = 0; i < w.cols; ++i) {
      if (!mask[r * w.cols + i]) continue;
      std::vector<std::size_t> s;
      for (std::size_t j = i; j < w.cols; ++j) s.push_back(j);
      const Matrix inv = inverse_on(h, s);
      const double f = w(r, i) / inv(0, 0);
      for (std::size_t j = 0; j < s.size(); ++j) w(r, s[j]) -= f * inv(j, 0);
    }
  return w;
}

// ||(W - W') X||_F^2 / n via the Hessian: tr(D H D^T) / 2.
double reconstruction_error(const Matrix& w, const Matrix& w2, const Matrix& h) {
  double e = 0.0;
  for (std::size_t r = 0; r < w.rows; ++r)
    for (std::size_t i = 0; i < w.cols; ++i)
      for (std::size_t j = 0; j < w.cols; ++j)
        e += (w(r, i) - w2(r, i)) * h(i, j) * (w(r, j) - w2(r, j));
  return e / 2.0;
}

Matrix masked(Matrix w, const std::vector<bool>& mask) {
  for (std::size_t e = 0; e < w.v.size(); ++e)
    if (mask[e]) w.v[e] = 0.0;
  return w;
}

std::vector<bool> magnitude_mask(const Matrix& w, double sparsity) {
  std::vector<std::pair<double, std::size_t>> order;
  for (std::size_t e = 0; e < w.v.size(); ++e) order.push_back({std::fabs(w.v[e]), e});
  std::sort(order.begin(), order.end());
  std::vector<bool> mask(w.v.size(), false);
  for (std::size_t k = 0; k < std::size_t(sparsity * w.v.size() + 0.5); ++k)
    mask[order[k].second] = true;
  return mask;
}

// Inputs correlated along a chain (x_i += 0.7 x_{i-1}), as features of real layers are:
// compensation through the other columns has something to work with.
Matrix correlated_inputs(std::size_t cols, std::size_t n, std::uint64_t seed) {
  Matrix x = random_matrix(cols, n, seed);
  for (std::size_t i = 1; i < cols; ++i)
    for (std::size_t k = 0; k < n; ++k) x(i, k) += 0.7 * x(i - 1, k);
  return x;
}

struct Layer {
  Matrix w = random_matrix(4, 10, 1);
  Matrix h = hessian_of(correlated_inputs(10, 40, 2));
  std::vector<bool> none = std::vector<bool>(40, false);
  Matrix factor(double damp = 0.0) const {
    std::vector<bool> dead;
    return inverse_hessian_factor(h, damp, dead);
  }
};

}  // namespace

TEST_CASE("sparsegpt solver: equals the sequential OBS reference for every block size") {
  Layer l;
  const std::vector<bool> mask = magnitude_mask(l.w, 0.5);
  const Matrix expected = sequential_obs(l.w, l.h, mask);
  for (std::size_t block : {1, 3, 4, 10, 128}) {
    CAPTURE(block);
    Matrix w = l.w;
    ObsSettings s;
    s.block = block;
    const std::vector<bool> used = obs_prune(w, l.factor(), s, l.none, {}, &mask);
    CHECK(used == mask);
    for (std::size_t e = 0; e < w.v.size(); ++e)
      CHECK(w.v[e] == doctest::Approx(expected.v[e]).epsilon(1e-9));
  }
}

TEST_CASE("sparsegpt solver: lower error than magnitude at its own mask; the optimum when it can") {
  Layer l;
  const std::vector<bool> mask = magnitude_mask(l.w, 0.5);
  Matrix w = l.w;
  ObsSettings s;
  obs_prune(w, l.factor(), s, l.none, {}, &mask);
  const double magnitude = reconstruction_error(l.w, masked(l.w, mask), l.h);
  MESSAGE("reconstruction error: magnitude ", magnitude, ", OBS update at the same mask ",
          reconstruction_error(l.w, w, l.h));
  CHECK(reconstruction_error(l.w, w, l.h) < 0.8 * magnitude);
  // Adaptive selection does better still than magnitude's mask without an update.
  Matrix adaptive = l.w;
  obs_prune(adaptive, l.factor(), s, l.none);
  MESSAGE("adaptive mask ", reconstruction_error(l.w, adaptive, l.h));
  CHECK(reconstruction_error(l.w, adaptive, l.h) < magnitude);

  // Pruned columns before every kept one: each removal re-optimises all kept weights, so the
  // sequential result is the closed-form optimum w_K += H_KK^-1 H_KP w_P.
  std::vector<bool> first(l.w.v.size(), false);
  for (std::size_t r = 0; r < l.w.rows; ++r)
    for (std::size_t c = 0; c < 4 + r; ++c) first[r * l.w.cols + c] = true;
  Matrix solved = l.w;
  s.block = 128;
  obs_prune(solved, l.factor(), s, l.none, {}, &first);
  for (std::size_t r = 0; r < l.w.rows; ++r) {
    std::vector<std::size_t> kept;
    for (std::size_t c = 4 + r; c < l.w.cols; ++c) kept.push_back(c);
    const Matrix inv = inverse_on(l.h, kept);
    for (std::size_t a = 0; a < kept.size(); ++a) {
      double opt = l.w(r, kept[a]);
      for (std::size_t b = 0; b < kept.size(); ++b)
        for (std::size_t p = 0; p < 4 + r; ++p) opt += inv(a, b) * l.h(kept[b], p) * l.w(r, p);
      CHECK(solved(r, kept[a]) == doctest::Approx(opt).epsilon(1e-9));
    }
  }
}

TEST_CASE("sparsegpt solver: exact counts, N:M groups per segment, forced entries, determinism") {
  Matrix w = random_matrix(6, 16, 3);
  const Matrix h = hessian_of(random_matrix(16, 64, 4));
  std::vector<bool> dead;
  const Matrix u = inverse_hessian_factor(h, 0.01, dead);
  std::vector<bool> forced(w.v.size(), false);
  forced[5] = true;
  SUBCASE("unstructured 70%: the layer's count over tiles of 3 columns") {
    ObsSettings s;
    s.sparsity = 0.7;
    s.block = 3;
    const std::vector<bool> mask = obs_prune(w, u, s, forced);
    CHECK(std::count(mask.begin(), mask.end(), true) == 67);  // floor(0.7 * 96 + 0.5)
    CHECK(mask[5]);
  }
  SUBCASE("2:4 within segments of 8 columns, blocks of 5 never split a group") {
    ObsSettings s;
    s.n = 2, s.m = 4, s.segment = 8, s.block = 5;
    Matrix again = w;
    const std::vector<bool> mask = obs_prune(w, u, s, forced);
    CHECK(obs_prune(again, u, s, forced) == mask);
    CHECK(again.v == w.v);
    for (std::size_t r = 0; r < w.rows; ++r)
      for (std::size_t g = 0; g < 16; g += 4) {
        int kept = 0;
        for (std::size_t c = g; c < g + 4; ++c) kept += !mask[r * 16 + c];
        CHECK(kept == 2);
      }
    CHECK(mask[5]);
  }
}

namespace {

std::vector<Array> random_batches(const Shape& shape, int count, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Array> out;
  for (int b = 0; b < count; ++b) {
    Array x = empty_array(shape);
    for (float& v : x) v = 2.0f * rng.uniform() - 1.0f;
    out.push_back(x);
  }
  return out;
}

// Squared distance of the model's outputs from `reference` over the batches.
double output_error(Module& model, const std::vector<Array>& batches,
                    const std::vector<Array>& reference) {
  double e = 0.0;
  NoGradGuard no_grad;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const Array y = model.forward(Variable(batches[b])).data();
    for (std::size_t i = 0; i < y.size(); ++i)
      e += std::pow(y.data()[i] - reference[b].data()[i], 2);
  }
  return e;
}

struct DenseNet {
  Sequential model;
  DenseNet() {
    model.add("fc1", dense(12, 10, true, Array(distinct_weights({10, 12}, 5) / 120.0f)))
        .add("relu", std::make_shared<ReLU>())
        .add("fc2", dense(10, 4, true, Array(distinct_weights({4, 10}, 6) / 40.0f)));
  }
};

PruneStats prune_with(Module& model, const std::string& criterion, const GranularitySpec& g,
                      const std::vector<Array>& batches, Scope scope = Scope::layer) {
  PruneSettings s;
  s.criterion = criterion;
  s.granularity = g;
  s.scope = scope;
  s.sparsity = 0.5;
  CriterionContext ctx;
  ctx.model = &model;
  ctx.batches = static_cast<int>(batches.size());
  ctx.run_forward = [&](Module& m, int b) { m.forward(Variable(batches[b])); };
  return prune(model, s, 0.5, ctx);
}

}  // namespace

TEST_CASE("sparsegpt criterion: prunes layer by layer, updates kept weights, beats magnitude") {
  const std::vector<Array> batches = random_batches({16, 12}, 4, 7);
  DenseNet dense_net;
  std::vector<Array> reference;
  for (const Array& x : batches) reference.push_back(dense_net.model.forward(Variable(x)).data());
  double errors[2];
  int i = 0;
  for (const char* criterion : {"magnitude", "sparsegpt"}) {
    CAPTURE(criterion);
    DenseNet net;
    const PruneStats stats = prune_with(net.model, criterion, {}, batches);
    CHECK(stats.weights_pruned == 80);  // 50% of 120 and of 40, per layer
    CHECK(zeros(*net.model.named_parameters().at(0).second) == 60);
    errors[i++] = output_error(net.model, batches, reference);
  }
  CHECK(errors[1] < 0.5 * errors[0]);
  // Deterministic: a second run gives the same weights bit for bit.
  DenseNet a, b;
  prune_with(a.model, "sparsegpt", {}, batches);
  prune_with(b.model, "sparsegpt", {}, batches);
  for (std::size_t p = 0; p < a.model.named_parameters().size(); ++p)
    CHECK(a.model.named_parameters()[p].second->value.data() ==
          b.model.named_parameters()[p].second->value.data());
}

TEST_CASE("sparsegpt criterion: 2:4 on a Conv2d groups 4 input channels at one kernel position") {
  Rng rng(3);
  Conv2dSettings cs;
  cs.in_channels = 8, cs.out_channels = 3, cs.kernel = 3, cs.padding = 1;
  auto conv = std::make_shared<Conv2d>(cs, Init::kaiming_uniform, rng);
  Sequential model;
  model.add("conv", conv);
  const std::vector<Array> batches = random_batches({2, 8, 5, 5}, 2, 9);
  GranularitySpec g;
  g.kind = Granularity::n_m;
  prune_with(model, "sparsegpt", g, batches);
  const Array& mask = conv->weight().mask.data();
  for (std::size_t o = 0; o < 3; ++o)
    for (std::size_t j = 0; j < 9; ++j)
      for (std::size_t g0 = 0; g0 < 8; g0 += 4) {
        int kept = 0;
        for (std::size_t c = g0; c < g0 + 4; ++c) kept += mask.data()[(o * 8 + c) * 9 + j] != 0.0f;
        CHECK(kept == 2);
      }
}

TEST_CASE("sparsegpt criterion: a layer's Hessian is taken behind the already pruned layers") {
  const std::vector<Array> batches = random_batches({16, 12}, 4, 7);
  DenseNet pruned;
  prune_with(pruned.model, "sparsegpt", {}, batches);
  // Rebuild fc2's step by hand: the original fc2 behind the pruned fc1.
  DenseNet net;
  auto params = net.model.named_parameters();
  auto done = pruned.model.named_parameters();
  params[0].second->value.data() = done[0].second->value.data();  // fc1.weight
  params[0].second->set_mask(done[0].second->mask.data());
  params[1].second->value.data() = done[1].second->value.data();  // fc1.bias
  std::vector<PruneTarget> targets = collect_targets(net.model);
  const ForwardFn forward = [&](Module& m, int b) { m.forward(Variable(batches[b])); };
  std::vector<bool> dead;
  const Matrix u = inverse_hessian_factor(
      layer_hessian(net.model, targets[1], forward, static_cast<int>(batches.size())), 0.01, dead);
  Matrix w(4, 10);
  for (std::size_t e = 0; e < w.v.size(); ++e) w.v[e] = params[2].second->value.data().data()[e];
  ObsSettings s;
  obs_prune(w, u, s, std::vector<bool>(40, false), dead);
  const Array& got = done[2].second->value.data();
  for (std::size_t e = 0; e < w.v.size(); ++e)
    CHECK(got.data()[e] == doctest::Approx(w.v[e]).epsilon(1e-5));
}

TEST_CASE("sparsegpt criterion: a global scope takes the solver's per-layer masks") {
  const std::vector<Array> batches = random_batches({16, 12}, 4, 7);
  DenseNet layer, global;
  prune_with(layer.model, "sparsegpt", {}, batches);
  const PruneStats stats = prune_with(global.model, "sparsegpt", {}, batches, Scope::global);
  CHECK(stats.weights_pruned == 80);
  for (std::size_t p = 0; p < layer.model.named_parameters().size(); ++p)
    CHECK(layer.model.named_parameters()[p].second->value.data() ==
          global.model.named_parameters()[p].second->value.data());
}
