// serialize_onnx: OnnxModel -> the protobuf bytes of onnx.proto (field numbers as there).
#include "interop/onnx_model.h"
#include "interop/protobuf_wire.h"

namespace poda {
namespace {

// onnx.proto: AttributeProto.AttributeType values.
enum AttributeType {
  kAttrFloat = 1,
  kAttrInt = 2,
  kAttrString = 3,
  kAttrTensor = 4,
  kAttrFloats = 6,
  kAttrInts = 7
};

ProtoWriter tensor_proto(const OnnxTensor& t) {
  ProtoWriter w;
  w.packed_int64(1, t.dims);  // dims
  w.varint(2, t.is_int64 ? kOnnxInt64 : kOnnxFloat);
  w.bytes(8, t.name);
  if (t.is_int64)
    w.packed_int64(7, t.ints);  // int64_data
  else
    w.bytes(9, std::string_view(reinterpret_cast<const char*>(t.floats.data()),
                                t.floats.size() * sizeof(float)));  // raw_data, little-endian
  return w;
}

ProtoWriter attribute_proto(const OnnxAttribute& a) {
  ProtoWriter w;
  w.bytes(1, a.name);
  switch (a.kind) {
    case OnnxAttribute::Kind::f:
      w.fixed32_float(2, a.f);
      w.varint(20, kAttrFloat);
      break;
    case OnnxAttribute::Kind::i:
      w.int64(3, a.i);
      w.varint(20, kAttrInt);
      break;
    case OnnxAttribute::Kind::s:
      w.bytes(4, a.s);
      w.varint(20, kAttrString);
      break;
    case OnnxAttribute::Kind::tensor:
      w.message(5, tensor_proto(a.tensor));
      w.varint(20, kAttrTensor);
      break;
    case OnnxAttribute::Kind::floats:
      w.packed_float(7, a.floats.data(), a.floats.size());
      w.varint(20, kAttrFloats);
      break;
    case OnnxAttribute::Kind::ints:
      w.packed_int64(8, a.ints);
      w.varint(20, kAttrInts);
      break;
  }
  return w;
}

ProtoWriter node_proto(const OnnxNode& n) {
  ProtoWriter w;
  for (const std::string& in : n.inputs) w.bytes(1, in);
  for (const std::string& out : n.outputs) w.bytes(2, out);
  w.bytes(3, n.name);
  w.bytes(4, n.op_type);
  for (const OnnxAttribute& a : n.attributes) w.message(5, attribute_proto(a));
  return w;
}

// ValueInfoProto { name, TypeProto { Tensor { elem_type, TensorShapeProto { Dimension } } } }
ProtoWriter value_info(const OnnxValue& v) {
  ProtoWriter shape;
  for (std::int64_t d : v.dims) {
    ProtoWriter dim;
    if (d >= 0)
      dim.int64(1, d);  // dim_value
    else
      dim.bytes(2, "N");  // dim_param: the batch
    shape.message(1, dim);
  }
  ProtoWriter tensor_type;
  tensor_type.varint(1, kOnnxFloat);
  tensor_type.message(2, shape);
  ProtoWriter type;
  type.message(1, tensor_type);
  ProtoWriter w;
  w.bytes(1, v.name);
  w.message(2, type);
  return w;
}

}  // namespace

OnnxAttribute onnx_int(const std::string& name, std::int64_t value) {
  OnnxAttribute a;
  a.name = name;
  a.kind = OnnxAttribute::Kind::i;
  a.i = value;
  return a;
}

OnnxAttribute onnx_ints(const std::string& name, std::vector<std::int64_t> values) {
  OnnxAttribute a;
  a.name = name;
  a.kind = OnnxAttribute::Kind::ints;
  a.ints = std::move(values);
  return a;
}

std::string serialize_onnx(const OnnxModel& m) {
  ProtoWriter graph;
  for (const OnnxNode& n : m.nodes) graph.message(1, node_proto(n));
  graph.bytes(2, m.graph_name);
  for (const OnnxTensor& t : m.initializers) graph.message(5, tensor_proto(t));
  for (const OnnxValue& v : m.inputs) graph.message(11, value_info(v));
  for (const OnnxValue& v : m.outputs) graph.message(12, value_info(v));

  ProtoWriter model;
  model.int64(1, m.ir_version);
  model.bytes(2, m.producer_name);
  model.bytes(3, m.producer_version);
  if (!m.doc_string.empty()) model.bytes(6, m.doc_string);
  model.message(7, graph);
  ProtoWriter opset;
  opset.bytes(1, "");
  opset.int64(2, m.opset);
  model.message(8, opset);
  for (const auto& [key, value] : m.metadata) {
    ProtoWriter entry;
    entry.bytes(1, key);
    entry.bytes(2, value);
    model.message(14, entry);
  }
  return model.str();
}

}  // namespace poda
