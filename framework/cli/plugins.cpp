#include "cli/plugins.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <utility>

#include "core/registry.h"
#include "data/dataset_type.h"
#include "experiment/quant_schemes/quant_scheme.h"
#include "experiment/io/output_file.h"
#include "nn/layer_spec.h"
#include "nn/zoo.h"
#include "prune/criterion.h"
#include "prune/schedules/schedule.h"

namespace poda {
namespace {

struct Registered {
  std::vector<std::string> criteria, schedules, layers, zoo, schemes, datasets;
};

Registered registered() {
  return {criterion_names(), schedule_names(),     layer_type_names(),
          zoo_model_names(), quant_scheme_names(), dataset_names()};
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

std::string what_was_added(const Registered& before, const Registered& after) {
  std::string what;
  for (const std::string& part : {added("criteria", before.criteria, after.criteria),
                                  added("schedules", before.schedules, after.schedules),
                                  added("layer types", before.layers, after.layers),
                                  added("zoo models", before.zoo, after.zoo),
                                  added("quantization schemes", before.schemes, after.schemes),
                                  added("datasets", before.datasets, after.datasets)})
    if (!part.empty()) what += (what.empty() ? "" : "; ") + part;
  return what;
}

// The file a plug-in path names (device, inode), after checking it is one.
std::pair<dev_t, ino_t> plugin_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw PluginError("plug-in '" + path + "': no such file");
  const std::string kind = non_regular_file_kind(st.st_mode);
  if (!kind.empty())
    throw PluginError("plug-in '" + path + "' is " + kind + ", not a shared library");
  return {st.st_dev, st.st_ino};
}

// A library's static initialisers run inside dlopen, where an exception cannot be caught
// (it ends in std::terminate): this handler says which plug-in threw and what.
const char* g_loading = nullptr;

[[noreturn]] void plugin_threw() {
  std::string what = "an exception that is not a std::exception";
  try {
    if (std::current_exception()) std::rethrow_exception(std::current_exception());
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {}
  std::fprintf(stderr,
               "poda: error: plug-in '%s' failed while loading (its initialisation threw): %s\n",
               g_loading ? g_loading : "?", what.c_str());
  std::fflush(stderr);
  std::_Exit(kExitInputError);
}

void open_library(const std::string& path) {
  // A path, never a bare name: dlopen would search the library path for "libmine.so".
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  g_loading = path.c_str();
  const std::terminate_handler previous = std::set_terminate(plugin_threw);
  void* handle = nullptr;
  // glibc declares dlopen nothrow, so a direct call would let the compiler drop the catch
  // below; a call through a pointer keeps it (an initialiser's exception does unwind here).
  void* (*const volatile dlopen_fn)(const char*, int) = ::dlopen;
  try {
    handle = dlopen_fn(where.c_str(), RTLD_NOW | RTLD_GLOBAL);
  } catch (const std::exception& e) {  // where the unwinder does get through dlopen
    std::set_terminate(previous);
    g_loading = nullptr;
    throw PluginError("plug-in '" + path + "' failed while loading: " + e.what());
  }
  std::set_terminate(previous);
  g_loading = nullptr;
  if (!handle) throw PluginError("plug-in '" + path + "' cannot be loaded: " + ::dlerror());
}

std::string load_plugin(const std::string& path) {
  const Registered before = registered();
  {
    PluginLoadScope scope(path);
    open_library(path);
    const std::vector<std::string> clashes = scope.clashes();
    if (!clashes.empty()) {
      std::string all;
      for (const std::string& c : clashes) all += (all.empty() ? "" : "; ") + c;
      throw PluginError("plug-in '" + path + "': " + all);
    }
  }
  const std::string what = what_was_added(before, registered());
  if (what.empty())
    throw PluginError("plug-in '" + path +
                      "' registered nothing (no criterion, schedule, layer type, zoo model, "
                      "quantization scheme or dataset)");
  return path + ": " + what;
}

}  // namespace

std::vector<std::string> load_plugins(const std::vector<std::string>& paths) {
  std::vector<std::string> lines;
  std::set<std::pair<dev_t, ino_t>> loaded;
  for (const std::string& p : paths) {
    if (!loaded.insert(plugin_file(p)).second) {
      lines.push_back(p + ": already loaded (given twice), loaded once");
      continue;
    }
    lines.push_back(load_plugin(p));
  }
  return lines;
}

}  // namespace poda
