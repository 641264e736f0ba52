#include "interop/onnx_import_patterns.h"

#include <cctype>

namespace poda {
namespace {

// The one node reading `t`, when it is of type `op`.
const OnnxNode* only_consumer(const OnnxGraphIndex& g, const std::string& t, const char* op) {
  const auto next = g.consumers(t);
  if (next.size() != 1 || g.model.nodes[next[0]].op_type != op) return nullptr;
  return &g.model.nodes[next[0]];
}

// The int64 constant at input `i` of `n`, or nullptr.
const OnnxTensor* int_constant(const OnnxGraphIndex& g, const OnnxNode& n, std::size_t i) {
  if (i >= n.inputs.size()) return nullptr;
  auto it = g.constants.find(n.inputs[i]);
  return it != g.constants.end() && it->second->is_int64 ? it->second : nullptr;
}

bool is_ints(const OnnxTensor* t, std::vector<std::int64_t> values) {
  return t && t->ints == values;
}

// Unsqueeze of axis 0: an attribute before opset 13, an input from it on.
bool unsqueezes_axis0(const OnnxGraphIndex& g, const OnnxNode& n) {
  if (n.attribute("axes")) return n.ints_or("axes", {}) == std::vector<std::int64_t>{0};
  return is_ints(int_constant(g, n, 1), {0});
}

}  // namespace

std::optional<std::size_t> batch_flatten_reshape(const OnnxGraphIndex& g, const std::string& t) {
  const auto readers = g.consumers(t);
  if (readers.size() != 2) return std::nullopt;
  const OnnxNode* shape = nullptr;
  std::size_t reshape = g.model.nodes.size();
  for (std::size_t r : readers) {
    const OnnxNode& n = g.model.nodes[r];
    if (n.op_type == "Shape" && n.attribute("start") == nullptr) shape = &n;
    if (n.op_type == "Reshape" && n.inputs.size() == 2 && n.inputs[0] == t) reshape = r;
  }
  if (!shape || reshape == g.model.nodes.size()) return std::nullopt;
  const OnnxNode* gather = only_consumer(g, shape->outputs.at(0), "Gather");
  if (!gather || gather->int_or("axis", 0) != 0) return std::nullopt;
  const OnnxTensor* index = int_constant(g, *gather, 1);
  if (!index || index->ints != std::vector<std::int64_t>{0} || !index->dims.empty())
    return std::nullopt;  // a scalar 0: the batch size
  const OnnxNode* unsqueeze = only_consumer(g, gather->outputs.at(0), "Unsqueeze");
  if (!unsqueeze || !unsqueezes_axis0(g, *unsqueeze)) return std::nullopt;
  const OnnxNode* concat = only_consumer(g, unsqueeze->outputs.at(0), "Concat");
  if (!concat || concat->int_or("axis", 0) != 0 || concat->inputs.size() != 2 ||
      concat->inputs[0] != unsqueeze->outputs.at(0) || !is_ints(int_constant(g, *concat, 1), {-1}))
    return std::nullopt;
  const OnnxNode& r = g.model.nodes[reshape];
  if (r.inputs[1] != concat->outputs.at(0)) return std::nullopt;
  return reshape;
}

std::string dropped_output_activation(const OnnxNode& n, const std::string& graph_output) {
  if (n.op_type != "Softmax" && n.op_type != "LogSoftmax") return "";
  if (n.outputs.size() != 1 || n.outputs[0] != graph_output) return "";
  const std::int64_t axis = n.int_or("axis", -1);
  return axis == 1 || axis == -1 ? n.op_type : "";
}

std::string layer_name_of(const OnnxNode& node) {
  std::string path = node.name;
  while (!path.empty() && path.front() == '/') path.erase(path.begin());
  const std::size_t last = path.find_last_of('/');
  if (last != std::string::npos) path.erase(last);  // the op's own part
  const std::size_t parent = path.find_last_of('/');
  std::string name = parent == std::string::npos ? path : path.substr(parent + 1);
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-') ch = '_';
  // A number would collide with the position names of unnamed layers.
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) name = "n" + name;
  return name;
}

}  // namespace poda
