#include "nn/parameter.h"

#include <stdexcept>

#include "core/fake_quant.h"
#include "core/ops.h"

namespace poda {

Variable Parameter::effective() const {
  Variable masked = has_mask() ? mul(value, mask) : value;
  return fake_quant ? fake_quantize_weight(masked) : masked;
}

void Parameter::set_mask(Array mask_values) {
  if (mask_values.shape() != value.data().shape())
    throw std::invalid_argument("mask of shape " + shape_str(to_shape(mask_values.shape())) +
                                " for a parameter of shape " + shape_str(value.shape()));
  mask = Variable(std::move(mask_values), false);
  ++mask_version_;
  apply_mask();
}

void Parameter::remove_mask() {
  mask = Variable();
  ++mask_version_;
}

const std::vector<std::uint32_t>& Parameter::live_indices() const {
  if (!live_ || live_version_ != mask_version_) {
    auto live = std::make_shared<std::vector<std::uint32_t>>();
    const float* m = has_mask() ? mask.data().data() : nullptr;
    for (std::size_t i = 0, n = value.size(); i < n; ++i)
      if (!m || m[i] != 0.0f) live->push_back(static_cast<std::uint32_t>(i));
    live_ = std::move(live);
    live_version_ = mask_version_;
  }
  return *live_;
}

void Parameter::apply_mask() {
  if (has_mask()) mask_buffer(value.data());
}

void Parameter::mask_buffer(Array& buffer) const {
  if (!has_mask()) return;
  const float* m = mask.data().data();
  float* p = buffer.data();
  for (std::size_t i = 0, n = buffer.size(); i < n; ++i) p[i] *= m[i];
}

std::size_t count_nonzero_effective(const Parameter& p) {
  const float* v = p.value.data().data();
  const float* m = p.has_mask() ? p.mask.data().data() : nullptr;
  std::size_t n = 0;
  for (std::size_t i = 0, size = p.value.size(); i < size; ++i)
    n += v[i] != 0.0f && (!m || m[i] != 0.0f);
  return n;
}

float effective_at(const Parameter& p, std::size_t i) {
  const float v = p.value.data().data()[i];
  return p.has_mask() ? v * p.mask.data().data()[i] : v;
}

void gather_effective(const Parameter& from, const std::vector<std::size_t>& rows,
                      const std::vector<std::size_t>& cols, std::size_t C, std::size_t inner,
                      Parameter& to) {
  float* out = to.value.data().data();
  for (std::size_t r : rows)
    for (std::size_t c : cols)
      for (std::size_t k = 0; k < inner; ++k) *out++ = effective_at(from, (r * C + c) * inner + k);
}

std::vector<std::size_t> all_indices(std::size_t n) {
  std::vector<std::size_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace poda
