#include "measure/latency.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/random.h"

namespace poda {

Latency measure_latency(Module& model, const Shape& input_shape, const LatencySettings& s) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  Shape shape{s.batch_size};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  Array x = empty_array(shape);  // (B, C, H, W)
  Rng rng(1);
  for (float& v : x) v = rng.normal();
  const Variable input(x);
  for (int i = 0; i < s.warmup; ++i) model.forward(input);
  std::vector<double> ms;
  for (int i = 0; i < s.repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    model.forward(input);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  model.train(was_training);
  std::sort(ms.begin(), ms.end());
  Latency l;
  if (!ms.empty()) {
    l.median_ms = ms[ms.size() / 2];
    l.p90_ms = ms[std::min(ms.size() - 1, ms.size() * 9 / 10)];
  }
  return l;
}

}  // namespace poda
