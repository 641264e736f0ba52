// The batch-norm loops' table: the build of every target this binary holds.
#include "kernels/batch_norm_kernels.h"

namespace poda {

const IsaTable<BatchNormKernels>& batch_norm_kernels() {
  static const IsaTable<BatchNormKernels> table{{&kernels::batch_norm_scalar,
#if PODA_KERNELS_X86
                                                 &kernels::batch_norm_avx2, &kernels::batch_norm_avx512
#else
                                                 nullptr, nullptr
#endif
  }};
  return table;
}

}  // namespace poda
