#pragma once
// Weight initialisers. fan_in / fan_out follow PyTorch: for a weight (out, in, k...) fan_in =
// in * prod(k), fan_out = out * prod(k).
#include <string>

#include "core/random.h"
#include "core/tensor.h"

namespace poda {

enum class Init { kaiming_uniform, kaiming_normal, xavier_uniform, xavier_normal, torch_default };

Init parse_init(const std::string& name);  // throws std::invalid_argument listing the choices
// Initialises a weight of the given shape (out, in, k...).
Array init_weight(const Shape& shape, Init init, Rng& rng);
// Biases: zero, except torch_default which draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Array init_bias(std::size_t size, std::size_t fan_in, Init init, Rng& rng);

}  // namespace poda
