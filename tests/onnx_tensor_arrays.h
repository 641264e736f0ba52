// An ONNX tensor (an initializer, or a TensorProto .pb of a test_data_set_* folder) as a poda
// Array, to compare an imported model's outputs with those the graph's maker recorded.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>

#include "core/tensor.h"
#include "interop/onnx_model.h"

namespace poda_test {

inline poda::Array onnx_tensor_array(const poda::OnnxTensor& t) {
  poda::Shape shape;
  for (std::int64_t d : t.dims) shape.push_back(static_cast<std::size_t>(d));
  poda::Array a = poda::empty_array(shape);
  REQUIRE(a.size() == t.floats.size());
  std::copy(t.floats.begin(), t.floats.end(), a.data());
  return a;
}

}  // namespace poda_test
