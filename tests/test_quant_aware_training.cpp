// Masks survive quantization-aware training: a tiny pruned MLP trained for a few SGD steps
// through fake-quantized weights and activations, and the same model fine-tuned by
// Deep Compression's centroid steps.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "core/fake_quant.h"
#include "core/ops.h"
#include "gradcheck.h"
#include "quantize/calibration.h"
#include "quantize/weight_sharing.h"
#include "train/optimizer.h"

using namespace poda;

namespace {

struct TinyMlp {  // 6 -> 8 -> 3, both weights pruned to about half
  Parameter w1, b1, w2, b2;
  Array x;  // (16, 6)
  std::vector<int> labels;
};

Parameter make_param(Array value, bool with_mask, std::uint64_t seed) {
  Parameter p;
  p.value = Variable(std::move(value), true);
  if (with_mask) {
    std::mt19937 rng(seed);
    Array mask = empty_array(p.value.shape());
    for (float& m : mask) m = (rng() % 2) ? 1.0f : 0.0f;
    p.set_mask(std::move(mask));
  }
  return p;
}

TinyMlp make_mlp() {
  TinyMlp m;
  m.w1 = make_param(poda::testing::random_array({8, 6}, 1), true, 11);
  m.b1 = make_param(zeros_array({8}), false, 0);
  m.w2 = make_param(poda::testing::random_array({3, 8}, 2), true, 12);
  m.b2 = make_param(zeros_array({3}), false, 0);
  m.x = poda::testing::random_array({16, 6}, 3);
  for (int i = 0; i < 16; ++i) m.labels.push_back(i % 3);
  return m;
}

// The fake-quantized forward: activations on calibrated uint8 grids, weights on their own
// per-channel int8 grids, built from the masked (effective) weights.
Variable qat_loss(TinyMlp& m, const QuantGrid& in_grid, const QuantGrid& hidden_grid) {
  Variable x = fake_quantize(Variable(m.x), in_grid);
  Variable h = relu(linear(x, fake_quantize_weight(m.w1.effective()), m.b1.value));
  h = fake_quantize(h, hidden_grid);
  return cross_entropy(linear(h, fake_quantize_weight(m.w2.effective()), m.b2.value), m.labels);
}

QuantGrid calibrate(const Array& values) {
  RangeObserver obs({CalibrationMethod::min_max, 1, 99.0});
  obs.observe(values.data(), values.size());
  return obs.grid();
}

void check_pruned_are_zero(const Parameter& p) {
  const float* v = p.value.data().data();
  const float* k = p.mask.data().data();
  std::size_t revived = 0;
  for (std::size_t i = 0; i < p.value.size(); ++i) revived += k[i] == 0.0f && v[i] != 0.0f;
  CHECK(revived == 0);
  // And the quantized weight the int8 kernels would store has exactly the same zeros.
  Variable q = fake_quantize_weight(p.effective());
  for (std::size_t i = 0; i < p.value.size(); ++i)
    if (k[i] == 0.0f) CHECK(q.data().data()[i] == 0.0f);
}

}  // namespace

TEST_CASE("quantization-aware training: pruned weights stay exactly 0, the loss falls") {
  TinyMlp m = make_mlp();
  const QuantGrid in_grid = calibrate(m.x);
  QuantGrid hidden_grid;
  {
    NoGradGuard no_grad;
    Variable h = relu(linear(Variable(m.x), m.w1.effective(), m.b1.value));
    hidden_grid = calibrate(h.data());
  }
  Sgd opt({&m.w1, &m.b1, &m.w2, &m.b2}, 0.1f, {0.9f, false, 1e-3f});
  float first = 0.0f, last = 0.0f;
  for (int step = 0; step < 20; ++step) {
    CAPTURE(step);
    opt.zero_grad();
    Variable loss = qat_loss(m, in_grid, hidden_grid);
    loss.backward();
    opt.step();
    check_pruned_are_zero(m.w1);
    check_pruned_are_zero(m.w2);
    (step == 0 ? first : last) = loss.data()(0);
  }
  CHECK(last < first);
}

TEST_CASE("k-means fine-tuning: pruned weights stay 0 and every weight keeps its centroid") {
  TinyMlp m = make_mlp();
  const float* mask1 = m.w1.mask.data().data();
  SharedWeights s1 = share_weights(m.w1.value.data().data(), mask1, m.w1.value.size(), 2, 20);
  const auto assignment = s1.assignment;
  materialize_shared(s1, m.w1.value.data().data());
  float first = 0.0f, last = 0.0f;
  for (int step = 0; step < 10; ++step) {
    m.w1.value.zero_grad();
    Variable h = relu(linear(Variable(m.x), m.w1.effective(), m.b1.value));
    Variable loss = cross_entropy(linear(h, m.w2.effective(), m.b2.value), m.labels);
    loss.backward();
    centroid_step(s1, m.w1.value.grad().data(), 0.05f);
    materialize_shared(s1, m.w1.value.data().data());
    check_pruned_are_zero(m.w1);
    CHECK(s1.assignment == assignment);
    // Shared: every surviving weight equals its centroid exactly.
    for (std::size_t i = 0; i < s1.size(); ++i)
      if (assignment[i] != kPrunedWeight)
        CHECK(m.w1.value.data().data()[i] == s1.centroids[assignment[i]]);
    (step == 0 ? first : last) = loss.data()(0);
  }
  CHECK(last < first);
}
