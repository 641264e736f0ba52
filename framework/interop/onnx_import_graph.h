#pragma once
// Small reads of an ONNX graph that the import's multi-node patterns share: who writes or
// reads a tensor, its constant value, and the values of a shape-computing subgraph.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interop/onnx_import_patterns.h"

namespace poda {

// The node writing `t`, or nullptr (a graph input or a constant).
const OnnxNode* onnx_producer(const OnnxGraphIndex& g, const std::string& t);
// The one non-Shape node reading `t` when it is of type `op`, else nullptr.
const OnnxNode* onnx_sole_reader(const OnnxGraphIndex& g, const std::string& t, const char* op);
// A float constant, or nullptr.
const OnnxTensor* onnx_float_constant(const OnnxGraphIndex& g, const std::string& t);
// A float constant of one value.
std::optional<float> onnx_float_scalar(const OnnxGraphIndex& g, const std::string& t);
// The node's first output, "" when it has none (a malformed graph: the walk then reports it).
const std::string& onnx_out(const OnnxNode& n);
// Input i of the node, "" when it has fewer.
const std::string& onnx_in(const OnnxNode& n, std::size_t i);
// The input of binary `n` that is not `t` ("" when both are).
std::string onnx_other_input(const OnnxNode& n, const std::string& t);

// The int64 values of a shape tensor: a constant, or Concat / Unsqueeze / Cast of constants
// and of Gathers from a Shape (sizes known only at run time, given as kOnnxUnknownSize).
// Nothing when the tensor is computed otherwise.
constexpr std::int64_t kOnnxUnknownSize = INT64_MIN;
std::optional<std::vector<std::int64_t>> onnx_shape_values(const OnnxGraphIndex& g,
                                                           const std::string& t,
                                                           int depth = 0);

[[noreturn]] void onnx_pattern_error(const std::string& source, const OnnxNode& n,
                                     const std::string& what);

}  // namespace poda
