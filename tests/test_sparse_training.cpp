// The sparse training path gives the masked dense path's training trajectory: a small MLP
// trained for 1,000 steps both ways from the same weights and masks (a pruning round half
// way), for SGD with momentum and weight decay and for Adam.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "core/sparse_linear.h"
#include "nn/layers/activation.h"
#include "nn/layers/dense.h"
#include "nn/layers/sequential.h"
#include "train/optimizer.h"

using namespace poda;

namespace {

constexpr std::size_t features = 32, classes = 4, batch = 16, steps = 1000;

// Four noisy Gaussian clusters: learnable, not separable, so accuracy stays below 100%.
struct Samples {
  Array x;
  std::vector<int> labels;
};
Samples synthetic(std::size_t n, std::uint64_t seed) {
  Rng centres_rng(99), rng(seed);
  std::vector<float> centres(classes * features);
  for (float& c : centres) c = centres_rng.normal() * 0.6f;
  Samples s{zeros_array({n, features}), {}};
  for (std::size_t i = 0; i < n; ++i) {
    const int label = int(rng.below(classes));
    s.labels.push_back(label);
    for (std::size_t f = 0; f < features; ++f)
      s.x(i, f) = centres[label * features + f] + rng.normal();
  }
  return s;
}

std::shared_ptr<Sequential> mlp() {
  Rng rng(7);
  auto net = std::make_shared<Sequential>();
  net->add("fc1", std::make_shared<Dense>(features, 64, true, Init::kaiming_uniform, rng));
  net->add("relu1", std::make_shared<ReLU>());
  net->add("fc2", std::make_shared<Dense>(64, 48, true, Init::kaiming_uniform, rng));
  net->add("relu2", std::make_shared<ReLU>());
  net->add("fc3", std::make_shared<Dense>(48, classes, true, Init::kaiming_uniform, rng));
  return net;
}

// Keeps a seeded `keep` share of each Dense weight (a new draw per round, intersected with
// the mask in place, so masks only shrink as in gradual pruning).
void prune_round(Sequential& net, double keep, std::uint64_t seed) {
  Rng rng(seed);
  for (auto& [name, p] : net.named_parameters()) {
    if (!p->prunable) continue;
    Array mask = p->has_mask() ? Array(p->mask.data()) : Array(xt::ones<float>(p->value.shape()));
    for (float& m : mask)
      if (rng.uniform() >= keep) m = 0.0f;
    p->set_mask(std::move(mask));
  }
}

struct Trajectory {
  std::vector<float> losses;
  double accuracy = 0.0;
};

Trajectory train(SparseTraining mode,
                 const std::function<std::unique_ptr<Optimizer>(std::vector<Parameter*>)>& make) {
  set_sparse_training(mode);
  auto net = mlp();
  prune_round(*net, 0.12, 1);
  const Samples data = synthetic(1024, 2), held_out = synthetic(1000, 3);
  std::unique_ptr<Optimizer> opt = make(net->parameters());
  Trajectory t;
  for (std::size_t step = 0; step < steps; ++step) {
    if (step == steps / 2) prune_round(*net, 0.5, 4);
    const std::size_t first = (step * batch) % 1024;
    Array xb = empty_array({batch, features});
    std::copy(data.x.data() + first * features, data.x.data() + (first + batch) * features,
              xb.data());
    std::vector<int> yb(data.labels.begin() + first, data.labels.begin() + first + batch);
    opt->zero_grad();
    Variable loss = cross_entropy(net->forward(Variable(xb)), yb);
    t.losses.push_back(loss.data()(0));
    loss.backward();
    opt->step();
  }
  NoGradGuard no_grad;
  const Array logits = net->forward(Variable(held_out.x)).data();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < held_out.labels.size(); ++i) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < classes; ++c)
      if (logits(i, c) > logits(i, best)) best = c;
    correct += int(best) == held_out.labels[i];
  }
  t.accuracy = 100.0 * correct / held_out.labels.size();
  set_sparse_training(SparseTraining::measured);
  return t;
}

void check_same_trajectory(
    const std::function<std::unique_ptr<Optimizer>(std::vector<Parameter*>)>& make) {
  const Trajectory dense = train(SparseTraining::off, make);
  const Trajectory sparse = train(SparseTraining::forced, make);
  REQUIRE(dense.losses.size() == steps);
  for (std::size_t s = 0; s < steps; ++s) {
    CAPTURE(s);
    CHECK(std::abs(sparse.losses[s] - dense.losses[s]) <= 1e-4 * std::abs(dense.losses[s]));
  }
  CHECK(std::abs(sparse.accuracy - dense.accuracy) <= 0.1);
  // It learned something: the trajectories compared are not two flat lines.
  CHECK(dense.losses.back() < 0.8 * dense.losses.front());
  CHECK(dense.accuracy > 40.0);
}

}  // namespace

TEST_CASE("sparse training: same trajectory as the masked dense path, SGD momentum + decay") {
  check_same_trajectory([](std::vector<Parameter*> params) {
    return std::make_unique<Sgd>(std::move(params), 0.05f, SgdSettings{0.9f, false, 5e-4f});
  });
}

TEST_CASE("sparse training: same trajectory as the masked dense path, Adam") {
  check_same_trajectory([](std::vector<Parameter*> params) {
    return std::make_unique<Adam>(std::move(params), 1e-3f, AdamSettings{});
  });
}
