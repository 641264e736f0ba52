#include "prune/criterion.h"

#include <stdexcept>

#include "core/registry.h"

namespace poda {

namespace {
struct CriterionEntry {
  CriterionFactory factory;
  std::string help;
};
Registry<CriterionEntry>& registry() {
  static Registry<CriterionEntry> r("criterion");
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
  registry().add(name, CriterionEntry{std::move(factory), std::move(help)});
}

std::unique_ptr<Criterion> make_criterion(const std::string& name) {
  const CriterionEntry* e = registry().find(name);
  if (!e) {
    std::string names;
    for (const auto& n : criterion_names()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown criterion '" + name + "' (expected one of: " + names +
                                ")");
  }
  return e->factory();
}

bool has_criterion(const std::string& name) {
  return registry().find(name) != nullptr;
}

std::vector<std::string> criterion_names() {
  return registry().names();
}

std::string criterion_help(const std::string& name) {
  const CriterionEntry* e = registry().find(name);
  return e ? e->help : "";
}

}  // namespace poda
