#include "experiment/config/quantize_config.h"

#include <fmt/format.h>

namespace poda {

namespace {

// The node of a field "key" or "key.sub" inside the section (undefined when absent).
YAML::Node field_node(const YAML::Node& section, const std::string& field) {
  const std::size_t dot = field.find('.');
  if (dot == std::string::npos) return section.IsMap() ? section[field] : YAML::Node();
  const YAML::Node parent = section.IsMap() ? section[field.substr(0, dot)] : YAML::Node();
  return parent && parent.IsMap() ? parent[field.substr(dot + 1)] : YAML::Node();
}

}  // namespace

ConfigError quantize_config_error(const YAML::Node& section, const std::string& file,
                                  const FieldError& error) {
  const YAML::Node at = field_node(section, error.field);
  return ConfigError(fmt::format("{}: 'quantize.{}': {}", yaml_where(file, at ? at : section),
                                 error.field, error.message));
}

QuantizeSettings parse_quantize(YamlMap m) {
  QuantizeSettings q;
  q.kind = m.text("kind", std::nullopt, quant_scheme_names());
  // Every scheme reads its keys whatever the kind, so one base config can sweep
  // quantize.kind; the chosen one validates them.
  for (const std::string& name : quant_scheme_names()) {
    std::shared_ptr<const QuantScheme> scheme = find_quant_scheme(name)->parse(m);
    if (name == q.kind) q.scheme = std::move(scheme);
  }
  q.finetune_epochs =
      static_cast<int>(m.integer("finetune_epochs", q.finetune_epochs, -1000, 100000000));
  q.finetune_lr_scale = m.number("finetune_lr_scale", q.finetune_lr_scale, -1e9, 1e9);
  q.conv_index_bits =
      static_cast<int>(m.integer("conv_index_bits", q.conv_index_bits, -1000, 1000));
  q.dense_index_bits =
      static_cast<int>(m.integer("dense_index_bits", q.dense_index_bits, -1000, 1000));
  q.huffman = m.boolean("huffman", q.huffman);
  m.finish();
  const std::vector<FieldError> errors = q.validate();
  if (!errors.empty()) throw quantize_config_error(m.yaml(), m.file(), errors.front());
  return q;
}

}  // namespace poda
