#pragma once
// Small models with hand-made weights for the pruning tests.
#include <memory>

#include "core/random.h"
#include "nn/layers/activation.h"
#include "nn/layers/flatten.h"
#include "nn/layers/dense.h"
#include "nn/layers/sequential.h"

namespace poda::test {

inline std::shared_ptr<Dense> dense(std::size_t in, std::size_t out, bool bias, const Array& w) {
  Rng rng(0);
  auto d = std::make_shared<Dense>(in, out, bias, Init::kaiming_uniform, rng);
  d->weight().value.data() = w;
  if (bias) d->bias()->value.data() = xt::ones<float>({out});
  return d;
}

// Weights whose magnitudes are a seeded permutation of 1..n (no ties), random signs.
inline Array distinct_weights(const Shape& shape, std::uint64_t seed) {
  Array w = empty_array(shape);
  const std::size_t n = w.size();
  std::vector<float> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<float>(i + 1);
  Rng rng(seed);
  for (std::size_t i = n; i-- > 1;) std::swap(values[i], values[rng.below(i + 1)]);
  for (std::size_t i = 0; i < n; ++i)
    w.data()[i] = (rng.uniform() < 0.5f ? -1.0f : 1.0f) * values[i];
  return w;
}

inline std::size_t zeros(const Parameter& p) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < p.value.size(); ++i)
    n += p.value.data().data()[i] == 0.0f || (p.has_mask() && p.mask.data().data()[i] == 0.0f);
  return n;
}

}  // namespace poda::test
