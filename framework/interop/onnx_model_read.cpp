// parse_onnx: the protobuf bytes of a .onnx file -> OnnxModel, keeping the fields poda uses
// and skipping the others (doc strings, value_info, training info).
#include <cstring>

#include "interop/onnx_model.h"
#include "interop/protobuf_wire.h"

namespace poda {
namespace {

std::string text(const ProtoField& f) {
  return std::string(f.bytes);
}

// "tensor 'w'", or "an unnamed tensor": a refusal names what it can.
std::string tensor_label(const std::string& name) {
  return name.empty() ? "an unnamed tensor" : "tensor '" + name + "'";
}

OnnxTensor read_tensor(std::string_view bytes, const std::string& source) {
  OnnxTensor t;
  int data_type = 0;
  std::string_view raw;
  ProtoReader r(bytes, source + ": tensor");
  ProtoField f;
  while (r.next(f)) {
    if (f.number == 1)
      ProtoReader::append_int64s(f, t.dims);
    else if (f.number == 2)
      data_type = static_cast<int>(f.value);
    else if (f.number == 4)
      ProtoReader::append_floats(f, t.floats);
    else if (f.number == 7)
      ProtoReader::append_int64s(f, t.ints);
    else if (f.number == 8)
      t.name = text(f);
    else if (f.number == 9)
      raw = f.bytes;
    else if (f.number == 14 && f.value == 1)
      throw OnnxError(source + ": " + tensor_label(t.name) + " is stored outside the file");
  }
  if (data_type != kOnnxFloat && data_type != kOnnxInt64)
    throw OnnxError(source + ": " + tensor_label(t.name) + " has data type " +
                    onnx_type_name(data_type) + " (poda reads FLOAT and INT64)");
  t.is_int64 = data_type == kOnnxInt64;
  const std::size_t width = t.is_int64 ? 8 : 4;
  if (raw.size() % width)
    throw OnnxError(source + ": " + tensor_label(t.name) + ": bad raw_data size");
  if (t.is_int64 && !raw.empty()) {
    t.ints.resize(raw.size() / 8);
    std::memcpy(t.ints.data(), raw.data(), raw.size());
  } else if (!raw.empty()) {
    t.floats.resize(raw.size() / 4);
    std::memcpy(t.floats.data(), raw.data(), raw.size());
  }
  return t;
}

OnnxAttribute read_attribute(std::string_view bytes, const std::string& source) {
  OnnxAttribute a;
  int type = 0;
  ProtoReader r(bytes, source + ": attribute");
  ProtoField f;
  while (r.next(f)) {
    if (f.number == 1)
      a.name = text(f);
    else if (f.number == 2)
      a.f = f.as_float();
    else if (f.number == 3)
      a.i = static_cast<std::int64_t>(f.value);
    else if (f.number == 4)
      a.s = text(f);
    else if (f.number == 5)
      a.tensor = read_tensor(f.bytes, source);
    else if (f.number == 7)
      ProtoReader::append_floats(f, a.floats);
    else if (f.number == 8)
      ProtoReader::append_int64s(f, a.ints);
    else if (f.number == 20)
      type = static_cast<int>(f.value);
  }
  using K = OnnxAttribute::Kind;
  const K kinds[] = {K::i, K::f, K::i, K::s, K::tensor, K::i, K::floats, K::ints};
  a.kind = type >= 1 && type <= 7 ? kinds[type] : K::i;
  return a;
}

OnnxNode read_node(std::string_view bytes, const std::string& source) {
  OnnxNode n;
  ProtoReader r(bytes, source + ": node");
  ProtoField f;
  while (r.next(f)) {
    if (f.number == 1)
      n.inputs.push_back(text(f));
    else if (f.number == 2)
      n.outputs.push_back(text(f));
    else if (f.number == 3)
      n.name = text(f);
    else if (f.number == 4)
      n.op_type = text(f);
    else if (f.number == 5)
      n.attributes.push_back(read_attribute(f.bytes, source));
    else if (f.number == 7 && !f.bytes.empty() && f.bytes != "ai.onnx")
      throw OnnxError(source + ": node '" + n.name + "' is in domain '" + text(f) + "'");
  }
  return n;
}

// TypeProto's oneof field -> what the value is.
std::string value_kind(std::uint32_t field) {
  switch (field) {
    case 1: return "tensor";
    case 4: return "sequence";
    case 5: return "map";
    case 8: return "sparse tensor";
    case 9: return "optional";
    default: return "value of type field " + std::to_string(field);
  }
}

// ValueInfoProto -> name and dims (symbolic or unknown dimensions become -1).
OnnxValue read_value(std::string_view bytes, const std::string& source) {
  OnnxValue v;
  ProtoReader r(bytes, source + ": value");
  ProtoField f, t, tt, s, d;
  while (r.next(f)) {
    if (f.number == 1) v.name = text(f);
    if (f.number != 2) continue;
    for (ProtoReader type(f.bytes, source); type.next(t);) {
      v.kind = value_kind(t.number);
      if (t.number != 1) continue;
      for (ProtoReader tensor(t.bytes, source); tensor.next(tt);) {
        if (tt.number == 1) v.elem_type = static_cast<int>(tt.value);
        if (tt.number != 2) continue;
        for (ProtoReader shape(tt.bytes, source); shape.next(s);) {
          std::int64_t dim = -1;
          for (ProtoReader dr(s.bytes, source); dr.next(d);)
            if (d.number == 1) dim = static_cast<std::int64_t>(d.value);
          v.dims.push_back(dim);
        }
      }
    }
  }
  return v;
}

void read_graph(std::string_view bytes, const std::string& source, OnnxModel& m) {
  ProtoReader r(bytes, source + ": graph");
  ProtoField f;
  while (r.next(f)) {
    if (f.number == 1)
      m.nodes.push_back(read_node(f.bytes, source));
    else if (f.number == 2)
      m.graph_name = text(f);
    else if (f.number == 5)
      m.initializers.push_back(read_tensor(f.bytes, source));
    else if (f.number == 11)
      m.inputs.push_back(read_value(f.bytes, source));
    else if (f.number == 12)
      m.outputs.push_back(read_value(f.bytes, source));
  }
}

}  // namespace

OnnxTensor parse_onnx_tensor(const std::string& bytes, const std::string& source) {
  try {
    return read_tensor(bytes, source);
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const OnnxError*>(&e)) throw;
    throw OnnxError(source + ": not a readable ONNX tensor: " + e.what());
  }
}

OnnxModel parse_onnx(const std::string& bytes, const std::string& source) {
  OnnxModel m;
  m.opset = 0;
  bool has_graph = false;
  try {
    ProtoReader r(bytes, source);
    ProtoField f, g;
    while (r.next(f)) {
      if (f.number == 1)
        m.ir_version = static_cast<std::int64_t>(f.value);
      else if (f.number == 2)
        m.producer_name = text(f);
      else if (f.number == 3)
        m.producer_version = text(f);
      else if (f.number == 7) {
        read_graph(f.bytes, source, m);
        has_graph = true;
      } else if (f.number == 8) {
        std::string domain;
        std::int64_t version = 0;
        for (ProtoReader o(f.bytes, source); o.next(g);) {
          if (g.number == 1) domain = text(g);
          if (g.number == 2) version = static_cast<std::int64_t>(g.value);
        }
        if (domain.empty() || domain == "ai.onnx") m.opset = version;
      } else if (f.number == 14) {
        std::string key, value;
        for (ProtoReader e(f.bytes, source); e.next(g);) {
          if (g.number == 1) key = text(g);
          if (g.number == 2) value = text(g);
        }
        m.metadata[key] = value;
      }
    }
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const OnnxError*>(&e)) throw;
    throw OnnxError(std::string("not a readable ONNX model: ") + e.what());
  }
  if (!has_graph) throw OnnxError(source + ": not an ONNX model (no graph)");
  return m;
}

std::string onnx_type_name(int code) {
  static const char* const kNames[] = {
      "UNDEFINED",      "FLOAT",      "UINT8",          "INT8",       "UINT16",   "INT16",
      "INT32",          "INT64",      "STRING",         "BOOL",       "FLOAT16",  "DOUBLE",
      "UINT32",         "UINT64",     "COMPLEX64",      "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",      "INT4"};
  if (code >= 0 && code < static_cast<int>(sizeof kNames / sizeof kNames[0])) return kNames[code];
  return "unknown type code " + std::to_string(code);
}

const OnnxAttribute* OnnxNode::attribute(const std::string& name) const {
  for (const OnnxAttribute& a : attributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::int64_t OnnxNode::int_or(const std::string& name, std::int64_t fallback) const {
  const OnnxAttribute* a = attribute(name);
  return a ? a->i : fallback;
}

float OnnxNode::float_or(const std::string& name, float fallback) const {
  const OnnxAttribute* a = attribute(name);
  return a ? a->f : fallback;
}

std::vector<std::int64_t> OnnxNode::ints_or(const std::string& name,
                                            std::vector<std::int64_t> fallback) const {
  const OnnxAttribute* a = attribute(name);
  return a ? a->ints : fallback;
}

std::string OnnxNode::label() const {
  if (name.empty())
    return "unnamed node (" + op_type + ")" +
           (outputs.empty() ? "" : " producing '" + outputs.front() + "'");
  return "node '" + name + "' (" + op_type + ")";
}

}  // namespace poda
