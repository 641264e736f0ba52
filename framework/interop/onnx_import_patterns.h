#pragma once
// Node patterns of the import that span several ONNX nodes or are not layers: what
// torch.onnx.export writes for `x.view(x.size(0), -1)` with a dynamic batch axis, a
// Softmax or LogSoftmax ending the graph, and the poda layer name of a node.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interop/onnx_model.h"

namespace poda {

struct OnnxGraphIndex {
  const OnnxModel& model;
  const std::map<std::string, const OnnxTensor*>& constants;
  std::function<std::vector<std::size_t>(const std::string&)> consumers;  // non-constant reads
};

// Shape(t) -> Gather(index 0) -> Unsqueeze(axis 0) -> Concat(axis 0, with [-1]) -> Reshape(t, .):
// the batch dimension kept and the rest flattened, i.e. a flatten. The index of the Reshape
// node when `t` feeds exactly that pattern (and the Reshape), else nothing.
std::optional<std::size_t> batch_flatten_reshape(const OnnxGraphIndex& graph, const std::string& t);

// Softmax or LogSoftmax over the class axis of a (batch, classes) output, as the node that
// writes the graph's output: poda leaves it out (the argmax of the logits is the same, and
// training takes the logits). Its op type, or "" for any other node.
std::string dropped_output_activation(const OnnxNode& node, const std::string& graph_output);

// The layer name a node gives: torch's "/features/features.0/Conv" is "features_0" (its
// module path without the op, dots made underscores so they do not read as poda's dotted
// parameter names); "" for an unnamed node.
std::string layer_name_of(const OnnxNode& node);

}  // namespace poda
