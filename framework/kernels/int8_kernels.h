#pragma once
// The int8 kernels' entry in the ISA table (kernels/isa.h): every int8 kernel of one target
// in one struct, so the target PODA_KERNEL_ISA or the CPU chose runs them all, and a test
// can reach each target's build. The avx512 entry is the VNNI one (vpdpbusd on zmm) and
// exists only where the CPU has AVX-512 VNNI; an AVX-512 CPU without it runs the avx2 entry.
// The avx2 entry is the AVX-VNNI build (vpdpbusd on ymm) where the CPU has AVX-VNNI, else the
// plain AVX2 one (vpmaddwd).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/conv_int8.h"
#include "kernels/gemm_int8.h"
#include "kernels/sparse_int8.h"
#include "kernels/isa.h"

namespace poda {

struct Int8Kernels {
  const char* name;  // "scalar", "avx2", "avx2-vnni", "avx512-vnni"
  // gemm_u8s8, sparse_gemm_u8s8 and conv2d_u8s8 (kernels/gemm_int8.h, sparse_int8.h,
  // conv_int8.h) after their argument checks.
  void (*gemm)(std::size_t M, const std::uint8_t* A, std::size_t lda, const PackedInt8Weights& W,
               std::int32_t* C, std::size_t ldc);
  void (*sparse_gemm)(std::size_t M, const std::uint8_t* A, std::size_t lda,
                      const SparseInt8Weights& W, std::int32_t* C, std::size_t ldc);
  void (*conv)(const std::uint8_t* x, const Int8ConvShape& shape, std::uint8_t pad_level,
               const PackedInt8Weights& weight, std::int32_t* out);
  // The two ends of an int8 layer (kernels/int8_convert.h): x (n) onto the uint8 grid, and
  // y[i] = scale * (acc[i] - zp) + bias (per element when per_element, else one value),
  // then max(y, 0) when relu.
  void (*quantize)(const float* x, std::size_t n, float scale, int zero_point, std::uint8_t* q);
  void (*dequantize)(const std::int32_t* acc, std::size_t count, const float* scale,
                     const std::int32_t* zero_point_term, const float* bias, bool per_element,
                     bool relu, float* y);
};

const IsaTable<Int8Kernels>& int8_kernels();

// Every build this CPU can run, whichever the table picks (scalar first): the tests run them
// all, e.g. plain AVX2 and AVX-VNNI on a CPU that has both.
std::vector<const Int8Kernels*> runnable_int8_kernels();

}  // namespace poda
