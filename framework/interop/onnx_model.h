#pragma once
// An ONNX model held in plain structs: the subset of onnx.proto that poda writes and reads
// (float and int64 tensors, nodes with int, float, ints and string attributes, one graph).
// serialize_onnx and parse_onnx translate it to and from the protobuf bytes of a .onnx file
// (interop/protobuf_wire.h), so neither libonnx nor libprotobuf is needed.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/user_error.h"

namespace poda {

// onnx.proto: TensorProto.DataType values poda reads and writes.
constexpr int kOnnxFloat = 1, kOnnxInt64 = 7;

struct OnnxError : UserError {
  using UserError::UserError;
};

// A constant: an initializer or the value of a Constant node. Float tensors fill `floats`,
// int64 tensors (Reshape's shape) fill `ints`.
struct OnnxTensor {
  std::string name;
  std::vector<std::int64_t> dims;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  bool is_int64 = false;
};

struct OnnxAttribute {
  enum class Kind { f, i, s, ints, floats, tensor };
  std::string name;
  Kind kind = Kind::i;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  std::vector<std::int64_t> ints;
  std::vector<float> floats;
  OnnxTensor tensor;
};

struct OnnxNode {
  std::string name, op_type;
  std::vector<std::string> inputs, outputs;
  std::vector<OnnxAttribute> attributes;

  const OnnxAttribute* attribute(const std::string& name) const;
  std::int64_t int_or(const std::string& name, std::int64_t fallback) const;
  float float_or(const std::string& name, float fallback) const;
  std::vector<std::int64_t> ints_or(const std::string& name,
                                    std::vector<std::int64_t> fallback) const;
  // "node 'conv1' (Conv)", for messages.
  std::string label() const;
};

// A graph input or output: its name and shape; a dimension < 0 is symbolic (the batch).
struct OnnxValue {
  std::string name;
  std::vector<std::int64_t> dims;
  std::string kind = "tensor";  // or "sequence", "map", "optional", "sparse tensor"
  int elem_type = 0;            // a tensor's element type code (onnx_type_name)
};

struct OnnxModel {
  std::int64_t ir_version = 7;
  std::int64_t opset = 13;  // of the default domain
  std::string producer_name = "poda", producer_version, graph_name = "poda", doc_string;
  std::vector<OnnxNode> nodes;  // in topological order
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValue> inputs, outputs;
  std::map<std::string, std::string> metadata;  // metadata_props
};

// Attribute builders for writers.
OnnxAttribute onnx_int(const std::string& name, std::int64_t value);
OnnxAttribute onnx_ints(const std::string& name, std::vector<std::int64_t> values);

// "FLOAT", "INT64", ... for an ONNX TensorProto data type code; "unknown type code N" else.
std::string onnx_type_name(int code);

std::string serialize_onnx(const OnnxModel& model);
// Throws OnnxError naming `source` when the bytes are not a readable ONNX model.
OnnxModel parse_onnx(const std::string& bytes, const std::string& source);
// A serialized TensorProto (the input_N.pb and output_N.pb of ONNX's test data).
OnnxTensor parse_onnx_tensor(const std::string& bytes, const std::string& source);

}  // namespace poda
