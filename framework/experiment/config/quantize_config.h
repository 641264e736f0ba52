#pragma once
// The `quantize` section: its kind names a registered scheme (experiment/quant_schemes/
// quant_scheme.h), which reads its own keys; parsed with the strict YamlMap rules, then checked
// by QuantizeSettings::validate(), whose field names are the section's keys, so every error
// points at file:line:col of the offending value (or of the section for a missing one).
#include "experiment/io/yaml_reader.h"
#include "experiment/quant_schemes/quant_scheme.h"

namespace poda {

QuantizeSettings parse_quantize(YamlMap section);

// "file:line:col: 'quantize.<field>': <message>" for an error of validate() or of the
// scheme's check_training_batches(), located in the section's YAML node.
ConfigError quantize_config_error(const YAML::Node& section, const std::string& file,
                                  const FieldError& error);

}  // namespace poda
