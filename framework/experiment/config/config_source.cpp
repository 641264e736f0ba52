#include "experiment/config/config_source.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include "experiment/config/input_limits.h"

namespace poda {
namespace {

// Visits every collection once: an alias shares its anchor's node (and its mark), so an
// alias bomb stays linear here.
class KeyChecker {
 public:
  explicit KeyChecker(const std::string& file) : file_(file) {}

  void visit(const YAML::Node& node) {
    if (!node.IsMap() && !node.IsSequence()) return;
    if (!seen_.insert({node.Mark().pos, node.IsMap()}).second) return;
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) visit(item);
      return;
    }
    std::map<std::string, YAML::Mark> keys;
    for (const auto& entry : node) {
      if (entry.first.IsScalar()) check_key(keys, entry.first);
      visit(entry.first);
      visit(entry.second);
    }
  }

 private:
  void check_key(std::map<std::string, YAML::Mark>& keys, const YAML::Node& key) {
    const auto [first, inserted] = keys.emplace(key.Scalar(), key.Mark());
    if (inserted) return;
    throw ConfigError(
        fmt::format("{}: duplicate key '{}' (first given at line {}); each key "
                    "may appear once in a mapping",
                    yaml_where(file_, key), key.Scalar(), first->second.line + 1));
  }

  const std::string& file_;
  std::set<std::pair<int, bool>> seen_;  // (position, is a map) of visited collections
};

YAML::Node load_yaml_text(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own message is only "bad file"
    throw ConfigError(fmt::format(
        "{}:{}:{}: YAML nested too deeply (lists or mappings {} levels inside each other); an "
        "experiment file needs a few",
        file, e.mark.line + 1, e.mark.column + 1, e.depth()));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: YAML syntax error: {}", file, e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
  }
}

}  // namespace

std::string read_config_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw ConfigError(path + ": cannot open the file: no such file");
  if (fs::is_directory(status))
    throw ConfigError(path + ": is a folder; expected an experiment YAML file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError(fmt::format("{}: cannot open the file: {}", path, std::strerror(errno)));
  // Read one byte past the limit to tell "at the limit" from "over it" without a stat race.
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw ConfigError(path + ": cannot read the file");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes)
    throw ConfigError(
        fmt::format("{}: the file is larger than {} bytes, the limit for an "
                    "experiment file; is it the right file?",
                    path, kMaxConfigBytes));
  return text;
}

YAML::Node parse_config_text(const std::string& text, const std::string& file) {
  const YAML::Node root = load_yaml_text(text, file);
  check_unique_keys(root, file);
  return root;
}

void check_unique_keys(const YAML::Node& root, const std::string& file) {
  KeyChecker(file).visit(root);
}

}  // namespace poda
