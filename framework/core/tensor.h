#pragma once
// The storage type of every tensor in poda: float32, row-major, dynamic rank.
// Hot paths loop over .data() directly: xtensor views are slow inside inner loops
// (xtensor issues #2428 and #2776).
#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace poda {

using Array = xt::xarray<float>;
using Shape = std::vector<std::size_t>;

inline std::size_t numel(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

template <class S>
Shape to_shape(const S& s) {
  return Shape(s.begin(), s.end());
}

// "(64, 784)"
std::string shape_str(const Shape& shape);

// An uninitialised array of the given shape (caller writes every element).
Array empty_array(const Shape& shape);
Array zeros_array(const Shape& shape);

}  // namespace poda
