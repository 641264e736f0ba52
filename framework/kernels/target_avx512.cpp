// The kernel sources (kernels/*.inl) built for the avx512 target (AVX-512 F/BW/DQ/VL + FMA)
// through a target pragma, as kernels/target_avx2.cpp does for avx2: any x86-64 build
// carries them and kernels/isa.h runs them only where the CPU and OS have AVX-512. Every
// header is included before the pragma: only this file's own functions get the AVX-512 code.
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
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace poda::kernels::avx512 {
#include "kernels/simd_avx512.inl"

#include "kernels/batch_norm.inl"
#include "kernels/direct.inl"
#include "kernels/dense_batch.inl"
#include "kernels/shifted_dots.inl"
#include "kernels/conv_rows.inl"  // after shifted_dots.inl: its block sizes
#include "kernels/small_layer.inl"
#include "kernels/sparse.inl"
#include "kernels/sparse_b1.inl"  // after sparse.inl: its window accumulation
}  // namespace poda::kernels::avx512

#pragma GCC pop_options

namespace poda::kernels {

const DenseBatchKernels dense_batch_avx512{std::size_t(avx512::dense_batch_rows),
                                           avx512::dense_batch};
const DirectKernels direct_avx512{avx512::dense_rows_shifted, avx512::dense_matvec,
                                  avx512::max_pool2x2};
const SparseKernels sparse_avx512{avx512::sparse_rows_shifted, avx512::sparse_rows_strided,
                                  avx512::transpose, avx512::sampled_dots, avx512::sparse_matvec_act};
const BatchNormKernels batch_norm_avx512{avx512::bn_channel_sums, avx512::bn_channel_apply,
                                         avx512::bn_channel_param_sums,
                                         avx512::bn_channel_input_grad};
const ConvRowsKernels conv_rows_avx512{avx512::conv_rows_forward, avx512::conv_rows_weight_grad};
const ShiftedDotsKernels shifted_dots_avx512{avx512::shifted_dots};
const SmallLayerKernels small_layer_avx512{avx512::conv_few_filters, avx512::matvec_narrow};

}  // namespace poda::kernels

#endif
