#pragma once
// Reading an experiment file as YAML, before its sections are parsed: the file must be a
// readable file within kMaxConfigBytes, the YAML must parse, and no mapping may repeat a
// key (yaml-cpp keeps the first silently). Errors are ConfigError naming the file, with
// line:col where there is one.
#include <string>

#include <yaml-cpp/yaml.h>

#include "experiment/io/yaml_reader.h"

namespace poda {

// The text of `path`; a folder, a missing file or one larger than kMaxConfigBytes is an error.
std::string read_config_file(const std::string& path);

// The document in `text` (read from `file`, used in errors), with duplicate keys rejected.
YAML::Node parse_config_text(const std::string& text, const std::string& file);

// Throws ConfigError at the second of two equal keys of any mapping under `root`.
void check_unique_keys(const YAML::Node& root, const std::string& file);

}  // namespace poda
