// rigl (Evci et al. 2020, Rigging the Lottery): dynamic sparse training (dynamic_sparse.h)
// whose grown connections are those of largest dense-gradient magnitude. The dense gradient
// is computed only at update steps, on one calibration batch (update number modulo
// prune.data_batches), with the masks lifted for that one backward pass: the pruned weights
// are exactly zero, so the forward is the sparse model's and the weight gradient the dense
// one. Training steps in between never build it (the sparse path of core/sparse_linear.h).
#include <cmath>
#include <stdexcept>

#include "prune/schedules/driver.h"
#include "prune/schedules/dynamic_sparse.h"

namespace poda {
namespace {

class Rigl : public DynamicSparse {
 public:
  explicit Rigl(const ScheduleSpec& spec) : DynamicSparse(spec, true) {}

 protected:
  std::vector<std::vector<float>> grow_scores(ScheduleRun& run,
                                              const std::vector<Parameter*>& layers, long update,
                                              Rng&) const override {
    const GradientFn& gradients = run.hooks().compute_gradients;
    if (!gradients) throw std::invalid_argument("rigl needs training data for its gradients");
    for (Parameter* p : layers) p->remove_mask();  // update_masks installs the next ones
    for (Parameter* p : run.model().parameters()) p->value.zero_grad();
    const int batches = std::max(1, run.settings().data_batches);
    gradients(run.model(), static_cast<int>(update % batches));
    std::vector<std::vector<float>> scores;
    for (Parameter* p : layers) {
      std::vector<float> s(p->value.size(), 0.0f);
      if (p->value.has_grad()) {
        const float* g = p->value.grad().data();
        for (std::size_t i = 0; i < s.size(); ++i) s[i] = std::fabs(g[i]);
      }
      scores.push_back(std::move(s));
    }
    for (Parameter* p : run.model().parameters()) p->value.zero_grad();
    return scores;
  }
};

const ScheduleRegistrar rigl_registrar("rigl",
                            {dynamic_sparse_keys(),
                             [](const ScheduleSpec& spec) { return std::make_unique<Rigl>(spec); },
                             "sparse from the start, magnitude drop and regrowth by "
                             "dense-gradient magnitude (RigL): " +
                                 dynamic_sparse_key_help(true)});

}  // namespace
}  // namespace poda
