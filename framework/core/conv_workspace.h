#pragma once
// Per-thread scratch buffers of the convolution kernels: grown to the largest layer seen,
// then reused by every later call on that thread, so training steps allocate nothing.
#include <cstddef>
#include <vector>

namespace poda {

struct ConvWorkspace {
  std::vector<float> cols;      // (K, Bc*OHW) patches, or their gradient
  std::vector<float> gathered;  // (C_out/groups, Bc*OHW) one group's output or its gradient
  std::vector<float> weights;   // (C_in, C_out, kH, kW) flipped weights of the data gradient
  std::vector<float> partial;   // (slots-1, C_out*K) other threads' weight gradients
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
