#pragma once
// Interchange, the import: an ONNX graph of the layer types poda has becomes poda layer specs
// (the form a config's `model: {layers: [...]}` takes) and their weights, so a network
// trained elsewhere can be pruned and fine-tuned in poda. Supported: Gemm (alpha = beta = 1)
// and MatMul + Add, Conv (square kernels, symmetric padding), BatchNormalization, Relu, Tanh,
// Sigmoid, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape to (N, -1), Dropout and
// Identity, and Add of two branches (a residual block). A leading Sub and Div by constants
// on the input (what export_onnx writes) become the normalisation. What torch.onnx.export
// writes for ordinary CNNs is read too (interop/onnx_import_patterns.h): a dynamic batch axis,
// `x.view(x.size(0), -1)` as a flatten, a final Softmax or LogSoftmax left out (recorded in
// `dropped_output`), and node names as layer names. Transformers, as torch.onnx.export writes
// a ViT of plain modules and as poda exports one (interop/onnx_import_transformer.h):
// decomposed LayerNorm, Erf GELU, attention, patches to tokens, class token, positions and
// token pooling; Dense and GELU on tokens become a Tokenwise. Anything else is an OnnxError
// naming the node and its op.
#include <string>
#include <vector>

#include "data/normalization.h"
#include "interop/onnx_model.h"
#include "nn/layer_spec.h"
#include "nn/layers/sequential.h"

namespace poda {

struct ImportedModel {
  std::vector<LayerSpec> layers;
  Shape input;         // one sample, e.g. (1, 28, 28)
  Normalization norm;  // identity when the graph has no leading Sub/Div
  // The values of the model's parameters and then of its buffers, in the order
  // named_parameters() and named_buffers() list them for a model built from `layers`.
  std::vector<Array> parameters, buffers;
  // "Softmax" or "LogSoftmax" when the graph ended in one that poda leaves out: the model
  // computes the logits (same argmax; training and export work on logits), else "".
  std::string dropped_output;
};

ImportedModel import_onnx(const OnnxModel& model, const std::string& source);

// Builds the model of `imported` and loads its weights.
std::shared_ptr<Sequential> build_imported(const ImportedModel& imported);

// `layers` as a YAML flow list, for a config's model section.
std::string layers_yaml(const std::vector<LayerSpec>& layers);

}  // namespace poda
