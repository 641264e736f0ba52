#pragma once
// A registry of named entries, filled by static registrar objects in the files that define
// them (layer types, zoo models, pruning criteria): adding one is one file, nothing else.
// Each registry is a function-local static, so registration order across files is safe.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace poda {

template <class Entry>
class Registry {
 public:
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  void add(const std::string& name, Entry entry) {
    if (!entries_.emplace(name, std::move(entry)).second)
      throw std::logic_error(kind_ + " registered twice: " + name);
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
};

}  // namespace poda
