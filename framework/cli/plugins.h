#pragma once
// Plug-ins: shared libraries whose static registrars add criteria, schedules, layer types or
// zoo models to this process (`poda run CONFIG --plugin libmine.so`). A plug-in is compiled
// against poda's installed headers (CMake target poda::plugin) and resolves poda's symbols in
// the poda executable, which exports them; README "Write a plug-in".
#include <stdexcept>
#include <string>
#include <vector>

#include "core/user_error.h"

namespace poda {

// A plug-in that is missing, cannot be loaded, or registers nothing: an input error.
struct PluginError : UserError {
  using UserError::UserError;
};

// Loads each library in order; returns what each registered, one line per plug-in.
std::vector<std::string> load_plugins(const std::vector<std::string>& paths);

}  // namespace poda
