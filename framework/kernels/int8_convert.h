#pragma once
// The two ends of an int8 layer, vectorised: float inputs onto their uint8 grid before the
// integer GEMM, and the GEMM's exact int32 sums back to float after it, per output channel n:
//   y = scale[n] * (acc - zero_point_term[n]) + bias[n], then max(y, 0) when relu.
// Two output layouts: rows (M, N) as Dense produces them, and channels (N, P) as a
// convolution stores its output planes. A scalar loop and an AVX2 one compute the same
// values (the same operations in the same order, no FMA contraction), chosen with the GEMM
// by the ISA table (kernels/int8_kernels.h); the scalar quantizer is kernels/quant_params.h's.
#include <cstddef>
#include <cstdint>

namespace poda {

// q = quantize_uint8(x, n, scale, zero_point) of kernels/quant_params.h, the same levels.
void quantize_activations(const float* x, std::size_t n, float scale, int zero_point,
                          std::uint8_t* q);

struct Int8Epilogue {
  const float* scale;                   // (N)
  const std::int32_t* zero_point_term;  // (N)
  const float* bias;                    // (N)
  bool relu = false;
};

// acc (M, N) -> y (M, N)
void dequantize_rows(const std::int32_t* acc, std::size_t M, std::size_t N,
                     const Int8Epilogue& e, float* y);
// acc (N, P) -> y (N, P)
void dequantize_channels(const std::int32_t* acc, std::size_t N, std::size_t P,
                         const Int8Epilogue& e, float* y);

namespace detail {
void dequantize_span_scalar(const std::int32_t* acc, std::size_t count, const float* scale,
                            const std::int32_t* zero_point_term, const float* bias,
                            bool per_element, bool relu, float* y);
void quantize_activations_avx2(const float* x, std::size_t n, float scale, int zero_point,
                               std::uint8_t* q);
void quantize_activations_avx512(const float* x, std::size_t n, float scale, int zero_point,
                                 std::uint8_t* q);
void dequantize_span_avx2(const std::int32_t* acc, std::size_t count, const float* scale,
                          const std::int32_t* zero_point_term, const float* bias,
                          bool per_element, bool relu, float* y);
}  // namespace detail

}  // namespace poda
