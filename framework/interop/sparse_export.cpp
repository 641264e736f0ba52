#include "interop/sparse_export.h"

#include <algorithm>
#include <cstring>

#include "kernels/csr.h"
#include "interop/onnx_export.h"

namespace poda {
namespace {

class ByteWriter {
 public:
  template <class T>
  void put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  template <class T>
  void put_all(const std::vector<T>& v) {
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void str(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    out_ += s;
  }
  void strings(const std::vector<std::string>& v) {
    put(static_cast<std::uint32_t>(v.size()));
    for (const std::string& s : v) str(s);
  }
  std::string out_;
};

void write_attribute(ByteWriter& w, const OnnxAttribute& a) {
  w.str(a.name);
  if (a.kind == OnnxAttribute::Kind::ints) {
    w.put<std::uint8_t>(1);
    w.put(static_cast<std::uint32_t>(a.ints.size()));
    w.put_all(a.ints);
  } else if (a.kind == OnnxAttribute::Kind::f) {
    w.put<std::uint8_t>(2);
    w.put(a.f);
  } else {
    w.put<std::uint8_t>(0);
    w.put(a.i);
  }
}

void write_constant(ByteWriter& w, const OnnxTensor& t, bool sparse) {
  w.str(t.name);
  w.put(static_cast<std::uint32_t>(t.dims.size()));
  for (std::int64_t d : t.dims) w.put(static_cast<std::uint64_t>(d));
  const std::size_t rows = t.dims.empty() ? 1 : static_cast<std::size_t>(t.dims[0]);
  const std::size_t cols = rows ? t.floats.size() / rows : 0;
  if (!sparse || cols > max_csr_cols || rows == 0) {
    w.put<std::uint8_t>(0);
    w.put_all(t.floats);
    return;
  }
  const CsrMatrix csr = csr_from_dense(t.floats.data(), rows, cols);
  w.put<std::uint8_t>(1);
  w.put(static_cast<std::uint32_t>(rows));
  w.put(static_cast<std::uint32_t>(cols));
  w.put(static_cast<std::uint32_t>(csr.nnz()));
  w.put_all(csr.row_ptr);
  w.put_all(csr.col);
  w.put_all(csr.val);
}

}  // namespace

std::string serialize_sparse_model(Module& model, const Shape& input, const Normalization& norm) {
  const OnnxModel m = export_onnx(model, input, norm);
  ByteWriter w;
  w.out_ = "PODASPRS";
  w.put<std::uint32_t>(1);
  std::vector<std::string> weights;  // the second input of every Gemm and Conv
  w.put(static_cast<std::uint32_t>(m.nodes.size()));
  for (const OnnxNode& n : m.nodes) {
    w.str(n.op_type);
    w.str(n.name);
    w.strings(n.inputs);
    w.strings(n.outputs);
    w.put(static_cast<std::uint32_t>(n.attributes.size()));
    for (const OnnxAttribute& a : n.attributes) write_attribute(w, a);
    if ((n.op_type == "Gemm" || n.op_type == "Conv") && n.inputs.size() > 1)
      weights.push_back(n.inputs[1]);
  }
  w.put(static_cast<std::uint32_t>(m.initializers.size()));
  for (const OnnxTensor& t : m.initializers)
    write_constant(w, t, std::find(weights.begin(), weights.end(), t.name) != weights.end());
  w.put(static_cast<std::uint32_t>(m.metadata.size()));
  for (const auto& [key, value] : m.metadata) {
    w.str(key);
    w.str(value);
  }
  return w.out_;
}

}  // namespace poda
