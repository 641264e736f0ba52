#pragma once
// The `prune` section: parsed with the same strict rules as the rest, then checked by
// PruneSettings::validate(), whose field names are the section's YAML keys, so every
// error points at file:line:col of the offending value.
#include "experiment/io/yaml_reader.h"
#include "prune/settings.h"

namespace poda {

PruneSettings parse_prune(YamlMap section, std::uint64_t seed);

}  // namespace poda
