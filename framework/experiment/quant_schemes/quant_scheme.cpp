#include "experiment/quant_schemes/quant_scheme.h"

#include "core/registry.h"

namespace poda {

namespace {

Registry<QuantSchemeType>& registry() {
  static Registry<QuantSchemeType> r("quantization scheme");
  return r;
}

}  // namespace

std::vector<FieldError> QuantizeSettings::validate() const {
  FieldChecks check;
  if (scheme) check.errors = scheme->validate(*this);
  check("finetune_epochs", in_range(finetune_epochs, 0, 100000));
  if (!(finetune_lr_scale > 0.0))
    check("finetune_lr_scale", "must be positive, got " + std::to_string(finetune_lr_scale));
  check("conv_index_bits", in_range(conv_index_bits, 1, 16));
  check("dense_index_bits", in_range(dense_index_bits, 1, 16));
  return check.errors;
}

void register_quant_scheme(const std::string& name, QuantSchemeType type) {
  registry().add(name, std::move(type));
}

const QuantSchemeType* find_quant_scheme(const std::string& name) {
  return registry().find(name);
}

std::string in_range(int v, int lo, int hi) {
  return v >= lo && v <= hi ? ""
                            : "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                  "], got " + std::to_string(v);
}

std::vector<std::string> quant_scheme_names() {
  return registry().names();
}

std::shared_ptr<Sequential> unowned(Sequential& model) {
  return std::shared_ptr<Sequential>(std::shared_ptr<Sequential>{}, &model);
}

}  // namespace poda
