// The int8 kernels' ISA table: which function each target runs.
#include "kernels/int8_kernels.h"

#include "kernels/int8_convert.h"
#include "kernels/quant_params.h"

namespace poda {

namespace {

const Int8Kernels int8_scalar{"scalar",
                              detail::gemm_u8s8_scalar,
                              detail::sparse_gemm_u8s8_scalar,
                              detail::conv2d_u8s8_scalar,
                              quantize_uint8,
                              detail::dequantize_span_scalar};
const Int8Kernels int8_avx2{"avx2",
                            detail::gemm_u8s8_avx2,
                            detail::sparse_gemm_u8s8_avx2,
                            detail::conv2d_u8s8_avx2,
                            detail::quantize_activations_avx2,
                            detail::dequantize_span_avx2};
// The float conversions of a VNNI CPU are the AVX2 ones (AVX-512 implies AVX2).
const Int8Kernels int8_vnni{"avx512-vnni",
                            detail::gemm_u8s8_vnni,
                            detail::sparse_gemm_u8s8_vnni,
                            detail::conv2d_u8s8_vnni,
                            detail::quantize_activations_avx2,
                            detail::dequantize_span_avx2};

}  // namespace

const IsaTable<Int8Kernels>& int8_kernels() {
  static const IsaTable<Int8Kernels> table{
      {&int8_scalar, &int8_avx2, kernel_isa_has_vnni() ? &int8_vnni : nullptr}};
  return table;
}

}  // namespace poda
