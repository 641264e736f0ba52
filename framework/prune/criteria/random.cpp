// Uniform random scores: the control every criterion must beat. Seeded by the run's seed,
// the pruning round and the parameter's name, so a run is reproducible and rounds differ.
#include <cstdint>

#include "core/random.h"
#include "prune/criterion.h"

namespace poda {
namespace {

// The parameter name as a stream number.
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

class RandomScore : public Criterion {
 public:
  bool supports(Granularity) const override { return true; }
  Array score_weights(const std::string& name, const Parameter& p,
                      const CriterionContext& ctx) const override {
    Rng rng(derive_seed(derive_seed(ctx.seed, static_cast<std::uint64_t>(ctx.round)), fnv1a(name)));
    Array s = empty_array(p.value.shape());
    for (float& v : s) v = rng.uniform();
    return s;
  }
};

const CriterionRegistrar random_registrar(
    "random", [] { return std::make_unique<RandomScore>(); },
    "uniform random scores (seeded); any granularity");

}  // namespace
}  // namespace poda
