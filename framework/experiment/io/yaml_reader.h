#pragma once
// Strict reading of YAML mappings into config structs. Every key read is recorded; finish()
// rejects the keys nobody asked for. Errors carry "file:line:col" (1-based) of the
// offending node, or of the parent mapping when a required key is missing.
// Nodes are only ever read through const references (yaml-cpp's non-const [] inserts).
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/user_error.h"

namespace poda {

struct ConfigError : UserError {
  using UserError::UserError;
};

// "file:line:col" of a node.
std::string yaml_where(const std::string& file, const YAML::Node& node);

class YamlMap {
 public:
  // `path` names the section in messages ("train", "dataset.augment").
  YamlMap(const YAML::Node& node, std::string file, std::string path);

  bool has(const std::string& key);
  // Numbers, integers and booleans must be plain scalars: a quoted "0.1" is an error.
  double number(const std::string& key, std::optional<double> fallback, double min, double max);
  // Any number, NaN and +-inf included: for keys whose section's validate() checks the
  // range and states it in its message (e.g. prune.sparsity in [0, 1)).
  double any_number(const std::string& key, std::optional<double> fallback);
  long integer(const std::string& key, std::optional<long> fallback, long min, long max);
  bool boolean(const std::string& key, std::optional<bool> fallback);
  std::string text(const std::string& key, std::optional<std::string> fallback,
                   const std::vector<std::string>& allowed = {});
  YamlMap map(const std::string& key);  // required sub-mapping
  // The raw node of a key (marked as read); undefined when absent.
  YAML::Node node(const std::string& key);
  // Rejects keys that were never read, with a suggestion when one is close.
  void finish() const;

  std::string where() const { return yaml_where(file_, node_); }
  std::string where(const std::string& key) const;
  const std::string& file() const { return file_; }
  const YAML::Node& yaml() const { return node_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  std::string qualified(const std::string& key) const;
  // The value of `key` as T; nullopt when it is absent and not `required`. Fails with
  // "missing (expected <expected>)", or "expected <expected>, got '<value>'" for a list, a
  // map or a scalar that does not convert.
  template <class T>
  std::optional<T> scalar(const std::string& key, bool required, const std::string& expected);
  YAML::Node node_;
  std::string file_, path_;
  std::set<std::string> read_;
};

// The closest of `choices` to `word` (edit distance <= 2), or "".
std::string closest_word(const std::string& word, const std::vector<std::string>& choices);

}  // namespace poda
