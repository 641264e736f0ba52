// set (Mocanu et al. 2018, Sparse Evolutionary Training): dynamic sparse training
// (dynamic_sparse.h) whose grown connections are drawn at random (seeded by prune.seed),
// with a constant drop fraction by default (drop_decay: cosine for RigL's decay).
#include "prune/schedules/driver.h"
#include "prune/schedules/dynamic_sparse.h"

namespace poda {
namespace {

class Set : public DynamicSparse {
 public:
  explicit Set(const ScheduleSpec& spec) : DynamicSparse(spec, false) {}

 protected:
  std::vector<std::vector<float>> grow_scores(ScheduleRun&, const std::vector<Parameter*>& layers,
                                              long, Rng& rng) const override {
    std::vector<std::vector<float>> scores;
    for (const Parameter* p : layers) {
      std::vector<float> s(p->value.size());
      for (float& v : s) v = rng.uniform();
      scores.push_back(std::move(s));
    }
    return scores;
  }
};

const ScheduleRegistrar set_registrar("set",
                            {dynamic_sparse_keys(),
                             [](const ScheduleSpec& spec) { return std::make_unique<Set>(spec); },
                             "sparse from the start, magnitude drop and random regrowth "
                             "(SET): " +
                                 dynamic_sparse_key_help(false)});

}  // namespace
}  // namespace poda
