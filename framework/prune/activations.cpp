#include "prune/activations.h"

#include <cmath>
#include <stdexcept>

namespace poda {

namespace {

// Running sums for one tensor's channels.
struct ChannelSums {
  std::vector<double> sum, sum_sq;
  std::vector<std::size_t> zeros;
  std::size_t per_channel = 0;  // entries seen per channel

  void add(const Array& x) {
    if (x.dimension() < 2) throw std::invalid_argument("activation statistics need (B, C, ...)");
    const std::size_t B = x.shape()[0], C = x.shape()[1], inner = x.size() / (B * C);
    if (sum.empty()) sum.assign(C, 0.0), sum_sq.assign(C, 0.0), zeros.assign(C, 0);
    const float* d = x.data();
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t c = 0; c < C; ++c)
        for (std::size_t k = 0; k < inner; ++k) {
          const double v = d[(b * C + c) * inner + k];
          sum[c] += v;
          sum_sq[c] += v * v;
          zeros[c] += v == 0.0;
        }
    per_channel += B * inner;
  }

  ChannelStats stats() const {
    ChannelStats s;
    for (std::size_t c = 0; c < sum.size(); ++c) {
      s.l2_norm.push_back(std::sqrt(sum_sq[c]));
      s.mean.push_back(per_channel ? sum[c] / per_channel : 0.0);
      s.zero_fraction.push_back(per_channel ? double(zeros[c]) / per_channel : 0.0);
    }
    return s;
  }
};

struct Watched {
  ChannelSums* input = nullptr;
  ChannelSums* output = nullptr;
};

class StatsObserver : public ForwardObserver {
 public:
  void watch(Module* m, ChannelSums* input, ChannelSums* output) {
    Watched& w = watched_[m];
    if (input) w.input = input;
    if (output) w.output = output;
  }
  void observe(Module& m, const Variable& input, const Variable& output) override {
    auto it = watched_.find(&m);
    if (it == watched_.end()) return;
    if (it->second.input) it->second.input->add(input.data());
    if (it->second.output) it->second.output->add(output.data());
  }

 private:
  std::map<const Module*, Watched> watched_;
};

struct TargetSums {
  ChannelSums input, output, activated;
};

}  // namespace

void observe_forward_passes(Module& model, ForwardObserver& observer, const ForwardFn& run_forward,
                            int batches) {
  const bool was_training = model.is_training();
  model.eval();
  model.set_observer(&observer);
  try {
    NoGradGuard no_grad;
    for (int b = 0; b < batches; ++b) run_forward(model, b);
  } catch (...) {
    model.set_observer(nullptr);
    model.train(was_training);
    throw;
  }
  model.set_observer(nullptr);
  model.train(was_training);
}

ActivationMap collect_activations(Module& model, const std::vector<PruneTarget>& targets,
                                  const ForwardFn& run_forward, int batches) {
  if (!run_forward)
    throw std::invalid_argument(
        "activation statistics need forward passes on data batches, "
        "but the pruning context has none");
  std::map<std::string, TargetSums> sums;
  StatsObserver observer;
  for (const PruneTarget& t : targets) {
    TargetSums& s = sums[t.name];
    observer.watch(t.layer, &s.input, &s.output);
    if (t.activation) observer.watch(t.activation, nullptr, &s.activated);
  }
  observe_forward_passes(model, observer, run_forward, batches);

  ActivationMap out;
  for (const PruneTarget& t : targets) {
    const TargetSums& s = sums.at(t.name);
    LayerActivations& a = out[t.name];
    a.input = s.input.stats();
    a.output = s.output.stats();
    a.activated = t.activation ? s.activated.stats() : a.output;
  }
  return out;
}

}  // namespace poda
