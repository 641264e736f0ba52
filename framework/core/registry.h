#pragma once
// A registry of named entries, filled by static registrar objects in the files that define
// them (layer types, zoo models, pruning criteria): adding one is one file, nothing else.
// Each registry is a function-local static, so registration order across files is safe.
//
// Every entry remembers who registered it: poda itself, or the plug-in being loaded
// (cli/plugins.cpp opens a PluginLoadScope around dlopen). A name registered twice is poda's
// own bug when poda registers it (std::logic_error), but a user's input when a plug-in does:
// the clash is recorded for the loader to report, naming both sources, since an exception
// thrown from a library's static initialiser cannot be caught safely.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace poda {

// "poda", or "plug-in '<path>'" while a PluginLoadScope is open.
std::string registration_source();

// Says what clashed: while a plug-in loads, records it (see PluginLoadScope::clashes);
// otherwise throws std::logic_error.
void registration_clash(const std::string& kind, const std::string& name,
                        const std::string& first_source);

// While alive, registrations are attributed to the plug-in at `path` and clashes recorded.
class PluginLoadScope {
 public:
  explicit PluginLoadScope(const std::string& path);
  ~PluginLoadScope();
  PluginLoadScope(const PluginLoadScope&) = delete;
  PluginLoadScope& operator=(const PluginLoadScope&) = delete;
  // The names this plug-in registered that already existed, one message each.
  std::vector<std::string> clashes() const;
};

template <class Entry>
class Registry {
 public:
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  void add(const std::string& name, Entry entry) {
    if (!entries_.emplace(name, std::move(entry)).second)
      return registration_clash(kind_, name, sources_.at(name));
    sources_.emplace(name, registration_source());
  }
  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const {  // sorted
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

 private:
  std::string kind_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> sources_;  // who registered each name
};

}  // namespace poda
