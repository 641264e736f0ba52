#pragma once
// The weight layers of a model (its `transforms` modules: Dense, Conv2d), as the quantizers
// and their stored-size accounting walk them.
#include <cstddef>
#include <functional>
#include <string>

#include "nn/module.h"

namespace poda {

// Calls f(module name, weight, the module's other parameters' count) for every weight layer.
void for_each_weight_layer(
    Module& model, const std::function<void(const std::string&, Parameter&, std::size_t)>& f);

}  // namespace poda
