#include "data/dataset_type.h"

#include <stdexcept>

#include "core/registry.h"

namespace poda {
namespace {

// One instance per type: types hold no state, and callers keep references.
Registry<std::unique_ptr<DatasetType>>& registry() {
  static Registry<std::unique_ptr<DatasetType>> r("dataset");
  return r;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void register_dataset(const std::string& name, DatasetFactory factory) {
  registry().add(name, factory());
}

const DatasetType& dataset_type(const std::string& name) {
  if (const auto* entry = registry().find(name)) return **entry;
  throw std::invalid_argument("unknown dataset '" + name + "'; known: " + joined(dataset_names()));
}

bool has_dataset(const std::string& name) {
  return registry().find(name) != nullptr;
}

std::vector<std::string> dataset_names() {
  return registry().names();
}

std::string dataset_path(const std::string& name, const std::string& path) {
  return path.empty() ? dataset_type(name).default_path() : path;
}

}  // namespace poda
