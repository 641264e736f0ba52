#include "core/registry.h"

namespace poda {
namespace {

struct LoadState {
  std::string plugin;  // "" = poda itself
  std::vector<std::string> clashes;
};

LoadState& state() {
  static LoadState s;
  return s;
}

}  // namespace

std::string registration_source() {
  return state().plugin.empty() ? "poda" : "plug-in '" + state().plugin + "'";
}

void registration_clash(const std::string& kind, const std::string& name,
                        const std::string& first_source) {
  const std::string message = kind + " '" + name + "' is registered twice: by " + first_source +
                              " and by " + registration_source();
  if (state().plugin.empty()) throw std::logic_error(message);
  state().clashes.push_back(message);
}

PluginLoadScope::PluginLoadScope(const std::string& path) {
  state() = LoadState{path, {}};
}

PluginLoadScope::~PluginLoadScope() {
  state() = LoadState{};
}

std::vector<std::string> PluginLoadScope::clashes() const {
  return state().clashes;
}

}  // namespace poda
