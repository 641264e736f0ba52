#include "experiment/runner/model_checkpoint.h"

#include "experiment/io/atomic_file.h"
#include "experiment/quant_schemes/quant_checkpoint.h"
#include "interop/onnx_import.h"

namespace poda {

Checkpoint model_to_checkpoint(Module& model) {
  Checkpoint c;
  for (auto& [name, p] : model.named_parameters()) {
    CheckpointEntry e{name, p->value.data(), std::nullopt};
    if (p->has_mask()) e.mask = p->mask.data();
    c.entries.push_back(std::move(e));
  }
  for (auto& [name, b] : model.named_buffers()) c.entries.push_back({name, *b, std::nullopt});
  return c;
}

void load_model_checkpoint(Module& model, const Checkpoint& checkpoint, const std::string& source) {
  std::size_t expected = 0;
  auto fetch = [&](const std::string& name, const Shape& shape) -> const CheckpointEntry& {
    ++expected;
    const CheckpointEntry* e = find_entry(checkpoint, name);
    if (!e) throw CheckpointError(source + ": no entry '" + name + "' for this model");
    if (to_shape(e->value.shape()) != shape)
      throw CheckpointError(source + ": '" + name + "' has shape " +
                            shape_str(to_shape(e->value.shape())) + ", the model expects " +
                            shape_str(shape));
    return *e;
  };
  for (auto& [name, p] : model.named_parameters()) {
    const CheckpointEntry& e = fetch(name, p->value.shape());
    p->value.data() = e.value;
    if (e.mask)
      p->set_mask(*e.mask);
    else
      p->remove_mask();
  }
  for (auto& [name, b] : model.named_buffers()) *b = fetch(name, to_shape(b->shape())).value;
  // A quantized model's checkpoint also holds its quantized form (quant_checkpoint.h):
  // those entries are not the model's and are skipped.
  std::size_t held = 0;
  for (const CheckpointEntry& e : checkpoint.entries)
    held += is_quantization_entry(checkpoint, e.name) ? 0 : 1;
  if (held != expected)
    throw CheckpointError(source + ": holds " + std::to_string(held) + " entries, the model has " +
                          std::to_string(expected));
}

void load_model_file(Module& model, const ModelFile& file) {
  if (file.kind == "onnx") {
    const OnnxModel graph = parse_onnx(read_file(file.path), file.path);
    auto imported = build_imported(import_onnx(graph, file.path));
    load_model_checkpoint(model, model_to_checkpoint(*imported), file.path);
  } else {
    load_model_checkpoint(model, load_checkpoint(file.path), file.path);
  }
}

}  // namespace poda
