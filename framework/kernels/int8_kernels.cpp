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
// The sparse GEMM and the dequantizing epilogue of a VNNI CPU are the AVX2 ones (AVX-512
// and AVX-VNNI imply AVX2).
const Int8Kernels int8_avxvnni{"avx2-vnni",
                               detail::gemm_u8s8_avxvnni,
                               detail::sparse_gemm_u8s8_avx2,
                               detail::conv2d_u8s8_avxvnni,
                               detail::quantize_activations_avx2,
                               detail::dequantize_span_avx2};
const Int8Kernels int8_vnni{"avx512-vnni",
                            detail::gemm_u8s8_vnni,
                            detail::sparse_gemm_u8s8_vnni,
                            detail::conv2d_u8s8_vnni,
                            detail::quantize_activations_avx512,
                            detail::dequantize_span_avx2};

}  // namespace

const IsaTable<Int8Kernels>& int8_kernels() {
  static const IsaTable<Int8Kernels> table{
      {&int8_scalar, kernel_isa_has_avx_vnni() ? &int8_avxvnni : &int8_avx2,
       kernel_isa_has_vnni() ? &int8_vnni : nullptr}};
  return table;
}

std::vector<const Int8Kernels*> runnable_int8_kernels() {
  std::vector<const Int8Kernels*> builds{&int8_scalar};
  if (kernel_isa_runnable(KernelIsa::avx2)) builds.push_back(&int8_avx2);
  if (kernel_isa_has_avx_vnni()) builds.push_back(&int8_avxvnni);
  if (kernel_isa_has_vnni()) builds.push_back(&int8_vnni);
  return builds;
}

}  // namespace poda
