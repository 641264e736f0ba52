#include "nn/zoo.h"

#include "core/registry.h"

#include <map>
#include <stdexcept>

namespace poda {

namespace {
Registry<ZooEntry>& zoo() {
  static Registry<ZooEntry> models("zoo model");
  return models;
}
}  // namespace

void register_zoo_model(const std::string& name, ZooEntry entry) {
  zoo().add(name, std::move(entry));
}

const ZooEntry* find_zoo_model(const std::string& name) {
  return zoo().find(name);
}

std::vector<std::string> zoo_model_names() {
  return zoo().names();
}

LayerSpec layer(const std::string& type, const std::string& name,
                std::map<std::string, double> numbers) {
  LayerSpec spec;
  spec.type = type;
  spec.name = name;
  spec.numbers = std::move(numbers);
  return spec;
}

}  // namespace poda
