// The kernel sources (kernels/*.inl) built for the avx2 target (AVX2 + FMA) through a
// target pragma rather than compiler flags, so any x86-64 build carries them and
// kernels/isa.h runs them only where the CPU has AVX2 and FMA. Every header is included
// before the pragma: only this file's own functions get the AVX2 code generation.
#include "kernels/isa.h"

#if PODA_KERNELS_X86
#include <immintrin.h>

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

#define PODA_UNROLL _Pragma("GCC unroll 16")

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace poda::kernels::avx2 {
#include "kernels/simd_avx2.inl"

#include "kernels/batch_norm.inl"
#include "kernels/direct.inl"
#include "kernels/dense_batch.inl"
#include "kernels/shifted_dots.inl"
#include "kernels/conv_rows.inl"  // after shifted_dots.inl: its block sizes
#include "kernels/small_layer.inl"
#include "kernels/sparse.inl"
#include "kernels/sparse_b1.inl"  // after sparse.inl: its window accumulation
}  // namespace poda::kernels::avx2

#pragma GCC pop_options

namespace poda::kernels {

const DenseBatchKernels dense_batch_avx2{std::size_t(avx2::dense_batch_rows), avx2::dense_batch};
const DirectKernels direct_avx2{avx2::dense_rows_shifted, avx2::dense_matvec, avx2::max_pool2x2};
const SparseKernels sparse_avx2{avx2::sparse_rows_shifted, avx2::sparse_rows_strided,
                                avx2::transpose, avx2::sampled_dots, avx2::sparse_matvec_act};
const BatchNormKernels batch_norm_avx2{avx2::bn_channel_sums, avx2::bn_channel_apply,
                                       avx2::bn_channel_param_sums,
                                       avx2::bn_channel_input_grad};
const ConvRowsKernels conv_rows_avx2{avx2::conv_rows_forward, avx2::conv_rows_weight_grad};
const ShiftedDotsKernels shifted_dots_avx2{avx2::shifted_dots};
const SmallLayerKernels small_layer_avx2{avx2::conv_few_filters, avx2::matvec_narrow};

}  // namespace poda::kernels

#endif
