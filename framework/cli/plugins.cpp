#include "cli/plugins.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>

#include "nn/layer_spec.h"
#include "nn/zoo.h"
#include "prune/criterion.h"
#include "prune/schedules/schedule.h"

namespace poda {
namespace {

struct Registered {
  std::vector<std::string> criteria, schedules, layers, zoo;
};

Registered registered() {
  return {criterion_names(), schedule_names(), layer_type_names(), zoo_model_names()};
}

// The names in `after` that `before` lacks, as "criteria: a, b".
std::string added(const char* what, const std::vector<std::string>& before,
                  const std::vector<std::string>& after) {
  std::string names;
  for (const std::string& n : after)
    if (std::find(before.begin(), before.end(), n) == before.end())
      names += (names.empty() ? "" : ", ") + n;
  return names.empty() ? "" : std::string(what) + ": " + names;
}

std::string load_plugin(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw PluginError("plug-in '" + path + "': no such file");
  const Registered before = registered();
  // A path, never a bare name: dlopen would search the library path for "libmine.so".
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  if (!::dlopen(where.c_str(), RTLD_NOW | RTLD_GLOBAL))
    throw PluginError("plug-in '" + path + "' cannot be loaded: " + ::dlerror());
  const Registered after = registered();
  std::string what;
  for (const std::string& part : {added("criteria", before.criteria, after.criteria),
                                  added("schedules", before.schedules, after.schedules),
                                  added("layer types", before.layers, after.layers),
                                  added("zoo models", before.zoo, after.zoo)})
    if (!part.empty()) what += (what.empty() ? "" : "; ") + part;
  if (what.empty())
    throw PluginError("plug-in '" + path +
                      "' registered nothing (no criterion, schedule, layer type or zoo model)");
  return path + ": " + what;
}

}  // namespace

std::vector<std::string> load_plugins(const std::vector<std::string>& paths) {
  std::vector<std::string> lines;
  for (const std::string& p : paths) lines.push_back(load_plugin(p));
  return lines;
}

}  // namespace poda
