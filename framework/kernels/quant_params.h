#pragma once
// The numbers of 8-bit quantization: how a float range becomes a scale and a zero point,
// and how values go to integers and back. Used by fake quantization (training), by the
// int8 kernels (inference) and by calibration.
//
// The scheme, chosen once for all of poda:
//   weights      symmetric int8 per output channel (axis 0): q = clamp(round(w / s), -127, 127),
//                s = max|w_channel| / 127, zero point 0. The narrow range (no -128) keeps
//                the grid symmetric, so w and -w quantize to q and -q, and a pruned weight
//                (0) is exactly 0.
//   activations  asymmetric uint8 per tensor: q = clamp(round(x / s) + z, 0, 255). uint8
//                is what vpdpbusd multiplies against int8 weights; the zero point lets a
//                range that is mostly positive (after ReLU) or shifted (normalised pixels)
//                use all 256 levels. The range is widened to contain 0, so 0 (padding,
//                ReLU's zeros) is represented exactly by q = z.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

inline constexpr int kWeightQmax = 127;      // symmetric int8, narrow range [-127, 127]
inline constexpr int kActivationQmax = 255;  // asymmetric uint8 [0, 255]

// A per-tensor (scale.size() == 1) or per-channel (one per slice along axis 0) grid:
// real = (q - zero_point) * scale, q in [qmin, qmax].
struct QuantGrid {
  std::vector<float> scale;
  std::vector<int> zero_point;  // same length as scale
  int qmin = 0, qmax = 0;
  std::size_t channels() const { return scale.size(); }
};

// Symmetric per-output-channel int8 grid for a weight (C_out, ...) stored as `channels`
// contiguous slices of `per_channel` values. An all-zero channel gets scale 1.
QuantGrid weight_grid(const float* weight, std::size_t channels, std::size_t per_channel);

// Asymmetric uint8 per-tensor grid for the observed range [lo, hi] (widened to contain 0).
// A degenerate range (lo == hi == 0) gets scale 1.
QuantGrid activation_grid(float lo, float hi);

// round(x / scale) + zero_point before clamping, as a float (so a huge x cannot overflow an
// int); rounding is to nearest, ties to even, as PyTorch's fake_quantize. Every quantizer in
// poda goes through this one function, so training (fake quantization) and inference (the
// int8 kernels) round identically.
// The rounding adds and subtracts 1.5 * 2^23, which rounds any |v| < 2^22 to an integer
// exactly as std::nearbyint does in the default mode, but vectorises (nearbyint is a libm
// call). |v| is first clamped to 2^22: far outside any 8-bit grid, so no level changes.
inline float unclamped_level(float x, float scale, int zero_point) {
  constexpr float kLimit = 4194304.0f;   // 2^22
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  float v = x / scale;
  v = v < -kLimit ? -kLimit : v;
  v = v > kLimit ? kLimit : v;
  return ((v + kMagic) - kMagic) + static_cast<float>(zero_point);
}
// unclamped_level clamped to [qmin, qmax]; a NaN input gives qmin.
inline int clamped_level(float x, float scale, int zero_point, int qmin, int qmax) {
  const float level = unclamped_level(x, scale, zero_point);
  const float lo = static_cast<float>(qmin), hi = static_cast<float>(qmax);
  const float above = level > lo ? level : lo;
  return static_cast<int>(above < hi ? above : hi);
}

// q = clamp(unclamped_level(x)), for one slice of one grid channel.
void quantize_int8(const float* x, std::size_t n, float scale, std::int8_t* q);
void quantize_uint8(const float* x, std::size_t n, float scale, int zero_point, std::uint8_t* q);

// All channels of a weight grid: q (channels * per_channel), row by row.
std::vector<std::int8_t> quantize_weight(const float* weight, const QuantGrid& grid,
                                         std::size_t per_channel);
// The reverse: real = q * scale of the channel.
std::vector<float> dequantize_weight(const std::int8_t* q, const QuantGrid& grid,
                                     std::size_t per_channel);

}  // namespace poda
