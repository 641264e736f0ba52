#include "core/tensor.h"

#include "core/profile.h"

namespace poda {

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + ")";
}

Array empty_array(const Shape& shape) {
  ProfileScope scope(ProfileOp::allocation);
  return Array::from_shape(shape);
}

Array zeros_array(const Shape& shape) {
  ProfileScope scope(ProfileOp::allocation);
  Array a = Array::from_shape(shape);
  std::fill(a.begin(), a.end(), 0.0f);
  return a;
}

}  // namespace poda
