#include "prune/criterion.h"

#include <map>
#include <stdexcept>

namespace poda {

namespace {
struct Entry {
  CriterionFactory factory;
  std::string help;
};
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> r;  // function-local: safe from static init order
  return r;
}
}  // namespace

Array Criterion::score_weights(const std::string& name, const Parameter&,
                               const CriterionContext&) const {
  throw std::logic_error("this criterion scores units, not the weights of " + name);
}

Array Criterion::score_units(const PruneTarget& t, const GranularitySpec&,
                             const CriterionContext&) const {
  throw std::logic_error("this criterion scores weights, not the units of " + t.name);
}

void register_criterion(const std::string& name, CriterionFactory factory, std::string help) {
  if (!registry().emplace(name, Entry{std::move(factory), std::move(help)}).second)
    throw std::logic_error("criterion registered twice: " + name);
}

std::unique_ptr<Criterion> make_criterion(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string names;
    for (const auto& n : criterion_names()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown criterion '" + name + "' (expected one of: " + names +
                                ")");
  }
  return it->second.factory();
}

bool has_criterion(const std::string& name) { return registry().count(name) > 0; }

std::vector<std::string> criterion_names() {
  std::vector<std::string> out;
  for (const auto& [name, e] : registry()) out.push_back(name);
  return out;
}

std::string criterion_help(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? "" : it->second.help;
}

}  // namespace poda
