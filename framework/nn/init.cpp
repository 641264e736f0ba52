#include "nn/init.h"

#include <cmath>
#include <stdexcept>

#include "nn/parameter_budget.h"

namespace poda {

Init parse_init(const std::string& name) {
  if (name == "kaiming_uniform") return Init::kaiming_uniform;
  if (name == "kaiming_normal") return Init::kaiming_normal;
  if (name == "xavier_uniform") return Init::xavier_uniform;
  if (name == "xavier_normal") return Init::xavier_normal;
  if (name == "torch_default") return Init::torch_default;
  throw std::invalid_argument("unknown init '" + name +
                              "' (expected kaiming_uniform, kaiming_normal, xavier_uniform, "
                              "xavier_normal or torch_default)");
}

Array init_weight(const Shape& shape, Init init, Rng& rng) {
  charge_parameters(shape);  // before allocating: validation may be building a huge model
  std::size_t receptive = 1;
  for (std::size_t i = 2; i < shape.size(); ++i) receptive *= shape[i];
  const double fan_in = static_cast<double>(shape.size() > 1 ? shape[1] * receptive : shape[0]);
  const double fan_out = static_cast<double>(shape[0] * receptive);
  Array w = empty_array(shape);
  auto fill_uniform = [&](double bound) {
    for (float& v : w) v = rng.uniform(static_cast<float>(-bound), static_cast<float>(bound));
  };
  auto fill_normal = [&](double stddev) {
    for (float& v : w) v = static_cast<float>(stddev) * rng.normal();
  };
  switch (init) {  // ReLU gain sqrt(2) for Kaiming, gain 1 for Xavier
    case Init::kaiming_uniform: fill_uniform(std::sqrt(6.0 / fan_in)); break;
    case Init::kaiming_normal: fill_normal(std::sqrt(2.0 / fan_in)); break;
    case Init::xavier_uniform: fill_uniform(std::sqrt(6.0 / (fan_in + fan_out))); break;
    case Init::xavier_normal: fill_normal(std::sqrt(2.0 / (fan_in + fan_out))); break;
    case Init::torch_default: fill_uniform(1.0 / std::sqrt(fan_in)); break;
  }
  return w;
}

Array init_bias(std::size_t size, std::size_t fan_in, Init init, Rng& rng) {
  charge_parameters({size});
  Array b = zeros_array({size});
  if (init == Init::torch_default) {
    const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
    for (float& v : b) v = rng.uniform(-bound, bound);
  }
  return b;
}

}  // namespace poda
