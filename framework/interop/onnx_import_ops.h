#pragma once
// One ONNX node -> one poda layer spec and its weights (interop/onnx_import.h lists the ops).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "interop/onnx_model.h"
#include "nn/layer_spec.h"

namespace poda {

struct OpContext {
  const std::map<std::string, const OnnxTensor*>& constants;
  const std::string& source;
  std::vector<Array>& parameters;  // appended in the order the built layer registers them
  std::vector<Array>& buffers;
};

// The layer for `node`, or nothing for ops that vanish at inference (Dropout, Identity).
// Throws OnnxError naming the node and its op when poda has no such layer or the node's
// attributes are outside what the layer supports.
std::optional<LayerSpec> convert_node(const OnnxNode& node, OpContext& ctx);

// MatMul's Dense followed by Add(matmul_out, constant b): b becomes the Dense layer's bias.
// False (nothing changed) when the Add's other input is not a constant of the right size.
bool add_matmul_bias(LayerSpec& dense, const OnnxNode& add, const std::string& matmul_out,
                     OpContext& ctx);

}  // namespace poda
