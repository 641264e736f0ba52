#include "experiment/io/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include <fmt/format.h>

namespace poda {

std::string yaml_where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return file;
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

YamlMap::YamlMap(const YAML::Node& node, std::string file, std::string path)
    : node_(node), file_(std::move(file)), path_(std::move(path)) {
  if (!node_.IsMap())
    throw ConfigError(fmt::format("{}: {} must be a mapping of keys to values", where(),
                                  path_.empty() ? "the document" : "'" + path_ + "'"));
}

std::string YamlMap::qualified(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool YamlMap::has(const std::string& key) {
  read_.insert(key);  // a key a parser asks about is one it understands
  const YAML::Node& self = node_;
  return static_cast<bool>(self[key]);
}

std::string YamlMap::where(const std::string& key) const {
  const YAML::Node& self = node_;
  const YAML::Node child = self[key];
  return child ? yaml_where(file_, child) : where();
}

void YamlMap::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(fmt::format("{}: '{}': {}", where(key), qualified(key), message));
}

YAML::Node YamlMap::node(const std::string& key) {
  read_.insert(key);
  const YAML::Node& self = node_;
  return self[key];
}

template <class T>
std::optional<T> YamlMap::scalar(const std::string& key, bool required,
                                 const std::string& expected) {
  const YAML::Node n = node(key);
  if (!n) {
    if (required) fail(key, "missing (expected " + expected + ")");
    return std::nullopt;
  }
  // yaml-cpp tags a quoted or block scalar "!": it is text, even when it reads as a number.
  if constexpr (!std::is_same_v<T, std::string>)
    if (n.IsScalar() && n.Tag() == "!")
      fail(key, "expected " + expected + ", got the quoted text '" + n.Scalar() +
                    "' (write numbers and true/false without quotes)");
  try {
    if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "not a scalar");
    return n.as<T>();
  } catch (const YAML::Exception&) {
    fail(key, "expected " + expected + ", got '" +
                  (n.IsScalar() ? n.Scalar() : std::string("a list or map")) + "'");
  }
}

double YamlMap::number(const std::string& key, std::optional<double> fallback, double min,
                       double max) {
  const std::optional<double> v = scalar<double>(key, !fallback, "a number");
  if (!v) return *fallback;
  if (!std::isfinite(*v) || *v < min || *v > max)  // quote the value as written: 1e9, .inf
    fail(key, fmt::format("{} is out of range (expected {} to {})", node(key).Scalar(), min, max));
  return *v;
}

double YamlMap::any_number(const std::string& key, std::optional<double> fallback) {
  const std::optional<double> v = scalar<double>(key, !fallback, "a number");
  return v ? *v : *fallback;
}

long YamlMap::integer(const std::string& key, std::optional<long> fallback, long min, long max) {
  const std::optional<long> v = scalar<long>(key, !fallback, "an integer");
  if (!v) return *fallback;
  if (*v < min || *v > max)
    fail(key, fmt::format("{} is out of range (expected {} to {})", *v, min, max));
  return *v;
}

bool YamlMap::boolean(const std::string& key, std::optional<bool> fallback) {
  const std::optional<bool> v = scalar<bool>(key, !fallback, "true or false");
  return v ? *v : *fallback;
}

std::string YamlMap::text(const std::string& key, std::optional<std::string> fallback,
                          const std::vector<std::string>& allowed) {
  // Any scalar is text, so only a list or map is wrong (worded without the quotes).
  if (const YAML::Node n = node(key); n && !n.IsScalar())
    fail(key, "expected text, got a list or map");
  const std::optional<std::string> read = scalar<std::string>(key, !fallback, "text");
  if (!read) return *fallback;
  const std::string& v = *read;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    const std::string hint = closest_word(v, allowed);
    fail(key, fmt::format("unknown value '{}' (expected one of: {}){}", v, fmt::join(allowed, ", "),
                          hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  return v;
}

YamlMap YamlMap::map(const std::string& key) {
  const YAML::Node n = node(key);
  if (!n) fail(key, "missing section");
  return YamlMap(n, file_, qualified(key));
}

void YamlMap::finish() const {
  std::vector<std::string> known(read_.begin(), read_.end());
  for (const auto& entry : node_) {
    const std::string key = entry.first.as<std::string>();
    if (read_.count(key)) continue;
    const std::string hint = closest_word(key, known);
    // A key a sweep added has no mark of its own; its value is the sweep's, which has one.
    const YAML::Node& at = entry.first.Mark().is_null() ? entry.second : entry.first;
    throw ConfigError(
        fmt::format("{}: unknown key '{}' in {} (expected one of: {}){}", yaml_where(file_, at),
                    key, path_.empty() ? "the document" : "'" + path_ + "'", fmt::join(known, ", "),
                    hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
}

std::string closest_word(const std::string& word, const std::vector<std::string>& choices) {
  std::string best;
  std::size_t best_distance = 3;
  for (const std::string& c : choices) {
    // Levenshtein distance, two rows.
    std::vector<std::size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (word[i - 1] != c[j - 1])});
      std::swap(prev, cur);
    }
    if (prev[c.size()] < best_distance) {
      best_distance = prev[c.size()];
      best = c;
    }
  }
  return best;
}

}  // namespace poda
