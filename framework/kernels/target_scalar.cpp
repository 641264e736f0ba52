// The kernel sources (kernels/*.inl) built for the scalar target: the build's baseline
// instruction set, with NEON intrinsics on aarch64 (kernels/simd_neon.inl) and generic
// four-float vectors elsewhere (kernels/simd_generic.inl).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/batch_norm_kernels.h"
#include "kernels/conv_rows.h"
#include "kernels/dense_batch_kernels.h"
#include "kernels/direct_kernels.h"
#include "kernels/shifted_dots.h"
#include "kernels/small_layer_kernels.h"
#include "kernels/sparse_kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#endif

// Loops over a block's rows and vectors unrolled early, so the accumulator arrays stay in
// registers.
#define PODA_UNROLL _Pragma("GCC unroll 16")

namespace poda::kernels::scalar {
#if defined(__aarch64__)
#include "kernels/simd_neon.inl"
#else
#include "kernels/simd_generic.inl"
#endif

#include "kernels/batch_norm.inl"
#include "kernels/direct.inl"
#include "kernels/dense_batch.inl"
#include "kernels/shifted_dots.inl"
#include "kernels/conv_rows.inl"  // after shifted_dots.inl: its block sizes
#include "kernels/small_layer.inl"
#include "kernels/sparse.inl"
#include "kernels/sparse_b1.inl"  // after sparse.inl: its window accumulation
}  // namespace poda::kernels::scalar

namespace poda::kernels {

const DenseBatchKernels dense_batch_scalar{std::size_t(scalar::dense_batch_rows),
                                           scalar::dense_batch};
const DirectKernels direct_scalar{scalar::dense_rows_shifted, scalar::dense_matvec,
                                  scalar::max_pool2x2};
const SparseKernels sparse_scalar{scalar::sparse_rows_shifted, scalar::sparse_rows_strided,
                                  scalar::transpose, scalar::sampled_dots, scalar::sparse_matvec_act};
const BatchNormKernels batch_norm_scalar{scalar::bn_channel_sums, scalar::bn_channel_apply,
                                       scalar::bn_channel_param_sums,
                                       scalar::bn_channel_input_grad};
const ConvRowsKernels conv_rows_scalar{scalar::conv_rows_forward, scalar::conv_rows_weight_grad};
const ShiftedDotsKernels shifted_dots_scalar{scalar::shifted_dots};
const SmallLayerKernels small_layer_scalar{scalar::conv_few_filters, scalar::matvec_narrow};

}  // namespace poda::kernels
