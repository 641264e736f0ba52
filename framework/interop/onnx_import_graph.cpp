#include "interop/onnx_import_graph.h"

#include <algorithm>

#include "interop/onnx_import_transformer.h"

namespace poda {

const OnnxNode* onnx_producer(const OnnxGraphIndex& g, const std::string& t) {
  for (const OnnxNode& n : g.model.nodes)
    for (const std::string& o : n.outputs)
      if (o == t) return &n;
  return nullptr;
}

std::vector<std::size_t> data_consumers(const OnnxGraphIndex& g, const std::string& t) {
  std::vector<std::size_t> out;
  for (std::size_t c : g.consumers(t))
    if (g.model.nodes[c].op_type != "Shape") out.push_back(c);
  return out;
}

const OnnxNode* onnx_sole_reader(const OnnxGraphIndex& g, const std::string& t, const char* op) {
  const auto next = data_consumers(g, t);
  if (next.size() != 1 || g.model.nodes[next[0]].op_type != op) return nullptr;
  return &g.model.nodes[next[0]];
}

const OnnxTensor* onnx_float_constant(const OnnxGraphIndex& g, const std::string& t) {
  auto it = g.constants.find(t);
  return it == g.constants.end() || it->second->is_int64 ? nullptr : it->second;
}

std::optional<float> onnx_float_scalar(const OnnxGraphIndex& g, const std::string& t) {
  const OnnxTensor* c = onnx_float_constant(g, t);
  if (!c || c->floats.size() != 1) return std::nullopt;
  return c->floats[0];
}

const std::string& onnx_out(const OnnxNode& n) {
  static const std::string none;
  return n.outputs.empty() ? none : n.outputs[0];
}

const std::string& onnx_in(const OnnxNode& n, std::size_t i) {
  static const std::string none;
  return i < n.inputs.size() ? n.inputs[i] : none;
}

std::string onnx_other_input(const OnnxNode& n, const std::string& t) {
  if (n.inputs.size() != 2) return "";
  if (n.inputs[0] == t && n.inputs[1] != t) return n.inputs[1];
  if (n.inputs[1] == t && n.inputs[0] != t) return n.inputs[0];
  return "";
}

std::optional<std::vector<std::int64_t>> onnx_shape_values(const OnnxGraphIndex& g,
                                                           const std::string& t, int depth) {
  if (auto it = g.constants.find(t); it != g.constants.end())
    return it->second->is_int64 ? std::optional(it->second->ints) : std::nullopt;
  const OnnxNode* n = onnx_producer(g, t);
  if (!n || n->inputs.empty() || depth > 16) return std::nullopt;  // deeper: a cycle
  if (n->op_type == "Unsqueeze" || n->op_type == "Cast")
    return onnx_shape_values(g, n->inputs[0], depth + 1);
  if (n->op_type == "Concat" && n->int_or("axis", 0) == 0) {
    std::vector<std::int64_t> out;
    for (const std::string& in : n->inputs) {
      auto part = onnx_shape_values(g, in, depth + 1);
      if (!part) return std::nullopt;
      out.insert(out.end(), part->begin(), part->end());
    }
    return out;
  }
  if (n->op_type == "Gather" && n->inputs.size() == 2) {
    const OnnxNode* shape = onnx_producer(g, n->inputs[0]);
    auto index = g.constants.find(n->inputs[1]);
    if (!shape || shape->op_type != "Shape" || index == g.constants.end()) return std::nullopt;
    return std::vector<std::int64_t>(std::max<std::size_t>(index->second->ints.size(), 1),
                                     kOnnxUnknownSize);
  }
  return std::nullopt;
}

void onnx_pattern_error(const std::string& source, const OnnxNode& n, const std::string& what) {
  throw OnnxError(source + ": " + n.label() + ": " + what);
}

}  // namespace poda
