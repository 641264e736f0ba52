// export_onnx: a Lowering (nn/lowering.h) that writes ONNX nodes instead of inference ops.
#include "interop/onnx_export.h"

#include <sstream>

#include <xtensor/xadapt.hpp>

#include "interop/onnx_builder.h"

namespace poda {
namespace {

std::vector<std::int64_t> dims_of(const Shape& s) {
  return {s.begin(), s.end()};
}

std::string join(const std::vector<float>& v) {
  std::ostringstream out;
  out.precision(9);
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
  return out.str();
}

}  // namespace

OnnxModel OnnxBuilder::finish(const Shape& input, const Normalization& norm) {
  OnnxModel m;
  m.producer_version = PODA_VERSION;
  if (nodes_.empty()) node("Identity", "identity", {current_}, {});
  for (std::string& out : nodes_.back().outputs)
    if (out == current_) out = kOnnxOutputName;
  m.nodes = std::move(nodes_);
  for (auto& [name, a] : arrays_)
    m.initializers.push_back({name, dims_of(to_shape(a.shape())), {a.begin(), a.end()}, {}, false});
  for (OnnxTensor& t : int_constants_) m.initializers.push_back(std::move(t));
  std::vector<std::int64_t> in_dims{-1}, out_dims{-1};
  for (std::size_t d : input) in_dims.push_back(static_cast<std::int64_t>(d));
  for (std::size_t d : shape_) out_dims.push_back(static_cast<std::int64_t>(d));
  m.inputs = {{kOnnxInputName, in_dims}};
  m.outputs = {{kOnnxOutputName, out_dims}};
  m.metadata["poda.input"] = "(N, " + shape_str(input).substr(1) + " pixels scaled to [0, 1]";
  m.metadata["poda.normalization_mean"] = join(norm.mean);
  m.metadata["poda.normalization_std"] = join(norm.std);
  m.metadata["poda.output"] = "logits (N, " + shape_str(shape_).substr(1);
  m.doc_string = "poda export: masks applied, BatchNorm folded; normalisation as Sub/Div nodes";
  return m;
}

OnnxModel export_onnx(Module& model, const Shape& input, const Normalization& norm) {
  model.output_shape(input);  // a ShapeError naming the layer, before any lowering
  model.eval();
  OnnxBuilder builder(input);
  builder.normalize(norm);
  model.lower(builder);
  return builder.finish(input, norm);
}

}  // namespace poda
