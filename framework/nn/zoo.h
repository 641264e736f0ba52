#pragma once
// Named models, each a list of layer specs (the same form users write in YAML).
#include <string>
#include <vector>

#include "nn/layer_spec.h"

namespace poda {

struct ZooEntry {
  std::vector<LayerSpec> layers;
  std::string description;  // with the paper it comes from
};

void register_zoo_model(const std::string& name, ZooEntry entry);
const ZooEntry* find_zoo_model(const std::string& name);
std::vector<std::string> zoo_model_names();

struct ZooRegistrar {
  ZooRegistrar(const std::string& name, ZooEntry entry) {
    register_zoo_model(name, std::move(entry));
  }
};

// Small constructors for writing zoo entries tersely.
LayerSpec layer(const std::string& type, const std::string& name = "",
                std::map<std::string, double> numbers = {});

}  // namespace poda
