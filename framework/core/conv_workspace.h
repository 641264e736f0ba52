#pragma once
// Per-thread scratch buffers of the convolution kernels: grown to the largest layer seen,
// then reused by every later call on that thread, so training steps allocate nothing.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

// What the direct kernels' padded buffer last held: while a layer's chunks (and the layers of
// one stage) keep the same layout, its zero borders are still in place and only the planes'
// interiors need copying.
struct PaddedLayout {
  const float* data = nullptr;
  std::size_t planes = 0, h = 0, w = 0, pad = 0, Wp = 0, size = 0;
  bool operator==(const PaddedLayout& o) const {
    return data == o.data && planes == o.planes && h == o.h && w == o.w && pad == o.pad &&
           Wp == o.Wp && size == o.size;
  }
};

struct ConvWorkspace {
  std::vector<float> cols;      // (K, Bc*OHW) patches, or their gradient
  std::vector<float> gathered;  // (C_out/groups, Bc*OHW) one group's output or its gradient
  std::vector<float> weights;   // (C_in, C_out, kH, kW) flipped weights of the data gradient
  std::vector<float> partial;   // (slots-1, C_out*K) other threads' weight gradients
  // The direct kernels (conv_direct.cpp):
  std::vector<float> padded;          // (C_in, Bc, Hp, Wp) a chunk's zero-padded input
  PaddedLayout padded_layout;         // its layout: written only by conv_direct.cpp's spread
  std::vector<float> wide;            // (C_out, Bc, Hp, Wp) its output, or its dy, junk zeroed
  std::vector<float> tap_grads;       // (kH*kW, C_out, C_in) the weight gradient, tap-major
  std::vector<float> zeros;           // (C_out) the bias of a conv without one
  std::vector<std::int32_t> offsets;  // (C_in*kH*kW) where each input column starts
};

inline ConvWorkspace& conv_workspace() {
  thread_local ConvWorkspace ws;
  return ws;
}

inline float* grow(std::vector<float>& buf, std::size_t n) {
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

}  // namespace poda
