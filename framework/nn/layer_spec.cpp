#include "nn/layer_spec.h"

#include "core/registry.h"

#include <cmath>
#include <stdexcept>

namespace poda {

namespace {
Registry<LayerType>& registry() {
  static Registry<LayerType> types("layer type");
  return types;
}

std::string layer_label(const LayerSpec& spec) {
  std::string label = spec.type;
  if (!spec.name.empty()) label += " '" + spec.name + "'";
  if (!spec.where.empty()) label = spec.where + ": " + label;
  return label;
}
}  // namespace

double LayerSpec::number(const std::string& key) const {
  auto it = numbers.find(key);
  if (it == numbers.end())
    throw std::invalid_argument(layer_label(*this) + ": missing key '" + key + "'");
  return it->second;
}

double LayerSpec::number_or(const std::string& key, double fallback) const {
  auto it = numbers.find(key);
  return it == numbers.end() ? fallback : it->second;
}

std::size_t LayerSpec::count(const std::string& key) const {
  const double v = number(key);
  if (v < 0 || std::floor(v) != v)
    throw std::invalid_argument(layer_label(*this) + ": '" + key +
                                "' must be a non-negative integer");
  return static_cast<std::size_t>(v);
}

std::size_t LayerSpec::count_or(const std::string& key, std::size_t fallback) const {
  return numbers.count(key) ? count(key) : fallback;
}

bool LayerSpec::flag_or(const std::string& key, bool fallback) const {
  auto it = numbers.find(key);
  return it == numbers.end() ? fallback : it->second != 0.0;
}

const std::vector<LayerSpec>& LayerSpec::list_or_empty(const std::string& key) const {
  static const std::vector<LayerSpec> empty;
  auto it = lists.find(key);
  return it == lists.end() ? empty : it->second;
}

void register_layer_type(const std::string& name, LayerType type) {
  registry().add(name, std::move(type));
}

const LayerType* find_layer_type(const std::string& name) {
  return registry().find(name);
}

std::vector<std::string> layer_type_names() {
  return registry().names();
}

}  // namespace poda
