#include "nn/zoo.h"

#include <map>
#include <stdexcept>

namespace poda {

namespace {
std::map<std::string, ZooEntry>& zoo() {
  static std::map<std::string, ZooEntry> models;
  return models;
}
}  // namespace

void register_zoo_model(const std::string& name, ZooEntry entry) {
  if (!zoo().emplace(name, std::move(entry)).second)
    throw std::logic_error("zoo model registered twice: " + name);
}

const ZooEntry* find_zoo_model(const std::string& name) {
  auto it = zoo().find(name);
  return it == zoo().end() ? nullptr : &it->second;
}

std::vector<std::string> zoo_model_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : zoo()) names.push_back(name);
  return names;
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
