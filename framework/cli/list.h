#pragma once
// `poda list`: what a config can name, read from the registries (criteria, granularities,
// schedules, layer types, zoo models), each with its help line and keys.
#include <string>

namespace poda {

// The listing as text; `section` is one of criteria, granularities, schedules, layers, zoo,
// or "" for all of them. Throws std::invalid_argument for another section.
std::string list_text(const std::string& section);
int command_list(const std::string& section);

}  // namespace poda
