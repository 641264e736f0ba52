#include "experiment/runner/quantized_model.h"

#include "experiment/quant_schemes/quant_checkpoint.h"
#include "experiment/runner/model_checkpoint.h"
#include "prune/settings.h"

namespace poda {

Checkpoint quantized_model_to_checkpoint(Sequential& model, const QuantizedModel& quantized) {
  Checkpoint c = model_to_checkpoint(model);
  quantized.save(c);
  return c;
}

std::shared_ptr<Sequential> load_quantized_model(Sequential& model, const Checkpoint& checkpoint,
                                                 const std::string& source) {
  const std::string kind = checkpoint_scheme(checkpoint, source);
  const QuantSchemeType* scheme = kind.empty() ? nullptr : find_quant_scheme(kind);
  if (!kind.empty() && !scheme)
    throw CheckpointError(source + ": quantized by scheme '" + kind +
                          "', which is not registered (known: " + join_names(quant_scheme_names()) +
                          ")");
  // An unknown scheme's entries are not skipped, so the ordinary loader would fail first.
  load_model_checkpoint(model, checkpoint, source);
  if (scheme) return scheme->load(model, checkpoint, source);
  for (auto& [name, p] : model.named_parameters()) p->apply_mask();
  return unowned(model);
}

}  // namespace poda
